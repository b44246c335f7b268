/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: manifests, indexes and image configs (src/image/manifest.c),
 * as `pull` and `load` read them, and platform selection on an index.
 *
 * The input is a document's bytes, loaded with manifest_load_json() as a
 * registry's answer is; then it is handed to manifest_parse(),
 * image_index_parse() and image_config_parse() (each must either refuse it
 * or return checked values), and an index to image_index_select() for a
 * few platforms, given with platform_parse() as `--platform` is.  Checked,
 * beyond the error contract:
 *
 *   - the loader keeps its size limit and returns only objects;
 *   - a manifest: schemaVersion 2, a mediaType (if any) of an image
 *     manifest, and its kind from that; config and every layer a valid
 *     sha256 digest, a non-negative size and a media type; as many layers
 *     as the document's array, at most MANIFEST_MAX_LAYERS;
 *   - an index: a mediaType (if any) of an index, the same checks for
 *     its entries (at most INDEX_MAX_MANIFESTS), a platform only where
 *     the document gave one;
 *   - a document is never both: a manifest has no "manifests", an index
 *     no "config" or "layers" (a registry must not be able to make one
 *     digest mean two things, CVE-2021-41190);
 *   - manifest_sniff() agrees with a document's mediaType;
 *   - a config: rootfs.type "layers", n_diff_ids valid digests, argv
 *     vectors NULL-terminated;
 *   - selection: the entry chosen matches the platform, is a manifest or
 *     an index, and is the first such entry; no choice (ENOENT) only when
 *     no entry qualifies; platform_parse() of platform_format()'s text
 *     gives the same platform again.
 */
#include <errno.h>

#include "fuzz.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "util/cleanup.h"

static void check_result(int r, const struct error *err)
{
    if (r < 0)
        fuzz_check_error(r, err);
    else
        FUZZ_CHECK(r == 0 && err == NULL);
}

static bool is_type(const char *mt, const char *a, const char *b)
{
    return mt && (strcmp(mt, a) == 0 || strcmp(mt, b) == 0);
}

/* Not there, or null. */
static bool absent(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    return v == NULL || json_is_null(v);
}

static void check_descriptor(const struct descriptor *d, const json_t *o)
{
    FUZZ_CHECK(json_is_object(o));
    FUZZ_CHECK(digest_valid(d->digest));
    FUZZ_CHECK(strcmp(d->digest, json_string_value(json_object_get(o, "digest"))) == 0);
    FUZZ_CHECK(d->size >= 0 && d->size == json_integer_value(json_object_get(o, "size")));
    FUZZ_CHECK(d->media_type != NULL);
    const char *mt = json_string_value(json_object_get(o, "mediaType"));
    FUZZ_CHECK(strcmp(d->media_type, mt ? mt : "") == 0);
    FUZZ_CHECK(d->has_platform == json_is_object(json_object_get(o, "platform")));
    if (d->annotations)
        FUZZ_CHECK(json_is_object(d->annotations) &&
                   d->annotations == json_object_get(o, "annotations"));
}

static void check_schema2(const json_t *doc)
{
    json_t *v = json_object_get(doc, "schemaVersion");
    FUZZ_CHECK(json_is_integer(v) && json_integer_value(v) == 2);
}

static void try_manifest(const json_t *doc)
{
    cleanup_error struct error *err = NULL;
    cleanup_manifest struct manifest *m = NULL;
    int r = manifest_parse(doc, "manifest sha256:00", &m, &err);
    check_result(r, err);
    if (r < 0)
        return;
    check_schema2(doc);
    const char *mt = json_string_value(json_object_get(doc, "mediaType"));
    FUZZ_CHECK(mt == NULL || is_type(mt, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST));
    FUZZ_CHECK(m->kind == (is_type(mt, MEDIA_DOCKER_MANIFEST, MEDIA_DOCKER_MANIFEST)
                               ? MANIFEST_DOCKER
                               : MANIFEST_OCI));
    if (mt)
        FUZZ_CHECK(manifest_sniff(doc) == DOC_MANIFEST);
    /* Not also an index (the OCI spec's answer to CVE-2021-41190). */
    FUZZ_CHECK(absent(doc, "manifests"));
    FUZZ_CHECK(m->json == doc);
    check_descriptor(&m->config, json_object_get(doc, "config"));
    json_t *layers = json_object_get(doc, "layers");
    FUZZ_CHECK(json_is_array(layers) && json_array_size(layers) == m->n_layers);
    FUZZ_CHECK(m->n_layers <= MANIFEST_MAX_LAYERS);
    for (size_t i = 0; i < m->n_layers; i++) {
        check_descriptor(&m->layers[i], json_array_get(layers, i));
        (void) media_type_is_layer(m->layers[i].media_type);
    }
}

static bool same_platform(const struct platform *a, const struct platform *b)
{
    return strcmp(a->os, b->os) == 0 && strcmp(a->architecture, b->architecture) == 0 &&
           ((a->variant == NULL && b->variant == NULL) ||
            (a->variant && b->variant && strcmp(a->variant, b->variant) == 0));
}

/* `--platform TEXT`: when it parses, its formatted text parses to the same
 * platform (the aliases are normalised once and for all). */
