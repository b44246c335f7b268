/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of util/error: message composition, codes, wrap and free. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/error.h"

static void test_new_message_and_code(void **state)
{
    struct error *err = NULL;
    int r = error_new(&err, ENOENT, "thing `%s` number %d", "x", 3);
    assert_int_equal(r, -ENOENT);
    assert_non_null(err);
    assert_int_equal(err->code, ENOENT);
    assert_string_equal(err->msg, "thing `x` number 3");
    assert_int_equal(error_code(err), ENOENT);
    error_free(err);
}

static void test_new_zero_is_einval(void **state)
{
    struct error *err = NULL;
    int r = error_new(&err, 0, "no code");
    assert_int_equal(r, -EINVAL);
    assert_int_equal(err->code, EINVAL);
    assert_string_equal(err->msg, "no code");
    error_free(err);
}

static void test_new_negative_is_einval(void **state)
{
    /* The code is "never 0" and an errno value: a negative one is not. */
    struct error *err = NULL;
    int r = error_new(&err, -5, "negative");
    assert_true(r < 0);
    assert_int_equal(r, -err->code);
    assert_true(err->code > 0);
    error_free(err);
}

static void test_new_replaces_existing(void **state)
{
    struct error *err = NULL;
    error_new(&err, EPERM, "first");
    int r = error_new(&err, EBUSY, "second");
    assert_int_equal(r, -EBUSY);
    assert_int_equal(err->code, EBUSY);
    assert_string_equal(err->msg, "second");
    error_free(err);
}

static void test_new_null_err(void **state)
{
    /* A caller that does not want the message may pass NULL. */
    assert_int_equal(error_new(NULL, EAGAIN, "ignored %d", 1), -EAGAIN);
    errno = EIO;
    assert_int_equal(error_errno(NULL, "ignored"), -EIO);
}

static void test_errno_appends_strerror(void **state)
{
    struct error *err = NULL;
    errno = EACCES;
    int r = error_errno(&err, "opening `%s`", "/x");
    assert_int_equal(r, -EACCES);
    assert_int_equal(err->code, EACCES);
    char want[256];
    snprintf(want, sizeof(want), "opening `/x`: %s", strerror(EACCES));
    assert_string_equal(err->msg, want);
    error_free(err);
}

static void test_errno_zero_is_einval(void **state)
{
    struct error *err = NULL;
    errno = 0;
    int r = error_errno(&err, "weird");
    assert_int_equal(r, -EINVAL);
    assert_int_equal(err->code, EINVAL);
    assert_non_null(strstr(err->msg, "weird"));
    error_free(err);
}

static void test_errnum_positive_and_negative(void **state)
{
    struct error *err = NULL;
    int r = error_errnum(&err, ENOSPC, "writing");
    assert_int_equal(r, -ENOSPC);
    char want[256];
    snprintf(want, sizeof(want), "writing: %s", strerror(ENOSPC));
    assert_string_equal(err->msg, want);

    /* A negative errno (as returned by library calls) is accepted too. */
    r = error_errnum(&err, -EROFS, "remounting");
    assert_int_equal(r, -EROFS);
    assert_int_equal(err->code, EROFS);
    snprintf(want, sizeof(want), "remounting: %s", strerror(EROFS));
    assert_string_equal(err->msg, want);
    error_free(err);
}

static void test_wrap_composes(void **state)
{
    struct error *err = NULL;
    errno = EPERM;
    error_errno(&err, "mounting `%s` on `%s`", "proc", "/proc");
    int r = error_wrap(&err, "creating container `%s`", "x");
    assert_int_equal(r, -EPERM);
    assert_int_equal(err->code, EPERM);
    char want[256];
    snprintf(want, sizeof(want), "creating container `x`: mounting `proc` on `/proc`: %s",
             strerror(EPERM));
    assert_string_equal(err->msg, want);

    r = error_wrap(&err, "run");
    assert_int_equal(r, -EPERM);
    assert_non_null(strstr(err->msg, "run: creating container `x`: mounting"));
    assert_int_equal(strncmp(err->msg, "run: ", 5), 0);
    error_free(err);
}

static void test_wrap_null_error(void **state)
{
    struct error *err = NULL;
    int r = error_wrap(&err, "context");
    assert_true(r < 0);
    assert_non_null(err);
    assert_int_equal(r, -err->code);
    assert_true(err->code != 0);
    assert_non_null(strstr(err->msg, "unknown error"));
    error_free(err);

    /* No place to put it at all. */
    assert_true(error_wrap(NULL, "context") < 0);
}

static void test_free_null(void **state)
{
    error_free(NULL);
    struct error *err = NULL;
    error_freep(&err);
    assert_null(err);
    assert_int_equal(error_code(NULL), 0);
}

static void test_freep_resets(void **state)
{
    struct error *err = NULL;
    error_new(&err, EIO, "x");
    error_freep(&err);
    assert_null(err);
}

static int fails_with_cleanup(int *seen_code)
{
    cleanup_error struct error *err = NULL;
    int r = error_new(&err, ETIMEDOUT, "inner");
    *seen_code = err->code;
    return r; /* err is freed here by the cleanup attribute (checked by valgrind/ASan) */
}

static void test_cleanup_attribute(void **state)
{
    int code = 0;
    assert_int_equal(fails_with_cleanup(&code), -ETIMEDOUT);
    assert_int_equal(code, ETIMEDOUT);

    /* A handed-over error is not freed by the cleanup. */
    struct error *out = NULL;
    {
        cleanup_error struct error *err = NULL;
        error_new(&err, ENOEXEC, "kept");
        out = err;
        err = NULL;
    }
    assert_non_null(out);
    assert_string_equal(out->msg, "kept");
    error_free(out);
}

static void test_long_message(void **state)
{
    char big[5000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct error *err = NULL;
    error_new(&err, E2BIG, "%s", big);
    error_wrap(&err, "%s", big);
    assert_int_equal(strlen(err->msg), 2 * (sizeof(big) - 1) + 2);
    error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_message_and_code),
        cmocka_unit_test(test_new_zero_is_einval),
        cmocka_unit_test(test_new_negative_is_einval),
        cmocka_unit_test(test_new_replaces_existing),
        cmocka_unit_test(test_new_null_err),
        cmocka_unit_test(test_errno_appends_strerror),
        cmocka_unit_test(test_errno_zero_is_einval),
        cmocka_unit_test(test_errnum_positive_and_negative),
        cmocka_unit_test(test_wrap_composes),
        cmocka_unit_test(test_wrap_null_error),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_freep_resets),
        cmocka_unit_test(test_cleanup_attribute),
        cmocka_unit_test(test_long_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
