/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/bundle.h"
#include "engine/user.h"
#include "image/image.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define RECORD      "container.json"
#define RECORD_MAX  (1u << 20)

const char *engine_status_name(enum engine_status s)
{
    switch (s) {
    case ENGINE_CREATED: return "created";
    case ENGINE_RUNNING: return "running";
    case ENGINE_PAUSED: return "paused";
    case ENGINE_EXITED: return "exited";
    }
    return "unknown";
}

void engine_container_free(struct engine_container *c)
{
    if (c == NULL)
        return;
    free(c->image);
    strv_free(c->layers);
    free(c->driver);
    strv_free(c->command);
    free(c);
}

void engine_container_list_free(struct engine_container **v)
{
    for (size_t i = 0; v && v[i]; i++)
        engine_container_free(v[i]);
    free(v);
}

static inline void container_freep(struct engine_container **c)
{
    engine_container_free(*c);
}
#define cleanup_container __attribute__((cleanup(container_freep)))

/* ---- records ------------------------------------------------------------ */

static json_t *strv_json(char **v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int record_write(int cdirfd, const struct engine_container *c, struct error **err)
{
    cleanup_json json_t *j = json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:o, s:I, s:b, s:b, s:i, s:I}", "id", c->id, "image_id",
        c->image_id, "image", c->image, "layers", strv_json(c->layers), "driver", c->driver,
        "command", strv_json(c->command), "created", (json_int_t) c->created, "rm", c->rm,
        "exited", c->exited, "exit_code", c->exit_code, "finished", (json_int_t) c->finished);
    cleanup_free char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return fs_write_file_atomic(cdirfd, RECORD, text, strlen(text), 0600, 1, err);
}

static int record_read(int cdirfd, const char *id, struct engine_container **ret,
                       struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(cdirfd, RECORD, RECORD_MAX, &j, err);
    if (r < 0)
        return error_wrap(err, "container %.12s", id);
    cleanup_container struct engine_container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *cid = NULL, *image_id = NULL, *image = NULL, *driver = NULL;
    int64_t code = 0;
    const char *w = RECORD;
    if ((r = json_get_string(j, "id", w, true, &cid, err)) < 0 ||
        (r = json_get_string(j, "image_id", w, true, &image_id, err)) < 0 ||
        (r = json_get_string(j, "image", w, true, &image, err)) < 0 ||
        (r = json_get_string(j, "driver", w, true, &driver, err)) < 0 ||
        (r = json_get_strv(j, "layers", w, true, &c->layers, err)) < 0 ||
        (r = json_get_strv(j, "command", w, false, &c->command, err)) < 0 ||
        (r = json_get_int64(j, "created", w, false, &c->created, err)) < 0 ||
        (r = json_get_bool(j, "rm", w, &c->rm, err)) < 0 ||
        (r = json_get_bool(j, "exited", w, &c->exited, err)) < 0 ||
        (r = json_get_int64(j, "exit_code", w, false, &code, err)) < 0 ||
        (r = json_get_int64(j, "finished", w, false, &c->finished, err)) < 0)
        return error_wrap(err, "container %.12s", id);
    if (strlen(cid) != ENGINE_ID_LEN || !digest_valid(image_id))
        return error_new(err, EINVAL, "container %.12s: " RECORD ": bad id", id);
    memcpy(c->id, cid, ENGINE_ID_LEN + 1);
    memcpy(c->image_id, image_id, DIGEST_BUF);
    c->image = strdup(image);
    c->driver = strdup(driver);
    c->exit_code = (int) code;
    if (c->image == NULL || c->driver == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&c);
    return 0;
}

static char *container_dir(const struct engine *e, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/containers/%s", e->root, name) < 0)
        return NULL;
    return p;
}

/* ---- finding ------------------------------------------------------------ */

