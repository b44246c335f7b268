/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cabin/commands.h"
#include "engine/flags.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"

struct stop_cli {
    const char *time;
};

static const struct option_def stop_options[] = {
    OPTION_STRING("time", 't', struct stop_cli, time, "SECONDS",
                  "how long to wait before SIGKILL (default: the container's, 10)"),
    OPTION_END,
};

struct stop_arg {
    bool restart;
    int timeout;
};

static int do_stop(struct engine *e, struct engine_container *c, void *arg, struct error **err)
{
    const struct stop_arg *a = arg;
    return a->restart ? engine_container_restart(e, c, a->timeout, err)
                      : engine_container_stop(e, c, a->timeout, err);
}

/* stop and restart: one loop, the verb apart. */
static int stop_or_restart(struct cabin_ctx *ctx, int argc, char **argv, bool restart)
{
    struct stop_cli c = {0};
    int i, ex;
    if (!cabin_parse(restart ? "cabin restart [OPTIONS] CONTAINER [CONTAINER...]"
                             : "cabin stop [OPTIONS] CONTAINER [CONTAINER...]",
                     restart ? "Stop containers (as cabin stop), then start them again."
                             : "Stop running containers: their stop signal (SIGTERM unless "
                               "--stop-signal), then SIGKILL after the timeout.",
                     stop_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    int64_t timeout = -1;
    if (c.time && flags_parse_int("--time", c.time, -1, INT32_MAX, &timeout, &err) < 0)
        return cabin_fail(err, 1);
    struct stop_arg a = {.restart = restart, .timeout = (int) timeout};
    return cabin_each_container(ctx, argc, argv, i, do_stop, &a, false);
}

int cmd_stop(struct cabin_ctx *ctx, int argc, char **argv)
{
    return stop_or_restart(ctx, argc, argv, false);
}

int cmd_restart(struct cabin_ctx *ctx, int argc, char **argv)
{
    return stop_or_restart(ctx, argc, argv, true);
}
