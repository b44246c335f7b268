/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests on a registry: GET with every type we read in Accept, digest
 * checks, schema 1 refused; PUT. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

void registry_manifest_release(struct registry_manifest *m)
{
    free(m->body);
    free(m->media_type);
    memset(m, 0, sizeof(*m));
}

static char *pull_scope(const char *repo)
{
    char *s = NULL;
    if (asprintf(&s, "repository:%s:pull", repo) < 0)
        return NULL;
    return s;
}

/* "application/x; charset=utf-8" -> "application/x" (malloc'd). */
static char *bare_type(const char *ct)
{
    if (ct == NULL)
        return NULL;
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return strndup(ct, n);
}

static bool is_schema1(const char *mt, const json_t *doc)
{
    if (mt && strstr(mt, "distribution.manifest.v1") != NULL)
        return true;
    json_t *v = json_object_get(doc, "schemaVersion");
    return json_is_integer(v) && json_integer_value(v) == 1;
}

/* The media type a manifest answer stands for. */
static int manifest_type(const struct reg_response *resp, const json_t *doc, char **ret,
                         struct error **err)
{
    cleanup_free char *ct = bare_type(reg_header(&resp->headers, "content-type"));
    const char *inner = json_string_value(json_object_get(doc, "mediaType"));
    const char *mt = ct;
    /* Some servers say application/json (or nothing): the document knows. */
    if (mt == NULL || strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0 ||
        strcmp(mt, "application/octet-stream") == 0 || *mt == '\0') {
        mt = inner;
        if (mt == NULL) {
            enum doc_kind k = manifest_sniff(doc);
            mt = k == DOC_INDEX ? MEDIA_OCI_INDEX : k == DOC_MANIFEST ? MEDIA_OCI_MANIFEST : NULL;
        }
    }
    if (mt == NULL)
        return error_new(err, EPROTO, "the answer is neither a manifest nor an index");
    if ((*ret = strdup(mt)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int check_digests(const struct reg_response *resp, const char *ref, const char *got,
                         struct error **err)
{
    if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, got) != 0)
        return error_new(err, EINVAL, "digest mismatch: asked for %s, got content %s", ref, got);
    const char *dcd = reg_header(&resp->headers, "docker-content-digest");
    if (dcd && strncmp(dcd, "sha256:", 7) == 0 && strcmp(dcd, got) != 0)
        return error_new(err, EINVAL,
                         "the registry says Docker-Content-Digest %.80s, the content is %s", dcd,
                         got);
    return 0;
}

static int parse_answer(const struct reg_response *resp, const char *ref, size_t max,
                        struct registry_manifest *m, struct error **err)
{
    cleanup_json json_t *doc = NULL;
    int rc = manifest_load_json(resp->body ? resp->body : "", resp->len, max, "the manifest",
                                &doc, err);
    if (rc < 0)
        return rc;
    if ((rc = manifest_type(resp, doc, &m->media_type, err)) < 0)
        return rc;
    if (is_schema1(m->media_type, doc))
        return error_new(err, ENOTSUP,
                         "it is a Docker schema 1 manifest, which cabin does not support "
                         "(deprecated since 2017, unsigned and without content digests for its "
                         "layers): push the image again with a current client");
    digest_buffer(resp->body, resp->len, m->digest);
    return check_digests(resp, ref, m->digest, err);
}

int registry_get_manifest(struct registry *r, const char *repo, const char *ref, size_t max,
                          struct registry_manifest *ret, struct error **err)
{
    cleanup_free char *scope = pull_scope(repo), *path = NULL, *what = NULL;
    bool digest = strncmp(ref, "sha256:", 7) == 0;
    if (scope == NULL || asprintf(&path, "/v2/%s/manifests/%s", repo, ref) < 0 ||
        asprintf(&what, "manifest for %s/%s%s%s", r->domain, repo, digest ? "@" : ":", ref) < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "GET", .url = path, .scope = scope,
                            .accept = REGISTRY_ACCEPT_MANIFESTS, .max_body = max,
                            .follow = true};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc < 0)
        return error_wrap(err, "%s", what);
    struct registry_manifest m = {0};
    if (resp.status == 200)
        rc = parse_answer(&resp, ref, max, &m, err);
    else if (resp.status == 401 || resp.status == 403)
        rc = reg_status_error(&resp, "pull access denied (the repository does not exist, or "
                                     "needs `cabin login`)",
                              err);
    else
        rc = reg_status_error(&resp, NULL, err);
    if (rc == 0) {
        m.body = steal_pointer(&resp.body);
        m.len = resp.len;
    }
    reg_response_release(&resp);
    if (rc < 0) {
        registry_manifest_release(&m);
        return error_wrap(err, "%s", what);
    }
    *ret = m;
    return 0;
}

