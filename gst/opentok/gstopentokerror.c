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
#include "gstopentok-private.h"

/**
 * gst_opentok_signal_error_quark:
 *
 * The quark behind #GST_OPENTOK_SIGNAL_ERROR, the macro to use in code.
 *
 * Returns: the #GQuark of the domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gst-opentok-signal-error-quark, gst_opentok_signal_error);

/**
 * gst_opentok_protocol_error_quark:
 *
 * The quark behind #GST_OPENTOK_PROTOCOL_ERROR, the macro to use in code.
 *
 * Returns: the #GQuark of the domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gst-opentok-protocol-error-quark, gst_opentok_protocol_error);

/**
 * gst_opentok_token_error_quark:
 *
 * The quark behind #GST_OPENTOK_TOKEN_ERROR, the macro to use in code.
 *
 * Returns: the #GQuark of the domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gst-opentok-token-error-quark, gst_opentok_token_error);

/**
 * gst_opentok_client_error_quark:
 *
 * The quark behind #GST_OPENTOK_CLIENT_ERROR, the macro to use in code.
 *
 * Returns: the #GQuark of the domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gst-opentok-client-error-quark, gst_opentok_client_error);
