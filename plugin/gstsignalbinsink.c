/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The sink pad of signalbin, a network sink: every buffer (or line, or
 * serialized `opentok-signal` event) becomes one signal, and the signals go
 * out in order, one at a time, no faster than max-rate. A signal the server
 * refuses for its rate (429) goes back to the head of the queue and is
 * retried after a back-off, so none is lost to a rate limit. The streaming
 * thread blocks while MAX_SINK_PENDING signals wait, and, with sync, until
 * the clock reaches a buffer's running time. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <json-glib/json-glib.h>

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug

/* Signals of the sink pad waiting or in flight before the streaming thread
 * waits. */
#define MAX_SINK_PENDING 256
/* Back-off after a 429: doubles from the first to the last. */
#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 2000

static void sink_pump (GstSignalBin * self);

/* On the system clock's thread. */
static gboolean
on_sink_timer (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer data)
{
  GstSignalBin *self = data;

  g_mutex_lock (&self->sink_lock);
  if (self->sink_timer == id)
    g_clear_pointer (&self->sink_timer, gst_clock_id_unref);
  g_mutex_unlock (&self->sink_lock);
  sink_pump (self);
  return TRUE;
}

/* Called with sink_lock held. */
static void
sink_cancel_timer_locked (GstSignalBin * self)
{
  if (self->sink_timer != NULL) {
    gst_clock_id_unschedule (self->sink_timer);
    g_clear_pointer (&self->sink_timer, gst_clock_id_unref);
  }
}

/* Wakes the sender in @delay_us. Called with sink_lock held. */
static void
sink_start_timer_locked (GstSignalBin * self, gint64 delay_us)
{
  GstClock *clock = gst_system_clock_obtain ();

  self->sink_timer = gst_clock_new_single_shot_id (clock,
      gst_clock_get_time (clock) + delay_us * GST_USECOND);
  if (gst_clock_id_wait_async (self->sink_timer, on_sink_timer,
          gst_object_ref (self), gst_object_unref) != GST_CLOCK_OK)
    g_clear_pointer (&self->sink_timer, gst_clock_id_unref);
  gst_object_unref (clock);
}

/* The server answered the signal in flight. Runs on the client's network
 * thread, or on the thread that dropped the submission. */
static void
on_sink_signal_sent (GstOpenTokClient * client, GstOpenTokSignal * signal,
    const GError * error, gpointer user_data)
{
  SendOp *op = user_data;
  GstSignalBin *self = op->self;
  gboolean retry;

  g_mutex_lock (&self->sink_lock);
  if (self->sink_in_flight != op) {
    /* given up on at EOS: it was reported already */
    g_mutex_unlock (&self->sink_lock);
    return;
  }
  self->sink_in_flight = NULL;
  retry = error != NULL && error->domain == GST_OPENTOK_SIGNAL_ERROR
      && error->code == GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED
      && self->sink_state == SINK_JOINED;
  if (retry) {
    self->sink_backoff_ms = self->sink_backoff_ms == 0 ? BACKOFF_FIRST_MS :
        MIN (2 * self->sink_backoff_ms, BACKOFF_MAX_MS);
    self->sink_next_send = g_get_monotonic_time ()
        + self->sink_backoff_ms * G_TIME_SPAN_MILLISECOND;
    /* the in-flight reference goes back to the queue */
    g_queue_push_head (&self->sink_queue, op);
    GST_DEBUG_OBJECT (self, "rate-limited (attempt %u), retrying in %u ms",
        op->attempts, self->sink_backoff_ms);
  } else {
    self->sink_backoff_ms = 0;
  }
  g_mutex_unlock (&self->sink_lock);

  if (!retry)
    send_op_finish (op, error);
  sink_pump (self);
}

/* Gives the oldest waiting signal to the client when the session is
 * joined, none is in flight and the pace allows; else, when only the pace
 * holds it back, wakes up when it allows. */
