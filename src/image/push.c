/* SPDX-License-Identifier: Apache-2.0 */
/* `push`: blobs (checked, mounted or uploaded), then the manifest. */
#include "image/push.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

#define REPORT_EVERY_MS 100

void push_result_release(struct push_result *r)
{
    free(r->name);
    r->name = NULL;
    r->tag = NULL;
}

struct pusher {
    struct store *s;
    struct registry *reg;
    const struct image_ref *dest;
    const struct push_opts *o;
    struct push_blob_progress *blobs;
    size_t n;
    char *repo; /* domain/path, for the progress */
    char **mount_from;
    int fd;        /* of the blob being sent */
    size_t cur;    /* its line, or SIZE_MAX (the config) */
    int64_t last_report;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(struct pusher *p, bool finished)
{
    if (p->o->progress == NULL)
        return;
    struct push_progress pp = {.repo = p->repo, .blobs = p->blobs, .n_blobs = p->n,
                               .finished = finished};
    p->o->progress(p->o->progress_opaque, &pp);
    p->last_report = now_ms();
}

static ssize_t read_blob(void *opaque, void *buf, size_t len, uint64_t off, struct error **err)
{
    struct pusher *p = opaque;
    for (;;) {
        ssize_t n = pread(p->fd, buf, len, (off_t) off);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return error_errno(err, "reading a blob of the store");
    }
}

static void on_upload(void *opaque, uint64_t done, uint64_t total)
{
    struct pusher *p = opaque;
    if (p->cur == SIZE_MAX)
        return;
    bool first = p->blobs[p->cur].state != PUSH_PUSHING;
    p->blobs[p->cur].state = PUSH_PUSHING;
    p->blobs[p->cur].done = done;
    if (first || now_ms() - p->last_report >= REPORT_EVERY_MS)
        report(p, false);
}

/* Repositories of the destination's registry the image came from. */
static int mount_sources(const struct image *im, const struct image_ref *dest, char ***ret,
                         struct error **err)
{
    char **lists[2] = {im->names, im->digests};
    cleanup_strv char **out = NULL;
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; lists[l] && lists[l][i]; i++) {
            cleanup_image_ref struct image_ref *ref = NULL;
            if (image_ref_parse(lists[l][i], true, &ref, NULL) < 0 ||
                strcmp(ref->domain, dest->domain) != 0 || strcmp(ref->path, dest->path) == 0)
                continue;
            bool seen = false;
            for (size_t k = 0; out && out[k]; k++)
                seen |= strcmp(out[k], ref->path) == 0;
            if (!seen && strv_push(&out, ref->path) < 0)
                return error_new(err, ENOMEM, "out of memory");
        }
    *ret = steal_pointer(&out);
    return 0;
}

static int push_blob(struct pusher *p, const char *digest, size_t line, struct error **err)
{
    cleanup_close int fd = -1;
    int rc = store_blob_open(p->s, digest, &fd, err);
    if (rc < 0)
        return error_wrap(err, "the store lacks it (an image loaded without its layer blobs "
                               "cannot be pushed)");
    struct push_blob_progress *b = line == SIZE_MAX ? NULL : &p->blobs[line];
    int64_t size = store_blob_size(p->s, digest);
    p->fd = fd;
    p->cur = line;
    struct registry_upload u = {.digest = digest, .size = (uint64_t) size, .read = read_blob,
                                .opaque = p, .mount_from = p->mount_from,
                                .chunk_size = p->o->chunk_size ? p->o->chunk_size
                                                               : PUSH_DEFAULT_CHUNK,
                                .progress = on_upload, .progress_opaque = p};
    enum registry_upload_how how = UPLOAD_MONOLITHIC;
    const char *from = NULL;
    rc = registry_blob_push(p->reg, p->dest->path, &u, &how, &from, err);
    p->fd = -1;
    if (rc < 0 || b == NULL)
        return rc;
    b->done = b->size;
    b->state = how == UPLOAD_EXISTED ? PUSH_EXISTED : how == UPLOAD_MOUNTED ? PUSH_MOUNTED
                                                                           : PUSH_DONE;
    b->from = from;
    report(p, false);
    return 0;
}

static int push_layers(struct pusher *p, const struct image *im, struct error **err)
{
    const struct manifest *m = im->manifest;
    p->n = m->n_layers;
    p->blobs = calloc(m->n_layers + 1, sizeof(*p->blobs));
    if (p->blobs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n_layers; i++) {
        memcpy(p->blobs[i].digest, m->layers[i].digest, DIGEST_BUF);
        p->blobs[i].size = (uint64_t) m->layers[i].size;
    }
    report(p, false);
    for (size_t i = 0; i < m->n_layers; i++) {
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup |= strcmp(p->blobs[k].digest, p->blobs[i].digest) == 0;
        int rc = dup ? 0 : push_blob(p, m->layers[i].digest, i, err);
        if (rc < 0)
            return error_wrap(err, "layer %zu of %zu", i + 1, m->n_layers);
        if (dup)
            p->blobs[i].state = PUSH_EXISTED;
    }
    int rc = push_blob(p, m->config.digest, SIZE_MAX, err);
    return rc < 0 ? error_wrap(err, "its config") : 0;
}

