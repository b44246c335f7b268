/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1: each controller its own hierarchy (and the v1 half of the
 * hybrid layout, cgroup_hybrid.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup_v1.h"
#include "util/cleanup.h"
#include "util/json.h"

static struct cg_hierarchy *need(struct cgroup *cg, const char *ctrl, const char *field,
                                 struct error **err)
{
    struct cg_hierarchy *h = cg_find(cg, ctrl);
    if (h == NULL)
        error_new(err, ENOTSUP, "%s: the %s controller is not mounted on this host", field, ctrl);
    return h;
}

static int check_usage(struct cg_hierarchy *h, const char *usage_file, int64_t limit,
                       struct error **err)
{
    char buf[64];
    if (limit <= 0 || cg_read(h, usage_file, buf, sizeof(buf), NULL) < 0)
        return 0;
    long long usage = strtoll(buf, NULL, 10);
    if (usage > limit)
        return error_new(err, EBUSY,
                         "memory.limit: %lld is below the current usage %lld (checkBeforeUpdate)",
                         (long long) limit, usage);
    return 0;
}

static int apply_memory(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    bool any = r->mem_limit.set || r->mem_reservation.set || r->mem_swap.set ||
               r->mem_swappiness.set || r->mem_disable_oom_killer;
    if (!any)
        return 0;
    struct cg_hierarchy *h = need(cg, "memory", "memory", err);
    if (h == NULL)
        return -ENOTSUP;
    int e;
    if (r->mem_check_before_update && r->mem_limit.set &&
        (e = check_usage(h, "memory.usage_in_bytes", r->mem_limit.v, err)) < 0)
        return e;
    /* swap 0 means "not set" (runc): the kernel refuses memsw below memory. */
    bool swap = r->mem_swap.set && r->mem_swap.v != 0 && cg_has(h, "memory.memsw.limit_in_bytes");
    if (r->mem_swap.set && !swap && r->mem_swap.v != 0 &&
        !(r->mem_limit.set && r->mem_swap.v == r->mem_limit.v))
        return error_new(err, ENOTSUP,
                         "memory.swap: this kernel has no swap accounting (memory.memsw.*)");
    if (r->mem_limit.set) {
        /* memsw must stay >= limit: when raising, memsw goes first. */
        e = cg_write_int(h, "memory.limit_in_bytes", r->mem_limit.v, NULL);
        if (e < 0 && swap) {
            if ((e = cg_write_int(h, "memory.memsw.limit_in_bytes", r->mem_swap.v, err)) < 0)
                return e;
            swap = false;
            e = cg_write_int(h, "memory.limit_in_bytes", r->mem_limit.v, err);
        } else if (e < 0) {
            e = cg_write_int(h, "memory.limit_in_bytes", r->mem_limit.v, err);
        }
        if (e < 0)
            return e;
    }
    if (swap && (e = cg_write_int(h, "memory.memsw.limit_in_bytes", r->mem_swap.v, err)) < 0)
        return e;
    if (r->mem_reservation.set &&
        (e = cg_write_int(h, "memory.soft_limit_in_bytes", r->mem_reservation.v, err)) < 0)
        return e;
    if (r->mem_swappiness.set &&
        (e = cg_write_int(h, "memory.swappiness", r->mem_swappiness.v, err)) < 0)
        return e;
    if (r->mem_disable_oom_killer && (e = cg_write(h, "memory.oom_control", "1", err)) < 0)
        return e;
    return 0;
}

static int apply_cpu(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    int e;
    bool any = r->cpu_shares.set || r->cpu_quota.set || r->cpu_period.set || r->cpu_burst.set ||
               r->cpu_rt_runtime.set || r->cpu_rt_period.set || r->cpu_idle.set;
    if (any) {
        struct cg_hierarchy *h = need(cg, "cpu", "cpu", err);
        if (h == NULL)
            return -ENOTSUP;
        if (r->cpu_shares.set && (e = cg_write_int(h, "cpu.shares", r->cpu_shares.v, err)) < 0)
            return e;
        if (r->cpu_period.set &&
            (e = cg_write_int(h, "cpu.cfs_period_us", r->cpu_period.v, err)) < 0)
            return e;
        if (r->cpu_quota.set &&
            (e = cg_write_int(h, "cpu.cfs_quota_us", r->cpu_quota.v > 0 ? r->cpu_quota.v : -1,
                              err)) < 0)
            return e;
        if (r->cpu_burst.set && (e = cg_write_int(h, "cpu.cfs_burst_us", r->cpu_burst.v, err)) < 0)
            return e;
        if (r->cpu_rt_period.set &&
            (e = cg_write_int(h, "cpu.rt_period_us", r->cpu_rt_period.v, err)) < 0)
            return e;
        if (r->cpu_rt_runtime.set &&
            (e = cg_write_int(h, "cpu.rt_runtime_us", r->cpu_rt_runtime.v, err)) < 0)
            return e;
        if (r->cpu_idle.set && (e = cg_write_int(h, "cpu.idle", r->cpu_idle.v, err)) < 0)
            return e;
    }
    if (r->cpus || r->mems) {
        struct cg_hierarchy *h = need(cg, "cpuset", "cpu.cpus", err);
        if (h == NULL)
            return -ENOTSUP;
        if (r->cpus && (e = cg_write(h, "cpuset.cpus", r->cpus, err)) < 0)
            return e;
        if (r->mems && (e = cg_write(h, "cpuset.mems", r->mems, err)) < 0)
            return e;
    }
    return 0;
}

static int apply_blkio(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    static const char *const files[CG_THROTTLE__COUNT] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
    bool any = r->blkio_weight.set || r->blkio_leaf_weight.set || r->n_weight_devices;
    for (int t = 0; t < CG_THROTTLE__COUNT; t++)
        any = any || r->n_throttle[t];
    if (!any)
        return 0;
    struct cg_hierarchy *h = need(cg, "blkio", "blockIO", err);
    if (h == NULL)
        return -ENOTSUP;
    /* CFQ is gone from current kernels; BFQ names its files blkio.bfq.*. */
    const char *weight = cg_has(h, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
    const char *wdev = cg_has(h, "blkio.weight_device") ? "blkio.weight_device"
                                                        : "blkio.bfq.weight_device";
    int e;
    if (r->blkio_weight.set) {
        if (!cg_has(h, weight))
            return error_new(err, ENOTSUP,
                             "blockIO.weight: no blkio.weight or blkio.bfq.weight (no "
                             "proportional I/O scheduler on this host)");
        if ((e = cg_write_int(h, weight, r->blkio_weight.v, err)) < 0)
            return e;
    }
    if (r->blkio_leaf_weight.set &&
        (e = cg_write_int(h, "blkio.leaf_weight", r->blkio_leaf_weight.v, err)) < 0)
        return e;
    for (size_t i = 0; i < r->n_weight_devices; i++) {
        const struct cg_blkio_device *d = &r->weight_devices[i];
        char buf[64];
        if (d->weight.set) {
            snprintf(buf, sizeof(buf), "%lld:%lld %lld", (long long) d->major,
                     (long long) d->minor, (long long) d->weight.v);
            if ((e = cg_write(h, wdev, buf, err)) < 0)
                return e;
        }
        if (d->leaf_weight.set) {
            snprintf(buf, sizeof(buf), "%lld:%lld %lld", (long long) d->major,
                     (long long) d->minor, (long long) d->leaf_weight.v);
            if ((e = cg_write(h, "blkio.leaf_weight_device", buf, err)) < 0)
                return e;
        }
    }
    for (int t = 0; t < CG_THROTTLE__COUNT; t++)
        for (size_t i = 0; i < r->n_throttle[t]; i++) {
            const struct cg_blkio_device *d = &r->throttle[t][i];
            char buf[96];
            snprintf(buf, sizeof(buf), "%lld:%lld %" PRIu64, (long long) d->major,
                     (long long) d->minor, d->rate);
            if ((e = cg_write(h, files[t], buf, err)) < 0)
                return e;
        }
    return 0;
}

static void rule_text(const struct cg_device_rule *d, char *buf, size_t len)
{
    char maj[24], min[24];
    if (d->major < 0)
        snprintf(maj, sizeof(maj), "*");
    else
        snprintf(maj, sizeof(maj), "%lld", (long long) d->major);
    if (d->minor < 0)
        snprintf(min, sizeof(min), "*");
    else
        snprintf(min, sizeof(min), "%lld", (long long) d->minor);
    if (d->type == 'a')
        snprintf(buf, len, "a");
    else
        snprintf(buf, len, "%c %s:%s %s", d->type, maj, min, d->access);
}

static int apply_devices(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    if (!r->devices_set)
        return 0;
    struct cg_hierarchy *h = need(cg, "devices", "devices", err);
    if (h == NULL)
        return -ENOTSUP;
    cleanup_free struct cg_device_rule *rules = NULL;
    size_t n = 0;
    if (cgroup_device_rules(r, &rules, &n) < 0)
        return error_new(err, ENOMEM, "out of memory");
    /* Start from nothing allowed, then replay the rules in order. */
    int e = cg_write(h, "devices.deny", "a", err);
    for (size_t i = 0; e == 0 && i < n; i++) {
        char buf[64];
        rule_text(&rules[i], buf, sizeof(buf));
        e = cg_write(h, rules[i].allow ? "devices.allow" : "devices.deny", buf, err);
    }
    return e;
}

static int apply_misc(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    int e;
    if (r->pids_limit.set) {
        struct cg_hierarchy *h = need(cg, "pids", "pids", err);
        if (h == NULL)
            return -ENOTSUP;
        if (r->pids_limit.v > 0)
            e = cg_write_int(h, "pids.max", r->pids_limit.v, err);
        else
            e = cg_write(h, "pids.max", "max", err);
        if (e < 0)
            return e;
    }
    for (size_t i = 0; i < r->n_hugepages; i++) {
        char file[64];
        struct cg_hierarchy *h = cg_find(cg, "hugetlb");
        struct cg_hierarchy *u = cg_unified(cg);
        snprintf(file, sizeof(file), "hugetlb.%s.max", r->hugepages[i].page_size);
        /* Hybrid hosts may have hugetlb on the cgroup2 side only (this one). */
        if (h == NULL && u && cg_has(u, file)) {
            h = u;
        } else {
            if ((h = need(cg, "hugetlb", "hugepageLimits", err)) == NULL)
                return -ENOTSUP;
            snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", r->hugepages[i].page_size);
        }
        if ((e = cg_write_int(h, file, (int64_t) r->hugepages[i].limit, err)) < 0)
            return e;
    }
    if (r->net_class_id.set) {
        struct cg_hierarchy *h = need(cg, "net_cls", "network.classID", err);
        if (h == NULL)
            return -ENOTSUP;
        if ((e = cg_write_int(h, "net_cls.classid", r->net_class_id.v, err)) < 0)
            return e;
    }
    for (size_t i = 0; i < r->n_net_prios; i++) {
        struct cg_hierarchy *h = need(cg, "net_prio", "network.priorities", err);
        if (h == NULL)
            return -ENOTSUP;
        char buf[128];
        snprintf(buf, sizeof(buf), "%s %u", r->net_prios[i].name, r->net_prios[i].priority);
        if ((e = cg_write(h, "net_prio.ifpriomap", buf, err)) < 0)
            return e;
    }
    if (r->rdma && json_object_size(r->rdma)) {
        struct cg_hierarchy *h = need(cg, "rdma", "rdma", err);
        if (h == NULL)
            return -ENOTSUP;
        const char *dev;
        json_t *v;
        json_object_foreach(r->rdma, dev, v)
        {
            json_t *hh = json_object_get(v, "hcaHandles"), *ho = json_object_get(v, "hcaObjects");
            char buf[256];
            int n = snprintf(buf, sizeof(buf), "%s", dev);
            if (json_is_integer(hh))
                n += snprintf(buf + n, sizeof(buf) - (size_t) n, " hca_handle=%lld",
                              (long long) json_integer_value(hh));
            if (json_is_integer(ho))
                snprintf(buf + n, sizeof(buf) - (size_t) n, " hca_object=%lld",
                         (long long) json_integer_value(ho));
            if ((e = cg_write(h, "rdma.max", buf, err)) < 0)
                return e;
        }
    }
    return 0;
}

int cgroup_v1_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    int e;
    if ((e = apply_memory(cg, r, err)) < 0 || (e = apply_cpu(cg, r, err)) < 0 ||
        (e = apply_blkio(cg, r, err)) < 0 || (e = apply_devices(cg, r, err)) < 0 ||
        (e = apply_misc(cg, r, err)) < 0)
        return e;
    return 0;
}

static int v1_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    if (r->unified && json_object_size(r->unified))
        return error_new(err, ENOTSUP, "unified: cgroup v2 keys need a cgroup v2 host");
    return cgroup_v1_apply(cg, r, err);
}

