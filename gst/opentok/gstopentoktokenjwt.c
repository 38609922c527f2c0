/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Client tokens in the JWT format, the server SDKs' default: their claims,
 * read and written as the Node SDK 2.23.2 writes them. The signature and
 * the claims every project JWT has are the codec's (gstopentokjwt.c). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <json-glib/json-glib.h>

#include "gstopentoktoken-private.h"
#include "gstopentokjwt-private.h"

GstOpenTokToken *
gst_opentok_token_verify_jwt (const gchar * jwt, const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, gint64 now,
    GError ** error)
{
  GstOpenTokToken *token = NULL;
  JsonObject *claims;
  JsonNode *node;
  const gchar *scope, *sid, *role, *data, *layout;
  gboolean has_exp, has_expire_time, has_iat, has_create_time;
  gint64 exp, expire_time, iat, create_time;

  claims = gst_opentok_jwt_decode (jwt, "Token", api_key, api_secret, error);
  if (claims == NULL)
    return NULL;

  if (!gst_opentok_jwt_claim_get_string (claims, "Token", "scope", &scope,
          error))
    goto failed;
  if (g_strcmp0 (scope, GST_OPENTOK_TOKEN_SCOPE_CONNECT) != 0) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token scope is not \"" GST_OPENTOK_TOKEN_SCOPE_CONNECT "\"");
    goto failed;
  }

  if (!gst_opentok_jwt_claim_get_string (claims, "Token", "session_id", &sid,
          error)
      || !gst_opentok_jwt_claim_get_string (claims, "Token", "role", &role,
          error)
      || !gst_opentok_jwt_claim_get_string (claims, "Token", "connection_data",
          &data, error)
      || !gst_opentok_jwt_claim_get_string (claims, "Token",
          "initial_layout_class_list", &layout, error))
    goto failed;

  if (!gst_opentok_jwt_claim_get_time (claims, "Token", "exp", &has_exp, &exp,
          error)
      || !gst_opentok_jwt_claim_get_time (claims, "Token", "expire_time",
          &has_expire_time, &expire_time, error)
      || !gst_opentok_jwt_claim_get_time (claims, "Token", "iat", &has_iat,
          &iat, error)
      || !gst_opentok_jwt_claim_get_time (claims, "Token", "create_time",
          &has_create_time, &create_time, error))
    goto failed;
  if (!has_exp && !has_expire_time) {
    g_set_error (error, GST_OPENTOK_TOKEN_ERROR,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
        "Token has no expiry time (\"exp\" claim)");
    goto failed;
  }

  node = json_object_get_member (claims, "nonce");
  if (node != NULL && !gst_opentok_jwt_node_is_number (node) &&
      !gst_opentok_jwt_node_is_string (node)) {
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

  if (!gst_opentok_token_check_claims (token, role, api_key, session_id, now,
          error))
    goto failed;

  json_object_unref (claims);
  return token;

failed:
  if (token != NULL)
    gst_opentok_token_unref (token);
  json_object_unref (claims);
  return NULL;
}


gchar *
gst_opentok_token_mint_jwt (const gchar * api_key, const gchar * api_secret,
    const gchar * session_id, const gchar * role, gint64 now,
    gint64 expire_time, const gchar * connection_data, gdouble nonce)
{
  JsonBuilder *builder = json_builder_new ();
  JsonNode *claims;

  /* The Node SDK's members, in its order. */
  gst_opentok_jwt_begin_claims (builder, api_key, now, expire_time);
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
  json_builder_add_string_value (builder, GST_OPENTOK_TOKEN_SCOPE_CONNECT);
  json_builder_end_object (builder);

  claims = json_builder_get_root (builder);
  g_object_unref (builder);
  return gst_opentok_jwt_encode (claims, api_secret);
}
