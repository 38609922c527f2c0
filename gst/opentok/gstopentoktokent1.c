/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Client tokens in the legacy T1 format: "T1==" and the base64 of
 * "partner_id=KEY&sig=HEX:DATA", DATA a URL-encoded form signed with
 * HMAC-SHA1, read and written as the Node SDK 2.23.2 writes them. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentoktoken-private.h"
#include "gstopentokcredential-private.h"

static gchar *
url_decode (const gchar * text, gsize len)
{
  GString *out = g_string_sized_new (len);
  gsize i;

  for (i = 0; i < len; i++) {
    gchar c = text[i];

    if (c == '+') {
      g_string_append_c (out, ' ');
    } else if (c == '%') {
      gint high, low;

      if (i + 2 >= len)
        goto invalid;
      high = g_ascii_xdigit_value (text[i + 1]);
      low = g_ascii_xdigit_value (text[i + 2]);
      if (high < 0 || low < 0 || (high == 0 && low == 0))
        goto invalid;
      g_string_append_c (out, (gchar) ((high << 4) | low));
      i += 2;
    } else {
      g_string_append_c (out, c);
    }
  }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    goto invalid;
  return g_string_free (out, FALSE);

invalid:
  g_string_free (out, TRUE);
  return NULL;
}

/* Parses "k=v&k=v" into a table of decoded strings. Empty fields are
 * skipped; a repeated name is refused. */
static GHashTable *
parse_form (const gchar * text, gsize len, GError ** error)
{
  GHashTable *fields;
  const gchar *p = text, *end = text + len;
  gchar *quoted;

  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  while (p < end) {
    const gchar *amp, *eq;
    gchar *name, *value;

    amp = memchr (p, '&', end - p);
    if (amp == NULL)
      amp = end;
    if (amp == p) {
      p++;
      continue;
    }
    eq = memchr (p, '=', amp - p);
    if (eq == NULL)
      eq = amp;

    name = url_decode (p, eq - p);
    value = eq < amp ? url_decode (eq + 1, amp - eq - 1) : g_strdup ("");
    if (name == NULL || value == NULL) {
      g_free (name);
      g_free (value);
      g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_MALFORMED,
          "Token has a badly URL-encoded field");
      goto failed;
    }
    if (g_hash_table_contains (fields, name)) {
      quoted = gst_opentok_credential_quote (name);
      g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_MALFORMED,
          "Token has field %s more than once", quoted);
      g_free (quoted);
      g_free (name);
      g_free (value);
      goto failed;
    }
    g_hash_table_insert (fields, name, value);
    p = amp + 1;
  }
  return fields;

failed:
  g_hash_table_unref (fields);
  return NULL;
}

static gboolean
form_get_time (GHashTable * fields, const gchar * name, gboolean * present,
    gint64 * value, GError ** error)
{
  const gchar *text = g_hash_table_lookup (fields, name);
  guint64 result;

  *present = FALSE;
  *value = 0;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_isdigit (text[0]) ||
      !g_ascii_string_to_unsigned (text, 10, 0, GST_OPENTOK_CREDENTIAL_MAX_TIME,
          &result, NULL)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token field \"%s\" is not a valid time", name);
    return FALSE;
  }
  *present = TRUE;
  *value = (gint64) result;
  return TRUE;
}