bool cgroup_v1_is_frozen(struct cgroup *cg)
{
    struct cg_hierarchy *h = cg_find(cg, "freezer");
    char buf[32];
    if (h == NULL || cg_read(h, "freezer.state", buf, sizeof(buf), NULL) < 0)
        return false;
    return strcmp(buf, "THAWED") != 0;
}

int cgroup_v1_freeze(struct cgroup *cg, bool frozen, struct error **err)
{
    struct cg_hierarchy *h = need(cg, "freezer", "pause", err);
    if (h == NULL)
        return -ENOTSUP;
    int e = cg_write(h, "freezer.state", frozen ? "FROZEN" : "THAWED", err);
    if (e < 0 || !frozen)
        return e;
    /* FREEZING until every task stopped: wait (and nudge) up to ~2 s. */
    for (int i = 0; i < 400; i++) {
        char buf[32];
        int rr = cg_read(h, "freezer.state", buf, sizeof(buf), err);
        if (rr < 0)
            return rr;
        if (strcmp(buf, "FROZEN") == 0)
            return 0;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
        cg_write(h, "freezer.state", "FROZEN", NULL);
    }
    cg_write(h, "freezer.state", "THAWED", NULL);
    return error_new(err, ETIMEDOUT, "the container's processes did not freeze within 2 s");
}

