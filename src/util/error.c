/* SPDX-License-Identifier: Apache-2.0 */
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set(struct error **err, int errnum, char *msg)
{
    if (errnum <= 0)
        errnum = EINVAL;
    if (err == NULL) {
        free(msg);
        return -errnum;
    }
    error_free(*err);
    *err = NULL;
    struct error *e = malloc(sizeof(*e));
    if (e == NULL) {
        free(msg);
        return -errnum;
    }
    e->code = errnum;
    e->msg = msg ? msg : strdup("out of memory");
    *err = e;
    return -errnum;
}

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    return s;
}

int error_new(struct error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    return set(err, errnum, msg);
}

static int with_errnum(struct error **err, int errnum, const char *fmt, va_list ap)
{
    char *head = vformat(fmt, ap);
    char *msg = NULL;
    if (head && asprintf(&msg, "%s: %s", head, strerror(errnum)) < 0)
        msg = NULL;
    free(head);
    return set(err, errnum, msg);
}

int error_errno(struct error **err, const char *fmt, ...)
{
    int errnum = errno ? errno : EINVAL; /* never "...: Success" */
    va_list ap;
    va_start(ap, fmt);
    int r = with_errnum(err, errnum, fmt, ap);
    va_end(ap);
    return r;
}

int error_errnum(struct error **err, int errnum, const char *fmt, ...)
{
    if (errnum < 0)
        errnum = -errnum;
    va_list ap;
    va_start(ap, fmt);
    int r = with_errnum(err, errnum, fmt, ap);
    va_end(ap);
    return r;
}

int error_wrap(struct error **err, const char *fmt, ...)
{
    if (err == NULL)
        return -EINVAL;
    if (*err == NULL)
        return error_new(err, EINVAL, "unknown error (a callee failed without saying why)");
    va_list ap;
    va_start(ap, fmt);
    char *head = vformat(fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (head && asprintf(&msg, "%s: %s", head, (*err)->msg) >= 0) {
        free((*err)->msg);
        (*err)->msg = msg;
    }
    free(head);
    return -(*err)->code;
}

void error_free(struct error *e)
{
    if (e == NULL)
        return;
    free(e->msg);
    free(e);
}
