/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstopentokserver
 * @title: GstOpenTokServer
 * @short_description: an embedded OpenTok-compatible signaling server
 *
 * #GstOpenTokServer speaks the client protocol of OpenTok (the session-info
 * endpoint, the Rumor WebSocket and Raptor messages) and the signaling part
 * of the OpenTok REST API, so that the real opentok.js, the official server
 * SDKs and `signalbin` meet in one session without a cloud account.
 *
 * The server runs on a thread of its own with its own #GMainContext; every
 * network callback, and the router that fans messages out, run there. The
 * public functions may be called from any thread: they hand their work to
 * the server thread and wait for it.
 *
 * Endpoints, relative to gst_opentok_server_get_url():
 *
 * - `GET /session/{session-id}?extended=true`: session info, as opentok.js
 *   reads it (point `OTProperties.apiURL` at the server);
 * - `/rumorwebsocketsv2`: the Rumor WebSocket;
 * - `POST /session/create`, `POST /v2/project/{key}/session/{id}/signal`,
 *   `POST /v2/project/{key}/session/{id}/connection/{cid}/signal`,
 *   `DELETE /v2/project/{key}/session/{id}/connection/{cid}`: REST for the
 *   server SDKs (point the Node SDK's `apiUrl` at the server);
 * - `POST /logging/ClientEvent`, `POST /logging/ClientQos`: the client's
 *   analytics, accepted and dropped;
 * - `GET /healthz` and `GET /metrics` (Prometheus text format).
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentokserver.h"
#include "gstopentokserver-private.h"
#include "gstopentokloop.h"
#include "gstopentoksessions.h"
#include "gstopentokrumorendpoint.h"
#include "gstopentokserverhttp.h"
#include "gstopentokrumor.h"
#include "gstopentoksignal-private.h"
#include "gstopentokpayload.h"
#ifdef HAVE_HIREDIS
#include "gstopentokrediscluster.h"
#endif

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* How long a start waits for the cluster's Redis. */
#define CLUSTER_JOIN_TIMEOUT_MS 5000

enum
{
  SIGNAL_CONNECTION_CREATED,
  SIGNAL_CONNECTION_DESTROYED,
  SIGNAL_SIGNAL_RECEIVED,
  N_SIGNALS
};

static guint gst_opentok_server_signals[N_SIGNALS];


#define gst_opentok_server_parent_class parent_class
G_DEFINE_TYPE (GstOpenTokServer, gst_opentok_server, GST_TYPE_OBJECT);

static void gst_opentok_server_finalize (GObject * object);
static gboolean server_loop_started (gpointer user_data, GError ** error);
static void server_loop_stopping (gpointer user_data);
static void server_forget_run (GstOpenTokServer * self);

GstDebugCategory *
gst_opentok_server_debug_get_category (void)
{
  static GstDebugCategory *category = NULL;

  if (g_once_init_enter (&category)) {
    GstDebugCategory *cat = NULL;

    GST_DEBUG_CATEGORY_INIT (cat, "opentokserver", 0,
        "OpenTok embedded server");
    g_once_init_leave (&category, cat);
  }
  return category;
}

static void
gst_opentok_server_class_init (GstOpenTokServerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = gst_opentok_server_finalize;
  /* the properties and their checks: gstopentokserverproperties.c */
  gst_opentok_server_install_properties (gobject_class);

  /**
   * GstOpenTokServer::connection-created:
   * @server: the #GstOpenTokServer
   * @session_id: the session the connection joined
   * @connection: the #GstOpenTokConnection that joined
   *
   * A client joined a session. Emitted from the server thread, with no lock
   * held: handlers must not block.
   *
   * Since: 0.1
   */
  gst_opentok_server_signals[SIGNAL_CONNECTION_CREATED] =
      g_signal_new ("connection-created", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
      GST_TYPE_OPENTOK_CONNECTION);

  /**
   * GstOpenTokServer::connection-destroyed:
   * @server: the #GstOpenTokServer
   * @session_id: the session the connection left
   * @connection: the #GstOpenTokConnection that left
   * @reason: "clientDisconnected", "networkDisconnected" or
   *     "forceDisconnected", as the other members are told
   *
   * A connection left a session. Emitted from the server thread, with no
   * lock held: handlers must not block.
   *
   * Since: 0.1
   */
  gst_opentok_server_signals[SIGNAL_CONNECTION_DESTROYED] =
      g_signal_new ("connection-destroyed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
      GST_TYPE_OPENTOK_CONNECTION, G_TYPE_STRING);

  /**
   * GstOpenTokServer::signal-received:
   * @server: the #GstOpenTokServer
   * @session_id: the session the signal went to
   * @signal: the #GstOpenTokSignal: its type, data, `from` (%NULL for one
   *     the server sent, through the REST API or
   *     gst_opentok_server_send_signal()) and `to` (%NULL for the whole
   *     session)
   *
   * The server accepted a signal and relayed it, so that a test can see
   * what an application sent without joining a peer. The detail is the
   * signal type. Emitted from the server thread, with no lock held:
   * handlers must not block.
   *
   * Since: 0.1
   */
  gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED] =
      g_signal_new ("signal-received", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL, G_TYPE_NONE,
      2, G_TYPE_STRING, GST_TYPE_OPENTOK_SIGNAL);
}

