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

#include <json-glib/json-glib.h>

#include "gstopentokrestjwt.h"
#include "gstopentokcredential-private.h"
#include "gstopentokjwt-private.h"
#include "gstopentok-private.h"

/**
 * SECTION:gstopentokrestjwt
 * @title: REST credentials
 * @short_description: the JWT that authenticates OpenTok REST calls
 *
 * REST calls authenticate with a short-lived HS256 JWT in the
 * `X-OPENTOK-AUTH` header, signed with the project's API secret: a server
 * SDK makes one with gst_opentok_rest_jwt_new(), the server checks it with
 * gst_opentok_rest_jwt_verify(). A client token is never accepted in its
 * place. Secrets and JWTs are never logged.
 */

#define GST_CAT_DEFAULT (gst_opentok_credential_debug_get_category ())

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

  now = gst_opentok_credential_now ();
  jti = gst_opentok_uuid_new ();

  builder = json_builder_new ();
  gst_opentok_jwt_begin_claims (builder, api_key, now, now + lifetime);
  json_builder_set_member_name (builder, "jti");
  json_builder_add_string_value (builder, jti);
  json_builder_end_object (builder);
  claims = json_builder_get_root (builder);
  g_object_unref (builder);
  g_free (jti);

  return gst_opentok_jwt_encode (claims, api_secret);
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
 * (%GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE). JWTs longer than
 * %GST_OPENTOK_TOKEN_MAX_LENGTH bytes are refused as malformed.
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

  if (now == 0)
    now = gst_opentok_credential_now ();

  if (api_key[0] == '\0' || api_secret[0] == '\0') {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
        "Cannot check a REST API token without an API key and an API "
        "secret");
    goto failed;
  }

  claims = gst_opentok_jwt_decode (jwt, "REST API token", api_key,
      api_secret, &local_error);
  if (claims == NULL)
    goto failed;

  if (json_object_has_member (claims, "scope") ||
      json_object_has_member (claims, "session_id")) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token is a client token, not a REST credential");
    goto failed;
  }
  if (!gst_opentok_jwt_claim_get_string (claims, "REST API token", "jti",
          &jti, &local_error))
    goto failed;
  if (!gst_opentok_jwt_claim_get_time (claims, "REST API token", "iat",
          &has_iat, &iat, &local_error) ||
      !gst_opentok_jwt_claim_get_time (claims, "REST API token", "exp",
          &has_exp, &exp, &local_error))
    goto failed;
  if (!has_iat || !has_exp) {
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "REST API token lacks its issue time (\"iat\") or expiry time "
        "(\"exp\")");
    goto failed;
  }

  if (now >= exp) {
    text = gst_opentok_credential_format_time (exp);
    g_set_error (&local_error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED, "REST API token expired at %s", text);
    g_free (text);
    goto failed;
  }
  if (iat > now + GST_OPENTOK_REST_JWT_CLOCK_SKEW) {
    text = gst_opentok_credential_format_time (iat);
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
