/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/commands.h"
#include "util/json.h"

struct list_cli {
    const char *format;
    bool quiet;
};

static const struct option_def list_options[] = {
    OPTION_STRING("format", 'f', struct list_cli, format, "FORMAT", "table (default) or json"),
    OPTION_BOOL("quiet", 'q', struct list_cli, quiet, "print the ids only"),
    OPTION_END,
};

static void print_table(json_t *arr)
{
    printf("%-24s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        printf("%-24s %-8lld %-10s %-40s %-31s %s\n",
               json_string_value(json_object_get(c, "id")),
               (long long) json_integer_value(json_object_get(c, "pid")),
               json_string_value(json_object_get(c, "status")),
               json_string_value(json_object_get(c, "bundle")),
               json_string_value(json_object_get(c, "created"))
                   ? json_string_value(json_object_get(c, "created"))
                   : "",
               json_string_value(json_object_get(c, "owner")));
    }
}

int cmd_list(const struct global_opts *g, int argc, char **argv)
{
    struct list_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime list [--format table|json] [-q]",
                   "List the containers under the state root.", list_options, &c, argc, argv, &i,
                   0, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    const char *fmt = c.format ? c.format : "table";
    if (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0) {
        error_new(&err, EINVAL, "--format: `%s` is not table or json", fmt);
        return cli_fail(err);
    }
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    cleanup_json json_t *arr = NULL;
    int r = container_list(rt, &arr, &err);
    runtime_free(rt);
    if (r < 0)
        return cli_fail(err);
    if (c.quiet) {
        size_t k;
        json_t *v;
        json_array_foreach(arr, k, v) puts(json_string_value(json_object_get(v, "id")));
    } else if (strcmp(fmt, "json") == 0) {
        char *s = json_dumps(arr, JSON_COMPACT);
        if (s)
            puts(s);
        free(s);
    } else {
        print_table(arr);
    }
    return 0;
}
