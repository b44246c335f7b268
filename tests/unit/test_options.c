/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of cli/options: options_parse() and options_parse_uint(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/options.h"
#include "util/strv.h"

struct opts {
    const char *name;
    const char *root;
    bool all;
    bool detach;
    unsigned int count;
    char **env;
};

static const struct option_def defs[] = {
    OPTION_STRING("name", 'n', struct opts, name, "NAME", "a name"),
    OPTION_STRING("root", 0, struct opts, root, "PATH", "the root"),
    OPTION_BOOL("all", 'a', struct opts, all, "everything"),
    OPTION_BOOL("detach", 'd', struct opts, detach, "detach"),
    OPTION_UINT("count", 'c', struct opts, count, "N", "how many"),
    OPTION_STRLIST("env", 'e', struct opts, env, "VAR", "an environment variable"),
    OPTION_END,
};

#define ARGC(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* Parse argv from index 1 (argv[0] is the command name). */
static int parse(struct opts *o, int argc, const char **argv, int *index, struct error **err)
{
    memset(o, 0, sizeof(*o));
    *index = 1;
    return options_parse(defs, o, argc, (char **) argv, index, err);
}

static void test_long_value_forms(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;

    const char *a1[] = {"cmd", "--name", "value", "pos"};
    assert_int_equal(parse(&o, ARGC(a1), a1, &idx, &err), 0);
    assert_null(err);
    assert_string_equal(o.name, "value");
    assert_int_equal(idx, 3);

    const char *a2[] = {"cmd", "--name=value", "pos"};
    assert_int_equal(parse(&o, ARGC(a2), a2, &idx, &err), 0);
    assert_string_equal(o.name, "value");
    assert_int_equal(idx, 2);

    /* Go style: a long option with one dash. */
    const char *a3[] = {"cmd", "-name", "value", "pos"};
    assert_int_equal(parse(&o, ARGC(a3), a3, &idx, &err), 0);
    assert_string_equal(o.name, "value");
    assert_int_equal(idx, 3);

    const char *a4[] = {"cmd", "-root=/r", "pos"};
    assert_int_equal(parse(&o, ARGC(a4), a4, &idx, &err), 0);
    assert_string_equal(o.root, "/r");
    assert_int_equal(idx, 2);

    /* A value with '=' in it: only the first one splits. */
    const char *a5[] = {"cmd", "--name=a=b"};
    assert_int_equal(parse(&o, ARGC(a5), a5, &idx, &err), 0);
    assert_string_equal(o.name, "a=b");
    assert_int_equal(idx, 2);

    /* An empty value is a value. */
    const char *a6[] = {"cmd", "--name="};
    assert_int_equal(parse(&o, ARGC(a6), a6, &idx, &err), 0);
    assert_string_equal(o.name, "");
    assert_null(err);
}

static void test_short(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"cmd", "-n", "value", "-a", "-c", "7", "pos"};
    assert_int_equal(parse(&o, ARGC(a1), a1, &idx, &err), 0);
    assert_null(err);
    assert_string_equal(o.name, "value");
    assert_true(o.all);
    assert_int_equal(o.count, 7);
    assert_int_equal(idx, 6);

    const char *a2[] = {"cmd", "-n=v"};
    assert_int_equal(parse(&o, ARGC(a2), a2, &idx, &err), 0);
    assert_string_equal(o.name, "v");
}

static void test_bool(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;

    const char *a1[] = {"cmd", "--all", "pos"};
    assert_int_equal(parse(&o, ARGC(a1), a1, &idx, &err), 0);
    assert_true(o.all);
    assert_int_equal(idx, 2); /* a bool never takes the next argument */

    const char *a2[] = {"cmd", "--all", "--all=false"};
    assert_int_equal(parse(&o, ARGC(a2), a2, &idx, &err), 0);
    assert_false(o.all);

    const char *a3[] = {"cmd", "--all=true", "-detach=1"};
    assert_int_equal(parse(&o, ARGC(a3), a3, &idx, &err), 0);
    assert_true(o.all);
    assert_true(o.detach);

    const char *a4[] = {"cmd", "--all=0"};
    assert_int_equal(parse(&o, ARGC(a4), a4, &idx, &err), 0);
    assert_false(o.all);
    assert_null(err);
}

