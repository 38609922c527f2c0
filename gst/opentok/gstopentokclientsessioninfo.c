/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The first step of a connect: asking the session-info endpoint (OpenTok's
 * Anvil) where the session's messaging socket is, with the retries
 * opentok.js makes. Network thread only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokclient-private.h"
#include "gstopentok-private.h"
#include "gstopentoksessioninfo.h"

/* opentok.js: session info is tried three times, 600 and 1200 ms apart */
#define SESSION_INFO_ATTEMPTS 3
#define SESSION_INFO_RETRY_MS 600

static gboolean
on_session_info_retry (gpointer user_data)
{
  GstOpenTokClient *self = user_data;

  g_source_unref (self->retry);
  self->retry = NULL;
  gst_opentok_client_session_info_request (self);
  return G_SOURCE_REMOVE;
}

/* Reads [{…}]: the info, or an element whose "error" is set. */
static void
client_read_session_info (GstOpenTokClient * self, GBytes * body)
{
  GstOpenTokSessionInfo *info;
  GError *error = NULL;
  gsize size;
  const gchar *data = g_bytes_get_data (body, &size);

  info = gst_opentok_session_info_parse (data, size, self->api_key, &error);
  if (info == NULL) {
    gst_opentok_client_fail (self, error->code, "%s", error->message);
    g_error_free (error);
    return;
  }

  g_free (self->messaging_url);
  self->messaging_url = info->messaging_url;
  g_free (self->symphony);
  self->symphony = info->symphony_address;
  info->messaging_url = info->symphony_address = NULL;
  g_clear_pointer (&self->socket_id, g_free);
  if (info->reconnection)
    self->socket_id = gst_opentok_uuid_new ();
  gst_opentok_session_info_free (info);
  GST_DEBUG_OBJECT (self, "messaging at %s, reconnection %s",
      self->messaging_url, self->socket_id ? "on" : "off");
  gst_opentok_client_transport_open (self);
}

static void
on_session_info (GObject * source, GAsyncResult * result, gpointer user_data)
{
  GstOpenTokClient *self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), result);
  GError *error = NULL;
  GBytes *body;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  if (body != NULL && g_bytes_get_size (body) == 0 &&
      SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg))) {
    /* opentok.js counts an empty answer as no answer */
    g_bytes_unref (body);
    body = NULL;
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
        "the session-info endpoint answered nothing");
  }
  if (body == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_error_free (error);
      return;
    }
    /* transport failures are retried, as opentok.js does */
    if (++self->session_info_attempt < SESSION_INFO_ATTEMPTS) {
      GST_INFO_OBJECT (self, "session info failed (%s), retrying",
          error->message);
      self->retry = g_timeout_source_new (SESSION_INFO_RETRY_MS *
          self->session_info_attempt);
      g_source_set_callback (self->retry, on_session_info_retry, self, NULL);
      g_source_attach (self->retry, self->context);
    } else {
      gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
          "Could not reach the session-info endpoint: %s", error->message);
    }
    g_error_free (error);
    return;
  }
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE,
        "The session-info endpoint answered HTTP %u %s", status,
        soup_message_get_reason_phrase (msg));
  } else {
    client_read_session_info (self, body);
  }
  g_bytes_unref (body);
}

void
gst_opentok_client_session_info_request (GstOpenTokClient * self)
{
  SoupMessageHeaders *headers;
  SoupMessage *msg;
  gchar *url;

  GST_OBJECT_LOCK (self);
  url = g_strdup_printf ("%s%ssession/%s?extended=true", self->api_url,
      g_str_has_suffix (self->api_url, "/") ? "" : "/", self->session_id);
  GST_OBJECT_UNLOCK (self);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  GST_DEBUG_OBJECT (self, "asking %s", url);
  g_free (url);
  if (msg == NULL) {
    gst_opentok_client_fail (self, GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED,
        "The api-url is not a usable http or https URL");
    return;
  }
  headers = soup_message_get_request_headers (msg);
  GST_OBJECT_LOCK (self);
  soup_message_headers_replace (headers, "X-OPENTOK-AUTH", self->token);
  soup_message_headers_replace (headers, "X-TB-CLIENT-VERSION",
      self->client_version);
  GST_OBJECT_UNLOCK (self);
  soup_message_headers_replace (headers, "X-TB-VERSION", "1");
  soup_message_headers_replace (headers, "X-TB-CONNECTIONID",
      self->connection_id);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_session_send_and_read_async (self->soup, msg, G_PRIORITY_DEFAULT,
      self->cancellable, on_session_info, self);
  g_object_unref (msg);
}
