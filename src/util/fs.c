/* SPDX-License-Identifier: Apache-2.0 */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

int fs_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
    struct open_how how = {
        .flags = (unsigned long long) flags | O_CLOEXEC,
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = resolve,
    };
    for (int tries = 0;; tries++) {
        long r = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        /* EAGAIN: a rename raced with the lookup; the kernel asks us to retry. */
        if (r < 0 && errno == EAGAIN && tries < 32)
            continue;
        return (int) r;
    }
}

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct error **err)
{
    int fd = fs_openat2(rootfd, path, flags, mode, IN_ROOT);
    if (fd < 0)
        return error_errno(err, "opening `%s` inside the root", path);
    return fd;
}

char *fs_path_clean(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t len = (size_t) (end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the slash too */
        } else {
            out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p = end;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return out;
}

/* Create what is missing of `path` inside the root, one component at a
 * time.  Each component is opened alone (O_NOFOLLOW, RESOLVE_BENEATH of its
 * parent), so nothing is ever followed by the host's rules.  A symlink met
 * on the way is read and substituted into the path, which is then walked
 * again from the root: an absolute target means the root's "/", `..`
 * cannot climb above it, and a dangling link gets its target created
 * inside the root, as the container would see it.  40 substitutions at
 * most, like the kernel's ELOOP. */
#define MAX_LINKS 40

static int substitute_link(int linkfd, const char *prefix, const char *rest, char **path,
                           struct error **err)
{
    char target[4096];
    ssize_t n = readlinkat(linkfd, "", target, sizeof(target) - 1);
    if (n < 0)
        return error_errno(err, "reading the symlink `%s`", prefix);
    target[n] = '\0';
    /* Relative targets are relative to the link's directory. */
    char *dir = strdup(prefix);
    if (dir == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *slash = strrchr(dir, '/');
    slash[slash == dir ? 1 : 0] = '\0';
    char *joined = NULL;
    int r = asprintf(&joined, "%s/%s/%s", target[0] == '/' ? "" : dir, target, rest);
    free(dir);
    if (r < 0)
        return error_new(err, ENOMEM, "out of memory");
    free(*path);
    *path = joined;
    return 0;
}

static int create_in_root(int rootfd, const char *path, bool file, mode_t mode, int *ret_fd,
                          struct error **err)
{
    cleanup_free char *want = strdup(path);
    if (want == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (int links = 0; links <= MAX_LINKS; links++) {
        cleanup_free char *clean = fs_path_clean(want);
        if (clean == NULL)
            return error_new(err, ENOMEM, "out of memory");
        cleanup_close int cur = fs_openat2(rootfd, ".", O_PATH | O_DIRECTORY, 0, 0);
        if (cur < 0)
            return error_errno(err, "opening the root");
        bool restart = false;
        char *p = clean;
        while (*p == '/')
            p++;
        while (*p && !restart) {
            char *end = strchrnul(p, '/');
            bool last = *end == '\0';
            char saved = *end;
            *end = '\0';
            int fd = fs_openat2(cur, p, O_PATH | O_NOFOLLOW, 0,
                                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
            if (fd < 0 && errno == ENOENT) {
                int made;
                if (last && file) {
                    made = openat(cur, p, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                  mode);
                    if (made >= 0)
                        close(made);
                } else {
                    /* Parents of a file are ordinary directories. */
                    made = mkdirat(cur, p, file ? 0755 : mode);
                }
                if (made < 0 && errno != EEXIST)
                    return error_errno(err, "creating `%s` inside the root", clean);
                fd = fs_openat2(cur, p, O_PATH | O_NOFOLLOW, 0,
                                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
            }
            if (fd < 0)
                return error_errno(err, "opening `%s` inside the root", clean);
            struct stat st;
            if (fstat(fd, &st) < 0) {
                close(fd);
                return error_errno(err, "`%s` inside the root", clean);
            }
            if (S_ISLNK(st.st_mode)) {
                int r = substitute_link(fd, clean, last ? "" : end + 1, &want, err);
                close(fd);
                if (r < 0)
                    return r;
                restart = true;
                break;
            }
            if (!last && !S_ISDIR(st.st_mode)) {
                close(fd);
                return error_new(err, ENOTDIR, "`%s` inside the root is not a directory", clean);
            }
            close(cur);
            cur = fd;
            *end = saved;
            p = last ? end : end + 1;
            while (*p == '/')
                p++;
        }
        if (!restart) {
            struct stat st;
            if (!file && (fstat(cur, &st) < 0 || !S_ISDIR(st.st_mode)))
                return error_new(err, ENOTDIR, "`%s` inside the root is not a directory",
                                 clean);
            *ret_fd = steal_fd(&cur);
            return 0;
        }
    }
    return error_new(err, ELOOP, "`%s` inside the root: too many levels of symbolic links",
                     path);
}

int fs_mkdir_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err)
{
    return create_in_root(rootfd, path, false, mode, ret_fd, err);
}

int fs_mkfile_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err)
{
    return create_in_root(rootfd, path, true, mode, ret_fd, err);
}

int fs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
                    struct error **err)
{
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    size_t cap = max < 4096 ? max : 4096, len = 0;
    cleanup_free char *buf = malloc(cap + 1);
    if (buf == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                /* Full at the limit: larger only if there is more. */
                char extra;
                ssize_t more = read(fd, &extra, 1);
                if (more < 0 && errno == EINTR)
                    continue;
                if (more < 0)
                    return error_errno(err, "reading `%s`", path);
                if (more == 0)
                    break;
                return error_new(err, EFBIG, "`%s` is larger than %zu bytes", path, max);
            }
            cap = cap * 2 > max ? max : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (nb == NULL)
                return error_new(err, ENOMEM, "out of memory");
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return error_errno(err, "reading `%s`", path);
        if (n == 0)
            break;
        len += (size_t) n;
    }
    buf[len] = '\0';
    *ret_buf = steal_pointer(&buf);
    if (ret_len)
        *ret_len = len;
    return 0;
}

int fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        len -= (size_t) w;
    }
    return 0;
}

