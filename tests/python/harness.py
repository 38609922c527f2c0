# GStreamer OpenTok signaling
# Copyright (C) 2026 The gst-opentok authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Library General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.

"""Runs test cases of the public API, each in a process of its own.

A case file (tests/python/reentry.py) lists its cases and calls main():

    CASE_FILE [--timeout SECONDS] [--list] [NAME...]

runs every case (or the named ones), one after the other, each in a child
process of its own (CASE_FILE --child NAME) with a hard timeout, and prints
one line per case: its outcome, its duration and what it counted. A child
that does not end in time gets SIGUSR1, on which it prints the Python stack
of each of its threads (faulthandler), then gdb prints the C stack of each
of its threads when gdb is installed, then it is killed (SIGKILL, by its
pid). The driver exits with 1 when a case failed, or when PyGObject, the
GStreamer or GstOpenTok typelibs or the signalbin plugin cannot be loaded,
saying what to install.

The helpers below are for the cases: every wait is bounded (a condition
variable, a thread join or main-context iterations, each with a deadline);
a wait that runs out raises Hang, which prints the stacks of the child's
threads before the case fails.
"""

import faulthandler
import gc
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

API_KEY = "123456"
API_SECRET = "reentry-secret"

DEFAULT_CASE_TIMEOUT = 60.0  # seconds, for a whole case in its process
WAIT = 20.0  # seconds, for any single event a case waits for

# Filled in by load_gi(), and set in the case's module by child_main().
GLib = GObject = Gst = GstOpenTok = None


class Failure(Exception):
    """What a case asserted did not happen."""


class Hang(Failure):
    """A bounded wait ran out: something did not return or never came."""


# ------------------------------------------------------------------------
# Loading the bindings


def load_gi():
    """Imports PyGObject, Gst and GstOpenTok; returns None, or what to
    install when one of them is missing."""
    global GLib, GObject, Gst, GstOpenTok
    try:
        import gi
    except ImportError:
        return (f"{sys.executable} has no PyGObject: install python3-gi "
                "(Debian), or run the tests with a Python that has it")
    try:
        gi.require_version("Gst", "1.0")
        from gi.repository import GLib as glib, GObject as gobject, \
            Gst as gst
    except (ValueError, ImportError) as e:
        return (f"no GStreamer typelib ({e}): install gir1.2-gstreamer-1.0")
    try:
        gi.require_version("GstOpenTok", "1.0")
        from gi.repository import GstOpenTok as gstopentok
    except (ValueError, ImportError) as e:
        return (f"no GstOpenTok-1.0 typelib ({e}) in GI_TYPELIB_PATH="
                f"{os.environ.get('GI_TYPELIB_PATH', '')}: configure the "
                "build with -Dintrospection=enabled, which needs "
                "gobject-introspection and libgirepository1.0-dev")
    GLib, GObject, Gst, GstOpenTok = glib, gobject, gst, gstopentok
    Gst.init(None)
    return None


def check_environment():
    """The driver's check before any case runs: None, or what is wrong."""
    missing = load_gi()
    if missing:
        return missing
    # the library the typelib loaded must be the one this build made, not
    # an installed one found first
    libdir = os.environ.get("GST_OPENTOK_EXPECT_LIBDIR")
    if libdir:
        GstOpenTok.Signal.new("t", "d")  # makes sure the library is loaded
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps
                     if "libgstopentok-1.0.so" in line}
        expected = os.path.realpath(libdir)
        if not any(os.path.dirname(os.path.realpath(p)) == expected
                   for p in paths):
            return (f"libgstopentok-1.0 was loaded from {sorted(paths)}, "
                    f"not from {libdir}: LD_LIBRARY_PATH must name the "
                    "build's gst/opentok")
    if Gst.ElementFactory.find("signalbin") is None:
        return ("no signalbin element in GST_PLUGIN_PATH_1_0="
                f"{os.environ.get('GST_PLUGIN_PATH_1_0', '')}")
    return None


# ------------------------------------------------------------------------
# Stacks


