/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of image/layer + image/unpack: layers crafted here with
 * libarchive's writer, ingested into a store in a temporary folder.  Each
 * hostile layer must be refused (or confined) with an error that says why,
 * leave nothing outside its layer directory, and leave no half layer, blob
 * or scratch directory in the store.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/digest.h"
#include "image/layer.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct fixture {
    char dir[64];     /* the test's temporary folder */
    char root[96];    /* the store */
    char outside[96]; /* a folder beside the store, which must stay empty */
    struct store *store;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cabin-test-layer.XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->root, sizeof(f->root), "%s/store", f->dir);
    snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
    mkdir(f->outside, 0755);
    struct error *err = NULL;
    if (store_open(f->root, &f->store, &err) < 0) {
        fprintf(stderr, "%s\n", err->msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_free(f->store);
    int fd = open("/tmp", O_PATH | O_DIRECTORY);
    fs_remove_tree(fd, f->dir + 5, NULL);
    close(fd);
    free(f);
    return 0;
}

/* ---- crafting tarballs ---- */

enum kind { REG, DIR_, SYMLINK, HARDLINK, FIFO, CHR };

struct entry {
    enum kind kind;
    const char *name;
    const char *data;   /* REG content; SYMLINK/HARDLINK target */
    unsigned mode;
    size_t size;        /* REG: a size of zeros instead of data when data is NULL */
    const char *xattr;  /* "key=value" */
};

struct blob {
    unsigned char *buf;
    size_t len, cap;
};

static la_ssize_t blob_write(struct archive *a, void *opaque, const void *buf, size_t len)
{
    struct blob *b = opaque;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->buf = realloc(b->buf, b->cap);
    }
    memcpy(b->buf + b->len, buf, len);
    b->len += len;
    return (la_ssize_t) len;
}

static struct blob make_tar(const struct entry *es, size_t n, int filter)
{
    struct blob b = {0};
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == ARCHIVE_FILTER_GZIP)
        archive_write_add_filter_gzip(a);
    else if (filter == ARCHIVE_FILTER_ZSTD)
        archive_write_add_filter_zstd(a);
    else if (filter == ARCHIVE_FILTER_XZ)
        archive_write_add_filter_xz(a);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open(a, &b, NULL, blob_write, NULL), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &es[i];
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e->name);
        archive_entry_set_mtime(ae, 1000000000 + (time_t) i, 0);
        archive_entry_set_uid(ae, 1000);
        archive_entry_set_gid(ae, 1001);
        unsigned mode = e->mode ? e->mode : 0644;
        switch (e->kind) {
        case REG:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_size(ae, e->data ? (la_int64_t) strlen(e->data)
                                               : (la_int64_t) e->size);
            break;
        case DIR_: archive_entry_set_filetype(ae, AE_IFDIR); mode = e->mode ? e->mode : 0755; break;
        case SYMLINK:
            archive_entry_set_filetype(ae, AE_IFLNK);
            archive_entry_set_symlink(ae, e->data);
            break;
        case HARDLINK:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_hardlink(ae, e->data);
            break;
        case FIFO: archive_entry_set_filetype(ae, AE_IFIFO); break;
        case CHR:
            archive_entry_set_filetype(ae, AE_IFCHR);
            archive_entry_set_rdev(ae, makedev(1, 3));
            break;
        }
        archive_entry_set_perm(ae, mode);
        if (e->xattr) {
            const char *eq = strchr(e->xattr, '=');
            char key[128];
            snprintf(key, sizeof(key), "%.*s", (int) (eq - e->xattr), e->xattr);
            if (strcmp(key, "security.capability") == 0) {
                /* vfs_cap_data revision 2, effective, CAP_NET_BIND_SERVICE (10) */
                static const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0, 0x04, 0, 0};
                archive_entry_xattr_add_entry(ae, key, cap, sizeof(cap));
            } else {
                archive_entry_xattr_add_entry(ae, key, eq + 1, strlen(eq + 1));
            }
        }
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        if (e->kind == REG && e->data)
            archive_write_data(a, e->data, strlen(e->data));
        else if (e->kind == REG) {
            static char zeros[65536];
            for (size_t left = e->size; left > 0;) {
                size_t k = left < sizeof(zeros) ? left : sizeof(zeros);
                archive_write_data(a, zeros, k);
                left -= k;
            }
        }
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return b;
}

