/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How to test an application that uses signalbin, with no cloud account:
 * the in-process GstOpenTokServer is the session, GstHarness drives the
 * element, and the server's own GObject signals show what the application
 * sent. docs/testing-applications.md walks through it. */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/opentok/opentok.h>

#define API_KEY "123456"
#define API_SECRET "0123456789abcdef0123456789abcdef01234567"

static GstOpenTokServer *server;
static gchar *session_id;

static void
setup (void)
{
  GError *error = NULL;

  server = gst_opentok_server_new (API_KEY, API_SECRET);
  /* loopback, on a free port */
  g_object_set (server, "host", "127.0.0.1", "port", 0, NULL);
  fail_unless (gst_opentok_server_start (server, &error), "%s",
      error ? error->message : "");
  session_id = gst_opentok_server_create_session (server);
}

static void
teardown (void)
{
  gst_opentok_server_stop (server);
  gst_clear_object (&server);
  g_clear_pointer (&session_id, g_free);
}

/* What the server relayed, seen from the server thread. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstOpenTokSignal *signal;
  gchar *joined;
  gchar *left;                  /* the reason */
} Seen;

static void
on_signal_received (GstOpenTokServer * srv, const gchar * session,
    GstOpenTokSignal * signal, Seen * seen)
{
  g_mutex_lock (&seen->lock);
  if (seen->signal == NULL)
    seen->signal = gst_opentok_signal_ref (signal);
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

static void
on_connection_created (GstOpenTokServer * srv, const gchar * session,
    GstOpenTokConnection * connection, Seen * seen)
{
  g_mutex_lock (&seen->lock);
  g_free (seen->joined);
  seen->joined = g_strdup (gst_opentok_connection_get_id (connection));
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

static void
on_connection_destroyed (GstOpenTokServer * srv, const gchar * session,
    GstOpenTokConnection * connection, const gchar * reason, Seen * seen)
{
  g_mutex_lock (&seen->lock);
  g_free (seen->left);
  seen->left = g_strdup (reason);
  g_cond_broadcast (&seen->cond);
  g_mutex_unlock (&seen->lock);
}

/* Waits, at most 10 s, until @what (one of @seen's fields) is set. */
static gboolean
seen_wait (Seen * seen, gpointer * what)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gboolean ok = TRUE;

  g_mutex_lock (&seen->lock);
  while (*what == NULL && ok)
    ok = g_cond_wait_until (&seen->cond, &seen->lock, end);
  g_mutex_unlock (&seen->lock);
  return *what != NULL;
}

GST_START_TEST (test_application_round_trip)
{
  Seen seen = { 0 };
  gchar *url = gst_opentok_server_get_url (server);
  gchar *token = gst_opentok_server_generate_token (server, session_id,
      GST_OPENTOK_ROLE_PUBLISHER, "my-app", NULL);
  gchar *description;
  GstOpenTokSignal *reply;
  GstHarness *h;
  GstBuffer *buffer;
  GstMapInfo map;

  g_mutex_init (&seen.lock);
  g_cond_init (&seen.cond);
  g_signal_connect (server, "signal-received::status",
      G_CALLBACK (on_signal_received), &seen);
  g_signal_connect (server, "connection-created",
      G_CALLBACK (on_connection_created), &seen);
  g_signal_connect (server, "connection-destroyed",
      G_CALLBACK (on_connection_destroyed), &seen);

  /* the element as the application makes it (its own broadcasts off the
   * src pad); the harness links both pads and sets it to PLAYING, which
   * joins the session */
  description = g_strdup_printf ("signalbin api-url=%s api-key=%s "
      "session-id=%s token=%s signal-type=status src-include-self=false",
      url, API_KEY, session_id, token);
  h = gst_harness_new_parse (description);
  g_free (description);
  gst_harness_set_src_caps_str (h, "text/x-raw, format=utf8");
  fail_unless (seen_wait (&seen, (gpointer *) & seen.joined),
      "the element did not join");

  /* what the application sends: a line on the sink pad */
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_memdup ("ready\n", 6)), GST_FLOW_OK);
  fail_unless (seen_wait (&seen, (gpointer *) & seen.signal),
      "the server saw no signal");
  fail_unless_equals_string (gst_opentok_signal_get_data (seen.signal),
      "ready");
  fail_unless_equals_string (gst_opentok_signal_get_from (seen.signal),
      seen.joined);

  /* what the application receives: the server signals the session (as the
   * REST API would), and the src pad carries it */
  reply = gst_opentok_signal_new ("command", "start");
  fail_unless (gst_opentok_server_send_signal (server, session_id, reply,
          NULL));
  gst_opentok_signal_unref (reply);
  buffer = gst_harness_pull (h);
  fail_unless (buffer != NULL);
  fail_unless (gst_buffer_map (buffer, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, 6);
  fail_unless (memcmp (map.data, "start\n", 6) == 0);
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);

  /* leaving: NULL leaves the session at once */
  gst_harness_teardown (h);
  fail_unless (seen_wait (&seen, (gpointer *) & seen.left));
  fail_unless_equals_string (seen.left, "clientDisconnected");

  g_signal_handlers_disconnect_by_data (server, &seen);
  gst_opentok_signal_unref (seen.signal);
  g_free (seen.joined);
  g_free (seen.left);
  g_mutex_clear (&seen.lock);
  g_cond_clear (&seen.cond);
  g_free (token);
  g_free (url);
}

GST_END_TEST;

static Suite *
app_suite (void)
{
  Suite *s = suite_create ("app");
  TCase *tc = tcase_create ("signaling");

  tcase_set_timeout (tc, 30);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_application_round_trip);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (app);
