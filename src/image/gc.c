/* SPDX-License-Identifier: Apache-2.0 */
#include "image/gc.h"

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

#include "image/image.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static void sort(char **v)
{
    if (v)
        qsort(v, strv_length(v), sizeof(char *), cmp_str);
}

static bool has(char **v, size_t n, const char *s)
{
    return v && bsearch(&s, v, n, sizeof(char *), cmp_str) != NULL;
}

static int push(char ***v, const char *s, struct error **err)
{
    return strv_push(v, s) < 0 ? error_new(err, ENOMEM, "out of memory") : 0;
}

/* Mark one manifest of an image: it, its config, its layer blobs. */
static int mark_manifest(struct store *s, const char *digest, struct gc_roots *m,
                         struct error **err)
{
    cleanup_free char *raw = NULL;
    size_t len = 0;
    cleanup_json json_t *j = NULL;
    cleanup_manifest struct manifest *man = NULL;
    int r = store_blob_read(s, digest, MANIFEST_MAX_SIZE, &raw, &len, err);
    if (r == 0)
        r = manifest_load_json(raw, len, MANIFEST_MAX_SIZE, digest, &j, err);
    if (r == 0)
        r = manifest_parse(j, digest, &man, err);
    if (r == 0)
        r = push(&m->blobs, digest, err);
    if (r == 0)
        r = push(&m->blobs, man->config.digest, err);
    for (size_t i = 0; r == 0 && i < man->n_layers; i++)
        r = push(&m->blobs, man->layers[i].digest, err);
    return r;
}

static int mark(struct store *s, gc_roots_fn extra, void *opaque, struct gc_roots *m,
                struct error **err)
{
    struct image_db *db = NULL;
    int r = store_images_read(s, &db, err);
    for (size_t i = 0; r == 0 && i < db->n; i++) {
        struct image *im = NULL;
        if ((r = image_open_record(s, &db->images[i], &im, err)) < 0)
            break;
        for (size_t k = 0; r == 0 && k < im->config->n_diff_ids; k++)
            r = push(&m->layers, im->config->diff_ids[k], err);
        for (size_t k = 0; r == 0 && db->images[i].manifests[k]; k++)
            r = mark_manifest(s, db->images[i].manifests[k], m, err);
        image_free(im);
    }
    image_db_free(db);
    if (r == 0 && extra)
        r = extra(opaque, m, err);
    if (r < 0)
        return error_wrap(err, "collecting garbage (nothing was removed)");
    sort(m->layers);
    sort(m->blobs);
    return 0;
}

static void sweep_blobs(struct store *s, char **keep, struct gc_stats *st)
{
    cleanup_closedir DIR *d = fs_opendir_at(s->blobsfd, ".");
    if (d == NULL)
        return;
    size_t n = strv_length(keep);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char digest[DIGEST_BUF + 8];
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        if (de->d_name[0] != '.' && has(keep, n, digest))
            continue;
        struct stat sb;
        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            unlinkat(dirfd(d), de->d_name, 0) == 0) {
            /* Dot files are temporaries of a killed writer, not blobs. */
            if (de->d_name[0] != '.') {
                st->blobs++;
                st->bytes += (uint64_t) sb.st_size;
            }
        }
    }
}

static void sweep_layers(struct store *s, char **keep, struct gc_stats *st)
{
    cleanup_closedir DIR *d = fs_opendir_at(s->layersfd, ".");
    if (d == NULL)
        return;
    size_t n = strv_length(keep);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char digest[DIGEST_BUF + 8];
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        if (has(keep, n, digest))
            continue;
        struct layer_info li = {0};
        bool known = store_layer_info(s, digest, &li, NULL) == 0;
        cleanup_error struct error *e = NULL;
        if (fs_remove_tree(dirfd(d), de->d_name, &e) < 0) {
            log_debug("removing layer %s: %s", digest, e->msg);
            continue;
        }
        if (known) {
            st->layers++;
            st->bytes += li.size;
        }
    }
}

/* Links whose layer is gone. */
static void sweep_links(struct store *s)
{
    cleanup_closedir DIR *d = fs_opendir_at(s->linksfd, ".");
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        struct stat sb;
        /* Follows the link: gone when its target is. */
        if (fstatat(dirfd(d), de->d_name, &sb, 0) < 0 && errno == ENOENT)
            unlinkat(dirfd(d), de->d_name, 0);
    }
}

