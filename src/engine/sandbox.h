/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's network while it runs: its namespace, its place on CNI
 * networks and its published ports.
 *
 *   RUNROOT/netns/<id>                 the network namespace (netns.h)
 *   RUNROOT/networks/sandbox/<id>.json the record: mode, endpoints (each
 *                                      with the conflist as used and the
 *                                      result ADD gave), ports, owner
 *
 * sandbox_setup() runs before the container's process starts: it makes the
 * namespace (lo up) and ADDs it to each network in turn (interface eth0,
 * eth1...), the first one with the published ports (portmap's
 * portMappings) and --ip (host-local's ips); the record is rewritten after
 * each step, so whatever happens a teardown knows what to undo.  A failure
 * undoes everything before it returns.
 *
 * sandbox_teardown() runs when the process is gone (stop, rm, --rm, a
 * crash: whoever sees it first): DEL of each network in reverse order with
 * the cached list and result (the IP lease, the veth, the NAT and port
 * rules go), then the namespace and the record.  It may run any number of
 * times.  sandbox_sweep() tears down what nobody will: records whose
 * process (the one that set them up) is gone and whose container does
 * not run.
 *
 * Every setup and teardown holds one lock for the whole host,
 * NETWORK_STATE_DIR/lock (network.h): the plugins' iptables chains,
 * bridges and leases are shared by every root, and the plugins
 * check-then-create them.
 *
 * Containers on the same user-made network find each other by name: the
 * peers' entries (name, aliases, short id -> address) are rewritten in
 * each running peer's hosts file (ROOT/containers/<id>/hosts), in place,
 * since that file is bind-mounted into the container.
 */
#ifndef CABIN_ENGINE_SANDBOX_H
#define CABIN_ENGINE_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "engine/netopts.h"
#include "util/error.h"

struct sandbox_endpoint {
    char *network;    /* name */
    char *network_id;
    char *ifname;     /* eth0 */
    char *ip;         /* "10.90.0.2" (NULL when the result had none) */
    int prefix;
    char *gateway;
    char *mac;
    json_t *list;     /* the conflist as used by ADD */
    json_t *caps;     /* the capability arguments ADD got (DEL gets them too) */
    json_t *result;   /* what ADD gave */
};

struct sandbox {
    char *id;
    char *name;       /* the container's name, or NULL */
    enum net_mode mode;
    char *netns;      /* the namespace joined (NULL: the host's) */
    bool own_netns;   /* made for this container (removed with it) */
    char *joined;     /* container mode: the id whose namespace it is */
    struct sandbox_endpoint *eps;
    size_t n_eps;
    struct net_port *ports; /* with the host ports chosen */
    size_t n_ports;
    char **aliases;
    pid_t owner;      /* the process that set it up, and its start time */
    unsigned long long owner_start;
};

void sandbox_free(struct sandbox *s);

/* What the container asked for and what the image says (-P). */
struct sandbox_params {
    const char *id;          /* the container's */
    const char *name;        /* or NULL */
    const struct net_request *req;
    const json_t *exposed;   /* Config.ExposedPorts (for -P), or NULL */
};

int sandbox_setup(struct engine *e, const struct sandbox_params *p, struct sandbox **ret,
                  struct error **err);
int sandbox_teardown(struct engine *e, const char *id, struct error **err);

/* The record of a running container (ENOENT when it has none). */
int sandbox_load(struct engine *e, const char *id, struct sandbox **ret, struct error **err);
/* Every record (*ret NULL-terminated). */
int sandbox_list(struct engine *e, struct sandbox ***ret, struct error **err);
void sandbox_list_free(struct sandbox **v);

/* Tear down records nobody owns any more (their container is not
 * running); returns how many. */
int sandbox_sweep(struct engine *e);

/* RUNROOT/netns/<id> (malloc'd). */
char *sandbox_netns_path(struct engine *e, const char *id);

/* ---- ports (sandbox_ports.c) ---- */

/* The ports to publish: the request's, then with -P every port of
 * `exposed_ports` (the record's Config.ExposedPorts: the image's EXPOSE and
 * the -p ports) that is not published yet (to a free host port). */
int sandbox_ports_wanted(const struct net_request *req, const json_t *exposed_ports,
                         struct net_port **ret, size_t *ret_n, struct error **err);
/* Choose the host ports: a given one must be free (no other container
 * publishes it, nothing on the host listens there); 0 or a range gets a
 * free one.  `taken` are the other containers' ports. */
int sandbox_ports_choose(struct net_port *ports, size_t n, const struct net_port *taken,
                         size_t n_taken, struct error **err);
/* portmap's runtimeConfig.portMappings for them (new reference). */
json_t *sandbox_ports_json(const struct net_port *ports, size_t n);

/* ---- what others see (sandbox_peers.c) ---- */

/* The hosts-file lines for the containers sharing a user network with `s`
 * (malloc'd text, "" when none). */
char *sandbox_peer_lines(struct sandbox *const *all, const struct sandbox *s);
/* Rewrite the peer block of the hosts file of every running container on
 * the given networks (and of `also`, when not NULL). */
void sandbox_update_peers(struct engine *e, char *const *networks, const char *also);
/* Replace the peer block at the end of a hosts file, in place. */
int sandbox_hosts_rewrite(int dirfd, const char *name, const char *lines, struct error **err);

/* docker's NetworkSettings for a container: from its record when it runs
 * (s), else from its request (req, may be NULL) with no addresses. */
json_t *sandbox_inspect(const struct sandbox *s, const struct net_request *req);
/* `docker port` lines ("80/tcp -> 0.0.0.0:8080"), optionally only for
 * "PORT[/PROTO]"; ENOENT when that port is not published. */
int sandbox_port_lines(const struct sandbox *s, const char *which, char ***ret,
                       struct error **err);

static inline void sandbox_freep(struct sandbox **s)
{
    sandbox_free(*s);
}
#define cleanup_sandbox __attribute__((cleanup(sandbox_freep)))

#endif
