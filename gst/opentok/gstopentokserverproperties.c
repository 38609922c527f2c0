/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The properties of GstOpenTokServer: their specs and documentation, their
 * defaults and the checks a value passes when it is set. A start copies
 * them into the run's configuration (GstOpenTokServerConfig). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentokserver.h"
#include "gstopentokserver-private.h"
#include "gstopentokrumor.h"
#ifdef HAVE_HIREDIS
#include "gstopentokredis.h"
#endif

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

#define DEFAULT_CLUSTER_LEASE 10000
/* what a joiner may be sent at once */
#define MAX_HISTORY 1000

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
  PROP_REDIS_URL,
  PROP_CLUSTER_LEASE,
  PROP_HISTORY,
  PROP_HISTORY_TTL,
};

static void gst_opentok_server_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_opentok_server_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

void
gst_opentok_server_install_properties (GObjectClass * gobject_class)
{
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
   * GstOpenTokServer:redis-url:
   *
   * The Redis, redis://HOST[:PORT][/DB], that this server shares its
   * sessions with: every server with the same Redis and API key serves the
   * same sessions (docs/cluster.md). %NULL, the default, keeps the sessions
   * in this process alone. A URL that is not one keeps the old value; a
   * Redis that cannot be reached fails gst_opentok_server_start().
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_REDIS_URL,
      g_param_spec_string ("redis-url", "Redis URL",
          "The Redis this server shares its sessions with "
          "(redis://HOST[:PORT][/DB]; NULL = this process alone)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:cluster-lease:
   *
   * With a #GstOpenTokServer:redis-url, milliseconds a node of the cluster
   * is taken for alive after it last told Redis so (it does every third of
   * it). A node that cannot tell Redis for that long closes its sockets
   * with 1001; the connections of a node silent for that long, plus the
   * #GstOpenTokServer:reconnect-window, are deleted for everyone with the
   * reason networkDisconnected, unless they came back through another node.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CLUSTER_LEASE,
      g_param_spec_uint ("cluster-lease", "Cluster lease",
          "Milliseconds a node of the cluster counts as alive after it last "
          "told Redis", 300, G_MAXINT32, DEFAULT_CLUSTER_LEASE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:history:
   *
   * How many of a session's last broadcast signals a connection that joins
   * receives, after the session's state, as ordinary signals (targeted
   * signals never are); 0, the default, none. With a
   * #GstOpenTokServer:redis-url they are the session's last ones whatever
   * node they went through.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_HISTORY,
      g_param_spec_uint ("history", "History",
          "Last broadcast signals of a session a joiner receives (0 = none)",
          0, MAX_HISTORY, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstOpenTokServer:history-ttl:
   *
   * Seconds a broadcast signal stays in the #GstOpenTokServer:history; 0,
   * the default, for as long as it is one of the last ones.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_HISTORY_TTL,
      g_param_spec_uint ("history-ttl", "History TTL",
          "Seconds a signal stays in the history (0 = no limit)", 0,
          G_MAXINT32, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

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
}

void
gst_opentok_server_init_properties (GstOpenTokServer * self)
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
  self->cluster_lease = DEFAULT_CLUSTER_LEASE;
}

gboolean
gst_opentok_server_check_redis_url (const gchar * url, GError ** error)
{
#ifdef HAVE_HIREDIS
  GstOpenTokRedisAddress *address = gst_opentok_redis_address_parse (url,
      error);

  if (address == NULL)
    return FALSE;
  gst_opentok_redis_address_free (address);
  return TRUE;
#else
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
      "this build of gst-opentok has no Redis support (hiredis)");
  return FALSE;
#endif
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
    case PROP_REDIS_URL:{
      const gchar *url = g_value_get_string (value);
      GError *error = NULL;

      if (url != NULL && *url == '\0')
        url = NULL;
      if (url != NULL && !gst_opentok_server_check_redis_url (url, &error)) {
        GST_WARNING_OBJECT (self, "redis-url keeps its value: %s",
            error->message);
        g_error_free (error);
        break;
      }
      g_free (self->redis_url);
      self->redis_url = g_strdup (url);
      break;
    }
    case PROP_CLUSTER_LEASE:
      self->cluster_lease = g_value_get_uint (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_get_uint (value);
      break;
    case PROP_HISTORY_TTL:
      self->history_ttl = g_value_get_uint (value);
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
    case PROP_REDIS_URL:
      g_value_set_string (value, self->redis_url);
      break;
    case PROP_CLUSTER_LEASE:
      g_value_set_uint (value, self->cluster_lease);
      break;
    case PROP_HISTORY:
      g_value_set_uint (value, self->history);
      break;
    case PROP_HISTORY_TTL:
      g_value_set_uint (value, self->history_ttl);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
