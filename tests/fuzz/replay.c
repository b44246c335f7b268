/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay: run a fuzz harness over files, without libFuzzer.
 *
 *   fuzz_NAME PATH...
 *
 * Each PATH is a file or a directory of files (a corpus: seeds, inputs the
 * fuzzer kept, and the reproducers of bugs it found).  Every file is read
 * and handed once to the harness's LLVMFuzzerTestOneInput(), in name order.
 * Output is TAP, one test per PATH: "ok N - PATH: K inputs".  A directory
 * with no file in it is a failure, so a corpus that went missing cannot
 * pass.
 *
 * A harness that crashes, trips a sanitizer or fails a FUZZ_CHECK kills the
 * process; the name of the input it was running is printed on stderr first
 * (from a signal handler, or the sanitizers' death callback), so the failing
 * file is named in the log.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT (16u << 20)

/* libFuzzer calls these when a harness defines them. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* Present in ASan/UBSan builds only. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static char current[4096];

static void say_current(void)
{
    static const char pre[] = "replay: crashed on input ";
    if (current[0] == '\0')
        return;
    ssize_t w = write(2, pre, sizeof(pre) - 1);
    w = write(2, current, strlen(current));
    w = write(2, "\n", 1);
    (void) w;
}

static void on_fatal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Read `path` whole; NULL (with errno) on failure. */
static uint8_t *read_input(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
    int bad = buf == NULL || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    *ret_len = n;
    return buf;
}

static int run_one(const char *path)
{
    size_t len = 0;
    uint8_t *data = read_input(path, &len);
    if (data == NULL) {
        printf("# %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    snprintf(current, sizeof(current), "%s", path);
    LLVMFuzzerTestOneInput(data, len);
    current[0] = '\0';
    free(data);
    return 0;
}

static int skip_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Returns the number of inputs run, or -1 on an unreadable one. */
static long run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("# %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_one(path) < 0 ? -1 : 1;
    struct dirent **names = NULL;
    int n = scandir(path, &names, skip_entry, alphasort);
    if (n < 0) {
        printf("# %s: %s\n", path, strerror(errno));
        return -1;
    }
    long done = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
        free(names[i]);
        if (done < 0 || stat(file, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (run_one(file) < 0)
            done = -1;
        else
            done++;
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    signal(SIGSEGV, on_fatal);
    signal(SIGBUS, on_fatal);
    signal(SIGABRT, on_fatal);
    signal(SIGFPE, on_fatal);
    signal(SIGILL, on_fatal);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(say_current);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("1..%d\n", argc - 1);
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        long n = run_path(argv[i]);
        if (n > 0) {
            printf("ok %d - %s: %ld input%s\n", i, argv[i], n, n == 1 ? "" : "s");
        } else {
            printf("not ok %d - %s: %s\n", i, argv[i], n == 0 ? "no inputs" : "unreadable input");
            failed = 1;
        }
    }
    return failed;
}
