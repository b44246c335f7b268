/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the registry_*.c files share and nothing else sees: the client's
 * state, one HTTP exchange (reg_perform: auth, redirects, retries), and
 * the pieces the download loop of registry_blob.c reuses for its own
 * transfers.
 */
#ifndef CABIN_IMAGE_REGISTRY_INTERNAL_H
#define CABIN_IMAGE_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "image/libcurl.h"
#include "image/registry.h"
#include "image/registry_creds.h"

#define REG_MAX_ERROR_BODY (64u << 10) /* an error response kept for its message */
#define REG_MAX_TOKEN_BODY (1u << 20)
#define REG_MAX_HEADERS    (256u << 10) /* all header lines of one response */
#define REG_MAX_REDIRECTS  10
#define REG_MAX_ATTEMPTS   5            /* tries of one request (retries + 1) */
#define REG_MAX_AUTH_TRIES 2            /* new tokens after a 401, per request */

/* Response headers, names lower-case, in the order received. */
struct reg_headers {
    char **names, **values;
    size_t n, bytes;
    bool too_many;
};
void reg_headers_clear(struct reg_headers *h);
const char *reg_header(const struct reg_headers *h, const char *name);
/* The header callback (CURLOPT_HEADERFUNCTION with a struct reg_headers *):
 * a status line starts a new response. */
size_t reg_header_cb(char *buf, size_t size, size_t n, void *opaque);

struct reg_token {
    char *realm, *service, *scope, *token;
    int64_t expires_ms; /* monotonic */
};

enum reg_auth { REG_AUTH_NONE, REG_AUTH_BASIC, REG_AUTH_BEARER };

struct registry {
    char *domain;   /* as in references */
    char *endpoint; /* host[:port] reached */
    char *base;     /* "https://endpoint" or "http://endpoint", after the ping */
    bool insecure, pinged;
    enum reg_auth auth;
    char *realm, *service; /* of the ping's Bearer challenge */
    struct registry_creds creds;
    bool creds_loaded;
    struct reg_token *tokens;
    size_t n_tokens;
    char *authfile, *creds_arg, *registries_conf;
    CURL *easy; /* synchronous requests, reset between them */
    CURLSH *share;
    struct curl_slist *connect_to;
    char *ca_blob; /* the system's CAs and certs.d's, or NULL */
    size_t ca_len;
    char *client_cert, *client_key;
};

/* One request. */
struct reg_request {
    const char *method;       /* "GET", "HEAD", "PUT", "POST", "PATCH", "DELETE" */
    const char *url;          /* absolute, or a path ("/v2/...") on the registry */
    const char *scope;        /* token scope; NULL: registry auth is not sent */
    const char *basic;        /* "user:password" sent as Basic (token requests) */
    const char *accept;       /* Accept value, or NULL */
    const char *content_type; /* of the body */
    const char *range;        /* "bytes=N-" */
    const char *extra;        /* one more header line, "Name: value" */
    const void *body;         /* in-memory body (or use body_read) */
    size_t body_len;
    registry_upload_read_fn body_read;
    void *body_opaque;
    uint64_t body_off, body_size;
    registry_upload_progress_fn progress;
    void *progress_opaque;
    size_t max_body; /* response bytes kept; more fails with EFBIG */
    bool follow;     /* follow redirects (GET, HEAD) */
    bool no_retry;   /* a request that must not be repeated */
};

struct reg_response {
    long status;
    char *body;
    size_t len;
    struct reg_headers headers;
    char *url; /* the URL that answered (after redirects) */
};
void reg_response_release(struct reg_response *resp);

/* Send `q` (pinging first): auth header, redirects (never carrying our
 * Authorization to another origin), retries on 429/5xx/dropped
 * connections, a new token after a 401.  Any HTTP status is a success
 * here: the caller reads it (reg_status_error for the failures). */
int reg_perform(struct registry *r, const struct reg_request *q, struct reg_response *ret,
                struct error **err);

/* An error for a response that is not what was wanted ("WHAT: " first
 * unless NULL): the status, the
 * registry's {"errors": [...]} message, errno by status (401/403 EACCES,
 * 404 ENOENT, 429 EAGAIN, else EIO). */
int reg_status_error(const struct reg_response *resp, const char *what, struct error **err);

/* ---- pieces for registry_blob.c's own transfers ---- */

/* The options every handle gets: TLS, CAs, client certificate, proxies
 * from the environment, protocols, timeouts, user agent, the share. */
int reg_easy_setup(struct registry *r, CURL *h, struct error **err);
/* base + path (malloc'd). */
char *reg_url(const struct registry *r, const char *path);
/* "Authorization: ..." for a request on the registry in `scope`
 * (malloc'd), or NULL in *ret when none is needed. */
int reg_auth_header(struct registry *r, const char *scope, char **ret, struct error **err);
/* After a 401 in `scope`: a new token from its challenge.  -EACCES when
 * there is nothing more to try. */
int reg_auth_refresh(struct registry *r, const struct reg_headers *h, const char *scope,
                     struct error **err);
/* Whether a failure is worth another try. */
bool reg_retryable_curl(CURLcode c);
bool reg_retryable_status(long status);
/* Milliseconds to wait before try `attempt` (2, 3, ...): exponential,
 * or the response's Retry-After. */
long reg_backoff_ms(int attempt, const struct reg_headers *h);
/* `location` resolved against `from` (malloc'd); only http(s). */
int reg_resolve(const char *from, const char *location, char **ret, struct error **err);
/* Same scheme, host and port. */
bool reg_same_origin(const char *a, const char *b);
int64_t reg_now_ms(void);
/* Make sure curl_global_init ran (once). */
void reg_global_init(void);

/* ---- auth (registry_token.c) ---- */

/* Learn the ping's challenge (`h` of the 401). */
int reg_auth_from_ping(struct registry *r, const struct reg_headers *h, struct error **err);
void reg_tokens_release(struct registry *r);
/* Load the credentials for the registry once (registry_creds.h), for the
 * repository of `scope` when it names one. */
int reg_creds_load(struct registry *r, const char *scope, struct error **err);

#endif
