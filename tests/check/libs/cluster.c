/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Servers that share their sessions through one Redis: a redis-server of
 * the test's own on a free loopback port, three GstOpenTokServers (three
 * nodes, each with its thread and its connections to Redis) and clients on
 * different nodes, through the public API only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "fixture.h"
#include "tcpproxy.h"

#define N_NODES 3

typedef struct
{
  FixtureRedis *redis;
  FixtureServer *nodes[N_NODES];
  GMainContext *context;
} Cluster;

static Cluster *
cluster_new (void)
{
  Cluster *c = g_new0 (Cluster, 1);
  gint i;

  c->redis = fixture_redis_new ();
  for (i = 0; i < N_NODES; i++)
    c->nodes[i] = fixture_server_new ("redis-url", c->redis->url, NULL);
  c->context = fixture_context_push ();
  return c;
}

static void
cluster_free (Cluster * c)
{
  gint i;

  for (i = 0; i < N_NODES; i++)
    fixture_server_free (c->nodes[i]);
  fixture_context_pop (c->context);
  fixture_redis_free (c->redis);
  g_free (c);
}

/* A client of the session node 0 made, joined through node @node. */
static FixturePeer *
cluster_peer (Cluster * c, guint node, const gchar * name)
{
  gchar *data = g_strdup_printf ("name=%s", name);
  FixturePeer *p = fixture_server_peer (c->nodes[0], c->context, name,
      c->nodes[node]->url, data);

  g_free (data);
  fixture_peer_connect (p);
  return p;
}

/* The keys of @p's signals of @type, in the order they came. */
static gchar *
received_sequence (FixturePeer * p, const gchar * type)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < fixture_collector_len (p->events); i++) {
    const GstStructure *event = fixture_collector_get (p->events, i);

    if (!gst_structure_has_name (event, FIXTURE_EVENT_SIGNAL) ||
        g_strcmp0 (gst_structure_get_string (event, "type"), type) != 0)
      continue;
    g_string_append_printf (out, "%s ", gst_structure_get_string (event,
            "key"));
  }
  return g_string_free (out, FALSE);
}

GST_START_TEST (test_members_on_different_nodes_see_each_other)
{
  Cluster *c = cluster_new ();
  FixturePeer *a = cluster_peer (c, 0, "a");
  FixturePeer *b = cluster_peer (c, 1, "b");
  FixturePeer *d = cluster_peer (c, 2, "d");
  const GstStructure *created;

  /* each hears of those after it, with their data */
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id,
          1, FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, d->id,
          1, FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_CREATED, d->id,
          1, FIXTURE_WAIT_MS));
  created = fixture_peer_find (a, FIXTURE_EVENT_CREATED, d->id);
  fail_unless_equals_string (gst_structure_get_string (created, "data"),
      "name=d");
  /* and of those before it, from the session's state (the client tells
   * them right after its connect completes) */
  fail_unless (fixture_peer_wait (d, FIXTURE_EVENT_CREATED, a->id, 1,
          FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (d, FIXTURE_EVENT_CREATED, b->id, 1,
          FIXTURE_WAIT_MS));

  /* a leaves on node 0: the others, on nodes 1 and 2, are told */
  fixture_peer_disconnect (a);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_DESTROYED,
          a->id, 1, FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (d, FIXTURE_EVENT_DESTROYED,
          a->id, 1, FIXTURE_WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (d,
              FIXTURE_EVENT_DESTROYED, a->id), "reason"), "clientDisconnected");

  fixture_peer_free (a);
  fixture_peer_free (b);
  fixture_peer_free (d);
  cluster_free (c);
}

GST_END_TEST;

#define BURST 100

/* Two senders on two nodes: every member, on each of the three nodes, gets
 * every signal once, and all of them in one order. */
