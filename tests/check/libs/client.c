/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Tests of GstOpenTokClient against the real embedded GstOpenTokServer,
 * in-process on loopback. Faults come from a TcpProxy between a client and
 * the server (the server derives the WebSocket URL from the Host header, so
 * a client whose api-url is the proxy also reaches the socket through it),
 * and from small SoupServers that answer the session-info request badly.
 *
 * The client emits its GObject signals from its own network thread: the
 * peers of common/fixture.h only record what they saw, and wake the test's
 * GMainContext up. The test thread waits by iterating that context (where
 * GTask callbacks and the fake servers run) with a deadline. Nothing
 * sleeps. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>
#include <gst/opentok/gstopentokserver-private.h>
#include <libsoup/soup.h>

#include "fixture.h"
#include "tcpproxy.h"

#define API_KEY FIXTURE_API_KEY
#define WAIT_MS FIXTURE_WAIT_MS

/* what the "signal-received::chat" handler records */
#define CHAT_SIGNAL "chat-signal"

typedef struct
{
  GMainContext *context;
  FixtureServer *srv;
  TcpProxy *proxy;              /* on demand */
  gchar *proxy_url;
  GList *peers;                 /* FixturePeer, owned */
} Fixture;

/* ------------------------------------------------------------------------ */
/* Fixture and peers                                                        */

/* Starts a server; the arguments are server properties, NULL-terminated. */
static Fixture *
fixture_new (const gchar * first_property, ...)
{
  Fixture *f = g_new0 (Fixture, 1);
  va_list args;

  f->context = fixture_context_push ();
  va_start (args, first_property);
  f->srv = fixture_server_new_valist (first_property, args);
  va_end (args);
  return f;
}

/* The proxy in front of the server, made on first use. */
static const gchar *
fixture_proxy_url (Fixture * f)
{
  if (f->proxy == NULL) {
    f->proxy = tcp_proxy_new ("127.0.0.1",
        gst_opentok_server_get_port (f->srv->server));
    fail_unless (f->proxy != NULL, "could not start the proxy");
    f->proxy_url = tcp_proxy_get_url (f->proxy, "http");
  }
  return f->proxy_url;
}

static gchar *
fixture_token (Fixture * f, const gchar * session_id, const gchar * data)
{
  return fixture_server_token (f->srv, session_id, GST_OPENTOK_ROLE_PUBLISHER,
      data);
}

static void
fixture_free (Fixture * f)
{
  g_list_free_full (f->peers, (GDestroyNotify) fixture_peer_free);
  tcp_proxy_free (f->proxy);
  g_free (f->proxy_url);
  fixture_server_free (f->srv);
  fixture_context_pop (f->context);
  g_free (f);
}

static void
on_chat_signal (GstOpenTokClient * client, GstOpenTokSignal * signal,
    FixtureCollector * events)
{
  fixture_collector_push (events, gst_structure_new (CHAT_SIGNAL, "key",
          G_TYPE_STRING, gst_opentok_signal_get_data (signal), "signal",
          GST_TYPE_OPENTOK_SIGNAL, signal, NULL));
}

/* A client of the fixture, recording what it emits (and, apart, its
 * "signal-received::chat" signals); nothing goes on the network yet. */
static FixturePeer *
peer_new_full (Fixture * f, const gchar * name, const gchar * api_url,
    const gchar * api_key, const gchar * session_id, const gchar * token)
{
  FixturePeer *p = fixture_peer_new (f->context, name, api_url, api_key,
      session_id, token);

  g_signal_connect (p->client, "signal-received::chat",
      G_CALLBACK (on_chat_signal), p->events);
  f->peers = g_list_append (f->peers, p);
  return p;
}

/* A client of the fixture's session, with the token data "name=@name",
 * reaching the server directly or through the proxy. */
static FixturePeer *
peer_new (Fixture * f, const gchar * name, gboolean via_proxy)
{
  gchar *data = g_strdup_printf ("name=%s", name);
  gchar *token = fixture_token (f, NULL, data);
  FixturePeer *p = peer_new_full (f, name, via_proxy ? fixture_proxy_url (f) :
      f->srv->url, API_KEY, f->srv->session_id, token);

  g_free (token);
  g_free (data);
  return p;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

typedef struct
{
  Fixture *f;
  guint wanted;
} SendsDone;

static gboolean
sends_done (gpointer data)
{
  SendsDone *w = data;
  guint n = 0, i;
  GList *l;

  for (l = w->f->peers; l != NULL; l = l->next) {
    FixturePeer *p = l->data;

    for (i = 0; i < p->sends->len; i++)
      n += fixture_send_done (g_ptr_array_index (p->sends, i));
  }
  return n >= w->wanted;
}

/* Waits until @wanted of the sends of all the fixture's peers completed. */
static gboolean
fixture_wait_sends (Fixture * f, guint wanted, guint timeout_ms)
{
  SendsDone w = { f, wanted };

  return fixture_wait (f->context, sends_done, &w, timeout_ms);
}

/* A signal of type "marker" from the server to the whole session. A client
 * gets what the server relayed to it in order, so once @p has the marker
 * it has every signal relayed to it before. */
static void
fixture_marker (Fixture * f, const gchar * marker)
{
  fixture_server_send (f->srv, "marker", marker);
}

/* Sends a marker and waits until every peer given has it. */
static void
fixture_sync (Fixture * f, const gchar * marker, FixturePeer * first, ...)
{
  va_list args;
  FixturePeer *p;

  fixture_marker (f, marker);
  va_start (args, first);
  for (p = first; p != NULL; p = va_arg (args, FixturePeer *))
    fail_unless (fixture_peer_wait (p, FIXTURE_EVENT_SIGNAL, marker, 1,
            WAIT_MS), "%s did not get the marker %s", p->name, marker);
  va_end (args);
}

/* ------------------------------------------------------------------------ */
/* Other servers                                                            */

/* A session-info endpoint that answers every request with one canned
 * answer. It runs on the test's context, so it answers while a test
 * waits. */
typedef struct
{
  SoupServer *server;
  guint status;
  gchar *body;
  guint requests;
  gchar *url;
} FakeAnvil;

static void
fake_anvil_handle (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  FakeAnvil *anvil = user_data;

  anvil->requests++;
  soup_server_message_set_status (msg, anvil->status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_COPY, anvil->body, strlen (anvil->body));
}

static FakeAnvil *
fake_anvil_new (guint status, const gchar * body)
{
  FakeAnvil *anvil = g_new0 (FakeAnvil, 1);
  GError *error = NULL;
  GSList *uris;

  anvil->status = status;
  anvil->body = g_strdup (body);
  anvil->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (anvil->server, NULL, fake_anvil_handle, anvil, NULL);
  fail_unless (soup_server_listen_local (anvil->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &error), "cannot listen: %s",
      error ? error->message : "?");
  uris = soup_server_get_uris (anvil->server);
  fail_unless (uris != NULL);
  anvil->url = g_strdup_printf ("http://127.0.0.1:%d",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return anvil;
}

static void
fake_anvil_free (FakeAnvil * anvil)
{
  soup_server_disconnect (anvil->server);
  g_object_unref (anvil->server);
  g_free (anvil->body);
  g_free (anvil->url);
  g_free (anvil);
}

/* Session info as the embedded server gives it, but with its own
 * messaging_url, partner_id and reconnection property. */
static gchar *
session_info_new (const gchar * session_id, const gchar * partner_id,
    const gchar * messaging_url, gboolean reconnection)
{
  return g_strdup_printf ("[{\"session_id\":\"%s\",\"partner_id\":\"%s\","
      "\"messaging_url\":\"%s\",\"symphony_address\":\"%s\","
      "\"ice_servers\":[],\"properties\":{\"reconnection\":%s}}]",
      session_id, partner_id, messaging_url,
      GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, reconnection ? "true" : "false");
}

/* Connects a client of the fixture's session to @anvil and returns the
 * error it fails with. */
static GError *
connect_error_with_anvil (Fixture * f, FakeAnvil * anvil)
{
  gchar *token = fixture_token (f, NULL, NULL);
  FixturePeer *p = peer_new_full (f, "anvil", anvil->url, API_KEY,
      f->srv->session_id, token);
  FixtureConnect c;

  g_free (token);
  return fixture_peer_connect_error (p, &c);
}

#define assert_client_error(error, expected_code) G_STMT_START {          \
  fail_unless ((error) != NULL, "no error");                            \
  fail_unless ((error)->domain == GST_OPENTOK_CLIENT_ERROR,             \
      "error domain %s, expected GST_OPENTOK_CLIENT_ERROR: %s",         \
      g_quark_to_string ((error)->domain), (error)->message);           \
  fail_unless ((error)->code == (expected_code),                        \
      "error code %d, expected %d: %s", (error)->code, (expected_code), \
      (error)->message);                                                \
} G_STMT_END

/* ------------------------------------------------------------------------ */
/* Connect                                                                  */

GST_START_TEST (test_connect_joins_and_lists_connections_with_token_data)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b;
  FixtureConnect c;
  GPtrArray *connections;
  const GstStructure *own, *event;
  gchar *id = NULL, *states;
  gint64 now_ms = g_get_real_time () / 1000;
  guint i;

  /* the connection id is the client's, chosen before it connects */
  g_object_get (a->client, "connection-id", &id, NULL);
  fail_unless (id != NULL && g_uuid_string_is_valid (id), "bad id %s", id);
  fail_unless_equals_string (id, a->id);
  g_free (id);
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);

  fixture_peer_connect_start (a, &c);
  fail_unless (fixture_connect_wait (a, &c, WAIT_MS));
  fail_unless (c.ok, "connect failed: %s", c.error ? c.error->message : "");
  fail_unless (c.thread == g_thread_self (),
      "the connect callback did not run on the caller's context");
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);
  states = fixture_peer_states (a);
  fail_unless_equals_string (states, "1,2");    /* CONNECTING, CONNECTED */
  g_free (states);

  /* session-connected once, then connection-created for itself */
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, a->id, 1, WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_CONNECTED, NULL),
      1);
  fail_unless (fixture_peer_index (a, FIXTURE_EVENT_CONNECTED,
          NULL) < fixture_peer_index (a, FIXTURE_EVENT_CREATED, a->id));
  own = fixture_peer_find (a, FIXTURE_EVENT_CREATED, a->id);
  fail_unless_equals_string (gst_structure_get_string (own, "data"),
      "name=Alice");
  fail_unless (fixture_event_int64 (own, "creation-time") > now_ms - 60000
      && fixture_event_int64 (own, "creation-time") < now_ms + 60000,
      "odd creation time %" G_GINT64_FORMAT, fixture_event_int64 (own,
          "creation-time"));
  fail_if (fixture_event_thread (own) == g_thread_self (),
      "signals must come from the network thread");
  g_object_get (a->client, "connection-id", &id, NULL);
  fail_unless_equals_string (id, a->id);
  g_free (id);

  /* a second member sees both; the first sees the newcomer */
  b = peer_new (f, "Bob", FALSE);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, a->id, 1, WAIT_MS));
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_CREATED, a->id), "data"), "name=Alice");
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (a,
              FIXTURE_EVENT_CREATED, b->id), "data"), "name=Bob");
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_CREATED, NULL),
      2);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_CREATED, NULL),
      2);
  fail_unless (fixture_peer_index (b, FIXTURE_EVENT_CONNECTED,
          NULL) < fixture_peer_index (b, FIXTURE_EVENT_CREATED, NULL));

  connections = gst_opentok_client_get_connections (b->client);
  fail_unless_equals_int (connections->len, 2);
  for (i = 0; i < connections->len; i++) {
    GstOpenTokConnection *connection = g_ptr_array_index (connections, i);
    const gchar *cid = gst_opentok_connection_get_id (connection);

    if (g_str_equal (cid, a->id)) {
      fail_unless_equals_string (gst_opentok_connection_get_data
          (connection), "name=Alice");
    } else if (g_str_equal (cid, b->id)) {
      fail_unless_equals_string (gst_opentok_connection_get_data
          (connection), "name=Bob");
    } else {
      fail ("unknown connection %s", cid);
    }
    if (i > 0)
      fail_unless (gst_opentok_connection_get_creation_time (connection) >=
          gst_opentok_connection_get_creation_time (g_ptr_array_index
              (connections, i - 1)), "connections are not oldest first");
  }
  g_ptr_array_unref (connections);
  connections = gst_opentok_client_get_connections (a->client);
  fail_unless_equals_int (connections->len, 2);
  g_ptr_array_unref (connections);

  /* nobody saw anything leave */
  event = fixture_peer_find (a, FIXTURE_EVENT_DESTROYED, NULL);
  fail_unless (event == NULL);
  fail_unless (fixture_peer_find (a, FIXTURE_EVENT_DISCONNECTED, NULL) == NULL);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_with_bad_token_fails_1004)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *p;
  FixtureConnect c;
  GError *error;
  const GstStructure *event;
  GPtrArray *connections;
  gchar *forged, *states;

  p = peer_new_full (f, "garbage", f->srv->url, API_KEY, f->srv->session_id,
      "not-a-token");
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);
  g_error_free (error);
  fail_unless (fixture_peer_wait (p, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  event = fixture_peer_find (p, FIXTURE_EVENT_DISCONNECTED, NULL);
  fail_unless (gst_structure_get_string (event, "reason") != NULL
      && *gst_structure_get_string (event, "reason") != '\0');
  assert_client_error (fixture_event_error (event),
      GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);
  fail_unless_equals_int (gst_opentok_client_get_state (p->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  states = fixture_peer_states (p);
  fail_unless_equals_string (states, "1,0");    /* CONNECTING, DISCONNECTED */
  g_free (states);
  fail_unless_equals_int (fixture_peer_count (p, FIXTURE_EVENT_CONNECTED, NULL),
      0);
  connections = gst_opentok_client_get_connections (p->client);
  fail_unless_equals_int (connections->len, 0);
  g_ptr_array_unref (connections);

  /* well formed, but signed with another secret */
  forged = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      "0000000000000000000000000000000000000000", f->srv->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, NULL);
  fail_unless (forged != NULL);
  p = peer_new_full (f, "forged", f->srv->url, API_KEY, f->srv->session_id,
      forged);
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);
  g_error_free (error);
  g_free (forged);
  fixture_free (f);
}

GST_END_TEST;

/* opentok.js shows the session-info error message with the OpenTok code
 * appended, e.g. "Invalid token: ... (1004)" (protocol doc 2.3). */
GST_START_TEST (test_connect_error_message_ends_with_opentok_code)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *p;
  FixtureConnect c;
  GError *error;

  p = peer_new_full (f, "garbage", f->srv->url, API_KEY, f->srv->session_id,
      "not-a-token");
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);
  fail_unless (g_str_has_suffix (error->message, " (1004)"),
      "message \"%s\" does not end with \" (1004)\"", error->message);
  g_error_free (error);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_to_unknown_session_fails_1005)
{
  Fixture *f = fixture_new (NULL);
  gchar *other = gst_opentok_session_id_new (API_KEY);
  gchar *token = fixture_token (f, other, NULL);
  FixturePeer *p =
      peer_new_full (f, "stranger", f->srv->url, API_KEY, other, token);
  FixtureConnect c;
  GError *error;

  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION);
  g_error_free (error);
  fail_unless (fixture_peer_wait (p, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  assert_client_error (fixture_event_error (fixture_peer_find (p,
              FIXTURE_EVENT_DISCONNECTED, NULL)),
      GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION);
  g_free (token);
  g_free (other);
  fixture_free (f);
}

GST_END_TEST;

/* Connects @p with a connect-timeout of @timeout_ms and checks that the
 * connect ended on that timeout, not on something else. */
static void
expect_connect_timeout (FixturePeer * p, guint timeout_ms)
{
  FixtureConnect c;
  GError *error;

  g_object_set (p->client, "connect-timeout", timeout_ms, NULL);
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  fail_unless (strstr (error->message, "connect-timeout") != NULL,
      "the connect ended before its connect-timeout: %s", error->message);
  g_error_free (error);
}

GST_START_TEST (test_connect_to_closed_port_fails_1006_after_three_attempts)
{
  Fixture *f = fixture_new (NULL);
  guint16 port;
  GSocket *socket = fixture_closed_port_new (&port);
  gchar *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  gchar *token = fixture_token (f, f->srv->session_id, NULL);
  FixturePeer *p =
      peer_new_full (f, "lost", url, API_KEY, f->srv->session_id, token);
  FixtureConnect c;
  GError *error;

  /* three tries, at once, 600 ms later and 1200 ms after that: the client
   * gives up when they are used up, long before its connect-timeout */
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  fail_unless (strstr (error->message, "session-info endpoint") != NULL,
      "not the end of the attempts: %s", error->message);
  g_error_free (error);
  fail_unless (fixture_peer_wait (p, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  assert_client_error (fixture_event_error (fixture_peer_find (p,
              FIXTURE_EVENT_DISCONNECTED, NULL)),
      GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);

  /* the pauses between them (1.8 s in all) outlast a connect-timeout of
   * 1.5 s: the connect ends on the timeout, the attempts not used up */
  expect_connect_timeout (peer_new_full (f, "impatient", url, API_KEY,
          f->srv->session_id, token), 1500);
  g_object_unref (socket);
  g_free (token);
  g_free (url);
  fixture_free (f);
}

GST_END_TEST;

/* The back-off between the attempts, shown by the client's own
 * connect-timeout: a second attempt comes 600 ms after the first failed, a
 * third 1200 ms after the second, so that a connect given less time makes
 * fewer (the timeout is due first, and dispatched first when both are). */
GST_START_TEST (test_connect_to_refusing_host_asks_session_info_three_times)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *p = peer_new (f, "refused", TRUE);
  FixtureConnect c;
  GError *error;

  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_REFUSE);
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  g_error_free (error);
  fail_unless_equals_int (tcp_proxy_get_n_refused (f->proxy), 3);
  fail_unless_equals_int (tcp_proxy_get_n_accepted (f->proxy), 3);

  /* 500 ms: no second attempt */
  expect_connect_timeout (peer_new (f, "hasty", TRUE), 500);
  fail_unless_equals_int (tcp_proxy_get_n_accepted (f->proxy), 3 + 1);

  /* 1500 ms: no third */
  expect_connect_timeout (peer_new (f, "impatient", TRUE), 1500);
  fail_unless (tcp_proxy_get_n_accepted (f->proxy) <= 3 + 1 + 2,
      "%u attempts within 1.5 s", tcp_proxy_get_n_accepted (f->proxy) - 4);
  fail_unless_equals_int (tcp_proxy_get_n_refused (f->proxy),
      tcp_proxy_get_n_accepted (f->proxy));
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_with_http_error_fails_2001)
{
  Fixture *f = fixture_new (NULL);
  FakeAnvil *anvil = fake_anvil_new (SOUP_STATUS_INTERNAL_SERVER_ERROR,
      "{\"message\":\"oops\"}");
  GError *error;

  error = connect_error_with_anvil (f, anvil);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE);
  g_error_free (error);
  fail_unless (anvil->requests >= 1 && anvil->requests <= 3,
      "%u requests", anvil->requests);
  fake_anvil_free (anvil);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_with_non_json_answer_fails_2001)
{
  Fixture *f = fixture_new (NULL);
  const gchar *bodies[] = { "this is not JSON", "{\"an\":\"object\"}",
    "[]", "[42]", "[{\"messaging_url\":\"ws://127.0.0.1:1/x\"}]",
    "[{\"messaging_url\":\"http://127.0.0.1:1/x\",\"partner_id\":\""
        API_KEY "\",\"symphony_address\":\"symphony.x\"}]",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bodies); i++) {
    FakeAnvil *anvil = fake_anvil_new (SOUP_STATUS_OK, bodies[i]);
    GError *error = connect_error_with_anvil (f, anvil);

    fail_unless (error->domain == GST_OPENTOK_CLIENT_ERROR &&
        error->code == GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "answer %s: error %d %s, expected 2001", bodies[i], error->code,
        error->message);
    g_error_free (error);
    fake_anvil_free (anvil);
  }
  fixture_free (f);
}

