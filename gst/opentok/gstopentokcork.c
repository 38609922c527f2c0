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

#include "gstopentokcork.h"

#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

/* The corked sockets are released when the dispatch that wrote to them ends:
 * at the first write of another dispatch (a burst read from one socket is
 * not held back while others are read), or at the latest from a source's
 * prepare(), which GLib calls once every dispatch of the iteration is done,
 * just before it polls. */
typedef struct
{
  GSource source;
  GstOpenTokCork *cork;
} CorkSource;

struct _GstOpenTokCork
{
  GSource *source;
  guint64 batch;                /* counts the batches, from 1 */
  GSource *dispatch;            /* the one writing now, not a reference */
  GPtrArray *held;              /* GSocket, owned */
  GHashTable *held_set;         /* GSocket, the same ones */
};

/* What was written since the last call may be coalesced; what comes after
 * is another batch. */
static void
cork_end_batch (GstOpenTokCork * cork)
{
  gst_opentok_cork_flush (cork);
  cork->batch++;
  cork->dispatch = NULL;
}

static gboolean
cork_source_prepare (GSource * source, gint * timeout)
{
  GstOpenTokCork *cork = ((CorkSource *) source)->cork;

  cork_end_batch (cork);
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs cork_source_funcs = {
  cork_source_prepare, NULL, NULL, NULL, NULL, NULL
};

/* Creates a cork for sockets written to from @context's dispatches. */
GstOpenTokCork *
gst_opentok_cork_new (GMainContext * context)
{
  GstOpenTokCork *cork = g_new0 (GstOpenTokCork, 1);

  cork->held = g_ptr_array_new_with_free_func (g_object_unref);
  cork->held_set = g_hash_table_new (NULL, NULL);
  cork->batch = 1;
  cork->source = g_source_new (&cork_source_funcs, sizeof (CorkSource));
  ((CorkSource *) cork->source)->cork = cork;
  g_source_set_name (cork->source, "GstOpenTokCork");
  g_source_attach (cork->source, context);
  return cork;
}

/* Call before each write to @socket, with the caller's record of its last
 * write (0 at first): from the second write of a dispatch on, the socket is
 * corked until the dispatch ends. Does nothing more where TCP_CORK does not
 * exist, or for a socket that is not TCP. */
void
gst_opentok_cork_before_write (GstOpenTokCork * cork, GSocket * socket,
    guint64 * last_write)
{
  GSource *dispatch = g_main_current_source ();
  gboolean again;

  if (dispatch != cork->dispatch) {
    cork_end_batch (cork);
    cork->dispatch = dispatch;
  }
  again = *last_write == cork->batch;
  *last_write = cork->batch;
#ifdef TCP_CORK
  if (!again || g_hash_table_contains (cork->held_set, socket) ||
      g_socket_get_protocol (socket) != G_SOCKET_PROTOCOL_TCP)
    return;
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, 1, NULL))
    return;
  g_hash_table_add (cork->held_set, socket);
  g_ptr_array_add (cork->held, g_object_ref (socket));
#endif
}

/* Uncorks every socket held: what they were given leaves now. */
void
gst_opentok_cork_flush (GstOpenTokCork * cork)
{
#ifdef TCP_CORK
  guint i;

  if (cork->held->len == 0)
    return;
  for (i = 0; i < cork->held->len; i++) {
    GSocket *socket = g_ptr_array_index (cork->held, i);

    /* a socket closed meanwhile has nothing left to send */
    if (!g_socket_is_closed (socket))
      g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, 0, NULL);
  }
  g_hash_table_remove_all (cork->held_set);
  g_ptr_array_set_size (cork->held, 0);
#endif
}

/* Releases every socket and detaches from the context. */
void
gst_opentok_cork_free (GstOpenTokCork * cork)
{
  if (cork == NULL)
    return;
  gst_opentok_cork_flush (cork);
  g_source_destroy (cork->source);
  g_source_unref (cork->source);
  g_hash_table_unref (cork->held_set);
  g_ptr_array_unref (cork->held);
  g_free (cork);
}
