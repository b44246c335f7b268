/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netvol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mountplan.h"
#include "engine/sandbox.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#define NETVOL_MAX (4u << 20)

int netvol_save(int cdirfd, const struct net_request *net, const struct mount_request *mounts,
                size_t n_mounts, struct error **err)
{
    cleanup_json json_t *j = json_pack("{s:o, s:o}", "network",
                                       net ? net_request_to_json(net) : json_null(), "mounts",
                                       mount_requests_to_json(mounts, n_mounts));
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return json_write_file_at(cdirfd, NETVOL_FILE, j, JSON_COMPACT, 0600, err);
}

int netvol_load(int cdirfd, struct net_request **ret_net, struct mount_request **ret_mounts,
                size_t *ret_n, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(cdirfd, NETVOL_FILE, NETVOL_MAX, &j, err);
    if (r < 0)
        return r;
    cleanup_net_request struct net_request *net = NULL;
    const json_t *jn = json_object_get(j, "network");
    if (ret_net && jn && !json_is_null(jn) && (r = net_request_from_json(jn, &net, err)) < 0)
        return error_wrap(err, NETVOL_FILE);
    if (ret_mounts) {
        const json_t *jm = json_object_get(j, "mounts");
        struct mount_request *m = NULL;
        size_t n = 0;
        if (jm && (r = mount_requests_from_json(jm, &m, &n, err)) < 0)
            return error_wrap(err, NETVOL_FILE);
        *ret_mounts = m;
        *ret_n = n;
    }
    if (ret_net)
        *ret_net = steal_pointer(&net);
    return 0;
}

static bool names_network(const struct net_request *r, const char *network)
{
    if (r == NULL)
        return strcmp(network, NET_DEFAULT_NAME) == 0;
    if (r->mode != NET_MODE_BRIDGE)
        return false;
    if (r->networks == NULL)
        return strcmp(network, NET_DEFAULT_NAME) == 0;
    for (size_t i = 0; r->networks[i]; i++)
        if (strcmp(r->networks[i], network) == 0)
            return true;
    return false;
}

static bool names_volume(const struct mount_request *m, size_t n, const char *volume)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].kind == MOUNT_VOLUME && m[i].source && strcmp(m[i].source, volume) == 0)
            return true;
    return false;
}

int netvol_users(struct engine *e, const char *network, const char *volume, char ***ret,
                 struct error **err)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return error_errno(err, "reading `%s/containers`", e->root);
    cleanup_strv char **ids = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden: being removed */
        cleanup_close int cdir =
            openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_net_request struct net_request *net = NULL;
        struct mount_request *m = NULL;
        size_t n = 0;
        cleanup_error struct error *e2 = NULL;
        if (cdir < 0)
            continue;
        int r = netvol_load(cdir, network ? &net : NULL, volume ? &m : NULL, &n, &e2);
        if (r < 0 && error_code(e2) != ENOENT) {
            *err = steal_pointer(&e2);
            return error_wrap(err, "container %.12s", de->d_name);
        }
        /* A container without a record of ours asked for nothing: it
         * runs on the default network, as docker's do. */
        bool uses = (network && names_network(r == 0 ? net : NULL, network)) ||
                    (volume && r == 0 && names_volume(m, n, volume));
        mount_requests_free(m, n);
        if (uses && strv_push(&ids, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&ids);
    return 0;
}

/* ---- the container's life ------------------------------------------------------- */

/* linux.namespaces' network entry: a path to join, or none at all (the
 * host's).  `path` NULL with `keep` leaves a new namespace. */
static int set_netns(json_t *spec, const char *path, bool keep, struct error **err)
{
    json_t *nss = json_object_get(json_object_get(spec, "linux"), "namespaces");
    if (!json_is_array(nss))
        return error_new(err, EINVAL, "config.json: no linux.namespaces");
    for (size_t i = json_array_size(nss); i-- > 0;) {
        json_t *ns = json_array_get(nss, i);
        const char *type = json_string_value(json_object_get(ns, "type"));
        if (type == NULL || strcmp(type, "network") != 0)
            continue;
        json_array_remove(nss, i);
    }
    if (!keep)
        return 0;
    json_t *ns = json_pack("{s:s}", "type", "network");
    if (ns && path)
        json_object_set_new(ns, "path", json_string(path));
    if (ns == NULL || json_array_append_new(nss, ns) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int netvol_create(struct engine *e, const char *id, int cdirfd, int rootfd,
                  const struct image_config *img, const struct net_request *net,
                  const struct mount_request *mounts, size_t n_mounts, json_t *spec,
                  struct error **err)
{
    struct mountplan plan = {0};
    int r = mountplan_prepare(e, rootfd, img, mounts, n_mounts, &plan, err);
    if (r < 0)
        return r;
    r = mountplan_apply(e, plan.mounts, plan.n, spec, err);
    enum net_mode mode = net ? net->mode : NET_MODE_BRIDGE;
    cleanup_free char *ns = sandbox_netns_path(e, id);
    if (r == 0 && ns == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    /* The namespace is made at start, where the path says; container mode
     * learns its path then. */
    if (r == 0)
        r = set_netns(spec, mode == NET_MODE_CONTAINER ? NULL : ns, mode != NET_MODE_HOST, err);
    if (r == 0)
        r = netvol_save(cdirfd, net, plan.mounts, plan.n, err);
    if (r < 0) {
        /* the volumes this container alone made go with it */
        cleanup_error struct error *e2 = NULL;
        size_t n = plan.n;
        struct mount_request *m = steal_pointer(&plan.mounts);
        plan.n = 0;
        mountplan_release(&plan);
        netvol_removed(e, m, n, true, &e2);
        mount_requests_free(m, n);
        return r;
    }
    mountplan_release(&plan);
    return 0;
}

int netvol_start(struct engine *e, const char *id, const char *name, int cdirfd,
                 const struct image_config *img, struct sandbox **ret, struct error **err)
{
    cleanup_net_request struct net_request *net = NULL;
    int r = netvol_load(cdirfd, &net, NULL, NULL, err);
    if (r < 0 && error_code(*err) != ENOENT)
        return r;
    /* What crashed cabins left goes first (their IPs and ports too). */
    sandbox_sweep(e);
    struct net_request none = {.mode = NET_MODE_BRIDGE};
    struct sandbox_params p = {.id = id, .name = name, .req = net ? net : &none, .image = img};
    cleanup_sandbox struct sandbox *s = NULL;
    if ((r = sandbox_setup(e, &p, &s, err)) < 0)
        return r;
    cleanup_json json_t *spec = NULL;
    r = json_load_file_at(cdirfd, "config.json", 16u << 20, &spec, err);
    if (r == 0)
        r = set_netns(spec, s->netns, s->netns != NULL, err);
    if (r == 0)
        r = json_write_file_at(cdirfd, "config.json", spec, JSON_INDENT(1), 0600, err);
    if (r < 0) {
        cleanup_error struct error *e2 = NULL;
        sandbox_teardown(e, id, &e2);
        return error_wrap(err, "container %.12s", id);
    }
    if (ret)
        *ret = steal_pointer(&s);
    return 0;
}

int netvol_stop(struct engine *e, const char *id, struct error **err)
{
    return sandbox_teardown(e, id, err);
}

int netvol_removed(struct engine *e, const struct mount_request *mounts, size_t n_mounts,
                   bool volumes, struct error **err)
{
    return volumes ? mountplan_remove_anonymous(e, mounts, n_mounts, err) : 0;
}