static bool parse_platform(const char *text, char *buf, size_t len, struct platform *ret)
{
    cleanup_error struct error *err = NULL;
    int r = platform_parse(text, buf, len, ret, &err);
    check_result(r, err);
    if (r < 0)
        return false;
    FUZZ_CHECK(ret->os && ret->architecture);
    char again[256], buf2[256];
    platform_format(ret, again, sizeof(again));
    struct platform q;
    FUZZ_CHECK(platform_parse(again, buf2, sizeof(buf2), &q, NULL) == 0);
    FUZZ_CHECK(same_platform(ret, &q));
    return true;
}

static bool selectable(const struct descriptor *d)
{
    const char *mt = d->media_type;
    return *mt == '\0' || is_type(mt, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST) ||
           is_type(mt, MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST);
}

static void select_for(const struct image_index *ix, const struct platform *want)
{
    cleanup_error struct error *err = NULL;
    const struct descriptor *d = NULL;
    int r = image_index_select(ix, want, &d, &err);
    check_result(r, err);
    size_t first = ix->n_manifests;
    for (size_t i = 0; i < ix->n_manifests && first == ix->n_manifests; i++)
        if (platform_matches(&ix->manifests[i], want) && selectable(&ix->manifests[i]))
            first = i;
    if (r < 0) {
        FUZZ_CHECK(r == -ENOENT && first == ix->n_manifests);
        return;
    }
    FUZZ_CHECK(d == &ix->manifests[first]);
    FUZZ_CHECK(d->has_platform && strcmp(d->platform.os, want->os) == 0 &&
               strcmp(d->platform.architecture, want->architecture) == 0);
}

static void try_index(const json_t *doc)
{
    cleanup_error struct error *err = NULL;
    cleanup_image_index struct image_index *ix = NULL;
    int r = image_index_parse(doc, "index sha256:00", &ix, &err);
    check_result(r, err);
    if (r < 0)
        return;
    check_schema2(doc);
    const char *mt = json_string_value(json_object_get(doc, "mediaType"));
    FUZZ_CHECK(mt == NULL || is_type(mt, MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST));
    if (mt)
        FUZZ_CHECK(manifest_sniff(doc) == DOC_INDEX);
    /* Not also a manifest. */
    FUZZ_CHECK(absent(doc, "config") && absent(doc, "layers"));
    json_t *ms = json_object_get(doc, "manifests");
    FUZZ_CHECK(json_is_array(ms) && json_array_size(ms) == ix->n_manifests);
    FUZZ_CHECK(ix->n_manifests <= INDEX_MAX_MANIFESTS);
    for (size_t i = 0; i < ix->n_manifests; i++)
        check_descriptor(&ix->manifests[i], json_array_get(ms, i));

    struct platform host;
    platform_host(&host);
    select_for(ix, &host);
    static const char *const asked[] = {"linux/arm64", "linux/arm/v7", "windows/amd64", "386"};
    char buf[64];
    struct platform p;
    for (size_t i = 0; i < sizeof(asked) / sizeof(asked[0]); i++)
        if (parse_platform(asked[i], buf, sizeof(buf), &p))
            select_for(ix, &p);
    /* Each entry's own platform, written as --platform would be. */
    for (size_t i = 0; i < ix->n_manifests && i < 8; i++) {
        const struct descriptor *d = &ix->manifests[i];
        if (!d->has_platform)
            continue;
        char text[256], pbuf[256];
        platform_format(&d->platform, text, sizeof(text));
        if (parse_platform(text, pbuf, sizeof(pbuf), &p))
            select_for(ix, &p);
    }
}

static void try_config(const json_t *doc)
{
    cleanup_error struct error *err = NULL;
    cleanup_image_config struct image_config *c = NULL;
    int r = image_config_parse(doc, "config sha256:00", &c, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(c->json == doc);
    json_t *rootfs = json_object_get(doc, "rootfs");
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(rootfs, "type")), "layers") == 0);
    FUZZ_CHECK(c->n_diff_ids <= MANIFEST_MAX_LAYERS);
    FUZZ_CHECK(c->n_diff_ids == json_array_size(json_object_get(rootfs, "diff_ids")));
    FUZZ_CHECK(c->diff_ids != NULL && c->diff_ids[c->n_diff_ids] == NULL);
    for (size_t i = 0; i < c->n_diff_ids; i++)
        FUZZ_CHECK(digest_valid(c->diff_ids[i]));
    char **vs[] = {c->env, c->entrypoint, c->cmd};
    for (size_t k = 0; k < 3; k++)
        for (char **v = vs[k]; v && *v; v++)
            FUZZ_CHECK(*v != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_error struct error *err = NULL;
    cleanup_json json_t *doc = NULL;
    int r = manifest_load_json((const char *) data, size, MANIFEST_MAX_SIZE, "the manifest", &doc,
                               &err);
    check_result(r, err);
    if (r < 0) {
        if (size > MANIFEST_MAX_SIZE)
            FUZZ_CHECK(r == -EFBIG);
        return 0;
    }
    FUZZ_CHECK(size <= MANIFEST_MAX_SIZE && json_is_object(doc));
    enum doc_kind k = manifest_sniff(doc);
    FUZZ_CHECK(k == DOC_UNKNOWN || k == DOC_MANIFEST || k == DOC_INDEX);
    try_manifest(doc);
    try_index(doc);
    try_config(doc);
    return 0;
}
