/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Tests of GstOpenTokServer through its network interfaces only: every test
 * starts a real server on a loopback port and talks to it the way opentok.js
 * and the server SDKs do, with libsoup on the test's own GMainContext and the
 * library's Rumor and Raptor codecs. Every wait has a deadline. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/opentok/opentok.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>
#include <gst/opentok/gstopentokserver-private.h>
#include <gst/opentok/gstopentokrest.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fixture.h"

#define API_KEY FIXTURE_API_KEY
#define API_SECRET FIXTURE_API_SECRET
#define SYMPHONY GST_OPENTOK_SERVER_SYMPHONY_ADDRESS
#define WAIT_MS FIXTURE_WAIT_MS

typedef struct _Fixture Fixture;
typedef struct _Peer Peer;

struct _Fixture
{
  FixtureServer *srv;           /* the server, its URL and session */
  GMainContext *context;
  SoupSession *http;
  gchar *ws_url;                /* ws://127.0.0.1:{port}/rumorwebsocketsv2 */
  gchar *topic;                 /* /v2/partner/{key}/session/{id} */
  GList *peers;                 /* Peer, owned */
};

/* One received frame, with its Raptor message when it is a MESSAGE. */
typedef struct
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokRaptorMessage *raptor;
} Received;

/* A raw Rumor client, doing what opentok.js does. */
struct _Peer
{
  Fixture *f;
  gchar *name;
  gchar *connection_id;
  gchar *socket_id;             /* NULL: a client without reconnection */
  gchar *session_id;
  gchar *token;
  gchar *messaging_url;         /* from the session info, or NULL */
  gboolean joined;

  SoupWebsocketConnection *ws;
  gboolean open_done;
  gchar *open_error;
  gboolean closed;
  gushort close_code;

  gboolean auto_ack;
  guint acks_sent;
  guint pongs;
  guint inbox_at_pong;          /* frames in the inbox when the last came */
  GQueue inbox;                 /* Received, oldest first */
};

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets the context run for @ms: the pause between two polls. */
static void
run_for (Fixture * f, guint ms)
{
  fixture_wait (f->context, never, NULL, ms);
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

/* {"type":…,"data":…} with the members that are not NULL. */
static gchar *
signal_content (const gchar * type, const gchar * data)
{
  JsonObject *object = json_object_new ();
  JsonNode *root;
  gchar *text;

  if (type != NULL)
    json_object_set_string_member (object, "type", type);
  if (data != NULL)
    json_object_set_string_member (object, "data", data);
  root = json_node_init_object (json_node_alloc (), object);
  text = json_to_string (root, FALSE);
  json_node_unref (root);
  json_object_unref (object);
  return text;
}

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */

typedef struct
{
  gboolean done;
  GBytes *body;
  GError *error;
} HttpCall;

static void
http_done (GObject * source, GAsyncResult * result, gpointer user_data)
{
  HttpCall *call = user_data;

  call->body = soup_session_send_and_read_finish (SOUP_SESSION (source),
      result, &call->error);
  call->done = TRUE;
}

/* Sends @msg and waits for the answer, whose body goes to @response as
 * text. */
static void
http_send (Fixture * f, SoupMessage * msg, gchar ** response)
{
  HttpCall call = { FALSE, NULL, NULL };
  const gchar *method = soup_message_get_method (msg);
  const gchar *path = g_uri_get_path (soup_message_get_uri (msg));

  soup_session_send_and_read_async (f->http, msg, G_PRIORITY_DEFAULT, NULL,
      http_done, &call);
  fail_unless (fixture_wait_flag (f->context, &call.done, WAIT_MS),
      "no answer to %s %s", method, path);
  if (call.error != NULL)
    fail ("%s %s failed: %s", method, path, call.error->message);

  if (response != NULL) {
    gsize size;
    const gchar *data = g_bytes_get_data (call.body, &size);

    *response = g_strndup (data ? data : "", size);
  }
  g_bytes_unref (call.body);
}

/* Sends @method @path with an optional body and the header name/value
 * pairs that follow, up to NULL. Returns the message (for its status and
 * headers); the body goes to @response as text. */
static SoupMessage *
http_request (Fixture * f, const gchar * method, const gchar * path,
    const gchar * content_type, const gchar * body, gchar ** response, ...)
{
  SoupMessageHeaders *headers;
  SoupMessage *msg;
  const gchar *name;
  gchar *uri;
  va_list args;

  uri = g_strconcat (f->srv->url, path, NULL);
  msg = soup_message_new (method, uri);
  fail_unless (msg != NULL, "bad URI %s", uri);
  g_free (uri);

  headers = soup_message_get_request_headers (msg);
  va_start (args, response);
  while ((name = va_arg (args, const gchar *)) != NULL)
  {
    const gchar *value = va_arg (args, const gchar *);

    soup_message_headers_replace (headers, name, value);
  }
  va_end (args);
  if (body != NULL) {
    GBytes *bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg,
        content_type ? content_type : "application/json", bytes);
    g_bytes_unref (bytes);
  }

  http_send (f, msg, response);
  return msg;
}

/* GET /session/{id}?extended=true as opentok.js sends it. */
static SoupMessage *
get_session_info (Fixture * f, const gchar * session_id, const gchar * token,
    const gchar * connection_id, gchar ** response)
{
  gchar *path = g_strdup_printf ("/session/%s?extended=true", session_id);
  SoupMessage *msg;

  msg = http_request (f, SOUP_METHOD_GET, path, NULL, NULL, response,
      "X-OPENTOK-AUTH", token, "X-TB-VERSION", "1",
      "X-TB-CLIENT-VERSION", "js-2.35.2", "X-TB-CONNECTIONID", connection_id,
      "Accept", "application/json", NULL);
  g_free (path);
  return msg;
}

/* A session-info error element: 2xx and [{"error":{"code":…}}]. */
static void
check_session_info_error (SoupMessage * msg, const gchar * body,
    gint64 expected_code)
{
  JsonObject *element, *error, *message;
  JsonNode *root;

  fail_unless (SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)),
      "session info errors must be 2xx, got %u", soup_message_get_status (msg));
  root = fixture_json_parse (body);
  element = fixture_json_first_object (root);
  error = fixture_json_get_object (element, "error");
  fail_unless_equals_int64 (fixture_json_get_int (error, "code"),
      expected_code);
  message = fixture_json_get_object (error, "errorMessage");
  fail_unless_equals_int64 (fixture_json_get_int (message, "code"),
      expected_code);
  fail_unless (*fixture_json_get_string (message, "message") != '\0');
  json_node_unref (root);
}

/* One REST call with @auth_header: @auth_value (none when NULL); returns
 * the HTTP status and, for error statuses, checks the {"code","message"}
 * body. */
static guint
rest_call (Fixture * f, const gchar * method, const gchar * path,
    const gchar * body, const gchar * auth_header, const gchar * auth_value)
{
  SoupMessage *msg;
  gchar *response = NULL;
  guint status;

  if (auth_header != NULL)
    msg = http_request (f, method, path, NULL, body, &response, auth_header,
        auth_value, "Accept", "application/json", NULL);
  else
    msg = http_request (f, method, path, NULL, body, &response, "Accept",
        "application/json", NULL);
  status = soup_message_get_status (msg);
  if (status >= 400) {
    JsonNode *root = fixture_json_parse (response);

    fail_unless (JSON_NODE_HOLDS_OBJECT (root), "REST error body: %s",
        response);
    fail_unless_equals_int64 (fixture_json_get_int (json_node_get_object (root),
            "code"), status);
    fail_unless (*fixture_json_get_string (json_node_get_object (root),
            "message") != '\0');
    json_node_unref (root);
  }
  g_free (response);
  g_object_unref (msg);
  return status;
}

/* A REST call authenticated with a fresh JWT. */
static guint
rest_call_jwt (Fixture * f, const gchar * method, const gchar * path,
    const gchar * body)
{
  gchar *jwt = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, 0);
  guint status;

  status = rest_call (f, method, path, body, "X-OPENTOK-AUTH", jwt);
  g_free (jwt);
  return status;
}

static gchar *
rest_signal_path (const gchar * session_id, const gchar * connection_id)
{
  if (connection_id != NULL)
    return g_strdup_printf ("/v2/project/%s/session/%s/connection/%s/signal",
        API_KEY, session_id, connection_id);
  return g_strdup_printf ("/v2/project/%s/session/%s/signal", API_KEY,
      session_id);
}

static gchar *
make_rest_jwt (gint64 issued_offset, gint64 expiry_offset)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gchar *claims, *jwt;

  claims = g_strdup_printf ("{\"iss\":\"%s\",\"ist\":\"project\",\"iat\":%"
      G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT ",\"jti\":\"%s\"}",
      API_KEY, now + issued_offset, now + expiry_offset,
      "5f0c3d8e-8a61-4b5e-9a2f-1d7c6b5a4e3f");
  jwt = fixture_jwt_new (FIXTURE_JWT_HS256_HEADER, claims, -1, API_SECRET);
  g_free (claims);
  return jwt;
}

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */

/* Starts a server with the given properties (name/value pairs up to NULL)
 * and creates one session. */
static Fixture *
fixture_new (const gchar * first_property, ...)
{
  Fixture *f = g_new0 (Fixture, 1);
  va_list args;

  f->context = fixture_context_push ();
  /* no proxy: everything here is on loopback */
  f->http = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  va_start (args, first_property);
  f->srv = fixture_server_new_valist (first_property, args);
  va_end (args);
  fail_unless (g_str_has_prefix (f->srv->url, "http://127.0.0.1:"), "url %s",
      f->srv->url);
  f->ws_url = g_strdup_printf ("ws://%s%s", f->srv->url + strlen ("http://"),
      GST_OPENTOK_SERVER_RUMOR_PATH);
  f->topic = g_strdup_printf ("/v2/partner/%s/session/%s", API_KEY,
      f->srv->session_id);
  return f;
}

static void peer_free (Peer * peer);

static void
fixture_free (Fixture * f)
{
  g_list_free_full (f->peers, (GDestroyNotify) peer_free);
  fixture_server_free (f->srv);
  soup_session_abort (f->http);
  g_object_unref (f->http);
  fixture_context_pop (f->context);
  g_free (f->topic);
  g_free (f->ws_url);
  g_free (f);
}

/* ------------------------------------------------------------------------ */
/* Peers                                                                    */

static void
received_free (Received * received)
{
  gst_opentok_rumor_frame_unref (received->frame);
  if (received->raptor != NULL)
    gst_opentok_raptor_message_unref (received->raptor);
  g_free (received);
}

static const gchar *
received_header (Received * received, const gchar * key)
{
  return gst_opentok_rumor_frame_get_header (received->frame, key);
}

/* A string member of a MESSAGE's content, or NULL. */
static const gchar *
received_content_string (Received * received, const gchar * name)
{
  JsonObject *content;
  JsonNode *node;

  if (received->raptor == NULL)
    return NULL;
  content = gst_opentok_raptor_message_get_content (received->raptor);
  node = json_object_get_member (content, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static guint
received_status (Received * received)
{
  const gchar *status = received_header (received, "STATUS");

  fail_unless (status != NULL, "STATUS frame without a STATUS header");
  return (guint) g_ascii_strtoull (status, NULL, 10);
}

static void
peer_send_bytes (Peer * peer, GBytes * bytes)
{
  fail_unless (peer->ws != NULL, "%s has no socket", peer->name);
  fail_unless (soup_websocket_connection_get_state (peer->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN, "%s: the socket is not open", peer->name);
  soup_websocket_connection_send_message (peer->ws,
      SOUP_WEBSOCKET_DATA_BINARY, bytes);
}

static void
peer_send_data (Peer * peer, const guint8 * data, gsize size)
{
  GBytes *bytes = g_bytes_new (data, size);

  peer_send_bytes (peer, bytes);
  g_bytes_unref (bytes);
}

/* Serializes and sends @frame, and unrefs it. */
static void
peer_send_frame (Peer * peer, GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes;

  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  if (bytes == NULL)
    fail ("could not serialize a frame: %s", error->message);
  peer_send_bytes (peer, bytes);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_unref (frame);
}

/* The acknowledgement opentok.js sends for every server MESSAGE that has a
 * TRANSACTION-ID: a STATUS without a STATUS header. */
static void
peer_ack (Peer * peer, GstOpenTokRumorFrame * message)
{
  const gchar *from = gst_opentok_rumor_frame_get_header (message,
      "X-TB-FROM-ADDRESS");
  GstOpenTokRumorFrame *frame;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  gst_opentok_rumor_frame_add_address (frame, from ? from : "");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
      gst_opentok_rumor_frame_get_header (message, "TRANSACTION-ID"));
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      peer->connection_id);
  peer_send_frame (peer, frame);
  peer->acks_sent++;
}

static void
peer_on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    Peer * peer)
{
  GstOpenTokRumorFrame *frame;
  Received *received;
  GError *error = NULL;

  fail_unless (type == SOUP_WEBSOCKET_DATA_BINARY,
      "%s: the server sent a text message", peer->name);
  frame = gst_opentok_rumor_frame_parse (message, 0, &error);
  if (frame == NULL)
    fail ("%s: the server sent a bad frame: %s", peer->name, error->message);

  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_PONG:
      peer->pongs++;
      peer->inbox_at_pong = peer->inbox.length;
      gst_opentok_rumor_frame_unref (frame);
      return;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      break;
    default:
      fail ("%s: the server sent a %s frame", peer->name,
          gst_opentok_rumor_type_to_string
          (gst_opentok_rumor_frame_get_message_type (frame)));
      break;
  }

  received = g_new0 (Received, 1);
  received->frame = frame;
  if (gst_opentok_rumor_frame_get_message_type (frame) ==
      GST_OPENTOK_RUMOR_TYPE_MESSAGE) {
    GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
    gsize size;
    const gchar *data = g_bytes_get_data (payload, &size);

    received->raptor = gst_opentok_raptor_message_parse (data, size, &error);
    if (received->raptor == NULL)
      fail ("%s: the server sent a bad Raptor message: %s", peer->name,
          error->message);
    /* no ack on a socket that is closing: the server drops it anyway */
    if (peer->auto_ack && gst_opentok_rumor_frame_get_header (frame,
            "TRANSACTION-ID") != NULL &&
        soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
      peer_ack (peer, frame);
  }
  g_queue_push_tail (&peer->inbox, received);
}

