/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Rumor frame decoder: gst_opentok_rumor_frame_parse() on one WebSocket
 * message. An accepted frame must serialize back to the same bytes (the
 * two reserved bytes aside, which are written as zeros), and changing a
 * parsed frame must keep it consistent. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>

#include "fuzz-common.h"

static void
check_frame (GstOpenTokRumorFrame * frame, const guint8 * data, gsize size)
{
  GBytes *out, *payload;
  const guint8 *bytes;
  const gchar *key, *value;
  gsize out_size;
  guint i, n;

  out = gst_opentok_rumor_frame_serialize (frame, NULL);
  FUZZ_CHECK (out != NULL);
  bytes = g_bytes_get_data (out, &out_size);
  FUZZ_CHECK (out_size == size);
  FUZZ_CHECK (memcmp (bytes, data, 4) == 0);
  FUZZ_CHECK (bytes[4] == 0 && bytes[5] == 0);
  FUZZ_CHECK (memcmp (bytes + 6, data + 6, size - 6) == 0);
  g_bytes_unref (out);

  n = gst_opentok_rumor_frame_get_n_addresses (frame);
  for (i = 0; i < n; i++) {
    const gchar *address = gst_opentok_rumor_frame_get_address (frame, i);

    FUZZ_CHECK (address != NULL && g_utf8_validate (address, -1, NULL));
  }
  FUZZ_CHECK (gst_opentok_rumor_frame_get_address (frame, n) == NULL);

  n = gst_opentok_rumor_frame_get_n_headers (frame);
  for (i = 0; i < n; i++) {
    FUZZ_CHECK (gst_opentok_rumor_frame_get_nth_header (frame, i, &key,
            &value));
    FUZZ_CHECK (key != NULL && value != NULL);
    FUZZ_CHECK (gst_opentok_rumor_frame_get_header (frame, key) != NULL);
  }
  FUZZ_CHECK (!gst_opentok_rumor_frame_get_nth_header (frame, n, NULL, NULL));

  payload = gst_opentok_rumor_frame_get_payload (frame);
  FUZZ_CHECK (payload != NULL && g_bytes_get_size (payload) <= size);

  /* Strings of a parsed frame live in its own block; replacing one must
   * free only what was allocated separately. */
  if (n > 0 && gst_opentok_rumor_frame_get_nth_header (frame, 0, &key, NULL)) {
    gchar *first = g_strdup (key);

    gst_opentok_rumor_frame_set_header (frame, first, "fuzz");
    FUZZ_CHECK (g_strcmp0 (gst_opentok_rumor_frame_get_header (frame, first),
            "fuzz") == 0);
    g_free (first);
  }
  gst_opentok_rumor_frame_set_header (frame, "X-FUZZ", NULL);
  gst_opentok_rumor_frame_add_address (frame, "fuzz");
  out = gst_opentok_rumor_frame_serialize (frame, NULL);
  /* 256 addresses or headers are refused, everything else is written */
  FUZZ_CHECK (out != NULL || gst_opentok_rumor_frame_get_n_addresses (frame)
      > 255 || gst_opentok_rumor_frame_get_n_headers (frame) > 255);
  if (out != NULL)
    g_bytes_unref (out);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;
  GBytes *bytes;

  fuzz_init ();

  bytes = g_bytes_new (data, size);
  frame = gst_opentok_rumor_frame_parse (bytes, 0, &error);
  if (frame != NULL) {
    FUZZ_CHECK (error == NULL);
    FUZZ_CHECK (size <= GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE);
    check_frame (frame, data, size);
    gst_opentok_rumor_frame_unref (frame);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_PROTOCOL_ERROR);
    FUZZ_CHECK (size <= GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE ||
        error->code == GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
    g_error_free (error);
  }
  g_bytes_unref (bytes);
  return 0;
}
