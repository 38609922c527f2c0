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
/* internal API: the test links the library's static objects */
#include <gst/opentok/gstopentokrumor.h>
#include <gst/opentok/gstopentokraptor.h>

#include "fixture.h"

/* The worked examples of the protocol document, section 3.1. */
static const guint8 ping_bytes[] = {
  0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x07, 0x00, 0x00
};

static const guint8 disconnect_bytes[] = {
  0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x04, 0x00, 0x01,
  0x00, 0x09, 'r', 'e', 'c', 'o', 'n', 'n', 'e', 'c', 't',
  0x00, 0x00
};

static const guint8 message_bytes[] = {
  0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x02, 0x01,
  0x00, 0x03, 's', 'y', 'm',
  0x02,
  0x00, 0x0e, 'T', 'R', 'A', 'N', 'S', 'A', 'C', 'T', 'I', 'O', 'N', '-',
  'I', 'D',
  0x00, 0x02, 't', '1',
  0x00, 0x11, 'X', '-', 'T', 'B', '-', 'F', 'R', 'O', 'M', '-', 'A', 'D',
  'D', 'R', 'E', 'S', 'S',
  0x00, 0x02, 'c', '1',
  '{', '"', 'x', '"', ':', '1', '}'
};

/* offset of the payload in message_bytes */
#define MESSAGE_PAYLOAD_OFFSET 57

/* Parses a copy of @data in a buffer of exactly @size bytes, so that any
 * over-read is caught by ASan or valgrind. */
static GstOpenTokRumorFrame *
parse_copy (const guint8 * data, gsize size, gsize max_size, GError ** error)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes = g_bytes_new (data, size);

  frame = gst_opentok_rumor_frame_parse (bytes, max_size, error);
  g_bytes_unref (bytes);
  return frame;
}

static void
expect_parse_error (const guint8 * data, gsize size, gsize max_size, gint code)
{
  GError *error = NULL;
  GstOpenTokRumorFrame *frame = parse_copy (data, size, max_size, &error);

  fail_unless (frame == NULL, "frame of %" G_GSIZE_FORMAT " bytes was "
      "accepted", size);
  fixture_check_protocol_error (error, code);
}

static void
assert_bytes_equal (GBytes * bytes, const guint8 * expected, gsize size)
{
  gsize actual_size;
  const guint8 *actual = g_bytes_get_data (bytes, &actual_size);

  fail_unless_equals_uint64 (actual_size, size);
  if (size > 0)
    fail_unless (memcmp (actual, expected, size) == 0,
        "serialized bytes differ from the expectation");
}

static void
assert_payload (const GstOpenTokRumorFrame * frame, const gchar * expected)
{
  GBytes *payload = gst_opentok_rumor_frame_get_payload (frame);

  fail_unless (payload != NULL);
  assert_bytes_equal (payload, (const guint8 *) expected, strlen (expected));
}

static void
assert_header (const GstOpenTokRumorFrame * frame, guint index,
    const gchar * key, const gchar * value)
{
  const gchar *k = NULL, *v = NULL;

  fail_unless (gst_opentok_rumor_frame_get_nth_header (frame, index, &k, &v));
  fail_unless_equals_string (k, key);
  fail_unless_equals_string (v, value);
  fail_unless_equals_string (gst_opentok_rumor_frame_get_header (frame, key),
      value);
}

static void
assert_serializes_to (const GstOpenTokRumorFrame * frame,
    const guint8 * expected, gsize size)
{
  GError *error = NULL;
  GBytes *bytes = gst_opentok_rumor_frame_serialize (frame, &error);

  fail_unless (bytes != NULL, "serialize failed: %s",
      error ? error->message : "");
  assert_bytes_equal (bytes, expected, size);
  g_bytes_unref (bytes);
}

