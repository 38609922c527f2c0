/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* WebSocket I/O threads for the server.
 *
 * A GMainContext polls every descriptor it holds on every iteration, and
 * libsoup re-creates a WebSocket's input source after each read, which
 * GLib 2.74 inserts into and removes from a list sorted by descriptor. On
 * one context, the cost of holding n sockets that each send now and then
 * grows with n * n. The pool spreads the WebSockets over threads, each with
 * a context of its own, and carries their messages to and from the owner's
 * context, where all the protocol state lives.
 *
 * Each direction is a queue that the other side's dispatch takes whole: a
 * burst costs one wakeup, and what one dispatch sends to a socket leaves in
 * one corked write. The owner never waits for an I/O thread. An I/O thread
 * waits when the messages it read and the owner has not taken pass a bound,
 * so that TCP holds back the senders instead of our memory. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstopentokwspool.h"
#include "gstopentokcork.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (gst_opentok_ws_pool_debug);
#define GST_CAT_DEFAULT gst_opentok_ws_pool_debug

/* messages read and not yet taken by the owner: past either, reading waits */
#define EVENTS_MAX_MESSAGES 4096
#define EVENTS_MAX_BYTES (8 * 1024 * 1024)

typedef struct _IoThread IoThread;

/* Items one thread hands another, which takes them all at once when the
 * wake source in its context runs. */
typedef struct
{
  GMutex lock;
  GArray *items;                /* under lock */
  GArray *spare;                /* the taker's: empty, swapped in */
  GSource *wake;
} Mailbox;

typedef enum
{
  COMMAND_ADOPT,
  COMMAND_SEND,
  COMMAND_CLOSE,
} CommandType;

/* What a WebSocket is made from, handed to its I/O thread. */
typedef struct
{
  GIOStream *stream;
  GUri *uri;
  gchar *origin;
  gchar *protocol;
  GList *extensions;
  guint64 max_incoming_payload_size;
} Adoption;

/* From the owner to an I/O thread. */
typedef struct
{
  CommandType type;
  GstOpenTokWs *ws;             /* a reference */
  GBytes *message;              /* SEND */
  gushort code;                 /* CLOSE */
  gpointer data;                /* ADOPT: Adoption; CLOSE: the reason */
} Command;

typedef enum
{
  EVENT_MESSAGE,
  EVENT_CLOSED,
} EventType;

/* From an I/O thread to the owner. */
typedef struct
{
  EventType type;
  GstOpenTokWs *ws;             /* a reference */
  SoupWebsocketDataType data_type;
  GBytes *message;
  gushort close_code;
} Event;

struct _GstOpenTokWs
{
  gint refcount;                /* atomic */
  IoThread *thread;

  /* the owner's */
  gpointer data;
  gboolean released;

  gint64 last_message_time;     /* under thread->commands.lock */
  gint events_waiting;          /* atomic: not yet handled by the owner */

  /* its I/O thread's */
  SoupWebsocketConnection *conn;
  GSocket *tcp;
  guint64 last_write;           /* for the cork */
  GList *link;                  /* in thread->open */
};

struct _IoThread
{
  GstOpenTokWsPool *pool;
  GThread *thread;
  GMainContext *context;
  gint stopping;                /* atomic */

  Mailbox commands;             /* Command, from the owner */
  guint64 answered;             /* under commands.lock */

  /* the thread's own */
  GQueue open;                  /* GstOpenTokWs with a connection */
  GstOpenTokCork *cork;
};

struct _GstOpenTokWsPool
{
  GstOpenTokWsPoolCallbacks callbacks;
  IoThread *threads;
  guint n_threads;
  guint next_thread;            /* the owner's */

  Mailbox events;               /* Event, from the I/O threads */
  GCond taken;                  /* the owner took the events */
  gsize events_bytes;           /* under events.lock */
  gboolean stopping;            /* under events.lock */
};

/* ------------------------------------------------------------------------ */
/* Wakeups                                                                  */

