/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: the embedded server's session model.
 *
 * Sessions hold members (Raptor connections) in joining order. A member
 * lives from its `create` to its deletion, across socket reconnections: it
 * keeps the server MESSAGEs its client has not acknowledged, the replies to
 * its requests (so that a request re-sent after a reconnection is answered
 * again, not run twice) and its signal rate budget.
 *
 * Every change of a session is committed through the GstOpenTokCluster as
 * an event and carried out when the cluster applies it, in the session's
 * one order: a join, a leave, a signal. Messages then fan out to the
 * members of this node through a GstOpenTokRouter.
 *
 * The model knows no socket: a member is reached through a GstOpenTokLink
 * the transport implements (the Rumor endpoint; a test's fake). It runs on
 * one thread, the one whose context it was started with; its timers (the
 * reconnection windows) run there. */

#ifndef __GST_OPENTOK_SESSIONS_H__
#define __GST_OPENTOK_SESSIONS_H__

#include <gst/gst.h>

#include "gstopentoktoken.h"
#include "gstopentokrouter.h"
#include "gstopentokcluster.h"
#include "gstopentokserver-private.h"

G_BEGIN_DECLS

typedef struct _GstOpenTokSessions GstOpenTokSessions;
typedef struct _GstOpenTokSession GstOpenTokSession;
typedef struct _GstOpenTokMember GstOpenTokMember;
typedef struct _GstOpenTokLink GstOpenTokLink;

/* A join is done: @member is in the session and nobody heard of it yet
 * (its client's answer goes first), or @error says why not. Not called when
 * the link was released meanwhile. */
typedef void (*GstOpenTokJoinedFunc) (GstOpenTokLink * link,
    GstOpenTokMember * member, const GError * error, gpointer user_data);

/* How the transport reaches a member's client. */
typedef struct
{
  void (*send) (GstOpenTokLink * link, GBytes * frame);
  /* the model ends the member for a fault of its client (too many
   * unacknowledged messages): close the socket with @code */
  void (*close) (GstOpenTokLink * link, gushort code, const gchar * reason);
  /* the member was force-disconnected and is gone: its client normally
   * leaves by itself, the transport closes the socket if it does not */
  void (*evict) (GstOpenTokLink * link);
} GstOpenTokLinkFuncs;

struct _GstOpenTokLink
{
  const GstOpenTokLinkFuncs *funcs;
  GstOpenTokMember *member;     /* set by the model while bound */
  GstOpenTokMember *joining;    /* set by the model while its join waits */
  gpointer claim;               /* set by the model while a reclaim waits */
};

struct _GstOpenTokSession
{
  GstOpenTokSessions *sessions;
  gchar *id;
  gchar *topic;                 /* /v2/partner/{key}/session/{id} */
  GDateTime *created;
  GHashTable *members;          /* connection id -> GstOpenTokMember, owned */
  GQueue order;                 /* GstOpenTokMember, in joining order */
  GHashTable *joining;          /* connection id -> GstOpenTokMember, owned:
                                 * joins waiting for the cluster */
  gboolean replica;             /* members and order are the whole session's:
                                 * this node applies its events */
  /*< private > */
  gchar *transaction_prefix;    /* of the MESSAGEs made from its events */
  guint n_local;                /* members and joins of this node */
  GQueue history;               /* its last broadcasts, oldest first */
};

struct _GstOpenTokMember
{
  GstOpenTokSessions *sessions;
  GstOpenTokSession *session;
  gchar *id;
  gchar *socket_id;             /* nullable: client without reconnection */
  gchar *data;
  GstOpenTokRole role;
  gint64 creation_time;         /* ms since the epoch */
  GstOpenTokLink *link;         /* nullable while detached */
  gboolean remote;              /* on another node: a record, no link */

  /*< private > */
  GList *order_link;            /* in session->order */
  gboolean leaving;             /* its leave waits for the cluster */
  GstOpenTokJoinedFunc joined;  /* while it joins */
  gpointer joined_data;
  GSource *grace;               /* running while detached */
  GQueue pending;               /* GstOpenTokEnvelope not acknowledged yet */
  gsize pending_bytes;
  gboolean overflowing;         /* over a pending limit: being dropped */
  GHashTable *pending_index;    /* transaction id -> GList link, built for
                                 * the first ack out of order */
  GHashTable *replies;          /* client transaction id -> reply, lazy */
  GQueue reply_order;           /* transaction ids in the table, oldest first */
  gdouble tokens;               /* signal rate limit: token bucket */
  gint64 tokens_time;
  guint64 last_offset;          /* of the last message handed to it */
  guint64 acknowledged;         /* every message up to this offset is */
  gboolean replaying;           /* taken from another node: what it missed
                                 * goes first, newer messages wait in held */
  GQueue held;
};

/* What the model tells its owner; called on the model's thread, with no
 * lock of the model's (it has none). */
typedef struct
{
  void (*joined) (GstOpenTokSession * session, GstOpenTokMember * member,
      gpointer user_data);
  void (*left) (GstOpenTokSession * session, GstOpenTokMember * member,
      const gchar * reason, gpointer user_data);
  /* @from is "" for the server itself, @to NULL for the whole session */
  void (*relayed) (GstOpenTokSession * session, const gchar * from,
      const gchar * to, const gchar * type, const gchar * data,
      gpointer user_data);
} GstOpenTokSessionsEvents;

/* A reply already sent to a client request. */
typedef struct
{
  guint status;
  gchar *body;                  /* nullable */
  gboolean session_state;       /* the body is the session as it is now */
  gint64 expires;               /* monotonic time */
} GstOpenTokStoredReply;

G_GNUC_INTERNAL
GstOpenTokSessions *
gst_opentok_sessions_new (const GstOpenTokSessionsEvents * events,
    gpointer user_data, GstOpenTokServerMetrics * metrics);

G_GNUC_INTERNAL
void gst_opentok_sessions_free (GstOpenTokSessions * sessions);

/* The sessions are committed through @cluster (taken) from now on,
 * instead of the cluster of one node they start with; the sessions made
 * before are added to it. */
G_GNUC_INTERNAL
void gst_opentok_sessions_set_cluster (GstOpenTokSessions * sessions,
    GstOpenTokCluster * cluster);

/* Adds every session this node knows to the cluster, again: a session
 * already there stays as it is. For a Redis that came back without them. */
G_GNUC_INTERNAL
void gst_opentok_sessions_seed (GstOpenTokSessions * sessions);

/* For the cluster: this node lost its lease, so the others may take its
 * members for dead: every member of this node ends here, without anybody
 * being told, and its socket is closed with 1001. */
G_GNUC_INTERNAL
void gst_opentok_sessions_abandon (GstOpenTokSessions * sessions);

/* The run ends: the cluster goes, and what waited for it is refused now
 * (its callbacks run); the cluster of one node takes its place. */
G_GNUC_INTERNAL
void gst_opentok_sessions_stop_cluster (GstOpenTokSessions * sessions);

/* What the cluster applies (the GstOpenTokClusterApplyFunc of
 * gst_opentok_local_cluster_new() and of every other cluster). */
G_GNUC_INTERNAL
void gst_opentok_sessions_apply (const gchar * session_id,
    const GstOpenTokEvent * event, gpointer sessions);

/* A run begins: limits from @config (kept, not copied), timers on
 * @context, fresh transaction ids. */
G_GNUC_INTERNAL
void gst_opentok_sessions_start (GstOpenTokSessions * sessions,
    const GstOpenTokServerConfig * config, GMainContext * context);

/* The run ends: every session and member is forgotten and nobody told;
 * the cluster is the one of one node again. */
G_GNUC_INTERNAL
void gst_opentok_sessions_clear (GstOpenTokSessions * sessions);

/* A session is made (@session) or could not be (@error). */
typedef void (*GstOpenTokSessionAddedFunc) (GstOpenTokSession * session,
    const GError * error, gpointer user_data);

/* A request carried out through the cluster is done: @error is NULL, or
 * says why it was refused. */
typedef void (*GstOpenTokSessionsDoneFunc) (const GError * error,
    gpointer user_data);

/* Makes a session with a new id; @added may run before this returns. */
G_GNUC_INTERNAL
void gst_opentok_sessions_add (GstOpenTokSessions * sessions,
    const gchar * api_key, GstOpenTokSessionAddedFunc added,
    gpointer user_data);

/* The session this node knows as @session_id, or NULL. */
G_GNUC_INTERNAL
GstOpenTokSession *gst_opentok_sessions_lookup (GstOpenTokSessions *
    sessions, const gchar * session_id);

/* @session is NULL when no node knows @session_id. */
typedef void (*GstOpenTokSessionFoundFunc) (GstOpenTokSession * session,
    const GError * error, gpointer user_data);

/* Finds a session this node knows, or one the cluster knows; @found may
 * run before this returns. */
G_GNUC_INTERNAL
void gst_opentok_sessions_find (GstOpenTokSessions * sessions,
    const gchar * session_id, GstOpenTokSessionFoundFunc found,
    gpointer user_data);

/* For the cluster: this node applies @session_id's events from now on
 * (TRUE), after loading its members; or no longer (FALSE), and forgets the
 * members of other nodes. */
G_GNUC_INTERNAL
void gst_opentok_sessions_set_replica (GstOpenTokSessions * sessions,
    const gchar * session_id, gboolean replica);

/* For the cluster: a broadcast of the session's history made before this
 * node applied its events, committed at @time (us since the epoch). */
G_GNUC_INTERNAL
void gst_opentok_sessions_load_history (GstOpenTokSessions * sessions,
    const gchar * session_id, const GstOpenTokEvent * signal, gint64 time);

/* For the cluster: a member of another node, from the join event that
 * made it, known from now on without anybody being told. */
G_GNUC_INTERNAL
void gst_opentok_sessions_load_member (GstOpenTokSessions * sessions,
    const gchar * session_id, const GstOpenTokEvent * join);

G_GNUC_INTERNAL
guint gst_opentok_sessions_get_n_sessions (GstOpenTokSessions * sessions);

/* Members in every session (waiting to reconnect included), and the
 * messages they have not acknowledged. */
G_GNUC_INTERNAL
void gst_opentok_sessions_count (GstOpenTokSessions * sessions,
    guint64 * members, guint64 * pending);

/* Adds a member reached through @link; @joined says when it is in, then
 * the session hears connection#created. Refused with G_IO_ERROR_EXISTS when
 * the connection id or the socket id is in use. @joined may run before this
 * returns. */
G_GNUC_INTERNAL
void gst_opentok_sessions_join (GstOpenTokSessions * sessions,
    GstOpenTokSession * session, const gchar * connection_id,
    const gchar * socket_id, const gchar * data, GstOpenTokRole role,
    GstOpenTokLink * link, GstOpenTokJoinedFunc joined, gpointer user_data);

/* A new socket claims the member of @socket_id (reconnection): it is bound
 * to @link, and every message it has not acknowledged is sent again.
 * Returns NULL when no member has that socket id. */
G_GNUC_INTERNAL
GstOpenTokMember *gst_opentok_sessions_rebind (GstOpenTokSessions *
    sessions, const gchar * socket_id, GstOpenTokLink * link);

/* A new socket claims the member of @socket_id, which another node had
 * (the client reconnected through this one): @reclaimed says when it is
 * bound to @link, with every message it had not acknowledged sent again,
 * or that nobody in the cluster has that socket id (@member NULL). Tried
 * after gst_opentok_sessions_rebind(). */
G_GNUC_INTERNAL
void gst_opentok_sessions_reclaim (GstOpenTokSessions * sessions,
    const gchar * socket_id, GstOpenTokLink * link,
    GstOpenTokJoinedFunc reclaimed, gpointer user_data);

/* For the cluster: the member @connection_id of @session_id, a record of
 * another node's until now, is this node's from now on: bound to the link
 * that claimed it, it gets what it missed through
 * gst_opentok_sessions_replay(), then gst_opentok_sessions_replayed().
 * Every message up to @acknowledged reached its client. */
G_GNUC_INTERNAL
GstOpenTokMember *gst_opentok_sessions_take_member (GstOpenTokSessions *
    sessions, const gchar * session_id, const gchar * connection_id,
    guint64 acknowledged);

/* For the cluster: @event, which the member @connection_id missed, goes to
 * it when it is for it, before anything newer. */
G_GNUC_INTERNAL
void gst_opentok_sessions_replay (GstOpenTokSessions * sessions,
    const gchar * session_id, const gchar * connection_id,
    const GstOpenTokEvent * event);

G_GNUC_INTERNAL
void gst_opentok_sessions_replayed (GstOpenTokSessions * sessions,
    const gchar * session_id, const gchar * connection_id);

/* For the cluster: another node took the member @connection_id: it is a
 * record here from now on; its socket here, if any, is closed. */
G_GNUC_INTERNAL
void gst_opentok_sessions_release_member (GstOpenTokSessions * sessions,
    const gchar * session_id, const gchar * connection_id);

/* @link goes away: its member (or the join it waits for) forgets it,
 * nobody is told. */
G_GNUC_INTERNAL
void gst_opentok_link_release (GstOpenTokLink * link);

/* The session as connection#create and session#read answer it. */
G_GNUC_INTERNAL
gchar *gst_opentok_session_state_new (GstOpenTokSession * session);

G_GNUC_INTERNAL
GstOpenTokMember *gst_opentok_session_lookup_member (GstOpenTokSession *
    session, const gchar * connection_id);

/* The checks every way a signal enters makes: fields, then target (@to, a
 * connection id, or NULL for the whole session). */
G_GNUC_INTERNAL
gboolean gst_opentok_session_check_signal (GstOpenTokSession * session,
    const gchar * type, const gchar * data, const gchar * to,
    GError ** error);

/* Relays a checked signal to the member @to, or to the whole session (the
 * sender included) when @to is NULL. @from is "" for the server itself;
 * @request the transaction id of the member's request (nullable: a re-sent
 * one is carried out once); @uri the request's, or NULL to make one. @done
 * (nullable) runs once the signal is accepted or refused, before the
 * sender's own copy reaches it on this node. */
G_GNUC_INTERNAL
void gst_opentok_session_relay_signal (GstOpenTokSession * session,
    const gchar * from, const gchar * request, const gchar * to,
    const gchar * type,
    const gchar * data, const gchar * uri, GstOpenTokSessionsDoneFunc done,
    gpointer user_data);

/* Deletes the member @connection_id with the reason forceDisconnected,
 * which its own client hears too, then evicts its link. Refused with
 * GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND when it is not in the session. */
G_GNUC_INTERNAL
void gst_opentok_session_force_disconnect (GstOpenTokSession * session,
    const gchar * connection_id, const gchar * request,
    GstOpenTokSessionsDoneFunc done, gpointer user_data);

/* The link is gone: the member waits the reconnection window for a new
 * one when its client can reconnect, else it leaves now. */
G_GNUC_INTERNAL
void gst_opentok_member_detach (GstOpenTokMember * member);

/* Deletes the member and tells the rest of the session why. Its link is
 * forgotten at once; the member itself may outlive this call until the
 * cluster applies its leave. */
G_GNUC_INTERNAL
void gst_opentok_member_remove (GstOpenTokMember * member,
    const gchar * reason);

G_GNUC_INTERNAL
void gst_opentok_member_acknowledge (GstOpenTokMember * member,
    const gchar * transaction_id);

/* Takes one signal from the member's rate budget; FALSE when empty. */
G_GNUC_INTERNAL
gboolean gst_opentok_member_take_signal_token (GstOpenTokMember * member);

/* Remembers the reply to @transaction_id for a while. Returns it, or NULL
 * when one was stored already. */
G_GNUC_INTERNAL
GstOpenTokStoredReply *gst_opentok_member_store_reply (GstOpenTokMember *
    member, const gchar * transaction_id, guint status, const gchar * body);

G_GNUC_INTERNAL
GstOpenTokStoredReply *gst_opentok_member_lookup_reply (GstOpenTokMember *
    member, const gchar * transaction_id);

G_END_DECLS

#endif /* __GST_OPENTOK_SESSIONS_H__ */
