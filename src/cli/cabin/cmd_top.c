/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/stats.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cmd_top(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin top CONTAINER [ps OPTIONS]",
                     "Show the processes of a running container (ps -ef unless other options "
                     "are given).",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv,
                     OPTIONS_STOP_AT_POSITIONAL, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    cleanup_strv char **lines = NULL;
    int r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r == 0)
        r = engine_container_top(e, ctr, argv + i + 1, &lines, &err);
    if (r < 0)
        return cabin_fail(err, 1);
    for (size_t k = 0; lines[k]; k++)
        printf("%s\n", lines[k]);
    return 0;
}
