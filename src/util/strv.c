/* SPDX-License-Identifier: Apache-2.0 */
#include "util/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

size_t strv_length(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

int strv_push(char ***v, const char *s)
{
    size_t n = strv_length(*v);
    char *copy = strdup(s);
    if (copy == NULL)
        return -ENOMEM;
    char **nv = realloc(*v, (n + 2) * sizeof(char *));
    if (nv == NULL) {
        free(copy);
        return -ENOMEM;
    }
    nv[n] = copy;
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}

const char *strv_env_get(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
            return env[i] + len + 1;
    return NULL;
}

int strv_env_set(char ***env, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv)
        return -EINVAL;
    size_t len = (size_t) (eq - kv) + 1;
    for (size_t i = 0; *env && (*env)[i]; i++)
        if (strncmp((*env)[i], kv, len) == 0) {
            char *copy = strdup(kv);
            if (copy == NULL)
                return -ENOMEM;
            free((*env)[i]);
            (*env)[i] = copy;
            return 0;
        }
    return strv_push(env, kv);
}