GST_START_TEST (test_broadcasts_from_two_nodes_reach_everyone_in_one_order)
{
  Cluster *c = cluster_new ();
  FixturePeer *peers[N_NODES];
  gchar *expected, *sequence;
  gint i, n;

  static const gchar *names[N_NODES] = { "a", "b", "d" };

  for (i = 0; i < N_NODES; i++)
    peers[i] = cluster_peer (c, i, names[i]);
  for (n = 0; n < BURST; n++) {
    gchar *data = g_strdup_printf ("a%d", n);

    fixture_peer_send (peers[0], "burst", data, NULL, TRUE);
    g_free (data);
    data = g_strdup_printf ("b%d", n);
    fixture_peer_send (peers[1], "burst", data, NULL, TRUE);
    g_free (data);
  }
  for (i = 0; i < N_NODES; i++)
    fail_unless (fixture_peer_wait (peers[i], FIXTURE_EVENT_SIGNAL, NULL,
            2 * BURST + 0, FIXTURE_WAIT_MS), "%s got %u signals",
        peers[i]->name, fixture_peer_count (peers[i], FIXTURE_EVENT_SIGNAL,
            NULL));

  expected = received_sequence (peers[0], "burst");
  for (i = 0; i < N_NODES; i++) {
    GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
    gchar **keys;
    gint last_a = -1, last_b = -1;

    sequence = received_sequence (peers[i], "burst");
    fail_unless_equals_string (sequence, expected);
    keys = g_strsplit (g_strstrip (sequence), " ", -1);
    fail_unless_equals_int (g_strv_length (keys), 2 * BURST);
    for (n = 0; keys[n] != NULL; n++) {
      gint number = atoi (keys[n] + 1);

      fail_if (g_hash_table_contains (seen, keys[n]), "%s twice", keys[n]);
      g_hash_table_add (seen, keys[n]);
      /* each sender's own order holds */
      if (keys[n][0] == 'a') {
        fail_unless_equals_int (number, last_a + 1);
        last_a = number;
      } else {
        fail_unless_equals_int (number, last_b + 1);
        last_b = number;
      }
    }
    g_hash_table_unref (seen);
    g_strfreev (keys);
    g_free (sequence);
  }
  g_free (expected);

  for (i = 0; i < N_NODES; i++)
    fixture_peer_free (peers[i]);
  cluster_free (c);
}

GST_END_TEST;

/* The server's own signals, through a node nobody is connected to. */
GST_START_TEST (test_server_signals_through_a_node_without_members)
{
  Cluster *c = cluster_new ();
  FixturePeer *a = cluster_peer (c, 0, "a");
  FixturePeer *b = cluster_peer (c, 1, "b");
  GstOpenTokSignal *signal;
  GError *error = NULL;

  signal = gst_opentok_signal_new ("news", "to all");
  fail_unless (gst_opentok_server_send_signal (c->nodes[2]->server,
          c->nodes[0]->session_id, signal, &error));
  gst_opentok_signal_unref (signal);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "to all", 1,
          FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "to all", 1,
          FIXTURE_WAIT_MS));

  /* to b, on node 1, through node 2: a does not get it */
  signal = fixture_signal_new ("news", "to b", b->id, TRUE);
  fail_unless (gst_opentok_server_send_signal (c->nodes[2]->server,
          c->nodes[0]->session_id, signal, &error));
  gst_opentok_signal_unref (signal);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "to b", 1,
          FIXTURE_WAIT_MS));
  fixture_peer_send_ok (a, "sync", "after", NULL);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "after", 1,
          FIXTURE_WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "to b"), 0);

  /* nobody by that id, in the whole cluster */
  signal = fixture_signal_new ("news", "lost", "nobody", TRUE);
  fail_if (gst_opentok_server_send_signal (c->nodes[2]->server,
          c->nodes[0]->session_id, signal, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND), "%s", error->message);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);
  /* nor a session by that id */
  signal = gst_opentok_signal_new ("news", "lost");
  fail_if (gst_opentok_server_send_signal (c->nodes[2]->server,
          "1_MX4xMjM0NTZ-fjE3OTYzMjM5MTQyMTJ-bm8tc3VjaH4", signal, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND), "%s", error->message);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);

  fixture_peer_free (a);
  fixture_peer_free (b);
  cluster_free (c);
}