static void
sink_pump (GstSignalBin * self)
{
  GstOpenTokClient *client = gst_signal_bin_get_client (self);
  SendOp *op = NULL;
  gdouble rate;
  gint64 now;

  GST_OBJECT_LOCK (self);
  rate = self->max_rate;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->sink_lock);
  if (client == NULL || self->sink_state != SINK_JOINED
      || self->sink_in_flight != NULL || self->sink_timer != NULL
      || g_queue_is_empty (&self->sink_queue))
    goto out;

  now = g_get_monotonic_time ();
  if (now < self->sink_next_send) {
    sink_start_timer_locked (self, self->sink_next_send - now);
    goto out;
  }

  op = g_queue_pop_head (&self->sink_queue);
  self->sink_in_flight = op;
  self->sink_next_send = now;
  if (rate > 0)
    self->sink_next_send += (gint64) (G_USEC_PER_SEC / rate);

out:
  g_mutex_unlock (&self->sink_lock);
  if (op != NULL)
    send_op_submit (op, client, on_sink_signal_sent);
  if (client != NULL)
    gst_object_unref (client);
}

/* Takes @op (already counted as pending) into the sink pad's queue. */
static void
sink_send_op (GstSignalBin * self, SendOp * op)
{
  gboolean queued;

  g_mutex_lock (&self->sink_lock);
  queued = self->sink_state != SINK_CLOSED;
  if (queued)
    g_queue_push_tail (&self->sink_queue, op);
  g_mutex_unlock (&self->sink_lock);

  if (!queued) {
    send_op_fail (op, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED,
        "The element is not in a session.");
    return;
  }
  sink_pump (self);
}

/* The session was joined: the queued signals go, in order. */
void
sink_open (GstSignalBin * self)
{
  g_mutex_lock (&self->sink_lock);
  if (self->sink_state == SINK_WAITING) {
    GST_DEBUG_OBJECT (self, "session joined, %u signals waiting",
        g_queue_get_length (&self->sink_queue));
    self->sink_state = SINK_JOINED;
  }
  g_mutex_unlock (&self->sink_lock);
  sink_pump (self);
}

/* Fails @ops, in order, with @why. */
static void
fail_ops (GQueue * ops, const gchar * why)
{
  SendOp *op;

  while ((op = g_queue_pop_head (ops)) != NULL)
    send_op_fail (op, GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, why);
}

/* No session to send in any more: fail the waiting signals. The one in
 * flight is completed by the client. */
void
sink_close (GstSignalBin * self, const gchar * why)
{
  GQueue ops;

  g_mutex_lock (&self->sink_lock);
  self->sink_state = SINK_CLOSED;
  ops = self->sink_queue;
  g_queue_init (&self->sink_queue);
  sink_cancel_timer_locked (self);
  self->sink_backoff_ms = 0;
  self->sink_next_send = 0;
  g_mutex_unlock (&self->sink_lock);

  if (!g_queue_is_empty (&ops))
    GST_INFO_OBJECT (self, "%u signals of the sink pad not sent: %s",
        g_queue_get_length (&ops), why);
  fail_ops (&ops, why);
}

/* A new session starts: the sink pad's signals wait for the join. */
void
sink_reset (GstSignalBin * self)
{
  g_mutex_lock (&self->sink_lock);
  self->sink_state = SINK_WAITING;
  g_mutex_unlock (&self->sink_lock);

  g_mutex_lock (&self->pending_lock);
  self->flushing = FALSE;
  g_mutex_unlock (&self->pending_lock);
}

/* Releases a streaming thread waiting for room, for the clock or for the
 * drain, and refuses new buffers, while @flushing. */
void
sink_set_flushing (GstSignalBin * self, gboolean flushing)
{
  g_mutex_lock (&self->pending_lock);
  self->flushing = flushing;
  if (flushing && self->sink_clock_id != NULL)
    gst_clock_id_unschedule (self->sink_clock_id);
  g_cond_broadcast (&self->pending_cond);
  g_mutex_unlock (&self->pending_lock);
}

