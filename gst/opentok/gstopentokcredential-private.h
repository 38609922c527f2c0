/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_CREDENTIAL_PRIVATE_H__
#define __GST_OPENTOK_CREDENTIAL_PRIVATE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* What every credential file shares (client tokens, their two formats, the
 * JWT codec, session ids, REST JWTs). Internal, never installed. */

/* 9999-12-31T23:59:59Z: the last time GDateTime can show, so the latest a
 * credential may name. */
#define GST_OPENTOK_CREDENTIAL_MAX_TIME G_GINT64_CONSTANT (253402300799)

/* Category "opentoktoken", one for all credentials. Tokens, secrets and
 * JWTs are never logged in it. */
G_GNUC_INTERNAL
GstDebugCategory *gst_opentok_credential_debug_get_category (void);

G_GNUC_INTERNAL
gint64 gst_opentok_credential_now (void);

G_GNUC_INTERNAL
gchar *gst_opentok_credential_quote (const gchar * value);

G_GNUC_INTERNAL
gchar *gst_opentok_credential_format_time (gint64 unix_time);

G_GNUC_INTERNAL
gboolean gst_opentok_credential_equal (const gchar * a, const gchar * b,
    gsize len);

typedef enum
{
  GST_OPENTOK_BASE64_STANDARD,  /* A-Z a-z 0-9 + / */
  GST_OPENTOK_BASE64_URL,       /* A-Z a-z 0-9 - _ */
  GST_OPENTOK_BASE64_ANY,       /* both, as Node's Buffer accepts */
} GstOpenTokBase64Alphabet;

G_GNUC_INTERNAL
gchar *gst_opentok_base64url_encode (const guint8 * data, gsize len);

G_GNUC_INTERNAL
guint8 *gst_opentok_base64_decode_strict (const gchar * text, gsize len,
    GstOpenTokBase64Alphabet alphabet, gsize * out_len);

G_END_DECLS

#endif /* __GST_OPENTOK_CREDENTIAL_PRIVATE_H__ */
