/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* opentok-bench: a load generator for the embedded server and for the
 * relays it is compared with (tests/bench/run.sh runs it).
 *
 * GstOpenTokClient has a thread per connection, which does not scale to
 * thousands of connections, so this program speaks Rumor itself, over
 * libsoup WebSockets and with the library's codec: a few worker threads,
 * each with its own GMainContext, carry many connections each.
 *
 * Modes:
 * - full: exactly what a client does: session-info GET, CONNECT,
 *   SUBSCRIBE, the connection create with the token, an ack for every
 *   server MESSAGE, a PING after two seconds without sending;
 * - raw: for the relays, which know no sessions: CONNECT and SUBSCRIBE
 *   to the session topic, then the same signal frames (addressed to the
 *   topic instead of the symphony address), the same acks and PINGs.
 *   The relays forward every MESSAGE to the subscribers of its addresses
 *   and drop the acks, so all three servers get the same frames.
 *
 * A signal's data starts with its sequence number and its send time
 * (CLOCK_MONOTONIC, ns), both as 16 hex digits; the rest is padding.
 *
 * Workloads (--workload): fanout (one sender, N receivers, in one
 * session), sessions (many sessions, a sender in each), latency (fixed
 * offered rate), idle (many idle connections, server memory) and element
 * (signalbin's own latencies, on an in-process server).
 *
 * A cluster (gst-opentok-server --redis-url): --url takes the nodes' URLs,
 * comma-separated, and the members of each session join through them in
 * turn; --sender-url puts the senders on a node of their own; --server-pid
 * takes every node's process id, and their CPU times are added up;
 * --redis-port reads the Redis' INFO (with redis-cli) around the joins and
 * the measured traffic, for its commands, bytes and CPU.
 *
 * Results go to stdout as one JSON object per line. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <gst/gst.h>
#include <gst/opentok/opentok.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>

#include "quiet-libsoup.h"

#define SIGNAL_TYPE "bench"
#define SIGNAL_HEADER_SIZE 34   /* "%016x %016x " */
/* as the library's client: the create reply of a large session lists every
 * member (over 64 KiB past about 500) */
#define MAX_INCOMING_SIZE (16 * 1024 * 1024)
#define PING_INTERVAL_NS (2 * G_GINT64_CONSTANT (1000000000))
#define TICK_MS 500
#define PUMP_MS 1
#define MAX_SEND_PER_PUMP 512

/* Placeholders in the frame template, patched for every signal. */
#define MARK_TID "TIDTIDTIDTIDTIDT"
#define MARK_URI "URIURIURIURIURIU"
#define MARK_SEQ "SEQSEQSEQSEQSEQS"
#define MARK_TS "TSTSTSTSTSTSTSTS"

/* ------------------------------------------------------------------------ */
/* Latency histogram: exact below 128 ns, then 64 buckets per power of two
 * (under 1.6 % error), up to 2^40 ns. */

#define HIST_SUB 64
#define HIST_BUCKETS (35 * HIST_SUB)

typedef struct
{
  guint64 counts[HIST_BUCKETS];
  guint64 total;
  guint64 max;
} Histogram;

static guint
hist_index (guint64 value)
{
  guint msb, shift, index;

  if (value < 2 * HIST_SUB)
    return (guint) value;
  msb = 63 - __builtin_clzll (value);
  shift = msb - 6;
  index = shift * HIST_SUB + (guint) (value >> shift);
  return MIN (index, HIST_BUCKETS - 1);
}

static guint64
hist_value (guint index)
{
  guint shift;

  if (index < 2 * HIST_SUB)
    return index;
  shift = index / HIST_SUB - 1;
  return ((guint64) (index - shift * HIST_SUB) << shift) +
      ((G_GUINT64_CONSTANT (1) << shift) / 2);
}

static void
hist_add (Histogram * hist, gint64 value)
{
  if (value < 0)
    value = 0;
  hist->counts[hist_index (value)]++;
  hist->total++;
  hist->max = MAX (hist->max, (guint64) value);
}

static void
hist_merge (Histogram * into, const Histogram * from)
{
  guint i;

  for (i = 0; i < HIST_BUCKETS; i++)
    into->counts[i] += from->counts[i];
  into->total += from->total;
  into->max = MAX (into->max, from->max);
}

/* in ns; 0 for an empty histogram */
static guint64
hist_percentile (const Histogram * hist, gdouble percentile)
{
  guint64 rank, seen = 0;
  guint i;

  if (hist->total == 0)
    return 0;
  rank = (guint64) (percentile / 100.0 * hist->total);
  if (rank >= hist->total)
    rank = hist->total - 1;
  for (i = 0; i < HIST_BUCKETS; i++) {
    seen += hist->counts[i];
    if (seen > rank)
      return MIN (hist_value (i), hist->max);
  }
  return hist->max;
}

/* ------------------------------------------------------------------------ */
/* Types                                                                    */

typedef enum
{
  MODE_FULL,
  MODE_RAW,
} Mode;

typedef enum
{
  CONN_WAITING,
  CONN_INFO,
  CONN_OPENING,
  CONN_JOINING,
  CONN_READY,
  CONN_FAILED,
  CONN_CLOSED,
} ConnState;

typedef struct _Bench Bench;
typedef struct _Worker Worker;
typedef struct _Group Group;
typedef struct _Conn Conn;

/* One session (a topic for the relays), with its sender. */
struct _Group
{
  guint index;
  gchar *session_id;
  gchar *topic;
  gchar *token;
  guint n_receivers;
  Conn *sender;
  /* receptions of signals at this group's receivers, since the start */
  atomic_ullong delivered;
};

struct _Conn
{
  Worker *worker;
  Group *group;
  guint index;
  gchar *id;
  gchar *socket_id;
  gchar *create_tid;
  const gchar *url;             /* the node it joins through (full mode) */
  gchar *messaging_url;
  gchar *symphony;
  SoupWebsocketConnection *ws;
  ConnState state;
  gboolean is_sender;
  gboolean got_status;
  gboolean got_created;
  gint64 last_sent;

  /* senders only */
  guint8 *template;
  gsize template_size;
  gsize tid_offset, uri_offset, seq_offset, ts_offset;
  guint64 sent;
  guint64 skipped;
  gint64 send_start;
  guint64 replies_ok;
  guint64 replies_error;
  guint64 echoes;               /* its own broadcasts come back */
};

struct _Worker
{
  Bench *bench;
  guint index;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupSession *soup;
  GPtrArray *conns;
  GPtrArray *senders;
  GQueue waiting;
  guint joining;
  GSource *tick;
  GSource *pump;

  /* worker thread only */
  Histogram hist;
  gboolean recording;

  /* read by the main thread */
  atomic_uint ready;
  atomic_uint failed;
  atomic_uint closed;
  atomic_ullong received;
  atomic_ullong received_bytes;
  atomic_ullong frames_in;

  GMutex lock;
  GCond cond;
  gboolean started;
};

struct _Bench
{
  /* options */
  gchar *target;
  gchar *tag;
  Mode mode;
  gchar *url;
  gchar *sender_url;
  gchar *ws_url;
  gchar *api_key;
  gchar *api_secret;
  gint server_pid;              /* the first of server_pids */
  GArray *server_pids;          /* gint */
  gint redis_port;
  gchar *workload;
  guint n_workers;
  guint sessions;
  guint members;
  guint size;
  gdouble duration;
  gdouble warmup;
  gdouble rate;
  guint window;
  guint connections;
  guint join_concurrency;
  gboolean deflate;
  gdouble join_timeout;

  gchar **urls;                 /* bench->url split: the nodes */
  Worker **workers;
  GPtrArray *groups;
  GPtrArray *conns;
  atomic_int sending;
  guint64 window_deliveries;    /* per receiver: signals in flight */
  gint64 latency_cap;           /* deliveries in flight before skipping */

  /* element workload: receive times by sequence number */
  gint64 *ref_times;
  guint n_ref_times;
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Process figures                                                          */

/* user + system CPU seconds of a process, -1 when unreadable */
static gdouble
proc_cpu_seconds (gint pid)
{
  gchar *path, *text = NULL, *p;
  gdouble result = -1;
  unsigned long utime, stime;

  if (pid <= 0)
    return -1;
  path = g_strdup_printf ("/proc/%d/stat", pid);
  if (g_file_get_contents (path, &text, NULL, NULL)) {
    /* the command name may hold spaces: fields count from its ')' */
    p = strrchr (text, ')');
    if (p && sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
            "%lu %lu", &utime, &stime) == 2)
      result = (gdouble) (utime + stime) / sysconf (_SC_CLK_TCK);
  }
  g_free (text);
  g_free (path);
  return result;
}

static gdouble
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
      usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Seconds the threads of a process spent runnable but waiting for a CPU
 * (other processes on the machine), from /proc/PID/task/ * /schedstat; -1
 * when unreadable. */
static gdouble
proc_wait_seconds (gint pid)
{
  gchar *dir_path = g_strdup_printf ("/proc/%d/task", pid);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  const gchar *name;
  gdouble total = -1;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    gchar *path = g_strdup_printf ("%s/%s/schedstat", dir_path, name);
    gchar *text = NULL;
    guint64 run, wait;

    if (g_file_get_contents (path, &text, NULL, NULL) &&
        sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &run,
            &wait) == 2)
      total = MAX (total, 0) + wait / 1e9;
    g_free (text);
    g_free (path);
  }
  if (dir)
    g_dir_close (dir);
  g_free (dir_path);
  return total;
}

