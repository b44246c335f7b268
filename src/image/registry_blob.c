/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blobs from a registry: small ones into memory, layers as streams.
 *
 * The streams: one curl multi handle, driven by registry_downloads_run()
 * in the caller's thread, writes each transfer's body into that stream's
 * ring buffer; the stream's consumer (another thread) reads it out.  A
 * full ring pauses the transfer (CURL_WRITEFUNC_PAUSE); the consumer asks
 * for an unpause once it has made room, and wakes the loop
 * (curl_multi_wakeup, the one libcurl call that is safe from another
 * thread).  Everything the two sides share is under the downloads' mutex.
 *
 * A transfer that fails in a way worth retrying (a dropped connection, a
 * 5xx, a 429) is started again after a back-off, asking for the rest with
 * Range; a server that answers 200 instead of 206 has the part already
 * delivered skipped.  Redirects are followed by hand (our Authorization
 * only to the registry's origin); retries start again at the registry's
 * URL, since a redirect target may be a URL that expires.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "image/registry_internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define RING_SIZE   (4u << 20)  /* per stream */
#define RING_MAX    (64u << 20) /* grown to at most this for one delivery */
#define RING_ALIGN  (2u << 20)  /* a huge page */
#define TICK_MS     100
#define CURL_BUFFER (256L << 10)

/* ---- a small blob ----------------------------------------------------------- */

int registry_get_blob(struct registry *r, const char *repo, const char *digest, size_t max,
                      char **ret, size_t *ret_len, struct error **err)
{
    cleanup_free char *scope = NULL, *path = NULL;
    if (asprintf(&scope, "repository:%s:pull", repo) < 0 ||
        asprintf(&path, "/v2/%s/blobs/%s", repo, digest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {.method = "GET", .url = path, .scope = scope, .max_body = max,
                            .follow = true};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc == 0 && resp.status != 200)
        rc = reg_status_error(&resp, "GET", err);
    char got[DIGEST_BUF];
    if (rc == 0) {
        digest_buffer(resp.body ? resp.body : "", resp.len, got);
        if (strcmp(got, digest) != 0)
            rc = error_new(err, EINVAL, "digest mismatch: its content is %s", got);
    }
    if (rc < 0) {
        reg_response_release(&resp);
        return error_wrap(err, "blob %s of %s/%s", digest, r->domain, repo);
    }
    *ret = resp.body ? steal_pointer(&resp.body) : strdup("");
    *ret_len = resp.len;
    reg_response_release(&resp);
    return *ret ? 0 : error_new(err, ENOMEM, "out of memory");
}

/* ---- streams ------------------------------------------------------------------ */

enum stream_state {
    ST_IDLE,   /* no consumer yet */
    ST_WANTED, /* a consumer waits: start it */
    ST_ACTIVE, /* in the multi handle */
    ST_RETRY,  /* to start again at retry_at */
    ST_DONE,   /* every byte delivered */
    ST_FAILED,
};

struct registry_stream {
    struct registry_downloads *d;
    char digest[DIGEST_BUF];
    uint64_t size;
    /* Shared, under d->mu; cv tells the consumer (and only it) news. */
    pthread_cond_t cv;
    enum stream_state state;
    bool closed; /* the consumer is done with it */
    bool started;
    unsigned char *ring;
    size_t cap, head, len;
    uint64_t delivered; /* over every attempt */
    bool paused, unpause;
    unsigned pauses;
    struct error *err;
    /* The network thread's own. */
    CURL *h;
    struct curl_slist *hdrs;
    char *url; /* NULL: the registry's blob URL */
    bool send_auth;
    int attempts, auth_tries, hops;
    int64_t retry_at;
    uint64_t skip;
    bool body_seen;
    struct error *fatal; /* found in a callback: no retry */
    struct reg_headers headers;
    char *errbody;
    size_t errlen;
    char errbuf[CURL_ERROR_SIZE];
};

struct registry_downloads {
    struct registry *r;
    char *repo, *scope;
    CURLM *multi;
    pthread_mutex_t mu;
    struct registry_stream **v;
    size_t n;
    unsigned max_active, active;
    bool cancelled, woken;
    int64_t t0; /* when the first transfer started (for the debug log) */
};

int registry_downloads_new(struct registry *r, const char *repo, unsigned max_active,
                           struct registry_downloads **ret, struct error **err)
{
    int rc = registry_ping(r, err);
    if (rc < 0)
        return rc;
    struct registry_downloads *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return error_new(err, ENOMEM, "out of memory");
    d->r = r;
    d->max_active = max_active ? max_active : 1;
    d->repo = strdup(repo);
    if (asprintf(&d->scope, "repository:%s:pull", repo) < 0)
        d->scope = NULL;
    d->multi = curl_multi_init();
    pthread_mutex_init(&d->mu, NULL);
    if (d->repo == NULL || d->scope == NULL || d->multi == NULL) {
        registry_downloads_free(d);
        return error_new(err, ENOMEM, "out of memory");
    }
    curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) d->max_active);
    *ret = d;
    return 0;
}

