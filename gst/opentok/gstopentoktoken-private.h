/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_TOKEN_PRIVATE_H__
#define __GST_OPENTOK_TOKEN_PRIVATE_H__

#include "gstopentoktoken.h"

G_BEGIN_DECLS

/* What the client token object (gstopentoktoken.c) shares with its two
 * formats (gstopentoktokenjwt.c, gstopentoktokent1.c). Internal, never
 * installed. */

#define GST_OPENTOK_TOKEN_T1_PREFIX "T1=="
#define GST_OPENTOK_TOKEN_SCOPE_CONNECT "session.connect"

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

G_GNUC_INTERNAL
GstOpenTokToken *gst_opentok_token_new (GstOpenTokTokenFormat format,
    const gchar * api_key);

G_GNUC_INTERNAL
gboolean gst_opentok_token_check_claims (GstOpenTokToken * token,
    const gchar * role_name, const gchar * api_key, const gchar * session_id,
    gint64 now, GError ** error);

/* Each format checks its signature and reads its claims, then has
 * gst_opentok_token_check_claims() check what both formats share. */
G_GNUC_INTERNAL
GstOpenTokToken *gst_opentok_token_verify_jwt (const gchar * jwt,
    const gchar * api_key, const gchar * api_secret, const gchar * session_id,
    gint64 now, GError ** error);

G_GNUC_INTERNAL
GstOpenTokToken *gst_opentok_token_verify_t1 (const gchar * token,
    const gchar * api_key, const gchar * api_secret, const gchar * session_id,
    gint64 now, GError ** error);

/* Minting takes checked arguments: a known role's name, a session of
 * @api_key, an expiry time in range, connection data valid or NULL. */
G_GNUC_INTERNAL
gchar *gst_opentok_token_mint_jwt (const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, const gchar * role,
    gint64 now, gint64 expire_time, const gchar * connection_data,
    gdouble nonce);

G_GNUC_INTERNAL
gchar *gst_opentok_token_mint_t1 (const gchar * api_key,
    const gchar * api_secret, const gchar * session_id, const gchar * role,
    gint64 now, gint64 expire_time, const gchar * connection_data,
    gdouble nonce);

G_END_DECLS

#endif /* __GST_OPENTOK_TOKEN_PRIVATE_H__ */
