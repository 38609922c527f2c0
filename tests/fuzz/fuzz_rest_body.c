/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* REST signal bodies: what the embedded server does with the body of
 * POST /v2/project/{key}/session/{id}[/connection/{cid}]/signal, read by
 * gst_opentok_rest_read_signal_body() (internal, gst/opentok/gstopentokrest.c)
 * and checked by gst_opentok_signal_validate_fields(). A signal the server
 * accepts is relayed as a Raptor message: that message must be read by
 * every client, with the same type and data. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>
#include <gst/opentok/gstopentokrest.h>
#include <gst/opentok/gstopentokraptor.h>
#include <gst/opentok/gstopentoksignal-private.h>

#include "fuzz-common.h"

/* As the server relays a signal (session_relay_signal ()), and as a client
 * reads it. */
static void
check_relay (const gchar * type, const gchar * data)
{
  GstOpenTokRaptorMessage *message, *received;
  JsonObject *content = json_object_new ();
  const gchar *value;
  GBytes *bytes;

  if (type != NULL && *type != '\0')
    json_object_set_string_member (content, "type", type);
  if (data != NULL)
    json_object_set_string_member (content, "data", data);
  message = gst_opentok_raptor_message_new ("signal",
      "/v2/partner/" FUZZ_API_KEY "/session/" FUZZ_SESSION_ID
      "/signal/00000000-0000-4000-8000-000000000000", content, NULL);
  json_object_unref (content);
  FUZZ_CHECK (message != NULL);
  bytes = gst_opentok_raptor_message_to_bytes (message);
  received = gst_opentok_raptor_message_parse (g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes), NULL);
  FUZZ_CHECK (received != NULL);

  content = gst_opentok_raptor_message_get_content (received);
  value = json_object_get_string_member_with_default (content, "type", NULL);
  FUZZ_CHECK (g_strcmp0 (value, type != NULL && *type != '\0' ? type :
          NULL) == 0);
  value = json_object_get_string_member_with_default (content, "data", NULL);
  FUZZ_CHECK (g_strcmp0 (value, data) == 0);

  gst_opentok_raptor_message_unref (received);
  gst_opentok_raptor_message_unref (message);
  g_bytes_unref (bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *error = NULL;
  gchar *type, *text;

  fuzz_init ();

  if (gst_opentok_rest_read_signal_body ((const gchar *) data, size, &type,
          &text, &error)) {
    FUZZ_CHECK (error == NULL);
    FUZZ_CHECK (size > 0 || (type == NULL && text == NULL));
    if (gst_opentok_signal_validate_fields (type, type ? strlen (type) : 0,
            text, text ? strlen (text) : 0, &error)) {
      FUZZ_CHECK (type == NULL ||
          strlen (type) <= GST_OPENTOK_SIGNAL_MAX_TYPE_LENGTH);
      FUZZ_CHECK (text == NULL ||
          (strlen (text) <= GST_OPENTOK_SIGNAL_MAX_DATA_LENGTH &&
              g_utf8_validate (text, -1, NULL)));
      check_relay (type, text);
    } else {
      FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_SIGNAL_ERROR);
      g_clear_error (&error);
    }
    g_free (type);
    g_free (text);
  } else {
    FUZZ_CHECK (type == NULL && text == NULL);
    FUZZ_CHECK (error != NULL && error->domain == GST_OPENTOK_SIGNAL_ERROR);
    /* 413 exactly for what is over the limit, 400 for the rest */
    FUZZ_CHECK (error->code == (size > GST_OPENTOK_REST_MAX_BODY_SIZE ?
            GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE :
            GST_OPENTOK_SIGNAL_ERROR_INVALID));
    g_error_free (error);
  }
  return 0;
}
