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

#include <glib/gstdio.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>

#include "fixture.h"
#include "tcpproxy.h"

#define API_KEY FIXTURE_API_KEY
#define API_SECRET FIXTURE_API_SECRET
#define WAIT_MS FIXTURE_WAIT_MS

/* the server of the test case, started by its checked fixture */
static FixtureServer *srv;

static void
server_setup (void)
{
  srv = fixture_server_new (NULL);
}

static void
server_teardown (void)
{
  fixture_server_free (srv);
  srv = NULL;
}

/* ------------------------------------------------------------------------ */
/* A second client in the session, the peer                                 */

/* A peer with the connection data "peer", joined. */
static FixturePeer *
peer_new (void)
{
  FixturePeer *peer = fixture_server_peer (srv, NULL, "peer", NULL, "peer");

  fixture_peer_connect (peer);
  return peer;
}

/* The @index-th signal @peer received (waiting for it), as the fields of
 * gst_opentok_signal_to_structure(). */
static const GstStructure *
peer_signal (FixturePeer * peer, guint index)
{
  fail_unless (fixture_collector_wait (peer->events, FIXTURE_EVENT_SIGNAL,
          NULL, NULL, index + 1, WAIT_MS), "the peer did not get signal %u",
      index);
  return fixture_collector_nth (peer->events, FIXTURE_EVENT_SIGNAL, index);
}

static guint
peer_n_signals (FixturePeer * peer)
{
  return fixture_collector_count (peer->events, FIXTURE_EVENT_SIGNAL, NULL,
      NULL);
}

/* Waits for an event of @peer whose @field is @value; returns its index,
 * -1 at the deadline. */
static gint
peer_find (FixturePeer * peer, const gchar * field, const gchar * value)
{
  return fixture_collector_wait_index (peer->events, NULL, field, value,
      WAIT_MS);
}

/* ------------------------------------------------------------------------ */
/* The element                                                              */

static gchar *
make_token (const gchar * data)
{
  return fixture_server_token (srv, NULL, GST_OPENTOK_ROLE_PUBLISHER, data);
}

static GstElement *
signalbin_new (void)
{
  return fixture_signalbin_new (srv->url, srv->session_id, "element");
}

/* Sends through the action signal and waits for the promise's reply; the
 * caller frees the reply. */
static GstStructure *
send_action (GstElement * element, const GstStructure * signal)
{
  GstPromise *promise = gst_promise_new ();
  GstStructure *reply;

  g_signal_emit_by_name (element, "send-signal", signal, promise);
  fail_unless_equals_int (gst_promise_wait (promise),
      GST_PROMISE_RESULT_REPLIED);
  reply = gst_structure_copy (gst_promise_get_reply (promise));
  gst_promise_unref (promise);
  fail_unless (gst_structure_has_name (reply, "application/x-gst-promise"));
  return reply;
}

static GstStructure *
send_action_string (GstElement * element, const gchar * description)
{
  GstStructure *signal = gst_structure_new_from_string (description);
  GstStructure *reply;

  fail_unless (signal != NULL, "bad structure %s", description);
  reply = send_action (element, signal);
  gst_structure_free (signal);
  return reply;
}

static void
assert_sent_ok (GstElement * element, const gchar * description)
{
  GstStructure *reply = send_action_string (element, description);

  fail_unless_equals_int (fixture_reply_code (reply), 0);
  gst_structure_free (reply);
}

static gint
send_code (GstElement * element, const gchar * description)
{
  GstStructure *reply = send_action_string (element, description);
  gint code = fixture_reply_code (reply);

  gst_structure_free (reply);
  return code;
}

/* Waits for the next opentok-signal-sent message and checks it. */
static void
expect_sent (GstBus * bus, const gchar * origin, gint code)
{
  GstMessage *message = fixture_bus_wait_element (bus, "opentok-signal-sent");
  const GstStructure *s = gst_message_get_structure (message);
  gint got = 0;

  fail_unless_equals_string (gst_structure_get_string (s, "origin"), origin);
  fail_unless (gst_structure_has_field_typed (s, "signal", GST_TYPE_STRUCTURE));
  if (code == 0) {
    fail_if (gst_structure_has_field (s, "code"), "refused: %s",
        gst_structure_get_string (s, "message"));
  } else {
    const gchar *text = gst_structure_get_string (s, "message");

    /* printable fields only: gst-launch-1.0 -m shows them */
    fail_unless (gst_structure_get_int (s, "code", &got));
    fail_unless_equals_int (got, code);
    fail_unless_equals_string (gst_structure_get_string (s, "domain"),
        g_quark_to_string (GST_OPENTOK_SIGNAL_ERROR));
    fail_unless (text != NULL && *text != '\0');
    fail_if (gst_structure_has_field (s, "error"));
  }
  gst_message_unref (message);
}

static void
expect_peer_signal (FixturePeer * peer, guint index, const gchar * type,
    const gchar * data, const gchar * from)
{
  const GstStructure *s = peer_signal (peer, index);

  fail_unless_equals_string (gst_structure_get_string (s, "type"), type);
  fail_unless_equals_string (gst_structure_get_string (s, "data"), data);
  fail_unless_equals_string (gst_structure_get_string (s, "from"), from);
}

/* ------------------------------------------------------------------------ */
/* Settings and state                                                       */

static void
expect_settings_failure (GstElement * element, const gchar * property)
{
  GstBus *bus = gst_bus_new ();
  GstMessage *message;
  GError *error = NULL;

  gst_element_set_bus (element, bus);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (message != NULL, "no error for a missing %s", property);
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (error->code, GST_RESOURCE_ERROR_SETTINGS);
  fail_unless (strstr (error->message, property) != NULL, "%s", error->message);
  g_error_free (error);
  gst_message_unref (message);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_START_TEST (test_missing_settings_fail_null_to_ready)
{
  GstElement *element;

  element = signalbin_new ();
  g_object_set (element, "api-key", NULL, NULL);
  expect_settings_failure (element, "api-key");

  element = signalbin_new ();
  g_object_set (element, "session-id", "", NULL);
  expect_settings_failure (element, "session-id");

  element = signalbin_new ();
  g_object_set (element, "token", NULL, NULL);
  expect_settings_failure (element, "token");

  element = signalbin_new ();
  g_object_set (element, "api-url", "", NULL);
  expect_settings_failure (element, "api-url");

  /* only http and https, with a host */
  element = signalbin_new ();
  g_object_set (element, "api-url", "ws://127.0.0.1:3000", NULL);
  expect_settings_failure (element, "api-url");
  element = signalbin_new ();
  g_object_set (element, "api-url", "127.0.0.1:3000", NULL);
  expect_settings_failure (element, "api-url");
  element = signalbin_new ();
  g_object_set (element, "api-url", "http://", NULL);
  expect_settings_failure (element, "api-url");
}

GST_END_TEST;

GST_START_TEST (test_properties_defaults)
{
  GstElement *element = gst_element_factory_make ("signalbin", NULL);
  gchar *url, *id;
  gboolean retry;
  gint format;
  GParamSpec *pspec;
  GstOpenTokClientState state;

  g_object_get (element, "api-url", &url, "retry-after-reconnect", &retry,
      "connection-id", &id, "state", &state, "src-format", &format, NULL);
  fail_unless_equals_string (url, "https://anvil.opentok.com");
  fail_unless (retry);
  fail_unless (id == NULL);
  fail_unless_equals_int (state, GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  fail_unless_equals_int (format, 0);
  g_free (url);

  /* the secret is write-only; the connection settings mutable in READY */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element),
      "api-secret");
  fail_unless (pspec != NULL);
  fail_if (pspec->flags & G_PARAM_READABLE);
  fail_unless (pspec->flags & GST_PARAM_MUTABLE_READY);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "token");
  fail_unless (pspec->flags & GST_PARAM_MUTABLE_READY);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element),
      "connection-id");
  fail_if (pspec->flags & G_PARAM_WRITABLE);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "state");
  fail_unless (G_IS_PARAM_SPEC_ENUM (pspec));
  fail_unless (G_PARAM_SPEC_VALUE_TYPE (pspec) ==
      GST_TYPE_OPENTOK_CLIENT_STATE);
  gst_object_unref (element);
}

GST_END_TEST;

GST_START_TEST (test_settings_refused_past_ready)
{
  GstElement *element = signalbin_new ();
  FixtureBin *bin = fixture_bin_start (element, NULL, TRUE);
  gchar *url, *key, *session, *type;
  GstMessage *message;
  gint format;

  g_object_set (element, "api-url", "http://127.0.0.1:1", "api-key", "99",
      "session-id", "other", "token", "other", "api-secret", "other",
      "src-format", 1, "signal-type", "chat", NULL);
  g_object_get (element, "api-url", &url, "api-key", &key, "session-id",
      &session, "src-format", &format, "signal-type", &type, NULL);
  fail_unless_equals_string (url, srv->url);
  fail_unless_equals_string (key, API_KEY);
  fail_unless_equals_string (session, srv->session_id);
  fail_unless_equals_int (format, 0);
  /* not a connection setting: changes at any time */
  fail_unless_equals_string (type, "chat");
  g_free (url);
  g_free (key);
  g_free (session);
  g_free (type);

  /* the refused token was not taken: the next session joins with the
   * first one */
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_if (gst_element_set_state (element, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  message = fixture_bus_wait_element (bin->bus, "opentok-session-connected");
  gst_message_unref (message);

  /* accepted again in READY, and used by the next session */
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_object_set (element, "api-key", "99", NULL);
  g_object_get (element, "api-key", &key, NULL);
  fail_unless_equals_string (key, "99");
  g_free (key);
  g_object_set (element, "api-key", API_KEY, "token", "not a token", NULL);
  gst_element_set_state (element, GST_STATE_PLAYING);
  message = fixture_bus_wait (bin->bus, GST_MESSAGE_ERROR, NULL, WAIT_MS);
  fail_unless (message != NULL, "the new token was not used");
  gst_message_unref (message);
  fixture_bin_stop (bin);
}

GST_END_TEST;

GST_START_TEST (test_joins_and_reports_session)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GstOpenTokClientState state;
  GstMessage *message;
  gchar *ready_id, *id;
  gint index;
  FixtureBin *bin;

  /* the id is chosen in READY, and is the one the session sees */
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_object_get (element, "connection-id", &ready_id, NULL);
  fail_unless (ready_id != NULL);
  bin = fixture_bin_start (element, NULL, TRUE);
  fail_unless_equals_string (bin->id, ready_id);
  g_object_get (element, "connection-id", &id, "state", &state, NULL);
  fail_unless_equals_string (id, bin->id);
  fail_unless_equals_int (state, GST_OPENTOK_CLIENT_STATE_CONNECTED);

  /* connection-created, for the peer already there */
  while (TRUE) {
    const GstStructure *s;

    message = fixture_bus_wait_element (bin->bus, "opentok-connection-created");
    s = gst_message_get_structure (message);
    if (g_strcmp0 (gst_structure_get_string (s, "connection-id"),
            peer->id) == 0) {
      gint64 t = 0;

      fail_unless_equals_string (gst_structure_get_string (s, "data"), "peer");
      fail_unless (gst_structure_get_int64 (s, "creation-time", &t));
      fail_unless (t > 0);
      gst_message_unref (message);
      break;
    }
    gst_message_unref (message);
  }

  /* the peer sees the element arrive with its token's data */
  index = peer_find (peer, "connection-id", id);
  fail_unless (index >= 0);
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (peer->events, index), "data"), "element");

  /* and leave at once, cleanly, in PAUSED->READY */
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  message = fixture_bus_wait_element (bin->bus, "opentok-session-disconnected");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (message), "reason"), "clientDisconnected");
  gst_message_unref (message);
  index = peer_find (peer, "reason", "clientDisconnected");
  fail_unless (index >= 0, "the peer did not see the element leave");
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (peer->events, index), "connection-id"), id);

  /* a new connection id for the next session */
  g_free (id);
  g_object_get (element, "connection-id", &id, NULL);
  fail_unless (id != NULL);
  fail_if (g_strcmp0 (id, bin->id) == 0);

  fixture_bus_assert_no_error (bin->bus);
  g_free (id);
  g_free (ready_id);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

