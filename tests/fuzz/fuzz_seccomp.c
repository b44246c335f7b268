/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: linux.seccomp, checked and compiled to BPF by
 * seccomp_prepare() with libseccomp, without loading anything
 * (seccomp_install() is never called).
 *
 * The input is a JSON document: the linux.seccomp object of a config.json.
 * Checked: errors carry a message; a compiled program is non-empty, ends in
 * a return, jumps only inside itself (the -ENOSYS stub is ours), and
 * carries only the filter flags the profile may ask for; no
 * file descriptor is left open (compiling goes through a memfd).  A profile
 * that compiles is compiled again with a cache directory (a private
 * temporary one): the first call stores exactly one file, no temporary
 * left, and the second gets the same program and flags back from it.
 *
 * libseccomp runs in a child with a deadline (runtime/seccomp_internal.h);
 * the harness shortens it to 2 s, below libFuzzer's -timeout, so that a
 * profile libseccomp cannot finish is an error here as in cabin-runtime.
 */
#include <errno.h>
#include <linux/filter.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_internal.h"
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

static char cache_path[] = "/tmp/cabin-fuzz-seccomp.XXXXXX";
static int cache_fd = -1;

/* The cache directory for reading, with an offset of its own. */
static DIR *open_cache(void)
{
    int fd = openat(cache_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (d == NULL && fd >= 0)
        close(fd);
    return d;
}

static void remove_cache(void)
{
    if (cache_fd < 0)
        return;
    DIR *d = open_cache();
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(cache_fd, e->d_name, 0);
    if (d)
        closedir(d);
}

static void drop_cache_dir(void)
{
    remove_cache();
    close(cache_fd);
    rmdir(cache_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    FUZZ_CHECK(mkdtemp(cache_path) != NULL);
    cache_fd = open(cache_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(cache_fd >= 0);
    atexit(drop_cache_dir);
    seccomp_build_timeout_ms = 2000;
    return 0;
}

/* How many entries the cache directory holds. */
static int cache_entries(void)
{
    DIR *d = open_cache();
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

/* Compile through the cache twice: stored, then read back unchanged. */
static void check_cache(json_t *j, const struct seccomp_program *want)
{
    struct seccomp_program *a = NULL, *b = NULL;
    cleanup_error struct error *err = NULL;
    FUZZ_CHECK(seccomp_prepare(j, cache_fd, &a, &err) == 0 && !a->from_cache);
    FUZZ_CHECK(cache_entries() == 1);
    FUZZ_CHECK(seccomp_prepare(j, cache_fd, &b, &err) == 0 && b->from_cache);
    FUZZ_CHECK(a->n == want->n && b->n == want->n);
    FUZZ_CHECK(a->flags == want->flags && b->flags == want->flags);
    FUZZ_CHECK(memcmp(a->insns, want->insns, want->n * sizeof(*want->insns)) == 0);
    FUZZ_CHECK(memcmp(b->insns, want->insns, want->n * sizeof(*want->insns)) == 0);
    seccomp_program_free(a);
    seccomp_program_free(b);
    remove_cache();
}

/* Every jump lands inside the program (the -ENOSYS stub in front of
 * libseccomp's is ours: its `ja`s and its conditional jumps). */
static void check_jumps(const struct seccomp_program *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct sock_filter *in = &p->insns[i];
        if (BPF_CLASS(in->code) != BPF_JMP)
            continue;
        if (BPF_OP(in->code) == BPF_JA)
            FUZZ_CHECK(in->k < p->n - i - 1);
        else
            FUZZ_CHECK(in->jt < p->n - i - 1 && in->jf < p->n - i - 1);
    }
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
    check_jumps(p);
    FUZZ_CHECK((p->flags & ~(unsigned) (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                                        SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV |
                                        SECCOMP_FILTER_FLAG_NEW_LISTENER)) == 0);
    check_cache(j, p);
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
