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

#include "gstopentokloop.h"

#include <gio/gio.h>

typedef enum
{
  LOOP_STOPPED,                 /* no thread, or one that ended: join it */
  LOOP_STARTING,                /* the start function runs */
  LOOP_RUNNING,
  LOOP_STOPPING,                /* work is refused; the thread ends */
} LoopState;

/* Lock order: control, then lock. control serializes start, stop and free,
 * and is held while they wait for the thread; lock guards the rest and is
 * never held while a callback of ours or of the user runs. */
struct _GstOpenTokLoop
{
  gchar *thread_name;
  GstOpenTokLoopStartFunc on_start;
  GstOpenTokLoopStopFunc on_stop;
  gpointer user_data;

  GMutex control;

  GMutex lock;
  GCond cond;
  LoopState state;
  GThread *thread;
  GMainContext *context;
  gboolean quit;                /* the thread only */
  GError *start_error;
};

/* A gst_opentok_loop_invoke() call: runs once, whatever @func returns. */
typedef struct
{
  GSourceFunc func;
  gpointer data;
  GDestroyNotify notify;
} Invocation;

static gboolean
invocation_run (gpointer data)
{
  Invocation *invocation = data;

  invocation->func (invocation->data);
  return G_SOURCE_REMOVE;
}

static void
invocation_free (gpointer data)
{
  Invocation *invocation = data;

  if (invocation->notify != NULL)
    invocation->notify (invocation->data);
  g_free (invocation);
}

/* A gst_opentok_loop_invoke_sync() call, on the caller's stack. */
typedef struct
{
  GstOpenTokLoop *loop;
  GSourceFunc func;
  gpointer data;
  gboolean ran;
  gboolean finished;            /* under loop->lock */
} SyncCall;

static gboolean
loop_quit (gpointer data)
{
  GstOpenTokLoop *self = data;

  self->quit = TRUE;
  return G_SOURCE_REMOVE;
}

static void
loop_drain (GMainContext * context)
{
  while (g_main_context_iteration (context, FALSE));
}

