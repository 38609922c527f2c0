/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How GstOpenTokClient reaches its session and keeps it: the connect
 * (session info, then the socket, then the join), the Rumor socket and its
 * frames, the keepalive and liveness timer, the reconnection of a lost
 * socket within the reconnection window, leaving, and the end of the
 * session. Network thread only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
/* IPPROTO_TCP and TCP_NODELAY, wherever GIO runs */
#include <gio/gnetworking.h>

#include "gstopentokclient-private.h"
#include "gstopentok-private.h"
#include "gstopentokpayload.h"

/* opentok.js: ping after 2 s without sending anything */
#define PING_INTERVAL_US (2 * G_USEC_PER_SEC)
#define TICK_INTERVAL_MS 250
#define OPEN_TIMEOUT_S 15
/* pause between reconnection attempts, so a refused one does not spin */
#define RECONNECT_RETRY_MS 500
/* opentok.js's close code for a socket that went silent */
#define CLOSE_NO_ACTIVITY_CODE 4010

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */

gboolean
gst_opentok_client_transport_is_open (GstOpenTokClient * self)
{
  return self->ws != NULL && soup_websocket_connection_get_state (self->ws)
      == SOUP_WEBSOCKET_STATE_OPEN;
}

void
gst_opentok_client_transport_send (GstOpenTokClient * self, GBytes * frame)
{
  if (frame == NULL || !gst_opentok_client_transport_is_open (self))
    return;
  soup_websocket_connection_send_message (self->ws,
      SOUP_WEBSOCKET_DATA_BINARY, frame);
  self->last_sent = g_get_monotonic_time ();
}

void
gst_opentok_client_transport_send_simple (GstOpenTokClient * self,
    GstOpenTokRumorType type, const gchar * header, const gchar * value)
{
  GstOpenTokRumorFrame *frame = gst_opentok_rumor_frame_new (type);
  GBytes *bytes;

  if (header != NULL)
    gst_opentok_rumor_frame_set_header (frame, header, value);
  bytes = gst_opentok_frame_finish (frame, self);
  gst_opentok_client_transport_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);
}

/* ------------------------------------------------------------------------ */
/* Connect                                                                  */

static gboolean
on_connect_deadline (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_clear_pointer (&self->connect_deadline, g_source_unref);
  if (gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_CONNECTING)
    gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The server did not let the client join within %u ms "
        "(connect-timeout)", self->connect_timeout);
  return G_SOURCE_REMOVE;
}

/* The application cancelled the connect before it joined: the client
 * leaves as a disconnect would, so that a server that has already made the
 * connection forgets it at once, and the connect fails with
 * G_IO_ERROR_CANCELLED (gst_opentok_client_end() says so). */