/* `len` bytes as one gzip member (libarchive's raw writer). */
static struct blob gzip_member(const unsigned char *data, size_t len)
{
    struct blob b = {0};
    struct archive *a = archive_write_new();
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
    archive_write_set_bytes_in_last_block(a, 1);
    assert_int_equal(archive_write_open(a, &b, NULL, blob_write, NULL), ARCHIVE_OK);
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, "member");
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_size(ae, (la_int64_t) len);
    assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, data, len), (la_ssize_t) len);
    archive_entry_free(ae);
    archive_write_close(a);
    archive_write_free(a);
    return b;
}

static void blob_append(struct blob *to, const void *data, size_t len)
{
    blob_write(NULL, to, data, len);
}

struct mem {
    const struct blob *b;
    size_t off, stop; /* stop: pretend the stream ends here */
    size_t most;      /* at most this many bytes a read (0: any) */
};

static ssize_t mem_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct mem *m = opaque;
    size_t end = m->stop ? m->stop : m->b->len;
    if (m->most && len > m->most)
        len = m->most;
    size_t n = end - m->off < len ? end - m->off : len;
    memcpy(buf, m->b->buf + m->off, n);
    m->off += n;
    return (ssize_t) n;
}

static int ingest(struct fixture *f, const struct blob *b, size_t stop,
                  const struct layer_ingest_opts *o, struct layer_result *res, struct error **err)
{
    struct mem m = {.b = b, .stop = stop};
    struct layer_source src = {mem_read, &m};
    struct layer_ingest_opts def = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK, .what = "test layer"};
    return layer_ingest(f->store, &src, o ? o : &def, res, err);
}

static size_t count_entries(const char *dir)
{
    cleanup_closedir DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    return n;
}

/* Nothing in the store (no layer, blob, link or scratch) and nothing
 * beside it. */
static void assert_store_clean(struct fixture *f)
{
    const char *subs[] = {"layers", "blobs/sha256", "l", "tmp"};
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof(p), "%s/%s", f->root, subs[i]);
        if (count_entries(p) != 0)
            fail_msg("%s is not empty", p);
    }
    assert_int_equal(count_entries(f->outside), 0);
    assert_int_equal(count_entries(f->dir), 2); /* store/ and outside/ */
}

static char *layer_file(struct fixture *f, const struct layer_result *r, const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/layers/%s/diff/%s", f->root, digest_hex(r->diff_id), name) > 0);
    return p;
}

static void expect_refused(struct fixture *f, const struct entry *es, size_t n, const char *msg)
{
    struct blob b = make_tar(es, n, ARCHIVE_FILTER_GZIP);
    struct layer_result res;
    struct error *err = NULL;
    assert_true(ingest(f, &b, 0, NULL, &res, &err) < 0);
    assert_non_null(err);
    if (strstr(err->msg, msg) == NULL || strstr(err->msg, "test layer") == NULL)
        fail_msg("error `%s` does not say `%s`", err->msg, msg);
    error_free(err);
    free(b.buf);
    assert_store_clean(f);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_every_type(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip();
    const struct entry es[] = {
        {DIR_, "./", NULL, 0755, 0, NULL},
        {DIR_, "bin", NULL, 0711, 0, NULL},
        {REG, "bin/tool", "#!/bin/sh\n", 04755, 0, "security.capability="},
        {REG, "bin/sparse", NULL, 0644, 300000, "user.note=hello"},
        {SYMLINK, "bin/sh", "/bin/tool", 0777, 0, NULL},
        {SYMLINK, "escape", "../../../../etc", 0777, 0, NULL},
        {HARDLINK, "bin/tool2", "bin/tool", 0, 0, NULL},
        {FIFO, "run/fifo", NULL, 0600, 0, NULL},
        {CHR, "dev/null", NULL, 0666, 0, NULL},
        {DIR_, "tmp", NULL, 01777, 0, NULL},
        {REG, "/abs/file", "confined", 0600, 0, NULL},
    };
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_NONE);
    char want[DIGEST_BUF];
    digest_buffer(b.buf, b.len, want);
    struct layer_result res;
    struct error *err = NULL;
    if (ingest(f, &b, 0, NULL, &res, &err) < 0)
        fail_msg("%s", err->msg);
    assert_string_equal(res.diff_id, want);
    assert_string_equal(res.digest, want);
    assert_int_equal(res.compression, COMPRESSION_NONE);
    assert_true(res.unpacked);
    assert_true(store_has_blob(f->store, want));
    assert_true(store_has_layer(f->store, want));

    struct stat st;
    char *p = layer_file(f, &res, "bin/tool");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 04755);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);
    assert_int_equal(st.st_mtime, 1000000002);
    assert_int_equal(st.st_nlink, 2);
    char cap[64];
    assert_true(getxattr(p, "security.capability", cap, sizeof(cap)) > 0);
    free(p);
    p = layer_file(f, &res, "bin/sparse");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_size, 300000);
    char note[16] = {0};
    assert_int_equal(getxattr(p, "user.note", note, sizeof(note)), 5);
    assert_string_equal(note, "hello");
    free(p);
    p = layer_file(f, &res, "escape");
    char target[64] = {0};
    assert_true(readlink(p, target, sizeof(target)) > 0);
    assert_string_equal(target, "../../../../etc"); /* kept, never followed */
    free(p);
    p = layer_file(f, &res, "run/fifo");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    free(p);
    p = layer_file(f, &res, "dev/null");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, makedev(1, 3));
    free(p);
    p = layer_file(f, &res, "tmp");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 01777);
    assert_int_equal(st.st_mtime, 1000000009);
    free(p);
    p = layer_file(f, &res, "abs/file");
    assert_int_equal(lstat(p, &st), 0);
    free(p);
    p = layer_file(f, &res, "bin");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0711);
    assert_int_equal(st.st_mtime, 1000000001); /* set after its children */
    free(p);
    free(b.buf);

    struct layer_info li;
    assert_int_equal(store_layer_info(f->store, want, &li, &err), 0);
    assert_int_equal(li.size, 300000 + 10 + 8);
    assert_int_equal(li.entries, N(es));
    assert_int_equal(count_entries(f->outside), 0);
}