GST_START_TEST (test_send_signal_action_reaches_peer_and_self)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstStructure *reply;
  const GstStructure *echo;
  const GstStructure *s;
  gboolean from_self = FALSE;
  GstMessage *message;

  reply = send_action_string (bin->element,
      "opentok-signal, type=chat, data=hello");
  fail_unless_equals_int (fixture_reply_code (reply), 0);
  fail_unless (gst_structure_get (reply, "signal", GST_TYPE_STRUCTURE,
          &echo, NULL));
  fail_unless_equals_string (gst_structure_get_string (echo, "type"), "chat");
  fail_unless_equals_string (gst_structure_get_string (echo, "data"), "hello");
  gst_structure_free ((GstStructure *) echo);
  gst_structure_free (reply);

  expect_peer_signal (peer, 0, "chat", "hello", bin->id);
  s = peer_signal (peer, 0);
  fail_unless (gst_structure_get_boolean (s, "from-self", &from_self));
  fail_if (from_self);

  /* a session-wide signal comes back to its sender */
  message = fixture_bus_wait_element (bin->bus, "opentok-signal");
  s = gst_message_get_structure (message);
  fail_unless_equals_string (gst_structure_get_string (s, "type"), "chat");
  fail_unless_equals_string (gst_structure_get_string (s, "data"), "hello");
  fail_unless_equals_string (gst_structure_get_string (s, "from"), bin->id);
  fail_unless (gst_structure_get_boolean (s, "from-self", &from_self));
  fail_unless (from_self);
  gst_message_unref (message);

  /* C entry point, and a NULL promise reports on the bus */
  {
    GstStructure *sig = gst_structure_new ("opentok-signal", "data",
        G_TYPE_STRING, "no promise", NULL);

    g_signal_emit_by_name (bin->element, "send-signal", sig, NULL);
    gst_structure_free (sig);
  }
  expect_sent (bin->bus, "action", 0);
  expect_peer_signal (peer, 1, "", "no promise", bin->id);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_send_signal_targeted_reaches_only_target)
{
  FixturePeer *a = peer_new ();
  FixturePeer *b = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstMessage *message;
  gchar *desc;

  desc = g_strdup_printf ("opentok-signal, type=private, data=secret, "
      "to=%s", a->id);
  assert_sent_ok (bin->element, desc);
  g_free (desc);
  assert_sent_ok (bin->element, "opentok-signal, type=marker, data=all");

  expect_peer_signal (a, 0, "private", "secret", bin->id);
  expect_peer_signal (a, 1, "marker", "all", bin->id);
  /* b's first signal is the marker: the targeted one never came */
  expect_peer_signal (b, 0, "marker", "all", bin->id);
  /* and the sender does not get its targeted signal back */
  message = fixture_bus_wait_element (bin->bus, "opentok-signal");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (message), "type"), "marker");
  gst_message_unref (message);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (a);
  fixture_peer_free (b);
}

GST_END_TEST;

GST_START_TEST (test_send_signal_limits_reply_opentok_codes)
{
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstStructure *s;
  gchar *big, *desc;

  /* type: 128 bytes pass, 129 are 413 */
  big = g_strnfill (128, 'a');
  desc = g_strdup_printf ("opentok-signal, type=%s", big);
  fail_unless_equals_int (send_code (bin->element, desc), 0);
  g_free (desc);
  g_free (big);
  big = g_strnfill (129, 'a');
  desc = g_strdup_printf ("opentok-signal, type=%s", big);
  fail_unless_equals_int (send_code (bin->element, desc), 413);
  g_free (desc);
  g_free (big);

  /* data: 8192 bytes pass, 8193 are 413 */
  big = g_strnfill (8192, 'd');
  s = gst_structure_new ("opentok-signal", "data", G_TYPE_STRING, big, NULL);
  {
    GstStructure *reply = send_action (bin->element, s);

    fail_unless_equals_int (fixture_reply_code (reply), 0);
    gst_structure_free (reply);
  }
  gst_structure_free (s);
  g_free (big);
  big = g_strnfill (8193, 'd');
  s = gst_structure_new ("opentok-signal", "data", G_TYPE_STRING, big, NULL);
  {
    GstStructure *reply = send_action (bin->element, s);

    fail_unless_equals_int (fixture_reply_code (reply), 413);
    gst_structure_free (reply);
  }
  gst_structure_free (s);
  g_free (big);

  /* bad characters, bad fields, bad names: 400 */
  fail_unless_equals_int (send_code (bin->element,
          "opentok-signal, type=(string)\"a b\""), 400);
  fail_unless_equals_int (send_code (bin->element,
          "opentok-signal, type=(string)\"a/b\""), 400);
  fail_unless_equals_int (send_code (bin->element,
          "opentok-signal, data=(int)42"), 400);
  fail_unless_equals_int (send_code (bin->element,
          "opentok-signal, retry-after-reconnect=(string)yes"), 400);
  fail_unless_equals_int (send_code (bin->element, "not-a-signal, data=x"),
      400);

  /* a target that is not in the session: 404, from the server */
  fail_unless_equals_int (send_code (bin->element,
          "opentok-signal, data=x, "
          "to=00000000-0000-4000-8000-000000000000"), 404);

  /* refused signals are never element errors */
  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
}

GST_END_TEST;

GST_START_TEST (test_send_signal_not_in_session_replies_500)
{
  GstElement *element = signalbin_new ();
  GstStructure *reply;

  reply = send_action_string (element, "opentok-signal, data=x");
  fail_unless_equals_int (fixture_reply_code (reply), 500);
  gst_structure_free (reply);

  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  reply = send_action_string (element, "opentok-signal, data=x");
  fail_unless_equals_int (fixture_reply_code (reply), 500);
  gst_structure_free (reply);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_object_unref (element);
}

GST_END_TEST;

GST_START_TEST (test_retry_after_reconnect_default_applies)
{
  GstElement *element = signalbin_new ();
  FixtureBin *bin;
  GstStructure *reply;
  const GstStructure *sig;
  gboolean retry = TRUE;

  g_object_set (element, "retry-after-reconnect", FALSE, NULL);
  bin = fixture_bin_start (element, NULL, TRUE);

  reply = send_action_string (element, "opentok-signal, data=x");
  fail_unless_equals_int (fixture_reply_code (reply), 0);
  fail_unless (gst_structure_get (reply, "signal", GST_TYPE_STRUCTURE, &sig,
          NULL));
  fail_unless (gst_structure_get_boolean (sig, "retry-after-reconnect",
          &retry));
  fail_if (retry);
  gst_structure_free ((GstStructure *) sig);
  gst_structure_free (reply);

  /* a signal that says wins */
  reply = send_action_string (element,
      "opentok-signal, data=x, retry-after-reconnect=true");
  fail_unless (gst_structure_get (reply, "signal", GST_TYPE_STRUCTURE, &sig,
          NULL));
  fail_unless (gst_structure_get_boolean (sig, "retry-after-reconnect",
          &retry));
  fail_unless (retry);
  gst_structure_free ((GstStructure *) sig);
  gst_structure_free (reply);

  fixture_bin_stop (bin);
}

GST_END_TEST;

GST_START_TEST (test_application_message_from_child_is_sent)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstElement *child = gst_bin_new ("child");
  GstStructure *s;

  fail_unless (gst_bin_add (GST_BIN (bin->element), child));

  s = gst_structure_new ("opentok-signal", "type", G_TYPE_STRING, "from-child",
      "data", G_TYPE_STRING, "hi", NULL);
  fail_unless (gst_element_post_message (child,
          gst_message_new_application (GST_OBJECT (child), s)));
  expect_sent (bin->bus, "message", 0);
  expect_peer_signal (peer, 0, "from-child", "hi", bin->id);

  /* posted directly on the bin's bus for its children */
  s = gst_structure_new ("opentok-signal", "type", G_TYPE_STRING, "direct",
      "data", G_TYPE_STRING, "there", NULL);
  fail_unless (gst_bus_post (GST_BIN (bin->element)->child_bus,
          gst_message_new_application (NULL, s)));
  expect_sent (bin->bus, "message", 0);
  expect_peer_signal (peer, 1, "direct", "there", bin->id);

  /* a refused one is reported, not raised */
  s = gst_structure_new ("opentok-signal", "type", G_TYPE_STRING, "bad type",
      NULL);
  gst_element_post_message (child, gst_message_new_application (GST_OBJECT
          (child), s));
  expect_sent (bin->bus, "message", 400);

  /* other application messages go up as usual, signals never */
  s = gst_structure_new_empty ("something-else");
  gst_element_post_message (child, gst_message_new_application (GST_OBJECT
          (child), s));
  {
    GstMessage *message =
        fixture_bus_wait (bin->bus, GST_MESSAGE_APPLICATION, NULL, WAIT_MS);

    fail_unless (message != NULL);
    fail_unless (gst_message_has_name (message, "something-else"));
    gst_message_unref (message);
  }

  gst_bin_remove (GST_BIN (bin->element), child);
  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_custom_event_to_element_is_sent)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstEventType types[] = { GST_EVENT_CUSTOM_DOWNSTREAM,
    GST_EVENT_CUSTOM_DOWNSTREAM_OOB, GST_EVENT_CUSTOM_BOTH
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    gchar *data = g_strdup_printf ("event %u", i);
    GstStructure *s = gst_structure_new ("opentok-signal", "type",
        G_TYPE_STRING, "ev", "data", G_TYPE_STRING, data, NULL);

    fail_unless (gst_element_send_event (bin->element,
            gst_event_new_custom (types[i], s)));
    expect_sent (bin->bus, "event", 0);
    expect_peer_signal (peer, i, "ev", data, bin->id);
    g_free (data);
  }

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_sink_events_keep_order_with_buffers)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin =
      fixture_bin_start (signalbin_new (), "application/octet-stream", TRUE);
  GstStructure *s;

  fail_unless_equals_int (gst_harness_push (bin->h,
          fixture_text_buffer ("one")), GST_FLOW_OK);
  s = gst_structure_new ("opentok-signal", "data", G_TYPE_STRING, "two", NULL);
  fail_unless (gst_harness_push_event (bin->h,
          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, s)));
  fail_unless_equals_int (gst_harness_push (bin->h,
          fixture_text_buffer ("three")), GST_FLOW_OK);

  expect_peer_signal (peer, 0, "", "one", bin->id);
  expect_peer_signal (peer, 1, "", "two", bin->id);
  expect_peer_signal (peer, 2, "", "three", bin->id);
  expect_sent (bin->bus, "buffer", 0);
  expect_sent (bin->bus, "event", 0);
  expect_sent (bin->bus, "buffer", 0);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_sink_text_lines_are_signals)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  gchar *big;
  FixtureBin *bin;

  g_object_set (element, "signal-type", "chat", "signal-to", peer->id, NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);

  gst_harness_push (bin->h, fixture_text_buffer ("alpha\nbe"));
  gst_harness_push (bin->h, fixture_text_buffer ("ta\r\n\ngam"));
  gst_harness_push (bin->h, fixture_text_buffer ("ma"));
  expect_peer_signal (peer, 0, "chat", "alpha", bin->id);
  expect_peer_signal (peer, 1, "chat", "beta", bin->id);

  /* a line longer than any signal: reported once, the next line goes */
  gst_harness_push (bin->h, fixture_text_buffer ("\n"));
  expect_peer_signal (peer, 2, "chat", "gamma", bin->id);
  /* the completions come from the network thread, the 413 below at once
   * from the streaming thread: take these first to keep the order */
  expect_sent (bin->bus, "buffer", 0);
  expect_sent (bin->bus, "buffer", 0);
  expect_sent (bin->bus, "buffer", 0);
  big = g_strnfill (9000, 'x');
  gst_harness_push (bin->h, fixture_text_buffer (big));
  gst_harness_push (bin->h, fixture_text_buffer (big));
  gst_harness_push (bin->h, fixture_text_buffer ("x\nshort\nlast"));
  g_free (big);

  /* the unfinished last line goes at EOS */
  fail_unless (gst_harness_push_event (bin->h, gst_event_new_eos ()));
  expect_peer_signal (peer, 3, "chat", "short", bin->id);
  expect_peer_signal (peer, 4, "chat", "last", bin->id);

  expect_sent (bin->bus, "buffer", 413);
  expect_sent (bin->bus, "buffer", 0);
  expect_sent (bin->bus, "buffer", 0);
  fail_unless_equals_int (peer_n_signals (peer), 5);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* filesrc ! text/x-raw: bytes in a BYTES segment, the first buffer with a
 * PTS of 0; a line that spans two buffers is one signal */
