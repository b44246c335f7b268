/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp → a BPF filter, with libseccomp.
 *
 * The runtime compiles the profile before it forks (seccomp_prepare): every
 * field is checked and named in errors; syscall names this libseccomp does
 * not know are skipped with a debug note, as runc does.  Compiling is the
 * costliest part of a start, so the BPF is cached under the runtime root,
 * keyed by a SHA-256 of the profile (canonical JSON) and the libseccomp
 * version.  The container's init then loads the ready program with
 * seccomp(2) (seccomp_install) as late as it can: just before execve when
 * no_new_privs is set, else before it gives up CAP_SYS_ADMIN.
 */
#ifndef CABIN_RUNTIME_SECCOMP_H
#define CABIN_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

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

/* Load the program into the calling thread (no_new_privs or CAP_SYS_ADMIN
 * needed). */
int seccomp_install(const struct seccomp_program *p, struct error **err);

void seccomp_program_free(struct seccomp_program *p);

#endif
