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
#include <gio/gnetworking.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstopentokserver.h"
#include "gstopentokloop.h"
#include "gstopentokrumor.h"
#include "gstopentokraptor.h"
#include "gstopentokrouter.h"
#include "gstopentokpayload.h"
#include "gstopentok-private.h"
#include "gstopentokwspool.h"
#include "gstopentokrest.h"
#include "gstopentoksessionid.h"
#include "gstopentokrestjwt.h"

GST_DEBUG_CATEGORY_STATIC (gst_opentok_server_debug);
#define GST_CAT_DEFAULT gst_opentok_server_debug

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 0
#define DEFAULT_PUBLIC_URL NULL
#define DEFAULT_MAX_FRAME_SIZE GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE
#define DEFAULT_SIGNAL_RATE 500.0
#define DEFAULT_SIGNAL_BURST 1000
#define DEFAULT_LIVENESS_TIMEOUT 10000
#define DEFAULT_RECONNECT_WINDOW 40000
#define DEFAULT_MAX_PENDING_MESSAGES 4096
#define DEFAULT_MAX_PENDING_BYTES (16 * 1024 * 1024)
#define DEFAULT_MAX_CONNECTIONS 16384
#define DEFAULT_IO_THREADS 8
#define MAX_IO_THREADS 64

/* How long a socket may stay open without joining a session. */
#define JOIN_TIMEOUT_US (30 * G_USEC_PER_SEC)
/* How long a connection remembers the replies to its requests, so that a
 * request re-sent after a reconnection is answered again, not run twice. */
#define REPLY_MEMORY_US (120 * G_USEC_PER_SEC)
#define SWEEP_INTERVAL_MS 1000
/* Grace before closing the socket of a force-disconnected connection, whose
 * client normally leaves by itself as soon as it sees its own deletion. */
#define FORCE_DISCONNECT_GRACE_MS 2000
/* Connections the kernel queues for accept(): see server_listen_address() */
#define LISTEN_BACKLOG 1024

/* WebSocket close codes; 4010 is the one opentok.js uses for "No activity". */
#define CLOSE_NO_ACTIVITY 4010

enum
{
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_PUBLIC_URL,
  PROP_API_KEY,
  PROP_API_SECRET,
  PROP_MAX_FRAME_SIZE,
  PROP_SIGNAL_RATE,
  PROP_SIGNAL_BURST,
  PROP_LIVENESS_TIMEOUT,
  PROP_RECONNECT_WINDOW,
  PROP_MAX_PENDING_MESSAGES,
  PROP_TLS_CERTIFICATE,
  PROP_MAX_PENDING_BYTES,
  PROP_MAX_CONNECTIONS,
  PROP_IO_THREADS,
};

enum
{
  SIGNAL_CONNECTION_CREATED,
  SIGNAL_CONNECTION_DESTROYED,
  SIGNAL_SIGNAL_RECEIVED,
  N_SIGNALS
};

static guint gst_opentok_server_signals[N_SIGNALS];

/* a UUID's 36 characters and a NUL; the last 12 digits count */
#define TRANSACTION_ID_SIZE 37
#define TRANSACTION_PREFIX_LENGTH 24

typedef struct _Session Session;
typedef struct _Member Member;
typedef struct _Socket Socket;

/* A session: its members in the order they joined. */
struct _Session
{
  gchar *id;
  gchar *topic;                 /* /v2/partner/{key}/session/{id} */
  GDateTime *created;
  GHashTable *members;          /* connection id -> Member, owned */
  GQueue order;                 /* Member, in joining order */
};

/* A reply already sent to a client request, kept to answer a re-sent copy. */
typedef struct
{
  guint status;
  gchar *body;                  /* nullable */
  gboolean session_state;       /* the body is the session as it is now */
  gint64 expires;               /* monotonic time */
} StoredReply;

/* A Raptor connection: lives from its `create` to its deletion, across
 * socket reconnections. */
struct _Member
{
  GstOpenTokServer *server;
  Session *session;
  gchar *id;
  gchar *socket_id;             /* nullable: client without reconnection */
  gchar *data;
  GstOpenTokRole role;
  gint64 creation_time;         /* ms since the epoch */
  GList *order_link;            /* in session->order */

  Socket *socket;               /* nullable while detached */
  GSource *grace;               /* running while detached */

  /* server MESSAGEs not acknowledged yet, oldest first (GstOpenTokEnvelope) */
  GQueue pending;
  gsize pending_bytes;
  gboolean overflowing;         /* over a pending limit: being dropped */
  GHashTable *pending_index;    /* transaction id -> GList link, built for
                                 * the first ack out of order */

  GHashTable *replies;          /* client transaction id -> StoredReply, lazy */
  GQueue reply_order;           /* transaction ids in the table, oldest first */

  gdouble tokens;               /* signal rate limit: token bucket */
  gint64 tokens_time;
};

/* One Rumor WebSocket. */
struct _Socket
{
  GstOpenTokServer *server;
  GstOpenTokWs *ws;             /* on one of the I/O threads */
  gchar *socket_id;             /* from the URL, nullable */
  gchar *unique_id;             /* from CONNECT, nullable */
  Member *member;               /* bound connection, nullable */
  gint64 opened_time;           /* monotonic */
  gboolean leaving;             /* sent DISCONNECT with reconnect "" */
  gboolean refused;             /* the server is closing it: ignore it */
  GSource *close_timer;         /* closes a force-disconnected socket */
  GList *link;                  /* in server->sockets */
};

typedef struct
{
  guint64 signals_received;     /* accepted from clients and REST */
  guint64 signals_delivered;    /* copies handed to connections */
  guint64 messages_sent;
  guint64 frames_received;
  guint64 connections_total;
  guint64 reconnections;
  guint64 connections_refused;
  GHashTable *errors;           /* code -> count */
} Metrics;

struct _GstOpenTokServer
{
  GstObject parent;

  /* settings, under the object lock; the network thread reads them once at
   * start */
  gchar *host;
  guint port;
  gchar *public_url;
  gchar *api_key;
  gchar *api_secret;
  guint max_frame_size;
  gdouble signal_rate;
  guint signal_burst;
  guint liveness_timeout;
  guint reconnect_window;
  guint max_pending_messages;
  guint64 max_pending_bytes;
  guint max_connections;
  guint io_threads;
  GTlsCertificate *tls_certificate;

  /* the server thread, which runs all the code below that is not public
   * API; idle_lock is held by start and stop, and by a call that runs on
   * its caller's thread because no server thread runs. Lock order:
   * idle_lock, then lock (the loop's own lock comes last). */
  GstOpenTokLoop *loop;
  GMutex idle_lock;
  GMutex lock;
  guint bound_port;             /* under lock */

  /* the server thread's */
  GMainContext *context;        /* the loop's, kept until the next start */

  /* settings copied at start, for the network thread */
  struct
  {
    gchar *api_key;
    gchar *api_secret;
    gchar *public_url;
    guint max_frame_size;
    gdouble signal_rate;
    guint signal_burst;
    gint64 liveness_timeout;    /* us */
    guint reconnect_window;
    guint max_pending_messages;
    guint64 max_pending_bytes;
    guint max_connections;
    guint io_threads;
  } cfg;

  /* network thread only (or any thread before start / after stop) */
  SoupServer *soup;
  GstOpenTokRouter *router;
  GHashTable *sessions;         /* id -> Session, owned */
  GHashTable *members_by_socket_id;     /* socket id -> Member */
  GQueue sockets;               /* Socket */
  GstOpenTokWsPool *ws_pool;
  GPtrArray *websocket_extensions;      /* GTypeClass the handshake accepts */
  gchar transaction_prefix[TRANSACTION_PREFIX_LENGTH];
  guint64 transaction_counter;  /* 48 bits are written */
  GSource *sweep;
  gboolean shutting_down;
  Metrics metrics;
};

#define gst_opentok_server_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstOpenTokServer, gst_opentok_server, GST_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (gst_opentok_server_debug, "opentokserver", 0,
        "OpenTok embedded server"));

static void gst_opentok_server_finalize (GObject * object);
static gboolean server_loop_started (gpointer user_data, GError ** error);
static void server_loop_stopping (gpointer user_data);
static void server_forget_run (GstOpenTokServer * self);
static void gst_opentok_server_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_opentok_server_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static void member_deliver (gpointer subscriber, GstOpenTokEnvelope * envelope);
static void member_remove (Member * member, const gchar * reason);
static void socket_close (Socket * sock, gushort code, const gchar * reason);

