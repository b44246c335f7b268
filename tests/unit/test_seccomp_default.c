/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of runtime/seccomp_default: which rules the default profile
 * holds for a given bounding set, architecture and kernel (the conditions
 * of moby's profile), and that the result compiles and filters as meant
 * (loaded in a child process).
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/seccomp_default.h"

#define CAPB(c) (1ULL << (c))
/* runc's and cabin's `spec` default: AUDIT_WRITE, KILL, NET_BIND_SERVICE. */
#define SPEC_CAPS (CAPB(CAP_AUDIT_WRITE) | CAPB(CAP_KILL) | CAPB(CAP_NET_BIND_SERVICE))

static json_t *profile(uint64_t caps, const char *arch, unsigned kernel)
{
    struct seccomp_default_target t = {.caps = caps, .arch = arch, .kernel = kernel};
    json_t *p = seccomp_default_for(&t);
    assert_non_null(p);
    return p;
}

/* The rule naming `name` with `action` (and arguments or not), or NULL. */
static json_t *rule_for(const json_t *p, const char *name, const char *action, bool with_args)
{
    json_t *rules = json_object_get(p, "syscalls");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i);
        if (strcmp(json_string_value(json_object_get(r, "action")), action) != 0)
            continue;
        if ((json_object_get(r, "args") != NULL) != with_args)
            continue;
        json_t *names = json_object_get(r, "names");
        for (size_t k = 0; k < json_array_size(names); k++)
            if (strcmp(json_string_value(json_array_get(names, k)), name) == 0)
                return r;
    }
    return NULL;
}

static bool allowed(const json_t *p, const char *name)
{
    return rule_for(p, name, "SCMP_ACT_ALLOW", false) != NULL;
}

static void test_defaults(void **state)
{
    json_t *p = profile(SPEC_CAPS, "amd64", SECCOMP_KERNEL(6, 1));
    assert_string_equal(json_string_value(json_object_get(p, "defaultAction")), "SCMP_ACT_ERRNO");
    assert_int_equal(json_integer_value(json_object_get(p, "defaultErrnoRet")), EPERM);
    json_t *archs = json_object_get(p, "architectures");
    assert_int_equal(json_array_size(archs), 3);
    assert_string_equal(json_string_value(json_array_get(archs, 0)), "SCMP_ARCH_X86_64");
    assert_string_equal(json_string_value(json_array_get(archs, 1)), "SCMP_ARCH_X86");
    assert_string_equal(json_string_value(json_array_get(archs, 2)), "SCMP_ARCH_X32");
    /* The ordinary calls, and the x86 ones. */
    assert_true(allowed(p, "read"));
    assert_true(allowed(p, "execve"));
    assert_true(allowed(p, "arch_prctl"));
    assert_true(allowed(p, "modify_ldt"));
    assert_false(allowed(p, "cacheflush"));
    /* What Docker blocks. */
    static const char *const blocked[] = {
        "mount",
        "umount2",
        "unshare",
        "setns",
        "keyctl",
        "add_key",
        "request_key",
        "kexec_load",
        "kexec_file_load",
        "bpf",
        "reboot",
        "swapon",
        "init_module",
        "open_by_handle_at",
        "kcmp",
        "pidfd_getfd",
        "userfaultfd",
        "io_uring_setup",
        "clone3",
        "chroot",
        "acct",
        "settimeofday",
        "clock_settime",
        "syslog",
        "perf_event_open",
        "lsm_set_self_attr",
    };
    for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
        if (allowed(p, blocked[i]))
            fail_msg("%s is allowed without capabilities", blocked[i]);
    /* ptrace from 4.8 on, for everyone. */
    assert_true(allowed(p, "ptrace"));
    /* clone without namespace flags; clone3 fails with ENOSYS. */
    json_t *clone = rule_for(p, "clone", "SCMP_ACT_ALLOW", true);
    assert_non_null(clone);
    json_t *a = json_array_get(json_object_get(clone, "args"), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "index")), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "value")), 0x7E020000);
    assert_string_equal(json_string_value(json_object_get(a, "op")), "SCMP_CMP_MASKED_EQ");
    json_t *c3 = rule_for(p, "clone3", "SCMP_ACT_ERRNO", false);
    assert_non_null(c3);
    assert_int_equal(json_integer_value(json_object_get(c3, "errnoRet")), ENOSYS);
    /* socket but vsock; personality for five values. */
    assert_non_null(rule_for(p, "socket", "SCMP_ACT_ALLOW", true));
    assert_false(allowed(p, "socket"));
    size_t n = 0;
    json_t *rules = json_object_get(p, "syscalls");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *names = json_object_get(json_array_get(rules, i), "names");
        if (strcmp(json_string_value(json_array_get(names, 0)), "personality") == 0)
            n++;
    }
    assert_int_equal(n, 5);
    json_decref(p);
}

