/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer ingestion: one pass over a layer blob as its bytes arrive.
 *
 *   source --read--> [blob digest, blob file] --igzip (gzip, gunzip.h) or
 *   libarchive "raw" (zstd, xz, bzip2)--> [diff_id digest] --libarchive
 *   tar--> unpack.c
 *
 * The source is a read callback (or an fd), pulled until EOF: a file, a
 * pipe, an entry of an outer archive (`load`), or a download (`pull`
 * runs one ingest per layer, each in its own thread, fed from the
 * network).  Both digests are computed while reading and the tar is
 * unpacked as it is decompressed, so nothing is read twice.  Everything
 * goes to a scratch directory of the store and is committed only when the
 * stream ended well and the digests match what was expected: a corrupt,
 * truncated or hostile layer leaves nothing in the store.
 *
 * The caller holds the store's gc lock (shared) from before the ingest
 * until an image record (or a container) refers to the layer.
 * layer_ingest() is reentrant: separate ingests may run in separate
 * threads, each with its own source and result.
 */
#ifndef CABIN_IMAGE_LAYER_H
#define CABIN_IMAGE_LAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/digest.h"
#include "image/store.h"
#include "image/unpack.h"
#include "util/error.h"

/* Read up to `len` bytes: the count, 0 at the end, or a negative errno
 * (filling *err when it can say more). */
typedef ssize_t (*layer_read_fn)(void *opaque, void *buf, size_t len, struct error **err);

struct layer_source {
    layer_read_fn read;
    void *opaque;
};

/* A source that reads an fd (a file, a pipe, a socket). */
ssize_t layer_read_fd(void *opaque /* int * */, void *buf, size_t len, struct error **err);

enum layer_compression {
    COMPRESSION_NONE,
    COMPRESSION_GZIP,
    COMPRESSION_ZSTD,
    COMPRESSION_XZ,
    COMPRESSION_BZIP2,
};
const char *layer_compression_name(enum layer_compression c);

#define LAYER_KEEP_BLOB 1u /* store the blob in blobs/ */
#define LAYER_UNPACK    2u /* unpack into layers/<diff_id> (unless it is there) */

struct layer_ingest_opts {
    unsigned int flags;
    const char *expect_digest;  /* of the bytes read, or NULL */
    const char *expect_diff_id; /* of the uncompressed tar, or NULL */
    uint64_t max_blob_bytes;    /* 0: no limit besides the unpack limits */
    const struct unpack_limits *limits; /* NULL: unpack_limits_default() */
    const char *what;           /* names the layer in errors: "layer 2 (sha256:..)" */
};

struct layer_result {
    char digest[DIGEST_BUF];      /* of the bytes read */
    char diff_id[DIGEST_BUF];     /* of the uncompressed tar */
    uint64_t size;                /* bytes read */
    uint64_t tar_size;            /* bytes of the uncompressed tar */
    enum layer_compression compression;
    /* What was stored as the blob: the bytes read, except for xz and
     * bzip2 (not OCI media types), where it is the uncompressed tar. */
    char blob_digest[DIGEST_BUF];
    uint64_t blob_size;
    const char *media_type; /* OCI media type of that blob (static) */
    bool unpacked;          /* false: the layer was in the store already */
};

int layer_ingest(struct store *s, const struct layer_source *src,
                 const struct layer_ingest_opts *o, struct layer_result *ret, struct error **err);

/* A stored layer blob read back decompressed, as a plain tar (for formats
 * that want uncompressed layers: docker-archive).  Reads return the tar's
 * bytes; the caller checks them against the diff_id. */
struct layer_tar_reader;
int layer_tar_open(struct store *s, const char *blob_digest, struct layer_tar_reader **ret,
                   struct error **err);
ssize_t layer_tar_read(struct layer_tar_reader *t, void *buf, size_t len, struct error **err);
void layer_tar_close(struct layer_tar_reader *t);

/* Compression of a blob from its first bytes (at least 6). */
enum layer_compression layer_sniff(const unsigned char *head, size_t len);

#endif
