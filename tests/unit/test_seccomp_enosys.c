/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of runtime/seccomp_enosys: the -ENOSYS stub in front of
 * libseccomp's program.  The programs run in a small classic-BPF
 * interpreter over struct seccomp_data (below), so that any architecture
 * and any syscall number can be tried without loading anything; each
 * verdict of the patched program is compared with the expected one and,
 * where the stub must stay out of the way, with the unpatched program's.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/seccomp_internal.h"
#include "util/json.h"

#define X32      0x40000000u
#define V_ALLOW  SCMP_ACT_ALLOW
#define V_EPERM  SCMP_ACT_ERRNO(EPERM)
#define V_ENOSYS SCMP_ACT_ERRNO(ENOSYS)
#define V_BAD    0xdeadbeefu /* the interpreter met something it refuses */

/* ---- a classic BPF interpreter, as the kernel runs a seccomp filter ---- */

static uint32_t alu(uint16_t op, uint32_t a, uint32_t v, bool *bad)
{
    switch (op) {
    case BPF_ADD:
        return a + v;
    case BPF_SUB:
        return a - v;
    case BPF_MUL:
        return a * v;
    case BPF_DIV:
        if (v == 0)
            *bad = true;
        return v ? a / v : 0;
    case BPF_MOD:
        if (v == 0)
            *bad = true;
        return v ? a % v : 0;
    case BPF_OR:
        return a | v;
    case BPF_AND:
        return a & v;
    case BPF_XOR:
        return a ^ v;
    case BPF_LSH:
        return v < 32 ? a << v : 0;
    case BPF_RSH:
        return v < 32 ? a >> v : 0;
    case BPF_NEG:
        return -a;
    }
    *bad = true;
    return 0;
}

static bool cond(uint16_t op, uint32_t a, uint32_t v, bool *bad)
{
    switch (op) {
    case BPF_JEQ:
        return a == v;
    case BPF_JGT:
        return a > v;
    case BPF_JGE:
        return a >= v;
    case BPF_JSET:
        return (a & v) != 0;
    }
    *bad = true;
    return false;
}

/* The program's verdict for `d`; V_BAD when it leaves its bounds, reads
 * outside seccomp_data or uses an instruction a filter may not. */
static uint32_t run(const struct sock_filter *p, size_t n, const struct seccomp_data *d)
{
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
    bool bad = false;
    for (size_t pc = 0; pc < n && !bad; pc++) {
        const struct sock_filter *i = &p[pc];
        uint16_t cls = BPF_CLASS(i->code);
        if (cls == BPF_LD && i->code == (BPF_LD | BPF_W | BPF_ABS)) {
            if (i->k % 4 || i->k + 4 > sizeof(*d))
                return V_BAD;
            memcpy(&a, (const char *) d + i->k, 4);
        } else if (cls == BPF_LD && BPF_MODE(i->code) == BPF_IMM) {
            a = i->k;
        } else if (cls == BPF_LD && BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS) {
            a = mem[i->k];
        } else if (cls == BPF_LDX && BPF_MODE(i->code) == BPF_IMM) {
            x = i->k;
        } else if (cls == BPF_LDX && BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS) {
            x = mem[i->k];
        } else if (cls == BPF_ST && i->k < BPF_MEMWORDS) {
            mem[i->k] = a;
        } else if (cls == BPF_STX && i->k < BPF_MEMWORDS) {
            mem[i->k] = x;
        } else if (cls == BPF_ALU) {
            a = alu(BPF_OP(i->code), a, BPF_SRC(i->code) == BPF_X ? x : i->k, &bad);
        } else if (cls == BPF_JMP && BPF_OP(i->code) == BPF_JA) {
            pc += i->k;
        } else if (cls == BPF_JMP) {
            bool t = cond(BPF_OP(i->code), a, BPF_SRC(i->code) == BPF_X ? x : i->k, &bad);
            pc += t ? i->jt : i->jf;
        } else if (cls == BPF_RET) {
            return BPF_RVAL(i->code) == BPF_A ? a : i->k;
        } else if (cls == BPF_MISC) {
            if (BPF_MISCOP(i->code) == BPF_TAX)
                x = a;
            else
                a = x;
        } else {
            return V_BAD;
        }
    }
    return V_BAD; /* ran off the end, or a bad operation */
}