static void
gst_opentok_server_class_init (GstOpenTokServerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = gst_opentok_server_finalize;
  gobject_class->set_property = gst_opentok_server_set_property;
  gobject_class->get_property = gst_opentok_server_get_property;

  /**
   * GstOpenTokServer:host:
   *
   * The address to listen on: an IP address, or "localhost" for the
   * loopback interfaces. "0.0.0.0" listens on every interface.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_HOST,
      g_param_spec_string ("host", "Host", "Address to listen on",
          DEFAULT_HOST, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:port:
   *
   * The TCP port to listen on; 0 picks a free one, which
   * gst_opentok_server_get_port() returns once started.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port", "TCP port to listen on (0 = any)",
          0, 65535, DEFAULT_PORT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:public-url:
   *
   * The base URL clients reach the server at, when it differs from the
   * address they used for the session-info request (a reverse proxy, for
   * instance). %NULL derives the WebSocket URL from each request's Host.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_PUBLIC_URL,
      g_param_spec_string ("public-url", "Public URL",
          "Base URL clients reach the server at (NULL = from each request)",
          DEFAULT_PUBLIC_URL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:api-key:
   *
   * The API key (project id) the server serves.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_API_KEY,
      g_param_spec_string ("api-key", "API key", "The OpenTok API key served",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:api-secret:
   *
   * The API secret that signs tokens and REST credentials. Write-only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_API_SECRET,
      g_param_spec_string ("api-secret", "API secret",
          "The OpenTok API secret (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:max-frame-size:
   *
   * The largest Rumor frame accepted, in bytes. A larger WebSocket message
   * is refused before it is buffered, and its socket closed with 1009.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_FRAME_SIZE,
      g_param_spec_uint ("max-frame-size", "Maximum frame size",
          "Largest Rumor frame accepted, in bytes", 1024, G_MAXINT32,
          DEFAULT_MAX_FRAME_SIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:signal-rate:
   *
   * Signals per second one connection may send on average; beyond it (and
   * its #GstOpenTokServer:signal-burst) signals are refused with 429.
   * 0 disables the limit.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SIGNAL_RATE,
      g_param_spec_double ("signal-rate", "Signal rate",
          "Signals per second a connection may send (0 = unlimited)", 0,
          G_MAXDOUBLE, DEFAULT_SIGNAL_RATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:signal-burst:
   *
   * How many signals a connection may send at once before the
   * #GstOpenTokServer:signal-rate applies.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SIGNAL_BURST,
      g_param_spec_uint ("signal-burst", "Signal burst",
          "Signals a connection may send at once", 1, G_MAXUINT,
          DEFAULT_SIGNAL_BURST, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:liveness-timeout:
   *
   * Milliseconds without any frame after which a socket is considered dead
   * and closed with 4010. Clients ping every 2 s when idle.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LIVENESS_TIMEOUT,
      g_param_spec_uint ("liveness-timeout", "Liveness timeout",
          "Milliseconds of silence before a socket is closed", 1000,
          G_MAXINT32, DEFAULT_LIVENESS_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:reconnect-window:
   *
   * Milliseconds a connection whose socket was lost waits for its client to
   * reconnect before it is deleted with the reason networkDisconnected.
   * Clients try for 30 s.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_RECONNECT_WINDOW,
      g_param_spec_uint ("reconnect-window", "Reconnect window",
          "Milliseconds a lost connection waits for its client", 0,
          G_MAXINT32, DEFAULT_RECONNECT_WINDOW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:max-pending-messages:
   *
   * How many messages may wait for one connection's acknowledgement (or
   * for its reconnection). A client that falls further behind is
   * disconnected, so that the server's memory stays bounded.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_PENDING_MESSAGES,
      g_param_spec_uint ("max-pending-messages", "Maximum pending messages",
          "Unacknowledged messages kept per connection", 16, G_MAXINT32,
          DEFAULT_MAX_PENDING_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:max-pending-bytes:
   *
   * How many bytes of messages may wait for one connection's
   * acknowledgement (or for its reconnection). Like
   * #GstOpenTokServer:max-pending-messages, past it the connection is
   * dropped: a reader that does not keep up cannot grow the server's memory.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_PENDING_BYTES,
      g_param_spec_uint64 ("max-pending-bytes", "Maximum pending bytes",
          "Bytes of unacknowledged messages kept per connection", 65536,
          G_MAXUINT64, DEFAULT_MAX_PENDING_BYTES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:max-connections:
   *
   * How many Rumor WebSockets may be open at once. A socket over the limit
   * is closed at once with 1008 and the reason "Too many connections".
   * (1013 "Try Again Later" would say it better, but libsoup 3.2 clients
   * take it for a protocol error.)
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_CONNECTIONS,
      g_param_spec_uint ("max-connections", "Maximum connections",
          "Rumor WebSockets open at once", 1, G_MAXINT32,
          DEFAULT_MAX_CONNECTIONS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:io-threads:
   *
   * How many threads read and write the Rumor WebSockets. Sessions and
   * connections live on the server thread, which hands the frames to and
   * from them; the I/O threads answer the clients' keepalive PINGs
   * themselves. Each thread polls all of its sockets every time one of them
   * is ready, so thousands of mostly idle sockets cost less CPU spread over
   * more threads, even on fewer processors.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_IO_THREADS,
      g_param_spec_uint ("io-threads", "I/O threads",
          "Threads reading and writing the WebSockets", 1, MAX_IO_THREADS,
          DEFAULT_IO_THREADS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:tls-certificate:
   *
   * The certificate (with its private key) to serve https and wss with;
   * %NULL serves plain http and ws.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE,
      g_param_spec_object ("tls-certificate", "TLS certificate",
          "Certificate and key for https and wss (NULL = plain http)",
          G_TYPE_TLS_CERTIFICATE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

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
emit_connection (GstOpenTokServer * self, guint signal_id, Session * session,
    Member * member, const gchar * reason)
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
session_free (Session * session)
{
  g_hash_table_unref (session->members);
  g_queue_clear (&session->order);
  g_date_time_unref (session->created);
  g_free (session->topic);
  g_free (session->id);
  g_free (session);
}

static void
gst_opentok_server_init (GstOpenTokServer * self)
{
  self->host = g_strdup (DEFAULT_HOST);
  self->port = DEFAULT_PORT;
  self->max_frame_size = DEFAULT_MAX_FRAME_SIZE;
  self->signal_rate = DEFAULT_SIGNAL_RATE;
  self->signal_burst = DEFAULT_SIGNAL_BURST;
  self->liveness_timeout = DEFAULT_LIVENESS_TIMEOUT;
  self->reconnect_window = DEFAULT_RECONNECT_WINDOW;
  self->max_pending_messages = DEFAULT_MAX_PENDING_MESSAGES;
  self->max_pending_bytes = DEFAULT_MAX_PENDING_BYTES;
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->io_threads = DEFAULT_IO_THREADS;

  self->loop = gst_opentok_loop_new ("opentok-server", server_loop_started,
      server_loop_stopping, self);
  g_mutex_init (&self->idle_lock);
  g_mutex_init (&self->lock);

  self->router = gst_opentok_local_router_new (member_deliver);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  self->members_by_socket_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->sockets);
  self->metrics.errors = g_hash_table_new (g_direct_hash, g_direct_equal);
  /* what SoupServer's own WebSocket handler accepts */
  self->websocket_extensions =
      g_ptr_array_new_with_free_func (g_type_class_unref);
  g_ptr_array_add (self->websocket_extensions,
      g_type_class_ref (SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE));
}

static void
gst_opentok_server_finalize (GObject * object)
{
  GstOpenTokServer *self = GST_OPENTOK_SERVER (object);

  gst_opentok_server_stop (self);

  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->members_by_socket_id);
  gst_opentok_router_free (self->router);
  g_hash_table_unref (self->metrics.errors);
  g_ptr_array_unref (self->websocket_extensions);
  gst_opentok_loop_free (self->loop);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->idle_lock);
  g_mutex_clear (&self->lock);
  g_clear_object (&self->tls_certificate);
  g_free (self->host);
  g_free (self->public_url);
  g_free (self->api_key);
  if (self->api_secret)
    memset (self->api_secret, 0, strlen (self->api_secret));
  g_free (self->api_secret);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_opentok_server_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstOpenTokServer *self = GST_OPENTOK_SERVER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_PUBLIC_URL:
      g_free (self->public_url);
      self->public_url = g_value_dup_string (value);
      break;
    case PROP_API_KEY:
      g_free (self->api_key);
      self->api_key = g_value_dup_string (value);
      break;
    case PROP_API_SECRET:
      g_free (self->api_secret);
      self->api_secret = g_value_dup_string (value);
      break;
    case PROP_MAX_FRAME_SIZE:
      self->max_frame_size = g_value_get_uint (value);
      break;
    case PROP_SIGNAL_RATE:
      self->signal_rate = g_value_get_double (value);
      break;
    case PROP_SIGNAL_BURST:
      self->signal_burst = g_value_get_uint (value);
      break;
    case PROP_LIVENESS_TIMEOUT:
      self->liveness_timeout = g_value_get_uint (value);
      break;
    case PROP_RECONNECT_WINDOW:
      self->reconnect_window = g_value_get_uint (value);
      break;
    case PROP_MAX_PENDING_MESSAGES:
      self->max_pending_messages = g_value_get_uint (value);
      break;
    case PROP_MAX_PENDING_BYTES:
      self->max_pending_bytes = g_value_get_uint64 (value);
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_IO_THREADS:
      self->io_threads = g_value_get_uint (value);
      break;
    case PROP_TLS_CERTIFICATE:
      g_clear_object (&self->tls_certificate);
      self->tls_certificate = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_opentok_server_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstOpenTokServer *self = GST_OPENTOK_SERVER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_PUBLIC_URL:
      g_value_set_string (value, self->public_url);
      break;
    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;
    case PROP_MAX_FRAME_SIZE:
      g_value_set_uint (value, self->max_frame_size);
      break;
    case PROP_SIGNAL_RATE:
      g_value_set_double (value, self->signal_rate);
      break;
    case PROP_SIGNAL_BURST:
      g_value_set_uint (value, self->signal_burst);
      break;
    case PROP_LIVENESS_TIMEOUT:
      g_value_set_uint (value, self->liveness_timeout);
      break;
    case PROP_RECONNECT_WINDOW:
      g_value_set_uint (value, self->reconnect_window);
      break;
    case PROP_MAX_PENDING_MESSAGES:
      g_value_set_uint (value, self->max_pending_messages);
      break;
    case PROP_MAX_PENDING_BYTES:
      g_value_set_uint64 (value, self->max_pending_bytes);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_IO_THREADS:
      g_value_set_uint (value, self->io_threads);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */

static void
metrics_count_error (GstOpenTokServer * self, guint code)
{
  gpointer key = GUINT_TO_POINTER (code);
  guint64 count = GPOINTER_TO_SIZE (g_hash_table_lookup (self->metrics.errors,
          key));

  g_hash_table_insert (self->metrics.errors, key, GSIZE_TO_POINTER (count + 1));
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */

static GBytes *
frame_serialize (GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes;

  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  if (bytes == NULL) {
    /* Only our own oversized addresses could do this: ids are checked on
     * the way in, so it is a bug, not bad input. */
    GST_ERROR ("could not serialize a frame: %s", error->message);
    g_error_free (error);
  }
  gst_opentok_rumor_frame_unref (frame);
  return bytes;
}

/* STATUS reply to a client request; the body is JSON or NULL. */
static GBytes *
status_frame_new (const gchar * to, const gchar * transaction_id,
    guint status, const gchar * body)
{
  GstOpenTokRumorFrame *frame;
  gchar code[8];

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  gst_opentok_rumor_frame_add_address (frame, to);
  g_snprintf (code, sizeof (code), "%u", status);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "STATUS", code);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      GST_OPENTOK_SERVER_SYMPHONY_ADDRESS);
  if (body != NULL)
    gst_opentok_rumor_frame_take_payload_string (frame, g_strdup (body));
  return frame_serialize (frame);
}

/* Transaction ids of the server's MESSAGEs only have to be unique among
 * those a client may still hold (and differ from a previous run's): a
 * random UUID prefix drawn at start, then a counter. A random UUID for each
 * message cost about 4 % of the server's instructions per signal. */
static void
server_init_transaction_ids (GstOpenTokServer * self)
{
  gchar *uuid = g_uuid_string_random ();

  /* "xxxxxxxx-xxxx-4xxx-yxxx-" of a version 4 UUID */
  memcpy (self->transaction_prefix, uuid, TRANSACTION_PREFIX_LENGTH);
  self->transaction_counter = ((guint64) g_random_int () << 16) ^
      g_random_int ();
  g_free (uuid);
}

static void
server_next_transaction_id (GstOpenTokServer * self,
    gchar id[TRANSACTION_ID_SIZE])
{
  static const gchar hex[] = "0123456789abcdef";
  guint64 n = self->transaction_counter++;
  gint i;

  memcpy (id, self->transaction_prefix, TRANSACTION_PREFIX_LENGTH);
  for (i = TRANSACTION_ID_SIZE - 2; i >= TRANSACTION_PREFIX_LENGTH; i--) {
    id[i] = hex[n & 0xf];
    n >>= 4;
  }
  id[TRANSACTION_ID_SIZE - 1] = '\0';
}

/* A server MESSAGE with a fresh TRANSACTION-ID, wrapped once for all its
 * receivers. @from is the sender's connection id, "" for the server itself
 * (REST signals), or the symphony address for connection events. */
