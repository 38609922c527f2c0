/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Writes the seed corpus of the server_frame fuzz target: the frames a
 * server sends a client (the protocol document, sections 4.3 and 5.2),
 * built with the library's own Raptor and Rumor writers, one file each.
 *
 *   seed_server_frame tests/fuzz/corpus/server_frame
 *
 * The client the frames are for has the connection id
 * FUZZ_OWN_CONNECTION_ID of fuzz_server_frame.c. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>
#include <gst/opentok/gstopentokserver-private.h>
#include <gst/opentok/gstopentok-private.h>

#define API_KEY "123456"
#define SESSION_ID \
  "1_MX4xMjM0NTZ-fjE3OTU0NjU0Nzk3MjV-ZTliOTQ1M2VlZTZjOWFmMTZjfg"
#define OWN_ID "b6e1a7c2-0f3d-4c59-9e8a-5d2f7c1b3a40"
#define ALICE_ID "2c9d4e71-8a3b-4f60-b1d5-7e0a9c6f2b18"
#define SYMPHONY GST_OPENTOK_SERVER_SYMPHONY_ADDRESS
#define URI_PREFIX "/v2/partner/" API_KEY "/session/" SESSION_ID
/* the client subscribes to its session's URI */
#define TOPIC URI_PREFIX

static const gchar *out_dir;
static gboolean failed;

static void
write_frame (const gchar * name, GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  gchar *path;
  GBytes *bytes;
  gsize size;
  const gchar *data;

  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  gst_opentok_rumor_frame_unref (frame);
  if (bytes == NULL) {
    g_printerr ("%s: %s\n", name, error->message);
    g_error_free (error);
    failed = TRUE;
    return;
  }
  data = g_bytes_get_data (bytes, &size);
  path = g_build_filename (out_dir, name, NULL);
  if (!g_file_set_contents (path, data, size, &error)) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    failed = TRUE;
  } else {
    g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
  }
  g_free (path);
  g_bytes_unref (bytes);
}

/* A connection object, as in the create reply and connection#created. */
static JsonObject *
connection_object (const gchar * id, gint64 creation_time,
    const gchar * data, gboolean moderator)
{
  JsonObject *object = json_object_new ();
  JsonArray *permissions = json_array_new ();

  json_object_set_string_member (object, "id", id);
  json_object_set_int_member (object, "creationTime", creation_time);
  if (data != NULL)
    json_object_set_string_member (object, "data", data);
  json_array_add_string_element (permissions, "publish");
  json_array_add_string_element (permissions, "subscribe");
  if (moderator) {
    json_array_add_string_element (permissions, "forceunpublish");
    json_array_add_string_element (permissions, "forcedisconnect");
    json_array_add_string_element (permissions, "forcemute");
  }
  json_object_set_array_member (object, "permissions", permissions);
  return object;
}

/* A STATUS reply to the client's request @transaction_id; @status NULL for
 * none, @body (taken) NULL for an empty payload. */
static GstOpenTokRumorFrame *
status_frame (const gchar * transaction_id, const gchar * status,
    JsonObject * body)
{
  GstOpenTokRumorFrame *frame =
      gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);

  gst_opentok_rumor_frame_add_address (frame, OWN_ID);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  if (status != NULL)
    gst_opentok_rumor_frame_set_header (frame, "STATUS", status);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", SYMPHONY);
  if (body != NULL) {
    JsonNode *root = json_node_init_object (json_node_alloc (), body);

    gst_opentok_rumor_frame_take_payload_string (frame,
        gst_opentok_json_to_string (root, NULL));
    json_node_unref (root);
    json_object_unref (body);
  }
  return frame;
}

static JsonObject *
reason_body (const gchar * reason)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "reason", reason);
  return body;
}

/* A Raptor MESSAGE from the server to @to; @from NULL for no
 * X-TB-FROM-ADDRESS header; @content taken. */
