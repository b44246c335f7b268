/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage drivers: how a container's root file system is made from the
 * store's unpacked layers.  A driver is a table of functions, chosen once
 * (storage_choose) and called through the table; nothing outside this
 * module asks which one it is.
 *
 *   overlay  an overlayfs mount of the layers (read-only, shared by every
 *            container) under a per-container upper/ and work/.  Mounted
 *            with the new mount API, one `lowerdir+` a layer where the
 *            kernel has it (Linux 6.8+), so the number of layers is not
 *            limited by the length of an option string; elsewhere with
 *            mount(2) and the store's short link names (l/<26 chars>) made
 *            relative to the store, which fits ~140 layers in the page that
 *            mount(2) takes.
 *   vfs      a plain copy of the layers, applied in order (whiteouts
 *            delete, opaque directories are emptied first), for file
 *            systems where overlay cannot be used.  Costs the image's size
 *            for every container.
 *
 * A container's directory (cdir, with cdirfd an O_PATH fd of it) holds
 * what the driver makes: rootfs/ (the mount point, or the copy) and for
 * overlay upper/ and work/.  Removing the container is unmount, then
 * removing cdir.
 */
#ifndef CABIN_IMAGE_STORAGE_H
#define CABIN_IMAGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "image/store.h"
#include "util/error.h"

#define STORAGE_ROOTFS "rootfs"
#define STORAGE_MAX_LAYERS 500 /* overlayfs' own limit on lower layers */

enum overlay_mount_api {
    OVERLAY_MOUNT_AUTO,   /* lowerdir+ when the kernel has it, else mount(2) */
    OVERLAY_MOUNT_NEW,    /* lowerdir+ or fail */
    OVERLAY_MOUNT_LEGACY, /* mount(2) with short links */
};

struct storage_opts {
    enum overlay_mount_api mount_api;
};

/* Parse --storage-opt KEY=VALUE items (overlay.mount_api=auto|new|legacy). */
int storage_opts_parse(char *const *items, struct storage_opts *ret, struct error **err);

struct storage_driver {
    const char *name;
    /* Can it work for this store on this host?  (0 or an error saying why.) */
    int (*probe)(struct store *s, const struct storage_opts *o, struct error **err);
    /* Make the container's own storage in cdirfd. */
    int (*create)(struct store *s, int cdirfd, char *const *layers, size_t n,
                  struct error **err);
    /* Make cdir/rootfs the container's root (a no-op when already done). */
    int (*mount)(struct store *s, int cdirfd, const char *cdir, char *const *layers, size_t n,
                 const struct storage_opts *o, struct error **err);
    /* Undo mount (a no-op when not mounted). */
    int (*unmount)(int cdirfd, const char *cdir, struct error **err);
    /* Bytes of disk the container's own storage uses. */
    int (*usage)(int cdirfd, uint64_t *ret, struct error **err);
};

extern const struct storage_driver storage_overlay;
extern const struct storage_driver storage_vfs;

/* The driver called `name`, or NULL. */
const struct storage_driver *storage_driver_by_name(const char *name);
/* `name` (or, when NULL, overlay if its probe passes, else vfs). */
int storage_choose(struct store *s, const char *name, const struct storage_opts *o,
                   const struct storage_driver **ret, struct error **err);

/* Copy the contents of the directory `src` into the directory `dst` (fds,
 * both kept), as the vfs driver copies a layer: owners, modes, xattrs
 * (not overlay's), times, symlinks as symlinks (never followed),
 * hardlinks kept within the copy, devices and fifos.  `what` names the
 * source in errors.  Used to fill a new volume from an image's folder. */
int storage_copy_dir(int src, int dst, const char *what, struct error **err);

/* The layers to stack, bottom first, each once: a layer that comes again
 * higher up is dropped from below (the same content above covers and
 * whites out everything it did, so the union is the same), since overlayfs
 * refuses a lower dir twice.  Writes pointers into `layers` to `out` (room
 * for n) and returns how many. */
size_t storage_unique_layers(char *const *layers, size_t n, const char **out);

/* Disk use of the tree `name` in `dirfd` (st_blocks; hardlinks once; not
 * crossing mounts). */
int storage_du(int dirfd, const char *name, uint64_t *ret, struct error **err);

#endif
