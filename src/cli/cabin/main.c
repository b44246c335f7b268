/* SPDX-License-Identifier: Apache-2.0 */
/* cabin: a Docker-style container engine without a daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "config.h"
#include "engine/attach.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "runtime/exe_guard.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

static const struct cabin_command commands[] = {
    {"attach", cmd_attach, "attach to a running container's input and output"},
    {"container", cmd_container, "manage containers (ls, run, stop, rm, prune, ...)"},
    {"cp", cmd_cp, "copy files between a container and the host"},
    {"create", cmd_create, "create a container"},
    {"exec", cmd_exec, "run a command in a running container"},
    {"image", cmd_image, "manage images (ls, inspect, rm, tag, prune, import, load, save)"},
    {"images", cmd_images, "list images"},
    {"import", cmd_import, "make an image from a root file system tarball"},
    {"info", cmd_info, "show how cabin is set up on this host"},
    {"inspect", cmd_inspect, "show containers or images in detail"},
    {"kill", cmd_kill, "send a signal to running containers"},
    {"load", cmd_load, "load images from a docker or OCI archive"},
    {"login", cmd_login, "log in to a registry"},
    {"logout", cmd_logout, "log out of a registry"},
    {"logs", cmd_logs, "print a container's output"},
    {"pause", cmd_pause, "freeze the processes of containers"},
    {"ps", cmd_ps, "list containers"},
    {"pull", cmd_pull, "pull an image from a registry"},
    {"push", cmd_push, "push an image to a registry"},
    {"rename", cmd_rename, "rename a container"},
    {"restart", cmd_restart, "restart containers"},
    {"rm", cmd_rm, "remove containers"},
    {"rmi", cmd_rmi, "remove images"},
    {"run", cmd_run, "run a command in a new container"},
    {"save", cmd_save, "save images to a docker or OCI archive"},
    {"start", cmd_start, "start created or stopped containers"},
    {"stats", cmd_stats, "show containers' use of CPU, memory, I/O and processes"},
    {"stop", cmd_stop, "stop running containers"},
    {"system", cmd_system, "manage cabin (df, info, prune)"},
    {"tag", cmd_tag, "give an image another name"},
    {"top", cmd_top, "show the processes of a container"},
    {"unpause", cmd_unpause, "thaw the processes of containers"},
    {"version", cmd_version, "show cabin's version"},
    {"wait", cmd_wait, "wait until containers stop; print their exit codes"},
};

static const struct option_def global_options[] = {
    OPTION_STRING("root", 0, struct cabin_global, root, "DIR",
                  "images and containers (default " ENGINE_DEFAULT_ROOT ", or $CABIN_ROOT)"),
    OPTION_STRING("runroot", 0, struct cabin_global, runroot, "DIR",
                  "runtime state and locks (default " ENGINE_DEFAULT_RUNROOT
                  ", or $CABIN_RUNROOT)"),
    OPTION_STRING("storage-driver", 0, struct cabin_global, storage_driver, "NAME",
                  "overlay or vfs (default: overlay where it works)"),
    OPTION_STRLIST("storage-opt", 0, struct cabin_global, storage_opts, "KEY=VALUE",
                   "storage option: overlay.mount_api=auto|new|legacy"),
    OPTION_STRING("log-level", 'l', struct cabin_global, log_level, "LEVEL",
                  "debug, info, warn or error (default warn)"),
    OPTION_BOOL("debug", 'D', struct cabin_global, debug, "log debug messages"),
    OPTION_BOOL("version", 'v', struct cabin_global, version, "print the version"),
    OPTION_END,
};

/* Our own path, for the commands the monitor runs (a sealed view's
 * /proc/self/exe is a memfd or a file of a private overlayfs): taken
 * before sealing, passed on in the environment of the sealed process. */
#define SELF_ENV "_CABIN_SELF"

