/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/mountplan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

void mountplan_release(struct mountplan *p)
{
    for (size_t i = 0; i < p->n_locks; i++)
        close_keep_errno(p->locks[i]);
    free(p->locks);
    mount_requests_free(p->mounts, p->n);
    memset(p, 0, sizeof(*p));
}

static int copy_request(const struct mount_request *in, struct mount_request *out)
{
    *out = (struct mount_request) {.kind = in->kind, .readonly = in->readonly,
                                   .create_source = in->create_source,
                                   .nonrecursive = in->nonrecursive, .nocopy = in->nocopy,
                                   .tmpfs_size = in->tmpfs_size, .tmpfs_mode = in->tmpfs_mode,
                                   .has_mode = in->has_mode};
    if ((in->source && (out->source = strdup(in->source)) == NULL) ||
        (out->target = strdup(in->target)) == NULL ||
        (in->propagation && (out->propagation = strdup(in->propagation)) == NULL))
        return -ENOMEM;
    for (size_t i = 0; in->labels && in->labels[i]; i++)
        if (strv_push(&out->labels, in->labels[i]) < 0)
            return -ENOMEM;
    for (size_t i = 0; in->tmpfs_opts && in->tmpfs_opts[i]; i++)
        if (strv_push(&out->tmpfs_opts, in->tmpfs_opts[i]) < 0)
            return -ENOMEM;
    return 0;
}

/* The requests, then an anonymous volume for each VOLUME of the image on
 * a path no request takes. */
