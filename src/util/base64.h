/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 (RFC 4648, the standard alphabet with '=' padding), for HTTP Basic
 * credentials and the "auth" fields of docker's config.json.  Results are
 * malloc'd, NUL-terminated, and owned by the caller.
 */
#ifndef CABIN_UTIL_BASE64_H
#define CABIN_UTIL_BASE64_H

#include <stddef.h>

/* NULL on ENOMEM. */
char *base64_encode(const void *data, size_t len);

/* Decode `len` characters of `s` (padding optional, no whitespace).
 * Returns the decoded length, or -EINVAL for a bad character or length,
 * -ENOMEM; *ret (NUL-terminated for convenience) only on success. */
long base64_decode(const char *s, size_t len, char **ret);

#endif