static int remember_self(struct error **err)
{
    /* Our unsealed self set it.  (A cabin installed on a read-only
     * overlayfs, say a container's read-only root, counts as sealed too,
     * but runs from its real path: it sets it for itself.) */
    if (exe_guard_sealed() && getenv(SELF_ENV) != NULL)
        return 0;
    char *self = realpath("/proc/self/exe", NULL);
    if (self == NULL)
        return error_errno(err, "finding our own path (/proc/self/exe)");
    int r = setenv(SELF_ENV, self, 1);
    free(self);
    return r < 0 ? error_errno(err, "setenv") : 0;
}

/* run, start, restart, exec (and the container group's), and a cleanup
 * that restarts: they make processes in containers. */
static bool starts_containers(int argc, char **argv)
{
    static const char *const names[] = {"run", "start", "restart", "exec"};
    const char *cmd = argv[0];
    int i = 1;
    if (strcmp(cmd, "container") == 0 && argc > 1)
        cmd = argv[i++];
    if (strcmp(cmd, "cleanup") == 0) {
        for (; i < argc; i++)
            if (strcmp(argv[i], "--restart") == 0)
                return true;
        return false;
    }
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(cmd, names[k]) == 0)
            return true;
    return false;
}

static void print_help(FILE *f)
{
    options_print_help(f, "cabin [OPTIONS] COMMAND [ARG...]",
                       "A container engine without a daemon.", global_options);
    fprintf(f, "\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'cabin COMMAND --help' for more information on a command.\n");
}

struct version_cli {
    const char *format;
};

static const struct option_def version_options[] = {
    OPTION_STRING("format", 'f', struct version_cli, format, "FORMAT",
                  "json, or a template ({{.Version}}, {{.GitCommit}} ...)"),
    OPTION_END,
};

int cmd_version(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct version_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin version [OPTIONS]", "Show cabin's version and its parts.",
                     version_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    struct utsname u;
    uname(&u);
    cleanup_error struct error *err = NULL;
    cleanup_json json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Version", CABIN_VERSION, "GitCommit",
        CABIN_COMMIT, "OciRuntimeSpec", CABIN_OCI_VERSION, "Runtime",
        "cabin-runtime " CABIN_VERSION " (in-process)", "Os", "linux", "Arch", u.machine,
        "KernelVersion", u.release);
    if (j == NULL)
        return 1;
    int r = cabin_print_format(c.format, j, JSON_COMPACT, &err);
    if (r < 0)
        return cabin_fail(err, 1);
    if (r == 1)
        printf("cabin version %s\n"
               " Git commit:        %s\n"
               " OCI runtime spec:  %s\n"
               " Runtime:           cabin-runtime %s (in-process)\n"
               " OS/Arch:           linux/%s\n"
               " Kernel:            %s\n",
               CABIN_VERSION, CABIN_COMMIT, CABIN_OCI_VERSION, CABIN_VERSION, u.machine,
               u.release);
    return 0;
}

static int set_level(const char *s, struct error **err)
{
    static const struct {
        const char *name;
        enum log_level level;
    } levels[] = {{"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN},
                  {"warning", LOG_WARN}, {"error", LOG_ERROR}};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(levels[i].name, s) == 0) {
            log_set_level(levels[i].level);
            return 0;
        }
    return error_new(err, EINVAL, "--log-level: `%s` is not debug, info, warn or error", s);
}

