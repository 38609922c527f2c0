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

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "gstopentoktoken.h"
#include "gstopentok-private.h"

/**
 * SECTION:gstopentoktoken
 * @title: Tokens and session ids
 * @short_description: client tokens, session ids and REST credentials
 *
 * OpenTok clients prove they may join a session with a token that a server
 * SDK signed with the project's API secret. Two formats exist and both are
 * read and made here, exactly as the official Node server SDK 2.23.2 makes
 * them:
 *
 * - a JWT signed with HS256 (the SDK's default), with the claims `iss` (the
 *   API key), `ist` (`"project"`), `iat`, `exp`, `session_id`,
 *   `create_time`, `nonce`, `role`, `expire_time`, `connection_data` (when
 *   given), `initial_layout_class_list` and `scope`
 *   (`"session.connect"`);
 * - the legacy `T1==` token: `"T1=="` followed by the base64 of
 *   `partner_id=KEY&sig=HEX:DATA`, where DATA is a URL-encoded form with the
 *   same fields and HEX the HMAC-SHA1 of DATA.
 *
 * gst_opentok_token_verify() checks, in this order: the format; for a JWT
 * the header (only `HS256` is accepted: `none` and every other algorithm
 * are refused as %GST_OPENTOK_TOKEN_ERROR_MALFORMED, since they are not a
 * format OpenTok project keys sign); the API key the token names and its
 * signature; then the claims (scope, issuer type, session, embedded API key
 * of the session id, expiry, role, sizes). When the signature does not match
 * and the token names another API key, %GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY
 * is reported, because a token made for another project is the likely
 * cause. Error messages never contain the API secret, nor the token.
 *
 * Session ids are made as `"1_"` followed by the unpadded base64url of
 * `1~KEY~~CREATE_TIME_MS~RANDOM_HEX~` and read as the Node SDK reads them.
 *
 * REST calls authenticate with a short-lived HS256 JWT in the
 * `X-OPENTOK-AUTH` header, see gst_opentok_rest_jwt_new() and
 * gst_opentok_rest_jwt_verify().
 *
 * Tokens, secrets and JWTs are never logged.
 */

GST_DEBUG_CATEGORY_STATIC (gst_opentok_token_debug);
#define GST_CAT_DEFAULT gst_opentok_token_debug

#define T1_PREFIX "T1=="
#define JWT_ALGORITHM "HS256"
#define SCOPE_CONNECT "session.connect"
#define ISSUER_TYPE_PROJECT "project"

/* 9999-12-31T23:59:59Z: the last time GDateTime can show */
#define MAX_TIME G_GINT64_CONSTANT (253402300799)

#define MAX_SESSION_ID_LENGTH 4096

/* Our JWT payloads are flat objects (depth 1); the SDK's Vonage tokens
 * reach depth 3. Anything deeper is refused before json-glib sees it. */
#define MAX_JSON_DEPTH 16

/* Longest value quoted back in an error message. */
#define MAX_QUOTED_LENGTH 40

struct _GstOpenTokToken
{
  gatomicrefcount refcount;

  GstOpenTokTokenFormat format;
  gchar *api_key;
  gchar *session_id;
  GstOpenTokRole role;
  gint64 create_time;
  gint64 expire_time;
  gchar *connection_data;
  gchar *initial_layout_class_list;
};

G_DEFINE_BOXED_TYPE (GstOpenTokToken, gst_opentok_token,
    gst_opentok_token_ref, gst_opentok_token_unref);

static const gchar *const subscriber_permissions[] = {
  "subscribe", NULL
};

static const gchar *const publisher_permissions[] = {
  "publish", "subscribe", NULL
};

static const gchar *const publisher_only_permissions[] = {
  "publish", NULL
};

static const gchar *const moderator_permissions[] = {
  "publish", "subscribe", "forceunpublish", "forcedisconnect", "forcemute",
  NULL
};

static void
gst_opentok_token_debug_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_opentok_token_debug, "opentoktoken", 0,
        "OpenTok tokens, session ids and REST credentials");
    g_once_init_leave (&initialized, 1);
  }
}

static gint64
current_time (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A short, printable rendering of untrusted text for error messages. */
static gchar *
quote_value (const gchar * value)
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

static gchar *
format_time (gint64 unix_time)
{
  GDateTime *dt = NULL;
  gchar *text;

  if (unix_time >= 0 && unix_time <= MAX_TIME)
    dt = g_date_time_new_from_unix_utc (unix_time);
  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);
  text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref (dt);
  return text;
}

/* Length as JavaScript counts it (UTF-16 code units), which is how the
 * server SDKs apply their 1024 character limits. */
static gsize
utf16_length (const gchar * text)
{
  const gchar *p;
  gsize n = 0;

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    n += g_utf8_get_char (p) >= 0x10000 ? 2 : 1;
  return n;
}

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

