/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: what the files of the embedded server share.
 *
 * gstopentokserver.c        the GObject, its properties and signals, the
 *                           server thread (start, listen, stop)
 * gstopentokserverproperties.c the properties, their defaults and checks
 * gstopentokservercalls.c   the public calls that work on the sessions
 *                           (create a session, signal, force disconnect)
 *                           and the token minting
 * gstopentokcluster.c       what the nodes agree on: each session's events
 *                           in one order; the cluster of one node
 * gstopentoksessions.c      the session model: sessions, members, pending
 *                           messages and acks, stored replies, rate limits,
 *                           reconnection windows; no sockets, no libsoup
 * gstopentokrumorendpoint.c the Rumor WebSocket endpoint: upgrade, frames,
 *                           Raptor requests, liveness
 * gstopentokserverhttp.c    the HTTP side: the SoupServer and its listening
 *                           sockets, one handler per path (session info,
 *                           REST, health, metrics, the Rumor upgrade), and
 *                           the metrics counters
 * gstopentokframes.c        the Rumor frames client and server both build
 *
 * Everything but the public API runs on the server thread. */

#ifndef __GST_OPENTOK_SERVER_PRIVATE_H__
#define __GST_OPENTOK_SERVER_PRIVATE_H__

#include <gst/gst.h>
#include <gio/gio.h>

#include "gstopentokserver.h"
#include "gstopentokloop.h"

G_BEGIN_DECLS

/* The path of the Rumor WebSocket endpoint, handed out as messaging_url. */
#define GST_OPENTOK_SERVER_RUMOR_PATH "/rumorwebsocketsv2"

/* The Rumor address the server answers Raptor requests from. It starts with
 * "symphony." so that clients never show it as a connection. */
#define GST_OPENTOK_SERVER_SYMPHONY_ADDRESS "symphony.gst-opentok"

/* The component's debug category, "opentokserver", for all its files. */
G_GNUC_INTERNAL
GstDebugCategory *gst_opentok_server_debug_get_category (void);

/* Settings a run reads once, at start. */
typedef struct
{
  gchar *api_key;
  gchar *api_secret;
  gchar *public_url;            /* nullable */
  guint max_frame_size;
  gdouble signal_rate;          /* per second and connection, 0: no limit */
  guint signal_burst;
  gint64 liveness_timeout;      /* us */
  guint reconnect_window;       /* ms, 0: no reconnection */
  guint max_pending_messages;
  guint64 max_pending_bytes;
  guint max_connections;
  guint io_threads;
  guint cluster_lease;          /* ms */
  guint history;                /* broadcasts a joiner receives */
  guint history_ttl;            /* s, 0: no limit */
} GstOpenTokServerConfig;

/* Counters for /metrics; the gauges are read from the model and the
 * endpoint when asked. */
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
  /* with a cluster of several nodes (gstopentokrediscluster.c) */
  gchar *cluster_node;          /* this node's id; NULL: no cluster */
  gboolean cluster_connected;   /* it can commit */
  guint64 redis_commands;       /* round trips to Redis asked for */
  guint64 remote_deliveries;    /* copies of signals sent through other
                                 * nodes, handed to connections here */
  guint64 takeovers;            /* members taken over from other nodes */
  guint64 lease_renewals;
  guint64 nodes_written_off;    /* dead nodes whose members were deleted */
} GstOpenTokServerMetrics;

G_GNUC_INTERNAL
void gst_opentok_server_metrics_init (GstOpenTokServerMetrics * metrics);

G_GNUC_INTERNAL
void gst_opentok_server_metrics_clear (GstOpenTokServerMetrics * metrics);

/* A request refused with OpenTok @code, or a socket closed with WebSocket
 * close code @code. */
G_GNUC_INTERNAL
void gst_opentok_server_metrics_count_error (GstOpenTokServerMetrics *
    metrics, guint code);

/* The GObject, for gstopentokserver.c and gstopentokservercalls.c. */
typedef struct _GstOpenTokSessions GstOpenTokSessions;
typedef struct _GstOpenTokRumorEndpoint GstOpenTokRumorEndpoint;
typedef struct _GstOpenTokServerHttp GstOpenTokServerHttp;

struct _GstOpenTokServer
{
  GstObject parent;

  /* settings, under the object lock; the server thread reads them once at
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
  gchar *redis_url;
  guint cluster_lease;
  guint history;
  guint history_ttl;

  /* the server thread, which runs all the code that is not public API;
   * idle_lock is held by start and stop, and by a call that runs on its
   * caller's thread because no server thread runs. Lock order: idle_lock,
   * then lock (the loop's own lock comes last). */
  GstOpenTokLoop *loop;
  GMutex idle_lock;
  GMutex lock;
  guint bound_port;             /* under lock */

  /* the server thread's (or any thread's before start and after stop) */
  GMainContext *context;        /* the loop's, kept until the next start */
  GstOpenTokServerConfig cfg;   /* copied at start */
  GstOpenTokServerMetrics metrics;
  GstOpenTokSessions *sessions;
  GstOpenTokRumorEndpoint *endpoint;
  GstOpenTokServerHttp *http;
};

/* gstopentokserverproperties.c: the properties, their defaults and checks */
G_GNUC_INTERNAL
void gst_opentok_server_install_properties (GObjectClass * gobject_class);
G_GNUC_INTERNAL
void gst_opentok_server_init_properties (GstOpenTokServer * server);
/* A redis-url this build can use, or why not. */
G_GNUC_INTERNAL
gboolean gst_opentok_server_check_redis_url (const gchar * url,
    GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_SERVER_PRIVATE_H__ */
