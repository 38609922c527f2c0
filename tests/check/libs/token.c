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

#include <gst/check/gstcheck.h>
#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>

#include "fixture.h"

#define API_KEY "123456"
#define API_SECRET "0123456789abcdef0123456789abcdef01234567"
#define OTHER_API_KEY "654321"
#define OTHER_API_SECRET "fedcba9876543210fedcba9876543210fedcba98"

/* Test vectors made by the official OpenTok Node SDK 2.23.2
 * (npm opentok@2.23.2) with API_KEY / API_SECRET, for session ids made by
 * gst_opentok_session_id_new(). Options: moderator = {role: 'moderator',
 * data: 'name=Bob', expireTime: 4102444800}; default = no options;
 * layout = {role: 'subscriber' (JWT) or 'publisheronly' (T1),
 * data: 'é😀 & =', initialLayoutClassList: ['focus', 'full'],
 * expireTime: 4102444800}; the third generateToken() argument true makes
 * T1 tokens. REST_JWT is the SDK's generateJwt(), its X-OPENTOK-AUTH value.
 * The OTHER_ tokens were made by an SDK holding OTHER_API_KEY and
 * OTHER_API_SECRET. */
#define SDK_SESSION_ID \
  "1_MX4xMjM0NTZ-fjE3OTU0NjU0Nzk3MjV-ZTliOTQ1M2VlZTZjOWFmMTZjfg"
#define SDK_OTHER_SESSION_ID \
  "1_MX42NTQzMjF-fjE3OTU0NjU0Nzk3Mjd-YzA5OTM4M2IzNGNiM2E3YjFhfg"
#define SDK_IAT G_GINT64_CONSTANT (1795465479)
#define SDK_CREATE_TIME G_GINT64_CONSTANT (1795465480)
#define SDK_DEFAULT_EXPIRE_TIME G_GINT64_CONSTANT (1795551880)
#define FAR_EXPIRE_TIME G_GINT64_CONSTANT (4102444800)
#define SDK_NOW (SDK_CREATE_TIME + 10)

#define SDK_JWT_MODERATOR \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIxMjM0NTYiLCJpc3QiOiJwcm9q" \
  "ZWN0IiwiaWF0IjoxNzk1NDY1NDc5LCJleHAiOjQxMDI0NDQ4MDAsInNlc3Npb25faWQiOiIx" \
  "X01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNNalYtWlRsaU9UUTFNMlZsWlRaak9XRm1N" \
  "VFpqZmciLCJjcmVhdGVfdGltZSI6MTc5NTQ2NTQ4MCwibm9uY2UiOjAuMjE2Njg0MTEzNTE5" \
  "MDI0MDYsInJvbGUiOiJtb2RlcmF0b3IiLCJleHBpcmVfdGltZSI6NDEwMjQ0NDgwMCwiY29u" \
  "bmVjdGlvbl9kYXRhIjoibmFtZT1Cb2IiLCJpbml0aWFsX2xheW91dF9jbGFzc19saXN0Ijoi" \
  "Iiwic2NvcGUiOiJzZXNzaW9uLmNvbm5lY3QifQ.2wNV6rfiks-9g6jPzXRW-VGLqUudG2JUnD" \
  "aIkyI3A_o"

#define SDK_T1_MODERATOR \
  "T1==cGFydG5lcl9pZD0xMjM0NTYmc2lnPTFhYTFjMTA3NGRmNjcxYTJhN2I3OTQyNjcyOTIz" \
  "Mzg4N2M2ZGExZTA6c2Vzc2lvbl9pZD0xX01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNN" \
  "alYtWlRsaU9UUTFNMlZsWlRaak9XRm1NVFpqZmcmY3JlYXRlX3RpbWU9MTc5NTQ2NTQ4MCZu" \
  "b25jZT0wLjY0NjA1Nzg1ODU0NDIwNjMmcm9sZT1tb2RlcmF0b3ImZXhwaXJlX3RpbWU9NDEw" \
  "MjQ0NDgwMCZjb25uZWN0aW9uX2RhdGE9bmFtZSUzREJvYiZpbml0aWFsX2xheW91dF9jbGFz" \
  "c19saXN0PSZzY29wZT1zZXNzaW9uLmNvbm5lY3Q="

#define SDK_JWT_DEFAULT \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIxMjM0NTYiLCJpc3QiOiJwcm9q" \
  "ZWN0IiwiaWF0IjoxNzk1NDY1NDc5LCJleHAiOjE3OTU1NTE4ODAsInNlc3Npb25faWQiOiIx" \
  "X01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNNalYtWlRsaU9UUTFNMlZsWlRaak9XRm1N" \
  "VFpqZmciLCJjcmVhdGVfdGltZSI6MTc5NTQ2NTQ4MCwibm9uY2UiOjAuNjIzMTU1NjAwMjA5" \
  "MzgwOCwicm9sZSI6InB1Ymxpc2hlciIsImV4cGlyZV90aW1lIjoxNzk1NTUxODgwLCJpbml0" \
  "aWFsX2xheW91dF9jbGFzc19saXN0IjoiIiwic2NvcGUiOiJzZXNzaW9uLmNvbm5lY3QifQ.v" \
  "xFrRy2ppcdzwz15LmF5jTT4NPMSbgVxM8umjQB_lJ8"

#define SDK_T1_DEFAULT \
  "T1==cGFydG5lcl9pZD0xMjM0NTYmc2lnPTAzNzExZWU2ZTEwZGRlYWMzMDM1NjRkN2I0Y2U3" \
  "YzViMzg0M2U4MDg6c2Vzc2lvbl9pZD0xX01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNN" \
  "alYtWlRsaU9UUTFNMlZsWlRaak9XRm1NVFpqZmcmY3JlYXRlX3RpbWU9MTc5NTQ2NTQ4MCZu" \
  "b25jZT0wLjcwNDAzNzAxNzU4MzYwNDYmcm9sZT1wdWJsaXNoZXImZXhwaXJlX3RpbWU9MTc5" \
  "NTU1MTg4MCZpbml0aWFsX2xheW91dF9jbGFzc19saXN0PSZzY29wZT1zZXNzaW9uLmNvbm5l" \
  "Y3Q="

#define SDK_JWT_LAYOUT \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIxMjM0NTYiLCJpc3QiOiJwcm9q" \
  "ZWN0IiwiaWF0IjoxNzk1NDY1NDc5LCJleHAiOjQxMDI0NDQ4MDAsInNlc3Npb25faWQiOiIx" \
  "X01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNNalYtWlRsaU9UUTFNMlZsWlRaak9XRm1N" \
  "VFpqZmciLCJjcmVhdGVfdGltZSI6MTc5NTQ2NTQ4MCwibm9uY2UiOjAuMTE4NzA1Mjk3NzYx" \
  "MjEzOTcsInJvbGUiOiJzdWJzY3JpYmVyIiwiZXhwaXJlX3RpbWUiOjQxMDI0NDQ4MDAsImNv" \
  "bm5lY3Rpb25fZGF0YSI6IsOp8J-YgCAmID0iLCJpbml0aWFsX2xheW91dF9jbGFzc19saXN0" \
  "IjoiZm9jdXMgZnVsbCIsInNjb3BlIjoic2Vzc2lvbi5jb25uZWN0In0.lIfgIrEj_mxgctJ5" \
  "gsMfoVQHfuaFeFAlFpt6O6jt12E"

#define SDK_T1_LAYOUT \
  "T1==cGFydG5lcl9pZD0xMjM0NTYmc2lnPTYzOGI1NTFiODNjYTUwM2FmODBkZDRhZDFlNTYy" \
  "ZGI2Y2U0Nzc2YTA6c2Vzc2lvbl9pZD0xX01YNHhNak0wTlRaLWZqRTNPVFUwTmpVME56azNN" \
  "alYtWlRsaU9UUTFNMlZsWlRaak9XRm1NVFpqZmcmY3JlYXRlX3RpbWU9MTc5NTQ2NTQ4MCZu" \
  "b25jZT0wLjc4MDkxMzE2NTYyNjgwMjkmcm9sZT1wdWJsaXNoZXJvbmx5JmV4cGlyZV90aW1l" \
  "PTQxMDI0NDQ4MDAmY29ubmVjdGlvbl9kYXRhPSVDMyVBOSVGMCU5RiU5OCU4MCUyMCUyNiUy" \
  "MCUzRCZpbml0aWFsX2xheW91dF9jbGFzc19saXN0PWZvY3VzJTIwZnVsbCZzY29wZT1zZXNz" \
  "aW9uLmNvbm5lY3Q="

#define SDK_REST_JWT \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIxMjM0NTYiLCJpc3QiOiJwcm9q" \
  "ZWN0IiwiaWF0IjoxNzk1NDY1NDc5LCJleHAiOjE3OTU0NjU3Nzl9.qRvaZSqDllVLqS4Rsn8r" \
  "ZU1hNI0t8eTWBNnEflEX1Ms"

#define SDK_JWT_OTHER_PROJECT \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI2NTQzMjEiLCJpc3QiOiJwcm9q" \
  "ZWN0IiwiaWF0IjoxNzk1NDY1NDc5LCJleHAiOjQxMDI0NDQ4MDAsInNlc3Npb25faWQiOiIx" \
  "X01YNDJOVFF6TWpGLWZqRTNPVFUwTmpVME56azNNamQtWXpBNU9UTTRNMkl6TkdOaU0yRTNZ" \
  "akZoZmciLCJjcmVhdGVfdGltZSI6MTc5NTQ2NTQ4MCwibm9uY2UiOjAuNjkxODczMTIyMjc2" \
  "NTUxMywicm9sZSI6InB1Ymxpc2hlciIsImV4cGlyZV90aW1lIjo0MTAyNDQ0ODAwLCJpbml0" \
  "aWFsX2xheW91dF9jbGFzc19saXN0IjoiIiwic2NvcGUiOiJzZXNzaW9uLmNvbm5lY3QifQ.v" \
  "b2JpxwqKMSVGfJaLsW8AsICB8sA3Z_5o2YQN3yFdCA"

#define SDK_T1_OTHER_PROJECT \
  "T1==cGFydG5lcl9pZD02NTQzMjEmc2lnPTE3M2U5MTliMTFiNzI1ZWJhYmVhY2M0Yjc0NTMx" \
  "YWNkZGEyOGJhMDE6c2Vzc2lvbl9pZD0xX01YNDJOVFF6TWpGLWZqRTNPVFUwTmpVME56azNN" \
  "amQtWXpBNU9UTTRNMkl6TkdOaU0yRTNZakZoZmcmY3JlYXRlX3RpbWU9MTc5NTQ2NTQ4MCZu" \
  "b25jZT0wLjkxMjM3NTQwNTE1MDg5OTQmcm9sZT1wdWJsaXNoZXImZXhwaXJlX3RpbWU9NDEw" \
  "MjQ0NDgwMCZpbml0aWFsX2xheW91dF9jbGFzc19saXN0PSZzY29wZT1zZXNzaW9uLmNvbm5l" \
  "Y3Q="

/* The data part of a hand-made T1 token for SDK_SESSION_ID. */
#define T1_DATA(rest) "session_id=" SDK_SESSION_ID rest

