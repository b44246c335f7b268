/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the files of the container API (not for callers). */
#ifndef CABIN_RUNTIME_CONTAINER_INTERNAL_H
#define CABIN_RUNTIME_CONTAINER_INTERNAL_H

#include "runtime/container.h"
#include "runtime/state.h"

/* Open ROOT/ID with `lock`, read its state and compute its live status
 * (paused when its cgroup is frozen). */
int container_read_state(struct runtime *rt, const char *id, int lock, int *ret_dirfd,
                         struct container_state **ret, enum container_status *ret_status,
                         struct error **err);

#endif
