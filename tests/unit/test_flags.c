/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/flags: the values of run's flags, parsed as docker
 * parses them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "engine/flags.h"
#include "util/strv.h"

static void expect_error(int r, struct error **err, const char *part)
{
    assert_true(r < 0);
    assert_non_null(*err);
    if (strstr((*err)->msg, part) == NULL)
        fail_msg("`%s` lacks `%s`", (*err)->msg, part);
    error_free(*err);
    *err = NULL;
}

static void test_bytes(void **state)
{
    struct error *err = NULL;
    int64_t v;
    static const struct {
        const char *s;
        int64_t v;
    } ok[] = {{"0", 0},          {"512", 512},          {"1k", 1024},
              {"1K", 1024},      {"32m", 32 << 20},     {"32MB", 32 << 20},
              {"1g", 1ll << 30}, {"1.5g", 3ll << 29},   {"2 m", 2 << 20},
              {"1kib", 1024},    {"10b", 10},           {"1t", 1ll << 40}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(flags_parse_bytes("--memory", ok[i].s, &v, &err), 0);
        assert_int_equal(v, ok[i].v);
    }
    const char *bad[] = {"", "m", "-1", "1x", "1mm", "1.", ".5m", "1 2", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(flags_parse_bytes("--memory", bad[i], &v, &err), &err, "--memory");
    expect_error(flags_parse_bytes("--shm-size", "9000000p", &v, &err), &err, "too large");
}

static void test_cpus_and_ints(void **state)
{
    struct error *err = NULL;
    int64_t v;
    assert_int_equal(flags_parse_cpus("0.5", &v, &err), 0);
    assert_int_equal(v, 500000000);
    assert_int_equal(flags_parse_cpus("2", &v, &err), 0);
    assert_int_equal(v, 2000000000);
    assert_int_equal(flags_parse_cpus("0.000000001", &v, &err), 0);
    assert_int_equal(v, 1);
    expect_error(flags_parse_cpus("0.0000000001", &v, &err), &err, "too precise");
    expect_error(flags_parse_cpus("half", &v, &err), &err, "--cpus");
    expect_error(flags_parse_cpus("-1", &v, &err), &err, "--cpus");
    assert_int_equal(flags_parse_int("--pids-limit", "-1", -1, 100, &v, &err), 0);
    assert_int_equal(v, -1);
    expect_error(flags_parse_int("--pids-limit", "101", -1, 100, &v, &err), &err, "outside");
    expect_error(flags_parse_int("--pids-limit", "1x", -1, 100, &v, &err), &err, "invalid");
    expect_error(flags_parse_int("--pids-limit", " 1", -1, 100, &v, &err), &err, "invalid");
    expect_error(flags_parse_int("--pids-limit", "", -1, 100, &v, &err), &err, "invalid");
}

static void test_ulimit(void **state)
{
    struct error *err = NULL;
    struct flags_ulimit u;
    assert_int_equal(flags_parse_ulimit("nofile=1024:2048", &u, &err), 0);
    assert_int_equal(u.resource, RLIMIT_NOFILE);
    assert_int_equal(u.soft, 1024);
    assert_int_equal(u.hard, 2048);
    assert_string_equal(flags_rlimit_oci_name(u.resource), "RLIMIT_NOFILE");
    assert_int_equal(flags_parse_ulimit("core=0", &u, &err), 0);
    assert_int_equal(u.hard, 0);
    assert_int_equal(flags_parse_ulimit("stack=-1:unlimited", &u, &err), 0);
    assert_true(u.soft == UINT64_MAX && u.hard == UINT64_MAX);
    expect_error(flags_parse_ulimit("files=1", &u, &err), &err, "not a resource");
    expect_error(flags_parse_ulimit("nofile", &u, &err), &err, "NAME=SOFT");
    expect_error(flags_parse_ulimit("nofile=", &u, &err), &err, "NAME=SOFT");
    expect_error(flags_parse_ulimit("nofile=2:1", &u, &err), &err, "soft limit is above");
    expect_error(flags_parse_ulimit("nofile=a:1", &u, &err), &err, "invalid limit");
}

static void test_restart(void **state)
{
    struct error *err = NULL;
    struct flags_restart_policy p;
    assert_int_equal(flags_parse_restart("no", &p, &err), 0);
    assert_int_equal(p.name, RESTART_NO);
    assert_int_equal(flags_parse_restart("on-failure", &p, &err), 0);
    assert_int_equal(p.max_retries, 0);
    assert_int_equal(flags_parse_restart("on-failure:5", &p, &err), 0);
    assert_int_equal(p.name, RESTART_ON_FAILURE);
    assert_int_equal(p.max_retries, 5);
    assert_int_equal(flags_parse_restart("unless-stopped", &p, &err), 0);
    assert_string_equal(flags_restart_name(p.name), "unless-stopped");
    expect_error(flags_parse_restart("always:2", &p, &err), &err, "only for on-failure");
    expect_error(flags_parse_restart("on-failure:x", &p, &err), &err, "invalid number");
    expect_error(flags_parse_restart("sometimes", &p, &err), &err, "expected no");
    expect_error(flags_parse_restart("", &p, &err), &err, "expected no");
}

static void test_caps(void **state)
{
    struct error *err = NULL;
    int c;
    const char *n;
    assert_int_equal(flags_parse_cap("--cap-add", "NET_ADMIN", &c, &n, &err), 0);
    assert_int_equal(c, 12);
    assert_string_equal(n, "CAP_NET_ADMIN");
    assert_int_equal(flags_parse_cap("--cap-add", "cap_chown", &c, &n, &err), 0);
    assert_int_equal(c, 0);
    assert_int_equal(flags_parse_cap("--cap-drop", "all", &c, &n, &err), 0);
    assert_int_equal(c, FLAGS_CAP_ALL);
    expect_error(flags_parse_cap("--cap-add", "CAP_", &c, &n, &err), &err, "unknown capability");
    expect_error(flags_parse_cap("--cap-add", "FLY", &c, &n, &err), &err, "--cap-add");
    assert_true(flags_cap_last() >= 37);
    assert_string_equal(flags_cap_name(21), "CAP_SYS_ADMIN");
    assert_null(flags_cap_name(-1));
}

static void test_security(void **state)
{
    struct error *err = NULL;
    struct flags_security s = {0};
    assert_int_equal(flags_parse_security_opt("no-new-privileges", &s, &err), 0);
    assert_true(s.no_new_privileges);
    assert_int_equal(flags_parse_security_opt("no-new-privileges:false", &s, &err), 0);
    assert_false(s.no_new_privileges);
    assert_int_equal(flags_parse_security_opt("seccomp=unconfined", &s, &err), 0);
    assert_true(s.seccomp_unconfined);
    assert_int_equal(flags_parse_security_opt("seccomp:/p.json", &s, &err), 0);
    assert_string_equal(s.seccomp_file, "/p.json");
    assert_false(s.seccomp_unconfined);
    assert_int_equal(flags_parse_security_opt("label=type:spc_t", &s, &err), 0);
    assert_string_equal(s.label_type, "spc_t");
    assert_int_equal(flags_parse_security_opt("label=disable", &s, &err), 0);
    assert_true(s.label_disable);
    expect_error(flags_parse_security_opt("label=colour:red", &s, &err), &err, "label=");
    expect_error(flags_parse_security_opt("seccomp=", &s, &err), &err, "seccomp=FILE");
    expect_error(flags_parse_security_opt("no-new-privileges=maybe", &s, &err), &err,
                 "true or false");
    expect_error(flags_parse_security_opt("colour", &s, &err), &err, "--security-opt");
    flags_security_release(&s);
}

static void test_log_and_names(void **state)
{
    struct error *err = NULL;
    struct flags_log l = {.max_files = 1};
    assert_int_equal(flags_parse_log_opt("max-size=10m", &l, &err), 0);
    assert_int_equal(l.max_size, 10 << 20);
    assert_int_equal(flags_parse_log_opt("max-file=3", &l, &err), 0);
    assert_int_equal(l.max_files, 3);
    expect_error(flags_parse_log_opt("max-size=1k", &l, &err), &err, "at least 4k");
    expect_error(flags_parse_log_opt("max-file=0", &l, &err), &err, "outside");
    expect_error(flags_parse_log_opt("mode=fast", &l, &err), &err, "unknown option");
    expect_error(flags_parse_log_opt("max-size", &l, &err), &err, "KEY=VALUE");
    assert_int_equal(flags_check_name("web-1.a_b", &err), 0);
    const char *bad[] = {"x", "-web", "a b", "a/b", "", "_x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(flags_check_name(bad[i], &err), &err, "invalid container name");
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    expect_error(flags_check_name(longname, &err), &err, "2 to 253");
}

static void test_kv_text(void **state)
{
    struct error *err = NULL;
    char **lines = NULL;
    assert_int_equal(flags_parse_kv_text("--env-file", "f", "# c\n\nA=1\n  B=two words\nC\r\nD=\n",
                                         &lines, &err),
                     0);
    assert_int_equal(strv_length(lines), 4);
    assert_string_equal(lines[0], "A=1");
    assert_string_equal(lines[1], "B=two words");
    assert_string_equal(lines[2], "C");
    assert_string_equal(lines[3], "D=");
    strv_free(lines);
    lines = NULL;
    expect_error(flags_parse_kv_text("--env-file", "f", "=x\n", &lines, &err), &err, "line 1");
    expect_error(flags_parse_kv_text("--env-file", "f", "A=1\nB C=2\n", &lines, &err), &err,
                 "line 2");
    strv_free(lines);
    expect_error(flags_read_kv_file("--env-file", "/nonexistent/env", &lines, &err), &err,
                 "--env-file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),    cmocka_unit_test(test_cpus_and_ints),
        cmocka_unit_test(test_ulimit),   cmocka_unit_test(test_restart),
        cmocka_unit_test(test_caps),     cmocka_unit_test(test_security),
        cmocka_unit_test(test_log_and_names), cmocka_unit_test(test_kv_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
