/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internal, not installed: what the files of GstOpenTokClient share.
 *
 *   gstopentokclient.c             the GObject: properties, signals, the
 *                                  constructor and the getters
 *   gstopentokclientactions.c      the public actions: connect, disconnect,
 *                                  send_signal, force_disconnect (their
 *                                  _full, _async and _finish forms)
 *   gstopentokclienttransport.c    the connect and the socket: opening it,
 *                                  joining, frame I/O, liveness,
 *                                  reconnection, leaving, the end
 *   gstopentokclientsessioninfo.c  the session-info request and its retries
 *   gstopentokclientrequests.c     what waits for the server's STATUS (the
 *                                  connection create, signals, force
 *                                  disconnects): sent, re-sent after a
 *                                  reconnection, completed once
 *   gstopentokclientsession.c      what the server tells: acks and
 *                                  duplicates, the connections, the
 *                                  received signals, the join
 *
 * Threads and locks. The fields marked "network thread only" are touched by
 * the client's GstOpenTokLoop thread alone, and need no lock; so are the
 * functions below that say so. The object lock guards the settings, the
 * state and the connections; @lock guards @left, which
 * gst_opentok_client_disconnect() waits for. Lock order: there is none to
 * keep, because no two of these locks are ever held together; and none of
 * them is held while calling the loop, the SoupSession or the socket, a
 * user callback or a signal's handlers. */

#ifndef __GST_OPENTOK_CLIENT_PRIVATE_H__
#define __GST_OPENTOK_CLIENT_PRIVATE_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "gstopentokclient.h"
#include "gstopentokloop.h"
#include "gstopentokrumor.h"
#include "gstopentokframes.h"

G_BEGIN_DECLS

/* The component's one debug category, "opentokclient", for all its files. */
G_GNUC_INTERNAL
GST_DEBUG_CATEGORY_EXTERN (gst_opentok_client_debug);
#define GST_CAT_DEFAULT gst_opentok_client_debug

enum
{
  SIGNAL_RECEIVED,
  SIGNAL_CONNECTION_CREATED,
  SIGNAL_CONNECTION_DESTROYED,
  SIGNAL_SESSION_CONNECTED,
  SIGNAL_SESSION_DISCONNECTED,
  SIGNAL_SESSION_RECONNECTING,
  SIGNAL_SESSION_RECONNECTED,
  LAST_SIGNAL
};

G_GNUC_INTERNAL
extern guint gst_opentok_client_signals[LAST_SIGNAL];

struct _GstOpenTokClient
{
  GstObject parent;

  /* settings, under the object lock */
  gchar *api_url;
  gchar *api_key;
  gchar *session_id;
  gchar *token;
  gchar *connection_id;         /* chosen at construction, never changes */
  guint reconnect_window;
  guint liveness_timeout;
  guint connect_timeout;
  gchar *client_version;
  GTlsDatabase *tls_database;

  /* under the object lock too: read from any thread */
  GstOpenTokClientState state;
  GHashTable *connections;      /* id -> GstOpenTokConnection */

  /* the network thread; it is the only one that runs the code below */
  GstOpenTokLoop *loop;

  /* a disconnect waits for the leaving socket to close: under lock */
  GMutex lock;
  GCond cond;
  gboolean left;

  /* network thread only: the transport */
  GMainContext *context;        /* the loop's, kept until the next start */
  SoupSession *soup;
  GCancellable *cancellable;    /* for the current connect or reconnect */
  SoupWebsocketConnection *ws;
  gchar *messaging_url;
  gchar *symphony;
  gchar *topic;
  gchar *socket_id;             /* NULL when the server has no reconnection */
  guint session_info_attempt;
  GTask *connect_task;
  gboolean first_frame_pending; /* reconnected, nothing received yet */
  gint64 last_sent;
  gint64 last_received;
  gint64 reconnect_deadline;
  GSource *tick;
  GSource *retry;               /* the next session-info or socket attempt */
  GSource *connect_deadline;    /* fails a connect that takes too long */
  GCancellable *connect_cancellable;    /* the connect's, watched */
  gulong connect_cancel_id;     /* its "cancelled" handler */
  guint connect_serial;         /* which connect a cancel is for */

  /* network thread only: the requests */
  GQueue requests;              /* of gstopentokclientrequests.c, in
                                 * sending order */
  GHashTable *requests_index;   /* transaction id -> GList link */

  /* network thread only: the session */
  gboolean joined;              /* the create's STATUS 200 arrived */
  gboolean announced;           /* our own connection#created arrived */
  GHashTable *seen;             /* transaction id -> expiry (monotonic) */
};

/* gstopentokclient.c */

/* Network thread; notifies, without the object lock. */
G_GNUC_INTERNAL
void gst_opentok_client_set_state (GstOpenTokClient * self,
    GstOpenTokClientState state);

