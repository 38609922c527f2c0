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
#include <gst/opentok/gstopentoksignal-private.h>

/* Validates NUL-terminated fields and checks the outcome. */
static void
check_fields (const gchar * type, const gchar * data, gint expected_code)
{
  GError *error = NULL;
  gboolean ok;

  ok = gst_opentok_signal_validate_fields (type, type ? strlen (type) : 0,
      data, data ? strlen (data) : 0, &error);
  if (expected_code == 0) {
    if (error != NULL)
      fail ("type \"%s\" refused: %s", type, error->message);
    fail_unless (ok);
  } else {
    fail_if (ok, "type \"%s\" accepted, expected %d", type, expected_code);
    fail_unless (error != NULL);
    fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
    fail_unless_equals_int (error->code, expected_code);
    fail_unless (error->message != NULL && error->message[0] != '\0');
    g_error_free (error);
  }
}

static void
check_binary_data (const gchar * data, gsize length, gint expected_code)
{
  GError *error = NULL;
  gboolean ok;

  ok = gst_opentok_signal_validate_fields ("chat", 4, data, length, &error);
  if (expected_code == 0) {
    if (error != NULL)
      fail ("data refused: %s", error->message);
    fail_unless (ok);
  } else {
    fail_if (ok, "data accepted, expected %d", expected_code);
    fail_unless (error != NULL);
    fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
    fail_unless_equals_int (error->code, expected_code);
    g_error_free (error);
  }
}

GST_START_TEST (test_type_of_128_bytes_accepted)
{
  gchar *type = g_strnfill (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH, 'a');

  fail_unless_equals_int (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH, 128);
  check_fields (type, "x", 0);
  g_free (type);
}

GST_END_TEST;

GST_START_TEST (test_type_of_129_bytes_is_413)
{
  gchar *type = g_strnfill (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH + 1, 'a');
  GError *error = NULL;

  check_fields (type, "x", GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);

  /* The message states the length and the limit. */
  fail_if (gst_opentok_signal_validate_fields (type, strlen (type), NULL, 0,
          &error));
  fail_unless (strstr (error->message, "129") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "128") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "type") != NULL, "%s", error->message);
  g_error_free (error);

  /* Too long wins over bad characters, as in opentok.js. */
  memset (type, '!', strlen (type));
  check_fields (type, NULL, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  g_free (type);
}

GST_END_TEST;

GST_START_TEST (test_data_of_8192_bytes_accepted)
{
  gchar *data = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH, 'd');
  GString *multibyte = g_string_new (NULL);
  guint i;

  fail_unless_equals_int (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH, 8192);
  check_fields ("chat", data, 0);
  check_fields (NULL, data, 0);

  /* The limit is in bytes: 4096 two-byte characters fit exactly. */
  for (i = 0; i < GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH / 2; i++)
    g_string_append (multibyte, "\xc3\xa9");
  fail_unless_equals_int (multibyte->len, GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH);
  check_fields ("chat", multibyte->str, 0);

  g_string_free (multibyte, TRUE);
  g_free (data);
}

GST_END_TEST;

GST_START_TEST (test_data_of_8193_bytes_is_413)
{
  gchar *data = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1, 'd');
  GString *multibyte = g_string_new ("a");
  GError *error = NULL;
  guint i;

  check_fields ("chat", data, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);

  fail_if (gst_opentok_signal_validate_fields (NULL, 0, data, strlen (data),
          &error));
  fail_unless (strstr (error->message, "8193") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "8192") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "data") != NULL, "%s", error->message);
  g_error_free (error);

  /* 4096 two-byte characters plus one ASCII byte: 4097 characters, but
   * 8193 bytes. */
  for (i = 0; i < GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH / 2; i++)
    g_string_append (multibyte, "\xc3\xa9");
  check_fields ("chat", multibyte->str, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);

  g_string_free (multibyte, TRUE);
  g_free (data);
}

GST_END_TEST;