GST_START_TEST (test_sink_lines_span_buffers_of_a_byte_stream)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GstSegment segment;
  GstBuffer *buffer;
  FixtureBin *bin;

  g_object_set (element, "signal-type", "file", NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  fail_unless (gst_harness_push_event (bin->h,
          gst_event_new_segment (&segment)));
  buffer = fixture_text_buffer ("1039\n1040\n104");
  GST_BUFFER_PTS (buffer) = 0;
  GST_BUFFER_OFFSET (buffer) = 0;
  fail_unless_equals_int (gst_harness_push (bin->h, buffer), GST_FLOW_OK);
  buffer = fixture_text_buffer ("1\n1042\n");
  GST_BUFFER_OFFSET (buffer) = 13;
  fail_unless_equals_int (gst_harness_push (bin->h, buffer), GST_FLOW_OK);

  expect_peer_signal (peer, 0, "file", "1039", bin->id);
  expect_peer_signal (peer, 1, "file", "1040", bin->id);
  expect_peer_signal (peer, 2, "file", "1041", bin->id);
  expect_peer_signal (peer, 3, "file", "1042", bin->id);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_sink_other_caps_buffer_is_one_signal)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  gchar *big;
  FixtureBin *bin;

  g_object_set (element, "signal-type", "blob", NULL);
  bin = fixture_bin_start (element, "application/octet-stream", TRUE);

  gst_harness_push (bin->h, fixture_text_buffer ("{\"a\": 1}\n{\"b\": 2}"));
  expect_sent (bin->bus, "buffer", 0);
  expect_peer_signal (peer, 0, "blob", "{\"a\": 1}\n{\"b\": 2}", bin->id);

  /* not UTF-8, or a NUL: 400; too large: 413 */
  gst_harness_push (bin->h, gst_buffer_new_memdup ("\xff\xfe", 2));
  expect_sent (bin->bus, "buffer", 400);
  gst_harness_push (bin->h, gst_buffer_new_memdup ("a\0b", 3));
  expect_sent (bin->bus, "buffer", 400);
  big = g_strnfill (8193, 'z');
  gst_harness_push (bin->h, fixture_text_buffer (big));
  g_free (big);
  expect_sent (bin->bus, "buffer", 413);
  /* an empty buffer is a signal without data */
  gst_harness_push (bin->h, gst_buffer_new ());
  expect_sent (bin->bus, "buffer", 0);
  expect_peer_signal (peer, 1, "blob", "", bin->id);

  /* a signal-type OpenTok would refuse is refused when set: the buffers
   * keep going with the one before */
  g_object_set (element, "signal-type", "no way", NULL);
  gst_harness_push (bin->h, fixture_text_buffer ("x"));
  expect_sent (bin->bus, "buffer", 0);
  expect_peer_signal (peer, 2, "blob", "x", bin->id);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_sink_queued_before_join_sent_after)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GstOpenTokClientState state;
  gchar *id;
  FixtureBin *bin;
  guint i;

  /* without the queue, these would fail with 500: not connected */
  g_object_set (element, "retry-after-reconnect", FALSE, NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", FALSE);
  gst_harness_push (bin->h, fixture_text_buffer ("first\nsecond\nthird\n"));
  g_object_get (element, "state", &state, "connection-id", &id, NULL);
  GST_INFO ("state after the push: %d (1 = connecting)", state);

  for (i = 0; i < 3; i++)
    expect_sent (bin->bus, "buffer", 0);
  expect_peer_signal (peer, 0, "", "first", id);
  expect_peer_signal (peer, 1, "", "second", id);
  expect_peer_signal (peer, 2, "", "third", id);

  fixture_bus_assert_no_error (bin->bus);
  g_free (id);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_eos_waits_for_sends)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin =
      fixture_bin_start (signalbin_new (), "text/x-raw, format=utf8", TRUE);
  GString *lines = g_string_new (NULL);
  GstMessage *message;
  GstEvent *event;
  guint i, sent = 0;

  for (i = 0; i < 50; i++)
    g_string_append_printf (lines, "line %u\n", i);
  gst_harness_push (bin->h, fixture_text_buffer (lines->str));
  g_string_free (lines, TRUE);
  fail_unless (gst_harness_push_event (bin->h, gst_event_new_eos ()));

  /* by EOS, every signal has completed */
  while ((message =
          fixture_bus_wait (bin->bus, GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT,
              NULL, WAIT_MS)) != NULL) {
    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
      fail_unless (GST_MESSAGE_SRC (message) == GST_OBJECT (bin->element));
      gst_message_unref (message);
      break;
    }
    if (gst_message_has_name (message, "opentok-signal-sent")) {
      fail_if (gst_structure_has_field (gst_message_get_structure (message),
              "code"));
      sent++;
    }
    gst_message_unref (message);
  }
  fail_unless (message != NULL, "no EOS");
  fail_unless_equals_int (sent, 50);
  fail_unless (peer_signal (peer, 50 - 1) != NULL);

  /* the src stream ends too */
  while ((event = gst_harness_pull_event (bin->h)) != NULL) {
    GstEventType type = GST_EVENT_TYPE (event);

    gst_event_unref (event);
    if (type == GST_EVENT_EOS)
      break;
  }
  fail_unless (event != NULL, "no EOS on the src pad");

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */

static void
on_element_signal (GstElement * element, GstOpenTokSignal * signal,
    FixtureCollector * c)
{
  fixture_collector_push (c, gst_opentok_signal_to_structure (signal));
}

GST_START_TEST (test_detailed_signal_sees_only_its_type)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  FixtureCollector *chat, *all;
  FixtureBin *bin;

  chat = fixture_collector_new (NULL);
  all = fixture_collector_new (NULL);
  g_signal_connect (element, "signal-received::chat",
      G_CALLBACK (on_element_signal), chat);
  g_signal_connect (element, "signal-received", G_CALLBACK (on_element_signal),
      all);
  bin = fixture_bin_start (element, NULL, TRUE);

  fixture_peer_send_ok (peer, "other", "1", NULL);
  fixture_peer_send_ok (peer, "chat", "2", NULL);
  fixture_peer_send_ok (peer, NULL, "3", NULL);
  fixture_peer_send_ok (peer, "chat.sub", "4", NULL);
  fail_unless (fixture_collector_wait (all, NULL, NULL, NULL, 4, WAIT_MS));
  fail_unless_equals_int (fixture_collector_len (chat), 1);
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (chat, 0), "data"), "2");
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (all, 2), "type"), "");

  g_signal_handlers_disconnect_by_data (element, chat);
  g_signal_handlers_disconnect_by_data (element, all);
  fixture_bin_stop (bin);
  fixture_collector_free (chat);
  fixture_collector_free (all);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_received_signal_bus_message_fields)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstOpenTokSignal *signal;
  const GstStructure *s;
  GstMessage *message;
  gboolean from_self = TRUE;
  GError *error = NULL;

  fixture_peer_send_ok (peer, "greeting", "hi there", NULL);
  message = fixture_bus_wait_element (bin->bus, "opentok-signal");
  fail_unless (GST_MESSAGE_SRC (message) == GST_OBJECT (bin->element));
  s = gst_message_get_structure (message);
  fail_unless_equals_string (gst_structure_get_string (s, "type"), "greeting");
  fail_unless_equals_string (gst_structure_get_string (s, "data"), "hi there");
  fail_unless_equals_string (gst_structure_get_string (s, "from"), peer->id);
  fail_unless (gst_structure_get_boolean (s, "from-self", &from_self));
  fail_if (from_self);
  gst_message_unref (message);

  /* sent by the server: no sender */
  signal = gst_opentok_signal_new ("notice", "from the server");
  fail_unless (gst_opentok_server_send_signal (srv->server, srv->session_id,
          signal, &error));
  gst_opentok_signal_unref (signal);
  message = fixture_bus_wait_element (bin->bus, "opentok-signal");
  s = gst_message_get_structure (message);
  fail_unless_equals_string (gst_structure_get_string (s, "type"), "notice");
  fail_unless (gst_structure_has_field_typed (s, "from", G_TYPE_STRING));
  fail_unless (gst_structure_get_string (s, "from") == NULL);
  fail_unless (gst_structure_get_boolean (s, "from-self", &from_self));
  fail_if (from_self);
  gst_message_unref (message);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

static GstBuffer *
pull_buffer (GstHarness * h)
{
  GstBuffer *buffer = gst_harness_pull (h);

  fail_unless (buffer != NULL, "no buffer on the src pad");
  return buffer;
}

static void
assert_buffer_text (GstBuffer * buffer, const gchar * text)
{
  GstMapInfo map;

  fail_unless (gst_buffer_map (buffer, &map, GST_MAP_READ));
  fail_unless_equals_int (map.size, strlen (text));
  fail_unless (memcmp (map.data, text, map.size) == 0, "got %.*s",
      (gint) map.size, map.data);
  gst_buffer_unmap (buffer, &map);
}

static void
assert_src_caps (GstHarness * h, const gchar * media)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);

  fail_unless (caps != NULL);
  fail_unless_equals_string (gst_structure_get_name (gst_caps_get_structure
          (caps, 0)), media);
  gst_caps_unref (caps);
}

GST_START_TEST (test_src_data_format_buffers)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstBuffer *buffer;

  gst_harness_set_time (bin->h, 5 * GST_SECOND);
  fixture_peer_send_ok (peer, "chat", "hello", NULL);
  buffer = pull_buffer (bin->h);
  assert_buffer_text (buffer, "hello\n");
  /* running time of its arrival, from the harness's test clock */
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buffer), 5 * GST_SECOND);
  gst_buffer_unref (buffer);
  assert_src_caps (bin->h, "text/x-raw");

  gst_harness_set_time (bin->h, 7 * GST_SECOND);
  fixture_peer_send_ok (peer, NULL, "", NULL);
  buffer = pull_buffer (bin->h);
  assert_buffer_text (buffer, "\n");
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buffer), 7 * GST_SECOND);
  gst_buffer_unref (buffer);

  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

static JsonObject *
parse_json_buffer (GstBuffer * buffer)
{
  JsonParser *parser = json_parser_new ();
  JsonObject *object;
  GstMapInfo map;

  fail_unless (gst_buffer_map (buffer, &map, GST_MAP_READ));
  fail_unless (map.size > 0 && map.data[map.size - 1] == '\n');
  fail_unless (json_parser_load_from_data (parser, (const gchar *) map.data,
          map.size, NULL));
  gst_buffer_unmap (buffer, &map);
  fail_unless (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_object_ref (json_node_get_object (json_parser_get_root
          (parser)));
  g_object_unref (parser);
  return object;
}

GST_START_TEST (test_src_json_format_buffers)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  const gchar *tricky = "he said \"hi\"\n\\ \t \x01 \x1f é";
  GstOpenTokSignal *signal;
  GstBuffer *buffer;
  JsonObject *o;
  FixtureBin *bin;

  gst_util_set_object_arg (G_OBJECT (element), "src-format", "json");
  bin = fixture_bin_start (element, NULL, TRUE);

  fixture_peer_send_ok (peer, "chat", tricky, NULL);
  buffer = pull_buffer (bin->h);
  fail_unless (GST_BUFFER_PTS_IS_VALID (buffer));
  o = parse_json_buffer (buffer);
  fail_unless_equals_string (json_object_get_string_member (o, "type"), "chat");
  fail_unless_equals_string (json_object_get_string_member (o, "data"), tricky);
  fail_unless_equals_string (json_object_get_string_member (o, "from"),
      peer->id);
  fail_if (json_object_get_boolean_member (o, "fromSelf"));
  json_object_unref (o);
  gst_buffer_unref (buffer);
  assert_src_caps (bin->h, "application/json");

  /* from the server: from is null; own broadcast: fromSelf */
  signal = gst_opentok_signal_new (NULL, "s");
  fail_unless (gst_opentok_server_send_signal (srv->server, srv->session_id,
          signal, NULL));
  gst_opentok_signal_unref (signal);
  buffer = pull_buffer (bin->h);
  o = parse_json_buffer (buffer);
  fail_unless_equals_string (json_object_get_string_member (o, "type"), "");
  fail_unless (json_object_get_null_member (o, "from"));
  json_object_unref (o);
  gst_buffer_unref (buffer);

  assert_sent_ok (element, "opentok-signal, type=me, data=mine");
  buffer = pull_buffer (bin->h);
  o = parse_json_buffer (buffer);
  fail_unless_equals_string (json_object_get_string_member (o, "from"),
      bin->id);
  fail_unless (json_object_get_boolean_member (o, "fromSelf"));
  json_object_unref (o);
  gst_buffer_unref (buffer);

  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Lost sessions                                                            */

/* Counts the opentok-session-disconnected messages as they are posted. */
static GstBusSyncReply
count_named (GstBus * bus, GstMessage * message, gpointer data)
{
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (message, "opentok-session-disconnected"))
    g_atomic_int_inc ((gint *) data);
  return GST_BUS_PASS;
}

static void
expect_opentok_error (GstElement * element, gint opentok_code,
    GstResourceError resource_code)
{
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstMessage *message;
  const GstStructure *details = NULL;
  GError *error = NULL;
  gint code = 0, disconnected = 0;

  gst_element_set_bus (element, bus);
  gst_bus_set_sync_handler (bus, count_named, &disconnected, NULL);
  h = gst_harness_new_with_element (element, "sink", "src");
  message = fixture_bus_wait (bus, GST_MESSAGE_ERROR, NULL, WAIT_MS);
  fail_unless (message != NULL, "no error for %d", opentok_code);
  fail_unless (GST_MESSAGE_SRC (message) == GST_OBJECT (element));
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (error->code, resource_code);
  gst_message_parse_error_details (message, &details);
  fail_unless (details != NULL);
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, opentok_code);
  g_error_free (error);
  gst_message_unref (message);

  /* once */
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  gst_harness_teardown (h);
  /* a join that fails is the error alone, as in opentok.js */
  fail_unless_equals_int (g_atomic_int_get (&disconnected), 0);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_START_TEST (test_bad_token_posts_error_1004)
{
  GstElement *element = signalbin_new ();
  gchar *token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
      API_KEY, "not-the-secret-not-the-secret-not-the-se", srv->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, NULL);

  fail_unless (token != NULL);
  g_object_set (element, "token", token, NULL);
  g_free (token);
  expect_opentok_error (element, 1004, GST_RESOURCE_ERROR_NOT_AUTHORIZED);
}

GST_END_TEST;

GST_START_TEST (test_unknown_session_posts_error_1005)
{
  GstElement *element = signalbin_new ();
  gchar *other = gst_opentok_session_id_new (API_KEY);
  gchar *token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
      API_KEY, API_SECRET, other, GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, NULL);

  fail_unless (token != NULL);
  g_object_set (element, "session-id", other, "token", token, NULL);
  g_free (token);
  g_free (other);
  expect_opentok_error (element, 1005, GST_RESOURCE_ERROR_NOT_FOUND);
}

GST_END_TEST;

/* OpenTok says 1005 for a session id that cannot be one */
GST_START_TEST (test_malformed_session_id_posts_error_1005)
{
  GstElement *element = signalbin_new ();
  const GstStructure *details = NULL;
  GstMessage *message;
  GError *error = NULL;
  gint code = 0;
  GstBus *bus;

  /* the server refuses it before looking at the token */
  g_object_set (element, "session-id", "garbage", NULL);
  expect_opentok_error (element, 1005, GST_RESOURCE_ERROR_NOT_FOUND);

  /* with api-secret, the element cannot even make a token for it: the
   * change to READY fails */
  element = signalbin_new ();
  bus = gst_bus_new ();
  gst_element_set_bus (element, bus);
  g_object_set (element, "session-id", "garbage", "token", NULL,
      "api-secret", API_SECRET, NULL);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (message != NULL);
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (error->code, GST_RESOURCE_ERROR_NOT_FOUND);
  fail_unless (strstr (error->message, "session-id") != NULL, "%s",
      error->message);
  gst_message_parse_error_details (message, &details);
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, 1005);
  g_error_free (error);
  gst_message_unref (message);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_END_TEST;

