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
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>

#include "fixture.h"

#define SESSION_ID \
    "1_MX4xMjM0NTZ-fjE3OTU0NTkzMDc5MjZ-YmY0YzJkOWRhYWIyOWUyNTRhfg"
#define CONNECTION_ID "0f8e5c1e-6c3d-4f1b-9a43-3d9d1bb2a7c4"
#define SIGNAL_ID "8e1f6a8c-96a4-4f4e-8a3c-0d4b5a1e2f30"

/* client -> server, protocol document section 5.1 */
static const gchar connection_create[] =
    "{\"method\":\"create\","
    "\"uri\":\"/v2/partner/123456/session/" SESSION_ID "/connection/"
    CONNECTION_ID "\","
    "\"content\":{\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 "
    "Safari/537.36\",\"clientVersion\":\"js-2.35.2\","
    "\"capabilities\":[\"forceMute\"]}}";

static const gchar signal_broadcast[] =
    "{\"method\":\"signal\",\"uri\":\"/v2/partner/123456/session/" SESSION_ID
    "/signal/" SIGNAL_ID "\",\"content\":{\"type\":\"chat\",\"data\":"
    "\"hello\"}}";

static const gchar signal_targeted[] =
    "{\"method\":\"signal\",\"uri\":\"/v2/partner/123456/session/" SESSION_ID
    "/connection/" CONNECTION_ID "/signal/" SIGNAL_ID "\","
    "\"content\":{\"data\":\"x\"}}";

/* server -> client, section 5.2 */
static const gchar connection_deleted[] =
    "{\"method\":\"deleted\",\"uri\":\"/v2/partner/123456/session/"
    SESSION_ID "/connection/" CONNECTION_ID "\","
    "\"reason\":\"clientDisconnected\",\"content\":{}}";

/* Parses a copy of @text without its NUL, in a buffer of exactly its
 * length, so that reading past @length is caught by ASan or valgrind. */
static GstOpenTokRaptorMessage *
parse_len (const gchar * text, gsize length, GError ** error)
{
  GstOpenTokRaptorMessage *message;
  gchar *copy = length > 0 ? g_memdup2 (text, length) : NULL;

  message = gst_opentok_raptor_message_parse (copy, length, error);
  g_free (copy);
  return message;
}

static GstOpenTokRaptorMessage *
parse (const gchar * text, GError ** error)
{
  return parse_len (text, strlen (text), error);
}

static GstOpenTokRaptorMessage *
parse_ok (const gchar * text)
{
  GError *error = NULL;
  GstOpenTokRaptorMessage *message = parse (text, &error);

  fail_unless (message != NULL, "refused %s: %s", text,
      error ? error->message : "");
  return message;
}

static void
expect_error_len (const gchar * text, gsize length, gint code)
{
  GError *error = NULL;
  GstOpenTokRaptorMessage *message = parse_len (text, length, &error);

  fail_unless (message == NULL, "accepted %s", text);
  fixture_check_protocol_error (error, code);
}

static void
expect_error (const gchar * text, gint code)
{
  expect_error_len (text, strlen (text), code);
}

