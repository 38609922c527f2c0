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

  /* the properties, set_property, get_property: gstsignalbinproperties.c */
  gst_signal_bin_install_properties (gobject_class);

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
  gst_signal_bin_init_properties (self);
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
      gst_signal_bin_notify_connection_id (self);
      break;
    default:
      break;
  }

  return ret;
}
