/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_H__
#define __GST_OPENTOK_H__

#include <gst/opentok/opentok-prelude.h>
#include <gst/opentok/opentok-enumtypes.h>
#include <gst/opentok/gstopentokerror.h>
#include <gst/opentok/gstopentoksignal.h>
#include <gst/opentok/gstopentoktoken.h>
#include <gst/opentok/gstopentoksessionid.h>
#include <gst/opentok/gstopentokrestjwt.h>
#include <gst/opentok/gstopentokserver.h>
#include <gst/opentok/gstopentokclient.h>

#endif /* __GST_OPENTOK_H__ */
