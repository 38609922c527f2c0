/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_RUMOR_H__
#define __GST_OPENTOK_RUMOR_H__

#include <gst/gst.h>

#include "gstopentok-private.h"

G_BEGIN_DECLS

/*
 * GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE:
 *
 * The largest Rumor frame, in bytes, that gst_opentok_rumor_frame_parse()
 * accepts when given 0 as its limit. Large enough for an 8192-byte signal
 * whose every character needs a JSON escape, plus headers.
 */
#define GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE (64 * 1024)

/*
 * GstOpenTokRumorType:
 * @GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE: subscribe to the destination topics
 * @GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE: unsubscribe from the destination topics
 * @GST_OPENTOK_RUMOR_TYPE_MESSAGE: a message carrying a Raptor payload
 * @GST_OPENTOK_RUMOR_TYPE_CONNECT: first frame of a client socket
 * @GST_OPENTOK_RUMOR_TYPE_DISCONNECT: the client leaves, or replaces the socket
 * @GST_OPENTOK_RUMOR_TYPE_PING: keepalive request
 * @GST_OPENTOK_RUMOR_TYPE_PONG: keepalive answer
 * @GST_OPENTOK_RUMOR_TYPE_STATUS: reply to, or acknowledgement of, a MESSAGE
 *
 * The Rumor message types, with their numbers on the wire.
 */
typedef enum /*< underscore_name=gst_opentok_rumor_type >*/
{
  GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE = 0,
  GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE = 1,
  GST_OPENTOK_RUMOR_TYPE_MESSAGE = 2,
  GST_OPENTOK_RUMOR_TYPE_CONNECT = 3,
  GST_OPENTOK_RUMOR_TYPE_DISCONNECT = 4,
  GST_OPENTOK_RUMOR_TYPE_PING = 7,
  GST_OPENTOK_RUMOR_TYPE_PONG = 8,
  GST_OPENTOK_RUMOR_TYPE_STATUS = 9,
} GstOpenTokRumorType;

G_GNUC_INTERNAL
const gchar *gst_opentok_rumor_type_to_string (GstOpenTokRumorType type);

/*
 * GstOpenTokRumorFrame:
 *
 * One Rumor message: a type, destination addresses, an ordered list of
 * string headers and a payload. Reference counted; a frame is meant to be
 * filled by one thread and then only read.
 */
typedef struct _GstOpenTokRumorFrame GstOpenTokRumorFrame;

#define GST_TYPE_OPENTOK_RUMOR_FRAME (gst_opentok_rumor_frame_get_type ())
G_GNUC_INTERNAL
GType gst_opentok_rumor_frame_get_type (void);

G_GNUC_INTERNAL
GstOpenTokRumorFrame *gst_opentok_rumor_frame_new (GstOpenTokRumorType type);

G_GNUC_INTERNAL
GstOpenTokRumorFrame *gst_opentok_rumor_frame_ref (GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
void gst_opentok_rumor_frame_unref (GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
GstOpenTokRumorType gst_opentok_rumor_frame_get_message_type (const GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
void gst_opentok_rumor_frame_add_address (GstOpenTokRumorFrame * frame,
    const gchar * address);

G_GNUC_INTERNAL
guint gst_opentok_rumor_frame_get_n_addresses (const GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
const gchar *gst_opentok_rumor_frame_get_address (const GstOpenTokRumorFrame * frame,
    guint index);

G_GNUC_INTERNAL
void gst_opentok_rumor_frame_set_header (GstOpenTokRumorFrame * frame,
    const gchar * key, const gchar * value);

G_GNUC_INTERNAL
const gchar *gst_opentok_rumor_frame_get_header (const GstOpenTokRumorFrame * frame,
    const gchar * key);

G_GNUC_INTERNAL
guint gst_opentok_rumor_frame_get_n_headers (const GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
gboolean gst_opentok_rumor_frame_get_nth_header (const GstOpenTokRumorFrame * frame,
    guint index, const gchar ** key, const gchar ** value);

G_GNUC_INTERNAL
void gst_opentok_rumor_frame_set_payload (GstOpenTokRumorFrame * frame,
    GBytes * payload);

G_GNUC_INTERNAL
void gst_opentok_rumor_frame_take_payload_string (GstOpenTokRumorFrame * frame,
    gchar * text);

G_GNUC_INTERNAL
GBytes *gst_opentok_rumor_frame_get_payload (const GstOpenTokRumorFrame * frame);

G_GNUC_INTERNAL
GBytes *gst_opentok_rumor_frame_serialize (const GstOpenTokRumorFrame * frame,
    GError ** error);

G_GNUC_INTERNAL
GstOpenTokRumorFrame *gst_opentok_rumor_frame_parse (GBytes * data,
    gsize max_size, GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstOpenTokRumorFrame, gst_opentok_rumor_frame_unref)

G_END_DECLS

#endif /* __GST_OPENTOK_RUMOR_H__ */
