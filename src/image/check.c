/* SPDX-License-Identifier: Apache-2.0 */
#include "image/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#define IMAGES_FILE "images.json"
#define LAYER_FILE  "layer.json"

/* ---- the report -------------------------------------------------------------- */

void check_report_add(struct check_report *rep, const char *what, const char *action,
                      const char *fmt, ...)
{
    struct check_item it = {0};
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&it.problem, fmt, ap);
    va_end(ap);
    it.what = strdup(what);
    it.action = action ? strdup(action) : NULL;
    struct check_item *v = realloc(rep->items, (rep->n + 1) * sizeof(*v));
    if (n < 0 || it.what == NULL || (action && it.action == NULL) || v == NULL) {
        free(n < 0 ? NULL : it.problem);
        free(it.what);
        free(it.action);
        if (v)
            rep->items = v;
        return;
    }
    rep->items = v;
    rep->items[rep->n++] = it;
    rep->unrepaired += action == NULL;
}

void check_report_release(struct check_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->items[i].what);
        free(rep->items[i].problem);
        free(rep->items[i].action);
    }
    free(rep->items);
    *rep = (struct check_report) {0};
}

struct ctx {
    struct store *s;
    const struct image_check_opts *o;
    struct check_report *rep;
};

/* "ROOT/sub/name" for the report. */
static void path_of(const struct ctx *c, const char *sub, const char *name, char *buf,
                    size_t len)
{
    snprintf(buf, len, "%s/%s%s%s", c->s->root, sub, name ? "/" : "", name ? name : "");
}

/* ---- tmp/ ------------------------------------------------------------------------ */

static void check_tmp(struct ctx *c)
{
    cleanup_closedir DIR *d = fs_opendir_at(c->s->tmpfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!store_tmp_abandoned(c->s, de->d_name))
            continue; /* someone is working in it */
        char p[4096];
        path_of(c, "tmp", de->d_name, p, sizeof(p));
        const char *done = NULL;
        if (c->o->repair && fs_remove_tree(dirfd(d), de->d_name, NULL) == 0)
            done = "removed";
        check_report_add(c->rep, p, done, "left by a process that was killed");
    }
}

/* ---- blobs ----------------------------------------------------------------------- */

static int file_digest(int dirfd, const char *name, char out[DIGEST_BUF], struct error **err)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return error_errno(err, "opening it");
    cleanup_digester struct digester *dg = NULL;
    int r = digester_new(&dg, err);
    if (r < 0)
        return r;
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        digester_update(dg, buf, (size_t) n);
    if (n < 0)
        return error_errno(err, "reading it");
    digester_final(dg, out);
    return 0;
}

static void check_blobs(struct ctx *c)
{
    cleanup_closedir DIR *d = fs_opendir_at(c->s->blobsfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[4096], digest[DIGEST_BUF + 8], got[DIGEST_BUF];
        path_of(c, "blobs/sha256", de->d_name, p, sizeof(p));
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        struct stat st;
        cleanup_error struct error *e = NULL;
        const char *problem = NULL;
        if (de->d_name[0] == '.')
            problem = "a temporary file left by a process that was killed";
        else if (!digest_valid(digest))
            problem = "not named by a digest";
        else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                 !S_ISREG(st.st_mode))
            problem = "not a regular file";
        else if (file_digest(dirfd(d), de->d_name, got, &e) < 0)
            problem = e->msg;
        else if (strcmp(got, digest) != 0)
            problem = "its content does not have its digest (it is corrupt)";
        if (problem == NULL)
            continue;
        const char *done = NULL;
        if (c->o->repair && fs_remove_tree(dirfd(d), de->d_name, NULL) == 0)
            done = "removed";
        check_report_add(c->rep, p, done, "%s", problem);
    }
}

/* ---- finding a layer's blob through the manifests ---------------------------- */

/* The manifest in blob `digest` (NULL if it is none) and its config. */
static int read_pair(struct store *s, const char *digest, struct manifest **ret_m,
                     struct image_config **ret_c)
{
    cleanup_free char *raw = NULL, *craw = NULL;
    size_t len = 0, clen = 0;
    cleanup_json json_t *j = NULL, *cj = NULL;
    if (store_blob_size(s, digest) > (int64_t) MANIFEST_MAX_SIZE ||
        store_blob_read(s, digest, MANIFEST_MAX_SIZE, &raw, &len, NULL) < 0 ||
        manifest_load_json(raw, len, MANIFEST_MAX_SIZE, digest, &j, NULL) < 0 ||
        manifest_sniff(j) != DOC_MANIFEST)
        return -1;
    cleanup_manifest struct manifest *m = NULL;
    cleanup_image_config struct image_config *cfg = NULL;
    if (manifest_parse(j, digest, &m, NULL) < 0 ||
        store_blob_read(s, m->config.digest, CONFIG_MAX_SIZE, &craw, &clen, NULL) < 0 ||
        manifest_load_json(craw, clen, CONFIG_MAX_SIZE, m->config.digest, &cj, NULL) < 0 ||
        image_config_parse(cj, m->config.digest, &cfg, NULL) < 0 ||
        cfg->n_diff_ids != m->n_layers)
        return -1;
    *ret_m = steal_pointer(&m);
    *ret_c = steal_pointer(&cfg);
    return 0;
}

