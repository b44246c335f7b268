/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/flags.h"
#include "engine/logs.h"
#include "util/cleanup.h"

struct logs_cli {
    bool follow, timestamps, details;
    const char *tail, *since, *until;
};

static const struct option_def logs_options[] = {
    OPTION_BOOL("follow", 'f', struct logs_cli, follow, "keep printing output as it comes"),
    OPTION_BOOL("timestamps", 't', struct logs_cli, timestamps, "show each line's time"),
    OPTION_STRING("tail", 'n', struct logs_cli, tail, "N", "only the last N lines (or all)"),
    OPTION_STRING("since", 0, struct logs_cli, since, "TIME",
                  "from this time on (2024-05-01T10:00:00Z, a unix time, or 10m ago)"),
    OPTION_STRING("until", 0, struct logs_cli, until, "TIME", "before this time"),
    OPTION_END,
};

int cmd_logs(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct logs_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin logs [OPTIONS] CONTAINER",
                     "Print a container's output (also after it stopped).", logs_options, &c,
                     argc, argv, 0, 1, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct logs_opts o = {.follow = c.follow, .timestamps = c.timestamps, .tail = -1,
                          .out = STDOUT_FILENO, .err = STDERR_FILENO};
    int r = 0;
    if (c.tail && strcmp(c.tail, "all") != 0)
        r = flags_parse_int("--tail", c.tail, 0, INT64_MAX, &o.tail, &err);
    if (r == 0 && c.since)
        r = logs_parse_time("--since", c.since, &o.since, &err);
    if (r == 0 && c.until)
        r = logs_parse_time("--until", c.until, &o.until, &err);
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    if (r == 0)
        r = cabin_container(ctx, argv[i], &e, &ctr, &err);
    if (r == 0)
        r = engine_container_logs(e, ctr, &o, &err);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
