/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup.  Every heap pointer, fd, FILE* and DIR* that a
 * function owns carries one of these attributes and starts NULL or -1, so
 * every return path releases it.  Hand a resource to someone else with
 * steal_pointer()/steal_fd(): the variable is reset and its cleanup does
 * nothing.  The close helpers keep errno, so they are safe on error paths.
 */
#ifndef CABIN_UTIL_CLEANUP_H
#define CABIN_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
    int saved = errno;
    free(*(void **) p);
    errno = saved;
}

static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
        *fd = -1;
    }
}

static inline void cleanup_fclosep(FILE **f)
{
    if (*f) {
        int saved = errno;
        fclose(*f);
        errno = saved;
    }
}

static inline void cleanup_closedirp(DIR **d)
{
    if (*d) {
        int saved = errno;
        closedir(*d);
        errno = saved;
    }
}

#define cleanup_free    __attribute__((cleanup(cleanup_freep)))
#define cleanup_close   __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose  __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedirp)))

static inline void *steal_ptr_(void **p)
{
    void *r = *p;
    *p = NULL;
    return r;
}
#define steal_pointer(pp) steal_ptr_((void **) (pp))

static inline int steal_fd(int *fd)
{
    int r = *fd;
    *fd = -1;
    return r;
}

/* close() that keeps errno, for explicit use. */
static inline void close_keep_errno(int fd)
{
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
}

#endif
