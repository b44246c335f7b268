/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container state under the runtime root (--root, default /run/cabin-runtime).
 *
 *   ROOT/ID/            one directory a container, created with mkdir(2) so a
 *                       duplicate id fails atomically; flock(2) on it guards
 *                       every read-modify-write
 *   ROOT/ID/state.json  written once the init is set up, by rename(2)
 *   ROOT/ID/exec.sock   present while the init waits for `start`
 *   ROOT/ID/config.json the bundle's config.json as create read it (exec
 *                       takes the process's defaults and seccomp from it)
 *
 * The live status is computed, never trusted from the file: a pid whose
 * /proc start time differs from the recorded one, or a zombie, is stopped.
 */
#ifndef CABIN_RUNTIME_STATE_H
#define CABIN_RUNTIME_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

#define STATE_FILE     "state.json"
#define STATE_EXEC_SOCK "exec.sock"
#define STATE_CONFIG    "config.json"

enum container_status {
    STATUS_CREATING,
    STATUS_CREATED,
    STATUS_RUNNING,
    STATUS_PAUSED,
    STATUS_STOPPED,
};

const char *state_status_name(enum container_status s);

struct container_state {
    char *id;
    char *oci_version;
    pid_t pid;
    unsigned long long start_time; /* field 22 of /proc/PID/stat */
    char *bundle;                  /* absolute */
    char *rootfs;                  /* absolute */
    char *created;                 /* RFC 3339 */
    bool own_pid_ns;               /* killing the init ends every process */
    bool own_mnt_ns;               /* its processes are those in its mount ns */
    json_t *annotations;           /* object, may be NULL */
    json_t *cgroup;                /* cgroup_to_json(), may be NULL */
    json_t *hooks;                 /* the spec's hooks (poststart, poststop), may be NULL */
};

void state_free(struct container_state *s);
static inline void state_freep(struct container_state **s)
{
    state_free(*s);
}
#define cleanup_state __attribute__((cleanup(state_freep)))

/* A container id: 1..1024 of [A-Za-z0-9_+.-], not "." or "..". */
int state_check_id(const char *id, struct error **err);

/* Open (creating it 0700 if missing) the runtime root. */
int state_root_open(const char *path, int *ret_fd, struct error **err);

/* mkdir ROOT/ID and lock it exclusively; "already exists" if it is there. */
int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct error **err);

/* Open ROOT/ID and flock it with `lock_op` (LOCK_SH or LOCK_EX). */
int state_dir_open(int rootfd, const char *id, int lock_op, int *ret_dirfd, struct error **err);

int state_write(int dirfd, const struct container_state *s, struct error **err);

/* Keep / read back the container's config.json (ROOT/ID/config.json). */
int state_write_config(int dirfd, const json_t *config, struct error **err);
int state_read_config(int dirfd, const char *id, json_t **ret, struct error **err);

/* Read state.json; a directory without one is a container still being
 * created (*ret is then a state with pid 0). */
int state_read(int dirfd, const char *id, struct container_state **ret, struct error **err);

enum container_status state_status(int dirfd, const struct container_state *s);

/* The OCI state object (ociVersion, id, status, pid, bundle, annotations). */
json_t *state_to_json(const struct container_state *s, enum container_status status);

/* Remove ROOT/ID and everything in it. */
int state_dir_remove(int rootfd, const char *id, struct error **err);

/* The ids in the root, sorted.  *ret is a NULL-terminated vector. */
int state_list_ids(int rootfd, char ***ret, struct error **err);

/* Start time of `pid` from /proc, 0 if it is gone (or a zombie). */
unsigned long long state_pid_start_time(pid_t pid);

/* RFC 3339 "now" with nanoseconds, UTC (buf >= 40 bytes). */
void state_now_rfc3339(char *buf, size_t len);

#endif