static void
expect_malformed (const gchar * text)
{
  expect_error (text, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

static const gchar *
content_string (GstOpenTokRaptorMessage * message, const gchar * name)
{
  JsonObject *content = gst_opentok_raptor_message_get_content (message);

  fail_unless (content != NULL);
  return json_object_get_string_member_with_default (content, name, NULL);
}

GST_START_TEST (test_parse_connection_create)
{
  GstOpenTokRaptorMessage *message = parse_ok (connection_create);
  JsonObject *content;
  JsonArray *capabilities;

  fail_unless_equals_string (gst_opentok_raptor_message_get_method (message),
      "create");
  fail_unless_equals_string (gst_opentok_raptor_message_get_uri (message),
      "/v2/partner/123456/session/" SESSION_ID "/connection/" CONNECTION_ID);
  fail_unless_equals_string (gst_opentok_raptor_message_get_version
      (message), "v2");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "connection");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "partner"), "123456");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "session"), SESSION_ID);
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "connection"), CONNECTION_ID);
  fail_unless (gst_opentok_raptor_message_get_param (message, "signal") ==
      NULL);
  /* values are not keys */
  fail_unless (gst_opentok_raptor_message_get_param (message, "123456") ==
      NULL);
  fail_unless (gst_opentok_raptor_message_get_param (message, "v2") == NULL);
  fail_unless (gst_opentok_raptor_message_get_reason (message) == NULL);

  content = gst_opentok_raptor_message_get_content (message);
  fail_unless_equals_string (content_string (message, "clientVersion"),
      "js-2.35.2");
  capabilities = json_object_get_array_member (content, "capabilities");
  fail_unless_equals_int (json_array_get_length (capabilities), 1);
  fail_unless_equals_string (json_array_get_string_element (capabilities, 0),
      "forceMute");

  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_parse_signals)
{
  GstOpenTokRaptorMessage *message;

  message = parse_ok (signal_broadcast);
  fail_unless_equals_string (gst_opentok_raptor_message_get_method (message),
      "signal");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "signal");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "signal"), SIGNAL_ID);
  fail_unless (gst_opentok_raptor_message_get_param (message,
          "connection") == NULL);
  fail_unless_equals_string (content_string (message, "type"), "chat");
  fail_unless_equals_string (content_string (message, "data"), "hello");
  gst_opentok_raptor_message_unref (message);

  message = parse_ok (signal_targeted);
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "signal");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "connection"), CONNECTION_ID);
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "signal"), SIGNAL_ID);
  fail_unless (content_string (message, "type") == NULL);
  fail_unless_equals_string (content_string (message, "data"), "x");
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_parse_connection_deleted)
{
  GstOpenTokRaptorMessage *message = parse_ok (connection_deleted);
  gchar *text;

  fail_unless_equals_string (gst_opentok_raptor_message_get_method (message),
      "deleted");
  fail_unless_equals_string (gst_opentok_raptor_message_get_reason (message),
      "clientDisconnected");
  fail_unless_equals_int (json_object_get_size
      (gst_opentok_raptor_message_get_content (message)), 0);

  /* written back exactly as received */
  text = gst_opentok_raptor_message_to_string (message);
  fail_unless_equals_string (text, connection_deleted);
  g_free (text);
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_parse_not_nul_terminated)
{
  GstOpenTokRaptorMessage *message;
  gchar *text = g_strconcat (signal_broadcast, "garbage", NULL);

  message = gst_opentok_raptor_message_parse (text, strlen (signal_broadcast),
      NULL);
  fail_unless (message != NULL);
  fail_unless_equals_string (content_string (message, "data"), "hello");
  gst_opentok_raptor_message_unref (message);

  /* the whole buffer has garbage after the object */
  expect_malformed (text);
  g_free (text);
}

GST_END_TEST;

GST_START_TEST (test_parse_unknown_members_ignored)
{
  GstOpenTokRaptorMessage *message;

  message = parse_ok ("{\"x\":[1,{\"y\":null}],\"method\":\"read\","
      "\"uri\":\"/v2/partner/1/session/2\",\"extra\":true,\"n\":1.5}");
  fail_unless_equals_string (gst_opentok_raptor_message_get_method (message),
      "read");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "session");
  gst_opentok_raptor_message_unref (message);

  /* whitespace is fine */
  message = parse_ok (" \r\n\t{ \"method\" : \"read\" , \"uri\" :"
      " \"/v2/partner/1\" , \"content\" : { } } \n");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "partner");
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_content_absent_is_empty_object)
{
  GstOpenTokRaptorMessage *message;
  JsonObject *content;
  gchar *text;

  message = parse_ok ("{\"method\":\"read\",\"uri\":\"/v2/partner/1\"}");
  content = gst_opentok_raptor_message_get_content (message);
  fail_unless (content != NULL);
  fail_unless_equals_int (json_object_get_size (content), 0);
  text = gst_opentok_raptor_message_to_string (message);
  fail_unless_equals_string (text,
      "{\"method\":\"read\",\"uri\":\"/v2/partner/1\",\"content\":{}}");
  g_free (text);
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_content_not_object)
{
  static const gchar *const contents[] = {
    "null", "[]", "[{}]", "\"{}\"", "1", "0", "true", "false", "-1.5e3"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (contents); i++) {
    gchar *text = g_strdup_printf ("{\"method\":\"signal\","
        "\"uri\":\"/v2/partner/1/session/2/signal/3\",\"content\":%s}",
        contents[i]);

    expect_malformed (text);
    g_free (text);
  }
}

