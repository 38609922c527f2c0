/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Session-info answers: what the client reads from GET
 * {api-url}/session/{id}?extended=true, with
 * gst_opentok_session_info_parse() (internal,
 * gst/opentok/gstopentoksessioninfo.c). An accepted answer gives a
 * WebSocket URL and a symphony address; a refused one an error with one of
 * the OpenTok codes opentok.js reports. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>
#include <gst/opentok/gstopentoksessioninfo.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstOpenTokSessionInfo *info;
  GError *error = NULL;

  fuzz_init ();

  info = gst_opentok_session_info_parse ((const gchar *) data, size,
      FUZZ_API_KEY, &error);
  if (info != NULL) {
    FUZZ_CHECK (error == NULL);
    FUZZ_CHECK (g_str_has_prefix (info->messaging_url, "ws://") ||
        g_str_has_prefix (info->messaging_url, "wss://"));
    FUZZ_CHECK (info->symphony_address != NULL &&
        *info->symphony_address != '\0');
    gst_opentok_session_info_free (info);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_CLIENT_ERROR);
    FUZZ_CHECK (error->code == GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION ||
        error->code == GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION ||
        error->code == GST_OPENTOK_CLIENT_ERROR_TERMS_OF_SERVICE ||
        error->code == GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE);
    FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
    g_error_free (error);
  }
  return 0;
}
