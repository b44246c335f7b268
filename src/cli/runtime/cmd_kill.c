/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>

#include "cli/runtime/commands.h"
#include "runtime/signals.h"

struct kill_cli {
    bool all;
};

static const struct option_def kill_options[] = {
    OPTION_BOOL("all", 'a', struct kill_cli, all, "signal every process of the container"),
    OPTION_END,
};

int cmd_kill(const struct global_opts *g, int argc, char **argv)
{
    struct kill_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime kill [--all] ID [SIGNAL]",
                   "Send SIGNAL (a name like TERM or SIGKILL, or a number; default TERM) to a "
                   "container's init.",
                   kill_options, &c, argc, argv, &i, -1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    int n = argc - i;
    if (n < 1 || n > 2) {
        error_new(&err, EINVAL, "kill: expected ID [SIGNAL], got %d arguments", n);
        return cli_fail(err);
    }
    int sig = SIGTERM;
    if (n == 2 && (sig = signal_parse(argv[i + 1], &err)) < 0)
        return cli_fail(err);
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    int r = container_kill(rt, argv[i], sig, c.all, &err);
    runtime_free(rt);
    return r < 0 ? cli_fail(err) : 0;
}
