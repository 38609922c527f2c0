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

#include "gstopentoktoken.h"
#include "gstopentoktoken-private.h"
#include "gstopentokcredential-private.h"
#include "gstopentoksessionid.h"

/**
 * SECTION:gstopentoktoken
 * @title: Client tokens
 * @short_description: client tokens and the roles they grant
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
 * Session ids are read with gst_opentok_session_id_get_api_key(); REST
 * calls use another credential, see gst_opentok_rest_jwt_verify().
 *
 * Tokens and secrets are never logged.
 */

#define GST_CAT_DEFAULT (gst_opentok_credential_debug_get_category ())

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

/* Roles */

/**
 * gst_opentok_role_to_string:
 * @role: a #GstOpenTokRole
 *
 * The name OpenTok gives a role in tokens (`subscriber`, `publisher`,
 * `moderator`).
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
 * Whether a role grants a permission, as OpenTok names them in the session
 * state (`forcedisconnect`, `signal`, ...).
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

GstOpenTokToken *
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
 * Adds a reference. Safe from any thread.
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
 * Whether the token is a JWT or a legacy `T1==` token.
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
 * The API key (project) the token was signed for.
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
 * The session the token admits to.
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
 * The role the token grants.
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
 * When the token was made.
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
 * When the token stops being accepted.
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
 * The layout classes the token gives the connection's streams (OpenTok
 * archives and broadcasts use them).
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
gboolean
gst_opentok_token_check_claims (GstOpenTokToken * token,
    const gchar * role_name, const gchar * api_key, const gchar * session_id,
    gint64 now, GError ** error)
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
  session_key = gst_opentok_session_id_get_api_key (token->session_id, NULL);
  if (session_key != NULL && strcmp (session_key, api_key) != 0) {
    text = gst_opentok_credential_quote (session_key);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "Token's session belongs to API key %s, not \"%s\"", text, api_key);
    g_free (text);
    g_free (session_key);
    return FALSE;
  }
  g_free (session_key);

  if (now >= token->expire_time) {
    text = gst_opentok_credential_format_time (token->expire_time);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED, "Token expired at %s", text);
    g_free (text);
    return FALSE;
  }

  if (role_name != NULL &&
      !gst_opentok_role_from_string (role_name, &token->role)) {
    text = gst_opentok_credential_quote (role_name);
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

  if (now == 0)
    now = gst_opentok_credential_now ();

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
  } else if (g_str_has_prefix (token, GST_OPENTOK_TOKEN_T1_PREFIX)) {
    result =
        gst_opentok_token_verify_t1 (token, api_key, api_secret, session_id,
        now, &local_error);
  } else {
    result =
        gst_opentok_token_verify_jwt (token, api_key, api_secret, session_id,
        now, &local_error);
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

  session_key = gst_opentok_session_id_get_api_key (session_id, error);
  if (session_key == NULL)
    goto out;
  if (strcmp (session_key, api_key) != 0) {
    text = gst_opentok_credential_quote (session_key);
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
        "Session belongs to API key %s, not \"%s\"", text, api_key);
    g_free (text);
    goto out;
  }

  now = gst_opentok_credential_now ();
  if (expire_time == 0)
    expire_time = now + GST_OPENTOK_TOKEN_DEFAULT_LIFETIME;
  if (expire_time < now || expire_time > GST_OPENTOK_CREDENTIAL_MAX_TIME) {
    text = gst_opentok_credential_format_time (expire_time);
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
    token =
        gst_opentok_token_mint_t1 (api_key, api_secret, session_id, role_name,
        now, expire_time, connection_data, nonce);
  else
    token =
        gst_opentok_token_mint_jwt (api_key, api_secret, session_id, role_name,
        now, expire_time, connection_data, nonce);
  GST_LOG ("made a %s token, role %s",
      format == GST_OPENTOK_TOKEN_FORMAT_T1 ? "T1" : "JWT", role_name);

out:
  g_free (session_key);
  return token;
}