GST_END_TEST;

/* Protocol doc 2.3: a readable but empty answer is a connect failure
 * (1006), as opentok.js reports it. */
GST_START_TEST (test_connect_with_empty_answer_fails_1006)
{
  Fixture *f = fixture_new (NULL);
  FakeAnvil *anvil = fake_anvil_new (SOUP_STATUS_OK, "");
  GError *error;

  error = connect_error_with_anvil (f, anvil);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  g_error_free (error);
  fake_anvil_free (anvil);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_session_info_errors_map_to_opentok_codes)
{
  Fixture *f = fixture_new (NULL);
  const struct
  {
    gint anvil_code;
    gint client_code;
  } cases[] = {
    {403, GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION},
    {404, GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION},
    {400, GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION},
    {500, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE},
    {418, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE},
  };
  FakeAnvil *anvil;
  GError *error;
  gchar *body;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    body = g_strdup_printf ("[{\"error\":{\"code\":%d,\"errorMessage\":"
        "{\"code\":%d,\"message\":\"Refused for a test\"}}}]",
        cases[i].anvil_code, cases[i].anvil_code);
    anvil = fake_anvil_new (SOUP_STATUS_OK, body);
    error = connect_error_with_anvil (f, anvil);
    fail_unless (error->domain == GST_OPENTOK_CLIENT_ERROR &&
        error->code == cases[i].client_code,
        "anvil code %d: got %d (%s), expected %d", cases[i].anvil_code,
        error->code, error->message, cases[i].client_code);
    fail_unless (strstr (error->message, "Refused for a test") != NULL,
        "the server's message is lost: %s", error->message);
    g_error_free (error);
    fake_anvil_free (anvil);
    g_free (body);
  }

  /* a session of another API key: authentication error */
  body = session_info_new (f->srv->session_id, "654321",
      "ws://127.0.0.1:1/rumorwebsocketsv2", TRUE);
  anvil = fake_anvil_new (SOUP_STATUS_OK, body);
  error = connect_error_with_anvil (f, anvil);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);
  g_error_free (error);
  fake_anvil_free (anvil);
  g_free (body);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_without_settings_fails_at_once)
{
  Fixture *f = fixture_new (NULL);
  gchar *token = fixture_token (f, f->srv->session_id, NULL);
  const struct
  {
    const gchar *api_key;
    const gchar *session_id;
    const gchar *token;
  } cases[] = {
    {NULL, f->srv->session_id, token},
    {"", f->srv->session_id, token},
    {API_KEY, NULL, token},
    {API_KEY, "", token},
    {API_KEY, f->srv->session_id, NULL},
    {API_KEY, f->srv->session_id, ""},
  };
  FixtureConnect c;
  GError *error;
  FixturePeer *p;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *states;

    p = peer_new_full (f, "unset", f->srv->url, cases[i].api_key,
        cases[i].session_id, cases[i].token);
    /* refused in the call: the callback is already queued on this context
     * when it returns, and the client never left DISCONNECTED */
    fixture_peer_connect_start (p, &c);
    while (!c.done && g_main_context_iteration (f->context, FALSE));
    fail_unless (c.done, "case %u did not fail at once", i);
    fail_if (c.ok);
    fail_unless (c.thread == g_thread_self ());
    error = c.error;
    fail_unless (error != NULL && error->domain == GST_OPENTOK_CLIENT_ERROR,
        "case %u: %s", i, error ? error->message : "no error");
    g_error_free (error);
    fail_unless_equals_int (gst_opentok_client_get_state (p->client),
        GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
    states = fixture_peer_states (p);
    fail_unless_equals_string (states, "");
    g_free (states);
  }

  /* an api-url that is no URL at all */
  p = peer_new_full (f, "nowhere", "not a url", API_KEY, f->srv->session_id,
      token);
  error = fixture_peer_connect_error (p, &c);
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  g_error_free (error);
  g_free (token);
  fixture_free (f);
}

GST_END_TEST;

/* Protocol doc 1.7: with reconnection off, any socket loss ends the
 * session at once, and the peers see networkDisconnected. */
GST_START_TEST (test_socket_loss_without_reconnection_ends_session_at_once)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a, *b;
  FakeAnvil *anvil;
  gchar *token, *ws, *body;
  const GstStructure *event;
  guint accepted;
  gchar *states;

  fixture_proxy_url (f);
  ws = g_strdup_printf ("ws://127.0.0.1:%u%s", tcp_proxy_get_port (f->proxy),
      GST_OPENTOK_SERVER_RUMOR_PATH);
  body = session_info_new (f->srv->session_id, API_KEY, ws, FALSE);
  anvil = fake_anvil_new (SOUP_STATUS_OK, body);
  token = fixture_token (f, f->srv->session_id, "name=Alice");
  a = peer_new_full (f, "Alice", anvil->url, API_KEY, f->srv->session_id,
      token);
  b = peer_new (f, "Bob", FALSE);
  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, a->id, 1, WAIT_MS));

  fixture_collector_clear (a->events);
  accepted = tcp_proxy_get_n_accepted (f->proxy);
  fail_unless (tcp_proxy_cut_all (f->proxy) >= 1);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  /* at once: straight to DISCONNECTED, with no attempt to come back */
  states = fixture_peer_states (a);
  fail_unless_equals_string (states, "0");
  g_free (states);
  event = fixture_peer_find (a, FIXTURE_EVENT_DISCONNECTED, NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "reason"),
      "networkDisconnected");
  assert_client_error (fixture_event_error (event),
      GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_RECONNECTING,
          NULL), 0);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_DESTROYED, a->id), "reason"),
      "networkDisconnected");
  fail_unless_equals_int (tcp_proxy_get_n_accepted (f->proxy), accepted);

  fake_anvil_free (anvil);
  g_free (body);
  g_free (ws);
  g_free (token);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */

