/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_CLIENT_H__
#define __GST_OPENTOK_CLIENT_H__

#include <gio/gio.h>
#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>
#include <gst/opentok/gstopentoksignal.h>

G_BEGIN_DECLS

/**
 * GstOpenTokClientState:
 * @GST_OPENTOK_CLIENT_STATE_DISCONNECTED: not in the session
 * @GST_OPENTOK_CLIENT_STATE_CONNECTING: joining
 * @GST_OPENTOK_CLIENT_STATE_CONNECTED: in the session
 * @GST_OPENTOK_CLIENT_STATE_RECONNECTING: in the session, its socket lost,
 *     reconnecting
 * @GST_OPENTOK_CLIENT_STATE_DISCONNECTING: leaving
 *
 * Where a client connection stands.
 *
 * Since: 0.1
 */
/* registered by hand, with descriptions for gst-inspect-1.0 */
typedef enum /*< skip >*/
{
  GST_OPENTOK_CLIENT_STATE_DISCONNECTED,
  GST_OPENTOK_CLIENT_STATE_CONNECTING,
  GST_OPENTOK_CLIENT_STATE_CONNECTED,
  GST_OPENTOK_CLIENT_STATE_RECONNECTING,
  GST_OPENTOK_CLIENT_STATE_DISCONNECTING,
} GstOpenTokClientState;

#define GST_TYPE_OPENTOK_CLIENT_STATE (gst_opentok_client_state_get_type ())
GST_OPENTOK_API
GType gst_opentok_client_state_get_type (void);

/**
 * GstOpenTokConnection:
 *
 * One connection of a session, as every member sees it: its id, the data
 * its token carries, and when it joined. Immutable and reference counted.
 *
 * Since: 0.1
 */
typedef struct _GstOpenTokConnection GstOpenTokConnection;

#define GST_TYPE_OPENTOK_CONNECTION (gst_opentok_connection_get_type ())
GST_OPENTOK_API
GType gst_opentok_connection_get_type (void);

GST_OPENTOK_API
GstOpenTokConnection *gst_opentok_connection_ref (GstOpenTokConnection * connection);

GST_OPENTOK_API
void gst_opentok_connection_unref (GstOpenTokConnection * connection);

GST_OPENTOK_API
const gchar *gst_opentok_connection_get_id (const GstOpenTokConnection * connection);

GST_OPENTOK_API
const gchar *gst_opentok_connection_get_data (const GstOpenTokConnection * connection);

GST_OPENTOK_API
gint64 gst_opentok_connection_get_creation_time (const GstOpenTokConnection * connection);

#define GST_TYPE_OPENTOK_CLIENT (gst_opentok_client_get_type ())
GST_OPENTOK_API
G_DECLARE_FINAL_TYPE (GstOpenTokClient, gst_opentok_client, GST, OPENTOK_CLIENT,
    GstObject);

/**
 * GstOpenTokSignalCallback:
 * @client: the #GstOpenTokClient
 * @signal: the signal that was sent, or refused
 * @error: (nullable): %NULL when the server accepted the signal, else why it
 *     was refused (a #GST_OPENTOK_SIGNAL_ERROR with OpenTok's code)
 * @user_data: the data given with the callback
 *
 * Completion of gst_opentok_client_send_signal_full(), called once on the
 * client's network thread.
 *
 * Since: 0.1
 */
typedef void (*GstOpenTokSignalCallback) (GstOpenTokClient * client,
    GstOpenTokSignal * signal, const GError * error, gpointer user_data);

/**
 * GstOpenTokClientCallback:
 * @client: the #GstOpenTokClient
 * @error: (nullable): %NULL on success, else a #GST_OPENTOK_CLIENT_ERROR
 * @user_data: the data given with the callback
 *
 * Completion of gst_opentok_client_force_disconnect_full(), called once on
 * the client's network thread.
 *
 * Since: 0.1
 */
typedef void (*GstOpenTokClientCallback) (GstOpenTokClient * client,
    const GError * error, gpointer user_data);

GST_OPENTOK_API
GstOpenTokClient *gst_opentok_client_new (const gchar * api_url,
    const gchar * api_key, const gchar * session_id, const gchar * token);

GST_OPENTOK_API
gboolean gst_opentok_client_connect (GstOpenTokClient * client,
    GCancellable * cancellable, GError ** error);

GST_OPENTOK_API
void gst_opentok_client_connect_async (GstOpenTokClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);

GST_OPENTOK_API
gboolean gst_opentok_client_connect_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error);

GST_OPENTOK_API
void gst_opentok_client_disconnect (GstOpenTokClient * client);

GST_OPENTOK_API
void gst_opentok_client_send_signal_full (GstOpenTokClient * client,
    GstOpenTokSignal * signal, GstOpenTokSignalCallback callback,
    gpointer user_data, GDestroyNotify notify);

GST_OPENTOK_API
void gst_opentok_client_send_signal_async (GstOpenTokClient * client,
    GstOpenTokSignal * signal, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);

GST_OPENTOK_API
gboolean gst_opentok_client_send_signal_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error);

GST_OPENTOK_API
void gst_opentok_client_force_disconnect_full (GstOpenTokClient * client,
    const gchar * connection_id, GstOpenTokClientCallback callback,
    gpointer user_data, GDestroyNotify notify);

GST_OPENTOK_API
void gst_opentok_client_force_disconnect_async (GstOpenTokClient * client,
    const gchar * connection_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);

GST_OPENTOK_API
gboolean gst_opentok_client_force_disconnect_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error);

GST_OPENTOK_API
GstOpenTokClientState gst_opentok_client_get_state (GstOpenTokClient * client);

GST_OPENTOK_API
gchar *gst_opentok_client_get_connection_id (GstOpenTokClient * client);

GST_OPENTOK_API
GPtrArray *gst_opentok_client_get_connections (GstOpenTokClient * client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstOpenTokConnection, gst_opentok_connection_unref)

G_END_DECLS

#endif /* __GST_OPENTOK_CLIENT_H__ */