static void test_traversal(void **state)
{
    const struct entry es[] = {
        {REG, "ok", "x", 0, 0, NULL},
        {REG, "a/../../outside/evil", "pwned", 0, 0, NULL},
    };
    expect_refused(*state, es, N(es), "`..` is not allowed");
    const struct entry es2[] = {{REG, "../outside/evil", "pwned", 0, 0, NULL}};
    expect_refused(*state, es2, N(es2), "`..` is not allowed");
}

static void test_symlink_then_write_through(void **state)
{
    struct fixture *f = *state;
    char target[128];
    snprintf(target, sizeof(target), "%s", f->outside);
    const struct entry es[] = {
        {SYMLINK, "etc", target, 0777, 0, NULL},
        {REG, "etc/passwd", "root::0:0::/:/bin/sh\n", 0, 0, NULL},
    };
    expect_refused(f, es, N(es), "symlink");
    /* The same with a relative link climbing out. */
    const struct entry es2[] = {
        {SYMLINK, "up", "../../../outside", 0777, 0, NULL},
        {DIR_, "up/sub", NULL, 0, 0, NULL},
    };
    expect_refused(f, es2, N(es2), "symlink");
}

static void test_hardlink_outside(void **state)
{
    const struct entry es[] = {{HARDLINK, "passwd", "/etc/passwd", 0, 0, NULL}};
    expect_refused(*state, es, N(es), "not a file of this layer");
    const struct entry es2[] = {
        {SYMLINK, "hostetc", "/etc", 0777, 0, NULL},
        {HARDLINK, "passwd", "hostetc/passwd", 0, 0, NULL},
    };
    expect_refused(*state, es2, N(es2), "not a file of this layer");
}

