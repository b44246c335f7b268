/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated vectors of malloc'd strings (argv, envp).  The owner frees
 * the vector with strv_free(), which accepts NULL. */
#ifndef CABIN_UTIL_STRV_H
#define CABIN_UTIL_STRV_H

#include <stddef.h>

void strv_free(char **v);
size_t strv_length(char *const *v);
/* Append a copy of `s`; returns -ENOMEM on failure, leaving *v valid. */
int strv_push(char ***v, const char *s);
/* The value of `name` in an environment vector ("NAME=value"), or NULL. */
const char *strv_env_get(char *const *env, const char *name);
/* Put "NAME=value" `kv` in an environment vector: it replaces an entry of
 * the same NAME where there is one, else it is appended.  -ENOMEM or
 * -EINVAL (no '=' or an empty name) on failure, leaving *env valid. */
int strv_env_set(char ***env, const char *kv);

static inline void strv_freep(char ***v)
{
    strv_free(*v);
}
#define cleanup_strv __attribute__((cleanup(strv_freep)))

#endif
