/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the cluster hands the session model: the events it applies, each
 * made once into the server MESSAGE its receivers get and routed to this
 * node's members; the history of the last broadcasts; the members of other
 * nodes, those taken over from them (with the MESSAGEs they missed) and
 * those given up to them. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentoksessions-private.h"
#include "gstopentokframes.h"
#include "gstopentokraptor.h"
#include "gstopentok-private.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

/* ------------------------------------------------------------------------ */
/* Messages made from events                                                */

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
  envelope = gst_opentok_envelope_new (bytes, transaction_id, offset);
  g_bytes_unref (bytes);
  return envelope;
}

/* A connection as the session's state and connection#created show it. */
static JsonNode *
connection_to_json (const gchar * id, gint64 creation_time,
    const gchar * data, GstOpenTokRole role)
{
  JsonBuilder *builder = json_builder_new ();
  const gchar *const *permission;
  JsonNode *node;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "creationTime");
  json_builder_add_int_value (builder, creation_time);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data ? data : "");
  json_builder_set_member_name (builder, "permissions");
  json_builder_begin_array (builder);
  for (permission = gst_opentok_role_get_permissions (role);
      *permission != NULL; permission++)
    json_builder_add_string_value (builder, *permission);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_object_unref (builder);
  return node;
}

JsonNode *
gst_opentok_member_to_json (GstOpenTokMember * member)
{
  return connection_to_json (member->id, member->creation_time,
      member->data, member->role);
}

/* connection#created (a join) or #deleted (a leave), to the session. */
static GBytes *
connection_payload_new (GstOpenTokSession * session,
    const GstOpenTokEvent * event)
{
  GstOpenTokRaptorMessage *raptor;
  JsonObject *content;
  GBytes *payload;
  gchar *uri;

  if (event->kind == GST_OPENTOK_EVENT_JOIN) {
    JsonNode *node = connection_to_json (event->connection_id,
        event->creation_time, event->data, event->role);

    content = json_object_ref (json_node_get_object (node));
    json_node_unref (node);
  } else {
    content = json_object_new ();
  }
  uri = g_strdup_printf ("%s/connection/%s", session->topic,
      event->connection_id);
  raptor = gst_opentok_raptor_message_new (event->kind ==
      GST_OPENTOK_EVENT_JOIN ? "created" : "deleted", uri, content, NULL);
  g_free (uri);
  json_object_unref (content);
  if (raptor == NULL)
    return NULL;
  if (event->kind == GST_OPENTOK_EVENT_LEAVE)
    gst_opentok_raptor_message_set_reason (raptor, event->reason);
  payload = gst_opentok_raptor_message_to_bytes (raptor);
  gst_opentok_raptor_message_unref (raptor);
  return payload;
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

/* The MESSAGE @event makes, and the Rumor address it goes to (the session's
 * topic, or a signal's target); NULL when it makes none. */
static GstOpenTokEnvelope *
event_envelope_new (GstOpenTokSession * session,
    const GstOpenTokEvent * event, const gchar ** address)
{
  GstOpenTokEnvelope *envelope;
  GBytes *payload;

  if (event->kind == GST_OPENTOK_EVENT_SIGNAL) {
    *address = event->to ? event->to : session->topic;
    payload = signal_payload_new (event->uri, event->type, event->payload);
    envelope = session_envelope_new (session, event->offset, *address,
        event->connection_id, payload);
  } else {
    *address = session->topic;
    payload = connection_payload_new (session, event);
    if (payload == NULL)
      return NULL;
    envelope = session_envelope_new (session, event->offset, *address,
        GST_OPENTOK_SERVER_SYMPHONY_ADDRESS, payload);
  }
  g_bytes_unref (payload);
  return envelope;
}

/* Routes @event's MESSAGE to this node's members it is for. */
static guint
session_publish (GstOpenTokSession * session, const GstOpenTokEvent * event)
{
  GstOpenTokEnvelope *envelope;
  const gchar *address;
  guint delivered;

  envelope = event_envelope_new (session, event, &address);
  if (envelope == NULL)
    return 0;
  delivered = gst_opentok_router_publish (session->sessions->router, address,
      envelope);
  gst_opentok_envelope_unref (envelope);
  return delivered;
}

/* ------------------------------------------------------------------------ */
/* History                                                                  */

typedef struct
{
  GstOpenTokEnvelope *envelope;
  gint64 time;                  /* us since the epoch */
} HistoryEntry;

static void
history_entry_free (HistoryEntry * entry)
{
  gst_opentok_envelope_unref (entry->envelope);
  g_free (entry);
}

void
gst_opentok_session_clear_history (GstOpenTokSession * session)
{
  g_queue_clear_full (&session->history, (GDestroyNotify) history_entry_free);
}

/* Keeps @envelope, a broadcast, as one of the session's last ones. */
static void
session_remember (GstOpenTokSession * session, GstOpenTokEnvelope * envelope,
    gint64 time)
{
  const GstOpenTokServerConfig *config = session->sessions->config;
  HistoryEntry *entry;

  if (config == NULL || config->history == 0)
    return;
  entry = g_new (HistoryEntry, 1);
  entry->envelope = gst_opentok_envelope_ref (envelope);
  entry->time = time;
  g_queue_push_tail (&session->history, entry);
  while (session->history.length > config->history)
    history_entry_free (g_queue_pop_head (&session->history));
}

/* A joiner gets the last broadcasts, those not too old, as they went. */
static void
session_send_history (GstOpenTokSession * session, GstOpenTokMember * member)
{
  const GstOpenTokServerConfig *config = session->sessions->config;
  gint64 oldest = config->history_ttl ?
      g_get_real_time () - (gint64) config->history_ttl * G_USEC_PER_SEC : 0;
  GList *l;

  for (l = session->history.head; l != NULL; l = l->next) {
    HistoryEntry *entry = l->data;

    if (entry->time >= oldest)
      gst_opentok_member_deliver (member, entry->envelope);
  }
}

void
gst_opentok_sessions_load_history (GstOpenTokSessions * self,
    const gchar * session_id, const GstOpenTokEvent * signal, gint64 time)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GstOpenTokEnvelope *envelope;
  const gchar *address;

  if (session == NULL || signal->kind != GST_OPENTOK_EVENT_SIGNAL ||
      signal->to != NULL)
    return;
  envelope = event_envelope_new (session, signal, &address);
  session_remember (session, envelope, time);
  gst_opentok_envelope_unref (envelope);
}