/* proc_cpu_seconds() or proc_wait_seconds() added up over every server
 * process (the nodes of a cluster); -1 when one is unreadable. */
static gdouble
servers_seconds (Bench * bench, gdouble (*figure) (gint pid))
{
  gdouble total = 0;
  guint i;

  if (bench->server_pids->len == 0)
    return -1;
  for (i = 0; i < bench->server_pids->len; i++) {
    gdouble value = figure (g_array_index (bench->server_pids, gint, i));

    if (value < 0)
      return -1;
    total += value;
  }
  return total;
}

/* a field of /proc/PID/status in kB, -1 when unreadable */
static gint64
proc_status_kb (gint pid, const gchar * field)
{
  gchar *path, *text = NULL, *p;
  gint64 result = -1;

  if (pid <= 0)
    return -1;
  path = g_strdup_printf ("/proc/%d/status", pid);
  if (g_file_get_contents (path, &text, NULL, NULL)) {
    p = strstr (text, field);
    if (p)
      result = g_ascii_strtoll (p + strlen (field) + 1, NULL, 10);
  }
  g_free (text);
  g_free (path);
  return result;
}

/* ------------------------------------------------------------------------ */
/* The cluster's Redis                                                      */

/* What a Redis says of itself (INFO commandstats stats cpu, read with
 * redis-cli): the calls of each command, those the scripts make included,
 * the bytes it read and wrote, its CPU seconds. */
typedef struct
{
  GHashTable *calls;            /* command name -> calls, as a guint64 * */
  guint64 net_in, net_out;
  gdouble cpu;
  guint64 reply_size;           /* this INFO's own reply, on the wire */
} RedisInfo;

/* the request redis-cli sends, on the wire */
#define REDIS_INFO_REQUEST "*4\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n" \
    "$5\r\nstats\r\n$3\r\ncpu\r\n"

static void
redis_info_clear (RedisInfo * info)
{
  g_clear_pointer (&info->calls, g_hash_table_unref);
}

static gboolean
redis_info_read (Bench * bench, RedisInfo * info)
{
  gchar port[16], *text = NULL, *header, **lines, **line;
  const gchar *argv[] = { "redis-cli", "-h", "127.0.0.1", "-p", port,
    "INFO", "commandstats", "stats", "cpu", NULL
  };
  GError *error = NULL;
  gint status;
  gdouble user = -1, sys = -1;

  memset (info, 0, sizeof (*info));
  g_snprintf (port, sizeof (port), "%d", bench->redis_port);
  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &text, NULL, &status,
          &error) || !g_spawn_check_wait_status (status, &error)) {
    g_printerr ("redis-cli INFO: %s\n", error->message);
    g_error_free (error);
    g_free (text);
    return FALSE;
  }
  /* a bulk string, which redis-cli prints as it is: "$LENGTH\r\n", the
   * text, "\r\n" */
  header = g_strdup_printf ("$%zu\r\n", strlen (text));
  info->reply_size = strlen (header) + strlen (text) + 2;
  g_free (header);
  info->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  lines = g_strsplit (text, "\n", -1);
  for (line = lines; *line != NULL; line++) {
    const gchar *colon = strchr (*line, ':'), *calls;

    if (colon == NULL)
      continue;
    if (g_str_has_prefix (*line, "cmdstat_") &&
        (calls = strstr (colon, "calls=")) != NULL) {
      guint64 *value = g_new (guint64, 1);

      *value = g_ascii_strtoull (calls + 6, NULL, 10);
      g_hash_table_insert (info->calls, g_strndup (*line + 8,
              colon - *line - 8), value);
    } else if (g_str_has_prefix (*line, "total_net_input_bytes:")) {
      info->net_in = g_ascii_strtoull (colon + 1, NULL, 10);
    } else if (g_str_has_prefix (*line, "total_net_output_bytes:")) {
      info->net_out = g_ascii_strtoull (colon + 1, NULL, 10);
    } else if (g_str_has_prefix (*line, "used_cpu_user:")) {
      user = g_ascii_strtod (colon + 1, NULL);
    } else if (g_str_has_prefix (*line, "used_cpu_sys:")) {
      sys = g_ascii_strtod (colon + 1, NULL);
    }
  }
  g_strfreev (lines);
  g_free (text);
  info->cpu = user >= 0 && sys >= 0 ? user + sys : -1;
  return TRUE;
}

/* ,"NAME":{"in":..,"out":..,"cpu":..,"calls":{"evalsha":..,...}}: what
 * Redis did from @a to @b, less the INFO that read @b (its request) and
 * the one that read @a (its reply). */
static void
result_add_redis (GString * out, const gchar * name, const RedisInfo * a,
    const RedisInfo * b)
{
  GHashTableIter iter;
  const gchar *command;
  guint64 *calls, *before;
  gboolean first = TRUE;

  if (a->calls == NULL || b->calls == NULL)
    return;
  g_string_append_printf (out, ",\"%s\":{\"in\":%" G_GUINT64_FORMAT
      ",\"out\":%" G_GUINT64_FORMAT ",\"cpu\":%.6f,\"calls\":{", name,
      b->net_in - a->net_in - strlen (REDIS_INFO_REQUEST),
      b->net_out - a->net_out - a->reply_size, b->cpu - a->cpu);
  g_hash_table_iter_init (&iter, b->calls);
  while (g_hash_table_iter_next (&iter, (gpointer *) & command,
          (gpointer *) & calls)) {
    guint64 n = *calls;

    if ((before = g_hash_table_lookup (a->calls, command)) != NULL)
      n -= *before;
    if (g_str_equal (command, "info"))
      n--;
    if (n == 0)
      continue;
    g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT,
        first ? "" : ",", command, n);
    first = FALSE;
  }
  g_string_append (out, "}}");
}

/* ------------------------------------------------------------------------ */
/* Workers                                                                  */

typedef struct
{
  Worker *worker;
  GSourceFunc func;
  gpointer data;
  gboolean done;
} Call;

