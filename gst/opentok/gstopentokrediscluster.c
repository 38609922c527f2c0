/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentokrediscluster-private.h"
#include "gstopentokerror.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* Events a session's stream keeps (about; Redis trims whole nodes). */
#define LOG_LENGTH "10000"
/* How long a member's request is known as carried out, as a node
 * remembers its replies (seconds). */
#define REQUEST_MEMORY_S "120"
/* After a lost connection, the next attempt. */
#define RECONNECT_DELAY_MS 500

static void cluster_connect (GstOpenTokRedisCluster * self);

static void
refuse (GstOpenTokClusterDoneFunc done, gpointer user_data, guint code,
    const gchar * message)
{
  GError *error;

  if (done == NULL)
    return;
  error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR, code, message);
  done (error, user_data);
  g_error_free (error);
}

void
redis_cluster_refuse_not_connected (GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  refuse (done, user_data, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
      "Not connected: the cluster's Redis cannot be reached");
}

gchar *
redis_cluster_key (GstOpenTokRedisCluster * self, const gchar * session_id,
    const gchar * suffix)
{
  return g_strconcat (self->prefix, "s:", session_id, suffix, NULL);
}

/* A command on the commands connection, counted. */
void
redis_cluster_command (GstOpenTokRedisCluster * self,
    GstOpenTokRedisReplyFunc func, gpointer user_data, gint argc,
    const gchar ** argv, const gsize * argv_len)
{
  self->metrics->redis_commands++;
  gst_opentok_redis_command (self->commands, func, user_data, argc, argv,
      argv_len);
}

/* Sends a script by its SHA1, which SCRIPT LOAD made known on this
 * connection before anything else. */
void
redis_cluster_eval (GstOpenTokRedisCluster * self, const gchar * sha,
    GstOpenTokRedisReplyFunc func, gpointer user_data, gint n_keys,
    gint argc, const gchar ** args)
{
  const gchar *argv[32];
  gsize argv_len[32];
  gchar keys[8];
  gint i;

  g_assert (argc + 3 <= (gint) G_N_ELEMENTS (argv));
  g_snprintf (keys, sizeof (keys), "%d", n_keys);
  argv[0] = "EVALSHA";
  argv[1] = sha;
  argv[2] = keys;
  for (i = 0; i < argc; i++)
    argv[i + 3] = args[i];
  for (i = 0; i < argc + 3; i++)
    argv_len[i] = strlen (argv[i]);
  redis_cluster_command (self, func, user_data, argc + 3, argv, argv_len);
}

/* The scripts' refusals: "CODE what", as Redis passes them on. */
gboolean
redis_cluster_reply_is_error (const redisReply * reply, const gchar * code)
{
  gsize length = strlen (code);

  return reply->type == REDIS_REPLY_ERROR && reply->str != NULL &&
      strncmp (reply->str, code, length) == 0 && reply->str[length] == ' ';
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */

typedef struct
{
  GstOpenTokClusterDoneFunc done;
  gpointer user_data;
} Done;

static void
add_session_replied (GstOpenTokRedis * redis, redisReply * reply,
    gpointer user_data)
{
  Done *call = user_data;

  if (reply == NULL)
    redis_cluster_refuse_not_connected (call->done, call->user_data);
  else if (reply->type == REDIS_REPLY_ERROR)
    refuse (call->done, call->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
        redis_cluster_reply_is_error (reply,
            "EXISTS") ? "The session id is taken" : reply->str);
  else if (call->done)
    call->done (NULL, call->user_data);
  g_free (call);
}

static void
redis_cluster_add_session (GstOpenTokCluster * cluster,
    const GstOpenTokSessionRecord * record, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  gchar *key, created[24];
  const gchar *args[3];
  Done *call;

  if (!self->connected) {
    redis_cluster_refuse_not_connected (done, user_data);
    return;
  }
  key = redis_cluster_key (self, record->id, "");
  g_snprintf (created, sizeof (created), "%" G_GINT64_FORMAT, record->created);
  args[0] = key;
  args[1] = created;
  args[2] = record->transaction_prefix;
  call = g_new (Done, 1);
  call->done = done;
  call->user_data = user_data;
  redis_cluster_eval (self, self->add_sha, add_session_replied, call, 1, 3,
      args);
  g_free (key);
}

typedef struct
{
  gchar *session_id;
  GstOpenTokClusterFoundFunc found;
  gpointer user_data;
} Find;

static void
find_session_replied (GstOpenTokRedis * redis, redisReply * reply,
    gpointer user_data)
{
  Find *find = user_data;
  GstOpenTokSessionRecord record = { find->session_id, 0, NULL };
  GError *error = NULL;
  gint64 created;

  if (reply == NULL) {
    error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
        "Not connected: the cluster's Redis cannot be reached");
    find->found (NULL, error, find->user_data);
    g_error_free (error);
  } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
      reply->element[0]->type == REDIS_REPLY_STRING &&
      reply->element[1]->type == REDIS_REPLY_STRING &&
      reply->element[1]->len >= 24 &&
      g_ascii_string_to_signed (reply->element[0]->str, 10, 0, G_MAXINT64,
          &created, NULL)) {
    record.created = created;
    record.transaction_prefix = reply->element[1]->str;
    find->found (&record, NULL, find->user_data);
  } else {
    /* no such session, or not one of ours */
    find->found (NULL, NULL, find->user_data);
  }
  g_free (find->session_id);
  g_free (find);
}