static void
peer_on_closed (SoupWebsocketConnection * ws, Peer * peer)
{
  peer->closed = TRUE;
  peer->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
peer_on_open (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Peer *peer = user_data;
  GError *error = NULL;

  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  if (peer->ws == NULL) {
    peer->open_error = g_strdup (error->message);
    g_error_free (error);
  } else {
    g_signal_connect (peer->ws, "message", G_CALLBACK (peer_on_message), peer);
    g_signal_connect (peer->ws, "closed", G_CALLBACK (peer_on_closed), peer);
  }
  peer->open_done = TRUE;
}

static gboolean
peer_is_closed (gpointer data)
{
  return ((Peer *) data)->closed;
}

/* Waits for the server to close the socket; returns the close code. */
static gushort
peer_wait_closed (Peer * peer)
{
  fail_unless (fixture_wait (peer->f->context, peer_is_closed, peer, WAIT_MS),
      "%s: the socket was not closed", peer->name);
  return peer->close_code;
}

static void
peer_forget_socket (Peer * peer)
{
  if (peer->ws == NULL)
    return;
  if (soup_websocket_connection_get_state (peer->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
  if (soup_websocket_connection_get_state (peer->ws) !=
      SOUP_WEBSOCKET_STATE_CLOSED)
    peer_wait_closed (peer);
  g_signal_handlers_disconnect_by_data (peer->ws, peer);
  g_clear_object (&peer->ws);
}

static Peer *
peer_new (Fixture * f, const gchar * name, GstOpenTokRole role,
    const gchar * data, gboolean reconnection)
{
  Peer *peer = g_new0 (Peer, 1);
  GError *error = NULL;

  peer->f = f;
  peer->name = g_strdup (name);
  peer->connection_id = g_uuid_string_random ();
  peer->socket_id = reconnection ? g_uuid_string_random () : NULL;
  peer->session_id = g_strdup (f->srv->session_id);
  peer->token =
      gst_opentok_server_generate_token (f->srv->server, f->srv->session_id,
      role, data, &error);
  if (peer->token == NULL)
    fail ("no token: %s", error->message);
  peer->auto_ack = TRUE;
  g_queue_init (&peer->inbox);
  f->peers = g_list_append (f->peers, peer);
  return peer;
}

static void
peer_free (Peer * peer)
{
  peer_forget_socket (peer);
  g_queue_clear_full (&peer->inbox, (GDestroyNotify) received_free);
  g_free (peer->open_error);
  g_free (peer->messaging_url);
  g_free (peer->token);
  g_free (peer->session_id);
  g_free (peer->socket_id);
  g_free (peer->connection_id);
  g_free (peer->name);
  g_free (peer);
}

/* Opens the Rumor WebSocket: messaging_url?socketId=S&attempt=A, with
 * &reconnect=true when @reconnect. */
static void
peer_open (Peer * peer, gboolean reconnect)
{
  const gchar *base = peer->messaging_url ? peer->messaging_url :
      peer->f->ws_url;
  gchar *attempt = g_uuid_string_random ();
  SoupMessage *msg;
  gchar *uri;

  if (peer->socket_id != NULL)
    uri = g_strdup_printf ("%s?socketId=%s%s&attempt=%s", base,
        peer->socket_id, reconnect ? "&reconnect=true" : "", attempt);
  else
    uri = g_strdup (base);
  g_free (attempt);

  peer_forget_socket (peer);
  peer->closed = FALSE;
  peer->close_code = 0;
  peer->open_done = FALSE;
  g_clear_pointer (&peer->open_error, g_free);

  msg = soup_message_new (SOUP_METHOD_GET, uri);
  fail_unless (msg != NULL, "bad WebSocket URL %s", uri);
  soup_session_websocket_connect_async (peer->f->http, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, peer_on_open, peer);
  g_object_unref (msg);
  fail_unless (fixture_wait_flag (peer->f->context, &peer->open_done, WAIT_MS),
      "%s: the WebSocket to %s did not open", peer->name, uri);
  fail_unless (peer->ws != NULL, "%s: the WebSocket to %s failed: %s",
      peer->name, uri, peer->open_error);
  g_free (uri);
}

/* Closes the socket abruptly, as a lost network does: no DISCONNECT, no
 * close frame. */
static void
peer_drop (Peer * peer)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (peer->ws);
  GIOStream *base = NULL;
  GError *error = NULL;
  GSocket *socket;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream),
          "base-iostream") != NULL)
    g_object_get (stream, "base-iostream", &base, NULL);
  else
    base = g_object_ref (stream);
  fail_unless (G_IS_SOCKET_CONNECTION (base),
      "cannot reach the TCP socket under the WebSocket");
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (base));
  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    fail ("shutdown: %s", error->message);
  g_object_unref (base);
  peer_wait_closed (peer);
}

typedef gboolean (*Matcher) (Received * received, gconstpointer arg);

/* Removes and returns the oldest received frame that @matcher accepts. */
static Received *
peer_take (Peer * peer, Matcher matcher, gconstpointer arg)
{
  GList *l;

  for (l = peer->inbox.head; l != NULL; l = l->next) {
    Received *received = l->data;

    if (matcher (received, arg)) {
      g_queue_delete_link (&peer->inbox, l);
      return received;
    }
  }
  return NULL;
}

static guint
peer_count (Peer * peer, Matcher matcher, gconstpointer arg)
{
  GList *l;
  guint count = 0;

  for (l = peer->inbox.head; l != NULL; l = l->next) {
    if (matcher (l->data, arg))
      count++;
  }
  return count;
}

typedef struct
{
  Peer *peer;
  Matcher matcher;
  gconstpointer arg;
  Received *found;
} Search;

static gboolean
search_step (gpointer data)
{
  Search *search = data;

  if (search->found == NULL)
    search->found = peer_take (search->peer, search->matcher, search->arg);
  return search->found != NULL || search->peer->closed;
}

/* Waits for a frame that @matcher accepts; fails after the deadline or
 * when the socket closes first. */
static Received *
peer_wait (Peer * peer, Matcher matcher, gconstpointer arg, const gchar * what)
{
  Search search = { peer, matcher, arg, NULL };

  fixture_wait (peer->f->context, search_step, &search, WAIT_MS);
  if (search.found == NULL && peer->closed)
    fail ("%s: the socket closed (code %u) while waiting for %s", peer->name,
        peer->close_code, what);
  fail_unless (search.found != NULL, "%s: timed out waiting for %s",
      peer->name, what);
  return search.found;
}

static gboolean
match_status (Received * received, gconstpointer arg)
{
  return gst_opentok_rumor_frame_get_message_type (received->frame) ==
      GST_OPENTOK_RUMOR_TYPE_STATUS &&
      g_strcmp0 (received_header (received, "TRANSACTION-ID"), arg) == 0;
}

/* A relayed signal whose data is @arg. */
static gboolean
match_signal (Received * received, gconstpointer arg)
{
  return received->raptor != NULL &&
      g_strcmp0 (gst_opentok_raptor_message_get_method (received->raptor),
      "signal") == 0 &&
      g_strcmp0 (received_content_string (received, "data"), arg) == 0;
}

static gboolean
match_any_signal (Received * received, gconstpointer arg)
{
  return received->raptor != NULL &&
      g_strcmp0 (gst_opentok_raptor_message_get_method (received->raptor),
      "signal") == 0;
}

typedef struct
{
  const gchar *method;          /* "created", "deleted" */
  const gchar *connection_id;   /* NULL: any */
} EventMatch;

static gboolean
match_connection_event (Received * received, gconstpointer arg)
{
  const EventMatch *match = arg;

  return received->raptor != NULL &&
      g_strcmp0 (gst_opentok_raptor_message_get_resource (received->raptor),
      "connection") == 0 &&
      (match->method == NULL ||
      g_strcmp0 (gst_opentok_raptor_message_get_method (received->raptor),
          match->method) == 0) &&
      (match->connection_id == NULL ||
      g_strcmp0 (gst_opentok_raptor_message_get_param (received->raptor,
              "connection"), match->connection_id) == 0);
}

static guint
peer_count_connection_events (Peer * peer)
{
  EventMatch match = { NULL, NULL };

  return peer_count (peer, match_connection_event, &match);
}

/* Waits for connection#@method about @connection_id and checks its form;
 * returns it. */
static Received *
peer_wait_connection_event (Peer * peer, const gchar * method,
    const gchar * connection_id)
{
  EventMatch match = { method, connection_id };
  Received *received;
  gchar *what, *uri;

  what = g_strdup_printf ("connection#%s of %s", method, connection_id);
  received = peer_wait (peer, match_connection_event, &match, what);
  g_free (what);

  uri = g_strdup_printf ("%s/connection/%s", peer->f->topic, connection_id);
  fail_unless_equals_string (gst_opentok_raptor_message_get_uri
      (received->raptor), uri);
  g_free (uri);
  fail_unless_equals_string (received_header (received, "X-TB-FROM-ADDRESS"),
      SYMPHONY);
  fail_unless (received_header (received, "TRANSACTION-ID") != NULL);
  return received;
}

/* Waits for connection#deleted of @connection_id and checks its reason. */
static void
peer_expect_deleted (Peer * peer, const gchar * connection_id,
    const gchar * reason)
{
  Received *received = peer_wait_connection_event (peer, "deleted",
      connection_id);

  fail_unless_equals_string (gst_opentok_raptor_message_get_reason
      (received->raptor), reason);
  received_free (received);
}

/* Waits for the relayed signal with @data and checks who it is from;
 * returns it. */
static Received *
peer_wait_signal (Peer * peer, const gchar * data, const gchar * from)
{
  gchar *what = g_strdup_printf ("the signal \"%.40s\"", data);
  Received *received;
  const gchar *sender;

  received = peer_wait (peer, match_signal, data, what);
  g_free (what);
  sender = received_header (received, "X-TB-FROM-ADDRESS");
  fail_unless (sender != NULL, "%s: signal without X-TB-FROM-ADDRESS",
      peer->name);
  fail_unless_equals_string (sender, from);
  fail_unless (received_header (received, "TRANSACTION-ID") != NULL,
      "%s: signal without TRANSACTION-ID", peer->name);
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (received->raptor), "signal");
  return received;
}

static void
peer_expect_signal (Peer * peer, const gchar * data, const gchar * from)
{
  received_free (peer_wait_signal (peer, data, from));
}

static guint
peer_count_signals (Peer * peer, const gchar * data)
{
  return peer_count (peer, match_signal, data);
}

/* Sends a Raptor request with a given TRANSACTION-ID. */
static void
peer_request_with_id (Peer * peer, const gchar * transaction_id,
    const gchar * address, const gchar * payload, const gchar * token)
{
  GstOpenTokRumorFrame *frame;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, address);
  if (token != NULL)
    gst_opentok_rumor_frame_set_header (frame, "X-TB-TOKEN-AUTH", token);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      peer->connection_id);
  gst_opentok_rumor_frame_take_payload_string (frame, g_strdup (payload));
  peer_send_frame (peer, frame);
}

/* Sends a Raptor request; returns its new TRANSACTION-ID. */
static gchar *
peer_request (Peer * peer, const gchar * address, const gchar * payload,
    const gchar * token)
{
  gchar *transaction_id = g_uuid_string_random ();

  peer_request_with_id (peer, transaction_id, address, payload, token);
  return transaction_id;
}

static gchar *
raptor_text (const gchar * method, const gchar * uri, const gchar * content)
{
  return g_strdup_printf ("{\"method\":\"%s\",\"uri\":\"%s\",\"content\":%s}",
      method, uri, content);
}

/* The Raptor text of a signal to @to (NULL: the session) with @content. */
static gchar *
signal_text (Peer * peer, const gchar * to, const gchar * content)
{
  gchar *id = g_uuid_string_random ();
  gchar *uri, *text;

  if (to != NULL)
    uri = g_strdup_printf ("/v2/partner/%s/session/%s/connection/%s/signal/%s",
        API_KEY, peer->session_id, to, id);
  else
    uri = g_strdup_printf ("/v2/partner/%s/session/%s/signal/%s", API_KEY,
        peer->session_id, id);
  text = raptor_text ("signal", uri, content);
  g_free (uri);
  g_free (id);
  return text;
}

/* Sends a signal with raw JSON @content; returns the TRANSACTION-ID. */
static gchar *
peer_signal_raw (Peer * peer, const gchar * to, const gchar * content)
{
  gchar *text = signal_text (peer, to, content);
  gchar *transaction_id;

  transaction_id = peer_request (peer, SYMPHONY, text, NULL);
  g_free (text);
  return transaction_id;
}

static gchar *
peer_signal (Peer * peer, const gchar * to, const gchar * type,
    const gchar * data)
{
  gchar *content = signal_content (type, data);
  gchar *transaction_id;

  transaction_id = peer_signal_raw (peer, to, content);
  g_free (content);
  return transaction_id;
}

/* Waits for the STATUS answering @transaction_id and checks its form: code
 * @expected, from the symphony address, and a body that is empty or JSON,
 * with a non-empty "reason" for errors. Returns the body (or NULL). */
static gchar *
peer_expect_status (Peer * peer, const gchar * transaction_id, guint expected)
{
  gchar *what = g_strdup_printf ("the STATUS of request %s", transaction_id);
  Received *received;
  GBytes *payload;
  gchar *body = NULL;
  gsize size;
  const gchar *data;

  received = peer_wait (peer, match_status, transaction_id, what);
  g_free (what);
  fail_unless_equals_int (received_status (received), expected);
  fail_unless_equals_string (received_header (received, "X-TB-FROM-ADDRESS"),
      SYMPHONY);

  payload = gst_opentok_rumor_frame_get_payload (received->frame);
  data = g_bytes_get_data (payload, &size);
  if (size > 0) {
    JsonNode *root;

    body = g_strndup (data, size);
    root = fixture_json_parse (body);
    if (expected >= 300) {
      fail_unless (JSON_NODE_HOLDS_OBJECT (root), "error body %s", body);
      fail_unless (*fixture_json_get_string (json_node_get_object (root),
              "reason") != '\0');
    }
    json_node_unref (root);
  } else {
    fail_if (expected >= 300, "error STATUS %u without a reason", expected);
  }
  received_free (received);
  return body;
}

static void
peer_check_status (Peer * peer, const gchar * transaction_id, guint expected)
{
  g_free (peer_expect_status (peer, transaction_id, expected));
}

/* Sends a signal and checks the status of the answer. */
static void
peer_signal_expect (Peer * peer, const gchar * to, const gchar * type,
    const gchar * data, guint expected)
{
  gchar *transaction_id = peer_signal (peer, to, type, data);

  peer_check_status (peer, transaction_id, expected);
  g_free (transaction_id);
}

static void
peer_signal_raw_expect (Peer * peer, const gchar * to, const gchar * content,
    guint expected)
{
  gchar *transaction_id = peer_signal_raw (peer, to, content);

  peer_check_status (peer, transaction_id, expected);
  g_free (transaction_id);
}

static void
peer_send_connect (Peer * peer)
{
  GstOpenTokRumorFrame *frame;
  gchar *transaction_id = g_uuid_string_random ();

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_CONNECT);
  gst_opentok_rumor_frame_set_header (frame, "uniqueId", peer->connection_id);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "notifyDisconnectAddress",
      SYMPHONY);
  peer_send_frame (peer, frame);
  g_free (transaction_id);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE);
  gst_opentok_rumor_frame_add_address (frame, peer->f->topic);
  peer_send_frame (peer, frame);
}

/* The connection create request; returns its TRANSACTION-ID. */
static gchar *
peer_send_create (Peer * peer, const gchar * token)
{
  gchar *uri, *text, *transaction_id;

  uri = g_strdup_printf ("/v2/partner/%s/session/%s/connection/%s", API_KEY,
      peer->session_id, peer->connection_id);
  text = raptor_text ("create", uri, "{\"userAgent\":\"gst-check\","
      "\"clientVersion\":\"js-2.35.2\",\"capabilities\":[\"forceMute\"]}");
  transaction_id = peer_request (peer, SYMPHONY, text, token);
  g_free (text);
  g_free (uri);
  return transaction_id;
}

