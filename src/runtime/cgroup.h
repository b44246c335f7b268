/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroups: how much a container may use.
 *
 * One front, several backends chosen once from /proc/self/mountinfo (never
 * from guesses about paths):
 *
 *   v1      controllers each mounted as its own hierarchy
 *   v2      one unified hierarchy at /sys/fs/cgroup
 *   hybrid  v1 controllers plus a cgroup2 mount (/sys/fs/cgroup/unified);
 *           the container gets a cgroup in both, limits go to v1, and the
 *           unified one gives cgroup.kill and cgroup.freeze where present
 *
 * A backend is a table of operations (struct cgroup_ops) so callers never
 * ask which one they have; a systemd backend can be added as another table.
 *
 * The container's cgroup is named by linux.cgroupsPath: absolute (from each
 * hierarchy's root), relative (to the runtime's own cgroup in each
 * hierarchy), or absent (then "/cabin-runtime/ID").  Missing parents are
 * made; an existing cgroup is joined, and then not removed on delete unless
 * we made it.
 */
#ifndef CABIN_RUNTIME_CGROUP_H
#define CABIN_RUNTIME_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum cgroup_layout { CGROUP_LAYOUT_V1, CGROUP_LAYOUT_V2, CGROUP_LAYOUT_HYBRID };

const char *cgroup_layout_name(enum cgroup_layout l);

/* An optional integer field of linux.resources. */
struct cg_opt {
    bool set;
    int64_t v;
};

struct cg_device_rule {
    bool allow;
    char type;       /* 'a', 'c' or 'b' */
    int64_t major;   /* -1 = any */
    int64_t minor;   /* -1 = any */
    char access[4];  /* some of "rwm" */
};

struct cg_blkio_device {
    int64_t major, minor;
    struct cg_opt weight, leaf_weight; /* weightDevice */
    uint64_t rate;                     /* throttle*Device */
};

enum cg_throttle { CG_READ_BPS, CG_WRITE_BPS, CG_READ_IOPS, CG_WRITE_IOPS, CG_THROTTLE__COUNT };

struct cg_hugepage {
    char *page_size; /* "2MB", "1GB" */
    uint64_t limit;
};

struct cg_prio {
    char *name;
    uint32_t priority;
};

/* linux.resources, checked.  Unset fields are left as the kernel has them. */
struct cgroup_resources {
    struct cg_opt mem_limit, mem_reservation, mem_swap, mem_swappiness;
    bool mem_disable_oom_killer, mem_check_before_update;
    struct cg_opt cpu_shares, cpu_quota, cpu_period, cpu_burst, cpu_rt_runtime, cpu_rt_period,
        cpu_idle;
    char *cpus, *mems;
    struct cg_opt pids_limit;
    struct cg_opt blkio_weight, blkio_leaf_weight;
    struct cg_blkio_device *weight_devices;
    size_t n_weight_devices;
    struct cg_blkio_device *throttle[CG_THROTTLE__COUNT];
    size_t n_throttle[CG_THROTTLE__COUNT];
    struct cg_hugepage *hugepages;
    size_t n_hugepages;
    struct cg_opt net_class_id;
    struct cg_prio *net_prios;
    size_t n_net_prios;
    struct cg_device_rule *devices;
    size_t n_devices;
    bool devices_set;
    json_t *unified; /* object of string values, or NULL */
    json_t *rdma;    /* object, or NULL */
};

/* Parse linux.resources (or update's JSON); `where` prefixes messages. */
int cgroup_resources_parse(const json_t *j, const char *where, struct cgroup_resources **ret,
                           struct error **err);
void cgroup_resources_free(struct cgroup_resources *r);

/* The device rules to enforce: the spec's, then the devices every
 * container gets whatever its rules say (as runc and crun): mknod of
 * anything, and the standard character devices.  *ret is malloc'd. */
int cgroup_device_rules(const struct cgroup_resources *r, struct cg_device_rule **ret,
                        size_t *ret_n);

/* cpu.shares (2..262144) → cpu.weight (1..10000), the conversion runc,
 * crun and the kernel docs agree on. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio weight (10..1000) → io.weight / io.bfq.weight (1..10000). */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);

struct cgroup;

