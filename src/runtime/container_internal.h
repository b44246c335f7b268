/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the files of the container API (not for callers). */
#ifndef CABIN_RUNTIME_CONTAINER_INTERNAL_H
#define CABIN_RUNTIME_CONTAINER_INTERNAL_H

#include "runtime/container.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/state.h"

/* Open ROOT/ID with `lock`, read its state and compute its live status
 * (paused when its cgroup is frozen). */
int container_read_state(struct runtime *rt, const char *id, int lock, int *ret_dirfd,
                         struct container_state **ret, enum container_status *ret_status,
                         struct error **err);

/* The container's seccomp program (NULL when it has no linux.seccomp),
 * compiled or from the cache under the root. */
int container_seccomp(struct runtime *rt, const struct spec *s, struct seccomp_program **ret,
                      struct error **err);

/* A pidfd of `pid` if it is still the process that started at
 * `start_time` (else -ESRCH, or another negative errno). */
int container_pidfd(pid_t pid, unsigned long long start_time);

/* After SYNC_START (or a connection on exec.sock, or exec's SYNC_GO) the
 * process execs: its end of `fd` closes (O_CLOEXEC) and we read EOF.  A
 * message instead is the exec's error. */
int container_await_exec(int fd, struct error **err);

/* Write `pid` to `path` (--pid-file) atomically. */
int container_write_pid_file(const char *path, pid_t pid, struct error **err);

#endif
