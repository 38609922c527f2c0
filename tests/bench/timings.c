/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How long the timed behaviours of the client and the server take on this
 * machine, next to the durations they are configured with: the session-info
 * back-off, the liveness timeouts, the reconnection windows, the refill of
 * the server's signal rate, and disconnects. The check tests prove these behaviours by events and
 * ordering, never by the clock, since how long they take depends on the
 * machine's load; the durations are measured here instead, and only
 * printed. Not part of any test suite:
 *
 *   build/tests/bench/timings            (about 25 s)
 *   GST_CHECKS=timing_liveness build/tests/bench/timings
 *
 * Each case runs TIMING_RUNS times and prints one line: what, the
 * configured duration, and the measured ones. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/opentok/opentok.h>
/* internal API: it links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokserver-private.h>
#include <libsoup/soup.h>

#include "fixture.h"
#include "tcpproxy.h"

#define TIMING_RUNS 3

typedef struct
{
  GMainContext *context;
  FixtureServer *srv;
  TcpProxy *proxy;
  gchar *proxy_url;
  GString *line;
  gint64 start;
} Timing;

static Timing *
timing_new (const gchar * what, const gchar * first_property, ...)
{
  Timing *t = g_new0 (Timing, 1);
  va_list args;

  t->context = fixture_context_push ();
  va_start (args, first_property);
  t->srv = fixture_server_new_valist (first_property, args);
  va_end (args);
  t->proxy = tcp_proxy_new ("127.0.0.1",
      gst_opentok_server_get_port (t->srv->server));
  fail_unless (t->proxy != NULL);
  t->proxy_url = tcp_proxy_get_url (t->proxy, "http");
  t->line = g_string_new (what);
  return t;
}

static void
timing_start (Timing * t)
{
  t->start = g_get_monotonic_time ();
}

/* Adds the time since timing_start() to the line. */
static void
timing_stop (Timing * t)
{
  g_string_append_printf (t->line, " %.3f",
      (g_get_monotonic_time () - t->start) / (gdouble) G_USEC_PER_SEC);
}

static void
timing_free (Timing * t)
{
  g_print ("%s\n", t->line->str);
  g_string_free (t->line, TRUE);
  tcp_proxy_free (t->proxy);
  g_free (t->proxy_url);
  fixture_server_free (t->srv);
  fixture_context_pop (t->context);
  g_free (t);
}

static FixturePeer *
timing_peer (Timing * t, const gchar * name, gboolean via_proxy)
{
  return fixture_server_peer (t->srv, t->context, name,
      via_proxy ? t->proxy_url : NULL, name);
}

GST_START_TEST (timing_session_info_back_off)
{
  Timing *t = timing_new ("session info, 3 attempts at a refusing host "
      "(600 + 1200 ms apart), s:", NULL);
  guint i;

  tcp_proxy_set_mode (t->proxy, TCP_PROXY_MODE_REFUSE);
  for (i = 0; i < TIMING_RUNS; i++) {
    FixturePeer *p = timing_peer (t, "refused", TRUE);
    FixtureConnect c;

    timing_start (t);
    g_error_free (fixture_peer_connect_error (p, &c));
    timing_stop (t);
    fixture_peer_free (p);
  }
  timing_free (t);
}

GST_END_TEST;

/* A client through the proxy with @property set to @ms: how long from the
 * proxy switching to @mode (and cutting everything, unless it stalls)
 * until the client emits @event. */
static void
time_outage (const gchar * what, const gchar * property, guint ms,
    TcpProxyMode mode, const gchar * event)
{
  Timing *t = timing_new (what, NULL);
  guint i;

  for (i = 0; i < TIMING_RUNS; i++) {
    FixturePeer *p = timing_peer (t, "client", TRUE);

    g_object_set (p->client, property, ms, NULL);
    fixture_peer_connect (p);
    tcp_proxy_set_mode (t->proxy, mode);
    timing_start (t);
    if (mode == TCP_PROXY_MODE_REFUSE)
      tcp_proxy_cut_all (t->proxy);
    fail_unless (fixture_peer_wait (p, event, NULL, 1, FIXTURE_WAIT_MS));
    timing_stop (t);
    tcp_proxy_set_mode (t->proxy, TCP_PROXY_MODE_PASS);
    fixture_peer_free (p);
  }
  timing_free (t);
}

