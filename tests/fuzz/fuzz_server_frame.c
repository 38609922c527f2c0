/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the server sends a client: one WebSocket message, read as the
 * client reads it (gst/opentok/gstopentokclient.c, on_socket_message ()
 * and what it calls): a Rumor frame of at most the client's frame size;
 * a STATUS frame's status, reason and connection list; a MESSAGE frame's
 * ack, then its Raptor message: connection#created and #deleted, and
 * signal#signal, with the readers of gst/opentok/gstopentokpayload.c
 * (internal). Every connection read has an id, data and a plausible time;
 * every signal read is a received one with the sender the frame names;
 * what the client sends back (the ack, an error message) can be written. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>
#include <gst/opentok/gstopentokpayload.h>

#include "fuzz-common.h"

/* the receiving client's own connection id, as in the seed corpus */
#define FUZZ_OWN_CONNECTION_ID "b6e1a7c2-0f3d-4c59-9e8a-5d2f7c1b3a40"

static void
check_connection (const GstOpenTokConnection * connection)
{
  const gchar *id = gst_opentok_connection_get_id (connection);
  const gchar *data = gst_opentok_connection_get_data (connection);
  gint64 creation_time = gst_opentok_connection_get_creation_time (connection);

  FUZZ_CHECK (id != NULL && *id != '\0');
  FUZZ_CHECK (g_utf8_validate (id, -1, NULL));
  FUZZ_CHECK (data != NULL && g_utf8_validate (data, -1, NULL));
  FUZZ_CHECK (creation_time >= 0 &&
      creation_time < GST_OPENTOK_PAYLOAD_MAX_CREATION_TIME);
}

static void
check_status (GstOpenTokRumorFrame * frame)
{
  const gchar *header = gst_opentok_rumor_frame_get_header (frame, "STATUS");
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
  GstOpenTokClientError code;
  GPtrArray *connections;
  GError *error;
  gchar *reason;
  guint status, i;

  status = gst_opentok_payload_read_status (header);
  FUZZ_CHECK (status >= 100 && status <= 599);
  if (header == NULL)
    FUZZ_CHECK (status == 200);
  else if (g_str_equal (header, "200"))
    FUZZ_CHECK (status == 200);

  reason = gst_opentok_payload_read_reason (payload);
  FUZZ_CHECK (reason == NULL || g_utf8_validate (reason, -1, NULL));

  /* a refused create, and a refused signal, as the client reports them */
  code = gst_opentok_payload_create_error (status, reason);
  FUZZ_CHECK (code == GST_OPENTOK_CLIENT_ERROR_CONNECTION_LIMIT ||
      code == GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION ||
      code == GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION ||
      code == GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED ||
      code == GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE);
  error = g_error_new (GST_OPENTOK_CLIENT_ERROR, code,
      "The server refused the connection (%u): %s", status,
      reason ? reason : "no reason given");
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
  g_error_free (error);
  error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR, status,
      reason ? reason : "The server refused the signal");
  g_error_free (error);

  /* an accepted create: the client reads the list whatever the status
   * here, to cover it from every input */
  connections = gst_opentok_payload_read_connections (payload);
  FUZZ_CHECK (connections != NULL);
  for (i = 0; i < connections->len; i++)
    check_connection (g_ptr_array_index (connections, i));
  g_ptr_array_unref (connections);
  g_free (reason);
}

/* The client acks every MESSAGE that has a TRANSACTION-ID, addressed to its
 * sender: what the server wrote must be written back. */
