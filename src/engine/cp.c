/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/cp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/libarchive.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_DEPTH 256
#define IN_ROOT   (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* Where a copy writes: a directory fd and whether owners are kept. */
struct sink {
    bool keep_owner;
    struct archive *tar; /* writing a tar stream instead */
};

/* ---- the container's root --------------------------------------------------------- */

struct croot {
    int fd;
    int lock;        /* held while a stopped container's root is mounted for us */
    bool mounted;
};

static int croot_open(struct engine *e, const struct engine_container *c, struct croot *ret,
                      struct error **err)
{
    *ret = (struct croot) {.fd = -1, .lock = -1};
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (st.pid > 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", (int) st.pid);
        ret->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ret->fd < 0)
            return error_errno(err, "opening the root of container %.12s", c->id);
        return 0;
    }
    /* Stopped: its root is mounted for the copy, and it stays stopped
     * meanwhile (start takes the same lock). */
    struct engine_container *copy = NULL;
    int r = engine_container_read(e, c->id, &copy, err);
    if (r == 0)
        r = engine_container_lock(e, copy, &ret->lock, err);
    if (r == 0)
        r = engine_container_mount(e, copy, err);
    engine_container_free(copy);
    if (r < 0)
        return r;
    ret->mounted = true;
    cleanup_close int cdir = engine_container_open_dir(e, c->id);
    ret->fd = cdir < 0 ? -1 : openat(cdir, STORAGE_ROOTFS, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ret->fd < 0)
        return error_errno(err, "opening the root of container %.12s", c->id);
    return 0;
}

static void croot_close(struct engine *e, const struct engine_container *c, struct croot *r)
{
    close_keep_errno(r->fd);
    if (r->mounted)
        engine_container_unmount(e, c, NULL);
    close_keep_errno(r->lock);
}

/* ---- writing one node ------------------------------------------------------------ */

/* Bytes for a regular file: an fd, or the tar entry being read. */
struct source {
    int fd;
    struct archive *tar;
};

static int copy_data(const struct source *s, int out, const char *what, struct error **err)
{
    char buf[65536];
    for (;;) {
        ssize_t n = s->tar ? archive_read_data(s->tar, buf, sizeof(buf)) : read(s->fd, buf, sizeof(buf));
        if (n < 0 && !s->tar && errno == EINTR)
            continue;
        if (n < 0)
            return s->tar ? error_new(err, EIO, "reading `%s` from the tar stream: %s", what,
                                      archive_error_string(s->tar))
                          : error_errno(err, "reading `%s`", what);
        if (n == 0)
            return 0;
        int r = fs_write_all(out, buf, (size_t) n);
        if (r < 0)
            return error_errnum(err, -r, "writing `%s`", what);
    }
}

/* Make room for `name` in `dir`: what is there goes, unless it is a
 * directory and a directory comes (then it is merged). */
static int clear(int dir, const char *name, bool dir_comes, bool *ret_merge, struct error **err)
{
    struct stat st;
    *ret_merge = false;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : error_errno(err, "`%s`", name);
    if (S_ISDIR(st.st_mode)) {
        if (dir_comes) {
            *ret_merge = true;
            return 0;
        }
        return error_new(err, EISDIR, "cannot overwrite the directory `%s` with a non-directory",
                         name);
    }
    if (unlinkat(dir, name, 0) < 0)
        return error_errno(err, "replacing `%s`", name);
    return 0;
}

/* Owner (with keep_owner), mode and times of `name` in `dir` (through
 * `fd` when there is one) as in `st`. */
static int finish_meta(int dir, const char *name, int fd, const struct stat *st,
                       const struct sink *k, struct error **err)
{
    int r = 0;
    if (k->keep_owner)
        r = fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
                    : fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
    if (r < 0)
        return error_errno(err, "setting the owner of `%s`", name);
    if (!S_ISLNK(st->st_mode) &&
        (fd >= 0 ? fchmod(fd, st->st_mode & 07777) : fchmodat(dir, name, st->st_mode & 07777, 0)) <
            0)
        return error_errno(err, "setting the mode of `%s`", name);
    struct timespec t[2] = {st->st_atim, st->st_mtim};
    if ((fd >= 0 ? futimens(fd, t) : utimensat(dir, name, t, AT_SYMLINK_NOFOLLOW)) < 0)
        return error_errno(err, "setting the times of `%s`", name);
    return 0;
}

