/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_REST_JWT_H__
#define __GST_OPENTOK_REST_JWT_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>

G_BEGIN_DECLS

/**
 * GST_OPENTOK_REST_JWT_MAX_LIFETIME:
 *
 * The longest lifetime, in seconds, OpenTok allows a REST authentication JWT
 * (five minutes).
 *
 * Since: 0.1
 */
#define GST_OPENTOK_REST_JWT_MAX_LIFETIME (5 * 60)

/**
 * GST_OPENTOK_REST_JWT_CLOCK_SKEW:
 *
 * Seconds of clock difference gst_opentok_rest_jwt_verify() tolerates
 * between the machine that made a REST authentication JWT and this one.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_REST_JWT_CLOCK_SKEW 60

GST_OPENTOK_API
gchar *gst_opentok_rest_jwt_new (const gchar * api_key,
    const gchar * api_secret, gint64 lifetime);

GST_OPENTOK_API
gboolean gst_opentok_rest_jwt_verify (const gchar * jwt, const gchar * api_key,
    const gchar * api_secret, gint64 now, GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_REST_JWT_H__ */