static gboolean
equal_constant_time (const gchar * a, const gchar * b, gsize len)
{
  guint8 diff = 0;
  gsize i;

  for (i = 0; i < len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

/* base64 */

typedef enum
{
  BASE64_STANDARD,              /* A-Z a-z 0-9 + / */
  BASE64_URL,                   /* A-Z a-z 0-9 - _ */
  BASE64_ANY,                   /* both, as Node's Buffer accepts */
} Base64Alphabet;

static gchar *
base64url_encode (const guint8 * data, gsize len)
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
 * Returns a NUL-terminated buffer (the NUL is not counted in @out_len). */
static guint8 *
base64_decode_strict (const gchar * text, gsize len, Base64Alphabet alphabet,
    gsize * out_len)
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
    } else if ((c == '+' || c == '/') && alphabet != BASE64_URL) {
      standard[i] = c;
    } else if (c == '-' && alphabet != BASE64_STANDARD) {
      standard[i] = '+';
    } else if (c == '_' && alphabet != BASE64_STANDARD) {
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

/* JSON */

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

static gboolean
json_node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
json_node_is_number (JsonNode * node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* @value is NULL when the claim is absent. */
static gboolean
claim_get_string (JsonObject * claims, const gchar * what, const gchar * name,
    const gchar ** value, GError ** error)
{
  JsonNode *node = json_object_get_member (claims, name);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!json_node_is_string (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s claim \"%s\" is not a string", what, name);
    return FALSE;
  }
  *value = json_node_get_string (node);
  return TRUE;
}

/* A time in unix seconds: a JSON integer, or a double (rounded down). */
static gboolean
claim_get_time (JsonObject * claims, const gchar * what, const gchar * name,
    gboolean * present, gint64 * value, GError ** error)
{
  JsonNode *node = json_object_get_member (claims, name);
  gint64 result;

  *present = FALSE;
  *value = 0;
  if (node == NULL)
    return TRUE;
  if (!json_node_is_number (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s claim \"%s\" is not a number", what, name);
    return FALSE;
  }

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);

    if (!isfinite (d) || d < 0 || d > (gdouble) MAX_TIME)
      goto out_of_range;
    result = (gint64) d;        /* d >= 0: truncation rounds down */
  } else {
    result = json_node_get_int (node);
    if (result < 0 || result > MAX_TIME)
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

/* JWT */

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

  signature = base64url_encode (digest, digest_len);
  memset (digest, 0, sizeof (digest));
  return signature;
}

/* Signs a JSON object as an HS256 JWT. Takes ownership of @claims. */
static gchar *
jwt_encode (JsonNode * claims, const gchar * secret)
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

  header_b64 = base64url_encode ((const guint8 *) header_json,
      strlen (header_json));
  claims_b64 = base64url_encode ((const guint8 *) claims_json,
      strlen (claims_json));
  signing_input = g_strconcat (header_b64, ".", claims_b64, NULL);
  signature = jwt_signature (secret, signing_input, strlen (signing_input));
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

  decoded = base64_decode_strict (part, len, BASE64_URL, &decoded_len);
  if (decoded == NULL)
    return NULL;
  object = parse_json_object ((const gchar *) decoded, decoded_len);
  g_free (decoded);
  return object;
}

/* Checks the structure, header, API key and signature of an HS256 JWT
 * and returns a new reference to its claims. @what names the credential
 * in error messages. */
static JsonObject *
jwt_decode (const gchar * jwt, const gchar * what, const gchar * api_key,
    const gchar * api_secret, GError ** error)
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
  if (node == NULL || !json_node_is_string (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "%s header does not name a signing algorithm", what);
    goto failed;
  }
  if (g_strcmp0 (json_node_get_string (node), JWT_ALGORITHM) != 0) {
    quoted = quote_value (json_node_get_string (node));
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
      !equal_constant_time (signature, expected, expected_len)) {
    /* A token made for another project is the likely cause: say so. */
    claims = jwt_decode_part (first_dot + 1, second_dot - first_dot - 1);
    node = claims ? json_object_get_member (claims, "iss") : NULL;
    if (node != NULL && json_node_is_string (node) &&
        g_strcmp0 (json_node_get_string (node), api_key) != 0) {
      quoted = quote_value (json_node_get_string (node));
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

  if (!claim_get_string (claims, what, "iss", &iss, error))
    goto failed;
  if (iss == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "%s has no issuer (\"iss\" claim)", what);
    goto failed;
  }
  if (strcmp (iss, api_key) != 0) {
    quoted = quote_value (iss);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "%s was issued for API key %s, not \"%s\"", what, quoted, api_key);
    g_free (quoted);
    goto failed;
  }
  if (!claim_get_string (claims, what, "ist", &iss, error))
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

/* Session ids */

