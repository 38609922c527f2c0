/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstopentoksessions.h"
#include "gstopentoksessions-private.h"
#include "gstopentoksignal.h"
#include "gstopentokserver.h"
#include "gstopentok-private.h"
#include "gstopentoksignal-private.h"
#include "gstopentoksessionid.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* How long a member remembers the replies to its requests. */
#define REPLY_MEMORY_US (120 * G_USEC_PER_SEC)

/* WebSocket close code for a client that does not keep up (RFC 6455) */
#define CLOSE_POLICY_VIOLATION 1008

static void member_join_committed (const GError * error, gpointer user_data);

static void
session_free (GstOpenTokSession * session)
{
  gst_opentok_session_clear_history (session);
  g_hash_table_unref (session->joining);
  g_hash_table_unref (session->members);
  g_queue_clear (&session->order);
  g_free (session->transaction_prefix);
  g_date_time_unref (session->created);
  g_free (session->topic);
  g_free (session->id);
  g_free (session);
}

GstOpenTokSessions *
gst_opentok_sessions_new (const GstOpenTokSessionsEvents * events,
    gpointer user_data, GstOpenTokServerMetrics * metrics)
{
  GstOpenTokSessions *self = g_new0 (GstOpenTokSessions, 1);

  self->events = events;
  self->user_data = user_data;
  self->metrics = metrics;
  self->cluster =
      gst_opentok_local_cluster_new (gst_opentok_sessions_apply, self);
  self->router = gst_opentok_local_router_new (gst_opentok_member_deliver);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  self->members_by_socket_id = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
gst_opentok_sessions_free (GstOpenTokSessions * self)
{
  gst_opentok_sessions_clear (self);
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->members_by_socket_id);
  gst_opentok_router_free (self->router);
  gst_opentok_cluster_free (self->cluster);
  g_free (self);
}

void
gst_opentok_sessions_set_cluster (GstOpenTokSessions * self,
    GstOpenTokCluster * cluster)
{
  GHashTableIter iter;
  GstOpenTokSession *session;

  gst_opentok_cluster_free (self->cluster);
  self->cluster = cluster;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session))
    session->replica = cluster->vtable->applies_every_session;
  gst_opentok_sessions_seed (self);
}

void
gst_opentok_sessions_seed (GstOpenTokSessions * self)
{
  GHashTableIter iter;
  GstOpenTokSession *session;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    GstOpenTokSessionRecord record;

    record.id = session->id;
    record.created = g_date_time_to_unix (session->created) * 1000;
    record.transaction_prefix = session->transaction_prefix;
    gst_opentok_cluster_add_session (self->cluster, &record, NULL, NULL);
  }
}

void
gst_opentok_sessions_stop_cluster (GstOpenTokSessions * self)
{
  GstOpenTokCluster *cluster = self->cluster;

  /* in place first: what the refusals do meets the cluster of one node */
  self->cluster = gst_opentok_local_cluster_new (gst_opentok_sessions_apply,
      self);
  gst_opentok_cluster_free (cluster);
}

void
gst_opentok_sessions_start (GstOpenTokSessions * self,
    const GstOpenTokServerConfig * config, GMainContext * context)
{
  self->config = config;
  self->context = context;
}

void
gst_opentok_sessions_clear (GstOpenTokSessions * self)
{
  if (self->overflow_idle != NULL) {
    g_source_destroy (self->overflow_idle);
    g_clear_pointer (&self->overflow_idle, g_source_unref);
  }
  g_hash_table_remove_all (self->members_by_socket_id);
  g_hash_table_remove_all (self->sessions);
  gst_opentok_router_free (self->router);
  self->router = gst_opentok_local_router_new (gst_opentok_member_deliver);
  gst_opentok_cluster_free (self->cluster);
  self->cluster =
      gst_opentok_local_cluster_new (gst_opentok_sessions_apply, self);
  self->config = NULL;
  self->context = NULL;
}

