/* SPDX-License-Identifier: Apache-2.0 */
/* `load`: docker-archive and OCI archives (streamed) and OCI layouts. */
#include "image/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/libarchive.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define PEEK      512
#define MAX_DEPTH 4 /* nested indexes */

void load_report_free(struct load_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        strv_free(r->images[i].names);
    free(r->images);
    free(r);
}

static int report_add(struct load_report *r, const char *id, char **names, struct error **err)
{
    if (r->n >= ARCHIVE_MAX_IMAGES)
        return error_new(err, E2BIG, "more than %d images", ARCHIVE_MAX_IMAGES);
    struct loaded_image *n = realloc(r->images, (r->n + 1) * sizeof(*n));
    if (n == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r->images = n;
    memcpy(n[r->n].id, id, DIGEST_BUF);
    n[r->n].names = names;
    r->n++;
    return 0;
}

/* ---- what the archive held ---------------------------------------------- */

struct member {
    char *path;
    char *link; /* a symlink (or hardlink) to this path */
    char *json;
    size_t json_len;
    bool is_layer;
    struct layer_result layer;
    struct error *layer_err;
};

struct members {
    struct member *v;
    size_t n;
    size_t json_total;
    const char *what;
};

static void members_release(struct members *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->v[i].path);
        free(ms->v[i].link);
        free(ms->v[i].json);
        error_free(ms->v[i].layer_err);
    }
    free(ms->v);
}

static struct member *member_new(struct members *ms, const char *path, struct error **err)
{
    if (ms->n >= ARCHIVE_MAX_MEMBERS) {
        error_new(err, E2BIG, "%s: more than %d files", ms->what, ARCHIVE_MAX_MEMBERS);
        return NULL;
    }
    struct member *v = realloc(ms->v, (ms->n + 1) * sizeof(*v));
    if (v == NULL) {
        error_new(err, ENOMEM, "out of memory");
        return NULL;
    }
    ms->v = v;
    struct member *m = &v[ms->n++];
    memset(m, 0, sizeof(*m));
    if ((m->path = strdup(path)) == NULL) {
        ms->n--;
        error_new(err, ENOMEM, "out of memory");
        return NULL;
    }
    return m;
}

/* "./a//b" -> "a/b"; NULL for names that climb out. */
static char *clean_path(const char *p)
{
    char *c = fs_path_clean(p);
    if (c == NULL)
        return NULL;
    memmove(c, c + 1, strlen(c));
    return c;
}

/* Follow links; NULL when `path` names nothing. */
static const struct member *member_find(const struct members *ms, const char *path)
{
    cleanup_free char *p = clean_path(path);
    for (int hops = 0; p && hops < 8; hops++) {
        const struct member *hit = NULL;
        for (size_t i = 0; i < ms->n; i++)
            if (strcmp(ms->v[i].path, p) == 0)
                hit = &ms->v[i];
        if (hit == NULL || hit->link == NULL)
            return hit;
        free(p);
        p = strdup(hit->link);
    }
    return NULL;
}

/* ---- reading the archive ------------------------------------------------ */

struct entry_src {
    struct archive *a;
    const unsigned char *peek;
    size_t peek_len, peek_off;
    bool outer_failed;
};

static ssize_t entry_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct entry_src *e = opaque;
    if (e->peek_off < e->peek_len) {
        size_t n = e->peek_len - e->peek_off < len ? e->peek_len - e->peek_off : len;
        memcpy(buf, e->peek + e->peek_off, n);
        e->peek_off += n;
        return (ssize_t) n;
    }
    la_ssize_t n = archive_read_data(e->a, buf, len);
    if (n < 0) {
        e->outer_failed = true;
        return error_new(err, EIO, "reading the archive: %s", archive_error_string(e->a));
    }
    return n;
}

static bool looks_like_json_name(const char *p)
{
    size_t n = strlen(p);
    return strcmp(p, "oci-layout") == 0 || strcmp(p, "repositories") == 0 ||
           (n > 5 && strcmp(p + n - 5, ".json") == 0);
}