static void
check_ack (const gchar * transaction_id, const gchar * from)
{
  GstOpenTokRumorFrame *ack =
      gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  GError *error = NULL;
  GBytes *bytes;

  gst_opentok_rumor_frame_add_address (ack, from ? from : "");
  gst_opentok_rumor_frame_set_header (ack, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (ack, "X-TB-FROM-ADDRESS",
      FUZZ_OWN_CONNECTION_ID);
  bytes = gst_opentok_rumor_frame_serialize (ack, &error);
  FUZZ_CHECK (bytes != NULL && error == NULL);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_unref (ack);
}

static void
check_connection_event (GstOpenTokRaptorMessage * raptor)
{
  const gchar *method = gst_opentok_raptor_message_get_method (raptor);
  JsonObject *content = gst_opentok_raptor_message_get_content (raptor);
  GstOpenTokConnection *connection;

  if (g_str_equal (method, "created")) {
    connection = gst_opentok_payload_read_connection (content);
    if (connection != NULL) {
      check_connection (connection);
      FUZZ_CHECK (g_strcmp0 (gst_opentok_connection_get_id (connection),
              json_object_get_string_member (content, "id")) == 0);
      gst_opentok_connection_unref (connection);
    } else {
      JsonNode *id = json_object_get_member (content, "id");

      /* only a missing, empty or non-string id is refused */
      FUZZ_CHECK (id == NULL || !JSON_NODE_HOLDS_VALUE (id) ||
          json_node_get_value_type (id) != G_TYPE_STRING ||
          *json_node_get_string (id) == '\0');
    }
  } else if (g_str_equal (method, "deleted")) {
    const gchar *reason = gst_opentok_raptor_message_get_reason (raptor);

    FUZZ_CHECK (reason == NULL || g_utf8_validate (reason, -1, NULL));
  }
}

static void
check_signal (GstOpenTokRaptorMessage * raptor, const gchar * from)
{
  GstOpenTokSignal *signal;
  GstStructure *structure;
  const gchar *type;

  signal = gst_opentok_payload_read_signal (raptor, from,
      FUZZ_OWN_CONNECTION_ID);
  FUZZ_CHECK (signal != NULL);
  FUZZ_CHECK (gst_opentok_signal_is_received (signal));
  type = gst_opentok_signal_get_signal_type (signal);
  FUZZ_CHECK (type == NULL || *type != '\0');
  if (*from == '\0') {
    /* sent with the REST API: from nobody */
    FUZZ_CHECK (gst_opentok_signal_get_from (signal) == NULL);
    FUZZ_CHECK (!gst_opentok_signal_is_from_self (signal));
  } else {
    FUZZ_CHECK (g_strcmp0 (gst_opentok_signal_get_from (signal), from) == 0);
    FUZZ_CHECK (gst_opentok_signal_is_from_self (signal) ==
        g_str_equal (from, FUZZ_OWN_CONNECTION_ID));
  }
  /* as signalbin hands it to the application */
  structure = gst_opentok_signal_to_structure (signal);
  FUZZ_CHECK (structure != NULL);
  gst_structure_free (structure);
  gst_opentok_signal_unref (signal);
}

static void
check_message (GstOpenTokRumorFrame * frame)
{
  const gchar *id = gst_opentok_rumor_frame_get_header (frame,
      "TRANSACTION-ID");
  const gchar *from = gst_opentok_rumor_frame_get_header (frame,
      "X-TB-FROM-ADDRESS");
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);
  GstOpenTokRaptorMessage *raptor;
  const gchar *resource, *method;
  GError *error = NULL;
  const gchar *data;
  gsize size;

  if (id != NULL)
    check_ack (id, from);

  data = g_bytes_get_data (payload, &size);
  raptor = gst_opentok_raptor_message_parse (data, size, &error);
  if (raptor == NULL) {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_PROTOCOL_ERROR);
    g_error_free (error);
    return;
  }
  resource = gst_opentok_raptor_message_get_resource (raptor);
  method = gst_opentok_raptor_message_get_method (raptor);
  if (g_str_equal (resource, "connection"))
    check_connection_event (raptor);
  else if (g_str_equal (resource, "signal") && g_str_equal (method, "signal")
      && from != NULL)
    check_signal (raptor, from);
  gst_opentok_raptor_message_unref (raptor);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;
  GBytes *bytes;

  fuzz_init ();

  bytes = g_bytes_new_static (data, size);
  frame = gst_opentok_rumor_frame_parse (bytes,
      GST_OPENTOK_CLIENT_MAX_FRAME_SIZE, &error);
  g_bytes_unref (bytes);
  if (frame == NULL) {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_PROTOCOL_ERROR);
    g_error_free (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);

  switch (gst_opentok_rumor_frame_get_message_type (frame)) {
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      check_status (frame);
      break;
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      check_message (frame);
      break;
    default:
      break;
  }
  gst_opentok_rumor_frame_unref (frame);
  return 0;
}