static void
redis_cluster_find_session (GstOpenTokCluster * cluster,
    const gchar * session_id, GstOpenTokClusterFoundFunc found,
    gpointer user_data)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  gchar *key = redis_cluster_key (self, session_id, "");
  const gchar *argv[] = { "HMGET", key, "created", "prefix" };
  gsize argv_len[] = { 5, strlen (key), 7, 6 };
  Find *find = g_new (Find, 1);

  find->session_id = g_strdup (session_id);
  find->found = found;
  find->user_data = user_data;
  if (self->connected)
    redis_cluster_command (self, find_session_replied, find, 4, argv, argv_len);
  else
    find_session_replied (NULL, NULL, find);
  g_free (key);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

void
redis_cluster_free_append (Append * append)
{
  g_free (append->session_id);
  gst_opentok_event_free (append->event);
  g_free (append);
}

static void
append_replied (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  Append *append = user_data;

  if (reply == NULL) {
    redis_cluster_refuse_not_connected (append->done, append->user_data);
  } else if (reply->type == REDIS_REPLY_INTEGER) {
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (redis_cluster_reply_is_error (reply, "EXISTS")) {
    GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS,
        "The connection id is already in use in this session");

    if (append->done)
      append->done (error, append->user_data);
    g_error_free (error);
  } else if (redis_cluster_reply_is_error (reply, "NOTFOUND")) {
    refuse (append->done, append->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND,
        "The connection is not connected to the session");
  } else if (redis_cluster_reply_is_error (reply, "DUPLICATE")) {
    /* re-sent after a reconnection, maybe through another node: it was
     * carried out, it is answered again */
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (redis_cluster_reply_is_error (reply, "NOTOWNER")) {
    /* the member went over to another node: it leaves from there */
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (redis_cluster_reply_is_error (reply, "NOSESSION")) {
    refuse (append->done, append->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");
  } else {
    GST_WARNING ("Redis refused an event: %s", reply->type ==
        REDIS_REPLY_ERROR ? reply->str : "(not a number)");
    redis_cluster_refuse_not_connected (append->done, append->user_data);
  }
  redis_cluster_free_append (append);
}

void
redis_cluster_send_append (Append * append)
{
  GstOpenTokRedisCluster *self = append->cluster;
  const GstOpenTokEvent *event = append->event;
  gchar *session = redis_cluster_key (self, append->session_id, "");
  gchar *members = redis_cluster_key (self, append->session_id, ":m");
  gchar *log = redis_cluster_key (self, append->session_id, ":log");
  gchar *owners = redis_cluster_key (self, append->session_id, ":own");
  gchar *acks = redis_cluster_key (self, append->session_id, ":acks");
  gchar *socket = g_strconcat (self->prefix, "sock:", event->socket_id,
      NULL);
  /* clients make their transaction ids random UUIDs */
  gchar *request = g_strconcat (self->prefix, "req:", append->session_id,
      ":", event->request, NULL);
  gchar *history = redis_cluster_key (self, append->session_id, ":hist");
  gchar history_size[16];
  gchar *channel = g_strconcat (self->prefix, "ch:", append->session_id,
      NULL);
  GString *encoded = gst_opentok_event_encode (event);
  const gchar kind[] = { "JLS"[event->kind], '\0' };
  /* a member leaving by itself leaves from the node that has it; a forced
   * one from wherever the order came */
  gboolean own_leave = event->kind == GST_OPENTOK_EVENT_LEAVE &&
      g_strcmp0 (event->reason, "forceDisconnected") != 0;
  const gchar *args[] = {
    session, members, log, owners, acks, socket, request, history, kind,
    event->connection_id,
    event->kind == GST_OPENTOK_EVENT_SIGNAL && event->to ? event->to : "",
    encoded->str, channel, LOG_LENGTH, self->parent.node,
    event->socket_id ? event->socket_id : "", own_leave ? "1" : "0",
    append->session_id, event->request ? "1" : "0", REQUEST_MEMORY_S,
    self->prefix, history_size
  };

  g_snprintf (history_size, sizeof (history_size), "%u", self->config->history);

  if (!self->connected) {
    redis_cluster_refuse_not_connected (append->done, append->user_data);
    redis_cluster_free_append (append);
  } else {
    redis_cluster_eval (self, self->append_sha, append_replied, append, 8,
        G_N_ELEMENTS (args), args);
  }
  g_free (history);
  g_string_free (encoded, TRUE);
  g_free (channel);
  g_free (request);
  g_free (socket);
  g_free (acks);
  g_free (owners);
  g_free (log);
  g_free (members);
  g_free (session);
}

static void
redis_cluster_append (GstOpenTokCluster * cluster, const gchar * session_id,
    const GstOpenTokEvent * event, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;
  Watched *watched = g_hash_table_lookup (self->watched, session_id);
  Append *append;

  if (!self->connected) {
    redis_cluster_refuse_not_connected (done, user_data);
    return;
  }
  append = g_new (Append, 1);
  append->cluster = self;
  append->session_id = g_strdup (session_id);
  append->event = gst_opentok_event_copy (event);
  append->done = done;
  append->user_data = user_data;
  /* published before this node listens, it would be missed */
  if (watched != NULL && !watched->loaded)
    g_queue_push_tail (&watched->held, append);
  else
    redis_cluster_send_append (append);
}

/* ------------------------------------------------------------------------ */
/* Leases                                                                   */

static void
swept (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    GST_WARNING ("cluster: the sweep failed: %s", reply->str);
  if (reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer) {
    GST_WARNING ("cluster: %lld nodes were silent past their lease and the "
        "reconnection window: their connections are deleted", reply->integer);
    self->metrics->nodes_written_off += reply->integer;
  }
}

/* Ends the members of the nodes written off, or this node's own after it
 * lost its lease (@own). */
static void
cluster_sweep (GstOpenTokRedisCluster * self, gboolean own)
{
  gchar window[16];
  const gchar *args[] = { self->nodes_key, self->prefix, window,
    self->parent.node, own ? "1" : "0", LOG_LENGTH
  };

  g_snprintf (window, sizeof (window), "%u", self->config->reconnect_window);
  redis_cluster_eval (self, self->sweep_sha, swept, self, 1,
      G_N_ELEMENTS (args), args);
}

static void
renewed (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    GST_WARNING ("cluster: the lease was not renewed: %s", reply->str);
  if (reply == NULL || reply->type != REDIS_REPLY_INTEGER)
    return;
  self->renewed = now;
  self->metrics->lease_renewals++;
  /* it let its members go when the lease ran out: Redis learns it now */
  if (self->abandoned) {
    self->abandoned = FALSE;
    cluster_sweep (self, TRUE);
  }
  /* Redis back after a long outage: every lease looks over, so nobody is
   * written off before the others had a lease's time to renew theirs */
  if (now - self->connected_since > (gint64) self->config->cluster_lease * 1000)
    cluster_sweep (self, FALSE);
}

static void
cluster_renew (GstOpenTokRedisCluster * self)
{
  gchar milliseconds[16];
  const gchar *args[] = { self->nodes_key, self->parent.node, milliseconds };

  g_snprintf (milliseconds, sizeof (milliseconds), "%u",
      self->config->cluster_lease);
  redis_cluster_eval (self, self->renew_sha, renewed, self, 1,
      G_N_ELEMENTS (args), args);
}

/* Every third of the lease: renewed, and the dead written off; a lease
 * that ran out without a renewal ends this node's connections. */
static gboolean
lease_tick (gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;
  gint64 lease = (gint64) self->config->cluster_lease * 1000;

  if (!self->abandoned && g_get_monotonic_time () - self->renewed > lease) {
    GST_ERROR ("cluster: the lease of node %s ran out without Redis: its "
        "connections end", self->parent.node);
    self->abandoned = TRUE;
    gst_opentok_sessions_abandon (self->sessions);
  }
  if (self->connected)
    cluster_renew (self);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* Connections                                                              */

static gboolean
cluster_reconnect (gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;

  g_clear_pointer (&self->reconnect, g_source_unref);
  cluster_connect (self);
  return G_SOURCE_REMOVE;
}

static void
cluster_disconnect (GstOpenTokRedisCluster * self)
{
  GHashTableIter iter;
  Watched *watched;

  self->connected = self->metrics->cluster_connected = FALSE;
  g_clear_pointer (&self->commands, gst_opentok_redis_free);
  g_clear_pointer (&self->channels, gst_opentok_redis_free);
  /* the views are whole again once re-subscribed and caught up */
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & watched)) {
    Append *append;

    watched->loaded = FALSE;
    watched->fetching = FALSE;
    while ((append = g_queue_pop_head (&watched->held))) {
      redis_cluster_refuse_not_connected (append->done, append->user_data);
      redis_cluster_free_append (append);
    }
    redis_cluster_refuse_claims (watched);
  }
}

static void
connection_lost (GstOpenTokRedis * redis, const GError * error,
    gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;

  GST_WARNING ("cluster: %s; trying again in %u ms", error->message,
      RECONNECT_DELAY_MS);
  cluster_disconnect (self);
  if (self->reconnect == NULL) {
    self->reconnect = g_timeout_source_new (RECONNECT_DELAY_MS);
    g_source_set_callback (self->reconnect, cluster_reconnect, self, NULL);
    g_source_attach (self->reconnect, self->context);
  }
}

static void
scripts_loaded (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  GstOpenTokRedisCluster *self = user_data;
  GHashTableIter iter;
  Watched *watched;

  if (reply == NULL || reply->type != REDIS_REPLY_STRING)
    return;
  GST_INFO ("cluster: connected to Redis at %s:%u as node %s",
      self->address->host, self->address->port, self->parent.node);
  self->connected = self->metrics->cluster_connected = TRUE;
  self->connected_since = g_get_monotonic_time ();
  /* back after a lost connection: a Redis restarted empty knows none of
   * the sessions this node serves (their members and events are gone) */
  /* the lease first: a node with members and none would be out of sight
   * of the others */
  cluster_renew (self);
  if (self->was_connected)
    gst_opentok_sessions_seed (self->sessions);
  self->was_connected = TRUE;
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & watched))
    redis_cluster_subscribe (watched);
}

