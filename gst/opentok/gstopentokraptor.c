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

/* Internal, not installed: the Raptor resource messages.
 *
 * Raptor messages are the JSON objects OpenTok clients and servers exchange
 * inside Rumor MESSAGE frames:
 *
 * |[
 * {"method":"signal","uri":"/v2/partner/123456/session/S/signal/U",
 *  "content":{"type":"chat","data":"hello"}}
 * ]|
 *
 * gst_opentok_raptor_message_parse() reads network input and refuses, with
 * an error in the #GST_OPENTOK_PROTOCOL_ERROR domain:
 *
 * - text that is not strict JSON (RFC 8259): invalid UTF-8, single-quoted
 *   strings, comments, unknown escapes or unpaired surrogates in strings,
 *   control characters inside strings, data after the object
 *   (%GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
 * - arrays and objects nested deeper than 64 levels, the root object
 *   included (%GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE), checked before the
 *   text is parsed;
 * - a root that is not an object, a missing or non-string or empty `method`
 *   or `uri`, a `content` that is not an object (`null` included), a `reason`
 *   that is not a string, a number in `content` too large for a double
 *   (`1e400`) (%GST_OPENTOK_PROTOCOL_ERROR_MALFORMED).
 *
 * Other members are ignored.
 *
 * The URI must be `/` followed by a version segment and then key/value
 * segments, `/v2/partner/{apiKey}/session/{sessionId}/signal/{id}`; the last
 * key may come without a value. Empty segments, a URI without any key, more
 * than 16 keys or a key given twice are refused as malformed. The resource of
 * a message is its last key.
 */

#include <math.h>
#include <string.h>

#include "gstopentokraptor.h"
#include "gstopentok-private.h"
#include "gstopentokerror.h"

GST_DEBUG_CATEGORY_STATIC (gst_opentok_raptor_debug);
#define GST_CAT_DEFAULT gst_opentok_raptor_debug

/* Deepest nesting of arrays and objects accepted, the root object
 * included. json-glib parses recursively and has no limit of its own. */
#define RAPTOR_MAX_DEPTH 64

/* The longest client URI, .../stream/{id}/subscriber/{id}/channel/{id}, has
 * five pairs. */
#define RAPTOR_MAX_PARAMS 16

typedef struct
{
  const gchar *key;
  const gchar *value;
} GstOpenTokRaptorParam;

struct _GstOpenTokRaptorMessage
{
  gatomicrefcount refcount;

  gchar *method;
  /* nullable */
  gchar *reason;
  /* never NULL */
  JsonObject *content;

  /* One allocation: the URI, then a copy of it without the leading '/' in
   * which every '/' is replaced by a NUL. version and params point into the
   * copy. */
  gchar *uri;
  const gchar *version;
  GstOpenTokRaptorParam params[RAPTOR_MAX_PARAMS];
  guint n_params;
};

G_DEFINE_BOXED_TYPE (GstOpenTokRaptorMessage, gst_opentok_raptor_message,
    gst_opentok_raptor_message_ref, gst_opentok_raptor_message_unref);

static void
gst_opentok_raptor_init_debug (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_opentok_raptor_debug, "opentokraptor", 0,
        "OpenTok Raptor messages");
    g_once_init_leave (&initialized, 1);
  }
}

static GstOpenTokRaptorMessage *
gst_opentok_raptor_message_alloc (void)
{
  GstOpenTokRaptorMessage *message;

  gst_opentok_raptor_init_debug ();

  message = g_new0 (GstOpenTokRaptorMessage, 1);
  g_atomic_ref_count_init (&message->refcount);
  return message;
}

static void
gst_opentok_raptor_message_free (GstOpenTokRaptorMessage * message)
{
  g_free (message->method);
  g_free (message->reason);
  if (message->content != NULL)
    json_object_unref (message->content);
  g_free (message->uri);
  g_free (message);
}

static gboolean
gst_opentok_raptor_uri_error (GError ** error, const gchar * problem)
{
  g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
      "The Raptor message URI %s.", problem);
  return FALSE;
}

