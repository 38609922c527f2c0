/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_WS_POOL_H__
#define __GST_OPENTOK_WS_POOL_H__

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _GstOpenTokWsPool GstOpenTokWsPool;
typedef struct _GstOpenTokWs GstOpenTokWs;

/* @answer runs on the I/O threads, for a message read while the owner has
 * nothing of its socket left to handle or to send: when it returns a reply,
 * that is sent at once and the message goes no further (a keepalive need
 * not wake the owner). No lock of the pool is held while any of them runs.
 * The others run in the owner's context, in the order
 * the I/O thread saw what they report. */
typedef struct
{
  GBytes *(*answer) (SoupWebsocketDataType type, GBytes * message);
  void (*message) (GstOpenTokWs * ws, SoupWebsocketDataType type,
      GBytes * message, gpointer ws_data);
  /* the last call for @ws */
  void (*closed) (GstOpenTokWs * ws, gushort close_code, gpointer ws_data);
} GstOpenTokWsPoolCallbacks;

G_GNUC_INTERNAL
GstOpenTokWsPool *gst_opentok_ws_pool_new (guint n_threads,
    GMainContext * owner, const GstOpenTokWsPoolCallbacks * callbacks);

G_GNUC_INTERNAL
void gst_opentok_ws_pool_free (GstOpenTokWsPool * pool);

G_GNUC_INTERNAL
GstOpenTokWs *gst_opentok_ws_pool_adopt (GstOpenTokWsPool * pool,
    GIOStream * stream, GSocket * tcp, GUri * uri, const gchar * origin,
    const gchar * protocol, GList * extensions,
    guint64 max_incoming_payload_size, gpointer ws_data);

G_GNUC_INTERNAL
void gst_opentok_ws_send (GstOpenTokWs * ws, GBytes * message);

G_GNUC_INTERNAL
void gst_opentok_ws_close (GstOpenTokWs * ws, gushort code,
    const gchar * reason);

G_GNUC_INTERNAL
void gst_opentok_ws_release (GstOpenTokWs * ws);

G_GNUC_INTERNAL
gint64 gst_opentok_ws_get_last_message_time (GstOpenTokWs * ws);

G_GNUC_INTERNAL
guint64 gst_opentok_ws_pool_get_answered (GstOpenTokWsPool * pool);

G_END_DECLS

#endif /* __GST_OPENTOK_WS_POOL_H__ */
