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

/* Internal, not installed: the Rumor frame codec.
 *
 * Rumor is the binary framing OpenTok clients exchange with the server over
 * a WebSocket. A frame is laid out as follows, integers big-endian:
 *
 * |[
 * u32  L, the frame size minus these 4 bytes
 * u16  reserved, written as 0
 * u8   message type (#GstOpenTokRumorType)
 * u8   number of destination addresses, then for each: u16 length + bytes
 * u8   number of headers, then for each: u16 length + key, u16 length + value
 * ...  payload, everything up to the end of the frame
 * ]|
 *
 * Strings are UTF-8 without terminator; headers keep their insertion order
 * and their keys are case-sensitive.
 *
 * gst_opentok_rumor_frame_parse() is meant for network input: it checks every
 * length against the received bytes before reading, refuses frames over a
 * size limit before looking at anything but the length field, and reports
 * problems in the #GST_OPENTOK_PROTOCOL_ERROR domain. What it accepts and
 * refuses:
 *
 * - the declared length must match the received size exactly; frames over
 *   the limit are refused with %GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE, frames
 *   with inconsistent sizes with %GST_OPENTOK_PROTOCOL_ERROR_MALFORMED;
 * - the two reserved bytes are ignored whatever their value (opentok.js writes
 *   zeros and does not read them, so they may carry meaning in the future);
 * - addresses, header keys and header values must be valid UTF-8 without NUL
 *   bytes (%GST_OPENTOK_PROTOCOL_ERROR_MALFORMED);
 * - a well-formed frame whose type is not one of #GstOpenTokRumorType (5, 6,
 *   or above 9) is refused with %GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED, so
 *   that callers can drop it and keep the connection.
 *
 * The payload of a parsed frame is a sub-buffer of the input, not a copy.
 *
 * gst_opentok_rumor_frame_serialize() computes the frame size first and
 * writes into a single allocation, so a frame to be broadcast can be encoded
 * once and the resulting #GBytes shared by all receivers.
 */

#include <string.h>

#include "gstopentokrumor.h"
#include "gstopentokerror.h"

GST_DEBUG_CATEGORY_STATIC (gst_opentok_rumor_debug);
#define GST_CAT_DEFAULT gst_opentok_rumor_debug

/* Fixed part of a frame: length, reserved, type, address count. The header
 * count follows the addresses. */
#define RUMOR_PREFIX_SIZE 8
#define RUMOR_MIN_FRAME_SIZE (RUMOR_PREFIX_SIZE + 1)
#define RUMOR_MAX_COUNT 255
#define RUMOR_MAX_STRING_LENGTH 65535

/* Byte by byte: frame fields are not aligned, and GStreamer's GST_READ_*
 * macros load unaligned words on some platforms, which is undefined
 * behaviour that sanitizers report. */
#define RUMOR_READ_U16(p) ((guint16) (((p)[0] << 8) | (p)[1]))
#define RUMOR_READ_U32(p) \
  (((guint32) (p)[0] << 24) | ((guint32) (p)[1] << 16) | \
   ((guint32) (p)[2] << 8) | (guint32) (p)[3])

typedef struct
{
  gchar *str;
  gsize len;
} GstOpenTokRumorString;

typedef struct
{
  GstOpenTokRumorString key;
  GstOpenTokRumorString value;
} GstOpenTokRumorHeader;

struct _GstOpenTokRumorFrame
{
  gatomicrefcount refcount;
  GstOpenTokRumorType type;

  GstOpenTokRumorString *addresses;
  guint n_addresses;
  guint addresses_size;

  GstOpenTokRumorHeader *headers;
  guint n_headers;
  guint headers_size;

  /* never NULL */
  GBytes *payload;

  /* The strings of a parsed frame are stored here, in the same allocation as
   * the frame; strings set later are allocated one by one. */
  gsize strings_size;
  gchar strings[];
};

G_DEFINE_BOXED_TYPE (GstOpenTokRumorFrame, gst_opentok_rumor_frame,
    gst_opentok_rumor_frame_ref, gst_opentok_rumor_frame_unref);

static void
gst_opentok_rumor_init_debug (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_opentok_rumor_debug, "opentokrumor", 0,
        "OpenTok Rumor frame codec");
    g_once_init_leave (&initialized, 1);
  }
}