static gpointer
loop_thread (gpointer data)
{
  GstOpenTokLoop *self = data;
  GMainContext *context = self->context;
  GError *error = NULL;
  gboolean started = TRUE;

  g_main_context_push_thread_default (context);
  if (self->on_start != NULL)
    started = self->on_start (self->user_data, &error);

  g_mutex_lock (&self->lock);
  if (started) {
    /* a stop asked for by the start function wins */
    if (self->state == LOOP_STARTING)
      self->state = LOOP_RUNNING;
  } else {
    self->state = LOOP_STOPPING;
    self->start_error = error;
  }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (started) {
    while (!self->quit)
      g_main_context_iteration (context, TRUE);
    loop_drain (context);
    if (self->on_stop != NULL)
      self->on_stop (self->user_data);
  }
  loop_drain (context);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/**
 * gst_opentok_loop_new:
 * @thread_name: the name the thread gets, for debuggers and logs
 * @on_start: (nullable): run on the thread when it starts
 * @on_stop: (nullable): run on the thread when it stops
 * @user_data: for @on_start and @on_stop
 *
 * Returns: a loop, not started
 */
GstOpenTokLoop *
gst_opentok_loop_new (const gchar * thread_name,
    GstOpenTokLoopStartFunc on_start, GstOpenTokLoopStopFunc on_stop,
    gpointer user_data)
{
  GstOpenTokLoop *self = g_new0 (GstOpenTokLoop, 1);

  self->thread_name = g_strdup (thread_name);
  self->on_start = on_start;
  self->on_stop = on_stop;
  self->user_data = user_data;
  g_mutex_init (&self->control);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->state = LOOP_STOPPED;
  return self;
}

/* Called with control held: joins a thread that ended or was asked to end
 * from itself, and forgets it. */
static void
loop_reap (GstOpenTokLoop * self)
{
  GThread *thread;
  GMainContext *context;

  g_mutex_lock (&self->lock);
  thread = self->thread;
  context = self->context;
  self->thread = NULL;
  self->context = NULL;
  g_mutex_unlock (&self->lock);
  if (thread == NULL)
    return;
  g_thread_join (thread);
  g_main_context_unref (context);
  g_mutex_lock (&self->lock);
  self->state = LOOP_STOPPED;
  g_mutex_unlock (&self->lock);
}

/* Called with lock held: refuses new work from here on and wakes the thread
 * to end. */
static void
loop_begin_stop (GstOpenTokLoop * self)
{
  GSource *source;

  if (self->state != LOOP_STARTING && self->state != LOOP_RUNNING)
    return;
  self->state = LOOP_STOPPING;
  /* from inside the loop: what was queued before runs first */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, loop_quit, self, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/**
 * gst_opentok_loop_start:
 * @loop: a loop
 * @error: return location for the start function's error
 *
 * Starts the thread and waits until its start function has run. Does
 * nothing when the loop runs already. Must not be called from the loop's
 * thread.
 *
 * Returns: %TRUE when the loop runs
 */
gboolean
gst_opentok_loop_start (GstOpenTokLoop * loop, GError ** error)
{
  GError *start_error;
  gboolean running;

  g_return_val_if_fail (loop != NULL, FALSE);
  if (gst_opentok_loop_is_current (loop)) {
    g_critical ("%s: a loop cannot start from its own thread",
        loop->thread_name);
    return FALSE;
  }

  g_mutex_lock (&loop->control);
  g_mutex_lock (&loop->lock);
  running = loop->state == LOOP_RUNNING;
  g_mutex_unlock (&loop->lock);
  if (running) {
    g_mutex_unlock (&loop->control);
    return TRUE;
  }
  /* a thread that stopped itself, or that a stop left behind */
  loop_reap (loop);

  g_mutex_lock (&loop->lock);
  loop->context = g_main_context_new ();
  loop->quit = FALSE;
  loop->state = LOOP_STARTING;
  loop->thread = g_thread_new (loop->thread_name, loop_thread, loop);
  while (loop->state == LOOP_STARTING)
    g_cond_wait (&loop->cond, &loop->lock);
  running = loop->state == LOOP_RUNNING;
  start_error = loop->start_error;
  loop->start_error = NULL;
  g_mutex_unlock (&loop->lock);

  if (!running)
    loop_reap (loop);
  g_mutex_unlock (&loop->control);

  if (start_error != NULL)
    g_propagate_error (error, start_error);
  else if (!running)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "%s was stopped while it started", loop->thread_name);
  return running;
}

/**
 * gst_opentok_loop_stop:
 * @loop: a loop
 *
 * Refuses new work, lets the work already queued and the stop function run
 * on the thread, and waits for the thread to end. From the loop's own
 * thread, only asks for the stop: the thread ends once the current callback
 * returns, and the next start, stop or free joins it.
 */
void
gst_opentok_loop_stop (GstOpenTokLoop * loop)
{
  g_return_if_fail (loop != NULL);

  if (gst_opentok_loop_is_current (loop)) {
    g_mutex_lock (&loop->lock);
    loop_begin_stop (loop);
    g_mutex_unlock (&loop->lock);
    return;
  }
  g_mutex_lock (&loop->control);
  g_mutex_lock (&loop->lock);
  loop_begin_stop (loop);
  g_mutex_unlock (&loop->lock);
  loop_reap (loop);
  g_mutex_unlock (&loop->control);
}

/**
 * gst_opentok_loop_free:
 * @loop: a loop
 *
 * Stops the loop and frees it. Must not be called from the loop's thread.
 */
void
gst_opentok_loop_free (GstOpenTokLoop * loop)
{
  if (loop == NULL)
    return;
  g_return_if_fail (!gst_opentok_loop_is_current (loop));
  gst_opentok_loop_stop (loop);
  g_mutex_clear (&loop->control);
  g_mutex_clear (&loop->lock);
  g_cond_clear (&loop->cond);
  g_free (loop->thread_name);
  g_free (loop);
}

/**
 * gst_opentok_loop_is_running:
 * @loop: a loop
 *
 * Returns: %TRUE when the loop takes work (started, no stop begun)
 */
gboolean
gst_opentok_loop_is_running (GstOpenTokLoop * loop)
{
  gboolean running;

  g_mutex_lock (&loop->lock);
  running = loop->state == LOOP_STARTING || loop->state == LOOP_RUNNING;
  g_mutex_unlock (&loop->lock);
  return running;
}

/**
 * gst_opentok_loop_is_current:
 * @loop: a loop
 *
 * Returns: %TRUE when called from the loop's thread
 */
gboolean
gst_opentok_loop_is_current (GstOpenTokLoop * loop)
{
  gboolean current;

  g_mutex_lock (&loop->lock);
  current = loop->thread != NULL && loop->thread == g_thread_self ();
  g_mutex_unlock (&loop->lock);
  return current;
}

/**
 * gst_opentok_loop_attach:
 * @loop: a loop
 * @source: a source, not attached yet
 *
 * Attaches @source to the loop's context, unless a stop has begun. Drop
 * every reference to @source before the loop stops (at the latest in the
 * stop function): GLib 2.74 reads the context of a destroyed source when
 * its last reference goes, and the context is gone with the thread.
 *
 * Returns: %TRUE when @source was attached
 */
gboolean
gst_opentok_loop_attach (GstOpenTokLoop * loop, GSource * source)
{
  gboolean running;

  g_mutex_lock (&loop->lock);
  running = loop->state == LOOP_STARTING || loop->state == LOOP_RUNNING;
  if (running)
    g_source_attach (source, loop->context);
  g_mutex_unlock (&loop->lock);
  return running;
}

/**
 * gst_opentok_loop_invoke:
 * @loop: a loop
 * @func: run once on the loop's thread (its return value is ignored)
 * @data: for @func
 * @notify: (nullable): frees @data once @func has run
 *
 * Queues @func, even when called from the loop's thread.
 *
 * Returns: %TRUE when @func was queued; %FALSE once a stop has begun, in
 *     which case nothing runs, @notify included, and @data is still the
 *     caller's
 */
gboolean
gst_opentok_loop_invoke (GstOpenTokLoop * loop, GSourceFunc func,
    gpointer data, GDestroyNotify notify)
{
  Invocation *invocation;
  GSource *source;
  gboolean queued;

  g_return_val_if_fail (loop != NULL, FALSE);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_mutex_lock (&loop->lock);
  queued = loop->state == LOOP_STARTING || loop->state == LOOP_RUNNING;
  if (queued) {
    /* only now: a callback set on a source we drop would free @data */
    invocation = g_new (Invocation, 1);
    invocation->func = func;
    invocation->data = data;
    invocation->notify = notify;
    g_source_set_callback (source, invocation_run, invocation, invocation_free);
    g_source_attach (source, loop->context);
  }
  /* before a stop can free the context: GLib 2.74 reads a source's
   * context when its last reference goes */
  g_source_unref (source);
  g_mutex_unlock (&loop->lock);
  return queued;
}

static gboolean
sync_call_run (gpointer data)
{
  SyncCall *call = data;

  call->func (call->data);
  call->ran = TRUE;
  return G_SOURCE_REMOVE;
}

/* Called when the source goes, whether it ran or not, so that the caller
 * never waits for work that will not run. */
static void
sync_call_finish (gpointer data)
{
  SyncCall *call = data;
  GstOpenTokLoop *loop = call->loop;

  g_mutex_lock (&loop->lock);
  call->finished = TRUE;
  g_cond_broadcast (&loop->cond);
  g_mutex_unlock (&loop->lock);
}

/**
 * gst_opentok_loop_invoke_sync:
 * @loop: a loop
 * @func: run once on the loop's thread (its return value is ignored)
 * @data: for @func
 *
 * Runs @func on the loop's thread and waits until it has run; from the
 * loop's thread, runs it in place.
 *
 * Returns: %TRUE when @func ran; %FALSE once a stop has begun
 */
gboolean
gst_opentok_loop_invoke_sync (GstOpenTokLoop * loop, GSourceFunc func,
    gpointer data)
{
  SyncCall call = { loop, func, data, FALSE, FALSE };
  GSource *source;
  gboolean queued;

  g_return_val_if_fail (loop != NULL, FALSE);

  if (gst_opentok_loop_is_current (loop)) {
    func (data);
    return TRUE;
  }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_mutex_lock (&loop->lock);
  queued = loop->state == LOOP_STARTING || loop->state == LOOP_RUNNING;
  if (queued) {
    g_source_set_callback (source, sync_call_run, &call, sync_call_finish);
    g_source_attach (source, loop->context);
  }
  g_source_unref (source);
  while (queued && !call.finished)
    g_cond_wait (&loop->cond, &loop->lock);
  g_mutex_unlock (&loop->lock);
  return call.ran;
}
