/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of util/dl, image/libcurl, image/libarchive and image/libcrypto: libraries loaded on
 * first use, and the errors when they cannot be. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/digest.h"
#include "image/libarchive.h"
#include "image/libcrypto.h"
#include "image/libcurl.h"
#include "image/registry.h"
#include "util/dl.h"

#define NO_SUCH_LIB "libcabin-test-no-such.so.0"

static void says(const struct error *err, const char *what)
{
    assert_non_null(err);
    if (strstr(err->msg, what) == NULL)
        fail_msg("error `%s` does not say `%s`", err->msg, what);
}

/* A library that is not there: the error names it and its purpose; the
 * stubs' quiet path says no; nothing is kept, so a later load can work. */
static void test_missing_library(void **state)
{
    (void) state;
    static const char *const names[] = {"strlen"};
    static void *slots[1];
    static struct dl_lib lib = DL_LIB_INIT(NO_SUCH_LIB, "to test", names, slots);
    struct error *err = NULL;
    assert_int_equal(dl_lib_load(&lib, &err), -ENOENT);
    says(err, "loading " NO_SUCH_LIB " (cabin needs it to test): ");
    says(err, NO_SUCH_LIB ": cannot open shared object file");
    error_free(err);
    assert_false(dl_lib_ready(&lib));
    assert_null(slots[0]);
    assert_int_equal(dl_lib_set_soname(&lib, "libc.so.6"), 0);
    err = NULL;
    assert_int_equal(dl_lib_load(&lib, &err), 0);
    assert_null(err);
    assert_true(dl_lib_ready(&lib));
    assert_int_equal(((size_t(*)(const char *)) slots[0])("abc"), 3);
    assert_int_equal(dl_lib_set_soname(&lib, NO_SUCH_LIB), -EBUSY);
}

/* A library without one of the functions: the error names the function,
 * and none of the slots is left filled. */
static void test_missing_function(void **state)
{
    (void) state;
    static const char *const names[] = {"strlen", "cabin_test_no_such_function"};
    static void *slots[2];
    static struct dl_lib lib = DL_LIB_INIT("libc.so.6", "to test", names, slots);
    struct error *err = NULL;
    assert_int_equal(dl_lib_load(&lib, &err), -ENOSYS);
    says(err, "loading libc.so.6 (cabin needs it to test): it has no cabin_test_no_such_function");
    error_free(err);
    assert_null(slots[0]);
    assert_false(dl_lib_ready(&lib));
}

/* libcurl under a name that does not exist: registry_open fails with an
 * error naming it, and libcurl's functions fail the way libcurl does;
 * under its real name it loads and works, and cannot be renamed after. */
static void test_libcurl(void **state)
{
    (void) state;
    assert_int_equal(libcurl_set_soname(NO_SUCH_LIB), 0);
    struct error *err = NULL;
    assert_true(libcurl_load(&err) < 0);
    says(err, "loading " NO_SUCH_LIB " (cabin needs it to reach registries)");
    error_free(err);
    err = NULL;
    struct registry *r = NULL;
    assert_true(registry_open("127.0.0.1:9", NULL, &r, &err) < 0);
    assert_null(r);
    says(err, "opening registry `127.0.0.1:9`: loading " NO_SUCH_LIB);
    error_free(err);
    assert_null(curl_easy_init());
    assert_null(curl_slist_append(NULL, "x: y"));
    assert_int_equal(curl_easy_setopt(NULL, CURLOPT_VERBOSE, 0L), CURLE_FAILED_INIT);
    assert_string_equal(curl_easy_strerror(CURLE_OK), "libcurl could not be loaded");

    assert_int_equal(libcurl_set_soname(LIBCURL_SONAME), 0);
    err = NULL;
    if (libcurl_load(&err) < 0)
        fail_msg("%s", err->msg);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    /* One option of each type the forwarding reads: long, pointer,
     * function pointer, curl_off_t. */
    assert_int_equal(curl_easy_setopt(h, CURLOPT_VERBOSE, 0L), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, "http://127.0.0.1:9/"), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, NULL), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) 1 << 40),
                     CURLE_OK);
    char *url = NULL;
    assert_int_equal(curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url), CURLE_OK);
    assert_string_equal(url, "http://127.0.0.1:9/");
    curl_easy_cleanup(h);
    CURLSH *sh = curl_share_init();
    assert_non_null(sh);
    assert_int_equal(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS), CURLSHE_OK);
    assert_int_equal(curl_share_cleanup(sh), CURLSHE_OK);
    CURLM *m = curl_multi_init();
    assert_non_null(m);
    assert_int_equal(curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 4L), CURLM_OK);
    assert_int_equal(curl_multi_cleanup(m), CURLM_OK);
    assert_int_equal(libcurl_set_soname(NO_SUCH_LIB), -EBUSY);
}