static void test_bad_bool(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a[] = {"cmd", "--all=maybe"};
    int r = parse(&o, ARGC(a), a, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(err);
    assert_int_equal(r, -err->code);
    assert_non_null(strstr(err->msg, "all"));
    assert_non_null(strstr(err->msg, "maybe"));
    error_free(err);
}

static void test_unknown(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"cmd", "--bogus", "x"};
    int r = parse(&o, ARGC(a1), a1, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err->msg, "--bogus"));
    error_free(err);
    err = NULL;

    const char *a2[] = {"cmd", "--bogus=1"};
    r = parse(&o, ARGC(a2), a2, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err->msg, "--bogus"));
    assert_null(strstr(err->msg, "=1"));
    error_free(err);
    err = NULL;

    const char *a3[] = {"cmd", "-z"};
    r = parse(&o, ARGC(a3), a3, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err->msg, "-z"));
    error_free(err);
    err = NULL;

    /* A short name is not a long name: --n is unknown. */
    const char *a4[] = {"cmd", "--n", "v"};
    r = parse(&o, ARGC(a4), a4, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err->msg, "--n"));
    error_free(err);
}

static void test_missing_value(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a[] = {"cmd", "--name"};
    int r = parse(&o, ARGC(a), a, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err->msg, "name"));
    error_free(err);
    err = NULL;

    const char *b[] = {"cmd", "-c"};
    r = parse(&o, ARGC(b), b, &idx, &err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err->msg, "count"));
    error_free(err);
}

static void test_stops(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;

    /* At the first positional argument; later options belong to it. */
    const char *a1[] = {"cmd", "-a", "id", "--name", "x"};
    assert_int_equal(parse(&o, ARGC(a1), a1, &idx, &err), 0);
    assert_true(o.all);
    assert_null(o.name);
    assert_int_equal(idx, 2);

    /* After "--", which is consumed. */
    const char *a2[] = {"cmd", "-a", "--", "--name", "x"};
    assert_int_equal(parse(&o, ARGC(a2), a2, &idx, &err), 0);
    assert_true(o.all);
    assert_null(o.name);
    assert_int_equal(idx, 3);

    /* A lone "-" is a positional argument (stdin). */
    const char *a3[] = {"cmd", "-", "-a"};
    assert_int_equal(parse(&o, ARGC(a3), a3, &idx, &err), 0);
    assert_false(o.all);
    assert_int_equal(idx, 1);

    /* No arguments at all. */
    const char *a4[] = {"cmd"};
    assert_int_equal(parse(&o, ARGC(a4), a4, &idx, &err), 0);
    assert_int_equal(idx, 1);

    /* Only options. */
    const char *a5[] = {"cmd", "-a", "-d"};
    assert_int_equal(parse(&o, ARGC(a5), a5, &idx, &err), 0);
    assert_int_equal(idx, 3);
    assert_null(err);
}

static void test_help(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"cmd", "-a", "-h", "--bogus"};
    assert_int_equal(parse(&o, ARGC(a1), a1, &idx, &err), OPTIONS_HELP);
    assert_null(err);
    const char *a2[] = {"cmd", "--help"};
    assert_int_equal(parse(&o, ARGC(a2), a2, &idx, &err), OPTIONS_HELP);
    assert_null(err);
}

static void test_uint_option(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;

    const char *ok[] = {"cmd", "--count", "4294967295"};
    assert_int_equal(parse(&o, ARGC(ok), ok, &idx, &err), 0);
    assert_int_equal(o.count, 4294967295u);

    const char *bad[] = {"-1", "1x", "",    "4294967296", "99999999999999999999999",
                         " 1", "+1", "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *a[] = {"cmd", "--count", bad[i]};
        int r = parse(&o, ARGC(a), a, &idx, &err);
        if (r >= 0)
            print_error("--count `%s` was accepted as %u\n", bad[i], o.count);
        assert_true(r < 0);
        assert_non_null(err);
        assert_int_equal(r, -err->code);
        assert_non_null(strstr(err->msg, "count"));
        error_free(err);
        err = NULL;
    }
}

