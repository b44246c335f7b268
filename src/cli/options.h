/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarative command-line options.  Each command lists its options in a
 * table that names the field of its options struct each one fills:
 *
 *     struct kill_opts { bool all; };
 *     static const struct option_def kill_options[] = {
 *             OPTION_BOOL("all", 'a', struct kill_opts, all, "signal every process"),
 *             OPTION_END,
 *     };
 *
 * options_parse() accepts what runc's (Go) parser accepts: `--name`,
 * `-name`, `--name=value`, `--name value`, `-n value`, booleans as
 * `--flag` or `--flag=true|false`, and stops at the first argument that is
 * not an option or after `--`.  Numbers are parsed strictly.  `-h` and
 * `--help` return OPTIONS_HELP.
 *
 * options_parse_docker() accepts what docker's (pflag) parser accepts
 * instead: long names only with two dashes (`--env=K=V`, `--env K=V`),
 * short flags combined (`-it`, `-dit`; the last one of a group may take a
 * value, attached `-eK=V`, `-e=K=V` or as the next argument `-e K=V`),
 * and `--help` (and `-h` unless the table gives `h` to an option, as
 * `run -h HOSTNAME` does).  With OPTIONS_STOP_AT_POSITIONAL it stops at
 * the first positional argument (the image of `run`: what follows is the
 * container's command); otherwise options may come after positionals, and
 * the positionals are moved so that they stand from *index on, in order.
 * Unlike GNU getopt's permutation, the slots before *index are then
 * scratch (they may repeat pointers): read only argv[*index..].  `--`
 * ends the options in both modes.
 */
#ifndef CABIN_CLI_OPTIONS_H
#define CABIN_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

enum option_type {
    OPTION_TYPE_BOOL,
    OPTION_TYPE_STRING,
    OPTION_TYPE_UINT,
    OPTION_TYPE_STRLIST,
    OPTION_TYPE_TRISTATE,
};

struct option_def {
    const char *name;
    char short_name;
    enum option_type type;
    size_t offset;
    const char *arg_name; /* for --help: "PATH" */
    const char *help;
};

#define OPTION_BOOL(n, s, T, f, h) {n, s, OPTION_TYPE_BOOL, offsetof(T, f), NULL, h}
#define OPTION_STRING(n, s, T, f, a, h) {n, s, OPTION_TYPE_STRING, offsetof(T, f), a, h}
#define OPTION_UINT(n, s, T, f, a, h) {n, s, OPTION_TYPE_UINT, offsetof(T, f), a, h}
/* Repeatable: appends to a `char **` vector. */
#define OPTION_STRLIST(n, s, T, f, a, h) {n, s, OPTION_TYPE_STRLIST, offsetof(T, f), a, h}
/* A boolean whose absence matters: an `int` the caller sets to -1, left
 * so when the option is not given, else 1 or 0 (runc's IsSet). */
#define OPTION_TRISTATE(n, s, T, f, h) {n, s, OPTION_TYPE_TRISTATE, offsetof(T, f), NULL, h}
#define OPTION_END {NULL, 0, 0, 0, NULL, NULL}

#define OPTIONS_HELP 1

/* Parse argv[*index...] into `target`; *index is left at the first
 * positional argument.  Returns 0, OPTIONS_HELP, or a negative errno with
 * *err naming the bad option. */
int options_parse(const struct option_def *defs, void *target, int argc, char **argv, int *index,
                  struct error **err);

#define OPTIONS_STOP_AT_POSITIONAL 1u

int options_parse_docker(const struct option_def *defs, void *target, int argc, char **argv,
                         int *index, unsigned int flags, struct error **err);

void options_print_help(FILE *f, const char *usage, const char *description,
                        const struct option_def *defs);

/* One command's options, for both front ends: parse argv from index 1
 * (docker style with OPTIONS_DOCKER in `flags`, else runc style), print
 * the help on --help (returning OPTIONS_HELP), and check that the number
 * of positionals is in [min, max] (max -1: any).  Errors name argv[0]. */
#define OPTIONS_DOCKER 2u
int options_parse_command(const struct option_def *defs, void *target, int argc, char **argv,
                          unsigned int flags, int min, int max, const char *usage,
                          const char *description, int *index, struct error **err);

/* Strict unsigned parse: digits only, no sign, no overflow. */
int options_parse_uint(const char *s, unsigned long long max, unsigned long long *ret);

#endif
