/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_SERVER_H__
#define __GST_OPENTOK_SERVER_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>
#include <gst/opentok/gstopentoksignal.h>
#include <gst/opentok/gstopentoktoken.h>

G_BEGIN_DECLS

#define GST_TYPE_OPENTOK_SERVER (gst_opentok_server_get_type ())
GST_OPENTOK_API
G_DECLARE_FINAL_TYPE (GstOpenTokServer, gst_opentok_server, GST, OPENTOK_SERVER,
    GstObject);

GST_OPENTOK_API
GstOpenTokServer *gst_opentok_server_new (const gchar * api_key,
    const gchar * api_secret);

GST_OPENTOK_API
gboolean gst_opentok_server_start (GstOpenTokServer * server, GError ** error);

GST_OPENTOK_API
void gst_opentok_server_stop (GstOpenTokServer * server);

GST_OPENTOK_API
guint gst_opentok_server_get_port (GstOpenTokServer * server);

GST_OPENTOK_API
gchar *gst_opentok_server_get_url (GstOpenTokServer * server);

GST_OPENTOK_API
gchar *gst_opentok_server_create_session (GstOpenTokServer * server);

GST_OPENTOK_API
gchar *gst_opentok_server_generate_token (GstOpenTokServer * server,
    const gchar * session_id, GstOpenTokRole role,
    const gchar * connection_data, GError ** error);

GST_OPENTOK_API
gboolean gst_opentok_server_send_signal (GstOpenTokServer * server,
    const gchar * session_id, const GstOpenTokSignal * signal,
    GError ** error);

GST_OPENTOK_API
gboolean gst_opentok_server_force_disconnect (GstOpenTokServer * server,
    const gchar * session_id, const gchar * connection_id, GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_SERVER_H__ */
