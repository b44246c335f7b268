/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2: one unified hierarchy.  Also the hybrid layout's backend
 * (v1 limits, with cgroup.kill from the unified mount when it has it). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup_ebpf.h"
#include "runtime/cgroup_v1.h"
#include "util/cleanup.h"
#include "util/log.h"

static int write_max(struct cg_hierarchy *h, const char *file, int64_t v, struct error **err)
{
    if (v < 0)
        return cg_write(h, file, "max", err);
    return cg_write_int(h, file, v, err);
}

static int v2_memory(struct cg_hierarchy *h, const struct cgroup_resources *r,
                     struct error **err)
{
    int e;
    if (r->mem_limit.set) {
        if (r->mem_check_before_update && r->mem_limit.v > 0) {
            char buf[64];
            if (cg_read(h, "memory.current", buf, sizeof(buf), NULL) > 0 &&
                strtoll(buf, NULL, 10) > r->mem_limit.v)
                return error_new(err, EBUSY,
                                 "memory.limit: %lld is below the current usage %s "
                                 "(checkBeforeUpdate)",
                                 (long long) r->mem_limit.v, buf);
        }
        if ((e = write_max(h, "memory.max", r->mem_limit.v, err)) < 0)
            return e;
    }
    if (r->mem_reservation.set && (e = write_max(h, "memory.low", r->mem_reservation.v, err)) < 0)
        return e;
    if (r->mem_swap.set) {
        /* The spec's swap is memory+swap; v2's memory.swap.max is swap only. */
        int64_t swap = r->mem_swap.v;
        if (swap > 0 && r->mem_limit.set && r->mem_limit.v > 0)
            swap -= r->mem_limit.v;
        else if (swap > 0)
            return error_new(err, EINVAL, "memory.swap: on cgroup v2 it needs memory.limit too");
        if ((e = write_max(h, "memory.swap.max", swap, err)) < 0)
            return e;
    }
    if (r->mem_swappiness.set)
        log_debug("memory.swappiness has no cgroup v2 file; not applied");
    if (r->mem_disable_oom_killer)
        return error_new(err, ENOTSUP, "memory.disableOOMKiller: cgroup v2 has no such switch");
    return 0;
}

static int v2_cpu(struct cg_hierarchy *h, const struct cgroup_resources *r, struct error **err)
{
    int e;
    if (r->cpu_shares.set && r->cpu_shares.v > 0 &&
        (e = cg_write_int(h, "cpu.weight", (int64_t) cgroup_shares_to_weight(
                                                (uint64_t) r->cpu_shares.v),
                          err)) < 0)
        return e;
    if (r->cpu_quota.set || r->cpu_period.set) {
        char buf[64];
        int64_t period = r->cpu_period.set && r->cpu_period.v > 0 ? r->cpu_period.v : 100000;
        /* Without a period, write the quota alone: the kernel keeps the
         * period it has. */
        const char *q = r->cpu_quota.set && r->cpu_quota.v > 0 ? NULL : "max";
        if (!r->cpu_period.set && q == NULL)
            snprintf(buf, sizeof(buf), "%lld", (long long) r->cpu_quota.v);
        else if (!r->cpu_period.set)
            snprintf(buf, sizeof(buf), "max");
        else if (q == NULL)
            snprintf(buf, sizeof(buf), "%lld %lld", (long long) r->cpu_quota.v,
                     (long long) period);
        else
            snprintf(buf, sizeof(buf), "max %lld", (long long) period);
        if ((e = cg_write(h, "cpu.max", buf, err)) < 0)
            return e;
    }
    if (r->cpu_burst.set && (e = cg_write_int(h, "cpu.max.burst", r->cpu_burst.v, err)) < 0)
        return e;
    if (r->cpu_idle.set && (e = cg_write_int(h, "cpu.idle", r->cpu_idle.v, err)) < 0)
        return e;
    if (r->cpu_rt_runtime.set || r->cpu_rt_period.set)
        return error_new(err, ENOTSUP, "cpu.realtimeRuntime: cgroup v2 has no realtime limits");
    if (r->cpus && (e = cg_write(h, "cpuset.cpus", r->cpus, err)) < 0)
        return e;
    if (r->mems && (e = cg_write(h, "cpuset.mems", r->mems, err)) < 0)
        return e;
    return 0;
}

