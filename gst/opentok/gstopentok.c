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

#include "gstopentok-private.h"
#include "gstopentokerror.h"

GstDebugCategory *
gst_opentok_debug_get_category (void)
{
  static GstDebugCategory *category = NULL;

  if (g_once_init_enter (&category)) {
    GstDebugCategory *cat = NULL;

    GST_DEBUG_CATEGORY_INIT (cat, "opentok", 0, "OpenTok signaling library");
    g_once_init_leave (&category, cat);
  }
  return category;
}

/* OpenTok ids (connection, socket, transaction) are UUID v4 strings. */
gchar *
gst_opentok_uuid_new (void)
{
  return g_uuid_string_random ();
}

/* Compact JSON text of @root, safe for every JSON parser. Two things
 * json-glib 1.6 writes are not JSON and are rewritten here:
 *
 * - it escapes control characters below U+001F but writes U+001F itself
 *   as a raw byte, which JSON forbids inside strings and browsers'
 *   JSON.parse() refuses: it becomes \u001f;
 * - it appends ".0" to every double printed without a '.', also after an
 *   exponent: 1e-08 is written "1e-08.0", 1e22 "1e+22.0", which no parser
 *   (json-glib included) reads: the ".0" is dropped there.
 *
 * Strings are tracked so that their content is left alone. */
gchar *
gst_opentok_json_to_string (JsonNode * root, gsize * length)
{
  JsonGenerator *generator = json_generator_new ();
  GString *fixed = NULL;
  gboolean in_string = FALSE, escaped = FALSE;
  gsize text_length = 0, copied = 0, i, j;
  gchar *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &text_length);
  g_object_unref (generator);

  for (i = 0; i < text_length; i++) {
    gchar c = text[i];

    if (in_string) {
      if (c == 0x1f) {
        if (fixed == NULL)
          fixed = g_string_sized_new (text_length + 16);
        g_string_append_len (fixed, text + copied, i - copied);
        g_string_append (fixed, "\\u001f");
        copied = i + 1;
      } else if (escaped) {
        escaped = FALSE;
      } else if (c == '\\') {
        escaped = TRUE;
      } else if (c == '"') {
        in_string = FALSE;
      }
      continue;
    }
    if (c == '"') {
      in_string = TRUE;
      continue;
    }
    if ((c != 'e' && c != 'E') || i == 0 || !g_ascii_isdigit (text[i - 1]))
      continue;

    /* an exponent: are its digits followed by ".0"? */
    j = i + 1;
    if (j < text_length && (text[j] == '+' || text[j] == '-'))
      j++;
    while (j < text_length && g_ascii_isdigit (text[j]))
      j++;
    if (j + 1 < text_length && text[j] == '.' && text[j + 1] == '0' &&
        (j + 2 == text_length || !g_ascii_isdigit (text[j + 2]))) {
      if (fixed == NULL)
        fixed = g_string_sized_new (text_length);
      g_string_append_len (fixed, text + copied, j - copied);
      copied = j + 2;
      i = j + 1;
    }
  }

  if (fixed != NULL) {
    g_string_append_len (fixed, text + copied, text_length - copied);
    g_free (text);
    text_length = fixed->len;
    text = g_string_free (fixed, FALSE);
  }
  if (length != NULL)
    *length = text_length;
  return text;
}

/* Appends @str to @out as a JSON string, escaped as json-glib's generator
 * and gst_opentok_json_to_string() escape it. */
void
gst_opentok_json_append_string (GString * out, const gchar * str)
{
  const guchar *p = (const guchar *) str, *run = p;

  g_string_append_c (out, '"');
  for (; *p != '\0'; p++) {
    const gchar *escape;

    switch (*p) {
      case '"':
        escape = "\\\"";
        break;
      case '\\':
        escape = "\\\\";
        break;
      case '\b':
        escape = "\\b";
        break;
      case '\f':
        escape = "\\f";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      default:
        /* json-glib writes DEL as \u007f too */
        if (*p >= 0x20 && *p != 0x7f)
          continue;
        escape = NULL;
        break;
    }
    g_string_append_len (out, (const gchar *) run, p - run);
    if (escape != NULL)
      g_string_append (out, escape);
    else
      g_string_append_printf (out, "\\u%04x", *p);
    run = p + 1;
  }
  g_string_append_len (out, (const gchar *) run, p - run);
  g_string_append_c (out, '"');
}