static void transfer_release(struct registry_downloads *d, struct registry_stream *s)
{
    if (s->h) {
        curl_multi_remove_handle(d->multi, s->h);
        curl_easy_cleanup(s->h);
        s->h = NULL;
        d->active--;
    }
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
}

void registry_downloads_free(struct registry_downloads *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++) {
        struct registry_stream *s = d->v[i];
        transfer_release(d, s);
        free(s->ring);
        free(s->url);
        free(s->errbody);
        error_free(s->err);
        error_free(s->fatal);
        reg_headers_clear(&s->headers);
        pthread_cond_destroy(&s->cv);
        free(s);
    }
    free(d->v);
    if (d->multi)
        curl_multi_cleanup(d->multi);
    pthread_mutex_destroy(&d->mu);
    free(d->repo);
    free(d->scope);
    free(d);
}

struct registry_stream *registry_downloads_add(struct registry_downloads *d, const char *digest,
                                               uint64_t size)
{
    struct registry_stream **v = realloc(d->v, (d->n + 1) * sizeof(*v));
    if (v == NULL)
        return NULL;
    d->v = v;
    struct registry_stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    /* The ring comes with the first bytes (ring_room). */
    pthread_cond_init(&s->cv, NULL);
    s->d = d;
    s->size = size;
    snprintf(s->digest, sizeof(s->digest), "%s", digest);
    d->v[d->n++] = s;
    return s;
}

void registry_downloads_cancel(struct registry_downloads *d)
{
    pthread_mutex_lock(&d->mu);
    d->cancelled = true;
    for (size_t i = 0; i < d->n; i++)
        pthread_cond_signal(&d->v[i]->cv);
    pthread_mutex_unlock(&d->mu);
    curl_multi_wakeup(d->multi);
}

void registry_downloads_wakeup(struct registry_downloads *d)
{
    pthread_mutex_lock(&d->mu);
    d->woken = true;
    pthread_mutex_unlock(&d->mu);
    curl_multi_wakeup(d->multi);
}

/* ---- the consumer's side -------------------------------------------------------- */

static size_t ring_take(struct registry_stream *s, unsigned char *out, size_t want)
{
    size_t n = want < s->len ? want : s->len;
    size_t first = s->cap - s->head < n ? s->cap - s->head : n;
    memcpy(out, s->ring + s->head, first);
    memcpy(out + first, s->ring, n - first);
    s->head = (s->head + n) % s->cap;
    s->len -= n;
    if (s->len == 0)
        s->head = 0;
    return n;
}

/* The end of a stream, as the consumer sees it (under the mutex). */
static ssize_t stream_end(struct registry_stream *s, struct error **err)
{
    if (s->state == ST_FAILED)
        return error_new(err, error_code(s->err), "%s", s->err ? s->err->msg : "failed");
    if (s->d->cancelled)
        return error_new(err, ECANCELED, "cancelled (another layer failed)");
    if (s->size && s->delivered != s->size)
        return error_new(err, EIO, "truncated: the registry sent %" PRIu64 " of %" PRIu64
                                   " bytes",
                         s->delivered, s->size);
    return 0;
}

