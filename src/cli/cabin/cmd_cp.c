/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/cp.h"
#include "util/cleanup.h"

struct cp_cli {
    bool archive, follow;
};

static const struct option_def cp_options[] = {
    OPTION_BOOL("archive", 'a', struct cp_cli, archive, "keep owners (uid and gid)"),
    OPTION_BOOL("follow-link", 'L', struct cp_cli, follow, "follow a symlink given as SRC_PATH"),
    OPTION_END,
};

/* "CONTAINER:PATH" (not a local path with a colon: one that starts with
 * / or . or has a / before its colon). */
static char *container_part(const char *arg, const char **ret_path)
{
    const char *colon = strchr(arg, ':');
    if (colon == NULL || colon == arg || arg[0] == '/' || arg[0] == '.' ||
        memchr(arg, '/', (size_t) (colon - arg)))
        return NULL;
    *ret_path = *(colon + 1) ? colon + 1 : "/";
    return strndup(arg, (size_t) (colon - arg));
}

int cmd_cp(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct cp_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                     "       cabin cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                     "Copy files between a container and the host (\"-\": a tar stream on stdin "
                     "or stdout).  A symlink in the container is resolved inside it, never to a "
                     "host file.",
                     cp_options, &c, argc, argv, 0, 2, 2, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    const char *spath = NULL, *dpath = NULL;
    cleanup_free char *sname = container_part(argv[i], &spath);
    cleanup_free char *dname = container_part(argv[i + 1], &dpath);
    if ((sname == NULL) == (dname == NULL)) {
        error_new(&err, EINVAL, "cp: exactly one of the paths must be CONTAINER:PATH");
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    cleanup_container struct engine_container *ctr = NULL;
    int r = cabin_container(ctx, sname ? sname : dname, &e, &ctr, &err);
    struct cp_opts o = {.archive = c.archive, .follow = c.follow,
                        .stream_fd = sname ? STDOUT_FILENO : STDIN_FILENO};
    if (r == 0)
        r = sname ? engine_cp_out(e, ctr, spath, argv[i + 1], &o, &err)
                  : engine_cp_in(e, ctr, argv[i], dpath, &o, &err);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
