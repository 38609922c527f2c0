/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_PRELUDE_H__
#define __GST_OPENTOK_PRELUDE_H__

#include <gst/gst.h>

#ifndef GST_OPENTOK_API
# ifdef BUILDING_GST_OPENTOK
#  define GST_OPENTOK_API GST_API_EXPORT
# else
#  define GST_OPENTOK_API GST_API_IMPORT
# endif
#endif

#endif /* __GST_OPENTOK_PRELUDE_H__ */