GST_END_TEST;

GST_START_TEST (test_force_disconnect_across_nodes)
{
  Cluster *c = cluster_new ();
  FixturePeer *a = cluster_peer (c, 0, "a");
  FixturePeer *b = cluster_peer (c, 1, "b");
  GError *error = NULL;

  fail_unless (gst_opentok_server_force_disconnect (c->nodes[2]->server,
          c->nodes[0]->session_id, b->id, &error));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_DESTROYED,
          b->id, 1, FIXTURE_WAIT_MS));
  fail_unless_equals_string (gst_structure_get_string (fixture_peer_find (a,
              FIXTURE_EVENT_DESTROYED, b->id), "reason"), "forceDisconnected");
  fail_unless (fixture_peer_wait_state (b,
          GST_OPENTOK_CLIENT_STATE_DISCONNECTED, FIXTURE_WAIT_MS));
  /* gone from the whole cluster */
  fail_if (gst_opentok_server_force_disconnect (c->nodes[0]->server,
          c->nodes[0]->session_id, b->id, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND));
  g_clear_error (&error);

  fixture_peer_free (a);
  fixture_peer_free (b);
  cluster_free (c);
}

GST_END_TEST;

/* A session made on node 1 before anyone joins: node 2 serves it. */
GST_START_TEST (test_session_made_on_one_node_serves_on_another)
{
  Cluster *c = cluster_new ();
  gchar *session_id = gst_opentok_server_create_session (c->nodes[1]->server);
  gchar *token = fixture_server_token (c->nodes[1], session_id,
      GST_OPENTOK_ROLE_PUBLISHER, NULL);
  FixturePeer *a = fixture_peer_new (c->context, "a", c->nodes[2]->url,
      FIXTURE_API_KEY, session_id, token);

  fixture_peer_connect (a);
  fixture_peer_send_ok (a, "hello", "me", NULL);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "me", 1,
          FIXTURE_WAIT_MS));

  fixture_peer_free (a);
  g_free (token);
  g_free (session_id);
  cluster_free (c);
}

GST_END_TEST;

#define AWAY 20

/* A load balancer in front (a TCP proxy): a's socket is cut, and it comes
 * back through another node, which has what a missed, once and in order,
 * and carries on. */
GST_START_TEST (test_reconnection_onto_another_node_loses_nothing)
{
  Cluster *c = cluster_new ();
  TcpProxy *balancer = tcp_proxy_new ("127.0.0.1",
      gst_opentok_server_get_port (c->nodes[0]->server));
  gchar *balancer_url = tcp_proxy_get_url (balancer, "http");
  gchar *token = fixture_server_token (c->nodes[0], NULL,
      GST_OPENTOK_ROLE_PUBLISHER, "name=a");
  FixturePeer *a = fixture_peer_new (c->context, "a", balancer_url,
      FIXTURE_API_KEY, c->nodes[0]->session_id, token);
  FixturePeer *b;
  gchar *sequence, *expected, data[16];
  GString *want = g_string_new (NULL);
  gint n;

  fixture_peer_connect (a);
  b = cluster_peer (c, 1, "b");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1,
          FIXTURE_WAIT_MS));
  fixture_peer_send_ok (b, "seq", "before", NULL);
  g_string_append (want, "before ");

  /* node 0 is out of the balancer; a's socket goes */
  tcp_proxy_set_mode (balancer, TCP_PROXY_MODE_REFUSE);
  tcp_proxy_set_target_port (balancer,
      gst_opentok_server_get_port (c->nodes[2]->server));
  tcp_proxy_cut_all (balancer);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          FIXTURE_WAIT_MS));
  for (n = 0; n < AWAY; n++) {
    g_snprintf (data, sizeof (data), "away%d", n);
    fixture_peer_send_ok (b, "seq", data, NULL);
    g_string_append_printf (want, "%s ", data);
    g_snprintf (data, sizeof (data), "to-a%d", n);
    fixture_peer_send_ok (b, "seq", data, a->id);
    g_string_append_printf (want, "%s ", data);
  }
  tcp_proxy_set_mode (balancer, TCP_PROXY_MODE_PASS);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTED, NULL, 1,
          FIXTURE_WAIT_MS), "%s", fixture_peer_states (a));
  fixture_peer_send_ok (b, "seq", "after", NULL);
  g_string_append (want, "after ");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "after", 1,
          FIXTURE_WAIT_MS));

  sequence = received_sequence (a, "seq");
  expected = g_string_free (want, FALSE);
  fail_unless_equals_string (sequence, expected);
  /* node 2 took it over from node 0 */
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[2],
          "opentok_reconnections_total"), 1);
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[0],
          "opentok_reconnections_total"), 0);
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[0],
          "opentok_connections"), 0);
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[2],
          "opentok_connections"), 1);
  /* a never left: nobody heard otherwise, and it signals from node 2 */
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_DESTROYED,
          a->id), 0);
  fixture_peer_send_ok (a, "seq", "from-node-2", NULL);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "from-node-2", 1,
          FIXTURE_WAIT_MS));

  g_free (sequence);
  g_free (expected);
  fixture_peer_free (a);
  fixture_peer_free (b);
  g_free (token);
  g_free (balancer_url);
  tcp_proxy_free (balancer);
  cluster_free (c);
}