/* Field 1 of a decoded session id, or NULL with @error set. */
static gchar *
session_id_decode_api_key (const gchar * session_id, GError ** error)
{
  guint8 *decoded = NULL;
  gchar *api_key = NULL;
  const gchar *start, *end;
  gsize len, decoded_len;

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
  decoded = base64_decode_strict (session_id + 2, len - 2, BASE64_ANY,
      &decoded_len);
  if (decoded == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id is not base64url-encoded after its 2-character prefix");
    goto out;
  }

  /* The API key is the second '~'-separated field. */
  start = memchr (decoded, '~', decoded_len);
  end = NULL;
  if (start != NULL) {
    start++;
    end = memchr (start, '~', decoded_len - (start - (const gchar *) decoded));
    if (end == NULL)
      end = (const gchar *) decoded + decoded_len;
  }
  if (start == NULL || end == start ||
      !is_printable_ascii (start, end - start)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED,
        "Session id does not contain an API key");
    goto out;
  }

  api_key = g_strndup (start, end - start);

out:
  g_free (decoded);
  return api_key;
}

/* Roles */

/**
 * gst_opentok_role_to_string:
 * @role: a #GstOpenTokRole
 *
 * Returns: (nullable): the name OpenTok uses for @role in tokens
 *     (`subscriber`, `publisher`, `publisheronly` or `moderator`), or %NULL
 *     for a value that is not a role.
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_role_to_string (GstOpenTokRole role)
{
  switch (role) {
    case GST_OPENTOK_ROLE_SUBSCRIBER:
      return "subscriber";
    case GST_OPENTOK_ROLE_PUBLISHER:
      return "publisher";
    case GST_OPENTOK_ROLE_PUBLISHER_ONLY:
      return "publisheronly";
    case GST_OPENTOK_ROLE_MODERATOR:
      return "moderator";
    default:
      return NULL;
  }
}

/**
 * gst_opentok_role_from_string:
 * @name: (nullable): a role name, as found in a token
 * @role: (out) (optional): where to store the role
 *
 * Reads a role name. Names are case-sensitive, as in OpenTok tokens.
 *
 * Returns: %TRUE if @name is `subscriber`, `publisher`, `publisheronly` or
 *     `moderator`; %FALSE otherwise (@role is then left untouched).
 *
 * Since: 0.1
 */
gboolean
gst_opentok_role_from_string (const gchar * name, GstOpenTokRole * role)
{
  GstOpenTokRole r;

  if (name == NULL)
    return FALSE;

  for (r = GST_OPENTOK_ROLE_SUBSCRIBER; r <= GST_OPENTOK_ROLE_MODERATOR; r++) {
    if (strcmp (name, gst_opentok_role_to_string (r)) == 0) {
      if (role != NULL)
        *role = r;
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * gst_opentok_role_get_permissions:
 * @role: a #GstOpenTokRole
 *
 * The permissions a connection with @role has, as listed in its
 * `permissions` field: subscriber `subscribe`; publisher `publish` and
 * `subscribe`; publisheronly `publish`; moderator `publish`, `subscribe`,
 * `forceunpublish`, `forcedisconnect` and `forcemute`. Every role may
 * signal; no permission names it.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the
 *     permission names, or %NULL for a value that is not a role
 *
 * Since: 0.1
 */
const gchar *const *
gst_opentok_role_get_permissions (GstOpenTokRole role)
{
  switch (role) {
    case GST_OPENTOK_ROLE_SUBSCRIBER:
      return subscriber_permissions;
    case GST_OPENTOK_ROLE_PUBLISHER:
      return publisher_permissions;
    case GST_OPENTOK_ROLE_PUBLISHER_ONLY:
      return publisher_only_permissions;
    case GST_OPENTOK_ROLE_MODERATOR:
      return moderator_permissions;
    default:
      return NULL;
  }
}

/**
 * gst_opentok_role_has_permission:
 * @role: a #GstOpenTokRole
 * @permission: (nullable): a permission name, such as `forcedisconnect`
 *
 * Returns: %TRUE if @role grants @permission
 *
 * Since: 0.1
 */
gboolean
gst_opentok_role_has_permission (GstOpenTokRole role, const gchar * permission)
{
  const gchar *const *permissions = gst_opentok_role_get_permissions (role);

  if (permission == NULL || permissions == NULL)
    return FALSE;
  return g_strv_contains (permissions, permission);
}

/* Token object */

static GstOpenTokToken *
gst_opentok_token_new (GstOpenTokTokenFormat format, const gchar * api_key)
{
  GstOpenTokToken *token = g_new0 (GstOpenTokToken, 1);

  g_atomic_ref_count_init (&token->refcount);
  token->format = format;
  token->api_key = g_strdup (api_key);
  token->role = GST_OPENTOK_ROLE_PUBLISHER;
  return token;
}

/**
 * gst_opentok_token_ref:
 * @token: a #GstOpenTokToken
 *
 * Returns: (transfer full): @token, with one more reference
 *
 * Since: 0.1
 */
GstOpenTokToken *
gst_opentok_token_ref (GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, NULL);

  g_atomic_ref_count_inc (&token->refcount);
  return token;
}

/**
 * gst_opentok_token_unref:
 * @token: (transfer full): a #GstOpenTokToken
 *
 * Drops a reference; the last one frees @token.
 *
 * Since: 0.1
 */
void
gst_opentok_token_unref (GstOpenTokToken * token)
{
  g_return_if_fail (token != NULL);

  if (!g_atomic_ref_count_dec (&token->refcount))
    return;

  g_free (token->api_key);
  g_free (token->session_id);
  g_free (token->connection_data);
  g_free (token->initial_layout_class_list);
  g_free (token);
}

/**
 * gst_opentok_token_get_format:
 * @token: a #GstOpenTokToken
 *
 * Returns: whether @token was a JWT or a legacy T1 token
 *
 * Since: 0.1
 */
GstOpenTokTokenFormat
gst_opentok_token_get_format (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, GST_OPENTOK_TOKEN_FORMAT_JWT);

  return token->format;
}

/**
 * gst_opentok_token_get_api_key:
 * @token: a #GstOpenTokToken
 *
 * Returns: (transfer none): the API key @token was issued for
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_token_get_api_key (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return token->api_key;
}

/**
 * gst_opentok_token_get_session_id:
 * @token: a #GstOpenTokToken
 *
 * Returns: (transfer none): the session @token lets its holder join
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_token_get_session_id (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return token->session_id;
}

/**
 * gst_opentok_token_get_role:
 * @token: a #GstOpenTokToken
 *
 * Returns: the role @token grants (%GST_OPENTOK_ROLE_PUBLISHER when the
 *     token names none)
 *
 * Since: 0.1
 */
GstOpenTokRole
gst_opentok_token_get_role (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, GST_OPENTOK_ROLE_SUBSCRIBER);

  return token->role;
}

