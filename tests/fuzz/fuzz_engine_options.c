/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: the engine's docker-style option parser,
 * options_parse_docker() (src/cli/options.c).
 *
 * The input's first byte picks the mode (bit 0: OPTIONS_STOP_AT_POSITIONAL,
 * as `cabin run` parses up to its image); the rest is a command line,
 * arguments separated by NUL bytes, each in a buffer of its own.  The table
 * has the shapes of `cabin run`'s: combined short flags, `-h` taken by an
 * option (--hostname), repeatable lists, a number.  Checked:
 *
 *   - the result is 0, OPTIONS_HELP (after --help) or a negative errno that
 *     matches *err, which has a message;
 *   - on success argv[*index...] are the positionals, in their original
 *     order: pointers to the original arguments, none twice, none that
 *     looks like an option unless it came after `--`; in stop mode the
 *     first of them is where parsing stopped;
 *   - string values point into the arguments, list values are their tails.
 */
#include <errno.h>
#include <stdbool.h>

#include "cli/options.h"
#include "fuzz.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct run_opts {
    bool interactive, tty, detach, rm, privileged;
    const char *name, *hostname, *user, *workdir, *memory, *cpus;
    unsigned int pids_limit;
    char **env, **publish, **volume;
};

static const struct option_def run_defs[] = {
    OPTION_BOOL("interactive", 'i', struct run_opts, interactive, "keep stdin open"),
    OPTION_BOOL("tty", 't', struct run_opts, tty, "a terminal"),
    OPTION_BOOL("detach", 'd', struct run_opts, detach, "in the background"),
    OPTION_BOOL("rm", 0, struct run_opts, rm, "remove when done"),
    OPTION_BOOL("privileged", 0, struct run_opts, privileged, "everything"),
    OPTION_STRING("name", 0, struct run_opts, name, "NAME", "name"),
    OPTION_STRING("hostname", 'h', struct run_opts, hostname, "NAME", "hostname"),
    OPTION_STRING("user", 'u', struct run_opts, user, "USER", "user"),
    OPTION_STRING("workdir", 'w', struct run_opts, workdir, "DIR", "working directory"),
    OPTION_STRING("memory", 'm', struct run_opts, memory, "BYTES", "memory limit"),
    OPTION_STRING("cpus", 0, struct run_opts, cpus, "N", "cpus"),
    OPTION_UINT("pids-limit", 0, struct run_opts, pids_limit, "N", "pids"),
    OPTION_STRLIST("env", 'e', struct run_opts, env, "K=V", "environment"),
    OPTION_STRLIST("publish", 'p', struct run_opts, publish, "PORTS", "ports"),
    OPTION_STRLIST("volume", 'v', struct run_opts, volume, "SPEC", "volumes"),
    OPTION_END,
};

/* Index of `p` among the original arguments (by pointer), or -1. */
static int original_index(const char *p, char *const *orig, int argc)
{
    for (int k = 0; k < argc; k++)
        if (orig[k] == p)
            return k;
    return -1;
}

static void check_positionals(char **argv, char *const *orig, int argc, int index, bool stop)
{
    int dashdash = -1; /* original index of the first `--` */
    for (int k = 1; k < argc && dashdash < 0; k++)
        if (strcmp(orig[k], "--") == 0)
            dashdash = k;
    int last = 0;
    for (int k = index; k < argc; k++) {
        int o = original_index(argv[k], orig, argc);
        FUZZ_CHECK(o > last); /* an original argument, in order, not twice */
        last = o;
        bool after = dashdash >= 0 && o > dashdash;
        bool looks_like_option = argv[k][0] == '-' && argv[k][1] != '\0';
        FUZZ_CHECK(after || !looks_like_option || (stop && k > index));
    }
}

static void run(char **argv, int argc, bool stop)
{
    char *orig[FUZZ_MAX_ARGS + 2];
    memcpy(orig, argv, sizeof(char *) * (size_t) (argc + 1));
    struct run_opts o = {0};
    cleanup_error struct error *err = NULL;
    int i = 1;
    int r = options_parse_docker(run_defs, &o, argc, argv, &i,
                                 stop ? OPTIONS_STOP_AT_POSITIONAL : 0, &err);
    FUZZ_CHECK(r == 0 || r == OPTIONS_HELP || r < 0);
    if (r < 0) {
        fuzz_check_error(r, err);
    } else {
        FUZZ_CHECK(err == NULL && i >= 1 && i <= argc);
    }
    if (r == OPTIONS_HELP)
        FUZZ_CHECK(strcmp(argv[i - 1], "--help") == 0 || strcmp(argv[i - 1], "-h") == 0);
    if (r == 0) {
        check_positionals(argv, orig, argc, i, stop);
        const char *strs[] = {o.name, o.hostname, o.user, o.workdir, o.memory, o.cpus};
        for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
            FUZZ_CHECK(strs[k] == NULL || fuzz_points_into(strs[k], orig, argc));
        char **lists[] = {o.env, o.publish, o.volume};
        for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
            for (size_t j = 0; lists[k] && lists[k][j]; j++)
                FUZZ_CHECK(fuzz_tail_of_arg(lists[k][j], orig, argc));
    }
    strv_free(o.env);
    strv_free(o.publish);
    strv_free(o.volume);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool stop = data[0] & 1;
    char *argv[FUZZ_MAX_ARGS + 2], *owned[FUZZ_MAX_ARGS + 2];
    int argc = fuzz_argv(data + 1, size - 1, "run", argv);
    if (argc < 0)
        return 0;
    memcpy(owned, argv, sizeof(char *) * (size_t) argc);
    run(argv, argc, stop);
    /* argv may be permuted (and options' slots reused): free the originals. */
    for (int k = 0; k < argc; k++)
        free(owned[k]);
    return 0;
}