/* The JWT header every SDK token starts with: {"alg":"HS256","typ":"JWT"} */
#define HS256_HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* The claims of a good hand-made client JWT, as JSON member text. */
#define GOOD_ISS "\"" API_KEY "\""
#define GOOD_IST "\"project\""
#define GOOD_EXP "4102444800"
#define GOOD_SID "\"" SDK_SESSION_ID "\""
#define GOOD_SCOPE "\"session.connect\""

/* Helpers */

/* A client JWT signed with API_SECRET; each claim is JSON text or NULL to
 * leave it out; @extra is more members (or NULL). */
static gchar *
client_jwt (const gchar * iss, const gchar * ist, const gchar * exp,
    const gchar * sid, const gchar * scope, const gchar * extra)
{
  GString *claims = g_string_new ("{");
  gchar *jwt;

#define ADD_MEMBER(name, value) G_STMT_START { \
    if ((value) != NULL) { \
      if (claims->len > 1) \
        g_string_append_c (claims, ','); \
      g_string_append_printf (claims, "\"%s\":%s", name, value); \
    } \
  } G_STMT_END
  ADD_MEMBER ("iss", iss);
  ADD_MEMBER ("ist", ist);
  ADD_MEMBER ("exp", exp);
  ADD_MEMBER ("session_id", sid);
  ADD_MEMBER ("scope", scope);
#undef ADD_MEMBER
  if (extra != NULL) {
    if (claims->len > 1)
      g_string_append_c (claims, ',');
    g_string_append (claims, extra);
  }
  g_string_append_c (claims, '}');

  jwt = fixture_jwt_new (HS256_HEADER, claims->str, -1, API_SECRET);
  g_string_free (claims, TRUE);
  return jwt;
}

static gchar *
t1_from_plain (const gchar * plain, gsize len)
{
  gchar *b64 = g_base64_encode ((const guchar *) plain, len);
  gchar *token = g_strconcat ("T1==", b64, NULL);

  g_free (b64);
  return token;
}

/* A T1 token whose signature over @data is made with @secret. */
static gchar *
t1_sign (const gchar * partner_id, const gchar * data, const gchar * secret)
{
  gchar *sig, *plain, *token;

  sig = g_compute_hmac_for_string (G_CHECKSUM_SHA1, (const guchar *) secret,
      strlen (secret), data, -1);
  plain = g_strdup_printf ("partner_id=%s&sig=%s:%s", partner_id, sig, data);
  token = t1_from_plain (plain, strlen (plain));
  g_free (sig);
  g_free (plain);
  return token;
}

static void
check_message (const GError * error, const gchar * token)
{
  fail_unless (error->message != NULL && error->message[0] != '\0');
  fail_if (strstr (error->message, API_SECRET) != NULL,
      "message reveals the secret: %s", error->message);
  fail_if (strstr (error->message, OTHER_API_SECRET) != NULL,
      "message reveals a secret: %s", error->message);
  if (token != NULL && strlen (token) > 8)
    fail_if (strstr (error->message, token) != NULL,
        "message repeats the token: %s", error->message);
}

/* Verifies and expects a refusal with @code; returns the message. */
static gchar *
expect_refused_full (const gchar * token, const gchar * key,
    const gchar * secret, const gchar * session_id, gint64 now, gint code)
{
  GstOpenTokToken *result;
  GError *error = NULL;
  gchar *message;

  result = gst_opentok_token_verify (token, key, secret, session_id, now,
      &error);
  fail_unless (result == NULL, "token was accepted");
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_TOKEN_ERROR);
  fail_unless (error->code == code, "expected code %d, got %d (%s)", code,
      error->code, error->message);
  check_message (error, token);
  message = g_strdup (error->message);
  g_error_free (error);
  return message;
}

static void
expect_refused (const gchar * token, gint64 now, gint code)
{
  g_free (expect_refused_full (token, API_KEY, API_SECRET, SDK_SESSION_ID,
          now, code));
}

static GstOpenTokToken *
expect_accepted (const gchar * token, const gchar * session_id, gint64 now)
{
  GstOpenTokToken *result;
  GError *error = NULL;

  result = gst_opentok_token_verify (token, API_KEY, API_SECRET, session_id,
      now, &error);
  fail_unless (result != NULL, "token refused: %s",
      error ? error->message : "?");
  fail_unless (error == NULL);
  return result;
}

static void
expect_rest_refused (const gchar * jwt, gint64 now, gint code)
{
  GError *error = NULL;

  fail_if (gst_opentok_rest_jwt_verify (jwt, API_KEY, API_SECRET, now, &error));
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_TOKEN_ERROR);
  fail_unless (error->code == code, "expected code %d, got %d (%s)", code,
      error->code, error->message);
  check_message (error, jwt);
  g_error_free (error);
}

static gchar *
make_session_id (const gchar * plain)
{
  gchar *encoded = fixture_base64url_encode (plain, strlen (plain));
  gchar *session_id = g_strconcat ("1_", encoded, NULL);

  g_free (encoded);
  return session_id;
}

/* Official SDK tokens */

GST_START_TEST (test_sdk_jwt_moderator_is_accepted)
{
  GstOpenTokToken *token;

  token = expect_accepted (SDK_JWT_MODERATOR, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_format (token),
      GST_OPENTOK_TOKEN_FORMAT_JWT);
  fail_unless_equals_string (gst_opentok_token_get_api_key (token), API_KEY);
  fail_unless_equals_string (gst_opentok_token_get_session_id (token),
      SDK_SESSION_ID);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_MODERATOR);
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token),
      SDK_CREATE_TIME);
  fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
      FAR_EXPIRE_TIME);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "name=Bob");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "");
  gst_opentok_token_unref (token);

  /* no session to compare with */
  token = expect_accepted (SDK_JWT_MODERATOR, NULL, SDK_NOW);
  gst_opentok_token_unref (token);

  /* now = 0 is the system clock, long before 2100 */
  token = expect_accepted (SDK_JWT_MODERATOR, SDK_SESSION_ID, 0);
  gst_opentok_token_unref (token);
}

GST_END_TEST;

GST_START_TEST (test_sdk_t1_moderator_is_accepted)
{
  GstOpenTokToken *token;

  token = expect_accepted (SDK_T1_MODERATOR, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_format (token),
      GST_OPENTOK_TOKEN_FORMAT_T1);
  fail_unless_equals_string (gst_opentok_token_get_api_key (token), API_KEY);
  fail_unless_equals_string (gst_opentok_token_get_session_id (token),
      SDK_SESSION_ID);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_MODERATOR);
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token),
      SDK_CREATE_TIME);
  fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
      FAR_EXPIRE_TIME);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "name=Bob");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "");
  gst_opentok_token_unref (token);
}

GST_END_TEST;

GST_START_TEST (test_sdk_default_tokens_are_publishers_for_a_day)
{
  const gchar *tokens[] = { SDK_JWT_DEFAULT, SDK_T1_DEFAULT };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tokens); i++) {
    GstOpenTokToken *token;

    token = expect_accepted (tokens[i], SDK_SESSION_ID, SDK_NOW);
    fail_unless_equals_int (gst_opentok_token_get_role (token),
        GST_OPENTOK_ROLE_PUBLISHER);
    fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
        SDK_DEFAULT_EXPIRE_TIME);
    fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token) -
        gst_opentok_token_get_create_time (token),
        GST_OPENTOK_TOKEN_DEFAULT_LIFETIME);
    fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
        "");
    gst_opentok_token_unref (token);
  }
}

GST_END_TEST;

GST_START_TEST (test_sdk_layout_tokens_keep_unicode_data)
{
  GstOpenTokToken *token;

  token = expect_accepted (SDK_JWT_LAYOUT, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_SUBSCRIBER);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "\xc3\xa9\xf0\x9f\x98\x80 & =");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "focus full");
  gst_opentok_token_unref (token);

  token = expect_accepted (SDK_T1_LAYOUT, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_PUBLISHER_ONLY);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "\xc3\xa9\xf0\x9f\x98\x80 & =");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "focus full");
  gst_opentok_token_unref (token);
}

GST_END_TEST;

GST_START_TEST (test_sdk_tokens_expire_at_their_expiry_time)
{
  const gchar *far[] = { SDK_JWT_MODERATOR, SDK_T1_MODERATOR };
  const gchar *day[] = { SDK_JWT_DEFAULT, SDK_T1_DEFAULT };
  GstOpenTokToken *token;
  gchar *message;
  guint i;

  for (i = 0; i < 2; i++) {
    token = expect_accepted (day[i], SDK_SESSION_ID,
        SDK_DEFAULT_EXPIRE_TIME - 1);
    gst_opentok_token_unref (token);
    message = expect_refused_full (day[i], API_KEY, API_SECRET,
        SDK_SESSION_ID, SDK_DEFAULT_EXPIRE_TIME,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED);
    fail_unless_equals_string (message,
        "Token expired at 2026-11-24T20:24:40Z");
    g_free (message);

    token = expect_accepted (far[i], SDK_SESSION_ID, FAR_EXPIRE_TIME - 1);
    gst_opentok_token_unref (token);
    message = expect_refused_full (far[i], API_KEY, API_SECRET,
        SDK_SESSION_ID, FAR_EXPIRE_TIME + 3600,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED);
    fail_unless_equals_string (message,
        "Token expired at 2100-01-01T00:00:00Z");
    g_free (message);
  }
}

GST_END_TEST;