static GstOpenTokEnvelope *
message_envelope_new_for_payload (GstOpenTokServer * self, const gchar * to,
    const gchar * from, GBytes * payload)
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokEnvelope *envelope;
  gchar transaction_id[TRANSACTION_ID_SIZE];
  GBytes *bytes;

  server_next_transaction_id (self, transaction_id);
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, to);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", from);
  gst_opentok_rumor_frame_set_payload (frame, payload);
  bytes = frame_serialize (frame);
  envelope = gst_opentok_envelope_new (bytes, transaction_id);
  g_bytes_unref (bytes);
  return envelope;
}

static GstOpenTokEnvelope *
message_envelope_new (GstOpenTokServer * self, const gchar * to,
    const gchar * from, GstOpenTokRaptorMessage * raptor)
{
  GBytes *payload = gst_opentok_raptor_message_to_bytes (raptor);
  GstOpenTokEnvelope *envelope;

  envelope = message_envelope_new_for_payload (self, to, from, payload);
  g_bytes_unref (payload);
  return envelope;
}

/* Appends @str to @out as a JSON string, escaped as json-glib's generator
 * and gst_opentok_json_to_string() escape it. */
static void
json_append_string (GString * out, const gchar * str)
{
  const guchar *p = (const guchar *) str, *run = p;

  g_string_append_c (out, '"');
  for (; *p != '\0'; p++) {
    const gchar *escape;

    switch (*p) {
      case '"':
        escape = "\\\"";
        break;
      case '\\':
        escape = "\\\\";
        break;
      case '\b':
        escape = "\\b";
        break;
      case '\f':
        escape = "\\f";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      default:
        /* json-glib writes DEL as \u007f too */
        if (*p >= 0x20 && *p != 0x7f)
          continue;
        escape = NULL;
        break;
    }
    g_string_append_len (out, (const gchar *) run, p - run);
    if (escape != NULL)
      g_string_append (out, escape);
    else
      g_string_append_printf (out, "\\u%04x", *p);
    run = p + 1;
  }
  g_string_append_len (out, (const gchar *) run, p - run);
  g_string_append_c (out, '"');
}

/* The Raptor `signal` message a signal is relayed with, as
 * gst_opentok_raptor_message_to_bytes() writes it, without building it as
 * JSON objects first: this runs once per signal. @uri is a valid signal
 * uri (parsed from the request, or made by the server). */
static GBytes *
signal_payload_new (const gchar * uri, const gchar * type, const gchar * data)
{
  GString *out = g_string_sized_new (64 + strlen (uri) +
      (type ? strlen (type) : 0) + (data ? strlen (data) + 16 : 0));

  g_string_append (out, "{\"method\":\"signal\",\"uri\":");
  json_append_string (out, uri);
  g_string_append (out, ",\"content\":{");
  if (type != NULL && *type != '\0') {
    g_string_append (out, "\"type\":");
    json_append_string (out, type);
    if (data != NULL)
      g_string_append_c (out, ',');
  }
  if (data != NULL) {
    g_string_append (out, "\"data\":");
    json_append_string (out, data);
  }
  g_string_append (out, "}}");
  return g_string_free_to_bytes (out);
}

static gchar *
reason_body_new (const gchar * reason)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *root;
  gchar *body;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = gst_opentok_json_to_string (root, NULL);
  json_node_unref (root);
  g_object_unref (builder);
  return body;
}

/* ------------------------------------------------------------------------ */
/* Sockets                                                                  */

static void
socket_send (Socket * sock, GBytes * bytes)
{
  if (bytes != NULL)
    gst_opentok_ws_send (sock->ws, bytes);
}

/* A WebSocket close reason is at most 123 bytes; cut at a character. */
static void
socket_close (Socket * sock, gushort code, const gchar * reason)
{
  gchar buf[124];
  const gchar *end;

  /* once: what it already sent and is still handed to us is not acted on */
  if (sock->refused)
    return;
  sock->refused = TRUE;
  g_strlcpy (buf, reason ? reason : "", sizeof (buf));
  if (!g_utf8_validate (buf, -1, &end))
    buf[end - buf] = '\0';
  GST_DEBUG ("closing socket %p: %u %s", sock, code, buf);
  gst_opentok_ws_close (sock->ws, code, buf);
}

/* ------------------------------------------------------------------------ */
/* Members                                                                  */

static gboolean
member_grace_expired (gpointer user_data)
{
  Member *member = user_data;

  GST_INFO ("connection %s did not come back: deleting it", member->id);
  g_source_destroy (member->grace);
  g_source_unref (member->grace);
  member->grace = NULL;
  member_remove (member, "networkDisconnected");
  return G_SOURCE_REMOVE;
}

static void
member_cancel_grace (Member * member)
{
  if (member->grace == NULL)
    return;
  g_source_destroy (member->grace);
  g_source_unref (member->grace);
  member->grace = NULL;
}

/* The socket is gone: wait for a reconnection when the client can make one,
 * else the connection ends now. */
static void
member_detach (Member * member)
{
  GstOpenTokServer *self = member->server;

  if (member->socket != NULL) {
    member->socket->member = NULL;
    member->socket = NULL;
  }
  if (member->socket_id == NULL || self->cfg.reconnect_window == 0) {
    member_remove (member, "networkDisconnected");
    return;
  }
  if (member->grace != NULL)
    return;
  GST_INFO ("connection %s lost its socket: waiting %u ms for it",
      member->id, self->cfg.reconnect_window);
  member->grace = g_timeout_source_new (self->cfg.reconnect_window);
  g_source_set_callback (member->grace, member_grace_expired, member, NULL);
  g_source_attach (member->grace, self->context);
}

static void
member_send_pending (Member * member)
{
  GList *l;

  if (member->socket == NULL)
    return;
  for (l = member->pending.head; l != NULL; l = l->next) {
    GstOpenTokEnvelope *envelope = l->data;

    socket_send (member->socket, envelope->frame);
  }
}

static gboolean
member_overflow_idle (gpointer user_data)
{
  GstOpenTokServer *self = user_data;
  GHashTableIter iter, miter;
  Session *session;
  Member *member;
  GSList *victims = NULL, *l;

  /* collect first: removal changes the tables */
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    g_hash_table_iter_init (&miter, session->members);
    while (g_hash_table_iter_next (&miter, NULL, (gpointer *) & member)) {
      if (member->overflowing)
        victims = g_slist_prepend (victims, member);
    }
  }
  for (l = victims; l != NULL; l = l->next) {
    member = l->data;
    metrics_count_error (self, 1008);
    if (member->socket)
      socket_close (member->socket, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
          "Too many unacknowledged messages");
    member_remove (member, "networkDisconnected");
  }
  g_slist_free (victims);
  return G_SOURCE_REMOVE;
}

/* Router callback: queue until acknowledged, send when attached. */
static void
member_deliver (gpointer subscriber, GstOpenTokEnvelope * envelope)
{
  Member *member = subscriber;
  GstOpenTokServer *self = member->server;

  if (member->overflowing)
    return;
  if (member->pending.length >= self->cfg.max_pending_messages ||
      member->pending_bytes >= self->cfg.max_pending_bytes) {
    /* removing it here would change the subscriber list being walked */
    GSource *idle = g_idle_source_new ();

    member->overflowing = TRUE;
    GST_WARNING ("connection %s has %u unacknowledged messages (%"
        G_GSIZE_FORMAT " bytes): dropping it", member->id,
        member->pending.length, member->pending_bytes);
    g_source_set_callback (idle, member_overflow_idle,
        gst_object_ref (self), gst_object_unref);
    g_source_attach (idle, self->context);
    g_source_unref (idle);
    return;
  }

  g_queue_push_tail (&member->pending, gst_opentok_envelope_ref (envelope));
  member->pending_bytes += g_bytes_get_size (envelope->frame);
  if (member->pending_index != NULL)
    g_hash_table_insert (member->pending_index, envelope->transaction_id,
        member->pending.tail);
  self->metrics.messages_sent++;
  if (member->socket)
    socket_send (member->socket, envelope->frame);
}

static void
member_index_pending (Member * member)
{
  GList *l;

  member->pending_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (l = member->pending.head; l != NULL; l = l->next)
    g_hash_table_insert (member->pending_index,
        ((GstOpenTokEnvelope *) l->data)->transaction_id, l);
}

static void
member_acknowledge (Member * member, const gchar * transaction_id)
{
  GList *link = member->pending.head;

  if (link == NULL)
    return;
  /* clients acknowledge in the order they receive: the oldest message is
   * the one almost always, and the index is only built when it is not */
  if (!g_str_equal (((GstOpenTokEnvelope *) link->data)->transaction_id,
          transaction_id)) {
    if (member->pending_index == NULL)
      member_index_pending (member);
    link = g_hash_table_lookup (member->pending_index, transaction_id);
    if (link == NULL)
      return;
  }
  if (member->pending_index != NULL)
    g_hash_table_remove (member->pending_index, transaction_id);
  member->pending_bytes -= g_bytes_get_size (((GstOpenTokEnvelope *)
          link->data)->frame);
  gst_opentok_envelope_unref (link->data);
  g_queue_delete_link (&member->pending, link);
  if (member->pending.length == 0)
    g_clear_pointer (&member->pending_index, g_hash_table_unref);
}

static void
stored_reply_free (StoredReply * reply)
{
  g_free (reply->body);
  g_free (reply);
}

static void
member_forget_old_replies (Member * member, gint64 now)
{
  while (member->reply_order.head != NULL) {
    const gchar *id = member->reply_order.head->data;
    StoredReply *reply = g_hash_table_lookup (member->replies, id);

    if (reply->expires > now)
      break;
    g_queue_pop_head (&member->reply_order);
    g_hash_table_remove (member->replies, id);
  }
}

/* Returns the reply stored, NULL when one was already. */
static StoredReply *
member_store_reply (Member * member, const gchar * transaction_id,
    guint status, const gchar * body)
{
  StoredReply *reply;
  gchar *key;

  if (member->replies == NULL)
    member->replies = g_hash_table_new_full (g_str_hash, g_str_equal,
        g_free, (GDestroyNotify) stored_reply_free);
  if (g_hash_table_contains (member->replies, transaction_id))
    return NULL;
  member_forget_old_replies (member, g_get_monotonic_time ());
  reply = g_new (StoredReply, 1);
  reply->status = status;
  reply->body = g_strdup (body);
  reply->session_state = FALSE;
  reply->expires = g_get_monotonic_time () + REPLY_MEMORY_US;
  key = g_strdup (transaction_id);
  g_hash_table_insert (member->replies, key, reply);
  g_queue_push_tail (&member->reply_order, key);
  return reply;
}

static JsonNode *
member_to_json (Member * member)
{
  JsonBuilder *builder = json_builder_new ();
  const gchar *const *permission;
  JsonNode *node;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, member->id);
  json_builder_set_member_name (builder, "creationTime");
  json_builder_add_int_value (builder, member->creation_time);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, member->data ? member->data : "");
  json_builder_set_member_name (builder, "permissions");
  json_builder_begin_array (builder);
  for (permission = gst_opentok_role_get_permissions (member->role);
      *permission != NULL; permission++)
    json_builder_add_string_value (builder, *permission);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_object_unref (builder);
  return node;
}