static GstOpenTokRumorFrame *
message_frame (const gchar * to, const gchar * transaction_id,
    const gchar * from, const gchar * method, const gchar * uri,
    const gchar * reason, JsonObject * content)
{
  GstOpenTokRumorFrame *frame =
      gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  GstOpenTokRaptorMessage *raptor;
  GError *error = NULL;

  raptor = gst_opentok_raptor_message_new (method, uri, content, &error);
  json_object_unref (content);
  if (raptor == NULL) {
    g_printerr ("%s %s: %s\n", method, uri, error->message);
    g_error_free (error);
    failed = TRUE;
    return frame;
  }
  if (reason != NULL)
    gst_opentok_raptor_message_set_reason (raptor, reason);
  gst_opentok_rumor_frame_add_address (frame, to);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  if (transaction_id != NULL)
    gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID",
        transaction_id);
  if (from != NULL)
    gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", from);
  gst_opentok_rumor_frame_take_payload_string (frame,
      gst_opentok_raptor_message_to_string (raptor));
  gst_opentok_raptor_message_unref (raptor);
  return frame;
}

static JsonObject *
signal_content (const gchar * type, const gchar * data)
{
  JsonObject *content = json_object_new ();

  if (type != NULL)
    json_object_set_string_member (content, "type", type);
  if (data != NULL)
    json_object_set_string_member (content, "data", data);
  return content;
}

static void
write_status_frames (void)
{
  JsonObject *body;
  JsonArray *list;

  /* the create accepted: the session state with every connection */
  body = json_object_new ();
  json_object_set_string_member (body, "id", SESSION_ID);
  list = json_array_new ();
  json_array_add_object_element (list, connection_object (ALICE_ID,
          G_GINT64_CONSTANT (1795459309513), "name=Alice", TRUE));
  json_array_add_object_element (list, connection_object (OWN_ID,
          G_GINT64_CONSTANT (1795459311020), NULL, FALSE));
  json_object_set_array_member (body, "connection", list);
  json_object_set_array_member (body, "stream", json_array_new ());
  json_object_set_array_member (body, "archive", json_array_new ());
  write_frame ("create-200-two-connections",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "200", body));

  /* the first in the session: an empty list */
  body = json_object_new ();
  json_object_set_string_member (body, "id", SESSION_ID);
  json_object_set_array_member (body, "connection", json_array_new ());
  json_object_set_array_member (body, "stream", json_array_new ());
  json_object_set_array_member (body, "archive", json_array_new ());
  write_frame ("create-200-alone",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "200", body));

  /* refused creates, one per mapping of the client */
  write_frame ("create-403-invalid-token",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "403",
          reason_body ("Invalid token")));
  write_frame ("create-404-no-session",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "404",
          reason_body ("Session not found")));
  write_frame ("create-409-connection-id-taken",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "409",
          reason_body ("The connection id is taken")));
  write_frame ("create-503-connection-limit",
      status_frame ("5c0b2f6e-1d7a-4e93-8b2c-0a6f4d1e9b37", "503",
          reason_body ("connectionLimitExceeded")));

  /* signal replies: accepted (empty payload, or no STATUS header at all)
   * and refused */
  write_frame ("signal-200-empty",
      status_frame ("e3a91c5d-7b2f-4a08-9c6e-1f4d8b2a7c55", "200", NULL));
  write_frame ("signal-no-status-header",
      status_frame ("e3a91c5d-7b2f-4a08-9c6e-1f4d8b2a7c55", NULL, NULL));
  write_frame ("signal-413-too-large",
      status_frame ("e3a91c5d-7b2f-4a08-9c6e-1f4d8b2a7c55", "413",
          reason_body ("The signal data is too long")));
  write_frame ("signal-404-no-such-connection",
      status_frame ("e3a91c5d-7b2f-4a08-9c6e-1f4d8b2a7c55", "404",
          reason_body ("The signal's target connection is not in the "
              "session")));
}

