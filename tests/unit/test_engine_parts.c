/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the engine's smaller parts: seccomp profile files
 * (engine/seccomp_profile), the times of logs --since (engine/logs), the
 * detach keys (engine/attach), and the record's times (engine/container). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/attach.h"
#include "engine/container.h"
#include "engine/logs.h"
#include "engine/seccomp_profile.h"

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL)
        fail_msg("%s", je.text);
    return j;
}

static size_t rules_for(const json_t *p, const char *name)
{
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(json_object_get(p, "syscalls"), i, r) {
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(r, "names"), k, v) n +=
            strcmp(json_string_value(v), name) == 0;
    }
    return n;
}

static void test_seccomp_profile(void **state)
{
    json_t *in = load("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
                      " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
                      "   \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
                      "  {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": []}],"
                      " \"syscalls\": ["
                      "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                      "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
                      "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
                      "  {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\","
                      "   \"includes\": {\"minKernel\": \"4.8\"}},"
                      "  {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\","
                      "   \"includes\": {\"minKernel\": \"99.0\"}},"
                      "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\","
                      "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}, \"comment\": \"x\"},"
                      "  {\"names\": [\"arch_prctl\"], \"action\": \"SCMP_ACT_ALLOW\","
                      "   \"includes\": {\"arches\": [\"s390x\"]}},"
                      "  {\"name\": \"uname\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}");
    struct error *err = NULL;
    json_t *out = NULL;
    /* without CAP_SYS_ADMIN (bit 21) */
    assert_int_equal(seccomp_profile_convert(in, 0, "p", &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "defaultAction")),
                        "SCMP_ACT_ERRNO");
    assert_int_equal(json_integer_value(json_object_get(out, "defaultErrnoRet")), 1);
#if defined(__x86_64__)
    assert_int_equal(json_array_size(json_object_get(out, "architectures")), 3);
#endif
    assert_int_equal(rules_for(out, "read"), 1);
    assert_int_equal(rules_for(out, "mount"), 0);
    assert_int_equal(rules_for(out, "ptrace"), 1);
    assert_int_equal(rules_for(out, "bpf"), 0);
    assert_int_equal(rules_for(out, "clone"), 1);
    assert_int_equal(rules_for(out, "arch_prctl"), 0);
    assert_int_equal(rules_for(out, "uname"), 1);
    json_t *first = json_array_get(json_object_get(out, "syscalls"), 0);
    assert_null(json_object_get(first, "includes"));
    json_decref(out);
    /* with it */
    assert_int_equal(seccomp_profile_convert(in, 1ull << 21, "p", &out, &err), 0);
    assert_int_equal(rules_for(out, "mount"), 1);
    assert_int_equal(rules_for(out, "clone"), 0);
    json_decref(out);
    json_decref(in);
    /* errors name the profile and the rule */
    in = load("{\"syscalls\": []}");
    assert_true(seccomp_profile_convert(in, 0, "mine.json", &out, &err) < 0);
    assert_non_null(strstr(err->msg, "defaultAction"));
    error_free(err);
    err = NULL;
    json_decref(in);
    in = load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"x\"}]}");
    assert_true(seccomp_profile_convert(in, 0, "mine.json", &out, &err) < 0);
    assert_non_null(strstr(err->msg, "mine.json: syscalls[0]: names"));
    error_free(err);
    err = NULL;
    json_decref(in);
    assert_true(seccomp_profile_load("/nonexistent.json", 0, &out, &err) < 0);
    error_free(err);
}

static void test_times(void **state)
{
    assert_int_equal(logs_parse_duration("10s"), 10000000000ll);
    assert_int_equal(logs_parse_duration("1h30m"), 5400000000000ll);
    assert_int_equal(logs_parse_duration("250ms"), 250000000ll);
    assert_int_equal(logs_parse_duration("1.5m"), 90000000000ll);
    assert_int_equal(logs_parse_duration("1x"), -1);
    assert_int_equal(logs_parse_duration("m"), -1);
    assert_int_equal(logs_parse_duration(""), -1);
    struct error *err = NULL;
    int64_t t;
    assert_int_equal(logs_parse_time("--since", "1700000000", &t, &err), 0);
    assert_int_equal(t, 1700000000ll * 1000000000);
    assert_int_equal(logs_parse_time("--since", "1700000000.5", &t, &err), 0);
    assert_int_equal(t, 1700000000500000000ll);
    assert_int_equal(logs_parse_time("--since", "2023-11-14T22:13:20Z", &t, &err), 0);
    assert_int_equal(t, 1700000000ll * 1000000000);
    assert_int_equal(logs_parse_time("--since", "2023-11-14T23:13:20.25+01:00", &t, &err), 0);
    assert_int_equal(t, 1700000000250000000ll);
    assert_int_equal(logs_parse_time("--since", "2023-11-14", &t, &err), 0);
    assert_int_equal(t, 1699920000ll * 1000000000);
    int64_t before = engine_now_ns();
    assert_int_equal(logs_parse_time("--since", "1h", &t, &err), 0);
    assert_true(t <= before - 3600000000000ll + 1000000000 && t > before - 3700000000000ll);
    assert_true(logs_parse_time("--until", "soon", &t, &err) < 0);
    assert_non_null(strstr(err->msg, "--until `soon`"));
    error_free(err);
    /* the record's times: RFC 3339 with ns, both ways */
    char buf[48];
    engine_time_rfc3339(1700000000123456789ll, buf, sizeof(buf));
    assert_string_equal(buf, "2023-11-14T22:13:20.123456789Z");
    assert_int_equal(engine_time_parse(buf), 1700000000123456789ll);
    engine_time_rfc3339(0, buf, sizeof(buf));
    assert_string_equal(buf, "0001-01-01T00:00:00Z");
    assert_int_equal(engine_time_parse("yesterday"), -1);
}

static void test_detach_keys(void **state)
{
    unsigned char k[ATTACH_MAX_KEYS];
    size_t n = 0;
    struct error *err = NULL;
    assert_int_equal(attach_parse_keys(ATTACH_DETACH_KEYS, k, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(k[0], 16);
    assert_int_equal(k[1], 17);
    assert_int_equal(attach_parse_keys("a,ctrl-@,ctrl-[,ctrl-Z", k, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(k[0], 'a');
    assert_int_equal(k[1], 0);
    assert_int_equal(k[2], 27);
    assert_int_equal(k[3], 26);
    const char *bad[] = {"", "ctrl-9", "ab", "a,", "ctrl-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(attach_parse_keys(bad[i], k, &n, &err) < 0);
        assert_non_null(strstr(err->msg, "--detach-keys"));
        error_free(err);
        err = NULL;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seccomp_profile),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_detach_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