typedef struct
{
  GstOpenTokSession *session;
  GstOpenTokSessionAddedFunc added;
  gpointer user_data;
} SessionAdd;

static void
session_added (const GError * error, gpointer user_data)
{
  SessionAdd *add = user_data;
  GstOpenTokSession *session = add->session;

  if (error != NULL) {
    GST_WARNING ("session %s could not be made: %s", session->id,
        error->message);
    add->added (NULL, error, add->user_data);
    g_hash_table_remove (session->sessions->sessions, session->id);
  } else {
    GST_INFO ("created session %s", session->id);
    add->added (session, NULL, add->user_data);
  }
  g_free (add);
}

/* The session of @record, known to this node from now on. */
static GstOpenTokSession *
sessions_insert (GstOpenTokSessions * self,
    const GstOpenTokSessionRecord * record, const gchar * api_key)
{
  GstOpenTokSession *session = g_new0 (GstOpenTokSession, 1);

  session->sessions = self;
  session->id = g_strdup (record->id);
  session->topic = g_strdup_printf ("/v2/partner/%s/session/%s", api_key,
      session->id);
  session->created = g_date_time_new_from_unix_utc (record->created / 1000);
  session->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) gst_opentok_member_free);
  session->joining = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) gst_opentok_member_free);
  g_queue_init (&session->order);
  session->replica = self->cluster->vtable->applies_every_session;
  session->transaction_prefix = g_strndup (record->transaction_prefix,
      TRANSACTION_PREFIX_LENGTH);
  g_hash_table_insert (self->sessions, session->id, session);
  return session;
}

void
gst_opentok_sessions_add (GstOpenTokSessions * self, const gchar * api_key,
    GstOpenTokSessionAddedFunc added, gpointer user_data)
{
  SessionAdd *add = g_new (SessionAdd, 1);
  gchar *uuid = g_uuid_string_random ();
  GstOpenTokSessionRecord record;

  record.id = gst_opentok_session_id_new (api_key);
  record.created = g_get_real_time () / 1000;
  /* "xxxxxxxx-xxxx-4xxx-yxxx-" of a version 4 UUID */
  record.transaction_prefix = uuid;
  add->session = sessions_insert (self, &record, api_key);
  add->added = added;
  add->user_data = user_data;
  gst_opentok_cluster_add_session (self->cluster, &record, session_added, add);
  g_free (record.id);
  g_free (uuid);
}

typedef struct
{
  GstOpenTokSessions *sessions;
  gchar *session_id;
  GstOpenTokSessionFoundFunc found;
  gpointer user_data;
} SessionFind;

static void
session_found (const GstOpenTokSessionRecord * record, const GError * error,
    gpointer user_data)
{
  SessionFind *find = user_data;
  GstOpenTokSessions *self = find->sessions;
  GstOpenTokSession *session = NULL;
  gchar *api_key;

  /* another lookup may have brought it meanwhile */
  if (record != NULL)
    session = g_hash_table_lookup (self->sessions, record->id);
  if (record != NULL && session == NULL) {
    api_key = gst_opentok_session_id_get_api_key (record->id, NULL);
    if (api_key != NULL) {
      session = sessions_insert (self, record, api_key);
      GST_INFO ("session %s, made on another node", session->id);
    }
    g_free (api_key);
  }
  find->found (session, error, find->user_data);
  g_free (find->session_id);
  g_free (find);
}

void
gst_opentok_sessions_find (GstOpenTokSessions * self,
    const gchar * session_id, GstOpenTokSessionFoundFunc found,
    gpointer user_data)
{
  GstOpenTokSession *session = gst_opentok_sessions_lookup (self, session_id);
  SessionFind *find;

  if (session != NULL || session_id == NULL) {
    found (session, NULL, user_data);
    return;
  }
  find = g_new (SessionFind, 1);
  find->sessions = self;
  find->session_id = g_strdup (session_id);
  find->found = found;
  find->user_data = user_data;
  gst_opentok_cluster_find_session (self->cluster, find->session_id,
      session_found, find);
}

