/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `import`: an image of one layer from a root file system tarball (plain,
 * gzip, zstd, xz or bzip2), with its config made here and changed by
 * Dockerfile instructions as `docker import --change` takes them:
 *
 *   CMD, ENTRYPOINT   JSON form ["a","b"] or shell form (/bin/sh -c "...")
 *   ENV, LABEL        K=V pairs (quotes and backslashes as in a Dockerfile),
 *                     or the old "K V" form
 *   EXPOSE            PORT[/tcp|udp|sctp] ...
 *   VOLUME            JSON array or paths
 *   USER, WORKDIR, STOPSIGNAL, ONBUILD
 *
 * An unknown or malformed instruction is an error that quotes it.
 */
#ifndef CABIN_IMAGE_IMPORT_H
#define CABIN_IMAGE_IMPORT_H

#include <jansson.h>

#include "image/digest.h"
#include "image/store.h"
#include "util/error.h"

/* Apply `change` (one instruction) to `cfg`, an image config's "config"
 * object. */
int image_change_apply(json_t *cfg, const char *change, struct error **err);

struct import_opts {
    char *const *changes; /* NULL-terminated, may be NULL */
    const char *message;  /* the history entry's comment, may be NULL */
    char *const *names;   /* normalised, may be NULL */
    const char *what;     /* names the source in errors ("`rootfs.tar`") */
};

/* Import the tarball read from `fd`.  *ret_id gets the image's id. */
int image_import(struct store *s, int fd, const struct import_opts *o, char ret_id[DIGEST_BUF],
                 struct error **err);

#endif
