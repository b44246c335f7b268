/* SPDX-License-Identifier: Apache-2.0 */
/* `save`: docker-archive and OCI archives, deterministic. */
#include "image/archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/libarchive.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

#define CHUNK (256u * 1024)

int save_format_parse(const char *s, enum save_format *ret, struct error **err)
{
    if (s == NULL || strcmp(s, "docker-archive") == 0)
        *ret = SAVE_DOCKER_ARCHIVE;
    else if (strcmp(s, "oci-archive") == 0)
        *ret = SAVE_OCI_ARCHIVE;
    else
        return error_new(err, EINVAL, "--format: `%s` is not docker-archive or oci-archive", s);
    return 0;
}

struct writer {
    struct archive *a;
    struct store *s;
    char **written; /* names already in the archive */
    unsigned char *buf;
};

static int header(struct writer *w, const char *name, mode_t type, int64_t size,
                  struct error **err)
{
    struct archive_entry *e = archive_entry_new();
    if (e == NULL)
        return error_new(err, ENOMEM, "out of memory");
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
    archive_entry_set_mtime(e, 0, 0);
    int r = archive_write_header(w->a, e) == ARCHIVE_OK
                ? 0
                : error_new(err, EIO, "writing `%s`: %s", name, archive_error_string(w->a));
    archive_entry_free(e);
    return r;
}

static bool written(struct writer *w, const char *name)
{
    for (size_t i = 0; w->written && w->written[i]; i++)
        if (strcmp(w->written[i], name) == 0)
            return true;
    return false;
}

static int put(struct writer *w, const char *name, const void *data, size_t len,
               struct error **err)
{
    if (written(w, name))
        return 0;
    int r = header(w, name, AE_IFREG, (int64_t) len, err);
    if (r == 0 && archive_write_data(w->a, data, len) != (la_ssize_t) len)
        r = error_new(err, EIO, "writing `%s`: %s", name, archive_error_string(w->a));
    if (r == 0 && strv_push(&w->written, name) < 0)
        r = error_new(err, ENOMEM, "out of memory");
    return r;
}

static int put_dir(struct writer *w, const char *name, struct error **err)
{
    if (written(w, name))
        return 0;
    int r = header(w, name, AE_IFDIR, 0, err);
    if (r == 0 && strv_push(&w->written, name) < 0)
        r = error_new(err, ENOMEM, "out of memory");
    return r;
}

/* Copy a stored blob as it is. */
static int put_blob(struct writer *w, const char *name, const char *digest, struct error **err)
{
    if (written(w, name))
        return 0;
    cleanup_close int fd = -1;
    int r = store_blob_open(w->s, digest, &fd, err);
    struct stat st;
    if (r == 0 && fstat(fd, &st) < 0)
        r = error_errno(err, "blob %s", digest);
    if (r == 0)
        r = header(w, name, AE_IFREG, st.st_size, err);
    cleanup_digester struct digester *d = NULL;
    if (r == 0)
        r = digester_new(&d, err);
    for (off_t done = 0; r == 0 && done < st.st_size;) {
        ssize_t n = read(fd, w->buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r = n < 0 ? error_errno(err, "reading blob %s", digest)
                      : error_new(err, EIO, "blob %s: shorter than it was", digest);
            break;
        }
        digester_update(d, w->buf, (size_t) n);
        if (archive_write_data(w->a, w->buf, (size_t) n) != n)
            r = error_new(err, EIO, "writing `%s`: %s", name, archive_error_string(w->a));
        done += n;
    }
    if (r < 0)
        return r;
    char got[DIGEST_BUF];
    digester_final(d, got);
    if (strcmp(got, digest) != 0)
        return error_new(err, EIO, "blob %s is corrupt in the store (its content is %s)", digest,
                         got);
    return strv_push(&w->written, name) < 0 ? error_new(err, ENOMEM, "out of memory") : 0;
}

/* A layer as a plain tar (docker-archive), decompressing its blob. */
static int put_tar(struct writer *w, const char *name, const char *blob, const char *diff_id,
                   struct error **err)
{
    if (written(w, name))
        return 0;
    if (strcmp(blob, diff_id) == 0)
        return put_blob(w, name, blob, err);
    struct layer_info li;
    int r = store_layer_info(w->s, diff_id, &li, err);
    if (r < 0)
        return r;
    struct layer_tar_reader *t = NULL;
    if ((r = layer_tar_open(w->s, blob, &t, err)) < 0)
        return r;
    cleanup_digester struct digester *d = NULL;
    r = digester_new(&d, err);
    if (r == 0)
        r = header(w, name, AE_IFREG, (int64_t) li.tar_size, err);
    uint64_t done = 0;
    while (r == 0) {
        ssize_t n = layer_tar_read(t, w->buf, CHUNK, err);
        if (n < 0)
            r = (int) n;
        if (n <= 0)
            break;
        done += (uint64_t) n;
        digester_update(d, w->buf, (size_t) n);
        if (done > li.tar_size)
            r = error_new(err, EIO, "layer %s: longer than recorded", diff_id);
        else if (archive_write_data(w->a, w->buf, (size_t) n) != n)
            r = error_new(err, EIO, "writing `%s`: %s", name, archive_error_string(w->a));
    }
    layer_tar_close(t);
    if (r < 0)
        return r;
    char got[DIGEST_BUF];
    digester_final(d, got);
    if (done != li.tar_size || strcmp(got, diff_id) != 0)
        return error_new(err, EIO, "layer %s: the blob %s decompresses to %s", diff_id, blob, got);
    return strv_push(&w->written, name) < 0 ? error_new(err, ENOMEM, "out of memory") : 0;
}

