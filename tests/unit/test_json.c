/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of util/json: loading with line/column, the json_get_* helpers. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/json.h"
#include "util/strv.h"

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL)
        print_error("bad test JSON: %s\n", je.text);
    assert_non_null(j);
    return j;
}

/* Expect r to be a failure with `code` whose message contains `needle`. */
static void expect_err(int r, struct error **err, int code, const char *needle)
{
    assert_true(r < 0);
    assert_non_null(*err);
    assert_int_equal(r, -(*err)->code);
    assert_int_equal((*err)->code, code);
    if (strstr((*err)->msg, needle) == NULL)
        print_error("message `%s` does not contain `%s`\n", (*err)->msg, needle);
    assert_non_null(strstr((*err)->msg, needle));
    error_free(*err);
    *err = NULL;
}

static void test_load_string_ok(void **state)
{
    json_t *j = NULL;
    struct error *err = NULL;
    assert_int_equal(json_load_string("{\"a\": [1, 2]}", "t", &j, &err), 0);
    assert_null(err);
    assert_true(json_is_object(j));
    json_decref(j);
}

static void test_load_string_line_column(void **state)
{
    json_t *j = (json_t *) 0x1;
    struct error *err = NULL;
    /* The '}' on line 3 is at column 8. */
    int r = json_load_string("{\n  \"a\": 1,\n  \"b\": }", "config.json", &j, &err);
    assert_true(r < 0);
    assert_ptr_equal(j, (json_t *) 0x1);
    assert_int_equal(r, -err->code);
    assert_non_null(strstr(err->msg, "config.json"));
    assert_non_null(strstr(err->msg, "line 3"));
    assert_non_null(strstr(err->msg, "column 8"));
    error_free(err);
    err = NULL;

    r = json_load_string("[1,\n2,\n  x]", "arr", &j, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "line 3, column 3"));
    error_free(err);
    err = NULL;

    r = json_load_string("{\"a\":1,}", "x", &j, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "line 1, column 8"));
    error_free(err);
}

static void test_load_string_rejects(void **state)
{
    json_t *j = NULL;
    struct error *err = NULL;
    expect_err(json_load_string("{\"a\":1, \"a\":2}", "dup", &j, &err), &err, EINVAL, "dup");
    expect_err(json_load_string("", "empty", &j, &err), &err, EINVAL, "empty");
    expect_err(json_load_string("{} trailing", "trail", &j, &err), &err, EINVAL, "trail");
    assert_null(j);
}

