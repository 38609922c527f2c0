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
  g_free (event->request);
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
  copy->request = g_strdup (event->request);
  return copy;
}

/* ------------------------------------------------------------------------ */
/* Events between nodes                                                     */

/* A field's most: a signal's data is 8192 bytes, connection data 1024
 * characters, ids 255; anything longer is not ours. */
#define MAX_FIELD_SIZE (64 * 1024)

static void
encode_field (GString * out, const gchar * value)
{
  gsize length;

  if (value == NULL) {
    g_string_append_c (out, 'N');
    return;
  }
  length = strlen (value);
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ":", length);
  g_string_append_len (out, value, length);
  g_string_append_c (out, ',');
}

GString *
gst_opentok_event_encode (const GstOpenTokEvent * event)
{
  GString *out = g_string_sized_new (128 + (event->payload ?
          strlen (event->payload) : 0));
  gchar number[24];

  g_string_append_c (out, "JLS"[event->kind]);
  encode_field (out, event->connection_id);
  encode_field (out, event->socket_id);
  encode_field (out, event->data);
  g_snprintf (number, sizeof (number), "%d", event->role);
  encode_field (out, number);
  g_snprintf (number, sizeof (number), "%" G_GINT64_FORMAT,
      event->creation_time);
  encode_field (out, number);
  encode_field (out, event->reason);
  encode_field (out, event->to);
  encode_field (out, event->type);
  encode_field (out, event->payload);
  encode_field (out, event->uri);
  encode_field (out, event->node);
  return out;
}

/* One field at *@p, which moves past it: TRUE with *@value the field (NULL
 * for none), FALSE when the input is not one. */
static gboolean
decode_field (const gchar ** p, const gchar * end, gchar ** value)
{
  guint64 length = 0;
  const gchar *q = *p;

  if (q < end && *q == 'N') {
    *value = NULL;
    *p = q + 1;
    return TRUE;
  }
  if (q >= end || !g_ascii_isdigit (*q))
    return FALSE;
  while (q < end && g_ascii_isdigit (*q)) {
    length = length * 10 + (*q - '0');
    if (length > MAX_FIELD_SIZE)
      return FALSE;
    q++;
  }
  if (q >= end || *q != ':' || (guint64) (end - q - 1) < length + 1 ||
      q[1 + length] != ',' || memchr (q + 1, '\0', length) != NULL)
    return FALSE;
  *value = g_strndup (q + 1, length);
  *p = q + 2 + length;
  return TRUE;
}

static gboolean
decode_number (const gchar * text, gint64 min, gint64 max, gint64 * number)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, min, max,
      number, NULL);
}

GstOpenTokEvent *
gst_opentok_event_decode (const gchar * data, gsize size, GError ** error)
{
  const gchar *p = data, *end = data + size;
  gchar *role = NULL, *creation_time = NULL;
  GstOpenTokEvent *event;
  const gchar *kind;
  gint64 number;

  if (size == 0 || (kind = memchr ("JLS", data[0], 3)) == NULL)
    goto fail;
  event = g_new0 (GstOpenTokEvent, 1);
  event->kind = kind - "JLS";
  p++;
  if (!decode_field (&p, end, &event->connection_id) ||
      !decode_field (&p, end, &event->socket_id) ||
      !decode_field (&p, end, &event->data) ||
      !decode_field (&p, end, &role) ||
      !decode_field (&p, end, &creation_time) ||
      !decode_field (&p, end, &event->reason) ||
      !decode_field (&p, end, &event->to) ||
      !decode_field (&p, end, &event->type) ||
      !decode_field (&p, end, &event->payload) ||
      !decode_field (&p, end, &event->uri) ||
      !decode_field (&p, end, &event->node) || p != end ||
      event->connection_id == NULL ||
      !decode_number (role, GST_OPENTOK_ROLE_SUBSCRIBER,
          GST_OPENTOK_ROLE_MODERATOR, &number))
    goto bad;
  event->role = number;
  if (!decode_number (creation_time, 0, G_MAXINT64, &event->creation_time))
    goto bad;
  /* what applying each kind reads */
  if ((event->kind == GST_OPENTOK_EVENT_LEAVE && event->reason == NULL) ||
      (event->kind == GST_OPENTOK_EVENT_SIGNAL && event->uri == NULL))
    goto bad;
  g_free (role);
  g_free (creation_time);
  return event;

bad:
  g_free (role);
  g_free (creation_time);
  gst_opentok_event_free (event);
fail:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
      "Not an event of this cluster");
  return NULL;
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

/* Every member of this cluster is on this node: rebind found it, or nobody
 * has that socket id. */
static void
local_cluster_claim (GstOpenTokCluster * cluster, const gchar * socket_id,
    GstOpenTokClusterClaimedFunc claimed, gpointer user_data)
{
  claimed (NULL, NULL, 0, NULL, user_data);
}

/* The member's messages stay here until acknowledged: nobody else needs to
 * know how far it got. */
static void
local_cluster_acknowledge (GstOpenTokCluster * cluster,
    const gchar * session_id, const gchar * connection_id, guint64 offset)
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
  local_cluster_claim,
  local_cluster_acknowledge,
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
