/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Session id reader: gst_opentok_session_id_get_api_key() on a session id
 * from a URL, a token or a Raptor URI. The key read is printable ASCII and
 * never empty; and a session id made for a key (the input read as a key)
 * gives that key back. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>

#include "fuzz-common.h"

static gboolean
is_printable_key (const gchar * key)
{
  const gchar *p;

  if (*key == '\0')
    return FALSE;
  for (p = key; *p != '\0'; p++) {
    if (*p < 0x21 || *p > 0x7e || *p == '~')
      return FALSE;
  }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *error = NULL;
  gchar *text, *key, *session_id;

  fuzz_init ();

  text = g_strndup ((const gchar *) data, size);

  key = gst_opentok_session_id_get_api_key (text, &error);
  if (key != NULL) {
    const gchar *p;

    FUZZ_CHECK (error == NULL && *key != '\0');
    FUZZ_CHECK (strlen (text) <= 4096);
    for (p = key; *p != '\0'; p++)
      FUZZ_CHECK (*p >= 0x21 && *p <= 0x7e);
    g_free (key);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_TOKEN_ERROR);
    g_error_free (error);
  }

  if (is_printable_key (text) && strlen (text) <= 1024) {
    session_id = gst_opentok_session_id_new (text);
    key = gst_opentok_session_id_get_api_key (session_id, NULL);
    FUZZ_CHECK (g_strcmp0 (key, text) == 0);
    g_free (key);
    g_free (session_id);
  }

  g_free (text);
  return 0;
}
