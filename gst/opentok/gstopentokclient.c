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
 * from any thread except, for gst_opentok_client_disconnect() and the last
 * unref, that one.
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstopentokclient.h"
#include "gstopentokloop.h"
#include "gstopentokrumor.h"
#include "gstopentokraptor.h"
#include "gstopentok-private.h"
#include "gstopentokpayload.h"
#include "gstopentoksessioninfo.h"
#include "opentok-enumtypes.h"

GST_DEBUG_CATEGORY_STATIC (gst_opentok_client_debug);
#define GST_CAT_DEFAULT gst_opentok_client_debug

#define DEFAULT_API_URL "https://anvil.opentok.com"
#define DEFAULT_RECONNECT_WINDOW 30000
#define DEFAULT_LIVENESS_TIMEOUT 5900
/* opentok.js gives a WebSocket 15 s to open */
#define DEFAULT_CONNECT_TIMEOUT 15000
#define DEFAULT_MAX_FRAME_SIZE GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE

/* what the client calls itself to the server, as opentok.js says js-2.35.2 */
#define DEFAULT_CLIENT_VERSION "gst-" VERSION
/* opentok.js: ping after 2 s without sending anything */
#define PING_INTERVAL_US (2 * G_USEC_PER_SEC)
#define TICK_INTERVAL_MS 250
/* opentok.js: session info is tried three times, 600 and 1200 ms apart */
#define SESSION_INFO_ATTEMPTS 3
#define SESSION_INFO_RETRY_MS 600
#define OPEN_TIMEOUT_S 15
/* server messages already seen are remembered this long, as opentok.js */
#define SEEN_MEMORY_US (30 * G_USEC_PER_SEC)
/* pause between reconnection attempts, so a refused one does not spin */
#define RECONNECT_RETRY_MS 500
#define DISCONNECT_TIMEOUT_US (G_USEC_PER_SEC)
/* opentok.js's close code for a socket that went silent */
#define CLOSE_NO_ACTIVITY_CODE 4010

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

enum
{
  SIGNAL_RECEIVED,
  SIGNAL_CONNECTION_CREATED,
  SIGNAL_CONNECTION_DESTROYED,
  SIGNAL_SESSION_CONNECTED,
  SIGNAL_SESSION_DISCONNECTED,
  SIGNAL_SESSION_RECONNECTING,
  SIGNAL_SESSION_RECONNECTED,
  LAST_SIGNAL
};

static guint gst_opentok_client_signals[LAST_SIGNAL];

/* A request waiting for the server's STATUS: the connection create, a
 * signal, or a force disconnect. Its frame is kept as sent, to be re-sent
 * unchanged after a reconnection. */
typedef struct
{
  gchar *transaction_id;
  GBytes *frame;
  gboolean sent;
  gboolean is_create;
  GstOpenTokSignal *signal;     /* of a signal */
  gchar *victim;                /* of a force disconnect, with its task */
  GTask *task;
  GstOpenTokSignalCallback callback;
  gpointer user_data;
  GDestroyNotify notify;
} Request;

struct _GstOpenTokClient
{
  GstObject parent;

  /* settings, under the object lock */
  gchar *api_url;
  gchar *api_key;
  gchar *session_id;
  gchar *token;
  gchar *connection_id;         /* chosen at construction, never changes */
  guint reconnect_window;
  guint liveness_timeout;
  guint connect_timeout;
  gchar *client_version;
  GTlsDatabase *tls_database;

  /* under the object lock too: read from any thread */
  GstOpenTokClientState state;
  GHashTable *connections;      /* id -> GstOpenTokConnection */

  /* the network thread; it is the only one that runs the code below */
  GstOpenTokLoop *loop;

  /* a disconnect waits for the leaving socket to close: under lock */
  GMutex lock;
  GCond cond;
  gboolean left;

  /* network thread only */
  GMainContext *context;        /* the loop's, kept until the next start */
  SoupSession *soup;
  GCancellable *cancellable;    /* for the current connect or reconnect */
  SoupWebsocketConnection *ws;
  gchar *messaging_url;
  gchar *symphony;
  gchar *topic;
  gchar *socket_id;             /* NULL when the server has no reconnection */
  guint attempt;
  guint session_info_attempt;
  GTask *connect_task;
  gboolean joined;              /* the create's STATUS 200 arrived */
  gboolean announced;           /* our own connection#created arrived */
  gboolean first_frame_pending; /* reconnected, nothing received yet */
  GQueue requests;              /* Request, in sending order */
  GHashTable *requests_index;   /* transaction id -> GList link */
  GHashTable *seen;             /* transaction id -> expiry (monotonic) */
  gint64 last_sent;
  gint64 last_received;
  gint64 reconnect_deadline;
  GSource *tick;
  GSource *retry;
  GSource *connect_deadline;    /* fails a connect that takes too long */
};

