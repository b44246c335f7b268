/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A client of one registry that speaks the OCI distribution API (Docker
 * Hub, ghcr.io, quay.io, Harbor, distribution's registry), over libcurl.
 *
 * Transport (registry_http.c): HTTPS with the system's CAs plus those of
 * certs.d (/etc/containers/certs.d/HOST[:PORT], /etc/docker/certs.d/...,
 * or --cert-dir: *.crt are CAs, a *.cert with its *.key is a client
 * certificate).  Plain HTTP (and TLS without verification) only for a
 * registry marked insecure: --tls-verify=false, the registries config, or
 * a loopback address (localhost, 127.0.0.0/8, ::1) as docker allows, where
 * HTTPS is tried first.  Redirects are followed by hand, so that our
 * Authorization header never goes to another host (blob storage).
 * Requests are retried with exponential back-off (and Retry-After) on 429,
 * 5xx and dropped connections; downloads resume with Range.
 *
 * Authentication (registry_token.c, registry_challenge.c): the /v2/ ping's
 * challenge decides; Bearer tokens (anonymous, or with the credentials,
 * GET with Basic or the OAuth2 POST of an identity token) are cached per
 * scope until they expire; Basic sends the credentials.  A 401 with a new
 * challenge (another scope, an expired token) fetches a token once more.
 * Credentials come from registry_creds.h.
 *
 * Every response body read into memory has a limit; errors name the
 * registry, the request and what the registry said ("manifest unknown").
 * A `struct registry` is used by one thread at a time (downloads run their
 * network loop in the calling thread; their readers may be other threads,
 * see registry_downloads_*).  Nothing here prints.
 */
#ifndef CABIN_IMAGE_REGISTRY_H
#define CABIN_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/digest.h"
#include "util/error.h"

#define REGISTRY_TLS_DEFAULT   0  /* insecure only when configured, or loopback */
#define REGISTRY_TLS_VERIFY    1  /* --tls-verify=true: HTTPS, verified, always */
#define REGISTRY_TLS_NO_VERIFY -1 /* --tls-verify=false: HTTP or unverified HTTPS */

#define REGISTRY_DOCKER_HUB      "docker.io"
#define REGISTRY_DOCKER_ENDPOINT "registry-1.docker.io"

struct registry_opts {
    int tls_verify;              /* REGISTRY_TLS_* */
    const char *authfile;        /* read (and login writes) only this auth file */
    const char *creds;           /* "USER:PASSWORD" from the command line */
    const char *cert_dir;        /* instead of certs.d/HOST */
    const char *registries_conf; /* NULL: $CABIN_REGISTRIES_CONF, else
                                    /etc/cabin/registries.json */
    /* curl CONNECT_TO entries "HOST:PORT:ADDR:PORT": the tests' way to
     * point registry-1.docker.io and auth.docker.io at a local server
     * while the URLs, SNI and certificates stay Docker Hub's. */
    char *const *connect_to;
};

struct registry;

/* A client for the registry of a reference's domain ("docker.io",
 * "host:5000"); docker.io is reached at registry-1.docker.io.  No network
 * traffic until the first request. */
int registry_open(const char *domain, const struct registry_opts *o, struct registry **ret,
                  struct error **err);
void registry_free(struct registry *r);

/* "docker.io", "host:5000" */
const char *registry_domain(const struct registry *r);
/* Whether plain HTTP / unverified TLS is allowed for it. */
bool registry_insecure(const struct registry *r);

/* GET /v2/ once: learns the scheme (https, or http for an insecure one)
 * and the challenge.  Every request does it first; exposed for login. */
int registry_ping(struct registry *r, struct error **err);

/* Check the credentials (registry_opts.creds, or USER/PASSWORD) against
 * the registry, as `login` does: -EACCES with the registry's message when
 * they are refused. */
int registry_login_check(struct registry *r, const char *user, const char *password,
                         struct error **err);

/* ---- manifests (registry_manifest.c) ---- */

#define REGISTRY_ACCEPT_MANIFESTS                                                  \
    "application/vnd.oci.image.index.v1+json, "                                    \
    "application/vnd.docker.distribution.manifest.list.v2+json, "                  \
    "application/vnd.oci.image.manifest.v1+json, "                                 \
    "application/vnd.docker.distribution.manifest.v2+json, "                       \
    "application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1, "            \
    "application/vnd.docker.distribution.manifest.v1+json;q=0.1"

struct registry_manifest {
    char *body;
    size_t len;
    char *media_type; /* from Content-Type, else the document's mediaType */
    char digest[DIGEST_BUF];
};
void registry_manifest_release(struct registry_manifest *m);

/* GET /v2/REPO/manifests/REF (a tag or a digest): at most `max` bytes,
 * its digest checked against REF when REF is a digest and against
 * Docker-Content-Digest when the registry sends one.  Schema 1 is refused
 * here, with a message that says so. */
int registry_get_manifest(struct registry *r, const char *repo, const char *ref, size_t max,
                          struct registry_manifest *ret, struct error **err);
/* PUT /v2/REPO/manifests/REF with its media type; *ret_digest (may be
 * NULL) is the digest the registry reports (checked against ours). */
int registry_put_manifest(struct registry *r, const char *repo, const char *ref,
                          const char *media_type, const void *body, size_t len,
                          char ret_digest[DIGEST_BUF], struct error **err);

/* GET /v2/REPO/tags/list, every page (the Link header's `next`): the
 * tags (NULL-terminated, malloc'd), at most REGISTRY_MAX_TAGS. */
#define REGISTRY_MAX_TAGS 10000
int registry_list_tags(struct registry *r, const char *repo, char ***ret, struct error **err);

/* ---- blobs (registry_blob.c) ---- */

/* GET a small blob (a config) into memory, verified; at most `max`. */
int registry_get_blob(struct registry *r, const char *repo, const char *digest, size_t max,
                      char **ret, size_t *ret_len, struct error **err);

/*
 * Layer downloads: several blobs at once over one curl multi handle, each
 * read by its own consumer (a layer_ingest() in a worker thread) as it
 * arrives.  The network loop, registry_downloads_run(), runs in the
 * calling thread; consumers call registry_stream_read() (a layer_read_fn)
 * from any thread, then registry_stream_close().  A stream's transfer
 * starts when its consumer first reads (so at most as many transfers run
 * as consumers read, and never more than `max_active`); it is retried and
 * resumed with Range after a dropped connection or a 5xx, and fails with
 * an error naming the blob.  Each stream has a bounded buffer: a slow
 * consumer pauses its transfer.  Exactly `size` bytes must arrive.
 */
struct registry_downloads;
struct registry_stream;

int registry_downloads_new(struct registry *r, const char *repo, unsigned max_active,
                           struct registry_downloads **ret, struct error **err);
void registry_downloads_free(struct registry_downloads *d);
/* Add a blob (before run); owned by `d`.  NULL on ENOMEM.  Its buffer
 * is only made when its transfer brings the first bytes. */
struct registry_stream *registry_downloads_add(struct registry_downloads *d, const char *digest,
                                               uint64_t size);
/* Run until every stream is done, failed or closed and `tick` returns 0.
 * `tick` is called in this thread every 100 ms and whenever a consumer
 * calls registry_downloads_wakeup(); it returns 1 while its consumers are
 * still at work. */
int registry_downloads_run(struct registry_downloads *d, int (*tick)(void *opaque), void *opaque,
                           struct error **err);
/* From any thread: fail every stream (consumers get ECANCELED). */
void registry_downloads_cancel(struct registry_downloads *d);
/* From any thread: call tick soon. */
void registry_downloads_wakeup(struct registry_downloads *d);

ssize_t registry_stream_read(void *stream, void *buf, size_t len, struct error **err);
void registry_stream_close(struct registry_stream *s);
/* Bytes received so far (of the stream's size), and whether its transfer
 * has started. */
void registry_stream_progress(struct registry_stream *s, uint64_t *ret_bytes, bool *ret_started);

/* ---- push (registry_push.c) ---- */

/* HEAD /v2/REPO/blobs/DIGEST. */
int registry_blob_exists(struct registry *r, const char *repo, const char *digest,
                         bool *ret_exists, struct error **err);

/* Read the bytes of a blob being uploaded: up to `len` at `offset`;
 * the count, or a negative errno. */
typedef ssize_t (*registry_upload_read_fn)(void *opaque, void *buf, size_t len, uint64_t offset,
                                           struct error **err);
typedef void (*registry_upload_progress_fn)(void *opaque, uint64_t done, uint64_t total);

struct registry_upload {
    const char *digest;
    uint64_t size;
    registry_upload_read_fn read;
    void *opaque;
    /* Try a cross-repository mount from these repositories of the same
     * registry first (NULL-terminated, may be NULL). */
    char *const *mount_from;
    /* Blobs up to this size go in one PUT; larger ones in PATCH chunks
     * of this size (or the registry's OCI-Chunk-Min-Length, if larger). */
    uint64_t chunk_size;
    registry_upload_progress_fn progress;
    void *progress_opaque;
};

enum registry_upload_how { UPLOAD_EXISTED, UPLOAD_MOUNTED, UPLOAD_MONOLITHIC, UPLOAD_CHUNKED };

/* Make the blob exist in REPO: mounted (*ret_from names the repository it
 * came from, pointing into u->mount_from) or uploaded, verified by the
 * registry against its digest. */
int registry_blob_push(struct registry *r, const char *repo, const struct registry_upload *u,
                       enum registry_upload_how *ret_how, const char **ret_from,
                       struct error **err);

#endif
