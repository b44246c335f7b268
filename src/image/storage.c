/* SPDX-License-Identifier: Apache-2.0 */
/* The storage-driver table: choosing a driver, its options, disk usage. */
#include "image/storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/log.h"

static const struct storage_driver *const drivers[] = {&storage_overlay, &storage_vfs};

const struct storage_driver *storage_driver_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

int storage_opts_parse(char *const *items, struct storage_opts *ret, struct error **err)
{
    struct storage_opts o = {OVERLAY_MOUNT_AUTO};
    for (size_t i = 0; items && items[i]; i++) {
        const char *kv = items[i];
        if (strncmp(kv, "overlay.mount_api=", 18) == 0) {
            const char *v = kv + 18;
            if (strcmp(v, "auto") == 0)
                o.mount_api = OVERLAY_MOUNT_AUTO;
            else if (strcmp(v, "new") == 0)
                o.mount_api = OVERLAY_MOUNT_NEW;
            else if (strcmp(v, "legacy") == 0)
                o.mount_api = OVERLAY_MOUNT_LEGACY;
            else
                return error_new(err, EINVAL,
                                 "--storage-opt `%s`: overlay.mount_api is auto, new or legacy",
                                 kv);
        } else {
            return error_new(err, EINVAL,
                             "--storage-opt `%s`: unknown option (known: overlay.mount_api)", kv);
        }
    }
    *ret = o;
    return 0;
}

int storage_choose(struct store *s, const char *name, const struct storage_opts *o,
                   const struct storage_driver **ret, struct error **err)
{
    if (name && *name) {
        const struct storage_driver *d = storage_driver_by_name(name);
        if (d == NULL)
            return error_new(err, EINVAL, "storage driver `%s` is not known (overlay, vfs)", name);
        int r = d->probe(s, o, err);
        if (r < 0)
            return error_wrap(err, "storage driver `%s`", name);
        *ret = d;
        return 0;
    }
    cleanup_error struct error *e = NULL;
    if (storage_overlay.probe(s, o, &e) == 0) {
        *ret = &storage_overlay;
        return 0;
    }
    log_debug("overlay cannot be used (%s): copying layers (vfs)", e->msg);
    *ret = &storage_vfs;
    return 0;
}

size_t storage_unique_layers(char *const *layers, size_t n, const char **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool again = false;
        for (size_t j = i + 1; j < n && !again; j++)
            again = strcmp(layers[i], layers[j]) == 0;
        if (!again)
            out[k++] = layers[i];
    }
    return k;
}

/* ---- du ------------------------------------------------------------------ */

struct seen {
    ino_t *v;
    size_t n, cap;
};

static bool seen_add(struct seen *s, ino_t ino)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == ino)
            return false;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ino_t *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL)
            return true;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = ino;
    return true;
}

static int du_dir(int dfd, dev_t dev, struct seen *seen, uint64_t *total, int depth,
                  struct error **err)
{
    if (depth > 4096)
        return error_new(err, ELOOP, "measuring disk use: too deep");
    cleanup_closedir DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close_keep_errno(dfd);
        return error_errno(err, "measuring disk use");
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
            continue;
        if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen_add(seen, st.st_ino))
            continue;
        *total += (uint64_t) st.st_blocks * 512;
        if (S_ISDIR(st.st_mode)) {
            int c = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (c < 0)
                continue;
            int r = du_dir(c, dev, seen, total, depth + 1, err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int storage_du(int dirfd, const char *name, uint64_t *ret, struct error **err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *ret = 0;
            return 0;
        }
        return error_errno(err, "measuring disk use of `%s`", name);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return error_errno(err, "measuring disk use of `%s`", name);
    }
    struct seen seen = {0};
    uint64_t total = (uint64_t) st.st_blocks * 512;
    int r = du_dir(fd, st.st_dev, &seen, &total, 0, err);
    free(seen.v);
    if (r == 0)
        *ret = total;
    return r;
}