static bool is_id(const char *s)
{
    if (strlen(s) != ENGINE_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static int list_ids(struct engine *e, char ***ret, struct error **err)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return error_errno(err, "reading `%s/containers`", e->root);
    cleanup_strv char **ids = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (is_id(de->d_name) && strv_push(&ids, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&ids);
    return 0;
}

static int read_one(struct engine *e, const char *id, struct engine_container **ret,
                    struct error **err)
{
    cleanup_close int cdirfd = openat(e->containersfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cdirfd < 0)
        return error_errno(err, "container %.12s", id);
    return record_read(cdirfd, id, ret, err);
}

static int by_created(const void *a, const void *b)
{
    const struct engine_container *x = *(struct engine_container *const *) a;
    const struct engine_container *y = *(struct engine_container *const *) b;
    return x->created < y->created ? -1 : x->created > y->created;
}

int engine_container_list(struct engine *e, struct engine_container ***ret, size_t *ret_n,
                          struct error **err)
{
    cleanup_strv char **ids = NULL;
    int r = list_ids(e, &ids, err);
    if (r < 0)
        return r;
    size_t n = strv_length(ids), k = 0;
    struct engine_container **v = calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        cleanup_error struct error *e2 = NULL;
        if (read_one(e, ids[i], &v[k], &e2) == 0) {
            k++;
        } else if (error_code(e2) != ENOENT) {
            /* removed meanwhile is fine; unreadable is not */
            engine_container_list_free(v);
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
    }
    qsort(v, k, sizeof(*v), by_created);
    *ret = v;
    if (ret_n)
        *ret_n = k;
    return 0;
}

int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
                          struct error **err)
{
    cleanup_strv char **ids = NULL;
    int r = list_ids(e, &ids, err);
    if (r < 0)
        return r;
    const char *hit = NULL;
    size_t n = 0, len = strlen(what);
    for (size_t i = 0; len > 0 && ids && ids[i]; i++)
        if (strncmp(ids[i], what, len) == 0) {
            hit = ids[i];
            n++;
        }
    if (n == 0)
        return error_new(err, ENOENT, "no such container: `%s`", what);
    if (n > 1)
        return error_new(err, EINVAL, "container id prefix `%s` is ambiguous (%zu containers)",
                         what, n);
    return read_one(e, hit, ret, err);
}

enum engine_status engine_container_status(struct engine *e, const struct engine_container *c)
{
    struct runtime *rt = NULL;
    json_t *st = NULL;
    if (engine_runtime(e, &rt, NULL) == 0 && container_state(rt, c->id, &st, NULL) == 0) {
        const char *s = json_string_value(json_object_get(st, "status"));
        enum engine_status r = ENGINE_EXITED;
        if (s && strcmp(s, "running") == 0)
            r = ENGINE_RUNNING;
        else if (s && strcmp(s, "paused") == 0)
            r = ENGINE_PAUSED;
        else if (s && (strcmp(s, "created") == 0 || strcmp(s, "creating") == 0))
            r = ENGINE_RUNNING; /* its init exists: it is on its way */
        json_decref(st);
        return r;
    }
    return c->exited ? ENGINE_EXITED : ENGINE_CREATED;
}

int engine_container_usage(struct engine *e, const struct engine_container *c, uint64_t *ret,
                           struct error **err)
{
    const struct storage_driver *d = storage_driver_by_name(c->driver);
    cleanup_close int cdirfd = openat(e->containersfd, c->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d == NULL || cdirfd < 0) {
        *ret = 0;
        return 0;
    }
    return d->usage(cdirfd, ret, err);
}

/* ---- removing ----------------------------------------------------------- */

/* Unmount and delete a container folder (by its current name). */
static int destroy(struct engine *e, const char *name, const char *driver, struct error **err)
{
    cleanup_free char *cdir = container_dir(e, name);
    cleanup_close int cdirfd = openat(e->containersfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cdirfd < 0)
        return errno == ENOENT ? 0 : error_errno(err, "container %.12s", name);
    const struct storage_driver *d = driver ? storage_driver_by_name(driver) : NULL;
    /* Whatever made it, an overlay mount may be there: unmount it. */
    int r = (d ? d : &storage_overlay)->unmount(cdirfd, cdir, err);
    if (r < 0)
        return r;
    return fs_remove_tree(e->containersfd, name, err);
}

void engine_containers_sweep(struct engine *e)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, ".rm-", 4) != 0)
            continue;
        /* Renamed for removal by a cabin that was killed before it was done
         * (a live one holds its lock; give it a minute to take it). */
        struct stat st;
        cleanup_close int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || now - st.st_ctime < 60 ||
            flock(fd, LOCK_EX | LOCK_NB) < 0)
            continue;
        cleanup_error struct error *e2 = NULL;
        if (destroy(e, de->d_name, NULL, &e2) < 0)
            log_debug("sweeping `%s`: %s", de->d_name, e2->msg);
    }
}

