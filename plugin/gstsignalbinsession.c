/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* signalbin's session: the client it is made from the settings, joining
 * and leaving, and what the client reports (received signals, members,
 * session events) turned into the element's signals and bus messages. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug


/* ------------------------------------------------------------------------ */
/* Received signals and session events (network thread)                    */

static void
on_signal_received (GstOpenTokClient * client, GstOpenTokSignal * signal,
    GstSignalBin * self)
{
  const gchar *type = gst_opentok_signal_get_signal_type (signal);
  GQuark detail;

  GST_LOG_OBJECT (self, "signal of type \"%s\" from %s", type ? type : "",
      gst_opentok_signal_get_from (signal) ? gst_opentok_signal_get_from
      (signal) : "the server");

  /* queued for the src pad first: once the message is seen, an EOS sent to
   * the element comes after it in the stream */
  src_push_signal (self, signal);

  /* never intern network input: the quark exists when someone listens */
  detail = (type != NULL && *type != '\0') ? g_quark_try_string (type) : 0;
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_SIGNAL_RECEIVED], detail,
      signal);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_opentok_signal_to_structure (signal)));
}

static GstStructure *
connection_structure (const gchar * name, GstOpenTokConnection * connection)
{
  return gst_structure_new (name,
      "connection-id", G_TYPE_STRING,
      gst_opentok_connection_get_id (connection),
      "data", G_TYPE_STRING, gst_opentok_connection_get_data (connection),
      "creation-time", G_TYPE_INT64,
      gst_opentok_connection_get_creation_time (connection), NULL);
}

static void
post_structure (GstSignalBin * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static void
on_connection_created (GstOpenTokClient * client,
    GstOpenTokConnection * connection, GstSignalBin * self)
{
  GST_DEBUG_OBJECT (self, "connection %s created",
      gst_opentok_connection_get_id (connection));
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_CONNECTION_CREATED], 0,
      connection);
  post_structure (self, connection_structure ("opentok-connection-created",
          connection));
}

static void
on_connection_destroyed (GstOpenTokClient * client,
    GstOpenTokConnection * connection, const gchar * reason,
    GstSignalBin * self)
{
  GstStructure *s;

  GST_DEBUG_OBJECT (self, "connection %s destroyed: %s",
      gst_opentok_connection_get_id (connection), reason);
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_CONNECTION_DESTROYED], 0,
      connection, reason);
  s = connection_structure ("opentok-connection-destroyed", connection);
  gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);
  post_structure (self, s);
}

static void
on_session_connected (GstOpenTokClient * client, GstSignalBin * self)
{
  gchar *id = gst_opentok_client_get_connection_id (client);
  gboolean active;

  GST_INFO_OBJECT (self, "joined the session as %s", id);
  GST_OBJECT_LOCK (self);
  active = self->session_active;
  self->session_joined = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (active)
    sink_open (self);
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_SESSION_CONNECTED], 0);
  post_structure (self, gst_structure_new ("opentok-session-connected",
          "connection-id", G_TYPE_STRING, id, NULL));
  g_free (id);
}

/* Posts the error that ends the session, once per session. */
static void
post_fatal (GstSignalBin * self, const GError * error, const gchar * reason)
{
  GstResourceError code;
  gint opentok_code;
  gchar *text, *session_id, *api_url;
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = self->session_active && !self->fatal_posted;
  if (post)
    self->fatal_posted = TRUE;
  session_id = g_strdup (self->session_id);
  api_url = g_strdup (self->api_url);
  GST_OBJECT_UNLOCK (self);

  if (!post)
    goto out;

  if (error != NULL && error->domain == GST_OPENTOK_CLIENT_ERROR)
    opentok_code = error->code;
  else if (g_strcmp0 (reason, "forceDisconnected") == 0)
    opentok_code = GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED;
  else
    opentok_code = GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED;

  switch (opentok_code) {
    case GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION:
      code = GST_RESOURCE_ERROR_NOT_AUTHORIZED;
      text = g_strdup_printf ("The OpenTok session refused the token "
          "(error %d).", opentok_code);
      break;
    case GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION:
      code = GST_RESOURCE_ERROR_NOT_FOUND;
      text = g_strdup_printf ("The OpenTok session \"%s\" does not exist "
          "(error %d).", session_id ? session_id : "", opentok_code);
      break;
    case GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED:
      code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
      text = g_strdup_printf ("Could not reach the OpenTok server at %s "
          "(error %d).", api_url ? api_url : "", opentok_code);
      break;
    case GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED:
      code = GST_RESOURCE_ERROR_READ;
      text = g_strdup_printf ("The connection to the OpenTok session was "
          "lost and could not be recovered (error %d).", opentok_code);
      break;
    case GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED:
      code = GST_RESOURCE_ERROR_FAILED;
      text = g_strdup_printf ("The connection was forced out of the OpenTok "
          "session (error %d).", opentok_code);
      break;
    case GST_OPENTOK_CLIENT_ERROR_CONNECTION_LIMIT:
      code = GST_RESOURCE_ERROR_BUSY;
      text = g_strdup_printf ("The OpenTok session is full (error %d).",
          opentok_code);
      break;
    default:
      code = GST_RESOURCE_ERROR_FAILED;
      text = g_strdup_printf ("The OpenTok session failed (error %d).",
          opentok_code);
      break;
  }

  gst_element_message_full_with_details (GST_ELEMENT (self),
      GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, text,
      g_strdup_printf ("%s%s%s", reason ? reason : "",
          error ? ": " : "", error ? error->message : ""),
      __FILE__, GST_FUNCTION, __LINE__,
      gst_structure_new ("details", "opentok-code", G_TYPE_INT, opentok_code,
          NULL));

out:
  g_free (session_id);
  g_free (api_url);
}

