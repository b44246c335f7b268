/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container names: unique in a store, as docker's.
 *
 *   ROOT/names/<name>   a symlink to the container's id
 *
 * A name is claimed with symlinkat(2), which fails if it exists: two
 * `cabin run --name x` at once get one container and one "already in use"
 * error, without a lock.  The container's record holds its name too; a
 * link whose container is gone or has another name (a cabin killed
 * between the two writes) is stale and taken over, under an flock of
 * ROOT/names so that two takers do not both win.
 */
#ifndef CABIN_ENGINE_NAMES_H
#define CABIN_ENGINE_NAMES_H

#include "engine/engine.h"
#include "util/error.h"

/* Claim `name` for container `id` (EEXIST: in use, the error says by whom). */
int names_claim(struct engine *e, const char *name, const char *id, struct error **err);

/* Claim a generated name ("adjective_noun", docker-style) for `id`;
 * *ret is malloc'd. */
int names_generate(struct engine *e, const char *id, char **ret, struct error **err);

/* Drop `name` if it still names `id`. */
void names_release(struct engine *e, const char *name, const char *id);

/* The id named `name` (64 hex digits and a NUL in ret_id), or -ENOENT.
 * A stale link is not an answer. */
int names_lookup(struct engine *e, const char *name, char *ret_id);

#endif
