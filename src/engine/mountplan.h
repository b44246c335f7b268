/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From a container's mount requests (mountopts.h) to its OCI mounts.
 *
 * mountplan_prepare() runs when the container is made, with its root
 * mounted: it adds an anonymous volume for each VOLUME of the image that
 * no request covers (as docker does), makes the volumes that are missing
 * (named ones on first use, anonymous ones always), fills new ones from
 * the image, makes a missing host folder for a -v bind (a --mount bind
 * must exist), and returns the requests resolved (every volume named).
 * It keeps each volume locked until mountplan_release(): call that once
 * the container's record (netvol.h) names them.  On failure it removes
 * the volumes it made and leaves nothing locked.
 *
 * mountplan_apply() writes the OCI mounts into a bundle config: binds as
 * rbind (or bind) with ro/rw and the propagation (rprivate by default),
 * volumes as binds of their _data, tmpfs with docker's noexec,nosuid,nodev
 * unless overridden, size= and mode=; a default mount on the same path
 * (/dev/shm, say) gives way; parents are mounted before children.
 */
#ifndef CABIN_ENGINE_MOUNTPLAN_H
#define CABIN_ENGINE_MOUNTPLAN_H

#include <jansson.h>
#include <stddef.h>

#include "engine/engine.h"
#include "engine/mountopts.h"
#include "image/manifest.h"
#include "util/error.h"

struct mountplan {
    struct mount_request *mounts; /* resolved */
    size_t n;
    int *locks;
    size_t n_locks;
};

/* rootfd: the container's root, mounted (O_PATH is enough). */
int mountplan_prepare(struct engine *e, int rootfd, const struct image_config *img,
                      const struct mount_request *reqs, size_t n, struct mountplan *ret,
                      struct error **err);
/* Unlock the volumes and free the plan. */
void mountplan_release(struct mountplan *p);

/* Add the mounts to spec.mounts. */
int mountplan_apply(struct engine *e, const struct mount_request *m, size_t n, json_t *spec,
                    struct error **err);

/* `rm -v`, `run --rm`: remove the anonymous volumes among the mounts
 * (once no container names them; never while a plan holds their locks).  Every one is tried; the first error is
 * returned. */
int mountplan_remove_anonymous(struct engine *e, const struct mount_request *m, size_t n,
                               struct error **err);

/* docker's "Mounts" of inspect. */
json_t *mountplan_inspect(struct engine *e, const struct mount_request *m, size_t n);

#endif
