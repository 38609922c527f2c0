#!/usr/bin/env python3
# GStreamer OpenTok signaling
# Copyright (C) 2026 The gst-opentok authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Library General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.

"""Runs a remote-control example against a real gst-opentok-server.

    remote_control_test.py SERVER EXAMPLE-COMMAND...

Starts SERVER on a free port, joins the session with two signalbins of its
own (a "tester" that gives the orders and a "bystander" that must hear none
of the answers), starts the example, sends it "control" signals and checks
its "status" answers, that they went to the tester alone, that "quit" makes
it leave the session cleanly and exit with status 0. Twice: with the token
the server printed (--token), and with a token the example makes itself
(--api-secret).

Every wait is bounded; every process started here is stopped here.
"""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstOpenTok", "1.0")
from gi.repository import Gst, GstOpenTok  # noqa: E402

API_KEY = "123456"
TIMEOUT = 15  # seconds, for any single step


class Failure(Exception):
    pass


class Output:
    """Reads a child's output on a thread, echoing it with a prefix."""

    def __init__(self, proc, prefix):
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(
            target=self._read, args=(proc, prefix), daemon=True)
        self.thread.start()

    def _read(self, proc, prefix):
        for line in proc.stdout:
            print(f"{prefix}| {line}", end="", flush=True)
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_prefix(self, prefix, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line[len(prefix):].strip()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(f'no line starting with "{prefix}"')
                self.cond.wait(left)


class Member:
    """A signalbin of the test's own, in its own pipeline."""

    def __init__(self, name, url, session_id, secret):
        self.name = name
        self.events = []
        self.cond = threading.Condition()
        self.bin = Gst.ElementFactory.make("signalbin", name)
        if self.bin is None:
            raise Failure("no signalbin element (GST_PLUGIN_PATH_1_0?)")
        self.bin.set_property("api-url", url)
        self.bin.set_property("api-key", API_KEY)
        self.bin.set_property("session-id", session_id)
        self.bin.set_property("api-secret", secret)
        self.bin.set_property("connection-data", f"name={name}")
        self.pipeline = Gst.Pipeline.new(name)
        self.pipeline.add(self.bin)
        # the handlers run on the network thread: they only record
        self.bin.connect("signal-received", self._on_signal)
        self.bin.connect("connection-created", self._on_created)
        self.bin.connect("connection-destroyed", self._on_destroyed)
        self.bin.connect("session-connected", self._on_connected)
        self.id = None

    def _add(self, event):
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def _on_signal(self, element, sig):
        # sig is a GstOpenTok.Signal: the typelib makes it readable
        self._add(("signal", sig.get_signal_type(), sig.get_data(),
                   sig.get_from(), sig.is_from_self()))

    def _on_created(self, element, connection):
        self._add(("created", connection.get_id(), connection.get_data()))

    def _on_destroyed(self, element, connection, reason):
        self._add(("destroyed", connection.get_id(), reason))

    def _on_connected(self, element):
        self._add(("connected",))

    def _check_bus(self):
        message = self.pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        if message is not None:
            error, debug = message.parse_error()
            raise Failure(f"{self.name}: {error.message} ({debug})")

    def wait(self, what, predicate, timeout=TIMEOUT):
        """Returns (and consumes) the first event matching predicate."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, event in enumerate(self.events):
                    if predicate(event):
                        return self.events.pop(i)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(f"{self.name}: no {what} within {timeout} s")
                self.cond.wait(min(left, 0.2))
                self._check_bus()

    def seen(self, predicate):
        with self.cond:
            return [e for e in self.events if predicate(e)]

    def join(self):
        if self.pipeline.set_state(Gst.State.PLAYING) == \
                Gst.StateChangeReturn.FAILURE:
            raise Failure(f"{self.name}: could not start")
        self.wait("session-connected", lambda e: e[0] == "connected")
        self.id = self.bin.get_property("connection-id")

    def send(self, type_, data, to=None):
        s = Gst.Structure.new_empty(GstOpenTok.SIGNAL_STRUCTURE_NAME)
        s.set_value("type", type_)
        s.set_value("data", data)
        if to is not None:
            s.set_value("to", to)
        done = threading.Event()
        promise = Gst.Promise.new_with_change_func(lambda p: done.set())
        self.bin.emit("send-signal", s, promise)
        if not done.wait(TIMEOUT):
            raise Failure(f"{self.name}: send-signal never completed")
        reply = promise.get_reply()
        if reply is None or reply.has_field("error"):
            raise Failure(f"{self.name}: {type_}/{data} refused: "
                          f"{reply.get_value('error') if reply else None}")

    def leave(self):
        self.pipeline.set_state(Gst.State.NULL)


def stop(proc, name):
    """Stops a child this script started, politely first."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        print(f"{name} ignored SIGTERM: killing it", flush=True)
        proc.kill()
        proc.wait(5)


def run_round(url, session_id, token, secret, example, mint):
    members = []
    proc = None
    try:
        tester = Member("tester", url, session_id, secret)
        bystander = Member("bystander", url, session_id, secret)
        members = [tester, bystander]
        for m in members:
            m.join()
        ours = {tester.id, bystander.id}

        credentials = (["--api-secret", secret] if mint
                       else ["--token", token])
        command = example + ["--api-url", url, "--api-key", API_KEY,
                             "--session-id", session_id] + credentials
        proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        Output(proc, "example")

        created = tester.wait("the example's connection",
                              lambda e: e[0] == "created"
                              and e[1] not in ours)
        example_id = created[1]
        want_data = "name=remote-control" if mint else ""
        if created[2] != want_data:
            raise Failure(f"the example's connection data is {created[2]!r},"
                          f" not {want_data!r}")
        print(f"the example joined as {example_id}", flush=True)

        # (command, sent to the example alone or to the whole session,
        #  expected status)
        steps = [
            ("pause", True, "paused"),
            ("resume", False, "playing"),
            ("pause", False, "paused"),
            ("jump", True, "unknown command"),
            ("quit", True, "quitting"),
        ]
        for order, targeted, expected in steps:
            tester.send("control", order, example_id if targeted else None)
            status = tester.wait(f'"status" answer to "{order}"',
                                 lambda e: e[0] == "signal"
                                 and e[1] == "status")
            if status[2] != expected or status[3] != example_id:
                raise Failure(f'"{order}" was answered {status[2]!r} '
                              f"from {status[3]}, not {expected!r} "
                              f"from {example_id}")
            print(f'"{order}" -> "{status[2]}"', flush=True)

        try:
            rc = proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure('the example did not exit after "quit"')
        if rc != 0:
            raise Failure(f"the example exited with status {rc}")
        gone = tester.wait("the example leaving",
                           lambda e: e[0] == "destroyed"
                           and e[1] == example_id)
        if gone[2] != "clientDisconnected":
            raise Failure(f"the example left with reason {gone[2]!r}")

        # the answers were sent to the tester alone: the bystander, in the
        # same session, received none of them (they would have arrived with
        # the tester's)
        heard = bystander.seen(lambda e: e[0] == "signal"
                               and e[1] == "status")
        if heard:
            raise Failure(f"the bystander received answers: {heard}")
        broadcast = bystander.seen(lambda e: e[0] == "signal"
                                   and e[1] == "control")
        if len(broadcast) != 2:
            raise Failure(f"the bystander received {len(broadcast)} of the "
                          "2 orders sent to the whole session")
    finally:
        stop(proc, "the example")
        for m in members:
            m.leave()


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    server_exe, example = sys.argv[1], sys.argv[2:]
    # the examples need the system's plugins (videotestsrc, fakesink): an
    # empty system path, as the check tests set, would hide them
    if not os.environ.get("GST_PLUGIN_SYSTEM_PATH_1_0"):
        os.environ.pop("GST_PLUGIN_SYSTEM_PATH_1_0", None)
    Gst.init(None)

    secret = secrets.token_hex(20)
    env = dict(os.environ, OPENTOK_API_SECRET=secret)
    server = subprocess.Popen([server_exe, "--port", "0",
                               "--api-key", API_KEY],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output = Output(server, "server")
        url = output.wait_prefix("gst-opentok-server").split(
            " serving on ")[-1]
        session_id = output.wait_prefix("session id:")
        token = output.wait_prefix("token:")
        for mint in (False, True):
            print(f"== {'--api-secret' if mint else '--token'}", flush=True)
            run_round(url, session_id, token, secret, example, mint)
    except Failure as e:
        print(f"FAILED: {e}", flush=True)
        return 1
    finally:
        stop(server, "the server")
    print("OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
