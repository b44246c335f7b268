/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL's libcrypto, loaded on first use.
 *
 * cabin uses libcrypto only for SHA-256 of streams (layers, archives:
 * image/digest.h), where its hardware-accelerated code is five times
 * faster than util/sha256.c.  Linked, it cost every cabin command 0.5 ms
 * of dynamic linking, and its first use (loading openssl.cnf and the
 * default provider) 0.85 ms more, for `cabin run` too, which hashes only
 * an image config of a few KiB (util/dl.h says why that matters).  This
 * module defines the EVP functions image/digest.c calls, with OpenSSL's
 * prototypes, each calling the real one from dlopen("libcrypto.so.3").
 * Include it instead of <openssl/evp.h>.
 *
 * libcrypto_load() loads it and says why it cannot be; digester_new()
 * calls it.  The stubs fail the way OpenSSL does (NULL, 0) while it
 * cannot be loaded.
 */
#ifndef CABIN_IMAGE_LIBCRYPTO_H
#define CABIN_IMAGE_LIBCRYPTO_H

#include <openssl/evp.h>

#include "util/error.h"

#define LIBCRYPTO_SONAME "libcrypto.so.3"

/* Load libcrypto (once).  Returns 0 or fails with a message that names
 * the library. */
int libcrypto_load(struct error **err);

/* Load another soname instead (tests); -EBUSY once libcrypto is loaded. */
int libcrypto_set_soname(const char *soname);

#endif