GST_START_TEST (test_unreachable_server_posts_error_1006)
{
  GstElement *element = signalbin_new ();
  GSocketListener *listener = g_socket_listener_new ();
  guint16 port;
  gchar *url;

  /* a port that was free a moment ago, and nobody listens on */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  fail_unless (port != 0);
  g_socket_listener_close (listener);
  g_object_unref (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_object_set (element, "api-url", url, NULL);
  g_free (url);
  expect_opentok_error (element, 1006, GST_RESOURCE_ERROR_OPEN_READ_WRITE);
}

GST_END_TEST;

/* a server that accepts and never answers */
GST_START_TEST (test_silent_server_fails_1006_within_connect_timeout)
{
  TcpProxy *proxy = tcp_proxy_new ("127.0.0.1",
      gst_opentok_server_get_port (srv->server));
  GstElement *element = signalbin_new ();
  gchar *url = tcp_proxy_get_url (proxy, "http");

  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_BLACKHOLE);
  g_object_set (element, "api-url", url, "connect-timeout", 500, NULL);
  g_free (url);
  /* well within the wait of 10 s, where the HTTP retries alone take 47 s */
  expect_opentok_error (element, 1006, GST_RESOURCE_ERROR_OPEN_READ_WRITE);
  tcp_proxy_free (proxy);
}

GST_END_TEST;

GST_START_TEST (test_force_disconnect_posts_error_1023)
{
  GstElement *element = signalbin_new ();
  GstBus *bus = gst_bus_new ();
  const GstStructure *details = NULL;
  GstMessage *message;
  GstHarness *h;
  gchar *id;
  gint code = 0;

  gst_element_set_bus (element, bus);
  h = gst_harness_new_with_element (element, "sink", "src");
  message = fixture_bus_wait_element (bus, "opentok-session-connected");
  gst_message_unref (message);
  g_object_get (element, "connection-id", &id, NULL);
  fail_unless (gst_opentok_server_force_disconnect (srv->server,
          srv->session_id, id, NULL));
  message = fixture_bus_wait (bus, GST_MESSAGE_ERROR, NULL, WAIT_MS);
  fail_unless (message != NULL);
  gst_message_parse_error_details (message, &details);
  fail_unless (details != NULL);
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, 1023);
  gst_message_unref (message);

  g_free (id);
  gst_harness_teardown (h);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_END_TEST;

GST_START_TEST (test_reconnects_after_cut)
{
  GstElement *element = signalbin_new ();
  FixturePeer *peer = peer_new ();
  GstPromise *retry, *no_retry;
  gint retry_replied = 0;
  GstStructure *s;
  GstMessage *message;
  TcpProxy *proxy;
  gchar *url;
  FixtureBin *bin;

  proxy =
      tcp_proxy_new ("127.0.0.1", gst_opentok_server_get_port (srv->server));
  url = tcp_proxy_get_url (proxy, "http");
  g_object_set (element, "api-url", url, NULL);
  g_free (url);
  bin = fixture_bin_start (element, NULL, TRUE);

  /* the socket goes, and cannot come back for now */
  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_REFUSE);
  fail_unless (tcp_proxy_cut_all (proxy) > 0);
  message = fixture_bus_wait_element (bin->bus, "opentok-session-reconnecting");
  gst_message_unref (message);

  /* a signal that may wait waits; one that may not fails at once */
  retry =
      gst_promise_new_with_change_func (fixture_promise_set_flag,
      &retry_replied, NULL);
  s = gst_structure_new_from_string ("opentok-signal, data=waited");
  g_signal_emit_by_name (element, "send-signal", s, retry);
  gst_structure_free (s);
  no_retry = gst_promise_new ();
  s = gst_structure_new_from_string ("opentok-signal, data=lost, "
      "retry-after-reconnect=false");
  g_signal_emit_by_name (element, "send-signal", s, no_retry);
  gst_structure_free (s);
  fail_unless_equals_int (gst_promise_wait (no_retry),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (no_retry)),
      500);
  fail_if (g_atomic_int_get (&retry_replied), "did not wait");

  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_PASS);
  message = fixture_bus_wait_element (bin->bus, "opentok-session-reconnected");
  gst_message_unref (message);
  fail_unless_equals_int (gst_promise_wait (retry), GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply (retry)),
      0);
  expect_peer_signal (peer, 0, "", "waited", bin->id);
  assert_sent_ok (element, "opentok-signal, data=after");
  expect_peer_signal (peer, 1, "", "after", bin->id);

  gst_promise_unref (retry);
  gst_promise_unref (no_retry);
  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  tcp_proxy_free (proxy);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_lost_session_posts_error_1022)
{
  GstElement *element;
  FixturePeer *peer;
  const GstStructure *details = NULL;
  GstMessage *message;
  TcpProxy *proxy;
  GError *error = NULL;
  gchar *url;
  gint code = 0, index;
  FixtureBin *bin;

  /* a server that forgets a lost connection at once */
  server_teardown ();
  srv = fixture_server_new ("reconnect-window", 1, NULL);
  element = signalbin_new ();
  peer = peer_new ();

  proxy =
      tcp_proxy_new ("127.0.0.1", gst_opentok_server_get_port (srv->server));
  url = tcp_proxy_get_url (proxy, "http");
  g_object_set (element, "api-url", url, NULL);
  g_free (url);
  bin = fixture_bin_start (element, NULL, TRUE);

  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_REFUSE);
  fail_unless (tcp_proxy_cut_all (proxy) > 0);
  message = fixture_bus_wait_element (bin->bus, "opentok-session-reconnecting");
  gst_message_unref (message);
  index = peer_find (peer, "reason", "networkDisconnected");
  fail_unless (index >= 0, "the server did not drop the connection");
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (peer->events, index), "connection-id"), bin->id);

  /* coming back too late: the session is lost */
  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_PASS);
  message = fixture_bus_wait (bin->bus, GST_MESSAGE_ERROR, NULL, WAIT_MS);
  fail_unless (message != NULL, "no error for a lost session");
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (error->code, GST_RESOURCE_ERROR_READ);
  gst_message_parse_error_details (message, &details);
  fail_unless (details != NULL);
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, 1022);
  g_error_free (error);
  gst_message_unref (message);

  /* the sink pad's signals now fail at once, and no more errors */
  gst_harness_set_src_caps_str (bin->h, "application/octet-stream");
  gst_harness_push (bin->h, fixture_text_buffer ("too late"));
  expect_sent (bin->bus, "buffer", 500);
  fixture_bus_assert_no_error (bin->bus);

  fixture_bin_stop (bin);
  tcp_proxy_free (proxy);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Repeated cuts                                                            */

/* signals each way; signalbin's are action signals that may wait, action
 * signals that may not, and sink pad lines, in turn */
#define CUTS_N_SIGNALS 300
/* a cut every CUTS_EVERY rounds, from round CUTS_EVERY / 2 */
#define CUTS_EVERY 50
/* rounds sent while the proxy refuses, before and after a refused
 * reconnection attempt */
#define CUTS_OUTAGE_ROUNDS 6

typedef enum
{
  CUT_SEND_RETRY,
  CUT_SEND_NO_RETRY,
  CUT_SEND_SINK,
} CutSendKind;

/* The replies to signalbin's action signals: the OpenTok code of each
 * (0 for success), -1 until it came. */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint replied;
  gint codes[CUTS_N_SIGNALS];
} CutReplies;

typedef struct
{
  CutReplies *replies;
  guint index;
} CutReplySlot;

static void
on_cut_reply (GstPromise * promise, gpointer user_data)
{
  CutReplySlot *slot = user_data;
  CutReplies *r = slot->replies;
  const GstStructure *reply = gst_promise_get_reply (promise);
  GError *error = NULL;
  gint code = 0;

  /* no fail_unless here: this is the element's network thread */
  if (reply == NULL) {
    code = -2;
  } else if (gst_structure_has_field (reply, "error")) {
    code = -3;
    if (gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL)) {
      if (error->domain == GST_OPENTOK_SIGNAL_ERROR)
        code = error->code;
      g_error_free (error);
    }
  }
  g_mutex_lock (&r->lock);
  r->codes[slot->index] = code;
  r->replied++;
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
}

static void
on_cut_event (GstElement * element, FixtureCollector * c)
{
  fixture_collector_push (c, gst_structure_new_empty ("event"));
}

/* How many signals with @data fixture_collector_count_by() counted. */
static guint
count_data (GHashTable * counts, const gchar * data)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, data));
}

static gchar *
cut_data (CutSendKind kind, guint round)
{
  static const gchar *const prefixes[] = { "retry", "no-retry", "sink" };

  return g_strdup_printf ("%s-%u", prefixes[kind], round);
}

