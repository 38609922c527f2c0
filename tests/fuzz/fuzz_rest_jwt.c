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

static gchar *
base64url (const gchar * data, gsize len)
{
  gchar *text = g_base64_encode ((const guchar *) data, len);
  gchar *p;

  for (p = text; *p != '\0'; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
    else if (*p == '=')
      *p = '\0';
  }
  return text;
}

static gchar *
sign_jwt (const gchar * header, gsize header_len, const gchar * claims,
    gsize claims_len)
{
  gchar *header_b64, *claims_b64, *input, *signature, *jwt;
  guint8 digest[32];
  gsize digest_len = sizeof (digest);
  GHmac *hmac;

  header_b64 = base64url (header, header_len);
  claims_b64 = base64url (claims, claims_len);
  input = g_strconcat (header_b64, ".", claims_b64, NULL);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) FUZZ_API_SECRET,
      strlen (FUZZ_API_SECRET));
  g_hmac_update (hmac, (const guchar *) input, strlen (input));
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);
  signature = base64url ((const gchar *) digest, digest_len);
  jwt = g_strconcat (input, ".", signature, NULL);
  g_free (header_b64);
  g_free (claims_b64);
  g_free (input);
  g_free (signature);
  return jwt;
}

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
      jwt = sign_jwt ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27, text, len);
      break;
    case 2:
      /* header, 0x00, claims (empty without the 0x00) */
      nul = memchr (text, '\0', len);
      if (nul != NULL)
        jwt = sign_jwt (text, nul - text, nul + 1, len - (nul + 1 - text));
      else
        jwt = sign_jwt (text, len, "", 0);
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
