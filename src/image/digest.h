/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content digests: SHA-256, written as OCI digest strings
 * "sha256:<64 lower-case hex>".  Streams go through OpenSSL's EVP
 * interface (hardware accelerated; libcrypto is loaded on first use:
 * image/libcrypto.h); buffers of up to 256 KiB through util/sha256.c.
 *
 * A `struct digester` hashes a stream in pieces and counts its bytes; it is
 * owned by its creator and freed with digester_free() (NULL is fine).
 * Buffers that receive a digest string are DIGEST_BUF bytes.
 */
#ifndef CABIN_IMAGE_DIGEST_H
#define CABIN_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define DIGEST_PREFIX  "sha256:"
#define DIGEST_HEX_LEN 64
#define DIGEST_BUF     (sizeof(DIGEST_PREFIX) + DIGEST_HEX_LEN) /* with the NUL */

struct digester;

int digester_new(struct digester **ret, struct error **err);
void digester_free(struct digester *d);
void digester_update(struct digester *d, const void *data, size_t len);
/* Bytes hashed so far. */
uint64_t digester_bytes(const struct digester *d);
/* Write "sha256:<hex>" to out; the digester can then only be freed. */
void digester_final(struct digester *d, char out[DIGEST_BUF]);

/* The digest of a buffer (never fails: a large one whose libcrypto cannot
 * be loaded is hashed by util/sha256.c too). */
void digest_buffer(const void *data, size_t len, char out[DIGEST_BUF]);

/* Check that `s` is "sha256:" and 64 lower-case hex digits; `what` names it
 * in the error ("manifest.json: Config digest").  *ret_hex (may be NULL)
 * points at the hex part of `s`. */
int digest_check(const char *s, const char *what, const char **ret_hex, struct error **err);
bool digest_valid(const char *s);

/* A bare 64-hex id is accepted too; the result is "sha256:<hex>". */
int digest_normalize(const char *s, const char *what, char out[DIGEST_BUF], struct error **err);

static inline const char *digest_hex(const char *digest)
{
    return digest + sizeof(DIGEST_PREFIX) - 1;
}

static inline void digester_freep(struct digester **d)
{
    digester_free(*d);
}
#define cleanup_digester __attribute__((cleanup(digester_freep)))

#endif