static void test_sys_admin(void **state)
{
    json_t *p = profile(SPEC_CAPS | CAPB(CAP_SYS_ADMIN), "amd64", SECCOMP_KERNEL(6, 1));
    static const char *const now[] = {"mount",  "umount2", "unshare", "setns",       "clone",
                                      "clone3", "bpf",     "fsopen",  "sethostname", "syslog"};
    for (size_t i = 0; i < sizeof(now) / sizeof(now[0]); i++)
        if (!allowed(p, now[i]))
            fail_msg("%s is not allowed with CAP_SYS_ADMIN", now[i]);
    assert_null(rule_for(p, "clone", "SCMP_ACT_ALLOW", true));
    assert_null(rule_for(p, "clone3", "SCMP_ACT_ERRNO", false));
    assert_false(allowed(p, "keyctl"));     /* no capability opens the keyring */
    assert_false(allowed(p, "kexec_load")); /* nor kexec */
    json_decref(p);
}

static void test_other_caps(void **state)
{
    static const struct {
        int cap;
        const char *name;
    } gated[] = {
        {CAP_SYS_PTRACE, "kcmp"},
        {CAP_SYS_PTRACE, "pidfd_getfd"},
        {CAP_SYS_PTRACE, "process_madvise"},
        {CAP_DAC_READ_SEARCH, "open_by_handle_at"},
        {CAP_SYS_BOOT, "reboot"},
        {CAP_SYS_CHROOT, "chroot"},
        {CAP_SYS_MODULE, "finit_module"},
        {CAP_SYS_PACCT, "acct"},
        {CAP_SYS_RAWIO, "iopl"},
        {CAP_SYS_TIME, "clock_settime"},
        {CAP_SYS_TTY_CONFIG, "vhangup"},
        {CAP_SYS_NICE, "mbind"},
        {CAP_SYSLOG, "syslog"},
        {39 /* CAP_BPF */, "bpf"},
        {38 /* CAP_PERFMON */, "perf_event_open"},
    };
    for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
        json_t *without = profile(SPEC_CAPS, "amd64", SECCOMP_KERNEL(6, 1));
        json_t *with = profile(SPEC_CAPS | CAPB(gated[i].cap), "amd64", SECCOMP_KERNEL(6, 1));
        if (allowed(without, gated[i].name) || !allowed(with, gated[i].name))
            fail_msg("%s is not gated by capability %d", gated[i].name, gated[i].cap);
        assert_false(allowed(with, "mount"));
        json_decref(without);
        json_decref(with);
    }
}

static void test_old_kernel(void **state)
{
    json_t *p = profile(SPEC_CAPS, "amd64", SECCOMP_KERNEL(4, 4));
    assert_false(allowed(p, "ptrace"));
    assert_false(allowed(p, "process_vm_readv"));
    json_decref(p);
    p = profile(SPEC_CAPS | CAPB(CAP_SYS_PTRACE), "amd64", SECCOMP_KERNEL(4, 4));
    assert_true(allowed(p, "ptrace"));
    json_decref(p);
}

