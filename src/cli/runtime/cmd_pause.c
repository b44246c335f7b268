/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime/commands.h"

static const struct option_def pause_options[] = {OPTION_END};

int cmd_pause(const struct global_opts *g, int argc, char **argv)
{
    int i, ex;
    if (!cli_parse("cabin-runtime pause ID",
                   "Freeze every process of a running container (its cgroup).",
                   pause_options, NULL, argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    int r = container_pause(rt, argv[i], &err);
    runtime_free(rt);
    return r < 0 ? cli_fail(err) : 0;
}