/* A non-directory `name` in `dir`, like `st`; data from `src`, or the
 * link's target. */
static int put_leaf(int dir, const char *name, const struct stat *st, const char *target,
                    const struct source *src, const struct sink *k, struct error **err)
{
    bool merge;
    int r = clear(dir, name, false, &merge, err);
    if (r < 0)
        return r;
    if (S_ISREG(st->st_mode)) {
        cleanup_close int out =
            openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
            return error_errno(err, "creating `%s`", name);
        if ((r = copy_data(src, out, name, err)) < 0)
            return r;
        return finish_meta(dir, name, out, st, k, err);
    }
    if (S_ISLNK(st->st_mode)) {
        if (symlinkat(target, dir, name) < 0)
            return error_errno(err, "creating the symlink `%s`", name);
    } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode)) {
        if (mknodat(dir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0)
            return error_errno(err, "creating `%s`", name);
    } else {
        return 0; /* sockets are not copied */
    }
    return finish_meta(dir, name, -1, st, k, err);
}

/* ---- walking a source tree ---------------------------------------------------------- */

static int put_node(int node, const char *name, const char *tar_name, int dst, const struct sink *k,
                    int depth, struct error **err);

/* The directory `node` (an fd of it) as `name` in dst. */
static int put_dir(int node, const struct stat *st, const char *name, const char *tar_name,
                   int dst, const struct sink *k, int depth, struct error **err)
{
    char self[32];
    cleanup_close int rd = open(fs_fd_path(node, self, sizeof(self)),
                                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rd < 0)
        return error_errno(err, "reading the directory `%s`", name);
    cleanup_close int out = -1;
    if (k->tar == NULL) {
        bool merge;
        int r = clear(dst, name, true, &merge, err);
        if (r < 0)
            return r;
        if (!merge && mkdirat(dst, name, 0700) < 0)
            return error_errno(err, "creating the directory `%s`", name);
        out = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (out < 0)
            return error_errno(err, "opening the directory `%s`", name);
    }
    DIR *d = fdopendir(dup(rd));
    if (d == NULL)
        return error_errno(err, "reading the directory `%s`", name);
    struct dirent *de;
    int r = 0;
    while (r == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        cleanup_close int child = openat(rd, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
            r = error_errno(err, "`%s/%s`", name, de->d_name);
            break;
        }
        cleanup_free char *tn = NULL;
        if (k->tar && asprintf(&tn, "%s/%s", tar_name, de->d_name) < 0) {
            r = error_new(err, ENOMEM, "out of memory");
            break;
        }
        r = put_node(child, de->d_name, tn, out, k, depth + 1, err);
    }
    closedir(d);
    if (r == 0 && out >= 0)
        r = finish_meta(dst, name, out, st, k, err);
    return r;
}

static int tar_node(int node, const struct stat *st, const char *tar_name, const char *target,
                    const struct sink *k, struct error **err)
{
    struct archive_entry *ae = archive_entry_new();
    if (ae == NULL)
        return error_new(err, ENOMEM, "out of memory");
    archive_entry_copy_stat(ae, st);
    archive_entry_set_pathname(ae, tar_name);
    if (target)
        archive_entry_set_symlink(ae, target);
    if (!S_ISREG(st->st_mode))
        archive_entry_set_size(ae, 0);
    int r = 0;
    if (archive_write_header(k->tar, ae) != ARCHIVE_OK)
        r = error_new(err, EIO, "writing the tar stream: %s", archive_error_string(k->tar));
    if (r == 0 && S_ISREG(st->st_mode)) {
        char self[32], buf[65536];
        cleanup_close int in = open(fs_fd_path(node, self, sizeof(self)), O_RDONLY | O_CLOEXEC);
        if (in < 0)
            r = error_errno(err, "reading `%s`", tar_name);
        ssize_t n;
        while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0)
            if (archive_write_data(k->tar, buf, (size_t) n) < 0)
                r = error_new(err, EIO, "writing the tar stream: %s",
                              archive_error_string(k->tar));
    }
    archive_entry_free(ae);
    return r;
}

