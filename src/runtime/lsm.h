/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AppArmor and SELinux: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 *   lsm_detect()      which of the two is on, read from a tree rooted at
 *                     `root` ("/" for this host; a unit test passes a fake
 *                     tree).  The runtime asks before it forks: the
 *                     container's /sys may be anything.
 *   lsm_plan()        what to apply for a spec on such a host.  As runc
 *                     does, a label for an LSM that is off is ignored with
 *                     a debug note; when SELinux is on, a bad label is an
 *                     error (the kernel refuses it when it is written).
 *   lsm_apply_exec()  right before execve (process_exec): "exec PROFILE"
 *                     to attr/apparmor/exec (attr/exec on kernels without
 *                     the per-LSM directory) and the SELinux label to
 *                     attr/exec, through /proc checked to be procfs, so a
 *                     fake /proc cannot swallow them (CVE-2019-16884)
 *   lsm_mount_data()  linux.mountLabel as a context= mount option, on the
 *                     mounts that take one (not proc, sysfs, cgroup or
 *                     binds), as go-selinux formats it
 *
 * The strings of a plan point into the spec and live as long as it does.
 */
#ifndef CABIN_RUNTIME_LSM_H
#define CABIN_RUNTIME_LSM_H

#include <stdbool.h>

#include "runtime/spec.h"
#include "util/error.h"

struct lsm_state {
    bool apparmor, selinux;
};

/* Never fails: what cannot be read is off. */
void lsm_detect(const char *root, struct lsm_state *ret);

struct lsm_plan {
    const char *apparmor_profile; /* NULL: none, or AppArmor is off */
    const char *selinux_label;    /* NULL: none, or SELinux is off */
    const char *mount_label;      /* NULL: none, or SELinux is off */
};

void lsm_plan(const struct lsm_state *st, const struct spec *s, struct lsm_plan *ret);

/* Write the exec labels of `plan` for the calling thread's next execve. */
int lsm_apply_exec(const struct lsm_plan *plan, struct error **err);
/* The same below `proc`, which must be the root of a procfs. */
int lsm_apply_exec_at(int proc, const struct lsm_plan *plan, struct error **err);

/* Mount data for `m` with the mount label added when it takes one:
 * *ret is a new string, or NULL when the data stays as it is. */
int lsm_mount_data(const struct lsm_plan *plan, const struct spec_mount *m, const char *data,
                   char **ret, struct error **err);

#endif
