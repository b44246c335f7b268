/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

static const char *const kinds[] = {"prestart",       "createRuntime", "createContainer",
                                    "startContainer", "poststart",     "poststop"};

int hooks_validate(const json_t *hooks, struct error **err)
{
    const char *kind;
    json_t *list;
    json_object_foreach((json_t *) hooks, kind, list)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            known = known || strcmp(kinds[i], kind) == 0;
        if (!known)
            return error_new(err, EINVAL, "hooks.%s: unknown kind of hook", kind);
        char where[64];
        snprintf(where, sizeof(where), "hooks.%s", kind);
        int r = json_expect(list, JSON_ARRAY, where, err);
        if (r < 0)
            return r;
        for (size_t i = 0; i < json_array_size(list); i++) {
            char w[96];
            snprintf(w, sizeof(w), "hooks.%s[%zu]", kind, i);
            json_t *h = json_array_get(list, i);
            const char *path = NULL;
            cleanup_strv char **args = NULL, **env = NULL;
            int64_t timeout = 0;
            if ((r = json_expect(h, JSON_OBJECT, w, err)) < 0 ||
                (r = json_get_string(h, "path", w, true, &path, err)) < 0 ||
                (r = json_get_strv(h, "args", w, false, &args, err)) < 0 ||
                (r = json_get_strv(h, "env", w, false, &env, err)) < 0 ||
                (r = json_get_int64(h, "timeout", w, false, &timeout, err)) < 0)
                return r;
            if (path[0] != '/')
                return error_new(err, EINVAL, "%s.path: `%s` must be absolute", w, path);
            if (json_object_get(h, "timeout") && timeout <= 0)
                return error_new(err, EINVAL, "%s.timeout: must be positive", w);
        }
    }
    return 0;
}

bool hooks_has(const json_t *hooks, const char *kind)
{
    return hooks && json_array_size(json_object_get(hooks, kind)) > 0;
}

static int wait_hook(pid_t pid, int64_t timeout, int *ret_status)
{
    int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0 && timeout > 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        int r;
        /* A day at a time: poll's int milliseconds hold about 24 days,
         * and timeout * 1000 may not even fit an int64. */
        int64_t left = timeout;
        do {
            int64_t s = left < 86400 ? left : 86400;
            r = poll(&p, 1, (int) (s * 1000));
            if (r == 0)
                left -= s;
        } while ((r < 0 && errno == EINTR) || (r == 0 && left > 0));
        if (r == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            close(pfd);
            return -ETIMEDOUT;
        }
    }
    close_keep_errno(pfd);
    while (waitpid(pid, ret_status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

static int run_one(const json_t *h, const char *where, const char *state, struct error **err)
{
    const char *path = json_string_value(json_object_get(h, "path"));
    cleanup_strv char **args = NULL, **env = NULL;
    int64_t timeout = 0;
    json_get_strv(h, "args", where, false, &args, NULL);
    json_get_strv(h, "env", where, false, &env, NULL);
    json_get_int64(h, "timeout", where, false, &timeout, NULL);
    char *default_args[] = {(char *) path, NULL};
    char *no_env[] = {NULL};

    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return error_errno(err, "%s: making its stdin", where);
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return error_errno(err, "%s: forking `%s`", where, path);
    }
    if (pid == 0) {
        dup2(pipefd[0], STDIN_FILENO);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, args && args[0] ? args : default_args, env ? env : no_env);
        _exit(127);
    }
    close(pipefd[0]);
    /* A hook that does not read its stdin must not hang us: SIGPIPE off. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    size_t len = strlen(state);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(pipefd[1], state + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t) w;
    }
    close(pipefd[1]);
    sigaction(SIGPIPE, &old, NULL);
    int status = 0;
    int r = wait_hook(pid, timeout, &status);
    if (r == -ETIMEDOUT)
        return error_new(err, ETIMEDOUT, "%s: `%s` did not finish within its timeout of %llds",
                         where, path, (long long) timeout);
    if (r < 0)
        return error_errnum(err, -r, "%s: waiting for `%s`", where, path);
    if (WIFSIGNALED(status))
        return error_new(err, ECANCELED, "%s: `%s` was killed by signal %d", where, path,
                         WTERMSIG(status));
    if (WEXITSTATUS(status) == 127)
        return error_new(err, ENOENT, "%s: `%s` could not be run (exit status 127)", where,
                         path);
    if (WEXITSTATUS(status) != 0)
        return error_new(err, ECANCELED, "%s: `%s` failed with exit status %d", where, path,
                         WEXITSTATUS(status));
    return 0;
}

int hooks_run(const json_t *hooks, const char *kind, const json_t *state, struct error **err)
{
    json_t *list = hooks ? json_object_get(hooks, kind) : NULL;
    if (!json_is_array(list) || json_array_size(list) == 0)
        return 0;
    cleanup_free char *s = json_dumps(state, JSON_COMPACT);
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(list); i++) {
        char where[64];
        snprintf(where, sizeof(where), "hooks.%s[%zu]", kind, i);
        int r = run_one(json_array_get(list, i), where, s, err);
        if (r < 0)
            return r;
    }
    return 0;
}