GST_START_TEST (test_sdk_tokens_refuse_wrong_secret)
{
  const gchar *tokens[] = { SDK_JWT_MODERATOR, SDK_T1_MODERATOR,
    SDK_JWT_LAYOUT, SDK_T1_LAYOUT
  };
  const gchar *secrets[] = { OTHER_API_SECRET, API_SECRET "x",
    "0123456789abcdef0123456789abcdef0123456", "x"
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (tokens); i++) {
    for (j = 0; j < G_N_ELEMENTS (secrets); j++) {
      g_free (expect_refused_full (tokens[i], API_KEY, secrets[j],
              SDK_SESSION_ID, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_empty_credentials_refuse_everything)
{
  gchar *unsigned_jwt, *unsigned_t1;

  /* tokens signed with an empty key: an empty secret must not accept them */
  unsigned_jwt = fixture_jwt_new (HS256_HEADER, "{}", 2, "");
  unsigned_t1 = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800"), "");
  g_free (expect_refused_full (unsigned_jwt, API_KEY, "", NULL, SDK_NOW,
          GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
  g_free (expect_refused_full (unsigned_t1, API_KEY, "", NULL, SDK_NOW,
          GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
  g_free (expect_refused_full (SDK_JWT_MODERATOR, "", API_SECRET, NULL,
          SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
  fail_if (gst_opentok_rest_jwt_verify (unsigned_jwt, API_KEY, "", SDK_NOW,
          NULL));
  fail_if (gst_opentok_rest_jwt_verify (SDK_REST_JWT, "", API_SECRET,
          SDK_IAT, NULL));
  g_free (unsigned_jwt);
  g_free (unsigned_t1);
}

GST_END_TEST;

GST_START_TEST (test_sdk_tokens_refuse_another_session)
{
  const gchar *tokens[] = { SDK_JWT_MODERATOR, SDK_T1_MODERATOR };
  gchar *other_session, *message;
  guint i;

  other_session = gst_opentok_session_id_new (API_KEY);
  for (i = 0; i < G_N_ELEMENTS (tokens); i++) {
    message = expect_refused_full (tokens[i], API_KEY, API_SECRET,
        other_session, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION);
    fail_unless_equals_string (message, "Token was issued for another session");
    g_free (message);
    /* a prefix or an extension of the session id is another session */
    g_free (expect_refused_full (tokens[i], API_KEY, API_SECRET,
            SDK_SESSION_ID "x", SDK_NOW,
            GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION));
    g_free (expect_refused_full (tokens[i], API_KEY, API_SECRET, "", SDK_NOW,
            GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION));
  }
  g_free (other_session);
}

GST_END_TEST;

GST_START_TEST (test_sdk_tokens_of_another_project)
{
  const gchar *tokens[] = { SDK_JWT_OTHER_PROJECT, SDK_T1_OTHER_PROJECT };
  GstOpenTokToken *token;
  GError *error = NULL;
  gchar *message;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tokens); i++) {
    /* good for their own project */
    token = gst_opentok_token_verify (tokens[i], OTHER_API_KEY,
        OTHER_API_SECRET, SDK_OTHER_SESSION_ID, SDK_NOW, &error);
    fail_unless (token != NULL, "%s", error ? error->message : "");
    fail_unless_equals_string (gst_opentok_token_get_api_key (token),
        OTHER_API_KEY);
    gst_opentok_token_unref (token);

    /* not for ours, even with their secret */
    message = expect_refused_full (tokens[i], API_KEY, API_SECRET, NULL,
        SDK_NOW, GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY);
    fail_unless_equals_string (message,
        "Token was issued for API key \"654321\", not \"123456\"");
    g_free (message);
    g_free (expect_refused_full (tokens[i], API_KEY, OTHER_API_SECRET, NULL,
            SDK_NOW, GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY));
  }
}

GST_END_TEST;

/* Replaces the character at @pos with another of the same alphabet. */
static gchar *
flip_char (const gchar * text, gsize pos)
{
  gchar *copy = g_strdup (text);

  copy[pos] = copy[pos] == 'A' ? 'B' : 'A';
  return copy;
}

GST_START_TEST (test_jwt_every_flipped_character_is_refused)
{
  const gchar *jwt = SDK_JWT_MODERATOR;
  const gchar *first_dot = strchr (jwt, '.');
  const gchar *second_dot = strchr (first_dot + 1, '.');
  gsize pos, len = strlen (jwt);

  for (pos = 0; pos < len; pos++) {
    GstOpenTokToken *token;
    GError *error = NULL;
    gchar *tampered;

    if (jwt[pos] == '.')
      continue;
    tampered = flip_char (jwt, pos);
    token = gst_opentok_token_verify (tampered, API_KEY, API_SECRET,
        SDK_SESSION_ID, SDK_NOW, &error);
    fail_unless (token == NULL, "flip at %" G_GSIZE_FORMAT " accepted", pos);
    fail_unless (error->domain == GST_OPENTOK_TOKEN_ERROR);
    if (jwt + pos > second_dot) {
      fail_unless_equals_int (error->code,
          GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
    } else if (jwt + pos > first_dot) {
      /* the payload: a bad signature, unless the flip renamed the issuer */
      fail_unless (error->code == GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE ||
          error->code == GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
          "flip at %" G_GSIZE_FORMAT ": %s", pos, error->message);
    } else {
      fail_unless (error->code == GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE ||
          error->code == GST_OPENTOK_TOKEN_ERROR_MALFORMED,
          "flip at %" G_GSIZE_FORMAT ": %s", pos, error->message);
    }
    check_message (error, tampered);
    g_error_free (error);
    g_free (tampered);
  }
}

GST_END_TEST;

GST_START_TEST (test_t1_every_flipped_character_is_refused)
{
  const gchar *tokens[] = { SDK_T1_MODERATOR, SDK_T1_LAYOUT };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tokens); i++) {
    gsize pos, len = strlen (tokens[i]);

    /* past the "T1==" prefix, up to the padding */
    for (pos = 4; pos < len && tokens[i][pos] != '='; pos++) {
      GstOpenTokToken *token;
      GError *error = NULL;
      gchar *tampered = flip_char (tokens[i], pos);

      token = gst_opentok_token_verify (tampered, API_KEY, API_SECRET,
          SDK_SESSION_ID, SDK_NOW, &error);
      fail_unless (token == NULL, "flip at %" G_GSIZE_FORMAT " accepted", pos);
      fail_unless (error->code == GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE ||
          error->code == GST_OPENTOK_TOKEN_ERROR_MALFORMED ||
          error->code == GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
          "flip at %" G_GSIZE_FORMAT ": %s", pos, error->message);
      check_message (error, tampered);
      g_error_free (error);
      g_free (tampered);
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_t1_tampered_fields_are_refused)
{
  gchar *decoded, *tampered_plain, *token, *colon, *p;
  gsize len;

  /* the base64 after the "T1==" prefix */
  decoded = (gchar *) g_base64_decode (&SDK_T1_MODERATOR[4], &len);
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';

  /* moderator -> moderatox: the data no longer matches the signature */
  tampered_plain = g_strdup (decoded);
  p = strstr (tampered_plain, "role=moderator");
  p[strlen ("role=moderato")] = 'x';
  token = t1_from_plain (tampered_plain, len);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
  g_free (tampered_plain);

  /* a later expiry time */
  tampered_plain = g_strdup (decoded);
  p = strstr (tampered_plain, "expire_time=4102444800");
  p[strlen ("expire_time=")] = '5';
  token = t1_from_plain (tampered_plain, len);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
  g_free (tampered_plain);

  /* one flipped signature digit */
  tampered_plain = g_strdup (decoded);
  p = strstr (tampered_plain, "&sig=") + 5;
  *p = *p == '0' ? '1' : '0';
  token = t1_from_plain (tampered_plain, len);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
  g_free (tampered_plain);

  /* the same signature in upper case is another spelling: refused */
  tampered_plain = g_strdup (decoded);
  colon = strchr (tampered_plain, ':');
  for (p = strstr (tampered_plain, "&sig=") + 5; p < colon; p++)
    *p = g_ascii_toupper (*p);
  token = t1_from_plain (tampered_plain, len);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
  g_free (tampered_plain);

  /* the unsigned partner_id names another project */
  tampered_plain = g_strdup (decoded);
  p = strstr (tampered_plain, "partner_id=123456");
  p[strlen ("partner_id=12345")] = '7';
  token = t1_from_plain (tampered_plain, len);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY);
  g_free (token);
  g_free (tampered_plain);

  /* a trailing byte after the data */
  tampered_plain = g_strconcat (decoded, "&", NULL);
  token = t1_from_plain (tampered_plain, len + 1);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
  g_free (tampered_plain);

  g_free (decoded);
}

GST_END_TEST;

GST_START_TEST (test_base64_other_spellings_are_refused)
{
  gchar *token;
  gsize len = strlen (SDK_T1_MODERATOR);

  /* T1: the last data character "Q" (010000) before one "=" carries two
   * unused bits; "R" (010001) decodes to the same bytes but is refused */
  fail_unless (SDK_T1_MODERATOR[len - 2] == 'Q');
  token = g_strdup (SDK_T1_MODERATOR);
  token[len - 2] = 'R';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* T1 without its padding is still the same token */
  token = g_strndup (SDK_T1_MODERATOR, len - 1);
  gst_opentok_token_unref (expect_accepted (token, SDK_SESSION_ID, SDK_NOW));
  g_free (token);

  /* T1 with too much padding, or padding in the middle */
  token = g_strconcat (SDK_T1_MODERATOR, "=", NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = g_strdup (SDK_T1_MODERATOR);
  token[10] = '=';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* T1 in the URL-safe alphabet, or with white space */
  token = g_strdup (SDK_T1_MODERATOR);
  fail_unless (strchr (token, '+') == NULL && strchr (token, '/') == NULL);
  token[10] = '-';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  token[10] = ' ';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* JWT signature with padding appended */
  token = g_strconcat (SDK_JWT_MODERATOR, "=", NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);

  /* JWT signature in the standard alphabet ("_" -> "/") */
  token = g_strdup (SDK_JWT_MODERATOR);
  *strrchr (token, '_') = '/';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
}

GST_END_TEST;

/* Minting */

static void
check_mint_round_trip (GstOpenTokTokenFormat format)
{
  GstOpenTokRole role;
  gchar *session_id = gst_opentok_session_id_new (API_KEY);

  for (role = GST_OPENTOK_ROLE_SUBSCRIBER; role <= GST_OPENTOK_ROLE_MODERATOR;
      role++) {
    GstOpenTokToken *token;
    GError *error = NULL;
    gchar *text;
    gint64 before = g_get_real_time () / G_USEC_PER_SEC;

    text = gst_opentok_token_mint (format, API_KEY, API_SECRET, session_id,
        role, FAR_EXPIRE_TIME, "name=Bob & \xc3\xa9 %41+", &error);
    fail_unless (text != NULL, "%s", error ? error->message : "");
    fail_unless_equals_int (g_str_has_prefix (text, "T1=="),
        format == GST_OPENTOK_TOKEN_FORMAT_T1);

    token = expect_accepted (text, session_id, 0);
    fail_unless_equals_int (gst_opentok_token_get_format (token), format);
    fail_unless_equals_int (gst_opentok_token_get_role (token), role);
    fail_unless_equals_string (gst_opentok_token_get_session_id (token),
        session_id);
    fail_unless_equals_string (gst_opentok_token_get_api_key (token), API_KEY);
    fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
        "name=Bob & \xc3\xa9 %41+");
    fail_unless_equals_string
        (gst_opentok_token_get_initial_layout_class_list (token), "");
    fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
        FAR_EXPIRE_TIME);
    fail_unless (gst_opentok_token_get_create_time (token) >= before);
    fail_unless (gst_opentok_token_get_create_time (token) <= before + 5);
    gst_opentok_token_unref (token);

    /* only for this project and session, with this secret */
    g_free (expect_refused_full (text, API_KEY, OTHER_API_SECRET, NULL, 0,
            GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
    g_free (expect_refused_full (text, OTHER_API_KEY, API_SECRET, NULL, 0,
            GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY));
    g_free (expect_refused_full (text, API_KEY, API_SECRET, SDK_SESSION_ID, 0,
            GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION));
    g_free (expect_refused_full (text, API_KEY, API_SECRET, NULL,
            FAR_EXPIRE_TIME, GST_OPENTOK_TOKEN_ERROR_EXPIRED));
    g_free (text);
  }
  g_free (session_id);
}

GST_START_TEST (test_mint_jwt_round_trip)
{
  check_mint_round_trip (GST_OPENTOK_TOKEN_FORMAT_JWT);
}

GST_END_TEST;

GST_START_TEST (test_mint_t1_round_trip)
{
  check_mint_round_trip (GST_OPENTOK_TOKEN_FORMAT_T1);
}

GST_END_TEST;

GST_START_TEST (test_mint_default_expiry_is_one_day)
{
  GstOpenTokTokenFormat format;

  for (format = GST_OPENTOK_TOKEN_FORMAT_JWT;
      format <= GST_OPENTOK_TOKEN_FORMAT_T1; format++) {
    GstOpenTokToken *token;
    gchar *text;

    text = gst_opentok_token_mint (format, API_KEY, API_SECRET,
        SDK_SESSION_ID, GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, NULL);
    fail_unless (text != NULL);
    token = expect_accepted (text, SDK_SESSION_ID, 0);
    fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token) -
        gst_opentok_token_get_create_time (token),
        GST_OPENTOK_TOKEN_DEFAULT_LIFETIME);
    fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
        "");
    g_free (expect_refused_full (text, API_KEY, API_SECRET, NULL,
            gst_opentok_token_get_expire_time (token),
            GST_OPENTOK_TOKEN_ERROR_EXPIRED));
    gst_opentok_token_unref (token);
    g_free (text);
  }
}

GST_END_TEST;

GST_START_TEST (test_mint_jwt_has_the_sdk_claims_in_order)
{
  const gchar *order[] = { "\"iss\":\"123456\"", "\"ist\":\"project\"",
    "\"iat\":", "\"exp\":4102444800", "\"session_id\":\"" SDK_SESSION_ID "\"",
    "\"create_time\":", "\"nonce\":0.", "\"role\":\"moderator\"",
    "\"expire_time\":4102444800", "\"connection_data\":\"name=Bob\"",
    "\"initial_layout_class_list\":\"\"", "\"scope\":\"session.connect\"}"
  };
  gchar *text, *header, *claims, *expected;
  const gchar *p;
  guint i;

  text = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      API_SECRET, SDK_SESSION_ID, GST_OPENTOK_ROLE_MODERATOR,
      FAR_EXPIRE_TIME, "name=Bob", NULL);
  fail_unless (text != NULL);

  /* same header bytes as the SDK's */
  fail_unless (g_str_has_prefix (text, HS256_HEADER_B64 "."));
  fail_unless (g_str_has_prefix (SDK_JWT_MODERATOR, HS256_HEADER_B64 "."));
  header = fixture_jwt_part (text, 0);
  fail_unless_equals_string (header, HS256_HEADER);

  claims = fixture_jwt_part (text, 1);
  fail_unless (g_str_has_prefix (claims, "{\"iss\":"), "%s", claims);
  p = claims;
  for (i = 0; i < G_N_ELEMENTS (order); i++) {
    const gchar *found = strstr (p, order[i]);

    fail_unless (found != NULL, "%s not in order in %s", order[i], claims);
    p = found + strlen (order[i]);
  }
  fail_unless (*p == '\0');

  /* the signature is HS256 over the first two parts */
  expected = fixture_jwt_new (HS256_HEADER, claims, -1, API_SECRET);
  fail_unless_equals_string (expected, text);

  g_free (expected);
  g_free (header);
  g_free (claims);
  g_free (text);

  /* no connection_data claim without data, as in the SDK */
  text = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, API_KEY,
      API_SECRET, SDK_SESSION_ID, GST_OPENTOK_ROLE_PUBLISHER, 0, "", NULL);
  claims = fixture_jwt_part (text, 1);
  fail_unless (strstr (claims, "connection_data") == NULL, "%s", claims);
  fail_unless (strstr (claims, "\"role\":\"publisher\"") != NULL);
  g_free (claims);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_mint_t1_has_the_sdk_fields_in_order)
{
  GRegex *regex;
  gchar *text, *decoded;
  gsize len;

  text = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_T1, API_KEY,
      API_SECRET, SDK_SESSION_ID, GST_OPENTOK_ROLE_MODERATOR,
      FAR_EXPIRE_TIME, "name=Bob \xc3\xa9!~*'()", NULL);
  fail_unless (text != NULL);
  fail_unless (g_str_has_prefix (text, "T1=="));
  decoded = (gchar *) g_base64_decode (text + 4, &len);
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';

  /* escaped as Node's querystring.stringify() does */
  regex = g_regex_new ("^partner_id=123456&sig=[0-9a-f]{40}:"
      "session_id=" SDK_SESSION_ID "&create_time=[0-9]{10}"
      "&nonce=0\\.[0-9]{1,17}&role=moderator&expire_time=4102444800"
      "&connection_data=name%3DBob%20%C3%A9!~\\*'\\(\\)"
      "&initial_layout_class_list=&scope=session\\.connect$", 0, 0, NULL);
  fail_unless (g_regex_match (regex, decoded, 0, NULL), "%s", decoded);
  g_regex_unref (regex);

  g_free (decoded);
  g_free (text);

  /* no connection_data field without data */
  text = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_T1, API_KEY,
      API_SECRET, SDK_SESSION_ID, GST_OPENTOK_ROLE_SUBSCRIBER, 0, NULL, NULL);
  decoded = (gchar *) g_base64_decode (text + 4, &len);
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';
  fail_unless (strstr (decoded, "connection_data") == NULL, "%s", decoded);
  fail_unless (strstr (decoded, "&role=subscriber&") != NULL, "%s", decoded);
  g_free (decoded);
  g_free (text);
}

GST_END_TEST;

/* Every byte but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is escaped, as Node's
 * querystring.escape() does, and reads back unchanged. */
GST_START_TEST (test_mint_t1_escapes_like_node_querystring)
{
  const gchar *data = " !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\x7f\x01"
      "\xc3\xa9\xf0\x9f\x98\x80";
  const gchar *escaped = "&connection_data=%20!%22%23%24%25%26'()*%2B%2C-.%2F"
      "09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%7F%01"
      "%C3%A9%F0%9F%98%80&initial_layout_class_list=&";
  GstOpenTokToken *token;
  gchar *text, *decoded;
  gsize len;

  text = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_T1, API_KEY,
      API_SECRET, SDK_SESSION_ID, GST_OPENTOK_ROLE_PUBLISHER,
      FAR_EXPIRE_TIME, data, NULL);
  fail_unless (text != NULL);
  decoded = (gchar *) g_base64_decode (text + 4, &len);
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';
  fail_unless (strstr (decoded, escaped) != NULL, "%s", decoded);
  g_free (decoded);

  token = expect_accepted (text, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      data);
  gst_opentok_token_unref (token);
  g_free (text);
}

GST_END_TEST;

static void
expect_mint_refused (GstOpenTokTokenFormat format, const gchar * key,
    const gchar * secret, const gchar * session_id, GstOpenTokRole role,
    gint64 expire_time, const gchar * data, gint code)
{
  GError *error = NULL;
  gchar *token;

  token = gst_opentok_token_mint (format, key, secret, session_id, role,
      expire_time, data, &error);
  fail_unless (token == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_TOKEN_ERROR);
  fail_unless (error->code == code, "expected %d, got %d (%s)", code,
      error->code, error->message);
  check_message (error, NULL);
  g_error_free (error);
}

static void
expect_mint_accepted (GstOpenTokTokenFormat format, const gchar * data)
{
  GstOpenTokToken *token;
  GError *error = NULL;
  gchar *text;

  text = gst_opentok_token_mint (format, API_KEY, API_SECRET, SDK_SESSION_ID,
      GST_OPENTOK_ROLE_PUBLISHER, 0, data, &error);
  fail_unless (text != NULL, "%s", error ? error->message : "");
  token = expect_accepted (text, SDK_SESSION_ID, 0);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      data);
  gst_opentok_token_unref (token);
  g_free (text);
}

