/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's root file system, inside its new mount namespace.
 *
 *   rootfs_prepare()   make the host's mounts slave (or rootfsPropagation),
 *                      bind the rootfs on itself, return an O_PATH fd of it
 *   rootfs_mount_all() every entry of `mounts`, each destination resolved
 *                      inside the rootfs (RESOLVE_IN_ROOT), mounted through
 *                      /proc/self/fd so a symlink swapped in between cannot
 *                      redirect it to the host
 *   rootfs_pivot()     pivot_root(2) and detach the old root (or MS_MOVE +
 *                      chroot with no_pivot, for a ramfs root)
 *   rootfs_finish()    readonlyPaths, maskedPaths and a read-only root,
 *                      after the pivot so they see the container's /proc
 *
 * These run in the container's init, never in the caller's namespaces.
 */
#ifndef CABIN_RUNTIME_MOUNTS_H
#define CABIN_RUNTIME_MOUNTS_H

#include <stdbool.h>

#include "runtime/cgroup.h"
#include "runtime/lsm.h"
#include "runtime/spec.h"
#include "util/error.h"

struct rootfs_ctx {
    const struct spec *spec;
    const char *rootfs; /* absolute host path of the root file system */
    const char *bundle; /* absolute host path of the bundle */
    bool userns;        /* inside a user namespace we made */
    bool no_pivot;
    const struct cgroup *cgroup; /* the container's, made by the runtime */
    const struct lsm_plan *lsm;  /* linux.mountLabel, when SELinux is on */
};

int rootfs_prepare(const struct rootfs_ctx *c, int *ret_rootfd, struct error **err);
int rootfs_mount_all(const struct rootfs_ctx *c, int rootfd, struct error **err);
int rootfs_pivot(const struct rootfs_ctx *c, int rootfd, struct error **err);
int rootfs_finish(const struct rootfs_ctx *c, struct error **err);

/* Whether `mounts` puts a bind mount (from the host) on /dev; then the
 * default devices are the host's and are not created. */
bool rootfs_dev_is_bind(const struct spec *s);

/* Default devices, /dev links and linux.devices (devices.c). */
int devices_create(const struct rootfs_ctx *c, int rootfd, struct error **err);

#endif
