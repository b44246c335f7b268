/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

void image_free(struct image *im)
{
    if (im == NULL)
        return;
    strv_free(im->names);
    strv_free(im->digests);
    manifest_free(im->manifest);
    image_config_free(im->config);
    free(im->config_raw);
    free(im);
}

static char **strv_copy(char **v)
{
    char **out = calloc(strv_length(v) + 1, sizeof(char *));
    for (size_t i = 0; out && v && v[i]; i++)
        if ((out[i] = strdup(v[i])) == NULL) {
            strv_free(out);
            return NULL;
        }
    return out;
}

/* Manifest and config agree: as many layers as diff_ids. */
static int check_pair(const struct manifest *m, const struct image_config *c, const char *what,
                      struct error **err)
{
    if (m->n_layers != c->n_diff_ids)
        return error_new(err, EINVAL,
                         "%s: the manifest has %zu layers but the config has %zu diff_ids", what,
                         m->n_layers, c->n_diff_ids);
    return 0;
}

static int read_config(struct store *s, const char *digest, const char *what, char **ret_raw,
                       size_t *ret_len, struct image_config **ret, struct error **err)
{
    cleanup_free char *raw = NULL;
    size_t len = 0;
    int r = store_blob_read(s, digest, CONFIG_MAX_SIZE, &raw, &len, err);
    if (r < 0)
        return error_wrap(err, "%s: its config", what);
    cleanup_json json_t *j = NULL;
    char w[128];
    snprintf(w, sizeof(w), "config %.19s", digest);
    if ((r = manifest_load_json(raw, len, CONFIG_MAX_SIZE, w, &j, err)) < 0 ||
        (r = image_config_parse(j, w, ret, err)) < 0)
        return error_wrap(err, "%s", what);
    *ret_raw = steal_pointer(&raw);
    *ret_len = len;
    return 0;
}

int image_open_record(struct store *s, const struct image_record *rec, struct image **ret,
                      struct error **err)
{
    char what[128];
    snprintf(what, sizeof(what), "image %.19s", rec->id);
    if (rec->manifests == NULL || rec->manifests[0] == NULL)
        return error_new(err, EINVAL, "%s: no manifest recorded", what);
    struct image *im = calloc(1, sizeof(*im));
    if (im == NULL)
        return error_new(err, ENOMEM, "out of memory");
    memcpy(im->id, rec->id, DIGEST_BUF);
    memcpy(im->manifest_digest, rec->manifests[0], DIGEST_BUF);
    im->added = rec->added;
    im->names = strv_copy(rec->names);
    im->digests = strv_copy(rec->digests);
    cleanup_free char *raw = NULL;
    size_t len = 0;
    cleanup_json json_t *j = NULL;
    char w[128];
    snprintf(w, sizeof(w), "manifest %.19s", im->manifest_digest);
    int r = (im->names && im->digests) ? 0 : error_new(err, ENOMEM, "out of memory");
    if (r == 0)
        r = store_blob_read(s, im->manifest_digest, MANIFEST_MAX_SIZE, &raw, &len, err);
    if (r == 0)
        r = manifest_load_json(raw, len, MANIFEST_MAX_SIZE, w, &j, err);
    if (r == 0)
        r = manifest_parse(j, w, &im->manifest, err);
    if (r == 0 && strcmp(im->manifest->config.digest, im->id) != 0)
        r = error_new(err, EINVAL, "%s: its manifest names config %s", what,
                      im->manifest->config.digest);
    if (r == 0)
        r = read_config(s, im->id, what, &im->config_raw, &im->config_len, &im->config, err);
    if (r == 0)
        r = check_pair(im->manifest, im->config, what, err);
    if (r < 0) {
        image_free(im);
        return r == -ENOMEM ? r : error_wrap(err, "%s", what);
    }
    *ret = im;
    return 0;
}

int image_open(struct store *s, const char *what, struct image **ret, struct error **err)
{
    struct image_db *db = NULL;
    int r = store_images_read(s, &db, err);
    if (r < 0)
        return r;
    size_t i;
    r = image_db_find(db, what, &i, err);
    if (r == 0)
        r = image_open_record(s, &db->images[i], ret, err);
    image_db_free(db);
    return r;
}

int image_size(struct store *s, const struct image *im, uint64_t *ret, struct error **err)
{
    uint64_t total = 0;
    for (size_t i = 0; i < im->config->n_diff_ids; i++) {
        struct layer_info li;
        if (store_layer_info(s, im->config->diff_ids[i], &li, err) < 0)
            return error_wrap(err, "image %.19s", im->id);
        total += li.size;
    }
    *ret = total;
    return 0;
}

int image_normalize_name(const char *name, char **ret, struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int r = image_ref_parse(name, false, &ref, err);
    if (r < 0)
        return r;
    if (ref->digest)
        return error_new(err, EINVAL, "`%s`: a name for an image cannot hold a digest", name);
    char *s = image_ref_name_tag(ref);
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = s;
    return 0;
}

/* ---- commit --------------------------------------------------------- */