#define gst_opentok_client_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstOpenTokClient, gst_opentok_client,
    GST_TYPE_OBJECT, GST_DEBUG_CATEGORY_INIT (gst_opentok_client_debug,
        "opentokclient", 0, "OpenTok client connection"));

G_DEFINE_BOXED_TYPE (GstOpenTokConnection, gst_opentok_connection,
    gst_opentok_connection_ref, gst_opentok_connection_unref);

static void gst_opentok_client_dispose (GObject * object);
static void gst_opentok_client_finalize (GObject * object);
static void gst_opentok_client_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_opentok_client_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static gboolean client_loop_started (gpointer user_data, GError ** error);
static void client_loop_stopping (gpointer user_data);
static void client_open_socket (GstOpenTokClient * self);
static void client_lost (GstOpenTokClient * self, const gchar * why);
/* printf-like, so that the compiler checks every call's arguments (kept
 * from gst-indent, which breaks a prototype ending in an attribute) */
/* *INDENT-OFF* */
static void client_fail (GstOpenTokClient * self, GstOpenTokClientError code,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);
/* *INDENT-ON* */

/* ------------------------------------------------------------------------ */
/* GstOpenTokConnection (created by gstopentokpayload.c)                    */

/**
 * gst_opentok_connection_ref:
 * @connection: a #GstOpenTokConnection
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
   * @reason: "clientDisconnected" (gst_opentok_client_disconnect()),
   *     "networkDisconnected" (lost, or never joined) or "forceDisconnected"
   * @error: (nullable): why, as a #GST_OPENTOK_CLIENT_ERROR, unless the
   *     application disconnected
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
  self->loop = gst_opentok_loop_new ("opentok-client", client_loop_started,
      client_loop_stopping, self);
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
/* State and requests (network thread)                                      */

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

static void
client_set_state (GstOpenTokClient * self, GstOpenTokClientState state)
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

static GstOpenTokClientState
client_get_state (GstOpenTokClient * self)
{
  GstOpenTokClientState state;

  GST_OBJECT_LOCK (self);
  state = self->state;
  GST_OBJECT_UNLOCK (self);
  return state;
}

/* Answers a force disconnect as opentok.js does: a refusal for the role is
 * 1520, any other refusal 1011, and a request the connection could not
 * carry 1010. */
static void
force_disconnect_return (GTask * task, const GError * error)
{
  if (error == NULL) {
    g_task_return_boolean (task, TRUE);
  } else if (error->code == GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED) {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_UNABLE_TO_FORCE_DISCONNECT,
        "This token does not allow forcing a disconnection: the role must "
        "be moderator (%s).", error->message);
  } else if (error->code == GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED) {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED,
        "Not connected to the session.");
  } else {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER,
        "The server refused to disconnect the connection (%d): %s",
        error->code, error->message);
  }
}

static void
request_free (Request * request)
{
  if (request->notify)
    request->notify (request->user_data);
  if (request->signal)
    gst_opentok_signal_unref (request->signal);
  g_free (request->victim);
  g_clear_object (&request->task);
  if (request->frame)
    g_bytes_unref (request->frame);
  g_free (request->transaction_id);
  g_free (request);
}

/* Takes @request out of the queue and tells its owner. */
static void
client_complete_request (GstOpenTokClient * self, Request * request,
    const GError * error)
{
  GList *link = g_hash_table_lookup (self->requests_index,
      request->transaction_id);

  if (link != NULL) {
    g_hash_table_remove (self->requests_index, request->transaction_id);
    g_queue_delete_link (&self->requests, link);
  }
  if (request->task != NULL)
    force_disconnect_return (request->task, error);
  else if (request->callback)
    request->callback (self, request->signal, error, request->user_data);
  request_free (request);
}

/* Fails the requests that cannot wait (all of them when @all), with 500
 * "Not connected", as OpenTok's SDKs do. */
static void
client_fail_requests (GstOpenTokClient * self, gboolean all)
{
  GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");
  GList *l, *next;

  for (l = self->requests.head; l != NULL; l = next) {
    Request *request = l->data;

    next = l->next;
    if (all || request->task != NULL || (request->signal != NULL &&
            !gst_opentok_signal_get_retry_after_reconnect (request->signal)))
      client_complete_request (self, request, error);
  }
  g_error_free (error);
}

