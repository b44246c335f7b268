/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports: -P, choosing host ports, portmap's mappings (sandbox.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/sandbox.h"
#include "util/cleanup.h"

static bool same_mapping(const struct net_port *a, uint16_t cport, const char *proto)
{
    return a->container_port == cport && strcmp(a->proto, proto) == 0;
}

/* "80/tcp", "53/udp" or "8080" (tcp) from an ExposedPorts key. */
static int exposed_key(const char *key, uint16_t *port, char proto[4])
{
    unsigned long v = 0;
    const char *p = key;
    for (; *p >= '0' && *p <= '9' && v <= 65535; p++)
        v = v * 10 + (unsigned long) (*p - '0');
    if (p == key || v == 0 || v > 65535)
        return -EINVAL;
    const char *pr = *p == '/' ? p + 1 : *p == '\0' ? "tcp" : NULL;
    if (pr == NULL || (strcmp(pr, "tcp") != 0 && strcmp(pr, "udp") != 0))
        return -EINVAL; /* sctp and the like cannot be published here */
    *port = (uint16_t) v;
    snprintf(proto, 4, "%s", pr);
    return 0;
}

int sandbox_ports_wanted(const struct net_request *req, const json_t *exposed_ports,
                         struct net_port **ret, size_t *ret_n, struct error **err)
{
    size_t n = req->n_ports;
    const json_t *exposed = req->publish_all && json_is_object(exposed_ports) ? exposed_ports
                                                                              : NULL;
    size_t cap = n + json_object_size(exposed);
    if (cap > NET_MAX_PORTS)
        return error_new(err, E2BIG, "more than %d ports to publish", NET_MAX_PORTS);
    cleanup_free struct net_port *v = cap ? calloc(cap, sizeof(*v)) : NULL;
    if (cap && v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (n)
        memcpy(v, req->ports, n * sizeof(*v));
    const char *key;
    json_t *val;
    json_object_foreach((json_t *) exposed, key, val)
    {
        struct net_port np = {0};
        if (exposed_key(key, &np.container_port, np.proto) < 0)
            continue; /* docker publishes only tcp and udp too */
        bool have = false;
        for (size_t i = 0; i < n && !have; i++)
            have = same_mapping(&v[i], np.container_port, np.proto);
        if (!have)
            v[n++] = np;
    }
    *ret = steal_pointer(&v);
    *ret_n = n;
    return 0;
}

static bool ips_clash(const char *a, const char *b)
{
    return *a == '\0' || *b == '\0' || strcmp(a, b) == 0;
}

static bool taken_by(const struct net_port *v, size_t n, const struct net_port *p, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].host_port == port && strcmp(v[i].proto, p->proto) == 0 &&
            ips_clash(v[i].host_ip, p->host_ip))
            return true;
    return false;
}

/* Can the host port be had (nothing listens there)?  With port 0 the
 * kernel picks one: *ret_port. */
static int probe(const struct net_port *p, uint16_t port, uint16_t *ret_port)
{
    bool udp = strcmp(p->proto, "udp") == 0;
    int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* A TCP port some connections wait on (TIME_WAIT) is still free: only a
     * listener makes bind(2) fail with SO_REUSEADDR. */
    int one = 1;
    if (!udp)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (*p->host_ip && inet_pton(AF_INET, p->host_ip, &sa.sin_addr) != 1) {
        close(fd);
        return -EINVAL;
    }
    int r = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
    socklen_t len = sizeof(sa);
    if (r == 0 && getsockname(fd, (struct sockaddr *) &sa, &len) == 0)
        *ret_port = ntohs(sa.sin_port);
    close(fd);
    return r;
}

static const char *ip_or_all(const struct net_port *p)
{
    return *p->host_ip ? p->host_ip : "0.0.0.0";
}

static int choose_one(struct net_port *p, const struct net_port *others, size_t n_others,
                      const struct net_port *mine, size_t n_mine, struct error **err)
{
    if (strchr(p->host_ip, ':'))
        return error_new(err, ENOTSUP, "-p [%s]: the networks have no IPv6 addresses",
                         p->host_ip);
    uint16_t got = 0;
    if (p->host_port) {
        int r = probe(p, p->host_port, &got);
        if (taken_by(others, n_others, p, p->host_port) || taken_by(mine, n_mine, p, p->host_port))
            r = -EADDRINUSE;
        if (r == -EADDRNOTAVAIL)
            return error_new(err, EADDRNOTAVAIL, "-p %s:%u: no such address on this host",
                             p->host_ip, (unsigned) p->host_port);
        if (r < 0)
            return error_errnum(err, -r, "-p %s:%u/%s: port is already allocated",
                                ip_or_all(p), (unsigned) p->host_port, p->proto);
        return 0;
    }
    if (p->host_port_first) {
        for (unsigned port = p->host_port_first; port <= p->host_port_last; port++)
            if (!taken_by(others, n_others, p, (uint16_t) port) &&
                !taken_by(mine, n_mine, p, (uint16_t) port) &&
                probe(p, (uint16_t) port, &got) == 0) {
                p->host_port = (uint16_t) port;
                return 0;
            }
        return error_new(err, EADDRINUSE, "-p %s:%u-%u:%u/%s: every host port of the range is "
                         "allocated", ip_or_all(p), (unsigned) p->host_port_first,
                         (unsigned) p->host_port_last, (unsigned) p->container_port, p->proto);
    }
    for (int tries = 0; tries < 64; tries++) {
        int r = probe(p, 0, &got);
        if (r < 0)
            return error_errnum(err, -r, "-p %s::%u/%s: finding a free host port", ip_or_all(p),
                                (unsigned) p->container_port, p->proto);
        if (!taken_by(others, n_others, p, got) && !taken_by(mine, n_mine, p, got)) {
            p->host_port = got;
            return 0;
        }
    }
    return error_new(err, EADDRINUSE, "-p %u/%s: no free host port found",
                     (unsigned) p->container_port, p->proto);
}

int sandbox_ports_choose(struct net_port *ports, size_t n, const struct net_port *taken,
                         size_t n_taken, struct error **err)
{
    /* Given ports first, so that a chosen one never takes a given one. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            bool given = ports[i].host_port != 0;
            if (given != (pass == 0))
                continue;
            /* compare with the ports settled so far: given ones, and in
             * the second pass every one before this */
            struct net_port *settled = ports;
            size_t k = 0;
            cleanup_free struct net_port *mine = calloc(n ? n : 1, sizeof(*mine));
            if (mine == NULL)
                return error_new(err, ENOMEM, "out of memory");
            for (size_t j = 0; j < n; j++)
                if (j != i && settled[j].host_port && (pass == 1 || j < i))
                    mine[k++] = settled[j];
            int r = choose_one(&ports[i], taken, n_taken, mine, k, err);
            if (r < 0)
                return r;
        }
    return 0;
}

json_t *sandbox_ports_json(const struct net_port *ports, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct net_port *p = &ports[i];
        json_t *o = json_pack("{s:i, s:i, s:s}", "hostPort", p->host_port, "containerPort",
                              p->container_port, "protocol", p->proto);
        if (o && *p->host_ip)
            json_object_set_new(o, "hostIP", json_string(p->host_ip));
        json_array_append_new(a, o);
    }
    return a;
}
