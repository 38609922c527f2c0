/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Fault tests: nothing lost, nothing doubled, nothing crashes.
 *
 * test_soak_cuts_stalls_blackholes runs signalbin (in a GstHarness, which
 * keeps it PLAYING) through a TcpProxy in front of an in-process
 * GstOpenTokServer, with a GstOpenTokClient peer connected directly. Both
 * send thousands of targeted signals to each other at a steady pace while a
 * fault driver thread breaks the element's path at random moments: abrupt
 * cuts, short stalls (a blackhole, both ways or one way only, that ends
 * before anyone notices, which cuts the connections that lost bytes) and
 * silences (a blackhole that lasts until the client's liveness timer gives
 * the socket up). Every fault that
 * cost the element its socket must end in exactly one reconnection, and
 * every signal must arrive exactly once, except those that were allowed to
 * fail with 500.
 *
 * Knobs (environment): GST_OPENTOK_SOAK_SEED (the random seed, printed),
 * GST_OPENTOK_SOAK_SIGNALS (signals each way, default 10000) and
 * GST_OPENTOK_SOAK_RATE (signals per second each way, default 140). Long
 * runs need a longer timeout: CK_DEFAULT_TIMEOUT does not apply (the test
 * case sets its own from the figures), but meson's does
 * (meson test --timeout-multiplier).
 *
 * test_server_killed_and_restarted and test_server_killed_not_restarted run
 * the command-line server (GST_OPENTOK_SERVER_EXE, set by meson) as a child
 * process, kill it with SIGKILL under a connected signalbin and peer, and
 * check that both report the loss, give the session up with 1022 in
 * bounded time, and fail what was waiting with 500. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/opentok/opentok.h>

#include "fixture.h"
#include "tcpproxy.h"

#define API_KEY FIXTURE_API_KEY
#define API_SECRET FIXTURE_API_SECRET
#define WAIT_MS FIXTURE_WAIT_MS

#define SOAK_DEFAULT_SEED 20261124
#define SOAK_DEFAULT_SIGNALS 10000
#define SOAK_DEFAULT_RATE 140
/* faults go on as long as the sending does, and at least this many */
#define SOAK_MIN_FAULTS 50
/* quiet time between the recovery from a fault and the next one */
#define SOAK_GAP_MIN_MS 100
#define SOAK_GAP_MAX_MS 300
#define SOAK_STALL_MIN_MS 200
#define SOAK_STALL_MAX_MS 2000
/* one fault in SOAK_SILENCE_EVERY is a silence: each costs the client's
 * liveness timeout (5.9 s) */
#define SOAK_SILENCE_EVERY 25
/* what signalbin sends, in percent: sink pad lines and action signals that
 * may not wait; the rest are action signals that may */
#define SOAK_LINE_PERCENT 40
#define SOAK_NO_RETRY_PERCENT 15

/* signalbin's client: opentok.js's timers, which the element does not let
 * an application change */
#define CLIENT_LIVENESS_MS 5900
#define CLIENT_RECONNECT_WINDOW_MS 30000

/* why a client gave the session up, in its error's message: the server
 * turned the reconnection away, or the window ended */
#define LOST_REFUSED "was lost"
#define LOST_WINDOW "reconnection window"

/* the soak's server, started by its checked fixture */
static FixtureServer *in_process;

/* ------------------------------------------------------------------------ */
/* Knobs                                                                    */

static guint64
env_uint (const gchar * name, guint64 fallback, guint64 min, guint64 max)
{
  const gchar *text = g_getenv (name);
  guint64 value;

  if (text == NULL || *text == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL)) {
    g_printerr ("%s=%s is not a number from %" G_GUINT64_FORMAT " to %"
        G_GUINT64_FORMAT ": using %" G_GUINT64_FORMAT "\n", name, text, min,
        max, fallback);
    return fallback;
  }
  return value;
}

static guint
soak_n_signals (void)
{
  return env_uint ("GST_OPENTOK_SOAK_SIGNALS", SOAK_DEFAULT_SIGNALS, 100,
      100000000);
}

static guint
soak_rate (void)
{
  return env_uint ("GST_OPENTOK_SOAK_RATE", SOAK_DEFAULT_RATE, 1, 100000);
}

static guint32
soak_seed (void)
{
  return env_uint ("GST_OPENTOK_SOAK_SEED", SOAK_DEFAULT_SEED, 0, G_MAXUINT32);
}

/* ------------------------------------------------------------------------ */
/* The in-process server                                                    */

static void
server_setup (void)
{
  /* no rate limit: after a silence, the element sends everything that
   * waited at once, and a 429 is not what this test is about */
  in_process = fixture_server_new ("signal-rate", 0.0, NULL);
}

static void
server_teardown (void)
{
  fixture_server_free (in_process);
  in_process = NULL;
}

/* ------------------------------------------------------------------------ */
/* The peer and the element                                                 */

/* Joins @session at @url; @reconnect_window 0 keeps the client's default. */
static FixturePeer *
peer_new (const gchar * url, const gchar * session, guint reconnect_window)
{
  gchar *token = fixture_token_new (session, "peer");
  FixturePeer *peer = fixture_peer_new (NULL, "peer", url, API_KEY, session,
      token);

  g_free (token);
  if (reconnect_window > 0)
    g_object_set (peer->client, "reconnect-window", reconnect_window, NULL);
  fixture_peer_connect (peer);
  return peer;
}

/* Disconnects and frees @peer, failing unless the disconnect returns in
 * time; returns how long it took, in seconds (printed, not checked). */
static gdouble
peer_stop (FixturePeer * peer)
{
  gint64 start = g_get_monotonic_time ();
  gdouble took;

  fixture_peer_disconnect (peer);
  took = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  fixture_peer_free (peer);
  return took;
}

/* signalbin at @url, at the soak's pace (GST_OPENTOK_SOAK_RATE, above
 * signalbin's default max-rate), which the in-process server allows */
static GstElement *
signalbin_new (const gchar * url, const gchar * session)
{
  GstElement *element = fixture_signalbin_new (url, session, "element");

  g_object_set (element, "max-rate", 0.0, NULL);
  return element;
}

/* In a harness, with text lines on its sink pad, joined. */
static FixtureBin *
bin_start (GstElement * element)
{
  return fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
}

static gpointer
bin_stop_thread (gpointer bin)
{
  fixture_bin_stop (bin);
  return NULL;
}

/* Stops @bin (to NULL), failing unless that returns in time; returns how
 * long it took, in seconds (printed, not checked). */
