/* SPDX-License-Identifier: Apache-2.0 */
/* The registry client's transport: handles, TLS, one exchange with auth,
 * redirects by hand and retries with back-off. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "image/registry_challenge.h"
#include "image/registry_config.h"
#include "image/registry_internal.h"
#include "util/base64.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define CONNECT_TIMEOUT_MS 30000L
#define LOW_SPEED_TIME_S   60L /* a transfer stalled this long is dropped (and retried) */
#define BACKOFF_BASE_MS    250L
#define BACKOFF_MAX_MS     8000L
#define RETRY_AFTER_MAX_S  60L
#define MAX_CA_FILE        (8u << 20)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
}

void reg_global_init(void)
{
    pthread_once(&global_once, global_init);
}

int64_t reg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- headers ------------------------------------------------------------- */

void reg_headers_clear(struct reg_headers *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->names[i]);
        free(h->values[i]);
    }
    free(h->names);
    free(h->values);
    memset(h, 0, sizeof(*h));
}

const char *reg_header(const struct reg_headers *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

size_t reg_header_cb(char *buf, size_t size, size_t n, void *opaque)
{
    struct reg_headers *h = opaque;
    size_t len = size * n;
    if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        reg_headers_clear(h); /* a new response (after a 100, say) */
        return len;
    }
    h->bytes += len;
    if (h->bytes > REG_MAX_HEADERS || h->n >= 512) {
        h->too_many = true;
        return 0;
    }
    const char *colon = memchr(buf, ':', len);
    if (colon == NULL)
        return len; /* the blank line */
    size_t nlen = (size_t) (colon - buf);
    const char *v = colon + 1, *end = buf + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char **nn = realloc(h->names, (h->n + 1) * sizeof(char *));
    if (nn == NULL)
        return 0;
    h->names = nn;
    char **nv = realloc(h->values, (h->n + 1) * sizeof(char *));
    if (nv == NULL)
        return 0;
    h->values = nv;
    char *name = strndup(buf, nlen), *value = strndup(v, (size_t) (end - v));
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        return 0;
    }
    for (char *p = name; *p; p++)
        *p = (char) tolower((unsigned char) *p);
    h->names[h->n] = name;
    h->values[h->n] = value;
    h->n++;
    return len;
}

void reg_response_release(struct reg_response *resp)
{
    free(resp->body);
    free(resp->url);
    reg_headers_clear(&resp->headers);
    memset(resp, 0, sizeof(*resp));
}

/* ---- TLS material: certs.d ------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int append_file(int dirfd, const char *name, char **blob, size_t *len, struct error **err)
{
    cleanup_free char *buf = NULL;
    size_t n = 0;
    int r = fs_read_file_at(dirfd, name, MAX_CA_FILE, &buf, &n, err);
    if (r < 0)
        return r;
    char *nb = realloc(*blob, *len + n + 2);
    if (nb == NULL)
        return error_new(err, ENOMEM, "out of memory");
    memcpy(nb + *len, buf, n);
    *len += n;
    nb[(*len)++] = '\n';
    nb[*len] = '\0';
    *blob = nb;
    return 0;
}

/* The system's bundle, as libcurl would use it. */
static int system_cas(char **blob, size_t *len, struct error **err)
{
    CURL *h = curl_easy_init();
    char *path = NULL;
    if (h)
        curl_easy_getinfo(h, CURLINFO_CAINFO, &path);
    int r = 0;
    if (path && *path) {
        cleanup_free char *copy = strdup(path);
        r = copy ? append_file(AT_FDCWD, copy, blob, len, err)
                 : error_new(err, ENOMEM, "out of memory");
    }
    if (h)
        curl_easy_cleanup(h);
    return r;
}

