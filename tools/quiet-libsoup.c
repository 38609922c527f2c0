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

#include "quiet-libsoup.h"

/* libsoup 3.2 calls g_debug () for every WebSocket frame it sends or
 * receives, and GLib's default handler then reads G_MESSAGES_DEBUG each time
 * to drop the message: about 6 % of the server's instructions at high
 * message rates (callgrind). Unless libsoup's debug output is wanted, its
 * debug messages go to a handler that drops them at once. (GLib 2.74 still
 * formats each message before any handler sees it.) */
static void
drop_log_message (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
}

void
quiet_libsoup_debug (void)
{
  const gchar *wanted = g_getenv ("G_MESSAGES_DEBUG");

  if (wanted != NULL && (strstr (wanted, "libsoup") != NULL ||
          strstr (wanted, "all") != NULL))
    return;
  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);
}
