/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The src pad of signalbin, a live sparse stream: every received signal is
 * a buffer stamped with the running time of its arrival and lasting
 * src-duration; while none arrives, GAP events move the stream on with the
 * clock, so that overlays, muxers and aggregators never wait for a signal.
 * The pad's task pushes; the network thread only queues. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <json-glib/json-glib.h>

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug

/* Received signals the src pad holds while downstream does not take them;
 * past it, the oldest is dropped. */
#define MAX_SRC_BUFFERS 1024
/* How far behind the clock the stream may be while no signal arrives: a
 * GAP event at least this often, and the latency the pad reports. */
#define GAP_INTERVAL (40 * GST_MSECOND)
#define SRC_LATENCY (2 * GAP_INTERVAL)

/* The caps @format may take, preferred first: JSON can travel as text, so
 * that a muxer's subtitle track takes it. */
GstCaps *
src_format_caps (GstSignalBinSrcFormat format)
{
  GstCaps *caps = gst_caps_new_simple ("text/x-raw", "format", G_TYPE_STRING,
      "utf8", NULL);

  if (format == GST_SIGNAL_BIN_SRC_FORMAT_JSON)
    caps = gst_caps_merge (gst_caps_new_empty_simple ("application/json"),
        caps);
  return caps;
}

/* The running time of now on the element's clock, or NONE when the element
 * has no clock or is not PLAYING. Called with the object lock held. */
static GstClockTime
running_time_now_locked (GstSignalBin * self)
{
  GstClock *clock = GST_ELEMENT_CLOCK (self);
  GstClockTime now, base_time;

  if (clock == NULL || GST_STATE (self) != GST_STATE_PLAYING)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base_time = GST_ELEMENT_CAST (self)->base_time;
  return now > base_time ? now - base_time : 0;
}

static GstBuffer *
signal_to_buffer (GstOpenTokSignal * signal, GstSignalBinSrcFormat format)
{
  const gchar *data = gst_opentok_signal_get_data (signal);
  const gchar *type = gst_opentok_signal_get_signal_type (signal);
  JsonBuilder *builder;
  JsonGenerator *generator;
  JsonNode *root;
  GString *out;
  gsize len;

  if (format == GST_SIGNAL_BIN_SRC_FORMAT_JSON) {
    builder = json_builder_new ();
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "type");
    json_builder_add_string_value (builder, type ? type : "");
    json_builder_set_member_name (builder, "data");
    json_builder_add_string_value (builder, data ? data : "");
    json_builder_set_member_name (builder, "from");
    if (gst_opentok_signal_get_from (signal) != NULL)
      json_builder_add_string_value (builder,
          gst_opentok_signal_get_from (signal));
    else
      json_builder_add_null_value (builder);
    json_builder_set_member_name (builder, "fromSelf");
    json_builder_add_boolean_value (builder,
        gst_opentok_signal_is_from_self (signal));
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    generator = json_generator_new ();
    json_generator_set_root (generator, root);
    out = g_string_new (NULL);
    json_generator_to_gstring (generator, out);
    json_node_unref (root);
    g_object_unref (generator);
    g_object_unref (builder);
  } else {
    out = g_string_new (data ? data : "");
  }
  g_string_append_c (out, '\n');
  len = out->len;
  return gst_buffer_new_wrapped (g_string_free (out, FALSE), len);
}

/* Queues a received signal for the src pad. Called from the network
 * thread. */
