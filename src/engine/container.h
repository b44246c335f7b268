/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's containers: records, roots and the run path.
 *
 *   ROOT/containers/<id>/container.json   the record (below), replaced by
 *                                          rename; the folder is flock'ed
 *                                          around every change
 *   ROOT/containers/<id>/config.json      the OCI bundle's config
 *   ROOT/containers/<id>/rootfs ...       the storage driver's
 *
 * A container folder is made in the store's scratch space (tmp/, locked)
 * and renamed into place once its record and storage exist, so a half-made
 * container is never listed, and one whose cabin was killed is swept with
 * the rest of tmp/.  Removal renames it to a hidden `.rm-<id>` first, so it
 * disappears at once; `engine_containers_sweep` finishes what a killed
 * removal left.  The rootfs is mounted before the runtime is called and
 * unmounted when the container's process is gone, on failure paths too.
 *
 * The id is 64 random hex digits; commands take it whole or as a unique
 * prefix.
 */
#ifndef CABIN_ENGINE_CONTAINER_H
#define CABIN_ENGINE_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "image/digest.h"
#include "util/error.h"

#define ENGINE_ID_LEN 64

enum engine_status { ENGINE_CREATED, ENGINE_RUNNING, ENGINE_PAUSED, ENGINE_EXITED };
const char *engine_status_name(enum engine_status s);

struct engine_container {
    char id[ENGINE_ID_LEN + 1];
    char image_id[DIGEST_BUF];
    char *image;     /* the image as the user named it */
    char **layers;   /* diff_ids, bottom first */
    char *driver;    /* the storage driver that made its root */
    char **command;  /* process.args */
    int64_t created; /* unix time */
    bool rm;         /* removed when its process ends */
    /* After its process ended: */
    bool exited;
    int exit_code;
    int64_t finished;
};

void engine_container_free(struct engine_container *c);

/* What `run` (and, later, `create`) asks for. */
struct engine_run_opts {
    const char *image;
    char *const *cmd;  /* replaces the image's Cmd (NULL: keep it) */
    char *const *env;  /* KEY=VALUE (or KEY: taken from our environment) */
    bool tty;          /* process.terminal */
    bool interactive;  /* keep stdin; otherwise the process gets /dev/null */
    bool rm;
};

/* Make a container from an image: record, root (mounted), bundle.  On
 * failure nothing of it is left. */
int engine_container_create(struct engine *e, const struct engine_run_opts *o,
                            struct engine_container **ret, struct error **err);

/* Run a created container in the foreground: its exit status in
 * *ret_status (128+N for signal N).  Afterwards its root is unmounted and
 * its exit recorded; with `rm` it is removed. */
int engine_container_run(struct engine *e, struct engine_container *c, bool interactive,
                         int *ret_status, struct error **err);

/* The container `what` (id or unique prefix). */
int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
                          struct error **err);
/* Every container, oldest first (*ret NULL-terminated). */
int engine_container_list(struct engine *e, struct engine_container ***ret, size_t *ret_n,
                          struct error **err);
void engine_container_list_free(struct engine_container **v);

/* Live status (from the runtime's state when it has the container). */
enum engine_status engine_container_status(struct engine *e, const struct engine_container *c);

/* Remove a container: refused while it runs unless `force` (which kills
 * it).  Unmounts and deletes everything it had. */
int engine_container_remove(struct engine *e, const char *id, bool force, struct error **err);

/* Disk used by the container's own storage. */
int engine_container_usage(struct engine *e, const struct engine_container *c, uint64_t *ret,
                           struct error **err);

/* Finish removals that a killed cabin left (`.rm-<id>` folders). */
void engine_containers_sweep(struct engine *e);

#endif
