/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What GstOpenTokClient asks the server and waits for a STATUS for: the
 * connection create, signals and force disconnects, in one queue in
 * sending order. A request is sent once the socket allows (a signal once
 * the session is joined), re-sent unchanged after a reconnection, failed
 * with 500 "Not connected" when it cannot wait, and completed exactly once.
 * Network thread only, except for the two entry points that hand work to
 * it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <json-glib/json-glib.h>

#include "gstopentokclient-private.h"
#include "gstopentok-private.h"
#include "gstopentokpayload.h"
#include "gstopentokraptor.h"

/* A request waiting for the server's STATUS: the connection create, a
 * signal, or a force disconnect. Its frame is kept as sent, to be re-sent
 * unchanged after a reconnection. */
typedef struct
{
  gchar *transaction_id;
  GBytes *frame;
  gboolean sent;
  gboolean is_create;
  GstOpenTokSignal *signal;     /* of a signal, with its callback */
  GstOpenTokSignalCallback callback;
  gchar *victim;                /* of a force disconnect, with its own */
  GstOpenTokClientCallback done;
  GstOpenTokClient *client;     /* not owned: it outlives its requests */
  gpointer user_data;
  GDestroyNotify notify;
} Request;

/* The outcome of a force disconnect as opentok.js reports it: a refusal
 * for the role is 1520, any other refusal 1011, and a request the
 * connection could not carry 1010. */
static GError *
force_disconnect_error_new (const GError * error)
{
  if (error == NULL)
    return NULL;
  if (error->code == GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED)
    return g_error_new (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_UNABLE_TO_FORCE_DISCONNECT,
        "This token does not allow forcing a disconnection: the role must "
        "be moderator (%s).", error->message);
  if (error->code == GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED)
    return g_error_new_literal (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED,
        "Not connected to the session.");
  return g_error_new (GST_OPENTOK_CLIENT_ERROR,
      GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER,
      "The server refused to disconnect the connection (%d): %s",
      error->code, error->message);
}

static void
request_free (Request * request)
{
  if (request->notify)
    request->notify (request->user_data);
  if (request->signal)
    gst_opentok_signal_unref (request->signal);
  g_free (request->victim);
  if (request->frame)
    g_bytes_unref (request->frame);
  g_free (request->transaction_id);
  g_free (request);
}

static GError *
not_connected_new (void)
{
  return g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, "Not connected.");
}

/* Tells the owner of @request, which is in no queue, and frees it. */
static void
request_answer (GstOpenTokClient * self, Request * request,
    const GError * error)
{
  if (request->victim != NULL) {
    GError *outcome = force_disconnect_error_new (error);

    if (request->done)
      request->done (self, outcome, request->user_data);
    g_clear_error (&outcome);
  } else if (request->callback) {
    request->callback (self, request->signal, error, request->user_data);
  }
  request_free (request);
}

/* Takes @request out of the queue and tells its owner. */
static void
client_complete_request (GstOpenTokClient * self, Request * request,
    const GError * error)
{
  GList *link = g_hash_table_lookup (self->requests_index,
      request->transaction_id);

  if (link != NULL) {
    g_hash_table_remove (self->requests_index, request->transaction_id);
    g_queue_delete_link (&self->requests, link);
  }
  request_answer (self, request, error);
}

/* Fails the requests that cannot wait (all of them when @all), with 500
 * "Not connected", as OpenTok's SDKs do. */
