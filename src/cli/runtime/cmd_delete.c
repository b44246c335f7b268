/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime/commands.h"

struct delete_cli {
    bool force;
};

static const struct option_def delete_options[] = {
    OPTION_BOOL("force", 'f', struct delete_cli, force,
                "kill the container first if it is running"),
    OPTION_END,
};

int cmd_delete(const struct global_opts *g, int argc, char **argv)
{
    struct delete_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime delete [--force] ID",
                   "Delete a container: its processes (with --force when running), its state.",
                   delete_options, &c, argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    int r = container_delete(rt, argv[i], c.force, &err);
    runtime_free(rt);
    return r < 0 ? cli_fail(err) : 0;
}