static gchar *
connection_uri_new (GstOpenTokServer * self, Session * session,
    const gchar * connection_id)
{
  return g_strdup_printf ("%s/connection/%s", session->topic, connection_id);
}

/* connection#created or #deleted, to every member subscribed to the
 * session topic. */
static void
session_publish_connection_event (GstOpenTokServer * self, Session * session,
    Member * member, const gchar * method, const gchar * reason)
{
  GstOpenTokRaptorMessage *raptor;
  GstOpenTokEnvelope *envelope;
  JsonObject *content;
  JsonNode *node;
  gchar *uri;

  if (reason == NULL) {
    node = member_to_json (member);
    content = json_object_ref (json_node_get_object (node));
    json_node_unref (node);
  } else {
    content = json_object_new ();
  }
  uri = connection_uri_new (self, session, member->id);
  raptor = gst_opentok_raptor_message_new (method, uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  if (raptor == NULL)
    return;
  if (reason != NULL)
    gst_opentok_raptor_message_set_reason (raptor, reason);

  envelope = message_envelope_new (self, session->topic,
      GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, raptor);
  gst_opentok_router_publish (self->router, session->topic, envelope);
  gst_opentok_envelope_unref (envelope);
  gst_opentok_raptor_message_unref (raptor);
}

static void
member_free (Member * member)
{
  GstOpenTokEnvelope *envelope;

  member_cancel_grace (member);
  while ((envelope = g_queue_pop_head (&member->pending)))
    gst_opentok_envelope_unref (envelope);
  if (member->pending_index)
    g_hash_table_unref (member->pending_index);
  g_queue_clear (&member->reply_order);
  if (member->replies)
    g_hash_table_unref (member->replies);
  g_free (member->socket_id);
  g_free (member->data);
  g_free (member->id);
  g_free (member);
}

/* Takes the connection out of its session and of every table. */
static void
member_unlink (Member * member)
{
  GstOpenTokServer *self = member->server;
  Session *session = member->session;

  if (member->socket) {
    member->socket->member = NULL;
    member->socket = NULL;
  }
  gst_opentok_router_unsubscribe (self->router, session->topic, member);
  gst_opentok_router_unsubscribe (self->router, member->id, member);
  if (member->socket_id)
    g_hash_table_remove (self->members_by_socket_id, member->socket_id);
  g_queue_delete_link (&session->order, member->order_link);
  g_hash_table_steal (session->members, member->id);
}

/* Deletes the connection and tells the rest of the session why. */
static void
member_remove (Member * member, const gchar * reason)
{
  GST_INFO ("connection %s leaves session %s: %s", member->id,
      member->session->id, reason);
  member_unlink (member);
  session_publish_connection_event (member->server, member->session, member,
      "deleted", reason);
  emit_connection (member->server, SIGNAL_CONNECTION_DESTROYED,
      member->session, member, reason);
  member_free (member);
}

static gboolean
force_close_timeout (gpointer user_data)
{
  Socket *sock = user_data;

  g_source_unref (sock->close_timer);
  sock->close_timer = NULL;
  socket_close (sock, SOUP_WEBSOCKET_CLOSE_NORMAL, "Force disconnected");
  return G_SOURCE_REMOVE;
}

/* Force disconnect: the victim hears of its own deletion too (it is still
 * subscribed when the event goes out), then leaves by itself; its socket
 * is closed after a grace if it does not. */
static void
member_force_disconnect (Member * member)
{
  Socket *sock = member->socket;

  GST_INFO ("force disconnecting connection %s", member->id);
  session_publish_connection_event (member->server, member->session, member,
      "deleted", "forceDisconnected");
  if (sock != NULL && sock->close_timer == NULL) {
    sock->leaving = TRUE;
    sock->close_timer = g_timeout_source_new (FORCE_DISCONNECT_GRACE_MS);
    g_source_set_callback (sock->close_timer, force_close_timeout, sock, NULL);
    g_source_attach (sock->close_timer, member->server->context);
  }
  member_unlink (member);
  emit_connection (member->server, SIGNAL_CONNECTION_DESTROYED,
      member->session, member, "forceDisconnected");
  member_free (member);
}

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */

/* Relays one validated signal: to @to, or to the whole session (the sender
 * included) when @to is NULL. @from is "" for the server itself. The frame is
 * built once and shared by every receiver. */
static void
session_relay_signal (GstOpenTokServer * self, Session * session,
    const gchar * from, Member * to, const gchar * type, const gchar * data,
    const gchar * uri)
{
  GstOpenTokEnvelope *envelope;
  const gchar *address = to ? to->id : session->topic;
  gchar *own_uri = NULL;
  GBytes *payload;
  guint delivered;
  GQuark detail;

  if (uri == NULL) {
    gchar *id = gst_opentok_uuid_new ();

    if (to != NULL)
      own_uri = g_strdup_printf ("%s/connection/%s/signal/%s", session->topic,
          to->id, id);
    else
      own_uri = g_strdup_printf ("%s/signal/%s", session->topic, id);
    g_free (id);
    uri = own_uri;
  }
  payload = signal_payload_new (uri, type, data);
  g_free (own_uri);

  envelope = message_envelope_new_for_payload (self, address, from, payload);
  g_bytes_unref (payload);
  delivered = gst_opentok_router_publish (self->router, address, envelope);
  gst_opentok_envelope_unref (envelope);

  self->metrics.signals_received++;
  self->metrics.signals_delivered += delivered;
  GST_LOG ("signal from '%s' to %s delivered to %u", from, address, delivered);

  /* never intern network input: the quark exists when someone listens */
  detail = (type != NULL && *type != '\0') ? g_quark_try_string (type) : 0;
  if (g_signal_has_handler_pending (self,
          gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED], detail, FALSE)) {
    GstOpenTokSignal *signal = gst_opentok_signal_new_received (type, data,
        *from != '\0' ? from : NULL, FALSE);

    if (to != NULL)
      gst_opentok_signal_set_to (signal, to->id);
    g_signal_emit (self, gst_opentok_server_signals[SIGNAL_SIGNAL_RECEIVED],
        detail, session->id, signal);
    gst_opentok_signal_unref (signal);
  }
}

static gboolean
member_take_signal_token (Member * member)
{
  GstOpenTokServer *self = member->server;
  gint64 now;

  if (self->cfg.signal_rate <= 0)
    return TRUE;
  now = g_get_monotonic_time ();
  member->tokens += (now - member->tokens_time) * self->cfg.signal_rate /
      G_USEC_PER_SEC;
  member->tokens = MIN (member->tokens, self->cfg.signal_burst);
  member->tokens_time = now;
  if (member->tokens < 1)
    return FALSE;
  member->tokens -= 1;
  return TRUE;
}

/* The checks common to every way a signal enters: fields, then target. */
static gboolean
session_check_signal (Session * session, const gchar * type,
    const gchar * data, const gchar * to, Member ** target, GError ** error)
{
  if (!gst_opentok_signal_validate_fields (type, type ? strlen (type) : 0,
          data, data ? strlen (data) : 0, error))
    return FALSE;
  *target = NULL;
  if (to != NULL) {
    *target = g_hash_table_lookup (session->members, to);
    if (*target == NULL) {
      g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND,
          "The connection %s is not connected to the session", to);
      return FALSE;
    }
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Raptor requests                                                          */

/* Sends a STATUS reply; socket_reply () also keeps it for a re-sent
 * request. */
static void
socket_send_reply (Socket * sock, const gchar * transaction_id, guint status,
    const gchar * body)
{
  Member *member = sock->member;
  const gchar *to = member ? member->id : sock->unique_id;
  GBytes *bytes;

  if (status >= 300)
    metrics_count_error (sock->server, status);
  bytes = status_frame_new (to ? to : "", transaction_id, status, body);
  socket_send (sock, bytes);
  if (bytes)
    g_bytes_unref (bytes);
}

static void
socket_reply (Socket * sock, const gchar * transaction_id, guint status,
    const gchar * body)
{
  if (sock->member != NULL)
    member_store_reply (sock->member, transaction_id, status, body);
  socket_send_reply (sock, transaction_id, status, body);
}

static void
socket_reply_error (Socket * sock, const gchar * transaction_id,
    guint status, const gchar * reason)
{
  gchar *body = reason_body_new (reason);

  GST_INFO ("request %s refused with %u: %s", transaction_id, status, reason);
  socket_reply (sock, transaction_id, status, body);
  g_free (body);
}

static void
socket_reply_gerror (Socket * sock, const gchar * transaction_id,
    const GError * error)
{
  guint status = 400;

  if (error->domain == GST_OPENTOK_SIGNAL_ERROR)
    status = error->code;
  else if (error->domain == GST_OPENTOK_TOKEN_ERROR)
    status = 403;
  socket_reply_error (sock, transaction_id, status, error->message);
}

static gchar *
session_state_new (Session * session)
{
  JsonObject *state = json_object_new ();
  JsonArray *connections = json_array_new ();
  JsonNode *root;
  GList *l;
  gchar *text;

  for (l = session->order.head; l != NULL; l = l->next)
    json_array_add_element (connections, member_to_json (l->data));
  json_object_set_string_member (state, "id", session->id);
  json_object_set_array_member (state, "connection", connections);
  json_object_set_array_member (state, "stream", json_array_new ());
  json_object_set_array_member (state, "archive", json_array_new ());
  root = json_node_init_object (json_node_alloc (), state);
  text = gst_opentok_json_to_string (root, NULL);
  json_node_unref (root);
  json_object_unref (state);
  return text;
}

/* Connection ids and socket ids become Rumor addresses and URI segments. */
static gboolean
is_valid_id (const gchar * id)
{
  const gchar *p;

  if (id == NULL || *id == '\0' || strlen (id) > 255)
    return FALSE;
  for (p = id; *p; p++) {
    if (!g_ascii_isalnum (*p) && !strchr ("-_.~", *p))
      return FALSE;
  }
  return TRUE;
}

static void
handle_connection_create (Socket * sock, const gchar * transaction_id,
    GstOpenTokRumorFrame * frame, GstOpenTokRaptorMessage * raptor)
{
  GstOpenTokServer *self = sock->server;
  const gchar *partner = gst_opentok_raptor_message_get_param (raptor,
      "partner");
  const gchar *session_id = gst_opentok_raptor_message_get_param (raptor,
      "session");
  const gchar *connection_id = gst_opentok_raptor_message_get_param (raptor,
      "connection");
  const gchar *token_string = gst_opentok_rumor_frame_get_header (frame,
      "X-TB-TOKEN-AUTH");
  GstOpenTokToken *token;
  GError *error = NULL;
  Session *session;
  Member *member;
  gchar *state;

  if (sock->member != NULL) {
    socket_reply_error (sock, transaction_id, 400,
        "This socket is already connected to a session");
    return;
  }
  if (sock->unique_id == NULL) {
    socket_reply_error (sock, transaction_id, 400,
        "CONNECT must come before the connection is created");
    return;
  }
  if (g_strcmp0 (connection_id, sock->unique_id) != 0) {
    socket_reply_error (sock, transaction_id, 400,
        "The connection id differs from the uniqueId given in CONNECT");
    return;
  }
  if (g_strcmp0 (partner, self->cfg.api_key) != 0) {
    socket_reply_error (sock, transaction_id, 403, "Unknown API key");
    return;
  }
  if (token_string == NULL || *token_string == '\0') {
    socket_reply_error (sock, transaction_id, 403,
        "The X-TB-TOKEN-AUTH header with the client token is missing");
    return;
  }
  token = gst_opentok_token_verify (token_string, self->cfg.api_key,
      self->cfg.api_secret, session_id, 0, &error);
  if (token == NULL) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }
  session = session_id ? g_hash_table_lookup (self->sessions, session_id) :
      NULL;
  if (session == NULL) {
    socket_reply_error (sock, transaction_id, 404, "Session not found");
    goto out;
  }
  if (g_hash_table_contains (session->members, connection_id)) {
    socket_reply_error (sock, transaction_id, 409,
        "The connection id is already in use in this session");
    goto out;
  }
  if (sock->socket_id != NULL &&
      g_hash_table_contains (self->members_by_socket_id, sock->socket_id)) {
    socket_reply_error (sock, transaction_id, 409,
        "The socketId is already in use");
    goto out;
  }

  member = g_new0 (Member, 1);
  member->server = self;
  member->session = session;
  member->id = g_strdup (connection_id);
  member->socket_id = g_strdup (sock->socket_id);
  member->data = g_strdup (gst_opentok_token_get_connection_data (token));
  member->role = gst_opentok_token_get_role (token);
  member->creation_time = g_get_real_time () / 1000;
  member->tokens = self->cfg.signal_burst;
  member->tokens_time = g_get_monotonic_time ();
  g_queue_init (&member->pending);
  g_queue_init (&member->reply_order);

  g_hash_table_insert (session->members, member->id, member);
  g_queue_push_tail (&session->order, member);
  member->order_link = session->order.tail;
  if (member->socket_id)
    g_hash_table_insert (self->members_by_socket_id, member->socket_id, member);
  member->socket = sock;
  sock->member = member;
  gst_opentok_router_subscribe (self->router, session->topic, member);
  gst_opentok_router_subscribe (self->router, member->id, member);
  self->metrics.connections_total++;

  GST_INFO ("connection %s joins session %s as %s", member->id, session->id,
      gst_opentok_role_to_string (member->role));

  /* the state first: it lists the newcomer, whose own connection#created
   * then completes its connect */
  state = session_state_new (session);
  /* a re-sent create gets the session as it is then: the state of a large
   * session is not kept for every member that joined it */
  member_store_reply (member, transaction_id, 200, NULL)->session_state = TRUE;
  socket_send_reply (sock, transaction_id, 200, state);
  g_free (state);
  session_publish_connection_event (self, session, member, "created", NULL);
  emit_connection (self, SIGNAL_CONNECTION_CREATED, session, member, NULL);

out:
  gst_opentok_token_unref (token);
}

