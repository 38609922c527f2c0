/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_SIGNAL_BIN_H__
#define __GST_SIGNAL_BIN_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstSignalBinSrcFormat:
 * @GST_SIGNAL_BIN_SRC_FORMAT_DATA: each buffer is the data of one received
 *     signal followed by a newline (`text/x-raw, format=utf8`)
 * @GST_SIGNAL_BIN_SRC_FORMAT_JSON: each buffer is one received signal as a
 *     JSON object followed by a newline (`application/json`, or
 *     `text/x-raw, format=utf8` for a downstream that takes only text, such
 *     as a muxer's subtitle track)
 *
 * What the buffers of the `src` pad of `signalbin` carry.
 *
 * Since: 0.1
 */
typedef enum
{
  GST_SIGNAL_BIN_SRC_FORMAT_DATA,
  GST_SIGNAL_BIN_SRC_FORMAT_JSON,
} GstSignalBinSrcFormat;

#define GST_TYPE_SIGNAL_BIN_SRC_FORMAT (gst_signal_bin_src_format_get_type ())
GType gst_signal_bin_src_format_get_type (void);

/**
 * GstSignalBinSinkFormat:
 * @GST_SIGNAL_BIN_SINK_FORMAT_DATA: each buffer (or line of text) is the
 *     data of one signal, with the type and target of the element's
 *     properties
 * @GST_SIGNAL_BIN_SINK_FORMAT_JSON: each buffer (or line of text) is one
 *     signal as a JSON object with `type`, `data` and optional `to`, as the
 *     `src` pad makes them with %GST_SIGNAL_BIN_SRC_FORMAT_JSON
 *
 * What the buffers of the `sink` pad of `signalbin` carry.
 *
 * Since: 0.1
 */
typedef enum
{
  GST_SIGNAL_BIN_SINK_FORMAT_DATA,
  GST_SIGNAL_BIN_SINK_FORMAT_JSON,
} GstSignalBinSinkFormat;

#define GST_TYPE_SIGNAL_BIN_SINK_FORMAT (gst_signal_bin_sink_format_get_type ())
GType gst_signal_bin_sink_format_get_type (void);

#define GST_TYPE_SIGNAL_BIN (gst_signal_bin_get_type ())
G_DECLARE_FINAL_TYPE (GstSignalBin, gst_signal_bin, GST, SIGNAL_BIN, GstBin);

GST_ELEMENT_REGISTER_DECLARE (signalbin);

/* the class handlers of the action signals: applications emit those */
void gst_signal_bin_send_signal (GstSignalBin * bin,
    const GstStructure * signal, GstPromise * promise);

void gst_signal_bin_force_disconnect (GstSignalBin * bin,
    const gchar * connection_id, GstPromise * promise);

G_END_DECLS

#endif /* __GST_SIGNAL_BIN_H__ */
