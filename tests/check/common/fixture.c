/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:fixture
 * @title: Test fixtures
 * @short_description: what the check tests share
 *
 * Waits that iterate a #GMainContext (or block on a condition variable)
 * until something happened, with a deadline that only bounds the wait; an
 * in-process #GstOpenTokServer on loopback; #GstOpenTokClient peers that
 * join its session and record what they emit; sends and their outcomes;
 * signalbin in a #GstHarness with a bus; JSON getters that fail the test
 * instead of raising criticals; base64url and HS256 JWTs.
 *
 * Nothing here sleeps: every wait ends as soon as what it waits for
 * happened. The functions that fail the test must run on the test's
 * thread; those that record (the collectors, the completions) run on any.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include <libsoup/soup.h>

#include "fixture.h"

/* ------------------------------------------------------------------------ */
/* Waits                                                                    */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates @context until @condition holds or @timeout_ms have passed;
 * returns whether it holds. Whoever makes it hold from another thread
 * wakes @context up. */
gboolean
fixture_wait (GMainContext * context, FixtureCondition condition,
    gpointer data, guint timeout_ms)
{
  gboolean expired = FALSE;
  GSource *timer;
  gboolean ok;

  g_return_val_if_fail (context != NULL, FALSE);

  timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (timer, set_flag, &expired, NULL);
  g_source_attach (timer, context);
  while (!(ok = condition (data)) && !expired)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  return ok;
}

/* As fixture_wait(), for a condition nobody signals (a server's metric):
 * it is checked again every @interval_ms. */
gboolean
fixture_wait_polling (GMainContext * context, FixtureCondition condition,
    gpointer data, guint interval_ms, guint timeout_ms)
{
  GSource *poll = g_timeout_source_new (interval_ms);
  gboolean ok;

  g_source_set_callback (poll, keep_polling, NULL, NULL);
  g_source_attach (poll, context);
  ok = fixture_wait (context, condition, data, timeout_ms);
  g_source_destroy (poll);
  g_source_unref (poll);
  return ok;
}

/* A #FixtureCondition: whether the gboolean at @flag is set. */
gboolean
fixture_flag_is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* Waits until *@flag, set by a callback that runs on @context. */
gboolean
fixture_wait_flag (GMainContext * context, gboolean * flag, guint timeout_ms)
{
  return fixture_wait (context, fixture_flag_is_set, flag, timeout_ms);
}

/* Wakes whoever waits for something another thread does: a thread that
 * iterates the notifier's context, or one blocked in
 * fixture_notifier_wait() when it has none. */
struct _FixtureNotifier
{
  GMutex lock;
  GCond cond;
  guint64 generation;           /* under lock: notifications so far */
  GMainContext *context;
};

/* A notifier whose waits iterate @context (the test's), or block when it
 * is NULL (waits from any thread). */
FixtureNotifier *
fixture_notifier_new (GMainContext * context)
{
  FixtureNotifier *n = g_new0 (FixtureNotifier, 1);

  g_mutex_init (&n->lock);
  g_cond_init (&n->cond);
  n->context = context ? g_main_context_ref (context) : NULL;
  return n;
}

void
fixture_notifier_free (FixtureNotifier * n)
{
  if (n == NULL)
    return;
  if (n->context)
    g_main_context_unref (n->context);
  g_mutex_clear (&n->lock);
  g_cond_clear (&n->cond);
  g_free (n);
}

/* Something changed: the waiters check their condition again. Any
 * thread. */
void
fixture_notifier_notify (FixtureNotifier * n)
{
  g_mutex_lock (&n->lock);
  n->generation++;
  g_cond_broadcast (&n->cond);
  g_mutex_unlock (&n->lock);
  if (n->context)
    g_main_context_wakeup (n->context);
}

/* Waits until @condition holds, checking it after every notification,
 * at most @timeout_ms. @condition runs without the notifier's lock. */
gboolean
fixture_notifier_wait (FixtureNotifier * n, FixtureCondition condition,
    gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint64 seen;

  if (n->context)
    return fixture_wait (n->context, condition, data, timeout_ms);

  while (TRUE) {
    g_mutex_lock (&n->lock);
    seen = n->generation;
    g_mutex_unlock (&n->lock);
    if (condition (data))
      return TRUE;
    g_mutex_lock (&n->lock);
    while (n->generation == seen) {
      if (!g_cond_wait_until (&n->cond, &n->lock, end)) {
        g_mutex_unlock (&n->lock);
        return condition (data);
      }
    }
    g_mutex_unlock (&n->lock);
  }
}

typedef struct
{
  GThreadFunc func;
  gpointer data;
  gint refcount;                /* atomic: the caller's and the thread's */
  gint returned;                /* atomic */
  FixtureNotifier *notifier;
} BoundedCall;

static void
bounded_call_unref (BoundedCall * call)
{
  if (!g_atomic_int_dec_and_test (&call->refcount))
    return;
  fixture_notifier_free (call->notifier);
  g_free (call);
}

static gpointer
bounded_call_run (gpointer data)
{
  BoundedCall *call = data;

  call->func (call->data);
  g_atomic_int_set (&call->returned, 1);
  fixture_notifier_notify (call->notifier);
  bounded_call_unref (call);
  return NULL;
}

static gboolean
bounded_call_returned (gpointer data)
{
  return g_atomic_int_get (&((BoundedCall *) data)->returned);
}

/* Runs @func (@data) on a thread of its own and waits at most @timeout_ms
 * for it to return: a bound on a call that could hang. Returns whether it
 * returned; when it did not, the thread is left running. */
gboolean
fixture_run_bounded (GThreadFunc func, gpointer data, guint timeout_ms)
{
  BoundedCall *call = g_new0 (BoundedCall, 1);
  GThread *thread;
  gboolean returned;

  call->func = func;
  call->data = data;
  call->refcount = 2;
  call->notifier = fixture_notifier_new (NULL);
  thread = g_thread_new ("bounded-call", bounded_call_run, call);
  returned = fixture_notifier_wait (call->notifier, bounded_call_returned,
      call, timeout_ms);
  if (returned)
    g_thread_join (thread);
  else
    g_thread_unref (thread);
  bounded_call_unref (call);
  return returned;
}