static gdouble
bin_stop (FixtureBin * bin)
{
  gint64 start = g_get_monotonic_time ();

  fail_unless (fixture_run_bounded (bin_stop_thread, bin, WAIT_MS),
      "signalbin's teardown hangs");
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

/* Sends through the action signal; the caller waits on the promise. When
 * @replied is given, it is set to 1 on the reply. */
static GstPromise *
bin_send (FixtureBin * bin, const gchar * data, const gchar * to,
    gboolean retry, gint * replied)
{
  GstStructure *s = fixture_signal_structure ("check", data, to, retry);
  GstPromise *promise = replied ?
      gst_promise_new_with_change_func (fixture_promise_set_flag, replied,
      NULL) : gst_promise_new ();

  g_signal_emit_by_name (bin->element, "send-signal", s, promise);
  gst_structure_free (s);
  return promise;
}

/* ------------------------------------------------------------------------ */
/* Soak: state shared by the threads                                        */

typedef enum
{
  SEND_LINE,
  SEND_RETRY,
  SEND_NO_RETRY,
} SendKind;

static const gchar *const send_kind_names[] = { "line", "retry", "noretry" };

typedef enum
{
  FAULT_CUT,
  FAULT_STALL,
  FAULT_STALL_UP,
  FAULT_STALL_DOWN,
  FAULT_SILENCE,
  N_FAULT_KINDS
} FaultKind;

static const gchar *const fault_names[] = { "cut", "stall", "stall-up",
  "stall-down", "silence"
};

typedef struct _Soak Soak;

/* One signal signalbin sends. */
typedef struct
{
  Soak *soak;
  guint index;
  SendKind kind;
  gint code;                    /* -1 until it completed */
  gint64 sent_at;
  gint64 completed_at;
} Outgoing;

struct _Soak
{
  guint n;                      /* signals each way */
  gchar *bin_id;
  gchar *peer_id;

  GMutex lock;
  GCond cond;
  /* under lock */
  Outgoing *b2p;                /* n */
  guint b2p_completed;
  gint *p2b_codes;              /* n, -1 until completed */
  guint p2b_completed;
  GHashTable *at_peer;          /* data -> count */
  GHashTable *at_bin;
  guint at_peer_total;
  guint at_bin_total;
  guint wrong_sender;
  gboolean sending_done;
  gboolean driver_done;
};

static void
soak_count (Soak * soak, GHashTable * table, GstOpenTokSignal * signal,
    const gchar * expected_from)
{
  const gchar *data = gst_opentok_signal_get_data (signal);
  gpointer count;

  if (data == NULL)
    data = "";
  g_mutex_lock (&soak->lock);
  count = g_hash_table_lookup (table, data);
  g_hash_table_insert (table, g_strdup (data),
      GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
  if (table == soak->at_peer)
    soak->at_peer_total++;
  else
    soak->at_bin_total++;
  if (g_strcmp0 (gst_opentok_signal_get_from (signal), expected_from) != 0)
    soak->wrong_sender++;
  g_cond_broadcast (&soak->cond);
  g_mutex_unlock (&soak->lock);
}

static void
on_soak_peer_signal (GstOpenTokClient * client, GstOpenTokSignal * signal,
    Soak * soak)
{
  soak_count (soak, soak->at_peer, signal, soak->bin_id);
}

static void
on_soak_bin_signal (GstElement * element, GstOpenTokSignal * signal,
    Soak * soak)
{
  soak_count (soak, soak->at_bin, signal, soak->peer_id);
}

static guint
soak_lookup (Soak * soak, GHashTable * table, const gchar * data)
{
  guint n;

  g_mutex_lock (&soak->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (table, data));
  g_mutex_unlock (&soak->lock);
  return n;
}

static void
soak_complete_b2p (Soak * soak, guint index, gint code)
{
  g_mutex_lock (&soak->lock);
  if (index < soak->n && soak->b2p[index].code == -1) {
    soak->b2p[index].code = code;
    soak->b2p[index].completed_at = g_get_monotonic_time ();
    soak->b2p_completed++;
    g_cond_broadcast (&soak->cond);
  }
  g_mutex_unlock (&soak->lock);
}

/* signalbin's network thread: no fail_unless here */
static void
on_soak_b2p_reply (GstPromise * promise, gpointer user_data)
{
  Outgoing *out = user_data;

  soak_complete_b2p (out->soak, out->index,
      fixture_reply_code (gst_promise_get_reply (promise)));
}

/* the peer's network thread */
static void
on_soak_p2b_done (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  Soak *soak = g_object_get_data (G_OBJECT (client), "soak");
  guint index = GPOINTER_TO_UINT (user_data);

  g_mutex_lock (&soak->lock);
  if (index < soak->n && soak->p2b_codes[index] == -1) {
    soak->p2b_codes[index] = error == NULL ? 0 :
        error->domain == GST_OPENTOK_SIGNAL_ERROR ? error->code : -2;
    soak->p2b_completed++;
    g_cond_broadcast (&soak->cond);
  }
  g_mutex_unlock (&soak->lock);
}

static gchar *
b2p_data (SendKind kind, guint index)
{
  return g_strdup_printf ("b2p-%s-%u", send_kind_names[kind], index);
}

static gchar *
p2b_data (guint index)
{
  return g_strdup_printf ("p2b-%u", index);
}

/* Waits, at most @timeout_ms, until @done_field reaches @n. */
static gboolean
soak_wait_completed (Soak * soak, guint * done_field, guint n, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok;

  g_mutex_lock (&soak->lock);
  while (*done_field < n)
    if (!g_cond_wait_until (&soak->cond, &soak->lock, end))
      break;
  ok = *done_field >= n;
  g_mutex_unlock (&soak->lock);
  return ok;
}

/* Waits for one signal with @data at @table (the peer's or the element's). */
static gboolean
soak_wait_data (Soak * soak, GHashTable * table, const gchar * data,
    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok;

  g_mutex_lock (&soak->lock);
  while (!g_hash_table_contains (table, data))
    if (!g_cond_wait_until (&soak->cond, &soak->lock, end))
      break;
  ok = g_hash_table_contains (table, data);
  g_mutex_unlock (&soak->lock);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Soak: the fault driver thread                                            */

typedef struct
{
  Soak *soak;
  FixtureCollector *events;     /* the element's */
  TcpProxy *proxy;
  GRand *rand;
  guint min_faults;

  /* written by the driver thread, read after it was joined */
  guint faults[N_FAULT_KINDS];
  guint total;
  guint during_sending;         /* faults begun before the sending ended */
  guint lossy;
  guint stalls_without_loss;
  gint64 silence_detect_max;    /* us */
  gint64 silence_detect_sum;
  GString *history;             /* each fault: kind, loss, reconnections */
  gchar *failure;               /* the first problem, NULL when none */
} Driver;

/* Pacing: lets @ms pass (the lock and condition are only there to wait on
 * something; nothing is waited for). */
static void
driver_pause (Driver * d, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&d->soak->lock);
  while (g_cond_wait_until (&d->soak->cond, &d->soak->lock, end));
  g_mutex_unlock (&d->soak->lock);
}

static gboolean
driver_sending_done (Driver * d)
{
  gboolean done;

  g_mutex_lock (&d->soak->lock);
  done = d->soak->sending_done;
  g_mutex_unlock (&d->soak->lock);
  return done;
}

static gpointer
driver_thread (gpointer data)
{
  Driver *d = data;

  while (!driver_sending_done (d) || d->total < d->min_faults) {
    FaultKind kind;
    guint before =
        fixture_collector_count (d->events, FIXTURE_EVENT_RECONNECTING, NULL,
        NULL);
    gboolean loss = FALSE;

    driver_pause (d, g_rand_int_range (d->rand, SOAK_GAP_MIN_MS,
            SOAK_GAP_MAX_MS + 1));
    if (!driver_sending_done (d))
      d->during_sending++;
    if (d->total % SOAK_SILENCE_EVERY == SOAK_SILENCE_EVERY / 2)
      kind = FAULT_SILENCE;
    else
      kind = g_rand_int_range (d->rand, FAULT_CUT, FAULT_STALL_DOWN + 1);

    switch (kind) {
      case FAULT_CUT:
        /* both ends see the stream end, nothing else */
        loss = tcp_proxy_cut_all (d->proxy) > 0;
        break;
      case FAULT_STALL:
      case FAULT_STALL_UP:
      case FAULT_STALL_DOWN:{
        /* short enough for no liveness timer to notice; going back to
         * PASS cuts the connections whose bytes were dropped. One way
         * only, either the element's acknowledgements and requests are
         * lost while the server's messages arrive (the server sends them
         * again: the client must drop the copies), or the server's
         * answers are lost while the requests arrive (the client sends
         * them again: the server must answer without relaying twice) */
        tcp_proxy_set_mode (d->proxy, kind == FAULT_STALL_UP ?
            TCP_PROXY_MODE_BLACKHOLE_UPSTREAM : kind == FAULT_STALL_DOWN ?
            TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM : TCP_PROXY_MODE_BLACKHOLE);
        driver_pause (d, g_rand_int_range (d->rand, SOAK_STALL_MIN_MS,
                SOAK_STALL_MAX_MS + 1));
        /* what the proxy cut, counted where it cuts: a connection opening
         * or closing meanwhile must not hide one */
        loss = tcp_proxy_set_mode (d->proxy, TCP_PROXY_MODE_PASS) > 0;
        if (!loss)
          d->stalls_without_loss++;
        break;
      }
      case FAULT_SILENCE:{
        gint64 start = g_get_monotonic_time (), took;

        /* until the client gives the silent socket up */
        tcp_proxy_set_mode (d->proxy, TCP_PROXY_MODE_BLACKHOLE);
        if (!fixture_collector_wait (d->events, FIXTURE_EVENT_RECONNECTING,
                NULL, NULL, before + 1, CLIENT_LIVENESS_MS + WAIT_MS)) {
          tcp_proxy_set_mode (d->proxy, TCP_PROXY_MODE_PASS);
          d->failure = g_strdup_printf ("fault %u (silence): the element "
              "did not notice the silence in %u ms", d->total + 1,
              CLIENT_LIVENESS_MS + WAIT_MS);
          goto out;
        }
        took = g_get_monotonic_time () - start;
        d->silence_detect_sum += took;
        d->silence_detect_max = MAX (d->silence_detect_max, took);
        tcp_proxy_set_mode (d->proxy, TCP_PROXY_MODE_PASS);
        loss = TRUE;
        break;
      }
      default:
        g_assert_not_reached ();
    }
    d->faults[kind]++;
    d->total++;
    /* what the element had reported when the fault began, and what the
     * fault was: printed when the counts disagree */
    g_string_append_printf (d->history, " %u:%s%s@%u", d->total,
        fault_names[kind], loss ? "+loss" : "", before);
    if (!loss)
      continue;
    d->lossy++;
    /* back before the next fault, well within the reconnection window */
    if (!fixture_collector_wait (d->events, FIXTURE_EVENT_RECONNECTED, NULL,
            NULL, d->lossy, WAIT_MS)) {
      d->failure =
          g_strdup_printf ("fault %u (%s): no session-reconnected "
          "within %d ms (reconnecting %u, reconnected %u, lossy faults %u)",
          d->total, fault_names[kind], WAIT_MS,
          fixture_collector_count (d->events, FIXTURE_EVENT_RECONNECTING, NULL,
              NULL), fixture_collector_count (d->events,
              FIXTURE_EVENT_RECONNECTED, NULL, NULL), d->lossy);
      goto out;
    }
  }

out:
  tcp_proxy_set_mode (d->proxy, TCP_PROXY_MODE_PASS);
  g_mutex_lock (&d->soak->lock);
  d->soak->driver_done = TRUE;
  g_mutex_unlock (&d->soak->lock);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Soak: the bus and the src pad                                            */

typedef struct
{
  guint errors;
  guint reconnecting;
  guint reconnected;
  guint disconnected;
  guint signals;                /* opentok-signal */
  guint lines_ok;
  guint lines_failed;
  guint sent_other;             /* opentok-signal-sent of another origin */
  guint buffers;                /* on the src pad */
} BusFigures;

static void
soak_handle_message (Soak * soak, GstMessage * message, BusFigures * bus)
{
  const GstStructure *s;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (message, &error, &debug);
    g_printerr ("soak: unexpected error message: %s (%s)\n", error->message,
        GST_STR_NULL (debug));
    g_error_free (error);
    g_free (debug);
    bus->errors++;
    return;
  }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT)
    return;
  s = gst_message_get_structure (message);
  if (gst_structure_has_name (s, "opentok-signal")) {
    bus->signals++;
  } else if (gst_structure_has_name (s, "opentok-session-reconnecting")) {
    bus->reconnecting++;
  } else if (gst_structure_has_name (s, "opentok-session-reconnected")) {
    bus->reconnected++;
  } else if (gst_structure_has_name (s, "opentok-session-disconnected")) {
    bus->disconnected++;
  } else if (gst_structure_has_name (s, "opentok-signal-sent")) {
    const GstStructure *signal = NULL;
    const gchar *data = NULL;
    guint64 index = G_MAXUINT64;
    gint code = 0;

    if (g_strcmp0 (gst_structure_get_string (s, "origin"), "buffer") != 0) {
      bus->sent_other++;
      return;
    }
    if (gst_structure_has_field_typed (s, "signal", GST_TYPE_STRUCTURE))
      signal = gst_value_get_structure (gst_structure_get_value (s, "signal"));
    if (signal != NULL)
      data = gst_structure_get_string (signal, "data");
    if (data != NULL && g_str_has_prefix (data, "b2p-line-"))
      g_ascii_string_to_unsigned (data + strlen ("b2p-line-"), 10, 0,
          soak->n - 1, &index, NULL);
    if (gst_structure_has_field (s, "code")) {
      if (!gst_structure_get_int (s, "code", &code) || code == 0)
        code = -1;
      bus->lines_failed++;
    } else {
      bus->lines_ok++;
    }
    if (index != G_MAXUINT64)
      soak_complete_b2p (soak, index, code);
    else
      bus->sent_other++;
  }
}

/* Handles what waits on the bus, waiting at most @timeout_us for the first
 * message, and takes what arrived on the src pad. */
static void
soak_drain (Soak * soak, GstHarness * h, GstBus * bus_object,
    BusFigures * bus, gint64 timeout_us)
{
  GstMessage *message;
  GstBuffer *buffer;

  message = gst_bus_timed_pop (bus_object, MAX (timeout_us, 0) * GST_USECOND);
  while (message != NULL) {
    soak_handle_message (soak, message, bus);
    gst_message_unref (message);
    message = gst_bus_pop (bus_object);
  }
  while ((buffer = gst_harness_try_pull (h)) != NULL) {
    bus->buffers++;
    gst_buffer_unref (buffer);
  }
}

/* ------------------------------------------------------------------------ */
/* Soak: the test                                                           */

/* Whether one of the element's losses was reported between @from and
 * @to: a signal given then was in flight at a fault. */
static gboolean
loss_between (FixtureCollector * events, gint64 from, gint64 to)
{
  const GstStructure *lost;
  gboolean found = FALSE;
  guint i;

  for (i = 0; !found && (lost = fixture_collector_nth (events,
              FIXTURE_EVENT_RECONNECTING, i)) != NULL; i++) {
    gint64 t = fixture_event_int64 (lost, "time");

    found = t >= from && t <= to;
  }
  return found;
}

/* Whether @t falls between a loss and its recovery. */
static gboolean
while_reconnecting (FixtureCollector * events, gint64 t)
{
  const GstStructure *lost, *back;
  gboolean found = FALSE;
  guint i;

  for (i = 0; !found && (lost = fixture_collector_nth (events,
              FIXTURE_EVENT_RECONNECTING, i)) != NULL; i++) {
    back = fixture_collector_nth (events, FIXTURE_EVENT_RECONNECTED, i);
    found = t >= fixture_event_int64 (lost, "time") &&
        (back == NULL || t <= fixture_event_int64 (back, "time"));
  }
  return found;
}

GST_START_TEST (test_soak_cuts_stalls_blackholes)
{
  guint n = soak_n_signals (), rate = soak_rate ();
  guint32 seed = soak_seed ();
  GRand *kinds = g_rand_new_with_seed (seed);
  Soak soak;
  Driver driver;
  BusFigures bus;
  GThread *thread;
  GstElement *element;
  GstPromise **promises;
  FixturePeer *peer;
  FixtureBin *bin;
  TcpProxy *proxy;
  gchar *url;
  guint i, sent_kind[3] = { 0, 0, 0 };
  guint no_retry_ok = 0, no_retry_refused = 0, no_retry_lost = 0;
  guint no_retry_delivered = 0, expected_at_peer;
  guint lines_pushed = 0;
  gint64 start, sending_end, end;
  GstState state = GST_STATE_VOID_PENDING;
  GstPromise *marker;
  FixtureSend *peer_marker;
  gdouble took;

  memset (&soak, 0, sizeof (soak));
  memset (&driver, 0, sizeof (driver));
  memset (&bus, 0, sizeof (bus));
  g_print ("soak: seed %u (GST_OPENTOK_SOAK_SEED), %u signals each way "
      "(GST_OPENTOK_SOAK_SIGNALS) at %u/s (GST_OPENTOK_SOAK_RATE)\n", seed, n,
      rate);

  soak.n = n;
  g_mutex_init (&soak.lock);
  g_cond_init (&soak.cond);
  soak.b2p = g_new0 (Outgoing, n);
  soak.p2b_codes = g_new (gint, n);
  soak.at_peer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  soak.at_bin = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (i = 0; i < n; i++) {
    soak.b2p[i].soak = &soak;
    soak.b2p[i].index = i;
    soak.b2p[i].code = -1;
    soak.p2b_codes[i] = -1;
  }
  promises = g_new0 (GstPromise *, n);

  /* the peer, directly; the element through the proxy */
  peer = peer_new (in_process->url, in_process->session_id, 0);
  soak.peer_id = peer->id;
  g_object_set_data (G_OBJECT (peer->client), "soak", &soak);
  g_signal_connect (peer->client, "signal-received",
      G_CALLBACK (on_soak_peer_signal), &soak);
  proxy = tcp_proxy_new ("127.0.0.1",
      gst_opentok_server_get_port (in_process->server));
  fail_unless (proxy != NULL);
  url = tcp_proxy_get_url (proxy, "http");
  element = signalbin_new (url, in_process->session_id);
  g_free (url);
  g_object_set (element, "signal-type", "line", "signal-to", peer->id, NULL);
  g_signal_connect (element, "signal-received",
      G_CALLBACK (on_soak_bin_signal), &soak);
  bin = bin_start (element);
  g_mutex_lock (&soak.lock);
  soak.bin_id = bin->id;
  g_mutex_unlock (&soak.lock);

  driver.soak = &soak;
  driver.events = bin->events;
  driver.proxy = proxy;
  driver.rand = g_rand_new_with_seed (seed ^ 0x5a5a5a5a);
  driver.min_faults = SOAK_MIN_FAULTS;
  driver.history = g_string_new (NULL);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("fault-driver", driver_thread, &driver);

  /* both ways at a steady pace, whatever the faults do */
  i = 0;
  while (i < n) {
    gint64 now = g_get_monotonic_time ();
    guint due = MIN (n, (guint) ((now - start) * rate / G_USEC_PER_SEC) + 1);

    for (; i < due; i++) {
      guint draw = g_rand_int_range (kinds, 0, 100);
      SendKind kind = draw < SOAK_LINE_PERCENT ? SEND_LINE :
          draw < SOAK_LINE_PERCENT + SOAK_NO_RETRY_PERCENT ? SEND_NO_RETRY :
          SEND_RETRY;
      gchar *data = b2p_data (kind, i);
      GstOpenTokSignal *signal;

      soak.b2p[i].kind = kind;
      soak.b2p[i].sent_at = g_get_monotonic_time ();
      sent_kind[kind]++;
      if (kind == SEND_LINE) {
        gchar *line = g_strdup_printf ("%s\n", data);

        /* may block while 256 signals are in flight */
        fail_unless_equals_int (gst_harness_push (bin->h,
                fixture_text_buffer (line)), GST_FLOW_OK);
        lines_pushed++;
        g_free (line);
      } else {
        GstStructure *s = fixture_signal_structure ("action", data, peer->id,
            kind == SEND_RETRY);

        promises[i] = gst_promise_new_with_change_func (on_soak_b2p_reply,
            &soak.b2p[i], NULL);
        g_signal_emit_by_name (element, "send-signal", s, promises[i]);
        gst_structure_free (s);
      }
      g_free (data);

      data = p2b_data (i);
      signal = gst_opentok_signal_new ("peer", data);
      gst_opentok_signal_set_to (signal, bin->id);
      gst_opentok_signal_set_retry_after_reconnect (signal, TRUE);
      gst_opentok_client_send_signal_full (peer->client, signal,
          on_soak_p2b_done, GUINT_TO_POINTER (i), NULL);
      gst_opentok_signal_unref (signal);
      g_free (data);
    }
    /* the bus and the src pad, until the next signal is due */
    soak_drain (&soak, bin->h, bin->bus, &bus,
        start + (gint64) i * G_USEC_PER_SEC / rate - g_get_monotonic_time ());
  }
  sending_end = g_get_monotonic_time ();
  g_mutex_lock (&soak.lock);
  soak.sending_done = TRUE;
  g_cond_broadcast (&soak.cond);
  g_mutex_unlock (&soak.lock);

  /* the last faults (if the minimum was not reached yet); the bus is
   * drained meanwhile */
  while (TRUE) {
    gboolean done;

    g_mutex_lock (&soak.lock);
    done = soak.driver_done;
    g_mutex_unlock (&soak.lock);
    if (done)
      break;
    soak_drain (&soak, bin->h, bin->bus, &bus, 100 * G_TIME_SPAN_MILLISECOND);
  }
  g_thread_join (thread);
  fail_unless (driver.failure == NULL, "%s", driver.failure);
  fail_unless (driver.total >= driver.min_faults);

  /* every signal completes, each way */
  end = g_get_monotonic_time () + 4 * WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < end) {
    gboolean all;

    g_mutex_lock (&soak.lock);
    all = soak.b2p_completed >= n && soak.p2b_completed >= n;
    g_mutex_unlock (&soak.lock);
    if (all)
      break;
    soak_drain (&soak, bin->h, bin->bus, &bus, 100 * G_TIME_SPAN_MILLISECOND);
  }
  fail_unless (soak_wait_completed (&soak, &soak.b2p_completed, n, 0),
      "%u of signalbin's %u signals completed", soak.b2p_completed, n);
  fail_unless (soak_wait_completed (&soak, &soak.p2b_completed, n, 0),
      "%u of the peer's %u signals completed", soak.p2b_completed, n);

  /* a last signal each way: what was sent before it came before it, so a
   * late copy would be there by now */
  marker = bin_send (bin, "marker-bin", peer->id, TRUE, NULL);
  fail_unless_equals_int (gst_promise_wait (marker),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (marker)),
      0);
  gst_promise_unref (marker);
  fail_unless (soak_wait_data (&soak, soak.at_peer, "marker-bin",
          WAIT_MS), "the peer did not get the last signal");
  peer_marker = fixture_peer_send (peer, "check", "marker-peer", bin->id, TRUE);
  fail_unless_equals_int (fixture_send_wait (peer_marker, WAIT_MS), 0);
  fail_unless (soak_wait_data (&soak, soak.at_bin, "marker-peer",
          WAIT_MS), "the element did not get the last signal");
  /* the bus and the src pad catch up with the GObject signals */
  end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while ((bus.signals < n + 1 || bus.buffers < n + 1) &&
      g_get_monotonic_time () < end)
    soak_drain (&soak, bin->h, bin->bus, &bus, 100 * G_TIME_SPAN_MILLISECOND);
  soak_drain (&soak, bin->h, bin->bus, &bus, 0);

  /* signalbin -> peer: exactly once, or refused with 500 */
  for (i = 0; i < n; i++) {
    Outgoing *out = &soak.b2p[i];
    gchar *data = b2p_data (out->kind, i);
    guint got = soak_lookup (&soak, soak.at_peer, data);

    switch (out->kind) {
      case SEND_LINE:
      case SEND_RETRY:
        fail_unless (out->code == 0, "%s completed with %d", data, out->code);
        fail_unless (got == 1, "%s arrived %u times", data, got);
        break;
      case SEND_NO_RETRY:
        if (out->code == 0) {
          fail_unless (got == 1, "%s was accepted and arrived %u times", data,
              got);
          no_retry_ok++;
        } else {
          fail_unless (out->code == 500, "%s refused with %d", data, out->code);
          fail_unless (got <= 1, "%s was refused and arrived %u times", data,
              got);
          if (got == 1) {
            /* the signal went out before the loss, its answer did not
             * come back: allowed only for a signal in flight at a fault */
            fail_unless (loss_between (bin->events, out->sent_at,
                    out->completed_at), "%s was refused with 500 and "
                "delivered, but no loss was reported while it was in "
                "flight", data);
            no_retry_delivered++;
          } else if (while_reconnecting (bin->events, out->sent_at)) {
            no_retry_refused++;
          } else {
            no_retry_lost++;
          }
        }
        break;
    }
    g_free (data);
  }
  /* peer -> signalbin: every one accepted and arrived once */
  for (i = 0; i < n; i++) {
    gchar *data = p2b_data (i);
    guint got = soak_lookup (&soak, soak.at_bin, data);

    fail_unless (soak.p2b_codes[i] == 0, "%s completed with %d", data,
        soak.p2b_codes[i]);
    fail_unless (got == 1, "%s arrived %u times", data, got);
    g_free (data);
  }
  expected_at_peer = sent_kind[SEND_LINE] + sent_kind[SEND_RETRY] +
      no_retry_ok + no_retry_delivered + 1;
  took = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;

  g_print ("soak: %.1f s (sending %.1f s); faults %u (%u under traffic): "
      "%u cut, %u stall, %u stall-up, %u stall-down (stalls without loss "
      "%u), %u silence (noticed after %.2f s on average, %.2f s at most); "
      "faults with a loss %u\n", took,
      (sending_end - start) / (gdouble) G_USEC_PER_SEC, driver.total,
      driver.during_sending, driver.faults[FAULT_CUT],
      driver.faults[FAULT_STALL], driver.faults[FAULT_STALL_UP],
      driver.faults[FAULT_STALL_DOWN], driver.stalls_without_loss,
      driver.faults[FAULT_SILENCE],
      driver.faults[FAULT_SILENCE] ? driver.silence_detect_sum /
      (gdouble) driver.faults[FAULT_SILENCE] / G_USEC_PER_SEC : 0.0,
      driver.silence_detect_max / (gdouble) G_USEC_PER_SEC, driver.lossy);
  g_print ("soak: session-reconnecting %u (bus %u), session-reconnected %u "
      "(bus %u), session-disconnected %u, errors %u\n",
      fixture_collector_count (bin->events, FIXTURE_EVENT_RECONNECTING, NULL,
          NULL), bus.reconnecting, fixture_collector_count (bin->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), bus.reconnected,
      fixture_collector_count (bin->events, FIXTURE_EVENT_DISCONNECTED, NULL,
          NULL), bus.errors);
  g_print ("soak: signalbin -> peer: %u sent (%u retry, %u sink lines, %u "
      "no-retry), %u received; no-retry: %u accepted, %u refused with 500 "
      "(%u while reconnecting, %u in flight at a fault and lost, %u in "
      "flight and delivered anyway)\n", n, sent_kind[SEND_RETRY],
      sent_kind[SEND_LINE], sent_kind[SEND_NO_RETRY], soak.at_peer_total - 1,
      no_retry_ok, no_retry_refused + no_retry_lost + no_retry_delivered,
      no_retry_refused, no_retry_lost, no_retry_delivered);
  g_print ("soak: peer -> signalbin: %u sent, %u received (%u bus messages, "
      "%u src buffers)\n", n, soak.at_bin_total - 1, bus.signals, bus.buffers);

  /* nothing else arrived, from nobody else */
  fail_unless_equals_int (soak.at_peer_total, expected_at_peer);
  fail_unless_equals_int (soak.at_bin_total, n + 1);
  fail_unless_equals_int (soak.wrong_sender, 0);
  fail_unless_equals_int (bus.signals, n + 1);
  fail_unless_equals_int (bus.buffers, n + 1);
  fail_unless_equals_int (bus.lines_ok, lines_pushed);
  fail_unless_equals_int (bus.lines_failed, 0);
  fail_unless_equals_int (bus.sent_other, 0);
  /* one reconnection per fault that cost the socket, and nothing else */
  if (fixture_collector_count (bin->events, FIXTURE_EVENT_RECONNECTING, NULL,
          NULL) != driver.lossy)
    g_print ("soak: faults (number:kind[+loss]@reconnections before):%s\n",
        driver.history->str);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_RECONNECTING, NULL, NULL), driver.lossy);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), driver.lossy);
  fail_unless_equals_int (bus.reconnecting, driver.lossy);
  fail_unless_equals_int (bus.reconnected, driver.lossy);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_DISCONNECTED, NULL, NULL), 0);
  fail_unless_equals_int (bus.disconnected, 0);
  fail_unless_equals_int (bus.errors, 0);
  fail_unless_equals_int (fixture_collector_count (peer->events,
          FIXTURE_EVENT_RECONNECTING, NULL, NULL), 0);
  /* the faults did hit: those made under traffic nearly always cost the
   * socket (a stall does not when no byte tried to pass) */
  fail_unless (driver.lossy > 0 && driver.lossy >= driver.during_sending *
      3 / 4, "only %u of %u faults cost the element its socket (%u under "
      "traffic)", driver.lossy, driver.total, driver.during_sending);
  fail_unless_equals_int (gst_element_get_state (element, &state, NULL, 0),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PLAYING);

  for (i = 0; i < n; i++)
    if (promises[i] != NULL)
      gst_promise_unref (promises[i]);
  g_free (promises);
  g_signal_handlers_disconnect_by_data (element, &soak);
  g_signal_handlers_disconnect_by_data (peer->client, &soak);
  bin_stop (bin);
  tcp_proxy_free (proxy);
  peer_stop (peer);
  g_rand_free (driver.rand);
  g_string_free (driver.history, TRUE);
  g_rand_free (kinds);
  g_hash_table_unref (soak.at_peer);
  g_hash_table_unref (soak.at_bin);
  g_free (soak.b2p);
  g_free (soak.p2b_codes);
  g_mutex_clear (&soak.lock);
  g_cond_clear (&soak.cond);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* The server as a process                                                  */