GST_END_TEST;

/* a's signal is carried out on node 0, whose answer never reaches a: a
 * sends it again through node 2, which answers without relaying it twice. */
GST_START_TEST (test_request_resent_through_another_node_is_carried_out_once)
{
  Cluster *c = cluster_new ();
  TcpProxy *balancer = tcp_proxy_new ("127.0.0.1",
      gst_opentok_server_get_port (c->nodes[0]->server));
  gchar *balancer_url = tcp_proxy_get_url (balancer, "http");
  gchar *token = fixture_server_token (c->nodes[0], NULL,
      GST_OPENTOK_ROLE_PUBLISHER, "name=a");
  FixturePeer *a = fixture_peer_new (c->context, "a", balancer_url,
      FIXTURE_API_KEY, c->nodes[0]->session_id, token);
  FixturePeer *b;
  FixtureSend *once;

  fixture_peer_connect (a);
  b = cluster_peer (c, 1, "b");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, b->id, 1,
          FIXTURE_WAIT_MS));

  tcp_proxy_set_mode (balancer, TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM);
  once = fixture_peer_send (a, "seq", "once", NULL, TRUE);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "once", 1,
          FIXTURE_WAIT_MS));
  fail_if (fixture_send_done (once));
  tcp_proxy_set_mode (balancer, TCP_PROXY_MODE_REFUSE);
  tcp_proxy_set_target_port (balancer,
      gst_opentok_server_get_port (c->nodes[2]->server));
  tcp_proxy_cut_all (balancer);
  tcp_proxy_set_mode (balancer, TCP_PROXY_MODE_PASS);

  fail_unless_equals_int (fixture_send_wait (once, FIXTURE_WAIT_MS), 0);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTED, NULL, 1,
          FIXTURE_WAIT_MS));
  fixture_peer_send_ok (a, "seq", "next", NULL);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "next", 1,
          FIXTURE_WAIT_MS));
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "next", 1,
          FIXTURE_WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "once"), 1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_SIGNAL,
          "once"), 1);
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[2],
          "opentok_reconnections_total"), 1);

  fixture_peer_free (a);
  fixture_peer_free (b);
  g_free (token);
  g_free (balancer_url);
  tcp_proxy_free (balancer);
  cluster_free (c);
}

GST_END_TEST;

