/* SPDX-License-Identifier: Apache-2.0 */
#include "image/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/libarchive.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META   ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define OVERLAY_OPAQUE  "trusted.overlay.opaque"

/* Files at least this large have their writeback started as soon as they
 * are written (a hint: the sync before an image record then finds less to
 * write).  Smaller ones are left to that sync, which writes them in
 * batches: one sync_file_range(2) per small file costs more than it saves. */
#define WRITEBACK_MIN (1u << 20)

/* Every lookup below the layer root: no symlink, no magic link, no other
 * file system, never above the root. */
#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

void unpack_limits_default(struct unpack_limits *ret)
{
    ret->max_entries = UNPACK_DEFAULT_MAX_ENTRIES;
    ret->max_bytes = UNPACK_DEFAULT_MAX_BYTES;
    ret->max_path = 4096;
    ret->max_xattrs = 128;
    ret->max_xattr_bytes = 1u << 20;
}

struct dir_time {
    char *path;
    struct timespec ts[2];
};

struct unpacker {
    int root;
    const struct unpack_limits *lim;
    const char *what;
    struct unpack_stats stats;
    /* The parent directory of the last entry, kept open: entries come
     * grouped by directory. */
    char *cached;
    int cached_fd;
    /* Directories get their times at the end (their children change them). */
    struct dir_time *dirs;
    size_t n_dirs, cap_dirs;
};

static void drop_cache(struct unpacker *u)
{
    free(u->cached);
    u->cached = NULL;
    close_keep_errno(u->cached_fd);
    u->cached_fd = -1;
}

/* Clean an entry name into `out`: no leading "/" or "./", no empty or "."
 * components, no trailing "/".  `..` is refused.  "" is the layer root. */
static int clean_name(struct unpacker *u, const char *raw, const char *kind, char **ret,
                      struct error **err)
{
    size_t n = strlen(raw);
    if (n > u->lim->max_path)
        return error_new(err, ENAMETOOLONG, "%s: %s `%.64s...` is longer than %zu bytes",
                         u->what, kind, raw, u->lim->max_path);
    char *out = malloc(n + 1);
    if (out == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t o = 0;
    for (const char *p = raw; *p;) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t len = (size_t) (end - p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            return error_new(err, EINVAL, "%s: %s `%s`: `..` is not allowed in a layer", u->what,
                             kind, raw);
        }
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p = end;
    }
    out[o] = '\0';
    *ret = out;
    return 0;
}

