/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_SIGNAL_H__
#define __GST_OPENTOK_SIGNAL_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>

G_BEGIN_DECLS

/**
 * GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH:
 *
 * The longest signal type OpenTok accepts, in bytes.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH 128

/**
 * GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH:
 *
 * The largest signal data OpenTok accepts, in bytes.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH 8192

/**
 * GST_OPENTOK_SIGNAL_STRUCTURE_NAME:
 *
 * The name of the #GstStructure that carries a signal in bus messages,
 * application messages, custom events and the `send-signal` action.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_SIGNAL_STRUCTURE_NAME "opentok-signal"

/**
 * GstOpenTokSignal:
 *
 * One OpenTok signal: an optional type, optional data, and either the
 * connection it goes to (when sending) or the connection it came from (when
 * received; %NULL when the server sent it). Reference counted; set its
 * fields before sharing it.
 *
 * A signal has a direction, which decides the fields of its #GstStructure
 * (see gst_opentok_signal_to_structure()): gst_opentok_signal_new() makes an
 * outgoing signal, gst_opentok_signal_new_received() a received one, and
 * gst_opentok_signal_set_from() or gst_opentok_signal_set_from_self() turn
 * a signal into a received one.
 *
 * Since: 0.1
 */
typedef struct _GstOpenTokSignal GstOpenTokSignal;

#define GST_TYPE_OPENTOK_SIGNAL (gst_opentok_signal_get_type ())
GST_OPENTOK_API
GType gst_opentok_signal_get_type (void);

GST_OPENTOK_API
GstOpenTokSignal *gst_opentok_signal_new (const gchar * type, const gchar * data);

GST_OPENTOK_API
GstOpenTokSignal *gst_opentok_signal_new_from_structure (const GstStructure * structure,
    GError ** error);

GST_OPENTOK_API
GstOpenTokSignal *gst_opentok_signal_copy (const GstOpenTokSignal * signal);

GST_OPENTOK_API
gboolean gst_opentok_signal_is_writable (const GstOpenTokSignal * signal);

GST_OPENTOK_API
GstOpenTokSignal *gst_opentok_signal_ref (GstOpenTokSignal * signal);

GST_OPENTOK_API
void gst_opentok_signal_unref (GstOpenTokSignal * signal);

GST_OPENTOK_API
const gchar *gst_opentok_signal_get_signal_type (const GstOpenTokSignal * signal);

GST_OPENTOK_API
const gchar *gst_opentok_signal_get_data (const GstOpenTokSignal * signal);

GST_OPENTOK_API
const gchar *gst_opentok_signal_get_to (const GstOpenTokSignal * signal);

GST_OPENTOK_API
void gst_opentok_signal_set_to (GstOpenTokSignal * signal, const gchar * connection_id);

GST_OPENTOK_API
const gchar *gst_opentok_signal_get_from (const GstOpenTokSignal * signal);

GST_OPENTOK_API
gboolean gst_opentok_signal_is_from_self (const GstOpenTokSignal * signal);

GST_OPENTOK_API
gboolean gst_opentok_signal_is_received (const GstOpenTokSignal * signal);

GST_OPENTOK_API
gboolean gst_opentok_signal_get_retry_after_reconnect (const GstOpenTokSignal * signal);

GST_OPENTOK_API
void gst_opentok_signal_set_retry_after_reconnect (GstOpenTokSignal * signal,
    gboolean retry);

GST_OPENTOK_API
gboolean gst_opentok_signal_validate (const GstOpenTokSignal * signal, GError ** error);

GST_OPENTOK_API
GstStructure *gst_opentok_signal_to_structure (const GstOpenTokSignal * signal);

/* The error name opentok.js reports for a #GstOpenTokSignalError code
 * ("OT_INVALID_PARAMETER" for 400 and 413, ...). */
GST_OPENTOK_API
const gchar *gst_opentok_signal_error_get_name (GstOpenTokSignalError code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstOpenTokSignal, gst_opentok_signal_unref)

G_END_DECLS

#endif /* __GST_OPENTOK_SIGNAL_H__ */
