/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct mount_attr_arg {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#define PROPAGATION_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

static int do_mount(const char *source, int target_fd, const char *target_name, const char *type,
                    unsigned long flags, const char *data, struct error **err)
{
    char path[32];
    if (mount(source, fs_fd_path(target_fd, path, sizeof(path)), type, flags, data) < 0)
        return error_errno(err, "mounting `%s` (type %s) on `%s`", source ? source : "none",
                           type ? type : "bind", target_name);
    return 0;
}

/* Flags the kernel locks on a mount made in a less privileged user
 * namespace; a remount must repeat them or it fails with EPERM. */
static unsigned long locked_flags(int fd)
{
    struct statvfs sv;
    unsigned long f = 0;
    if (fstatvfs(fd, &sv) < 0)
        return 0;
    if (sv.f_flag & ST_NOSUID)
        f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        f |= MS_RELATIME;
    if (sv.f_flag & ST_RDONLY)
        f |= MS_RDONLY;
    return f;
}

/* mount(2) flags → mount_setattr(2) attributes (set only, never cleared
 * but for the atime mode, which is one field). */
static struct mount_attr_arg flags_to_attr(unsigned long flags)
{
    struct mount_attr_arg a = {0};
    if (flags & MS_RDONLY)
        a.attr_set |= 0x1;
    if (flags & MS_NOSUID)
        a.attr_set |= 0x2;
    if (flags & MS_NODEV)
        a.attr_set |= 0x4;
    if (flags & MS_NOEXEC)
        a.attr_set |= 0x8;
    if (flags & MS_NODIRATIME)
        a.attr_set |= 0x80;
    if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
        a.attr_clr |= 0x70;
        a.attr_set |= (flags & MS_NOATIME) ? 0x10 : (flags & MS_STRICTATIME) ? 0x20 : 0;
    }
    return a;
}

/* Remount the mount `fd` is the root of with `flags` added.  Through the
 * fd (mount_setattr), so it works in a container without /proc; mount(2)
 * through /proc/self/fd on kernels before 5.12. */
static int remount_bind(int fd, const char *name, unsigned long flags, struct error **err)
{
    struct mount_attr_arg attr = flags_to_attr(flags);
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0)
        return 0;
    if (errno != ENOSYS)
        return error_errno(err, "remounting `%s` with its options", name);
    char path[32];
    fs_fd_path(fd, path, sizeof(path));
    unsigned long f = MS_BIND | MS_REMOUNT | (flags & ~(unsigned long) (MS_BIND | MS_REC |
                                                                          MS_REMOUNT |
                                                                          PROPAGATION_FLAGS));
    if (mount(NULL, path, NULL, f, NULL) == 0)
        return 0;
    if (errno == EPERM) {
        /* Keep what the kernel locked; only add what was asked. */
        unsigned long keep = locked_flags(fd) & ~(unsigned long) MS_RDONLY;
        if (mount(NULL, path, NULL, f | keep, NULL) == 0)
            return 0;
    }
    return error_errno(err, "remounting `%s` with its options", name);
}

static int apply_rec_attrs(int fd, const struct spec_mount *m, struct error **err)
{
    if (m->rec_set == 0 && m->rec_clear == 0)
        return 0;
    struct mount_attr_arg attr = {.attr_set = m->rec_set, .attr_clr = m->rec_clear};
    /* Changing the atime mode means clearing the whole atime field. */
    if (m->rec_set & 0x70)
        attr.attr_clr |= 0x70;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
        return error_errno(err, "setting recursive options on `%s`", m->destination);
    return 0;
}

/* Reopen the destination after mounting: the old fd names the directory
 * under the new mount, not the mount. */
static int reopen(int rootfd, const char *dest, struct error **err)
{
    int fd = fs_open_in_root(rootfd, dest, O_PATH, 0, err);
    if (fd < 0)
        return error_wrap(err, "reopening `%s` after mounting", dest);
    return fd;
}

