/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin system check [--repair]`: the store (image/check.h) and then the
 * containers, checked against each other and against what runs.
 *
 * The containers' half, and what repair does:
 *   containers/.rm-<id>          a removal that was killed: finished
 *   containers/<id>/.creating    with nobody holding the folder: a create
 *                                that was killed: removed
 *   containers/<id>/container.json   unreadable: the container cannot be
 *                                trusted with anything (its image, layers,
 *                                name and command are in it): it is
 *                                dropped (processes killed, root unmounted,
 *                                folder, names and run folder removed);
 *                                the report names it.  Volumes are never
 *                                touched.
 *   containers/<id>/state.json   unreadable (and nobody runs the container):
 *                                replaced by an "exited (255)" state whose
 *                                Error says why, so start and rm work
 *   its layers and image config  missing from the store: reported (it
 *                                cannot start; only `rm` helps), not
 *                                repaired
 *   its root mounted while nothing runs: unmounted
 *   names/<name>                 a link to no container, or to one with
 *                                another name: removed; a container whose
 *                                name does not lead to it: claimed again
 *   RUNROOT/runtime/<id>, RUNROOT/containers/<id> of no container:
 *                                deleted (the runtime state forcibly)
 *
 * When images.json is rebuilt, the names the containers' records give
 * their images are given back.
 */
#ifndef CABIN_ENGINE_CHECK_H
#define CABIN_ENGINE_CHECK_H

#include <stdbool.h>

#include "engine/engine.h"
#include "image/check.h"
#include "util/error.h"

int engine_check(struct engine *e, bool repair, struct check_report *rep, struct error **err);

#endif