static int v2_io(struct cg_hierarchy *h, const struct cgroup_resources *r, struct error **err)
{
    static const char *const keys[CG_THROTTLE__COUNT] = {"rbps", "wbps", "riops", "wiops"};
    int e;
    /* BFQ's io.bfq.weight takes blkio's 1..1000 as it is; io.weight is
     * 1..10000 and needs the conversion. */
    bool bfq = cg_has(h, "io.bfq.weight");
    const char *weight = bfq ? "io.bfq.weight" : "io.weight";
    if (r->blkio_weight.set && r->blkio_weight.v > 0 &&
        (e = cg_write_int(h, weight,
                          bfq ? r->blkio_weight.v
                              : (int64_t) cgroup_blkio_to_io_weight((uint64_t) r->blkio_weight.v),
                          err)) < 0)
        return e;
    for (size_t i = 0; i < r->n_weight_devices; i++) {
        const struct cg_blkio_device *d = &r->weight_devices[i];
        if (!d->weight.set)
            continue;
        char buf[64];
        snprintf(buf, sizeof(buf), "%lld:%lld %" PRIu64, (long long) d->major,
                 (long long) d->minor,
                 bfq ? (uint64_t) d->weight.v : cgroup_blkio_to_io_weight((uint64_t) d->weight.v));
        if ((e = cg_write(h, weight, buf, err)) < 0)
            return e;
    }
    for (int t = 0; t < CG_THROTTLE__COUNT; t++)
        for (size_t i = 0; i < r->n_throttle[t]; i++) {
            const struct cg_blkio_device *d = &r->throttle[t][i];
            char buf[96];
            snprintf(buf, sizeof(buf), "%lld:%lld %s=%" PRIu64, (long long) d->major,
                     (long long) d->minor, keys[t], d->rate);
            if ((e = cg_write(h, "io.max", buf, err)) < 0)
                return e;
        }
    return 0;
}

int cgroup_v2_write_unified(struct cg_hierarchy *h, const json_t *unified, struct error **err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) unified, key, v)
    {
        int e = cg_write(h, key, json_string_value(v), err);
        if (e < 0)
            return error_wrap(err, "unified.%s", key);
    }
    return 0;
}

static int apply_devices(struct cg_hierarchy *h, const struct cgroup_resources *r,
                         struct error **err)
{
    cleanup_free struct cg_device_rule *rules = NULL;
    size_t n = 0;
    if (cgroup_device_rules(r, &rules, &n) < 0)
        return error_new(err, ENOMEM, "out of memory");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s%s", h->mountpoint, h->path);
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "devices: opening cgroup `%s`", dir);
    return cgroup_ebpf_apply(fd, rules, n, err);
}

static int v2_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    struct cg_hierarchy *h = cg_unified(cg);
    int e;
    if ((e = v2_memory(h, r, err)) < 0 || (e = v2_cpu(h, r, err)) < 0 ||
        (e = v2_io(h, r, err)) < 0)
        return e;
    if (r->pids_limit.set &&
        (e = write_max(h, "pids.max", r->pids_limit.v > 0 ? r->pids_limit.v : -1, err)) < 0)
        return e;
    for (size_t i = 0; i < r->n_hugepages; i++) {
        char file[64];
        snprintf(file, sizeof(file), "hugetlb.%s.max", r->hugepages[i].page_size);
        if ((e = cg_write_int(h, file, (int64_t) r->hugepages[i].limit, err)) < 0)
            return e;
    }
    if (r->net_class_id.set || r->n_net_prios)
        return error_new(err, ENOTSUP, "network: cgroup v2 has no net_cls or net_prio");
    if (r->devices_set && (e = apply_devices(h, r, err)) < 0)
        return e;
    if (r->unified && (e = cgroup_v2_write_unified(h, r->unified, err)) < 0)
        return e;
    return 0;
}

static bool v2_is_frozen(struct cgroup *cg)
{
    char buf[8];
    return cg_read(cg_unified(cg), "cgroup.freeze", buf, sizeof(buf), NULL) > 0 &&
           buf[0] == '1';
}

