/* SPDX-License-Identifier: Apache-2.0 */
/* `pull`: resolve, fetch the config, stream the layers into the store. */
#include "image/pull.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define MAX_INDEX_DEPTH 4

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pull_result_release(struct pull_result *r)
{
    free(r->name);
    r->name = NULL;
}

/* ---- resolving the reference to one image manifest ------------------------------ */

struct resolved {
    struct registry_manifest top;   /* what the reference named */
    struct registry_manifest image; /* the platform's manifest (may be top) */
    bool from_index;
    json_t *json;                   /* of image */
    struct manifest *manifest;
};

static void resolved_release(struct resolved *r)
{
    if (r->image.body != r->top.body)
        registry_manifest_release(&r->image);
    registry_manifest_release(&r->top);
    json_decref(r->json);
    manifest_free(r->manifest);
}

static bool is_index_type(const char *mt)
{
    return strcmp(mt, MEDIA_OCI_INDEX) == 0 || strcmp(mt, MEDIA_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *mt)
{
    return strcmp(mt, MEDIA_OCI_MANIFEST) == 0 || strcmp(mt, MEDIA_DOCKER_MANIFEST) == 0;
}

/* The platform's entry of an index. */
static int choose(const struct registry_manifest *m, const struct platform *want,
                  char ret_digest[DIGEST_BUF], int64_t *ret_size, struct error **err)
{
    char what[128], pf[128];
    snprintf(what, sizeof(what), "index %s", m->digest);
    cleanup_json json_t *j = NULL;
    cleanup_image_index struct image_index *ix = NULL;
    int rc = manifest_load_json(m->body, m->len, MANIFEST_MAX_SIZE, what, &j, err);
    if (rc == 0)
        rc = image_index_parse(j, what, &ix, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const struct descriptor *d = &ix->manifests[i];
        if (!platform_matches(d, want))
            continue;
        if (*d->media_type && !is_manifest_type(d->media_type) && !is_index_type(d->media_type))
            continue;
        memcpy(ret_digest, d->digest, DIGEST_BUF);
        *ret_size = d->size;
        return 0;
    }
    platform_format(want, pf, sizeof(pf));
    cleanup_free char *have = NULL;
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const struct descriptor *d = &ix->manifests[i];
        char one[128], *n = NULL;
        if (!d->has_platform)
            continue;
        platform_format(&d->platform, one, sizeof(one));
        if (asprintf(&n, "%s%s%s", have ? have : "", have ? ", " : "", one) < 0)
            break;
        free(have);
        have = n;
    }
    return error_new(err, ENOENT, "no image for %s in the index (it has: %s)", pf,
                     have ? have : "none");
}

static int resolve(struct registry *reg, const struct image_ref *ref, const struct platform *want,
                   struct resolved *ret, struct error **err)
{
    const char *first = ref->digest ? ref->digest : ref->tag;
    int rc = registry_get_manifest(reg, ref->path, first, MANIFEST_MAX_SIZE, &ret->top, err);
    if (rc < 0)
        return rc;
    ret->image = ret->top; /* the same until an index leads elsewhere */
    for (int depth = 0; is_index_type(ret->image.media_type); depth++) {
        char child[DIGEST_BUF];
        int64_t size = 0;
        if (depth >= MAX_INDEX_DEPTH)
            return error_new(err, ELOOP, "indexes nested more than %d deep", MAX_INDEX_DEPTH);
        if ((rc = choose(&ret->image, want, child, &size, err)) < 0)
            return error_wrap(err, "%s/%s", registry_domain(reg), ref->path);
        size_t max = size > 0 && size < (int64_t) MANIFEST_MAX_SIZE ? (size_t) size
                                                                    : MANIFEST_MAX_SIZE;
        struct registry_manifest next = {0};
        if ((rc = registry_get_manifest(reg, ref->path, child, max, &next, err)) < 0)
            return rc;
        if (ret->image.body != ret->top.body)
            registry_manifest_release(&ret->image);
        ret->image = next;
        ret->from_index = true;
    }
    const struct registry_manifest *im = &ret->image;
    if (!is_manifest_type(im->media_type))
        return error_new(err, ENOTSUP, "%s/%s: `%s` is not an image manifest",
                         registry_domain(reg), ref->path, im->media_type);
    char what[128];
    snprintf(what, sizeof(what), "manifest %s", im->digest);
    if ((rc = manifest_load_json(im->body, im->len, MANIFEST_MAX_SIZE, what, &ret->json, err)) <
            0 ||
        (rc = manifest_parse(ret->json, what, &ret->manifest, err)) < 0)
        return rc;
    return 0;
}