GST_START_TEST (test_ping_worked_example)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_PING);
  assert_serializes_to (frame, ping_bytes, sizeof (ping_bytes));
  gst_opentok_rumor_frame_unref (frame);

  frame = parse_copy (ping_bytes, sizeof (ping_bytes), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (frame),
      GST_OPENTOK_RUMOR_TYPE_PING);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_addresses (frame), 0);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 0);
  assert_payload (frame, "");
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_disconnect_worked_example)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  fail_unless_equals_int (sizeof (disconnect_bytes), 22);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_DISCONNECT);
  gst_opentok_rumor_frame_set_header (frame, "reconnect", NULL);
  assert_serializes_to (frame, disconnect_bytes, sizeof (disconnect_bytes));
  gst_opentok_rumor_frame_unref (frame);

  frame = parse_copy (disconnect_bytes, sizeof (disconnect_bytes), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (frame),
      GST_OPENTOK_RUMOR_TYPE_DISCONNECT);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_addresses (frame), 0);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 1);
  /* present and empty, not absent */
  assert_header (frame, 0, "reconnect", "");
  assert_payload (frame, "");
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_message_worked_example)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  fail_unless_equals_int (sizeof (message_bytes), 64);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, "sym");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", "t1");
  gst_opentok_rumor_frame_set_header (frame, "X-TB-FROM-ADDRESS", "c1");
  gst_opentok_rumor_frame_take_payload_string (frame, g_strdup ("{\"x\":1}"));
  assert_serializes_to (frame, message_bytes, sizeof (message_bytes));
  gst_opentok_rumor_frame_unref (frame);

  frame = parse_copy (message_bytes, sizeof (message_bytes), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (frame),
      GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_addresses (frame), 1);
  fail_unless_equals_string (gst_opentok_rumor_frame_get_address (frame, 0),
      "sym");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 2);
  assert_header (frame, 0, "TRANSACTION-ID", "t1");
  assert_header (frame, 1, "X-TB-FROM-ADDRESS", "c1");
  assert_payload (frame, "{\"x\":1}");

  /* and a parsed frame serializes to the bytes it came from */
  assert_serializes_to (frame, message_bytes, sizeof (message_bytes));
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_parse_payload_is_zero_copy)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes, *payload;
  const guint8 *input;
  gsize size;

  bytes = g_bytes_new (message_bytes, sizeof (message_bytes));
  input = g_bytes_get_data (bytes, NULL);
  frame = gst_opentok_rumor_frame_parse (bytes, 0, NULL);
  fail_unless (frame != NULL);
  /* the frame keeps the input alive */
  g_bytes_unref (bytes);

  payload = gst_opentok_rumor_frame_get_payload (frame);
  fail_unless (g_bytes_get_data (payload, &size) ==
      input + MESSAGE_PAYLOAD_OFFSET);
  fail_unless_equals_int (size, 7);
  fail_unless (memcmp (g_bytes_get_data (payload, NULL), "{\"x\":1}", 7) == 0);

  /* strings are copies, NUL-terminated */
  fail_if ((const guint8 *) gst_opentok_rumor_frame_get_address (frame, 0) >=
      input && (const guint8 *) gst_opentok_rumor_frame_get_address (frame,
          0) < input + sizeof (message_bytes));
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_set_header_replaces_in_place)
{
  GstOpenTokRumorFrame *frame;
  const gchar *key = NULL, *value = NULL;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  gst_opentok_rumor_frame_set_header (frame, "A", "1");
  gst_opentok_rumor_frame_set_header (frame, "B", "2");
  gst_opentok_rumor_frame_set_header (frame, "C", "3");
  gst_opentok_rumor_frame_set_header (frame, "B", "two");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 3);
  assert_header (frame, 0, "A", "1");
  assert_header (frame, 1, "B", "two");
  assert_header (frame, 2, "C", "3");

  /* NULL is the empty string, and still a header */
  gst_opentok_rumor_frame_set_header (frame, "A", NULL);
  assert_header (frame, 0, "A", "");

  /* keys are case-sensitive */
  gst_opentok_rumor_frame_set_header (frame, "b", "lower");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 4);
  assert_header (frame, 1, "B", "two");
  assert_header (frame, 3, "b", "lower");

  /* a key that is a prefix of another one is another key */
  gst_opentok_rumor_frame_set_header (frame, "BB", "x");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 5);
  fail_unless_equals_string (gst_opentok_rumor_frame_get_header (frame, "B"),
      "two");

  fail_unless (gst_opentok_rumor_frame_get_header (frame, "D") == NULL);
  fail_unless (gst_opentok_rumor_frame_get_header (frame, "") == NULL);
  fail_if (gst_opentok_rumor_frame_get_nth_header (frame, 5, &key, &value));
  fail_unless (key == NULL && value == NULL);
  fail_unless (gst_opentok_rumor_frame_get_nth_header (frame, 4, NULL, NULL));
  fail_unless (gst_opentok_rumor_frame_get_address (frame, 0) == NULL);

  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_modify_parsed_frame)
{
  GstOpenTokRumorFrame *frame;
  GstOpenTokRumorFrame *expected;
  GBytes *expected_bytes;
  gsize size;
  const guint8 *data;

  frame = parse_copy (message_bytes, sizeof (message_bytes), 0, NULL);
  fail_unless (frame != NULL);
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", "t2");
  gst_opentok_rumor_frame_set_header (frame, "TRANSACTION-ID", "t3");
  gst_opentok_rumor_frame_set_header (frame, "STATUS", "200");
  gst_opentok_rumor_frame_add_address (frame, "other");
  gst_opentok_rumor_frame_set_payload (frame, NULL);

  expected = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (expected, "sym");
  gst_opentok_rumor_frame_add_address (expected, "other");
  gst_opentok_rumor_frame_set_header (expected, "TRANSACTION-ID", "t3");
  gst_opentok_rumor_frame_set_header (expected, "X-TB-FROM-ADDRESS", "c1");
  gst_opentok_rumor_frame_set_header (expected, "STATUS", "200");
  expected_bytes = gst_opentok_rumor_frame_serialize (expected, NULL);
  data = g_bytes_get_data (expected_bytes, &size);

  assert_serializes_to (frame, data, size);
  fail_unless_equals_int (size, 4 + 4 + 5 + 7 + 1 + 16 + 4 + 19 + 4 + 8 + 5);

  g_bytes_unref (expected_bytes);
  gst_opentok_rumor_frame_unref (expected);
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_payload)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_STATUS);
  assert_payload (frame, "");

  gst_opentok_rumor_frame_take_payload_string (frame, g_strdup ("{}"));
  assert_payload (frame, "{}");

  gst_opentok_rumor_frame_take_payload_string (frame, NULL);
  assert_payload (frame, "");

  bytes = g_bytes_new_static ("abc", 3);
  gst_opentok_rumor_frame_set_payload (frame, bytes);
  fail_unless (gst_opentok_rumor_frame_get_payload (frame) == bytes);
  g_bytes_unref (bytes);
  assert_payload (frame, "abc");

  gst_opentok_rumor_frame_set_payload (frame, NULL);
  assert_payload (frame, "");
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