/* Splits @uri into version and key/value pairs and stores it in @message. */
static gboolean
gst_opentok_raptor_message_set_uri (GstOpenTokRaptorMessage * message,
    const gchar * uri, GError ** error)
{
  gsize len = strlen (uri);
  gchar *segment, *end;
  guint n_segments = 0, i, j;

  if (uri[0] != '/')
    return gst_opentok_raptor_uri_error (error, "does not start with '/'");
  if (!g_utf8_validate_len (uri, len, NULL))
    return gst_opentok_raptor_uri_error (error, "is not valid UTF-8");

  /* "/v2/a/b" (len 7) becomes "/v2/a/b\0v2\0a\0b\0" */
  message->uri = g_malloc (2 * len + 1);
  memcpy (message->uri, uri, len + 1);
  segment = message->uri + len + 1;
  memcpy (segment, uri + 1, len);

  while (TRUE) {
    end = strchr (segment, '/');
    if (end != NULL)
      *end = '\0';
    if (*segment == '\0')
      return gst_opentok_raptor_uri_error (error, "has an empty segment");

    if (n_segments == 0) {
      message->version = segment;
    } else if (n_segments % 2 == 1) {
      if (message->n_params == RAPTOR_MAX_PARAMS)
        return gst_opentok_raptor_uri_error (error,
            "has more than " G_STRINGIFY (RAPTOR_MAX_PARAMS) " keys");
      message->params[message->n_params].key = segment;
      message->params[message->n_params].value = "";
      message->n_params++;
    } else {
      message->params[message->n_params - 1].value = segment;
    }
    n_segments++;

    if (end == NULL)
      break;
    segment = end + 1;
  }

  if (message->n_params == 0)
    return gst_opentok_raptor_uri_error (error, "names no resource");

  for (i = 1; i < message->n_params; i++) {
    for (j = 0; j < i; j++) {
      if (strcmp (message->params[i].key, message->params[j].key) == 0)
        return gst_opentok_raptor_uri_error (error, "repeats a key");
    }
  }
  return TRUE;
}

/*
 * gst_opentok_raptor_message_new:
 * @method: the method, such as "signal" or "created"
 * @uri: the resource URI, such as
 *     "/v2/partner/123456/session/S/connection/C"
 * @content: (nullable) (transfer none): the content object, or %NULL for an
 *     empty one
 * @error: return location for a #GError, or %NULL
 *
 * Builds a message to send. @uri is checked as in
 * gst_opentok_raptor_message_parse(); @content is referenced, not copied, and
 * must not be changed afterwards.
 *
 * Returns: (transfer full) (nullable): the new message, or %NULL with @error
 *     set (%GST_OPENTOK_PROTOCOL_ERROR_MALFORMED) when @method is empty or
 *     @uri is malformed
 */
GstOpenTokRaptorMessage *
gst_opentok_raptor_message_new (const gchar * method, const gchar * uri,
    JsonObject * content, GError ** error)
{
  GstOpenTokRaptorMessage *message;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*method == '\0') {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "A Raptor message needs a method.");
    return NULL;
  }

  message = gst_opentok_raptor_message_alloc ();
  if (!gst_opentok_raptor_message_set_uri (message, uri, error)) {
    gst_opentok_raptor_message_free (message);
    return NULL;
  }
  message->method = g_strdup (method);
  if (content != NULL)
    message->content = json_object_ref (content);
  else
    message->content = json_object_new ();

  return message;
}

static gboolean
gst_opentok_raptor_json_error (GError ** error, const gchar * problem)
{
  g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
      "The Raptor message is not valid JSON: %s.", problem);
  return FALSE;
}

/* Checks the string starting at the quote at *pos and moves past its closing
 * quote (gst_opentok_json_scan_string ()). */
static gboolean
gst_opentok_raptor_scan_string (const gchar * data, gsize length,
    gsize * pos, GError ** error)
{
  const gchar *problem = gst_opentok_json_scan_string (data, length, pos);

  if (problem != NULL)
    return gst_opentok_raptor_json_error (error, problem);
  return TRUE;
}

