/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netopts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

const char *net_mode_name(enum net_mode m)
{
    switch (m) {
    case NET_MODE_BRIDGE: return "bridge";
    case NET_MODE_NONE: return "none";
    case NET_MODE_HOST: return "host";
    case NET_MODE_CONTAINER: return "container";
    }
    return "unknown";
}

void net_request_free(struct net_request *r)
{
    if (r == NULL)
        return;
    strv_free(r->networks);
    free(r->container);
    free(r->ports);
    free(r->ip);
    strv_free(r->dns);
    strv_free(r->dns_search);
    strv_free(r->dns_options);
    for (size_t i = 0; i < r->n_hosts; i++) {
        free(r->hosts[i].name);
        free(r->hosts[i].ip);
    }
    free(r->hosts);
    strv_free(r->aliases);
    free(r);
}

int net_ip_family(const char *s)
{
    unsigned char buf[16];
    if (s && inet_pton(AF_INET, s, buf) == 1)
        return 1;
    if (s && inet_pton(AF_INET6, s, buf) == 1)
        return 2;
    return -EINVAL;
}

const char *net_port_key(uint16_t port, const char *proto, char *buf, size_t len)
{
    snprintf(buf, len, "%u/%s", (unsigned) port, proto);
    return buf;
}

/* ---- -p ------------------------------------------------------------------ */

/* "N" or "N-M" with lo <= N <= M <= 65535; "" is 0-0 when empty_ok. */
static int port_range(const char *s, size_t len, unsigned lo, bool empty_ok, unsigned *first,
                      unsigned *last)
{
    if (len == 0) {
        *first = *last = 0;
        return empty_ok ? 0 : -EINVAL;
    }
    unsigned v[2] = {0, 0};
    int k = 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '-' && k == 0 && digits > 0) {
            k = 1;
            digits = 0;
            continue;
        }
        if (c < '0' || c > '9' || ++digits > 5)
            return -EINVAL;
        v[k] = v[k] * 10 + (unsigned) (c - '0');
    }
    if (digits == 0)
        return -EINVAL;
    if (k == 0)
        v[1] = v[0];
    if (v[0] < lo || v[1] > 65535 || v[0] > v[1])
        return -ERANGE;
    *first = v[0];
    *last = v[1];
    return 0;
}

struct publish_parts {
    char ip[NET_IP_LEN];
    const char *host, *ctr; /* into the spec */
    size_t host_len, ctr_len;
    char proto[4];
};

/* Split "[IP:][HOST:]CTR[/PROTO]" (an IPv6 IP in brackets). */
static int publish_split(const char *spec, struct publish_parts *p, struct error **err)
{
    memset(p, 0, sizeof(*p));
    const char *slash = strrchr(spec, '/');
    size_t len = slash ? (size_t) (slash - spec) : strlen(spec);
    const char *proto = slash ? slash + 1 : "tcp";
    if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
        return error_new(err, EINVAL, "-p `%s`: the protocol must be tcp or udp, not `%s`", spec,
                         proto);
    snprintf(p->proto, sizeof(p->proto), "%s", proto);
    const char *s = spec, *end = spec + len;
    if (*s == '[') {
        const char *rb = memchr(s, ']', len);
        if (rb == NULL || rb + 1 >= end || rb[1] != ':' || (size_t) (rb - s - 1) >= NET_IP_LEN)
            return error_new(err, EINVAL, "-p `%s`: expected [IPv6]:HOSTPORT:CONTAINERPORT", spec);
        memcpy(p->ip, s + 1, (size_t) (rb - s - 1));
        if (net_ip_family(p->ip) != 2)
            return error_new(err, EINVAL, "-p `%s`: `%s` is not an IPv6 address", spec, p->ip);
        s = rb + 2;
        const char *c = memchr(s, ':', (size_t) (end - s));
        if (c == NULL)
            return error_new(err, EINVAL, "-p `%s`: expected [IPv6]:HOSTPORT:CONTAINERPORT", spec);
        p->host = s;
        p->host_len = (size_t) (c - s);
        p->ctr = c + 1;
        p->ctr_len = (size_t) (end - c - 1);
        return 0;
    }
    const char *c1 = memchr(s, ':', len);
    const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
    if (c2 && memchr(c2 + 1, ':', (size_t) (end - c2 - 1)))
        return error_new(err, EINVAL,
                         "-p `%s`: too many colons (an IPv6 address goes in brackets: "
                         "[::1]:8080:80)",
                         spec);
    if (c2) {
        size_t n = (size_t) (c1 - s);
        if (n >= NET_IP_LEN)
            return error_new(err, EINVAL, "-p `%s`: bad host IP", spec);
        memcpy(p->ip, s, n);
        if (n > 0 && net_ip_family(p->ip) != 1)
            return error_new(err, EINVAL, "-p `%s`: `%s` is not an IPv4 address", spec, p->ip);
        p->host = c1 + 1;
        p->host_len = (size_t) (c2 - c1 - 1);
        p->ctr = c2 + 1;
        p->ctr_len = (size_t) (end - c2 - 1);
    } else if (c1) {
        p->host = s;
        p->host_len = (size_t) (c1 - s);
        p->ctr = c1 + 1;
        p->ctr_len = (size_t) (end - c1 - 1);
    } else {
        p->host = s;
        p->ctr = s;
        p->ctr_len = len;
    }
    return 0;
}

