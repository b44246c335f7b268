/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's containers: records, lookup, state and removal.
 *
 *   ROOT/containers/<id>/container.json  the record (below), written by
 *                                         cabin only, by rename, with the
 *                                         folder flock'ed around the change
 *   ROOT/containers/<id>/state.json      the last start's state, written
 *                                         by its monitor (monitor/protocol.h)
 *   ROOT/containers/<id>/config.json     the OCI bundle's config
 *   ROOT/containers/<id>/hostname, hosts, resolv.conf   (etcfiles.h)
 *   ROOT/containers/<id>/container.log*  the output (monitor/logfile.h)
 *   ROOT/containers/<id>/rootfs ...      the storage driver's
 *   RUNROOT/containers/<id>/             monitor.pid (flock'ed while the
 *                                         monitor lives), attach (socket)
 *
 * A container folder is made in the store's scratch space (tmp/, locked)
 * and renamed into place once its record, bundle and storage exist, so a
 * half-made container is never listed, and one whose cabin was killed is
 * swept with the rest of tmp/.  Removal renames it to a hidden `.rm-<id>`
 * first, so it disappears at once; `engine_containers_sweep` finishes what
 * a killed removal left.
 *
 * The id is 64 random hex digits; commands take it whole, a name, or a
 * unique id prefix (engine_container_find), as docker does.
 */
#ifndef CABIN_ENGINE_CONTAINER_H
#define CABIN_ENGINE_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "image/digest.h"
#include "util/error.h"

#define ENGINE_ID_LEN 64

/* Whether `s` is a container id: ENGINE_ID_LEN lowercase hex digits. */
bool engine_container_is_id(const char *s);
#define ENGINE_RECORD "container.json"
/* In a container's folder from its rename into containers/ until its
 * create has written the bundle and the whole record; its maker holds the
 * folder's flock meanwhile.  Such a folder is not listed or found; one
 * whose maker is gone (killed) is swept like the rest of a killed create. */
#define ENGINE_CREATING ".creating"

enum engine_status {
    ENGINE_CREATED,
    ENGINE_RESTARTING,
    ENGINE_RUNNING,
    ENGINE_REMOVING,
    ENGINE_PAUSED,
    ENGINE_EXITED,
    ENGINE_DEAD,
};
/* docker's words: "created", "running", ... */
const char *engine_status_name(enum engine_status s);
/* The status named `s`, or -1. */
int engine_status_parse(const char *s);

struct engine_container {
    char id[ENGINE_ID_LEN + 1];
    char *name;      /* without docker's leading "/" */
    char image_id[DIGEST_BUF];
    char *image;     /* the image as the user named it */
    char **layers;   /* diff_ids, bottom first */
    char *driver;    /* the storage driver that made its root */
    char **command;  /* process.args: Path and Args */
    int64_t created; /* unix time, ns */
    int run;         /* starts so far (state.json says which one it describes) */
    bool stopped_by_user; /* the last stop was the user's (docker stop, kill) */
    json_t *config;      /* docker's Config (Cmd, Env, Tty, Labels, ...) */
    json_t *host_config; /* docker's HostConfig (RestartPolicy, Memory, ...) */
};

void engine_container_free(struct engine_container *c);
static inline void engine_container_freep(struct engine_container **c)
{
    engine_container_free(*c);
}
#define cleanup_container __attribute__((cleanup(engine_container_freep)))

/* What is known of a container's process now (engine_container_state). */
struct engine_state {
    enum engine_status status;
    pid_t pid;             /* host pid of its init, 0 when not running */
    int exit_code;
    bool oom_killed;
    int64_t started_at;    /* unix ns, 0: never */
    int64_t finished_at;
    int restart_count;
    bool monitor;          /* its monitor runs */
    char error[512];       /* why it failed to start, why its exit is unknown, or
                              (ENGINE_DEAD) why its state.json cannot be read */
};

/* The container `what`: a full id, a name, or a unique id prefix. */
int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
                          struct error **err);
/* The record of the container with the full id `id`. */
int engine_container_read(struct engine *e, const char *id, struct engine_container **ret,
                          struct error **err);
/* Is container `id`'s folder still being made (ENGINE_CREATING)? */
bool engine_container_creating(const struct engine *e, const char *id);
/* Every container, oldest first (*ret NULL-terminated). */
int engine_container_list(struct engine *e, struct engine_container ***ret, size_t *ret_n,
                          struct error **err);
void engine_container_list_free(struct engine_container **v);

/* Write the record (the caller holds the folder's lock; see
 * engine_container_lock).  `sync`: fsync it first. */
int engine_container_write(struct engine *e, const struct engine_container *c, bool sync,
                           struct error **err);
/* The same into the folder `cdirfd` (one not in place yet). */
int engine_container_write_at(int cdirfd, const struct engine_container *c, bool sync,
                              struct error **err);