/* ---- the config ----------------------------------------------------------------- */

static int fetch_config(struct store *s, struct registry *reg, const char *repo,
                        const struct manifest *m, char **ret, size_t *ret_len,
                        struct image_config **ret_cfg, struct error **err)
{
    const char *d = m->config.digest;
    if (m->config.size > (int64_t) CONFIG_MAX_SIZE)
        return error_new(err, EFBIG, "config %s: %lld bytes is more than the limit of %u", d,
                         (long long) m->config.size, CONFIG_MAX_SIZE);
    int rc;
    if (store_has_blob(s, d))
        rc = store_blob_read(s, d, CONFIG_MAX_SIZE, ret, ret_len, err);
    else
        rc = registry_get_blob(reg, repo, d, CONFIG_MAX_SIZE, ret, ret_len, err);
    if (rc < 0)
        return rc;
    char what[128];
    snprintf(what, sizeof(what), "config %s", d);
    cleanup_json json_t *j = NULL;
    if ((rc = manifest_load_json(*ret, *ret_len, CONFIG_MAX_SIZE, what, &j, err)) < 0 ||
        (rc = image_config_parse(j, what, ret_cfg, err)) < 0) {
        free(*ret);
        return rc;
    }
    return 0;
}

static int check_config(const struct manifest *m, const struct image_config *c,
                        const struct platform *asked, struct error **err)
{
    if (m->n_layers != c->n_diff_ids)
        return error_new(err, EINVAL, "the manifest has %zu layers but its config %zu diff_ids",
                         m->n_layers, c->n_diff_ids);
    for (size_t i = 0; i < m->n_layers; i++)
        if (!media_type_is_layer(m->layers[i].media_type))
            return error_new(err, ENOTSUP, "layer %zu (%s): media type `%s` is not one cabin "
                                           "unpacks",
                             i + 1, m->layers[i].digest, m->layers[i].media_type);
    if (asked == NULL || c->os == NULL || c->architecture == NULL)
        return 0;
    struct descriptor d = {.has_platform = true,
                           .platform = {c->os, c->architecture, c->variant}};
    if (platform_matches(&d, asked))
        return 0;
    char want[128], have[128];
    platform_format(asked, want, sizeof(want));
    platform_format(&d.platform, have, sizeof(have));
    return error_new(err, ENOENT, "the image is for %s, not for the platform asked for (%s)",
                     have, want);
}

/* ---- the layers ------------------------------------------------------------------ */

struct job {
    size_t layer; /* index in the manifest */
    const struct descriptor *d;
    const char *diff_id;
    struct registry_stream *stream;
    struct layer_result res;
};

struct puller {
    struct store *s;
    struct registry_downloads *dl;
    const struct pull_opts *o;
    struct job *jobs;
    size_t n_jobs;
    struct pull_layer_progress *layers; /* one per manifest layer */
    size_t *job_of;                      /* layer -> job, or SIZE_MAX */
    size_t n_layers;
    struct pull_progress pp;
    int64_t t0;
    pthread_mutex_t mu;
    size_t next;
    unsigned running;
    bool failed;
    struct error *first_err;
};

static void report(struct puller *p, bool finished)
{
    for (size_t i = 0; p->dl && i < p->n_layers; i++) {
        size_t j = p->job_of[i];
        enum pull_layer_state st = p->layers[i].state;
        if (j == SIZE_MAX || (st != PULL_LAYER_WAITING && st != PULL_LAYER_DOWNLOADING))
            continue;
        /* A layer waits until its transfer has a connection. */
        bool started = false;
        registry_stream_progress(p->jobs[j].stream, &p->layers[i].done, &started);
        if (started)
            p->layers[i].state = PULL_LAYER_DOWNLOADING;
    }
    if (p->o->progress == NULL)
        return;
    p->pp.elapsed_ms = (uint64_t) (now_ms() - p->t0);
    p->pp.finished = finished;
    p->o->progress(p->o->progress_opaque, &p->pp);
}

