/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp → a BPF filter, with libseccomp.
 *
 * The runtime compiles the profile before it forks (seccomp_prepare): every
 * field is checked and named in errors; syscall names this libseccomp does
 * not know are skipped with a debug note, as runc does; a syscall numbered
 * above every one the profile names gets ENOSYS rather than the default
 * action, so that libc falls back (seccomp_internal.h, the -ENOSYS stub).
 * Compiling is the
 * costliest part of a start, so the BPF is cached under the runtime root,
 * keyed by a SHA-256 of the profile (canonical JSON) and the libseccomp
 * version.  libseccomp itself runs in a short-lived child with a deadline
 * (seccomp_internal.h): a profile it cannot finish compiling is an error.  The container's init then loads the ready program with
 * seccomp(2) (seccomp_install) as late as it can: just before execve when
 * no_new_privs is set, else before it gives up CAP_SYS_ADMIN.
 *
 * SCMP_ACT_NOTIFY: the filter is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER
 * and the kernel returns a listener fd.  The init hands it to the runtime,
 * which sends it to the unix socket at linux.seccomp.listenerPath with the
 * container process state (seccomp_send_listener), as runc does; so with a
 * NOTIFY rule the filter is loaded during create, before the init reports
 * ready, whatever no_new_privs says.
 */
#ifndef CABIN_RUNTIME_SECCOMP_H
#define CABIN_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct seccomp_program {
    struct sock_filter *insns;
    size_t n;
    unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool from_cache;
};

/* Compile `profile` (the linux.seccomp object).  `cache_dirfd` is a
 * directory for cached programs, or -1 for none. */
int seccomp_prepare(const json_t *profile, int cache_dirfd, struct seccomp_program **ret,
                    struct error **err);

/* Whether the program has SCMP_ACT_NOTIFY rules (it makes a listener). */
bool seccomp_program_notifies(const struct seccomp_program *p);

/* Load the program into the calling thread (no_new_privs or CAP_SYS_ADMIN
 * needed).  A program that notifies stores its listener fd in
 * *ret_listener (closed when ret_listener is NULL). */
int seccomp_install(const struct seccomp_program *p, int *ret_listener, struct error **err);

/* Send `listener` and the container process state (runtime-spec
 * config-linux.md: ociVersion, fds ["seccompFd"], pid, metadata from
 * listenerMetadata, and `state`, the container's state) in one message to
 * the unix socket at profile's listenerPath. */
int seccomp_send_listener(const json_t *profile, const json_t *state, pid_t pid, int listener,
                          struct error **err);

void seccomp_program_free(struct seccomp_program *p);

#endif
