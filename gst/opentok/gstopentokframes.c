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

#include "gstopentokframes.h"
#include "gstopentok-private.h"

#define GST_CAT_DEFAULT (gst_opentok_debug_get_category ())

GstOpenTokRumorFrame *
gst_opentok_frame_new_raptor (const gchar * to, const gchar * from,
    const gchar * transaction_id, GBytes * payload)
{
  GstOpenTokRumorFrame *frame;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, to);
  gst_opentok_rumor_frame_set_header (frame, "Content-Type",
      "application/x-raptor+v2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", from);
  gst_opentok_rumor_frame_set_payload (frame, payload);
  return frame;
}

GstOpenTokRumorFrame *
gst_opentok_frame_new_status (const gchar * to, const gchar * from,
    const gchar * transaction_id, guint status, const gchar * body)
{
  GstOpenTokRumorFrame *frame;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  gst_opentok_rumor_frame_add_address (frame, to);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", transaction_id);
  if (status != 0) {
    gchar code[12];

    g_snprintf (code, sizeof (code), "%u", status);
    gst_opentok_rumor_frame_set_header (frame, "STATUS", code);
  }
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", from);
  if (body != NULL)
    gst_opentok_rumor_frame_take_payload_string (frame, g_strdup (body));
  return frame;
}

GBytes *
gst_opentok_frame_finish (GstOpenTokRumorFrame * frame, gpointer object)
{
  GError *error = NULL;
  GBytes *bytes;

  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  if (bytes == NULL) {
    GST_ERROR_OBJECT (object, "could not serialize a frame: %s",
        error->message);
    g_error_free (error);
  }
  gst_opentok_rumor_frame_unref (frame);
  return bytes;
}