static void set_state(struct puller *p, size_t job, enum pull_layer_state st)
{
    for (size_t i = 0; i < p->n_layers; i++)
        if (p->job_of[i] == job) {
            p->layers[i].state = st;
            if (st == PULL_LAYER_DONE)
                p->layers[i].done = p->layers[i].size;
        }
}

static int ingest(struct puller *p, struct job *j, struct error **err)
{
    char what[160];
    snprintf(what, sizeof(what), "layer %zu of %zu (%s)", j->layer + 1, p->n_layers,
             j->d->digest);
    struct layer_source src = {registry_stream_read, j->stream};
    struct layer_ingest_opts lo = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK,
                                   .expect_digest = j->d->digest,
                                   .expect_diff_id = j->diff_id,
                                   .max_blob_bytes = (uint64_t) j->d->size,
                                   .what = what};
    return layer_ingest(p->s, &src, &lo, &j->res, err);
}

static void *worker(void *arg)
{
    struct puller *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        if (p->failed || p->next >= p->n_jobs) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        size_t k = p->next++;
        pthread_mutex_unlock(&p->mu);
        struct error *e = NULL;
        int64_t t = now_ms();
        int rc = ingest(p, &p->jobs[k], &e);
        registry_stream_close(p->jobs[k].stream);
        log_debug("layer %zu (%.19s): %s at %lld ms, in %lld ms", p->jobs[k].layer + 1,
                  p->jobs[k].d->digest, rc == 0 ? "stored" : "failed",
                  (long long) (now_ms() - p->t0), (long long) (now_ms() - t));
        pthread_mutex_lock(&p->mu);
        set_state(p, k, rc == 0 ? PULL_LAYER_DONE : PULL_LAYER_FAILED);
        bool cancel = false;
        if (rc < 0 && !p->failed) {
            p->failed = cancel = true;
            p->first_err = steal_pointer(&e);
        }
        pthread_mutex_unlock(&p->mu);
        error_free(e);
        if (cancel)
            registry_downloads_cancel(p->dl);
        registry_downloads_wakeup(p->dl);
    }
    pthread_mutex_lock(&p->mu);
    p->running--;
    pthread_mutex_unlock(&p->mu);
    registry_downloads_wakeup(p->dl);
    return NULL;
}

static int tick(void *opaque)
{
    struct puller *p = opaque;
    pthread_mutex_lock(&p->mu);
    unsigned running = p->running;
    report(p, false);
    pthread_mutex_unlock(&p->mu);
    return running > 0;
}

static int run_jobs(struct puller *p, struct registry *reg, const char *repo,
                    struct error **err)
{
    unsigned transfers = p->o->max_concurrent ? p->o->max_concurrent : PULL_DEFAULT_CONCURRENCY;
    if (transfers > PULL_MAX_CONCURRENCY)
        transfers = PULL_MAX_CONCURRENCY;
    /* More consumers than transfers: one whose bytes have all come (and
     * which now finishes unpacking, checks and commits) leaves its
     * connection to the next layer at once. */
    unsigned n = PULL_MAX_WORKERS;
    if (n > p->n_jobs)
        n = (unsigned) p->n_jobs;
    int rc = registry_downloads_new(reg, repo, transfers, &p->dl, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < p->n_jobs; i++)
        if ((p->jobs[i].stream = registry_downloads_add(p->dl, p->jobs[i].d->digest,
                                                        (uint64_t) p->jobs[i].d->size)) == NULL)
            return error_new(err, ENOMEM, "out of memory");
    pthread_t *threads = calloc(n, sizeof(*threads));
    if (threads == NULL)
        return error_new(err, ENOMEM, "out of memory");
    unsigned started = 0;
    for (unsigned i = 0; i < n; i++) {
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&threads[started], NULL, worker, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->running--;
            pthread_mutex_unlock(&p->mu);
            break;
        }
        started++;
    }
    if (started == 0) {
        free(threads);
        return error_new(err, EAGAIN, "cannot start a download thread");
    }
    rc = registry_downloads_run(p->dl, tick, p, err);
    if (rc < 0)
        registry_downloads_cancel(p->dl);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (rc == 0 && p->failed) {
        *err = steal_pointer(&p->first_err);
        rc = -error_code(*err);
    }
    return rc;
}

/* ---- the whole pull ----------------------------------------------------------------- */

