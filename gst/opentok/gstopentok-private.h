/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_PRIVATE_H__
#define __GST_OPENTOK_PRIVATE_H__

#include <gst/gst.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Network input that does not follow the Rumor or Raptor protocol, or is
 * not JSON: internal, the public API reports GST_OPENTOK_CLIENT_ERROR or
 * GST_OPENTOK_SIGNAL_ERROR instead. */
#define GST_OPENTOK_PROTOCOL_ERROR (gst_opentok_protocol_error_quark ())
G_GNUC_INTERNAL
GQuark gst_opentok_protocol_error_quark (void);

typedef enum
{
  GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,   /* truncated or undecodable */
  GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,   /* over a size limit */
  GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED, /* well-formed, not handled */
} GstOpenTokProtocolError;

/* Library-wide debug category "opentok", for code that is not one object's. */
G_GNUC_INTERNAL
GstDebugCategory *gst_opentok_debug_get_category (void);

G_GNUC_INTERNAL
gchar *gst_opentok_uuid_new (void);

G_GNUC_INTERNAL
gchar *gst_opentok_json_to_string (JsonNode * root, gsize * length);

/* Appends @str to @out as a JSON string, escaped as
 * gst_opentok_json_to_string() escapes strings. */
G_GNUC_INTERNAL
void gst_opentok_json_append_string (GString * out, const gchar * str);

/* Deepest nesting of arrays and objects gst_opentok_json_parse() accepts
 * when given 0, the root included. */
#define GST_OPENTOK_JSON_MAX_DEPTH 64

G_GNUC_INTERNAL
const gchar *gst_opentok_json_scan_string (const gchar * data, gsize length,
    gsize * pos);

G_GNUC_INTERNAL
JsonNode *gst_opentok_json_parse (const gchar * data, gsize length,
    guint max_depth, GError ** error);

G_GNUC_INTERNAL
const gchar *gst_opentok_json_get_string (JsonObject * object,
    const gchar * name);

G_END_DECLS

#endif /* __GST_OPENTOK_PRIVATE_H__ */