void
sink_set_playing (GstSignalBin * self, gboolean playing)
{
  g_mutex_lock (&self->pending_lock);
  self->playing = playing;
  if (!playing && self->sink_clock_id != NULL)
    gst_clock_id_unschedule (self->sink_clock_id);
  g_cond_broadcast (&self->pending_cond);
  g_mutex_unlock (&self->pending_lock);
}

/* Waits at EOS until every signal completed, or until none completed for
 * DRAIN_IDLE_TIMEOUT; then reports, in order, the signals of the sink pad
 * that will not be sent. Returns FALSE when flushing interrupted it. */
gboolean
sink_drain (GstSignalBin * self)
{
  GQueue ops;
  SendOp *in_flight;
  gboolean flushing;

  if (wait_drained (self, DRAIN_IDLE_TIMEOUT, TRUE))
    return TRUE;

  g_mutex_lock (&self->pending_lock);
  flushing = self->flushing;
  g_mutex_unlock (&self->pending_lock);
  if (flushing)
    return FALSE;

  g_mutex_lock (&self->sink_lock);
  ops = self->sink_queue;
  g_queue_init (&self->sink_queue);
  in_flight = self->sink_in_flight;
  self->sink_in_flight = NULL;
  sink_cancel_timer_locked (self);
  g_mutex_unlock (&self->sink_lock);

  if (in_flight != NULL)
    g_queue_push_head (&ops, in_flight);
  GST_WARNING_OBJECT (self, "%u signals of the sink pad not sent by EOS",
      g_queue_get_length (&ops));
  fail_ops (&ops, "The signal could not be sent before the end of the "
      "stream: no signal completed for 10 seconds.");
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The streaming thread                                                     */

/* Waits while too many signals of the sink pad are in flight. Returns FALSE
 * when the pad is flushing. */
static gboolean
sink_wait_for_room (GstSignalBin * self)
{
  gboolean ok;

  g_mutex_lock (&self->pending_lock);
  while (!self->flushing && self->sink_pending >= MAX_SINK_PENDING)
    g_cond_wait (&self->pending_cond, &self->pending_lock);
  ok = !self->flushing;
  g_mutex_unlock (&self->pending_lock);
  return ok;
}

/* With sync, waits until the clock reaches @buffer's running time (plus
 * the pipeline's latency), as basesink does; in PAUSED, until PLAYING.
 * Returns FALSE when flushing. */
static gboolean
sink_wait_clock (GstSignalBin * self, GstBuffer * buffer)
{
  GstClockTime running_time, base_time, latency;
  GstClockReturn ret;
  GstClockID id;
  GstClock *clock;
  gboolean sync;

  GST_OBJECT_LOCK (self);
  sync = self->sync;
  GST_OBJECT_UNLOCK (self);
  if (!sync || !GST_BUFFER_PTS_IS_VALID (buffer)
      || self->sink_segment.format != GST_FORMAT_TIME)
    return TRUE;
  running_time = gst_segment_to_running_time (&self->sink_segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  if (!GST_CLOCK_TIME_IS_VALID (running_time))
    return TRUE;                /* outside the segment: no time to wait for */

  for (;;) {
    g_mutex_lock (&self->pending_lock);
    while (!self->flushing && !self->playing)
      g_cond_wait (&self->pending_cond, &self->pending_lock);
    if (self->flushing) {
      g_mutex_unlock (&self->pending_lock);
      return FALSE;
    }
    g_mutex_unlock (&self->pending_lock);

    GST_OBJECT_LOCK (self);
    clock = GST_ELEMENT_CLOCK (self) ? gst_object_ref (GST_ELEMENT_CLOCK
        (self)) : NULL;
    base_time = GST_ELEMENT_CAST (self)->base_time;
    latency = self->latency;
    GST_OBJECT_UNLOCK (self);
    if (clock == NULL)
      return TRUE;

    id = gst_clock_new_single_shot_id (clock,
        base_time + running_time + latency);
    gst_object_unref (clock);
    g_mutex_lock (&self->pending_lock);
    if (self->flushing || !self->playing) {
      g_mutex_unlock (&self->pending_lock);
      gst_clock_id_unref (id);
      continue;
    }
    self->sink_clock_id = id;
    g_mutex_unlock (&self->pending_lock);

    GST_LOG_OBJECT (self, "waiting for running time %" GST_TIME_FORMAT,
        GST_TIME_ARGS (running_time));
    ret = gst_clock_id_wait (id, NULL);

    g_mutex_lock (&self->pending_lock);
    self->sink_clock_id = NULL;
    g_mutex_unlock (&self->pending_lock);
    gst_clock_id_unref (id);
    if (ret != GST_CLOCK_UNSCHEDULED)
      return TRUE;
  }
}

/* The report of a signal made from sink data: the data as given, made
 * valid UTF-8 if it is not, so that a refusal shows what was refused. */
static GstOpenTokSignal *
sink_make_signal (const gchar * type, const gchar * to, const gchar * data,
    gsize size, gboolean retry)
{
  GstOpenTokSignal *signal;
  gchar *text;

  if (size == 0)
    text = NULL;
  else if (g_utf8_validate_len (data, size, NULL)
      && memchr (data, '\0', size) == NULL)
    text = g_strndup (data, size);
  else
    text = g_utf8_make_valid (data, size);
  signal = gst_opentok_signal_new (type, text);
  g_free (text);
  if (to != NULL && *to != '\0')
    gst_opentok_signal_set_to (signal, to);
  gst_opentok_signal_set_retry_after_reconnect (signal, retry);
  return signal;
}

/* Sink data is text: UTF-8 with no NUL byte (a signal's data is a C
 * string). The rest of OpenTok's rules are gst_opentok_signal_validate()'s. */
static gboolean
sink_check_text (const gchar * data, gsize size, GError ** error)
{
  const gchar *nul, *end = data + size;

  if (size == 0)
    return TRUE;
  nul = memchr (data, '\0', size);
  if (nul == NULL && g_utf8_validate_len (data, size, &end))
    return TRUE;
  g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_INVALID, "The signal data has %s at offset %"
      G_GSIZE_FORMAT "; signal data must be text.", nul != NULL &&
      nul < end ? "a NUL byte" : "a byte that is not UTF-8",
      (gsize) ((nul != NULL && nul < end ? nul : end) - data));
  return FALSE;
}

/* Sends one signal of the sink pad with the element's type and target;
 * @data need not be NUL-terminated. */
static void
sink_send_data (GstSignalBin * self, const gchar * data, gsize size)
{
  gchar *type, *to;
  gboolean retry;
  GError *error = NULL;
  SendOp *op;

  GST_OBJECT_LOCK (self);
  type = g_strdup (self->signal_type);
  to = g_strdup (self->signal_to);
  retry = self->retry_after_reconnect;
  GST_OBJECT_UNLOCK (self);

  op = send_op_new (self, SEND_ORIGIN_BUFFER, NULL);
  op->from_sink = TRUE;
  pending_add (self, TRUE);
  send_op_set_signal (op, sink_make_signal (type, to, data, size, retry));

  if (sink_check_text (data, size, &error))
    gst_opentok_signal_validate (op->signal, &error);
  g_free (type);
  g_free (to);
  if (error != NULL) {
    send_op_finish (op, error);
    g_error_free (error);
    return;
  }
  sink_send_op (self, op);
}

static void
sink_send_structure (GstSignalBin * self, const GstStructure * structure)
{
  SendOp *op = send_op_new (self, SEND_ORIGIN_EVENT, NULL);
  GError *error = NULL;

  op->from_sink = TRUE;
  pending_add (self, TRUE);
  if (!send_op_prepare (op, structure, &error)) {
    send_op_finish (op, error);
    g_error_free (error);
    return;
  }
  sink_send_op (self, op);
}

/* A sink-format=json line or buffer that is not a signal: refused (400),
 * with the offending text as its data. */
static void
sink_refuse_json (GstSignalBin * self, const gchar * text, gsize size,
    guint64 offset, const gchar * why)
{
  SendOp *op = send_op_new (self, SEND_ORIGIN_BUFFER, NULL);
  gchar *shown = g_utf8_make_valid (text, size);
  GError *error;

  op->from_sink = TRUE;
  pending_add (self, TRUE);
  op->report = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "data", G_TYPE_STRING, shown, NULL);
  g_free (shown);
  error = g_error_new (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_INVALID, "The sink-format=json input at byte "
      "%" G_GUINT64_FORMAT " is not a signal: %s", offset, why);
  send_op_finish (op, error);
  g_error_free (error);
}

