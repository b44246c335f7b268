/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/registry.h"
#include "util/cleanup.h"
#include "util/json.h"

/* The host of "host", "host:port", "[v6]" or "[v6]:port" (malloc'd). */
static char *host_of(const char *endpoint)
{
    if (endpoint[0] == '[') {
        const char *close = strchr(endpoint, ']');
        return close ? strndup(endpoint + 1, (size_t) (close - endpoint - 1)) : NULL;
    }
    const char *colon = strchr(endpoint, ':');
    /* More than one ':' without brackets: an IPv6 address alone. */
    if (colon && strchr(colon + 1, ':'))
        return strdup(endpoint);
    return colon ? strndup(endpoint, (size_t) (colon - endpoint)) : strdup(endpoint);
}

struct ip {
    int family;
    unsigned char a[16];
};

static bool parse_ip(const char *s, struct ip *ret)
{
    if (inet_pton(AF_INET, s, ret->a) == 1) {
        ret->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, ret->a) == 1) {
        ret->family = AF_INET6;
        return true;
    }
    return false;
}

static bool in_block(const struct ip *ip, const struct ip *net, unsigned bits)
{
    if (ip->family != net->family)
        return false;
    for (unsigned i = 0; i < bits / 8; i++)
        if (ip->a[i] != net->a[i])
            return false;
    unsigned rest = bits % 8;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char) (0xff << (8 - rest));
    return (ip->a[bits / 8] & mask) == (net->a[bits / 8] & mask);
}

bool registry_config_is_loopback(const char *endpoint)
{
    cleanup_free char *host = host_of(endpoint);
    if (host == NULL)
        return false;
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct ip ip, lo4, lo6;
    if (!parse_ip(host, &ip))
        return false;
    parse_ip("127.0.0.0", &lo4);
    parse_ip("::1", &lo6);
    return in_block(&ip, &lo4, 8) || in_block(&ip, &lo6, 128);
}

/* Does the entry `e` (of insecure-registries) name this registry? */
static int entry_matches(const char *e, const char *domain, const char *endpoint, bool *ret,
                         const char *where, struct error **err)
{
    if (strncasecmp(e, "http://", 7) == 0)
        e += 7;
    else if (strncasecmp(e, "https://", 8) == 0)
        e += 8;
    const char *slash = strchr(e, '/');
    if (slash == NULL) {
        *ret = strcasecmp(e, domain) == 0 || strcasecmp(e, endpoint) == 0;
        return 0;
    }
    /* A CIDR block. */
    cleanup_free char *net_s = strndup(e, (size_t) (slash - e));
    struct ip net;
    char *end;
    unsigned long bits = strtoul(slash + 1, &end, 10);
    if (net_s == NULL || !parse_ip(net_s, &net) || *end || end == slash + 1 ||
        bits > (net.family == AF_INET ? 32u : 128u))
        return error_new(err, EINVAL, "%s: `%s` is neither a registry nor a CIDR block", where,
                         e);
    cleanup_free char *host = host_of(endpoint);
    struct ip ip;
    *ret = host && parse_ip(host, &ip) && in_block(&ip, &net, (unsigned) bits);
    return 0;
}

static int from_config(const char *path, const char *domain, const char *endpoint, bool *ret,
                       struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(AT_FDCWD, path, REGISTRY_CONFIG_MAX, &j, err);
    if (r == -ENOENT) {
        if (err)
            error_freep(err);
        return 0;
    }
    if (r < 0)
        return error_wrap(err, "registries config");
    char where[4200];
    snprintf(where, sizeof(where), "%s: insecure-registries", path);
    if (!json_is_object(j))
        return error_new(err, EINVAL, "%s: expected a JSON object", path);
    json_t *list = json_object_get(j, "insecure-registries");
    if (list == NULL || json_is_null(list))
        return 0;
    if ((r = json_expect(list, JSON_ARRAY, where, err)) < 0)
        return r;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *e = json_string_value(json_array_get(list, i));
        if (e == NULL)
            return error_new(err, EINVAL, "%s[%zu]: expected a string", where, i);
        bool hit = false;
        if ((r = entry_matches(e, domain, endpoint, &hit, where, err)) < 0)
            return r;
        if (hit) {
            *ret = true;
            return 0;
        }
    }
    return 0;
}

int registry_config_insecure(const char *conf, const char *domain, const char *endpoint,
                             int tls_verify, bool *ret, struct error **err)
{
    if (tls_verify != REGISTRY_TLS_DEFAULT) {
        *ret = tls_verify == REGISTRY_TLS_NO_VERIFY;
        return 0;
    }
    if (conf == NULL || *conf == '\0')
        conf = getenv("CABIN_REGISTRIES_CONF");
    if (conf == NULL || *conf == '\0')
        conf = REGISTRY_CONFIG_DEFAULT;
    bool insecure = false;
    int r = from_config(conf, domain, endpoint, &insecure, err);
    if (r < 0)
        return r;
    *ret = insecure || registry_config_is_loopback(endpoint);
    return 0;
}