static gboolean
client_socket_is_open (GstOpenTokClient * self)
{
  return self->ws != NULL && soup_websocket_connection_get_state (self->ws)
      == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
client_send (GstOpenTokClient * self, GBytes * frame)
{
  if (frame == NULL || !client_socket_is_open (self))
    return;
  soup_websocket_connection_send_message (self->ws,
      SOUP_WEBSOCKET_DATA_BINARY, frame);
  self->last_sent = g_get_monotonic_time ();
}

static GBytes *
client_serialize (GstOpenTokClient * self, GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes = gst_opentok_rumor_frame_serialize (frame, &error);

  if (bytes == NULL) {
    GST_ERROR_OBJECT (self, "could not serialize a frame: %s", error->message);
    g_error_free (error);
  }
  gst_opentok_rumor_frame_unref (frame);
  return bytes;
}

static void
client_send_simple (GstOpenTokClient * self, GstOpenTokRumorType type,
    const gchar * header, const gchar * value)
{
  GstOpenTokRumorFrame *frame = gst_opentok_rumor_frame_new (type);
  GBytes *bytes;

  if (header != NULL)
    gst_opentok_rumor_frame_set_header (frame, header, value);
  bytes = client_serialize (self, frame);
  client_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);
}

/* The Rumor MESSAGE that carries @raptor (taken; NULL when it could not be
 * made) to the session as @request, with its transaction id. */
static GBytes *
client_request_frame_new (GstOpenTokClient * self, Request * request,
    GstOpenTokRaptorMessage * raptor)
{
  GstOpenTokRumorFrame *frame;
  GBytes *payload;

  if (raptor == NULL)
    return NULL;
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, self->symphony);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
      request->transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      self->connection_id);
  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_rumor_frame_set_payload (frame, payload);
  g_bytes_unref (payload);
  gst_opentok_raptor_message_unref (raptor);
  return client_serialize (self, frame);
}

/* The signal request, built when first sent: the symphony address comes
 * with the session info. Kept to be re-sent unchanged. */
static GBytes *
client_signal_frame_new (GstOpenTokClient * self, Request * request)
{
  const gchar *type = gst_opentok_signal_get_signal_type (request->signal);
  const gchar *data = gst_opentok_signal_get_data (request->signal);
  const gchar *to = gst_opentok_signal_get_to (request->signal);
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  gchar *uri, *id = gst_opentok_uuid_new ();

  if (type != NULL && *type != '\0')
    json_object_set_string_member (content, "type", type);
  if (data != NULL)
    json_object_set_string_member (content, "data", data);
  if (to != NULL && *to != '\0')
    uri = g_strdup_printf ("%s/connection/%s/signal/%s", self->topic, to, id);
  else
    uri = g_strdup_printf ("%s/signal/%s", self->topic, id);
  raptor = gst_opentok_raptor_message_new ("signal", uri, content, NULL);
  g_free (uri);
  g_free (id);
  json_object_unref (content);
  return client_request_frame_new (self, request, raptor);
}