void
gst_opentok_client_transport_cancel_connect (GstOpenTokClient * self)
{
  GST_INFO_OBJECT (self, "the connect was cancelled");
  gst_opentok_client_transport_send_simple (self,
      GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect", "");
  gst_opentok_client_end (self, "clientDisconnected", NULL);
}

/* A cancel of connect @serial, on its way to the network thread. */
typedef struct
{
  GstOpenTokClient *client;
  guint serial;
} ConnectCancel;

static ConnectCancel *
connect_cancel_new (GstOpenTokClient * client, guint serial)
{
  ConnectCancel *cancel = g_new (ConnectCancel, 1);

  cancel->client = gst_object_ref (client);
  cancel->serial = serial;
  return cancel;
}

static void
connect_cancel_free (gpointer data)
{
  ConnectCancel *cancel = data;

  gst_object_unref (cancel->client);
  g_free (cancel);
}

/* On the network thread; the connect may have ended meanwhile. */
static gboolean
connect_cancel_run (gpointer data)
{
  ConnectCancel *cancel = data;
  GstOpenTokClient *self = cancel->client;

  if (cancel->serial == self->connect_serial
      && gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_CONNECTING)
    gst_opentok_client_transport_cancel_connect (self);
  return G_SOURCE_REMOVE;
}

/* On the thread that cancels: hands the cancel to the network thread. A
 * GCancellableSource would do it, but GLib 2.74 leaks one cancelled on
 * another thread while it is being destroyed. */
static void
on_connect_cancelled (GCancellable * cancellable, gpointer user_data)
{
  ConnectCancel *watch = user_data;
  ConnectCancel *cancel = connect_cancel_new (watch->client, watch->serial);

  if (!gst_opentok_loop_invoke (watch->client->loop, connect_cancel_run,
          cancel, connect_cancel_free))
    connect_cancel_free (cancel);
}

gboolean
gst_opentok_client_transport_connect (gpointer data)
{
  GTask *task = data;
  GstOpenTokClient *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint timeout;

  /* cancelled before it began: there is nothing to undo */
  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;
  if (gst_opentok_client_get_state (self) !=
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED) {
    if (gst_opentok_client_get_state (self) ==
        GST_OPENTOK_CLIENT_STATE_CONNECTED)
      g_task_return_boolean (task, TRUE);
    else
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
          "The client is already connecting");
    return G_SOURCE_REMOVE;
  }
  self->connect_task = g_object_ref (task);
  self->joined = self->announced = self->first_frame_pending = FALSE;
  self->session_info_attempt = 0;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_free (self->topic);
  GST_OBJECT_LOCK (self);
  self->topic = g_strdup_printf ("/v2/partner/%s/session/%s", self->api_key,
      self->session_id);
  GST_OBJECT_UNLOCK (self);
  gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTING);
  GST_OBJECT_LOCK (self);
  timeout = self->connect_timeout;
  GST_OBJECT_UNLOCK (self);
  self->connect_deadline = g_timeout_source_new (timeout);
  g_source_set_callback (self->connect_deadline, on_connect_deadline, self,
      NULL);
  g_source_attach (self->connect_deadline, self->context);
  /* a cancel from any thread is handled here, on the network thread */
  self->connect_serial++;
  if (cancellable != NULL) {
    ConnectCancel *watch = g_new (ConnectCancel, 1);

    /* not a reference: the handler is disconnected before the client
     * goes */
    self->connect_cancellable = g_object_ref (cancellable);
    watch->client = self;
    watch->serial = self->connect_serial;
    self->connect_cancel_id = g_cancellable_connect (cancellable,
        G_CALLBACK (on_connect_cancelled), watch, g_free);
  }
  gst_opentok_client_session_info_request (self);
  return G_SOURCE_REMOVE;
}

static void
client_clear_source (GSource ** source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = NULL;
  }
}

void
gst_opentok_client_transport_connect_done (GstOpenTokClient * self)
{
  client_clear_source (&self->connect_deadline);
  /* waits for a "cancelled" handler running on another thread, which only
   * queues work */
  if (self->connect_cancellable != NULL) {
    g_cancellable_disconnect (self->connect_cancellable,
        self->connect_cancel_id);
    self->connect_cancel_id = 0;
    g_clear_object (&self->connect_cancellable);
  }
}

/* ------------------------------------------------------------------------ */
/* The end                                                                  */

static void
client_stop_timers (GstOpenTokClient * self)
{
  client_clear_source (&self->tick);
  client_clear_source (&self->retry);
  gst_opentok_client_transport_connect_done (self);
}

static void
client_drop_socket (GstOpenTokClient * self, gushort code, const gchar * why)
{
  SoupWebsocketConnection *ws = self->ws;

  if (ws == NULL)
    return;
  self->ws = NULL;
  g_signal_handlers_disconnect_by_data (ws, self);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, code, why);
  g_object_unref (ws);
}

/* The session is over for this client: tell everyone waiting. */
void
gst_opentok_client_end (GstOpenTokClient * self, const gchar * reason,
    GError * error)
{
  GTask *task = self->connect_task;

  GST_INFO_OBJECT (self, "out of the session: %s%s%s", reason,
      error ? ": " : "", error ? error->message : "");
  self->connect_task = NULL;
  client_stop_timers (self);
  if (self->cancellable) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
  client_drop_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  self->joined = self->announced = self->first_frame_pending = FALSE;
  gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  gst_opentok_client_requests_fail (self, TRUE);
  GST_OBJECT_LOCK (self);
  g_hash_table_remove_all (self->connections);
  GST_OBJECT_UNLOCK (self);

  if (task != NULL) {
    /* a cancelled connect says so, whatever else ended it */
    if (!g_task_return_error_if_cancelled (task)) {
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
            GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
            "Disconnected before the session was joined");
    }
    g_object_unref (task);
  }
  g_signal_emit (self, gst_opentok_client_signals[SIGNAL_SESSION_DISCONNECTED],
      0, reason, error);
  if (error)
    g_error_free (error);
}

