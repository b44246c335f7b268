/* SPDX-License-Identifier: Apache-2.0 */
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/attach.h"
#include "engine/container.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

struct attach_cli {
    bool no_stdin, sig_proxy;
    const char *detach_keys;
};

static const struct option_def attach_options[] = {
    OPTION_BOOL("no-stdin", 0, struct attach_cli, no_stdin, "do not attach stdin"),
    OPTION_BOOL("sig-proxy", 0, struct attach_cli, sig_proxy,
                "pass the signals we get to the process (default true; not with a terminal)"),
    OPTION_STRING("detach-keys", 0, struct attach_cli, detach_keys, "KEYS",
                  "keys that detach from a terminal (default ctrl-p,ctrl-q)"),
    OPTION_END,
};

int cmd_attach(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct attach_cli c = {.sig_proxy = true};
    int i, ex;
    if (!cabin_parse("cabin attach [OPTIONS] CONTAINER",
                     "Attach our stdin, stdout and stderr to a running container's, until it "
                     "ends or the detach keys are typed.",
                     attach_options, &c, argc, argv, 0, 1, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    int r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r < 0)
        return cabin_fail(err, 1);
    bool in = !c.no_stdin && engine_container_open_stdin(ctr);
    struct engine_attach_opts a = {.in = in, .out = true, .err = true,
                                   .stdin_once = in && engine_container_stdin_once(ctr)};
    cleanup_close int fd = -1;
    if (engine_container_attach(e, ctr, &a, &fd, &err) < 0)
        return cabin_fail(err, 1);
    int code = 0;
    r = cabin_pump(e, ctr, fd, in, c.sig_proxy, c.detach_keys, &code, &err);
    if (r < 0)
        return cabin_fail(err, 1);
    return r == 1 ? 0 : code;
}
