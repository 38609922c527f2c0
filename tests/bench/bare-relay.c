/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* bare-relay: the ceiling of our stack for the benchmark. A SoupServer
 * WebSocket relay on one thread that knows just enough Rumor framing to
 * route: a SUBSCRIBE adds the socket to its topics, a MESSAGE goes, the
 * very same bytes, to every socket subscribed to its addresses (its sender
 * too when subscribed, as an OpenTok broadcast does), a PING gets a PONG.
 * Everything else (CONNECT, acks) is dropped: no JSON, no validation, no
 * acknowledgement tracking. Its writes are coalesced per socket and
 * main-loop iteration exactly as the embedded server's are
 * (gst/opentok/gstopentokcork.c), so that the two differ by the protocol
 * work only.
 *
 *   bare-relay [--port N]   prints "bare-relay listening on ws://…/" */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

#include "gstopentokcork.h"

#include "quiet-libsoup.h"

#define TYPE_SUBSCRIBE 0
#define TYPE_MESSAGE 2
#define TYPE_PING 7
#define MAX_ADDRESS 1024

typedef struct
{
  SoupWebsocketConnection *ws;
  GSocket *tcp;                 /* nullable */
  guint64 last_write;           /* for the cork */
  GPtrArray *topics;            /* gchar *, the keys of the topic table */
} Peer;

/* topic -> GPtrArray of Peer */
static GHashTable *topics;
static GstOpenTokCork *cork;

static void
peer_send (Peer * peer, GBytes * bytes)
{
  if (soup_websocket_connection_get_state (peer->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (peer->tcp != NULL)
    gst_opentok_cork_before_write (cork, peer->tcp, &peer->last_write);
  soup_websocket_connection_send_message (peer->ws,
      SOUP_WEBSOCKET_DATA_BINARY, bytes);
}

static void
peer_subscribe (Peer * peer, const gchar * topic)
{
  GPtrArray *peers;
  gchar *key;

  if (!g_hash_table_lookup_extended (topics, topic, (gpointer *) & key,
          (gpointer *) & peers)) {
    key = g_strdup (topic);
    peers = g_ptr_array_new ();
    g_hash_table_insert (topics, key, peers);
  } else if (g_ptr_array_find (peers, peer, NULL)) {
    return;
  }
  g_ptr_array_add (peers, peer);
  g_ptr_array_add (peer->topics, key);
}

/* Reads the address at *offset into @out (NUL-terminated); FALSE when the
 * frame is too short or the address too long to route. */
static gboolean
read_address (const guint8 * data, gsize size, gsize * offset, gchar * out)
{
  gsize len;

  if (*offset + 2 > size)
    return FALSE;
  len = ((gsize) data[*offset] << 8) | data[*offset + 1];
  *offset += 2;
  if (*offset + len > size || len >= MAX_ADDRESS)
    return FALSE;
  memcpy (out, data + *offset, len);
  out[len] = '\0';
  *offset += len;
  return TRUE;
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    Peer * peer)
{
  static const guint8 pong[] = { 0, 0, 0, 5, 0, 0, 8, 0, 0 };
  gchar address[MAX_ADDRESS];
  gsize size, offset = 8;
  const guint8 *data = g_bytes_get_data (message, &size);
  guint n, i, j;

  if (type != SOUP_WEBSOCKET_DATA_BINARY || size < 8)
    return;
  n = data[7];
  switch (data[6]) {
    case TYPE_SUBSCRIBE:
      for (i = 0; i < n && read_address (data, size, &offset, address); i++)
        peer_subscribe (peer, address);
      break;
    case TYPE_MESSAGE:
      for (i = 0; i < n && read_address (data, size, &offset, address); i++) {
        GPtrArray *peers = g_hash_table_lookup (topics, address);

        for (j = 0; peers != NULL && j < peers->len; j++)
          peer_send (g_ptr_array_index (peers, j), message);
      }
      break;
    case TYPE_PING:{
      GBytes *bytes = g_bytes_new_static (pong, sizeof (pong));

      peer_send (peer, bytes);
      g_bytes_unref (bytes);
      break;
    }
    default:
      break;
  }
}

static void
on_closed (SoupWebsocketConnection * ws, Peer * peer)
{
  guint i;

  for (i = 0; i < peer->topics->len; i++) {
    const gchar *key = g_ptr_array_index (peer->topics, i);
    GPtrArray *peers = g_hash_table_lookup (topics, key);

    g_ptr_array_remove_fast (peers, peer);
    if (peers->len == 0)
      g_hash_table_remove (topics, key);
  }
  g_ptr_array_unref (peer->topics);
  g_signal_handlers_disconnect_by_data (ws, peer);
  g_object_unref (ws);
  g_clear_object (&peer->tcp);
  g_free (peer);
}

static void
on_websocket (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * ws, gpointer user_data)
{
  Peer *peer = g_new0 (Peer, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  /* as the embedded server and Node's ws do: frames leave at once */
  if (socket != NULL) {
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    peer->tcp = g_object_ref (socket);
  }
  peer->ws = g_object_ref (ws);
  peer->topics = g_ptr_array_new ();
  g_object_set (ws, "max-incoming-payload-size", (guint64) 128 * 1024, NULL);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), peer);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), peer);
}

static gboolean
on_stop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gint port = 0;
  GOptionEntry entries[] = {
    {"port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (default: any)",
        "PORT"},
    {NULL}
  };
  GOptionContext *options;
  GError *error = NULL;
  SoupServer *server;
  GInetAddress *address;
  GSocketAddress *socket_address;
  GSocket *socket;
  GMainLoop *loop;
  GSList *uris;
  struct rlimit limit;

  options = g_option_context_new ("- minimal Rumor relay on libsoup");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  g_option_context_free (options);
  quiet_libsoup_debug ();
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
  }

  topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_ptr_array_unref);
  server = soup_server_new ("server-header", "bare-relay ", NULL);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, on_websocket,
      NULL, NULL);
  /* our own socket: GSocket listens with a backlog of 10, and a burst of
   * joins would wait for SYN retransmissions */
  address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  socket_address = g_inet_socket_address_new (address, port);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  if (socket != NULL) {
    g_socket_set_listen_backlog (socket, SOMAXCONN);
    if (!g_socket_bind (socket, socket_address, TRUE, &error) ||
        !g_socket_listen (socket, &error) ||
        !soup_server_listen_socket (server, socket, 0, &error))
      g_clear_object (&socket);
  }
  if (socket == NULL) {
    g_printerr ("cannot listen: %s\n", error->message);
    return 1;
  }
  g_object_unref (socket);
  g_object_unref (socket_address);
  g_object_unref (address);
  uris = soup_server_get_uris (server);
  g_print ("bare-relay listening on ws://127.0.0.1:%d/\n",
      g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  cork = gst_opentok_cork_new (NULL);
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_stop, loop);
  g_unix_signal_add (SIGTERM, on_stop, loop);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  soup_server_disconnect (server);
  g_object_unref (server);
  gst_opentok_cork_free (cork);
  return 0;
}