/* GET /healthz of @srv: its status, and its body in @body. */
static guint
healthz (FixtureServer * srv, gchar ** body)
{
  SoupSession *session = soup_session_new_with_options ("proxy-resolver",
      NULL, NULL);
  gchar *uri = g_strdup_printf ("%s/healthz", srv->url);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, uri);
  GBytes *bytes = soup_session_send_and_read (session, msg, NULL, NULL);
  guint status = soup_message_get_status (msg);

  fail_unless (bytes != NULL);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
  g_object_unref (msg);
  g_object_unref (session);
  g_free (uri);
  return status;
}

/* Redis goes: the nodes refuse what they cannot commit (500), /healthz says
 * so. It comes back empty (no persistence): the nodes put their sessions
 * back and go on. */
GST_START_TEST (test_node_without_redis_refuses_work_then_recovers)
{
  Cluster *c = cluster_new ();
  FixturePeer *a = cluster_peer (c, 0, "a");
  FixturePeer *b = cluster_peer (c, 1, "b");
  FixtureSend *lost;
  gchar *body;
  gint i;

  fail_unless_equals_int (healthz (c->nodes[0], &body), 200);
  fail_unless (strstr (body, "\"redis\":\"connected\"") != NULL, "%s", body);
  g_free (body);

  fixture_redis_stop (c->redis);
  for (i = 0; i < N_NODES; i++)
    fixture_server_wait_metric (c->nodes[i], c->context,
        "opentok_cluster_connected", 0);
  fail_unless_equals_int (healthz (c->nodes[0], &body), 503);
  fail_unless (strstr (body, "\"status\":\"unhealthy\"") != NULL, "%s", body);
  g_free (body);
  lost = fixture_peer_send (a, "seq", "lost", NULL, FALSE);
  fail_unless_equals_int (fixture_send_wait (lost, FIXTURE_WAIT_MS), 500);

  fixture_redis_start (c->redis);
  for (i = 0; i < N_NODES; i++)
    fixture_server_wait_metric (c->nodes[i], c->context,
        "opentok_cluster_connected", 1);
  fail_unless_equals_int (healthz (c->nodes[0], &body), 200);
  g_free (body);
  /* the session was put back: broadcasts go across nodes again */
  fixture_peer_send_ok (a, "seq", "back", NULL);
  fail_unless (fixture_peer_wait (b, FIXTURE_EVENT_SIGNAL, "back", 1,
          FIXTURE_WAIT_MS));
  fail_unless_equals_int (fixture_peer_count (b, FIXTURE_EVENT_SIGNAL,
          "lost"), 0);

  fixture_peer_free (a);
  fixture_peer_free (b);
  cluster_free (c);
}

GST_END_TEST;

/* Node 1 goes without a word (its members are never deleted in Redis):
 * past its lease and the reconnection window, another node deletes them,
 * and every member left hears networkDisconnected. */
GST_START_TEST (test_members_of_a_dead_node_are_reported_gone)
{
  Cluster *c = g_new0 (Cluster, 1);
  FixturePeer *a, *b, *d;
  const GstStructure *destroyed;
  gint i;

  c->redis = fixture_redis_new ();
  for (i = 0; i < N_NODES; i++)
    c->nodes[i] = fixture_server_new ("redis-url", c->redis->url,
        "cluster-lease", 600, "reconnect-window", 600, NULL);
  c->context = fixture_context_push ();
  a = cluster_peer (c, 0, "a");
  b = cluster_peer (c, 1, "b");
  d = cluster_peer (c, 2, "d");
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_CREATED, d->id, 1,
          FIXTURE_WAIT_MS));

  /* its sockets close with it: b cannot come back through it */
  fixture_server_free (c->nodes[1]);
  c->nodes[1] = NULL;
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_DESTROYED, b->id, 1,
          FIXTURE_WAIT_MS));
  destroyed = fixture_peer_find (a, FIXTURE_EVENT_DESTROYED, b->id);
  fail_unless_equals_string (gst_structure_get_string (destroyed, "reason"),
      "networkDisconnected");
  fail_unless (fixture_peer_wait (d, FIXTURE_EVENT_DESTROYED, b->id, 1,
          FIXTURE_WAIT_MS));
  /* exactly once: one node wrote it off, and nobody else is gone */
  fail_unless_equals_int64 (fixture_server_metric (c->nodes[0],
          "opentok_nodes_written_off_total") +
      fixture_server_metric (c->nodes[2], "opentok_nodes_written_off_total"),
      1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DESTROYED,
          b->id), 1);
  fail_unless_equals_int (fixture_peer_count (a, FIXTURE_EVENT_DESTROYED,
          d->id), 0);
  fixture_peer_send_ok (d, "seq", "still here", NULL);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "still here", 1,
          FIXTURE_WAIT_MS));

  fixture_peer_free (a);
  fixture_peer_free (b);
  fixture_peer_free (d);
  cluster_free (c);
}