int registry_put_manifest(struct registry *r, const char *repo, const char *ref,
                          const char *media_type, const void *body, size_t len,
                          char ret_digest[DIGEST_BUF], struct error **err)
{
    cleanup_free char *scope = NULL, *path = NULL;
    if (asprintf(&scope, "repository:%s:pull,push", repo) < 0 ||
        asprintf(&path, "/v2/%s/manifests/%s", repo, ref) < 0)
        return error_new(err, ENOMEM, "out of memory");
    char mine[DIGEST_BUF];
    digest_buffer(body, len, mine);
    struct reg_request q = {.method = "PUT", .url = path, .scope = scope,
                            .content_type = media_type, .body = body, .body_len = len};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc == 0 && resp.status != 201 && resp.status != 200)
        rc = reg_status_error(&resp, "PUT", err);
    const char *dcd = rc == 0 ? reg_header(&resp.headers, "docker-content-digest") : NULL;
    if (rc == 0 && dcd && strncmp(dcd, "sha256:", 7) == 0 && strcmp(dcd, mine) != 0)
        rc = error_new(err, EPROTO, "the registry stored it as %.80s, not %s", dcd, mine);
    reg_response_release(&resp);
    if (rc < 0)
        return error_wrap(err, "pushing the manifest %s/%s:%s", r->domain, repo, ref);
    if (ret_digest)
        memcpy(ret_digest, mine, DIGEST_BUF);
    return 0;
}

/* ---- tags ----------------------------------------------------------------------- */

/* The `next` page of a Link header (`</v2/x/tags/list?last=a&n=100>;
 * rel="next"`), malloc'd, or NULL. */
static char *next_page(const char *link)
{
    if (link == NULL || strstr(link, "rel=\"next\"") == NULL)
        return NULL;
    const char *a = strchr(link, '<'), *b = a ? strchr(a, '>') : NULL;
    return a && b ? strndup(a + 1, (size_t) (b - a - 1)) : NULL;
}

static int add_tags(const struct reg_response *resp, char ***tags, size_t *n,
                    struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = json_load_string(resp->body ? resp->body : "", "the tags list", &j, err);
    if (rc < 0)
        return rc;
    json_t *list = json_object_get(j, "tags");
    if (json_is_null(list) || list == NULL)
        return 0;
    if ((rc = json_expect(list, JSON_ARRAY, "the tags list: tags", err)) < 0)
        return rc;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *t = json_string_value(json_array_get(list, i));
        if (t == NULL)
            return error_new(err, EPROTO, "the tags list: tags[%zu]: expected a string", i);
        if (++*n > REGISTRY_MAX_TAGS)
            return error_new(err, E2BIG, "more than %d tags", REGISTRY_MAX_TAGS);
        if (strv_push(tags, t) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

int registry_list_tags(struct registry *r, const char *repo, char ***ret, struct error **err)
{
    cleanup_free char *scope = pull_scope(repo), *url = NULL;
    if (scope == NULL || asprintf(&url, "/v2/%s/tags/list?n=1000", repo) < 0)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_strv char **tags = NULL;
    size_t n = 0;
    int rc = 0;
    for (int page = 0; url && rc == 0; page++) {
        if (page > REGISTRY_MAX_TAGS / 100) {
            rc = error_new(err, E2BIG, "more than %d pages of tags", REGISTRY_MAX_TAGS / 100);
            break;
        }
        struct reg_request q = {.method = "GET", .url = url, .scope = scope,
                                .max_body = MANIFEST_MAX_SIZE, .follow = true};
        struct reg_response resp = {0};
        if ((rc = reg_perform(r, &q, &resp, err)) < 0)
            break;
        if (resp.status != 200)
            rc = reg_status_error(&resp, NULL, err);
        else
            rc = add_tags(&resp, &tags, &n, err);
        char *next = rc == 0 ? next_page(reg_header(&resp.headers, "link")) : NULL;
        char *abs = NULL;
        if (next && reg_resolve(resp.url, next, &abs, err) < 0)
            rc = -error_code(*err);
        free(next);
        reg_response_release(&resp);
        free(url);
        url = abs;
    }
    if (rc < 0)
        return error_wrap(err, "the tags of %s/%s", r->domain, repo);
    if (tags == NULL && (tags = calloc(1, sizeof(char *))) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&tags);
    return 0;
}
