/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netvol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

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
