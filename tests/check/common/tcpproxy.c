/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:tcpproxy
 * @title: TcpProxy
 * @short_description: a loopback TCP proxy that breaks connections on demand
 *
 * Tests put a #TcpProxy between a client and a server to make the network
 * fail in controlled ways: tcp_proxy_cut_all() drops every connection at
 * once (both sides see the stream end, with no goodbye of any protocol
 * above TCP), %TCP_PROXY_MODE_BLACKHOLE stalls the path without closing
 * anything (%TCP_PROXY_MODE_BLACKHOLE_UPSTREAM and
 * %TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM stall one direction only), and
 * %TCP_PROXY_MODE_REFUSE closes new connections as soon as they arrive.
 *
 * The proxy listens on 127.0.0.1 on a port of its own choosing
 * (tcp_proxy_get_port()) and forwards each accepted connection to the
 * target given to tcp_proxy_new(). All the network work runs on a thread
 * owned by the proxy, with its own #GMainContext, so the proxy keeps
 * working while the test thread blocks. The public functions are thread
 * safe; those that change what the proxy does return once the change is
 * made. Memory is bounded: two 16 kB buffers per forwarded connection.
 *
 * |[<!-- language="C" -->
 *   TcpProxy *proxy = tcp_proxy_new ("127.0.0.1", server_port);
 *   gchar *url = tcp_proxy_get_url (proxy, "http");
 *
 *   ... point the client at url, connect ...
 *   tcp_proxy_cut_all (proxy);            (the client sees an abrupt loss)
 *   tcp_proxy_set_mode (proxy, TCP_PROXY_MODE_REFUSE);
 *   ...
 *   g_free (url);
 *   tcp_proxy_free (proxy);
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "tcpproxy.h"

#define BUFFER_SIZE (16 * 1024)
#define CONNECT_TIMEOUT_S 10

typedef struct _Connection Connection;

/* One direction of a forwarded connection. */
typedef struct
{
  Connection *connection;
  GInputStream *input;
  GOutputStream *output;
  guint8 buffer[BUFFER_SIZE];
} Pump;

struct _Connection
{
  TcpProxy *proxy;
  gint ref_count;               /* one per operation in flight, one for the
                                 * proxy's list */
  GSocketConnection *downstream;        /* accepted from the client */
  GSocketConnection *upstream;  /* to the target; NULL while connecting */
  GCancellable *cancellable;
  gboolean closed;
  gboolean tainted;             /* bytes were dropped in blackhole mode */
  guint serial;                 /* from 1, in the order of acceptance */
  GList *link;
  Pump pumps[2];                /* 0: client to target, 1: back */
};

struct _TcpProxy
{
  gchar *target_host;

  /* under lock */
  GMutex lock;
  guint16 target_port;          /* of the connections accepted from now */
  GCond cond;
  TcpProxyMode mode;
  guint16 port;
  gboolean started;
  guint n_connections;
  guint n_accepted;
  guint n_refused;
  TcpProxyTap tap;
  gpointer tap_data;

  /* set once, before the thread starts */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;

  /* proxy thread only */
  GSocketListener *listener;
  GSocketClient *connector;
  GCancellable *cancellable;    /* the accept loop */
  gboolean accepting;           /* an accept is in flight */
  gboolean stopping;
  GQueue connections;           /* Connection, open ones */
  guint n_alive;                /* Connection structures not freed yet */
};

/* ------------------------------------------------------------------------ */
/* Connections (proxy thread)                                               */

static Connection *
connection_ref (Connection * connection)
{
  connection->ref_count++;
  return connection;
}

static void
connection_unref (Connection * connection)
{
  if (--connection->ref_count > 0)
    return;
  if (connection->upstream) {
    g_io_stream_close (G_IO_STREAM (connection->upstream), NULL, NULL);
    g_object_unref (connection->upstream);
  }
  g_io_stream_close (G_IO_STREAM (connection->downstream), NULL, NULL);
  g_object_unref (connection->downstream);
  g_object_unref (connection->cancellable);
  connection->proxy->n_alive--;
  g_free (connection);
}

static void
shutdown_socket (GSocketConnection * stream)
{
  if (stream != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (stream), TRUE, TRUE,
        NULL);
}

/* Ends both sides at once. The pending reads and writes are cancelled and
 * release their references when their callbacks run; the descriptors are
 * closed when the last reference goes. */
static void
connection_close (Connection * connection)
{
  TcpProxy *proxy = connection->proxy;

  if (connection->closed)
    return;
  connection->closed = TRUE;
  g_cancellable_cancel (connection->cancellable);
  shutdown_socket (connection->downstream);
  shutdown_socket (connection->upstream);

  g_queue_delete_link (&proxy->connections, connection->link);
  connection->link = NULL;
  g_mutex_lock (&proxy->lock);
  proxy->n_connections--;
  g_cond_broadcast (&proxy->cond);
  g_mutex_unlock (&proxy->lock);
  connection_unref (connection);        /* the list's reference */
}

static TcpProxyMode
proxy_get_mode (TcpProxy * proxy)
{
  TcpProxyMode mode;

  g_mutex_lock (&proxy->lock);
  mode = proxy->mode;
  g_mutex_unlock (&proxy->lock);
  return mode;
}

static void pump_read (Pump * pump);

static void
on_written (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Pump *pump = user_data;
  Connection *connection = pump->connection;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result,
          NULL, NULL) || connection->closed) {
    connection_close (connection);
    connection_unref (connection);
    return;
  }
  pump_read (pump);             /* passes the reference on */
}

