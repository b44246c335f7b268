/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's process: what the init becomes just before it execs.
 * Called inside the container (after pivot_root), in this order:
 *
 *   process_setup_privileged()  oomScoreAdj, rlimits, the cwd made if
 *                               missing, the bounding set: all that needs
 *                               root in the container's namespaces
 *   process_switch_user()       additionalGids, gid, uid (keeping caps),
 *                               then the capability sets, umask, cwd and
 *                               noNewPrivileges
 *   process_resolve()           the program in $PATH and the environment
 *                               (HOME from /etc/passwd when unset)
 *   process_exec()              the LSM labels (lsm.h), the seccomp filter
 *                               when it is loaded last, and execve(2);
 *                               returns only on failure
 */
#ifndef CABIN_RUNTIME_PROCESS_H
#define CABIN_RUNTIME_PROCESS_H

#include "runtime/lsm.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "util/error.h"

struct process_exec {
    char *path;  /* resolved program */
    char **argv; /* borrowed from the spec */
    char **envp; /* owned */
    /* Set by the caller after process_resolve(): */
    struct lsm_plan lsm;                   /* labels for the new program */
    const struct seccomp_program *seccomp; /* loaded right before execve, or NULL */
};

int process_setup_privileged(const struct spec_process *p, struct error **err);
int process_switch_user(const struct spec_process *p, struct error **err);
int process_resolve(const struct spec_process *p, struct process_exec *ret, struct error **err);
int process_exec(const struct process_exec *e, struct error **err);
void process_exec_release(struct process_exec *e);

/* Capability number → name (for messages), "CAP_?" when unknown. */
const char *process_cap_name(int cap, char *buf, size_t len);

#endif
