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
#include <json-glib/json-glib.h>

#include "gstopentokserverhttp.h"
#include "gstopentokrest.h"
#include "gstopentokserver.h"
#include "gstopentok-private.h"
#include "gstopentoksessionid.h"
#include "gstopentokrestjwt.h"
#include "gstopentokcredential-private.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* Connections the kernel queues for accept(): see http_listen_address() */
#define LISTEN_BACKLOG 1024

struct _GstOpenTokServerHttp
{
  SoupServer *soup;
  SoupServerListenOptions options;
  const GstOpenTokServerConfig *config;
  GstOpenTokSessions *sessions;
  GstOpenTokRumorEndpoint *endpoint;
  GstOpenTokServerMetrics *metrics;
  gulong request_started_id;
};

static void
http_respond_json (SoupServerMessage * msg, guint status, JsonNode * root)
{
  gsize length;
  gchar *text = gst_opentok_json_to_string (root, NULL);

  length = strlen (text);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, text, length);
}

/* libsoup 3.2 closes the connection after every 204, whatever the headers:
 * say so, or keep-alive clients (the Node SDK's agent) send their next
 * request on a dead socket and see "socket hang up". */
static void
http_respond_no_content (SoupServerMessage * msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

/* REST errors: {"code": N, "message": "..."} with status N. */
static void
http_respond_error (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    guint status, const gchar * message)
{
  JsonObject *object = json_object_new ();
  JsonNode *root;

  GST_INFO ("%s %s: %u %s", soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)), status, message);
  gst_opentok_server_metrics_count_error (self->metrics, status);
  json_object_set_int_member (object, "code", status);
  json_object_set_string_member (object, "message", message);
  root = json_node_init_object (json_node_alloc (), object);
  http_respond_json (msg, status, root);
  json_node_unref (root);
  json_object_unref (object);
}

static void
http_respond_gerror (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    const GError * error)
{
  guint status = SOUP_STATUS_BAD_REQUEST;

  if (error->domain == GST_OPENTOK_SIGNAL_ERROR)
    status = error->code;
  else if (error->domain == GST_OPENTOK_TOKEN_ERROR)
    status = SOUP_STATUS_FORBIDDEN;
  http_respond_error (self, msg, status, error->message);
}

/* A request the session model carries out through the cluster: the
 * message is paused until its answer is set, unless that came at once. */
typedef struct
{
  GstOpenTokServerHttp *http;
  SoupServerMessage *msg;
  gboolean waiting;             /* the handler returned */
  gboolean answered;
} HttpCall;

static HttpCall *
http_call_new (GstOpenTokServerHttp * self, SoupServerMessage * msg)
{
  HttpCall *call = g_new0 (HttpCall, 1);

  call->http = self;
  call->msg = g_object_ref (msg);
  return call;
}

static void
http_call_free (HttpCall * call)
{
  g_object_unref (call->msg);
  g_free (call);
}

/* The handler returns: the call waits for its answer, or is over. */
static void
http_call_wait (HttpCall * call)
{
  if (call->answered) {
    http_call_free (call);
    return;
  }
  call->waiting = TRUE;
  soup_server_message_pause (call->msg);
}

/* Its answer is set. */
static void
http_call_answered (HttpCall * call)
{
  call->answered = TRUE;
  if (!call->waiting)
    return;
  soup_server_message_unpause (call->msg);
  http_call_free (call);
}

/* 204, or the refusal. */
static void
http_call_done (const GError * error, gpointer user_data)
{
  HttpCall *call = user_data;

  if (error != NULL)
    http_respond_gerror (call->http, call->msg, error);
  else
    http_respond_no_content (call->msg);
  http_call_answered (call);
}

static void
http_add_cors (SoupServerMessage * msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const gchar *origin = soup_message_headers_get_one (request, "Origin");
  const gchar *wanted;

  /* no credentials are involved, so any origin may read the answers */
  soup_message_headers_replace (response, "Access-Control-Allow-Origin",
      origin ? origin : "*");
  if (origin)
    soup_message_headers_append (response, "Vary", "Origin");
  if (soup_server_message_get_method (msg) != SOUP_METHOD_OPTIONS)
    return;
  soup_message_headers_replace (response, "Access-Control-Allow-Methods",
      "GET, POST, DELETE, OPTIONS");
  wanted = soup_message_headers_get_one (request,
      "Access-Control-Request-Headers");
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
      wanted ? wanted : "X-OPENTOK-AUTH, X-TB-VERSION, X-TB-CLIENT-VERSION, "
      "X-TB-CONNECTIONID, X-TB-TOKEN-AUTH, Content-Type");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "600");
}

