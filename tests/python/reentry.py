#!/usr/bin/env python3
# GStreamer OpenTok signaling
# Copyright (C) 2026 The gst-opentok authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Library General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.

"""Re-entry through the public API, as a Python application meets it.

Every callback the library offers calls the library back: the client's
signals and completions on its network thread, the server's signals on the
server thread, the GIO-style callbacks on the caller's main context, and
signalbin's promises while other threads change its state. Each case runs
in a process of its own with a hard timeout (harness.py), starts its own
GstOpenTokServer on 127.0.0.1 and a free port, waits only with bounded
waits, and asserts what must have happened: completions and their
outcomes, states, the signals the other members received.

    reentry.py [--timeout SECONDS] [--list] [NAME...]

Knobs: GST_OPENTOK_PY_CASE_TIMEOUT (seconds per case, default 60),
GST_OPENTOK_PY_VERBOSE (print every child's output),
GST_OPENTOK_PY_CHILD_WRAPPER (a command to run each child under, such as
valgrind),
GST_OPENTOK_PY_RESTARTS (case server_restarts_under_calls, default 500),
GST_OPENTOK_PY_CYCLES (case signalbin_state_storm, default 200).
"""

import os
import sys
import threading
import time

# harness.py sits next to this file; no __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import Peer, Record, Server, check, handle  # noqa: E402

# set by the harness in the child, once the bindings are loaded
GLib = GObject = Gst = GstOpenTok = None

RESTARTS = int(os.environ.get("GST_OPENTOK_PY_RESTARTS", "500"))
CYCLES = int(os.environ.get("GST_OPENTOK_PY_CYCLES", "200"))


def new_signal(type_, data, to=None, retry=True):
    sig = GstOpenTok.Signal.new(type_, data)
    if to is not None:
        sig.set_to(to)
    sig.set_retry_after_reconnect(retry)
    return sig


def signal_code(error):
    return h.error_code(error, GstOpenTok.signal_error_quark())


def client_code(error):
    return h.error_code(error, GstOpenTok.client_error_quark())


def ids(client):
    return [c.get_id() for c in client.get_connections()]


# ------------------------------------------------------------------------
# 1. send_signal_full from notify::state, and from its completion


def case_state_notify_send_chain():
    """notify::state handlers send (a refused signal while CONNECTING, two
    accepted ones once CONNECTED), and each completion sends the next one
    from the network thread: every send completes, as it should, and the
    session stays joined. Before the fix a send from a completion blocked
    the network thread on the client's lock, and the session never
    joined."""
    server = Server().start()
    sid = server.session()
    peer = Peer(server, sid, "name=peer").join()
    client = server.client(sid, "name=sender")
    me = client.get_connection_id()
    rec = Record()
    S = GstOpenTok.ClientState

    def done(label, then=None):
        @rec.guard
        def completed(c, sig, error, *user_data):
            rec.add("done", label, error, h.on_network_thread(),
                    sig.get_data())
            if then is not None:
                then(c)
        completed.__name__ = f"completed_{label}"
        return completed

    def send_waited(c):
        c.send_signal_full(new_signal("chain", "waited"), done("waited"))

    def send_second(c):
        c.send_signal_full(new_signal("chain", "second"), done("second"))

    @rec.guard
    def on_state(c, pspec):
        state = c.get_state()
        rec.add("state", state, h.on_network_thread())
        if state == S.CONNECTING and not rec.has("sent-refused"):
            rec.add("sent-refused")
            # may not wait: refused at once, 500; its completion sends one
            # that may wait, which goes once joined
            c.send_signal_full(new_signal("chain", "refused", retry=False),
                               done("refused", send_waited))
        elif state == S.CONNECTED and not rec.has("sent-first"):
            rec.add("sent-first")
            c.send_signal_full(new_signal("chain", "first"),
                               done("first", send_second))

    handle(client, "notify::state", on_state)
    handle(client, "session-connected", rec.guard(
        lambda c: rec.add("connected", c.get_state())))
    handle(client, "session-disconnected", rec.guard(
        lambda c, reason, error: rec.add("disconnected", reason, error)))

    check(client.connect(None), "connect() refused to begin")
    rec.wait_count("done", 4)
    done_by = {d[0]: d for d in rec.all("done")}
    check(sorted(done_by) == ["first", "refused", "second", "waited"],
          f"completions: {rec.all('done')}")
    check(rec.count("done") == 4, f"a completion ran twice: {rec.all('done')}")
    check(signal_code(done_by["refused"][1]) ==
          GstOpenTok.SignalError.NOT_CONNECTED,
          f"the refused signal: {done_by['refused'][1]}")
    for label in ("waited", "first", "second"):
        check(done_by[label][1] is None,
              f"signal {label} failed: {done_by[label][1]}")
    check(all(d[2] for d in done_by.values()),
          "a completion ran on the main thread, not the network thread")
    states = [s[0] for s in rec.all("state")]
    check(states[:2] == [S.CONNECTING, S.CONNECTED],
          f"states notified: {states}")
    check(all(s[1] for s in rec.all("state")),
          "notify::state came on the main thread")
    rec.wait_count("connected", 1)
    check(rec.all("connected") == [(S.CONNECTED,)],
          f"session-connected: {rec.all('connected')}")

    # the peer got the three accepted signals, once each, from the sender
    peer.wait_signals(3, "chain")
    got = sorted((s[1], s[2]) for s in peer.signals("chain"))
    check(got == [("first", me), ("second", me), ("waited", me)],
          f"the peer received {got}")
    check(client.get_state() == S.CONNECTED and not rec.has("disconnected"),
          f"the sender left: {client.get_state()}, "
          f"{rec.all('disconnected')}")
    rec.check_errors()

    h.call_bounded(client.disconnect, "disconnect()")
    check(client.get_state() == S.DISCONNECTED, "still connected")
    peer.rec.wait(lambda: (me, "clientDisconnected") in
                  peer.rec.all("destroyed"), "the peer seeing the sender go")
    peer.leave()
    server.stop()
    return (f"states {len(states)}, completions 4 (refused 500, 3 accepted), "
            "peer received 3")


