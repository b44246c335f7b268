/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), small and dependency-free.
 *
 * Why not OpenSSL: cabin-runtime is a static binary whose resident memory
 * is a target, and linking libcrypto into it doubles its RSS at start (the
 * relocations of its tables are touched on every run).  The runtime only
 * hashes small inputs (seccomp profiles for the filter cache); the engine's
 * image code, which hashes gigabytes, uses OpenSSL.
 */
#ifndef CABIN_UTIL_SHA256_H
#define CABIN_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes so far */
    uint8_t buf[64];
    size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* Lower-case hex of the digest of `data` into out (65 bytes). */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
