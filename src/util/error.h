/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error contract of cabin.
 *
 * A function that can fail returns a negative int (or NULL) and takes
 * `struct error **err` as its last argument.  On failure it fills *err with
 * an errno value and a message, and returns the negative errno; on success it
 * leaves *err alone.  Callers add context on the way up with error_wrap() and
 * only src/cli prints.  An error is owned by whoever holds the pointer and is
 * released with error_free() (or the cleanup attribute `cleanup_error`).
 *
 *     if (mount(...) < 0)
 *             return error_errno(err, "mounting `%s` on `%s`", type, dest);
 *     ...
 *     if (rootfs_setup(spec, &err) < 0)
 *             return error_wrap(err, "creating container `%s`", id);
 *
 * The resulting message reads "creating container `x`: mounting `proc` on
 * `/proc`: Permission denied".
 */
#ifndef CABIN_UTIL_ERROR_H
#define CABIN_UTIL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct error {
    int code;  /* errno value, never 0 */
    char *msg; /* full message, context first */
};

/* Make an error with code `errnum` (EINVAL when 0) and a printf message.
 * Returns -code.  Any error already in *err is replaced. */
int error_new(struct error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like error_new with errno, appending ": strerror(errno)" to the message. */
int error_errno(struct error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same with an explicit errno value (for APIs that return it). */
int error_errnum(struct error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "context: " to the message of *err and return -code.  If *err is
 * NULL (a callee broke the contract) an "unknown error" is made instead. */
int error_wrap(struct error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void error_free(struct error *e);

/* The errno of *err, or 0. */
static inline int error_code(const struct error *e)
{
    return e ? e->code : 0;
}

static inline void error_freep(struct error **e)
{
    error_free(*e);
    *e = NULL;
}
#define cleanup_error __attribute__((cleanup(error_freep)))

#endif
