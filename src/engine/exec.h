/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin exec`: one more process in a running container, through the
 * runtime core's container_exec() (which joins its namespaces, cgroup,
 * capabilities, seccomp filter and LSM labels, and in the foreground is
 * the terminal's other end).  What the engine adds is docker's meaning of
 * the flags: -u names resolved in the container's own /etc/passwd and
 * /etc/group, the container's environment and working directory unless
 * -e and -w say otherwise, --privileged's capabilities.
 */
#ifndef CABIN_ENGINE_EXEC_H
#define CABIN_ENGINE_EXEC_H

#include <stdbool.h>

#include "engine/container.h"
#include "util/error.h"

struct engine_exec_opts {
    char *const *args;
    char *const *env;        /* KEY=VALUE (or KEY: ours) */
    char *const *env_files;
    const char *user, *workdir;
    bool tty, interactive, detach, privileged;
};

/* In the foreground *ret_status is the process's exit status (128+N for
 * signal N); detached, 0 once it runs.  On failure *ret_exec_failed says
 * whether it was the runtime that could not start the process (docker's
 * 126/127) rather than what came before. */
int engine_container_exec(struct engine *e, const struct engine_container *c,
                          const struct engine_exec_opts *o, int *ret_status,
                          bool *ret_exec_failed, struct error **err);

#endif