static void
write_message_frames (void)
{
  JsonObject *content;

  write_frame ("connection-created",
      message_frame (TOPIC, "8f2e6a1b-4c3d-4e5f-a6b7-c8d9e0f1a2b3", SYMPHONY,
          "created", URI_PREFIX "/connection/" ALICE_ID, NULL,
          connection_object (ALICE_ID, G_GINT64_CONSTANT (1795459309513),
              "name=Alice", FALSE)));
  write_frame ("connection-created-own",
      message_frame (TOPIC, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", SYMPHONY,
          "created", URI_PREFIX "/connection/" OWN_ID, NULL,
          connection_object (OWN_ID, G_GINT64_CONSTANT (1795459311020), NULL,
              FALSE)));

  /* a creation time written as a JavaScript number with a fraction */
  content = connection_object (ALICE_ID, 0, "name=Alice", FALSE);
  json_object_set_double_member (content, "creationTime", 1795459309513.5);
  write_frame ("connection-created-fractional-time",
      message_frame (TOPIC, "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", SYMPHONY,
          "created", URI_PREFIX "/connection/" ALICE_ID, NULL, content));

  write_frame ("connection-deleted-client",
      message_frame (TOPIC, "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", SYMPHONY,
          "deleted", URI_PREFIX "/connection/" ALICE_ID,
          "clientDisconnected", json_object_new ()));
  write_frame ("connection-deleted-network",
      message_frame (TOPIC, "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", SYMPHONY,
          "deleted", URI_PREFIX "/connection/" ALICE_ID,
          "networkDisconnected", json_object_new ()));
  write_frame ("connection-deleted-own-forced",
      message_frame (OWN_ID, "3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b", SYMPHONY,
          "deleted", URI_PREFIX "/connection/" OWN_ID, "forceDisconnected",
          json_object_new ()));

  write_frame ("signal-broadcast",
      message_frame (TOPIC, "4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c", ALICE_ID,
          "signal", URI_PREFIX "/signal/7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
          NULL, signal_content ("chat", "hello")));
  write_frame ("signal-targeted-data-only",
      message_frame (OWN_ID, "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", ALICE_ID,
          "signal", URI_PREFIX "/connection/" OWN_ID
          "/signal/8b7c6d5e-4f3a-4b2c-9d1e-0f9a8b7c6d5e", NULL,
          signal_content (NULL, "x")));
  write_frame ("signal-from-rest",
      message_frame (TOPIC, "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e", "",
          "signal", URI_PREFIX "/signal/9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          NULL, signal_content ("alert", "{\"level\":\"warn\",\"text\":"
              "\"caf\xc3\xa9 \xe2\x9c\x93\"}")));
  write_frame ("signal-from-self",
      message_frame (TOPIC, "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f", OWN_ID,
          "signal", URI_PREFIX "/signal/0d9e8f7a-6b5c-4d4e-9f3a-2b1c0d9e8f7a",
          NULL, signal_content ("chat", "")));
  /* without the header the client never delivers it */
  write_frame ("signal-no-from-header",
      message_frame (TOPIC, "8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a", NULL,
          "signal", URI_PREFIX "/signal/1e0f9a8b-7c6d-4e5f-8a4b-3c2d1e0f9a8b",
          NULL, signal_content ("chat", "lost")));

  /* events the client ignores */
  content = json_object_new ();
  json_object_set_string_member (content, "reason", "serverRotation");
  write_frame ("notification-ignored",
      message_frame (OWN_ID, "9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b", SYMPHONY,
          "notification", URI_PREFIX, NULL, content));
}

int
main (int argc, char **argv)
{
  if (argc != 2) {
    g_printerr ("usage: %s DIR\n", argv[0]);
    return 2;
  }
  g_setenv ("GST_REGISTRY_DISABLE", "yes", TRUE);
  gst_init (NULL, NULL);
  out_dir = argv[1];
  if (g_mkdir_with_parents (out_dir, 0755) != 0) {
    g_printerr ("cannot create %s\n", out_dir);
    return 1;
  }

  write_status_frames ();
  write_message_frames ();
  write_frame ("pong",
      gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_PONG));
  return failed ? 1 : 0;
}