static gboolean
call_run (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->data);
  g_mutex_lock (&call->worker->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->worker->cond);
  g_mutex_unlock (&call->worker->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the worker's thread and waits for it. */
static void
worker_call (Worker * worker, GSourceFunc func, gpointer data)
{
  Call call = { worker, func, data, FALSE };

  g_main_context_invoke (worker->context, call_run, &call);
  g_mutex_lock (&worker->lock);
  while (!call.done)
    g_cond_wait (&worker->cond, &worker->lock);
  g_mutex_unlock (&worker->lock);
}

static gpointer
worker_thread (gpointer user_data)
{
  Worker *worker = user_data;

  g_main_context_push_thread_default (worker->context);
  worker->soup = soup_session_new_with_options ("max-conns", 65536,
      "max-conns-per-host", 65536, "timeout", 60, "idle-timeout", 0, NULL);
  /* browsers offer permessage-deflate; the benchmark does not, so that
   * every server is measured on the same plain frames */
  if (!worker->bench->deflate)
    soup_session_remove_feature_by_type (worker->soup,
        SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  g_mutex_lock (&worker->lock);
  worker->started = TRUE;
  g_cond_broadcast (&worker->cond);
  g_mutex_unlock (&worker->lock);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static Worker *
worker_new (Bench * bench, guint index)
{
  Worker *worker = g_new0 (Worker, 1);
  gchar *name = g_strdup_printf ("bench-worker-%u", index);

  worker->bench = bench;
  worker->index = index;
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  worker->conns = g_ptr_array_new ();
  worker->senders = g_ptr_array_new ();
  g_queue_init (&worker->waiting);
  g_mutex_init (&worker->lock);
  g_cond_init (&worker->cond);
  worker->thread = g_thread_new (name, worker_thread, worker);
  g_free (name);
  g_mutex_lock (&worker->lock);
  while (!worker->started)
    g_cond_wait (&worker->cond, &worker->lock);
  g_mutex_unlock (&worker->lock);
  return worker;
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */

static void
conn_send (Conn * conn, GBytes * bytes)
{
  if (bytes == NULL || conn->ws == NULL ||
      soup_websocket_connection_get_state (conn->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_message (conn->ws,
      SOUP_WEBSOCKET_DATA_BINARY, bytes);
  conn->last_sent = now_ns ();
}

static void
conn_send_frame (Conn * conn, GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes = gst_opentok_rumor_frame_serialize (frame, &error);

  if (bytes == NULL) {
    g_printerr ("cannot serialize a frame: %s\n", error->message);
    g_error_free (error);
  } else {
    conn_send (conn, bytes);
    g_bytes_unref (bytes);
  }
  gst_opentok_rumor_frame_unref (frame);
}

static void
conn_send_ping (Conn * conn)
{
  static const guint8 ping[] = { 0, 0, 0, 5, 0, 0, 7, 0, 0 };
  GBytes *bytes = g_bytes_new_static (ping, sizeof (ping));

  conn_send (conn, bytes);
  g_bytes_unref (bytes);
}

/* memmem(), which is not standard C */
static const guint8 *
find_bytes (const guint8 * data, gsize size, const gchar * what, gsize len)
{
  const guint8 *p = data, *end = data + size;

  while (len > 0 && (gsize) (end - p) >= len &&
      (p = memchr (p, what[0], end - p - len + 1)) != NULL) {
    if (memcmp (p, what, len) == 0)
      return p;
    p++;
  }
  return NULL;
}

static gsize
find_mark (const guint8 * data, gsize size, const gchar * mark)
{
  const guint8 *p = find_bytes (data, size, mark, strlen (mark));

  g_assert (p != NULL);
  return p - data;
}

static void
put_hex (guint8 * out, guint64 value)
{
  static const gchar digits[] = "0123456789abcdef";
  gint i;

  for (i = 15; i >= 0; i--) {
    out[i] = digits[value & 0xf];
    value >>= 4;
  }
}

static gboolean
get_hex (const guint8 * in, guint64 * value)
{
  guint64 v = 0;
  guint i;

  for (i = 0; i < 16; i++) {
    gint d = g_ascii_xdigit_value (in[i]);

    if (d < 0)
      return FALSE;
    v = (v << 4) | (guint) d;
  }
  *value = v;
  return TRUE;
}

/* The signal MESSAGE, built once with the codec, with placeholders. Full
 * mode: addressed to the symphony address, as clients do; raw mode:
 * addressed to the topic, which the relays forward. */
static void
conn_build_template (Conn * conn, guint data_size)
{
  Bench *bench = conn->worker->bench;
  GstOpenTokRaptorMessage *raptor;
  GstOpenTokRumorFrame *frame;
  JsonObject *content = json_object_new ();
  GError *error = NULL;
  GString *data = g_string_new (NULL);
  GBytes *payload, *bytes;
  gchar *uri;
  gsize size;

  g_string_append_printf (data, "%s %s ", MARK_SEQ, MARK_TS);
  while (data->len < MAX (data_size, SIGNAL_HEADER_SIZE))
    g_string_append_c (data, 'x');
  json_object_set_string_member (content, "type", SIGNAL_TYPE);
  json_object_set_string_member (content, "data", data->str);
  uri = g_strdup_printf ("%s/signal/b%08x-%s", conn->group->topic,
      conn->index, MARK_URI);
  raptor = gst_opentok_raptor_message_new ("signal", uri, content, &error);
  g_assert_no_error (error);
  g_free (uri);
  json_object_unref (content);
  g_string_free (data, TRUE);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, bench->mode == MODE_FULL ?
      conn->symphony : conn->group->topic);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", MARK_TID);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", conn->id);
  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_rumor_frame_set_payload (frame, payload);
  g_bytes_unref (payload);
  gst_opentok_raptor_message_unref (raptor);
  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  g_assert_no_error (error);
  gst_opentok_rumor_frame_unref (frame);

  conn->template = g_bytes_unref_to_data (bytes, &size);
  conn->template_size = size;
  conn->tid_offset = find_mark (conn->template, size, MARK_TID);
  conn->uri_offset = find_mark (conn->template, size, MARK_URI);
  conn->seq_offset = find_mark (conn->template, size, MARK_SEQ);
  conn->ts_offset = find_mark (conn->template, size, MARK_TS);
}

static void
conn_send_signal (Conn * conn, guint64 seq)
{
  guint8 *data = g_malloc (conn->template_size);
  GBytes *bytes;

  memcpy (data, conn->template, conn->template_size);
  put_hex (data + conn->tid_offset, seq);
  put_hex (data + conn->uri_offset, seq);
  put_hex (data + conn->seq_offset, seq);
  put_hex (data + conn->ts_offset, now_ns ());
  bytes = g_bytes_new_take (data, conn->template_size);
  conn_send (conn, bytes);
  g_bytes_unref (bytes);
  conn->sent++;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

/* Sends what the window (or the offered rate) allows. */
static void
sender_pump (Conn * conn)
{
  Bench *bench = conn->worker->bench;
  Group *group = conn->group;
  guint64 delivered, in_flight, budget = MAX_SEND_PER_PUMP;
  guint n = MAX (group->n_receivers, 1);

  if (!atomic_load (&bench->sending) || conn->state != CONN_READY)
    return;
  if (conn->send_start == 0)
    conn->send_start = now_ns ();

  if (bench->rate > 0) {
    /* offered rate: catch up with the schedule, never ahead of it */
    guint64 due = (guint64) ((now_ns () - conn->send_start) / 1e9 *
        bench->rate / bench->groups->len);

    while (conn->sent + conn->skipped < due && budget-- > 0) {
      delivered = atomic_load (&group->delivered);
      in_flight = conn->sent * n - MIN (delivered, conn->sent * n);
      /* full mode: the server's replies tell what it has taken in; the
       * sender's own copies count too, the server drops a connection
       * that leaves too many unacknowledged */
      if ((gint64) in_flight > bench->latency_cap ||
          (gint64) (conn->sent - conn->echoes) > bench->latency_cap / n ||
          (bench->mode == MODE_FULL && conn->sent - conn->replies_ok -
              conn->replies_error > 256))
        conn->skipped++;
      else
        conn_send_signal (conn, conn->sent);
    }
    return;
  }

  while (budget-- > 0) {
    delivered = atomic_load (&group->delivered);
    in_flight = conn->sent * n - MIN (delivered, conn->sent * n);
    if (in_flight + n > bench->window_deliveries * n)
      break;
    conn_send_signal (conn, conn->sent);
  }
}

static gboolean
worker_pump (gpointer user_data)
{
  Worker *worker = user_data;
  guint i;

  for (i = 0; i < worker->senders->len; i++)
    sender_pump (g_ptr_array_index (worker->senders, i));
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */

static void worker_join_next (Worker * worker);

static void
conn_set_ready (Conn * conn)
{
  Worker *worker = conn->worker;

  conn->state = CONN_READY;
  atomic_fetch_add (&worker->ready, 1);
  worker->joining--;
  worker_join_next (worker);
}

static void
conn_fail (Conn * conn, const gchar * why)
{
  Worker *worker = conn->worker;
  gboolean was_joining = conn->state < CONN_READY &&
      conn->state != CONN_WAITING;

  if (conn->state == CONN_FAILED || conn->state == CONN_CLOSED)
    return;
  g_printerr ("connection %u: %s\n", conn->index, why);
  conn->state = CONN_FAILED;
  atomic_fetch_add (&worker->failed, 1);
  if (was_joining) {
    worker->joining--;
    worker_join_next (worker);
  }
}

/* A bench signal's data: "<seq> <send time> ...", both 16 hex digits. */
static gboolean
payload_signal (GBytes * payload, guint64 * seq, guint64 * sent)
{
  static const gchar key[] = "\"data\":\"";
  gsize size;
  const guint8 *data = g_bytes_get_data (payload, &size);
  const guint8 *p;

  if (data == NULL)
    return FALSE;
  p = find_bytes (data, size, key, sizeof (key) - 1);
  if (p == NULL)
    return FALSE;
  p += sizeof (key) - 1;
  if ((gsize) (data + size - p) < SIGNAL_HEADER_SIZE)
    return FALSE;
  return get_hex (p, seq) && p[16] == ' ' && get_hex (p + 17, sent);
}

/* The join completes on the create's 200 and our own connection#created. */
static void
conn_check_created (Conn * conn, GBytes * payload)
{
  GstOpenTokRaptorMessage *raptor;
  gsize size;
  const gchar *data = g_bytes_get_data (payload, &size);

  /* a large session announces every member to every other: parse only
   * what can be ours */
  if (data == NULL || find_bytes ((const guint8 *) data, size, conn->id,
          strlen (conn->id)) == NULL)
    return;
  raptor = gst_opentok_raptor_message_parse (data, size, NULL);
  if (raptor == NULL)
    return;
  if (g_strcmp0 (gst_opentok_raptor_message_get_resource (raptor),
          "connection") == 0 &&
      g_strcmp0 (gst_opentok_raptor_message_get_method (raptor),
          "created") == 0 &&
      g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "connection"),
          conn->id) == 0)
    conn->got_created = TRUE;
  gst_opentok_raptor_message_unref (raptor);
}

static void
conn_on_message_frame (Conn * conn, GstOpenTokRumorFrame * frame)
{
  Worker *worker = conn->worker;
  Bench *bench = worker->bench;
  const gchar *tid = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *from = gst_opentok_rumor_frame_get_header (frame,
      "X-TB-FROM-ADDRESS");
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
  guint64 seq, sent;

  if (tid != NULL) {
    GstOpenTokRumorFrame *ack =
        gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);

    gst_opentok_rumor_frame_add_address (ack, from ? from : "");
    gst_opentok_rumor_frame_set_header (ack, "TRANSACTION-ID", tid);
    gst_opentok_rumor_frame_set_header (ack, "X-TB-FROM-ADDRESS", conn->id);
    conn_send_frame (conn, ack);
  }

  if (conn->state == CONN_JOINING) {
    conn_check_created (conn, payload);
    if (conn->got_created && conn->got_status)
      conn_set_ready (conn);
    return;
  }
  if (conn->state != CONN_READY)
    return;
  if (!payload_signal (payload, &seq, &sent))
    return;
  if (conn->is_sender) {
    /* its own copy of a broadcast: acknowledged above, only counted */
    conn->echoes++;
    return;
  }

  atomic_fetch_add (&worker->received, 1);
  atomic_fetch_add (&conn->group->delivered, 1);
  if (worker->recording)
    hist_add (&worker->hist, now_ns () - (gint64) sent);
  if (bench->ref_times != NULL && seq < bench->n_ref_times)
    bench->ref_times[seq] = now_ns ();
  /* the sender may be waiting for this delivery */
  if (conn->group->sender && conn->group->sender->worker == worker)
    sender_pump (conn->group->sender);
}

static void
conn_on_status (Conn * conn, GstOpenTokRumorFrame * frame)
{
  const gchar *tid = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *status = gst_opentok_rumor_frame_get_header (frame, "STATUS");
  gboolean ok = g_strcmp0 (status, "200") == 0;

  if (conn->state == CONN_JOINING && g_strcmp0 (tid, conn->create_tid) == 0) {
    if (!ok) {
      gchar *why = g_strdup_printf ("connection create refused with %s",
          GST_STR_NULL (status));

      conn_fail (conn, why);
      g_free (why);
      return;
    }
    conn->got_status = TRUE;
    if (conn->got_created)
      conn_set_ready (conn);
    return;
  }
  if (ok)
    conn->replies_ok++;
  else if (status != NULL)
    conn->replies_error++;
}

static void
conn_on_ws_message (SoupWebsocketConnection * ws, gint type,
    GBytes * message, Conn * conn)
{
  Worker *worker = conn->worker;
  GstOpenTokRumorFrame *frame;
  gsize size;
  const guint8 *data = g_bytes_get_data (message, &size);

  atomic_fetch_add (&worker->frames_in, 1);
  atomic_fetch_add (&worker->received_bytes, size);
  if (type != SOUP_WEBSOCKET_DATA_BINARY || size < 9)
    return;
  /* PONG: the relays have taken our SUBSCRIBE (raw join) */
  if (data[6] == GST_OPENTOK_RUMOR_TYPE_PONG) {
    if (conn->state == CONN_JOINING && worker->bench->mode == MODE_RAW)
      conn_set_ready (conn);
    return;
  }
  frame = gst_opentok_rumor_frame_parse (message, MAX_INCOMING_SIZE, NULL);
  if (frame == NULL)
    return;
  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      conn_on_message_frame (conn, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      conn_on_status (conn, frame);
      break;
    default:
      break;
  }
  gst_opentok_rumor_frame_unref (frame);
}

static void
conn_on_ws_closed (SoupWebsocketConnection * ws, Conn * conn)
{
  if (conn->state == CONN_READY) {
    atomic_fetch_add (&conn->worker->closed, 1);
    conn->state = CONN_CLOSED;
  } else {
    gchar *why = g_strdup_printf ("socket closed while joining (%u %s)",
        soup_websocket_connection_get_close_code (ws),
        GST_STR_NULL (soup_websocket_connection_get_close_data (ws)));

    conn_fail (conn, why);
    g_free (why);
  }
}

/* ------------------------------------------------------------------------ */
/* Joining                                                                  */

static void
conn_on_ws_open (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Conn *conn = user_data;
  Bench *bench = conn->worker->bench;
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  conn->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  if (conn->ws == NULL) {
    gchar *why = g_strdup_printf ("cannot open the socket: %s",
        error->message);

    conn_fail (conn, why);
    g_free (why);
    g_error_free (error);
    return;
  }
  g_object_set (conn->ws, "max-incoming-payload-size",
      (guint64) MAX_INCOMING_SIZE, NULL);
  g_signal_connect (conn->ws, "message", G_CALLBACK (conn_on_ws_message),
      conn);
  g_signal_connect (conn->ws, "closed", G_CALLBACK (conn_on_ws_closed), conn);
  conn->state = CONN_JOINING;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_CONNECT);
  gst_opentok_rumor_frame_set_header (frame, "uniqueId", conn->id);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
      conn->create_tid);
  gst_opentok_rumor_frame_set_header (frame, "notifyDisconnectAddress",
      conn->symphony ? conn->symphony : "");
  conn_send_frame (conn, frame);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE);
  gst_opentok_rumor_frame_add_address (frame, conn->group->topic);
  conn_send_frame (conn, frame);

  if (bench->mode == MODE_RAW) {
    conn_send_ping (conn);
    return;
  }

  {
    GstOpenTokRaptorMessage *raptor;
    JsonObject *content = json_object_new ();
    GBytes *payload;
    gchar *uri, *tid;

    json_object_set_string_member (content, "userAgent", "opentok-bench");
    json_object_set_string_member (content, "clientVersion", "js-2.35.2");
    json_object_set_array_member (content, "capabilities", json_array_new ());
    uri = g_strdup_printf ("%s/connection/%s", conn->group->topic, conn->id);
    raptor = gst_opentok_raptor_message_new ("create", uri, content, NULL);
    g_free (uri);
    json_object_unref (content);

    /* CONNECT had its own id: the create gets a fresh one */
    tid = g_uuid_string_random ();
    g_free (conn->create_tid);
    conn->create_tid = tid;
    frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
    gst_opentok_rumor_frame_add_address (frame, conn->symphony);
    gst_opentok_rumor_frame_set_header (frame, "X-TB-TOKEN-AUTH",
        conn->group->token);
    gst_opentok_rumor_frame_set_header (frame, "Content-Type",
        "application/x-raptor+v2");
    gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", tid);
    gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", conn->id);
    payload = gst_opentok_raptor_message_to_bytes (raptor);
    gst_opentok_rumor_frame_set_payload (frame, payload);
    g_bytes_unref (payload);
    gst_opentok_raptor_message_unref (raptor);
    conn_send_frame (conn, frame);
  }
}