typedef struct
{
  GSubprocess *process;
  guint16 port;
  gchar *url;
  gchar *session_id;
} ServerProcess;

#ifdef __linux__
/* in the child, before exec: a test that dies takes its server along */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}
#endif

static guint16
free_port (void)
{
  GSocketListener *listener = g_socket_listener_new ();
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  g_object_unref (listener);
  fail_unless (port != 0);
  return port;
}

typedef struct
{
  gboolean done;
  gchar *line;
} LineRead;

static void
on_line (GObject * source, GAsyncResult * result, gpointer data)
{
  LineRead *r = data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM
      (source), result, NULL, NULL);
  r->done = TRUE;
}

/* Runs the server on @port (0 for a free one) and reads its banner: the
 * session it made. The token it prints is never echoed. */
static ServerProcess *
server_process_start (guint16 port)
{
  const gchar *exe = g_getenv ("GST_OPENTOK_SERVER_EXE");
  ServerProcess *srv = g_new0 (ServerProcess, 1);
  GSubprocessLauncher *launcher;
  GDataInputStream *out;
  GCancellable *cancellable = g_cancellable_new ();
  GMainContext *context = g_main_context_new ();
  GError *error = NULL;
  gchar *port_text;
  gboolean ready = FALSE;
  gint64 end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  fail_unless (exe != NULL && g_file_test (exe, G_FILE_TEST_IS_EXECUTABLE),
      "GST_OPENTOK_SERVER_EXE must name the built gst-opentok-server (meson "
      "test sets it)");
  srv->port = port ? port : free_port ();
  port_text = g_strdup_printf ("%u", srv->port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif
  srv->process = g_subprocess_launcher_spawn (launcher, &error, exe,
      "--host", "127.0.0.1", "--port", port_text, "--api-key", API_KEY,
      "--api-secret", API_SECRET, NULL);
  g_object_unref (launcher);
  g_free (port_text);
  fail_unless (srv->process != NULL, "could not run %s: %s", exe,
      error ? error->message : "?");

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (srv->process));
  g_main_context_push_thread_default (context);
  while (!ready && g_get_monotonic_time () < end) {
    LineRead r = { FALSE, NULL };

    g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, cancellable,
        on_line, &r);
    fixture_wait_flag (context, &r.done,
        MAX (1, (end - g_get_monotonic_time ()) / 1000));
    if (!r.done) {
      g_cancellable_cancel (cancellable);
      while (!r.done)
        g_main_context_iteration (context, TRUE);
    }
    if (r.line == NULL) {
      g_free (r.line);
      break;
    }
    if (g_str_has_prefix (r.line, "session id:"))
      srv->session_id = g_strdup (g_strstrip (r.line + strlen ("session id:")));
    /* the token comes last */
    if (g_str_has_prefix (r.line, "token:"))
      ready = TRUE;
    g_free (r.line);
  }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_object_unref (cancellable);
  g_object_unref (out);
  fail_unless (ready && srv->session_id != NULL,
      "the server on port %u did not print its banner in time", srv->port);
  srv->url = g_strdup_printf ("http://127.0.0.1:%u", srv->port);
  return srv;
}

