/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The embedded server's session model, in memory: no socket, no server
 * thread. Members are reached through fake links that keep what they are
 * sent. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "gst/opentok/gstopentoksessions.h"
#include "gst/opentok/gstopentokraptor.h"
#include "gst/opentok/gstopentokrumor.h"
#include "gst/opentok/gstopentoksignal.h"

#define API_KEY "1234"
#define WAIT_US (10 * G_USEC_PER_SEC)

/* what a link was sent, and what was done to it */
typedef struct
{
  GstOpenTokLink link;
  GPtrArray *frames;            /* GBytes */
  gushort close_code;
  gboolean evicted;
} FakeLink;

typedef struct
{
  GstOpenTokServerConfig config;
  GstOpenTokServerMetrics metrics;
  GMainContext *context;
  GstOpenTokSessions *sessions;
  GstOpenTokSession *session;
  GPtrArray *joined;            /* connection ids */
  GPtrArray *left;              /* "id:reason" */
  guint relayed;
} Fixture;

static void
fake_send (GstOpenTokLink * link, GBytes * frame)
{
  g_ptr_array_add (((FakeLink *) link)->frames, g_bytes_ref (frame));
}

static void
fake_close (GstOpenTokLink * link, gushort code, const gchar * reason)
{
  ((FakeLink *) link)->close_code = code;
}

static void
fake_evict (GstOpenTokLink * link)
{
  ((FakeLink *) link)->evicted = TRUE;
}

static const GstOpenTokLinkFuncs fake_funcs = {
  fake_send, fake_close, fake_evict
};

static FakeLink *
fake_link_new (void)
{
  FakeLink *link = g_new0 (FakeLink, 1);

  link->link.funcs = &fake_funcs;
  link->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  return link;
}

static void
fake_link_free (FakeLink * link)
{
  /* a link outliving its member is released, as the endpoint does */
  gst_opentok_link_release (&link->link);
  g_ptr_array_unref (link->frames);
  g_free (link);
}

static void
on_joined (GstOpenTokSession * session, GstOpenTokMember * member,
    gpointer user_data)
{
  g_ptr_array_add (((Fixture *) user_data)->joined, g_strdup (member->id));
}

static void
on_left (GstOpenTokSession * session, GstOpenTokMember * member,
    const gchar * reason, gpointer user_data)
{
  g_ptr_array_add (((Fixture *) user_data)->left,
      g_strdup_printf ("%s:%s", member->id, reason));
}

static void
on_relayed (GstOpenTokSession * session, const gchar * from,
    const gchar * to, const gchar * type, const gchar * data,
    gpointer user_data)
{
  ((Fixture *) user_data)->relayed++;
}

static const GstOpenTokSessionsEvents events = {
  on_joined, on_left, on_relayed
};

static void
on_session_added (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  fail_unless (error == NULL);
  *(GstOpenTokSession **) user_data = session;
}

static GstOpenTokSession *
add_session (Fixture * f)
{
  GstOpenTokSession *session = NULL;

  gst_opentok_sessions_add (f->sessions, API_KEY, on_session_added, &session);
  fail_unless (session != NULL);
  return session;
}

/* A cluster that commits what it is asked only when the test says so, as
 * one over a network does some time later. */
typedef struct
{
  GstOpenTokCluster parent;
  GQueue appends;               /* Append */
  guint64 offset;
} DeferredCluster;

typedef struct
{
  gchar *session_id;
  GstOpenTokEvent *event;
  GstOpenTokClusterDoneFunc done;
  gpointer user_data;
} Append;

static void
deferred_add_session (GstOpenTokCluster * cluster,
    const GstOpenTokSessionRecord * record, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  done (NULL, user_data);
}

static void
deferred_find_session (GstOpenTokCluster * cluster, const gchar * session_id,
    GstOpenTokClusterFoundFunc found, gpointer user_data)
{
  found (NULL, NULL, user_data);
}

static void
deferred_watch (GstOpenTokCluster * cluster, const gchar * session_id)
{
}

static void
deferred_claim (GstOpenTokCluster * cluster, const gchar * socket_id,
    GstOpenTokClusterClaimedFunc claimed, gpointer user_data)
{
  claimed (NULL, NULL, 0, NULL, user_data);
}

static void
deferred_acknowledge (GstOpenTokCluster * cluster, const gchar * session_id,
    const gchar * connection_id, guint64 offset)
{
}

