/* SPDX-License-Identifier: Apache-2.0 */
/* Removing networks and volumes no container uses (netvol.h): `network rm`,
 * `network prune`, `volume prune` and `system prune`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "engine/netvol.h"
#include "engine/network.h"
#include "engine/sandbox.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/strv.h"

int netvol_unused(struct engine *e, const char *network, const char *volume,
                  struct error **err)
{
    cleanup_strv char **users = NULL;
    int r = netvol_users(e, network, volume, &users, err);
    if (r < 0 || users == NULL)
        return r;
    char list[200] = "";
    for (size_t k = 0; users[k] && strlen(list) < 150; k++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%.12s", k ? ", " : "",
                 users[k]);
    return error_new(err, EBUSY, "%s `%s` is in use by container%s %s (remove %s first)",
                     network ? "network" : "volume", network ? network : volume,
                     users[1] ? "s" : "", list, users[1] ? "them" : "it");
}

int netvol_network_remove(struct engine *e, const struct network *n, struct error **err)
{
    int r = netvol_unused(e, n->name, NULL, err);
    return r < 0 ? r : network_remove(e, n, err);
}

int netvol_prune_networks(struct engine *e, char ***ret_removed, struct error **err)
{
    struct network **all = NULL;
    cleanup_close int lock = -1;
    sandbox_sweep(e);
    int r = network_list(e, &all, NULL, err);
    if (r == 0)
        r = network_lock(e, LOCK_EX, &lock, err);
    cleanup_strv char **removed = NULL;
    for (size_t k = 0; r == 0 && all[k]; k++) {
        if (strcmp(all[k]->name, NET_DEFAULT_NAME) == 0)
            continue;
        cleanup_error struct error *e2 = NULL;
        int rr = netvol_network_remove(e, all[k], &e2);
        if (rr == 0 && strv_push(&removed, all[k]->name) < 0)
            r = error_new(err, ENOMEM, "out of memory");
        else if (rr < 0 && error_code(e2) != EBUSY)
            r = (*err = steal_pointer(&e2), rr);
    }
    network_list_free(all);
    *ret_removed = steal_pointer(&removed);
    return r;
}

int netvol_prune_volumes(struct engine *e, bool all, char *const *labels, char ***ret_removed,
                         uint64_t *ret_bytes, struct error **err)
{
    struct volume **vols = NULL;
    int r = volume_list(e, &vols, err);
    if (r < 0)
        return r;
    cleanup_strv char **removed = NULL;
    uint64_t total = 0;
    for (size_t k = 0; r == 0 && vols[k]; k++) {
        const struct volume *v = vols[k];
        bool want = all || v->anonymous;
        for (size_t f = 0; want && labels && labels[f]; f++)
            want = volume_has_label(v, labels[f]);
        uint64_t bytes = 0;
        cleanup_error struct error *e2 = NULL;
        if (!want || volume_usage(e, v, &bytes, &e2) < 0)
            continue;
        if (volume_remove(e, v->name, &e2) < 0) {
            if (error_code(e2) != EBUSY && error_code(e2) != ENOENT)
                r = (*err = steal_pointer(&e2), -error_code(*err));
            continue; /* in use, or removed meanwhile */
        }
        if (strv_push(&removed, v->name) < 0)
            r = error_new(err, ENOMEM, "out of memory");
        total += bytes;
    }
    volume_list_free(vols);
    *ret_removed = steal_pointer(&removed);
    *ret_bytes = total;
    return r;
}
