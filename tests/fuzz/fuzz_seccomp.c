/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: linux.seccomp, checked and compiled to BPF by
 * seccomp_prepare() with libseccomp, without a cache directory and without
 * loading anything (seccomp_install() is never called).
 *
 * The input is a JSON document: the linux.seccomp object of a config.json.
 * Checked: errors carry a message; a compiled program is non-empty, ends in
 * a return, and carries only the filter flags the profile may ask for; no
 * file descriptor is left open (compiling goes through a memfd).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/json.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The lowest free descriptor: it moves up if a call leaves one open. */
static int lowest_free_fd(void)
{
    int fd = dup(2);
    if (fd >= 0)
        close(fd);
    return fd;
}

static void compile(json_t *j)
{
    cleanup_error struct error *err = NULL;
    struct seccomp_program *p = NULL;
    int r = seccomp_prepare(j, -1, &p, &err);
    if (r < 0) {
        fuzz_check_error(r, err);
        FUZZ_CHECK(p == NULL);
        return;
    }
    FUZZ_CHECK(p != NULL && err == NULL && !p->from_cache);
    FUZZ_CHECK(p->n > 0 && p->insns != NULL);
    FUZZ_CHECK(BPF_CLASS(p->insns[p->n - 1].code) == BPF_RET);
    FUZZ_CHECK((p->flags & ~(unsigned) (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                                        SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) == 0);
    seccomp_program_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    int fd = lowest_free_fd();
    compile(j);
    FUZZ_CHECK(lowest_free_fd() == fd);
    return 0;
}
