/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cabin/commands.h"
#include "engine/lifecycle.h"

static int do_pause(struct engine *e, struct engine_container *c, void *arg, struct error **err)
{
    return *(bool *) arg ? engine_container_pause(e, c, err) : engine_container_unpause(e, c, err);
}

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
    return cabin_each_container(ctx, argc, argv, i, do_pause, &pause, false);
}

int cmd_pause(struct cabin_ctx *ctx, int argc, char **argv)
{
    return pause_or_unpause(ctx, argc, argv, true);
}

int cmd_unpause(struct cabin_ctx *ctx, int argc, char **argv)
{
    return pause_or_unpause(ctx, argc, argv, false);
}
