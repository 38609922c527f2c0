/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: the cluster of the nodes that share one Redis
 * and one API key (docs/cluster.md).
 *
 * Each session is a hash (its creation time, transaction prefix and last
 * offset), a hash of its members and a stream of its events. One script
 * checks an event, gives it the next offset, appends it to the stream and
 * publishes it on the session's channel, in one step. A node subscribes to
 * the channels of the sessions it has members in, applies their events in
 * offset order, and reads what it missed from the stream. */

#ifndef __GST_OPENTOK_REDIS_CLUSTER_H__
#define __GST_OPENTOK_REDIS_CLUSTER_H__

#include "gstopentokcluster.h"
#include "gstopentokredis.h"
#include "gstopentoksessions.h"

G_BEGIN_DECLS

/* A cluster over the Redis at @address for @api_key's sessions, applying
 * to @sessions, on @context (the server thread's). */
G_GNUC_INTERNAL
GstOpenTokCluster *gst_opentok_redis_cluster_new (const GstOpenTokRedisAddress
    * address, const GstOpenTokServerConfig * config, GMainContext * context,
    GstOpenTokSessions * sessions, GstOpenTokServerMetrics * metrics);

/* TRUE while both connections to Redis are up. */
G_GNUC_INTERNAL
gboolean gst_opentok_redis_cluster_is_connected (GstOpenTokCluster * cluster);

G_END_DECLS

#endif /* __GST_OPENTOK_REDIS_CLUSTER_H__ */
