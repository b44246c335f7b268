/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of runtime/signals: signal_parse(). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/signals.h"

static int parse_ok(const char *s)
{
    struct error *err = NULL;
    int r = signal_parse(s, &err);
    if (r < 0)
        print_error("signal_parse(\"%s\"): %s\n", s, err ? err->msg : "(no error)");
    assert_null(err);
    return r;
}

static void check_bad(const char *s)
{
    struct error *err = NULL;
    int r = signal_parse(s, &err);
    if (r >= 0)
        print_error("signal_parse(\"%s\") = %d, expected an error\n", s, r);
    assert_true(r < 0);
    assert_non_null(err);
    assert_int_equal(r, -err->code);
    assert_int_equal(err->code, EINVAL);
    /* The message names the input. */
    char quoted[128];
    snprintf(quoted, sizeof(quoted), "`%s`", s);
    assert_non_null(strstr(err->msg, quoted));
    error_free(err);
}

static void test_names(void **state)
{
    assert_int_equal(parse_ok("TERM"), SIGTERM);
    assert_int_equal(parse_ok("SIGTERM"), SIGTERM);
    assert_int_equal(parse_ok("sigkill"), SIGKILL);
    assert_int_equal(parse_ok("kill"), SIGKILL);
    assert_int_equal(parse_ok("SigHup"), SIGHUP);
    assert_int_equal(parse_ok("USR1"), SIGUSR1);
    assert_int_equal(parse_ok("SIGUSR2"), SIGUSR2);
    assert_int_equal(parse_ok("INT"), SIGINT);
    assert_int_equal(parse_ok("CHLD"), SIGCHLD);
    assert_int_equal(parse_ok("WINCH"), SIGWINCH);
    assert_int_equal(parse_ok("STOP"), SIGSTOP);
    assert_int_equal(parse_ok("CONT"), SIGCONT);
    assert_int_equal(parse_ok("SYS"), SIGSYS);
}

static void test_numbers(void **state)
{
    assert_int_equal(parse_ok("15"), 15);
    assert_int_equal(parse_ok("9"), 9);
    assert_int_equal(parse_ok("1"), 1);
    char buf[16];
    snprintf(buf, sizeof(buf), "%d", SIGRTMAX);
    assert_int_equal(parse_ok(buf), SIGRTMAX);
}

static void test_realtime(void **state)
{
    assert_int_equal(parse_ok("RTMIN"), SIGRTMIN);
    assert_int_equal(parse_ok("SIGRTMIN"), SIGRTMIN);
    assert_int_equal(parse_ok("rtmin"), SIGRTMIN);
    assert_int_equal(parse_ok("RTMIN+2"), SIGRTMIN + 2);
    assert_int_equal(parse_ok("SIGRTMIN+2"), SIGRTMIN + 2);
    assert_int_equal(parse_ok("RTMAX"), SIGRTMAX);
    assert_int_equal(parse_ok("RTMAX-1"), SIGRTMAX - 1);
    assert_int_equal(parse_ok("SIGRTMAX-1"), SIGRTMAX - 1);
    char buf[32];
    snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
    assert_int_equal(parse_ok(buf), SIGRTMAX);
}

static void test_bad(void **state)
{
    check_bad("");
    check_bad("0");
    check_bad("65");
    check_bad("FOO");
    check_bad("SIGFOO");
    check_bad("SIG");
    check_bad("15x");
    check_bad("-1");
    check_bad("-9");
    check_bad("99999999999999999999999");
    check_bad("TERMX");
    check_bad("RTMIN-1");
    check_bad("RTMAX+1");
    check_bad("RTMIN+");
    check_bad("RTMIN+x");
    check_bad("RTMINFOO");
    char buf[32];
    snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
    check_bad(buf);
    snprintf(buf, sizeof(buf), "%d", SIGRTMAX + 1);
    check_bad(buf);
}

static void test_bad_whitespace(void **state)
{
    /* A number is digits only: strtol() would take leading blanks. */
    check_bad(" 15");
    check_bad("15 ");
    check_bad("RTMIN+ 2");
    check_bad("RTMIN 2");
}

static void test_null_err(void **state)
{
    assert_true(signal_parse("nope", NULL) < 0);
    assert_int_equal(signal_parse("TERM", NULL), SIGTERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),          cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_realtime),       cmocka_unit_test(test_bad),
        cmocka_unit_test(test_bad_whitespace), cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
