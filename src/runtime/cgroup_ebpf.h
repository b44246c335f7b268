/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device rules on cgroup v2: v2 has no devices.allow file; the kernel asks
 * a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead.
 * We compile the rules (last matching rule wins, as in the OCI spec and v1)
 * into such a program, load it and attach it, replacing the one attached
 * before (update).
 */
#ifndef CABIN_RUNTIME_CGROUP_EBPF_H
#define CABIN_RUNTIME_CGROUP_EBPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "runtime/cgroup.h"

/* Instructions for `rules` (no defaults added).  *ret is malloc'd. */
int cgroup_ebpf_compile(const struct cg_device_rule *rules, size_t n, struct bpf_insn **ret,
                        size_t *ret_n, struct error **err);

/* What the program would answer for one access, by interpreting the rules
 * the same way (for tests and messages): 1 allow, 0 deny.  `type` is 'c' or
 * 'b', `access` some of "rwm". */
int cgroup_devices_allowed(const struct cg_device_rule *rules, size_t n, char type,
                           unsigned major, unsigned minor, const char *access);

/* Compile, load and attach to the cgroup directory `dir_fd`, then detach
 * any device program that was there. */
int cgroup_ebpf_apply(int dir_fd, const struct cg_device_rule *rules, size_t n,
                      struct error **err);

#endif