/* One shared empty payload, so that frames without payload (PING, PONG,
 * acks) cost no allocation for it. */
static GBytes *
gst_opentok_rumor_empty_bytes (void)
{
  static GBytes *empty = NULL;

  if (g_once_init_enter (&empty)) {
    GBytes *bytes = g_bytes_new_static ("", 0);

    g_once_init_leave (&empty, bytes);
  }
  return g_bytes_ref (empty);
}

static gboolean
gst_opentok_rumor_type_is_known (guint type)
{
  switch (type) {
    case GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE:
    case GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE:
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
    case GST_OPENTOK_RUMOR_TYPE_CONNECT:
    case GST_OPENTOK_RUMOR_TYPE_DISCONNECT:
    case GST_OPENTOK_RUMOR_TYPE_PING:
    case GST_OPENTOK_RUMOR_TYPE_PONG:
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      return TRUE;
    default:
      return FALSE;
  }
}

/*
 * gst_opentok_rumor_type_to_string:
 * @type: a #GstOpenTokRumorType
 *
 * Names a message type for logs: "SUBSCRIBE", "UNSUBSCRIBE", "MESSAGE",
 * "CONNECT", "DISCONNECT", "PING", "PONG" or "STATUS", and "UNKNOWN" for any
 * other value.
 *
 * Returns: (transfer none): a static string
 */
const gchar *
gst_opentok_rumor_type_to_string (GstOpenTokRumorType type)
{
  switch (type) {
    case GST_OPENTOK_RUMOR_TYPE_SUBSCRIBE:
      return "SUBSCRIBE";
    case GST_OPENTOK_RUMOR_TYPE_UNSUBSCRIBE:
      return "UNSUBSCRIBE";
    case GST_OPENTOK_RUMOR_TYPE_MESSAGE:
      return "MESSAGE";
    case GST_OPENTOK_RUMOR_TYPE_CONNECT:
      return "CONNECT";
    case GST_OPENTOK_RUMOR_TYPE_DISCONNECT:
      return "DISCONNECT";
    case GST_OPENTOK_RUMOR_TYPE_PING:
      return "PING";
    case GST_OPENTOK_RUMOR_TYPE_PONG:
      return "PONG";
    case GST_OPENTOK_RUMOR_TYPE_STATUS:
      return "STATUS";
    default:
      return "UNKNOWN";
  }
}

static GstOpenTokRumorFrame *
gst_opentok_rumor_frame_alloc (GstOpenTokRumorType type, gsize strings_size)
{
  GstOpenTokRumorFrame *frame;

  gst_opentok_rumor_init_debug ();

  frame = g_malloc (sizeof (GstOpenTokRumorFrame) + strings_size);
  g_atomic_ref_count_init (&frame->refcount);
  frame->type = type;
  frame->addresses = NULL;
  frame->n_addresses = 0;
  frame->addresses_size = 0;
  frame->headers = NULL;
  frame->n_headers = 0;
  frame->headers_size = 0;
  frame->payload = gst_opentok_rumor_empty_bytes ();
  frame->strings_size = strings_size;

  return frame;
}

/* Whether @str was allocated on its own (and must be freed), rather than
 * stored in the frame's string block. */
static gboolean
gst_opentok_rumor_frame_owns_string (const GstOpenTokRumorFrame * frame,
    const gchar * str)
{
  guintptr p = (guintptr) str;
  guintptr start = (guintptr) frame->strings;

  return p < start || p >= start + frame->strings_size;
}

static void
gst_opentok_rumor_frame_free_string (GstOpenTokRumorFrame * frame,
    GstOpenTokRumorString * string)
{
  if (gst_opentok_rumor_frame_owns_string (frame, string->str))
    g_free (string->str);
  string->str = NULL;
  string->len = 0;
}

static void
gst_opentok_rumor_string_set (GstOpenTokRumorString * string, const gchar * str)
{
  if (str == NULL)
    str = "";
  string->len = strlen (str);
  string->str = g_memdup2 (str, string->len + 1);
}

/*
 * gst_opentok_rumor_frame_new:
 * @type: the message type
 *
 * Creates an empty frame of @type: no address, no header, empty payload.
 *
 * Returns: (transfer full): a new #GstOpenTokRumorFrame
 */
GstOpenTokRumorFrame *
gst_opentok_rumor_frame_new (GstOpenTokRumorType type)
{
  return gst_opentok_rumor_frame_alloc (type, 0);
}