/* Browsers set TCP_NODELAY on their sockets; libsoup does not. */
static void
on_network_event (SoupMessage * msg, GSocketClientEvent event,
    GIOStream * connection, gpointer user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION
            (connection)), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
conn_open_socket (Conn * conn, const gchar * base)
{
  SoupMessage *msg;
  gchar *url;

  url = g_strdup_printf ("%s%csocketId=%s&attempt=%s", base,
      strchr (base, '?') ? '&' : '?', conn->socket_id, conn->create_tid);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  g_free (url);
  if (msg == NULL) {
    conn_fail (conn, "unusable messaging URL");
    return;
  }
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  conn->state = CONN_OPENING;
  soup_session_websocket_connect_async (conn->worker->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, conn_on_ws_open, conn);
  g_object_unref (msg);
}

static void
conn_on_info (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Conn *conn = user_data;
  GError *error = NULL;
  GBytes *body;
  JsonParser *parser = NULL;
  JsonNode *root;
  JsonObject *info;
  JsonArray *array;
  const gchar *url, *symphony;
  gsize size;
  const gchar *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (body == NULL) {
    gchar *why = g_strdup_printf ("session info: %s", error->message);

    conn_fail (conn, why);
    g_free (why);
    g_error_free (error);
    return;
  }
  data = g_bytes_get_data (body, &size);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root) ||
      json_array_get_length (array = json_node_get_array (root)) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0))) {
    conn_fail (conn, "session info is not the expected JSON");
    goto out;
  }
  info = json_node_get_object (json_array_get_element (array, 0));
  url = json_object_get_string_member_with_default (info, "messaging_url",
      NULL);
  symphony = json_object_get_string_member_with_default (info,
      "symphony_address", NULL);
  if (url == NULL || symphony == NULL) {
    conn_fail (conn, "session info refused the token or the session");
    goto out;
  }
  conn->symphony = g_strdup (symphony);
  conn_open_socket (conn, url);