GST_START_TEST (timing_liveness)
{
  time_outage ("client liveness-timeout 1000 ms, a stall noticed after, s:",
      "liveness-timeout", 1000, TCP_PROXY_MODE_BLACKHOLE,
      FIXTURE_EVENT_RECONNECTING);
}

GST_END_TEST;

GST_START_TEST (timing_reconnect_window)
{
  time_outage ("client reconnect-window 1500 ms, given up after a cut, s:",
      "reconnect-window", 1500, TCP_PROXY_MODE_REFUSE,
      FIXTURE_EVENT_DISCONNECTED);
}

GST_END_TEST;

GST_START_TEST (timing_server_reconnect_window)
{
  Timing *t = timing_new ("server reconnect-window 500 ms, a lost member "
      "deleted after a cut, s:", "reconnect-window", 500, NULL);
  FixturePeer *observer = timing_peer (t, "observer", FALSE);
  guint i;

  fixture_peer_connect (observer);
  for (i = 0; i < TIMING_RUNS; i++) {
    FixturePeer *p = timing_peer (t, "lost", TRUE);

    fixture_peer_connect (p);
    fail_unless (fixture_peer_wait (observer, FIXTURE_EVENT_CREATED, p->id, 1,
            FIXTURE_WAIT_MS));
    tcp_proxy_set_mode (t->proxy, TCP_PROXY_MODE_REFUSE);
    timing_start (t);
    tcp_proxy_cut_all (t->proxy);
    fail_unless (fixture_peer_wait (observer, FIXTURE_EVENT_DESTROYED, p->id,
            1, FIXTURE_WAIT_MS));
    timing_stop (t);
    tcp_proxy_set_mode (t->proxy, TCP_PROXY_MODE_PASS);
    fixture_peer_free (p);
  }
  fixture_peer_free (observer);
  timing_free (t);
}

GST_END_TEST;

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Sends until the server accepts, asking every 10 ms. */
static void
send_until_accepted (Timing * t, FixturePeer * p)
{
  while (TRUE) {
    FixtureSend *s = fixture_peer_send (p, "chat", "x", NULL, TRUE);
    gint code = fixture_send_wait (s, FIXTURE_WAIT_MS);

    if (code == 0)
      return;
    fail_unless_equals_int (code, GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED);
    fixture_wait (t->context, never, NULL, 10);
  }
}

GST_START_TEST (timing_server_signal_rate)
{
  Timing *t = timing_new ("server signal-rate 1/s (burst 1), the next "
      "signal accepted after, s:", "signal-rate", 1.0, "signal-burst", 1,
      NULL);
  FixturePeer *p = timing_peer (t, "sender", FALSE);
  guint i;

  fixture_peer_connect (p);
  send_until_accepted (t, p);
  for (i = 0; i < TIMING_RUNS; i++) {
    timing_start (t);
    send_until_accepted (t, p);
    timing_stop (t);
  }
  fixture_peer_free (p);
  timing_free (t);
}

GST_END_TEST;

static void
on_ws_open (GObject * source, GAsyncResult * result, gpointer data)
{
  *(SoupWebsocketConnection **) data =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
      NULL);
}

static void
on_ws_closed (SoupWebsocketConnection * ws, gboolean * closed)
{
  *closed = TRUE;
}