int engine_container_remove(struct engine *e, const char *what, bool force, struct error **err)
{
    cleanup_container struct engine_container *c = NULL;
    int r = engine_container_find(e, what, &c, err);
    if (r < 0)
        return r;
    enum engine_status st = engine_container_status(e, c);
    if ((st == ENGINE_RUNNING || st == ENGINE_PAUSED) && !force)
        return error_new(err, EBUSY,
                         "cannot remove container %.12s: it is %s (stop it first, or use -f)",
                         c->id, engine_status_name(st));
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) < 0)
        return r;
    if ((r = container_delete(rt, c->id, true, err)) < 0)
        return error_wrap(err, "removing container %.12s", c->id);
    /* Out of sight first, then gone. */
    char hidden[ENGINE_ID_LEN + 8];
    snprintf(hidden, sizeof(hidden), ".rm-%s", c->id);
    if (renameat(e->containersfd, c->id, e->containersfd, hidden) < 0)
        return errno == ENOENT ? 0 : error_errno(err, "removing container %.12s", c->id);
    cleanup_close int lock = openat(e->containersfd, hidden, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock >= 0)
        flock(lock, LOCK_EX);
    if ((r = destroy(e, hidden, c->driver, err)) < 0)
        return error_wrap(err, "removing container %.12s", c->id);
    /* Layers only this container kept (its image was removed) can go. */
    cleanup_error struct error *e2 = NULL;
    if (engine_gc(e, false, NULL, &e2) < 0)
        log_debug("after removing container %.12s: %s", c->id, e2->msg);
    return 0;
}

/* ---- creating ----------------------------------------------------------- */

static void new_id(char out[ENGINE_ID_LEN + 1])
{
    unsigned char raw[ENGINE_ID_LEN / 2];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < sizeof(raw); i++)
            raw[i] = (unsigned char) ((ts.tv_nsec >> (i % 8)) ^ (getpid() >> (i % 4)) ^ i);
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[ENGINE_ID_LEN] = '\0';
}

/* The record and the driver's storage, made in a scratch folder of the
 * store (locked before anyone can see it) and renamed into place at the
 * end.  The gc lock is held by the caller. */
static int make_folder(struct engine *e, const struct storage_driver *d, struct image *im,
                       struct engine_container *c, struct error **err)
{
    cleanup_free char *name = NULL;
    int tfd = -1;
    int r = store_tmp_new(e->store, &name, &tfd, err);
    if (r < 0)
        return error_wrap(err, "making the container's folder");
    r = d->create(e->store, tfd, im->config->diff_ids, im->config->n_diff_ids, err);
    if (r == 0)
        r = record_write(tfd, c, err);
    if (r == 0 && renameat(e->store->tmpfd, name, e->containersfd, c->id) < 0)
        r = error_errno(err, "making the container visible");
    if (r < 0) {
        store_tmp_remove(e->store, name, tfd);
        return r;
    }
    close(tfd);
    return 0;
}

