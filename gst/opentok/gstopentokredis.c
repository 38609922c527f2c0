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
#include <gio/gio.h>
#include <hiredis/async.h>
#include <hiredis/adapters/glib.h>

#include "gstopentokredis.h"
#include "gstopentokserver-private.h"

#define GST_CAT_DEFAULT (gst_opentok_server_debug_get_category ())

#define DEFAULT_PORT 6379
/* How long an asynchronous connection may take to come up. */
#define CONNECT_TIMEOUT_MS 5000

GstOpenTokRedisAddress *
gst_opentok_redis_address_parse (const gchar * url, GError ** error)
{
  GstOpenTokRedisAddress *address;
  const gchar *path;
  GUri *uri;
  guint64 db = 0;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "redis") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not a Redis URL: redis://HOST[:PORT][/DB]", url);
    goto fail;
  }
  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "'%s': a user, a password or options are not supported, only "
        "redis://HOST[:PORT][/DB]", url);
    goto fail;
  }
  path = g_uri_get_path (uri);
  if (*path == '/')
    path++;
  if (*path != '\0' && !g_ascii_string_to_unsigned (path, 10, 0, G_MAXINT,
          &db, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s': the database must be a number, as in redis://HOST:PORT/0", url);
    goto fail;
  }
  address = g_new0 (GstOpenTokRedisAddress, 1);
  address->host = g_strdup (g_uri_get_host (uri));
  address->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) :
      DEFAULT_PORT;
  address->db = db;
  g_uri_unref (uri);
  return address;

fail:
  g_uri_unref (uri);
  return NULL;
}

void
gst_opentok_redis_address_free (GstOpenTokRedisAddress * address)
{
  g_free (address->host);
  g_free (address);
}

/* ------------------------------------------------------------------------ */
/* The probe at start                                                       */

static redisReply *
probe_command (redisContext * c, const GstOpenTokRedisAddress * address,
    GError ** error, const gchar * format, ...)
{
  redisReply *reply;
  va_list args;

  va_start (args, format);
  reply = redisvCommand (c, format, args);
  va_end (args);
  if (reply == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Redis at %s:%u: %s", address->host, address->port, c->errstr);
    return NULL;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Redis at %s:%u answered '%s': %.*s", address->host, address->port,
        format, (gint) reply->len, reply->str);
    freeReplyObject (reply);
    return NULL;
  }
  return reply;
}

/* The major version in INFO server's "redis_version:7.0.15". */
static guint
probe_major_version (const redisReply * info)
{
  const gchar *field;

  if (info->type != REDIS_REPLY_STRING || info->str == NULL)
    return 0;
  field = strstr (info->str, "redis_version:");
  if (field == NULL)
    return 0;
  return (guint) g_ascii_strtoull (field + strlen ("redis_version:"), NULL, 10);
}

gboolean
gst_opentok_redis_probe (const GstOpenTokRedisAddress * address,
    guint timeout_ms, GError ** error)
{
  struct timeval timeout = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
  redisContext *c;
  redisReply *reply;
  gboolean ok = FALSE;
  guint major;

  c = redisConnectWithTimeout (address->host, address->port, timeout);
  if (c == NULL || c->err) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
        "Cannot reach Redis at %s:%u: %s", address->host, address->port,
        c ? c->errstr : "out of memory");
    goto out;
  }
  redisSetTimeout (c, timeout);
  if (!(reply = probe_command (c, address, error, "SELECT %u", address->db)))
    goto out;
  freeReplyObject (reply);
  if (!(reply = probe_command (c, address, error, "INFO server")))
    goto out;
  major = probe_major_version (reply);
  freeReplyObject (reply);
  if (major < 5) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "The server at %s:%u is not Redis 5.0 or newer (streams and "
        "scripts are needed)", address->host, address->port);
    goto out;
  }
  ok = TRUE;

out:
  if (c != NULL)
    redisFree (c);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Asynchronous connections                                                 */

struct _GstOpenTokRedis
{
  redisAsyncContext *ac;        /* NULL once the connection ended */
  GSource *source;              /* hiredis' GLib adapter */
  GSource *connect_timeout;
  GSource *lost_idle;           /* tells the loss, after hiredis is done */
  gchar *lost_reason;
  GMainContext *context;
  gchar *where;                 /* host:port, for messages */
  GstOpenTokRedisLostFunc lost;
  gpointer user_data;
  guint waiting;
  gboolean freeing;
  struct _Command *subscriber;  /* of every channel */
};

