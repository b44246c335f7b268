/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/foreground.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The caller's terminal in raw mode, and what to put back. */
struct raw_tty {
    bool active;
    struct termios saved;
};

static void raw_tty_restore(struct raw_tty *t)
{
    if (t->active) {
        int saved = errno;
        tcsetattr(STDIN_FILENO, TCSADRAIN, &t->saved);
        errno = saved;
        t->active = false;
    }
}
#define cleanup_raw_tty __attribute__((cleanup(raw_tty_restore)))

static void raw_tty_enter(struct raw_tty *t)
{
    struct termios raw;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved) < 0)
        return;
    raw = t->saved;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
        t->active = true;
}

static bool caller_size(struct winsize *ret)
{
    for (int fd = 0; fd < 3; fd++)
        if (ioctl(fd, TIOCGWINSZ, ret) == 0)
            return ret->ws_row > 0 && ret->ws_col > 0;
    return false;
}

/* Our terminal's size onto the pty. */
static void copy_size(int master)
{
    struct winsize ws;
    if (caller_size(&ws))
        ioctl(master, TIOCSWINSZ, &ws);
}

void foreground_size_process(struct spec_process *p)
{
    struct winsize ws;
    if (!caller_size(&ws))
        return;
    p->console_height = ws.ws_row;
    p->console_width = ws.ws_col;
    p->has_console_size = true;
}

/* Write all of buf to fd (our stdout, which may be non-blocking). */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, -1);
            continue;
        }
        if (w <= 0)
            return -errno;
        buf += w;
        len -= (size_t) w;
    }
    return 0;
}

/* The state of the copy between our stdio and the pty. */
struct relay {
    int master;
    bool in_open;  /* still reading our stdin */
    bool out_open; /* the pty still has a slave end */
    bool out_ok;   /* our stdout still takes data */
    char in[4096];
    size_t in_len, in_off;
};

/* Copy what the master has to our stdout; once it has no slave left (EIO)
 * there is no more. */
static void relay_out(struct relay *r)
{
    char buf[8192];
    for (;;) {
        ssize_t n = read(r->master, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            r->out_open = false;
            r->in_len = 0; /* nobody left to read it */
            return;
        }
        if (r->out_ok && write_all(STDOUT_FILENO, buf, (size_t) n) < 0)
            r->out_ok = false; /* keep draining, so the container is not blocked */
    }
}

static void relay_in(struct relay *r)
{
    ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        r->in_open = false;
        return;
    }
    r->in_len = (size_t) n;
    r->in_off = 0;
}

static void relay_to_master(struct relay *r)
{
    ssize_t w = write(r->master, r->in + r->in_off, r->in_len - r->in_off);
    if (w < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (w <= 0) {
        r->in_len = 0;
        r->in_open = false;
        return;
    }
    r->in_off += (size_t) w;
    if (r->in_off == r->in_len)
        r->in_len = 0;
}

/* Signals that arrived: forward them, or resize the pty. */
static void handle_signals(int sfd, pid_t pid, int master)
{
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
        int sig = (int) si.ssi_signo;
        if (sig == SIGCHLD)
            continue;
        if (sig == SIGWINCH) {
            if (master >= 0)
                copy_size(master);
            continue;
        }
        kill(pid, sig);
    }
}

static int exit_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

static int wait_loop(pid_t pid, int sfd, struct relay *r, int *ret_status, struct error **err)
{
    for (;;) {
        int status;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            if (r->master >= 0 && r->out_open)
                relay_out(r);
            *ret_status = exit_status(status);
            return 0;
        }
        if (w < 0 && errno != EINTR)
            return error_errno(err, "waiting for the container's process");
        struct pollfd fds[3] = {{.fd = sfd, .events = POLLIN}};
        nfds_t n = 1;
        int in_i = -1, m_i = -1;
        if (r->in_open && r->in_len == 0) {
            in_i = (int) n;
            fds[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        }
        if (r->master >= 0 && (r->out_open || r->in_len > 0)) {
            m_i = (int) n;
            fds[n++] = (struct pollfd){
                .fd = r->master,
                .events = (short) ((r->out_open ? POLLIN : 0) | (r->in_len ? POLLOUT : 0))};
        }
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            return error_errno(err, "waiting for the container's process");
        }
        if (fds[0].revents)
            handle_signals(sfd, pid, r->master);
        if (in_i >= 0 && fds[in_i].revents)
            relay_in(r);
        if (m_i >= 0 && fds[m_i].revents) {
            if (r->out_open && (fds[m_i].revents & (POLLIN | POLLHUP | POLLERR)))
                relay_out(r);
            if (r->in_len > 0 && (fds[m_i].revents & POLLOUT))
                relay_to_master(r);
        }
    }
}

int foreground_wait(pid_t pid, int master, int *ret_status, struct error **err)
{
    /* Every signal but those a fault raises comes through the signalfd. */
    sigset_t all, old;
    sigfillset(&all);
    static const int sync_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
        sigdelset(&all, sync_signals[i]);
    sigprocmask(SIG_BLOCK, &all, &old);
    cleanup_close int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        int r = error_errno(err, "waiting for the container's process (signalfd)");
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
    }
    struct relay r = {.master = master, .out_ok = true};
    cleanup_raw_tty struct raw_tty raw = {0};
    if (master >= 0) {
        int fl = fcntl(master, F_GETFL);
        if (fl >= 0)
            fcntl(master, F_SETFL, fl | O_NONBLOCK);
        r.in_open = r.out_open = true;
        raw_tty_enter(&raw);
        copy_size(master);
    }
    int ret = wait_loop(pid, sfd, &r, ret_status, err);
    raw_tty_restore(&raw);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}
