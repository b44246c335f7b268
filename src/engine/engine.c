/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static const char *pick(const char *given, const char *env, const char *def)
{
    if (given && *given)
        return given;
    const char *v = getenv(env);
    return v && *v ? v : def;
}

void engine_free(struct engine *e)
{
    if (e == NULL)
        return;
    store_free(e->store);
    close_keep_errno(e->containersfd);
    close_keep_errno(e->namesfd);
    strv_free(e->storage_opts);
    free(e->self);
    runtime_free(e->rt);
    free(e->root);
    free(e->runroot);
    free(e->driver_name);
    free(e);
}

int engine_open(const struct engine_opts *o, struct engine **ret, struct error **err)
{
    cleanup_engine struct engine *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return error_new(err, ENOMEM, "out of memory");
    e->containersfd = e->namesfd = -1;
    const char *root = pick(o->root, "CABIN_ROOT", ENGINE_DEFAULT_ROOT);
    const char *runroot = pick(o->runroot, "CABIN_RUNROOT", ENGINE_DEFAULT_RUNROOT);
    const char *driver = pick(o->storage_driver, "CABIN_STORAGE_DRIVER", NULL);
    if (*root != '/' || *runroot != '/')
        return error_new(err, EINVAL, "--root and --runroot must be absolute paths");
    int r = storage_opts_parse(o->storage_opts, &e->sopts, err);
    if (r < 0)
        return r;
    if (driver && storage_driver_by_name(driver) == NULL)
        return error_new(err, EINVAL, "--storage-driver: `%s` is not overlay or vfs", driver);
    if ((r = store_open(root, &e->store, err)) < 0)
        return r;
    e->root = strdup(e->store->root);
    e->runroot = strdup(runroot);
    e->driver_name = driver ? strdup(driver) : NULL;
    if (e->root == NULL || e->runroot == NULL || (driver && e->driver_name == NULL))
        return error_new(err, ENOMEM, "out of memory");
    if (mkdirat(e->store->rootfd, "containers", 0700) < 0 && errno != EEXIST)
        return error_errno(err, "making `%s/containers`", e->root);
    e->containersfd = openat(e->store->rootfd, "containers", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (e->containersfd < 0)
        return error_errno(err, "opening `%s/containers`", e->root);
    if (mkdirat(e->store->rootfd, "names", 0700) < 0 && errno != EEXIST)
        return error_errno(err, "making `%s/names`", e->root);
    e->namesfd = openat(e->store->rootfd, "names", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e->namesfd < 0)
        return error_errno(err, "opening `%s/names`", e->root);
    for (size_t i = 0; o->storage_opts && o->storage_opts[i]; i++)
        if (strv_push(&e->storage_opts, o->storage_opts[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    if (o->self && (e->self = strdup(o->self)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if ((r = fs_mkdir_p(e->runroot, 0700, err)) < 0)
        return error_wrap(err, "--runroot");
    *ret = steal_pointer(&e);
    return 0;
}

/* The choice of a storage driver needs a probe (making an overlay
 * superblock costs tens of milliseconds here), and what it finds only
 * changes when the kernel does: it is remembered in the run root, which a
 * reboot empties, for this store and these options. */
#define DRIVER_CACHE "storage-driver"

static void driver_key(const struct engine *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s\n%s\n%d\n", e->root, e->driver_name ? e->driver_name : "",
             (int) e->sopts.mount_api);
}

static const struct storage_driver *driver_cached(const struct engine *e)
{
    char key[4200], *text = NULL;
    driver_key(e, key, sizeof(key));
    cleanup_close int fd = open(e->runroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fs_read_file_at(fd, DRIVER_CACHE, sizeof(key) + 64, &text, NULL, NULL) < 0)
        return NULL;
    const struct storage_driver *d = NULL;
    size_t n = strlen(key);
    if (strncmp(text, key, n) == 0)
        d = storage_driver_by_name(strtok(text + n, "\n") ? text + n : "");
    free(text);
    return d;
}

static void driver_remember(const struct engine *e, const struct storage_driver *d)
{
    char text[4300];
    driver_key(e, text, sizeof(text));
    size_t n = strlen(text);
    snprintf(text + n, sizeof(text) - n, "%s\n", d->name);
    cleanup_close int fd = open(e->runroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
        fs_write_file_atomic(fd, DRIVER_CACHE, text, strlen(text), 0600, 0, NULL);
}

int engine_driver(struct engine *e, const struct storage_driver **ret, struct error **err)
{
    if (e->driver == NULL && (e->driver = driver_cached(e)) == NULL) {
        int r = storage_choose(e->store, e->driver_name, &e->sopts, &e->driver, err);
        if (r < 0)
            return r;
        driver_remember(e, e->driver);
    }
    *ret = e->driver;
    return 0;
}

int engine_runtime(struct engine *e, struct runtime **ret, struct error **err)
{
    if (e->rt == NULL) {
        cleanup_free char *p = NULL;
        if (asprintf(&p, "%s/runtime", e->runroot) < 0)
            return error_new(err, ENOMEM, "out of memory");
        int r = runtime_open(p, &e->rt, err);
        if (r < 0)
            return error_wrap(err, "--runroot");
    }
    *ret = e->rt;
    return 0;
}

/* The containers' layers and configs are roots of the collection. */
static int container_roots(void *opaque, struct gc_roots *roots, struct error **err)
{
    struct engine *e = opaque;
    struct engine_container **list = NULL;
    size_t n = 0;
    int r = engine_container_list(e, &list, &n, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (strv_push(&roots->blobs, list[i]->image_id) < 0)
            r = error_new(err, ENOMEM, "out of memory");
        for (size_t k = 0; r == 0 && list[i]->layers && list[i]->layers[k]; k++)
            if (strv_push(&roots->layers, list[i]->layers[k]) < 0)
                r = error_new(err, ENOMEM, "out of memory");
    }
    engine_container_list_free(list);
    return r;
}

int engine_gc(struct engine *e, bool wait, struct gc_stats *ret, struct error **err)
{
    return image_gc(e->store, wait, container_roots, e, ret, err);
}
