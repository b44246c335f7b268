/* SPDX-License-Identifier: Apache-2.0 */
#include "image/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/gunzip.h"
#include "image/libarchive.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define CHUNK (256u * 1024)
/* Bytes the decompressed stream may hold past the tar's end (padding). */
#define MAX_TRAILER (1u << 20)
#define WRITEBACK_STEP (4u << 20)

ssize_t layer_read_fd(void *opaque, void *buf, size_t len, struct error **err)
{
    int fd = *(int *) opaque;
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return error_errno(err, "reading");
    }
}

const char *layer_compression_name(enum layer_compression c)
{
    switch (c) {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_GZIP: return "gzip";
    case COMPRESSION_ZSTD: return "zstd";
    case COMPRESSION_XZ: return "xz";
    case COMPRESSION_BZIP2: return "bzip2";
    }
    return "?";
}

enum layer_compression layer_sniff(const unsigned char *h, size_t len)
{
    if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return COMPRESSION_GZIP;
    if (len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        return COMPRESSION_ZSTD;
    if (len >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
        return COMPRESSION_XZ;
    if (len >= 3 && memcmp(h, "BZh", 3) == 0)
        return COMPRESSION_BZIP2;
    return COMPRESSION_NONE;
}

static enum layer_compression from_filter(int code)
{
    switch (code) {
    case ARCHIVE_FILTER_GZIP: return COMPRESSION_GZIP;
    case ARCHIVE_FILTER_ZSTD: return COMPRESSION_ZSTD;
    case ARCHIVE_FILTER_XZ: return COMPRESSION_XZ;
    case ARCHIVE_FILTER_BZIP2: return COMPRESSION_BZIP2;
    default: return COMPRESSION_NONE;
    }
}

/* The decompressing reader: the filters a layer may use, and no others
 * (none that would run an external program). */
static struct archive *new_raw_reader(void)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return NULL;
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_format_raw(a);
    return a;
}

struct pipeline {
    const struct layer_source *src;
    const char *what;
    struct digester *blob_d, *tar_d;
    int blob_fd, tar_fd;
    struct archive *raw, *tar;
    struct gunzip *gz;      /* gzip: our inflater, not libarchive's (raw is NULL) */
    unsigned char *inbuf, *midbuf;
    size_t in_pos, in_len;  /* read from the source, not yet decompressed */
    uint64_t max_blob, max_tar;
    uint64_t blob_flushed; /* bytes of the blob file given to writeback */
    bool src_eof;
    bool src_failed;   /* the source itself failed (not what it gave) */
    bool gz_ended;
    struct error *err; /* the first failure, from either callback */
};

/* Start the writeback of what was written to `fd` since *flushed, in
 * steps of WRITEBACK_STEP (a hint: the commit's fsync then waits for
 * less). */
static void kick_writeback(int fd, uint64_t written, uint64_t *flushed)
{
    if (fd < 0 || written - *flushed < WRITEBACK_STEP)
        return;
    sync_file_range(fd, (off64_t) *flushed, (off64_t) (written - *flushed),
                    SYNC_FILE_RANGE_WRITE);
    *flushed = written;
}

/* The next bytes of the source into buf, hashed and written to the blob
 * file: their count, 0 at the end, -1 on failure (p->err). */
static ssize_t read_source(struct pipeline *p, unsigned char *buf, size_t cap)
{
    if (p->src_eof)
        return 0;
    ssize_t n = p->src->read(p->src->opaque, buf, cap, &p->err);
    if (n < 0) {
        if (p->err == NULL)
            error_errnum(&p->err, (int) -n, "reading");
        p->src_failed = true;
        return -1;
    }
    if (n == 0) {
        p->src_eof = true;
        return 0;
    }
    digester_update(p->blob_d, buf, (size_t) n);
    if (p->max_blob && digester_bytes(p->blob_d) > p->max_blob) {
        error_new(&p->err, EFBIG, "the blob is larger than %llu bytes",
                  (unsigned long long) p->max_blob);
        return -1;
    }
    int r = p->blob_fd >= 0 ? fs_write_all(p->blob_fd, buf, (size_t) n) : 0;
    if (r < 0) {
        error_errnum(&p->err, -r, "writing the blob");
        return -1;
    }
    kick_writeback(p->blob_fd, digester_bytes(p->blob_d), &p->blob_flushed);
    return n;
}

/* libarchive's decompressor reads here: first what open_input() read,
 * then the source. */
static la_ssize_t raw_read_cb(struct archive *a, void *opaque, const void **buf)
{
    struct pipeline *p = opaque;
    if (p->in_len > 0) {
        size_t n = p->in_len;
        *buf = p->inbuf + p->in_pos;
        p->in_pos = p->in_len = 0;
        return (la_ssize_t) n;
    }
    ssize_t n = read_source(p, p->inbuf, CHUNK);
    if (n < 0) {
        archive_set_error(a, p->err ? error_code(p->err) : EIO, "%s",
                          p->err ? p->err->msg : "reading");
        return -1;
    }
    *buf = p->inbuf;
    return n;
}

/* The next bytes of a gzip'd stream, decompressed into midbuf. */
static la_ssize_t gunzip_more(struct pipeline *p)
{
    for (;;) {
        if (p->in_len == 0 && !p->src_eof) {
            ssize_t n = read_source(p, p->inbuf, CHUNK);
            if (n < 0)
                return -1;
            p->in_pos = 0;
            p->in_len = (size_t) n;
        }
        const unsigned char *in = p->inbuf + p->in_pos;
        size_t left = p->in_len, out = 0;
        int r = gunzip_step(p->gz, &in, &left, p->src_eof, p->midbuf, CHUNK, &out, &p->err);
        p->in_pos += p->in_len - left;
        p->in_len = left;
        if (r < 0)
            return -1;
        if (out > 0)
            return (la_ssize_t) out;
        if (r == 1) {
            p->gz_ended = true;
            return 0;
        }
        /* A member's end with fewer than two bytes after it: read on. */
        if (p->in_len > 0 && p->in_len < 2 && !p->src_eof) {
            memmove(p->inbuf, p->inbuf + p->in_pos, p->in_len);
            p->in_pos = 0;
            ssize_t n = read_source(p, p->inbuf + p->in_len, CHUNK - p->in_len);
            if (n < 0)
                return -1;
            p->in_len += (size_t) n;
        }
    }
}

/* The next decompressed bytes, hashed (and kept when asked). */
static la_ssize_t pull_tar(struct pipeline *p)
{
    la_ssize_t n = p->gz ? gunzip_more(p) : archive_read_data(p->raw, p->midbuf, CHUNK);
    if (n < 0) {
        if (p->err == NULL)
            error_new(&p->err, EIO, "%s", archive_error_string(p->raw));
        return -1;
    }
    digester_update(p->tar_d, p->midbuf, (size_t) n);
    if (digester_bytes(p->tar_d) > p->max_tar) {
        error_new(&p->err, EFBIG, "it decompresses to more than %llu bytes",
                  (unsigned long long) p->max_tar);
        return -1;
    }
    int r = p->tar_fd >= 0 ? fs_write_all(p->tar_fd, p->midbuf, (size_t) n) : 0;
    if (r < 0) {
        error_errnum(&p->err, -r, "writing the uncompressed blob");
        return -1;
    }
    return n;
}

static la_ssize_t tar_read_cb(struct archive *a, void *opaque, const void **buf)
{
    struct pipeline *p = opaque;
    la_ssize_t n = pull_tar(p);
    if (n < 0) {
        archive_set_error(a, EIO, "%s", p->err->msg);
        return -1;
    }
    *buf = p->midbuf;
    return n;
}

/* Read what is left: of the decompressed stream, then of the source. */
static int drain(struct pipeline *p, uint64_t limit)
{
    uint64_t start = digester_bytes(p->tar_d);
    la_ssize_t n;
    while ((n = pull_tar(p)) > 0)
        if (limit && digester_bytes(p->tar_d) - start > limit)
            return error_new(&p->err, EINVAL, "more than %u bytes after the end of the tar",
                             MAX_TRAILER);
    if (n < 0)
        return -EIO;
    ssize_t m;
    while ((m = read_source(p, p->inbuf, CHUNK)) > 0)
        ;
    return m < 0 ? -EIO : 0;
}

static void pipeline_release(struct pipeline *p)
{
    if (p->tar)
        archive_read_free(p->tar);
    if (p->raw)
        archive_read_free(p->raw);
    gunzip_free(p->gz);
    digester_free(p->blob_d);
    digester_free(p->tar_d);
    close_keep_errno(p->blob_fd);
    close_keep_errno(p->tar_fd);
    free(p->inbuf);
    free(p->midbuf);
    error_free(p->err);
}

static const char *media_type_of(enum layer_compression c)
{
    switch (c) {
    case COMPRESSION_GZIP: return MEDIA_OCI_LAYER_GZIP;
    case COMPRESSION_ZSTD: return MEDIA_OCI_LAYER_ZSTD;
    default: return MEDIA_OCI_LAYER;
    }
}

/* Open the decompressor and learn the compression (reads the first
 * bytes): gzip (1f 8b, deflate) is ours, the others libarchive's. */
static int open_raw(struct pipeline *p, enum layer_compression *ret, struct error **err)
{
    while (p->in_len < 3 && !p->src_eof) {
        ssize_t n = read_source(p, p->inbuf + p->in_len, CHUNK - p->in_len);
        if (n < 0)
            return error_new(err, p->err ? error_code(p->err) : EIO, "%s",
                             p->err ? p->err->msg : "reading");
        p->in_len += (size_t) n;
    }
    if (p->in_len == 0)
        return error_new(err, EINVAL, "the blob is empty");
    if (p->in_len >= 3 && p->inbuf[0] == 0x1f && p->inbuf[1] == 0x8b && p->inbuf[2] == 8) {
        if ((p->gz = gunzip_new()) == NULL)
            return error_new(err, ENOMEM, "out of memory");
        *ret = COMPRESSION_GZIP;
        return 0;
    }
    p->raw = new_raw_reader();
    if (p->raw == NULL)
        return error_new(err, ENOMEM, "out of memory");
    struct archive_entry *e;
    if (archive_read_open(p->raw, p, NULL, raw_read_cb, NULL) != ARCHIVE_OK ||
        archive_read_next_header(p->raw, &e) != ARCHIVE_OK) {
        if (p->err)
            return error_new(err, p->err->code, "%s", p->err->msg);
        return error_new(err, EINVAL, "%s", archive_error_string(p->raw));
    }
    *ret = from_filter(archive_filter_code(p->raw, 0));
    return 0;
}

static int unpack_stream(struct pipeline *p, int diff_fd, const struct unpack_limits *lim,
                         struct unpack_stats *stats, struct error **err)
{
    p->tar = archive_read_new();
    if (p->tar == NULL)
        return error_new(err, ENOMEM, "out of memory");
    /* Only tar: no second decompression (a bomb inside a bomb). */
    archive_read_support_format_tar(p->tar);
    if (archive_read_open(p->tar, p, NULL, tar_read_cb, NULL) != ARCHIVE_OK) {
        if (p->err)
            return error_new(err, p->err->code, "%s", p->err->msg);
        return error_new(err, EINVAL, "not a tar archive: %s", archive_error_string(p->tar));
    }
    int r = unpack_tar(p->tar, diff_fd, lim, p->what, stats, err);
    if (r < 0) {
        /* A read failure surfaces in unpack as libarchive's copy of our
         * message; give the original its context. */
        if (p->err)
            return error_new(err, p->err->code, "%s: %s", p->what, p->err->msg);
        return r;
    }
    return 0;
}

static int open_tmp_file(int dirfd, const char *name, int *ret, struct error **err)
{
    int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_errno(err, "making `%s`", name);
    *ret = fd;
    return 0;
}

static int check_digest(const char *kind, const char *want, const char *got, struct error **err)
{
    if (want && strcmp(want, got) != 0)
        return error_new(err, EINVAL, "%s mismatch: expected %s, got %s", kind, want, got);
    return 0;
}

static int commit(struct store *s, int tmpfd, const struct pipeline *p,
                  const struct layer_ingest_opts *o, struct layer_result *res, bool unpacking,
                  const struct unpack_stats *stats, struct error **err)
{
    int r;
    bool synced = false;
    /* The layer first: its commit syncs the file system, which makes the
     * blob file durable too (no fsync of its own). */
    if (unpacking) {
        struct layer_info li = {.size = stats->content_bytes,
                                .tar_size = res->tar_size,
                                .entries = stats->entries};
        memcpy(li.diff_id, res->diff_id, DIGEST_BUF);
        bool existed = false;
        if ((r = store_layer_commit(s, tmpfd, &li, &existed, err)) < 0)
            return r;
        res->unpacked = !existed;
        synced = !existed;
    }
    if (o->flags & LAYER_KEEP_BLOB) {
        bool tar = p->tar_fd >= 0;
        r = store_blob_commit(s, tmpfd, tar ? "tar" : "blob", tar ? p->tar_fd : p->blob_fd,
                              res->blob_digest, synced, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* A stream that failed to decompress or unpack, when its digest is known:
 * read the rest, and if it is not the blob expected, that is the error to
 * report (a corrupt or substituted blob trips the decompressor or the tar
 * reader before its digest can be compared).  `r` and *err otherwise. */
static int blame_digest(struct pipeline *p, const struct layer_ingest_opts *o, int r,
                        struct error **err)
{
    if (o->expect_digest == NULL || p->src_failed || r == -ENOMEM)
        return r;
    while (!p->src_eof) {
        cleanup_error struct error *e = NULL;
        ssize_t n = p->src->read(p->src->opaque, p->inbuf, CHUNK, &e);
        if (n < 0)
            return r;
        if (n == 0)
            break;
        digester_update(p->blob_d, p->inbuf, (size_t) n);
        if (p->max_blob && digester_bytes(p->blob_d) > p->max_blob)
            break;
    }
    char got[DIGEST_BUF];
    digester_final(p->blob_d, got);
    if (strcmp(got, o->expect_digest) == 0)
        return r;
    cleanup_free char *why = *err ? strdup((*err)->msg) : NULL;
    return error_new(err, EINVAL, "digest mismatch: expected %s, got %s (the content is not the "
                                  "blob named: %s)",
                     o->expect_digest, got, why ? why : "it fails to unpack");
}

static int run_pipeline(struct store *s, struct pipeline *p, int tmpfd,
                        const struct layer_ingest_opts *o, struct layer_result *res,
                        struct error **err)
{
    struct unpack_limits defaults;
    const struct unpack_limits *lim = o->limits;
    if (lim == NULL) {
        unpack_limits_default(&defaults);
        lim = &defaults;
    }
    p->max_tar = lim->max_bytes + lim->max_entries * 4096 + MAX_TRAILER;
    int r;
    if ((o->flags & LAYER_KEEP_BLOB) && (r = open_tmp_file(tmpfd, "blob", &p->blob_fd, err)) < 0)
        return r;
    bool unpacking = (o->flags & LAYER_UNPACK) &&
                     !(o->expect_diff_id && store_has_layer(s, o->expect_diff_id));
    cleanup_close int diff_fd = -1;
    if (unpacking) {
        if (mkdirat(tmpfd, "layer", 0700) < 0 || mkdirat(tmpfd, "layer/diff", 0755) < 0 ||
            (diff_fd = openat(tmpfd, "layer/diff", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
            return error_errno(err, "making the layer's scratch directory");
    }
    if ((r = open_raw(p, &res->compression, err)) < 0)
        return blame_digest(p, o, r, err);
    if ((o->flags & LAYER_KEEP_BLOB) &&
        (res->compression == COMPRESSION_XZ || res->compression == COMPRESSION_BZIP2) &&
        (r = open_tmp_file(tmpfd, "tar", &p->tar_fd, err)) < 0)
        return r;
    struct unpack_stats stats = {0};
    if (unpacking && (r = unpack_stream(p, diff_fd, lim, &stats, err)) < 0)
        return blame_digest(p, o, r, err);
    if (drain(p, unpacking ? MAX_TRAILER : 0) < 0) {
        r = error_new(err, p->err ? p->err->code : EIO, "%s", p->err ? p->err->msg : "?");
        return blame_digest(p, o, r, err);
    }
    digester_final(p->blob_d, res->digest);
    digester_final(p->tar_d, res->diff_id);
    res->size = digester_bytes(p->blob_d);
    res->tar_size = digester_bytes(p->tar_d);
    bool tar_kept = p->tar_fd >= 0;
    memcpy(res->blob_digest, tar_kept ? res->diff_id : res->digest, DIGEST_BUF);
    res->blob_size = tar_kept ? res->tar_size : res->size;
    res->media_type = media_type_of(tar_kept ? COMPRESSION_NONE : res->compression);
    if ((r = check_digest("digest", o->expect_digest, res->digest, err)) < 0 ||
        (r = check_digest("diff_id", o->expect_diff_id, res->diff_id, err)) < 0)
        return r;
    return commit(s, tmpfd, p, o, res, unpacking, &stats, err);
}

int layer_ingest(struct store *s, const struct layer_source *src,
                 const struct layer_ingest_opts *o, struct layer_result *ret, struct error **err)
{
    int loaded = libarchive_load(err);
    if (loaded < 0)
        return loaded;
    const char *what = o->what ? o->what : "layer";
    struct pipeline p = {.src = src, .what = what, .blob_fd = -1, .tar_fd = -1};
    p.max_blob = o->max_blob_bytes;
    struct layer_result res = {0};
    p.inbuf = malloc(CHUNK);
    p.midbuf = malloc(CHUNK);
    int r = 0;
    if (p.inbuf == NULL || p.midbuf == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    if (r == 0)
        r = digester_new(&p.blob_d, err);
    if (r == 0)
        r = digester_new(&p.tar_d, err);
    cleanup_free char *tmp_name = NULL;
    int tmpfd = -1;
    if (r == 0)
        r = store_tmp_new(s, &tmp_name, &tmpfd, err);
    if (r == 0)
        r = run_pipeline(s, &p, tmpfd, o, &res, err);
    pipeline_release(&p);
    if (tmp_name)
        store_tmp_remove(s, tmp_name, tmpfd);
    if (r < 0) {
        /* unpack.c's messages name the layer already. */
        if (*err && strncmp((*err)->msg, what, strlen(what)) == 0)
            return r;
        return error_wrap(err, "%s", what);
    }
    *ret = res;
    return 0;
}

/* ---- reading a stored blob back as a tar ---------------------------- */

struct layer_tar_reader {
    struct archive *a;
    int fd;
};

void layer_tar_close(struct layer_tar_reader *t)
{
    if (t == NULL)
        return;
    if (t->a)
        archive_read_free(t->a);
    close_keep_errno(t->fd);
    free(t);
}

int layer_tar_open(struct store *s, const char *blob_digest, struct layer_tar_reader **ret,
                   struct error **err)
{
    int loaded = libarchive_load(err);
    if (loaded < 0)
        return loaded;
    struct layer_tar_reader *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return error_new(err, ENOMEM, "out of memory");
    t->fd = -1;
    int r = store_blob_open(s, blob_digest, &t->fd, err);
    if (r < 0) {
        layer_tar_close(t);
        return r;
    }
    t->a = new_raw_reader();
    struct archive_entry *e;
    if (t->a == NULL || archive_read_open_fd(t->a, t->fd, CHUNK) != ARCHIVE_OK ||
        archive_read_next_header(t->a, &e) != ARCHIVE_OK) {
        r = error_new(err, EIO, "blob %s: %s", blob_digest,
                      t->a ? archive_error_string(t->a) : "out of memory");
        layer_tar_close(t);
        return r;
    }
    *ret = t;
    return 0;
}

ssize_t layer_tar_read(struct layer_tar_reader *t, void *buf, size_t len, struct error **err)
{
    la_ssize_t n = archive_read_data(t->a, buf, len);
    if (n < 0)
        return error_new(err, EIO, "decompressing a layer: %s", archive_error_string(t->a));
    return n;
}
