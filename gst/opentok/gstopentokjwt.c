/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The JWT codec client tokens and REST credentials share: HS256 signing,
 * encoding, and decoding with the checks every OpenTok project JWT must
 * pass (structure, header, signature, `iss` and `ist`). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstopentokjwt-private.h"
#include "gstopentokcredential-private.h"
#include "gstopentokerror.h"
#include "gstopentoktoken.h"
#include "gstopentok-private.h"

#define JWT_ALGORITHM "HS256"
#define ISSUER_TYPE_PROJECT "project"

/* Our JWT payloads are flat objects (depth 1); the SDK's Vonage tokens
 * reach depth 3. Anything deeper is refused before json-glib sees it. */
#define MAX_JSON_DEPTH 16

/* Returns a new reference to the object, or NULL. The text is parsed as
 * all JSON from the network is (gst_opentok_json_parse ()), with a smaller
 * depth limit. */
static JsonObject *
parse_json_object (const gchar * text, gsize len)
{
  JsonNode *root;
  JsonObject *object = NULL;

  root = gst_opentok_json_parse (text, len, MAX_JSON_DEPTH, NULL);
  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (root))
    object = json_object_ref (json_node_get_object (root));
  json_node_unref (root);
  return object;
}

gboolean
gst_opentok_jwt_node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
gst_opentok_jwt_node_is_number (JsonNode * node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* @value is NULL when the claim is absent. */
gboolean
gst_opentok_jwt_claim_get_string (JsonObject * claims, const gchar * what,
    const gchar * name, const gchar ** value, GError ** error)
{
  JsonNode *node = json_object_get_member (claims, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!gst_opentok_jwt_node_is_string (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s claim \"%s\" is not a string", what, name);
    return FALSE;
  }
  *value = json_node_get_string (node);
  return TRUE;
}

/* A time in unix seconds: a JSON integer, or a double (rounded down). */
gboolean
gst_opentok_jwt_claim_get_time (JsonObject * claims, const gchar * what,
    const gchar * name, gboolean * present, gint64 * value, GError ** error)
{
  JsonNode *node = json_object_get_member (claims, name);
  gint64 result;

  *present = FALSE;
  *value = 0;
  if (node == NULL)
    return TRUE;
  if (!gst_opentok_jwt_node_is_number (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s claim \"%s\" is not a number", what, name);
    return FALSE;
  }

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);

    if (!isfinite (d) || d < 0 || d > (gdouble) GST_OPENTOK_CREDENTIAL_MAX_TIME)
      goto out_of_range;
    result = (gint64) d;        /* d >= 0: truncation rounds down */
  } else {
    result = json_node_get_int (node);
    if (result < 0 || result > GST_OPENTOK_CREDENTIAL_MAX_TIME)
      goto out_of_range;
  }

  *present = TRUE;
  *value = result;
  return TRUE;

out_of_range:
  g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
      GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
      "%s claim \"%s\" is not a valid time", what, name);
  return FALSE;
}

static gchar *
jwt_signature (const gchar * secret, const gchar * signing_input, gsize len)
{
  GHmac *hmac;
  guint8 digest[32];
  gsize digest_len = sizeof (digest);
  gchar *signature;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret,
      strlen (secret));
  g_hmac_update (hmac, (const guchar *) signing_input, len);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);

  signature = gst_opentok_base64url_encode (digest, digest_len);
  memset (digest, 0, sizeof (digest));
  return signature;
}

/* Opens the claims object with the members every project JWT starts with,
 * in the server SDKs' order; the caller adds its own and closes it. */
void
gst_opentok_jwt_begin_claims (JsonBuilder * builder, const gchar * api_key,
    gint64 iat, gint64 exp)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "iss");
  json_builder_add_string_value (builder, api_key);
  json_builder_set_member_name (builder, "ist");
  json_builder_add_string_value (builder, ISSUER_TYPE_PROJECT);
  json_builder_set_member_name (builder, "iat");
  json_builder_add_int_value (builder, iat);
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, exp);
}

/* Signs a JSON object as an HS256 JWT. Takes ownership of @claims. */
gchar *
gst_opentok_jwt_encode (JsonNode * claims, const gchar * api_secret)
{
  JsonBuilder *builder;
  JsonNode *header;
  gchar *header_json, *claims_json, *header_b64, *claims_b64;
  gchar *signing_input, *signature, *jwt;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "alg");
  json_builder_add_string_value (builder, JWT_ALGORITHM);
  json_builder_set_member_name (builder, "typ");
  json_builder_add_string_value (builder, "JWT");
  json_builder_end_object (builder);
  header = json_builder_get_root (builder);
  g_object_unref (builder);

  header_json = gst_opentok_json_to_string (header, NULL);
  claims_json = gst_opentok_json_to_string (claims, NULL);
  json_node_unref (header);
  json_node_unref (claims);

  header_b64 = gst_opentok_base64url_encode ((const guint8 *) header_json,
      strlen (header_json));
  claims_b64 = gst_opentok_base64url_encode ((const guint8 *) claims_json,
      strlen (claims_json));
  signing_input = g_strconcat (header_b64, ".", claims_b64, NULL);
  signature = jwt_signature (api_secret, signing_input, strlen (signing_input));
  jwt = g_strconcat (signing_input, ".", signature, NULL);

  g_free (header_json);
  g_free (claims_json);
  g_free (header_b64);
  g_free (claims_b64);
  g_free (signing_input);
  g_free (signature);
  return jwt;
}

