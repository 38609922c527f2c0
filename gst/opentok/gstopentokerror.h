/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_OPENTOK_ERROR_H__
#define __GST_OPENTOK_ERROR_H__

#include <gst/opentok/opentok-prelude.h>

G_BEGIN_DECLS

/**
 * GST_OPENTOK_SIGNAL_ERROR:
 *
 * Error domain for signals that could not be sent or were refused. The codes
 * are the numbers OpenTok's JavaScript client and REST API report.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_SIGNAL_ERROR (gst_opentok_signal_error_quark ())
GST_OPENTOK_API
GQuark gst_opentok_signal_error_quark (void);

/**
 * GstOpenTokSignalError:
 * @GST_OPENTOK_SIGNAL_ERROR_INVALID: bad type, data or target, or a
 *     malformed `opentok-signal` structure (400)
 * @GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED: the sender may not signal (403)
 * @GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND: the session or the target connection
 *     is not there (404)
 * @GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE: type over 128 bytes or data over
 *     8192 bytes (413)
 * @GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED: the sender exceeded its signal rate
 *     (429)
 * @GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED: the session is not connected, or
 *     the connection was lost before the server answered (500)
 *
 * Why a signal was refused, with OpenTok's codes.
 * gst_opentok_signal_error_get_name() gives the name opentok.js reports
 * with each code (`OT_INVALID_PARAMETER` for 400 and 413, ...).
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gst_opentok_signal_error >*/
{
  GST_OPENTOK_SIGNAL_ERROR_INVALID = 400,
  GST_OPENTOK_SIGNAL_ERROR_NOT_AUTHORIZED = 403,
  GST_OPENTOK_SIGNAL_ERROR_NOT_FOUND = 404,
  GST_OPENTOK_SIGNAL_ERROR_TOO_LARGE = 413,
  GST_OPENTOK_SIGNAL_ERROR_RATE_LIMITED = 429,
  GST_OPENTOK_SIGNAL_ERROR_NOT_CONNECTED = 500,
} GstOpenTokSignalError;

/**
 * GST_OPENTOK_TOKEN_ERROR:
 *
 * Error domain for client tokens, REST credentials and session ids that are
 * refused.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_TOKEN_ERROR (gst_opentok_token_error_quark ())
GST_OPENTOK_API
GQuark gst_opentok_token_error_quark (void);

/**
 * GstOpenTokTokenError:
 * @GST_OPENTOK_TOKEN_ERROR_MALFORMED: not a token (or session id) of a known
 *     format
 * @GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE: the signature does not match the
 *     API secret (tampered, or signed with another secret)
 * @GST_OPENTOK_TOKEN_ERROR_EXPIRED: the token's expiry time has passed
 * @GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY: issued for another API key
 * @GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION: issued for another session
 * @GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS: a claim is missing or has a value
 *     OpenTok does not accept (scope, role, issuer type, times)
 *
 * Why a credential was refused.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gst_opentok_token_error >*/
{
  GST_OPENTOK_TOKEN_ERROR_MALFORMED,
  GST_OPENTOK_TOKEN_ERROR_BAD_SIGNATURE,
  GST_OPENTOK_TOKEN_ERROR_EXPIRED,
  GST_OPENTOK_TOKEN_ERROR_WRONG_API_KEY,
  GST_OPENTOK_TOKEN_ERROR_WRONG_SESSION,
  GST_OPENTOK_TOKEN_ERROR_INVALID_CLAIMS,
} GstOpenTokTokenError;

/**
 * GST_OPENTOK_CLIENT_ERROR:
 *
 * Error domain for a client connection that could not be made or was lost.
 * The codes are OpenTok's connection error numbers, as opentok.js reports
 * them.
 *
 * Since: 0.1
 */
#define GST_OPENTOK_CLIENT_ERROR (gst_opentok_client_error_quark ())
GST_OPENTOK_API
GQuark gst_opentok_client_error_quark (void);

/**
 * GstOpenTokClientError:
 * @GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION: the token was refused (1004)
 * @GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION: the session id is unknown or
 *     malformed (1005)
 * @GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED: the server could not be reached,
 *     or refused the connection (1006)
 * @GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED: the operation needs a connected
 *     session (1010)
 * @GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER: the server refused the
 *     operation's parameters, such as a connection that is not in the
 *     session (1011)
 * @GST_OPENTOK_CLIENT_ERROR_UNABLE_TO_FORCE_DISCONNECT: the token's role
 *     does not allow forcing a disconnection: it takes a moderator (1520)
 * @GST_OPENTOK_CLIENT_ERROR_TERMS_OF_SERVICE: the project is not allowed to
 *     connect, as OpenTok's terms-of-service refusal (1026)
 * @GST_OPENTOK_CLIENT_ERROR_CONNECTION_LIMIT: the session is full (1027)
 * @GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED: the connection was lost
 *     and could not be recovered within the reconnection window (1022)
 * @GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED: a moderator or the server
 *     removed this connection (1023)
 * @GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE: the server answered
 *     something that is not OpenTok's protocol (2001)
 *
 * Why a connection failed or ended.
 *
 * Since: 0.1
 */
typedef enum /*< underscore_name=gst_opentok_client_error >*/
{
  GST_OPENTOK_CLIENT_ERROR_AUTHENTICATION = 1004,
  GST_OPENTOK_CLIENT_ERROR_INVALID_SESSION = 1005,
  GST_OPENTOK_CLIENT_ERROR_CONNECT_FAILED = 1006,
  GST_OPENTOK_CLIENT_ERROR_NOT_CONNECTED = 1010,
  GST_OPENTOK_CLIENT_ERROR_INVALID_PARAMETER = 1011,
  GST_OPENTOK_CLIENT_ERROR_NETWORK_DISCONNECTED = 1022,
  GST_OPENTOK_CLIENT_ERROR_FORCE_DISCONNECTED = 1023,
  GST_OPENTOK_CLIENT_ERROR_TERMS_OF_SERVICE = 1026,
  GST_OPENTOK_CLIENT_ERROR_CONNECTION_LIMIT = 1027,
  GST_OPENTOK_CLIENT_ERROR_UNABLE_TO_FORCE_DISCONNECT = 1520,
  GST_OPENTOK_CLIENT_ERROR_UNEXPECTED_RESPONSE = 2001,
} GstOpenTokClientError;

G_END_DECLS

#endif /* __GST_OPENTOK_ERROR_H__ */