out:
  g_object_unref (parser);
  g_bytes_unref (body);
}

static void
conn_start (Conn * conn)
{
  Bench *bench = conn->worker->bench;
  SoupMessageHeaders *headers;
  SoupMessage *msg;
  gchar *url;

  if (bench->mode == MODE_RAW) {
    conn_open_socket (conn, bench->ws_url);
    return;
  }
  url = g_strdup_printf ("%s/session/%s?extended=true", conn->url,
      conn->group->session_id);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  g_free (url);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-OPENTOK-AUTH", conn->group->token);
  soup_message_headers_replace (headers, "X-TB-VERSION", "1");
  soup_message_headers_replace (headers, "X-TB-CLIENT-VERSION", "js-2.35.2");
  soup_message_headers_replace (headers, "X-TB-CONNECTIONID", conn->id);
  soup_message_headers_replace (headers, "Accept", "application/json");
  conn->state = CONN_INFO;
  soup_session_send_and_read_async (conn->worker->soup, msg,
      G_PRIORITY_DEFAULT, NULL, conn_on_info, conn);
  g_object_unref (msg);
}

static void
worker_join_next (Worker * worker)
{
  Conn *conn;

  while (worker->joining < worker->bench->join_concurrency &&
      (conn = g_queue_pop_head (&worker->waiting)) != NULL) {
    worker->joining++;
    conn_start (conn);
  }
}

/* Keeps idle sockets alive, as clients do. */
static gboolean
worker_tick (gpointer user_data)
{
  Worker *worker = user_data;
  gint64 now = now_ns ();
  guint i;

  for (i = 0; i < worker->conns->len; i++) {
    Conn *conn = g_ptr_array_index (worker->conns, i);

    /* from the socket's opening, as opentok.js: a join in a large session
     * can take longer than the server's patience with silence */
    if ((conn->state == CONN_JOINING || conn->state == CONN_READY) &&
        now - conn->last_sent >= PING_INTERVAL_NS)
      conn_send_ping (conn);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
worker_start_func (gpointer data)
{
  Worker *worker = data;
  guint i;

  for (i = 0; i < worker->conns->len; i++)
    g_queue_push_tail (&worker->waiting, g_ptr_array_index (worker->conns, i));
  worker->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (worker->tick, worker_tick, worker, NULL);
  g_source_attach (worker->tick, worker->context);
  worker->pump = g_timeout_source_new (PUMP_MS);
  g_source_set_callback (worker->pump, worker_pump, worker, NULL);
  g_source_attach (worker->pump, worker->context);
  worker_join_next (worker);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  Worker *worker;
  gboolean record;
  Histogram *into;
} HistCall;

static gboolean
worker_hist_func (gpointer data)
{
  HistCall *call = data;
  Worker *worker = call->worker;

  if (call->into != NULL)
    hist_merge (call->into, &worker->hist);
  memset (&worker->hist, 0, sizeof (worker->hist));
  worker->recording = call->record;
  return G_SOURCE_REMOVE;
}

/* Resets every worker's histogram (merging it into @into first when not
 * NULL) and switches recording on or off. */
static void
bench_histograms (Bench * bench, gboolean record, Histogram * into)
{
  guint i;

  for (i = 0; i < bench->n_workers; i++) {
    HistCall call = { bench->workers[i], record, into };

    worker_call (bench->workers[i], worker_hist_func, &call);
  }
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */

/* POST /session/create, as the server SDKs do (to the first node). */
static gchar *
create_session (Bench * bench, SoupSession * soup, GError ** error)
{
  gchar *url = g_strdup_printf ("%s/session/create", bench->urls[0]);
  gchar *jwt = gst_opentok_rest_jwt_new (bench->api_key, bench->api_secret,
      300);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, url);
  JsonParser *parser = json_parser_new_immutable ();
  gchar *session_id = NULL;
  GBytes *body;
  JsonNode *root;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "X-OPENTOK-AUTH", jwt);
  soup_message_set_request_body_from_bytes (msg,
      "application/x-www-form-urlencoded", NULL);
  body = soup_session_send_and_read (soup, msg, NULL, error);
  if (body == NULL)
    goto out;
  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
          g_bytes_get_size (body), NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_ARRAY (root) &&
      json_array_get_length (json_node_get_array (root)) > 0 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array
              (root), 0))) {
    session_id = g_strdup (json_object_get_string_member_with_default
        (json_node_get_object (json_array_get_element (json_node_get_array
                    (root), 0)), "session_id", NULL));
  }
  if (session_id == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "POST /session/create answered HTTP %u",
        soup_message_get_status (msg));
  g_bytes_unref (body);

out:
  g_object_unref (parser);
  g_object_unref (msg);
  g_free (jwt);
  g_free (url);
  return session_id;
}

/* @n_groups sessions of @members connections; the first member of each is
 * its sender when @with_senders. */
static gboolean
bench_make_groups (Bench * bench, guint n_groups, guint members,
    gboolean with_senders, GError ** error)
{
  SoupSession *soup = NULL;
  guint i, j, index = 0;

  if (bench->mode == MODE_FULL) {
    soup = soup_session_new ();
    g_strfreev (bench->urls);
    bench->urls = g_strsplit (bench->url, ",", -1);
    for (i = 0; bench->urls[i] != NULL; i++) {
      if (!g_uri_is_valid (bench->urls[i], G_URI_FLAGS_NONE, error) ||
          (bench->sender_url != NULL &&
              !g_uri_is_valid (bench->sender_url, G_URI_FLAGS_NONE, error))) {
        g_object_unref (soup);
        return FALSE;
      }
    }
  }
  bench->groups = g_ptr_array_new ();
  bench->conns = g_ptr_array_new ();
  for (i = 0; i < n_groups; i++) {
    Group *group = g_new0 (Group, 1);

    group->index = i;
    if (bench->mode == MODE_FULL) {
      group->session_id = create_session (bench, soup, error);
      if (group->session_id == NULL) {
        g_free (group);
        g_object_unref (soup);
        return FALSE;
      }
      group->token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
          bench->api_key, bench->api_secret, group->session_id,
          GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, error);
      if (group->token == NULL) {
        g_object_unref (soup);
        return FALSE;
      }
    } else {
      group->session_id = g_strdup_printf ("bench-session-%u", i);
      group->token = g_strdup ("");
    }
    group->topic = g_strdup_printf ("/v2/partner/%s/session/%s",
        bench->api_key, group->session_id);
    g_ptr_array_add (bench->groups, group);

    for (j = 0; j < members; j++) {
      Conn *conn = g_new0 (Conn, 1);
      /* members of a session spread over the workers */
      Worker *worker = bench->workers[index % bench->n_workers];

      conn->index = index++;
      conn->worker = worker;
      conn->group = group;
      conn->id = g_uuid_string_random ();
      conn->socket_id = g_uuid_string_random ();
      conn->create_tid = g_uuid_string_random ();
      conn->is_sender = with_senders && j == 0;
      /* the members of a session spread over the nodes */
      if (bench->urls != NULL)
        conn->url = conn->is_sender && bench->sender_url ? bench->sender_url :
            bench->urls[j % g_strv_length (bench->urls)];
      if (conn->is_sender) {
        group->sender = conn;
        g_ptr_array_add (worker->senders, conn);
      } else {
        group->n_receivers++;
      }
      g_ptr_array_add (worker->conns, conn);
      g_ptr_array_add (bench->conns, conn);
    }
  }
  if (soup)
    g_object_unref (soup);
  return TRUE;
}

static gboolean
build_templates_func (gpointer data)
{
  Worker *worker = data;
  guint i;

  for (i = 0; i < worker->senders->len; i++) {
    Conn *conn = g_ptr_array_index (worker->senders, i);

    conn_build_template (conn, worker->bench->size);
  }
  return G_SOURCE_REMOVE;
}

typedef struct
{
  guint ready, failed, closed;
  guint64 received, frames_in, bytes_in;
} Totals;

static void
bench_totals (Bench * bench, Totals * totals)
{
  guint i;

  memset (totals, 0, sizeof (*totals));
  for (i = 0; i < bench->n_workers; i++) {
    Worker *worker = bench->workers[i];

    totals->ready += atomic_load (&worker->ready);
    totals->failed += atomic_load (&worker->failed);
    totals->closed += atomic_load (&worker->closed);
    totals->received += atomic_load (&worker->received);
    totals->frames_in += atomic_load (&worker->frames_in);
    totals->bytes_in += atomic_load (&worker->received_bytes);
  }
}