static gint
json_hex4 (const gchar * p)
{
  gint value = 0, i;

  for (i = 0; i < 4; i++) {
    gint digit = g_ascii_xdigit_value (p[i]);

    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

/* Checks the JSON string starting at the quote at data[*pos] and moves
 * *pos past its closing quote. json-glib also accepts control characters,
 * octal and unknown escapes and unpaired surrogates, then produces strings
 * that are not valid UTF-8, or leaks. Returns NULL, or what is wrong with
 * the string (a phrase for an error message). */
const gchar *
gst_opentok_json_scan_string (const gchar * data, gsize length, gsize * pos)
{
  gsize i = *pos + 1;

  while (TRUE) {
    guchar c;

    if (i >= length)
      return "a string is not closed";

    c = data[i];
    if (c == '"')
      break;
    if (c < 0x20)
      return "a string contains a control character";
    if (c != '\\') {
      i++;
      continue;
    }

    if (length - i < 2)
      return "a string is not closed";
    switch (data[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        break;
      case 'u':{
        gint code = -1, low = -1;

        if (length - i >= 6)
          code = json_hex4 (data + i + 2);
        if (code < 0)
          return "a \\u escape lacks its four hexadecimal digits";
        i += 6;
        if (code >= 0xdc00 && code <= 0xdfff)
          return "a string contains an unpaired surrogate";
        if (code >= 0xd800 && code <= 0xdbff) {
          if (length - i >= 6 && data[i] == '\\' && data[i + 1] == 'u')
            low = json_hex4 (data + i + 2);
          if (low < 0xdc00 || low > 0xdfff)
            return "a string contains an unpaired surrogate";
          i += 6;
        }
        break;
      }
      default:
        return "a string contains an invalid escape";
    }
  }

  *pos = i + 1;
  return NULL;
}

/* Checks, before json-glib sees it, what json-glib would not: the nesting
 * depth (its parser recurses once per level and exhausts the stack on
 * hostile input: about 75000 levels on an 8 MiB stack, far fewer on small
 * thread stacks or under AddressSanitizer); the single-quoted strings and
 * comments it accepts, which would otherwise hide brackets from this count;
 * strings it would mangle or leak (gst_opentok_json_scan_string ()); and
 * an array or object after the root value (`1{}`, `{}[]`), which
 * json-glib 1.6 accepts and leaks. */
static gboolean
json_scan (const gchar * data, gsize length, guint max_depth, GError ** error)
{
  gboolean has_root = FALSE;
  const gchar *problem;
  guint depth = 0;
  gsize i = 0;

  while (i < length) {
    gchar c = data[i];

    if (depth == 0 && (c == '[' || c == '{') && has_root) {
      g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
          GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
          "The JSON text has more than one value.");
      return FALSE;
    }
    if (depth == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
      has_root = TRUE;
    switch (c) {
      case '"':
        problem = gst_opentok_json_scan_string (data, length, &i);
        if (problem != NULL) {
          g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
              GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
              "The JSON text is invalid: %s.", problem);
          return FALSE;
        }
        continue;
      case '\'':
      case '/':
        g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
            GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
            "The JSON text has a comment or a single-quoted string.");
        return FALSE;
      case '[':
      case '{':
        if (++depth > max_depth) {
          g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
              GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
              "The JSON text nests arrays and objects deeper than %u "
              "levels.", max_depth);
          return FALSE;
        }
        break;
      case ']':
      case '}':
        if (depth > 0)
          depth--;
        break;
      default:
        break;
    }
    i++;
  }
  return TRUE;
}

/* Parses JSON text received from the network: UTF-8 without NUL bytes,
 * nested at most @max_depth levels (GST_OPENTOK_JSON_MAX_DEPTH when 0).
 * Returns a new reference to the root, or NULL with @error set in the
 * GST_OPENTOK_PROTOCOL_ERROR domain (TOO_LARGE for the depth, MALFORMED for
 * the rest). Never raises a warning or a critical. */
JsonNode *
gst_opentok_json_parse (const gchar * data, gsize length, guint max_depth,
    GError ** error)
{
  JsonParser *parser;
  JsonNode *root = NULL;
  GError *json_error = NULL;

  if (max_depth == 0)
    max_depth = GST_OPENTOK_JSON_MAX_DEPTH;

  if (length == 0 || data == NULL) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED, "The JSON text is empty.");
    return NULL;
  }
  if (length > G_MAXSSIZE) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "The JSON text is too large to be parsed.");
    return NULL;
  }
  if (!g_utf8_validate_len (data, length, NULL)) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The JSON text is not UTF-8 or contains NUL bytes.");
    return NULL;
  }
  if (!json_scan (data, length, max_depth, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &json_error)) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED, "The JSON text is invalid: %s",
        json_error->message);
    g_error_free (json_error);
  } else if (json_parser_get_root (parser) == NULL) {
    g_set_error_literal (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED, "The JSON text has no value.");
  } else {
    root = json_node_ref (json_parser_get_root (parser));
  }
  g_object_unref (parser);
  return root;
}

/* The string member @name of @object, or NULL when it is absent or not a
 * string: json-glib's own getters raise a critical for a member of another
 * type, and network input must never do that. */
const gchar *
gst_opentok_json_get_string (JsonObject * object, const gchar * name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