/* The WebSocket URL for a caller: from --public-url, else from the address
 * the caller reached us at, so that it works behind any loopback name. */
static gchar *
messaging_url_new (GstOpenTokServerHttp * self, SoupServerMessage * msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const gchar *host;
  gboolean secure;

  if (self->config->public_url != NULL) {
    const gchar *rest = self->config->public_url;

    secure = g_str_has_prefix (rest, "https://");
    rest = strstr (rest, "://");
    rest = rest ? rest + 3 : self->config->public_url;
    return g_strdup_printf ("%s://%s%s%s", secure ? "wss" : "ws", rest,
        g_str_has_suffix (rest, "/") ? "" : "/",
        &GST_OPENTOK_SERVER_RUMOR_PATH[1]);
  }
  host = soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Host");
  secure = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  if (host == NULL || *host == '\0' || strpbrk (host, "/?#@ ") != NULL) {
    return g_strdup_printf ("%s://%s:%d%s", secure ? "wss" : "ws",
        g_uri_get_host (uri), g_uri_get_port (uri),
        GST_OPENTOK_SERVER_RUMOR_PATH);
  }
  return g_strdup_printf ("%s://%s%s", secure ? "wss" : "ws", host,
      GST_OPENTOK_SERVER_RUMOR_PATH);
}

/* Session info errors travel as 200 with an error element: opentok.js maps
 * error.code 403 to 1004 (authentication) and 404 to 1005 (session id). */
static void
anvil_respond_error (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    guint code, const gchar * message)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *root;

  GST_INFO ("session info refused with %u: %s", code, message);
  gst_opentok_server_metrics_count_error (self->metrics, code);
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "errorMessage");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
}

/* The session of a GET /session/ID is known (it may have been made on
 * another node). */
static void
session_info_found (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  HttpCall *call = user_data;
  GstOpenTokServerHttp *self = call->http;
  SoupServerMessage *msg = call->msg;
  JsonBuilder *builder;
  JsonNode *root;
  gchar *url, *date;

  if (error != NULL || session == NULL) {
    anvil_respond_error (self, msg, error ? 500 : 404, error ?
        error->message : "Session not found");
    http_call_answered (call);
    return;
  }
  url = messaging_url_new (self, msg);
  date = soup_date_time_to_string (session->created, SOUP_DATE_HTTP);
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "partner_id");
  json_builder_add_string_value (builder, self->config->api_key);
  json_builder_set_member_name (builder, "create_dt");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "session_status");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "media_server_hostname");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "messaging_server_url");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "messaging_url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "symphony_address");
  json_builder_add_string_value (builder, GST_OPENTOK_SERVER_SYMPHONY_ADDRESS);
  json_builder_set_member_name (builder, "ice_servers");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "ice_credential_expiration");
  json_builder_add_int_value (builder, 86100);
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reconnection");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "renegotiation");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "simulcast");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "e2ee");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "p2p");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "preference");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, "disabled");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
  g_free (date);
  g_free (url);
  http_call_answered (call);
}

static void
handle_session_info (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    const gchar * session_id)
{
  const gchar *token_string =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "X-OPENTOK-AUTH");
  GstOpenTokToken *token;
  GError *error = NULL;
  HttpCall *call;
  gchar *owner;

  /* a malformed session id is the session's fault, not the token's: 400,
   * which OpenTok's clients report as 1005 */
  owner = gst_opentok_session_id_get_api_key (session_id, &error);
  if (owner == NULL) {
    gchar *message = g_strdup_printf ("Invalid session id: %s",
        error->message);

    anvil_respond_error (self, msg, 400, message);
    g_free (message);
    g_clear_error (&error);
    return;
  }
  g_free (owner);
  if (token_string == NULL || *token_string == '\0') {
    anvil_respond_error (self, msg, 403,
        "The X-OPENTOK-AUTH header with the client token is missing");
    return;
  }
  token = gst_opentok_token_verify (token_string, self->config->api_key,
      self->config->api_secret, session_id, 0, &error);
  if (token == NULL) {
    gchar *message = g_strdup_printf ("Invalid token: %s", error->message);

    anvil_respond_error (self, msg, 403, message);
    g_free (message);
    g_error_free (error);
    return;
  }
  gst_opentok_token_unref (token);
  call = http_call_new (self, msg);
  gst_opentok_sessions_find (self->sessions, session_id, session_info_found,
      call);
  http_call_wait (call);
}