static void
handle_signal (Socket * sock, const gchar * transaction_id,
    GstOpenTokRaptorMessage * raptor)
{
  Member *member = sock->member;
  const gchar *type, *data;
  Member *target;
  GError *error = NULL;

  if (g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "session"),
          member->session->id) != 0 ||
      g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "partner"),
          member->server->cfg.api_key) != 0) {
    socket_reply_error (sock, transaction_id, 403,
        "Signals can only be sent to the session the connection is in");
    return;
  }
  if (!gst_opentok_rest_read_signal_content
      (gst_opentok_raptor_message_get_content (raptor), &type, &data,
          &error) ||
      !session_check_signal (member->session, type, data,
          gst_opentok_raptor_message_get_param (raptor, "connection"),
          &target, &error)) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }
  if (!member_take_signal_token (member)) {
    socket_reply_error (sock, transaction_id, 429,
        "Too many signals: the connection exceeded its signal rate");
    return;
  }
  socket_reply (sock, transaction_id, 200, NULL);
  session_relay_signal (member->server, member->session, member->id, target,
      type, data, gst_opentok_raptor_message_get_uri (raptor));
}

static void
handle_connection_delete (Socket * sock, const gchar * transaction_id,
    GstOpenTokRaptorMessage * raptor)
{
  Member *member = sock->member;
  const gchar *victim_id = gst_opentok_raptor_message_get_param (raptor,
      "connection");
  Member *victim;

  if (g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "session"),
          member->session->id) != 0) {
    socket_reply_error (sock, transaction_id, 403,
        "Connections can only be deleted in the session the connection is in");
    return;
  }
  if (!gst_opentok_role_has_permission (member->role, "forcedisconnect")) {
    socket_reply_error (sock, transaction_id, 403,
        "This token's role does not allow forcing a disconnection");
    return;
  }
  victim = victim_id ? g_hash_table_lookup (member->session->members,
      victim_id) : NULL;
  if (victim == NULL) {
    socket_reply_error (sock, transaction_id, 404,
        "The connection is not connected to the session");
    return;
  }
  socket_reply (sock, transaction_id, 200, NULL);
  member_force_disconnect (victim);
}

static void
handle_request (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *transaction_id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  GstOpenTokRaptorMessage *raptor;
  const gchar *method, *resource;
  GError *error = NULL;
  GBytes *payload;
  gsize size;
  const gchar *data;

  if (transaction_id == NULL || *transaction_id == '\0') {
    metrics_count_error (sock->server, 400);
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
        "MESSAGE without TRANSACTION-ID");
    return;
  }
  /* a request re-sent after a reconnection: answer again, act once */
  if (sock->member != NULL && sock->member->replies != NULL) {
    StoredReply *reply = g_hash_table_lookup (sock->member->replies,
        transaction_id);

    if (reply != NULL) {
      gchar *state = reply->session_state ?
          session_state_new (sock->member->session) : NULL;
      GBytes *bytes = status_frame_new (sock->member->id, transaction_id,
          reply->status, state ? state : reply->body);

      g_free (state);
      GST_DEBUG ("replaying the reply to request %s", transaction_id);
      socket_send (sock, bytes);
      if (bytes)
        g_bytes_unref (bytes);
      return;
    }
  }
  if (gst_opentok_rumor_frame_get_n_addresses (frame) != 1 ||
      g_strcmp0 (gst_opentok_rumor_frame_get_address (frame, 0),
          GST_OPENTOK_SERVER_SYMPHONY_ADDRESS) != 0) {
    socket_reply_error (sock, transaction_id, 400,
        "Requests must be addressed to the symphony address only");
    return;
  }

  payload = gst_opentok_rumor_frame_get_payload (frame);
  data = g_bytes_get_data (payload, &size);
  raptor = gst_opentok_raptor_message_parse (data, size, &error);
  if (raptor == NULL) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }

  method = gst_opentok_raptor_message_get_method (raptor);
  resource = gst_opentok_raptor_message_get_resource (raptor);
  if (g_str_equal (resource, "connection") && g_str_equal (method, "create")) {
    handle_connection_create (sock, transaction_id, frame, raptor);
  } else if (sock->member == NULL) {
    socket_reply_error (sock, transaction_id, 403,
        "The connection has not joined a session");
  } else if (g_str_equal (resource, "signal") && g_str_equal (method, "signal")) {
    handle_signal (sock, transaction_id, raptor);
  } else if (g_str_equal (resource, "connection")
      && g_str_equal (method, "delete")) {
    handle_connection_delete (sock, transaction_id, raptor);
  } else if (g_str_equal (resource, "session")
      && g_str_equal (method, "read")) {
    gchar *state = session_state_new (sock->member->session);

    socket_reply (sock, transaction_id, 200, state);
    g_free (state);
  } else {
    gchar *reason = g_strdup_printf ("This server only does signaling: "
        "'%s' on '%s' is not supported", method, resource);

    socket_reply_error (sock, transaction_id, 400, reason);
    g_free (reason);
  }
  gst_opentok_raptor_message_unref (raptor);
}

/* ------------------------------------------------------------------------ */
/* Rumor sockets                                                            */

static void
handle_connect (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *unique_id = gst_opentok_rumor_frame_get_header (frame,
      "uniqueId");

  if (sock->unique_id != NULL) {
    metrics_count_error (sock->server, 400);
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
        "CONNECT was already sent on this socket");
    return;
  }
  if (!is_valid_id (unique_id)) {
    metrics_count_error (sock->server, 400);
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "CONNECT needs a uniqueId of letters, digits and -_.~");
    return;
  }
  sock->unique_id = g_strdup (unique_id);
}

static void
handle_disconnect (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *reconnect = gst_opentok_rumor_frame_get_header (frame,
      "reconnect");

  /* "1": this socket is being replaced; its successor rebinds by socketId */
  if (g_strcmp0 (reconnect, "1") == 0)
    return;
  sock->leaving = TRUE;
  if (sock->member != NULL)
    member_remove (sock->member, "clientDisconnected");
}

/* A PING as every client sends it, and its answer */
static const guint8 rumor_ping[] = { 0, 0, 0, 5, 0, 0, 7, 0, 0 };
static const guint8 rumor_pong[] = { 0, 0, 0, 5, 0, 0, 8, 0, 0 };

/* On the I/O threads: an idle client PINGs every two seconds, and its PONG
 * need not wake the server thread. Other PINGs are parsed there. */
static GBytes *
socket_answer (SoupWebsocketDataType type, GBytes * message)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (message, &size);

  if (type != SOUP_WEBSOCKET_DATA_BINARY || size != sizeof (rumor_ping) ||
      memcmp (data, rumor_ping, size) != 0)
    return NULL;
  return g_bytes_new_static (rumor_pong, sizeof (rumor_pong));
}

