/* SPDX-License-Identifier: Apache-2.0 */
/* The vfs (plain copy) storage driver (storage.h). */
#include "image/storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define OPAQUE "trusted.overlay.opaque"

/* Hardlinks within one layer stay hardlinks: the first copy of an inode
 * is remembered by its path below the root. */
struct links {
    struct {
        dev_t dev;
        ino_t ino;
        char *path;
    } *v;
    size_t n, cap;
};

struct copy {
    int dst_root;
    struct links links;
    const char *what; /* the source, for messages ("layer sha256:1234abcd") */
};

static const char *link_find(struct links *l, const struct stat *st)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
            return l->v[i].path;
    return NULL;
}

static void link_add(struct links *l, const struct stat *st, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        void *v = realloc(l->v, cap * sizeof(*l->v));
        if (v == NULL)
            return;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].dev = st->st_dev;
    l->v[l->n].ino = st->st_ino;
    l->v[l->n].path = strdup(path);
    if (l->v[l->n].path)
        l->n++;
}

static void links_release(struct links *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    l->n = l->cap = 0;
    l->v = NULL;
}

/* xattrs of `src` (an fd, or a path for symlinks) onto `dst`, but not the
 * overlay's own. */
static int copy_xattrs(int src, int dst, const char *sp, const char *dp, const char *what,
                       struct error **err)
{
    char names[8192];
    ssize_t n = sp ? llistxattr(sp, names, sizeof(names)) : flistxattr(src, names, sizeof(names));
    if (n < 0)
        return errno == ENOTSUP ? 0 : error_errno(err, "`%s`: listing xattrs", what);
    for (char *k = names; k < names + n; k += strlen(k) + 1) {
        if (strncmp(k, "trusted.overlay.", 16) == 0)
            continue;
        char val[65536];
        ssize_t vl = sp ? lgetxattr(sp, k, val, sizeof(val)) : fgetxattr(src, k, val, sizeof(val));
        if (vl < 0)
            continue;
        int r = dp ? lsetxattr(dp, k, val, (size_t) vl, 0) : fsetxattr(dst, k, val, (size_t) vl, 0);
        if (r < 0 && errno != ENOTSUP && errno != EPERM)
            return error_errno(err, "`%s`: setting xattr %s", what, k);
    }
    return 0;
}

static int copy_meta(int srcdir, int dstdir, const char *name, const struct stat *st, int sfd,
                     int dfd, const char *what, struct error **err)
{
    bool lnk = S_ISLNK(st->st_mode);
    if ((dfd >= 0 ? fchown(dfd, st->st_uid, st->st_gid)
                  : fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW)) < 0)
        return error_errno(err, "`%s`: chown", what);
    if (!lnk && (dfd >= 0 ? fchmod(dfd, st->st_mode & 07777)
                          : fchmodat(dstdir, name, st->st_mode & 07777, 0)) < 0)
        return error_errno(err, "`%s`: chmod", what);
    char sp[300], dp[300];
    snprintf(sp, sizeof(sp), "/proc/self/fd/%d/%s", srcdir, name);
    snprintf(dp, sizeof(dp), "/proc/self/fd/%d/%s", dstdir, name);
    int r = copy_xattrs(sfd, dfd, sfd >= 0 ? NULL : sp, dfd >= 0 ? NULL : dp, what, err);
    if (r < 0)
        return r;
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if ((dfd >= 0 ? futimens(dfd, ts) : utimensat(dstdir, name, ts, AT_SYMLINK_NOFOLLOW)) < 0)
        return error_errno(err, "`%s`: setting times", what);
    return 0;
}

static int copy_data(int sfd, int dfd, off_t size, const char *what, struct error **err)
{
    off_t left = size;
    while (left > 0) {
        ssize_t n = copy_file_range(sfd, NULL, dfd, NULL, (size_t) left, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
            char buf[65536];
            n = read(sfd, buf, sizeof(buf));
            if (n > 0 && write(dfd, buf, (size_t) n) != n)
                n = -1;
        }
        if (n < 0)
            return error_errno(err, "copying `%s`", what);
        if (n == 0)
            break;
        left -= n;
    }
    return 0;
}

static int remove_entry(int dir, const char *name, struct error **err)
{
    if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
        return 0;
    return fs_remove_tree(dir, name, err);
}

static int copy_tree(struct copy *c, int src, int dst, const char *rel, struct error **err);

