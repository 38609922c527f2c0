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
#include <gio/gnetworking.h>

#include "gstopentokrumorendpoint.h"
#include "gstopentokframes.h"
#include "gstopentokraptor.h"
#include "gstopentokrest.h"
#include "gstopentokserver.h"
#include "gstopentokwspool.h"
#include "gstopentok-private.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* How long a socket may stay open without joining a session. */
#define JOIN_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define SWEEP_INTERVAL_MS 1000
/* Grace before closing the socket of a force-disconnected connection, whose
 * client normally leaves by itself as soon as it sees its own deletion. */
#define FORCE_DISCONNECT_GRACE_MS 2000
/* How long the end of a run waits for the close handshakes. */
#define CLOSE_WAIT_US (G_USEC_PER_SEC / 2)

/* WebSocket close codes; 4010 is the one opentok.js uses for "No activity". */
#define CLOSE_NO_ACTIVITY 4010

struct _GstOpenTokRumorEndpoint
{
  GMainContext *context;
  const GstOpenTokServerConfig *config;
  GstOpenTokSessions *sessions;
  GstOpenTokServerMetrics *metrics;
  GstOpenTokWsPool *ws_pool;
  GPtrArray *websocket_extensions;      /* GTypeClass the handshake accepts */
  GQueue sockets;               /* Socket */
  GSource *sweep;
  gboolean closing;             /* the run ends: sockets only go */
};

typedef struct _SessionLookup SessionLookup;

/* One Rumor WebSocket; its link reaches the member it is bound to. */
typedef struct
{
  GstOpenTokLink link;
  GstOpenTokRumorEndpoint *endpoint;
  GstOpenTokWs *ws;             /* on one of the I/O threads */
  gchar *socket_id;             /* from the URL, nullable */
  gchar *unique_id;             /* from CONNECT, nullable */
  gchar *join_transaction_id;   /* of the connection#create waiting */
  SessionLookup *lookup;        /* the session of that create, looked up */
  gboolean reclaiming;          /* its socketId's member is asked for */
  GQueue waiting;               /* GstOpenTokRumorFrame received meanwhile */
  gint64 opened_time;           /* monotonic */
  gboolean leaving;             /* sent DISCONNECT with reconnect "" */
  gboolean refused;             /* the server is closing it: ignore it */
  GSource *close_timer;         /* closes a force-disconnected socket */
  GList *queue_link;            /* in endpoint->sockets */
} Socket;

/* A connection#create waiting for its session to be found. */
struct _SessionLookup
{
  Socket *sock;                 /* NULL once the socket is gone */
  GstOpenTokToken *token;
  gchar *transaction_id;
};

#define SOCKET_MEMBER(sock) ((sock)->link.member)

static void
socket_send (Socket * sock, GBytes * bytes)
{
  if (bytes != NULL)
    gst_opentok_ws_send (sock->ws, bytes);
}

