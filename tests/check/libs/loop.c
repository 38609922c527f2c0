/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The owned-loop helper the client, the server and signalbin run on. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <gst/opentok/gstopentokloop.h>

typedef struct
{
  GThread *thread;              /* the loop's, seen from on_start */
  GMainContext *context;        /* its thread-default context */
  gint started;                 /* atomic */
  gint stopped;                 /* atomic */
  gint ran;                     /* atomic: invocations that ran */
  gint ran_at_stop;             /* what had run when on_stop came */
  gboolean fail_start;
  GstOpenTokLoop *loop;
} Fixture;

static gboolean
fixture_on_start (gpointer data, GError ** error)
{
  Fixture *f = data;

  g_atomic_int_inc (&f->started);
  f->thread = g_thread_self ();
  f->context = g_main_context_get_thread_default ();
  if (f->fail_start) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
        "no port");
    return FALSE;
  }
  return TRUE;
}

static void
fixture_on_stop (gpointer data)
{
  Fixture *f = data;

  g_assert_true (g_thread_self () == f->thread);
  f->ran_at_stop = g_atomic_int_get (&f->ran);
  g_atomic_int_inc (&f->stopped);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->loop = gst_opentok_loop_new ("test-loop", fixture_on_start,
      fixture_on_stop, f);
  return f;
}

static void
fixture_free (Fixture * f)
{
  gst_opentok_loop_free (f->loop);
  g_free (f);
}

static gboolean
count_run (gpointer data)
{
  Fixture *f = data;

  g_assert_true (g_thread_self () == f->thread);
  g_assert_true (g_main_context_get_thread_default () == f->context);
  g_atomic_int_inc (&f->ran);
  return G_SOURCE_CONTINUE;     /* ignored: each invocation runs once */
}

GST_START_TEST (test_start_invoke_stop)
{
  Fixture *f = fixture_new ();
  GError *error = NULL;
  guint i;

  fail_if (gst_opentok_loop_is_running (f->loop));
  fail_unless (gst_opentok_loop_start (f->loop, &error));
  g_assert_no_error (error);
  fail_unless (gst_opentok_loop_is_running (f->loop));
  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  fail_unless_equals_int (g_atomic_int_get (&f->started), 1);
  fail_if (gst_opentok_loop_is_current (f->loop));

  /* what is queued before the stop runs before on_stop, all of it */
  for (i = 0; i < 1000; i++)
    fail_unless (gst_opentok_loop_invoke (f->loop, count_run, f, NULL));
  gst_opentok_loop_stop (f->loop);
  fail_unless_equals_int (f->ran, 1000);
  fail_unless_equals_int (f->ran_at_stop, 1000);
  fail_unless_equals_int (f->stopped, 1);
  fail_if (gst_opentok_loop_is_running (f->loop));

  /* and it starts again */
  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  fail_unless (gst_opentok_loop_invoke_sync (f->loop, count_run, f));
  fail_unless_equals_int (f->ran, 1001);
  fixture_free (f);
}

GST_END_TEST;