static int v1_kill(struct cgroup *cg, int sig, struct error **err)
{
    return 0;
}

static int64_t read_int(struct cg_hierarchy *h, const char *file)
{
    char buf[64];
    if (h == NULL || cg_read(h, file, buf, sizeof(buf), NULL) < 0)
        return -1;
    return strtoll(buf, NULL, 10);
}

static void stat_fields(struct cg_hierarchy *h, const char *file, json_t *into,
                        const char *const *keys, const char *const *names, size_t n)
{
    char buf[4096];
    if (h == NULL || cg_read(h, file, buf, sizeof(buf), NULL) < 0)
        return;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char key[64];
        long long v;
        if (sscanf(line, "%63s %lld", key, &v) != 2)
            continue;
        for (size_t i = 0; i < n; i++)
            if (strcmp(key, keys[i]) == 0)
                json_object_set_new(into, names[i], json_integer(v));
    }
}

/* blkio's bytes by device and direction, as runc's events show them. */
static json_t *blkio_bytes(struct cg_hierarchy *h)
{
    json_t *list = json_array();
    char buf[8192];
    if (h == NULL || (cg_read(h, "blkio.throttle.io_service_bytes_recursive", buf, sizeof(buf),
                              NULL) < 0 &&
                      cg_read(h, "blkio.throttle.io_service_bytes", buf, sizeof(buf), NULL) < 0))
        return list;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned major, minor;
        char op[16];
        long long v;
        if (sscanf(line, "%u:%u %15s %lld", &major, &minor, op, &v) == 4)
            json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:I}", "major",
                                                  (json_int_t) major, "minor", (json_int_t) minor,
                                                  "op", op, "value", (json_int_t) v));
    }
    return list;
}