static void
peer_send_disconnect (Peer * peer, const gchar * reconnect)
{
  GstOpenTokRumorFrame *frame;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_DISCONNECT);
  gst_opentok_rumor_frame_set_header (frame, "reconnect", reconnect);
  peer_send_frame (peer, frame);
}

static void
peer_send_ping (Peer * peer)
{
  peer_send_frame (peer,
      gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_PING));
}

typedef struct
{
  Peer *peer;
  guint pongs;
} PongWait;

static gboolean
pong_arrived (gpointer data)
{
  PongWait *wait = data;

  return wait->peer->pongs > wait->pongs;
}

/* A PING/PONG round trip: once it is back, the server has read everything
 * this peer sent before (acks included). */
static void
peer_sync (Peer * peer)
{
  PongWait wait = { peer, peer->pongs };

  peer_send_ping (peer);
  fail_unless (fixture_wait (peer->f->context, pong_arrived, &wait, WAIT_MS),
      "%s: no PONG", peer->name);
}

/* Fetches the session info as opentok.js does and keeps messaging_url. */
static void
peer_fetch_session_info (Peer * peer)
{
  SoupMessage *msg;
  JsonObject *info;
  JsonNode *root;
  gchar *body = NULL;

  msg = get_session_info (peer->f, peer->session_id, peer->token,
      peer->connection_id, &body);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  root = fixture_json_parse (body);
  info = fixture_json_first_object (root);
  fail_if (json_object_has_member (info, "error") &&
      !json_node_is_null (json_object_get_member (info, "error")),
      "%s: session info error: %s", peer->name, body);
  g_free (peer->messaging_url);
  peer->messaging_url =
      g_strdup (fixture_json_get_string (info, "messaging_url"));
  json_node_unref (root);
  g_free (body);
  g_object_unref (msg);
}

/* The whole connect of opentok.js (protocol 1.3): session info, WebSocket,
 * CONNECT, SUBSCRIBE, connection create; waits for the STATUS 200 and the
 * own connection#created. Returns the session state. */
static JsonNode *
peer_join (Peer * peer)
{
  gchar *transaction_id, *state;
  Received *created;
  JsonNode *root;

  peer_fetch_session_info (peer);
  peer_open (peer, FALSE);
  peer_send_connect (peer);
  transaction_id = peer_send_create (peer, peer->token);
  state = peer_expect_status (peer, transaction_id, 200);
  fail_unless (state != NULL, "%s: the join STATUS has no session state",
      peer->name);
  root = fixture_json_parse (state);
  fail_unless (JSON_NODE_HOLDS_OBJECT (root), "state %s", state);

  created = peer_wait_connection_event (peer, "created", peer->connection_id);
  fail_unless_equals_string (fixture_json_get_string
      (gst_opentok_raptor_message_get_content (created->raptor), "id"),
      peer->connection_id);
  received_free (created);
  peer->joined = TRUE;

  g_free (state);
  g_free (transaction_id);
  return root;
}

/* A member that has joined; the members already there have seen it. */
static Peer *
join (Fixture * f, const gchar * name, GstOpenTokRole role,
    const gchar * data, gboolean reconnection)
{
  Peer *peer = peer_new (f, name, role, data, reconnection);
  GList *l;

  json_node_unref (peer_join (peer));
  for (l = f->peers; l != NULL; l = l->next) {
    Peer *other = l->data;

    if (other != peer && other->joined && !other->closed)
      received_free (peer_wait_connection_event (other, "created",
              peer->connection_id));
  }
  return peer;
}

/* A socket that only sent CONNECT. */
static Peer *
raw_socket (Fixture * f, const gchar * name)
{
  Peer *peer = peer_new (f, name, GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);

  peer_open (peer, FALSE);
  peer_send_connect (peer);
  return peer;
}

/* The voluntary leave of opentok.js: DISCONNECT reconnect "", close 1000. */
static void
peer_leave (Peer * peer)
{
  peer_send_disconnect (peer, "");
  peer_forget_socket (peer);
  peer->joined = FALSE;
}

/* Sends the broadcast @data until the server accepts it instead of refusing
 * it for its rate (429), asking again every 50 ms; fails when it never
 * does. */
static void
peer_signal_until_accepted (Peer * peer, const gchar * data)
{
  guint attempts;

  for (attempts = 0; attempts < WAIT_MS / 50; attempts++) {
    gchar *transaction_id = peer_signal (peer, NULL, "chat", data);
    gchar *what = g_strdup_printf ("the STATUS of request %s",
        transaction_id);
    Received *received = peer_wait (peer, match_status, transaction_id, what);
    guint status = received_status (received);

    received_free (received);
    g_free (what);
    g_free (transaction_id);
    if (status == 200)
      return;
    fail_unless_equals_int (status, 429);
    run_for (peer->f, 50);
  }
  fail ("%s: the signal was never accepted", peer->name);
}

/* A broadcast by @peer that must reach @peer itself: proves the server still
 * serves it. */
static void
peer_round_trip (Peer * peer, const gchar * data)
{
  peer_signal_expect (peer, NULL, "ping", data, 200);
  peer_expect_signal (peer, data, peer->connection_id);
}

/* The session state's connection entry for @id. */
static JsonObject *
state_find_connection (JsonNode * state, const gchar * id)
{
  JsonArray *connections = fixture_json_get_array (json_node_get_object (state),
      "connection");
  guint i;

  for (i = 0; i < json_array_get_length (connections); i++) {
    JsonNode *node = json_array_get_element (connections, i);

    fail_unless (JSON_NODE_HOLDS_OBJECT (node));
    if (g_strcmp0 (fixture_json_get_string (json_node_get_object (node), "id"),
            id) == 0)
      return json_node_get_object (node);
  }
  fail ("connection %s not in the session state", id);
  return NULL;
}

static void
check_permissions (JsonObject * connection, const gchar * expected)
{
  gchar *permissions =
      fixture_json_join_strings (fixture_json_get_array (connection,
          "permissions"));

  fail_unless_equals_string (permissions, expected);
  g_free (permissions);
}

/* ------------------------------------------------------------------------ */
/* Session info                                                             */

GST_START_TEST (test_session_info_with_valid_token_points_at_the_server)
{
  Fixture *f = fixture_new (NULL);
  gchar *token, *body = NULL, *connection_id = g_uuid_string_random ();
  JsonObject *info, *properties;
  JsonNode *root, *partner;
  SoupMessage *msg;

  token = gst_opentok_server_generate_token (f->srv->server, f->srv->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, "name=Alice", NULL);
  fail_unless (token != NULL);
  msg = get_session_info (f, f->srv->session_id, token, connection_id, &body);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  root = fixture_json_parse (body);
  info = fixture_json_first_object (root);

  fail_if (json_object_has_member (info, "error") &&
      !json_node_is_null (json_object_get_member (info, "error")));
  fail_unless_equals_string (fixture_json_get_string (info, "messaging_url"),
      f->ws_url);
  partner = json_object_get_member (info, "partner_id");
  fail_unless (partner != NULL && JSON_NODE_HOLDS_VALUE (partner) &&
      json_node_get_value_type (partner) == G_TYPE_STRING,
      "partner_id must be a JSON string");
  fail_unless_equals_string (json_node_get_string (partner), API_KEY);
  fail_unless_equals_string (fixture_json_get_string (info, "symphony_address"),
      SYMPHONY);
  fail_unless (g_str_has_prefix (SYMPHONY, "symphony."));
  fail_unless_equals_string (fixture_json_get_string (info, "session_id"),
      f->srv->session_id);
  fail_unless_equals_int (json_array_get_length (fixture_json_get_array (info,
              "ice_servers")), 0);
  properties = fixture_json_get_object (info, "properties");
  fail_unless (json_object_get_boolean_member_with_default (properties,
          "reconnection", FALSE), "reconnection must be enabled");

  json_node_unref (root);
  g_object_unref (msg);
  g_free (body);
  g_free (token);
  g_free (connection_id);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_session_info_with_bad_token_is_error_403)
{
  Fixture *f = fixture_new (NULL);
  gchar *other_session = gst_opentok_server_create_session (f->srv->server);
  const gchar *connection_id = "4c1b6f0e-3a52-4d8e-9f17-2b6a0c9d8e71";
  gchar *wrong_secret, *wrong_session, *path, *body = NULL;
  SoupMessage *msg;

  /* signed with another secret */
  wrong_secret = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT,
      API_KEY, "not-the-secret", f->srv->session_id, GST_OPENTOK_ROLE_PUBLISHER,
      0, NULL, NULL);
  fail_unless (wrong_secret != NULL);
  msg =
      get_session_info (f, f->srv->session_id, wrong_secret, connection_id,
      &body);
  check_session_info_error (msg, body, 403);
  g_object_unref (msg);
  g_free (body);

  /* not a token at all */
  msg = get_session_info (f, f->srv->session_id, "T1==garbage", connection_id,
      &body);
  check_session_info_error (msg, body, 403);
  g_object_unref (msg);
  g_free (body);

  /* a good token for another session */
  wrong_session =
      gst_opentok_server_generate_token (f->srv->server, other_session,
      GST_OPENTOK_ROLE_PUBLISHER, NULL, NULL);
  msg =
      get_session_info (f, f->srv->session_id, wrong_session, connection_id,
      &body);
  check_session_info_error (msg, body, 403);
  g_object_unref (msg);
  g_free (body);

  /* no token at all, or an empty one */
  path = g_strdup_printf ("/session/%s?extended=true", f->srv->session_id);
  msg = http_request (f, SOUP_METHOD_GET, path, NULL, NULL, &body, NULL);
  check_session_info_error (msg, body, 403);
  g_object_unref (msg);
  g_free (body);
  g_free (path);
  msg = get_session_info (f, f->srv->session_id, "", connection_id, &body);
  check_session_info_error (msg, body, 403);
  g_object_unref (msg);
  g_free (body);

  g_free (wrong_session);
  g_free (wrong_secret);
  g_free (other_session);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_session_info_for_unknown_session_is_error_404)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  const gchar *connection_id = "c0ffee00-0000-4000-8000-000000000001";
  gchar *token, *body = NULL;
  GError *error = NULL;
  SoupMessage *msg;

  token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      API_SECRET, unknown, GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, &error);
  if (token == NULL)
    fail ("mint: %s", error->message);
  msg = get_session_info (f, unknown, token, connection_id, &body);
  check_session_info_error (msg, body, 404);

  g_object_unref (msg);
  g_free (body);
  g_free (token);
  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_cors_headers_and_preflight)
{
  Fixture *f = fixture_new (NULL);
  gchar *token, *body = NULL, *path;
  SoupMessageHeaders *headers;
  SoupMessage *msg;
  const gchar *value;

  token = gst_opentok_server_generate_token (f->srv->server, f->srv->session_id,
      GST_OPENTOK_ROLE_PUBLISHER, NULL, NULL);
  path = g_strdup_printf ("/session/%s?extended=true", f->srv->session_id);

  /* the actual request carries Access-Control-Allow-Origin */
  msg = http_request (f, SOUP_METHOD_GET, path, NULL, NULL, &body,
      "Origin", "http://localhost:8000", "X-OPENTOK-AUTH", token, NULL);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  value = soup_message_headers_get_one (soup_message_get_response_headers
      (msg), "Access-Control-Allow-Origin");
  fail_unless (value != NULL, "no Access-Control-Allow-Origin");
  fail_unless (g_str_equal (value, "*") ||
      g_str_equal (value, "http://localhost:8000"), "ACAO %s", value);
  g_object_unref (msg);
  g_free (body);

  /* the answer to an error carries it too */
  msg = http_request (f, SOUP_METHOD_GET, path, NULL, NULL, &body,
      "Origin", "http://localhost:8000", "X-OPENTOK-AUTH", "bad", NULL);
  fail_unless (soup_message_headers_get_one (soup_message_get_response_headers
          (msg), "Access-Control-Allow-Origin") != NULL);
  g_object_unref (msg);
  g_free (body);

  /* preflight */
  msg = http_request (f, SOUP_METHOD_OPTIONS, path, NULL, NULL, &body,
      "Origin", "http://localhost:8000",
      "Access-Control-Request-Method", "GET",
      "Access-Control-Request-Headers",
      "x-opentok-auth,x-tb-version,x-tb-client-version,x-tb-connectionid",
      NULL);
  /* 200 and not 204: libsoup 3.2 drops the connection after a 204 */
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  headers = soup_message_get_response_headers (msg);
  value = soup_message_headers_get_one (headers, "Access-Control-Allow-Origin");
  fail_unless (value != NULL && (g_str_equal (value, "*") ||
          g_str_equal (value, "http://localhost:8000")));
  value = soup_message_headers_get_one (headers,
      "Access-Control-Allow-Methods");
  fail_unless (value != NULL, "no Access-Control-Allow-Methods");
  fail_unless (strstr (value, "GET") && strstr (value, "POST") &&
      strstr (value, "DELETE") && strstr (value, "OPTIONS"), "methods %s",
      value);
  value = soup_message_headers_get_one (headers,
      "Access-Control-Allow-Headers");
  fail_unless (value != NULL, "no Access-Control-Allow-Headers");
  fail_unless (strstr (value, "x-opentok-auth") != NULL &&
      strstr (value, "x-tb-connectionid") != NULL, "headers %s", value);
  g_object_unref (msg);
  g_free (body);

  /* a preflight for the REST API */
  msg = http_request (f, SOUP_METHOD_OPTIONS, "/session/create", NULL, NULL,
      &body, "Origin", "http://localhost:8000",
      "Access-Control-Request-Method", "POST", NULL);
  fail_unless (SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)));
  value = soup_message_headers_get_one (soup_message_get_response_headers
      (msg), "Access-Control-Allow-Headers");
  fail_unless (value != NULL && strstr (value, "Content-Type") != NULL,
      "default allowed headers %s", value);
  g_object_unref (msg);
  g_free (body);

  g_free (path);
  g_free (token);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Join                                                                     */