static void test_load_file_at(void **state)
{
    char dir[] = "/tmp/cabin-json-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dfd >= 0);

    int fd = openat(dfd, "bad.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *bad = "{\n\"ok\": true,\n\n    \"x\": tru\n}";
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t) strlen(bad));
    close(fd);
    fd = openat(dfd, "good.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_int_equal(write(fd, "[1]", 3), 3);
    close(fd);

    json_t *j = NULL;
    struct error *err = NULL;
    int r = json_load_file_at(dfd, "bad.json", 1 << 20, &j, &err);
    assert_true(r < 0);
    assert_null(j);
    assert_non_null(strstr(err->msg, "bad.json"));
    assert_non_null(strstr(err->msg, "line 4"));
    assert_non_null(strstr(err->msg, "column"));
    error_free(err);
    err = NULL;

    assert_int_equal(json_load_file_at(dfd, "good.json", 1 << 20, &j, &err), 0);
    assert_true(json_is_array(j));
    json_decref(j);
    j = NULL;

    /* A NUL byte does not end the document: what follows it is read. */
    fd = openat(dfd, "nul.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_int_equal(write(fd, "[1]\0garbage", 11), 11);
    close(fd);
    expect_err(json_load_file_at(dfd, "nul.json", 1 << 20, &j, &err), &err, EINVAL, "nul.json");
    assert_null(j);
    unlinkat(dfd, "nul.json", 0);

    /* Missing file: ENOENT naming it. */
    expect_err(json_load_file_at(dfd, "nope.json", 1 << 20, &j, &err), &err, ENOENT, "nope.json");
    assert_null(j);

    unlinkat(dfd, "bad.json", 0);
    unlinkat(dfd, "good.json", 0);
    close(dfd);
    assert_int_equal(rmdir(dir), 0);
}

static void test_type_names(void **state)
{
    json_t *j = parse("[{}, [], \"s\", 1, 1.5, true, false, null]");
    const char *want[] = {"object", "array",   "string",  "integer",
                          "number", "boolean", "boolean", "null"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(json_type_name(json_array_get(j, i)), want[i]);
    json_decref(j);
}

static void test_expect(void **state)
{
    json_t *j = parse("{\"o\": {}, \"b\": false, \"s\": \"x\"}");
    struct error *err = NULL;
    assert_int_equal(json_expect(json_object_get(j, "o"), JSON_OBJECT, "o", &err), 0);
    /* Either boolean type accepts both values. */
    assert_int_equal(json_expect(json_object_get(j, "b"), JSON_TRUE, "b", &err), 0);
    assert_int_equal(json_expect(json_object_get(j, "b"), JSON_FALSE, "b", &err), 0);
    assert_null(err);
    expect_err(json_expect(json_object_get(j, "s"), JSON_ARRAY, "linux.namespaces", &err), &err,
               EINVAL, "linux.namespaces: expected an array, got string");
    expect_err(json_expect(json_object_get(j, "o"), JSON_STRING, "x.y", &err), &err, EINVAL,
               "x.y: expected a string, got object");
    /* A missing member is an error, not a crash (found by fuzz_seccomp). */
    expect_err(json_expect(json_object_get(j, "none"), JSON_ARRAY, "rule.names", &err), &err,
               EINVAL, "rule.names: missing required field");
    json_decref(j);
}

static void test_get_string(void **state)
{
    json_t *j = parse("{\"s\": \"hi\", \"n\": 3, \"z\": null}");
    struct error *err = NULL;
    const char *s = "untouched";
    assert_int_equal(json_get_string(j, "s", "process", true, &s, &err), 0);
    assert_string_equal(s, "hi");

    s = "untouched";
    assert_int_equal(json_get_string(j, "missing", "process", false, &s, &err), 0);
    assert_string_equal(s, "untouched");
    assert_int_equal(json_get_string(j, "z", "process", false, &s, &err), 0);
    assert_string_equal(s, "untouched");
    assert_null(err);

    expect_err(json_get_string(j, "missing", "process", true, &s, &err), &err, EINVAL,
               "process.missing: missing required field");
    expect_err(json_get_string(j, "n", "process", true, &s, &err), &err, EINVAL,
               "process.n: expected a string, got integer");
    /* A top-level field has no leading dot. */
    expect_err(json_get_string(j, "n", "", true, &s, &err), &err, EINVAL, "n: expected a string");
    expect_err(json_get_string(j, "gone", "", true, &s, &err), &err, EINVAL,
               "gone: missing required field");
    assert_string_equal(s, "untouched");
    json_decref(j);
}

static void test_get_bool(void **state)
{
    json_t *j = parse("{\"t\": true, \"f\": false, \"s\": \"true\", \"i\": 1}");
    struct error *err = NULL;
    bool b = false;
    assert_int_equal(json_get_bool(j, "t", "root", &b, &err), 0);
    assert_true(b);
    assert_int_equal(json_get_bool(j, "f", "root", &b, &err), 0);
    assert_false(b);
    b = true;
    assert_int_equal(json_get_bool(j, "none", "root", &b, &err), 0);
    assert_true(b);
    expect_err(json_get_bool(j, "s", "root", &b, &err), &err, EINVAL,
               "root.s: expected a boolean, got string");
    expect_err(json_get_bool(j, "i", "root", &b, &err), &err, EINVAL,
               "root.i: expected a boolean, got integer");
    assert_true(b);
    json_decref(j);
}

static void test_get_int64(void **state)
{
    json_t *j = parse("{\"n\": -5, \"big\": 9223372036854775807, \"r\": 1.5, \"s\": \"1\"}");
    struct error *err = NULL;
    int64_t v = 77;
    assert_int_equal(json_get_int64(j, "n", "w", true, &v, &err), 0);
    assert_int_equal(v, -5);
    assert_int_equal(json_get_int64(j, "big", "w", true, &v, &err), 0);
    assert_true(v == INT64_MAX);
    v = 77;
    assert_int_equal(json_get_int64(j, "none", "w", false, &v, &err), 0);
    assert_int_equal(v, 77);
    expect_err(json_get_int64(j, "none", "w", true, &v, &err), &err, EINVAL,
               "w.none: missing required field");
    expect_err(json_get_int64(j, "r", "w", true, &v, &err), &err, EINVAL,
               "w.r: expected an integer, got number");
    expect_err(json_get_int64(j, "s", "w", true, &v, &err), &err, EINVAL,
               "w.s: expected an integer, got string");
    assert_int_equal(v, 77);
    json_decref(j);
}

static void test_get_uint64(void **state)
{
    json_t *j = parse("{\"uid\": 1000, \"neg\": -1, \"max\": 4294967295, \"over\": 4294967296,"
                      " \"s\": \"0\", \"zero\": 0}");
    struct error *err = NULL;
    uint64_t v = 99;
    assert_int_equal(json_get_uint64(j, "uid", "process.user", true, UINT32_MAX, &v, &err), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(json_get_uint64(j, "max", "process.user", true, UINT32_MAX, &v, &err), 0);
    assert_int_equal(v, 4294967295u);
    assert_int_equal(json_get_uint64(j, "zero", "process.user", true, 0, &v, &err), 0);
    assert_int_equal(v, 0);

    v = 99;
    assert_int_equal(json_get_uint64(j, "none", "process.user", false, 10, &v, &err), 0);
    assert_int_equal(v, 99);
    assert_null(err);

    expect_err(json_get_uint64(j, "s", "process.user", true, UINT32_MAX, &v, &err), &err, EINVAL,
               "process.user.s: expected an unsigned integer, got string");
    expect_err(json_get_uint64(j, "neg", "process.user", true, UINT32_MAX, &v, &err), &err, ERANGE,
               "process.user.neg: -1 is out of range");
    expect_err(json_get_uint64(j, "over", "process.user", true, UINT32_MAX, &v, &err), &err, ERANGE,
               "process.user.over: 4294967296 is out of range (0 to 4294967295)");
    expect_err(json_get_uint64(j, "uid", "x", true, 999, &v, &err), &err, ERANGE, "x.uid");
    expect_err(json_get_uint64(j, "none", "process.user", true, 10, &v, &err), &err, EINVAL,
               "process.user.none: missing required field");
    assert_int_equal(v, 99);
    json_decref(j);
}

static void test_get_strv(void **state)
{
    json_t *j = parse("{\"a\": [\"x\", \"y\"], \"e\": [], \"bad\": [\"x\", 2], \"s\": \"x\"}");
    struct error *err = NULL;
    char **v = NULL;
    assert_int_equal(json_get_strv(j, "a", "process", true, &v, &err), 0);
    assert_int_equal(strv_length(v), 2);
    assert_string_equal(v[0], "x");
    assert_string_equal(v[1], "y");
    assert_null(v[2]);

    /* A second get replaces (and frees) the first vector. */
    assert_int_equal(json_get_strv(j, "e", "process", true, &v, &err), 0);
    assert_non_null(v);
    assert_null(v[0]);

    char **keep = v;
    assert_int_equal(json_get_strv(j, "none", "process", false, &v, &err), 0);
    assert_ptr_equal(v, keep);
    expect_err(json_get_strv(j, "bad", "process", true, &v, &err), &err, EINVAL,
               "process.bad[1]: expected a string, got integer");
    assert_ptr_equal(v, keep);
    expect_err(json_get_strv(j, "s", "process", true, &v, &err), &err, EINVAL, "process.s");
    expect_err(json_get_strv(j, "none", "process", true, &v, &err), &err, EINVAL,
               "process.none: missing required field");
    assert_ptr_equal(v, keep);
    strv_free(v);
    json_decref(j);
}

static void test_write_file_at(void **state)
{
    char dir[] = "/tmp/cabin-json-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dfd >= 0);
    json_t *j = parse("{\"k\": [1, \"two\"]}");
    struct error *err = NULL;
    assert_int_equal(json_write_file_at(dfd, "out.json", j, JSON_COMPACT, 0600, &err), 0);
    json_t *back = NULL;
    assert_int_equal(json_load_file_at(dfd, "out.json", 4096, &back, &err), 0);
    assert_true(json_equal(j, back));
    struct stat st;
    assert_int_equal(fstatat(dfd, "out.json", &st, 0), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    json_decref(back);
    json_decref(j);
    unlinkat(dfd, "out.json", 0);
    close(dfd);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_string_ok),
        cmocka_unit_test(test_load_string_line_column),
        cmocka_unit_test(test_load_string_rejects),
        cmocka_unit_test(test_load_file_at),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_get_string),
        cmocka_unit_test(test_get_bool),
        cmocka_unit_test(test_get_int64),
        cmocka_unit_test(test_get_uint64),
        cmocka_unit_test(test_get_strv),
        cmocka_unit_test(test_write_file_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
