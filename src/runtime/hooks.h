/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: programs the runtime runs at points of the lifecycle, each
 * with the container's state JSON on its stdin.
 *
 *   prestart, createRuntime   by the runtime, once the namespaces and mounts
 *                             exist and before pivot_root (the init waits)
 *   createContainer           by the init, in the container's namespaces,
 *                             before pivot_root (path seen from the host)
 *   startContainer            by the init after `start`, before the process
 *                             execs (path seen from the container)
 *   poststart                 by `start`/`run` once the process runs; a
 *                             failure is a warning, as the spec says
 *   poststop                  by `delete`, once the container is gone; a
 *                             failure is a warning
 *
 * A hook's failure names its kind, index, path and exit status (or signal,
 * or that its timeout struck).
 */
#ifndef CABIN_RUNTIME_HOOKS_H
#define CABIN_RUNTIME_HOOKS_H

#include <jansson.h>
#include <stdbool.h>

#include "util/error.h"

/* Check the shape of the `hooks` object (all kinds). */
int hooks_validate(const json_t *hooks, struct error **err);

/* Whether `hooks` has at least one hook of `kind`. */
bool hooks_has(const json_t *hooks, const char *kind);

/* Run every hook of `kind` in order, stopping at the first failure.
 * `state` is the OCI state object given on stdin. */
int hooks_run(const json_t *hooks, const char *kind, const json_t *state, struct error **err);

#endif