void
src_push_signal (GstSignalBin * self, GstOpenTokSignal * signal)
{
  GstSignalBinSrcFormat format;
  GstClockTime arrival, duration;
  GstBuffer *buffer, *dropped = NULL;

  const gchar *type = gst_opentok_signal_get_signal_type (signal);
  gboolean wanted;

  GST_OBJECT_LOCK (self);
  format = self->src_format;
  duration = self->src_duration;
  arrival = running_time_now_locked (self);
  wanted = (self->src_include_self || !gst_opentok_signal_is_from_self
      (signal)) && (self->src_types == NULL
      || g_strv_contains ((const gchar * const *) self->src_types,
          type ? type : ""));
  GST_OBJECT_UNLOCK (self);

  if (!wanted) {
    GST_LOG_OBJECT (self, "signal of type \"%s\" not for the src pad",
        type ? type : "");
    return;
  }

  buffer = signal_to_buffer (signal, format);
  GST_BUFFER_PTS (buffer) = arrival;
  GST_BUFFER_DURATION (buffer) = duration;

  g_mutex_lock (&self->src_lock);
  if (!self->src_running || self->src_eos) {
    g_mutex_unlock (&self->src_lock);
    gst_buffer_unref (buffer);
    return;
  }
  if (g_queue_get_length (&self->src_queue) >= MAX_SRC_BUFFERS)
    dropped = g_queue_pop_head (&self->src_queue);
  g_queue_push_tail (&self->src_queue, buffer);
  if (self->src_clock_id != NULL)
    gst_clock_id_unschedule (self->src_clock_id);
  g_cond_broadcast (&self->src_cond);
  g_mutex_unlock (&self->src_lock);

  if (dropped != NULL) {
    GST_WARNING_OBJECT (self, "src pad not read: dropped the oldest of %u "
        "received signals", MAX_SRC_BUFFERS);
    gst_buffer_unref (dropped);
  }
}

/* GAP events move on with the clock only in PLAYING. */
void
src_set_playing (GstSignalBin * self, gboolean playing)
{
  g_mutex_lock (&self->src_lock);
  self->src_playing = playing;
  if (self->src_clock_id != NULL)
    gst_clock_id_unschedule (self->src_clock_id);
  g_cond_broadcast (&self->src_cond);
  g_mutex_unlock (&self->src_lock);
}

/* The stream ends once the signals already queued are pushed. */
void
src_end (GstSignalBin * self)
{
  g_mutex_lock (&self->src_lock);
  self->src_eos = TRUE;
  if (self->src_clock_id != NULL)
    gst_clock_id_unschedule (self->src_clock_id);
  g_cond_broadcast (&self->src_cond);
  g_mutex_unlock (&self->src_lock);
}

/* Chooses the caps of the stream among those src-format may take, from
 * what downstream accepts, and sends them. Returns FALSE, with an element
 * error naming the property, when downstream takes none. */
static gboolean
src_negotiate (GstSignalBin * self)
{
  GstSignalBinSrcFormat format;
  GstCaps *caps, *peer;
  GEnumValue *value;
  gchar *wanted, *taken;
  guint i;

  GST_OBJECT_LOCK (self);
  format = self->src_format;
  GST_OBJECT_UNLOCK (self);

  caps = src_format_caps (format);
  if (gst_pad_is_linked (self->srcpad)) {
    GstCaps *chosen = NULL;

    peer = gst_pad_peer_query_caps (self->srcpad, NULL);
    for (i = 0; i < gst_caps_get_size (caps) && chosen == NULL; i++) {
      chosen = gst_caps_copy_nth (caps, i);
      if (!gst_caps_can_intersect (chosen, peer))
        gst_clear_caps (&chosen);
    }
    if (chosen == NULL) {
      value = g_enum_get_value (g_type_class_peek
          (GST_TYPE_SIGNAL_BIN_SRC_FORMAT), format);
      wanted = gst_caps_to_string (caps);
      taken = gst_caps_to_string (peer);
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("src-format=%s makes %s, which the element linked to the src pad "
              "does not take.", value->value_nick, wanted),
          ("downstream takes %s", taken));
      g_free (wanted);
      g_free (taken);
      gst_caps_unref (peer);
      gst_caps_unref (caps);
      return FALSE;
    }
    gst_caps_unref (peer);
    gst_caps_unref (caps);
    caps = chosen;
  }
  caps = gst_caps_truncate (caps);
  GST_DEBUG_OBJECT (self, "src caps %" GST_PTR_FORMAT, caps);
  gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  return TRUE;
}

