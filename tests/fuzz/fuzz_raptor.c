/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Raptor JSON reader: gst_opentok_raptor_message_parse() on the payload of
 * a Rumor MESSAGE. What an accepted message writes (and so sends on) must
 * be read again, to the same message, and written the same way. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>

#include "fuzz-common.h"

static void
check_message (GstOpenTokRaptorMessage * message)
{
  GstOpenTokRaptorMessage *again;
  GError *error = NULL;
  const gchar *resource;
  gchar *text, *text_again;
  GBytes *bytes;
  gsize length;

  FUZZ_CHECK (*gst_opentok_raptor_message_get_method (message) != '\0');
  FUZZ_CHECK (gst_opentok_raptor_message_get_uri (message)[0] == '/');
  FUZZ_CHECK (*gst_opentok_raptor_message_get_version (message) != '\0');
  resource = gst_opentok_raptor_message_get_resource (message);
  FUZZ_CHECK (resource != NULL && *resource != '\0');
  FUZZ_CHECK (gst_opentok_raptor_message_get_param (message, resource) != NULL);
  FUZZ_CHECK (gst_opentok_raptor_message_get_content (message) != NULL);

  text = gst_opentok_raptor_message_to_string (message);
  length = strlen (text);
  bytes = gst_opentok_raptor_message_to_bytes (message);
  FUZZ_CHECK (g_bytes_get_size (bytes) == length);
  FUZZ_CHECK (memcmp (g_bytes_get_data (bytes, NULL), text, length) == 0);
  g_bytes_unref (bytes);

  again = gst_opentok_raptor_message_parse (text, length, &error);
  if (again == NULL) {
    g_printerr ("written message not read again (%s): %s\n", error->message,
        text);
    FUZZ_CHECK (again != NULL);
  }
  FUZZ_CHECK (g_strcmp0 (gst_opentok_raptor_message_get_method (again),
          gst_opentok_raptor_message_get_method (message)) == 0);
  FUZZ_CHECK (g_strcmp0 (gst_opentok_raptor_message_get_uri (again),
          gst_opentok_raptor_message_get_uri (message)) == 0);
  FUZZ_CHECK (g_strcmp0 (gst_opentok_raptor_message_get_reason (again),
          gst_opentok_raptor_message_get_reason (message)) == 0);
  text_again = gst_opentok_raptor_message_to_string (again);
  FUZZ_CHECK (g_strcmp0 (text, text_again) == 0);

  g_free (text_again);
  g_free (text);
  gst_opentok_raptor_message_unref (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstOpenTokRaptorMessage *message;
  GError *error = NULL;

  fuzz_init ();

  message = gst_opentok_raptor_message_parse ((const gchar *) data, size,
      &error);
  if (message != NULL) {
    FUZZ_CHECK (error == NULL);
    check_message (message);
    gst_opentok_raptor_message_unref (message);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_PROTOCOL_ERROR);
    g_error_free (error);
  }
  return 0;
}