static uint32_t verdict(const struct seccomp_program *p, uint32_t arch, uint32_t nr)
{
    struct seccomp_data d = {.nr = (int) nr, .arch = arch};
    return run(p->insns, p->n, &d);
}

/* ---- profiles ------------------------------------------------------------ */

/* Allowed: read (x86_64 0, i386 3), getpid (39, 20), openat (257, 295),
 * and a name no libseccomp knows; keyctl names the default (not built, but
 * counted: x86_64 250, i386 288, below the maxima anyway). */
static json_t *profile(const char *default_action, int default_errno, const char *archs)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "{\"defaultAction\": \"%s\", \"defaultErrnoRet\": %d, \"architectures\": %s,"
             " \"syscalls\": [{\"names\": [\"read\", \"getpid\", \"openat\", \"no_such_call_x\"],"
             "  \"action\": \"SCMP_ACT_ALLOW\"},"
             " {\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
             default_action, default_errno, archs);
    json_error_t je;
    json_t *p = json_loads(text, 0, &je);
    assert_non_null(p);
    return p;
}

static struct seccomp_program *compile(json_t *p)
{
    struct seccomp_program *prog = NULL;
    struct error *e = NULL;
    if (seccomp_prepare(p, -1, &prog, &e) < 0)
        fail_msg("the profile does not compile: %s", e->msg);
    return prog;
}

/* The program of `p` as libseccomp exported it, without the stub. */
static struct seccomp_program *unpatched(json_t *p)
{
    struct seccomp_program *prog = compile(p);
    size_t n = prog->n;
    /* libseccomp's program starts where the stub's `ld #0` ends it. */
    size_t i = 0;
    while (i < n && prog->insns[i].code != (BPF_LD | BPF_IMM))
        i++;
    assert_true(i < n);
    memmove(prog->insns, prog->insns + i + 1, (n - i - 1) * sizeof(*prog->insns));
    prog->n = n - i - 1;
    return prog;
}

static bool on_x86_64(void)
{
    return seccomp_arch_native() == SCMP_ARCH_X86_64;
}

/* ---- tests --------------------------------------------------------------- */

static void test_docker_like(void **state)
{
    (void) state;
    if (!on_x86_64())
        skip();
    json_t *p = profile("SCMP_ACT_ERRNO", EPERM,
                        "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]");
    struct seccomp_program *prog = compile(p);
    struct seccomp_program *orig = unpatched(p);
    assert_true(prog->n > orig->n);
    /* x86_64: allowed, blocked by default, above the largest (257) */
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 0), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 257), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 250), V_EPERM); /* keyctl */
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 100), V_EPERM);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 258), V_ENOSYS);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 462), V_ENOSYS);
    assert_int_equal(verdict(orig, AUDIT_ARCH_X86_64, 462), V_EPERM); /* what the stub mends */
    /* x32: its own numbers, bit 30 set, its own maximum */
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | 0), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | 257), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | 100), V_EPERM);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | 258), V_ENOSYS);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | 1000), V_ENOSYS);
    /* i386: openat is 295 there, so 258 is below its maximum */
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 3), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 295), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 258), V_EPERM);
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 296), V_ENOSYS);
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 0xffffffffu), V_ENOSYS);
    /* a foreign architecture: the original filter's verdict, for any number */
    static const uint32_t nrs[] = {0, 63, 257, 258, 1000, X32 | 1, 0xffffffffu};
    for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
        uint32_t v = verdict(prog, AUDIT_ARCH_AARCH64, nrs[i]);
        assert_int_not_equal(v, V_BAD);
        assert_int_not_equal(v, V_ENOSYS);
        assert_int_equal(v, verdict(orig, AUDIT_ARCH_AARCH64, nrs[i]));
    }
    /* below every maximum, patched and unpatched agree everywhere */
    for (uint32_t nr = 0; nr <= 257; nr++) {
        assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, nr),
                         verdict(orig, AUDIT_ARCH_X86_64, nr));
        assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, X32 | nr),
                         verdict(orig, AUDIT_ARCH_X86_64, X32 | nr));
        assert_int_equal(verdict(prog, AUDIT_ARCH_I386, nr), verdict(orig, AUDIT_ARCH_I386, nr));
    }
    seccomp_program_free(prog);
    seccomp_program_free(orig);
    json_decref(p);
}

