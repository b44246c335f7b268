/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `pull`: an image from a registry into the store.
 *
 *   1. the reference is parsed and normalised (image/reference.h);
 *   2. its manifest is fetched (registry.h); an index (OCI) or manifest
 *      list (Docker) picks the platform's manifest: the host's os,
 *      architecture and variant, or `platform` ("linux/arm64/v8");
 *   3. the config (unless the store has it), checked against the
 *      manifest and the platform asked for;
 *   4. the layers: those the store has (blob and unpacked layer) are
 *      skipped; the others are downloaded several at once, each fed as it
 *      arrives to its own layer_ingest() in a worker thread, which checks
 *      the blob's digest (and size) while reading and the diff_id after
 *      decompressing, and unpacks while the bytes come;
 *   5. image_commit() records it, named by the tag and by name@digest.
 *
 * The store's gc lock is held (shared) from before the first layer until
 * the record exists.  A failed layer (a digest mismatch, a truncated
 * blob, a refused tar) cancels the others and leaves nothing of itself:
 * layers verified and committed before the failure stay in the store (a
 * pull run again reuses them; the collector takes them if none does), as
 * do those of a pull that was killed.
 *
 * Progress goes to a callback, called in the pulling thread only: after
 * the manifest is resolved, every 100 ms while layers move, and at the
 * end.  Nothing here prints.
 */
#ifndef CABIN_IMAGE_PULL_H
#define CABIN_IMAGE_PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/registry.h"
#include "image/store.h"
#include "util/error.h"

#define PULL_DEFAULT_CONCURRENCY 6  /* transfers at once */
#define PULL_MAX_CONCURRENCY     32
#define PULL_MAX_WORKERS         32  /* layers being unpacked at once */

enum pull_layer_state {
    PULL_LAYER_WAITING,     /* not started */
    PULL_LAYER_EXISTS,      /* in the store already */
    PULL_LAYER_DOWNLOADING, /* bytes arrive (and are unpacked as they do) */
    PULL_LAYER_DONE,        /* verified and stored */
    PULL_LAYER_FAILED,
};

struct pull_layer_progress {
    char digest[DIGEST_BUF];
    uint64_t size, done; /* bytes of the blob */
    enum pull_layer_state state;
};

struct pull_progress {
    const char *name;      /* "docker.io/library/alpine:latest" */
    const char *repo;      /* "library/alpine" */
    const char *digest;    /* what was pulled by (index or manifest), or NULL */
    const struct pull_layer_progress *layers;
    size_t n_layers;
    uint64_t elapsed_ms;   /* since the layers started */
    bool finished;         /* the last call */
};

typedef void (*pull_progress_fn)(void *opaque, const struct pull_progress *p);

struct pull_opts {
    struct registry_opts reg;
    const char *platform;     /* "os/arch[/variant]"; NULL: the host's */
    unsigned max_concurrent;  /* transfers at once; 0: PULL_DEFAULT_CONCURRENCY */
    pull_progress_fn progress;
    void *progress_opaque;
};

struct pull_result {
    char id[DIGEST_BUF];     /* the image (its config's digest) */
    char digest[DIGEST_BUF]; /* what it was pulled by: the index's or the manifest's */
    char *name;              /* "domain/path:tag", or "domain/path@digest" */
    bool up_to_date;         /* the store had all of it */
    size_t layers, layers_new;
    uint64_t bytes;          /* downloaded */
};
void pull_result_release(struct pull_result *r);

int image_pull(struct store *s, const char *ref, const struct pull_opts *o,
               struct pull_result *ret, struct error **err);

/* `pull --all-tags`: the references (normalised "domain/path:tag") of every
 * tag the registry has for the repository `name` (which must not carry a
 * tag or digest), sorted as the registry lists them. */
int image_pull_all_tags(const char *name, const struct registry_opts *o, char ***ret,
                        struct error **err);

#endif
