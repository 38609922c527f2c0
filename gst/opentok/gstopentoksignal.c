/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstopentoksignal
 * @title: GstOpenTokSignal
 * @short_description: One OpenTok signal, its validation and its structure
 *
 * A #GstOpenTokSignal is one OpenTok signal: an optional type, optional
 * text data, and the connection it goes to (outgoing) or the connection it
 * came from (received). It is checked with OpenTok's own rules by
 * gst_opentok_signal_validate() and gst_opentok_signal_validate_fields(),
 * which report the codes opentok.js and the OpenTok REST API report
 * (#GST_OPENTOK_SIGNAL_ERROR): 413 for a type over
 * %GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH bytes or data over
 * %GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH bytes, 400 for anything else that is
 * malformed.
 *
 * The same signal travels through GStreamer as a #GstStructure named
 * %GST_OPENTOK_SIGNAL_STRUCTURE_NAME, see gst_opentok_signal_to_structure()
 * and gst_opentok_signal_new_from_structure().
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstopentoksignal-private.h"
#include "gstopentok-private.h"

#define GST_CAT_DEFAULT (gst_opentok_debug_get_category ())

#define DEFAULT_RETRY_AFTER_RECONNECT TRUE

/* Characters opentok.js accepts in a type (^[a-zA-Z0-9\-._~]+$):
 * letters, digits and the RFC 3986 unreserved marks - . _ ~ */
#define IS_TYPE_CHAR(c) (g_ascii_isalnum (c) || (c) == '-' || (c) == '.' \
    || (c) == '_' || (c) == '~')

struct _GstOpenTokSignal
{
  gatomicrefcount refcount;     /* atomic: signals cross threads */

  gchar *type;                  /* NULL when the signal has no type */
  gchar *data;                  /* NULL when the signal has no data */
  gchar *to;                    /* outgoing: NULL for the whole session */
  gchar *from;                  /* received: NULL when the server sent it */
  gboolean from_self;
  gboolean retry_after_reconnect;
  gboolean received;
};

G_DEFINE_BOXED_TYPE (GstOpenTokSignal, gst_opentok_signal,
    gst_opentok_signal_ref, gst_opentok_signal_unref);

/**
 * gst_opentok_signal_new:
 * @type: (nullable): the signal type; %NULL or "" for none
 * @data: (nullable): the signal data, %NULL for none
 *
 * Creates an outgoing signal to the whole session, retried after an
 * automatic reconnection. Use gst_opentok_signal_set_to() to send it to one
 * connection only. Nothing is checked here: call
 * gst_opentok_signal_validate() before sending.
 *
 * Returns: (transfer full): a new #GstOpenTokSignal
 *
 * Since: 0.1
 */
GstOpenTokSignal *
gst_opentok_signal_new (const gchar * type, const gchar * data)
{
  GstOpenTokSignal *signal;

  signal = g_new0 (GstOpenTokSignal, 1);
  g_atomic_ref_count_init (&signal->refcount);
  signal->type = (type != NULL && *type != '\0') ? g_strdup (type) : NULL;
  signal->data = g_strdup (data);
  signal->retry_after_reconnect = DEFAULT_RETRY_AFTER_RECONNECT;

  return signal;
}

GstOpenTokSignal *
gst_opentok_signal_new_received (const gchar * type, const gchar * data,
    const gchar * from, gboolean from_self)
{
  GstOpenTokSignal *signal;

  signal = gst_opentok_signal_new (type, data);
  signal->received = TRUE;
  signal->from = g_strdup (from);
  signal->from_self = from_self;

  return signal;
}

/**
 * gst_opentok_signal_copy:
 * @signal: a #GstOpenTokSignal
 *
 * Makes a new signal with the fields of @signal, writable by its caller
 * (see gst_opentok_signal_is_writable()).
 *
 * Returns: (transfer full): the copy
 *
 * Since: 0.1
 */
GstOpenTokSignal *
gst_opentok_signal_copy (const GstOpenTokSignal * signal)
{
  GstOpenTokSignal *copy;

  g_return_val_if_fail (signal != NULL, NULL);

  copy = gst_opentok_signal_new (signal->type, signal->data);
  copy->to = g_strdup (signal->to);
  copy->from = g_strdup (signal->from);
  copy->from_self = signal->from_self;
  copy->received = signal->received;
  copy->retry_after_reconnect = signal->retry_after_reconnect;
  return copy;
}