static gchar *
repeat (const gchar * unit, guint count)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < count; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_mint_refusals)
{
  GstOpenTokTokenFormat format;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (format = GST_OPENTOK_TOKEN_FORMAT_JWT;
      format <= GST_OPENTOK_TOKEN_FORMAT_T1; format++) {
    gchar *data;

    expect_mint_refused (format, "", API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    expect_mint_refused (format, API_KEY, "", SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        (GstOpenTokRole) 42, 0, NULL, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        (GstOpenTokRole) - 1, 0, NULL, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);

    /* the session must belong to the API key */
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_OTHER_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, NULL,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY);
    expect_mint_refused (format, API_KEY, API_SECRET, "not a session id",
        GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
    expect_mint_refused (format, API_KEY, API_SECRET, "",
        GST_OPENTOK_ROLE_PUBLISHER, 0, NULL, GST_OPENTOK_TOKEN_ERROR_MALFORMED);

    /* expiry in the past, or beyond what a date can show */
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, now - 10, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, -1, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, G_MAXINT64, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);

    /* connection data: 1024 characters as JavaScript counts them */
    data = repeat ("a", 1024);
    expect_mint_accepted (format, data);
    g_free (data);
    data = repeat ("a", 1025);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, data,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    g_free (data);
    data = repeat ("\xc3\xa9", 1024);   /* 2048 bytes, 1024 characters */
    expect_mint_accepted (format, data);
    g_free (data);
    data = repeat ("\xf0\x9f\x98\x80", 512);    /* 1024 UTF-16 units */
    expect_mint_accepted (format, data);
    g_free (data);
    data = repeat ("\xf0\x9f\x98\x80", 513);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, data,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
    g_free (data);
    expect_mint_refused (format, API_KEY, API_SECRET, SDK_SESSION_ID,
        GST_OPENTOK_ROLE_PUBLISHER, 0, "bad \xff utf-8",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
  }
}

GST_END_TEST;

/* Malformed and hostile input */

GST_START_TEST (test_jwt_malformed_structure)
{
  gchar *token, *huge;

  expect_refused ("", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("abc", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("a.b", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("..", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("a.b.c.d", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("T1", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);

  /* a real token with a part added or removed */
  token = g_strconcat (SDK_JWT_MODERATOR, ".", NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = g_strconcat (SDK_JWT_MODERATOR, ".abc", NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = g_strdup (SDK_JWT_MODERATOR);
  *strrchr (token, '.') = '\0';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* the header is not base64url, or not a JSON object */
  expect_refused ("!!!." HS256_HEADER_B64 ".abc", SDK_NOW,
      GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("e.x.y", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  token = fixture_jwt_new ("[\"HS256\"]", "{}", -1, API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = fixture_jwt_new ("{\"alg\":\"HS256\"", "{}", -1, API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = fixture_jwt_new ("\"HS256\"", "{}", -1, API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* too long: refused before anything is decoded */
  huge = g_strnfill (GST_OPENTOK_TOKEN_MAX_LENGTH + 1, 'a');
  expect_refused (huge, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  memcpy (huge, "T1==", 4);
  expect_refused (huge, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (huge);
  huge = g_strnfill (10 * 1024 * 1024, '.');
  expect_refused (huge, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (huge);
}

GST_END_TEST;

GST_START_TEST (test_jwt_algorithms_other_than_hs256_are_refused)
{
  const gchar *headers[] = {
    "{\"alg\":\"none\",\"typ\":\"JWT\"}",
    "{\"alg\":\"None\"}",
    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
    "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
    "{\"alg\":\"hs256\"}",
    "{\"alg\":\"\"}",
    "{\"alg\":256}",
    "{\"alg\":null}",
    "{\"alg\":[\"HS256\"]}",
    "{\"typ\":\"JWT\"}",
    "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
  };
  gchar *good, *claims, *token, *header_b64, *message;
  gchar **parts;
  guint i;

  good = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL);
  claims = fixture_jwt_part (good, 1);
  for (i = 0; i < G_N_ELEMENTS (headers); i++) {
    /* signed with the secret: the algorithm alone is refused */
    token = fixture_jwt_new (headers[i], claims, -1, API_SECRET);
    expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
    g_free (token);
  }

  /* the classic unsigned token: header alg none, empty signature */
  header_b64 = fixture_base64url_encode (headers[0], strlen (headers[0]));
  parts = g_strsplit (good, ".", -1);
  token = g_strdup_printf ("%s.%s.", header_b64, parts[1]);
  g_strfreev (parts);
  message = expect_refused_full (token, API_KEY, API_SECRET, SDK_SESSION_ID,
      SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  fail_unless (strstr (message, "\"none\"") != NULL, "%s", message);
  fail_unless (strstr (message, "HS256") != NULL, "%s", message);
  g_free (message);
  g_free (token);
  g_free (header_b64);

  /* a good token with its signature removed */
  token = g_strdup (good);
  strrchr (token, '.')[1] = '\0';
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);

  /* the good one, for contrast */
  gst_opentok_token_unref (expect_accepted (good, SDK_SESSION_ID, SDK_NOW));
  g_free (claims);
  g_free (good);
}

GST_END_TEST;

GST_START_TEST (test_jwt_payload_must_be_a_json_object)
{
  const gchar *payloads[] = {
    "", "not json", "[]", "[{\"iss\":\"123456\"}]", "null", "\"string\"",
    "42", "{", "{\"iss\":\"123456\",}", "{\"iss\":\"123456\"} trailing",
  };
  gchar *token;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (payloads); i++) {
    token = fixture_jwt_new (HS256_HEADER, payloads[i], -1, API_SECRET);
    expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
    g_free (token);
  }

  /* invalid UTF-8 and NUL bytes, correctly signed */
  token =
      fixture_jwt_new (HS256_HEADER, "{\"iss\":\"\xff\xfe\"}", -1, API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = fixture_jwt_new (HS256_HEADER, "{\"iss\":\"1\0\"}", 12, API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* a payload that is not base64url, correctly signed */
  token = fixture_jwt_sign (HS256_HEADER_B64 ".e*J9", API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = fixture_jwt_sign (HS256_HEADER_B64 ".eyJ9=", API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = fixture_jwt_sign (HS256_HEADER_B64 ".", API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  /* the same, with a wrong signature: only the signature is reported */
  token = g_strconcat (HS256_HEADER_B64, ".e*J9.", "abc", NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE);
  g_free (token);
}

GST_END_TEST;

GST_START_TEST (test_jwt_deep_nesting_is_refused)
{
  gchar *open, *close, *extra, *token;

  /* 15 arrays inside the claims object: depth 16 is still read */
  open = g_strnfill (15, '[');
  close = g_strnfill (15, ']');
  extra = g_strdup_printf ("\"x\":%s%s", open, close);
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
      extra);
  gst_opentok_token_unref (expect_accepted (token, SDK_SESSION_ID, SDK_NOW));
  g_free (token);
  g_free (extra);
  g_free (open);
  g_free (close);

  /* one more is refused */
  open = g_strnfill (16, '[');
  close = g_strnfill (16, ']');
  extra = g_strdup_printf ("\"x\":%s%s", open, close);
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
      extra);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  g_free (extra);
  g_free (open);
  g_free (close);

  /* brackets inside strings do not count */
  open = g_strnfill (100, '[');
  extra = g_strdup_printf ("\"x\":\"%s\\\"{{{\"", open);
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
      extra);
  gst_opentok_token_unref (expect_accepted (token, SDK_SESSION_ID, SDK_NOW));
  g_free (token);
  g_free (extra);
  g_free (open);

  /* as deep as the length limit allows */
  open = g_strnfill (20000, '[');
  close = g_strnfill (20000, ']');
  extra = g_strdup_printf ("\"x\":%s%s", open, close);
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
      extra);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  g_free (extra);
  g_free (open);
  g_free (close);
}

GST_END_TEST;

GST_START_TEST (test_jwt_length_limit_is_exact)
{
  gchar *filler, *extra, *token;
  gboolean found_max = FALSE, found_over = FALSE;
  gsize n;

  /* pad a good token with a filler claim around the limit */
  for (n = GST_OPENTOK_TOKEN_MAX_LENGTH * 3 / 4 - 400;
      n < GST_OPENTOK_TOKEN_MAX_LENGTH * 3 / 4; n++) {
    gsize len;

    filler = g_strnfill (n, 'f');
    extra = g_strdup_printf ("\"x\":\"%s\"", filler);
    token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        extra);
    len = strlen (token);
    if (len == GST_OPENTOK_TOKEN_MAX_LENGTH) {
      gst_opentok_token_unref (expect_accepted (token, SDK_SESSION_ID,
              SDK_NOW));
      found_max = TRUE;
    } else if (len > GST_OPENTOK_TOKEN_MAX_LENGTH && !found_over) {
      expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
      found_over = TRUE;
    }
    g_free (token);
    g_free (extra);
    g_free (filler);
  }
  fail_unless (found_max);
  fail_unless (found_over);
}

GST_END_TEST;

typedef struct
{
  const gchar *iss, *ist, *exp, *sid, *scope, *extra;
  gint code;                    /* -1: accepted */
} ClaimCase;

GST_START_TEST (test_jwt_claims_are_checked)
{
  const ClaimCase cases[] = {
    /* all good */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL, -1},
    /* issuer */
    {NULL, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"123456", GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"null", GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"\"654321\"", GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY},
    {"\"\"", GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY},
    {"\"1234567\"", GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY},
    /* issuer type */
    {GOOD_ISS, NULL, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, "\"account\"", GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, "1", GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* scope */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, NULL, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, "\"session.admin\"", NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, "[\"session.connect\"]", NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* session */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, NULL, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, "\"\"", GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, "42", GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, "\"" SDK_OTHER_SESSION_ID "\"",
        GOOD_SCOPE, NULL, GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION},
    /* expiry: integers or doubles, the earlier of exp and expire_time */
    {GOOD_ISS, GOOD_IST, NULL, GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, NULL, GOOD_SID, GOOD_SCOPE,
        "\"expire_time\":4102444800", -1},
    {GOOD_ISS, GOOD_IST, "4102444800.5", GOOD_SID, GOOD_SCOPE, NULL, -1},
    {GOOD_ISS, GOOD_IST, "4.1024448e9", GOOD_SID, GOOD_SCOPE, NULL, -1},
    {GOOD_ISS, GOOD_IST, "\"4102444800\"", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, "true", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, "-1", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, "1e300", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, "99999999999999999999", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, "0", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {GOOD_ISS, GOOD_IST, "1795465490", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {GOOD_ISS, GOOD_IST, "1795465490.9", GOOD_SID, GOOD_SCOPE, NULL,
        GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {GOOD_ISS, GOOD_IST, "1795465491", GOOD_SID, GOOD_SCOPE, NULL, -1},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"expire_time\":1795465490", GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {GOOD_ISS, GOOD_IST, "1795465490", GOOD_SID, GOOD_SCOPE,
        "\"expire_time\":4102444800", GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"expire_time\":\"soon\"", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* other times */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"iat\":\"now\"",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"create_time\":false", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"create_time\":{}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* nonce: a number (double) or a string */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"nonce\":0.7979012488296928", -1},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"nonce\":12345",
        -1},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"nonce\":\"abc\"",
        -1},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"nonce\":{}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"nonce\":null",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* role */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"role\":\"admin\"", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"role\":\"Moderator\"", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"role\":\"\"",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, "\"role\":3",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* data and layout */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"connection_data\":42", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
          "\"connection_data\":{\"name\":\"Bob\"}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
          "\"initial_layout_class_list\":[\"focus\"]",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* unknown claims are ignored */
    {GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
        "\"sub\":\"video\",\"acl\":{\"paths\":{\"/session/**\":{}}}", -1},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    const ClaimCase *c = &cases[i];
    GstOpenTokToken *token;
    GError *error = NULL;
    gchar *jwt;

    jwt = client_jwt (c->iss, c->ist, c->exp, c->sid, c->scope, c->extra);
    token = gst_opentok_token_verify (jwt, API_KEY, API_SECRET,
        SDK_SESSION_ID, SDK_NOW, &error);
    if (c->code < 0) {
      fail_unless (token != NULL, "case %u refused: %s", i,
          error ? error->message : "");
      gst_opentok_token_unref (token);
    } else {
      fail_unless (token == NULL, "case %u accepted", i);
      fail_unless (error->domain == GST_OPENTOK_TOKEN_ERROR);
      fail_unless (error->code == c->code, "case %u: expected %d, got %d "
          "(%s)", i, c->code, error->code, error->message);
      check_message (error, jwt);
      g_error_free (error);
    }
    g_free (jwt);
  }
}

GST_END_TEST;

GST_START_TEST (test_jwt_claim_defaults)
{
  GstOpenTokToken *token;
  gchar *jwt;

  /* no role: publisher; no times but exp: create time 0; no data: "" */
  jwt = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE, NULL);
  token = expect_accepted (jwt, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_PUBLISHER);
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token), 0);
  fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
      FAR_EXPIRE_TIME);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token), "");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "");
  gst_opentok_token_unref (token);
  g_free (jwt);

  /* iat stands in for a missing create_time; a double exp rounds down */
  jwt = client_jwt (GOOD_ISS, GOOD_IST, "4102444800.75", GOOD_SID,
      GOOD_SCOPE, "\"iat\":1795465479.5");
  token = expect_accepted (jwt, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token), SDK_IAT);
  fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
      FAR_EXPIRE_TIME);
  gst_opentok_token_unref (token);
  g_free (jwt);

  /* the earlier of exp and expire_time */
  jwt = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID, GOOD_SCOPE,
      "\"expire_time\":1800000000,\"create_time\":1795465480");
  token = expect_accepted (jwt, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int64 (gst_opentok_token_get_expire_time (token),
      1800000000);
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token),
      SDK_CREATE_TIME);
  gst_opentok_token_unref (token);
  g_free (jwt);
}

GST_END_TEST;

GST_START_TEST (test_jwt_connection_data_limit)
{
  const struct
  {
    const gchar *unit;
    guint count;
    gboolean accepted;
  } cases[] = {
    {"a", 1024, TRUE},
    {"a", 1025, FALSE},
    {"\xc3\xa9", 1024, TRUE},
    {"\xc3\xa9", 1025, FALSE},
    {"\xf0\x9f\x98\x80", 512, TRUE},
    {"\xf0\x9f\x98\x80", 513, FALSE},
    {"\\u00e9", 1024, TRUE},    /* JSON escapes count once */
    {"\\u00e9", 1025, FALSE},
  };
  const gchar *names[] = { "connection_data", "initial_layout_class_list" };
  guint i, j;

  for (j = 0; j < G_N_ELEMENTS (names); j++) {
    for (i = 0; i < G_N_ELEMENTS (cases); i++) {
      gchar *value = repeat (cases[i].unit, cases[i].count);
      gchar *extra = g_strdup_printf ("\"%s\":\"%s\"", names[j], value);
      gchar *jwt = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, GOOD_SID,
          GOOD_SCOPE, extra);

      if (cases[i].accepted)
        gst_opentok_token_unref (expect_accepted (jwt, SDK_SESSION_ID,
                SDK_NOW));
      else
        expect_refused (jwt, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
      g_free (jwt);
      g_free (extra);
      g_free (value);
    }
  }
}

GST_END_TEST;

GST_START_TEST (test_token_session_must_belong_to_the_api_key)
{
  gchar *sid, *token, *message;

  /* signed with our secret and key, but for a session of another key */
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP,
      "\"" SDK_OTHER_SESSION_ID "\"", GOOD_SCOPE, NULL);
  message = expect_refused_full (token, API_KEY, API_SECRET, NULL, SDK_NOW,
      GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY);
  fail_unless (strstr (message, "654321") != NULL, "%s", message);
  g_free (message);
  g_free (expect_refused_full (token, API_KEY, API_SECRET,
          SDK_OTHER_SESSION_ID, SDK_NOW,
          GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY));
  g_free (token);

  token = t1_sign (API_KEY, "session_id=" SDK_OTHER_SESSION_ID
      "&expire_time=4102444800", API_SECRET);
  g_free (expect_refused_full (token, API_KEY, API_SECRET, NULL, SDK_NOW,
          GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY));
  g_free (token);

  /* a session id that does not decode is allowed */
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, "\"my-session\"",
      GOOD_SCOPE, NULL);
  gst_opentok_token_unref (expect_accepted (token, "my-session", SDK_NOW));
  g_free (token);

  /* one made by hand for our key is fine */
  sid = make_session_id ("2~123456~us~1795459307926~xyz~");
  message = g_strdup_printf ("\"%s\"", sid);
  token = client_jwt (GOOD_ISS, GOOD_IST, GOOD_EXP, message, GOOD_SCOPE, NULL);
  gst_opentok_token_unref (expect_accepted (token, sid, SDK_NOW));
  g_free (token);
  g_free (message);
  g_free (sid);
}

GST_END_TEST;

/* T1 hand-made tokens */

GST_START_TEST (test_t1_malformed)
{
  const gchar *plains[] = {
    "",
    "partner_id=123456&sig=abc",        /* no ':' */
    ":session_id=x",            /* no partner_id, no sig */
    "partner_id=123456:session_id=x",
    "sig=0000000000000000000000000000000000000000:session_id=x",
    "partner_id=123456&partner_id=123456&sig=00:x",
    "partner_id=12%3&sig=00:x",
    "partner_id=12%zz&sig=00:x",
    "partner_id=%FF&sig=00:x",
  };
  gchar *token, *big;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (plains); i++) {
    token = t1_from_plain (plains[i], strlen (plains[i]));
    expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
    g_free (token);
  }

  expect_refused ("T1==", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("T1==!!!!", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("T1==A", SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_refused ("T1==" SDK_JWT_MODERATOR, SDK_NOW,
      GST_OPENTOK_TOKEN_ERROR_MALFORMED);

  /* NUL bytes inside */
  token = t1_from_plain ("partner_id=123456\0&sig=00:x", 27);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* a correctly signed data part with bad encoding or repeated fields */
  token = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800&role=%"),
      API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800"
          "&connection_data=%00"), API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800"
          "&connection_data=%C3"), API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  token = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800"
          "&role=moderator&role=subscriber"), API_SECRET);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);

  /* huge */
  big = g_strnfill (GST_OPENTOK_TOKEN_MAX_LENGTH, 'A');
  token = g_strconcat ("T1==", big, NULL);
  expect_refused (token, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (token);
  g_free (big);
}