/* What differs between the layouts; creating, entering, listing and
 * removing are the same walk over the hierarchies (cgroup.c). */
struct cgroup_ops {
    const char *name;
    int (*apply)(struct cgroup *cg, const struct cgroup_resources *r, struct error **err);
    int (*freeze)(struct cgroup *cg, bool frozen, struct error **err);
    bool (*is_frozen)(struct cgroup *cg);
    /* Signal every process if the kernel can do it alone (cgroup.kill):
     * returns 1 when done, 0 when the front must freeze, signal and thaw. */
    int (*kill)(struct cgroup *cg, int sig, struct error **err);
    int (*stats)(struct cgroup *cg, json_t *data, struct error **err);
};

/* One hierarchy: a v1 mount with its controllers, or the cgroup2 mount. */
struct cg_hierarchy {
    char *mountpoint;  /* /sys/fs/cgroup/memory */
    char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
    bool v2;
    char *own;  /* the runtime's own cgroup in it (from /proc/self/cgroup) */
    char *path; /* the container's cgroup, absolute within the hierarchy */
    int made;   /* how many trailing components of `path` we made */
};

struct cgroup {
    const struct cgroup_ops *ops;
    enum cgroup_layout layout;
    char *path; /* as resolved: absolute, or relative to own */
    /* The parents of `path` are shared by every container under them (the
     * default /cabin-runtime, or the caller says so: the cabin engine's
     * /cabin): whoever empties one last removes it, whoever made it. */
    bool parents_shared;
    struct cg_hierarchy *h;
    size_t n_h;
};

/* Detect the layout and build the container's cgroup (nothing is made on
 * disk yet).  `cgroups_path` may be NULL; `id` names the default. */
int cgroup_new(const char *cgroups_path, const char *id, struct cgroup **ret, struct error **err);
/* What state.json records of the cgroup (layout and, per hierarchy, the
 * absolute path and whether we made it), and back, so later commands find
 * the same directories whatever cgroup they run in. */
json_t *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(const json_t *j, struct cgroup **ret, struct error **err);
void cgroup_free(struct cgroup *cg);

/* Front operations (they dispatch to the backend). */
int cgroup_create(struct cgroup *cg, struct error **err);
int cgroup_enter(struct cgroup *cg, pid_t pid, struct error **err);
int cgroup_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err);
int cgroup_freeze(struct cgroup *cg, bool frozen, struct error **err);
bool cgroup_is_frozen(struct cgroup *cg);
int cgroup_procs(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct error **err);
int cgroup_kill_all(struct cgroup *cg, int sig, struct error **err);
int cgroup_stats(struct cgroup *cg, json_t **ret, struct error **err);
/* How many times the OOM killer struck in the cgroup, or -1. */
long long cgroup_oom_kills(struct cgroup *cg);
/* The file whose "oom_kill N" line cgroup_oom_kills reads (malloc'd), or
 * NULL without a memory controller. */
char *cgroup_oom_file(struct cgroup *cg);
/* Whether this container made its cgroup (in any hierarchy). */
bool cgroup_owned(const struct cgroup *cg);
/* Remove the cgroups we made, waiting briefly for dying processes. */
int cgroup_destroy(struct cgroup *cg, struct error **err);

/* Helpers shared by the backends (cgroup.c). */
int cg_write(struct cg_hierarchy *h, const char *file, const char *value, struct error **err);
int cg_write_int(struct cg_hierarchy *h, const char *file, int64_t v, struct error **err);
int cg_read(struct cg_hierarchy *h, const char *file, char *buf, size_t len, struct error **err);
bool cg_has(struct cg_hierarchy *h, const char *file);
int cg_mkdir_path(struct cg_hierarchy *h, struct error **err);
int cg_rmdir_path(struct cg_hierarchy *h, struct error **err);
int cg_read_procs(struct cg_hierarchy *h, pid_t **ret, size_t *ret_n, struct error **err);
/* The hierarchy holding `controller` ("memory"), or NULL. */
struct cg_hierarchy *cg_find(struct cgroup *cg, const char *controller);
struct cg_hierarchy *cg_unified(struct cgroup *cg);

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;
extern const struct cgroup_ops cgroup_hybrid_ops;

#endif