static void
count_free (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

GST_START_TEST (test_refused_after_stop)
{
  Fixture *f = fixture_new ();
  gint freed = 0;

  /* never started, then stopped: nothing runs, the data stays ours */
  fail_if (gst_opentok_loop_invoke (f->loop, count_run, &freed, count_free));
  fail_if (gst_opentok_loop_invoke_sync (f->loop, count_run, f));
  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  gst_opentok_loop_stop (f->loop);
  fail_if (gst_opentok_loop_invoke (f->loop, count_run, &freed, count_free));
  fail_if (gst_opentok_loop_invoke_sync (f->loop, count_run, f));
  fail_unless_equals_int (freed, 0);
  fail_unless_equals_int (f->ran, 0);

  /* accepted work is freed once it ran */
  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  fail_unless (gst_opentok_loop_invoke (f->loop, count_run, f, NULL));
  fail_unless (gst_opentok_loop_invoke_sync (f->loop, count_run, f));
  gst_opentok_loop_stop (f->loop);
  fail_unless_equals_int (f->ran, 2);
  fixture_free (f);
}

GST_END_TEST;

typedef struct
{
  Fixture *f;
  gboolean inner_ran;           /* when the outer invocation returned */
  gboolean inner_ran_in_place;
  gboolean sync_ran;
} Reentry;

static gboolean
reentry_inner (gpointer data)
{
  Reentry *r = data;

  r->inner_ran = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
reentry_sync (gpointer data)
{
  Reentry *r = data;

  r->sync_ran = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
reentry_outer (gpointer data)
{
  Reentry *r = data;

  /* from the thread: invoke queues, invoke_sync runs in place, and a
   * stop only asks */
  g_assert_true (gst_opentok_loop_is_current (r->f->loop));
  g_assert_true (gst_opentok_loop_invoke (r->f->loop, reentry_inner, r, NULL));
  r->inner_ran_in_place = r->inner_ran;
  g_assert_true (gst_opentok_loop_invoke_sync (r->f->loop, reentry_sync, r));
  g_assert_true (r->sync_ran);
  gst_opentok_loop_stop (r->f->loop);
  g_assert_false (gst_opentok_loop_is_running (r->f->loop));
  return G_SOURCE_REMOVE;
}

GST_START_TEST (test_reentry_from_the_thread)
{
  Fixture *f = fixture_new ();
  Reentry r = { f, FALSE, FALSE, FALSE };

  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  fail_unless (gst_opentok_loop_invoke (f->loop, reentry_outer, &r, NULL));
  /* the thread stopped itself; the next start joins it and starts anew */
  while (g_atomic_int_get (&f->stopped) == 0)
    g_thread_yield ();
  fail_if (r.inner_ran_in_place);
  fail_unless (r.inner_ran);
  fail_if (gst_opentok_loop_invoke (f->loop, count_run, f, NULL));
  fail_unless (gst_opentok_loop_start (f->loop, NULL));
  fail_unless_equals_int (f->started, 2);
  fail_unless (gst_opentok_loop_invoke_sync (f->loop, count_run, f));
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_start_fails)
{
  Fixture *f = fixture_new ();
  GError *error = NULL;

  f->fail_start = TRUE;
  fail_if (gst_opentok_loop_start (f->loop, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  fail_if (gst_opentok_loop_is_running (f->loop));
  fail_if (gst_opentok_loop_invoke (f->loop, count_run, f, NULL));
  fail_unless_equals_int (f->stopped, 0);

  f->fail_start = FALSE;
  fail_unless (gst_opentok_loop_start (f->loop, &error));
  g_assert_no_error (error);
  fixture_free (f);
}

GST_END_TEST;

/* Threads that call in while two others start and stop the loop: every
 * call returns, and a call that says it ran did run. Off the test's own
 * thread, checks are g_assert: gst-check's are not thread-safe. */
#define CALLERS 4
#define CYCLES 200

typedef struct
{
  Fixture *f;
  gint done;                    /* atomic */
  gint said_ran;                /* atomic */
} Race;

static gpointer
race_caller (gpointer data)
{
  Race *race = data;
  guint n = 0;

  while (!g_atomic_int_get (&race->done)) {
    if (n++ % 2 == 0) {
      if (gst_opentok_loop_invoke_sync (race->f->loop, count_run, race->f))
        g_atomic_int_inc (&race->said_ran);
    } else if (gst_opentok_loop_invoke (race->f->loop, count_run, race->f,
            NULL)) {
      g_atomic_int_inc (&race->said_ran);
    }
  }
  return NULL;
}

static gpointer
race_switcher (gpointer data)
{
  Race *race = data;
  guint i;

  for (i = 0; i < CYCLES; i++) {
    g_assert_true (gst_opentok_loop_start (race->f->loop, NULL));
    gst_opentok_loop_stop (race->f->loop);
  }
  return NULL;
}

GST_START_TEST (test_concurrent_start_stop_and_calls)
{
  Race race = { fixture_new (), 0, 0 };
  GThread *callers[CALLERS], *switchers[2];
  guint i;

  for (i = 0; i < CALLERS; i++)
    callers[i] = g_thread_new ("caller", race_caller, &race);
  for (i = 0; i < G_N_ELEMENTS (switchers); i++)
    switchers[i] = g_thread_new ("switcher", race_switcher, &race);
  for (i = 0; i < G_N_ELEMENTS (switchers); i++)
    g_thread_join (switchers[i]);
  g_atomic_int_set (&race.done, 1);
  for (i = 0; i < CALLERS; i++)
    g_thread_join (callers[i]);

  /* every start had its stop; every accepted call ran before it */
  fail_if (gst_opentok_loop_is_running (race.f->loop));
  fail_unless_equals_int (race.f->started, race.f->stopped);
  fail_unless_equals_int (race.f->ran, race.said_ran);
  GST_INFO ("%d starts, %d calls ran", race.f->started, race.f->ran);
  fixture_free (race.f);
}

GST_END_TEST;

static Suite *
loop_suite (void)
{
  Suite *s = suite_create ("opentokloop");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_start_invoke_stop);
  tcase_add_test (tc, test_refused_after_stop);
  tcase_add_test (tc, test_reentry_from_the_thread);
  tcase_add_test (tc, test_start_fails);
  tcase_add_test (tc, test_concurrent_start_stop_and_calls);
  return s;
}

GST_CHECK_MAIN (loop);
