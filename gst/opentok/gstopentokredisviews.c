/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The sessions a node of the Redis cluster applies: it subscribes to a
 * session's channel while it has members in it, loads the session from a
 * snapshot once subscribed, applies the events in offset order, reads what
 * it missed from the session's stream, and hears of members moving to other
 * nodes. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentokrediscluster-private.h"
#include "gstopentokerror.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

static gint
compare_offsets (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static Watched *
watched_lookup (GstOpenTokRedisCluster * self, const gchar * session_id,
    guint serial)
{
  Watched *watched = g_hash_table_lookup (self->watched, session_id);

  return watched != NULL && watched->serial == serial ? watched : NULL;
}

void
redis_cluster_free_watched (Watched * watched)
{
  Append *append;

  while ((append = g_queue_pop_head (&watched->held))) {
    redis_cluster_refuse_not_connected (append->done, append->user_data);
    redis_cluster_free_append (append);
  }
  redis_cluster_refuse_claims (watched);
  g_tree_unref (watched->early);
  g_free (watched->channel);
  g_free (watched->id);
  g_free (watched);
}

/* Applies what is next in @watched's order, as long as it is there. Applying
 * may unwatch the session: looked up again after each event. */
static void
watched_drain (GstOpenTokRedisCluster * self, const gchar * session_id,
    guint serial)
{
  Watched *watched;
  GstOpenTokEvent *event;
  guint64 next;

  while ((watched = watched_lookup (self, session_id, serial)) != NULL) {
    gpointer key;

    next = watched->applied + 1;
    if (!g_tree_lookup_extended (watched->early, &next, &key,
            (gpointer *) & event))
      return;
    /* the event is ours now, the key is not needed */
    g_tree_steal (watched->early, &next);
    g_free (key);
    watched->applied = next;
    event->offset = next;
    self->parent.apply (session_id, event, self->parent.apply_data);
    gst_opentok_event_free (event);
  }
}

static void watched_fetch (Watched * watched);

/* @event (taken) has @offset in the session's order. */
static void
watched_take (Watched * watched, guint64 offset, GstOpenTokEvent * event)
{
  GstOpenTokRedisCluster *self = watched->cluster;
  gchar *id;
  guint serial;

  if (offset <= watched->applied ||
      g_tree_lookup (watched->early, &offset) != NULL) {
    gst_opentok_event_free (event);
    return;
  }
  g_tree_insert (watched->early, g_memdup2 (&offset, sizeof (offset)), event);
  if (!watched->loaded)
    return;
  if (offset != watched->applied + 1) {
    watched_fetch (watched);
    return;
  }
  id = g_strdup (watched->id);
  serial = watched->serial;
  watched_drain (self, id, serial);
  g_free (id);
}

typedef struct
{
  GstOpenTokRedisCluster *cluster;
  gchar *session_id;
  guint serial;
} WatchReply;

static WatchReply *
watch_reply_new (Watched * watched)
{
  WatchReply *reply = g_new (WatchReply, 1);

  reply->cluster = watched->cluster;
  reply->session_id = g_strdup (watched->id);
  reply->serial = watched->serial;
  return reply;
}

static void
watch_reply_free (WatchReply * reply)
{
  g_free (reply->session_id);
  g_free (reply);
}

/* "OFFSET-0" of a stream entry */
static gboolean
parse_entry_id (const gchar * id, guint64 * offset)
{
  const gchar *dash = strchr (id, '-');
  gchar *number;
  gboolean ok;

  if (dash == NULL || !g_str_equal (dash, "-0"))
    return FALSE;
  number = g_strndup (id, dash - id);
  ok = g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, offset, NULL);
  g_free (number);
  return ok;
}

/* One entry of an XRANGE, [OFFSET-0, ["e", EVENT]]: its event, or NULL when
 * it is not one of ours. */
GstOpenTokEvent *
redis_cluster_read_entry (const redisReply * entry, guint64 * offset)
{
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
      entry->element[0]->type != REDIS_REPLY_STRING ||
      entry->element[1]->type != REDIS_REPLY_ARRAY ||
      entry->element[1]->elements != 2 ||
      entry->element[1]->element[1]->type != REDIS_REPLY_STRING ||
      !parse_entry_id (entry->element[0]->str, offset))
    return NULL;
  return gst_opentok_event_decode (entry->element[1]->element[1]->str,
      entry->element[1]->element[1]->len, NULL);
}