static int with_image_volumes(const struct mount_request *reqs, size_t n,
                              const struct image_config *img, struct mount_request **ret,
                              size_t *ret_n, struct error **err)
{
    const json_t *vols = img && img->json
                             ? json_object_get(json_object_get(img->json, "config"), "Volumes")
                             : NULL;
    size_t cap = n + json_object_size(vols), k = 0;
    if (cap > MOUNT_MAX_REQUESTS)
        return error_new(err, E2BIG, "more than %d mounts", MOUNT_MAX_REQUESTS);
    struct mount_request *v = calloc(cap + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (; k < n; k++)
        if (copy_request(&reqs[k], &v[k]) < 0) {
            mount_requests_free(v, k + 1);
            return error_new(err, ENOMEM, "out of memory");
        }
    const char *path;
    json_t *val;
    json_object_foreach((json_t *) vols, path, val)
    {
        cleanup_free char *t = *path == '/' ? fs_path_clean(path) : NULL;
        bool taken = t == NULL || strcmp(t, "/") == 0;
        for (size_t i = 0; !taken && i < k; i++)
            taken = strcmp(v[i].target, t) == 0;
        if (taken)
            continue; /* given by the user, or not a usable path */
        v[k].kind = MOUNT_VOLUME;
        v[k++].target = steal_pointer(&t);
    }
    *ret = v;
    *ret_n = k;
    return 0;
}

static int bind_source(const struct mount_request *m, struct error **err)
{
    struct stat st;
    if (stat(m->source, &st) == 0)
        return 0;
    if (errno != ENOENT || !m->create_source)
        return errno == ENOENT
                   ? error_new(err, ENOENT, "--mount: bind source path does not exist: %s",
                               m->source)
                   : error_errno(err, "bind source `%s`", m->source);
    /* docker makes a missing host folder for -v */
    int r = fs_mkdir_p(m->source, 0755, err);
    return r < 0 ? error_wrap(err, "-v %s:%s", m->source, m->target) : 0;
}

/* Make (or find) the volume, lock it, fill it from the image. */
static int prepare_volume(struct engine *e, int rootfd, struct mount_request *m,
                          struct mountplan *p, char ***made, struct error **err)
{
    cleanup_volume struct volume *v = NULL;
    bool fresh = false;
    int r = m->source ? volume_ensure(e, m->source, m->labels, false, &v, &fresh, err)
                      : volume_new_anonymous(e, &v, err);
    if (r < 0)
        return r;
    if ((fresh || !m->source) && strv_push(made, v->name) < 0)
        return error_new(err, ENOMEM, "out of memory");
    if (m->source == NULL && (m->source = strdup(v->name)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int lock;
    if ((r = volume_lock(e, v->name, LOCK_EX, &lock, err)) < 0)
        return r;
    p->locks[p->n_locks++] = lock;
    /* Read again under the lock: another container may have filled it. */
    volume_free(steal_pointer(&v));
    if ((r = volume_load(e, m->source, &v, err)) < 0 || v->populated || m->nocopy)
        return r;
    cleanup_close int src = -1;
    cleanup_error struct error *e2 = NULL;
    r = fs_open_in_root(rootfd, m->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &e2);
    if (r >= 0)
        src = r;
    char what[300];
    snprintf(what, sizeof(what), "the image's `%s`", m->target);
    /* Nothing there in the image: nothing to fill it with. */
    return volume_populate(e, v, src, what, err);
}

int mountplan_prepare(struct engine *e, int rootfd, const struct image_config *img,
                      const struct mount_request *reqs, size_t n, struct mountplan *ret,
                      struct error **err)
{
    struct mountplan p = {0};
    cleanup_strv char **made = NULL;
    int r = with_image_volumes(reqs, n, img, &p.mounts, &p.n, err);
    if (r < 0)
        return r;
    if ((p.locks = calloc(p.n + 1, sizeof(*p.locks))) == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; r == 0 && i < p.n; i++) {
        struct mount_request *m = &p.mounts[i];
        if (m->kind == MOUNT_BIND)
            r = bind_source(m, err);
        else if (m->kind == MOUNT_VOLUME)
            r = prepare_volume(e, rootfd, m, &p, &made, err);
    }
    if (r < 0) {
        struct mountplan none = {.locks = p.locks, .n_locks = p.n_locks};
        p.locks = NULL;
        p.n_locks = 0;
        mountplan_release(&none); /* unlock before removing */
        for (size_t i = 0; made && made[i]; i++) {
            cleanup_error struct error *e2 = NULL;
            volume_remove(e, made[i], &e2);
        }
        mountplan_release(&p);
        return r;
    }
    *ret = p;
    return 0;
}

/* ---- the bundle --------------------------------------------------------------- */

static bool has_opt(char *const *opts, const char *o)
{
    for (size_t i = 0; opts && opts[i]; i++)
        if (strcmp(opts[i], o) == 0)
            return true;
    return false;
}

static json_t *tmpfs_options(const struct mount_request *m)
{
    cleanup_strv char **o = NULL;
    const char *defaults[][2] = {{"noexec", "exec"}, {"nosuid", "suid"}, {"nodev", "dev"}};
    int r = 0;
    for (size_t i = 0; i < 3; i++)
        if (!has_opt(m->tmpfs_opts, defaults[i][1]) && !has_opt(m->tmpfs_opts, defaults[i][0]))
            r |= strv_push(&o, defaults[i][0]);
    for (size_t i = 0; m->tmpfs_opts && m->tmpfs_opts[i]; i++)
        r |= strv_push(&o, m->tmpfs_opts[i]);
    char buf[48];
    if (m->tmpfs_size) {
        snprintf(buf, sizeof(buf), "size=%llu", (unsigned long long) m->tmpfs_size);
        r |= strv_push(&o, buf);
    }
    if (m->has_mode) {
        snprintf(buf, sizeof(buf), "mode=%o", (unsigned) m->tmpfs_mode);
        r |= strv_push(&o, buf);
    }
    r |= strv_push(&o, m->readonly ? "ro" : "rw");
    return r < 0 ? NULL : json_strv(o);
}

static char *source_of(struct engine *e, const struct mount_request *m)
{
    char *p = NULL;
    if (m->kind == MOUNT_VOLUME)
        return asprintf(&p, "%s/" VOLUME_DIR "/%s/_data", e->root, m->source) < 0 ? NULL : p;
    return strdup(m->kind == MOUNT_BIND ? m->source : "tmpfs");
}

static json_t *oci_mount(struct engine *e, const struct mount_request *m)
{
    cleanup_free char *src = source_of(e, m);
    if (src == NULL)
        return NULL;
    if (m->kind == MOUNT_TMPFS) {
        json_t *opts = tmpfs_options(m);
        return opts ? json_pack("{s:s, s:s, s:s, s:o}", "destination", m->target, "type",
                                "tmpfs", "source", "tmpfs", "options", opts)
                    : NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination", m->target, "type", "bind",
                     "source", src, "options", m->nonrecursive ? "bind" : "rbind",
                     m->readonly ? "ro" : "rw", m->propagation ? m->propagation : "rprivate");
}

static size_t depth(const char *path)
{
    size_t n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

int mountplan_apply(struct engine *e, const struct mount_request *m, size_t n, json_t *spec,
                    struct error **err)
{
    json_t *mounts = json_object_get(spec, "mounts");
    if (!json_is_array(mounts)) {
        mounts = json_array();
        json_object_set_new(spec, "mounts", mounts);
    }
    /* A default mount on a path the user mounts gives way. */
    for (size_t i = json_array_size(mounts); i-- > 0;) {
        cleanup_free char *d = fs_path_clean(
            json_string_value(json_object_get(json_array_get(mounts, i), "destination"))
                ?: "");
        for (size_t k = 0; d && k < n; k++)
            if (strcmp(d, m[k].target) == 0) {
                json_array_remove(mounts, i);
                break;
            }
    }
    /* Parents first: by depth, in the order given otherwise. */
    size_t max = 0;
    for (size_t k = 0; k < n; k++)
        max = depth(m[k].target) > max ? depth(m[k].target) : max;
    for (size_t level = 1; level <= max; level++)
        for (size_t k = 0; k < n; k++) {
            if (depth(m[k].target) != level)
                continue;
            json_t *o = oci_mount(e, &m[k]);
            if (o == NULL)
                return error_new(err, ENOMEM, "out of memory");
            json_array_append_new(mounts, o);
        }
    return 0;
}

int mountplan_remove_anonymous(struct engine *e, const struct mount_request *m, size_t n,
                               struct error **err)
{
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].kind != MOUNT_VOLUME || m[i].source == NULL)
            continue;
        cleanup_volume struct volume *v = NULL;
        cleanup_error struct error *e2 = NULL;
        int r = volume_load(e, m[i].source, &v, &e2);
        if (r == 0 && v->anonymous)
            r = volume_remove(e, m[i].source, &e2);
        if (r < 0 && error_code(e2) != ENOENT && first == 0) {
            first = r;
            *err = steal_pointer(&e2);
        }
    }
    return first;
}

json_t *mountplan_inspect(struct engine *e, const struct mount_request *m, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *src = m[i].kind == MOUNT_TMPFS ? strdup("") : source_of(e, &m[i]);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type",
                              mount_kind_name(m[i].kind), "Source", src ? src : "",
                              "Destination", m[i].target, "Mode", "", "RW", !m[i].readonly,
                              "Propagation",
                              m[i].kind == MOUNT_BIND
                                  ? (m[i].propagation ? m[i].propagation : "rprivate")
                                  : "");
        if (o && m[i].kind == MOUNT_VOLUME) {
            json_object_set_new(o, "Name", json_string(m[i].source ? m[i].source : ""));
            json_object_set_new(o, "Driver", json_string("local"));
        }
        json_array_append_new(a, o);
    }
    return a;
}