/* gstopentokclienttransport.c; network thread only, except where said */

/* The loop's start and stop functions: the thread's first and last work. */
G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_start (gpointer client,
    GError ** error);

G_GNUC_INTERNAL
void gst_opentok_client_transport_stop (gpointer client);

/* Begins the connect of @task (a GTask of gst_opentok_client_connect_async,
 * not taken), as the loop's work. */
G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_connect (gpointer task);

/* The connect joined: neither its deadline nor its cancellable counts any
 * more. */
G_GNUC_INTERNAL
void gst_opentok_client_transport_connect_done (GstOpenTokClient * self);

/* Ends a connect whose cancellable was cancelled before it joined. */
G_GNUC_INTERNAL
void gst_opentok_client_transport_cancel_connect (GstOpenTokClient * self);

G_GNUC_INTERNAL
void gst_opentok_client_transport_open (GstOpenTokClient * self);

G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_is_open (GstOpenTokClient * self);

/* Sends @frame (nullable) if the socket is open. */
G_GNUC_INTERNAL
void gst_opentok_client_transport_send (GstOpenTokClient * self,
    GBytes * frame);

/* Takes @frame; NULL, logged, when it cannot be serialized. */
G_GNUC_INTERNAL
void gst_opentok_client_transport_send_simple (GstOpenTokClient * self,
    GstOpenTokRumorType type, const gchar * header, const gchar * value);

/* Says DISCONNECT and closes the socket, for a disconnect; the loop's work,
 * with a GstOpenTokClientLeave. */
typedef struct
{
  GstOpenTokClient *client;
  gboolean closing;             /* set: the close is under way */
} GstOpenTokClientLeave;

G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_leave (gpointer leave);

/* Ends the session once left; the loop's work, with the client. */
G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_leave_done (gpointer client);

/* Tells the disconnect waiting on @lock once the socket closed; a timeout
 * source's callback, with the client. */
G_GNUC_INTERNAL
gboolean gst_opentok_client_transport_poll_closed (gpointer client);

/* The session is over for this client: everyone waiting is told. Takes
 * @error (nullable). */
G_GNUC_INTERNAL
void gst_opentok_client_end (GstOpenTokClient * self, const gchar * reason,
    GError * error);

G_GNUC_INTERNAL
void gst_opentok_client_fail (GstOpenTokClient * self,
    GstOpenTokClientError code, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);

/* gstopentokclientsessioninfo.c; network thread only */

G_GNUC_INTERNAL
void gst_opentok_client_session_info_request (GstOpenTokClient * self);

/* gstopentokclientrequests.c; network thread only, except where said */

/* Queues the connection create first and sends it. */
G_GNUC_INTERNAL
void gst_opentok_client_requests_create (GstOpenTokClient * self);

/* Sends the requests not sent yet, all of them when @resend. */
G_GNUC_INTERNAL
void gst_opentok_client_requests_flush (GstOpenTokClient * self,
    gboolean resend);

/* Fails with 500 "Not connected" the requests that cannot wait for a
 * reconnection, all of them when @all. */
G_GNUC_INTERNAL
void gst_opentok_client_requests_fail (GstOpenTokClient * self,
    gboolean all);

G_GNUC_INTERNAL
void gst_opentok_client_requests_handle_status (GstOpenTokClient * self,
    GstOpenTokRumorFrame * frame);

/* Any thread: gst_opentok_client_send_signal_full() and
 * gst_opentok_client_force_disconnect_full(). */
G_GNUC_INTERNAL
void gst_opentok_client_requests_send_signal (GstOpenTokClient * self,
    GstOpenTokSignal * signal, GstOpenTokSignalCallback callback,
    gpointer user_data, GDestroyNotify notify);

G_GNUC_INTERNAL
void gst_opentok_client_requests_force_disconnect (GstOpenTokClient * self,
    const gchar * connection_id, GstOpenTokClientCallback callback,
    gpointer user_data, GDestroyNotify notify);

/* gstopentokclientsession.c; network thread only */

G_GNUC_INTERNAL
void gst_opentok_client_session_handle_message (GstOpenTokClient * self,
    GstOpenTokRumorFrame * frame);

/* The server answered the connection create. */
G_GNUC_INTERNAL
void gst_opentok_client_session_handle_create_reply (GstOpenTokClient * self,
    guint status, GBytes * payload, const gchar * reason);

/* Forgets the server messages seen longer ago than the memory lasts. */
G_GNUC_INTERNAL
void gst_opentok_client_session_forget_seen (GstOpenTokClient * self,
    gint64 now);

G_END_DECLS

#endif /* __GST_OPENTOK_CLIENT_PRIVATE_H__ */
