/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "image/reference.h"
#include "util/cleanup.h"

struct ps_cli {
    bool all, quiet, no_trunc;
};

static const struct option_def ps_options[] = {
    OPTION_BOOL("all", 'a', struct ps_cli, all, "every container (default: running ones)"),
    OPTION_BOOL("quiet", 'q', struct ps_cli, quiet, "print container ids only"),
    OPTION_BOOL("no-trunc", 0, struct ps_cli, no_trunc, "do not shorten ids and commands"),
    OPTION_END,
};

static void status_text(const struct engine_container *c, enum engine_status st, char *buf,
                        size_t len)
{
    char ago[64];
    if (st == ENGINE_EXITED && c->exited) {
        cabin_human_ago(c->finished, ago, sizeof(ago));
        snprintf(buf, len, "Exited (%d) %s", c->exit_code, ago);
    } else if (st == ENGINE_EXITED) {
        snprintf(buf, len, "Exited");
    } else if (st == ENGINE_RUNNING || st == ENGINE_PAUSED) {
        snprintf(buf, len, "Up%s", st == ENGINE_PAUSED ? " (Paused)" : "");
    } else {
        snprintf(buf, len, "Created");
    }
}

int cmd_ps(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct ps_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin ps [OPTIONS]", "List containers.", ps_options, &c, argc, argv, 0, 0,
                     0, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct engine_container **list = NULL;
    size_t n = 0;
    if (engine_container_list(e, &list, &n, &err) < 0)
        return cabin_fail(err, 1);
    struct cabin_table t = {.ncols = 5};
    if (!c.quiet)
        cabin_table_add(&t, (const char *[]) {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                              "STATUS"});
    for (size_t k = n; k-- > 0;) {
        const struct engine_container *ct = list[k];
        enum engine_status st = engine_container_status(e, ct);
        if (!c.all && st != ENGINE_RUNNING && st != ENGINE_PAUSED)
            continue;
        if (c.quiet) {
            printf(c.no_trunc ? "%s\n" : "%.12s\n", ct->id);
            continue;
        }
        char cmd[256] = "", created[64], status[96];
        size_t used = 0;
        for (size_t a = 0; ct->command && ct->command[a] && used < sizeof(cmd) - 1; a++)
            used += (size_t) snprintf(cmd + used, sizeof(cmd) - used, "%s%s", a ? " " : "",
                                      ct->command[a]);
        if (!c.no_trunc && strlen(cmd) > 20)
            strcpy(cmd + 19, "…");
        char quoted[300];
        snprintf(quoted, sizeof(quoted), "\"%s\"", cmd);
        cabin_human_ago(ct->created, created, sizeof(created));
        status_text(ct, st, status, sizeof(status));
        char id[ENGINE_ID_LEN + 1];
        snprintf(id, sizeof(id), c.no_trunc ? "%s" : "%.12s", ct->id);
        cabin_table_add(&t, (const char *[]) {id, ct->image, quoted, created, status});
    }
    if (!c.quiet)
        cabin_table_print(&t);
    engine_container_list_free(list);
    return 0;
}