static void test_strlist(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a[] = {"cmd", "--env", "A=1", "-e", "B=2", "--env=C=3", "-env", "D=4", "pos"};
    assert_int_equal(parse(&o, ARGC(a), a, &idx, &err), 0);
    assert_int_equal(idx, 8);
    assert_int_equal(strv_length(o.env), 4);
    assert_string_equal(o.env[0], "A=1");
    assert_string_equal(o.env[1], "B=2");
    assert_string_equal(o.env[2], "C=3");
    assert_string_equal(o.env[3], "D=4");
    assert_null(o.env[4]);
    strv_free(o.env);
}

static void test_index_start(void **state)
{
    /* Parsing starts at *index, not at 1. */
    struct opts o;
    memset(&o, 0, sizeof(o));
    struct error *err = NULL;
    const char *a[] = {"cabin", "run", "-d", "--name", "x", "id"};
    int idx = 2;
    assert_int_equal(options_parse(defs, &o, ARGC(a), (char **) a, &idx, &err), 0);
    assert_true(o.detach);
    assert_string_equal(o.name, "x");
    assert_int_equal(idx, 5);
}

static void test_parse_uint(void **state)
{
    unsigned long long v = 12345;
    assert_int_equal(options_parse_uint("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(options_parse_uint("10", 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(options_parse_uint("007", 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(options_parse_uint("18446744073709551615", ~0ULL, &v), 0);
    assert_true(v == ~0ULL);

    v = 42;
    const char *bad[] = {
        "-1", "1x", "", " 1", "+1", "0x1", "1 ", "18446744073709551616", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = options_parse_uint(bad[i], ~0ULL, &v);
        if (r == 0)
            print_error("options_parse_uint(\"%s\") accepted\n", bad[i]);
        assert_true(r < 0);
        assert_int_equal(v, 42); /* untouched */
    }
    assert_true(options_parse_uint("11", 10, &v) < 0);
    assert_true(options_parse_uint(NULL, 10, &v) < 0);
    assert_int_equal(v, 42);
}

static void test_print_help(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    options_print_help(f, "cmd [options] ID", "Does things.", defs);
    fclose(f);
    assert_non_null(strstr(buf, "Usage: cmd [options] ID"));
    assert_non_null(strstr(buf, "-n, --name NAME"));
    assert_non_null(strstr(buf, "--root PATH"));
    assert_non_null(strstr(buf, "-a, --all"));
    assert_non_null(strstr(buf, "the root"));
    free(buf);
}

/* ---- docker style ---- */

static int dparse(struct opts *o, int argc, const char **argv, int *index, unsigned flags,
                  struct error **err)
{
    memset(o, 0, sizeof(*o));
    *index = 1;
    return options_parse_docker(defs, o, argc, (char **) argv, index, flags, err);
}

static void test_docker_combined_short(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"run", "-ad", "image", "sh"};
    assert_int_equal(dparse(&o, ARGC(a1), a1, &idx, OPTIONS_STOP_AT_POSITIONAL, &err), 0);
    assert_true(o.all);
    assert_true(o.detach);
    assert_int_equal(idx, 2);

    /* The last of a group takes a value: attached, with '=', or next. */
    const char *a2[] = {"run", "-daeK=V", "-e=A=B", "-de", "C=D", "img"};
    assert_int_equal(dparse(&o, ARGC(a2), a2, &idx, OPTIONS_STOP_AT_POSITIONAL, &err), 0);
    assert_int_equal(strv_length(o.env), 3);
    assert_string_equal(o.env[0], "K=V");
    assert_string_equal(o.env[1], "A=B");
    assert_string_equal(o.env[2], "C=D");
    assert_string_equal(a2[idx], "img");
    strv_free(o.env);

    const char *a3[] = {"run", "-dx"};
    assert_true(dparse(&o, ARGC(a3), a3, &idx, 0, &err) < 0);
    assert_non_null(strstr(err->msg, "'x'"));
    error_free(err);
    err = NULL;

    const char *a4[] = {"run", "-de"};
    assert_true(dparse(&o, ARGC(a4), a4, &idx, 0, &err) < 0);
    assert_non_null(strstr(err->msg, "needs an argument"));
    error_free(err);
}

static void test_docker_long(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"run", "--env=K=V", "--env", "A=B", "--all=false", "--detach", "img"};
    assert_int_equal(dparse(&o, ARGC(a1), a1, &idx, OPTIONS_STOP_AT_POSITIONAL, &err), 0);
    assert_int_equal(strv_length(o.env), 2);
    assert_string_equal(o.env[0], "K=V");
    assert_false(o.all);
    assert_true(o.detach);
    assert_int_equal(idx, 6);
    strv_free(o.env);

    /* Single-dash long names are runc's, not docker's: -root is -r -o... */
    const char *a2[] = {"cmd", "-root", "x"};
    assert_true(dparse(&o, ARGC(a2), a2, &idx, 0, &err) < 0);
    assert_non_null(strstr(err->msg, "unknown shorthand flag: 'r'"));
    error_free(err);
    err = NULL;

    const char *a3[] = {"cmd", "--nope"};
    assert_true(dparse(&o, ARGC(a3), a3, &idx, 0, &err) < 0);
    assert_string_equal(err->msg, "unknown flag: --nope");
    error_free(err);
    err = NULL;

    const char *a4[] = {"cmd", "--count", "12x"};
    assert_true(dparse(&o, ARGC(a4), a4, &idx, 0, &err) < 0);
    error_free(err);
}

