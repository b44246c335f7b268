/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blob uploads: an existence check (HEAD), cross-repository mounts
 * (POST ?mount=&from=), and uploads: one PUT for a blob up to the chunk
 * size, PATCH chunks with Content-Range then a closing PUT for larger
 * ones.  A PUT or PATCH is never repeated inside an upload session (a
 * half-sent body may already be appended there): a failed upload starts
 * again with a new session, a few times.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define UPLOAD_TRIES     3
#define MAX_CHUNK        (1ull << 30)

static char *push_scope(const char *repo, const char *from)
{
    char *s = NULL;
    int n = from ? asprintf(&s, "repository:%s:pull,push repository:%s:pull", repo, from)
                 : asprintf(&s, "repository:%s:pull,push", repo);
    return n < 0 ? NULL : s;
}

int registry_blob_exists(struct registry *r, const char *repo, const char *digest,
                         bool *ret_exists, struct error **err)
{
    cleanup_free char *scope = push_scope(repo, NULL), *path = NULL;
    if (scope == NULL || asprintf(&path, "/v2/%s/blobs/%s", repo, digest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "HEAD", .url = path, .scope = scope, .follow = true};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc == 0 && resp.status != 200 && resp.status != 404)
        rc = reg_status_error(&resp, "HEAD", err);
    if (rc == 0)
        *ret_exists = resp.status == 200;
    reg_response_release(&resp);
    return rc < 0 ? error_wrap(err, "blob %s in %s/%s", digest, r->domain, repo) : 0;
}

/* The upload session's URL from a 202's Location (absolute, malloc'd). */
static int session_url(struct registry *r, const struct reg_response *resp, char **ret,
                       struct error **err)
{
    const char *loc = reg_header(&resp->headers, "location");
    if (loc == NULL)
        return error_new(err, EPROTO, "the registry gave no Location for the upload");
    cleanup_free char *base = reg_url(r, "/");
    if (base == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return reg_resolve(resp->url ? resp->url : base, loc, ret, err);
}

/* POST .../uploads/ (with ?mount=&from= when `from`): *ret_url is the
 * session (NULL when the blob was mounted). */
static int begin(struct registry *r, const char *repo, const char *digest, const char *from,
                 char **ret_url, uint64_t *ret_min_chunk, struct error **err)
{
    cleanup_free char *scope = push_scope(repo, from), *path = NULL;
    int n = from ? asprintf(&path, "/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, digest, from)
                 : asprintf(&path, "/v2/%s/blobs/uploads/", repo);
    if (scope == NULL || n < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "POST", .url = path, .scope = scope};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    *ret_url = NULL;
    if (rc == 0 && from && resp.status == 201) {
        reg_response_release(&resp);
        return 0;
    }
    if (rc == 0 && resp.status != 202)
        rc = reg_status_error(&resp, from ? "POST (mount)" : "POST", err);
    if (rc == 0)
        rc = session_url(r, &resp, ret_url, err);
    const char *min = reg_header(&resp.headers, "oci-chunk-min-length");
    *ret_min_chunk = min ? strtoull(min, NULL, 10) : 0;
    reg_response_release(&resp);
    return rc;
}

/* `url` with "digest=D" added to its query (malloc'd). */
static char *with_digest(const char *url, const char *digest)
{
    char *u = NULL;
    if (asprintf(&u, "%s%sdigest=%s", url, strchr(url, '?') ? "&" : "?", digest) < 0)
        return NULL;
    return u;
}

static int put_final(struct registry *r, const char *repo, const char *url,
                     const struct registry_upload *u, uint64_t off, uint64_t len,
                     struct error **err)
{
    cleanup_free char *scope = push_scope(repo, NULL);
    cleanup_free char *target = with_digest(url, u->digest);
    if (scope == NULL || target == NULL)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "PUT", .url = target, .scope = scope,
                            .content_type = "application/octet-stream", .no_retry = true,
                            .body_read = u->read, .body_opaque = u->opaque, .body_off = off,
                            .body_size = len, .progress = u->progress,
                            .progress_opaque = u->progress_opaque};
    if (len == 0) {
        q.body_read = NULL;
        q.body = "";
    }
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc == 0 && resp.status != 201 && resp.status != 204)
        rc = reg_status_error(&resp, "PUT", err);
    const char *dcd = rc == 0 ? reg_header(&resp.headers, "docker-content-digest") : NULL;
    if (dcd && strncmp(dcd, "sha256:", 7) == 0 && strcmp(dcd, u->digest) != 0)
        rc = error_new(err, EPROTO, "the registry stored it as %.80s", dcd);
    reg_response_release(&resp);
    return rc;
}

