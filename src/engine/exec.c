/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/flags.h"
#include "engine/user.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* -e KEY takes our value (or nothing), as docker's. */
static int env_list(const struct engine_exec_opts *o, char ***ret, struct error **err)
{
    cleanup_strv char **lines = NULL;
    for (size_t i = 0; o->env_files && o->env_files[i]; i++) {
        int r = flags_read_kv_file("--env-file", o->env_files[i], &lines, err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; o->env && o->env[i]; i++)
        if (strv_push(&lines, o->env[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    cleanup_strv char **out = NULL;
    for (size_t i = 0; lines && lines[i]; i++) {
        const char *l = lines[i];
        if (*l == '=' || *l == '\0')
            return error_new(err, EINVAL, "-e `%s`: expected KEY=VALUE", l);
        cleanup_free char *kv = NULL;
        if (strchr(l, '=') == NULL) {
            const char *v = getenv(l);
            if (v == NULL || asprintf(&kv, "%s=%s", l, v) < 0)
                continue;
        }
        if (strv_push(&out, kv ? kv : l) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&out);
    return 0;
}

int engine_container_exec(struct engine *e, const struct engine_container *c,
                          const struct engine_exec_opts *o, int *ret_status,
                          bool *ret_exec_failed, struct error **err)
{
    *ret_exec_failed = false;
    if (o->detach && o->tty)
        return error_new(err, ENOTSUP, "exec -d -t: a detached process's terminal would have "
                                       "nobody at its other end; use -d, or -t in the "
                                       "foreground");
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (st.status != ENGINE_RUNNING || st.pid <= 0)
        return error_new(err, EINVAL, "container %.12s is not running", c->id);
    struct container_exec_opts x = {.args = o->args, .cwd = o->workdir, .terminal = o->tty,
                                    .no_new_privs = -1, .detach = o->detach};
    cleanup_strv char **env = NULL;
    int r = env_list(o, &env, err);
    if (r < 0)
        return r;
    x.env = env;
    struct resolved_user u;
    uint32_t gids[USER_MAX_GROUPS];
    if (o->user) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", (int) st.pid);
        cleanup_close int rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
            return error_errno(err, "opening the root of container %.12s", c->id);
        if ((r = user_resolve(rootfd, o->user, &u, err)) < 0)
            return error_wrap(err, "-u `%s`", o->user);
        x.set_uid = x.set_gid = true;
        x.uid = u.uid;
        x.gid = u.gid;
        for (size_t i = 0; i < u.n_groups; i++)
            gids[i] = u.groups[i];
        x.additional_gids = gids;
        x.n_additional_gids = u.n_groups;
    }
    cleanup_strv char **caps = NULL;
    for (int cap = 0; o->privileged && cap <= flags_cap_last() && cap < FLAGS_CAP_ALL; cap++)
        if (flags_cap_name(cap) && strv_push(&caps, flags_cap_name(cap)) < 0)
            return error_new(err, ENOMEM, "out of memory");
    x.caps = caps;
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) < 0)
        return r;
    /* Without -i the process reads nothing (docker gives it no stdin). */
    int saved = -1;
    if (!o->interactive && !o->tty) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        saved = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        close_keep_errno(null);
    }
    int status = 0;
    r = container_exec(rt, c->id, &x, &status, err);
    if (saved >= 0) {
        dup2(saved, STDIN_FILENO);
        close(saved);
    }
    if (r < 0) {
        *ret_exec_failed = true;
        return r;
    }
    *ret_status = status;
    return 0;
}