GST_START_TEST (test_huge_length_is_413_without_reading)
{
  GError *error = NULL;

  /* The lengths are checked before any byte is read. */
  fail_if (gst_opentok_signal_validate_fields ("chat", 4, "x", G_MAXSIZE,
          &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  fail_if (gst_opentok_signal_validate_fields ("c", G_MAXSIZE, "x", 1, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  g_clear_error (&error);
}

GST_END_TEST;

GST_START_TEST (test_type_bad_characters_are_400)
{
  const gchar *bad[] = {
    "chat message", " ", "a/b", "/", "hello!", "!", "caf\xc3\xa9",
    "\xc3\xa9", "a+b", "a@b", "a:b", "a%20b", "a\tb", "a\nb", "a\"b",
    "a'b", "a\\b", "a?b", "a#b", "a=b", "a&b", "a,b", "a;b", "a*b",
    "\xff", "\x7f", "\x01",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    check_fields (bad[i], "x", GST_OPENTOK_SIGNAL_ERROR_INVALID);
}

GST_END_TEST;

GST_START_TEST (test_type_error_names_the_character)
{
  GError *error = NULL;

  fail_if (gst_opentok_signal_validate_fields ("ab!c", 4, NULL, 0, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "'!'") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "offset 2") != NULL, "%s",
      error->message);
  g_clear_error (&error);

  /* Bytes that are not printable ASCII are shown in hex, so the message
   * stays valid UTF-8. */
  fail_if (gst_opentok_signal_validate_fields ("a\xc3\xa9", 3, NULL, 0,
          &error));
  fail_unless (strstr (error->message, "0xC3") != NULL, "%s", error->message);
  fail_unless (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  fail_if (gst_opentok_signal_validate_fields ("a\xff", 2, NULL, 0, &error));
  fail_unless (strstr (error->message, "0xFF") != NULL, "%s", error->message);
  fail_unless (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
}

GST_END_TEST;

GST_START_TEST (test_type_embedded_nul_is_400)
{
  GError *error = NULL;

  fail_if (gst_opentok_signal_validate_fields ("ch\0at", 5, "x", 1, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "0x00") != NULL, "%s", error->message);
  g_clear_error (&error);
}

GST_END_TEST;

GST_START_TEST (test_type_unreserved_characters_accepted)
{
  const gchar *good[] = {
    ".", "-", "_", "~", "a.b", "chat-message", "chat_message", "chat~1",
    "textMessage", "ABCXYZabcxyz0123456789", "com.example.v1-beta_2~x",
    "0", "...", "~~~",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    check_fields (good[i], "x", 0);
}

GST_END_TEST;

GST_START_TEST (test_type_empty_or_null_accepted)
{
  check_fields (NULL, "x", 0);
  check_fields ("", "x", 0);
  check_fields (NULL, NULL, 0);
  check_fields ("", "", 0);
  fail_unless (gst_opentok_signal_validate_fields (NULL, 0, NULL, 0, NULL));
}

GST_END_TEST;

GST_START_TEST (test_data_invalid_utf8_is_400)
{
  /* lone continuation byte, overlong encodings, truncated sequences, a
   * UTF-16 surrogate, a code point above U+10FFFF, bytes never in UTF-8 */
  const gchar *bad[] = {
    "\x80", "abc\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe2\x82",
    "hello \xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80",
    "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xc3", "ok\xc3(",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    check_fields ("chat", bad[i], GST_OPENTOK_SIGNAL_ERROR_INVALID);
}

GST_END_TEST;

GST_START_TEST (test_data_invalid_utf8_message)
{
  GError *error = NULL;

  fail_if (gst_opentok_signal_validate_fields (NULL, 0, "abc\xff", 4, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "UTF-8") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "offset 3") != NULL, "%s",
      error->message);
  g_clear_error (&error);
}

GST_END_TEST;

GST_START_TEST (test_data_valid_text_accepted)
{
  check_fields ("chat", "hello", 0);
  check_fields ("chat", "", 0);
  check_fields ("chat", "{\"json\": [1, 2, 3]}", 0);
  check_fields ("chat", "line one\nline two\ttab\r\n", 0);
  check_fields ("chat", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0);
  check_fields ("chat", "\xef\xbb\xbf" "bom", 0);
}

GST_END_TEST;

GST_START_TEST (test_data_embedded_nul_is_400)
{
  GError *error = NULL;

  check_binary_data ("ab\0cd", 5, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_binary_data ("\0", 1, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_binary_data ("abcd\0", 5, GST_OPENTOK_SIGNAL_ERROR_INVALID);

  fail_if (gst_opentok_signal_validate_fields (NULL, 0, "ab\0cd", 5, &error));
  fail_unless (strstr (error->message, "NUL") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "offset 2") != NULL, "%s",
      error->message);
  g_clear_error (&error);
}

GST_END_TEST;

GST_START_TEST (test_fields_are_binary_safe)
{
  /* Only the given lengths count: what follows is never looked at. */
  const gchar buffer[] = "chat!!!!hello\xff\xff";
  gchar unterminated[4] = { 'p', 'i', 'n', 'g' };

  fail_unless (gst_opentok_signal_validate_fields (buffer, 4, buffer + 8, 5,
          NULL));
  fail_if (gst_opentok_signal_validate_fields (buffer, 5, buffer + 8, 5, NULL));
  fail_if (gst_opentok_signal_validate_fields (buffer, 4, buffer + 8, 6, NULL));
  fail_unless (gst_opentok_signal_validate_fields (unterminated, 4,
          unterminated, 4, NULL));

  /* A zero length means "none", whatever the pointer. */
  fail_unless (gst_opentok_signal_validate_fields (buffer + 4, 0,
          buffer + 13, 0, NULL));
}

GST_END_TEST;

GST_START_TEST (test_data_checked_before_type)
{
  gchar *big = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1, 'd');
  gchar *long_type = g_strnfill (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH + 1, 't');
  GError *error = NULL;

  /* too large data and a bad type: 413 for the data */
  fail_if (gst_opentok_signal_validate_fields ("bad type", 8, big,
          strlen (big), &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  fail_unless (strstr (error->message, "data") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* invalid data and a too long type: 400 for the data */
  fail_if (gst_opentok_signal_validate_fields (long_type, strlen (long_type),
          "\xff", 1, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "data") != NULL, "%s", error->message);
  g_clear_error (&error);

  g_free (long_type);
  g_free (big);
}

GST_END_TEST;

GST_START_TEST (test_validate_order_is_data_to_type)
{
  gchar *big = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1, 'd');
  GstOpenTokSignal *signal;
  GError *error = NULL;

  /* data before to */
  signal = gst_opentok_signal_new ("bad type", big);
  gst_opentok_signal_set_to (signal, "a/b");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  fail_unless (strstr (error->message, "data") != NULL, "%s", error->message);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);

  /* to before type */
  signal = gst_opentok_signal_new ("bad type", "ok");
  gst_opentok_signal_set_to (signal, "a/b");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "connection") != NULL, "%s",
      error->message);
  g_clear_error (&error);

  /* then type */
  gst_opentok_signal_set_to (signal, "8a4d5a8e-2b6c-4b9e-9d3c-0f1e2d3c4b5a");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "type") != NULL, "%s", error->message);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);

  g_free (big);
}

GST_END_TEST;

static void
check_to (const gchar * to, gint expected_code)
{
  GstOpenTokSignal *signal = gst_opentok_signal_new ("chat", "hi");
  GError *error = NULL;

  gst_opentok_signal_set_to (signal, to);
  if (expected_code == 0) {
    if (!gst_opentok_signal_validate (signal, &error))
      fail ("to \"%s\" refused: %s", to, error->message);
  } else {
    fail_if (gst_opentok_signal_validate (signal, &error),
        "to \"%s\" accepted", to);
    fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
    fail_unless_equals_int (error->code, expected_code);
    fail_unless (strstr (error->message, "connection") != NULL, "%s",
        error->message);
    g_error_free (error);
  }
  gst_opentok_signal_unref (signal);
}

GST_START_TEST (test_to_validation)
{
  check_to (NULL, 0);
  check_to ("8a4d5a8e-2b6c-4b9e-9d3c-0f1e2d3c4b5a", 0);
  check_to ("x", 0);
  check_to ("symphony.example", 0);
  check_to ("caf\xc3\xa9", 0);

  check_to ("", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("/", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("a/b", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("abc/", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("../signal", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("\xff", GST_OPENTOK_SIGNAL_ERROR_INVALID);
  check_to ("abc\xc3", GST_OPENTOK_SIGNAL_ERROR_INVALID);
}

GST_END_TEST;

GST_START_TEST (test_validate_signal)
{
  GstOpenTokSignal *signal;
  gchar *long_type = g_strnfill (GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH, 't');
  gchar *big = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH, 'd');
  GError *error = NULL;

  signal = gst_opentok_signal_new (NULL, NULL);
  fail_unless (gst_opentok_signal_validate (signal, NULL));
  gst_opentok_signal_unref (signal);

  signal = gst_opentok_signal_new (long_type, big);
  fail_unless (gst_opentok_signal_validate (signal, &error));
  fail_unless (error == NULL);
  gst_opentok_signal_unref (signal);

  signal = gst_opentok_signal_new ("chat", "caf\xc3");
  fail_if (gst_opentok_signal_validate (signal, NULL));
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);

  /* received signals are checked with the same rules */
  signal = gst_opentok_signal_new_received ("chat room", "x", "abc", FALSE);
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);

  g_free (big);
  g_free (long_type);
}

GST_END_TEST;

GST_START_TEST (test_new_defaults)
{
  GstOpenTokSignal *signal;

  signal = gst_opentok_signal_new ("chat", "hello");
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (signal),
      "chat");
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "hello");
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);
  fail_unless (gst_opentok_signal_get_from (signal) == NULL);
  fail_if (gst_opentok_signal_is_from_self (signal));
  fail_if (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_get_retry_after_reconnect (signal));
  gst_opentok_signal_unref (signal);

  /* "" means no type; data is kept as given */
  signal = gst_opentok_signal_new ("", "");
  fail_unless (gst_opentok_signal_get_signal_type (signal) == NULL);
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "");
  gst_opentok_signal_unref (signal);

  signal = gst_opentok_signal_new (NULL, NULL);
  fail_unless (gst_opentok_signal_get_signal_type (signal) == NULL);
  fail_unless (gst_opentok_signal_get_data (signal) == NULL);
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_setters)
{
  GstOpenTokSignal *signal = gst_opentok_signal_new ("chat", "hello");

  gst_opentok_signal_set_to (signal, "conn-1");
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "conn-1");
  gst_opentok_signal_set_to (signal, "conn-2");
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "conn-2");
  gst_opentok_signal_set_to (signal, NULL);
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);

  gst_opentok_signal_set_retry_after_reconnect (signal, FALSE);
  fail_if (gst_opentok_signal_get_retry_after_reconnect (signal));
  gst_opentok_signal_set_retry_after_reconnect (signal, TRUE);
  fail_unless (gst_opentok_signal_get_retry_after_reconnect (signal));

  /* still outgoing */
  fail_if (gst_opentok_signal_is_received (signal));
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_received_signal)
{
  GstOpenTokSignal *signal;

  signal = gst_opentok_signal_new_received ("chat", "hello", "conn-1", TRUE);
  fail_unless (gst_opentok_signal_is_received (signal));
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (signal),
      "chat");
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "hello");
  fail_unless_equals_string (gst_opentok_signal_get_from (signal), "conn-1");
  fail_unless (gst_opentok_signal_is_from_self (signal));
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);
  gst_opentok_signal_unref (signal);

  /* sent by the server (REST): no sender */
  signal = gst_opentok_signal_new_received ("", NULL, NULL, FALSE);
  fail_unless (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_get_signal_type (signal) == NULL);
  fail_unless (gst_opentok_signal_get_from (signal) == NULL);
  fail_if (gst_opentok_signal_is_from_self (signal));
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_set_from_makes_received)
{
  GstOpenTokSignal *signal;

  signal = gst_opentok_signal_new ("chat", "hello");
  gst_opentok_signal_set_from (signal, NULL);
  fail_unless (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_get_from (signal) == NULL);
  gst_opentok_signal_set_from (signal, "conn-9");
  fail_unless_equals_string (gst_opentok_signal_get_from (signal), "conn-9");
  gst_opentok_signal_unref (signal);

  signal = gst_opentok_signal_new ("chat", "hello");
  gst_opentok_signal_set_from_self (signal, TRUE);
  fail_unless (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_is_from_self (signal));
  gst_opentok_signal_set_from_self (signal, FALSE);
  fail_if (gst_opentok_signal_is_from_self (signal));
  fail_unless (gst_opentok_signal_is_received (signal));
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_refcounting)
{
  GstOpenTokSignal *signal, *ref, *copy;
  GValue value = G_VALUE_INIT;

  signal = gst_opentok_signal_new ("chat", "hello");
  ref = gst_opentok_signal_ref (signal);
  fail_unless (ref == signal);

  /* the boxed copy is a reference, not a copy */
  copy = g_boxed_copy (GST_TYPE_OPENTOK_SIGNAL, signal);
  fail_unless (copy == signal);
  g_boxed_free (GST_TYPE_OPENTOK_SIGNAL, copy);

  g_value_init (&value, GST_TYPE_OPENTOK_SIGNAL);
  g_value_set_boxed (&value, signal);
  fail_unless (g_value_get_boxed (&value) == signal);

  gst_opentok_signal_unref (ref);
  gst_opentok_signal_unref (signal);

  /* the GValue still holds a reference */
  signal = g_value_get_boxed (&value);
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "hello");
  g_value_unset (&value);

  fail_unless (G_TYPE_IS_BOXED (GST_TYPE_OPENTOK_SIGNAL));
  fail_unless_equals_string (g_type_name (GST_TYPE_OPENTOK_SIGNAL),
      "GstOpenTokSignal");
}