/*
 * gst_opentok_rumor_frame_ref:
 * @frame: a #GstOpenTokRumorFrame
 *
 * Adds a reference to @frame. Thread-safe.
 *
 * Returns: (transfer full): @frame
 */
GstOpenTokRumorFrame *
gst_opentok_rumor_frame_ref (GstOpenTokRumorFrame * frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&frame->refcount);
  return frame;
}

/*
 * gst_opentok_rumor_frame_unref:
 * @frame: (transfer full): a #GstOpenTokRumorFrame
 *
 * Drops a reference to @frame, freeing it with the last one. Thread-safe.
 */
void
gst_opentok_rumor_frame_unref (GstOpenTokRumorFrame * frame)
{
  guint i;

  g_return_if_fail (frame != NULL);

  if (!g_atomic_ref_count_dec (&frame->refcount))
    return;

  for (i = 0; i < frame->n_addresses; i++)
    gst_opentok_rumor_frame_free_string (frame, &frame->addresses[i]);
  for (i = 0; i < frame->n_headers; i++) {
    gst_opentok_rumor_frame_free_string (frame, &frame->headers[i].key);
    gst_opentok_rumor_frame_free_string (frame, &frame->headers[i].value);
  }
  g_free (frame->addresses);
  g_free (frame->headers);
  g_bytes_unref (frame->payload);
  g_free (frame);
}

/*
 * gst_opentok_rumor_frame_get_message_type:
 * @frame: a #GstOpenTokRumorFrame
 *
 * What kind of frame @frame is.
 *
 * Returns: the message type of @frame
 */
GstOpenTokRumorType
gst_opentok_rumor_frame_get_message_type (const GstOpenTokRumorFrame * frame)
{
  g_return_val_if_fail (frame != NULL, GST_OPENTOK_RUMOR_TYPE_MESSAGE);

  return frame->type;
}

/*
 * gst_opentok_rumor_frame_add_address:
 * @frame: a #GstOpenTokRumorFrame
 * @address: a destination address, valid UTF-8
 *
 * Appends a destination address (a topic, a connection id, the symphony
 * address). A frame holds at most 255 addresses of at most 65535 bytes each;
 * gst_opentok_rumor_frame_serialize() refuses frames beyond that.
 */
void
gst_opentok_rumor_frame_add_address (GstOpenTokRumorFrame * frame,
    const gchar * address)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (address != NULL);

  if (frame->n_addresses == frame->addresses_size) {
    frame->addresses_size = MAX (4, frame->addresses_size * 2);
    frame->addresses = g_renew (GstOpenTokRumorString, frame->addresses,
        frame->addresses_size);
  }
  gst_opentok_rumor_string_set (&frame->addresses[frame->n_addresses], address);
  frame->n_addresses++;
}

/*
 * gst_opentok_rumor_frame_get_n_addresses:
 * @frame: a #GstOpenTokRumorFrame
 *
 * How many destination addresses @frame has.
 *
 * Returns: the number of destination addresses of @frame
 */
guint
gst_opentok_rumor_frame_get_n_addresses (const GstOpenTokRumorFrame * frame)
{
  g_return_val_if_fail (frame != NULL, 0);

  return frame->n_addresses;
}

/*
 * gst_opentok_rumor_frame_get_address:
 * @frame: a #GstOpenTokRumorFrame
 * @index: the position of the address, from 0
 *
 * One of the destination addresses of @frame.
 *
 * Returns: (transfer none) (nullable): the address at @index, or %NULL when
 *     @index is not below gst_opentok_rumor_frame_get_n_addresses()
 */
const gchar *
gst_opentok_rumor_frame_get_address (const GstOpenTokRumorFrame * frame,
    guint index)
{
  g_return_val_if_fail (frame != NULL, NULL);

  if (index >= frame->n_addresses)
    return NULL;
  return frame->addresses[index].str;
}

static GstOpenTokRumorHeader *
gst_opentok_rumor_frame_find_header (const GstOpenTokRumorFrame * frame,
    const gchar * key)
{
  gsize len = strlen (key);
  guint i;

  for (i = 0; i < frame->n_headers; i++) {
    GstOpenTokRumorHeader *header = &frame->headers[i];

    if (header->key.len == len && memcmp (header->key.str, key, len) == 0)
      return header;
  }
  return NULL;
}