GstOpenTokSession *
gst_opentok_sessions_lookup (GstOpenTokSessions * self,
    const gchar * session_id)
{
  return session_id ? g_hash_table_lookup (self->sessions, session_id) : NULL;
}

guint
gst_opentok_sessions_get_n_sessions (GstOpenTokSessions * self)
{
  return g_hash_table_size (self->sessions);
}

void
gst_opentok_sessions_count (GstOpenTokSessions * self, guint64 * members,
    guint64 * pending)
{
  GHashTableIter iter;
  GstOpenTokSession *session;
  GList *l;

  *members = *pending = 0;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    for (l = session->order.head; l != NULL; l = l->next) {
      GstOpenTokMember *member = l->data;

      if (member->remote)
        continue;
      *members += 1;
      *pending += member->pending.length;
    }
  }
}

GstOpenTokMember *
gst_opentok_session_lookup_member (GstOpenTokSession * session,
    const gchar * connection_id)
{
  return connection_id ? g_hash_table_lookup (session->members,
      connection_id) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Members                                                                  */

void
gst_opentok_member_send (GstOpenTokMember * member, GBytes * frame)
{
  if (member->link != NULL && frame != NULL)
    member->link->funcs->send (member->link, frame);
}

void
gst_opentok_member_unbind (GstOpenTokMember * member)
{
  if (member->link != NULL) {
    member->link->member = NULL;
    member->link->joining = NULL;
    member->link = NULL;
  }
}

void
gst_opentok_member_cancel_grace (GstOpenTokMember * member)
{
  if (member->grace == NULL)
    return;
  g_source_destroy (member->grace);
  g_clear_pointer (&member->grace, g_source_unref);
}

/* A member or join of this node is gone. */
void
gst_opentok_session_forget_local (GstOpenTokSession * session)
{
  if (--session->n_local == 0)
    gst_opentok_cluster_unwatch (session->sessions->cluster, session->id);
}

/* Only a refusal has something to do: a join goes on when applied. */
static void
member_join_committed (const GError * error, gpointer user_data)
{
  GstOpenTokMember *member = user_data;
  GstOpenTokLink *link = member->link;

  if (error == NULL)
    return;
  GST_INFO ("connection %s could not join session %s: %s", member->id,
      member->session->id, error->message);
  gst_opentok_member_unbind (member);
  g_hash_table_steal (member->session->joining, member->id);
  if (link != NULL)
    member->joined (link, NULL, error, member->joined_data);
  gst_opentok_session_forget_local (member->session);
  gst_opentok_member_free (member);
}

void
gst_opentok_member_free (GstOpenTokMember * member)
{
  GstOpenTokEnvelope *envelope;

  gst_opentok_member_cancel_grace (member);
  gst_opentok_member_unbind (member);
  while ((envelope = g_queue_pop_head (&member->pending)))
    gst_opentok_envelope_unref (envelope);
  while ((envelope = g_queue_pop_head (&member->held)))
    gst_opentok_envelope_unref (envelope);
  if (member->pending_index)
    g_hash_table_unref (member->pending_index);
  g_queue_clear (&member->reply_order);
  if (member->replies)
    g_hash_table_unref (member->replies);
  g_free (member->socket_id);
  g_free (member->data);
  g_free (member->id);
  g_free (member);
}

/* A join waits in session->joining, bound to its link through
 * link->joining, until the cluster applies it. */
void
gst_opentok_sessions_join (GstOpenTokSessions * self,
    GstOpenTokSession * session, const gchar * connection_id,
    const gchar * socket_id, const gchar * data, GstOpenTokRole role,
    GstOpenTokLink * link, GstOpenTokJoinedFunc joined, gpointer user_data)
{
  GstOpenTokMember *member;
  GstOpenTokEvent *event;
  GError *error = NULL;

  if (g_hash_table_contains (session->members, connection_id) ||
      g_hash_table_contains (session->joining, connection_id)) {
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "The connection id is already in use in this session");
  } else if (socket_id != NULL &&
      g_hash_table_contains (self->members_by_socket_id, socket_id)) {
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "The socketId is already in use");
  }
  if (error != NULL) {
    joined (link, NULL, error, user_data);
    g_error_free (error);
    return;
  }

  member = g_new0 (GstOpenTokMember, 1);
  member->sessions = self;
  member->session = session;
  member->id = g_strdup (connection_id);
  member->socket_id = g_strdup (socket_id);
  member->data = g_strdup (data);
  member->role = role;
  member->creation_time = g_get_real_time () / 1000;
  member->tokens = self->config->signal_burst;
  member->tokens_time = g_get_monotonic_time ();
  g_queue_init (&member->pending);
  g_queue_init (&member->held);
  g_queue_init (&member->reply_order);
  member->joined = joined;
  member->joined_data = user_data;
  member->link = link;
  link->joining = member;
  g_hash_table_insert (session->joining, member->id, member);
  if (session->n_local++ == 0)
    gst_opentok_cluster_watch (self->cluster, session->id);

  event = gst_opentok_event_new (GST_OPENTOK_EVENT_JOIN, member->id);
  event->socket_id = g_strdup (member->socket_id);
  event->data = g_strdup (member->data);
  event->role = member->role;
  event->creation_time = member->creation_time;
  event->node = g_strdup (self->cluster->node);
  gst_opentok_cluster_append (self->cluster, session->id, event,
      member_join_committed, member);
  gst_opentok_event_free (event);
}

