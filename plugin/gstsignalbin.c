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

#include "gstsignalbin-private.h"

/**
 * SECTION:element-signalbin
 * @title: signalbin
 * @short_description: takes part in an OpenTok session's signals
 *
 * `signalbin` joins an OpenTok (Vonage Video) session as a client
 * connection of its own, next to browsers and mobile apps, and takes part
 * in the session's *signals*: small typed text messages sent to one
 * connection or to the whole session.
 *
 * The element joins when it goes to PAUSED and leaves at once, cleanly,
 * when it goes back to READY: the other members see the connection go.
 * It is live: going to PAUSED returns %GST_STATE_CHANGE_NO_PREROLL. The
 * connection settings (#GstSignalBin:api-url, #GstSignalBin:api-key,
 * #GstSignalBin:session-id, #GstSignalBin:token or #GstSignalBin:api-secret)
 * can only be changed in the NULL and READY states.
 *
 * ## The `opentok-signal` structure
 *
 * A signal travels as a #GstStructure named `opentok-signal`, the same in
 * the bus messages the element posts, the application messages and custom
 * events it accepts and the #GstSignalBin::send-signal action:
 *
 * - `type` (string): the signal type; "" (or absent) for none. At most 128
 *   bytes of ASCII letters, digits, `-`, `.`, `_` and `~`.
 * - `data` (string): the signal data, UTF-8 text of at most 8192 bytes;
 *   "" (or absent) for none.
 * - `to` (string, sending only): the id of the connection to send to;
 *   absent, "" or a %NULL string for the whole session.
 * - `retry-after-reconnect` (boolean, sending only): whether the signal
 *   waits for an automatic reconnection instead of failing with code 500;
 *   when absent, #GstSignalBin:retry-after-reconnect decides.
 * - `from` (string, received only): the id of the sending connection; a
 *   %NULL string when the server sent the signal (OpenTok's REST API).
 * - `from-self` (boolean, received only): %TRUE when this element sent the
 *   signal (a signal to the whole session comes back to its sender).
 *
 * ## Receiving signals
 *
 * Every received signal is delivered three ways:
 *
 * - the detailed GObject signal #GstSignalBin::signal-received, whose
 *   detail is the signal type: `g_signal_connect (bin,
 *   "signal-received::chat", ...)` sees signals of type "chat" only, as
 *   `session.on ("signal:chat")` does in opentok.js;
 * - an element message with an `opentok-signal` structure (`type`, `data`,
 *   `from`, `from-self`) on the bus, which `gst-launch-1.0 -m` prints;
 * - a buffer on the `src` pad, timestamped with the running time of its
 *   arrival and lasting #GstSignalBin:src-duration (see
 *   #GstSignalBin:src-format). The `src` pad is a live sparse stream: while
 *   no signal arrives, GAP events move it on with the clock, so that
 *   overlays, muxers and aggregators never wait for a signal. It may stay
 *   unlinked: what nobody reads is dropped.
 *
 * ## Sending signals
 *
 * Signals are sent four ways, and every signal reports its completion,
 * success or OpenTok's error code, as the completion handler of
 * `session.signal()` does in opentok.js:
 *
 * - the action signal #GstSignalBin::send-signal, with a #GstPromise for
 *   the reply;
 * - an application message (gst_message_new_application()) with an
 *   `opentok-signal` structure, posted by any element inside the bin: the
 *   bin takes it instead of passing it up;
 * - a custom event with an `opentok-signal` structure
 *   (%GST_EVENT_CUSTOM_DOWNSTREAM, %GST_EVENT_CUSTOM_DOWNSTREAM_OOB,
 *   %GST_EVENT_CUSTOM_BOTH or %GST_EVENT_CUSTOM_BOTH_OOB) sent to the element
 *   with gst_element_send_event(), or arriving on its `sink` pad, where
 *   serialized events keep their order with the buffers around them;
 * - buffers on the `sink` pad. With caps `text/x-raw, format=utf8`, every
 *   line is one signal: the text is split at `\n`, a `\r` before it is
 *   dropped, empty lines are skipped, and a line left unfinished at the end
 *   of a buffer waits for the next buffer (or EOS). With any other caps,
 *   each buffer is one signal whose data is the buffer's bytes, which must
 *   be UTF-8 text. #GstSignalBin:signal-type and #GstSignalBin:signal-to
 *   give the type and the target of these signals.
 *
 * What arrives on the `sink` pad before the session is joined waits, and is
 * sent, in order, once it is. The `sink` pad is a network sink: its
 * signals go out in order, one at a time, no faster than
 * #GstSignalBin:max-rate; a signal refused for its rate (429) is sent again
 * after a back-off, so none is lost to a rate limit; the streaming thread
 * blocks while 256 of them wait, until a flush or the change to READY; with
 * #GstSignalBin:sync, a buffer's signal goes when the clock reaches its
 * running time. An EOS on the `sink` pad waits until every signal the
 * element was given has completed (or none completed for 10 seconds: the
 * rest is reported as refused), then goes on: the element posts its own EOS
 * message (it counts as a sink) and ends the stream of its `src` pad. An
 * EOS sent to the element while its `sink` pad is not linked
 * (`gst-launch-1.0 -e` and Ctrl-C) does the same.
 *
 * A refused signal of the `sink` pad is a warning message carrying the
 * OpenTok code and the refused signal (details `opentok-code` and
 * `signal`), or an element error with #GstSignalBin:fatal-refusals. Other
 * refusals are reported through the promise or the `opentok-signal-sent`
 * message.
 *
 * ## Messages
 *
 * Unless stated otherwise, the element posts these element messages from
 * the network thread of its connection.
 *
 * `opentok-signal`: a signal was received. Fields `type` (string), `data`
 * (string), `from` (string, %NULL when the server sent it) and `from-self`
 * (boolean).
 *
 * `opentok-signal-sent`: a signal given without a promise (an application
 * message, a custom event, a `sink` buffer or line, or
 * #GstSignalBin::send-signal with a %NULL promise) completed. Fields:
 *
 * - `origin` (string): "action", "message", "event" or "buffer";
 * - `type` (string), `to` (string, %NULL for the whole session) and
 *   `signal` (#GstStructure, the whole `opentok-signal`) describe it;
 * - only on failure: `code` (int: OpenTok's code, 400, 403, 404, 413, 429
 *   or 500), `message` (string) and `domain` (string: the #GError domain,
 *   "gst-opentok-signal-error-quark"), which `gst-launch-1.0 -m` prints.
 *
 * A signal refused before it reached the network (malformed, too large) is
 * reported from the thread that gave it.
 *
 * `opentok-session-connected`: the session was joined. Field
 * `connection-id` (string).
 *
 * `opentok-session-disconnected`: the element is out of the session. Field
 * `reason` (string): "clientDisconnected" (the element left),
 * "networkDisconnected" or "forceDisconnected".
 *
 * `opentok-session-reconnecting` and `opentok-session-reconnected` (no
 * fields): the connection's socket was lost and is being recovered, or was
 * recovered. Signals that may wait for the reconnection wait.
 *
 * `opentok-connection-created`: a connection is in the session (every
 * connection there when the element joins, its own included, then every
 * newcomer). Fields `connection-id` (string), `data` (string, the data of
 * its token) and `creation-time` (gint64, milliseconds since the Unix
 * epoch).
 *
 * `opentok-connection-destroyed`: a connection left. The fields of
 * `opentok-connection-created` and `reason` (string).
 *
 * ## Errors
 *
 * Missing settings fail the change from NULL to READY with a
 * %GST_RESOURCE_ERROR_SETTINGS error. A lost session is an error message in
 * the %GST_RESOURCE_ERROR domain whose details structure carries the
 * OpenTok code as `opentok-code` (int): 1004 (the token was refused,
 * %GST_RESOURCE_ERROR_NOT_AUTHORIZED), 1005 (unknown session,
 * %GST_RESOURCE_ERROR_NOT_FOUND), 1006 (the server could not be reached,
 * %GST_RESOURCE_ERROR_OPEN_READ_WRITE), 1022 (the connection was lost and
 * not recovered, %GST_RESOURCE_ERROR_READ), 1023 (forced out of the
 * session, %GST_RESOURCE_ERROR_FAILED), 1027 (the session is full,
 * %GST_RESOURCE_ERROR_BUSY).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m -e signalbin api-url=http://127.0.0.1:3000 \
 *     api-key=KEY session-id=SESSION token=TOKEN
 * ]| Joins the session and prints every signal as a bus message until
 * Ctrl-C, then leaves the session.
 * |[
 * gst-launch-1.0 -e fdsrc fd=0 ! text/x-raw,format=utf8 ! \
 *     signalbin api-url=http://127.0.0.1:3000 api-key=KEY \
 *     session-id=SESSION token=TOKEN signal-type=chat ! fdsink fd=1
 * ]| Sends every line typed on standard input as a "chat" signal to the
 * whole session, and prints the data of every received signal.
 *
 * All the GObject signals of the element, except #GstSignalBin::send-signal,
 * are emitted from the network thread of its connection: handlers must not
 * block, and must not change the element's state.
 *
 * Since: 0.1
 */

