/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Removing images, which needs to know the containers: docker's rules.
 *
 *   rmi NAME      of an image with other names: only that name goes
 *                 ("Untagged: NAME")
 *   rmi ID        of an image with several names: refused unless forced
 *   the last name, or the id: refused while a container uses the image
 *                 (a running one even when forced); otherwise every name
 *                 goes, then the record ("Deleted: sha256:...")
 *
 * Layers and blobs are collected afterwards (engine_gc): those still used
 * by another image or by a container stay.
 */
#ifndef CABIN_ENGINE_IMAGES_H
#define CABIN_ENGINE_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/error.h"

/* Remove `what`; what was done is appended to *lines ("Untagged: x",
 * "Deleted: sha256:..."). */
int engine_image_remove(struct engine *e, const char *what, bool force, char ***lines,
                        struct error **err);

/* Remove every image without a name (with `all`: every image) that no
 * container uses, then collect; lines as above, *ret_bytes freed. */
int engine_image_prune(struct engine *e, bool all, char ***lines, uint64_t *ret_bytes,
                       struct error **err);

/* How many containers use the image `id`. */
size_t engine_image_containers(struct engine *e, const char *id);

#endif
