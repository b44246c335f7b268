/* SPDX-License-Identifier: Apache-2.0 */
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

int manifest_load_json(const char *buf, size_t len, size_t max, const char *what, json_t **ret,
                       struct error **err)
{
    if (len > max)
        return error_new(err, EFBIG, "%s: %zu bytes is more than the limit of %zu", what, len,
                         max);
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return error_new(err, EINVAL, "%s: malformed JSON at line %d, column %d: %s", what,
                         je.line, je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return error_new(err, EINVAL, "%s: expected a JSON object", what);
    }
    *ret = j;
    return 0;
}

static void platform_release(struct platform *p)
{
    free(p->os);
    free(p->architecture);
    free(p->variant);
}

static void descriptor_release(struct descriptor *d)
{
    free(d->media_type);
    platform_release(&d->platform);
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int parse_descriptor(const json_t *o, const char *where, struct descriptor *d,
                            struct error **err)
{
    if (!json_is_object(o))
        return error_new(err, EINVAL, "%s: expected an object", where);
    const char *mt = NULL, *digest = NULL;
    int64_t size = -1;
    int r;
    if ((r = json_get_string(o, "mediaType", where, false, &mt, err)) < 0 ||
        (r = json_get_string(o, "digest", where, true, &digest, err)) < 0 ||
        (r = json_get_int64(o, "size", where, true, &size, err)) < 0)
        return r;
    char what[256];
    snprintf(what, sizeof(what), "%s.digest", where);
    if ((r = digest_check(digest, what, NULL, err)) < 0)
        return r;
    if (size < 0)
        return error_new(err, EINVAL, "%s.size: %lld is negative", where, (long long) size);
    memcpy(d->digest, digest, DIGEST_BUF);
    d->size = size;
    d->media_type = dup_opt(mt ? mt : "");
    json_t *ann = json_object_get(o, "annotations");
    if (ann && !json_is_null(ann)) {
        snprintf(what, sizeof(what), "%s.annotations", where);
        if ((r = json_expect(ann, JSON_OBJECT, what, err)) < 0)
            return r;
        d->annotations = ann;
    }
    json_t *pl = json_object_get(o, "platform");
    if (pl && json_is_object(pl)) {
        const char *os = NULL, *arch = NULL, *variant = NULL;
        snprintf(what, sizeof(what), "%s.platform", where);
        if ((r = json_get_string(pl, "os", what, false, &os, err)) < 0 ||
            (r = json_get_string(pl, "architecture", what, false, &arch, err)) < 0 ||
            (r = json_get_string(pl, "variant", what, false, &variant, err)) < 0)
            return r;
        d->has_platform = true;
        d->platform.os = dup_opt(os);
        d->platform.architecture = dup_opt(arch);
        d->platform.variant = dup_opt(variant);
    }
    if (d->media_type == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

enum doc_kind manifest_sniff(const json_t *doc)
{
    const char *mt = json_string_value(json_object_get(doc, "mediaType"));
    if (mt && (strcmp(mt, MEDIA_OCI_MANIFEST) == 0 || strcmp(mt, MEDIA_DOCKER_MANIFEST) == 0))
        return DOC_MANIFEST;
    if (mt && (strcmp(mt, MEDIA_OCI_INDEX) == 0 || strcmp(mt, MEDIA_DOCKER_LIST) == 0))
        return DOC_INDEX;
    if (mt && *mt)
        return DOC_UNKNOWN;
    if (json_is_array(json_object_get(doc, "manifests")))
        return DOC_INDEX;
    if (json_is_object(json_object_get(doc, "config")))
        return DOC_MANIFEST;
    return DOC_UNKNOWN;
}

static int check_schema(const json_t *doc, const char *what, struct error **err)
{
    int64_t v = 0;
    int r = json_get_int64(doc, "schemaVersion", what, true, &v, err);
    if (r < 0)
        return r;
    if (v == 1)
        return error_new(err, ENOTSUP,
                         "%s: Docker schema 1 manifests are not supported (deprecated since "
                         "2017); re-push the image with a current client",
                         what);
    if (v != 2)
        return error_new(err, EINVAL, "%s: schemaVersion %lld is not 2", what, (long long) v);
    return 0;
}

void manifest_free(struct manifest *m)
{
    if (m == NULL)
        return;
    descriptor_release(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        descriptor_release(&m->layers[i]);
    free(m->layers);
    json_decref(m->json);
    free(m);
}

int manifest_parse(const json_t *doc, const char *what, struct manifest **ret, struct error **err)
{
    int r = check_schema(doc, what, err);
    if (r < 0)
        return r;
    const char *mt = json_string_value(json_object_get(doc, "mediaType"));
    if (mt && strcmp(mt, MEDIA_OCI_MANIFEST) != 0 && strcmp(mt, MEDIA_DOCKER_MANIFEST) != 0)
        return error_new(err, EINVAL, "%s: mediaType `%s` is not an image manifest", what, mt);
    cleanup_free struct manifest *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return error_new(err, ENOMEM, "out of memory");
    m->kind = mt && strcmp(mt, MEDIA_DOCKER_MANIFEST) == 0 ? MANIFEST_DOCKER : MANIFEST_OCI;
    m->json = json_incref((json_t *) doc);
    char where[256];
    snprintf(where, sizeof(where), "%s: config", what);
    if ((r = parse_descriptor(json_object_get(doc, "config"), where, &m->config, err)) < 0) {
        manifest_free(steal_pointer(&m));
        return r;
    }
    json_t *layers = json_object_get(doc, "layers");
    snprintf(where, sizeof(where), "%s: layers", what);
    if ((r = json_expect(layers ? layers : json_null(), JSON_ARRAY, where, err)) < 0 ||
        json_array_size(layers) > MANIFEST_MAX_LAYERS) {
        if (r == 0)
            r = error_new(err, E2BIG, "%s: %zu layers is more than the limit of %d", what,
                          json_array_size(layers), MANIFEST_MAX_LAYERS);
        manifest_free(steal_pointer(&m));
        return r;
    }
    size_t n = json_array_size(layers);
    m->layers = calloc(n ? n : 1, sizeof(*m->layers));
    if (m->layers == NULL) {
        manifest_free(steal_pointer(&m));
        return error_new(err, ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof(where), "%s: layers[%zu]", what, i);
        m->n_layers = i + 1;
        if ((r = parse_descriptor(json_array_get(layers, i), where, &m->layers[i], err)) < 0) {
            manifest_free(steal_pointer(&m));
            return r;
        }
    }
    *ret = steal_pointer(&m);
    return 0;
}

void image_index_free(struct image_index *ix)
{
    if (ix == NULL)
        return;
    for (size_t i = 0; i < ix->n_manifests; i++)
        descriptor_release(&ix->manifests[i]);
    free(ix->manifests);
    json_decref(ix->json);
    free(ix);
}

int image_index_parse(const json_t *doc, const char *what, struct image_index **ret,
                      struct error **err)
{
    int r = check_schema(doc, what, err);
    if (r < 0)
        return r;
    json_t *ms = json_object_get(doc, "manifests");
    char where[256];
    snprintf(where, sizeof(where), "%s: manifests", what);
    if ((r = json_expect(ms ? ms : json_null(), JSON_ARRAY, where, err)) < 0)
        return r;
    size_t n = json_array_size(ms);
    if (n > INDEX_MAX_MANIFESTS)
        return error_new(err, E2BIG, "%s: %zu manifests is more than the limit of %d", what, n,
                         INDEX_MAX_MANIFESTS);
    struct image_index *ix = calloc(1, sizeof(*ix));
    if (ix == NULL || (ix->manifests = calloc(n ? n : 1, sizeof(*ix->manifests))) == NULL) {
        free(ix);
        return error_new(err, ENOMEM, "out of memory");
    }
    ix->json = json_incref((json_t *) doc);
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof(where), "%s: manifests[%zu]", what, i);
        ix->n_manifests = i + 1;
        if ((r = parse_descriptor(json_array_get(ms, i), where, &ix->manifests[i], err)) < 0) {
            image_index_free(ix);
            return r;
        }
    }
    *ret = ix;
    return 0;
}

void platform_host(struct platform *ret)
{
    static char arch[32], variant[8];
    struct utsname u;
    const char *a = "amd64", *v = NULL;
    if (uname(&u) == 0) {
        if (strcmp(u.machine, "x86_64") == 0)
            a = "amd64";
        else if (strcmp(u.machine, "aarch64") == 0)
            a = "arm64", v = "v8";
        else if (strncmp(u.machine, "armv7", 5) == 0)
            a = "arm", v = "v7";
        else if (strncmp(u.machine, "armv6", 5) == 0)
            a = "arm", v = "v6";
        else if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0)
            a = "386";
        else if (strcmp(u.machine, "ppc64le") == 0 || strcmp(u.machine, "s390x") == 0 ||
                 strcmp(u.machine, "riscv64") == 0)
            a = u.machine;
    }
    snprintf(arch, sizeof(arch), "%s", a);
    snprintf(variant, sizeof(variant), "%s", v ? v : "");
    ret->os = (char *) "linux";
    ret->architecture = arch;
    ret->variant = v ? variant : NULL;
}

static bool valid_part(const char *s)
{
    if (*s == '\0' || strlen(s) > 32)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
              *s == '.'))
            return false;
    return true;
}