/* Whether @mode drops what @pump reads: pumps[0] carries the client's
 * bytes, pumps[1] the target's. */
static gboolean
pump_drops (Pump * pump, TcpProxyMode mode)
{
  gboolean upstream = pump == &pump->connection->pumps[0];

  return mode == TCP_PROXY_MODE_BLACKHOLE ||
      (mode == TCP_PROXY_MODE_BLACKHOLE_UPSTREAM && upstream) ||
      (mode == TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM && !upstream);
}

/* Shows what @pump read to the tap, if any. */
static void
tap_bytes (Pump * pump, gsize n)
{
  TcpProxy *proxy = pump->connection->proxy;
  TcpProxyTap tap;
  gpointer data;

  g_mutex_lock (&proxy->lock);
  tap = proxy->tap;
  data = proxy->tap_data;
  g_mutex_unlock (&proxy->lock);
  if (tap != NULL)
    tap (pump->connection->serial, pump == &pump->connection->pumps[0],
        pump->buffer, n, data);
}

static void
on_read (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Pump *pump = user_data;
  Connection *connection = pump->connection;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  if (n <= 0 || connection->closed) {
    /* end of stream or error on one side: the whole connection goes, as
     * a broken path would take it */
    connection_close (connection);
    connection_unref (connection);
    return;
  }
  tap_bytes (pump, n);
  if (pump_drops (pump, proxy_get_mode (connection->proxy))) {
    connection->tainted = TRUE;
    pump_read (pump);
    return;
  }
  g_output_stream_write_all_async (pump->output, pump->buffer, n,
      G_PRIORITY_DEFAULT, connection->cancellable, on_written, pump);
}

/* Called with a reference for the operation. */
static void
pump_read (Pump * pump)
{
  g_input_stream_read_async (pump->input, pump->buffer, BUFFER_SIZE,
      G_PRIORITY_DEFAULT, pump->connection->cancellable, on_read, pump);
}