/* Reads @name of @object into @field of @s: a string, or null or absent
 * for none. */
static gboolean
json_take_string (JsonObject * object, const gchar * name, GstStructure * s)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  gst_structure_set (s, name, G_TYPE_STRING, json_node_get_string (node), NULL);
  return TRUE;
}

/* Sends one signal given as a JSON object (sink-format=json). */
static void
sink_send_json (GstSignalBin * self, const gchar * text, gsize size,
    guint64 offset)
{
  JsonParser *parser = json_parser_new ();
  GstStructure *structure = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonNode *root;
  gchar *why = NULL;
  SendOp *op;

  if (!json_parser_load_from_data (parser, text, size, &error)) {
    why = g_strdup (error->message);
    g_clear_error (&error);
    goto refuse;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    why = g_strdup ("not a JSON object");
    goto refuse;
  }
  object = json_node_get_object (root);
  structure = gst_structure_new_empty (GST_OPENTOK_SIGNAL_STRUCTURE_NAME);
  if (!json_take_string (object, "type", structure)
      || !json_take_string (object, "data", structure)
      || !json_take_string (object, "to", structure)) {
    why = g_strdup ("\"type\", \"data\" and \"to\" must be strings");
    goto refuse;
  }
  g_object_unref (parser);

  op = send_op_new (self, SEND_ORIGIN_BUFFER, NULL);
  op->from_sink = TRUE;
  pending_add (self, TRUE);
  if (!send_op_prepare (op, structure, &error)) {
    send_op_finish (op, error);
    g_error_free (error);
  } else {
    sink_send_op (self, op);
  }
  gst_structure_free (structure);
  return;

refuse:
  g_object_unref (parser);
  if (structure != NULL)
    gst_structure_free (structure);
  sink_refuse_json (self, text, size, offset, why);
  g_free (why);
}