static int put_node(int node, const char *name, const char *tar_name, int dst, const struct sink *k,
                    int depth, struct error **err)
{
    if (depth > MAX_DEPTH)
        return error_new(err, ELOOP, "`%s`: more than %d directories deep", name, MAX_DEPTH);
    struct stat st;
    if (fstatat(node, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno(err, "`%s`", name);
    char target[4096] = "";
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(node, "", target, sizeof(target) - 1);
        if (n < 0)
            return error_errno(err, "reading the symlink `%s`", name);
        target[n] = '\0';
    }
    if (k->tar) {
        int r = tar_node(node, &st, tar_name, S_ISLNK(st.st_mode) ? target : NULL, k, err);
        if (r < 0 || !S_ISDIR(st.st_mode))
            return r;
        return put_dir(node, &st, name, tar_name, -1, k, depth, err);
    }
    if (S_ISDIR(st.st_mode))
        return put_dir(node, &st, name, NULL, dst, k, depth, err);
    char self[32];
    cleanup_close int in = -1;
    if (S_ISREG(st.st_mode) &&
        (in = open(fs_fd_path(node, self, sizeof(self)), O_RDONLY | O_CLOEXEC)) < 0)
        return error_errno(err, "reading `%s`", name);
    struct source src = {.fd = in};
    return put_leaf(dst, name, &st, target, &src, k, err);
}

/* ---- tar streams in ------------------------------------------------------------------- */

/* The directory of a tar entry's name below `top`, made as needed, never
 * through a symlink. */
static int entry_parent(int top, char *path, char **ret_name, struct error **err)
{
    int dir = dup(top);
    char *save = NULL, *next;
    char *part = strtok_r(path, "/", &save);
    while (part && (next = strtok_r(NULL, "/", &save)) != NULL) {
        if (strcmp(part, ".") != 0) {
            if (mkdirat(dir, part, 0755) < 0 && errno != EEXIST) {
                close(dir);
                return error_errno(err, "creating `%s`", part);
            }
            int sub = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            close(dir);
            if (sub < 0)
                return error_errno(err, "`%s` (a symlink is not followed)", part);
            dir = sub;
        }
        part = next;
    }
    *ret_name = part;
    return dir;
}

static int untar(struct archive *a, int top, const struct sink *k, struct error **err)
{
    struct archive_entry *ae;
    int r;
    while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
        const char *raw = archive_entry_pathname(ae);
        cleanup_free char *path = raw ? fs_path_clean(raw) : NULL;
        if (path == NULL)
            return error_new(err, ENOMEM, "out of memory");
        if (raw && (strstr(raw, "../") || strcmp(raw, "..") == 0 ||
                    (strlen(raw) >= 3 && strcmp(raw + strlen(raw) - 3, "/..") == 0)))
            return error_new(err, EPERM, "tar stream: `%s` climbs out of the destination", raw);
        if (strcmp(path, "/") == 0)
            continue;
        char *name = NULL;
        cleanup_close int dir = entry_parent(top, path + 1, &name, err);
        if (dir < 0)
            return dir;
        struct stat st = *archive_entry_stat(ae);
        const char *hard = archive_entry_hardlink(ae);
        if (hard) {
            cleanup_free char *hp = fs_path_clean(hard);
            cleanup_close int t = hp ? fs_openat2(top, hp + 1, O_PATH | O_CLOEXEC,
                                                  0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
                                     : -1;
            bool merge;
            if (t < 0 || clear(dir, name, false, &merge, err) < 0 ||
                linkat(t, "", dir, name, AT_EMPTY_PATH) < 0)
                return error_errno(err, "tar stream: the hard link `%s` to `%s`", raw, hard);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            bool merge;
            if (clear(dir, name, true, &merge, err) < 0)
                return -1;
            if (!merge && mkdirat(dir, name, 0700) < 0)
                return error_errno(err, "creating the directory `%s`", raw);
            if ((r = finish_meta(dir, name, -1, &st, k, err)) < 0)
                return r;
            continue;
        }
        struct source src = {.tar = a};
        const char *target = archive_entry_symlink(ae);
        if ((r = put_leaf(dir, name, &st, target ? target : "", &src, k, err)) < 0)
            return r;
    }
    if (r != ARCHIVE_EOF)
        return error_new(err, EIO, "reading the tar stream: %s", archive_error_string(a));
    return 0;
}

/* ---- where things are ----------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* An O_PATH fd of `path` in the container (rootfd) or on the host (-1);
 * the last component is followed only with `follow`. */
static int open_path(int rootfd, const char *path, bool follow)
{
    if (rootfd >= 0) {
        cleanup_free char *clean = fs_path_clean(path);
        if (clean == NULL)
            return -ENOMEM;
        int fd = fs_openat2(rootfd, clean[1] ? clean + 1 : ".",
                            O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0, IN_ROOT);
        return fd < 0 ? -errno : fd;
    }
    int fd = open(path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    return fd < 0 ? -errno : fd;
}

/* Split `path` into its directory (an O_PATH fd, in the root or on the
 * host) and its last component (*ret_base, malloc'd). */
static int open_parent(int rootfd, const char *path, char **ret_base, struct error **err)
{
    cleanup_free char *a = strdup(path), *b = strdup(path);
    if (a == NULL || b == NULL)
        return error_new(err, ENOMEM, "out of memory");
    while (strlen(a) > 1 && a[strlen(a) - 1] == '/')
        a[strlen(a) - 1] = b[strlen(b) - 1] = '\0';
    char *base = basename(a);
    const char *dir = dirname(b);
    int fd = open_path(rootfd, dir, true);
    if (fd < 0)
        return error_errnum(err, -fd, "`%s`", dir);
    if ((*ret_base = strdup(base)) == NULL) {
        close(fd);
        return error_new(err, ENOMEM, "out of memory");
    }
    return fd;
}

/* The destination of a copy of `src_is_dir` (contents only: `contents`)
 * named `src_base`: the directory to write in and the name to write. */
static int destination(int rootfd, const char *dest, bool src_is_dir, bool contents,
                       const char *src_base, int *ret_dir, char **ret_name, struct error **err)
{
    cleanup_close int fd = open_path(rootfd, dest, true);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (src_is_dir && contents) {
            /* "DIR/." onto a directory: merged into it. */
            int parent = open_parent(rootfd, dest, ret_name, err);
            if (parent < 0)
                return parent;
            *ret_dir = parent;
            return 0;
        }
        if ((*ret_name = strdup(src_base)) == NULL)
            return error_new(err, ENOMEM, "out of memory");
        *ret_dir = steal_fd(&fd);
        return 0;
    }
    if (fd >= 0 && src_is_dir)
        return error_new(err, ENOTDIR, "cannot copy a directory onto the file `%s`", dest);
    if (fd < 0 && fd != -ENOENT)
        return error_errnum(err, -fd, "`%s`", dest);
    if (fd < 0 && !src_is_dir && ends_with(dest, "/"))
        return error_new(err, ENOENT, "the destination directory `%s` must exist", dest);
    int parent = open_parent(rootfd, dest, ret_name, err);
    if (parent < 0)
        return parent;
    *ret_dir = parent;
    return 0;
}

/* Copy the node at src (in `src_root`, or the host) to dest (in
 * `dst_root`, or the host). */
static int copy(int src_root, const char *src, int dst_root, const char *dest,
                const struct cp_opts *o, bool keep_owner, struct error **err)
{
    bool contents = ends_with(src, "/.") || strcmp(src, ".") == 0;
    cleanup_close int node = open_path(src_root, src, o->follow || ends_with(src, "/") || contents);
    if (node < 0)
        return error_errnum(err, -node, "`%s`", src);
    struct stat st;
    if (fstatat(node, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno(err, "`%s`", src);
    if ((ends_with(src, "/") || contents) && !S_ISDIR(st.st_mode))
        return error_new(err, ENOTDIR, "`%s` is not a directory", src);
    cleanup_free char *base = NULL;
    cleanup_close int pdir = open_parent(src_root, src, &base, err);
    if (pdir < 0)
        return pdir;
    if (strcmp(base, "/") == 0 || strcmp(base, ".") == 0) {
        free(base);
        base = strdup("rootfs");
    }
    struct sink k = {.keep_owner = keep_owner};
    if (dest == NULL) {
        /* A tar stream out. */
        int r = libarchive_load(err);
        if (r < 0)
            return r;
        k.tar = archive_write_new();
        if (k.tar == NULL || archive_write_set_format_pax_restricted(k.tar) != ARCHIVE_OK ||
            archive_write_open_fd(k.tar, o->stream_fd) != ARCHIVE_OK)
            return error_new(err, EIO, "writing a tar stream");
        r = put_node(node, base, contents ? "." : base, -1, &k, 0, err);
        if (archive_write_close(k.tar) != ARCHIVE_OK && r == 0)
            r = error_new(err, EIO, "writing the tar stream: %s", archive_error_string(k.tar));
        archive_write_free(k.tar);
        return r;
    }
    int dir = -1;
    cleanup_free char *name = NULL;
    int r = destination(dst_root, dest, S_ISDIR(st.st_mode), contents, base, &dir, &name, err);
    if (r < 0)
        return r;
    cleanup_close int dfd = dir;
    return put_node(node, name, NULL, dfd, &k, 0, err);
}

int engine_cp_out(struct engine *e, const struct engine_container *c, const char *src,
                  const char *dest, const struct cp_opts *o, struct error **err)
{
    struct croot root;
    int r = croot_open(e, c, &root, err);
    if (r == 0)
        r = copy(root.fd, src, -1, strcmp(dest, "-") == 0 ? NULL : dest, o, o->archive, err);
    croot_close(e, c, &root);
    return r < 0 ? error_wrap(err, "copying from container %.12s", c->id) : 0;
}

int engine_cp_in(struct engine *e, const struct engine_container *c, const char *src,
                 const char *dest, const struct cp_opts *o, struct error **err)
{
    struct croot root;
    int r = croot_open(e, c, &root, err);
    if (r == 0 && strcmp(src, "-") == 0) {
        /* A tar stream into a directory of the container. */
        cleanup_close int top = open_path(root.fd, dest, true);
        struct stat st;
        if (top < 0 || fstat(top, &st) < 0 || !S_ISDIR(st.st_mode)) {
            r = error_new(err, ENOTDIR, "the destination `%s` must be a directory", dest);
        } else if ((r = libarchive_load(err)) == 0) {
            /* A tar, plain or compressed as docker's archive API takes it
             * (not filter_all: some of its filters run outside programs). */
            struct archive *a = archive_read_new();
            if (a != NULL) {
                archive_read_support_format_tar(a);
                archive_read_support_filter_gzip(a);
                archive_read_support_filter_bzip2(a);
                archive_read_support_filter_xz(a);
                archive_read_support_filter_zstd(a);
            }
            if (a == NULL)
                r = error_new(err, ENOMEM, "reading the tar stream");
            else if (archive_read_open_fd(a, o->stream_fd, 65536) != ARCHIVE_OK)
                r = error_new(err, EIO, "reading the tar stream: %s", archive_error_string(a));
            else
                r = untar(a, top, &(struct sink) {.keep_owner = true}, err);
            if (a != NULL)
                archive_read_free(a);
        }
    } else if (r == 0) {
        /* Not -a: what is copied in belongs to root (we make it). */
        r = copy(-1, src, root.fd, dest, o, o->archive, err);
    }
    croot_close(e, c, &root);
    return r < 0 ? error_wrap(err, "copying into container %.12s", c->id) : 0;
}