/**
 * gst_opentok_token_get_create_time:
 * @token: a #GstOpenTokToken
 *
 * Returns: when @token was made, in unix seconds (its `create_time`, else
 *     its JWT `iat`, else 0)
 *
 * Since: 0.1
 */
gint64
gst_opentok_token_get_create_time (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, 0);

  return token->create_time;
}

/**
 * gst_opentok_token_get_expire_time:
 * @token: a #GstOpenTokToken
 *
 * Returns: when @token stops being accepted, in unix seconds
 *
 * Since: 0.1
 */
gint64
gst_opentok_token_get_expire_time (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, 0);

  return token->expire_time;
}

/**
 * gst_opentok_token_get_connection_data:
 * @token: a #GstOpenTokToken
 *
 * The connection data the token's maker attached: other clients see it as
 * the connection's `data`.
 *
 * Returns: (transfer none): the connection data, the empty string when the
 *     token carries none
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_token_get_connection_data (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return token->connection_data;
}

/**
 * gst_opentok_token_get_initial_layout_class_list:
 * @token: a #GstOpenTokToken
 *
 * Returns: (transfer none): the space-separated layout classes for streams
 *     this connection publishes, the empty string when there are none
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_token_get_initial_layout_class_list (const GstOpenTokToken * token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return token->initial_layout_class_list;
}

/* Verification */

/* The checks both formats share, on claims whose signature is good. */
static gboolean
check_claims (GstOpenTokToken * token, const gchar * role_name,
    const gchar * api_key, const gchar * session_id, gint64 now,
    GError ** error)
{
  gchar *session_key, *text;

  if (token->session_id == NULL || token->session_id[0] == '\0') {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token does not name a session");
    return FALSE;
  }
  if (session_id != NULL && strcmp (session_id, token->session_id) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION,
        "Token was issued for another session");
    return FALSE;
  }

  /* Session ids we cannot decode are allowed: only a readable one that
   * names another project is refused. */
  session_key = session_id_decode_api_key (token->session_id, NULL);
  if (session_key != NULL && strcmp (session_key, api_key) != 0) {
    text = quote_value (session_key);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "Token's session belongs to API key %s, not \"%s\"", text, api_key);
    g_free (text);
    g_free (session_key);
    return FALSE;
  }
  g_free (session_key);

  if (now >= token->expire_time) {
    text = format_time (token->expire_time);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED, "Token expired at %s", text);
    g_free (text);
    return FALSE;
  }

  if (role_name != NULL &&
      !gst_opentok_role_from_string (role_name, &token->role)) {
    text = quote_value (role_name);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token has unknown role %s; expected subscriber, publisher, "
        "publisheronly or moderator", text);
    g_free (text);
    return FALSE;
  }

  if (token->connection_data == NULL)
    token->connection_data = g_strdup ("");
  if (!g_utf8_validate (token->connection_data, -1, NULL)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token connection data is not valid UTF-8");
    return FALSE;
  }
  if (utf16_length (token->connection_data) >
      GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token connection data is longer than %d characters",
        GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH);
    return FALSE;
  }

  if (token->initial_layout_class_list == NULL)
    token->initial_layout_class_list = g_strdup ("");
  if (!g_utf8_validate (token->initial_layout_class_list, -1, NULL) ||
      utf16_length (token->initial_layout_class_list) >
      GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token initial layout class list is not valid UTF-8 of at most %d "
        "characters", GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH);
    return FALSE;
  }

  return TRUE;
}

