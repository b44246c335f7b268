/* SPDX-License-Identifier: Apache-2.0 */
/* The v1 operations the hybrid backend reuses (internal to src/runtime). */
#ifndef CABIN_RUNTIME_CGROUP_V1_H
#define CABIN_RUNTIME_CGROUP_V1_H

#include "runtime/cgroup.h"

int cgroup_v1_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err);
int cgroup_v1_freeze(struct cgroup *cg, bool frozen, struct error **err);
bool cgroup_v1_is_frozen(struct cgroup *cg);
int cgroup_v1_stats(struct cgroup *cg, json_t *data, struct error **err);

/* v2 pieces used by hybrid (cgroup_v2.c). */
int cgroup_v2_write_unified(struct cg_hierarchy *h, const json_t *unified, struct error **err);
int cgroup_v2_kill(struct cg_hierarchy *h, int sig, struct error **err);

#endif
