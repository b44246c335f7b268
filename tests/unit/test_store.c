/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of image/store (records, lookups, blobs) and image/gc. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/gc.h"
#include "image/store.h"
#include "util/fs.h"

#define ID1 "sha256:aaaa111111111111111111111111111111111111111111111111111111111111"
#define ID2 "sha256:aaab222222222222222222222222222222222222222222222222222222222222"
#define M1  "sha256:cccc111111111111111111111111111111111111111111111111111111111111"

struct fx {
    char dir[64];
    struct store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cabin-test-store.XXXXXX");
    if (mkdtemp(f->dir) == NULL || store_open(f->dir, &f->s, NULL) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_free(f->s);
    int fd = open("/tmp", O_PATH | O_DIRECTORY);
    fs_remove_tree(fd, f->dir + 5, NULL);
    close(fd);
    free(f);
    return 0;
}

static int add_two(struct image_db *db, void *opaque, struct error **err)
{
    struct image_record *a = image_db_add(db, ID1);
    image_record_add_manifest(a, M1);
    image_record_add_name(a, "docker.io/library/busybox:latest");
    image_record_add_name(a, "example.com/x:1");
    image_record_add_digest(a, "example.com/x@" M1);
    struct image_record *b = image_db_add(db, ID2);
    image_record_add_manifest(b, M1);
    return 0;
}

static void expect_find(const struct image_db *db, const char *what, size_t want)
{
    size_t i = 99;
    struct error *err = NULL;
    if (image_db_find(db, what, &i, &err) < 0)
        fail_msg("`%s`: %s", what, err->msg);
    if (i != want)
        fail_msg("`%s` found %zu, want %zu", what, i, want);
}

static void expect_missing(const struct image_db *db, const char *what, const char *msg)
{
    size_t i;
    struct error *err = NULL;
    assert_true(image_db_find(db, what, &i, &err) < 0);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("`%s`: `%s` does not say `%s`", what, err->msg, msg);
    error_free(err);
}

static void test_records(void **state)
{
    struct fx *f = *state;
    struct error *err = NULL;
    assert_int_equal(store_images_update(f->s, add_two, NULL, &err), 0);
    struct image_db *db = NULL;
    assert_int_equal(store_images_read(f->s, &db, &err), 0);
    assert_int_equal(db->n, 2);
    expect_find(db, "busybox", 0);
    expect_find(db, "busybox:latest", 0);
    expect_find(db, "docker.io/library/busybox", 0);
    expect_find(db, "example.com/x:1", 0);
    expect_find(db, "example.com/x@" M1, 0);
    expect_find(db, ID1, 0);
    expect_find(db, ID2 + 7, 1);
    expect_find(db, "aaab", 1);
    expect_find(db, "sha256:aaab2", 1);
    expect_missing(db, "aaa", "ambiguous");
    expect_missing(db, "busybox:2", "image not known");
    expect_missing(db, "example.com/y@" M1, "image not known");
    expect_missing(db, "Bad", "lowercase");
    /* A tag names one image: untag takes it off the others. */
    assert_int_equal(image_db_untag(db, "example.com/x:1", &db->images[1]), 1);
    assert_false(image_record_has_name(&db->images[0], "example.com/x:1"));
    image_db_remove(db, 0);
    assert_int_equal(db->n, 1);
    image_db_free(db);
}

static void test_blobs(void **state)
{
    struct fx *f = *state;
    char d[DIGEST_BUF];
    struct error *err = NULL;
    assert_int_equal(store_blob_put(f->s, "hello", 5, d, &err), 0);
    assert_true(store_has_blob(f->s, d));
    assert_int_equal(store_blob_size(f->s, d), 5);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_read(f->s, d, 100, &buf, &len, &err), 0);
    assert_int_equal(len, 5);
    free(buf);
    /* Corrupt it on disk: reading says so. */
    char p[256];
    snprintf(p, sizeof(p), "%s/blobs/sha256/%s", f->dir, digest_hex(d));
    FILE *fp = fopen(p, "w");
    fputs("HELLO", fp);
    fclose(fp);
    assert_true(store_blob_read(f->s, d, 100, &buf, &len, &err) < 0);
    assert_non_null(strstr(err->msg, "corrupt"));
    error_free(err);
}