static void
socket_on_message (GstOpenTokWs * ws, SoupWebsocketDataType type,
    GBytes * message, gpointer user_data)
{
  Socket *sock = user_data;
  GstOpenTokServer *self = sock->server;
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  if (sock->refused)
    return;
  self->metrics.frames_received++;
  if (type != SOUP_WEBSOCKET_DATA_BINARY) {
    metrics_count_error (self, 400);
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA,
        "Rumor frames are binary WebSocket messages");
    return;
  }
  frame = gst_opentok_rumor_frame_parse (message, self->cfg.max_frame_size,
      &error);
  if (frame == NULL && g_error_matches (error, GST_OPENTOK_PROTOCOL_ERROR,
          GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED)) {
    /* a sound frame of a type we do not know: dropped, as opentok.js does */
    GST_DEBUG ("socket %p: %s", sock, error->message);
    g_error_free (error);
    return;
  }
  if (frame == NULL) {
    GST_INFO ("malformed frame from socket %p: %s", sock, error->message);
    metrics_count_error (self, error->code ==
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE ? 413 : 400);
    socket_close (sock, error->code == GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE ?
        SOUP_WEBSOCKET_CLOSE_TOO_BIG : SOUP_WEBSOCKET_CLOSE_BAD_DATA,
        error->message);
    g_error_free (error);
    return;
  }

  GST_TRACE ("socket %p: %s", sock, gst_opentok_rumor_type_to_string
      (gst_opentok_rumor_frame_get_message_type (frame)));
  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_CONNECT:
      handle_connect (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      handle_request (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_STATUS:{
      const gchar *id = gst_opentok_rumor_frame_get_header (frame,
          "TRANSACTION-ID");

      if (sock->member != NULL && id != NULL)
        member_acknowledge (sock->member, id);
      break;
    }
    case GST_OPENTOK_RUMOR_TYPE_PING:{
      GBytes *bytes = g_bytes_new_static (rumor_pong, sizeof (rumor_pong));

      socket_send (sock, bytes);
      g_bytes_unref (bytes);
      break;
    }
    case GST_OPENTOK_RUMOR_TYPE_DISCONNECT:
      handle_disconnect (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE:
    case GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE:
      /* membership follows the session the token admits the connection
       * to; a client cannot subscribe itself to other topics */
    case GST_OPENTOK_RUMOR_TYPE_PONG:
    default:
      break;
  }
  gst_opentok_rumor_frame_unref (frame);
}

static void
socket_free (Socket * sock)
{
  if (sock->close_timer) {
    g_source_destroy (sock->close_timer);
    g_source_unref (sock->close_timer);
  }
  gst_opentok_ws_release (sock->ws);
  g_free (sock->socket_id);
  g_free (sock->unique_id);
  g_free (sock);
}

/* The last call for @sock's WebSocket. */
static void
socket_on_closed (GstOpenTokWs * ws, gushort close_code, gpointer user_data)
{
  Socket *sock = user_data;
  GstOpenTokServer *self = sock->server;

  GST_DEBUG ("socket %p closed (code %u)", sock, close_code);
  /* 1001 is a browser leaving the page: opentok.js never closes with it
   * when it means to come back, so the connection ends now instead of
   * lingering for the whole reconnect window */
  if (sock->member != NULL && !self->shutting_down) {
    if (close_code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
      member_remove (sock->member, "networkDisconnected");
    else
      member_detach (sock->member);
  }
  g_queue_delete_link (&self->sockets, sock->link);
  sock->link = NULL;
  socket_free (sock);
}

/* The handshake's answer is out: the connection becomes a Rumor socket on
 * one of the I/O threads. */
static void
server_on_upgraded (SoupServerMessage * msg, GstOpenTokServer * self)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *query = g_uri_get_query (uri);
  GSocket *tcp = soup_server_message_get_socket (msg);
  GList *extensions = g_object_steal_data (G_OBJECT (msg),
      "gst-opentok-extensions");
  GHashTable *params = NULL;
  gboolean reconnect = FALSE, over_limit;
  GIOStream *stream;
  Socket *sock;

  g_object_ref (msg);
  sock = g_new0 (Socket, 1);
  sock->server = self;
  /* Rumor frames are small and each is a message of its own: Nagle's
   * algorithm would hold one back until the previous one is acknowledged
   * (up to the peer's delayed-ACK timeout, 40 ms on Linux) */
  if (tcp != NULL)
    g_socket_set_option (tcp, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  over_limit = self->sockets.length >= self->cfg.max_connections;
  sock->opened_time = g_get_monotonic_time ();
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL) {
    const gchar *socket_id = g_hash_table_lookup (params, "socketId");

    if (is_valid_id (socket_id))
      sock->socket_id = g_strdup (socket_id);
    reconnect = g_strcmp0 (g_hash_table_lookup (params, "reconnect"),
        "true") == 0;
    g_hash_table_unref (params);
  }
  GST_DEBUG ("socket %p opened from %s (socketId %s%s)", sock,
      soup_server_message_get_remote_host (msg),
      GST_STR_NULL (sock->socket_id), reconnect ? ", reconnecting" : "");

  stream = soup_server_message_steal_connection (msg);
  /* libsoup 3.2 drops the TCP connection without a close frame when a
   * message passes its limit, so it only cuts grossly oversized ones before
   * they are read; anything over our limit below that gets a clean 1009
   * from the frame parser. Either way memory stays bounded. */
  sock->ws = gst_opentok_ws_pool_adopt (self->ws_pool, stream, tcp, uri,
      soup_message_headers_get_one (soup_server_message_get_request_headers
          (msg), "Origin"),
      soup_message_headers_get_one (soup_server_message_get_response_headers
          (msg), "Sec-WebSocket-Protocol"), extensions,
      (guint64) self->cfg.max_frame_size * 2, sock);
  g_object_unref (stream);
  g_object_unref (msg);
  g_queue_push_tail (&self->sockets, sock);
  sock->link = self->sockets.tail;
  if (over_limit) {
    GST_WARNING ("refusing a socket: %u are open already",
        self->cfg.max_connections);
    self->metrics.connections_refused++;
    sock->leaving = TRUE;
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "Too many connections: try again later");
    return;
  }


  if (reconnect) {
    Member *member = sock->socket_id ?
        g_hash_table_lookup (self->members_by_socket_id, sock->socket_id) :
        NULL;

    if (member == NULL) {
      /* 1011 tells the client to stop retrying */
      metrics_count_error (self, 404);
      socket_close (sock, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
          "Unknown socketId: the connection is gone");
      return;
    }
    if (member->socket != NULL)
      member->socket->member = NULL;
    member_cancel_grace (member);
    member->socket = sock;
    sock->member = member;
    sock->unique_id = g_strdup (member->id);
    self->metrics.reconnections++;
    GST_INFO ("connection %s reconnected, re-sending %u messages",
        member->id, member->pending.length);
    member_send_pending (member);
  }
}

static void
extensions_free (gpointer extensions)
{
  g_list_free_full (extensions, g_object_unref);
}

/* The Rumor endpoint. SoupServer's own WebSocket handler would make the
 * WebSocket on this thread's context; the server answers the handshake
 * itself and hands the connection to an I/O thread. */
static void
server_on_rumor_request (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  GstOpenTokServer *self = user_data;
  GList *extensions = NULL;

  /* on failure it sets the error status itself */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL,
          self->websocket_extensions, &extensions))
    return;
  g_object_set_data_full (G_OBJECT (msg), "gst-opentok-extensions",
      extensions, extensions_free);
  g_signal_connect (msg, "wrote-informational",
      G_CALLBACK (server_on_upgraded), self);
}

/* Once a second: close sockets that went silent or never joined. */
static gboolean
server_sweep (gpointer user_data)
{
  GstOpenTokServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GList *l, *next;

  for (l = self->sockets.head; l != NULL; l = next) {
    Socket *sock = l->data;

    next = l->next;
    if (now - gst_opentok_ws_get_last_message_time (sock->ws) >
        self->cfg.liveness_timeout) {
      socket_close (sock, CLOSE_NO_ACTIVITY, "No activity");
    } else if (sock->member == NULL && !sock->leaving &&
        now - sock->opened_time > JOIN_TIMEOUT_US) {
      socket_close (sock, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
          "No session joined in time");
    }
  }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */

static void
http_respond_json (SoupServerMessage * msg, guint status, JsonNode * root)
{
  gsize length;
  gchar *text = gst_opentok_json_to_string (root, NULL);

  length = strlen (text);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, text, length);
}

/* libsoup 3.2 closes the connection after every 204, whatever the headers:
 * say so, or keep-alive clients (the Node SDK's agent) send their next
 * request on a dead socket and see "socket hang up". */
static void
http_respond_no_content (SoupServerMessage * msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

/* REST errors: {"code": N, "message": "..."} with status N. */
static void
http_respond_error (GstOpenTokServer * self, SoupServerMessage * msg,
    guint status, const gchar * message)
{
  JsonObject *object = json_object_new ();
  JsonNode *root;

  GST_INFO ("%s %s: %u %s", soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)), status, message);
  metrics_count_error (self, status);
  json_object_set_int_member (object, "code", status);
  json_object_set_string_member (object, "message", message);
  root = json_node_init_object (json_node_alloc (), object);
  http_respond_json (msg, status, root);
  json_node_unref (root);
  json_object_unref (object);
}

static void
http_respond_gerror (GstOpenTokServer * self, SoupServerMessage * msg,
    const GError * error)
{
  guint status = SOUP_STATUS_BAD_REQUEST;

  if (error->domain == GST_OPENTOK_SIGNAL_ERROR)
    status = error->code;
  else if (error->domain == GST_OPENTOK_TOKEN_ERROR)
    status = SOUP_STATUS_FORBIDDEN;
  http_respond_error (self, msg, status, error->message);
}

static void
http_add_cors (SoupServerMessage * msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const gchar *origin = soup_message_headers_get_one (request, "Origin");
  const gchar *wanted;

  /* no credentials are involved, so any origin may read the answers */
  soup_message_headers_replace (response, "Access-Control-Allow-Origin",
      origin ? origin : "*");
  if (origin)
    soup_message_headers_append (response, "Vary", "Origin");
  if (soup_server_message_get_method (msg) != SOUP_METHOD_OPTIONS)
    return;
  soup_message_headers_replace (response, "Access-Control-Allow-Methods",
      "GET, POST, DELETE, OPTIONS");
  wanted = soup_message_headers_get_one (request,
      "Access-Control-Request-Headers");
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
      wanted ? wanted : "X-OPENTOK-AUTH, X-TB-VERSION, X-TB-CLIENT-VERSION, "
      "X-TB-CONNECTIONID, X-TB-TOKEN-AUTH, Content-Type");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "600");
}

static gchar *
http_date_new (GDateTime * time)
{
  GDateTime *utc = g_date_time_to_utc (time);
  gchar *text = g_date_time_format (utc, "%a, %d %b %Y %H:%M:%S GMT");

  g_date_time_unref (utc);
  return text;
}

/* The WebSocket URL for a caller: from --public-url, else from the address
 * the caller reached us at, so that it works behind any loopback name. */
static gchar *
messaging_url_new (GstOpenTokServer * self, SoupServerMessage * msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *host;
  gboolean secure;

  if (self->cfg.public_url != NULL) {
    const gchar *rest = self->cfg.public_url;

    secure = g_str_has_prefix (rest, "https://");
    rest = strstr (rest, "://");
    rest = rest ? rest + 3 : self->cfg.public_url;
    return g_strdup_printf ("%s://%s%s%s", secure ? "wss" : "ws", rest,
        g_str_has_suffix (rest, "/") ? "" : "/",
        &GST_OPENTOK_SERVER_RUMOR_PATH[1]);
  }
  host = soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Host");
  secure = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  if (host == NULL || *host == '\0' || strpbrk (host, "/?#@ ") != NULL) {
    return g_strdup_printf ("%s://%s:%d%s", secure ? "wss" : "ws",
        g_uri_get_host (uri), g_uri_get_port (uri),
        GST_OPENTOK_SERVER_RUMOR_PATH);
  }
  return g_strdup_printf ("%s://%s%s", secure ? "wss" : "ws", host,
      GST_OPENTOK_SERVER_RUMOR_PATH);
}

