/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: how the library makes the signals it receives,
 * and checks a type and data given with their lengths (network input may
 * hold NUL bytes). */

#ifndef __GST_OPENTOK_SIGNAL_PRIVATE_H__
#define __GST_OPENTOK_SIGNAL_PRIVATE_H__

#include "gstopentoksignal.h"

G_BEGIN_DECLS

/* A received signal: @from is NULL when the server sent it (REST). */
G_GNUC_INTERNAL
GstOpenTokSignal *gst_opentok_signal_new_received (const gchar * type,
    const gchar * data, const gchar * from, gboolean from_self);

/* Each makes @signal a received one. */
G_GNUC_INTERNAL
void gst_opentok_signal_set_from (GstOpenTokSignal * signal,
    const gchar * connection_id);

G_GNUC_INTERNAL
void gst_opentok_signal_set_from_self (GstOpenTokSignal * signal,
    gboolean from_self);

/* The checks of gst_opentok_signal_validate() on a type and data of the
 * given lengths. */
G_GNUC_INTERNAL
gboolean gst_opentok_signal_validate_fields (const gchar * type,
    gsize type_length, const gchar * data, gsize data_length,
    GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_SIGNAL_PRIVATE_H__ */
