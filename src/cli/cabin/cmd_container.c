/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin container ...`, `container prune` and `container cleanup`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"
#include "util/strv.h"

static const struct cabin_command container_commands[] = {
    {"attach", cmd_attach, "attach to a running container's input and output"},
    {"cleanup", cmd_container_cleanup, "clean up after a container's process (its monitor's)"},
    {"cp", cmd_cp, "copy files between a container and the host"},
    {"create", cmd_create, "create a container"},
    {"exec", cmd_exec, "run a command in a running container"},
    {"inspect", cmd_inspect, "show containers in detail"},
    {"kill", cmd_kill, "send a signal to running containers"},
    {"logs", cmd_logs, "print a container's output"},
    {"ls", cmd_ps, "list containers"},
    {"pause", cmd_pause, "freeze the processes of containers"},
    {"prune", cmd_container_prune, "remove every stopped container"},
    {"ps", cmd_ps, "list containers"},
    {"rename", cmd_rename, "rename a container"},
    {"restart", cmd_restart, "restart containers"},
    {"rm", cmd_rm, "remove containers"},
    {"run", cmd_run, "run a command in a new container"},
    {"start", cmd_start, "start created or stopped containers"},
    {"stats", cmd_stats, "show containers' use of resources"},
    {"stop", cmd_stop, "stop running containers"},
    {"top", cmd_top, "show the processes of a container"},
    {"unpause", cmd_unpause, "thaw the processes of containers"},
    {"wait", cmd_wait, "wait until containers stop; print their exit codes"},
};

int cmd_container(struct cabin_ctx *ctx, int argc, char **argv)
{
    return cabin_dispatch(ctx, "container", container_commands,
                          sizeof(container_commands) / sizeof(container_commands[0]), argc, argv);
}

/* ---- prune ------------------------------------------------------------------- */

struct prune_cli {
    bool force;
    char **filters;
};

static const struct option_def prune_options[] = {
    OPTION_BOOL("force", 'f', struct prune_cli, force, "do not ask for confirmation"),
    OPTION_STRLIST("filter", 0, struct prune_cli, filters, "KEY=VALUE",
                   "label=KEY[=VALUE], label!=KEY[=VALUE] or until=TIME"),
    OPTION_END,
};

int cmd_container_prune(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct prune_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin container prune [OPTIONS]",
                     "Remove every stopped container (created ones too).", prune_options, &c, argc,
                     argv, 0, 0, 0, 1, &i, &ex)) {
        strv_free(c.filters);
        return ex;
    }
    cleanup_strv char **filters = c.filters;
    cleanup_error struct error *err = NULL;
    struct engine_prune_filter f;
    if (engine_prune_filter_parse(filters, &f, &err) < 0)
        return cabin_fail(err, 1);
    if (!c.force && !cabin_confirm("This will remove all stopped containers."))
        return 0;
    struct engine *e = NULL;
    cleanup_strv char **removed = NULL;
    uint64_t bytes = 0;
    int r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = engine_container_prune(e, &f, &removed, &bytes, &err);
    engine_prune_filter_release(&f);
    if (removed) {
        printf("Deleted Containers:\n");
        for (size_t k = 0; removed[k]; k++)
            printf("%s\n", removed[k]);
        printf("\n");
    }
    char size[32];
    cabin_human_size(bytes, size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return r < 0 ? cabin_fail(err, 1) : 0;
}

/* ---- cleanup ------------------------------------------------------------------- */

struct cleanup_cli {
    bool restart;
    unsigned report_fd;
    bool has_report;
};

static const struct option_def cleanup_options[] = {
    OPTION_BOOL("restart", 0, struct cleanup_cli, restart,
                "start the container's process again (restart policy)"),
    OPTION_UINT("report-fd", 0, struct cleanup_cli, report_fd, "FD",
                "where to say how it went (the monitor's pipe)"),
    OPTION_END,
};

int cmd_container_cleanup(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct cleanup_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin container cleanup [OPTIONS] CONTAINER",
                     "What a container's monitor runs after its process ended: remove the "
                     "runtime's state and the mount (and the container, with --rm), or start "
                     "it again.",
                     cleanup_options, &c, argc, argv, 0, 1, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    int fd = c.report_fd > 2 ? (int) c.report_fd : -1;
    int r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r == 0) {
        r = engine_container_cleanup(e, ctr->id, c.restart, fd, &err);
    } else if (error_code(err) == ENOENT && !c.restart) {
        if (fd >= 0)
            dprintf(fd, "OK\n"); /* removed meanwhile: nothing to clean */
        return 0;
    } else if (fd >= 0) {
        dprintf(fd, "ERR %d %s\n", error_code(err), err->msg);
    }
    return r < 0 ? cabin_fail(err, 1) : 0;
}
