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

#include <json-glib/json-glib.h>

#include "gstopentoksessioninfo.h"
#include "gstopentokclient.h"
#include "gstopentok-private.h"

/* The object member @name of @object, or NULL. */
static JsonObject *
get_object (JsonObject * object, const gchar * name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* The number member @name of @object as an integer, or 0 when it is
 * absent, not a number or not a whole number in range. */
static gint64
get_int (JsonObject * object, const gchar * name)
{
  JsonNode *node = json_object_get_member (object, name);
  gdouble value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return 0;
  /* JavaScript numbers: 403.0 is 403 */
  value = json_node_get_double (node);
  if (value >= -1e15 && value <= 1e15 && value == (gdouble) (gint64) value)
    return (gint64) value;
  return 0;
}

/* Reads the session-info endpoint's answer: a JSON array whose first
 * element is either the session info or an object with a non-null "error"
 * (the protocol document, section 2). @api_key is the one the client was
 * given: the info must name it as partner_id.
 *
 * Returns the info, or NULL with @error set in the GST_OPENTOK_CLIENT_ERROR
 * domain, with the codes opentok.js reports: the "error" element's code
 * mapped as opentok.js maps it (its message ends with the OpenTok code),
 * GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION for a session of another API key,
 * GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE for anything unreadable. */
GstOpenTokSessionInfo *
gst_opentok_session_info_parse (const gchar * body, gsize length,
    const gchar * api_key, GError ** error)
{
  GstOpenTokSessionInfo *result = NULL;
  JsonNode *root, *first;
  JsonObject *info, *properties, *error_object;
  JsonArray *array;
  const gchar *url, *symphony, *partner;

  root = gst_opentok_json_parse (body, length, 0, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root) ||
      json_array_get_length (array = json_node_get_array (root)) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (first = json_array_get_element (array, 0))) {
    g_set_error_literal (error, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session-info endpoint did not answer OpenTok's JSON");
    goto out;
  }
  info = json_node_get_object (first);

  error_object = get_object (info, "error");
  if (error_object != NULL) {
    JsonObject *message_object = get_object (error_object, "errorMessage");
    const gchar *message = NULL;
    gint64 code = get_int (error_object, "code");
    GstOpenTokClientError client_code;

    if (message_object != NULL)
      message = gst_opentok_json_get_string (message_object, "message");
    /* as opentok.js maps them */
    if (code == 403)
      client_code = GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION;
    else if (code == 400 || code == 404)
      client_code = GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION;
    else if (code == 409)
      client_code = GST_OPENTOK_CLIENT_ERROR_TERMS_OF_SERVICE;
    else
      client_code = GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE;
    /* the text ends with the OpenTok code, as opentok.js shows it */
    g_set_error (error, GST_OPENTOK_CLIENT_ERROR, client_code, "%s (%d)",
        message ? message : "The session-info endpoint refused the session",
        client_code);
    goto out;
  }

  url = gst_opentok_json_get_string (info, "messaging_url");
  symphony = gst_opentok_json_get_string (info, "symphony_address");
  partner = gst_opentok_json_get_string (info, "partner_id");
  if (url == NULL || symphony == NULL || *symphony == '\0' ||
      (!g_str_has_prefix (url, "ws://") && !g_str_has_prefix (url, "wss://"))) {
    g_set_error_literal (error, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session info has no usable messaging_url or symphony_address");
    goto out;
  }
  if (g_strcmp0 (partner, api_key) != 0) {
    g_set_error_literal (error, GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION,
        "The session belongs to another API key");
    goto out;
  }

  result = g_new0 (GstOpenTokSessionInfo, 1);
  result->messaging_url = g_strdup (url);
  result->symphony_address = g_strdup (symphony);
  properties = get_object (info, "properties");
  if (properties != NULL) {
    JsonNode *node = json_object_get_member (properties, "reconnection");

    /* json-glib reads numbers as booleans too, as JavaScript would */
    result->reconnection = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
        json_node_get_boolean (node);
  }

out:
  if (root != NULL)
    json_node_unref (root);
  return result;
}

void
gst_opentok_session_info_free (GstOpenTokSessionInfo * info)
{
  if (info == NULL)
    return;
  g_free (info->messaging_url);
  g_free (info->symphony_address);
  g_free (info);
}