static int cert_dir_entry(struct registry *r, int dfd, const char *dir, const char *name,
                          bool *have_ca, struct error **err)
{
    int ret = 0;
    if (ends_with(name, ".crt")) {
        if (!*have_ca && (ret = system_cas(&r->ca_blob, &r->ca_len, err)) < 0)
            return ret;
        *have_ca = true;
        if ((ret = append_file(dfd, name, &r->ca_blob, &r->ca_len, err)) < 0)
            return error_wrap(err, "`%s`", dir);
    } else if (ends_with(name, ".cert") && r->client_cert == NULL) {
        size_t n = strlen(name) - 5;
        if (asprintf(&r->client_cert, "%s/%s", dir, name) < 0 ||
            asprintf(&r->client_key, "%s/%.*s.key", dir, (int) n, name) < 0)
            return error_new(err, ENOMEM, "out of memory");
        if (access(r->client_key, R_OK) < 0)
            return error_errno(err, "`%s`: client certificate `%s` without its key", dir, name);
    }
    return 0;
}

/* docker's and podman's certs.d (or --cert-dir): CAs and a client pair. */
static int load_cert_dir(struct registry *r, const char *given, struct error **err)
{
    char paths[3][4096];
    size_t n = 0;
    if (given) {
        snprintf(paths[n++], sizeof(paths[0]), "%s", given);
    } else {
        snprintf(paths[n++], sizeof(paths[0]), "/etc/containers/certs.d/%s", r->endpoint);
        snprintf(paths[n++], sizeof(paths[0]), "/etc/docker/certs.d/%s", r->endpoint);
    }
    for (size_t i = 0; i < n; i++) {
        cleanup_closedir DIR *d = opendir(paths[i]);
        if (d == NULL) {
            if (given)
                return error_errno(err, "--cert-dir `%s`", given);
            continue;
        }
        bool have_ca = false;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            int ret = cert_dir_entry(r, dirfd(d), paths[i], de->d_name, &have_ca, err);
            if (ret < 0)
                return ret;
        }
        return 0; /* the first folder that exists is the one */
    }
    return 0;
}

/* ---- the client ------------------------------------------------------------ */

void registry_free(struct registry *r)
{
    if (r == NULL)
        return;
    if (r->easy)
        curl_easy_cleanup(r->easy);
    if (r->share)
        curl_share_cleanup(r->share);
    curl_slist_free_all(r->connect_to);
    reg_tokens_release(r);
    registry_creds_release(&r->creds);
    free(r->domain);
    free(r->endpoint);
    free(r->base);
    free(r->realm);
    free(r->service);
    free(r->authfile);
    free(r->creds_arg);
    free(r->registries_conf);
    free(r->ca_blob);
    free(r->client_cert);
    free(r->client_key);
    free(r);
}

const char *registry_domain(const struct registry *r)
{
    return r->domain;
}

bool registry_insecure(const struct registry *r)
{
    return r->insecure;
}

static char *dup_opt(const char *s, bool *oom)
{
    char *d = s ? strdup(s) : NULL;
    if (s && d == NULL)
        *oom = true;
    return d;
}

static int open_handles(struct registry *r, const struct registry_opts *o, struct error **err)
{
    r->easy = curl_easy_init();
    r->share = curl_share_init();
    if (r->easy == NULL || r->share == NULL)
        return error_new(err, ENOMEM, "initialising libcurl");
    /* All use is from one thread: no lock callbacks needed. */
    curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    for (size_t i = 0; o->connect_to && o->connect_to[i]; i++) {
        struct curl_slist *l = curl_slist_append(r->connect_to, o->connect_to[i]);
        if (l == NULL)
            return error_new(err, ENOMEM, "out of memory");
        r->connect_to = l;
    }
    return 0;
}

int registry_open(const char *domain, const struct registry_opts *o, struct registry **ret,
                  struct error **err)
{
    if (libcurl_load(err) < 0)
        return error_wrap(err, "opening registry `%s`", domain);
    reg_global_init();
    static const struct registry_opts none = {0};
    if (o == NULL)
        o = &none;
    struct registry *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return error_new(err, ENOMEM, "out of memory");
    bool oom = false;
    r->domain = dup_opt(domain, &oom);
    r->endpoint = dup_opt(strcmp(domain, REGISTRY_DOCKER_HUB) == 0 ? REGISTRY_DOCKER_ENDPOINT
                                                                   : domain,
                          &oom);
    r->authfile = dup_opt(o->authfile, &oom);
    r->creds_arg = dup_opt(o->creds, &oom);
    r->registries_conf = dup_opt(o->registries_conf, &oom);
    int rc = oom ? error_new(err, ENOMEM, "out of memory") : 0;
    if (rc == 0)
        rc = registry_config_insecure(r->registries_conf, r->domain, r->endpoint, o->tls_verify,
                                      &r->insecure, err);
    if (rc == 0)
        rc = load_cert_dir(r, o->cert_dir, err);
    if (rc == 0)
        rc = open_handles(r, o, err);
    if (rc < 0) {
        registry_free(r);
        return error_wrap(err, "registry `%s`", domain);
    }
    *ret = r;
    return 0;
}

