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

/* Compact JSON text of @root, safe for every JSON parser.
 *
 * json-glib 1.6 escapes control characters below U+001F but writes U+001F
 * itself as a raw byte, which JSON forbids inside strings and browsers'
 * JSON.parse() refuses. The generator never writes that byte outside a
 * string, so it can be replaced wherever it is. */
gchar *
gst_opentok_json_to_string (JsonNode * root, gsize * length)
{
  JsonGenerator *generator = json_generator_new ();
  GString *escaped;
  gsize text_length = 0, i;
  gchar *text;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &text_length);
  g_object_unref (generator);

  if (memchr (text, 0x1f, text_length) != NULL) {
    escaped = g_string_sized_new (text_length + 16);
    for (i = 0; i < text_length; i++) {
      if (text[i] == 0x1f)
        g_string_append (escaped, "\\u001f");
      else
        g_string_append_c (escaped, text[i]);
    }
    g_free (text);
    text_length = escaped->len;
    text = g_string_free (escaped, FALSE);
  }
  if (length != NULL)
    *length = text_length;
  return text;
}