/* Where each connection of a worker is, for a join that did not end. */
static gboolean
worker_print_states (gpointer data)
{
  static const gchar *const names[] = { "waiting", "session info",
    "opening", "joining", "ready", "failed", "closed"
  };
  Worker *worker = data;
  guint counts[G_N_ELEMENTS (names)] = { 0 };
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < worker->conns->len; i++) {
    Conn *conn = g_ptr_array_index (worker->conns, i);

    counts[conn->state]++;
    if (conn->state == CONN_JOINING && counts[conn->state] == 1)
      g_printerr ("  connection %u joining: create %s, own created %s\n",
          conn->index, conn->got_status ? "answered" : "not answered",
          conn->got_created ? "seen" : "not seen");
  }
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (counts[i] > 0)
      g_string_append_printf (out, " %s %u", names[i], counts[i]);
  g_printerr ("  worker:%s\n", out->str);
  g_string_free (out, TRUE);
  return G_SOURCE_REMOVE;
}

/* Starts every connection and waits until all joined (or failed). */
static gboolean
bench_join_all (Bench * bench, gdouble * seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (bench->join_timeout * G_USEC_PER_SEC);
  Totals totals;
  guint i;

  for (i = 0; i < bench->n_workers; i++)
    worker_call (bench->workers[i], worker_start_func, bench->workers[i]);
  for (;;) {
    bench_totals (bench, &totals);
    if (totals.ready + totals.failed >= bench->conns->len)
      break;
    if (g_get_monotonic_time () > deadline) {
      g_printerr ("joining timed out: %u of %u ready, %u failed\n",
          totals.ready, bench->conns->len, totals.failed);
      for (i = 0; i < bench->n_workers; i++)
        worker_call (bench->workers[i], worker_print_states,
            bench->workers[i]);
      break;
    }
    g_usleep (10000);
  }
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  return totals.ready == bench->conns->len;
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */

static GString *
result_begin (Bench * bench, const gchar * workload)
{
  GString *out = g_string_new ("{");

  g_string_append_printf (out, "\"target\":\"%s\",\"mode\":\"%s\","
      "\"workload\":\"%s\",\"size\":%u", bench->target,
      bench->mode == MODE_FULL ? "full" : "raw", workload, bench->size);
  if (bench->tag != NULL)
    g_string_append_printf (out, ",\"tag\":\"%s\"", bench->tag);
  return out;
}

static void
result_end (GString * out)
{
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}

static void
result_add_hist (GString * out, const gchar * prefix, const Histogram * hist)
{
  g_string_append_printf (out, ",\"%s_count\":%" G_GUINT64_FORMAT
      ",\"%s_p50_us\":%.1f,\"%s_p99_us\":%.1f,\"%s_p999_us\":%.1f,"
      "\"%s_max_us\":%.1f", prefix, hist->total,
      prefix, hist_percentile (hist, 50) / 1e3,
      prefix, hist_percentile (hist, 99) / 1e3,
      prefix, hist_percentile (hist, 99.9) / 1e3, prefix, hist->max / 1e3);
}

/* ------------------------------------------------------------------------ */
/* Workloads                                                                */

/* fanout, sessions and latency: senders and receivers in groups. */
static gboolean
run_traffic (Bench * bench)
{
  Totals a, b;
  Histogram *hist = g_new0 (Histogram, 1);
  RedisInfo redis_join_a = { 0 }, redis_join_b = { 0 };
  RedisInfo redis_traffic_a = { 0 }, redis_traffic_b = { 0 };
  gdouble join_seconds, srv_a, srv_b, self_a, self_b, elapsed;
  gdouble srv_wait_a, srv_wait_b, self_wait_a, self_wait_b;
  gint64 t_a, t_b;
  guint64 sent = 0, skipped = 0, replies_ok = 0, replies_error = 0;
  gboolean latency = g_str_equal (bench->workload, "latency");
  GError *error = NULL;
  GString *out;
  guint i;

  if (!bench_make_groups (bench, bench->sessions, bench->members, TRUE,
          &error)) {
    g_printerr ("cannot create the sessions: %s\n", error->message);
    g_error_free (error);
    g_free (hist);
    return FALSE;
  }
  if (bench->redis_port > 0)
    redis_info_read (bench, &redis_join_a);
  if (!bench_join_all (bench, &join_seconds)) {
    redis_info_clear (&redis_join_a);
    g_free (hist);
    return FALSE;
  }
  if (bench->redis_port > 0) {
    /* the last members' acknowledgements of the last joins */
    g_usleep (200000);
    redis_info_read (bench, &redis_join_b);
  }
  for (i = 0; i < bench->n_workers; i++)
    worker_call (bench->workers[i], build_templates_func, bench->workers[i]);

  /* in flight per receiver: enough to keep the pipe full, small enough to
   * keep the server's queues (and the relays' buffers) bounded */
  if (bench->window == 0) {
    guint64 per_group = MAX (1, 8 * 1024 * 1024 /
        ((guint64) (bench->size + 300) * MAX (1, bench->members - 1)));

    bench->window_deliveries = CLAMP (per_group, 4, 256);
  } else {
    bench->window_deliveries = bench->window;
  }
  /* latency: up to half a second of signals in flight, at most 256 per
   * receiver (the embedded server drops a connection with 4096 unacked
   * messages, and reads a burst of requests before the acks), then the
   * sender skips: the target cannot keep up with the offered rate */
  bench->latency_cap = (gint64) CLAMP (bench->rate / 2, 16, 256) *
      MAX (1, bench->members - 1);

  atomic_store (&bench->sending, 1);
  g_usleep ((gulong) (bench->warmup * G_USEC_PER_SEC));

  bench_histograms (bench, TRUE, NULL);
  bench_totals (bench, &a);
  srv_a = servers_seconds (bench, proc_cpu_seconds);
  self_a = self_cpu_seconds ();
  srv_wait_a = servers_seconds (bench, proc_wait_seconds);
  self_wait_a = proc_wait_seconds (getpid ());
  t_a = g_get_monotonic_time ();
  if (bench->redis_port > 0)
    redis_info_read (bench, &redis_traffic_a);
  g_usleep ((gulong) (bench->duration * G_USEC_PER_SEC));
  if (bench->redis_port > 0)
    redis_info_read (bench, &redis_traffic_b);
  bench_totals (bench, &b);
  srv_b = servers_seconds (bench, proc_cpu_seconds);
  self_b = self_cpu_seconds ();
  srv_wait_b = servers_seconds (bench, proc_wait_seconds);
  self_wait_b = proc_wait_seconds (getpid ());
  t_b = g_get_monotonic_time ();
  bench_histograms (bench, FALSE, hist);
  atomic_store (&bench->sending, 0);
  /* let the pump see the flag before reading the senders' counters */
  g_usleep (20000);
  for (i = 0; i < bench->groups->len; i++) {
    Group *group = g_ptr_array_index (bench->groups, i);

    sent += group->sender->sent;
    skipped += group->sender->skipped;
    replies_ok += group->sender->replies_ok;
    replies_error += group->sender->replies_error;
  }

  elapsed = (t_b - t_a) / 1e6;
  out = result_begin (bench, bench->workload);
  g_string_append_printf (out, ",\"sessions\":%u,\"members\":%u,"
      "\"receivers\":%u,\"join_s\":%.2f,\"elapsed_s\":%.2f",
      bench->sessions, bench->members, bench->sessions * (bench->members - 1),
      join_seconds, elapsed);
  if (bench->urls != NULL) {
    gboolean apart = bench->sender_url != NULL &&
        !g_strv_contains ((const gchar * const *) bench->urls,
        bench->sender_url);

    g_string_append_printf (out, ",\"nodes\":%u,\"sender_apart\":%s",
        g_strv_length (bench->urls) + apart, apart ? "true" : "false");
  }
  g_string_append_printf (out, ",\"deliveries_per_s\":%.0f,"
      "\"signals_per_s\":%.0f,\"mbytes_in_per_s\":%.1f",
      (b.received - a.received) / elapsed,
      (b.received - a.received) / elapsed / MAX (1, bench->members - 1) *
      1.0, (b.bytes_in - a.bytes_in) / elapsed / 1e6);
  if (srv_a >= 0 && srv_b >= 0)
    g_string_append_printf (out, ",\"server_cpu\":%.3f",
        (srv_b - srv_a) / elapsed);
  g_string_append_printf (out, ",\"bench_cpu\":%.3f",
      (self_b - self_a) / elapsed);
  /* CPU time the machine's other processes took from us: large values
   * mean the figures are a floor */
  if (srv_wait_a >= 0 && srv_wait_b >= 0)
    g_string_append_printf (out, ",\"server_wait\":%.3f",
        (srv_wait_b - srv_wait_a) / elapsed);
  if (self_wait_a >= 0 && self_wait_b >= 0)
    g_string_append_printf (out, ",\"bench_wait\":%.3f",
        (self_wait_b - self_wait_a) / elapsed);
  g_string_append_printf (out, ",\"sent\":%" G_GUINT64_FORMAT ",\"skipped\":%"
      G_GUINT64_FORMAT ",\"replies_ok\":%" G_GUINT64_FORMAT
      ",\"replies_error\":%" G_GUINT64_FORMAT ",\"closed\":%u,\"window\":%"
      G_GUINT64_FORMAT, sent, skipped, replies_ok, replies_error, b.closed,
      bench->window_deliveries);
  if (latency)
    g_string_append_printf (out, ",\"offered_rate\":%.0f", bench->rate);
  result_add_hist (out, "latency", hist);
  if (bench->server_pid > 0)
    g_string_append_printf (out, ",\"server_rss_kb\":%" G_GINT64_FORMAT,
        proc_status_kb (bench->server_pid, "VmRSS:"));
  if (bench->redis_port > 0) {
    g_string_append_printf (out, ",\"joins\":%u", bench->conns->len);
    result_add_redis (out, "redis_join", &redis_join_a, &redis_join_b);
    result_add_redis (out, "redis_traffic", &redis_traffic_a,
        &redis_traffic_b);
  }
  result_end (out);
  redis_info_clear (&redis_join_a);
  redis_info_clear (&redis_join_b);
  redis_info_clear (&redis_traffic_a);
  redis_info_clear (&redis_traffic_b);
  g_free (hist);
  return TRUE;
}

/* idle: how many connections the server holds, and their memory. */
static gboolean
run_idle (Bench * bench)
{
  gint64 rss_before, rss_after, hwm;
  gdouble join_seconds, cpu_before, idle_cpu;
  guint n_groups = (bench->connections + bench->members - 1) /
      bench->members;
  GError *error = NULL;
  Totals totals;
  GString *out;

  rss_before = proc_status_kb (bench->server_pid, "VmRSS:");
  if (!bench_make_groups (bench, n_groups, bench->members, FALSE, &error)) {
    g_printerr ("cannot create the sessions: %s\n", error->message);
    g_error_free (error);
    return FALSE;
  }
  bench_join_all (bench, &join_seconds);
  /* idle for a while: pings only; every socket must survive it */
  cpu_before = proc_cpu_seconds (bench->server_pid);
  g_usleep ((gulong) (bench->duration * G_USEC_PER_SEC));
  idle_cpu = (proc_cpu_seconds (bench->server_pid) - cpu_before) /
      bench->duration;
  bench_totals (bench, &totals);
  rss_after = proc_status_kb (bench->server_pid, "VmRSS:");
  hwm = proc_status_kb (bench->server_pid, "VmHWM:");

  out = result_begin (bench, "idle");
  g_string_append_printf (out, ",\"members\":%u,\"connections\":%u,"
      "\"held\":%u,\"failed\":%u,\"closed\":%u,\"join_s\":%.2f,"
      "\"joins_per_s\":%.0f,\"server_rss_before_kb\":%" G_GINT64_FORMAT
      ",\"server_rss_kb\":%" G_GINT64_FORMAT ",\"server_hwm_kb\":%"
      G_GINT64_FORMAT ",\"server_idle_cpu\":%.3f", bench->members,
      bench->conns->len, totals.ready - totals.closed, totals.failed,
      totals.closed, join_seconds, totals.ready / MAX (join_seconds, 1e-3),
      rss_before, rss_after, hwm, idle_cpu);
  if (totals.ready > totals.closed && rss_after > 0 && rss_before > 0)
    g_string_append_printf (out, ",\"bytes_per_conn\":%.0f",
        (rss_after - rss_before) * 1024.0 / (totals.ready - totals.closed));
  result_end (out);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The element                                                              */

/* Times at which the in-process server parsed a MESSAGE frame: its
 * GST_TRACE ("socket %p: MESSAGE") runs right after the frame parse, before
 * any work on it. */
static atomic_llong server_seen_time;
static atomic_uint server_seen_count;

static void
server_log_hook (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  gint64 now;
  const gchar *text;

  if (level != GST_LEVEL_TRACE ||
      strcmp (gst_debug_category_get_name (category), "opentokserver") != 0)
    return;
  now = now_ns ();
  text = gst_debug_message_get (message);
  if (text && g_str_has_prefix (text, "socket ") &&
      g_str_has_suffix (text, ": MESSAGE")) {
    atomic_store (&server_seen_time, now);
    atomic_fetch_add (&server_seen_count, 1);
  }
}

typedef struct
{
  Bench *bench;
  gint64 *bus_times;
  guint n;
  atomic_int connected;
} ElementState;

static GstBusSyncReply
element_bus_sync (GstBus * bus, GstMessage * message, gpointer user_data)
{
  ElementState *state = user_data;
  const GstStructure *s = gst_message_get_structure (message);
  gint64 now = now_ns ();

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT && s != NULL) {
    if (gst_structure_has_name (s, "opentok-signal")) {
      const gchar *data = gst_structure_get_string (s, "data");
      guint64 seq, sent;

      if (data && strlen (data) >= SIGNAL_HEADER_SIZE &&
          get_hex ((const guint8 *) data, &seq) &&
          get_hex ((const guint8 *) data + 17, &sent) && seq < state->n)
        state->bus_times[seq] = now;
    } else if (gst_structure_has_name (s, "opentok-session-connected")) {
      atomic_store (&state->connected, 1);
    }
  }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    GError *error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_printerr ("signalbin error: %s\n", error->message);
    g_error_free (error);
  }
  return GST_BUS_DROP;
}

