/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Namespaces: which to make, which to join, and the user namespace's id
 * maps.  Paths to join are opened by the runtime before it forks, so a bad
 * path is reported as such and not as a failure deep inside the init.
 */
#ifndef CABIN_RUNTIME_NAMESPACES_H
#define CABIN_RUNTIME_NAMESPACES_H

#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

/* CLONE_NEW* flags of the namespaces the spec wants made new. */
int ns_new_flags(const struct spec *s);

/* Open every linux.namespaces[].path; fds[i] is -1 for the others.  Checks
 * that each file is a namespace of the stated type. */
int ns_open_paths(const struct spec *s, int fds[SPEC_NS__COUNT], struct error **err);
void ns_close_all(int fds[SPEC_NS__COUNT]);

/* setns() into `fd`, a namespace of type `ns`. */
int ns_join(int fd, enum spec_ns ns, struct error **err);

/* Write uid_map and gid_map of `pid` from the spec. */
int ns_write_id_maps(pid_t pid, const struct spec *s, struct error **err);

/* Write /proc/self/timens_offsets: call after unshare(CLONE_NEWTIME) and
 * before the first child enters the namespace. */
int ns_write_time_offsets(const struct spec *s, struct error **err);

#endif
