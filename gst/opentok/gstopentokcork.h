/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: coalesces what one dispatch of a main loop (a
 * burst of frames read from one socket, say) writes to each TCP socket.
 * The first write of a dispatch to a socket leaves at once; a socket
 * written to again by the same dispatch is corked (TCP_CORK) until the
 * dispatch ends, so that the rest leaves in full-sized segments: a burst
 * fanned out to many members costs one trip through the TCP stack per
 * socket instead of one per frame, and a lone reply or PONG costs no extra
 * system call. The end of a dispatch is seen at the first write of the
 * next one, or when the iteration ends. */

#ifndef __GST_OPENTOK_CORK_H__
#define __GST_OPENTOK_CORK_H__

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GstOpenTokCork GstOpenTokCork;

G_GNUC_INTERNAL
GstOpenTokCork *gst_opentok_cork_new (GMainContext * context);

G_GNUC_INTERNAL
void gst_opentok_cork_before_write (GstOpenTokCork * cork, GSocket * socket,
    guint64 * last_write);

G_GNUC_INTERNAL
void gst_opentok_cork_flush (GstOpenTokCork * cork);

G_GNUC_INTERNAL
void gst_opentok_cork_free (GstOpenTokCork * cork);

G_END_DECLS

#endif /* __GST_OPENTOK_CORK_H__ */
