/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network flags of `run` and `create`, parsed as docker parses them,
 * into a `struct net_request` the engine can record and later carry out
 * (engine/sandbox.h):
 *
 *   --network none|host|bridge|NAME|container:ID   (repeatable for NAMEs)
 *   -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]      ports and ranges, IPv6
 *                                                   host IPs in brackets
 *   -P                                              every EXPOSEd port
 *   --ip ADDR, --dns ADDR, --dns-search DOMAIN, --dns-option OPT,
 *   --add-host NAME:IP (or NAME=IP; IP may be `host-gateway`),
 *   --network-alias NAME
 *
 * Everything that comes from the user is checked here, and each error
 * names the flag and the value.  The request is plain data: it is saved
 * with the container (net_request_to_json) and read back at start.
 */
#ifndef CABIN_ENGINE_NETOPTS_H
#define CABIN_ENGINE_NETOPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define NET_DEFAULT_NAME "cabin"   /* the default network (bridge) */
#define NET_MAX_PORTS    1024      /* published ports a container */
#define NET_MAX_NETWORKS 8         /* networks a container joins */
#define NET_MAX_ENTRIES  256       /* --dns, --add-host, ... each */
#define NET_IP_LEN       46        /* INET6_ADDRSTRLEN */

enum net_mode {
    NET_MODE_BRIDGE,    /* CNI networks: the default one or named ones */
    NET_MODE_NONE,      /* a network namespace with only lo */
    NET_MODE_HOST,      /* the host's network namespace */
    NET_MODE_CONTAINER, /* another container's network namespace */
};
const char *net_mode_name(enum net_mode m);

/* One published port.  host_port 0: any free port (or one of
 * [host_port_first, host_port_last] when the user gave a range for a
 * single container port). */
struct net_port {
    char host_ip[NET_IP_LEN]; /* "" for every address */
    uint16_t host_port;
    uint16_t host_port_first, host_port_last; /* a range to choose from */
    uint16_t container_port;
    char proto[4]; /* "tcp" or "udp" */
};

struct net_host_entry {
    char *name;
    char *ip; /* an address, or "host-gateway" */
};

struct net_request {
    enum net_mode mode;
    char **networks;  /* bridge mode: names, first is primary; NULL: default */
    char *container;  /* container mode: the container whose namespace */
    struct net_port *ports;
    size_t n_ports;
    bool publish_all; /* -P */
    char *ip;         /* --ip, on the first network */
    char **dns, **dns_search, **dns_options;
    struct net_host_entry *hosts;
    size_t n_hosts;
    char **aliases; /* --network-alias */
};

/* The raw flags, as the command line gave them (none owned). */
struct net_flags {
    char *const *network; /* --network, repeatable */
    char *const *publish; /* -p */
    bool publish_all;     /* -P */
    const char *ip;
    char *const *dns, *const *dns_search, *const *dns_options;
    char *const *add_host;
    char *const *aliases;
};

/* Check and combine the flags.  On failure *ret is untouched. */
int net_request_parse(const struct net_flags *f, struct net_request **ret, struct error **err);
void net_request_free(struct net_request *r);

/* One -p value, appended to *ports (a range gives one entry a port). */
int net_parse_publish(const char *spec, struct net_port **ports, size_t *n, struct error **err);
/* One --add-host value. */
int net_parse_add_host(const char *spec, struct net_host_entry *ret, struct error **err);
/* An IPv4 or IPv6 address (1: v4, 2: v6), or a negative errno. */
int net_ip_family(const char *s);

/* "80/tcp" style name of a port (buf at least 16 bytes). */
const char *net_port_key(uint16_t port, const char *proto, char *buf, size_t len);

/* Ports as JSON and back (`where` names the array in errors). */
json_t *net_ports_to_json(const struct net_port *ports, size_t n);
int net_ports_from_json(const json_t *a, const char *where, struct net_port **ret,
                        size_t *ret_n, struct error **err);

/* The request as JSON (for the container's record) and back. */
json_t *net_request_to_json(const struct net_request *r);
int net_request_from_json(const json_t *j, struct net_request **ret, struct error **err);

static inline void net_request_freep(struct net_request **r)
{
    net_request_free(*r);
}
#define cleanup_net_request __attribute__((cleanup(net_request_freep)))

#endif