static void
deferred_append (GstOpenTokCluster * cluster, const gchar * session_id,
    const GstOpenTokEvent * event, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  Append *append = g_new0 (Append, 1);

  append->session_id = g_strdup (session_id);
  append->event = gst_opentok_event_copy (event);
  append->done = done;
  append->user_data = user_data;
  g_queue_push_tail (&((DeferredCluster *) cluster)->appends, append);
}

static void
append_free (Append * append)
{
  gst_opentok_event_free (append->event);
  g_free (append->session_id);
  g_free (append);
}

static void
deferred_free (GstOpenTokCluster * cluster)
{
  g_queue_clear_full (&((DeferredCluster *) cluster)->appends,
      (GDestroyNotify) append_free);
  g_free (cluster);
}

static const GstOpenTokClusterVTable deferred_vtable = {
  TRUE, deferred_add_session, deferred_find_session, deferred_watch,
  deferred_watch, deferred_claim, deferred_acknowledge, deferred_append,
  deferred_free
};

/* Commits every waiting append in order, or refuses them all with
 * @refusal. Applied after the done, as the cluster of one node does. */
static guint
deferred_flush (DeferredCluster * self, const GError * refusal)
{
  Append *append;
  guint n = 0;

  while ((append = g_queue_pop_head (&self->appends))) {
    append->done ? append->done (refusal, append->user_data) : (void) 0;
    if (refusal == NULL) {
      append->event->offset = ++self->offset;
      self->parent.apply (append->session_id, append->event,
          self->parent.apply_data);
    }
    append_free (append);
    n++;
  }
  return n;
}

static Fixture *
fixture_new_full (guint reconnect_window, guint max_pending_messages,
    DeferredCluster ** deferred)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->config.api_key = (gchar *) API_KEY;
  f->config.signal_rate = 0;
  f->config.signal_burst = 10;
  f->config.reconnect_window = reconnect_window;
  f->config.max_pending_messages = max_pending_messages;
  f->config.max_pending_bytes = G_MAXUINT64;
  gst_opentok_server_metrics_init (&f->metrics);
  f->context = g_main_context_new ();
  f->joined = g_ptr_array_new_with_free_func (g_free);
  f->left = g_ptr_array_new_with_free_func (g_free);
  f->sessions = gst_opentok_sessions_new (&events, f, &f->metrics);
  if (deferred != NULL) {
    *deferred = g_new0 (DeferredCluster, 1);
    (*deferred)->parent.vtable = &deferred_vtable;
    (*deferred)->parent.apply = gst_opentok_sessions_apply;
    (*deferred)->parent.apply_data = f->sessions;
    g_queue_init (&(*deferred)->appends);
    gst_opentok_sessions_set_cluster (f->sessions, &(*deferred)->parent);
  }
  gst_opentok_sessions_start (f->sessions, &f->config, f->context);
  f->session = add_session (f);
  return f;
}

static Fixture *
fixture_new (guint reconnect_window, guint max_pending_messages)
{
  return fixture_new_full (reconnect_window, max_pending_messages, NULL);
}

static void
fixture_free (Fixture * f)
{
  gst_opentok_sessions_free (f->sessions);
  while (g_main_context_iteration (f->context, FALSE));
  g_main_context_unref (f->context);
  gst_opentok_server_metrics_clear (&f->metrics);
  g_ptr_array_unref (f->joined);
  g_ptr_array_unref (f->left);
  g_free (f);
}

/* what a join's callback said */
typedef struct
{
  gboolean called;
  GstOpenTokMember *member;
  GError *error;
  guint frames_then;            /* what its link had been sent by then */
} Joined;

static void
on_member_joined (GstOpenTokLink * link, GstOpenTokMember * member,
    const GError * error, gpointer user_data)
{
  Joined *joined = user_data;

  fail_if (joined->called, "a join answered twice");
  joined->called = TRUE;
  joined->member = member;
  joined->error = error ? g_error_copy (error) : NULL;
  joined->frames_then = ((FakeLink *) link)->frames->len;
}

static void
join_in (Fixture * f, GstOpenTokSession * session, const gchar * id,
    const gchar * socket_id, FakeLink * link, Joined * joined)
{
  gst_opentok_sessions_join (f->sessions, session, id, socket_id, "data",
      GST_OPENTOK_ROLE_MODERATOR, &link->link, on_member_joined, joined);
}