/* Sends @bytes (nullable) and unrefs them. */
static void
socket_send_take (Socket * sock, GBytes * bytes)
{
  socket_send (sock, bytes);
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

/* Once: what it already sent and is still handed to us is not acted on. A
 * WebSocket close reason is at most 123 bytes; cut at a character. */
static void
socket_close (Socket * sock, gushort code, const gchar * reason)
{
  gchar buf[124];
  const gchar *end;

  if (sock->refused)
    return;
  sock->refused = TRUE;
  g_strlcpy (buf, reason ? reason : "", sizeof (buf));
  if (!g_utf8_validate (buf, -1, &end))
    buf[end - buf] = '\0';
  GST_DEBUG ("closing socket %p: %u %s", sock, code, buf);
  gst_opentok_ws_close (sock->ws, code, buf);
}

/* A fault of the client's that ends its socket, counted by close code. */
static void
socket_refuse (Socket * sock, guint code, gushort close_code,
    const gchar * reason)
{
  gst_opentok_server_metrics_count_error (sock->endpoint->metrics, code);
  socket_close (sock, close_code, reason);
}

static void
link_send (GstOpenTokLink * link, GBytes * frame)
{
  socket_send ((Socket *) link, frame);
}

static void
link_close (GstOpenTokLink * link, gushort code, const gchar * reason)
{
  socket_close ((Socket *) link, code, reason);
}

static gboolean
force_close_timeout (gpointer user_data)
{
  Socket *sock = user_data;

  g_clear_pointer (&sock->close_timer, g_source_unref);
  socket_close (sock, SOUP_WEBSOCKET_CLOSE_NORMAL, "Force disconnected");
  return G_SOURCE_REMOVE;
}

static void
link_evict (GstOpenTokLink * link)
{
  Socket *sock = (Socket *) link;

  if (sock->close_timer != NULL)
    return;
  sock->leaving = TRUE;
  sock->close_timer = g_timeout_source_new (FORCE_DISCONNECT_GRACE_MS);
  g_source_set_callback (sock->close_timer, force_close_timeout, sock, NULL);
  g_source_attach (sock->close_timer, sock->endpoint->context);
}

static const GstOpenTokLinkFuncs socket_link_funcs = {
  link_send, link_close, link_evict
};

/* ------------------------------------------------------------------------ */
/* Raptor requests                                                          */

/* Sends a STATUS reply; socket_reply() also keeps it for a re-sent
 * request. */
static void
socket_send_reply (Socket * sock, const gchar * transaction_id, guint status,
    const gchar * body)
{
  GstOpenTokMember *member = SOCKET_MEMBER (sock);
  const gchar *to = member ? member->id : sock->unique_id;

  if (status >= 300)
    gst_opentok_server_metrics_count_error (sock->endpoint->metrics, status);
  socket_send_take (sock, gst_opentok_frame_finish (gst_opentok_frame_new_status
          (to ? to : "", GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, transaction_id,
              status, body), NULL));
}

static void
socket_reply (Socket * sock, const gchar * transaction_id, guint status,
    const gchar * body)
{
  if (SOCKET_MEMBER (sock) != NULL)
    gst_opentok_member_store_reply (SOCKET_MEMBER (sock), transaction_id,
        status, body);
  socket_send_reply (sock, transaction_id, status, body);
}

/* The body of a refusal: {"reason": ...} */
static gchar *
reason_body_new (const gchar * reason)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *root;
  gchar *body;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = gst_opentok_json_to_string (root, NULL);
  json_node_unref (root);
  g_object_unref (builder);
  return body;
}

static guint
error_status (const GError * error)
{
  if (error->domain == GST_OPENTOK_SIGNAL_ERROR)
    return error->code;
  if (error->domain == GST_OPENTOK_TOKEN_ERROR)
    return 403;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    return 409;
  return 400;
}

static void
socket_reply_error (Socket * sock, const gchar * transaction_id,
    guint status, const gchar * reason)
{
  gchar *body = reason_body_new (reason);

  GST_INFO ("request %s refused with %u: %s", transaction_id, status, reason);
  socket_reply (sock, transaction_id, status, body);
  g_free (body);
}

static void
socket_reply_gerror (Socket * sock, const gchar * transaction_id,
    const GError * error)
{
  socket_reply_error (sock, transaction_id, error_status (error),
      error->message);
}

/* A member's request the cluster carries out: its answer goes to the
 * member's socket of the moment, and is kept for a re-sent request. */
typedef struct
{
  GstOpenTokRumorEndpoint *endpoint;
  gchar *session_id;
  gchar *connection_id;
  gchar *transaction_id;
} Request;

static Request *
request_new (Socket * sock, const gchar * transaction_id)
{
  Request *request = g_new (Request, 1);

  request->endpoint = sock->endpoint;
  request->session_id = g_strdup (SOCKET_MEMBER (sock)->session->id);
  request->connection_id = g_strdup (SOCKET_MEMBER (sock)->id);
  request->transaction_id = g_strdup (transaction_id);
  return request;
}