typedef struct _Command
{
  GstOpenTokRedis *redis;
  GstOpenTokRedisReplyFunc func;
  gpointer user_data;
} Command;

static void
redis_forget_connection (GstOpenTokRedis * self)
{
  if (self->connect_timeout != NULL) {
    g_source_destroy (self->connect_timeout);
    g_clear_pointer (&self->connect_timeout, g_source_unref);
  }
  /* hiredis frees the context after the callback that ends it, and the
   * adapter's cleanup touches the source then: it goes later, in
   * redis_destroy_source(). The adapter reads the descriptor's events
   * again after a write that ended the connection: nothing is left for it
   * to read. */
  if (self->source != NULL)
    ((RedisSource *) self->source)->poll_fd.revents = 0;
  self->ac = NULL;
}

static void
redis_destroy_source (GstOpenTokRedis * self)
{
  if (self->source == NULL)
    return;
  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
}

static gboolean
redis_lost_idle (gpointer user_data)
{
  GstOpenTokRedis *self = user_data;
  GError *error;

  g_clear_pointer (&self->lost_idle, g_source_unref);
  redis_destroy_source (self);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
      "The connection to Redis at %s ended: %s", self->where,
      self->lost_reason);
  GST_WARNING ("%s", error->message);
  if (self->lost != NULL)
    self->lost (self, error, self->user_data);
  g_error_free (error);
  return G_SOURCE_REMOVE;
}

/* Told from an idle: hiredis answers the waiting commands and frees its
 * context after the callback that brought the news, and the lost function
 * may free us. */
static void
redis_report_lost (GstOpenTokRedis * self, const gchar * why)
{
  if (self->freeing || self->lost_idle != NULL)
    return;
  g_free (self->lost_reason);
  self->lost_reason = g_strdup (why);
  self->lost_idle = g_idle_source_new ();
  g_source_set_callback (self->lost_idle, redis_lost_idle, self, NULL);
  g_source_attach (self->lost_idle, self->context);
}

static void
redis_on_connect (const redisAsyncContext * ac, int status)
{
  GstOpenTokRedis *self = ac->data;
  gchar *why;

  if (self->connect_timeout != NULL) {
    g_source_destroy (self->connect_timeout);
    g_clear_pointer (&self->connect_timeout, g_source_unref);
  }
  if (status == REDIS_OK) {
    GST_INFO ("connected to Redis at %s", self->where);
    return;
  }
  /* hiredis frees the context after this callback */
  why = g_strdup (ac->errstr);
  redis_forget_connection (self);
  redis_report_lost (self, why);
  g_free (why);
}

static void
redis_on_disconnect (const redisAsyncContext * ac, int status)
{
  GstOpenTokRedis *self = ac->data;
  gchar *why = g_strdup (status == REDIS_OK ? "closed" : ac->errstr);

  redis_forget_connection (self);
  redis_report_lost (self, why);
  g_free (why);
}

static gboolean
redis_connect_timed_out (gpointer user_data)
{
  GstOpenTokRedis *self = user_data;

  g_clear_pointer (&self->connect_timeout, g_source_unref);
  GST_WARNING ("Redis at %s did not answer within %u ms", self->where,
      CONNECT_TIMEOUT_MS);
  /* not connected: hiredis answers the commands waiting and calls no
   * disconnect callback */
  if (self->ac != NULL)
    redisAsyncFree (self->ac);
  redis_forget_connection (self);
  redis_report_lost (self, "no answer");
  return G_SOURCE_REMOVE;
}

static void
redis_on_reply (redisAsyncContext * ac, void *reply, void *privdata)
{
  Command *command = privdata;
  GstOpenTokRedis *self = command->redis;

  self->waiting--;
  if (command->func != NULL)
    command->func (self, reply, command->user_data);
  g_free (command);
}

