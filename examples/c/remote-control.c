/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* remote-control: a video pipeline that the members of an OpenTok session
 * steer with signals.
 *
 * It plays `videotestsrc ! timeoverlay ! autovideosink` and joins the session
 * with a signalbin. Any member (a browser running opentok.js, a server using
 * the REST API, another GStreamer pipeline) sends it signals of type
 * "control" with the data "pause", "resume" or "quit"; it pauses or resumes
 * the video, or stops, and answers the sender alone with a signal of type
 * "status" ("paused", "playing" or "quitting").
 *
 *   remote-control --api-url http://127.0.0.1:3000 --api-key 123456 \
 *       --session-id SESSION --token TOKEN
 *
 * With GST_OPENTOK_EXAMPLE_HEADLESS set, or without a display, the video goes
 * to a fakesink.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/opentok/opentok.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *media;            /* the video pipeline */
  GstElement *control;          /* its own pipeline, holding the signalbin */
  GstElement *signalbin;
  int status;                   /* exit status */
} App;

/* A command taken from the network thread to the main loop. */
typedef struct
{
  App *app;
  gchar *command;
  gchar *from;                  /* NULL when the server sent it */
} Command;

/* A reply in flight: what its promise needs when it completes. */
typedef struct
{
  App *app;
  gchar *status;
  gboolean quit_after;
} Reply;

static void
command_free (Command * command)
{
  g_free (command->command);
  g_free (command->from);
  g_free (command);
}

static void
reply_free (Reply * reply)
{
  g_free (reply->status);
  g_free (reply);
}

static gboolean
headless (void)
{
  if (g_getenv ("GST_OPENTOK_EXAMPLE_HEADLESS") != NULL)
    return TRUE;
  return g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL;
}

/* Called from the thread that replies to the promise: the network thread of
 * the signalbin, or this one when the signal was refused before sending. */
static void
on_reply_sent (GstPromise * promise, gpointer user_data)
{
  Reply *reply = user_data;
  const GstStructure *result = gst_promise_get_reply (promise);
  GError *error = NULL;

  if (result == NULL) {
    g_printerr ("status \"%s\": no answer\n", reply->status);
  } else if (gst_structure_get (result, "error", G_TYPE_ERROR, &error, NULL)) {
    /* the code is OpenTok's: 404 when the sender left meanwhile, ... */
    g_printerr ("status \"%s\" refused (%d): %s\n", reply->status,
        error->code, error->message);
    g_error_free (error);
  } else {
    g_print ("status \"%s\" sent\n", reply->status);
  }

  /* quit once the last answer has gone, so that the sender gets it */
  if (reply->quit_after)
    g_main_loop_quit (reply->app->loop);
}

static void
send_status (App * app, const gchar * to, const gchar * status,
    gboolean quit_after)
{
  GstStructure *signal;
  GstPromise *promise;
  Reply *reply;

  /* "to" targets the sender alone; without it the whole session gets it */
  signal = gst_structure_new (GST_OPENTOK_SIGNAL_STRUCTURE_NAME,
      "type", G_TYPE_STRING, "status", "data", G_TYPE_STRING, status,
      "to", G_TYPE_STRING, to, NULL);

  reply = g_new0 (Reply, 1);
  reply->app = app;
  reply->status = g_strdup (status);
  reply->quit_after = quit_after;
  /* a change function rather than gst_promise_wait(): the main loop never
   * blocks on the network */
  promise = gst_promise_new_with_change_func (on_reply_sent, reply,
      (GDestroyNotify) reply_free);

  g_signal_emit_by_name (app->signalbin, "send-signal", signal, promise);
  gst_structure_free (signal);
  gst_promise_unref (promise);
}

/* In the main loop: act on a command and answer it. */
static gboolean
run_command (gpointer user_data)
{
  Command *command = user_data;
  App *app = command->app;

  g_print ("control \"%s\" from %s\n", command->command,
      command->from ? command->from : "the server");

  if (strcmp (command->command, "pause") == 0) {
    /* a live pipeline pauses at once (NO_PREROLL): no waiting */
    if (gst_element_set_state (app->media, GST_STATE_PAUSED) ==
        GST_STATE_CHANGE_FAILURE)
      send_status (app, command->from, "error", FALSE);
    else
      send_status (app, command->from, "paused", FALSE);
  } else if (strcmp (command->command, "resume") == 0) {
    if (gst_element_set_state (app->media, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE)
      send_status (app, command->from, "error", FALSE);
    else
      send_status (app, command->from, "playing", FALSE);
  } else if (strcmp (command->command, "quit") == 0) {
    send_status (app, command->from, "quitting", TRUE);
  } else {
    send_status (app, command->from, "unknown command", FALSE);
  }

  return G_SOURCE_REMOVE;
}

/* "signal-received::control", on the signalbin's network thread: handlers
 * there must not block nor change states, so the work goes to the main
 * loop. */
static void
on_control (GstElement * signalbin, GstOpenTokSignal * signal, App * app)
{
  Command *command;

  /* a command to the whole session comes back to us too: ours are replies,
   * never commands, but stay safe */
  if (gst_opentok_signal_is_from_self (signal))
    return;

  command = g_new0 (Command, 1);
  command->app = app;
  command->command = g_strdup (gst_opentok_signal_get_data (signal));
  command->from = g_strdup (gst_opentok_signal_get_from (signal));
  if (command->command == NULL)
    command->command = g_strdup ("");
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, run_command, command,
      (GDestroyNotify) command_free);
}