/* Where `fd` (opened inside the root) is, as a path inside the container:
 * its host path (the init still sees the host's /proc) under the rootfs. */
static int container_path(const struct rootfs_ctx *c, int fd, char **ret, struct error **err)
{
    char fdp[32], link[4096];
    ssize_t n = readlink(fs_fd_path(fd, fdp, sizeof(fdp)), link, sizeof(link) - 1);
    if (n < 0)
        return error_errno(err, "finding where the mount target is");
    link[n] = '\0';
    size_t len = strlen(c->rootfs);
    if (strncmp(link, c->rootfs, len) != 0 || (link[len] != '/' && link[len] != '\0'))
        return error_new(err, EXDEV, "the mount target `%s` is not inside the root file system",
                         link);
    *ret = strdup(link[len] ? link + len : "/");
    return *ret ? 0 : error_new(err, ENOMEM, "out of memory");
}

/* The destination as reached (through symlinks) gets the same /proc check
 * as the one written. */
static int check_reached(const struct rootfs_ctx *c, const struct spec_mount *m, int dfd, int sfd,
                         struct error **err)
{
    cleanup_free char *real = NULL;
    int r = container_path(c, dfd, &real, err);
    if (r < 0 || strcmp(real, m->destination) == 0)
        return r;
    r = procfs_check_dest(m, real, sfd, err);
    return r < 0 ? error_wrap(err, "`%s` leads to `%s`", m->destination, real) : 0;
}

static int mount_bind(const struct rootfs_ctx *c, int rootfd, const struct spec_mount *m,
                      struct error **err)
{
    cleanup_free char *src = NULL;
    if (m->source[0] == '/')
        src = strdup(m->source);
    else if (asprintf(&src, "%s/%s", c->bundle, m->source) < 0)
        src = NULL;
    if (src == NULL)
        return error_new(err, ENOMEM, "out of memory");

    /* The source is the host's (config.json is trusted); open it once so
     * what we check is what we mount. */
    cleanup_close int sfd = open(src, O_PATH | O_CLOEXEC);
    if (sfd < 0)
        return error_errno(err, "bind mount source `%s`", src);
    struct stat st;
    if (fstat(sfd, &st) < 0)
        return error_errno(err, "bind mount source `%s`", src);
    int r = procfs_check_dest(m, m->destination, sfd, err);
    if (r < 0)
        return r;

    cleanup_close int dfd = -1;
    r = S_ISDIR(st.st_mode) ? fs_mkdir_in_root(rootfd, m->destination, 0755, &dfd, err)
                            : fs_mkfile_in_root(rootfd, m->destination, 0644, &dfd, err);
    if (r < 0 || (r = check_reached(c, m, dfd, sfd, err)) < 0)
        return r;
    char spath[32];
    fs_fd_path(sfd, spath, sizeof(spath));
    if ((r = do_mount(spath, dfd, m->destination, NULL, MS_BIND | (m->flags & MS_REC), NULL,
                      err)) < 0)
        return error_wrap(err, "bind mount of `%s`", src);
    close(dfd);
    dfd = reopen(rootfd, m->destination, err);
    if (dfd < 0)
        return dfd;
    unsigned long extra = m->flags & ~(unsigned long) (MS_BIND | MS_REC);
    if (extra && (r = remount_bind(dfd, m->destination, extra, err)) < 0)
        return r;
    if (m->propagation && (r = do_mount(NULL, dfd, m->destination, NULL, m->propagation, NULL,
                                        err)) < 0)
        return r;
    return apply_rec_attrs(dfd, m, err);
}

/* One hierarchy at `dest`.  With a cgroup namespace, a fresh cgroup mount
 * (rooted at the namespace); without one, a bind of the container's own
 * cgroup directory, so it sees its limits and not the host's tree. */