/* e1: a peer sends timestamped signals; a reference connection (the
 * bench's) and signalbin get each one from the server at the same moment.
 * The element's cost is its bus time minus the reference's receive time,
 * signal by signal.
 * e2: send-signal is emitted, one signal at a time, and the in-process
 * server's trace hook stamps the moment it parsed the frame. */
static gboolean
run_element (Bench * bench)
{
  GstOpenTokServer *server = NULL;
  GstElement *pipeline = NULL, *bin;
  ElementState state = { bench, };
  Histogram *h_elem = g_new0 (Histogram, 1), *h_ref = g_new0 (Histogram, 1);
  Histogram *h_send = g_new0 (Histogram, 1);
  GError *error = NULL;
  gchar *token = NULL, *url = NULL;
  gdouble join_seconds;
  gboolean ok = FALSE;
  GstBus *bus;
  gint64 deadline, start;
  guint i, n_signals;
  Group *group;
  Conn *sender;
  GString *out;

  gst_debug_set_active (TRUE);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (server_log_hook, NULL, NULL);

  server = gst_opentok_server_new (bench->api_key, bench->api_secret);
  g_object_set (server, "signal-rate", 0.0, NULL);
  if (!gst_opentok_server_start (server, &error)) {
    g_printerr ("cannot start the server: %s\n", error->message);
    goto out;
  }
  url = gst_opentok_server_get_url (server);
  g_free (bench->url);
  bench->url = g_strdup (url);
  bench->mode = MODE_FULL;

  /* a sender and a reference receiver, joined before the element, so the
   * reference gets each signal first */
  n_signals = (guint) MAX (100, bench->rate * bench->duration);
  bench->n_ref_times = n_signals;
  bench->ref_times = g_new0 (gint64, n_signals);
  if (!bench_make_groups (bench, 1, 2, TRUE, &error)) {
    g_printerr ("cannot create the session: %s\n", error->message);
    goto out;
  }
  if (!bench_join_all (bench, &join_seconds))
    goto out;
  group = g_ptr_array_index (bench->groups, 0);
  sender = group->sender;
  worker_call (sender->worker, build_templates_func, sender->worker);

  token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
      bench->api_key, bench->api_secret, group->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, &error);
  pipeline = gst_pipeline_new ("bench");
  bin = gst_element_factory_make ("signalbin", NULL);
  if (bin == NULL) {
    g_printerr ("no signalbin element: set GST_PLUGIN_PATH to the build's "
        "plugin directory\n");
    goto out;
  }
  g_object_set (bin, "api-url", url, "api-key", bench->api_key,
      "session-id", group->session_id, "token", token, NULL);
  gst_bin_add (GST_BIN (pipeline), bin);
  state.n = n_signals;
  state.bus_times = g_new0 (gint64, n_signals);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gst_bus_set_sync_handler (bus, element_bus_sync, &state, NULL);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!atomic_load (&state.connected) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (!atomic_load (&state.connected)) {
    g_printerr ("signalbin did not join the session\n");
    goto out;
  }
  /* e1: paced sending, with the window as a safety net */
  bench->window_deliveries = 64;
  bench->latency_cap = G_MAXINT64;
  bench_histograms (bench, TRUE, NULL);
  atomic_store (&bench->sending, 1);
  start = g_get_monotonic_time ();
  deadline = start + (gint64) ((bench->duration + 5) * G_USEC_PER_SEC);
  while (sender->sent + sender->skipped < n_signals &&
      g_get_monotonic_time () < deadline)
    g_usleep (1000);
  atomic_store (&bench->sending, 0);
  g_usleep (200000);
  for (i = 0; i < n_signals; i++) {
    if (bench->ref_times[i] != 0 && state.bus_times[i] != 0)
      hist_add (h_elem, state.bus_times[i] - bench->ref_times[i]);
  }
  bench_histograms (bench, FALSE, h_ref);

  /* e2: send-signal to the server, one at a time */
  gst_debug_set_threshold_for_name ("opentokserver", GST_LEVEL_TRACE);
  for (i = 0; i < 50 + n_signals / 4; i++) {
    GstStructure *s = gst_structure_new ("opentok-signal", "type",
        G_TYPE_STRING, SIGNAL_TYPE, "data", G_TYPE_STRING,
        "0000000000000000 0000000000000000 element", NULL);
    GstPromise *promise = gst_promise_new ();
    guint before = atomic_load (&server_seen_count);
    gint64 t0 = now_ns ();

    g_signal_emit_by_name (bin, "send-signal", s, promise);
    gst_promise_wait (promise);
    gst_promise_unref (promise);
    gst_structure_free (s);
    /* the STATUS comes after the server saw the frame */
    if (atomic_load (&server_seen_count) == before + 1 && i >= 50)
      hist_add (h_send, atomic_load (&server_seen_time) - t0);
  }
  gst_debug_set_threshold_for_name ("opentokserver", GST_LEVEL_NONE);

  out = result_begin (bench, "element");
  g_string_append_printf (out, ",\"offered_rate\":%.0f,\"signals\":%u",
      bench->rate, n_signals);
  result_add_hist (out, "arrival_to_bus", h_elem);
  result_add_hist (out, "reference_receive", h_ref);
  result_add_hist (out, "send_to_server", h_send);
  result_end (out);
  ok = TRUE;