int platform_parse(const char *s, char *buf, size_t len, struct platform *ret,
                   struct error **err)
{
    if (strlen(s) + 1 > len)
        return error_new(err, EINVAL, "--platform `%.64s`: too long", s);
    memcpy(buf, s, strlen(s) + 1);
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char) (*p - 'A' + 'a');
    char *parts[3] = {NULL, NULL, NULL};
    size_t n = 0;
    for (char *tok = buf, *slash; tok && n < 3; tok = slash ? slash + 1 : NULL) {
        slash = strchr(tok, '/');
        if (slash)
            *slash = '\0';
        parts[n++] = tok;
        if (slash && n == 3)
            return error_new(err, EINVAL, "--platform `%s`: expected os/arch[/variant]", s);
    }
    struct platform p = {0};
    if (n == 1) {
        p.os = (char *) "linux";
        p.architecture = parts[0];
    } else {
        p.os = parts[0];
        p.architecture = parts[1];
        p.variant = n == 3 ? parts[2] : NULL;
    }
    if (!valid_part(p.os) || !valid_part(p.architecture) || (p.variant && !valid_part(p.variant)))
        return error_new(err, EINVAL, "--platform `%s`: expected os/arch[/variant]", s);
    if (strcmp(p.architecture, "x86_64") == 0 || strcmp(p.architecture, "x86-64") == 0)
        p.architecture = (char *) "amd64";
    else if (strcmp(p.architecture, "aarch64") == 0)
        p.architecture = (char *) "arm64";
    else if (strcmp(p.architecture, "armhf") == 0 && !p.variant)
        p.architecture = (char *) "arm", p.variant = (char *) "v7";
    else if (strcmp(p.architecture, "armel") == 0 && !p.variant)
        p.architecture = (char *) "arm", p.variant = (char *) "v6";
    else if (strcmp(p.architecture, "i386") == 0 || strcmp(p.architecture, "i686") == 0)
        p.architecture = (char *) "386";
    if (strcmp(p.architecture, "arm64") == 0 && p.variant && strcmp(p.variant, "8") == 0)
        p.variant = (char *) "v8";
    *ret = p;
    return 0;
}

