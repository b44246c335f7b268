/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guards for /proc and /sys, the two file systems through which the init
 * writes what confines the container (masks, read-only paths, sysctls, LSM
 * labels).  A hostile rootfs or a racing container process that could make
 * them something else would have those writes land where they do no good
 * (CVE-2019-16884, CVE-2019-19921, CVE-2023-27561).
 *
 *   procfs_check_dest()   before a mount: /proc takes only a procfs;
 *                         nothing may cover a path below /proc but the
 *                         few files lxcfs emulates (runc's list)
 *   procfs_open(), sysfs_open()
 *                         after the pivot: an O_PATH fd of /proc (/sys),
 *                         not reached through a symlink, checked with
 *                         fstatfs to be the root of a procfs (sysfs)
 *   procfs_check_fd()     the same check for an fd from elsewhere
 *   procfs_open_beneath() a path below such a checked fd, never leaving it
 *   procfs_write()        write a value to a file below a checked fd,
 *                         checked again to be on that file system
 *
 * Returned fds are O_CLOEXEC and owned by the caller.
 */
#ifndef CABIN_RUNTIME_PROCFS_H
#define CABIN_RUNTIME_PROCFS_H

#include "runtime/spec.h"
#include "util/error.h"

/* May `m` be mounted on `dest` (a cleaned path inside the container, the
 * one written or the one its symlinks lead to)?  `source_fd` is the bind
 * source's fd, or -1. */
int procfs_check_dest(const struct spec_mount *m, const char *dest, int source_fd,
                      struct error **err);

/* `what` names the caller in errors ("linux.sysctl"). */
int procfs_open(const char *what, struct error **err);
int sysfs_open(const char *what, struct error **err);

/* Check that `fd` is the root of a procfs (for handles got elsewhere). */
int procfs_check_fd(int fd, const char *what, struct error **err);

/* Open `path` (relative, below `dirfd`) with `flags`, resolved beneath
 * dirfd without magic links. */
int procfs_open_beneath(int dirfd, const char *path, int flags, struct error **err);

/* Write `value` to `path` below the checked `dirfd`; the file must be on
 * the same kind of file system as dirfd. */
int procfs_write(int dirfd, const char *path, const char *value, struct error **err);

#endif