GST_START_TEST (test_broadcast_reaches_everyone_and_sender_gets_own_copy)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureSend *s;
  const GstStructure *event;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  s = fixture_peer_send (a, "chat", "hello everyone", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_if (s->thread == g_thread_self (),
      "completions come from the network thread");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "hello everyone", 1,
          WAIT_MS));
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "hello everyone", 1,
          WAIT_MS));

  event = fixture_peer_find (a, FIXTURE_EVENT_SIGNAL, "hello everyone");
  fail_unless (gst_opentok_signal_is_from_self (fixture_event_signal (event)));
  fail_unless_equals_string (gst_opentok_signal_get_from (fixture_event_signal
          (event)), a->id);
  fail_unless_equals_string (gst_opentok_signal_get_signal_type
      (fixture_event_signal (event)), "chat");
  fail_unless (gst_opentok_signal_is_received (fixture_event_signal (event)));
  event = fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "hello everyone");
  fail_if (gst_opentok_signal_is_from_self (fixture_event_signal (event)));
  fail_unless_equals_string (gst_opentok_signal_get_from (fixture_event_signal
          (event)), a->id);
  fail_unless_equals_string (gst_opentok_signal_get_signal_type
      (fixture_event_signal (event)), "chat");

  /* once each */
  fixture_sync (f, "m1", a, b, NULL);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "hello everyone"), 1);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "hello everyone"), 1);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_targeted_signal_reaches_only_its_target)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixturePeer *c = peer_new (f, "Carol", FALSE);
  const GstStructure *event;
  FixtureSend *s;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fixture_peer_connect (c);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, c->id, 1, WAIT_MS));

  s = fixture_peer_send (a, "whisper", "for Bob only", b->id, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "for Bob only", 1,
          WAIT_MS));
  event = fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "for Bob only");
  fail_unless_equals_string (gst_opentok_signal_get_from (fixture_event_signal
          (event)), a->id);
  fail_if (gst_opentok_signal_is_from_self (fixture_event_signal (event)));

  /* a signal without a type nor data is fine too */
  s = fixture_peer_send (c, NULL, NULL, b->id, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);

  fixture_sync (f, "m1", a, b, c, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "for Bob only"), 1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "for Bob only"), 0);
  fail_unless_equals_int (fixture_peer_count (c, FIXTURE_EVENT_SIGNAL,
          "for Bob only"), 0);
  /* marker + Alice's + Carol's empty one */
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, NULL),
      3);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL, NULL),
      1);
  fail_unless_equals_int (fixture_peer_count (c, FIXTURE_EVENT_SIGNAL, NULL),
      1);
  event = fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, NULL);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_server_signal_has_no_sender)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  const GstStructure *event;

  fixture_peer_connect (a);
  fixture_sync (f, "from the server", a, NULL);
  event = fixture_peer_find (a, FIXTURE_EVENT_SIGNAL, "from the server");
  fail_unless (gst_opentok_signal_get_from (fixture_event_signal (event)) ==
      NULL, "from is %s",
      gst_opentok_signal_get_from (fixture_event_signal (event)));
  fail_if (gst_opentok_signal_is_from_self (fixture_event_signal (event)));
  fail_unless_equals_string (gst_opentok_signal_get_signal_type
      (fixture_event_signal (event)), "marker");
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_detailed_handler_sees_only_its_type)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  const GstStructure *event;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "other",
              "o1", NULL, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "chat", "c1",
              NULL, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, NULL, "n1",
              NULL, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "chatty",
              "c2", NULL, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "Chat", "c3",
              NULL, TRUE), WAIT_MS), 0);
  fixture_sync (f, "m1", a, b, NULL);

  fail_unless_equals_int (fixture_peer_count (b, CHAT_SIGNAL, NULL), 1);
  event = fixture_peer_find (b, CHAT_SIGNAL, NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "key"), "c1");
  fail_unless_equals_string (gst_opentok_signal_get_signal_type
      (fixture_event_signal (event)), "chat");
  /* the undetailed handler saw everything */
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, NULL),
      6);
  fail_unless (fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "n1") != NULL);
  fail_unless (gst_opentok_signal_get_signal_type (fixture_event_signal
          (fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "n1"))) == NULL);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_to_unknown_connection_fails_404)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  gchar *nobody = g_uuid_string_random ();
  FixtureSend *s;

  fixture_peer_connect (a);
  s = fixture_peer_send (a, "chat", "anyone?", nobody, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND);
  fail_unless (s->message != NULL && *s->message != '\0');
  fixture_sync (f, "m1", a, NULL);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "anyone?"), 0);
  g_free (nobody);
  fixture_free (f);
}

GST_END_TEST;

static gchar *
string_of_length (gsize length)
{
  gchar *s = g_malloc (length + 1);

  memset (s, 'x', length);
  s[length] = '\0';
  return s;
}

GST_START_TEST (test_oversized_signal_fails_413_without_reaching_server)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  gchar *type128 = string_of_length (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH);
  gchar *type129 = string_of_length (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH + 1);
  gchar *data8192 = string_of_length (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH);
  gchar *data8193 = string_of_length (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1);
  gint64 accepted;
  FixtureSend *s;

  fixture_peer_connect (a);
  accepted = fixture_server_metric (f->srv, "opentok_signals_received_total");
  fail_unless (accepted >= 0);

  s = fixture_peer_send (a, type129, "x", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  s = fixture_peer_send (a, "chat", data8193, NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  s = fixture_peer_send (a, "chat", data8193, a->id, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  fixture_sync (f, "m1", a, NULL);
  /* refused here: the server neither counted nor refused them */
  fail_unless_equals_int64 (fixture_server_metric (f->srv,
          "opentok_signals_received_total"), accepted + 1);
  fail_unless_equals_int64 (fixture_server_metric (f->srv,
          "opentok_errors_total{code=\"413\"}"), -1);

  /* the exact limits pass */
  s = fixture_peer_send (a, type128, data8192, NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, data8192, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_opentok_signal_get_signal_type
      (fixture_event_signal (fixture_peer_find (a, FIXTURE_EVENT_SIGNAL,
                  data8192))), type128);

  g_free (type128);
  g_free (type129);
  g_free (data8192);
  g_free (data8193);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_invalid_signal_fails_400_without_reaching_server)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  const gchar *bad_types[] = { "with space", "slash/", "caf\xc3\xa9", "a:b",
    "!", "chat\n"
  };
  gint64 accepted;
  FixtureSend *s;
  guint i;

  fixture_peer_connect (a);
  accepted = fixture_server_metric (f->srv, "opentok_signals_received_total");
  for (i = 0; i < G_N_ELEMENTS (bad_types); i++) {
    s = fixture_peer_send (a, bad_types[i], "x", NULL, TRUE);
    fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
        GST_OPENTOK_SIGNAL_ERROR_INVALID);
  }
  /* data that is not text */
  s = fixture_peer_send (a, "chat", "\xff\xfe", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_INVALID);
  /* an empty target */
  s = fixture_peer_send (a, "chat", "x", "", TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_INVALID);

  /* the characters OpenTok allows pass */
  s = fixture_peer_send (a, "Az09-._~", "ok", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fixture_sync (f, "m1", a, NULL);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL, NULL),
      2);
  fail_unless_equals_int64 (fixture_server_metric (f->srv,
          "opentok_signals_received_total"), accepted + 2);
  fail_unless_equals_int64 (fixture_server_metric (f->srv,
          "opentok_errors_total{code=\"400\"}"), -1);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signals_over_server_rate_fail_429)
{
  Fixture *f = fixture_new ("signal-rate", 1.0, "signal-burst", 2, NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureSend *s[5];
  guint i, ok = 0, limited = 0;
  gchar data[16];

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    g_snprintf (data, sizeof (data), "burst-%u", i);
    s[i] = fixture_peer_send (a, "chat", data, b->id, TRUE);
  }
  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    gint code = fixture_send_wait (s[i], WAIT_MS);

    if (code == 0)
      ok++;
    else if (code == GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED)
      limited++;
    else
      fail ("signal %u: unexpected code %d (%s)", i, code, s[i]->message);
    if (i < 2)
      fail_unless_equals_int (code, 0);
  }
  fail_unless (limited >= 2, "only %u of 5 were refused", limited);
  fail_unless_equals_int (ok + limited, 5);
  /* what was refused was not relayed */
  fixture_sync (f, "m1", b, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, NULL),
      ok + 1);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Sending outside a session                                                */

GST_START_TEST (test_send_before_connect_fails_500_at_once)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixtureSend *s;

  s = fixture_peer_send (a, "chat", "too early", NULL, TRUE);
  /* no network thread yet: the callback already ran, here */
  fail_unless (s->done);
  fail_unless_equals_int (s->calls, 1);
  fail_unless (s->thread == g_thread_self ());
  fail_unless (s->domain == GST_OPENTOK_SIGNAL_ERROR);
  fail_unless_equals_int (s->code, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  fail_unless_equals_string (s->message, "Not connected.");

  /* an invalid one reports its own problem first */
  s = fixture_peer_send (a, "bad type", "x", NULL, TRUE);
  fail_unless (s->done);
  fail_unless_equals_int (s->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_send_while_connecting_waits_for_join_with_retry)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureConnect c;
  FixtureSend *s;
  const GstStructure *event;

  fixture_peer_connect (b);
  /* the send is queued to the network thread after the connect */
  fixture_peer_connect_start (a, &c);
  s = fixture_peer_send (a, "chat", "early bird", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_unless (fixture_connect_wait (a, &c, WAIT_MS) && c.ok);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "early bird", 1,
          WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "early bird", 1,
          WAIT_MS));
  /* it went out once joined */
  fail_unless (fixture_peer_index (a, FIXTURE_EVENT_CONNECTED, NULL) <
      fixture_peer_index (a, FIXTURE_EVENT_SIGNAL, "early bird"));
  event = fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "early bird");
  fail_unless_equals_string (gst_opentok_signal_get_from (fixture_event_signal
          (event)), a->id);
  fixture_sync (f, "m1", a, b, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "early bird"), 1);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_send_while_connecting_without_retry_fails_500)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureConnect c;
  FixtureSend *s;

  fixture_peer_connect (b);
  fixture_peer_connect_start (a, &c);
  s = fixture_peer_send (a, "chat", "impatient", NULL, FALSE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  fail_unless_equals_string (s->message, "Not connected.");
  fail_unless (fixture_connect_wait (a, &c, WAIT_MS) && c.ok);
  fixture_sync (f, "m1", a, b, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "impatient"), 0);
  fixture_free (f);
}

GST_END_TEST;

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  GThread *thread;
} AsyncSend;

static void
on_sent_async (GObject * source, GAsyncResult * result, gpointer user_data)
{
  AsyncSend *as = user_data;

  as->ok = gst_opentok_client_send_signal_finish (GST_OPENTOK_CLIENT
      (source), result, &as->error);
  as->thread = g_thread_self ();
  as->done = TRUE;
}

static gboolean
async_send_done (gpointer data)
{
  return ((AsyncSend *) data)->done;
}

GST_START_TEST (test_send_signal_async_reports_outcome_on_caller_context)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  gchar *nobody = g_uuid_string_random ();
  GstOpenTokSignal *signal;
  AsyncSend as = { FALSE, };

  /* not connected yet */
  signal = fixture_signal_new ("chat", "async early", NULL, TRUE);
  gst_opentok_client_send_signal_async (a->client, signal, NULL,
      on_sent_async, &as);
  fail_unless (fixture_wait (f->context, async_send_done, &as, WAIT_MS));
  fail_if (as.ok);
  fail_unless (g_error_matches (as.error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED));
  g_clear_error (&as.error);
  gst_opentok_signal_unref (signal);

  fixture_peer_connect (a);
  memset (&as, 0, sizeof (as));
  signal = fixture_signal_new ("chat", "async hello", NULL, TRUE);
  gst_opentok_client_send_signal_async (a->client, signal, NULL,
      on_sent_async, &as);
  gst_opentok_signal_unref (signal);
  fail_unless (fixture_wait (f->context, async_send_done, &as, WAIT_MS));
  fail_unless (as.ok, "failed: %s", as.error ? as.error->message : "");
  fail_unless (as.thread == g_thread_self ());
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "async hello", 1,
          WAIT_MS));

  memset (&as, 0, sizeof (as));
  signal = fixture_signal_new ("chat", "async lost", nobody, TRUE);
  gst_opentok_client_send_signal_async (a->client, signal, NULL,
      on_sent_async, &as);
  gst_opentok_signal_unref (signal);
  fail_unless (fixture_wait (f->context, async_send_done, &as, WAIT_MS));
  fail_if (as.ok);
  fail_unless (as.thread == g_thread_self ());
  fail_unless (g_error_matches (as.error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND), "got %s",
      as.error ? as.error->message : "no error");
  g_clear_error (&as.error);

  memset (&as, 0, sizeof (as));
  signal = fixture_signal_new ("bad type", "x", NULL, TRUE);
  gst_opentok_client_send_signal_async (a->client, signal, NULL,
      on_sent_async, &as);
  gst_opentok_signal_unref (signal);
  fail_unless (fixture_wait (f->context, async_send_done, &as, WAIT_MS));
  fail_unless (g_error_matches (as.error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_INVALID));
  g_clear_error (&as.error);
  g_free (nobody);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Reconnection                                                             */