static void test_whiteouts(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip();
    const struct entry l1[] = {
        {DIR_, "a", NULL, 0, 0, NULL}, {REG, "a/f1", "1", 0, 0, NULL},
        {REG, "a/f2", "2", 0, 0, NULL}, {DIR_, "b", NULL, 0, 0, NULL},
        {REG, "b/old", "o", 0, 0, NULL},
    };
    const struct entry l2[] = {
        {REG, "a/.wh.f1", "", 0, 0, NULL},
        {DIR_, "b", NULL, 0, 0, NULL},
        {REG, "b/.wh..wh..opq", "", 0, 0, NULL},
        {REG, "b/new", "n", 0, 0, NULL},
        {REG, ".wh..wh.plnk", "", 0, 0, NULL},
    };
    const struct entry l3[] = {{REG, ".wh.a", "", 0, 0, NULL}};
    struct layer_result r1, r2, r3;
    struct error *err = NULL;
    struct blob b1 = make_tar(l1, N(l1), ARCHIVE_FILTER_GZIP);
    struct blob b2 = make_tar(l2, N(l2), ARCHIVE_FILTER_ZSTD);
    struct blob b3 = make_tar(l3, N(l3), ARCHIVE_FILTER_NONE);
    assert_int_equal(ingest(f, &b1, 0, NULL, &r1, &err), 0);
    assert_int_equal(ingest(f, &b2, 0, NULL, &r2, &err), 0);
    assert_int_equal(ingest(f, &b3, 0, NULL, &r3, &err), 0);
    assert_int_equal(r1.compression, COMPRESSION_GZIP);
    assert_int_equal(r2.compression, COMPRESSION_ZSTD);
    assert_string_not_equal(r1.digest, r1.diff_id);

    struct stat st;
    char *p = layer_file(f, &r2, "a/f1");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, makedev(0, 0));
    free(p);
    p = layer_file(f, &r2, "a/.wh.f1");
    assert_int_equal(lstat(p, &st), -1);
    free(p);
    p = layer_file(f, &r2, "b");
    char v[4] = {0};
    assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
    assert_string_equal(v, "y");
    free(p);
    p = layer_file(f, &r2, "b/.wh..wh..opq");
    assert_int_equal(lstat(p, &st), -1);
    free(p);
    p = layer_file(f, &r2, ".wh..wh.plnk");
    assert_int_equal(lstat(p, &st), -1);
    free(p);
    p = layer_file(f, &r3, "a");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    free(p);
    free(b1.buf);
    free(b2.buf);
    free(b3.buf);
}

static void test_overlay_xattrs_dropped(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip();
    const struct entry es[] = {
        {DIR_, "d", NULL, 0, 0, "trusted.overlay.redirect=/etc"},
    };
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_NONE);
    struct layer_result r;
    struct error *err = NULL;
    assert_int_equal(ingest(f, &b, 0, NULL, &r, &err), 0);
    char *p = layer_file(f, &r, "d");
    char v[16];
    assert_int_equal(getxattr(p, "trusted.overlay.redirect", v, sizeof(v)), -1);
    free(p);
    free(b.buf);
}

static void test_limits(void **state)
{
    struct fixture *f = *state;
    struct unpack_limits lim;
    unpack_limits_default(&lim);
    lim.max_entries = 10;
    struct entry many[20];
    char names[20][8];
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof(names[i]), "f%d", i);
        many[i] = (struct entry) {REG, names[i], "x", 0, 0, NULL};
    }
    struct layer_ingest_opts o = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK, .what = "test layer",
                                  .limits = &lim};
    struct blob b = make_tar(many, 20, ARCHIVE_FILTER_GZIP);
    struct layer_result r;
    struct error *err = NULL;
    assert_true(ingest(f, &b, 0, &o, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "more than 10 entries"));
    error_free(err);
    err = NULL;
    free(b.buf);
    assert_store_clean(f);

    /* A bomb: 64 MiB of zeros in a few kB of gzip, against a 1 MiB limit. */
    unpack_limits_default(&lim);
    lim.max_bytes = 1u << 20;
    const struct entry bomb[] = {{REG, "zeros", NULL, 0, 64u << 20, NULL}};
    b = make_tar(bomb, 1, ARCHIVE_FILTER_GZIP);
    assert_true(b.len < (1u << 20));
    assert_true(ingest(f, &b, 0, &o, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "more than the limit"));
    error_free(err);
    free(b.buf);
    assert_store_clean(f);

    /* A long name. */
    char longname[5000];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    const struct entry ln[] = {{REG, longname, "x", 0, 0, NULL}};
    expect_refused(f, ln, 1, "longer than 4096");
}

static void test_truncated(void **state)
{
    struct fixture *f = *state;
    const struct entry es[] = {{REG, "big", NULL, 0, 4u << 20, NULL},
                               {REG, "after", "x", 0, 0, NULL}};
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_GZIP);
    struct layer_result r;
    struct error *err = NULL;
    assert_true(ingest(f, &b, b.len / 2, NULL, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "test layer"));
    error_free(err);
    free(b.buf);
    assert_store_clean(f);

    /* Not a tar at all. */
    struct blob junk = {(unsigned char *) strdup("this is not a layer, just text........"), 38, 38};
    err = NULL;
    assert_true(ingest(f, &junk, 0, NULL, &r, &err) < 0);
    free(junk.buf);
    error_free(err);
    assert_store_clean(f);
}

