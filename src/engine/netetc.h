/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the network puts in a container's /etc files: the fields of
 * etcfiles_params (etcfiles.h, which writes the files as docker does) that
 * come from its request (netopts.h) and, once it runs, its sandbox:
 *
 *   address      the first network's address
 *   dns          --dns; else the nameservers the CNI results give, if any
 *                (else etcfiles keeps the host's reachable ones)
 *   dns_search, dns_options   --dns-search, --dns-option
 *   extra_hosts  --add-host as NAME:ADDRESS, `host-gateway` being the
 *                first network's gateway (127.0.0.1 with --network host)
 *   host_network --network host
 *
 * The peers' block at the end of hosts is sandbox.h's (rewritten in place
 * as peers come and go).
 */
#ifndef CABIN_ENGINE_NETETC_H
#define CABIN_ENGINE_NETETC_H

#include "engine/etcfiles.h"
#include "engine/netopts.h"
#include "engine/sandbox.h"
#include "util/error.h"

/* What the filled fields point to (owned; netetc_release frees it). */
struct netetc_hold {
    char **extra_hosts;
    char **dns;
};

/* Fill p's network fields from `req` (NULL: the default network) and the
 * running sandbox `s` (NULL: not running yet; a `host-gateway` entry is
 * then left out, as its address is not known). */
int netetc_params(const struct net_request *req, const struct sandbox *s,
                  struct etcfiles_params *p, struct netetc_hold *hold, struct error **err);
void netetc_release(struct netetc_hold *hold);

#endif