/* A cheap pass over the text before json-glib sees it: limits the nesting
 * depth (json-glib recurses once per level and would exhaust the stack on
 * hostile input) and refuses what JSON does not allow but json-glib accepts
 * (single-quoted strings, comments, anything after the root value, escapes
 * that lead to invalid UTF-8). An array or object after a first value
 * (`1{}`) is refused too: json-glib 1.6 accepts it and leaks it. The text is
 * valid UTF-8 without NUL bytes. */
static gboolean
gst_opentok_raptor_scan (const gchar * data, gsize length, GError ** error)
{
  guint depth = 0;
  gboolean closed = FALSE, started = FALSE;
  gsize i = 0;

  while (i < length) {
    gchar c = data[i];

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
      continue;
    }
    if (closed)
      return gst_opentok_raptor_json_error (error,
          "there is data after the object");
    if (depth == 0 && (c == '[' || c == '{') && started)
      return gst_opentok_raptor_json_error (error,
          "there is data before the object");
    if (depth == 0)
      started = TRUE;

    switch (c) {
      case '"':
        if (!gst_opentok_raptor_scan_string (data, length, &i, error))
          return FALSE;
        continue;
      case '\'':
        return gst_opentok_raptor_json_error (error,
            "strings must be double-quoted");
      case '/':
        return gst_opentok_raptor_json_error (error,
            "comments are not allowed");
      case '[':
      case '{':
        if (++depth > RAPTOR_MAX_DEPTH) {
          g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
              GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
              "The Raptor message nests arrays and objects deeper than %u "
              "levels.", RAPTOR_MAX_DEPTH);
          return FALSE;
        }
        break;
      case ']':
      case '}':
        /* a stray closing bracket is left to the parser to refuse */
        if (depth > 0)
          depth--;
        closed = (depth == 0);
        break;
      default:
        break;
    }
    i++;
  }
  return TRUE;
}

/* Whether every number in @node is finite. json-glib reads a number too
 * large for a double (1e400) as infinity, and writes it back as "inf.0",
 * which is not JSON: such a message could not be written again. Called on
 * content nested at most RAPTOR_MAX_DEPTH levels. */
static gboolean
gst_opentok_raptor_numbers_are_finite (JsonNode * node)
{
  GList *values, *l;
  gboolean ret = TRUE;

  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_DOUBLE ||
          isfinite (json_node_get_double (node));
    case JSON_NODE_OBJECT:
      values = json_object_get_values (json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      values = json_array_get_elements (json_node_get_array (node));
      break;
    default:
      return TRUE;
  }
  for (l = values; l != NULL && ret; l = l->next)
    ret = gst_opentok_raptor_numbers_are_finite (l->data);
  g_list_free (values);
  return ret;
}

/* Gets the string member @name of @object: %NULL with @error set when it is
 * present but not a string, or absent while @required. */
static gboolean
gst_opentok_raptor_get_string (JsonObject * object, const gchar * name,
    gboolean required, const gchar ** value, GError ** error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL && !required)
    return TRUE;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Raptor message's \"%s\" is %s, not a string.", name,
        node == NULL ? "missing" : json_node_type_name (node));
    return FALSE;
  }
  *value = json_node_get_string (node);
  if (required && **value == '\0') {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Raptor message's \"%s\" is empty.", name);
    return FALSE;
  }
  return TRUE;
}

/*
 * gst_opentok_raptor_message_parse:
 * @data: (array length=length) (element-type guint8): JSON text, not
 *     necessarily NUL-terminated
 * @length: the length of @data in bytes
 * @error: return location for a #GError, or %NULL
 *
 * Reads a Raptor message received from the network (the payload of a Rumor
 * MESSAGE). See the section documentation for what is refused; no input
 * raises a warning or a critical.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 *     in the #GST_OPENTOK_PROTOCOL_ERROR domain
 */
