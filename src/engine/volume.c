/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/mountopts.h"
#include "engine/netvol.h"
#include "image/storage.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/random.h"
#include "util/strv.h"

#define RECORD     "volume.json"
#define RECORD_MAX (64u << 10)
#define DATA       "_data"

void volume_free(struct volume *v)
{
    if (v == NULL)
        return;
    free(v->name);
    free(v->mountpoint);
    strv_free(v->labels);
    free(v);
}

void volume_list_free(struct volume **v)
{
    for (size_t i = 0; v && v[i]; i++)
        volume_free(v[i]);
    free(v);
}

static int volumes_dir(struct engine *e, int *ret, struct error **err)
{
    if (mkdirat(e->store->rootfd, VOLUME_DIR, 0700) < 0 && errno != EEXIST)
        return error_errno(err, "making `%s/" VOLUME_DIR "`", e->root);
    int fd = openat(e->store->rootfd, VOLUME_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s/" VOLUME_DIR "`", e->root);
    *ret = fd;
    return 0;
}

/* ---- records ----------------------------------------------------------------- */

static json_t *labels_json(char *const *labels)
{
    json_t *o = json_object();
    for (size_t i = 0; labels && labels[i]; i++) {
        const char *eq = strchr(labels[i], '=');
        cleanup_free char *k = strndup(labels[i], eq ? (size_t) (eq - labels[i])
                                                     : strlen(labels[i]));
        if (k && *k)
            json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
    }
    return o;
}

static int write_record(int vdirfd, const struct volume *v, struct error **err)
{
    cleanup_json json_t *j = json_pack("{s:s, s:I, s:b, s:b, s:o}", "name", v->name, "created",
                                       (json_int_t) v->created, "anonymous", v->anonymous,
                                       "populated", v->populated, "labels",
                                       labels_json(v->labels));
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return json_write_file_at(vdirfd, RECORD, j, JSON_COMPACT, 0600, err);
}

static int read_record(struct engine *e, int dfd, const char *name, struct volume **ret,
                       struct error **err)
{
    cleanup_close int vdir = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (vdir < 0)
        return errno == ENOENT ? error_new(err, ENOENT, "no such volume: `%s`", name)
                               : error_errno(err, "volume `%s`", name);
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(vdir, RECORD, RECORD_MAX, &j, err);
    if (r < 0)
        return error_wrap(err, "volume `%s`", name);
    cleanup_volume struct volume *v = calloc(1, sizeof(*v));
    if (v == NULL || (v->name = strdup(name)) == NULL ||
        asprintf(&v->mountpoint, "%s/" VOLUME_DIR "/%s/" DATA, e->root, name) < 0)
        return error_new(err, ENOMEM, "out of memory");
    const char *w = "volume.json";
    if ((r = json_get_int64(j, "created", w, false, &v->created, err)) < 0 ||
        (r = json_get_bool(j, "anonymous", w, &v->anonymous, err)) < 0 ||
        (r = json_get_bool(j, "populated", w, &v->populated, err)) < 0)
        return error_wrap(err, "volume `%s`", name);
    const char *key;
    json_t *val;
    json_object_foreach(json_object_get(j, "labels"), key, val)
    {
        cleanup_free char *kv = NULL;
        if (json_is_string(val) && (asprintf(&kv, "%s=%s", key, json_string_value(val)) < 0 ||
                                    strv_push(&v->labels, kv) < 0))
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&v);
    return 0;
}

int volume_load(struct engine *e, const char *name, struct volume **ret, struct error **err)
{
    if (!mount_valid_volume_name(name))
        return error_new(err, EINVAL, "`%s` is not a volume name", name);
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    return r < 0 ? r : read_record(e, dfd, name, ret, err);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct volume *const *) a)->name, (*(struct volume *const *) b)->name);
}

/* Finish what a killed cabin left: removals (.rm-*) and volumes it was
 * making (.new-*), a minute old (a live cabin is quicker than that). */
static void sweep(int dfd)
{
    cleanup_closedir DIR *d = fs_opendir_at(dfd, ".");
    struct dirent *de;
    time_t now = time(NULL);
    while (d && (de = readdir(d)) != NULL) {
        struct stat st;
        bool rm = strncmp(de->d_name, ".rm-", 4) == 0;
        bool new = strncmp(de->d_name, ".new-", 5) == 0;
        if (!(rm || new) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            now - st.st_ctime <= 60)
            continue;
        cleanup_error struct error *e2 = NULL;
        fs_remove_tree(dirfd(d), de->d_name, &e2);
    }
}

int volume_list(struct engine *e, struct volume ***ret, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    if (r < 0)
        return r;
    sweep(dfd);
    cleanup_closedir DIR *d = fs_opendir_at(dfd, ".");
    if (d == NULL)
        return error_errno(err, "reading `%s/" VOLUME_DIR "`", e->root);
    struct volume **v = calloc(1, sizeof(*v));
    size_t n = 0;
    struct dirent *de;
    while (v && (de = readdir(d)) != NULL) {
        if (!mount_valid_volume_name(de->d_name))
            continue; /* ".", "..", scratch and removals */
        struct volume *one = NULL;
        cleanup_error struct error *e2 = NULL;
        if (read_record(e, dfd, de->d_name, &one, &e2) < 0) {
            if (error_code(e2) == ENOENT)
                continue;
            volume_list_free(v);
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
        struct volume **nv = realloc(v, (n + 2) * sizeof(*v));
        if (nv == NULL) {
            volume_free(one);
            volume_list_free(v);
            v = NULL;
            break;
        }
        v = nv;
        v[n++] = one;
        v[n] = NULL;
    }
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    qsort(v, n, sizeof(*v), by_name);
    *ret = v;
    return 0;
}

/* ---- making ---------------------------------------------------------------------- */

static int make(struct engine *e, int dfd, const char *name, char *const *labels, bool anonymous,
                struct error **err)
{
    char tmp[64] = ".new-";
    if (random_hex(tmp + 5, 16) < 0)
        return error_errno(err, "making volume `%s`", name);
    if (mkdirat(dfd, tmp, 0700) < 0)
        return error_errno(err, "making volume `%s`", name);
    struct volume v = {.name = (char *) name, .created = (int64_t) time(NULL),
                       .anonymous = anonymous, .labels = (char **) labels};
    cleanup_close int vdir = openat(dfd, tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r = vdir < 0 ? error_errno(err, "making volume `%s`", name) : 0;
    if (r == 0 && mkdirat(vdir, DATA, 0755) < 0)
        r = error_errno(err, "making volume `%s`", name);
    if (r == 0)
        r = write_record(vdir, &v, err);
    if (r == 0 && renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) < 0)
        r = errno == EEXIST ? 1 : error_errno(err, "making volume `%s`", name);
    if (r != 0) {
        cleanup_error struct error *e2 = NULL;
        fs_remove_tree(dfd, tmp, &e2);
    }
    return r; /* 1: someone else made it first */
}

bool volume_has_label(const struct volume *v, const char *want)
{
    size_t n = strlen(want);
    for (size_t i = 0; v->labels && v->labels[i]; i++)
        if (strcmp(v->labels[i], want) == 0 ||
            (strchr(want, '=') == NULL && strncmp(v->labels[i], want, n) == 0 &&
             v->labels[i][n] == '='))
            return true;
    return false;
}

int volume_ensure(struct engine *e, const char *name, char *const *labels, bool anonymous,
                  struct volume **ret, bool *ret_made, struct error **err)
{
    if (!mount_valid_volume_name(name))
        return error_new(err, EINVAL, "`%s` is not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
                         name);
    if (strv_length(labels) > VOLUME_MAX_LABELS)
        return error_new(err, E2BIG, "volume `%s`: more than %d labels", name,
                         VOLUME_MAX_LABELS);
    for (size_t i = 0; labels && labels[i]; i++)
        if (labels[i][0] == '=' || labels[i][0] == '\0')
            return error_new(err, EINVAL, "--label `%s`: expected KEY=VALUE", labels[i]);
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    if (r < 0)
        return r;
    bool made = false;
    if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
        if ((r = make(e, dfd, name, labels, anonymous, err)) < 0)
            return r;
        made = r == 0;
    }
    if (ret_made)
        *ret_made = made;
    return read_record(e, dfd, name, ret, err);
}

int volume_new_anonymous(struct engine *e, struct volume **ret, struct error **err)
{
    char name[65];
    if (random_hex(name, 64) < 0)
        return error_errno(err, "making an anonymous volume");
    return volume_ensure(e, name, NULL, true, ret, NULL, err);
}

int volume_lock(struct engine *e, const char *name, int how, int *ret_fd, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    if (r < 0)
        return r;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? error_new(err, ENOENT, "no such volume: `%s`", name)
                               : error_errno(err, "volume `%s`", name);
    while (flock(fd, how) < 0)
        if (errno != EINTR) {
            close_keep_errno(fd);
            return error_errno(err, "locking volume `%s`", name);
        }
    *ret_fd = fd;
    return 0;
}

static bool empty_dir(int fd)
{
    cleanup_closedir DIR *d = fs_opendir_at(fd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return false;
    return d != NULL;
}

int volume_populate(struct engine *e, struct volume *v, int srcfd, const char *what,
                    struct error **err)
{
    if (v->populated)
        return 0;
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    if (r < 0)
        return r;
    cleanup_close int vdir = openat(dfd, v->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int data = vdir < 0 ? -1
                                      : openat(vdir, DATA, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                               O_CLOEXEC);
    if (data < 0)
        return error_errno(err, "volume `%s`", v->name);
    if (srcfd >= 0 && empty_dir(data)) {
        struct stat st;
        if (fstat(srcfd, &st) < 0)
            return error_errno(err, "volume `%s`: %s", v->name, what);
        /* The mount point takes the image folder's owner and mode, as
         * docker's copy does. */
        if (fchown(data, st.st_uid, st.st_gid) < 0 || fchmod(data, st.st_mode & 07777) < 0)
            return error_errno(err, "volume `%s`: giving it the owner of %s", v->name, what);
        if ((r = storage_copy_dir(srcfd, data, what, err)) < 0)
            return error_wrap(err, "filling volume `%s`", v->name);
    }
    v->populated = true;
    return write_record(vdir, v, err);
}

int volume_remove(struct engine *e, const char *name, struct error **err)
{
    cleanup_close int lock = -1;
    int r = volume_lock(e, name, LOCK_EX, &lock, err);
    if (r < 0)
        return r;
    if ((r = netvol_unused(e, NULL, name, err)) < 0)
        return r;
    cleanup_close int dfd = -1;
    if ((r = volumes_dir(e, &dfd, err)) < 0)
        return r;
    /* Out of sight first (a half-removed volume is never listed), then gone. */
    char gone[80] = ".rm-";
    if (random_hex(gone + 4, 16) < 0)
        return error_errno(err, "removing volume `%s`", name);
    if (renameat(dfd, name, dfd, gone) < 0)
        return error_errno(err, "removing volume `%s`", name);
    if ((r = fs_remove_tree(dfd, gone, err)) < 0)
        return error_wrap(err, "removing volume `%s`", name);
    return 0;
}

int volume_usage(struct engine *e, const struct volume *v, uint64_t *ret, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = volumes_dir(e, &dfd, err);
    if (r < 0)
        return r;
    cleanup_close int vdir = openat(dfd, v->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (vdir < 0)
        return error_errno(err, "volume `%s`", v->name);
    return storage_du(vdir, DATA, ret, err);
}
