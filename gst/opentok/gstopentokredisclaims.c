/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Members of the Redis cluster coming over from another node: the claim of
 * a socket id, then what the member missed, from the session's stream. And
 * how far each member's client acknowledged, for the node it may come back
 * through. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentokrediscluster-private.h"
#include "gstopentokerror.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

void
redis_cluster_free_claim (Claim * claim)
{
  g_free (claim->session_id);
  g_free (claim->connection_id);
  g_free (claim);
}

void
redis_cluster_refuse_claim (Claim * claim)
{
  GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
      "Not connected: the cluster's Redis cannot be reached");

  claim->claimed (NULL, NULL, 0, error, claim->user_data);
  g_error_free (error);
  redis_cluster_free_claim (claim);
}

void
redis_cluster_refuse_claims (Watched * watched)
{
  Claim *claim;

  while ((claim = g_queue_pop_head (&watched->claims)))
    redis_cluster_refuse_claim (claim);
}


typedef struct
{
  GstOpenTokRedisCluster *cluster;
  gchar *session_id;
  gchar *connection_id;
} Replay;

/* XRANGE of what the member missed: each goes to it, then the newer
 * messages that waited. */
static void
replay_replied (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  Replay *replay = user_data;
  GstOpenTokRedisCluster *self = replay->cluster;
  gsize i;

  for (i = 0; reply != NULL && reply->type == REDIS_REPLY_ARRAY &&
      i < reply->elements; i++) {
    GstOpenTokEvent *event;
    guint64 offset;

    event = redis_cluster_read_entry (reply->element[i], &offset);
    if (event == NULL)
      continue;
    event->offset = offset;
    gst_opentok_sessions_replay (self->sessions, replay->session_id,
        replay->connection_id, event);
    gst_opentok_event_free (event);
  }
  gst_opentok_sessions_replayed (self->sessions, replay->session_id,
      replay->connection_id);
  g_free (replay->session_id);
  g_free (replay->connection_id);
  g_free (replay);
}

/* The session's view is whole here: the member is this node's, and gets
 * what it missed, the events after @acknowledged up to the last applied. */
void
redis_cluster_run_claim (Watched * watched, Claim * claim)
{
  GstOpenTokRedisCluster *self = claim->cluster;
  Replay *replay;
  guint64 last = watched->applied;

  claim->claimed (claim->session_id, claim->connection_id,
      claim->acknowledged, NULL, claim->user_data);
  replay = g_new (Replay, 1);
  replay->cluster = self;
  replay->session_id = g_strdup (claim->session_id);
  replay->connection_id = g_strdup (claim->connection_id);
  if (claim->acknowledged >= last || !self->connected) {
    replay_replied (NULL, NULL, replay);
    redis_cluster_free_claim (claim);
    return;
  }
  redis_cluster_read_stream (self, claim->session_id, claim->acknowledged + 1,
      last, replay_replied, replay);
  redis_cluster_free_claim (claim);
}

/* The member's session is known here: applied, or to be. */
static void
claim_found_session (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  Claim *claim = user_data;
  GstOpenTokRedisCluster *self = claim->cluster;
  Watched *watched;

  if (session == NULL) {
    claim->claimed (NULL, NULL, 0, error, claim->user_data);
    redis_cluster_free_claim (claim);
    return;
  }
  redis_cluster_watch (&self->parent, claim->session_id);
  watched = g_hash_table_lookup (self->watched, claim->session_id);
  if (watched->loaded)
    redis_cluster_run_claim (watched, claim);
  else
    g_queue_push_tail (&watched->claims, claim);
}

/* [session, member, acknowledged] */
static void
claim_replied (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  Claim *claim = user_data;

  if (reply == NULL || (reply->type == REDIS_REPLY_ERROR &&
          !redis_cluster_reply_is_error (reply, "NOTFOUND"))) {
    redis_cluster_refuse_claim (claim);
    return;
  }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_STRING ||
      reply->element[2]->type != REDIS_REPLY_STRING ||
      !g_ascii_string_to_unsigned (reply->element[2]->str, 10, 0,
          G_MAXUINT64, &claim->acknowledged, NULL)) {
    /* nobody has that socket id */
    claim->claimed (NULL, NULL, 0, NULL, claim->user_data);
    redis_cluster_free_claim (claim);
    return;
  }
  claim->session_id = g_strdup (reply->element[0]->str);
  claim->connection_id = g_strdup (reply->element[1]->str);
  gst_opentok_sessions_find (claim->cluster->sessions, claim->session_id,
      claim_found_session, claim);
}

void
redis_cluster_claim (GstOpenTokCluster * cluster, const gchar * socket_id,
    GstOpenTokClusterClaimedFunc claimed, gpointer user_data)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  Claim *claim = g_new0 (Claim, 1);
  gchar *key;
  const gchar *args[3];

  claim->cluster = self;
  claim->claimed = claimed;
  claim->user_data = user_data;
  if (!self->connected || socket_id == NULL) {
    redis_cluster_refuse_claim (claim);
    return;
  }
  key = g_strconcat (self->prefix, "sock:", socket_id, NULL);
  args[0] = key;
  args[1] = self->prefix;
  args[2] = self->parent.node;
  redis_cluster_eval (self, self->claim_sha, claim_replied, claim, 1, 3, args);
  g_free (key);
}

/* How far the member's client got, for the node it may come back through:
 * one command, not waited for. */
void
redis_cluster_acknowledge (GstOpenTokCluster * cluster,
    const gchar * session_id, const gchar * connection_id, guint64 offset)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  gchar *key, number[24];
  const gchar *argv[4];
  gsize argv_len[4];
  gint i;

  if (!self->connected)
    return;
  key = redis_cluster_key (self, session_id, ":acks");
  g_snprintf (number, sizeof (number), "%" G_GUINT64_FORMAT, offset);
  argv[0] = "HSET";
  argv[1] = key;
  argv[2] = connection_id;
  argv[3] = number;
  for (i = 0; i < 4; i++)
    argv_len[i] = strlen (argv[i]);
  redis_cluster_command (self, NULL, NULL, 4, argv, argv_len);
  g_free (key);
}
