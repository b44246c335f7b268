/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
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
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_container struct engine_container *ctr = NULL;
        int r = engine_container_find(e, argv[i], &ctr, &e2);
        if (r == 0)
            r = engine_container_kill(e, ctr, sig, &e2);
        if (r < 0)
            status = cabin_fail(e2, 1);
        else
            printf("%s\n", argv[i]);
    }
    return status;
}
