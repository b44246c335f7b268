/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network namespaces kept by a bind mount, as `ip netns` keeps them: a
 * new namespace, with `lo` up, is mounted on an empty file DIR/NAME, so it
 * outlives the process that made it and any container can join it by path
 * (linux.namespaces[].path).  Removing it unmounts (lazily) and deletes the
 * file; the kernel frees the namespace, and the veths in it, once nothing
 * holds it any more.
 */
#ifndef CABIN_ENGINE_NETNS_H
#define CABIN_ENGINE_NETNS_H

#include "util/error.h"

/* Make DIR (0755) if needed and the namespace at DIR/NAME; its path in
 * *ret (malloc'd).  A file of that name already there is an EEXIST error;
 * on failure nothing is left. */
int netns_create(const char *dir, const char *name, char **ret, struct error **err);

/* Unmount and delete DIR/NAME; nothing there is not an error. */
int netns_remove(const char *path, struct error **err);

/* Is `path` a mounted network namespace? */
int netns_is_mounted(const char *path);

#endif
