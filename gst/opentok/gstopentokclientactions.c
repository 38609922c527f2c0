/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What applications ask GstOpenTokClient to do: join the session
 * (gst_opentok_client_connect(), _connect_async()), leave it
 * (gst_opentok_client_disconnect()), send a signal
 * (_send_signal_full(), _async()) and force another connection out
 * (_force_disconnect_full(), _async()). Any thread: the work goes to the
 * network thread, the join to gstopentokclienttransport.c, signals and
 * force disconnects to the queue of gstopentokclientrequests.c; a
 * disconnect waits, bounded, for the socket to close. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokclient-private.h"

#define DISCONNECT_TIMEOUT_US (G_USEC_PER_SEC)

/* ------------------------------------------------------------------------ */
/* Joining and leaving                                                      */

/* A connect with no caller to answer: its task is made on the network
 * thread, so that nothing is left queued on the caller's context. */
typedef struct
{
  GstOpenTokClient *client;
  GCancellable *cancellable;
} ConnectStart;

static void
connect_start_free (gpointer data)
{
  ConnectStart *start = data;

  g_clear_object (&start->cancellable);
  gst_object_unref (start->client);
  g_free (start);
}

static gboolean
client_connect_on_thread (gpointer data)
{
  ConnectStart *start = data;
  GTask *task = g_task_new (start->client, start->cancellable, NULL, NULL);

  g_task_set_source_tag (task, gst_opentok_client_connect);
  g_task_set_check_cancellable (task, FALSE);
  gst_opentok_client_transport_connect (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Hands the join to the network thread, which completes @task (taken), or
 * makes a task of its own when @task is NULL. When it cannot even begin,
 * @task fails here and FALSE comes back with @error set. */
static gboolean
client_start_connect (GstOpenTokClient * client, GCancellable * cancellable,
    GTask * task, GError ** error)
{
  GError *failure = NULL, *start_error = NULL;
  gchar *missing = NULL;
  ConnectStart *start;

  /* the outcome is what the client did: a cancel that comes once it has
   * joined leaves it connected, and the connect succeeded */
  if (task != NULL)
    g_task_set_check_cancellable (task, FALSE);
  if (g_cancellable_set_error_if_cancelled (cancellable, &failure))
    goto failed;
  GST_OBJECT_LOCK (client);
  if (client->api_key == NULL || *client->api_key == '\0')
    missing = "api-key";
  else if (client->session_id == NULL || *client->session_id == '\0')
    missing = "session-id";
  else if (client->token == NULL || *client->token == '\0')
    missing = "token";
  GST_OBJECT_UNLOCK (client);
  if (missing != NULL) {
    failure = g_error_new (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED, "The %s is not set", missing);
    goto failed;
  }

  /* from one of the client's own callbacks the thread runs already, or is
   * ending (a disconnect from a callback) */
  if (!gst_opentok_loop_is_current (client->loop)
      && !gst_opentok_loop_start (client->loop, &start_error)) {
    failure = g_error_new (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The network thread did not start: %s", start_error->message);
    g_error_free (start_error);
    goto failed;
  }
  if (task != NULL) {
    if (gst_opentok_loop_invoke (client->loop,
            gst_opentok_client_transport_connect, task, g_object_unref))
      return TRUE;
  } else {
    start = g_new0 (ConnectStart, 1);
    start->client = gst_object_ref (client);
    start->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
    if (gst_opentok_loop_invoke (client->loop, client_connect_on_thread,
            start, connect_start_free))
      return TRUE;
    connect_start_free (start);
  }
  failure = g_error_new_literal (GST_OPENTOK_CLIENT_ERROR,
      GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED, "The client is shutting down");

failed:
  if (task != NULL) {
    g_task_return_error (task, g_error_copy (failure));
    g_object_unref (task);
  }
  g_propagate_error (error, failure);
  return FALSE;
}

/**
 * gst_opentok_client_connect:
 * @client: a #GstOpenTokClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Starts joining the session and returns at once; the outcome comes as
 * #GstOpenTokClient::session-connected, or as
 * #GstOpenTokClient::session-disconnected with the error, both from the
 * network thread. @cancellable works as in
 * gst_opentok_client_connect_async(). For callers with no main loop of
 * their own: nothing is dispatched to the caller's context.
 *
 * Returns: %TRUE when the join began; %FALSE with @error (a
 *     #GST_OPENTOK_CLIENT_ERROR, or %G_IO_ERROR_CANCELLED) when it could
 *     not, and no signal follows
 *
 * Since: 0.1
 */
gboolean
gst_opentok_client_connect (GstOpenTokClient * client,
    GCancellable * cancellable, GError ** error)
{
  g_return_val_if_fail (GST_IS_OPENTOK_CLIENT (client), FALSE);

  return client_start_connect (client, cancellable, NULL, error);
}

/**
 * gst_opentok_client_connect_async:
 * @client: a #GstOpenTokClient
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (nullable) (scope async): called once joined or failed, on the
 *     thread-default main context of the calling thread; may be %NULL when
 *     the #GstOpenTokClient::session-connected and
 *     #GstOpenTokClient::session-disconnected signals are enough
 * @user_data: data for @callback
 *
 * Joins the session: session info, socket, token check, session state.
 *
 * Cancelling @cancellable before the session is joined, at any step, fails
 * the connect with %G_IO_ERROR_CANCELLED and leaves the client
 * disconnected: what it opened is closed, a server that was asked to join
 * already is told the client left (as by gst_opentok_client_disconnect()),
 * and #GstOpenTokClient::session-disconnected says "clientDisconnected".
 * As after any connect that failed, the network thread then waits for the
 * next connect, and ends with gst_opentok_client_disconnect() or the last
 * unref. A connect cancelled before it began does nothing at all; one
 * cancelled once the session is joined has succeeded, and stays so.
 *
 * Since: 0.1
 */
void
gst_opentok_client_connect_async (GstOpenTokClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_opentok_client_connect_async);
  client_start_connect (client, cancellable, task, NULL);
}

/**
 * gst_opentok_client_connect_finish:
 * @client: a #GstOpenTokClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes gst_opentok_client_connect_async().
 *
 * Returns: %TRUE when the session was joined; else @error holds a
 *     #GST_OPENTOK_CLIENT_ERROR
 *
 * Since: 0.1
 */
gboolean
gst_opentok_client_connect_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gst_opentok_client_disconnect:
 * @client: a #GstOpenTokClient
 *
 * Leaves the session as opentok.js does (the others see the connection
 * destroyed with the reason clientDisconnected), fails the signals still
 * waiting with 500 "Not connected" and stops the network thread. Waits at
 * most a second for the server to acknowledge the close, and not at all
 * when the socket is not open yet. Does nothing when the client is not
 * connected.
 *
 * From one of the client's own signal handlers or callbacks (on the network
 * thread), it leaves at once without waiting: the session ends before it
 * returns, and the thread ends when the handler returns.
 *
 * Since: 0.1
 */
void
gst_opentok_client_disconnect (GstOpenTokClient * client)
{
  GstOpenTokClientLeave leave = { client, FALSE };
  GSource *poll;
  gint64 deadline;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  if (gst_opentok_loop_is_current (client->loop)) {
    gst_opentok_client_transport_leave (&leave);
    gst_opentok_client_transport_leave_done (client);
    gst_opentok_loop_stop (client->loop);
    return;
  }

  if (gst_opentok_loop_invoke_sync (client->loop,
          gst_opentok_client_transport_leave, &leave)
      && leave.closing) {
    /* poll the close from the network thread, bounded */
    poll = g_timeout_source_new (5);
    g_source_set_callback (poll, gst_opentok_client_transport_poll_closed,
        client, NULL);
    g_mutex_lock (&client->lock);
    client->left = FALSE;
    g_mutex_unlock (&client->lock);
    if (gst_opentok_loop_attach (client->loop, poll)) {
      deadline = g_get_monotonic_time () + DISCONNECT_TIMEOUT_US;
      g_mutex_lock (&client->lock);
      while (!client->left &&
          g_cond_wait_until (&client->cond, &client->lock, deadline));
      g_mutex_unlock (&client->lock);
    }
    g_source_destroy (poll);
    g_source_unref (poll);
  }
  gst_opentok_loop_invoke_sync (client->loop,
      gst_opentok_client_transport_leave_done, client);
  gst_opentok_loop_stop (client->loop);
}

/* ------------------------------------------------------------------------ */
/* Requests: signals and force disconnects                                  */

/**
 * gst_opentok_client_send_signal_full:
 * @client: a #GstOpenTokClient
 * @signal: the signal: type, data, and `to` (a connection id) or none for
 *     the whole session; its retry-after-reconnect flag says whether it
 *     may wait while the client is (re)connecting
 * @callback: (nullable) (scope notified) (closure user_data): called once
 *     with the outcome
 * @user_data: data for @callback
 * @notify: (nullable) (destroy user_data): frees @user_data after
 *     @callback
 *
 * Sends a signal. @callback runs on the network thread (or at once on this
 * thread when the client has no network thread) with %NULL when the server
 * accepted it, else a #GST_OPENTOK_SIGNAL_ERROR with OpenTok's code: 400 or
 * 413 when it breaks OpenTok's limits (checked before anything is sent),
 * 403, 404 or 429 from the server, 500 "Not connected." when it could not
 * be sent. A signal sent while connecting or reconnecting waits when its
 * retry-after-reconnect flag is set, and fails at once with 500 otherwise.
 *
 * Since: 0.1
 */
void
gst_opentok_client_send_signal_full (GstOpenTokClient * client,
    GstOpenTokSignal * signal, GstOpenTokSignalCallback callback,
    gpointer user_data, GDestroyNotify notify)
{
  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));
  g_return_if_fail (signal != NULL);

  gst_opentok_client_requests_send_signal (client, signal, callback,
      user_data, notify);
}