static int mount_hierarchy(int rootfd, const struct cg_hierarchy *h, const char *dest,
                           bool cgroupns, unsigned long flags, struct error **err)
{
    cleanup_close int sub = -1;
    int r = fs_mkdir_in_root(rootfd, dest, 0755, &sub, err);
    if (r < 0)
        return r;
    const char *type = h->v2 ? "cgroup2" : "cgroup";
    if (cgroupns)
        return do_mount(type, sub, dest, type, flags, h->v2 ? NULL : h->controllers, err);
    cleanup_free char *src = NULL;
    if (asprintf(&src, "%s%s", h->mountpoint, strcmp(h->path, "/") == 0 ? "" : h->path) < 0)
        return error_new(err, ENOMEM, "out of memory");
    if ((r = do_mount(src, sub, dest, NULL, MS_BIND, NULL, err)) < 0)
        return r;
    close(sub);
    if ((sub = reopen(rootfd, dest, err)) < 0)
        return sub;
    return remount_bind(sub, dest, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
}

/* Whether the last of `ro` and `rw` in the mount's options is rw. */
static bool says_rw(const struct spec_mount *m)
{
    bool rw = false;
    for (size_t i = 0; m->options && m->options[i]; i++) {
        if (strcmp(m->options[i], "rw") == 0)
            rw = true;
        else if (strcmp(m->options[i], "ro") == 0)
            rw = false;
    }
    return rw;
}

/* The container's cgroups, from the hierarchies the runtime found (and
 * made the container's cgroup in) before the fork: on v2 the one mount;
 * on v1 or hybrid a tmpfs with a directory a hierarchy, as the host has. */
static int mount_cgroup(const struct rootfs_ctx *c, int rootfd, const struct spec_mount *m,
                        struct error **err)
{
    const struct cgroup *cg = c->cgroup;
    bool cgroupns = c->spec->ns[SPEC_NS_CGROUP].enabled;
    unsigned long flags = m->flags & ~(unsigned long) (PROPAGATION_FLAGS | MS_REC);
    /* Read-only unless the mount says rw: a writable cgroup tree lets the
     * container change its own limits, and more with v1's release_agent. */
    if (!says_rw(m))
        flags |= MS_RDONLY;
    if (cg == NULL || cg->n_h == 0)
        return error_new(err, ENOENT, "mounting `%s`: no cgroup hierarchy on this host",
                         m->destination);
    cleanup_close int dfd = -1;
    int r = fs_mkdir_in_root(rootfd, m->destination, 0755, &dfd, err);
    if (r < 0 || (r = check_reached(c, m, dfd, -1, err)) < 0)
        return r;
    if (cg->layout == CGROUP_LAYOUT_V2)
        return mount_hierarchy(rootfd, &cg->h[0], m->destination, cgroupns, flags, err);
    unsigned long base = flags & ~(unsigned long) MS_RDONLY;
    if ((r = do_mount("tmpfs", dfd, m->destination, "tmpfs", base, "mode=755", err)) < 0)
        return r;
    for (size_t i = 0; i < cg->n_h; i++) {
        const char *name = strrchr(cg->h[i].mountpoint, '/');
        cleanup_free char *subpath = NULL;
        if (asprintf(&subpath, "%s/%s", m->destination, name ? name + 1 : "") < 0)
            return error_new(err, ENOMEM, "out of memory");
        if ((r = mount_hierarchy(rootfd, &cg->h[i], subpath, cgroupns, flags, err)) < 0)
            return r;
    }
    if (!(flags & MS_RDONLY))
        return 0;
    close(dfd);
    if ((dfd = reopen(rootfd, m->destination, err)) < 0)
        return dfd;
    return remount_bind(dfd, m->destination, MS_RDONLY | base, err);
}

/* A proc or sysfs mount goes on a real directory of the rootfs, never on
 * what a symlink there points to (CVE-2019-19921, CVE-2023-27561): the
 * masks and labels written later through /proc would miss it. */
static int open_pseudo_dest(int rootfd, const struct spec_mount *m, int *ret_fd, struct error **err)
{
    const char *slash = strrchr(m->destination, '/');
    cleanup_free char *parent = strndup(m->destination, (size_t) (slash - m->destination));
    if (parent == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int pfd = -1;
    int r = fs_mkdir_in_root(rootfd, parent[0] ? parent : "/", 0755, &pfd, err);
    if (r < 0)
        return r;
    const char *name = slash + 1;
    struct stat st;
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno != ENOENT)
            return error_errno(err, "`%s` inside the root", m->destination);
        if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)
            return error_errno(err, "creating `%s` inside the root", m->destination);
    } else if (!S_ISDIR(st.st_mode)) {
        return error_new(err, ENOTDIR,
                         "`%s` (type %s) must be mounted on a directory, and in the root file "
                         "system it is %s",
                         m->destination, m->type, S_ISLNK(st.st_mode) ? "a symlink" : "not one");
    }
    int fd = openat(pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s` inside the root", m->destination);
    *ret_fd = fd;
    return 0;
}

static bool is_pseudo(const struct spec_mount *m)
{
    return !m->bind && (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0);
}

static int mount_one(const struct rootfs_ctx *c, int rootfd, const struct spec_mount *m,
                     struct error **err)
{
    if (m->bind)
        return mount_bind(c, rootfd, m, err);
    int r = procfs_check_dest(m, m->destination, -1, err);
    if (r < 0)
        return r;
    if (strcmp(m->type, "cgroup") == 0)
        return mount_cgroup(c, rootfd, m, err);

    cleanup_close int dfd = -1;
    r = is_pseudo(m) ? open_pseudo_dest(rootfd, m, &dfd, err)
                     : fs_mkdir_in_root(rootfd, m->destination, 0755, &dfd, err);
    if (r < 0 || (r = check_reached(c, m, dfd, -1, err)) < 0)
        return r;
    unsigned long flags = m->flags & ~(unsigned long) (PROPAGATION_FLAGS | MS_REC);
    cleanup_free char *labeled = NULL;
    if ((r = lsm_mount_data(c->lsm, m, m->data, &labeled, err)) < 0)
        return r;
    char path[32];
    fs_fd_path(dfd, path, sizeof(path));
    if (mount(m->source ? m->source : m->type, path, m->type, flags, labeled ? labeled : m->data) <
        0) {
        if (errno == EPERM && strcmp(m->type, "sysfs") == 0) {
            /* sysfs needs a network namespace of our own; without one
             * (rootless), bind the host's, as runc does. */
            log_debug("mounting sysfs was refused; binding /sys instead");
            struct spec_mount b = *m;
            b.bind = true;
            b.source = (char *) "/sys";
            b.flags |= MS_BIND | MS_REC;
            return mount_bind(c, rootfd, &b, err);
        }
        return error_errno(err, "mounting `%s` (type %s) on `%s`",
                           m->source ? m->source : m->type, m->type, m->destination);
    }
    if (m->propagation || m->rec_set || m->rec_clear) {
        close(dfd);
        if ((dfd = reopen(rootfd, m->destination, err)) < 0)
            return dfd;
        if (m->propagation &&
            (r = do_mount(NULL, dfd, m->destination, NULL, m->propagation, NULL, err)) < 0)
            return r;
        return apply_rec_attrs(dfd, m, err);
    }
    return 0;
}

int rootfs_prepare(const struct rootfs_ctx *c, int *ret_rootfd, struct error **err)
{
    /* Our mounts must not propagate back to the host: make everything a
     * slave (private if asked) before touching anything.  pivot_root
     * refuses a shared `/`, so a shared (or unbindable) rootfsPropagation
     * is applied to the new root after the pivot (init.c), as runc does. */
    unsigned long prop = (c->spec->rootfs_propagation & MS_PRIVATE) ? MS_PRIVATE : MS_SLAVE;
    if (mount(NULL, "/", NULL, prop | MS_REC, NULL) < 0)
        return error_errno(err, "setting the propagation of `/`");
    if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_errno(err, "bind mounting the root file system `%s` on itself", c->rootfs);
    /* pivot_root refuses a new root whose parent mount is shared. */
    int fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening the root file system `%s`", c->rootfs);
    char path[32];
    if (mount(NULL, fs_fd_path(fd, path, sizeof(path)), NULL, MS_PRIVATE, NULL) < 0) {
        close(fd);
        return error_errno(err, "making the root file system mount private");
    }
    *ret_rootfd = fd;
    return 0;
}

int rootfs_mount_all(const struct rootfs_ctx *c, int rootfd, struct error **err)
{
    for (size_t i = 0; i < c->spec->n_mounts; i++) {
        int r = mount_one(c, rootfd, &c->spec->mounts[i], err);
        if (r < 0)
            return error_wrap(err, "mounts[%zu]", i);
    }
    return 0;
}

bool rootfs_dev_is_bind(const struct spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (s->mounts[i].bind && strcmp(s->mounts[i].destination, "/dev") == 0)
            return true;
    return false;
}

int rootfs_pivot(const struct rootfs_ctx *c, int rootfd, struct error **err)
{
    /* Resolve the root through the fd: the path may have been replaced. */
    cleanup_close int dir = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return error_errno(err, "opening the root file system");
    if (fchdir(dir) < 0)
        return error_errno(err, "entering the root file system");
    if (c->no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
            return error_errno(err, "moving the root file system to `/`");
        if (chroot(".") < 0)
            return error_errno(err, "chroot into the root file system");
    } else {
        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * make it a slave so detaching it cannot unmount the host's. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return error_errno(err, "pivot_root into `%s`", c->rootfs);
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
            return error_errno(err, "making the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
            return error_errno(err, "detaching the old root");
    }
    if (chdir("/") < 0)
        return error_errno(err, "chdir to the new root");
    return 0;
}

/* The checked /proc and /sys of the container (-1: not mounted by the
 * spec, so paths below them are the image's own files). */
struct pseudo_fds {
    int proc, sys;
};

static void pseudo_fds_close(struct pseudo_fds *g)
{
    if (g->proc >= 0)
        close(g->proc);
    if (g->sys >= 0)
        close(g->sys);
}

/* The last mount the spec puts on `dest`, or NULL. */
static const struct spec_mount *mount_on(const struct spec *s, const char *dest)
{
    const struct spec_mount *found = NULL;
    for (size_t i = 0; i < s->n_mounts; i++)
        if (strcmp(s->mounts[i].destination, dest) == 0)
            found = &s->mounts[i];
    return found;
}

/* Masks and read-only paths below /proc and /sys go through handles of
 * them checked to be procfs and sysfs, when the spec mounts them: if
 * either was replaced after it was mounted, they would land on the
 * replacement (CVE-2019-16884, CVE-2019-19921). */
static int open_pseudo_fds(const struct spec *s, struct pseudo_fds *g, struct error **err)
{
    g->proc = g->sys = -1;
    const struct spec_mount *p = mount_on(s, "/proc");
    const struct spec_mount *y = mount_on(s, "/sys");
    if (p && (g->proc = procfs_open("linux.maskedPaths/readonlyPaths", err)) < 0)
        return g->proc;
    if (y && (y->bind ? strcmp(y->source, "/sys") == 0 : strcmp(y->type, "sysfs") == 0) &&
        (g->sys = sysfs_open("linux.maskedPaths/readonlyPaths", err)) < 0) {
        pseudo_fds_close(g);
        return -1;
    }
    return 0;
}

/* After the pivot "/" is the container's root; a masked or read-only path
 * that is a symlink is followed inside it (masking the link itself would
 * leave its target open), never through a /proc magic link.  Below a
 * checked /proc or /sys, it is resolved beneath that handle. */
static int open_after_pivot(const struct pseudo_fds *g, const char *p)
{
    if (g && g->proc >= 0 && strncmp(p, "/proc/", 6) == 0)
        return fs_openat2(g->proc, p + 6, O_PATH, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (g && g->sys >= 0 && strncmp(p, "/sys/", 5) == 0)
        return fs_openat2(g->sys, p + 5, O_PATH, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    return fs_openat2(AT_FDCWD, p, O_PATH, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* The container's /dev/null, checked to be the real one: a file or a link
 * put there would be bound over the masked paths instead. */
static int open_dev_null(struct error **err)
{
    int fd = fs_openat2(AT_FDCWD, "/dev/null", O_PATH | O_NOFOLLOW, 0, RESOLVE_IN_ROOT);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        close_keep_errno(fd);
        return error_errno(err, "linux.maskedPaths: opening /dev/null");
    }
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        close(fd);
        return error_new(err, EPERM, "linux.maskedPaths: /dev/null is not the null device");
    }
    return fd;
}

static int mask_path(const struct rootfs_ctx *c, const struct pseudo_fds *g, const char *p,
                     struct error **err)
{
    cleanup_close int fd = open_after_pivot(g, p);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return error_errno(err, "linux.maskedPaths: opening `%s`", p);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return error_errno(err, "linux.maskedPaths: `%s`", p);
    char path[32];
    fs_fd_path(fd, path, sizeof(path));
    if (S_ISDIR(st.st_mode)) {
        cleanup_free char *data = NULL;
        int r = lsm_mount_data(c->lsm, NULL, "size=0,nr_inodes=1", &data, err);
        if (r < 0)
            return r;
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  data ? data : "size=0,nr_inodes=1") < 0)
            return error_errno(err, "linux.maskedPaths: masking `%s`", p);
    } else {
        cleanup_close int null = open_dev_null(err);
        char npath[32];
        if (null < 0)
            return null;
        if (mount(fs_fd_path(null, npath, sizeof(npath)), path, NULL, MS_BIND, NULL) < 0)
            return error_errno(err, "linux.maskedPaths: masking `%s`", p);
    }
    return 0;
}

static int readonly_path(const struct pseudo_fds *g, const char *p, struct error **err)
{
    cleanup_close int fd = open_after_pivot(g, p);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return error_errno(err, "linux.readonlyPaths: opening `%s`", p);
    }
    char path[32];
    fs_fd_path(fd, path, sizeof(path));
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_errno(err, "linux.readonlyPaths: binding `%s`", p);
    close(fd);
    fd = open_after_pivot(g, p);
    if (fd < 0)
        return error_errno(err, "linux.readonlyPaths: reopening `%s`", p);
    int r = remount_bind(fd, p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
    return r < 0 ? error_wrap(err, "linux.readonlyPaths") : 0;
}

int rootfs_finish(const struct rootfs_ctx *c, struct error **err)
{
    const struct spec *s = c->spec;
    struct pseudo_fds g;
    int r = 0;
    if ((s->readonly_paths || s->masked_paths) && (r = open_pseudo_fds(s, &g, err)) < 0)
        return r;
    for (size_t i = 0; r == 0 && s->readonly_paths && s->readonly_paths[i]; i++)
        r = readonly_path(&g, s->readonly_paths[i], err);
    for (size_t i = 0; r == 0 && s->masked_paths && s->masked_paths[i]; i++)
        r = mask_path(c, &g, s->masked_paths[i], err);
    if (s->readonly_paths || s->masked_paths)
        pseudo_fds_close(&g);
    if (r < 0)
        return r;
    if (s->root_readonly) {
        cleanup_close int fd = open("/", O_PATH | O_CLOEXEC);
        if (fd < 0)
            return error_errno(err, "opening `/`");
        unsigned long keep = locked_flags(fd);
        if ((r = remount_bind(fd, "/", keep | MS_RDONLY, err)) < 0)
            return error_wrap(err, "root.readonly");
    }
    return 0;
}