GST_START_TEST (test_repeated_cuts_keep_retry_signals_exactly_once)
{
  GstElement *element = signalbin_new ();
  FixturePeer *peer = peer_new ();
  FixtureCollector *received, *reconnecting, *reconnected;
  CutReplies *replies = g_new0 (CutReplies, 1);
  CutReplySlot *slots = g_new0 (CutReplySlot, CUTS_N_SIGNALS);
  GstPromise **promises = g_new0 (GstPromise *, CUTS_N_SIGNALS);
  gboolean *in_outage = g_new0 (gboolean, CUTS_N_SIGNALS);
  GHashTable *at_peer, *at_bin;
  guint sent[3] = { 0, 0, 0 };
  guint round, cuts = 0, outage_left = 0, accepted = 0, n_actions = 0;
  guint failed_500 = 0, no_retry_ok = 0, failed_but_delivered = 0;
  guint outage_refused = 0;
  guint sink_ok = 0, sink_failed = 0, errors = 0;
  guint bus_reconnecting = 0, bus_reconnected = 0, expected_at_peer;
  GstMessage *message;
  GstState state = GST_STATE_VOID_PENDING;
  gint64 start = g_get_monotonic_time (), end;
  GstStructure *marker;
  GstPromise *marker_promise;
  TcpProxy *proxy;
  gchar *url;
  FixtureBin *bin;

  g_mutex_init (&replies->lock);
  g_cond_init (&replies->cond);
  received = fixture_collector_new (NULL);
  reconnecting = fixture_collector_new (NULL);
  reconnected = fixture_collector_new (NULL);

  proxy =
      tcp_proxy_new ("127.0.0.1", gst_opentok_server_get_port (srv->server));
  url = tcp_proxy_get_url (proxy, "http");
  g_object_set (element, "api-url", url, "signal-type", "line", "signal-to",
      peer->id, NULL);
  g_free (url);
  g_signal_connect (element, "signal-received",
      G_CALLBACK (on_element_signal), received);
  g_signal_connect (element, "session-reconnecting",
      G_CALLBACK (on_cut_event), reconnecting);
  g_signal_connect (element, "session-reconnected",
      G_CALLBACK (on_cut_event), reconnected);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);

  for (round = 0; round < CUTS_N_SIGNALS; round++) {
    CutSendKind kind = round % 3;
    gchar *data = cut_data (kind, round);
    gchar *peer_data;

    /* sent between a cut and the end of its outage (but for the last
     * round, which could race with the reconnection) */
    in_outage[round] = outage_left > 1;
    if (kind == CUT_SEND_SINK) {
      gchar *line = g_strdup_printf ("%s\n", data);

      fail_unless_equals_int (gst_harness_push (bin->h,
              fixture_text_buffer (line)), GST_FLOW_OK);
      g_free (line);
    } else {
      GstStructure *s = fixture_signal_structure ("action", data, peer->id,
          kind == CUT_SEND_RETRY);

      slots[round].replies = replies;
      slots[round].index = round;
      g_mutex_lock (&replies->lock);
      replies->codes[round] = -1;
      g_mutex_unlock (&replies->lock);
      promises[round] = gst_promise_new_with_change_func (on_cut_reply,
          &slots[round], NULL);
      g_signal_emit_by_name (element, "send-signal", s, promises[round]);
      gst_structure_free (s);
      n_actions++;
    }
    sent[kind]++;
    g_free (data);

    if (round % CUTS_EVERY == CUTS_EVERY / 2) {
      /* right after a send, so that one may be in flight: the socket goes,
       * and cannot come back for a while */
      tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_REFUSE);
      fail_unless (tcp_proxy_cut_all (proxy) > 0, "nothing to cut");
      cuts++;
      fail_unless (fixture_collector_wait (reconnecting, NULL, NULL, NULL, cuts,
              WAIT_MS), "cut %u: no session-reconnecting", cuts);
      accepted = tcp_proxy_get_n_accepted (proxy);
      outage_left = 2 * CUTS_OUTAGE_ROUNDS;
    }

    /* the peer, always connected, signals the element; waiting for its
     * answer paces the rounds */
    peer_data = g_strdup_printf ("peer-%u", round);
    fixture_peer_send_ok (peer, "peer", peer_data, bin->id);
    g_free (peer_data);

    if (outage_left > 0) {
      outage_left--;
      /* half way: at least one reconnection attempt was refused */
      if (outage_left == CUTS_OUTAGE_ROUNDS)
        fail_unless (tcp_proxy_wait_accepted (proxy, accepted + 1,
                WAIT_MS), "cut %u: no reconnection attempt", cuts);
      /* the outage ends; the rounds up to the next cut are connected */
      if (outage_left == 0) {
        tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_PASS);
        fail_unless (fixture_collector_wait (reconnected, NULL, NULL, NULL,
                cuts, WAIT_MS), "cut %u: no session-reconnected", cuts);
      }
    }
  }
  tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_PASS);
  fail_unless (cuts >= 5);
  fail_unless (fixture_collector_wait (reconnected, NULL, NULL, NULL, cuts,
          WAIT_MS), "no session-reconnected after the last cut");

  /* every action signal is answered */
  end = g_get_monotonic_time () + 2 * WAIT_MS * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&replies->lock);
  while (replies->replied < n_actions)
    if (!g_cond_wait_until (&replies->cond, &replies->lock, end))
      break;
  g_mutex_unlock (&replies->lock);
  fail_unless_equals_int (replies->replied, n_actions);

  /* the bus: the completions of the sink pad's lines, the reconnections,
   * no error */
  end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  while (TRUE) {
    gint64 left = end - g_get_monotonic_time ();

    if (sink_ok + sink_failed >= sent[CUT_SEND_SINK])
      left = 0;
    message = gst_bus_timed_pop (bin->bus, MAX (left, 0) * GST_USECOND);
    if (message == NULL)
      break;
    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
      GError *error = NULL;

      gst_message_parse_error (message, &error, NULL);
      GST_ERROR ("unexpected error: %s", error->message);
      g_error_free (error);
      errors++;
    } else if (gst_message_has_name (message, "opentok-session-reconnecting")) {
      bus_reconnecting++;
    } else if (gst_message_has_name (message, "opentok-session-reconnected")) {
      bus_reconnected++;
    } else if (gst_message_has_name (message, "opentok-signal-sent")) {
      const GstStructure *s = gst_message_get_structure (message);

      fail_unless_equals_string (gst_structure_get_string (s, "origin"),
          "buffer");
      if (gst_structure_has_field (s, "code")) {
        GST_ERROR ("a line failed: %s", gst_structure_get_string (s,
                "message"));
        sink_failed++;
      } else {
        sink_ok++;
      }
    }
    gst_message_unref (message);
  }

  /* a last signal each way, once the sink pad's lines completed (they are
   * paced, and an action signal does not wait behind them): what was sent
   * before it came before it, so any late copy would be there by now */
  marker = fixture_signal_structure ("action", "marker-bin", peer->id, TRUE);
  marker_promise = gst_promise_new ();
  g_signal_emit_by_name (element, "send-signal", marker, marker_promise);
  gst_structure_free (marker);
  fail_unless_equals_int (gst_promise_wait (marker_promise),
      GST_PROMISE_RESULT_REPLIED);
  fail_unless_equals_int (fixture_reply_code (gst_promise_get_reply
          (marker_promise)), 0);
  gst_promise_unref (marker_promise);
  fail_unless (fixture_collector_wait_index (peer->events, FIXTURE_EVENT_SIGNAL,
          "data", "marker-bin", WAIT_MS) >= 0,
      "the peer did not get the last signal");
  fixture_peer_send_ok (peer, "peer", "marker-peer", bin->id);
  fail_unless (fixture_collector_wait_index (received, NULL, "data",
          "marker-peer", WAIT_MS) >= 0,
      "the element did not get the peer's last signal");

  /* exactly once, or refused with 500 */
  at_peer =
      fixture_collector_count_by (peer->events, FIXTURE_EVENT_SIGNAL, "data");
  at_bin = fixture_collector_count_by (received, NULL, "data");
  for (round = 0; round < CUTS_N_SIGNALS; round++) {
    CutSendKind kind = round % 3;
    gchar *data = cut_data (kind, round);
    gchar *peer_data = g_strdup_printf ("peer-%u", round);
    guint n = count_data (at_peer, data);
    gint code = kind == CUT_SEND_SINK ? 0 : replies->codes[round];

    switch (kind) {
      case CUT_SEND_RETRY:
        fail_unless_equals_int (code, 0);
        fail_unless (n == 1, "%s arrived %u times", data, n);
        break;
      case CUT_SEND_SINK:
        fail_unless (n == 1, "%s arrived %u times", data, n);
        break;
      case CUT_SEND_NO_RETRY:
        if (in_outage[round]) {
          /* may not wait: refused at once, never sent */
          fail_unless (code == 500, "%s sent during an outage: %d", data, code);
          fail_unless (n == 0, "%s was refused and arrived %u times", data, n);
          failed_500++;
          outage_refused++;
        } else if (code == 0) {
          fail_unless (n == 1, "%s was accepted and arrived %u times", data, n);
          no_retry_ok++;
        } else {
          fail_unless (code == 500, "%s refused with %d", data, code);
          /* in flight when the socket went: refused, and it may have been
           * relayed before */
          fail_unless (n <= 1, "%s was refused and arrived %u times", data, n);
          failed_500++;
          failed_but_delivered += n;
        }
        break;
    }
    n = count_data (at_bin, peer_data);
    fail_unless (n == 1, "%s arrived %u times at the element", peer_data, n);
    g_free (data);
    g_free (peer_data);
  }
  expected_at_peer = sent[CUT_SEND_RETRY] + sent[CUT_SEND_SINK] + no_retry_ok
      + failed_but_delivered + 1;

  g_print ("repeated cuts: %u cuts in %.1f s; signalbin -> peer: %u sent "
      "(%u retry, %u no-retry, %u sink lines), %u received, %u no-retry "
      "refused with 500 (%u sent during outages, none delivered; %u in "
      "flight at a cut, %u of those delivered anyway), %u sink lines "
      "completed; peer -> signalbin: %u sent, %u received; "
      "session-reconnecting %u (bus %u), session-reconnected %u (bus %u), "
      "errors %u\n", cuts,
      (g_get_monotonic_time () - start) / (gdouble) G_TIME_SPAN_SECOND,
      CUTS_N_SIGNALS, sent[CUT_SEND_RETRY], sent[CUT_SEND_NO_RETRY],
      sent[CUT_SEND_SINK], peer_n_signals (peer) - 1, failed_500,
      outage_refused, failed_500 - outage_refused, failed_but_delivered,
      sink_ok, CUTS_N_SIGNALS,
      fixture_collector_len (received) - 1,
      fixture_collector_len (reconnecting), bus_reconnecting,
      fixture_collector_len (reconnected), bus_reconnected, errors);

  /* nothing else arrived */
  fail_unless_equals_int (peer_n_signals (peer), expected_at_peer);
  fail_unless_equals_int (fixture_collector_len (received), CUTS_N_SIGNALS + 1);
  fail_unless_equals_int (sink_ok, sent[CUT_SEND_SINK]);
  fail_unless_equals_int (sink_failed, 0);
  /* sends during the outages were refused: the test saw outages */
  fail_unless (outage_refused > 0, "no signal was refused: no outage was seen");
  fail_unless_equals_int (fixture_collector_len (reconnecting), cuts);
  fail_unless_equals_int (fixture_collector_len (reconnected), cuts);
  fail_unless_equals_int (bus_reconnecting, cuts);
  fail_unless_equals_int (bus_reconnected, cuts);
  fail_unless_equals_int (errors, 0);
  fail_unless_equals_int (gst_element_get_state (element, &state, NULL, 0),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PLAYING);

  g_hash_table_unref (at_peer);
  g_hash_table_unref (at_bin);
  for (round = 0; round < CUTS_N_SIGNALS; round++)
    if (promises[round] != NULL)
      gst_promise_unref (promises[round]);
  g_free (promises);
  g_free (in_outage);
  g_free (slots);
  g_signal_handlers_disconnect_by_data (element, received);
  g_signal_handlers_disconnect_by_data (element, reconnecting);
  g_signal_handlers_disconnect_by_data (element, reconnected);
  fixture_bin_stop (bin);
  tcp_proxy_free (proxy);
  fixture_peer_free (peer);
  fixture_collector_free (received);
  fixture_collector_free (reconnecting);
  fixture_collector_free (reconnected);
  g_mutex_clear (&replies->lock);
  g_cond_clear (&replies->cond);
  g_free (replies);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Whole pipelines                                                          */

static GstPadProbeReturn
collect_buffer (GstPad * pad, GstPadProbeInfo * info, FixtureCollector * c)
{
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  fixture_collector_push (c, gst_structure_new ("buffer", "pts", G_TYPE_UINT64,
          GST_BUFFER_PTS (buffer), NULL));
  return GST_PAD_PROBE_OK;
}

/* gst-launch-1.0 -m -e signalbin ...: nothing linked, Ctrl-C */
GST_START_TEST (test_unlinked_pipeline_eos_leaves_cleanly)
{
  FixturePeer *peer = peer_new ();
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *element = signalbin_new ();
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  GstMessage *message;
  FixtureCollector *probed;
  GstPad *srcpad;
  gchar *id;
  gint index;

  probed = fixture_collector_new (NULL);
  gst_bin_add (GST_BIN (pipeline), element);
  srcpad = gst_element_get_static_pad (element, "src");
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) collect_buffer, probed, NULL);
  gst_object_unref (srcpad);

  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  message = fixture_bus_wait_element (bus, "opentok-session-connected");
  id = g_strdup (gst_structure_get_string (gst_message_get_structure
          (message), "connection-id"));
  gst_message_unref (message);

  /* received signals go to an unlinked src pad: no error */
  fixture_peer_send_ok (peer, "a", "1", NULL);
  fixture_peer_send_ok (peer, "a", "2", NULL);
  message = fixture_bus_wait_element (bus, "opentok-signal");
  gst_message_unref (message);
  message = fixture_bus_wait_element (bus, "opentok-signal");
  gst_message_unref (message);
  fail_unless (fixture_collector_wait (probed, NULL, NULL, NULL, 2, WAIT_MS));
  {
    guint64 pts1 = 0, pts2 = 0;

    gst_structure_get_uint64 (fixture_collector_get (probed, 0), "pts", &pts1);
    gst_structure_get_uint64 (fixture_collector_get (probed, 1), "pts", &pts2);
    fail_unless (GST_CLOCK_TIME_IS_VALID (pts1));
    fail_unless (GST_CLOCK_TIME_IS_VALID (pts2));
    fail_unless (pts2 >= pts1);
  }

  /* -e: EOS to the pipeline ends it */
  fail_unless (gst_element_send_event (pipeline, gst_event_new_eos ()));
  message = fixture_bus_wait (bus, GST_MESSAGE_EOS, NULL, WAIT_MS);
  fail_unless (message != NULL, "the pipeline did not end");
  gst_message_unref (message);
  fixture_bus_assert_no_error (bus);

  /* and the others see the connection go at once */
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  index = peer_find (peer, "reason", "clientDisconnected");
  fail_unless (index >= 0);
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (peer->events, index), "connection-id"), id);

  g_free (id);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  fixture_collector_free (probed);
  fixture_peer_free (peer);
}

GST_END_TEST;

static void
weak_notify (gpointer data, GObject * object)
{
  *(gboolean *) data = TRUE;
}

GST_START_TEST (test_null_playing_null_cycles_join_and_leave)
{
  FixturePeer *peer = peer_new ();
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *element = signalbin_new ();
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  gboolean finalized = FALSE;
  gchar *previous = NULL;
  guint cycle;

  gst_bin_add (GST_BIN (pipeline), element);
  g_object_weak_ref (G_OBJECT (element), weak_notify, &finalized);

  for (cycle = 0; cycle < 5; cycle++) {
    GstMessage *message;
    gchar *id, *reason;
    gint created, destroyed;
    guint n;

    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE);
    message = fixture_bus_wait_element (bus, "opentok-session-connected");
    id = g_strdup (gst_structure_get_string (gst_message_get_structure
            (message), "connection-id"));
    gst_message_unref (message);
    fail_if (g_strcmp0 (id, previous) == 0);
    created = peer_find (peer, "connection-id", id);
    fail_unless (created >= 0);

    n = fixture_collector_len (peer->events);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
    fail_unless (fixture_collector_wait (peer->events, NULL, NULL, NULL, n + 1,
            WAIT_MS));
    destroyed = n;
    fail_unless (gst_structure_has_name (fixture_collector_get (peer->events,
                destroyed), FIXTURE_EVENT_DESTROYED));
    fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
            (peer->events, destroyed), "connection-id"), id);
    reason =
        g_strdup (gst_structure_get_string (fixture_collector_get (peer->events,
                destroyed), "reason"));
    fail_unless_equals_string (reason, "clientDisconnected");
    g_free (reason);
    g_free (previous);
    previous = id;
  }
  g_free (previous);

  fixture_bus_assert_no_error (bus);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  ASSERT_OBJECT_REFCOUNT (element, "signalbin", 1);
  gst_object_unref (pipeline);
  fail_unless (finalized, "the element was not finalized");
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_minted_token_carries_connection_data)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  gint index;
  FixtureBin *bin;

  g_object_set (element, "token", NULL, "api-secret", API_SECRET,
      "connection-data", "robot-1", NULL);
  bin = fixture_bin_start (element, NULL, TRUE);
  index = peer_find (peer, "connection-id", bin->id);
  fail_unless (index >= 0);
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (peer->events, index), "data"), "robot-1");
  assert_sent_ok (element, "opentok-signal, data=minted");
  expect_peer_signal (peer, 0, "", "minted", bin->id);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* The element as a stream next to media                                   */

/* A server that allows 5 signals at once, then 20 per second. */
static void
server_setup_rate_limited (void)
{
  srv = fixture_server_new ("signal-rate", 20.0, "signal-burst", 5, NULL);
}

/* Counts the opentok-signal-sent messages as they are posted. */
static GstBusSyncReply
count_sent (GstBus * bus, GstMessage * message, gpointer data)
{
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (message, "opentok-signal-sent"))
    g_atomic_int_inc ((gint *) data);
  return GST_BUS_PASS;
}