/**
 * gst_opentok_signal_is_writable:
 * @signal: a #GstOpenTokSignal
 *
 * A signal may be changed only while its caller holds the one reference to
 * it: once shared (given to gst_opentok_client_send_signal_full(), handed
 * out by `signal-received`) it no longer changes, and the setters refuse.
 * Change a gst_opentok_signal_copy() instead.
 *
 * Returns: %TRUE when @signal has a single reference
 *
 * Since: 0.1
 */
gboolean
gst_opentok_signal_is_writable (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, FALSE);

  return g_atomic_ref_count_compare ((gatomicrefcount *) & signal->refcount, 1);
}

/**
 * gst_opentok_signal_ref:
 * @signal: a #GstOpenTokSignal
 *
 * Adds a reference. Safe from any thread.
 *
 * Returns: (transfer full): @signal
 *
 * Since: 0.1
 */
GstOpenTokSignal *
gst_opentok_signal_ref (GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, NULL);

  g_atomic_ref_count_inc (&signal->refcount);
  return signal;
}

/**
 * gst_opentok_signal_unref:
 * @signal: (transfer full): a #GstOpenTokSignal
 *
 * Drops a reference, and frees the signal when it was the last one. Safe
 * from any thread.
 *
 * Since: 0.1
 */
void
gst_opentok_signal_unref (GstOpenTokSignal * signal)
{
  g_return_if_fail (signal != NULL);

  if (!g_atomic_ref_count_dec (&signal->refcount))
    return;

  g_free (signal->type);
  g_free (signal->data);
  g_free (signal->to);
  g_free (signal->from);
  g_free (signal);
}

/**
 * gst_opentok_signal_get_signal_type:
 * @signal: a #GstOpenTokSignal
 *
 * The type of @signal, which receivers filter on.
 *
 * Returns: (nullable): the signal type, %NULL when it has none (never "")
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_signal_get_signal_type (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, NULL);

  return signal->type;
}

/**
 * gst_opentok_signal_get_data:
 * @signal: a #GstOpenTokSignal
 *
 * The data of @signal, UTF-8 text.
 *
 * Returns: (nullable): the signal data, %NULL when it has none
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_signal_get_data (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, NULL);

  return signal->data;
}

/**
 * gst_opentok_signal_get_to:
 * @signal: a #GstOpenTokSignal
 *
 * Where an outgoing @signal goes.
 *
 * Returns: (nullable): the id of the connection an outgoing signal goes to,
 *     %NULL when it goes to the whole session
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_signal_get_to (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, NULL);

  return signal->to;
}

/**
 * gst_opentok_signal_set_to:
 * @signal: a #GstOpenTokSignal
 * @connection_id: (nullable): the id of the connection to send to, %NULL
 *     for the whole session
 *
 * Sets the connection an outgoing signal goes to. The id is kept as given:
 * an empty string is refused by gst_opentok_signal_validate(). @signal
 * must be writable (gst_opentok_signal_is_writable()).
 *
 * Since: 0.1
 */
void
gst_opentok_signal_set_to (GstOpenTokSignal * signal,
    const gchar * connection_id)
{
  g_return_if_fail (signal != NULL);
  g_return_if_fail (gst_opentok_signal_is_writable (signal));

  g_free (signal->to);
  signal->to = g_strdup (connection_id);
}

/**
 * gst_opentok_signal_get_from:
 * @signal: a #GstOpenTokSignal
 *
 * Who sent a received @signal.
 *
 * Returns: (nullable): the id of the connection a received signal came
 *     from; %NULL when the server sent it, or when @signal is outgoing
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_signal_get_from (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, NULL);

  return signal->from;
}

void
gst_opentok_signal_set_from (GstOpenTokSignal * signal,
    const gchar * connection_id)
{
  g_return_if_fail (signal != NULL);

  g_free (signal->from);
  signal->from = g_strdup (connection_id);
  signal->received = TRUE;
}

/**
 * gst_opentok_signal_is_from_self:
 * @signal: a #GstOpenTokSignal
 *
 * Whether a received @signal was sent by the connection that received it.
 *
 * Returns: %TRUE when this connection sent the received signal itself (a
 *     session-wide signal comes back to its sender)
 *
 * Since: 0.1
 */
gboolean
gst_opentok_signal_is_from_self (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, FALSE);

  return signal->from_self;
}

void
gst_opentok_signal_set_from_self (GstOpenTokSignal * signal, gboolean from_self)
{
  g_return_if_fail (signal != NULL);

  signal->from_self = from_self;
  signal->received = TRUE;
}

/**
 * gst_opentok_signal_is_received:
 * @signal: a #GstOpenTokSignal
 *
 * A received signal came from the session (`signal-received` hands them
 * out); every signal an application makes is outgoing.
 *
 * Returns: %TRUE for a received signal, %FALSE for an outgoing one
 *
 * Since: 0.1
 */