static json_t *repo_tags(char **names)
{
    if (names == NULL || names[0] == NULL)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; names[i]; i++)
        json_array_append_new(a, json_string(image_ref_familiar(names[i])));
    return a;
}

static int docker_image(struct writer *w, const struct image *im, char **names, json_t *manifest,
                        struct error **err)
{
    json_t *layers = json_array();
    json_t *entry = json_pack("{s:s+, s:o, s:o}", "Config", digest_hex(im->id), ".json",
                              "RepoTags", repo_tags(names), "Layers", layers);
    if (entry == NULL)
        return error_new(err, ENOMEM, "out of memory");
    json_array_append_new(manifest, entry);
    for (size_t i = 0; i < im->manifest->n_layers; i++) {
        char name[DIGEST_BUF + 8];
        snprintf(name, sizeof(name), "%s.tar", digest_hex(im->config->diff_ids[i]));
        int r = put_tar(w, name, im->manifest->layers[i].digest, im->config->diff_ids[i], err);
        if (r < 0)
            return r;
        json_array_append_new(layers, json_string(name));
    }
    char cname[DIGEST_BUF + 8];
    snprintf(cname, sizeof(cname), "%s.json", digest_hex(im->id));
    return put(w, cname, im->config_raw, im->config_len, err);
}

static int oci_image(struct writer *w, const struct image *im, char **names, json_t *index,
                     struct error **err)
{
    char path[DIGEST_BUF + 16];
    int r;
    for (size_t i = 0; i < im->manifest->n_layers; i++) {
        snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(im->manifest->layers[i].digest));
        if ((r = put_blob(w, path, im->manifest->layers[i].digest, err)) < 0)
            return r;
    }
    snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(im->id));
    if ((r = put_blob(w, path, im->id, err)) < 0)
        return r;
    snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(im->manifest_digest));
    if ((r = put_blob(w, path, im->manifest_digest, err)) < 0)
        return r;
    const char *mt = im->manifest->kind == MANIFEST_DOCKER ? MEDIA_DOCKER_MANIFEST
                                                           : MEDIA_OCI_MANIFEST;
    int64_t size = store_blob_size(w->s, im->manifest_digest);
    /* One entry a name (as containerd exports), or one without a name. */
    size_t nn = strv_length(names);
    for (size_t i = 0; i < (nn ? nn : 1); i++) {
        json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", im->manifest_digest,
                              "size", (json_int_t) size);
        char *repo = NULL;
        const char *tag = NULL;
        bool is_digest = false;
        if (nn && image_ref_split(names[i], &repo, &tag, &is_digest) == 0) {
            json_object_set_new(d, "annotations",
                                json_pack("{s:s, s:s}", "io.containerd.image.name", names[i],
                                          "org.opencontainers.image.ref.name", tag));
            free(repo);
        }
        json_array_append_new(index, d);
    }
    return 0;
}

static int write_all_images(struct writer *w, const struct save_item *items, size_t n,
                            enum save_format f, struct error **err)
{
    cleanup_json json_t *list = json_array();
    int r = 0;
    if (f == SAVE_OCI_ARCHIVE) {
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        if ((r = put(w, "oci-layout", layout, sizeof(layout) - 1, err)) < 0 ||
            (r = put_dir(w, "blobs/", err)) < 0 || (r = put_dir(w, "blobs/sha256/", err)) < 0)
            return r;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        struct image *im = NULL;
        if ((r = image_open(w->s, items[i].what, &im, err)) < 0)
            break;
        r = f == SAVE_OCI_ARCHIVE ? oci_image(w, im, items[i].names, list, err)
                                  : docker_image(w, im, items[i].names, list, err);
        if (r < 0)
            error_wrap(err, "saving `%s`", items[i].what);
        image_free(im);
    }
    if (r < 0)
        return r;
    if (f == SAVE_OCI_ARCHIVE) {
        cleanup_json json_t *ix = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
                                            MEDIA_OCI_INDEX, "manifests", list);
        cleanup_free char *text = ix ? json_dumps(ix, JSON_COMPACT) : NULL;
        return text ? put(w, "index.json", text, strlen(text), err)
                    : error_new(err, ENOMEM, "out of memory");
    }
    cleanup_free char *text = json_dumps(list, JSON_COMPACT);
    return text ? put(w, "manifest.json", text, strlen(text), err)
                : error_new(err, ENOMEM, "out of memory");
}

int image_save(struct store *s, const struct save_item *items, size_t n, enum save_format f,
               int fd, struct error **err)
{
    int r = libarchive_load(err);
    if (r < 0)
        return r;
    struct writer w = {.s = s};
    w.a = archive_write_new();
    w.buf = malloc(CHUNK);
    if (w.a == NULL || w.buf == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    if (r == 0 && (archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
                   archive_write_set_bytes_in_last_block(w.a, 1) != ARCHIVE_OK ||
                   archive_write_open_fd(w.a, fd) != ARCHIVE_OK))
        r = error_new(err, EIO, "writing the archive: %s", archive_error_string(w.a));
    if (r == 0)
        r = write_all_images(&w, items, n, f, err);
    if (r == 0 && archive_write_close(w.a) != ARCHIVE_OK)
        r = error_new(err, EIO, "writing the archive: %s", archive_error_string(w.a));
    if (w.a)
        archive_write_free(w.a);
    free(w.buf);
    strv_free(w.written);
    return r;
}