static int write_bundle(struct engine *e, const struct engine_run_opts *o, struct image *im,
                        const struct engine_container *c, struct error **err)
{
    cleanup_close int cdirfd = openat(e->containersfd, c->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_close int rootfd = cdirfd < 0 ? -1
                                          : openat(cdirfd, STORAGE_ROOTFS,
                                                   O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return error_errno(err, "opening the container's root");
    struct resolved_user u;
    int r = user_resolve(rootfd, im->config->user, &u, err);
    if (r < 0)
        return r;
    char host[13], cg[ENGINE_ID_LEN + 8];
    snprintf(host, sizeof(host), "%.12s", c->id);
    snprintf(cg, sizeof(cg), "/cabin/%s", c->id);
    struct bundle_params p = {.image = im->config, .cmd = o->cmd, .env = o->env, .tty = o->tty,
                              .hostname = host, .cgroups_path = cg, .uid = u.uid, .gid = u.gid,
                              .groups = u.groups, .n_groups = u.n_groups, .home = u.home};
    cleanup_json json_t *spec = NULL;
    if ((r = bundle_spec(&p, &spec, err)) < 0)
        return r;
    return json_write_file_at(cdirfd, "config.json", spec, JSON_INDENT(1), 0600, err);
}

static int mount_root(struct engine *e, const struct engine_container *c, struct error **err)
{
    const struct storage_driver *d = storage_driver_by_name(c->driver);
    cleanup_free char *cdir = container_dir(e, c->id);
    cleanup_close int cdirfd = openat(e->containersfd, c->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d == NULL || cdir == NULL || cdirfd < 0)
        return error_new(err, EINVAL, "container %.12s: cannot mount its root (driver `%s`)",
                         c->id, c->driver);
    return d->mount(e->store, cdirfd, cdir, c->layers, strv_length(c->layers), &e->sopts, err);
}

static int new_record(const struct engine_run_opts *o, struct image *im,
                      const struct storage_driver *d, struct engine_container **ret,
                      struct error **err)
{
    cleanup_container struct engine_container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    new_id(c->id);
    memcpy(c->image_id, im->id, DIGEST_BUF);
    c->image = strdup(o->image);
    c->driver = strdup(d->name);
    c->created = (int64_t) time(NULL);
    c->rm = o->rm;
    for (size_t i = 0; i < im->config->n_diff_ids; i++)
        if (strv_push(&c->layers, im->config->diff_ids[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    int r = bundle_args(im->config, o->cmd, &c->command, err);
    if (r < 0)
        return r;
    if (c->image == NULL || c->driver == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&c);
    return 0;
}

int engine_container_create(struct engine *e, const struct engine_run_opts *o,
                            struct engine_container **ret, struct error **err)
{
    const struct storage_driver *d = NULL;
    int r = engine_driver(e, &d, err);
    if (r < 0)
        return r;
    cleanup_container struct engine_container *c = NULL;
    {
        /* From reading the image to recording the container, the layers
         * must not be collected. */
        cleanup_close int gc = -1;
        if ((r = store_lock_gc(e->store, LOCK_SH, &gc, err)) < 0)
            return r;
        engine_containers_sweep(e);
        struct image *im = NULL;
        if ((r = image_open(e->store, o->image, &im, err)) < 0) {
            if (error_code(*err) == ENOENT)
                return error_new(err, ENOENT,
                                 "image `%s` not found locally (import or load it first)",
                                 o->image);
            return r;
        }
        r = new_record(o, im, d, &c, err);
        if (r == 0)
            r = make_folder(e, d, im, c, err);
        if (r == 0 && (r = mount_root(e, c, err)) == 0)
            r = write_bundle(e, o, im, c, err);
        image_free(im);
        if (r < 0) {
            if (c && *c->id) {
                cleanup_error struct error *e2 = NULL;
                destroy(e, c->id, c->driver, &e2);
            }
            return r;
        }
    }
    *ret = steal_pointer(&c);
    return 0;
}

/* ---- running ------------------------------------------------------------ */

static void record_exit(struct engine *e, struct engine_container *c, int status)
{
    c->exited = true;
    c->exit_code = status;
    c->finished = (int64_t) time(NULL);
    cleanup_close int cdirfd = openat(e->containersfd, c->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cdirfd < 0)
        return; /* removed meanwhile (rm -f) */
    cleanup_error struct error *e2 = NULL;
    flock(cdirfd, LOCK_EX);
    if (record_write(cdirfd, c, &e2) < 0)
        log_debug("container %.12s: recording its exit: %s", c->id, e2->msg);
}

int engine_container_run(struct engine *e, struct engine_container *c, bool interactive,
                         int *ret_status, struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    cleanup_free char *cdir = container_dir(e, c->id);
    if (r == 0 && cdir == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    if (r == 0 && !interactive) {
        /* Without -i the process reads nothing (docker gives /dev/null). */
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0)
            r = error_errno(err, "redirecting stdin");
        close_keep_errno(null);
    }
    int status = 0;
    if (r == 0) {
        /* /cabin is the engine's: the last container out removes it. */
        struct container_opts opts = {.bundle = cdir, .cgroup_parents_shared = true};
        r = container_run(rt, c->id, &opts, &status, err);
    }
    cleanup_error struct error *e2 = NULL;
    if (r == 0 && !c->rm)
        record_exit(e, c, status);
    /* The root goes with the process, whatever happened: a failure to
     * clean up is reported (unless the run itself failed first). */
    int rc = 0;
    if (c->rm) {
        rc = engine_container_remove(e, c->id, true, &e2);
        if (rc < 0 && error_code(e2) == ENOENT)
            rc = 0; /* removed by someone else meanwhile */
    } else {
        cleanup_close int cdirfd =
            openat(e->containersfd, c->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
        const struct storage_driver *d = storage_driver_by_name(c->driver);
        if (cdirfd >= 0 && d)
            rc = d->unmount(cdirfd, cdir, &e2);
    }
    if (r < 0)
        return r;
    if (rc < 0) {
        *err = steal_pointer(&e2);
        return error_wrap(err, "container %.12s exited with %d, but", c->id, status);
    }
    *ret_status = status;
    return 0;
}