static gboolean
wake_source_dispatch (GSource * source, GSourceFunc callback,
    gpointer user_data)
{
  /* before the queue is taken: what arrives after sets it again */
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wake_source_funcs = {
  NULL, NULL, wake_source_dispatch, NULL, NULL, NULL
};

static void
mailbox_init (Mailbox * box, gsize item_size, GMainContext * context,
    const gchar * name, GSourceFunc take, gpointer data)
{
  g_mutex_init (&box->lock);
  box->items = g_array_new (FALSE, FALSE, item_size);
  box->spare = g_array_new (FALSE, FALSE, item_size);
  box->wake = g_source_new (&wake_source_funcs, sizeof (GSource));
  g_source_set_name (box->wake, name);
  g_source_set_callback (box->wake, take, data, NULL);
  g_source_attach (box->wake, context);
}

/* With @box's lock held, from any thread: queues a copy of @item. The
 * taker is woken when the box stops being empty. */
static void
mailbox_post_locked (Mailbox * box, gconstpointer item)
{
  if (box->items->len == 0)
    g_source_set_ready_time (box->wake, 0);
  g_array_append_vals (box->items, item, 1);
}

/* With @box's lock held, by the taker: everything queued. Hand the array
 * back with mailbox_give_back() once done with it. */
static GArray *
mailbox_take_locked (Mailbox * box)
{
  GArray *items = box->items;

  box->items = box->spare;
  box->spare = NULL;
  return items;
}

static void
mailbox_give_back (Mailbox * box, GArray * items)
{
  g_array_set_size (items, 0);
  box->spare = items;
}

/* Once nobody posts any more: clears what is left with @clear_item. */
static void
mailbox_clear (Mailbox * box, void (*clear_item) (gpointer item))
{
  guint i;

  g_source_destroy (box->wake);
  g_source_unref (box->wake);
  for (i = 0; i < box->items->len; i++)
    clear_item (box->items->data + i * g_array_get_element_size (box->items));
  g_array_unref (box->items);
  g_array_unref (box->spare);
  g_mutex_clear (&box->lock);
}

/* ------------------------------------------------------------------------ */
/* Handles                                                                  */

static GstOpenTokWs *
ws_ref (GstOpenTokWs * ws)
{
  g_atomic_int_inc (&ws->refcount);
  return ws;
}

static void
ws_unref (GstOpenTokWs * ws)
{
  if (!g_atomic_int_dec_and_test (&ws->refcount))
    return;
  g_assert (ws->conn == NULL);
  g_clear_object (&ws->tcp);
  g_free (ws);
}

static void
adoption_free (Adoption * adoption)
{
  g_clear_object (&adoption->stream);
  g_uri_unref (adoption->uri);
  g_free (adoption->origin);
  g_free (adoption->protocol);
  g_list_free_full (adoption->extensions, g_object_unref);
  g_free (adoption);
}

static void
command_clear (gpointer item)
{
  Command *command = item;

  if (command->type == COMMAND_ADOPT)
    adoption_free (command->data);
  else
    g_free (command->data);
  if (command->message)
    g_bytes_unref (command->message);
  ws_unref (command->ws);
}

static void
event_clear (gpointer item)
{
  Event *event = item;

  if (event->message)
    g_bytes_unref (event->message);
  ws_unref (event->ws);
}

/* ------------------------------------------------------------------------ */
/* I/O threads                                                              */

/* Any thread but @thread's: the owner. */
static void
io_thread_push (IoThread * thread, const Command * command)
{
  g_mutex_lock (&thread->commands.lock);
  mailbox_post_locked (&thread->commands, command);
  g_mutex_unlock (&thread->commands.lock);
}

/* @thread's own: hands what it read to the owner, waiting while the owner
 * has too much of it already. */
static void
pool_push_event (GstOpenTokWsPool * pool, const Event * event)
{
  gsize size = event->message ? g_bytes_get_size (event->message) : 0;
  Mailbox *box = &pool->events;

  g_mutex_lock (&box->lock);
  while (box->items->len > 0 && !pool->stopping &&
      (box->items->len >= EVENTS_MAX_MESSAGES ||
          pool->events_bytes + size > EVENTS_MAX_BYTES))
    g_cond_wait (&pool->taken, &box->lock);
  g_atomic_int_inc (&event->ws->events_waiting);
  mailbox_post_locked (box, event);
  pool->events_bytes += size;
  g_mutex_unlock (&box->lock);
}

static void
ws_on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    GstOpenTokWs * ws)
{
  IoThread *thread = ws->thread;
  GstOpenTokWsPool *pool = thread->pool;
  GBytes *reply = NULL;
  gboolean may_answer;
  Event event = { EVENT_MESSAGE, NULL, type, NULL, 0 };

  g_mutex_lock (&thread->commands.lock);
  ws->last_message_time = g_get_monotonic_time ();
  /* only where the owner's answer would be in the same place: it is done
   * with what this socket sent before, and what it had to send is out (a
   * socket closing still reads, and may not be written to). What the owner
   * queues from here on runs on this thread after this handler, so the
   * answer is decided under the lock and made without it. */
  may_answer = g_atomic_int_get (&ws->events_waiting) == 0 &&
      thread->commands.items->len == 0 &&
      soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN;
  g_mutex_unlock (&thread->commands.lock);
  if (may_answer)
    reply = pool->callbacks.answer (type, message);
  if (reply != NULL) {
    g_mutex_lock (&thread->commands.lock);
    thread->answered++;
    g_mutex_unlock (&thread->commands.lock);
  }
  if (reply != NULL) {
    if (ws->tcp != NULL)
      gst_opentok_cork_before_write (thread->cork, ws->tcp, &ws->last_write);
    soup_websocket_connection_send_message (conn, SOUP_WEBSOCKET_DATA_BINARY,
        reply);
    g_bytes_unref (reply);
    return;
  }
  event.ws = ws_ref (ws);
  event.message = g_bytes_ref (message);
  pool_push_event (pool, &event);
}

