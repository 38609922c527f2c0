/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the files of signalbin share: the element's structure and the
 * functions one part calls in another.
 *
 * gstsignalbin.c          the element: its documentation, class and
 *                         instance, pads, GObject signals, state changes
 * gstsignalbinproperties.c
 *                         the properties: documentation, defaults, checks,
 *                         set and get, notifications
 * gstsignalbinsession.c   the client and its session, and what the client
 *                         reports turned into signals and bus messages
 * gstsignalbinactions.c   what applications ask: actions, custom events,
 *                         application messages, queries
 * gstsignalbinsend.c      one signal to send, until its completion
 * gstsignalbinsink.c      the sink pad: in order, paced, retried, synced
 * gstsignalbinsrc.c       the src pad: a live sparse stream */

#ifndef __GST_SIGNAL_BIN_PRIVATE_H__
#define __GST_SIGNAL_BIN_PRIVATE_H__

#include <gst/opentok/opentok.h>

#include "gstsignalbin.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_signal_bin_debug);

/* How long READY->NULL waits for the last completions and connect. */
#define STOP_TIMEOUT (5 * G_TIME_SPAN_SECOND)

/* The element's GObject signals (gstsignalbin.c installs them) */
enum
{
  SIGNAL_SEND_SIGNAL,
  SIGNAL_FORCE_DISCONNECT,
  SIGNAL_SIGNAL_RECEIVED,
  SIGNAL_CONNECTION_CREATED,
  SIGNAL_CONNECTION_DESTROYED,
  SIGNAL_SESSION_CONNECTED,
  SIGNAL_SESSION_DISCONNECTED,
  SIGNAL_SESSION_RECONNECTING,
  SIGNAL_SESSION_RECONNECTED,
  N_SIGNALS
};

G_GNUC_INTERNAL extern guint gst_signal_bin_signals[N_SIGNALS];

/* How long an EOS waits with no signal completing before it gives up on
 * the signals still waiting. */
#define DRAIN_IDLE_TIMEOUT (10 * G_TIME_SPAN_SECOND)

/* Where a signal to send came from, as `origin` of `opentok-signal-sent`. */
typedef enum
{
  SEND_ORIGIN_ACTION,
  SEND_ORIGIN_MESSAGE,
  SEND_ORIGIN_EVENT,
  SEND_ORIGIN_BUFFER,
} SendOrigin;

/* Where the signals of the sink pad go. */
typedef enum
{
  SINK_CLOSED,                  /* fail at once: not in a session */
  SINK_WAITING,                 /* queue until the session is joined */
  SINK_JOINED,                  /* send, one at a time, paced */
} SinkState;

/* One signal to send, from the moment the element takes it until its
 * completion is reported, once. Reference-counted: the sink queue and each
 * submission to the client hold one. */
typedef struct
{
  gint refs;
  GstSignalBin *self;           /* owned */
  GstOpenTokSignal *signal;     /* nullable: malformed request */
  GstStructure *report;         /* the signal as reported */
  GstPromise *promise;          /* nullable, owned */
  SendOrigin origin;
  gboolean from_sink;
  gint completed;               /* atomic: the completion was reported */
  guint attempts;               /* submissions to the client */
} SendOp;

