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

#include "gstopentok-private.h"

GstDebugCategory *
gst_opentok_debug_get_category (void)
{
  static GstDebugCategory *category = NULL;

  if (g_once_init_enter (&category)) {
    GstDebugCategory *cat = NULL;

    GST_DEBUG_CATEGORY_INIT (cat, "opentok", 0, "OpenTok signaling library");
    g_once_init_leave (&category, cat);
  }
  return category;
}

/* OpenTok ids (connection, socket, transaction) are UUID v4 strings. */
gchar *
gst_opentok_uuid_new (void)
{
  return g_uuid_string_random ();
}
