/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_JWT_PRIVATE_H__
#define __GST_OPENTOK_JWT_PRIVATE_H__

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The HS256 JWTs an OpenTok project signs: client tokens and REST
 * credentials. Errors are in the GST_OPENTOK_TOKEN_ERROR domain; @what
 * names the credential in their messages ("Token", "REST API token").
 * Internal, never installed. */

G_GNUC_INTERNAL
void gst_opentok_jwt_begin_claims (JsonBuilder * builder,
    const gchar * api_key, gint64 iat, gint64 exp);

G_GNUC_INTERNAL
gchar *gst_opentok_jwt_encode (JsonNode * claims, const gchar * api_secret);

G_GNUC_INTERNAL
JsonObject *gst_opentok_jwt_decode (const gchar * jwt, const gchar * what,
    const gchar * api_key, const gchar * api_secret, GError ** error);

G_GNUC_INTERNAL
gboolean gst_opentok_jwt_node_is_string (JsonNode * node);

G_GNUC_INTERNAL
gboolean gst_opentok_jwt_node_is_number (JsonNode * node);

G_GNUC_INTERNAL
gboolean gst_opentok_jwt_claim_get_string (JsonObject * claims,
    const gchar * what, const gchar * name, const gchar ** value,
    GError ** error);

G_GNUC_INTERNAL
gboolean gst_opentok_jwt_claim_get_time (JsonObject * claims,
    const gchar * what, const gchar * name, gboolean * present,
    gint64 * value, GError ** error);

G_END_DECLS

#endif /* __GST_OPENTOK_JWT_PRIVATE_H__ */
