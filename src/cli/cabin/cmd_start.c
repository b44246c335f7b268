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
    struct attach_pump p = {.in = in ? STDIN_FILENO : -1,
                            .out = STDOUT_FILENO,
                            .err = STDERR_FILENO,
                            .tty = engine_container_tty(c),
                            .sig_proxy = !engine_container_tty(c),
                            .detach_keys = o->detach_keys,
                            .e = e,
                            .id = c->id};
    int code = 0;
    int r = attach_run(fd, &p, &code, err);
    if (r < 0)
        return -1;
    return r == 1 ? 0 : code;
}

int cmd_start(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct start_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin start [OPTIONS] CONTAINER [CONTAINER...]",
                     "Start created or stopped containers.", start_options, &c, argc, argv, 0, 1,
                     -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    if ((c.attach || c.interactive) && argc - i > 1) {
        error_new(&err, EINVAL, "you cannot start and attach several containers at once");
        return cabin_fail(err, 1);
    }
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_container struct engine_container *ctr = NULL;
        if (engine_container_find(e, argv[i], &ctr, &e2) < 0) {
            status = cabin_fail(e2, 1);
            continue;
        }
        if (c.attach || c.interactive) {
            int code = start_attached(e, ctr, &c, &e2);
            return code < 0 ? cabin_fail(e2, 1) : code;
        }
        if (engine_container_start(e, ctr, NULL, NULL, &e2) < 0)
            status = cabin_fail(e2, 1);
        else
            printf("%s\n", argv[i]);
    }
    return status;
}
