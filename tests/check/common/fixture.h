/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __FIXTURE_H__
#define __FIXTURE_H__

#include <stdarg.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/opentok/opentok.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The project every in-process server and client of the tests uses. */
#define FIXTURE_API_KEY "123456"
#define FIXTURE_API_SECRET "7c1f3e9a5b2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e"

/* Deadline of a wait for something that should happen soon. Generous: it
 * only matters when a test fails or runs under valgrind. */
#define FIXTURE_WAIT_MS 15000

/* ------------------------------------------------------------------------ */
/* Waits                                                                    */

typedef gboolean (*FixtureCondition) (gpointer data);

gboolean fixture_wait (GMainContext * context, FixtureCondition condition,
    gpointer data, guint timeout_ms);

gboolean fixture_wait_polling (GMainContext * context,
    FixtureCondition condition, gpointer data, guint interval_ms,
    guint timeout_ms);

gboolean fixture_flag_is_set (gpointer flag);

gboolean fixture_wait_flag (GMainContext * context, gboolean * flag,
    guint timeout_ms);

typedef struct _FixtureNotifier FixtureNotifier;

FixtureNotifier *fixture_notifier_new (GMainContext * context);

void fixture_notifier_free (FixtureNotifier * notifier);

void fixture_notifier_notify (FixtureNotifier * notifier);

gboolean fixture_notifier_wait (FixtureNotifier * notifier,
    FixtureCondition condition, gpointer data, guint timeout_ms);

gboolean fixture_run_bounded (GThreadFunc func, gpointer data,
    guint timeout_ms);

GMainContext *fixture_context_push (void);

void fixture_context_pop (GMainContext * context);

/* ------------------------------------------------------------------------ */
/* Collectors                                                               */

typedef struct _FixtureCollector FixtureCollector;

FixtureCollector *fixture_collector_new (GMainContext * context);

void fixture_collector_free (FixtureCollector * c);

void fixture_collector_push (FixtureCollector * c, GstStructure * item);

void fixture_collector_clear (FixtureCollector * c);

guint fixture_collector_len (FixtureCollector * c);

const GstStructure *fixture_collector_get (FixtureCollector * c, guint index);

guint fixture_collector_count (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value);

gint fixture_collector_index (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value);

const GstStructure *fixture_collector_find (FixtureCollector * c,
    const gchar * name, const gchar * field, const gchar * value);

const GstStructure *fixture_collector_nth (FixtureCollector * c,
    const gchar * name, guint n);

gboolean fixture_collector_wait (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value, guint n, guint timeout_ms);

gint fixture_collector_wait_index (FixtureCollector * c, const gchar * name,
    const gchar * field, const gchar * value, guint timeout_ms);

GHashTable *fixture_collector_count_by (FixtureCollector * c,
    const gchar * name, const gchar * field);

void fixture_collector_watch (FixtureCollector * c, gpointer object);

void fixture_collector_unwatch (FixtureCollector * c, gpointer object);

/* What fixture_collector_watch() records, by the signal's name. */
#define FIXTURE_EVENT_STATE "state"
#define FIXTURE_EVENT_CONNECTED "session-connected"
#define FIXTURE_EVENT_DISCONNECTED "session-disconnected"
#define FIXTURE_EVENT_RECONNECTING "session-reconnecting"
#define FIXTURE_EVENT_RECONNECTED "session-reconnected"
#define FIXTURE_EVENT_CREATED "connection-created"
#define FIXTURE_EVENT_DESTROYED "connection-destroyed"
#define FIXTURE_EVENT_SIGNAL "signal-received"

GstOpenTokSignal *fixture_event_signal (const GstStructure * event);

const GError *fixture_event_error (const GstStructure * event);

gint64 fixture_event_int64 (const GstStructure * event, const gchar * field);

GThread *fixture_event_thread (const GstStructure * event);

/* ------------------------------------------------------------------------ */
/* The server                                                               */

