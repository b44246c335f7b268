/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/images.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct rmi_cli {
    bool force;
};

static const struct option_def rmi_options[] = {
    OPTION_BOOL("force", 'f', struct rmi_cli, force,
                "remove an image with several names, or one a stopped container uses"),
    OPTION_END,
};

int cmd_rmi(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct rmi_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin rmi [OPTIONS] IMAGE [IMAGE...]",
                     "Remove images (a name, an id or an id prefix).  Layers another image or a "
                     "container still uses are kept.",
                     rmi_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_strv char **lines = NULL;
        cleanup_error struct error *e2 = NULL;
        int r = engine_image_remove(e, argv[i], c.force, &lines, &e2);
        for (size_t k = 0; lines && lines[k]; k++)
            printf("%s\n", lines[k]);
        if (r < 0)
            status = cabin_fail(e2, 1);
    }
    return status;
}
