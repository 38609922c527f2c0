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
#include "gstopentokframes.h"
#include "gstopentokraptor.h"
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

static void member_deliver (gpointer subscriber, GstOpenTokEnvelope * envelope);
static void member_free (GstOpenTokMember * member);
static void member_join_committed (const GError * error, gpointer user_data);

static void
session_free (GstOpenTokSession * session)
{
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
  self->router = gst_opentok_local_router_new (member_deliver);
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
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    GstOpenTokSessionRecord record;

    record.id = session->id;
    record.created = g_date_time_to_unix (session->created) * 1000;
    record.transaction_prefix = session->transaction_prefix;
    session->replica = cluster->vtable->applies_every_session;
    gst_opentok_cluster_add_session (cluster, &record, NULL, NULL);
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
  self->router = gst_opentok_local_router_new (member_deliver);
  gst_opentok_cluster_free (self->cluster);
  self->cluster =
      gst_opentok_local_cluster_new (gst_opentok_sessions_apply, self);
  self->config = NULL;
  self->context = NULL;
}

/* Transaction ids of the server's MESSAGEs only have to be unique among
 * those a client may still hold: a random UUID prefix drawn with the
 * session, then the event's offset. Every node makes the same id for the
 * same event, so a client that hears an event again (after a reconnection)
 * knows it. A random UUID for each message cost about 4 % of the server's
 * instructions per signal. */
static void
session_transaction_id (GstOpenTokSession * session, guint64 offset,
    gchar id[TRANSACTION_ID_SIZE])
{
  static const gchar hex[] = "0123456789abcdef";
  gint i;

  memcpy (id, session->transaction_prefix, TRANSACTION_PREFIX_LENGTH);
  for (i = TRANSACTION_ID_SIZE - 2; i >= TRANSACTION_PREFIX_LENGTH; i--) {
    id[i] = hex[offset & 0xf];
    offset >>= 4;
  }
  id[TRANSACTION_ID_SIZE - 1] = '\0';
}

/* The server MESSAGE of the event at @offset, wrapped once for all its
 * receivers. @from is the sender's connection id, "" for the server itself
 * (REST signals), or the symphony address for connection events. */
static GstOpenTokEnvelope *
session_envelope_new (GstOpenTokSession * session, guint64 offset,
    const gchar * to, const gchar * from, GBytes * payload)
{
  gchar transaction_id[TRANSACTION_ID_SIZE];
  GstOpenTokEnvelope *envelope;
  GBytes *bytes;

  session_transaction_id (session, offset, transaction_id);
  bytes = gst_opentok_frame_finish (gst_opentok_frame_new_raptor (to, from,
          transaction_id, payload), NULL);
  envelope = gst_opentok_envelope_new (bytes, transaction_id);
  g_bytes_unref (bytes);
  return envelope;
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
      (GDestroyNotify) member_free);
  session->joining = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) member_free);
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

static void
member_send (GstOpenTokMember * member, GBytes * frame)
{
  if (member->link != NULL && frame != NULL)
    member->link->funcs->send (member->link, frame);
}

static void
member_unbind (GstOpenTokMember * member)
{
  if (member->link != NULL) {
    member->link->member = NULL;
    member->link->joining = NULL;
    member->link = NULL;
  }
}

static void
member_cancel_grace (GstOpenTokMember * member)
{
  if (member->grace == NULL)
    return;
  g_source_destroy (member->grace);
  g_clear_pointer (&member->grace, g_source_unref);
}

/* A member or join of this node is gone. */
static void
session_forget_local (GstOpenTokSession * session)
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
  member_unbind (member);
  g_hash_table_steal (member->session->joining, member->id);
  if (link != NULL)
    member->joined (link, NULL, error, member->joined_data);
  session_forget_local (member->session);
  member_free (member);
}

