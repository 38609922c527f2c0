/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: how the embedded server reads signal requests
 * (REST bodies and Raptor signal content). Kept apart from the server so
 * that tests/fuzz can run it on its own. */

#ifndef __GST_OPENTOK_REST_H__
#define __GST_OPENTOK_REST_H__

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The largest REST signal body read, in bytes: room for the largest type
 * and data with every character written as a \u escape. */
#define GST_OPENTOK_REST_MAX_BODY_SIZE (64 * 1024)

G_GNUC_INTERNAL
gboolean gst_opentok_rest_read_signal_content (JsonObject * content,
    const gchar ** type, const gchar ** data, GError ** error);

G_GNUC_INTERNAL
gboolean gst_opentok_rest_read_signal_body (const gchar * body, gsize length,
    gchar ** type, gchar ** data, GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_REST_H__ */