/* Session info errors travel as 200 with an error element: opentok.js maps
 * error.code 403 to 1004 (authentication) and 404 to 1005 (session id). */
static void
anvil_respond_error (GstOpenTokServer * self, SoupServerMessage * msg,
    guint code, const gchar * message)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *root;

  GST_INFO ("session info refused with %u: %s", code, message);
  metrics_count_error (self, code);
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "errorMessage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
}

static void
handle_session_info (GstOpenTokServer * self, SoupServerMessage * msg,
    const gchar * session_id)
{
  const gchar *token_string =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "X-OPENTOK-AUTH");
  GstOpenTokToken *token;
  JsonBuilder *builder;
  GError *error = NULL;
  Session *session;
  JsonNode *root;
  gchar *url, *date;

  gchar *owner;

  /* a malformed session id is the session's fault, not the token's: 400,
   * which OpenTok's clients report as 1005 */
  owner = gst_opentok_session_id_get_api_key (session_id, &error);
  if (owner == NULL) {
    gchar *message = g_strdup_printf ("Invalid session id: %s",
        error->message);

    anvil_respond_error (self, msg, 400, message);
    g_free (message);
    g_clear_error (&error);
    return;
  }
  g_free (owner);
  if (token_string == NULL || *token_string == '\0') {
    anvil_respond_error (self, msg, 403,
        "The X-OPENTOK-AUTH header with the client token is missing");
    return;
  }
  token = gst_opentok_token_verify (token_string, self->cfg.api_key,
      self->cfg.api_secret, session_id, 0, &error);
  if (token == NULL) {
    gchar *message = g_strdup_printf ("Invalid token: %s", error->message);

    anvil_respond_error (self, msg, 403, message);
    g_free (message);
    g_error_free (error);
    return;
  }
  gst_opentok_token_unref (token);
  session = g_hash_table_lookup (self->sessions, session_id);
  if (session == NULL) {
    anvil_respond_error (self, msg, 404, "Session not found");
    return;
  }

  url = messaging_url_new (self, msg);
  date = http_date_new (session->created);
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "partner_id");
  json_builder_add_string_value (builder, self->cfg.api_key);
  json_builder_set_member_name (builder, "create_dt");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "session_status");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "media_server_hostname");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "messaging_server_url");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "messaging_url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "symphony_address");
  json_builder_add_string_value (builder, GST_OPENTOK_SERVER_SYMPHONY_ADDRESS);
  json_builder_set_member_name (builder, "ice_servers");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "ice_credential_expiration");
  json_builder_add_int_value (builder, 86100);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reconnection");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "renegotiation");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "simulcast");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "e2ee");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "p2p");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "preference");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, "disabled");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
  g_free (date);
  g_free (url);
}

/* REST calls carry a JWT in X-OPENTOK-AUTH; older SDKs send
 * X-TB-PARTNER-AUTH "key:secret". */
static gboolean
rest_authenticate (GstOpenTokServer * self, SoupServerMessage * msg,
    GError ** error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *jwt = soup_message_headers_get_one (headers, "X-OPENTOK-AUTH");
  const gchar *partner = soup_message_headers_get_one (headers,
      "X-TB-PARTNER-AUTH");

  if (jwt != NULL)
    return gst_opentok_rest_jwt_verify (jwt, self->cfg.api_key,
        self->cfg.api_secret, 0, error);
  if (partner != NULL) {
    gchar *expected = g_strdup_printf ("%s:%s", self->cfg.api_key,
        self->cfg.api_secret);
    gsize length = strlen (expected);
    guint8 diff = strlen (partner) != length;
    gsize i;

    for (i = 0; i < length && partner[i]; i++)
      diff |= partner[i] ^ expected[i];
    memset (expected, 0, length);
    g_free (expected);
    if (diff == 0)
      return TRUE;
  }
  g_set_error_literal (error, GST_OPENTOK_TOKEN_ERROR,
      GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
      jwt || partner ? "Invalid API key or secret" :
      "Authentication needed: send a JWT in X-OPENTOK-AUTH");
  return FALSE;
}

static Session *
server_add_session (GstOpenTokServer * self, const gchar * api_key)
{
  Session *session = g_new0 (Session, 1);

  session->id = gst_opentok_session_id_new (api_key);
  session->topic = g_strdup_printf ("/v2/partner/%s/session/%s", api_key,
      session->id);
  session->created = g_date_time_new_now_utc ();
  session->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) member_free);
  g_queue_init (&session->order);
  g_hash_table_insert (self->sessions, session->id, session);
  GST_INFO ("created session %s", session->id);
  return session;
}

static void
handle_rest_create_session (GstOpenTokServer * self, SoupServerMessage * msg)
{
  JsonBuilder *builder;
  Session *session;
  JsonNode *root;
  gchar *date;

  /* archiveMode, p2p.preference and location are accepted: this server
   * relays no media, so they change nothing */
  session = server_add_session (self, self->cfg.api_key);
  date = http_date_new (session->created);
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "project_id");
  json_builder_add_string_value (builder, self->cfg.api_key);
  json_builder_set_member_name (builder, "partner_id");
  json_builder_add_string_value (builder, self->cfg.api_key);
  json_builder_set_member_name (builder, "create_dt");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "media_server_url");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
  g_free (date);
}

/* /v2/project/{key}/session/{id}/signal
 * /v2/project/{key}/session/{id}/connection/{cid}/signal
 * /v2/project/{key}/session/{id}/connection/{cid}            */
static void
handle_rest_project (GstOpenTokServer * self, SoupServerMessage * msg,
    const gchar * path)
{
  const gchar *method = soup_server_message_get_method (msg);
  gchar **parts = g_strsplit (path, "/", 0);
  guint n = g_strv_length (parts);
  const gchar *connection_id = NULL;
  gboolean is_signal, is_delete;
  GError *error = NULL;
  Session *session;
  Member *target = NULL;

  /* parts: "", "v2", "project", key, "session", id, ... */
  is_signal = method == SOUP_METHOD_POST &&
      ((n == 7 && g_str_equal (parts[6], "signal")) ||
      (n == 9 && g_str_equal (parts[6], "connection") &&
          g_str_equal (parts[8], "signal")));
  is_delete = method == SOUP_METHOD_DELETE && n == 8 &&
      g_str_equal (parts[6], "connection");
  if (n < 6 || !g_str_equal (parts[4], "session") || (!is_signal && !is_delete)) {
    http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "No such resource");
    goto out;
  }
  if (!rest_authenticate (self, msg, &error)) {
    http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, error->message);
    goto out;
  }
  if (!g_str_equal (parts[3], self->cfg.api_key)) {
    http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN,
        "The project id in the URL is not the authenticated one");
    goto out;
  }
  session = g_hash_table_lookup (self->sessions, parts[5]);
  if (session == NULL) {
    http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "Session not found");
    goto out;
  }
  if (n >= 8)
    connection_id = parts[7];

  if (is_delete) {
    target = g_hash_table_lookup (session->members, connection_id);
    if (target == NULL) {
      http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND,
          "The connection is not connected to the session");
      goto out;
    }
    member_force_disconnect (target);
    http_respond_no_content (msg);
  } else {
    SoupMessageBody *body = soup_server_message_get_request_body (msg);
    gchar *type, *data;

    if (gst_opentok_rest_read_signal_body (body->data, body->length, &type,
            &data, &error) &&
        session_check_signal (session, type, data, connection_id, &target,
            &error)) {
      session_relay_signal (self, session, "", target, type, data, NULL);
      http_respond_no_content (msg);
    } else {
      http_respond_gerror (self, msg, error);
    }
    g_free (type);
    g_free (data);
  }

out:
  g_clear_error (&error);
  g_strfreev (parts);
}

static void
metrics_append (GString * out, const gchar * name, const gchar * type,
    const gchar * help, guint64 value)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n%s %"
      G_GUINT64_FORMAT "\n", name, help, name, type, name, value);
}

static gint
compare_codes (gconstpointer a, gconstpointer b)
{
  return (gint) GPOINTER_TO_UINT (a) - (gint) GPOINTER_TO_UINT (b);
}

static void
handle_metrics (GstOpenTokServer * self, SoupServerMessage * msg)
{
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  Session *session;
  guint64 members = 0, pending = 0;
  GList *codes, *l, *m;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    members += g_hash_table_size (session->members);
    for (m = session->order.head; m != NULL; m = m->next)
      pending += ((Member *) m->data)->pending.length;
  }

  metrics_append (out, "opentok_sessions", "gauge", "Sessions on this server",
      g_hash_table_size (self->sessions));
  metrics_append (out, "opentok_connections", "gauge",
      "Connections in sessions, including those waiting to reconnect", members);
  metrics_append (out, "opentok_sockets", "gauge", "Open Rumor WebSockets",
      self->sockets.length);
  metrics_append (out, "opentok_pending_messages", "gauge",
      "Messages sent to connections and not acknowledged yet", pending);
  metrics_append (out, "opentok_connections_total", "counter",
      "Connections that joined a session", self->metrics.connections_total);
  metrics_append (out, "opentok_connections_refused_total", "counter",
      "Sockets closed at once because max-connections were open",
      self->metrics.connections_refused);
  metrics_append (out, "opentok_reconnections_total", "counter",
      "Sockets that took over a lost one", self->metrics.reconnections);
  metrics_append (out, "opentok_frames_received_total", "counter",
      "Rumor frames received", self->metrics.frames_received +
      gst_opentok_ws_pool_get_answered (self->ws_pool));
  metrics_append (out, "opentok_messages_sent_total", "counter",
      "Server messages queued to connections", self->metrics.messages_sent);
  metrics_append (out, "opentok_signals_received_total", "counter",
      "Signals accepted from clients and REST", self->metrics.signals_received);
  metrics_append (out, "opentok_signals_delivered_total", "counter",
      "Signal copies handed to connections", self->metrics.signals_delivered);

  g_string_append (out, "# HELP opentok_errors_total Requests refused, by "
      "OpenTok code (WebSocket close codes for closed sockets)\n"
      "# TYPE opentok_errors_total counter\n");
  codes = g_hash_table_get_keys (self->metrics.errors);
  codes = g_list_sort (codes, compare_codes);
  for (l = codes; l != NULL; l = l->next) {
    key = l->data;
    value = g_hash_table_lookup (self->metrics.errors, key);
    g_string_append_printf (out, "opentok_errors_total{code=\"%u\"} %"
        G_GSIZE_FORMAT "\n", GPOINTER_TO_UINT (key), GPOINTER_TO_SIZE (value));
  }
  g_list_free (codes);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4",
      SOUP_MEMORY_TAKE, out->str, out->len);
  g_string_free (out, FALSE);
}

/* A body larger than any REST call takes is refused, and the rest of it read
 * and thrown away: on its headers when it states its length, or as soon as
 * the chunks read pass the limit when it does not (chunked encoding). */