int reg_easy_setup(struct registry *r, CURL *h, struct error **err)
{
    CURLcode c = CURLE_OK;
#define SET(opt, val) \
    if (c == CURLE_OK) \
        c = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_SHARE, r->share);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* by hand: reg_resolve, reg_same_origin */
    SET(CURLOPT_USERAGENT, "cabin/" CABIN_VERSION);
    SET(CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
    SET(CURLOPT_SSL_VERIFYPEER, r->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, r->insecure ? 0L : 2L);
    if (r->ca_blob) {
        struct curl_blob b = {.data = r->ca_blob, .len = r->ca_len, .flags = CURL_BLOB_COPY};
        SET(CURLOPT_CAINFO_BLOB, &b);
    }
    if (r->client_cert) {
        SET(CURLOPT_SSLCERT, r->client_cert);
        SET(CURLOPT_SSLKEY, r->client_key);
    }
    if (r->connect_to)
        SET(CURLOPT_CONNECT_TO, r->connect_to);
#undef SET
    if (c != CURLE_OK)
        return error_new(err, EINVAL, "setting up libcurl: %s", curl_easy_strerror(c));
    return 0;
}

char *reg_url(const struct registry *r, const char *path)
{
    char *u = NULL;
    /* Before the ping (messages only) the registry is named by HTTPS. */
    if (r->base ? asprintf(&u, "%s%s", r->base, path) < 0
                : asprintf(&u, "https://%s%s", r->endpoint, path) < 0)
        return NULL;
    return u;
}

/* ---- URLs ------------------------------------------------------------------ */

