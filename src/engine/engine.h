/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine: containers from images.  It owns the two roots
 *
 *   ROOT     (--root, CABIN_ROOT, default /var/lib/cabin): the image store
 *            (image/store.h), containers/<id>/ (one folder a container,
 *            engine/container.h) and names/ (engine/names.h)
 *   RUNROOT  (--runroot, CABIN_RUNROOT, default /run/cabin): runtime/, the
 *            runtime core's state root for the engine's containers (so
 *            `cabin-runtime --root RUNROOT/runtime list` shows them) and
 *            containers/<id>/ (the monitor's pid lock and socket); on a
 *            tmpfs, so after a reboot every container reads as stopped
 *
 * and calls the image side (store, storage drivers) and the runtime core
 * (runtime/container.h) in-process; the two never see each other.
 */
#ifndef CABIN_ENGINE_ENGINE_H
#define CABIN_ENGINE_ENGINE_H

#include <stdbool.h>

#include "image/gc.h"
#include "image/storage.h"
#include "image/store.h"
#include "runtime/container.h"
#include "util/error.h"

#define ENGINE_DEFAULT_ROOT    "/var/lib/cabin"
#define ENGINE_DEFAULT_RUNROOT "/run/cabin"

struct engine_opts {
    const char *root;           /* NULL: $CABIN_ROOT, else the default */
    const char *runroot;        /* NULL: $CABIN_RUNROOT, else the default */
    const char *storage_driver; /* NULL: $CABIN_STORAGE_DRIVER, else chosen */
    char *const *storage_opts;  /* --storage-opt KEY=VALUE */
    const char *self;           /* cabin's own path (not a sealed copy's), for the
                                   commands the monitor runs; NULL: unknown */
};

struct engine {
    char *root, *runroot;
    struct store *store;
    int containersfd; /* ROOT/containers */
    int namesfd;      /* ROOT/names (names.h) */
    struct storage_opts sopts;
    char **storage_opts;                 /* as given, for the monitor's commands */
    char *self;                          /* engine_opts.self */
    char *driver_name;                   /* as asked, or NULL */
    const struct storage_driver *driver; /* chosen on first use */
    struct runtime *rt;                  /* opened on first use */
};

int engine_open(const struct engine_opts *o, struct engine **ret, struct error **err);
void engine_free(struct engine *e);

/* The storage driver for new containers (chosen once, on first call). */
int engine_driver(struct engine *e, const struct storage_driver **ret, struct error **err);
/* The runtime core on RUNROOT/runtime. */
int engine_runtime(struct engine *e, struct runtime **ret, struct error **err);

/* Garbage-collect the store, with the containers' layers and configs as
 * roots too.  Without `wait` it does nothing (returns 1) while a writer
 * holds the store. */
int engine_gc(struct engine *e, bool wait, struct gc_stats *ret, struct error **err);

static inline void engine_freep(struct engine **e)
{
    engine_free(*e);
}
#define cleanup_engine __attribute__((cleanup(engine_freep)))

#endif
