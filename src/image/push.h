/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `push`: an image of the store to a registry, as it was stored: its
 * layer blobs, its config and the very manifest bytes it has, so the
 * digest the registry reports is the image's (and a pull by that digest
 * gives back the same image).
 *
 * Each blob is checked first (HEAD: the registry has it), then mounted
 * from another repository of the same registry that the image came from
 * (its recorded names and repo digests there), else uploaded: one PUT up
 * to `chunk_size`, PATCH chunks above.  Then the manifest is PUT at the
 * tag, with its media type.  Progress, as for pull, goes to a callback in
 * the calling thread.  Nothing here prints.
 */
#ifndef CABIN_IMAGE_PUSH_H
#define CABIN_IMAGE_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/registry.h"
#include "image/store.h"
#include "util/error.h"

#define PUSH_DEFAULT_CHUNK (32ull << 20)

enum push_blob_state {
    PUSH_WAITING,
    PUSH_PUSHING,
    PUSH_EXISTED, /* "Layer already exists" */
    PUSH_MOUNTED, /* "Mounted from REPO" */
    PUSH_DONE,    /* "Pushed" */
};

struct push_blob_progress {
    char digest[DIGEST_BUF];
    uint64_t size, done;
    enum push_blob_state state;
    const char *from; /* PUSH_MOUNTED: the repository */
};

struct push_progress {
    const char *repo; /* "127.0.0.1:5000/team/app" */
    const struct push_blob_progress *blobs; /* the layers, bottom first */
    size_t n_blobs;
    bool finished;
};

typedef void (*push_progress_fn)(void *opaque, const struct push_progress *p);

struct push_opts {
    struct registry_opts reg;
    uint64_t chunk_size; /* 0: PUSH_DEFAULT_CHUNK */
    push_progress_fn progress;
    void *progress_opaque;
};

struct push_result {
    char digest[DIGEST_BUF]; /* of the manifest */
    size_t size;             /* its bytes */
    char *name;              /* "domain/path:tag" pushed to */
    char *tag;               /* points into name */
};
void push_result_release(struct push_result *r);

/* Push `image` (a name or id of the store) to `dest` (a reference; NULL:
 * the image's own name `image`; a "docker://" in front is dropped). */
int image_push(struct store *s, const char *image, const char *dest, const struct push_opts *o,
               struct push_result *ret, struct error **err);

#endif