GST_START_TEST (test_cut_socket_reconnects_and_session_goes_on)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  gchar *states;
  guint accepted;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  fixture_collector_clear (a->events);
  accepted = tcp_proxy_get_n_accepted (f->proxy);

  fail_unless (tcp_proxy_cut_all (f->proxy) >= 1);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTED, NULL, 1,
          WAIT_MS));
  fail_unless (fixture_peer_index (a, FIXTURE_EVENT_RECONNECTING,
          NULL) < fixture_peer_index (a, FIXTURE_EVENT_RECONNECTED, NULL));
  fail_unless (fixture_peer_wait_state (a, GST_OPENTOK_CLIENT_STATE_CONNECTED,
          WAIT_MS));
  states = fixture_peer_states (a);
  fail_unless_equals_string (states, "3,2");    /* RECONNECTING, CONNECTED */
  g_free (states);
  fail_unless (tcp_proxy_get_n_accepted (f->proxy) > accepted);

  /* the same connection goes on: signals both ways */
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "chat",
              "a back", b->id, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (b, "chat",
              "to a", a->id, TRUE), WAIT_MS), 0);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "a back", 1,
          WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "to a", 1, WAIT_MS));
  fail_unless_equals_string (gst_opentok_signal_get_from (fixture_event_signal
          (fixture_peer_find (b, FIXTURE_EVENT_SIGNAL, "a back"))), a->id);

  /* nobody noticed anything */
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          NULL), 0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_CONNECTED, NULL),
      0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_CREATED, NULL),
      0);
  fixture_free (f);
}

GST_END_TEST;

/* Cuts @a's socket and keeps it off (new connections refused) until the
 * client has noticed. */
static void
fixture_outage_start (Fixture * f, FixturePeer * a)
{
  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_REFUSE);
  fail_unless (tcp_proxy_cut_all (f->proxy) >= 1);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          WAIT_MS));
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_RECONNECTING);
}

static void
fixture_outage_end (Fixture * f, FixturePeer * a)
{
  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_PASS);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTED, NULL, 1,
          WAIT_MS), "%s did not reconnect", a->name);
  fail_unless (fixture_peer_wait_state (a, GST_OPENTOK_CLIENT_STATE_CONNECTED,
          WAIT_MS));
}

GST_START_TEST (test_signals_sent_to_client_during_outage_arrive_once)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  const gchar *data[] = { "while-away-1", "while-away-2", "while-away-3",
    "while-away-all"
  };
  guint i;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  fixture_outage_start (f, a);
  for (i = 0; i < 3; i++)
    fail_unless_equals_int (fixture_send_wait (fixture_peer_send (b, "chat",
                data[i], a->id, TRUE), WAIT_MS), 0);
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (b, "chat",
              data[3], NULL, TRUE), WAIT_MS), 0);
  fixture_marker (f, "while-away-server");
  fixture_outage_end (f, a);

  fixture_sync (f, "m1", a, b, NULL);
  for (i = 0; i < G_N_ELEMENTS (data); i++)
    fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
            data[i]), 1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "while-away-server"), 1);
  /* in the order they were sent */
  for (i = 1; i < G_N_ELEMENTS (data); i++)
    fail_unless (fixture_peer_index (a, FIXTURE_EVENT_SIGNAL, data[i - 1]) <
        fixture_peer_index (a, FIXTURE_EVENT_SIGNAL, data[i]));
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signals_sent_by_client_during_outage_arrive_once)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureSend *s[3], *impatient;
  gchar data[32];
  guint i;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  fixture_outage_start (f, a);
  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    g_snprintf (data, sizeof (data), "queued-%u", i);
    s[i] = fixture_peer_send (a, "chat", data, i == 1 ? b->id : NULL, TRUE);
  }
  /* one that may not wait fails at once */
  impatient = fixture_peer_send (a, "chat", "impatient", NULL, FALSE);
  fail_unless_equals_int (fixture_send_wait (impatient, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  fail_unless_equals_string (impatient->message, "Not connected.");
  for (i = 0; i < G_N_ELEMENTS (s); i++)
    fail_unless (!fixture_send_done (s[i]),
        "queued-%u completed during the outage", i);

  fixture_outage_end (f, a);
  for (i = 0; i < G_N_ELEMENTS (s); i++)
    fail_unless_equals_int (fixture_send_wait (s[i], WAIT_MS), 0);
  fixture_sync (f, "m1", a, b, NULL);
  for (i = 0; i < G_N_ELEMENTS (s); i++) {
    g_snprintf (data, sizeof (data), "queued-%u", i);
    fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, data),
        1);
  }
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "impatient"), 0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "queued-0"), 1);
  fixture_free (f);
}

GST_END_TEST;

/* A stalled path: requests sent into it are unanswered when the client
 * gives the socket up. Those that may wait go again on the new socket
 * (once), the others fail with 500. Only the liveness timer can notice a
 * stall: a client on the same path with a timeout thirty times longer has
 * not noticed it yet when the first one does. */
GST_START_TEST (test_liveness_timeout_detects_stalled_path)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixturePeer *c = peer_new (f, "Carol", TRUE);
  FixtureSend *patient, *impatient;

  g_object_set (a->client, "liveness-timeout", 1000, NULL);
  g_object_set (c->client, "liveness-timeout", 30000, NULL);
  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fixture_peer_connect (c);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, c->id, 1, WAIT_MS));

  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_BLACKHOLE);
  patient = fixture_peer_send (a, "chat", "patient", b->id, TRUE);
  impatient = fixture_peer_send (a, "chat", "impatient", b->id, FALSE);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (c, FIXTURE_EVENT_RECONNECTING,
          NULL), 0);
  fail_unless_equals_int (gst_opentok_client_get_state (c->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);
  fail_unless_equals_int (fixture_send_wait (impatient, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  fail_if (fixture_send_done (patient));

  fixture_outage_end (f, a);
  fail_unless_equals_int (fixture_send_wait (patient, WAIT_MS), 0);
  fixture_sync (f, "m1", a, b, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "patient"), 1);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "impatient"), 0);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          NULL), 0);
  fixture_free (f);
}

GST_END_TEST;

#define STRESS_ROUNDS 5
#define STRESS_PER_ROUND 40

/* What the client sent on each TCP connection through the proxy. */
typedef struct
{
  GMutex lock;
  GPtrArray *streams;           /* GByteArray, by connection serial - 1 */
} Capture;

static void
capture_tap (guint serial, gboolean upstream, const guint8 * data, gsize size,
    gpointer user_data)
{
  Capture *capture = user_data;

  if (!upstream)
    return;
  g_mutex_lock (&capture->lock);
  while (capture->streams->len < serial)
    g_ptr_array_add (capture->streams, g_byte_array_new ());
  g_byte_array_append (g_ptr_array_index (capture->streams, serial - 1),
      data, size);
  g_mutex_unlock (&capture->lock);
}

/* The value of @name in the HTTP request at the start of @text, or NULL. */
static gchar *
http_header (const gchar * text, gsize head, const gchar * name)
{
  gchar *request = g_strndup (text, head), **lines, *value = NULL;
  guint i;

  lines = g_strsplit (request, "\r\n", -1);
  for (i = 1; lines[i] != NULL && value == NULL; i++) {
    gchar *colon = strchr (lines[i], ':');

    if (colon != NULL && g_ascii_strncasecmp (lines[i], name, colon -
            lines[i]) == 0 && strlen (name) == (gsize) (colon - lines[i]))
      value = g_strstrip (g_strdup (colon + 1));
  }
  g_strfreev (lines);
  g_free (request);
  return value;
}

/* The frames a client sent on one WebSocket, after its upgrade request:
 * "CONNECT", "MESSAGE create clientVersion=...", "PING", "DISCONNECT
 * reconnect=1", "CLOSE 4010"... */
static GPtrArray *
websocket_frames (const guint8 * data, gsize size)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func (g_free);
  gsize pos = 0;

  while (pos + 2 <= size) {
    guint opcode = data[pos] & 0x0f, hdr = 2, i;
    guint64 len = data[pos + 1] & 0x7f;
    const guint8 *mask = NULL;
    guint8 *payload;

    if (len == 126) {
      if (pos + 4 > size)
        break;
      len = (data[pos + 2] << 8) | data[pos + 3];
      hdr = 4;
    } else if (len == 127) {
      if (pos + 10 > size)
        break;
      len = 0;
      for (i = 0; i < 8; i++)
        len = (len << 8) | data[pos + 2 + i];
      hdr = 10;
    }
    if (data[pos + 1] & 0x80) {
      mask = data + pos + hdr;
      hdr += 4;
    }
    if (pos + hdr + len > size)
      break;
    payload = g_memdup2 (data + pos + hdr, len);
    for (i = 0; mask != NULL && i < len; i++)
      payload[i] ^= mask[i % 4];

    if (opcode == 0x2) {
      GBytes *bytes = g_bytes_new_take (payload, len);
      GstOpenTokRumorFrame *frame = gst_opentok_rumor_frame_parse (bytes,
          G_MAXSIZE, NULL);
      GString *text = g_string_new (NULL);

      fail_unless (frame != NULL, "a frame that is not Rumor");
      g_string_append (text, gst_opentok_rumor_type_to_string
          (gst_opentok_rumor_frame_get_message_type (frame)));
      if (gst_opentok_rumor_frame_get_header (frame, "reconnect") != NULL)
        g_string_append_printf (text, " reconnect=%s",
            gst_opentok_rumor_frame_get_header (frame, "reconnect"));
      if (gst_opentok_rumor_frame_get_payload (frame) != NULL) {
        gsize n;
        const gchar *body = g_bytes_get_data
            (gst_opentok_rumor_frame_get_payload (frame), &n);
        gchar *copy = g_strndup (body, n);
        gchar *version = strstr (copy, "\"clientVersion\":\"");

        if (version != NULL) {
          version += strlen ("\"clientVersion\":\"");
          *strchr (version, '"') = '\0';
          g_string_append_printf (text, " clientVersion=%s", version);
        }
        g_free (copy);
      }
      g_ptr_array_add (frames, g_string_free (text, FALSE));
      gst_opentok_rumor_frame_unref (frame);
      g_bytes_unref (bytes);
    } else if (opcode == 0x8) {
      g_ptr_array_add (frames, g_strdup_printf ("CLOSE %u", len >= 2 ?
              (payload[0] << 8) | payload[1] : 0));
      g_free (payload);
    } else {
      g_free (payload);
    }
    pos += hdr + len;
  }
  return frames;
}

/* opentok.js, after 6 s of silence: DISCONNECT reconnect="1" on the old
 * socket, then a 4010 close, then a new socket with the same socketId on
 * which neither CONNECT nor the create is sent again */
GST_START_TEST (test_liveness_reconnection_frame_sequence)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  Capture capture;
  gchar *version = NULL;
  GPtrArray *sockets = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_ptr_array_unref);
  GPtrArray *old_socket, *new_socket;
  guint i, j;

  g_mutex_init (&capture.lock);
  capture.streams = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_byte_array_unref);
  tcp_proxy_set_tap (f->proxy, capture_tap, &capture);
  g_object_set (a->client, "liveness-timeout", 1000, "client-version",
      "test-9.9.9", NULL);
  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  /* the server falls silent for the client; what the client sends still
   * reaches it */
  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          WAIT_MS));
  fixture_outage_end (f, a);
  fixture_sync (f, "m1", a, b, NULL);
  /* the marker's acknowledgements have reached the server, and so the tap,
   * before it goes: the new socket carried at least those */
  fixture_server_wait_metric (f->srv, f->context,
      "opentok_pending_messages", 0);
  tcp_proxy_set_tap (f->proxy, NULL, NULL);

  for (i = 0; i < capture.streams->len; i++) {
    GByteArray *stream = g_ptr_array_index (capture.streams, i);
    const gchar *text = (const gchar *) stream->data;
    const gchar *end = g_strstr_len (text, stream->len, "\r\n\r\n");
    gsize head = end ? (gsize) (end - text) : 0;
    gchar *upgrade;

    if (end == NULL)
      continue;
    if (version == NULL)
      version = http_header (text, head, "X-TB-CLIENT-VERSION");
    upgrade = http_header (text, head, "Upgrade");
    if (upgrade != NULL && g_ascii_strcasecmp (upgrade, "websocket") == 0)
      g_ptr_array_add (sockets, websocket_frames (stream->data + head + 4,
              stream->len - head - 4));
    g_free (upgrade);
  }
  fail_unless_equals_string (version, "test-9.9.9");
  fail_unless (sockets->len >= 2, "%u WebSockets", sockets->len);

  /* the last socket is the one that reconnected: on a slow machine an
   * attempt can go out while the path is still stalled, and never gets
   * the upgrade's answer */
  old_socket = g_ptr_array_index (sockets, 0);
  new_socket = g_ptr_array_index (sockets, sockets->len - 1);
  for (i = 0; i < old_socket->len; i++)
    GST_INFO ("old socket, frame %u: %s", i, (gchar *)
        g_ptr_array_index (old_socket, i));
  fail_unless (old_socket->len >= 5);
  fail_unless_equals_string (g_ptr_array_index (old_socket, 0), "CONNECT");
  fail_unless_equals_string (g_ptr_array_index (old_socket, 1), "SUBSCRIBE");
  fail_unless_equals_string (g_ptr_array_index (old_socket, 2),
      "MESSAGE clientVersion=test-9.9.9");
  fail_unless_equals_string (g_ptr_array_index (old_socket,
          old_socket->len - 2), "DISCONNECT reconnect=1");
  fail_unless_equals_string (g_ptr_array_index (old_socket,
          old_socket->len - 1), "CLOSE 4010");
  fail_unless (new_socket->len >= 1);
  for (j = 1; j < sockets->len; j++) {
    GPtrArray *later = g_ptr_array_index (sockets, j);

    for (i = 0; i < later->len; i++) {
      const gchar *frame = g_ptr_array_index (later, i);

      GST_INFO ("socket %u, frame %u: %s", j, i, frame);
      fail_if (g_str_has_prefix (frame, "CONNECT") ||
          g_str_has_prefix (frame, "MESSAGE clientVersion"),
          "%s sent again on socket %u", frame, j);
    }
  }

  g_ptr_array_unref (sockets);
  g_ptr_array_unref (capture.streams);
  g_mutex_clear (&capture.lock);
  g_free (version);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_repeated_cuts_lose_nothing_and_double_nothing)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", TRUE);
  FixturePeer *both[] = { a, b };
  gchar data[32];
  guint round, i, n, total = STRESS_ROUNDS * STRESS_PER_ROUND;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  for (round = 0; round < STRESS_ROUNDS; round++) {
    for (i = 0; i < STRESS_PER_ROUND; i++) {
      n = round * STRESS_PER_ROUND + i;
      g_snprintf (data, sizeof (data), "a2b-%03u", n);
      fixture_peer_send (a, "chat", data, b->id, TRUE);
      g_snprintf (data, sizeof (data), "b2a-%03u", n);
      fixture_peer_send (b, "chat", data, a->id, TRUE);
    }
    /* cut while this round is in flight: some of it answered, some not */
    fail_unless (fixture_wait_sends (f, 2 * round * STRESS_PER_ROUND + 10,
            WAIT_MS));
    tcp_proxy_cut_all (f->proxy);
  }

  fail_unless (fixture_wait_sends (f, 2 * total, 4 * WAIT_MS),
      "signals still unanswered after the cuts");
  for (n = 0; n < G_N_ELEMENTS (both); n++) {
    fail_unless_equals_int (both[n]->sends->len, total);
    for (i = 0; i < both[n]->sends->len; i++) {
      FixtureSend *s = g_ptr_array_index (both[n]->sends, i);

      fail_unless_equals_int (s->calls, 1);
      fail_unless (s->code == 0, "%s failed with %d: %s",
          gst_opentok_signal_get_data (s->signal), s->code, s->message);
    }
  }
  fail_unless (fixture_peer_wait_state (a, GST_OPENTOK_CLIENT_STATE_CONNECTED,
          WAIT_MS));
  fail_unless (fixture_peer_wait_state (b, GST_OPENTOK_CLIENT_STATE_CONNECTED,
          WAIT_MS));
  fixture_sync (f, "end", a, b, NULL);

  for (n = 0; n < total; n++) {
    g_snprintf (data, sizeof (data), "a2b-%03u", n);
    fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, data),
        1);
    fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL, data),
        0);
    g_snprintf (data, sizeof (data), "b2a-%03u", n);
    fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL, data),
        1);
    fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL, data),
        0);
  }
  /* both sides lost their socket at least once */
  fail_unless (fixture_peer_count (a, FIXTURE_EVENT_RECONNECTED, NULL) >= 1);
  fail_unless (fixture_peer_count (b, FIXTURE_EVENT_RECONNECTED, NULL) >= 1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          NULL), 0);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DISCONNECTED,
          NULL), 0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fixture_free (f);
}

