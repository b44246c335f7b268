/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define IMAGES_FILE     "images.json"
#define IMAGES_MAX_SIZE (64u << 20)
#define LAYER_FILE      "layer.json"

static int open_sub(int dirfd, const char *root, const char *name, int *ret, struct error **err)
{
    if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
        return error_errno(err, "store `%s`: making `%s`", root, name);
    int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return error_errno(err, "store `%s`: opening `%s`", root, name);
    *ret = fd;
    return 0;
}

void store_free(struct store *s)
{
    if (s == NULL)
        return;
    close_keep_errno(s->rootfd);
    close_keep_errno(s->blobsfd);
    close_keep_errno(s->layersfd);
    close_keep_errno(s->linksfd);
    close_keep_errno(s->tmpfd);
    free(s->root);
    free(s);
}

int store_open(const char *root, struct store **ret, struct error **err)
{
    int r = fs_mkdir_p(root, 0711, err);
    if (r < 0)
        return error_wrap(err, "opening the store");
    struct store *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    s->rootfd = s->blobsfd = s->layersfd = s->linksfd = s->tmpfd = -1;
    s->root = realpath(root, NULL);
    if (s->root == NULL) {
        store_free(s);
        return error_errno(err, "store `%s`", root);
    }
    s->rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int blobs = -1;
    if (s->rootfd < 0)
        r = error_errno(err, "store `%s`", s->root);
    if (r == 0)
        r = open_sub(s->rootfd, s->root, "blobs", &blobs, err);
    if (r == 0)
        r = open_sub(blobs, s->root, "sha256", &s->blobsfd, err);
    if (r == 0)
        r = open_sub(s->rootfd, s->root, "layers", &s->layersfd, err);
    if (r == 0)
        r = open_sub(s->rootfd, s->root, "l", &s->linksfd, err);
    if (r == 0)
        r = open_sub(s->rootfd, s->root, "tmp", &s->tmpfd, err);
    if (r < 0) {
        store_free(s);
        return r;
    }
    *ret = s;
    return 0;
}

/* ---- locks -------------------------------------------------------------- */

static int lock_file(struct store *s, const char *name, int op, int *ret_fd, struct error **err)
{
    cleanup_close int fd = openat(s->rootfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                                  0600);
    if (fd < 0)
        return error_errno(err, "store `%s`: opening `%s`", s->root, name);
    int r;
    while ((r = flock(fd, op)) < 0 && errno == EINTR)
        ;
    if (r < 0) {
        if (errno == EWOULDBLOCK)
            return -EWOULDBLOCK;
        return error_errno(err, "store `%s`: locking `%s`", s->root, name);
    }
    *ret_fd = steal_fd(&fd);
    return 0;
}

int store_lock_gc(struct store *s, int op, int *ret_fd, struct error **err)
{
    return lock_file(s, "gc.lock", op, ret_fd, err);
}

int store_lock(struct store *s, int *ret_fd, struct error **err)
{
    return lock_file(s, "store.lock", LOCK_EX, ret_fd, err);
}

/* ---- scratch space ------------------------------------------------------ */