static void test_gc_locking(void **state)
{
    struct fx *f = *state;
    struct error *err = NULL;
    char d[DIGEST_BUF];
    assert_int_equal(store_blob_put(f->s, "orphan", 6, d, &err), 0);
    /* A writer holds the gc lock: a collection that may not wait skips. */
    int held = -1;
    assert_int_equal(store_lock_gc(f->s, LOCK_SH, &held, &err), 0);
    assert_int_equal(image_gc(f->s, false, NULL, NULL, NULL, &err), 1);
    assert_true(store_has_blob(f->s, d));
    close(held);
    struct gc_stats st;
    assert_int_equal(image_gc(f->s, false, NULL, NULL, &st, &err), 0);
    assert_false(store_has_blob(f->s, d));
    assert_int_equal(st.blobs, 1);
    assert_int_equal(st.bytes, 6);
}

static int add_broken(struct image_db *db, void *opaque, struct error **err)
{
    struct image_record *a = image_db_add(db, ID1);
    image_record_add_manifest(a, M1); /* a manifest that is not there */
    return 0;
}

static void test_gc_refuses_unreadable_records(void **state)
{
    struct fx *f = *state;
    struct error *err = NULL;
    char d[DIGEST_BUF];
    assert_int_equal(store_blob_put(f->s, "keep me", 7, d, &err), 0);
    assert_int_equal(store_images_update(f->s, add_broken, NULL, &err), 0);
    assert_true(image_gc(f->s, true, NULL, NULL, NULL, &err) < 0);
    assert_non_null(strstr(err->msg, "nothing was removed"));
    error_free(err);
    assert_true(store_has_blob(f->s, d));
}

static bool tmp_has(const struct fx *f, const char *name)
{
    char p[160];
    struct stat st;
    snprintf(p, sizeof(p), "%s/tmp/%s", f->dir, name);
    return stat(p, &st) == 0;
}

static void tmp_mkdir(const struct fx *f, const char *name)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/tmp/%s", f->dir, name);
    assert_int_equal(mkdir(p, 0700), 0);
}

/* The sweep takes what killed makers left (unlocked scratch dirs, hidden
 * ones whose maker is gone) and nothing a live maker holds. */
static void test_tmp_sweep(void **state)
{
    struct fx *f = *state;
    struct error *err = NULL;
    char *live = NULL;
    int livefd = -1;
    assert_int_equal(store_tmp_new(f->s, &live, &livefd, &err), 0);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    char dead_hidden[64], live_hidden[64];
    snprintf(dead_hidden, sizeof(dead_hidden), ".%ld-DEADMAKER", (long) child);
    snprintf(live_hidden, sizeof(live_hidden), ".%ld-LIVEMAKER", (long) getpid());
    tmp_mkdir(f, dead_hidden);
    tmp_mkdir(f, live_hidden);
    tmp_mkdir(f, ".NOPIDRECENT");
    tmp_mkdir(f, "UNLOCKED");
    store_tmp_sweep(f->s);
    assert_true(tmp_has(f, live));
    assert_true(tmp_has(f, live_hidden));
    assert_true(tmp_has(f, ".NOPIDRECENT"));
    assert_false(tmp_has(f, dead_hidden));
    assert_false(tmp_has(f, "UNLOCKED"));
    store_tmp_remove(f->s, live, livefd);
    free(live);
}

static void test_time(void **state)
{
    assert_int_equal(image_time_parse("1970-01-01T00:01:00Z"), 60);
    assert_int_equal(image_time_parse("1970-01-01T01:00:00.123456789+01:00"), 0);
    assert_int_equal(image_time_parse("nonsense"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc_locking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc_refuses_unreadable_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmp_sweep, setup, teardown),
        cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