static GstOpenTokToken *
verify_jwt (const gchar * jwt, const gchar * api_key, const gchar * api_secret,
    const gchar * session_id, gint64 now, GError ** error)
{
  GstOpenTokToken *token = NULL;
  JsonObject *claims;
  JsonNode *node;
  const gchar *scope, *sid, *role, *data, *layout;
  gboolean has_exp, has_expire_time, has_iat, has_create_time;
  gint64 exp, expire_time, iat, create_time;

  claims = jwt_decode (jwt, "Token", api_key, api_secret, error);
  if (claims == NULL)
    return NULL;

  if (!claim_get_string (claims, "Token", "scope", &scope, error))
    goto failed;
  if (g_strcmp0 (scope, SCOPE_CONNECT) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token scope is not \"" SCOPE_CONNECT "\"");
    goto failed;
  }

  if (!claim_get_string (claims, "Token", "session_id", &sid, error) ||
      !claim_get_string (claims, "Token", "role", &role, error) ||
      !claim_get_string (claims, "Token", "connection_data", &data, error) ||
      !claim_get_string (claims, "Token", "initial_layout_class_list",
          &layout, error))
    goto failed;

  if (!claim_get_time (claims, "Token", "exp", &has_exp, &exp, error) ||
      !claim_get_time (claims, "Token", "expire_time", &has_expire_time,
          &expire_time, error) ||
      !claim_get_time (claims, "Token", "iat", &has_iat, &iat, error) ||
      !claim_get_time (claims, "Token", "create_time", &has_create_time,
          &create_time, error))
    goto failed;
  if (!has_exp && !has_expire_time) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token has no expiry time (\"exp\" claim)");
    goto failed;
  }

  node = json_object_get_member (claims, "nonce");
  if (node != NULL && !json_node_is_number (node) &&
      !json_node_is_string (node)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token claim \"nonce\" is neither a number nor a string");
    goto failed;
  }

  token = gst_opentok_token_new (GST_OPENTOK_TOKEN_FORMAT_JWT, api_key);
  token->session_id = g_strdup (sid);
  token->connection_data = g_strdup (data);
  token->initial_layout_class_list = g_strdup (layout);
  if (has_exp && has_expire_time)
    token->expire_time = MIN (exp, expire_time);
  else
    token->expire_time = has_exp ? exp : expire_time;
  if (has_create_time)
    token->create_time = create_time;
  else if (has_iat)
    token->create_time = iat;

  if (!check_claims (token, role, api_key, session_id, now, error))
    goto failed;

  json_object_unref (claims);
  return token;

failed:
  if (token != NULL)
    gst_opentok_token_unref (token);
  json_object_unref (claims);
  return NULL;
}

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
      quoted = quote_value (name);
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
      !g_ascii_string_to_unsigned (text, 10, 0, MAX_TIME, &result, NULL)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token field \"%s\" is not a valid time", name);
    return FALSE;
  }
  *present = TRUE;
  *value = (gint64) result;
  return TRUE;
}

