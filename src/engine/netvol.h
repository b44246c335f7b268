/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a container asked of networks and volumes, kept in its folder,
 *
 *   ROOT/containers/<id>/netvol.json   {"network": {...}, "mounts": [...]}
 *
 * (netopts.h and mountopts.h give the two halves; the mounts are as
 * resolved at create: an anonymous volume has its name by then).  It is
 * read at start to set the network up, by inspect, and by `network rm` and
 * `volume rm` to know who uses what.  Written by rename.
 */
#ifndef CABIN_ENGINE_NETVOL_H
#define CABIN_ENGINE_NETVOL_H

#include <stddef.h>

#include "engine/engine.h"
#include "engine/mountopts.h"
#include "engine/netopts.h"
#include "util/error.h"

#define NETVOL_FILE "netvol.json"

int netvol_save(int cdirfd, const struct net_request *net, const struct mount_request *mounts,
                size_t n_mounts, struct error **err);

/* Either output may be NULL (not wanted).  No record: ENOENT. */
int netvol_load(int cdirfd, struct net_request **ret_net, struct mount_request **ret_mounts,
                size_t *ret_n, struct error **err);

/* The containers (ids) whose record names the network `network` (the
 * default network for those with no name given), or the volume `volume`;
 * pass NULL for the other. */
int netvol_users(struct engine *e, const char *network, const char *volume, char ***ret,
                 struct error **err);

#endif
