/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/runtime/commands.h"
#include "util/json.h"

static const struct option_def state_options[] = {OPTION_END};

int cmd_state(const struct global_opts *g, int argc, char **argv)
{
    int i, ex;
    if (!cli_parse("cabin-runtime state ID", "Print a container's state as OCI state JSON.",
                   state_options, NULL, argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    cleanup_json json_t *j = NULL;
    int r = container_state(rt, argv[i], &j, &err);
    runtime_free(rt);
    if (r < 0)
        return cli_fail(err);
    char *s = json_dumps(j, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
    return 0;
}