static void
server_process_free (ServerProcess * srv)
{
  if (srv == NULL)
    return;
  g_object_unref (srv->process);
  g_free (srv->url);
  g_free (srv->session_id);
  g_free (srv);
}

static void
server_process_kill (ServerProcess * srv)
{
  GError *error = NULL;

  g_subprocess_force_exit (srv->process);
  fail_unless (g_subprocess_wait (srv->process, NULL, &error), "%s",
      error ? error->message : "?");
  fail_unless (g_subprocess_get_if_signaled (srv->process));
  fail_unless_equals_int (g_subprocess_get_term_sig (srv->process), SIGKILL);
}

static void
on_process_exited (GObject * source, GAsyncResult * result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* SIGTERM, and the server must exit 0 in time. */
static void
server_process_stop (ServerProcess * srv)
{
  GMainContext *context = g_main_context_new ();
  gboolean exited = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (srv->process, NULL, on_process_exited, &exited);
  g_subprocess_send_signal (srv->process, SIGTERM);
  fixture_wait_flag (context, &exited, WAIT_MS);
  if (!exited) {
    g_subprocess_force_exit (srv->process);
    while (!exited)
      g_main_context_iteration (context, TRUE);
  }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  fail_unless (g_subprocess_get_if_exited (srv->process),
      "the server did not exit on SIGTERM");
  fail_unless_equals_int (g_subprocess_get_exit_status (srv->process), 0);
}

/* ------------------------------------------------------------------------ */
/* Killed servers                                                           */

/* Pops messages, keeping them in @seen, until one matches @type (and for
 * element messages @name); returns it (owned by @seen) or NULL at the
 * deadline. */
static GstMessage *
bus_find (GstBus * bus, GPtrArray * seen, GstMessageType type,
    const gchar * name, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint i = 0;

  while (TRUE) {
    GstMessage *message;
    gint64 left;

    for (; i < seen->len; i++) {
      message = g_ptr_array_index (seen, i);
      if (GST_MESSAGE_TYPE (message) == type && (name == NULL ||
              gst_message_has_name (message, name)))
        return message;
    }
    left = MAX (end - g_get_monotonic_time (), 0);
    message = gst_bus_timed_pop (bus, left * GST_USECOND);
    if (message == NULL)
      return NULL;
    g_ptr_array_add (seen, message);
  }
}

static guint
bus_count (GPtrArray * seen, GstMessageType type, const gchar * name)
{
  guint i, n = 0;

  for (i = 0; i < seen->len; i++) {
    GstMessage *message = g_ptr_array_index (seen, i);

    if (GST_MESSAGE_TYPE (message) == type && (name == NULL ||
            gst_message_has_name (message, name)))
      n++;
  }
  return n;
}

/* The client behind @events gave the session up, once, with
 * networkDisconnected and GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED
 * (1022), for the reason @why (a part of the error's message); returns the
 * event. */
static const GstStructure *
expect_lost (FixtureCollector * events, const gchar * who, const gchar * why,
    guint timeout_ms)
{
  const GstStructure *event;
  const GError *error;

  fail_unless (fixture_collector_wait (events, FIXTURE_EVENT_DISCONNECTED,
          NULL, NULL, 1, timeout_ms), "%s did not give the session up in %u "
      "ms", who, timeout_ms);
  fail_unless_equals_int (fixture_collector_count (events,
          FIXTURE_EVENT_DISCONNECTED, NULL, NULL), 1);
  event = fixture_collector_find (events, FIXTURE_EVENT_DISCONNECTED, NULL,
      NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "reason"),
      "networkDisconnected");
  error = fixture_event_error (event);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_CLIENT_ERROR);
  fail_unless_equals_int (error->code,
      GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED);
  fail_unless (strstr (error->message, why) != NULL,
      "%s gave up for another reason than \"%s\": %s", who, why,
      error->message);
  return event;
}