struct _GstSignalBin
{
  GstBin parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* The element owns no thread: its work runs on the application's
   * threads (properties, actions, state changes), its streaming threads
   * (the sink pad's, the src pad's task), the client's network thread
   * (everything the client reports, every completion) and the system
   * clock's (the sink's pacing timer).
   *
   * Lock order: sink_lock, then the object lock, then pending_lock;
   * src_lock, then the object lock. No lock is held while a signal is
   * emitted, a message posted, a promise replied or the client called.
   *
   * GST_OBJECT_LOCK protects the settings, the client, the session fields
   * and the EOS flag. */
  gchar *api_url;
  gchar *api_key;
  gchar *session_id;
  gchar *token;
  gchar *api_secret;
  gchar *connection_data;
  gboolean retry_after_reconnect;
  guint connect_timeout;
  gchar *client_version;        /* NULL for the library's */
  gchar *signal_type;
  gchar *signal_to;
  gdouble max_rate;
  gboolean sync;
  gboolean fatal_refusals;
  GstSignalBinSinkFormat sink_format;
  GstSignalBinSrcFormat src_format;
  GstClockTime src_duration;
  gchar **src_types;            /* NULL for every type */
  gboolean src_include_self;
  gboolean settings_changed;    /* since the client was made */
  GstOpenTokClient *client;
  GCancellable *cancellable;    /* of the connect in progress */
  guint generation;             /* of the session, +1 at every start/stop */
  gboolean session_active;      /* between READY->PAUSED and PAUSED->READY */
  gboolean session_joined;      /* session-connected came for this session */
  gboolean fatal_posted;        /* an error was posted for this session */
  gboolean eos_posted;
  GstClockTime latency;         /* of the pipeline, from the LATENCY event */

  /* sink_lock: the signals of the sink pad, oldest first, and the one the
   * client has; pacing and back-off */
  GMutex sink_lock;
  SinkState sink_state;
  GQueue sink_queue;            /* SendOp, not yet given to the client */
  SendOp *sink_in_flight;       /* given to the client, not completed */
  gint64 sink_next_send;        /* monotonic time the next may go out */
  guint sink_backoff_ms;        /* after a 429, 0 otherwise */
  GstClockID sink_timer;        /* on the system clock: wakes the sender at
                                 * sink_next_send */

  /* pending_lock + pending_cond */
  GMutex pending_lock;
  GCond pending_cond;
  guint pending;                /* signals accepted and not completed */
  guint sink_pending;           /* of which from the sink pad */
  gint64 last_completion;       /* monotonic time of the last completion */
  gboolean flushing;            /* the sink pad is flushing or stopping */
  gboolean playing;             /* in PLAYING: sync waits for it */
  GstClockID sink_clock_id;     /* the clock wait of sync */

  /* sink streaming thread only */
  gboolean text_mode;
  gboolean markup;              /* text/x-raw, format=pango-markup */
  GByteArray *line;             /* unfinished text line */
  guint64 line_offset;          /* of the line in the stream, in bytes */
  guint64 offset;               /* bytes of the stream taken so far */
  gboolean discarding;          /* skipping an overlong line */
  GstSegment sink_segment;

  /* src_lock + src_cond: received signals on their way to the src pad */
  GMutex src_lock;
  GCond src_cond;
  GQueue src_queue;             /* GstBuffer, oldest first */
  gboolean src_running;         /* the src task may push */
  gboolean src_playing;         /* GAP events only in PLAYING */
  GstClockID src_clock_id;      /* the task's wait for the next GAP */
  GstClockTime src_position;    /* running time the stream covers */
  GstClockTime src_last_start;  /* of the last buffer or GAP end pushed */
  gboolean src_started;         /* stream-start, caps, segment pushed */
  gboolean src_eos;             /* the stream ends once the queue is empty */
};

/* gstsignalbin.c */
G_GNUC_INTERNAL
GstOpenTokClient *gst_signal_bin_get_client (GstSignalBin * self);
/* Wipes and frees a token or secret. */
G_GNUC_INTERNAL
void gst_signal_bin_clear_secret (gchar ** secret);

/* gstsignalbinproperties.c */
/* Installs every property, with set_property and get_property. */
G_GNUC_INTERNAL
void gst_signal_bin_install_properties (GObjectClass * gobject_class);
/* Gives every property its default value. */
G_GNUC_INTERNAL
void gst_signal_bin_init_properties (GstSignalBin * self);
G_GNUC_INTERNAL
void gst_signal_bin_notify_state (GstSignalBin * self);
G_GNUC_INTERNAL
void gst_signal_bin_notify_connection_id (GstSignalBin * self);