ssize_t registry_stream_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct registry_stream *s = opaque;
    struct registry_downloads *d = s->d;
    bool wake = false;
    pthread_mutex_lock(&d->mu);
    if (s->state == ST_IDLE) {
        s->state = ST_WANTED;
        wake = true;
    }
    if (wake) {
        pthread_mutex_unlock(&d->mu);
        curl_multi_wakeup(d->multi);
        pthread_mutex_lock(&d->mu);
        wake = false;
    }
    while (s->len == 0 && s->state != ST_DONE && s->state != ST_FAILED && !d->cancelled)
        pthread_cond_wait(&s->cv, &d->mu);
    ssize_t n;
    if (s->len > 0 && !d->cancelled) {
        n = (ssize_t) ring_take(s, buf, len);
        if (s->paused && !s->unpause && (s->cap - s->len >= s->cap / 2 || s->len == 0)) {
            s->unpause = true;
            wake = true;
        }
    } else {
        n = stream_end(s, err);
    }
    pthread_mutex_unlock(&d->mu);
    if (wake)
        curl_multi_wakeup(d->multi);
    return n;
}

void registry_stream_close(struct registry_stream *s)
{
    pthread_mutex_lock(&s->d->mu);
    s->closed = true;
    /* write_cb touches no ring once the stream is closed. */
    free(s->ring);
    s->ring = NULL;
    s->cap = s->head = s->len = 0;
    pthread_mutex_unlock(&s->d->mu);
    curl_multi_wakeup(s->d->multi);
}

void registry_stream_progress(struct registry_stream *s, uint64_t *ret_bytes, bool *ret_started)
{
    pthread_mutex_lock(&s->d->mu);
    *ret_bytes = s->delivered;
    *ret_started = s->started;
    pthread_mutex_unlock(&s->d->mu);
}

/* ---- the network side: callbacks --------------------------------------------------- */

static size_t keep_error_body(struct registry_stream *s, const char *buf, size_t n)
{
    size_t room = REG_MAX_ERROR_BODY - s->errlen;
    size_t k = n < room ? n : room;
    char *b = k ? realloc(s->errbody, s->errlen + k + 1) : NULL;
    if (b) {
        memcpy(b + s->errlen, buf, k);
        s->errlen += k;
        b[s->errlen] = '\0';
        s->errbody = b;
    }
    return n;
}

/* The first body byte of a 2xx: where it starts in the blob. */
static bool check_start(struct registry_stream *s, long status)
{
    s->body_seen = true;
    s->skip = 0;
    if (status != 206) {
        s->skip = s->delivered; /* the whole blob again */
        return true;
    }
    const char *cr = reg_header(&s->headers, "content-range");
    unsigned long long start = 0;
    if (cr == NULL || sscanf(cr, "bytes %llu-", &start) != 1 || start != s->delivered) {
        error_new(&s->fatal, EPROTO, "the registry resumed at `%.60s`, not at byte %" PRIu64,
                  cr ? cr : "(no Content-Range)", s->delivered);
        return false;
    }
    return true;
}

/* Room for `n` bytes (under the mutex): made or grown when empty, else
 * false. */
static bool ring_room(struct registry_stream *s, size_t n)
{
    if (s->cap - s->len >= n)
        return true;
    if (s->len > 0 || n > RING_MAX)
        return false;
    if (n < RING_SIZE)
        n = RING_SIZE;
    /* Aligned to, and asked for as, huge pages: two page faults a ring
     * instead of a thousand (a fifth of a pull's page faults). */
    void *b = NULL;
    if (posix_memalign(&b, RING_ALIGN, n) != 0)
        return false;
    madvise(b, n, MADV_HUGEPAGE);
    free(s->ring);
    s->ring = b;
    s->cap = n;
    s->head = 0;
    return true;
}

static void ring_put(struct registry_stream *s, const char *buf, size_t n)
{
    size_t tail = (s->head + s->len) % s->cap;
    size_t first = s->cap - tail < n ? s->cap - tail : n;
    memcpy(s->ring + tail, buf, first);
    memcpy(s->ring, buf + first, n - first);
    s->len += n;
    s->delivered += n;
}