/* Lock the container's folder (LOCK_EX), then re-read the record (it may
 * have changed before we had the lock): *ret_lock is the locked fd. */
int engine_container_lock(struct engine *e, struct engine_container *c, int *ret_lock,
                          struct error **err);

/* The same, waiting at most `timeout_ms` for the lock (a start holds it
 * until its monitor runs, and a start can hang, e.g. on a mount): then
 * -ETIMEDOUT with an error naming the process that makes the run. */
int engine_container_lock_within(struct engine *e, struct engine_container *c, int timeout_ms,
                                 int *ret_lock, struct error **err);

/* The state now, from state.json, the monitor and the runtime. */
void engine_container_state(struct engine *e, const struct engine_container *c,
                            struct engine_state *ret);

/* The monitor's state.json of container `id` (engine_container_state's
 * source): -ENOENT when there is none (never started), another error,
 * naming the file, when it is not what a monitor writes. */
int engine_monitor_state_read(struct engine *e, const char *id, json_t **ret,
                              struct error **err);

/* Remove container `id` whose record cannot be read (system check
 * --repair): its processes killed through the runtime, its monitor waited
 * for, its root unmounted, its folder, names and run folder removed. */
int engine_container_drop(struct engine *e, const char *id, struct error **err);

/* Just the status of engine_container_state. */
enum engine_status engine_container_status(struct engine *e, const struct engine_container *c);

/* "/ROOT/containers/<id>" and "/RUNROOT/containers/<id>" (malloc'd). */
char *engine_container_dir(const struct engine *e, const char *id);
char *engine_container_rundir(const struct engine *e, const char *id);
/* An O_PATH fd of ROOT/containers/<id>, or -1 with errno. */
int engine_container_open_dir(const struct engine *e, const char *id);

/* Fields of the record's Config and HostConfig. */
bool engine_container_tty(const struct engine_container *c);
bool engine_container_open_stdin(const struct engine_container *c);
/* Does the end of an attached client's stdin end the container's? */
bool engine_container_stdin_once(const struct engine_container *c);
bool engine_container_auto_remove(const struct engine_container *c);
/* The stop signal (the record's, else SIGTERM) and timeout in seconds (the
 * record's, else 10; -1: wait forever). */
int engine_container_stop_signal(const struct engine_container *c);
int engine_container_stop_timeout(const struct engine_container *c);

/* Remove a container: refused while it runs unless `force` (which kills
 * it).  Unmounts and deletes everything it had, its name too, and with
 * `volumes` (rm -v) its anonymous volumes. */
int engine_container_remove(struct engine *e, const char *what, bool force, bool volumes,
                            struct error **err);

/* Remove a container that is stopped (or being cleaned up by its own
 * monitor, which calls this): runtime state, network (netvol.h), folder,
 * name, run dir, and with `volumes` its anonymous volumes.  The caller
 * holds its lock (engine_container_lock); the lock goes with the folder. */
int engine_container_destroy(struct engine *e, const struct engine_container *c, bool volumes,
                             struct error **err);

/* `container prune`'s filters: label=KEY[=VALUE], label!=KEY[=VALUE],
 * until=TIME (created before it). */
struct engine_prune_filter {
    char **labels, **not_labels;
    int64_t until; /* ns, 0: none */
};
int engine_prune_filter_parse(char **items, struct engine_prune_filter *ret,
                              struct error **err);
void engine_prune_filter_release(struct engine_prune_filter *f);
/* Does container c carry the labels of `labels` ("KEY" or "KEY=VALUE")? */
bool engine_container_has_labels(const struct engine_container *c, char *const *labels);

/* Remove every stopped (or created) container the filter lets through;
 * their ids in *removed, the bytes they freed in *ret_bytes. */
int engine_container_prune(struct engine *e, const struct engine_prune_filter *f,
                           char ***removed, uint64_t *ret_bytes, struct error **err);

/* Disk used by the container's own storage. */
int engine_container_usage(struct engine *e, const struct engine_container *c, uint64_t *ret,
                           struct error **err);

/* Finish removals that a killed cabin left (`.rm-<id>` folders), and
 * remove the half-made folders of a create it left in tmp/ (unlocked). */
void engine_containers_sweep(struct engine *e);

/* Make the container's root usable (mounted) or not; idempotent. */
int engine_container_mount(struct engine *e, const struct engine_container *c,
                           struct error **err);
int engine_container_unmount(struct engine *e, const struct engine_container *c,
                             struct error **err);

/* Unix time now in ns, and RFC 3339 with ns of one (UTC). */
int64_t engine_now_ns(void);
void engine_time_rfc3339(int64_t ns, char *buf, size_t len);
/* Parse engine_time_rfc3339's form (and docker's shorter ones); -1 if bad. */
int64_t engine_time_parse(const char *s);

#endif