/* ------------------------------------------------------------------------ */
/* Members of other nodes                                                   */

/* A member of another node, as its join event says. */
static GstOpenTokMember *
session_add_remote (GstOpenTokSession * session, const GstOpenTokEvent * join)
{
  GstOpenTokMember *member = g_new0 (GstOpenTokMember, 1);

  member->sessions = session->sessions;
  member->session = session;
  member->remote = TRUE;
  member->id = g_strdup (join->connection_id);
  member->socket_id = g_strdup (join->socket_id);
  member->data = g_strdup (join->data);
  member->role = join->role;
  member->creation_time = join->creation_time;
  g_queue_init (&member->pending);
  g_queue_init (&member->held);
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
  gst_opentok_session_clear_history (session);
  for (l = session->order.head; l != NULL; l = next) {
    GstOpenTokMember *member = l->data;

    next = l->next;
    if (!member->remote)
      continue;
    g_queue_delete_link (&session->order, l);
    g_hash_table_remove (session->members, member->id);
  }
}

/* ------------------------------------------------------------------------ */
/* Members taken over from other nodes, or given up to them                  */

/* The cluster gave this node the member: it is bound to the link now, and
 * gets what it missed right after. */
static void
member_claimed (const gchar * session_id, const gchar * connection_id,
    guint64 acknowledged, const GError * error, gpointer user_data)
{
  Reclaim *reclaim = user_data;
  GstOpenTokMember *member = NULL;

  if (session_id != NULL)
    member = gst_opentok_sessions_take_member (reclaim->sessions, session_id,
        connection_id, acknowledged);
  /* its socket went meanwhile: the member is detached when it caught up */
  if (reclaim->link != NULL) {
    reclaim->link->claim = NULL;
    if (member != NULL) {
      member->link = reclaim->link;
      reclaim->link->member = member;
      reclaim->sessions->metrics->reconnections++;
    }
    reclaim->reclaimed (reclaim->link, member, error, reclaim->user_data);
  }
  g_free (reclaim);
}

