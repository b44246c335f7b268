/* SPDX-License-Identifier: Apache-2.0 */
/* The -ENOSYS stub in front of libseccomp's program (seccomp_internal.h
 * says why and what it does). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#define X32_BIT           0x40000000u
#define MAX_SECTIONS      16 /* distinct AUDIT_ARCH values we know of */
#define MAX_SECTION_INSNS 7  /* the x86_64 + x32 block, the longest */
#define RET_ENOSYS        SCMP_ACT_ERRNO(ENOSYS)

bool seccomp_enosys_wanted(uint32_t default_action)
{
    /* A permissive default lets a new syscall through anyway; a tracer
     * should see new syscalls and answer them itself (as runc decides);
     * and a default of ENOSYS is what the stub would say. */
    if (default_action == SCMP_ACT_ALLOW || default_action == SCMP_ACT_LOG)
        return false;
    if ((default_action & 0xffff0000u) == (SCMP_ACT_TRACE(0) & 0xffff0000u))
        return false;
    if (default_action == SCMP_ACT_ERRNO(ENOSYS))
        return false;
    return true;
}

/* The architectures whose libseccomp token is the kernel's AUDIT_ARCH
 * value; x32 (a token of libseccomp's own) is handled with x86_64. */
static bool token_is_audit_arch(uint32_t token)
{
    static const uint32_t known[] = {
        SCMP_ARCH_X86,      SCMP_ARCH_X86_64,      SCMP_ARCH_ARM,       SCMP_ARCH_AARCH64,
        SCMP_ARCH_MIPS,     SCMP_ARCH_MIPS64,      SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL,
        SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC,       SCMP_ARCH_PPC64,
        SCMP_ARCH_PPC64LE,  SCMP_ARCH_S390,        SCMP_ARCH_S390X,     SCMP_ARCH_RISCV64,
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i] == token)
            return true;
    return false;
}

/* One block of the stub: the checks for one AUDIT_ARCH value. */
struct section {
    uint32_t audit_arch;
    int64_t max;     /* the largest number for the plain ABI; -1: none */
    int64_t max_x32; /* x86_64 only: the largest x32 number (bit 30 set); -1: none */
};

static struct section *section_for(struct section *s, size_t *n, uint32_t audit_arch)
{
    for (size_t i = 0; i < *n; i++)
        if (s[i].audit_arch == audit_arch)
            return &s[i];
    if (*n == MAX_SECTIONS)
        return NULL;
    s[*n] = (struct section){audit_arch, -1, -1};
    return &s[(*n)++];
}

/* Group the architectures by what the kernel puts in seccomp_data.arch. */
static size_t make_sections(const struct seccomp_enosys_arch *archs, size_t n_archs,
                            struct section *s)
{
    size_t n = 0;
    for (size_t i = 0; i < n_archs; i++) {
        uint32_t t = archs[i].token;
        bool x32 = t == SCMP_ARCH_X32;
        if (archs[i].max_nr < 0)
            continue; /* the profile names none of its syscalls */
        if (!x32 && !token_is_audit_arch(t)) {
            log_debug("seccomp: no -ENOSYS stub for architecture 0x%x, unknown here", t);
            continue;
        }
        struct section *sec = section_for(s, &n, x32 ? AUDIT_ARCH_X86_64 : t);
        if (sec == NULL)
            continue;
        int64_t *m = x32 ? &sec->max_x32 : &sec->max;
        int64_t nr = x32 ? (int64_t) ((uint32_t) archs[i].max_nr | X32_BIT) : archs[i].max_nr;
        if (nr > *m)
            *m = nr;
    }
    return n;
}

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
    return (struct sock_filter){code, 0, 0, k};
}

static struct sock_filter jump(uint16_t op, uint32_t k, uint8_t jt, uint8_t jf)
{
    return (struct sock_filter){(uint16_t) (BPF_JMP | op | BPF_K), jt, jf, k};
}

/* Emit the block of `s` at `out`; its last-but-one instruction is a `ja`
 * to the original filter, whose offset the caller fills in, and its last
 * returns -ENOSYS.  Conditional jumps stay inside the block (8-bit
 * offsets); only the `ja` goes further.  Returns the block's length. */
