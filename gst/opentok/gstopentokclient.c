/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstopentokclient
 * @title: GstOpenTokClient
 * @short_description: one OpenTok client connection
 *
 * #GstOpenTokClient joins an OpenTok session the way opentok.js does: it
 * asks the session-info endpoint (over http or https) where to connect,
 * opens the Rumor WebSocket, joins with its token, keeps the registry of the
 * session's connections, and sends and receives signals. Every signal it
 * sends is acknowledged by the server, and its completion carries OpenTok's
 * code and message.
 *
 * When the socket is lost the client reconnects within
 * #GstOpenTokClient:reconnect-window: it re-sends, with the same transaction
 * ids, what the server had not answered, and drops what the server re-sends
 * twice. Signals whose retry-after-reconnect flag is off fail at once with
 * 500 "Not connected" instead of waiting, as in OpenTok's SDKs.
 *
 * The client runs on a thread of its own with its own #GMainContext, started
 * by the first connect and ended by gst_opentok_client_disconnect(). All its
 * GObject signals are emitted from that thread. Its functions may be called
 * from any thread, that one included: a disconnect from there leaves at
 * once, and a last unref there hands the thread's end to a short-lived
 * thread of its own.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentokclient-private.h"
#include "gstopentok-private.h"
#include "opentok-enumtypes.h"

GST_DEBUG_CATEGORY (gst_opentok_client_debug);

#define DEFAULT_API_URL "https://anvil.opentok.com"
#define DEFAULT_RECONNECT_WINDOW 30000
#define DEFAULT_LIVENESS_TIMEOUT 5900
/* opentok.js gives a WebSocket 15 s to open */
#define DEFAULT_CONNECT_TIMEOUT 15000

/* what the client calls itself to the server, as opentok.js says js-2.35.2 */
#define DEFAULT_CLIENT_VERSION "gst-" VERSION

enum
{
  PROP_0,
  PROP_API_URL,
  PROP_API_KEY,
  PROP_SESSION_ID,
  PROP_TOKEN,
  PROP_CONNECTION_ID,
  PROP_STATE,
  PROP_RECONNECT_WINDOW,
  PROP_LIVENESS_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_CLIENT_VERSION,
  PROP_TLS_DATABASE,
};

guint gst_opentok_client_signals[LAST_SIGNAL];

#define gst_opentok_client_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstOpenTokClient, gst_opentok_client,
    GST_TYPE_OBJECT, GST_DEBUG_CATEGORY_INIT (gst_opentok_client_debug,
        "opentokclient", 0, "OpenTok client connection"));