GstOpenTokRedis *
gst_opentok_redis_new (const GstOpenTokRedisAddress * address,
    GMainContext * context, GstOpenTokRedisLostFunc lost, gpointer user_data)
{
  GstOpenTokRedis *self = g_new0 (GstOpenTokRedis, 1);
  redisAsyncContext *ac;

  self->where = g_strdup_printf ("%s:%u", address->host, address->port);
  self->context = g_main_context_ref (context);
  self->lost = lost;
  self->user_data = user_data;
  ac = redisAsyncConnect (address->host, address->port);
  if (ac == NULL || ac->err) {
    redis_report_lost (self, ac ? ac->errstr : "out of memory");
    if (ac != NULL)
      redisAsyncFree (ac);
    return self;
  }
  self->ac = ac;
  ac->data = self;
  self->source = redis_source_new (ac);
  g_source_attach (self->source, context);
  redisAsyncSetConnectCallback (ac, redis_on_connect);
  redisAsyncSetDisconnectCallback (ac, redis_on_disconnect);
  self->connect_timeout = g_timeout_source_new (CONNECT_TIMEOUT_MS);
  g_source_set_callback (self->connect_timeout, redis_connect_timed_out, self,
      NULL);
  g_source_attach (self->connect_timeout, context);
  if (address->db != 0) {
    gchar db[16];
    const gchar *argv[] = { "SELECT", db };
    gsize argv_len[] = { 6, 0 };

    argv_len[1] = g_snprintf (db, sizeof (db), "%u", address->db);
    gst_opentok_redis_command (self, NULL, NULL, 2, argv, argv_len);
  }
  return self;
}

void
gst_opentok_redis_command (GstOpenTokRedis * self,
    GstOpenTokRedisReplyFunc func, gpointer user_data, gint argc,
    const gchar ** argv, const gsize * argv_len)
{
  Command *command;

  if (self->ac == NULL || (self->ac->c.flags & REDIS_DISCONNECTING)) {
    if (func != NULL)
      func (self, NULL, user_data);
    return;
  }
  command = g_new (Command, 1);
  command->redis = self;
  command->func = func;
  command->user_data = user_data;
  self->waiting++;
  if (redisAsyncCommandArgv (self->ac, redis_on_reply, command, argc, argv,
          argv_len) != REDIS_OK) {
    self->waiting--;
    g_free (command);
    if (func != NULL)
      func (self, NULL, user_data);
  }
}

/* hiredis keeps a subscription's callback for every reply on its channel,
 * with the same private data: one Command per connection serves them all,
 * freed with the connection. */
static void
redis_on_channel_reply (redisAsyncContext * ac, void *reply, void *privdata)
{
  Command *command = privdata;

  command->func (command->redis, reply, command->user_data);
}

void
gst_opentok_redis_subscribe (GstOpenTokRedis * self, const gchar * channel,
    GstOpenTokRedisReplyFunc func, gpointer user_data)
{
  const gchar *argv[] = { "SUBSCRIBE", channel };
  gsize argv_len[] = { 9, strlen (channel) };

  if (self->ac == NULL)
    return;
  if (self->subscriber == NULL) {
    self->subscriber = g_new (Command, 1);
    self->subscriber->redis = self;
  }
  self->subscriber->func = func;
  self->subscriber->user_data = user_data;
  redisAsyncCommandArgv (self->ac, redis_on_channel_reply, self->subscriber,
      2, argv, argv_len);
}

void
gst_opentok_redis_unsubscribe (GstOpenTokRedis * self, const gchar * channel)
{
  const gchar *argv[] = { "UNSUBSCRIBE", channel };
  gsize argv_len[] = { 11, strlen (channel) };

  if (self->ac == NULL || self->subscriber == NULL)
    return;
  redisAsyncCommandArgv (self->ac, redis_on_channel_reply, self->subscriber,
      2, argv, argv_len);
}

guint
gst_opentok_redis_get_n_waiting (GstOpenTokRedis * self)
{
  return self->waiting;
}

void
gst_opentok_redis_free (GstOpenTokRedis * self)
{
  self->freeing = TRUE;
  if (self->ac != NULL)
    redisAsyncFree (self->ac);
  redis_forget_connection (self);
  redis_destroy_source (self);
  if (self->lost_idle != NULL) {
    g_source_destroy (self->lost_idle);
    g_source_unref (self->lost_idle);
  }
  g_main_context_unref (self->context);
  g_free (self->subscriber);
  g_free (self->lost_reason);
  g_free (self->where);
  g_free (self);
}