GST_END_TEST;

typedef struct
{
  GstOpenTokSignal *signal;
  guint rounds;
} RefThreadData;

static gpointer
ref_thread (gpointer user_data)
{
  RefThreadData *d = user_data;
  guint i;

  for (i = 0; i < d->rounds; i++) {
    gst_opentok_signal_ref (d->signal);
    gst_opentok_signal_unref (d->signal);
  }
  return NULL;
}

GST_START_TEST (test_refcounting_across_threads)
{
  RefThreadData d;
  GThread *threads[4];
  guint i;

  d.signal = gst_opentok_signal_new ("chat", "hello");
  d.rounds = 100000;
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("ref", ref_thread, &d);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* still exactly one reference: readable now, freed by this unref */
  fail_unless_equals_string (gst_opentok_signal_get_data (d.signal), "hello");
  gst_opentok_signal_unref (d.signal);
}

GST_END_TEST;

static void
check_string_field (const GstStructure * s, const gchar * field,
    const gchar * expected)
{
  const GValue *v = gst_structure_get_value (s, field);

  fail_unless (v != NULL, "no field %s", field);
  fail_unless (G_VALUE_TYPE (v) == G_TYPE_STRING, "%s is a %s", field,
      G_VALUE_TYPE_NAME (v));
  if (expected == NULL)
    fail_unless (g_value_get_string (v) == NULL, "%s is \"%s\"", field,
        g_value_get_string (v));
  else
    fail_unless_equals_string (g_value_get_string (v), expected);
}

