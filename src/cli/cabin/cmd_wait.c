/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/lifecycle.h"

static int do_wait(struct engine *e, struct engine_container *c, void *arg, struct error **err)
{
    (void) arg;
    int code = 0;
    if (engine_container_wait(e, c, &code, err) < 0)
        return -1;
    printf("%d\n", code);
    return 0;
}

int cmd_wait(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin wait CONTAINER [CONTAINER...]",
                     "Wait until containers stop, and print their exit codes.",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 1, -1, 1, &i,
                     &ex))
        return ex;
    return cabin_each_container(ctx, argc, argv, i, do_wait, NULL, true);
}