/* A new context, made the thread-default one: the test's, where GTask
 * callbacks and libsoup run while it waits. */
GMainContext *
fixture_context_push (void)
{
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  return context;
}

/* Dispatches what is still pending on @context, pops it and drops it. */
void
fixture_context_pop (GMainContext * context)
{
  while (g_main_context_iteration (context, FALSE));
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* ------------------------------------------------------------------------ */
/* Collectors                                                               */

/* A list of #GstStructure items pushed from any thread, waited for by
 * count. Items are never changed, nor freed before
 * fixture_collector_clear(), so pointers to them stay valid. */
struct _FixtureCollector
{
  GMutex lock;
  GPtrArray *items;             /* GstStructure, under lock */
  FixtureNotifier *notifier;
};

/* A collector whose waits iterate @context, or block when it is NULL. */
FixtureCollector *
fixture_collector_new (GMainContext * context)
{
  FixtureCollector *c = g_new0 (FixtureCollector, 1);

  g_mutex_init (&c->lock);
  c->items = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  c->notifier = fixture_notifier_new (context);
  return c;
}

void
fixture_collector_free (FixtureCollector * c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->items);
  fixture_notifier_free (c->notifier);
  g_mutex_clear (&c->lock);
  g_free (c);
}

/* Takes @item. Any thread. */
void
fixture_collector_push (FixtureCollector * c, GstStructure * item)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->items, item);
  g_mutex_unlock (&c->lock);
  fixture_notifier_notify (c->notifier);
}

/* Forgets (and frees) every item so far. */
void
fixture_collector_clear (FixtureCollector * c)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_set_size (c->items, 0);
  g_mutex_unlock (&c->lock);
}

guint
fixture_collector_len (FixtureCollector * c)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = c->items->len;
  g_mutex_unlock (&c->lock);
  return n;
}

/* The item at @index, which must exist. */
const GstStructure *
fixture_collector_get (FixtureCollector * c, guint index)
{
  const GstStructure *s;

  g_mutex_lock (&c->lock);
  fail_unless (index < c->items->len, "no item %u, %u collected", index,
      c->items->len);
  s = g_ptr_array_index (c->items, index);
  g_mutex_unlock (&c->lock);
  return s;
}

/* An item named @name (any when NULL) whose string @field is @value (any
 * item when @field is NULL). */
static gboolean
item_matches (const GstStructure * s, const gchar * name, const gchar * field,
    const gchar * value)
{
  if (name != NULL && !gst_structure_has_name (s, name))
    return FALSE;
  return field == NULL || g_strcmp0 (gst_structure_get_string (s, field),
      value) == 0;
}

/* How many items match (see item_matches()). */
guint
fixture_collector_count (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value)
{
  guint i, n = 0;

  g_mutex_lock (&c->lock);
  for (i = 0; i < c->items->len; i++)
    n += item_matches (g_ptr_array_index (c->items, i), name, field, value);
  g_mutex_unlock (&c->lock);
  return n;
}

/* Where the first matching item is, or -1. */
gint
fixture_collector_index (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value)
{
  gint index = -1;
  guint i;

  g_mutex_lock (&c->lock);
  for (i = 0; i < c->items->len && index < 0; i++)
    if (item_matches (g_ptr_array_index (c->items, i), name, field, value))
      index = i;
  g_mutex_unlock (&c->lock);
  return index;
}

/* The first matching item, or NULL. */
const GstStructure *
fixture_collector_find (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value)
{
  gint index = fixture_collector_index (c, name, field, value);

  return index < 0 ? NULL : fixture_collector_get (c, index);
}

/* The item named @name that came @n-th (from 0), or NULL. */
const GstStructure *
fixture_collector_nth (FixtureCollector * c, const gchar * name, guint n)
{
  const GstStructure *found = NULL;
  guint i;

  g_mutex_lock (&c->lock);
  for (i = 0; i < c->items->len && found == NULL; i++) {
    const GstStructure *s = g_ptr_array_index (c->items, i);

    if (item_matches (s, name, NULL, NULL) && n-- == 0)
      found = s;
  }
  g_mutex_unlock (&c->lock);
  return found;
}

typedef struct
{
  FixtureCollector *c;
  const gchar *name;
  const gchar *field;
  const gchar *value;
  guint n;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *w = data;

  return fixture_collector_count (w->c, w->name, w->field, w->value) >= w->n;
}

/* Waits until at least @n items match, at most @timeout_ms. */
gboolean
fixture_collector_wait (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value, guint n, guint timeout_ms)
{
  CountWait w = { c, name, field, value, n };

  return fixture_notifier_wait (c->notifier, count_reached, &w, timeout_ms);
}

/* Waits for a matching item; returns where the first is, or -1 at the
 * deadline. */
gint
fixture_collector_wait_index (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value, guint timeout_ms)
{
  if (!fixture_collector_wait (c, name, field, value, 1, timeout_ms))
    return -1;
  return fixture_collector_index (c, name, field, value);
}

/* The items named @name counted by their string @field ("" for none): a
 * table of strings to GUINT_TO_POINTER counts. */
GHashTable *
fixture_collector_count_by (FixtureCollector * c, const gchar * name,
    const gchar * field)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  guint i;

  g_mutex_lock (&c->lock);
  for (i = 0; i < c->items->len; i++) {
    const GstStructure *s = g_ptr_array_index (c->items, i);
    const gchar *value;

    if (!item_matches (s, name, NULL, NULL))
      continue;
    value = gst_structure_get_string (s, field);
    if (value == NULL)
      value = "";
    g_hash_table_insert (counts, g_strdup (value),
        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts,
                    value)) + 1));
  }
  g_mutex_unlock (&c->lock);
  return counts;
}