static void
check_boolean_field (const GstStructure * s, const gchar * field,
    gboolean expected)
{
  gboolean b;

  fail_unless (gst_structure_has_field_typed (s, field, G_TYPE_BOOLEAN),
      "no boolean field %s", field);
  fail_unless (gst_structure_get_boolean (s, field, &b));
  fail_unless_equals_int (b, expected);
}

GST_START_TEST (test_structure_outgoing_fields)
{
  GstOpenTokSignal *signal;
  GstStructure *s;

  signal = gst_opentok_signal_new ("chat", "hello");
  gst_opentok_signal_set_to (signal, "conn-1");
  gst_opentok_signal_set_retry_after_reconnect (signal, FALSE);
  s = gst_opentok_signal_to_structure (signal);

  fail_unless (gst_structure_has_name (s, GST_OPENTOK_SIGNAL_STRUCTURE_NAME));
  fail_unless (gst_structure_has_name (s, "opentok-signal"));
  fail_unless_equals_int (gst_structure_n_fields (s), 4);
  check_string_field (s, "type", "chat");
  check_string_field (s, "data", "hello");
  check_string_field (s, "to", "conn-1");
  check_boolean_field (s, "retry-after-reconnect", FALSE);
  fail_if (gst_structure_has_field (s, "from"));
  fail_if (gst_structure_has_field (s, "from-self"));
  gst_structure_free (s);
  gst_opentok_signal_unref (signal);

  /* broadcast without type or data */
  signal = gst_opentok_signal_new (NULL, NULL);
  s = gst_opentok_signal_to_structure (signal);
  fail_unless_equals_int (gst_structure_n_fields (s), 4);
  check_string_field (s, "type", "");
  check_string_field (s, "data", "");
  check_string_field (s, "to", NULL);
  check_boolean_field (s, "retry-after-reconnect", TRUE);
  gst_structure_free (s);
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_structure_received_fields)
{
  GstOpenTokSignal *signal;
  GstStructure *s;

  signal = gst_opentok_signal_new_received ("chat", "hello", "conn-2", TRUE);
  s = gst_opentok_signal_to_structure (signal);
  fail_unless (gst_structure_has_name (s, GST_OPENTOK_SIGNAL_STRUCTURE_NAME));
  fail_unless_equals_int (gst_structure_n_fields (s), 4);
  check_string_field (s, "type", "chat");
  check_string_field (s, "data", "hello");
  check_string_field (s, "from", "conn-2");
  check_boolean_field (s, "from-self", TRUE);
  fail_if (gst_structure_has_field (s, "to"));
  fail_if (gst_structure_has_field (s, "retry-after-reconnect"));
  gst_structure_free (s);
  gst_opentok_signal_unref (signal);

  /* sent by the server: "from" is a NULL string */
  signal = gst_opentok_signal_new_received (NULL, NULL, NULL, FALSE);
  s = gst_opentok_signal_to_structure (signal);
  check_string_field (s, "type", "");
  check_string_field (s, "data", "");
  check_string_field (s, "from", NULL);
  check_boolean_field (s, "from-self", FALSE);
  gst_structure_free (s);
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

static void
check_same_outgoing (GstOpenTokSignal * a, GstOpenTokSignal * b)
{
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (a),
      gst_opentok_signal_get_signal_type (b));
  fail_unless_equals_string (gst_opentok_signal_get_to (a),
      gst_opentok_signal_get_to (b));
  fail_unless_equals_int (gst_opentok_signal_get_retry_after_reconnect (a),
      gst_opentok_signal_get_retry_after_reconnect (b));
  fail_if (gst_opentok_signal_is_received (b));
}