GST_END_TEST;

/* The window, not the outage, ends the session: a client in the same
 * outage with a window twenty times longer still tries when the first one
 * gives up. */
GST_START_TEST (test_reconnect_window_expiry_ends_session_1022)
{
  Fixture *f = fixture_new ("reconnect-window", 1000, NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixturePeer *c = peer_new (f, "Carol", TRUE);
  const GstStructure *event;
  FixtureSend *queued;
  GPtrArray *connections;

  g_object_set (a->client, "reconnect-window", 1500, NULL);
  g_object_set (c->client, "reconnect-window", 30000, NULL);
  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fixture_peer_connect (c);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, c->id, 1, WAIT_MS));

  fixture_outage_start (f, a);
  fail_unless (fixture_peer_wait (c, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          WAIT_MS));
  queued = fixture_peer_send (a, "chat", "never", b->id, TRUE);

  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (c, FIXTURE_EVENT_DISCONNECTED,
          NULL), 0);
  fail_unless_equals_int (gst_opentok_client_get_state (c->client),
      GST_OPENTOK_CLIENT_STATE_RECONNECTING);
  event = fixture_peer_find (a, FIXTURE_EVENT_DISCONNECTED, NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "reason"),
      "networkDisconnected");
  assert_client_error (fixture_event_error (event),
      GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED);
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  fail_unless_equals_int (fixture_send_wait (queued, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  connections = gst_opentok_client_get_connections (a->client);
  fail_unless_equals_int (connections->len, 0);
  g_ptr_array_unref (connections);

  /* the server gave up on it too */
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_DESTROYED, a->id), "reason"),
      "networkDisconnected");
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Leaving                                                                  */

GST_START_TEST (test_force_disconnect_ends_session_1023)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  GError *error = NULL;
  GPtrArray *connections;
  const GstStructure *event;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  fail_unless (gst_opentok_server_force_disconnect (f->srv->server,
          f->srv->session_id, a->id, &error), "%s",
      error ? error->message : "");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  event = fixture_peer_find (a, FIXTURE_EVENT_DISCONNECTED, NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "reason"),
      "forceDisconnected");
  assert_client_error (fixture_event_error (event),
      GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED);
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  connections = gst_opentok_client_get_connections (a->client);
  fail_unless_equals_int (connections->len, 0);
  g_ptr_array_unref (connections);
  /* the victim does not see itself destroyed, nor tries to come back */
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DESTROYED, NULL),
      0);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_RECONNECTING,
          NULL), 0);

  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_DESTROYED, a->id), "reason"), "forceDisconnected");
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_DESTROYED, a->id), "data"), "name=Alice");
  fixture_sync (f, "m1", b, NULL);
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED, NULL),
      1);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_disconnect_tells_peers_client_disconnected)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  GPtrArray *connections;
  const GstStructure *event;
  gchar *states;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  fixture_collector_clear (a->events);

  gst_opentok_client_disconnect (a->client);
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  /* emitted before disconnect returned */
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          NULL), 1);
  event = fixture_peer_find (a, FIXTURE_EVENT_DISCONNECTED, NULL);
  fail_unless_equals_string (gst_structure_get_string (event, "reason"),
      "clientDisconnected");
  fail_unless (fixture_event_error (event) == NULL);
  states = fixture_peer_states (a);
  fail_unless_equals_string (states, "4,0");    /* DISCONNECTING, … */
  g_free (states);
  connections = gst_opentok_client_get_connections (a->client);
  fail_unless_equals_int (connections->len, 0);
  g_ptr_array_unref (connections);

  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (b,
              FIXTURE_EVENT_DESTROYED, a->id), "reason"), "clientDisconnected");

  /* a second disconnect does nothing */
  gst_opentok_client_disconnect (a->client);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          NULL), 1);
  fixture_free (f);
}

GST_END_TEST;

/* The one-second bound of gst_opentok_client_disconnect() is for a server
 * that does not answer; with nothing to wait for it does not wait (how long
 * it takes is measured by tests/bench/timings.c, not here). A client whose
 * connect failed and a connected one: each disconnect returns with the
 * session over, and the server saw every socket go. */
GST_START_TEST (test_disconnect_returns_promptly_when_nothing_to_wait_for)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *p;
  FixtureConnect c;
  GError *error;
  guint i;

  for (i = 0; i < 3; i++) {
    /* a client whose connect failed: network thread, no socket */
    p = peer_new_full (f, "refused", f->srv->url, API_KEY, f->srv->session_id,
        "not-a-token");
    error = fixture_peer_connect_error (p, &c);
    g_error_free (error);
    fixture_peer_disconnect (p);

    /* a connected one: the server answers the close at once */
    p = peer_new (f, "leaver", FALSE);
    fixture_peer_connect (p);
    fixture_peer_disconnect (p);
    fail_unless_equals_int (fixture_peer_count (p, FIXTURE_EVENT_DISCONNECTED,
            "clientDisconnected"), 1);
  }
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 0);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_disconnect_is_bounded_and_fails_waiting_signals)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", TRUE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixtureSend *s;

  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));

  /* the server is out of reach: nothing answers, nothing closes; the
   * disconnect returns all the same */
  tcp_proxy_set_mode (f->proxy, TCP_PROXY_MODE_BLACKHOLE);
  s = fixture_peer_send (a, "chat", "into the void", b->id, TRUE);
  fixture_peer_disconnect (a);
  /* the waiting signal failed before disconnect returned */
  fail_unless (fixture_send_done (s));
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS),
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DISCONNECTED,
          "clientDisconnected"), 1);
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connect_again_after_disconnect)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);

  fixture_peer_connect (b);
  fixture_peer_connect (a);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, a->id, 1, WAIT_MS));
  gst_opentok_client_disconnect (a->client);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));

  fixture_peer_connect (a);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, a->id, 2, WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CONNECTED, NULL, 2,
          WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 2, WAIT_MS));
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (a, "chat",
              "again", b->id, TRUE), WAIT_MS), 0);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "again", 1,
          WAIT_MS));
  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (b, "chat",
              "welcome back", a->id, TRUE), WAIT_MS), 0);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "welcome back", 1,
          WAIT_MS));
  fixture_free (f);
}

GST_END_TEST;

/* A gate that holds a client's network thread inside a signal handler
 * until the test opens it (or the wait deadline passes). */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean entered;
  gboolean open;
  gboolean left;                /* the handler returned */
} Gate;

static void
on_gate_signal (GstOpenTokClient * client, GstOpenTokSignal * signal,
    Gate * gate)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&gate->lock);
  gate->entered = TRUE;
  g_cond_broadcast (&gate->cond);
  while (!gate->open && g_cond_wait_until (&gate->cond, &gate->lock, deadline));
  gate->left = TRUE;
  g_mutex_unlock (&gate->lock);
}

static void
gate_wait_entered (Gate * gate)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  g_mutex_lock (&gate->lock);
  while (!gate->entered && g_cond_wait_until (&gate->cond, &gate->lock,
          deadline));
  fail_unless (gate->entered, "the gate signal did not arrive");
  g_mutex_unlock (&gate->lock);
}

static void
gate_open (Gate * gate)
{
  g_mutex_lock (&gate->lock);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->lock);
}

/* The application drops its last reference while the client still has
 * work queued on its network thread (a signal being sent): the client
 * must neither hang, nor abort, nor forget the signal's outcome. The unref
 * returns while the network thread is still held: it does not wait for
 * it. */
GST_START_TEST (test_unref_without_disconnect_returns_and_peers_see_it_go)
{
  Fixture *f = fixture_new ("reconnect-window", 500, NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  Gate gate = { {0}, };
  FixtureSend *s;

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  fixture_peer_connect (a);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1, WAIT_MS));
  g_signal_connect (a->client, "signal-received::gate",
      G_CALLBACK (on_gate_signal), &gate);

  /* hold the network thread, queue a signal behind it, drop the client */
  fixture_peer_send (b, "gate", "hold", a->id, TRUE);
  gate_wait_entered (&gate);
  s = fixture_peer_send (a, "chat", "last words", b->id, TRUE);

  gst_object_unref (a->client);
  a->client = NULL;
  g_mutex_lock (&gate.lock);
  fail_if (gate.left, "the last unref waited for the network thread");
  g_mutex_unlock (&gate.lock);
  gate_open (&gate);
  /* the signal gets an outcome, whatever it is */
  fixture_send_wait (s, WAIT_MS);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED, a->id, 1,
          WAIT_MS));
  fixture_free (f);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Scale                                                                    */

#define MANY 50

typedef struct
{
  FixturePeer *peer;
  guint n;
} ConnectionsCheck;

static gboolean
connections_reached (gpointer data)
{
  ConnectionsCheck *check = data;
  GPtrArray *connections =
      gst_opentok_client_get_connections (check->peer->client);
  gboolean ok = connections->len == check->n;

  g_ptr_array_unref (connections);
  return ok;
}

GST_START_TEST (test_many_clients_join_and_all_get_a_broadcast)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *peers[MANY];
  FixtureConnect connects[MANY];
  ConnectionsCheck check;
  gchar name[16];
  guint i;

  for (i = 0; i < MANY; i++) {
    g_snprintf (name, sizeof (name), "peer%02u", i);
    peers[i] = peer_new (f, name, FALSE);
  }
  for (i = 0; i < MANY; i++)
    fixture_peer_connect_start (peers[i], &connects[i]);
  for (i = 0; i < MANY; i++) {
    fail_unless (fixture_connect_wait (peers[i], &connects[i], 4 * WAIT_MS),
        "peer %u: connect hangs", i);
    fail_unless (connects[i].ok, "peer %u: %s", i,
        connects[i].error ? connects[i].error->message : "");
  }
  for (i = 0; i < MANY; i++) {
    check.peer = peers[i];
    check.n = MANY;
    fail_unless (fixture_wait (f->context, connections_reached, &check,
            WAIT_MS), "peer %u does not see everyone", i);
  }

  fail_unless_equals_int (fixture_send_wait (fixture_peer_send (peers[0],
              "chat", "hello all", NULL, TRUE), WAIT_MS), 0);
  fixture_marker (f, "m1");
  for (i = 0; i < MANY; i++) {
    fail_unless (fixture_peer_wait (peers[i], FIXTURE_EVENT_SIGNAL, "m1", 1,
            WAIT_MS), "peer %u has no marker", i);
    fail_unless_equals_int (fixture_peer_count (peers[i], FIXTURE_EVENT_SIGNAL,
            "hello all"), 1);
    fail_unless_equals_int (fixture_peer_count (peers[i], FIXTURE_EVENT_CREATED,
            NULL), MANY);
  }
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* TLS                                                                      */

