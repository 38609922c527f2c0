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

#include "gstopentokcluster.h"
#include "gstopentokerror.h"

GstOpenTokEvent *
gst_opentok_event_new (GstOpenTokEventKind kind, const gchar * connection_id)
{
  GstOpenTokEvent *event = g_new0 (GstOpenTokEvent, 1);

  event->kind = kind;
  event->connection_id = g_strdup (connection_id);
  return event;
}

void
gst_opentok_event_free (GstOpenTokEvent * event)
{
  g_free (event->connection_id);
  g_free (event->socket_id);
  g_free (event->data);
  g_free (event->reason);
  g_free (event->to);
  g_free (event->type);
  g_free (event->payload);
  g_free (event->uri);
  g_free (event->node);
  g_free (event);
}

GstOpenTokEvent *
gst_opentok_event_copy (const GstOpenTokEvent * event)
{
  GstOpenTokEvent *copy = g_new (GstOpenTokEvent, 1);

  *copy = *event;
  copy->connection_id = g_strdup (event->connection_id);
  copy->socket_id = g_strdup (event->socket_id);
  copy->data = g_strdup (event->data);
  copy->reason = g_strdup (event->reason);
  copy->to = g_strdup (event->to);
  copy->type = g_strdup (event->type);
  copy->payload = g_strdup (event->payload);
  copy->uri = g_strdup (event->uri);
  copy->node = g_strdup (event->node);
  return copy;
}

/* ------------------------------------------------------------------------ */
/* The cluster of one node                                                  */

/* On one node the model's view of a session is the whole truth: what it
 * checked holds, and the cluster only numbers the events. */
typedef struct
{
  GstOpenTokCluster parent;
  GHashTable *offsets;          /* session id -> guint64 last offset */
} GstOpenTokLocalCluster;

static void
local_cluster_add_session (GstOpenTokCluster * cluster,
    const GstOpenTokSessionRecord * record, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  GstOpenTokLocalCluster *self = (GstOpenTokLocalCluster *) cluster;

  g_hash_table_insert (self->offsets, g_strdup (record->id),
      g_new0 (guint64, 1));
  if (done)
    done (NULL, user_data);
}

/* Committed first, then applied: a sender hears that its signal was
 * accepted before its own copy reaches it, as from the first release. */
static void
local_cluster_append (GstOpenTokCluster * cluster, const gchar * session_id,
    const GstOpenTokEvent * event, GstOpenTokClusterDoneFunc done,
    gpointer user_data)
{
  GstOpenTokLocalCluster *self = (GstOpenTokLocalCluster *) cluster;
  guint64 *offset = g_hash_table_lookup (self->offsets, session_id);
  GstOpenTokEvent committed;

  if (offset == NULL) {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, "Session not found");

    if (done)
      done (error, user_data);
    g_error_free (error);
    return;
  }
  committed = *event;
  committed.offset = ++*offset;
  if (done)
    done (NULL, user_data);
  cluster->apply (session_id, &committed, cluster->apply_data);
}

/* Every session this node has is in the model already. */
static void
local_cluster_find_session (GstOpenTokCluster * cluster,
    const gchar * session_id, GstOpenTokClusterFoundFunc found,
    gpointer user_data)
{
  found (NULL, NULL, user_data);
}

/* It applies every session's events anyway. */
static void
local_cluster_watch (GstOpenTokCluster * cluster, const gchar * session_id)
{
}

static void
local_cluster_free (GstOpenTokCluster * cluster)
{
  GstOpenTokLocalCluster *self = (GstOpenTokLocalCluster *) cluster;

  g_hash_table_unref (self->offsets);
  g_free (self);
}

static const GstOpenTokClusterVTable local_cluster_vtable = {
  TRUE,
  local_cluster_add_session,
  local_cluster_find_session,
  local_cluster_watch,
  local_cluster_watch,
  local_cluster_append,
  local_cluster_free,
};

GstOpenTokCluster *
gst_opentok_local_cluster_new (GstOpenTokClusterApplyFunc apply,
    gpointer user_data)
{
  GstOpenTokLocalCluster *self = g_new0 (GstOpenTokLocalCluster, 1);

  self->parent.vtable = &local_cluster_vtable;
  self->parent.apply = apply;
  self->parent.apply_data = user_data;
  self->offsets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  return &self->parent;
}