static size_t write_cb(char *buf, size_t size, size_t nmemb, void *opaque)
{
    struct registry_stream *s = opaque;
    struct registry_downloads *d = s->d;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300)
        return keep_error_body(s, buf, n);
    if (!s->body_seen && !check_start(s, status))
        return 0;
    size_t skip = s->skip < n ? (size_t) s->skip : n;
    if (skip == n) {
        s->skip -= n;
        return n;
    }
    size_t m = n - skip;
    size_t ret = n;
    pthread_mutex_lock(&d->mu);
    if (s->closed || d->cancelled) {
        ret = 0;
    } else if (s->size && s->delivered + m > s->size) {
        error_new(&s->fatal, EFBIG, "the registry sent more than the %" PRIu64
                                    " bytes the manifest gives",
                  s->size);
        ret = 0;
    } else if (!ring_room(s, m)) {
        if (!s->paused)
            s->pauses++;
        s->paused = true;
        ret = CURL_WRITEFUNC_PAUSE;
    } else {
        ring_put(s, buf + skip, m);
        s->skip -= skip;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&d->mu);
    return ret;
}

static size_t header_cb(char *buf, size_t size, size_t n, void *opaque)
{
    struct registry_stream *s = opaque;
    return reg_header_cb(buf, size, n, &s->headers);
}

/* ---- the network side: transfers -------------------------------------------------- */

static void fail_stream(struct registry_downloads *d, struct registry_stream *s,
                        struct error *e)
{
    pthread_mutex_lock(&d->mu);
    if (s->state != ST_FAILED) {
        error_free(s->err);
        s->err = e;
        s->state = ST_FAILED;
    } else {
        error_free(e);
    }
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&d->mu);
}

static int set_headers(struct registry_downloads *d, struct registry_stream *s,
                       struct error **err)
{
    cleanup_free char *auth = NULL, *range = NULL;
    int rc = s->send_auth ? reg_auth_header(d->r, d->scope, &auth, err) : 0;
    if (rc < 0)
        return rc;
    if (s->delivered > 0 && asprintf(&range, "Range: bytes=%" PRIu64 "-", s->delivered) < 0)
        return error_new(err, ENOMEM, "out of memory");
    const char *lines[] = {auth, range};
    for (size_t i = 0; i < 2; i++) {
        if (lines[i] == NULL)
            continue;
        struct curl_slist *l = curl_slist_append(s->hdrs, lines[i]);
        if (l == NULL)
            return error_new(err, ENOMEM, "out of memory");
        s->hdrs = l;
    }
    return 0;
}