GST_END_TEST;

/* Verifies a T1 token signed over @data, case @i of a table: refused with
 * @code, or accepted when @code is negative and then returned. */
static GstOpenTokToken *
verify_t1_case (guint i, const gchar * data, gint code)
{
  GstOpenTokToken *token;
  GError *error = NULL;
  gchar *text = t1_sign (API_KEY, data, API_SECRET);

  token = gst_opentok_token_verify (text, API_KEY, API_SECRET,
      SDK_SESSION_ID, SDK_NOW, &error);
  if (code < 0) {
    fail_unless (token != NULL, "case %u refused: %s", i,
        error ? error->message : "");
  } else {
    fail_unless (token == NULL, "case %u accepted", i);
    fail_unless (error->code == code, "case %u: expected %d, got %d (%s)", i,
        code, error->code, error->message);
    check_message (error, text);
    g_error_free (error);
  }
  g_free (text);
  return token;
}

GST_START_TEST (test_t1_fields_are_checked)
{
  const struct
  {
    const gchar *data;
    gint code;
  } cases[] = {
    {T1_DATA ("&expire_time=4102444800"), -1},
    /* fields in another order, as other SDKs write them */
    {"expire_time=4102444800&role=moderator&nonce=abc&session_id="
          SDK_SESSION_ID "&create_time=1795465480", -1},
    {T1_DATA ("&expire_time=4102444800&scope=session.connect"), -1},
    {T1_DATA ("&expire_time=4102444800&unknown=1&&"), -1},
    {T1_DATA ("&expire_time=4102444800&scope=session.admin"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=4102444800&scope="),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA (""), GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time="), GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=soon"), GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=-5"), GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=+4102444800"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=4.1e9"), GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=99999999999999999999"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=1795465490"), GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {T1_DATA ("&expire_time=1795465491"), -1},
    {T1_DATA ("&expire_time=4102444800&create_time=yesterday"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=4102444800&role=admin"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {T1_DATA ("&expire_time=4102444800&role="),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"expire_time=4102444800", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"session_id=&expire_time=4102444800",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"session_id=" SDK_OTHER_SESSION_ID "&expire_time=4102444800",
        GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstOpenTokToken *token = verify_t1_case (i, cases[i].data, cases[i].code);

    if (token != NULL)
      gst_opentok_token_unref (token);
  }
}

