/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's /etc/hostname, /etc/hosts and /etc/resolv.conf, generated
 * into its folder (ROOT/containers/<id>/) and bind-mounted over the
 * image's, as docker does:
 *
 *   hostname     the container's hostname
 *   hosts        localhost and the IPv6 names docker lists, the
 *                container's own address with its name (when it has a
 *                network), its network's peers, then --add-host entries
 *   resolv.conf  the host's, with the nameservers a container cannot reach
 *                (127.0.0.0/8, ::1) taken out and Google's public ones
 *                when none is left (docker's rule); the nameservers,
 *                search domains and options given replace the host's
 *
 * With the host's network the host's own /etc/hosts and resolv.conf are
 * copied as they are.
 *
 * The network (issue 9) fills the fields marked so; everything else is
 * here already.
 */
#ifndef CABIN_ENGINE_ETCFILES_H
#define CABIN_ENGINE_ETCFILES_H

#include <stdbool.h>

#include "util/error.h"

#define ETCFILES_HOSTNAME "hostname"
#define ETCFILES_HOSTS    "hosts"
#define ETCFILES_RESOLV   "resolv.conf"

struct etcfiles_params {
    const char *hostname;
    const char *domainname;       /* NULL or "" */
    bool host_network;
    /* network (issue 9): */
    const char *address;          /* the container's own address, or NULL */
    char *const *peers;           /* "ADDRESS NAME..." of the network's others */
    char *const *extra_hosts;     /* --add-host NAME:ADDRESS */
    char *const *dns;             /* --dns ADDRESS */
    char *const *dns_search;      /* --dns-search DOMAIN */
    char *const *dns_options;     /* --dns-option OPTION */
};

/* The files' contents (malloc'd), from the host's files as given. */
int etcfiles_hosts(const struct etcfiles_params *p, const char *host_hosts, char **ret,
                   struct error **err);
int etcfiles_resolv(const struct etcfiles_params *p, const char *host_resolv, char **ret,
                    struct error **err);

/* Read the host's files (/etc/hosts; /etc/resolv.conf, or systemd-resolved's
 * upstream list when it points at its stub) and write the three files into
 * `cdirfd`. */
int etcfiles_write(int cdirfd, const struct etcfiles_params *p, struct error **err);

#endif
