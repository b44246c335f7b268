/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-system helpers, fd-relative wherever a path comes from outside.
 *
 * Paths that live inside a container's root file system are never resolved
 * by the host's view: fs_*_in_root() open them with openat2() and
 * RESOLVE_IN_ROOT, so `..` and absolute symlinks stay inside the root and a
 * hostile rootfs cannot redirect a mount or a write to the host.
 * RESOLVE_NO_MAGICLINKS refuses /proc/self/fd style links on the way.
 *
 * All functions follow the error contract of util/error.h.  Returned fds are
 * O_CLOEXEC and owned by the caller.
 */
#ifndef CABIN_UTIL_FS_H
#define CABIN_UTIL_FS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* openat2(2) with `resolve` flags (RESOLVE_*), retried on EAGAIN. */
int fs_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve);

/* Open `path` inside the root `rootfd` (RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS). */
int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct error **err);

/* Make every missing directory of `path` inside `rootfd` (mode `mode`) and
 * return an O_PATH fd of the last one in *ret_fd. */
int fs_mkdir_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err);

/* Make the parent directories (0755) of `path` inside `rootfd` and an empty regular
 * file at `path` if nothing is there; return an O_PATH fd of what is there
 * (whatever its type) in *ret_fd. */
int fs_mkfile_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err);

/* Lexically clean `path`: collapse "//", drop "." and resolve ".." without
 * going above "/".  Always returns an absolute path (malloc'd), NULL on ENOMEM. */
char *fs_path_clean(const char *path);

/* Read at most `max` bytes of `path` (relative to dirfd) into a
 * NUL-terminated malloc'd buffer.  A larger file is an EFBIG error. */
int fs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
                    struct error **err);

/* Write `data` to `name` in `dirfd` through a temporary file and rename(),
 * so readers see the old or the new content, never half of it.  With
 * `sync` the data is fsync'd before the rename. */
int fs_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                         int sync, struct error **err);

/* Write a small string to an existing file (a /proc or /sys knob). */
int fs_write_knob(int dirfd, const char *path, const char *value, struct error **err);

/* mkdir -p for host paths (the runtime's own state root). */
int fs_mkdir_p(const char *path, mode_t mode, struct error **err);

/* rm -rf of `name` in `dirfd`, not crossing mount points (EBUSY). */
int fs_remove_tree(int dirfd, const char *name, struct error **err);

/* write(2) all of `data`, retrying on EINTR; 0 or a negative errno. */
int fs_write_all(int fd, const void *data, size_t len);

/* Whether `name` of `dirfd` is the root of another file system than
 * dirfd's (something is mounted there: its device differs). */
bool fs_is_mount_point_at(int dirfd, const char *name);

/* The directory `name` of `dirfd` (".": dirfd itself) opened for readdir,
 * not following a symlink; NULL with errno set.  Close with closedir(). */
DIR *fs_opendir_at(int dirfd, const char *name);

/* An O_PATH fd of the directory holding `path` (the cwd for a bare name)
 * and a copy of its last component (malloc'd), for working on a host path
 * through its directory (an atomic write, a socket name that must fit). */
int fs_open_parent(const char *path, int *ret_dirfd, char **ret_name, struct error **err);

/* "/proc/self/fd/N" for fd in buf (at least 32 bytes). */
const char *fs_fd_path(int fd, char *buf, size_t len);

#endif
