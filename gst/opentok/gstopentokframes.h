/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: the Rumor frames the client and the server both
 * build, with the headers each end expects of the other. */

#ifndef __GST_OPENTOK_FRAMES_H__
#define __GST_OPENTOK_FRAMES_H__

#include "gstopentokrumor.h"

G_BEGIN_DECLS

/* A MESSAGE carrying the Raptor message @payload to @to, sent by @from
 * (an address: a connection id, a symphony address, or "" for the server
 * itself). */
G_GNUC_INTERNAL
GstOpenTokRumorFrame *gst_opentok_frame_new_raptor (const gchar * to,
    const gchar * from, const gchar * transaction_id, GBytes * payload);

/* A STATUS answering @transaction_id: an acknowledgement when @status is 0,
 * else a reply with that status and an optional JSON @body. */
G_GNUC_INTERNAL
GstOpenTokRumorFrame *gst_opentok_frame_new_status (const gchar * to,
    const gchar * from, const gchar * transaction_id, guint status,
    const gchar * body);

/* Serializes @frame and unrefs it. Our own frames always serialize (ids are
 * checked on the way in): a failure is a bug, logged on @object's behalf,
 * and gives NULL. */
G_GNUC_INTERNAL
GBytes *gst_opentok_frame_finish (GstOpenTokRumorFrame * frame,
    gpointer object);

G_END_DECLS

#endif /* __GST_OPENTOK_FRAMES_H__ */