void
gst_opentok_sessions_reclaim (GstOpenTokSessions * self,
    const gchar * socket_id, GstOpenTokLink * link,
    GstOpenTokJoinedFunc reclaimed, gpointer user_data)
{
  Reclaim *reclaim = g_new (Reclaim, 1);

  reclaim->sessions = self;
  reclaim->link = link;
  reclaim->reclaimed = reclaimed;
  reclaim->user_data = user_data;
  link->claim = reclaim;
  gst_opentok_cluster_claim (self->cluster, socket_id, member_claimed, reclaim);
}

GstOpenTokMember *
gst_opentok_sessions_take_member (GstOpenTokSessions * self,
    const gchar * session_id, const gchar * connection_id, guint64 acknowledged)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GstOpenTokMember *member = session ?
      g_hash_table_lookup (session->members, connection_id) : NULL;

  if (member == NULL || !member->remote)
    return NULL;
  GST_INFO ("connection %s of session %s came over from another node",
      connection_id, session_id);
  member->remote = FALSE;
  member->replaying = TRUE;
  member->acknowledged = member->last_offset = acknowledged;
  member->tokens = self->config->signal_burst;
  member->tokens_time = g_get_monotonic_time ();
  if (member->socket_id)
    g_hash_table_insert (self->members_by_socket_id, member->socket_id, member);
  gst_opentok_router_subscribe (self->router, session->topic, member);
  gst_opentok_router_subscribe (self->router, member->id, member);
  session->n_local++;
  self->metrics->takeovers++;
  return member;
}

void
gst_opentok_sessions_replayed (GstOpenTokSessions * self,
    const gchar * session_id, const gchar * connection_id)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GstOpenTokMember *member = session ?
      g_hash_table_lookup (session->members, connection_id) : NULL;
  GstOpenTokEnvelope *envelope;
  guint64 replayed;

  if (member == NULL || !member->replaying)
    return;
  member->replaying = FALSE;
  replayed = member->last_offset;
  GST_INFO ("connection %s: %u messages it missed sent again", member->id,
      member->pending.length);
  while ((envelope = g_queue_pop_head (&member->held))) {
    if (envelope->offset > replayed)
      gst_opentok_member_deliver (member, envelope);
    gst_opentok_envelope_unref (envelope);
  }
  /* its socket went while it caught up */
  if (member->link == NULL && member->grace == NULL && !member->leaving)
    gst_opentok_member_detach (member);
}

void
gst_opentok_sessions_release_member (GstOpenTokSessions * self,
    const gchar * session_id, const gchar * connection_id)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GstOpenTokMember *member = session ?
      g_hash_table_lookup (session->members, connection_id) : NULL;
  GstOpenTokEnvelope *envelope;
  GstOpenTokLink *link;

  if (member == NULL || member->remote)
    return;
  GST_INFO ("connection %s went over to another node", member->id);
  gst_opentok_member_cancel_grace (member);
  link = member->link;
  gst_opentok_member_unbind (member);
  if (link != NULL)
    link->funcs->close (link, 1000, "The connection moved to another server");
  gst_opentok_router_unsubscribe (self->router, session->topic, member);
  gst_opentok_router_unsubscribe (self->router, member->id, member);
  if (member->socket_id)
    g_hash_table_remove (self->members_by_socket_id, member->socket_id);
  while ((envelope = g_queue_pop_head (&member->pending)))
    gst_opentok_envelope_unref (envelope);
  while ((envelope = g_queue_pop_head (&member->held)))
    gst_opentok_envelope_unref (envelope);
  g_clear_pointer (&member->pending_index, g_hash_table_unref);
  member->pending_bytes = 0;
  member->replaying = member->overflowing = member->leaving = FALSE;
  member->remote = TRUE;
  gst_opentok_session_forget_local (session);
}

