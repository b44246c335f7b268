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

#endif
