/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mark and sweep over the store, and what it uses.
 *
 * The roots are the image records (each manifest recorded, its config and
 * its layer blobs; the config's layers) plus what the caller adds (the
 * engine: the layers and configs its containers use, whether or not their
 * image is still recorded).  Everything else in blobs/, layers/ and l/ is
 * removed, and tmp/ is swept.  The collector holds the gc lock exclusively
 * (store.h), so no writer is between making content and recording it.  A
 * record that cannot be read stops the collection before anything goes.
 */
#ifndef CABIN_IMAGE_GC_H
#define CABIN_IMAGE_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/error.h"

struct gc_roots {
    char **layers; /* diff_ids */
    char **blobs;  /* digests */
};

/* Add the caller's roots (called with the gc lock held). */
typedef int (*gc_roots_fn)(void *opaque, struct gc_roots *roots, struct error **err);

struct gc_stats {
    size_t layers, blobs;
    uint64_t bytes; /* layer file data and blob bytes freed */
};

/* Collect.  Without `wait`, returns 1 at once when a writer holds the gc
 * lock (the next collection will do it). */
int image_gc(struct store *s, bool wait, gc_roots_fn extra, void *opaque, struct gc_stats *ret,
             struct error **err);

/* ---- disk usage ---- */

struct usage_image {
    char id[DIGEST_BUF];
    char **names;
    int64_t created; /* unix time from its config, or when it was added */
    uint64_t size;   /* its layers */
    uint64_t shared; /* of which in layers other images have too */
    uint64_t unique;
    char **diff_ids;
};

struct store_usage {
    struct usage_image *images;
    size_t n;
    uint64_t layers_bytes; /* every distinct layer once */
    size_t layers;
    uint64_t blobs_bytes;
    size_t blobs;
};

int image_usage(struct store *s, struct store_usage **ret, struct error **err);
void store_usage_free(struct store_usage *u);

/* "2024-01-02T03:04:05.123Z" -> unix time; 0 when it is not RFC 3339. */
int64_t image_time_parse(const char *rfc3339);

#endif