static void
request_done (const GError * error, gpointer user_data)
{
  Request *request = user_data;
  GstOpenTokSession *session;
  GstOpenTokMember *member = NULL;

  session = gst_opentok_sessions_lookup (request->endpoint->sessions,
      request->session_id);
  if (session != NULL)
    member = gst_opentok_session_lookup_member (session,
        request->connection_id);
  /* a member gone meanwhile has nobody to answer */
  if (member != NULL && member->link != NULL) {
    Socket *sock = (Socket *) member->link;

    if (error != NULL)
      socket_reply_gerror (sock, request->transaction_id, error);
    else
      socket_reply (sock, request->transaction_id, 200, NULL);
  } else if (member != NULL) {
    gchar *body = error ? reason_body_new (error->message) : NULL;

    gst_opentok_member_store_reply (member, request->transaction_id,
        error ? error_status (error) : 200, body);
    g_free (body);
  }
  g_free (request->session_id);
  g_free (request->connection_id);
  g_free (request->transaction_id);
  g_free (request);
}

/* Connection ids and socket ids become Rumor addresses and URI segments. */
static gboolean
is_valid_id (const gchar * id)
{
  const gchar *p;

  if (id == NULL || *id == '\0' || strlen (id) > 255)
    return FALSE;
  for (p = id; *p; p++) {
    if (!g_ascii_isalnum (*p) && !strchr ("-_.~", *p))
      return FALSE;
  }
  return TRUE;
}

/* The answer to connection#create, before the session hears of the
 * newcomer: the state lists it, and its own connection#created then
 * completes its connect. */
static void
socket_joined (GstOpenTokLink * link, GstOpenTokMember * member,
    const GError * error, gpointer user_data)
{
  Socket *sock = (Socket *) link;
  gchar *transaction_id = g_steal_pointer (&sock->join_transaction_id);
  gchar *state;

  if (error != NULL) {
    socket_reply_gerror (sock, transaction_id, error);
    g_free (transaction_id);
    return;
  }
  state = gst_opentok_session_state_new (member->session);
  GST_LOG ("connection %s joined, the session is %s", member->id, state);
  /* a re-sent create gets the session as it is then: the state of a large
   * session is not kept for every member that joined it */
  gst_opentok_member_store_reply (member, transaction_id, 200,
      NULL)->session_state = TRUE;
  socket_send_reply (sock, transaction_id, 200, state);
  g_free (state);
  g_free (transaction_id);
}

/* The session of a connection#create is known (it may have been made on
 * another node): the member joins. */
static void
socket_found_session (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  SessionLookup *lookup = user_data;
  Socket *sock = lookup->sock;

  if (sock == NULL)
    goto out;
  sock->lookup = NULL;
  if (error != NULL) {
    socket_reply_gerror (sock, lookup->transaction_id, error);
  } else if (session == NULL) {
    socket_reply_error (sock, lookup->transaction_id, 404, "Session not found");
  } else {
    g_free (sock->join_transaction_id);
    sock->join_transaction_id = g_strdup (lookup->transaction_id);
    gst_opentok_sessions_join (sock->endpoint->sessions, session,
        sock->unique_id, sock->socket_id,
        gst_opentok_token_get_connection_data (lookup->token),
        gst_opentok_token_get_role (lookup->token), &sock->link,
        socket_joined, NULL);
  }

out:
  gst_opentok_token_unref (lookup->token);
  g_free (lookup->transaction_id);
  g_free (lookup);
}

static void
handle_connection_create (Socket * sock, const gchar * transaction_id,
    GstOpenTokRumorFrame * frame, GstOpenTokRaptorMessage * raptor)
{
  const GstOpenTokServerConfig *config = sock->endpoint->config;
  const gchar *partner = gst_opentok_raptor_message_get_param (raptor,
      "partner");
  const gchar *session_id = gst_opentok_raptor_message_get_param (raptor,
      "session");
  const gchar *connection_id = gst_opentok_raptor_message_get_param (raptor,
      "connection");
  const gchar *token_string = gst_opentok_rumor_frame_get_header (frame,
      "X-TB-TOKEN-AUTH");
  GstOpenTokToken *token;
  GError *error = NULL;
  SessionLookup *lookup;

  if (SOCKET_MEMBER (sock) != NULL || sock->link.joining != NULL ||
      sock->lookup != NULL) {
    socket_reply_error (sock, transaction_id, 400,
        "This socket is already connected to a session");
    return;
  }
  if (sock->unique_id == NULL) {
    socket_reply_error (sock, transaction_id, 400,
        "CONNECT must come before the connection is created");
    return;
  }
  if (g_strcmp0 (connection_id, sock->unique_id) != 0) {
    socket_reply_error (sock, transaction_id, 400,
        "The connection id differs from the uniqueId given in CONNECT");
    return;
  }
  if (g_strcmp0 (partner, config->api_key) != 0) {
    socket_reply_error (sock, transaction_id, 403, "Unknown API key");
    return;
  }
  if (token_string == NULL || *token_string == '\0') {
    socket_reply_error (sock, transaction_id, 403,
        "The X-TB-TOKEN-AUTH header with the client token is missing");
    return;
  }
  token = gst_opentok_token_verify (token_string, config->api_key,
      config->api_secret, session_id, 0, &error);
  if (token == NULL) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }
  lookup = g_new0 (SessionLookup, 1);
  lookup->sock = sock;
  lookup->token = token;
  lookup->transaction_id = g_strdup (transaction_id);
  sock->lookup = lookup;
  gst_opentok_sessions_find (sock->endpoint->sessions, session_id,
      socket_found_session, lookup);
}