GST_START_TEST (test_structure_round_trip_signal_first)
{
  GstOpenTokSignal *signal, *back;
  GstStructure *s;
  GError *error = NULL;

  signal = gst_opentok_signal_new ("a.b-c_d~e", "caf\xc3\xa9\nline");
  gst_opentok_signal_set_to (signal, "8a4d5a8e-2b6c-4b9e-9d3c-0f1e2d3c4b5a");
  gst_opentok_signal_set_retry_after_reconnect (signal, FALSE);

  s = gst_opentok_signal_to_structure (signal);
  back = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (back != NULL, "%s", error ? error->message : "");
  check_same_outgoing (signal, back);
  fail_unless_equals_string (gst_opentok_signal_get_data (back),
      "caf\xc3\xa9\nline");
  fail_unless (gst_opentok_signal_validate (back, NULL));
  gst_opentok_signal_unref (back);
  gst_structure_free (s);

  /* through the serialised text form too */
  {
    gchar *text;
    GstStructure *parsed;

    s = gst_opentok_signal_to_structure (signal);
    text = gst_structure_to_string (s);
    parsed = gst_structure_from_string (text, NULL);
    fail_unless (parsed != NULL, "%s", text);
    back = gst_opentok_signal_new_from_structure (parsed, &error);
    fail_unless (back != NULL, "%s", error ? error->message : "");
    check_same_outgoing (signal, back);
    fail_unless_equals_string (gst_opentok_signal_get_data (back),
        "caf\xc3\xa9\nline");
    gst_opentok_signal_unref (back);
    gst_structure_free (parsed);
    gst_structure_free (s);
    g_free (text);
  }

  gst_opentok_signal_unref (signal);

  /* broadcast with defaults: "to" is a NULL string and comes back NULL */
  signal = gst_opentok_signal_new ("chat", "x");
  s = gst_opentok_signal_to_structure (signal);
  back = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (back != NULL);
  check_same_outgoing (signal, back);
  fail_unless (gst_opentok_signal_get_to (back) == NULL);
  fail_unless (gst_opentok_signal_get_retry_after_reconnect (back));
  gst_opentok_signal_unref (back);
  gst_structure_free (s);
  gst_opentok_signal_unref (signal);
}