/* The server's GObject signals about members; built only when someone
 * listens. Called on the server thread. */
static void
emit_connection (GstOpenTokServer * self, guint signal_id,
    GstOpenTokSession * session, GstOpenTokMember * member,
    const gchar * reason)
{
  GstOpenTokConnection *connection;

  if (!g_signal_has_handler_pending (self, gst_opentok_server_signals
          [signal_id], 0, FALSE))
    return;
  connection = gst_opentok_connection_new (member->id, member->data,
      member->creation_time);
  if (reason != NULL)
    g_signal_emit (self, gst_opentok_server_signals[signal_id], 0,
        session->id, connection, reason);
  else
    g_signal_emit (self, gst_opentok_server_signals[signal_id], 0,
        session->id, connection);
  gst_opentok_connection_unref (connection);
}

static void
server_on_joined (GstOpenTokSession * session, GstOpenTokMember * member,
    gpointer user_data)
{
  emit_connection (user_data, SIGNAL_CONNECTION_CREATED, session, member, NULL);
}

static void
server_on_left (GstOpenTokSession * session, GstOpenTokMember * member,
    const gchar * reason, gpointer user_data)
{
  emit_connection (user_data, SIGNAL_CONNECTION_DESTROYED, session, member,
      reason);
}

static void
server_on_relayed (GstOpenTokSession * session, const gchar * from,
    const gchar * to, const gchar * type, const gchar * data,
    gpointer user_data)
{
  GstOpenTokServer *self = user_data;
  GstOpenTokSignal *signal;
  GQuark detail;

  /* never intern network input: the quark exists when someone listens.
   * GLib 2.74 matches only the handlers of @detail when it is not 0, so
   * those connected without a detail are asked for apart. */
  detail = (type != NULL && *type != '\0') ? g_quark_try_string (type) : 0;
  if (!g_signal_has_handler_pending (self,
          gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED], 0, FALSE)
      && (detail == 0 || !g_signal_has_handler_pending (self,
              gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED], detail,
              FALSE)))
    return;
  signal = gst_opentok_signal_new_received (type, data,
      *from != '\0' ? from : NULL, FALSE);
  if (to != NULL)
    gst_opentok_signal_set_to (signal, to);
  g_signal_emit (self, gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED],
      detail, session->id, signal);
  gst_opentok_signal_unref (signal);
}

static const GstOpenTokSessionsEvents server_events = {
  server_on_joined, server_on_left, server_on_relayed
};

static void
gst_opentok_server_init (GstOpenTokServer * self)
{
  gst_opentok_server_init_properties (self);

  self->loop = gst_opentok_loop_new ("opentok-server", server_loop_started,
      server_loop_stopping, self);
  g_mutex_init (&self->idle_lock);
  g_mutex_init (&self->lock);

  gst_opentok_server_metrics_init (&self->metrics);
  self->sessions = gst_opentok_sessions_new (&server_events, self,
      &self->metrics);
}

static void
gst_opentok_server_finalize (GObject * object)
{
  GstOpenTokServer *self = GST_OPENTOK_SERVER (object);

  gst_opentok_server_stop (self);

  gst_opentok_sessions_free (self->sessions);
  gst_opentok_server_metrics_clear (&self->metrics);
  gst_opentok_loop_free (self->loop);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->idle_lock);
  g_mutex_clear (&self->lock);
  g_clear_object (&self->tls_certificate);
  g_free (self->host);
  g_free (self->public_url);
  g_free (self->redis_url);
  g_free (self->api_key);
  if (self->api_secret)
    memset (self->api_secret, 0, strlen (self->api_secret));
  g_free (self->api_secret);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}


/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

/* Ends every socket and connection without telling anyone: the server is
 * going away, the clients see their sockets close. */
static void
server_teardown (GstOpenTokServer * self)
{
  /* what waits for the cluster is answered while its askers are there */
  gst_opentok_sessions_stop_cluster (self->sessions);
  g_clear_pointer (&self->http, gst_opentok_server_http_free);
  g_clear_pointer (&self->endpoint, gst_opentok_rumor_endpoint_free);
  gst_opentok_sessions_clear (self->sessions);
  while (g_main_context_iteration (self->context, FALSE));
}

