/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/commands.h"
#include "util/cleanup.h"
#include "util/json.h"

struct ps_cli {
    const char *format;
};

static const struct option_def ps_options[] = {
    OPTION_STRING("format", 'f', struct ps_cli, format, "FORMAT", "table (default) or json"),
    OPTION_END,
};

static bool listed(const pid_t *pids, size_t n, long pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* Like runc: run ps(1) with the given options (default -ef) and keep the
 * header and the rows whose PID column is one of the container's. */
static int print_table(const pid_t *pids, size_t n, int argc, char **argv, struct error **err)
{
    cleanup_free char *cmd = strdup("ps");
    for (int i = 0; i < argc; i++) {
        char *next = NULL;
        /* Quote each argument for the shell popen runs. */
        cleanup_free char *q = malloc(strlen(argv[i]) * 4 + 3);
        if (q == NULL || cmd == NULL)
            return error_new(err, ENOMEM, "out of memory");
        char *o = q;
        *o++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(o, "'\\''", 4);
                o += 4;
            } else {
                *o++ = *c;
            }
        }
        *o++ = '\'';
        *o = '\0';
        if (asprintf(&next, "%s %s", cmd, q) < 0)
            return error_new(err, ENOMEM, "out of memory");
        free(cmd);
        cmd = next;
    }
    if (argc == 0) {
        free(cmd);
        cmd = strdup("ps -ef");
    }
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        return error_errno(err, "running `%s`", cmd);
    cleanup_free char *line = NULL;
    size_t cap = 0;
    int pid_col = -1;
    while (getline(&line, &cap, f) > 0) {
        if (pid_col < 0) {
            char *copy = strdup(line);
            int col = 0;
            for (char *t = strtok(copy, " \t\n"); t; t = strtok(NULL, " \t\n"), col++)
                if (strcmp(t, "PID") == 0) {
                    pid_col = col;
                    break;
                }
            free(copy);
            fputs(line, stdout);
            if (pid_col < 0) {
                pclose(f);
                return error_new(err, EINVAL, "`%s` printed no PID column", cmd);
            }
            continue;
        }
        char *copy = strdup(line);
        char *t = strtok(copy, " \t\n");
        for (int col = 0; t && col < pid_col; col++)
            t = strtok(NULL, " \t\n");
        if (t && listed(pids, n, strtol(t, NULL, 10)))
            fputs(line, stdout);
        free(copy);
    }
    pclose(f);
    return 0;
}

int cmd_ps(const struct global_opts *g, int argc, char **argv)
{
    struct ps_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime ps [--format table|json] ID [-- PS-OPTIONS]",
                   "List the processes of a container (host pids).", ps_options, &c, argc, argv,
                   &i, -1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (i >= argc) {
        error_new(&err, EINVAL, "ps: expected a container id");
        return cli_fail(err);
    }
    const char *fmt = c.format ? c.format : "table";
    if (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0) {
        error_new(&err, EINVAL, "--format: `%s` is not table or json", fmt);
        return cli_fail(err);
    }
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;
    int r = container_pids(rt, argv[i], &pids, &n, &err);
    runtime_free(rt);
    if (r < 0)
        return cli_fail(err);
    if (strcmp(fmt, "json") == 0) {
        if (argc - i > 1) {
            error_new(&err, EINVAL, "ps: options for ps(1) do not go with --format json");
            return cli_fail(err);
        }
        cleanup_json json_t *a = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(a, json_integer(pids[k]));
        char *s = json_dumps(a, JSON_COMPACT);
        puts(s ? s : "[]");
        free(s);
        return 0;
    }
    int first = i + 1;
    if (first < argc && strcmp(argv[first], "--") == 0)
        first++;
    if (print_table(pids, n, argc - first, argv + first, &err) < 0)
        return cli_fail(err);
    return 0;
}
