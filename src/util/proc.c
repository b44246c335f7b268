/* SPDX-License-Identifier: Apache-2.0 */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

extern char **environ;

struct buf {
    char *data;
    size_t len, cap, max;
    bool cut;
};

static int buf_add(struct buf *b, const char *p, size_t n)
{
    if (b->len + n > b->max) {
        b->cut = true;
        n = b->max - b->len;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -ENOMEM;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed `in` to stdin while reading stdout and stderr, until both close or
 * the deadline (0: none) passes. */
static int pump(int fds[3], const char *in, struct buf *out, struct buf *errb, long long deadline)
{
    size_t in_len = in ? strlen(in) : 0, in_off = 0;
    if (in_len == 0) {
        close(fds[0]);
        fds[0] = -1;
    }
    while (fds[1] >= 0 || fds[2] >= 0) {
        struct pollfd p[3] = {{fds[0], POLLOUT, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};
        long long left = deadline ? deadline - now_ms() : 1000;
        if (left <= 0)
            return -ETIMEDOUT;
        int n = poll(p, 3, (int) (left > 1000 ? 1000 : left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (fds[0] >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(fds[0], in + in_off, in_len - in_off);
            if (w > 0)
                in_off += (size_t) w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == in_len) {
                close(fds[0]);
                fds[0] = -1;
            }
        }
        for (int k = 1; k < 3; k++) {
            if (fds[k] < 0 || !(p[k].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            char chunk[8192];
            ssize_t r = read(fds[k], chunk, sizeof(chunk));
            if (r > 0 && buf_add(k == 1 ? out : errb, chunk, (size_t) r) < 0)
                return -ENOMEM;
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[k]);
                fds[k] = -1;
            }
        }
    }
    return 0;
}

static void close_pipes(int p[3][2])
{
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++)
            close_keep_errno(p[i][k]);
}

static int spawn(char *const *argv, const struct proc_opts *o, int fds[3], pid_t *ret,
                 struct error **err)
{
    int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    for (int i = 0; i < 3; i++)
        if (pipe2(p[i], O_CLOEXEC) < 0) {
            int e = errno;
            close_pipes(p);
            return error_errnum(err, e, "running `%s`: pipes", argv[0]);
        }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
    posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *const *env = o->env ? o->env : environ;
    int rc = o->search_path ? posix_spawnp(ret, argv[0], &fa, &attr, argv, env)
                            : posix_spawn(ret, argv[0], &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    fds[0] = steal_fd(&p[0][1]);
    fds[1] = steal_fd(&p[1][0]);
    fds[2] = steal_fd(&p[2][0]);
    close_pipes(p);
    if (rc != 0) {
        for (int i = 0; i < 3; i++)
            close_keep_errno(fds[i]);
        return error_errnum(err, rc, "running `%s`", argv[0]);
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    return 0;
}

int proc_run(char *const *argv, const struct proc_opts *o, struct proc_output *ret,
             struct error **err)
{
    int fds[3];
    pid_t pid;
    int r = spawn(argv, o, fds, &pid, err);
    if (r < 0)
        return r;
    struct buf out = {.max = o->out_max ? o->out_max : 1u << 20};
    struct buf errb = {.max = o->err_max ? o->err_max : 4096};
    long long t0 = now_ms();
    int pr = pump(fds, o->input, &out, &errb, o->timeout_s ? t0 + o->timeout_s * 1000LL : 0);
    for (int k = 0; k < 3; k++)
        close_keep_errno(fds[k]);
    if (pr < 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (pr < 0 && pr != -ETIMEDOUT) {
        free(out.data);
        free(errb.data);
        return error_errnum(err, -pr, "running `%s`", argv[0]);
    }
    *ret = (struct proc_output) {.out = out.data, .err = errb.data, .out_len = out.len,
                                 .err_len = errb.len, .out_cut = out.cut,
                                 .timed_out = pr == -ETIMEDOUT, .status = status,
                                 .ms = now_ms() - t0};
    return 0;
}

void proc_output_release(struct proc_output *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

const char *proc_last_line(const char *text, int *ret_len)
{
    if (text == NULL) {
        *ret_len = 0;
        return "";
    }
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\r'))
        n--;
    const char *line = text;
    for (size_t i = 0; i + 1 < n; i++)
        if (text[i] == '\n')
            line = text + i + 1;
    *ret_len = (int) (n - (size_t) (line - text));
    return line;
}
