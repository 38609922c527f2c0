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

#include "gstopentokrouter.h"

GstOpenTokEnvelope *
gst_opentok_envelope_new (GBytes * frame, const gchar * transaction_id,
    guint64 offset)
{
  GstOpenTokEnvelope *envelope = g_new (GstOpenTokEnvelope, 1);

  g_atomic_ref_count_init (&envelope->ref_count);
  envelope->frame = g_bytes_ref (frame);
  envelope->transaction_id = g_strdup (transaction_id);
  envelope->offset = offset;
  return envelope;
}

GstOpenTokEnvelope *
gst_opentok_envelope_ref (GstOpenTokEnvelope * envelope)
{
  g_atomic_ref_count_inc (&envelope->ref_count);
  return envelope;
}

void
gst_opentok_envelope_unref (GstOpenTokEnvelope * envelope)
{
  if (!g_atomic_ref_count_dec (&envelope->ref_count))
    return;
  g_bytes_unref (envelope->frame);
  g_free (envelope->transaction_id);
  g_free (envelope);
}

/* Local delivery: address -> array of subscribers on this node. */
typedef struct
{
  GstOpenTokRouter parent;
  GHashTable *subscriptions;
} GstOpenTokLocalRouter;

static void
local_router_subscribe (GstOpenTokRouter * router, const gchar * address,
    gpointer subscriber)
{
  GstOpenTokLocalRouter *self = (GstOpenTokLocalRouter *) router;
  GPtrArray *subscribers;

  subscribers = g_hash_table_lookup (self->subscriptions, address);
  if (subscribers == NULL) {
    subscribers = g_ptr_array_new ();
    g_hash_table_insert (self->subscriptions, g_strdup (address), subscribers);
  } else if (g_ptr_array_find (subscribers, subscriber, NULL)) {
    return;
  }
  g_ptr_array_add (subscribers, subscriber);
}

static void
local_router_unsubscribe (GstOpenTokRouter * router, const gchar * address,
    gpointer subscriber)
{
  GstOpenTokLocalRouter *self = (GstOpenTokLocalRouter *) router;
  GPtrArray *subscribers;

  subscribers = g_hash_table_lookup (self->subscriptions, address);
  if (subscribers == NULL)
    return;
  g_ptr_array_remove_fast (subscribers, subscriber);
  if (subscribers->len == 0)
    g_hash_table_remove (self->subscriptions, address);
}

static guint
local_router_publish (GstOpenTokRouter * router, const gchar * address,
    GstOpenTokEnvelope * envelope)
{
  GstOpenTokLocalRouter *self = (GstOpenTokLocalRouter *) router;
  GPtrArray *subscribers;
  guint i;

  subscribers = g_hash_table_lookup (self->subscriptions, address);
  if (subscribers == NULL)
    return 0;
  for (i = 0; i < subscribers->len; i++)
    router->deliver (g_ptr_array_index (subscribers, i), envelope);
  return subscribers->len;
}

static void
local_router_free (GstOpenTokRouter * router)
{
  GstOpenTokLocalRouter *self = (GstOpenTokLocalRouter *) router;

  g_hash_table_unref (self->subscriptions);
  g_free (self);
}

static const GstOpenTokRouterVTable local_router_vtable = {
  local_router_subscribe,
  local_router_unsubscribe,
  local_router_publish,
  local_router_free,
};

GstOpenTokRouter *
gst_opentok_local_router_new (GstOpenTokRouterDeliverFunc deliver)
{
  GstOpenTokLocalRouter *self = g_new0 (GstOpenTokLocalRouter, 1);

  self->parent.vtable = &local_router_vtable;
  self->parent.deliver = deliver;
  self->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, (GDestroyNotify) g_ptr_array_unref);
  return &self->parent;
}
