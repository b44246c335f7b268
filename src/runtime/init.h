/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init before it execs: the code that runs in the child of
 * container_create() (container.c) inside the new namespaces.  It reports
 * to the runtime over `sync_fd` (runtime/sync.h) and never returns.
 */
#ifndef CABIN_RUNTIME_INIT_H
#define CABIN_RUNTIME_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/cgroup.h"
#include "runtime/lsm.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

struct init_args {
    const struct spec *spec;
    const char *rootfs;
    const char *bundle;
    int sync_fd;
    int listen_fd; /* exec.sock, or -1 when `run` starts it over sync_fd */
    int console_fd; /* process.terminal: where the pty's master goes, else -1 */
    int ns_fds[SPEC_NS__COUNT];
    bool userns_new;    /* the runtime writes the id maps before SYNC_GO */
    bool cgroupns_new;  /* unshare the cgroup ns after SYNC_GO: once in our cgroup */
    bool wait_go;       /* wait for SYNC_GO (either of the above) */
    bool userns_joined; /* join it, then fork the real init (stage 2) */
    bool no_pivot;
    bool no_new_keyring;
    unsigned int preserve_fds; /* including the listen_fds */
    unsigned int listen_fds;
    const struct seccomp_program *seccomp; /* NULL: no filter */
    struct lsm_plan lsm;                   /* labels to apply (lsm.h) */
    const char *id;
    const struct cgroup *cgroup;
    pid_t host_pid; /* filled from the first SYNC_GO */
};

__attribute__((noreturn)) void init_main(struct init_args *a);

#endif