/*
 * gst_opentok_rumor_frame_set_header:
 * @frame: a #GstOpenTokRumorFrame
 * @key: the header name, case-sensitive, valid UTF-8
 * @value: (nullable): the value, valid UTF-8; %NULL means the empty string
 *
 * Sets header @key to @value. An existing header of that name keeps its
 * position and gets the new value; otherwise the header is appended. A header
 * with an empty value is still sent (the `reconnect` header of a leaving
 * client's DISCONNECT is one).
 *
 * A frame holds at most 255 headers, keys and values of at most 65535 bytes;
 * gst_opentok_rumor_frame_serialize() refuses frames beyond that.
 */
void
gst_opentok_rumor_frame_set_header (GstOpenTokRumorFrame * frame,
    const gchar * key, const gchar * value)
{
  GstOpenTokRumorHeader *header;

  g_return_if_fail (frame != NULL);
  g_return_if_fail (key != NULL);

  header = gst_opentok_rumor_frame_find_header (frame, key);
  if (header != NULL) {
    gst_opentok_rumor_frame_free_string (frame, &header->value);
    gst_opentok_rumor_string_set (&header->value, value);
    return;
  }

  if (frame->n_headers == frame->headers_size) {
    frame->headers_size = MAX (4, frame->headers_size * 2);
    frame->headers = g_renew (GstOpenTokRumorHeader, frame->headers,
        frame->headers_size);
  }
  header = &frame->headers[frame->n_headers];
  gst_opentok_rumor_string_set (&header->key, key);
  gst_opentok_rumor_string_set (&header->value, value);
  frame->n_headers++;
}

/*
 * gst_opentok_rumor_frame_get_header:
 * @frame: a #GstOpenTokRumorFrame
 * @key: the header name, case-sensitive
 *
 * Looks a header up by name. A header that is present with an empty value
 * gives "", an absent one %NULL.
 *
 * Returns: (transfer none) (nullable): the value of header @key, or %NULL
 */
const gchar *
gst_opentok_rumor_frame_get_header (const GstOpenTokRumorFrame * frame,
    const gchar * key)
{
  GstOpenTokRumorHeader *header;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  header = gst_opentok_rumor_frame_find_header (frame, key);
  return header != NULL ? header->value.str : NULL;
}

/*
 * gst_opentok_rumor_frame_get_n_headers:
 * @frame: a #GstOpenTokRumorFrame
 *
 * How many headers @frame has.
 *
 * Returns: the number of headers of @frame
 */
guint
gst_opentok_rumor_frame_get_n_headers (const GstOpenTokRumorFrame * frame)
{
  g_return_val_if_fail (frame != NULL, 0);

  return frame->n_headers;
}

/*
 * gst_opentok_rumor_frame_get_nth_header:
 * @frame: a #GstOpenTokRumorFrame
 * @index: the position of the header, from 0, in insertion (or wire) order
 * @key: (out) (optional) (transfer none): the header name
 * @value: (out) (optional) (transfer none): the header value
 *
 * Reads the header at @index.
 *
 * Returns: %TRUE if there is a header at @index, %FALSE otherwise (then
 *     @key and @value are left untouched)
 */
gboolean
gst_opentok_rumor_frame_get_nth_header (const GstOpenTokRumorFrame * frame,
    guint index, const gchar ** key, const gchar ** value)
{
  g_return_val_if_fail (frame != NULL, FALSE);

  if (index >= frame->n_headers)
    return FALSE;

  if (key != NULL)
    *key = frame->headers[index].key.str;
  if (value != NULL)
    *value = frame->headers[index].value.str;
  return TRUE;
}

/*
 * gst_opentok_rumor_frame_set_payload:
 * @frame: a #GstOpenTokRumorFrame
 * @payload: (nullable) (transfer none): the payload, or %NULL for none
 *
 * Replaces the payload of @frame; @payload is referenced, not copied.
 */
void
gst_opentok_rumor_frame_set_payload (GstOpenTokRumorFrame * frame,
    GBytes * payload)
{
  GBytes *old;

  g_return_if_fail (frame != NULL);

  old = frame->payload;
  if (payload != NULL)
    frame->payload = g_bytes_ref (payload);
  else
    frame->payload = gst_opentok_rumor_empty_bytes ();
  g_bytes_unref (old);
}