static char *make_manifest(const struct image_new *n, const char *config_digest)
{
    json_t *layers = json_array();
    for (size_t i = 0; i < n->n_layers; i++)
        json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType",
                                                n->layers[i].media_type, "digest",
                                                n->layers[i].digest, "size",
                                                (json_int_t) n->layers[i].size));
    cleanup_json json_t *m = json_pack(
        "{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MEDIA_OCI_MANIFEST,
        "config", "mediaType", MEDIA_OCI_CONFIG, "digest", config_digest, "size",
        (json_int_t) n->config_len, "layers", layers);
    return m ? json_dumps(m, JSON_COMPACT) : NULL;
}

/* The manifest we were given names exactly the config and the blobs. */
static int check_given_manifest(const struct image_new *n, const char *config_digest,
                                struct error **err)
{
    cleanup_json json_t *j = NULL;
    cleanup_manifest struct manifest *m = NULL;
    int r = manifest_load_json(n->manifest, n->manifest_len, MANIFEST_MAX_SIZE, "manifest", &j,
                               err);
    if (r == 0)
        r = manifest_parse(j, "manifest", &m, err);
    if (r < 0)
        return r;
    if (strcmp(m->config.digest, config_digest) != 0)
        return error_new(err, EINVAL, "the manifest names config %s, not %s", m->config.digest,
                         config_digest);
    if (m->n_layers != n->n_layers)
        return error_new(err, EINVAL, "the manifest has %zu layers, not %zu", m->n_layers,
                         n->n_layers);
    for (size_t i = 0; i < m->n_layers; i++)
        if (strcmp(m->layers[i].digest, n->layers[i].digest) != 0)
            return error_new(err, EINVAL, "manifest: layers[%zu] is %s, not the blob %s", i,
                             m->layers[i].digest, n->layers[i].digest);
    return 0;
}

static int check_new(struct store *s, const struct image_new *n, const char *config_digest,
                     struct error **err)
{
    cleanup_json json_t *j = NULL;
    cleanup_image_config struct image_config *c = NULL;
    int r = manifest_load_json(n->config, n->config_len, CONFIG_MAX_SIZE, "config", &j, err);
    if (r == 0)
        r = image_config_parse(j, "config", &c, err);
    if (r < 0)
        return r;
    if (c->n_diff_ids != n->n_layers)
        return error_new(err, EINVAL, "the config has %zu diff_ids for %zu layers",
                         c->n_diff_ids, n->n_layers);
    for (size_t i = 0; i < n->n_layers; i++) {
        const struct image_layer_blob *l = &n->layers[i];
        if (strcmp(c->diff_ids[i], l->diff_id) != 0)
            return error_new(err, EINVAL,
                             "layer %zu: its content is %s but the config's diff_ids[%zu] is %s",
                             i + 1, l->diff_id, i, c->diff_ids[i]);
        if (!store_has_layer(s, l->diff_id) || !store_has_blob(s, l->digest))
            return error_new(err, ENOENT, "layer %zu (%s) is not in the store", i + 1,
                             l->diff_id);
    }
    return n->manifest ? check_given_manifest(n, config_digest, err) : 0;
}

struct commit_edit {
    const char *id, *manifest;
    char *const *names;
    const char *repo_digest;
};

static int commit_edit(struct image_db *db, void *opaque, struct error **err)
{
    struct commit_edit *c = opaque;
    struct image_record *r = NULL;
    for (size_t i = 0; i < db->n; i++)
        if (strcmp(db->images[i].id, c->id) == 0)
            r = &db->images[i];
    if (r == NULL && (r = image_db_add(db, c->id)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (image_record_add_manifest(r, c->manifest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; c->names && c->names[i]; i++) {
        image_db_untag(db, c->names[i], r);
        if (image_record_add_name(r, c->names[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    if (c->repo_digest && image_record_add_digest(r, c->repo_digest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int image_commit(struct store *s, const struct image_new *n, char ret_id[DIGEST_BUF],
                 struct error **err)
{
    const char *what = n->what ? n->what : "image";
    char id[DIGEST_BUF], mdigest[DIGEST_BUF];
    digest_buffer(n->config, n->config_len, id);
    int r = check_new(s, n, id, err);
    if (r < 0)
        return error_wrap(err, "%s", what);
    cleanup_free char *made = n->manifest ? NULL : make_manifest(n, id);
    if (!n->manifest && made == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *manifest = n->manifest ? n->manifest : made;
    size_t mlen = n->manifest ? n->manifest_len : strlen(made);
    if ((r = store_blob_put(s, n->config, n->config_len, NULL, err)) < 0 ||
        (r = store_blob_put(s, manifest, mlen, mdigest, err)) < 0)
        return error_wrap(err, "%s", what);
    /* The layers' files reach the disk before a record names them. */
    if ((r = store_sync(s, err)) < 0)
        return error_wrap(err, "%s", what);
    struct commit_edit c = {.id = id, .manifest = mdigest, .names = n->names,
                            .repo_digest = n->repo_digest};
    if ((r = store_images_update(s, commit_edit, &c, err)) < 0)
        return error_wrap(err, "%s", what);
    if (ret_id)
        memcpy(ret_id, id, DIGEST_BUF);
    return 0;
}
