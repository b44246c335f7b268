/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

int cmd_rename(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin rename CONTAINER NEW_NAME", "Give a container another name.",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 2, 2, 1, &i,
                     &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    int r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r == 0)
        r = engine_container_rename(e, ctr, argv[i + 1], &err);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