GstOpenTokRaptorMessage *
gst_opentok_raptor_message_parse (const gchar * data, gsize length,
    GError ** error)
{
  GstOpenTokRaptorMessage *message = NULL;
  JsonParser *parser = NULL;
  JsonNode *root, *content;
  JsonObject *object;
  const gchar *method, *uri, *reason;
  GError *json_error = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_opentok_raptor_init_debug ();

  if (length > G_MAXSSIZE) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "The Raptor message is too large to be parsed.");
    goto out;
  }
  if (length > 0 && !g_utf8_validate_len (data, length, NULL)) {
    gst_opentok_raptor_json_error (error,
        "it is not UTF-8 text or contains NUL bytes");
    goto out;
  }
  if (!gst_opentok_raptor_scan (data, length, error))
    goto out;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, length > 0 ? data : "",
          (gssize) length, &json_error)) {
    gst_opentok_raptor_json_error (error, json_error->message);
    g_clear_error (&json_error);
    goto out;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Raptor message is not a JSON object.");
    goto out;
  }
  object = json_node_get_object (root);

  if (!gst_opentok_raptor_get_string (object, "method", TRUE, &method, error)
      || !gst_opentok_raptor_get_string (object, "uri", TRUE, &uri, error)
      || !gst_opentok_raptor_get_string (object, "reason", FALSE, &reason,
          error))
    goto out;

  content = json_object_get_member (object, "content");
  if (content != NULL && !JSON_NODE_HOLDS_OBJECT (content)) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Raptor message's \"content\" is %s, not an object.",
        json_node_type_name (content));
    goto out;
  }

  if (content != NULL && !gst_opentok_raptor_numbers_are_finite (content)) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Raptor message's \"content\" has a number out of range.");
    goto out;
  }

  message = gst_opentok_raptor_message_alloc ();
  if (!gst_opentok_raptor_message_set_uri (message, uri, error)) {
    gst_opentok_raptor_message_free (message);
    message = NULL;
    goto out;
  }
  message->method = g_strdup (method);
  message->reason = g_strdup (reason);
  if (content != NULL)
    message->content = json_node_dup_object (content);
  else
    message->content = json_object_new ();

  GST_LOG ("parsed Raptor %s on %s", message->method,
      gst_opentok_raptor_message_get_resource (message));

out:
  if (parser != NULL)
    g_object_unref (parser);
  return message;
}

/*
 * gst_opentok_raptor_message_ref:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Adds a reference to @message. Thread-safe.
 *
 * Returns: (transfer full): @message
 */
GstOpenTokRaptorMessage *
gst_opentok_raptor_message_ref (GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  g_atomic_ref_count_inc (&message->refcount);
  return message;
}

/*
 * gst_opentok_raptor_message_unref:
 * @message: (transfer full): a #GstOpenTokRaptorMessage
 *
 * Drops a reference to @message, freeing it with the last one. Thread-safe.
 */
void
gst_opentok_raptor_message_unref (GstOpenTokRaptorMessage * message)
{
  g_return_if_fail (message != NULL);

  if (g_atomic_ref_count_dec (&message->refcount))
    gst_opentok_raptor_message_free (message);
}

/*
 * gst_opentok_raptor_message_get_method:
 * @message: a #GstOpenTokRaptorMessage
 *
 * What @message asks for (a request) or tells (an event).
 *
 * Returns: (transfer none): the method, such as "create" or "signal"
 */
const gchar *
gst_opentok_raptor_message_get_method (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->method;
}

/*
 * gst_opentok_raptor_message_get_uri:
 * @message: a #GstOpenTokRaptorMessage
 *
 * The resource @message is about.
 *
 * Returns: (transfer none): the whole URI, as received or given
 */
const gchar *
gst_opentok_raptor_message_get_uri (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->uri;
}

/*
 * gst_opentok_raptor_message_get_version:
 * @message: a #GstOpenTokRaptorMessage
 *
 * The protocol version the URI of @message names.
 *
 * Returns: (transfer none): the first URI segment, the protocol version
 *     ("v2" for OpenTok clients)
 */
const gchar *
gst_opentok_raptor_message_get_version (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->version;
}

/*
 * gst_opentok_raptor_message_get_resource:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Gets the resource the message is about: the last key of the URI, for
 * instance "connection" for `/v2/partner/K/session/S/connection/C` and
 * "signal" for `/v2/partner/K/session/S/connection/C/signal/U`.
 *
 * Returns: (transfer none): the resource name
 */