/* Every event has its "key" (what tests look it up by: a connection id, a
 * reason, a signal's data), the thread that emitted it and when. */
static GstStructure *
event_new (const gchar * name, const gchar * key)
{
  return gst_structure_new (name, "key", G_TYPE_STRING, key,
      "thread", G_TYPE_POINTER, g_thread_self (),
      "time", G_TYPE_INT64, g_get_monotonic_time (), NULL);
}

static void
on_state (GObject * object, GParamSpec * pspec, FixtureCollector * c)
{
  GstStructure *event = event_new (FIXTURE_EVENT_STATE, NULL);
  gint state = 0;

  /* states only change on the network thread, which emits this: reading
   * now gives the state notified */
  g_object_get (object, "state", &state, NULL);
  gst_structure_set (event, "state", G_TYPE_INT, state, NULL);
  fixture_collector_push (c, event);
}

static void
on_session_connected (GObject * object, FixtureCollector * c)
{
  fixture_collector_push (c, event_new (FIXTURE_EVENT_CONNECTED, NULL));
}

static void
on_session_disconnected (GObject * object, const gchar * reason,
    const GError * error, FixtureCollector * c)
{
  GstStructure *event = event_new (FIXTURE_EVENT_DISCONNECTED, reason);

  gst_structure_set (event, "reason", G_TYPE_STRING, reason, NULL);
  if (error != NULL)
    gst_structure_set (event, "error", G_TYPE_ERROR, error, NULL);
  fixture_collector_push (c, event);
}

static void
on_session_reconnecting (GObject * object, FixtureCollector * c)
{
  fixture_collector_push (c, event_new (FIXTURE_EVENT_RECONNECTING, NULL));
}

static void
on_session_reconnected (GObject * object, FixtureCollector * c)
{
  fixture_collector_push (c, event_new (FIXTURE_EVENT_RECONNECTED, NULL));
}

static void
on_connection_created (GObject * object, GstOpenTokConnection * connection,
    FixtureCollector * c)
{
  const gchar *id = gst_opentok_connection_get_id (connection);
  GstStructure *event = event_new (FIXTURE_EVENT_CREATED, id);

  gst_structure_set (event, "connection-id", G_TYPE_STRING, id,
      "data", G_TYPE_STRING, gst_opentok_connection_get_data (connection),
      "creation-time", G_TYPE_INT64,
      gst_opentok_connection_get_creation_time (connection), NULL);
  fixture_collector_push (c, event);
}

static void
on_connection_destroyed (GObject * object, GstOpenTokConnection * connection,
    const gchar * reason, FixtureCollector * c)
{
  const gchar *id = gst_opentok_connection_get_id (connection);
  GstStructure *event = event_new (FIXTURE_EVENT_DESTROYED, id);

  gst_structure_set (event, "connection-id", G_TYPE_STRING, id,
      "data", G_TYPE_STRING, gst_opentok_connection_get_data (connection),
      "reason", G_TYPE_STRING, reason, NULL);
  fixture_collector_push (c, event);
}

/* The signal's own fields (gst_opentok_signal_to_structure()), and the
 * signal itself. */
static void
on_signal (GObject * object, GstOpenTokSignal * signal, FixtureCollector * c)
{
  GstStructure *event = gst_opentok_signal_to_structure (signal);

  gst_structure_set_name (event, FIXTURE_EVENT_SIGNAL);
  gst_structure_set (event, "key", G_TYPE_STRING,
      gst_opentok_signal_get_data (signal), "thread", G_TYPE_POINTER,
      g_thread_self (), "time", G_TYPE_INT64, g_get_monotonic_time (),
      "signal", GST_TYPE_OPENTOK_SIGNAL, signal, NULL);
  fixture_collector_push (c, event);
}

/* Records every signal of a #GstOpenTokClient or a signalbin @object
 * (and its state notifications) as a structure named after the signal
 * (FIXTURE_EVENT_*). */
void
fixture_collector_watch (FixtureCollector * c, gpointer object)
{
  g_signal_connect (object, "notify::state", G_CALLBACK (on_state), c);
  g_signal_connect (object, "session-connected",
      G_CALLBACK (on_session_connected), c);
  g_signal_connect (object, "session-disconnected",
      G_CALLBACK (on_session_disconnected), c);
  g_signal_connect (object, "session-reconnecting",
      G_CALLBACK (on_session_reconnecting), c);
  g_signal_connect (object, "session-reconnected",
      G_CALLBACK (on_session_reconnected), c);
  g_signal_connect (object, "connection-created",
      G_CALLBACK (on_connection_created), c);
  g_signal_connect (object, "connection-destroyed",
      G_CALLBACK (on_connection_destroyed), c);
  g_signal_connect (object, "signal-received", G_CALLBACK (on_signal), c);
}

void
fixture_collector_unwatch (FixtureCollector * c, gpointer object)
{
  g_signal_handlers_disconnect_by_data (object, c);
}

/* The #GstOpenTokSignal of a signal-received event (borrowed). */
GstOpenTokSignal *
fixture_event_signal (const GstStructure * event)
{
  const GValue *value = gst_structure_get_value (event, "signal");

  fail_unless (value != NULL, "%s has no signal",
      gst_structure_get_name (event));
  return g_value_get_boxed (value);
}

/* The error of a session-disconnected event, NULL when it had none. */
const GError *
fixture_event_error (const GstStructure * event)
{
  const GValue *value = gst_structure_get_value (event, "error");

  return value ? g_value_get_boxed (value) : NULL;
}

gint64
fixture_event_int64 (const GstStructure * event, const gchar * field)
{
  gint64 value = 0;

  fail_unless (gst_structure_get_int64 (event, field, &value),
      "%s has no %s", gst_structure_get_name (event), field);
  return value;
}

