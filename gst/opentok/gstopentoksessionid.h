/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_SESSION_ID_H__
#define __GST_OPENTOK_SESSION_ID_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>

G_BEGIN_DECLS

GST_OPENTOK_API
gchar *gst_opentok_session_id_new (const gchar * api_key);

GST_OPENTOK_API
gchar *gst_opentok_session_id_get_api_key (const gchar * session_id,
    GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_SESSION_ID_H__ */