void
gst_opentok_sessions_abandon (GstOpenTokSessions * self)
{
  GHashTableIter iter;
  GstOpenTokSession *session;
  GSList *local = NULL, *l;
  GList *m;

  /* collect first: ending them changes the tables */
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    for (m = session->order.head; m != NULL; m = m->next)
      if (!((GstOpenTokMember *) m->data)->remote)
        local = g_slist_prepend (local, m->data);
  }
  for (l = local; l != NULL; l = l->next) {
    GstOpenTokMember *member = l->data;
    GstOpenTokLink *link = member->link;

    gst_opentok_member_unbind (member);
    if (link != NULL)
      link->funcs->close (link, 1001, "This server lost its cluster");
    gst_opentok_member_unlink (member);
    gst_opentok_session_forget_local (member->session);
    gst_opentok_member_free (member);
  }
  g_slist_free (local);
}

/* ------------------------------------------------------------------------ */
/* What a member missed                                                     */

void
gst_opentok_sessions_replay (GstOpenTokSessions * self,
    const gchar * session_id, const gchar * connection_id,
    const GstOpenTokEvent * event)
{
  GstOpenTokSession *session = g_hash_table_lookup (self->sessions,
      session_id);
  GstOpenTokMember *member = session ?
      g_hash_table_lookup (session->members, connection_id) : NULL;
  GstOpenTokEnvelope *envelope;
  const gchar *address;

  if (member == NULL || !member->replaying ||
      event->offset <= member->last_offset)
    return;
  /* its own leave, or a signal to someone else, never reached it */
  if ((event->kind == GST_OPENTOK_EVENT_SIGNAL && event->to != NULL &&
          !g_str_equal (event->to, member->id)) ||
      (event->kind == GST_OPENTOK_EVENT_LEAVE &&
          g_str_equal (event->connection_id, member->id)))
    return;
  envelope = event_envelope_new (session, event, &address);
  if (envelope == NULL)
    return;
  member->replaying = FALSE;
  gst_opentok_member_deliver (member, envelope);
  member->replaying = TRUE;
  gst_opentok_envelope_unref (envelope);
}

/* ------------------------------------------------------------------------ */
/* Events applied                                                           */

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
      session_publish (session, event);
      if (self->events->joined)
        self->events->joined (session, member, self->user_data);
    }
    return;
  }
  g_hash_table_steal (session->joining, member->id);
  /* what came before it was never its own */
  member->acknowledged = member->last_offset = event->offset - 1;
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
  /* the newcomer's own connection#created completes its connect; the
   * history follows */
  session_publish (session, event);
  session_send_history (session, member);
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
  gst_opentok_member_cancel_grace (member);
  if (g_str_equal (event->reason, "forceDisconnected")) {
    /* the victim hears of its own deletion too: it is still subscribed
     * when the event goes out */
    session_publish (session, event);
    link = member->link;
    gst_opentok_member_unbind (member);
    if (link != NULL)
      link->funcs->evict (link);
    gst_opentok_member_unlink (member);
  } else {
    gst_opentok_member_unbind (member);
    gst_opentok_member_unlink (member);
    session_publish (session, event);
  }
  if (self->events->left)
    self->events->left (session, member, event->reason, self->user_data);
  if (!member->remote)
    gst_opentok_session_forget_local (session);
  gst_opentok_member_free (member);
}

/* The frame is built once and shared by every receiver. */
static void
session_apply_signal (GstOpenTokSession * session,
    const GstOpenTokEvent * event)
{
  GstOpenTokSessions *self = session->sessions;
  GstOpenTokEnvelope *envelope;
  const gchar *address;
  guint delivered;

  envelope = event_envelope_new (session, event, &address);
  delivered = gst_opentok_router_publish (self->router, address, envelope);
  if (event->to == NULL)
    session_remember (session, envelope, g_get_real_time ());
  gst_opentok_envelope_unref (envelope);

  /* accepted by this node, or by another one of the cluster */
  if (g_strcmp0 (event->node, self->cluster->node) == 0)
    self->metrics->signals_received++;
  else
    self->metrics->remote_deliveries += delivered;
  self->metrics->signals_delivered += delivered;
  GST_LOG ("signal from '%s' to %s delivered to %u", event->connection_id,
      event->to ? event->to : session->topic, delivered);
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
