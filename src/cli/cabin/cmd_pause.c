/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

static int pause_or_unpause(struct cabin_ctx *ctx, int argc, char **argv, bool pause)
{
    int i, ex;
    if (!cabin_parse(pause ? "cabin pause CONTAINER [CONTAINER...]"
                           : "cabin unpause CONTAINER [CONTAINER...]",
                     pause ? "Freeze every process of running containers."
                           : "Thaw the processes of paused containers.",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 1, -1, 1, &i,
                     &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_container struct engine_container *ctr = NULL;
        int r = engine_container_find(e, argv[i], &ctr, &e2);
        if (r == 0)
            r = pause ? engine_container_pause(e, ctr, &e2) : engine_container_unpause(e, ctr, &e2);
        if (r < 0)
            status = cabin_fail(e2, 1);
        else
            printf("%s\n", argv[i]);
    }
    return status;
}

int cmd_pause(struct cabin_ctx *ctx, int argc, char **argv)
{
    return pause_or_unpause(ctx, argc, argv, true);
}

int cmd_unpause(struct cabin_ctx *ctx, int argc, char **argv)
{
    return pause_or_unpause(ctx, argc, argv, false);
}