def c_stacks(pid):
    """The C stacks of every thread of @pid, from gdb; a note without it."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "(no C stacks: gdb is not installed)\n"
    try:
        out = subprocess.run(
            [gdb, "-p", str(pid), "-batch", "-nx",
             "-iex", "set debuginfod enabled off",
             "-ex", "thread apply all bt"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=60, text=True,
            errors="replace")
        return out.stdout
    except subprocess.TimeoutExpired:
        return "(gdb did not finish within 60 s)\n"


def dump_own_stacks(why):
    """In a child: the Python then the C stacks of all its threads."""
    print(f"--- {why}: Python stacks of every thread:", flush=True)
    faulthandler.dump_traceback(file=sys.stdout, all_threads=True)
    sys.stdout.flush()
    print("--- C stacks of every thread:", flush=True)
    print(c_stacks(os.getpid()), flush=True)


# ------------------------------------------------------------------------
# Bounded waits and records, for the cases


def check(condition, message):
    if not condition:
        raise Failure(message)


class Record:
    """What handlers saw, from any thread, with bounded waits on it.

    add() records an event and wakes the waiters (the main context too);
    a handler wrapped with guard() records its exception instead of losing
    it in PyGObject's traceback printing, and every wait then fails."""

    def __init__(self):
        self.cond = threading.Condition()
        self.events = []
        self.errors = []

    def add(self, kind, *values):
        with self.cond:
            self.events.append((kind,) + values)
            self.cond.notify_all()
        if GLib is not None:
            GLib.MainContext.default().wakeup()

    def all(self, kind):
        with self.cond:
            return [e[1:] for e in self.events if e[0] == kind]

    def count(self, kind):
        return len(self.all(kind))

    def has(self, kind):
        return self.count(kind) > 0

    def first(self, kind):
        found = self.all(kind)
        check(found, f"no {kind!r} event")
        return found[0]

    def guard(self, func):
        def guarded(*args):
            try:
                return func(*args)
            except BaseException as e:  # noqa: B902 - recorded, not lost
                with self.cond:
                    self.errors.append(
                        f"in {func.__name__}: {e!r}\n"
                        + traceback.format_exc())
                    self.cond.notify_all()
                if GLib is not None:
                    GLib.MainContext.default().wakeup()
                return None
        guarded.__name__ = func.__name__
        return guarded

    def check_errors(self):
        with self.cond:
            if self.errors:
                raise Failure("a handler failed:\n" + "\n".join(self.errors))

    def wait(self, predicate, what, timeout=WAIT):
        """Waits until predicate() holds, at most @timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if self.errors:
                    break
                if predicate():
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Hang(f"{what}: not within {timeout:.0f} s; "
                               f"events: {self.summary()}")
                self.cond.wait(left)
        self.check_errors()

    def wait_count(self, kind, n, timeout=WAIT):
        self.wait(lambda: self.count(kind) >= n,
                  f"{n} {kind!r} event(s)", timeout)

    def summary(self):
        with self.cond:
            kinds = {}
            for e in self.events:
                kinds[e[0]] = kinds.get(e[0], 0) + 1
        return ", ".join(f"{k}: {n}" for k, n in kinds.items()) or "none"

    def iterate_until(self, predicate, what, timeout=WAIT):
        """Iterates the default main context until predicate() holds: for
        callbacks dispatched there (the GIO-style async calls)."""
        context = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        # a source that keeps each blocking iteration short, so that the
        # deadline is kept even when nothing is dispatched
        tick = GLib.timeout_source_new(100)
        tick.set_callback(lambda *args: GLib.SOURCE_CONTINUE)
        tick.attach(context)
        try:
            while not predicate():
                self.check_errors()
                if time.monotonic() >= deadline:
                    raise Hang(f"{what}: not within {timeout:.0f} s; "
                               f"events: {self.summary()}")
                context.iteration(True)
        finally:
            tick.destroy()
        self.check_errors()


def _name_os_thread(name):
    # so that gdb's C stacks say which Python thread is which
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def thread(target, name, *args):
    """A daemon thread (started) whose OS name is @name."""
    def run():
        _name_os_thread(name)
        target(*args)
    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    return t


def call_bounded(func, what, timeout=WAIT):
    """Calls func() on a thread of its own and waits for it at most
    @timeout seconds: a call that does not return fails the case with the
    stacks of the threads instead of hanging it."""
    result = {}

    def run():
        try:
            result["value"] = func()
        except BaseException as e:  # noqa: B902 - re-raised below
            result["error"] = e

    caller = thread(run, "bounded-call")
    caller.join(timeout)
    if caller.is_alive():
        raise Hang(f"{what} did not return within {timeout:.0f} s")
    if "error" in result:
        raise result["error"]
    return result.get("value")


def join_bounded(threads, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        raise Hang(f"{what}: threads {alive} still running after "
                   f"{timeout:.0f} s")


def on_network_thread():
    return threading.get_ident() != threading.main_thread().ident


def error_code(error, quark):
    """The code of @error (a GLib.Error) when it is in @quark's domain."""
    check(error is not None, "no error where one was expected")
    check(error.domain == GLib.quark_to_string(quark),
          f"error {error.message!r} is in domain {error.domain}, not "
          f"{GLib.quark_to_string(quark)}")
    return error.code