GstOpenTokMember *
gst_opentok_sessions_rebind (GstOpenTokSessions * self,
    const gchar * socket_id, GstOpenTokLink * link)
{
  GstOpenTokMember *member;
  GList *l;

  member = socket_id ? g_hash_table_lookup (self->members_by_socket_id,
      socket_id) : NULL;
  if (member == NULL)
    return NULL;
  gst_opentok_member_unbind (member);
  gst_opentok_member_cancel_grace (member);
  member->link = link;
  link->member = member;
  self->metrics->reconnections++;
  GST_INFO ("connection %s reconnected, re-sending %u messages",
      member->id, member->pending.length);
  for (l = member->pending.head; l != NULL; l = l->next)
    gst_opentok_member_send (member, ((GstOpenTokEnvelope *) l->data)->frame);
  return member;
}

void
gst_opentok_link_release (GstOpenTokLink * link)
{
  if (link->member != NULL)
    gst_opentok_member_unbind (link->member);
  else if (link->joining != NULL)
    gst_opentok_member_unbind (link->joining);
  if (link->claim != NULL) {
    ((Reclaim *) link->claim)->link = NULL;
    link->claim = NULL;
  }
}

gchar *
gst_opentok_session_state_new (GstOpenTokSession * session)
{
  JsonObject *state = json_object_new ();
  JsonArray *connections = json_array_new ();
  JsonNode *root;
  GList *l;
  gchar *text;

  for (l = session->order.head; l != NULL; l = l->next)
    json_array_add_element (connections, gst_opentok_member_to_json (l->data));
  json_object_set_string_member (state, "id", session->id);
  json_object_set_array_member (state, "connection", connections);
  json_object_set_array_member (state, "stream", json_array_new ());
  json_object_set_array_member (state, "archive", json_array_new ());
  root = json_node_init_object (json_node_alloc (), state);
  text = gst_opentok_json_to_string (root, NULL);
  json_node_unref (root);
  json_object_unref (state);
  return text;
}

/* Takes the member out of its session and of every table. */
void
gst_opentok_member_unlink (GstOpenTokMember * member)
{
  GstOpenTokSessions *self = member->sessions;
  GstOpenTokSession *session = member->session;

  gst_opentok_router_unsubscribe (self->router, session->topic, member);
  gst_opentok_router_unsubscribe (self->router, member->id, member);
  if (member->socket_id)
    g_hash_table_remove (self->members_by_socket_id, member->socket_id);
  g_queue_delete_link (&session->order, member->order_link);
  g_hash_table_steal (session->members, member->id);
}