GST_START_TEST (test_join_replies_200_with_the_session_state)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice = peer_new (f, "alice", GST_OPENTOK_ROLE_PUBLISHER,
      "name=Alice", TRUE);
  JsonObject *object, *connection;
  JsonNode *state;
  gint64 before = g_get_real_time () / 1000;

  state = peer_join (alice);
  object = json_node_get_object (state);
  fail_unless_equals_int (json_array_get_length (fixture_json_get_array (object,
              "stream")), 0);
  fail_unless (json_object_has_member (object, "archive") ||
      json_object_has_member (object, "archives"));
  if (json_object_has_member (object, "archive"))
    fixture_json_get_array (object, "archive");
  else
    fixture_json_get_array (object, "archives");
  fail_unless_equals_int (json_array_get_length (fixture_json_get_array (object,
              "connection")), 1);

  connection = state_find_connection (state, alice->connection_id);
  fail_unless_equals_string (fixture_json_get_string (connection, "data"),
      "name=Alice");
  fail_unless (fixture_json_get_int (connection,
          "creationTime") >= before - 1000
      && fixture_json_get_int (connection,
          "creationTime") <= g_get_real_time () / 1000 + 1000,
      "creationTime must be in ms since the epoch");
  check_permissions (connection, "publish,subscribe");

  json_node_unref (state);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_join_with_legacy_t1_token)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;
  JsonNode *state;
  GError *error = NULL;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = peer_new (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  g_free (bob->token);
  bob->token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_T1, API_KEY,
      API_SECRET, f->srv->session_id, GST_OPENTOK_ROLE_MODERATOR, 0, "name=Bob",
      &error);
  if (bob->token == NULL)
    fail ("mint: %s", error->message);
  fail_unless (g_str_has_prefix (bob->token, "T1=="));

  state = peer_join (bob);
  fail_unless_equals_string (fixture_json_get_string (state_find_connection
          (state, bob->connection_id), "data"), "name=Bob");
  check_permissions (state_find_connection (state, bob->connection_id),
      "publish,subscribe,forceunpublish,forcedisconnect,forcemute");
  received_free (peer_wait_connection_event (alice, "created",
          bob->connection_id));
  peer_round_trip (bob, "t1 works");
  peer_expect_signal (alice, "t1 works", bob->connection_id);

  json_node_unref (state);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_join_is_announced_to_every_member_with_its_data)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;
  Received *created;
  JsonObject *content, *connection;
  JsonNode *state;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, "name=Alice", TRUE);
  bob = peer_new (f, "bob", GST_OPENTOK_ROLE_SUBSCRIBER, "name=Bob", TRUE);
  state = peer_join (bob);

  /* alice hears of bob, with his data */
  created = peer_wait_connection_event (alice, "created", bob->connection_id);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_addresses
      (created->frame), 1);
  fail_unless_equals_string (gst_opentok_rumor_frame_get_address
      (created->frame, 0), f->topic);
  content = gst_opentok_raptor_message_get_content (created->raptor);
  fail_unless_equals_string (fixture_json_get_string (content, "id"),
      bob->connection_id);
  fail_unless_equals_string (fixture_json_get_string (content, "data"),
      "name=Bob");
  fail_unless (fixture_json_get_int (content, "creationTime") > 0);
  check_permissions (content, "subscribe");
  received_free (created);

  /* bob's state lists alice first, with her data */
  connection = state_find_connection (state, alice->connection_id);
  fail_unless_equals_string (fixture_json_get_string (connection, "data"),
      "name=Alice");
  fail_unless_equals_int (json_array_get_length (fixture_json_get_array
          (json_node_get_object (state), "connection")), 2);
  fail_unless_equals_string (fixture_json_get_string
      (json_array_get_object_element (fixture_json_get_array
              (json_node_get_object (state), "connection"), 0), "id"),
      alice->connection_id);

  json_node_unref (state);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_join_lists_permissions_per_role)
{
  Fixture *f = fixture_new (NULL);
  Peer *subscriber, *publisher, *publisher_only, *moderator;
  JsonNode *state;

  subscriber = join (f, "subscriber", GST_OPENTOK_ROLE_SUBSCRIBER, NULL, TRUE);
  publisher = join (f, "publisher", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  publisher_only = join (f, "publisheronly", GST_OPENTOK_ROLE_PUBLISHER_ONLY,
      NULL, TRUE);
  moderator = peer_new (f, "moderator", GST_OPENTOK_ROLE_MODERATOR, NULL, TRUE);
  state = peer_join (moderator);

  check_permissions (state_find_connection (state, subscriber->connection_id),
      "subscribe");
  check_permissions (state_find_connection (state, publisher->connection_id),
      "publish,subscribe");
  check_permissions (state_find_connection (state,
          publisher_only->connection_id), "publish");
  check_permissions (state_find_connection (state, moderator->connection_id),
      "publish,subscribe,forceunpublish,forcedisconnect,forcemute");
  /* and without connection data, data is an empty string */
  fail_unless_equals_string (fixture_json_get_string (state_find_connection
          (state, moderator->connection_id), "data"), "");

  json_node_unref (state);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_join_with_bad_token_or_unknown_session_is_refused)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  gchar *token, *transaction_id;
  Peer *alice, *mallory, *lost;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* a token signed with another secret: 403 */
  mallory = raw_socket (f, "mallory");
  token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      "not-the-secret", f->srv->session_id, GST_OPENTOK_ROLE_MODERATOR, 0, NULL,
      NULL);
  transaction_id = peer_send_create (mallory, token);
  peer_check_status (mallory, transaction_id, 403);
  g_free (transaction_id);
  g_free (token);

  /* no token: 403 */
  transaction_id = peer_send_create (mallory, NULL);
  peer_check_status (mallory, transaction_id, 403);
  g_free (transaction_id);

  /* a good token for a session the server never created: 404 */
  lost = peer_new (f, "lost", GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);
  g_free (lost->session_id);
  lost->session_id = g_strdup (unknown);
  g_free (lost->token);
  lost->token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      API_SECRET, unknown, GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, NULL);
  peer_open (lost, FALSE);
  peer_send_connect (lost);
  transaction_id = peer_send_create (lost, lost->token);
  peer_check_status (lost, transaction_id, 404);
  g_free (transaction_id);

  /* none of them joined: alice heard of nobody */
  peer_round_trip (alice, "after refusals");
  fail_unless_equals_int (peer_count_connection_events (alice), 0);

  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */

GST_START_TEST (test_broadcast_reaches_every_member_including_sender)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob, *carol;
  Received *copies[3];
  gchar *transaction_id;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_SUBSCRIBER, NULL, TRUE);
  carol = join (f, "carol", GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);

  transaction_id = peer_signal (alice, NULL, "chat", "hello everyone");
  peer_check_status (alice, transaction_id, 200);

  copies[0] = peer_wait_signal (alice, "hello everyone", alice->connection_id);
  copies[1] = peer_wait_signal (bob, "hello everyone", alice->connection_id);
  copies[2] = peer_wait_signal (carol, "hello everyone", alice->connection_id);
  for (i = 0; i < 3; i++) {
    fail_unless_equals_string (received_content_string (copies[i], "type"),
        "chat");
    /* each copy carries a server transaction id, never the client's */
    fail_if (g_strcmp0 (received_header (copies[i], "TRANSACTION-ID"),
            transaction_id) == 0);
    received_free (copies[i]);
  }

  /* a second one from bob also reaches everyone, bob included */
  peer_signal_expect (bob, NULL, "chat", "hi from bob", 200);
  peer_expect_signal (alice, "hi from bob", bob->connection_id);
  peer_expect_signal (bob, "hi from bob", bob->connection_id);
  peer_expect_signal (carol, "hi from bob", bob->connection_id);

  g_free (transaction_id);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_targeted_signal_reaches_only_its_target)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob, *carol;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  carol = join (f, "carol", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  peer_signal_expect (alice, bob->connection_id, "private", "for bob only",
      200);
  peer_expect_signal (bob, "for bob only", alice->connection_id);

  /* a broadcast after it: whoever got the private one had it before */
  peer_signal_expect (alice, NULL, NULL, "barrier", 200);
  peer_expect_signal (alice, "barrier", alice->connection_id);
  peer_expect_signal (bob, "barrier", alice->connection_id);
  peer_expect_signal (carol, "barrier", alice->connection_id);
  fail_unless_equals_int (peer_count_signals (alice, "for bob only"), 0);
  fail_unless_equals_int (peer_count_signals (carol, "for bob only"), 0);
  fail_unless_equals_int (peer_count_signals (bob, "for bob only"), 0);

  /* to oneself works too */
  peer_signal_expect (carol, carol->connection_id, NULL, "note to self", 200);
  peer_expect_signal (carol, "note to self", carol->connection_id);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_untyped_signal_and_type_with_dot_are_relayed)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;
  Received *received;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  peer_signal_expect (alice, NULL, NULL, "no type", 200);
  received = peer_wait_signal (bob, "no type", alice->connection_id);
  fail_unless (received_content_string (received, "type") == NULL ||
      *received_content_string (received, "type") == '\0',
      "an untyped signal came with a type");
  received_free (received);

  peer_signal_expect (alice, NULL, "chat.message-v1_x~y", "dotted", 200);
  received = peer_wait_signal (bob, "dotted", alice->connection_id);
  fail_unless_equals_string (received_content_string (received, "type"),
      "chat.message-v1_x~y");
  received_free (received);

  /* no data either: still a signal */
  peer_signal_raw_expect (alice, bob->connection_id, "{\"type\":\"bare\"}",
      200);
  peer_signal_expect (alice, bob->connection_id, NULL, "after bare", 200);
  peer_expect_signal (bob, "after bare", alice->connection_id);
  /* the one without data is there, with its type */
  received = peer_wait (bob, match_signal, NULL, "the signal without data");
  fail_unless_equals_string (received_content_string (received, "type"),
      "bare");
  received_free (received);
  /* the untyped one, with an empty content, is also relayed */
  peer_signal_raw_expect (alice, bob->connection_id, "{}", 200);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_size_limits_are_exact)
{
  Fixture *f = fixture_new (NULL);
  gchar *type128 = g_strnfill (128, 't');
  gchar *type129 = g_strnfill (129, 't');
  gchar *data8192 = g_strnfill (8192, 'd');
  gchar *data8193 = g_strnfill (8193, 'd');
  GString *multibyte = g_string_new (NULL);
  Peer *alice, *bob;
  Received *received;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  peer_signal_expect (alice, NULL, type128, "type of 128", 200);
  received = peer_wait_signal (bob, "type of 128", alice->connection_id);
  fail_unless_equals_string (received_content_string (received, "type"),
      type128);
  received_free (received);
  peer_signal_expect (alice, NULL, type129, "type of 129", 413);

  peer_signal_expect (alice, NULL, "big", data8192, 200);
  peer_expect_signal (bob, data8192, alice->connection_id);
  peer_signal_expect (alice, NULL, "big", data8193, 413);

  /* the limit is in bytes, not characters: 4096 two-byte characters pass,
   * one more byte does not */
  for (i = 0; i < 4096; i++)
    g_string_append (multibyte, "\xc3\xa9");
  peer_signal_expect (alice, NULL, "utf8", multibyte->str, 200);
  peer_expect_signal (bob, multibyte->str, alice->connection_id);
  g_string_append_c (multibyte, 'x');
  peer_signal_expect (alice, NULL, "utf8", multibyte->str, 413);

  /* the refused ones reached nobody */
  peer_round_trip (bob, "barrier");
  fail_unless_equals_int (peer_count_signals (bob, "type of 129"), 0);
  fail_unless_equals_int (peer_count_signals (bob, data8193), 0);
  fail_unless_equals_int (peer_count (bob, match_any_signal, NULL), 0);

  g_string_free (multibyte, TRUE);
  g_free (data8193);
  g_free (data8192);
  g_free (type129);
  g_free (type128);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_with_bad_type_characters_is_refused_with_400)
{
  Fixture *f = fixture_new (NULL);
  static const gchar *const bad[] = { "chat room", "a/b", "caf\xc3\xa9",
    "x:y", "tab\t", "quote\"", "new\nline"
  };
  Peer *alice, *bob;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    peer_signal_expect (alice, NULL, bad[i], "bad type", 400);

  peer_round_trip (bob, "barrier");
  fail_unless_equals_int (peer_count_signals (bob, "bad type"), 0);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_to_unknown_connection_is_refused_with_404)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);

  peer_signal_expect (alice, "2b7e1516-28ae-4d2a-abf7-158809cf4f3c", "chat",
      "to nobody", 404);

  /* a member that left is unknown too */
  peer_leave (bob);
  peer_expect_deleted (alice, bob->connection_id, "clientDisconnected");
  peer_signal_expect (alice, bob->connection_id, "chat", "to a leaver", 404);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_with_non_string_fields_is_refused_with_400)
{
  Fixture *f = fixture_new (NULL);
  static const gchar *const bad[] = {
    "{\"type\":\"chat\",\"data\":5}",
    "{\"type\":\"chat\",\"data\":{\"text\":\"hi\"}}",
    "{\"type\":\"chat\",\"data\":[\"hi\"]}",
    "{\"type\":\"chat\",\"data\":true}",
    "{\"type\":7,\"data\":\"hi\"}",
    "{\"type\":[\"chat\"],\"data\":\"hi\"}",
  };
  Peer *alice, *bob;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    peer_signal_raw_expect (alice, NULL, bad[i], 400);

  peer_round_trip (bob, "barrier");
  fail_unless_equals_int (peer_count (bob, match_any_signal, NULL), 0);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_request_with_garbage_json_is_refused_with_400)
{
  Fixture *f = fixture_new (NULL);
  static const gchar *const bad[] = {
    "{nope", "", "[]", "\"signal\"", "{\"method\":\"signal\"}",
    "{\"method\":\"signal\",\"uri\":\"not a uri\",\"content\":{}}",
    "{\"method\":\"signal\",\"uri\":5,\"content\":{}}",
  };
  Peer *alice;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *transaction_id = peer_request (alice, SYMPHONY, bad[i], NULL);

    peer_check_status (alice, transaction_id, 400);
    g_free (transaction_id);
  }
  /* the socket stays usable */
  peer_round_trip (alice, "still here");

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_request_not_addressed_to_symphony_is_refused_with_400)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;
  GstOpenTokRumorFrame *frame;
  gchar *text, *transaction_id;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* to the session topic */
  text = signal_text (alice, NULL, "{\"data\":\"misaddressed\"}");
  transaction_id = peer_request (alice, f->topic, text, NULL);
  peer_check_status (alice, transaction_id, 400);
  g_free (transaction_id);

  /* to bob directly */
  transaction_id = peer_request (alice, bob->connection_id, text, NULL);
  peer_check_status (alice, transaction_id, 400);
  g_free (transaction_id);

  /* to the symphony address and another one */
  transaction_id = g_uuid_string_random ();
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, SYMPHONY);
  gst_opentok_rumor_frame_add_address (frame, f->topic);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      alice->connection_id);
  gst_opentok_rumor_frame_take_payload_string (frame, g_strdup (text));
  peer_send_frame (alice, frame);
  peer_check_status (alice, transaction_id, 400);
  g_free (transaction_id);

  peer_round_trip (bob, "barrier");
  fail_unless_equals_int (peer_count_signals (bob, "misaddressed"), 0);

  g_free (text);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_request_before_joining_is_refused_with_403)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *eve;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  eve = raw_socket (f, "eve");

  peer_signal_expect (eve, NULL, "chat", "before joining", 403);
  peer_signal_expect (eve, alice->connection_id, "chat", "before joining", 403);

  peer_round_trip (alice, "barrier");
  fail_unless_equals_int (peer_count_signals (alice, "before joining"), 0);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_unsupported_request_is_refused_with_400)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice;
  gchar *uri, *text, *transaction_id;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* publishing a stream */
  uri = g_strdup_printf ("%s/stream/5e2f1d7a-9b3c-4e8f-a6d2-0c1b2a3f4e5d",
      f->topic);
  text = raptor_text ("create", uri, "{\"name\":\"camera\",\"channel\":[]}");
  transaction_id = peer_request (alice, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 400);
  g_free (transaction_id);
  g_free (text);

  /* an unknown method on a signal */
  text = raptor_text ("delete", uri, "{}");
  transaction_id = peer_request (alice, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 400);
  g_free (transaction_id);
  g_free (text);
  g_free (uri);

  peer_round_trip (alice, "still here");
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_signal_rate_limit_refuses_with_429_per_connection)
{
  Fixture *f = fixture_new ("signal-rate", 1.0, "signal-burst", 3, NULL);
  gchar *ids[4], *data;
  Peer *alice, *bob;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  for (i = 0; i < 4; i++) {
    data = g_strdup_printf ("burst %u", i);
    ids[i] = peer_signal (alice, NULL, "chat", data);
    g_free (data);
  }
  for (i = 0; i < 3; i++)
    peer_check_status (alice, ids[i], 200);
  peer_check_status (alice, ids[3], 429);
  /* the budget does not come back at once */
  peer_signal_expect (alice, NULL, "chat", "at once", 429);

  /* bob has his own budget */
  peer_signal_expect (bob, NULL, "chat", "bob is not limited", 200);
  peer_expect_signal (alice, "bob is not limited", bob->connection_id);
  peer_expect_signal (bob, "bob is not limited", bob->connection_id);
  for (i = 0; i < 3; i++) {
    data = g_strdup_printf ("burst %u", i);
    peer_expect_signal (bob, data, alice->connection_id);
    g_free (data);
  }
  fail_unless_equals_int (peer_count_signals (bob, "burst 3"), 0);

  /* it refills (one a second, which tests/bench/timings measures): asked
   * again and again, the server accepts one, and relays only that one;
   * bob's own signal comes to him after everything relayed before */
  peer_signal_until_accepted (alice, "a second later");
  peer_expect_signal (bob, "a second later", alice->connection_id);
  peer_round_trip (bob, "after the refill");
  fail_unless_equals_int (peer_count_signals (bob, "a second later"), 0);
  fail_unless_equals_int (peer_count_signals (bob, "at once"), 0);

  for (i = 0; i < 4; i++)
    g_free (ids[i]);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_duplicate_request_is_answered_twice_and_relayed_once)
{
  Fixture *f = fixture_new (NULL);
  gchar *text, *transaction_id;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  transaction_id = g_uuid_string_random ();
  text = signal_text (alice, NULL, "{\"type\":\"chat\",\"data\":\"once\"}");
  peer_request_with_id (alice, transaction_id, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 200);
  peer_request_with_id (alice, transaction_id, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 200);

  /* a refused request is refused again, the same way */
  g_free (text);
  g_free (transaction_id);
  transaction_id = g_uuid_string_random ();
  text = signal_text (alice, "0d9a3f4e-6b1c-4f7a-8e2d-5c4b3a291807",
      "{\"data\":\"nobody\"}");
  peer_request_with_id (alice, transaction_id, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 404);
  peer_request_with_id (alice, transaction_id, SYMPHONY, text, NULL);
  peer_check_status (alice, transaction_id, 404);

  peer_round_trip (alice, "barrier");
  peer_expect_signal (bob, "barrier", alice->connection_id);
  fail_unless_equals_int (peer_count_signals (bob, "once"), 1);
  fail_unless_equals_int (peer_count_signals (alice, "once"), 1);

  g_free (text);
  g_free (transaction_id);
  fixture_free (f);
}

