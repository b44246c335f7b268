/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default seccomp profile: the same effect as Docker's (moby's
 * profiles/seccomp, as of its kernel 6.13 / libseccomp 2.6 update, with
 * io_uring removed and the lsm_* calls behind CAP_SYS_ADMIN).
 *
 * Everything not listed fails with EPERM.  An allowlist of ordinary
 * syscalls is always allowed; some are allowed only for some argument
 * values (personality, socket without AF_VSOCK, clone without namespace
 * flags, clone3 failing with ENOSYS so that libc falls back to clone);
 * others only when the container holds a capability in its bounding set
 * (CAP_SYS_ADMIN: mount, unshare, setns and the like; CAP_SYS_PTRACE:
 * kcmp, pidfd_getfd, process_madvise; ...), or on some architectures, or
 * from some kernel version (ptrace and process_vm_* from 4.8, when seccomp
 * started to re-check a traced process's syscalls).  Like dockerd, the
 * profile is computed for one container: the engine passes the
 * container's capabilities.
 *
 * The result is an OCI `linux.seccomp` object (a new reference), ready to
 * be put into a config.json or given to seccomp_prepare().  Names this
 * libseccomp does not know are kept: the runtime skips them when it
 * compiles, as runc does.
 */
#ifndef CABIN_RUNTIME_SECCOMP_DEFAULT_H
#define CABIN_RUNTIME_SECCOMP_DEFAULT_H

#include <jansson.h>
#include <stdint.h>

/* A kernel version as seccomp_default_for() compares them. */
#define SECCOMP_KERNEL(major, minor) (((unsigned) (major) << 16) | (unsigned) (minor))

struct seccomp_default_target {
    uint64_t caps;    /* bounding set: bit N is capability N */
    unsigned kernel;  /* SECCOMP_KERNEL(); 0 = the running kernel */
    const char *arch; /* native architecture in moby's words ("amd64", "arm64",
                         "s390x", ...); NULL = the one this runtime is built for */
};

/* The profile for a container whose bounding set is `caps`, on this
 * machine.  NULL only when out of memory. */
json_t *seccomp_default_profile(uint64_t caps);

/* The same for any target (for tests, and for bundles made elsewhere). */
json_t *seccomp_default_for(const struct seccomp_default_target *t);

/* This build's native architecture in moby's words, or NULL. */
const char *seccomp_default_native_arch(void);

#endif