# ------------------------------------------------------------------------
# The in-process server and clients


class Server:
    """A GstOpenTokServer of the case's own, on 127.0.0.1 and a free port."""

    def __init__(self, **props):
        self.server = GstOpenTok.Server.new(API_KEY, API_SECRET)
        self.server.set_property("host", "127.0.0.1")
        self.server.set_property("port", 0)
        for name, value in props.items():
            self.server.set_property(name.replace("_", "-"), value)

    def start(self):
        check(self.server.start(), "the server did not start")
        self.url = self.server.get_url()
        check(self.url and self.url.startswith("http://127.0.0.1:"),
              f"unexpected server URL {self.url}")
        return self

    def stop(self):
        call_bounded(self.server.stop, "server.stop()")

    def session(self):
        return self.server.create_session()

    def token(self, session_id, data, role=None):
        if role is None:
            role = GstOpenTok.Role.MODERATOR
        return self.server.generate_token(session_id, role, data)

    def client(self, session_id, data, role=None):
        return GstOpenTok.Client.new(self.url, API_KEY, session_id,
                                     self.token(session_id, data, role))


# PyGObject: GstOpenTok.Client's connect() and disconnect() (the session's)
# hide GObject.Object's; handlers are connected through GObject.Object.
def handle(obj, signal_name, handler, *args):
    return GObject.Object.connect(obj, signal_name, handler, *args)


class Peer:
    """A client that records what it sees: joined, left, connections and
    signals. Its handlers only record; the cases' own clients re-enter."""

    def __init__(self, server, session_id, data, role=None):
        self.data = data
        self.client = server.client(session_id, data, role)
        self.id = self.client.get_connection_id()
        self.rec = Record()
        r = self.rec
        handle(self.client, "session-connected",
               r.guard(lambda c: r.add("connected")))
        handle(self.client, "session-disconnected",
               r.guard(lambda c, reason, error:
                       r.add("disconnected", reason, error)))
        handle(self.client, "connection-created",
               r.guard(lambda c, conn:
                       r.add("created", conn.get_id(), conn.get_data())))
        handle(self.client, "connection-destroyed",
               r.guard(lambda c, conn, reason:
                       r.add("destroyed", conn.get_id(), reason)))
        handle(self.client, "signal-received",
               r.guard(lambda c, sig:
                       r.add("signal", sig.get_signal_type(),
                             sig.get_data(), sig.get_from())))

    def join(self):
        n = self.rec.count("connected")
        left = self.rec.count("disconnected")
        check(self.client.connect(None), f"{self.data}: connect failed")
        self.rec.wait(lambda: self.rec.count("connected") > n or
                      self.rec.count("disconnected") > left,
                      f"{self.data} joining")
        check(self.rec.count("connected") > n,
              f"{self.data} did not join: {self.rec.all('disconnected')}")
        return self

    def leave(self):
        call_bounded(self.client.disconnect, f"{self.data}: disconnect()")

    def signals(self, type_=None):
        return [s for s in self.rec.all("signal")
                if type_ is None or s[0] == type_]

    def wait_signals(self, n, type_=None, what=None):
        self.rec.wait(lambda: len(self.signals(type_)) >= n,
                      what or f"{self.data}: {n} signal(s) "
                      f"of type {type_}")


# ------------------------------------------------------------------------
# The child: one case


def child_main(cases, name):
    # a crash or an abort (G_DEBUG=fatal-criticals) prints the Python
    # stacks; SIGUSR1 from the driver too, when the case runs out of time
    faulthandler.enable(file=sys.stdout, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=sys.stdout, all_threads=True)
    result_path = os.environ.get("GST_OPENTOK_PY_RESULT")
    status = 1
    summary = ""
    try:
        missing = load_gi()
        if missing:
            raise Failure(missing)
        # the case's module sees the bindings under their usual names
        module = sys.modules[cases[name].__module__]
        for binding in ("GLib", "GObject", "Gst", "GstOpenTok"):
            setattr(module, binding, globals()[binding])
        summary = cases[name]() or ""
        # what the case made goes now, so that a dispose that hangs fails
        # the case (under its timeout) rather than the exit. First what
        # waits in the main context: the completions of the *_async calls
        context = GLib.MainContext.default()
        for _ in range(1000):
            if not context.iteration(False):
                break
        gc.collect()
        status = 0
    except Hang as e:
        summary = f"hung: {e}"
        print(summary, flush=True)
        dump_own_stacks("hung")
    except Failure as e:
        summary = f"failed: {e}"
        print(summary, flush=True)
    except Exception as e:  # noqa: B902 - any error fails the case
        summary = f"error: {e!r}"
        traceback.print_exc(file=sys.stdout)
    sys.stdout.flush()
    sys.stderr.flush()
    if result_path:
        with open(result_path, "w") as f:
            f.write(summary.splitlines()[0] if summary else "")
    # no interpreter teardown: what a case made went with gc.collect()
    # above, and a failed one may have threads stuck in the library
    os._exit(status)