GST_END_TEST;

/* A create re-sent (its reply lost) is answered with the session as it is
 * then, and joins nobody twice. */
GST_START_TEST (test_duplicate_create_gets_the_current_session)
{
  Fixture *f = fixture_new (NULL);
  gchar *transaction_id, *body, *uri, *text;
  JsonNode *state;
  Peer *alice, *bob;

  alice = peer_new (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  peer_fetch_session_info (alice);
  peer_open (alice, FALSE);
  peer_send_connect (alice);
  transaction_id = peer_send_create (alice, alice->token);
  g_free (peer_expect_status (alice, transaction_id, 200));
  received_free (peer_wait_connection_event (alice, "created",
          alice->connection_id));
  alice->joined = TRUE;

  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  uri = g_strdup_printf ("/v2/partner/%s/session/%s/connection/%s", API_KEY,
      alice->session_id, alice->connection_id);
  text = raptor_text ("create", uri, "{\"userAgent\":\"gst-check\","
      "\"clientVersion\":\"js-2.35.2\",\"capabilities\":[]}");
  peer_request_with_id (alice, transaction_id, SYMPHONY, text, alice->token);
  body = peer_expect_status (alice, transaction_id, 200);
  state = fixture_json_parse (body);
  /* bob joined after alice's first answer: he is in this one */
  state_find_connection (state, alice->connection_id);
  state_find_connection (state, bob->connection_id);

  peer_round_trip (alice, "barrier");
  peer_expect_signal (bob, "barrier", alice->connection_id);
  fail_unless_equals_int (peer_count_connection_events (bob), 0);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_connections"),
      2);

  json_node_unref (state);
  g_free (body);
  g_free (text);
  g_free (uri);
  g_free (transaction_id);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Acknowledgements and reconnection                                        */

GST_START_TEST (test_reconnect_resends_unacked_messages_only)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;
  Received *original, *again;
  gchar *first_id;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* bob gets one signal and does not acknowledge it */
  bob->auto_ack = FALSE;
  peer_signal_expect (alice, bob->connection_id, "chat", "unacked", 200);
  original = peer_wait_signal (bob, "unacked", alice->connection_id);
  first_id = g_strdup (received_header (original, "TRANSACTION-ID"));
  received_free (original);

  /* and one he acknowledges */
  bob->auto_ack = TRUE;
  peer_signal_expect (alice, bob->connection_id, "chat", "acked", 200);
  peer_expect_signal (bob, "acked", alice->connection_id);
  peer_sync (bob);

  peer_drop (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 1);
  g_queue_clear_full (&bob->inbox, (GDestroyNotify) received_free);
  peer_open (bob, TRUE);

  again = peer_wait_signal (bob, "unacked", alice->connection_id);
  fail_unless_equals_string (received_header (again, "TRANSACTION-ID"),
      first_id);
  received_free (again);

  peer_signal_expect (alice, bob->connection_id, "chat", "barrier", 200);
  peer_expect_signal (bob, "barrier", alice->connection_id);
  fail_unless_equals_int (peer_count_signals (bob, "acked"), 0);
  fail_unless_equals_int (peer_count_signals (bob, "unacked"), 0);

  /* now acked: a second reconnection brings nothing back */
  peer_sync (bob);
  peer_drop (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 1);
  peer_open (bob, TRUE);
  peer_signal_expect (alice, bob->connection_id, "chat", "barrier 2", 200);
  peer_expect_signal (bob, "barrier 2", alice->connection_id);
  fail_unless_equals_int (peer_count (bob, match_any_signal, NULL), 0);

  g_free (first_id);
  fixture_free (f);
}

GST_END_TEST;

/* The server keeps what is not acknowledged whatever the order of the
 * acks: in order, out of order, twice, or for messages it never sent. */
GST_START_TEST (test_acks_in_any_order_release_only_their_messages)
{
  Fixture *f = fixture_new (NULL);
  static const gchar *const order[] = { "two", "four", "one", "two" };
  static const gchar *const names[] = { "one", "two", "three", "four" };
  Received *received[G_N_ELEMENTS (names)];
  GstOpenTokRumorFrame *unknown;
  Peer *alice, *bob;
  guint i, j;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  peer_sync (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_pending_messages",
      0);

  bob->auto_ack = FALSE;
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    peer_signal_expect (alice, bob->connection_id, "chat", names[i], 200);
    received[i] = peer_wait_signal (bob, names[i], alice->connection_id);
  }
  fixture_server_wait_metric (f->srv, f->context, "opentok_pending_messages",
      4);
  /* their ids: UUIDs, all different */
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    const gchar *id = received_header (received[i], "TRANSACTION-ID");

    fail_unless (g_uuid_string_is_valid (id), "not a UUID: %s", id);
    for (j = 0; j < i; j++)
      fail_if (g_str_equal (id, received_header (received[j],
                  "TRANSACTION-ID")), "the same id twice: %s", id);
  }

  /* out of order, then one of them again */
  for (i = 0; i < G_N_ELEMENTS (order); i++)
    for (j = 0; j < G_N_ELEMENTS (names); j++)
      if (g_str_equal (order[i], names[j]))
        peer_ack (bob, received[j]->frame);
  /* an id that was never sent */
  unknown = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_set_header (unknown, "TRANSACTION-ID",
      "00000000-0000-4000-8000-000000000000");
  peer_ack (bob, unknown);
  gst_opentok_rumor_frame_unref (unknown);
  fixture_server_wait_metric (f->srv, f->context, "opentok_pending_messages",
      1);

  /* the one left is the one a reconnection brings back */
  peer_drop (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 1);
  g_queue_clear_full (&bob->inbox, (GDestroyNotify) received_free);
  peer_open (bob, TRUE);
  peer_expect_signal (bob, "three", alice->connection_id);
  bob->auto_ack = TRUE;
  peer_signal_expect (alice, bob->connection_id, "chat", "barrier", 200);
  peer_expect_signal (bob, "barrier", alice->connection_id);
  fail_unless_equals_int (peer_count (bob, match_any_signal, NULL), 0);

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    received_free (received[i]);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_reconnect_delivers_queued_signal_once_unseen_by_peers)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob, *carol;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  carol = join (f, "carol", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_sockets"), 3);

  peer_sync (bob);
  peer_drop (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 2);

  /* while bob is away he is still a member: signals to him are queued */
  peer_signal_expect (alice, bob->connection_id, "chat", "while away", 200);
  peer_signal_expect (alice, NULL, "chat", "broadcast while away", 200);
  peer_expect_signal (carol, "broadcast while away", alice->connection_id);

  peer_open (bob, TRUE);
  peer_expect_signal (bob, "while away", alice->connection_id);
  peer_expect_signal (bob, "broadcast while away", alice->connection_id);

  /* his own signals work on the new socket, and the others see no
   * connection event */
  peer_round_trip (bob, "back");
  peer_expect_signal (alice, "back", bob->connection_id);
  peer_expect_signal (carol, "back", bob->connection_id);
  fail_unless_equals_int (peer_count_signals (bob, "while away"), 0);
  fail_unless_equals_int (peer_count_signals (bob, "broadcast while away"), 0);
  fail_unless_equals_int (peer_count_connection_events (alice), 0);
  fail_unless_equals_int (peer_count_connection_events (carol), 0);
  fail_unless_equals_int (peer_count_connection_events (bob), 0);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_connections"),
      3);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_reconnections_total"), 1);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_disconnect_with_reconnect_1_keeps_the_connection)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* what opentok.js does when it hears nothing for 5.9 s */
  peer_send_disconnect (bob, "1");
  soup_websocket_connection_close (bob->ws, 4010, "No activity");
  peer_wait_closed (bob);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 1);

  peer_signal_expect (alice, bob->connection_id, "chat", "queued", 200);
  peer_open (bob, TRUE);
  peer_expect_signal (bob, "queued", alice->connection_id);
  peer_round_trip (bob, "back");
  peer_expect_signal (alice, "back", bob->connection_id);
  fail_unless_equals_int (peer_count_connection_events (alice), 0);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_reconnect_with_unknown_socket_id_is_closed_with_1011)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *stranger;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  stranger = peer_new (f, "stranger", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  peer_open (stranger, TRUE);
  fail_unless_equals_int (peer_wait_closed (stranger), 1011);

  /* without any socketId, too */
  g_clear_pointer (&stranger->socket_id, g_free);
  g_free (stranger->messaging_url);
  stranger->messaging_url = g_strdup_printf ("%s?reconnect=true&attempt=2",
      f->ws_url);
  peer_open (stranger, FALSE);
  fail_unless_equals_int (peer_wait_closed (stranger), 1011);

  peer_round_trip (alice, "unaffected");
  fixture_free (f);
}

GST_END_TEST;

typedef struct
{
  Fixture *f;
  gint64 sockets;
} SocketsWait;

static gboolean
sockets_reached (gpointer data)
{
  SocketsWait *w = data;

  return fixture_server_metric (w->f->srv, "opentok_sockets") == w->sockets;
}

/* The server keeps a lost member for its window (how long, tests/bench/
 * timings measures): first without a socket, still a member, not deleted;
 * then deleted. */
GST_START_TEST (test_reconnect_window_expiry_deletes_with_network_disconnected)
{
  Fixture *f = fixture_new ("reconnect-window", 2000, NULL);
  SocketsWait held = { f, 1 };
  EventMatch deleted;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  deleted.method = "deleted";
  deleted.connection_id = bob->connection_id;

  peer_sync (bob);
  peer_drop (bob);
  fail_unless (fixture_wait_polling (f->context, sockets_reached, &held, 10,
          WAIT_MS), "the server did not see the socket go");
  fail_unless_equals_int64 (fixture_server_metric (f->srv,
          "opentok_connections"), 2);
  fail_unless_equals_int (peer_count (alice, match_connection_event,
          &deleted), 0);
  peer_expect_deleted (alice, bob->connection_id, "networkDisconnected");
  fixture_server_wait_metric (f->srv, f->context, "opentok_connections", 1);

  /* too late to come back */
  peer_open (bob, TRUE);
  fail_unless_equals_int (peer_wait_closed (bob), 1011);
  peer_signal_expect (alice, bob->connection_id, "chat", "gone", 404);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_socket_loss_without_reconnection_deletes_at_once)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  /* no socketId: a client with reconnection off */
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);

  peer_drop (bob);
  peer_expect_deleted (alice, bob->connection_id, "networkDisconnected");
  peer_signal_expect (alice, bob->connection_id, "chat", "gone", 404);

  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Leaving and force disconnect                                             */