/* REST calls carry a JWT in X-OPENTOK-AUTH; older SDKs send
 * X-TB-PARTNER-AUTH "key:secret". */
static gboolean
rest_authenticate (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    GError ** error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *jwt = soup_message_headers_get_one (headers, "X-OPENTOK-AUTH");
  const gchar *partner = soup_message_headers_get_one (headers,
      "X-TB-PARTNER-AUTH");

  if (jwt != NULL)
    return gst_opentok_rest_jwt_verify (jwt, self->config->api_key,
        self->config->api_secret, 0, error);
  if (partner != NULL) {
    gchar *expected = g_strdup_printf ("%s:%s", self->config->api_key,
        self->config->api_secret);
    gsize length = strlen (expected);
    gboolean equal = strlen (partner) == length
        && gst_opentok_credential_equal (partner, expected, length);

    memset (expected, 0, length);
    g_free (expected);
    if (equal)
      return TRUE;
  }
  g_set_error_literal (error, GST_OPENTOK_TOKEN_ERROR,
      GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
      jwt || partner ? "Invalid API key or secret" :
      "Authentication needed: send a JWT in X-OPENTOK-AUTH");
  return FALSE;
}

static void
rest_session_added (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  HttpCall *call = user_data;
  GstOpenTokServerHttp *self = call->http;
  JsonBuilder *builder;
  JsonNode *root;
  gchar *date;

  if (error != NULL) {
    http_respond_error (self, call->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
        error->message);
    http_call_answered (call);
    return;
  }
  date = soup_date_time_to_string (session->created, SOUP_DATE_HTTP);
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "project_id");
  json_builder_add_string_value (builder, self->config->api_key);
  json_builder_set_member_name (builder, "partner_id");
  json_builder_add_string_value (builder, self->config->api_key);
  json_builder_set_member_name (builder, "create_dt");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "media_server_url");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  http_respond_json (call->msg, SOUP_STATUS_OK, root);
  json_node_unref (root);
  g_object_unref (builder);
  g_free (date);
  http_call_answered (call);
}

static void
handle_rest_create_session (GstOpenTokServerHttp * self,
    SoupServerMessage * msg)
{
  HttpCall *call = http_call_new (self, msg);

  /* archiveMode, p2p.preference and location are accepted: this server
   * relays no media, so they change nothing */
  gst_opentok_sessions_add (self->sessions, self->config->api_key,
      rest_session_added, call);
  http_call_wait (call);
}

/* A REST signal or force-disconnect, read, waiting for its session. */
typedef struct
{
  HttpCall *call;
  gboolean is_delete;
  gchar *connection_id;         /* nullable for a signal */
  gchar *type;
  gchar *data;
} RestRequest;

static void
rest_request_free (RestRequest * request)
{
  g_free (request->connection_id);
  g_free (request->type);
  g_free (request->data);
  g_free (request);
}

/* The session is known (it may have been made on another node): the
 * request is carried out through the cluster. */
static void
rest_found_session (GstOpenTokSession * session, const GError * error,
    gpointer user_data)
{
  RestRequest *request = user_data;
  HttpCall *call = request->call;
  GError *refusal = NULL;

  if (error != NULL) {
    http_call_done (error, call);
  } else if (session == NULL) {
    http_respond_error (call->http, call->msg, SOUP_STATUS_NOT_FOUND,
        "Session not found");
    http_call_answered (call);
  } else if (request->is_delete) {
    gst_opentok_session_force_disconnect (session, request->connection_id,
        NULL, http_call_done, call);
  } else if (gst_opentok_session_check_signal (session, request->type,
          request->data, request->connection_id, &refusal)) {
    gst_opentok_session_relay_signal (session, "", NULL,
        request->connection_id,
        request->type, request->data, NULL, http_call_done, call);
  } else {
    http_call_done (refusal, call);
    g_error_free (refusal);
  }
  rest_request_free (request);
}