out:
  g_clear_error (&error);
  if (pipeline) {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  g_free (state.bus_times);
  if (server) {
    gst_opentok_server_stop (server);
    gst_object_unref (server);
  }
  g_free (token);
  g_free (url);
  g_free (h_elem);
  g_free (h_ref);
  g_free (h_send);
  return ok;
}

/* ------------------------------------------------------------------------ */

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
  }
}

int
main (int argc, char **argv)
{
  Bench bench = { 0, };
  gchar *mode = NULL, *server_pids = NULL;
  gint workers = 2, sessions = 1, members = 11, size = 100, window = 0;
  gint connections = 10000, join_concurrency = 128;
  GOptionEntry entries[] = {
    {"target", 0, 0, G_OPTION_ARG_STRING, &bench.target,
        "Name of the server measured, for the results", "NAME"},
    {"tag", 0, 0, G_OPTION_ARG_STRING, &bench.tag,
        "A name for this run, copied to the results", "NAME"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode,
        "full (the client protocol) or raw (for the relays)", "MODE"},
    {"url", 0, 0, G_OPTION_ARG_STRING, &bench.url,
        "Base URL of the server (full mode); the nodes' of a cluster, "
          "comma-separated, each session's members joining through them "
          "in turn", "URL[,URL...]"},
    {"sender-url", 0, 0, G_OPTION_ARG_STRING, &bench.sender_url,
        "Base URL the senders join through (default: as the other members)",
        "URL"},
    {"ws-url", 0, 0, G_OPTION_ARG_STRING, &bench.ws_url,
        "WebSocket URL of the relay (raw mode)", "URL"},
    {"api-key", 0, 0, G_OPTION_ARG_STRING, &bench.api_key,
        "API key of the server", "KEY"},
    {"api-secret", 0, 0, G_OPTION_ARG_STRING, &bench.api_secret,
        "API secret of the server", "SECRET"},
    {"server-pid", 0, 0, G_OPTION_ARG_STRING, &server_pids,
        "Process id of the server, for its CPU time and memory; the nodes' "
          "of a cluster, comma-separated, for their CPU time in all",
        "PID[,PID...]"},
    {"redis-port", 0, 0, G_OPTION_ARG_INT, &bench.redis_port,
        "Port of the cluster's Redis on 127.0.0.1, for its commands, bytes "
          "and CPU during the joins and the measured traffic (redis-cli "
          "INFO)", "PORT"},
    {"workload", 0, 0, G_OPTION_ARG_STRING, &bench.workload,
        "fanout, sessions, latency, idle or element", "NAME"},
    {"workers", 0, 0, G_OPTION_ARG_INT, &workers,
        "Worker threads (default 2)", "N"},
    {"sessions", 0, 0, G_OPTION_ARG_INT, &sessions,
        "Sessions, each with a sender (default 1)", "N"},
    {"members", 0, 0, G_OPTION_ARG_INT, &members,
        "Connections per session, the sender included (default 11)", "N"},
    {"size", 0, 0, G_OPTION_ARG_INT, &size,
        "Bytes of signal data (default 100)", "BYTES"},
    {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &bench.duration,
        "Seconds measured (default 3)", "S"},
    {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &bench.warmup,
        "Seconds of traffic before measuring (default 1)", "S"},
    {"rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench.rate,
        "Offered signals per second in all (latency, element)", "N"},
    {"window", 0, 0, G_OPTION_ARG_INT, &window,
        "Signals in flight per sender (default: from the size)", "N"},
    {"connections", 0, 0, G_OPTION_ARG_INT, &connections,
        "Connections to open (idle, default 10000)", "N"},
    {"join-concurrency", 0, 0, G_OPTION_ARG_INT, &join_concurrency,
        "Joins in progress per worker (default 128)", "N"},
    {"join-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &bench.join_timeout,
        "Seconds allowed for joining (default 120)", "S"},
    {"deflate", 0, 0, G_OPTION_ARG_NONE, &bench.deflate,
        "Offer permessage-deflate, as browsers do", NULL},
    {NULL}
  };
  GOptionContext *options;
  GError *error = NULL;
  gboolean ok = FALSE;
  guint i;

  bench.duration = 3;
  bench.warmup = 1;
  bench.join_timeout = 120;
  options = g_option_context_new ("- load generator for gst-opentok-server");
  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, gst_init_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    return 2;
  }
  g_option_context_free (options);
  gst_init (&argc, &argv);
  quiet_libsoup_debug ();
  raise_fd_limit ();

  if (bench.target == NULL)
    bench.target = g_strdup ("ours");
  if (bench.api_key == NULL)
    bench.api_key = g_strdup ("123456");
  if (bench.api_secret == NULL)
    bench.api_secret = g_strdup ("bench-secret");
  if (bench.workload == NULL)
    bench.workload = g_strdup ("fanout");
  bench.mode = g_strcmp0 (mode, "raw") == 0 ? MODE_RAW : MODE_FULL;
  bench.server_pids = g_array_new (FALSE, FALSE, sizeof (gint));
  if (server_pids != NULL) {
    gchar **pids = g_strsplit (server_pids, ",", -1), **pid;

    for (pid = pids; *pid != NULL; pid++) {
      gint value = atoi (*pid);

      if (value > 0)
        g_array_append_val (bench.server_pids, value);
    }
    g_strfreev (pids);
  }
  if (bench.server_pids->len > 0)
    bench.server_pid = g_array_index (bench.server_pids, gint, 0);
  bench.n_workers = CLAMP (workers, 1, 64);
  bench.sessions = MAX (sessions, 1);
  bench.members = MAX (members, 1);
  bench.size = CLAMP (size, SIGNAL_HEADER_SIZE, 8192);
  bench.window = MAX (window, 0);
  bench.connections = MAX (connections, 1);
  bench.join_concurrency = MAX (join_concurrency, 1);
  if ((bench.mode == MODE_FULL && bench.url == NULL &&
          !g_str_equal (bench.workload, "element")) ||
      (bench.mode == MODE_RAW && bench.ws_url == NULL)) {
    g_printerr ("full mode needs --url, raw mode --ws-url\n");
    return 2;
  }

  bench.workers = g_new0 (Worker *, bench.n_workers);
  for (i = 0; i < bench.n_workers; i++)
    bench.workers[i] = worker_new (&bench, i);

  if (g_str_equal (bench.workload, "idle"))
    ok = run_idle (&bench);
  else if (g_str_equal (bench.workload, "element"))
    ok = run_element (&bench);
  else if (g_str_equal (bench.workload, "fanout") ||
      g_str_equal (bench.workload, "sessions") ||
      g_str_equal (bench.workload, "latency"))
    ok = run_traffic (&bench);
  else
    g_printerr ("unknown workload %s\n", bench.workload);

  /* thousands of sockets: the kernel closes them faster than a polite
   * goodbye each, and the server under test is stopped next anyway */
  fflush (stdout);
  _exit (ok ? 0 : 1);
}
