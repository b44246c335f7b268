/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's networks: one CNI conflist a network, kept where users can
 * read and edit them,
 *
 *   ROOT/net.d/NAME.conflist
 *
 * cabin writes a bridge network as the list bridge (isGateway, ipMasq,
 * hairpinMode, host-local IPAM) + portmap (capability portMappings) +
 * firewall (ingressPolicy same-bridge, so that two networks cannot reach
 * each other); an --internal one has no gateway, no masquerading and no
 * default route.  A top-level "cabin" object keeps what CNI has no word
 * for (id, creation time, labels); a list written by hand without it is a
 * network too (any plugins), named by its file.
 *
 * The default network, NET_DEFAULT_NAME, is written on first use: bridge
 * `cabin0` and subnet 10.90.0.0/16 (podman takes 10.88.0.0/16 and docker
 * 172.17.0.0/16), or $CABIN_DEFAULT_BRIDGE and $CABIN_DEFAULT_SUBNET when
 * they are set then; edit the file to change it later.  New networks
 * without --subnet get the first free /24 from 10.91.0.0 to 10.99.255.0
 * that overlaps neither another network of this root nor a route of the
 * host; their bridge is `cbr-` and 10 hex digits of their id, unless given.
 *
 * What the networks share with every other cabin root of the host lives in
 * NETWORK_STATE_DIR (/run: a tmpfs, so after a reboot, when no container
 * runs, nothing is held): the lock around CNI calls (sandbox.h) and
 * host-local's leases, ipam/<bridge>/<name>/, put into a list's ipam when
 * it names no dataDir of its own.  Bridges and their subnets belong to the
 * host, not to a root: two roots whose default networks share cabin0 must
 * share its leases too, or they would hand out the same address.
 *
 * ROOT/net.d/.lock is held shared by whoever reads a network to use it
 * until the use is recorded (a container's network.json), and exclusively
 * to create or remove one.
 */
#ifndef CABIN_ENGINE_NETWORK_H
#define CABIN_ENGINE_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/error.h"

#define NETWORK_DIR         "net.d"
#define NETWORK_DEFAULT_BRIDGE "cabin0"
#define NETWORK_DEFAULT_SUBNET "10.90.0.0/16"
#define NETWORK_ID_LEN      64
#define NETWORK_STATE_DIR   "/run/cabin-cni"

struct network {
    char *name;
    char id[NETWORK_ID_LEN + 1];
    int64_t created; /* unix time */
    bool internal;
    bool managed;    /* written by cabin (has the "cabin" object) */
    char *driver;    /* the first plugin's type, "bridge" */
    char *bridge;    /* the bridge plugin's bridge, or NULL */
    char *subnet;    /* the first IPAM range's subnet, or NULL */
    char *gateway;   /* its gateway, or NULL */
    char **labels;   /* K=V */
    json_t *list;    /* the conflist as on disk */
};

void network_free(struct network *n);

struct network_create_opts {
    const char *name;
    const char *driver;  /* NULL or "bridge" */
    const char *subnet;  /* IPv4 CIDR, NULL: chosen */
    const char *gateway; /* NULL: the subnet's first address */
    const char *bridge;  /* interface name, NULL: chosen */
    unsigned mtu;        /* 0: the kernel's */
    bool internal;
    char *const *labels; /* K=V */
};

/* Write a new network.  An existing name is an EEXIST error. */
int network_create(struct engine *e, const struct network_create_opts *o, struct network **ret,
                   struct error **err);

/* Write the default network if it is missing (takes the lock exclusively:
 * call it before holding it shared). */
int network_ensure_default(struct engine *e, struct error **err);

/* The network named `what` (or whose id starts with it).  The default
 * network is written first if it is missing.  Unknown: ENOENT. */
int network_load(struct engine *e, const char *what, struct network **ret, struct error **err);

/* Every network, by name (the default one included, written if missing). */
int network_list(struct engine *e, struct network ***ret, size_t *ret_n, struct error **err);
void network_list_free(struct network **v);

/* Remove a network's file, its bridge, the firewall plugin's isolation
 * rules for that bridge and its IPAM folder.  The caller checks that no
 * container uses it (engine/sandbox.h) under the exclusive lock.  The
 * default network cannot be removed. */
int network_remove(struct engine *e, const struct network *n, struct error **err);

/* ROOT/net.d/.lock, shared or exclusive (LOCK_SH/LOCK_EX); an fd to close. */
int network_lock(struct engine *e, int how, int *ret_fd, struct error **err);

/* The list as the plugins get it: host-local's dataDir filled in (a new
 * reference). */
json_t *network_runtime_list(struct engine *e, const struct network *n);

/* IPv4 CIDR helpers (exposed for the tests). */
int network_parse_cidr(const char *s, uint32_t *ret_addr, int *ret_prefix);
bool network_cidr_overlap(uint32_t a, int pa, uint32_t b, int pb);
/* A free /24 for a new network, avoiding `used` (CIDRs) and the host's
 * routes (from `routes`, /proc/net/route's format, or NULL for the real
 * one).  buf: at least 19 bytes. */
int network_pick_subnet(char *const *used, const char *routes, char *buf, size_t len,
                        struct error **err);

static inline void network_freep(struct network **n)
{
    network_free(*n);
}
#define cleanup_network __attribute__((cleanup(network_freep)))

#endif
