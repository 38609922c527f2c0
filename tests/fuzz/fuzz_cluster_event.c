/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Cluster events: what a node reads back from Redis (the members hash,
 * the session's stream, its channel), with gst_opentok_event_decode()
 * (internal, gst/opentok/gstopentokcluster.c). An accepted event has what
 * applying its kind reads (a member, a role, a creation time in range, a
 * leave's reason, a signal's URI); written again with
 * gst_opentok_event_encode(), it reads back field for field the same, and
 * that writing is a fixed point (written from what it reads, it is written
 * identically). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <gst/opentok/opentok.h>
#include <gst/opentok/gstopentokcluster.h>

#include "fuzz-common.h"

/* MAX_FIELD_SIZE of gstopentokcluster.c */
#define FUZZ_MAX_FIELD_SIZE (64 * 1024)

static void
check_field (const gchar * value)
{
  FUZZ_CHECK (value == NULL || strlen (value) <= FUZZ_MAX_FIELD_SIZE);
}

static void
check_event (const GstOpenTokEvent * event)
{
  FUZZ_CHECK (event->kind == GST_OPENTOK_EVENT_JOIN ||
      event->kind == GST_OPENTOK_EVENT_LEAVE ||
      event->kind == GST_OPENTOK_EVENT_SIGNAL);
  FUZZ_CHECK (event->offset == 0);
  FUZZ_CHECK (event->connection_id != NULL);
  FUZZ_CHECK (event->role >= GST_OPENTOK_ROLE_SUBSCRIBER &&
      event->role <= GST_OPENTOK_ROLE_MODERATOR);
  FUZZ_CHECK (event->creation_time >= 0);
  FUZZ_CHECK (event->kind != GST_OPENTOK_EVENT_LEAVE || event->reason != NULL);
  FUZZ_CHECK (event->kind != GST_OPENTOK_EVENT_SIGNAL || event->uri != NULL);
  check_field (event->connection_id);
  check_field (event->socket_id);
  check_field (event->data);
  check_field (event->reason);
  check_field (event->to);
  check_field (event->type);
  check_field (event->payload);
  check_field (event->uri);
  check_field (event->node);
}

static void
check_equal (const GstOpenTokEvent * a, const GstOpenTokEvent * b)
{
  FUZZ_CHECK (a->kind == b->kind);
  FUZZ_CHECK (a->offset == b->offset);
  FUZZ_CHECK (g_strcmp0 (a->connection_id, b->connection_id) == 0);
  FUZZ_CHECK (g_strcmp0 (a->socket_id, b->socket_id) == 0);
  FUZZ_CHECK (g_strcmp0 (a->data, b->data) == 0);
  FUZZ_CHECK (a->role == b->role);
  FUZZ_CHECK (a->creation_time == b->creation_time);
  FUZZ_CHECK (g_strcmp0 (a->reason, b->reason) == 0);
  FUZZ_CHECK (g_strcmp0 (a->to, b->to) == 0);
  FUZZ_CHECK (g_strcmp0 (a->type, b->type) == 0);
  FUZZ_CHECK (g_strcmp0 (a->payload, b->payload) == 0);
  FUZZ_CHECK (g_strcmp0 (a->uri, b->uri) == 0);
  FUZZ_CHECK (g_strcmp0 (a->node, b->node) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GstOpenTokEvent *event, *again;
  GString *encoded, *reencoded;
  GError *error = NULL;

  fuzz_init ();

  event = gst_opentok_event_decode ((const gchar *) data, size, &error);
  if (event == NULL) {
    FUZZ_CHECK (error != NULL);
    FUZZ_CHECK (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
    g_error_free (error);
    return 0;
  }
  FUZZ_CHECK (error == NULL);
  check_event (event);

  encoded = gst_opentok_event_encode (event);
  /* the form written is the shortest one of the event: no longer than any
   * input that reads as it */
  FUZZ_CHECK (encoded->len <= size);
  again = gst_opentok_event_decode (encoded->str, encoded->len, &error);
  FUZZ_CHECK (again != NULL && error == NULL);
  check_equal (event, again);

  reencoded = gst_opentok_event_encode (again);
  FUZZ_CHECK (reencoded->len == encoded->len &&
      memcmp (reencoded->str, encoded->str, encoded->len) == 0);

  g_string_free (reencoded, TRUE);
  g_string_free (encoded, TRUE);
  gst_opentok_event_free (again);
  gst_opentok_event_free (event);
  return 0;
}