static void
on_session_disconnected (GstOpenTokClient * client, const gchar * reason,
    const GError * error, GstSignalBin * self)
{
  gboolean joined;

  GST_INFO_OBJECT (self, "out of the session: %s%s%s", reason,
      error ? ": " : "", error ? error->message : "");
  GST_OBJECT_LOCK (self);
  joined = self->session_joined;
  self->session_joined = FALSE;
  GST_OBJECT_UNLOCK (self);

  /* a join that fails is the error alone, as opentok.js reports it through
   * the connect callback and no sessionDisconnected */
  if (!joined) {
    post_fatal (self, error, NULL);
    sink_close (self, "The element could not join the session.");
    return;
  }

  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_SESSION_DISCONNECTED], 0,
      reason, error);
  post_structure (self, gst_structure_new ("opentok-session-disconnected",
          "reason", G_TYPE_STRING, reason, NULL));

  if (g_strcmp0 (reason, "clientDisconnected") != 0) {
    post_fatal (self, error, reason);
    sink_close (self, "The element lost the session before the signal "
        "could be sent.");
  }
}

static void
on_session_reconnecting (GstOpenTokClient * client, GstSignalBin * self)
{
  GST_INFO_OBJECT (self, "reconnecting");
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_SESSION_RECONNECTING], 0);
  post_structure (self, gst_structure_new_empty
      ("opentok-session-reconnecting"));
}

static void
on_session_reconnected (GstOpenTokClient * client, GstSignalBin * self)
{
  GST_INFO_OBJECT (self, "reconnected");
  g_signal_emit (self, gst_signal_bin_signals[SIGNAL_SESSION_RECONNECTED], 0);
  post_structure (self, gst_structure_new_empty
      ("opentok-session-reconnected"));
}

static void
on_client_state (GstOpenTokClient * client, GParamSpec * pspec,
    GstSignalBin * self)
{
  gst_signal_bin_notify_state (self);
}

/* ------------------------------------------------------------------------ */
/* Client, thread and session                                               */

gboolean
session_check_settings (GstSignalBin * self)
{
  const gchar *missing = NULL;
  gchar *api_url = NULL;
  GUri *uri = NULL;
  gboolean ok;

  GST_OBJECT_LOCK (self);
  if (self->api_url == NULL || *self->api_url == '\0')
    missing = "api-url";
  else if (self->api_key == NULL || *self->api_key == '\0')
    missing = "api-key";
  else if (self->session_id == NULL || *self->session_id == '\0')
    missing = "session-id";
  else if ((self->token == NULL || *self->token == '\0')
      && (self->api_secret == NULL || *self->api_secret == '\0'))
    missing = "token";
  api_url = g_strdup (self->api_url);
  GST_OBJECT_UNLOCK (self);

  if (missing != NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The \"%s\" property is not set: signalbin needs api-url, api-key, "
            "session-id, and a token (or the api-secret to make one).",
            missing), (NULL));
    g_free (api_url);
    return FALSE;
  }

  uri = g_uri_parse (api_url, G_URI_FLAGS_NONE, NULL);
  ok = uri != NULL && (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0
      || g_strcmp0 (g_uri_get_scheme (uri), "https") == 0)
      && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
  if (!ok)
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The \"api-url\" property, \"%s\", is not an http or https URL "
            "such as https://anvil.opentok.com or http://127.0.0.1:3000.",
            api_url), (NULL));
  if (uri != NULL)
    g_uri_unref (uri);
  g_free (api_url);
  return ok;
}

