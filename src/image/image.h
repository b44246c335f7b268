/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Images as the rest of cabin sees them: a record of the store with its
 * manifest and config read, parsed and checked against each other, and the
 * one way to add an image (image_commit).
 *
 * An image's id is the digest of its config (as docker's); its layers are
 * the config's diff_ids, each unpacked once in the store.  The manifest
 * kept for it names the layer blobs as they came, so `save` gives back the
 * same digests.
 */
#ifndef CABIN_IMAGE_IMAGE_H
#define CABIN_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "image/layer.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/error.h"

struct image {
    char id[DIGEST_BUF];
    char manifest_digest[DIGEST_BUF];
    char **names;   /* normalised "domain/path:tag" */
    char **digests; /* "domain/path@sha256:..." */
    int64_t added;
    struct manifest *manifest;
    struct image_config *config;
    char *config_raw; /* the config's bytes */
    size_t config_len;
};

/* Find `what` (image_db_find) and read it.  Fails, naming the blob, when
 * its manifest or config is missing or does not match. */
int image_open(struct store *s, const char *what, struct image **ret, struct error **err);
int image_open_record(struct store *s, const struct image_record *r, struct image **ret,
                      struct error **err);
void image_free(struct image *im);

/* Sum of its layers' sizes (bytes of file data); fails, naming the file,
 * when a layer's record cannot be read. */
int image_size(struct store *s, const struct image *im, uint64_t *ret, struct error **err);

/* A layer blob ready to be named by a manifest. */
struct image_layer_blob {
    char digest[DIGEST_BUF];  /* of the blob as stored */
    char diff_id[DIGEST_BUF];
    uint64_t size;
    const char *media_type;
};

struct image_new {
    const char *config; /* the config's bytes */
    size_t config_len;
    const struct image_layer_blob *layers; /* in order, bottom first */
    size_t n_layers;
    /* The manifest as it came (OCI loads keep theirs), or NULL to make an
     * OCI manifest from the config and layers. */
    const char *manifest;
    size_t manifest_len;
    char *const *names;        /* normalised names to give it (may be NULL) */
    const char *repo_digest;   /* "name@sha256:..." it was pulled by, or NULL */
    const char *what;          /* names the image in errors */
};

/* Check that config, manifest and layers agree (every layer in the store,
 * its diff_id the config's), store config and manifest as blobs and record
 * the image; its names are taken off any other image (a tag names one
 * image).  The caller holds the gc lock (shared).  *ret_id (may be NULL)
 * gets the image's id. */
int image_commit(struct store *s, const struct image_new *n, char ret_id[DIGEST_BUF],
                 struct error **err);

/* Names given on the command line, normalised ("busybox" ->
 * "docker.io/library/busybox:latest"); refuses digests. */
int image_normalize_name(const char *name, char **ret, struct error **err);

#endif
