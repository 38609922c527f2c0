/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The signals signalbin sends: each is taken as a SendOp, handed to the
 * client, and its completion reported exactly once, through its promise or
 * an `opentok-signal-sent` message; a refused signal of the sink pad is
 * also an element warning (or an error, with fatal-refusals). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug

static const gchar *const origin_names[] = {
  "action", "message", "event", "buffer"
};

SendOp *
send_op_new (GstSignalBin * self, SendOrigin origin, GstPromise * promise)
{
  SendOp *op = g_new0 (SendOp, 1);

  op->refs = 1;
  op->self = gst_object_ref (self);
  op->origin = origin;
  op->promise = promise ? gst_promise_ref (promise) : NULL;
  return op;
}

SendOp *
send_op_ref (SendOp * op)
{
  g_atomic_int_inc (&op->refs);
  return op;
}

void
send_op_unref (SendOp * op)
{
  if (!g_atomic_int_dec_and_test (&op->refs))
    return;
  if (op->signal != NULL)
    gst_opentok_signal_unref (op->signal);
  if (op->report != NULL)
    gst_structure_free (op->report);
  if (op->promise != NULL)
    gst_promise_unref (op->promise);
  gst_object_unref (op->self);
  g_free (op);
}

void
send_op_set_signal (SendOp * op, GstOpenTokSignal * signal)
{
  if (op->signal != NULL)
    gst_opentok_signal_unref (op->signal);
  op->signal = signal;
  if (op->report != NULL)
    gst_structure_free (op->report);
  op->report = gst_opentok_signal_to_structure (signal);
}

/* Counts a signal the element is responsible for until its completion. */
void
pending_add (GstSignalBin * self, gboolean from_sink)
{
  g_mutex_lock (&self->pending_lock);
  self->pending++;
  if (from_sink)
    self->sink_pending++;
  g_mutex_unlock (&self->pending_lock);
}

/* A refused signal of the sink pad: on the bus as gst-launch shows it, with
 * the code and the refused data. */
static void
post_refusal (SendOp * op, const GError * error)
{
  GstSignalBin *self = op->self;
  const gchar *type = gst_structure_get_string (op->report, "type");
  const gchar *data = gst_structure_get_string (op->report, "data");
  GstMessageType kind;
  gboolean fatal;
  gchar *text, *debug;

  GST_OBJECT_LOCK (self);
  fatal = self->fatal_refusals;
  GST_OBJECT_UNLOCK (self);

  kind = fatal ? GST_MESSAGE_ERROR : GST_MESSAGE_WARNING;
  text = g_strdup_printf ("OpenTok refused a signal (code %d): %s",
      error->code, error->message);
  debug = g_strdup_printf ("type \"%s\", data \"%s\"", type ? type : "",
      data ? data : "");
  gst_element_message_full_with_details (GST_ELEMENT (self), kind,
      GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, text, debug, __FILE__,
      GST_FUNCTION, __LINE__, gst_structure_new ("details",
          "opentok-code", G_TYPE_INT, error->code,
          "signal", GST_TYPE_STRUCTURE, op->report, NULL));
}

/* Reports the completion of @op, once: a second completion (the client's
 * answer after the element gave up on it) is ignored. Called with no lock
 * held: this replies to the promise or posts messages. */
void
send_op_complete (SendOp * op, const GError * error)
{
  GstSignalBin *self = op->self;
  GstStructure *s;
  const gchar *type, *to;

  if (!g_atomic_int_compare_and_exchange (&op->completed, FALSE, TRUE))
    return;

  type = gst_structure_get_string (op->report, "type");
  to = gst_structure_get_string (op->report, "to");

  if (error != NULL) {
    GST_WARNING_OBJECT (self, "signal of type \"%s\" to %s refused (%d): %s",
        type ? type : "", to ? to : "the session", error->code, error->message);
  } else {
    GST_LOG_OBJECT (self, "signal of type \"%s\" to %s sent", type ? type : "",
        to ? to : "the session");
  }

  if (op->promise != NULL) {
    s = gst_structure_new ("application/x-gst-promise",
        "signal", GST_TYPE_STRUCTURE, op->report, NULL);
    if (error != NULL)
      gst_structure_set (s, "error", G_TYPE_ERROR, error, NULL);
    gst_promise_reply (op->promise, s);
  } else {
    if (error != NULL && op->from_sink)
      post_refusal (op, error);
    s = gst_structure_new ("opentok-signal-sent",
        "origin", G_TYPE_STRING, origin_names[op->origin],
        "type", G_TYPE_STRING, type,
        "to", G_TYPE_STRING, to, "signal", GST_TYPE_STRUCTURE, op->report,
        NULL);
    /* printable fields, as gst-launch-1.0 -m shows them */
    if (error != NULL)
      gst_structure_set (s, "code", G_TYPE_INT, error->code,
          "message", G_TYPE_STRING, error->message,
          "domain", G_TYPE_STRING, g_quark_to_string (error->domain), NULL);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }

  g_mutex_lock (&self->pending_lock);
  self->pending--;
  if (op->from_sink)
    self->sink_pending--;
  self->last_completion = g_get_monotonic_time ();
  g_cond_broadcast (&self->pending_cond);
  g_mutex_unlock (&self->pending_lock);
}