void
gst_opentok_client_requests_fail (GstOpenTokClient * self, gboolean all)
{
  GError *error = not_connected_new ();
  GList *l, *next;

  for (l = self->requests.head; l != NULL; l = next) {
    Request *request = l->data;

    next = l->next;
    if (all || request->victim != NULL || (request->signal != NULL &&
            !gst_opentok_signal_get_retry_after_reconnect (request->signal)))
      client_complete_request (self, request, error);
  }
  g_error_free (error);
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */

/* The Rumor MESSAGE that carries @raptor (taken; NULL when it could not be
 * made) to the session as @request, with its transaction id. */
static GBytes *
client_request_frame_new (GstOpenTokClient * self, Request * request,
    GstOpenTokRaptorMessage * raptor)
{
  GstOpenTokRumorFrame *frame;
  GBytes *payload;

  if (raptor == NULL)
    return NULL;
  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_raptor_message_unref (raptor);
  frame = gst_opentok_frame_new_raptor (self->symphony, self->connection_id,
      request->transaction_id, payload);
  g_bytes_unref (payload);
  return gst_opentok_frame_finish (frame, self);
}

/* The signal request, built when first sent: the symphony address comes
 * with the session info. Kept to be re-sent unchanged. */
static GBytes *
client_signal_frame_new (GstOpenTokClient * self, Request * request)
{
  const gchar *type = gst_opentok_signal_get_signal_type (request->signal);
  const gchar *data = gst_opentok_signal_get_data (request->signal);
  const gchar *to = gst_opentok_signal_get_to (request->signal);
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  gchar *uri, *id = gst_opentok_uuid_new ();

  if (type != NULL && *type != '\0')
    json_object_set_string_member (content, "type", type);
  if (data != NULL)
    json_object_set_string_member (content, "data", data);
  if (to != NULL && *to != '\0')
    uri = g_strdup_printf ("%s/connection/%s/signal/%s", self->topic, to, id);
  else
    uri = g_strdup_printf ("%s/signal/%s", self->topic, id);
  raptor = gst_opentok_raptor_message_new ("signal", uri, content, NULL);
  g_free (uri);
  g_free (id);
  json_object_unref (content);
  return client_request_frame_new (self, request, raptor);
}

/* The moderator's request to remove a connection from the session. */
static GBytes *
client_delete_frame_new (GstOpenTokClient * self, Request * request)
{
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  gchar *uri;

  uri = g_strdup_printf ("%s/connection/%s", self->topic, request->victim);
  raptor = gst_opentok_raptor_message_new ("delete", uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  return client_request_frame_new (self, request, raptor);
}

static GBytes *
client_create_frame_new (GstOpenTokClient * self, const gchar * transaction_id)
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content = json_object_new ();
  GBytes *payload;
  gchar *uri;

  json_object_set_string_member (content, "userAgent",
      "gst-opentok/" VERSION " GStreamer");
  GST_OBJECT_LOCK (self);
  json_object_set_string_member (content, "clientVersion",
      self->client_version);
  GST_OBJECT_UNLOCK (self);
  json_object_set_array_member (content, "capabilities", json_array_new ());
  uri = g_strdup_printf ("%s/connection/%s", self->topic, self->connection_id);
  raptor = gst_opentok_raptor_message_new ("create", uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  if (raptor == NULL)
    return NULL;

  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_raptor_message_unref (raptor);
  frame = gst_opentok_frame_new_raptor (self->symphony, self->connection_id,
      transaction_id, payload);
  g_bytes_unref (payload);
  GST_OBJECT_LOCK (self);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-TOKEN-AUTH", self->token);
  GST_OBJECT_UNLOCK (self);
  return gst_opentok_frame_finish (frame, self);
}

/* ------------------------------------------------------------------------ */
/* Queue                                                                    */

/* The connection create goes first, before any signal, and is never failed
 * by a reconnection: the server answers it with the session state. */
void
gst_opentok_client_requests_create (GstOpenTokClient * self)
{
  Request *request = g_new0 (Request, 1);

  request->transaction_id = gst_opentok_uuid_new ();
  request->is_create = TRUE;
  request->frame = client_create_frame_new (self, request->transaction_id);
  request->sent = TRUE;
  g_queue_push_head (&self->requests, request);
  g_hash_table_insert (self->requests_index, request->transaction_id,
      self->requests.head);
  gst_opentok_client_transport_send (self, request->frame);
}

/* Sends the requests not sent yet (all of them after a reconnection). */
void
gst_opentok_client_requests_flush (GstOpenTokClient * self, gboolean resend)
{
  GList *l;

  if (!gst_opentok_client_transport_is_open (self))
    return;
  for (l = self->requests.head; l != NULL; l = l->next) {
    Request *request = l->data;

    /* signals wait until the connection is created */
    if (!request->is_create && !self->joined)
      break;
    if (request->sent && !resend)
      continue;
    if (request->frame == NULL)
      request->frame = request->victim ? client_delete_frame_new (self,
          request) : client_signal_frame_new (self, request);
    request->sent = TRUE;
    gst_opentok_client_transport_send (self, request->frame);
  }
}

/* Takes @request into the queue of those waiting for the server's STATUS,
 * and sends it if the socket allows. */
static void
client_queue_request (GstOpenTokClient * self, Request * request)
{
  g_queue_push_tail (&self->requests, request);
  g_hash_table_insert (self->requests_index, request->transaction_id,
      self->requests.tail);
  gst_opentok_client_requests_flush (self, FALSE);
}

void
gst_opentok_client_requests_handle_status (GstOpenTokClient * self,
    GstOpenTokRumorFrame * frame)
{
  const gchar *id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *status_text = gst_opentok_rumor_frame_get_header (frame,
      "STATUS");
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
  GList *link;
  Request *request;
  guint status;
  gchar *reason;

  link = id ? g_hash_table_lookup (self->requests_index, id) : NULL;
  if (link == NULL)
    return;                     /* answered already: a replayed reply */
  request = link->data;
  status = gst_opentok_payload_read_status (status_text);
  reason = gst_opentok_payload_read_reason (payload);

  if (request->is_create) {
    g_hash_table_remove (self->requests_index, id);
    g_queue_delete_link (&self->requests, link);
    request_free (request);
    gst_opentok_client_session_handle_create_reply (self, status, payload,
        reason);
  } else if (status / 100 == 2) {
    client_complete_request (self, request, NULL);
  } else {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR, status,
        reason ? reason : "The server refused the signal");

    GST_INFO_OBJECT (self, "signal refused with %u: %s", status,
        error->message);
    client_complete_request (self, request, error);
    g_error_free (error);
  }
  g_free (reason);
}

/* ------------------------------------------------------------------------ */
/* Operations handed to the network thread                                  */

typedef struct
{
  GstOpenTokClient *client;
  Request *request;
  GError *error;                /* refused before reaching the network */
} SendOperation;

static void
send_operation_free (SendOperation * operation)
{
  if (operation->request)
    request_free (operation->request);
  g_clear_error (&operation->error);
  gst_object_unref (operation->client);
  g_free (operation);
}

static gboolean
send_operation_run (gpointer data)
{
  SendOperation *operation = data;
  GstOpenTokClient *self = operation->client;
  Request *request = operation->request;
  GstOpenTokClientState state = gst_opentok_client_get_state (self);
  gboolean may_wait =
      gst_opentok_signal_get_retry_after_reconnect (request->signal);

  operation->request = NULL;
  if (operation->error == NULL && state != GST_OPENTOK_CLIENT_STATE_CONNECTED
      && !(may_wait && (state == GST_OPENTOK_CLIENT_STATE_CONNECTING ||
              state == GST_OPENTOK_CLIENT_STATE_RECONNECTING)))
    operation->error = not_connected_new ();
  if (operation->error != NULL)
    request_answer (self, request, operation->error);
  else
    client_queue_request (self, request);
  return G_SOURCE_REMOVE;
}

/* Validated here, failed here when there is no network thread. */
void
gst_opentok_client_requests_send_signal (GstOpenTokClient * client,
    GstOpenTokSignal * signal, GstOpenTokSignalCallback callback,
    gpointer user_data, GDestroyNotify notify)
{
  SendOperation *operation;
  Request *request;

  request = g_new0 (Request, 1);
  request->transaction_id = gst_opentok_uuid_new ();
  request->signal = gst_opentok_signal_ref (signal);
  request->callback = callback;
  request->user_data = user_data;
  request->notify = notify;

  operation = g_new0 (SendOperation, 1);
  operation->client = gst_object_ref (client);
  operation->request = request;
  gst_opentok_signal_validate (signal, &operation->error);

  if (!gst_opentok_loop_invoke (client->loop, send_operation_run, operation,
          (GDestroyNotify) send_operation_free)) {
    /* no network thread: it fails here, and touches nothing of the
     * thread's (one may still be ending) */
    if (operation->error == NULL)
      operation->error = not_connected_new ();
    operation->request = NULL;
    request_answer (client, request, operation->error);
    send_operation_free (operation);
  }
}

static gboolean
force_disconnect_run (gpointer data)
{
  Request *request = data;
  GstOpenTokClient *self = request->client;
  GError *error;

  if (gst_opentok_client_get_state (self) == GST_OPENTOK_CLIENT_STATE_CONNECTED) {
    client_queue_request (self, request);
    return G_SOURCE_REMOVE;
  }
  error = not_connected_new ();
  request_answer (self, request, error);
  g_error_free (error);
  return G_SOURCE_REMOVE;
}

void
gst_opentok_client_requests_force_disconnect (GstOpenTokClient * client,
    const gchar * connection_id, GstOpenTokClientCallback callback,
    gpointer user_data, GDestroyNotify notify)
{
  Request *request;

  request = g_new0 (Request, 1);
  request->transaction_id = gst_opentok_uuid_new ();
  request->victim = g_strdup (connection_id);
  request->client = client;
  request->done = callback;
  request->user_data = user_data;
  request->notify = notify;
  if (!gst_opentok_loop_invoke (client->loop, force_disconnect_run, request,
          NULL)) {
    GError *error = not_connected_new ();

    request_answer (client, request, error);
    g_error_free (error);
  }
}
