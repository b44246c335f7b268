/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container names: unique in a store, as docker's.
 *
 *   ROOT/names/<name>   a symlink to the container's id, or to
 *                       tmp/<scratch> while it is being made there
 *
 * A name is claimed with symlinkat(2), which fails if it exists: two
 * `cabin run --name x` at once get one container and one "already in use"
 * error, without a lock.  The claim points at the scratch folder the
 * container is made in (which its maker holds locked), and is pointed at
 * the id once the folder is in place.  A link is stale, and taken over
 * (under an flock of ROOT/names, so that two takers do not both win), when
 * its scratch folder is no longer held (its maker was killed) or its
 * container is gone or has another name.
 */
#ifndef CABIN_ENGINE_NAMES_H
#define CABIN_ENGINE_NAMES_H

#include <stdbool.h>

#include "engine/engine.h"
#include "util/error.h"

/* Claim `name` for `target`, a container's id or "tmp/<scratch>" (EEXIST:
 * in use, the error says by whom). */
int names_claim(struct engine *e, const char *name, const char *target, struct error **err);

/* Claim a generated name ("adjective_noun", docker-style) for `target`;
 * *ret is malloc'd. */
int names_generate(struct engine *e, const char *target, char **ret, struct error **err);

/* Point `name`, which names `from`, at `to` (atomically). */
int names_repoint(struct engine *e, const char *name, const char *from, const char *to,
                  struct error **err);

/* Drop `name` if it still names `target`. */
void names_release(struct engine *e, const char *name, const char *target);

/* Remove the stale links (what killed cabins left), and the temporary
 * `.new-PID-N` links of a replace whose maker was killed. */
void names_sweep(struct engine *e);
/* Is the entry `entry` of names/ such a temporary link? */
bool names_temp_left(const char *entry);

/* The names lock: an fd of ROOT/names of its own (flock belongs to the
 * open file, so a dup of the engine's fd would stay locked until exit),
 * locked LOCK_EX; -1 with errno on failure.  Close it to unlock. */
int names_lock(struct engine *e);

/* The id named `name` (64 hex digits and a NUL in ret_id), or -ENOENT.
 * A stale link is not an answer. */
int names_lookup(struct engine *e, const char *name, char *ret_id);

#endif