int image_gc(struct store *s, bool wait, gc_roots_fn extra, void *opaque, struct gc_stats *ret,
             struct error **err)
{
    cleanup_close int lock = -1;
    int r = store_lock_gc(s, LOCK_EX | (wait ? 0 : LOCK_NB), &lock, err);
    if (r == -EWOULDBLOCK)
        return 1;
    if (r < 0)
        return r;
    struct gc_roots m = {0};
    struct gc_stats st = {0};
    r = mark(s, extra, opaque, &m, err);
    if (r == 0) {
        sweep_blobs(s, m.blobs, &st);
        sweep_layers(s, m.layers, &st);
        sweep_links(s);
        store_tmp_sweep(s);
    }
    strv_free(m.layers);
    strv_free(m.blobs);
    if (r == 0 && ret)
        *ret = st;
    return r;
}

/* ---- usage ---------------------------------------------------------- */

int64_t image_time_parse(const char *s)
{
    struct tm tm = {0};
    if (s == NULL)
        return 0;
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL)
        return 0;
    time_t t = timegm(&tm);
    /* Fractions and "Z" need nothing; an offset does. */
    while (*end == '.' || (*end >= '0' && *end <= '9'))
        end++;
    int hh = 0, mm = 0;
    if ((*end == '+' || *end == '-') && sscanf(end + 1, "%d:%d", &hh, &mm) == 2)
        t -= (*end == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
    return (int64_t) t;
}

void store_usage_free(struct store_usage *u)
{
    if (u == NULL)
        return;
    for (size_t i = 0; i < u->n; i++) {
        strv_free(u->images[i].names);
        strv_free(u->images[i].diff_ids);
    }
    free(u->images);
    free(u);
}

static void count_dir(int parent, size_t *ret_n, uint64_t *ret_bytes)
{
    cleanup_closedir DIR *d = fs_opendir_at(parent, ".");
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat sb;
        if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        (*ret_n)++;
        *ret_bytes += (uint64_t) sb.st_size;
    }
}

static int fill_image(struct store *s, const struct image_record *rec, struct usage_image *u,
                      struct error **err)
{
    struct image *im = NULL;
    int r = image_open_record(s, rec, &im, err);
    if (r < 0)
        return r;
    memcpy(u->id, rec->id, DIGEST_BUF);
    u->created = image_time_parse(im->config->created);
    if (u->created == 0)
        u->created = rec->added;
    for (size_t k = 0; r == 0 && rec->names && rec->names[k]; k++)
        r = push(&u->names, rec->names[k], err);
    for (size_t k = 0; r == 0 && k < im->config->n_diff_ids; k++)
        r = push(&u->diff_ids, im->config->diff_ids[k], err);
    image_free(im);
    return r;
}

int image_usage(struct store *s, struct store_usage **ret, struct error **err)
{
    struct image_db *db = NULL;
    int r = store_images_read(s, &db, err);
    if (r < 0)
        return r;
    struct store_usage *u = calloc(1, sizeof(*u));
    if (u == NULL || (u->images = calloc(db->n + 1, sizeof(*u->images))) == NULL) {
        free(u);
        image_db_free(db);
        return error_new(err, ENOMEM, "out of memory");
    }
    for (size_t i = 0; r == 0 && i < db->n; i++) {
        u->n = i + 1;
        r = fill_image(s, &db->images[i], &u->images[i], err);
    }
    image_db_free(db);
    if (r < 0) {
        store_usage_free(u);
        return r;
    }
    /* A layer's bytes are shared when another image has it too. */
    for (size_t i = 0; i < u->n; i++) {
        struct usage_image *im = &u->images[i];
        for (size_t k = 0; im->diff_ids && im->diff_ids[k]; k++) {
            struct layer_info li = {0};
            if (store_layer_info(s, im->diff_ids[k], &li, err) < 0) {
                r = error_wrap(err, "image %.19s", im->id);
                store_usage_free(u);
                return r;
            }
            /* the same layer twice in one image counts once */
            bool dup = false;
            for (size_t j = 0; j < k; j++)
                dup |= strcmp(im->diff_ids[j], im->diff_ids[k]) == 0;
            if (dup)
                continue;
            bool shared = false;
            for (size_t o = 0; o < u->n && !shared; o++)
                for (size_t j = 0; o != i && u->images[o].diff_ids && u->images[o].diff_ids[j];
                     j++)
                    shared |= strcmp(u->images[o].diff_ids[j], im->diff_ids[k]) == 0;
            im->size += li.size;
            if (shared)
                im->shared += li.size;
            else
                im->unique += li.size;
        }
    }
    cleanup_closedir DIR *d = fs_opendir_at(s->layersfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char digest[DIGEST_BUF + 8];
        struct layer_info li;
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        if (de->d_name[0] != '.' && store_layer_info(s, digest, &li, NULL) == 0) {
            u->layers++;
            u->layers_bytes += li.size;
        }
    }
    count_dir(s->blobsfd, &u->blobs, &u->blobs_bytes);
    *ret = u;
    return 0;
}