static void gst_opentok_client_dispose (GObject * object);
static void gst_opentok_client_finalize (GObject * object);
static void gst_opentok_client_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_opentok_client_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
gst_opentok_client_class_init (GstOpenTokClientClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_opentok_client_dispose;
  gobject_class->finalize = gst_opentok_client_finalize;
  gobject_class->set_property = gst_opentok_client_set_property;
  gobject_class->get_property = gst_opentok_client_get_property;

  /**
   * GstOpenTokClient:api-url:
   *
   * The base URL of the session-info endpoint: the OpenTok cloud's by
   * default, or an embedded server's (gst_opentok_server_get_url()).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_API_URL,
      g_param_spec_string ("api-url", "API URL",
          "Base URL of the session-info endpoint", DEFAULT_API_URL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:api-key:
   *
   * The API key (project id) of the session.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_API_KEY,
      g_param_spec_string ("api-key", "API key", "The OpenTok API key",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:session-id:
   *
   * The session to join.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SESSION_ID,
      g_param_spec_string ("session-id", "Session id", "The session to join",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:token:
   *
   * The client token that admits this connection to the session.
   * Write-only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TOKEN,
      g_param_spec_string ("token", "Token", "The client token (write-only)",
          NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:connection-id:
   *
   * This connection's id, chosen by the client (as opentok.js does) when it
   * is made.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CONNECTION_ID,
      g_param_spec_string ("connection-id", "Connection id",
          "This connection's id", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:state:
   *
   * Where the connection stands. Notified from the network thread.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_STATE,
      g_param_spec_enum ("state", "State", "Where the connection stands",
          GST_TYPE_OPENTOK_CLIENT_STATE, GST_OPENTOK_CLIENT_STATE_DISCONNECTED,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:reconnect-window:
   *
   * Milliseconds the client keeps trying to get a lost socket back before
   * it gives the session up; 0 disables reconnection.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_RECONNECT_WINDOW,
      g_param_spec_uint ("reconnect-window", "Reconnect window",
          "Milliseconds to try reconnecting (0 = never)", 0, G_MAXINT32,
          DEFAULT_RECONNECT_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:liveness-timeout:
   *
   * Milliseconds without hearing from the server after which the socket is
   * taken as lost. The client pings every 2 s, the server answers at once.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LIVENESS_TIMEOUT,
      g_param_spec_uint ("liveness-timeout", "Liveness timeout",
          "Milliseconds of server silence before the socket counts as lost",
          500, G_MAXINT32, DEFAULT_LIVENESS_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:connect-timeout:
   *
   * Milliseconds a connect may take, from asking for the session info to
   * joining the session, retries included; past it the connect fails with
   * %GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED (1006), so that a server that
   * accepts and never answers is not waited for.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint ("connect-timeout", "Connect timeout",
          "Milliseconds a connect may take before it fails with 1006",
          100, G_MAXINT32, DEFAULT_CONNECT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:client-version:
   *
   * What the client calls itself to the server: the `X-TB-CLIENT-VERSION`
   * header of the session-info request and the `clientVersion` of the
   * connection create, where opentok.js 2.35.2 sends "js-2.35.2". The
   * default, "gst-" and the library's version, is a platform the OpenTok
   * cloud has not been seen to know; the cloud is only known to accept the
   * forms its own SDKs send.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CLIENT_VERSION,
      g_param_spec_string ("client-version", "Client version",
          "What the client calls itself to the server (X-TB-CLIENT-VERSION, "
          "clientVersion)", DEFAULT_CLIENT_VERSION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient:tls-database:
   *
   * The certificates trusted for https and wss; %NULL for the system's.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_DATABASE,
      g_param_spec_object ("tls-database", "TLS database",
          "Certificates trusted for https and wss (NULL = the system's)",
          G_TYPE_TLS_DATABASE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokClient::signal-received:
   * @client: the #GstOpenTokClient
   * @signal: the received #GstOpenTokSignal
   *
   * A signal arrived. Its sender is gst_opentok_signal_get_from(), %NULL
   * when the server sent it. The detail is the signal type: connect to
   * "signal-received::chat" for signals of type "chat" only. Emitted from
   * the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_RECEIVED] =
      g_signal_new ("signal-received", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_OPENTOK_SIGNAL);

  /**
   * GstOpenTokClient::connection-created:
   * @client: the #GstOpenTokClient
   * @connection: the #GstOpenTokConnection
   *
   * A connection is in the session: on joining, once for every connection
   * already there (this one included), then for every newcomer. Emitted
   * from the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_CONNECTION_CREATED] =
      g_signal_new ("connection-created", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_TYPE_OPENTOK_CONNECTION);

  /**
   * GstOpenTokClient::connection-destroyed:
   * @client: the #GstOpenTokClient
   * @connection: the #GstOpenTokConnection
   * @reason: "clientDisconnected", "networkDisconnected" or
   *     "forceDisconnected"
   *
   * Another connection left the session. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_CONNECTION_DESTROYED] =
      g_signal_new ("connection-destroyed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_OPENTOK_CONNECTION, G_TYPE_STRING);

  /**
   * GstOpenTokClient::session-connected:
   * @client: the #GstOpenTokClient
   *
   * The client joined the session. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_SESSION_CONNECTED] =
      g_signal_new ("session-connected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GstOpenTokClient::session-disconnected:
   * @client: the #GstOpenTokClient
   * @reason: "clientDisconnected" (gst_opentok_client_disconnect(), or a
   *     cancelled connect), "networkDisconnected" (lost, or never joined) or
   *     "forceDisconnected"
   * @error: (nullable): why, as a #GST_OPENTOK_CLIENT_ERROR, unless the
   *     application disconnected or cancelled
   *
   * The client is out of the session, or failed to join it. Emitted from
   * the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_SESSION_DISCONNECTED] =
      g_signal_new ("session-disconnected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      G_TYPE_STRING, G_TYPE_ERROR);

  /**
   * GstOpenTokClient::session-reconnecting:
   * @client: the #GstOpenTokClient
   *
   * The socket was lost; the client is getting it back. Signals that may
   * wait are queued meanwhile. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTING] =
      g_signal_new ("session-reconnecting", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GstOpenTokClient::session-reconnected:
   * @client: the #GstOpenTokClient
   *
   * The socket is back and the server answered on it. Emitted from the
   * network thread.
   *
   * Since: 0.1
   */
  gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTED] =
      g_signal_new ("session-reconnected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gst_opentok_client_init (GstOpenTokClient * self)
{
  self->api_url = g_strdup (DEFAULT_API_URL);
  self->connection_id = gst_opentok_uuid_new ();
  self->reconnect_window = DEFAULT_RECONNECT_WINDOW;
  self->liveness_timeout = DEFAULT_LIVENESS_TIMEOUT;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->client_version = g_strdup (DEFAULT_CLIENT_VERSION);
  self->state = GST_OPENTOK_CLIENT_STATE_DISCONNECTED;
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) gst_opentok_connection_unref);
  self->loop =
      gst_opentok_loop_new ("opentok-client",
      gst_opentok_client_transport_start, gst_opentok_client_transport_stop,
      self);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->requests);
  self->requests_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