/* Makes the client of the next session from the current settings. */
gboolean
session_make_client (GstSignalBin * self)
{
  gchar *api_url, *api_key, *session_id, *token, *secret, *data;
  GstOpenTokClient *client = NULL, *old;
  gchar *client_version;
  guint connect_timeout;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  api_url = g_strdup (self->api_url);
  api_key = g_strdup (self->api_key);
  session_id = g_strdup (self->session_id);
  token = g_strdup (self->token);
  secret = g_strdup (self->api_secret);
  data = g_strdup (self->connection_data);
  connect_timeout = self->connect_timeout;
  client_version = g_strdup (self->client_version);
  self->settings_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  if ((token == NULL || *token == '\0') && secret != NULL && *secret != '\0') {
    gst_signal_bin_clear_secret (&token);
    token = gst_opentok_token_mint (GST_OPENTOK_TOKEN_FORMAT_JWT, api_key,
        secret, session_id, GST_OPENTOK_ROLE_PUBLISHER, 0, data, &error);
    if (token == NULL) {
      gchar *owner = gst_opentok_session_id_get_api_key (session_id, NULL);

      if (owner == NULL)
        /* no such session can exist: OpenTok says 1005 */
        gst_element_message_full_with_details (GST_ELEMENT (self),
            GST_MESSAGE_ERROR, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_NOT_FOUND,
            g_strdup_printf ("The \"session-id\" property, \"%s\", is not "
                "an OpenTok session id (error %d).", session_id,
                GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION),
            g_strdup (error->message), __FILE__, GST_FUNCTION, __LINE__,
            gst_structure_new ("details", "opentok-code", G_TYPE_INT,
                GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION, NULL));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Could not make a token with the api-secret: %s",
                error->message), (NULL));
      g_free (owner);
      g_error_free (error);
      goto out;
    }
    GST_DEBUG_OBJECT (self, "made a token for session %s", session_id);
  }

  client = gst_opentok_client_new (api_url, api_key, session_id, token);
  g_object_set (client, "connect-timeout", connect_timeout, NULL);
  if (client_version != NULL)
    g_object_set (client, "client-version", client_version, NULL);
  g_signal_connect (client, "signal-received",
      G_CALLBACK (on_signal_received), self);
  g_signal_connect (client, "connection-created",
      G_CALLBACK (on_connection_created), self);
  g_signal_connect (client, "connection-destroyed",
      G_CALLBACK (on_connection_destroyed), self);
  g_signal_connect (client, "session-connected",
      G_CALLBACK (on_session_connected), self);
  g_signal_connect (client, "session-disconnected",
      G_CALLBACK (on_session_disconnected), self);
  g_signal_connect (client, "session-reconnecting",
      G_CALLBACK (on_session_reconnecting), self);
  g_signal_connect (client, "session-reconnected",
      G_CALLBACK (on_session_reconnected), self);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_client_state),
      self);

  GST_OBJECT_LOCK (self);
  old = self->client;
  self->client = client;
  GST_OBJECT_UNLOCK (self);

  if (old != NULL) {
    g_signal_handlers_disconnect_by_data (old, self);
    gst_object_unref (old);
  }
  gst_signal_bin_notify_connection_id (self);

out:
  g_free (api_url);
  g_free (api_key);
  g_free (session_id);
  gst_signal_bin_clear_secret (&token);
  gst_signal_bin_clear_secret (&secret);
  g_free (data);
  g_free (client_version);
  return client != NULL;
}

void
session_drop_client (GstSignalBin * self)
{
  GstOpenTokClient *client;

  GST_OBJECT_LOCK (self);
  client = self->client;
  self->client = NULL;
  GST_OBJECT_UNLOCK (self);

  if (client != NULL) {
    g_signal_handlers_disconnect_by_data (client, self);
    gst_object_unref (client);
  }
}

/* The join goes on on the client's network thread; session-connected or
 * session-disconnected tells how it went. */
void
session_start (GstSignalBin * self)
{
  GstOpenTokClient *client;
  GCancellable *cancellable;
  GError *error = NULL;

  sink_reset (self);

  GST_OBJECT_LOCK (self);
  self->session_active = TRUE;
  self->fatal_posted = FALSE;
  self->session_joined = FALSE;
  self->eos_posted = FALSE;
  self->generation++;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  client = gst_object_ref (self->client);
  cancellable = g_object_ref (self->cancellable);
  GST_OBJECT_UNLOCK (self);

  GST_DEBUG_OBJECT (self, "joining the session");
  if (!gst_opentok_client_connect (client, cancellable, &error)) {
    GST_WARNING_OBJECT (self, "could not join the session: %s", error->message);
    post_fatal (self, error, NULL);
    sink_close (self, "The element could not join the session.");
    g_error_free (error);
  }
  g_object_unref (cancellable);
  gst_object_unref (client);
}

void
session_stop (GstSignalBin * self)
{
  GstOpenTokClient *client;
  GCancellable *cancellable;

  GST_OBJECT_LOCK (self);
  self->session_active = FALSE;
  self->generation++;
  cancellable = self->cancellable;
  self->cancellable = NULL;
  client = self->client ? gst_object_ref (self->client) : NULL;
  GST_OBJECT_UNLOCK (self);

  sink_close (self, "The element left the session before the signal could "
      "be sent.");

  if (cancellable != NULL) {
    g_cancellable_cancel (cancellable);
    g_object_unref (cancellable);
  }
  if (client != NULL) {
    GST_DEBUG_OBJECT (self, "leaving the session");
    gst_opentok_client_disconnect (client);
    gst_object_unref (client);
  }
}
