/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* gst-opentok-server: the embedded OpenTok-compatible signaling server as a
 * command-line program. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib-unix.h>
#include <gst/opentok/opentok.h>
/* in-tree: the Rumor path it prints is not API */
#include <gst/opentok/gstopentokserver-private.h>

#include "quiet-libsoup.h"

#define SECRET_ENV "OPENTOK_API_SECRET"

static const gchar description[] =
    "Serves the OpenTok client protocol (session info, Rumor WebSocket) and\n"
    "the signaling REST API, so that opentok.js, the OpenTok server SDKs and\n"
    "GStreamer's signalbin meet in one session without a cloud account.\n"
    "\n"
    "Point the clients at the URL it prints:\n"
    "  opentok.js   window.OTProperties = { apiURL: URL, loggingURL: URL };\n"
    "               set before opentok.js is loaded\n"
    "  Node SDK     new OpenTok(apiKey, apiSecret, { apiUrl: URL })\n"
    "  signalbin    signalbin api-url=URL api-key=KEY session-id=ID token=T\n"
    "\n"
    "The API secret comes from --api-secret, else from the environment\n"
    "variable " SECRET_ENV ", else a random one is made and printed.\n"
    "Once listening it prints the URLs, a ready session id and a publisher\n"
    "token for it; SIGINT or SIGTERM stop it cleanly.";

static gboolean
on_stop_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gchar *
random_secret_new (void)
{
  GString *secret = g_string_sized_new (40);
  guint i;

  for (i = 0; i < 40; i++)
    g_string_append_c (secret, "0123456789abcdef"[g_random_int_range (0, 16)]);
  return g_string_free (secret, FALSE);
}