static int v2_freeze(struct cgroup *cg, bool frozen, struct error **err)
{
    struct cg_hierarchy *h = cg_unified(cg);
    int e = cg_write(h, "cgroup.freeze", frozen ? "1" : "0", err);
    if (e < 0)
        return e;
    for (int i = 0; i < 400; i++) {
        char buf[256];
        int rr = cg_read(h, "cgroup.events", buf, sizeof(buf), err);
        if (rr < 0)
            return rr;
        char *f = strstr(buf, "frozen ");
        if (f && (f[7] == '1') == frozen)
            return 0;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return error_new(err, ETIMEDOUT, "the container's cgroup did not %s within 2 s",
                     frozen ? "freeze" : "thaw");
}

int cgroup_v2_kill(struct cg_hierarchy *h, int sig, struct error **err)
{
    if (h == NULL || sig != SIGKILL || !cg_has(h, "cgroup.kill"))
        return 0;
    int e = cg_write(h, "cgroup.kill", "1", err);
    return e < 0 ? e : 1;
}

static int v2_kill(struct cgroup *cg, int sig, struct error **err)
{
    return cgroup_v2_kill(cg_unified(cg), sig, err);
}

static int64_t read_int(struct cg_hierarchy *h, const char *file)
{
    char buf[64];
    if (cg_read(h, file, buf, sizeof(buf), NULL) <= 0)
        return -1;
    if (strcmp(buf, "max") == 0)
        return 0;
    return strtoll(buf, NULL, 10);
}

/* io.stat's bytes, in the shape of v1's blkio (runc's events). */
static json_t *io_bytes(struct cg_hierarchy *h)
{
    json_t *list = json_array();
    char buf[8192];
    if (h == NULL || cg_read(h, "io.stat", buf, sizeof(buf), NULL) < 0)
        return list;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned major, minor;
        long long rb = 0, wb = 0;
        if (sscanf(line, "%u:%u", &major, &minor) != 2)
            continue;
        const char *r = strstr(line, "rbytes="), *w = strstr(line, "wbytes=");
        if (r)
            rb = atoll(r + 7);
        if (w)
            wb = atoll(w + 7);
        json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t) major,
                                              "minor", (json_int_t) minor, "op", "Read", "value",
                                              (json_int_t) rb));
        json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t) major,
                                              "minor", (json_int_t) minor, "op", "Write", "value",
                                              (json_int_t) wb));
    }
    return list;
}

static int v2_stats(struct cgroup *cg, json_t *data, struct error **err)
{
    struct cg_hierarchy *h = cg_unified(cg);
    json_object_set_new(data, "blkio", json_pack("{s:o}", "ioServiceBytesRecursive", io_bytes(h)));
    json_object_set_new(data, "memory",
                        json_pack("{s:{s:I, s:I}}", "usage", "usage",
                                  (json_int_t) read_int(h, "memory.current"), "limit",
                                  (json_int_t) read_int(h, "memory.max")));
    char buf[1024];
    long long usage = 0, periods = 0, throttled = 0, ttime = 0;
    if (cg_read(h, "cpu.stat", buf, sizeof(buf), NULL) > 0) {
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
            sscanf(l, "usage_usec %lld", &usage);
            sscanf(l, "nr_periods %lld", &periods);
            sscanf(l, "nr_throttled %lld", &throttled);
            sscanf(l, "throttled_usec %lld", &ttime);
        }
    }
    json_object_set_new(data, "cpu",
                        json_pack("{s:{s:I}, s:{s:I, s:I, s:I}}", "usage", "total",
                                  (json_int_t) usage * 1000, "throttling", "periods",
                                  (json_int_t) periods, "throttledPeriods",
                                  (json_int_t) throttled, "throttledTime",
                                  (json_int_t) ttime * 1000));
    json_object_set_new(data, "pids",
                        json_pack("{s:I, s:I}", "current",
                                  (json_int_t) read_int(h, "pids.current"), "limit",
                                  (json_int_t) read_int(h, "pids.max")));
    return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
    .name = "v2",
    .apply = v2_apply,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .kill = v2_kill,
    .stats = v2_stats,
};

/* ---- hybrid ------------------------------------------------------------- */

static int hybrid_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    int e = cgroup_v1_apply(cg, r, err);
    if (e < 0)
        return e;
    if (r->unified && json_object_size(r->unified)) {
        struct cg_hierarchy *h = cg_unified(cg);
        if (h == NULL)
            return error_new(err, ENOTSUP, "unified: no cgroup v2 mount on this host");
        return cgroup_v2_write_unified(h, r->unified, err);
    }
    return 0;
}

static int hybrid_kill(struct cgroup *cg, int sig, struct error **err)
{
    return cgroup_v2_kill(cg_unified(cg), sig, err);
}

const struct cgroup_ops cgroup_hybrid_ops = {
    .name = "hybrid",
    .apply = hybrid_apply,
    .freeze = cgroup_v1_freeze,
    .is_frozen = cgroup_v1_is_frozen,
    .kill = hybrid_kill,
    .stats = cgroup_v1_stats,
};