static int start_transfer(struct registry_downloads *d, struct registry_stream *s,
                          struct error **err)
{
    if (s->url == NULL) {
        cleanup_free char *path = NULL;
        if (asprintf(&path, "/v2/%s/blobs/%s", d->repo, s->digest) < 0 ||
            (s->url = reg_url(d->r, path)) == NULL)
            return error_new(err, ENOMEM, "out of memory");
        s->send_auth = true;
        s->hops = 0;
    }
    reg_headers_clear(&s->headers);
    free(s->errbody);
    s->errbody = NULL;
    s->errlen = 0;
    s->body_seen = false;
    s->errbuf[0] = '\0';
    int rc = set_headers(d, s, err);
    if (rc < 0)
        return rc;
    s->h = curl_easy_init();
    if (s->h == NULL)
        return error_new(err, ENOMEM, "out of memory");
    d->active++;
    if ((rc = reg_easy_setup(d->r, s->h, err)) < 0)
        return rc;
    curl_easy_setopt(s->h, CURLOPT_URL, s->url);
    curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(s->h, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(s->h, CURLOPT_BUFFERSIZE, CURL_BUFFER);
    curl_easy_setopt(s->h, CURLOPT_PIPEWAIT, 1L);
    if (curl_multi_add_handle(d->multi, s->h) != CURLM_OK)
        return error_new(err, ENOMEM, "adding a transfer to libcurl");
    pthread_mutex_lock(&d->mu);
    s->started = true;
    s->state = ST_ACTIVE;
    pthread_mutex_unlock(&d->mu);
    if (d->t0 == 0)
        d->t0 = reg_now_ms();
    return 0;
}

static void schedule(struct registry_downloads *d, struct registry_stream *s, long delay_ms,
                     bool back_to_registry)
{
    if (back_to_registry) {
        free(s->url);
        s->url = NULL;
    }
    pthread_mutex_lock(&d->mu);
    s->retry_at = reg_now_ms() + delay_ms;
    s->state = ST_RETRY;
    pthread_mutex_unlock(&d->mu);
}

static bool is_redirect(long s)
{
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static void follow(struct registry_downloads *d, struct registry_stream *s)
{
    struct error *e = NULL;
    char *next = NULL;
    if (s->hops >= REG_MAX_REDIRECTS)
        error_new(&e, ELOOP, "more than %d redirects", REG_MAX_REDIRECTS);
    else if (reg_resolve(s->url, reg_header(&s->headers, "location"), &next, &e) == 0) {
        cleanup_free char *origin = reg_url(d->r, "/");
        /* Our Authorization stays with the registry (blob storage
         * elsewhere gets none). */
        s->send_auth = s->send_auth && origin && reg_same_origin(origin, next);
        log_debug("blob %.19s: redirected to %s", s->digest, next);
        free(s->url);
        s->url = next;
        s->hops++;
        schedule(d, s, 0, false);
        return;
    }
    fail_stream(d, s, e);
}

static struct error *http_error(struct registry_stream *s, long status)
{
    struct reg_response resp = {.status = status, .body = s->errbody, .len = s->errlen};
    struct error *e = NULL;
    reg_status_error(&resp, NULL, &e);
    return e;
}

static void after_401(struct registry_downloads *d, struct registry_stream *s)
{
    struct error *e = NULL;
    s->auth_tries++;
    if (reg_auth_refresh(d->r, &s->headers, d->scope, &e) == 0) {
        schedule(d, s, 0, true);
        return;
    }
    if (error_code(e) == EACCES) {
        error_free(e);
        e = http_error(s, 401);
    }
    fail_stream(d, s, e);
}

/* A transfer ended: done, another try, or a failure. */
static void finished(struct registry_downloads *d, struct registry_stream *s, CURLcode c)
{
    long status = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    transfer_release(d, s);
    pthread_mutex_lock(&d->mu);
    bool gone = s->closed || d->cancelled;
    pthread_mutex_unlock(&d->mu);
    if (gone)
        return;
    if (s->fatal) {
        fail_stream(d, s, steal_pointer(&s->fatal));
        return;
    }
    bool last = s->attempts + 1 >= REG_MAX_ATTEMPTS;
    if (c == CURLE_OK && status >= 200 && status < 300) {
        log_debug("blob %.19s: all %" PRIu64 " bytes in, %lld ms after the first transfer "
                  "began; paused %u times (its consumer was behind)",
                  s->digest, s->delivered, (long long) (reg_now_ms() - d->t0), s->pauses);
        pthread_mutex_lock(&d->mu);
        s->state = ST_DONE;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&d->mu);
    } else if (c == CURLE_OK && is_redirect(status) && reg_header(&s->headers, "location")) {
        follow(d, s);
    } else if (c == CURLE_OK && status == 401 && s->auth_tries < REG_MAX_AUTH_TRIES) {
        after_401(d, s);
    } else if (!last && ((c == CURLE_OK && reg_retryable_status(status)) ||
                         (c != CURLE_OK && reg_retryable_curl(c)))) {
        s->attempts++;
        long ms = reg_backoff_ms(s->attempts + 1, c == CURLE_OK ? &s->headers : NULL);
        log_debug("blob %.19s: %s after %" PRIu64 " bytes; again in %ld ms", s->digest,
                  c == CURLE_OK ? "a server error" : curl_easy_strerror(c), s->delivered, ms);
        schedule(d, s, ms, true);
    } else if (c == CURLE_OK) {
        fail_stream(d, s, http_error(s, status));
    } else {
        struct error *e = NULL;
        error_new(&e, c == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : EIO, "downloading: %s%s",
                  *s->errbuf ? s->errbuf : curl_easy_strerror(c),
                  last ? " (gave up after 5 tries)" : "");
        fail_stream(d, s, e);
    }
}

/* ---- the loop -------------------------------------------------------------------- */

struct plan {
    struct registry_stream **start, **unpause, **abort;
    size_t n_start, n_unpause, n_abort;
    bool busy;
    int64_t next_retry;
};

static bool finished_state(const struct registry_stream *s)
{
    return s->closed || s->state == ST_DONE || s->state == ST_FAILED;
}

/* What to do this round, decided under the mutex. */
static void make_plan(struct registry_downloads *d, struct plan *p)
{
    int64_t now = reg_now_ms();
    unsigned active = d->active;
    p->n_start = p->n_unpause = p->n_abort = 0;
    p->busy = false;
    p->next_retry = INT64_MAX;
    pthread_mutex_lock(&d->mu);
    for (size_t i = 0; i < d->n; i++) {
        struct registry_stream *s = d->v[i];
        if ((s->closed || d->cancelled) && s->h)
            p->abort[p->n_abort++] = s;
        if (d->cancelled && s->state != ST_DONE && s->state != ST_FAILED) {
            s->state = ST_FAILED;
            if (s->err == NULL)
                error_new(&s->err, ECANCELED, "cancelled");
            pthread_cond_signal(&s->cv);
        }
        if (s->unpause && s->h) {
            s->unpause = false;
            s->paused = false;
            p->unpause[p->n_unpause++] = s;
        }
        bool due = s->state == ST_WANTED || (s->state == ST_RETRY && s->retry_at <= now);
        if (due && !s->closed && active < d->max_active) {
            p->start[p->n_start++] = s;
            active++;
        } else if (s->state == ST_RETRY && !s->closed && s->retry_at < p->next_retry) {
            p->next_retry = s->retry_at;
        }
        p->busy |= !finished_state(s) || s->h != NULL;
    }
    pthread_mutex_unlock(&d->mu);
}

static void carry_out(struct registry_downloads *d, struct plan *p)
{
    for (size_t i = 0; i < p->n_abort; i++)
        transfer_release(d, p->abort[i]);
    for (size_t i = 0; i < p->n_unpause; i++)
        if (p->unpause[i]->h)
            curl_easy_pause(p->unpause[i]->h, CURLPAUSE_CONT);
    for (size_t i = 0; i < p->n_start; i++) {
        struct registry_stream *s = p->start[i];
        struct error *e = NULL;
        if (start_transfer(d, s, &e) < 0) {
            transfer_release(d, s);
            fail_stream(d, s, e);
        }
    }
}

static void reap(struct registry_downloads *d)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(d->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct registry_stream *s = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &s);
        if (s)
            finished(d, s, m->data.result);
    }
}