void
gst_opentok_client_fail (GstOpenTokClient * self, GstOpenTokClientError code,
    const gchar * format, ...)
{
  const gchar *reason = code == GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED ?
      "forceDisconnected" : "networkDisconnected";
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (GST_OPENTOK_CLIENT_ERROR, code, format, args);
  va_end (args);
  gst_opentok_client_end (self, reason, error);
}

/* ------------------------------------------------------------------------ */
/* Socket and reconnection                                                  */

static void
on_socket_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    GstOpenTokClient * self)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  self->last_received = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_BINARY) {
    GST_WARNING_OBJECT (self, "ignoring a text message from the server");
    return;
  }
  frame = gst_opentok_rumor_frame_parse (message,
      GST_OPENTOK_CLIENT_MAX_FRAME_SIZE, &error);
  if (frame == NULL) {
    GST_WARNING_OBJECT (self, "bad frame from the server: %s", error->message);
    g_error_free (error);
    return;
  }

  if (self->first_frame_pending) {
    /* the server answers on the new socket: we are back */
    self->first_frame_pending = FALSE;
    GST_INFO_OBJECT (self, "reconnected");
    gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTED);
    g_signal_emit (self,
        gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTED], 0);
  }

  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      gst_opentok_client_requests_handle_status (self, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      gst_opentok_client_session_handle_message (self, frame);
      break;
    default:
      break;
  }
  gst_opentok_rumor_frame_unref (frame);
}

static gboolean
on_retry (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_source_unref (self->retry);
  self->retry = NULL;
  gst_opentok_client_transport_open (self);
  return G_SOURCE_REMOVE;
}

static void
client_schedule_reconnect (GstOpenTokClient * self, guint delay_ms)
{
  if (self->retry != NULL)
    return;
  self->retry = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->retry, on_retry, self, NULL);
  g_source_attach (self->retry, self->context);
}

/* The socket is gone without us asking: reconnect when possible. */
static void
client_lost (GstOpenTokClient * self, const gchar * why)
{
  gushort code = self->ws ? soup_websocket_connection_get_close_code
      (self->ws) : 0;
  GstOpenTokClientState state = gst_opentok_client_get_state (self);
  gint64 now = g_get_monotonic_time ();

  GST_INFO_OBJECT (self, "socket lost: %s (close code %u)", why, code);
  client_drop_socket (self, CLOSE_NO_ACTIVITY_CODE, why);
  self->first_frame_pending = FALSE;

  switch (state) {
    case GST_OPENTOK_CLIENT_STATE_CONNECTING:
      gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
          "The messaging socket closed while joining: %s", why);
      return;
    case GST_OPENTOK_CLIENT_STATE_CONNECTED:
    case GST_OPENTOK_CLIENT_STATE_RECONNECTING:
      break;
    default:
      return;
  }
  /* 1003 and 1011 are the server's way of saying "do not come back" */
  if (self->socket_id == NULL || code == SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA
      || code == SOUP_WEBSOCKET_CLOSE_SERVER_ERROR) {
    gst_opentok_client_fail (self,
        GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
        "The connection to the session was lost: %s", why);
    return;
  }
  if (state == GST_OPENTOK_CLIENT_STATE_CONNECTED) {
    guint window;

    GST_OBJECT_LOCK (self);
    window = self->reconnect_window;
    GST_OBJECT_UNLOCK (self);
    if (window == 0) {
      gst_opentok_client_fail (self,
          GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
          "The connection to the session was lost: %s", why);
      return;
    }
    self->reconnect_deadline = now + G_TIME_SPAN_MILLISECOND * window;
    gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_RECONNECTING);
    g_signal_emit (self,
        gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTING], 0);
    gst_opentok_client_requests_fail (self, FALSE);
    gst_opentok_client_transport_open (self);
  } else if (now < self->reconnect_deadline) {
    client_schedule_reconnect (self, RECONNECT_RETRY_MS);
  } else {
    gst_opentok_client_fail (self,
        GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
        "Could not reconnect within the reconnection window");
  }
}