static void
send_signal_task_done (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  GTask *task = user_data;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * gst_opentok_client_send_signal_async:
 * @client: a #GstOpenTokClient
 * @signal: the signal
 * @cancellable: (nullable): unused for now, may be %NULL
 * @callback: (scope async): called with the outcome on the thread-default
 *     main context of the calling thread
 * @user_data: data for @callback
 *
 * gst_opentok_client_send_signal_full() for GIO-style callers.
 *
 * Since: 0.1
 */
void
gst_opentok_client_send_signal_async (GstOpenTokClient * client,
    GstOpenTokSignal * signal, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));
  g_return_if_fail (signal != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_opentok_client_send_signal_async);
  gst_opentok_client_send_signal_full (client, signal, send_signal_task_done,
      task, g_object_unref);
}

/**
 * gst_opentok_client_send_signal_finish:
 * @client: a #GstOpenTokClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes gst_opentok_client_send_signal_async().
 *
 * Returns: %TRUE when the server accepted the signal; else @error holds a
 *     #GST_OPENTOK_SIGNAL_ERROR with OpenTok's code
 *
 * Since: 0.1
 */
gboolean
gst_opentok_client_send_signal_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gst_opentok_client_force_disconnect_full:
 * @client: a #GstOpenTokClient
 * @connection_id: the id of the connection to remove from the session
 * @callback: (nullable) (scope notified) (closure user_data): called once
 *     with the outcome
 * @user_data: data for @callback
 * @notify: (nullable) (destroy user_data): frees @user_data after
 *     @callback
 *
 * Removes another connection from the session, as
 * `session.forceDisconnect()` does in opentok.js: every member, the removed
 * connection included, sees it leave with the reason "forceDisconnected".
 * It takes a token with the moderator role. @callback runs on the network
 * thread (or at once on this thread when the client has no network thread)
 * with %NULL when the connection was removed, else a
 * #GST_OPENTOK_CLIENT_ERROR: 1520 when the token is not a moderator's, 1011
 * when the server refused (the connection is not in the session), 1010 when
 * not connected.
 *
 * Since: 0.1
 */
