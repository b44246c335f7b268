/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/attach.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "monitor/protocol.h"
#include "runtime/container.h"
#include "util/cleanup.h"
#include "util/fs.h"

int attach_parse_keys(const char *s, unsigned char *ret, size_t *ret_n, struct error **err)
{
    size_t n = 0;
    const char *p = s;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen(p);
        if (n == ATTACH_MAX_KEYS)
            return error_new(err, EINVAL, "--detach-keys `%s`: too many keys", s);
        if (len == 1 && isprint((unsigned char) *p)) {
            ret[n++] = (unsigned char) *p;
        } else if (len == 6 && strncmp(p, "ctrl-", 5) == 0) {
            unsigned char c = (unsigned char) p[5];
            if (isalpha(c))
                ret[n++] = (unsigned char) (tolower(c) - 'a' + 1);
            else if (c >= '@' && c <= '_')
                ret[n++] = (unsigned char) (c - '@');
            else
                return error_new(err, EINVAL, "--detach-keys `%s`: unknown key `%.*s`", s,
                                 (int) len, p);
        } else {
            return error_new(err, EINVAL, "--detach-keys `%s`: unknown key `%.*s` (a letter, or "
                                          "ctrl-LETTER)", s, (int) len, p);
        }
        p += len + (comma != NULL);
        if (comma && *p == '\0')
            return error_new(err, EINVAL, "--detach-keys `%s`: empty key", s);
    }
    if (n == 0)
        return error_new(err, EINVAL, "--detach-keys: empty");
    *ret_n = n;
    return 0;
}

struct pump {
    struct attach_pump *p;
    int fd;
    unsigned char keys[ATTACH_MAX_KEYS];
    size_t n_keys, matched;
    bool in_open;
};

static void send_size(struct pump *u)
{
    struct winsize ws;
    if (ioctl(u->p->in >= 0 ? u->p->in : STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
        return;
    char text[32];
    int n = snprintf(text, sizeof(text), "%u %u", ws.ws_row, ws.ws_col);
    monitor_send(u->fd, MONITOR_RESIZE, text, (size_t) n);
}

/* Our stdin to the container's; 1 when the detach keys were typed. */
static int forward_stdin(struct pump *u, struct error **err)
{
    unsigned char buf[MONITOR_MSG_MAX];
    ssize_t n = read(u->p->in, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        u->in_open = false;
        monitor_send(u->fd, MONITOR_STDIN_EOF, NULL, 0);
        return 0;
    }
    if (!u->p->tty) {
        if (monitor_send(u->fd, MONITOR_STDIN, buf, (size_t) n) < 0)
            return error_errno(err, "sending input to the container");
        return 0;
    }
    /* Hold back what may be the start of the detach keys. */
    unsigned char out[MONITOR_MSG_MAX + ATTACH_MAX_KEYS];
    size_t o = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == u->keys[u->matched]) {
            if (++u->matched == u->n_keys)
                return 1;
            continue;
        }
        memcpy(out + o, u->keys, u->matched);
        o += u->matched;
        u->matched = 0;
        if (buf[i] == u->keys[0]) {
            u->matched = 1;
            continue;
        }
        out[o++] = buf[i];
    }
    if (o > 0 && monitor_send(u->fd, MONITOR_STDIN, out, o) < 0)
        return error_errno(err, "sending input to the container");
    return 0;
}

/* A message from the monitor; 1 at the exit. */
static int from_monitor(struct pump *u, int *ret_code, struct error **err)
{
    char buf[MONITOR_MSG_MAX + 2];
    ssize_t n = recv(u->fd, buf, sizeof(buf) - 1, 0);
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0)
        return error_new(err, EPIPE, "the container's monitor went away before its process "
                                     "ended");
    buf[n] = '\0';
    switch (buf[0]) {
    case MONITOR_OUT:
        fs_write_all(u->p->out, buf + 1, (size_t) n - 1);
        break;
    case MONITOR_ERR:
        fs_write_all(u->p->err, buf + 1, (size_t) n - 1);
        break;
    case MONITOR_EXIT_CLEAN:
        u->p->must_clean = true;
        *ret_code = atoi(buf + 1);
        return 1;
    case MONITOR_EXIT:
        *ret_code = atoi(buf + 1);
        return 1;
    default:
        break;
    }
    return 0;
}

static void proxy_signal(struct pump *u, int sig)
{
    struct runtime *rt = NULL;
    if (u->p->e && engine_runtime(u->p->e, &rt, NULL) == 0)
        container_kill(rt, u->p->id, sig, false, NULL);
}

static void signal_set(const struct attach_pump *p, sigset_t *set)
{
    sigemptyset(set);
    if (p->tty) {
        sigaddset(set, SIGWINCH);
    } else if (p->sig_proxy) {
        sigfillset(set);
        static const int keep[] = {SIGCHLD, SIGWINCH, SIGURG,  SIGPIPE, SIGKILL, SIGSTOP,
                                   SIGTSTP, SIGTTIN,  SIGTTOU, SIGSEGV, SIGBUS,  SIGFPE,
                                   SIGILL,  SIGTRAP,  SIGABRT, SIGSYS};
        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
            sigdelset(set, keep[i]);
    }
}

int attach_run(int fd, struct attach_pump *p, int *ret_code, struct error **err)
{
    struct pump u = {.p = p, .fd = fd, .in_open = p->in >= 0};
    int r = attach_parse_keys(p->detach_keys ? p->detach_keys : ATTACH_DETACH_KEYS, u.keys,
                              &u.n_keys, err);
    if (r < 0)
        return r;
    sigset_t set, old;
    signal_set(p, &set);
    sigprocmask(SIG_BLOCK, &set, &old);
    cleanup_close int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    struct termios saved;
    bool raw = p->tty && p->in >= 0 && tcgetattr(p->in, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(p->in, TCSANOW, &t);
    }
    if (p->tty)
        send_size(&u);
    int done = 0, code = 0;
    while (done == 0) {
        struct pollfd fds[3] = {{.fd = fd, .events = POLLIN},
                                {.fd = u.in_open ? p->in : -1, .events = POLLIN},
                                {.fd = sfd, .events = POLLIN}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            done = error_errno(err, "waiting for the container");
            break;
        }
        if (fds[2].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGWINCH)
                    send_size(&u);
                else
                    proxy_signal(&u, (int) si.ssi_signo);
            }
        }
        if (fds[0].revents)
            done = from_monitor(&u, &code, err);
        else if (fds[1].revents && done == 0) {
            int f = forward_stdin(&u, err);
            done = f == 1 ? 2 : f;
        }
    }
    if (raw)
        tcsetattr(p->in, TCSANOW, &saved);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (done < 0)
        return done;
    if (done == 2)
        return 1; /* detached */
    *ret_code = code;
    return 0;
}