int
main (int argc, char **argv)
{
  /* GOption replaces a string option without freeing what was there: the
   * defaults of string options are applied after parsing */
  gchar *host = NULL, *api_key = NULL, *api_secret = NULL;
  gchar *public_url = NULL, *session_id = NULL, *token = NULL, *url;
  gchar *tls_cert = NULL, *tls_key = NULL, *redis_url = NULL, *set_url;
  GTlsCertificate *certificate = NULL;
  gint port = 3000, max_frame_size = 64 * 1024;
  gint signal_burst = 1000, liveness = 10000, reconnect_window = 40000;
  gint max_pending = 4096, max_connections = 16384, io_threads = 8;
  gint cluster_lease = 10000, history = 0, history_ttl = 0;
  gint64 max_pending_bytes = 16 * 1024 * 1024;
  gdouble signal_rate = 500;
  gboolean secret_generated = FALSE;
  GOptionEntry entries[] = {
    {"host", 0, 0, G_OPTION_ARG_STRING, &host,
        "Address to listen on (default 127.0.0.1; 0.0.0.0 for all)", "ADDR"},
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
        "TCP port (default 3000; 0 picks a free one)", "PORT"},
    {"api-key", 'k', 0, G_OPTION_ARG_STRING, &api_key,
        "The API key (project id) served (required)", "KEY"},
    {"api-secret", 's', 0, G_OPTION_ARG_STRING, &api_secret,
          "The API secret (default: $" SECRET_ENV ", else generated)",
        "SECRET"},
    {"public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
        "Base URL clients reach the server at, when not the one they ask "
          "(e.g. behind a proxy)", "URL"},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
        "PEM certificate to serve https and wss with (with --tls-key)", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
        "PEM private key of --tls-cert", "FILE"},
    {"max-frame-size", 0, 0, G_OPTION_ARG_INT, &max_frame_size,
        "Largest Rumor frame accepted, in bytes (default 65536)", "BYTES"},
    {"signal-rate", 0, 0, G_OPTION_ARG_DOUBLE, &signal_rate,
        "Signals per second a connection may send, beyond its burst; "
          "more get 429 (default 500; 0 = no limit)", "RATE"},
    {"signal-burst", 0, 0, G_OPTION_ARG_INT, &signal_burst,
        "Signals a connection may send at once (default 1000)", "N"},
    {"liveness-timeout", 0, 0, G_OPTION_ARG_INT, &liveness,
          "Milliseconds of silence before a socket is closed (default 10000)",
        "MS"},
    {"reconnect-window", 0, 0, G_OPTION_ARG_INT, &reconnect_window,
        "Milliseconds a lost connection waits for its client to reconnect "
          "(default 40000)", "MS"},
    {"max-pending-messages", 0, 0, G_OPTION_ARG_INT, &max_pending,
        "Unacknowledged messages kept per connection before it is dropped "
          "(default 4096)", "N"},
    {"max-pending-bytes", 0, 0, G_OPTION_ARG_INT64, &max_pending_bytes,
        "Bytes of unacknowledged messages kept per connection before it is "
          "dropped (default 16777216)", "BYTES"},
    {"max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections,
        "Rumor WebSockets open at once; more are closed with 1008 "
          "(default 16384)", "N"},
    {"io-threads", 0, 0, G_OPTION_ARG_INT, &io_threads,
        "Threads reading and writing the WebSockets (default 8)", "N"},
    {"redis-url", 0, 0, G_OPTION_ARG_STRING, &redis_url,
          "Share the sessions with every server of the same API key and "
          "secret on this Redis (see docs/cluster.md)",
        "redis://HOST:PORT[/DB]"},
    {"history", 0, 0, G_OPTION_ARG_INT, &history,
        "Last broadcast signals of a session a joiner receives after the "
          "session's state (0 = none, at most 1000; default 0)", "N"},
    {"history-ttl", 0, 0, G_OPTION_ARG_INT, &history_ttl,
          "Seconds a signal stays in that history (0 = no limit; default 0)",
        "SECONDS"},
    {"cluster-lease", 0, 0, G_OPTION_ARG_INT, &cluster_lease,
        "With --redis-url: milliseconds a node counts as alive after it "
          "last told Redis (default 10000)", "MS"},
    {NULL}
  };
  struct rlimit files;
  GOptionContext *options;
  GstOpenTokServer *server;
  GError *error = NULL;
  GMainLoop *loop;
  int status = EXIT_FAILURE;

  options = g_option_context_new ("- OpenTok-compatible signaling server");
  g_option_context_set_description (options, description);
  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, gst_init_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    g_option_context_free (options);
    return EXIT_FAILURE;
  }
  g_option_context_free (options);

  quiet_libsoup_debug ();

  if (api_key == NULL || *api_key == '\0') {
    g_printerr ("--api-key is required (any decimal id, e.g. 123456)\n");
    goto out;
  }
  if (port < 0 || port > 65535) {
    g_printerr ("--port must be between 0 and 65535\n");
    goto out;
  }
  if (max_connections < 1 || max_pending < 16 || max_pending_bytes < 65536) {
    g_printerr ("--max-connections must be at least 1, --max-pending-messages "
        "16 and --max-pending-bytes 65536\n");
    goto out;
  }
  if (history < 0 || history > 1000 || history_ttl < 0) {
    g_printerr ("--history must be between 0 and 1000, --history-ttl at "
        "least 0\n");
    goto out;
  }
  if (cluster_lease < 300) {
    g_printerr ("--cluster-lease must be at least 300\n");
    goto out;
  }
  if (io_threads < 1 || io_threads > 64) {
    g_printerr ("--io-threads must be between 1 and 64\n");
    goto out;
  }
  /* every connection is a file descriptor: allow what the system allows */
  if (getrlimit (RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit (RLIMIT_NOFILE, &files);
  }
  if (host == NULL)
    host = g_strdup ("127.0.0.1");
  if (api_secret == NULL && g_getenv (SECRET_ENV) != NULL)
    api_secret = g_strdup (g_getenv (SECRET_ENV));
  if (api_secret == NULL || *api_secret == '\0') {
    g_free (api_secret);
    api_secret = random_secret_new ();
    secret_generated = TRUE;
  }

  if ((tls_cert == NULL) != (tls_key == NULL)) {
    g_printerr ("--tls-cert and --tls-key go together\n");
    goto out;
  }
  if (tls_cert != NULL) {
    certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
    if (certificate == NULL) {
      g_printerr ("Could not load the TLS certificate: %s\n", error->message);
      g_error_free (error);
      goto out;
    }
  }

  server = gst_opentok_server_new (api_key, api_secret);
  g_object_set (server, "tls-certificate", certificate, NULL);
  g_object_set (server, "host", host, "port", (guint) port,
      "public-url", public_url, "max-frame-size", (guint) max_frame_size,
      "signal-rate", signal_rate, "signal-burst", (guint) signal_burst,
      "liveness-timeout", (guint) liveness,
      "reconnect-window", (guint) reconnect_window,
      "max-pending-messages", (guint) max_pending,
      "max-pending-bytes", (guint64) max_pending_bytes,
      "max-connections", (guint) max_connections,
      "io-threads", (guint) io_threads, "redis-url", redis_url,
      "cluster-lease", (guint) cluster_lease, "history", (guint) history,
      "history-ttl", (guint) history_ttl, NULL);
  g_object_get (server, "redis-url", &set_url, NULL);
  if (redis_url != NULL && *redis_url != '\0' && set_url == NULL) {
    g_printerr ("--redis-url: '%s' is not redis://HOST[:PORT][/DB], or this "
        "build has no Redis support\n", redis_url);
    gst_object_unref (server);
    goto out;
  }
  g_free (set_url);
  if (redis_url != NULL && secret_generated)
    g_printerr ("warning: --redis-url without --api-secret: the other "
        "servers of the cluster will refuse this one's tokens\n");
  if (!gst_opentok_server_start (server, &error)) {
    g_printerr ("Could not start the server: %s\n", error->message);
    g_error_free (error);
    gst_object_unref (server);
    goto out;
  }

  session_id = gst_opentok_server_create_session (server);
  token = gst_opentok_server_generate_token (server, session_id,
      GST_OPENTOK_ROLE_PUBLISHER, NULL, &error);
  if (token == NULL) {
    g_printerr ("Could not make a token: %s\n", error->message);
    g_error_free (error);
    gst_object_unref (server);
    goto out;
  }
  url = gst_opentok_server_get_url (server);
  g_print ("gst-opentok-server " VERSION " serving on %s\n", url);
  g_print ("  opentok.js       window.OTProperties = { apiURL: \"%s\" }\n",
      url);
  g_print ("  Node SDK         new OpenTok(apiKey, apiSecret, "
      "{ apiUrl: \"%s\" })\n", url);
  g_print ("  Rumor WebSocket  ws%s%s (or from --public-url)\n",
      url + strlen ("http"), GST_OPENTOK_SERVER_RUMOR_PATH);
  g_print ("  health, metrics  %s/healthz  %s/metrics\n", url, url);
  g_print ("api key:    %s\n", api_key);
  if (secret_generated)
    g_print ("api secret: %s\n", api_secret);
  g_print ("session id: %s\n", session_id);
  g_print ("token:      %s\n", token);
  fflush (stdout);
  g_free (url);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_stop_signal, loop);
  g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);

  g_print ("stopping\n");
  gst_opentok_server_stop (server);
  gst_object_unref (server);
  status = EXIT_SUCCESS;

out:
  g_clear_object (&certificate);
  g_free (tls_cert);
  g_free (tls_key);
  g_free (host);
  g_free (api_key);
  if (api_secret)
    memset (api_secret, 0, strlen (api_secret));
  g_free (api_secret);
  g_free (public_url);
  g_free (redis_url);
  g_free (session_id);
  g_free (token);
  return status;
}