void
gst_opentok_member_remove (GstOpenTokMember * member, const gchar * reason)
{
  GstOpenTokEvent *event;

  gst_opentok_member_unbind (member);
  gst_opentok_member_cancel_grace (member);
  if (member->leaving)
    return;
  member->leaving = TRUE;
  GST_INFO ("connection %s leaves session %s: %s", member->id,
      member->session->id, reason);
  event = gst_opentok_event_new (GST_OPENTOK_EVENT_LEAVE, member->id);
  event->reason = g_strdup (reason);
  event->socket_id = g_strdup (member->socket_id);
  event->node = g_strdup (member->sessions->cluster->node);
  gst_opentok_cluster_append (member->sessions->cluster, member->session->id,
      event, NULL, NULL);
  gst_opentok_event_free (event);
}

void
gst_opentok_session_force_disconnect (GstOpenTokSession * session,
    const gchar * connection_id, const gchar * request,
    GstOpenTokSessionsDoneFunc done, gpointer user_data)
{
  GstOpenTokMember *victim;
  GstOpenTokEvent *event;

  if (connection_id == NULL || (session->replica &&
          gst_opentok_session_lookup_member (session, connection_id) == NULL)) {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND,
        "The connection is not connected to the session");

    done (error, user_data);
    g_error_free (error);
    return;
  }
  GST_INFO ("force disconnecting connection %s", connection_id);
  event = gst_opentok_event_new (GST_OPENTOK_EVENT_LEAVE, connection_id);
  event->reason = g_strdup ("forceDisconnected");
  event->request = g_strdup (request);
  event->node = g_strdup (session->sessions->cluster->node);
  victim = gst_opentok_session_lookup_member (session, connection_id);
  if (victim != NULL)
    event->socket_id = g_strdup (victim->socket_id);
  gst_opentok_cluster_append (session->sessions->cluster, session->id, event,
      done, user_data);
  gst_opentok_event_free (event);
}

static gboolean
member_grace_expired (gpointer user_data)
{
  GstOpenTokMember *member = user_data;

  GST_INFO ("connection %s did not come back: deleting it", member->id);
  gst_opentok_member_cancel_grace (member);
  gst_opentok_member_remove (member, "networkDisconnected");
  return G_SOURCE_REMOVE;
}

void
gst_opentok_member_detach (GstOpenTokMember * member)
{
  GstOpenTokSessions *self = member->sessions;

  gst_opentok_member_unbind (member);
  if (member->socket_id == NULL || self->config->reconnect_window == 0) {
    gst_opentok_member_remove (member, "networkDisconnected");
    return;
  }
  if (member->grace != NULL)
    return;
  GST_INFO ("connection %s lost its socket: waiting %u ms for it",
      member->id, self->config->reconnect_window);
  member->grace = g_timeout_source_new (self->config->reconnect_window);
  g_source_set_callback (member->grace, member_grace_expired, member, NULL);
  g_source_attach (member->grace, self->context);
}

/* Ends the members that passed a pending limit. */
static gboolean
sessions_overflow_idle (gpointer user_data)
{
  GstOpenTokSessions *self = user_data;
  GHashTableIter iter, miter;
  GstOpenTokSession *session;
  GstOpenTokMember *member;
  GSList *victims = NULL, *l;

  g_clear_pointer (&self->overflow_idle, g_source_unref);
  /* collect first: removal changes the tables */
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    g_hash_table_iter_init (&miter, session->members);
    while (g_hash_table_iter_next (&miter, NULL, (gpointer *) & member)) {
      if (member->overflowing)
        victims = g_slist_prepend (victims, member);
    }
  }
  for (l = victims; l != NULL; l = l->next) {
    member = l->data;
    gst_opentok_server_metrics_count_error (self->metrics,
        CLOSE_POLICY_VIOLATION);
    if (member->link)
      member->link->funcs->close (member->link, CLOSE_POLICY_VIOLATION,
          "Too many unacknowledged messages");
    gst_opentok_member_remove (member, "networkDisconnected");
  }
  g_slist_free (victims);
  return G_SOURCE_REMOVE;
}