/* The moderator's request to remove a connection from the session. */
static GBytes *
client_delete_frame_new (GstOpenTokClient * self, Request * request)
{
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  gchar *uri;

  uri = g_strdup_printf ("%s/connection/%s", self->topic, request->victim);
  raptor = gst_opentok_raptor_message_new ("delete", uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  return client_request_frame_new (self, request, raptor);
}

/* Sends the requests not sent yet (all of them after a reconnection). */
static void
client_flush_requests (GstOpenTokClient * self, gboolean resend)
{
  GList *l;

  if (!client_socket_is_open (self))
    return;
  for (l = self->requests.head; l != NULL; l = l->next) {
    Request *request = l->data;

    /* signals wait until the connection is created */
    if (!request->is_create && !self->joined)
      break;
    if (request->sent && !resend)
      continue;
    if (request->frame == NULL)
      request->frame = request->victim ? client_delete_frame_new (self,
          request) : client_signal_frame_new (self, request);
    request->sent = TRUE;
    client_send (self, request->frame);
  }
}

static void
client_stop_connect_deadline (GstOpenTokClient * self)
{
  if (self->connect_deadline) {
    g_source_destroy (self->connect_deadline);
    g_source_unref (self->connect_deadline);
    self->connect_deadline = NULL;
  }
}

static void
client_stop_timers (GstOpenTokClient * self)
{
  if (self->tick) {
    g_source_destroy (self->tick);
    g_source_unref (self->tick);
    self->tick = NULL;
  }
  if (self->retry) {
    g_source_destroy (self->retry);
    g_source_unref (self->retry);
    self->retry = NULL;
  }
  client_stop_connect_deadline (self);
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
static void
client_end (GstOpenTokClient * self, const gchar * reason, GError * error)
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
  client_set_state (self, GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  client_fail_requests (self, TRUE);
  GST_OBJECT_LOCK (self);
  g_hash_table_remove_all (self->connections);
  GST_OBJECT_UNLOCK (self);

  if (task != NULL) {
    if (error != NULL)
      g_task_return_error (task, g_error_copy (error));
    else
      g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
          GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
          "Disconnected before the session was joined");
    g_object_unref (task);
  }
  g_signal_emit (self, gst_opentok_client_signals[SIGNAL_SESSION_DISCONNECTED],
      0, reason, error);
  if (error)
    g_error_free (error);
}

static void
client_fail (GstOpenTokClient * self, GstOpenTokClientError code,
    const gchar * format, ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (GST_OPENTOK_CLIENT_ERROR, code, format, args);
  va_end (args);
  client_end (self, code == GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED ?
      "forceDisconnected" : "networkDisconnected", error);
}

/* ------------------------------------------------------------------------ */
/* Connections registry                                                     */

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

static gint
compare_creation_time (gconstpointer a, gconstpointer b)
{
  const GstOpenTokConnection *ca = *(GstOpenTokConnection **) a;
  const GstOpenTokConnection *cb = *(GstOpenTokConnection **) b;

  return (ca->creation_time > cb->creation_time) -
      (ca->creation_time < cb->creation_time);
}

/* Joined once the create is answered and our own connection#created came
 * (either may come first). */
static void
client_maybe_connected (GstOpenTokClient * self)
{
  GPtrArray *connections;
  GTask *task;
  guint i;

  if (!self->joined || !self->announced ||
      client_get_state (self) != GST_OPENTOK_CLIENT_STATE_CONNECTING)
    return;

  GST_INFO_OBJECT (self, "joined session %s as %s", self->session_id,
      self->connection_id);
  client_stop_connect_deadline (self);
  client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTED);
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
  client_flush_requests (self, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Incoming frames                                                          */

static void
handle_create_reply (GstOpenTokClient * self, guint status, GBytes * payload,
    const gchar * reason)
{
  GPtrArray *connections;
  guint i;

  if (status / 100 != 2) {
    client_fail (self, gst_opentok_payload_create_error (status, reason),
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

static void
handle_status (GstOpenTokClient * self, GstOpenTokRumorFrame * frame)
{
  const gchar *id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *status_text = gst_opentok_rumor_frame_get_header (frame,
      "STATUS");
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
  GList *link;
  Request *request;
  guint status;
  gchar *reason;

  link = id ? g_hash_table_lookup (self->requests_index, id) : NULL;
  if (link == NULL)
    return;                     /* answered already: a replayed reply */
  request = link->data;
  status = gst_opentok_payload_read_status (status_text);
  reason = gst_opentok_payload_read_reason (payload);

  if (request->is_create) {
    g_hash_table_remove (self->requests_index, id);
    g_queue_delete_link (&self->requests, link);
    request_free (request);
    handle_create_reply (self, status, payload, reason);
  } else if (status / 100 == 2) {
    client_complete_request (self, request, NULL);
  } else {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR, status,
        reason ? reason : "The server refused the signal");

    GST_INFO_OBJECT (self, "signal refused with %u: %s", status,
        error->message);
    client_complete_request (self, request, error);
    g_error_free (error);
  }
  g_free (reason);
}

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
        client_get_state (self) != GST_OPENTOK_CLIENT_STATE_CONNECTING) {
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
      client_send_simple (self, GST_OPENTOK_RUMOR_TYPE_DISCONNECT,
          "reconnect", "");
      client_fail (self, GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED,
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

static void
handle_message (GstOpenTokClient * self, GstOpenTokRumorFrame * frame)
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
    GstOpenTokRumorFrame *ack =
        gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
    GBytes *bytes;

    gst_opentok_rumor_frame_add_address (ack, from ? from : "");
    gst_opentok_rumor_frame_set_header (ack, "TRANSACTION-ID", id);
    gst_opentok_rumor_frame_set_header (ack, "X-TB-FROM-ADDRESS",
        self->connection_id);
    bytes = client_serialize (self, ack);
    client_send (self, bytes);
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
    client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTED);
    g_signal_emit (self,
        gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTED], 0);
  }

  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      handle_status (self, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      handle_message (self, frame);
      break;
    default:
      break;
  }
  gst_opentok_rumor_frame_unref (frame);
}

/* ------------------------------------------------------------------------ */
/* Socket and reconnection                                                  */

static gboolean
on_retry (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_source_unref (self->retry);
  self->retry = NULL;
  client_open_socket (self);
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
  GstOpenTokClientState state = client_get_state (self);
  gint64 now = g_get_monotonic_time ();

  GST_INFO_OBJECT (self, "socket lost: %s (close code %u)", why, code);
  client_drop_socket (self, CLOSE_NO_ACTIVITY_CODE, why);
  self->first_frame_pending = FALSE;

  switch (state) {
    case GST_OPENTOK_CLIENT_STATE_CONNECTING:
      client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
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
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
        "The connection to the session was lost: %s", why);
    return;
  }
  if (state == GST_OPENTOK_CLIENT_STATE_CONNECTED) {
    guint window;

    GST_OBJECT_LOCK (self);
    window = self->reconnect_window;
    GST_OBJECT_UNLOCK (self);
    if (window == 0) {
      client_fail (self, GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
          "The connection to the session was lost: %s", why);
      return;
    }
    self->reconnect_deadline = now + G_TIME_SPAN_MILLISECOND * window;
    client_set_state (self, GST_OPENTOK_CLIENT_STATE_RECONNECTING);
    g_signal_emit (self,
        gst_opentok_client_signals[SIGNAL_SESSION_RECONNECTING], 0);
    client_fail_requests (self, FALSE);
    client_open_socket (self);
  } else if (now < self->reconnect_deadline) {
    client_schedule_reconnect (self, RECONNECT_RETRY_MS);
  } else {
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
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

static GBytes *
client_create_frame_new (GstOpenTokClient * self, const gchar * transaction_id)
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  GBytes *payload;
  gchar *uri;

  json_object_set_string_member (content, "userAgent",
      "gst-opentok/" VERSION " GStreamer");
  GST_OBJECT_LOCK (self);
  json_object_set_string_member (content, "clientVersion",
      self->client_version);
  GST_OBJECT_UNLOCK (self);
  json_object_set_array_member (content, "capabilities", json_array_new ());
  uri = g_strdup_printf ("%s/connection/%s", self->topic, self->connection_id);
  raptor = gst_opentok_raptor_message_new ("create", uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  if (raptor == NULL)
    return NULL;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, self->symphony);
  GST_OBJECT_LOCK (self);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-TOKEN-AUTH", self->token);
  GST_OBJECT_UNLOCK (self);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      self->connection_id);
  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_rumor_frame_set_payload (frame, payload);
  g_bytes_unref (payload);
  gst_opentok_raptor_message_unref (raptor);
  return client_serialize (self, frame);
}