static int copy_one(struct copy *c, int src, int dst, const char *name, const char *rel,
                    struct error **err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", name);
    struct stat st, cur;
    if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno(err, "%s: `%s`", c->what, path);
    bool exists = fstatat(dst, name, &cur, AT_SYMLINK_NOFOLLOW) == 0;
    int r;
    /* A whiteout deletes what lower layers had. */
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
        return exists ? remove_entry(dst, name, err) : 0;
    if (S_ISDIR(st.st_mode)) {
        cleanup_close int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0)
            return error_errno(err, "%s: `%s`", c->what, path);
        char v[4];
        bool opaque = fgetxattr(s, OPAQUE, v, sizeof(v)) == 1 && v[0] == 'y';
        if (exists && (!S_ISDIR(cur.st_mode) || opaque)) {
            if ((r = remove_entry(dst, name, err)) < 0)
                return r;
            exists = false;
        }
        if (!exists && mkdirat(dst, name, 0700) < 0)
            return error_errno(err, "making `%s`", path);
        cleanup_close int d = fs_openat2(dst, name, O_RDONLY | O_DIRECTORY, 0,
                                         RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (d < 0)
            return error_errno(err, "opening `%s`", path);
        if ((r = copy_tree(c, fcntl(s, F_DUPFD_CLOEXEC, 3), d, path, err)) < 0)
            return r;
        return copy_meta(src, dst, name, &st, s, d, path, err);
    }
    if (exists && (r = remove_entry(dst, name, err)) < 0)
        return r;
    const char *first = st.st_nlink > 1 ? link_find(&c->links, &st) : NULL;
    if (first)
        return linkat(c->dst_root, first, dst, name, 0) < 0
                   ? error_errno(err, "linking `%s` to `%s`", path, first)
                   : 0;
    if (S_ISREG(st.st_mode)) {
        cleanup_close int s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int d =
            openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (s < 0 || d < 0)
            return error_errno(err, "copying `%s`", path);
        if ((r = copy_data(s, d, st.st_size, path, err)) < 0 ||
            (r = copy_meta(src, dst, name, &st, s, d, path, err)) < 0)
            return r;
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
        if (n < 0)
            return error_errno(err, "reading symlink `%s`", path);
        target[n] = '\0';
        if (symlinkat(target, dst, name) < 0)
            return error_errno(err, "making symlink `%s`", path);
        if ((r = copy_meta(src, dst, name, &st, -1, -1, path, err)) < 0)
            return r;
    } else {
        if (mknodat(dst, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
            return error_errno(err, "making `%s`", path);
        if ((r = copy_meta(src, dst, name, &st, -1, -1, path, err)) < 0)
            return r;
    }
    if (st.st_nlink > 1)
        link_add(&c->links, &st, path);
    return 0;
}

/* Apply the directory `src` (consumed) onto `dst`. */
static int copy_tree(struct copy *c, int src, int dst, const char *rel, struct error **err)
{
    cleanup_closedir DIR *d = fdopendir(src);
    if (d == NULL) {
        close_keep_errno(src);
        return error_errno(err, "reading %s", c->what);
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int r = copy_one(c, dirfd(d), dst, de->d_name, rel, err);
        if (r < 0)
            return r;
    }
    return 0;
}

int storage_copy_dir(int src, int dst, const char *what, struct error **err)
{
    int s = fcntl(src, F_DUPFD_CLOEXEC, 3);
    if (s < 0)
        return error_errno(err, "copying `%s`", what);
    struct copy c = {.dst_root = dst, .what = what};
    int r = copy_tree(&c, s, dst, "", err);
    links_release(&c.links);
    return r;
}

static int vfs_create(struct store *s, int cdirfd, char *const *all, size_t n_all,
                      struct error **err)
{
    cleanup_free const char **layers = calloc(n_all + 1, sizeof(*layers));
    if (layers == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t n = storage_unique_layers(all, n_all, layers);
    if (mkdirat(cdirfd, STORAGE_ROOTFS, 0755) < 0 && errno != EEXIST)
        return error_errno(err, "making the container's root");
    cleanup_close int root = openat(cdirfd, STORAGE_ROOTFS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return error_errno(err, "opening the container's root");
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *p = store_layer_path(s, layers[i]);
        int src = p ? open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (src < 0)
            return error_errno(err, "layer %s", layers[i]);
        char what[32];
        snprintf(what, sizeof(what), "layer %.19s", layers[i]);
        struct copy c = {.dst_root = root, .what = what};
        int r = copy_tree(&c, src, root, "", err);
        links_release(&c.links);
        if (r < 0)
            return error_wrap(err, "copying layer %zu of %zu", i + 1, n);
    }
    return 0;
}

static int vfs_probe(struct store *s, const struct storage_opts *o, struct error **err)
{
    return 0;
}

static int vfs_mount(struct store *s, int cdirfd, const char *cdir, char *const *layers,
                     size_t n, const struct storage_opts *o, struct error **err)
{
    return 0; /* the copy is the root */
}

static int vfs_unmount(int cdirfd, const char *cdir, struct error **err)
{
    return 0;
}

static int vfs_usage(int cdirfd, uint64_t *ret, struct error **err)
{
    return storage_du(cdirfd, STORAGE_ROOTFS, ret, err);
}

const struct storage_driver storage_vfs = {
    .name = "vfs",
    .probe = vfs_probe,
    .create = vfs_create,
    .mount = vfs_mount,
    .unmount = vfs_unmount,
    .usage = vfs_usage,
};