static void
handle_signal (Socket * sock, const gchar * transaction_id,
    GstOpenTokRaptorMessage * raptor)
{
  GstOpenTokMember *member = SOCKET_MEMBER (sock);
  const gchar *type, *data, *to;
  GError *error = NULL;

  if (g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "session"),
          member->session->id) != 0 ||
      g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "partner"),
          sock->endpoint->config->api_key) != 0) {
    socket_reply_error (sock, transaction_id, 403,
        "Signals can only be sent to the session the connection is in");
    return;
  }
  to = gst_opentok_raptor_message_get_param (raptor, "connection");
  if (!gst_opentok_rest_read_signal_content
      (gst_opentok_raptor_message_get_content (raptor), &type, &data,
          &error) ||
      !gst_opentok_session_check_signal (member->session, type, data, to,
          &error)) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }
  if (!gst_opentok_member_take_signal_token (member)) {
    socket_reply_error (sock, transaction_id, 429,
        "Too many signals: the connection exceeded its signal rate");
    return;
  }
  gst_opentok_session_relay_signal (member->session, member->id,
      transaction_id, to, type,
      data, gst_opentok_raptor_message_get_uri (raptor), request_done,
      request_new (sock, transaction_id));
}

static void
handle_connection_delete (Socket * sock, const gchar * transaction_id,
    GstOpenTokRaptorMessage * raptor)
{
  GstOpenTokMember *member = SOCKET_MEMBER (sock);

  if (g_strcmp0 (gst_opentok_raptor_message_get_param (raptor, "session"),
          member->session->id) != 0) {
    socket_reply_error (sock, transaction_id, 403,
        "Connections can only be deleted in the session the connection is in");
    return;
  }
  if (!gst_opentok_role_has_permission (member->role, "forcedisconnect")) {
    socket_reply_error (sock, transaction_id, 403,
        "This token's role does not allow forcing a disconnection");
    return;
  }
  gst_opentok_session_force_disconnect (member->session,
      gst_opentok_raptor_message_get_param (raptor, "connection"),
      transaction_id, request_done, request_new (sock, transaction_id));
}

/* A request re-sent after a reconnection: answered again, acted on once. */
static gboolean
socket_replay_reply (Socket * sock, const gchar * transaction_id)
{
  GstOpenTokMember *member = SOCKET_MEMBER (sock);
  GstOpenTokStoredReply *reply;
  gchar *state;

  if (member == NULL)
    return FALSE;
  reply = gst_opentok_member_lookup_reply (member, transaction_id);
  if (reply == NULL)
    return FALSE;
  state = reply->session_state ?
      gst_opentok_session_state_new (member->session) : NULL;
  GST_DEBUG ("replaying the reply to request %s", transaction_id);
  socket_send_take (sock, gst_opentok_frame_finish (gst_opentok_frame_new_status
          (member->id, GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, transaction_id,
              reply->status, state ? state : reply->body), NULL));
  g_free (state);
  return TRUE;
}