/* First socket: CONNECT, SUBSCRIBE and the connection create. */
static void
client_join (GstOpenTokClient * self)
{
  GstOpenTokRumorFrame *frame;
  Request *request;
  GBytes *bytes;
  gchar *id = gst_opentok_uuid_new ();

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_CONNECT);
  gst_opentok_rumor_frame_set_header (frame, "uniqueId", self->connection_id);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", id);
  gst_opentok_rumor_frame_set_header (frame, "notifyDisconnectAddress",
      self->symphony);
  bytes = client_serialize (self, frame);
  client_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);
  g_free (id);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE);
  gst_opentok_rumor_frame_add_address (frame, self->topic);
  bytes = client_serialize (self, frame);
  client_send (self, bytes);
  if (bytes)
    g_bytes_unref (bytes);

  request = g_new0 (Request, 1);
  request->transaction_id = gst_opentok_uuid_new ();
  request->is_create = TRUE;
  request->frame = client_create_frame_new (self, request->transaction_id);
  request->sent = TRUE;
  g_queue_push_head (&self->requests, request);
  g_hash_table_insert (self->requests_index, request->transaction_id,
      self->requests.head);
  client_send (self, request->frame);
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

  if (client_socket_is_open (self)) {
    if (now - self->last_received > liveness) {
      /* as opentok.js: this socket is being replaced, keep the connection */
      client_send_simple (self, GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect",
          "1");
      client_lost (self, "No activity");
      return G_SOURCE_CONTINUE;
    }
    /* at least twice per liveness-timeout, so that a quiet server is
     * heard from before the socket counts as lost */
    if (now - self->last_sent >= MIN (PING_INTERVAL_US, liveness / 2))
      client_send_simple (self, GST_OPENTOK_RUMOR_TYPE_PING, NULL, NULL);
  } else if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_RECONNECTING
      && now >= self->reconnect_deadline) {
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
        "Could not reconnect within the reconnection window");
    return G_SOURCE_CONTINUE;
  }
  g_hash_table_foreach_remove (self->seen, forget_seen, &now);
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
    if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_RECONNECTING) {
      if (g_get_monotonic_time () < self->reconnect_deadline)
        client_schedule_reconnect (self, RECONNECT_RETRY_MS);
      else
        client_fail (self, GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED,
            "Could not reconnect within the reconnection window: %s",
            error->message);
    } else {
      client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
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

  if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_RECONNECTING) {
    /* no CONNECT nor create again: the server rebinds by socketId; what
     * it has not answered goes again, with the same ids */
    self->first_frame_pending = TRUE;
    client_flush_requests (self, TRUE);
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

static void
client_open_socket (GstOpenTokClient * self)
{
  gboolean reconnecting =
      client_get_state (self) == GST_OPENTOK_CLIENT_STATE_RECONNECTING;
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
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session info gave an unusable messaging_url");
    return;
  }
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  soup_session_websocket_connect_async (self->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, self->cancellable, on_socket_open, self);
  g_object_unref (msg);
}

/* ------------------------------------------------------------------------ */
/* Session info                                                             */

static void client_request_session_info (GstOpenTokClient * self);

