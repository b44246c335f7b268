/* SPDX-License-Identifier: Apache-2.0 */
/* The default seccomp profile: a table of rules, each with the conditions
 * under which it applies, and a builder that keeps the rules that apply to
 * one container (seccomp_default.h). */
#include "runtime/seccomp_default.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define CAP(c)     (1ULL << (c))
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

#define CLONE_NS_FLAGS                                                                             \
    (0x00020000ULL /* NEWNS */ | 0x02000000ULL /* NEWCGROUP */ | 0x04000000ULL /* NEWUTS */ |      \
     0x08000000ULL /* NEWIPC */ | 0x10000000ULL /* NEWUSER */ | 0x20000000ULL /* NEWPID */ |       \
     0x40000000ULL /* NEWNET */)
#define AF_VSOCK_FAMILY 40
#define ENOSYS_RET      38

struct arg_cond {
    const char *op; /* NULL: no condition */
    unsigned index;
    uint64_t value, value_two;
};

/* One rule and when it applies: every capability of `caps` is in the
 * bounding set and none of `not_caps`; the native architecture is one of
 * `arches` (when given) and none of `not_arches`; the kernel is at least
 * `min_kernel`. */
struct rule {
    const char *const *names;
    int errno_ret; /* 0: SCMP_ACT_ALLOW; else SCMP_ACT_ERRNO with this errno */
    struct arg_cond arg;
    uint64_t caps, not_caps;
    const char *const *arches, *const *not_arches;
    unsigned min_kernel;
};

/* Allowed for everyone. */
static const char *const always[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "cachestat",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_requeue",
    "futex_time64",
    "futex_wait",
    "futex_waitv",
    "futex_wake",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "getxattrat",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listmount",
    "listxattr",
    "listxattrat",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "map_shadow_stack",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "mseal",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "removexattrat",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "setxattrat",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statmount",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "uretprobe",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
    NULL,
};

static const struct rule rules[] = {
    {.names = always},
    /* From 4.8 seccomp sees a traced process's syscalls again, so ptrace
     * can no longer be used to skip the filter. */
    {.names = NAMES("process_vm_readv", "process_vm_writev", "ptrace"),
     .min_kernel = SECCOMP_KERNEL(4, 8)},
    /* Any socket but vsock, which reaches the hypervisor's host. */
    {.names = NAMES("socket"), .arg = {"SCMP_CMP_NE", 0, AF_VSOCK_FAMILY, 0}},
    /* personality: PER_LINUX, PER_LINUX32, UNAME26 and the query 0xffffffff. */
    {.names = NAMES("personality"), .arg = {"SCMP_CMP_EQ", 0, 0x0, 0}},
    {.names = NAMES("personality"), .arg = {"SCMP_CMP_EQ", 0, 0x8, 0}},
    {.names = NAMES("personality"), .arg = {"SCMP_CMP_EQ", 0, 0x20000, 0}},
    {.names = NAMES("personality"), .arg = {"SCMP_CMP_EQ", 0, 0x20008, 0}},
    {.names = NAMES("personality"), .arg = {"SCMP_CMP_EQ", 0, 0xffffffff, 0}},
    /* Per architecture. */
    {.names = NAMES("sync_file_range2", "swapcontext"), .arches = NAMES("ppc64le")},
    {.names = NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                    "cacheflush", "set_tls"),
     .arches = NAMES("arm", "arm64")},
    {.names = NAMES("arch_prctl"), .arches = NAMES("amd64", "x32")},
    {.names = NAMES("modify_ldt"), .arches = NAMES("amd64", "x32", "x86")},
    {.names = NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
     .arches = NAMES("s390", "s390x")},
    {.names = NAMES("riscv_flush_icache", "riscv_hwprobe"), .arches = NAMES("riscv64")},
    /* Per capability. */
    {.names = NAMES("open_by_handle_at"), .caps = CAP(CAP_DAC_READ_SEARCH)},
    {.names = NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                    "fspick", "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules",
                    "lsm_set_self_attr", "mount", "mount_setattr", "move_mount", "open_tree",
                    "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                    "setns", "syslog", "umount", "umount2", "unshare"),
     .caps = CAP(CAP_SYS_ADMIN)},
    /* Without CAP_SYS_ADMIN, clone only without namespace flags (flags are
     * the second argument on s390), and clone3, whose flags sit in memory
     * seccomp cannot read, fails with ENOSYS so that libc uses clone. */
    {.names = NAMES("clone"),
     .arg = {"SCMP_CMP_MASKED_EQ", 0, CLONE_NS_FLAGS, 0},
     .not_caps = CAP(CAP_SYS_ADMIN),
     .not_arches = NAMES("s390", "s390x")},
    {.names = NAMES("clone"),
     .arg = {"SCMP_CMP_MASKED_EQ", 1, CLONE_NS_FLAGS, 0},
     .not_caps = CAP(CAP_SYS_ADMIN),
     .arches = NAMES("s390", "s390x")},
    {.names = NAMES("clone3"), .errno_ret = ENOSYS_RET, .not_caps = CAP(CAP_SYS_ADMIN)},
    {.names = NAMES("reboot"), .caps = CAP(CAP_SYS_BOOT)},
    {.names = NAMES("chroot"), .caps = CAP(CAP_SYS_CHROOT)},
    {.names = NAMES("delete_module", "init_module", "finit_module"), .caps = CAP(CAP_SYS_MODULE)},
    {.names = NAMES("acct"), .caps = CAP(CAP_SYS_PACCT)},
    {.names = NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                    "process_vm_writev", "ptrace"),
     .caps = CAP(CAP_SYS_PTRACE)},
    {.names = NAMES("iopl", "ioperm"), .caps = CAP(CAP_SYS_RAWIO)},
    {.names = NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
     .caps = CAP(CAP_SYS_TIME)},
    {.names = NAMES("vhangup"), .caps = CAP(CAP_SYS_TTY_CONFIG)},
    {.names = NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
     .caps = CAP(CAP_SYS_NICE)},
    {.names = NAMES("syslog"), .caps = CAP(CAP_SYSLOG)},
    {.names = NAMES("bpf"), .caps = CAP(CAP_BPF)},
    {.names = NAMES("perf_event_open"), .caps = CAP(CAP_PERFMON)},
};