GST_START_TEST (test_leaving_deletes_with_client_disconnected)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *bob, *carol;
  Received *deleted;
  JsonObject *content;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  carol = join (f, "carol", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  peer_leave (bob);
  deleted = peer_wait_connection_event (alice, "deleted", bob->connection_id);
  /* reason is a top-level member of the Raptor message */
  fail_unless_equals_string (gst_opentok_raptor_message_get_reason
      (deleted->raptor), "clientDisconnected");
  content = gst_opentok_raptor_message_get_content (deleted->raptor);
  fail_if (json_object_has_member (content, "reason"),
      "reason belongs at the top level, not in content");
  {
    GBytes *payload = gst_opentok_rumor_frame_get_payload (deleted->frame);
    gsize size;
    const gchar *data = g_bytes_get_data (payload, &size);
    gchar *text = g_strndup (data, size);
    JsonNode *root = fixture_json_parse (text);

    fail_unless_equals_string (fixture_json_get_string (json_node_get_object
            (root), "reason"), "clientDisconnected");
    json_node_unref (root);
    g_free (text);
  }
  received_free (deleted);
  peer_expect_deleted (carol, bob->connection_id, "clientDisconnected");

  /* gone for good: its socketId does not come back */
  peer_open (bob, TRUE);
  fail_unless_equals_int (peer_wait_closed (bob), 1011);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_connections"),
      2);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_moderator_force_disconnect_reaches_all_including_victim)
{
  Fixture *f = fixture_new (NULL);
  Peer *moderator, *publisher, *victim;
  gchar *uri, *text, *transaction_id;

  moderator = join (f, "moderator", GST_OPENTOK_ROLE_MODERATOR, NULL, TRUE);
  publisher = join (f, "publisher", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  victim = join (f, "victim", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  uri = g_strdup_printf ("%s/connection/%s", f->topic, victim->connection_id);
  text = raptor_text ("delete", uri, "{}");
  transaction_id = peer_request (moderator, SYMPHONY, text, NULL);
  peer_check_status (moderator, transaction_id, 200);

  peer_expect_deleted (moderator, victim->connection_id, "forceDisconnected");
  peer_expect_deleted (publisher, victim->connection_id, "forceDisconnected");
  peer_expect_deleted (victim, victim->connection_id, "forceDisconnected");

  /* the victim leaves as opentok.js does; it is no longer a member */
  peer_leave (victim);
  peer_signal_expect (moderator, victim->connection_id, "chat", "gone", 404);
  fail_unless_equals_int (peer_count_connection_events (publisher), 0);

  /* deleting it again: 404 */
  g_free (transaction_id);
  transaction_id = peer_request (moderator, SYMPHONY, text, NULL);
  peer_check_status (moderator, transaction_id, 404);

  g_free (transaction_id);
  g_free (text);
  g_free (uri);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_publisher_cannot_force_disconnect)
{
  Fixture *f = fixture_new (NULL);
  Peer *moderator, *publisher;
  gchar *uri, *text, *transaction_id;

  moderator = join (f, "moderator", GST_OPENTOK_ROLE_MODERATOR, NULL, TRUE);
  publisher = join (f, "publisher", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  uri = g_strdup_printf ("%s/connection/%s", f->topic,
      moderator->connection_id);
  text = raptor_text ("delete", uri, "{}");
  transaction_id = peer_request (publisher, SYMPHONY, text, NULL);
  peer_check_status (publisher, transaction_id, 403);

  /* nothing happened to the moderator */
  peer_round_trip (moderator, "still here");
  peer_expect_signal (publisher, "still here", moderator->connection_id);
  fail_unless_equals_int (peer_count_connection_events (moderator), 0);
  fail_unless_equals_int (peer_count_connection_events (publisher), 0);

  g_free (transaction_id);
  g_free (text);
  g_free (uri);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_force_disconnect_api)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  GError *error = NULL;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  fail_if (gst_opentok_server_force_disconnect (f->srv->server,
          f->srv->session_id, "3f6c9a2e-7d41-4b8f-a0e5-6c2d1b9f8a47", &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND));
  g_clear_error (&error);

  fail_if (gst_opentok_server_force_disconnect (f->srv->server, unknown,
          bob->connection_id, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND));
  g_clear_error (&error);

  if (!gst_opentok_server_force_disconnect (f->srv->server, f->srv->session_id,
          bob->connection_id, &error))
    fail ("force disconnect: %s", error->message);
  peer_expect_deleted (alice, bob->connection_id, "forceDisconnected");
  peer_expect_deleted (bob, bob->connection_id, "forceDisconnected");
  peer_leave (bob);

  fail_if (gst_opentok_server_force_disconnect (f->srv->server,
          f->srv->session_id, bob->connection_id, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND));
  g_clear_error (&error);

  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* REST                                                                     */

GST_START_TEST (test_rest_create_session_returns_a_usable_session_id)
{
  Fixture *f = fixture_new (NULL);
  gchar *jwt = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, 0);
  gchar *body = NULL, *session_id, *api_key;
  JsonObject *element;
  SoupMessage *msg;
  JsonNode *root;
  Peer *alice;

  msg = http_request (f, SOUP_METHOD_POST, "/session/create",
      "application/x-www-form-urlencoded",
      "archiveMode=manual&p2p.preference=disabled", &body,
      "X-OPENTOK-AUTH", jwt, "Accept", "application/json", NULL);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  root = fixture_json_parse (body);
  element = fixture_json_first_object (root);
  session_id = g_strdup (fixture_json_get_string (element, "session_id"));
  fail_unless (*session_id != '\0');
  fail_if (strchr (session_id, '/') != NULL);
  fail_if (g_str_equal (session_id, f->srv->session_id));
  api_key = gst_opentok_session_id_get_api_key (session_id, NULL);
  fail_unless_equals_string (api_key, API_KEY);
  json_node_unref (root);
  g_object_unref (msg);
  g_free (body);

  /* a client joins it */
  alice = peer_new (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  g_free (alice->session_id);
  alice->session_id = g_strdup (session_id);
  g_free (alice->token);
  alice->token = gst_opentok_server_generate_token (f->srv->server, session_id,
      GST_OPENTOK_ROLE_PUBLISHER, NULL, NULL);
  g_free (f->topic);
  f->topic = g_strdup_printf ("/v2/partner/%s/session/%s", API_KEY, session_id);
  json_node_unref (peer_join (alice));

  /* without credentials, nothing is created */
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, "/session/create",
          NULL, NULL, NULL), SOUP_STATUS_FORBIDDEN);

  g_free (api_key);
  g_free (session_id);
  g_free (jwt);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_rest_signal_to_session_reaches_all_with_empty_from)
{
  Fixture *f = fixture_new (NULL);
  gchar *path = rest_signal_path (f->srv->session_id, NULL);
  Peer *alice, *bob;
  Received *received;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_SUBSCRIBER, NULL, TRUE);

  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, path,
          "{\"type\":\"news\",\"data\":\"from the server\"}"),
      SOUP_STATUS_NO_CONTENT);
  received = peer_wait_signal (alice, "from the server", "");
  fail_unless_equals_string (received_content_string (received, "type"),
      "news");
  received_free (received);
  peer_expect_signal (bob, "from the server", "");

  /* the body may leave out the type */
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, path,
          "{\"data\":\"untyped\"}"), SOUP_STATUS_NO_CONTENT);
  peer_expect_signal (bob, "untyped", "");

  g_free (path);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_rest_signal_to_connection_reaches_only_that_connection)
{
  Fixture *f = fixture_new (NULL);
  gchar *path, *all;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  path = rest_signal_path (f->srv->session_id, bob->connection_id);
  all = rest_signal_path (f->srv->session_id, NULL);

  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, path,
          "{\"type\":\"dm\",\"data\":\"just bob\"}"), SOUP_STATUS_NO_CONTENT);
  peer_expect_signal (bob, "just bob", "");

  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"data\":\"barrier\"}"), SOUP_STATUS_NO_CONTENT);
  peer_expect_signal (alice, "barrier", "");
  peer_expect_signal (bob, "barrier", "");
  fail_unless_equals_int (peer_count_signals (alice, "just bob"), 0);

  g_free (all);
  g_free (path);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_rest_signal_refuses_bad_input)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  gchar *all = rest_signal_path (f->srv->session_id, NULL);
  gchar *type129 = g_strnfill (129, 't');
  gchar *data8193 = g_strnfill (8193, 'd');
  gchar *body, *path;
  Peer *alice;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* 400: bad JSON, not an object, bad type, non-string data */
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all, "{nope"),
      400);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "[\"x\"]"), 400);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"type\":\"a b\",\"data\":\"refused\"}"), 400);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"type\":\"chat\",\"data\":42}"), 400);

  /* 413: type over 128, data over 8192 */
  body = g_strdup_printf ("{\"type\":\"%s\",\"data\":\"refused\"}", type129);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all, body), 413);
  g_free (body);
  body = g_strdup_printf ("{\"type\":\"chat\",\"data\":\"%s\"}", data8193);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all, body), 413);
  g_free (body);

  /* 404: unknown connection, unknown session */
  path = rest_signal_path (f->srv->session_id,
      "1e4d7c2b-5a98-4f36-b1e0-9d8c7b6a5f43");
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, path,
          "{\"data\":\"refused\"}"), 404);
  g_free (path);
  path = rest_signal_path (unknown, NULL);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, path,
          "{\"data\":\"refused\"}"), 404);
  g_free (path);

  /* none of them reached alice */
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"data\":\"barrier\"}"), 204);
  peer_expect_signal (alice, "barrier", "");
  fail_unless_equals_int (peer_count (alice, match_any_signal, NULL), 0);

  g_free (data8193);
  g_free (type129);
  g_free (all);
  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

/* A signal body of exactly @size bytes: valid JSON padded with spaces. */
static GBytes *
padded_signal_body (gsize size)
{
  static const gchar json[] = "{\"type\":\"pad\",\"data\":\"padded\"}";
  gchar *body = g_malloc (size);

  g_assert (size >= sizeof (json) - 1);
  memcpy (body, json, sizeof (json) - 1);
  memset (body + sizeof (json) - 1, ' ', size - (sizeof (json) - 1));
  return g_bytes_new_take (body, size);
}

/* POSTs @body to @path, with Content-Length or, when @chunked, in chunked
 * encoding (a stream of unknown length); returns the HTTP status. */
static guint
rest_post_body (Fixture * f, const gchar * path, GBytes * body,
    gboolean chunked)
{
  gchar *jwt = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, 0);
  gchar *uri = g_strconcat (f->srv->url, path, NULL);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, uri);
  gchar *response = NULL;
  guint status;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "X-OPENTOK-AUTH", jwt);
  if (chunked) {
    GInputStream *stream = g_memory_input_stream_new_from_bytes (body);

    soup_message_set_request_body (msg, "application/json", stream, -1);
    g_object_unref (stream);
  } else {
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  }
  http_send (f, msg, &response);
  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    fail_unless (strstr (response, "\"code\":413") != NULL, "%s", response);
  g_free (response);
  g_object_unref (msg);
  g_free (uri);
  g_free (jwt);
  return status;
}

GST_START_TEST (test_rest_refuses_bodies_over_the_limit)
{
  Fixture *f = fixture_new (NULL);
  gchar *all = rest_signal_path (f->srv->session_id, NULL);
  GBytes *at_limit = padded_signal_body (GST_OPENTOK_REST_MAX_BODY_SIZE);
  GBytes *over = padded_signal_body (GST_OPENTOK_REST_MAX_BODY_SIZE + 1);
  GBytes *huge = padded_signal_body (16 * GST_OPENTOK_REST_MAX_BODY_SIZE);
  Peer *alice;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* exactly the limit is read, with a length or in chunks */
  fail_unless_equals_int (rest_post_body (f, all, at_limit, FALSE), 204);
  peer_expect_signal (alice, "padded", "");
  fail_unless_equals_int (rest_post_body (f, all, at_limit, TRUE), 204);
  peer_expect_signal (alice, "padded", "");

  /* one byte more is refused on its length, or once the chunks pass it */
  fail_unless_equals_int (rest_post_body (f, all, over, FALSE), 413);
  fail_unless_equals_int (rest_post_body (f, all, over, TRUE), 413);
  fail_unless_equals_int (rest_post_body (f, all, huge, TRUE), 413);

  /* the server still answers, and none of the refused ones was sent */
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"data\":\"barrier\"}"), 204);
  peer_expect_signal (alice, "barrier", "");
  fail_unless_equals_int (peer_count (alice, match_any_signal, NULL), 0);

  g_bytes_unref (huge);
  g_bytes_unref (over);
  g_bytes_unref (at_limit);
  g_free (all);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_rest_refuses_bad_credentials_with_403)
{
  Fixture *f = fixture_new (NULL);
  gchar *all = rest_signal_path (f->srv->session_id, NULL);
  gchar *wrong_secret, *expired, *fresh, *client_token, *wrong_issuer;
  Peer *alice;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  client_token = g_strdup (alice->token);

  /* none */
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", NULL, NULL), 403);
  /* signed with another secret */
  wrong_secret = gst_opentok_rest_jwt_new (API_KEY, "not-the-secret", 0);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-OPENTOK-AUTH", wrong_secret), 403);
  /* expired a minute ago; the same JWT made fresh passes, so the refusal is
   * about the time */
  expired = make_rest_jwt (-120, -60);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-OPENTOK-AUTH", expired), 403);
  fresh = make_rest_jwt (0, 120);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"fresh\"}", "X-OPENTOK-AUTH", fresh), 204);
  peer_expect_signal (alice, "fresh", "");
  /* for another API key */
  wrong_issuer = gst_opentok_rest_jwt_new ("654321", API_SECRET, 0);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-OPENTOK-AUTH", wrong_issuer), 403);
  /* a client token is no REST credential */
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-OPENTOK-AUTH", client_token), 403);
  /* garbage */
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-OPENTOK-AUTH", "a.b.c"), 403);

  /* the older key:secret header */
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"partner auth\"}", "X-TB-PARTNER-AUTH",
          API_KEY ":" API_SECRET), 204);
  peer_expect_signal (alice, "partner auth", "");
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-TB-PARTNER-AUTH",
          API_KEY ":not-the-secret"), 403);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-TB-PARTNER-AUTH",
          API_KEY ":" API_SECRET "x"), 403);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-TB-PARTNER-AUTH", API_KEY ":"), 403);
  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"refused\"}", "X-TB-PARTNER-AUTH", ""), 403);

  /* force disconnect is protected the same way */
  {
    gchar *path = g_strdup_printf ("/v2/project/%s/session/%s/connection/%s",
        API_KEY, f->srv->session_id, alice->connection_id);

    fail_unless_equals_int (rest_call (f, SOUP_METHOD_DELETE, path, NULL,
            "X-OPENTOK-AUTH", expired), 403);
    fail_unless_equals_int (rest_call (f, SOUP_METHOD_DELETE, path, NULL,
            NULL, NULL), 403);
    g_free (path);
  }

  fail_unless_equals_int (rest_call (f, SOUP_METHOD_POST, all,
          "{\"data\":\"barrier\"}", "X-OPENTOK-AUTH", fresh), 204);
  peer_expect_signal (alice, "barrier", "");
  fail_unless_equals_int (peer_count (alice, match_any_signal, NULL), 0);
  fail_unless_equals_int (peer_count_connection_events (alice), 0);

  g_free (wrong_issuer);
  g_free (fresh);
  g_free (expired);
  g_free (wrong_secret);
  g_free (client_token);
  g_free (all);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_rest_delete_connection_force_disconnects_it)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  gchar *path;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  path = g_strdup_printf ("/v2/project/%s/session/%s/connection/%s", API_KEY,
      f->srv->session_id, bob->connection_id);

  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_DELETE, path, NULL),
      SOUP_STATUS_NO_CONTENT);
  peer_expect_deleted (alice, bob->connection_id, "forceDisconnected");
  peer_expect_deleted (bob, bob->connection_id, "forceDisconnected");

  /* bob does not leave by himself: the server closes his socket */
  peer_wait_closed (bob);
  fail_unless_equals_int (bob->close_code, 1000);

  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_DELETE, path, NULL),
      404);
  g_free (path);
  path = g_strdup_printf ("/v2/project/%s/session/%s/connection/%s", API_KEY,
      unknown, alice->connection_id);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_DELETE, path, NULL),
      404);

  peer_round_trip (alice, "still here");
  fail_unless_equals_int (peer_count_connection_events (alice), 0);

  g_free (path);
  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Bad input                                                                */