static void
http_refuse_body (GstOpenTokServer * self, SoupServerMessage * msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  http_add_cors (msg);
  http_respond_error (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
      "The request body is larger than any OpenTok REST call takes");
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

static void
http_on_got_headers (SoupServerMessage * msg, GstOpenTokServer * self)
{
  goffset length =
      soup_message_headers_get_content_length
      (soup_server_message_get_request_headers (msg));

  if (length > GST_OPENTOK_REST_MAX_BODY_SIZE)
    http_refuse_body (self, msg);
}

static void
http_on_got_chunk (SoupServerMessage * msg, GBytes * chunk,
    GstOpenTokServer * self)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* libsoup appends each chunk before this signal, while accumulating */
  if (soup_message_body_get_accumulate (body) &&
      body->length > GST_OPENTOK_REST_MAX_BODY_SIZE)
    http_refuse_body (self, msg);
}

static void
server_on_request_started (SoupServer * soup, SoupServerMessage * msg,
    GstOpenTokServer * self)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (http_on_got_headers), self);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (http_on_got_chunk), self);
}

static void
server_on_http (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  GstOpenTokServer *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);

  http_add_cors (msg);
  if (method == SOUP_METHOD_OPTIONS) {
    /* 200 with an empty body rather than 204: see http_respond_no_content */
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
        "", 0);
  } else if (g_str_equal (path, "/healthz") && method == SOUP_METHOD_GET) {
    static const gchar ok[] = "{\"status\":\"ok\"}";

    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response (msg, "application/json",
        SOUP_MEMORY_STATIC, ok, sizeof (ok) - 1);
  } else if (g_str_equal (path, "/metrics") && method == SOUP_METHOD_GET) {
    handle_metrics (self, msg);
  } else if (g_str_has_prefix (path, "/logging/")
      && method == SOUP_METHOD_POST) {
    /* the client's analytics: accepted, not kept */
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  } else if (g_str_equal (path, "/session/create")) {
    GError *error = NULL;

    if (method != SOUP_METHOD_POST)
      http_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
          "Sessions are created with POST");
    else if (!rest_authenticate (self, msg, &error))
      http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, error->message);
    else
      handle_rest_create_session (self, msg);
    g_clear_error (&error);
  } else if (g_str_has_prefix (path, "/session/")
      && method == SOUP_METHOD_GET && strchr (path + 9, '/') == NULL
      && path[9] != '\0') {
    handle_session_info (self, msg, path + 9);
  } else if (g_str_has_prefix (path, "/v2/project/")) {
    handle_rest_project (self, msg, path);
  } else {
    http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "No such resource");
  }
}

/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

/* Listens on @address with a backlog of LISTEN_BACKLOG: SoupServer's own
 * sockets listen with GSocket's default of 10, and a crowd joining at once
 * (a class, every client of a restarted server) would have its connections
 * wait for SYN retransmissions, a second or more each. */
static gboolean
server_listen_address (GstOpenTokServer * self, GInetAddress * address,
    guint port, SoupServerListenOptions options, GError ** error)
{
  GSocketAddress *socket_address = g_inet_socket_address_new (address, port);
  GSocket *socket;
  gboolean ok = FALSE;

  socket = g_socket_new (g_inet_address_get_family (address),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket != NULL) {
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
    ok = g_socket_bind (socket, socket_address, TRUE, error) &&
        g_socket_listen (socket, error) &&
        soup_server_listen_socket (self->soup, socket, options, error);
    g_object_unref (socket);
  }
  g_object_unref (socket_address);
  return ok;
}

static gboolean
server_listen (GstOpenTokServer * self, const gchar * host, guint port,
    GError ** error)
{
  GTlsCertificate *certificate;
  SoupServerListenOptions options;
  GSList *uris;
  gboolean ok, https;

  GST_OBJECT_LOCK (self);
  certificate = self->tls_certificate ? g_object_ref (self->tls_certificate) :
      NULL;
  GST_OBJECT_UNLOCK (self);
  self->soup = soup_server_new ("server-header", "gst-opentok-server/"
      VERSION " ", "tls-certificate", certificate, NULL);
  https = certificate != NULL;
  options = https ? SOUP_SERVER_LISTEN_HTTPS : 0;
  g_clear_object (&certificate);
  soup_server_add_handler (self->soup, GST_OPENTOK_SERVER_RUMOR_PATH,
      server_on_rumor_request, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_on_http, self, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (server_on_request_started), self);

  if (g_strcmp0 (host, "localhost") == 0) {
    GInetAddress *address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    GError *ipv6_error = NULL;

    /* both loopbacks on one port, as soup_server_listen_local() does: the
     * IPv6 one only where the system has IPv6 */
    ok = server_listen_address (self, address, port, options, error);
    g_object_unref (address);
    if (ok && port == 0) {
      uris = soup_server_get_uris (self->soup);
      port = uris ? (guint) g_uri_get_port (uris->data) : 0;
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }
    if (ok) {
      address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      if (!server_listen_address (self, address, port, options, &ipv6_error)) {
        if (g_error_matches (ipv6_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)) {
          g_clear_error (&ipv6_error);
        } else {
          g_propagate_error (error, ipv6_error);
          ok = FALSE;
        }
      }
      g_object_unref (address);
    }
  } else {
    GInetAddress *address = g_inet_address_new_from_string (host);

    if (address == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not an IP address (or \"localhost\")", host);
      return FALSE;
    }
    ok = server_listen_address (self, address, port, options, error);
    g_object_unref (address);
  }
  if (!ok)
    return FALSE;

  uris = soup_server_get_uris (self->soup);
  g_mutex_lock (&self->lock);
  self->bound_port = uris ? (guint) g_uri_get_port (uris->data) : port;
  g_mutex_unlock (&self->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

/* Ends every socket and connection without telling anyone: the server is
 * going away, the clients see their sockets close. */
static void
server_teardown (GstOpenTokServer * self)
{
  gint64 deadline;
  GList *l;

  self->shutting_down = TRUE;
  if (self->sweep) {
    g_source_destroy (self->sweep);
    g_source_unref (self->sweep);
    self->sweep = NULL;
  }
  if (self->soup)
    soup_server_disconnect (self->soup);

  for (l = self->sockets.head; l != NULL; l = l->next)
    socket_close (l->data, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "Server shutting down");
  /* let the close handshakes go out, for a bounded time */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (self->sockets.length > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (self->context, FALSE);
  while (self->sockets.length > 0) {
    Socket *sock = g_queue_pop_head (&self->sockets);

    if (sock->member)
      sock->member->socket = NULL;
    socket_free (sock);
  }

  g_hash_table_remove_all (self->members_by_socket_id);
  g_hash_table_remove_all (self->sessions);
  gst_opentok_router_free (self->router);
  self->router = gst_opentok_local_router_new (member_deliver);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->ws_pool, gst_opentok_ws_pool_free);
  while (g_main_context_iteration (self->context, FALSE));
  self->shutting_down = FALSE;
}

/* The server thread's first work: listen. */
static gboolean
server_loop_started (gpointer user_data, GError ** error)
{
  GstOpenTokServer *self = user_data;
  static const GstOpenTokWsPoolCallbacks callbacks = {
    socket_answer, socket_on_message, socket_on_closed
  };
  gchar *host;
  guint port;
  gboolean ok;

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  GST_OBJECT_LOCK (self);
  host = g_strdup (self->host);
  port = self->port;
  GST_OBJECT_UNLOCK (self);

  ok = server_listen (self, host, port, error);
  g_free (host);
  if (!ok) {
    server_teardown (self);
    return FALSE;
  }
  self->ws_pool = gst_opentok_ws_pool_new (self->cfg.io_threads,
      self->context, &callbacks);
  server_init_transaction_ids (self);
  self->sweep = g_timeout_source_new (SWEEP_INTERVAL_MS);
  g_source_set_callback (self->sweep, server_sweep, self, NULL);
  g_source_attach (self->sweep, self->context);
  GST_INFO_OBJECT (self, "listening on port %u", self->bound_port);
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

typedef struct
{
  GstOpenTokServer *server;
  const gchar *api_key;
  const gchar *session_id;
  const gchar *connection_id;
  const GstOpenTokSignal *signal;
  gchar *result;
  GError *error;
} ServerCall;

static gboolean
create_session_func (gpointer data)
{
  ServerCall *call = data;

  call->result = g_strdup (server_add_session (call->server,
          call->api_key)->id);
  return G_SOURCE_REMOVE;
}

/**
 * gst_opentok_server_create_session:
 * @server: a #GstOpenTokServer
 *
 * Creates a session, as `POST /session/create` does. Works before the
 * server is started too.
 *
 * Returns: (transfer full): the new session id
 *
 * Since: 0.1
 */
gchar *
gst_opentok_server_create_session (GstOpenTokServer * server)
{
  ServerCall call = { server, };
  gchar *api_key;

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), NULL);

  GST_OBJECT_LOCK (server);
  api_key = g_strdup (server->api_key);
  GST_OBJECT_UNLOCK (server);
  g_return_val_if_fail (api_key != NULL, NULL);

  call.api_key = api_key;
  server_invoke_sync (server, create_session_func, &call);
  g_free (api_key);
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

static gboolean
send_signal_func (gpointer data)
{
  ServerCall *call = data;
  GstOpenTokServer *self = call->server;
  const GstOpenTokSignal *signal = call->signal;
  const gchar *type = gst_opentok_signal_get_signal_type (signal);
  const gchar *payload = gst_opentok_signal_get_data (signal);
  Session *session;
  Member *target;

  session = g_hash_table_lookup (self->sessions, call->session_id);
  if (session == NULL) {
    g_set_error_literal (&call->error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");
    return G_SOURCE_REMOVE;
  }
  if (session_check_signal (session, type, payload,
          gst_opentok_signal_get_to (signal), &target, &call->error))
    session_relay_signal (self, session, "", target, type, payload, NULL);
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
  ServerCall call = { server, };

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (signal != NULL, FALSE);

  call.session_id = session_id;
  call.signal = signal;
  server_invoke_sync (server, send_signal_func, &call);
  if (call.error) {
    g_propagate_error (error, call.error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
force_disconnect_func (gpointer data)
{
  ServerCall *call = data;
  Session *session;
  Member *member = NULL;

  session = g_hash_table_lookup (call->server->sessions, call->session_id);
  if (session != NULL)
    member = g_hash_table_lookup (session->members, call->connection_id);
  if (member == NULL) {
    g_set_error_literal (&call->error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, session == NULL ?
        "Session not found" : "The connection is not connected to the session");
    return G_SOURCE_REMOVE;
  }
  member_force_disconnect (member);
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
  ServerCall call = { server, };

  g_return_val_if_fail (GST_IS_OPENTOK_SERVER (server), FALSE);
  g_return_val_if_fail (session_id != NULL, FALSE);
  g_return_val_if_fail (connection_id != NULL, FALSE);

  call.session_id = session_id;
  call.connection_id = connection_id;
  server_invoke_sync (server, force_disconnect_func, &call);
  if (call.error) {
    g_propagate_error (error, call.error);
    return FALSE;
  }
  return TRUE;
}
