/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "util/cleanup.h"

struct rm_cli {
    bool force, volumes;
};

static const struct option_def rm_options[] = {
    OPTION_BOOL("force", 'f', struct rm_cli, force, "kill and remove a running container"),
    OPTION_BOOL("volumes", 'v', struct rm_cli, volumes,
                "remove its anonymous volumes too"),
    OPTION_END,
};

int cmd_rm(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct rm_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin rm [OPTIONS] CONTAINER [CONTAINER...]",
                     "Remove containers (a name, an id or a unique id prefix), with their "
                     "writable layers and logs.",
                     rm_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        if (engine_container_remove(e, argv[i], c.force, c.volumes, &e2) < 0)
            status = cabin_fail(e2, 1);
        else
            printf("%s\n", argv[i]);
    }
    return status;
}
