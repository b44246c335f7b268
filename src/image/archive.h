/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image archives: `load` and `save`.
 *
 * Formats: docker-archive (what `docker save` and skopeo's docker-archive:
 * write: manifest.json with Config, RepoTags and Layers, and the files it
 * names) and OCI archives (a tar of an OCI image layout: oci-layout,
 * index.json, blobs/sha256/...), plus OCI layout directories for `load`.
 *
 * Loading reads the archive once, as a stream (a pipe is fine, and
 * gzip/zstd/xz/bzip2-compressed archives too): every member that looks
 * like a layer is ingested as it goes by (layer.h: digests, unpacking);
 * JSON members are kept in memory (with limits).  At the end the manifests
 * pick their config and layers; a member a manifest names but that is
 * missing or failed names the image and the member in the error.  The
 * store's gc lock is held (shared) for the whole load, so what was
 * unpacked cannot be collected before its image is recorded; a load that
 * is killed leaves scratch directories that the next writer removes, and
 * the layers it had committed, which the next load reuses.
 */
#ifndef CABIN_IMAGE_ARCHIVE_H
#define CABIN_IMAGE_ARCHIVE_H

#include <stddef.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/error.h"

#define ARCHIVE_MAX_MEMBERS   100000
#define ARCHIVE_MAX_JSON      (256u << 20) /* JSON kept in memory, in all */
#define ARCHIVE_MAX_IMAGES    1000

struct loaded_image {
    char id[DIGEST_BUF];
    char **names; /* normalised; NULL when it came without one */
};

struct load_report {
    struct loaded_image *images;
    size_t n;
};
void load_report_free(struct load_report *r);

/* Load every image of the archive read from `fd`; `what` names it in errors. */
int image_load_stream(struct store *s, int fd, const char *what, struct load_report **ret,
                      struct error **err);
/* Load the images of an OCI image layout directory. */
int image_load_layout(struct store *s, const char *dir, struct load_report **ret,
                      struct error **err);

enum save_format { SAVE_DOCKER_ARCHIVE, SAVE_OCI_ARCHIVE };
int save_format_parse(const char *s, enum save_format *ret, struct error **err);

/* One image to save, and the names to save it under (NULL: none). */
struct save_item {
    const char *what; /* as the user gave it: id or name */
    char **names;     /* normalised */
};

/* Write the images as one archive to `fd` (uncompressed tar).  Layers are
 * the stored blobs (oci-archive) or plain tars named by diff_id
 * (docker-archive); files are ordered and timestamped deterministically, so
 * saving the same images twice gives the same bytes. */
int image_save(struct store *s, const struct save_item *items, size_t n, enum save_format f,
               int fd, struct error **err);

#endif