static void test_architectures(void **state)
{
    json_t *p = profile(SPEC_CAPS, "arm64", SECCOMP_KERNEL(6, 1));
    json_t *archs = json_object_get(p, "architectures");
    assert_int_equal(json_array_size(archs), 2);
    assert_string_equal(json_string_value(json_array_get(archs, 0)), "SCMP_ARCH_AARCH64");
    assert_true(allowed(p, "cacheflush"));
    assert_false(allowed(p, "arch_prctl"));
    json_decref(p);

    /* s390: clone's flags are its second argument. */
    p = profile(SPEC_CAPS, "s390x", SECCOMP_KERNEL(6, 1));
    json_t *clone = rule_for(p, "clone", "SCMP_ACT_ALLOW", true);
    assert_non_null(clone);
    json_t *a = json_array_get(json_object_get(clone, "args"), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "index")), 1);
    assert_true(allowed(p, "s390_runtime_instr"));
    json_decref(p);

    /* No architecture list where moby has none: libseccomp's native. */
    p = profile(SPEC_CAPS, "ppc64le", SECCOMP_KERNEL(6, 1));
    assert_int_equal(json_array_size(json_object_get(p, "architectures")), 0);
    assert_true(allowed(p, "swapcontext"));
    json_decref(p);
}

static void test_running(void **state)
{
    /* On this machine: the native architecture and the running kernel. */
    json_t *p = seccomp_default_profile(SPEC_CAPS);
    assert_non_null(p);
    if (seccomp_default_native_arch() && strcmp(seccomp_default_native_arch(), "amd64") == 0)
        assert_int_equal(json_array_size(json_object_get(p, "architectures")), 3);
    json_decref(p);
}

/* Run `call` in a child under the compiled profile; its errno (0 = ok). */
static int errno_under(const struct seccomp_program *prog, long (*call)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct error *e = NULL;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog, NULL, &e) < 0)
            _exit(255);
        long r = call();
        _exit(r < 0 ? (errno & 0xff) : 0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static long call_getpid(void)
{
    return syscall(SYS_getpid);
}
static long call_keyctl(void)
{
    return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0);
}
static long call_unshare(void)
{
    return syscall(SYS_unshare, CLONE_NEWUSER);
}
static long call_vsock(void)
{
    return syscall(SYS_socket, 40, SOCK_STREAM, 0);
}
static long call_unix(void)
{
    return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
}
static long call_personality(void)
{
    return syscall(SYS_personality, 0xffffffffUL);
}
static long call_bad_personality(void)
{
    return syscall(SYS_personality, 0x0400000UL);
}
static long call_clone3(void)
{
    uint64_t args[11] = {0};
    args[4] = SIGCHLD; /* exit_signal */
    long r = syscall(SYS_clone3, args, sizeof(args));
    if (r == 0)
        _exit(0);
    return r;
}
static long call_clone_newuser(void)
{
    long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (r == 0)
        _exit(0);
    return r;
}

static void test_filters(void **state)
{
    json_t *p = profile(SPEC_CAPS, NULL, 0);
    struct seccomp_program *prog = NULL;
    struct error *e = NULL;
    if (seccomp_prepare(p, -1, &prog, &e) < 0)
        fail_msg("the default profile does not compile: %s", e->msg);
    assert_int_equal(errno_under(prog, call_getpid), 0);
    assert_int_equal(errno_under(prog, call_unix), 0);
    assert_int_equal(errno_under(prog, call_personality), 0);
    assert_int_equal(errno_under(prog, call_keyctl), EPERM);
    assert_int_equal(errno_under(prog, call_unshare), EPERM);
    assert_int_equal(errno_under(prog, call_vsock), EPERM);
    assert_int_equal(errno_under(prog, call_bad_personality), EPERM);
    assert_int_equal(errno_under(prog, call_clone_newuser), EPERM);
    assert_int_equal(errno_under(prog, call_clone3), ENOSYS);
    seccomp_program_free(prog);
    json_decref(p);

    /* With every capability the same calls pass the filter. */
    p = profile(~0ULL, NULL, 0);
    prog = NULL;
    if (seccomp_prepare(p, -1, &prog, &e) < 0)
        fail_msg("the all-capabilities profile does not compile: %s", e->msg);
    assert_int_not_equal(errno_under(prog, call_unshare), EPERM);
    assert_int_equal(errno_under(prog, call_clone3), 0);
    assert_int_not_equal(errno_under(prog, call_keyctl), 0); /* still blocked */
    seccomp_program_free(prog);
    json_decref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_sys_admin),
        cmocka_unit_test(test_other_caps),    cmocka_unit_test(test_old_kernel),
        cmocka_unit_test(test_architectures), cmocka_unit_test(test_running),
        cmocka_unit_test(test_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