GThread *
fixture_event_thread (const GstStructure * event)
{
  gpointer thread = NULL;

  gst_structure_get (event, "thread", G_TYPE_POINTER, &thread, NULL);
  return thread;
}

/* ------------------------------------------------------------------------ */
/* The server                                                               */

/* Starts a server of the FIXTURE_API_KEY project on 127.0.0.1, on a port
 * of its own, with the given properties (name/value pairs up to NULL), and
 * makes one session. */
FixtureServer *
fixture_server_new (const gchar * first_property, ...)
{
  FixtureServer *srv;
  va_list args;

  va_start (args, first_property);
  srv = fixture_server_new_valist (first_property, args);
  va_end (args);
  return srv;
}

FixtureServer *
fixture_server_new_valist (const gchar * first_property, va_list args)
{
  FixtureServer *srv = g_new0 (FixtureServer, 1);
  GError *error = NULL;

  srv->server = gst_opentok_server_new (FIXTURE_API_KEY, FIXTURE_API_SECRET);
  g_object_set (srv->server, "host", "127.0.0.1", "port", 0, NULL);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (srv->server), first_property, args);
  if (!gst_opentok_server_start (srv->server, &error))
    fail ("the server did not start: %s", error->message);
  srv->url = gst_opentok_server_get_url (srv->server);
  fail_unless (srv->url != NULL);
  srv->session_id = gst_opentok_server_create_session (srv->server);
  fail_unless (srv->session_id != NULL);
  return srv;
}

void
fixture_server_free (FixtureServer * srv)
{
  if (srv == NULL)
    return;
  gst_opentok_server_stop (srv->server);
  gst_object_unref (srv->server);
  g_free (srv->url);
  g_free (srv->session_id);
  g_free (srv);
}

/* A token the server makes for @session_id (its own when NULL). */
gchar *
fixture_server_token (FixtureServer * srv, const gchar * session_id,
    GstOpenTokRole role, const gchar * data)
{
  GError *error = NULL;
  gchar *token = gst_opentok_server_generate_token (srv->server,
      session_id ? session_id : srv->session_id, role, data, &error);

  fail_unless (token != NULL, "no token: %s", error ? error->message : "?");
  return token;
}

/* A signal from the server to its whole session. */
void
fixture_server_send (FixtureServer * srv, const gchar * type,
    const gchar * data)
{
  GstOpenTokSignal *signal = gst_opentok_signal_new (type, data);
  GError *error = NULL;

  fail_unless (gst_opentok_server_send_signal (srv->server, srv->session_id,
          signal, &error), "the server's signal failed: %s",
      error ? error->message : "?");
  gst_opentok_signal_unref (signal);
}

/* The value of the server's Prometheus sample @name (labels included), or
 * -1 when it is not listed. */
gint64
fixture_server_metric (FixtureServer * srv, const gchar * name)
{
  SoupSession *session = soup_session_new_with_options ("proxy-resolver",
      NULL, NULL);
  gchar *uri = g_strdup_printf ("%s/metrics", srv->url);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, uri);
  gsize length = strlen (name);
  GError *error = NULL;
  GBytes *body;
  gchar *text, **lines;
  gint64 value = -1;
  guint i;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  fail_unless (body != NULL, "no metrics: %s", error ? error->message : "?");
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    if (strncmp (lines[i], name, length) == 0 && lines[i][length] == ' ')
      value = g_ascii_strtoll (lines[i] + length + 1, NULL, 10);
  }
  g_strfreev (lines);
  g_free (text);
  g_bytes_unref (body);
  g_object_unref (msg);
  g_free (uri);
  g_object_unref (session);
  return value;
}

typedef struct
{
  FixtureServer *srv;
  const gchar *name;
  gint64 value;
} MetricWait;

static gboolean
metric_reached (gpointer data)
{
  MetricWait *w = data;

  return fixture_server_metric (w->srv, w->name) == w->value;
}

/* Waits until the metric @name reads @value, asking every 10 ms while
 * iterating @context; fails when it does not in time. */
void
fixture_server_wait_metric (FixtureServer * srv, GMainContext * context,
    const gchar * name, gint64 value)
{
  MetricWait w = { srv, name, value };

  if (!fixture_wait_polling (context, metric_reached, &w, 10, FIXTURE_WAIT_MS))
    fail ("metric %s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
        name, fixture_server_metric (srv, name), value);
}

/* A publisher's JWT for @session_id of the FIXTURE_API_KEY project, with
 * the connection data @data: what an application server would mint. */
gchar *
fixture_token_new (const gchar * session_id, const gchar * data)
{
  GError *error = NULL;
  gchar *token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
      FIXTURE_API_KEY, FIXTURE_API_SECRET, session_id,
      GST_OPENTOK_ROLE_PUBLISHER, 0, data, &error);

  fail_unless (token != NULL, "token: %s", error ? error->message : "?");
  return token;
}

/* A loopback port nobody listens on: the socket bound to it but not
 * listening keeps it ours, so connections to it are refused. */
GSocket *
fixture_closed_port_new (guint16 * port)
{
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  fail_unless (socket != NULL);
  fail_unless (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  return socket;
}

/* ------------------------------------------------------------------------ */
/* Redis                                                                    */

static gboolean
redis_accepts (FixtureRedis * redis)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
      redis->port, NULL, NULL);
  g_object_unref (client);
  if (connection == NULL)
    return FALSE;
  g_object_unref (connection);
  return TRUE;
}

