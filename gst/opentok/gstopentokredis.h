/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: connections to the Redis server the nodes of a
 * cluster share (hiredis, RESP2).
 *
 * A GstOpenTokRedis is one asynchronous connection driven by a
 * GMainContext of ours (hiredis' GLib adapter): commands are pipelined in
 * the order they are given and answered in that order, on that context.
 * When the connection ends, every command not answered yet is answered with
 * no reply, then the lost function runs once. Every call is made on the
 * context's thread. */

#ifndef __GST_OPENTOK_REDIS_H__
#define __GST_OPENTOK_REDIS_H__

#include <glib.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

typedef struct _GstOpenTokRedis GstOpenTokRedis;

/* Where a redis://HOST[:PORT][/DB] URL points. */
typedef struct
{
  gchar *host;
  guint port;
  guint db;
} GstOpenTokRedisAddress;

G_GNUC_INTERNAL
GstOpenTokRedisAddress *gst_opentok_redis_address_parse (const gchar * url,
    GError ** error);

G_GNUC_INTERNAL
void gst_opentok_redis_address_free (GstOpenTokRedisAddress * address);

/* Connects, selects the database and checks that the server is a Redis that
 * can run the cluster (5.0 or newer, for streams and scripts), waiting at
 * most @timeout_ms: a node fails at start, with the reason, rather than
 * running without its cluster. Blocks the calling thread. */
G_GNUC_INTERNAL
gboolean gst_opentok_redis_probe (const GstOpenTokRedisAddress * address,
    guint timeout_ms, GError ** error);

/* @reply is NULL when the connection ended before the answer. It belongs
 * to hiredis: it is freed when the callback returns. */
typedef void (*GstOpenTokRedisReplyFunc) (GstOpenTokRedis * redis,
    redisReply * reply, gpointer user_data);

/* The connection ended (or could not be made): @error says why. Called
 * from an idle of the context, once; the connection may be freed in it. */
typedef void (*GstOpenTokRedisLostFunc) (GstOpenTokRedis * redis,
    const GError * error, gpointer user_data);

/* Starts connecting to @address on @context; commands given before the
 * connection is up wait for it, and SELECT goes first. */
G_GNUC_INTERNAL
GstOpenTokRedis *gst_opentok_redis_new (const GstOpenTokRedisAddress *
    address, GMainContext * context, GstOpenTokRedisLostFunc lost,
    gpointer user_data);

/* Sends a command of @argc arguments (binary safe); @reply may be NULL. */
G_GNUC_INTERNAL
void gst_opentok_redis_command (GstOpenTokRedis * redis,
    GstOpenTokRedisReplyFunc reply, gpointer user_data, gint argc,
    const gchar ** argv, const gsize * argv_len);

/* Subscribes to @channel (once the connection is in subscriber mode only
 * SUBSCRIBE and UNSUBSCRIBE may follow). @func receives every reply for
 * it: the subscription's confirmation, each message, the unsubscription's
 * confirmation; and NULL when the connection ends. */
G_GNUC_INTERNAL
void gst_opentok_redis_subscribe (GstOpenTokRedis * redis,
    const gchar * channel, GstOpenTokRedisReplyFunc func, gpointer user_data);

G_GNUC_INTERNAL
void gst_opentok_redis_unsubscribe (GstOpenTokRedis * redis,
    const gchar * channel);

/* Commands sent and not answered yet. */
G_GNUC_INTERNAL
guint gst_opentok_redis_get_n_waiting (GstOpenTokRedis * redis);

/* Ends the connection: every command not answered yet is answered with no
 * reply, the lost function is not called. Never from one of its own reply
 * callbacks. */
G_GNUC_INTERNAL
void gst_opentok_redis_free (GstOpenTokRedis * redis);

G_END_DECLS

#endif /* __GST_OPENTOK_REDIS_H__ */