GST_END_TEST;

/* A node that cannot reach Redis for its whole lease lets its members go
 * (the others may write it off): their sockets close with 1001. */
GST_START_TEST (test_node_whose_lease_runs_out_closes_its_sockets)
{
  Cluster *c = g_new0 (Cluster, 1);
  FixturePeer *a;
  gint i;

  c->redis = fixture_redis_new ();
  for (i = 0; i < N_NODES; i++)
    c->nodes[i] = fixture_server_new ("redis-url", c->redis->url,
        "cluster-lease", 600, NULL);
  c->context = fixture_context_push ();
  a = cluster_peer (c, 0, "a");
  fixture_server_wait_metric (c->nodes[0], c->context,
      "opentok_connections", 1);

  fixture_redis_stop (c->redis);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_RECONNECTING, NULL, 1,
          FIXTURE_WAIT_MS), "%s", fixture_peer_states (a));
  fixture_server_wait_metric (c->nodes[0], c->context,
      "opentok_connections", 0);

  fixture_redis_start (c->redis);
  for (i = 0; i < N_NODES; i++)
    fixture_server_wait_metric (c->nodes[i], c->context,
        "opentok_cluster_connected", 1);

  fixture_peer_free (a);
  cluster_free (c);
}

GST_END_TEST;

/* Five broadcasts and a targeted signal, then a newcomer through
 * @joiner_node: it gets the last three broadcasts, in order, as signals. */
static void
check_history (FixtureServer * made_on, FixtureServer * sent_through,
    FixtureServer * joined_through, GMainContext * context)
{
  gchar *token = fixture_server_token (made_on, NULL,
      GST_OPENTOK_ROLE_PUBLISHER, "name=a");
  FixturePeer *a = fixture_peer_new (context, "a", sent_through->url,
      FIXTURE_API_KEY, made_on->session_id, token);
  FixturePeer *late;
  gchar *sequence, *late_token;
  gint n;

  fixture_peer_connect (a);
  for (n = 0; n < 5; n++) {
    gchar data[8];

    g_snprintf (data, sizeof (data), "h%d", n);
    fixture_peer_send_ok (a, "seq", data, NULL);
  }
  fixture_peer_send_ok (a, "seq", "to-self", a->id);
  fail_unless (fixture_peer_wait (a, FIXTURE_EVENT_SIGNAL, "to-self", 1,
          FIXTURE_WAIT_MS));

  late_token = fixture_server_token (made_on, NULL,
      GST_OPENTOK_ROLE_PUBLISHER, "name=late");
  late = fixture_peer_new (context, "late", joined_through->url,
      FIXTURE_API_KEY, made_on->session_id, late_token);
  fixture_peer_connect (late);
  fail_unless (fixture_peer_wait (late, FIXTURE_EVENT_SIGNAL, "h4", 1,
          FIXTURE_WAIT_MS));
  fixture_peer_send_ok (a, "seq", "live", NULL);
  fail_unless (fixture_peer_wait (late, FIXTURE_EVENT_SIGNAL, "live", 1,
          FIXTURE_WAIT_MS));
  sequence = received_sequence (late, "seq");
  fail_unless_equals_string (sequence, "h2 h3 h4 live ");
  /* after its session state: it knew a when they came */
  fail_unless (fixture_peer_index (late, FIXTURE_EVENT_CREATED, a->id) <
      fixture_peer_index (late, FIXTURE_EVENT_SIGNAL, "h2"));

  g_free (sequence);
  g_free (late_token);
  g_free (token);
  fixture_peer_free (late);
  fixture_peer_free (a);
}