/*
 * gst_opentok_rumor_frame_take_payload_string:
 * @frame: a #GstOpenTokRumorFrame
 * @text: (nullable) (transfer full): a NUL-terminated string, or %NULL for
 *     no payload
 *
 * Replaces the payload of @frame with @text, without its terminating NUL,
 * taking ownership of @text (no copy).
 */
void
gst_opentok_rumor_frame_take_payload_string (GstOpenTokRumorFrame * frame,
    gchar * text)
{
  GBytes *bytes;

  g_return_if_fail (frame != NULL);

  if (text == NULL) {
    gst_opentok_rumor_frame_set_payload (frame, NULL);
    return;
  }

  bytes = g_bytes_new_take (text, strlen (text));
  gst_opentok_rumor_frame_set_payload (frame, bytes);
  g_bytes_unref (bytes);
}

/*
 * gst_opentok_rumor_frame_get_payload:
 * @frame: a #GstOpenTokRumorFrame
 *
 * Gets the payload: for a parsed frame, a sub-buffer of the received bytes.
 * The payload is not NUL-terminated.
 *
 * Returns: (transfer none): the payload, empty but never %NULL when the
 *     frame has none
 */
GBytes *
gst_opentok_rumor_frame_get_payload (const GstOpenTokRumorFrame * frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  return frame->payload;
}

static gboolean
gst_opentok_rumor_check_string_size (const gchar * what, gsize len,
    GError ** error)
{
  if (len > RUMOR_MAX_STRING_LENGTH) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "A Rumor %s of %" G_GSIZE_FORMAT " bytes is longer than the "
        "%u bytes a frame can carry.", what, len, RUMOR_MAX_STRING_LENGTH);
    return FALSE;
  }
  return TRUE;
}

static guint8 *
gst_opentok_rumor_write_string (guint8 * out,
    const GstOpenTokRumorString * string)
{
  out[0] = (guint8) (string->len >> 8);
  out[1] = (guint8) string->len;
  out += 2;
  memcpy (out, string->str, string->len);
  return out + string->len;
}

/*
 * gst_opentok_rumor_frame_serialize:
 * @frame: a #GstOpenTokRumorFrame
 * @error: return location for a #GError, or %NULL
 *
 * Encodes @frame in the Rumor wire format, byte for byte as opentok.js does.
 * The result is allocated once at its final size; share it (reference the
 * #GBytes) rather than encoding the same frame again.
 *
 * Fails with %GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE when the frame has more
 * than 255 addresses or headers, or a string over 65535 bytes.
 *
 * Returns: (transfer full) (nullable): the encoded frame, or %NULL on error
 */
GBytes *
gst_opentok_rumor_frame_serialize (const GstOpenTokRumorFrame * frame,
    GError ** error)
{
  const guint8 *payload;
  gsize payload_size;
  guint64 size;
  guint8 *data, *out;
  guint i;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_opentok_rumor_init_debug ();

  if (frame->n_addresses > RUMOR_MAX_COUNT) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "A Rumor frame can carry at most %u addresses, not %u.",
        RUMOR_MAX_COUNT, frame->n_addresses);
    return NULL;
  }
  if (frame->n_headers > RUMOR_MAX_COUNT) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "A Rumor frame can carry at most %u headers, not %u.",
        RUMOR_MAX_COUNT, frame->n_headers);
    return NULL;
  }

  size = RUMOR_MIN_FRAME_SIZE;
  for (i = 0; i < frame->n_addresses; i++) {
    if (!gst_opentok_rumor_check_string_size ("address",
            frame->addresses[i].len, error))
      return NULL;
    size += 2 + frame->addresses[i].len;
  }
  for (i = 0; i < frame->n_headers; i++) {
    const GstOpenTokRumorHeader *header = &frame->headers[i];

    if (!gst_opentok_rumor_check_string_size ("header name", header->key.len,
            error)
        || !gst_opentok_rumor_check_string_size ("header value",
            header->value.len, error))
      return NULL;
    size += 4 + header->key.len + header->value.len;
  }

  payload = g_bytes_get_data (frame->payload, &payload_size);
  size += payload_size;
  /* also keeps the size within gsize on 32-bit systems */
  if (size > G_MAXUINT32) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "A Rumor frame of %" G_GUINT64_FORMAT " bytes is over the 4 GiB "
        "limit of the format.", size);
    return NULL;
  }

  data = g_malloc (size);
  out = data;
  out[0] = (guint8) ((size - 4) >> 24);
  out[1] = (guint8) ((size - 4) >> 16);
  out[2] = (guint8) ((size - 4) >> 8);
  out[3] = (guint8) (size - 4);
  out[4] = 0;
  out[5] = 0;
  out[6] = (guint8) frame->type;
  out[7] = (guint8) frame->n_addresses;
  out += RUMOR_PREFIX_SIZE;
  for (i = 0; i < frame->n_addresses; i++)
    out = gst_opentok_rumor_write_string (out, &frame->addresses[i]);
  *out++ = (guint8) frame->n_headers;
  for (i = 0; i < frame->n_headers; i++) {
    out = gst_opentok_rumor_write_string (out, &frame->headers[i].key);
    out = gst_opentok_rumor_write_string (out, &frame->headers[i].value);
  }
  if (payload_size > 0)
    memcpy (out, payload, payload_size);

  GST_LOG ("serialized %s frame, %u addresses, %u headers, %" G_GSIZE_FORMAT
      " bytes of payload, %" G_GUINT64_FORMAT " bytes",
      gst_opentok_rumor_type_to_string (frame->type), frame->n_addresses,
      frame->n_headers, payload_size, size);

  return g_bytes_new_take (data, size);
}

