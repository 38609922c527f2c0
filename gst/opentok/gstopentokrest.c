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

#include "gstopentokrest.h"
#include "gstopentokerror.h"
#include "gstopentok-private.h"
#include "gstopentoksignal-private.h"

/* Reads the optional string members "type" and "data" of a signal's
 * content (a Raptor signal's "content", or a REST body); null counts as
 * absent. @content may be NULL. @type and @data point into @content.
 * Fails with GST_OPENTOK_SIGNAL_ERROR_INVALID when one is not a string. */
gboolean
gst_opentok_rest_read_signal_content (JsonObject * content,
    const gchar ** type, const gchar ** data, GError ** error)
{
  const gchar *names[] = { "type", "data" };
  const gchar **values[] = { type, data };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    JsonNode *node = content ? json_object_get_member (content, names[i]) :
        NULL;

    *values[i] = NULL;
    if (node == NULL || JSON_NODE_HOLDS_NULL (node))
      continue;
    if (!JSON_NODE_HOLDS_VALUE (node) ||
        json_node_get_value_type (node) != G_TYPE_STRING) {
      g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_INVALID,
          "The signal %s must be a string", names[i]);
      return FALSE;
    }
    *values[i] = json_node_get_string (node);
  }
  return TRUE;
}

/* Reads the body of a REST signal request, {"type": …, "data": …}, both
 * optional: an empty body is a signal without type and data. @type and
 * @data are set to new strings, or NULL when absent. Fails in the
 * GST_OPENTOK_SIGNAL_ERROR domain: TOO_LARGE for a body over
 * GST_OPENTOK_REST_MAX_BODY_SIZE bytes, INVALID for anything but a JSON
 * object (nested at most GST_OPENTOK_JSON_MAX_DEPTH levels) whose type and
 * data are strings. The type and data themselves are not checked here:
 * see gst_opentok_signal_validate_fields(). */
gboolean
gst_opentok_rest_read_signal_body (const gchar * body, gsize length,
    gchar ** type, gchar ** data, GError ** error)
{
  const gchar *type_value, *data_value;
  JsonNode *root;
  gboolean ret = FALSE;

  *type = *data = NULL;
  if (length == 0)
    return TRUE;
  if (length > GST_OPENTOK_REST_MAX_BODY_SIZE) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE,
        "The body of %" G_GSIZE_FORMAT " bytes is over the limit of %d "
        "bytes", length, GST_OPENTOK_REST_MAX_BODY_SIZE);
    return FALSE;
  }

  root = gst_opentok_json_parse (body, length, 0, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The body must be a JSON object with the signal's type and data");
    goto out;
  }
  if (!gst_opentok_rest_read_signal_content (json_node_get_object (root),
          &type_value, &data_value, error))
    goto out;

  *type = g_strdup (type_value);
  *data = g_strdup (data_value);
  ret = TRUE;

out:
  if (root != NULL)
    json_node_unref (root);
  return ret;
}
