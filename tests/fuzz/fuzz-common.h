/* GStreamer OpenTok signaling
 * Copyright (C) 2026 The gst-opentok authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What every fuzz target shares. A target defines LLVMFuzzerTestOneInput()
 * and calls fuzz_init() first; it is linked either with libFuzzer
 * (-Dfuzzing=true, clang) or with replay.c, which runs it over the files
 * of a corpus (the normal test suite). */

#ifndef __GST_OPENTOK_FUZZ_COMMON_H__
#define __GST_OPENTOK_FUZZ_COMMON_H__

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

G_BEGIN_DECLS

/* The API key and session of tests/check/libs/token.c, whose vectors the
 * token corpora start from. The secret is not theirs: the targets check
 * that no error message contains it, and error messages quote at most 40
 * bytes of the input, so a longer secret can only appear there by a leak.
 * (The SDK vectors, signed with the 40-byte test secret, still exercise
 * everything before the signature check; the targets sign their own
 * tokens for what comes after.) */
#define FUZZ_API_KEY "123456"
#define FUZZ_API_SECRET \
  "fuzz-secret-0123456789abcdef0123456789abcdef0123456789abcdef0123"
#define FUZZ_SESSION_ID \
  "1_MX4xMjM0NTZ-fjE3OTU0NjU0Nzk3MjV-ZTliOTQ1M2VlZTZjOWFmMTZjfg"
/* a time at which the vectors are valid */
#define FUZZ_NOW G_GINT64_CONSTANT (1795465490)

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* Criticals and warnings abort, so that the fuzzer reports them as crashes
 * (network input must never raise one); GStreamer is initialised without
 * a plugin registry. */
static inline void
fuzz_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    g_setenv ("GST_REGISTRY_DISABLE", "yes", TRUE);
    g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    gst_init (NULL, NULL);
    g_once_init_leave (&initialized, 1);
  }
}

/* @data in base64url without padding, as JWTs have it. */
static inline gchar *
fuzz_base64url (const gchar * data, gsize len)
{
  gchar *text = g_base64_encode ((const guchar *) data, len);
  gchar *p;

  for (p = text; *p != '\0'; p++) {
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
    else if (*p == '=')
      *p = '\0';
  }
  return text;
}

/* A JWT of @header and @claims (any bytes), signed with HS256 under
 * FUZZ_API_SECRET: the targets sign what they make, so that what comes
 * after the signature check is fuzzed too. */
static inline gchar *
fuzz_sign_jwt (const gchar * header, gsize header_len, const gchar * claims,
    gsize claims_len)
{
  gchar *header_b64, *claims_b64, *input, *signature, *jwt;
  guint8 digest[32];
  gsize digest_len = sizeof (digest);
  GHmac *hmac;

  header_b64 = fuzz_base64url (header, header_len);
  claims_b64 = fuzz_base64url (claims, claims_len);
  input = g_strconcat (header_b64, ".", claims_b64, NULL);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) FUZZ_API_SECRET,
      strlen (FUZZ_API_SECRET));
  g_hmac_update (hmac, (const guchar *) input, strlen (input));
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);
  signature = fuzz_base64url ((const gchar *) digest, digest_len);
  jwt = g_strconcat (input, ".", signature, NULL);
  g_free (header_b64);
  g_free (claims_b64);
  g_free (input);
  g_free (signature);
  return jwt;
}

/* An invariant of the code under test does not hold: a bug, reported as a
 * crash. */
#define FUZZ_CHECK(cond) G_STMT_START { \
    if (G_UNLIKELY (!(cond))) { \
      g_printerr ("%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
          #cond); \
      abort (); \
    } \
  } G_STMT_END

G_END_DECLS

#endif /* __GST_OPENTOK_FUZZ_COMMON_H__ */