static void
member_free (GstOpenTokMember * member)
{
  GstOpenTokEnvelope *envelope;

  member_cancel_grace (member);
  member_unbind (member);
  while ((envelope = g_queue_pop_head (&member->pending)))
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
  member_unbind (member);
  member_cancel_grace (member);
  member->link = link;
  link->member = member;
  self->metrics->reconnections++;
  GST_INFO ("connection %s reconnected, re-sending %u messages",
      member->id, member->pending.length);
  for (l = member->pending.head; l != NULL; l = l->next)
    member_send (member, ((GstOpenTokEnvelope *) l->data)->frame);
  return member;
}

void
gst_opentok_link_release (GstOpenTokLink * link)
{
  if (link->member != NULL)
    member_unbind (link->member);
  else if (link->joining != NULL)
    member_unbind (link->joining);
}

static JsonNode *
member_to_json (GstOpenTokMember * member)
{
  JsonBuilder *builder = json_builder_new ();
  const gchar *const *permission;
  JsonNode *node;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, member->id);
  json_builder_set_member_name (builder, "creationTime");
  json_builder_add_int_value (builder, member->creation_time);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, member->data ? member->data : "");
  json_builder_set_member_name (builder, "permissions");
  json_builder_begin_array (builder);
  for (permission = gst_opentok_role_get_permissions (member->role);
      *permission != NULL; permission++)
    json_builder_add_string_value (builder, *permission);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_object_unref (builder);
  return node;
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
    json_array_add_element (connections, member_to_json (l->data));
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

/* connection#created or #deleted of the event at @offset, to every member
 * subscribed to the session topic. */
static void
member_publish_event (GstOpenTokMember * member, guint64 offset,
    const gchar * method, const gchar * reason)
{
  GstOpenTokSessions *self = member->sessions;
  GstOpenTokSession *session = member->session;
  GstOpenTokRaptorMessage *raptor;
  GstOpenTokEnvelope *envelope;
  JsonObject *content;
  GBytes *payload;
  gchar *uri;

  if (reason == NULL) {
    JsonNode *node = member_to_json (member);

    content = json_object_ref (json_node_get_object (node));
    json_node_unref (node);
  } else {
    content = json_object_new ();
  }
  uri = g_strdup_printf ("%s/connection/%s", session->topic, member->id);
  raptor = gst_opentok_raptor_message_new (method, uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  if (raptor == NULL)
    return;
  if (reason != NULL)
    gst_opentok_raptor_message_set_reason (raptor, reason);

  payload = gst_opentok_raptor_message_to_bytes (raptor);
  envelope = session_envelope_new (session, offset, session->topic,
      GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, payload);
  gst_opentok_router_publish (self->router, session->topic, envelope);
  gst_opentok_envelope_unref (envelope);
  g_bytes_unref (payload);
  gst_opentok_raptor_message_unref (raptor);
}

/* Takes the member out of its session and of every table. */
static void
member_unlink (GstOpenTokMember * member)
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

  member_unbind (member);
  member_cancel_grace (member);
  if (member->leaving)
    return;
  member->leaving = TRUE;
  GST_INFO ("connection %s leaves session %s: %s", member->id,
      member->session->id, reason);
  event = gst_opentok_event_new (GST_OPENTOK_EVENT_LEAVE, member->id);
  event->reason = g_strdup (reason);
  gst_opentok_cluster_append (member->sessions->cluster, member->session->id,
      event, NULL, NULL);
  gst_opentok_event_free (event);
}

void
gst_opentok_session_force_disconnect (GstOpenTokSession * session,
    const gchar * connection_id, GstOpenTokSessionsDoneFunc done,
    gpointer user_data)
{
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
  gst_opentok_cluster_append (session->sessions->cluster, session->id, event,
      done, user_data);
  gst_opentok_event_free (event);
}

static gboolean
member_grace_expired (gpointer user_data)
{
  GstOpenTokMember *member = user_data;

  GST_INFO ("connection %s did not come back: deleting it", member->id);
  member_cancel_grace (member);
  gst_opentok_member_remove (member, "networkDisconnected");
  return G_SOURCE_REMOVE;
}