GST_START_TEST (test_sink_rate_limited_lines_all_arrive_in_order)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GString *lines = g_string_new (NULL);
  gchar data[16];
  guint i, n = 60;
  FixtureBin *bin;

  /* no pacing: the server refuses most of these with 429 at first */
  g_object_set (element, "signal-type", "bulk", "max-rate", 0.0, NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  for (i = 1; i <= n; i++)
    g_string_append_printf (lines, "%u\n", i);
  fail_unless_equals_int (gst_harness_push (bin->h,
          fixture_text_buffer (lines->str)), GST_FLOW_OK);
  g_string_free (lines, TRUE);

  for (i = 0; i < n; i++) {
    g_snprintf (data, sizeof (data), "%u", i + 1);
    expect_peer_signal (peer, i, "bulk", data, bin->id);
  }
  for (i = 0; i < n; i++)
    expect_sent (bin->bus, "buffer", 0);
  fail_unless_equals_int (peer_n_signals (peer), n);
  fail_if (gst_bus_pop_filtered (bin->bus, GST_MESSAGE_WARNING) != NULL);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

typedef struct
{
  GstHarness *h;
  GstBuffer *buffer;
  gint *sent;
  GstFlowReturn ret;
  gint sent_at_return;
} Pusher;

static gpointer
push_in_thread (gpointer data)
{
  Pusher *pusher = data;

  pusher->ret = gst_harness_push (pusher->h, pusher->buffer);
  pusher->sent_at_return = g_atomic_int_get (pusher->sent);
  return NULL;
}

/* 256 signals may wait; the streaming thread waits for room past them */
GST_START_TEST (test_sink_blocks_when_full_and_unblocks_at_ready)
{
  GstElement *element = signalbin_new ();
  GString *lines = g_string_new (NULL);
  Pusher pusher = { 0 };
  GstMessage *message;
  GThread *thread;
  gint sent = 0, refused = 0, warnings = 0;
  guint i;
  FixtureBin *bin;

  g_object_set (element, "max-rate", 2.0, NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  gst_bus_set_sync_handler (bin->bus, count_sent, &sent, NULL);

  /* 257 waiting: room for one more after two completions */
  for (i = 0; i < 257; i++)
    g_string_append_printf (lines, "%u\n", i);
  fail_unless_equals_int (gst_harness_push (bin->h,
          fixture_text_buffer (lines->str)), GST_FLOW_OK);
  g_string_free (lines, TRUE);

  pusher.h = bin->h;
  pusher.sent = &sent;
  pusher.buffer = fixture_text_buffer ("more\n");
  thread = g_thread_new ("pusher", push_in_thread, &pusher);
  g_thread_join (thread);
  fail_unless_equals_int (pusher.ret, GST_FLOW_OK);
  fail_unless (pusher.sent_at_return >= 2, "returned after %d completions",
      pusher.sent_at_return);

  /* full again; READY releases the streaming thread and reports every
   * signal that will not be sent */
  pusher.buffer = fixture_text_buffer ("last\n");
  thread = g_thread_new ("pusher", push_in_thread, &pusher);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_thread_join (thread);
  fail_unless_equals_int (pusher.ret, GST_FLOW_FLUSHING);

  while ((message = gst_bus_pop (bin->bus)) != NULL) {
    const GstStructure *s = gst_message_get_structure (message);
    gint code = 0;

    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING)
      warnings++;
    else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT
        && gst_message_has_name (message, "opentok-signal-sent")
        && gst_structure_get_int (s, "code", &code)) {
      fail_unless_equals_int (code, 500);
      refused++;
    }
    gst_message_unref (message);
  }
  fail_unless (refused > 0);
  fail_unless_equals_int (warnings, refused);
  fail_unless_equals_int (g_atomic_int_get (&sent), 258);

  fixture_bin_stop (bin);
}

GST_END_TEST;

static void
expect_refusal (GstElement * element, GstMessageType kind)
{
  GstBus *bus = gst_element_get_bus (element);
  const GstStructure *details = NULL;
  GstStructure *signal = NULL;
  GstMessage *message;
  gint code = 0;

  message = gst_bus_timed_pop_filtered (bus, WAIT_MS * GST_MSECOND, kind);
  fail_unless (message != NULL, "no %s", kind == GST_MESSAGE_ERROR ?
      "error" : "warning");
  if (kind == GST_MESSAGE_ERROR)
    gst_message_parse_error_details (message, &details);
  else
    gst_message_parse_warning_details (message, &details);
  fail_unless (details != NULL);
  fail_unless (gst_structure_get_int (details, "opentok-code", &code));
  fail_unless_equals_int (code, 404);
  fail_unless (gst_structure_get (details, "signal", GST_TYPE_STRUCTURE,
          &signal, NULL));
  fail_unless_equals_string (gst_structure_get_string (signal, "data"),
      "a < b & c");
  fail_unless_equals_string (gst_structure_get_string (signal, "type"), "chat");
  gst_structure_free (signal);
  gst_message_unref (message);
  gst_object_unref (bus);
}

/* A signal to a connection that is not in the session: OpenTok refuses it
 * with 404. */
static GstElement *
signalbin_to_nobody (void)
{
  GstElement *element = signalbin_new ();
  gchar *nobody = g_uuid_string_random ();

  g_object_set (element, "signal-type", "chat", "signal-to", nobody, NULL);
  g_free (nobody);
  return element;
}

/* Counts the warnings that name a property whose value was refused. */
static void
count_property_warning (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer data)
{
  if (strstr (message, "signal-type property keeps its value") != NULL
      || strstr (message, "src-types property keeps its value") != NULL)
    (*(gint *) data)++;
}

GST_START_TEST (test_sink_refusal_is_a_warning_with_code_and_data)
{
  GstElement *element = signalbin_to_nobody ();
  const GstStructure *s, *signal;
  GstMessage *message;
  gint warnings = 0;
  guint handler;
  gchar *type;
  FixtureBin *bin;

  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  gst_harness_push (bin->h, fixture_text_buffer ("a < b & c\n"));
  expect_refusal (element, GST_MESSAGE_WARNING);

  message = fixture_bus_wait_element (bin->bus, "opentok-signal-sent");
  s = gst_message_get_structure (message);
  signal = gst_value_get_structure (gst_structure_get_value (s, "signal"));
  fail_unless_equals_string (gst_structure_get_string (signal, "data"),
      "a < b & c");
  gst_message_unref (message);
  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);

  /* or an element error */
  element = signalbin_to_nobody ();
  g_object_set (element, "fatal-refusals", TRUE, NULL);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  gst_harness_push (bin->h, fixture_text_buffer ("a < b & c\n"));
  expect_refusal (element, GST_MESSAGE_ERROR);
  fixture_bin_stop (bin);

  /* a type OpenTok would refuse is refused at once, naming the property */
  element = signalbin_new ();
  g_object_set (element, "signal-type", "chat", NULL);
  handler = g_log_set_handler ("GstSignalBin", G_LOG_LEVEL_WARNING,
      count_property_warning, &warnings);
  g_object_set (element, "signal-type", "bad type!", NULL);
  g_object_get (element, "signal-type", &type, NULL);
  fail_unless_equals_string (type, "chat");
  g_free (type);
  g_object_set (element, "src-types", "chat,no way", NULL);
  fail_unless_equals_int (warnings, 2);
  g_log_remove_handler ("GstSignalBin", handler);
  gst_object_unref (element);
}

GST_END_TEST;

/* Pulls events until one of @type; each pull waits for the next event
 * (gst_harness_pull_event() gives up after 60 s). */
static GstEvent *
pull_event_of_type (GstHarness * h, GstEventType type)
{
  GstEvent *event;

  while ((event = gst_harness_pull_event (h)) != NULL) {
    if (GST_EVENT_TYPE (event) == type)
      return event;
    gst_event_unref (event);
  }
  fail ("no %s event", gst_event_type_get_name (type));
  return NULL;
}

/* Sets the harness's clock to @time and releases every wait due by then. */
static void
clock_release_until (GstHarness * h, GstClockTime time)
{
  GstTestClock *clock = gst_harness_get_testclock (h);
  GstClockID id;

  gst_test_clock_set_time (clock, time);
  while (gst_test_clock_peek_next_pending_id (clock, &id)) {
    if (gst_clock_id_get_time (id) > time) {
      gst_clock_id_unref (id);
      break;
    }
    gst_test_clock_process_id (clock, id);
  }
  gst_object_unref (clock);
}

/* Waits until something waits on the harness's clock. */
static void
clock_wait_for_waiter (GstHarness * h)
{
  GstTestClock *clock = gst_harness_get_testclock (h);

  gst_test_clock_wait_for_next_pending_id (clock, NULL);
  gst_object_unref (clock);
}

GST_START_TEST (test_src_is_a_live_sparse_stream)
{
  FixturePeer *peer = peer_new ();
  FixtureBin *bin = fixture_bin_start (signalbin_new (), NULL, TRUE);
  GstClockTime ts, duration, min, max;
  const GstSegment *segment;
  GstBuffer *buffer;
  GstEvent *event;
  GstQuery *query;
  gboolean live;
  GstPad *srcpad;

  /* a live source's segment: running times */
  event = pull_event_of_type (bin->h, GST_EVENT_SEGMENT);
  gst_event_parse_segment (event, &segment);
  fail_unless_equals_int (segment->format, GST_FORMAT_TIME);
  fail_unless_equals_uint64 (segment->start, 0);
  gst_event_unref (event);

  srcpad = gst_element_get_static_pad (bin->element, "src");
  query = gst_query_new_latency ();
  fail_unless (gst_pad_query (srcpad, query));
  gst_query_parse_latency (query, &live, &min, &max);
  fail_unless (live);
  fail_unless (min > 0 && min <= 100 * GST_MSECOND);
  gst_query_unref (query);
  gst_object_unref (srcpad);

  /* no signal: GAP events move the stream on with the clock */
  clock_wait_for_waiter (bin->h);
  clock_release_until (bin->h, 1 * GST_SECOND);
  event = pull_event_of_type (bin->h, GST_EVENT_GAP);
  gst_event_parse_gap (event, &ts, &duration);
  fail_unless_equals_uint64 (ts, 0);
  fail_unless_equals_uint64 (ts + duration, 1 * GST_SECOND);
  gst_event_unref (event);

  /* a signal lasts src-duration */
  g_object_set (bin->element, "src-duration", 3 * GST_SECOND, NULL);
  fixture_peer_send_ok (peer, "chat", "hello", NULL);
  buffer = pull_buffer (bin->h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (buffer), 1 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (buffer), 3 * GST_SECOND);
  gst_buffer_unref (buffer);

  /* and the next GAP starts where it ends */
  clock_wait_for_waiter (bin->h);
  clock_release_until (bin->h, 5 * GST_SECOND);
  event = pull_event_of_type (bin->h, GST_EVENT_GAP);
  gst_event_parse_gap (event, &ts, &duration);
  fail_unless_equals_uint64 (ts, 4 * GST_SECOND);
  fail_unless_equals_uint64 (ts + duration, 5 * GST_SECOND);
  gst_event_unref (event);

  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

GST_START_TEST (test_sink_sync_sends_at_running_time)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GstTestClock *clock;
  GList *ids = NULL, *l;
  gboolean found = FALSE;
  Pusher pusher = { 0 };
  GstBuffer *buffer;
  GThread *thread;
  gint sent = 0;
  FixtureBin *bin;

  g_object_set (element, "sync", TRUE, "signal-type", "cue", NULL);
  bin = fixture_bin_start (element, "application/octet-stream", TRUE);
  clock = gst_harness_get_testclock (bin->h);

  buffer = fixture_text_buffer ("at three");
  GST_BUFFER_PTS (buffer) = 3 * GST_SECOND;
  pusher.h = bin->h;
  pusher.sent = &sent;
  pusher.buffer = buffer;
  thread = g_thread_new ("pusher", push_in_thread, &pusher);

  /* the streaming thread waits on the clock for 3 s (the src pad's task
   * waits for its next GAP) */
  while (!found) {
    gst_test_clock_wait_for_multiple_pending_ids (clock, 2, &ids);
    for (l = ids; l != NULL; l = l->next)
      if (gst_clock_id_get_time (l->data) == 3 * GST_SECOND)
        found = TRUE;
    g_list_free_full (ids, (GDestroyNotify) gst_clock_id_unref);
    ids = NULL;
  }
  fail_unless_equals_int (peer_n_signals (peer), 0);

  clock_release_until (bin->h, 3 * GST_SECOND);
  g_thread_join (thread);
  fail_unless_equals_int (pusher.ret, GST_FLOW_OK);
  expect_peer_signal (peer, 0, "cue", "at three", bin->id);

  gst_object_unref (clock);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

static void
on_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad, gint * frames)
{
  g_atomic_int_inc (frames);
}

static GstPadProbeReturn
on_sink_eos (GstPad * pad, GstPadProbeInfo * info, FixtureCollector * c)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    fixture_collector_push (c, gst_structure_new_empty ("eos"));
  return GST_PAD_PROBE_OK;
}

/* textoverlay (wait-text=true) next to a live video: the video keeps its
 * rate whether signals come or not. Without GAP events textoverlay holds
 * every frame until the next signal (seconds here: the sink drops most
 * of the video); the sink's max-lateness only has to tell that from a
 * loaded machine (ASan, two cores), where frames come tens of ms late. */
