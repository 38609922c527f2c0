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

#include "gstopentokerror.h"
#include "gstopentokclient.h"
#include "gstopentok-private.h"

G_DEFINE_QUARK (gst-opentok-signal-error-quark, gst_opentok_signal_error);
G_DEFINE_QUARK (gst-opentok-protocol-error-quark, gst_opentok_protocol_error);
G_DEFINE_QUARK (gst-opentok-token-error-quark, gst_opentok_token_error);
G_DEFINE_QUARK (gst-opentok-client-error-quark, gst_opentok_client_error);