GST_START_TEST (timing_server_liveness)
{
  Timing *t = timing_new ("server liveness-timeout 1000 ms, a silent socket "
      "closed (4010) after, s:", "liveness-timeout", 1000, NULL);
  SoupSession *session = soup_session_new_with_options ("proxy-resolver",
      NULL, NULL);
  gchar *url = g_strdup_printf ("ws://%s%s",
      t->srv->url + strlen ("http://"), GST_OPENTOK_SERVER_RUMOR_PATH);
  guint i;

  for (i = 0; i < TIMING_RUNS; i++) {
    SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);
    SoupWebsocketConnection *ws = NULL;
    GstOpenTokRumorFrame *frame;
    gboolean closed = FALSE;
    GBytes *bytes;
    gchar *id;

    soup_session_websocket_connect_async (session, msg, NULL, NULL,
        G_PRIORITY_DEFAULT, NULL, on_ws_open, &ws);
    g_object_unref (msg);
    while (ws == NULL)
      g_main_context_iteration (t->context, TRUE);
    /* CONNECT, then silence */
    frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_CONNECT);
    id = g_uuid_string_random ();
    gst_opentok_rumor_frame_set_header (frame, "uniqueId", id);
    bytes = gst_opentok_rumor_frame_serialize (frame, NULL);
    soup_websocket_connection_send_message (ws, SOUP_WEBSOCKET_DATA_BINARY,
        bytes);
    timing_start (t);
    g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), &closed);
    fail_unless (fixture_wait_flag (t->context, &closed, FIXTURE_WAIT_MS));
    timing_stop (t);
    fail_unless_equals_int (soup_websocket_connection_get_close_code (ws),
        4010);
    g_object_unref (ws);
    g_bytes_unref (bytes);
    gst_opentok_rumor_frame_unref (frame);
    g_free (id);
  }
  g_object_unref (session);
  g_free (url);
  timing_free (t);
}

GST_END_TEST;

static void
time_disconnect (Timing * t, FixturePeer * p)
{
  timing_start (t);
  fixture_peer_disconnect (p);
  timing_stop (t);
}

GST_START_TEST (timing_disconnect)
{
  /* made in the reverse order of their freeing, which pops their contexts */
  Timing *stalled = timing_new ("disconnect, the server out of reach "
      "(bounded at 1 s), s:", NULL);
  Timing *answered = timing_new ("disconnect, connected, s:", NULL);
  Timing *none = timing_new ("disconnect, without a socket (connect "
      "refused), s:", NULL);
  guint i;

  for (i = 0; i < TIMING_RUNS; i++) {
    FixturePeer *p = fixture_peer_new (none->context, "refused",
        none->srv->url, FIXTURE_API_KEY, none->srv->session_id,
        "not-a-token");
    FixtureConnect c;

    g_error_free (fixture_peer_connect_error (p, &c));
    time_disconnect (none, p);
    fixture_peer_free (p);

    p = timing_peer (answered, "leaver", FALSE);
    fixture_peer_connect (p);
    time_disconnect (answered, p);
    fixture_peer_free (p);

    p = timing_peer (stalled, "stalled", TRUE);
    fixture_peer_connect (p);
    tcp_proxy_set_mode (stalled->proxy, TCP_PROXY_MODE_BLACKHOLE);
    time_disconnect (stalled, p);
    tcp_proxy_set_mode (stalled->proxy, TCP_PROXY_MODE_PASS);
    fixture_peer_free (p);
  }
  timing_free (none);
  timing_free (answered);
  timing_free (stalled);
}

GST_END_TEST;

static Suite *
timings_suite (void)
{
  Suite *s = suite_create ("timings");
  TCase *tc = tcase_create ("timings");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, timing_session_info_back_off);
  tcase_add_test (tc, timing_liveness);
  tcase_add_test (tc, timing_reconnect_window);
  tcase_add_test (tc, timing_server_reconnect_window);
  tcase_add_test (tc, timing_server_liveness);
  tcase_add_test (tc, timing_server_signal_rate);
  tcase_add_test (tc, timing_disconnect);
  return s;
}

GST_CHECK_MAIN (timings);