typedef struct
{
  GstOpenTokServer *server;
  gchar *url;                   /* http://127.0.0.1:{port} */
  gchar *session_id;            /* a session made at the start */
} FixtureServer;

FixtureServer *fixture_server_new (const gchar * first_property, ...);

FixtureServer *fixture_server_new_valist (const gchar * first_property,
    va_list args);

void fixture_server_free (FixtureServer * srv);

gchar *fixture_server_token (FixtureServer * srv, const gchar * session_id,
    GstOpenTokRole role, const gchar * data);

void fixture_server_send (FixtureServer * srv, const gchar * type,
    const gchar * data);

gint64 fixture_server_metric (FixtureServer * srv, const gchar * name);

void fixture_server_wait_metric (FixtureServer * srv, GMainContext * context,
    const gchar * name, gint64 value);

gchar *fixture_token_new (const gchar * session_id, const gchar * data);

GSocket *fixture_closed_port_new (guint16 * port);

/* ------------------------------------------------------------------------ */
/* Redis, for the cluster's tests                                           */

/* A redis-server of the test's own ($REDIS_SERVER_EXE, else redis-server
 * on PATH) on a free loopback port, keeping nothing on disk. */
typedef struct
{
  GSubprocess *process;
  guint16 port;
  gchar *url;                   /* redis://127.0.0.1:{port} */
} FixtureRedis;

FixtureRedis *fixture_redis_new (void);

/* Stops it (SIGTERM, and waits); fixture_redis_start() starts it again on
 * the same port, empty. */
void fixture_redis_stop (FixtureRedis * redis);

void fixture_redis_start (FixtureRedis * redis);

void fixture_redis_free (FixtureRedis * redis);

/* ------------------------------------------------------------------------ */
/* Peers: GstOpenTokClients in a session                                    */

typedef struct
{
  gchar *name;
  GstOpenTokClient *client;     /* NULL once a test dropped it */
  gchar *id;
  GMainContext *context;        /* waits iterate it */
  FixtureCollector *events;     /* everything the client emitted */
  GPtrArray *sends;             /* FixtureSend: every send, kept */
} FixturePeer;

/* The outcome of gst_opentok_client_connect_async(). */
typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  GThread *thread;
} FixtureConnect;

FixturePeer *fixture_peer_new (GMainContext * context, const gchar * name,
    const gchar * api_url, const gchar * api_key, const gchar * session_id,
    const gchar * token);

FixturePeer *fixture_server_peer (FixtureServer * srv, GMainContext * context,
    const gchar * name, const gchar * api_url, const gchar * data);

void fixture_peer_free (FixturePeer * p);

void fixture_peer_connect_start (FixturePeer * p, FixtureConnect * c);

gboolean fixture_connect_wait (FixturePeer * p, FixtureConnect * c,
    guint timeout_ms);

void fixture_peer_connect (FixturePeer * p);

GError *fixture_peer_connect_error (FixturePeer * p, FixtureConnect * c);

void fixture_peer_disconnect (FixturePeer * p);

guint fixture_peer_count (FixturePeer * p, const gchar * event,
    const gchar * key);

gint fixture_peer_index (FixturePeer * p, const gchar * event,
    const gchar * key);

const GstStructure *fixture_peer_find (FixturePeer * p, const gchar * event,
    const gchar * key);

gboolean fixture_peer_wait (FixturePeer * p, const gchar * event,
    const gchar * key, guint n, guint timeout_ms);

gboolean fixture_peer_wait_state (FixturePeer * p,
    GstOpenTokClientState state, guint timeout_ms);

gchar *fixture_peer_states (FixturePeer * p);

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

typedef struct _FixtureSend FixtureSend;

/* The outcome of one signal sent through a client; the fields are written
 * once, by the completion, under the send's lock. */
