/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: a CNI plugin's result (src/engine/cni_result.c), of any
 * version from 0.1.0 (ip4/ip6) to 1.0.0, as cabin reads a plugin's stdout
 * (cni_result_parse_text) and a cached result (cni_result_parse).
 *
 * Checked, beyond the error contract: both ways give the same outcome; at
 * most CNI_RESULT_MAX_ITEMS of each list; every address is a CIDR; an
 * address's interface index is -1 or points into the interfaces; every
 * interface has a name; routes have a destination; the container address
 * (cni_result_container_ip) is one of the result's.
 */
#include <errno.h>
#include <stdint.h>

#include "engine/cni.h"
#include "fuzz.h"
#include "util/cleanup.h"

static void check_ok(const struct cni_result *r)
{
    FUZZ_CHECK(r->n_interfaces <= CNI_RESULT_MAX_ITEMS && r->n_ips <= CNI_RESULT_MAX_ITEMS &&
               r->n_routes <= CNI_RESULT_MAX_ITEMS);
    for (size_t i = 0; i < r->n_interfaces; i++)
        FUZZ_CHECK(r->interfaces[i].name != NULL);
    for (size_t i = 0; i < r->n_ips; i++) {
        FUZZ_CHECK(r->ips[i].address != NULL && strchr(r->ips[i].address, '/') != NULL);
        FUZZ_CHECK(r->ips[i].interface >= -1 && r->ips[i].interface < (int) r->n_interfaces);
    }
    for (size_t i = 0; i < r->n_routes; i++)
        FUZZ_CHECK(r->routes[i].dst != NULL);
    for (int family = 4; family <= 6; family += 2) {
        const struct cni_ip *ip = cni_result_container_ip(r, family);
        FUZZ_CHECK(ip == NULL || (ip >= r->ips && ip < r->ips + r->n_ips));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_error struct error *err = NULL;
    cleanup_cni_result struct cni_result *a = NULL;
    int ra = cni_result_parse_text((const char *) data, size, &a, &err);
    if (ra < 0) {
        fuzz_check_error(ra, err);
        FUZZ_CHECK(a == NULL);
    } else {
        FUZZ_CHECK(ra == 0 && a != NULL && err == NULL);
        check_ok(a);
    }
    /* The same text through the JSON value (a cached result) agrees, when
     * it is JSON at all. */
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    cleanup_error struct error *err2 = NULL;
    cleanup_cni_result struct cni_result *b = NULL;
    int rb = cni_result_parse(j, &b, &err2);
    if (rb < 0)
        fuzz_check_error(rb, err2);
    else
        check_ok(b);
    if (memchr(data, '\0', size) == NULL)
        FUZZ_CHECK((ra == 0) == (rb == 0));
    return 0;
}
