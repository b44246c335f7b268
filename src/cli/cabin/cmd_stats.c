/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/stats.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct stats_cli {
    bool all, no_stream, no_trunc;
    const char *format;
};

static const struct option_def stats_options[] = {
    OPTION_BOOL("all", 'a', struct stats_cli, all, "every container (default: running ones)"),
    OPTION_BOOL("no-stream", 0, struct stats_cli, no_stream, "print one sample and exit"),
    OPTION_BOOL("no-trunc", 0, struct stats_cli, no_trunc, "do not shorten ids"),
    OPTION_STRING("format", 0, struct stats_cli, format, "FORMAT",
                  "json (an object a line), or a template ({{.Name}} {{.CPUPerc}} ...)"),
    OPTION_END,
};

struct target {
    struct engine_container *c;
    struct engine_stats before, now;
    bool ok;
};

static json_t *row(const struct stats_cli *o, const struct target *t)
{
    char id[80], cpu[32], mem[64], memp[32], net[64], blk[64], pids[32], a[16], b[16];
    snprintf(id, sizeof(id), o->no_trunc ? "%s" : "%.12s", t->c->id);
    if (!t->ok) {
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Name", t->c->name,
                         "CPUPerc", "--", "MemUsage", "-- / --", "MemPerc", "--", "NetIO",
                         "--", "BlockIO", "--", "PIDs", "--");
    }
    snprintf(cpu, sizeof(cpu), "%.2f%%", engine_stats_cpu_percent(&t->before, &t->now));
    cabin_human_size_binary(t->now.mem_usage, a, sizeof(a));
    cabin_human_size_binary(t->now.mem_limit, b, sizeof(b));
    snprintf(mem, sizeof(mem), "%s / %s", a, b);
    snprintf(memp, sizeof(memp), "%.2f%%",
             t->now.mem_limit ? 100.0 * (double) t->now.mem_usage / (double) t->now.mem_limit : 0);
    cabin_human_size(t->now.net_rx, a, sizeof(a));
    cabin_human_size(t->now.net_tx, b, sizeof(b));
    snprintf(net, sizeof(net), "%s / %s", a, b);
    cabin_human_size(t->now.blk_read, a, sizeof(a));
    cabin_human_size(t->now.blk_write, b, sizeof(b));
    snprintf(blk, sizeof(blk), "%s / %s", a, b);
    snprintf(pids, sizeof(pids), "%llu", (unsigned long long) t->now.pids);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Container", id,
                     "Name", t->c->name, "CPUPerc", cpu, "MemUsage", mem, "MemPerc", memp,
                     "NetIO", net, "BlockIO", blk, "PIDs", pids);
}

static int print(const struct stats_cli *o, struct target *t, size_t n, struct error **err)
{
    bool table = !o->format || strcmp(o->format, "table") == 0;
    struct cabin_table tab = {.ncols = 8};
    if (table)
        cabin_table_add(&tab, (const char *[]) {"CONTAINER ID", "NAME", "CPU %",
                                                "MEM USAGE / LIMIT", "MEM %", "NET I/O",
                                                "BLOCK I/O", "PIDS"});
    for (size_t i = 0; i < n; i++) {
        cleanup_json json_t *r = row(o, &t[i]);
        if (r == NULL)
            return error_new(err, ENOMEM, "out of memory");
        int p = cabin_print_format(o->format, r, JSON_COMPACT, err);
        if (p < 0)
            return -1;
        if (p == 1) {
            static const char *const keys[] = {"ID", "Name", "CPUPerc", "MemUsage",
                                               "MemPerc", "NetIO", "BlockIO", "PIDs"};
            const char *cells[8];
            for (size_t k = 0; k < 8; k++)
                cells[k] = json_string_value(json_object_get(r, keys[k]));
            cabin_table_add(&tab, cells);
        }
    }
    if (table)
        cabin_table_print(&tab);
    fflush(stdout);
    return 0;
}

static void sample(struct engine *e, struct target *t, size_t n, bool first)
{
    for (size_t i = 0; i < n; i++) {
        struct engine_stats s;
        t[i].ok = engine_container_stats(e, t[i].c, &s, NULL) == 0;
        if (!t[i].ok)
            continue;
        if (first)
            t[i].before = s;
        else
            t[i].before = t[i].now;
        t[i].now = s;
    }
}

int cmd_stats(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct stats_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin stats [OPTIONS] [CONTAINER...]",
                     "Show containers' use of CPU, memory, network, block I/O and processes "
                     "(every running container unless some are named).",
                     stats_options, &c, argc, argv, 0, 0, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct engine_container **list = NULL;
    size_t n = 0;
    bool named = i < argc;
    if (named) {
        list = calloc((size_t) (argc - i) + 1, sizeof(*list));
        for (; list && i < argc; i++)
            if (engine_container_find(e, argv[i], &list[n], &err) < 0) {
                engine_container_list_free(list);
                return cabin_fail(err, 1);
            } else {
                n++;
            }
    } else if (engine_container_list(e, &list, &n, &err) < 0) {
        return cabin_fail(err, 1);
    }
    struct target *t = calloc(n + 1, sizeof(*t));
    size_t k = 0;
    for (size_t j = 0; t && j < n; j++) {
        enum engine_status st = engine_container_status(e, list[j]);
        if (c.all || named || st == ENGINE_RUNNING || st == ENGINE_PAUSED)
            t[k++].c = list[j];
    }
    int r = 0;
    sample(e, t, k, true);
    for (;;) {
        /* docker's CPU % is over about a second. */
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
        sample(e, t, k, false);
        if (!c.no_stream && !c.format)
            printf("\033[2J\033[H");
        if ((r = print(&c, t, k, &err)) < 0 || c.no_stream)
            break;
    }
    free(t);
    engine_container_list_free(list);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