static int push_port(struct net_port **ports, size_t *n, const struct net_port *p,
                     const char *spec, struct error **err)
{
    if (*n >= NET_MAX_PORTS)
        return error_new(err, E2BIG, "-p `%s`: more than %d published ports", spec,
                         NET_MAX_PORTS);
    struct net_port *v = realloc(*ports, (*n + 1) * sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    v[*n] = *p;
    *ports = v;
    (*n)++;
    return 0;
}

int net_parse_publish(const char *spec, struct net_port **ports, size_t *n, struct error **err)
{
    struct publish_parts p;
    int r = publish_split(spec, &p, err);
    if (r < 0)
        return r;
    unsigned cf, cl, hf, hl;
    if (port_range(p.ctr, p.ctr_len, 1, false, &cf, &cl) < 0)
        return error_new(err, EINVAL, "-p `%s`: the container port must be a port (1-65535) or "
                         "a range (8000-8010)", spec);
    if (port_range(p.host, p.host_len, 0, true, &hf, &hl) < 0)
        return error_new(err, EINVAL, "-p `%s`: the host port must be a port (1-65535) or a "
                         "range (8000-8010)", spec);
    bool host_range = hl != hf, ctr_range = cl != cf;
    if (ctr_range && p.host_len > 0 && hl - hf != cl - cf)
        return error_new(err, EINVAL, "-p `%s`: the host and container port ranges must be as "
                         "long as each other", spec);
    if ((cl - cf) + 1 > NET_MAX_PORTS)
        return error_new(err, E2BIG, "-p `%s`: more than %d ports", spec, NET_MAX_PORTS);
    size_t old = *n;
    for (unsigned k = 0; k <= cl - cf; k++) {
        struct net_port np = {.container_port = (uint16_t) (cf + k)};
        memcpy(np.host_ip, p.ip, sizeof(np.host_ip));
        memcpy(np.proto, p.proto, sizeof(np.proto));
        if (host_range && !ctr_range) {
            np.host_port_first = (uint16_t) (hf ? hf : 1);
            np.host_port_last = (uint16_t) hl;
        } else if (hf) {
            np.host_port = (uint16_t) (hf + k);
        }
        if ((r = push_port(ports, n, &np, spec, err)) < 0) {
            *n = old;
            return r;
        }
    }
    return 0;
}

/* ---- the other flags ------------------------------------------------------ */

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !isalnum((unsigned char) s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char) s[i]) && !strchr("_.-", s[i]))
            return false;
    return true;
}