static gboolean
on_session_info_retry (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_source_unref (self->retry);
  self->retry = NULL;
  client_request_session_info (self);
  return G_SOURCE_REMOVE;
}

/* Reads [{…}]: the info, or an element whose "error" is set. */
static void
client_read_session_info (GstOpenTokClient * self, GBytes * body)
{
  GstOpenTokSessionInfo *info;
  GError *error = NULL;
  gsize size;
  const gchar *data = g_bytes_get_data (body, &size);

  info = gst_opentok_session_info_parse (data, size, self->api_key, &error);
  if (info == NULL) {
    client_fail (self, error->code, "%s", error->message);
    g_error_free (error);
    return;
  }

  g_free (self->messaging_url);
  self->messaging_url = info->messaging_url;
  g_free (self->symphony);
  self->symphony = info->symphony_address;
  info->messaging_url = info->symphony_address = NULL;
  g_clear_pointer (&self->socket_id, g_free);
  if (info->reconnection)
    self->socket_id = gst_opentok_uuid_new ();
  gst_opentok_session_info_free (info);
  GST_DEBUG_OBJECT (self, "messaging at %s, reconnection %s",
      self->messaging_url, self->socket_id ? "on" : "off");
  client_open_socket (self);
}

static void
on_session_info (GObject * source, GAsyncResult * result, gpointer user_data)
{
  GstOpenTokClient *self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), result);
  GError *error = NULL;
  GBytes *body;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (body != NULL && g_bytes_get_size (body) == 0 &&
      SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg))) {
    /* opentok.js counts an empty answer as no answer */
    g_bytes_unref (body);
    body = NULL;
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
        "the session-info endpoint answered nothing");
  }
  if (body == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (error);
      return;
    }
    /* transport failures are retried, as opentok.js does */
    if (++self->session_info_attempt < SESSION_INFO_ATTEMPTS) {
      GST_INFO_OBJECT (self, "session info failed (%s), retrying",
          error->message);
      self->retry = g_timeout_source_new (SESSION_INFO_RETRY_MS *
          self->session_info_attempt);
      g_source_set_callback (self->retry, on_session_info_retry, self, NULL);
      g_source_attach (self->retry, self->context);
    } else {
      client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
          "Could not reach the session-info endpoint: %s", error->message);
    }
    g_error_free (error);
    return;
  }
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session-info endpoint answered HTTP %u %s", status,
        soup_message_get_reason_phrase (msg));
  } else {
    client_read_session_info (self, body);
  }
  g_bytes_unref (body);
}

static void
client_request_session_info (GstOpenTokClient * self)
{
  SoupMessageHeaders *headers;
  SoupMessage *msg;
  gchar *url;

  GST_OBJECT_LOCK (self);
  url = g_strdup_printf ("%s%ssession/%s?extended=true", self->api_url,
      g_str_has_suffix (self->api_url, "/") ? "" : "/", self->session_id);
  GST_OBJECT_UNLOCK (self);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  GST_DEBUG_OBJECT (self, "asking %s", url);
  g_free (url);
  if (msg == NULL) {
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The api-url is not a usable http or https URL");
    return;
  }
  headers = soup_message_get_request_headers (msg);
  GST_OBJECT_LOCK (self);
  soup_message_headers_replace (headers, "X-OPENTOK-AUTH", self->token);
  soup_message_headers_replace (headers, "X-TB-CLIENT-VERSION",
      self->client_version);
  GST_OBJECT_UNLOCK (self);
  soup_message_headers_replace (headers, "X-TB-VERSION", "1");
  soup_message_headers_replace (headers, "X-TB-CONNECTIONID",
      self->connection_id);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_session_send_and_read_async (self->soup, msg, G_PRIORITY_DEFAULT,
      self->cancellable, on_session_info, self);
  g_object_unref (msg);
}

/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

/* The network thread's first work, before any other runs. */
static gboolean
client_loop_started (gpointer user_data, GError ** error)
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
static void
client_loop_stopping (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  if (client_get_state (self) != GST_OPENTOK_CLIENT_STATE_DISCONNECTED)
    client_end (self, "clientDisconnected", NULL);
  client_stop_timers (self);
  client_drop_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  soup_session_abort (self->soup);
  g_clear_object (&self->soup);
}

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
/* Public API                                                               */

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

static gboolean
on_connect_deadline (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_clear_pointer (&self->connect_deadline, g_source_unref);
  if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_CONNECTING)
    client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The server did not let the client join within %u ms "
        "(connect-timeout)", self->connect_timeout);
  return G_SOURCE_REMOVE;
}

