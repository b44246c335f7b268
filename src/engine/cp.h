/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin cp`: files between a container and the host, with docker's rules
 * (a file onto a missing path makes that file, into a directory keeps its
 * name; a directory makes the destination or goes into it; "DIR/." copies
 * its contents; "-" is a tar stream on stdin or stdout).
 *
 * The container side is only ever reached through fds: its root (the
 * running init's /proc/PID/root, so its mounts are seen; or the stopped
 * container's root, mounted for the copy and held locked), paths resolved
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), and below that
 * every entry opened or made relative to its directory with O_NOFOLLOW.
 * A symlink in the container therefore resolves inside the container (as
 * docker's do) and never to a host file, whichever way the copy goes; a
 * symlink being copied is copied as a symlink (unless -L, for the source
 * itself).  A tar stream's names are cleaned and refused when they climb
 * out ("..").
 *
 * Ownership: copied into a container, files belong to root unless
 * `archive` (-a) keeps the source's owners; copied out, they belong to us.
 */
#ifndef CABIN_ENGINE_CP_H
#define CABIN_ENGINE_CP_H

#include <stdbool.h>

#include "engine/container.h"
#include "util/error.h"

struct cp_opts {
    bool archive;     /* -a: keep uid and gid */
    bool follow;      /* -L: follow a symlink that is the source */
    int stream_fd;    /* the tar stream's fd when a side is "-" */
};

/* container:src → host dest ("-": a tar stream to stream_fd). */
int engine_cp_out(struct engine *e, const struct engine_container *c, const char *src,
                  const char *dest, const struct cp_opts *o, struct error **err);

/* host src ("-": a tar stream from stream_fd) → container:dest. */
int engine_cp_in(struct engine *e, const struct engine_container *c, const char *src,
                 const char *dest, const struct cp_opts *o, struct error **err);

#endif