static bool looks_like_tar(const unsigned char *h, size_t len, int64_t size)
{
    if (layer_sniff(h, len) != COMPRESSION_NONE)
        return true;
    if (size < 1024 || len < PEEK)
        return false;
    if (memcmp(h + 257, "ustar", 5) == 0)
        return true;
    for (size_t i = 0; i < PEEK; i++)
        if (h[i])
            return false;
    return true; /* an empty tar: end-of-archive blocks */
}

static int keep_json(struct members *ms, struct member *m, struct archive *a,
                     const unsigned char *peek, size_t plen, int64_t size, struct error **err)
{
    if (size > (int64_t) CONFIG_MAX_SIZE || ms->json_total + (size_t) size > ARCHIVE_MAX_JSON)
        return error_new(err, EFBIG, "%s: `%s`: too large for a JSON document", ms->what,
                         m->path);
    m->json = malloc((size_t) size + 1);
    if (m->json == NULL)
        return error_new(err, ENOMEM, "out of memory");
    memcpy(m->json, peek, plen);
    size_t got = plen;
    while (got < (size_t) size) {
        la_ssize_t n = archive_read_data(a, m->json + got, (size_t) size - got);
        if (n < 0)
            return error_new(err, EIO, "%s: reading `%s`: %s", ms->what, m->path,
                             archive_error_string(a));
        if (n == 0)
            break;
        got += (size_t) n;
    }
    m->json[got] = '\0';
    m->json_len = got;
    ms->json_total += got;
    return 0;
}

static int ingest_member(struct store *s, struct members *ms, struct member *m,
                         struct archive *a, const unsigned char *peek, size_t plen,
                         struct error **err)
{
    struct entry_src src = {.a = a, .peek = peek, .peek_len = plen};
    struct layer_source ls = {entry_read, &src};
    char what[512];
    snprintf(what, sizeof(what), "%s: layer `%s`", ms->what, m->path);
    char expect[DIGEST_BUF], tar_id[DIGEST_BUF];
    const char *hex = strncmp(m->path, "blobs/sha256/", 13) == 0 ? m->path + 13 : NULL;
    struct layer_ingest_opts o = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK, .what = what};
    if (hex && digest_normalize(hex, "blob", expect, NULL) == 0)
        o.expect_digest = expect;
    /* An uncompressed layer named by its digest (OCI blobs, skopeo's and
     * our "<diff_id>.tar") that the store has unpacked already: only
     * verified, not unpacked again (a name that lies fails the check). */
    size_t n = strlen(m->path);
    const char *named = hex ? hex
                            : (n == 68 && strcmp(m->path + 64, ".tar") == 0 ? m->path : NULL);
    char h[DIGEST_HEX_LEN + 1];
    if (named && layer_sniff(peek, plen) == COMPRESSION_NONE) {
        snprintf(h, sizeof(h), "%.64s", named);
        if (digest_normalize(h, "layer", tar_id, NULL) == 0 && store_has_layer(s, tar_id))
            o.expect_diff_id = tar_id;
    }
    m->is_layer = true;
    if (layer_ingest(s, &ls, &o, &m->layer, &m->layer_err) < 0) {
        /* The archive itself broke: nothing more can be read. */
        if (src.outer_failed) {
            *err = steal_pointer(&m->layer_err);
            return -EIO;
        }
        log_debug("%s", m->layer_err->msg);
    }
    return 0;
}