void
gst_opentok_client_force_disconnect_full (GstOpenTokClient * client,
    const gchar * connection_id, GstOpenTokClientCallback callback,
    gpointer user_data, GDestroyNotify notify)
{
  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  if (connection_id == NULL || *connection_id == '\0') {
    GError *error = g_error_new_literal (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER,
        "No connection id was given.");

    if (callback)
      callback (client, error, user_data);
    if (notify)
      notify (user_data);
    g_error_free (error);
    return;
  }
  gst_opentok_client_requests_force_disconnect (client, connection_id,
      callback, user_data, notify);
}

static void
force_disconnect_task_done (GstOpenTokClient * client, const GError * error,
    gpointer user_data)
{
  GTask *task = user_data;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * gst_opentok_client_force_disconnect_async:
 * @client: a #GstOpenTokClient
 * @connection_id: the id of the connection to remove from the session
 * @cancellable: (nullable): unused for now, may be %NULL
 * @callback: (scope async): called with the outcome, in the thread-default
 *     main context of the caller
 * @user_data: data for @callback
 *
 * gst_opentok_client_force_disconnect_full() for GIO-style callers.
 *
 * Since: 0.1
 */
void
gst_opentok_client_force_disconnect_async (GstOpenTokClient * client,
    const gchar * connection_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_opentok_client_force_disconnect_async);
  gst_opentok_client_force_disconnect_full (client, connection_id,
      force_disconnect_task_done, task, g_object_unref);
}

/**
 * gst_opentok_client_force_disconnect_finish:
 * @client: a #GstOpenTokClient
 * @result: the #GAsyncResult
 * @error: return location for a #GST_OPENTOK_CLIENT_ERROR: 1520 when the
 *     token is not a moderator's, 1011 when the server refused (the
 *     connection is not in the session), 1010 when not connected
 *
 * Finishes gst_opentok_client_force_disconnect_async().
 *
 * Returns: %TRUE when the connection was removed
 *
 * Since: 0.1
 */
gboolean
gst_opentok_client_force_disconnect_finish (GstOpenTokClient * client,
    GAsyncResult * result, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