static GstOpenTokToken *
verify_t1 (const gchar * text, const gchar * api_key, const gchar * api_secret,
    const gchar * session_id, gint64 now, GError ** error)
{
  GstOpenTokToken *token = NULL;
  GHashTable *head = NULL, *fields = NULL;
  guint8 *decoded = NULL;
  const gchar *colon, *partner_id, *sig, *data, *scope;
  gchar *expected = NULL, *quoted;
  gsize decoded_len, data_len;
  gboolean has_expire_time, has_create_time;
  gint64 expire_time, create_time;

  decoded = base64_decode_strict (text + strlen (T1_PREFIX),
      strlen (text) - strlen (T1_PREFIX), BASE64_STANDARD, &decoded_len);
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
    quoted = quote_value (partner_id);
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
      !equal_constant_time (sig, expected, strlen (expected))) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
        "Token signature does not match the API secret");
    goto out;
  }

  fields = parse_form (data, data_len, error);
  if (fields == NULL)
    goto out;

  scope = g_hash_table_lookup (fields, "scope");
  if (scope != NULL && strcmp (scope, SCOPE_CONNECT) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token scope is not \"" SCOPE_CONNECT "\"");
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

  if (!check_claims (token, g_hash_table_lookup (fields, "role"), api_key,
          session_id, now, error)) {
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

/**
 * gst_opentok_token_verify:
 * @token: a client token, as a client presents it
 * @api_key: the project's API key
 * @api_secret: the project's API secret
 * @session_id: (nullable): the session the client asks to join, or %NULL
 *     not to check the session
 * @now: the current time in unix seconds, or 0 for the system clock
 * @error: return location for a #GError in the %GST_OPENTOK_TOKEN_ERROR
 *     domain
 *
 * Checks a client token. Tokens starting with `T1==` are read as legacy T1
 * tokens, all others as JWTs.
 *
 * A JWT must be signed with HS256 and the API secret (a token with another
 * algorithm, `none` included, is %GST_OPENTOK_TOKEN_ERROR_MALFORMED), name
 * @api_key as `iss` (%GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY), have `ist`
 * `"project"` and `scope` `"session.connect"`
 * (%GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS), an expiry time (`exp` and/or
 * `expire_time`, integers or doubles; the earlier one counts) and a
 * `session_id`. A T1 token must have a matching `partner_id` and HMAC-SHA1
 * signature, a `session_id` and an `expire_time`; its `scope` may be
 * absent.
 *
 * For both, the session must be @session_id (when given,
 * %GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION), and a session id that decodes
 * must belong to @api_key (%GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY); the
 * token is %GST_OPENTOK_TOKEN_ERROR_EXPIRED once @now reaches its expiry
 * time; the role, when present, must be a known role (publisher when
 * absent); connection data and the initial layout class list must be
 * UTF-8 of at most %GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH
 * characters (UTF-16 code units, as JavaScript counts them). Tokens longer
 * than %GST_OPENTOK_TOKEN_MAX_LENGTH bytes are refused as malformed. With
 * an empty @api_key or @api_secret every token is refused
 * (%GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE).
 *
 * Returns: (transfer full) (nullable): what the token grants, or %NULL
 *     with @error set
 *
 * Since: 0.1
 */
GstOpenTokToken *
gst_opentok_token_verify (const gchar * token, const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, gint64 now,
    GError ** error)
{
  GstOpenTokToken *result;
  GError *local_error = NULL;

  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (api_key != NULL, NULL);
  g_return_val_if_fail (api_secret != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_opentok_token_debug_init ();

  if (now == 0)
    now = current_time ();

  if (api_key[0] == '\0' || api_secret[0] == '\0') {
    /* an empty secret would accept tokens anyone can sign */
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
        "Cannot check a token without an API key and an API secret");
    result = NULL;
  } else if (strlen (token) > GST_OPENTOK_TOKEN_MAX_LENGTH) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_MALFORMED, "Token is longer than %d bytes",
        GST_OPENTOK_TOKEN_MAX_LENGTH);
    result = NULL;
  } else if (g_str_has_prefix (token, T1_PREFIX)) {
    result = verify_t1 (token, api_key, api_secret, session_id, now,
        &local_error);
  } else {
    result = verify_jwt (token, api_key, api_secret, session_id, now,
        &local_error);
  }

  if (result == NULL) {
    GST_DEBUG ("refused a client token: %s", local_error->message);
    g_propagate_error (error, local_error);
  } else {
    GST_LOG ("accepted a %s token, role %s",
        result->format == GST_OPENTOK_TOKEN_FORMAT_T1 ? "T1" : "JWT",
        gst_opentok_role_to_string (result->role));
  }
  return result;
}

/* Minting */

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

static gchar *
mint_t1 (const gchar * api_key, const gchar * api_secret,
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
  append_form_field (data, "scope", SCOPE_CONNECT);

  sig = g_compute_hmac_for_data (G_CHECKSUM_SHA1, (const guchar *) api_secret,
      strlen (api_secret), (const guchar *) data->str, data->len);
  plain = g_strdup_printf ("partner_id=%s&sig=%s:%s", api_key, sig, data->str);
  encoded = g_base64_encode ((const guchar *) plain, strlen (plain));
  token = g_strconcat (T1_PREFIX, encoded, NULL);

  g_string_free (data, TRUE);
  g_free (sig);
  g_free (plain);
  g_free (encoded);
  return token;
}

static gchar *
mint_jwt (const gchar * api_key, const gchar * api_secret,
    const gchar * session_id, const gchar * role, gint64 now,
    gint64 expire_time, const gchar * connection_data, gdouble nonce)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *claims;

  /* The Node SDK's members, in its order. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "iss");
  json_builder_add_string_value (builder, api_key);
  json_builder_set_member_name (builder, "ist");
  json_builder_add_string_value (builder, ISSUER_TYPE_PROJECT);
  json_builder_set_member_name (builder, "iat");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, expire_time);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, session_id);
  json_builder_set_member_name (builder, "create_time");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_double_value (builder, nonce);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "expire_time");
  json_builder_add_int_value (builder, expire_time);
  if (connection_data != NULL) {
    json_builder_set_member_name (builder, "connection_data");
    json_builder_add_string_value (builder, connection_data);
  }
  json_builder_set_member_name (builder, "initial_layout_class_list");
  json_builder_add_string_value (builder, "");
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, SCOPE_CONNECT);
  json_builder_end_object (builder);

  claims = json_builder_get_root (builder);
  g_object_unref (builder);
  return jwt_encode (claims, api_secret);
}

/**
 * gst_opentok_token_mint:
 * @format: the format to make
 * @api_key: the project's API key
 * @api_secret: the project's API secret
 * @session_id: the session the token lets its holder join; it must belong
 *     to @api_key
 * @role: the role the token grants
 * @expire_time: when the token stops being accepted, in unix seconds, or 0
 *     for now + %GST_OPENTOK_TOKEN_DEFAULT_LIFETIME
 * @connection_data: (nullable): data other clients see as the connection's
 *     `data`, at most %GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH
 *     characters; %NULL or empty for none
 * @error: return location for a #GError in the %GST_OPENTOK_TOKEN_ERROR
 *     domain
 *
 * Makes a client token the way the Node server SDK 2.23.2 does, with the
 * same fields in the same order: a JWT like `generateToken (sessionId,
 * opts)` or a T1 token like `generateToken (sessionId, opts, true)`. The
 * nonce is a random number between 0 and 1; the initial layout class list
 * is empty.
 *
 * Refused: an empty API key or secret, an expiry time in the past, invalid
 * UTF-8 or too long connection data, and an unknown role
 * (%GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS); a session id that does not
 * decode (%GST_OPENTOK_TOKEN_ERROR_MALFORMED) or belongs to another API key
 * (%GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY).
 *
 * Returns: (transfer full) (nullable): the token, or %NULL with @error set
 *
 * Since: 0.1
 */