# ------------------------------------------------------------------------
# The driver


def run_case(script, name, timeout, wrapper):
    with tempfile.TemporaryDirectory(prefix="gst-opentok-py-") as tmp:
        log_path = os.path.join(tmp, "log")
        result_path = os.path.join(tmp, "result")
        env = dict(os.environ, GST_OPENTOK_PY_RESULT=result_path,
                   PYTHONUNBUFFERED="1")
        start = time.monotonic()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                wrapper + [sys.executable, script, "--child", name],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env)
            stacks = ""
            try:
                rc = proc.wait(timeout)
                outcome = "PASS" if rc == 0 else (
                    f"CRASH (signal {-rc})" if rc < 0 else "FAIL")
            except subprocess.TimeoutExpired:
                outcome = "TIMEOUT"
                rc = None
                # the Python stacks (faulthandler in the child, on SIGUSR1),
                # then the C stacks, then the end: only of our own child,
                # by its pid
                os.kill(proc.pid, signal.SIGUSR1)
                try:
                    proc.wait(2)
                except subprocess.TimeoutExpired:
                    pass
                if proc.poll() is None:
                    stacks = c_stacks(proc.pid)
                    proc.kill()
                proc.wait()
        duration = time.monotonic() - start
        with open(log_path, "rb") as f:
            output = f.read().decode(errors="replace")
        summary = ""
        if os.path.exists(result_path):
            with open(result_path) as f:
                summary = f.read().strip()
        if outcome == "TIMEOUT":
            summary = (f"no end within {timeout:.0f} s; stacks of its "
                       "threads below")
    return outcome, duration, summary, output, stacks


def main(cases):
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--child":
        child_main(dict(cases), args[1])
        return 1  # not reached

    timeout = float(os.environ.get("GST_OPENTOK_PY_CASE_TIMEOUT",
                                   DEFAULT_CASE_TIMEOUT))
    verbose = "GST_OPENTOK_PY_VERBOSE" in os.environ
    # a command the children run under, such as valgrind
    wrapper = shlex.split(os.environ.get("GST_OPENTOK_PY_CHILD_WRAPPER", ""))
    names = []
    missing_note = None
    while args:
        arg = args.pop(0)
        if arg == "--timeout":
            timeout = float(args.pop(0))
        elif arg == "--missing":
            missing_note = args.pop(0)
        elif arg == "--verbose":
            verbose = True
        elif arg == "--list":
            print("\n".join(name for name, _ in cases))
            return 0
        else:
            names.append(arg)
    known = [name for name, _ in cases]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; the cases are: "
              f"{', '.join(known)}", file=sys.stderr)
        return 2

    # a missing dependency fails, loudly, rather than skipping
    if missing_note:
        print(f"FAIL: cannot run the PyGObject tests: {missing_note}",
              file=sys.stderr)
        return 1
    problem = check_environment()
    if problem:
        print(f"FAIL: cannot run the PyGObject tests: {problem}",
              file=sys.stderr)
        return 1

    script = os.path.abspath(sys.modules["__main__"].__file__)
    failed = []
    total = time.monotonic()
    for name in names or known:
        outcome, duration, summary, output, stacks = run_case(
            script, name, timeout, wrapper)
        print(f"{outcome:<8} {name:<34} {duration:6.2f} s  {summary}",
              flush=True)
        if outcome != "PASS":
            failed.append(name)
        if outcome != "PASS" or verbose:
            for line in output.splitlines():
                print(f"    | {line}")
            if stacks:
                print("    --- C stacks of every thread (gdb):")
                for line in stacks.splitlines():
                    print(f"    | {line}")
            sys.stdout.flush()
    ran = len(names or known)
    print(f"{ran - len(failed)} of {ran} cases passed in "
          f"{time.monotonic() - total:.1f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""),
          flush=True)
    return 1 if failed else 0