gboolean
gst_opentok_signal_is_received (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, FALSE);

  return signal->received;
}

/**
 * gst_opentok_signal_get_retry_after_reconnect:
 * @signal: a #GstOpenTokSignal
 *
 * Whether an outgoing @signal may wait for a reconnection.
 *
 * Returns: whether an outgoing signal is sent once an automatic
 *     reconnection succeeds when the session is reconnecting at send time
 *     (%TRUE by default, as in OpenTok's clients)
 *
 * Since: 0.1
 */
gboolean
gst_opentok_signal_get_retry_after_reconnect (const GstOpenTokSignal * signal)
{
  g_return_val_if_fail (signal != NULL, DEFAULT_RETRY_AFTER_RECONNECT);

  return signal->retry_after_reconnect;
}

/**
 * gst_opentok_signal_set_retry_after_reconnect:
 * @signal: a #GstOpenTokSignal
 * @retry: %FALSE to fail the signal with
 *     %GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED instead of queuing it while
 *     the session is reconnecting
 *
 * Sets whether an outgoing signal waits for an automatic reconnection.
 * @signal must be writable (gst_opentok_signal_is_writable()).
 *
 * Since: 0.1
 */
void
gst_opentok_signal_set_retry_after_reconnect (GstOpenTokSignal * signal,
    gboolean retry)
{
  g_return_if_fail (signal != NULL);
  g_return_if_fail (gst_opentok_signal_is_writable (signal));

  signal->retry_after_reconnect = retry ? TRUE : FALSE;
}

static gboolean
check_data (const gchar * data, gsize length, GError ** error)
{
  const gchar *nul, *end;

  if (length > GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE,
        "The signal data is %" G_GSIZE_FORMAT " bytes long, but OpenTok "
        "accepts at most %d bytes (8 kB).", length,
        GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH);
    return FALSE;
  }

  if (length == 0)
    return TRUE;

  nul = memchr (data, '\0', length);
  if (nul != NULL) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The signal data has a NUL byte at offset %" G_GSIZE_FORMAT
        "; signal data must be text.", (gsize) (nul - data));
    return FALSE;
  }

  if (!g_utf8_validate_len (data, length, &end)) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The signal data is not valid UTF-8 (first bad byte at offset %"
        G_GSIZE_FORMAT "); signal data must be text.", (gsize) (end - data));
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_to (const gchar * to, GError ** error)
{
  if (to == NULL)
    return TRUE;

  if (*to == '\0') {
    g_set_error_literal (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The target connection id is empty; leave it unset to signal the "
        "whole session.");
    return FALSE;
  }

  if (!g_utf8_validate (to, -1, NULL)) {
    g_set_error_literal (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The target connection id is not valid UTF-8.");
    return FALSE;
  }

  if (strchr (to, '/') != NULL) {
    g_set_error_literal (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The target connection id contains '/', which no OpenTok "
        "connection id can contain.");
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_type (const gchar * type, gsize length, GError ** error)
{
  gsize i;

  if (length > GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE,
        "The signal type is %" G_GSIZE_FORMAT " bytes long, but OpenTok "
        "accepts at most %d bytes.", length,
        GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH);
    return FALSE;
  }

  for (i = 0; i < length; i++) {
    guchar c = (guchar) type[i];

    if (IS_TYPE_CHAR (c))
      continue;

    if (g_ascii_isgraph (c) || c == ' ') {
      g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_INVALID,
          "The signal type has the character '%c' at offset %"
          G_GSIZE_FORMAT "; a type may only contain letters (A-Z, a-z), "
          "digits (0-9), '-', '.', '_' and '~'.", c, i);
    } else {
      g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_INVALID,
          "The signal type has the byte 0x%02X at offset %" G_GSIZE_FORMAT
          "; a type may only contain letters (A-Z, a-z), digits (0-9), "
          "'-', '.', '_' and '~'.", c, i);
    }
    return FALSE;
  }

  return TRUE;
}

