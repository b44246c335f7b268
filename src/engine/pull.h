/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pulling images in-process, for the commands that need an image before
 * they can go on (`run --pull missing|always|never`, `create`) and for
 * `pull` itself.
 *
 *   missing  pull only when the reference does not name an image in the
 *            store (docker's default)
 *   always   pull every time (the registry decides whether it is new)
 *   never    never; a missing image is an error ("No such image")
 *
 * The progress callback and the registry options are image/pull.h's;
 * printing is the caller's (src/cli).
 */
#ifndef CABIN_ENGINE_PULL_H
#define CABIN_ENGINE_PULL_H

#include <stdbool.h>

#include "engine/engine.h"
#include "image/pull.h"
#include "util/error.h"

enum engine_pull_policy { ENGINE_PULL_MISSING, ENGINE_PULL_ALWAYS, ENGINE_PULL_NEVER };

/* "missing", "always", "never" (docker's and podman's words; also
 * podman's "newer", taken as always: the registry's digest decides). */
int engine_pull_policy_parse(const char *s, enum engine_pull_policy *ret, struct error **err);

/* Pull `ref` into the engine's store. */
int engine_image_pull(struct engine *e, const char *ref, const struct pull_opts *o,
                      struct pull_result *ret, struct error **err);

/* Whether `ref` must be pulled under policy `p` (true in *ret_pull): for
 * never, a reference the store does not have is -ENOENT ("No such image:
 * REF", as docker says). */
int engine_image_needs_pull(struct engine *e, const char *ref, enum engine_pull_policy p,
                            bool *ret_pull, struct error **err);

#endif
