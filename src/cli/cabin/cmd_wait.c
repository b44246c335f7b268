/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

int cmd_wait(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin wait CONTAINER [CONTAINER...]",
                     "Wait until containers stop, and print their exit codes.",
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
        int code = 0;
        int r = engine_container_find(e, argv[i], &ctr, &e2);
        if (r == 0)
            r = engine_container_wait(e, ctr, &code, &e2);
        if (r < 0) {
            status = cabin_fail(e2, 1);
        } else {
            printf("%d\n", code);
            fflush(stdout);
        }
    }
    return status;
}
