/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The public calls of GstOpenTokServer that work on its sessions, from any
 * thread: they run on the server thread, or on the caller's when no server
 * thread runs. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentokserver.h"
#include "gstopentokserver-private.h"
#include "gstopentoksessions.h"
#include "gstopentokerror.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* Runs @func on the server thread and waits for it; when no server thread
 * runs, runs it here, once no start or stop is under way (nothing else
 * touches the tables then). */
static void
server_invoke_sync (GstOpenTokServer * self, GSourceFunc func, gpointer data)
{
  if (gst_opentok_loop_invoke_sync (self->loop, func, data))
    return;
  g_mutex_lock (&self->idle_lock);
  if (!gst_opentok_loop_invoke_sync (self->loop, func, data))
    func (data);
  g_mutex_unlock (&self->idle_lock);
}

/* A public call: its work starts on the server thread, and the caller
 * waits until the sessions' cluster says it is done, which may be later
 * than the work's return. */
typedef struct
{
  GstOpenTokServer *server;
  const gchar *api_key;
  const gchar *session_id;
  const gchar *connection_id;
  const GstOpenTokSignal *signal;

  GMutex lock;
  GCond cond;
  gboolean done;                /* under lock, with the outcome */
  gchar *result;
  GError *error;
} ServerCall;

static void
server_call_init (ServerCall * call, GstOpenTokServer * server)
{
  memset (call, 0, sizeof (*call));
  call->server = server;
  g_mutex_init (&call->lock);
  g_cond_init (&call->cond);
}

/* Runs @func, then waits for server_call_done(). */
static void
server_call_run (ServerCall * call, GSourceFunc func)
{
  server_invoke_sync (call->server, func, call);
  g_mutex_lock (&call->lock);
  while (!call->done)
    g_cond_wait (&call->cond, &call->lock);
  g_mutex_unlock (&call->lock);
  g_mutex_clear (&call->lock);
  g_cond_clear (&call->cond);
}

/* The last touch of @call: its caller may return as soon as the lock is
 * dropped. */
static void
server_call_done (const GError * error, gpointer user_data)
{
  ServerCall *call = user_data;

  g_mutex_lock (&call->lock);
  if (error != NULL)
    call->error = g_error_copy (error);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
}

static void
session_added (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  ServerCall *call = user_data;

  if (session != NULL)
    call->result = g_strdup (session->id);
  server_call_done (error, call);
}

static gboolean
create_session_func (gpointer data)
{
  ServerCall *call = data;

  gst_opentok_sessions_add (call->server->sessions, call->api_key,
      session_added, call);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_server_create_session:
 * @server: a #GstOpenTokServer
 *
 * Creates a session, as `POST /session/create` does. Works before the
 * server is started too.
 *
 * Returns: (transfer full) (nullable): the new session id, or %NULL when
 *     the session could not be stored (the cluster is unreachable)
 *
 * Since: 0.1
 */
gchar *
gst_opentok_server_create_session (GstOpenTokServer * server)
{
  ServerCall call;
  gchar *api_key;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), NULL);

  GST_OBJECT_LOCK (server);
  api_key = g_strdup (server->api_key);
  GST_OBJECT_UNLOCK (server);
  g_return_val_if_fail (api_key != NULL, NULL);

  server_call_init (&call, server);
  call.api_key = api_key;
  server_call_run (&call, create_session_func);
  g_free (api_key);
  if (call.error) {
    GST_WARNING_OBJECT (server, "no session: %s", call.error->message);
    g_error_free (call.error);
  }
  return call.result;
}

/**
 * gst_opentok_server_generate_token:
 * @server: a #GstOpenTokServer
 * @session_id: the session the token admits to
 * @role: the role it grants
 * @connection_data: (nullable): data the other clients see for the
 *     connection (at most 1024 characters)
 * @error: return location for a #GError, or %NULL
 *
 * Mints a client token (a JWT, as the server SDKs do by default) valid for
 * a day, signed with the server's secret.
 *
 * Returns: (transfer full) (nullable): the token, or %NULL on error
 *
 * Since: 0.1
 */