static const char *media_type_of(const struct image *im, const char *raw, size_t len)
{
    cleanup_json json_t *j = NULL;
    json_error_t je;
    j = json_loadb(raw, len, 0, &je);
    const char *mt = json_string_value(json_object_get(j, "mediaType"));
    if (mt && strcmp(mt, MEDIA_DOCKER_MANIFEST) == 0)
        return MEDIA_DOCKER_MANIFEST;
    if (mt && strcmp(mt, MEDIA_OCI_MANIFEST) == 0)
        return MEDIA_OCI_MANIFEST;
    return im->manifest->kind == MANIFEST_DOCKER ? MEDIA_DOCKER_MANIFEST : MEDIA_OCI_MANIFEST;
}

struct digest_edit {
    const char *id, *repo_digest;
};

static int add_digest(struct image_db *db, void *opaque, struct error **err)
{
    struct digest_edit *x = opaque;
    for (size_t i = 0; i < db->n; i++)
        if (strcmp(db->images[i].id, x->id) == 0)
            return image_record_add_digest(&db->images[i], x->repo_digest) < 0
                       ? error_new(err, ENOMEM, "out of memory")
                       : 0;
    return 1; /* removed meanwhile: nothing to note */
}

/* The destination: `dest`, or the image's name; never a digest. */
static int parse_dest(const char *image, const char *dest, struct image_ref **ret,
                      struct error **err)
{
    const char *d = dest ? dest : image;
    if (strncmp(d, "docker://", 9) == 0)
        d += 9;
    struct image_ref *ref = NULL;
    int rc = image_ref_parse(d, false, &ref, err);
    if (rc < 0)
        return dest ? error_wrap(err, "destination") : rc;
    if (ref->digest) {
        image_ref_free(ref);
        return error_new(err, EINVAL, "`%s`: cannot push to a digest; give a tag", d);
    }
    *ret = ref;
    return 0;
}

static int push_image(struct pusher *p, const struct image *im, struct push_result *ret,
                      struct error **err)
{
    cleanup_free char *raw = NULL;
    size_t len = 0;
    int rc = store_blob_read(p->s, im->manifest_digest, MANIFEST_MAX_SIZE, &raw, &len, err);
    if (rc == 0)
        rc = mount_sources(im, p->dest, &p->mount_from, err);
    if (rc == 0)
        rc = push_layers(p, im, err);
    char digest[DIGEST_BUF];
    if (rc == 0)
        rc = registry_put_manifest(p->reg, p->dest->path, p->dest->tag,
                                   media_type_of(im, raw, len), raw, len, digest, err);
    if (rc < 0)
        return rc;
    cleanup_free char *repo_digest = NULL;
    if (asprintf(&repo_digest, "%s@%s", p->repo, digest) < 0 ||
        asprintf(&ret->name, "%s:%s", p->repo, p->dest->tag) < 0)
        return error_new(err, ENOMEM, "out of memory");
    ret->tag = ret->name + strlen(p->repo) + 1;
    memcpy(ret->digest, digest, DIGEST_BUF);
    ret->size = len;
    struct digest_edit x = {im->id, repo_digest};
    return store_images_update(p->s, add_digest, &x, err);
}

int image_push(struct store *s, const char *image, const char *dest, const struct push_opts *o,
               struct push_result *ret, struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int rc = parse_dest(image, dest, &ref, err);
    if (rc < 0)
        return error_wrap(err, "pushing `%s`", image);
    cleanup_close int lock = -1;
    struct image *im = NULL;
    if ((rc = store_lock_gc(s, LOCK_SH, &lock, err)) < 0 || (rc = image_open(s, image, &im, err)) < 0)
        return error_wrap(err, "pushing `%s`", image);
    struct pusher p = {.s = s, .dest = ref, .o = o, .fd = -1, .repo = image_ref_name(ref)};
    struct push_result out = {0};
    if (p.repo == NULL)
        rc = error_new(err, ENOMEM, "out of memory");
    if (rc == 0)
        rc = registry_open(ref->domain, &o->reg, &p.reg, err);
    if (rc == 0)
        rc = push_image(&p, im, &out, err);
    report(&p, true);
    registry_free(p.reg);
    image_free(im);
    free(p.blobs);
    strv_free(p.mount_from);
    free(p.repo);
    if (rc < 0) {
        push_result_release(&out);
        return error_wrap(err, "pushing `%s`", image);
    }
    *ret = out;
    return 0;
}
