/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources → struct cgroup_resources, every field checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/json.h"

static const struct cg_device_rule default_devices[] = {
    {true, 'c', -1, -1, "m"},   {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
    {true, 'c', 1, 5, "rwm"},   {true, 'c', 1, 7, "rwm"},    {true, 'c', 1, 8, "rwm"},
    {true, 'c', 1, 9, "rwm"},   {true, 'c', 5, 0, "rwm"},    {true, 'c', 5, 1, "rwm"},
    {true, 'c', 5, 2, "rwm"},   {true, 'c', 136, -1, "rwm"}, {true, 'c', 10, 200, "rwm"},
};

int cgroup_device_rules(const struct cgroup_resources *r, struct cg_device_rule **ret,
                        size_t *ret_n)
{
    size_t nd = sizeof(default_devices) / sizeof(default_devices[0]);
    struct cg_device_rule *all = calloc(r->n_devices + nd, sizeof(*all));
    if (all == NULL)
        return -ENOMEM;
    if (r->n_devices)
        memcpy(all, r->devices, r->n_devices * sizeof(*all));
    memcpy(all + r->n_devices, default_devices, sizeof(default_devices));
    *ret = all;
    *ret_n = r->n_devices + nd;
    return 0;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_to_io_weight(uint64_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        weight = 10;
    if (weight > 1000)
        weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

static int get_opt(const json_t *o, const char *key, const char *where, struct cg_opt *ret,
                   struct error **err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return error_new(err, EINVAL, "%s.%s: expected an integer, got %s", where, key,
                         json_type_name(v));
    ret->set = true;
    ret->v = json_integer_value(v);
    return 0;
}

static int get_nonneg(const json_t *o, const char *key, const char *where, struct cg_opt *ret,
                      struct error **err)
{
    int r = get_opt(o, key, where, ret, err);
    if (r == 0 && ret->set && ret->v < 0)
        return error_new(err, ERANGE, "%s.%s: %lld must not be negative", where, key,
                         (long long) ret->v);
    return r;
}

static int sub(const json_t *j, const char *key, const char *where, const json_t **ret,
               struct error **err)
{
    json_t *v = json_object_get(j, key);
    *ret = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    char w[128];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    int r = json_expect(v, JSON_OBJECT, w, err);
    if (r == 0)
        *ret = v;
    return r;
}

static int parse_memory(const json_t *m, const char *where, struct cgroup_resources *r,
                        struct error **err)
{
    int e;
    if ((e = get_opt(m, "limit", where, &r->mem_limit, err)) < 0 ||
        (e = get_opt(m, "reservation", where, &r->mem_reservation, err)) < 0 ||
        (e = get_opt(m, "swap", where, &r->mem_swap, err)) < 0 ||
        (e = get_opt(m, "swappiness", where, &r->mem_swappiness, err)) < 0 ||
        (e = json_get_bool(m, "disableOOMKiller", where, &r->mem_disable_oom_killer, err)) < 0 ||
        (e = json_get_bool(m, "checkBeforeUpdate", where, &r->mem_check_before_update, err)) < 0)
        return e;
    if (r->mem_swappiness.set && (r->mem_swappiness.v < 0 || r->mem_swappiness.v > 100))
        return error_new(err, ERANGE, "%s.swappiness: %lld is outside 0..100", where,
                         (long long) r->mem_swappiness.v);
    if (r->mem_limit.set && r->mem_swap.set && r->mem_swap.v > 0 && r->mem_limit.v > 0 &&
        r->mem_swap.v < r->mem_limit.v)
        return error_new(err, EINVAL,
                         "%s.swap: %lld is below the limit %lld (swap is memory+swap)", where,
                         (long long) r->mem_swap.v, (long long) r->mem_limit.v);
    return 0;
}

static int parse_cpu(const json_t *c, const char *where, struct cgroup_resources *r,
                     struct error **err)
{
    int e;
    if ((e = get_nonneg(c, "shares", where, &r->cpu_shares, err)) < 0 ||
        (e = get_opt(c, "quota", where, &r->cpu_quota, err)) < 0 ||
        (e = get_nonneg(c, "period", where, &r->cpu_period, err)) < 0 ||
        (e = get_nonneg(c, "burst", where, &r->cpu_burst, err)) < 0 ||
        (e = get_opt(c, "realtimeRuntime", where, &r->cpu_rt_runtime, err)) < 0 ||
        (e = get_nonneg(c, "realtimePeriod", where, &r->cpu_rt_period, err)) < 0 ||
        (e = get_opt(c, "idle", where, &r->cpu_idle, err)) < 0)
        return e;
    const char *s = NULL;
    if ((e = json_get_string(c, "cpus", where, false, &s, err)) < 0)
        return e;
    if (s && *s)
        r->cpus = strdup(s);
    s = NULL;
    if ((e = json_get_string(c, "mems", where, false, &s, err)) < 0)
        return e;
    if (s && *s)
        r->mems = strdup(s);
    return 0;
}

static int parse_dev_list(const json_t *b, const char *key, const char *where, bool rate,
                          struct cg_blkio_device **ret, size_t *ret_n, struct error **err)
{
    json_t *a = json_object_get(b, key);
    if (a == NULL || json_is_null(a))
        return 0;
    char w[128];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    int e = json_expect(a, JSON_ARRAY, w, err);
    if (e < 0)
        return e;
    size_t n = json_array_size(a);
    *ret = calloc(n ? n : 1, sizeof(**ret));
    if (*ret == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char wi[160];
        snprintf(wi, sizeof(wi), "%s[%zu]", w, i);
        json_t *d = json_array_get(a, i);
        struct cg_blkio_device *dev = &(*ret)[i];
        *ret_n = i + 1;
        if ((e = json_expect(d, JSON_OBJECT, wi, err)) < 0 ||
            (e = json_get_int64(d, "major", wi, true, &dev->major, err)) < 0 ||
            (e = json_get_int64(d, "minor", wi, true, &dev->minor, err)) < 0)
            return e;
        if (rate) {
            if ((e = json_get_uint64(d, "rate", wi, true, UINT64_MAX >> 1, &dev->rate, err)) < 0)
                return e;
        } else if ((e = get_nonneg(d, "weight", wi, &dev->weight, err)) < 0 ||
                   (e = get_nonneg(d, "leafWeight", wi, &dev->leaf_weight, err)) < 0) {
            return e;
        }
    }
    return 0;
}

static int parse_blkio(const json_t *b, const char *where, struct cgroup_resources *r,
                       struct error **err)
{
    static const char *const keys[CG_THROTTLE__COUNT] = {
        "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
        "throttleWriteIOPSDevice"};
    int e;
    if ((e = get_nonneg(b, "weight", where, &r->blkio_weight, err)) < 0 ||
        (e = get_nonneg(b, "leafWeight", where, &r->blkio_leaf_weight, err)) < 0 ||
        (e = parse_dev_list(b, "weightDevice", where, false, &r->weight_devices,
                            &r->n_weight_devices, err)) < 0)
        return e;
    for (int t = 0; t < CG_THROTTLE__COUNT; t++)
        if ((e = parse_dev_list(b, keys[t], where, true, &r->throttle[t], &r->n_throttle[t],
                                err)) < 0)
            return e;
    return 0;
}

static int parse_devices(const json_t *a, const char *where, struct cgroup_resources *r,
                         struct error **err)
{
    int e = json_expect(a, JSON_ARRAY, where, err);
    if (e < 0)
        return e;
    size_t n = json_array_size(a);
    r->devices = calloc(n ? n : 1, sizeof(*r->devices));
    if (r->devices == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r->devices_set = true;
    for (size_t i = 0; i < n; i++) {
        char w[128];
        snprintf(w, sizeof(w), "%s[%zu]", where, i);
        json_t *d = json_array_get(a, i);
        struct cg_device_rule *rule = &r->devices[i];
        r->n_devices = i + 1;
        if ((e = json_expect(d, JSON_OBJECT, w, err)) < 0)
            return e;
        json_t *allow = json_object_get(d, "allow");
        if (!json_is_boolean(allow))
            return error_new(err, EINVAL, "%s.allow: missing or not a boolean", w);
        rule->allow = json_is_true(allow);
        const char *type = NULL, *access = NULL;
        if ((e = json_get_string(d, "type", w, false, &type, err)) < 0 ||
            (e = json_get_string(d, "access", w, false, &access, err)) < 0)
            return e;
        rule->type = type && *type ? type[0] : 'a';
        if ((type && strlen(type) > 1) || strchr("acb", rule->type) == NULL)
            return error_new(err, EINVAL, "%s.type: `%s` is not one of a, c, b", w, type);
        rule->major = rule->minor = -1;
        json_t *mj = json_object_get(d, "major"), *mn = json_object_get(d, "minor");
        if (mj && !json_is_null(mj) && (e = json_get_int64(d, "major", w, true, &rule->major,
                                                           err)) < 0)
            return e;
        if (mn && !json_is_null(mn) && (e = json_get_int64(d, "minor", w, true, &rule->minor,
                                                           err)) < 0)
            return e;
        const char *acc = access && *access ? access : "rwm";
        if (strlen(acc) > 3 || strspn(acc, "rwm") != strlen(acc))
            return error_new(err, EINVAL, "%s.access: `%s` is not made of r, w, m", w, acc);
        snprintf(rule->access, sizeof(rule->access), "%s", acc);
    }
    return 0;
}

static int parse_hugepages(const json_t *a, const char *where, struct cgroup_resources *r,
                           struct error **err)
{
    int e = json_expect(a, JSON_ARRAY, where, err);
    if (e < 0)
        return e;
    size_t n = json_array_size(a);
    r->hugepages = calloc(n ? n : 1, sizeof(*r->hugepages));
    if (r->hugepages == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char w[128];
        snprintf(w, sizeof(w), "%s[%zu]", where, i);
        json_t *h = json_array_get(a, i);
        const char *ps = NULL;
        r->n_hugepages = i + 1;
        if ((e = json_expect(h, JSON_OBJECT, w, err)) < 0 ||
            (e = json_get_string(h, "pageSize", w, true, &ps, err)) < 0 ||
            (e = json_get_uint64(h, "limit", w, true, UINT64_MAX >> 1, &r->hugepages[i].limit,
                                 err)) < 0)
            return e;
        if (strspn(ps, "0123456789") == 0 || strspn(ps, "0123456789KMGB") != strlen(ps))
            return error_new(err, EINVAL, "%s.pageSize: `%s` is not like 2MB or 1GB", w, ps);
        r->hugepages[i].page_size = strdup(ps);
    }
    return 0;
}

static int parse_network(const json_t *o, const char *where, struct cgroup_resources *r,
                         struct error **err)
{
    int e;
    if ((e = get_nonneg(o, "classID", where, &r->net_class_id, err)) < 0)
        return e;
    json_t *a = json_object_get(o, "priorities");
    if (a == NULL || json_is_null(a))
        return 0;
    char w[128];
    snprintf(w, sizeof(w), "%s.priorities", where);
    if ((e = json_expect(a, JSON_ARRAY, w, err)) < 0)
        return e;
    size_t n = json_array_size(a);
    r->net_prios = calloc(n ? n : 1, sizeof(*r->net_prios));
    if (r->net_prios == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char wi[160];
        snprintf(wi, sizeof(wi), "%s[%zu]", w, i);
        json_t *p = json_array_get(a, i);
        const char *name = NULL;
        uint64_t prio;
        r->n_net_prios = i + 1;
        if ((e = json_expect(p, JSON_OBJECT, wi, err)) < 0 ||
            (e = json_get_string(p, "name", wi, true, &name, err)) < 0 ||
            (e = json_get_uint64(p, "priority", wi, true, UINT32_MAX, &prio, err)) < 0)
            return e;
        r->net_prios[i].name = strdup(name);
        r->net_prios[i].priority = (uint32_t) prio;
    }
    return 0;
}

/* These fields read as runc reads them: 0 is "not set" (its Resources
 * has no pointers for them), and clients count on it: dockerd sends
 * cpu.shares 0 and blockIO.weight 0 for every container it starts. */
static void zero_is_unset(struct cgroup_resources *r)
{
    /* (pids.limit 0 stays "no limit", as crun and the runtime-spec read it.) */
    struct cg_opt *f[] = {&r->mem_limit,      &r->mem_reservation, &r->mem_swap,
                          &r->cpu_shares,     &r->cpu_quota,       &r->cpu_period,
                          &r->cpu_rt_runtime, &r->cpu_rt_period,   &r->blkio_weight,
                          &r->blkio_leaf_weight};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (f[i]->set && f[i]->v == 0)
            f[i]->set = false;
    for (size_t i = 0; i < r->n_weight_devices; i++) {
        if (r->weight_devices[i].weight.set && r->weight_devices[i].weight.v == 0)
            r->weight_devices[i].weight.set = false;
        if (r->weight_devices[i].leaf_weight.set && r->weight_devices[i].leaf_weight.v == 0)
            r->weight_devices[i].leaf_weight.set = false;
    }
}

int cgroup_resources_parse(const json_t *j, const char *where, struct cgroup_resources **ret,
                           struct error **err)
{
    int e = json_expect(j, JSON_OBJECT, where, err);
    if (e < 0)
        return e;
    struct cgroup_resources *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char w[128];
    const json_t *o;
    json_t *v;
#define SUB(key, fn)                                                                              \
    do {                                                                                          \
        snprintf(w, sizeof(w), "%s.%s", where, key);                                              \
        if ((e = sub(j, key, where, &o, err)) < 0 || (o && (e = fn(o, w, r, err)) < 0))           \
            goto fail;                                                                            \
    } while (0)
    SUB("memory", parse_memory);
    SUB("cpu", parse_cpu);
    SUB("blockIO", parse_blkio);
    SUB("network", parse_network);
#undef SUB
    const json_t *pids;
    if ((e = sub(j, "pids", where, &pids, err)) < 0)
        goto fail;
    if (pids) {
        snprintf(w, sizeof(w), "%s.pids", where);
        if ((e = get_opt(pids, "limit", w, &r->pids_limit, err)) < 0)
            goto fail;
    }
    if ((v = json_object_get(j, "devices")) && !json_is_null(v)) {
        snprintf(w, sizeof(w), "%s.devices", where);
        if ((e = parse_devices(v, w, r, err)) < 0)
            goto fail;
    }
    if ((v = json_object_get(j, "hugepageLimits")) && !json_is_null(v)) {
        snprintf(w, sizeof(w), "%s.hugepageLimits", where);
        if ((e = parse_hugepages(v, w, r, err)) < 0)
            goto fail;
    }
    if ((v = json_object_get(j, "unified")) && !json_is_null(v)) {
        snprintf(w, sizeof(w), "%s.unified", where);
        if ((e = json_expect(v, JSON_OBJECT, w, err)) < 0)
            goto fail;
        const char *k;
        json_t *val;
        json_object_foreach(v, k, val)
        {
            if (!json_is_string(val) || strchr(k, '/') || k[0] == '.' || !strchr(k, '.')) {
                e = error_new(err, EINVAL, "%s.%s: expected a string value for a cgroup file",
                              w, k);
                goto fail;
            }
        }
        r->unified = json_incref(v);
    }
    if ((v = json_object_get(j, "rdma")) && !json_is_null(v)) {
        snprintf(w, sizeof(w), "%s.rdma", where);
        if ((e = json_expect(v, JSON_OBJECT, w, err)) < 0)
            goto fail;
        r->rdma = json_incref(v);
    }
    zero_is_unset(r);
    *ret = r;
    return 0;
fail:
    cgroup_resources_free(r);
    return e;
}

void cgroup_resources_free(struct cgroup_resources *r)
{
    if (r == NULL)
        return;
    free(r->cpus);
    free(r->mems);
    free(r->weight_devices);
    for (int t = 0; t < CG_THROTTLE__COUNT; t++)
        free(r->throttle[t]);
    for (size_t i = 0; i < r->n_hugepages; i++)
        free(r->hugepages[i].page_size);
    free(r->hugepages);
    for (size_t i = 0; i < r->n_net_prios; i++)
        free(r->net_prios[i].name);
    free(r->net_prios);
    free(r->devices);
    json_decref(r->unified);
    json_decref(r->rdma);
    free(r);
}
