/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared libraries loaded on first use (dlopen) instead of linked.
 *
 * Why: every library cabin is linked with costs every cabin command its
 * dynamic linking at start, whether the command needs it or not, and
 * `cabin run` starts twice (the sealed re-exec, runtime/exe_guard.h).
 * libcurl and libarchive bring some 40 libraries between them (TLS,
 * Kerberos, LDAP, ICU, libstdc++ ...): about 15 ms of each exec here,
 * for commands that mostly never reach a registry or read a tarball.  So
 * the modules that use them (image/curl_lib.h, image/archive_lib.h) load
 * them with dlopen the first time they are needed.
 *
 * A module lists the functions it uses (an X-macro) in a `struct dl_lib`
 * (DL_LIB_DEFINE: an enum DL_<name> of indexes, the names, the slots), and
 * defines functions with the library's own names and prototypes (DL_STUB)
 * that call through the resolved pointers: the library's header still
 * checks every call, and its callers do not change.
 *
 *     #define FUNCTIONS(X) X(foo_open) X(foo_close)
 *     DL_LIB_DEFINE(lib, FUNCTIONS, "libfoo.so.1", "to read foos");
 *     DL_STUB(lib, struct foo *, NULL, foo_open, (const char *p), (p))
 *
 * Loading is thread-safe and happens once; a failure is not remembered
 * (the next call tries again), and names the library and, when a function
 * is missing from it, the function.
 */
#ifndef CABIN_UTIL_DL_H
#define CABIN_UTIL_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct dl_lib {
    const char *soname;       /* what dlopen is asked for ("libcurl.so.4") */
    const char *purpose;      /* for messages: "to reach registries" */
    const char *const *names; /* the n functions to resolve */
    void **slots;             /* their addresses, filled by a load */
    size_t n;
    /* private */
    pthread_mutex_t lock;
    bool loaded;
    void *handle;
};

#define DL_LIB_INIT(soname_, purpose_, names_, slots_)                                             \
    {                                                                                              \
        .soname = (soname_), .purpose = (purpose_), .names = (names_), .slots = (slots_),          \
        .n = sizeof(names_) / sizeof((names_)[0]), .lock = PTHREAD_MUTEX_INITIALIZER,              \
    }

/* `static struct dl_lib var` for the functions FUNCS(X) lists, with the
 * enum DL_<function> of their indexes that DL_FN uses (one a file). */
#define DL_INDEX_(f) DL_##f,
#define DL_NAME_(f)  #f,
#define DL_LIB_DEFINE(var, FUNCS, soname, purpose)                                                 \
    enum { FUNCS(DL_INDEX_) DL_COUNT_ };                                                           \
    static const char *const var##_names[] = {FUNCS(DL_NAME_)};                                    \
    static void *var##_slots[DL_COUNT_];                                                           \
    static struct dl_lib var = DL_LIB_INIT(soname, purpose, var##_names, var##_slots)

/* Open the library (RTLD_NOW | RTLD_LOCAL) and resolve every name, once.
 * Returns 0, or fails with a message naming the library, what it is
 * needed for and dlerror()'s reason; nothing is kept of a failed load. */
int dl_lib_load(struct dl_lib *l, struct error **err);

/* Whether the library is loaded, loading it if not (quietly: the stubs'
 * path; callers that can report an error call dl_lib_load first). */
bool dl_lib_ready(struct dl_lib *l);

/* Use another soname, before the library is loaded (for tests: a name
 * that does not exist).  Returns -EBUSY once it is loaded. */
int dl_lib_set_soname(struct dl_lib *l, const char *soname);

/* The resolved address of function `name` of `lib` (ready), as its own type. */
#define DL_FN(lib, name) ((__typeof__(&name)) (lib).slots[DL_##name])

/* A function with the library's name and prototype that calls the real one
 * when the library can be loaded, and returns `fail` when it cannot. */
#define DL_STUB(lib, ret, fail, name, params, args)                                                \
    ret name params                                                                                \
    {                                                                                              \
        return dl_lib_ready(&(lib)) ? DL_FN(lib, name) args : (fail);                              \
    }
#define DL_STUB_VOID(lib, name, params, args)                                                      \
    void name params                                                                               \
    {                                                                                              \
        if (dl_lib_ready(&(lib)))                                                                  \
            DL_FN(lib, name) args;                                                                 \
    }

#endif