static void
on_socket_closed (SoupWebsocketConnection * ws, GstOpenTokClient * self)
{
  client_lost (self, "the server closed the socket");
}

static void
on_socket_error (SoupWebsocketConnection * ws, GError * error,
    GstOpenTokClient * self)
{
  GST_DEBUG_OBJECT (self, "socket error: %s", error->message);
}

/* First socket: CONNECT, SUBSCRIBE and the connection create. */
static void
client_join (GstOpenTokClient * self)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes;
  gchar *id = gst_opentok_uuid_new ();

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_CONNECT);
  gst_opentok_rumor_frame_set_header (frame, "uniqueId", self->connection_id);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", id);
  gst_opentok_rumor_frame_set_header (frame, "notifyDisconnectAddress",
      self->symphony);
  bytes = gst_opentok_frame_finish (frame, self);
  gst_opentok_client_transport_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);
  g_free (id);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE);
  gst_opentok_rumor_frame_add_address (frame, self->topic);
  bytes = gst_opentok_frame_finish (frame, self);
  gst_opentok_client_transport_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);

  gst_opentok_client_requests_create (self);
}

static gboolean
on_tick (gpointer user_data)
{
  GstOpenTokClient *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 liveness;

  GST_OBJECT_LOCK (self);
  liveness = (gint64) self->liveness_timeout * G_TIME_SPAN_MILLISECOND;
  GST_OBJECT_UNLOCK (self);

  if (gst_opentok_client_transport_is_open (self)) {
    if (now - self->last_received > liveness) {
      /* as opentok.js: this socket is being replaced, keep the connection */
      gst_opentok_client_transport_send_simple (self,
          GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect", "1");
      client_lost (self, "No activity");
      return G_SOURCE_CONTINUE;
    }
    /* at least twice per liveness-timeout, so that a quiet server is
     * heard from before the socket counts as lost */
    if (now - self->last_sent >= MIN (PING_INTERVAL_US, liveness / 2))
      gst_opentok_client_transport_send_simple (self,
          GST_OPENTOK_RUMOR_TYPE_PING, NULL, NULL);
  } else if (gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_RECONNECTING
      && now >= self->reconnect_deadline) {
    gst_opentok_client_fail (self,
        GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
        "Could not reconnect within the reconnection window");
    return G_SOURCE_CONTINUE;
  }
  gst_opentok_client_session_forget_seen (self, now);
  return G_SOURCE_CONTINUE;
}

static void
on_socket_open (GObject * source, GAsyncResult * result, gpointer user_data)
{
  GstOpenTokClient *self = user_data;
  SoupWebsocketConnection *ws;
  GError *error = NULL;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
      &error);
  if (ws == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (error);
      return;
    }
    GST_INFO_OBJECT (self, "could not open the socket: %s", error->message);
    if (gst_opentok_client_get_state (self) ==
        GST_OPENTOK_CLIENT_STATE_RECONNECTING) {
      if (g_get_monotonic_time () < self->reconnect_deadline)
        client_schedule_reconnect (self, RECONNECT_RETRY_MS);
      else
        gst_opentok_client_fail (self,
            GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
            "Could not reconnect within the reconnection window: %s",
            error->message);
    } else {
      gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
          "Could not open the messaging socket: %s", error->message);
    }
    g_error_free (error);
    return;
  }

  self->ws = ws;
  g_object_set (ws, "max-incoming-payload-size",
      (guint64) GST_OPENTOK_CLIENT_MAX_FRAME_SIZE, NULL);
  g_signal_connect (ws, "message", G_CALLBACK (on_socket_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_socket_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_socket_error), self);
  self->last_received = self->last_sent = g_get_monotonic_time ();
  if (self->tick == NULL) {
    self->tick = g_timeout_source_new (TICK_INTERVAL_MS);
    g_source_set_callback (self->tick, on_tick, self, NULL);
    g_source_attach (self->tick, self->context);
  }

  if (gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_RECONNECTING) {
    /* no CONNECT nor create again: the server rebinds by socketId; what
     * it has not answered goes again, with the same ids */
    self->first_frame_pending = TRUE;
    gst_opentok_client_requests_flush (self, TRUE);
  } else {
    client_join (self);
  }
}

