/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/exe_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The overlay's second lower layer: overlayfs needs two to mount without
 * an upper one.  The binary's directory is on top, so nothing of this one
 * shows at its name; it only has to exist, be a file system overlayfs
 * takes, and not contain the binary's directory (or overlayfs refuses). */
#define DUMMY_LOWER "/dev"

extern char **environ;

/* A file on a read-only overlayfs: our view (or one like it: the binary
 * cannot be written through it either). */
static bool on_readonly_overlay(int fd)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC &&
           (sf.f_flags & ST_RDONLY);
}

static bool is_sealed(int fd)
{
    int seals = fcntl(fd, F_GET_SEALS);
    return (seals >= 0 && (seals & SEALS) == SEALS) || on_readonly_overlay(fd);
}

bool exe_guard_sealed(void)
{
    cleanup_close int self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    return self >= 0 && is_sealed(self);
}

/* `path` with overlayfs' separators escaped (a lowerdir is a list). */
static int escape_lower(const char *path, char *buf, size_t len)
{
    size_t o = 0;
    for (const char *p = path; *p; p++) {
        if (o + 3 > len)
            return -ENAMETOOLONG;
        if (*p == ':' || *p == '\\')
            buf[o++] = '\\';
        buf[o++] = *p;
    }
    buf[o] = '\0';
    return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return S_ISREG(b->st_mode) && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* An O_PATH fd of our binary seen through a private, read-only overlayfs
 * (see exe_guard.h), or a negative errno. */
static int overlay_view(const struct stat *st)
{
    char exe[PATH_MAX], lower[2 * PATH_MAX + sizeof(":" DUMMY_LOWER)];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0 || exe[0] != '/')
        return -ENOENT;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    const char *name = slash + 1;
    *slash = '\0';
    if (escape_lower(slash == exe ? "/" : exe, lower, sizeof(lower) - sizeof(":" DUMMY_LOWER)) < 0)
        return -ENAMETOOLONG;
    strcat(lower, ":" DUMMY_LOWER);
    cleanup_close int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fsfd < 0)
        return -errno;
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
        return -errno;
    /* Not wanted, and it logs when the layers are on different file
     * systems; an older kernel without the option is fine. */
    (void) fsconfig(fsfd, FSCONFIG_SET_STRING, "xino", "off", 0);
    if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -errno;
    cleanup_close int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC,
                                    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
    if (mnt < 0)
        return -errno;
    int fd = openat(mnt, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat vst;
    if (fstat(fd, &vst) < 0 || !same_file(st, &vst) || !on_readonly_overlay(fd)) {
        close(fd);
        return -ESTALE; /* replaced since we started: copy what we run */
    }
    return fd;
}

static int memfd_copy(int self, const struct stat *st, struct error **err)
{
    /* MFD_EXEC where vm.memfd_noexec would otherwise forbid executing it. */
    int mfd = memfd_create("cabin-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (mfd < 0 && errno == EINVAL)
        mfd = memfd_create("cabin-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return error_errno(err, "making a sealed copy of the runtime (memfd_create)");
    cleanup_close int fd = mfd;
    off_t off = 0;
    while (off < st->st_size) {
        ssize_t n = sendfile(fd, self, &off, (size_t) (st->st_size - off));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return error_errno(err, "copying the runtime into a sealed memfd");
    }
    if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
        return error_errno(err, "sealing the runtime's copy");
    return steal_fd(&fd);
}

int exe_guard_ensure_sealed(char **argv, struct error **err)
{
    cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return error_errno(err, "opening /proc/self/exe");
    if (is_sealed(self))
        return 0;
    struct stat st;
    if (fstat(self, &st) < 0)
        return error_errno(err, "reading /proc/self/exe");
    cleanup_close int view = overlay_view(&st);
    if (view >= 0) {
        execveat(view, "", argv, environ, AT_EMPTY_PATH);
        log_debug("re-executing from a read-only overlayfs view: %s; copying instead",
                  strerror(errno));
    } else {
        log_debug("no read-only overlayfs view of our binary (%s); copying it",
                  strerror(-view));
    }
    cleanup_close int mfd = memfd_copy(self, &st, err);
    if (mfd < 0)
        return mfd;
    fexecve(mfd, argv, environ);
    return error_errno(err, "re-executing the runtime from its sealed copy");
}
