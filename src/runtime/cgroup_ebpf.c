/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup_ebpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), \
                                               .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define ALU32_K(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_X(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_K(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_mask(const char *access)
{
    int m = 0;
    for (const char *c = access; *c; c++)
        m |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                                                          : BPF_DEVCG_ACC_MKNOD;
    return m;
}

/* Registers: r2 device type, r3 access, r4 major, r5 minor, r6 scratch. */
int cgroup_ebpf_compile(const struct cg_device_rule *rules, size_t n, struct bpf_insn **ret,
                        size_t *ret_n, struct error **err)
{
    size_t cap = 6 + n * 9 + 2, len = 0;
    struct bpf_insn *p = calloc(cap, sizeof(*p));
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    p[len++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
    p[len++] = ALU32_K(BPF_AND, BPF_REG_2, 0xFFFF);
    p[len++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
    p[len++] = ALU32_K(BPF_RSH, BPF_REG_3, 16);
    p[len++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
    p[len++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
    /* The last matching rule decides: test them from the end. */
    for (size_t k = n; k-- > 0;) {
        const struct cg_device_rule *r = &rules[k];
        size_t start = len, jumps[4], nj = 0;
        int mask = access_mask(r->access);
        if (r->type != 'a') {
            jumps[nj++] = len;
            p[len++] = JMP_K(BPF_JNE, BPF_REG_2,
                             r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
        }
        if (mask != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
            /* allow: every requested bit is allowed; deny: any is denied. */
            p[len++] = MOV32_X(BPF_REG_6, BPF_REG_3);
            p[len++] = ALU32_K(BPF_AND, BPF_REG_6, r->allow ? ~mask : mask);
            jumps[nj++] = len;
            p[len++] = JMP_K(r->allow ? BPF_JNE : BPF_JEQ, BPF_REG_6, 0, 0);
        }
        if (r->major >= 0) {
            jumps[nj++] = len;
            p[len++] = JMP_K(BPF_JNE, BPF_REG_4, (int32_t) r->major, 0);
        }
        if (r->minor >= 0) {
            jumps[nj++] = len;
            p[len++] = JMP_K(BPF_JNE, BPF_REG_5, (int32_t) r->minor, 0);
        }
        p[len++] = MOV64_K(BPF_REG_0, r->allow ? 1 : 0);
        p[len++] = EXIT();
        for (size_t j = 0; j < nj; j++)
            p[jumps[j]].off = (int16_t) (len - jumps[j] - 1);
        (void) start;
        /* A rule that matches everything ends the program: the verifier
         * refuses code it can never reach. */
        if (nj == 0) {
            *ret = p;
            *ret_n = len;
            return 0;
        }
    }
    p[len++] = MOV64_K(BPF_REG_0, 0);
    p[len++] = EXIT();
    *ret = p;
    *ret_n = len;
    return 0;
}

int cgroup_devices_allowed(const struct cg_device_rule *rules, size_t n, char type,
                           unsigned major, unsigned minor, const char *access)
{
    int want = access_mask(access);
    for (size_t k = n; k-- > 0;) {
        const struct cg_device_rule *r = &rules[k];
        int mask = access_mask(r->access);
        if (r->type != 'a' && r->type != type)
            continue;
        if (r->allow ? (want & ~mask) != 0 : (want & mask) == 0)
            continue;
        if ((r->major >= 0 && (unsigned) r->major != major) ||
            (r->minor >= 0 && (unsigned) r->minor != minor))
            continue;
        return r->allow ? 1 : 0;
    }
    return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The ids of the device programs attached to the cgroup now. */
static int query(int dir_fd, uint32_t *ids, uint32_t *n)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t) dir_fd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t) (uintptr_t) ids;
    a.query.prog_cnt = *n;
    if (bpf(BPF_PROG_QUERY, &a) < 0)
        return -errno;
    *n = a.query.prog_cnt;
    return 0;
}

int cgroup_ebpf_apply(int dir_fd, const struct cg_device_rule *rules, size_t n,
                      struct error **err)
{
    cleanup_free struct bpf_insn *insns = NULL;
    size_t count = 0;
    int r = cgroup_ebpf_compile(rules, n, &insns, &count, err);
    if (r < 0)
        return r;
    uint32_t old[64];
    uint32_t n_old = 64;
    if (query(dir_fd, old, &n_old) < 0)
        n_old = 0;

    char log[4096] = "";
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t) (uintptr_t) insns;
    a.insn_cnt = (uint32_t) count;
    a.license = (uint64_t) (uintptr_t) "Apache-2.0";
    a.log_buf = (uint64_t) (uintptr_t) log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    cleanup_close int prog = (int) bpf(BPF_PROG_LOAD, &a);
    if (prog < 0) {
        /* Retry without a log: a full log buffer fails the load by itself. */
        a.log_buf = 0;
        a.log_size = 0;
        a.log_level = 0;
        prog = (int) bpf(BPF_PROG_LOAD, &a);
    }
    if (prog < 0)
        return error_errno(err, "devices: loading the device-rules BPF program (%zu rules)%s%s",
                           n, log[0] ? ": " : "", log);
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t) dir_fd;
    a.attach_bpf_fd = (uint32_t) prog;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, &a) < 0)
        return error_errno(err, "devices: attaching the device-rules BPF program");
    /* Only now drop the old ones: there is never a moment without rules. */
    for (uint32_t i = 0; i < n_old; i++) {
        memset(&a, 0, sizeof(a));
        a.prog_id = old[i];
        cleanup_close int ofd = (int) bpf(BPF_PROG_GET_FD_BY_ID, &a);
        if (ofd < 0)
            continue;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t) dir_fd;
        a.attach_bpf_fd = (uint32_t) ofd;
        a.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, &a) < 0)
            return error_errno(err, "devices: detaching the previous BPF program");
    }
    return 0;
}
