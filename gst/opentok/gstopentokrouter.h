/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_ROUTER_H__
#define __GST_OPENTOK_ROUTER_H__

#include <glib.h>

G_BEGIN_DECLS

/* The router fans a server MESSAGE out to the subscribers of a Rumor address
 * (a session topic, or a connection id) on this node. What reaches other
 * nodes goes through the GstOpenTokCluster instead (gstopentokcluster.h):
 * each node applies the session's events and routes them to its own
 * members.
 *
 * A message is encoded once and shared: every subscriber receives a reference
 * to the same envelope. All calls happen on the server's network thread. */

typedef struct _GstOpenTokRouter GstOpenTokRouter;

/* An encoded Rumor frame with the TRANSACTION-ID it carries, shared by all
 * receivers. Immutable once made. */
typedef struct
{
  gint ref_count;
  GBytes *frame;
  gchar *transaction_id;
  guint64 offset;               /* of the session event it was made from */
} GstOpenTokEnvelope;

G_GNUC_INTERNAL
GstOpenTokEnvelope *gst_opentok_envelope_new (GBytes * frame,
    const gchar * transaction_id, guint64 offset);
G_GNUC_INTERNAL
GstOpenTokEnvelope *gst_opentok_envelope_ref (GstOpenTokEnvelope * envelope);
G_GNUC_INTERNAL
void gst_opentok_envelope_unref (GstOpenTokEnvelope * envelope);

/* Called for each subscriber of the address a message is published to. It
 * must not subscribe or unsubscribe anything (defer that to an idle). */
typedef void (*GstOpenTokRouterDeliverFunc) (gpointer subscriber,
    GstOpenTokEnvelope * envelope);

typedef struct
{
  void (*subscribe) (GstOpenTokRouter * router, const gchar * address,
      gpointer subscriber);
  void (*unsubscribe) (GstOpenTokRouter * router, const gchar * address,
      gpointer subscriber);
  /* returns how many subscribers on this node received it */
  guint (*publish) (GstOpenTokRouter * router, const gchar * address,
      GstOpenTokEnvelope * envelope);
  void (*free) (GstOpenTokRouter * router);
} GstOpenTokRouterVTable;

struct _GstOpenTokRouter
{
  const GstOpenTokRouterVTable *vtable;
  GstOpenTokRouterDeliverFunc deliver;
};

G_GNUC_INTERNAL
GstOpenTokRouter *gst_opentok_local_router_new (GstOpenTokRouterDeliverFunc deliver);

static inline void
gst_opentok_router_subscribe (GstOpenTokRouter * router, const gchar * address,
    gpointer subscriber)
{
  router->vtable->subscribe (router, address, subscriber);
}

static inline void
gst_opentok_router_unsubscribe (GstOpenTokRouter * router,
    const gchar * address, gpointer subscriber)
{
  router->vtable->unsubscribe (router, address, subscriber);
}

static inline guint
gst_opentok_router_publish (GstOpenTokRouter * router, const gchar * address,
    GstOpenTokEnvelope * envelope)
{
  return router->vtable->publish (router, address, envelope);
}

static inline void
gst_opentok_router_free (GstOpenTokRouter * router)
{
  router->vtable->free (router);
}

G_END_DECLS

#endif /* __GST_OPENTOK_ROUTER_H__ */