struct _FixtureSend
{
  GstOpenTokSignal *signal;
  gboolean done;
  guint calls;
  gboolean same_signal;         /* the completion got the signal sent */
  GQuark domain;
  gint code;                    /* 0 when accepted */
  gchar *message;
  GThread *thread;

  /*< private >*/
  gint refcount;
  GMutex lock;
  FixtureNotifier *notifier;
};

GstOpenTokSignal *fixture_signal_new (const gchar * type, const gchar * data,
    const gchar * to, gboolean retry);

FixtureSend *fixture_peer_send (FixturePeer * p, const gchar * type,
    const gchar * data, const gchar * to, gboolean retry);

void fixture_peer_send_ok (FixturePeer * p, const gchar * type,
    const gchar * data, const gchar * to);

gboolean fixture_send_done (FixtureSend * s);

gint fixture_send_wait (FixtureSend * s, guint timeout_ms);

/* ------------------------------------------------------------------------ */
/* signalbin                                                                */

typedef struct
{
  GstElement *element;
  GstHarness *h;
  GstBus *bus;
  gchar *id;                    /* once joined */
  FixtureCollector *events;     /* everything the element emitted */
} FixtureBin;

GstElement *fixture_signalbin_new (const gchar * api_url,
    const gchar * session_id, const gchar * data);

GstStructure *fixture_signal_structure (const gchar * type,
    const gchar * data, const gchar * to, gboolean retry);

FixtureBin *fixture_bin_start (GstElement * element, const gchar * src_caps,
    gboolean wait_joined);

void fixture_bin_stop (FixtureBin * bin);

GstMessage *fixture_bus_wait (GstBus * bus, GstMessageType types,
    const gchar * name, guint timeout_ms);

GstMessage *fixture_bus_wait_element (GstBus * bus, const gchar * name);

void fixture_bus_assert_no_error (GstBus * bus);

gint fixture_reply_code (const GstStructure * reply);

void fixture_promise_set_flag (GstPromise * promise, gpointer flag);

GstBuffer *fixture_text_buffer (const gchar * text);

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

JsonNode *fixture_json_parse (const gchar * text);

const gchar *fixture_json_get_string (JsonObject * object, const gchar * name);

gint64 fixture_json_get_int (JsonObject * object, const gchar * name);

JsonObject *fixture_json_get_object (JsonObject * object, const gchar * name);

JsonArray *fixture_json_get_array (JsonObject * object, const gchar * name);

JsonObject *fixture_json_first_object (JsonNode * root);

gchar *fixture_json_join_strings (JsonArray * array);

/* ------------------------------------------------------------------------ */
/* Base64 and JWTs                                                          */

#define FIXTURE_JWT_HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

gchar *fixture_base64url_encode (gconstpointer data, gsize length);

gchar *fixture_base64url_decode (const gchar * text);

gchar *fixture_jwt_sign (const gchar * input, const gchar * secret);

gchar *fixture_jwt_new (const gchar * header, const gchar * claims,
    gssize claims_length, const gchar * secret);

gchar *fixture_jwt_part (const gchar * jwt, guint index);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* Checks that @error is the protocol error @code with a message, and frees
 * it. A macro: the domain is internal, known only to tests that include
 * gstopentok-private.h and link the library's static objects. */
#define fixture_check_protocol_error(err_, expected_) G_STMT_START {     \
  GError *_e = (err_);                                                      \
  gint _expected = (expected_);                                             \
  fail_unless (_e != NULL, "expected an error");                            \
  fail_unless (g_error_matches (_e, GST_OPENTOK_PROTOCOL_ERROR, _expected), \
      "expected protocol error %d, got %s %d: %s", _expected,               \
      g_quark_to_string (_e->domain), _e->code, _e->message);               \
  fail_unless (_e->message != NULL && *_e->message != '\0');               \
  g_error_free (_e);                                                        \
} G_STMT_END

G_END_DECLS

#endif /* __FIXTURE_H__ */
