/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: what the nodes serving one API key agree on.
 *
 * The session model never changes a session by itself: it asks the cluster
 * to commit the change as an event (a member joins, a member leaves, a
 * signal). The cluster checks it against the session as every node sees it,
 * gives it the session's next offset (1, 2, 3, ... per session) and hands it
 * back, in offset order, to every node that applies the session's events;
 * the model then delivers it to its members. One order per session, for all
 * nodes, is what makes "every member sees the same order" hold across nodes.
 *
 * The cluster of one node (gst_opentok_local_cluster_new()) commits at once
 * and applies before append returns. A cluster over a shared store
 * implements the same vtable; the protocol code does not change.
 *
 * Every call and every callback runs on the server thread. A callback may
 * call the cluster again. */

#ifndef __GST_OPENTOK_CLUSTER_H__
#define __GST_OPENTOK_CLUSTER_H__

#include <glib.h>

#include "gstopentoktoken.h"

G_BEGIN_DECLS

typedef struct _GstOpenTokCluster GstOpenTokCluster;

typedef enum
{
  GST_OPENTOK_EVENT_JOIN,
  GST_OPENTOK_EVENT_LEAVE,
  GST_OPENTOK_EVENT_SIGNAL,
} GstOpenTokEventKind;

/* One change of a session. */
typedef struct
{
  GstOpenTokEventKind kind;
  guint64 offset;               /* given by the cluster when committed */
  /* join and leave: the member; signal: the sender, "" for the server */
  gchar *connection_id;
  /* join */
  gchar *socket_id;             /* nullable */
  gchar *data;
  GstOpenTokRole role;
  gint64 creation_time;         /* ms since the epoch */
  /* leave */
  gchar *reason;
  /* signal: @to a connection id, NULL for the whole session */
  gchar *to;
  gchar *type;                  /* nullable */
  gchar *payload;               /* nullable: the signal's data */
  gchar *uri;
  /* join: the node the member is on, NULL on the cluster of one node */
  gchar *node;
  /* the client's transaction id of the request that made it, nullable: a
   * request re-sent (through any node) is carried out once. Not sent
   * between nodes. */
  gchar *request;
} GstOpenTokEvent;

/* What every node knows of a session. */
typedef struct
{
  gchar *id;
  gint64 created;               /* ms since the epoch */
  gchar *transaction_prefix;    /* 24 characters */
} GstOpenTokSessionRecord;

G_GNUC_INTERNAL
GstOpenTokEvent *gst_opentok_event_new (GstOpenTokEventKind kind,
    const gchar * connection_id);
G_GNUC_INTERNAL
void gst_opentok_event_free (GstOpenTokEvent * event);

G_GNUC_INTERNAL
GstOpenTokEvent *gst_opentok_event_copy (const GstOpenTokEvent * event);

/* The form events take between nodes: every field in a fixed order, each
 * "N" (none) or "LENGTH:BYTES,". */
G_GNUC_INTERNAL
GString *gst_opentok_event_encode (const GstOpenTokEvent * event);

/* Reads what gst_opentok_event_encode() wrote, from the network (a shared
 * store): NULL and @error when it is not that. */
G_GNUC_INTERNAL
GstOpenTokEvent *gst_opentok_event_decode (const gchar * data, gsize size,
    GError ** error);

/* The node applies @event of @session_id: called in offset order, once per
 * event and node. */
typedef void (*GstOpenTokClusterApplyFunc) (const gchar * session_id,
    const GstOpenTokEvent * event, gpointer user_data);

/* A request is committed (@error NULL) or refused. Refusals carry
 * G_IO_ERROR_EXISTS (the connection id is taken),
 * GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND (no such session or member) or
 * GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED (the cluster cannot commit now). */
typedef void (*GstOpenTokClusterDoneFunc) (const GError * error,
    gpointer user_data);

/* @record is NULL when the cluster has no such session. */
typedef void (*GstOpenTokClusterFoundFunc) (const GstOpenTokSessionRecord *
    record, const GError * error, gpointer user_data);

/* A claim is done: the member @connection_id of @session_id was this
 * socket's, and this node applies the session's events, the member's
 * included; or @session_id is NULL when no member of the cluster has that
 * socket id. Every message up to @acknowledged reached its client. */
typedef void (*GstOpenTokClusterClaimedFunc) (const gchar * session_id,
    const gchar * connection_id, guint64 acknowledged, const GError * error,
    gpointer user_data);