GST_END_TEST;

GST_START_TEST (test_t1_decoding)
{
  GstOpenTokToken *token;
  gchar *text, *data, *value;

  /* '+' is a space, %XX any byte; lower-case hex digits too */
  text = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800&role=subscriber"
          "&connection_data=a+b%2bc%c3%a9&initial_layout_class_list=x%20y"),
      API_SECRET);
  token = expect_accepted (text, SDK_SESSION_ID, SDK_NOW);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_SUBSCRIBER);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "a b+c\xc3\xa9");
  fail_unless_equals_string (gst_opentok_token_get_initial_layout_class_list
      (token), "x y");
  fail_unless_equals_int64 (gst_opentok_token_get_create_time (token), 0);
  gst_opentok_token_unref (token);
  g_free (text);

  /* the 1024 character limit applies after decoding */
  value = repeat ("%C3%A9", 1024);
  data = g_strdup_printf (T1_DATA ("&expire_time=4102444800"
          "&connection_data=%s"), value);
  text = t1_sign (API_KEY, data, API_SECRET);
  gst_opentok_token_unref (expect_accepted (text, SDK_SESSION_ID, SDK_NOW));
  g_free (text);
  g_free (data);
  g_free (value);
  value = repeat ("a", 1025);
  data = g_strdup_printf (T1_DATA ("&expire_time=4102444800"
          "&connection_data=%s"), value);
  text = t1_sign (API_KEY, data, API_SECRET);
  expect_refused (text, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
  g_free (text);
  g_free (data);
  g_free (value);

  /* the signature covers the data exactly as sent */
  text = t1_sign (API_KEY, T1_DATA ("&expire_time=4102444800&a=%41"),
      API_SECRET);
  gst_opentok_token_unref (expect_accepted (text, SDK_SESSION_ID, SDK_NOW));
  g_free (text);
}

GST_END_TEST;

/* How the T1 forms are read: Node's querystring.parse() as the reference,
 * strict about escapes and UTF-8, a name counted after decoding. */