/* Router callback: queue until acknowledged, send when attached. */
void
gst_opentok_member_deliver (gpointer subscriber, GstOpenTokEnvelope * envelope)
{
  GstOpenTokMember *member = subscriber;
  GstOpenTokSessions *self = member->sessions;

  if (member->replaying) {
    g_queue_push_tail (&member->held, gst_opentok_envelope_ref (envelope));
    return;
  }
  if (member->overflowing)
    return;
  if (member->pending.length >= self->config->max_pending_messages ||
      member->pending_bytes >= self->config->max_pending_bytes) {
    member->overflowing = TRUE;
    GST_WARNING ("connection %s has %u unacknowledged messages (%"
        G_GSIZE_FORMAT " bytes): dropping it", member->id,
        member->pending.length, member->pending_bytes);
    /* removing it here would change the subscriber list being walked */
    if (self->overflow_idle == NULL) {
      self->overflow_idle = g_idle_source_new ();
      g_source_set_callback (self->overflow_idle, sessions_overflow_idle,
          self, NULL);
      g_source_attach (self->overflow_idle, self->context);
    }
    return;
  }

  g_queue_push_tail (&member->pending, gst_opentok_envelope_ref (envelope));
  member->last_offset = MAX (member->last_offset, envelope->offset);
  member->pending_bytes += g_bytes_get_size (envelope->frame);
  if (member->pending_index != NULL)
    g_hash_table_insert (member->pending_index, envelope->transaction_id,
        member->pending.tail);
  self->metrics->messages_sent++;
  gst_opentok_member_send (member, envelope->frame);
}

/* Everything before the oldest message still waiting reached the client:
 * the cluster hears how far, for the node it may come back through. */
static void
member_acknowledged (GstOpenTokMember * member)
{
  GstOpenTokEnvelope *oldest = g_queue_peek_head (&member->pending);
  guint64 offset = oldest ? oldest->offset - 1 : member->last_offset;

  if (offset <= member->acknowledged)
    return;
  member->acknowledged = offset;
  gst_opentok_cluster_acknowledge (member->sessions->cluster,
      member->session->id, member->id, offset);
}

static void
member_index_pending (GstOpenTokMember * member)
{
  GList *l;

  member->pending_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (l = member->pending.head; l != NULL; l = l->next)
    g_hash_table_insert (member->pending_index,
        ((GstOpenTokEnvelope *) l->data)->transaction_id, l);
}

void
gst_opentok_member_acknowledge (GstOpenTokMember * member,
    const gchar * transaction_id)
{
  GList *link = member->pending.head;

  if (link == NULL)
    return;
  /* clients acknowledge in the order they receive: the oldest message is
   * the one almost always, and the index is only built when it is not */
  if (!g_str_equal (((GstOpenTokEnvelope *) link->data)->transaction_id,
          transaction_id)) {
    if (member->pending_index == NULL)
      member_index_pending (member);
    link = g_hash_table_lookup (member->pending_index, transaction_id);
    if (link == NULL)
      return;
  }
  if (member->pending_index != NULL)
    g_hash_table_remove (member->pending_index, transaction_id);
  member->pending_bytes -= g_bytes_get_size (((GstOpenTokEnvelope *)
          link->data)->frame);
  gst_opentok_envelope_unref (link->data);
  g_queue_delete_link (&member->pending, link);
  if (member->pending.length == 0)
    g_clear_pointer (&member->pending_index, g_hash_table_unref);
  member_acknowledged (member);
}