/* The architectures a filter covers on each native one: the native ABI
 * and the others its binaries may use (32-bit x86 on x86-64, ...). */
static const struct {
    const char *native;
    const char *const *archs;
} arch_map[] = {
    {"amd64", NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")},
    {"arm64", NAMES("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM")},
    {"mips64", NAMES("SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32")},
    {"mips64n32", NAMES("SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64")},
    {"mipsel64", NAMES("SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32")},
    {"mipsel64n32", NAMES("SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64")},
    {"s390x", NAMES("SCMP_ARCH_S390X", "SCMP_ARCH_S390")},
    {"riscv64", NAMES("SCMP_ARCH_RISCV64")},
};

const char *seccomp_default_native_arch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
    return "x32";
#elif defined(__x86_64__)
    return "amd64";
#elif defined(__i386__)
    return "x86";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "arm";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return "ppc64le";
#elif defined(__powerpc64__)
    return "ppc64";
#elif defined(__powerpc__)
    return "ppc";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__s390__)
    return "s390";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__mips__) && defined(__mips64) && _MIPS_SIM == _ABIN32
#if defined(__MIPSEL__)
    return "mipsel64n32";
#else
    return "mips64n32";
#endif
#elif defined(__mips__) && defined(__mips64)
#if defined(__MIPSEL__)
    return "mipsel64";
#else
    return "mips64";
#endif
#else
    return NULL;
#endif
}

static unsigned running_kernel(void)
{
    struct utsname u;
    unsigned major = 0, minor = 0;
    if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2)
        return SECCOMP_KERNEL(major, minor);
    return 0;
}

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list && s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool applies(const struct rule *r, const struct seccomp_default_target *t)
{
    if ((r->caps & t->caps) != r->caps || (r->not_caps & t->caps) != 0)
        return false;
    if (r->arches && !in_list(r->arches, t->arch))
        return false;
    if (r->not_arches && in_list(r->not_arches, t->arch))
        return false;
    return r->min_kernel == 0 || t->kernel >= r->min_kernel;
}

static json_t *strings(const char *const *list)
{
    json_t *a = json_array();
    for (size_t i = 0; a && list[i]; i++)
        if (json_array_append_new(a, json_string(list[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *rule_json(const struct rule *r)
{
    json_t *j = json_pack("{s:o, s:s}", "names", strings(r->names), "action",
                          r->errno_ret ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
    if (j && r->errno_ret && json_object_set_new(j, "errnoRet", json_integer(r->errno_ret)) < 0)
        goto fail;
    if (j && r->arg.op &&
        json_object_set_new(j, "args",
                            json_pack("[{s:I, s:I, s:I, s:s}]", "index", (json_int_t) r->arg.index,
                                      "value", (json_int_t) r->arg.value, "valueTwo",
                                      (json_int_t) r->arg.value_two, "op", r->arg.op)) < 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

json_t *seccomp_default_for(const struct seccomp_default_target *target)
{
    struct seccomp_default_target t = *target;
    if (t.kernel == 0)
        t.kernel = running_kernel();
    if (t.arch == NULL)
        t.arch = seccomp_default_native_arch();
    json_t *archs = json_array();
    json_t *calls = json_array();
    json_t *p = json_pack("{s:s, s:i, s:o, s:o}", "defaultAction", "SCMP_ACT_ERRNO",
                          "defaultErrnoRet", EPERM, "architectures", archs, "syscalls", calls);
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(arch_map) / sizeof(arch_map[0]); i++) {
        if (!t.arch || strcmp(arch_map[i].native, t.arch) != 0)
            continue;
        for (size_t k = 0; arch_map[i].archs[k]; k++)
            if (json_array_append_new(archs, json_string(arch_map[i].archs[k])) < 0)
                goto fail;
    }
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (!applies(&rules[i], &t))
            continue;
        json_t *r = rule_json(&rules[i]);
        if (r == NULL || json_array_append_new(calls, r) < 0)
            goto fail;
    }
    return p;
fail:
    json_decref(p);
    return NULL;
}

json_t *seccomp_default_profile(uint64_t caps)
{
    struct seccomp_default_target t = {.caps = caps};
    return seccomp_default_for(&t);
}
