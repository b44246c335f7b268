/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: linux.seccomp, checked and compiled to BPF by
 * seccomp_prepare() with libseccomp, without a cache directory and without
 * loading anything (seccomp_install() is never called).
 *
 * The input is a JSON document: the linux.seccomp object of a config.json.
 * Checked: errors carry a message; a compiled program is non-empty, ends in
 * a return, and carries only the filter flags the profile may ask for.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "fuzz.h"
#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/json.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    cleanup_error struct error *err = NULL;
    struct seccomp_program *p = NULL;
    int r = seccomp_prepare(j, -1, &p, &err);
    if (r < 0) {
        fuzz_check_error(r, err);
        FUZZ_CHECK(p == NULL);
        return 0;
    }
    FUZZ_CHECK(p != NULL && err == NULL && !p->from_cache);
    FUZZ_CHECK(p->n > 0 && p->insns != NULL);
    FUZZ_CHECK(BPF_CLASS(p->insns[p->n - 1].code) == BPF_RET);
    FUZZ_CHECK((p->flags & ~(unsigned) (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                                        SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) == 0);
    seccomp_program_free(p);
    return 0;
}