/* The element posted one error, in RESOURCE READ with opentok-code 1022,
 * and went out of the session with networkDisconnected for @why. */
static const GstStructure *
expect_bin_lost_1022 (FixtureBin * bin, GPtrArray * seen, const gchar * why,
    guint timeout_ms)
{
  const GstStructure *details = NULL, *event;
  GstMessage *message;
  GError *error = NULL;
  gint code = 0;

  message = bus_find (bin->bus, seen, GST_MESSAGE_ERROR, NULL, timeout_ms);
  fail_unless (message != NULL, "signalbin posted no error in %u ms",
      timeout_ms);
  fail_unless (GST_MESSAGE_SRC (message) == GST_OBJECT (bin->element));
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR, "domain %s",
      g_quark_to_string (error->domain));
  fail_unless_equals_int (error->code, GST_RESOURCE_ERROR_READ);
  g_error_free (error);
  gst_message_parse_error_details (message, &details);
  fail_unless (details != NULL, "no details on the error");
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, 1022);

  event = expect_lost (bin->events, "signalbin", why, 1000);
  message = bus_find (bin->bus, seen, GST_MESSAGE_ELEMENT,
      "opentok-session-disconnected", 1000);
  fail_unless (message != NULL);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (message), "reason"), "networkDisconnected");
  return event;
}

