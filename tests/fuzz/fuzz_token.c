/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Client token verifier: gst_opentok_token_verify() with a fixed API key,
 * secret, session and time. A signature cannot be guessed, so the first
 * byte of the input chooses what the rest is:
 *
 *   0  the token itself (structure, base64, header: what anyone can reach)
 *   1  the claims JSON of a JWT, signed here with the standard header
 *   2  header JSON, a 0x00 byte, claims JSON of a JWT signed here
 *   3  the data form of a T1 token, signed here
 *   4  extra head fields, a 0x00 byte, the data form of a T1 signed here
 *
 * Bit 3 of the first byte (0x08) verifies without a session to match, so
 * that session ids other than the fixed one are read too. An accepted
 * token must respect what verification promises, and a token minted with
 * what it grants must be accepted and grant the same. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>

#include "fuzz-common.h"

static gchar *
sign_t1 (const gchar * head, gsize head_len, const gchar * form, gsize form_len)
{
  gchar *sig, *plain, *encoded, *token;
  gsize plain_len;

  sig = g_compute_hmac_for_data (G_CHECKSUM_SHA1,
      (const guchar *) FUZZ_API_SECRET, strlen (FUZZ_API_SECRET),
      (const guchar *) form, form_len);
  plain = g_strdup_printf ("partner_id=" FUZZ_API_KEY "&sig=%s%s%.*s:", sig,
      head_len > 0 ? "&" : "", (gint) head_len, head);
  plain_len = strlen (plain);
  plain = g_realloc (plain, plain_len + form_len);
  memcpy (plain + plain_len, form, form_len);
  encoded = g_base64_encode ((const guchar *) plain, plain_len + form_len);
  token = g_strconcat ("T1==", encoded, NULL);
  g_free (sig);
  g_free (plain);
  g_free (encoded);
  return token;
}

/* Splits @data at its first 0x00 byte (the second part is empty without
 * one). */
static void
split (const gchar * data, gsize size, gsize * first_len,
    const gchar ** second, gsize * second_len)
{
  const gchar *nul = memchr (data, '\0', size);

  *first_len = nul ? (gsize) (nul - data) : size;
  *second = nul ? nul + 1 : data + size;
  *second_len = size - (*second - data);
}

static void
check_token (GstOpenTokToken * token, const gchar * session_id)
{
  const gchar *data, *layout, *sid;
  GstOpenTokToken *again;
  GstOpenTokRole role;
  gchar *minted;
  gint64 expire_time;

  FUZZ_CHECK (g_strcmp0 (gst_opentok_token_get_api_key (token),
          FUZZ_API_KEY) == 0);
  sid = gst_opentok_token_get_session_id (token);
  FUZZ_CHECK (sid != NULL && *sid != '\0');
  FUZZ_CHECK (session_id == NULL || strcmp (sid, session_id) == 0);
  expire_time = gst_opentok_token_get_expire_time (token);
  FUZZ_CHECK (expire_time > FUZZ_NOW);
  role = gst_opentok_token_get_role (token);
  FUZZ_CHECK (gst_opentok_role_to_string (role) != NULL);
  data = gst_opentok_token_get_connection_data (token);
  FUZZ_CHECK (data != NULL && g_utf8_validate (data, -1, NULL));
  FUZZ_CHECK (g_utf8_strlen (data, -1) <=
      GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH);
  layout = gst_opentok_token_get_initial_layout_class_list (token);
  FUZZ_CHECK (layout != NULL && g_utf8_validate (layout, -1, NULL));

  /* What the token grants can be granted again, by a token we make. Minting
   * reads the system clock: only tokens still valid now are made. */
  minted = gst_opentok_token_mint (gst_opentok_token_get_format (token),
      FUZZ_API_KEY, FUZZ_API_SECRET, sid, role, expire_time, data, NULL);
  if (minted == NULL)
    return;
  again = gst_opentok_token_verify (minted, FUZZ_API_KEY, FUZZ_API_SECRET,
      sid, 0, NULL);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (gst_opentok_token_get_format (again) ==
      gst_opentok_token_get_format (token));
  FUZZ_CHECK (strcmp (gst_opentok_token_get_session_id (again), sid) == 0);
  FUZZ_CHECK (gst_opentok_token_get_role (again) == role);
  FUZZ_CHECK (gst_opentok_token_get_expire_time (again) == expire_time);
  FUZZ_CHECK (strcmp (gst_opentok_token_get_connection_data (again),
          data) == 0);
  gst_opentok_token_unref (again);
  g_free (minted);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const gchar *text = (const gchar *) data + 1, *second;
  const gchar *session_id;
  GstOpenTokToken *token;
  GError *error = NULL;
  gsize len, first_len, second_len;
  gchar *candidate;

  fuzz_init ();

  if (size < 1)
    return 0;
  len = size - 1;
  session_id = (data[0] & 0x08) ? NULL : FUZZ_SESSION_ID;

  switch (data[0] & 0x07) {
    case 1:
      candidate =
          fuzz_sign_jwt ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27, text, len);
      break;
    case 2:
      split (text, len, &first_len, &second, &second_len);
      candidate = fuzz_sign_jwt (text, first_len, second, second_len);
      break;
    case 3:
      candidate = sign_t1 ("", 0, text, len);
      break;
    case 4:
      split (text, len, &first_len, &second, &second_len);
      candidate = sign_t1 (text, first_len, second, second_len);
      break;
    default:
      /* a token comes in an HTTP header or a Rumor header: no NUL */
      candidate = g_strndup (text, len);
      break;
  }

  token = gst_opentok_token_verify (candidate, FUZZ_API_KEY, FUZZ_API_SECRET,
      session_id, FUZZ_NOW, &error);
  if (token != NULL) {
    FUZZ_CHECK (error == NULL);
    check_token (token, session_id);
    gst_opentok_token_unref (token);
  } else {
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_TOKEN_ERROR);
    FUZZ_CHECK (strstr (error->message, FUZZ_API_SECRET) == NULL);
    g_error_free (error);
  }
  g_free (candidate);
  return 0;
}