static gchar *
make_string (guint seed, gsize len)
{
  /* a mix of ASCII and two-byte UTF-8 characters, exactly len bytes */
  gchar *s = g_malloc (len + 1);
  gsize i = 0;

  while (i < len) {
    if ((seed + i) % 7 == 0 && i + 2 <= len) {
      s[i++] = (gchar) 0xc3;
      s[i++] = (gchar) 0xa9;
    } else {
      s[i] = 'a' + (seed + i) % 26;
      i++;
    }
  }
  s[len] = '\0';
  return s;
}

GST_START_TEST (test_round_trip_many)
{
  GstOpenTokRumorFrame *frame, *parsed;
  GBytes *bytes, *again;
  GError *error = NULL;
  gchar **addresses, **keys, **values;
  guint i;

  addresses = g_new0 (gchar *, 256);
  keys = g_new0 (gchar *, 256);
  values = g_new0 (gchar *, 256);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  for (i = 0; i < 255; i++) {
    addresses[i] = make_string (i, i % 40);
    keys[i] = g_strdup_printf ("key-%u-%s", i, i % 3 ? "x" : "\xc3\xa9");
    values[i] = make_string (i * 3, (i * 37) % 300);
    gst_opentok_rumor_frame_add_address (frame, addresses[i]);
    gst_opentok_rumor_frame_set_header (frame, keys[i], values[i]);
  }
  gst_opentok_rumor_frame_take_payload_string (frame,
      g_strdup ("{\"method\":\"signal\"}"));

  bytes = gst_opentok_rumor_frame_serialize (frame, &error);
  fail_unless (bytes != NULL, "%s", error ? error->message : "");

  parsed = gst_opentok_rumor_frame_parse (bytes, G_MAXSIZE, &error);
  fail_unless (parsed != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (parsed),
      GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_addresses (parsed),
      255);
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (parsed), 255);
  for (i = 0; i < 255; i++) {
    fail_unless_equals_string (gst_opentok_rumor_frame_get_address (parsed,
            i), addresses[i]);
    assert_header (parsed, i, keys[i], values[i]);
  }
  assert_payload (parsed, "{\"method\":\"signal\"}");

  again = gst_opentok_rumor_frame_serialize (parsed, &error);
  fail_unless (again != NULL);
  fail_unless (g_bytes_equal (bytes, again));

  g_bytes_unref (again);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_unref (parsed);
  gst_opentok_rumor_frame_unref (frame);
  g_strfreev (addresses);
  g_strfreev (keys);
  g_strfreev (values);
}

