/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cabin/commands.h"
#include "engine/lifecycle.h"
#include "runtime/signals.h"
#include "util/cleanup.h"

struct kill_cli {
    const char *signal;
};

static const struct option_def kill_options[] = {
    OPTION_STRING("signal", 's', struct kill_cli, signal, "SIGNAL",
                  "the signal to send (default KILL)"),
    OPTION_END,
};

static int do_kill(struct engine *e, struct engine_container *c, void *arg, struct error **err)
{
    return engine_container_kill(e, c, *(int *) arg, err);
}

int cmd_kill(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct kill_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin kill [OPTIONS] CONTAINER [CONTAINER...]",
                     "Send a signal (SIGKILL unless -s) to the process of running containers.",
                     kill_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    int sig = signal_parse(c.signal ? c.signal : "KILL", &err);
    if (sig < 0)
        return cabin_fail(err, 1);
    return cabin_each_container(ctx, argc, argv, i, do_kill, &sig, false);
}