static GTlsCertificate *
test_certificate (void)
{
  GError *error = NULL;
  GTlsCertificate *certificate =
      g_tls_certificate_new_from_files (TEST_DATA_DIR "/test-cert.pem",
      TEST_DATA_DIR "/test-key.pem", &error);

  fail_unless (certificate != NULL, "test certificate: %s",
      error ? error->message : "?");
  return certificate;
}

GST_START_TEST (test_https_and_wss_with_a_trusted_certificate)
{
  GTlsCertificate *certificate = test_certificate ();
  Fixture *f = fixture_new ("tls-certificate", certificate, NULL);
  GTlsDatabase *database;
  GError *error = NULL;
  FixturePeer *a, *b;
  FixtureSend *s;

  fail_unless (g_str_has_prefix (f->srv->url, "https://127.0.0.1:"), "url %s",
      f->srv->url);
  database = g_tls_file_database_new (TEST_DATA_DIR "/test-cert.pem", &error);
  fail_unless (database != NULL, "%s", error ? error->message : "?");

  a = peer_new (f, "Alice", FALSE);
  b = peer_new (f, "Bob", FALSE);
  g_object_set (a->client, "tls-database", database, NULL);
  g_object_set (b->client, "tls-database", database, NULL);
  fixture_peer_connect (a);
  fixture_peer_connect (b);

  /* session info over https, then the Rumor socket over wss */
  s = fixture_peer_send (a, "chat", "over tls", NULL, TRUE);
  fail_unless_equals_int (fixture_send_wait (s, WAIT_MS), 0);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "over tls", 1,
          WAIT_MS));

  g_object_unref (database);
  g_object_unref (certificate);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_https_with_an_untrusted_certificate_fails_1006)
{
  GTlsCertificate *certificate = test_certificate ();
  Fixture *f = fixture_new ("tls-certificate", certificate, NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixtureConnect c;
  GError *error;

  /* the system's trust store does not know the test certificate */
  error = fixture_peer_connect_error (a, &c);
  fail_unless (g_error_matches (error, GST_OPENTOK_CLIENT_ERROR,
          GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED), "%s (%d)", error->message,
      error->code);
  g_error_free (error);
  g_object_unref (certificate);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Re-entry: every callback may call the client back                        */

/* What the re-entering callbacks did, on the network thread. */
typedef struct
{
  FixturePeer *p;
  FixturePeer *other;
  gint connections_seen;        /* atomic: get_connections from a handler */
  gint chained;                 /* atomic: sends from a send's completion */
  gint disconnected_in_handler; /* atomic */
  gint refused;                 /* atomic: refusals completed */
} Reentry;

/* A refused send completes at once, on the thread that sent it: here the
 * network thread, inside the client's own dispatch. */
static void
reentry_refused (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  Reentry *r = user_data;
  GstOpenTokSignal *next;

  fail_unless (error != NULL);
  if (g_atomic_int_add (&r->refused, 1) > 0)
    return;
  next = gst_opentok_signal_new ("no way", "refused again");
  gst_opentok_client_send_signal_full (client, next, reentry_refused, r, NULL);
  gst_opentok_signal_unref (next);
}

static void
reentry_chained_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  Reentry *r = user_data;

  g_atomic_int_inc (&r->chained);
}

/* A send's completion sends again: the client's network thread runs it, and
 * must not hold a lock of its own while it does. */
static void
reentry_first_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  Reentry *r = user_data;
  GstOpenTokSignal *next = gst_opentok_signal_new ("reentry",
      "from a completion");

  /* (the last one may fail with 500: the test ends while it waits) */
  gst_opentok_client_send_signal_full (client, next, reentry_chained_sent, r,
      NULL);
  gst_opentok_signal_unref (next);
}

static void
reentry_on_state (GObject * object, GParamSpec * pspec, Reentry * r)
{
  GstOpenTokClient *client = GST_OPENTOK_CLIENT (object);
  GstOpenTokSignal *signal;

  if (gst_opentok_client_get_state (client) ==
      GST_OPENTOK_CLIENT_STATE_CONNECTING) {
    signal = gst_opentok_signal_new ("no way", "refused");
    gst_opentok_client_send_signal_full (client, signal, reentry_refused, r,
        NULL);
    gst_opentok_signal_unref (signal);
    return;
  }
  if (gst_opentok_client_get_state (client) !=
      GST_OPENTOK_CLIENT_STATE_CONNECTED)
    return;
  signal = gst_opentok_signal_new ("reentry", "from notify::state");
  gst_opentok_client_send_signal_full (client, signal, reentry_first_sent, r,
      NULL);
  gst_opentok_signal_unref (signal);
}

static void
reentry_on_connection_created (GstOpenTokClient * client,
    GstOpenTokConnection * connection, Reentry * r)
{
  GPtrArray *connections = gst_opentok_client_get_connections (client);

  g_atomic_int_add (&r->connections_seen, connections->len);
  g_ptr_array_unref (connections);
}

static void
reentry_on_signal (GstOpenTokClient * client, GstOpenTokSignal * signal,
    Reentry * r)
{
  GstOpenTokSignal *reply;

  if (g_strcmp0 (gst_opentok_signal_get_data (signal), "please leave") == 0) {
    gst_opentok_client_disconnect (client);
    g_atomic_int_inc (&r->disconnected_in_handler);
    return;
  }
  if (g_strcmp0 (gst_opentok_signal_get_data (signal), "ping") != 0)
    return;
  reply = gst_opentok_signal_new ("reentry", "pong from a handler");
  gst_opentok_client_send_signal_full (client, reply, NULL, NULL, NULL);
  gst_opentok_signal_unref (reply);
}

static gboolean
reentry_disconnect_returned (gpointer data)
{
  return g_atomic_int_get (&((Reentry *) data)->disconnected_in_handler) == 1;
}

static gboolean
reentry_chain_done (gpointer data)
{
  return g_atomic_int_get (&((Reentry *) data)->chained) == 1;
}

/* The two cases of the review, through the public API: a send from a
 * notify::state handler then another from that send's completion (the
 * refusal completes at once: it used to run under the client's lock, and
 * the second send blocked the network thread on it, so the session never
 * joined), and a disconnect from a signal handler (refused with the lock
 * still taken, so the next disconnect from the application hung). */
GST_START_TEST (test_callbacks_may_call_the_client_back)
{
  Fixture *f = fixture_new (NULL);
  Reentry r = { NULL, NULL, 0, 0, 0, 0 };
  FixtureConnect c;

  r.p = peer_new (f, "Reentrant", FALSE);
  r.other = peer_new (f, "Other", FALSE);
  g_signal_connect (r.p->client, "notify::state",
      G_CALLBACK (reentry_on_state), &r);
  g_signal_connect (r.p->client, "connection-created",
      G_CALLBACK (reentry_on_connection_created), &r);
  g_signal_connect (r.p->client, "signal-received",
      G_CALLBACK (reentry_on_signal), &r);
  fixture_peer_connect (r.other);
  fixture_peer_connect (r.p);

  /* both sends went out, in order, and the session runs */
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_SIGNAL,
          "from notify::state", 1, WAIT_MS));
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_SIGNAL,
          "from a completion", 1, WAIT_MS));
  fail_unless (fixture_peer_index (r.other, FIXTURE_EVENT_SIGNAL,
          "from notify::state") < fixture_peer_index (r.other,
          FIXTURE_EVENT_SIGNAL, "from a completion"));
  fail_unless (fixture_wait (f->context, reentry_chain_done, &r, WAIT_MS));
  fail_unless (g_atomic_int_get (&r.connections_seen) > 0);
  fail_unless_equals_int (g_atomic_int_get (&r.refused), 2);

  /* a send from a signal handler */
  fixture_peer_send (r.other, "reentry", "ping", r.p->id, TRUE);
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_SIGNAL,
          "pong from a handler", 1, WAIT_MS));

  /* a disconnect from a signal handler: the session ends, the others see
   * it leave, and the application's own disconnect afterwards returns */
  fixture_peer_send (r.other, "reentry", "please leave", r.p->id, TRUE);
  fail_unless (fixture_peer_wait (r.p, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  fail_unless (fixture_wait (f->context, reentry_disconnect_returned, &r,
          WAIT_MS), "a disconnect from a signal handler did not return");
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_DESTROYED, r.p->id, 1,
          WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find
          (r.other, FIXTURE_EVENT_DESTROYED, r.p->id), "reason"),
      "clientDisconnected");
  gst_opentok_client_disconnect (r.p->client);
  fail_unless_equals_int (gst_opentok_client_get_state (r.p->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);

  /* and the client joins again, on a new network thread */
  fixture_peer_connect_start (r.p, &c);
  fail_unless (fixture_connect_wait (r.p, &c, WAIT_MS));
  fail_unless (c.ok, "reconnect failed: %s", c.error ? c.error->message : "");
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_SIGNAL,
          "from notify::state", 2, WAIT_MS));
  fail_unless (fixture_peer_wait (r.other, FIXTURE_EVENT_SIGNAL,
          "from a completion", 2, WAIT_MS));
  fixture_free (f);
}

GST_END_TEST;

/* Threads that connect and disconnect one client at once, while another
 * sends: every call returns, and the client ends disconnected with no
 * thread of its own left (it used to lose the wake-up of a start that a
 * stop overtook, or overwrite the context a stopping thread iterated). */
#define SWITCHERS 3
#define SWITCHES 40

typedef struct
{
  GstOpenTokClient *client;
  gint done;                    /* atomic */
} Switching;

static gpointer
switching_connects (gpointer data)
{
  Switching *sw = data;
  guint i;

  for (i = 0; i < SWITCHES; i++) {
    gst_opentok_client_connect_async (sw->client, NULL, NULL, NULL);
    gst_opentok_client_disconnect (sw->client);
  }
  return NULL;
}

static gpointer
switching_sends (gpointer data)
{
  Switching *sw = data;
  GstOpenTokSignal *signal = gst_opentok_signal_new ("switching", "x");

  while (!g_atomic_int_get (&sw->done))
    gst_opentok_client_send_signal_full (sw->client, signal, NULL, NULL, NULL);
  gst_opentok_signal_unref (signal);
  return NULL;
}

