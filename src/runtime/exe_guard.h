/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keep the runtime's binary out of the container's reach (CVE-2019-5736).
 *
 * The container's init runs our binary until its execve; a container that
 * gets that binary executed inside it (args of /proc/self/exe, or a script
 * whose interpreter is) could open /proc/PID/exe and overwrite the host's
 * cabin-runtime once it exits.  So the commands that start an init first
 * re-execute themselves from a sealed memfd copy: what the container can
 * reach is a copy that cannot be written.
 */
#ifndef CABIN_RUNTIME_EXE_GUARD_H
#define CABIN_RUNTIME_EXE_GUARD_H

#include "util/error.h"

/* Returns 0 when already running from a sealed copy; otherwise re-executes
 * from one (and does not return) or fails. */
int exe_guard_ensure_sealed(char **argv, struct error **err);

#endif