static void random_name(char *out, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char raw[64];
    if (n > sizeof(raw))
        n = sizeof(raw);
    if (getrandom(raw, n, 0) != (ssize_t) n) {
        /* getrandom cannot fail for this size once the pool is ready;
         * fall back to something unique rather than fail. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long v = (unsigned long long) ts.tv_nsec ^ ((unsigned long long) getpid()
                                                                  << 32);
        for (size_t i = 0; i < n; i++, v = v * 6364136223846793005ull + 1)
            raw[i] = (unsigned char) (v >> 56);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[raw[i] & 31];
    out[n] = '\0';
}

int store_tmp_new(struct store *s, char **ret_name, int *ret_fd, struct error **err)
{
    /* The hidden name carries the maker's pid, so a sweeper can tell the
     * debris of a maker killed before its rename from a live one. */
    char name[32], hidden[64];
    for (int tries = 0;; tries++) {
        random_name(name, 20);
        snprintf(hidden, sizeof(hidden), ".%ld-%s", (long) getpid(), name);
        if (mkdirat(s->tmpfd, hidden, 0700) == 0)
            break;
        if (errno != EEXIST || tries > 10)
            return error_errno(err, "store `%s`: making a scratch directory", s->root);
    }
    /* Locked before it gets its visible name, so a sweeper never takes a
     * live one for debris. */
    cleanup_close int fd = openat(s->tmpfd, hidden, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX) < 0 || renameat(s->tmpfd, hidden, s->tmpfd, name) < 0) {
        int e = error_errno(err, "store `%s`: making a scratch directory", s->root);
        fs_remove_tree(s->tmpfd, hidden, NULL);
        return e;
    }
    char *n = strdup(name);
    if (n == NULL) {
        fs_remove_tree(s->tmpfd, name, NULL);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret_name = n;
    *ret_fd = steal_fd(&fd);
    return 0;
}

void store_tmp_remove(struct store *s, const char *name, int fd)
{
    cleanup_error struct error *e = NULL;
    if (name && fs_remove_tree(s->tmpfd, name, &e) < 0)
        log_debug("removing scratch `%s`: %s", name, e->msg);
    close_keep_errno(fd);
}

/* `.PID-NAME` of store_tmp_new(): true if PID no longer exists.  A pid
 * reused by another process only delays the sweep. */
static bool hidden_maker_gone(int dirfd, const char *name, time_t now)
{
    char *end = NULL;
    errno = 0;
    long pid = strtol(name + 1, &end, 10);
    if (errno == 0 && end != name + 1 && *end == '-' && pid > 0)
        return kill((pid_t) pid, 0) < 0 && errno == ESRCH;
    struct stat st;
    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && now - st.st_mtime > 3600;
}

bool store_tmp_abandoned(struct store *s, const char *name)
{
    /* Killed between mkdir and rename: its maker is gone. */
    if (name[0] == '.')
        return hidden_maker_gone(s->tmpfd, name, time(NULL));
    cleanup_close int fd =
        openat(s->tmpfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno != ENOENT; /* not a directory: nothing we make */
    /* The lock is let go at once: nobody locks an abandoned entry again. */
    return flock(fd, LOCK_EX | LOCK_NB) == 0;
}

void store_tmp_sweep(struct store *s)
{
    cleanup_closedir DIR *d = fs_opendir_at(s->tmpfd, ".");
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!store_tmp_abandoned(s, de->d_name))
            continue; /* someone is working in it */
        cleanup_error struct error *e = NULL;
        if (fs_remove_tree(dirfd(d), de->d_name, &e) < 0)
            log_debug("sweeping `tmp/%s`: %s", de->d_name, e->msg);
        else
            log_debug("swept `tmp/%s` (left by a killed process)", de->d_name);
    }
}

/* ---- blobs ---------------------------------------------------------------- */