static void test_wrong_digests(void **state)
{
    struct fixture *f = *state;
    const struct entry es[] = {{REG, "f", "content", 0, 0, NULL}};
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_GZIP);
    const char *bad = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    struct layer_ingest_opts o = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK, .what = "test layer",
                                  .expect_diff_id = bad};
    struct layer_result r;
    struct error *err = NULL;
    assert_true(ingest(f, &b, 0, &o, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "diff_id mismatch"));
    assert_non_null(strstr(err->msg, bad));
    error_free(err);
    err = NULL;
    assert_store_clean(f);
    o.expect_diff_id = NULL;
    o.expect_digest = bad;
    assert_true(ingest(f, &b, 0, &o, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "digest mismatch"));
    error_free(err);
    assert_store_clean(f);
    free(b.buf);
}

static void test_existing_layer(void **state)
{
    struct fixture *f = *state;
    const struct entry es[] = {{REG, "f", "content", 0, 0, NULL}};
    struct blob gz = make_tar(es, N(es), ARCHIVE_FILTER_GZIP);
    struct blob zs = make_tar(es, N(es), ARCHIVE_FILTER_ZSTD);
    struct layer_result r1, r2;
    struct error *err = NULL;
    assert_int_equal(ingest(f, &gz, 0, NULL, &r1, &err), 0);
    assert_true(r1.unpacked);
    /* The same tar in another compression: one layer, two blobs. */
    assert_int_equal(ingest(f, &zs, 0, NULL, &r2, &err), 0);
    assert_false(r2.unpacked);
    assert_string_equal(r1.diff_id, r2.diff_id);
    assert_string_not_equal(r1.digest, r2.digest);
    char p[160];
    snprintf(p, sizeof(p), "%s/layers", f->root);
    assert_int_equal(count_entries(p), 1);
    snprintf(p, sizeof(p), "%s/blobs/sha256", f->root);
    assert_int_equal(count_entries(p), 2);
    snprintf(p, sizeof(p), "%s/tmp", f->root);
    assert_int_equal(count_entries(p), 0);
    snprintf(p, sizeof(p), "%s/l", f->root);
    assert_int_equal(count_entries(p), 1);
    free(gz.buf);
    free(zs.buf);
}

/* xz is no OCI media type: the blob kept is the uncompressed tar. */
static void test_xz_keeps_the_tar(void **state)
{
    struct fixture *f = *state;
    const struct entry es[] = {{REG, "f", "content", 0, 0, NULL}};
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_XZ);
    struct layer_result r;
    struct error *err = NULL;
    assert_int_equal(ingest(f, &b, 0, NULL, &r, &err), 0);
    assert_int_equal(r.compression, COMPRESSION_XZ);
    assert_string_equal(r.blob_digest, r.diff_id);
    assert_string_not_equal(r.digest, r.diff_id);
    assert_int_equal(r.blob_size, r.tar_size);
    assert_string_equal(r.media_type, "application/vnd.oci.image.layer.v1.tar");
    assert_true(store_has_blob(f->store, r.diff_id));
    assert_false(store_has_blob(f->store, r.digest));
    free(b.buf);
}