static void
load_script (GstOpenTokRedisCluster * self, const gchar * script,
    GstOpenTokRedisReplyFunc func)
{
  const gchar *argv[] = { "SCRIPT", "LOAD", script };
  gsize argv_len[] = { 6, 4, strlen (script) };

  redis_cluster_command (self, func, self, 3, argv, argv_len);
}

/* Two connections: commands and scripts on one, the session channels on
 * the other. The scripts are loaded before anything else goes out. */
static void
cluster_connect (GstOpenTokRedisCluster * self)
{
  self->commands = gst_opentok_redis_new (self->address, self->context,
      connection_lost, self);
  self->channels = gst_opentok_redis_new (self->address, self->context,
      connection_lost, self);
  load_script (self, redis_cluster_append_script, NULL);
  load_script (self, redis_cluster_snapshot_script, NULL);
  load_script (self, redis_cluster_claim_script, NULL);
  load_script (self, redis_cluster_renew_script, NULL);
  load_script (self, redis_cluster_sweep_script, NULL);
  load_script (self, redis_cluster_add_script, scripts_loaded);
}

static void
redis_cluster_free (GstOpenTokCluster * cluster)
{
  GstOpenTokRedisCluster *self = (GstOpenTokRedisCluster *) cluster;

  if (self->reconnect != NULL) {
    g_source_destroy (self->reconnect);
    g_source_unref (self->reconnect);
  }
  g_source_destroy (self->lease_timer);
  g_source_unref (self->lease_timer);
  /* every request not answered is refused now */
  cluster_disconnect (self);
  g_hash_table_unref (self->watched);
  gst_opentok_redis_address_free (self->address);
  g_main_context_unref (self->context);
  g_free (self->add_sha);
  g_free (self->claim_sha);
  g_free (self->renew_sha);
  g_free (self->sweep_sha);
  g_free (self->nodes_key);
  g_free (self->snapshot_sha);
  g_free (self->append_sha);
  g_free (self->prefix);
  g_free (self->parent.node);
  g_clear_pointer (&self->metrics->cluster_node, g_free);
  g_free (self);
}