/* With a redis-url, the node joins its cluster before it listens: a Redis
 * that cannot be reached, or is not one, fails the start. */
static gboolean
server_join_cluster (GstOpenTokServer * self, const gchar * url,
    GError ** error)
{
#ifdef HAVE_HIREDIS
  GstOpenTokRedisAddress *address;
  GstOpenTokCluster *cluster;
  gint64 deadline;

  address = gst_opentok_redis_address_parse (url, error);
  if (address == NULL)
    return FALSE;
  if (!gst_opentok_redis_probe (address, CLUSTER_JOIN_TIMEOUT_MS, error)) {
    gst_opentok_redis_address_free (address);
    return FALSE;
  }
  cluster = gst_opentok_redis_cluster_new (address, &self->cfg,
      self->context, self->sessions, &self->metrics);
  gst_opentok_redis_address_free (address);
  gst_opentok_sessions_set_cluster (self->sessions, cluster);
  deadline = g_get_monotonic_time () + CLUSTER_JOIN_TIMEOUT_MS * 1000;
  while (!gst_opentok_redis_cluster_is_connected (cluster) &&
      g_get_monotonic_time () < deadline)
    g_main_context_iteration (self->context, TRUE);
  if (!gst_opentok_redis_cluster_is_connected (cluster)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "Redis at %s did not take this node within %u ms", url,
        CLUSTER_JOIN_TIMEOUT_MS);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "sharing sessions through %s", url);
  return TRUE;
#else
  return gst_opentok_server_check_redis_url (url, error);
#endif
}

/* The server thread's first work: listen. */
static gboolean
server_loop_started (gpointer user_data, GError ** error)
{
  GstOpenTokServer *self = user_data;
  GTlsCertificate *certificate;
  gchar *host, *redis_url;
  guint port;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  GST_OBJECT_LOCK (self);
  host = g_strdup (self->host);
  port = self->port;
  certificate = self->tls_certificate ? g_object_ref (self->tls_certificate) :
      NULL;
  redis_url = g_strdup (self->redis_url);
  GST_OBJECT_UNLOCK (self);

  gst_opentok_sessions_start (self->sessions, &self->cfg, self->context);
  if (redis_url != NULL && !server_join_cluster (self, redis_url, error)) {
    g_free (redis_url);
    g_free (host);
    g_clear_object (&certificate);
    server_teardown (self);
    return FALSE;
  }
  g_free (redis_url);
  self->endpoint = gst_opentok_rumor_endpoint_new (self->context, &self->cfg,
      self->sessions, &self->metrics);
  self->http = gst_opentok_server_http_new (certificate, &self->cfg,
      self->sessions, self->endpoint, &self->metrics);
  g_clear_object (&certificate);
  port = gst_opentok_server_http_listen (self->http, host, port, error);
  g_free (host);
  if (port == 0) {
    server_teardown (self);
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  self->bound_port = port;
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "listening on port %u", port);
  return TRUE;
}

static void
server_loop_stopping (gpointer user_data)
{
  server_teardown (user_data);
}

static void
server_clear_config (GstOpenTokServer * self)
{
  g_clear_pointer (&self->cfg.api_key, g_free);
  if (self->cfg.api_secret)
    memset (self->cfg.api_secret, 0, strlen (self->cfg.api_secret));
  g_clear_pointer (&self->cfg.api_secret, g_free);
  g_clear_pointer (&self->cfg.public_url, g_free);
}

/**
 * gst_opentok_server_new:
 * @api_key: the API key (project id) to serve
 * @api_secret: the API secret that signs its tokens
 *
 * Makes a server for one API key. Set its other properties, then call
 * gst_opentok_server_start().
 *
 * Returns: (transfer full): a new #GstOpenTokServer
 *
 * Since: 0.1
 */
GstOpenTokServer *
gst_opentok_server_new (const gchar * api_key, const gchar * api_secret)
{
  return g_object_new (GST_TYPE_OPENTOK_SERVER, "api-key", api_key,
      "api-secret", api_secret, NULL);
}

/**
 * gst_opentok_server_start:
 * @server: a #GstOpenTokServer
 * @error: return location for a #GError, or %NULL
 *
 * Starts the server thread and listens. Returns once the server accepts
 * connections, or has failed to listen. Properties are read now: changing
 * them later has no effect until the next start. Sessions created before
 * the start are kept.
 *
 * Returns: %TRUE when the server is listening
 *
 * Since: 0.1
 */
