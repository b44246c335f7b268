/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a helper program and collecting what it says: stdin from a
 * string, stdout and stderr into buffers (each with a limit), a deadline
 * after which it is killed.  The program starts with no fd of ours but
 * 0-2, an empty signal mask and default signal actions.
 */
#ifndef CABIN_UTIL_PROC_H
#define CABIN_UTIL_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct proc_output {
    char *out, *err;    /* NUL-terminated (malloc'd, may be NULL when empty) */
    size_t out_len, err_len;
    bool out_cut;       /* stdout was longer than the limit (the rest dropped) */
    bool timed_out;     /* killed at the deadline */
    int status;         /* as from waitpid */
    long long ms;       /* how long it ran */
};

struct proc_opts {
    const char *input;  /* written to its stdin, then closed; NULL: empty */
    char *const *env;   /* NULL: ours */
    int timeout_s;      /* 0: none */
    size_t out_max, err_max; /* 0: 1 MiB and 4 KiB */
    bool search_path;   /* argv[0] looked up in $PATH */
};

/* Run argv[0] to its end.  Returns 0 when it ran (whatever its status; see
 * ret->status), a negative errno when it could not be started. */
int proc_run(char *const *argv, const struct proc_opts *o, struct proc_output *ret,
             struct error **err);
void proc_output_release(struct proc_output *o);

/* The last non-empty line of `text` (up to len), for messages: *ret_len. */
const char *proc_last_line(const char *text, int *ret_len);

#endif