GST_END_TEST;

GST_START_TEST (test_structure_round_trip_structure_first)
{
  GstStructure *s, *out;
  GstOpenTokSignal *signal;
  GError *error = NULL;

  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, "chat",
      "data", G_TYPE_STRING, "hello",
      "to", G_TYPE_STRING, "conn-3",
      "retry-after-reconnect", G_TYPE_BOOLEAN, FALSE, NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  out = gst_opentok_signal_to_structure (signal);
  fail_unless (gst_structure_is_equal (s, out));
  gst_structure_free (out);
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  /* a NULL "to" (broadcast) and TRUE retry */
  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, "",
      "data", G_TYPE_STRING, "",
      "to", G_TYPE_STRING, NULL,
      "retry-after-reconnect", G_TYPE_BOOLEAN, TRUE, NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  out = gst_opentok_signal_to_structure (signal);
  fail_unless (gst_structure_is_equal (s, out));
  gst_structure_free (out);
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);
}

GST_END_TEST;

GST_START_TEST (test_structure_from_string)
{
  GstStructure *s;
  GstOpenTokSignal *signal;
  GError *error = NULL;

  s = gst_structure_from_string ("opentok-signal, type=chat, "
      "data=\"hello world\", to=conn-4, retry-after-reconnect=false", NULL);
  fail_unless (s != NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (signal),
      "chat");
  fail_unless_equals_string (gst_opentok_signal_get_data (signal),
      "hello world");
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "conn-4");
  fail_if (gst_opentok_signal_get_retry_after_reconnect (signal));
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  /* a number must be written as a string */
  s = gst_structure_from_string ("opentok-signal, data=(string)42", NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "42");
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);
}

GST_END_TEST;

GST_START_TEST (test_structure_all_fields_optional)
{
  GstStructure *s;
  GstOpenTokSignal *signal;
  GError *error = NULL;

  s = gst_structure_new_empty (GST_OPENTOK_SIGNAL_STRUCTURE_NAME);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_unless (gst_opentok_signal_get_signal_type (signal) == NULL);
  fail_unless (gst_opentok_signal_get_data (signal) == NULL);
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);
  fail_unless (gst_opentok_signal_get_retry_after_reconnect (signal));
  fail_if (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_validate (signal, NULL));
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  /* NULL strings count as absent, "" to as the whole session */
  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, NULL, "data", G_TYPE_STRING, NULL,
      "to", G_TYPE_STRING, "", NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_unless (gst_opentok_signal_get_signal_type (signal) == NULL);
  fail_unless (gst_opentok_signal_get_data (signal) == NULL);
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);
  fail_unless (gst_opentok_signal_validate (signal, NULL));
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);
}

GST_END_TEST;

GST_START_TEST (test_structure_of_received_signal_sends_on)
{
  GstOpenTokSignal *received, *signal;
  GstStructure *s;
  GError *error = NULL;

  received = gst_opentok_signal_new_received ("chat", "hi", "conn-5", FALSE);
  s = gst_opentok_signal_to_structure (received);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_if (gst_opentok_signal_is_received (signal));
  fail_unless (gst_opentok_signal_get_from (signal) == NULL);
  fail_unless (gst_opentok_signal_get_to (signal) == NULL);
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (signal),
      "chat");
  fail_unless_equals_string (gst_opentok_signal_get_data (signal), "hi");
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);
  gst_opentok_signal_unref (received);
}

GST_END_TEST;

GST_START_TEST (test_structure_wrong_name_is_400)
{
  GstStructure *s;
  GError *error = NULL;

  s = gst_structure_new ("opentok-signals", "type", G_TYPE_STRING, "chat",
      NULL);
  fail_unless (gst_opentok_signal_new_from_structure (s, &error) == NULL);
  fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "opentok-signals") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  gst_structure_free (s);

  /* NULL error is fine */
  s = gst_structure_new_empty ("application/x-other");
  fail_unless (gst_opentok_signal_new_from_structure (s, NULL) == NULL);
  gst_structure_free (s);
}

GST_END_TEST;

