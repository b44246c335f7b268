/* SPDX-License-Identifier: Apache-2.0 */
/* cabin-runtime: an OCI runtime with runc's command line. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/commands.h"
#include "config.h"
#include "runtime/exe_guard.h"
#include "runtime/features.h"
#include "util/log.h"

static const struct command commands[] = {
    {"create", cmd_create, "create a container from a bundle; its process waits for start"},
    {"delete", cmd_delete, "delete a container and everything it holds"},
    {"events", cmd_events, "print a container's resource stats and OOM events"},
    {"exec", cmd_exec, "run one more process in a container"},
    {"features", cmd_features, "show what this runtime implements (OCI features JSON)"},
    {"kill", cmd_kill, "send a signal to a container's init (or every process)"},
    {"list", cmd_list, "list the containers under --root"},
    {"pause", cmd_pause, "freeze every process of a container"},
    {"ps", cmd_ps, "list the processes of a container"},
    {"resume", cmd_resume, "thaw a paused container"},
    {"run", cmd_run, "create and start a container"},
    {"spec", cmd_spec, "write a default config.json"},
    {"start", cmd_start, "start a created container"},
    {"state", cmd_state, "print a container's OCI state"},
    {"update", cmd_update, "change a running container's resource limits"},
};

static const struct option_def global_options[] = {
    OPTION_STRING("root", 0, struct global_opts, root, "DIR",
                  "state root (default " DEFAULT_RUNTIME_ROOT ")"),
    OPTION_STRING("log", 0, struct global_opts, log, "FILE", "write log messages to FILE"),
    OPTION_STRING("log-format", 0, struct global_opts, log_format, "FORMAT",
                  "format of the log file: text or json"),
    OPTION_BOOL("debug", 0, struct global_opts, debug, "log debug messages"),
    OPTION_BOOL("systemd-cgroup", 0, struct global_opts, systemd_cgroup,
                "manage cgroups through systemd (not supported yet)"),
    OPTION_STRING("rootless", 0, struct global_opts, rootless, "true|false|auto",
                  "accepted for runc compatibility; only auto/false behave"),
    OPTION_BOOL("version", 'v', struct global_opts, version, "print the version"),
    OPTION_END,
};

/* Shaped like runc's: podman shows it, dockerd parses "NAME version V" and
 * "commit: C" out of it. */
static void print_version(void)
{
    char seccomp[32];
    features_libseccomp_version(seccomp, sizeof(seccomp));
    printf("cabin-runtime version %s\ncommit: %s\nspec: %s\nlibseccomp: %s\n", CABIN_VERSION,
           CABIN_COMMIT, CABIN_OCI_VERSION, seccomp);
}

static void print_help(FILE *f)
{
    options_print_help(f, "cabin-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]",
                       "An OCI container runtime with runc's command line.", global_options);
    fprintf(f, "  %-28s %s\n\nCommands:\n", "-h, --help", "show this help");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun `cabin-runtime COMMAND --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
    struct global_opts g = {.root = NULL};
    cleanup_error struct error *err = NULL;
    log_set_program("cabin-runtime");

    int i = 1;
    if (i < argc && (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0 ||
                        strcmp(argv[i], "-version") == 0)) {
        print_version();
        return 0;
    }
    int r = options_parse(global_options, &g, argc, argv, &i, &err);
    if (r == OPTIONS_HELP) {
        print_help(stdout);
        return 0;
    }
    if (r < 0)
        return cli_fail(err);
    if (g.version) {
        print_version();
        return 0;
    }
    if (g.debug)
        log_set_level(LOG_DEBUG);
    if (g.log) {
        enum log_format fmt = LOG_FORMAT_TEXT;
        if (g.log_format && log_format_parse(g.log_format, &fmt) < 0) {
            error_new(&err, EINVAL, "--log-format: `%s` is not text or json", g.log_format);
            return cli_fail(err);
        }
        if (log_open(g.log, fmt, &err) < 0)
            return cli_fail(err);
    } else if (g.log_format && strcmp(g.log_format, "text") != 0 &&
               strcmp(g.log_format, "json") != 0) {
        error_new(&err, EINVAL, "--log-format: `%s` is not text or json", g.log_format);
        return cli_fail(err);
    }
    if (g.systemd_cgroup) {
        /* systemd's own test for "booted with systemd" (sd_booted). */
        if (access("/run/systemd/system", F_OK) < 0)
            error_new(&err, ENOTSUP,
                      "--systemd-cgroup: systemd is not PID 1 on this host (no "
                      "/run/systemd/system); leave the flag out to manage cgroups directly");
        else
            error_new(&err, ENOTSUP,
                      "--systemd-cgroup: the systemd cgroup driver is not supported yet; leave "
                      "the flag out to manage cgroups directly");
        return cli_fail(err);
    }
    if (g.rootless && strcmp(g.rootless, "auto") != 0 && strcmp(g.rootless, "false") != 0) {
        error_new(&err, ENOTSUP, "--rootless: `%s` is not supported (use auto or false)",
                  g.rootless);
        return cli_fail(err);
    }
    if (i < argc && (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0)) {
        print_version();
        return 0;
    }
    if (i >= argc) {
        print_help(stderr);
        return 1;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        print_help(stdout);
        return 0;
    }
    /* The commands that start a container's init run from a sealed copy
     * of this binary (runtime/exe_guard.h). */
    if ((strcmp(name, "create") == 0 || strcmp(name, "run") == 0 || strcmp(name, "exec") == 0) &&
        exe_guard_ensure_sealed(argv, &err) < 0)
        return cli_fail(err);
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(commands[k].name, name) == 0)
            return commands[k].run(&g, argc - i, argv + i);
    error_new(&err, EINVAL, "unknown command `%s` (see cabin-runtime --help)", name);
    return cli_fail(err);
}

int cli_fail(struct error *e)
{
    log_report_error(e);
    return 1;
}

bool cli_parse(const char *usage, const char *description, const struct option_def *defs,
               void *opts, int argc, char **argv, int *index, int nargs, int *ret_exit)
{
    cleanup_error struct error *err = NULL;
    int r = options_parse_command(defs, opts, argc, argv, 0, nargs < 0 ? 0 : nargs, nargs,
                                  usage, description, index, &err);
    if (r == 0)
        return true;
    *ret_exit = r == OPTIONS_HELP ? 0 : cli_fail(err);
    return false;
}

int cli_listen_fds(unsigned int *ret, struct error **err)
{
    const char *v = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
    unsigned long long n = 0, p = 0;
    *ret = 0;
    /* systemd's protocol: the fds are ours only if LISTEN_PID is our pid. */
    if (v == NULL || *v == '\0' || pid == NULL || options_parse_uint(pid, INT32_MAX, &p) < 0 ||
        p != (unsigned long long) getpid())
        return 0;
    if (options_parse_uint(v, 1024, &n) < 0)
        return error_new(err, EINVAL, "LISTEN_FDS: `%s` is not a number of fds", v);
    *ret = (unsigned int) n;
    return 0;
}

int cli_open_runtime(const struct global_opts *g, struct runtime **ret, struct error **err)
{
    const char *root = g->root ? g->root : getenv("CABIN_RUNTIME_ROOT");
    return runtime_open(root && *root ? root : DEFAULT_RUNTIME_ROOT, ret, err);
}
