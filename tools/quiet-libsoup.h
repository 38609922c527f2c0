/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Shared by the programs that serve or generate WebSocket traffic at high
 * rates (gst-opentok-server, tests/bench): not part of the library, which
 * leaves an application's log handlers alone. */

#ifndef __QUIET_LIBSOUP_H__
#define __QUIET_LIBSOUP_H__

#include <glib.h>

G_BEGIN_DECLS

void quiet_libsoup_debug (void);

G_END_DECLS

#endif /* __QUIET_LIBSOUP_H__ */