static void
handle_request (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *transaction_id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  GstOpenTokRaptorMessage *raptor;
  const gchar *method, *resource;
  GError *error = NULL;
  GBytes *payload;
  gsize size;
  const gchar *data;

  if (transaction_id == NULL || *transaction_id == '\0') {
    socket_refuse (sock, 400, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
        "MESSAGE without TRANSACTION-ID");
    return;
  }
  if (socket_replay_reply (sock, transaction_id))
    return;
  if (gst_opentok_rumor_frame_get_n_addresses (frame) != 1 ||
      g_strcmp0 (gst_opentok_rumor_frame_get_address (frame, 0),
          GST_OPENTOK_SERVER_SYMPHONY_ADDRESS) != 0) {
    socket_reply_error (sock, transaction_id, 400,
        "Requests must be addressed to the symphony address only");
    return;
  }

  payload = gst_opentok_rumor_frame_get_payload (frame);
  data = g_bytes_get_data (payload, &size);
  raptor = gst_opentok_raptor_message_parse (data, size, &error);
  if (raptor == NULL) {
    socket_reply_gerror (sock, transaction_id, error);
    g_error_free (error);
    return;
  }

  method = gst_opentok_raptor_message_get_method (raptor);
  resource = gst_opentok_raptor_message_get_resource (raptor);
  if (g_str_equal (resource, "connection") && g_str_equal (method, "create")) {
    handle_connection_create (sock, transaction_id, frame, raptor);
  } else if (SOCKET_MEMBER (sock) == NULL) {
    socket_reply_error (sock, transaction_id, 403,
        "The connection has not joined a session");
  } else if (g_str_equal (resource, "signal") && g_str_equal (method, "signal")) {
    handle_signal (sock, transaction_id, raptor);
  } else if (g_str_equal (resource, "connection")
      && g_str_equal (method, "delete")) {
    handle_connection_delete (sock, transaction_id, raptor);
  } else if (g_str_equal (resource, "session")
      && g_str_equal (method, "read")) {
    gchar *state = gst_opentok_session_state_new (SOCKET_MEMBER
        (sock)->session);

    socket_reply (sock, transaction_id, 200, state);
    g_free (state);
  } else {
    gchar *reason = g_strdup_printf ("This server only does signaling: "
        "'%s' on '%s' is not supported", method, resource);

    socket_reply_error (sock, transaction_id, 400, reason);
    g_free (reason);
  }
  gst_opentok_raptor_message_unref (raptor);
}

/* ------------------------------------------------------------------------ */
/* Rumor frames                                                             */

static void
handle_connect (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *unique_id = gst_opentok_rumor_frame_get_header (frame,
      "uniqueId");

  if (sock->unique_id != NULL) {
    socket_refuse (sock, 400, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
        "CONNECT was already sent on this socket");
    return;
  }
  if (!is_valid_id (unique_id)) {
    socket_refuse (sock, 400, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "CONNECT needs a uniqueId of letters, digits and -_.~");
    return;
  }
  sock->unique_id = g_strdup (unique_id);
}

static void
handle_disconnect (Socket * sock, GstOpenTokRumorFrame * frame)
{
  const gchar *reconnect = gst_opentok_rumor_frame_get_header (frame,
      "reconnect");

  /* "1": this socket is being replaced; its successor rebinds by socketId */
  if (g_strcmp0 (reconnect, "1") == 0)
    return;
  sock->leaving = TRUE;
  if (SOCKET_MEMBER (sock) != NULL)
    gst_opentok_member_remove (SOCKET_MEMBER (sock), "clientDisconnected");
}

/* A PING as every client sends it, and its answer */
static const guint8 rumor_ping[] = { 0, 0, 0, 5, 0, 0, 7, 0, 0 };
static const guint8 rumor_pong[] = { 0, 0, 0, 5, 0, 0, 8, 0, 0 };

/* On the I/O threads: an idle client PINGs every two seconds, and its PONG
 * need not wake the server thread. Other PINGs are parsed there. */
static GBytes *
socket_answer (SoupWebsocketDataType type, GBytes * message)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (message, &size);

  if (type != SOUP_WEBSOCKET_DATA_BINARY || size != sizeof (rumor_ping) ||
      memcmp (data, rumor_ping, size) != 0)
    return NULL;
  return g_bytes_new_static (rumor_pong, sizeof (rumor_pong));
}

static void socket_handle_frame (Socket * sock, GstOpenTokRumorFrame * frame);