gchar *
gst_opentok_server_generate_token (GstOpenTokServer * server,
    const gchar * session_id, GstOpenTokRole role,
    const gchar * connection_data, GError ** error)
{
  gchar *api_key, *api_secret, *token;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  GST_OBJECT_LOCK (server);
  api_key = g_strdup (server->api_key);
  api_secret = g_strdup (server->api_secret);
  GST_OBJECT_UNLOCK (server);

  token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, api_key,
      api_secret, session_id, role, 0, connection_data, error);
  g_free (api_key);
  if (api_secret)
    memset (api_secret, 0, strlen (api_secret));
  g_free (api_secret);
  return token;
}

static void
send_signal_found (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  ServerCall *call = user_data;
  const GstOpenTokSignal *signal = call->signal;
  const gchar *type = gst_opentok_signal_get_signal_type (signal);
  const gchar *payload = gst_opentok_signal_get_data (signal);
  const gchar *to = gst_opentok_signal_get_to (signal);
  GError *refusal = NULL;

  if (error != NULL) {
    server_call_done (error, call);
    return;
  }
  if (session == NULL) {
    refusal = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");
  } else if (gst_opentok_session_check_signal (session, type, payload, to,
          &refusal)) {
    gst_opentok_session_relay_signal (session, "", NULL, to, type, payload,
        NULL, server_call_done, call);
    return;
  }
  server_call_done (refusal, call);
  g_error_free (refusal);
}

static gboolean
send_signal_func (gpointer data)
{
  ServerCall *call = data;

  gst_opentok_sessions_find (call->server->sessions, call->session_id,
      send_signal_found, call);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_server_send_signal:
 * @server: a #GstOpenTokServer
 * @session_id: the session to signal
 * @signal: the signal; its `to` names one connection, or is %NULL for the
 *     whole session
 * @error: return location for a #GError, or %NULL
 *
 * Sends a signal from the server itself, as the REST API does: clients see
 * it with no sender (`from` null in opentok.js).
 *
 * Returns: %TRUE when the signal was relayed; otherwise @error holds a
 *     #GST_OPENTOK_SIGNAL_ERROR (400, 404 or 413)
 *
 * Since: 0.1
 */
gboolean
gst_opentok_server_send_signal (GstOpenTokServer * server,
    const gchar * session_id, const GstOpenTokSignal * signal, GError ** error)
{
  ServerCall call;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (signal != NULL, FALSE);

  server_call_init (&call, server);
  call.session_id = session_id;
  call.signal = signal;
  server_call_run (&call, send_signal_func);
  if (call.error) {
    g_propagate_error (error, call.error);
    return FALSE;
  }
  return TRUE;
}

static void
force_disconnect_found (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  ServerCall *call = user_data;
  GError *refusal;

  if (session != NULL) {
    gst_opentok_session_force_disconnect (session, call->connection_id, NULL,
        server_call_done, call);
    return;
  }
  if (error != NULL) {
    server_call_done (error, call);
    return;
  }
  refusal = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");
  server_call_done (refusal, call);
  g_error_free (refusal);
}

static gboolean
force_disconnect_func (gpointer data)
{
  ServerCall *call = data;

  gst_opentok_sessions_find (call->server->sessions, call->session_id,
      force_disconnect_found, call);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_server_force_disconnect:
 * @server: a #GstOpenTokServer
 * @session_id: the session
 * @connection_id: the connection to end
 * @error: return location for a #GError, or %NULL
 *
 * Forces a connection out of its session, as the REST `DELETE` does: every
 * member, the victim included, is told with the reason forceDisconnected.
 *
 * Returns: %TRUE when the connection was there; otherwise @error holds
 *     #GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND
 *
 * Since: 0.1
 */
gboolean
gst_opentok_server_force_disconnect (GstOpenTokServer * server,
    const gchar * session_id, const gchar * connection_id, GError ** error)
{
  ServerCall call;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (connection_id != NULL, FALSE);

  server_call_init (&call, server);
  call.session_id = session_id;
  call.connection_id = connection_id;
  server_call_run (&call, force_disconnect_func);
  if (call.error) {
    g_propagate_error (error, call.error);
    return FALSE;
  }
  return TRUE;
}
