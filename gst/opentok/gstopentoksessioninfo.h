/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: how the client reads the session-info
 * endpoint's answer. Kept apart from the client's networking so that
 * tests/fuzz can run it on its own. */

#ifndef __GST_OPENTOK_SESSION_INFO_H__
#define __GST_OPENTOK_SESSION_INFO_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gchar *messaging_url;         /* ws:// or wss:// */
  gchar *symphony_address;      /* never empty */
  gboolean reconnection;        /* properties.reconnection */
} GstOpenTokSessionInfo;

G_GNUC_INTERNAL
GstOpenTokSessionInfo *gst_opentok_session_info_parse (const gchar * body,
    gsize length, const gchar * api_key, GError ** error);

G_GNUC_INTERNAL
void gst_opentok_session_info_free (GstOpenTokSessionInfo * info);

G_END_DECLS

#endif /* __GST_OPENTOK_SESSION_INFO_H__ */
