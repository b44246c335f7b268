/* SPDX-License-Identifier: Apache-2.0 */
/* The device-rules BPF program: run it in a small interpreter of the
 * instructions the compiler emits, and check that it answers as the rules
 * say (cgroup_devices_allowed, the reference) for many rule sets and
 * accesses, including the tricky ones: last rule wins, partial access on
 * deny and allow rules, wildcards, a catch-all rule ending the program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/cgroup_ebpf.h"

static int run_prog(const struct bpf_insn *p, size_t n, uint32_t access_type, uint32_t major,
                    uint32_t minor)
{
    uint64_t reg[11] = {0};
    uint32_t ctx[3] = {access_type, major, minor};
    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *i = &p[pc];
        uint8_t cls = BPF_CLASS(i->code);
        if (i->code == (BPF_LDX | BPF_W | BPF_MEM)) {
            assert_int_equal(i->src_reg, BPF_REG_1);
            assert_true(i->off % 4 == 0 && i->off >= 0 && i->off < 12);
            reg[i->dst_reg] = ctx[i->off / 4];
        } else if (cls == BPF_ALU && BPF_SRC(i->code) == BPF_K) {
            uint32_t d = (uint32_t) reg[i->dst_reg], k = (uint32_t) i->imm;
            switch (BPF_OP(i->code)) {
            case BPF_AND: d &= k; break;
            case BPF_RSH: d >>= k; break;
            default: fail_msg("unexpected ALU op %#x", i->code);
            }
            reg[i->dst_reg] = d;
        } else if (i->code == (BPF_ALU | BPF_MOV | BPF_X)) {
            reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
        } else if (i->code == (BPF_ALU64 | BPF_MOV | BPF_K)) {
            reg[i->dst_reg] = (uint64_t) (int64_t) i->imm;
        } else if (i->code == (BPF_JMP | BPF_EXIT)) {
            return (int) reg[0];
        } else if (cls == BPF_JMP && BPF_SRC(i->code) == BPF_K) {
            uint64_t k = (uint64_t) (int64_t) i->imm;
            bool taken = BPF_OP(i->code) == BPF_JNE ? reg[i->dst_reg] != k
                                                      : reg[i->dst_reg] == k;
            assert_true(BPF_OP(i->code) == BPF_JNE || BPF_OP(i->code) == BPF_JEQ);
            if (taken) {
                assert_true(i->off >= 0);
                pc += (size_t) i->off;
            }
        } else {
            fail_msg("unexpected instruction %#x at %zu", i->code, pc);
        }
    }
    fail_msg("fell off the end of the program");
    return -1;
}

static uint32_t access_type(char type, const char *access)
{
    uint32_t acc = 0;
    for (const char *c = access; *c; c++)
        acc |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                                                            : BPF_DEVCG_ACC_MKNOD;
    return acc << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
}

static int ask(const struct cg_device_rule *rules, size_t n, char type, unsigned maj,
               unsigned min, const char *access)
{
    struct bpf_insn *p = NULL;
    size_t len = 0;
    struct error *err = NULL;
    assert_int_equal(cgroup_ebpf_compile(rules, n, &p, &len, &err), 0);
    int prog = run_prog(p, len, access_type(type, access), maj, min);
    int ref = cgroup_devices_allowed(rules, n, type, maj, min, access);
    free(p);
    if (prog != ref)
        fail_msg("%c %u:%u %s: program says %d, rules say %d", type, maj, min, access, prog, ref);
    return prog;
}

static void test_empty_denies(void **state)
{
    assert_int_equal(ask(NULL, 0, 'c', 1, 3, "r"), 0);
}

static void test_last_rule_wins(void **state)
{
    struct cg_device_rule r[] = {
        {false, 'a', -1, -1, "rwm"},
        {true, 'c', 1, 3, "rwm"},
        {false, 'c', 1, 3, "w"},
    };
    assert_int_equal(ask(r, 3, 'c', 1, 3, "r"), 1);
    assert_int_equal(ask(r, 3, 'c', 1, 3, "rw"), 0); /* w is denied */
    assert_int_equal(ask(r, 3, 'c', 1, 3, "w"), 0);
    assert_int_equal(ask(r, 3, 'c', 1, 5, "r"), 0);
    assert_int_equal(ask(r, 3, 'b', 1, 3, "r"), 0);
}

static void test_partial_allow(void **state)
{
    struct cg_device_rule r[] = {{true, 'b', 8, -1, "r"}};
    assert_int_equal(ask(r, 1, 'b', 8, 0, "r"), 1);
    assert_int_equal(ask(r, 1, 'b', 8, 17, "r"), 1);
    assert_int_equal(ask(r, 1, 'b', 8, 0, "rw"), 0);
    assert_int_equal(ask(r, 1, 'c', 8, 0, "r"), 0);
}

static void test_catch_all_ends_program(void **state)
{
    /* Rules after (before, in the list) a catch-all are unreachable: the
     * program must end there (the verifier refuses dead code). */
    struct cg_device_rule r[] = {{true, 'c', 1, 3, "rwm"}, {true, 'a', -1, -1, "rwm"}};
    struct bpf_insn *p = NULL;
    size_t len = 0;
    struct error *err = NULL;
    assert_int_equal(cgroup_ebpf_compile(r, 2, &p, &len, &err), 0);
    assert_int_equal(p[len - 1].code, BPF_JMP | BPF_EXIT);
    assert_int_equal(p[len - 2].imm, 1);
    assert_int_equal(run_prog(p, len, access_type('b', "rwm"), 254, 0), 1);
    free(p);
}

/* Many random rule sets against the reference. */
static void test_random_against_reference(void **state)
{
    static const char *const accs[] = {"r", "w", "m", "rw", "rm", "wm", "rwm"};
    static const char types[] = {'a', 'c', 'b'};
    srand(42);
    for (int round = 0; round < 300; round++) {
        struct cg_device_rule r[8];
        size_t n = (size_t) (rand() % 8);
        for (size_t i = 0; i < n; i++) {
            r[i].allow = rand() % 2;
            r[i].type = types[rand() % 3];
            r[i].major = rand() % 3 == 0 ? -1 : rand() % 3;
            r[i].minor = rand() % 3 == 0 ? -1 : rand() % 3;
            strcpy(r[i].access, accs[rand() % 7]);
        }
        for (int q = 0; q < 20; q++)
            ask(r, n, rand() % 2 ? 'c' : 'b', (unsigned) (rand() % 3), (unsigned) (rand() % 3),
                accs[rand() % 7]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_denies),
        cmocka_unit_test(test_last_rule_wins),
        cmocka_unit_test(test_partial_allow),
        cmocka_unit_test(test_catch_all_ends_program),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