int fs_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                         int sync, struct error **err)
{
    static unsigned int counter;
    char tmp[4096];
    cleanup_close int fd = -1;
    for (int tries = 0; fd < 0; tries++) {
        if ((size_t) snprintf(tmp, sizeof(tmp), ".%s.tmp.%d.%u", name, (int) getpid(),
                              counter++) >= sizeof(tmp))
            return error_new(err, ENAMETOOLONG, "file name `%s` is too long", name);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0 && (errno != EEXIST || tries > 100))
            return error_errno(err, "creating `%s`", tmp);
    }
    /* The umask must not change the mode the caller asked for. */
    int r = fchmod(fd, mode) < 0 ? -errno : 0;
    if (r == 0)
        r = fs_write_all(fd, data, len);
    if (r == 0 && sync && fsync(fd) < 0)
        r = -errno;
    if (r < 0) {
        unlinkat(dirfd, tmp, 0);
        return error_errnum(err, -r, "writing `%s`", name);
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = error_errno(err, "renaming `%s` to `%s`", tmp, name);
        unlinkat(dirfd, tmp, 0);
        return e;
    }
    return 0;
}

int fs_write_knob(int dirfd, const char *path, const char *value, struct error **err)
{
    cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    int r = fs_write_all(fd, value, strlen(value));
    if (r < 0)
        return error_errnum(err, -r, "writing `%s` to `%s`", value, path);
    return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct error **err)
{
    if (path[0] == '\0')
        return error_new(err, EINVAL, "creating a directory: empty path");
    cleanup_free char *p = strdup(path);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, mode) < 0 && errno != EEXIST)
                return error_errno(err, "creating directory `%s`", p);
            *s = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) < 0)
        return error_errno(err, "creating directory `%s`", path);
    if (!S_ISDIR(st.st_mode))
        return error_new(err, ENOTDIR, "creating directory `%s`: it exists and is not one", path);
    return 0;
}

static int remove_contents(int dfd, const char *what, dev_t dev, struct error **err)
{
    cleanup_closedir DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return error_errno(err, "reading directory `%s`", what);
    }
    struct dirent *de;
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM)
            return error_errno(err, "removing `%s/%s`", what, de->d_name);
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return error_errno(err, "removing `%s/%s`", what, de->d_name);
        if (st.st_dev != dev)
            return error_new(err, EBUSY, "not removing `%s/%s`: a file system is mounted there",
                             what, de->d_name);
        int r = fs_remove_tree(dirfd(d), de->d_name, err);
        if (r < 0)
            return r;
    }
    return 0;
}

int fs_remove_tree(int dirfd, const char *name, struct error **err)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    int child = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0)
        return error_errno(err, "opening `%s`", name);
    struct stat parent, self;
    if (fstat(dirfd, &parent) < 0 || fstat(child, &self) < 0) {
        close_keep_errno(child);
        return error_errno(err, "removing `%s`", name);
    }
    if (parent.st_dev != self.st_dev) {
        close(child);
        return error_new(err, EBUSY, "not removing `%s`: a file system is mounted there", name);
    }
    int r = remove_contents(child, name, self.st_dev, err);
    if (r < 0)
        return r;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return error_errno(err, "removing directory `%s`", name);
    return 0;
}

bool fs_is_mount_point_at(int dirfd, const char *name)
{
    struct stat a, b;
    return fstat(dirfd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
           a.st_dev != b.st_dev;
}

DIR *fs_opendir_at(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL)
        close_keep_errno(fd);
    return d;
}

const char *fs_fd_path(int fd, char *buf, size_t len)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
    return buf;
}

int fs_open_parent(const char *path, int *ret_dirfd, char **ret_name, struct error **err)
{
    cleanup_free char *copy = strdup(path);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *slash = strrchr(copy, '/');
    const char *dir = ".", *name = copy;
    if (slash) {
        *slash = '\0';
        dir = slash == copy ? "/" : copy;
        name = slash + 1;
    }
    if (*name == '\0')
        return error_new(err, EINVAL, "`%s` names a directory, not a file", path);
    cleanup_free char *n = strdup(name);
    if (n == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening the directory `%s`", dir);
    *ret_dirfd = fd;
    *ret_name = steal_pointer(&n);
    return 0;
}
