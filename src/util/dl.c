/* SPDX-License-Identifier: Apache-2.0 */
#include "util/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

static bool loaded(struct dl_lib *l)
{
    return __atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE);
}

static int load_locked(struct dl_lib *l, struct error **err)
{
    dlerror();
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        return error_new(err, ENOENT, "loading %s (cabin needs it %s): %s", l->soname, l->purpose,
                         why ? why : "unknown reason");
    }
    for (size_t i = 0; i < l->n; i++) {
        dlerror();
        void *p = dlsym(h, l->names[i]);
        if (p == NULL) {
            const char *why = dlerror();
            int r = error_new(err, ENOSYS,
                              "loading %s (cabin needs it %s): it has no %s (too old?)%s%s",
                              l->soname, l->purpose, l->names[i], why ? ": " : "", why ? why : "");
            memset(l->slots, 0, l->n * sizeof(l->slots[0]));
            dlclose(h);
            return r;
        }
        l->slots[i] = p;
    }
    l->handle = h;
    __atomic_store_n(&l->loaded, true, __ATOMIC_RELEASE);
    return 0;
}

int dl_lib_load(struct dl_lib *l, struct error **err)
{
    if (loaded(l))
        return 0;
    pthread_mutex_lock(&l->lock);
    int r = loaded(l) ? 0 : load_locked(l, err);
    pthread_mutex_unlock(&l->lock);
    return r;
}

bool dl_lib_ready(struct dl_lib *l)
{
    if (loaded(l))
        return true;
    cleanup_error struct error *err = NULL;
    return dl_lib_load(l, &err) == 0;
}

int dl_lib_set_soname(struct dl_lib *l, const char *soname)
{
    pthread_mutex_lock(&l->lock);
    int r = loaded(l) ? -EBUSY : 0;
    if (r == 0)
        l->soname = soname;
    pthread_mutex_unlock(&l->lock);
    return r;
}