/* /v2/project/{key}/session/{id}/signal
 * /v2/project/{key}/session/{id}/connection/{cid}/signal
 * /v2/project/{key}/session/{id}/connection/{cid}            */
static void
handle_rest_project (GstOpenTokServerHttp * self, SoupServerMessage * msg,
    const gchar * path)
{
  const gchar *method = soup_server_message_get_method (msg);
  gchar **parts = g_strsplit (path, "/", 0);
  guint n = g_strv_length (parts);
  gboolean is_signal, is_delete;
  GError *error = NULL;
  RestRequest *request;
  HttpCall *call;

  /* parts: "", "v2", "project", key, "session", id, ... */
  is_signal = method == SOUP_METHOD_POST &&
      ((n == 7 && g_str_equal (parts[6], "signal")) ||
      (n == 9 && g_str_equal (parts[6], "connection") &&
          g_str_equal (parts[8], "signal")));
  is_delete = method == SOUP_METHOD_DELETE && n == 8 &&
      g_str_equal (parts[6], "connection");
  if (n < 6 || !g_str_equal (parts[4], "session") || (!is_signal && !is_delete)) {
    http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "No such resource");
    goto out;
  }
  if (!rest_authenticate (self, msg, &error)) {
    http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, error->message);
    goto out;
  }
  if (!g_str_equal (parts[3], self->config->api_key)) {
    http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN,
        "The project id in the URL is not the authenticated one");
    goto out;
  }

  request = g_new0 (RestRequest, 1);
  request->is_delete = is_delete;
  if (n >= 8)
    request->connection_id = g_strdup (parts[7]);
  if (is_signal) {
    SoupMessageBody *body = soup_server_message_get_request_body (msg);

    if (!gst_opentok_rest_read_signal_body (body->data, body->length,
            &request->type, &request->data, &error)) {
      http_respond_gerror (self, msg, error);
      rest_request_free (request);
      goto out;
    }
  }
  call = request->call = http_call_new (self, msg);
  gst_opentok_sessions_find (self->sessions, parts[5], rest_found_session,
      request);
  http_call_wait (call);

out:
  g_clear_error (&error);
  g_strfreev (parts);
}

void
gst_opentok_server_metrics_init (GstOpenTokServerMetrics * metrics)
{
  memset (metrics, 0, sizeof (*metrics));
  metrics->errors = g_hash_table_new (g_direct_hash, g_direct_equal);
}

void
gst_opentok_server_metrics_clear (GstOpenTokServerMetrics * metrics)
{
  g_clear_pointer (&metrics->errors, g_hash_table_unref);
}

void
gst_opentok_server_metrics_count_error (GstOpenTokServerMetrics * metrics,
    guint code)
{
  gpointer key = GUINT_TO_POINTER (code);
  guint64 count = GPOINTER_TO_SIZE (g_hash_table_lookup (metrics->errors,
          key));

  g_hash_table_insert (metrics->errors, key, GSIZE_TO_POINTER (count + 1));
}

static void
metrics_append (GString * out, const gchar * name, const gchar * type,
    const gchar * help, guint64 value)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n%s %"
      G_GUINT64_FORMAT "\n", name, help, name, type, name, value);
}

static gint
compare_codes (gconstpointer a, gconstpointer b)
{
  return (gint) GPOINTER_TO_UINT (a) - (gint) GPOINTER_TO_UINT (b);
}

