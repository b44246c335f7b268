/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: the values of `cabin run`/`create` flags, parsed by
 * src/engine/flags.c the way docker parses them.
 *
 * The input's first byte picks the parser; the rest is the flag's value
 * (for --security-opt: several values separated by NUL bytes, applied one
 * after the other to the same struct, as repeated flags are; for the
 * KEY=VALUE files: the file's text).  Checked, beyond the error contract:
 *
 *   - sizes (--memory, --shm-size): never negative; digits alone are bytes,
 *     "Nk"/"Nm"/"Ng" are N times 1024^1..3, against a reference;
 *   - --cpus: never negative; digits alone are whole CPUs (1e9 nano-CPUs);
 *   - integers: inside their range, equal to strtoll's;
 *   - --ulimit: a known resource with its OCI name, the name the value
 *     gave, soft <= hard;
 *   - --restart: a retry count only for on-failure, never negative, and
 *     the policy's name parses back to itself;
 *   - --cap-add/--cap-drop: ALL, or a capability this kernel has whose
 *     canonical CAP_ name parses back to the same number;
 *   - --security-opt: the seccomp file and the apparmor profile point into
 *     the values given; the label parts are copies (freed by release);
 *   - --log-opt: max-size 0 or at least 4k, max-file 1..1000;
 *   - container names: only [a-zA-Z0-9][a-zA-Z0-9_.-]+, 2 to 253 long;
 *   - --env-file/--label-file text: every line kept is one line of the
 *     text, trimmed, not a comment, with a name free of white space.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>

#include "engine/flags.h"
#include "fuzz.h"
#include "util/cleanup.h"
#include "util/strv.h"

enum { P_BYTES, P_CPUS, P_INT, P_ULIMIT, P_RESTART, P_CAP, P_SECURITY, P_LOG, P_NAME, P_KV, P_N };

/* The value of a string of digits (at most 18 of them), or -1. */
static int64_t digits_value(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void check_result(int r, const struct error *err)
{
    if (r < 0)
        fuzz_check_error(r, err);
    else
        FUZZ_CHECK(r == 0 && err == NULL);
}

static void bytes(const char *s)
{
    cleanup_error struct error *err = NULL;
    int64_t v = -1;
    int r = flags_parse_bytes("--memory", s, &v, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(v >= 0);
    size_t n = strlen(s);
    int64_t d = digits_value(s, n);
    if (d >= 0)
        FUZZ_CHECK(v == d);
    static const char units[] = "kmg";
    for (int k = 0; n > 1 && k < 3; k++) {
        d = digits_value(s, n - 1);
        if (d >= 0 && d < (INT64_C(1) << 30) && tolower((unsigned char) s[n - 1]) == units[k])
            FUZZ_CHECK(v == d << (10 * (k + 1)));
    }
}

static void cpus(const char *s)
{
    cleanup_error struct error *err = NULL;
    int64_t v = -1;
    int r = flags_parse_cpus(s, &v, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(v >= 0);
    int64_t d = digits_value(s, strlen(s));
    if (d >= 0 && d <= INT64_MAX / 1000000000)
        FUZZ_CHECK(v == d * 1000000000);
}

static void integer(const char *s)
{
    cleanup_error struct error *err = NULL;
    int64_t v = INT64_MIN;
    int r = flags_parse_int("--pids-limit", s, -1, INT32_MAX, &v, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(v >= -1 && v <= INT32_MAX);
    FUZZ_CHECK(v == strtoll(s, NULL, 10));
}

static void ulimit(const char *s)
{
    cleanup_error struct error *err = NULL;
    struct flags_ulimit u;
    int r = flags_parse_ulimit(s, &u, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(memchr(u.name, '\0', sizeof(u.name)) != NULL);
    FUZZ_CHECK(flags_rlimit_oci_name(u.resource) != NULL);
    size_t n = strlen(u.name);
    FUZZ_CHECK(strncmp(s, u.name, n) == 0 && s[n] == '=');
    FUZZ_CHECK(u.soft <= u.hard);
}

static void restart(const char *s)
{
    cleanup_error struct error *err = NULL;
    struct flags_restart_policy p = {.max_retries = -1};
    int r = flags_parse_restart(s, &p, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(p.max_retries >= 0);
    FUZZ_CHECK(p.max_retries == 0 || p.name == RESTART_ON_FAILURE);
    struct flags_restart_policy q = {.max_retries = -1};
    FUZZ_CHECK(flags_parse_restart(flags_restart_name(p.name), &q, NULL) == 0);
    FUZZ_CHECK(q.name == p.name && q.max_retries == 0);
}

static void cap(const char *s)
{
    cleanup_error struct error *err = NULL;
    int c = -1;
    const char *name = NULL;
    int r = flags_parse_cap("--cap-add", s, &c, &name, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(name != NULL);
    if (c == FLAGS_CAP_ALL) {
        FUZZ_CHECK(strcmp(name, "ALL") == 0);
        return;
    }
    FUZZ_CHECK(c >= 0 && c <= flags_cap_last());
    FUZZ_CHECK(strncmp(name, "CAP_", 4) == 0 && strcmp(name, flags_cap_name(c)) == 0);
    int again = -1;
    const char *name2 = NULL;
    FUZZ_CHECK(flags_parse_cap("--cap-add", name, &again, &name2, NULL) == 0 && again == c);
}

static void security(const uint8_t *data, size_t size)
{
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = fuzz_argv(data, size, "cabin", argv);
    if (argc < 0)
        return;
    struct flags_security sec = {0};
    for (int k = 1; k < argc; k++) {
        cleanup_error struct error *err = NULL;
        int r = flags_parse_security_opt(argv[k], &sec, &err);
        check_result(r, err);
        if (sec.seccomp_file)
            FUZZ_CHECK(fuzz_points_into(sec.seccomp_file, argv, argc) && *sec.seccomp_file);
        FUZZ_CHECK(!(sec.seccomp_file && sec.seccomp_unconfined));
        if (sec.apparmor)
            FUZZ_CHECK(fuzz_points_into(sec.apparmor, argv, argc) && *sec.apparmor);
        const char *labels[] = {sec.label_user, sec.label_role, sec.label_type, sec.label_level};
        for (int i = 0; i < 4; i++)
            FUZZ_CHECK(labels[i] == NULL ||
                       (!fuzz_points_into(labels[i], argv, argc) && *labels[i] &&
                        fuzz_tail_of_arg(labels[i], argv, argc)));
    }
    flags_security_release(&sec);
    FUZZ_CHECK(sec.label_user == NULL && sec.seccomp_file == NULL && !sec.no_new_privileges);
    for (int k = 0; k < argc; k++)
        free(argv[k]);
}

static void log_opt(const char *s)
{
    cleanup_error struct error *err = NULL;
    struct flags_log log = {.max_size = 20 << 20, .max_files = 5};
    int r = flags_parse_log_opt(s, &log, &err);
    check_result(r, err);
    if (r < 0)
        return;
    FUZZ_CHECK(log.max_size == 0 || log.max_size >= 4096);
    FUZZ_CHECK(log.max_files >= 1 && log.max_files <= 1000);
}

static void name(const char *s)
{
    cleanup_error struct error *err = NULL;
    int r = flags_check_name(s, &err);
    check_result(r, err);
    if (r < 0)
        return;
    size_t n = strlen(s);
    FUZZ_CHECK(n >= 2 && n <= FLAGS_NAME_MAX && isalnum((unsigned char) s[0]));
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(isalnum((unsigned char) s[i]) || strchr("_.-", s[i]));
}

static void kv(const char *text)
{
    cleanup_error struct error *err = NULL;
    cleanup_strv char **lines = NULL;
    int r = flags_parse_kv_text("--env-file", "input", text, &lines, &err);
    check_result(r, err);
    if (r < 0)
        return;
    size_t nl = 0;
    for (const char *p = text; *p; p++)
        nl += *p == '\n';
    FUZZ_CHECK(strv_length(lines) <= nl + 1);
    for (size_t i = 0; lines && lines[i]; i++) {
        const char *l = lines[i];
        FUZZ_CHECK(*l && *l != '#' && *l != ' ' && *l != '\t' && *l != '=');
        FUZZ_CHECK(strchr(l, '\n') == NULL && strstr(text, l) != NULL);
        FUZZ_CHECK(l[strlen(l) - 1] != '\r');
        size_t klen = strcspn(l, "=");
        for (size_t k = 0; k < klen; k++)
            FUZZ_CHECK(!isspace((unsigned char) l[k]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % P_N;
    if (which == P_SECURITY) {
        security(data + 1, size - 1);
        return 0;
    }
    cleanup_free char *s = fuzz_cstring(data + 1, size - 1);
    if (s == NULL)
        return 0;
    switch (which) {
    case P_BYTES: bytes(s); break;
    case P_CPUS: cpus(s); break;
    case P_INT: integer(s); break;
    case P_ULIMIT: ulimit(s); break;
    case P_RESTART: restart(s); break;
    case P_CAP: cap(s); break;
    case P_LOG: log_opt(s); break;
    case P_NAME: name(s); break;
    default: kv(s); break;
    }
    return 0;
}
