/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI runtime's lifecycle: the one API that cabin-runtime's commands
 * and the cabin engine both call.
 *
 *   container_create()  set the container up from a bundle; its init waits
 *                       (in accept(2) on ROOT/ID/exec.sock) for start
 *   container_start()   let the init exec the process
 *   container_run()     create + start; in the foreground, wait for the
 *                       process, forward signals and return its status
 *   container_kill()    signal the init (or every process with `all`)
 *   container_delete()  remove a stopped (or, forced, any) container
 *   container_exec()    run one more process in a container (exec.c)
 *
 * Every function follows the error contract of util/error.h and leaves no
 * state directory, process or mount behind when it fails.
 */
#ifndef CABIN_RUNTIME_CONTAINER_H
#define CABIN_RUNTIME_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct runtime {
    char *root; /* the state root */
    int rootfd; /* O_PATH fd of it */
};

int runtime_open(const char *root, struct runtime **ret, struct error **err);
void runtime_free(struct runtime *rt);

struct container_opts {
    const char *bundle;         /* default: the current directory */
    const char *pid_file;       /* written atomically once the init is set up */
    const char *console_socket; /* for process.terminal */
    bool no_pivot;
    bool no_new_keyring;
    unsigned int preserve_fds; /* extra fds after stdio to pass to the process */
    /* Socket activation (systemd's LISTEN_FDS): fds 3.. are passed first, and
     * the process gets LISTEN_FDS and LISTEN_PID for them. */
    unsigned int listen_fds;
    bool detach;               /* run: return once the process runs */
    /* The parents of linux.cgroupsPath belong to every container under
     * them, as the default parent does: each delete removes the ones it
     * leaves empty, even if another container made them.  For callers that
     * own a cgroup subtree (the cabin engine's /cabin). */
    bool cgroup_parents_shared;
};

int container_create(struct runtime *rt, const char *id, const struct container_opts *o,
                     struct error **err);
int container_start(struct runtime *rt, const char *id, struct error **err);
/* *ret_status: the process's exit code, 128+N if a signal N killed it (0
 * with detach). */
int container_run(struct runtime *rt, const char *id, const struct container_opts *o,
                  int *ret_status, struct error **err);
int container_kill(struct runtime *rt, const char *id, int sig, bool all, struct error **err);
int container_delete(struct runtime *rt, const char *id, bool force, struct error **err);
/* The OCI state object of one container (new reference). */
int container_state(struct runtime *rt, const char *id, json_t **ret, struct error **err);
/* An array of state objects (plus rootfs, created, owner), by id. */
int container_list(struct runtime *rt, json_t **ret, struct error **err);

/* ---- exec (exec.c) ---------------------------------------------------- */

/* The process to start and how.  The process is `process` (a runtime-spec
 * process object, as runc's --process FILE), or else the container's own
 * process from its recorded config with `args` instead of its args and no
 * terminal; the overrides apply to either. */
struct container_exec_opts {
    const json_t *process;
    char *const *args;

    const char *cwd;             /* absolute */
    char *const *env;            /* NAME=VALUE, replacing the same NAME */
    bool set_uid, set_gid;
    uint32_t uid, gid;
    const uint32_t *additional_gids; /* added to the process's */
    size_t n_additional_gids;
    /* Capability names added to the bounding, effective and permitted sets
     * (and to the ambient one where the inheritable set holds them): never
     * to the inheritable set (CVE-2022-29162). */
    char *const *caps;
    int no_new_privs;            /* -1: as the process says, else 0 or 1 */
    int terminal;                /* -1: as the process says, else 0 or 1 */
    const char *apparmor_profile;
    const char *selinux_label;

    const char *console_socket;  /* with a terminal and detach */
    const char *pid_file;        /* the process's host pid, once it runs */
    bool detach;                 /* return once it runs (it is not waited for) */
    unsigned int preserve_fds;   /* extra fds after stdio to pass */
    bool ignore_paused;          /* exec into a paused container (it stays frozen) */
};

/* The process joins every namespace of the container's init that the
 * caller is not in (user and cgroup included), the container's cgroup,
 * and gets the process's capabilities, rlimits, user, LSM labels and the
 * container's seccomp filter, as the init did.  In the foreground
 * *ret_status is its exit status (128+N for signal N; signals we get are
 * forwarded to it); with detach 0. */
int container_exec(struct runtime *rt, const char *id, const struct container_exec_opts *o,
                   int *ret_status, struct error **err);

/* ---- through the container's cgroup (container_cgroup.c) ---- */

/* Freeze / thaw every process (status "paused" in between). */
int container_pause(struct runtime *rt, const char *id, struct error **err);
int container_resume(struct runtime *rt, const char *id, struct error **err);
/* The host pids of the container's processes (malloc'd). */
int container_pids(struct runtime *rt, const char *id, pid_t **ret, size_t *ret_n,
                   struct error **err);
/* Apply `resources` (linux.resources syntax) to a running container. */
int container_update(struct runtime *rt, const char *id, const json_t *resources,
                     struct error **err);
/* runc's events "stats" data object for the container, and in
 * *ret_oom_kills the OOM killer's count so far (-1 if unknown; may be NULL). */
int container_stats(struct runtime *rt, const char *id, json_t **ret, long long *ret_oom_kills,
                    struct error **err);
/* The path of the memory cgroup file with the container's "oom_kill N"
 * count (memory.oom_control on v1, memory.events on v2), malloc'd: for a
 * watcher that outlives this call (the engine's monitor). */
int container_oom_file(struct runtime *rt, const char *id, char **ret, struct error **err);

#endif