/* Every manifest of blobs/ with its config, for the two searches below. */
struct pairs {
    char **digests;
    struct manifest **m;
    struct image_config **cfg;
    size_t n;
};

static void pairs_release(struct pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        manifest_free(p->m[i]);
        image_config_free(p->cfg[i]);
    }
    strv_free(p->digests);
    free(p->m);
    free(p->cfg);
    *p = (struct pairs) {0};
}

static void pairs_load(struct store *s, struct pairs *p)
{
    cleanup_closedir DIR *d = fs_opendir_at(s->blobsfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char digest[DIGEST_BUF + 8];
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        struct manifest *m = NULL;
        struct image_config *cfg = NULL;
        if (!digest_valid(digest) || read_pair(s, digest, &m, &cfg) < 0)
            continue;
        struct manifest **mv = realloc(p->m, (p->n + 1) * sizeof(*mv));
        if (mv)
            p->m = mv;
        struct image_config **cv = realloc(p->cfg, (p->n + 1) * sizeof(*cv));
        if (cv)
            p->cfg = cv;
        if (mv == NULL || cv == NULL || strv_push(&p->digests, digest) < 0) {
            manifest_free(m);
            image_config_free(cfg);
            return;
        }
        p->m[p->n] = m;
        p->cfg[p->n++] = cfg;
    }
}

/* The blob that holds layer `diff_id`, by some manifest's word. */
static const char *layer_blob(struct store *s, const struct pairs *p, const char *diff_id)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < p->m[i]->n_layers; k++)
            if (strcmp(p->cfg[i]->diff_ids[k], diff_id) == 0 &&
                store_has_blob(s, p->m[i]->layers[k].digest))
                return p->m[i]->layers[k].digest;
    return NULL;
}

/* ---- layers and their short links ---------------------------------------------- */

static int rebuild_layer(struct store *s, const char *diff_id, const char *blob,
                         struct error **err)
{
    int fd = -1;
    int r = store_blob_open(s, blob, &fd, err);
    if (r < 0)
        return r;
    cleanup_close int bfd = fd;
    struct layer_source src = {layer_read_fd, &fd};
    struct layer_ingest_opts o = {
        .flags = LAYER_UNPACK, .expect_digest = blob, .expect_diff_id = diff_id,
        .what = diff_id,
    };
    struct layer_result res;
    return layer_ingest(s, &src, &o, &res, err);
}