# ------------------------------------------------------------------------
# 2. disconnect() from the client's own session-connected handler


def case_disconnect_from_session_connected():
    """disconnect() from the client's own session-connected handler
    returns, with the session over; a later disconnect() from the main
    thread returns; a new connect then joins again and sends. Before the
    fix the first disconnect returned with the client's lock taken and the
    next call waited for it forever."""
    server = Server().start()
    sid = server.session()
    peer = Peer(server, sid, "name=peer").join()
    client = server.client(sid, "name=quitter")
    me = client.get_connection_id()
    rec = Record()
    S = GstOpenTok.ClientState
    leave_on_join = [True]

    @rec.guard
    def on_connected(c):
        rec.add("connected", h.on_network_thread())
        if leave_on_join[0]:
            c.disconnect()
            rec.add("returned", c.get_state())

    handle(client, "session-connected", on_connected)
    handle(client, "session-disconnected", rec.guard(
        lambda c, reason, error: rec.add("disconnected", reason, error)))

    check(client.connect(None), "connect() refused to begin")
    rec.wait_count("returned", 1)
    check(rec.first("connected") == (True,),
          "session-connected came on the main thread")
    check(rec.first("returned") == (S.DISCONNECTED,),
          f"state after disconnect() in the handler: {rec.first('returned')}")
    rec.wait_count("disconnected", 1)
    reason, error = rec.first("disconnected")
    check(reason == "clientDisconnected" and error is None,
          f"session-disconnected: {reason}, {error}")
    peer.rec.wait(lambda: (me, "clientDisconnected") in
                  peer.rec.all("destroyed"), "the peer seeing it leave")

    # from the main thread, once the handler's thread has ended or not
    h.call_bounded(client.disconnect, "disconnect() from the main thread")
    check(client.get_state() == S.DISCONNECTED,
          f"state: {client.get_state()}")

    # and it joins again
    leave_on_join[0] = False
    check(client.connect(None), "the second connect() refused to begin")
    rec.wait_count("connected", 2)
    check(client.get_state() == S.CONNECTED,
          f"state after the second join: {client.get_state()}")
    peer.rec.wait(lambda: [c for c in peer.rec.all("created")
                           if c[0] == me] != [],
                  "the peer seeing it join again")
    sent = Record()
    client.send_signal_full(new_signal("again", "hello"), sent.guard(
        lambda c, sig, error, *u: sent.add("done", error)))
    sent.wait_count("done", 1)
    check(sent.first("done") == (None,), f"send: {sent.first('done')}")
    peer.wait_signals(1, "again")
    check(peer.signals("again") == [("again", "hello", me)],
          f"the peer received {peer.signals('again')}")
    h.call_bounded(client.disconnect, "the last disconnect()")
    check(rec.count("disconnected") == 2,
          f"session-disconnected: {rec.all('disconnected')}")
    rec.check_errors()
    peer.leave()
    server.stop()
    return "left from the handler, disconnect() again, joined and sent again"


