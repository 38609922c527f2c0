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

/* GUriParamsIter refuses two things Node's querystring.parse() reads, and
 * T1 forms have always been read like Node: an empty field ("a=1&&b=2",
 * skipped) and a name without "=" ("a", an empty value). Rewrites them into
 * what GLib reads; nothing is decoded here. */
static GString *
form_normalize (const gchar * text, gsize len)
{
  GString *form = g_string_sized_new (len + 1);
  const gchar *p = text, *end = text + len;

  while (p < end) {
    const gchar *amp = memchr (p, '&', end - p);

    if (amp == NULL)
      amp = end;
    if (amp > p) {
      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_len (form, p, amp - p);
      if (memchr (p, '=', amp - p) == NULL)
        g_string_append_c (form, '=');
    }
    p = amp + 1;
  }
  return form;
}

/* Reads "k=v&k=v" (application/x-www-form-urlencoded, so "+" is a space)
 * into a table of decoded strings. GLib refuses a bad percent escape and
 * what does not decode to UTF-8 (a NUL included); a name found twice after
 * decoding is refused here. */
static GHashTable *
parse_form (const gchar * text, gsize len, GError ** error)
{
  GHashTable *fields;
  GUriParamsIter iter;
  GString *form;
  GError *uri_error = NULL;
  gchar *name, *value, *quoted;

  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  form = form_normalize (text, len);
  g_uri_params_iter_init (&iter, form->str, form->len, "&",
      G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &name, &value, &uri_error)) {
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
  }
  if (uri_error != NULL) {
    g_clear_error (&uri_error);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Token has a badly URL-encoded field");
    goto failed;
  }
  g_string_free (form, TRUE);
  return fields;

failed:
  g_string_free (form, TRUE);
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
  const gchar *b64, *colon, *partner_id, *sig, *data, *scope;
  gchar *expected = NULL, *quoted;
  gsize decoded_len, data_len;
  gboolean has_expire_time, has_create_time;
  gint64 expire_time, create_time;

  b64 = text + strlen (GST_OPENTOK_TOKEN_T1_PREFIX);
  decoded = gst_opentok_base64_decode_strict (b64, strlen (b64),
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

/* As Node's querystring.stringify() writes it: every byte but
 * A-Z a-z 0-9 - _ . ! ~ * ' ( ) percent-encoded (GLib keeps RFC 3986's
 * unreserved characters and the ones allowed here). */
static void
append_form_field (GString * out, const gchar * name, const gchar * value)
{
  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append (out, name);
  g_string_append_c (out, '=');
  g_string_append_uri_escaped (out, value, "!*'()", FALSE);
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