GST_START_TEST (test_malformed_frames_close_only_that_socket_with_1007)
{
  Fixture *f = fixture_new (NULL);
  static const guint8 too_short[] = { 0, 0, 0 };
  /* a PING whose last byte is missing: L says 5, 4 follow */
  static const guint8 truncated[] = { 0, 0, 0, 5, 0, 0, 7, 0 };
  /* an address of 65535 bytes in a 12-byte frame */
  static const guint8 address_overrun[] =
      { 0, 0, 0, 8, 0, 0, 2, 1, 0xff, 0xff, 'a', 'b' };
  /* three headers announced, none there */
  static const guint8 header_overrun[] = { 0, 0, 0, 6, 0, 0, 7, 0, 3, 0 };
  /* L larger than what came */
  static const guint8 long_length[] = { 0, 0, 0x10, 0, 0, 0, 7, 0, 0 };
  struct
  {
    const guint8 *data;
    gsize size;
  } cases[] = {
    {too_short, sizeof (too_short)},
    {truncated, sizeof (truncated)},
    {address_overrun, sizeof (address_overrun)},
    {header_overrun, sizeof (header_overrun)},
    {long_length, sizeof (long_length)},
  };
  Peer *alice, *bob, *victim;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  /* a joined member without reconnection: its loss is announced at once */
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, FALSE);

  peer_send_data (bob, truncated, sizeof (truncated));
  fail_unless_equals_int (peer_wait_closed (bob), 1007);
  peer_expect_deleted (alice, bob->connection_id, "networkDisconnected");
  peer_round_trip (alice, "after bob");

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *data = g_strdup_printf ("after case %u", i);

    victim = raw_socket (f, "victim");
    peer_send_data (victim, cases[i].data, cases[i].size);
    fail_unless_equals_int (peer_wait_closed (victim), 1007);
    peer_round_trip (alice, data);
    g_free (data);
  }

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_frame_of_unknown_type_is_ignored)
{
  Fixture *f = fixture_new (NULL);
  /* well-formed frames of the unused types 5 and 6 and of type 200 */
  static const guint8 type5[] = { 0, 0, 0, 5, 0, 0, 5, 0, 0 };
  static const guint8 type6[] = { 0, 0, 0, 8, 0, 0, 6, 0, 0, 'a', 'b', 'c' };
  static const guint8 type200[] = { 0, 0, 0, 5, 0, 0, 200, 0, 0 };
  Peer *alice;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  peer_send_data (alice, type5, sizeof (type5));
  peer_send_data (alice, type6, sizeof (type6));
  peer_send_data (alice, type200, sizeof (type200));
  peer_round_trip (alice, "after unknown types");
  fail_if (alice->closed);

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_text_message_closes_only_that_socket_with_1003)
{
  Fixture *f = fixture_new (NULL);
  Peer *alice, *victim;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  victim = raw_socket (f, "victim");
  soup_websocket_connection_send_text (victim->ws, "{\"method\":\"signal\"}");
  fail_unless_equals_int (peer_wait_closed (victim), 1003);
  peer_round_trip (alice, "after text");

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_connection_flood_is_held_at_max_connections)
{
  Fixture *f = fixture_new ("max-connections", 3, NULL);
  Peer *alice, *bob, *third, *over;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  third = raw_socket (f, "third");
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 3);

  /* the fourth socket is told to come back later; the others go on */
  over = raw_socket (f, "over");
  fail_unless_equals_int (peer_wait_closed (over), 1008);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_connections_refused_total"), 1);
  peer_round_trip (alice, "during the flood");
  peer_expect_signal (bob, "during the flood", alice->connection_id);
  fail_if (third->closed);

  /* a place freed is a place taken */
  peer_forget_socket (third);
  fixture_server_wait_metric (f->srv, f->context, "opentok_sockets", 2);
  over = raw_socket (f, "later");
  peer_round_trip (bob, "after the flood");
  fail_if (over->closed);

  fixture_free (f);
}

GST_END_TEST;

/* A member that stops acknowledging is dropped at its limit, so a slow
 * reader cannot grow the server's memory; the others are not held up. */
static void
check_slow_reader_dropped (Fixture * f, guint count, gsize size)
{
  Peer *alice, *slow;
  gchar *data;
  guint i;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  slow = join (f, "slow", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  slow->auto_ack = FALSE;
  for (i = 0; i < count; i++) {
    data = g_strnfill (size, 'a' + i % 26);
    peer_signal_expect (alice, NULL, "burst", data, 200);
    g_free (data);
  }
  fail_unless_equals_int (peer_wait_closed (slow), 1008);
  peer_expect_deleted (alice, slow->connection_id, "networkDisconnected");
  peer_round_trip (alice, "after the slow reader");
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_connections"),
      1);
  fixture_free (f);
}

GST_START_TEST (test_slow_reader_is_dropped_at_max_pending_messages)
{
  check_slow_reader_dropped (fixture_new ("max-pending-messages", 16, NULL),
      20, 10);
}

GST_END_TEST;

GST_START_TEST (test_slow_reader_is_dropped_at_max_pending_bytes)
{
  check_slow_reader_dropped (fixture_new ("max-pending-bytes",
          (guint64) 65536, NULL), 12, 8000);
}

GST_END_TEST;

/* A signal frame of exactly @size bytes from @peer. */
static GBytes *
signal_frame_of_size (Peer * peer, gsize size)
{
  GstOpenTokRumorFrame *frame;
  gchar *text, *content, *data;
  gsize base;
  GBytes *bytes;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, SYMPHONY);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
      "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      peer->connection_id);
  content = signal_content ("big", "");
  text = signal_text (peer, NULL, content);
  gst_opentok_rumor_frame_take_payload_string (frame, text);
  bytes = gst_opentok_rumor_frame_serialize (frame, NULL);
  base = g_bytes_get_size (bytes);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_unref (frame);
  g_free (content);
  fail_unless (size > base);

  data = g_strnfill (size - base, 'z');
  content = signal_content ("big", data);
  text = signal_text (peer, NULL, content);
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, SYMPHONY);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
      "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS",
      peer->connection_id);
  gst_opentok_rumor_frame_take_payload_string (frame, text);
  bytes = gst_opentok_rumor_frame_serialize (frame, NULL);
  fail_unless_equals_int (g_bytes_get_size (bytes), size);
  gst_opentok_rumor_frame_unref (frame);
  g_free (content);
  g_free (data);
  return bytes;
}

GST_START_TEST (test_frame_over_max_frame_size_closes_with_1009)
{
  Fixture *f = fixture_new ("max-frame-size", 4096, NULL);
  Peer *alice, *bob, *victim;
  GBytes *bytes;
  guint8 *big;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* exactly the limit passes */
  bytes = signal_frame_of_size (alice, 4096);
  peer_send_bytes (alice, bytes);
  g_bytes_unref (bytes);
  peer_check_status (alice, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 200);

  /* one byte more closes the socket */
  bytes = signal_frame_of_size (bob, 4097);
  peer_send_bytes (bob, bytes);
  g_bytes_unref (bytes);
  fail_unless_equals_int (peer_wait_closed (bob), 1009);
  peer_round_trip (alice, "after 4097");

  /* and so does a much larger message, whatever it holds */
  victim = raw_socket (f, "victim");
  big = g_malloc0 (8000);
  GST_WRITE_UINT32_BE (big, 8000 - 4);
  big[6] = GST_OPENTOK_RUMOR_TYPE_PING;
  peer_send_data (victim, big, 8000);
  g_free (big);
  fail_unless_equals_int (peer_wait_closed (victim), 1009);
  peer_round_trip (alice, "after 8000");

  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Liveness                                                                 */

static gboolean
send_ping (gpointer data)
{
  Peer *peer = data;

  if (!peer->closed)
    peer_send_ping (peer);
  return G_SOURCE_CONTINUE;
}

/* The I/O threads answer an idle client's PING themselves; behind requests
 * the PONG still comes after their answers, and every PING is counted. */
GST_START_TEST (test_ping_answered_after_what_came_before)
{
  Fixture *f = fixture_new (NULL);
  gchar *transaction_ids[50];
  gint64 frames;
  guint i, inbox;
  Peer *alice;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  alice->auto_ack = TRUE;
  peer_sync (alice);
  frames = fixture_server_metric (f->srv, "opentok_frames_received_total");
  for (i = 0; i < 10; i++)
    peer_sync (alice);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_frames_received_total"), frames + 10);

  /* to herself: a STATUS and the signal for each, before the PONG */
  inbox = alice->inbox.length;
  for (i = 0; i < G_N_ELEMENTS (transaction_ids); i++)
    transaction_ids[i] = peer_signal (alice, alice->connection_id, "order",
        "x");
  peer_sync (alice);
  fail_unless (alice->inbox_at_pong >= inbox + 2 * G_N_ELEMENTS
      (transaction_ids), "the PONG came after %u of %u frames",
      alice->inbox_at_pong - inbox, 2 * G_N_ELEMENTS (transaction_ids));
  for (i = 0; i < G_N_ELEMENTS (transaction_ids); i++) {
    peer_check_status (alice, transaction_ids[i], 200);
    g_free (transaction_ids[i]);
  }
  fixture_free (f);
}

GST_END_TEST;

/* One I/O thread or several: sockets on different threads (they are dealt
 * out in turn) see each other's signals. */
GST_START_TEST (test_io_threads)
{
  static const guint counts[] = { 1, 3 };
  guint c, i, io_threads;

  for (c = 0; c < G_N_ELEMENTS (counts); c++) {
    Fixture *f = fixture_new ("io-threads", counts[c], NULL);
    Peer *peers[4];
    gchar data[16];

    g_object_get (f->srv->server, "io-threads", &io_threads, NULL);
    fail_unless_equals_int (io_threads, counts[c]);
    for (i = 0; i < G_N_ELEMENTS (peers); i++) {
      gchar *name = g_strdup_printf ("peer%u", i);

      peers[i] = join (f, name, GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
      peers[i]->auto_ack = TRUE;
      g_free (name);
    }
    for (i = 0; i < 20; i++) {
      g_snprintf (data, sizeof (data), "%u", i);
      peer_signal_expect (peers[i % 4], NULL, "chat", data, 200);
    }
    for (i = 0; i < 20; i++) {
      g_snprintf (data, sizeof (data), "%u", i);
      peer_expect_signal (peers[(i + 1) % 4], data,
          peers[i % 4]->connection_id);
    }
    fixture_free (f);
  }
}

GST_END_TEST;

/* A socket that says nothing for the liveness timeout is closed (after how
 * long, tests/bench/timings measures); one that pings every 200 ms stays,
 * over more pings than fit in the timeout. */
GST_START_TEST (test_silent_socket_is_closed_with_4010)
{
  Fixture *f = fixture_new ("liveness-timeout", 1000, NULL);
  Peer *silent, *pinger;
  PongWait more;
  GSource *timer;

  silent = raw_socket (f, "silent");
  pinger = raw_socket (f, "pinger");
  timer = g_timeout_source_new (200);
  g_source_set_callback (timer, send_ping, pinger, NULL);
  g_source_attach (timer, f->context);

  fail_unless_equals_int (peer_wait_closed (silent), 4010);
  fail_if (pinger->closed, "the pinging socket was closed (%u)",
      pinger->close_code);

  /* six more pings (1.2 s of them), each answered, and still open */
  more.peer = pinger;
  more.pongs = pinger->pongs + 5;
  fail_unless (fixture_wait (f->context, pong_arrived, &more, WAIT_MS),
      "only %u PONGs", pinger->pongs);
  fail_if (pinger->closed, "the pinging socket was closed (%u)",
      pinger->close_code);

  g_source_destroy (timer);
  g_source_unref (timer);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Metrics and health                                                       */

GST_START_TEST (test_metrics_count_signals_and_errors)
{
  Fixture *f = fixture_new (NULL);
  gchar *all = rest_signal_path (f->srv->session_id, NULL);
  gchar *unknown_target, *body = NULL, *type129 = g_strnfill (129, 't');
  SoupMessage *msg;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  /* two accepted broadcasts, two copies each */
  peer_signal_expect (alice, NULL, "chat", "one", 200);
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, all,
          "{\"data\":\"two\"}"), 204);
  peer_expect_signal (bob, "one", alice->connection_id);
  peer_expect_signal (bob, "two", "");
  /* one 413 from a client, one 404 over REST */
  peer_signal_expect (alice, NULL, type129, "too long", 413);
  unknown_target = rest_signal_path (f->srv->session_id,
      "7c6b5a49-3827-4165-9f8e-7d6c5b4a3928");
  fail_unless_equals_int (rest_call_jwt (f, SOUP_METHOD_POST, unknown_target,
          "{\"data\":\"x\"}"), 404);

  msg = http_request (f, SOUP_METHOD_GET, "/metrics", NULL, NULL, &body, NULL);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  fail_unless (g_str_has_prefix (soup_message_headers_get_content_type
          (soup_message_get_response_headers (msg), NULL), "text/plain"));
  g_object_unref (msg);
  g_free (body);

  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_signals_received_total"), 2);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_signals_delivered_total"), 4);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_errors_total{code=\"413\"}"), 1);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_errors_total{code=\"404\"}"), 1);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_errors_total{code=\"400\"}"), -1);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_sessions"),
      1);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_connections"),
      2);
  fail_unless_equals_int (fixture_server_metric (f->srv,
          "opentok_connections_total"), 2);
  fail_unless_equals_int (fixture_server_metric (f->srv, "opentok_sockets"), 2);

  g_free (type129);
  g_free (unknown_target);
  g_free (all);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_healthz_answers_200)
{
  Fixture *f = fixture_new (NULL);
  gchar *body = NULL;
  SoupMessage *msg;
  JsonNode *root;

  msg = http_request (f, SOUP_METHOD_GET, "/healthz", NULL, NULL, &body, NULL);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  root = fixture_json_parse (body);
  fail_unless_equals_string (fixture_json_get_string (json_node_get_object
          (root), "status"), "ok");
  json_node_unref (root);
  g_object_unref (msg);
  g_free (body);

  /* unknown paths are 404, not 200 */
  msg = http_request (f, SOUP_METHOD_GET, "/nothing-here", NULL, NULL, &body,
      NULL);
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_NOT_FOUND);
  g_object_unref (msg);
  g_free (body);

  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* C API                                                                    */

static void
check_send_signal_error (Fixture * f, const gchar * session_id,
    GstOpenTokSignal * signal, gint expected)
{
  GError *error = NULL;

  fail_if (gst_opentok_server_send_signal (f->srv->server, session_id, signal,
          &error));
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
  fail_unless_equals_int (error->code, expected);
  fail_unless (error->message != NULL && *error->message != '\0');
  g_error_free (error);
  gst_opentok_signal_unref (signal);
}

/* Runs on the server thread, while the test waits in send_signal(). */
static void
on_server_signal (GstOpenTokServer * server, const gchar * session_id,
    GstOpenTokSignal * signal, GPtrArray * types)
{
  const gchar *type = gst_opentok_signal_get_signal_type (signal);

  g_ptr_array_add (types, g_strdup (type ? type : ""));
}

/* A handler connected without a detail hears every type, those whose
 * quark already exists in the process ("notify", "error") included; a
 * detailed one hears its own. */