GST_END_TEST;

GST_START_TEST (test_method_and_uri_invalid)
{
  static const gchar *const values[] = {
    "null", "1", "true", "[]", "[\"signal\"]", "{}", "\"\""
  };
  guint i;

  expect_malformed ("{\"uri\":\"/v2/partner/1\",\"content\":{}}");
  expect_malformed ("{\"method\":\"read\",\"content\":{}}");
  expect_malformed ("{\"content\":{}}");
  expect_malformed ("{}");
  /* names are case-sensitive */
  expect_malformed ("{\"Method\":\"read\",\"uri\":\"/v2/partner/1\"}");

  for (i = 0; i < G_N_ELEMENTS (values); i++) {
    gchar *text = g_strdup_printf ("{\"method\":%s,\"uri\":\"/v2/partner/1\"}",
        values[i]);

    expect_malformed (text);
    g_free (text);
    text = g_strdup_printf ("{\"method\":\"read\",\"uri\":%s}", values[i]);
    expect_malformed (text);
    g_free (text);
  }
}

GST_END_TEST;

GST_START_TEST (test_reason_not_string)
{
  static const gchar *const values[] = {
    "null", "1", "true", "[]", "{}"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (values); i++) {
    gchar *text = g_strdup_printf ("{\"method\":\"deleted\","
        "\"uri\":\"/v2/partner/1/connection/2\",\"reason\":%s}", values[i]);

    expect_malformed (text);
    g_free (text);
  }
}

GST_END_TEST;

static const gchar *const bad_uris[] = {
  "",
  "v2/partner/1",
  " /v2/partner/1",
  "/",
  "//",
  "/v2",
  "/v2/",
  "//partner/1",
  "/v2//partner/1",
  "/v2/partner//session/2",
  "/v2/partner/1/",
  "/v2/partner/1/session/2/",
  "/v2/partner/1//",
  "/v2/partner/1/partner/2",
  "/v2/partner/1/session/2/connection/3/session/4",
  /* seventeen keys */
  ("/v2/a/1/b/2/c/3/d/4/e/5/f/6/g/7/h/8/i/9/j/10/k/11/l/12/m/13/n/14/o/15/"
      "p/16/q"),
};

GST_START_TEST (test_uri_malformed)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_uris); i++) {
    GstOpenTokRaptorMessage *message;
    GError *error = NULL;
    gchar *text;

    text = g_strdup_printf ("{\"method\":\"signal\",\"uri\":\"%s\"}",
        bad_uris[i]);
    expect_malformed (text);
    g_free (text);

    message = gst_opentok_raptor_message_new ("signal", bad_uris[i], NULL,
        &error);
    fail_unless (message == NULL, "new() accepted %s", bad_uris[i]);
    fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  }
}

GST_END_TEST;