static GstOpenTokMember *
join (Fixture * f, const gchar * id, const gchar * socket_id, FakeLink * link)
{
  Joined joined = { 0, };

  join_in (f, f->session, id, socket_id, link, &joined);
  fail_unless (joined.called);
  fail_unless (joined.member != NULL, "join: %s", joined.error ?
      joined.error->message : "?");
  /* answered before anybody, itself included, heard of it */
  fail_unless_equals_int (joined.frames_then, 0);
  return joined.member;
}

/* Refused at once, with G_IO_ERROR_EXISTS. */
static void
assert_join_refused (Fixture * f, GstOpenTokSession * session,
    const gchar * id, const gchar * socket_id, FakeLink * link)
{
  Joined joined = { 0, };

  join_in (f, session, id, socket_id, link, &joined);
  fail_unless (joined.called && joined.member == NULL);
  fail_unless (g_error_matches (joined.error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_error_free (joined.error);
}

/* Iterates the model's context until @done, for at most WAIT_US. */
static gboolean
wait_for (Fixture * f, gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (!done (data)) {
    if (g_get_monotonic_time () > deadline)
      return FALSE;
    g_main_context_iteration (f->context, FALSE);
    g_thread_yield ();
  }
  return TRUE;
}

/* One frame a link was sent, read back: its Raptor method, and the
 * signal data or the connection event's reason. */
typedef struct
{
  gchar *transaction_id;
  gchar *method;
  gchar *detail;                /* signal data, or event reason */
} Sent;

static void
sent_clear (Sent * sent)
{
  g_free (sent->transaction_id);
  g_free (sent->method);
  g_free (sent->detail);
}

static void
read_sent (FakeLink * link, guint index, Sent * sent)
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokRaptorMessage *raptor;
  GError *error = NULL;
  GBytes *payload;
  gsize size;
  const gchar *data;

  fail_unless (index < link->frames->len, "frame %u of %u", index,
      link->frames->len);
  frame = gst_opentok_rumor_frame_parse (g_ptr_array_index (link->frames,
          index), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "?");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (frame),
      GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  payload = gst_opentok_rumor_frame_get_payload (frame);
  data = g_bytes_get_data (payload, &size);
  raptor = gst_opentok_raptor_message_parse (data, size, &error);
  fail_unless (raptor != NULL, "%s", error ? error->message : "?");
  sent->transaction_id = g_strdup (gst_opentok_rumor_frame_get_header (frame,
          "TRANSACTION-ID"));
  sent->method = g_strdup (gst_opentok_raptor_message_get_method (raptor));
  if (g_str_equal (sent->method, "signal"))
    sent->detail = g_strdup (json_object_get_string_member
        (gst_opentok_raptor_message_get_content (raptor), "data"));
  else
    sent->detail = g_strdup (gst_opentok_raptor_message_get_reason (raptor));
  gst_opentok_raptor_message_unref (raptor);
  gst_opentok_rumor_frame_unref (frame);
}

static void
assert_sent (FakeLink * link, guint index, const gchar * method,
    const gchar * detail)
{
  Sent sent = { NULL, };

  read_sent (link, index, &sent);
  fail_unless_equals_string (sent.method, method);
  fail_unless_equals_string (sent.detail, detail);
  sent_clear (&sent);
}

static gchar *
sent_transaction_id (FakeLink * link, guint index)
{
  Sent sent = { NULL, };
  gchar *id;

  read_sent (link, index, &sent);
  id = g_steal_pointer (&sent.transaction_id);
  sent_clear (&sent);
  return id;
}

/* Acknowledges every frame @link was sent, as a client that keeps up. */
static void
acknowledge_all (GstOpenTokMember * member, FakeLink * link)
{
  guint i;

  for (i = 0; i < link->frames->len; i++) {
    gchar *id = sent_transaction_id (link, i);

    gst_opentok_member_acknowledge (member, id);
    g_free (id);
  }
}

static void
on_done (const GError * error, gpointer user_data)
{
  GError **result = user_data;

  fail_unless (*result == NULL);
  *result = error ? g_error_copy (error) :
      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "done");
}