static void
socket_on_message (GstOpenTokWs * ws, SoupWebsocketDataType type,
    GBytes * message, gpointer user_data)
{
  Socket *sock = user_data;
  GstOpenTokRumorEndpoint *self = sock->endpoint;
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  if (sock->refused)
    return;
  self->metrics->frames_received++;
  if (type != SOUP_WEBSOCKET_DATA_BINARY) {
    socket_refuse (sock, 400, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA,
        "Rumor frames are binary WebSocket messages");
    return;
  }
  frame = gst_opentok_rumor_frame_parse (message, self->config->max_frame_size,
      &error);
  if (frame == NULL && g_error_matches (error, GST_OPENTOK_PROTOCOL_ERROR,
          GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED)) {
    /* a sound frame of a type we do not know: dropped, as opentok.js does */
    GST_DEBUG ("socket %p: %s", sock, error->message);
    g_error_free (error);
    return;
  }
  if (frame == NULL) {
    gboolean too_large = error->code == GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE;

    GST_INFO ("malformed frame from socket %p: %s", sock, error->message);
    socket_refuse (sock, too_large ? 413 : 400, too_large ?
        SOUP_WEBSOCKET_CLOSE_TOO_BIG : SOUP_WEBSOCKET_CLOSE_BAD_DATA,
        error->message);
    g_error_free (error);
    return;
  }

  /* what comes while the member is brought over waits for it */
  if (sock->reclaiming) {
    g_queue_push_tail (&sock->waiting, frame);
    return;
  }
  socket_handle_frame (sock, frame);
  gst_opentok_rumor_frame_unref (frame);
}