static void
check_wrong_field (const gchar * field, GType type, ...)
{
  GstStructure *s;
  GError *error = NULL;
  va_list args;

  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, "chat", "data", G_TYPE_STRING, "hi", NULL);
  va_start (args, type);
  gst_structure_set_valist (s, field, args);
  va_end (args);

  fail_unless (gst_opentok_signal_new_from_structure (s, &error) == NULL,
      "wrong %s accepted", field);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_OPENTOK_SIGNAL_ERROR);
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, field) != NULL, "%s does not name %s",
      error->message, field);
  fail_unless (strstr (error->message, g_type_name (type)) != NULL,
      "%s does not name %s", error->message, g_type_name (type));
  g_error_free (error);
  gst_structure_free (s);
}

GST_START_TEST (test_structure_wrong_field_types_are_400)
{
  check_wrong_field ("type", G_TYPE_INT, G_TYPE_INT, 5, NULL);
  check_wrong_field ("type", G_TYPE_BOOLEAN, G_TYPE_BOOLEAN, TRUE, NULL);
  check_wrong_field ("data", G_TYPE_INT, G_TYPE_INT, 42, NULL);
  check_wrong_field ("data", G_TYPE_DOUBLE, G_TYPE_DOUBLE, 4.2, NULL);
  check_wrong_field ("to", G_TYPE_UINT64, G_TYPE_UINT64, (guint64) 7, NULL);
  check_wrong_field ("to", G_TYPE_BOOLEAN, G_TYPE_BOOLEAN, FALSE, NULL);
  check_wrong_field ("retry-after-reconnect", G_TYPE_STRING, G_TYPE_STRING,
      "false", NULL);
  check_wrong_field ("retry-after-reconnect", G_TYPE_INT, G_TYPE_INT, 0, NULL);
}

GST_END_TEST;

GST_START_TEST (test_structure_wrong_types_from_string_are_400)
{
  GstStructure *s;
  GError *error = NULL;

  /* what a gst-launch user gets for an unquoted number */
  s = gst_structure_from_string ("opentok-signal, type=chat, data=42", NULL);
  fail_unless (s != NULL);
  fail_unless (gst_opentok_signal_new_from_structure (s, &error) == NULL);
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  fail_unless (strstr (error->message, "\"data\"") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  gst_structure_free (s);
}

GST_END_TEST;

GST_START_TEST (test_structure_does_not_validate)
{
  GstStructure *s;
  GstOpenTokSignal *signal;
  gchar *big = g_strnfill (GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH + 1, 'd');
  GError *error = NULL;

  /* a bad type is carried through; validation reports it with 400 */
  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, "bad type", NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  /* too large data: 413 from validation */
  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "data", G_TYPE_STRING, big, NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  /* a bad target: 400 from validation */
  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "to", G_TYPE_STRING, "a/b", NULL);
  signal = gst_opentok_signal_new_from_structure (s, &error);
  fail_unless (signal != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "a/b");
  fail_if (gst_opentok_signal_validate (signal, &error));
  fail_unless_equals_int (error->code, GST_OPENTOK_SIGNAL_ERROR_INVALID);
  g_clear_error (&error);
  gst_opentok_signal_unref (signal);
  gst_structure_free (s);

  g_free (big);
}

GST_END_TEST;

GST_START_TEST (test_error_names)
{
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_INVALID), "OT_INVALID_PARAMETER");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED), "OT_PERMISSION_DENIED");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND), "OT_NOT_FOUND");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE), "OT_INVALID_PARAMETER");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED), "OT_RATE_LIMIT_EXCEEDED");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      (GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED), "OT_NOT_CONNECTED");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      ((GstOpenTokSignalError) 503), "OT_UNEXPECTED_SERVER_RESPONSE");
  fail_unless_equals_string (gst_opentok_signal_error_get_name
      ((GstOpenTokSignalError) 0), "OT_UNEXPECTED_SERVER_RESPONSE");
}

GST_END_TEST;

GST_START_TEST (test_error_codes_are_opentok_numbers)
{
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_INVALID, 400);
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED, 403);
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND, 404);
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE, 413);
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED, 429);
  fail_unless_equals_int (GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED, 500);
  fail_unless (GST_OPENTOK_SIGNAL_ERROR != 0);
  fail_unless_equals_string (g_quark_to_string (GST_OPENTOK_SIGNAL_ERROR),
      "gst-opentok-signal-error-quark");
}

GST_END_TEST;

static void
count_refusal (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  if (strstr (message, "is_writable") != NULL)
    (*(guint *) user_data)++;
}