static const GstOpenTokClusterVTable redis_cluster_vtable = {
  FALSE,
  redis_cluster_add_session,
  redis_cluster_find_session,
  redis_cluster_watch,
  redis_cluster_unwatch,
  redis_cluster_claim,
  redis_cluster_acknowledge,
  redis_cluster_append,
  redis_cluster_free,
};

GstOpenTokCluster *
gst_opentok_redis_cluster_new (const GstOpenTokRedisAddress * address,
    const GstOpenTokServerConfig * config, GMainContext * context,
    GstOpenTokSessions * sessions, GstOpenTokServerMetrics * metrics)
{
  GstOpenTokRedisCluster *self = g_new0 (GstOpenTokRedisCluster, 1);

  self->parent.vtable = &redis_cluster_vtable;
  self->parent.apply = gst_opentok_sessions_apply;
  self->parent.apply_data = sessions;
  self->parent.node = g_uuid_string_random ();
  self->sessions = sessions;
  self->metrics = metrics;
  g_free (metrics->cluster_node);
  metrics->cluster_node = g_strdup (self->parent.node);
  self->context = g_main_context_ref (context);
  self->address = g_new0 (GstOpenTokRedisAddress, 1);
  self->address->host = g_strdup (address->host);
  self->address->port = address->port;
  self->address->db = address->db;
  self->config = config;
  self->prefix = g_strconcat ("gst-opentok:", config->api_key, ":", NULL);
  self->nodes_key = g_strconcat (self->prefix, "nodes", NULL);
  self->append_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_append_script, -1);
  self->snapshot_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_snapshot_script, -1);
  self->add_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_add_script, -1);
  self->claim_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_claim_script, -1);
  self->renew_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_renew_script, -1);
  self->sweep_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      redis_cluster_sweep_script, -1);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) redis_cluster_free_watched);
  cluster_connect (self);
  self->renewed = g_get_monotonic_time ();
  self->lease_timer = g_timeout_source_new (MAX (config->cluster_lease / 3,
          100));
  g_source_set_callback (self->lease_timer, lease_tick, self, NULL);
  g_source_attach (self->lease_timer, context);
  return &self->parent;
}

gboolean
gst_opentok_redis_cluster_is_connected (GstOpenTokCluster * cluster)
{
  return ((GstOpenTokRedisCluster *) cluster)->connected;
}