static gboolean
src_push_stream_start (GstSignalBin * self)
{
  GstSegment segment;
  gchar *id;

  id = gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self), NULL);
  gst_pad_push_event (self->srcpad, gst_event_new_stream_start (id));
  g_free (id);
  if (!src_negotiate (self))
    return FALSE;
  /* live: buffers carry running times */
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (self->srcpad, gst_event_new_segment (&segment));
  return TRUE;
}

/* Waits, with src_lock held, until the clock reaches the end of the next
 * GAP; returns the running time reached, or NONE when woken for something
 * else. */
static GstClockTime
src_wait_gap_locked (GstSignalBin * self)
{
  GstClockTime base_time, target, now = GST_CLOCK_TIME_NONE;
  GstClockReturn ret;
  GstClock *clock;
  GstClockID id;

  GST_OBJECT_LOCK (self);
  clock = GST_ELEMENT_CLOCK (self) ? gst_object_ref (GST_ELEMENT_CLOCK
      (self)) : NULL;
  base_time = GST_ELEMENT_CAST (self)->base_time;
  GST_OBJECT_UNLOCK (self);

  if (clock == NULL) {
    g_cond_wait (&self->src_cond, &self->src_lock);
    return GST_CLOCK_TIME_NONE;
  }

  target = self->src_position + GAP_INTERVAL;
  id = gst_clock_new_single_shot_id (clock, base_time + target);
  self->src_clock_id = id;
  g_mutex_unlock (&self->src_lock);
  ret = gst_clock_id_wait (id, NULL);
  g_mutex_lock (&self->src_lock);
  self->src_clock_id = NULL;
  gst_clock_id_unref (id);

  if (ret == GST_CLOCK_OK || ret == GST_CLOCK_EARLY) {
    now = gst_clock_get_time (clock);
    now = now > base_time ? now - base_time : 0;
  }
  gst_object_unref (clock);
  return now;
}

/* Stops the task, dropping what it was about to push. */
static void
src_pause (GstSignalBin * self, GstBuffer * buffer, GstEvent * event)
{
  if (buffer != NULL)
    gst_buffer_unref (buffer);
  if (event != NULL)
    gst_event_unref (event);
  gst_pad_pause_task (self->srcpad);
}