static void
socket_handle_frame (Socket * sock, GstOpenTokRumorFrame * frame)
{
  GST_TRACE ("socket %p: %s", sock, gst_opentok_rumor_type_to_string
      (gst_opentok_rumor_frame_get_message_type (frame)));
  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_CONNECT:
      handle_connect (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      handle_request (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_STATUS:{
      const gchar *id = gst_opentok_rumor_frame_get_header (frame,
          "TRANSACTION-ID");

      if (SOCKET_MEMBER (sock) != NULL && id != NULL)
        gst_opentok_member_acknowledge (SOCKET_MEMBER (sock), id);
      break;
    }
    case GST_OPENTOK_RUMOR_TYPE_PING:
      socket_send_take (sock, g_bytes_new_static (rumor_pong,
              sizeof (rumor_pong)));
      break;
    case GST_OPENTOK_RUMOR_TYPE_DISCONNECT:
      handle_disconnect (sock, frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE:
    case GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE:
      /* membership follows the session the token admits the connection
       * to; a client cannot subscribe itself to other topics */
    case GST_OPENTOK_RUMOR_TYPE_PONG:
    default:
      break;
  }
}

static void
socket_free (Socket * sock)
{
  gst_opentok_link_release (&sock->link);
  if (sock->lookup != NULL)
    sock->lookup->sock = NULL;
  g_queue_clear_full (&sock->waiting, (GDestroyNotify)
      gst_opentok_rumor_frame_unref);
  if (sock->close_timer) {
    g_source_destroy (sock->close_timer);
    g_source_unref (sock->close_timer);
  }
  gst_opentok_ws_release (sock->ws);
  g_free (sock->socket_id);
  g_free (sock->unique_id);
  g_free (sock->join_transaction_id);
  g_free (sock);
}

/* The last call for @sock's WebSocket. */
static void
socket_on_closed (GstOpenTokWs * ws, gushort close_code, gpointer user_data)
{
  Socket *sock = user_data;
  GstOpenTokRumorEndpoint *self = sock->endpoint;

  GST_DEBUG ("socket %p closed (code %u)", sock, close_code);
  /* 1001 is a browser leaving the page: opentok.js never closes with it
   * when it means to come back, so the connection ends now instead of
   * lingering for the whole reconnect window */
  if (SOCKET_MEMBER (sock) != NULL && !self->closing) {
    if (close_code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
      gst_opentok_member_remove (SOCKET_MEMBER (sock), "networkDisconnected");
    else
      gst_opentok_member_detach (SOCKET_MEMBER (sock));
  }
  g_queue_delete_link (&self->sockets, sock->queue_link);
  socket_free (sock);
}

/* The member of the socketId is this socket's, or nobody's: 1011 tells the
 * client to stop retrying when it is gone. */
static void
socket_reclaimed (GstOpenTokLink * link, GstOpenTokMember * member,
    const GError * error, gpointer user_data)
{
  Socket *sock = (Socket *) link;
  GstOpenTokRumorFrame *frame;

  sock->reclaiming = FALSE;
  if (member == NULL) {
    socket_refuse (sock, error ? 500 : 404, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
        error ? error->message : "Unknown socketId: the connection is gone");
  } else {
    g_free (sock->unique_id);
    sock->unique_id = g_strdup (member->id);
  }
  while ((frame = g_queue_pop_head (&sock->waiting))) {
    if (!sock->refused)
      socket_handle_frame (sock, frame);
    gst_opentok_rumor_frame_unref (frame);
  }
}

/* The socket takes over the member of its socketId: on this node, or on
 * another one, through the cluster. */
static void
socket_reconnect (Socket * sock)
{
  GstOpenTokMember *member;

  member = gst_opentok_sessions_rebind (sock->endpoint->sessions,
      sock->socket_id, &sock->link);
  if (member != NULL) {
    sock->unique_id = g_strdup (member->id);
    return;
  }
  sock->reclaiming = TRUE;
  gst_opentok_sessions_reclaim (sock->endpoint->sessions, sock->socket_id,
      &sock->link, socket_reclaimed, NULL);
}

/* The handshake's answer is out: the connection becomes a Rumor socket on
 * one of the I/O threads. */
static void
endpoint_on_upgraded (SoupServerMessage * msg, GstOpenTokRumorEndpoint * self)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *query = g_uri_get_query (uri);
  GSocket *tcp = soup_server_message_get_socket (msg);
  GList *extensions = g_object_steal_data (G_OBJECT (msg),
      "gst-opentok-extensions");
  GHashTable *params = NULL;
  gboolean reconnect = FALSE, over_limit;
  GIOStream *stream;
  Socket *sock;

  g_object_ref (msg);
  sock = g_new0 (Socket, 1);
  sock->link.funcs = &socket_link_funcs;
  sock->endpoint = self;
  /* Rumor frames are small and each is a message of its own: Nagle's
   * algorithm would hold one back until the previous one is acknowledged
   * (up to the peer's delayed-ACK timeout, 40 ms on Linux) */
  if (tcp != NULL)
    g_socket_set_option (tcp, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  over_limit = self->sockets.length >= self->config->max_connections;
  sock->opened_time = g_get_monotonic_time ();
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL) {
    const gchar *socket_id = g_hash_table_lookup (params, "socketId");

    if (is_valid_id (socket_id))
      sock->socket_id = g_strdup (socket_id);
    reconnect = g_strcmp0 (g_hash_table_lookup (params, "reconnect"),
        "true") == 0;
    g_hash_table_unref (params);
  }
  GST_DEBUG ("socket %p opened from %s (socketId %s%s)", sock,
      soup_server_message_get_remote_host (msg),
      GST_STR_NULL (sock->socket_id), reconnect ? ", reconnecting" : "");

  stream = soup_server_message_steal_connection (msg);
  /* libsoup 3.2 drops the TCP connection without a close frame when a
   * message passes its limit, so it only cuts grossly oversized ones before
   * they are read; anything over our limit below that gets a clean 1009
   * from the frame parser. Either way memory stays bounded. */
  sock->ws = gst_opentok_ws_pool_adopt (self->ws_pool, stream, tcp, uri,
      soup_message_headers_get_one (soup_server_message_get_request_headers
          (msg), "Origin"),
      soup_message_headers_get_one (soup_server_message_get_response_headers
          (msg), "Sec-WebSocket-Protocol"), extensions,
      (guint64) self->config->max_frame_size * 2, sock);
  g_object_unref (stream);
  g_object_unref (msg);
  g_queue_push_tail (&self->sockets, sock);
  sock->queue_link = self->sockets.tail;
  if (over_limit) {
    GST_WARNING ("refusing a socket: %u are open already",
        self->config->max_connections);
    self->metrics->connections_refused++;
    sock->leaving = TRUE;
    socket_close (sock, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "Too many connections: try again later");
    return;
  }
  if (reconnect)
    socket_reconnect (sock);
}

static void
extensions_free (gpointer extensions)
{
  g_list_free_full (extensions, g_object_unref);
}

/* SoupServer's own WebSocket handler would make the WebSocket on this
 * thread's context; the endpoint answers the handshake itself and hands
 * the connection to an I/O thread. */
void
gst_opentok_rumor_endpoint_handle_request (GstOpenTokRumorEndpoint * self,
    SoupServerMessage * msg)
{
  GList *extensions = NULL;

  /* on failure it sets the error status itself */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL,
          self->websocket_extensions, &extensions))
    return;
  g_object_set_data_full (G_OBJECT (msg), "gst-opentok-extensions",
      extensions, extensions_free);
  g_signal_connect (msg, "wrote-informational",
      G_CALLBACK (endpoint_on_upgraded), self);
}