/* libarchive under a name that does not exist, then its own: a tar
 * written and read back through the stubs, and archive_set_error's
 * message formatted on the way. */
static void test_libarchive(void **state)
{
    (void) state;
    assert_int_equal(libarchive_set_soname(NO_SUCH_LIB), 0);
    struct error *err = NULL;
    assert_true(libarchive_load(&err) < 0);
    says(err, "loading " NO_SUCH_LIB " (cabin needs it to read and write tar archives)");
    error_free(err);
    assert_null(archive_read_new());
    assert_null(archive_write_new());
    assert_null(archive_entry_new());

    assert_int_equal(libarchive_set_soname(LIBARCHIVE_SONAME), 0);
    err = NULL;
    if (libarchive_load(&err) < 0)
        fail_msg("%s", err->msg);
    FILE *f = tmpfile();
    assert_non_null(f);
    struct archive *w = archive_write_new();
    assert_non_null(w);
    assert_int_equal(archive_write_set_format_pax_restricted(w), ARCHIVE_OK);
    assert_int_equal(archive_write_open_fd(w, fileno(f)), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "etc/hello");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 5);
    archive_entry_set_mtime(e, 1700000000, 0);
    assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(w, "hello", 5), 5);
    archive_entry_free(e);
    assert_int_equal(archive_write_close(w), ARCHIVE_OK);
    assert_int_equal(archive_write_free(w), ARCHIVE_OK);

    rewind(f);
    struct archive *r = archive_read_new();
    assert_non_null(r);
    assert_int_equal(archive_read_support_format_tar(r), ARCHIVE_OK);
    assert_int_equal(archive_read_open_fd(r, fileno(f), 10240), ARCHIVE_OK);
    struct archive_entry *got = NULL;
    assert_int_equal(archive_read_next_header(r, &got), ARCHIVE_OK);
    assert_string_equal(archive_entry_pathname(got), "etc/hello");
    assert_int_equal(archive_entry_size(got), 5);
    assert_int_equal(archive_entry_perm(got), 0644);
    assert_int_equal(archive_entry_mtime(got), 1700000000);
    char buf[8] = {0};
    assert_int_equal(archive_read_data(r, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(archive_read_next_header(r, &got), ARCHIVE_EOF);
    archive_set_error(r, EINVAL, "member `%s` is %d bytes too long", "etc/hello", 42);
    assert_string_equal(archive_error_string(r), "member `etc/hello` is 42 bytes too long");
    assert_int_equal(archive_read_free(r), ARCHIVE_OK);
    fclose(f);
    assert_int_equal(libarchive_set_soname(NO_SUCH_LIB), -EBUSY);
}

/* libcrypto missing: a digester cannot be made (the error names it), but
 * digest_buffer works all the same (util/sha256.c); with it, large buffers
 * and streams go through it and give the same digests. */
static void test_libcrypto(void **state)
{
    (void) state;
    char small[DIGEST_BUF], big_soft[DIGEST_BUF], big[DIGEST_BUF], streamed[DIGEST_BUF];
    size_t n = 1u << 20; /* above digest.c's SMALL_BUFFER */
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char) (i * 7 + i / 251);

    assert_int_equal(libcrypto_set_soname(NO_SUCH_LIB), 0);
    struct error *err = NULL;
    struct digester *d = NULL;
    assert_true(digester_new(&d, &err) < 0);
    assert_null(d);
    says(err, "loading " NO_SUCH_LIB " (cabin needs it to hash layers and archives)");
    error_free(err);
    digest_buffer("abc", 3, small);
    assert_string_equal(small,
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    digest_buffer(buf, n, big_soft);

    assert_int_equal(libcrypto_set_soname(LIBCRYPTO_SONAME), 0);
    err = NULL;
    if (digester_new(&d, &err) < 0)
        fail_msg("%s", err->msg);
    for (size_t off = 0; off < n; off += 4093)
        digester_update(d, buf + off, n - off < 4093 ? n - off : 4093);
    assert_int_equal(digester_bytes(d), n);
    digester_final(d, streamed);
    digester_free(d);
    digest_buffer(buf, n, big);
    assert_string_equal(big, big_soft);
    assert_string_equal(streamed, big_soft);
    assert_int_equal(libcrypto_set_soname(NO_SUCH_LIB), -EBUSY);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_library), cmocka_unit_test(test_missing_function),
        cmocka_unit_test(test_libcurl),         cmocka_unit_test(test_libarchive),
        cmocka_unit_test(test_libcrypto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