static void
on_upstream (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Connection *connection = user_data;
  GSocketConnection *upstream;
  GError *error = NULL;
  guint i;

  upstream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source),
      result, &error);
  if (upstream == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_debug ("tcpproxy: could not reach the target: %s", error->message);
    g_error_free (error);
    connection_close (connection);
    connection_unref (connection);
    return;
  }
  connection->upstream = upstream;
  if (connection->closed) {
    shutdown_socket (upstream);
    connection_unref (connection);
    return;
  }

  connection->pumps[0].input =
      g_io_stream_get_input_stream (G_IO_STREAM (connection->downstream));
  connection->pumps[0].output =
      g_io_stream_get_output_stream (G_IO_STREAM (upstream));
  connection->pumps[1].input =
      g_io_stream_get_input_stream (G_IO_STREAM (upstream));
  connection->pumps[1].output =
      g_io_stream_get_output_stream (G_IO_STREAM (connection->downstream));
  for (i = 0; i < G_N_ELEMENTS (connection->pumps); i++) {
    connection->pumps[i].connection = connection;
    connection_ref (connection);
    pump_read (&connection->pumps[i]);
  }
  connection_unref (connection);        /* the connect's reference */
}

static void proxy_accept (TcpProxy * proxy);

static void
on_accepted (GObject * source, GAsyncResult * result, gpointer user_data)
{
  TcpProxy *proxy = user_data;
  GSocketConnection *downstream;
  Connection *connection;
  guint16 target_port;
  GSocketAddress *target;
  GError *error = NULL;
  gboolean refuse;
  guint serial;

  proxy->accepting = FALSE;
  downstream = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source),
      result, NULL, &error);
  if (downstream == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
        && !proxy->stopping) {
      g_debug ("tcpproxy: accept failed: %s", error->message);
      proxy_accept (proxy);
    }
    g_error_free (error);
    return;
  }
  if (proxy->stopping) {
    g_io_stream_close (G_IO_STREAM (downstream), NULL, NULL);
    g_object_unref (downstream);
    return;
  }

  g_mutex_lock (&proxy->lock);
  proxy->n_accepted++;
  serial = proxy->n_accepted;
  target_port = proxy->target_port;
  refuse = proxy->mode == TCP_PROXY_MODE_REFUSE;
  if (refuse)
    proxy->n_refused++;
  else
    proxy->n_connections++;
  g_cond_broadcast (&proxy->cond);
  g_mutex_unlock (&proxy->lock);
  proxy_accept (proxy);

  if (refuse) {
    g_io_stream_close (G_IO_STREAM (downstream), NULL, NULL);
    g_object_unref (downstream);
    return;
  }

  connection = g_new0 (Connection, 1);
  connection->proxy = proxy;
  connection->ref_count = 1;    /* the list's */
  connection->serial = serial;
  connection->downstream = downstream;
  connection->cancellable = g_cancellable_new ();
  g_queue_push_tail (&proxy->connections, connection);
  connection->link = proxy->connections.tail;
  proxy->n_alive++;

  target = g_inet_socket_address_new_from_string (proxy->target_host,
      target_port);
  if (target != NULL) {
    g_socket_client_connect_async (proxy->connector,
        G_SOCKET_CONNECTABLE (target), connection->cancellable, on_upstream,
        connection_ref (connection));
    g_object_unref (target);
  } else {
    GSocketConnectable *address = g_network_address_new (proxy->target_host,
        target_port);

    g_socket_client_connect_async (proxy->connector, address,
        connection->cancellable, on_upstream, connection_ref (connection));
    g_object_unref (address);
  }
}

static void
proxy_accept (TcpProxy * proxy)
{
  if (proxy->stopping || proxy->accepting)
    return;
  proxy->accepting = TRUE;
  g_socket_listener_accept_async (proxy->listener, proxy->cancellable,
      on_accepted, proxy);
}

/* Cuts the open connections: all of them, or those that dropped bytes. */
static guint
proxy_cut (TcpProxy * proxy, gboolean tainted_only)
{
  GList *l, *next;
  guint n = 0;

  for (l = proxy->connections.head; l != NULL; l = next) {
    Connection *connection = l->data;

    next = l->next;
    if (tainted_only && !connection->tainted)
      continue;
    connection_close (connection);
    n++;
  }
  return n;
}

/* ------------------------------------------------------------------------ */
/* Thread                                                                   */