static void
handle_metrics (GstOpenTokServerHttp * self, SoupServerMessage * msg)
{
  GString *out = g_string_new (NULL);
  GstOpenTokServerMetrics *metrics = self->metrics;
  guint64 members, pending;
  gpointer key, value;
  GList *codes, *l;

  gst_opentok_sessions_count (self->sessions, &members, &pending);
  metrics_append (out, "opentok_sessions", "gauge", "Sessions on this server",
      gst_opentok_sessions_get_n_sessions (self->sessions));
  metrics_append (out, "opentok_connections", "gauge",
      "Connections in sessions, including those waiting to reconnect", members);
  metrics_append (out, "opentok_sockets", "gauge", "Open Rumor WebSockets",
      gst_opentok_rumor_endpoint_get_n_sockets (self->endpoint));
  metrics_append (out, "opentok_pending_messages", "gauge",
      "Messages sent to connections and not acknowledged yet", pending);
  metrics_append (out, "opentok_connections_total", "counter",
      "Connections that joined a session", metrics->connections_total);
  metrics_append (out, "opentok_connections_refused_total", "counter",
      "Sockets closed at once because max-connections were open",
      metrics->connections_refused);
  metrics_append (out, "opentok_reconnections_total", "counter",
      "Sockets that took over a lost one", metrics->reconnections);
  if (metrics->cluster_node != NULL) {
    metrics_append (out, "opentok_cluster_connected", "gauge",
        "1 while the cluster's Redis can be reached",
        metrics->cluster_connected);
    metrics_append (out, "opentok_redis_commands_total", "counter",
        "Round trips to Redis asked for", metrics->redis_commands);
    metrics_append (out, "opentok_remote_deliveries_total", "counter",
        "Copies of signals accepted by other nodes, handed to connections "
        "here", metrics->remote_deliveries);
    metrics_append (out, "opentok_takeovers_total", "counter",
        "Connections taken over from other nodes", metrics->takeovers);
    metrics_append (out, "opentok_lease_renewals_total", "counter",
        "Times this node told Redis it is alive", metrics->lease_renewals);
    metrics_append (out, "opentok_nodes_written_off_total", "counter",
        "Silent nodes whose connections this node deleted",
        metrics->nodes_written_off);
  }
  metrics_append (out, "opentok_frames_received_total", "counter",
      "Rumor frames received",
      gst_opentok_rumor_endpoint_get_frames_received (self->endpoint));
  metrics_append (out, "opentok_messages_sent_total", "counter",
      "Server messages queued to connections", metrics->messages_sent);
  metrics_append (out, "opentok_signals_received_total", "counter",
      "Signals accepted from clients and REST", metrics->signals_received);
  metrics_append (out, "opentok_signals_delivered_total", "counter",
      "Signal copies handed to connections", metrics->signals_delivered);

  g_string_append (out, "# HELP opentok_errors_total Requests refused, by "
      "OpenTok code (WebSocket close codes for closed sockets)\n"
      "# TYPE opentok_errors_total counter\n");
  codes = g_hash_table_get_keys (metrics->errors);
  codes = g_list_sort (codes, compare_codes);
  for (l = codes; l != NULL; l = l->next) {
    key = l->data;
    value = g_hash_table_lookup (metrics->errors, key);
    g_string_append_printf (out, "opentok_errors_total{code=\"%u\"} %"
        G_GSIZE_FORMAT "\n", GPOINTER_TO_UINT (key), GPOINTER_TO_SIZE (value));
  }
  g_list_free (codes);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4",
      SOUP_MEMORY_TAKE, out->str, out->len);
  g_string_free (out, FALSE);
}

/* A body larger than any REST call takes is refused, and the rest of it read
 * and thrown away: on its headers when it states its length, or as soon as
 * the chunks read pass the limit when it does not (chunked encoding). */
static void
http_refuse_body (GstOpenTokServerHttp * self, SoupServerMessage * msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  http_add_cors (msg);
  http_respond_error (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
      "The request body is larger than any OpenTok REST call takes");
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

static void
http_on_got_headers (SoupServerMessage * msg, GstOpenTokServerHttp * self)
{
  goffset length =
      soup_message_headers_get_content_length
      (soup_server_message_get_request_headers (msg));

  if (length > GST_OPENTOK_REST_MAX_BODY_SIZE)
    http_refuse_body (self, msg);
}

static void
http_on_got_chunk (SoupServerMessage * msg, GBytes * chunk,
    GstOpenTokServerHttp * self)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* libsoup appends each chunk before this signal, while accumulating */
  if (soup_message_body_get_accumulate (body) &&
      body->length > GST_OPENTOK_REST_MAX_BODY_SIZE)
    http_refuse_body (self, msg);
}

static void
http_on_request_started (SoupServer * soup, SoupServerMessage * msg,
    GstOpenTokServerHttp * self)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (http_on_got_headers), self);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (http_on_got_chunk), self);
}

