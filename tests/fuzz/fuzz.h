/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every fuzz harness shares.
 *
 * A harness is one file, tests/fuzz/fuzz_NAME.c, that defines
 * LLVMFuzzerTestOneInput(): it feeds the bytes it is given to one parser of
 * cabin, frees everything, and abort()s (through FUZZ_CHECK) when the
 * parser broke a promise its header makes.  The same file is linked two
 * ways (tests/fuzz/meson.build):
 *
 *   - with libFuzzer (clang -fsanitize=fuzzer,address,undefined) in the
 *     fuzzing build that `make fuzz` makes;
 *   - with replay.c, a plain main() that feeds it files, in every other
 *     build (gcc), so that `make check` replays the corpus under
 *     tests/fuzz/corpus/NAME/ and a bug once found stays fixed.
 *
 * A harness must be deterministic, must not write files or print (beyond a
 * failed FUZZ_CHECK), and must leave no memory behind: LeakSanitizer
 * reports what an input leaks.
 */
#ifndef CABIN_TESTS_FUZZ_H
#define CABIN_TESTS_FUZZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: run once before the first input, by both drivers. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise: say which, and abort so both libFuzzer and the replay
 * driver count the input as a crash. */
#define FUZZ_CHECK(cond)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* The input as a NUL-terminated string, the way fs_read_file_at() hands a
 * file to a parser (a NUL inside the input ends the string there, as it
 * does for a file).  NULL only when out of memory.  The caller frees it. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return NULL;
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A failure keeps the error contract (util/error.h): a negative errno
 * returned, and the same errno in *err with a message. */
static inline void fuzz_check_error(int r, const struct error *err)
{
    FUZZ_CHECK(r < 0);
    FUZZ_CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
    FUZZ_CHECK(err->code > 0 && r == -err->code);
}

/* The input parsed as JSON the way cabin reads a JSON file
 * (json_load_string() on its text), or NULL when it is not JSON.  The
 * caller owns the reference. */
static inline json_t *fuzz_json(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return NULL;
    struct error *err = NULL;
    json_t *j = NULL;
    int r = json_load_string(text, "input", &j, &err);
    if (r < 0)
        fuzz_check_error(r, err);
    error_free(err);
    free(text);
    return r < 0 ? NULL : j;
}

/* ---- command lines ------------------------------------------------------ */

#define FUZZ_MAX_ARGS 64

/* Split the input at NUL bytes into argv[1...] (at most FUZZ_MAX_ARGS
 * arguments), after argv[0] = `name`; each argument is a malloc'd buffer of
 * its own, so reading past one is caught.  argv must hold FUZZ_MAX_ARGS + 2
 * pointers.  Returns argc, or -1 when out of memory (nothing to free). */
static inline int fuzz_argv(const uint8_t *data, size_t size, const char *name, char **argv)
{
    int argc = 0;
    argv[argc++] = strdup(name);
    size_t start = 0;
    for (size_t k = 0; k <= size && argc <= FUZZ_MAX_ARGS; k++) {
        if (k < size && data[k] != '\0')
            continue;
        argv[argc++] = fuzz_cstring(data + start, k - start);
        start = k + 1;
    }
    argv[argc] = NULL;
    bool ok = true;
    for (int k = 0; k < argc; k++)
        ok = ok && argv[k] != NULL;
    if (!ok) {
        for (int k = 0; k < argc; k++)
            free(argv[k]);
        return -1;
    }
    return argc;
}

/* Whether `p` points into one of the arguments (a value parsed from it). */
static inline bool fuzz_points_into(const char *p, char *const *argv, int argc)
{
    for (int k = 0; k < argc; k++)
        if (p >= argv[k] && p <= argv[k] + strlen(argv[k]))
            return true;
    return false;
}

/* Whether `s` equals the tail of one of the arguments (a copied value). */
static inline bool fuzz_tail_of_arg(const char *s, char *const *argv, int argc)
{
    size_t n = strlen(s);
    for (int k = 0; k < argc; k++) {
        size_t m = strlen(argv[k]);
        if (m >= n && strcmp(argv[k] + m - n, s) == 0)
            return true;
    }
    return false;
}

#endif
