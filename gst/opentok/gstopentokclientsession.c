/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The session as GstOpenTokClient learns it from the server's messages:
 * each is acknowledged, and handled once even when re-sent after a
 * reconnection; connection events keep the registry of the session's
 * connections; signals are handed to the application; the join completes
 * once the create is answered and the client's own connection is
 * announced. Network thread only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokclient-private.h"
#include "gstopentokpayload.h"
#include "gstopentokraptor.h"

/* server messages already seen are remembered this long, as opentok.js */
#define SEEN_MEMORY_US (30 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------------ */
/* Connections                                                              */

/* Takes @connection (nullable). Returns it when it was not known yet, else
 * drops it and returns NULL. */
static GstOpenTokConnection *
client_add_connection (GstOpenTokClient * self,
    GstOpenTokConnection * connection)
{
  if (connection == NULL)
    return NULL;
  GST_OBJECT_LOCK (self);
  if (g_hash_table_contains (self->connections, connection->id)) {
    GST_OBJECT_UNLOCK (self);
    gst_opentok_connection_unref (connection);
    return NULL;
  }
  g_hash_table_insert (self->connections, connection->id,
      gst_opentok_connection_ref (connection));
  GST_OBJECT_UNLOCK (self);
  return connection;
}

/* Joined once the create is answered and our own connection#created came
 * (either may come first). */
static void
client_maybe_connected (GstOpenTokClient * self)
{
  GCancellable *cancellable;
  GPtrArray *connections;
  GTask *task;
  guint i;

  if (!self->joined || !self->announced ||
      gst_opentok_client_get_state (self) !=
      GST_OPENTOK_CLIENT_STATE_CONNECTING)
    return;

  /* a cancel that came with the join's last frame still wins */
  cancellable = self->connect_task ?
      g_task_get_cancellable (self->connect_task) : NULL;
  if (g_cancellable_is_cancelled (cancellable)) {
    gst_opentok_client_transport_cancel_connect (self);
    return;
  }

  GST_INFO_OBJECT (self, "joined session %s as %s", self->session_id,
      self->connection_id);
  gst_opentok_client_transport_connect_done (self);
  gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTED);
  g_signal_emit (self, gst_opentok_client_signals[SIGNAL_SESSION_CONNECTED], 0);
  task = self->connect_task;
  self->connect_task = NULL;
  if (task != NULL) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
  connections = gst_opentok_client_get_connections (self);
  for (i = 0; i < connections->len; i++)
    g_signal_emit (self,
        gst_opentok_client_signals[SIGNAL_CONNECTION_CREATED], 0,
        g_ptr_array_index (connections, i));
  g_ptr_array_unref (connections);
  gst_opentok_client_requests_flush (self, FALSE);
}