int reg_resolve(const char *from, const char *location, char **ret, struct error **err)
{
    CURLU *u = curl_url();
    if (u == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *out = NULL, *scheme = NULL;
    CURLUcode c = curl_url_set(u, CURLUPART_URL, from, 0);
    if (c == CURLUE_OK)
        c = curl_url_set(u, CURLUPART_URL, location, 0);
    if (c == CURLUE_OK)
        c = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (c == CURLUE_OK)
        c = curl_url_get(u, CURLUPART_URL, &out, 0);
    curl_url_cleanup(u);
    int r = 0;
    if (c != CURLUE_OK)
        r = error_new(err, EPROTO, "bad redirect `%.200s`: %s", location, curl_url_strerror(c));
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        r = error_new(err, EPROTO, "redirect to a `%s` URL", scheme);
    else if ((*ret = strdup(out)) == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    curl_free(scheme);
    curl_free(out);
    return r;
}

static bool origin_of(const char *url, char **scheme, char **host, char **port)
{
    CURLU *u = curl_url();
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    curl_url_cleanup(u);
    return ok;
}

bool reg_same_origin(const char *a, const char *b)
{
    char *sa = NULL, *ha = NULL, *pa = NULL, *sb = NULL, *hb = NULL, *pb = NULL;
    bool same = origin_of(a, &sa, &ha, &pa) && origin_of(b, &sb, &hb, &pb) &&
                strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 && strcmp(pa, pb) == 0;
    curl_free(sa);
    curl_free(ha);
    curl_free(pa);
    curl_free(sb);
    curl_free(hb);
    curl_free(pb);
    return same;
}

/* ---- retries ----------------------------------------------------------------- */

bool reg_retryable_curl(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
        return true;
    default:
        return false;
    }
}

bool reg_retryable_status(long status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

long reg_backoff_ms(int attempt, const struct reg_headers *h)
{
    const char *ra = h ? reg_header(h, "retry-after") : NULL;
    if (ra && *ra >= '0' && *ra <= '9') {
        long s = strtol(ra, NULL, 10);
        return (s > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : s) * 1000;
    }
    long ms = BACKOFF_BASE_MS;
    for (int i = 2; i < attempt && ms < BACKOFF_MAX_MS; i++)
        ms *= 2;
    return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- one exchange ------------------------------------------------------------ */

struct exchange {
    const struct reg_request *q;
    struct reg_response *resp;
    uint64_t sent;  /* of the body */
    bool too_large; /* response body over q->max_body */
    char errbuf[CURL_ERROR_SIZE];
};

static size_t write_cb(char *buf, size_t size, size_t n, void *opaque)
{
    struct exchange *x = opaque;
    size_t len = size * n;
    size_t max = x->q->max_body ? x->q->max_body : REG_MAX_ERROR_BODY;
    if (x->resp->status < 200 || x->resp->status >= 300)
        max = REG_MAX_ERROR_BODY;
    if (x->resp->len + len > max) {
        x->too_large = true;
        return 0;
    }
    char *b = realloc(x->resp->body, x->resp->len + len + 1);
    if (b == NULL)
        return 0;
    memcpy(b + x->resp->len, buf, len);
    x->resp->body = b;
    x->resp->len += len;
    b[x->resp->len] = '\0';
    return len;
}

/* The status is known once the first body byte arrives; record it early
 * so that write_cb applies the right limit. */
static size_t header_cb(char *buf, size_t size, size_t n, void *opaque)
{
    struct exchange *x = opaque;
    size_t len = size * n;
    if (len >= 12 && strncmp(buf, "HTTP/", 5) == 0) {
        const char *sp = memchr(buf, ' ', len);
        if (sp)
            x->resp->status = strtol(sp + 1, NULL, 10);
    }
    return reg_header_cb(buf, size, n, &x->resp->headers);
}

static size_t read_cb(char *buf, size_t size, size_t n, void *opaque)
{
    struct exchange *x = opaque;
    const struct reg_request *q = x->q;
    size_t want = size * n;
    uint64_t total = q->body_read ? q->body_size : q->body_len;
    if (x->sent >= total)
        return 0;
    if (want > total - x->sent)
        want = (size_t) (total - x->sent);
    if (q->body_read) {
        ssize_t got = q->body_read(q->body_opaque, buf, want, q->body_off + x->sent, NULL);
        if (got <= 0)
            return CURL_READFUNC_ABORT;
        want = (size_t) got;
    } else {
        memcpy(buf, (const char *) q->body + x->sent, want);
    }
    x->sent += want;
    if (q->progress)
        q->progress(q->progress_opaque, q->body_off + x->sent, q->body_off + total);
    return want;
}

static int seek_cb(void *opaque, curl_off_t offset, int origin)
{
    struct exchange *x = opaque;
    if (origin != SEEK_SET || offset < 0)
        return CURL_SEEKFUNC_CANTSEEK;
    x->sent = (uint64_t) offset;
    return CURL_SEEKFUNC_OK;
}

static int set_request(struct registry *r, CURL *h, struct exchange *x, const char *url,
                       struct curl_slist *hdrs, struct error **err)
{
    const struct reg_request *q = x->q;
    curl_easy_reset(h);
    int ret = reg_easy_setup(r, h, err);
    if (ret < 0)
        return ret;
    bool has_body = q->body || q->body_read || strcmp(q->method, "POST") == 0 ||
                    strcmp(q->method, "PUT") == 0 || strcmp(q->method, "PATCH") == 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    if (strcmp(q->method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (has_body) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(h, CURLOPT_READDATA, x);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t) (q->body_read ? q->body_size : q->body_len));
    }
    if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0 &&
        strcmp(q->method, "PUT") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    return 0;
}

/* Append "NAME: value" (name NULL: `value` is the whole line). */
static int add_header(struct curl_slist **l, const char *name, const char *value,
                      struct error **err)
{
    cleanup_free char *line = NULL;
    if (name ? asprintf(&line, "%s: %s", name, value) < 0 : (line = strdup(value)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    struct curl_slist *n = curl_slist_append(*l, line);
    if (n == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *l = n;
    return 0;
}

static int make_headers(const struct reg_request *q, const char *auth, struct curl_slist **ret,
                        struct error **err)
{
    struct curl_slist *l = NULL;
    int r = 0;
    /* No "Expect: 100-continue" wait on uploads. */
    if (r == 0)
        r = add_header(&l, NULL, "Expect:", err);
    if (r == 0 && q->accept)
        r = add_header(&l, "Accept", q->accept, err);
    if (r == 0 && q->content_type)
        r = add_header(&l, "Content-Type", q->content_type, err);
    if (r == 0 && q->range)
        r = add_header(&l, "Range", q->range, err);
    if (r == 0 && q->extra)
        r = add_header(&l, NULL, q->extra, err);
    if (r == 0 && auth)
        r = add_header(&l, NULL, auth, err);
    if (r < 0) {
        curl_slist_free_all(l);
        return r;
    }
    *ret = l;
    return 0;
}

static bool is_redirect(long s)
{
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* The Authorization header this request starts with. */
static int first_auth(struct registry *r, const struct reg_request *q, char **ret,
                      struct error **err)
{
    *ret = NULL;
    if (q->scope)
        return reg_auth_header(r, q->scope, ret, err);
    if (q->basic) {
        cleanup_free char *b64 = base64_encode(q->basic, strlen(q->basic));
        if (b64 == NULL || asprintf(ret, "Authorization: Basic %s", b64) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

/* One try: the request and its redirects.  *ret_code is curl's result. */
static int exchange_once(struct registry *r, const struct reg_request *q, const char *start,
                         struct reg_response *resp, CURLcode *ret_code, char *errbuf,
                         struct error **err)
{
    cleanup_free char *auth = NULL;
    int ret = first_auth(r, q, &auth, err);
    if (ret < 0)
        return ret;
    cleanup_free char *url = strdup(start);
    if (url == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (int hops = 0;; hops++) {
        reg_response_release(resp);
        struct exchange x = {.q = q, .resp = resp};
        struct curl_slist *hdrs = NULL;
        if ((ret = make_headers(q, auth, &hdrs, err)) < 0)
            return ret;
        if ((ret = set_request(r, r->easy, &x, url, hdrs, err)) < 0) {
            curl_slist_free_all(hdrs);
            return ret;
        }
        CURLcode c = curl_easy_perform(r->easy);
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp->status);
        curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(hdrs);
        memcpy(errbuf, x.errbuf, CURL_ERROR_SIZE);
        if (x.too_large)
            return error_new(err, EFBIG, "%s %s: the response is larger than %zu bytes",
                             q->method, url, q->max_body ? q->max_body : REG_MAX_ERROR_BODY);
        if (resp->headers.too_many)
            return error_new(err, EPROTO, "%s %s: too many response headers", q->method, url);
        *ret_code = c;
        const char *loc = reg_header(&resp->headers, "location");
        if (c != CURLE_OK || !q->follow || !is_redirect(resp->status) || loc == NULL) {
            resp->url = steal_pointer(&url);
            return 0;
        }
        if (hops >= REG_MAX_REDIRECTS)
            return error_new(err, ELOOP, "%s %s: more than %d redirects", q->method, start,
                             REG_MAX_REDIRECTS);
        char *next = NULL;
        if ((ret = reg_resolve(url, loc, &next, err)) < 0)
            return error_wrap(err, "%s %s", q->method, url);
        /* Blob storage elsewhere (S3, a CDN) gets no Authorization of ours:
         * it would leak the token, and presigned URLs refuse it anyway. */
        if (!reg_same_origin(start, next)) {
            free(auth);
            auth = NULL;
        }
        log_debug("%s %s: redirected to %s", q->method, url, next);
        free(url);
        url = next;
    }
}

int reg_perform(struct registry *r, const struct reg_request *q, struct reg_response *ret,
                struct error **err)
{
    int rc = 0;
    if (q->scope && (rc = registry_ping(r, err)) < 0)
        return rc;
    bool absolute = strncmp(q->url, "http://", 7) == 0 || strncmp(q->url, "https://", 8) == 0;
    cleanup_free char *start = absolute ? strdup(q->url) : reg_url(r, q->url);
    if (start == NULL)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_response resp = {0};
    int auth_tries = 0;
    for (int attempt = 1;; attempt++) {
        CURLcode c = CURLE_OK;
        char errbuf[CURL_ERROR_SIZE] = "";
        if ((rc = exchange_once(r, q, start, &resp, &c, errbuf, err)) < 0)
            break;
        bool last = attempt >= REG_MAX_ATTEMPTS || q->no_retry;
        if (c != CURLE_OK) {
            if (!last && reg_retryable_curl(c)) {
                log_debug("%s %s: %s; trying again", q->method, start, curl_easy_strerror(c));
                sleep_ms(reg_backoff_ms(attempt + 1, NULL));
                continue;
            }
            rc = error_new(err, c == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO, "%s %s: %s",
                           q->method, start, *errbuf ? errbuf : curl_easy_strerror(c));
            break;
        }
        if (resp.status == 401 && q->scope && auth_tries < REG_MAX_AUTH_TRIES) {
            auth_tries++;
            cleanup_error struct error *e2 = NULL;
            if (reg_auth_refresh(r, &resp.headers, q->scope, &e2) == 0) {
                attempt--;
                continue;
            }
            if (error_code(e2) != EACCES) { /* the token server failed us */
                *err = steal_pointer(&e2);
                rc = -error_code(*err);
                break;
            }
        }
        if (!last && reg_retryable_status(resp.status)) {
            long ms = reg_backoff_ms(attempt + 1, &resp.headers);
            log_debug("%s %s: HTTP %ld; trying again in %ld ms", q->method, start, resp.status,
                      ms);
            sleep_ms(ms);
            continue;
        }
        *ret = resp;
        return 0;
    }
    reg_response_release(&resp);
    return rc;
}

/* ---- errors ---------------------------------------------------------------- */

/* "manifest unknown (MANIFEST_UNKNOWN)" from the registry's error body. */
static char *registry_message(const struct reg_response *resp)
{
    if (resp->body == NULL || resp->len == 0)
        return NULL;
    json_error_t je;
    cleanup_json json_t *j = json_loadb(resp->body, resp->len, 0, &je);
    json_t *errs = j ? json_object_get(j, "errors") : NULL;
    char *out = NULL;
    if (json_is_array(errs) && json_array_size(errs) > 0) {
        json_t *e = json_array_get(errs, 0);
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (asprintf(&out, "%s%s%s%s", msg ? msg : "", code ? " (" : "", code ? code : "",
                     code ? ")" : "") < 0)
            out = NULL;
        return out;
    }
    if (j && json_is_string(json_object_get(j, "details"))) /* some token servers */
        return strdup(json_string_value(json_object_get(j, "details")));
    const char *oauth = j ? json_string_value(json_object_get(j, "error")) : NULL;
    if (oauth) { /* RFC 6749 5.2 */
        const char *desc = json_string_value(json_object_get(j, "error_description"));
        if (asprintf(&out, "%s%s%s", oauth, desc ? ": " : "", desc ? desc : "") < 0)
            out = NULL;
        return out;
    }
    /* Plain text: the first line, printable characters only. */
    size_t n = 0;
    out = malloc(201);
    for (size_t i = 0; out && i < resp->len && n < 200 && resp->body[i] != '\n'; i++)
        if (isprint((unsigned char) resp->body[i]))
            out[n++] = resp->body[i];
    if (out)
        out[n] = '\0';
    return out;
}

/* What a 401's challenge says was missing: "; insufficient_scope:
 * repository:x:pull,push" (malloc'd), or NULL. */
static char *challenge_hint(const struct reg_response *resp)
{
    struct registry_challenges list = {0};
    char *out = NULL;
    for (size_t i = 0; i < resp->headers.n; i++)
        if (strcmp(resp->headers.names[i], "www-authenticate") == 0)
            registry_challenges_parse(resp->headers.values[i], &list, NULL);
    const struct registry_challenge *c = registry_challenges_find(&list, "bearer");
    const char *why = registry_challenge_param(c, "error");
    const char *scope = registry_challenge_param(c, "scope");
    if (why && asprintf(&out, "; %s%s%s", why, scope ? ": " : "", scope ? scope : "") < 0)
        out = NULL;
    registry_challenges_release(&list);
    return out;
}

int reg_status_error(const struct reg_response *resp, const char *what, struct error **err)
{
    long s = resp->status;
    int code = s == 401 || s == 403 ? EACCES : s == 404 ? ENOENT : s == 429 ? EAGAIN : EIO;
    cleanup_free char *msg = registry_message(resp);
    cleanup_free char *hint = s == 401 ? challenge_hint(resp) : NULL;
    const char *reason = s == 401 ? "unauthorized" : s == 403 ? "denied" : s == 404 ? "not found"
                       : s == 429 ? "too many requests" : s >= 500 ? "server error" : "refused";
    return error_new(err, code, "%s%s%s (HTTP %ld)%s%s%s", what ? what : "", what ? ": " : "",
                     reason, s, msg && *msg ? ": " : "", msg ? msg : "", hint ? hint : "");
}

/* ---- the ping ------------------------------------------------------------------ */

static int ping_at(struct registry *r, const char *scheme, struct reg_response *resp,
                   CURLcode *ret_code, char *errbuf, struct error **err)
{
    cleanup_free char *url = NULL;
    if (asprintf(&url, "%s://%s/v2/", scheme, r->endpoint) < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "GET", .url = url, .max_body = REG_MAX_ERROR_BODY};
    return exchange_once(r, &q, url, resp, ret_code, errbuf, err);
}

static int ping_result(struct registry *r, const char *scheme, struct reg_response *resp,
                       struct error **err)
{
    if (resp->status == 401) {
        int rc = reg_auth_from_ping(r, &resp->headers, err);
        if (rc < 0)
            return error_wrap(err, "%s://%s/v2/", scheme, r->endpoint);
    } else if (resp->status < 200 || resp->status >= 300) {
        cleanup_free char *what = NULL;
        if (asprintf(&what, "%s://%s/v2/ (is it a registry?)", scheme, r->endpoint) < 0)
            return error_new(err, ENOMEM, "out of memory");
        return reg_status_error(resp, what, err);
    }
    if (asprintf(&r->base, "%s://%s", scheme, r->endpoint) < 0)
        return error_new(err, ENOMEM, "out of memory");
    r->pinged = true;
    log_debug("registry %s: %s://%s, auth %s", r->domain, scheme, r->endpoint,
              r->auth == REG_AUTH_BEARER ? "bearer" : r->auth == REG_AUTH_BASIC ? "basic" : "none");
    return 0;
}

int registry_ping(struct registry *r, struct error **err)
{
    if (r->pinged)
        return 0;
    /* HTTPS first; an insecure registry may then be plain HTTP (the HTTPS
     * probe of one is tried once: a plain server fails it at once). */
    const char *schemes[2] = {"https", "http"};
    size_t n = r->insecure ? 2 : 1;
    cleanup_free char *last_err = NULL;
    for (size_t i = 0; i < n; i++) {
        int tries = i + 1 < n ? 1 : REG_MAX_ATTEMPTS;
        for (int attempt = 1;; attempt++) {
            struct reg_response resp = {0};
            CURLcode c = CURLE_OK;
            char errbuf[CURL_ERROR_SIZE] = "";
            int rc = ping_at(r, schemes[i], &resp, &c, errbuf, err);
            bool again = attempt < tries;
            if (rc == 0 && c == CURLE_OK && reg_retryable_status(resp.status) && again) {
                sleep_ms(reg_backoff_ms(attempt + 1, &resp.headers));
                reg_response_release(&resp);
                continue;
            }
            if (rc == 0 && c == CURLE_OK)
                rc = ping_result(r, schemes[i], &resp, err);
            reg_response_release(&resp);
            if (rc < 0)
                return rc;
            if (c == CURLE_OK)
                return 0;
            if (reg_retryable_curl(c) && c != CURLE_COULDNT_RESOLVE_HOST && again) {
                sleep_ms(reg_backoff_ms(attempt + 1, NULL));
                continue;
            }
            free(last_err);
            if (asprintf(&last_err, "%s://%s/v2/: %s", schemes[i], r->endpoint,
                         *errbuf ? errbuf : curl_easy_strerror(c)) < 0)
                last_err = NULL;
            break;
        }
    }
    return error_new(err, EHOSTUNREACH, "registry `%s`: %s%s", r->domain,
                     last_err ? last_err : "unreachable",
                     r->insecure ? "" : " (plain HTTP only with --tls-verify=false or an "
                                        "insecure-registries entry)");
}