/* Open (making what is missing of) the directory `dir` below the root. */
static int open_dir(struct unpacker *u, const char *dir, bool create, int *ret_fd,
                    struct error **err)
{
    if (*dir == '\0') {
        int fd = fcntl(u->root, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return error_errno(err, "%s: duplicating the layer's fd", u->what);
        *ret_fd = fd;
        return 0;
    }
    int fd = fs_openat2(u->root, dir, O_PATH | O_DIRECTORY, 0, BENEATH);
    if (fd >= 0) {
        *ret_fd = fd;
        return 0;
    }
    if (errno != ENOENT || !create) {
        if (errno == ELOOP || errno == EXDEV)
            return error_new(err, ELOOP,
                             "%s: `%s` goes through a symlink of this layer; refusing to write "
                             "through it",
                             u->what, dir);
        if (errno == ENOTDIR)
            return error_new(err, ENOTDIR, "%s: `%s`: a parent is not a directory", u->what, dir);
        return error_errno(err, "%s: opening `%s`", u->what, dir);
    }
    /* Make the missing ones, one component at a time. */
    cleanup_free char *copy = strdup(dir);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int cur = fcntl(u->root, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return error_errno(err, "%s: duplicating the layer's fd", u->what);
    for (char *p = copy; *p;) {
        char *end = strchrnul(p, '/');
        bool last = *end == '\0';
        *end = '\0';
        int next = fs_openat2(cur, p, O_PATH | O_DIRECTORY, 0, BENEATH);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
                return error_errno(err, "%s: making directory `%s`", u->what, dir);
            next = fs_openat2(cur, p, O_PATH | O_DIRECTORY, 0, BENEATH);
        }
        if (next < 0) {
            if (errno == ELOOP || errno == ENOTDIR)
                return error_new(err, errno,
                                 "%s: `%s`: `%s` is a symlink or a file of this layer; refusing "
                                 "to write through it",
                                 u->what, dir, p);
            return error_errno(err, "%s: opening `%s`", u->what, dir);
        }
        close(cur);
        cur = next;
        if (last)
            break;
        *end = '/';
        p = end + 1;
    }
    *ret_fd = steal_fd(&cur);
    return 0;
}

/* The parent of `name` (cached) and a pointer to its last component. */
static int parent_of(struct unpacker *u, char *name, int *ret_fd, const char **ret_base,
                     struct error **err)
{
    char *slash = strrchr(name, '/');
    const char *dir = "";
    if (slash) {
        *slash = '\0';
        dir = name;
    }
    *ret_base = slash ? slash + 1 : name;
    if (u->cached && strcmp(u->cached, dir) == 0) {
        if (slash)
            *slash = '/';
        *ret_fd = u->cached_fd;
        return 0;
    }
    drop_cache(u);
    int fd, r = open_dir(u, dir, true, &fd, err);
    if (r == 0) {
        u->cached = strdup(dir);
        u->cached_fd = fd;
        if (u->cached == NULL) {
            drop_cache(u);
            r = error_new(err, ENOMEM, "out of memory");
        }
    }
    if (slash)
        *slash = '/';
    *ret_fd = u->cached_fd;
    return r;
}

/* Make room for a new entry `base` in `pfd`: an existing directory stays
 * when the new entry is one too (its contents merge, as tar does). */
static int make_room(struct unpacker *u, int pfd, const char *base, bool new_is_dir,
                     const char *name, struct error **err)
{
    struct stat st;
    if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return error_errno(err, "%s: `%s`", u->what, name);
    }
    if (S_ISDIR(st.st_mode)) {
        if (new_is_dir)
            return 1;
        /* The cached fd may be below it: forget it. */
        int dfd = fcntl(pfd, F_DUPFD_CLOEXEC, 3);
        drop_cache(u);
        int r = fs_remove_tree(dfd, base, err);
        close(dfd);
        return r < 0 ? error_wrap(err, "%s: replacing `%s`", u->what, name) : 0;
    }
    if (unlinkat(pfd, base, 0) < 0)
        return error_errno(err, "%s: replacing `%s`", u->what, name);
    return 0;
}

static int set_xattr(int fd, int pfd, const char *base, const char *key, const void *val,
                     size_t len)
{
    if (fd >= 0)
        return fsetxattr(fd, key, val, len, 0);
    char path[64 + 256];
    snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", pfd, base);
    return lsetxattr(path, key, val, len, 0);
}

static int apply_xattrs(struct unpacker *u, struct archive_entry *e, int fd, int pfd,
                        const char *base, const char *name, struct error **err)
{
    size_t count = 0, bytes = 0;
    const char *key;
    const void *val;
    size_t len;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &key, &val, &len) == ARCHIVE_OK) {
        if (++count > u->lim->max_xattrs)
            return error_new(err, E2BIG, "%s: `%s`: more than %zu xattrs", u->what, name,
                             u->lim->max_xattrs);
        bytes += strlen(key) + len;
        if (bytes > u->lim->max_xattr_bytes)
            return error_new(err, E2BIG, "%s: `%s`: xattrs larger than %zu bytes", u->what, name,
                             u->lim->max_xattr_bytes);
        if (strncmp(key, "trusted.overlay.", 16) == 0 || strncmp(key, "user.overlay.", 13) == 0) {
            log_debug("%s: `%s`: dropping xattr %s (overlay metadata)", u->what, name, key);
            continue;
        }
        if (set_xattr(fd, pfd, base, key, val, len) < 0) {
            /* An xattr this file system cannot hold (security.selinux without
             * SELinux, user.* on a symlink) is not the layer's fault. */
            if ((errno == ENOTSUP || errno == EPERM) && strcmp(key, "security.capability") != 0) {
                log_debug("%s: `%s`: xattr %s not kept: %s", u->what, name, key,
                          strerror(errno));
                continue;
            }
            return error_errno(err, "%s: `%s`: setting xattr %s", u->what, name, key);
        }
    }
    return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
        ts[0].tv_sec = archive_entry_atime(e);
        ts[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
        ts[0] = ts[1];
    }
}

