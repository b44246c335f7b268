/* SPDX-License-Identifier: Apache-2.0 */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
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

/* Walk `path` from the root, creating each missing directory.  Every lookup
 * is RESOLVE_IN_ROOT from `rootfd`, so a symlink met on the way is followed
 * only as if the root were "/". */
int fs_mkdir_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err)
{
    cleanup_free char *clean = fs_path_clean(path);
    if (clean == NULL)
        return error_new(err, ENOMEM, "out of memory");

    int fd = fs_openat2(rootfd, clean, O_PATH | O_DIRECTORY, 0, IN_ROOT);
    if (fd >= 0) {
        *ret_fd = fd;
        return 0;
    }
    if (errno != ENOENT)
        return error_errno(err, "opening directory `%s` inside the root", clean);

    cleanup_close int cur = fs_openat2(rootfd, "/", O_PATH | O_DIRECTORY, 0, IN_ROOT);
    if (cur < 0)
        return error_errno(err, "opening the root");
    char *p = clean;
    while (*p) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        char *end = strchrnul(p, '/');
        char saved = *end;
        *end = '\0';
        /* Re-resolve the prefix from the root: component by component
         * through `cur` would follow an absolute symlink from the host. */
        int next = fs_openat2(rootfd, clean, O_PATH | O_DIRECTORY, 0, IN_ROOT);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(cur, p, mode) < 0 && errno != EEXIST) {
                int r = error_errno(err, "creating directory `%s` inside the root", clean);
                *end = saved;
                return r;
            }
            next = fs_openat2(rootfd, clean, O_PATH | O_DIRECTORY, 0, IN_ROOT);
        }
        if (next < 0) {
            int r = error_errno(err, "opening directory `%s` inside the root", clean);
            *end = saved;
            return r;
        }
        close(cur);
        cur = next;
        *end = saved;
        p = end;
    }
    *ret_fd = steal_fd(&cur);
    return 0;
}

int fs_mkfile_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd, struct error **err)
{
    cleanup_free char *clean = fs_path_clean(path);
    if (clean == NULL)
        return error_new(err, ENOMEM, "out of memory");

    int fd = fs_openat2(rootfd, clean, O_PATH, 0, IN_ROOT);
    if (fd >= 0) {
        *ret_fd = fd;
        return 0;
    }
    if (errno != ENOENT)
        return error_errno(err, "opening `%s` inside the root", clean);

    char *slash = strrchr(clean, '/');
    cleanup_close int parent = -1;
    *slash = '\0';
    int r = fs_mkdir_in_root(rootfd, clean[0] ? clean : "/", 0755, &parent, err);
    *slash = '/';
    if (r < 0)
        return r;
    int f = openat(parent, slash + 1, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    if (f < 0 && errno != EEXIST)
        return error_errno(err, "creating `%s` inside the root", clean);
    close_keep_errno(f);
    fd = fs_openat2(rootfd, clean, O_PATH, 0, IN_ROOT);
    if (fd < 0)
        return error_errno(err, "opening `%s` inside the root", clean);
    *ret_fd = fd;
    return 0;
}

int fs_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
                    struct error **err)
{
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    size_t cap = 4096, len = 0;
    cleanup_free char *buf = malloc(cap + 1);
    if (buf == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (;;) {
        if (len == cap) {
            if (cap >= max)
                return error_new(err, EFBIG, "`%s` is larger than %zu bytes", path, max);
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

static int write_all(int fd, const void *data, size_t len)
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
    char tmp[4096];
    if ((size_t) snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int) getpid()) >= sizeof(tmp))
        return error_new(err, ENAMETOOLONG, "file name `%s` is too long", name);
    cleanup_close int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return error_errno(err, "creating `%s`", tmp);
    int r = write_all(fd, data, len);
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
    int r = write_all(fd, value, strlen(value));
    if (r < 0)
        return error_errnum(err, -r, "writing `%s` to `%s`", value, path);
    return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct error **err)
{
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
    return 0;
}

static int remove_contents(int dfd, const char *what, struct error **err)
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
    int r = remove_contents(child, name, err);
    if (r < 0)
        return r;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return error_errno(err, "removing directory `%s`", name);
    return 0;
}

const char *fs_fd_path(int fd, char *buf, size_t len)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
    return buf;
}