/* One line, or one buffer: a signal in the sink-format. */
static void
sink_send (GstSignalBin * self, const gchar * data, gsize size, guint64 offset)
{
  GstSignalBinSinkFormat format;

  GST_OBJECT_LOCK (self);
  format = self->sink_format;
  GST_OBJECT_UNLOCK (self);

  if (format == GST_SIGNAL_BIN_SINK_FORMAT_JSON)
    sink_send_json (self, data, size, offset);
  else
    sink_send_data (self, data, size);
}

/* Sends the unfinished text line, if any. */
static void
sink_flush_line (GstSignalBin * self)
{
  if (self->line->len > 0 && !self->discarding)
    sink_send (self, (const gchar *) self->line->data, self->line->len,
        self->line_offset);
  g_byte_array_set_size (self->line, 0);
  self->discarding = FALSE;
}

static void
sink_take_line (GstSignalBin * self)
{
  guint len = self->line->len;

  if (len > 0 && self->line->data[len - 1] == '\r')
    len--;
  if (len > 0)
    sink_send (self, (const gchar *) self->line->data, len, self->line_offset);
  g_byte_array_set_size (self->line, 0);
}

/* Appends to the unfinished line; a line longer than any signal's data is
 * reported once, with its beginning, and skipped up to its end, so memory
 * stays bounded. */