GST_START_TEST (test_concurrent_connects_and_disconnects)
{
  /* a socket that a disconnect cut leaves no member behind */
  Fixture *f = fixture_new ("reconnect-window", 0, NULL);
  FixturePeer *p = peer_new (f, "Switching", FALSE);
  Switching sw = { p->client, 0 };
  GThread *switchers[SWITCHERS], *sender;
  guint i;

  sender = g_thread_new ("sender", switching_sends, &sw);
  for (i = 0; i < SWITCHERS; i++)
    switchers[i] = g_thread_new ("switcher", switching_connects, &sw);
  for (i = 0; i < SWITCHERS; i++)
    g_thread_join (switchers[i]);
  g_atomic_int_set (&sw.done, 1);
  g_thread_join (sender);

  gst_opentok_client_disconnect (p->client);
  fail_unless_equals_int (gst_opentok_client_get_state (p->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
  /* and, once the server has seen the last socket go, it joins again */
  fixture_server_wait_metric (f->srv, f->context, "opentok_connections", 0);
  fixture_peer_connect (p);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Cancelling a connect                                                     */

/* Each of these tests holds a connect at one stage with something it owns
 * (a proxy that forwards nothing, a messaging endpoint that never answers),
 * cancels it once the stage is reached, and checks what a cancel must
 * leave: the connect fails with G_IO_ERROR_CANCELLED, the client is
 * disconnected, nothing it opened stays open, and it joins when asked
 * again. They use none of the helpers above, only what follows. */

/* A session-info endpoint and a messaging endpoint of the test's own. Test
 * thread only: its server runs on the test's context. */
typedef struct
{
  SoupServer *server;
  gchar *url;
  gchar *session_info;
  SoupWebsocketConnection *ws;  /* the client's socket, once open */
  GPtrArray *frames;            /* GstOpenTokRumorFrame it sent */
  gboolean closed;
} CancelEndpoint;

typedef struct
{
  GMainContext *context;
  GstOpenTokServer *server;
  gchar *url;
  gchar *session_id;
  GstOpenTokClient *client;
  GCancellable *cancellable;
  TcpProxy *proxy;              /* when the test holds a stage with one, */
  GSocketListener *silent;      /* in front of this */
  gchar *proxy_url;
  CancelEndpoint *endpoint;     /* likewise */

  /* the connect's outcome, test thread only */
  gboolean done;
  gboolean ok;
  GError *error;

  /* what the client's network thread and the proxy's saw: under lock,
   * the counts also atomic */
  GMutex lock;
  GString *states;              /* every state entered: "1,0," */
  gint disconnects;
  gchar *disconnect_reason;
  gboolean disconnect_error;
  gint request_seen;            /* the session-info request went out */
  gint sent;                    /* a signal was answered */
} CancelTest;

typedef gboolean (*CancelCondition) (CancelTest * t);

static gboolean
cancel_keep_ticking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the test's context until @condition holds, at most WAIT_MS; a
 * 10 ms tick makes it look again at what other threads change. */
static gboolean
cancel_test_wait (CancelTest * t, CancelCondition condition)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  GSource *tick = g_timeout_source_new (10);
  gboolean reached;

  g_source_set_callback (tick, cancel_keep_ticking, NULL, NULL);
  g_source_attach (tick, t->context);
  while (!(reached = condition (t)) && g_get_monotonic_time () < end)
    g_main_context_iteration (t->context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  return reached;
}

static void
cancel_on_state (GObject * object, GParamSpec * pspec, CancelTest * t)
{
  GstOpenTokClientState state =
      gst_opentok_client_get_state (GST_OPENTOK_CLIENT (object));

  g_mutex_lock (&t->lock);
  g_string_append_printf (t->states, "%d,", state);
  g_mutex_unlock (&t->lock);
}

static void
cancel_on_disconnected (GstOpenTokClient * client, const gchar * reason,
    const GError * error, CancelTest * t)
{
  g_mutex_lock (&t->lock);
  g_atomic_int_inc (&t->disconnects);
  g_free (t->disconnect_reason);
  t->disconnect_reason = g_strdup (reason);
  t->disconnect_error = error != NULL;
  g_mutex_unlock (&t->lock);
}

/* A server with a session, and a client of it. Its connect may take a
 * minute, so that a connect the cancel does not end outlasts every wait. */
static CancelTest *
cancel_test_new (void)
{
  CancelTest *t = g_new0 (CancelTest, 1);
  GError *error = NULL;
  gchar *token;

  t->context = g_main_context_new ();
  g_main_context_push_thread_default (t->context);
  g_mutex_init (&t->lock);
  t->states = g_string_new (NULL);
  t->server = gst_opentok_server_new (API_KEY, FIXTURE_API_SECRET);
  fail_unless (gst_opentok_server_start (t->server, &error),
      "server did not start: %s", error ? error->message : "?");
  t->url = gst_opentok_server_get_url (t->server);
  t->session_id = gst_opentok_server_create_session (t->server);
  token = gst_opentok_server_generate_token (t->server, t->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, NULL, &error);
  fail_unless (token != NULL, "no token: %s", error ? error->message : "?");
  t->client = gst_opentok_client_new (t->url, API_KEY, t->session_id, token);
  g_free (token);
  g_object_set (t->client, "connect-timeout", 60000, NULL);
  g_signal_connect (t->client, "notify::state", G_CALLBACK (cancel_on_state),
      t);
  g_signal_connect (t->client, "session-disconnected",
      G_CALLBACK (cancel_on_disconnected), t);
  return t;
}

/* Gives the client a proxy for api-url, in front of a loopback port where
 * nobody ever answers: the kernel accepts the connections, then nothing
 * happens for as long as the test lasts. The proxy shows what the client
 * sends and when it closes its connection. */
static void
cancel_test_add_proxy (CancelTest * t)
{
  GInetAddress *loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *address = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *bound = NULL;
  GError *error = NULL;

  t->silent = g_socket_listener_new ();
  fail_unless (g_socket_listener_add_address (t->silent, address,
          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error),
      "cannot listen: %s", error ? error->message : "?");
  t->proxy = tcp_proxy_new ("127.0.0.1",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fail_unless (t->proxy != NULL);
  g_object_unref (bound);
  g_object_unref (address);
  g_object_unref (loopback);
  t->proxy_url = tcp_proxy_get_url (t->proxy, "http");
  g_object_set (t->client, "api-url", t->proxy_url, NULL);
}

static void
cancel_endpoint_on_message (SoupWebsocketConnection * ws, gint type,
    GBytes * message, CancelEndpoint * e)
{
  GstOpenTokRumorFrame *frame = gst_opentok_rumor_frame_parse (message,
      G_MAXSIZE, NULL);

  fail_unless (frame != NULL, "the client sent a frame that does not parse");
  g_ptr_array_add (e->frames, frame);
}

static void
cancel_endpoint_on_closed (SoupWebsocketConnection * ws, CancelEndpoint * e)
{
  e->closed = TRUE;
}

static void
cancel_endpoint_on_socket (SoupServer * server, SoupServerMessage * msg,
    const char *path, SoupWebsocketConnection * ws, gpointer data)
{
  CancelEndpoint *e = data;

  fail_unless (e->ws == NULL, "a second socket");
  e->ws = g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (cancel_endpoint_on_message), e);
  g_signal_connect (ws, "closed", G_CALLBACK (cancel_endpoint_on_closed), e);
}

static void
cancel_endpoint_on_session_info (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  CancelEndpoint *e = data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_COPY, e->session_info, strlen (e->session_info));
}

/* Endpoints on the test's context: the session info sends the client to
 * @messaging_url, or, when %NULL, to the endpoint's own messaging socket,
 * which keeps what the client sends and answers nothing. Returns the
 * api-url to give the client. */
static const gchar *
cancel_test_add_endpoint (CancelTest * t, const gchar * messaging_url)
{
  CancelEndpoint *e = g_new0 (CancelEndpoint, 1);
  GError *error = NULL;
  GSList *uris;
  gchar *own = NULL;

  e->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_opentok_rumor_frame_unref);
  e->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (e->server, "/session",
      cancel_endpoint_on_session_info, e, NULL);
  soup_server_add_websocket_handler (e->server, "/messaging", NULL, NULL,
      cancel_endpoint_on_socket, e, NULL);
  fail_unless (soup_server_listen_local (e->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &error), "cannot listen: %s",
      error ? error->message : "?");
  uris = soup_server_get_uris (e->server);
  e->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (messaging_url == NULL)
    messaging_url = own = g_strdup_printf ("ws%s/messaging", e->url + 4);
  e->session_info = g_strdup_printf ("[{\"session_id\":\"%s\","
      "\"partner_id\":\"" API_KEY "\",\"messaging_url\":\"%s\","
      "\"symphony_address\":\"" GST_OPENTOK_SERVER_SYMPHONY_ADDRESS "\","
      "\"ice_servers\":[],\"properties\":{\"reconnection\":true}}]",
      t->session_id, messaging_url);
  g_free (own);
  t->endpoint = e;
  return e->url;
}

static void
cancel_test_free (CancelTest * t)
{
  CancelEndpoint *e = t->endpoint;

  gst_opentok_client_disconnect (t->client);
  gst_object_unref (t->client);
  if (e != NULL) {
    if (e->ws) {
      g_signal_handlers_disconnect_by_data (e->ws, e);
      g_object_unref (e->ws);
    }
    soup_server_disconnect (e->server);
    g_object_unref (e->server);
    g_ptr_array_unref (e->frames);
    g_free (e->session_info);
    g_free (e->url);
    g_free (e);
  }
  if (t->proxy) {
    tcp_proxy_free (t->proxy);
    g_socket_listener_close (t->silent);
    g_object_unref (t->silent);
    g_free (t->proxy_url);
  }
  gst_opentok_server_stop (t->server);
  gst_object_unref (t->server);
  g_clear_object (&t->cancellable);
  g_clear_error (&t->error);
  while (g_main_context_iteration (t->context, FALSE));
  g_main_context_pop_thread_default (t->context);
  g_main_context_unref (t->context);
  g_string_free (t->states, TRUE);
  g_free (t->disconnect_reason);
  g_mutex_clear (&t->lock);
  g_free (t->session_id);
  g_free (t->url);
  g_free (t);
}

static void
cancel_on_connected (GObject * source, GAsyncResult * result, gpointer data)
{
  CancelTest *t = data;

  g_clear_error (&t->error);
  t->ok = gst_opentok_client_connect_finish (GST_OPENTOK_CLIENT (source),
      result, &t->error);
  t->done = TRUE;
}

/* Starts a connect with a new cancellable, cancelled at once if @cancelled. */
static void
cancel_test_connect (CancelTest * t, gboolean cancelled)
{
  g_clear_object (&t->cancellable);
  t->cancellable = g_cancellable_new ();
  if (cancelled)
    g_cancellable_cancel (t->cancellable);
  t->done = FALSE;
  gst_opentok_client_connect_async (t->client, t->cancellable,
      cancel_on_connected, t);
}

static gboolean
cancel_connect_done (CancelTest * t)
{
  return t->done;
}

static gboolean
cancel_disconnected (CancelTest * t)
{
  return g_atomic_int_get (&t->disconnects) > 0;
}

static void
cancel_assert_cancelled (CancelTest * t)
{
  fail_unless (cancel_test_wait (t, cancel_connect_done),
      "the cancelled connect did not end");
  fail_if (t->ok, "the cancelled connect succeeded");
  fail_unless (g_error_matches (t->error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
      "expected G_IO_ERROR_CANCELLED, got %s",
      t->error ? t->error->message : "no error");
  fail_unless_equals_int (gst_opentok_client_get_state (t->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
}

/* Cancels the connect under way, and checks that it failed with
 * G_IO_ERROR_CANCELLED, that the client went from connecting back to
 * disconnected, and that it said "clientDisconnected" with no error. */
static void
cancel_test_cancel (CancelTest * t)
{
  fail_if (t->done, "the connect ended before it was cancelled");
  g_cancellable_cancel (t->cancellable);
  cancel_assert_cancelled (t);
  /* the connect's callback may run before the signal is emitted */
  fail_unless (cancel_test_wait (t, cancel_disconnected),
      "no session-disconnected");
  g_mutex_lock (&t->lock);
  fail_unless_equals_string (t->states->str, "1,0,");
  fail_unless_equals_int (t->disconnects, 1);
  fail_unless_equals_string (t->disconnect_reason, "clientDisconnected");
  fail_if (t->disconnect_error);
  g_mutex_unlock (&t->lock);
}

/* Connects again, at @api_url when not %NULL, and checks that the client
 * joins. */
static void
cancel_test_connect_again (CancelTest * t, const gchar * api_url)
{
  if (api_url != NULL)
    g_object_set (t->client, "api-url", api_url, NULL);
  cancel_test_connect (t, FALSE);
  fail_unless (cancel_test_wait (t, cancel_connect_done),
      "the connect after the cancelled one did not end");
  fail_unless (t->ok, "could not connect after a cancelled connect: %s",
      t->error ? t->error->message : "?");
  fail_unless_equals_int (gst_opentok_client_get_state (t->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);
}

static gboolean
cancel_proxy_accepted (CancelTest * t)
{
  return tcp_proxy_get_n_accepted (t->proxy) > 0;
}

static gboolean
cancel_proxy_idle (CancelTest * t)
{
  return tcp_proxy_get_n_connections (t->proxy) == 0;
}

static gboolean
cancel_request_seen (CancelTest * t)
{
  return g_atomic_int_get (&t->request_seen);
}

static void
cancel_tap (guint serial, gboolean upstream, const guint8 * data, gsize size,
    gpointer user_data)
{
  CancelTest *t = user_data;

  if (upstream && size >= 13 && memcmp (data, "GET /session/", 13) == 0)
    g_atomic_int_set (&t->request_seen, TRUE);
}

static gboolean
cancel_endpoint_asked_to_join (CancelTest * t)
{
  GPtrArray *frames = t->endpoint->frames;
  guint i;

  for (i = 0; i < frames->len; i++)
    if (gst_opentok_rumor_frame_get_message_type (g_ptr_array_index (frames,
                i)) == GST_OPENTOK_RUMOR_TYPE_MESSAGE)
      return TRUE;
  return FALSE;
}

static gboolean
cancel_endpoint_closed (CancelTest * t)
{
  return t->endpoint->closed;
}

static void
cancel_on_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  CancelTest *t = user_data;

  fail_unless (error == NULL, "the signal failed: %s",
      error ? error->message : "");
  g_atomic_int_set (&t->sent, TRUE);
}

static gboolean
cancel_signal_sent (CancelTest * t)
{
  return g_atomic_int_get (&t->sent);
}

GST_START_TEST (test_connect_cancelled_before_it_starts_reaches_nothing)
{
  CancelTest *t = cancel_test_new ();

  cancel_test_add_proxy (t);
  cancel_test_connect (t, TRUE);
  cancel_assert_cancelled (t);
  /* it never started: no state went by, nothing was asked */
  g_mutex_lock (&t->lock);
  fail_unless_equals_string (t->states->str, "");
  g_mutex_unlock (&t->lock);
  fail_unless_equals_int (g_atomic_int_get (&t->disconnects), 0);
  fail_unless_equals_int (tcp_proxy_get_n_accepted (t->proxy), 0);

  cancel_test_connect_again (t, t->url);
  cancel_test_free (t);
}

GST_END_TEST;

GST_START_TEST (test_connect_cancelled_during_session_info_request)
{
  CancelTest *t = cancel_test_new ();

  /* the request goes out, and nothing answers it */
  cancel_test_add_proxy (t);
  tcp_proxy_set_tap (t->proxy, cancel_tap, t);
  cancel_test_connect (t, FALSE);
  fail_unless (cancel_test_wait (t, cancel_request_seen),
      "the session-info request never went out");
  cancel_test_cancel (t);
  fail_unless (cancel_test_wait (t, cancel_proxy_idle),
      "the client kept its session-info connection open");
  fail_unless_equals_int (tcp_proxy_get_n_accepted (t->proxy), 1);

  tcp_proxy_set_tap (t->proxy, NULL, NULL);
  cancel_test_connect_again (t, t->url);
  cancel_test_free (t);
}

GST_END_TEST;

GST_START_TEST (test_connect_cancelled_during_websocket_handshake)
{
  CancelTest *t = cancel_test_new ();
  gchar *messaging_url;

  /* the session info is answered; nothing answers the socket's handshake */
  cancel_test_add_proxy (t);
  messaging_url = g_strdup_printf ("ws://127.0.0.1:%u%s",
      tcp_proxy_get_port (t->proxy), GST_OPENTOK_SERVER_RUMOR_PATH);
  g_object_set (t->client, "api-url", cancel_test_add_endpoint (t,
          messaging_url), NULL);
  cancel_test_connect (t, FALSE);
  fail_unless (cancel_test_wait (t, cancel_proxy_accepted),
      "the client did not open its socket");
  cancel_test_cancel (t);
  fail_unless (cancel_test_wait (t, cancel_proxy_idle),
      "the client kept its half-open socket");

  cancel_test_connect_again (t, t->url);
  g_free (messaging_url);
  cancel_test_free (t);
}

GST_END_TEST;

GST_START_TEST (test_connect_cancelled_while_joining_leaves_and_closes)
{
  CancelTest *t = cancel_test_new ();
  GstOpenTokRumorFrame *last;
  GPtrArray *frames;

  /* the socket opens, and the endpoint never lets the client join */
  g_object_set (t->client, "api-url", cancel_test_add_endpoint (t, NULL), NULL);
  cancel_test_connect (t, FALSE);
  fail_unless (cancel_test_wait (t, cancel_endpoint_asked_to_join),
      "the client did not ask to join");
  cancel_test_cancel (t);

  /* it left as a disconnect does: DISCONNECT, then a normal close */
  fail_unless (cancel_test_wait (t, cancel_endpoint_closed),
      "the client kept its socket open");
  fail_unless_equals_int (soup_websocket_connection_get_close_code
      (t->endpoint->ws), SOUP_WEBSOCKET_CLOSE_NORMAL);
  frames = t->endpoint->frames;
  last = g_ptr_array_index (frames, frames->len - 1);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (last),
      GST_OPENTOK_RUMOR_TYPE_DISCONNECT);
  fail_unless_equals_string (gst_opentok_rumor_frame_get_header (last,
          "reconnect"), "");

  cancel_test_connect_again (t, t->url);
  cancel_test_free (t);
}

GST_END_TEST;

GST_START_TEST (test_connect_cancelled_after_joining_changes_nothing)
{
  CancelTest *t = cancel_test_new ();
  GstOpenTokSignal *signal = gst_opentok_signal_new ("chat", "still here");

  cancel_test_connect_again (t, NULL);
  g_cancellable_cancel (t->cancellable);
  /* the signal's answer comes after whatever the cancel could have made
   * the network thread do */
  gst_opentok_client_send_signal_full (t->client, signal, cancel_on_sent, t,
      NULL);
  fail_unless (cancel_test_wait (t, cancel_signal_sent),
      "the signal was not answered");
  fail_unless_equals_int (gst_opentok_client_get_state (t->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);
  fail_unless_equals_int (g_atomic_int_get (&t->disconnects), 0);
  gst_opentok_signal_unref (signal);
  cancel_test_free (t);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Calls for applications with no main loop                                 */

/* gst_opentok_client_connect(): it returns at once, the outcome comes as
 * the client's signals only. */
GST_START_TEST (test_connect_without_callback_reports_by_signals)
{
  Fixture *f = fixture_new (NULL);
  FixturePeer *a = peer_new (f, "Alice", FALSE);
  FixturePeer *refused =
      peer_new_full (f, "Eve", f->srv->url, API_KEY, f->srv->session_id,
      "T1==not-a-token");
  FixturePeer *unset =
      peer_new_full (f, "Nobody", f->srv->url, API_KEY, f->srv->session_id,
      NULL);
  FixturePeer *quiet = peer_new (f, "Quiet", FALSE);
  GMainContext *unused;
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;

  fail_unless (gst_opentok_client_connect (a->client, NULL, &error));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CONNECTED, NULL, 1,
          WAIT_MS));
  fail_unless_equals_int (gst_opentok_client_get_state (a->client),
      GST_OPENTOK_CLIENT_STATE_CONNECTED);

  /* a refused join is session-disconnected with the error */
  fail_unless (gst_opentok_client_connect (refused->client, NULL, &error));
  fail_unless (fixture_peer_wait (refused, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));
  assert_client_error (fixture_event_error (fixture_peer_find (refused,
              FIXTURE_EVENT_DISCONNECTED, NULL)),
      GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION);

  /* what cannot even begin fails here */
  fail_if (gst_opentok_client_connect (unset->client, NULL, &error));
  assert_client_error (error, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED);
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  fail_if (gst_opentok_client_connect (unset->client, cancellable, &error));
  fail_unless (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&error);
  fail_unless_equals_int (gst_opentok_client_get_state (unset->client),
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED);

  /* nothing of the join waits on the caller's context, which may never
   * run: once disconnected, the client is the caller's alone */
  unused = g_main_context_new ();
  g_main_context_push_thread_default (unused);
  fail_unless (gst_opentok_client_connect (quiet->client, NULL, &error));
  g_main_context_pop_thread_default (unused);
  fail_unless (fixture_peer_wait (quiet, FIXTURE_EVENT_CONNECTED, NULL, 1,
          WAIT_MS));
  gst_opentok_client_disconnect (quiet->client);
  fail_unless_equals_int (G_OBJECT (quiet->client)->ref_count, 1);
  fail_if (g_main_context_pending (unused));
  g_main_context_unref (unused);

  g_object_unref (cancellable);
  fixture_free (f);
}

GST_END_TEST;

/* The outcome of gst_opentok_client_force_disconnect_full(). */
typedef struct
{
  Fixture *f;
  GMutex lock;
  gboolean done;
  GError *error;
  GThread *thread;
  gboolean notified;
} Removal;

static void
on_removed (GstOpenTokClient * client, const GError * error, gpointer user_data)
{
  Removal *r = user_data;

  g_mutex_lock (&r->lock);
  r->error = error ? g_error_copy (error) : NULL;
  r->thread = g_thread_self ();
  r->done = TRUE;
  g_mutex_unlock (&r->lock);
}

static void
on_removal_notified (gpointer user_data)
{
  Removal *r = user_data;

  g_mutex_lock (&r->lock);
  fail_unless (r->done, "notified before the callback");
  r->notified = TRUE;
  g_mutex_unlock (&r->lock);
  g_main_context_wakeup (r->f->context);
}

static gboolean
removal_notified (gpointer data)
{
  Removal *r = data;
  gboolean notified;

  g_mutex_lock (&r->lock);
  notified = r->notified;
  g_mutex_unlock (&r->lock);
  return notified;
}

GST_START_TEST (test_force_disconnect_full_answers_on_network_thread)
{
  Fixture *f = fixture_new (NULL);
  gchar *token =
      gst_opentok_server_generate_token (f->srv->server, f->srv->session_id,
      GST_OPENTOK_ROLE_MODERATOR, "name=Mo", NULL);
  FixturePeer *mo =
      peer_new_full (f, "Mo", f->srv->url, API_KEY, f->srv->session_id, token);
  FixturePeer *b = peer_new (f, "Bob", FALSE);
  FixturePeer *idle = peer_new (f, "Idle", FALSE);
  Removal removed = { f, }, refused = { f, }, offline = { f, };

  g_mutex_init (&removed.lock);
  g_mutex_init (&refused.lock);
  g_mutex_init (&offline.lock);
  fixture_peer_connect (mo);
  fixture_peer_connect (b);
  fail_unless (fixture_peer_wait (mo, FIXTURE_EVENT_CREATED, b->id, 1,
          WAIT_MS));

  gst_opentok_client_force_disconnect_full (mo->client, b->id, on_removed,
      &removed, on_removal_notified);
  fail_unless (fixture_wait (f->context, removal_notified, &removed, WAIT_MS));
  fail_unless (removed.error == NULL, "%s", removed.error ?
      removed.error->message : "");
  fail_if (removed.thread == g_thread_self ());
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DISCONNECTED, NULL, 1,
          WAIT_MS));

  /* the server refuses a connection that is not there: 1011 */
  gst_opentok_client_force_disconnect_full (mo->client, b->id, on_removed,
      &refused, on_removal_notified);
  fail_unless (fixture_wait (f->context, removal_notified, &refused, WAIT_MS));
  assert_client_error (refused.error,
      GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER);

  /* not connected: 1010, at once on this thread */
  gst_opentok_client_force_disconnect_full (idle->client, b->id, on_removed,
      &offline, on_removal_notified);
  fail_unless (removal_notified (&offline));
  assert_client_error (offline.error, GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED);

  g_clear_error (&removed.error);
  g_clear_error (&refused.error);
  g_clear_error (&offline.error);
  g_mutex_clear (&removed.lock);
  g_mutex_clear (&refused.lock);
  g_mutex_clear (&offline.lock);
  g_free (token);
  fixture_free (f);
}

GST_END_TEST;

static Suite *
client_suite (void)
{
  Suite *s = suite_create ("client");
  TCase *tc;

  tc = tcase_create ("connect");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_connect_joins_and_lists_connections_with_token_data);
  tcase_add_test (tc, test_https_and_wss_with_a_trusted_certificate);
  tcase_add_test (tc, test_https_with_an_untrusted_certificate_fails_1006);
  tcase_add_test (tc, test_connect_with_bad_token_fails_1004);
  tcase_add_test (tc, test_connect_error_message_ends_with_opentok_code);
  tcase_add_test (tc, test_connect_to_unknown_session_fails_1005);
  tcase_add_test (tc,
      test_connect_to_closed_port_fails_1006_after_three_attempts);
  tcase_add_test (tc,
      test_connect_to_refusing_host_asks_session_info_three_times);
  tcase_add_test (tc, test_connect_with_http_error_fails_2001);
  tcase_add_test (tc, test_connect_with_non_json_answer_fails_2001);
  tcase_add_test (tc, test_connect_with_empty_answer_fails_1006);
  tcase_add_test (tc, test_connect_session_info_errors_map_to_opentok_codes);
  tcase_add_test (tc, test_connect_without_settings_fails_at_once);
  tcase_add_test (tc,
      test_socket_loss_without_reconnection_ends_session_at_once);
  tcase_add_test (tc, test_callbacks_may_call_the_client_back);
  tcase_add_test (tc, test_concurrent_connects_and_disconnects);
  tcase_add_test (tc, test_connect_cancelled_before_it_starts_reaches_nothing);
  tcase_add_test (tc, test_connect_cancelled_during_session_info_request);
  tcase_add_test (tc, test_connect_cancelled_during_websocket_handshake);
  tcase_add_test (tc, test_connect_cancelled_while_joining_leaves_and_closes);
  tcase_add_test (tc, test_connect_cancelled_after_joining_changes_nothing);

  tc = tcase_create ("signals");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_broadcast_reaches_everyone_and_sender_gets_own_copy);
  tcase_add_test (tc, test_targeted_signal_reaches_only_its_target);
  tcase_add_test (tc, test_server_signal_has_no_sender);
  tcase_add_test (tc, test_detailed_handler_sees_only_its_type);
  tcase_add_test (tc, test_signal_to_unknown_connection_fails_404);
  tcase_add_test (tc, test_oversized_signal_fails_413_without_reaching_server);
  tcase_add_test (tc, test_invalid_signal_fails_400_without_reaching_server);
  tcase_add_test (tc, test_signals_over_server_rate_fail_429);
  tcase_add_test (tc, test_send_before_connect_fails_500_at_once);
  tcase_add_test (tc, test_send_while_connecting_waits_for_join_with_retry);
  tcase_add_test (tc, test_send_while_connecting_without_retry_fails_500);
  tcase_add_test (tc, test_send_signal_async_reports_outcome_on_caller_context);

  tc = tcase_create ("reconnection");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_cut_socket_reconnects_and_session_goes_on);
  tcase_add_test (tc, test_signals_sent_to_client_during_outage_arrive_once);
  tcase_add_test (tc, test_signals_sent_by_client_during_outage_arrive_once);
  tcase_add_test (tc, test_liveness_timeout_detects_stalled_path);
  tcase_add_test (tc, test_liveness_reconnection_frame_sequence);
  tcase_add_test (tc, test_repeated_cuts_lose_nothing_and_double_nothing);
  tcase_add_test (tc, test_reconnect_window_expiry_ends_session_1022);

  tc = tcase_create ("leaving");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_force_disconnect_ends_session_1023);
  tcase_add_test (tc, test_disconnect_tells_peers_client_disconnected);
  tcase_add_test (tc,
      test_disconnect_returns_promptly_when_nothing_to_wait_for);
  tcase_add_test (tc, test_disconnect_is_bounded_and_fails_waiting_signals);
  tcase_add_test (tc, test_connect_again_after_disconnect);
  tcase_add_test (tc,
      test_unref_without_disconnect_returns_and_peers_see_it_go);

  tc = tcase_create ("scale");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_many_clients_join_and_all_get_a_broadcast);

  tc = tcase_create ("without a main loop");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_connect_without_callback_reports_by_signals);
  tcase_add_test (tc, test_force_disconnect_full_answers_on_network_thread);

  return s;
}

GST_CHECK_MAIN (client);
