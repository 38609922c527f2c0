/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: the embedded server's HTTP side, one SoupServer
 * handler per path: the session info opentok.js reads, the REST API of the
 * server SDKs, the client's analytics, /healthz and /metrics. Runs on the
 * server thread. */

#ifndef __GST_OPENTOK_SERVER_HTTP_H__
#define __GST_OPENTOK_SERVER_HTTP_H__

#include <libsoup/soup.h>

#include "gstopentoksessions.h"
#include "gstopentokrumorendpoint.h"

G_BEGIN_DECLS

typedef struct _GstOpenTokServerHttp GstOpenTokServerHttp;

/* The SoupServer of one run (HTTPS with @certificate) and its handlers;
 * everything given outlives the returned object. */
G_GNUC_INTERNAL
GstOpenTokServerHttp *gst_opentok_server_http_new (GTlsCertificate *
    certificate,
    const GstOpenTokServerConfig * config, GstOpenTokSessions * sessions,
    GstOpenTokRumorEndpoint * endpoint, GstOpenTokServerMetrics * metrics);

/* Listens on @host (an IP address, or "localhost" for both loopbacks) and
 * @port (0: any). Returns the port, 0 on error. */
G_GNUC_INTERNAL
guint gst_opentok_server_http_listen (GstOpenTokServerHttp * http,
    const gchar * host, guint port, GError ** error);

/* Stops serving (connections not handed to the endpoint are closed) and
 * frees. */
G_GNUC_INTERNAL
void gst_opentok_server_http_free (GstOpenTokServerHttp * http);

G_END_DECLS

#endif /* __GST_OPENTOK_SERVER_HTTP_H__ */
