/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cabin-runtime's commands: one file each, one entry point each, called by
 * main.c's dispatch table with the global options already applied and
 * argv starting after the command's name.  Each returns the process's exit
 * status; only these files (and main.c) print.
 */
#ifndef CABIN_CLI_RUNTIME_COMMANDS_H
#define CABIN_CLI_RUNTIME_COMMANDS_H

#include <stdbool.h>

#include "cli/options.h"
#include "runtime/container.h"
#include "util/error.h"

#define DEFAULT_RUNTIME_ROOT "/run/cabin-runtime"

struct global_opts {
    const char *root;
    const char *log;
    const char *log_format;
    bool debug;
    bool systemd_cgroup;
    const char *rootless;
    bool version;
};

struct command {
    const char *name;
    int (*run)(const struct global_opts *g, int argc, char **argv);
    const char *summary;
};

int cmd_spec(const struct global_opts *g, int argc, char **argv);
int cmd_create(const struct global_opts *g, int argc, char **argv);
int cmd_start(const struct global_opts *g, int argc, char **argv);
int cmd_state(const struct global_opts *g, int argc, char **argv);
int cmd_kill(const struct global_opts *g, int argc, char **argv);
int cmd_delete(const struct global_opts *g, int argc, char **argv);
int cmd_run(const struct global_opts *g, int argc, char **argv);
int cmd_list(const struct global_opts *g, int argc, char **argv);
int cmd_features(const struct global_opts *g, int argc, char **argv);
int cmd_pause(const struct global_opts *g, int argc, char **argv);
int cmd_resume(const struct global_opts *g, int argc, char **argv);
int cmd_ps(const struct global_opts *g, int argc, char **argv);
int cmd_update(const struct global_opts *g, int argc, char **argv);
int cmd_events(const struct global_opts *g, int argc, char **argv);
int cmd_exec(const struct global_opts *g, int argc, char **argv);

/* Helpers shared by the commands (main.c). */

/* Report `e` (stderr, and the --log file) and return the exit status 1. */
int cli_fail(struct error *e);

/* Parse a command's options; on --help print it and set *ret_exit to 0,
 * on a bad option report it and set *ret_exit to 1; returns true when the
 * command should go on.  `nargs` is the number of positional arguments
 * required (-1: any). */
bool cli_parse(const char *usage, const char *description, const struct option_def *defs,
               void *opts, int argc, char **argv, int *index, int nargs, int *ret_exit);

int cli_open_runtime(const struct global_opts *g, struct runtime **ret, struct error **err);

/* LISTEN_FDS from our environment (socket activation, as runc): the number
 * of fds from 3 to hand to the container; 0 when unset or when LISTEN_PID
 * is not our pid. */
int cli_listen_fds(unsigned int *ret, struct error **err);

#endif
