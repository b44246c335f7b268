/* SPDX-License-Identifier: Apache-2.0 */
/* The lifecycle commands that work through the container's cgroup: pause,
 * resume, ps, update and the stats of `events`. */
#include <errno.h>
#include <stdlib.h>
#include <sys/file.h>

#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "util/cleanup.h"

/* The container's cgroup, if it is alive (any status in `allowed`). */
static int open_cgroup(struct runtime *rt, const char *id, int lock, unsigned allowed,
                       const char *verb, struct cgroup **ret, enum container_status *ret_status,
                       struct error **err)
{
    cleanup_close int dirfd = -1;
    cleanup_state struct container_state *st = NULL;
    enum container_status status;
    int r = container_read_state(rt, id, lock, &dirfd, &st, &status, err);
    if (r < 0)
        return r;
    if (!(allowed & (1u << status)))
        return error_new(err, EINVAL, "cannot %s container `%s`: it is %s", verb, id,
                         state_status_name(status));
    if (st->cgroup == NULL)
        return error_new(err, ENOTSUP, "cannot %s container `%s`: it has no cgroup", verb, id);
    if (ret_status)
        *ret_status = status;
    return cgroup_from_json(st->cgroup, ret, err);
}

#define ALIVE ((1u << STATUS_CREATED) | (1u << STATUS_RUNNING) | (1u << STATUS_PAUSED))

int container_pause(struct runtime *rt, const char *id, struct error **err)
{
    struct cgroup *cg = NULL;
    int r = open_cgroup(rt, id, LOCK_EX, 1u << STATUS_RUNNING, "pause", &cg, NULL, err);
    if (r == 0)
        r = cgroup_freeze(cg, true, err);
    cgroup_free(cg);
    return r < 0 ? error_wrap(err, "pausing container `%s`", id) : 0;
}

int container_resume(struct runtime *rt, const char *id, struct error **err)
{
    struct cgroup *cg = NULL;
    int r = open_cgroup(rt, id, LOCK_EX, 1u << STATUS_PAUSED, "resume", &cg, NULL, err);
    if (r == 0)
        r = cgroup_freeze(cg, false, err);
    cgroup_free(cg);
    return r < 0 ? error_wrap(err, "resuming container `%s`", id) : 0;
}

int container_pids(struct runtime *rt, const char *id, pid_t **ret, size_t *ret_n,
                   struct error **err)
{
    struct cgroup *cg = NULL;
    int r = open_cgroup(rt, id, LOCK_SH, ALIVE, "list the processes of", &cg, NULL, err);
    if (r == 0)
        r = cgroup_procs(cg, ret, ret_n, err);
    cgroup_free(cg);
    return r;
}

int container_update(struct runtime *rt, const char *id, const json_t *resources,
                     struct error **err)
{
    struct cgroup *cg = NULL;
    struct cgroup_resources *res = NULL;
    int r = cgroup_resources_parse(resources, "resources", &res, err);
    if (r == 0)
        r = open_cgroup(rt, id, LOCK_EX, ALIVE, "update", &cg, NULL, err);
    if (r == 0)
        r = cgroup_apply(cg, res, err);
    cgroup_free(cg);
    cgroup_resources_free(res);
    return r < 0 ? error_wrap(err, "updating container `%s`", id) : 0;
}

int container_stats(struct runtime *rt, const char *id, json_t **ret, long long *ret_oom_kills,
                    struct error **err)
{
    struct cgroup *cg = NULL;
    int r = open_cgroup(rt, id, LOCK_SH, ALIVE, "read the stats of", &cg, NULL, err);
    if (r == 0)
        r = cgroup_stats(cg, ret, err);
    if (r == 0 && ret_oom_kills)
        *ret_oom_kills = cgroup_oom_kills(cg);
    cgroup_free(cg);
    return r;
}

int container_oom_file(struct runtime *rt, const char *id, char **ret, struct error **err)
{
    struct cgroup *cg = NULL;
    int r = open_cgroup(rt, id, LOCK_SH, ALIVE, "watch the memory of", &cg, NULL, err);
    char *p = r == 0 ? cgroup_oom_file(cg) : NULL;
    cgroup_free(cg);
    if (r < 0)
        return r;
    if (p == NULL)
        return error_new(err, ENOTSUP, "container `%s` has no memory cgroup", id);
    *ret = p;
    return 0;
}