int main(int argc, char **argv)
{
    struct cabin_ctx ctx = {{0}};
    cleanup_error struct error *err = NULL;
    log_set_program("cabin");
    int i = 1;
    int r = options_parse_docker(global_options, &ctx.g, argc, argv, &i,
                                 OPTIONS_STOP_AT_POSITIONAL, &err);
    if (r == OPTIONS_HELP) {
        print_help(stdout);
        return 0;
    }
    if (r < 0)
        return cabin_fail(err, 125);
    if (ctx.g.debug)
        log_set_level(LOG_DEBUG);
    if (ctx.g.log_level && set_level(ctx.g.log_level, &err) < 0)
        return cabin_fail(err, 125);
    if (ctx.g.version) {
        static char version[] = "version";
        char *args[] = {version, NULL};
        return cmd_version(&ctx, 1, args);
    }
    if (i >= argc) {
        print_help(stderr);
        return 1;
    }
    const char *name = argv[i];
    if (strcmp(name, "-v") == 0 || strcmp(name, "--version") == 0) {
        static char version[] = "version";
        char *args[] = {version, NULL};
        return cmd_version(&ctx, 1, args);
    }
    if (strcmp(name, "help") == 0) {
        print_help(stdout);
        return 0;
    }
    /* Commands that start a container's init run from a sealed copy of
     * this binary, as cabin-runtime's do (runtime/exe_guard.h); the
     * monitor is told our real path first. */
    if (starts_containers(argc - i, argv + i)) {
        if (remember_self(&err) < 0 || exe_guard_ensure_sealed(argv, &err) < 0)
            return cabin_fail(err, 125);
    } else if (remember_self(&err) < 0) {
        return cabin_fail(err, 125);
    }
    ctx.self = getenv(SELF_ENV);
    int status = -1;
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(commands[k].name, name) == 0)
            status = commands[k].run(&ctx, argc - i, argv + i);
    if (status < 0) {
        error_new(&err, EINVAL, "unknown command `%s` (see cabin --help)", name);
        status = cabin_fail(err, 1);
    }
    engine_free(ctx.engine);
    strv_free(ctx.g.storage_opts);
    return status;
}

int cabin_fail(struct error *e, int status)
{
    log_report_error(e);
    return status;
}

bool cabin_parse(const char *usage, const char *description, const struct option_def *defs,
                 void *opts, int argc, char **argv, unsigned flags, int min, int max,
                 int fail_status, int *index, int *ret_exit)
{
    cleanup_error struct error *err = NULL;
    int r = options_parse_command(defs, opts, argc, argv, flags | OPTIONS_DOCKER, min, max,
                                  usage, description, index, &err);
    if (r == 0)
        return true;
    *ret_exit = r == OPTIONS_HELP ? 0 : cabin_fail(err, fail_status);
    return false;
}

int cabin_engine(struct cabin_ctx *ctx, struct engine **ret, struct error **err)
{
    if (ctx->engine == NULL) {
        struct engine_opts o = {.root = ctx->g.root,
                                .runroot = ctx->g.runroot,
                                .storage_driver = ctx->g.storage_driver,
                                .storage_opts = ctx->g.storage_opts,
                                .self = ctx->self};
        int r = engine_open(&o, &ctx->engine, err);
        if (r < 0)
            return r;
    }
    *ret = ctx->engine;
    return 0;
}

int cabin_container(struct cabin_ctx *ctx, const char *name, struct engine **ret_engine,
                    struct engine_container **ret_ctr, struct error **err)
{
    int r = cabin_engine(ctx, ret_engine, err);
    return r < 0 ? r : engine_container_find(*ret_engine, name, ret_ctr, err);
}

int cabin_each_container(struct cabin_ctx *ctx, int argc, char **argv, int i,
                         cabin_container_fn fn, void *arg, bool quiet)
{
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_container struct engine_container *ctr = NULL;
        if (engine_container_find(e, argv[i], &ctr, &e2) < 0 || fn(e, ctr, arg, &e2) < 0) {
            status = cabin_fail(e2, 1);
        } else if (!quiet) {
            printf("%s\n", argv[i]);
        }
        fflush(stdout);
    }
    return status;
}

int cabin_pump(struct engine *e, struct engine_container *c, int fd, bool in, bool sig_proxy,
               const char *detach_keys, int *ret_code, struct error **err)
{
    bool tty = engine_container_tty(c);
    struct attach_pump p = {.in = in ? STDIN_FILENO : -1,
                            .out = STDOUT_FILENO,
                            .err = STDERR_FILENO,
                            .tty = tty,
                            .sig_proxy = sig_proxy && !tty,
                            .detach_keys = detach_keys,
                            .e = e,
                            .id = c->id};
    int r = attach_run(fd, &p, ret_code, err);
    if (r == 0 && p.must_clean)
        engine_attach_cleaned(e, c->id, fd);
    return r;
}