GST_START_TEST (test_uri_valid_forms)
{
  GstOpenTokRaptorMessage *message;
  GError *error = NULL;

  /* a last key without value */
  message = gst_opentok_raptor_message_new ("read",
      "/v2/partner/1/session/2/migrate", NULL, &error);
  fail_unless (message != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "migrate");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "migrate"), "");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "session"), "2");
  gst_opentok_raptor_message_unref (message);

  /* the shortest: a version and one key */
  message = gst_opentok_raptor_message_new ("read", "/v3/x", NULL, &error);
  fail_unless (message != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_raptor_message_get_version
      (message), "v3");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "x");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "x"), "");
  gst_opentok_raptor_message_unref (message);

  /* sixteen keys */
  message = gst_opentok_raptor_message_new ("read",
      "/v2/a/1/b/2/c/3/d/4/e/5/f/6/g/7/h/8/i/9/j/10/k/11/l/12/m/13/n/14/"
      "o/15/p", NULL, &error);
  fail_unless (message != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "p");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "o"), "15");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "a"), "1");
  gst_opentok_raptor_message_unref (message);

  /* the stream channel resource of section 5.1 */
  message = parse_ok ("{\"method\":\"update\",\"uri\":\"/v2/partner/1/"
      "session/2/stream/3/channel/4\",\"content\":{}}");
  fail_unless_equals_string (gst_opentok_raptor_message_get_resource
      (message), "channel");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "stream"), "3");
  gst_opentok_raptor_message_unref (message);

  /* a value may repeat a key's name */
  message = parse_ok ("{\"method\":\"signal\",\"uri\":\"/v2/partner/session/"
      "session/partner\"}");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "partner"), "session");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "session"), "partner");
  gst_opentok_raptor_message_unref (message);

  /* non-ASCII segments */
  message = parse_ok ("{\"method\":\"signal\",\"uri\":\"/v2/caf\\u00e9/"
      "\xe2\x82\xac\"}");
  fail_unless_equals_string (gst_opentok_raptor_message_get_param (message,
          "caf\xc3\xa9"), "\xe2\x82\xac");
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_new_method_empty)
{
  GError *error = NULL;

  fail_unless (gst_opentok_raptor_message_new ("", "/v2/partner/1", NULL,
          &error) == NULL);
  fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

GST_END_TEST;

GST_START_TEST (test_non_object_roots)
{
  static const gchar *const roots[] = {
    "", " ", "\n", "[]", "[{\"method\":\"read\",\"uri\":\"/v2/a\"}]", "1",
    "-0", "\"text\"", "null", "true", "false", "{", "}", "[", "{\"method\"",
    "{\"method\":\"read\",\"uri\":\"/v2/a\"",
    "{\"method\":\"read\" \"uri\":\"/v2/a\"}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",}", "{method:\"read\"}",
    "{\"method\":read}"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (roots); i++)
    expect_malformed (roots[i]);

  /* NULL with length 0 is empty input */
  {
    GError *error = NULL;

    fail_unless (gst_opentok_raptor_message_parse (NULL, 0, &error) == NULL);
    fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  }
}

GST_END_TEST;

static gchar *
nested_message (guint levels, gboolean arrays)
{
  GString *s = g_string_new ("{\"method\":\"signal\","
      "\"uri\":\"/v2/partner/1/session/2/signal/3\",\"content\":{\"a\":");
  guint i;

  /* the root and the content object are two levels already */
  for (i = 2; i < levels; i++)
    g_string_append (s, arrays ? "[" : "{\"a\":");
  g_string_append (s, "1");
  for (i = 2; i < levels; i++)
    g_string_append_c (s, arrays ? ']' : '}');
  g_string_append (s, "}}");
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_deep_nesting)
{
  GstOpenTokRaptorMessage *message;
  gchar *text;
  gchar *data;

  text = nested_message (64, FALSE);
  message = parse_ok (text);
  gst_opentok_raptor_message_unref (message);
  g_free (text);

  text = nested_message (64, TRUE);
  message = parse_ok (text);
  gst_opentok_raptor_message_unref (message);
  g_free (text);

  text = nested_message (65, FALSE);
  expect_error (text, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  g_free (text);

  text = nested_message (65, TRUE);
  expect_error (text, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  g_free (text);

  /* deep enough to exhaust the stack if it reached json-glib */
  text = nested_message (1000000, TRUE);
  expect_error (text, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  g_free (text);

  /* a bare run of brackets */
  text = g_strnfill (200000, '[');
  expect_error (text, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  g_free (text);

  /* closed levels do not add up */
  text = g_strdup_printf ("{\"method\":\"signal\",\"uri\":\"/v2/a/b\","
      "\"content\":{\"a\":[%s[]]}}", "[],[],[],[],[],[],[],[],[],[],[],[],"
      "[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],"
      "[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],"
      "[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],[],");
  message = parse_ok (text);
  gst_opentok_raptor_message_unref (message);
  g_free (text);

  /* brackets inside strings are text */
  data = g_strnfill (1000, '[');
  text = g_strdup_printf ("{\"method\":\"signal\",\"uri\":\"/v2/a/b\","
      "\"content\":{\"data\":\"%s\\\"{{{\"}}", data);
  message = parse_ok (text);
  fail_unless_equals_int (strlen (content_string (message, "data")), 1004);
  gst_opentok_raptor_message_unref (message);
  g_free (text);
  g_free (data);
}

GST_END_TEST;

GST_START_TEST (test_not_strict_json)
{
  static const gchar *const texts[] = {
    /* json-glib accepts all of these */
    "{'method':'read','uri':'/v2/a'}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"a\":'x'}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\"/* c */}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\"}{}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\"} x",
    /* escapes that lead to invalid UTF-8 or that JSON does not have */
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\777\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\x41\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\ud800x\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\udc00\"}}",
    ("{\"method\":\"read\",\"uri\":\"/v2/a\","
        "\"content\":{\"d\":\"\\ud800\\u0041\"}}"),
    ("{\"method\":\"read\",\"uri\":\"/v2/a\","
        "\"content\":{\"d\":\"\\ud800\\ud800\"}}"),
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\uZZZZ\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\u12\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\u12",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\\",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"",
    /* raw control characters inside strings */
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"a\nb\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"a\tb\"}}",
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\x1f\"}}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    expect_malformed (texts[i]);
}

GST_END_TEST;

GST_START_TEST (test_escapes)
{
  GstOpenTokRaptorMessage *message;

  message = parse_ok ("{\"method\":\"signal\",\"uri\":\"\\/v2\\/a\\/b\","
      "\"content\":{\"d\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9"
      "\\ud83d\\ude00\\uDBFF\\uDFFF\"}}");
  fail_unless_equals_string (gst_opentok_raptor_message_get_uri (message),
      "/v2/a/b");
  fail_unless_equals_string (content_string (message, "d"),
      "\"\\/\b\f\n\r\tA\xc3\xa9\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_invalid_utf8)
{
  static const gchar *const texts[] = {
    "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"\xff\"}}",
    "{\"method\":\"r\xc3\",\"uri\":\"/v2/a\"}",
    "{\"method\":\"read\",\"uri\":\"/v2/\xc0\x80\"}",
    "{\"method\":\"read\",\"uri\":\"/v2/\xed\xa0\x80\"}",
  };
  static const gchar with_nul[] =
      "{\"method\":\"read\",\"uri\":\"/v2/a\",\"content\":{\"d\":\"a\0b\"}}";
  static const gchar trailing_nul[] =
      "{\"method\":\"read\",\"uri\":\"/v2/a\"}\0";
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    expect_malformed (texts[i]);

  /* a NUL byte inside the given length */
  expect_error_len (with_nul, sizeof (with_nul) - 1,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  /* and after the object */
  expect_error_len (trailing_nul, sizeof (trailing_nul) - 1,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

GST_END_TEST;

GST_START_TEST (test_to_string_signal)
{
  GstOpenTokRaptorMessage *message;
  JsonObject *content;
  GError *error = NULL;
  GBytes *bytes;
  gchar *text;
  const gchar *expected;

  content = json_object_new ();
  json_object_set_string_member (content, "type", "chat");
  json_object_set_string_member (content, "data", "hello");
  message = gst_opentok_raptor_message_new ("signal",
      "/v2/partner/123456/session/" SESSION_ID "/signal/" SIGNAL_ID, content,
      &error);
  fail_unless (message != NULL, "%s", error ? error->message : "");
  /* referenced, not copied */
  fail_unless (gst_opentok_raptor_message_get_content (message) == content);
  json_object_unref (content);

  text = gst_opentok_raptor_message_to_string (message);
  fail_unless_equals_string (text, signal_broadcast);
  g_free (text);

  bytes = gst_opentok_raptor_message_to_bytes (message);
  expected = signal_broadcast;
  fail_unless_equals_int (g_bytes_get_size (bytes), strlen (expected));
  fail_unless (memcmp (g_bytes_get_data (bytes, NULL), expected,
          strlen (expected)) == 0);
  g_bytes_unref (bytes);
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_to_string_null_content)
{
  GstOpenTokRaptorMessage *message;
  gchar *text;

  message = gst_opentok_raptor_message_new ("created", "/v2/partner/1/"
      "session/2/connection/3", NULL, NULL);
  fail_unless (message != NULL);
  fail_unless (gst_opentok_raptor_message_get_content (message) != NULL);
  text = gst_opentok_raptor_message_to_string (message);
  fail_unless_equals_string (text, "{\"method\":\"created\",\"uri\":"
      "\"/v2/partner/1/session/2/connection/3\",\"content\":{}}");
  g_free (text);
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_reason_round_trip)
{
  GstOpenTokRaptorMessage *message, *parsed;
  GBytes *bytes;
  gchar *text;
  const gchar *data;
  gsize size;

  message = gst_opentok_raptor_message_new ("deleted",
      "/v2/partner/123456/session/" SESSION_ID "/connection/" CONNECTION_ID,
      NULL, NULL);
  fail_unless (message != NULL);
  fail_unless (gst_opentok_raptor_message_get_reason (message) == NULL);
  gst_opentok_raptor_message_set_reason (message, "forceDisconnected");
  gst_opentok_raptor_message_set_reason (message, "clientDisconnected");
  fail_unless_equals_string (gst_opentok_raptor_message_get_reason (message),
      "clientDisconnected");

  text = gst_opentok_raptor_message_to_string (message);
  fail_unless_equals_string (text, connection_deleted);
  g_free (text);

  bytes = gst_opentok_raptor_message_to_bytes (message);
  data = g_bytes_get_data (bytes, &size);
  parsed = gst_opentok_raptor_message_parse (data, size, NULL);
  fail_unless (parsed != NULL);
  fail_unless_equals_string (gst_opentok_raptor_message_get_reason (parsed),
      "clientDisconnected");
  g_bytes_unref (bytes);
  gst_opentok_raptor_message_unref (parsed);

  gst_opentok_raptor_message_set_reason (message, NULL);
  fail_unless (gst_opentok_raptor_message_get_reason (message) == NULL);
  text = gst_opentok_raptor_message_to_string (message);
  fail_if (strstr (text, "reason") != NULL);
  g_free (text);
  gst_opentok_raptor_message_unref (message);
}

GST_END_TEST;

GST_START_TEST (test_string_round_trip)
{
  static const gchar *const datas[] = {
    "", "plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r\b\f",
    "\x01\x02\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
    "\xe2\x80\xa8\xe2\x80\xa9", "</script>", "{\"json\":[1,2]}",
    ("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
        "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"),
    "\x1f", ("a\x1f\x1f" "b"),
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (datas); i++) {
    GstOpenTokRaptorMessage *message, *parsed;
    JsonObject *content = json_object_new ();
    gchar *text;

    json_object_set_string_member (content, "data", datas[i]);
    message = gst_opentok_raptor_message_new ("signal", "/v2/a/b/signal/c",
        content, NULL);
    gst_opentok_raptor_message_set_reason (message, datas[i]);
    json_object_unref (content);

    text = gst_opentok_raptor_message_to_string (message);
    /* strict JSON: no raw control character (json-glib alone lets U+001F
     * through) */
    for (j = 0; text[j] != '\0'; j++)
      fail_unless ((guchar) text[j] >= 0x20, "raw 0x%02x in %s", text[j], text);
    parsed = parse_ok (text);
    fail_unless_equals_string (content_string (parsed, "data"), datas[i]);
    fail_unless_equals_string (gst_opentok_raptor_message_get_reason (parsed),
        datas[i]);
    fail_unless_equals_string (gst_opentok_raptor_message_get_uri (parsed),
        "/v2/a/b/signal/c");
    g_free (text);
    gst_opentok_raptor_message_unref (parsed);
    gst_opentok_raptor_message_unref (message);
  }
}

GST_END_TEST;

GST_START_TEST (test_boxed_type)
{
  GstOpenTokRaptorMessage *message, *copy;
  GValue value = G_VALUE_INIT;

  fail_unless (G_TYPE_IS_BOXED (GST_TYPE_OPENTOK_RAPTOR_MESSAGE));

  message = parse_ok (signal_broadcast);
  copy = g_boxed_copy (GST_TYPE_OPENTOK_RAPTOR_MESSAGE, message);
  fail_unless (copy == message);
  g_boxed_free (GST_TYPE_OPENTOK_RAPTOR_MESSAGE, copy);

  g_value_init (&value, GST_TYPE_OPENTOK_RAPTOR_MESSAGE);
  g_value_take_boxed (&value, message);
  fail_unless_equals_string (gst_opentok_raptor_message_get_method
      (g_value_get_boxed (&value)), "signal");
  g_value_unset (&value);
}

GST_END_TEST;

/* Random mutations and truncations of valid messages must never crash nor
 * raise a warning (fatal in gst-check), only succeed or fail cleanly. */
GST_START_TEST (test_random_mutations)
{
  const gchar *seeds[] = {
    connection_create, signal_broadcast, signal_targeted, connection_deleted
  };
  static const gchar alphabet[] = "{}[]\"\\/:,'0123456789eE+-.tfnu "
      "\x80\xff\xc3\xa9";
  GRand *rand = g_rand_new_with_seed (0x4a50);
  guint iteration;

  for (iteration = 0; iteration < 20000; iteration++) {
    const gchar *seed = seeds[g_rand_int_range (rand, 0,
            G_N_ELEMENTS (seeds))];
    gsize length = strlen (seed);
    gchar *buf = g_memdup2 (seed, length);
    guint n = g_rand_int_range (rand, 1, 4), i;
    GstOpenTokRaptorMessage *message;
    GError *error = NULL;

    for (i = 0; i < n; i++)
      buf[g_rand_int_range (rand, 0, length)] =
          alphabet[g_rand_int_range (rand, 0, sizeof (alphabet) - 1)];
    if (g_rand_int_range (rand, 0, 4) == 0)
      length = g_rand_int_range (rand, 0, length + 1);

    message = parse_len (buf, length, &error);
    if (message != NULL) {
      gchar *text = gst_opentok_raptor_message_to_string (message);

      fail_unless (g_utf8_validate (text, -1, NULL));
      g_free (text);
      gst_opentok_raptor_message_unref (message);
    } else {
      fail_unless (error != NULL && error->domain ==
          GST_OPENTOK_PROTOCOL_ERROR);
      g_error_free (error);
    }
    g_free (buf);
  }
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
raptor_suite (void)
{
  Suite *s = suite_create ("raptor");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_connection_create);
  tcase_add_test (tc, test_parse_signals);
  tcase_add_test (tc, test_parse_connection_deleted);
  tcase_add_test (tc, test_parse_not_nul_terminated);
  tcase_add_test (tc, test_parse_unknown_members_ignored);
  tcase_add_test (tc, test_content_absent_is_empty_object);
  tcase_add_test (tc, test_content_not_object);
  tcase_add_test (tc, test_method_and_uri_invalid);
  tcase_add_test (tc, test_reason_not_string);
  tcase_add_test (tc, test_uri_malformed);
  tcase_add_test (tc, test_uri_valid_forms);
  tcase_add_test (tc, test_new_method_empty);
  tcase_add_test (tc, test_non_object_roots);
  tcase_add_test (tc, test_deep_nesting);
  tcase_add_test (tc, test_not_strict_json);
  tcase_add_test (tc, test_escapes);
  tcase_add_test (tc, test_invalid_utf8);
  tcase_add_test (tc, test_to_string_signal);
  tcase_add_test (tc, test_to_string_null_content);
  tcase_add_test (tc, test_reason_round_trip);
  tcase_add_test (tc, test_string_round_trip);
  tcase_add_test (tc, test_boxed_type);
  tcase_add_test (tc, test_random_mutations);

  return s;
}

GST_CHECK_MAIN (raptor);