GST_DEBUG_CATEGORY (gst_signal_bin_debug);
#define GST_CAT_DEFAULT gst_signal_bin_debug

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/json; text/x-raw, format = (string) utf8"));

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
guint gst_signal_bin_signals[N_SIGNALS];

#define gst_signal_bin_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstSignalBin, gst_signal_bin, GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (gst_signal_bin_debug, "signalbin", 0,
        "OpenTok signaling bin"));
GST_ELEMENT_REGISTER_DEFINE (signalbin, "signalbin", GST_RANK_NONE,
    GST_TYPE_SIGNAL_BIN);

/**
 * gst_signal_bin_src_format_get_type:
 *
 * Returns: the #GType of #GstSignalBinSrcFormat
 *
 * Since: 0.1
 */
GType
gst_signal_bin_src_format_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SIGNAL_BIN_SRC_FORMAT_DATA,
        "The data of each signal, followed by a newline", "data"},
    {GST_SIGNAL_BIN_SRC_FORMAT_JSON,
        "Each signal as a JSON object, followed by a newline", "json"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstSignalBinSrcFormat", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/**
 * gst_signal_bin_sink_format_get_type:
 *
 * Returns: the #GType of #GstSignalBinSinkFormat
 *
 * Since: 0.1
 */
GType
gst_signal_bin_sink_format_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SIGNAL_BIN_SINK_FORMAT_DATA,
        "The data of one signal, with signal-type and signal-to", "data"},
    {GST_SIGNAL_BIN_SINK_FORMAT_JSON,
        "One signal as a JSON object with type, data and optional to", "json"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstSignalBinSinkFormat", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static void gst_signal_bin_constructed (GObject * object);
static void gst_signal_bin_dispose (GObject * object);
static void gst_signal_bin_finalize (GObject * object);
static void gst_signal_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_signal_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_signal_bin_change_state (GstElement * element,
    GstStateChange transition);

static void
gst_signal_bin_class_init (GstSignalBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  gobject_class->constructed = gst_signal_bin_constructed;
  gobject_class->dispose = gst_signal_bin_dispose;
  gobject_class->finalize = gst_signal_bin_finalize;
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

  /**
   * GstSignalBin::send-signal:
   * @self: the #GstSignalBin
   * @signal: an `opentok-signal` #GstStructure (see the element's
   *     description)
   * @promise: (nullable): a #GstPromise for the reply
   *
   * Sends a signal. @promise is replied once, from any thread, with an
   * `application/x-gst-promise` structure holding the signal as `signal`
   * and, when the signal was refused, an `error` field (#GError in the
   * #GST_OPENTOK_SIGNAL_ERROR domain, with OpenTok's code). Without a
   * promise, the completion is posted as an `opentok-signal-sent` message.
   * A signal given while the element is not in a session (NULL or READY)
   * fails with code 500.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SEND_SIGNAL] =
      g_signal_new_class_handler ("send-signal", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_signal_bin_send_signal), NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_TYPE_STRUCTURE, GST_TYPE_PROMISE);

  /**
   * GstSignalBin::force-disconnect:
   * @self: the #GstSignalBin
   * @connection_id: the id of the connection to remove from the session
   * @promise: (nullable): a #GstPromise for the reply
   *
   * Removes a connection from the session, as `session.forceDisconnect()`
   * does in opentok.js; it takes a token with the moderator role. @promise
   * is replied once, from the network thread, with an
   * `application/x-gst-promise` structure holding `connection-id` and, on
   * failure, `error` (#GError in the #GST_OPENTOK_CLIENT_ERROR domain: 1520
   * for a token that is not a moderator's, 1011 when the server refused,
   * 1010 when the element is not in a session).
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_FORCE_DISCONNECT] =
      g_signal_new_class_handler ("force-disconnect",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_signal_bin_force_disconnect), NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_PROMISE);

  /**
   * GstSignalBin::signal-received:
   * @self: the #GstSignalBin
   * @signal: the received #GstOpenTokSignal
   *
   * A signal was received. The detail is the signal type: connect to
   * "signal-received::chat" for signals of type "chat" only. Emitted from
   * the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SIGNAL_RECEIVED] =
      g_signal_new ("signal-received", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_OPENTOK_SIGNAL);

  /**
   * GstSignalBin::connection-created:
   * @self: the #GstSignalBin
   * @connection: the #GstOpenTokConnection
   *
   * A connection is in the session: once for every connection there when
   * the element joins (its own included), then for every newcomer.
   * Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_CONNECTION_CREATED] =
      g_signal_new ("connection-created", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_TYPE_OPENTOK_CONNECTION);

  /**
   * GstSignalBin::connection-destroyed:
   * @self: the #GstSignalBin
   * @connection: the #GstOpenTokConnection
   * @reason: "clientDisconnected", "networkDisconnected" or
   *     "forceDisconnected"
   *
   * Another connection left the session. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_CONNECTION_DESTROYED] =
      g_signal_new ("connection-destroyed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      GST_TYPE_OPENTOK_CONNECTION, G_TYPE_STRING);

  /**
   * GstSignalBin::session-connected:
   * @self: the #GstSignalBin
   *
   * The element joined the session. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SESSION_CONNECTED] =
      g_signal_new ("session-connected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GstSignalBin::session-disconnected:
   * @self: the #GstSignalBin
   * @reason: "clientDisconnected" (the element left), "networkDisconnected"
   *     (lost) or "forceDisconnected"
   * @error: (nullable): why, as a #GST_OPENTOK_CLIENT_ERROR, unless the
   *     element left
   *
   * The element is out of the session it was in. A join that fails is an
   * error message only, as opentok.js reports it through the connect
   * callback and no sessionDisconnected. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SESSION_DISCONNECTED] =
      g_signal_new ("session-disconnected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      G_TYPE_STRING, G_TYPE_ERROR);

  /**
   * GstSignalBin::session-reconnecting:
   * @self: the #GstSignalBin
   *
   * The connection's socket was lost; the element is getting it back.
   * Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SESSION_RECONNECTING] =
      g_signal_new ("session-reconnecting", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GstSignalBin::session-reconnected:
   * @self: the #GstSignalBin
   *
   * The connection's socket is back. Emitted from the network thread.
   *
   * Since: 0.1
   */
  gst_signal_bin_signals[SIGNAL_SESSION_RECONNECTED] =
      g_signal_new ("session-reconnected", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  gst_element_class_set_static_metadata (element_class,
      "OpenTok signaling bin", "Generic/Network",
      "Joins an OpenTok session and sends and receives its signals",
      "The gst-opentok authors");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_signal_bin_change_state);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_signal_bin_send_event);
  element_class->query = GST_DEBUG_FUNCPTR (gst_signal_bin_query);
  bin_class->handle_message = GST_DEBUG_FUNCPTR (gst_signal_bin_handle_message);

  gst_type_mark_as_plugin_api (GST_TYPE_SIGNAL_BIN_SRC_FORMAT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SIGNAL_BIN_SINK_FORMAT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_OPENTOK_CLIENT_STATE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_OPENTOK_SIGNAL, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_OPENTOK_CONNECTION, 0);
}