/* Without x32 in the profile, x32 numbers get libseccomp's verdict. */
static void test_x86_64_alone(void **state)
{
    (void) state;
    if (!on_x86_64())
        skip();
    json_t *p = profile("SCMP_ACT_KILL_PROCESS", 0, "[\"SCMP_ARCH_X86_64\"]");
    struct seccomp_program *prog = compile(p);
    struct seccomp_program *orig = unpatched(p);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 39), V_ALLOW);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 100), SCMP_ACT_KILL_PROCESS);
    assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, 1000), V_ENOSYS);
    static const uint32_t x32[] = {X32 | 0, X32 | 258, X32 | 1000};
    for (size_t i = 0; i < sizeof(x32) / sizeof(x32[0]); i++)
        assert_int_equal(verdict(prog, AUDIT_ARCH_X86_64, x32[i]),
                         verdict(orig, AUDIT_ARCH_X86_64, x32[i]));
    /* i386 is not in the filter: libseccomp's bad-arch verdict, no stub */
    assert_int_equal(verdict(prog, AUDIT_ARCH_I386, 1000), verdict(orig, AUDIT_ARCH_I386, 1000));
    assert_int_not_equal(verdict(prog, AUDIT_ARCH_I386, 1000), V_ENOSYS);
    seccomp_program_free(prog);
    seccomp_program_free(orig);
    json_decref(p);
}

/* Defaults that allow, trace, log or already say ENOSYS get no stub. */
static void test_no_stub(void **state)
{
    (void) state;
    if (!on_x86_64())
        skip();
    static const struct {
        const char *action;
        int errno_ret;
    } cases[] = {
        {"SCMP_ACT_ALLOW", 0},
        {"SCMP_ACT_LOG", 0},
        {"SCMP_ACT_TRACE", 1},
        {"SCMP_ACT_ERRNO", ENOSYS},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *p = profile(cases[i].action, cases[i].errno_ret, "[\"SCMP_ARCH_X86_64\"]");
        struct seccomp_program *prog = compile(p);
        /* libseccomp's program begins with the load of the architecture;
         * the stub's `ld #0` is nowhere. */
        for (size_t j = 0; j < prog->n; j++)
            assert_int_not_equal(prog->insns[j].code, BPF_LD | BPF_IMM);
        seccomp_program_free(prog);
        json_decref(p);
    }
    assert_true(seccomp_enosys_wanted(SCMP_ACT_ERRNO(EPERM)));
    assert_true(seccomp_enosys_wanted(SCMP_ACT_KILL_THREAD));
    assert_true(seccomp_enosys_wanted(SCMP_ACT_TRAP));
    assert_false(seccomp_enosys_wanted(SCMP_ACT_TRACE(7)));
}