void platform_format(const struct platform *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
             p->variant ? "/" : "", p->variant ? p->variant : "");
}

bool platform_matches(const struct descriptor *d, const struct platform *want)
{
    if (!d->has_platform)
        return false;
    const struct platform *p = &d->platform;
    if (!p->os || strcmp(p->os, want->os) != 0 || !p->architecture ||
        strcmp(p->architecture, want->architecture) != 0)
        return false;
    if (want->variant && p->variant && strcmp(p->variant, want->variant) != 0)
        return false;
    return true;
}

bool media_type_is_layer(const char *mt)
{
    static const char *const ok[] = {
        MEDIA_OCI_LAYER, MEDIA_OCI_LAYER_GZIP, MEDIA_OCI_LAYER_ZSTD, MEDIA_DOCKER_LAYER,
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", MEDIA_DOCKER_FOREIGN,
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(mt, ok[i]) == 0)
            return true;
    return false;
}

/* ---- image config ---------------------------------------------------- */

void image_config_free(struct image_config *c)
{
    if (c == NULL)
        return;
    free(c->architecture);
    free(c->os);
    free(c->variant);
    free(c->created);
    free(c->user);
    free(c->working_dir);
    free(c->stop_signal);
    strv_free(c->env);
    strv_free(c->entrypoint);
    strv_free(c->cmd);
    strv_free(c->diff_ids);
    json_decref(c->json);
    free(c);
}