static void check_one_layer(struct ctx *c, const struct pairs *p, const char *name)
{
    char digest[DIGEST_BUF + 8], path[4096];
    snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", name);
    path_of(c, "layers", name, path, sizeof(path));
    if (!digest_valid(digest)) {
        check_report_add(c->rep, path, NULL, "not named by a digest (left alone)");
        return;
    }
    struct layer_info li;
    cleanup_error struct error *e = NULL;
    char diff[DIGEST_BUF + 16];
    snprintf(diff, sizeof(diff), "%s/diff", name);
    struct stat st;
    if (store_layer_info(c->s, digest, &li, &e) == 0) {
        if (fstatat(c->s->layersfd, diff, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            return;
        error_new(&e, ENOENT, "its diff/ folder is missing");
    }
    if (!c->o->repair) {
        check_report_add(c->rep, path, NULL, "%s", e->msg);
        return;
    }
    const char *blob = layer_blob(c->s, p, digest);
    cleanup_error struct error *e2 = NULL;
    if (fs_remove_tree(c->s->layersfd, name, &e2) < 0) {
        check_report_add(c->rep, path, NULL, "%s (and removing it failed: %s)", e->msg,
                         e2->msg);
        return;
    }
    if (blob == NULL) {
        check_report_add(c->rep, path, "removed (no blob in the store holds it)", "%s", e->msg);
        return;
    }
    if (rebuild_layer(c->s, digest, blob, &e2) < 0) {
        check_report_add(c->rep, path, "removed", "%s (rebuilding it from blob %s failed: %s)",
                         e->msg, blob, e2->msg);
        return;
    }
    char done[DIGEST_BUF + 64];
    snprintf(done, sizeof(done), "unpacked again from blob %s", blob);
    check_report_add(c->rep, path, done, "%s", e->msg);
}

static void check_layers(struct ctx *c, const struct pairs *p)
{
    cleanup_strv char **names = NULL;
    cleanup_closedir DIR *d = fs_opendir_at(c->s->layersfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            strv_push(&names, de->d_name);
    /* Not while reading the folder: a rebuilt layer is renamed into it. */
    for (size_t i = 0; names && names[i]; i++)
        check_one_layer(c, p, names[i]);
}

static void check_links(struct ctx *c)
{
    /* Links that lead nowhere. */
    cleanup_closedir DIR *d = fs_opendir_at(c->s->linksfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode))
            continue;
        char p[4096];
        path_of(c, "l", de->d_name, p, sizeof(p));
        const char *done = NULL;
        if (c->o->repair && unlinkat(dirfd(d), de->d_name, 0) == 0)
            done = "removed";
        check_report_add(c->rep, p, done, "a short link to no layer");
    }
    /* Layers whose link is missing or leads elsewhere. */
    cleanup_closedir DIR *ld = fs_opendir_at(c->s->layersfd, ".");
    while (ld && (de = readdir(ld)) != NULL) {
        char digest[DIGEST_BUF + 8], want[DIGEST_BUF + 32], have[DIGEST_BUF + 32];
        snprintf(digest, sizeof(digest), DIGEST_PREFIX "%s", de->d_name);
        struct layer_info li;
        if (!digest_valid(digest) || store_layer_info(c->s, digest, &li, NULL) < 0)
            continue;
        snprintf(want, sizeof(want), "../layers/%s/diff", de->d_name);
        ssize_t n = readlinkat(c->s->linksfd, li.link, have, sizeof(have) - 1);
        if (n >= 0 && (size_t) n == strlen(want) && memcmp(have, want, (size_t) n) == 0)
            continue;
        char p[4096];
        path_of(c, "l", li.link, p, sizeof(p));
        const char *done = NULL;
        if (c->o->repair && (n < 0 || unlinkat(c->s->linksfd, li.link, 0) == 0) &&
            symlinkat(want, c->s->linksfd, li.link) == 0)
            done = "made again";
        check_report_add(c->rep, p, done, "layer %.19s's short link is %s", digest,
                         n < 0 ? "missing" : "wrong");
    }
}

/* ---- images.json and the records -------------------------------------------------- */

struct rebuild {
    const struct pairs *p;
    struct store *s;
    const struct image_check_opts *o;
    size_t made;
};

static bool layers_there(struct store *s, const struct image_config *cfg)
{
    struct layer_info li;
    for (size_t k = 0; k < cfg->n_diff_ids; k++)
        if (store_layer_info(s, cfg->diff_ids[k], &li, NULL) < 0)
            return false;
    return true;
}

static int rebuild_edit(struct image_db *db, void *opaque, struct error **err)
{
    struct rebuild *x = opaque;
    int64_t now = (int64_t) time(NULL);
    for (size_t i = 0; i < x->p->n; i++) {
        const char *id = x->p->m[i]->config.digest;
        if (!layers_there(x->s, x->p->cfg[i]))
            continue;
        struct image_record *r = NULL;
        for (size_t k = 0; k < db->n && !r; k++)
            if (strcmp(db->images[k].id, id) == 0)
                r = &db->images[k];
        if (r == NULL) {
            if ((r = image_db_add(db, id)) == NULL)
                return error_new(err, ENOMEM, "out of memory");
            r->added = now;
            x->made++;
        }
        if (image_record_add_manifest(r, x->p->digests[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    for (size_t h = 0; h < x->o->n_hints; h++) {
        const struct check_name_hint *hint = &x->o->hints[h];
        bool taken = false;
        for (size_t k = 0; k < db->n; k++)
            taken |= image_record_has_name(&db->images[k], hint->name);
        for (size_t k = 0; k < db->n && !taken; k++)
            if (strcmp(db->images[k].id, hint->image_id) == 0 &&
                image_record_add_name(&db->images[k], hint->name) < 0)
                return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* images.json cannot be read: keep it aside and make a new one. */
static void rebuild_images(struct ctx *c, const struct pairs *p, const struct error *why)
{
    char path[4096], aside[64];
    path_of(c, IMAGES_FILE, NULL, path, sizeof(path));
    if (!c->o->repair) {
        check_report_add(c->rep, path, NULL, "%s", why->msg);
        return;
    }
    snprintf(aside, sizeof(aside), IMAGES_FILE ".damaged-%lld", (long long) time(NULL));
    cleanup_close int lock = -1;
    cleanup_error struct error *e = NULL;
    if (store_lock(c->s, &lock, &e) < 0 ||
        (renameat(c->s->rootfd, IMAGES_FILE, c->s->rootfd, aside) < 0 &&
         error_errno(&e, "moving it aside") < 0)) {
        check_report_add(c->rep, path, NULL, "%s (%s)", why->msg, e->msg);
        return;
    }
    close(steal_fd(&lock));
    struct rebuild x = {.p = p, .s = c->s, .o = c->o};
    if (store_images_update(c->s, rebuild_edit, &x, &e) < 0) {
        check_report_add(c->rep, path, NULL, "%s (rebuilding it failed: %s)", why->msg, e->msg);
        return;
    }
    char done[256];
    snprintf(done, sizeof(done),
             "kept aside as %s; rebuilt from the manifests in blobs/: %zu images (names that "
             "no container recorded are lost: pull or tag them again)",
             aside, x.made);
    check_report_add(c->rep, path, done, "%s", why->msg);
}

/* Why record `r` cannot be used, or NULL. */
static char *record_problem(struct store *s, const struct image_record *r)
{
    cleanup_error struct error *e = NULL;
    struct image *im = NULL;
    char *msg = NULL;
    if (image_open_record(s, r, &im, &e) < 0)
        return strdup(e->msg);
    for (size_t k = 0; !msg && k < im->config->n_diff_ids; k++) {
        struct layer_info li;
        if (store_layer_info(s, im->config->diff_ids[k], &li, &e) < 0 &&
            asprintf(&msg, "layer %zu: %s", k + 1, e->msg) < 0)
            msg = NULL;
    }
    image_free(im);
    return msg;
}

struct drop {
    char **ids;
};

static int drop_edit(struct image_db *db, void *opaque, struct error **err)
{
    (void) err;
    struct drop *x = opaque;
    for (size_t i = db->n; i-- > 0;)
        for (size_t k = 0; x->ids && x->ids[k]; k++)
            if (strcmp(db->images[i].id, x->ids[k]) == 0) {
                image_db_remove(db, i);
                break;
            }
    return 0;
}

static void what_image(const struct image_record *r, char *buf, size_t len)
{
    snprintf(buf, len, "image %.19s%s%s", r->id, r->names && r->names[0] ? " " : "",
             r->names && r->names[0] ? r->names[0] : "");
}

static void missing_blobs(struct ctx *c, const struct image_record *r)
{
    struct image *im = NULL;
    if (image_open_record(c->s, r, &im, NULL) < 0)
        return;
    char what[256];
    what_image(r, what, sizeof(what));
    for (size_t k = 0; k < im->manifest->n_layers; k++)
        if (!store_has_blob(c->s, im->manifest->layers[k].digest))
            check_report_add(c->rep, what, NULL,
                             "layer %zu's blob %s is missing: the image runs, but `save` and "
                             "`push` of it fail (pull it again to get it back)",
                             k + 1, im->manifest->layers[k].digest);
    image_free(im);
}

static void check_records(struct ctx *c)
{
    struct image_db *db = NULL;
    if (store_images_read(c->s, &db, NULL) < 0)
        return;
    struct drop x = {0};
    for (size_t i = 0; i < db->n; i++) {
        cleanup_free char *why = record_problem(c->s, &db->images[i]);
        char what[256];
        what_image(&db->images[i], what, sizeof(what));
        if (why == NULL) {
            missing_blobs(c, &db->images[i]);
            continue;
        }
        bool drop = c->o->repair && strv_push(&x.ids, db->images[i].id) == 0;
        check_report_add(c->rep, what,
                         drop ? "its record dropped (pull or load it again)" : NULL, "%s", why);
    }
    image_db_free(db);
    cleanup_error struct error *e = NULL;
    if (x.ids && store_images_update(c->s, drop_edit, &x, &e) < 0) {
        char path[4096];
        path_of(c, IMAGES_FILE, NULL, path, sizeof(path));
        check_report_add(c->rep, path, NULL, "dropping the broken records failed: %s", e->msg);
    }
    strv_free(x.ids);
}

int image_check(struct store *s, const struct image_check_opts *o, struct check_report *rep,
                struct error **err)
{
    cleanup_close int lock = -1;
    int r = store_lock_gc(s, o->repair ? LOCK_EX : LOCK_SH, &lock, err);
    if (r < 0)
        return r;
    struct ctx c = {s, o, rep};
    check_tmp(&c);
    check_blobs(&c);
    struct pairs p = {0};
    pairs_load(s, &p);
    check_layers(&c, &p);
    check_links(&c);
    struct image_db *db = NULL;
    cleanup_error struct error *e = NULL;
    if (store_images_read(s, &db, &e) < 0)
        rebuild_images(&c, &p, e);
    image_db_free(db);
    check_records(&c);
    pairs_release(&p);
    return 0;
}
