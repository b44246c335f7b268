/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Volumes of the `local` driver, as docker keeps them:
 *
 *   ROOT/volumes/<name>/volume.json   name, creation time, labels, whether
 *                                     it is anonymous, whether it was filled
 *   ROOT/volumes/<name>/_data         what containers see (bind-mounted)
 *
 * A volume is made in a hidden scratch folder and renamed into place
 * (RENAME_NOREPLACE), so two makers of one name end with one volume.  A
 * named volume is made on first use; an anonymous one (-v /path, or a
 * VOLUME of the image) gets 64 random hex digits as its name.  The first
 * container that mounts a volume fills it from what its image has at the
 * mount point (unless nocopy), once: later containers see what is there.
 *
 * In use means named by a container's record (engine/netvol.h), whatever
 * the container's state.  The volume's folder is flock'ed: exclusively by
 * whoever mounts it into a new container until that container's record
 * names it, and by `volume rm` around its check and removal, so neither
 * can slip past the other.
 */
#ifndef CABIN_ENGINE_VOLUME_H
#define CABIN_ENGINE_VOLUME_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/error.h"

#define VOLUME_DIR "volumes"
#define VOLUME_MAX_LABELS 64

struct volume {
    char *name;
    char *mountpoint; /* ROOT/volumes/<name>/_data */
    int64_t created;
    bool anonymous;
    bool populated;   /* filled from an image once (or given data by a container) */
    char **labels;    /* K=V */
};

void volume_free(struct volume *v);

/* Does it carry `want` ("KEY": any value, or "KEY=VALUE")? */
bool volume_has_label(const struct volume *v, const char *want);

/* The volume `name`, made if missing (with these labels).  *ret_made says
 * whether this call made it (may be NULL). */
int volume_ensure(struct engine *e, const char *name, char *const *labels, bool anonymous,
                  struct volume **ret, bool *ret_made, struct error **err);
/* A new anonymous volume. */
int volume_new_anonymous(struct engine *e, struct volume **ret, struct error **err);
/* The volume `name`; ENOENT "no such volume". */
int volume_load(struct engine *e, const char *name, struct volume **ret, struct error **err);
/* Every volume, by name (*ret NULL-terminated). */
int volume_list(struct engine *e, struct volume ***ret, struct error **err);
void volume_list_free(struct volume **v);

/* flock the volume's folder (LOCK_SH / LOCK_EX); an fd to close. */
int volume_lock(struct engine *e, const char *name, int how, int *ret_fd, struct error **err);

/* Fill a volume that was never filled and is empty with the contents of
 * `srcfd` (a folder of a container's root; -1 when the image has none
 * there), and give its _data the folder's owner and mode; mark it filled
 * either way.  The caller holds
 * the volume's lock exclusively. */
int volume_populate(struct engine *e, struct volume *v, int srcfd, const char *what,
                    struct error **err);

/* Remove a volume no container's record names; EBUSY names the users. */
int volume_remove(struct engine *e, const char *name, struct error **err);

/* Bytes under _data. */
int volume_usage(struct engine *e, const struct volume *v, uint64_t *ret, struct error **err);

static inline void volume_freep(struct volume **v)
{
    volume_free(*v);
}
#define cleanup_volume __attribute__((cleanup(volume_freep)))

#endif