static int opt_string(const json_t *o, const char *key, const char *where, char **ret,
                      struct error **err)
{
    const char *s = NULL;
    int r = json_get_string(o, key, where, false, &s, err);
    if (r < 0)
        return r;
    if (s && (*ret = strdup(s)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int parse_exec_config(const json_t *cfg, const char *what, struct image_config *c,
                             struct error **err)
{
    char where[256];
    snprintf(where, sizeof(where), "%s: config", what);
    int r;
    if ((r = opt_string(cfg, "User", where, &c->user, err)) < 0 ||
        (r = opt_string(cfg, "WorkingDir", where, &c->working_dir, err)) < 0 ||
        (r = opt_string(cfg, "StopSignal", where, &c->stop_signal, err)) < 0 ||
        (r = json_get_strv(cfg, "Env", where, false, &c->env, err)) < 0 ||
        (r = json_get_strv(cfg, "Entrypoint", where, false, &c->entrypoint, err)) < 0 ||
        (r = json_get_strv(cfg, "Cmd", where, false, &c->cmd, err)) < 0)
        return r;
    return 0;
}

int image_config_parse(const json_t *doc, const char *what, struct image_config **ret,
                       struct error **err)
{
    struct image_config *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    c->json = json_incref((json_t *) doc);
    int r;
    if ((r = opt_string(doc, "architecture", what, &c->architecture, err)) < 0 ||
        (r = opt_string(doc, "os", what, &c->os, err)) < 0 ||
        (r = opt_string(doc, "variant", what, &c->variant, err)) < 0 ||
        (r = opt_string(doc, "created", what, &c->created, err)) < 0)
        goto fail;
    json_t *cfg = json_object_get(doc, "config");
    if (cfg && !json_is_null(cfg)) {
        char where[256];
        snprintf(where, sizeof(where), "%s: config", what);
        if ((r = json_expect(cfg, JSON_OBJECT, where, err)) < 0 ||
            (r = parse_exec_config(cfg, what, c, err)) < 0)
            goto fail;
    }
    json_t *rootfs = json_object_get(doc, "rootfs");
    char where[256];
    snprintf(where, sizeof(where), "%s: rootfs", what);
    if ((r = json_expect(rootfs ? rootfs : json_null(), JSON_OBJECT, where, err)) < 0)
        goto fail;
    const char *type = NULL;
    if ((r = json_get_string(rootfs, "type", where, true, &type, err)) < 0)
        goto fail;
    if (strcmp(type, "layers") != 0) {
        r = error_new(err, EINVAL, "%s.type: `%s` is not \"layers\"", where, type);
        goto fail;
    }
    if ((r = json_get_strv(rootfs, "diff_ids", where, true, &c->diff_ids, err)) < 0)
        goto fail;
    c->n_diff_ids = strv_length(c->diff_ids);
    if (c->n_diff_ids > MANIFEST_MAX_LAYERS) {
        r = error_new(err, E2BIG, "%s.diff_ids: %zu layers is more than the limit of %d", where,
                      c->n_diff_ids, MANIFEST_MAX_LAYERS);
        goto fail;
    }
    for (size_t i = 0; i < c->n_diff_ids; i++) {
        char w[300];
        snprintf(w, sizeof(w), "%s.diff_ids[%zu]", where, i);
        if ((r = digest_check(c->diff_ids[i], w, NULL, err)) < 0)
            goto fail;
    }
    *ret = c;
    return 0;
fail:
    image_config_free(c);
    return r;
}