static const GstStructure *
expect_peer_lost_1022 (FixturePeer * peer, const gchar * why, guint timeout_ms)
{
  const GstStructure *event = expect_lost (peer->events, "the peer", why,
      timeout_ms);

  fail_unless_equals_int (gst_opentok_client_get_state (peer->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  return event;
}

/* What waits while the server is gone. */
typedef struct
{
  GstPromise *retry;            /* an action signal that may wait */
  gint retry_replied;
  FixtureSend *peer_retry;      /* the peer's, which may wait */
} Pending;

static void
pending_start (Pending * p, FixtureBin * bin, FixturePeer * peer,
    GPtrArray * seen)
{
  GstPromise *no_retry;
  GstMessage *message;
  gint code = 0;

  p->retry_replied = 0;
  p->retry = bin_send (bin, "waits", peer->id, TRUE, &p->retry_replied);
  p->peer_retry = fixture_peer_send (peer, "check", "waits-too", bin->id, TRUE);
  fail_unless_equals_int (gst_harness_push (bin->h,
          fixture_text_buffer ("a line that waits\n")), GST_FLOW_OK);

  /* one that may not wait fails at once */
  no_retry = bin_send (bin, "impatient", peer->id, FALSE, NULL);
  fail_unless_equals_int (gst_promise_wait (no_retry),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (no_retry)),
      500);
  gst_promise_unref (no_retry);

  /* the others wait */
  fail_if (g_atomic_int_get (&p->retry_replied), "the action did not wait");
  fail_if (fixture_send_done (p->peer_retry), "the peer's signal did not wait");
  message = bus_find (bin->bus, seen, GST_MESSAGE_ELEMENT,
      "opentok-signal-sent", 0);
  if (message != NULL)
    gst_structure_get_int (gst_message_get_structure (message), "code", &code);
  fail_unless (message == NULL, "the line did not wait (code %d)", code);
}

/* Everything that waited failed with 500. */
static void
pending_expect_500 (Pending * p, FixtureBin * bin, GPtrArray * seen)
{
  GstMessage *message;
  const GstStructure *s;
  gint code = 0;

  fail_unless_equals_int (gst_promise_wait (p->retry),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (p->retry)),
      500);
  fail_unless_equals_int (fixture_send_wait (p->peer_retry, WAIT_MS), 500);
  message = bus_find (bin->bus, seen, GST_MESSAGE_ELEMENT,
      "opentok-signal-sent", WAIT_MS);
  fail_unless (message != NULL, "the line never completed");
  s = gst_message_get_structure (message);
  fail_unless_equals_string (gst_structure_get_string (s, "origin"), "buffer");
  fail_unless (gst_structure_get_int (s, "code", &code));
  fail_unless_equals_int (code, 500);
  gst_promise_unref (p->retry);
}

