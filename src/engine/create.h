/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Making a container: `cabin create` and the first half of `cabin run`.
 *
 * The flags arrive as the user typed them (strings, NULL when not given)
 * and are checked here (engine/flags.h), so that every front end gets the
 * same errors.  What comes out is a container folder (container.h) with
 * its record (docker's Config and HostConfig, so inspect shows what docker
 * shows), its storage, the generated /etc files (etcfiles.h) and the OCI
 * bundle (bundle.h) in it, under a name that is unique in the store.
 *
 * The image must be in the store: pulling it first (--pull) is the front
 * end's part (engine/pull.h), as it is docker's client's.
 *
 * Networks and mounts: their flags (netopts.h, mountopts.h) are checked
 * here too, the networks named must exist (and the container of
 * --network container:X), the volumes are made and filled and the mounts
 * and the namespace written into the bundle (netvol.h); the lifecycle
 * (lifecycle.h) sets up and tears down the network around each run.
 */
#ifndef CABIN_ENGINE_CREATE_H
#define CABIN_ENGINE_CREATE_H

#include <stdbool.h>

#include "engine/container.h"
#include "engine/engine.h"
#include "engine/mountopts.h"
#include "engine/netopts.h"
#include "util/error.h"

struct engine_create_opts {
    const char *image;
    const char *name;       /* NULL: generated */
    char *const *cmd;       /* NULL: the image's Cmd */
    const char *entrypoint; /* NULL: the image's; "": none (and no image Cmd) */
    char *const *env;       /* -e KEY=VALUE or KEY (our value) */
    char *const *env_files;
    char *const *labels;    /* KEY=VALUE or KEY */
    char *const *label_files;
    const char *workdir, *user, *hostname, *domainname;
    bool tty, interactive, rm, read_only, privileged, init;
    bool attach;            /* a foreground run: stdout and stderr attached */
    const char *memory, *memory_swap, *memory_reservation, *shm_size;
    const char *cpus, *cpu_shares, *cpuset_cpus, *cpuset_mems, *pids_limit;
    char *const *ulimits;
    char *const *cap_add, *const *cap_drop;
    char *const *security_opts;
    char *const *log_opts;
    const char *restart, *stop_signal, *stop_timeout;
    struct net_flags net;   /* --network (NULL: the default network), -p, -P, --ip, --dns... */
    struct mount_flags mnt; /* -v, --mount, --tmpfs */
};

/* Make the container.  Warnings (as docker prints them, e.g. a swap limit
 * the kernel cannot enforce) are appended to *warnings. */
int engine_container_create(struct engine *e, const struct engine_create_opts *o,
                            struct engine_container **ret, char ***warnings, struct error **err);

#endif