static gpointer
proxy_thread (gpointer user_data)
{
  TcpProxy *proxy = user_data;
  GInetAddress *loopback;
  GSocketAddress *address, *effective = NULL;
  GError *error = NULL;
  guint16 port = 0;

  g_main_context_push_thread_default (proxy->context);

  proxy->connector = g_socket_client_new ();
  g_socket_client_set_enable_proxy (proxy->connector, FALSE);
  g_socket_client_set_timeout (proxy->connector, CONNECT_TIMEOUT_S);
  proxy->cancellable = g_cancellable_new ();
  proxy->listener = g_socket_listener_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (g_socket_listener_add_address (proxy->listener, address,
          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
          &error)) {
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    g_object_unref (effective);
    proxy_accept (proxy);
  } else {
    g_warning ("tcpproxy: cannot listen on 127.0.0.1: %s", error->message);
    g_error_free (error);
  }
  g_object_unref (address);
  g_object_unref (loopback);

  g_mutex_lock (&proxy->lock);
  proxy->port = port;
  proxy->started = TRUE;
  g_cond_broadcast (&proxy->cond);
  g_mutex_unlock (&proxy->lock);

  if (port != 0)
    g_main_loop_run (proxy->loop);

  /* tcp_proxy_free() closed everything: let the cancelled operations
   * finish, so that nothing is left behind */
  proxy->stopping = TRUE;
  g_cancellable_cancel (proxy->cancellable);
  g_socket_listener_close (proxy->listener);
  proxy_cut (proxy, FALSE);
  while (proxy->accepting || proxy->n_alive > 0)
    g_main_context_iteration (proxy->context, TRUE);
  while (g_main_context_iteration (proxy->context, FALSE));

  g_clear_object (&proxy->listener);
  g_clear_object (&proxy->connector);
  g_clear_object (&proxy->cancellable);
  g_main_context_pop_thread_default (proxy->context);
  return NULL;
}

typedef struct
{
  TcpProxy *proxy;
  TcpProxyMode mode;
  gboolean set_mode;
  guint result;
  gboolean done;
} Call;