/* What every handler does first: CORS headers, and the answer to a
 * preflight. Returns TRUE when @msg is answered. */
static gboolean
http_begin (SoupServerMessage * msg)
{
  http_add_cors (msg);
  if (soup_server_message_get_method (msg) != SOUP_METHOD_OPTIONS)
    return FALSE;
  /* 200 with an empty body rather than 204: see http_respond_no_content */
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
      "", 0);
  return TRUE;
}

/* Anything no other handler takes. */
static void
http_on_unknown (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  GstOpenTokServerHttp *self = user_data;

  if (!http_begin (msg))
    http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "No such resource");
}

/* For a handler of one resource: TRUE when @msg asks for it (@wanted, or
 * below it when @wanted ends with '/') with @method; otherwise @msg is
 * answered here. */
static gboolean
http_accept (SoupServerMessage * msg, const char *path, const gchar * wanted,
    const char *method, GstOpenTokServerHttp * self)
{
  gboolean below = g_str_has_suffix (wanted, "/");

  if (http_begin (msg))
    return FALSE;
  if ((below ? g_str_has_prefix (path, wanted) : g_str_equal (path, wanted))
      && soup_server_message_get_method (msg) == method)
    return TRUE;
  http_respond_error (self, msg, SOUP_STATUS_NOT_FOUND, "No such resource");
  return FALSE;
}

static void
http_on_healthz (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  GstOpenTokServerHttp *self = user_data;
  const GstOpenTokServerMetrics *metrics = self->metrics;
  gboolean healthy;
  GString *body;

  if (!http_accept (msg, path, "/healthz", SOUP_METHOD_GET, user_data))
    return;
  /* a node that cannot reach its cluster's Redis takes no work */
  healthy = metrics->cluster_node == NULL || metrics->cluster_connected;
  body = g_string_new (healthy ? "{\"status\":\"ok\"" :
      "{\"status\":\"unhealthy\"");
  if (metrics->cluster_node != NULL) {
    g_string_append (body, ",\"node\":");
    gst_opentok_json_append_string (body, metrics->cluster_node);
    g_string_append_printf (body, ",\"redis\":\"%s\"",
        metrics->cluster_connected ? "connected" : "unreachable");
  }
  g_string_append_c (body, '}');
  soup_server_message_set_status (msg, healthy ? SOUP_STATUS_OK :
      SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, body->str, body->len);
  g_string_free (body, FALSE);
}

static void
http_on_metrics (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  if (http_accept (msg, path, "/metrics", SOUP_METHOD_GET, user_data))
    handle_metrics (user_data, msg);
}

/* The client's analytics (/logging/ClientEvent, /logging/ClientQos):
 * accepted, not kept. */
static void
http_on_logging (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  if (http_accept (msg, path, "/logging/", SOUP_METHOD_POST, user_data))
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
http_on_session_create (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  GstOpenTokServerHttp *self = user_data;
  GError *error = NULL;

  if (http_begin (msg))
    return;
  if (!g_str_equal (path, "/session/create"))
    http_on_unknown (soup, msg, path, query, user_data);
  else if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    http_respond_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "Sessions are created with POST");
  else if (!rest_authenticate (self, msg, &error))
    http_respond_error (self, msg, SOUP_STATUS_FORBIDDEN, error->message);
  else
    handle_rest_create_session (self, msg);
  g_clear_error (&error);
}

/* GET /session/{session-id} */
static void
http_on_session (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  const gchar *session_id;

  if (!http_accept (msg, path, "/session/", SOUP_METHOD_GET, user_data))
    return;
  session_id = path + strlen ("/session/");
  if (*session_id == '\0' || strchr (session_id, '/') != NULL)
    http_respond_error (user_data, msg, SOUP_STATUS_NOT_FOUND,
        "No such resource");
  else
    handle_session_info (user_data, msg, session_id);
}

static void
http_on_project (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  if (!http_begin (msg))
    handle_rest_project (user_data, msg, path);
}

/* Listens on @address with a backlog of LISTEN_BACKLOG: SoupServer's own
 * sockets listen with GSocket's default of 10, and a crowd joining at once
 * (a class, every client of a restarted server) would have its connections
 * wait for SYN retransmissions, a second or more each. */