static int read_entry(struct store *s, struct members *ms, struct archive *a,
                      struct archive_entry *e, struct error **err)
{
    cleanup_free char *path = clean_path(archive_entry_pathname(e));
    if (path == NULL)
        return error_new(err, ENOMEM, "out of memory");
    mode_t type = archive_entry_filetype(e);
    const char *hl = archive_entry_hardlink(e);
    if (type == AE_IFDIR || *path == '\0')
        return 0;
    if (hl || type == AE_IFLNK) {
        struct member *m = member_new(ms, path, err);
        if (m == NULL)
            return -error_code(*err);
        cleanup_free char *target = NULL;
        if (hl) {
            target = strdup(hl);
        } else {
            /* Relative to the link's folder (docker save writes
             * "../<id>/layer.tar" for a layer it has already written). */
            char *slash = strrchr(path, '/');
            if (asprintf(&target, "%.*s/%s", slash ? (int) (slash - path) : 0, path,
                         archive_entry_symlink(e)) < 0)
                target = NULL;
        }
        m->link = target ? clean_path(target) : NULL;
        return m->link ? 0 : error_new(err, ENOMEM, "out of memory");
    }
    if (type != AE_IFREG)
        return 0;
    unsigned char peek[PEEK];
    size_t plen = 0;
    while (plen < PEEK) {
        la_ssize_t n = archive_read_data(a, peek + plen, PEEK - plen);
        if (n < 0)
            return error_new(err, EIO, "%s: reading `%s`: %s", ms->what, path,
                             archive_error_string(a));
        if (n == 0)
            break;
        plen += (size_t) n;
    }
    int64_t size = archive_entry_size(e);
    size_t ws = 0;
    while (ws < plen && (peek[ws] == ' ' || peek[ws] == '\n' || peek[ws] == '\t'))
        ws++;
    bool json = looks_like_json_name(path) || (ws < plen && peek[ws] == '{');
    if (json && size <= (int64_t) CONFIG_MAX_SIZE) {
        struct member *m = member_new(ms, path, err);
        return m ? keep_json(ms, m, a, peek, plen, size, err) : -error_code(*err);
    }
    if (looks_like_tar(peek, plen, size)) {
        struct member *m = member_new(ms, path, err);
        return m ? ingest_member(s, ms, m, a, peek, plen, err) : -error_code(*err);
    }
    return 0; /* VERSION files and the like */
}

/* ---- building the images ------------------------------------------------ */

static int layer_of(const struct members *ms, const char *path, const char *want_digest,
                    const char *diff_id, struct image_layer_blob *ret, struct error **err)
{
    const struct member *m = member_find(ms, path);
    if (m == NULL || !m->is_layer)
        return error_new(err, ENOENT, "layer `%s` is not in the archive", path);
    if (m->layer_err)
        return error_new(err, m->layer_err->code, "%s", m->layer_err->msg);
    const struct layer_result *r = &m->layer;
    if (want_digest && strcmp(r->digest, want_digest) != 0)
        return error_new(err, EINVAL, "layer `%s`: digest mismatch: expected %s, got %s", path,
                         want_digest, r->digest);
    if (diff_id && strcmp(r->diff_id, diff_id) != 0)
        return error_new(err, EINVAL,
                         "layer `%s`: its content is %s, but the config says %s (diff_id "
                         "mismatch)",
                         path, r->diff_id, diff_id);
    memcpy(ret->digest, r->blob_digest, DIGEST_BUF);
    memcpy(ret->diff_id, r->diff_id, DIGEST_BUF);
    ret->size = r->blob_size;
    ret->media_type = r->media_type;
    return 0;
}

