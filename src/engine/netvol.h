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
 *
 * The container's life calls four functions here:
 *   netvol_create()   when it is made (engine/create.c), its root mounted
 *                     and its bundle config in hand: volumes made and
 *                     filled, binds checked, the mounts and the network
 *                     namespace written into the config, the record saved
 *   netvol_start()    before its process runs (engine/monitor.c, for a
 *                     start and each restart): the network set up
 *                     (sandbox.h), the /etc files rewritten with its
 *                     address and peers, container mode's namespace path
 *                     put into the config
 *   netvol_stop()     once its process is gone (the cleanup, a failed
 *                     start, removal): the network torn down
 *   netvol_removed()  once its folder is gone (rm -v, --rm): its anonymous
 *                     volumes removed
 * and inspect and ps read netvol_inspect() and netvol_ports_text().
 */
#ifndef CABIN_ENGINE_NETVOL_H
#define CABIN_ENGINE_NETVOL_H

#include <stddef.h>

#include "engine/container.h"
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

struct sandbox;
struct image_config;

/* What docker's records show of them: HostConfig's NetworkMode,
 * PortBindings, PublishAllPorts, Dns, DnsSearch, DnsOptions, ExtraHosts,
 * Binds, Mounts and Tmpfs; Config's ExposedPorts and Volumes (the image's,
 * with -p's ports and -v's anonymous volumes).  `f` are the mount flags as
 * given (mounts is their parse).  -ENOMEM or 0. */
int netvol_records(json_t *config, json_t *host_config, const struct image_config *img,
                   const struct net_request *net, const struct mount_flags *f,
                   const struct mount_request *mounts, size_t n_mounts);

/* `spec` is the bundle config (edited); the caller writes it afterwards.
 * The container's record must be visible (in ROOT/containers) already. */
int netvol_create(struct engine *e, const char *id, int cdirfd, int rootfd,
                  const struct image_config *img, const struct net_request *net,
                  const struct mount_request *mounts, size_t n_mounts, json_t *spec,
                  struct error **err);

/* Set up the network of container `c` (its folder: cdirfd) about to
 * start: the sandbox (with -P, Config.ExposedPorts published), its
 * hostname, hosts (its address, --add-host, then its peers) and
 * resolv.conf, and with --network container:X the config's namespace
 * path.  On failure nothing of it is left. */
int netvol_start(struct engine *e, const struct engine_container *c, int cdirfd,
                 struct error **err);

/* Tear down the network of a container whose process is gone. */
int netvol_stop(struct engine *e, const char *id, struct error **err);

/* After the container's folder was removed: with `volumes`, remove its
 * anonymous volumes (`mounts` as netvol_load gave them before). */
int netvol_removed(struct engine *e, const struct mount_request *mounts, size_t n_mounts,
                   bool volumes, struct error **err);

/* ---- removal (netvol_prune.c) ---- */

/* EBUSY, naming them, when containers use the network (or the volume:
 * pass NULL for the other); else 0. */
int netvol_unused(struct engine *e, const char *network, const char *volume,
                  struct error **err);

struct network;
/* Remove network `n` unless a container uses it (EBUSY, naming them); the
 * caller holds network_lock(LOCK_EX). */
int netvol_network_remove(struct engine *e, const struct network *n, struct error **err);
/* Every network but the default one that no container uses (network prune,
 * system prune); their names in *ret_removed, even on an error. */
int netvol_prune_networks(struct engine *e, char ***ret_removed, struct error **err);
/* The anonymous volumes (with `all`: every volume) no container uses,
 * carrying every label of `labels` ("KEY" or "KEY=VALUE"); their names and
 * the bytes they held, even on an error. */
int netvol_prune_volumes(struct engine *e, bool all, char *const *labels, char ***ret_removed,
                         uint64_t *ret_bytes, struct error **err);

/* docker's NetworkSettings and Mounts of container `id` (folder cdirfd):
 * from its running sandbox, else from its request.  New references. */
void netvol_inspect(struct engine *e, const char *id, int cdirfd, json_t **ret_settings,
                    json_t **ret_mounts);

/* ps's PORTS ("0.0.0.0:8080->80/tcp, ...") and NETWORKS columns of a
 * container (malloc'd; "" when none). */
char *netvol_ports_text(struct engine *e, const char *id);
char *netvol_networks_text(int cdirfd);

#endif
