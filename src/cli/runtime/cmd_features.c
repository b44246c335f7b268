/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/runtime/commands.h"
#include "runtime/features.h"
#include "util/json.h"

static const struct option_def features_options[] = {OPTION_END};

int cmd_features(const struct global_opts *g, int argc, char **argv)
{
    int i, ex;
    if (!cli_parse("cabin-runtime features",
                   "Print what this runtime implements, as the OCI features JSON.",
                   features_options, NULL, argc, argv, &i, 0, &ex))
        return ex;
    cleanup_json json_t *j = features_json();
    char *s = j ? json_dumps(j, JSON_INDENT(4)) : NULL;
    if (s == NULL)
        return 1;
    puts(s);
    free(s);
    return 0;
}