static gboolean
on_message (GstBus * bus, GstMessage * message, gpointer user_data)
{
  App *app = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      GError *error = NULL;
      gchar *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      g_printerr ("error from %s: %s\n", GST_OBJECT_NAME (message->src),
          error->message);
      if (debug != NULL)
        g_printerr ("  %s\n", debug);
      g_error_free (error);
      g_free (debug);
      app->status = EXIT_FAILURE;
      g_main_loop_quit (app->loop);
      break;
    }
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (message, "opentok-session-connected")) {
        const GstStructure *s = gst_message_get_structure (message);

        g_print ("joined the session as %s\n",
            gst_structure_get_string (s, "connection-id"));
      }
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  App *app = user_data;

  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static GstElement *
make_media_pipeline (GError ** error)
{
  const gchar *sink = headless ()? "fakesink sync=true" : "autovideosink";
  gchar *description;
  GstElement *pipeline;

  /* is-live: the source runs on the clock, like a camera, so pausing and
   * resuming take effect at once */
  description = g_strdup_printf ("videotestsrc is-live=true ! timeoverlay ! "
      "%s", sink);
  pipeline = gst_parse_launch (description, error);
  g_free (description);
  return pipeline;
}

int
main (int argc, char **argv)
{
  gchar *api_url = NULL, *api_key = NULL, *session_id = NULL;
  gchar *token = NULL, *api_secret = NULL;
  GOptionEntry entries[] = {
    {"api-url", 0, 0, G_OPTION_ARG_STRING, &api_url,
        "Session-info URL (default: the OpenTok cloud)", "URL"},
    {"api-key", 0, 0, G_OPTION_ARG_STRING, &api_key, "API key", "KEY"},
    {"session-id", 0, 0, G_OPTION_ARG_STRING, &session_id, "Session id",
        "ID"},
    {"token", 0, 0, G_OPTION_ARG_STRING, &token, "Client token", "TOKEN"},
    {"api-secret", 0, 0, G_OPTION_ARG_STRING, &api_secret,
        "API secret, to make a token instead of --token", "SECRET"},
    {NULL}
  };
  GOptionContext *options;
  GError *error = NULL;
  App app = { NULL, };
  GstBus *media_bus = NULL, *control_bus = NULL;

  options = g_option_context_new ("- video that OpenTok signals control");
  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, gst_init_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    g_option_context_free (options);
    return EXIT_FAILURE;
  }
  g_option_context_free (options);

  app.status = EXIT_FAILURE;
  if (api_key == NULL || session_id == NULL
      || (token == NULL && api_secret == NULL)) {
    g_printerr ("--api-key, --session-id and --token (or --api-secret) "
        "are required\n");
    goto out;
  }

  app.media = make_media_pipeline (&error);
  app.signalbin = gst_element_factory_make ("signalbin", NULL);
  if (error != NULL) {
    g_printerr ("Could not make the video pipeline: %s\n", error->message);
    g_error_free (error);
    goto out;
  }
  if (app.signalbin == NULL) {
    g_printerr ("No signalbin element: set GST_PLUGIN_PATH to the directory "
        "of the gst-opentok plugin\n");
    goto out;
  }

  /* The signalbin lives in a pipeline of its own: pausing the video then
   * never touches the session. */
  g_object_set (app.signalbin, "api-key", api_key, "session-id", session_id,
      NULL);
  if (api_url != NULL)
    g_object_set (app.signalbin, "api-url", api_url, NULL);
  if (token != NULL)
    g_object_set (app.signalbin, "token", token, NULL);
  else
    g_object_set (app.signalbin, "api-secret", api_secret,
        "connection-data", "name=remote-control", NULL);
  app.control = gst_pipeline_new ("control");
  gst_bin_add (GST_BIN (app.control), app.signalbin);

  /* the detail keeps out every type but "control" */
  g_signal_connect (app.signalbin, "signal-received::control",
      G_CALLBACK (on_control), &app);

  app.loop = g_main_loop_new (NULL, FALSE);
  media_bus = gst_element_get_bus (app.media);
  gst_bus_add_watch (media_bus, on_message, &app);
  control_bus = gst_element_get_bus (app.control);
  gst_bus_add_watch (control_bus, on_message, &app);
  g_unix_signal_add (SIGINT, on_interrupt, &app);
  g_unix_signal_add (SIGTERM, on_interrupt, &app);

  if (gst_element_set_state (app.control, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE
      || gst_element_set_state (app.media, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("Could not start the pipelines\n");
    goto out;
  }

  /* an error message sets a failure status before quitting */
  app.status = EXIT_SUCCESS;
  g_main_loop_run (app.loop);

out:
  /* NULL leaves the session cleanly: the others see the connection go */
  if (app.control != NULL) {
    gst_element_set_state (app.control, GST_STATE_NULL);
    gst_object_unref (app.control);
  } else if (app.signalbin != NULL) {
    gst_object_unref (gst_object_ref_sink (app.signalbin));
  }
  if (app.media != NULL) {
    gst_element_set_state (app.media, GST_STATE_NULL);
    gst_object_unref (app.media);
  }
  if (media_bus != NULL) {
    gst_bus_remove_watch (media_bus);
    gst_object_unref (media_bus);
  }
  if (control_bus != NULL) {
    gst_bus_remove_watch (control_bus);
    gst_object_unref (control_bus);
  }
  if (app.loop != NULL)
    g_main_loop_unref (app.loop);
  g_free (api_url);
  g_free (api_key);
  g_free (session_id);
  g_free (token);
  g_free (api_secret);
  return app.status;
}
