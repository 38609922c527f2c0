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

#include "gstopentokrediscluster.h"
#include "gstopentokerror.h"
#include "gstopentokserver-private.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* Events a session's stream keeps (about; Redis trims whole nodes). */
#define LOG_LENGTH "10000"
/* How long a member's request is known as carried out, as a node
 * remembers its replies (seconds). */
#define REQUEST_MEMORY_S "120"
/* After a lost connection, the next attempt. */
#define RECONNECT_DELAY_MS 500

/* KEYS: session, members, stream, owners, acknowledgements, the socket
 * id's key, the request's key. ARGV: kind, connection id, target, event,
 * channel, stream length, this node, socket id, "1" when only the member's
 * own node may end it, session id, "1" when the event answers a member's
 * request (carried out once: a re-sent one is a DUPLICATE), how long that
 * is remembered (s), the key prefix, how many broadcasts the session's
 * history keeps (KEYS: the history, "OFFSET TIME EVENT", newest first).
 * Each node's members are listed in a set of "SESSION MEMBER" (node:NODE),
 * for when it dies. Returns the event's offset. */
static const gchar append_script[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then\n"
    "  return redis.error_reply('NOSESSION no such session')\n"
    "end\n"
    "local kind, member = ARGV[1], ARGV[2]\n"
    "if kind == 'J' then\n"
    "  if redis.call('HEXISTS', KEYS[2], member) == 1 then\n"
    "    return redis.error_reply('EXISTS the connection id is taken')\n"
    "  end\n"
    "elseif kind == 'L' then\n"
    "  if ARGV[9] == '1' and redis.call('HGET', KEYS[4], member) ~= ARGV[7] then\n"
    "    return redis.error_reply('NOTOWNER another node has it')\n"
    "  end\n"
    "  if redis.call('HDEL', KEYS[2], member) == 0 then\n"
    "    return redis.error_reply('NOTFOUND no such member')\n"
    "  end\n"
    "  local owner = redis.call('HGET', KEYS[4], member)\n"
    "  if owner then\n"
    "    redis.call('SREM', ARGV[13] .. 'node:' .. owner,\n"
    "        ARGV[10] .. ' ' .. member)\n"
    "  end\n"
    "  redis.call('HDEL', KEYS[4], member)\n"
    "  redis.call('HDEL', KEYS[5], member)\n"
    "  if ARGV[8] ~= '' then redis.call('DEL', KEYS[6]) end\n"
    "elseif ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[2], ARGV[3]) == 0 then\n"
    "  return redis.error_reply('NOTFOUND no such member')\n"
    "end\n"
    "if ARGV[11] == '1' and\n"
    "    not redis.call('SET', KEYS[7], '1', 'NX', 'EX', ARGV[12]) then\n"
    "  return redis.error_reply('DUPLICATE already carried out')\n"
    "end\n"
    "local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)\n"
    "if kind == 'J' then\n"
    "  redis.call('HSET', KEYS[2], member, offset .. ' ' .. ARGV[4])\n"
    "  redis.call('HSET', KEYS[4], member, ARGV[7])\n"
    "  redis.call('SADD', ARGV[13] .. 'node:' .. ARGV[7],\n"
    "      ARGV[10] .. ' ' .. member)\n"
    "  redis.call('HSET', KEYS[5], member, offset - 1)\n"
    "  if ARGV[8] ~= '' then\n"
    "    redis.call('SET', KEYS[6], ARGV[10] .. ' ' .. member)\n"
    "  end\n"
    "end\n"
    "redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], offset .. '-0',\n"
    "    'e', ARGV[4])\n"
    "if kind == 'S' and ARGV[3] == '' and tonumber(ARGV[14]) > 0 then\n"
    "  local t = redis.call('TIME')\n"
    "  redis.call('LPUSH', KEYS[8], offset .. ' ' .. t[1] ..\n"
    "      string.format('%06d', tonumber(t[2])) .. ' ' .. ARGV[4])\n"
    "  redis.call('LTRIM', KEYS[8], 0, tonumber(ARGV[14]) - 1)\n"
    "end\n"
    "redis.call('PUBLISH', ARGV[5], offset .. ' ' .. ARGV[4])\n"
    "return offset\n";

/* KEYS: the socket id's key. ARGV: the key prefix, this node. The member of
 * that socket id becomes this node's; the others hear it on the session's
 * channel ("M MEMBER NODE"). Returns the session, the member and the offset
 * up to which its client acknowledged. */
static const gchar claim_script[] =
    "local owner = redis.call('GET', KEYS[1])\n"
    "if not owner then\n"
    "  return redis.error_reply('NOTFOUND no such socket')\n"
    "end\n"
    "local space = string.find(owner, ' ', 1, true)\n"
    "if not space then\n"
    "  return redis.error_reply('NOTFOUND no such socket')\n"
    "end\n"
    "local session = string.sub(owner, 1, space - 1)\n"
    "local member = string.sub(owner, space + 1)\n"
    "local base = ARGV[1] .. 's:' .. session\n"
    "if redis.call('HEXISTS', base .. ':m', member) == 0 then\n"
    "  return redis.error_reply('NOTFOUND no such member')\n"
    "end\n"
    "local old = redis.call('HGET', base .. ':own', member)\n"
    "if old then\n"
    "  redis.call('SREM', ARGV[1] .. 'node:' .. old, session .. ' ' .. member)\n"
    "end\n"
    "redis.call('SADD', ARGV[1] .. 'node:' .. ARGV[2], session .. ' ' .. member)\n"
    "redis.call('HSET', base .. ':own', member, ARGV[2])\n"
    "local acknowledged = redis.call('HGET', base .. ':acks', member) or '0'\n"
    "redis.call('PUBLISH', ARGV[1] .. 'ch:' .. session,\n"
    "    'M ' .. member .. ' ' .. ARGV[2])\n"
    "return {session, member, acknowledged}\n";

/* KEYS: the nodes (a sorted set of lease ends, in Redis' time, ms). ARGV:
 * this node, the lease (ms). Returns Redis' time (ms). */
static const gchar renew_script[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
    "return now\n";

/* KEYS: the nodes. ARGV: the key prefix, how long a node is given after
 * its lease ended (the reconnection window, ms), this node, "1" to end this
 * node's own members instead (it lost its lease), the stream length. Ends
 * the members still on a written-off node with a leave (networkDisconnected,
 * made here in the events' form) in their session's order. Returns how many
 * nodes were written off. */
static const gchar sweep_script[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "local dead\n"
    "if ARGV[4] == '1' then\n"
    "  dead = {ARGV[3]}\n"
    "else\n"
    "  dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf',\n"
    "      now - tonumber(ARGV[2]))\n"
    "end\n"
    "local reason = 'networkDisconnected'\n"
    "local n = 0\n"
    "for _, node in ipairs(dead) do\n"
    "  if node ~= ARGV[3] or ARGV[4] == '1' then\n"
    "    local set = ARGV[1] .. 'node:' .. node\n"
    "    for _, entry in ipairs(redis.call('SMEMBERS', set)) do\n"
    "      local space = string.find(entry, ' ', 1, true)\n"
    "      local session = string.sub(entry, 1, space - 1)\n"
    "      local member = string.sub(entry, space + 1)\n"
    "      local base = ARGV[1] .. 's:' .. session\n"
    "      if redis.call('HGET', base .. ':own', member) == node and\n"
    "          redis.call('HDEL', base .. ':m', member) == 1 then\n"
    "        redis.call('HDEL', base .. ':own', member)\n"
    "        redis.call('HDEL', base .. ':acks', member)\n"
    "        local offset = redis.call('HINCRBY', base, 'offset', 1)\n"
    "        local event = 'L' .. string.len(member) .. ':' .. member ..\n"
    "            ',NN1:0,1:0,' .. string.len(reason) .. ':' .. reason ..\n"
    "            ',NNNNN'\n"
    "        redis.call('XADD', base .. ':log', 'MAXLEN', '~', ARGV[5],\n"
    "            offset .. '-0', 'e', event)\n"
    "        redis.call('PUBLISH', ARGV[1] .. 'ch:' .. session,\n"
    "            offset .. ' ' .. event)\n"
    "      end\n"
    "    end\n"
    "    redis.call('DEL', set)\n"
    "    if node ~= ARGV[3] then\n"
    "      redis.call('ZREM', KEYS[1], node)\n"
    "      n = n + 1\n" "    end\n" "  end\n" "end\n" "return n\n";

/* KEYS: session, members, history. Returns the last offset, the history
 * (newest first), then every member and its "OFFSET JOIN-EVENT". */
static const gchar snapshot_script[] =
    "local offset = redis.call('HGET', KEYS[1], 'offset')\n"
    "if not offset then\n"
    "  return redis.error_reply('NOSESSION no such session')\n"
    "end\n"
    "local members = redis.call('HGETALL', KEYS[2])\n"
    "table.insert(members, 1, redis.call('LRANGE', KEYS[3], 0, -1))\n"
    "table.insert(members, 1, offset)\n" "return members\n";

/* KEYS: session. ARGV: creation time, transaction prefix. */
static const gchar add_script[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
    "  return redis.error_reply('EXISTS the connection id is taken')\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'created', ARGV[1], 'prefix', ARGV[2],\n"
    "    'offset', 0)\n" "return 1\n";

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

static void cluster_connect (GstOpenTokRedisCluster * self);
static void watched_subscribe (Watched * watched);

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

static void
refuse_not_connected (GstOpenTokClusterDoneFunc done, gpointer user_data)
{
  refuse (done, user_data, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
      "Not connected: the cluster's Redis cannot be reached");
}

static gchar *
session_key (GstOpenTokRedisCluster * self, const gchar * session_id,
    const gchar * suffix)
{
  return g_strconcat (self->prefix, "s:", session_id, suffix, NULL);
}

/* A command on the commands connection, counted. */
static void
cluster_command (GstOpenTokRedisCluster * self, GstOpenTokRedisReplyFunc func,
    gpointer user_data, gint argc, const gchar ** argv, const gsize * argv_len)
{
  self->metrics->redis_commands++;
  gst_opentok_redis_command (self->commands, func, user_data, argc, argv,
      argv_len);
}

/* Sends a script by its SHA1, which SCRIPT LOAD made known on this
 * connection before anything else. */
static void
cluster_eval (GstOpenTokRedisCluster * self, const gchar * sha,
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
  cluster_command (self, func, user_data, argc + 3, argv, argv_len);
}

/* The scripts' refusals: "CODE what", as Redis passes them on. */
static gboolean
reply_is_error (const redisReply * reply, const gchar * code)
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
    refuse_not_connected (call->done, call->user_data);
  else if (reply->type == REDIS_REPLY_ERROR)
    refuse (call->done, call->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, reply_is_error (reply,
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
    refuse_not_connected (done, user_data);
    return;
  }
  key = session_key (self, record->id, "");
  g_snprintf (created, sizeof (created), "%" G_GINT64_FORMAT, record->created);
  args[0] = key;
  args[1] = created;
  args[2] = record->transaction_prefix;
  call = g_new (Done, 1);
  call->done = done;
  call->user_data = user_data;
  cluster_eval (self, self->add_sha, add_session_replied, call, 1, 3, args);
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
  gchar *key = session_key (self, session_id, "");
  const gchar *argv[] = { "HMGET", key, "created", "prefix" };
  gsize argv_len[] = { 5, strlen (key), 7, 6 };
  Find *find = g_new (Find, 1);

  find->session_id = g_strdup (session_id);
  find->found = found;
  find->user_data = user_data;
  if (self->connected)
    cluster_command (self, find_session_replied, find, 4, argv, argv_len);
  else
    find_session_replied (NULL, NULL, find);
  g_free (key);
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

static void
append_free (Append * append)
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
    refuse_not_connected (append->done, append->user_data);
  } else if (reply->type == REDIS_REPLY_INTEGER) {
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (reply_is_error (reply, "EXISTS")) {
    GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS,
        "The connection id is already in use in this session");

    if (append->done)
      append->done (error, append->user_data);
    g_error_free (error);
  } else if (reply_is_error (reply, "NOTFOUND")) {
    refuse (append->done, append->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND,
        "The connection is not connected to the session");
  } else if (reply_is_error (reply, "DUPLICATE")) {
    /* re-sent after a reconnection, maybe through another node: it was
     * carried out, it is answered again */
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (reply_is_error (reply, "NOTOWNER")) {
    /* the member went over to another node: it leaves from there */
    if (append->done)
      append->done (NULL, append->user_data);
  } else if (reply_is_error (reply, "NOSESSION")) {
    refuse (append->done, append->user_data,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");
  } else {
    GST_WARNING ("Redis refused an event: %s", reply->type ==
        REDIS_REPLY_ERROR ? reply->str : "(not a number)");
    refuse_not_connected (append->done, append->user_data);
  }
  append_free (append);
}

static void
append_send (Append * append)
{
  GstOpenTokRedisCluster *self = append->cluster;
  const GstOpenTokEvent *event = append->event;
  gchar *session = session_key (self, append->session_id, "");
  gchar *members = session_key (self, append->session_id, ":m");
  gchar *log = session_key (self, append->session_id, ":log");
  gchar *owners = session_key (self, append->session_id, ":own");
  gchar *acks = session_key (self, append->session_id, ":acks");
  gchar *socket = g_strconcat (self->prefix, "sock:", event->socket_id,
      NULL);
  /* clients make their transaction ids random UUIDs */
  gchar *request = g_strconcat (self->prefix, "req:", append->session_id,
      ":", event->request, NULL);
  gchar *history = session_key (self, append->session_id, ":hist");
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
    refuse_not_connected (append->done, append->user_data);
    append_free (append);
  } else {
    cluster_eval (self, self->append_sha, append_replied, append, 8,
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
    refuse_not_connected (done, user_data);
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
    append_send (append);
}

/* ------------------------------------------------------------------------ */
/* Watched sessions                                                         */

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

static void
claim_free (Claim * claim)
{
  g_free (claim->session_id);
  g_free (claim->connection_id);
  g_free (claim);
}

static void
claim_refuse (Claim * claim)
{
  GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
      "Not connected: the cluster's Redis cannot be reached");

  claim->claimed (NULL, NULL, 0, error, claim->user_data);
  g_error_free (error);
  claim_free (claim);
}

static void
watched_refuse_claims (Watched * watched)
{
  Claim *claim;

  while ((claim = g_queue_pop_head (&watched->claims)))
    claim_refuse (claim);
}

static void
watched_free (Watched * watched)
{
  Append *append;

  while ((append = g_queue_pop_head (&watched->held))) {
    refuse_not_connected (append->done, append->user_data);
    append_free (append);
  }
  watched_refuse_claims (watched);
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
static GstOpenTokEvent *
stream_entry_read (const redisReply * entry, guint64 * offset)
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
static void
cluster_read_stream (GstOpenTokRedisCluster * self, const gchar * session_id,
    guint64 first, guint64 last, GstOpenTokRedisReplyFunc func,
    gpointer user_data)
{
  gchar *log = session_key (self, session_id, ":log"), start[32], end[32];
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
  cluster_command (self, func, user_data, 4, argv, argv_len);
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

    event = stream_entry_read (reply->element[i], &offset);
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
  cluster_read_stream (self, watched->id, watched->applied + 1, 0,
      fetch_replied, watch_reply_new (watched));
}

/* The view is whole: what was held back goes out. */
static void claim_run (Watched * watched, Claim * claim);

static void
watched_loaded (GstOpenTokRedisCluster * self, Watched * watched)
{
  gchar *id = g_strdup (watched->id);
  guint serial = watched->serial;
  Append *append;

  Claim *claim;

  watched->loaded = TRUE;
  while ((append = g_queue_pop_head (&watched->held)))
    append_send (append);
  watched_drain (self, id, serial);
  while ((watched = watched_lookup (self, id, serial)) != NULL &&
      (claim = g_queue_pop_head (&watched->claims)))
    claim_run (watched, claim);
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

  session = session_key (self, watched->id, "");
  members = session_key (self, watched->id, ":m");
  history = session_key (self, watched->id, ":hist");
  args[0] = session;
  args[1] = members;
  args[2] = history;
  cluster_eval (self, self->snapshot_sha, snapshot_replied,
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

static void
watched_subscribe (Watched * watched)
{
  watched->cluster->metrics->redis_commands++;
  gst_opentok_redis_subscribe (watched->cluster->channels, watched->channel,
      channel_replied, watched->cluster);
}

static void
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
    watched_subscribe (watched);
}

static void
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
    append_send (append);
  if (watched->claims.length > 0)
    return;
  if (self->connected)
    gst_opentok_redis_unsubscribe (self->channels, watched->channel);
  g_hash_table_remove (self->watched, session_id);
  gst_opentok_sessions_set_replica (self->sessions, session_id, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Members coming over from other nodes                                     */

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

    event = stream_entry_read (reply->element[i], &offset);
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
static void
claim_run (Watched * watched, Claim * claim)
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
    claim_free (claim);
    return;
  }
  cluster_read_stream (self, claim->session_id, claim->acknowledged + 1, last,
      replay_replied, replay);
  claim_free (claim);
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
    claim_free (claim);
    return;
  }
  redis_cluster_watch (&self->parent, claim->session_id);
  watched = g_hash_table_lookup (self->watched, claim->session_id);
  if (watched->loaded)
    claim_run (watched, claim);
  else
    g_queue_push_tail (&watched->claims, claim);
}

/* [session, member, acknowledged] */
static void
claim_replied (GstOpenTokRedis * redis, redisReply * reply, gpointer user_data)
{
  Claim *claim = user_data;

  if (reply == NULL || (reply->type == REDIS_REPLY_ERROR &&
          !reply_is_error (reply, "NOTFOUND"))) {
    claim_refuse (claim);
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
    claim_free (claim);
    return;
  }
  claim->session_id = g_strdup (reply->element[0]->str);
  claim->connection_id = g_strdup (reply->element[1]->str);
  gst_opentok_sessions_find (claim->cluster->sessions, claim->session_id,
      claim_found_session, claim);
}

static void
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
    claim_refuse (claim);
    return;
  }
  key = g_strconcat (self->prefix, "sock:", socket_id, NULL);
  args[0] = key;
  args[1] = self->prefix;
  args[2] = self->parent.node;
  cluster_eval (self, self->claim_sha, claim_replied, claim, 1, 3, args);
  g_free (key);
}

/* How far the member's client got, for the node it may come back through:
 * one command, not waited for. */
static void
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
  key = session_key (self, session_id, ":acks");
  g_snprintf (number, sizeof (number), "%" G_GUINT64_FORMAT, offset);
  argv[0] = "HSET";
  argv[1] = key;
  argv[2] = connection_id;
  argv[3] = number;
  for (i = 0; i < 4; i++)
    argv_len[i] = strlen (argv[i]);
  cluster_command (self, NULL, NULL, 4, argv, argv_len);
  g_free (key);
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
  cluster_eval (self, self->sweep_sha, swept, self, 1, G_N_ELEMENTS (args),
      args);
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
  cluster_eval (self, self->renew_sha, renewed, self, 1, G_N_ELEMENTS (args),
      args);
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
      refuse_not_connected (append->done, append->user_data);
      append_free (append);
    }
    watched_refuse_claims (watched);
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
    watched_subscribe (watched);
}

static void
load_script (GstOpenTokRedisCluster * self, const gchar * script,
    GstOpenTokRedisReplyFunc func)
{
  const gchar *argv[] = { "SCRIPT", "LOAD", script };
  gsize argv_len[] = { 6, 4, strlen (script) };

  cluster_command (self, func, self, 3, argv, argv_len);
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
  load_script (self, append_script, NULL);
  load_script (self, snapshot_script, NULL);
  load_script (self, claim_script, NULL);
  load_script (self, renew_script, NULL);
  load_script (self, sweep_script, NULL);
  load_script (self, add_script, scripts_loaded);
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
      append_script, -1);
  self->snapshot_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      snapshot_script, -1);
  self->add_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      add_script, -1);
  self->claim_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      claim_script, -1);
  self->renew_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      renew_script, -1);
  self->sweep_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      sweep_script, -1);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) watched_free);
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