static int patch_chunk(struct registry *r, const char *repo, char **url,
                       const struct registry_upload *u, uint64_t off, uint64_t len,
                       struct error **err)
{
    cleanup_free char *scope = push_scope(repo, NULL), *range = NULL, *hdr = NULL;
    if (scope == NULL || asprintf(&range, "%" PRIu64 "-%" PRIu64, off, off + len - 1) < 0 ||
        asprintf(&hdr, "Content-Range: %s", range) < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "PATCH", .url = *url, .scope = scope,
                            .content_type = "application/octet-stream", .extra = hdr,
                            .no_retry = true, .body_read = u->read, .body_opaque = u->opaque,
                            .body_off = off, .body_size = len, .progress = u->progress,
                            .progress_opaque = u->progress_opaque};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc == 0 && resp.status != 202)
        rc = reg_status_error(&resp, "PATCH", err);
    const char *got = rc == 0 ? reg_header(&resp.headers, "range") : NULL;
    unsigned long long a = 0, b = 0;
    if (got && (sscanf(got, "%llu-%llu", &a, &b) != 2 || b != off + len - 1))
        rc = error_new(err, EPROTO, "after bytes %s the registry has `%.40s`", range, got);
    char *next = NULL;
    if (rc == 0 && (rc = session_url(r, &resp, &next, err)) == 0) {
        free(*url);
        *url = next;
    }
    reg_response_release(&resp);
    return rc;
}

static int upload_once(struct registry *r, const char *repo, const struct registry_upload *u,
                       char *url, uint64_t min_chunk, enum registry_upload_how *ret_how,
                       struct error **err)
{
    uint64_t chunk = u->chunk_size ? u->chunk_size : MAX_CHUNK;
    if (chunk < min_chunk)
        chunk = min_chunk;
    if (u->size <= chunk) {
        *ret_how = UPLOAD_MONOLITHIC;
        return put_final(r, repo, url, u, 0, u->size, err);
    }
    cleanup_free char *cur = strdup(url);
    if (cur == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (uint64_t off = 0; off < u->size; off += chunk) {
        uint64_t len = u->size - off < chunk ? u->size - off : chunk;
        int rc = patch_chunk(r, repo, &cur, u, off, len, err);
        if (rc < 0)
            return rc;
    }
    *ret_how = UPLOAD_CHUNKED;
    return put_final(r, repo, cur, u, u->size, 0, err);
}

static bool worth_again(int code)
{
    return code == EIO || code == ETIMEDOUT || code == EAGAIN || code == EPROTO;
}

static int try_mounts(struct registry *r, const char *repo, const struct registry_upload *u,
                      char **ret_url, uint64_t *ret_min, const char **ret_from,
                      struct error **err)
{
    for (size_t i = 0; u->mount_from && u->mount_from[i]; i++) {
        if (strcmp(u->mount_from[i], repo) == 0)
            continue;
        cleanup_error struct error *e = NULL;
        char *url = NULL;
        if (begin(r, repo, u->digest, u->mount_from[i], &url, ret_min, &e) < 0) {
            log_debug("blob %.19s: no mount from %s: %s", u->digest, u->mount_from[i], e->msg);
            continue;
        }
        if (url == NULL) {
            *ret_from = u->mount_from[i];
            return 1;
        }
        /* Refused (202): the session it opened is ours to upload to. */
        *ret_url = url;
        return 0;
    }
    return 0;
}

int registry_blob_push(struct registry *r, const char *repo, const struct registry_upload *u,
                       enum registry_upload_how *ret_how, const char **ret_from,
                       struct error **err)
{
    bool exists = false;
    int rc = registry_blob_exists(r, repo, u->digest, &exists, err);
    if (rc < 0)
        return rc;
    *ret_from = NULL;
    if (exists) {
        *ret_how = UPLOAD_EXISTED;
        return 0;
    }
    char *url = NULL;
    uint64_t min_chunk = 0;
    if ((rc = try_mounts(r, repo, u, &url, &min_chunk, ret_from, err)) != 0) {
        *ret_how = UPLOAD_MOUNTED;
        return rc < 0 ? rc : 0;
    }
    for (int attempt = 1;; attempt++) {
        if (url == NULL && (rc = begin(r, repo, u->digest, NULL, &url, &min_chunk, err)) < 0)
            break;
        rc = upload_once(r, repo, u, url, min_chunk, ret_how, err);
        free(url);
        url = NULL;
        if (rc == 0 || attempt >= UPLOAD_TRIES || !worth_again(error_code(*err)))
            break;
        log_debug("blob %.19s: %s; uploading again", u->digest, (*err)->msg);
        error_freep(err);
    }
    free(url);
    return rc < 0 ? error_wrap(err, "pushing blob %s to %s/%s", u->digest, r->domain, repo) : 0;
}