GST_END_TEST;

GST_START_TEST (test_all_types_round_trip)
{
  static const GstOpenTokRumorType types[] = {
    GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE, GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE,
    GST_OPENTOK_RUMOR_TYPE_MESSAGE, GST_OPENTOK_RUMOR_TYPE_CONNECT,
    GST_OPENTOK_RUMOR_TYPE_DISCONNECT, GST_OPENTOK_RUMOR_TYPE_PING,
    GST_OPENTOK_RUMOR_TYPE_PONG, GST_OPENTOK_RUMOR_TYPE_STATUS
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    GstOpenTokRumorFrame *frame, *parsed;
    GBytes *bytes;
    const guint8 *data;

    frame = gst_opentok_rumor_frame_new (types[i]);
    bytes = gst_opentok_rumor_frame_serialize (frame, NULL);
    data = g_bytes_get_data (bytes, NULL);
    fail_unless_equals_int (data[6], types[i]);
    parsed = gst_opentok_rumor_frame_parse (bytes, 0, NULL);
    fail_unless (parsed != NULL);
    fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type (parsed),
        types[i]);
    g_bytes_unref (bytes);
    gst_opentok_rumor_frame_unref (parsed);
    gst_opentok_rumor_frame_unref (frame);
  }
}

GST_END_TEST;

GST_START_TEST (test_type_to_string)
{
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE), "SUBSCRIBE");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE), "UNSUBSCRIBE");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_MESSAGE), "MESSAGE");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_CONNECT), "CONNECT");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_DISCONNECT), "DISCONNECT");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_PING), "PING");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_PONG), "PONG");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      (GST_OPENTOK_RUMOR_TYPE_STATUS), "STATUS");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      ((GstOpenTokRumorType) 5), "UNKNOWN");
  fail_unless_equals_string (gst_opentok_rumor_type_to_string
      ((GstOpenTokRumorType) 200), "UNKNOWN");
}

GST_END_TEST;

GST_START_TEST (test_boxed_type)
{
  GstOpenTokRumorFrame *frame, *copy;
  GValue value = G_VALUE_INIT;

  fail_unless (G_TYPE_IS_BOXED (GST_TYPE_OPENTOK_RUMOR_FRAME));

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_PING);
  /* copy is a reference */
  copy = g_boxed_copy (GST_TYPE_OPENTOK_RUMOR_FRAME, frame);
  fail_unless (copy == frame);
  g_boxed_free (GST_TYPE_OPENTOK_RUMOR_FRAME, copy);

  g_value_init (&value, GST_TYPE_OPENTOK_RUMOR_FRAME);
  g_value_set_boxed (&value, frame);
  gst_opentok_rumor_frame_unref (frame);
  /* the GValue still holds it */
  fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type
      (g_value_get_boxed (&value)), GST_OPENTOK_RUMOR_TYPE_PING);
  g_value_unset (&value);
}

GST_END_TEST;

