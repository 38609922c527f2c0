/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: coalesces what a main-loop iteration writes to
 * each TCP socket. The first write of an iteration to a socket leaves at
 * once; a socket written to again in the same iteration is corked
 * (TCP_CORK) until the iteration ends, so that the rest leaves in
 * full-sized segments: many signals fanned out to many members cost one
 * trip through the TCP stack per socket instead of one per frame, and a
 * lone reply or PONG costs no extra system call. Nothing waits longer than
 * the iteration it was written in. */

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
