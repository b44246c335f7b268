/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/attach.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

struct start_cli {
    bool attach, interactive;
    const char *detach_keys;
};

static const struct option_def start_options[] = {
    OPTION_BOOL("attach", 'a', struct start_cli, attach,
                "attach to its output and wait for it (one container only)"),
    OPTION_BOOL("interactive", 'i', struct start_cli, interactive, "attach its stdin too"),
    OPTION_STRING("detach-keys", 0, struct start_cli, detach_keys, "KEYS",
                  "keys that detach from a terminal (default ctrl-p,ctrl-q)"),
    OPTION_END,
};

static int start_attached(struct engine *e, struct engine_container *c,
                          const struct start_cli *o, struct error **err)
{
    bool in = o->interactive && engine_container_open_stdin(c);
    struct engine_attach_opts a = {.in = in, .out = true, .err = true,
                                   .stdin_once = in && engine_container_stdin_once(c)};
    cleanup_close int fd = -1;
    if (engine_container_start(e, c, &a, &fd, err) < 0)
        return -1;
    int code = 0;
    int r = cabin_pump(e, c, fd, in, true, o->detach_keys, &code, err);
    if (r < 0)
        return -1;
    return r == 1 ? 0 : code;
}

static int do_start(struct engine *e, struct engine_container *c, void *arg, struct error **err)
{
    (void) arg;
    return engine_container_start(e, c, NULL, NULL, err);
}

int cmd_start(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct start_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin start [OPTIONS] CONTAINER [CONTAINER...]",
                     "Start created or stopped containers.", start_options, &c, argc, argv, 0, 1,
                     -1, 1, &i, &ex))
        return ex;
    if (!c.attach && !c.interactive)
        return cabin_each_container(ctx, argc, argv, i, do_start, NULL, false);
    cleanup_error struct error *err = NULL;
    if (argc - i > 1) {
        error_new(&err, EINVAL, "you cannot start and attach several containers at once");
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    if (cabin_container(ctx, argv[i], &e, &ctr, &err) < 0)
        return cabin_fail(err, 1);
    int code = start_attached(e, ctr, &c, &err);
    return code < 0 ? cabin_fail(err, 1) : code;
}