GST_START_TEST (test_textoverlay_keeps_video_rate)
{
  FixturePeer *peer = peer_new ();
  GstElement *pipeline, *video, *element;
  gchar *token = make_token ("overlay");
  gchar *description;
  FixtureCollector *eos;
  GstBus *bus;
  GstPad *pad;
  gint frames = 0;
  guint i;

  eos = fixture_collector_new (NULL);
  /* each signal is shown for 0.1 s: most of the video has only GAP
   * events to go on */
  description = g_strdup_printf ("videotestsrc is-live=true num-buffers=60 ! "
      "video/x-raw,framerate=30/1,width=160,height=120 ! "
      "textoverlay name=o wait-text=true ! fakesink name=v sync=true "
      "qos=true max-lateness=500000000 signal-handoffs=true "
      "signalbin name=s src-duration=100000000 api-url=%s api-key=%s "
      "session-id=%s token=%s ! o.text_sink", srv->url, API_KEY,
      srv->session_id, token);
  pipeline = gst_parse_launch (description, NULL);
  fail_unless (pipeline != NULL);
  g_free (description);
  g_free (token);
  video = gst_bin_get_by_name (GST_BIN (pipeline), "v");
  element = gst_bin_get_by_name (GST_BIN (pipeline), "s");
  g_signal_connect (video, "handoff", G_CALLBACK (on_handoff), &frames);
  pad = gst_element_get_static_pad (video, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      (GstPadProbeCallback) on_sink_eos, eos, NULL);
  gst_object_unref (pad);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));

  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  gst_message_unref (fixture_bus_wait_element (bus,
          "opentok-session-connected"));
  /* signals while the video runs, each one shown over the video */
  for (i = 0; i < 5; i++) {
    fixture_peer_send_ok (peer, "chat", "over the video", NULL);
    gst_message_unref (fixture_bus_wait_element (bus, "opentok-signal"));
  }
  fail_unless (fixture_collector_wait (eos, NULL, NULL, NULL, 1, WAIT_MS),
      "the video did not end");
  fail_unless_equals_int (g_atomic_int_get (&frames), 60);
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_QOS) != NULL,
      "the video sink dropped late frames");
  fixture_bus_assert_no_error (bus);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (video);
  gst_object_unref (element);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  fixture_collector_free (eos);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* What a recording holds: types, and data that text containers and
 * demuxers could mangle. */
static const struct
{
  const gchar *type;
  const gchar *data;
  guint gap_ms;                 /* before it */
} recorded[] = {
  {"chat", "a <b> & \"c\" \\ d", 0},
  {"cue", "\xf0\x9f\x98\x80 4-byte emoji", 400},
  {"chat", "two\nlines", 250},
  {"", "no type", 600},
};

/* Keeps the timestamp and running time of each buffer through a pad. */
static GstPadProbeReturn
timestamps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  FixtureCollector *timestamps = data;
  GstSegment *segment = g_object_get_data (G_OBJECT (pad), "test-segment");
  GstBuffer *buffer;
  GstEvent *event;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    event = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT)
      gst_event_copy_segment (event, segment);
    return GST_PAD_PROBE_OK;
  }
  buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  fixture_collector_push (timestamps, gst_structure_new ("timestamp",
          "pts", G_TYPE_UINT64, GST_BUFFER_PTS (buffer),
          "running-time", G_TYPE_UINT64,
          gst_segment_to_running_time (segment, GST_FORMAT_TIME,
              GST_BUFFER_PTS (buffer)), NULL));
  return GST_PAD_PROBE_OK;
}

static void
timestamps_watch (GstElement * pipeline, const gchar * element_name,
    const gchar * pad_name, FixtureCollector * timestamps)
{
  GstElement *element = gst_bin_get_by_name (GST_BIN (pipeline),
      element_name);
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  GstSegment *segment = gst_segment_new ();

  gst_segment_init (segment, GST_FORMAT_TIME);
  g_object_set_data_full (G_OBJECT (pad), "test-segment", segment,
      (GDestroyNotify) gst_segment_free);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, timestamps_probe, timestamps, NULL);
  gst_object_unref (pad);
  gst_object_unref (element);
}

static guint64
timestamp_get (FixtureCollector * timestamps, guint i, const gchar * field)
{
  guint64 value = GST_CLOCK_TIME_NONE;

  gst_structure_get_uint64 (fixture_collector_get (timestamps, i), field,
      &value);
  return value;
}

/* Records the session's signals with src-format=json through @mux into a
 * file, then replays the file with sink-format=json sync=true through
 * @demux: the signals come back with their types, their exact data, and
 * the timestamps they were recorded with; none leaves before the clock
 * reaches its running time. The checks compare timestamps with timestamps
 * and each arrival with the clock, never two wall-clock gaps: how late a
 * signal arrives depends on the machine's load, not on signalbin. */
static void
record_and_replay (const gchar * mux, const gchar * demux)
{
  FixturePeer *sender = peer_new (), *receiver;
  gchar *dir = g_dir_make_tmp ("signalbin-XXXXXX", NULL);
  gchar *path = g_build_filename (dir, "recording", NULL);
  gchar *token = make_token ("recorder");
  gchar *description;
  GstElement *pipeline;
  GstMessage *message;
  FixtureCollector *recorded_ts, *replayed_ts;
  GstClockTime base_time;
  GstBus *bus;
  guint i;

  recorded_ts = fixture_collector_new (NULL);
  replayed_ts = fixture_collector_new (NULL);
  fail_unless (dir != NULL);
  description = g_strdup_printf ("signalbin name=s api-url=%s api-key=%s "
      "session-id=%s token=%s src-format=json ! queue ! %s ! "
      "filesink location=%s", srv->url, API_KEY, srv->session_id, token, mux,
      path);
  pipeline = gst_parse_launch (description, NULL);
  g_free (description);
  g_free (token);
  fail_unless (pipeline != NULL);
  timestamps_watch (pipeline, "s", "src", recorded_ts);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  gst_message_unref (fixture_bus_wait_element (bus,
          "opentok-session-connected"));
  for (i = 0; i < G_N_ELEMENTS (recorded); i++) {
    /* input, not a check: the gaps the recording is to keep */
    g_usleep (recorded[i].gap_ms * 1000);
    fixture_peer_send_ok (sender, recorded[i].type, recorded[i].data, NULL);
    gst_message_unref (fixture_bus_wait_element (bus, "opentok-signal"));
  }
  fail_unless (gst_element_send_event (pipeline, gst_event_new_eos ()));
  message = fixture_bus_wait (bus, GST_MESSAGE_EOS, NULL, WAIT_MS);
  fail_unless (message != NULL, "the recording did not end");
  gst_message_unref (message);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  fail_unless_equals_int (fixture_collector_len (recorded_ts),
      G_N_ELEMENTS (recorded));

  receiver = peer_new ();
  token = make_token ("player");
  description = g_strdup_printf ("filesrc location=%s ! %s name=d "
      "d.subtitle_0 ! queue ! signalbin name=s api-url=%s api-key=%s "
      "session-id=%s token=%s sink-format=json sync=true", path, demux,
      srv->url, API_KEY, srv->session_id, token);
  pipeline = gst_parse_launch (description, NULL);
  g_free (description);
  g_free (token);
  fail_unless (pipeline != NULL);
  timestamps_watch (pipeline, "s", "sink", replayed_ts);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  message = fixture_bus_wait (bus, GST_MESSAGE_EOS, NULL, WAIT_MS);
  fail_unless (message != NULL, "the replay did not end");
  gst_message_unref (message);
  base_time = gst_element_get_base_time (pipeline);

  fail_unless (peer_signal (receiver, G_N_ELEMENTS (recorded) - 1) != NULL);
  fail_unless_equals_int (peer_n_signals (receiver), G_N_ELEMENTS (recorded));
  fail_unless_equals_int (fixture_collector_len (replayed_ts),
      G_N_ELEMENTS (recorded));
  for (i = 0; i < G_N_ELEMENTS (recorded); i++) {
    const GstStructure *got = peer_signal (receiver, i);
    const gchar *type = gst_structure_get_string (got, "type");
    gint64 arrival;
    GstClockTimeDiff recorded_offset, replayed_offset, arrival_running_time;

    fail_unless_equals_string (type ? type : "", recorded[i].type);
    fail_unless_equals_string (gst_structure_get_string (got, "data"),
        recorded[i].data);

    /* the container kept the timestamps (to its millisecond timescale) */
    recorded_offset = timestamp_get (recorded_ts, i, "pts") -
        timestamp_get (recorded_ts, 0, "pts");
    replayed_offset = timestamp_get (replayed_ts, i, "pts") -
        timestamp_get (replayed_ts, 0, "pts");
    GST_INFO ("%s: signal %u recorded at %" GST_STIME_FORMAT
        ", replayed at %" GST_STIME_FORMAT, mux, i,
        GST_STIME_ARGS (recorded_offset), GST_STIME_ARGS (replayed_offset));
    fail_unless (ABS (replayed_offset - recorded_offset) <= GST_MSECOND,
        "%s: signal %u recorded at %" GST_STIME_FORMAT ", replayed at %"
        GST_STIME_FORMAT, mux, i, GST_STIME_ARGS (recorded_offset),
        GST_STIME_ARGS (replayed_offset));
    if (i > 0)
      fail_unless (recorded_offset >= 200 * GST_MSECOND * i,
          "%s: signal %u recorded only %" GST_STIME_FORMAT " after the first",
          mux, i, GST_STIME_ARGS (recorded_offset));

    /* sync=true: it left once the pipeline's clock (the monotonic system
     * clock) reached its running time, not before */
    /* when the peer's network thread saw it */
    arrival = fixture_event_int64 (got, "time");
    arrival_running_time = arrival * GST_USECOND - base_time;
    fail_unless (arrival_running_time >=
        (GstClockTimeDiff) timestamp_get (replayed_ts, i, "running-time"),
        "%s: signal %u arrived at %" GST_STIME_FORMAT ", before its running "
        "time %" GST_TIME_FORMAT, mux, i, GST_STIME_ARGS (arrival_running_time),
        GST_TIME_ARGS (timestamp_get (replayed_ts, i, "running-time")));
  }
  fixture_bus_assert_no_error (bus);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  fixture_collector_free (recorded_ts);
  fixture_collector_free (replayed_ts);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  fixture_peer_free (receiver);
  fixture_peer_free (sender);
}

GST_START_TEST (test_record_and_replay_through_matroska)
{
  record_and_replay ("matroskamux", "matroskademux");
}

GST_END_TEST;

GST_START_TEST (test_record_and_replay_through_mp4)
{
  record_and_replay ("mp4mux", "qtdemux");
}

GST_END_TEST;

/* Forces @victim out through the action; returns the reply's error code,
 * 0 when it went. */
static gint
force_disconnect_code (GstElement * element, const gchar * victim)
{
  GstPromise *promise = gst_promise_new ();
  const GstStructure *reply;
  GError *error = NULL;
  gint code = 0;

  g_signal_emit_by_name (element, "force-disconnect", victim, promise);
  fail_unless_equals_int (gst_promise_wait (promise),
      GST_PROMISE_RESULT_REPLIED);
  reply = gst_promise_get_reply (promise);
  fail_unless_equals_string (gst_structure_get_string (reply,
          "connection-id"), victim);
  if (gst_structure_has_field (reply, "error")) {
    fail_unless (gst_structure_get (reply, "error", G_TYPE_ERROR, &error,
            NULL));
    fail_unless (error->domain == GST_OPENTOK_CLIENT_ERROR);
    code = error->code;
    g_error_free (error);
  }
  gst_promise_unref (promise);
  return code;
}

GST_START_TEST (test_force_disconnect_action_takes_a_moderator)
{
  FixturePeer *victim = peer_new (), *observer = peer_new ();
  GstElement *element = signalbin_new ();
  gchar *token =
      gst_opentok_server_generate_token (srv->server, srv->session_id,
      GST_OPENTOK_ROLE_MODERATOR, "moderator", NULL);
  FixtureBin *bin, *publisher;
  gint index;

  /* not in a session yet */
  fail_unless_equals_int (force_disconnect_code (element, victim->id), 1010);

  /* a publisher may not */
  publisher = fixture_bin_start (signalbin_new (), NULL, TRUE);
  fail_unless_equals_int (force_disconnect_code (publisher->element,
          victim->id), 1520);
  fixture_bin_stop (publisher);

  g_object_set (element, "token", token, NULL);
  g_free (token);
  bin = fixture_bin_start (element, NULL, TRUE);
  /* not in the session */
  fail_unless_equals_int (force_disconnect_code (element, "no-such-id"), 1011);
  fail_unless_equals_int (force_disconnect_code (element, victim->id), 0);
  index = peer_find (observer, "reason", "forceDisconnected");
  fail_unless (index >= 0, "the others did not see the connection go");
  fail_unless_equals_string (gst_structure_get_string (fixture_collector_get
          (observer->events, index), "connection-id"), victim->id);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (observer);
  fixture_peer_free (victim);
}

GST_END_TEST;

