/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The properties of signalbin: their documentation, defaults and
 * installation, the checks a value passes before the element takes it,
 * set_property and get_property, and the notifications of the read-only
 * ones (state, connection-id). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsignalbin-private.h"

#define GST_CAT_DEFAULT gst_signal_bin_debug

enum
{
  PROP_0,
  PROP_API_URL,
  PROP_API_KEY,
  PROP_SESSION_ID,
  PROP_TOKEN,
  PROP_API_SECRET,
  PROP_CONNECTION_DATA,
  PROP_CONNECTION_ID,
  PROP_STATE,
  PROP_RETRY_AFTER_RECONNECT,
  PROP_CONNECT_TIMEOUT,
  PROP_CLIENT_VERSION,
  PROP_SIGNAL_TYPE,
  PROP_SIGNAL_TO,
  PROP_MAX_RATE,
  PROP_SYNC,
  PROP_FATAL_REFUSALS,
  PROP_SINK_FORMAT,
  PROP_SRC_FORMAT,
  PROP_SRC_DURATION,
  PROP_SRC_TYPES,
  PROP_SRC_INCLUDE_SELF,
  N_PROPERTIES
};

#define DEFAULT_API_URL "https://anvil.opentok.com"
#define DEFAULT_RETRY_AFTER_RECONNECT TRUE
/* as opentok.js gives a WebSocket to open */
#define DEFAULT_CONNECT_TIMEOUT 15000
#define DEFAULT_SRC_FORMAT GST_SIGNAL_BIN_SRC_FORMAT_DATA
#define DEFAULT_SINK_FORMAT GST_SIGNAL_BIN_SINK_FORMAT_DATA

/* OpenTok publishes no signal rate for client connections: see the
 * max-rate property. */
#define DEFAULT_MAX_RATE 100.0
#define DEFAULT_SYNC FALSE
#define DEFAULT_FATAL_REFUSALS FALSE
#define DEFAULT_SRC_DURATION (2 * GST_SECOND)
#define DEFAULT_SRC_INCLUDE_SELF TRUE

static GParamSpec *properties[N_PROPERTIES];

static void gst_signal_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_signal_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