GST_START_TEST (test_t1_form_edge_cases)
{
  const struct
  {
    const gchar *data;
    gint code;
    const gchar *connection_data;
  } cases[] = {
    /* empty fields are skipped, wherever they are */
    {"&&" T1_DATA ("&&&expire_time=4102444800&"), -1, ""},
    /* a name without "=" has an empty value */
    {T1_DATA ("&expire_time=4102444800&connection_data"
              "&initial_layout_class_list"), -1, ""},
    {T1_DATA ("&expire_time=4102444800&role"),
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* an empty name is just another unknown field */
    {T1_DATA ("&expire_time=4102444800&=x"), -1, ""},
    /* names are decoded too; a value keeps every "=" after the first */
    {T1_DATA ("&expire%5Ftime=4102444800&%63onnection_data=a=b=="), -1,
        "a=b=="},
    {T1_DATA ("&expire_time=4102444800&connection_data=%2B+%2b%41%e2%82%ac"),
        -1, "+ +A\xe2\x82\xac"},
    /* a name seen twice, however it is spelled */
    {T1_DATA ("&expire_time=4102444800&role=moderator&r%6Fle=subscriber"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&a&a="),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&=x&="),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    /* bad escapes, in values and in names */
    {T1_DATA ("&expire_time=4102444800&connection_data=%"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=%4"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=%4g"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=%G1"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&a%=1"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&a%00=1"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    /* what does not decode to UTF-8: a lone byte, an overlong form, a
     * surrogate, a raw byte */
    {T1_DATA ("&expire_time=4102444800&connection_data=%E9"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=%C0%AF"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=%ED%A0%80"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
    {T1_DATA ("&expire_time=4102444800&connection_data=\xff"),
        GST_OPENTOK_TOKEN_ERROR_MALFORMED},
  };
  GstOpenTokToken *token;
  gchar *sig, *plain, *text;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    token = verify_t1_case (i, cases[i].data, cases[i].code);
    if (token != NULL) {
      fail_unless_equals_string (gst_opentok_token_get_connection_data
          (token), cases[i].connection_data);
      gst_opentok_token_unref (token);
    }
  }

  /* the head is read the same way */
  sig = g_compute_hmac_for_string (G_CHECKSUM_SHA1,
      (const guchar *) API_SECRET, strlen (API_SECRET),
      T1_DATA ("&expire_time=4102444800"), -1);
  plain = g_strdup_printf ("&partner%%5Fid=123456&&sig=%s&v:%s", sig,
      T1_DATA ("&expire_time=4102444800"));
  text = t1_from_plain (plain, strlen (plain));
  gst_opentok_token_unref (expect_accepted (text, SDK_SESSION_ID, SDK_NOW));
  g_free (text);
  g_free (plain);
  plain = g_strdup_printf ("partner_id=123456&sig=%s&sig=%s:%s", sig, sig,
      T1_DATA ("&expire_time=4102444800"));
  text = t1_from_plain (plain, strlen (plain));
  expect_refused (text, SDK_NOW, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (text);
  g_free (plain);
  g_free (sig);
}

GST_END_TEST;

/* Session ids */

GST_START_TEST (test_session_id_new_format)
{
  GRegex *regex;
  gchar *previous = NULL;
  guint i;

  regex = g_regex_new ("^1~([^~]+)~~([0-9]{13})~([0-9a-f]{18})~$", 0, 0, NULL);

  for (i = 0; i < 200; i++) {
    gchar *key, *sid, *decoded_key, *std, *p;
    guchar *decoded;
    gsize len;
    GMatchInfo *match = NULL;
    gint64 ms, now_ms = g_get_real_time () / 1000;
    gchar *ms_text;

    /* keys of every length mod 3 exercise all the base64 tails */
    key = i == 0 ? g_strdup (API_KEY) : g_strdup_printf ("%u", g_random_int ()
        >> (i % 29));
    sid = gst_opentok_session_id_new (key);
    fail_unless (g_str_has_prefix (sid, "1_"));
    fail_unless (strchr (sid, '/') == NULL, "%s", sid);
    fail_unless (strchr (sid, '+') == NULL, "%s", sid);
    fail_unless (strchr (sid, '=') == NULL, "%s", sid);
    fail_unless (previous == NULL || strcmp (previous, sid) != 0);

    std = g_strdup (sid + 2);
    for (p = std; *p; p++) {
      if (*p == '-')
        *p = '+';
      else if (*p == '_')
        *p = '/';
    }
    std = g_realloc (std, strlen (std) + 3);
    while (strlen (std) % 4 != 0)
      strcat (std, "=");
    decoded = g_base64_decode (std, &len);
    p = g_strndup ((const gchar *) decoded, len);
    fail_unless (g_regex_match (regex, p, 0, &match), "%s", p);
    ms_text = g_match_info_fetch (match, 2);
    ms = g_ascii_strtoll (ms_text, NULL, 10);
    fail_unless (ms >= now_ms - 1000 && ms <= now_ms + 1000);
    g_free (ms_text);
    ms_text = g_match_info_fetch (match, 1);
    fail_unless_equals_string (ms_text, key);
    g_free (ms_text);
    g_match_info_free (match);

    decoded_key = gst_opentok_session_id_get_api_key (sid, NULL);
    fail_unless_equals_string (decoded_key, key);

    g_free (p);
    g_free (decoded);
    g_free (std);
    g_free (decoded_key);
    g_free (previous);
    previous = sid;
    g_free (key);
  }
  g_free (previous);
  g_regex_unref (regex);
}

GST_END_TEST;

GST_START_TEST (test_session_id_get_api_key)
{
  const struct
  {
    const gchar *session_id;
    const gchar *api_key;       /* NULL: malformed */
  } cases[] = {
    /* the protocol notes' example */
    {"1_MX4xMjM0NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfg", "123456"},
    /* padded, standard alphabet, another prefix: the SDK reads them too */
    {"1_MX4xMjM0NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfg==",
        "123456"},
    {"2_MX4xMjM0NTZ+fjE3OTU0NTkzMDc5MjZ+YmY0YzJkOWRhYWIyOWUyNTRhfg", "123456"},
    {SDK_SESSION_ID, API_KEY},
    {SDK_OTHER_SESSION_ID, OTHER_API_KEY},
    /* base64 ("1~42") : a key with nothing after it */
    {"1_MX40Mg", "42"},
    {"", NULL},
    {"1_", NULL},
    {"1_M", NULL},
    {"1_!!!!", NULL},
    {"1_MX4xMjM0NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfg=", NULL},
    {"1_MX4xMjM0NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfh", NULL},
    {"1_MX4xMjM0 NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfg", NULL},
    {"1_aGVsbG8", NULL},        /* "hello": no '~' */
    {"1_MX5-eA", NULL},         /* "1~~x": empty key */
    {"1_MX4AMX4", NULL},        /* "1~\01~": unprintable key */
    {"\xc3\xa9_MX4xMjM0NTZ-", NULL},
    {"my-session", NULL},
  };
  gchar *long_id;
  GError *error = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *key = gst_opentok_session_id_get_api_key (cases[i].session_id,
        &error);

    if (cases[i].api_key != NULL) {
      fail_unless (key != NULL, "case %u: %s", i, error ? error->message : "");
      fail_unless_equals_string (key, cases[i].api_key);
      g_free (key);
    } else {
      fail_unless (key == NULL, "case %u: got %s", i, key);
      fail_unless (g_error_matches (error, GST_OPENTOK_TOKEN_ERROR,
              GST_OPENTOK_TOKEN_ERROR_MALFORMED), "case %u", i);
      fail_unless (error->message[0] != '\0');
      g_clear_error (&error);
    }
  }

  long_id = g_strnfill (100000, 'A');
  long_id[0] = '1';
  long_id[1] = '_';
  fail_if (gst_opentok_session_id_get_api_key (long_id, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_MALFORMED));
  g_clear_error (&error);
  g_free (long_id);

  /* NULL error is fine */
  fail_if (gst_opentok_session_id_get_api_key ("", NULL));
}

GST_END_TEST;

/* REST credentials */

GST_START_TEST (test_sdk_rest_jwt_is_accepted_until_it_expires)
{
  GError *error = NULL;

  fail_unless (gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY,
          API_SECRET, SDK_IAT, &error), "%s", error ? error->message : "");
  fail_unless (gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY,
          API_SECRET, SDK_IAT + GST_OPENTOK_REST_JWT_MAX_LIFETIME - 1, NULL));
  /* a client whose clock is a little ahead */
  fail_unless (gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY,
          API_SECRET, SDK_IAT - GST_OPENTOK_REST_JWT_CLOCK_SKEW, NULL));
  expect_rest_refused (SDK_REST_JWT, SDK_IAT - GST_OPENTOK_REST_JWT_CLOCK_SKEW
      - 1, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);

  fail_if (gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY, API_SECRET,
          SDK_IAT + GST_OPENTOK_REST_JWT_MAX_LIFETIME, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_EXPIRED));
  fail_unless_equals_string (error->message,
      "REST API token expired at 2026-11-23T20:29:39Z");
  g_clear_error (&error);
  /* long expired: the system clock is later than 2026-11-23 ... or not;
   * either way a verdict without criticals */
  gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY, API_SECRET, 0, NULL);

  fail_if (gst_opentok_rest_jwt_verify (SDK_REST_JWT, API_KEY,
          OTHER_API_SECRET, SDK_IAT, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE));
  check_message (error, SDK_REST_JWT);
  g_clear_error (&error);

  fail_if (gst_opentok_rest_jwt_verify (SDK_REST_JWT, OTHER_API_KEY,
          API_SECRET, SDK_IAT, &error));
  fail_unless (g_error_matches (error, GST_OPENTOK_TOKEN_ERROR,
          GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY), "%s", error->message);
  g_clear_error (&error);

  /* client tokens are not REST credentials */
  expect_rest_refused (SDK_JWT_MODERATOR, SDK_NOW,
      GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
  expect_rest_refused (SDK_T1_MODERATOR, SDK_NOW,
      GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  /* and REST credentials are not client tokens */
  expect_refused (SDK_REST_JWT, SDK_IAT,
      GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);
}

GST_END_TEST;

GST_START_TEST (test_rest_jwt_round_trip)
{
  const gint64 lifetimes[] = { 0, -5, 1, 60, GST_OPENTOK_REST_JWT_MAX_LIFETIME,
    GST_OPENTOK_REST_JWT_MAX_LIFETIME + 1, 100000
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (lifetimes); i++) {
    GError *error = NULL;
    JsonNode *root;
    JsonObject *claims;
    gchar *jwt, *text;
    gint64 iat, exp, expected;

    jwt = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, lifetimes[i]);
    fail_unless (jwt != NULL);
    fail_unless (g_str_has_prefix (jwt, HS256_HEADER_B64 "."));

    text = fixture_jwt_part (jwt, 1);
    fail_unless (g_str_has_prefix (text, "{\"iss\":\"123456\","
            "\"ist\":\"project\",\"iat\":"), "%s", text);
    root = json_from_string (text, NULL);
    claims = json_node_get_object (root);
    iat = json_object_get_int_member (claims, "iat");
    exp = json_object_get_int_member (claims, "exp");
    expected = lifetimes[i] > 0 &&
        lifetimes[i] <= GST_OPENTOK_REST_JWT_MAX_LIFETIME ? lifetimes[i] :
        GST_OPENTOK_REST_JWT_MAX_LIFETIME;
    fail_unless_equals_int64 (exp - iat, expected);
    fail_unless (g_uuid_string_is_valid (json_object_get_string_member
            (claims, "jti")));
    fail_unless_equals_int (json_object_get_size (claims), 5);

    fail_unless (gst_opentok_rest_jwt_verify (jwt, API_KEY, API_SECRET, iat,
            &error), "%s", error ? error->message : "");
    fail_unless (gst_opentok_rest_jwt_verify (jwt, API_KEY, API_SECRET,
            exp - 1, NULL));
    if (expected >= 60)
      fail_unless (gst_opentok_rest_jwt_verify (jwt, API_KEY, API_SECRET, 0,
              NULL));
    expect_rest_refused (jwt, exp, GST_OPENTOK_TOKEN_ERROR_EXPIRED);
    fail_if (gst_opentok_rest_jwt_verify (jwt, API_KEY, OTHER_API_SECRET, 0,
            NULL));
    fail_if (gst_opentok_rest_jwt_verify (jwt, OTHER_API_KEY, API_SECRET, 0,
            NULL));
    /* not a client token either */
    expect_refused (jwt, 0, GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS);

    json_node_unref (root);
    g_free (text);
    g_free (jwt);
  }

  /* every REST JWT is different */
  {
    gchar *a = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, 0);
    gchar *b = gst_opentok_rest_jwt_new (API_KEY, API_SECRET, 0);

    fail_if (g_str_equal (a, b));
    g_free (a);
    g_free (b);
  }
}

GST_END_TEST;