GST_START_TEST (test_history_on_one_node)
{
  FixtureServer *srv = fixture_server_new ("history", 3, NULL);
  GMainContext *context = fixture_context_push ();

  check_history (srv, srv, srv, context);
  fixture_context_pop (context);
  fixture_server_free (srv);
}

GST_END_TEST;

/* Sent through node 1, joined through node 2, which had nobody in the
 * session: the history comes from Redis. */
GST_START_TEST (test_history_across_nodes)
{
  Cluster *c = g_new0 (Cluster, 1);
  gint i;

  c->redis = fixture_redis_new ();
  for (i = 0; i < N_NODES; i++)
    c->nodes[i] = fixture_server_new ("redis-url", c->redis->url,
        "history", 3, NULL);
  c->context = fixture_context_push ();
  check_history (c->nodes[0], c->nodes[1], c->nodes[2], c->context);
  cluster_free (c);
}

GST_END_TEST;

GST_START_TEST (test_bad_or_unreachable_redis_url_fails_clearly)
{
  GstOpenTokServer *server = gst_opentok_server_new (FIXTURE_API_KEY,
      FIXTURE_API_SECRET);
  GSocket *closed;
  GError *error = NULL;
  guint16 port;
  gchar *url, *value;

  /* not a Redis URL: the property keeps its value */
  g_object_set (server, "redis-url", "http://127.0.0.1:1/", NULL);
  g_object_get (server, "redis-url", &value, NULL);
  fail_unless (value == NULL);
  g_object_set (server, "redis-url", "redis://127.0.0.1:1/zero", NULL);
  g_object_get (server, "redis-url", &value, NULL);
  fail_unless (value == NULL);

  /* nobody there: the start fails and says where it looked */
  closed = fixture_closed_port_new (&port);
  url = g_strdup_printf ("redis://127.0.0.1:%u", port);
  g_object_set (server, "host", "127.0.0.1", "port", 0, "redis-url", url, NULL);
  g_object_get (server, "redis-url", &value, NULL);
  fail_unless_equals_string (value, url);
  g_free (value);
  fail_if (gst_opentok_server_start (server, &error));
  fail_unless (error != NULL);
  fail_unless (strstr (error->message, "Cannot reach Redis at 127.0.0.1:")
      != NULL, "%s", error->message);
  g_clear_error (&error);
  fail_unless_equals_int (gst_opentok_server_get_port (server), 0);

  g_object_unref (closed);
  g_free (url);
  gst_object_unref (server);
}

GST_END_TEST;

static Suite *
cluster_suite (void)
{
  Suite *s = suite_create ("cluster");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_members_on_different_nodes_see_each_other);
  tcase_add_test (tc,
      test_broadcasts_from_two_nodes_reach_everyone_in_one_order);
  tcase_add_test (tc, test_server_signals_through_a_node_without_members);
  tcase_add_test (tc, test_force_disconnect_across_nodes);
  tcase_add_test (tc, test_session_made_on_one_node_serves_on_another);
  tcase_add_test (tc, test_reconnection_onto_another_node_loses_nothing);
  tcase_add_test (tc,
      test_request_resent_through_another_node_is_carried_out_once);
  tcase_add_test (tc, test_node_without_redis_refuses_work_then_recovers);
  tcase_add_test (tc, test_members_of_a_dead_node_are_reported_gone);
  tcase_add_test (tc, test_node_whose_lease_runs_out_closes_its_sockets);
  tcase_add_test (tc, test_history_on_one_node);
  tcase_add_test (tc, test_history_across_nodes);
  tcase_add_test (tc, test_bad_or_unreachable_redis_url_fails_clearly);
  return s;
}

GST_CHECK_MAIN (cluster);