/* Installs every property, with set_property and get_property. */
void
gst_signal_bin_install_properties (GObjectClass * gobject_class)
{
  gobject_class->set_property = gst_signal_bin_set_property;
  gobject_class->get_property = gst_signal_bin_get_property;

  /**
   * GstSignalBin:api-url:
   *
   * The base URL of the OpenTok session-info endpoint: the OpenTok cloud's
   * by default, or a `gst-opentok-server`'s (such as
   * `http://127.0.0.1:3000`).
   *
   * Since: 0.1
   */
  properties[PROP_API_URL] =
      g_param_spec_string ("api-url", "API URL",
      "Base URL of the OpenTok session-info endpoint", DEFAULT_API_URL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:api-key:
   *
   * The API key (project id) of the session. Required.
   *
   * Since: 0.1
   */
  properties[PROP_API_KEY] =
      g_param_spec_string ("api-key", "API key",
      "The OpenTok API key (project id) of the session", NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:session-id:
   *
   * The id of the session to join. Required.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION_ID] =
      g_param_spec_string ("session-id", "Session id",
      "The id of the session to join", NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:token:
   *
   * The client token that admits the element to the session, as the
   * OpenTok server SDKs make them. Required unless #GstSignalBin:api-secret
   * is set. A token is a credential: it is write-only, so that it shows up
   * in no pipeline dump, and never logged.
   *
   * Since: 0.1
   */
  properties[PROP_TOKEN] =
      g_param_spec_string ("token", "Token",
      "The client token that admits the element to the session (write-only)",
      NULL,
      G_PARAM_WRITABLE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:api-secret:
   *
   * The API secret of #GstSignalBin:api-key. When it is set and
   * #GstSignalBin:token is not, the element makes its own token (role
   * publisher, carrying #GstSignalBin:connection-data), for a server it
   * trusts with its secret. Write-only, never logged.
   *
   * Since: 0.1
   */
  properties[PROP_API_SECRET] =
      g_param_spec_string ("api-secret", "API secret",
      "The API secret, to make a token when none is given (write-only)",
      NULL,
      G_PARAM_WRITABLE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:connection-data:
   *
   * The connection data the other members see for this connection, put in
   * the token the element makes with #GstSignalBin:api-secret (at most
   * 1024 characters). A given #GstSignalBin:token carries its own data and
   * this property is not used.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTION_DATA] =
      g_param_spec_string ("connection-data", "Connection data",
      "Connection data of the token made with api-secret", NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:connection-id:
   *
   * The id of the element's connection, the `from` of the signals it sends
   * and the `to` other members address it with. A new id is chosen in
   * every change to READY, for the next session; %NULL in the NULL state.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTION_ID] =
      g_param_spec_string ("connection-id", "Connection id",
      "The id of the element's connection", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:state:
   *
   * Where the element's connection stands. Notified from the network
   * thread.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
      g_param_spec_enum ("state", "State",
      "Where the connection stands", GST_TYPE_OPENTOK_CLIENT_STATE,
      GST_OPENTOK_CLIENT_STATE_DISCONNECTED,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:retry-after-reconnect:
   *
   * Whether a signal given while the connection is reconnecting waits for
   * the reconnection (%TRUE) or fails at once with code 500 (%FALSE), for
   * the signals that do not say so in their `retry-after-reconnect` field
   * and for the buffers of the `sink` pad.
   *
   * Since: 0.1
   */
  properties[PROP_RETRY_AFTER_RECONNECT] =
      g_param_spec_boolean ("retry-after-reconnect", "Retry after reconnect",
      "Whether signals wait for an automatic reconnection, when they do "
      "not say", DEFAULT_RETRY_AFTER_RECONNECT,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:connect-timeout:
   *
   * Milliseconds joining the session may take, from asking for the session
   * info to being in the session, retries included. Past it, the element
   * posts an error with OpenTok's code 1006, so that a server that accepts
   * and never answers is not waited for. opentok.js gives a WebSocket 15
   * seconds to open.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECT_TIMEOUT] =
      g_param_spec_uint ("connect-timeout", "Connect timeout",
      "Milliseconds joining the session may take before it fails with 1006",
      100, G_MAXINT32, DEFAULT_CONNECT_TIMEOUT,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:client-version:
   *
   * What the element calls itself to the server (the `X-TB-CLIENT-VERSION`
   * header and the `clientVersion` of its connection); %NULL for the
   * library's own, "gst-" and its version. opentok.js 2.35.2 sends
   * "js-2.35.2"; the OpenTok cloud is only known to accept the forms its
   * own SDKs send, and "gst-" has not been tried against it.
   *
   * Since: 0.1
   */
  properties[PROP_CLIENT_VERSION] =
      g_param_spec_string ("client-version", "Client version",
      "What the element calls itself to the server (NULL: gst-<version>)",
      NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:signal-type:
   *
   * The type of the signals made from the buffers of the `sink` pad; %NULL
   * or "" for none.
   *
   * Since: 0.1
   */
  properties[PROP_SIGNAL_TYPE] =
      g_param_spec_string ("signal-type", "Signal type",
      "Type of the signals made from sink buffers", NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:signal-to:
   *
   * The id of the connection the signals made from the buffers of the
   * `sink` pad go to; %NULL or "" for the whole session.
   *
   * Since: 0.1
   */
  properties[PROP_SIGNAL_TO] =
      g_param_spec_string ("signal-to", "Signal to",
      "Connection id sink buffers are sent to (empty for the whole session)",
      NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:max-rate:
   *
   * The most signals per second the `sink` pad sends; 0 for no limit.
   * Signals go out in order, one at a time, so a round trip to the server
   * also bounds the rate. A signal the server refuses for its rate (429) is
   * sent again after a back-off (50 ms, doubling up to 2 s), ahead of the
   * ones behind it, so none is lost to a rate limit.
   *
   * OpenTok publishes no signal rate for client connections; the default,
   * 100, is a pace we expect the cloud to accept, and the back-off covers a
   * server that allows less. `gst-opentok-server` allows 500 per second per
   * connection, after a burst of 1000.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RATE] =
      g_param_spec_double ("max-rate", "Maximum rate",
      "Most signals per second the sink pad sends (0 = no limit)", 0,
      G_MAXDOUBLE, DEFAULT_MAX_RATE,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:sync:
   *
   * Whether the `sink` pad sends a buffer's signal when the pipeline clock
   * reaches the buffer's running time (plus the pipeline's latency), as
   * #GstBaseSink:sync does, so that a recording is replayed at its recorded
   * times; %FALSE sends signals as they come.
   *
   * Since: 0.1
   */
  properties[PROP_SYNC] =
      g_param_spec_boolean ("sync", "Sync",
      "Send each sink buffer's signal at its running time on the clock",
      DEFAULT_SYNC,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:fatal-refusals:
   *
   * What a signal of the `sink` pad that OpenTok refuses (a bad type, data
   * too large, a target that left...) does: %FALSE posts a warning message
   * and the stream goes on; %TRUE posts an element error, which stops the
   * pipeline (gst-launch-1.0 exits with an error). Either message carries
   * the OpenTok code as `opentok-code` and the refused signal as `signal` in
   * its details.
   *
   * Since: 0.1
   */
  properties[PROP_FATAL_REFUSALS] =
      g_param_spec_boolean ("fatal-refusals", "Fatal refusals",
      "Whether a refused sink signal is an element error instead of a "
      "warning", DEFAULT_FATAL_REFUSALS,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:sink-format:
   *
   * What the buffers of the `sink` pad carry: "data", the data of one
   * signal, whose type and target are #GstSignalBin:signal-type and
   * #GstSignalBin:signal-to; or "json", one signal as a JSON object
   * `{"type": ..., "data": ..., "to": ...}` (`to` optional; other members,
   * such as the `from` of a recording made with `src-format=json`, are
   * ignored). With text caps, each line is one buffer's worth. A line that
   * is not such an object is refused (400).
   *
   * Since: 0.1
   */
  properties[PROP_SINK_FORMAT] =
      g_param_spec_enum ("sink-format", "Sink format",
      "What the buffers of the sink pad carry",
      GST_TYPE_SIGNAL_BIN_SINK_FORMAT, DEFAULT_SINK_FORMAT,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:src-duration:
   *
   * The duration of the `src` pad's buffers: how long a received signal
   * lasts in the stream, such as how long textoverlay shows it, or a
   * subtitle in a recording.
   *
   * Since: 0.1
   */
  properties[PROP_SRC_DURATION] =
      g_param_spec_uint64 ("src-duration", "Source duration",
      "Duration of each received signal's buffer on the src pad, in "
      "nanoseconds", 1, G_MAXUINT64, DEFAULT_SRC_DURATION,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:src-format:
   *
   * What the buffers of the `src` pad carry: "data", the data of each
   * received signal followed by `\n` (caps `text/x-raw, format=utf8`, one
   * line per signal when the data has no newline of its own), or "json",
   * each received signal as a JSON object `{"type": ..., "data": ...,
   * "from": ..., "fromSelf": ...}` followed by `\n` (caps
   * `application/json`; `from` is null when the server sent the signal).
   *
   * Since: 0.1
   */
  properties[PROP_SRC_FORMAT] =
      g_param_spec_enum ("src-format", "Source format",
      "What the buffers of the src pad carry",
      GST_TYPE_SIGNAL_BIN_SRC_FORMAT, DEFAULT_SRC_FORMAT,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:src-types:
   *
   * The types of the received signals the `src` pad carries, separated by
   * commas (such as "chat,cue"); %NULL or "" for every type. Signals of
   * other types are still messages and GObject signals.
   *
   * Since: 0.1
   */
  properties[PROP_SRC_TYPES] =
      g_param_spec_string ("src-types", "Source types",
      "Comma-separated types of the signals the src pad carries (empty for "
      "all)", NULL,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  /**
   * GstSignalBin:src-include-self:
   *
   * Whether the `src` pad carries the element's own signals to the whole
   * session, which come back to it. %FALSE drops them, so that two
   * signalbins chained in one session (one's `src` into the other's
   * `sink`) do not echo each other forever.
   *
   * Since: 0.1
   */
  properties[PROP_SRC_INCLUDE_SELF] =
      g_param_spec_boolean ("src-include-self", "Source includes self",
      "Whether the src pad carries the element's own broadcasts",
      DEFAULT_SRC_INCLUDE_SELF,
      G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);
}

/* Gives every property its default value. */
void
gst_signal_bin_init_properties (GstSignalBin * self)
{
  self->api_url = g_strdup (DEFAULT_API_URL);
  self->retry_after_reconnect = DEFAULT_RETRY_AFTER_RECONNECT;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->max_rate = DEFAULT_MAX_RATE;
  self->sync = DEFAULT_SYNC;
  self->fatal_refusals = DEFAULT_FATAL_REFUSALS;
  self->sink_format = DEFAULT_SINK_FORMAT;
  self->src_format = DEFAULT_SRC_FORMAT;
  self->src_duration = DEFAULT_SRC_DURATION;
  self->src_include_self = DEFAULT_SRC_INCLUDE_SELF;
}

/* Called with the object lock. */
static gboolean
connection_setting_locked (GstSignalBin * self, GParamSpec * pspec)
{
  if (GST_STATE (self) > GST_STATE_READY || self->session_active) {
    GST_WARNING_OBJECT (self, "%s can only be changed in the NULL and READY "
        "states", pspec->name);
    return FALSE;
  }
  self->settings_changed = TRUE;
  return TRUE;
}

/* Whether @type is a signal type OpenTok accepts ("" and NULL: none); if
 * not, says so, naming @pspec, and the property keeps its value. */
static gboolean
signal_type_is_valid (GstSignalBin * self, GParamSpec * pspec,
    const gchar * type)
{
  GstOpenTokSignal *signal;
  GError *error = NULL;
  gboolean valid;

  if (type == NULL || *type == '\0')
    return TRUE;
  signal = gst_opentok_signal_new (type, NULL);
  valid = gst_opentok_signal_validate (signal, &error);
  gst_opentok_signal_unref (signal);
  if (valid)
    return TRUE;
  g_warning ("%s: the %s property keeps its value: \"%s\" is not a signal "
      "type OpenTok accepts: %s", GST_OBJECT_NAME (self), pspec->name, type,
      error->message);
  g_error_free (error);
  return FALSE;
}

static void
gst_signal_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSignalBin *self = GST_SIGNAL_BIN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_API_URL:
      if (connection_setting_locked (self, pspec)) {
        g_free (self->api_url);
        self->api_url = g_value_dup_string (value);
      }
      break;
    case PROP_API_KEY:
      if (connection_setting_locked (self, pspec)) {
        g_free (self->api_key);
        self->api_key = g_value_dup_string (value);
      }
      break;
    case PROP_SESSION_ID:
      if (connection_setting_locked (self, pspec)) {
        g_free (self->session_id);
        self->session_id = g_value_dup_string (value);
      }
      break;
    case PROP_TOKEN:
      if (connection_setting_locked (self, pspec)) {
        gst_signal_bin_clear_secret (&self->token);
        self->token = g_value_dup_string (value);
      }
      break;
    case PROP_API_SECRET:
      if (connection_setting_locked (self, pspec)) {
        gst_signal_bin_clear_secret (&self->api_secret);
        self->api_secret = g_value_dup_string (value);
      }
      break;
    case PROP_CONNECTION_DATA:
      if (connection_setting_locked (self, pspec)) {
        g_free (self->connection_data);
        self->connection_data = g_value_dup_string (value);
      }
      break;
    case PROP_RETRY_AFTER_RECONNECT:
      self->retry_after_reconnect = g_value_get_boolean (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      if (connection_setting_locked (self, pspec))
        self->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_CLIENT_VERSION:
      if (connection_setting_locked (self, pspec)) {
        g_free (self->client_version);
        self->client_version = g_value_dup_string (value);
      }
      break;
    case PROP_SIGNAL_TYPE:
      if (signal_type_is_valid (self, pspec, g_value_get_string (value))) {
        g_free (self->signal_type);
        self->signal_type = g_value_dup_string (value);
      }
      break;
    case PROP_SIGNAL_TO:
      g_free (self->signal_to);
      self->signal_to = g_value_dup_string (value);
      break;
    case PROP_MAX_RATE:
      self->max_rate = g_value_get_double (value);
      break;
    case PROP_SYNC:
      self->sync = g_value_get_boolean (value);
      break;
    case PROP_FATAL_REFUSALS:
      self->fatal_refusals = g_value_get_boolean (value);
      break;
    case PROP_SINK_FORMAT:
      self->sink_format = g_value_get_enum (value);
      break;
    case PROP_SRC_FORMAT:
      if (GST_STATE (self) > GST_STATE_READY || self->session_active) {
        GST_WARNING_OBJECT (self, "src-format can only be changed in the "
            "NULL and READY states");
        break;
      }
      self->src_format = g_value_get_enum (value);
      break;
    case PROP_SRC_DURATION:
      self->src_duration = g_value_get_uint64 (value);
      break;
    case PROP_SRC_TYPES:{
      const gchar *list = g_value_get_string (value);
      gchar **types = NULL, **type;
      gboolean valid = TRUE;

      if (list != NULL && *list != '\0') {
        types = g_strsplit (list, ",", -1);
        for (type = types; *type != NULL && valid; type++)
          valid = signal_type_is_valid (self, pspec, *type);
      }
      if (valid) {
        g_strfreev (self->src_types);
        self->src_types = types;
      } else {
        g_strfreev (types);
      }
      break;
    }
    case PROP_SRC_INCLUDE_SELF:
      self->src_include_self = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_signal_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSignalBin *self = GST_SIGNAL_BIN (object);
  GstOpenTokClient *client;

  switch (prop_id) {
    case PROP_CONNECTION_ID:
      client = gst_signal_bin_get_client (self);
      if (client != NULL) {
        g_value_take_string (value,
            gst_opentok_client_get_connection_id (client));
        gst_object_unref (client);
      } else {
        g_value_set_string (value, NULL);
      }
      return;
    case PROP_STATE:
      client = gst_signal_bin_get_client (self);
      if (client != NULL) {
        g_value_set_enum (value, gst_opentok_client_get_state (client));
        gst_object_unref (client);
      } else {
        g_value_set_enum (value, GST_OPENTOK_CLIENT_STATE_DISCONNECTED);
      }
      return;
    default:
      break;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_API_URL:
      g_value_set_string (value, self->api_url);
      break;
    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    case PROP_CONNECTION_DATA:
      g_value_set_string (value, self->connection_data);
      break;
    case PROP_RETRY_AFTER_RECONNECT:
      g_value_set_boolean (value, self->retry_after_reconnect);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_CLIENT_VERSION:
      g_value_set_string (value, self->client_version);
      break;
    case PROP_SIGNAL_TYPE:
      g_value_set_string (value, self->signal_type);
      break;
    case PROP_SIGNAL_TO:
      g_value_set_string (value, self->signal_to);
      break;
    case PROP_MAX_RATE:
      g_value_set_double (value, self->max_rate);
      break;
    case PROP_SYNC:
      g_value_set_boolean (value, self->sync);
      break;
    case PROP_FATAL_REFUSALS:
      g_value_set_boolean (value, self->fatal_refusals);
      break;
    case PROP_SINK_FORMAT:
      g_value_set_enum (value, self->sink_format);
      break;
    case PROP_SRC_FORMAT:
      g_value_set_enum (value, self->src_format);
      break;
    case PROP_SRC_DURATION:
      g_value_set_uint64 (value, self->src_duration);
      break;
    case PROP_SRC_TYPES:
      g_value_take_string (value, self->src_types ?
          g_strjoinv (",", self->src_types) : NULL);
      break;
    case PROP_SRC_INCLUDE_SELF:
      g_value_set_boolean (value, self->src_include_self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_signal_bin_notify_state (GstSignalBin * self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
gst_signal_bin_notify_connection_id (GstSignalBin * self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ID]);
}
