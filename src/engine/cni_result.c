/* SPDX-License-Identifier: Apache-2.0 */
/* CNI results, read from every version a plugin may answer in (cni.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cni.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

void cni_result_free(struct cni_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_interfaces; i++) {
        free(r->interfaces[i].name);
        free(r->interfaces[i].mac);
        free(r->interfaces[i].sandbox);
    }
    free(r->interfaces);
    for (size_t i = 0; i < r->n_ips; i++) {
        free(r->ips[i].address);
        free(r->ips[i].gateway);
    }
    free(r->ips);
    for (size_t i = 0; i < r->n_routes; i++) {
        free(r->routes[i].dst);
        free(r->routes[i].gw);
    }
    free(r->routes);
    strv_free(r->nameservers);
    strv_free(r->search);
    strv_free(r->options);
    free(r->domain);
    free(r);
}

/* A member that must be a string (or absent): a copy in *out. */
static int opt_string(const json_t *o, const char *key, const char *where, char **out,
                      struct error **err)
{
    const char *s = NULL;
    int r = json_get_string(o, key, where, false, &s, err);
    if (r < 0)
        return r;
    if (s && strlen(s) > 4096)
        return error_new(err, E2BIG, "%s.%s: too long", where, key);
    if (s && (*out = strdup(s)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

/* An array member (or absent): its size, checked against the limit. */
static int array_of(const json_t *o, const char *key, const char *where, const json_t **ret,
                    struct error **err)
{
    const json_t *a = json_object_get(o, key);
    *ret = NULL;
    if (a == NULL || json_is_null(a))
        return 0;
    char w[64];
    snprintf(w, sizeof(w), "%s.%s", where, key);
    if (json_expect(a, JSON_ARRAY, w, err) < 0)
        return -EINVAL;
    if (json_array_size(a) > CNI_RESULT_MAX_ITEMS)
        return error_new(err, E2BIG, "%s: more than %d entries", w, CNI_RESULT_MAX_ITEMS);
    *ret = a;
    return (int) json_array_size(a);
}

static int parse_interfaces(const json_t *j, struct cni_result *r, struct error **err)
{
    const json_t *a;
    int n = array_of(j, "interfaces", "result", &a, err);
    if (n <= 0)
        return n;
    if ((r->interfaces = calloc((size_t) n, sizeof(*r->interfaces))) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    /* Counted before its fields are read, so that the result's free sees
     * what a failure left half-read (found by fuzz_cni_result). */
    for (size_t k = 0; k < (size_t) n; k++) {
        struct cni_interface *i = &r->interfaces[r->n_interfaces++];
        const json_t *o = json_array_get(a, k);
        char w[48];
        snprintf(w, sizeof(w), "result.interfaces[%zu]", k);
        int rc;
        if (json_expect(o, JSON_OBJECT, w, err) < 0)
            return -EINVAL;
        if ((rc = opt_string(o, "name", w, &i->name, err)) < 0 ||
            (rc = opt_string(o, "mac", w, &i->mac, err)) < 0 ||
            (rc = opt_string(o, "sandbox", w, &i->sandbox, err)) < 0)
            return rc;
        /* The spec requires it (found by fuzz_cni_result: its users read it). */
        if (i->name == NULL || *i->name == '\0')
            return error_new(err, EINVAL, "%s.name: missing (an interface must have a name)",
                             w);
        if (i->sandbox && *i->sandbox == '\0') {
            free(i->sandbox);
            i->sandbox = NULL;
        }
    }
    return 0;
}

static int push_ip(struct cni_result *r, const json_t *o, const char *w, const char *addr_key,
                   struct error **err)
{
    struct cni_ip *v = realloc(r->ips, (r->n_ips + 1) * sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r->ips = v;
    struct cni_ip *ip = &v[r->n_ips++];
    memset(ip, 0, sizeof(*ip));
    ip->interface = -1;
    int rc;
    if (json_expect(o, JSON_OBJECT, w, err) < 0)
        return -EINVAL;
    if ((rc = opt_string(o, addr_key, w, &ip->address, err)) < 0 ||
        (rc = opt_string(o, "gateway", w, &ip->gateway, err)) < 0)
        return rc;
    if (ip->address == NULL || strchr(ip->address, '/') == NULL)
        return error_new(err, EINVAL, "%s.%s: expected an address in CIDR form", w, addr_key);
    const json_t *iface = json_object_get(o, "interface");
    if (iface && !json_is_null(iface)) {
        json_int_t k = json_integer_value(iface);
        if (!json_is_integer(iface) || k < 0 || (size_t) k >= r->n_interfaces)
            return error_new(err, EINVAL, "%s.interface: not an index into interfaces", w);
        ip->interface = (int) k;
    }
    return 0;
}

static int push_route(struct cni_result *r, const json_t *o, const char *w, struct error **err)
{
    struct cni_route *v = realloc(r->routes, (r->n_routes + 1) * sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r->routes = v;
    struct cni_route *rt = &v[r->n_routes++];
    memset(rt, 0, sizeof(*rt));
    if (json_expect(o, JSON_OBJECT, w, err) < 0)
        return -EINVAL;
    int rc;
    if ((rc = opt_string(o, "dst", w, &rt->dst, err)) < 0 ||
        (rc = opt_string(o, "gw", w, &rt->gw, err)) < 0)
        return rc;
    if (rt->dst == NULL)
        return error_new(err, EINVAL, "%s: a route needs dst", w);
    return 0;
}

static int parse_routes(const json_t *o, const char *where, struct cni_result *r,
                        struct error **err)
{
    const json_t *a;
    int n = array_of(o, "routes", where, &a, err);
    if (r->n_routes + (size_t) (n > 0 ? n : 0) > CNI_RESULT_MAX_ITEMS)
        return error_new(err, E2BIG, "%s.routes: too many", where);
    for (int i = 0; i < n; i++) {
        char w[64];
        snprintf(w, sizeof(w), "%s.routes[%d]", where, i);
        int rc = push_route(r, json_array_get(a, (size_t) i), w, err);
        if (rc < 0)
            return rc;
    }
    return n < 0 ? n : 0;
}

/* 0.3.0 and later: interfaces, ips, routes. */
static int parse_current(const json_t *j, struct cni_result *r, struct error **err)
{
    int rc = parse_interfaces(j, r, err);
    if (rc < 0)
        return rc;
    const json_t *a;
    int n = array_of(j, "ips", "result", &a, err);
    for (int i = 0; i < n; i++) {
        char w[32];
        snprintf(w, sizeof(w), "result.ips[%d]", i);
        if ((rc = push_ip(r, json_array_get(a, (size_t) i), w, "address", err)) < 0)
            return rc;
    }
    if (n < 0)
        return n;
    return parse_routes(j, "result", r, err);
}

/* 0.1.0 and 0.2.0: ip4 and ip6 objects, each with ip, gateway, routes. */
static int parse_legacy(const json_t *j, struct cni_result *r, struct error **err)
{
    const char *keys[] = {"ip4", "ip6"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *o = json_object_get(j, keys[k]);
        if (o == NULL || json_is_null(o))
            continue;
        char w[16];
        snprintf(w, sizeof(w), "result.%s", keys[k]);
        int rc = push_ip(r, o, w, "ip", err);
        if (rc == 0)
            rc = parse_routes(o, w, r, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int dns_list(const json_t *dns, const char *key, char ***out, struct error **err)
{
    const json_t *a;
    int n = array_of(dns, key, "result.dns", &a, err);
    for (int i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, (size_t) i));
        if (s == NULL || strlen(s) > 1024)
            return error_new(err, EINVAL, "result.dns.%s[%d]: expected a string", key, i);
        if (strv_push(out, s) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return n < 0 ? n : 0;
}

static int parse_dns(const json_t *j, struct cni_result *r, struct error **err)
{
    const json_t *dns = json_object_get(j, "dns");
    if (dns == NULL || json_is_null(dns))
        return 0;
    if (json_expect(dns, JSON_OBJECT, "result.dns", err) < 0)
        return -EINVAL;
    int rc;
    if ((rc = dns_list(dns, "nameservers", &r->nameservers, err)) < 0 ||
        (rc = dns_list(dns, "search", &r->search, err)) < 0 ||
        (rc = dns_list(dns, "options", &r->options, err)) < 0)
        return rc;
    return opt_string(dns, "domain", "result.dns", &r->domain, err);
}

int cni_result_parse(const json_t *j, struct cni_result **ret, struct error **err)
{
    if (json_expect(j, JSON_OBJECT, "result", err) < 0)
        return -EINVAL;
    cleanup_cni_result struct cni_result *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *version = json_string_value(json_object_get(j, "cniVersion"));
    int v = version ? cni_version_number(version) : -1;
    bool legacy = (v >= 0 && v < 300) ||
                  (v < 0 && (json_object_get(j, "ip4") || json_object_get(j, "ip6")));
    int rc = legacy ? parse_legacy(j, r, err) : parse_current(j, r, err);
    if (rc == 0)
        rc = parse_dns(j, r, err);
    if (rc < 0)
        return rc;
    *ret = steal_pointer(&r);
    return 0;
}

int cni_result_parse_text(const char *buf, size_t len, struct cni_result **ret,
                          struct error **err)
{
    if (len > CNI_OUTPUT_MAX)
        return error_new(err, E2BIG, "result: larger than %u bytes", CNI_OUTPUT_MAX);
    json_error_t je;
    cleanup_json json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return error_new(err, EINVAL, "result: malformed JSON at line %d, column %d: %s",
                         je.line, je.column, je.text);
    return cni_result_parse(j, ret, err);
}

static bool family_of(const char *cidr, int family)
{
    bool v6 = strchr(cidr, ':') != NULL;
    return family == 0 || (family == 4 && !v6) || (family == 6 && v6);
}

const struct cni_ip *cni_result_container_ip(const struct cni_result *r, int family)
{
    for (size_t i = 0; i < r->n_ips; i++) {
        int k = r->ips[i].interface;
        if (k >= 0 && r->interfaces[k].sandbox && family_of(r->ips[i].address, family))
            return &r->ips[i];
    }
    for (size_t i = 0; i < r->n_ips; i++)
        if (family_of(r->ips[i].address, family))
            return &r->ips[i];
    return NULL;
}