GstOpenTokToken *
gst_opentok_token_verify_t1 (const gchar * text, const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, gint64 now,
    GError ** error)
{
  GstOpenTokToken *token = NULL;
  GHashTable *head = NULL, *fields = NULL;
  guint8 *decoded = NULL;
  const gchar *colon, *partner_id, *sig, *data, *scope;
  gchar *expected = NULL, *quoted;
  gsize decoded_len, data_len;
  gboolean has_expire_time, has_create_time;
  gint64 expire_time, create_time;

  decoded =
      gst_opentok_base64_decode_strict (text +
      strlen (GST_OPENTOK_TOKEN_T1_PREFIX),
      strlen (text) - strlen (GST_OPENTOK_TOKEN_T1_PREFIX),
      GST_OPENTOK_BASE64_STANDARD, &decoded_len);
  if (decoded == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Token is not base64-encoded after its \"T1==\" prefix");
    goto out;
  }
  if (memchr (decoded, '\0', decoded_len) != NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED, "Token contains a NUL byte");
    goto out;
  }
  colon = memchr (decoded, ':', decoded_len);
  if (colon == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Token has no \":\" between its signature and its data");
    goto out;
  }

  head = parse_form ((const gchar *) decoded, colon - (const gchar *) decoded,
      error);
  if (head == NULL)
    goto out;
  partner_id = g_hash_table_lookup (head, "partner_id");
  sig = g_hash_table_lookup (head, "sig");
  if (partner_id == NULL || sig == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Token lacks its \"partner_id\" or \"sig\" field");
    goto out;
  }
  if (strcmp (partner_id, api_key) != 0) {
    quoted = gst_opentok_credential_quote (partner_id);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "Token was issued for API key %s, not \"%s\"", quoted, api_key);
    g_free (quoted);
    goto out;
  }

  data = colon + 1;
  data_len = decoded_len - (data - (const gchar *) decoded);
  expected = g_compute_hmac_for_data (G_CHECKSUM_SHA1,
      (const guchar *) api_secret, strlen (api_secret),
      (const guchar *) data, data_len);
  /* Lower-case hex, as every SDK writes it: one token, one spelling. */
  if (strlen (sig) != strlen (expected) ||
      !gst_opentok_credential_equal (sig, expected, strlen (expected))) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
        "Token signature does not match the API secret");
    goto out;
  }

  fields = parse_form (data, data_len, error);
  if (fields == NULL)
    goto out;

  scope = g_hash_table_lookup (fields, "scope");
  if (scope != NULL && strcmp (scope, GST_OPENTOK_TOKEN_SCOPE_CONNECT) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token scope is not \"" GST_OPENTOK_TOKEN_SCOPE_CONNECT "\"");
    goto out;
  }
  if (!form_get_time (fields, "expire_time", &has_expire_time, &expire_time,
          error) ||
      !form_get_time (fields, "create_time", &has_create_time, &create_time,
          error))
    goto out;
  if (!has_expire_time) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token has no expiry time (\"expire_time\" field)");
    goto out;
  }

  token = gst_opentok_token_new (GST_OPENTOK_TOKEN_FORMAT_T1, api_key);
  token->session_id = g_strdup (g_hash_table_lookup (fields, "session_id"));
  token->connection_data =
      g_strdup (g_hash_table_lookup (fields, "connection_data"));
  token->initial_layout_class_list =
      g_strdup (g_hash_table_lookup (fields, "initial_layout_class_list"));
  token->expire_time = expire_time;
  token->create_time = create_time;

  if (!gst_opentok_token_check_claims (token, g_hash_table_lookup (fields,
              "role"), api_key, session_id, now, error)) {
    gst_opentok_token_unref (token);
    token = NULL;
  }

out:
  if (head != NULL)
    g_hash_table_unref (head);
  if (fields != NULL)
    g_hash_table_unref (fields);
  g_free (decoded);
  g_free (expected);
  return token;
}

/* Node's querystring.escape(): everything but A-Z a-z 0-9 - _ . ! ~ * ' ( )
 * is percent-encoded, as UTF-8 bytes. */
static void
append_form_value (GString * out, const gchar * value)
{
  const guchar *p;

  for (p = (const guchar *) value; *p != '\0'; p++) {
    if (g_ascii_isalnum (*p) || strchr ("-_.!~*'()", *p) != NULL)
      g_string_append_c (out, *p);
    else
      g_string_append_printf (out, "%%%02X", *p);
  }
}

static void
append_form_field (GString * out, const gchar * name, const gchar * value)
{
  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append (out, name);
  g_string_append_c (out, '=');
  append_form_value (out, value);
}

/* The shortest text that reads back as @value, like JavaScript prints. */
static gchar *
format_double (gdouble value)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  gint precision;

  for (precision = 15; precision < 17; precision++) {
    gchar format[8];

    g_snprintf (format, sizeof (format), "%%.%dg", precision);
    g_ascii_formatd (buf, sizeof (buf), format, value);
    if (g_ascii_strtod (buf, NULL) == value)
      return g_strdup (buf);
  }
  g_ascii_formatd (buf, sizeof (buf), "%.17g", value);
  return g_strdup (buf);
}

gchar *
gst_opentok_token_mint_t1 (const gchar * api_key, const gchar * api_secret,
    const gchar * session_id, const gchar * role, gint64 now,
    gint64 expire_time, const gchar * connection_data, gdouble nonce)
{
  GString *data = g_string_new (NULL);
  gchar *number, *sig, *plain, *encoded, *token;

  append_form_field (data, "session_id", session_id);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  append_form_field (data, "create_time", number);
  g_free (number);
  number = format_double (nonce);
  append_form_field (data, "nonce", number);
  g_free (number);
  append_form_field (data, "role", role);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, expire_time);
  append_form_field (data, "expire_time", number);
  g_free (number);
  if (connection_data != NULL)
    append_form_field (data, "connection_data", connection_data);
  append_form_field (data, "initial_layout_class_list", "");
  append_form_field (data, "scope", GST_OPENTOK_TOKEN_SCOPE_CONNECT);

  sig = g_compute_hmac_for_data (G_CHECKSUM_SHA1, (const guchar *) api_secret,
      strlen (api_secret), (const guchar *) data->str, data->len);
  plain = g_strdup_printf ("partner_id=%s&sig=%s:%s", api_key, sig, data->str);
  encoded = g_base64_encode ((const guchar *) plain, strlen (plain));
  token = g_strconcat (GST_OPENTOK_TOKEN_T1_PREFIX, encoded, NULL);

  g_string_free (data, TRUE);
  g_free (sig);
  g_free (plain);
  g_free (encoded);
  return token;
}