int cgroup_v1_stats(struct cgroup *cg, json_t *data, struct error **err)
{
    json_object_set_new(data, "blkio", json_pack("{s:o}", "ioServiceBytesRecursive",
                                                 blkio_bytes(cg_find(cg, "blkio"))));
    struct cg_hierarchy *mem = cg_find(cg, "memory");
    json_t *usage = json_pack("{s:I, s:I, s:I, s:I}", "usage",
                              (json_int_t) read_int(mem, "memory.usage_in_bytes"), "max",
                              (json_int_t) read_int(mem, "memory.max_usage_in_bytes"), "limit",
                              (json_int_t) read_int(mem, "memory.limit_in_bytes"), "failcnt",
                              (json_int_t) read_int(mem, "memory.failcnt"));
    json_t *memory = json_pack("{s:o}", "usage", usage);
    if (mem && cg_has(mem, "memory.memsw.usage_in_bytes"))
        json_object_set_new(memory, "swap",
                            json_pack("{s:I, s:I}", "usage",
                                      (json_int_t) read_int(mem, "memory.memsw.usage_in_bytes"),
                                      "limit",
                                      (json_int_t) read_int(mem, "memory.memsw.limit_in_bytes")));
    json_object_set_new(data, "memory", memory);

    struct cg_hierarchy *acct = cg_find(cg, "cpuacct");
    json_t *throttling = json_object();
    static const char *const keys[] = {"nr_periods", "nr_throttled", "throttled_time"};
    static const char *const names[] = {"periods", "throttledPeriods", "throttledTime"};
    stat_fields(cg_find(cg, "cpu"), "cpu.stat", throttling, keys, names, 3);
    json_object_set_new(data, "cpu",
                        json_pack("{s:{s:I}, s:o}", "usage", "total",
                                  (json_int_t) read_int(acct, "cpuacct.usage"), "throttling",
                                  throttling));
    struct cg_hierarchy *pids = cg_find(cg, "pids");
    char max[32] = "";
    if (pids)
        cg_read(pids, "pids.max", max, sizeof(max), NULL);
    json_object_set_new(data, "pids",
                        json_pack("{s:I, s:I}", "current",
                                  (json_int_t) read_int(pids, "pids.current"), "limit",
                                  (json_int_t) (strcmp(max, "max") == 0 ? 0 : atoll(max))));
    return 0;
}

const struct cgroup_ops cgroup_v1_ops = {
    .name = "v1",
    .apply = v1_apply,
    .freeze = cgroup_v1_freeze,
    .is_frozen = cgroup_v1_is_frozen,
    .kill = v1_kill,
    .stats = cgroup_v1_stats,
};
