#!/usr/bin/env python3
# GStreamer OpenTok signaling
# Copyright (C) 2026 The gst-opentok authors
#
# This library is free software; you can redistribute it and/or
# modify it under the terms of the GNU Library General Public
# License as published by the Free Software Foundation; either
# version 2.1 of the License, or (at your option) any later version.

"""A video pipeline that the members of an OpenTok session steer with signals.

The Python twin of examples/c/remote-control.c. It plays
`videotestsrc ! timeoverlay ! autovideosink` and joins the session with a
signalbin. Signals of type "control" with the data "pause", "resume" or
"quit" pause or resume the video, or stop the program; each is answered, to
its sender alone, with a signal of type "status" ("paused", "playing" or
"quitting").

    GI_TYPELIB_PATH=build/gst/opentok LD_LIBRARY_PATH=build/gst/opentok \\
    GST_PLUGIN_PATH=build/plugin \\
    python3 examples/python/remote_control.py \\
        --api-url http://127.0.0.1:3000 --api-key 123456 \\
        --session-id SESSION --token TOKEN

Needs python3-gi and gir1.2-gstreamer-1.0, and the GstOpenTok typelib (built
with the library) to read the signals. With GST_OPENTOK_EXAMPLE_HEADLESS set,
or without a display, the video goes to a fakesink.
"""

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstOpenTok", "1.0")
from gi.repository import GLib, Gst, GstOpenTok  # noqa: E402


class RemoteControl:
    def __init__(self, args):
        headless = "GST_OPENTOK_EXAMPLE_HEADLESS" in os.environ or not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        sink = "fakesink sync=true" if headless else "autovideosink"
        # is-live: the source runs on the clock, like a camera, so pausing
        # and resuming take effect at once
        self.media = Gst.parse_launch(
            f"videotestsrc is-live=true ! timeoverlay ! {sink}")

        self.signalbin = Gst.ElementFactory.make("signalbin", None)
        if self.signalbin is None:
            raise RuntimeError("No signalbin element: set GST_PLUGIN_PATH to "
                               "the directory of the gst-opentok plugin")
        self.signalbin.set_property("api-key", args.api_key)
        self.signalbin.set_property("session-id", args.session_id)
        if args.api_url:
            self.signalbin.set_property("api-url", args.api_url)
        if args.token:
            self.signalbin.set_property("token", args.token)
        else:
            self.signalbin.set_property("api-secret", args.api_secret)
            self.signalbin.set_property("connection-data",
                                        "name=remote-control")
        # The signalbin lives in a pipeline of its own: pausing the video
        # then never touches the session.
        self.control = Gst.Pipeline.new("control")
        self.control.add(self.signalbin)

        # the detail keeps out every type but "control"
        self.signalbin.connect("signal-received::control", self.on_control)

        self.loop = GLib.MainLoop()
        self.status = 0
        for pipeline in (self.media, self.control):
            bus = pipeline.get_bus()
            bus.add_signal_watch()
            bus.connect("message", self.on_message)

    def on_control(self, signalbin, sig):
        # On the signalbin's network thread: handlers there must not block
        # nor change states, so the work goes to the main loop. `sig` is a
        # GstOpenTok.Signal, readable thanks to the GstOpenTok typelib.
        if sig.is_from_self():
            return
        GLib.idle_add(self.run_command, sig.get_data() or "", sig.get_from())

    def run_command(self, command, sender):
        print(f'control "{command}" from {sender or "the server"}',
              flush=True)
        if command == "pause":
            # a live pipeline pauses at once (NO_PREROLL): no waiting
            ret = self.media.set_state(Gst.State.PAUSED)
            failed = ret == Gst.StateChangeReturn.FAILURE
            self.send_status(sender, "error" if failed else "paused")
        elif command == "resume":
            ret = self.media.set_state(Gst.State.PLAYING)
            failed = ret == Gst.StateChangeReturn.FAILURE
            self.send_status(sender, "error" if failed else "playing")
        elif command == "quit":
            self.send_status(sender, "quitting", quit_after=True)
        else:
            self.send_status(sender, "unknown command")
        return GLib.SOURCE_REMOVE

    def send_status(self, to, status, quit_after=False):
        # "to" targets the sender alone; without it the whole session gets it
        reply = Gst.Structure.new_empty(GstOpenTok.SIGNAL_STRUCTURE_NAME)
        reply.set_value("type", "status")
        reply.set_value("data", status)
        if to:
            reply.set_value("to", to)

        # A change function rather than promise.wait(): the main loop never
        # blocks on the network. It runs on the thread that replies.
        def on_sent(promise):
            result = promise.get_reply()
            if result is None:
                print(f'status "{status}": no answer', file=sys.stderr)
            elif result.has_field("error"):
                # the code is OpenTok's: 404 when the sender left, ...
                error = result.get_value("error")
                print(f'status "{status}" refused ({error.code}): '
                      f"{error.message}", file=sys.stderr)
            else:
                print(f'status "{status}" sent', flush=True)
            # quit once the last answer has gone, so that the sender gets it
            if quit_after:
                self.loop.quit()

        promise = Gst.Promise.new_with_change_func(on_sent)
        self.signalbin.emit("send-signal", reply, promise)

    def on_message(self, bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(f"error from {message.src.get_name()}: {error.message}",
                  file=sys.stderr)
            if debug:
                print(f"  {debug}", file=sys.stderr)
            self.status = 1
            self.loop.quit()
        elif message.has_name("opentok-session-connected"):
            connection_id = message.get_structure().get_string("connection-id")
            print(f"joined the session as {connection_id}", flush=True)

    def run(self):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT,
                             self.loop.quit)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM,
                             self.loop.quit)
        try:
            if (self.control.set_state(Gst.State.PLAYING)
                    == Gst.StateChangeReturn.FAILURE
                    or self.media.set_state(Gst.State.PLAYING)
                    == Gst.StateChangeReturn.FAILURE):
                print("Could not start the pipelines", file=sys.stderr)
                return 1
            self.loop.run()
            return self.status
        finally:
            # NULL leaves the session cleanly: the others see the connection
            # go
            self.control.set_state(Gst.State.NULL)
            self.media.set_state(Gst.State.NULL)
            for pipeline in (self.media, self.control):
                pipeline.get_bus().remove_signal_watch()


def main():
    parser = argparse.ArgumentParser(
        description="Video that OpenTok signals control")
    parser.add_argument("--api-url", help="session-info URL "
                        "(default: the OpenTok cloud)")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--session-id", required=True)
    parser.add_argument("--token", help="client token")
    parser.add_argument("--api-secret",
                        help="API secret, to make a token instead of --token")
    args = parser.parse_args()
    if not args.token and not args.api_secret:
        parser.error("--token or --api-secret is required")

    Gst.init(None)
    try:
        app = RemoteControl(args)
    except (GLib.Error, RuntimeError) as e:
        print(e, file=sys.stderr)
        return 1
    return app.run()


if __name__ == "__main__":
    sys.exit(main())
