/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options `cabin run` and `cabin create` share (docker's), as one
 * table: run adds -d, --rm's foreground behaviour, --sig-proxy and
 * --detach-keys to the same struct.  The values go to the engine as typed
 * (engine/create.h checks them).
 */
#ifndef CABIN_CLI_CABIN_CREATE_OPTS_H
#define CABIN_CLI_CABIN_CREATE_OPTS_H

#include <stdbool.h>

#include "cli/cabin/commands.h"
#include "cli/options.h"
#include "engine/create.h"

struct create_cli {
    bool interactive, tty, detach, rm, read_only, privileged, init, sig_proxy;
    char **env, **env_files, **labels, **label_files, **ulimits, **cap_add, **cap_drop;
    char **security_opts, **log_opts;
    const char *name, *workdir, *user, *entrypoint, *hostname, *domainname;
    const char *memory, *memory_swap, *memory_reservation, *shm_size;
    const char *cpus, *cpu_shares, *cpuset_cpus, *cpuset_mems, *pids_limit;
    const char *restart, *stop_signal, *stop_timeout, *pull, *detach_keys;
    /* networks and mounts (engine/netopts.h, engine/mountopts.h) */
    char **networks, **publish, **dns, **dns_search, **dns_options, **add_host, **aliases;
    char **volumes, **mounts, **tmpfs;
    bool publish_all;
    const char *ip;
    const char *platform;
    struct cabin_registry_flags reg; /* for the pull */
};

/* run's table (with -d, --sig-proxy, --detach-keys) and create's. */
extern const struct option_def create_cli_run_options[];
extern const struct option_def create_cli_create_options[];

/* Defaults before parsing (--sig-proxy is on). */
void create_cli_init(struct create_cli *c);
void create_cli_release(struct create_cli *c);

/* --pull: pull the image first when the policy says so (docker's run and
 * create: "Unable to find image ... locally", then the pull's lines, on
 * `out`). */
int create_cli_pull(struct cabin_ctx *ctx, const struct create_cli *c, const char *image,
                    FILE *out, struct error **err);

/* The engine's options; argv[i] is the image, what follows the command. */
void create_cli_to_opts(const struct create_cli *c, int argc, char **argv, int i, bool attach,
                        struct engine_create_opts *ret);

#endif