gboolean
gst_opentok_server_start (GstOpenTokServer * server, GError ** error)
{
  GError *start_error = NULL;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), FALSE);

  g_mutex_lock (&server->idle_lock);
  if (gst_opentok_loop_is_running (server->loop)) {
    g_mutex_unlock (&server->idle_lock);
    return TRUE;
  }

  GST_OBJECT_LOCK (server);
  if (server->api_key == NULL || *server->api_key == '\0' ||
      server->api_secret == NULL || *server->api_secret == '\0') {
    GST_OBJECT_UNLOCK (server);
    g_mutex_unlock (&server->idle_lock);
    g_set_error_literal (error, GST_RESOURCE_ERROR,
        GST_RESOURCE_ERROR_SETTINGS, "The server needs an API key and secret");
    return FALSE;
  }
  server_clear_config (server);
  server->cfg.api_key = g_strdup (server->api_key);
  server->cfg.api_secret = g_strdup (server->api_secret);
  server->cfg.public_url = g_strdup (server->public_url);
  server->cfg.max_frame_size = server->max_frame_size;
  server->cfg.signal_rate = server->signal_rate;
  server->cfg.signal_burst = server->signal_burst;
  server->cfg.liveness_timeout =
      (gint64) server->liveness_timeout * G_TIME_SPAN_MILLISECOND;
  server->cfg.reconnect_window = server->reconnect_window;
  server->cfg.max_pending_messages = server->max_pending_messages;
  server->cfg.max_pending_bytes = server->max_pending_bytes;
  server->cfg.max_connections = server->max_connections;
  server->cfg.io_threads = server->io_threads;
  server->cfg.cluster_lease = server->cluster_lease;
  server->cfg.history = server->history;
  server->cfg.history_ttl = server->history_ttl;
  GST_OBJECT_UNLOCK (server);

  if (!gst_opentok_loop_start (server->loop, &start_error)) {
    GST_WARNING_OBJECT (server, "could not listen: %s", start_error->message);
    g_propagate_error (error, start_error);
    server_forget_run (server);
    g_mutex_unlock (&server->idle_lock);
    return FALSE;
  }
  g_mutex_unlock (&server->idle_lock);
  return TRUE;
}

/* What a run leaves behind once its thread has ended. Called with
 * idle_lock held. */
static void
server_forget_run (GstOpenTokServer * self)
{
  g_mutex_lock (&self->lock);
  self->bound_port = 0;
  g_mutex_unlock (&self->lock);
  server_clear_config (self);
}

/**
 * gst_opentok_server_stop:
 * @server: a #GstOpenTokServer
 *
 * Closes every socket (code 1001), stops listening and ends the server
 * thread. Sessions and connections are forgotten. Does nothing when the
 * server is not running. Must not be called from a server callback.
 *
 * Since: 0.1
 */
void
gst_opentok_server_stop (GstOpenTokServer * server)
{
  g_return_if_fail (GST_IS_OPENTOK_SERVER (server));
  g_return_if_fail (!gst_opentok_loop_is_current (server->loop));

  g_mutex_lock (&server->idle_lock);
  gst_opentok_loop_stop (server->loop);
  server_forget_run (server);
  g_mutex_unlock (&server->idle_lock);
}

/**
 * gst_opentok_server_get_port:
 * @server: a #GstOpenTokServer
 *
 * The port the server listens on, useful when it was started with port 0.
 *
 * Returns: the port the running server listens on, or 0 when it is not
 *     running
 *
 * Since: 0.1
 */
guint
gst_opentok_server_get_port (GstOpenTokServer * server)
{
  guint port;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), 0);

  g_mutex_lock (&server->lock);
  port = server->bound_port;
  g_mutex_unlock (&server->lock);
  return port;
}

/**
 * gst_opentok_server_get_url:
 * @server: a #GstOpenTokServer
 *
 * The base URL of the running server, such as `http://127.0.0.1:3000`
 * (`https://` with a #GstOpenTokServer:tls-certificate): what
 * opentok.js takes as `OTProperties.apiURL`, the Node SDK as `apiUrl` and
 * `signalbin` as `api-url`. A server listening on every interface is named
 * by its loopback address.
 *
 * Returns: (transfer full) (nullable): the URL, or %NULL when the server is
 *     not running
 *
 * Since: 0.1
 */
gchar *
gst_opentok_server_get_url (GstOpenTokServer * server)
{
  const gchar *host, *scheme;
  gchar *url = NULL;
  guint port;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), NULL);

  port = gst_opentok_server_get_port (server);
  if (port == 0)
    return NULL;
  GST_OBJECT_LOCK (server);
  host = server->host;
  if (g_strcmp0 (host, "0.0.0.0") == 0)
    host = "127.0.0.1";
  else if (g_strcmp0 (host, "::") == 0)
    host = "::1";
  scheme = server->tls_certificate ? "https" : "http";
  if (strchr (host, ':') != NULL)
    url = g_strdup_printf ("%s://[%s]:%u", scheme, host, port);
  else
    url = g_strdup_printf ("%s://%s:%u", scheme, host, port);
  GST_OBJECT_UNLOCK (server);
  return url;
}