static size_t emit_section(const struct section *s, struct sock_filter *out)
{
    size_t n = 0;
    out[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    bool x86_64 = s->audit_arch == AUDIT_ARCH_X86_64;
    if (x86_64 && s->max >= 0 && s->max_x32 >= 0) {
        /* x32 numbers carry bit 30: each ABI is checked against its own max. */
        out[n++] = jump(BPF_JSET, X32_BIT, 1, 0);
        out[n++] = jump(BPF_JGT, (uint32_t) s->max, 2, 1);
        out[n++] = jump(BPF_JGT, (uint32_t) s->max_x32, 1, 0);
    } else if (x86_64) {
        /* One ABI in the profile: the other's numbers go to the filter. */
        bool only_x32 = s->max_x32 >= 0;
        out[n++] = jump(BPF_JSET, X32_BIT, only_x32 ? 0 : 1, only_x32 ? 1 : 0);
        out[n++] = jump(BPF_JGT, (uint32_t) (only_x32 ? s->max_x32 : s->max), 1, 0);
    } else {
        /* s390: a number the kernel does not know arrives as 0, setup(2),
         * which nothing has called for decades. */
        if (s->audit_arch == AUDIT_ARCH_S390 || s->audit_arch == AUDIT_ARCH_S390X)
            out[n++] = jump(BPF_JEQ, 0, 2, 0);
        out[n++] = jump(BPF_JGT, (uint32_t) s->max, 1, 0);
    }
    out[n++] = stmt(BPF_JMP | BPF_JA, 0); /* to the filter: filled in later */
    out[n++] = stmt(BPF_RET | BPF_K, RET_ENOSYS);
    return n;
}

/* The stub at `out` (room for 2 + MAX_SECTIONS * (1 + MAX_SECTION_INSNS)):
 *   ld [arch]; per section: jne ARCH, skip; its block;  then `ld #0` (A as
 *   the kernel hands it to a filter) and the original program.  */
static size_t emit_stub(const struct section *s, size_t n_sections, struct sock_filter *out)
{
    size_t n = 0, ja[MAX_SECTIONS];
    out[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    for (size_t i = 0; i < n_sections; i++) {
        size_t at = n++;
        size_t len = emit_section(&s[i], out + n);
        out[at] = jump(BPF_JEQ, s[i].audit_arch, 0, (uint8_t) len);
        n += len;
        ja[i] = n - 2;
    }
    for (size_t i = 0; i < n_sections; i++)
        out[ja[i]].k = (uint32_t) (n - ja[i] - 1);
    out[n++] = stmt(BPF_LD | BPF_IMM, 0);
    return n;
}

int seccomp_enosys_patch(const struct seccomp_enosys_arch *archs, size_t n_archs,
                         const struct sock_filter *prog, size_t n_prog,
                         struct sock_filter **ret_insns, size_t *ret_n, struct error **err)
{
    struct section s[MAX_SECTIONS];
    size_t n_sections = make_sections(archs, n_archs, s);
    struct sock_filter stub[2 + MAX_SECTIONS * (1 + MAX_SECTION_INSNS)];
    size_t n_stub = n_sections ? emit_stub(s, n_sections, stub) : 0;
    size_t total = n_stub + n_prog;
    if (total > BPF_MAXINSNS)
        return error_new(err, E2BIG,
                         "linux.seccomp: the compiled filter has %zu instructions with its "
                         "-ENOSYS stub (%zu without), more than the kernel's %d; use fewer "
                         "rules or argument conditions",
                         total, n_prog, BPF_MAXINSNS);
    cleanup_free struct sock_filter *out = calloc(total ? total : 1, sizeof(*out));
    if (out == NULL)
        return error_new(err, ENOMEM, "out of memory");
    memcpy(out, stub, n_stub * sizeof(*out));
    memcpy(out + n_stub, prog, n_prog * sizeof(*out));
    *ret_n = total;
    *ret_insns = steal_pointer(&out);
    return 0;
}
