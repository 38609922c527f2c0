/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: the embedded server's Rumor WebSocket endpoint.
 * It answers the WebSocket handshake, hands each socket to an I/O thread,
 * reads Rumor frames and carries out the Raptor requests they hold on the
 * session model. Runs on the server thread. */

#ifndef __GST_OPENTOK_RUMOR_ENDPOINT_H__
#define __GST_OPENTOK_RUMOR_ENDPOINT_H__

#include <libsoup/soup.h>

#include "gstopentoksessions.h"

G_BEGIN_DECLS

typedef struct _GstOpenTokRumorEndpoint GstOpenTokRumorEndpoint;

/* The endpoint of one run, on @context. @config, @sessions and @metrics
 * outlive it. */
G_GNUC_INTERNAL
GstOpenTokRumorEndpoint *gst_opentok_rumor_endpoint_new (GMainContext *
    context, const GstOpenTokServerConfig * config,
    GstOpenTokSessions * sessions, GstOpenTokServerMetrics * metrics);

/* Closes every socket (1001), waits a bounded time for the close
 * handshakes, and frees the endpoint. The members of its sockets are
 * released, not told. */
G_GNUC_INTERNAL
void gst_opentok_rumor_endpoint_free (GstOpenTokRumorEndpoint * endpoint);

/* A request for GST_OPENTOK_SERVER_RUMOR_PATH: the WebSocket handshake. */
G_GNUC_INTERNAL
void gst_opentok_rumor_endpoint_handle_request (GstOpenTokRumorEndpoint *
    endpoint, SoupServerMessage * msg);

G_GNUC_INTERNAL
guint gst_opentok_rumor_endpoint_get_n_sockets (GstOpenTokRumorEndpoint *
    endpoint);

/* Every frame received, the PINGs the I/O threads answered included. */
G_GNUC_INTERNAL
guint64 gst_opentok_rumor_endpoint_get_frames_received
    (GstOpenTokRumorEndpoint * endpoint);

G_END_DECLS

#endif /* __GST_OPENTOK_RUMOR_ENDPOINT_H__ */
