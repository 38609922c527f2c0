/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Runs a fuzz target's LLVMFuzzerTestOneInput() over files, without
 * libFuzzer: every file of each directory argument (sorted by name, not
 * recursively; names starting with '.' or "README" skipped) and every file
 * argument. A crash, an abort or a sanitizer report fails the run, as in
 * the fuzzer; so the corpora and the regression inputs run in the normal
 * test suite with any compiler.
 *
 * Inputs run on a thread with a stack of REPLAY_STACK_SIZE, smaller than
 * the main thread's 8 MiB: the server and the client parse on threads of
 * their own, which may get less, and input that recurses too deep must be
 * refused before it gets that far.
 *
 *   fuzz_replay_<target> DIR_OR_FILE...
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <stdio.h>

#include "fuzz-common.h"

#define REPLAY_STACK_SIZE (2 * 1024 * 1024)

typedef struct
{
  const guint8 *data;
  gsize length;
} Input;

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar **) a, *(const gchar **) b);
}

static gpointer
run_input (gpointer data)
{
  Input *input = data;

  LLVMFuzzerTestOneInput (input->data, input->length);
  return NULL;
}

static gboolean
run_file (const gchar * path)
{
  GError *error = NULL;
  pthread_attr_t attr;
  pthread_t thread;
  gboolean ok;
  Input input;
  gchar *contents;
  guint8 *copy;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error)) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    return FALSE;
  }
  /* a copy of the exact size, without the terminating NUL that
   * g_file_get_contents() adds, so that AddressSanitizer sees a read past
   * the end as it does under libFuzzer (which never passes NULL) */
  copy = g_malloc (MAX (length, 1));
  memcpy (copy, contents, length);
  g_free (contents);
  g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, length);
  input.data = copy;
  input.length = length;
  ok = pthread_attr_init (&attr) == 0 &&
      pthread_attr_setstacksize (&attr, REPLAY_STACK_SIZE) == 0 &&
      pthread_create (&thread, &attr, run_input, &input) == 0 &&
      pthread_join (thread, NULL) == 0;
  pthread_attr_destroy (&attr);
  if (!ok)
    g_printerr ("cannot start a thread to run %s\n", path);
  g_free (copy);
  return ok;
}

static gboolean
run_dir (const gchar * path, guint * count)
{
  GError *error = NULL;
  GPtrArray *names;
  const gchar *name;
  gboolean ok = TRUE;
  GDir *dir;
  guint i;

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL) {
    g_printerr ("%s\n", error->message);
    g_error_free (error);
    return FALSE;
  }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (name[0] == '.' || g_str_has_prefix (name, "README"))
      continue;
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  }
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);

  for (i = 0; i < names->len && ok; i++) {
    const gchar *file = g_ptr_array_index (names, i);

    if (g_file_test (file, G_FILE_TEST_IS_DIR))
      continue;
    ok = run_file (file);
    (*count)++;
  }
  g_ptr_array_unref (names);
  return ok;
}

int
main (int argc, char **argv)
{
  guint count = 0;
  gint i;

  if (argc < 2) {
    g_printerr ("usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }

  for (i = 1; i < argc; i++) {
    gboolean ok;

    if (g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
      ok = run_dir (argv[i], &count);
    } else {
      ok = run_file (argv[i]);
      count++;
    }
    if (!ok)
      return 1;
  }
  g_print ("%u inputs replayed, no crash\n", count);
  return 0;
}
