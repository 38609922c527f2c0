/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __TCP_PROXY_H__
#define __TCP_PROXY_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * TcpProxy:
 *
 * A loopback TCP proxy for fault tests: it listens on 127.0.0.1, forwards
 * every connection it accepts to one target, and can cut, stall or refuse
 * connections on demand. Opaque; every function may be called from any
 * thread except the proxy's own.
 */
typedef struct _TcpProxy TcpProxy;

/**
 * TcpProxyMode:
 * @TCP_PROXY_MODE_PASS: forward bytes both ways (the default)
 * @TCP_PROXY_MODE_BLACKHOLE: accept connections and keep reading from both
 *     sides, but forward nothing: a stalled path. Connections that dropped
 *     bytes this way are cut when the mode goes back to
 *     %TCP_PROXY_MODE_PASS, since their byte streams have holes.
 * @TCP_PROXY_MODE_REFUSE: close every new connection as soon as it is
 *     accepted; connections already forwarded are left alone
 * @TCP_PROXY_MODE_BLACKHOLE_UPSTREAM: as %TCP_PROXY_MODE_BLACKHOLE, for
 *     the bytes the clients send only: what the target sends still arrives
 * @TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM: as %TCP_PROXY_MODE_BLACKHOLE, for
 *     the bytes the target sends only: what the clients send still arrives
 *
 * What the proxy does with the traffic.
 */
typedef enum
{
  TCP_PROXY_MODE_PASS,
  TCP_PROXY_MODE_BLACKHOLE,
  TCP_PROXY_MODE_REFUSE,
  TCP_PROXY_MODE_BLACKHOLE_UPSTREAM,
  TCP_PROXY_MODE_BLACKHOLE_DOWNSTREAM,
} TcpProxyMode;

/**
 * TcpProxyTap:
 * @serial: the connection, numbered from 1 in the order they were accepted
 * @upstream: %TRUE for the client's bytes, %FALSE for the target's
 * @data: the bytes read, forwarded or dropped after the tap has seen them
 * @size: their number
 * @user_data: the data given to tcp_proxy_set_tap()
 *
 * Sees every byte the proxy reads, on the proxy's thread.
 */
typedef void (*TcpProxyTap) (guint serial, gboolean upstream,
    const guint8 * data, gsize size, gpointer user_data);

TcpProxy *tcp_proxy_new (const gchar * target_host, guint16 target_port);

void tcp_proxy_set_tap (TcpProxy * proxy, TcpProxyTap tap,
    gpointer user_data);

void tcp_proxy_free (TcpProxy * proxy);

guint16 tcp_proxy_get_port (TcpProxy * proxy);

void tcp_proxy_set_target_port (TcpProxy * proxy, guint16 target_port);

gchar *tcp_proxy_get_url (TcpProxy * proxy, const gchar * scheme);

guint tcp_proxy_set_mode (TcpProxy * proxy, TcpProxyMode mode);

TcpProxyMode tcp_proxy_get_mode (TcpProxy * proxy);

guint tcp_proxy_cut_all (TcpProxy * proxy);

guint tcp_proxy_get_n_connections (TcpProxy * proxy);

guint tcp_proxy_get_n_accepted (TcpProxy * proxy);

guint tcp_proxy_get_n_refused (TcpProxy * proxy);

gboolean tcp_proxy_wait_accepted (TcpProxy * proxy, guint n, guint timeout_ms);

G_END_DECLS

#endif /* __TCP_PROXY_H__ */