static void
sink_append_line (GstSignalBin * self, const guint8 * data, gsize size)
{
  GError *error;
  gchar *type;
  SendOp *op;

  if (self->discarding || size == 0)
    return;

  /* one byte more for a '\r' before the '\n' */
  if (self->line->len + size <= GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1) {
    g_byte_array_append (self->line, data, size);
    return;
  }

  GST_OBJECT_LOCK (self);
  type = g_strdup (self->signal_type);
  GST_OBJECT_UNLOCK (self);
  op = send_op_new (self, SEND_ORIGIN_BUFFER, NULL);
  op->from_sink = TRUE;
  pending_add (self, TRUE);
  send_op_set_signal (op, sink_make_signal (type, NULL,
          (const gchar *) self->line->data, self->line->len, FALSE));
  g_free (type);
  g_byte_array_set_size (self->line, 0);
  self->discarding = TRUE;

  error = g_error_new (GST_OPENTOK_SIGNAL_ERROR,
      GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE,
      "A line of text longer than %u bytes was dropped (its beginning is "
      "shown): the data of a signal is limited to %u bytes.",
      GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH, GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH);
  send_op_finish (op, error);
  g_error_free (error);
}

/* Splits text into lines; @offset is the stream offset of @data. */
static void
sink_handle_text (GstSignalBin * self, const guint8 * data, gsize size,
    guint64 offset)
{
  const guint8 *start = data, *end = data + size, *nl;

  while (data < end) {
    if (self->line->len == 0 && !self->discarding)
      self->line_offset = offset + (data - start);
    nl = memchr (data, '\n', end - data);
    if (nl == NULL) {
      sink_append_line (self, data, end - data);
      break;
    }
    sink_append_line (self, data, nl - data);
    if (self->discarding) {
      g_byte_array_set_size (self->line, 0);
      self->discarding = FALSE;
    } else {
      sink_take_line (self);
    }
    data = nl + 1;
  }
}

/* The text of a `text/x-raw, format=pango-markup` buffer, as demuxers and
 * subparse give subtitles: entities decoded, tags dropped. */
static void
markup_text (GMarkupParseContext * context, const gchar * text,
    gsize text_len, gpointer user_data, GError ** error)
{
  g_string_append_len (user_data, text, text_len);
}

static gchar *
markup_to_text (const gchar * data, gsize size, gsize * text_size)
{
  static const GMarkupParser parser = { NULL, NULL, markup_text, NULL, NULL };
  GMarkupParseContext *context;
  GString *text = g_string_new (NULL);
  gboolean ok;

  context = g_markup_parse_context_new (&parser, 0, text, NULL);
  ok = g_markup_parse_context_parse (context, "<markup>", -1, NULL)
      && g_markup_parse_context_parse (context, data, size, NULL)
      && g_markup_parse_context_parse (context, "</markup>", -1, NULL)
      && g_markup_parse_context_end_parse (context, NULL);
  g_markup_parse_context_free (context);
  if (!ok) {
    /* not markup after all: the text as it is */
    g_string_truncate (text, 0);
    g_string_append_len (text, data, size);
  }
  *text_size = text->len;
  return g_string_free (text, FALSE);
}

static GstFlowReturn
gst_signal_bin_sink_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstSignalBin *self = GST_SIGNAL_BIN (parent);
  GstMapInfo map;

  if (!sink_wait_for_room (self) || !sink_wait_clock (self, buffer)) {
    gst_buffer_unref (buffer);
    return GST_FLOW_FLUSHING;
  }

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("Could not map a buffer"));
    return GST_FLOW_ERROR;
  }

  if (self->markup) {
    /* a whole subtitle per buffer: its last line goes with it */
    gsize size;
    gchar *text = markup_to_text ((const gchar *) map.data, map.size, &size);

    sink_handle_text (self, (const guint8 *) text, size, self->offset);
    sink_flush_line (self);
    g_free (text);
  } else if (self->text_mode) {
    sink_handle_text (self, map.data, map.size, self->offset);
    /* a timed buffer (a demuxer's or subparse's subtitle) is whole; bytes
     * (filesrc, fdsrc: a BYTES segment, whose first buffer has a PTS of 0)
     * carry a line over */
    if (self->sink_segment.format == GST_FORMAT_TIME
        && GST_BUFFER_PTS_IS_VALID (buffer))
      sink_flush_line (self);
  } else {
    sink_send (self, (const gchar *) map.data, map.size, self->offset);
  }
  self->offset += map.size;
  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;
}

