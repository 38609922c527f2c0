/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_RAPTOR_H__
#define __GST_OPENTOK_RAPTOR_H__

#include <gst/gst.h>

#include "gstopentok-private.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * GstOpenTokRaptorMessage:
 *
 * A Raptor resource message, the JSON object `{"method", "uri", "content"}`
 * carried in Rumor MESSAGE payloads (server events may add a top-level
 * `"reason"`). The URI is read as OpenTok clients read it: a leading
 * version segment, then key/value pairs (`/v2/partner/{key}/session/{id}/…`);
 * the resource is the last key. Reference counted, read-only once built.
 */
typedef struct _GstOpenTokRaptorMessage GstOpenTokRaptorMessage;

#define GST_TYPE_OPENTOK_RAPTOR_MESSAGE (gst_opentok_raptor_message_get_type ())
G_GNUC_INTERNAL
GType gst_opentok_raptor_message_get_type (void);

G_GNUC_INTERNAL
GstOpenTokRaptorMessage *gst_opentok_raptor_message_new (const gchar * method,
    const gchar * uri, JsonObject * content, GError ** error);

G_GNUC_INTERNAL
GstOpenTokRaptorMessage *gst_opentok_raptor_message_parse (const gchar * data,
    gsize length, GError ** error);

G_GNUC_INTERNAL
GstOpenTokRaptorMessage *gst_opentok_raptor_message_ref (GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
void gst_opentok_raptor_message_unref (GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_method (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_uri (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_version (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_resource (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_param (const GstOpenTokRaptorMessage * message,
    const gchar * key);

G_GNUC_INTERNAL
JsonObject *gst_opentok_raptor_message_get_content (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
const gchar *gst_opentok_raptor_message_get_reason (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
void gst_opentok_raptor_message_set_reason (GstOpenTokRaptorMessage * message,
    const gchar * reason);

G_GNUC_INTERNAL
gchar *gst_opentok_raptor_message_to_string (const GstOpenTokRaptorMessage * message);

G_GNUC_INTERNAL
GBytes *gst_opentok_raptor_message_to_bytes (const GstOpenTokRaptorMessage * message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstOpenTokRaptorMessage, gst_opentok_raptor_message_unref)

G_END_DECLS

#endif /* __GST_OPENTOK_RAPTOR_H__ */