gchar *
gst_opentok_token_mint (GstOpenTokTokenFormat format, const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, GstOpenTokRole role,
    gint64 expire_time, const gchar * connection_data, GError ** error)
{
  const gchar *role_name;
  gchar *session_key = NULL, *token = NULL, *text;
  gint64 now;
  gdouble nonce;

  g_return_val_if_fail (format == GST_OPENTOK_TOKEN_FORMAT_JWT ||
      format == GST_OPENTOK_TOKEN_FORMAT_T1, NULL);
  g_return_val_if_fail (api_key != NULL, NULL);
  g_return_val_if_fail (api_secret != NULL, NULL);
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_opentok_token_debug_init ();

  if (api_key[0] == '\0' || api_secret[0] == '\0') {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Cannot make a token without an API key and an API secret");
    goto out;
  }

  role_name = gst_opentok_role_to_string (role);
  if (role_name == NULL) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Cannot make a token with unknown role %d", (gint) role);
    goto out;
  }

  session_key = session_id_decode_api_key (session_id, error);
  if (session_key == NULL)
    goto out;
  if (strcmp (session_key, api_key) != 0) {
    text = quote_value (session_key);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "Session belongs to API key %s, not \"%s\"", text, api_key);
    g_free (text);
    goto out;
  }

  now = current_time ();
  if (expire_time == 0)
    expire_time = now + GST_OPENTOK_TOKEN_DEFAULT_LIFETIME;
  if (expire_time < now || expire_time > MAX_TIME) {
    text = format_time (expire_time);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Cannot make a token that expires at %s: the time is in the past "
        "or out of range", text);
    g_free (text);
    goto out;
  }

  if (connection_data != NULL && connection_data[0] == '\0')
    connection_data = NULL;
  if (connection_data != NULL && !g_utf8_validate (connection_data, -1, NULL)) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Connection data is not valid UTF-8");
    goto out;
  }
  if (connection_data != NULL && utf16_length (connection_data) >
      GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Connection data is longer than %d characters",
        GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH);
    goto out;
  }

  /* Above 0.1 so that it never prints with an exponent. */
  nonce = g_random_double_range (0.1, 1.0);
  if (format == GST_OPENTOK_TOKEN_FORMAT_T1)
    token = mint_t1 (api_key, api_secret, session_id, role_name, now,
        expire_time, connection_data, nonce);
  else
    token = mint_jwt (api_key, api_secret, session_id, role_name, now,
        expire_time, connection_data, nonce);
  GST_LOG ("made a %s token, role %s",
      format == GST_OPENTOK_TOKEN_FORMAT_T1 ? "T1" : "JWT", role_name);

out:
  g_free (session_key);
  return token;
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
  encoded = base64url_encode ((const guint8 *) plain, strlen (plain));
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
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return session_id_decode_api_key (session_id, error);
}

/* REST credentials */

/**
 * gst_opentok_rest_jwt_new:
 * @api_key: the project's API key
 * @api_secret: the project's API secret
 * @lifetime: seconds the JWT stays valid; 0 (or less) and anything above
 *     %GST_OPENTOK_REST_JWT_MAX_LIFETIME mean
 *     %GST_OPENTOK_REST_JWT_MAX_LIFETIME
 *
 * Makes the HS256 JWT a server SDK sends in the `X-OPENTOK-AUTH` header of
 * every REST request, with the claims `iss` (@api_key), `ist`
 * (`"project"`), `iat` (now), `exp` and `jti` (a random UUID).
 *
 * Returns: (transfer full): the JWT
 *
 * Since: 0.1
 */