static char *read_text(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return NULL;
    ssize_t n = getdelim(&buf, &len, '\0', fp);
    fclose(fp);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A name a later entry uses again is replaced, whatever was there (unpack.c
 * creates a file with O_EXCL and makes room only when that fails); a new
 * file's owner and mode are the entry's whether or not they needed a chown
 * or a chmod. */
static void test_replacements(void **state)
{
    struct fixture *f = *state;
    char victim[160];
    snprintf(victim, sizeof(victim), "%s/victim", f->outside);
    const struct entry es[] = {{REG, "a", "one", 0, 0, NULL},
                               {REG, "a", "two", 0, 0, NULL},
                               {DIR_, "d", NULL, 0, 0, NULL},
                               {REG, "d/x", "x", 0, 0, NULL},
                               {REG, "d", "a file now", 0, 0, NULL},
                               {REG, "f", "data", 0, 0, NULL},
                               {DIR_, "f", NULL, 0750, 0, NULL},
                               {SYMLINK, "s", victim, 0, 0, NULL},
                               {REG, "s", "plain", 0, 0, NULL},
                               {REG, "m", "m", 0640, 0, NULL},
                               {REG, "u", "u", 04755, 0, NULL}};
    struct blob b = make_tar(es, N(es), ARCHIVE_FILTER_GZIP);
    struct layer_result r;
    struct error *err = NULL;
    if (ingest(f, &b, 0, NULL, &r, &err) < 0)
        fail_msg("%s", err->msg);
    free(b.buf);
    const struct {
        const char *name, *text;
        mode_t mode;
    } want[] = {{"a", "two", S_IFREG | 0644}, {"d", "a file now", S_IFREG | 0644},
                {"f", NULL, S_IFDIR | 0750}, {"s", "plain", S_IFREG | 0644},
                {"m", "m", S_IFREG | 0640}, {"u", "u", S_IFREG | 04755}};
    for (size_t i = 0; i < N(want); i++) {
        cleanup_free char *p = layer_file(f, &r, want[i].name);
        struct stat st;
        assert_int_equal(lstat(p, &st), 0);
        if (st.st_mode != want[i].mode)
            fail_msg("`%s`: mode %o, not %o", want[i].name, (unsigned) st.st_mode,
                     (unsigned) want[i].mode);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(st.st_gid, 1001);
        if (want[i].text) {
            cleanup_free char *text = read_text(p);
            assert_non_null(text);
            assert_string_equal(text, want[i].text);
        }
    }
    assert_int_equal(count_entries(f->outside), 0);
}

/* gzip'd layers go through igzip (image/gunzip.c): several members one
 * after the other, bytes after the last member, a source that gives one
 * byte a read, and a wrong CRC. */
static void test_gzip_streams(void **state)
{
    struct fixture *f = *state;
    const struct entry es[] = {{DIR_, "d", NULL, 0, 0, NULL},
                               {REG, "d/zeros", NULL, 0, 300000, NULL},
                               {REG, "d/text", "the quick brown fox", 0, 0, NULL}};
    struct blob tar = make_tar(es, N(es), ARCHIVE_FILTER_NONE);
    char diff_id[DIGEST_BUF];
    digest_buffer(tar.buf, tar.len, diff_id);
    size_t half = tar.len / 2 + 7;
    struct blob one = gzip_member(tar.buf, tar.len);
    struct blob a = gzip_member(tar.buf, half), b = gzip_member(tar.buf + half, tar.len - half);
    struct blob two = {0}, trailing = {0}, bad = {0};
    blob_append(&two, a.buf, a.len);
    blob_append(&two, b.buf, b.len);
    blob_append(&trailing, one.buf, one.len);
    blob_append(&trailing, "\0\0\0\0not gzip", 12);
    blob_append(&bad, one.buf, one.len);
    bad.buf[bad.len - 6] ^= 0x5a; /* the CRC-32 */

    const struct blob *good[] = {&one, &two, &trailing};
    for (size_t i = 0; i < N(good); i++)
        for (size_t most = 0; most <= 1; most++) {
            struct mem m = {.b = good[i], .most = most};
            struct layer_source src = {mem_read, &m};
            struct layer_ingest_opts o = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK,
                                          .what = "test layer", .expect_diff_id = diff_id};
            struct layer_result r;
            struct error *err = NULL;
            if (layer_ingest(f->store, &src, &o, &r, &err) < 0)
                fail_msg("stream %zu (%s): %s", i, most ? "a byte a read" : "whole", err->msg);
            assert_int_equal(r.compression, COMPRESSION_GZIP);
            assert_int_equal(r.size, good[i]->len);
            assert_int_equal(r.tar_size, tar.len);
            cleanup_free char *p = layer_file(f, &r, "d/text");
            struct stat st;
            assert_int_equal(stat(p, &st), 0);
            assert_int_equal(st.st_size, 19);
        }

    struct layer_result r;
    struct error *err = NULL;
    assert_true(ingest(f, &bad, 0, NULL, &r, &err) < 0);
    if (strstr(err->msg, "CRC-32") == NULL || strstr(err->msg, "test layer") == NULL)
        fail_msg("error `%s` does not name the layer and the CRC", err->msg);
    error_free(err);
    struct blob *all[] = {&tar, &one, &a, &b, &two, &trailing, &bad};
    for (size_t i = 0; i < N(all); i++)
        free(all[i]->buf);
}

static void test_tmp_sweep(void **state)
{
    struct fixture *f = *state;
    char *name = NULL;
    int fd = -1;
    struct error *err = NULL;
    assert_int_equal(store_tmp_new(f->store, &name, &fd, &err), 0);
    char p[160];
    snprintf(p, sizeof(p), "%s/tmp", f->root);
    store_tmp_sweep(f->store);
    assert_int_equal(count_entries(p), 1); /* held: kept */
    close(fd);                             /* as if its owner was killed */
    store_tmp_sweep(f->store);
    assert_int_equal(count_entries(p), 0);
    free(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traversal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_then_write_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hardlink_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlay_xattrs_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_digests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_layer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xz_keeps_the_tar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmp_sweep, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
