/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside seccomp: the checked profile as a plan of libseccomp calls, and the
 * builder that turns it into BPF (seccomp_build.c).
 *
 * seccomp.c checks linux.seccomp and resolves it into a `struct
 * seccomp_plan` without calling into libseccomp's rule database; then
 * seccomp_build() runs the libseccomp calls in a child process that has
 * seccomp_build_timeout_ms to finish.  The child is there because
 * libseccomp can loop forever: 2.5.4 (Debian 12) does on two rules for one
 * syscall where the first compares argument 2 with <, <=, > or >= and
 * argument 0 with !=, and the second compares argument 2 with == or != and
 * argument 0 with the same != (found by tests/fuzz/fuzz_seccomp; runc hangs
 * in `runc init` on the same profile).  A child that does not finish is
 * killed and its profile is an error; nothing of it is left.
 */
#ifndef CABIN_RUNTIME_SECCOMP_INTERNAL_H
#define CABIN_RUNTIME_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* One seccomp_rule_add_array() call. */
struct seccomp_plan_rule {
    uint32_t action;
    int nr;             /* syscall number */
    unsigned int n_conds;
    struct scmp_arg_cmp conds[6];
    size_t index;       /* in linux.seccomp.syscalls, for messages */
    const char *name;   /* the syscall's name, pointing into the profile */
};

/* One seccomp_arch_add() call. */
struct seccomp_plan_arch {
    uint32_t token;
    size_t index;       /* in linux.seccomp.architectures */
    const char *name;
};

struct seccomp_plan {
    uint32_t default_action;
    struct seccomp_plan_arch *archs;
    size_t n_archs;
    struct seccomp_plan_rule *rules;
    size_t n_rules;
};

/* Milliseconds the libseccomp child of seccomp_build() may take (10 s by
 * default; the fuzz harness lowers it). */
extern unsigned int seccomp_build_timeout_ms;

/* Compile `plan` to BPF.  On success *ret_insns (malloc'd, owned by the
 * caller) holds *ret_n instructions; both are untouched on failure. */
int seccomp_build(const struct seccomp_plan *plan, struct sock_filter **ret_insns, size_t *ret_n,
                  struct error **err);

/*
 * The -ENOSYS stub (seccomp_enosys.c).  A profile names only the syscalls
 * its author and this libseccomp knew; under a default action that denies
 * (EPERM, KILL, TRAP), a syscall newer than both (fchmodat2, mseal...)
 * fails with that action, and libc, which falls back to an older call only
 * on ENOSYS, breaks.  So, as runc does (libcontainer/seccomp/patchbpf), a
 * short program goes in front of libseccomp's: for each architecture of
 * the filter it knows, a syscall numbered above the largest number the
 * profile names for that architecture (as libseccomp resolves it) returns
 * -ENOSYS; everything else goes to libseccomp's program unchanged (A reset
 * to 0, X and the scratch memory untouched).  x86_64 and x32 share
 * AUDIT_ARCH_X86_64; x32 numbers carry bit 30 and have their own maximum.
 * An architecture the stub does not know, or for which the profile names
 * no syscall, gets no check.  Holes in a syscall table (a number below the
 * maximum that libseccomp does not know) still get the default action, as
 * in runc.
 */

/* The largest syscall number the profile names for one architecture. */
struct seccomp_enosys_arch {
    uint32_t token; /* libseccomp's SCMP_ARCH_* */
    int max_nr;     /* as seccomp_syscall_resolve_name_arch() gave it; <0: none */
};

/* Whether a filter with this default action gets the stub: not when the
 * default allows (ALLOW, LOG), traces (a tracer answers new syscalls
 * itself, as runc decides) or already is ERRNO(ENOSYS). */
bool seccomp_enosys_wanted(uint32_t default_action);

/* The stub for `archs` followed by the `n_prog` instructions of `prog`, in
 * a new malloc'd array (*ret_insns, *ret_n; untouched on failure).  -E2BIG
 * when the whole is longer than BPF_MAXINSNS. */
int seccomp_enosys_patch(const struct seccomp_enosys_arch *archs, size_t n_archs,
                         const struct sock_filter *prog, size_t n_prog,
                         struct sock_filter **ret_insns, size_t *ret_n, struct error **err);

#endif