gchar *
gst_opentok_rest_jwt_new (const gchar * api_key, const gchar * api_secret,
    gint64 lifetime)
{
  JsonBuilder *builder;
  JsonNode *claims;
  gchar *jti;
  gint64 now;

  g_return_val_if_fail (api_key != NULL && api_key[0] != '\0', NULL);
  g_return_val_if_fail (api_secret != NULL && api_secret[0] != '\0', NULL);

  if (lifetime <= 0 || lifetime > GST_OPENTOK_REST_JWT_MAX_LIFETIME)
    lifetime = GST_OPENTOK_REST_JWT_MAX_LIFETIME;

  now = current_time ();
  jti = gst_opentok_uuid_new ();

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "iss");
  json_builder_add_string_value (builder, api_key);
  json_builder_set_member_name (builder, "ist");
  json_builder_add_string_value (builder, ISSUER_TYPE_PROJECT);
  json_builder_set_member_name (builder, "iat");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, now + lifetime);
  json_builder_set_member_name (builder, "jti");
  json_builder_add_string_value (builder, jti);
  json_builder_end_object (builder);
  claims = json_builder_get_root (builder);
  g_object_unref (builder);
  g_free (jti);

  return jwt_encode (claims, api_secret);
}

/**
 * gst_opentok_rest_jwt_verify:
 * @jwt: the `X-OPENTOK-AUTH` header value of a REST request
 * @api_key: the project's API key
 * @api_secret: the project's API secret
 * @now: the current time in unix seconds, or 0 for the system clock
 * @error: return location for a #GError in the %GST_OPENTOK_TOKEN_ERROR
 *     domain
 *
 * Checks a REST credential: an HS256 JWT signed with @api_secret (other
 * algorithms are %GST_OPENTOK_TOKEN_ERROR_MALFORMED), whose `iss` is
 * @api_key (%GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY) and `ist` `"project"`.
 * It must have `iat` and `exp` (integers or doubles); @now must be before
 * `exp` (%GST_OPENTOK_TOKEN_ERROR_EXPIRED). Refused as
 * %GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS: `iat` more than
 * %GST_OPENTOK_REST_JWT_CLOCK_SKEW seconds in the future, `exp` before
 * `iat`, a lifetime (`exp` - `iat`) longer than
 * %GST_OPENTOK_REST_JWT_MAX_LIFETIME + %GST_OPENTOK_REST_JWT_CLOCK_SKEW
 * seconds, and a client token (one with a `scope` or `session_id` claim),
 * which a browser may hold and must not open the REST API. With an empty
 * @api_key or @api_secret every credential is refused
 * (%GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE).
 *
 * Returns: %TRUE if the credential is good, %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gst_opentok_rest_jwt_verify (const gchar * jwt, const gchar * api_key,
    const gchar * api_secret, gint64 now, GError ** error)
{
  JsonObject *claims = NULL;
  GError *local_error = NULL;
  const gchar *jti;
  gboolean has_iat, has_exp;
  gint64 iat, exp;
  gchar *text;

  g_return_val_if_fail (jwt != NULL, FALSE);
  g_return_val_if_fail (api_key != NULL, FALSE);
  g_return_val_if_fail (api_secret != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gst_opentok_token_debug_init ();

  if (now == 0)
    now = current_time ();

  if (api_key[0] == '\0' || api_secret[0] == '\0') {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
        "Cannot check a REST API token without an API key and an API "
        "secret");
    goto failed;
  }

  claims = jwt_decode (jwt, "REST API token", api_key, api_secret,
      &local_error);
  if (claims == NULL)
    goto failed;

  if (json_object_has_member (claims, "scope") ||
      json_object_has_member (claims, "session_id")) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token is a client token, not a REST credential");
    goto failed;
  }
  if (!claim_get_string (claims, "REST API token", "jti", &jti, &local_error))
    goto failed;
  if (!claim_get_time (claims, "REST API token", "iat", &has_iat, &iat,
          &local_error) ||
      !claim_get_time (claims, "REST API token", "exp", &has_exp, &exp,
          &local_error))
    goto failed;
  if (!has_iat || !has_exp) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token lacks its issue time (\"iat\") or expiry time "
        "(\"exp\")");
    goto failed;
  }

  if (now >= exp) {
    text = format_time (exp);
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED, "REST API token expired at %s", text);
    g_free (text);
    goto failed;
  }
  if (iat > now + GST_OPENTOK_REST_JWT_CLOCK_SKEW) {
    text = format_time (iat);
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token was issued in the future, at %s: check the clocks",
        text);
    g_free (text);
    goto failed;
  }
  if (exp < iat) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token expires before it was issued");
    goto failed;
  }
  if (exp - iat > GST_OPENTOK_REST_JWT_MAX_LIFETIME +
      GST_OPENTOK_REST_JWT_CLOCK_SKEW) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token is valid for %" G_GINT64_FORMAT " seconds; at most "
        "%d are allowed", exp - iat, GST_OPENTOK_REST_JWT_MAX_LIFETIME);
    goto failed;
  }

  json_object_unref (claims);
  return TRUE;

failed:
  GST_DEBUG ("refused a REST credential: %s", local_error->message);
  g_propagate_error (error, local_error);
  if (claims != NULL)
    json_object_unref (claims);
  return FALSE;
}