static void puller_release(struct puller *p)
{
    registry_downloads_free(p->dl);
    free(p->jobs);
    free(p->layers);
    free(p->job_of);
    error_free(p->first_err);
    pthread_mutex_destroy(&p->mu);
}

/* A job for every layer the store lacks (each distinct blob once). */
static int plan(struct puller *p, const struct manifest *m, const struct image_config *c,
                struct error **err)
{
    p->n_layers = m->n_layers;
    p->layers = calloc(m->n_layers + 1, sizeof(*p->layers));
    p->job_of = calloc(m->n_layers + 1, sizeof(*p->job_of));
    p->jobs = calloc(m->n_layers + 1, sizeof(*p->jobs));
    if (p->layers == NULL || p->job_of == NULL || p->jobs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct descriptor *d = &m->layers[i];
        struct pull_layer_progress *l = &p->layers[i];
        memcpy(l->digest, d->digest, DIGEST_BUF);
        l->size = (uint64_t) d->size;
        p->job_of[i] = SIZE_MAX;
        if (store_has_blob(p->s, d->digest) && store_has_layer(p->s, c->diff_ids[i])) {
            l->state = PULL_LAYER_EXISTS;
            l->done = l->size;
            continue;
        }
        for (size_t k = 0; k < p->n_jobs && p->job_of[i] == SIZE_MAX; k++)
            if (strcmp(p->jobs[k].d->digest, d->digest) == 0)
                p->job_of[i] = k;
        if (p->job_of[i] != SIZE_MAX)
            continue;
        p->jobs[p->n_jobs] = (struct job) {.layer = i, .d = d, .diff_id = c->diff_ids[i]};
        p->job_of[i] = p->n_jobs++;
    }
    return 0;
}