static void
ws_on_error (SoupWebsocketConnection * conn, GError * error, GstOpenTokWs * ws)
{
  GST_DEBUG ("WebSocket %p: %s", ws, error->message);
}

/* Lets go of the connection and forgets it. */
static void
ws_drop_connection (GstOpenTokWs * ws)
{
  g_signal_handlers_disconnect_by_data (ws->conn, ws);
  g_queue_delete_link (&ws->thread->open, ws->link);
  ws->link = NULL;
  g_clear_object (&ws->conn);
  ws_unref (ws);
}

static gboolean
connection_unref_idle (gpointer conn)
{
  g_object_unref (conn);
  return G_SOURCE_REMOVE;
}

static void
ws_on_closed (SoupWebsocketConnection * conn, GstOpenTokWs * ws)
{
  Event event = { EVENT_CLOSED, ws_ref (ws), 0, NULL,
    soup_websocket_connection_get_close_code (conn)
  };
  GSource *idle;

  pool_push_event (ws->thread->pool, &event);
  /* libsoup is still inside its own emission: unref it from the loop */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, connection_unref_idle, g_object_ref (conn),
      NULL);
  g_source_attach (idle, ws->thread->context);
  g_source_unref (idle);
  ws_drop_connection (ws);
}

static void
io_thread_adopt (IoThread * thread, GstOpenTokWs * ws, Adoption * adoption)
{
  /* libsoup takes the thread's default context, ours here */
  ws->conn = soup_websocket_connection_new (adoption->stream, adoption->uri,
      SOUP_WEBSOCKET_CONNECTION_SERVER, adoption->origin, adoption->protocol,
      g_steal_pointer (&adoption->extensions));
  g_object_set (ws->conn, "max-incoming-payload-size",
      adoption->max_incoming_payload_size, NULL);
  g_signal_connect (ws->conn, "message", G_CALLBACK (ws_on_message), ws);
  g_signal_connect (ws->conn, "closed", G_CALLBACK (ws_on_closed), ws);
  g_signal_connect (ws->conn, "error", G_CALLBACK (ws_on_error), ws);
  g_queue_push_tail (&thread->open, ws_ref (ws));
  ws->link = thread->open.tail;
}

