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
 *
 * The init and exec both go through the two steps that string these
 * together, so an exec'd process is set up exactly as the container's:
 *
 *   process_prepare()   a session of its own, the terminal (if any) on
 *                       0/1/2 as its controlling tty, then the steps above
 *                       up to process_resolve(), with the seccomp filter
 *                       loaded before the user switch unless
 *                       noNewPrivileges lets it wait (then in
 *                       process_exec(), or at the end here when it
 *                       notifies: its listener must reach the runtime
 *                       before the process runs, as in runc)
 *   process_start()     every fd we hold close-on-exec, process_exec()
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

/* `tty_slave` is the terminal's slave (taken over, closed) or -1;
 * `seccomp` may be NULL.  A filter with SCMP_ACT_NOTIFY rules gives a
 * listener fd, sent to the runtime over `sync_fd` as SYNC_SECCOMP.  Sets
 * ret->seccomp when the filter is left to process_exec(); the caller sets
 * ret->lsm.  Call as root in the container's namespaces, after pivot_root
 * (or setns into its mount namespace). */
int process_prepare(const struct spec_process *p, const struct seccomp_program *seccomp,
                    int tty_slave, int sync_fd, struct process_exec *ret, struct error **err);
/* Every fd from 3 + preserve_fds up is closed at exec.  Returns only on
 * failure. */
int process_start(unsigned int preserve_fds, const struct process_exec *e, struct error **err);

/* First things in a process that will become the container's: every
 * signal back to its default and unblocked; every fd from `from` up
 * closed but those in keep[] (-1 entries ignored; the array is sorted).
 * It must hold nothing of the runtime's while it works inside the
 * container (an fd of a host directory is a way out: CVE-2024-21626), nor
 * the caller's pipes while it waits. */
void process_reset_signals(void);
void process_close_fds_but(unsigned int from, int *keep, size_t n);

/* Capability number → name (for messages), "CAP_?" when unknown. */
const char *process_cap_name(int cap, char *buf, size_t len);

#endif
