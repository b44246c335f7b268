/* SPDX-License-Identifier: Apache-2.0 */
/* /dev inside the container: the default devices every OCI runtime gives,
 * its links, and linux.devices.  Made with mknod(2), or bound from the host
 * where a user namespace forbids mknod. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/mounts.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const struct {
    const char *path;
    unsigned int major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},    {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8},  {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
    const char *target, *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
    {"pts/ptmx", "/dev/ptmx"},
};

/* Split `path` into an fd of its (created) parent and the last name. */
static int open_parent(int rootfd, const char *path, int *ret_fd, const char **ret_name,
                       struct error **err)
{
    const char *slash = strrchr(path, '/');
    char parent[4096];
    size_t n = (size_t) (slash - path);
    if (n >= sizeof(parent))
        return error_new(err, ENAMETOOLONG, "path `%s` is too long", path);
    memcpy(parent, path, n);
    parent[n] = '\0';
    int r = fs_mkdir_in_root(rootfd, n ? parent : "/", 0755, ret_fd, err);
    if (r < 0)
        return r;
    *ret_name = slash + 1;
    return 0;
}

static int bind_host_device(int rootfd, const char *path, struct error **err)
{
    cleanup_close int dst = -1;
    int r = fs_mkfile_in_root(rootfd, path, 0000, &dst, err);
    if (r < 0)
        return r;
    char p[32];
    if (mount(path, fs_fd_path(dst, p, sizeof(p)), NULL, MS_BIND, NULL) < 0)
        return error_errno(err, "binding the host's `%s`", path);
    return 0;
}

static int make_node(int rootfd, const char *path, mode_t type, mode_t perm, dev_t dev,
                     uid_t uid, gid_t gid, bool userns, struct error **err)
{
    if (userns && type != S_IFIFO)
        return bind_host_device(rootfd, path, err);
    cleanup_close int dir = -1;
    const char *name;
    int r = open_parent(rootfd, path, &dir, &name, err);
    if (r < 0)
        return r;
    /* Replace whatever the image left there (never follow it). */
    if (unlinkat(dir, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
        return error_errno(err, "removing the old `%s`", path);
    if (mknodat(dir, name, type | perm, dev) < 0) {
        if (errno == EPERM && type != S_IFIFO)
            return bind_host_device(rootfd, path, err);
        return error_errno(err, "creating device `%s`", path);
    }
    /* The init runs with umask 0, so mknod gave the node exactly `perm`;
     * nothing here may follow a link (a racing writer on a shared /dev). */
    if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno(err, "setting the owner of `%s`", path);
    return 0;
}

static int make_link(int rootfd, const char *target, const char *path, struct error **err)
{
    cleanup_close int dir = -1;
    const char *name;
    int r = open_parent(rootfd, path, &dir, &name, err);
    if (r < 0)
        return r;
    if (symlinkat(target, dir, name) < 0 && errno != EEXIST)
        return error_errno(err, "linking `%s` to `%s`", path, target);
    return 0;
}

int devices_create(const struct rootfs_ctx *c, int rootfd, struct error **err)
{
    const struct spec *s = c->spec;
    int r;
    if (!rootfs_dev_is_bind(s)) {
        for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
            r = make_node(rootfd, default_devices[i].path, S_IFCHR, 0666,
                          makedev(default_devices[i].major, default_devices[i].minor), 0, 0,
                          c->userns, err);
            if (r < 0)
                return error_wrap(err, "default devices");
        }
        for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
            if ((r = make_link(rootfd, default_links[i].target, default_links[i].link, err)) < 0)
                return r;
        if (access("/proc/kcore", F_OK) == 0 &&
            (r = make_link(rootfd, "/proc/kcore", "/dev/core", err)) < 0)
            return r;
    }
    for (size_t i = 0; i < s->n_devices; i++) {
        const struct spec_device *d = &s->devices[i];
        mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
        mode_t perm = d->has_mode ? (d->mode & 07777) : 0666;
        r = make_node(rootfd, d->path, type, perm, makedev(d->major, d->minor),
                      d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, c->userns, err);
        if (r < 0)
            return error_wrap(err, "linux.devices[%zu]", i);
    }
    return 0;
}
