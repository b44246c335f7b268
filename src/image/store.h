/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image store under the root (--root, CABIN_ROOT, default /var/lib/cabin):
 *
 *   blobs/sha256/<hex>      content-addressed blobs: manifests, configs and the
 *                           layer blobs exactly as they came (so `save` gives
 *                           back the same digests); verified before they are
 *                           renamed in, durable first (fsync'd, or synced
 *                           with their layer)
 *   layers/<hex>/diff       each distinct layer unpacked once, keyed by its
 *                           diff_id (the digest of the uncompressed tar), shared
 *                           by every image and container that has it
 *   layers/<hex>/layer.json its record: diff_id, sizes, short link name
 *   l/<short>               symlink to ../layers/<hex>/diff: short names for the
 *                           classic overlay mount, whose options fit in a page
 *   images.json             the image records (id, names, manifests), replaced
 *                           by rename, fsync'd
 *   tmp/<random>/           work in progress, each entry flock'ed by its owner;
 *                           an entry nobody holds is debris of a killed process
 *                           and is removed by the next writer
 *   gc.lock, store.lock     the two locks below
 *
 * Locks (flock, so each open file description is a holder and threads of
 * one process may hold them separately):
 *   gc.lock     shared by anyone who makes content that no image record
 *               refers to yet (load, import, pull, creating a container);
 *               exclusive by the garbage collector, which therefore never
 *               removes a layer that a writer is about to refer to.
 *               Always taken before store.lock.
 *   store.lock  exclusive around every read-modify-write of images.json;
 *               held for milliseconds.  (A layer commit needs no lock: it
 *               is a rename(2) of its folder, which fails when another
 *               process committed the same layer first.)
 *
 * Nothing here prints; errors follow util/error.h.  The store is not
 * thread-safe as an object, but separate `struct store` handles on one
 * root may be used from separate threads and processes.
 */
#ifndef CABIN_IMAGE_STORE_H
#define CABIN_IMAGE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "util/error.h"

#define STORE_DEFAULT_ROOT "/var/lib/cabin"
#define STORE_LINK_LEN     26 /* characters of a short link name */

struct store {
    char *root;   /* absolute */
    int rootfd;   /* O_PATH of each folder */
    int blobsfd;  /* blobs/sha256 */
    int layersfd;
    int linksfd;  /* l */
    int tmpfd;
};

/* Open (making what is missing) the store at `root`. */
int store_open(const char *root, struct store **ret, struct error **err);
void store_free(struct store *s);

/* ---- locks ---- */

/* flock gc.lock with `op` (LOCK_SH, LOCK_EX, optionally | LOCK_NB): the
 * returned fd holds it until closed.  -EWOULDBLOCK with LOCK_NB when busy. */
int store_lock_gc(struct store *s, int op, int *ret_fd, struct error **err);
/* store.lock, exclusive. */
int store_lock(struct store *s, int *ret_fd, struct error **err);

/* ---- scratch space ---- */

/* A directory tmp/<random>, flock'ed by *ret_fd (an O_RDONLY fd of it);
 * *ret_name (malloc'd) is its name in tmp/.  Remove it with
 * store_tmp_remove() (also after a commit moved things out of it). */
int store_tmp_new(struct store *s, char **ret_name, int *ret_fd, struct error **err);
void store_tmp_remove(struct store *s, const char *name, int fd);
/* Whether tmp/NAME was left by a process that was killed: a hidden
 * `.PID-NAME` whose PID is gone (an hour old without a pid), or a visible
 * entry nobody holds the lock of (its maker locks it before it names it). */
bool store_tmp_abandoned(struct store *s, const char *name);
/* Remove what killed processes left in tmp/ (store_tmp_abandoned). */
void store_tmp_sweep(struct store *s);

/* ---- blobs ---- */

bool store_has_blob(struct store *s, const char *digest);
/* Open a blob for reading (O_RDONLY). */
int store_blob_open(struct store *s, const char *digest, int *ret_fd, struct error **err);
/* Read a small blob and check its digest; at most `max` bytes. */
int store_blob_read(struct store *s, const char *digest, size_t max, char **ret_buf,
                    size_t *ret_len, struct error **err);