gboolean
gst_opentok_member_take_signal_token (GstOpenTokMember * member)
{
  const GstOpenTokServerConfig *config = member->sessions->config;
  gint64 now;

  if (config->signal_rate <= 0)
    return TRUE;
  now = g_get_monotonic_time ();
  member->tokens += (now - member->tokens_time) * config->signal_rate /
      G_USEC_PER_SEC;
  member->tokens = MIN (member->tokens, config->signal_burst);
  member->tokens_time = now;
  if (member->tokens < 1)
    return FALSE;
  member->tokens -= 1;
  return TRUE;
}

static void
stored_reply_free (GstOpenTokStoredReply * reply)
{
  g_free (reply->body);
  g_free (reply);
}

static void
member_forget_old_replies (GstOpenTokMember * member, gint64 now)
{
  while (member->reply_order.head != NULL) {
    const gchar *id = member->reply_order.head->data;
    GstOpenTokStoredReply *reply = g_hash_table_lookup (member->replies, id);

    if (reply->expires > now)
      break;
    g_queue_pop_head (&member->reply_order);
    g_hash_table_remove (member->replies, id);
  }
}

GstOpenTokStoredReply *
gst_opentok_member_store_reply (GstOpenTokMember * member,
    const gchar * transaction_id, guint status, const gchar * body)
{
  GstOpenTokStoredReply *reply;
  gint64 now = g_get_monotonic_time ();
  gchar *key;

  if (member->replies == NULL)
    member->replies = g_hash_table_new_full (g_str_hash, g_str_equal,
        g_free, (GDestroyNotify) stored_reply_free);
  if (g_hash_table_contains (member->replies, transaction_id))
    return NULL;
  member_forget_old_replies (member, now);
  reply = g_new (GstOpenTokStoredReply, 1);
  reply->status = status;
  reply->body = g_strdup (body);
  reply->session_state = FALSE;
  reply->expires = now + REPLY_MEMORY_US;
  key = g_strdup (transaction_id);
  g_hash_table_insert (member->replies, key, reply);
  g_queue_push_tail (&member->reply_order, key);
  return reply;
}

GstOpenTokStoredReply *
gst_opentok_member_lookup_reply (GstOpenTokMember * member,
    const gchar * transaction_id)
{
  if (member->replies == NULL)
    return NULL;
  return g_hash_table_lookup (member->replies, transaction_id);
}

/* ------------------------------------------------------------------------ */
/* Signals                                                                  */

gboolean
gst_opentok_session_check_signal (GstOpenTokSession * session,
    const gchar * type, const gchar * data, const gchar * to, GError ** error)
{
  if (!gst_opentok_signal_validate_fields (type, type ? strlen (type) : 0,
          data, data ? strlen (data) : 0, error))
    return FALSE;
  /* without the whole session here, the cluster checks the target */
  if (to != NULL && session->replica) {
    if (!g_hash_table_contains (session->members, to)) {
      g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND,
          "The connection %s is not connected to the session", to);
      return FALSE;
    }
  }
  return TRUE;
}

void
gst_opentok_session_relay_signal (GstOpenTokSession * session,
    const gchar * from, const gchar * request, const gchar * to,
    const gchar * type, const gchar * data, const gchar * uri,
    GstOpenTokSessionsDoneFunc done, gpointer user_data)
{
  GstOpenTokEvent *event = gst_opentok_event_new (GST_OPENTOK_EVENT_SIGNAL,
      from);

  event->request = g_strdup (request);
  event->node = g_strdup (session->sessions->cluster->node);
  event->to = g_strdup (to);
  event->type = g_strdup (type);
  event->payload = g_strdup (data);
  if (uri != NULL) {
    event->uri = g_strdup (uri);
  } else {
    gchar *id = gst_opentok_uuid_new ();

    if (to != NULL)
      event->uri = g_strdup_printf ("%s/connection/%s/signal/%s",
          session->topic, to, id);
    else
      event->uri = g_strdup_printf ("%s/signal/%s", session->topic, id);
    g_free (id);
  }
  gst_opentok_cluster_append (session->sessions->cluster, session->id, event,
      done, user_data);
  gst_opentok_event_free (event);
}