static void
redis_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
fixture_redis_start (FixtureRedis * redis)
{
  const gchar *exe = g_getenv ("REDIS_SERVER_EXE");
  GSubprocessLauncher *launcher;
  gchar port[8];
  GError *error = NULL;
  gint64 deadline;

  g_snprintf (port, sizeof (port), "%u", redis->port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* it goes with the test, even one that crashed */
  g_subprocess_launcher_set_child_setup (launcher, redis_child_setup, NULL,
      NULL);
  /* nothing on disk: a restart comes back empty */
  redis->process = g_subprocess_launcher_spawn (launcher, &error,
      exe ? exe : "redis-server", "--port", port, "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", NULL);
  g_object_unref (launcher);
  fail_unless (redis->process != NULL, "redis-server did not start: %s",
      error ? error->message : "?");
  deadline = g_get_monotonic_time () + FIXTURE_WAIT_MS * 1000;
  while (!redis_accepts (redis)) {
    fail_if (g_subprocess_get_identifier (redis->process) == NULL ||
        g_get_monotonic_time () > deadline,
        "redis-server does not take connections on port %u", redis->port);
    g_usleep (10 * 1000);
  }
}

FixtureRedis *
fixture_redis_new (void)
{
  FixtureRedis *redis = g_new0 (FixtureRedis, 1);
  GSocket *socket = fixture_closed_port_new (&redis->port);

  g_object_unref (socket);
  redis->url = g_strdup_printf ("redis://127.0.0.1:%u", redis->port);
  fixture_redis_start (redis);
  return redis;
}

void
fixture_redis_stop (FixtureRedis * redis)
{
  if (redis->process == NULL)
    return;
  g_subprocess_send_signal (redis->process, SIGTERM);
  fail_unless (g_subprocess_wait (redis->process, NULL, NULL));
  g_clear_object (&redis->process);
}

void
fixture_redis_free (FixtureRedis * redis)
{
  fixture_redis_stop (redis);
  g_free (redis->url);
  g_free (redis);
}

/* ------------------------------------------------------------------------ */
/* Peers                                                                    */

static void fixture_send_unref (FixtureSend * s);

/* A client with its recorder; nothing goes on the network yet. Its waits
 * iterate @context (the test's), or a context of its own when NULL. */
FixturePeer *
fixture_peer_new (GMainContext * context, const gchar * name,
    const gchar * api_url, const gchar * api_key, const gchar * session_id,
    const gchar * token)
{
  FixturePeer *p = g_new0 (FixturePeer, 1);

  p->name = g_strdup (name);
  p->context = context ? g_main_context_ref (context) : g_main_context_new ();
  p->events = fixture_collector_new (p->context);
  p->sends = g_ptr_array_new_with_free_func ((GDestroyNotify)
      fixture_send_unref);
  p->client = gst_opentok_client_new (api_url, api_key, session_id, token);
  fail_unless (GST_IS_OPENTOK_CLIENT (p->client));
  p->id = gst_opentok_client_get_connection_id (p->client);
  fixture_collector_watch (p->events, p->client);
  return p;
}

/* A publisher of @srv's session with the token data @data, reaching it at
 * @api_url (the server's own when NULL). */
FixturePeer *
fixture_server_peer (FixtureServer * srv, GMainContext * context,
    const gchar * name, const gchar * api_url, const gchar * data)
{
  gchar *token = fixture_server_token (srv, NULL, GST_OPENTOK_ROLE_PUBLISHER,
      data);
  FixturePeer *p = fixture_peer_new (context, name,
      api_url ? api_url : srv->url, FIXTURE_API_KEY, srv->session_id, token);

  g_free (token);
  return p;
}

/* Disconnects and drops the client (unless the test did), then frees. */
void
fixture_peer_free (FixturePeer * p)
{
  if (p == NULL)
    return;
  if (p->client) {
    gst_opentok_client_disconnect (p->client);
    fixture_collector_unwatch (p->events, p->client);
    gst_object_unref (p->client);
  }
  /* completions queued on the context before the disconnect */
  while (g_main_context_iteration (p->context, FALSE));
  g_ptr_array_unref (p->sends);
  fixture_collector_free (p->events);
  g_main_context_unref (p->context);
  g_free (p->id);
  g_free (p->name);
  g_free (p);
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  FixtureConnect *c = user_data;

  c->ok = gst_opentok_client_connect_finish (GST_OPENTOK_CLIENT (source),
      result, &c->error);
  c->thread = g_thread_self ();
  c->done = TRUE;
}

/* Starts the connect; its callback runs on the peer's context. */
void
fixture_peer_connect_start (FixturePeer * p, FixtureConnect * c)
{
  memset (c, 0, sizeof (FixtureConnect));
  g_main_context_push_thread_default (p->context);
  gst_opentok_client_connect_async (p->client, NULL, on_connected, c);
  g_main_context_pop_thread_default (p->context);
}

/* Waits for the connect's callback; returns whether it came. */
gboolean
fixture_connect_wait (FixturePeer * p, FixtureConnect * c, guint timeout_ms)
{
  return fixture_wait_flag (p->context, &c->done, timeout_ms);
}

/* Connects @p and fails the test unless it joins. */
void
fixture_peer_connect (FixturePeer * p)
{
  FixtureConnect c;

  fixture_peer_connect_start (p, &c);
  fail_unless (fixture_connect_wait (p, &c, FIXTURE_WAIT_MS),
      "%s: connect hangs", p->name);
  fail_unless (c.ok, "%s could not connect: %s", p->name,
      c.error ? c.error->message : "?");
  fail_unless_equals_int (gst_opentok_client_get_state (p->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);
}

/* Connects @p and returns the error it fails with; the callback must run
 * on the caller's context. */
GError *
fixture_peer_connect_error (FixturePeer * p, FixtureConnect * c)
{
  GError *error;

  fixture_peer_connect_start (p, c);
  fail_unless (fixture_connect_wait (p, c, FIXTURE_WAIT_MS),
      "%s: connect hangs", p->name);
  fail_if (c->ok, "%s connected, expected an error", p->name);
  fail_unless (c->error != NULL);
  fail_unless (c->thread == g_thread_self (),
      "the connect callback did not run on the caller's context");
  error = c->error;
  c->error = NULL;
  return error;
}

static gpointer
disconnect_thread (gpointer client)
{
  gst_opentok_client_disconnect (client);
  return NULL;
}

/* Disconnects @p from a thread of its own, failing unless that returns
 * within FIXTURE_WAIT_MS with the session over. */
void
fixture_peer_disconnect (FixturePeer * p)
{
  fail_unless (fixture_run_bounded (disconnect_thread, p->client,
          FIXTURE_WAIT_MS), "%s: disconnect hangs", p->name);
  fail_unless_equals_int (gst_opentok_client_get_state (p->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
}

/* How many @event events @p recorded with @key (any key when NULL). */
guint
fixture_peer_count (FixturePeer * p, const gchar * event, const gchar * key)
{
  return fixture_collector_count (p->events, event, key ? "key" : NULL, key);
}

/* Where the first such event is in @p's history, or -1. */
gint
fixture_peer_index (FixturePeer * p, const gchar * event, const gchar * key)
{
  return fixture_collector_index (p->events, event, key ? "key" : NULL, key);
}

/* The first such event, or NULL. */
const GstStructure *
fixture_peer_find (FixturePeer * p, const gchar * event, const gchar * key)
{
  return fixture_collector_find (p->events, event, key ? "key" : NULL, key);
}

/* Waits until @p recorded at least @n such events. */
gboolean
fixture_peer_wait (FixturePeer * p, const gchar * event, const gchar * key,
    guint n, guint timeout_ms)
{
  return fixture_collector_wait (p->events, event, key ? "key" : NULL, key,
      n, timeout_ms);
}

typedef struct
{
  FixturePeer *p;
  GstOpenTokClientState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *w = data;

  return gst_opentok_client_get_state (w->p->client) == w->state;
}

/* Waits until @p's client is in @state. */
gboolean
fixture_peer_wait_state (FixturePeer * p, GstOpenTokClientState state,
    guint timeout_ms)
{
  StateWait w = { p, state };

  /* every state change is notified, which wakes the context */
  return fixture_wait (p->context, state_reached, &w, timeout_ms);
}

/* The notified states so far, as "1,2,..." (GstOpenTokClientState
 * values). */
gchar *
fixture_peer_states (FixturePeer * p)
{
  GString *out = g_string_new (NULL);
  const GstStructure *event;
  guint i;
  gint state;

  for (i = 0; (event = fixture_collector_nth (p->events, FIXTURE_EVENT_STATE,
              i)) != NULL; i++) {
    gst_structure_get_int (event, "state", &state);
    g_string_append_printf (out, "%s%d", out->len ? "," : "", state);
  }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

/* A signal to @to (the whole session when NULL). */
GstOpenTokSignal *
fixture_signal_new (const gchar * type, const gchar * data, const gchar * to,
    gboolean retry)
{
  GstOpenTokSignal *signal = gst_opentok_signal_new (type, data);

  if (to != NULL)
    gst_opentok_signal_set_to (signal, to);
  gst_opentok_signal_set_retry_after_reconnect (signal, retry);
  return signal;
}

static void
on_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  FixtureSend *s = user_data;

  g_mutex_lock (&s->lock);
  s->calls++;
  s->done = TRUE;
  s->same_signal = signal == s->signal;
  s->thread = g_thread_self ();
  if (error != NULL) {
    s->domain = error->domain;
    s->code = error->code;
    g_free (s->message);
    s->message = g_strdup (error->message);
  }
  g_mutex_unlock (&s->lock);
  fixture_notifier_notify (s->notifier);
}

static FixtureSend *
fixture_send_ref (FixtureSend * s)
{
  g_atomic_int_inc (&s->refcount);
  return s;
}

static void
fixture_send_unref (FixtureSend * s)
{
  if (!g_atomic_int_dec_and_test (&s->refcount))
    return;
  gst_opentok_signal_unref (s->signal);
  g_free (s->message);
  fixture_notifier_free (s->notifier);
  g_mutex_clear (&s->lock);
  g_free (s);
}

/* Sends a signal from @p. The send is kept by the peer until
 * fixture_peer_free(); the completion holds a reference of its own, so
 * that it may come after the peer is gone. */
FixtureSend *
fixture_peer_send (FixturePeer * p, const gchar * type, const gchar * data,
    const gchar * to, gboolean retry)
{
  FixtureSend *s = g_new0 (FixtureSend, 1);

  s->refcount = 1;
  g_mutex_init (&s->lock);
  s->notifier = fixture_notifier_new (p->context);
  s->signal = fixture_signal_new (type, data, to, retry);
  g_ptr_array_add (p->sends, s);
  gst_opentok_client_send_signal_full (p->client, s->signal, on_sent,
      fixture_send_ref (s), (GDestroyNotify) fixture_send_unref);
  return s;
}

/* Sends from @p (waiting for a reconnection if need be) and fails unless
 * the server accepts it. */
void
fixture_peer_send_ok (FixturePeer * p, const gchar * type, const gchar * data,
    const gchar * to)
{
  FixtureSend *s = fixture_peer_send (p, type, data, to, TRUE);
  gint code = fixture_send_wait (s, FIXTURE_WAIT_MS);

  fail_unless (code == 0, "%s's signal failed with %d: %s", p->name, code,
      GST_STR_NULL (s->message));
}

/* Whether the completion came. */
gboolean
fixture_send_done (FixtureSend * s)
{
  gboolean done;

  g_mutex_lock (&s->lock);
  done = s->done;
  g_mutex_unlock (&s->lock);
  return done;
}

static gboolean
send_done (gpointer data)
{
  return fixture_send_done (data);
}

/* Waits for the completion of @s and checks it: once, with the signal
 * sent, a GST_OPENTOK_SIGNAL_ERROR when refused. Returns its code (0:
 * accepted). */
gint
fixture_send_wait (FixtureSend * s, guint timeout_ms)
{
  gint code;

  fail_unless (fixture_notifier_wait (s->notifier, send_done, s, timeout_ms),
      "no completion for the signal '%s'",
      GST_STR_NULL (gst_opentok_signal_get_data (s->signal)));
  g_mutex_lock (&s->lock);
  fail_unless_equals_int (s->calls, 1);
  fail_unless (s->same_signal, "the completion got another signal");
  fail_unless (s->code == 0 || s->domain == GST_OPENTOK_SIGNAL_ERROR,
      "the error is not a GST_OPENTOK_SIGNAL_ERROR");
  code = s->code;
  g_mutex_unlock (&s->lock);
  return code;
}

/* ------------------------------------------------------------------------ */
/* signalbin                                                                */

/* A signalbin of @session_id at @api_url, with a token whose connection
 * data is @data. */
GstElement *
fixture_signalbin_new (const gchar * api_url, const gchar * session_id,
    const gchar * data)
{
  GstElement *element = gst_element_factory_make ("signalbin", NULL);
  gchar *token = fixture_token_new (session_id, data);

  fail_unless (element != NULL, "signalbin is not registered");
  g_object_set (element, "api-url", api_url, "api-key", FIXTURE_API_KEY,
      "session-id", session_id, "token", token, NULL);
  g_free (token);
  return element;
}

/* The opentok-signal structure of the send-signal action (to @to, the
 * whole session when NULL). */
GstStructure *
fixture_signal_structure (const gchar * type, const gchar * data,
    const gchar * to, gboolean retry)
{
  GstStructure *s = gst_structure_new ("opentok-signal",
      "type", G_TYPE_STRING, type, "data", G_TYPE_STRING, data,
      "retry-after-reconnect", G_TYPE_BOOLEAN, retry, NULL);

  if (to != NULL)
    gst_structure_set (s, "to", G_TYPE_STRING, to, NULL);
  return s;
}

/* Wraps a configured element in a harness (which sets it to PLAYING) with
 * a bus and a recorder; with @wait_joined, waits until it joined. */
FixtureBin *
fixture_bin_start (GstElement * element, const gchar * src_caps,
    gboolean wait_joined)
{
  FixtureBin *bin = g_new0 (FixtureBin, 1);
  GstMessage *message;

  bin->element = element;
  bin->events = fixture_collector_new (NULL);
  fixture_collector_watch (bin->events, element);
  bin->bus = gst_bus_new ();
  gst_element_set_bus (element, bin->bus);
  bin->h = gst_harness_new_with_element (element, "sink", "src");
  if (src_caps != NULL)
    gst_harness_set_src_caps_str (bin->h, src_caps);
  if (wait_joined) {
    message = fixture_bus_wait (bin->bus, GST_MESSAGE_ELEMENT,
        "opentok-session-connected", FIXTURE_WAIT_MS);
    fail_unless (message != NULL, "the element did not join in time");
    bin->id = g_strdup (gst_structure_get_string (gst_message_get_structure
            (message), "connection-id"));
    gst_message_unref (message);
    fail_unless (bin->id != NULL);
  }
  return bin;
}

void
fixture_bin_stop (FixtureBin * bin)
{
  gst_harness_teardown (bin->h);
  fixture_collector_unwatch (bin->events, bin->element);
  gst_element_set_bus (bin->element, NULL);
  gst_object_unref (bin->bus);
  gst_object_unref (bin->element);
  fixture_collector_free (bin->events);
  g_free (bin->id);
  g_free (bin);
}

/* Pops messages until an element message named @name (or, for a NULL
 * name, a message of one of @types) arrives. An error first fails the test
 * unless @types has GST_MESSAGE_ERROR. NULL at the deadline. */
GstMessage *
fixture_bus_wait (GstBus * bus, GstMessageType types, const gchar * name,
    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  GstMessage *message;
  gint64 left;

  while ((left = end - g_get_monotonic_time ()) > 0) {
    message = gst_bus_timed_pop (bus, left * GST_USECOND);
    if (message == NULL)
      break;
    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR
        && !(types & GST_MESSAGE_ERROR)) {
      GError *error = NULL;
      gchar *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      fail ("unexpected error: %s (%s)", error->message, debug);
    }
    if (name != NULL) {
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT
          && gst_message_has_name (message, name))
        return message;
    } else if (GST_MESSAGE_TYPE (message) & types) {
      return message;
    }
    gst_message_unref (message);
  }
  return NULL;
}

/* The next element message named @name; fails without one in time. */
GstMessage *
fixture_bus_wait_element (GstBus * bus, const gchar * name)
{
  GstMessage *message = fixture_bus_wait (bus, GST_MESSAGE_ELEMENT, name,
      FIXTURE_WAIT_MS);

  fail_unless (message != NULL, "no %s message in time", name);
  return message;
}

/* No error is waiting on the bus. */
void
fixture_bus_assert_no_error (GstBus * bus)
{
  GstMessage *message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (message != NULL) {
    GError *error = NULL;

    gst_message_parse_error (message, &error, NULL);
    fail ("unexpected error: %s", error->message);
  }
}

/* The code of a send-signal promise reply: 0 when the signal went out,
 * the GST_OPENTOK_SIGNAL_ERROR code when refused, -1 for a reply that is
 * not what signalbin documents. Any thread (it fails nothing). */
gint
fixture_reply_code (const GstStructure * reply)
{
  GError *error = NULL;
  gint code = -1;

  if (reply == NULL)
    return -1;
  if (!gst_structure_has_field (reply, "error"))
    return 0;
  if (!gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL))
    return -1;
  if (error->domain == GST_OPENTOK_SIGNAL_ERROR && error->message != NULL
      && *error->message != '\0')
    code = error->code;
  g_error_free (error);
  return code;
}

/* A GstPromiseChangeFunc that sets the gint at @flag to 1, atomically: the
 * reply may come on any thread. */
void
fixture_promise_set_flag (GstPromise * promise, gpointer flag)
{
  g_atomic_int_set ((gint *) flag, 1);
}

GstBuffer *
fixture_text_buffer (const gchar * text)
{
  return gst_buffer_new_memdup (text, strlen (text));
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

/* Parses @text, failing unless it is JSON. */
JsonNode *
fixture_json_parse (const gchar * text)
{
  GError *error = NULL;
  JsonNode *node;

  fail_unless (text != NULL && *text != '\0', "expected JSON, got nothing");
  node = json_from_string (text, &error);
  if (node == NULL)
    fail ("not JSON (%s): %s", error ? error->message : "empty", text);
  return node;
}

/* The member @name of @object, failing unless it is there and @holds
 * (what it must be, for the message). */
static JsonNode *
json_member (JsonObject * object, const gchar * name, JsonNodeType holds,
    GType value_type, const gchar * what)
{
  JsonNode *node = json_object_get_member (object, name);

  fail_unless (node != NULL, "member \"%s\" missing", name);
  fail_unless (JSON_NODE_TYPE (node) == holds && (holds != JSON_NODE_VALUE ||
          json_node_get_value_type (node) == value_type),
      "member \"%s\" is not %s", name, what);
  return node;
}

/* The string member @name of @object, failing when it is not a string. */
const gchar *
fixture_json_get_string (JsonObject * object, const gchar * name)
{
  return json_node_get_string (json_member (object, name, JSON_NODE_VALUE,
          G_TYPE_STRING, "a string"));
}

/* The integer member @name of @object, failing when it is not one. */
gint64
fixture_json_get_int (JsonObject * object, const gchar * name)
{
  return json_node_get_int (json_member (object, name, JSON_NODE_VALUE,
          G_TYPE_INT64, "an integer"));
}

/* The object member @name of @object, failing when it is not one. */
JsonObject *
fixture_json_get_object (JsonObject * object, const gchar * name)
{
  return json_node_get_object (json_member (object, name, JSON_NODE_OBJECT,
          G_TYPE_INVALID, "an object"));
}

/* The array member @name of @object, failing when it is not one. */
JsonArray *
fixture_json_get_array (JsonObject * object, const gchar * name)
{
  return json_node_get_array (json_member (object, name, JSON_NODE_ARRAY,
          G_TYPE_INVALID, "an array"));
}

/* The first element of a JSON array answer, which must be an object. */
JsonObject *
fixture_json_first_object (JsonNode * root)
{
  JsonArray *array;
  JsonNode *node;

  fail_unless (JSON_NODE_HOLDS_ARRAY (root), "the answer is not an array");
  array = json_node_get_array (root);
  fail_unless (json_array_get_length (array) >= 1, "the array is empty");
  node = json_array_get_element (array, 0);
  fail_unless (JSON_NODE_HOLDS_OBJECT (node), "element 0 is not an object");
  return json_node_get_object (node);
}

/* The strings of @array joined with ","; fails on anything else. */
gchar *
fixture_json_join_strings (JsonArray * array)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);

    fail_unless (JSON_NODE_HOLDS_VALUE (node) &&
        json_node_get_value_type (node) == G_TYPE_STRING,
        "array element %u is not a string", i);
    if (i > 0)
      g_string_append_c (out, ',');
    g_string_append (out, json_node_get_string (node));
  }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Base64 and JWTs                                                          */