static void
src_loop (gpointer data)
{
  GstSignalBin *self = data;
  GstBuffer *buffer = NULL;
  GstEvent *event = NULL;
  GstClockTime now, end;
  GstFlowReturn ret;

  g_mutex_lock (&self->src_lock);
  if (self->src_running && !self->src_started) {
    self->src_started = TRUE;
    g_mutex_unlock (&self->src_lock);
    if (!src_push_stream_start (self))
      gst_pad_pause_task (self->srcpad);
    return;
  }

  while (self->src_running && buffer == NULL && event == NULL) {
    if ((buffer = g_queue_pop_head (&self->src_queue)) != NULL)
      break;
    if (self->src_eos) {
      event = gst_event_new_eos ();
      break;
    }
    if (!self->src_playing) {
      g_cond_wait (&self->src_cond, &self->src_lock);
      continue;
    }
    now = src_wait_gap_locked (self);
    if (GST_CLOCK_TIME_IS_VALID (now) && now > self->src_position
        && self->src_running && g_queue_is_empty (&self->src_queue)) {
      event = gst_event_new_gap (self->src_position, now - self->src_position);
      self->src_last_start = now;
      self->src_position = now;
    }
  }

  if (!self->src_running) {
    g_mutex_unlock (&self->src_lock);
    src_pause (self, buffer, event);
    return;
  }

  if (buffer != NULL) {
    /* stamped after the last thing pushed, and at the first PLAYING for a
     * signal that arrived before */
    if (!GST_BUFFER_PTS_IS_VALID (buffer)
        || GST_BUFFER_PTS (buffer) < self->src_last_start)
      GST_BUFFER_PTS (buffer) = self->src_last_start;
    self->src_last_start = GST_BUFFER_PTS (buffer);
    end = GST_BUFFER_PTS (buffer);
    if (GST_BUFFER_DURATION_IS_VALID (buffer))
      end += GST_BUFFER_DURATION (buffer);
    self->src_position = MAX (self->src_position, end);
  }
  g_mutex_unlock (&self->src_lock);

  /* linked, or relinked, since the caps were chosen */
  if (gst_pad_check_reconfigure (self->srcpad) && !src_negotiate (self)) {
    src_pause (self, buffer, event);
    return;
  }

  if (buffer != NULL) {
    GST_LOG_OBJECT (self, "pushing a signal at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (GST_BUFFER_PTS (buffer)));
    ret = gst_pad_push (self->srcpad, buffer);
    if (ret != GST_FLOW_OK && ret != GST_FLOW_NOT_LINKED)
      GST_DEBUG_OBJECT (self, "received signal not pushed: %s",
          gst_flow_get_name (ret));
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    GST_DEBUG_OBJECT (self, "end of the src stream");
    gst_pad_push_event (self->srcpad, event);
    gst_pad_pause_task (self->srcpad);
  } else {
    gst_pad_push_event (self->srcpad, event);
  }
}

static gboolean
gst_signal_bin_src_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  GstSignalBin *self = GST_SIGNAL_BIN (parent);
  GQueue dropped;

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;

  g_mutex_lock (&self->src_lock);
  self->src_running = active;
  if (active) {
    self->src_started = FALSE;
    self->src_eos = FALSE;
    self->src_position = 0;
    self->src_last_start = 0;
  } else if (self->src_clock_id != NULL) {
    gst_clock_id_unschedule (self->src_clock_id);
  }
  dropped = self->src_queue;
  g_queue_init (&self->src_queue);
  g_cond_broadcast (&self->src_cond);
  g_mutex_unlock (&self->src_lock);
  g_queue_clear_full (&dropped, (GDestroyNotify) gst_buffer_unref);

  if (active)
    return gst_pad_start_task (pad, src_loop, self, NULL);
  return gst_pad_stop_task (pad);
}

static gboolean
gst_signal_bin_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstSignalBin *self = GST_SIGNAL_BIN (parent);
  GstSignalBinSrcFormat format;
  GstCaps *caps, *filter, *result;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_LATENCY:
      gst_query_set_latency (query, TRUE, SRC_LATENCY, GST_CLOCK_TIME_NONE);
      return TRUE;
    case GST_QUERY_CAPS:
      GST_OBJECT_LOCK (self);
      format = self->src_format;
      GST_OBJECT_UNLOCK (self);
      caps = gst_pad_get_current_caps (pad);
      if (caps == NULL)
        caps = src_format_caps (format);
      gst_query_parse_caps (query, &filter);
      if (filter != NULL) {
        result = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = result;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

static gboolean
gst_signal_bin_src_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  gboolean handled = GST_EVENT_TYPE (event) != GST_EVENT_SEEK;

  /* upstream events stop here: a live stream cannot seek */
  gst_event_unref (event);
  return handled;
}

GstPad *
gst_signal_bin_src_pad_new (GstSignalBin * self, GstPadTemplate * templ)
{
  GstPad *pad = gst_pad_new_from_template (templ, "src");

  g_mutex_init (&self->src_lock);
  g_cond_init (&self->src_cond);
  g_queue_init (&self->src_queue);
  gst_pad_set_activatemode_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_src_activate_mode));
  gst_pad_set_query_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_src_query));
  gst_pad_set_event_function (pad,
      GST_DEBUG_FUNCPTR (gst_signal_bin_src_event));
  return pad;
}

void
gst_signal_bin_src_clear (GstSignalBin * self)
{
  g_queue_clear_full (&self->src_queue, (GDestroyNotify) gst_buffer_unref);
  g_mutex_clear (&self->src_lock);
  g_cond_clear (&self->src_cond);
}