GST_START_TEST (test_server_signal_received_reaches_every_handler)
{
  Fixture *f = fixture_new (NULL);
  const gchar *types[] = { "chat", "notify", "error", "message", NULL };
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *chats = g_ptr_array_new_with_free_func (g_free);
  guint i;

  g_signal_connect (f->srv->server, "signal-received",
      G_CALLBACK (on_server_signal), all);
  g_signal_connect (f->srv->server, "signal-received::chat",
      G_CALLBACK (on_server_signal), chats);
  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    GstOpenTokSignal *signal = gst_opentok_signal_new (types[i], "x");

    fail_unless (gst_opentok_server_send_signal (f->srv->server,
            f->srv->session_id, signal, NULL));
    gst_opentok_signal_unref (signal);
  }
  fail_unless_equals_int (all->len, G_N_ELEMENTS (types));
  for (i = 0; i < G_N_ELEMENTS (types); i++)
    fail_unless_equals_string (g_ptr_array_index (all, i),
        types[i] ? types[i] : "");
  fail_unless_equals_int (chats->len, 1);

  g_signal_handlers_disconnect_by_func (f->srv->server, on_server_signal, all);
  g_signal_handlers_disconnect_by_func (f->srv->server, on_server_signal,
      chats);
  g_ptr_array_unref (all);
  g_ptr_array_unref (chats);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_server_send_signal_api)
{
  Fixture *f = fixture_new (NULL);
  gchar *unknown = gst_opentok_session_id_new (API_KEY);
  gchar *type129 = g_strnfill (129, 't');
  gchar *data8193 = g_strnfill (8193, 'd');
  GstOpenTokSignal *signal;
  GError *error = NULL;
  Received *received;
  Peer *alice, *bob;

  alice = join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);
  bob = join (f, "bob", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE);

  signal = gst_opentok_signal_new ("news", "to everyone");
  if (!gst_opentok_server_send_signal (f->srv->server, f->srv->session_id,
          signal, &error))
    fail ("send_signal: %s", error->message);
  gst_opentok_signal_unref (signal);
  received = peer_wait_signal (alice, "to everyone", "");
  fail_unless_equals_string (received_content_string (received, "type"),
      "news");
  received_free (received);
  peer_expect_signal (bob, "to everyone", "");

  signal = gst_opentok_signal_new ("news", "to bob");
  gst_opentok_signal_set_to (signal, bob->connection_id);
  if (!gst_opentok_server_send_signal (f->srv->server, f->srv->session_id,
          signal, &error))
    fail ("send_signal: %s", error->message);
  gst_opentok_signal_unref (signal);
  peer_expect_signal (bob, "to bob", "");

  signal = gst_opentok_signal_new (NULL, "barrier");
  fail_unless (gst_opentok_server_send_signal (f->srv->server,
          f->srv->session_id, signal, NULL));
  gst_opentok_signal_unref (signal);
  peer_expect_signal (alice, "barrier", "");
  peer_expect_signal (bob, "barrier", "");
  fail_unless_equals_int (peer_count_signals (alice, "to bob"), 0);

  check_send_signal_error (f, unknown, gst_opentok_signal_new ("news", "x"),
      404);
  signal = gst_opentok_signal_new ("news", "x");
  gst_opentok_signal_set_to (signal, "6e5d4c3b-2a19-4087-b6a5-9483726150fe");
  check_send_signal_error (f, f->srv->session_id, signal, 404);
  check_send_signal_error (f, f->srv->session_id,
      gst_opentok_signal_new (type129, "x"), 413);
  check_send_signal_error (f, f->srv->session_id,
      gst_opentok_signal_new ("news", data8193), 413);
  check_send_signal_error (f, f->srv->session_id,
      gst_opentok_signal_new ("bad type", "x"), 400);

  g_free (data8193);
  g_free (type129);
  g_free (unknown);
  fixture_free (f);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

static void
check_healthz (Fixture * f, const gchar * url)
{
  gchar *saved = f->srv->url, *body = NULL;
  SoupMessage *msg;

  f->srv->url = (gchar *) url;
  msg = http_request (f, SOUP_METHOD_GET, "/healthz", NULL, NULL, &body, NULL);
  f->srv->url = saved;
  fail_unless_equals_int (soup_message_get_status (msg), SOUP_STATUS_OK);
  g_object_unref (msg);
  g_free (body);
}

GST_START_TEST (test_server_start_stop_and_start_again)
{
  Fixture *f = fixture_new (NULL);
  GError *error = NULL;
  gchar *url;

  check_healthz (f, f->srv->url);
  fail_unless (gst_opentok_server_get_port (f->srv->server) > 0);

  gst_opentok_server_stop (f->srv->server);
  fail_unless_equals_int (gst_opentok_server_get_port (f->srv->server), 0);
  fail_unless (gst_opentok_server_get_url (f->srv->server) == NULL);
  /* stopping twice is harmless */
  gst_opentok_server_stop (f->srv->server);

  if (!gst_opentok_server_start (f->srv->server, &error))
    fail ("second start: %s", error->message);
  url = gst_opentok_server_get_url (f->srv->server);
  fail_unless (url != NULL);
  check_healthz (f, url);
  /* starting a running server changes nothing */
  fail_unless (gst_opentok_server_start (f->srv->server, NULL));
  check_healthz (f, url);

  /* a full join works on the restarted server */
  g_free (f->srv->url);
  f->srv->url = url;
  g_free (f->ws_url);
  f->ws_url = g_strdup_printf ("ws://%s%s", url + strlen ("http://"),
      GST_OPENTOK_SERVER_RUMOR_PATH);
  g_free (f->srv->session_id);
  f->srv->session_id = gst_opentok_server_create_session (f->srv->server);
  g_free (f->topic);
  f->topic = g_strdup_printf ("/v2/partner/%s/session/%s", API_KEY,
      f->srv->session_id);
  peer_round_trip (join (f, "alice", GST_OPENTOK_ROLE_PUBLISHER, NULL, TRUE),
      "after restart");

  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_two_servers_get_different_ports)
{
  Fixture *f = fixture_new (NULL);
  GstOpenTokServer *other = gst_opentok_server_new (API_KEY, API_SECRET);
  GError *error = NULL;
  gchar *url;

  if (!gst_opentok_server_start (other, &error))
    fail ("other server: %s", error->message);
  fail_unless (gst_opentok_server_get_port (other) > 0);
  fail_unless (gst_opentok_server_get_port (other) !=
      gst_opentok_server_get_port (f->srv->server));
  url = gst_opentok_server_get_url (other);
  check_healthz (f, url);
  check_healthz (f, f->srv->url);

  g_free (url);
  gst_opentok_server_stop (other);
  gst_object_unref (other);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_start_on_port_in_use_fails)
{
  Fixture *f = fixture_new (NULL);
  GstOpenTokServer *other = gst_opentok_server_new (API_KEY, API_SECRET);
  GstOpenTokServer *unconfigured = gst_opentok_server_new (API_KEY, NULL);
  GError *error = NULL;
  gchar *url;

  g_object_set (other, "port", gst_opentok_server_get_port (f->srv->server),
      NULL);
  fail_if (gst_opentok_server_start (other, &error));
  fail_unless (error != NULL);
  fail_unless (g_error_matches (error, G_IO_ERROR,
          G_IO_ERROR_ADDRESS_IN_USE), "error %s", error->message);
  g_clear_error (&error);
  fail_unless_equals_int (gst_opentok_server_get_port (other), 0);
  fail_unless (gst_opentok_server_get_url (other) == NULL);
  /* the first one is unharmed */
  check_healthz (f, f->srv->url);

  /* with a free port it starts */
  g_object_set (other, "port", 0, NULL);
  if (!gst_opentok_server_start (other, &error))
    fail ("start: %s", error->message);
  url = gst_opentok_server_get_url (other);
  check_healthz (f, url);
  g_free (url);
  gst_opentok_server_stop (other);

  /* without a secret it does not */
  fail_if (gst_opentok_server_start (unconfigured, &error));
  fail_unless (error != NULL);
  g_clear_error (&error);

  gst_object_unref (unconfigured);
  gst_object_unref (other);
  fixture_free (f);
}

GST_END_TEST;

/* A stop that follows the start at once must not be lost: the server
 * thread may not have entered its main loop yet. */
GST_START_TEST (test_stop_right_after_start_returns)
{
  GstOpenTokServer *server = gst_opentok_server_new (API_KEY, API_SECRET);
  GError *error = NULL;
  guint i;

  for (i = 0; i < 500; i++) {
    if (!gst_opentok_server_start (server, &error))
      fail ("start %u: %s", i, error->message);
    gst_opentok_server_stop (server);
    fail_unless_equals_int (gst_opentok_server_get_port (server), 0);
  }
  gst_object_unref (server);
}

GST_END_TEST;

/* A server started and stopped over and over while other threads create
 * sessions and send to them: every call returns (one used to wait forever
 * for a server thread that a stop had ended), and no thread is left. */
#define RESTARTS 100
#define CALLERS 3

typedef struct
{
  GstOpenTokServer *server;
  gint done;                    /* atomic */
  gint calls;                   /* atomic */
} Restarts;

static gpointer
restarts_caller (gpointer data)
{
  Restarts *r = data;
  GstOpenTokSignal *signal = gst_opentok_signal_new ("restart", "x");

  while (!g_atomic_int_get (&r->done)) {
    gchar *session_id = gst_opentok_server_create_session (r->server);
    GError *error = NULL;

    g_assert_nonnull (session_id);
    /* no member: refused or accepted, but it returns */
    gst_opentok_server_send_signal (r->server, session_id, signal, &error);
    g_clear_error (&error);
    g_free (session_id);
    g_atomic_int_inc (&r->calls);
  }
  gst_opentok_signal_unref (signal);
  return NULL;
}

GST_START_TEST (test_restarts_with_calls_in_flight)
{
  Restarts r = { gst_opentok_server_new (API_KEY, API_SECRET), 0, 0 };
  GThread *callers[CALLERS];
  GError *error = NULL;
  guint i;

  g_object_set (r.server, "port", 0, "io-threads", 1, NULL);
  for (i = 0; i < CALLERS; i++)
    callers[i] = g_thread_new ("caller", restarts_caller, &r);
  for (i = 0; i < RESTARTS; i++) {
    fail_unless (gst_opentok_server_start (r.server, &error),
        "start %u: %s", i, error ? error->message : "");
    fail_unless (gst_opentok_server_get_port (r.server) != 0);
    gst_opentok_server_stop (r.server);
    fail_unless_equals_int (gst_opentok_server_get_port (r.server), 0);
  }
  g_atomic_int_set (&r.done, 1);
  for (i = 0; i < CALLERS; i++)
    g_thread_join (callers[i]);
  GST_INFO ("%d calls over %d restarts", r.calls, RESTARTS);
  fail_unless (r.calls > 0);
  gst_object_unref (r.server);
}

GST_END_TEST;

static Suite *
server_suite (void)
{
  Suite *s = suite_create ("server");
  TCase *tc;

  tc = tcase_create ("threads");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_restarts_with_calls_in_flight);

  tc = tcase_create ("session-info");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_session_info_with_valid_token_points_at_the_server);
  tcase_add_test (tc, test_session_info_with_bad_token_is_error_403);
  tcase_add_test (tc, test_session_info_for_unknown_session_is_error_404);
  tcase_add_test (tc, test_cors_headers_and_preflight);

  tc = tcase_create ("join");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_join_replies_200_with_the_session_state);
  tcase_add_test (tc, test_join_with_legacy_t1_token);
  tcase_add_test (tc, test_join_is_announced_to_every_member_with_its_data);
  tcase_add_test (tc, test_join_lists_permissions_per_role);
  tcase_add_test (tc, test_join_with_bad_token_or_unknown_session_is_refused);

  tc = tcase_create ("signals");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_broadcast_reaches_every_member_including_sender);
  tcase_add_test (tc, test_targeted_signal_reaches_only_its_target);
  tcase_add_test (tc, test_untyped_signal_and_type_with_dot_are_relayed);
  tcase_add_test (tc, test_signal_size_limits_are_exact);
  tcase_add_test (tc, test_signal_with_bad_type_characters_is_refused_with_400);
  tcase_add_test (tc, test_signal_to_unknown_connection_is_refused_with_404);
  tcase_add_test (tc, test_signal_with_non_string_fields_is_refused_with_400);
  tcase_add_test (tc, test_request_with_garbage_json_is_refused_with_400);
  tcase_add_test (tc,
      test_request_not_addressed_to_symphony_is_refused_with_400);
  tcase_add_test (tc, test_request_before_joining_is_refused_with_403);
  tcase_add_test (tc, test_unsupported_request_is_refused_with_400);
  tcase_add_test (tc, test_signal_rate_limit_refuses_with_429_per_connection);
  tcase_add_test (tc,
      test_duplicate_request_is_answered_twice_and_relayed_once);
  tcase_add_test (tc, test_duplicate_create_gets_the_current_session);

  tc = tcase_create ("reconnection");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_reconnect_resends_unacked_messages_only);
  tcase_add_test (tc, test_acks_in_any_order_release_only_their_messages);
  tcase_add_test (tc,
      test_reconnect_delivers_queued_signal_once_unseen_by_peers);
  tcase_add_test (tc, test_disconnect_with_reconnect_1_keeps_the_connection);
  tcase_add_test (tc,
      test_reconnect_with_unknown_socket_id_is_closed_with_1011);
  tcase_add_test (tc,
      test_reconnect_window_expiry_deletes_with_network_disconnected);
  tcase_add_test (tc, test_socket_loss_without_reconnection_deletes_at_once);

  tc = tcase_create ("leaving");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_leaving_deletes_with_client_disconnected);
  tcase_add_test (tc,
      test_moderator_force_disconnect_reaches_all_including_victim);
  tcase_add_test (tc, test_publisher_cannot_force_disconnect);
  tcase_add_test (tc, test_force_disconnect_api);

  tc = tcase_create ("rest");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rest_create_session_returns_a_usable_session_id);
  tcase_add_test (tc, test_rest_signal_to_session_reaches_all_with_empty_from);
  tcase_add_test (tc,
      test_rest_signal_to_connection_reaches_only_that_connection);
  tcase_add_test (tc, test_rest_signal_refuses_bad_input);
  tcase_add_test (tc, test_rest_refuses_bodies_over_the_limit);
  tcase_add_test (tc, test_rest_refuses_bad_credentials_with_403);
  tcase_add_test (tc, test_rest_delete_connection_force_disconnects_it);

  tc = tcase_create ("bad-input");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_malformed_frames_close_only_that_socket_with_1007);
  tcase_add_test (tc, test_frame_of_unknown_type_is_ignored);
  tcase_add_test (tc, test_text_message_closes_only_that_socket_with_1003);
  tcase_add_test (tc, test_connection_flood_is_held_at_max_connections);
  tcase_add_test (tc, test_slow_reader_is_dropped_at_max_pending_messages);
  tcase_add_test (tc, test_slow_reader_is_dropped_at_max_pending_bytes);
  tcase_add_test (tc, test_frame_over_max_frame_size_closes_with_1009);

  tc = tcase_create ("liveness");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_silent_socket_is_closed_with_4010);
  tcase_add_test (tc, test_ping_answered_after_what_came_before);
  tcase_add_test (tc, test_io_threads);

  tc = tcase_create ("metrics");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_metrics_count_signals_and_errors);
  tcase_add_test (tc, test_healthz_answers_200);

  tc = tcase_create ("api");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_server_send_signal_api);
  tcase_add_test (tc, test_server_signal_received_reaches_every_handler);
  tcase_add_test (tc, test_server_start_stop_and_start_again);
  tcase_add_test (tc, test_two_servers_get_different_ports);
  tcase_add_test (tc, test_start_on_port_in_use_fails);

  /* a hang here is the bug it looks for: do not wait a minute for it */
  tc = tcase_create ("start-stop");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 20);
  tcase_add_test (tc, test_stop_right_after_start_returns);

  return s;
}

GST_CHECK_MAIN (server);