/* gstsignalbinactions.c */
G_GNUC_INTERNAL
void gst_signal_bin_post_eos (GstSignalBin * self, guint32 seqnum);
G_GNUC_INTERNAL
gboolean gst_signal_bin_send_event (GstElement * element, GstEvent * event);
G_GNUC_INTERNAL
gboolean gst_signal_bin_query (GstElement * element, GstQuery * query);
G_GNUC_INTERNAL
void gst_signal_bin_handle_message (GstBin * bin, GstMessage * message);

/* gstsignalbinsession.c */
G_GNUC_INTERNAL
gboolean session_check_settings (GstSignalBin * self);
G_GNUC_INTERNAL
gboolean session_make_client (GstSignalBin * self);
G_GNUC_INTERNAL
void session_drop_client (GstSignalBin * self);
G_GNUC_INTERNAL
void session_start (GstSignalBin * self);
G_GNUC_INTERNAL
void session_stop (GstSignalBin * self);

/* gstsignalbinsend.c */
G_GNUC_INTERNAL
SendOp *send_op_new (GstSignalBin * self, SendOrigin origin,
    GstPromise * promise);
G_GNUC_INTERNAL
SendOp *send_op_ref (SendOp * op);
G_GNUC_INTERNAL
void send_op_unref (SendOp * op);
G_GNUC_INTERNAL
void send_op_set_signal (SendOp * op, GstOpenTokSignal * signal);
G_GNUC_INTERNAL
void send_op_complete (SendOp * op, const GError * error);
G_GNUC_INTERNAL
void send_op_finish (SendOp * op, const GError * error);
G_GNUC_INTERNAL
void send_op_fail (SendOp * op, gint code, const gchar * message);
G_GNUC_INTERNAL
void send_op_submit (SendOp * op, GstOpenTokClient * client,
    GstOpenTokSignalCallback callback);
G_GNUC_INTERNAL
gboolean send_op_prepare (SendOp * op, const GstStructure * structure,
    GError ** error);
G_GNUC_INTERNAL
void send_structure (GstSignalBin * self, const GstStructure * structure,
    GstPromise * promise, SendOrigin origin);
G_GNUC_INTERNAL
void pending_add (GstSignalBin * self, gboolean from_sink);
G_GNUC_INTERNAL
gboolean wait_drained (GstSignalBin * self, gint64 idle_timeout,
    gboolean interruptible);

/* gstsignalbinsink.c */
G_GNUC_INTERNAL
GstPad *gst_signal_bin_sink_pad_new (GstSignalBin * self,
    GstPadTemplate * templ);
G_GNUC_INTERNAL
void gst_signal_bin_sink_clear (GstSignalBin * self);
G_GNUC_INTERNAL
void gst_signal_bin_sink_stopped (GstSignalBin * self);
G_GNUC_INTERNAL
void sink_open (GstSignalBin * self);
G_GNUC_INTERNAL
void sink_close (GstSignalBin * self, const gchar * why);
G_GNUC_INTERNAL
void sink_set_flushing (GstSignalBin * self, gboolean flushing);
G_GNUC_INTERNAL
void sink_set_playing (GstSignalBin * self, gboolean playing);
G_GNUC_INTERNAL
void sink_reset (GstSignalBin * self);
G_GNUC_INTERNAL
gboolean sink_drain (GstSignalBin * self);

/* gstsignalbinsrc.c */
G_GNUC_INTERNAL
GstPad *gst_signal_bin_src_pad_new (GstSignalBin * self,
    GstPadTemplate * templ);
G_GNUC_INTERNAL
void gst_signal_bin_src_clear (GstSignalBin * self);
G_GNUC_INTERNAL
void src_push_signal (GstSignalBin * self, GstOpenTokSignal * signal);
G_GNUC_INTERNAL
void src_set_playing (GstSignalBin * self, gboolean playing);
G_GNUC_INTERNAL
void src_end (GstSignalBin * self);
G_GNUC_INTERNAL
GstCaps *src_format_caps (GstSignalBinSrcFormat format);

G_END_DECLS

#endif /* __GST_SIGNAL_BIN_PRIVATE_H__ */