/* XRANGE of @session_id's stream from @first to @last ("+" when 0). */
void
redis_cluster_read_stream (GstOpenTokRedisCluster * self,
    const gchar * session_id, guint64 first, guint64 last,
    GstOpenTokRedisReplyFunc func, gpointer user_data)
{
  gchar *log = redis_cluster_key (self, session_id, ":log"), start[32], end[32];
  const gchar *argv[] = { "XRANGE", log, start, end };
  gsize argv_len[4];
  gint i;

  g_snprintf (start, sizeof (start), "%" G_GUINT64_FORMAT "-0", first);
  if (last > 0)
    g_snprintf (end, sizeof (end), "%" G_GUINT64_FORMAT "-0", last);
  else
    g_strlcpy (end, "+", sizeof (end));
  for (i = 0; i < 4; i++)
    argv_len[i] = strlen (argv[i]);
  redis_cluster_command (self, func, user_data, 4, argv, argv_len);
  g_free (log);
}

/* XRANGE: [[id, [field, value, ...]], ...] */
static void
fetch_replied (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  WatchReply *call = user_data;
  Watched *watched = watched_lookup (call->cluster, call->session_id,
      call->serial);
  gsize i;

  if (watched == NULL)
    goto out;
  watched->fetching = FALSE;
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY)
    goto out;
  for (i = 0; i < reply->elements; i++) {
    GstOpenTokEvent *event;
    guint64 offset;

    event = redis_cluster_read_entry (reply->element[i], &offset);
    if (event == NULL)
      continue;
    if (offset > watched->applied &&
        g_tree_lookup (watched->early, &offset) == NULL)
      g_tree_insert (watched->early, g_memdup2 (&offset, sizeof (offset)),
          event);
    else
      gst_opentok_event_free (event);
  }
  /* what the stream no longer holds is lost to this node's members */
  if (g_tree_nnodes (watched->early) > 0) {
    guint64 next = watched->applied + 1;

    if (g_tree_lookup (watched->early, &next) == NULL) {
      GTreeNode *first = g_tree_node_first (watched->early);
      guint64 first_offset = *(guint64 *) g_tree_node_key (first);

      GST_ERROR ("session %s: events %" G_GUINT64_FORMAT " to %"
          G_GUINT64_FORMAT " are gone from Redis", watched->id, next,
          first_offset - 1);
      watched->applied = first_offset - 1;
    }
  }
  watched_drain (call->cluster, call->session_id, call->serial);

out:
  watch_reply_free (call);
}

/* Reads what is missing before the earliest event held, from the stream. */
static void
watched_fetch (Watched * watched)
{
  GstOpenTokRedisCluster *self = watched->cluster;

  if (watched->fetching || !self->connected)
    return;
  watched->fetching = TRUE;
  redis_cluster_read_stream (self, watched->id, watched->applied + 1, 0,
      fetch_replied, watch_reply_new (watched));
}

/* The view is whole: what was held back goes out. */

static void
watched_loaded (GstOpenTokRedisCluster * self, Watched * watched)
{
  gchar *id = g_strdup (watched->id);
  guint serial = watched->serial;
  Append *append;

  Claim *claim;

  watched->loaded = TRUE;
  while ((append = g_queue_pop_head (&watched->held)))
    redis_cluster_send_append (append);
  watched_drain (self, id, serial);
  while ((watched = watched_lookup (self, id, serial)) != NULL &&
      (claim = g_queue_pop_head (&watched->claims)))
    redis_cluster_run_claim (watched, claim);
  g_free (id);
}

typedef struct
{
  guint64 offset;
  GstOpenTokEvent *join;
} Loaded;

static gint
compare_loaded (gconstpointer a, gconstpointer b)
{
  guint64 x = ((const Loaded *) a)->offset, y = ((const Loaded *) b)->offset;

  return x < y ? -1 : x > y;
}

