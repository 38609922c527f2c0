/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What every credential shares: its debug category, strict base64, a
 * constant-time comparison, and how untrusted values and times are shown
 * in error messages. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentokcredential-private.h"

/* Longest value quoted back in an error message. */
#define MAX_QUOTED_LENGTH 40

GstDebugCategory *
gst_opentok_credential_debug_get_category (void)
{
  static GstDebugCategory *category = NULL;

  if (g_once_init_enter (&category)) {
    GstDebugCategory *cat = NULL;

    GST_DEBUG_CATEGORY_INIT (cat, "opentoktoken", 0,
        "OpenTok tokens, session ids and REST credentials");
    g_once_init_leave (&category, cat);
  }
  return category;
}

gint64
gst_opentok_credential_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A short, printable rendering of untrusted text for error messages. */
gchar *
gst_opentok_credential_quote (const gchar * value)
{
  gchar *prefix, *escaped, *quoted;
  gsize len = strlen (value);

  prefix = g_strndup (value, MIN (len, MAX_QUOTED_LENGTH));
  escaped = g_strescape (prefix, NULL);
  quoted = g_strdup_printf ("\"%s%s\"", escaped,
      len > MAX_QUOTED_LENGTH ? "..." : "");
  g_free (escaped);
  g_free (prefix);
  return quoted;
}

gchar *
gst_opentok_credential_format_time (gint64 unix_time)
{
  GDateTime *dt = NULL;
  gchar *text;

  if (unix_time >= 0 && unix_time <= GST_OPENTOK_CREDENTIAL_MAX_TIME)
    dt = g_date_time_new_from_unix_utc (unix_time);
  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);
  text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref (dt);
  return text;
}

/* For signatures: the time taken does not tell how much of @a matched. */
gboolean
gst_opentok_credential_equal (const gchar * a, const gchar * b, gsize len)
{
  guint8 diff = 0;
  gsize i;

  for (i = 0; i < len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

/* base64 */

/* Unpadded, as JWTs and session ids carry it. */
gchar *
gst_opentok_base64url_encode (const guint8 * data, gsize len)
{
  gchar *text = g_base64_encode (data, len);
  gchar *p;

  for (p = text; *p != '\0'; p++) {
    if (*p == '+') {
      *p = '-';
    } else if (*p == '/') {
      *p = '_';
    } else if (*p == '=') {
      *p = '\0';
      break;
    }
  }
  return text;
}

/* g_base64_decode() skips characters it does not know; network input is
 * checked here first. Padding is optional; when present it must be right.
 * Only the canonical spelling is accepted (unused trailing bits zero).
 * Returns a NUL-terminated buffer (the NUL is not counted in @out_len), or
 * NULL. */
guint8 *
gst_opentok_base64_decode_strict (const gchar * text, gsize len,
    GstOpenTokBase64Alphabet alphabet, gsize * out_len)
{
  gchar *standard;
  guint8 *decoded, *result;
  gsize i, data_len = len, decoded_len;

  while (data_len > 0 && text[data_len - 1] == '=' && len - data_len < 2)
    data_len--;
  if (data_len < len && len % 4 != 0)
    return NULL;
  if (data_len % 4 == 1)
    return NULL;

  standard = g_malloc (data_len + 4);
  for (i = 0; i < data_len; i++) {
    gchar c = text[i];

    if (g_ascii_isalnum (c)) {
      standard[i] = c;
    } else if ((c == '+' || c == '/') && alphabet != GST_OPENTOK_BASE64_URL) {
      standard[i] = c;
    } else if (c == '-' && alphabet != GST_OPENTOK_BASE64_STANDARD) {
      standard[i] = '+';
    } else if (c == '_' && alphabet != GST_OPENTOK_BASE64_STANDARD) {
      standard[i] = '/';
    } else {
      g_free (standard);
      return NULL;
    }
  }
  /* Bits past the last byte must be zero: one token, one spelling. */
  if (data_len % 4 != 0) {
    const gchar *digits =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    gint last = strchr (digits, standard[data_len - 1]) - digits;

    if ((last & (data_len % 4 == 2 ? 0x0f : 0x03)) != 0) {
      g_free (standard);
      return NULL;
    }
  }
  while (i % 4 != 0)
    standard[i++] = '=';
  standard[i] = '\0';

  if (i == 0) {
    decoded = NULL;
    decoded_len = 0;
  } else {
    decoded = g_base64_decode (standard, &decoded_len);
  }
  g_free (standard);

  result = g_malloc (decoded_len + 1);
  if (decoded_len > 0)
    memcpy (result, decoded, decoded_len);
  result[decoded_len] = '\0';
  g_free (decoded);

  *out_len = decoded_len;
  return result;
}