static bool no_space(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (isspace((unsigned char) *s) || !isprint((unsigned char) *s))
            return false;
    return true;
}

int net_parse_add_host(const char *spec, struct net_host_entry *ret, struct error **err)
{
    /* NAME=IP, or docker's older NAME:IP (split at the first colon, so
     * that an IPv6 address keeps its own). */
    const char *sep = strchr(spec, '=');
    if (sep == NULL)
        sep = strchr(spec, ':');
    if (sep == NULL || sep == spec)
        return error_new(err, EINVAL, "--add-host `%s`: expected NAME:IP or NAME=IP", spec);
    cleanup_free char *name = strndup(spec, (size_t) (sep - spec));
    cleanup_free char *ip = strdup(sep + 1);
    if (name == NULL || ip == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t il = strlen(ip);
    if (il > 2 && ip[0] == '[' && ip[il - 1] == ']') {
        memmove(ip, ip + 1, il - 2);
        ip[il - 2] = '\0';
    }
    if (!no_space(name) || strlen(name) > 253)
        return error_new(err, EINVAL, "--add-host `%s`: `%s` is not a host name", spec, name);
    if (strcmp(ip, "host-gateway") != 0 && net_ip_family(ip) < 0)
        return error_new(err, EINVAL,
                         "--add-host `%s`: `%s` is not an IP address (or host-gateway)", spec, ip);
    ret->name = steal_pointer(&name);
    ret->ip = steal_pointer(&ip);
    return 0;
}

static bool valid_domain(const char *s)
{
    size_t n = strlen(s);
    if (strcmp(s, ".") == 0)
        return true;
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char) s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
            return false;
    return true;
}

