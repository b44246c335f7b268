/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/runtime/commands.h"
#include "util/json.h"

struct events_cli {
    bool stats;
    const char *interval;
};

static const struct option_def events_options[] = {
    OPTION_BOOL("stats", 0, struct events_cli, stats, "print the stats once and exit"),
    OPTION_STRING("interval", 0, struct events_cli, interval, "DURATION",
                  "time between stats (default 5s; 500ms, 2s, 1m)"),
    OPTION_END,
};

static int parse_duration(const char *s, long long *ret_ms)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return -EINVAL;
    double mul = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 ? 1000
                                          : strcmp(end, "m") == 0   ? 60000
                                                                    : -1;
    if (mul < 0)
        return -EINVAL;
    *ret_ms = (long long) (v * mul);
    return *ret_ms > 0 ? 0 : -EINVAL;
}

static void emit(const char *type, const char *id, json_t *data)
{
    json_t *e = json_pack("{s:s, s:s}", "type", type, "id", id);
    if (data)
        json_object_set(e, "data", data);
    char *s = json_dumps(e, JSON_COMPACT);
    if (s)
        puts(s);
    fflush(stdout);
    free(s);
    json_decref(e);
}

int cmd_events(const struct global_opts *g, int argc, char **argv)
{
    struct events_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime events [--stats] [--interval DURATION] ID",
                   "Print the container's resource stats as JSON, and `oom` events when the "
                   "OOM killer strikes, until the container stops.",
                   events_options, &c, argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    long long interval = 5000;
    if (c.interval && parse_duration(c.interval, &interval) < 0) {
        error_new(&err, EINVAL, "--interval: `%s` is not a duration like 500ms or 5s",
                  c.interval);
        return cli_fail(err);
    }
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    long long ooms = -1;
    for (;;) {
        json_t *data = NULL;
        long long now_ooms = -1;
        int r = container_stats(rt, argv[i], &data, &now_ooms, &err);
        if (r < 0) {
            runtime_free(rt);
            /* The container ending ends the stream; a first failure is an error. */
            return ooms >= 0 || !c.stats ? (ooms >= 0 ? 0 : cli_fail(err)) : cli_fail(err);
        }
        if (ooms >= 0 && now_ooms > ooms)
            emit("oom", argv[i], NULL);
        ooms = now_ooms >= 0 ? now_ooms : 0;
        emit("stats", argv[i], data);
        json_decref(data);
        if (c.stats)
            break;
        struct timespec ts = {interval / 1000, (interval % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    runtime_free(rt);
    return 0;
}