static void
gst_signal_bin_init (GstSignalBin * self)
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
  g_mutex_init (&self->sink_lock);
  g_mutex_init (&self->pending_lock);
  g_cond_init (&self->pending_cond);
}

static void
gst_signal_bin_constructed (GObject * object)
{
  GstSignalBin *self = GST_SIGNAL_BIN (object);
  GstElementClass *klass = GST_ELEMENT_GET_CLASS (self);

  G_OBJECT_CLASS (parent_class)->constructed (object);

  self->srcpad = gst_signal_bin_src_pad_new (self,
      gst_element_class_get_pad_template (klass, "src"));
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  self->sinkpad = gst_signal_bin_sink_pad_new (self,
      gst_element_class_get_pad_template (klass, "sink"));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  /* the sink pad consumes what it gets and the element posts EOS itself;
   * the src pad is a live source, which gets the pipeline's EOS */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
gst_signal_bin_dispose (GObject * object)
{
  GstSignalBin *self = GST_SIGNAL_BIN (object);

  /* the client is gone by NULL; this only covers a failed NULL->READY */
  if (self->client != NULL) {
    g_signal_handlers_disconnect_by_data (self->client, self);
    gst_object_unref (self->client);
    self->client = NULL;
  }

  G_OBJECT_CLASS (parent_class)->dispose (object);
}

void
gst_signal_bin_clear_secret (gchar ** secret)
{
  if (*secret != NULL) {
    memset (*secret, 0, strlen (*secret));
    g_free (*secret);
    *secret = NULL;
  }
}

static void
gst_signal_bin_finalize (GObject * object)
{
  GstSignalBin *self = GST_SIGNAL_BIN (object);

  g_free (self->api_url);
  g_free (self->api_key);
  g_free (self->session_id);
  gst_signal_bin_clear_secret (&self->token);
  gst_signal_bin_clear_secret (&self->api_secret);
  g_free (self->connection_data);
  g_free (self->client_version);
  g_free (self->signal_type);
  g_free (self->signal_to);
  g_strfreev (self->src_types);
  g_clear_object (&self->cancellable);
  gst_signal_bin_sink_clear (self);
  gst_signal_bin_src_clear (self);
  g_mutex_clear (&self->sink_lock);
  g_mutex_clear (&self->pending_lock);
  g_cond_clear (&self->pending_cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
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

GstOpenTokClient *
gst_signal_bin_get_client (GstSignalBin * self)
{
  GstOpenTokClient *client = NULL;

  GST_OBJECT_LOCK (self);
  if (self->client != NULL)
    client = gst_object_ref (self->client);
  GST_OBJECT_UNLOCK (self);
  return client;
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

static GstStateChangeReturn
gst_signal_bin_change_state (GstElement * element, GstStateChange transition)
{
  GstSignalBin *self = GST_SIGNAL_BIN (element);
  GstStateChangeReturn ret;
  gboolean changed;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!session_check_settings (self))
        return GST_STATE_CHANGE_FAILURE;
      if (!session_make_client (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      GST_OBJECT_LOCK (self);
      changed = self->settings_changed || self->client == NULL;
      GST_OBJECT_UNLOCK (self);
      if (changed && (!session_check_settings (self)
              || !session_make_client (self)))
        return GST_STATE_CHANGE_FAILURE;
      session_start (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* release a streaming thread waiting for room, the clock or the
       * drain */
      sink_set_flushing (self, TRUE);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      sink_set_playing (self, FALSE);
      src_set_playing (self, FALSE);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    switch (transition) {
      case GST_STATE_CHANGE_NULL_TO_READY:
        session_drop_client (self);
        break;
      case GST_STATE_CHANGE_READY_TO_PAUSED:
        session_stop (self);
        break;
      default:
        break;
    }
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      sink_set_playing (self, TRUE);
      src_set_playing (self, TRUE);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      session_stop (self);
      gst_signal_bin_sink_stopped (self);
      /* a new connection, with a new id, for the next session */
      session_make_client (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      /* the client completed every signal when it disconnected */
      wait_drained (self, STOP_TIMEOUT, FALSE);
      session_drop_client (self);
      g_object_notify_by_pspec (G_OBJECT (self),
          properties[PROP_CONNECTION_ID]);
      break;
    default:
      break;
  }

  return ret;
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
