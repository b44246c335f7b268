/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/exec.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct exec_cli {
    bool interactive, tty, detach, privileged;
    char **env, **env_files;
    const char *user, *workdir, *detach_keys;
};

static const struct option_def exec_options[] = {
    OPTION_BOOL("interactive", 'i', struct exec_cli, interactive, "keep stdin open"),
    OPTION_BOOL("tty", 't', struct exec_cli, tty, "give the process a terminal"),
    OPTION_BOOL("detach", 'd', struct exec_cli, detach, "run it in the background"),
    OPTION_STRLIST("env", 'e', struct exec_cli, env, "KEY=VALUE",
                   "set an environment variable (KEY: ours)"),
    OPTION_STRLIST("env-file", 0, struct exec_cli, env_files, "FILE",
                   "read environment variables from FILE"),
    OPTION_STRING("user", 'u', struct exec_cli, user, "USER[:GROUP]",
                  "user (name or uid) and group, as the container knows them"),
    OPTION_STRING("workdir", 'w', struct exec_cli, workdir, "DIR",
                  "the working directory (default: the container's)"),
    OPTION_BOOL("privileged", 0, struct exec_cli, privileged, "every capability"),
    OPTION_END,
};

int cmd_exec(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct exec_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin exec [OPTIONS] CONTAINER COMMAND [ARG...]",
                     "Run one more command in a running container.  The exit status is the "
                     "command's (126: not executable, 127: not found).",
                     exec_options, &c, argc, argv, OPTIONS_STOP_AT_POSITIONAL, 2, -1, 125, &i,
                     &ex)) {
        strv_free(c.env);
        strv_free(c.env_files);
        return ex;
    }
    cleanup_strv char **env = c.env, **env_files = c.env_files;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    struct engine_exec_opts o = {.args = argv + i + 1, .env = env, .env_files = env_files,
                                 .user = c.user, .workdir = c.workdir, .tty = c.tty,
                                 .interactive = c.interactive, .detach = c.detach,
                                 .privileged = c.privileged};
    int status = 0;
    int r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r < 0)
        return cabin_fail(err, 125);
    bool exec_failed = false;
    if (engine_container_exec(e, ctr, &o, &status, &exec_failed, &err) < 0)
        return cabin_fail(err, !exec_failed ? 125 : err->code == ENOENT ? 127 : 126);
    return status;
}