# ------------------------------------------------------------------------
# 3. The client's connection-created, connection-destroyed and
#    signal-received handlers call it back


def case_client_handlers_reenter():
    """A moderator's connection-created, signal-received and
    connection-destroyed handlers each call get_connections(), get_state(),
    send_signal_full() and force_disconnect_full(); every call returns
    and every completion comes with the expected outcome."""
    server = Server().start()
    sid = server.session()
    observer = Peer(server, sid, "name=observer",
                    GstOpenTok.Role.SUBSCRIBER).join()
    mod = server.client(sid, "name=moderator")
    mod_id = mod.get_connection_id()
    rec = Record()
    S = GstOpenTok.ClientState
    victim = Peer(server, sid, "name=victim", GstOpenTok.Role.PUBLISHER)

    def completion(label):
        return rec.guard(lambda c, sig, error, *u:
                         rec.add("sent", label, error,
                                 h.on_network_thread()))

    def fd_completion(label):
        return rec.guard(lambda c, error, *u:
                         rec.add("forced", label, error,
                                 h.on_network_thread()))

    @rec.guard
    def on_created(c, conn):
        if conn.get_id() != victim.id:
            return
        rec.add("created", ids(c), c.get_state(), h.on_network_thread())
        c.send_signal_full(new_signal("welcome", "hi", to=victim.id),
                           completion("welcome"))
        c.force_disconnect_full("no-such-connection",
                                fd_completion("unknown"))

    @rec.guard
    def on_signal(c, sig):
        if sig.get_signal_type() != "kick-me":
            return
        rec.add("signal", sig.get_from(), ids(c), c.get_state(),
                h.on_network_thread())
        c.send_signal_full(new_signal("ack", "kicking"), completion("ack"))
        c.force_disconnect_full(sig.get_from(), fd_completion("victim"))

    @rec.guard
    def on_destroyed(c, conn, reason):
        if conn.get_id() != victim.id:
            return
        rec.add("destroyed", reason, ids(c), c.get_state(),
                h.on_network_thread())
        c.send_signal_full(new_signal("bye", "gone"), completion("bye"))
        c.force_disconnect_full(conn.get_id(), fd_completion("again"))

    handle(mod, "connection-created", on_created)
    handle(mod, "signal-received", on_signal)
    handle(mod, "connection-destroyed", on_destroyed)
    handle(mod, "session-connected", rec.guard(lambda c: rec.add("joined")))
    check(mod.connect(None), "connect() refused to begin")
    rec.wait_count("joined", 1)

    # the victim asks to be kicked once welcomed (from its own network
    # thread)
    @victim.rec.guard
    def on_welcome(c, sig):
        c.send_signal_full(new_signal("kick-me", "please", to=mod_id),
                           victim.rec.guard(lambda c, s, e, *u:
                                            victim.rec.add("asked", e)))
    handle(victim.client, "signal-received::welcome", on_welcome)
    victim.join()

    rec.wait_count("sent", 3)
    rec.wait_count("forced", 3)
    rec.wait_count("destroyed", 1)

    created = rec.first("created")
    check(victim.id in created[0] and mod_id in created[0],
          f"get_connections() in connection-created: {created[0]}")
    check(created[1] == S.CONNECTED, f"get_state(): {created[1]}")
    signalled = rec.first("signal")
    check(signalled[0] == victim.id, f"kick-me from {signalled[0]}")
    check(victim.id in signalled[1], "get_connections() in signal-received "
          f"lacks the sender: {signalled[1]}")
    check(signalled[2] == S.CONNECTED, f"get_state(): {signalled[2]}")
    destroyed = rec.first("destroyed")
    check(destroyed[0] == "forceDisconnected", f"reason {destroyed[0]}")
    check(victim.id not in destroyed[1] and mod_id in destroyed[1],
          f"get_connections() in connection-destroyed: {destroyed[1]}")
    check(destroyed[2] == S.CONNECTED, f"get_state(): {destroyed[2]}")
    check(all(e[-1] for kind in ("created", "signal", "destroyed", "sent",
                                 "forced") for e in rec.all(kind)),
          "a handler or completion ran on the main thread")

    sent = {s[0]: s[1] for s in rec.all("sent")}
    check(sorted(sent) == ["ack", "bye", "welcome"] and
          all(e is None for e in sent.values()),
          f"send completions: {rec.all('sent')}")
    forced = {f[0]: f[1] for f in rec.all("forced")}
    check(sorted(forced) == ["again", "unknown", "victim"],
          f"force-disconnect completions: {rec.all('forced')}")
    check(forced["victim"] is None, f"force out: {forced['victim']}")
    for label in ("unknown", "again"):
        check(client_code(forced[label]) ==
              GstOpenTok.ClientError.INVALID_PARAMETER,
              f"force-disconnect {label}: {forced[label]}")

    # what the others saw
    check(victim.signals("welcome") == [("welcome", "hi", mod_id)],
          f"the victim received {victim.signals()}")
    victim.rec.wait_count("disconnected", 1)
    check(victim.rec.first("disconnected")[0] == "forceDisconnected",
          f"the victim: {victim.rec.all('disconnected')}")
    observer.wait_signals(1, "bye")
    check([s[:3] for s in observer.signals()] ==
          [("ack", "kicking", mod_id), ("bye", "gone", mod_id)],
          f"the observer received {observer.signals()}")
    check(mod.get_state() == S.CONNECTED, f"state {mod.get_state()}")
    rec.check_errors()
    victim.rec.check_errors()

    h.call_bounded(mod.disconnect, "disconnect()")
    observer.leave()
    victim.leave()
    server.stop()
    return ("3 handlers x 4 calls; sends 3/3 accepted, force-disconnects "
            "1 done + 2 refused (1011)")


