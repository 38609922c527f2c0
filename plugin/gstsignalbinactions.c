/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What applications ask of signalbin: the send-signal and force-disconnect
 * actions, and the custom events, application messages and queries the
 * element answers. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug

/* signalbin derives from GstBin: the class whose handlers it chains up to */
#define parent_class (g_type_class_peek (GST_TYPE_BIN))

/* ------------------------------------------------------------------------ */
/* Sending signals                                                          */

/* The class handler of the send-signal action, which applications emit:
 * the plugin installs no header. */
void
gst_signal_bin_send_signal (GstSignalBin * bin, const GstStructure * signal,
    GstPromise * promise)
{
  g_return_if_fail (GST_IS_SIGNAL_BIN (bin));

  if (signal == NULL) {
    GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID, "No signal structure was given.");
    SendOp *op = send_op_new (bin, SEND_ORIGIN_ACTION, promise);

    pending_add (bin, FALSE);
    op->report = gst_structure_new_empty (GST_OPENTOK_SIGNAL_STRUCTURE_NAME);
    send_op_finish (op, error);
    g_error_free (error);
    return;
  }
  send_structure (bin, signal, promise, SEND_ORIGIN_ACTION);
}

/* The reply of a force disconnect: a structure with the connection id and,
 * on failure, the error. */
static GstStructure *
force_disconnect_reply (const gchar * connection_id, const GError * error)
{
  GstStructure *s = gst_structure_new ("application/x-gst-promise",
      "connection-id", G_TYPE_STRING, connection_id, NULL);

  if (error != NULL)
    gst_structure_set (s, "error", G_TYPE_ERROR, error, NULL);
  return s;
}

typedef struct
{
  GstPromise *promise;          /* nullable */
  gchar *connection_id;
} ForceDisconnect;

/* Replies to the action's promise and frees @fd. */
static void
force_disconnect_answer (ForceDisconnect * fd, const GError * error)
{
  if (fd->promise != NULL) {
    gst_promise_reply (fd->promise, force_disconnect_reply (fd->connection_id,
            error));
    gst_promise_unref (fd->promise);
  }
  g_free (fd->connection_id);
  g_free (fd);
}

/* On the client's network thread. */
static void
on_force_disconnect_done (GstOpenTokClient * client, const GError * error,
    gpointer user_data)
{
  force_disconnect_answer (user_data, error);
}

/* The class handler of the force-disconnect action. */
void
gst_signal_bin_force_disconnect (GstSignalBin * bin,
    const gchar * connection_id, GstPromise * promise)
{
  GstOpenTokClient *client = NULL;
  ForceDisconnect *fd;

  g_return_if_fail (GST_IS_SIGNAL_BIN (bin));

  GST_OBJECT_LOCK (bin);
  if (bin->session_active && bin->client != NULL)
    client = gst_object_ref (bin->client);
  GST_OBJECT_UNLOCK (bin);

  if (client == NULL) {
    GError *error = g_error_new_literal (GST_OPENTOK_CLIENT_ERROR,
        GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED,
        "The element is not in a session: it joins the session in the "
        "PAUSED and PLAYING states.");

    if (promise != NULL)
      gst_promise_reply (promise, force_disconnect_reply (connection_id,
              error));
    g_error_free (error);
    return;
  }
  fd = g_new0 (ForceDisconnect, 1);
  fd->promise = promise ? gst_promise_ref (promise) : NULL;
  fd->connection_id = g_strdup (connection_id);
  GST_DEBUG_OBJECT (bin, "forcing %s out of the session", connection_id);
  gst_opentok_client_force_disconnect_full (client, connection_id,
      on_force_disconnect_done, fd, NULL);
  gst_object_unref (client);
}

/* Posts the element's EOS once; the src stream ends too. */
void
gst_signal_bin_post_eos (GstSignalBin * self, guint32 seqnum)
{
  GstMessage *message;
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = !self->eos_posted;
  self->eos_posted = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (!post)
    return;

  GST_DEBUG_OBJECT (self, "all signals sent, posting EOS");
  src_end (self);
  message = gst_message_new_eos (GST_OBJECT (self));
  if (seqnum != GST_SEQNUM_INVALID)
    gst_message_set_seqnum (message, seqnum);
  gst_element_post_message (GST_ELEMENT (self), message);
}

/* ------------------------------------------------------------------------ */
/* Events, queries and messages of the element                              */

gboolean
gst_signal_bin_send_event (GstElement * element, GstEvent * event)
{
  GstSignalBin *self = GST_SIGNAL_BIN (element);
  const GstStructure *s = gst_event_get_structure (event);
  GstClockTime latency;

  if (s != NULL && gst_structure_has_name (s,
          GST_OPENTOK_SIGNAL_STRUCTURE_NAME)) {
    send_structure (self, s, NULL, SEND_ORIGIN_EVENT);
    gst_event_unref (event);
    return TRUE;
  }

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      if (gst_pad_is_linked (self->sinkpad))
        break;
      /* no EOS will come through the sink pad: this is the end */
      wait_drained (self, DRAIN_IDLE_TIMEOUT, FALSE);
      gst_signal_bin_post_eos (self, gst_event_get_seqnum (event));
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_LATENCY:
      /* for sync, as a sink */
      gst_event_parse_latency (event, &latency);
      GST_OBJECT_LOCK (self);
      self->latency = latency;
      GST_OBJECT_UNLOCK (self);
      gst_event_unref (event);
      return TRUE;
    default:
      break;
  }

  return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
}

gboolean
gst_signal_bin_query (GstElement * element, GstQuery * query)
{
  GstSignalBin *self = GST_SIGNAL_BIN (element);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    /* as a sink, the element renders nothing against the clock */
    if (gst_pad_is_linked (self->sinkpad)
        && gst_pad_peer_query (self->sinkpad, query))
      return TRUE;
    gst_query_set_latency (query, FALSE, 0, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (parent_class)->query (element, query);
}

void
gst_signal_bin_handle_message (GstBin * bin, GstMessage * message)
{
  GstSignalBin *self = GST_SIGNAL_BIN (bin);
  const GstStructure *s;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_APPLICATION) {
    s = gst_message_get_structure (message);
    if (s != NULL && gst_structure_has_name (s,
            GST_OPENTOK_SIGNAL_STRUCTURE_NAME)) {
      GST_LOG_OBJECT (self, "signal from %" GST_PTR_FORMAT,
          GST_MESSAGE_SRC (message));
      send_structure (self, s, NULL, SEND_ORIGIN_MESSAGE);
      gst_message_unref (message);
      return;
    }
  }

  GST_BIN_CLASS (parent_class)->handle_message (bin, message);
}