/* The history, "OFFSET TIME EVENT" newest first, oldest loaded first. */
static void
snapshot_load_history (GstOpenTokRedisCluster * self,
    const gchar * session_id, const redisReply * history)
{
  gsize i;

  for (i = history->elements; i > 0; i--) {
    const redisReply *entry = history->element[i - 1];
    gchar **parts;
    guint64 offset;
    gint64 time;
    GstOpenTokEvent *event;

    if (entry->type != REDIS_REPLY_STRING)
      continue;
    parts = g_strsplit (entry->str, " ", 3);
    if (g_strv_length (parts) == 3 &&
        g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT64, &offset,
            NULL) && g_ascii_string_to_signed (parts[1], 10, 0, G_MAXINT64,
            &time, NULL) &&
        (event = gst_opentok_event_decode (parts[2], strlen (parts[2]),
                NULL)) != NULL) {
      event->offset = offset;
      gst_opentok_sessions_load_history (self->sessions, session_id, event,
          time);
      gst_opentok_event_free (event);
    }
    g_strfreev (parts);
  }
}

/* [offset, [history], member, "OFFSET JOIN", member, ...] */
static void
snapshot_replied (GstOpenTokRedis * redis, redisReply * reply,
    gpointer user_data)
{
  WatchReply *call = user_data;
  GstOpenTokRedisCluster *self = call->cluster;
  Watched *watched = watched_lookup (self, call->session_id, call->serial);
  GArray *members;
  guint64 offset;
  gsize i;

  if (watched == NULL || reply == NULL)
    goto out;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_ARRAY ||
      !g_ascii_string_to_unsigned (reply->element[0]->str, 10, 0,
          G_MAXUINT64, &offset, NULL)) {
    GST_WARNING ("session %s: no view of it in Redis", watched->id);
    watched_loaded (self, watched);
    goto out;
  }
  /* back after a lost connection: what happened meanwhile is read from the
   * stream, unless Redis lost the session's events (restarted without
   * them), when the view starts again from what Redis has */
  if (watched->applied > 0 && offset >= watched->applied) {
    watched->loaded = TRUE;
    if (offset > watched->applied)
      watched_fetch (watched);
    watched_loaded (self, watched);
    goto out;
  }
  if (watched->applied > 0) {
    GST_ERROR ("session %s: Redis holds %" G_GUINT64_FORMAT " events of "
        "it, this node applied %" G_GUINT64_FORMAT ": starting again from "
        "what Redis has", watched->id, offset, watched->applied);
    gst_opentok_sessions_set_replica (self->sessions, watched->id, FALSE);
    g_tree_remove_all (watched->early);
  }
  snapshot_load_history (self, watched->id, reply->element[1]);
  members = g_array_new (FALSE, FALSE, sizeof (Loaded));
  for (i = 3; i < reply->elements; i += 2) {
    redisReply *value = reply->element[i];
    const gchar *space;
    gchar *number;
    Loaded loaded;

    if (value->type != REDIS_REPLY_STRING ||
        (space = memchr (value->str, ' ', value->len)) == NULL)
      continue;
    number = g_strndup (value->str, space - value->str);
    if (g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64,
            &loaded.offset, NULL) &&
        (loaded.join = gst_opentok_event_decode (space + 1,
                value->len - (space + 1 - value->str), NULL)) != NULL)
      g_array_append_val (members, loaded);
    g_free (number);
  }
  g_array_sort (members, compare_loaded);
  for (i = 0; i < members->len; i++) {
    Loaded *loaded = &g_array_index (members, Loaded, i);

    gst_opentok_sessions_load_member (self->sessions, watched->id,
        loaded->join);
    gst_opentok_event_free (loaded->join);
  }
  g_array_free (members, TRUE);
  gst_opentok_sessions_set_replica (self->sessions, watched->id, TRUE);
  watched->applied = offset;
  watched_loaded (self, watched);

out:
  watch_reply_free (call);
}

/* Subscribed: the view starts from a snapshot, or, after a reconnection,
 * from the stream since the last event applied. */
static void
watched_subscribed (Watched * watched)
{
  GstOpenTokRedisCluster *self = watched->cluster;
  gchar *session, *members, *history;
  const gchar *args[3];

  session = redis_cluster_key (self, watched->id, "");
  members = redis_cluster_key (self, watched->id, ":m");
  history = redis_cluster_key (self, watched->id, ":hist");
  args[0] = session;
  args[1] = members;
  args[2] = history;
  redis_cluster_eval (self, self->snapshot_sha, snapshot_replied,
      watch_reply_new (watched), 3, 3, args);
  g_free (history);
  g_free (members);
  g_free (session);
}