static gboolean
call_run (gpointer user_data)
{
  Call *call = user_data;
  TcpProxy *proxy = call->proxy;
  guint result;

  if (call->set_mode) {
    g_mutex_lock (&proxy->lock);
    proxy->mode = call->mode;
    g_mutex_unlock (&proxy->lock);
    /* streams with holes in them cannot be forwarded again */
    result = call->mode == TCP_PROXY_MODE_PASS ? proxy_cut (proxy, TRUE) : 0;
  } else {
    result = proxy_cut (proxy, FALSE);
  }

  g_mutex_lock (&proxy->lock);
  call->result = result;
  call->done = TRUE;
  g_cond_broadcast (&proxy->cond);
  g_mutex_unlock (&proxy->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @call on the proxy thread and waits for it. */
static guint
proxy_call (TcpProxy * proxy, Call * call)
{
  call->proxy = proxy;
  call->done = FALSE;
  g_main_context_invoke (proxy->context, call_run, call);
  g_mutex_lock (&proxy->lock);
  while (!call->done)
    g_cond_wait (&proxy->cond, &proxy->lock);
  g_mutex_unlock (&proxy->lock);
  return call->result;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

/**
 * tcp_proxy_new:
 * @target_host: the host to forward to, an IP address or a name
 * @target_port: the port to forward to
 *
 * Starts a proxy listening on 127.0.0.1 on a free port, in
 * %TCP_PROXY_MODE_PASS. The target is only contacted when a connection
 * arrives; when it cannot be reached, that connection is closed.
 *
 * Returns: (transfer full) (nullable): the running proxy, or %NULL when it
 *     could not listen
 */
TcpProxy *
tcp_proxy_new (const gchar * target_host, guint16 target_port)
{
  TcpProxy *proxy;

  g_return_val_if_fail (target_host != NULL, NULL);
  g_return_val_if_fail (target_port != 0, NULL);

  proxy = g_new0 (TcpProxy, 1);
  proxy->target_host = g_strdup (target_host);
  proxy->target_port = target_port;
  proxy->mode = TCP_PROXY_MODE_PASS;
  g_mutex_init (&proxy->lock);
  g_cond_init (&proxy->cond);
  g_queue_init (&proxy->connections);
  proxy->context = g_main_context_new ();
  proxy->loop = g_main_loop_new (proxy->context, FALSE);
  proxy->thread = g_thread_new ("tcpproxy", proxy_thread, proxy);

  g_mutex_lock (&proxy->lock);
  while (!proxy->started)
    g_cond_wait (&proxy->cond, &proxy->lock);
  g_mutex_unlock (&proxy->lock);
  if (proxy->port == 0) {
    tcp_proxy_free (proxy);
    return NULL;
  }
  return proxy;
}

/**
 * tcp_proxy_free:
 * @proxy: (transfer full) (nullable): a #TcpProxy
 *
 * Closes the listening socket and every connection (as tcp_proxy_cut_all()
 * does), waits for the proxy thread to finish and frees everything.
 */
void
tcp_proxy_free (TcpProxy * proxy)
{
  if (proxy == NULL)
    return;
  g_return_if_fail (g_thread_self () != proxy->thread);

  /* from the loop itself: a quit before the loop runs would be lost */
  g_main_context_invoke (proxy->context, quit_loop, proxy->loop);
  g_thread_join (proxy->thread);
  g_main_loop_unref (proxy->loop);
  g_main_context_unref (proxy->context);
  g_mutex_clear (&proxy->lock);
  g_cond_clear (&proxy->cond);
  g_free (proxy->target_host);
  g_free (proxy);
}

/**
 * tcp_proxy_set_target_port:
 * @proxy: a #TcpProxy
 * @target_port: the port to forward to
 *
 * Forwards the connections accepted from now on to @target_port of the
 * same host, as a load balancer that moves new connections to another
 * server; those already forwarded stay where they are.
 */
void
tcp_proxy_set_target_port (TcpProxy * proxy, guint16 target_port)
{
  g_return_if_fail (proxy != NULL);

  g_mutex_lock (&proxy->lock);
  proxy->target_port = target_port;
  g_mutex_unlock (&proxy->lock);
}

/**
 * tcp_proxy_get_port:
 * @proxy: a #TcpProxy
 *
 * Returns: the port the proxy listens on, on 127.0.0.1
 */
guint16
tcp_proxy_get_port (TcpProxy * proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);

  /* written before tcp_proxy_new() returned, never changed */
  return proxy->port;
}

/**
 * tcp_proxy_get_url:
 * @proxy: a #TcpProxy
 * @scheme: a URL scheme, such as "http" or "ws"
 *
 * Returns: (transfer full): "@scheme://127.0.0.1:port", the proxy's address
 *     as a base URL
 */
gchar *
tcp_proxy_get_url (TcpProxy * proxy, const gchar * scheme)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  g_return_val_if_fail (scheme != NULL, NULL);

  return g_strdup_printf ("%s://127.0.0.1:%u", scheme, proxy->port);
}

/**
 * tcp_proxy_set_mode:
 * @proxy: a #TcpProxy
 * @mode: the new mode
 *
 * Changes what the proxy does with the traffic; open connections follow at
 * once. Going back to %TCP_PROXY_MODE_PASS cuts the connections that lost
 * bytes while the path was a blackhole, in either direction. Returns once
 * the change is made.
 *
 * Returns: how many connections the change cut: the count is taken on the
 *     proxy's thread, so connections opening or closing meanwhile do not
 *     blur it
 */
guint
tcp_proxy_set_mode (TcpProxy * proxy, TcpProxyMode mode)
{
  Call call = { NULL, };

  g_return_val_if_fail (proxy != NULL, 0);
  g_return_val_if_fail (g_thread_self () != proxy->thread, 0);

  call.set_mode = TRUE;
  call.mode = mode;
  return proxy_call (proxy, &call);
}

/**
 * tcp_proxy_get_mode:
 * @proxy: a #TcpProxy
 *
 * Returns: the current mode
 */
TcpProxyMode
tcp_proxy_get_mode (TcpProxy * proxy)
{
  g_return_val_if_fail (proxy != NULL, TCP_PROXY_MODE_PASS);

  return proxy_get_mode (proxy);
}

/**
 * tcp_proxy_cut_all:
 * @proxy: a #TcpProxy
 *
 * Drops every open connection at once, on both sides: each end sees its
 * stream end (a TCP FIN) with nothing more, like a path that broke. Bytes
 * still in the proxy are lost. New connections are handled as the mode
 * says. Returns once the connections are closed.
 *
 * Returns: how many connections were cut
 */
guint
tcp_proxy_cut_all (TcpProxy * proxy)
{
  Call call = { NULL, };

  g_return_val_if_fail (proxy != NULL, 0);
  g_return_val_if_fail (g_thread_self () != proxy->thread, 0);

  return proxy_call (proxy, &call);
}

/**
 * tcp_proxy_get_n_connections:
 * @proxy: a #TcpProxy
 *
 * Returns: how many connections are open through the proxy now (including
 *     those still reaching the target)
 */
guint
tcp_proxy_get_n_connections (TcpProxy * proxy)
{
  guint n;

  g_return_val_if_fail (proxy != NULL, 0);

  g_mutex_lock (&proxy->lock);
  n = proxy->n_connections;
  g_mutex_unlock (&proxy->lock);
  return n;
}

/**
 * tcp_proxy_set_tap:
 * @proxy: a #TcpProxy
 * @tap: (nullable): what sees the bytes from now on; %NULL for nothing
 * @user_data: data for @tap
 *
 * Shows every byte the proxy reads, both ways, to @tap, so that a test can
 * see what a client sent on the wire.
 */
void
tcp_proxy_set_tap (TcpProxy * proxy, TcpProxyTap tap, gpointer user_data)
{
  g_return_if_fail (proxy != NULL);

  g_mutex_lock (&proxy->lock);
  proxy->tap = tap;
  proxy->tap_data = user_data;
  g_mutex_unlock (&proxy->lock);
}

/**
 * tcp_proxy_get_n_accepted:
 * @proxy: a #TcpProxy
 *
 * Returns: how many connections the proxy accepted since it started,
 *     refused ones included
 */
guint
tcp_proxy_get_n_accepted (TcpProxy * proxy)
{
  guint n;

  g_return_val_if_fail (proxy != NULL, 0);

  g_mutex_lock (&proxy->lock);
  n = proxy->n_accepted;
  g_mutex_unlock (&proxy->lock);
  return n;
}

/**
 * tcp_proxy_get_n_refused:
 * @proxy: a #TcpProxy
 *
 * Returns: how many connections were closed on arrival in
 *     %TCP_PROXY_MODE_REFUSE
 */
guint
tcp_proxy_get_n_refused (TcpProxy * proxy)
{
  guint n;

  g_return_val_if_fail (proxy != NULL, 0);

  g_mutex_lock (&proxy->lock);
  n = proxy->n_refused;
  g_mutex_unlock (&proxy->lock);
  return n;
}

/**
 * tcp_proxy_wait_accepted:
 * @proxy: a #TcpProxy
 * @n: the number of accepted connections to wait for
 * @timeout_ms: the longest wait, in milliseconds
 *
 * Blocks until the proxy has accepted at least @n connections since it
 * started (tcp_proxy_get_n_accepted()), or @timeout_ms have passed.
 *
 * Returns: whether @n connections were accepted in time
 */
gboolean
tcp_proxy_wait_accepted (TcpProxy * proxy, guint n, guint timeout_ms)
{
  gint64 deadline;
  gboolean ok;

  g_return_val_if_fail (proxy != NULL, FALSE);

  deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&proxy->lock);
  while (proxy->n_accepted < n &&
      g_cond_wait_until (&proxy->cond, &proxy->lock, deadline));
  ok = proxy->n_accepted >= n;
  g_mutex_unlock (&proxy->lock);
  return ok;
}