gboolean
gst_opentok_signal_validate_fields (const gchar * type, gsize type_length,
    const gchar * data, gsize data_length, GError ** error)
{
  gboolean ret;
  GError *err = NULL;

  g_return_val_if_fail (type != NULL || type_length == 0, FALSE);
  g_return_val_if_fail (data != NULL || data_length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ret = check_data (data, data_length, &err)
      && check_type (type, type_length, &err);

  if (!ret) {
    GST_DEBUG ("signal refused (%d): %s", err->code, err->message);
    g_propagate_error (error, err);
  }

  return ret;
}

/**
 * gst_opentok_signal_validate:
 * @signal: a #GstOpenTokSignal
 * @error: where to put the reason for a refusal, or %NULL
 *
 * Checks @signal with the rules OpenTok applies, in opentok.js's order:
 * data, then the target connection, then type. Data and type are checked as
 * by gst_opentok_signal_validate_fields(). A target connection id, when
 * set, must be non-empty valid UTF-8 without `/` (it becomes a segment of
 * the signal's URI), else %GST_OPENTOK_SIGNAL_ERROR_INVALID (400). Whether
 * that connection is in the session is only known to the server, which
 * answers %GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND (404) when it is not.
 *
 * Returns: %TRUE when OpenTok would accept @signal, %FALSE with @error set
 *     in the #GST_OPENTOK_SIGNAL_ERROR domain otherwise
 *
 * Since: 0.1
 */
gboolean
gst_opentok_signal_validate (const GstOpenTokSignal * signal, GError ** error)
{
  gboolean ret;
  GError *err = NULL;

  g_return_val_if_fail (signal != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ret = check_data (signal->data, signal->data ? strlen (signal->data) : 0,
      &err)
      && check_to (signal->to, &err)
      && check_type (signal->type, signal->type ? strlen (signal->type) : 0,
      &err);

  if (!ret) {
    GST_DEBUG ("signal refused (%d): %s", err->code, err->message);
    g_propagate_error (error, err);
  }

  return ret;
}

/**
 * gst_opentok_signal_to_structure:
 * @signal: a #GstOpenTokSignal
 *
 * Describes @signal as a #GstStructure named
 * %GST_OPENTOK_SIGNAL_STRUCTURE_NAME ("opentok-signal"), the form used in
 * bus messages, application messages, custom events and the `send-signal`
 * action. Its fields depend on the direction of the signal (see
 * gst_opentok_signal_is_received()).
 *
 * Every signal:
 *
 * - `type` (string): the signal type, "" when it has none
 * - `data` (string): the signal data, "" when it has none
 *
 * A received signal adds:
 *
 * - `from` (string): the id of the sending connection; a %NULL string when
 *   the server sent the signal (with the REST API)
 * - `from-self` (boolean): %TRUE when this connection sent the signal
 *
 * An outgoing signal adds:
 *
 * - `to` (string): the id of the target connection; a %NULL string when
 *   the signal goes to the whole session
 * - `retry-after-reconnect` (boolean): whether the signal waits for an
 *   automatic reconnection instead of failing with
 *   %GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED
 *
 * Returns: (transfer full): a new #GstStructure
 *
 * Since: 0.1
 */
GstStructure *
gst_opentok_signal_to_structure (const GstOpenTokSignal * signal)
{
  GstStructure *s;

  g_return_val_if_fail (signal != NULL, NULL);

  s = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, signal->type ? signal->type : "",
      "data", G_TYPE_STRING, signal->data ? signal->data : "", NULL);

  if (signal->received) {
    gst_structure_set (s, "from", G_TYPE_STRING, signal->from,
        "from-self", G_TYPE_BOOLEAN, signal->from_self, NULL);
  } else {
    gst_structure_set (s, "to", G_TYPE_STRING, signal->to,
        "retry-after-reconnect", G_TYPE_BOOLEAN,
        signal->retry_after_reconnect, NULL);
  }

  return s;
}

/* Reads an optional string field; a NULL string counts as absent. */
static gboolean
get_string_field (const GstStructure * structure, const gchar * field,
    const gchar ** value, GError ** error)
{
  const GValue *v;

  *value = NULL;
  v = gst_structure_get_value (structure, field);
  if (v == NULL)
    return TRUE;

  if (!G_VALUE_HOLDS_STRING (v)) {
    g_set_error (error, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "The field \"%s\" of an %s structure must be a string, not a %s.",
        field, GST_OPENTOK_SIGNAL_STRUCTURE_NAME, G_VALUE_TYPE_NAME (v));
    return FALSE;
  }

  *value = g_value_get_string (v);
  return TRUE;
}

/**
 * gst_opentok_signal_new_from_structure:
 * @structure: a #GstStructure named %GST_OPENTOK_SIGNAL_STRUCTURE_NAME
 * @error: where to put the reason for a refusal, or %NULL
 *
 * Makes an outgoing signal from its structure, as an application gives it
 * in the `send-signal` action, an application message or a custom event.
 * Every field is optional:
 *
 * | Field | Type | Default |
 * | --- | --- | --- |
 * | `type` | string | none ("" and a %NULL string also mean none) |
 * | `data` | string | none (a %NULL string also means none) |
 * | `to` | string | the whole session ("" and a %NULL string too) |
 * | `retry-after-reconnect` | boolean | %TRUE |
 *
 * Other fields are ignored, so the structure of a received signal
 * (`from`, `from-self`) can be sent on as it is. In a structure string,
 * write `data=(string)42` for data that looks like a number.
 *
 * Only the shape of @structure is checked here: the type and data are not.
 * Call gst_opentok_signal_validate() on the result, which reports the same
 * codes OpenTok would.
 *
 * Returns: (transfer full) (nullable): a new outgoing #GstOpenTokSignal, or
 *     %NULL with @error set to %GST_OPENTOK_SIGNAL_ERROR_INVALID when
 *     @structure has another name or a field of the wrong type (the message
 *     names the field)
 *
 * Since: 0.1
 */
GstOpenTokSignal *
gst_opentok_signal_new_from_structure (const GstStructure * structure,
    GError ** error)
{
  GstOpenTokSignal *signal = NULL;
  const gchar *type, *data, *to;
  gboolean retry = DEFAULT_RETRY_AFTER_RECONNECT;
  const GValue *v;
  GError *err = NULL;

  g_return_val_if_fail (structure != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gst_structure_has_name (structure, GST_OPENTOK_SIGNAL_STRUCTURE_NAME)) {
    g_set_error (&err, GST_OPENTOK_SIGNAL_ERROR,
        GST_OPENTOK_SIGNAL_ERROR_INVALID,
        "A structure named \"%s\" is not a signal; signals are \"%s\" "
        "structures.", gst_structure_get_name (structure),
        GST_OPENTOK_SIGNAL_STRUCTURE_NAME);
    goto out;
  }

  if (!get_string_field (structure, "type", &type, &err)
      || !get_string_field (structure, "data", &data, &err)
      || !get_string_field (structure, "to", &to, &err))
    goto out;

  v = gst_structure_get_value (structure, "retry-after-reconnect");
  if (v != NULL) {
    if (!G_VALUE_HOLDS_BOOLEAN (v)) {
      g_set_error (&err, GST_OPENTOK_SIGNAL_ERROR,
          GST_OPENTOK_SIGNAL_ERROR_INVALID,
          "The field \"retry-after-reconnect\" of an %s structure must be "
          "a boolean, not a %s.", GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
          G_VALUE_TYPE_NAME (v));
      goto out;
    }
    retry = g_value_get_boolean (v);
  }

  signal = gst_opentok_signal_new (type, data);
  if (to != NULL && *to != '\0')
    signal->to = g_strdup (to);
  signal->retry_after_reconnect = retry ? TRUE : FALSE;

out:
  if (err != NULL) {
    GST_DEBUG ("structure refused: %s", err->message);
    g_propagate_error (error, err);
  }
  return signal;
}

/**
 * gst_opentok_signal_error_get_name:
 * @code: a #GstOpenTokSignalError code
 *
 * Gives the name opentok.js puts in `error.name` for a signal that failed
 * with @code: "OT_INVALID_PARAMETER" for 400 and 413,
 * "OT_PERMISSION_DENIED" for 403, "OT_NOT_FOUND" for 404,
 * "OT_RATE_LIMIT_EXCEEDED" for 429 and "OT_NOT_CONNECTED" for 500. Any
 * other value gives "OT_UNEXPECTED_SERVER_RESPONSE", the name opentok.js
 * uses for a status it does not know.
 *
 * (opentok.js itself lets only 400, 403, 404, 413 and 500 from the server
 * through, and reports a server's 429 as "OT_UNEXPECTED_SERVER_RESPONSE"
 * with code 2001; "OT_RATE_LIMIT_EXCEEDED" is the name its session layer
 * defines for 429.)
 *
 * Returns: (transfer none): a static string, never %NULL
 *
 * Since: 0.1
 */
const gchar *
gst_opentok_signal_error_get_name (GstOpenTokSignalError code)
{
  switch (code) {
    case GST_OPENTOK_SIGNAL_ERROR_INVALID:
    case GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE:
      return "OT_INVALID_PARAMETER";
    case GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED:
      return "OT_PERMISSION_DENIED";
    case GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND:
      return "OT_NOT_FOUND";
    case GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED:
      return "OT_RATE_LIMIT_EXCEEDED";
    case GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED:
      return "OT_NOT_CONNECTED";
    default:
      break;
  }

  return "OT_UNEXPECTED_SERVER_RESPONSE";
}