/* "MEMBER NODE": another node took the member over. */
static void
channel_member_moved (GstOpenTokRedisCluster * self, const gchar * session_id,
    const gchar * text)
{
  const gchar *space = strchr (text, ' ');
  gchar *member;

  if (space == NULL || g_str_equal (space + 1, self->parent.node))
    return;
  member = g_strndup (text, space - text);
  gst_opentok_sessions_release_member (self->sessions, session_id, member);
  g_free (member);
}

/* Replies on the subscriber connection: ["subscribe", channel, n],
 * ["message", channel, "OFFSET EVENT"], ["unsubscribe", channel, n]. */
static void
channel_replied (GstOpenTokRedis * redis, redisReply * reply,
    gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;
  const gchar *kind, *channel, *session_id, *space;
  gsize prefix_length = strlen (self->prefix) + 3;
  GstOpenTokEvent *event;
  redisReply *payload;
  Watched *watched;
  guint64 offset;
  gchar *number;

  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
      reply->elements != 3 || reply->element[0]->type != REDIS_REPLY_STRING
      || reply->element[1]->type != REDIS_REPLY_STRING)
    return;
  kind = reply->element[0]->str;
  channel = reply->element[1]->str;
  if (strlen (channel) <= prefix_length ||
      strncmp (channel, self->prefix, prefix_length - 3) != 0)
    return;
  session_id = channel + prefix_length;
  watched = g_hash_table_lookup (self->watched, session_id);
  if (watched == NULL)
    return;
  if (g_str_equal (kind, "subscribe")) {
    watched_subscribed (watched);
    return;
  }
  payload = reply->element[2];
  if (!g_str_equal (kind, "message") || payload->type != REDIS_REPLY_STRING
      || (space = memchr (payload->str, ' ', payload->len)) == NULL)
    return;
  if (payload->str[0] == 'M') {
    channel_member_moved (self, session_id, space + 1);
    return;
  }
  number = g_strndup (payload->str, space - payload->str);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, &offset, NULL)) {
    g_free (number);
    return;
  }
  g_free (number);
  event = gst_opentok_event_decode (space + 1,
      payload->len - (space + 1 - payload->str), NULL);
  if (event == NULL) {
    GST_WARNING ("session %s: an event from Redis is not one of ours",
        session_id);
    return;
  }
  watched_take (watched, offset, event);
}

void
redis_cluster_subscribe (Watched * watched)
{
  watched->cluster->metrics->redis_commands++;
  gst_opentok_redis_subscribe (watched->cluster->channels, watched->channel,
      channel_replied, watched->cluster);
}

void
redis_cluster_watch (GstOpenTokCluster * cluster, const gchar * session_id)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  Watched *watched;

  if (g_hash_table_contains (self->watched, session_id))
    return;
  watched = g_new0 (Watched, 1);
  watched->cluster = self;
  watched->id = g_strdup (session_id);
  watched->channel = g_strconcat (self->prefix, "ch:", session_id, NULL);
  watched->serial = ++self->serial;
  watched->early = g_tree_new_full (compare_offsets, NULL, g_free,
      (GDestroyNotify) gst_opentok_event_free);
  g_queue_init (&watched->held);
  g_queue_init (&watched->claims);
  g_hash_table_insert (self->watched, watched->id, watched);
  GST_DEBUG ("watching session %s", session_id);
  if (self->connected)
    redis_cluster_subscribe (watched);
}

void
redis_cluster_unwatch (GstOpenTokCluster * cluster, const gchar * session_id)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  Watched *watched = g_hash_table_lookup (self->watched, session_id);
  Append *append;

  if (watched == NULL)
    return;
  GST_DEBUG ("no longer watching session %s", session_id);
  /* what waited for the view needs none */
  watched->loaded = TRUE;
  while ((append = g_queue_pop_head (&watched->held)))
    redis_cluster_send_append (append);
  if (watched->claims.length > 0)
    return;
  if (self->connected)
    gst_opentok_redis_unsubscribe (self->channels, watched->channel);
  g_hash_table_remove (self->watched, session_id);
  gst_opentok_sessions_set_replica (self->sessions, session_id, FALSE);
}