/* Checks the string (u16 length + bytes) at *offset and moves past it.
 * *offset <= size on entry and on return. */
static gboolean
gst_opentok_rumor_check_string (const guint8 * data, gsize size,
    gsize * offset, const gchar * what, guint index, GError ** error)
{
  gsize len;

  if (size - *offset < 2) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Rumor frame ends inside the length of %s %u.", what, index);
    return FALSE;
  }
  len = RUMOR_READ_U16 (data + *offset);
  *offset += 2;

  if (size - *offset < len) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Rumor frame ends inside %s %u (%" G_GSIZE_FORMAT " bytes "
        "declared, %" G_GSIZE_FORMAT " left).", what, index, len,
        size - *offset);
    return FALSE;
  }
  /* also refuses NUL bytes */
  if (!g_utf8_validate_len ((const gchar *) data + *offset, len, NULL)) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Rumor frame's %s %u is not valid UTF-8 text.", what, index);
    return FALSE;
  }
  *offset += len;
  return TRUE;
}

/* First pass over a frame whose total size is already known to match its
 * length field: checks every count and length, and computes where the
 * payload starts and how many bytes the NUL-terminated strings need. */
static gboolean
gst_opentok_rumor_validate (const guint8 * data, gsize size,
    gsize * payload_offset, gsize * strings_size, GError ** error)
{
  gsize offset = RUMOR_PREFIX_SIZE;
  guint n_addresses, n_headers, i;

  if (size < RUMOR_MIN_FRAME_SIZE) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "A Rumor frame of %" G_GSIZE_FORMAT " bytes is shorter than the "
        "smallest possible frame (%u bytes).", size, RUMOR_MIN_FRAME_SIZE);
    return FALSE;
  }

  n_addresses = data[7];
  for (i = 0; i < n_addresses; i++) {
    if (!gst_opentok_rumor_check_string (data, size, &offset, "address", i,
            error))
      return FALSE;
  }

  if (offset == size) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Rumor frame ends before its header count.");
    return FALSE;
  }
  n_headers = data[offset];
  offset++;
  for (i = 0; i < n_headers; i++) {
    if (!gst_opentok_rumor_check_string (data, size, &offset, "header name",
            i, error)
        || !gst_opentok_rumor_check_string (data, size, &offset,
            "header value", i, error))
      return FALSE;
  }

  *payload_offset = offset;
  /* Between the prefix and the payload, each string loses its 2-byte
   * length and gains a NUL; the header count byte is not a string. */
  *strings_size = (offset - RUMOR_PREFIX_SIZE - 1) - n_addresses
      - 2 * n_headers;
  return TRUE;
}

/* Second pass: copies the string at *in into the string block at *out,
 * NUL-terminates it and moves both cursors. The frame was validated. */