void
gst_opentok_member_detach (GstOpenTokMember * member)
{
  GstOpenTokSessions *self = member->sessions;

  member_unbind (member);
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
static void
member_deliver (gpointer subscriber, GstOpenTokEnvelope * envelope)
{
  GstOpenTokMember *member = subscriber;
  GstOpenTokSessions *self = member->sessions;

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
  member->pending_bytes += g_bytes_get_size (envelope->frame);
  if (member->pending_index != NULL)
    g_hash_table_insert (member->pending_index, envelope->transaction_id,
        member->pending.tail);
  self->metrics->messages_sent++;
  member_send (member, envelope->frame);
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
    const gchar * from, const gchar * to, const gchar * type,
    const gchar * data, const gchar * uri, GstOpenTokSessionsDoneFunc done,
    gpointer user_data)
{
  GstOpenTokEvent *event = gst_opentok_event_new (GST_OPENTOK_EVENT_SIGNAL,
      from);

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

/* ------------------------------------------------------------------------ */
/* Events applied                                                           */

/* A member of another node, as its join event says. */
static GstOpenTokMember *
session_add_remote (GstOpenTokSession * session, const GstOpenTokEvent * join)
{
  GstOpenTokMember *member = g_new0 (GstOpenTokMember, 1);

  member->sessions = session->sessions;
  member->session = session;
  member->remote = TRUE;
  member->id = g_strdup (join->connection_id);
  member->data = g_strdup (join->data);
  member->role = join->role;
  member->creation_time = join->creation_time;
  g_queue_init (&member->pending);
  g_queue_init (&member->reply_order);
  g_hash_table_insert (session->members, member->id, member);
  g_queue_push_tail (&session->order, member);
  member->order_link = session->order.tail;
  return member;
}

void
gst_opentok_sessions_load_member (GstOpenTokSessions * self,
    const gchar * session_id, const GstOpenTokEvent * join)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);

  if (session != NULL &&
      !g_hash_table_contains (session->members, join->connection_id))
    session_add_remote (session, join);
}

void
gst_opentok_sessions_set_replica (GstOpenTokSessions * self,
    const gchar * session_id, gboolean replica)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GList *l, *next;

  if (session == NULL || session->replica == replica)
    return;
  session->replica = replica;
  if (replica)
    return;
  for (l = session->order.head; l != NULL; l = next) {
    GstOpenTokMember *member = l->data;

    next = l->next;
    if (!member->remote)
      continue;
    g_queue_delete_link (&session->order, l);
    g_hash_table_remove (session->members, member->id);
  }
}

static void
session_apply_join (GstOpenTokSession * session, const GstOpenTokEvent * event)
{
  GstOpenTokSessions *self = session->sessions;
  GstOpenTokMember *member;
  GstOpenTokLink *link;

  member = g_hash_table_lookup (session->joining, event->connection_id);
  /* the same id may join on two nodes at once: the cluster lets one in */
  if (member != NULL && g_strcmp0 (event->node, self->cluster->node) != 0)
    member = NULL;
  if (member == NULL) {
    if (session->replica &&
        !g_hash_table_contains (session->members, event->connection_id)) {
      member = session_add_remote (session, event);
      member_publish_event (member, event->offset, "created", NULL);
      if (self->events->joined)
        self->events->joined (session, member, self->user_data);
    }
    return;
  }
  g_hash_table_steal (session->joining, member->id);
  g_hash_table_insert (session->members, member->id, member);
  g_queue_push_tail (&session->order, member);
  member->order_link = session->order.tail;
  if (member->socket_id)
    g_hash_table_insert (self->members_by_socket_id, member->socket_id, member);
  gst_opentok_router_subscribe (self->router, session->topic, member);
  gst_opentok_router_subscribe (self->router, member->id, member);
  self->metrics->connections_total++;
  GST_INFO ("connection %s joins session %s as %s", member->id, session->id,
      gst_opentok_role_to_string (member->role));

  link = member->link;
  if (link != NULL) {
    link->joining = NULL;
    link->member = member;
    member->joined (link, member, NULL, member->joined_data);
  }
  /* the newcomer's own connection#created completes its connect */
  member_publish_event (member, event->offset, "created", NULL);
  if (self->events->joined)
    self->events->joined (session, member, self->user_data);
  /* its socket went while the join waited; the handler above may have
   * ended the member already */
  member = g_hash_table_lookup (session->members, event->connection_id);
  if (member != NULL && member->link == NULL && member->grace == NULL &&
      !member->leaving)
    gst_opentok_member_detach (member);
}

