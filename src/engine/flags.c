/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/flags.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define KV_FILE_MAX (1u << 20)

/* ---- numbers -------------------------------------------------------------- */

/* Digits with an optional fraction: the integer part and the fraction as
 * a numerator over 10^digits, at most 9 digits of it. */
static int parse_decimal(const char *s, const char **end, uint64_t *ret_int, uint64_t *ret_frac,
                         int *ret_digits)
{
    uint64_t v = 0;
    const char *p = s;
    if (!isdigit((unsigned char) *p))
        return -EINVAL;
    for (; isdigit((unsigned char) *p); p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        v = v * 10 + (uint64_t) (*p - '0');
    }
    uint64_t frac = 0;
    int digits = 0;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char) *p))
            return -EINVAL;
        for (; isdigit((unsigned char) *p); p++) {
            if (digits == 9)
                return -EDOM; /* too precise */
            frac = frac * 10 + (uint64_t) (*p - '0');
            digits++;
        }
    }
    *end = p;
    *ret_int = v;
    *ret_frac = frac;
    *ret_digits = digits;
    return 0;
}

static uint64_t pow10u(int n)
{
    uint64_t r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

int flags_parse_bytes(const char *flag, const char *s, int64_t *ret, struct error **err)
{
    const char *p;
    uint64_t whole, frac;
    int digits;
    int r = parse_decimal(s, &p, &whole, &frac, &digits);
    if (r < 0)
        return error_new(err, EINVAL, "%s: invalid size `%s` (a number and an optional unit "
                                      "b, k, m, g, t or p)", flag, s);
    if (*p == ' ')
        p++;
    static const char units[] = "bkmgtp";
    int shift = 0;
    const char *u = *p ? strchr(units, tolower((unsigned char) *p)) : NULL;
    if (u && *p) {
        shift = (int) (u - units) * 10;
        p++;
        if (shift > 0 && (*p == 'i' || *p == 'I'))
            p++;
        if (shift > 0 && (*p == 'b' || *p == 'B'))
            p++;
    }
    if (*p != '\0')
        return error_new(err, EINVAL, "%s: invalid size `%s` (a number and an optional unit "
                                      "b, k, m, g, t or p)", flag, s);
    if (shift >= 63 || whole > (uint64_t) (INT64_MAX >> shift))
        return error_new(err, ERANGE, "%s: `%s` is too large", flag, s);
    uint64_t v = whole << shift;
    v += (uint64_t) (((unsigned __int128) frac << shift) / pow10u(digits));
    if (v > INT64_MAX)
        return error_new(err, ERANGE, "%s: `%s` is too large", flag, s);
    *ret = (int64_t) v;
    return 0;
}

int flags_parse_cpus(const char *s, int64_t *ret_nano, struct error **err)
{
    const char *p;
    uint64_t whole, frac;
    int digits;
    int r = parse_decimal(s, &p, &whole, &frac, &digits);
    if (r == -EDOM)
        return error_new(err, EINVAL, "--cpus: `%s` is too precise (at most 9 decimals)", s);
    if (r < 0 || *p)
        return error_new(err, EINVAL, "--cpus: invalid number `%s`", s);
    if (whole > (uint64_t) INT64_MAX / 1000000000ull)
        return error_new(err, ERANGE, "--cpus: `%s` is too large", s);
    *ret_nano = (int64_t) (whole * 1000000000ull + frac * pow10u(9 - digits));
    return 0;
}

int flags_parse_int(const char *flag, const char *s, int64_t min, int64_t max, int64_t *ret,
                    struct error **err)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end || errno == ERANGE || isspace((unsigned char) *s))
        return error_new(err, EINVAL, "%s: invalid number `%s`", flag, s);
    if (v < min || v > max)
        return error_new(err, ERANGE, "%s: %lld is outside %lld..%lld", flag, v, (long long) min,
                         (long long) max);
    *ret = v;
    return 0;
}

/* ---- ulimits -------------------------------------------------------------- */