static int copy_list(char *const *in, const char *flag, bool (*ok)(const char *), char ***out,
                     struct error **err)
{
    if (strv_length(in) > NET_MAX_ENTRIES)
        return error_new(err, E2BIG, "%s: more than %d values", flag, NET_MAX_ENTRIES);
    for (size_t i = 0; in && in[i]; i++) {
        if (ok && !ok(in[i]))
            return error_new(err, EINVAL, "%s: `%s` is not valid", flag, in[i]);
        if (strv_push(out, in[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

static bool is_ip(const char *s)
{
    return net_ip_family(s) > 0;
}

static bool is_network_name(const char *s)
{
    return valid_name(s, 128);
}

static bool is_alias(const char *s)
{
    return valid_name(s, 253);
}

/* --network values: one of none/host/container:X, or network names. */
static int parse_networks(char *const *v, struct net_request *r, struct error **err)
{
    size_t n = strv_length(v);
    if (n > NET_MAX_NETWORKS)
        return error_new(err, E2BIG, "--network: more than %d networks", NET_MAX_NETWORKS);
    for (size_t i = 0; i < n; i++) {
        const char *s = v[i];
        enum net_mode m = NET_MODE_BRIDGE;
        if (strcmp(s, "none") == 0)
            m = NET_MODE_NONE;
        else if (strcmp(s, "host") == 0)
            m = NET_MODE_HOST;
        else if (strncmp(s, "container:", 10) == 0)
            m = NET_MODE_CONTAINER;
        if (m != NET_MODE_BRIDGE && n > 1)
            return error_new(err, EINVAL,
                             "--network %s: cannot be combined with other networks", s);
        r->mode = m;
        if (m == NET_MODE_CONTAINER) {
            if (s[10] == '\0')
                return error_new(err, EINVAL, "--network %s: expected container:NAME|ID", s);
            if ((r->container = strdup(s + 10)) == NULL)
                return error_new(err, ENOMEM, "out of memory");
        }
        if (m != NET_MODE_BRIDGE)
            continue;
        const char *name = strcmp(s, "bridge") == 0 || strcmp(s, "default") == 0
                               ? NET_DEFAULT_NAME
                               : s;
        if (!is_network_name(name))
            return error_new(err, EINVAL, "--network: `%s` is not a network name", s);
        for (size_t k = 0; r->networks && r->networks[k]; k++)
            if (strcmp(r->networks[k], name) == 0)
                return error_new(err, EINVAL, "--network: `%s` is given twice", s);
        if (strv_push(&r->networks, name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* docker's rules on which flags go with which network mode. */
static int check_mode(const struct net_request *r, struct error **err)
{
    const char *mode = r->mode == NET_MODE_CONTAINER ? "container:" : net_mode_name(r->mode);
    bool user = r->mode == NET_MODE_BRIDGE && r->networks &&
                strcmp(r->networks[0], NET_DEFAULT_NAME) != 0;
    if ((r->n_ports || r->publish_all) && r->mode != NET_MODE_BRIDGE)
        return error_new(err, EINVAL,
                         "-p/-P: ports cannot be published with --network %s (the container "
                         "has no network of its own to publish from)",
                         mode);
    if (r->mode == NET_MODE_CONTAINER && (r->dns || r->dns_search || r->dns_options))
        return error_new(err, EINVAL, "--dns: the container shares the DNS settings of the "
                         "container whose network it joins");
    if (r->mode == NET_MODE_CONTAINER && r->n_hosts)
        return error_new(err, EINVAL, "--add-host: the container shares the /etc/hosts of the "
                         "container whose network it joins");
    if (r->ip && !user)
        return error_new(err, EINVAL,
                         "--ip: a chosen address is only possible on a user-created network, "
                         "not with --network %s",
                         r->mode == NET_MODE_BRIDGE ? NET_DEFAULT_NAME : mode);
    if (r->aliases && !user)
        return error_new(err, EINVAL,
                         "--network-alias: aliases are only possible on a user-created network");
    return 0;
}

static int check_ports(const struct net_request *r, struct error **err)
{
    for (size_t i = 0; i < r->n_ports; i++)
        for (size_t k = 0; k < i; k++) {
            const struct net_port *a = &r->ports[i], *b = &r->ports[k];
            if (a->host_port && a->host_port == b->host_port &&
                strcmp(a->proto, b->proto) == 0 &&
                (!*a->host_ip || !*b->host_ip || strcmp(a->host_ip, b->host_ip) == 0))
                return error_new(err, EINVAL, "-p: host port %u/%s is published twice",
                                 (unsigned) a->host_port, a->proto);
        }
    return 0;
}

/* Every value goes into the container's record (JSON): UTF-8 only. */
static int check_text(const struct net_flags *f, struct error **err)
{
    char *const *lists[] = {f->network, f->publish, f->dns, f->dns_search, f->dns_options,
                            f->add_host, f->aliases};
    const char *names[] = {"--network", "-p", "--dns", "--dns-search", "--dns-option",
                           "--add-host", "--network-alias"};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (size_t i = 0; lists[l] && lists[l][i]; i++)
            if (!json_utf8_valid(lists[l][i]))
                return error_new(err, EINVAL, "%s: a value is not valid UTF-8", names[l]);
    if (f->ip && !json_utf8_valid(f->ip))
        return error_new(err, EINVAL, "--ip: not valid UTF-8");
    return 0;
}

int net_request_parse(const struct net_flags *f, struct net_request **ret, struct error **err)
{
    int rc0 = check_text(f, err);
    if (rc0 < 0)
        return rc0;
    cleanup_net_request struct net_request *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int rc = parse_networks(f->network, r, err);
    for (size_t i = 0; rc == 0 && f->publish && f->publish[i]; i++)
        rc = net_parse_publish(f->publish[i], &r->ports, &r->n_ports, err);
    if (rc < 0)
        return rc;
    r->publish_all = f->publish_all;
    if (f->ip) {
        if (net_ip_family(f->ip) != 1)
            return error_new(err, EINVAL, "--ip: `%s` is not an IPv4 address", f->ip);
        if ((r->ip = strdup(f->ip)) == NULL)
            return error_new(err, ENOMEM, "out of memory");
    }
    if ((rc = copy_list(f->dns, "--dns", is_ip, &r->dns, err)) < 0 ||
        (rc = copy_list(f->dns_search, "--dns-search", valid_domain, &r->dns_search, err)) < 0 ||
        (rc = copy_list(f->dns_options, "--dns-option", no_space, &r->dns_options, err)) < 0 ||
        (rc = copy_list(f->aliases, "--network-alias", is_alias, &r->aliases, err)) < 0)
        return rc;
    size_t nh = strv_length(f->add_host);
    if (nh > NET_MAX_ENTRIES)
        return error_new(err, E2BIG, "--add-host: more than %d values", NET_MAX_ENTRIES);
    if (nh && (r->hosts = calloc(nh, sizeof(*r->hosts))) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (; r->n_hosts < nh; r->n_hosts++)
        if ((rc = net_parse_add_host(f->add_host[r->n_hosts], &r->hosts[r->n_hosts], err)) < 0)
            return rc;
    if ((rc = check_mode(r, err)) < 0 || (rc = check_ports(r, err)) < 0)
        return rc;
    *ret = steal_pointer(&r);
    return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

json_t *net_ports_to_json(const struct net_port *ports, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct net_port *p = &ports[i];
        json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:i, s:i, s:s}", "host_ip",
                                           p->host_ip, "host_port", p->host_port, "first",
                                           p->host_port_first, "last", p->host_port_last,
                                           "container_port", p->container_port, "proto",
                                           p->proto));
    }
    return a;
}

json_t *net_request_to_json(const struct net_request *r)
{
    json_t *ports = net_ports_to_json(r->ports, r->n_ports), *hosts = json_array();
    for (size_t i = 0; i < r->n_hosts; i++)
        json_array_append_new(hosts,
                              json_pack("{s:s, s:s}", "name", r->hosts[i].name, "ip",
                                        r->hosts[i].ip));
    json_t *j = json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o}", "mode",
                          net_mode_name(r->mode), "networks", json_strv(r->networks), "ports",
                          ports, "publish_all", r->publish_all, "dns", json_strv(r->dns),
                          "dns_search", json_strv(r->dns_search), "dns_options",
                          json_strv(r->dns_options), "hosts", hosts, "aliases",
                          json_strv(r->aliases));
    if (j && r->container)
        json_object_set_new(j, "container", json_string(r->container));
    if (j && r->ip)
        json_object_set_new(j, "ip", json_string(r->ip));
    return j;
}

static int port_from_json(const json_t *o, const char *array, size_t i, struct net_port *p,
                          struct error **err)
{
    char where[64];
    snprintf(where, sizeof(where), "%s[%zu]", array, i);
    const char *ip = "", *proto = "tcp";
    uint64_t hp = 0, first = 0, last = 0, cp = 0;
    int r;
    if ((r = json_get_string(o, "host_ip", where, false, &ip, err)) < 0 ||
        (r = json_get_string(o, "proto", where, true, &proto, err)) < 0 ||
        (r = json_get_uint64(o, "host_port", where, false, 65535, &hp, err)) < 0 ||
        (r = json_get_uint64(o, "first", where, false, 65535, &first, err)) < 0 ||
        (r = json_get_uint64(o, "last", where, false, 65535, &last, err)) < 0 ||
        (r = json_get_uint64(o, "container_port", where, true, 65535, &cp, err)) < 0)
        return r;
    if ((*ip && net_ip_family(ip) < 0) || cp == 0 ||
        (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
        return error_new(err, EINVAL, "%s: bad port", where);
    snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip);
    snprintf(p->proto, sizeof(p->proto), "%s", proto);
    p->host_port = (uint16_t) hp;
    p->host_port_first = (uint16_t) first;
    p->host_port_last = (uint16_t) last;
    p->container_port = (uint16_t) cp;
    return 0;
}

int net_ports_from_json(const json_t *a, const char *where, struct net_port **ret,
                        size_t *ret_n, struct error **err)
{
    size_t n = json_array_size(a);
    if (a && !json_is_array(a))
        return error_new(err, EINVAL, "%s: expected an array", where);
    if (n > NET_MAX_PORTS)
        return error_new(err, E2BIG, "%s: more than %d", where, NET_MAX_PORTS);
    cleanup_free struct net_port *v = n ? calloc(n, sizeof(*v)) : NULL;
    if (n && v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int r = port_from_json(json_array_get(a, i), where, i, &v[i], err);
        if (r < 0)
            return r;
    }
    *ret = steal_pointer(&v);
    *ret_n = n;
    return 0;
}

static int strv_member(const json_t *j, const char *key, char ***out, struct error **err)
{
    cleanup_strv char **v = NULL;
    int r = json_get_strv(j, key, "network", false, &v, err);
    if (r < 0)
        return r;
    if (v && *v == NULL) {
        free(v);
        v = NULL; /* an empty array reads as none */
    }
    *out = steal_pointer(&v);
    return 0;
}

int net_request_from_json(const json_t *j, struct net_request **ret, struct error **err)
{
    if (json_expect(j, JSON_OBJECT, "network", err) < 0)
        return -EINVAL;
    cleanup_net_request struct net_request *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *mode = NULL, *ctr = NULL, *ip = NULL;
    int rc;
    if ((rc = json_get_string(j, "mode", "network", true, &mode, err)) < 0 ||
        (rc = json_get_string(j, "container", "network", false, &ctr, err)) < 0 ||
        (rc = json_get_string(j, "ip", "network", false, &ip, err)) < 0 ||
        (rc = json_get_bool(j, "publish_all", "network", &r->publish_all, err)) < 0 ||
        (rc = strv_member(j, "networks", &r->networks, err)) < 0 ||
        (rc = strv_member(j, "dns", &r->dns, err)) < 0 ||
        (rc = strv_member(j, "dns_search", &r->dns_search, err)) < 0 ||
        (rc = strv_member(j, "dns_options", &r->dns_options, err)) < 0 ||
        (rc = strv_member(j, "aliases", &r->aliases, err)) < 0)
        return rc;
    enum net_mode modes[] = {NET_MODE_BRIDGE, NET_MODE_NONE, NET_MODE_HOST, NET_MODE_CONTAINER};
    bool found = false;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(mode, net_mode_name(modes[i])) == 0) {
            r->mode = modes[i];
            found = true;
        }
    if (!found || (r->mode == NET_MODE_CONTAINER && ctr == NULL))
        return error_new(err, EINVAL, "network.mode: `%s` is not a network mode", mode);
    if ((ctr && (r->container = strdup(ctr)) == NULL) || (ip && (r->ip = strdup(ip)) == NULL))
        return error_new(err, ENOMEM, "out of memory");
    if ((rc = net_ports_from_json(json_object_get(j, "ports"), "network.ports", &r->ports,
                                  &r->n_ports, err)) < 0)
        return rc;
    const json_t *hosts = json_object_get(j, "hosts");
    size_t nh = json_array_size(hosts);
    if (nh > NET_MAX_ENTRIES)
        return error_new(err, E2BIG, "network.hosts: too many");
    if (nh && (r->hosts = calloc(nh, sizeof(*r->hosts))) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (; r->n_hosts < nh; r->n_hosts++) {
        const json_t *h = json_array_get(hosts, r->n_hosts);
        const char *name = json_string_value(json_object_get(h, "name"));
        const char *hip = json_string_value(json_object_get(h, "ip"));
        if (name == NULL || hip == NULL)
            return error_new(err, EINVAL, "network.hosts[%zu]: expected name and ip",
                             r->n_hosts);
        r->hosts[r->n_hosts].name = strdup(name);
        r->hosts[r->n_hosts].ip = strdup(hip);
        if (r->hosts[r->n_hosts].name == NULL || r->hosts[r->n_hosts].ip == NULL) {
            r->n_hosts++;
            return error_new(err, ENOMEM, "out of memory");
        }
    }
    *ret = steal_pointer(&r);
    return 0;
}
