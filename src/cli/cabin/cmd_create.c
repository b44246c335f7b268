/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "cli/cabin/create_opts.h"
#include "engine/container.h"
#include "engine/create.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cmd_create(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct create_cli c;
    create_cli_init(&c);
    int i, ex;
    if (!cabin_parse("cabin create [OPTIONS] IMAGE [COMMAND] [ARG...]",
                     "Create a container from IMAGE, without starting it (see cabin start); "
                     "print its id.",
                     create_cli_create_options, &c, argc, argv, OPTIONS_STOP_AT_POSITIONAL, 1, -1,
                     125, &i, &ex)) {
        create_cli_release(&c);
        return ex;
    }
    cleanup_error struct error *err = NULL;
    cleanup_strv char **warnings = NULL;
    struct engine *e = NULL;
    struct engine_create_opts o;
    /* docker create attaches stdout and stderr in the config (for start -a),
     * and with -i stdin once. */
    create_cli_to_opts(&c, argc, argv, i, true, &o);
    cleanup_container struct engine_container *ctr = NULL;
    int r = create_cli_pull(ctx, &c, o.image, stderr, &err);
    if (r == 0)
        r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = engine_container_create(e, &o, &ctr, &warnings, &err);
    create_cli_release(&c);
    if (r < 0)
        return cabin_fail(err, 125);
    cabin_print_warnings(warnings);
    /* Created, not running: its root is mounted when it starts. */
    if (engine_container_unmount(e, ctr, &err) < 0)
        return cabin_fail(err, 125);
    printf("%s\n", ctr->id);
    return 0;
}
