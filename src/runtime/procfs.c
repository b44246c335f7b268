/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* The root directory of procfs and of sysfs has inode 1. */
#define PSEUDO_ROOT_INO 1

/* What may be mounted over below /proc: the files lxcfs (and the like)
 * emulate for a container, as runc allows. */
static const char *const proc_coverable[] = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/net/dev",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
    NULL,
};

static bool is_fs_root(int fd, long magic)
{
    struct statfs sf;
    struct stat st;
    return fstatfs(fd, &sf) == 0 && sf.f_type == magic && fstat(fd, &st) == 0 &&
           st.st_ino == PSEUDO_ROOT_INO;
}

int procfs_check_dest(const struct spec_mount *m, const char *dest, int source_fd,
                      struct error **err)
{
    if (strcmp(dest, "/proc") == 0) {
        if (!m->bind && m->type && strcmp(m->type, "proc") == 0)
            return 0;
        if (m->bind && source_fd >= 0 && is_fs_root(source_fd, PROC_SUPER_MAGIC))
            return 0;
        return error_new(err, EPERM,
                         "`/proc` takes only a proc file system (type proc, or a bind of the "
                         "root of one)");
    }
    if (strncmp(dest, "/proc/", 6) != 0)
        return 0;
    for (size_t i = 0; proc_coverable[i]; i++)
        if (strcmp(dest, proc_coverable[i]) == 0)
            return 0;
    char list[512] = "";
    size_t used = 0;
    for (size_t i = 0; proc_coverable[i] && used < sizeof(list); i++)
        used += (size_t) snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                  proc_coverable[i]);
    return error_new(err, EPERM,
                     "`%s` is inside /proc: nothing may be mounted there but on %s (the files "
                     "lxcfs emulates)",
                     dest, list);
}

static int check_root(int fd, const char *path, long magic, const char *fsname, const char *what,
                      struct error **err)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return error_errno(err, "%s: `%s`", what, path);
    if (!is_fs_root(fd, magic))
        return error_new(err, EPERM,
                         "%s: `%s` is not the root of a %s mount (file system type 0x%lx): "
                         "refusing to write through it",
                         what, path, fsname, (unsigned long) sf.f_type);
    return 0;
}

static int open_pseudo(const char *path, long magic, const char *fsname, const char *what,
                       struct error **err)
{
    /* No symlink on the way, not even /proc itself being one. */
    int fd = fs_openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY, 0,
                        RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0)
        return error_errno(err, "%s: opening `%s`", what, path);
    int r = check_root(fd, path, magic, fsname, what, err);
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int procfs_check_fd(int fd, const char *what, struct error **err)
{
    return check_root(fd, "/proc", PROC_SUPER_MAGIC, "proc", what, err);
}

int procfs_open(const char *what, struct error **err)
{
    return open_pseudo("/proc", PROC_SUPER_MAGIC, "proc", what, err);
}

int sysfs_open(const char *what, struct error **err)
{
    return open_pseudo("/sys", SYSFS_MAGIC, "sysfs", what, err);
}

int procfs_open_beneath(int dirfd, const char *path, int flags, struct error **err)
{
    int fd = fs_openat2(dirfd, path, flags, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    return fd;
}

int procfs_write(int dirfd, const char *path, const char *value, struct error **err)
{
    struct statfs want, got;
    if (fstatfs(dirfd, &want) < 0)
        return error_errno(err, "writing `%s`", path);
    cleanup_close int fd = procfs_open_beneath(dirfd, path, O_WRONLY | O_NOFOLLOW, err);
    if (fd < 0)
        return fd;
    /* Something mounted over the file would take the write instead. */
    if (fstatfs(fd, &got) < 0)
        return error_errno(err, "writing `%s`", path);
    if (got.f_type != want.f_type)
        return error_new(err, EPERM,
                         "`%s` is not on the file system it was opened through (type 0x%lx): "
                         "refusing to write to it",
                         path, (unsigned long) got.f_type);
    size_t len = strlen(value);
    ssize_t w;
    do
        w = write(fd, value, len);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        return error_errno(err, "writing `%s` to `%s`", value, path);
    if ((size_t) w != len)
        return error_new(err, EIO, "writing `%s` to `%s`: short write", value, path);
    return 0;
}