/* two signalbins chained in one session echo nothing with these */
GST_START_TEST (test_src_filters_types_and_own_signals)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  GstBuffer *buffer;
  FixtureBin *bin;

  g_object_set (element, "src-types", "chat,cue", "src-include-self", FALSE,
      NULL);
  bin = fixture_bin_start (element, NULL, TRUE);

  /* its own broadcast and another type stay off the src pad, but are
   * messages */
  assert_sent_ok (element, "opentok-signal, type=chat, data=mine");
  gst_message_unref (fixture_bus_wait_element (bin->bus, "opentok-signal"));
  fixture_peer_send_ok (peer, "other", "not this", NULL);
  gst_message_unref (fixture_bus_wait_element (bin->bus, "opentok-signal"));
  fixture_peer_send_ok (peer, "cue", "this", NULL);
  gst_message_unref (fixture_bus_wait_element (bin->bus, "opentok-signal"));

  buffer = pull_buffer (bin->h);
  assert_buffer_text (buffer, "this\n");
  gst_buffer_unref (buffer);
  fail_unless (gst_harness_try_pull (bin->h) == NULL);

  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* src-format=json goes as text to a downstream that takes only text (a
 * muxer's subtitle track); a downstream that takes neither format is an
 * error naming the property when the caps are chosen, not mid-stream */
GST_START_TEST (test_src_caps_negotiated_with_downstream)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  const GstStructure *s;
  GstMessage *message;
  GstBuffer *buffer;
  GError *error = NULL;
  GstCaps *caps;
  FixtureBin *bin;

  gst_util_set_object_arg (G_OBJECT (element), "src-format", "json");
  bin = fixture_bin_start (element, NULL, TRUE);
  gst_harness_set_sink_caps_str (bin->h, "text/x-raw, format=utf8");
  fixture_peer_send_ok (peer, "chat", "as text", NULL);
  buffer = pull_buffer (bin->h);
  gst_buffer_unref (buffer);
  caps = gst_pad_get_current_caps (bin->h->sinkpad);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "text/x-raw"), "%" GST_PTR_FORMAT,
      caps);
  gst_caps_unref (caps);
  fixture_bin_stop (bin);

  element = signalbin_new ();
  bin = fixture_bin_start (element, NULL, TRUE);
  gst_harness_set_sink_caps_str (bin->h, "application/json");
  fixture_peer_send_ok (peer, "chat", "not as text", NULL);
  message = gst_bus_timed_pop_filtered (bin->bus, WAIT_MS * GST_MSECOND,
      GST_MESSAGE_ERROR);
  fail_unless (message != NULL, "no negotiation error");
  gst_message_parse_error (message, &error, NULL);
  fail_unless (error->domain == GST_CORE_ERROR);
  fail_unless_equals_int (error->code, GST_CORE_ERROR_NEGOTIATION);
  fail_unless (strstr (error->message, "src-format") != NULL, "%s",
      error->message);
  g_error_free (error);
  gst_message_unref (message);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* sink-format=json: a line that is not a signal is refused with its offset,
 * and the stream goes on */
GST_START_TEST (test_sink_json_lines_and_a_malformed_one)
{
  FixturePeer *peer = peer_new ();
  GstElement *element = signalbin_new ();
  const gchar *good = "{\"type\":\"chat\",\"data\":\"a <&> \\\"q\\\"\"}\n";
  gchar *text, *offset;
  GstMessage *message;
  const gchar *why;
  gint code = 0;
  FixtureBin *bin;

  gst_util_set_object_arg (G_OBJECT (element), "sink-format", "json");
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  text = g_strconcat (good, "not json\n{\"data\":\"next\",\"from\":\"x\"}\n",
      NULL);
  gst_harness_push (bin->h, fixture_text_buffer (text));
  g_free (text);

  expect_peer_signal (peer, 0, "chat", "a <&> \"q\"", bin->id);
  expect_peer_signal (peer, 1, "", "next", bin->id);
  message = gst_bus_timed_pop_filtered (bin->bus, WAIT_MS * GST_MSECOND,
      GST_MESSAGE_WARNING);
  fail_unless (message != NULL, "no warning for the malformed line");
  gst_message_unref (message);
  /* the refused one's completion, among the others' */
  while (TRUE) {
    message = fixture_bus_wait_element (bin->bus, "opentok-signal-sent");
    if (gst_structure_get_int (gst_message_get_structure (message), "code",
            &code))
      break;
    gst_message_unref (message);
  }
  fail_unless_equals_int (code, 400);
  why = gst_structure_get_string (gst_message_get_structure (message),
      "message");
  offset = g_strdup_printf ("at byte %u", (guint) strlen (good));
  fail_unless (strstr (why, offset) != NULL, "%s", why);
  g_free (offset);
  gst_message_unref (message);

  fixture_bus_assert_no_error (bin->bus);
  fixture_bin_stop (bin);
  fixture_peer_free (peer);
}

GST_END_TEST;

/* A server that takes one signal, then refuses every other for its rate:
 * at EOS, after DRAIN_IDLE_TIMEOUT without a completion, the signals still
 * waiting are reported, in order, before the element's EOS */
GST_START_TEST (test_eos_reports_what_will_not_be_sent)
{
  GstElement *element;
  GstMessage *message;
  GError *error = NULL;
  guint refused = 0, sent = 0;
  gboolean eos = FALSE;
  gchar *token;
  FixtureBin *bin;

  /* this test's own server */
  server_teardown ();
  srv = fixture_server_new ("signal-rate", 0.001, "signal-burst", 1, NULL);

  element = gst_element_factory_make ("signalbin", NULL);
  token = make_token ("element");
  g_object_set (element, "api-url", srv->url, "api-key", API_KEY,
      "session-id", srv->session_id, "token", token, NULL);
  g_free (token);
  bin = fixture_bin_start (element, "text/x-raw, format=utf8", TRUE);
  gst_harness_push (bin->h, fixture_text_buffer ("one\ntwo\nthree\n"));
  fail_unless (gst_harness_push_event (bin->h, gst_event_new_eos ()));

  /* at most 10 s of waiting, then the rest, then EOS */
  while (!eos && (message = gst_bus_timed_pop (bin->bus,
              2 * WAIT_MS * GST_MSECOND)) != NULL) {
    const GstStructure *s = gst_message_get_structure (message);
    gint code = 0;

    if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
      eos = TRUE;
    } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (message, &error, NULL);
      fail ("unexpected error: %s", error->message);
    } else if (gst_message_has_name (message, "opentok-signal-sent")) {
      fail_if (eos);
      if (gst_structure_get_int (s, "code", &code)) {
        fail_unless_equals_int (code, 500);
        refused++;
      } else {
        sent++;
      }
    }
    gst_message_unref (message);
  }
  fail_unless (eos, "no EOS");
  fail_unless_equals_int (sent, 1);
  fail_unless_equals_int (refused, 2);
  fixture_bin_stop (bin);
}

GST_END_TEST;

/* State changes of one element from several threads while another sends:
 * every change and every send returns, and sends complete (it used to hang
 * within two cycles: a start waited for a wake-up a stopping thread had
 * already given). */
#define CYCLES 1000
#define CYCLE_THREADS 2

typedef struct
{
  GstElement *element;
  gint done;                    /* atomic */
  gint replied;                 /* atomic: sends whose promise was answered */
  gint sent;                    /* atomic */
  FixtureNotifier *notifier;    /* told of every reply */
} Cycling;

static gpointer
cycling_switches (gpointer data)
{
  Cycling *c = data;
  guint i;

  for (i = 0; i < CYCLES / CYCLE_THREADS; i++) {
    g_assert_true (gst_element_set_state (c->element, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    g_assert_true (gst_element_set_state (c->element, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  return NULL;
}

static void
cycling_replied (GstPromise * promise, gpointer data)
{
  Cycling *c = data;

  g_atomic_int_inc (&c->replied);
  fixture_notifier_notify (c->notifier);
}

static gpointer
cycling_sends (gpointer data)
{
  Cycling *c = data;
  GstStructure *signal = gst_structure_new ("signal", "type", G_TYPE_STRING,
      "cycle", "data", G_TYPE_STRING, "in flight", NULL);

  while (!g_atomic_int_get (&c->done)) {
    GstPromise *promise = gst_promise_new_with_change_func (cycling_replied,
        c, NULL);

    g_signal_emit_by_name (c->element, "send-signal", signal, promise);
    gst_promise_unref (promise);
    g_atomic_int_inc (&c->sent);
  }
  gst_structure_free (signal);
  return NULL;
}

static gboolean
cycling_all_replied (gpointer data)
{
  Cycling *c = data;

  return g_atomic_int_get (&c->replied) == g_atomic_int_get (&c->sent);
}

GST_START_TEST (test_state_changes_from_threads_with_sends_in_flight)
{
  Cycling c = { signalbin_new (), 0, 0, 0, fixture_notifier_new (NULL) };
  GThread *switchers[CYCLE_THREADS], *sender;
  GstBus *bus;
  guint i;

  gst_object_ref_sink (c.element);
  sender = g_thread_new ("sender", cycling_sends, &c);
  for (i = 0; i < CYCLE_THREADS; i++)
    switchers[i] = g_thread_new ("switcher", cycling_switches, &c);
  for (i = 0; i < CYCLE_THREADS; i++)
    g_thread_join (switchers[i]);
  g_atomic_int_set (&c.done, 1);
  g_thread_join (sender);

  /* every promise is answered, the last ones by the change to NULL */
  fail_unless (fixture_notifier_wait (c.notifier, cycling_all_replied, &c,
          WAIT_MS), "%d of %d sends answered", c.replied, c.sent);
  GST_INFO ("%d cycles, %d sends", CYCLES, c.sent);

  /* and it still joins */
  bus = gst_bus_new ();
  gst_element_set_bus (c.element, bus);
  fail_unless (gst_element_set_state (c.element, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  gst_message_unref (fixture_bus_wait_element (bus,
          "opentok-session-connected"));
  gst_element_set_state (c.element, GST_STATE_NULL);
  gst_element_set_bus (c.element, NULL);
  gst_object_unref (bus);
  gst_object_unref (c.element);
  fixture_notifier_free (c.notifier);
}

GST_END_TEST;

static Suite *
signalbin_suite (void)
{
  Suite *s = suite_create ("signalbin");
  TCase *tc;

  tc = tcase_create ("threads");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_state_changes_from_threads_with_sends_in_flight);

  tc = tcase_create ("settings");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_properties_defaults);
  tcase_add_test (tc, test_missing_settings_fail_null_to_ready);
  tcase_add_test (tc, test_settings_refused_past_ready);
  tcase_add_test (tc, test_joins_and_reports_session);
  suite_add_tcase (s, tc);

  tc = tcase_create ("send");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_send_signal_action_reaches_peer_and_self);
  tcase_add_test (tc, test_send_signal_targeted_reaches_only_target);
  tcase_add_test (tc, test_send_signal_limits_reply_opentok_codes);
  tcase_add_test (tc, test_send_signal_not_in_session_replies_500);
  tcase_add_test (tc, test_retry_after_reconnect_default_applies);
  tcase_add_test (tc, test_application_message_from_child_is_sent);
  tcase_add_test (tc, test_custom_event_to_element_is_sent);
  tcase_add_test (tc, test_sink_events_keep_order_with_buffers);
  tcase_add_test (tc, test_sink_text_lines_are_signals);
  tcase_add_test (tc, test_sink_other_caps_buffer_is_one_signal);
  tcase_add_test (tc, test_sink_lines_span_buffers_of_a_byte_stream);
  tcase_add_test (tc, test_sink_queued_before_join_sent_after);
  tcase_add_test (tc, test_eos_waits_for_sends);
  suite_add_tcase (s, tc);

  tc = tcase_create ("receive");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_detailed_signal_sees_only_its_type);
  tcase_add_test (tc, test_received_signal_bus_message_fields);
  tcase_add_test (tc, test_src_data_format_buffers);
  tcase_add_test (tc, test_src_json_format_buffers);
  suite_add_tcase (s, tc);

  tc = tcase_create ("session");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_bad_token_posts_error_1004);
  tcase_add_test (tc, test_unknown_session_posts_error_1005);
  tcase_add_test (tc, test_malformed_session_id_posts_error_1005);
  tcase_add_test (tc, test_unreachable_server_posts_error_1006);
  tcase_add_test (tc, test_silent_server_fails_1006_within_connect_timeout);
  tcase_add_test (tc, test_force_disconnect_posts_error_1023);
  tcase_add_test (tc, test_reconnects_after_cut);
  tcase_add_test (tc, test_lost_session_posts_error_1022);
  tcase_add_test (tc, test_repeated_cuts_keep_retry_signals_exactly_once);
  tcase_add_test (tc, test_minted_token_carries_connection_data);
  suite_add_tcase (s, tc);

  tc = tcase_create ("stream");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_sink_blocks_when_full_and_unblocks_at_ready);
  tcase_add_test (tc, test_sink_refusal_is_a_warning_with_code_and_data);
  tcase_add_test (tc, test_src_is_a_live_sparse_stream);
  tcase_add_test (tc, test_sink_sync_sends_at_running_time);
  tcase_add_test (tc, test_textoverlay_keeps_video_rate);
  tcase_add_test (tc, test_record_and_replay_through_matroska);
  tcase_add_test (tc, test_record_and_replay_through_mp4);
  tcase_add_test (tc, test_src_filters_types_and_own_signals);
  tcase_add_test (tc, test_src_caps_negotiated_with_downstream);
  tcase_add_test (tc, test_sink_json_lines_and_a_malformed_one);
  tcase_add_test (tc, test_force_disconnect_action_takes_a_moderator);
  suite_add_tcase (s, tc);

  tc = tcase_create ("rate-limited");
  tcase_add_checked_fixture (tc, server_setup_rate_limited, server_teardown);
  tcase_add_test (tc, test_sink_rate_limited_lines_all_arrive_in_order);
  tcase_add_test (tc, test_eos_reports_what_will_not_be_sent);
  suite_add_tcase (s, tc);

  tc = tcase_create ("pipeline");
  tcase_add_checked_fixture (tc, server_setup, server_teardown);
  tcase_add_test (tc, test_unlinked_pipeline_eos_leaves_cleanly);
  tcase_add_test (tc, test_null_playing_null_cycles_join_and_leave);
  suite_add_tcase (s, tc);

  return s;
}

GST_CHECK_MAIN (signalbin);