/* Store `len` bytes of `data` as a blob; its digest goes to ret_digest
 * (may be NULL).  Already there: nothing is written. */
int store_blob_put(struct store *s, const void *data, size_t len, char ret_digest[DIGEST_BUF],
                   struct error **err);
/* Move the file `name` of `dirfd` (whose content has the digest `digest`,
 * already verified by the caller) into blobs/, fsync'd first unless
 * `durable` (the caller synced the store since it wrote the file). */
int store_blob_commit(struct store *s, int dirfd, const char *name, int fd, const char *digest,
                      bool durable, struct error **err);
/* Size of a blob, or -1 when it is missing. */
int64_t store_blob_size(struct store *s, const char *digest);

/* ---- layers ---- */

struct layer_info {
    char diff_id[DIGEST_BUF];
    uint64_t size;     /* bytes of file data */
    uint64_t tar_size; /* bytes of the uncompressed tar */
    uint64_t entries;
    char link[STORE_LINK_LEN + 1];
};

bool store_has_layer(struct store *s, const char *diff_id);
int store_layer_info(struct store *s, const char *diff_id, struct layer_info *ret,
                     struct error **err);
/* Absolute path of layers/<hex>/diff (malloc'd). */
char *store_layer_path(struct store *s, const char *diff_id);
/* Commit the folder `layer` (with diff/ in it) of the scratch folder
 * `tmpfd` as layers/<hex>: writes its layer.json and short link, syncs the
 * store's file system (store_sync: the layer's files, and whatever else
 * the caller wrote before, are durable), then renames it in, so a layer
 * the store has after a crash is whole.  If the layer is there already (another process was
 * quicker) ours is left in the scratch folder for the caller to remove, and
 * *ret_existed is true. */
int store_layer_commit(struct store *s, int tmpfd, const struct layer_info *info,
                       bool *ret_existed, struct error **err);

/* ---- image records (images.json) ---- */

/* One image: its id is the digest of its config.  `manifests` lists the
 * manifest digests stored for it (the first one is used), `names` the
 * normalised "domain/path:tag" references, `digests` the
 * "domain/path@sha256:..." references it was pulled by. */
struct image_record {
    char id[DIGEST_BUF];
    char **manifests;
    char **names;
    char **digests;
    int64_t added; /* unix time it was stored */
};

struct image_db {
    struct image_record *images;
    size_t n;
};

void image_db_free(struct image_db *db);
/* Read images.json (no lock: it is replaced by rename, so always whole). */
int store_images_read(struct store *s, struct image_db **ret, struct error **err);

/* Read-modify-write images.json under store.lock: `edit` changes `db`
 * and returns 0 to write it back, 1 to leave it unchanged, or an error. */
typedef int (*image_db_edit_fn)(struct image_db *db, void *opaque, struct error **err);
int store_images_update(struct store *s, image_db_edit_fn edit, void *opaque, struct error **err);

/* Find an image by id ("sha256:<hex>", the hex, or a unique prefix of at
 * least 3 hex digits), by name ("busybox", "busybox:1", normalised), or by
 * "name@sha256:<manifest>".  Returns the index, or -ENOENT with an error
 * saying what was not found. */
int image_db_find(const struct image_db *db, const char *what, size_t *ret_index,
                  struct error **err);
struct image_record *image_db_add(struct image_db *db, const char *id);
int image_record_add_name(struct image_record *r, const char *name);
int image_record_add_manifest(struct image_record *r, const char *digest);
int image_record_add_digest(struct image_record *r, const char *repo_digest);
/* Take `name` off every image of db except `keep` (a tag names one image).
 * Returns how many lost it. */
size_t image_db_untag(struct image_db *db, const char *name, const struct image_record *keep);
void image_db_remove(struct image_db *db, size_t index);
/* Does `name` (normalised) appear in record r? */
bool image_record_has_name(const struct image_record *r, const char *name);

/* ---- whole-store helpers ---- */

/* Make every write so far durable (syncfs of the store's file system). */
int store_sync(struct store *s, struct error **err);

#endif