int cabin_dispatch(struct cabin_ctx *ctx, const char *group, const struct cabin_command *cmds,
                   size_t n, int argc, char **argv)
{
    cleanup_error struct error *err = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "Usage:  cabin %s COMMAND\n\nCommands:\n", group);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
        return argc < 2 ? 1 : 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(cmds[i].name, argv[1]) == 0)
            return cmds[i].run(ctx, argc - 1, argv + 1);
    error_new(&err, EINVAL, "unknown command `cabin %s %s` (see cabin %s --help)", group, argv[1],
              group);
    return cabin_fail(err, 1);
}

/* ---- formatting ----------------------------------------------------------- */

void cabin_human_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = (double) bytes;
    size_t u = 0;
    while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%lluB", (unsigned long long) bytes);
    else
        snprintf(buf, len, "%.3g%s", v, units[u]);
}

void cabin_human_size_binary(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double) bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%lluB", (unsigned long long) bytes);
    else
        snprintf(buf, len, "%.4g%s", v, units[u]);
}

bool cabin_confirm(const char *what)
{
    printf("WARNING! %s\nAre you sure you want to continue? [y/N] ", what);
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof(line), stdin) == NULL)
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

void cabin_human_ago(int64_t when, char *buf, size_t len)
{
    int64_t s = (int64_t) time(NULL) - when;
    if (when <= 0) {
        snprintf(buf, len, "N/A");
        return;
    }
    if (s < 1)
        snprintf(buf, len, "Less than a second ago");
    else if (s == 1)
        snprintf(buf, len, "1 second ago");
    else if (s < 60)
        snprintf(buf, len, "%lld seconds ago", (long long) s);
    else if (s < 120)
        snprintf(buf, len, "About a minute ago");
    else if (s < 3600)
        snprintf(buf, len, "%lld minutes ago", (long long) (s / 60));
    else if (s < 7200)
        snprintf(buf, len, "About an hour ago");
    else if (s < 48 * 3600)
        snprintf(buf, len, "%lld hours ago", (long long) (s / 3600));
    else if (s < 14 * 86400)
        snprintf(buf, len, "%lld days ago", (long long) (s / 86400));
    else if (s < 90 * 86400)
        snprintf(buf, len, "%lld weeks ago", (long long) (s / (7 * 86400)));
    else if (s < 730 * 86400)
        snprintf(buf, len, "%lld months ago", (long long) (s / (30 * 86400)));
    else
        snprintf(buf, len, "%lld years ago", (long long) (s / (365 * 86400)));
}

void cabin_rfc3339(int64_t when, char *buf, size_t len)
{
    time_t t = (time_t) when;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void cabin_table_add(struct cabin_table *t, const char *const *row)
{
    char **cells = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *));
    if (cells == NULL)
        return;
    t->cells = cells;
    for (size_t c = 0; c < t->ncols; c++)
        cells[t->nrows * t->ncols + c] = strdup(row[c] ? row[c] : "");
    t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char) *s & 0xc0) != 0x80;
    return n;
}

void cabin_table_print(struct cabin_table *t)
{
    size_t *w = calloc(t->ncols, sizeof(*w));
    for (size_t r = 0; w && r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t n = width(t->cells[r * t->ncols + c]);
            if (n > w[c])
                w[c] = n;
        }
    for (size_t r = 0; w && r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            bool last = c + 1 == t->ncols;
            printf("%s%*s", cell ? cell : "", last ? 0 : (int) (w[c] - width(cell) + 3), "");
        }
        printf("\n");
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(w);
    t->cells = NULL;
    t->nrows = 0;
}