/* Whether @caps are text, one signal per line, and whether that text is
 * Pango markup. */
static gboolean
is_text_caps (GstCaps * caps, gboolean * markup)
{
  GstStructure *s;
  const gchar *format;

  *markup = FALSE;
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (!gst_structure_has_name (s, "text/x-raw"))
    return FALSE;
  format = gst_structure_get_string (s, "format");
  *markup = g_strcmp0 (format, "pango-markup") == 0;
  return format == NULL || *markup || g_strcmp0 (format, "utf8") == 0;
}

static gboolean
gst_signal_bin_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstSignalBin *self = GST_SIGNAL_BIN (parent);
  const GstStructure *s;
  GstCaps *caps;
  gboolean text, markup;

  GST_LOG_OBJECT (pad, "event %" GST_PTR_FORMAT, event);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:
      gst_event_parse_caps (event, &caps);
      text = is_text_caps (caps, &markup);
      if ((!text || markup) && self->text_mode)
        sink_flush_line (self);
      self->text_mode = text;
      self->markup = markup;
      GST_DEBUG_OBJECT (self, "%s: %" GST_PTR_FORMAT,
          text ? "one signal per line" : "one signal per buffer", caps);
      break;
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &self->sink_segment);
      break;
    case GST_EVENT_EOS:
      sink_flush_line (self);
      if (sink_drain (self))
        gst_signal_bin_post_eos (self, gst_event_get_seqnum (event));
      break;
    case GST_EVENT_FLUSH_START:
      sink_set_flushing (self, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      sink_set_flushing (self, FALSE);
      g_byte_array_set_size (self->line, 0);
      self->discarding = FALSE;
      self->offset = 0;
      gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);
      GST_OBJECT_LOCK (self);
      self->eos_posted = FALSE;
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      s = gst_event_get_structure (event);
      if (GST_EVENT_IS_SERIALIZED (event) && s != NULL
          && gst_structure_has_name (s, GST_OPENTOK_SIGNAL_STRUCTURE_NAME)) {
        sink_send_structure (self, s);
      } else if (s != NULL && gst_structure_has_name (s,
              GST_OPENTOK_SIGNAL_STRUCTURE_NAME)) {
        send_structure (self, s, NULL, SEND_ORIGIN_EVENT);
      }
      break;
  }

  /* nothing goes further: the src pad carries received signals only */
  gst_event_unref (event);
  return TRUE;
}

static GstIterator *
gst_signal_bin_sink_iterate_internal_links (GstPad * pad, GstObject * parent)
{
  /* the sink pad is linked to nothing inside */
  return gst_iterator_new_single (GST_TYPE_PAD, NULL);
}

/* The streaming thread stopped: forget its stream. */
void
gst_signal_bin_sink_stopped (GstSignalBin * self)
{
  g_byte_array_set_size (self->line, 0);
  self->discarding = FALSE;
  self->text_mode = FALSE;
  self->markup = FALSE;
  self->offset = 0;
  gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);
}

GstPad *
gst_signal_bin_sink_pad_new (GstSignalBin * self, GstPadTemplate * templ)
{
  GstPad *pad = gst_pad_new_from_template (templ, "sink");

  g_queue_init (&self->sink_queue);
  self->sink_state = SINK_CLOSED;
  self->line = g_byte_array_new ();
  gst_segment_init (&self->sink_segment, GST_FORMAT_TIME);

  gst_pad_set_chain_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_sink_chain));
  gst_pad_set_event_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_sink_event));
  gst_pad_set_iterate_internal_links_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_sink_iterate_internal_links));
  return pad;
}

void
gst_signal_bin_sink_clear (GstSignalBin * self)
{
  g_byte_array_unref (self->line);
}