GST_START_TEST (test_parse_truncated_at_every_length)
{
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;
  guint8 *buf;
  gsize len;

  /* keeping the original length field: always inconsistent */
  for (len = 0; len < sizeof (message_bytes); len++)
    expect_parse_error (message_bytes, len, 0,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  for (len = 0; len < sizeof (disconnect_bytes); len++)
    expect_parse_error (disconnect_bytes, len, 0,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  for (len = 0; len < sizeof (ping_bytes); len++)
    expect_parse_error (ping_bytes, len, 0,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* with the length field patched to match: the structure is truncated
   * until the payload starts, after which the frame is valid with a shorter
   * payload */
  for (len = 4; len <= sizeof (message_bytes); len++) {
    buf = g_memdup2 (message_bytes, len);
    GST_WRITE_UINT32_BE (buf, len - 4);
    frame = parse_copy (buf, len, 0, &error);
    if (len < MESSAGE_PAYLOAD_OFFSET) {
      fail_unless (frame == NULL, "truncated at %" G_GSIZE_FORMAT
          " bytes but accepted", len);
      fixture_check_protocol_error (error,
          GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
      error = NULL;
    } else {
      fail_unless (frame != NULL, "%s", error ? error->message : "");
      fail_unless_equals_int (g_bytes_get_size
          (gst_opentok_rumor_frame_get_payload (frame)),
          len - MESSAGE_PAYLOAD_OFFSET);
      gst_opentok_rumor_frame_unref (frame);
    }
    g_free (buf);
  }
}

GST_END_TEST;

GST_START_TEST (test_parse_length_mismatch)
{
  guint8 buf[sizeof (message_bytes) + 1];

  /* declares one byte more than received */
  memcpy (buf, message_bytes, sizeof (message_bytes));
  GST_WRITE_UINT32_BE (buf, sizeof (message_bytes) - 3);
  expect_parse_error (buf, sizeof (message_bytes), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* declares one byte less than received */
  GST_WRITE_UINT32_BE (buf, sizeof (message_bytes) - 5);
  expect_parse_error (buf, sizeof (message_bytes), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* trailing byte after a correct frame */
  memcpy (buf, message_bytes, sizeof (message_bytes));
  buf[sizeof (message_bytes)] = 0;
  expect_parse_error (buf, sizeof (buf), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* L = 0 and L = 4 (smaller than the fixed part) */
  memset (buf, 0, sizeof (buf));
  expect_parse_error (buf, 4, 0, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  GST_WRITE_UINT32_BE (buf, 4);
  buf[6] = GST_OPENTOK_RUMOR_TYPE_PING;
  expect_parse_error (buf, 8, 0, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* the largest declared length is refused as too large */
  GST_WRITE_UINT32_BE (buf, G_MAXUINT32);
  expect_parse_error (buf, 9, 0, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  expect_parse_error (buf, 9, G_MAXSIZE, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

GST_END_TEST;

GST_START_TEST (test_parse_counts_overrun)
{
  /* one address announced, none there */
  static const guint8 no_address[] = {
    0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x02, 0x01, 0x00
  };
  /* address length 4, three bytes left */
  static const guint8 short_address[] = {
    0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x02, 0x01, 0x00, 0x04, 'a', 'b',
    0x00
  };
  /* address length 0xffff */
  static const guint8 huge_address[] = {
    0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x02, 0x01, 0xff, 0xff, 'a', 'b',
    0x00
  };
  /* one address, then the frame ends before the header count */
  static const guint8 no_header_count[] = {
    0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x02, 0x01, 0x00, 0x01, 'a'
  };
  /* two headers announced, one there */
  static const guint8 missing_header[] = {
    0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x02, 0x00, 0x02,
    0x00, 0x01, 'k', 0x00, 0x01, 'v'
  };
  /* a header key without its value */
  static const guint8 missing_value[] = {
    0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x00, 0x01, 'k'
  };
  /* value length overruns by one */
  static const guint8 long_value[] = {
    0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x00, 0x01, 'k', 0x00, 0x02, 'v'
  };
  /* half a length field */
  static const guint8 half_length[] = {
    0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x00, 0x01, 'k', 0x00
  };
  /* 255 addresses announced in a small frame */
  static const guint8 many_addresses[] = {
    0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00, 0x00,
    0x00
  };

  /* the length fields are right: only the inner structure is broken */
#define CHECK_LENGTH_FIELD(a) \
  fail_unless_equals_int (GST_READ_UINT32_BE (a) + 4, sizeof (a))
  CHECK_LENGTH_FIELD (no_address);
  CHECK_LENGTH_FIELD (short_address);
  CHECK_LENGTH_FIELD (huge_address);
  CHECK_LENGTH_FIELD (no_header_count);
  CHECK_LENGTH_FIELD (missing_header);
  CHECK_LENGTH_FIELD (missing_value);
  CHECK_LENGTH_FIELD (long_value);
  CHECK_LENGTH_FIELD (half_length);
  CHECK_LENGTH_FIELD (many_addresses);
#undef CHECK_LENGTH_FIELD

  expect_parse_error (no_address, sizeof (no_address), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (short_address, sizeof (short_address), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (huge_address, sizeof (huge_address), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (no_header_count, sizeof (no_header_count), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (missing_header, sizeof (missing_header), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (missing_value, sizeof (missing_value), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (long_value, sizeof (long_value), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (half_length, sizeof (half_length), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  expect_parse_error (many_addresses, sizeof (many_addresses), 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

GST_END_TEST;

GST_START_TEST (test_parse_empty_strings)
{
  /* an empty address, an empty key and an empty value are well-formed */
  static const guint8 empties[] = {
    0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x09, 0x01, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00
  };
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  frame = parse_copy (empties, sizeof (empties), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_rumor_frame_get_address (frame, 0),
      "");
  assert_header (frame, 0, "", "");
  assert_payload (frame, "");
  assert_serializes_to (frame, empties, sizeof (empties));
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_parse_reserved_bytes_ignored)
{
  guint8 buf[sizeof (message_bytes)];
  GstOpenTokRumorFrame *frame;
  GError *error = NULL;

  memcpy (buf, message_bytes, sizeof (buf));
  buf[4] = 0xff;
  buf[5] = 0x01;
  frame = parse_copy (buf, sizeof (buf), 0, &error);
  fail_unless (frame != NULL, "%s", error ? error->message : "");
  assert_header (frame, 0, "TRANSACTION-ID", "t1");
  /* written back as zeros */
  assert_serializes_to (frame, message_bytes, sizeof (message_bytes));
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_parse_unknown_types)
{
  guint8 buf[sizeof (message_bytes)];
  guint type;

  memcpy (buf, message_bytes, sizeof (buf));
  for (type = 0; type < 256; type++) {
    GstOpenTokRumorFrame *frame;
    GError *error = NULL;

    buf[6] = type;
    frame = parse_copy (buf, sizeof (buf), 0, &error);
    if (type <= 4 || (type >= 7 && type <= 9)) {
      fail_unless (frame != NULL, "type %u: %s", type,
          error ? error->message : "");
      fail_unless_equals_int (gst_opentok_rumor_frame_get_message_type
          (frame), type);
      gst_opentok_rumor_frame_unref (frame);
    } else {
      fail_unless (frame == NULL, "type %u accepted", type);
      fixture_check_protocol_error (error,
          GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED);
    }
  }

  /* a malformed frame of unknown type is malformed */
  buf[6] = 6;
  expect_parse_error (buf, sizeof (buf) - 1, 0,
      GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
}

GST_END_TEST;

static void
expect_bad_string (guint8 * buf, gsize size, gsize offset, const guint8 * bad,
    gsize bad_len)
{
  guint8 *copy = g_memdup2 (buf, size);

  memcpy (copy + offset, bad, bad_len);
  expect_parse_error (copy, size, 0, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
  g_free (copy);
}

GST_START_TEST (test_parse_invalid_strings)
{
  /* string positions in message_bytes: address "sym" at 10, key
   * TRANSACTION-ID at 16, value "t1" at 32, key X-TB-FROM-ADDRESS at 36 and
   * value "c1" at 55 */
  static const gsize offsets[] = { 10, 16, 32, 36, 55 };
  static const guint8 nul[] = { 'a', 0x00 };
  static const guint8 invalid[] = { 0xff, 'a' };
  static const guint8 overlong_nul[] = { 0xc0, 0x80 };
  static const guint8 lone_continuation[] = { 0x80, 'a' };
  static const guint8 surrogate[] = { 0xed, 0xa0 };
  guint8 buf[sizeof (message_bytes)];
  guint i;

  memcpy (buf, message_bytes, sizeof (buf));
  for (i = 0; i < G_N_ELEMENTS (offsets); i++) {
    expect_bad_string (buf, sizeof (buf), offsets[i], nul, 2);
    expect_bad_string (buf, sizeof (buf), offsets[i], invalid, 2);
    expect_bad_string (buf, sizeof (buf), offsets[i], overlong_nul, 2);
    expect_bad_string (buf, sizeof (buf), offsets[i], lone_continuation, 2);
    expect_bad_string (buf, sizeof (buf), offsets[i], surrogate, 2);
  }

  /* the payload is not checked by the codec */
  buf[sizeof (buf) - 1] = 0xff;
  {
    GstOpenTokRumorFrame *frame = parse_copy (buf, sizeof (buf), 0, NULL);

    fail_unless (frame != NULL);
    gst_opentok_rumor_frame_unref (frame);
  }
}

GST_END_TEST;

static GBytes *
make_frame_of_size (gsize size)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes;
  gchar *payload;

  fail_unless (size >= 9);
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  payload = g_malloc (size - 9 + 1);
  memset (payload, 'x', size - 9);
  payload[size - 9] = '\0';
  gst_opentok_rumor_frame_take_payload_string (frame, payload);
  bytes = gst_opentok_rumor_frame_serialize (frame, NULL);
  fail_unless_equals_uint64 (g_bytes_get_size (bytes), size);
  gst_opentok_rumor_frame_unref (frame);
  return bytes;
}

static void
check_size_limit (gsize size, gsize max_size, gboolean accepted)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes = make_frame_of_size (size);
  GError *error = NULL;

  frame = gst_opentok_rumor_frame_parse (bytes, max_size, &error);
  if (accepted) {
    fail_unless (frame != NULL, "%s", error ? error->message : "");
    fail_unless_equals_uint64 (g_bytes_get_size
        (gst_opentok_rumor_frame_get_payload (frame)), size - 9);
    gst_opentok_rumor_frame_unref (frame);
  } else {
    fail_unless (frame == NULL);
    fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  }
  g_bytes_unref (bytes);
}

GST_START_TEST (test_parse_max_size)
{
  guint8 buf[16];

  check_size_limit (100, 100, TRUE);
  check_size_limit (101, 100, FALSE);
  check_size_limit (9, 9, TRUE);
  check_size_limit (9, 8, FALSE);

  fail_unless_equals_int (GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE, 65536);
  check_size_limit (GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE, 0, TRUE);
  check_size_limit (GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE + 1, 0, FALSE);
  check_size_limit (GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE + 1,
      GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE + 1, TRUE);

  /* the declared length is checked before anything else: a 4-byte buffer
   * declaring a large frame is too large, not truncated */
  GST_WRITE_UINT32_BE (buf, GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE - 3);
  expect_parse_error (buf, 4, 0, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  GST_WRITE_UINT32_BE (buf, GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE - 4);
  expect_parse_error (buf, 4, 0, GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);

  /* a buffer larger than the limit whose length field claims less */
  memset (buf, 0, sizeof (buf));
  GST_WRITE_UINT32_BE (buf, 5);
  expect_parse_error (buf, sizeof (buf), 10,
      GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
}

GST_END_TEST;

static void
check_serialize_fails (GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes = gst_opentok_rumor_frame_serialize (frame, &error);

  fail_unless (bytes == NULL);
  fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
}

static GBytes *
check_serialize_works (GstOpenTokRumorFrame * frame)
{
  GError *error = NULL;
  GBytes *bytes = gst_opentok_rumor_frame_serialize (frame, &error);

  fail_unless (bytes != NULL, "%s", error ? error->message : "");
  return bytes;
}

GST_START_TEST (test_serialize_count_limits)
{
  GstOpenTokRumorFrame *frame;
  GBytes *bytes;
  gchar name[16];
  guint i;

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  for (i = 0; i < 255; i++) {
    g_snprintf (name, sizeof (name), "h%u", i);
    gst_opentok_rumor_frame_set_header (frame, name, "v");
  }
  bytes = check_serialize_works (frame);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (bytes,
              NULL))[8], 255);
  g_bytes_unref (bytes);

  gst_opentok_rumor_frame_set_header (frame, "h256", "v");
  fail_unless_equals_int (gst_opentok_rumor_frame_get_n_headers (frame), 256);
  check_serialize_fails (frame);
  gst_opentok_rumor_frame_unref (frame);

  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  for (i = 0; i < 255; i++)
    gst_opentok_rumor_frame_add_address (frame, "a");
  bytes = check_serialize_works (frame);
  fail_unless_equals_int (((const guint8 *) g_bytes_get_data (bytes,
              NULL))[7], 255);
  g_bytes_unref (bytes);

  gst_opentok_rumor_frame_add_address (frame, "a");
  check_serialize_fails (frame);
  gst_opentok_rumor_frame_unref (frame);
}

GST_END_TEST;

GST_START_TEST (test_serialize_string_limits)
{
  GstOpenTokRumorFrame *frame, *parsed;
  GBytes *bytes;
  gchar *max_string, *over_string;
  GError *error = NULL;

  max_string = g_malloc (65536);
  memset (max_string, 'v', 65535);
  max_string[65535] = '\0';
  over_string = g_malloc (65537);
  memset (over_string, 'v', 65536);
  over_string[65536] = '\0';

  /* header value */
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_set_header (frame, "k", max_string);
  bytes = check_serialize_works (frame);
  fail_unless_equals_int (g_bytes_get_size (bytes), 9 + 2 + 1 + 2 + 65535);
  /* over the default limit, within a larger one */
  parsed = gst_opentok_rumor_frame_parse (bytes, 0, &error);
  fail_unless (parsed == NULL);
  fixture_check_protocol_error (error, GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE);
  error = NULL;
  parsed = gst_opentok_rumor_frame_parse (bytes, 128 * 1024, &error);
  fail_unless (parsed != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_rumor_frame_get_header (parsed, "k"),
      max_string);
  gst_opentok_rumor_frame_unref (parsed);
  g_bytes_unref (bytes);

  gst_opentok_rumor_frame_set_header (frame, "k", over_string);
  check_serialize_fails (frame);
  gst_opentok_rumor_frame_unref (frame);

  /* header key */
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_set_header (frame, max_string, "v");
  bytes = check_serialize_works (frame);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_set_header (frame, over_string, "v");
  check_serialize_fails (frame);
  gst_opentok_rumor_frame_unref (frame);

  /* address */
  frame = gst_opentok_rumor_frame_new (GST_OPENTOK_RUMOR_TYPE_MESSAGE);
  gst_opentok_rumor_frame_add_address (frame, max_string);
  bytes = check_serialize_works (frame);
  g_bytes_unref (bytes);
  gst_opentok_rumor_frame_add_address (frame, over_string);
  check_serialize_fails (frame);
  gst_opentok_rumor_frame_unref (frame);

  g_free (max_string);
  g_free (over_string);
}

GST_END_TEST;

/* Random mutations of valid frames: the parser must never crash, and what it
 * accepts must serialize back to the same bytes (reserved bytes aside). */
GST_START_TEST (test_parse_random_mutations)
{
  const guint8 *seeds[] = { ping_bytes, disconnect_bytes, message_bytes };
  const gsize sizes[] = { sizeof (ping_bytes), sizeof (disconnect_bytes),
    sizeof (message_bytes)
  };
  GRand *rand = g_rand_new_with_seed (0x0e7c0de);
  guint iteration, accepted = 0;

  for (iteration = 0; iteration < 20000; iteration++) {
    guint which = g_rand_int_range (rand, 0, G_N_ELEMENTS (seeds));
    gsize size = sizes[which];
    guint8 *buf = g_memdup2 (seeds[which], size);
    guint n = g_rand_int_range (rand, 1, 4), i;
    GstOpenTokRumorFrame *frame;
    GError *error = NULL;

    for (i = 0; i < n; i++)
      buf[g_rand_int_range (rand, 0, size)] = g_rand_int_range (rand, 0, 256);
    if (g_rand_boolean (rand)) {
      /* keep the length field consistent more often than not */
      size = g_rand_int_range (rand, 4, size + 1);
      GST_WRITE_UINT32_BE (buf, size - 4);
    }

    frame = parse_copy (buf, size, 0, &error);
    if (frame != NULL) {
      GBytes *again = gst_opentok_rumor_frame_serialize (frame, NULL);
      const guint8 *data = g_bytes_get_data (again, NULL);

      fail_unless_equals_uint64 (g_bytes_get_size (again), size);
      fail_unless (memcmp (data, buf, 4) == 0);
      fail_unless (memcmp (data + 6, buf + 6, size - 6) == 0);
      g_bytes_unref (again);
      gst_opentok_rumor_frame_unref (frame);
      accepted++;
    } else {
      fail_unless (error != NULL);
      fail_unless (error->domain == GST_OPENTOK_PROTOCOL_ERROR);
      g_error_free (error);
    }
    g_free (buf);
  }
  /* the mutations are not all refused */
  fail_unless (accepted > 100);
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
rumor_suite (void)
{
  Suite *s = suite_create ("rumor");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_ping_worked_example);
  tcase_add_test (tc, test_disconnect_worked_example);
  tcase_add_test (tc, test_message_worked_example);
  tcase_add_test (tc, test_parse_payload_is_zero_copy);
  tcase_add_test (tc, test_set_header_replaces_in_place);
  tcase_add_test (tc, test_modify_parsed_frame);
  tcase_add_test (tc, test_payload);
  tcase_add_test (tc, test_round_trip_many);
  tcase_add_test (tc, test_all_types_round_trip);
  tcase_add_test (tc, test_type_to_string);
  tcase_add_test (tc, test_boxed_type);
  tcase_add_test (tc, test_parse_truncated_at_every_length);
  tcase_add_test (tc, test_parse_length_mismatch);
  tcase_add_test (tc, test_parse_counts_overrun);
  tcase_add_test (tc, test_parse_empty_strings);
  tcase_add_test (tc, test_parse_reserved_bytes_ignored);
  tcase_add_test (tc, test_parse_unknown_types);
  tcase_add_test (tc, test_parse_invalid_strings);
  tcase_add_test (tc, test_parse_max_size);
  tcase_add_test (tc, test_serialize_count_limits);
  tcase_add_test (tc, test_serialize_string_limits);
  tcase_add_test (tc, test_parse_random_mutations);

  return s;
}

GST_CHECK_MAIN (rumor);
