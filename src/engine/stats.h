/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What runs in a container and what it uses: `cabin top` and `cabin stats`.
 *
 *   engine_container_top()    the host's ps(1) with the given options
 *                             (default -ef), only the lines of the
 *                             container's processes (docker's way)
 *   engine_container_stats()  a sample: the container's CPU time and the
 *                             host's (two samples make a CPU %), memory
 *                             used and its limit (the host's memory when
 *                             it has none), processes, block I/O from its
 *                             cgroup, network bytes of its interfaces
 */
#ifndef CABIN_ENGINE_STATS_H
#define CABIN_ENGINE_STATS_H

#include <stdint.h>

#include "engine/container.h"
#include "util/error.h"

struct engine_stats {
    uint64_t cpu_ns;     /* the container's CPU time so far */
    uint64_t system_ns;  /* the host's, all CPUs together */
    unsigned online_cpus;
    uint64_t mem_usage, mem_limit;
    uint64_t pids;
    uint64_t blk_read, blk_write;
    uint64_t net_rx, net_tx;
};

int engine_container_stats(struct engine *e, const struct engine_container *c,
                           struct engine_stats *ret, struct error **err);

/* CPU % between two samples, as docker computes it. */
double engine_stats_cpu_percent(const struct engine_stats *before, const struct engine_stats *now);

/* *ret_lines: ps's header, then one line a process of the container. */
int engine_container_top(struct engine *e, const struct engine_container *c,
                         char *const *ps_args, char ***ret_lines, struct error **err);

#endif
