/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: linux.resources, as cgroup_resources_parse() reads it.
 *
 * The input is a JSON document: config.json's linux.resources object, or
 * what `cabin-runtime update --resources FILE|-` reads from its caller.
 * Checked: errors carry a message; parsed resources keep cgroup.h's
 * promises (device rules of a known type and access, swappiness in range,
 * counts that match the arrays), and cgroup_device_rules() works on them.
 */
#include <errno.h>

#include "fuzz.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/json.h"

static void check(const struct cgroup_resources *r)
{
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct cg_device_rule *d = &r->devices[i];
        FUZZ_CHECK(d->type == 'a' || d->type == 'b' || d->type == 'c');
        FUZZ_CHECK(d->access[0] != '\0' && strspn(d->access, "rwm") == strlen(d->access));
    }
    FUZZ_CHECK(!r->mem_swappiness.set || (r->mem_swappiness.v >= 0 && r->mem_swappiness.v <= 100));
    FUZZ_CHECK(!r->cpu_shares.set || r->cpu_shares.v >= 0);
    FUZZ_CHECK(!r->cpus || r->cpus[0] != '\0');
    for (size_t i = 0; i < r->n_hugepages; i++)
        FUZZ_CHECK(r->hugepages[i].page_size && r->hugepages[i].page_size[0] != '\0');
    for (size_t i = 0; i < r->n_net_prios; i++)
        FUZZ_CHECK(r->net_prios[i].name != NULL);
    FUZZ_CHECK(!r->unified || json_is_object(r->unified));
    FUZZ_CHECK(!r->rdma || json_is_object(r->rdma));
    struct cg_device_rule *all = NULL;
    size_t n = 0;
    FUZZ_CHECK(cgroup_device_rules(r, &all, &n) == 0);
    FUZZ_CHECK(n >= r->n_devices);
    free(all);
    /* The conversions the v2 backend applies to what was parsed. */
    if (r->cpu_shares.set) {
        uint64_t w = cgroup_shares_to_weight((uint64_t) r->cpu_shares.v);
        FUZZ_CHECK(r->cpu_shares.v == 0 ? w == 0 : (w >= 1 && w <= 10000));
    }
    if (r->blkio_weight.set) {
        uint64_t w = cgroup_blkio_to_io_weight((uint64_t) r->blkio_weight.v);
        FUZZ_CHECK(r->blkio_weight.v == 0 ? w == 0 : (w >= 1 && w <= 10000));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    cleanup_error struct error *err = NULL;
    struct cgroup_resources *r = NULL;
    int e = cgroup_resources_parse(j, "resources", &r, &err);
    if (e < 0) {
        fuzz_check_error(e, err);
        FUZZ_CHECK(r == NULL);
        return 0;
    }
    FUZZ_CHECK(r != NULL && err == NULL);
    check(r);
    cgroup_resources_free(r);
    return 0;
}
