/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* docker's exit codes for what is not the container's own status. */
#define EXIT_CABIN        125
#define EXIT_CANNOT_EXEC  126
#define EXIT_NOT_FOUND    127

struct run_cli {
    bool interactive, tty, rm;
    char **env;
};

static const struct option_def run_options[] = {
    OPTION_BOOL("interactive", 'i', struct run_cli, interactive, "keep stdin open"),
    OPTION_BOOL("tty", 't', struct run_cli, tty, "give the process a terminal"),
    OPTION_BOOL("rm", 0, struct run_cli, rm, "remove the container when it exits"),
    OPTION_STRLIST("env", 'e', struct run_cli, env, "KEY=VALUE",
                   "set an environment variable (KEY alone: take ours)"),
    OPTION_END,
};

/* The process could not be started: 126 or 127 as docker, from the
 * runtime's exec error. */
static int start_failure(const struct error *e)
{
    if (e && e->code == ENOENT && strstr(e->msg, "not found locally") == NULL)
        return EXIT_NOT_FOUND;
    if (e && (e->code == EACCES || e->code == ENOEXEC || e->code == EPERM))
        return EXIT_CANNOT_EXEC;
    return EXIT_CABIN;
}

int cmd_run(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct run_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                     "Run a command in a new container, in the foreground.  The exit status is "
                     "the command's (125: cabin failed, 126: not executable, 127: not found).",
                     run_options, &c, argc, argv, OPTIONS_STOP_AT_POSITIONAL, 1, -1, EXIT_CABIN,
                     &i, &ex)) {
        strv_free(c.env);
        return ex;
    }
    cleanup_strv char **env = c.env;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, EXIT_CABIN);
    struct engine_run_opts o = {
        .image = argv[i],
        .cmd = i + 1 < argc ? argv + i + 1 : NULL,
        .env = env,
        .tty = c.tty,
        .interactive = c.interactive,
        .rm = c.rm,
    };
    /* From here on a Ctrl-C or a TERM must not leave a half-made container
     * or a mounted root: they wait (blocked) until the process runs, and
     * then go to it (the runtime forwards them; its init unblocks them). */
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGINT);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGHUP);
    sigaddset(&term, SIGQUIT);
    sigprocmask(SIG_BLOCK, &term, NULL);
    struct engine_container *ctr = NULL;
    if (engine_container_create(e, &o, &ctr, &err) < 0)
        return cabin_fail(err, EXIT_CABIN);
    int status = 0;
    int r = engine_container_run(e, ctr, c.interactive, &status, &err);
    engine_container_free(ctr);
    if (r < 0)
        return cabin_fail(err, start_failure(err));
    return status;
}
