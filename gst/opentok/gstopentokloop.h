/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: a thread of ours with a GMainContext of its own,
 * the one way the client, the server and signalbin run their network code.
 *
 * Work is handed to the thread with gst_opentok_loop_invoke() (queued, never
 * run in place, even from the thread itself) or gst_opentok_loop_invoke_sync()
 * (run and waited for). Once a stop has begun, new work is refused: the
 * caller gets FALSE back and still owns its data, so that it can answer the
 * work's completion itself (an error for a task, say). Work accepted before
 * the stop always runs, on the thread, before the thread ends.
 *
 * The helper's own lock is never held while a callback runs, so callbacks
 * may call back into the loop; only start and stop, which wait for the
 * thread, may not be called from it (a stop from the thread only asks for
 * it, and the next start, stop or free joins the thread). */

#ifndef __GST_OPENTOK_LOOP_H__
#define __GST_OPENTOK_LOOP_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstOpenTokLoop GstOpenTokLoop;

/* Runs on the thread, its context the thread-default one: first, before any
 * work (FALSE with @error set fails the start), and last, after the work
 * still queued has run (what it queues itself runs too). */
typedef gboolean (*GstOpenTokLoopStartFunc) (gpointer user_data,
    GError ** error);
typedef void (*GstOpenTokLoopStopFunc) (gpointer user_data);

G_GNUC_INTERNAL
GstOpenTokLoop *gst_opentok_loop_new (const gchar * thread_name,
    GstOpenTokLoopStartFunc on_start, GstOpenTokLoopStopFunc on_stop,
    gpointer user_data);

G_GNUC_INTERNAL
void gst_opentok_loop_free (GstOpenTokLoop * loop);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_start (GstOpenTokLoop * loop, GError ** error);

G_GNUC_INTERNAL
void gst_opentok_loop_stop (GstOpenTokLoop * loop);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_is_running (GstOpenTokLoop * loop);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_is_current (GstOpenTokLoop * loop);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_invoke (GstOpenTokLoop * loop, GSourceFunc func,
    gpointer data, GDestroyNotify notify);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_invoke_sync (GstOpenTokLoop * loop,
    GSourceFunc func, gpointer data);

G_GNUC_INTERNAL
gboolean gst_opentok_loop_attach (GstOpenTokLoop * loop, GSource * source);

G_END_DECLS

#endif /* __GST_OPENTOK_LOOP_H__ */
