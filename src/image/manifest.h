/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifests, indexes and image configs (OCI image spec and Docker's schema 2),
 * parsed and checked: every digest is a valid sha256 digest, every size a
 * non-negative integer, every field of the right type, and the errors name
 * the document and the field ("manifest sha256:ab..: layers[2].digest: ...").
 *
 * Parsed structures own their strings and keep a reference to the JSON
 * they came from; free them with their _free() function (NULL is fine).
 */
#ifndef CABIN_IMAGE_MANIFEST_H
#define CABIN_IMAGE_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "util/error.h"

#define MEDIA_OCI_MANIFEST     "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX        "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_CONFIG       "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER        "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP   "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_OCI_LAYER_ZSTD   "application/vnd.oci.image.layer.v1.tar+zstd"
#define MEDIA_DOCKER_MANIFEST  "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST      "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_CONFIG    "application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER     "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MEDIA_DOCKER_FOREIGN   "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Limits on what a document may hold. */
#define MANIFEST_MAX_SIZE   (4u << 20)
#define CONFIG_MAX_SIZE     (8u << 20)
#define MANIFEST_MAX_LAYERS 1000
#define INDEX_MAX_MANIFESTS 1000

struct platform {
    char *os, *architecture, *variant;
};

struct descriptor {
    char *media_type;
    char digest[DIGEST_BUF];
    int64_t size;
    bool has_platform;
    struct platform platform;
    json_t *annotations; /* object or NULL (borrowed from the document) */
};

enum manifest_kind { MANIFEST_OCI, MANIFEST_DOCKER };

struct manifest {
    enum manifest_kind kind;
    struct descriptor config;
    struct descriptor *layers;
    size_t n_layers;
    json_t *json;
};

struct image_index {
    struct descriptor *manifests;
    size_t n_manifests;
    json_t *json;
};

/* What a document is, from its mediaType (or, when it has none, from its
 * shape: "manifests" makes an index, "config" a manifest). */
enum doc_kind { DOC_UNKNOWN, DOC_MANIFEST, DOC_INDEX };
enum doc_kind manifest_sniff(const json_t *doc);

/* `what` names the document in errors. */
int manifest_parse(const json_t *doc, const char *what, struct manifest **ret, struct error **err);
void manifest_free(struct manifest *m);
int image_index_parse(const json_t *doc, const char *what, struct image_index **ret,
                      struct error **err);
void image_index_free(struct image_index *ix);

/* The host's platform (linux, GOARCH-style architecture, variant). */
void platform_host(struct platform *ret_static);
/* Parse "os/arch[/variant]" (also "arch" alone, the host's os), with
 * the usual aliases normalised (x86_64 -> amd64, aarch64 -> arm64,
 * armhf -> arm/v7); the strings point into `buf` (at least as long as
 * `s`).  Errors name the value. */
int platform_parse(const char *s, char *buf, size_t len, struct platform *ret,
                   struct error **err);
/* "linux/arm64/v8" of a platform, into buf. */
void platform_format(const struct platform *p, char *buf, size_t len);
/* Whether `d`'s platform is `want` (a missing variant matches). */
bool platform_matches(const struct descriptor *d, const struct platform *want);

/* Is this media type a layer we can unpack (tar, gzip, zstd; OCI or Docker)? */
bool media_type_is_layer(const char *mt);

/* ---- image config ---- */

struct image_config {
    char *architecture, *os, *variant, *created;
    char *user, *working_dir, *stop_signal;
    char **env;        /* NULL-terminated, may be NULL */
    char **entrypoint; /* NULL when absent or null */
    char **cmd;
    char **diff_ids;   /* rootfs.diff_ids */
    size_t n_diff_ids;
    json_t *json;
};

int image_config_parse(const json_t *doc, const char *what, struct image_config **ret,
                       struct error **err);
void image_config_free(struct image_config *c);

/* Load a JSON document from bytes, with a size limit; `what` names it. */
int manifest_load_json(const char *buf, size_t len, size_t max, const char *what, json_t **ret,
                       struct error **err);

static inline void manifest_freep(struct manifest **m)
{
    manifest_free(*m);
}
static inline void image_index_freep(struct image_index **i)
{
    image_index_free(*i);
}
static inline void image_config_freep(struct image_config **c)
{
    image_config_free(*c);
}
#define cleanup_manifest     __attribute__((cleanup(manifest_freep)))
#define cleanup_image_index  __attribute__((cleanup(image_index_freep)))
#define cleanup_image_config __attribute__((cleanup(image_config_freep)))

#endif
