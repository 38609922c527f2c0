/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: how the client reads what the server sends it
 * (STATUS replies and Raptor events), without the client's state. Kept
 * apart from the client's networking so that tests/fuzz can run it on its
 * own. Everything here takes network input: nothing raises a critical. */

#ifndef __GST_OPENTOK_PAYLOAD_H__
#define __GST_OPENTOK_PAYLOAD_H__

#include <glib.h>
#include <json-glib/json-glib.h>

#include "gstopentokclient.h"
#include "gstopentokraptor.h"
#include "gstopentoksignal.h"

G_BEGIN_DECLS

/* The largest Rumor frame the client reads: the create reply lists every
 * connection of the session, so large sessions need room. */
#define GST_OPENTOK_CLIENT_MAX_FRAME_SIZE (16 * 1024 * 1024)

/* The status of a STATUS frame without a STATUS header, and of one whose
 * header is not a number from 100 to 599. */
#define GST_OPENTOK_PAYLOAD_STATUS_DEFAULT 200
#define GST_OPENTOK_PAYLOAD_STATUS_INVALID 500

/* A connection's creationTime is in milliseconds since the epoch, below
 * this (the year 33658); anything else reads as 0, unknown. */
#define GST_OPENTOK_PAYLOAD_MAX_CREATION_TIME \
  G_GINT64_CONSTANT (1000000000000000)

/* Created here from what the server sends; ref, unref and the getters are
 * gstopentokconnection.c's. */
struct _GstOpenTokConnection
{
  gint ref_count;
  gchar *id;                    /* never empty */
  gchar *data;                  /* "" when the token has none */
  gint64 creation_time;         /* ms since the epoch, 0 when unknown */
};

G_GNUC_INTERNAL
GstOpenTokConnection *gst_opentok_connection_new (const gchar * id,
    const gchar * data, gint64 creation_time);

G_GNUC_INTERNAL
guint gst_opentok_payload_read_status (const gchar * header);

G_GNUC_INTERNAL
gchar *gst_opentok_payload_read_reason (GBytes * payload);

G_GNUC_INTERNAL
GstOpenTokClientError gst_opentok_payload_create_error (guint status,
    const gchar * reason);

G_GNUC_INTERNAL
GPtrArray *gst_opentok_payload_read_connections (GBytes * payload);

G_GNUC_INTERNAL
GstOpenTokConnection *gst_opentok_payload_read_connection (JsonObject *
    object);

G_GNUC_INTERNAL
GstOpenTokSignal *gst_opentok_payload_read_signal (const
    GstOpenTokRaptorMessage * message, const gchar * from,
    const gchar * own_connection_id);

G_END_DECLS

#endif /* __GST_OPENTOK_PAYLOAD_H__ */