/* Both clients in the session hear each other. */
static void
round_trip (FixtureBin * bin, FixturePeer * peer, GPtrArray * seen)
{
  GstPromise *promise = bin_send (bin, "hello-peer", peer->id, TRUE, NULL);
  FixtureSend *s =
      fixture_peer_send (peer, "check", "hello-bin", bin->id, TRUE);

  fail_unless_equals_int (gst_promise_wait (promise),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (promise)),
      0);
  gst_promise_unref (promise);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_unless (bus_find (bin->bus, seen, GST_MESSAGE_ELEMENT,
          "opentok-signal", WAIT_MS) != NULL,
      "the element did not get the peer's signal");
}

static gdouble
seconds_between (gint64 from, gint64 to)
{
  return (to - from) / (gdouble) G_USEC_PER_SEC;
}

GST_START_TEST (test_server_killed_and_restarted)
{
  ServerProcess *srv = server_process_start (0), *again;
  GPtrArray *seen = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_message_unref);
  Pending pending;
  const GstStructure *bin_event, *peer_event;
  FixturePeer *peer;
  FixtureBin *bin;
  gint64 killed, restarted, bin_lost, peer_lost;
  gdouble bin_teardown, peer_teardown;

  peer = peer_new (srv->url, srv->session_id, 0);
  bin = bin_start (signalbin_new (srv->url, srv->session_id));
  round_trip (bin, peer, seen);

  /* the server dies: both clients notice and keep trying */
  killed = g_get_monotonic_time ();
  server_process_kill (srv);
  fail_unless (fixture_collector_wait (bin->events, FIXTURE_EVENT_RECONNECTING,
          NULL, NULL, 1, WAIT_MS), "signalbin did not report the loss");
  fail_unless (fixture_collector_wait (peer->events, FIXTURE_EVENT_RECONNECTING,
          NULL, NULL, 1, WAIT_MS), "the peer did not report the loss");
  fail_unless (bus_find (bin->bus, seen, GST_MESSAGE_ELEMENT,
          "opentok-session-reconnecting", WAIT_MS) != NULL);
  pending_start (&pending, bin, peer, seen);

  /* back on the same port, without the sessions: the reconnections are
   * refused (1011, unknown socketId) and the clients give up then, after
   * the restart, for that refusal: not for their 30 s window */
  restarted = g_get_monotonic_time ();
  again = server_process_start (srv->port);
  bin_event = expect_bin_lost_1022 (bin, seen, LOST_REFUSED, WAIT_MS);
  peer_event = expect_peer_lost_1022 (peer, LOST_REFUSED, WAIT_MS);
  pending_expect_500 (&pending, bin, seen);
  bin_lost = fixture_event_int64 (bin_event, "time");
  peer_lost = fixture_event_int64 (peer_event, "time");
  fail_unless (bin_lost >= restarted && peer_lost >= restarted);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), 0);
  fail_unless_equals_int (fixture_collector_count (peer->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), 0);
  fail_unless_equals_int (bus_count (seen, GST_MESSAGE_ERROR, NULL), 1);

  /* nothing hangs */
  bin_teardown = bin_stop (bin);
  peer_teardown = peer_stop (peer);
  g_print ("killed and restarted: restarted %.2f s after the kill; "
      "signalbin gave up (1022) %.2f s after the restart, the peer %.2f s; "
      "teardown %.3f s (signalbin), %.3f s (peer)\n",
      seconds_between (killed, restarted),
      seconds_between (restarted, bin_lost),
      seconds_between (restarted, peer_lost), bin_teardown, peer_teardown);

  server_process_stop (again);
  server_process_free (again);
  server_process_free (srv);
  g_ptr_array_unref (seen);
}