GST_START_TEST (test_rest_jwt_claims_are_checked)
{
  const gint64 now = 1795465479;
  const struct
  {
    const gchar *claims;
    gint code;
  } cases[] = {
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779}", -1},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479.9,"
          "\"exp\":1795465779.2,\"jti\":\"x\"}", -1},
    /* a lifetime of 5 minutes plus the clock skew, and one more second */
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465470,"
          "\"exp\":1795465830}", -1},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465470,"
          "\"exp\":1795465831}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* issued up to the clock skew in the future */
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465539,"
          "\"exp\":1795465600}", -1},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465540,"
          "\"exp\":1795465600}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465500,"
          "\"exp\":1795465490}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465400,"
          "\"exp\":1795465479}", GST_OPENTOK_TOKEN_ERROR_EXPIRED},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1895465479}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    /* missing or mistyped claims */
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"exp\":1795465779}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":\"1795465479\","
          "\"exp\":1795465779}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":null}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779,\"jti\":7}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"iat\":1795465479,\"exp\":1795465779}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"account\",\"iat\":1795465479,"
          "\"exp\":1795465779}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"ist\":\"project\",\"iat\":1795465479,\"exp\":1795465779}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":123456,\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779}", GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"654321\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779}", GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY},
    /* a short-lived client token must not open the REST API */
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779,\"scope\":\"session.connect\"}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"{\"iss\":\"123456\",\"ist\":\"project\",\"iat\":1795465479,"
          "\"exp\":1795465779,\"session_id\":\"" SDK_SESSION_ID "\"}",
        GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS},
    {"[\"123456\"]", GST_OPENTOK_TOKEN_ERROR_MALFORMED},
  };
  gchar *jwt;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GError *error = NULL;
    gboolean ok;

    jwt = fixture_jwt_new (HS256_HEADER, cases[i].claims, -1, API_SECRET);
    ok = gst_opentok_rest_jwt_verify (jwt, API_KEY, API_SECRET, now, &error);
    if (cases[i].code < 0) {
      fail_unless (ok, "case %u refused: %s", i, error ? error->message : "");
    } else {
      fail_if (ok, "case %u accepted", i);
      fail_unless (error->code == cases[i].code, "case %u: expected %d, got "
          "%d (%s)", i, cases[i].code, error->code, error->message);
      check_message (error, jwt);
      g_error_free (error);
    }
    g_free (jwt);
  }

  /* header and structure */
  jwt = fixture_jwt_new ("{\"alg\":\"none\"}", cases[0].claims, -1, API_SECRET);
  expect_rest_refused (jwt, now, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (jwt);
  expect_rest_refused ("", now, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_rest_refused ("a.b", now, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  expect_rest_refused ("a.b.c.d", now, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  jwt = g_strnfill (GST_OPENTOK_TOKEN_MAX_LENGTH + 1, 'x');
  expect_rest_refused (jwt, now, GST_OPENTOK_TOKEN_ERROR_MALFORMED);
  g_free (jwt);
}

GST_END_TEST;

/* Roles */

GST_START_TEST (test_roles)
{
  const struct
  {
    GstOpenTokRole role;
    const gchar *name;
    const gchar *permissions;
  } roles[] = {
    {GST_OPENTOK_ROLE_SUBSCRIBER, "subscriber", "subscribe"},
    {GST_OPENTOK_ROLE_PUBLISHER, "publisher", "publish,subscribe"},
    {GST_OPENTOK_ROLE_PUBLISHER_ONLY, "publisheronly", "publish"},
    {GST_OPENTOK_ROLE_MODERATOR, "moderator",
        "publish,subscribe,forceunpublish,forcedisconnect,forcemute"},
  };
  const gchar *all[] = { "publish", "subscribe", "forceunpublish",
    "forcedisconnect", "forcemute"
  };
  const gchar *bad_names[] = { "", "Publisher", "PUBLISHER", "publisher ",
    "admin", "publisher\n", "publisher_only", "owner"
  };
  GstOpenTokRole role;
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (roles); i++) {
    const gchar *const *permissions;
    gchar *joined;

    fail_unless_equals_string (gst_opentok_role_to_string (roles[i].role),
        roles[i].name);
    role = (GstOpenTokRole) 99;
    fail_unless (gst_opentok_role_from_string (roles[i].name, &role));
    fail_unless_equals_int (role, roles[i].role);
    fail_unless (gst_opentok_role_from_string (roles[i].name, NULL));

    permissions = gst_opentok_role_get_permissions (roles[i].role);
    fail_unless (permissions != NULL);
    joined = g_strjoinv (",", (gchar **) permissions);
    fail_unless_equals_string (joined, roles[i].permissions);
    g_free (joined);
    /* static: the same array every time */
    fail_unless (permissions ==
        gst_opentok_role_get_permissions (roles[i].role));

    for (j = 0; j < G_N_ELEMENTS (all); j++) {
      gboolean expected = g_strv_contains (permissions, all[j]);

      fail_unless_equals_int (gst_opentok_role_has_permission (roles[i].role,
              all[j]), expected);
    }
    fail_if (gst_opentok_role_has_permission (roles[i].role, NULL));
    fail_if (gst_opentok_role_has_permission (roles[i].role, ""));
    fail_if (gst_opentok_role_has_permission (roles[i].role, "signal"));
    fail_if (gst_opentok_role_has_permission (roles[i].role, "Publish"));
  }

  /* every role subscribes or publishes; only the moderator forces */
  fail_unless (gst_opentok_role_has_permission (GST_OPENTOK_ROLE_MODERATOR,
          "forcedisconnect"));
  fail_if (gst_opentok_role_has_permission (GST_OPENTOK_ROLE_PUBLISHER,
          "forcedisconnect"));
  fail_if (gst_opentok_role_has_permission (GST_OPENTOK_ROLE_SUBSCRIBER,
          "publish"));
  fail_if (gst_opentok_role_has_permission (GST_OPENTOK_ROLE_PUBLISHER_ONLY,
          "subscribe"));

  for (i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    role = GST_OPENTOK_ROLE_MODERATOR;
    fail_if (gst_opentok_role_from_string (bad_names[i], &role));
    fail_unless_equals_int (role, GST_OPENTOK_ROLE_MODERATOR);
  }
  fail_if (gst_opentok_role_from_string (NULL, &role));

  /* values that are not roles */
  fail_unless (gst_opentok_role_to_string ((GstOpenTokRole) 4) == NULL);
  fail_unless (gst_opentok_role_to_string ((GstOpenTokRole) - 1) == NULL);
  fail_unless (gst_opentok_role_get_permissions ((GstOpenTokRole) 4) == NULL);
  fail_if (gst_opentok_role_has_permission ((GstOpenTokRole) 4, "publish"));

  /* the enum is registered for bindings */
  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_OPENTOK_ROLE));
  fail_unless (G_TYPE_IS_ENUM (GST_TYPE_OPENTOK_TOKEN_FORMAT));
}

GST_END_TEST;

GST_START_TEST (test_token_is_a_refcounted_boxed_type)
{
  GstOpenTokToken *token, *copy;
  GValue value = G_VALUE_INIT;

  fail_unless (G_TYPE_IS_BOXED (GST_TYPE_OPENTOK_TOKEN));
  token = expect_accepted (SDK_JWT_MODERATOR, SDK_SESSION_ID, SDK_NOW);

  copy = g_boxed_copy (GST_TYPE_OPENTOK_TOKEN, token);
  fail_unless (copy == token);
  g_boxed_free (GST_TYPE_OPENTOK_TOKEN, copy);

  g_value_init (&value, GST_TYPE_OPENTOK_TOKEN);
  g_value_set_boxed (&value, token);
  gst_opentok_token_unref (token);
  /* the GValue keeps it alive */
  token = g_value_get_boxed (&value);
  fail_unless_equals_string (gst_opentok_token_get_connection_data (token),
      "name=Bob");
  fail_unless (gst_opentok_token_ref (token) == token);
  g_value_unset (&value);
  fail_unless_equals_int (gst_opentok_token_get_role (token),
      GST_OPENTOK_ROLE_MODERATOR);
  gst_opentok_token_unref (token);
}

GST_END_TEST;

static Suite *
token_suite (void)
{
  Suite *s = suite_create ("token");
  TCase *tc_sdk = tcase_create ("sdk");
  TCase *tc_mint = tcase_create ("mint");
  TCase *tc_hostile = tcase_create ("hostile");
  TCase *tc_session = tcase_create ("session");
  TCase *tc_rest = tcase_create ("rest");
  TCase *tc_roles = tcase_create ("roles");

  suite_add_tcase (s, tc_sdk);
  tcase_add_test (tc_sdk, test_sdk_jwt_moderator_is_accepted);
  tcase_add_test (tc_sdk, test_sdk_t1_moderator_is_accepted);
  tcase_add_test (tc_sdk, test_sdk_default_tokens_are_publishers_for_a_day);
  tcase_add_test (tc_sdk, test_sdk_layout_tokens_keep_unicode_data);
  tcase_add_test (tc_sdk, test_sdk_tokens_expire_at_their_expiry_time);
  tcase_add_test (tc_sdk, test_sdk_tokens_refuse_wrong_secret);
  tcase_add_test (tc_sdk, test_empty_credentials_refuse_everything);
  tcase_add_test (tc_sdk, test_sdk_tokens_refuse_another_session);
  tcase_add_test (tc_sdk, test_sdk_tokens_of_another_project);
  tcase_add_test (tc_sdk, test_jwt_every_flipped_character_is_refused);
  tcase_add_test (tc_sdk, test_t1_every_flipped_character_is_refused);
  tcase_add_test (tc_sdk, test_t1_tampered_fields_are_refused);
  tcase_add_test (tc_sdk, test_base64_other_spellings_are_refused);

  suite_add_tcase (s, tc_mint);
  tcase_add_test (tc_mint, test_mint_jwt_round_trip);
  tcase_add_test (tc_mint, test_mint_t1_round_trip);
  tcase_add_test (tc_mint, test_mint_default_expiry_is_one_day);
  tcase_add_test (tc_mint, test_mint_jwt_has_the_sdk_claims_in_order);
  tcase_add_test (tc_mint, test_mint_t1_has_the_sdk_fields_in_order);
  tcase_add_test (tc_mint, test_mint_t1_escapes_like_node_querystring);
  tcase_add_test (tc_mint, test_mint_refusals);

  suite_add_tcase (s, tc_hostile);
  tcase_add_test (tc_hostile, test_jwt_malformed_structure);
  tcase_add_test (tc_hostile, test_jwt_algorithms_other_than_hs256_are_refused);
  tcase_add_test (tc_hostile, test_jwt_payload_must_be_a_json_object);
  tcase_add_test (tc_hostile, test_jwt_deep_nesting_is_refused);
  tcase_add_test (tc_hostile, test_jwt_length_limit_is_exact);
  tcase_add_test (tc_hostile, test_jwt_claims_are_checked);
  tcase_add_test (tc_hostile, test_jwt_claim_defaults);
  tcase_add_test (tc_hostile, test_jwt_connection_data_limit);
  tcase_add_test (tc_hostile, test_token_session_must_belong_to_the_api_key);
  tcase_add_test (tc_hostile, test_t1_malformed);
  tcase_add_test (tc_hostile, test_t1_fields_are_checked);
  tcase_add_test (tc_hostile, test_t1_decoding);
  tcase_add_test (tc_hostile, test_t1_form_edge_cases);

  suite_add_tcase (s, tc_session);
  tcase_add_test (tc_session, test_session_id_new_format);
  tcase_add_test (tc_session, test_session_id_get_api_key);

  suite_add_tcase (s, tc_rest);
  tcase_add_test (tc_rest, test_sdk_rest_jwt_is_accepted_until_it_expires);
  tcase_add_test (tc_rest, test_rest_jwt_round_trip);
  tcase_add_test (tc_rest, test_rest_jwt_claims_are_checked);

  suite_add_tcase (s, tc_roles);
  tcase_add_test (tc_roles, test_roles);
  tcase_add_test (tc_roles, test_token_is_a_refcounted_boxed_type);

  return s;
}

GST_CHECK_MAIN (token);