/* Once a second: close sockets that went silent or never joined. */
static gboolean
endpoint_sweep (gpointer user_data)
{
  GstOpenTokRumorEndpoint *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GList *l, *next;

  for (l = self->sockets.head; l != NULL; l = next) {
    Socket *sock = l->data;

    next = l->next;
    if (now - gst_opentok_ws_get_last_message_time (sock->ws) >
        self->config->liveness_timeout) {
      socket_close (sock, CLOSE_NO_ACTIVITY, "No activity");
    } else if (SOCKET_MEMBER (sock) == NULL && !sock->leaving &&
        now - sock->opened_time > JOIN_TIMEOUT_US) {
      socket_close (sock, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
          "No session joined in time");
    }
  }
  return G_SOURCE_CONTINUE;
}

GstOpenTokRumorEndpoint *
gst_opentok_rumor_endpoint_new (GMainContext * context,
    const GstOpenTokServerConfig * config, GstOpenTokSessions * sessions,
    GstOpenTokServerMetrics * metrics)
{
  static const GstOpenTokWsPoolCallbacks callbacks = {
    socket_answer, socket_on_message, socket_on_closed
  };
  GstOpenTokRumorEndpoint *self = g_new0 (GstOpenTokRumorEndpoint, 1);

  self->context = context;
  self->config = config;
  self->sessions = sessions;
  self->metrics = metrics;
  g_queue_init (&self->sockets);
  /* what SoupServer's own WebSocket handler accepts */
  self->websocket_extensions =
      g_ptr_array_new_with_free_func (g_type_class_unref);
  g_ptr_array_add (self->websocket_extensions,
      g_type_class_ref (SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE));
  self->ws_pool = gst_opentok_ws_pool_new (config->io_threads, context,
      &callbacks);
  self->sweep = g_timeout_source_new (SWEEP_INTERVAL_MS);
  g_source_set_callback (self->sweep, endpoint_sweep, self, NULL);
  g_source_attach (self->sweep, context);
  return self;
}

void
gst_opentok_rumor_endpoint_free (GstOpenTokRumorEndpoint * self)
{
  gint64 deadline;
  GList *l;

  self->closing = TRUE;
  g_source_destroy (self->sweep);
  g_source_unref (self->sweep);
  for (l = self->sockets.head; l != NULL; l = l->next)
    socket_close (l->data, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "Server shutting down");
  /* let the close handshakes go out, for a bounded time */
  deadline = g_get_monotonic_time () + CLOSE_WAIT_US;
  while (self->sockets.length > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (self->context, FALSE);
  while (self->sockets.length > 0)
    socket_free (g_queue_pop_head (&self->sockets));
  gst_opentok_ws_pool_free (self->ws_pool);
  g_ptr_array_unref (self->websocket_extensions);
  g_free (self);
}

guint
gst_opentok_rumor_endpoint_get_n_sockets (GstOpenTokRumorEndpoint * self)
{
  return self->sockets.length;
}

guint64
gst_opentok_rumor_endpoint_get_frames_received (GstOpenTokRumorEndpoint * self)
{
  return self->metrics->frames_received +
      gst_opentok_ws_pool_get_answered (self->ws_pool);
}