static int commit(struct store *s, const struct image_ref *ref, const struct resolved *res,
                  const char *config, size_t config_len, const struct image_config *c,
                  struct pull_result *out, struct error **err)
{
    const struct manifest *m = res->manifest;
    cleanup_free struct image_layer_blob *blobs = calloc(m->n_layers + 1, sizeof(*blobs));
    cleanup_free char *name = image_ref_name(ref);
    cleanup_free char *tagged = ref->tag ? image_ref_name_tag(ref) : NULL;
    cleanup_free char *repo_digest = NULL;
    if (blobs == NULL || name == NULL || (ref->tag && tagged == NULL) ||
        asprintf(&repo_digest, "%s@%s", name, res->top.digest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n_layers; i++) {
        memcpy(blobs[i].digest, m->layers[i].digest, DIGEST_BUF);
        memcpy(blobs[i].diff_id, c->diff_ids[i], DIGEST_BUF);
        blobs[i].size = (uint64_t) m->layers[i].size;
        blobs[i].media_type = m->layers[i].media_type;
    }
    char *names[2] = {tagged, NULL};
    struct image_new in = {.config = config, .config_len = config_len, .layers = blobs,
                           .n_layers = m->n_layers, .manifest = res->image.body,
                           .manifest_len = res->image.len, .names = tagged ? names : NULL,
                           .repo_digest = repo_digest, .what = repo_digest};
    int rc = image_commit(s, &in, out->id, err);
    if (rc < 0)
        return rc;
    out->name = tagged ? steal_pointer(&tagged) : steal_pointer(&repo_digest);
    memcpy(out->digest, res->top.digest, DIGEST_BUF);
    return 0;
}

/* Was the image (config and every layer) in the store, under `name`? */
static bool had_it(struct store *s, const char *config_digest, const char *name,
                   const struct puller *p)
{
    if (p->n_jobs > 0 || !store_has_blob(s, config_digest))
        return false;
    struct image_db *db = NULL;
    bool found = false;
    if (store_images_read(s, &db, NULL) == 0)
        for (size_t i = 0; i < db->n && !found; i++) {
            const struct image_record *r = &db->images[i];
            bool named = image_record_has_name(r, name);
            for (size_t k = 0; !named && r->digests && r->digests[k]; k++)
                named = strcmp(r->digests[k], name) == 0;
            found = strcmp(r->id, config_digest) == 0 && named;
        }
    image_db_free(db);
    return found;
}

/* `asked`: the platform given (NULL: none, so any image manifest goes). */
static int pull_layers(struct store *s, struct registry *reg, const struct image_ref *ref,
                       const struct pull_opts *o, const struct platform *asked,
                       struct resolved *res, struct pull_result *out, struct error **err)
{
    const struct manifest *m = res->manifest;
    cleanup_free char *config = NULL;
    size_t config_len = 0;
    cleanup_image_config struct image_config *c = NULL;
    int rc = fetch_config(s, reg, ref->path, m, &config, &config_len, &c, err);
    if (rc == 0)
        rc = check_config(m, c, asked, err);
    if (rc < 0)
        return rc;
    cleanup_close int lock = -1;
    if ((rc = store_lock_gc(s, LOCK_SH, &lock, err)) < 0)
        return rc;
    store_tmp_sweep(s);
    struct puller p = {.s = s, .o = o};
    pthread_mutex_init(&p.mu, NULL);
    cleanup_free char *name = ref->tag ? image_ref_name_tag(ref) : image_ref_string(ref);
    cleanup_free char *by_digest = NULL, *base = image_ref_name(ref);
    if (base == NULL || asprintf(&by_digest, "%s@%s", base, res->top.digest) < 0)
        by_digest = NULL;
    p.pp.name = name;
    p.pp.repo = ref->path;
    p.pp.digest = res->top.digest;
    p.t0 = now_ms();
    rc = plan(&p, m, c, err);
    if (rc == 0) {
        p.pp.layers = p.layers;
        p.pp.n_layers = p.n_layers;
        out->up_to_date = name && by_digest &&
                          had_it(s, m->config.digest, ref->tag ? name : by_digest, &p);
        report(&p, false);
    }
    if (rc == 0 && p.n_jobs > 0)
        rc = run_jobs(&p, reg, ref->path, err);
    if (rc == 0)
        rc = commit(s, ref, res, config, config_len, c, out, err);
    for (size_t i = 0; rc == 0 && i < p.n_jobs; i++)
        out->bytes += p.jobs[i].res.size;
    out->layers = p.n_layers;
    out->layers_new = p.n_jobs;
    report(&p, true);
    puller_release(&p);
    return rc;
}

int image_pull(struct store *s, const char *reference, const struct pull_opts *o,
               struct pull_result *ret, struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int rc = image_ref_parse(reference, false, &ref, err);
    if (rc < 0)
        return rc;
    struct platform host, asked, *want = &host;
    char pbuf[128];
    platform_host(&host);
    if (o->platform && (rc = platform_parse(o->platform, pbuf, sizeof(pbuf), &asked, err)) < 0)
        return rc;
    if (o->platform)
        want = &asked;
    struct registry *reg = NULL;
    if ((rc = registry_open(ref->domain, &o->reg, &reg, err)) < 0)
        return error_wrap(err, "pulling `%s`", reference);
    struct resolved res = {0};
    struct pull_result out = {0};
    rc = resolve(reg, ref, want, &res, err);
    if (rc == 0)
        rc = pull_layers(s, reg, ref, o, o->platform ? want : NULL, &res, &out, err);
    resolved_release(&res);
    registry_free(reg);
    if (rc < 0) {
        pull_result_release(&out);
        return error_wrap(err, "pulling `%s`", reference);
    }
    *ret = out;
    return 0;
}

int image_pull_all_tags(const char *name, const struct registry_opts *o, char ***ret,
                        struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int rc = image_ref_parse_repository(name, "--all-tags", &ref, err);
    if (rc < 0)
        return rc;
    struct registry *reg = NULL;
    char **tags = NULL;
    if ((rc = registry_open(ref->domain, o, &reg, err)) == 0)
        rc = registry_list_tags(reg, ref->path, &tags, err);
    registry_free(reg);
    if (rc < 0)
        return error_wrap(err, "pulling `%s`", name);
    cleanup_free char *repo = image_ref_name(ref);
    for (size_t i = 0; rc == 0 && repo && tags[i]; i++) {
        char *full = NULL;
        if (asprintf(&full, "%s:%s", repo, tags[i]) < 0)
            rc = error_new(err, ENOMEM, "out of memory");
        free(tags[i]);
        tags[i] = full;
    }
    if (rc < 0 || repo == NULL) {
        strv_free(tags);
        return rc < 0 ? rc : error_new(err, ENOMEM, "out of memory");
    }
    if (tags[0] == NULL) {
        free(tags);
        return error_new(err, ENOENT, "pulling `%s`: the repository has no tags", name);
    }
    *ret = tags;
    return 0;
}