# ------------------------------------------------------------------------
# 4. The server's own handlers call it back, on the server thread


def case_server_handlers_reenter():
    """The server's connection-created and signal-received handlers (on
    the server thread) call send_signal(), create_session(),
    generate_token() and force_disconnect(); each returns at once with what
    it must: the sessions and tokens made there work, the signals arrive,
    the connections forced out go."""
    server = Server().start()
    srv = server.server
    sid = server.session()
    rec = Record()
    ids_by_name = {}
    # The types are names no GObject signal has. Until 92d2825 the server's
    # signal-received missed a handler connected without a detail when the
    # type was already a quark ("message", "error"); libs_server's
    # test_server_signal_received_reaches_every_handler covers that now.

    @rec.guard
    def on_created(s, session_id, conn):
        name = conn.get_data()
        rec.add("created", name, h.on_network_thread())
        if session_id != sid:
            return
        if name == "name=a":
            new_sid = s.create_session()
            token = s.generate_token(new_sid, GstOpenTok.Role.PUBLISHER,
                                     "name=c")
            ok = s.send_signal(session_id, new_signal("welcome", "from the "
                                                      "server",
                                                      to=conn.get_id()))
            rec.add("on-join", new_sid, token, ok)
        elif name == "name=x":
            # forced out from inside its own join
            rec.add("kick-on-join", s.force_disconnect(session_id,
                                                       conn.get_id()))

    depth = [0]

    @rec.guard
    def on_signal(s, session_id, sig):
        rec.add("relayed", sig.get_signal_type(), sig.get_from(), depth[0])
        if sig.get_signal_type() != "reentry-ping":
            return
        depth[0] += 1
        try:
            pong = s.send_signal(session_id,
                                 new_signal("reentry-pong", sig.get_data(),
                                            to=sig.get_from()))
            kicked = s.force_disconnect(session_id, ids_by_name["name=b"])
            try:
                s.force_disconnect(session_id, "no-such-connection")
                unknown = None
            except GLib.Error as e:
                unknown = e
            try:
                s.send_signal("no-such-session", new_signal("lost", "x"))
                lost = None
            except GLib.Error as e:
                lost = e
            new_sid = s.create_session()
            token = s.generate_token(new_sid, GstOpenTok.Role.SUBSCRIBER,
                                     "name=d")
            rec.add("on-ping", pong, kicked, unknown, lost, new_sid, token,
                    h.on_network_thread())
        finally:
            depth[0] -= 1

    handle(srv, "connection-created", on_created)
    handle(srv, "signal-received", on_signal)

    b = Peer(server, sid, "name=b").join()
    ids_by_name["name=b"] = b.id
    a = Peer(server, sid, "name=a").join()
    rec.wait_count("on-join", 1)
    new_sid, token, ok = rec.first("on-join")
    check(ok is True, "send_signal() in connection-created")
    check(new_sid and new_sid != sid, f"create_session(): {new_sid}")
    check(token and token.count(".") == 2, f"generate_token(): {token}")
    a.wait_signals(1, "welcome")
    check(a.signals("welcome") == [("welcome", "from the server", None)],
          f"a received {a.signals()}")

    a.client.send_signal_full(new_signal("reentry-ping", "p1"), None)
    rec.wait_count("on-ping", 1)
    pong, kicked, unknown, lost, new_sid2, token2, threaded = \
        rec.first("on-ping")
    check(threaded, "the server's handler ran on the main thread")
    check(pong is True and kicked is True,
          f"send_signal() {pong}, force_disconnect() {kicked}")
    check(signal_code(unknown) == GstOpenTok.SignalError.NOT_FOUND,
          f"force_disconnect() of an unknown connection: {unknown}")
    check(signal_code(lost) == GstOpenTok.SignalError.NOT_FOUND,
          f"send_signal() to an unknown session: {lost}")
    check(new_sid2 and new_sid2 not in (sid, new_sid),
          f"create_session(): {new_sid2}")
    check(token2 and token2.count(".") == 2, f"generate_token(): {token2}")
    # the server's own pong was reported too, from inside the handler
    check(("reentry-pong", None, 1) in rec.all("relayed"),
          f"relayed: {rec.all('relayed')}")
    a.wait_signals(1, "reentry-pong")
    check(a.signals("reentry-pong") == [("reentry-pong", "p1", None)],
          f"a received {a.signals()}")
    b.rec.wait_count("disconnected", 1)
    check(b.rec.first("disconnected")[0] == "forceDisconnected",
          f"b: {b.rec.all('disconnected')}")
    a.rec.wait(lambda: (b.id, "forceDisconnected") in a.rec.all("destroyed"),
               "a seeing b forced out")

    # what the handlers made works: both sessions take their tokens
    c = GstOpenTok.Client.new(server.url, h.API_KEY, new_sid, token)
    joined = Record()
    handle(c, "session-connected", joined.guard(lambda cl: joined.add("in")))
    check(c.connect(None), "connect() to the session made in a handler")
    joined.wait_count("in", 1)
    d = GstOpenTok.Client.new(server.url, h.API_KEY, new_sid2, token2)
    handle(d, "session-connected", joined.guard(lambda cl: joined.add("in")))
    check(d.connect(None), "connect() to the second session")
    joined.wait_count("in", 2)

    # forced out while it joins: the call returns True, and x is out
    x = Peer(server, sid, "name=x")
    check(x.client.connect(None), "x: connect() refused to begin")
    rec.wait_count("kick-on-join", 1)
    check(rec.first("kick-on-join") == (True,),
          f"force_disconnect() in connection-created: "
          f"{rec.first('kick-on-join')}")
    x.rec.wait_count("disconnected", 1)
    check(x.rec.first("disconnected")[0] == "forceDisconnected",
          f"x: {x.rec.all('disconnected')}")
    check(x.client.get_state() == GstOpenTok.ClientState.DISCONNECTED,
          f"x: {x.client.get_state()}")

    check(len({e[0] for e in rec.all("created")}) == 5,
          f"connections created: {rec.all('created')}")
    check(all(e[1] for e in rec.all("created")),
          "connection-created on the main thread")
    for peer in (a, b, x):
        peer.rec.check_errors()
    rec.check_errors()
    for client in (c, d):
        h.call_bounded(client.disconnect, "disconnect()")
    for peer in (a, b, x):
        peer.leave()
    server.stop()
    return ("2 handlers: 3 sessions joined, pong and welcome received, "
            "2 forced out, 2 x 404 as documented")