/* Completes @op with @error, which may be NULL, and drops the caller's
 * reference. */
void
send_op_finish (SendOp * op, const GError * error)
{
  send_op_complete (op, error);
  send_op_unref (op);
}

void
send_op_fail (SendOp * op, gint code, const gchar * message)
{
  GError *error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR, code,
      message);

  send_op_finish (op, error);
  g_error_free (error);
}

static void
on_signal_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  send_op_complete (user_data, error);
}

/* One handing of a SendOp to the client. */
typedef struct
{
  SendOp *op;
  GstOpenTokSignalCallback callback;
  gboolean answered;
} Submission;

static void
on_submission_answered (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  Submission *submission = user_data;

  submission->answered = TRUE;
  submission->callback (client, signal, error, submission->op);
}

/* The client is done with @user_data: a submission it dropped unanswered
 * fails as opentok.js fails it. */
static void
on_submission_done (gpointer user_data)
{
  Submission *submission = user_data;
  GError *error;

  if (!submission->answered) {
    error = g_error_new_literal (GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
        "The signal was dropped before the server answered.");
    submission->callback (NULL, submission->op->signal, error, submission->op);
    g_error_free (error);
  }
  send_op_unref (submission->op);
  g_free (submission);
}

/* Hands @op to @client; @callback (by default, one that completes @op) runs
 * once with @op as its data, with the server's answer or the failure of a
 * dropped submission. The submission holds a reference to @op. Called with
 * no lock held. */
void
send_op_submit (SendOp * op, GstOpenTokClient * client,
    GstOpenTokSignalCallback callback)
{
  Submission *submission = g_new0 (Submission, 1);

  op->attempts++;
  GST_LOG_OBJECT (op->self, "sending a signal from %s, attempt %u",
      origin_names[op->origin], op->attempts);
  submission->op = send_op_ref (op);
  submission->callback = callback ? callback : on_signal_sent;
  gst_opentok_client_send_signal_full (client, op->signal,
      on_submission_answered, submission, on_submission_done);
}

/* Makes @op's signal from @structure, with the element's defaults, and
 * checks it. Returns FALSE with @error set when it cannot be sent. */
gboolean
send_op_prepare (SendOp * op, const GstStructure * structure, GError ** error)
{
  GstSignalBin *self = op->self;
  GstOpenTokSignal *signal;
  gboolean retry;

  signal = gst_opentok_signal_new_from_structure (structure, error);
  if (signal == NULL) {
    op->report = gst_structure_copy (structure);
    gst_structure_set_name (op->report, GST_OPENTOK_SIGNAL_STRUCTURE_NAME);
    return FALSE;
  }
  if (!gst_structure_has_field (structure, "retry-after-reconnect")) {
    GST_OBJECT_LOCK (self);
    retry = self->retry_after_reconnect;
    GST_OBJECT_UNLOCK (self);
    gst_opentok_signal_set_retry_after_reconnect (signal, retry);
  }
  send_op_set_signal (op, signal);
  return gst_opentok_signal_validate (signal, error);
}

/* Sends @structure now, through the client of the current session. */
void
send_structure (GstSignalBin * self, const GstStructure * structure,
    GstPromise * promise, SendOrigin origin)
{
  SendOp *op = send_op_new (self, origin, promise);
  GstOpenTokClient *client = NULL;
  GError *error = NULL;

  pending_add (self, FALSE);
  if (!send_op_prepare (op, structure, &error)) {
    send_op_finish (op, error);
    g_error_free (error);
    return;
  }

  GST_OBJECT_LOCK (self);
  if (self->session_active && self->client != NULL)
    client = gst_object_ref (self->client);
  GST_OBJECT_UNLOCK (self);

  if (client == NULL) {
    send_op_fail (op, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
        "The element is not in a session: it joins the session in the "
        "PAUSED and PLAYING states.");
    return;
  }
  send_op_submit (op, client, NULL);
  gst_object_unref (client);
  send_op_unref (op);
}

/* Waits until no signal is in flight, or until no signal completed for
 * @idle_timeout. Returns FALSE when interrupted by flushing or by the
 * timeout. */
gboolean
wait_drained (GstSignalBin * self, gint64 idle_timeout, gboolean interruptible)
{
  gboolean drained;
  gint64 end;

  g_mutex_lock (&self->pending_lock);
  self->last_completion = g_get_monotonic_time ();
  while (self->pending > 0 && !(interruptible && self->flushing)) {
    end = self->last_completion + idle_timeout;
    if (!g_cond_wait_until (&self->pending_cond, &self->pending_lock, end)
        && g_get_monotonic_time () >= self->last_completion + idle_timeout)
      break;
  }
  drained = self->pending == 0;
  if (!drained)
    GST_WARNING_OBJECT (self, "%u signals still in flight", self->pending);
  g_mutex_unlock (&self->pending_lock);
  return drained;
}