/* Owner, then mode (chown clears setuid bits), then xattrs (chown clears
 * security.capability), then times. */
static int apply_meta(struct unpacker *u, struct archive_entry *e, int fd, int pfd,
                      const char *base, const char *name, bool is_link, struct error **err)
{
    uid_t uid = (uid_t) archive_entry_uid(e);
    gid_t gid = (gid_t) archive_entry_gid(e);
    int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r < 0)
        return error_errno(err, "%s: `%s`: chown to %u:%u", u->what, name, (unsigned) uid,
                           (unsigned) gid);
    if (!is_link) {
        mode_t mode = archive_entry_perm(e) & 07777;
        r = fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, base, mode, 0);
        if (r < 0)
            return error_errno(err, "%s: `%s`: chmod %04o", u->what, name, (unsigned) mode);
    }
    if ((r = apply_xattrs(u, e, fd, pfd, base, name, err)) < 0)
        return r;
    struct timespec ts[2];
    entry_times(e, ts);
    r = fd >= 0 ? futimens(fd, ts) : utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
    if (r < 0)
        return error_errno(err, "%s: `%s`: setting times", u->what, name);
    return 0;
}

static int write_data(struct unpacker *u, struct archive *a, int fd, const char *name,
                      int64_t size, struct error **err)
{
    const void *buf;
    size_t len;
    la_int64_t off;
    uint64_t end = 0; /* the file's size so far */
    for (;;) {
        int r = archive_read_data_block(a, &buf, &len, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return error_new(err, EIO, "%s: reading `%s`: %s", u->what, name,
                             archive_error_string(a));
        if (off < 0 || (uint64_t) off + len > (uint64_t) size)
            return error_new(err, EINVAL, "%s: `%s`: data beyond its declared size", u->what,
                             name);
        if ((uint64_t) off + len > end)
            end = (uint64_t) off + len;
        const char *p = buf;
        while (len > 0) {
            ssize_t w = pwrite(fd, p, len, off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return error_errno(err, "%s: writing `%s`", u->what, name);
            p += w;
            off += w;
            len -= (size_t) w;
        }
    }
    /* Sparse files end in a hole: the size comes from the header. */
    if (end < (uint64_t) size && ftruncate(fd, size) < 0)
        return error_errno(err, "%s: `%s`: setting its size", u->what, name);
    if ((uint64_t) size >= WRITEBACK_MIN)
        sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    return 0;
}

/* Create `base` for a regular file: its permission bits from the start
 * (the scratch directory is the owner's alone), O_EXCL, never through a
 * symlink.  A name an earlier entry made is replaced. */
static int create_file(struct unpacker *u, int *pfd, const char **base, char *name, mode_t mode,
                       int *ret_fd, struct error **err)
{
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(*pfd, *base, flags, mode & 0777);
    if (fd < 0 && errno == EEXIST) {
        int r = make_room(u, *pfd, *base, false, name, err);
        if (r < 0)
            return r;
        if (u->cached_fd != *pfd && (r = parent_of(u, name, pfd, base, err)) < 0)
            return r;
        fd = openat(*pfd, *base, flags, mode & 0777);
    }
    if (fd < 0)
        return error_errno(err, "%s: creating `%s`", u->what, name);
    *ret_fd = fd;
    return 0;
}

/* A new regular file's owner and mode, then xattrs and times, as
 * apply_meta() does, without the chown or chmod that would change
 * nothing (the umask and the parent's setgid bit decide what the file got
 * at creation). */
static int regular_meta(struct unpacker *u, struct archive_entry *e, int fd, const char *name,
                        struct error **err)
{
    uid_t uid = (uid_t) archive_entry_uid(e);
    gid_t gid = (gid_t) archive_entry_gid(e);
    mode_t mode = archive_entry_perm(e) & 07777;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return error_errno(err, "%s: `%s`", u->what, name);
    if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
        return error_errno(err, "%s: `%s`: chown to %u:%u", u->what, name, (unsigned) uid,
                           (unsigned) gid);
    /* chown leaves the permission bits; it only clears setuid and setgid,
     * which a file made with `mode & 0777` does not have. */
    if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
        return error_errno(err, "%s: `%s`: chmod %04o", u->what, name, (unsigned) mode);
    int r = apply_xattrs(u, e, fd, -1, NULL, name, err);
    if (r < 0)
        return r;
    struct timespec ts[2];
    entry_times(e, ts);
    if (futimens(fd, ts) < 0)
        return error_errno(err, "%s: `%s`: setting times", u->what, name);
    return 0;
}

static int do_regular(struct unpacker *u, struct archive *a, struct archive_entry *e, int pfd,
                      const char *base, char *name, struct error **err)
{
    int64_t size = archive_entry_size(e);
    if (size < 0)
        size = 0;
    if ((uint64_t) size > u->lim->max_bytes - u->stats.content_bytes)
        return error_new(err, EFBIG,
                         "%s: `%s`: the layer's files add up to more than the limit of %llu bytes",
                         u->what, name, (unsigned long long) u->lim->max_bytes);
    u->stats.content_bytes += (uint64_t) size;
    cleanup_close int fd = -1;
    int r = create_file(u, &pfd, &base, name, archive_entry_perm(e), &fd, err);
    if (r < 0)
        return r;
    if ((r = write_data(u, a, fd, name, size, err)) < 0)
        return r;
    return regular_meta(u, e, fd, name, err);
}

static int remember_dir(struct unpacker *u, const char *name, struct archive_entry *e,
                        struct error **err)
{
    if (u->n_dirs == u->cap_dirs) {
        size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
        struct dir_time *d = realloc(u->dirs, cap * sizeof(*d));
        if (d == NULL)
            return error_new(err, ENOMEM, "out of memory");
        u->dirs = d;
        u->cap_dirs = cap;
    }
    struct dir_time *d = &u->dirs[u->n_dirs];
    if ((d->path = strdup(name)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    entry_times(e, d->ts);
    u->n_dirs++;
    return 0;
}

static int do_dir(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                  const char *name, struct error **err)
{
    cleanup_close int fd = -1;
    if (*name == '\0') {
        fd = fs_openat2(u->root, ".", O_RDONLY | O_DIRECTORY, 0, 0);
    } else {
        int r = make_room(u, pfd, base, true, name, err);
        if (r < 0)
            return r;
        if (r == 0 && mkdirat(pfd, base, 0700) < 0)
            return error_errno(err, "%s: making directory `%s`", u->what, name);
        fd = fs_openat2(pfd, base, O_RDONLY | O_DIRECTORY, 0, BENEATH);
    }
    if (fd < 0)
        return error_errno(err, "%s: opening directory `%s`", u->what, *name ? name : "/");
    uid_t uid = (uid_t) archive_entry_uid(e);
    gid_t gid = (gid_t) archive_entry_gid(e);
    mode_t mode = archive_entry_perm(e) & 07777;
    if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
        return error_errno(err, "%s: `%s`: setting owner and mode", u->what, name);
    int r = apply_xattrs(u, e, fd, -1, NULL, name, err);
    if (r < 0)
        return r;
    return remember_dir(u, name, e, err);
}

static int do_hardlink(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                       char *name, struct error **err)
{
    cleanup_free char *target = NULL;
    int r = clean_name(u, archive_entry_hardlink(e), "hardlink target", &target, err);
    if (r < 0)
        return r;
    char *slash = strrchr(target, '/');
    const char *tbase = slash ? slash + 1 : target;
    if (slash)
        *slash = '\0';
    cleanup_close int tdir = -1;
    cleanup_error struct error *e2 = NULL;
    if (*target == '\0' && !slash)
        return error_new(err, EINVAL, "%s: hardlink `%s` to the layer's root", u->what, name);
    if (open_dir(u, slash ? target : "", false, &tdir, &e2) < 0)
        return error_new(err, ENOENT,
                         "%s: hardlink `%s` -> `%s`: the target is not a file of this layer",
                         u->what, name, archive_entry_hardlink(e));
    struct stat st;
    if (fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
        return error_new(err, ENOENT,
                         "%s: hardlink `%s` -> `%s`: the target is not a file of this layer",
                         u->what, name, archive_entry_hardlink(e));
    if (slash)
        *slash = '/';
    /* A link to itself: nothing to do (GNU tar writes those for
     * duplicated names). */
    struct stat here;
    if (fstatat(pfd, base, &here, AT_SYMLINK_NOFOLLOW) == 0 && here.st_ino == st.st_ino &&
        here.st_dev == st.st_dev)
        return 0;
    if ((r = make_room(u, pfd, base, false, name, err)) < 0)
        return r;
    if (u->cached_fd != pfd && (r = parent_of(u, name, &pfd, &base, err)) < 0)
        return r;
    if (linkat(tdir, tbase, pfd, base, 0) < 0)
        return error_errno(err, "%s: hardlink `%s` -> `%s`", u->what, name,
                           archive_entry_hardlink(e));
    return 0;
}

static int do_special(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                      char *name, struct error **err)
{
    int r = make_room(u, pfd, base, false, name, err);
    if (r < 0)
        return r;
    if (u->cached_fd != pfd && (r = parent_of(u, name, &pfd, &base, err)) < 0)
        return r;
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(e);
        if (target == NULL || *target == '\0')
            return error_new(err, EINVAL, "%s: symlink `%s` without a target", u->what, name);
        if (strlen(target) > u->lim->max_path)
            return error_new(err, ENAMETOOLONG, "%s: symlink `%s`: target longer than %zu",
                             u->what, name, u->lim->max_path);
        if (symlinkat(target, pfd, base) < 0)
            return error_errno(err, "%s: making symlink `%s`", u->what, name);
        return apply_meta(u, e, -1, pfd, base, name, true, err);
    }
    dev_t dev = 0;
    mode_t kind = S_IFIFO;
    if (type == AE_IFCHR || type == AE_IFBLK) {
        kind = type == AE_IFCHR ? S_IFCHR : S_IFBLK;
        dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    }
    if (mknodat(pfd, base, kind | 0600, dev) < 0)
        return error_errno(err, "%s: making %s `%s`", u->what,
                           kind == S_IFIFO ? "fifo" : "device", name);
    return apply_meta(u, e, -1, pfd, base, name, false, err);
}

/* `.wh.NAME` or `.wh..wh..opq` in `pfd`. */
static int do_whiteout(struct unpacker *u, struct archive_entry *e, int pfd, const char *base,
                       char *name, struct error **err)
{
    if (strcmp(base, WHITEOUT_OPAQUE) == 0) {
        cleanup_close int d = fs_openat2(pfd, ".", O_RDONLY | O_DIRECTORY, 0, 0);
        if (d < 0 || fsetxattr(d, OVERLAY_OPAQUE, "y", 1, 0) < 0)
            return error_errno(err, "%s: `%s`: marking the directory opaque", u->what, name);
        return 0;
    }
    if (strncmp(base, WHITEOUT_META, sizeof(WHITEOUT_META) - 1) == 0)
        return 0; /* aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs) */
    const char *victim = base + sizeof(WHITEOUT_PREFIX) - 1;
    if (*victim == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
        return error_new(err, EINVAL, "%s: bad whiteout `%s`", u->what, name);
    int r = make_room(u, pfd, victim, false, name, err);
    if (r < 0)
        return r;
    if (u->cached_fd != pfd && (r = parent_of(u, name, &pfd, &base, err)) < 0)
        return r;
    if (mknodat(pfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0)
        return error_errno(err, "%s: making the whiteout for `%s`", u->what, name);
    if (fchownat(pfd, victim, (uid_t) archive_entry_uid(e), (gid_t) archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno(err, "%s: `%s`: chown", u->what, name);
    return 0;
}

static int do_entry(struct unpacker *u, struct archive *a, struct archive_entry *e,
                    struct error **err)
{
    const char *raw = archive_entry_pathname(e);
    if (raw == NULL)
        return error_new(err, EINVAL, "%s: an entry without a name", u->what);
    cleanup_free char *name = NULL;
    int r = clean_name(u, raw, "entry", &name, err);
    if (r < 0)
        return r;
    mode_t type = archive_entry_filetype(e);
    bool hardlink = archive_entry_hardlink(e) != NULL;
    if (*name == '\0') {
        if (type == AE_IFDIR && !hardlink)
            return do_dir(u, e, u->root, "", "", err);
        return error_new(err, EINVAL, "%s: entry `%s` would replace the layer's root", u->what,
                         raw);
    }
    int pfd;
    const char *base;
    if ((r = parent_of(u, name, &pfd, &base, err)) < 0)
        return r;
    if (strncmp(base, WHITEOUT_PREFIX, sizeof(WHITEOUT_PREFIX) - 1) == 0)
        return do_whiteout(u, e, pfd, base, name, err);
    if (hardlink)
        return do_hardlink(u, e, pfd, base, name, err);
    switch (type) {
    case AE_IFREG: return do_regular(u, a, e, pfd, base, name, err);
    case AE_IFDIR: return do_dir(u, e, pfd, base, name, err);
    case AE_IFLNK:
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: return do_special(u, e, pfd, base, name, err);
    case AE_IFSOCK:
        log_debug("%s: skipping socket `%s`", u->what, name);
        return 0;
    default:
        return error_new(err, EINVAL, "%s: entry `%s` has an unknown type (0%o)", u->what, name,
                         (unsigned) type);
    }
}

static int finish_dirs(struct unpacker *u, struct error **err)
{
    for (size_t i = u->n_dirs; i-- > 0;) {
        struct dir_time *d = &u->dirs[i];
        cleanup_close int fd = *d->path ? fs_openat2(u->root, d->path, O_RDONLY | O_DIRECTORY, 0,
                                                     BENEATH)
                                        : fs_openat2(u->root, ".", O_RDONLY | O_DIRECTORY, 0, 0);
        /* Gone (a later entry replaced it): nothing to do. */
        if (fd < 0)
            continue;
        if (futimens(fd, d->ts) < 0)
            return error_errno(err, "%s: `%s`: setting times", u->what, d->path);
    }
    return 0;
}

int unpack_tar(struct archive *tar, int dirfd, const struct unpack_limits *lim, const char *what,
               struct unpack_stats *ret, struct error **err)
{
    struct unpack_limits defaults;
    if (lim == NULL) {
        unpack_limits_default(&defaults);
        lim = &defaults;
    }
    struct unpacker u = {.root = dirfd, .lim = lim, .what = what, .cached_fd = -1};
    int r = 0;
    for (;;) {
        struct archive_entry *e;
        int ar = archive_read_next_header(tar, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN) {
            r = error_new(err, EIO, "%s: %s", what, archive_error_string(tar));
            break;
        }
        if (++u.stats.entries > lim->max_entries) {
            r = error_new(err, E2BIG, "%s: more than %llu entries", what,
                          (unsigned long long) lim->max_entries);
            break;
        }
        if ((r = do_entry(&u, tar, e, err)) < 0)
            break;
    }
    drop_cache(&u);
    if (r == 0)
        r = finish_dirs(&u, err);
    for (size_t i = 0; i < u.n_dirs; i++)
        free(u.dirs[i].path);
    free(u.dirs);
    if (r == 0 && ret)
        *ret = u.stats;
    return r;
}