static const struct {
    const char *name;
    int resource;
    const char *oci;
} rlimits[] = {
    {"as", RLIMIT_AS, "RLIMIT_AS"},
    {"core", RLIMIT_CORE, "RLIMIT_CORE"},
    {"cpu", RLIMIT_CPU, "RLIMIT_CPU"},
    {"data", RLIMIT_DATA, "RLIMIT_DATA"},
    {"fsize", RLIMIT_FSIZE, "RLIMIT_FSIZE"},
    {"locks", RLIMIT_LOCKS, "RLIMIT_LOCKS"},
    {"memlock", RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
    {"msgqueue", RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"},
    {"nice", RLIMIT_NICE, "RLIMIT_NICE"},
    {"nofile", RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {"nproc", RLIMIT_NPROC, "RLIMIT_NPROC"},
    {"rss", RLIMIT_RSS, "RLIMIT_RSS"},
    {"rtprio", RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
    {"rttime", RLIMIT_RTTIME, "RLIMIT_RTTIME"},
    {"sigpending", RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {"stack", RLIMIT_STACK, "RLIMIT_STACK"},
};

const char *flags_rlimit_oci_name(int resource)
{
    for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
        if (rlimits[i].resource == resource)
            return rlimits[i].oci;
    return NULL;
}

static int limit_value(const char *s, const char *whole, uint64_t *ret, struct error **err)
{
    if (strcmp(s, "-1") == 0 || strcmp(s, "unlimited") == 0) {
        *ret = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!isdigit((unsigned char) *s) || *end || errno == ERANGE)
        return error_new(err, EINVAL, "--ulimit `%s`: invalid limit `%s` (a number, or -1 for "
                                      "none)", whole, s);
    *ret = v;
    return 0;
}

int flags_parse_ulimit(const char *s, struct flags_ulimit *ret, struct error **err)
{
    const char *eq = strchr(s, '=');
    if (eq == NULL)
        return error_new(err, EINVAL, "--ulimit `%s`: expected NAME=SOFT[:HARD]", s);
    size_t n = (size_t) (eq - s);
    size_t i = 0;
    for (; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
        if (strlen(rlimits[i].name) == n && strncmp(rlimits[i].name, s, n) == 0)
            break;
    if (i == sizeof(rlimits) / sizeof(rlimits[0]))
        return error_new(err, EINVAL, "--ulimit `%s`: `%.*s` is not a resource (as, core, cpu, "
                                      "data, fsize, locks, memlock, msgqueue, nice, nofile, "
                                      "nproc, rss, rtprio, rttime, sigpending, stack)",
                         s, (int) n, s);
    char soft[32];
    const char *colon = strchr(eq + 1, ':');
    size_t sl = colon ? (size_t) (colon - eq - 1) : strlen(eq + 1);
    if (sl == 0 || sl >= sizeof(soft))
        return error_new(err, EINVAL, "--ulimit `%s`: expected NAME=SOFT[:HARD]", s);
    memcpy(soft, eq + 1, sl);
    soft[sl] = '\0';
    struct flags_ulimit u = {.resource = rlimits[i].resource};
    snprintf(u.name, sizeof(u.name), "%s", rlimits[i].name);
    int r = limit_value(soft, s, &u.soft, err);
    if (r < 0)
        return r;
    u.hard = u.soft;
    if (colon && (r = limit_value(colon + 1, s, &u.hard, err)) < 0)
        return r;
    if (u.soft > u.hard)
        return error_new(err, EINVAL, "--ulimit `%s`: the soft limit is above the hard one", s);
    *ret = u;
    return 0;
}

/* ---- restart policy ------------------------------------------------------- */

const char *flags_restart_name(enum flags_restart r)
{
    switch (r) {
    case RESTART_NO: return "no";
    case RESTART_ON_FAILURE: return "on-failure";
    case RESTART_ALWAYS: return "always";
    case RESTART_UNLESS_STOPPED: return "unless-stopped";
    }
    return "no";
}

int flags_parse_restart(const char *s, struct flags_restart_policy *ret, struct error **err)
{
    static const enum flags_restart all[] = {RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS,
                                             RESTART_UNLESS_STOPPED};
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t) (colon - s) : strlen(s);
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const char *name = flags_restart_name(all[i]);
        if (strlen(name) != n || strncmp(name, s, n) != 0)
            continue;
        struct flags_restart_policy p = {.name = all[i]};
        if (colon) {
            if (all[i] != RESTART_ON_FAILURE)
                return error_new(err, EINVAL,
                                 "--restart `%s`: a maximum retry count is only for on-failure",
                                 s);
            int64_t v;
            int r = flags_parse_int("--restart on-failure", colon + 1, 0, INT32_MAX, &v, err);
            if (r < 0)
                return r;
            p.max_retries = (int) v;
        }
        *ret = p;
        return 0;
    }
    return error_new(err, EINVAL,
                     "--restart `%s`: expected no, on-failure[:N], always or unless-stopped", s);
}

/* ---- capabilities ----------------------------------------------------------- */

int flags_cap_last(void)
{
    int last = (int) cap_max_bits() - 1;
    return last < 0 ? CAP_LAST_CAP : last;
}

const char *flags_cap_name(int cap)
{
    static char names[FLAGS_CAP_ALL][32];
    if (cap < 0 || cap >= FLAGS_CAP_ALL)
        return NULL;
    if (names[cap][0] == '\0') {
        char *n = cap_to_name((cap_value_t) cap);
        if (n == NULL)
            return NULL;
        size_t i = 0;
        for (; n[i] && i < sizeof(names[cap]) - 1; i++)
            names[cap][i] = (char) toupper((unsigned char) n[i]);
        names[cap][i] = '\0';
        cap_free(n);
        if (strncmp(names[cap], "CAP_", 4) != 0) {
            names[cap][0] = '\0';
            return NULL; /* a number libcap has no name for */
        }
    }
    return names[cap];
}

int flags_parse_cap(const char *flag, const char *s, int *ret, const char **ret_name,
                    struct error **err)
{
    if (strcasecmp(s, "ALL") == 0) {
        *ret = FLAGS_CAP_ALL;
        *ret_name = "ALL";
        return 0;
    }
    char lower[64] = "cap_";
    const char *bare = strncasecmp(s, "cap_", 4) == 0 ? s + 4 : s;
    if (strlen(bare) + 5 > sizeof(lower) || *bare == '\0')
        return error_new(err, EINVAL, "%s: unknown capability `%s`", flag, s);
    for (size_t i = 0; bare[i]; i++)
        lower[4 + i] = (char) tolower((unsigned char) bare[i]);
    cap_value_t cap;
    if (cap_from_name(lower, &cap) < 0 || cap < 0 || cap > flags_cap_last() ||
        flags_cap_name(cap) == NULL)
        return error_new(err, EINVAL, "%s: unknown capability `%s`", flag, s);
    *ret = cap;
    *ret_name = flags_cap_name(cap);
    return 0;
}

/* ---- --security-opt ----------------------------------------------------------- */

static bool is_opt(const char *s, const char *name, const char **ret_value)
{
    size_t n = strlen(name);
    if (strncmp(s, name, n) != 0 || (s[n] != '=' && s[n] != ':'))
        return false;
    *ret_value = s + n + 1;
    return true;
}

int flags_parse_security_opt(const char *s, struct flags_security *sec, struct error **err)
{
    const char *v;
    if (strcmp(s, "no-new-privileges") == 0) {
        sec->no_new_privileges = true;
        return 0;
    }
    if (is_opt(s, "no-new-privileges", &v)) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return error_new(err, EINVAL,
                             "--security-opt `%s`: no-new-privileges takes true or false", s);
        sec->no_new_privileges = strcmp(v, "true") == 0;
        return 0;
    }
    if (is_opt(s, "seccomp", &v)) {
        if (*v == '\0')
            return error_new(err, EINVAL, "--security-opt `%s`: expected seccomp=unconfined or "
                                          "seccomp=FILE", s);
        sec->seccomp_unconfined = strcmp(v, "unconfined") == 0;
        sec->seccomp_file = sec->seccomp_unconfined ? NULL : v;
        return 0;
    }
    if (is_opt(s, "apparmor", &v)) {
        if (*v == '\0')
            return error_new(err, EINVAL, "--security-opt `%s`: expected apparmor=PROFILE", s);
        sec->apparmor = v;
        return 0;
    }
    if (is_opt(s, "label", &v)) {
        static const char *const keys[] = {"user", "role", "type", "level"};
        char **slots[] = {&sec->label_user, &sec->label_role, &sec->label_type,
                          &sec->label_level};
        if (strcmp(v, "disable") == 0) {
            sec->label_disable = true;
            return 0;
        }
        for (size_t i = 0; i < 4; i++) {
            size_t n = strlen(keys[i]);
            if (strncmp(v, keys[i], n) == 0 && v[n] == ':' && v[n + 1]) {
                free(*slots[i]);
                if ((*slots[i] = strdup(v + n + 1)) == NULL)
                    return error_new(err, ENOMEM, "out of memory");
                return 0;
            }
        }
        return error_new(err, EINVAL, "--security-opt `%s`: expected label=disable or "
                                      "label=user:|role:|type:|level:VALUE", s);
    }
    return error_new(err, EINVAL,
                     "--security-opt `%s`: expected no-new-privileges, seccomp=unconfined, "
                     "seccomp=FILE, apparmor=PROFILE or label=...", s);
}

void flags_security_release(struct flags_security *sec)
{
    free(sec->label_user);
    free(sec->label_role);
    free(sec->label_type);
    free(sec->label_level);
    *sec = (struct flags_security) {0};
}

/* ---- --log-opt, names ------------------------------------------------- */

int flags_parse_log_opt(const char *s, struct flags_log *log, struct error **err)
{
    const char *eq = strchr(s, '=');
    if (eq == NULL || eq[1] == '\0')
        return error_new(err, EINVAL, "--log-opt `%s`: expected KEY=VALUE", s);
    if (strncmp(s, "max-size=", 9) == 0) {
        int r = flags_parse_bytes("--log-opt max-size", eq + 1, &log->max_size, err);
        if (r == 0 && log->max_size > 0 && log->max_size < 4096)
            return error_new(err, EINVAL, "--log-opt max-size: at least 4k, not `%s`", eq + 1);
        return r;
    }
    if (strncmp(s, "max-file=", 9) == 0) {
        int64_t v;
        int r = flags_parse_int("--log-opt max-file", eq + 1, 1, 1000, &v, err);
        if (r == 0)
            log->max_files = (int) v;
        return r;
    }
    return error_new(err, EINVAL,
                     "--log-opt `%s`: unknown option for the json-file log (max-size, max-file)",
                     s);
}

int flags_check_name(const char *s, struct error **err)
{
    size_t n = strlen(s);
    bool ok = n >= 2 && n <= FLAGS_NAME_MAX && isalnum((unsigned char) s[0]);
    for (size_t i = 1; ok && i < n; i++)
        ok = isalnum((unsigned char) s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-';
    if (!ok)
        return error_new(err, EINVAL,
                         "invalid container name `%s`: only [a-zA-Z0-9][a-zA-Z0-9_.-]+ is "
                         "allowed (2 to %d characters)", s, FLAGS_NAME_MAX);
    return 0;
}

/* ---- KEY=VALUE files ------------------------------------------------------------ */

int flags_parse_kv_text(const char *flag, const char *path, const char *text, char ***lines,
                        struct error **err)
{
    size_t lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t) (nl - p) : strlen(p);
        lineno++;
        const char *l = p;
        p += n + (nl != NULL);
        while (n > 0 && (*l == ' ' || *l == '\t'))
            l++, n--;
        while (n > 0 && (l[n - 1] == '\r'))
            n--;
        if (n == 0 || *l == '#')
            continue;
        const char *eq = memchr(l, '=', n);
        size_t klen = eq ? (size_t) (eq - l) : n;
        if (klen == 0)
            return error_new(err, EINVAL, "%s `%s` line %zu: no variable name", flag, path, lineno);
        for (size_t i = 0; i < klen; i++)
            if (isspace((unsigned char) l[i]))
                return error_new(err, EINVAL, "%s `%s` line %zu: `%.*s` contains white space",
                                 flag, path, lineno, (int) klen, l);
        cleanup_free char *line = strndup(l, n);
        if (line == NULL || strv_push(lines, line) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

int flags_read_kv_file(const char *flag, const char *path, char ***lines, struct error **err)
{
    cleanup_free char *text = NULL;
    size_t len = 0;
    int r = fs_read_file_at(AT_FDCWD, path, KV_FILE_MAX, &text, &len, err);
    if (r < 0)
        return error_wrap(err, "%s", flag);
    if (memchr(text, '\0', len))
        return error_new(err, EINVAL, "%s `%s`: not a text file", flag, path);
    return flags_parse_kv_text(flag, path, text, lines, err);
}