static void
io_thread_run (IoThread * thread, Command * command)
{
  GstOpenTokWs *ws = command->ws;

  if (command->type == COMMAND_ADOPT) {
    io_thread_adopt (thread, ws, command->data);
    return;
  }
  if (ws->conn == NULL || soup_websocket_connection_get_state (ws->conn) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (command->type == COMMAND_SEND) {
    if (ws->tcp != NULL)
      gst_opentok_cork_before_write (thread->cork, ws->tcp, &ws->last_write);
    soup_websocket_connection_send_message (ws->conn,
        SOUP_WEBSOCKET_DATA_BINARY, command->message);
  } else {
    soup_websocket_connection_close (ws->conn, command->code, command->data);
  }
}

static gboolean
io_thread_run_commands (gpointer user_data)
{
  IoThread *thread = user_data;
  GArray *batch;
  guint i;

  g_mutex_lock (&thread->commands.lock);
  batch = mailbox_take_locked (&thread->commands);
  g_mutex_unlock (&thread->commands.lock);

  for (i = 0; i < batch->len; i++) {
    Command *command = &g_array_index (batch, Command, i);

    io_thread_run (thread, command);
    command_clear (command);
  }
  mailbox_give_back (&thread->commands, batch);
  return G_SOURCE_CONTINUE;
}

static gpointer
io_thread_main (gpointer user_data)
{
  IoThread *thread = user_data;

  g_main_context_push_thread_default (thread->context);
  thread->cork = gst_opentok_cork_new (thread->context);
  while (!g_atomic_int_get (&thread->stopping))
    g_main_context_iteration (thread->context, TRUE);

  /* the owner has let go of every socket: end the connections (commands
   * not run yet go with the pool) */
  while (thread->open.length > 0)
    ws_drop_connection (thread->open.head->data);
  /* the closes libsoup started, and the drops still queued */
  while (g_main_context_iteration (thread->context, FALSE));
  gst_opentok_cork_free (thread->cork);
  thread->cork = NULL;
  g_main_context_pop_thread_default (thread->context);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* The owner's side                                                         */

static gboolean
pool_run_events (gpointer user_data)
{
  GstOpenTokWsPool *pool = user_data;
  GArray *batch;
  guint i;

  g_mutex_lock (&pool->events.lock);
  batch = mailbox_take_locked (&pool->events);
  pool->events_bytes = 0;
  g_cond_broadcast (&pool->taken);
  g_mutex_unlock (&pool->events.lock);

  for (i = 0; i < batch->len; i++) {
    Event *event = &g_array_index (batch, Event, i);

    /* a callback may release a socket whose events come later */
    if (!event->ws->released) {
      if (event->type == EVENT_MESSAGE)
        pool->callbacks.message (event->ws, event->data_type, event->message,
            event->ws->data);
      else
        pool->callbacks.closed (event->ws, event->close_code, event->ws->data);
    }
    g_atomic_int_add (&event->ws->events_waiting, -1);
    event_clear (event);
  }
  mailbox_give_back (&pool->events, batch);
  return G_SOURCE_CONTINUE;
}

/* Starts @n_threads I/O threads whose sockets report to @owner's context
 * through @callbacks. Call every other function of the pool from @owner's
 * context. */
GstOpenTokWsPool *
gst_opentok_ws_pool_new (guint n_threads, GMainContext * owner,
    const GstOpenTokWsPoolCallbacks * callbacks)
{
  static gsize debug_initialized;
  GstOpenTokWsPool *pool;
  guint i;

  g_return_val_if_fail (n_threads > 0, NULL);
  if (g_once_init_enter (&debug_initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_opentok_ws_pool_debug, "opentokwspool", 0,
        "OpenTok server WebSocket I/O threads");
    g_once_init_leave (&debug_initialized, 1);
  }

  pool = g_new0 (GstOpenTokWsPool, 1);
  pool->callbacks = *callbacks;
  mailbox_init (&pool->events, sizeof (Event), owner,
      "GstOpenTokWsPool events", pool_run_events, pool);
  g_cond_init (&pool->taken);

  pool->n_threads = n_threads;
  pool->threads = g_new0 (IoThread, n_threads);
  for (i = 0; i < n_threads; i++) {
    IoThread *thread = &pool->threads[i];
    gchar *name = g_strdup_printf ("opentok-ws-%u", i);

    thread->pool = pool;
    thread->context = g_main_context_new ();
    mailbox_init (&thread->commands, sizeof (Command), thread->context,
        "GstOpenTokWsPool commands", io_thread_run_commands, thread);
    thread->thread = g_thread_new (name, io_thread_main, thread);
    g_free (name);
  }
  GST_DEBUG ("started %u I/O threads", n_threads);
  return pool;
}

/* Stops the threads and closes the sockets still open, without a close
 * frame. Release every socket first: no callback runs after this. */
void
gst_opentok_ws_pool_free (GstOpenTokWsPool * pool)
{
  guint i;

  if (pool == NULL)
    return;
  g_mutex_lock (&pool->events.lock);
  pool->stopping = TRUE;
  g_cond_broadcast (&pool->taken);
  g_mutex_unlock (&pool->events.lock);

  for (i = 0; i < pool->n_threads; i++) {
    IoThread *thread = &pool->threads[i];

    g_atomic_int_set (&thread->stopping, TRUE);
    g_main_context_wakeup (thread->context);
    g_thread_join (thread->thread);
  }
  for (i = 0; i < pool->n_threads; i++) {
    IoThread *thread = &pool->threads[i];

    mailbox_clear (&thread->commands, command_clear);
    g_main_context_unref (thread->context);
  }
  g_free (pool->threads);
  mailbox_clear (&pool->events, event_clear);
  g_cond_clear (&pool->taken);
  g_free (pool);
}

/* Makes a server WebSocket of @stream, the connection of an HTTP upgrade
 * whose answer is out (see SoupServerMessage::wrote-informational), on the
 * next I/O thread. @tcp, the socket under it, is corked while a dispatch
 * writes to it more than once. Takes @extensions. @ws_data is given to the
 * callbacks. */
GstOpenTokWs *
gst_opentok_ws_pool_adopt (GstOpenTokWsPool * pool, GIOStream * stream,
    GSocket * tcp, GUri * uri, const gchar * origin, const gchar * protocol,
    GList * extensions, guint64 max_incoming_payload_size, gpointer ws_data)
{
  GstOpenTokWs *ws = g_new0 (GstOpenTokWs, 1);
  Adoption *adoption = g_new0 (Adoption, 1);
  Command command = { COMMAND_ADOPT, NULL, NULL, 0, adoption };

  ws->refcount = 1;             /* the owner's */
  ws->last_message_time = g_get_monotonic_time ();
  ws->thread = &pool->threads[pool->next_thread++ % pool->n_threads];
  ws->data = ws_data;
  ws->tcp = tcp ? g_object_ref (tcp) : NULL;

  adoption->stream = g_object_ref (stream);
  adoption->uri = g_uri_ref (uri);
  adoption->origin = g_strdup (origin);
  adoption->protocol = g_strdup (protocol);
  adoption->extensions = extensions;
  adoption->max_incoming_payload_size = max_incoming_payload_size;
  command.ws = ws_ref (ws);
  io_thread_push (ws->thread, &command);
  return ws;
}

/* Sends @message as a binary message, if @ws is still open when its I/O
 * thread gets to it. */
void
gst_opentok_ws_send (GstOpenTokWs * ws, GBytes * message)
{
  Command command = { COMMAND_SEND, ws_ref (ws), g_bytes_ref (message), 0,
    NULL
  };

  io_thread_push (ws->thread, &command);
}

/* Starts the closing handshake, if @ws is still open then. */
void
gst_opentok_ws_close (GstOpenTokWs * ws, gushort code, const gchar * reason)
{
  Command command = { COMMAND_CLOSE, ws_ref (ws), NULL, code,
    g_strdup (reason)
  };

  io_thread_push (ws->thread, &command);
}

/* The owner lets go of @ws: no callback runs for it any more. The socket
 * stays open until it closes or the pool is freed. */
void
gst_opentok_ws_release (GstOpenTokWs * ws)
{
  ws->released = TRUE;
  ws->data = NULL;
  ws_unref (ws);
}

/* When @ws last read a message (g_get_monotonic_time()), or was adopted. */
gint64
gst_opentok_ws_get_last_message_time (GstOpenTokWs * ws)
{
  gint64 time;

  g_mutex_lock (&ws->thread->commands.lock);
  time = ws->last_message_time;
  g_mutex_unlock (&ws->thread->commands.lock);
  return time;
}

/* How many messages the I/O threads answered themselves. */
guint64
gst_opentok_ws_pool_get_answered (GstOpenTokWsPool * pool)
{
  guint64 answered = 0;
  guint i;

  for (i = 0; i < pool->n_threads; i++) {
    g_mutex_lock (&pool->threads[i].commands.lock);
    answered += pool->threads[i].answered;
    g_mutex_unlock (&pool->threads[i].commands.lock);
  }
  return answered;
}
