/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: what the two files of the session model share.
 *
 * gstopentoksessions.c       sessions and members, requests made of the
 *                            cluster (join, leave, signal, force
 *                            disconnect), acknowledgements, stored replies,
 *                            rate limits, reconnection windows
 * gstopentoksessionevents.c  the events the cluster applies, made into the
 *                            MESSAGEs members get; members of other nodes,
 *                            members taken over from them (and what they
 *                            missed) or given up to them */

#ifndef __GST_OPENTOK_SESSIONS_PRIVATE_H__
#define __GST_OPENTOK_SESSIONS_PRIVATE_H__

#include <json-glib/json-glib.h>

#include "gstopentoksessions.h"

G_BEGIN_DECLS

/* a UUID's 36 characters and a NUL; the last 12 digits count */
#define TRANSACTION_ID_SIZE 37
#define TRANSACTION_PREFIX_LENGTH 24

struct _GstOpenTokSessions
{
  const GstOpenTokSessionsEvents *events;
  gpointer user_data;
  GstOpenTokServerMetrics *metrics;

  /* of the current run */
  const GstOpenTokServerConfig *config;
  GMainContext *context;

  GstOpenTokCluster *cluster;
  GstOpenTokRouter *router;
  GHashTable *sessions;         /* id -> GstOpenTokSession, owned */
  GHashTable *members_by_socket_id;     /* socket id -> GstOpenTokMember */
  GSource *overflow_idle;
};

/* A socket claiming the member of its socket id from another node. */
typedef struct
{
  GstOpenTokSessions *sessions;
  GstOpenTokLink *link;
  GstOpenTokJoinedFunc reclaimed;
  gpointer user_data;
} Reclaim;

/* gstopentoksessions.c */
G_GNUC_INTERNAL
void gst_opentok_member_deliver (gpointer member,
    GstOpenTokEnvelope * envelope);
G_GNUC_INTERNAL
void gst_opentok_member_send (GstOpenTokMember * member, GBytes * frame);
G_GNUC_INTERNAL
void gst_opentok_member_free (GstOpenTokMember * member);
G_GNUC_INTERNAL
void gst_opentok_member_unbind (GstOpenTokMember * member);
G_GNUC_INTERNAL
void gst_opentok_member_unlink (GstOpenTokMember * member);
G_GNUC_INTERNAL
void gst_opentok_member_cancel_grace (GstOpenTokMember * member);
/* A member or join of this node is gone. */
G_GNUC_INTERNAL
void gst_opentok_session_forget_local (GstOpenTokSession * session);

/* gstopentoksessionevents.c */
G_GNUC_INTERNAL
void gst_opentok_session_clear_history (GstOpenTokSession * session);
G_GNUC_INTERNAL
JsonNode *gst_opentok_member_to_json (GstOpenTokMember * member);

G_END_DECLS

#endif /* __GST_OPENTOK_SESSIONS_PRIVATE_H__ */