gst_opentok_client_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstOpenTokClient *self = GST_OPENTOK_CLIENT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_API_URL:
      g_free (self->api_url);
      self->api_url = g_value_dup_string (value);
      break;
    case PROP_API_KEY:
      g_free (self->api_key);
      self->api_key = g_value_dup_string (value);
      break;
    case PROP_SESSION_ID:
      g_free (self->session_id);
      self->session_id = g_value_dup_string (value);
      break;
    case PROP_TOKEN:
      g_free (self->token);
      self->token = g_value_dup_string (value);
      break;
    case PROP_RECONNECT_WINDOW:
      self->reconnect_window = g_value_get_uint (value);
      break;
    case PROP_LIVENESS_TIMEOUT:
      self->liveness_timeout = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_CLIENT_VERSION:
      g_free (self->client_version);
      self->client_version = g_value_dup_string (value);
      if (self->client_version == NULL)
        self->client_version = g_strdup (DEFAULT_CLIENT_VERSION);
      break;
    case PROP_TLS_DATABASE:
      g_clear_object (&self->tls_database);
      self->tls_database = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_opentok_client_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstOpenTokClient *self = GST_OPENTOK_CLIENT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_API_URL:
      g_value_set_string (value, self->api_url);
      break;
    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    case PROP_CONNECTION_ID:
      g_value_set_string (value, self->connection_id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_RECONNECT_WINDOW:
      g_value_set_uint (value, self->reconnect_window);
      break;
    case PROP_LIVENESS_TIMEOUT:
      g_value_set_uint (value, self->liveness_timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_CLIENT_VERSION:
      g_value_set_string (value, self->client_version);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------------------ */
/* State                                                                    */

/**
 * gst_opentok_client_state_get_type:
 *
 * Returns: the #GType of #GstOpenTokClientState
 *
 * Since: 0.1
 */
GType
gst_opentok_client_state_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_OPENTOK_CLIENT_STATE_DISCONNECTED, "Not in the session",
        "disconnected"},
    {GST_OPENTOK_CLIENT_STATE_CONNECTING, "Joining the session",
        "connecting"},
    {GST_OPENTOK_CLIENT_STATE_CONNECTED, "In the session", "connected"},
    {GST_OPENTOK_CLIENT_STATE_RECONNECTING,
        "In the session, getting a lost socket back", "reconnecting"},
    {GST_OPENTOK_CLIENT_STATE_DISCONNECTING, "Leaving the session",
        "disconnecting"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstOpenTokClientState", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* Called from the network thread. */
void
gst_opentok_client_set_state (GstOpenTokClient * self,
    GstOpenTokClientState state)
{
  GST_OBJECT_LOCK (self);
  if (self->state == state) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  GST_DEBUG_OBJECT (self, "state %d -> %d", self->state, state);
  self->state = state;
  GST_OBJECT_UNLOCK (self);
  g_object_notify (G_OBJECT (self), "state");
}

/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

static gpointer
client_reap (gpointer data)
{
  GstOpenTokClient *self = data;

  gst_opentok_loop_stop (self->loop);
  gst_object_unref (self);
  return NULL;
}

static void
gst_opentok_client_dispose (GObject * object)
{
  GstOpenTokClient *self = GST_OPENTOK_CLIENT (object);

  if (gst_opentok_loop_is_current (self->loop)) {
    /* the last reference went away in one of our own callbacks: the thread
     * cannot join itself, so keep the object alive until another thread
     * has stopped it, then dispose again from there */
    g_thread_unref (g_thread_new ("opentok-client-reap", client_reap,
            g_object_ref (self)));
    return;
  }
  gst_opentok_loop_stop (self->loop);
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_opentok_client_finalize (GObject * object)
{
  GstOpenTokClient *self = GST_OPENTOK_CLIENT (object);

  g_hash_table_unref (self->connections);
  g_hash_table_unref (self->requests_index);
  g_hash_table_unref (self->seen);
  g_queue_clear (&self->requests);
  g_clear_object (&self->tls_database);
  gst_opentok_loop_free (self->loop);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->api_url);
  g_free (self->api_key);
  g_free (self->session_id);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->connection_id);
  g_free (self->client_version);
  g_free (self->messaging_url);
  g_free (self->symphony);
  g_free (self->topic);
  g_free (self->socket_id);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* ------------------------------------------------------------------------ */
/* Public API: construction and getters (the actions are in                 */
/* gstopentokclientactions.c)                                               */

/**
 * gst_opentok_client_new:
 * @api_url: (nullable): base URL of the session-info endpoint; %NULL for
 *     the OpenTok cloud
 * @api_key: the API key (project id)
 * @session_id: the session to join
 * @token: the client token for that session
 *
 * Makes a client connection; nothing goes on the network before
 * gst_opentok_client_connect_async().
 *
 * Returns: (transfer full): a new #GstOpenTokClient
 *
 * Since: 0.1
 */
GstOpenTokClient *
gst_opentok_client_new (const gchar * api_url, const gchar * api_key,
    const gchar * session_id, const gchar * token)
{
  return g_object_new (GST_TYPE_OPENTOK_CLIENT,
      "api-url", api_url ? api_url : DEFAULT_API_URL, "api-key", api_key,
      "session-id", session_id, "token", token, NULL);
}

/**
 * gst_opentok_client_get_state:
 * @client: a #GstOpenTokClient
 *
 * Where the client stands, as the #GstOpenTokClient:state property says.
 *
 * Returns: where the connection stands
 *
 * Since: 0.1
 */
GstOpenTokClientState
gst_opentok_client_get_state (GstOpenTokClient * client)
{
  GstOpenTokClientState state;

  g_return_val_if_fail (GST_IS_OPENTOK_CLIENT (client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);

  GST_OBJECT_LOCK (client);
  state = client->state;
  GST_OBJECT_UNLOCK (client);
  return state;
}

/**
 * gst_opentok_client_get_connection_id:
 * @client: a #GstOpenTokClient
 *
 * The id this client joins its session with, as the other members see
 * it.
 *
 * Returns: (transfer full): this connection's id
 *
 * Since: 0.1
 */
gchar *
gst_opentok_client_get_connection_id (GstOpenTokClient * client)
{
  g_return_val_if_fail (GST_IS_OPENTOK_CLIENT (client), NULL);

  /* set at construction and never changed */
  return g_strdup (client->connection_id);
}

static gint
compare_creation_time (gconstpointer a, gconstpointer b)
{
  gint64 ta = gst_opentok_connection_get_creation_time (*(GstOpenTokConnection
          **) a);
  gint64 tb = gst_opentok_connection_get_creation_time (*(GstOpenTokConnection
          **) b);

  return (ta > tb) - (ta < tb);
}

/**
 * gst_opentok_client_get_connections:
 * @client: a #GstOpenTokClient
 *
 * The connections of the session as this client knows them, its own
 * included, oldest first.
 *
 * Returns: (transfer container) (element-type GstOpenTokConnection): the
 *     connections; free with g_ptr_array_unref(), which also drops the
 *     references it holds on them
 *
 * Since: 0.1
 */
GPtrArray *
gst_opentok_client_get_connections (GstOpenTokClient * client)
{
  GPtrArray *connections;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (GST_IS_OPENTOK_CLIENT (client), NULL);

  connections = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_opentok_connection_unref);
  GST_OBJECT_LOCK (client);
  g_hash_table_iter_init (&iter, client->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (connections, gst_opentok_connection_ref (value));
  GST_OBJECT_UNLOCK (client);
  g_ptr_array_sort (connections, compare_creation_time);
  return connections;
}