/* Once shared, a signal no longer changes: a copy does. */
GST_START_TEST (test_shared_signal_is_not_writable)
{
  GstOpenTokSignal *signal = gst_opentok_signal_new ("chat", "hello");
  GstOpenTokSignal *shared, *copy;
  GLogLevelFlags fatal;
  guint handler;
  guint refusals = 0;

  fail_unless (gst_opentok_signal_is_writable (signal));
  gst_opentok_signal_set_to (signal, "bob");
  gst_opentok_signal_set_retry_after_reconnect (signal, FALSE);

  shared = gst_opentok_signal_ref (signal);
  fail_if (gst_opentok_signal_is_writable (signal));
  /* the suite runs with fatal criticals: these two are expected */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  handler = g_log_set_handler ("GstOpenTok", G_LOG_LEVEL_CRITICAL,
      count_refusal, &refusals);
  gst_opentok_signal_set_to (shared, "carol");
  gst_opentok_signal_set_retry_after_reconnect (shared, TRUE);
  g_log_remove_handler ("GstOpenTok", handler);
  g_log_set_always_fatal (fatal);
  fail_unless_equals_int (refusals, 2);
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "bob");
  fail_if (gst_opentok_signal_get_retry_after_reconnect (signal));

  copy = gst_opentok_signal_copy (shared);
  fail_unless (gst_opentok_signal_is_writable (copy));
  fail_unless_equals_string (gst_opentok_signal_get_signal_type (copy), "chat");
  fail_unless_equals_string (gst_opentok_signal_get_data (copy), "hello");
  fail_unless_equals_string (gst_opentok_signal_get_to (copy), "bob");
  fail_if (gst_opentok_signal_get_retry_after_reconnect (copy));
  gst_opentok_signal_set_to (copy, "carol");
  fail_unless_equals_string (gst_opentok_signal_get_to (signal), "bob");

  gst_opentok_signal_unref (shared);
  fail_unless (gst_opentok_signal_is_writable (signal));
  gst_opentok_signal_unref (signal);
  gst_opentok_signal_unref (copy);
}

GST_END_TEST;

static Suite *
signal_suite (void)
{
  Suite *s = suite_create ("signal");
  TCase *tc_validate = tcase_create ("validate");
  TCase *tc_object = tcase_create ("object");
  TCase *tc_structure = tcase_create ("structure");
  TCase *tc_errors = tcase_create ("errors");

  suite_add_tcase (s, tc_validate);
  tcase_add_test (tc_validate, test_type_of_128_bytes_accepted);
  tcase_add_test (tc_validate, test_type_of_129_bytes_is_413);
  tcase_add_test (tc_validate, test_data_of_8192_bytes_accepted);
  tcase_add_test (tc_validate, test_data_of_8193_bytes_is_413);
  tcase_add_test (tc_validate, test_huge_length_is_413_without_reading);
  tcase_add_test (tc_validate, test_type_bad_characters_are_400);
  tcase_add_test (tc_validate, test_type_error_names_the_character);
  tcase_add_test (tc_validate, test_type_embedded_nul_is_400);
  tcase_add_test (tc_validate, test_type_unreserved_characters_accepted);
  tcase_add_test (tc_validate, test_type_empty_or_null_accepted);
  tcase_add_test (tc_validate, test_data_invalid_utf8_is_400);
  tcase_add_test (tc_validate, test_data_invalid_utf8_message);
  tcase_add_test (tc_validate, test_data_valid_text_accepted);
  tcase_add_test (tc_validate, test_data_embedded_nul_is_400);
  tcase_add_test (tc_validate, test_fields_are_binary_safe);
  tcase_add_test (tc_validate, test_data_checked_before_type);
  tcase_add_test (tc_validate, test_validate_order_is_data_to_type);
  tcase_add_test (tc_validate, test_to_validation);
  tcase_add_test (tc_validate, test_validate_signal);

  suite_add_tcase (s, tc_object);
  tcase_add_test (tc_object, test_new_defaults);
  tcase_add_test (tc_object, test_setters);
  tcase_add_test (tc_object, test_received_signal);
  tcase_add_test (tc_object, test_set_from_makes_received);
  tcase_add_test (tc_object, test_refcounting);
  tcase_add_test (tc_object, test_refcounting_across_threads);
  tcase_add_test (tc_object, test_shared_signal_is_not_writable);

  suite_add_tcase (s, tc_structure);
  tcase_add_test (tc_structure, test_structure_outgoing_fields);
  tcase_add_test (tc_structure, test_structure_received_fields);
  tcase_add_test (tc_structure, test_structure_round_trip_signal_first);
  tcase_add_test (tc_structure, test_structure_round_trip_structure_first);
  tcase_add_test (tc_structure, test_structure_from_string);
  tcase_add_test (tc_structure, test_structure_all_fields_optional);
  tcase_add_test (tc_structure, test_structure_of_received_signal_sends_on);
  tcase_add_test (tc_structure, test_structure_wrong_name_is_400);
  tcase_add_test (tc_structure, test_structure_wrong_field_types_are_400);
  tcase_add_test (tc_structure, test_structure_wrong_types_from_string_are_400);
  tcase_add_test (tc_structure, test_structure_does_not_validate);

  suite_add_tcase (s, tc_errors);
  tcase_add_test (tc_errors, test_error_names);
  tcase_add_test (tc_errors, test_error_codes_are_opentok_numbers);

  return s;
}

GST_CHECK_MAIN (signal);
