/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the network puts in a container's /etc/resolv.conf and /etc/hosts,
 * as docker does:
 *
 * resolv.conf: the host's, with --dns, --dns-search and --dns-option
 * replacing its nameservers, search domains and options (--dns-search .
 * means none); the nameservers a CNI result gives come before the host's
 * when --dns is not given.  Outside the host's network namespace a
 * loopback nameserver of the host cannot be reached, so those are left
 * out, and when none is left docker's defaults (8.8.8.8, 8.8.4.4) are
 * used.  With --network host the host's file is kept as it is (but for
 * the flags).
 *
 * hosts: the --add-host lines (`host-gateway` is the first network's
 * gateway, 127.0.0.1 with --network host), then the container's own
 * address with its hostname.  The peers' block is sandbox.h's.
 */
#ifndef CABIN_ENGINE_NETETC_H
#define CABIN_ENGINE_NETETC_H

#include "engine/netopts.h"
#include "engine/sandbox.h"
#include "util/error.h"

#define NETETC_MAX_NAMESERVERS 3 /* what the resolver reads */

/* host_text: the host's /etc/resolv.conf (may be NULL or empty); s: the
 * running sandbox (may be NULL). */
int netetc_resolv_conf(const struct net_request *req, const struct sandbox *s,
                       const char *host_text, char **ret, struct error **err);

/* The hosts lines for --add-host and the container's own address
 * ("IP\thostname"); "" when there are none. */
int netetc_hosts_lines(const struct net_request *req, const struct sandbox *s,
                       const char *hostname, char **ret, struct error **err);

#endif
