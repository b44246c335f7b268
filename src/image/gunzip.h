/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gzip decompression as a stream, with ISA-L's igzip (several times
 * zlib's speed on the same bytes): the layer pipeline's inflater for
 * gzip'd layers, the common case (layer.c; other compressions go through
 * libarchive).
 *
 * Every member's header is parsed and its CRC-32 and length checked.  A
 * stream may hold several members one after the other (as gzip(1) and
 * libarchive allow); it ends when a member ends and the next bytes are not
 * another member's header.  Those bytes are left unread, as libarchive
 * leaves them.
 */
#ifndef CABIN_IMAGE_GUNZIP_H
#define CABIN_IMAGE_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct gunzip;

/* NULL when out of memory. */
struct gunzip *gunzip_new(void);
void gunzip_free(struct gunzip *g);

/* Decompress from *in (*in_len bytes; both advanced past what was used)
 * into out (cap bytes); *ret_out is what was written there.  `eof`: no
 * input will follow *in.  Returns 1 at the end of the stream, 0 when it
 * wants more input or room (call again), or a negative errno with *err
 * (corrupt, truncated). */
int gunzip_step(struct gunzip *g, const unsigned char **in, size_t *in_len, bool eof,
                unsigned char *out, size_t cap, size_t *ret_out, struct error **err);

#endif