/* Relays and checks that it was accepted. */
static void
relay (Fixture * f, const gchar * from, const gchar * to, const gchar * data)
{
  GError *done = NULL;

  gst_opentok_session_relay_signal (f->session, from, NULL, to, "chat", data,
      NULL, on_done, &done);
  fail_unless (g_error_matches (done, G_IO_ERROR, G_IO_ERROR_NONE));
  g_error_free (done);
}

GST_START_TEST (test_broadcast_reaches_every_member_in_one_order)
{
  Fixture *f = fixture_new (0, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();

  join (f, "a", NULL, a);
  join (f, "b", NULL, b);
  relay (f, "a", NULL, "1");
  relay (f, "b", NULL, "2");
  relay (f, "", NULL, "3");

  /* each hears of itself and those after it, then every signal, the
   * sender's own included */
  fail_unless_equals_int (a->frames->len, 5);
  assert_sent (a, 0, "created", NULL);
  assert_sent (a, 1, "created", NULL);
  assert_sent (a, 2, "signal", "1");
  assert_sent (a, 3, "signal", "2");
  assert_sent (a, 4, "signal", "3");
  fail_unless_equals_int (b->frames->len, 4);
  assert_sent (b, 0, "created", NULL);
  assert_sent (b, 1, "signal", "1");
  assert_sent (b, 3, "signal", "3");
  fail_unless_equals_int (f->relayed, 3);
  fail_unless_equals_int (f->metrics.signals_received, 3);
  fail_unless_equals_int (f->metrics.signals_delivered, 6);
  fail_unless_equals_int (f->joined->len, 2);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_targeted_signal_reaches_only_its_target)
{
  Fixture *f = fixture_new (0, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  GError *error = NULL;

  join (f, "a", NULL, a);
  join (f, "b", NULL, b);
  fail_unless (gst_opentok_session_check_signal (f->session, "chat", "x",
          "b", &error));
  relay (f, "a", "b", "for b");
  fail_unless_equals_int (a->frames->len, 2);
  fail_unless_equals_int (b->frames->len, 2);
  assert_sent (b, 1, "signal", "for b");

  fail_if (gst_opentok_session_check_signal (f->session, "chat", "x",
          "nobody", &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND));
  g_clear_error (&error);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

/* Exactly once across a reconnection: what was acknowledged is not sent
 * again, what was not is, in order, with the same transaction ids. */
GST_START_TEST (test_rebind_resends_what_was_not_acknowledged)
{
  Fixture *f = fixture_new (60000, 100);
  FakeLink *a = fake_link_new (), *again = fake_link_new ();
  GstOpenTokMember *member;
  gchar *oldest, *third, *resent;

  member = join (f, "a", "socket-a", a);
  relay (f, "a", NULL, "1");
  relay (f, "a", NULL, "2");
  relay (f, "a", NULL, "3");
  fail_unless_equals_int (a->frames->len, 4);

  /* its own creation and the third signal, the latter out of order */
  oldest = sent_transaction_id (a, 0);
  third = sent_transaction_id (a, 3);
  gst_opentok_member_acknowledge (member, third);
  gst_opentok_member_acknowledge (member, oldest);

  gst_opentok_member_detach (member);
  fail_unless (a->link.member == NULL);
  fail_unless_equals_int (f->left->len, 0);
  fail_unless (gst_opentok_sessions_rebind (f->sessions, "socket-a",
          &again->link) == member);
  fail_unless_equals_int (again->frames->len, 2);
  assert_sent (again, 0, "signal", "1");
  assert_sent (again, 1, "signal", "2");
  resent = sent_transaction_id (again, 0);
  g_free (oldest);
  oldest = sent_transaction_id (a, 1);
  fail_unless_equals_string (resent, oldest);
  fail_unless_equals_int (f->metrics.reconnections, 1);
  fail_unless (gst_opentok_sessions_rebind (f->sessions, "other",
          &a->link) == NULL);

  g_free (oldest);
  g_free (third);
  g_free (resent);
  fixture_free (f);
  fake_link_free (a);
  fake_link_free (again);
}

GST_END_TEST;

static gboolean
has_left (gpointer data)
{
  return ((Fixture *) data)->left->len > 0;
}

/* a leave waits in the deferred cluster */
static gboolean
has_waiting_append (gpointer data)
{
  return ((DeferredCluster *) data)->appends.length > 0;
}

GST_START_TEST (test_member_not_back_within_the_window_leaves)
{
  Fixture *f = fixture_new (1, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  GstOpenTokMember *member;

  member = join (f, "a", "socket-a", a);
  join (f, "b", NULL, b);
  gst_opentok_member_detach (member);
  fail_unless (wait_for (f, has_left, f));
  fail_unless_equals_string (g_ptr_array_index (f->left, 0),
      "a:networkDisconnected");
  assert_sent (b, b->frames->len - 1, "deleted", "networkDisconnected");
  fail_unless (gst_opentok_session_lookup_member (f->session, "a") == NULL);
  fail_unless (gst_opentok_sessions_rebind (f->sessions, "socket-a",
          &a->link) == NULL);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_member_that_cannot_reconnect_leaves_at_once)
{
  Fixture *f = fixture_new (60000, 100);
  FakeLink *a = fake_link_new ();

  /* no socket id: its client cannot come back */
  gst_opentok_member_detach (join (f, "a", NULL, a));
  fail_unless_equals_int (f->left->len, 1);
  fail_unless_equals_string (g_ptr_array_index (f->left, 0),
      "a:networkDisconnected");

  fixture_free (f);
  fake_link_free (a);
}

GST_END_TEST;

static gboolean
is_closed (gpointer data)
{
  return ((FakeLink *) data)->close_code != 0;
}

GST_START_TEST (test_member_that_does_not_acknowledge_is_dropped)
{
  Fixture *f = fixture_new (0, 3);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  GstOpenTokMember *keeps_up;
  guint i;

  join (f, "a", NULL, a);
  keeps_up = join (f, "b", NULL, b);
  /* a acknowledges nothing: its third pending message is its last */
  for (i = 0; i < 5; i++) {
    relay (f, "b", NULL, "x");
    acknowledge_all (keeps_up, b);
  }
  fail_unless (wait_for (f, is_closed, a));
  fail_unless_equals_int (a->close_code, 1008);
  fail_unless_equals_int (a->frames->len, 3);
  fail_unless_equals_string (g_ptr_array_index (f->left, 0),
      "a:networkDisconnected");
  fail_unless_equals_int (GPOINTER_TO_SIZE (g_hash_table_lookup
          (f->metrics.errors, GUINT_TO_POINTER (1008))), 1);
  fail_unless (gst_opentok_session_lookup_member (f->session, "b") != NULL);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_signal_budget_refuses_past_the_burst)
{
  Fixture *f = fixture_new (0, 100);
  FakeLink *a = fake_link_new ();
  GstOpenTokMember *member;

  /* one signal every 1000 s refills nothing while the test runs */
  f->config.signal_rate = 0.001;
  f->config.signal_burst = 2;
  member = join (f, "a", NULL, a);
  fail_unless (gst_opentok_member_take_signal_token (member));
  fail_unless (gst_opentok_member_take_signal_token (member));
  fail_if (gst_opentok_member_take_signal_token (member));

  fixture_free (f);
  fake_link_free (a);
}

GST_END_TEST;

GST_START_TEST (test_join_refuses_ids_in_use)
{
  Fixture *f = fixture_new (60000, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();

  join (f, "a", "socket-a", a);
  assert_join_refused (f, f->session, "a", NULL, b);
  /* socket ids are unique across sessions: reconnection finds by them */
  assert_join_refused (f, add_session (f), "b", "socket-a", b);
  fail_unless (b->link.member == NULL && b->link.joining == NULL);
  fail_unless_equals_int (f->joined->len, 1);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_reply_is_stored_once)
{
  Fixture *f = fixture_new (0, 100);
  FakeLink *a = fake_link_new ();
  GstOpenTokMember *member = join (f, "a", NULL, a);
  GstOpenTokStoredReply *reply;

  fail_unless (gst_opentok_member_lookup_reply (member, "t1") == NULL);
  reply = gst_opentok_member_store_reply (member, "t1", 429, "{}");
  fail_unless (reply != NULL);
  fail_unless (gst_opentok_member_store_reply (member, "t1", 200,
          NULL) == NULL);
  reply = gst_opentok_member_lookup_reply (member, "t1");
  fail_unless_equals_int (reply->status, 429);
  fail_unless_equals_string (reply->body, "{}");

  fixture_free (f);
  fake_link_free (a);
}

GST_END_TEST;

GST_START_TEST (test_force_disconnect_tells_the_victim_then_evicts_it)
{
  Fixture *f = fixture_new (60000, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  GError *done = NULL;

  join (f, "a", "socket-a", a);
  join (f, "b", NULL, b);
  gst_opentok_session_force_disconnect (f->session, "a", NULL, on_done, &done);
  fail_unless (g_error_matches (done, G_IO_ERROR, G_IO_ERROR_NONE));
  g_clear_error (&done);
  assert_sent (a, a->frames->len - 1, "deleted", "forceDisconnected");
  assert_sent (b, b->frames->len - 1, "deleted", "forceDisconnected");
  fail_unless (a->evicted);
  fail_unless (a->link.member == NULL);
  fail_unless_equals_string (g_ptr_array_index (f->left, 0),
      "a:forceDisconnected");
  /* gone for good: no reconnection window */
  fail_unless (gst_opentok_sessions_rebind (f->sessions, "socket-a",
          &a->link) == NULL);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_join_waits_for_the_cluster)
{
  DeferredCluster *cluster;
  Fixture *f = fixture_new_full (0, 100, &cluster);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  Joined joined = { 0, };
  gchar *state;

  join_in (f, f->session, "a", NULL, a, &joined);
  fail_if (joined.called);
  fail_unless (a->link.member == NULL && a->link.joining != NULL);
  fail_unless (gst_opentok_session_lookup_member (f->session, "a") == NULL);
  /* the id is taken while its join waits */
  assert_join_refused (f, f->session, "a", NULL, b);
  state = gst_opentok_session_state_new (f->session);
  fail_if (strstr (state, "\"a\"") != NULL, "%s", state);
  g_free (state);

  fail_unless_equals_int (deferred_flush (cluster, NULL), 1);
  fail_unless (joined.called && joined.member != NULL);
  fail_unless_equals_int (joined.frames_then, 0);
  fail_unless (a->link.member == joined.member && a->link.joining == NULL);
  assert_sent (a, 0, "created", NULL);
  fail_unless_equals_int (f->joined->len, 1);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_join_refused_by_the_cluster_frees_its_id)
{
  DeferredCluster *cluster;
  Fixture *f = fixture_new_full (0, 100, &cluster);
  FakeLink *a = fake_link_new ();
  Joined joined = { 0, };
  GError *taken = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS,
      "joined on another node");

  join_in (f, f->session, "a", NULL, a, &joined);
  fail_unless_equals_int (deferred_flush (cluster, taken), 1);
  fail_unless (joined.called && joined.member == NULL);
  fail_unless (g_error_matches (joined.error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  fail_unless (a->link.member == NULL && a->link.joining == NULL);
  fail_unless_equals_int (a->frames->len, 0);
  fail_unless_equals_int (f->joined->len, 0);
  g_clear_error (&joined.error);

  memset (&joined, 0, sizeof (joined));
  join_in (f, f->session, "a", NULL, a, &joined);
  deferred_flush (cluster, NULL);
  fail_unless (joined.member != NULL);

  g_error_free (taken);
  fixture_free (f);
  fake_link_free (a);
}

GST_END_TEST;

/* Its client may still come back: it is in, detached, in its window. */
GST_START_TEST (test_join_whose_socket_went_meanwhile_is_detached)
{
  DeferredCluster *cluster;
  Fixture *f = fixture_new_full (1, 100, &cluster);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  Joined joined = { 0, };

  join_in (f, f->session, "b", NULL, b, &joined);
  deferred_flush (cluster, NULL);
  memset (&joined, 0, sizeof (joined));
  join_in (f, f->session, "a", "socket-a", a, &joined);
  gst_opentok_link_release (&a->link);
  fail_unless (a->link.joining == NULL);
  deferred_flush (cluster, NULL);
  fail_if (joined.called);
  fail_unless_equals_int (a->frames->len, 0);
  assert_sent (b, b->frames->len - 1, "created", NULL);
  fail_unless (gst_opentok_session_lookup_member (f->session, "a") != NULL);

  /* the window ends: its leave goes to the cluster too */
  fail_unless (wait_for (f, has_waiting_append, cluster));
  fail_unless_equals_int (f->left->len, 0);
  deferred_flush (cluster, NULL);
  fail_unless_equals_string (g_ptr_array_index (f->left, 0),
      "a:networkDisconnected");
  assert_sent (b, b->frames->len - 1, "deleted", "networkDisconnected");

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_leave_is_told_when_the_cluster_applies_it)
{
  DeferredCluster *cluster;
  Fixture *f = fixture_new_full (0, 100, &cluster);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  Joined joined_a = { 0, }, joined_b = { 0, };
  guint sent_b;

  join_in (f, f->session, "a", NULL, a, &joined_a);
  join_in (f, f->session, "b", NULL, b, &joined_b);
  deferred_flush (cluster, NULL);
  sent_b = b->frames->len;

  gst_opentok_member_remove (joined_a.member, "clientDisconnected");
  fail_unless (a->link.member == NULL);
  /* a second removal (its socket closing now) is the same leave */
  gst_opentok_member_remove (joined_a.member, "networkDisconnected");
  fail_unless_equals_int (b->frames->len, sent_b);
  fail_unless_equals_int (f->left->len, 0);

  fail_unless_equals_int (deferred_flush (cluster, NULL), 1);
  fail_unless_equals_int (b->frames->len, sent_b + 1);
  assert_sent (b, sent_b, "deleted", "clientDisconnected");
  fail_unless_equals_int (f->left->len, 1);
  fail_unless (gst_opentok_session_lookup_member (f->session, "a") == NULL);

  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_session_state_lists_members_in_joining_order)
{
  Fixture *f = fixture_new (0, 100);
  FakeLink *a = fake_link_new (), *b = fake_link_new ();
  JsonNode *root;
  JsonArray *connections;
  guint64 members, pending;
  gchar *state;

  join (f, "b", NULL, b);
  join (f, "a", NULL, a);
  state = gst_opentok_session_state_new (f->session);
  root = json_from_string (state, NULL);
  fail_unless (root != NULL);
  connections = json_object_get_array_member (json_node_get_object (root),
      "connection");
  fail_unless_equals_int (json_array_get_length (connections), 2);
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (connections, 0), "id"), "b");
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (connections, 1), "data"), "data");
  gst_opentok_sessions_count (f->sessions, &members, &pending);
  fail_unless_equals_int (members, 2);
  /* b's own creation and a's, a's own: none acknowledged */
  fail_unless_equals_int (pending, 3);

  json_node_unref (root);
  g_free (state);
  fixture_free (f);
  fake_link_free (a);
  fake_link_free (b);
}

GST_END_TEST;

GST_START_TEST (test_clear_forgets_everything_silently)
{
  Fixture *f = fixture_new (60000, 100);
  FakeLink *a = fake_link_new ();

  join (f, "a", "socket-a", a);
  gst_opentok_member_detach (a->link.member);
  gst_opentok_sessions_clear (f->sessions);
  fail_unless_equals_int (gst_opentok_sessions_get_n_sessions (f->sessions), 0);
  fail_unless_equals_int (f->left->len, 0);
  /* the reconnection window's timer went with it */
  fail_if (g_main_context_pending (f->context));

  fixture_free (f);
  fake_link_free (a);
}

GST_END_TEST;

static Suite *
sessions_suite (void)
{
  Suite *s = suite_create ("opentoksessions");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_broadcast_reaches_every_member_in_one_order);
  tcase_add_test (tc, test_targeted_signal_reaches_only_its_target);
  tcase_add_test (tc, test_rebind_resends_what_was_not_acknowledged);
  tcase_add_test (tc, test_member_not_back_within_the_window_leaves);
  tcase_add_test (tc, test_member_that_cannot_reconnect_leaves_at_once);
  tcase_add_test (tc, test_member_that_does_not_acknowledge_is_dropped);
  tcase_add_test (tc, test_signal_budget_refuses_past_the_burst);
  tcase_add_test (tc, test_join_refuses_ids_in_use);
  tcase_add_test (tc, test_reply_is_stored_once);
  tcase_add_test (tc, test_force_disconnect_tells_the_victim_then_evicts_it);
  tcase_add_test (tc, test_join_waits_for_the_cluster);
  tcase_add_test (tc, test_join_refused_by_the_cluster_frees_its_id);
  tcase_add_test (tc, test_join_whose_socket_went_meanwhile_is_detached);
  tcase_add_test (tc, test_leave_is_told_when_the_cluster_applies_it);
  tcase_add_test (tc, test_session_state_lists_members_in_joining_order);
  tcase_add_test (tc, test_clear_forgets_everything_silently);
  return s;
}

GST_CHECK_MAIN (sessions);
