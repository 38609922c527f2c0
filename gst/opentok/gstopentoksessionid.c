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

#include <string.h>

#include "gstopentoksessionid.h"
#include "gstopentokcredential-private.h"

/**
 * SECTION:gstopentoksessionid
 * @title: Session ids
 * @short_description: making session ids and reading their API key
 *
 * Session ids are made as `"1_"` followed by the unpadded base64url of
 * `1~KEY~~CREATE_TIME_MS~RANDOM_HEX~` and read as the Node SDK reads them,
 * so that a client token can be checked against the project a session
 * belongs to.
 */

#define MAX_SESSION_ID_LENGTH 4096

static gboolean
is_printable_ascii (const gchar * text, gsize len)
{
  gsize i;

  for (i = 0; i < len; i++) {
    if (text[i] < 0x21 || text[i] > 0x7e)
      return FALSE;
  }
  return TRUE;
}

/**
 * gst_opentok_session_id_new:
 * @api_key: the project's API key; it must not contain `~`
 *
 * Makes a new session id for @api_key: `"1_"` followed by the unpadded
 * base64url of `1~API_KEY~~CREATE_TIME_MS~RANDOM~`, where RANDOM is 18
 * random hex digits. It contains neither `/`, `+` nor `=`, so it can stand
 * in a URI path, and the official server SDKs read @api_key back from it.
 *
 * Returns: (transfer full): the session id
 *
 * Since: 0.1
 */
gchar *
gst_opentok_session_id_new (const gchar * api_key)
{
  gchar *plain, *encoded, *session_id;
  gchar random_hex[19];
  guint i;

  g_return_val_if_fail (api_key != NULL && api_key[0] != '\0', NULL);
  g_return_val_if_fail (strchr (api_key, '~') == NULL, NULL);

  for (i = 0; i < 18; i += 2)
    g_snprintf (random_hex + i, 3, "%02x", g_random_int_range (0, 256));
  plain = g_strdup_printf ("1~%s~~%" G_GINT64_FORMAT "~%s~", api_key,
      g_get_real_time () / 1000, random_hex);
  encoded = gst_opentok_base64url_encode ((const guint8 *) plain,
      strlen (plain));
  session_id = g_strconcat ("1_", encoded, NULL);
  g_free (plain);
  g_free (encoded);
  return session_id;
}

/**
 * gst_opentok_session_id_get_api_key:
 * @session_id: a session id
 * @error: return location for a #GError in the %GST_OPENTOK_TOKEN_ERROR
 *     domain
 *
 * Reads the API key a session id belongs to, the way the official server
 * SDKs do: drop the first two characters, base64-decode the rest (the
 * base64url and the standard alphabets, padding optional) and take the
 * second `~`-separated field. Unlike the SDKs, text that is not base64 or
 * an empty or non-printable key is refused
 * (%GST_OPENTOK_TOKEN_ERROR_MALFORMED).
 *
 * Returns: (transfer full) (nullable): the API key, or %NULL with @error
 *     set
 *
 * Since: 0.1
 */
gchar *
gst_opentok_session_id_get_api_key (const gchar * session_id, GError ** error)
{
  guint8 *decoded = NULL;
  gchar *api_key = NULL;
  const gchar *key, *end;
  gsize len, decoded_len;

  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (session_id);
  if (len > MAX_SESSION_ID_LENGTH) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id is longer than %d bytes", MAX_SESSION_ID_LENGTH);
    goto out;
  }
  if (len < 3 || !is_printable_ascii (session_id, len)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id is not an OpenTok session id");
    goto out;
  }

  /* Like the server SDKs: drop the 2-character prefix ("1_", "2_"). */
  decoded = gst_opentok_base64_decode_strict (session_id + 2, len - 2,
      GST_OPENTOK_BASE64_ANY, &decoded_len);
  if (decoded == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id is not base64url-encoded after its 2-character prefix");
    goto out;
  }

  /* The API key is the second '~'-separated field. */
  key = memchr (decoded, '~', decoded_len);
  end = NULL;
  if (key != NULL) {
    key++;
    end = memchr (key, '~', decoded_len - (key - (const gchar *) decoded));
    if (end == NULL)
      end = (const gchar *) decoded + decoded_len;
  }
  if (key == NULL || end == key || !is_printable_ascii (key, end - key)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id does not contain an API key");
    goto out;
  }

  api_key = g_strndup (key, end - key);

out:
  g_free (decoded);
  return api_key;
}