static gboolean
connect_func (gpointer data)
{
  GTask *task = data;
  GstOpenTokClient *self = g_task_get_source_object (task);
  guint timeout;

  if (client_get_state (self) != GST_OPENTOK_CLIENT_STATE_DISCONNECTED) {
    if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_CONNECTED)
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
  client_set_state (self, GST_OPENTOK_CLIENT_STATE_CONNECTING);
  GST_OBJECT_LOCK (self);
  timeout = self->connect_timeout;
  GST_OBJECT_UNLOCK (self);
  self->connect_deadline = g_timeout_source_new (timeout);
  g_source_set_callback (self->connect_deadline, on_connect_deadline, self,
      NULL);
  g_source_attach (self->connect_deadline, self->context);
  client_request_session_info (self);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_client_connect_async:
 * @client: a #GstOpenTokClient
 * @cancellable: (nullable): unused for now, may be %NULL
 * @callback: (nullable) (scope async): called once joined or failed, on the
 *     thread-default main context of the calling thread; may be %NULL when
 *     the #GstOpenTokClient::session-connected and
 *     #GstOpenTokClient::session-disconnected signals are enough
 * @user_data: data for @callback
 *
 * Joins the session: session info, socket, token check, session state.
 *
 * Since: 0.1
 */
void
gst_opentok_client_connect_async (GstOpenTokClient * client,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task;
  gchar *missing = NULL;
  GError *error = NULL;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_opentok_client_connect_async);
  GST_OBJECT_LOCK (client);
  if (client->api_key == NULL || *client->api_key == '\0')
    missing = "api-key";
  else if (client->session_id == NULL || *client->session_id == '\0')
    missing = "session-id";
  else if (client->token == NULL || *client->token == '\0')
    missing = "token";
  GST_OBJECT_UNLOCK (client);
  if (missing != NULL) {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED, "The %s is not set", missing);
    g_object_unref (task);
    return;
  }

  /* from one of the client's own callbacks the thread runs already, or is
   * ending (a disconnect from a callback) */
  if (!gst_opentok_loop_is_current (client->loop)
      && !gst_opentok_loop_start (client->loop, &error)) {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The network thread did not start: %s", error->message);
    g_error_free (error);
    g_object_unref (task);
    return;
  }
  if (!gst_opentok_loop_invoke (client->loop, connect_func, task,
          g_object_unref)) {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED, "The client is shutting down");
    g_object_unref (task);
  }
}

/**
 * gst_opentok_client_connect_finish:
 * @client: a #GstOpenTokClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
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

/* Says DISCONNECT and closes the socket; TRUE in @closing while the close
 * is under way. */
typedef struct
{
  GstOpenTokClient *client;
  gboolean closing;
} Leave;

static gboolean
leave_func (gpointer data)
{
  Leave *leave = data;
  GstOpenTokClient *self = leave->client;

  leave->closing = FALSE;
  if (client_get_state (self) == GST_OPENTOK_CLIENT_STATE_DISCONNECTED)
    return G_SOURCE_REMOVE;
  client_set_state (self, GST_OPENTOK_CLIENT_STATE_DISCONNECTING);
  /* opentok.js: DISCONNECT, then close 1000; the server tells the others */
  client_send_simple (self, GST_OPENTOK_RUMOR_TYPE_DISCONNECT, "reconnect", "");
  if (client_socket_is_open (self)) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
    leave->closing = TRUE;
  }
  return G_SOURCE_REMOVE;
}

