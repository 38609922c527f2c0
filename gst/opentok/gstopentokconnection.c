/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* GstOpenTokConnection, one member of a session as the client and the
 * server hand it out. It is made from what the server says, by
 * gstopentokpayload.c, and immutable once made. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokclient.h"
#include "gstopentokpayload.h"

G_DEFINE_BOXED_TYPE (GstOpenTokConnection, gst_opentok_connection,
    gst_opentok_connection_ref, gst_opentok_connection_unref);

/**
 * gst_opentok_connection_ref:
 * @connection: a #GstOpenTokConnection
 *
 * Adds a reference. Safe from any thread.
 *
 * Returns: (transfer full): @connection
 *
 * Since: 0.1
 */
GstOpenTokConnection *
gst_opentok_connection_ref (GstOpenTokConnection * connection)
{
  g_return_val_if_fail (connection != NULL, NULL);

  g_atomic_ref_count_inc (&connection->ref_count);
  return connection;
}

/**
 * gst_opentok_connection_unref:
 * @connection: (transfer full): a #GstOpenTokConnection
 *
 * Drops a reference, and frees the connection with the last one. Safe from
 * any thread.
 *
 * Since: 0.1
 */
void
gst_opentok_connection_unref (GstOpenTokConnection * connection)
{
  g_return_if_fail (connection != NULL);

  if (!g_atomic_ref_count_dec (&connection->ref_count))
    return;
  g_free (connection->id);
  g_free (connection->data);
  g_free (connection);
}

/**
 * gst_opentok_connection_get_id:
 * @connection: a #GstOpenTokConnection
 *
 * The connection's id in its session.
 *
 * Returns: the connection id, the one signals are addressed to
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_connection_get_id (const GstOpenTokConnection * connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->id;
}

/**
 * gst_opentok_connection_get_data:
 * @connection: a #GstOpenTokConnection
 *
 * The connection data its token carries, as other members see it.
 *
 * Returns: the connection data of its token ("" when it has none)
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_connection_get_data (const GstOpenTokConnection * connection)
{
  g_return_val_if_fail (connection != NULL, NULL);
  return connection->data;
}

/**
 * gst_opentok_connection_get_creation_time:
 * @connection: a #GstOpenTokConnection
 *
 * When the connection joined its session.
 *
 * Returns: when the connection joined, in milliseconds since the epoch
 *
 * Since: 0.1
 */
gint64
gst_opentok_connection_get_creation_time (const GstOpenTokConnection *
    connection)
{
  g_return_val_if_fail (connection != NULL, 0);
  return connection->creation_time;
}