void
gst_opentok_client_session_handle_create_reply (GstOpenTokClient * self,
    guint status, GBytes * payload, const gchar * reason)
{
  GstOpenTokClientError code;
  GPtrArray *connections;
  guint i;

  if (status / 100 != 2) {
    code = gst_opentok_payload_create_error (status, reason);
    gst_opentok_client_fail (self, code,
        "The server refused the connection (%u): %s", status,
        reason ? reason : "no reason given");
    return;
  }

  connections = gst_opentok_payload_read_connections (payload);
  for (i = 0; i < connections->len; i++) {
    GstOpenTokConnection *connection = client_add_connection (self,
        gst_opentok_connection_ref (g_ptr_array_index (connections, i)));

    if (connection)
      gst_opentok_connection_unref (connection);
  }
  g_ptr_array_unref (connections);

  self->joined = TRUE;
  client_maybe_connected (self);
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

/* Server messages already seen are acknowledged again but not handled: the
 * server re-sends what it has no ack for after a reconnection. */
static gboolean
client_already_seen (GstOpenTokClient * self, const gchar * transaction_id)
{
  gint64 now = g_get_monotonic_time ();
  gpointer expiry;

  if (g_hash_table_lookup_extended (self->seen, transaction_id, NULL,
          &expiry) && GPOINTER_TO_SIZE (expiry) > (gsize) now)
    return TRUE;
  g_hash_table_replace (self->seen, g_strdup (transaction_id),
      GSIZE_TO_POINTER ((gsize) (now + SEEN_MEMORY_US)));
  return FALSE;
}

static gboolean
forget_seen (gpointer key, gpointer value, gpointer user_data)
{
  return GPOINTER_TO_SIZE (value) <= (gsize) * (gint64 *) user_data;
}

void
gst_opentok_client_session_forget_seen (GstOpenTokClient * self, gint64 now)
{
  g_hash_table_foreach_remove (self->seen, forget_seen, &now);
}

static void
handle_connection_event (GstOpenTokClient * self,
    GstOpenTokRaptorMessage * raptor)
{
  const gchar *method = gst_opentok_raptor_message_get_method (raptor);
  const gchar *id = gst_opentok_raptor_message_get_param (raptor,
      "connection");
  GstOpenTokConnection *connection;

  if (g_str_equal (method, "created")) {
    connection = client_add_connection (self,
        gst_opentok_payload_read_connection
        (gst_opentok_raptor_message_get_content (raptor)));
    if (g_strcmp0 (id, self->connection_id) == 0) {
      self->announced = TRUE;
      client_maybe_connected (self);
    } else if (connection != NULL &&
        gst_opentok_client_get_state (self) !=
        GST_OPENTOK_CLIENT_STATE_CONNECTING) {
      g_signal_emit (self,
          gst_opentok_client_signals[SIGNAL_CONNECTION_CREATED], 0, connection);
    }
    if (connection)
      gst_opentok_connection_unref (connection);
  } else if (g_str_equal (method, "deleted") && id != NULL) {
    const gchar *reason = gst_opentok_raptor_message_get_reason (raptor);

    if (reason == NULL)
      reason = "clientDisconnected";
    if (g_str_equal (id, self->connection_id)) {
      /* our own deletion: a moderator or the server removed us */
      gst_opentok_client_transport_send_simple (self,
          GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect", "");
      gst_opentok_client_fail (self,
          GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED,
          "This connection was removed from the session (%s)", reason);
      return;
    }
    GST_OBJECT_LOCK (self);
    connection = g_hash_table_lookup (self->connections, id);
    if (connection) {
      gst_opentok_connection_ref (connection);
      g_hash_table_remove (self->connections, id);
    }
    GST_OBJECT_UNLOCK (self);
    if (connection) {
      g_signal_emit (self,
          gst_opentok_client_signals[SIGNAL_CONNECTION_DESTROYED], 0,
          connection, reason);
      gst_opentok_connection_unref (connection);
    }
  }
}

static void
handle_signal (GstOpenTokClient * self, GstOpenTokRaptorMessage * raptor,
    const gchar * from)
{
  GstOpenTokSignal *signal;
  const gchar *type;
  GQuark detail = 0;

  signal = gst_opentok_payload_read_signal (raptor, from, self->connection_id);
  type = gst_opentok_signal_get_signal_type (signal);
  /* never intern network strings: the quark exists when someone listens */
  if (type != NULL)
    detail = g_quark_try_string (type);
  GST_LOG_OBJECT (self, "signal of type '%s' from %s", GST_STR_NULL (type),
      GST_STR_NULL (gst_opentok_signal_get_from (signal)));
  g_signal_emit (self, gst_opentok_client_signals[SIGNAL_RECEIVED], detail,
      signal);
  gst_opentok_signal_unref (signal);
}

void
gst_opentok_client_session_handle_message (GstOpenTokClient * self,
    GstOpenTokRumorFrame * frame)
{
  const gchar *id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *from = gst_opentok_rumor_frame_get_header (frame,
      "X-TB-FROM-ADDRESS");
  GstOpenTokRaptorMessage *raptor;
  GError *error = NULL;
  const gchar *resource, *data;
  GBytes *payload;
  gsize size;

  if (id != NULL) {
    GBytes *bytes;

    bytes = gst_opentok_frame_finish (gst_opentok_frame_new_status (from ?
            from : "", self->connection_id, id, 0, NULL), self);
    gst_opentok_client_transport_send (self, bytes);
    if (bytes)
      g_bytes_unref (bytes);
    if (client_already_seen (self, id))
      return;
  }

  payload = gst_opentok_rumor_frame_get_payload (frame);
  data = g_bytes_get_data (payload, &size);
  raptor = gst_opentok_raptor_message_parse (data, size, &error);
  if (raptor == NULL) {
    GST_WARNING_OBJECT (self, "ignoring a bad message: %s", error->message);
    g_error_free (error);
    return;
  }
  resource = gst_opentok_raptor_message_get_resource (raptor);
  if (g_str_equal (resource, "connection")) {
    handle_connection_event (self, raptor);
  } else if (g_str_equal (resource, "signal") &&
      g_str_equal (gst_opentok_raptor_message_get_method (raptor), "signal")) {
    /* without the header opentok.js never delivers it; neither do we */
    if (from != NULL)
      handle_signal (self, raptor, from);
  } else {
    GST_DEBUG_OBJECT (self, "ignoring %s#%s", resource,
        gst_opentok_raptor_message_get_method (raptor));
  }
  gst_opentok_raptor_message_unref (raptor);
}