static int normalize_names(json_t *tags, const char *where, char ***ret, struct error **err)
{
    cleanup_strv char **names = NULL;
    for (size_t i = 0; json_is_array(tags) && i < json_array_size(tags); i++) {
        const char *t = json_string_value(json_array_get(tags, i));
        if (t == NULL)
            return error_new(err, EINVAL, "%s.RepoTags[%zu]: expected a string", where, i);
        cleanup_free char *n = NULL;
        int r = image_normalize_name(t, &n, err);
        if (r < 0)
            return error_wrap(err, "%s.RepoTags[%zu]", where, i);
        if (strv_push(&names, n) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&names);
    return 0;
}

static int docker_one(struct store *s, const struct members *ms, json_t *entry, size_t idx,
                      struct load_report *rep, struct error **err)
{
    char where[64];
    snprintf(where, sizeof(where), "manifest.json[%zu]", idx);
    const char *config = NULL;
    cleanup_strv char **layers = NULL, **names = NULL;
    int r;
    if ((r = json_expect(entry, JSON_OBJECT, where, err)) < 0 ||
        (r = json_get_string(entry, "Config", where, true, &config, err)) < 0 ||
        (r = json_get_strv(entry, "Layers", where, true, &layers, err)) < 0 ||
        (r = normalize_names(json_object_get(entry, "RepoTags"), where, &names, err)) < 0)
        return r;
    const struct member *cm = member_find(ms, config);
    if (cm == NULL || cm->json == NULL)
        return error_new(err, ENOENT, "%s: config `%s` is not in the archive", where, config);
    cleanup_json json_t *cj = NULL;
    cleanup_image_config struct image_config *c = NULL;
    if ((r = manifest_load_json(cm->json, cm->json_len, CONFIG_MAX_SIZE, config, &cj, err)) < 0 ||
        (r = image_config_parse(cj, config, &c, err)) < 0)
        return error_wrap(err, "%s", where);
    size_t n = strv_length(layers);
    if (n != c->n_diff_ids)
        return error_new(err, EINVAL, "%s: %zu layers, but its config has %zu diff_ids", where,
                         n, c->n_diff_ids);
    cleanup_free struct image_layer_blob *blobs = calloc(n ? n : 1, sizeof(*blobs));
    if (blobs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if ((r = layer_of(ms, layers[i], NULL, c->diff_ids[i], &blobs[i], err)) < 0)
            return error_wrap(err, "%s", where);
    struct image_new in = {.config = cm->json, .config_len = cm->json_len, .layers = blobs,
                           .n_layers = n, .names = names, .what = where};
    char id[DIGEST_BUF];
    if ((r = image_commit(s, &in, id, err)) < 0)
        return r;
    return report_add(rep, id, steal_pointer(&names), err);
}

static int load_docker(struct store *s, const struct members *ms, const struct member *mf,
                       struct load_report *rep, struct error **err)
{
    cleanup_json json_t *j = NULL;
    json_error_t je;
    j = json_loadb(mf->json, mf->json_len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return error_new(err, EINVAL, "manifest.json: malformed JSON at line %d: %s", je.line,
                         je.text);
    if (!json_is_array(j) || json_array_size(j) == 0)
        return error_new(err, EINVAL, "manifest.json: expected a non-empty array");
    for (size_t i = 0; i < json_array_size(j); i++) {
        int r = docker_one(s, ms, json_array_get(j, i), i, rep, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- OCI: index.json and blobs ------------------------------------------ */

struct oci_src {
    /* The bytes of blobs/sha256/<hex> (a JSON document), checked. */
    int (*json)(void *o, const char *digest, const char **buf, size_t *len, struct error **err);
    /* The layer with this digest, ingested. */
    int (*layer)(void *o, const struct descriptor *d, const char *diff_id,
                 struct image_layer_blob *ret, struct error **err);
    void *opaque;
};

static char *blob_path(const char *digest)
{
    char *p = NULL;
    if (asprintf(&p, "blobs/sha256/%s", digest_hex(digest)) < 0)
        return NULL;
    return p;
}

static int oci_doc(const struct oci_src *src, const struct descriptor *d, json_t **ret,
                   const char **ret_buf, size_t *ret_len, struct error **err)
{
    const char *buf;
    size_t len;
    int r = src->json(src->opaque, d->digest, &buf, &len, err);
    if (r < 0)
        return r;
    char got[DIGEST_BUF];
    digest_buffer(buf, len, got);
    if (strcmp(got, d->digest) != 0)
        return error_new(err, EINVAL, "blob %s: its content is %s", d->digest, got);
    if ((r = manifest_load_json(buf, len, MANIFEST_MAX_SIZE, d->digest, ret, err)) < 0)
        return r;
    if (ret_buf) {
        *ret_buf = buf;
        *ret_len = len;
    }
    return 0;
}

static int oci_names(const json_t *ann, char ***ret, struct error **err)
{
    const char *full = json_string_value(json_object_get(ann, "io.containerd.image.name"));
    const char *ref = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
    /* ref.name is often a bare tag ("latest"), which names no repository. */
    if (full == NULL && ref && (strchr(ref, '/') || strchr(ref, ':')))
        full = ref;
    *ret = NULL;
    if (full == NULL)
        return 0;
    cleanup_free char *n = NULL;
    int r = image_normalize_name(full, &n, err);
    if (r < 0)
        return error_wrap(err, "index.json: annotation `%s`", full);
    if (strv_push(ret, n) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int oci_manifest(struct store *s, const struct oci_src *src, const struct descriptor *d,
                        char **names, struct load_report *rep, struct error **err)
{
    cleanup_json json_t *mj = NULL;
    const char *mbuf;
    size_t mlen;
    cleanup_manifest struct manifest *m = NULL;
    int r = oci_doc(src, d, &mj, &mbuf, &mlen, err);
    if (r == 0)
        r = manifest_parse(mj, d->digest, &m, err);
    if (r < 0)
        return r;
    const char *cbuf;
    size_t clen;
    cleanup_json json_t *cj = NULL;
    cleanup_image_config struct image_config *c = NULL;
    if ((r = oci_doc(src, &m->config, &cj, &cbuf, &clen, err)) < 0 ||
        (r = image_config_parse(cj, m->config.digest, &c, err)) < 0)
        return error_wrap(err, "manifest %.19s", d->digest);
    if (m->n_layers != c->n_diff_ids)
        return error_new(err, EINVAL, "manifest %.19s: %zu layers, but its config has %zu diff_ids",
                         d->digest, m->n_layers, c->n_diff_ids);
    cleanup_free struct image_layer_blob *blobs = calloc(m->n_layers + 1, sizeof(*blobs));
    if (blobs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    bool same_blobs = true;
    for (size_t i = 0; i < m->n_layers; i++) {
        if (!media_type_is_layer(m->layers[i].media_type))
            return error_new(err, ENOTSUP, "manifest %.19s: layers[%zu]: media type `%s`",
                             d->digest, i, m->layers[i].media_type);
        if ((r = src->layer(src->opaque, &m->layers[i], c->diff_ids[i], &blobs[i], err)) < 0)
            return error_wrap(err, "manifest %.19s", d->digest);
        same_blobs &= strcmp(blobs[i].digest, m->layers[i].digest) == 0;
    }
    char what[64];
    snprintf(what, sizeof(what), "image %.19s", m->config.digest);
    struct image_new in = {.config = cbuf, .config_len = clen, .layers = blobs,
                           .n_layers = m->n_layers, .names = names, .what = what};
    if (same_blobs) {
        in.manifest = mbuf;
        in.manifest_len = mlen;
    }
    char id[DIGEST_BUF];
    if ((r = image_commit(s, &in, id, err)) < 0)
        return r;
    char **copy = NULL;
    for (size_t i = 0; names && names[i]; i++)
        if (strv_push(&copy, names[i]) < 0) {
            strv_free(copy);
            return error_new(err, ENOMEM, "out of memory");
        }
    if ((r = report_add(rep, id, copy, err)) < 0)
        strv_free(copy);
    return r;
}

static int oci_entry(struct store *s, const struct oci_src *src, const struct descriptor *d,
                     char **names, int depth, struct load_report *rep, struct error **err);

static int oci_index(struct store *s, const struct oci_src *src, const struct descriptor *d,
                     char **names, int depth, struct load_report *rep, struct error **err)
{
    cleanup_json json_t *j = NULL;
    cleanup_image_index struct image_index *ix = NULL;
    int r = oci_doc(src, d, &j, NULL, NULL, err);
    if (r == 0)
        r = image_index_parse(j, d->digest, &ix, err);
    if (r < 0)
        return r;
    struct platform host;
    platform_host(&host);
    for (size_t i = 0; i < ix->n_manifests; i++)
        if (platform_matches(&ix->manifests[i], &host))
            return oci_entry(s, src, &ix->manifests[i], names, depth + 1, rep, err);
    return error_new(err, ENOENT, "index %.19s: no image for %s/%s", d->digest, host.os,
                     host.architecture);
}

static int oci_entry(struct store *s, const struct oci_src *src, const struct descriptor *d,
                     char **names, int depth, struct load_report *rep, struct error **err)
{
    if (depth > MAX_DEPTH)
        return error_new(err, ELOOP, "indexes nested more than %d deep", MAX_DEPTH);
    if (strcmp(d->media_type, MEDIA_OCI_INDEX) == 0 || strcmp(d->media_type, MEDIA_DOCKER_LIST) == 0)
        return oci_index(s, src, d, names, depth, rep, err);
    if (*d->media_type && strcmp(d->media_type, MEDIA_OCI_MANIFEST) != 0 &&
        strcmp(d->media_type, MEDIA_DOCKER_MANIFEST) != 0)
        return error_new(err, ENOTSUP, "index.json: %.19s has media type `%s`", d->digest,
                         d->media_type);
    return oci_manifest(s, src, d, names, rep, err);
}

static int load_oci(struct store *s, const struct oci_src *src, const char *index,
                    size_t index_len, struct load_report *rep, struct error **err)
{
    cleanup_json json_t *j = NULL;
    cleanup_image_index struct image_index *ix = NULL;
    int r = manifest_load_json(index, index_len, MANIFEST_MAX_SIZE, "index.json", &j, err);
    if (r == 0)
        r = image_index_parse(j, "index.json", &ix, err);
    if (r < 0)
        return r;
    if (ix->n_manifests == 0)
        return error_new(err, EINVAL, "index.json: no manifests");
    struct platform host;
    platform_host(&host);
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const struct descriptor *d = &ix->manifests[i];
        /* Images for other platforms beside ours are not loaded. */
        if (d->has_platform && !platform_matches(d, &host) && ix->n_manifests > 1)
            continue;
        char **names = NULL;
        if ((r = oci_names(d->annotations, &names, err)) < 0)
            return r;
        r = oci_entry(s, src, d, names, 0, rep, err);
        strv_free(names);
        if (r < 0)
            return r;
    }
    return 0;
}

/* OCI blobs from the members of a streamed archive. */
static int members_json(void *o, const char *digest, const char **buf, size_t *len,
                        struct error **err)
{
    cleanup_free char *p = blob_path(digest);
    const struct member *m = p ? member_find(o, p) : NULL;
    if (m == NULL || m->json == NULL)
        return error_new(err, ENOENT, "blob %s is not in the archive", digest);
    *buf = m->json;
    *len = m->json_len;
    return 0;
}

static int members_layer(void *o, const struct descriptor *d, const char *diff_id,
                         struct image_layer_blob *ret, struct error **err)
{
    cleanup_free char *p = blob_path(d->digest);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return layer_of(o, p, d->digest, diff_id, ret, err);
}

static int open_reader(int fd, struct archive **ret, struct error **err)
{
    int r = libarchive_load(err);
    if (r < 0)
        return r;
    struct archive *a = archive_read_new();
    if (a == NULL)
        return error_new(err, ENOMEM, "out of memory");
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, 256 * 1024) != ARCHIVE_OK) {
        r = error_new(err, EINVAL, "not a tar archive: %s", archive_error_string(a));
        archive_read_free(a);
        return r;
    }
    *ret = a;
    return 0;
}

static int read_members(struct store *s, int fd, struct members *ms, struct error **err)
{
    struct archive *a = NULL;
    int r = open_reader(fd, &a, err);
    if (r < 0)
        return r;
    for (;;) {
        struct archive_entry *e;
        int ar = archive_read_next_header(a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN) {
            r = error_new(err, EIO, "%s", archive_error_string(a));
            break;
        }
        if ((r = read_entry(s, ms, a, e, err)) < 0)
            break;
    }
    archive_read_free(a);
    return r;
}

static int begin(struct store *s, int *ret_lock, struct load_report **ret_rep, struct error **err)
{
    int r = store_lock_gc(s, LOCK_SH, ret_lock, err);
    if (r < 0)
        return r;
    store_tmp_sweep(s);
    *ret_rep = calloc(1, sizeof(**ret_rep));
    return *ret_rep ? 0 : error_new(err, ENOMEM, "out of memory");
}

int image_load_stream(struct store *s, int fd, const char *what, struct load_report **ret,
                      struct error **err)
{
    cleanup_close int lock = -1;
    struct load_report *rep = NULL;
    struct members ms = {.what = what};
    int r = begin(s, &lock, &rep, err);
    if (r == 0)
        r = read_members(s, fd, &ms, err);
    if (r == 0) {
        const struct member *mf = member_find(&ms, "manifest.json");
        const struct member *ix = member_find(&ms, "index.json");
        struct oci_src src = {members_json, members_layer, &ms};
        if (mf && mf->json)
            r = load_docker(s, &ms, mf, rep, err);
        else if (ix && ix->json)
            r = load_oci(s, &src, ix->json, ix->json_len, rep, err);
        else
            r = error_new(err, EINVAL,
                          "neither a docker archive (no manifest.json) nor an OCI archive (no "
                          "index.json)");
    }
    members_release(&ms);
    if (r < 0) {
        load_report_free(rep);
        return error_wrap(err, "loading %s", what);
    }
    *ret = rep;
    return 0;
}

/* ---- an OCI layout directory ----------------------------------------- */

struct layout {
    struct store *s;
    int dirfd;
    const char *dir;
    struct members cache; /* JSON documents read so far */
};

static int layout_json(void *o, const char *digest, const char **buf, size_t *len,
                       struct error **err)
{
    struct layout *l = o;
    cleanup_free char *p = blob_path(digest);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const struct member *hit = member_find(&l->cache, p);
    if (hit) {
        *buf = hit->json;
        *len = hit->json_len;
        return 0;
    }
    struct member *m = member_new(&l->cache, p, err);
    if (m == NULL)
        return -error_code(*err);
    int r = fs_read_file_at(l->dirfd, p, MANIFEST_MAX_SIZE > CONFIG_MAX_SIZE ? MANIFEST_MAX_SIZE
                                                                               : CONFIG_MAX_SIZE,
                            &m->json, &m->json_len, err);
    if (r < 0)
        return error_wrap(err, "layout `%s`", l->dir);
    *buf = m->json;
    *len = m->json_len;
    return 0;
}

static int layout_layer(void *o, const struct descriptor *d, const char *diff_id,
                        struct image_layer_blob *ret, struct error **err)
{
    struct layout *l = o;
    const char *digest = d->digest;
    cleanup_free char *p = blob_path(digest);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int fd = openat(l->dirfd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return error_errno(err, "layout `%s`: layer `%s`", l->dir, p);
    char what[512];
    snprintf(what, sizeof(what), "layout `%s`: layer %s", l->dir, digest);
    struct layer_source src = {layer_read_fd, &fd};
    struct layer_ingest_opts opts = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK,
                                     .expect_digest = digest, .expect_diff_id = diff_id,
                                     .what = what};
    struct layer_result res;
    if (store_has_blob(l->s, digest) && store_has_layer(l->s, diff_id)) {
        /* Both there: the content is known by its digests. */
        memset(&res, 0, sizeof(res));
        memcpy(res.blob_digest, digest, DIGEST_BUF);
        memcpy(res.diff_id, diff_id, DIGEST_BUF);
        res.blob_size = (uint64_t) store_blob_size(l->s, digest);
        res.media_type = d->media_type;
    } else {
        int r = layer_ingest(l->s, &src, &opts, &res, err);
        if (r < 0)
            return r;
    }
    memcpy(ret->digest, res.blob_digest, DIGEST_BUF);
    memcpy(ret->diff_id, res.diff_id, DIGEST_BUF);
    ret->size = res.blob_size;
    ret->media_type = res.media_type;
    return 0;
}

int image_load_layout(struct store *s, const char *dir, struct load_report **ret,
                      struct error **err)
{
    cleanup_close int lock = -1;
    struct load_report *rep = NULL;
    struct layout l = {.s = s, .dir = dir, .cache = {.what = dir}};
    l.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l.dirfd < 0)
        return error_errno(err, "layout `%s`", dir);
    cleanup_free char *index = NULL;
    size_t len = 0;
    int r = begin(s, &lock, &rep, err);
    if (r == 0 && (r = fs_read_file_at(l.dirfd, "index.json", MANIFEST_MAX_SIZE, &index, &len,
                                       err)) < 0)
        error_wrap(err, "`%s` is not an OCI layout", dir);
    if (r == 0) {
        struct oci_src src = {layout_json, layout_layer, &l};
        r = load_oci(s, &src, index, len, rep, err);
    }
    members_release(&l.cache);
    close(l.dirfd);
    if (r < 0) {
        load_report_free(rep);
        return error_wrap(err, "loading `%s`", dir);
    }
    *ret = rep;
    return 0;
}