# ------------------------------------------------------------------------
# 5. Restarts while two threads call the server


def case_server_restarts_under_calls():
    """The server is started and stopped RESTARTS times while two threads
    call create_session() and send_signal() without pause: every call
    returns, with a session id or True, or send_signal()'s documented 404
    when a stop forgot the session; each thread is seen to call between
    every start and stop and between every stop and start. Before the fix
    a call that met a stop waited forever."""
    server = Server()
    srv = server.server
    cond = threading.Condition()
    calls = {"create": 0, "send": 0}
    results = {"sessions": 0, "sent": 0, "not-found": 0}
    unexpected = []
    stop = threading.Event()

    def note(kind, result=None):
        with cond:
            calls[kind] += 1
            if result:
                results[result] += 1
            cond.notify_all()

    def creator():
        try:
            while not stop.is_set():
                new_sid = srv.create_session()
                if not new_sid:
                    unexpected.append(f"create_session() gave {new_sid!r}")
                note("create", "sessions")
        except BaseException as e:  # noqa: B902 - reported below
            unexpected.append(f"create_session(): {e!r}")

    def sender():
        sig = new_signal("restart", "x")
        try:
            while not stop.is_set():
                target = srv.create_session()
                try:
                    ok = srv.send_signal(target, sig)
                    if ok is not True:
                        unexpected.append(f"send_signal() gave {ok!r}")
                    note("send", "sent")
                except GLib.Error as e:
                    if (e.domain == GLib.quark_to_string(
                            GstOpenTok.signal_error_quark())
                            and e.code == GstOpenTok.SignalError.NOT_FOUND):
                        note("send", "not-found")
                    else:
                        unexpected.append(f"send_signal(): {e.message} "
                                          f"({e.domain} {e.code})")
                        note("send")
        except BaseException as e:  # noqa: B902 - reported below
            unexpected.append(f"send_signal(): {e!r}")

    threads = [h.thread(creator, "creator"), h.thread(sender, "sender")]

    def both_called(since, what):
        # bounded: a call that never returns stops the counts
        deadline = time.monotonic() + h.WAIT
        with cond:
            while not (calls["create"] > since["create"]
                       and calls["send"] > since["send"]):
                if unexpected:
                    raise h.Failure("; ".join(unexpected[:5]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise h.Hang(f"{what}: a thread made no call for "
                                 f"{h.WAIT:.0f} s; calls {calls}")
                cond.wait(left)
            return dict(calls)

    try:
        seen = both_called({"create": 0, "send": 0}, "before the first start")
        for i in range(RESTARTS):
            check(srv.start(), f"start {i + 1} failed")
            check(srv.get_port() > 0, f"no port after start {i + 1}")
            seen = both_called(seen, f"running ({i + 1})")
            h.call_bounded(srv.stop, f"stop {i + 1}")
            check(srv.get_port() == 0, f"a port after stop {i + 1}")
            seen = both_called(seen, f"stopped ({i + 1})")
    finally:
        stop.set()
    h.join_bounded(threads, "the calling threads after the last stop")
    check(not unexpected, "; ".join(unexpected[:5]))
    check(results["sessions"] == calls["create"] and
          results["sent"] + results["not-found"] == calls["send"],
          f"calls {calls}, results {results}")
    check(results["sent"] > 0, f"no signal was relayed: {results}")
    return (f"{RESTARTS} restarts; {calls['create']} create_session(), "
            f"{calls['send']} send_signal() ({results['sent']} True, "
            f"{results['not-found']} 404)")


# ------------------------------------------------------------------------
# 6. signalbin: state changes from two threads while a third sends


def case_signalbin_state_storm():
    """Two threads switch one signalbin NULL -> PLAYING -> NULL, CYCLES
    times in all, while a third emits send-signal with a promise without
    pause: every state change returns, every promise is answered (each
    waited for with a timeout), with success or 500 Not connected, and
    some sends went through between the changes; then the element joins
    and a peer receives what it sends."""
    server = Server().start()
    sid = server.session()
    peer = Peer(server, sid, "name=peer").join()
    element = Gst.ElementFactory.make("signalbin", None)
    check(element is not None, "no signalbin element")
    for name, value in (("api-url", server.url), ("api-key", h.API_KEY),
                        ("session-id", sid),
                        ("token", server.token(sid, "name=bin"))):
        element.set_property(name, value)
    bus = Gst.Bus.new()
    element.set_bus(bus)

    failures = []
    stop = threading.Event()
    stats = {"sent": 0, "ok": 0, "not-connected": 0, "changes": 0,
             "joined-cycles": 0}
    lock = threading.Lock()

    progress = threading.Condition(lock)

    def switcher(n):
        try:
            for i in range(n):
                if element.set_state(Gst.State.PLAYING) == \
                        Gst.StateChangeReturn.FAILURE:
                    failures.append("NULL -> PLAYING failed")
                if i % 10 == 9:
                    # one cycle in ten stays in PLAYING until a send went
                    # through (at most 5 s: the other thread may be
                    # switching), so that the next NULL meets sends in
                    # flight on the network thread, not only refusals
                    with progress:
                        ok = stats["ok"]
                        if progress.wait_for(lambda: stats["ok"] > ok, 5):
                            stats["joined-cycles"] += 1
                if element.set_state(Gst.State.NULL) != \
                        Gst.StateChangeReturn.SUCCESS:
                    failures.append("PLAYING -> NULL did not succeed")
                with lock:
                    stats["changes"] += 2
        except BaseException as e:  # noqa: B902 - reported below
            failures.append(f"switcher: {e!r}")

    def replied(promise, answered):
        answered.set()

    def sender():
        structure = Gst.Structure.new_empty(GstOpenTok.SIGNAL_STRUCTURE_NAME)
        structure.set_value("type", "storm")
        structure.set_value("data", "in flight")
        try:
            while not stop.is_set():
                answered = threading.Event()
                promise = Gst.Promise.new_with_change_func(replied, answered)
                element.emit("send-signal", structure, promise)
                with lock:
                    stats["sent"] += 1
                if not answered.wait(h.WAIT):
                    failures.append(f"promise {stats['sent']} not answered "
                                    f"within {h.WAIT:.0f} s")
                    return
                if promise.wait() != Gst.PromiseResult.REPLIED:
                    failures.append(f"promise {stats['sent']}: "
                                    f"{promise.wait()}")
                    return
                reply = promise.get_reply()
                if reply is None or not reply.has_field("error"):
                    with progress:
                        stats["ok"] += 1
                        progress.notify_all()
                    continue
                error = reply.get_value("error")
                if (error.domain == GLib.quark_to_string(
                        GstOpenTok.signal_error_quark()) and error.code ==
                        GstOpenTok.SignalError.NOT_CONNECTED):
                    with lock:
                        stats["not-connected"] += 1
                else:
                    failures.append(f"promise {stats['sent']}: "
                                    f"{error.message} ({error.domain} "
                                    f"{error.code})")
                    return
        except BaseException as e:  # noqa: B902 - reported below
            failures.append(f"sender: {e!r}")

    send_thread = h.thread(sender, "sender")
    switchers = [h.thread(switcher, f"switcher-{i}", n)
                 for i, n in enumerate((CYCLES // 2, CYCLES - CYCLES // 2))]
    h.join_bounded(switchers, f"{CYCLES} NULL <-> PLAYING cycles",
                   timeout=40)
    stop.set()
    h.join_bounded([send_thread], "the sender, its last promise answered")
    check(not failures, "; ".join(failures[:5]))
    check(stats["changes"] == 2 * CYCLES, f"state changes: {stats}")
    check(stats["sent"] == stats["ok"] + stats["not-connected"],
          f"promises: {stats}")
    check(stats["ok"] > 0 and stats["joined-cycles"] > 0,
          f"no signal went through during the cycles: {stats}")

    # the storm left no error behind, and the element still joins
    while True:
        message = bus.pop()
        if message is None:
            break
        if message.type == Gst.MessageType.ERROR:
            raise h.Failure(f"error on the bus: {message.parse_error()}")
    joined = threading.Event()
    handle(element, "session-connected", lambda e: joined.set())
    check(element.set_state(Gst.State.PLAYING) !=
          Gst.StateChangeReturn.FAILURE, "the last NULL -> PLAYING")
    check(joined.wait(h.WAIT), "the element did not join after the storm")
    structure = Gst.Structure.new_empty(GstOpenTok.SIGNAL_STRUCTURE_NAME)
    structure.set_value("type", "after")
    structure.set_value("data", "the storm")
    answered = threading.Event()
    promise = Gst.Promise.new_with_change_func(replied, answered)
    element.emit("send-signal", structure, promise)
    check(answered.wait(h.WAIT), "the last promise was not answered")
    reply = promise.get_reply()
    check(reply is not None and not reply.has_field("error"),
          f"the last signal: {reply and reply.to_string()}")
    bin_id = element.get_property("connection-id")
    peer.wait_signals(1, "after")
    check(peer.signals("after") == [("after", "the storm", bin_id)],
          f"the peer received {peer.signals('after')}")
    check(element.set_state(Gst.State.NULL) == Gst.StateChangeReturn.SUCCESS,
          "the last PLAYING -> NULL")
    element.set_bus(None)
    peer.leave()
    server.stop()
    return (f"{CYCLES} cycles from 2 threads ({stats['joined-cycles']} "
            f"held until a send went through), {stats['sent']} promises "
            f"answered ({stats['ok']} sent, {stats['not-connected']} 500), "
            "joined and received after")


# ------------------------------------------------------------------------
# 7. The GIO-style callbacks, on the caller's main context, call back


def case_async_callbacks_reenter():
    """connect_async's callback sends with send_signal_async; its callback
    force-disconnects with force_disconnect_async, whose callback does it
    again for a connection that is gone (refused) and sends; that send's
    callback disconnects. Every callback runs once, on the main thread (the
    caller's context), with the expected outcome."""
    server = Server().start()
    sid = server.session()
    observer = Peer(server, sid, "name=observer",
                    GstOpenTok.Role.SUBSCRIBER).join()
    victim = Peer(server, sid, "name=victim").join()
    client = server.client(sid, "name=async")
    me = client.get_connection_id()
    rec = Record()
    S = GstOpenTok.ClientState

    def on_main():
        return not h.on_network_thread()

    @rec.guard
    def connected(c, result, *u):
        rec.add("connected", c.connect_finish(result), on_main(),
                c.get_state())
        c.send_signal_async(new_signal("async", "one"), None, sent_one)

    @rec.guard
    def sent_one(c, result, *u):
        rec.add("sent-one", c.send_signal_finish(result), on_main())
        c.force_disconnect_async(victim.id, None, forced)

    @rec.guard
    def forced(c, result, *u):
        rec.add("forced", c.force_disconnect_finish(result), on_main())
        c.force_disconnect_async(victim.id, None, forced_again)

    @rec.guard
    def forced_again(c, result, *u):
        try:
            c.force_disconnect_finish(result)
            error = None
        except GLib.Error as e:
            error = e
        rec.add("forced-again", error, on_main())
        c.send_signal_async(new_signal("async", "two"), None, sent_two)

    @rec.guard
    def sent_two(c, result, *u):
        rec.add("sent-two", c.send_signal_finish(result), on_main())
        c.disconnect()
        rec.add("left", c.get_state(), on_main())

    client.connect_async(None, connected)
    rec.iterate_until(lambda: rec.has("left"), "the chain of callbacks")

    check(rec.all("connected") == [(True, True, S.CONNECTED)],
          f"connect callback: {rec.all('connected')}")
    check(rec.all("sent-one") == [(True, True)],
          f"first send callback: {rec.all('sent-one')}")
    check(rec.all("forced") == [(True, True)],
          f"force-disconnect callback: {rec.all('forced')}")
    (error, main), = rec.all("forced-again")
    check(main, "the second force-disconnect callback off the main thread")
    check(client_code(error) == GstOpenTok.ClientError.INVALID_PARAMETER,
          f"force-disconnect of a connection that left: {error}")
    check(rec.all("sent-two") == [(True, True)],
          f"second send callback: {rec.all('sent-two')}")
    check(rec.all("left") == [(S.DISCONNECTED, True)],
          f"disconnect() from the callback: {rec.all('left')}")

    victim.rec.wait_count("disconnected", 1)
    check(victim.rec.first("disconnected")[0] == "forceDisconnected",
          f"the victim: {victim.rec.all('disconnected')}")
    observer.rec.wait(lambda: (me, "clientDisconnected") in
                      observer.rec.all("destroyed"),
                      "the observer seeing the client leave")
    check([s[:3] for s in observer.signals()] ==
          [("async", "one", me), ("async", "two", me)],
          f"the observer received {observer.signals()}")
    # nothing more is dispatched: each callback ran once
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass
    check(rec.count("connected") == 1 and rec.count("sent-two") == 1,
          f"callbacks: {rec.summary()}")
    rec.check_errors()
    h.call_bounded(client.disconnect, "disconnect() after the callbacks")
    observer.leave()
    victim.leave()
    server.stop()
    return ("5 callbacks on the main thread: connect, send, force out, "
            "refused (1011), send, disconnect")


CASES = [
    ("state_notify_send_chain", case_state_notify_send_chain),
    ("disconnect_from_session_connected",
     case_disconnect_from_session_connected),
    ("client_handlers_reenter", case_client_handlers_reenter),
    ("server_handlers_reenter", case_server_handlers_reenter),
    ("server_restarts_under_calls", case_server_restarts_under_calls),
    ("signalbin_state_storm", case_signalbin_state_storm),
    ("async_callbacks_reenter", case_async_callbacks_reenter),
]

if __name__ == "__main__":
    sys.exit(h.main(CASES))