static void test_docker_stop_and_permute(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    /* run: what follows the image is the container's command. */
    const char *a1[] = {"run", "-d", "img", "sh", "-c", "--all"};
    assert_int_equal(dparse(&o, ARGC(a1), a1, &idx, OPTIONS_STOP_AT_POSITIONAL, &err), 0);
    assert_false(o.all);
    assert_int_equal(idx, 2);

    /* Elsewhere options may follow positionals; positionals end up in order. */
    const char *a2[] = {"rmi", "a", "-d", "b", "--count=3", "c", "--", "-x"};
    assert_int_equal(dparse(&o, ARGC(a2), a2, &idx, 0, &err), 0);
    assert_true(o.detach);
    assert_int_equal(o.count, 3);
    assert_int_equal(ARGC(a2) - idx, 4);
    assert_string_equal(a2[idx], "a");
    assert_string_equal(a2[idx + 1], "b");
    assert_string_equal(a2[idx + 2], "c");
    assert_string_equal(a2[idx + 3], "-x");

    /* "-" alone is a positional (stdin). */
    const char *a3[] = {"import", "-", "name"};
    assert_int_equal(dparse(&o, ARGC(a3), a3, &idx, 0, &err), 0);
    assert_int_equal(idx, 1);
    assert_string_equal(a3[idx], "-");
}

static void test_docker_help(void **state)
{
    struct opts o;
    struct error *err = NULL;
    int idx;
    const char *a1[] = {"cmd", "x", "--help"};
    assert_int_equal(dparse(&o, ARGC(a1), a1, &idx, 0, &err), OPTIONS_HELP);
    const char *a2[] = {"cmd", "-h"};
    assert_int_equal(dparse(&o, ARGC(a2), a2, &idx, 0, &err), OPTIONS_HELP);
    assert_null(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_value_forms),
        cmocka_unit_test(test_short),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_bad_bool),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_stops),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_uint_option),
        cmocka_unit_test(test_strlist),
        cmocka_unit_test(test_index_start),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_print_help),
        cmocka_unit_test(test_docker_combined_short),
        cmocka_unit_test(test_docker_long),
        cmocka_unit_test(test_docker_stop_and_permute),
        cmocka_unit_test(test_docker_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