/* @data in base64url without padding, as JWTs have it. */
gchar *
fixture_base64url_encode (gconstpointer data, gsize length)
{
  gchar *text = g_base64_encode (data, length);
  gchar *p;

  for (p = text; *p != '\0'; p++) {
    if (*p == '+') {
      *p = '-';
    } else if (*p == '/') {
      *p = '_';
    } else if (*p == '=') {
      *p = '\0';
      break;
    }
  }
  return text;
}

/* Decodes base64url (padded or not) into text. */
gchar *
fixture_base64url_decode (const gchar * text)
{
  GString *std = g_string_new (text);
  guchar *decoded;
  gchar *out, *p;
  gsize length;

  for (p = std->str; *p != '\0'; p++) {
    if (*p == '-')
      *p = '+';
    else if (*p == '_')
      *p = '/';
  }
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');
  decoded = g_base64_decode (std->str, &length);
  out = g_strndup ((const gchar *) decoded, length);
  g_free (decoded);
  g_string_free (std, TRUE);
  return out;
}

/* @input, taken as is, with its HS256 signature under @secret appended. */
gchar *
fixture_jwt_sign (const gchar * input, const gchar * secret)
{
  guint8 digest[32];
  gsize digest_length = sizeof (digest);
  gchar *signature, *jwt;
  GHmac *hmac;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret,
      strlen (secret));
  g_hmac_update (hmac, (const guchar *) input, -1);
  g_hmac_get_digest (hmac, digest, &digest_length);
  g_hmac_unref (hmac);
  signature = fixture_base64url_encode (digest, digest_length);
  jwt = g_strconcat (input, ".", signature, NULL);
  g_free (signature);
  return jwt;
}

/* An HS256 JWT of @header and @claims (any bytes; -1: NUL-terminated),
 * made here so that its claims can be anything. */
gchar *
fixture_jwt_new (const gchar * header, const gchar * claims,
    gssize claims_length, const gchar * secret)
{
  gchar *encoded_header, *encoded_claims, *input, *jwt;

  encoded_header = fixture_base64url_encode (header, strlen (header));
  encoded_claims = fixture_base64url_encode (claims, claims_length < 0 ?
      strlen (claims) : (gsize) claims_length);
  input = g_strconcat (encoded_header, ".", encoded_claims, NULL);
  jwt = fixture_jwt_sign (input, secret);
  g_free (input);
  g_free (encoded_claims);
  g_free (encoded_header);
  return jwt;
}

/* Part @index (0: header, 1: claims) of a three-part JWT, decoded. */
gchar *
fixture_jwt_part (const gchar * jwt, guint index)
{
  gchar **parts = g_strsplit (jwt, ".", -1);
  gchar *text;

  fail_unless_equals_int (g_strv_length (parts), 3);
  text = fixture_base64url_decode (parts[index]);
  g_strfreev (parts);
  return text;
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