int registry_downloads_run(struct registry_downloads *d, int (*tick)(void *opaque), void *opaque,
                           struct error **err)
{
    struct plan p = {0};
    p.start = calloc(d->n + 1, sizeof(*p.start));
    p.unpause = calloc(d->n + 1, sizeof(*p.unpause));
    p.abort = calloc(d->n + 1, sizeof(*p.abort));
    if (p.start == NULL || p.unpause == NULL || p.abort == NULL) {
        free(p.start);
        free(p.unpause);
        free(p.abort);
        return error_new(err, ENOMEM, "out of memory");
    }
    int64_t last_tick = 0;
    int rc = 0;
    for (;;) {
        make_plan(d, &p);
        carry_out(d, &p);
        int running = 0;
        CURLMcode mc = curl_multi_perform(d->multi, &running);
        if (mc != CURLM_OK) {
            rc = error_new(err, EIO, "libcurl: %s", curl_multi_strerror(mc));
            registry_downloads_cancel(d);
            break;
        }
        reap(d);
        int64_t now = reg_now_ms();
        pthread_mutex_lock(&d->mu);
        bool woken = d->woken;
        d->woken = false;
        pthread_mutex_unlock(&d->mu);
        int more = 1;
        if (woken || now - last_tick >= TICK_MS || (!p.busy && d->active == 0)) {
            more = tick ? tick(opaque) : 0;
            last_tick = now;
        }
        if (!p.busy && d->active == 0 && !more)
            break;
        long timeout = TICK_MS;
        if (p.next_retry != INT64_MAX && p.next_retry - now < timeout)
            timeout = p.next_retry - now < 0 ? 0 : (long) (p.next_retry - now);
        curl_multi_poll(d->multi, NULL, 0, (int) timeout, NULL);
    }
    free(p.start);
    free(p.unpause);
    free(p.abort);
    return rc;
}
