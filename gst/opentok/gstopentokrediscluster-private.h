/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: what the files of the Redis cluster share.
 *
 * gstopentokrediscluster.c  the GstOpenTokCluster: sessions, events
 *                           committed, leases, the connections to Redis
 * gstopentokredisviews.c    the sessions this node applies: subscriptions,
 *                           snapshots, events in offset order, what was
 *                           missed read from the stream
 * gstopentokredisclaims.c   members coming over from other nodes, and how
 *                           far each member's client acknowledged
 * gstopentokredisscripts.c  the Lua scripts, what each takes and returns
 *
 * Everything runs on the server thread. */

#ifndef __GST_OPENTOK_REDIS_CLUSTER_PRIVATE_H__
#define __GST_OPENTOK_REDIS_CLUSTER_PRIVATE_H__

#include "gstopentokrediscluster.h"
#include "gstopentokserver-private.h"

G_BEGIN_DECLS

typedef struct _Watched Watched;

typedef struct
{
  GstOpenTokCluster parent;
  GstOpenTokSessions *sessions;
  GstOpenTokServerMetrics *metrics;
  GMainContext *context;
  GstOpenTokRedisAddress *address;
  gchar *prefix;                /* of every key and channel */
  gchar *append_sha;
  gchar *snapshot_sha;
  gchar *add_sha;
  gchar *claim_sha;
  gchar *renew_sha;
  gchar *sweep_sha;
  const GstOpenTokServerConfig *config;
  gchar *nodes_key;
  GSource *lease_timer;
  gint64 renewed;               /* monotonic, of the last renewal */
  gint64 connected_since;       /* monotonic */
  gboolean abandoned;           /* the lease ran out: the members went */

  GstOpenTokRedis *commands;
  GstOpenTokRedis *channels;    /* in subscriber mode */
  gboolean connected;           /* both up, scripts loaded */
  gboolean was_connected;
  GSource *reconnect;
  GHashTable *watched;          /* session id -> Watched */
  guint serial;
} GstOpenTokRedisCluster;

/* A session whose events this node applies. */
struct _Watched
{
  GstOpenTokRedisCluster *cluster;
  gchar *id;
  gchar *channel;
  guint serial;                 /* tells replies to an earlier watch apart */
  guint64 applied;              /* last offset applied, 0: none yet */
  gboolean loaded;              /* the node's view of the session is whole */
  gboolean fetching;
  GTree *early;                 /* offset -> GstOpenTokEvent, ahead of it */
  GQueue held;                  /* Append, sent once loaded */
  GQueue claims;                /* Claim, carried out once loaded */
};

typedef struct
{
  GstOpenTokRedisCluster *cluster;
  gchar *session_id;
  GstOpenTokEvent *event;
  GstOpenTokClusterDoneFunc done;
  gpointer user_data;
} Append;

/* A member coming over from another node. */
typedef struct
{
  GstOpenTokRedisCluster *cluster;
  gchar *session_id;
  gchar *connection_id;
  guint64 acknowledged;
  GstOpenTokClusterClaimedFunc claimed;
  gpointer user_data;
} Claim;

/* gstopentokredisscripts.c */
G_GNUC_INTERNAL extern const gchar redis_cluster_append_script[];
G_GNUC_INTERNAL extern const gchar redis_cluster_claim_script[];
G_GNUC_INTERNAL extern const gchar redis_cluster_renew_script[];
G_GNUC_INTERNAL extern const gchar redis_cluster_sweep_script[];
G_GNUC_INTERNAL extern const gchar redis_cluster_snapshot_script[];
G_GNUC_INTERNAL extern const gchar redis_cluster_add_script[];

/* gstopentokrediscluster.c */
G_GNUC_INTERNAL
void redis_cluster_refuse_not_connected (GstOpenTokClusterDoneFunc done,
    gpointer user_data);
/* The key of a session's @suffix ("" for its hash). */
G_GNUC_INTERNAL
gchar *redis_cluster_key (GstOpenTokRedisCluster * self,
    const gchar * session_id, const gchar * suffix);
/* A command on the commands connection, counted. */
G_GNUC_INTERNAL
void redis_cluster_command (GstOpenTokRedisCluster * self,
    GstOpenTokRedisReplyFunc func, gpointer user_data, gint argc,
    const gchar ** argv, const gsize * argv_len);
/* A script by its SHA1, SCRIPT LOADed before anything else went out. */
G_GNUC_INTERNAL
void redis_cluster_eval (GstOpenTokRedisCluster * self, const gchar * sha,
    GstOpenTokRedisReplyFunc func, gpointer user_data, gint n_keys,
    gint argc, const gchar ** args);
/* The scripts' refusals: "CODE what". */
G_GNUC_INTERNAL
gboolean redis_cluster_reply_is_error (const redisReply * reply,
    const gchar * code);
G_GNUC_INTERNAL
void redis_cluster_send_append (Append * append);
G_GNUC_INTERNAL
void redis_cluster_free_append (Append * append);

/* gstopentokredisviews.c */
G_GNUC_INTERNAL
void redis_cluster_watch (GstOpenTokCluster * cluster,
    const gchar * session_id);
G_GNUC_INTERNAL
void redis_cluster_unwatch (GstOpenTokCluster * cluster,
    const gchar * session_id);
G_GNUC_INTERNAL
void redis_cluster_subscribe (Watched * watched);
G_GNUC_INTERNAL
void redis_cluster_free_watched (Watched * watched);
/* One entry of an XRANGE: its event, or NULL when it is not one of ours. */
G_GNUC_INTERNAL
GstOpenTokEvent *redis_cluster_read_entry (const redisReply * entry,
    guint64 * offset);
/* XRANGE of @session_id's stream from @first to @last ("+" when 0). */
G_GNUC_INTERNAL
void redis_cluster_read_stream (GstOpenTokRedisCluster * self,
    const gchar * session_id, guint64 first, guint64 last,
    GstOpenTokRedisReplyFunc func, gpointer user_data);

/* gstopentokredisclaims.c */
G_GNUC_INTERNAL
void redis_cluster_claim (GstOpenTokCluster * cluster,
    const gchar * socket_id, GstOpenTokClusterClaimedFunc claimed,
    gpointer user_data);
G_GNUC_INTERNAL
void redis_cluster_acknowledge (GstOpenTokCluster * cluster,
    const gchar * session_id, const gchar * connection_id, guint64 offset);
/* The session's view is whole here: the member is this node's. */
G_GNUC_INTERNAL
void redis_cluster_run_claim (Watched * watched, Claim * claim);
G_GNUC_INTERNAL
void redis_cluster_free_claim (Claim * claim);
/* Answered "not connected". */
G_GNUC_INTERNAL
void redis_cluster_refuse_claim (Claim * claim);
G_GNUC_INTERNAL
void redis_cluster_refuse_claims (Watched * watched);

G_END_DECLS

#endif /* __GST_OPENTOK_REDIS_CLUSTER_PRIVATE_H__ */
