/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: cabin-runtime's option parser (src/cli/options.c).
 *
 * The input is a command line: arguments separated by NUL bytes, each
 * copied to a buffer of its own (so reading past one is caught).  It is
 * parsed the way cabin-runtime's main() and cli_parse() do: the global
 * options from argv[1], then the options of the command named by the first
 * positional argument.  The tables below have the shapes of the real ones
 * (long and short names, a name that is a prefix of another, every option
 * type).  Checked, for every call of options_parse():
 *
 *   - the result is 0, OPTIONS_HELP (after a help flag) or a negative errno
 *     that matches *err, which has a message;
 *   - the index ends within argv, on a positional argument, after `--`, or
 *     at the end;
 *   - string values point into argv; list values are copies of a suffix of
 *     an argument;
 * and options_parse_uint() agrees, on every argument, with a reference
 * implementation (digits only, no sign, no overflow).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "cli/options.h"
#include "fuzz.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct global_opts {
    const char *root, *log, *log_format, *rootless;
    bool debug, systemd_cgroup;
};

static const struct option_def global_defs[] = {
    OPTION_STRING("root", 0, struct global_opts, root, "DIR", "state root"),
    OPTION_STRING("log", 0, struct global_opts, log, "FILE", "log file"),
    OPTION_STRING("log-format", 0, struct global_opts, log_format, "FORMAT", "text or json"),
    OPTION_BOOL("debug", 0, struct global_opts, debug, "debug messages"),
    OPTION_BOOL("systemd-cgroup", 0, struct global_opts, systemd_cgroup, "systemd cgroups"),
    OPTION_STRING("rootless", 0, struct global_opts, rootless, "BOOL", "rootless"),
    OPTION_END,
};

struct cmd_opts {
    const char *bundle, *pid_file, *console_socket, *process, *cwd, *user;
    unsigned int preserve_fds, timeout;
    bool no_pivot, no_new_keyring, detach, force, all, tty;
    char **env, **cap;
};

static const struct option_def cmd_defs[] = {
    OPTION_STRING("bundle", 'b', struct cmd_opts, bundle, "DIR", "bundle"),
    OPTION_STRING("pid-file", 0, struct cmd_opts, pid_file, "FILE", "pid file"),
    OPTION_STRING("console-socket", 0, struct cmd_opts, console_socket, "PATH", "socket"),
    OPTION_STRING("process", 'p', struct cmd_opts, process, "FILE", "process.json"),
    OPTION_STRING("cwd", 0, struct cmd_opts, cwd, "DIR", "working directory"),
    OPTION_STRING("user", 'u', struct cmd_opts, user, "UID[:GID]", "user"),
    OPTION_UINT("preserve-fds", 0, struct cmd_opts, preserve_fds, "N", "fds to keep"),
    OPTION_UINT("timeout", 't', struct cmd_opts, timeout, "SECONDS", "timeout"),
    OPTION_BOOL("no-pivot", 0, struct cmd_opts, no_pivot, "no pivot_root"),
    OPTION_BOOL("no-new-keyring", 0, struct cmd_opts, no_new_keyring, "keep keyring"),
    OPTION_BOOL("detach", 'd', struct cmd_opts, detach, "detach"),
    OPTION_BOOL("force", 'f', struct cmd_opts, force, "force"),
    OPTION_BOOL("all", 'a', struct cmd_opts, all, "all processes"),
    OPTION_BOOL("tty", 0, struct cmd_opts, tty, "a terminal"),
    OPTION_STRLIST("env", 'e', struct cmd_opts, env, "NAME=VALUE", "environment"),
    OPTION_STRLIST("cap", 'c', struct cmd_opts, cap, "CAP", "capabilities"),
    OPTION_END,
};

/* The reference for options_parse_uint(). */
static int ref_parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
    if (*s == '\0')
        return -EINVAL;
    unsigned long long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return c == s ? -EINVAL : -ERANGE;
        unsigned d = (unsigned) (*c - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    if (v > max)
        return -ERANGE;
    *ret = v;
    return 0;
}

static void check_uint(const char *s)
{
    static const unsigned long long maxes[] = {0, 1, 1024, INT32_MAX, UINT32_MAX, ULLONG_MAX};
    for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
        unsigned long long a = 12345, b = 12345;
        int ra = options_parse_uint(s, maxes[i], &a);
        int rb = ref_parse_uint(s, maxes[i], &b);
        FUZZ_CHECK((ra == 0) == (rb == 0));
        FUZZ_CHECK(ra != 0 || a == b);
        FUZZ_CHECK(ra == 0 || a == 12345); /* untouched on failure */
    }
}

static bool is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0;
}

static int parse(const struct option_def *defs, void *target, int argc, char **argv, int start,
                 int *ret_index)
{
    cleanup_error struct error *err = NULL;
    int i = start;
    int r = options_parse(defs, target, argc, argv, &i, &err);
    FUZZ_CHECK(r == 0 || r == OPTIONS_HELP || r < 0);
    if (r < 0) {
        fuzz_check_error(r, err);
        return r;
    }
    FUZZ_CHECK(err == NULL);
    FUZZ_CHECK(i >= start && i <= argc);
    if (r == OPTIONS_HELP) {
        FUZZ_CHECK(i > start && is_help(argv[i - 1]));
    } else if (i < argc && !(i > start && strcmp(argv[i - 1], "--") == 0)) {
        FUZZ_CHECK(argv[i][0] != '-' || argv[i][1] == '\0'); /* a positional argument */
    }
    *ret_index = i;
    return r;
}

static void check_strings(const char *const *fields, size_t n, int argc, char **argv)
{
    for (size_t k = 0; k < n; k++)
        FUZZ_CHECK(fields[k] == NULL || fuzz_points_into(fields[k], argv, argc));
}

static void check_list(char **v, int argc, char **argv)
{
    for (size_t k = 0; v && v[k]; k++)
        FUZZ_CHECK(fuzz_tail_of_arg(v[k], argv, argc));
}

static void run(int argc, char **argv)
{
    struct global_opts g = {0};
    int i = 1;
    if (parse(global_defs, &g, argc, argv, 1, &i) != 0)
        return;
    const char *gs[] = {g.root, g.log, g.log_format, g.rootless};
    check_strings(gs, sizeof(gs) / sizeof(gs[0]), argc, argv);
    if (i >= argc)
        return;
    /* The command's own parse: its argv starts at its name (cli_parse). */
    struct cmd_opts c = {0};
    int ci = 1;
    int r = parse(cmd_defs, &c, argc - i, argv + i, 1, &ci);
    const char *cs[] = {c.bundle, c.pid_file, c.console_socket, c.process, c.cwd, c.user};
    if (r == 0) {
        check_strings(cs, sizeof(cs) / sizeof(cs[0]), argc, argv);
        check_list(c.env, argc, argv);
        check_list(c.cap, argc, argv);
    }
    strv_free(c.env);
    strv_free(c.cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = fuzz_argv(data, size, "cabin-runtime", argv);
    if (argc < 0)
        return 0;
    for (int k = 1; k < argc; k++)
        check_uint(argv[k]);
    run(argc, argv);
    for (int k = 0; k < argc; k++)
        free(argv[k]);
    return 0;
}
