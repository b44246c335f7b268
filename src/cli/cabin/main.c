/* SPDX-License-Identifier: Apache-2.0 */
/* cabin: a Docker-style container engine without a daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cabin/commands.h"
#include "config.h"
#include "runtime/exe_guard.h"
#include "util/log.h"
#include "util/strv.h"

static const struct cabin_command commands[] = {
    {"image", cmd_image, "manage images (ls, inspect, rm, tag, prune, import, load, save)"},
    {"images", cmd_images, "list images"},
    {"import", cmd_import, "make an image from a root file system tarball"},
    {"load", cmd_load, "load images from a docker or OCI archive"},
    {"login", cmd_login, "log in to a registry"},
    {"logout", cmd_logout, "log out of a registry"},
    {"network", cmd_network, "manage networks (create, ls, inspect, rm, prune)"},
    {"port", cmd_port, "list a container's published ports"},
    {"ps", cmd_ps, "list containers"},
    {"pull", cmd_pull, "pull an image from a registry"},
    {"push", cmd_push, "push an image to a registry"},
    {"rm", cmd_rm, "remove containers"},
    {"rmi", cmd_rmi, "remove images"},
    {"run", cmd_run, "run a command in a new container"},
    {"save", cmd_save, "save images to a docker or OCI archive"},
    {"system", cmd_system, "manage cabin (df)"},
    {"tag", cmd_tag, "give an image another name"},
    {"version", cmd_version, "show cabin's version"},
    {"volume", cmd_volume, "manage volumes (create, ls, inspect, rm, prune)"},
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
    OPTION_END,
};

static void print_help(FILE *f)
{
    options_print_help(f, "cabin [OPTIONS] COMMAND [ARG...]",
                       "A container engine without a daemon.", global_options);
    fprintf(f, "  %-28s %s\n\nCommands:\n", "-v, --version", "print the version");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'cabin COMMAND --help' for more information on a command.\n");
}

int cmd_version(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin version", "Show cabin's version.", (const struct option_def[]) {OPTION_END},
                     NULL, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    printf("cabin version %s\ncommit: %s\nOCI runtime spec: %s\n", CABIN_VERSION, CABIN_COMMIT,
           CABIN_OCI_VERSION);
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
     * this binary, as cabin-runtime's do (runtime/exe_guard.h). */
    if (strcmp(name, "run") == 0 && exe_guard_ensure_sealed(argv, &err) < 0)
        return cabin_fail(err, 125);
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
                                .storage_opts = ctx->g.storage_opts};
        int r = engine_open(&o, &ctx->engine, err);
        if (r < 0)
            return r;
    }
    *ret = ctx->engine;
    return 0;
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
