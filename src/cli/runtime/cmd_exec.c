/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/commands.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct exec_cli {
    const char *process, *console_socket, *pid_file, *cwd, *user, *apparmor, *label;
    char **env, **caps, **gids;
    int tty, no_new_privs;
    bool detach, ignore_paused;
    unsigned int preserve_fds;
};

static const struct option_def exec_options[] = {
    OPTION_STRING("process", 'p', struct exec_cli, process, "FILE",
                  "the process to run, as a runtime-spec process object (JSON)"),
    OPTION_TRISTATE("tty", 't', struct exec_cli, tty, "give the process a terminal"),
    OPTION_STRING("console-socket", 0, struct exec_cli, console_socket, "PATH",
                  "with --detach: unix socket to send the terminal's master fd to"),
    OPTION_BOOL("detach", 'd', struct exec_cli, detach, "return once the process runs"),
    OPTION_STRING("pid-file", 0, struct exec_cli, pid_file, "FILE",
                  "write the process's pid to FILE"),
    OPTION_STRING("cwd", 0, struct exec_cli, cwd, "DIR", "the working directory in the container"),
    OPTION_STRLIST("env", 'e', struct exec_cli, env, "NAME=VALUE",
                   "set an environment variable (repeatable)"),
    OPTION_STRING("user", 'u', struct exec_cli, user, "UID[:GID]", "run as this user"),
    OPTION_STRLIST("additional-gids", 'g', struct exec_cli, gids, "GID",
                   "add a supplementary group (repeatable, or a comma list)"),
    OPTION_STRLIST("cap", 'c', struct exec_cli, caps, "CAP",
                   "add a capability (repeatable); never to the inheritable set"),
    OPTION_TRISTATE("no-new-privs", 0, struct exec_cli, no_new_privs,
                    "set no_new_privs (=false to clear it)"),
    OPTION_STRING("apparmor", 0, struct exec_cli, apparmor, "PROFILE",
                  "the AppArmor profile of the process"),
    OPTION_STRING("process-label", 0, struct exec_cli, label, "LABEL",
                  "the SELinux label of the process"),
    OPTION_UINT("preserve-fds", 0, struct exec_cli, preserve_fds, "N",
                "pass N more fds (from 3) to the process"),
    OPTION_BOOL("ignore-paused", 0, struct exec_cli, ignore_paused,
                "exec into a paused container (the process stays frozen until resume)"),
    OPTION_END,
};

static int parse_id(const char *s, const char *what, uint32_t *ret, struct error **err)
{
    unsigned long long v;
    if (options_parse_uint(s, UINT32_MAX - 1, &v) < 0)
        return error_new(err, EINVAL, "%s: `%s` is not a numeric id", what, s);
    *ret = (uint32_t) v;
    return 0;
}

/* --user UID[:GID] (numbers, as runc). */
static int parse_user(const char *user, struct container_exec_opts *o, struct error **err)
{
    cleanup_free char *copy = strdup(user);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *colon = strchr(copy, ':');
    if (colon) {
        *colon = '\0';
        if (parse_id(colon + 1, "--user", &o->gid, err) < 0)
            return -EINVAL;
        o->set_gid = true;
    }
    if (parse_id(copy, "--user", &o->uid, err) < 0)
        return -EINVAL;
    o->set_uid = true;
    return 0;
}

static int parse_gids(char **list, uint32_t **ret, size_t *ret_n, struct error **err)
{
    cleanup_free uint32_t *gids = NULL;
    size_t n = 0;
    for (size_t i = 0; list && list[i]; i++) {
        cleanup_free char *copy = strdup(list[i]);
        char *save = NULL;
        if (copy == NULL)
            return error_new(err, ENOMEM, "out of memory");
        for (char *g = strtok_r(copy, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
            if (n >= 65536)
                return error_new(err, E2BIG, "--additional-gids: too many groups");
            uint32_t *ng = realloc(gids, (n + 1) * sizeof(*gids));
            if (ng == NULL)
                return error_new(err, ENOMEM, "out of memory");
            gids = ng;
            if (parse_id(g, "--additional-gids", &gids[n], err) < 0)
                return -EINVAL;
            n++;
        }
    }
    *ret = steal_pointer(&gids);
    *ret_n = n;
    return 0;
}

static int run_exec(const struct global_opts *g, struct exec_cli *c, char *id, char **args,
                    int *ret_status, struct error **err)
{
    struct container_exec_opts o = {
        .args = args,
        .cwd = c->cwd,
        .env = c->env,
        .caps = c->caps,
        .no_new_privs = c->no_new_privs,
        .terminal = c->tty,
        .apparmor_profile = c->apparmor,
        .selinux_label = c->label,
        .console_socket = c->console_socket,
        .pid_file = c->pid_file,
        .detach = c->detach,
        .preserve_fds = c->preserve_fds,
        .ignore_paused = c->ignore_paused,
    };
    cleanup_free uint32_t *gids = NULL;
    cleanup_json json_t *process = NULL;
    int r;
    if (c->user && (r = parse_user(c->user, &o, err)) < 0)
        return r;
    if ((r = parse_gids(c->gids, &gids, &o.n_additional_gids, err)) < 0)
        return r;
    o.additional_gids = gids;
    if (c->process) {
        if ((r = json_load_file_at(AT_FDCWD, c->process, 1 << 20, &process, err)) < 0)
            return error_wrap(err, "--process `%s`", c->process);
        o.process = process;
    }
    struct runtime *rt = NULL;
    if ((r = cli_open_runtime(g, &rt, err)) < 0)
        return r;
    r = container_exec(rt, id, &o, ret_status, err);
    runtime_free(rt);
    return r;
}

int cmd_exec(const struct global_opts *g, int argc, char **argv)
{
    struct exec_cli c = {.tty = -1, .no_new_privs = -1};
    int i, ex;
    if (!cli_parse("cabin-runtime exec [OPTIONS] ID [COMMAND [ARG...]]",
                   "Run one more process in a container: COMMAND with the container's own "
                   "process settings, or the process of --process FILE.  In the foreground, "
                   "exit with its status (128+N for signal N).",
                   exec_options, &c, argc, argv, &i, -1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    cleanup_strv char **env = c.env, **caps = c.caps, **gids = c.gids;
    if (i >= argc) {
        error_new(&err, EINVAL, "exec: expected a container id (usage: cabin-runtime exec "
                                "[OPTIONS] ID [COMMAND [ARG...]])");
        return cli_fail(err);
    }
    int status = 0;
    if (run_exec(g, &c, argv[i], argv + i + 1, &status, &err) < 0)
        return cli_fail(err);
    return status;
}