GST_END_TEST;

#define SHORT_WINDOW_MS 2000

GST_START_TEST (test_server_killed_not_restarted)
{
  ServerProcess *srv = server_process_start (0);
  GPtrArray *seen = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_message_unref);
  Pending pending;
  const GstStructure *bin_event, *peer_event;
  GstOpenTokClientState state;
  FixturePeer *peer;
  FixtureBin *bin;
  gint64 killed;
  gdouble bin_after, peer_after, bin_teardown, peer_teardown;

  peer = peer_new (srv->url, srv->session_id, SHORT_WINDOW_MS);
  bin = bin_start (signalbin_new (srv->url, srv->session_id));
  round_trip (bin, peer, seen);

  killed = g_get_monotonic_time ();
  server_process_kill (srv);
  fail_unless (fixture_collector_wait (bin->events, FIXTURE_EVENT_RECONNECTING,
          NULL, NULL, 1, WAIT_MS), "signalbin did not report the loss");
  fail_unless (fixture_collector_wait (peer->events, FIXTURE_EVENT_RECONNECTING,
          NULL, NULL, 1, WAIT_MS), "the peer did not report the loss");
  pending_start (&pending, bin, peer, seen);

  /* nobody comes back: each gives up when its window ends, the peer
   * after its 2 s, signalbin after the 30 s it does not let one change;
   * so the peer first, while signalbin still tries */
  peer_event = expect_peer_lost_1022 (peer, LOST_WINDOW,
      SHORT_WINDOW_MS + WAIT_MS);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_DISCONNECTED, NULL, NULL), 0);
  g_object_get (bin->element, "state", &state, NULL);
  fail_unless_equals_int (state, GST_OPENTOK_CLIENT_STATE_RECONNECTING);
  bin_event = expect_bin_lost_1022 (bin, seen, LOST_WINDOW,
      CLIENT_RECONNECT_WINDOW_MS + WAIT_MS);
  peer_after = seconds_between (killed, fixture_event_int64 (peer_event,
          "time"));
  bin_after = seconds_between (killed, fixture_event_int64 (bin_event, "time"));
  pending_expect_500 (&pending, bin, seen);
  fail_unless_equals_int (fixture_collector_count (bin->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), 0);
  fail_unless_equals_int (fixture_collector_count (peer->events,
          FIXTURE_EVENT_RECONNECTED, NULL, NULL), 0);
  fail_unless_equals_int (bus_count (seen, GST_MESSAGE_ERROR, NULL), 1);

  bin_teardown = bin_stop (bin);
  peer_teardown = peer_stop (peer);
  g_print ("killed, not restarted: the peer gave up (1022) %.2f s after "
      "the kill (window %.1f s), signalbin %.2f s (window %.1f s); "
      "teardown %.3f s (signalbin), %.3f s (peer)\n", peer_after,
      SHORT_WINDOW_MS / 1000.0, bin_after,
      CLIENT_RECONNECT_WINDOW_MS / 1000.0, bin_teardown, peer_teardown);

  server_process_free (srv);
  g_ptr_array_unref (seen);
}

GST_END_TEST;

static Suite *
faults_suite (void)
{
  Suite *s = suite_create ("faults");
  TCase *soak = tcase_create ("soak");
  TCase *process = tcase_create ("killed-server");
  guint rate = soak_rate ();

  /* the sending time, the faults past it (up to 2 s more each without
   * traffic, since an idle client hears from the server again only when it
   * pings) and the checks, with room */
  tcase_set_timeout (soak, 120 + 2 * soak_n_signals () / rate +
      3 * SOAK_MIN_FAULTS);
  tcase_add_checked_fixture (soak, server_setup, server_teardown);
  tcase_add_test (soak, test_soak_cuts_stalls_blackholes);
  suite_add_tcase (s, soak);

  /* the not-restarted case waits for signalbin's 30 s window */
  tcase_set_timeout (process, 90);
  tcase_add_test (process, test_server_killed_and_restarted);
  tcase_add_test (process, test_server_killed_not_restarted);
  suite_add_tcase (s, process);
  return s;
}

GST_CHECK_MAIN (faults);