static gboolean
leave_done_func (gpointer data)
{
  GstOpenTokClient *self = data;

  if (client_get_state (self) != GST_OPENTOK_CLIENT_STATE_DISCONNECTED)
    client_end (self, "clientDisconnected", NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
socket_closed_func (gpointer data)
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
  Leave leave = { client, FALSE };
  GSource *poll;
  gint64 deadline;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  if (gst_opentok_loop_is_current (client->loop)) {
    leave_func (&leave);
    leave_done_func (client);
    gst_opentok_loop_stop (client->loop);
    return;
  }

  if (gst_opentok_loop_invoke_sync (client->loop, leave_func, &leave)
      && leave.closing) {
    /* poll the close from the network thread, bounded */
    poll = g_timeout_source_new (5);
    g_source_set_callback (poll, socket_closed_func, client, NULL);
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
  gst_opentok_loop_invoke_sync (client->loop, leave_done_func, client);
  gst_opentok_loop_stop (client->loop);
}

typedef struct
{
  GstOpenTokClient *client;
  Request *request;
  GError *error;                /* refused before reaching the network */
} SendOperation;

static void
send_operation_free (SendOperation * operation)
{
  if (operation->request)
    request_free (operation->request);
  g_clear_error (&operation->error);
  gst_object_unref (operation->client);
  g_free (operation);
}

/* Takes @request into the queue of those waiting for the server's STATUS,
 * and sends it if the socket allows. */
static void
client_queue_request (GstOpenTokClient * self, Request * request)
{
  g_queue_push_tail (&self->requests, request);
  g_hash_table_insert (self->requests_index, request->transaction_id,
      self->requests.tail);
  client_flush_requests (self, FALSE);
}

static gboolean
send_operation_run (gpointer data)
{
  SendOperation *operation = data;
  GstOpenTokClient *self = operation->client;
  Request *request = operation->request;
  GstOpenTokClientState state = client_get_state (self);
  gboolean may_wait =
      gst_opentok_signal_get_retry_after_reconnect (request->signal);

  operation->request = NULL;
  if (operation->error == NULL && state != GST_OPENTOK_CLIENT_STATE_CONNECTED
      && !(may_wait && (state == GST_OPENTOK_CLIENT_STATE_CONNECTING ||
              state == GST_OPENTOK_CLIENT_STATE_RECONNECTING)))
    operation->error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");
  if (operation->error != NULL) {
    if (request->callback)
      request->callback (self, request->signal, operation->error,
          request->user_data);
    request_free (request);
    return G_SOURCE_REMOVE;
  }
  client_queue_request (self, request);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_client_send_signal_full:
 * @client: a #GstOpenTokClient
 * @signal: the signal: type, data, and `to` (a connection id) or none for
 *     the whole session; its retry-after-reconnect flag says whether it
 *     may wait while the client is (re)connecting
 * @callback: (nullable) (scope async): called once with the outcome
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data after @callback
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
  SendOperation *operation;
  Request *request;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));
  g_return_if_fail (signal != NULL);

  request = g_new0 (Request, 1);
  request->transaction_id = gst_opentok_uuid_new ();
  request->signal = gst_opentok_signal_ref (signal);
  request->callback = callback;
  request->user_data = user_data;
  request->notify = notify;

  operation = g_new0 (SendOperation, 1);
  operation->client = gst_object_ref (client);
  operation->request = request;
  gst_opentok_signal_validate (signal, &operation->error);

  if (!gst_opentok_loop_invoke (client->loop, send_operation_run, operation,
          (GDestroyNotify) send_operation_free)) {
    /* no network thread: it fails here, and touches nothing of the
     * thread's (one may still be ending) */
    if (operation->error == NULL)
      operation->error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");
    if (request->callback)
      request->callback (client, request->signal, operation->error,
          request->user_data);
    operation->request = NULL;
    request_free (request);
    send_operation_free (operation);
  }
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

static gboolean
force_disconnect_run (gpointer data)
{
  Request *request = data;
  GstOpenTokClient *self = g_task_get_source_object (request->task);
  GError *error;

  if (client_get_state (self) != GST_OPENTOK_CLIENT_STATE_CONNECTED) {
    error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");
    force_disconnect_return (request->task, error);
    g_error_free (error);
    request_free (request);
    return G_SOURCE_REMOVE;
  }
  client_queue_request (self, request);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_client_force_disconnect_async:
 * @client: a #GstOpenTokClient
 * @connection_id: the id of the connection to remove from the session
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome, in the thread-default
 *     main context of the caller
 * @user_data: data for @callback
 *
 * Removes another connection from the session, as
 * `session.forceDisconnect()` does in opentok.js: every member, the removed
 * connection included, sees it leave with the reason "forceDisconnected".
 * It takes a token with the moderator role.
 *
 * Since: 0.1
 */
void
gst_opentok_client_force_disconnect_async (GstOpenTokClient * client,
    const gchar * connection_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  Request *request;
  GTask *task;

  g_return_if_fail (GST_IS_OPENTOK_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, gst_opentok_client_force_disconnect_async);
  if (connection_id == NULL || *connection_id == '\0') {
    g_task_return_new_error (task, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER,
        "No connection id was given.");
    g_object_unref (task);
    return;
  }

  request = g_new0 (Request, 1);
  request->transaction_id = gst_opentok_uuid_new ();
  request->victim = g_strdup (connection_id);
  request->task = task;
  if (!gst_opentok_loop_invoke (client->loop, force_disconnect_run, request,
          NULL)) {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");

    force_disconnect_return (task, error);
    g_error_free (error);
    request_free (request);
  }
}

/**
 * gst_opentok_client_force_disconnect_finish:
 * @client: a #GstOpenTokClient
 * @result: the #GAsyncResult
 * @error: return location for a #GST_OPENTOK_CLIENT_ERROR: 1520 when the
 *     token is not a moderator's, 1011 when the server refused (the
 *     connection is not in the session), 1010 when not connected
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

/**
 * gst_opentok_client_get_state:
 * @client: a #GstOpenTokClient
 *
 * Returns: where the connection stands
 *
 * Since: 0.1
 */
GstOpenTokClientState
gst_opentok_client_get_state (GstOpenTokClient * client)
{
  g_return_val_if_fail (GST_IS_OPENTOK_CLIENT (client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);

  return client_get_state (client);
}

/**
 * gst_opentok_client_get_connection_id:
 * @client: a #GstOpenTokClient
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