const gchar *
gst_opentok_raptor_message_get_resource (const GstOpenTokRaptorMessage *
    message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->params[message->n_params - 1].key;
}

/*
 * gst_opentok_raptor_message_get_param:
 * @message: a #GstOpenTokRaptorMessage
 * @key: a URI key, such as "session" or "connection"
 *
 * Gets the URI segment following @key: "S" for "session" in
 * `/v2/partner/K/session/S/connection/C`. A last key without a value gives
 * "".
 *
 * Returns: (transfer none) (nullable): the value of @key, or %NULL when the
 *     URI does not have that key
 */
const gchar *
gst_opentok_raptor_message_get_param (const GstOpenTokRaptorMessage * message,
    const gchar * key)
{
  guint i;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (i = 0; i < message->n_params; i++) {
    if (strcmp (message->params[i].key, key) == 0)
      return message->params[i].value;
  }
  return NULL;
}

/*
 * gst_opentok_raptor_message_get_content:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Gets the content object. A message received without `content`, or built
 * with %NULL content, has an empty object. Do not modify it: messages may be
 * shared between threads.
 *
 * Returns: (transfer none): the content, never %NULL
 */
JsonObject *
gst_opentok_raptor_message_get_content (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->content;
}

/*
 * gst_opentok_raptor_message_get_reason:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Gets the top-level `reason` of the message, which servers set on
 * connection `deleted` events ("clientDisconnected", "networkDisconnected",
 * "forceDisconnected").
 *
 * Returns: (transfer none) (nullable): the reason, or %NULL when there is
 *     none
 */
const gchar *
gst_opentok_raptor_message_get_reason (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->reason;
}

/*
 * gst_opentok_raptor_message_set_reason:
 * @message: a #GstOpenTokRaptorMessage
 * @reason: (nullable): the reason, or %NULL to remove it
 *
 * Sets the top-level `reason`, written between `uri` and `content`. Call it
 * before the message is shared.
 */
void
gst_opentok_raptor_message_set_reason (GstOpenTokRaptorMessage * message,
    const gchar * reason)
{
  g_return_if_fail (message != NULL);

  g_free (message->reason);
  message->reason = g_strdup (reason);
}

static gchar *
gst_opentok_raptor_message_generate (const GstOpenTokRaptorMessage * message,
    gsize * length)
{
  JsonBuilder *builder;
  JsonNode *root, *content;
  gchar *text;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, message->method);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, message->uri);
  if (message->reason != NULL) {
    json_builder_set_member_name (builder, "reason");
    json_builder_add_string_value (builder, message->reason);
  }
  json_builder_set_member_name (builder, "content");
  content = json_node_init_object (json_node_alloc (), message->content);
  json_builder_add_value (builder, content);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  g_object_unref (builder);

  text = gst_opentok_json_to_string (root, length);
  json_node_unref (root);
  return text;
}

/*
 * gst_opentok_raptor_message_to_string:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Writes @message as compact JSON, members in the order `method`, `uri`,
 * `reason` (only when set), `content`.
 *
 * Returns: (transfer full): the JSON text
 */
gchar *
gst_opentok_raptor_message_to_string (const GstOpenTokRaptorMessage * message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return gst_opentok_raptor_message_generate (message, NULL);
}

/*
 * gst_opentok_raptor_message_to_bytes:
 * @message: a #GstOpenTokRaptorMessage
 *
 * Like gst_opentok_raptor_message_to_string(), as a Rumor payload ready for
 * gst_opentok_rumor_frame_set_payload(). The bytes do not include a
 * terminating NUL.
 *
 * Returns: (transfer full): the JSON text
 */
GBytes *
gst_opentok_raptor_message_to_bytes (const GstOpenTokRaptorMessage * message)
{
  gchar *text;
  gsize length = 0;

  g_return_val_if_fail (message != NULL, NULL);

  text = gst_opentok_raptor_message_generate (message, &length);
  return g_bytes_new_take (text, length);
}