/* Signals are small: send each at once rather than wait on Nagle. */
static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * connection, gpointer user_data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION
      (connection))
    return;
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

void
gst_opentok_client_transport_open (GstOpenTokClient * self)
{
  gboolean reconnecting =
      gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_RECONNECTING;
  SoupMessage *msg;
  gchar *url, *attempt;

  attempt = gst_opentok_uuid_new ();
  if (self->socket_id == NULL)
    url = g_strdup (self->messaging_url);
  else
    url = g_strdup_printf ("%s%csocketId=%s%s&attempt=%s",
        self->messaging_url, strchr (self->messaging_url, '?') ? '&' : '?',
        self->socket_id, reconnecting ? "&reconnect=true" : "", attempt);
  g_free (attempt);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  GST_DEBUG_OBJECT (self, "opening %s", url);
  g_free (url);
  if (msg == NULL) {
    gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session info gave an unusable messaging_url");
    return;
  }
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  soup_session_websocket_connect_async (self->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, self->cancellable, on_socket_open, self);
  g_object_unref (msg);
}

/* ------------------------------------------------------------------------ */
/* Leaving                                                                  */

gboolean
gst_opentok_client_transport_leave (gpointer data)
{
  GstOpenTokClientLeave *leave = data;
  GstOpenTokClient *self = leave->client;

  leave->closing = FALSE;
  if (gst_opentok_client_get_state (self) ==
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED)
    return G_SOURCE_REMOVE;
  gst_opentok_client_set_state (self, GST_OPENTOK_CLIENT_STATE_DISCONNECTING);
  /* opentok.js: DISCONNECT, then close 1000; the server tells the others */
  gst_opentok_client_transport_send_simple (self,
      GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect", "");
  if (gst_opentok_client_transport_is_open (self)) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
    leave->closing = TRUE;
  }
  return G_SOURCE_REMOVE;
}

gboolean
gst_opentok_client_transport_leave_done (gpointer data)
{
  GstOpenTokClient *self = data;

  if (gst_opentok_client_get_state (self) !=
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED)
    gst_opentok_client_end (self, "clientDisconnected", NULL);
  return G_SOURCE_REMOVE;
}

gboolean
gst_opentok_client_transport_poll_closed (gpointer data)
{
  GstOpenTokClient *self = data;
  gboolean closed = self->ws == NULL ||
      soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_CLOSED;

  if (!closed)
    return G_SOURCE_CONTINUE;
  g_mutex_lock (&self->lock);
  self->left = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

/* The network thread's first work, before any other runs. */
gboolean
gst_opentok_client_transport_start (gpointer user_data, GError ** error)
{
  GstOpenTokClient *self = user_data;
  GTlsDatabase *database;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  GST_OBJECT_LOCK (self);
  database = self->tls_database ? g_object_ref (self->tls_database) : NULL;
  GST_OBJECT_UNLOCK (self);
  self->soup = soup_session_new_with_options ("timeout", OPEN_TIMEOUT_S,
      "user-agent", "gst-opentok/" VERSION " ", NULL);
  if (database != NULL) {
    soup_session_set_tls_database (self->soup, database);
    g_object_unref (database);
  }
  return TRUE;
}

/* The network thread's last work, once what was queued before the stop has
 * run: the session ends here if nothing ended it before. */
void
gst_opentok_client_transport_stop (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  gst_opentok_client_transport_leave_done (self);
  client_stop_timers (self);
  client_drop_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  soup_session_abort (self->soup);
  g_clear_object (&self->soup);
}
