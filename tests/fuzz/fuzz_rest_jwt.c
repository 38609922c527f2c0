/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* REST credential verifier: gst_opentok_rest_jwt_verify() on an
 * X-OPENTOK-AUTH header, with a fixed API key, secret and time. The first
 * byte of the input chooses what the rest is:
 *
 *   0  the JWT itself
 *   1  the claims JSON, signed here with the standard header
 *   2  header JSON, a 0x00 byte, claims JSON, signed here */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const gchar *text = (const gchar *) data + 1, *nul;
  GError *error = NULL;
  gchar *jwt;
  gsize len;

  fuzz_init ();

  if (size < 1)
    return 0;
  len = size - 1;

  switch (data[0] % 3) {
    case 1:
      jwt =
          fuzz_sign_jwt ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27, text, len);
      break;
    case 2:
      /* header, 0x00, claims (empty without the 0x00) */
      nul = memchr (text, '\0', len);
      if (nul != NULL)
        jwt = fuzz_sign_jwt (text, nul - text, nul + 1, len - (nul + 1 - text));
      else
        jwt = fuzz_sign_jwt (text, len, "", 0);
      break;
    default:
      jwt = g_strndup (text, len);
      break;
  }

  if (gst_opentok_rest_jwt_verify (jwt, FUZZ_API_KEY, FUZZ_API_SECRET,
          FUZZ_NOW, &error)) {
    FUZZ_CHECK (error == NULL);
    /* accepted: so is it by an SDK-compatible verifier at the same time;
     * a client token is never a REST credential */
    FUZZ_CHECK (gst_opentok_token_verify (jwt, FUZZ_API_KEY,
            FUZZ_API_SECRET, NULL, FUZZ_NOW, NULL) == NULL);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_TOKEN_ERROR);
    FUZZ_CHECK (strstr (error->message, FUZZ_API_SECRET) == NULL);
    g_error_free (error);
  }
  g_free (jwt);
  return 0;
}