static JsonObject *
jwt_decode_part (const gchar * part, gsize len)
{
  JsonObject *object;
  guint8 *decoded;
  gsize decoded_len;

  decoded = gst_opentok_base64_decode_strict (part, len,
      GST_OPENTOK_BASE64_URL, &decoded_len);
  if (decoded == NULL)
    return NULL;
  object = parse_json_object ((const gchar *) decoded, decoded_len);
  g_free (decoded);
  return object;
}

/* Checks the structure, header, API key and signature of an HS256 JWT
 * and returns a new reference to its claims. */
JsonObject *
gst_opentok_jwt_decode (const gchar * jwt, const gchar * what,
    const gchar * api_key, const gchar * api_secret, GError ** error)
{
  JsonObject *header = NULL, *claims = NULL;
  JsonNode *node;
  const gchar *first_dot, *second_dot, *p, *signature, *iss;
  gchar *expected = NULL, *quoted;
  gsize len, signature_len, expected_len;
  guint dots = 0;

  len = strlen (jwt);
  if (len == 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED, "%s is empty", what);
    goto failed;
  }
  if (len > GST_OPENTOK_TOKEN_MAX_LENGTH) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED, "%s is longer than %d bytes",
        what, GST_OPENTOK_TOKEN_MAX_LENGTH);
    goto failed;
  }

  first_dot = second_dot = NULL;
  for (p = jwt; *p != '\0'; p++) {
    if (*p != '.')
      continue;
    dots++;
    if (first_dot == NULL)
      first_dot = p;
    else if (second_dot == NULL)
      second_dot = p;
  }
  if (dots != 2) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s is not a JWT: it has %u parts instead of 3", what, dots + 1);
    goto failed;
  }

  header = jwt_decode_part (jwt, first_dot - jwt);
  if (header == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s header is not a base64url-encoded JSON object", what);
    goto failed;
  }
  node = json_object_get_member (header, "alg");
  if (node == NULL || !gst_opentok_jwt_node_is_string (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s header does not name a signing algorithm", what);
    goto failed;
  }
  if (g_strcmp0 (json_node_get_string (node), JWT_ALGORITHM) != 0) {
    quoted = gst_opentok_credential_quote (json_node_get_string (node));
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s is signed with algorithm %s; only HS256 is accepted", what, quoted);
    g_free (quoted);
    goto failed;
  }
  if (json_object_has_member (header, "crit")) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s header has critical extensions, which are not supported", what);
    goto failed;
  }

  signature = second_dot + 1;
  signature_len = len - (signature - jwt);
  expected = jwt_signature (api_secret, jwt, second_dot - jwt);
  expected_len = strlen (expected);
  if (signature_len != expected_len ||
      !gst_opentok_credential_equal (signature, expected, expected_len)) {
    /* A token made for another project is the likely cause: say so. */
    claims = jwt_decode_part (first_dot + 1, second_dot - first_dot - 1);
    node = claims ? json_object_get_member (claims, "iss") : NULL;
    if (node != NULL && gst_opentok_jwt_node_is_string (node) &&
        g_strcmp0 (json_node_get_string (node), api_key) != 0) {
      quoted = gst_opentok_credential_quote (json_node_get_string (node));
      g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
          "%s was issued for API key %s, not \"%s\"", what, quoted, api_key);
      g_free (quoted);
    } else {
      g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
          "%s signature does not match the API secret", what);
    }
    goto failed;
  }

  claims = jwt_decode_part (first_dot + 1, second_dot - first_dot - 1);
  if (claims == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s payload is not a base64url-encoded JSON object", what);
    goto failed;
  }

  if (!gst_opentok_jwt_claim_get_string (claims, what, "iss", &iss, error))
    goto failed;
  if (iss == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s has no issuer (\"iss\" claim)", what);
    goto failed;
  }
  if (strcmp (iss, api_key) != 0) {
    quoted = gst_opentok_credential_quote (iss);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "%s was issued for API key %s, not \"%s\"", what, quoted, api_key);
    g_free (quoted);
    goto failed;
  }
  if (!gst_opentok_jwt_claim_get_string (claims, what, "ist", &iss, error))
    goto failed;
  if (g_strcmp0 (iss, ISSUER_TYPE_PROJECT) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s issuer type (\"ist\" claim) is not \"project\"", what);
    goto failed;
  }

  g_free (expected);
  json_object_unref (header);
  return claims;

failed:
  g_free (expected);
  if (header != NULL)
    json_object_unref (header);
  if (claims != NULL)
    json_object_unref (claims);
  return NULL;
}
