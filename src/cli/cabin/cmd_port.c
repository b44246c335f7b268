/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin port CONTAINER [PRIVATE_PORT[/PROTO]]`. */
#include <errno.h>
#include <stdio.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/sandbox.h"
#include "util/cleanup.h"
#include "util/strv.h"

int cmd_port(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin port CONTAINER [PRIVATE_PORT[/PROTO]]",
                     "List a running container's published ports (host address and port "
                     "for each container port), or the host side of one of them.",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 1, 2, 1, &i,
                     &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    struct engine_container *c = NULL;
    if (cabin_engine(ctx, &e, &err) < 0 || engine_container_find(e, argv[i], &c, &err) < 0)
        return cabin_fail(err, 1);
    cleanup_sandbox struct sandbox *s = NULL;
    int r = sandbox_load(e, c->id, &s, &err);
    /* A container that shares another's network has that one's ports. */
    if (r == 0 && s->mode == NET_MODE_CONTAINER && s->joined) {
        cleanup_sandbox struct sandbox *other = NULL;
        if (sandbox_load(e, s->joined, &other, NULL) == 0) {
            sandbox_free(s);
            s = steal_pointer(&other);
        }
    }
    engine_container_free(c);
    if (r < 0 && error_code(err) != ENOENT)
        return cabin_fail(err, 1);
    cleanup_strv char **lines = NULL;
    cleanup_error struct error *e2 = NULL;
    if (sandbox_port_lines(r == 0 ? s : NULL, i + 1 < argc ? argv[i + 1] : NULL, &lines, &e2) < 0)
        return cabin_fail(e2, 1);
    for (size_t k = 0; lines && lines[k]; k++)
        printf("%s\n", lines[k]);
    return 0;
}
