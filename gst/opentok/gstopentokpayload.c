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

#include "gstopentokpayload.h"
#include "gstopentok-private.h"
#include "gstopentoksignal-private.h"

/* The JSON object a STATUS payload holds, or NULL when it is empty, not
 * JSON, nested too deep or not an object. */
static JsonNode *
parse_object (GBytes * payload)
{
  const gchar *data;
  JsonNode *root;
  gsize size;

  if (payload == NULL)
    return NULL;
  data = g_bytes_get_data (payload, &size);
  if (size == 0)
    return NULL;
  root = gst_opentok_json_parse (data, size, 0, NULL);
  if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root)) {
    json_node_unref (root);
    root = NULL;
  }
  return root;
}

GstOpenTokConnection *
gst_opentok_connection_new (const gchar * id, const gchar * data,
    gint64 creation_time)
{
  GstOpenTokConnection *connection = g_new0 (GstOpenTokConnection, 1);

  g_atomic_ref_count_init (&connection->ref_count);
  connection->id = g_strdup (id);
  connection->data = g_strdup (data ? data : "");
  connection->creation_time = creation_time;
  return connection;
}

/* The status of a STATUS frame, from its STATUS header (%NULL when it has
 * none, which counts as success). A header that is not a number from 100
 * to 599 counts as a failure, as opentok.js's test of the first digit
 * does. */
guint
gst_opentok_payload_read_status (const gchar * header)
{
  guint64 value;

  if (header == NULL)
    return GST_OPENTOK_PAYLOAD_STATUS_DEFAULT;
  if (!g_ascii_string_to_unsigned (header, 10, 100, 599, &value, NULL))
    return GST_OPENTOK_PAYLOAD_STATUS_INVALID;
  return (guint) value;
}

/* The "reason" string of a STATUS payload (an error reply's message), or
 * %NULL. Free with g_free(). */
gchar *
gst_opentok_payload_read_reason (GBytes * payload)
{
  JsonNode *root = parse_object (payload);
  gchar *reason = NULL;

  if (root != NULL) {
    reason = g_strdup (gst_opentok_json_get_string (json_node_get_object
            (root), "reason"));
    json_node_unref (root);
  }
  return reason;
}

/* Why the server refused the connection create with @status (not 2xx) and
 * @reason (nullable), as opentok.js maps it (the protocol document,
 * section 5.1). */
GstOpenTokClientError
gst_opentok_payload_create_error (guint status, const gchar * reason)
{
  if (g_strcmp0 (reason, "connectionLimitExceeded") == 0)
    return GST_OPENTOK_CLIENT_ERROR_CONNECTION_LIMIT;
  if (status == 403)
    return GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION;
  if (status == 404)
    return GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION;
  if (status == 400 || status == 409)
    return GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED;
  return GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE;
}

/* The connections a successful create reply lists (its "connection"
 * array), in its order; elements without an id are skipped. Never %NULL:
 * empty when the payload has no such list. Free with g_ptr_array_unref(),
 * which drops the connections too. */
GPtrArray *
gst_opentok_payload_read_connections (GBytes * payload)
{
  GPtrArray *connections = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_opentok_connection_unref);
  JsonNode *root = parse_object (payload);
  JsonNode *member;
  JsonArray *list;
  guint i, n;

  if (root == NULL)
    return connections;
  member = json_object_get_member (json_node_get_object (root), "connection");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    goto out;
  list = json_node_get_array (member);
  n = json_array_get_length (list);
  for (i = 0; i < n; i++) {
    JsonNode *element = json_array_get_element (list, i);
    GstOpenTokConnection *connection;

    if (!JSON_NODE_HOLDS_OBJECT (element))
      continue;
    connection =
        gst_opentok_payload_read_connection (json_node_get_object (element));
    if (connection != NULL)
      g_ptr_array_add (connections, connection);
  }

out:
  json_node_unref (root);
  return connections;
}

/* A connection as the server describes it, in a create reply's list or in
 * the content of connection#created: "id" (a non-empty string), "data"
 * (a string, "" when absent) and "creationTime" (a number of milliseconds
 * since the epoch, 0 when absent or out of range).
 *
 * Returns: (transfer full) (nullable): the connection, or %NULL when
 * @object has no id */
GstOpenTokConnection *
gst_opentok_payload_read_connection (JsonObject * object)
{
  const gchar *id, *data;
  gint64 creation_time = 0;
  JsonNode *node;

  if (object == NULL)
    return NULL;
  id = gst_opentok_json_get_string (object, "id");
  if (id == NULL || *id == '\0')
    return NULL;
  data = gst_opentok_json_get_string (object, "data");
  node = json_object_get_member (object, "creationTime");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)) {
    if (json_node_get_value_type (node) == G_TYPE_INT64) {
      gint64 ms = json_node_get_int (node);

      if (ms >= 0 && ms < GST_OPENTOK_PAYLOAD_MAX_CREATION_TIME)
        creation_time = ms;
    } else if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
      gdouble ms = json_node_get_double (node);

      if (ms >= 0 && ms < (gdouble) GST_OPENTOK_PAYLOAD_MAX_CREATION_TIME)
        creation_time = (gint64) ms;
    }
  }
  return gst_opentok_connection_new (id, data, creation_time);
}

/* The signal a signal#signal @message carries: its content's "type" and
 * "data" when they are strings. @from is the message's X-TB-FROM-ADDRESS
 * header: the sender's connection id, or "" for a signal sent with the
 * REST API (the signal then has no sender). @own_connection_id is the
 * receiving client's, to tell the signals it sent itself.
 *
 * Returns: (transfer full): a received signal */
GstOpenTokSignal *
gst_opentok_payload_read_signal (const GstOpenTokRaptorMessage * message,
    const gchar * from, const gchar * own_connection_id)
{
  JsonObject *content = gst_opentok_raptor_message_get_content (message);
  const gchar *type = NULL, *data = NULL;

  if (content != NULL) {
    type = gst_opentok_json_get_string (content, "type");
    data = gst_opentok_json_get_string (content, "data");
  }
  if (from != NULL && *from == '\0')
    from = NULL;
  return gst_opentok_signal_new_received (type, data, from,
      from != NULL && g_strcmp0 (from, own_connection_id) == 0);
}