/* @done may be NULL in every call. */
typedef struct
{
  /* TRUE: this node applies every session's events, so the model's view of
   * each session is whole (one node). FALSE: only those of the sessions it
   * watches. */
  gboolean applies_every_session;
  /* The session exists from now on, for every node. */
  void (*add_session) (GstOpenTokCluster * cluster,
      const GstOpenTokSessionRecord * record, GstOpenTokClusterDoneFunc done,
      gpointer user_data);
  /* A session this node does not know: made on another node? */
  void (*find_session) (GstOpenTokCluster * cluster, const gchar * session_id,
      GstOpenTokClusterFoundFunc found, gpointer user_data);
  /* This node has members in the session from now on, or no longer: it
   * applies the session's events while it has, starting with what makes
   * its view of the session whole (gst_opentok_sessions_load_member()). */
  void (*watch) (GstOpenTokCluster * cluster, const gchar * session_id);
  void (*unwatch) (GstOpenTokCluster * cluster, const gchar * session_id);
  /* A client came back through this node with the socket id of a member of
   * another: the member becomes this node's. After @claimed returns, the
   * cluster hands it what it missed (gst_opentok_sessions_replay(), then
   * gst_opentok_sessions_replayed()). */
  void (*claim) (GstOpenTokCluster * cluster, const gchar * socket_id,
      GstOpenTokClusterClaimedFunc claimed, gpointer user_data);
  /* Every message of the member up to @offset reached its client. */
  void (*acknowledge) (GstOpenTokCluster * cluster, const gchar * session_id,
      const gchar * connection_id, guint64 offset);
  /* Commits @event with the session's next offset and has it applied. The
   * model has checked it against its own view of the session; a cluster of
   * several nodes checks it again against the shared one (join: the
   * connection id is free; leave: the member is there; signal: its target
   * is there). @event stays the caller's. */
  void (*append) (GstOpenTokCluster * cluster, const gchar * session_id,
      const GstOpenTokEvent * event, GstOpenTokClusterDoneFunc done,
      gpointer user_data);
  void (*free) (GstOpenTokCluster * cluster);
} GstOpenTokClusterVTable;

struct _GstOpenTokCluster
{
  const GstOpenTokClusterVTable *vtable;
  gchar *node;                  /* this node's id, NULL on one node */
  GstOpenTokClusterApplyFunc apply;
  gpointer apply_data;
};

G_GNUC_INTERNAL
GstOpenTokCluster *gst_opentok_local_cluster_new (GstOpenTokClusterApplyFunc
    apply, gpointer user_data);

static inline void
gst_opentok_cluster_add_session (GstOpenTokCluster * cluster,
    const GstOpenTokSessionRecord * record, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  cluster->vtable->add_session (cluster, record, done, user_data);
}

static inline void
gst_opentok_cluster_find_session (GstOpenTokCluster * cluster,
    const gchar * session_id, GstOpenTokClusterFoundFunc found,
    gpointer user_data)
{
  cluster->vtable->find_session (cluster, session_id, found, user_data);
}

static inline void
gst_opentok_cluster_watch (GstOpenTokCluster * cluster,
    const gchar * session_id)
{
  cluster->vtable->watch (cluster, session_id);
}

static inline void
gst_opentok_cluster_unwatch (GstOpenTokCluster * cluster,
    const gchar * session_id)
{
  cluster->vtable->unwatch (cluster, session_id);
}

static inline void
gst_opentok_cluster_append (GstOpenTokCluster * cluster,
    const gchar * session_id, const GstOpenTokEvent * event,
    GstOpenTokClusterDoneFunc done, gpointer user_data)
{
  cluster->vtable->append (cluster, session_id, event, done, user_data);
}

static inline void
gst_opentok_cluster_claim (GstOpenTokCluster * cluster,
    const gchar * socket_id, GstOpenTokClusterClaimedFunc claimed,
    gpointer user_data)
{
  cluster->vtable->claim (cluster, socket_id, claimed, user_data);
}

static inline void
gst_opentok_cluster_acknowledge (GstOpenTokCluster * cluster,
    const gchar * session_id, const gchar * connection_id, guint64 offset)
{
  cluster->vtable->acknowledge (cluster, session_id, connection_id, offset);
}

static inline void
gst_opentok_cluster_free (GstOpenTokCluster * cluster)
{
  cluster->vtable->free (cluster);
}

G_END_DECLS

#endif /* __GST_OPENTOK_CLUSTER_H__ */