static void
gst_opentok_rumor_read_string (const guint8 ** in, gchar ** out,
    GstOpenTokRumorString * string)
{
  gsize len = RUMOR_READ_U16 (*in);

  memcpy (*out, *in + 2, len);
  (*out)[len] = '\0';
  string->str = *out;
  string->len = len;
  *in += 2 + len;
  *out += len + 1;
}

/*
 * gst_opentok_rumor_frame_parse:
 * @data: (transfer none): one received WebSocket message
 * @max_size: the largest frame to accept in bytes, or 0 for
 *     #GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE
 * @error: return location for a #GError, or %NULL
 *
 * Decodes a Rumor frame received from the network. The frame's length field
 * is compared with @max_size before anything else is read, and every count
 * and length is checked against the received bytes; see the section
 * documentation for what is refused and with which error.
 *
 * The payload of the result references @data (no copy); addresses and
 * headers are copied.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL with @error set
 *     in the #GST_OPENTOK_PROTOCOL_ERROR domain
 */
GstOpenTokRumorFrame *
gst_opentok_rumor_frame_parse (GBytes * data, gsize max_size, GError ** error)
{
  GstOpenTokRumorFrame *frame;
  const guint8 *bytes, *in;
  gchar *out;
  gsize size, payload_offset, strings_size;
  guint64 declared;
  guint type, i;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_opentok_rumor_init_debug ();

  if (max_size == 0)
    max_size = GST_OPENTOK_RUMOR_DEFAULT_MAX_FRAME_SIZE;

  bytes = g_bytes_get_data (data, &size);
  if (size < 4) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "A Rumor frame of %" G_GSIZE_FORMAT " bytes is too short to hold "
        "its length.", size);
    return NULL;
  }

  declared = (guint64) RUMOR_READ_U32 (bytes) + 4;
  if (declared > max_size || size > max_size) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_TOO_LARGE,
        "The Rumor frame of %" G_GUINT64_FORMAT " bytes is over the limit "
        "of %" G_GSIZE_FORMAT " bytes.", MAX (declared, (guint64) size),
        max_size);
    return NULL;
  }
  if (declared != size) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_MALFORMED,
        "The Rumor frame declares %" G_GUINT64_FORMAT " bytes but %"
        G_GSIZE_FORMAT " bytes were received.", declared, size);
    return NULL;
  }

  if (!gst_opentok_rumor_validate (bytes, size, &payload_offset,
          &strings_size, error))
    return NULL;

  type = bytes[6];
  if (!gst_opentok_rumor_type_is_known (type)) {
    g_set_error (error, GST_OPENTOK_PROTOCOL_ERROR,
        GST_OPENTOK_PROTOCOL_ERROR_UNSUPPORTED,
        "Rumor message type %u is not supported.", type);
    return NULL;
  }
  if (bytes[4] != 0 || bytes[5] != 0)
    GST_LOG ("ignoring non-zero reserved bytes 0x%02x%02x", bytes[4], bytes[5]);

  frame = gst_opentok_rumor_frame_alloc ((GstOpenTokRumorType) type,
      strings_size);
  frame->n_addresses = frame->addresses_size = bytes[7];
  if (frame->n_addresses > 0)
    frame->addresses = g_new (GstOpenTokRumorString, frame->n_addresses);

  in = bytes + RUMOR_PREFIX_SIZE;
  out = frame->strings;
  for (i = 0; i < frame->n_addresses; i++)
    gst_opentok_rumor_read_string (&in, &out, &frame->addresses[i]);

  frame->n_headers = frame->headers_size = *in++;
  if (frame->n_headers > 0)
    frame->headers = g_new (GstOpenTokRumorHeader, frame->n_headers);
  for (i = 0; i < frame->n_headers; i++) {
    gst_opentok_rumor_read_string (&in, &out, &frame->headers[i].key);
    gst_opentok_rumor_read_string (&in, &out, &frame->headers[i].value);
  }
  g_assert (in == bytes + payload_offset);
  g_assert (out == frame->strings + strings_size);

  if (payload_offset < size) {
    g_bytes_unref (frame->payload);
    frame->payload = g_bytes_new_from_bytes (data, payload_offset,
        size - payload_offset);
  }

  GST_LOG ("parsed %s frame, %u addresses, %u headers, %" G_GSIZE_FORMAT
      " bytes of payload", gst_opentok_rumor_type_to_string (frame->type),
      frame->n_addresses, frame->n_headers, size - payload_offset);

  return frame;
}