/* The stub on its own, over a program that returns one verdict. */
static void test_patch_direct(void **state)
{
    (void) state;
    const struct sock_filter allow[] = {{BPF_RET | BPF_K, 0, 0, V_EPERM}};
    const struct seccomp_enosys_arch archs[] = {
        {SCMP_ARCH_S390X, 400},  {SCMP_ARCH_AARCH64, 300}, {0x12345, 10},
        {SCMP_ARCH_PPC64LE, -1}, {SCMP_ARCH_AARCH64, 200},
    };
    struct sock_filter *out = NULL;
    size_t n = 0;
    struct error *e = NULL;
    assert_int_equal(seccomp_enosys_patch(archs, 5, allow, 1, &out, &n, &e), 0);
    struct seccomp_data d = {.arch = AUDIT_ARCH_S390X, .nr = 0};
    assert_int_equal(run(out, n, &d), V_ENOSYS); /* s390: an unknown number arrives as 0 */
    d.nr = 400;
    assert_int_equal(run(out, n, &d), V_EPERM);
    d.nr = 401;
    assert_int_equal(run(out, n, &d), V_ENOSYS);
    d = (struct seccomp_data){.arch = AUDIT_ARCH_AARCH64, .nr = 300}; /* the larger maximum */
    assert_int_equal(run(out, n, &d), V_EPERM);
    d.nr = 0;
    assert_int_equal(run(out, n, &d), V_EPERM);
    d.nr = 301;
    assert_int_equal(run(out, n, &d), V_ENOSYS);
    d = (struct seccomp_data){.arch = 0x12345, .nr = 11}; /* unknown: no check */
    assert_int_equal(run(out, n, &d), V_EPERM);
    d = (struct seccomp_data){.arch = AUDIT_ARCH_PPC64LE, .nr = 5000}; /* no names: no check */
    assert_int_equal(run(out, n, &d), V_EPERM);
    free(out);

    /* Nothing to check: the program as it was. */
    assert_int_equal(seccomp_enosys_patch(archs + 2, 2, allow, 1, &out, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(out, allow, sizeof(allow));
    free(out);
}

/* A long original program: the `ja` to it and the kernel's limit. */
static void test_limits(void **state)
{
    (void) state;
    const struct seccomp_enosys_arch archs[] = {
        {SCMP_ARCH_X86_64, 450},
        {SCMP_ARCH_X32, 0x40000000 | 440},
        {SCMP_ARCH_X86, 460},
    };
    size_t big = 4000;
    struct sock_filter *prog = calloc(BPF_MAXINSNS, sizeof(*prog));
    assert_non_null(prog);
    /* 3999 jumps over nothing, then the verdict */
    for (size_t i = 0; i + 1 < big; i++)
        prog[i] = (struct sock_filter){BPF_JMP | BPF_JA, 0, 0, 0};
    prog[big - 1] = (struct sock_filter){BPF_RET | BPF_K, 0, 0, V_ALLOW};
    struct sock_filter *out = NULL;
    size_t n = 0;
    struct error *e = NULL;
    assert_int_equal(seccomp_enosys_patch(archs, 3, prog, big, &out, &n, &e), 0);
    assert_true(n > big && n <= BPF_MAXINSNS);
    struct seccomp_data d = {.arch = AUDIT_ARCH_X86_64, .nr = 450};
    assert_int_equal(run(out, n, &d), V_ALLOW);
    d.nr = 451;
    assert_int_equal(run(out, n, &d), V_ENOSYS);
    d.nr = (int) (X32 | 440);
    assert_int_equal(run(out, n, &d), V_ALLOW);
    d.nr = (int) (X32 | 441);
    assert_int_equal(run(out, n, &d), V_ENOSYS);
    d = (struct seccomp_data){.arch = AUDIT_ARCH_I386, .nr = 460};
    assert_int_equal(run(out, n, &d), V_ALLOW);
    free(out);

    /* One instruction short of room for the stub: a clear error, nothing out. */
    size_t stub = n - big;
    out = NULL;
    n = 0;
    assert_int_equal(seccomp_enosys_patch(archs, 3, prog, BPF_MAXINSNS - stub + 1, &out, &n, &e),
                     -E2BIG);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_non_null(e);
    assert_non_null(strstr(e->msg, "4096"));
    error_free(e);
    e = NULL;
    free(prog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docker_like), cmocka_unit_test(test_x86_64_alone),
        cmocka_unit_test(test_no_stub),     cmocka_unit_test(test_patch_direct),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
