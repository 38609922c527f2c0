/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_TOKEN_H__
#define __GST_OPENTOK_TOKEN_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/gstopentokerror.h>

G_BEGIN_DECLS

/**
 * GST_OPENTOK_TOKEN_DEFAULT_LIFETIME:
 *
 * Seconds a minted client token stays valid when no expiry time is given
 * (one day, as the OpenTok server SDKs do).
 *
 * Since: 0.1
 */
#define GST_OPENTOK_TOKEN_DEFAULT_LIFETIME (24 * 60 * 60)

/**
 * GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH:
 *
 * The most characters (UTF-16 code units, as JavaScript counts them) of
 * connection data a client token may carry, as the OpenTok server SDKs
 * allow. The same limit applies to the initial layout class list.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_TOKEN_MAX_CONNECTION_DATA_LENGTH 1024

/**
 * GST_OPENTOK_TOKEN_MAX_LENGTH:
 *
 * The longest client token or REST authentication JWT, in bytes, that is
 * read at all; longer ones are refused as malformed. It leaves room for the
 * largest connection data.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_TOKEN_MAX_LENGTH 65536

/**
 * GstOpenTokRole:
 * @GST_OPENTOK_ROLE_SUBSCRIBER: may subscribe and signal
 * @GST_OPENTOK_ROLE_PUBLISHER: may publish, subscribe and signal (the
 *     default)
 * @GST_OPENTOK_ROLE_PUBLISHER_ONLY: may publish and signal
 * @GST_OPENTOK_ROLE_MODERATOR: a publisher that may also force other
 *     connections to disconnect, unpublish or mute
 *
 * The role a client token grants.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gst_opentok_role >*/
{
  GST_OPENTOK_ROLE_SUBSCRIBER,
  GST_OPENTOK_ROLE_PUBLISHER,
  GST_OPENTOK_ROLE_PUBLISHER_ONLY,
  GST_OPENTOK_ROLE_MODERATOR,
} GstOpenTokRole;

/**
 * GstOpenTokTokenFormat:
 * @GST_OPENTOK_TOKEN_FORMAT_JWT: an HS256 JWT, what the server SDKs make by
 *     default
 * @GST_OPENTOK_TOKEN_FORMAT_T1: the legacy `T1==` token
 *
 * The two formats of client token.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gst_opentok_token_format >*/
{
  GST_OPENTOK_TOKEN_FORMAT_JWT,
  GST_OPENTOK_TOKEN_FORMAT_T1,
} GstOpenTokTokenFormat;

GST_OPENTOK_API
const gchar *gst_opentok_role_to_string (GstOpenTokRole role);

GST_OPENTOK_API
gboolean gst_opentok_role_from_string (const gchar * name, GstOpenTokRole * role);

GST_OPENTOK_API
const gchar *const *gst_opentok_role_get_permissions (GstOpenTokRole role);

GST_OPENTOK_API
gboolean gst_opentok_role_has_permission (GstOpenTokRole role, const gchar * permission);

/**
 * GstOpenTokToken:
 *
 * A verified client token: what it grants and to whom.
 *
 * Since: 0.1
 */
typedef struct _GstOpenTokToken GstOpenTokToken;

#define GST_TYPE_OPENTOK_TOKEN (gst_opentok_token_get_type ())
GST_OPENTOK_API
GType gst_opentok_token_get_type (void);

GST_OPENTOK_API
GstOpenTokToken *gst_opentok_token_verify (const gchar * token,
    const gchar * api_key, const gchar * api_secret, const gchar * session_id,
    gint64 now, GError ** error);

GST_OPENTOK_API
gchar *gst_opentok_token_mint (GstOpenTokTokenFormat format,
    const gchar * api_key, const gchar * api_secret, const gchar * session_id,
    GstOpenTokRole role, gint64 expire_time, const gchar * connection_data,
    GError ** error);

GST_OPENTOK_API
GstOpenTokToken *gst_opentok_token_ref (GstOpenTokToken * token);

GST_OPENTOK_API
void gst_opentok_token_unref (GstOpenTokToken * token);

GST_OPENTOK_API
GstOpenTokTokenFormat gst_opentok_token_get_format (const GstOpenTokToken * token);

GST_OPENTOK_API
const gchar *gst_opentok_token_get_api_key (const GstOpenTokToken * token);

GST_OPENTOK_API
const gchar *gst_opentok_token_get_session_id (const GstOpenTokToken * token);

GST_OPENTOK_API
GstOpenTokRole gst_opentok_token_get_role (const GstOpenTokToken * token);

GST_OPENTOK_API
gint64 gst_opentok_token_get_create_time (const GstOpenTokToken * token);

GST_OPENTOK_API
gint64 gst_opentok_token_get_expire_time (const GstOpenTokToken * token);

GST_OPENTOK_API
const gchar *gst_opentok_token_get_connection_data (const GstOpenTokToken * token);

GST_OPENTOK_API
const gchar *gst_opentok_token_get_initial_layout_class_list (const GstOpenTokToken * token);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstOpenTokToken, gst_opentok_token_unref)

G_END_DECLS

#endif /* __GST_OPENTOK_TOKEN_H__ */