static void
session_apply_leave (GstOpenTokSession * session, const GstOpenTokEvent * event)
{
  GstOpenTokSessions *self = session->sessions;
  GstOpenTokMember *member;
  GstOpenTokLink *link;

  member = g_hash_table_lookup (session->members, event->connection_id);
  if (member == NULL)
    return;
  member_cancel_grace (member);
  if (g_str_equal (event->reason, "forceDisconnected")) {
    /* the victim hears of its own deletion too: it is still subscribed
     * when the event goes out */
    member_publish_event (member, event->offset, "deleted", event->reason);
    link = member->link;
    member_unbind (member);
    if (link != NULL)
      link->funcs->evict (link);
    member_unlink (member);
  } else {
    member_unbind (member);
    member_unlink (member);
    member_publish_event (member, event->offset, "deleted", event->reason);
  }
  if (self->events->left)
    self->events->left (session, member, event->reason, self->user_data);
  if (!member->remote)
    session_forget_local (session);
  member_free (member);
}

/* The Raptor `signal` message a signal is relayed with, as
 * gst_opentok_raptor_message_to_bytes() writes it, without building it as
 * JSON objects first: this runs once per signal. @uri is a valid signal
 * uri (parsed from the request, or made by the server). */
static GBytes *
signal_payload_new (const gchar * uri, const gchar * type, const gchar * data)
{
  GString *out = g_string_sized_new (64 + strlen (uri) +
      (type ? strlen (type) : 0) + (data ? strlen (data) + 16 : 0));

  g_string_append (out, "{\"method\":\"signal\",\"uri\":");
  gst_opentok_json_append_string (out, uri);
  g_string_append (out, ",\"content\":{");
  if (type != NULL && *type != '\0') {
    g_string_append (out, "\"type\":");
    gst_opentok_json_append_string (out, type);
    if (data != NULL)
      g_string_append_c (out, ',');
  }
  if (data != NULL) {
    g_string_append (out, "\"data\":");
    gst_opentok_json_append_string (out, data);
  }
  g_string_append (out, "}}");
  return g_string_free_to_bytes (out);
}

/* The frame is built once and shared by every receiver. */
static void
session_apply_signal (GstOpenTokSession * session,
    const GstOpenTokEvent * event)
{
  GstOpenTokSessions *self = session->sessions;
  GstOpenTokEnvelope *envelope;
  const gchar *address = event->to ? event->to : session->topic;
  GBytes *payload;
  guint delivered;

  payload = signal_payload_new (event->uri, event->type, event->payload);
  envelope = session_envelope_new (session, event->offset, address,
      event->connection_id, payload);
  g_bytes_unref (payload);
  delivered = gst_opentok_router_publish (self->router, address, envelope);
  gst_opentok_envelope_unref (envelope);

  self->metrics->signals_received++;
  self->metrics->signals_delivered += delivered;
  GST_LOG ("signal from '%s' to %s delivered to %u", event->connection_id,
      address, delivered);
  if (self->events->relayed)
    self->events->relayed (session, event->connection_id, event->to,
        event->type, event->payload, self->user_data);
}

/* One event of @session_id, in the session's order. */
void
gst_opentok_sessions_apply (const gchar * session_id,
    const GstOpenTokEvent * event, gpointer user_data)
{
  GstOpenTokSessions *self = user_data;
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);

  if (session == NULL)
    return;
  switch (event->kind) {
    case GST_OPENTOK_EVENT_JOIN:
      session_apply_join (session, event);
      break;
    case GST_OPENTOK_EVENT_LEAVE:
      session_apply_leave (session, event);
      break;
    case GST_OPENTOK_EVENT_SIGNAL:
      session_apply_signal (session, event);
      break;
  }
}