bool store_has_blob(struct store *s, const char *digest)
{
    if (!digest_valid(digest))
        return false;
    struct stat st;
    return fstatat(s->blobsfd, digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(st.st_mode);
}

int64_t store_blob_size(struct store *s, const char *digest)
{
    struct stat st;
    if (!digest_valid(digest) ||
        fstatat(s->blobsfd, digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    return (int64_t) st.st_size;
}

int store_blob_open(struct store *s, const char *digest, int *ret_fd, struct error **err)
{
    int r = digest_check(digest, "blob", NULL, err);
    if (r < 0)
        return r;
    int fd = openat(s->blobsfd, digest_hex(digest), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return error_errno(err, "blob %s", digest);
    *ret_fd = fd;
    return 0;
}

int store_blob_read(struct store *s, const char *digest, size_t max, char **ret_buf,
                    size_t *ret_len, struct error **err)
{
    int r = digest_check(digest, "blob", NULL, err);
    if (r < 0)
        return r;
    cleanup_free char *buf = NULL;
    size_t len = 0;
    if ((r = fs_read_file_at(s->blobsfd, digest_hex(digest), max, &buf, &len, err)) < 0)
        return error_wrap(err, "blob %s", digest);
    char got[DIGEST_BUF];
    digest_buffer(buf, len, got);
    if (strcmp(got, digest) != 0)
        return error_new(err, EIO, "blob %s is corrupt in the store (its content is %s)", digest,
                         got);
    *ret_buf = steal_pointer(&buf);
    if (ret_len)
        *ret_len = len;
    return 0;
}

int store_blob_put(struct store *s, const void *data, size_t len, char ret_digest[DIGEST_BUF],
                   struct error **err)
{
    char d[DIGEST_BUF];
    digest_buffer(data, len, d);
    if (!store_has_blob(s, d)) {
        int r = fs_write_file_atomic(s->blobsfd, digest_hex(d), data, len, 0644, 1, err);
        if (r < 0)
            return error_wrap(err, "storing blob %s", d);
    }
    if (ret_digest)
        memcpy(ret_digest, d, DIGEST_BUF);
    return 0;
}

int store_blob_commit(struct store *s, int dirfd, const char *name, int fd, const char *digest,
                      bool durable, struct error **err)
{
    if (fchmod(fd, 0644) < 0 || (!durable && fsync(fd) < 0))
        return error_errno(err, "storing blob %s", digest);
    if (renameat(dirfd, name, s->blobsfd, digest_hex(digest)) < 0)
        return error_errno(err, "storing blob %s", digest);
    return 0;
}

/* ---- layers --------------------------------------------------------------- */

bool store_has_layer(struct store *s, const char *diff_id)
{
    if (!digest_valid(diff_id))
        return false;
    char path[DIGEST_BUF + 16];
    snprintf(path, sizeof(path), "%s/" LAYER_FILE, digest_hex(diff_id));
    struct stat st;
    return fstatat(s->layersfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

char *store_layer_path(struct store *s, const char *diff_id)
{
    char *p = NULL;
    if (asprintf(&p, "%s/layers/%s/diff", s->root, digest_hex(diff_id)) < 0)
        return NULL;
    return p;
}

int store_layer_info(struct store *s, const char *diff_id, struct layer_info *ret,
                     struct error **err)
{
    char path[DIGEST_BUF + 16];
    snprintf(path, sizeof(path), "%s/" LAYER_FILE, digest_hex(diff_id));
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(s->layersfd, path, 1u << 16, &j, err);
    if (r < 0)
        return error_wrap(err, "layer %s: in `%s/layers`", diff_id, s->root);
    struct layer_info li = {0};
    const char *id = NULL, *link = NULL;
    if ((r = json_get_string(j, "diff_id", "layer.json", true, &id, err)) < 0 ||
        (r = json_get_string(j, "link", "layer.json", true, &link, err)) < 0 ||
        (r = json_get_uint64(j, "size", "layer.json", true, UINT64_MAX >> 1, &li.size, err)) <
            0 ||
        (r = json_get_uint64(j, "tar_size", "layer.json", true, UINT64_MAX >> 1, &li.tar_size,
                             err)) < 0 ||
        (r = json_get_uint64(j, "entries", "layer.json", false, UINT64_MAX >> 1, &li.entries,
                             err)) < 0)
        return error_wrap(err, "layer %s: `%s/layers/%s`", diff_id, s->root, digest_hex(diff_id));
    if (strcmp(id, diff_id) != 0 || strlen(link) != STORE_LINK_LEN)
        return error_new(err, EIO, "layer %s: `%s/layers/%s/" LAYER_FILE "` is for %s", diff_id,
                         s->root, digest_hex(diff_id), id);
    memcpy(li.diff_id, id, DIGEST_BUF);
    memcpy(li.link, link, STORE_LINK_LEN + 1);
    *ret = li;
    return 0;
}

int store_layer_commit(struct store *s, int tmpfd, const struct layer_info *info,
                       bool *ret_existed, struct error **err)
{
    const char *hex = digest_hex(info->diff_id);
    *ret_existed = false;
    if (store_has_layer(s, info->diff_id)) {
        *ret_existed = true;
        return 0;
    }
    char link[STORE_LINK_LEN + 1], target[DIGEST_BUF + 32];
    snprintf(target, sizeof(target), "../layers/%s/diff", hex);
    for (int tries = 0;; tries++) {
        random_name(link, STORE_LINK_LEN);
        if (symlinkat(target, s->linksfd, link) == 0)
            break;
        if (errno != EEXIST || tries > 10)
            return error_errno(err, "layer %s: making its short link", info->diff_id);
    }
    cleanup_close int ldir = openat(tmpfd, "layer", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_json json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I}", "diff_id", info->diff_id,
                                       "link", link, "size", (json_int_t) info->size, "tar_size",
                                       (json_int_t) info->tar_size, "entries",
                                       (json_int_t) info->entries);
    cleanup_free char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    int r = 0;
    if (ldir < 0)
        r = error_errno(err, "layer %s: opening its scratch directory", info->diff_id);
    else if (text == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    else
        r = fs_write_file_atomic(ldir, LAYER_FILE, text, strlen(text), 0644, 0, err);
    /* Every file of the layer (and its layer.json) reaches the disk before
     * the layer has its name: after a crash, a layer the store has is
     * whole.  One syncfs, not an fsync a file; on ext4 an fsync would wait
     * for all the data written so far anyway. */
    if (r == 0)
        r = store_sync(s, err);
    /* A directory renamed onto a non-empty one fails: the first commit of
     * a layer wins, atomically, without a lock. */
    if (r == 0 && renameat(tmpfd, "layer", s->layersfd, hex) < 0) {
        if (errno == ENOTEMPTY || errno == EEXIST)
            *ret_existed = true;
        else
            r = error_errno(err, "layer %s: moving it into the store", info->diff_id);
    }
    if (r < 0 || *ret_existed)
        unlinkat(s->linksfd, link, 0);
    return r;
}

/* ---- image records ------------------------------------------------------ */

static void record_release(struct image_record *r)
{
    strv_free(r->manifests);
    strv_free(r->names);
    strv_free(r->digests);
}

void image_db_free(struct image_db *db)
{
    if (db == NULL)
        return;
    for (size_t i = 0; i < db->n; i++)
        record_release(&db->images[i]);
    free(db->images);
    free(db);
}

struct image_record *image_db_add(struct image_db *db, const char *id)
{
    struct image_record *n = realloc(db->images, (db->n + 1) * sizeof(*n));
    if (n == NULL)
        return NULL;
    db->images = n;
    struct image_record *r = &db->images[db->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", id);
    r->added = (int64_t) time(NULL);
    return r;
}

void image_db_remove(struct image_db *db, size_t index)
{
    record_release(&db->images[index]);
    memmove(&db->images[index], &db->images[index + 1],
            (db->n - index - 1) * sizeof(db->images[0]));
    db->n--;
}

static bool strv_has(char **v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static int strv_add_unique(char ***v, const char *s)
{
    return strv_has(*v, s) ? 0 : strv_push(v, s);
}

int image_record_add_name(struct image_record *r, const char *name)
{
    return strv_add_unique(&r->names, name);
}

int image_record_add_manifest(struct image_record *r, const char *digest)
{
    return strv_add_unique(&r->manifests, digest);
}

int image_record_add_digest(struct image_record *r, const char *repo_digest)
{
    return strv_add_unique(&r->digests, repo_digest);
}

bool image_record_has_name(const struct image_record *r, const char *name)
{
    return strv_has(r->names, name);
}

static void strv_remove(char **v, const char *s)
{
    size_t n = strv_length(v);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], s) == 0) {
            free(v[i]);
            memmove(&v[i], &v[i + 1], (n - i) * sizeof(char *));
            return;
        }
    }
}

size_t image_db_untag(struct image_db *db, const char *name, const struct image_record *keep)
{
    size_t n = 0;
    for (size_t i = 0; i < db->n; i++) {
        if (&db->images[i] == keep || !strv_has(db->images[i].names, name))
            continue;
        strv_remove(db->images[i].names, name);
        n++;
    }
    return n;
}

static int parse_record(json_t *o, size_t i, struct image_record *r, struct error **err)
{
    char where[64];
    snprintf(where, sizeof(where), IMAGES_FILE ": images[%zu]", i);
    const char *id = NULL;
    int64_t added = 0;
    int e;
    if ((e = json_get_string(o, "id", where, true, &id, err)) < 0 ||
        (e = digest_check(id, where, NULL, err)) < 0 ||
        (e = json_get_strv(o, "manifests", where, true, &r->manifests, err)) < 0 ||
        (e = json_get_strv(o, "names", where, false, &r->names, err)) < 0 ||
        (e = json_get_strv(o, "digests", where, false, &r->digests, err)) < 0 ||
        (e = json_get_int64(o, "added", where, false, &added, err)) < 0)
        return e;
    snprintf(r->id, sizeof(r->id), "%s", id);
    r->added = added;
    return 0;
}

int store_images_read(struct store *s, struct image_db **ret, struct error **err)
{
    struct image_db *db = calloc(1, sizeof(*db));
    if (db == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_json json_t *j = NULL;
    cleanup_error struct error *e = NULL;
    int r = json_load_file_at(s->rootfd, IMAGES_FILE, IMAGES_MAX_SIZE, &j, &e);
    if (r < 0) {
        if (error_code(e) == ENOENT) {
            *ret = db;
            return 0;
        }
        free(db);
        if (err == NULL)
            return -error_code(e); /* a caller that does not want to know */
        *err = steal_pointer(&e);
        return error_wrap(err, "store `%s`", s->root);
    }
    json_t *arr = json_object_get(j, "images");
    if (!json_is_array(arr)) {
        free(db);
        return error_new(err, EINVAL, "store `%s`: " IMAGES_FILE ": images: expected an array",
                         s->root);
    }
    size_t n = json_array_size(arr);
    db->images = calloc(n ? n : 1, sizeof(*db->images));
    if (db->images == NULL) {
        free(db);
        return error_new(err, ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        db->n = i + 1;
        if ((r = parse_record(json_array_get(arr, i), i, &db->images[i], err)) < 0) {
            image_db_free(db);
            return error_wrap(err, "store `%s`", s->root);
        }
    }
    *ret = db;
    return 0;
}

static json_t *strv_json(char **v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int images_write(struct store *s, const struct image_db *db, struct error **err)
{
    cleanup_json json_t *arr = json_array();
    for (size_t i = 0; i < db->n; i++) {
        const struct image_record *r = &db->images[i];
        json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o, s:I}", "id", r->id,
                                             "manifests", strv_json(r->manifests), "names",
                                             strv_json(r->names), "digests",
                                             strv_json(r->digests), "added",
                                             (json_int_t) r->added));
    }
    cleanup_json json_t *doc = json_pack("{s:i, s:O}", "version", 1, "images", arr);
    cleanup_free char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    if (text == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = fs_write_file_atomic(s->rootfd, IMAGES_FILE, text, strlen(text), 0600, 1, err);
    return r < 0 ? error_wrap(err, "store `%s`", s->root) : 0;
}

int store_images_update(struct store *s, image_db_edit_fn edit, void *opaque, struct error **err)
{
    cleanup_close int lock = -1;
    int r = store_lock(s, &lock, err);
    if (r < 0)
        return r;
    struct image_db *db = NULL;
    if ((r = store_images_read(s, &db, err)) < 0)
        return r;
    r = edit(db, opaque, err);
    if (r == 0)
        r = images_write(s, db, err);
    image_db_free(db);
    return r < 0 ? r : 0;
}

static bool is_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static int find_by_name(const struct image_db *db, const char *what, size_t *ret,
                        struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int r = image_ref_parse(what, false, &ref, err);
    if (r < 0)
        return r;
    cleanup_free char *name = image_ref_name(ref);
    cleanup_free char *tagged = image_ref_name_tag(ref);
    if (name == NULL || tagged == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < db->n; i++) {
        const struct image_record *im = &db->images[i];
        bool hit = false;
        if (ref->digest) {
            /* name@digest: pulled by that digest, or one of its names is
             * in that repository and the digest is one of its manifests. */
            char rd[512];
            snprintf(rd, sizeof(rd), "%s@%s", name, ref->digest);
            hit = strv_has(im->digests, rd);
            size_t nl = strlen(name);
            for (size_t k = 0; !hit && im->names && im->names[k]; k++)
                hit = strncmp(im->names[k], name, nl) == 0 && im->names[k][nl] == ':' &&
                      strv_has(im->manifests, ref->digest);
        } else {
            hit = strv_has(im->names, tagged);
        }
        if (hit) {
            *ret = i;
            return 0;
        }
    }
    return error_new(err, ENOENT, "image not known: `%s`", what);
}

int image_db_find(const struct image_db *db, const char *what, size_t *ret_index,
                  struct error **err)
{
    char id[DIGEST_BUF];
    if (what == NULL || *what == '\0')
        return error_new(err, EINVAL, "an empty image name");
    if (digest_normalize(what, "image id", id, NULL) == 0) {
        for (size_t i = 0; i < db->n; i++)
            if (strcmp(db->images[i].id, id) == 0) {
                *ret_index = i;
                return 0;
            }
        return error_new(err, ENOENT, "image not known: `%s`", what);
    }
    cleanup_error struct error *name_err = NULL;
    int r = find_by_name(db, what, ret_index, &name_err);
    if (r == 0)
        return 0;
    const char *hex = strncmp(what, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) == 0
                          ? what + sizeof(DIGEST_PREFIX) - 1
                          : what;
    if (strlen(hex) >= 3 && strlen(hex) < DIGEST_HEX_LEN && is_hex(hex)) {
        size_t found = SIZE_MAX, n = 0;
        for (size_t i = 0; i < db->n; i++)
            if (strncmp(digest_hex(db->images[i].id), hex, strlen(hex)) == 0) {
                found = i;
                n++;
            }
        if (n == 1) {
            *ret_index = found;
            return 0;
        }
        if (n > 1)
            return error_new(err, EINVAL, "image id prefix `%s` is ambiguous (%zu images)", hex,
                             n);
    }
    *err = steal_pointer(&name_err);
    return -error_code(*err);
}

int store_sync(struct store *s, struct error **err)
{
    cleanup_close int fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0)
        return error_errno(err, "store `%s`: syncing", s->root);
    return 0;
}