static gboolean
http_listen_address (GstOpenTokServerHttp * self, GInetAddress * address,
    guint port, GError ** error)
{
  GSocketAddress *socket_address = g_inet_socket_address_new (address, port);
  GSocket *socket;
  gboolean ok = FALSE;

  socket = g_socket_new (g_inet_address_get_family (address),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket != NULL) {
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
    ok = g_socket_bind (socket, socket_address, TRUE, error) &&
        g_socket_listen (socket, error) &&
        soup_server_listen_socket (self->soup, socket, self->options, error);
    g_object_unref (socket);
  }
  g_object_unref (socket_address);
  return ok;
}

guint
gst_opentok_server_http_listen (GstOpenTokServerHttp * self,
    const gchar * host, guint port, GError ** error)
{
  GSList *uris;
  gboolean ok;

  if (g_strcmp0 (host, "localhost") == 0) {
    GInetAddress *address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    GError *ipv6_error = NULL;

    /* both loopbacks on one port, as soup_server_listen_local() does: the
     * IPv6 one only where the system has IPv6 */
    ok = http_listen_address (self, address, port, error);
    g_object_unref (address);
    if (ok && port == 0) {
      uris = soup_server_get_uris (self->soup);
      port = uris ? (guint) g_uri_get_port (uris->data) : 0;
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }
    if (ok) {
      address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      if (!http_listen_address (self, address, port, &ipv6_error)) {
        if (g_error_matches (ipv6_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)) {
          g_clear_error (&ipv6_error);
        } else {
          g_propagate_error (error, ipv6_error);
          ok = FALSE;
        }
      }
      g_object_unref (address);
    }
  } else {
    GInetAddress *address = g_inet_address_new_from_string (host);

    if (address == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not an IP address (or \"localhost\")", host);
      return 0;
    }
    ok = http_listen_address (self, address, port, error);
    g_object_unref (address);
  }
  if (!ok)
    return 0;

  uris = soup_server_get_uris (self->soup);
  port = uris ? (guint) g_uri_get_port (uris->data) : port;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

/* The Rumor WebSocket */
static void
http_on_rumor (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  GstOpenTokServerHttp *self = user_data;

  gst_opentok_rumor_endpoint_handle_request (self->endpoint, msg);
}

/* NULL: every path no other handler takes */
static const struct
{
  const gchar *path;
  SoupServerCallback callback;
} http_handlers[] = {
  {NULL, http_on_unknown},
  {"/healthz", http_on_healthz},
  {"/metrics", http_on_metrics},
  {"/logging", http_on_logging},
  {"/session", http_on_session},
  {"/session/create", http_on_session_create},
  {"/v2/project", http_on_project},
  {GST_OPENTOK_SERVER_RUMOR_PATH, http_on_rumor},
};

GstOpenTokServerHttp *
gst_opentok_server_http_new (GTlsCertificate * certificate,
    const GstOpenTokServerConfig * config, GstOpenTokSessions * sessions,
    GstOpenTokRumorEndpoint * endpoint, GstOpenTokServerMetrics * metrics)
{
  GstOpenTokServerHttp *self = g_new0 (GstOpenTokServerHttp, 1);
  SoupServer *soup;
  guint i;

  soup = self->soup = soup_server_new ("server-header", "gst-opentok-server/"
      VERSION " ", "tls-certificate", certificate, NULL);
  self->options = certificate ? SOUP_SERVER_LISTEN_HTTPS : 0;
  self->config = config;
  self->sessions = sessions;
  self->endpoint = endpoint;
  self->metrics = metrics;
  for (i = 0; i < G_N_ELEMENTS (http_handlers); i++)
    soup_server_add_handler (soup, http_handlers[i].path,
        http_handlers[i].callback, self, NULL);
  self->request_started_id = g_signal_connect (soup, "request-started",
      G_CALLBACK (http_on_request_started), self);
  return self;
}

void
gst_opentok_server_http_free (GstOpenTokServerHttp * self)
{
  guint i;

  soup_server_disconnect (self->soup);
  g_signal_handler_disconnect (self->soup, self->request_started_id);
  for (i = 0; i < G_N_ELEMENTS (http_handlers); i++)
    soup_server_remove_handler (self->soup, http_handlers[i].path);
  g_object_unref (self->soup);
  g_free (self);
}
