/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keep the runtime's binary out of the container's reach (CVE-2019-5736).
 *
 * The container's init runs our binary until its execve; a container that
 * gets that binary executed inside it (args of /proc/self/exe, or a script
 * whose interpreter is) could open /proc/PID/exe and overwrite the host's
 * cabin-runtime once it exits.  So the commands that start an init first
 * re-execute themselves from a view of the binary that cannot be written:
 *
 *  - a private overlayfs of the binary's directory with no upper layer (two
 *    lower layers: the binary's directory over /dev), made with fsopen and
 *    never attached to any mount tree: a file on it cannot be written, nor
 *    the mount made writable, and nothing is copied (runc 1.2 does the
 *    same).  The file found there must be the one we run (size and times).
 *  - where that cannot be made (no overlayfs or new mount API, no
 *    privilege, a directory overlayfs refuses, a binary that was replaced),
 *    a sealed memfd copy of the binary (F_SEAL_WRITE and friends): a few ms
 *    more, since the whole file is copied and then paged in from the copy.
 */
#ifndef CABIN_RUNTIME_EXE_GUARD_H
#define CABIN_RUNTIME_EXE_GUARD_H

#include <stdbool.h>

#include "util/error.h"

/* Returns 0 when already running from a sealed view; otherwise re-executes
 * from one (and does not return) or fails. */
int exe_guard_ensure_sealed(char **argv, struct error **err);

/* Whether this process runs from a sealed view (a sealed memfd, or a file
 * on a read-only overlayfs): then /proc/self/exe does not name the file on
 * the host. */
bool exe_guard_sealed(void);

#endif
