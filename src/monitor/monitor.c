/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cabin-monitor: the one process a running container keeps on the host (the
 * role of podman's conmon).  The engine starts the container's init as a
 * child of the process that then executes this program (a child subreaper,
 * so an init made later by a restart helper comes back to it), and hands it
 * the container's output pipes or terminal.  It
 *
 *   - writes the output to CDIR/container.log (logfile.h) and to attached
 *     clients (protocol.h), and their input to the container's stdin;
 *   - reaps the init and records the exit in CDIR/state.json: code, time,
 *     whether the OOM killer struck (the memory cgroup's oom_kill count);
 *   - applies the restart policy: after a growing delay it runs the exit
 *     command with --restart, which makes a new init (its child, ours once
 *     it exits);
 *   - when the container stays stopped, runs the exit command (the engine's
 *     cleanup: runtime state, mounts, --rm), tells the clients the exit code
 *     and exits.
 *
 * It is small on purpose (static, libc only, no heap on the steady path):
 * hundreds of them may run at once.  Usage (the engine's, not a user's):
 *
 *   cabin-monitor --id ID --cdir DIR --rdir DIR --pid PID --run N
 *       --started-at TIME [--stdout FD --stderr FD | --pty FD] [--stdin FD]
 *       [--stdin-once] [--listen FD] [--lock FD] [--report FD]
 *       [--client FD --client-flags FLAGS] [--log-max-size BYTES]
 *       [--log-max-files N] [--oom-file PATH] [--restart POLICY]
 *       [--restart-max N] -- EXIT-COMMAND...
 *
 * The exit command is run as EXIT-COMMAND... [--restart] ID, with fd 3 a
 * pipe on which it reports "OK PID STARTED-AT" or "ERR CODE MESSAGE".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "monitor/logfile.h"
#include "monitor/protocol.h"

#define MAX_CLIENTS     64
#define MAX_EXIT_ARGS   64
#define DRAIN_MS        2000  /* output still open this long after the init died */
#define SEND_TIMEOUT_MS 10000 /* a client that reads nothing for this long is dropped */
#define BACKOFF_MIN_MS  100
#define BACKOFF_MAX_MS  60000
#define RESET_AFTER_MS  10000 /* a run this long starts the delays again */
#define HANDOFF_MS      60000 /* how long a cleaner client may take */

enum policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };
enum phase { RUNNING, DRAINING, BACKOFF, RESTARTING, CLEANING, HANDOFF };

struct client {
    int fd;
    bool hello, out, err, in, once, cleaner;
};

static struct {
    const char *id;
    int cdirfd, rdirfd, listenfd, reportfd, sigfd;
    int state_spare; /* STATE_TMP with its blocks allocated, or -1 */
    int outfd, errfd, infd; /* container side; -1 when closed */
    bool pty, stdin_once, open_stdin;
    pid_t init;
    int exit_code;
    bool exited;
    int run, restart_count;
    char started_at[48], finished_at[48], boot_id[40];
    bool oom_killed;
    long long oom_base;
    const char *oom_file;
    enum policy policy;
    int restart_max;
    bool user_stopped;
    enum phase phase;
    long long deadline;   /* monotonic ms, for DRAINING and BACKOFF; 0: none */
    long long run_start;  /* monotonic ms */
    int backoff_ms;
    pid_t helper;
    int helper_report;    /* read end of the helper's fd 3 */
    int new_out, new_err, new_in; /* the pipes a restart gets */
    bool restarting;      /* the running helper restarts (else it cleans up) */
    char error[512];
    char **exit_cmd;
    struct logfile log;
    struct client clients[MAX_CLIENTS];
    size_t n_clients;
    char stdin_pending[MONITOR_MSG_MAX];
    size_t stdin_pending_len;
} m;

static char buf[MONITOR_MSG_MAX + 1];

/* ---- small helpers ------------------------------------------------------ */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void now_rfc3339(char *out, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    logfile_time(&ts, out, len);
}

static int parse_int(const char *s, long long max, long long *ret)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return -1;
    *ret = v;
    return 0;
}

/* Before it reported "OK", the starter hears why (else our stderr). */
static void die(const char *what)
{
    char msg[256];
    int n = snprintf(msg, sizeof(msg), "%scabin-monitor: %s\n", m.reportfd >= 0 ? "ERR 5 " : "",
                     what);
    if (n > 0 && write(m.reportfd >= 0 ? m.reportfd : STDERR_FILENO, msg, (size_t) n) < 0)
        _exit(125);
    _exit(125);
}

static long long read_oom_kills(void)
{
    if (m.oom_file == NULL)
        return -1;
    int fd = open(m.oom_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char text[1024];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, "oom_kill ", 9) == 0)
            return atoll(line + 9);
    return -1;
}

static void read_boot_id(void)
{
    int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, m.boot_id, sizeof(m.boot_id) - 1);
    if (fd >= 0)
        close(fd);
    m.boot_id[n > 0 ? n : 0] = '\0';
    char *nl = strchr(m.boot_id, '\n');
    if (nl)
        *nl = '\0';
}

/* ---- state.json ---------------------------------------------------------- */

#define STATE_TMP   "." MONITOR_STATE ".tmp"
#define STATE_SPARE 4096 /* more than write_state's largest text */

/* The next state file's blocks, allocated now while there is room. */
static void reserve_state(void)
{
    int fd = openat(m.cdirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    0600);
    if (fd < 0)
        return;
    if (posix_fallocate(fd, 0, STATE_SPARE) != 0) {
        close(fd);
        unlinkat(m.cdirfd, STATE_TMP, 0);
        return;
    }
    m.state_spare = fd;
}

static void write_state(const char *status)
{
    char text[2048], err[1100];
    size_t elen = 0;
    logfile_escape(m.error, strlen(m.error), err, sizeof(err) - 1, &elen);
    err[elen] = '\0';
    int n;
    if (strcmp(status, "running") == 0)
        n = snprintf(text, sizeof(text),
                     "{\"run\":%d,\"status\":\"running\",\"pid\":%d,\"started_at\":\"%s\","
                     "\"restart_count\":%d,\"boot_id\":\"%s\"}\n",
                     m.run, (int) m.init, m.started_at, m.restart_count, m.boot_id);
    else
        n = snprintf(text, sizeof(text),
                     "{\"run\":%d,\"status\":\"%s\",\"pid\":0,\"started_at\":\"%s\","
                     "\"finished_at\":\"%s\",\"exit_code\":%d,\"oom_killed\":%s,"
                     "\"restart_count\":%d,\"boot_id\":\"%s\",\"error\":\"%s\"}\n",
                     m.run, status, m.started_at, m.finished_at, m.exit_code,
                     m.oom_killed ? "true" : "false", m.restart_count, m.boot_id, err);
    if (n < 0 || (size_t) n >= sizeof(text))
        return;
    /* Into the space reserved for it when there is one (a container that
     * filled the disk must not cost us its exit code), else a new file. */
    int fd = m.state_spare;
    m.state_spare = -1;
    if (fd < 0)
        fd = openat(m.cdirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    0600);
    if (fd < 0)
        return;
    bool ok = pwrite(fd, text, (size_t) n, 0) == n && ftruncate(fd, n) == 0;
    close(fd);
    if (!ok || renameat(m.cdirfd, STATE_TMP, m.cdirfd, MONITOR_STATE) < 0)
        unlinkat(m.cdirfd, STATE_TMP, 0);
    reserve_state();
}

/* ---- clients -------------------------------------------------------------- */

static void start_cleanup(void);
static void finish(void) __attribute__((noreturn));

static void client_drop(size_t i)
{
    struct client *c = &m.clients[i];
    bool cleaner_gone = m.phase == HANDOFF && c->cleaner;
    if (c->once && m.infd >= 0 && !m.pty) {
        close(m.infd);
        m.infd = -1;
    }
    close(c->fd);
    m.clients[i] = m.clients[--m.n_clients];
    if (cleaner_gone)
        start_cleanup(); /* it went before it was done: ours to do */
}

static void client_add(int fd, const char *flags)
{
    if (m.n_clients == MAX_CLIENTS) {
        close(fd);
        return;
    }
    struct client *c = &m.clients[m.n_clients++];
    *c = (struct client) {.fd = fd};
    if (flags) {
        c->hello = true;
        c->in = strchr(flags, MONITOR_F_STDIN) != NULL;
        c->out = strchr(flags, MONITOR_F_STDOUT) != NULL;
        c->err = strchr(flags, MONITOR_F_STDERR) != NULL;
        c->once = strchr(flags, MONITOR_F_ONCE) != NULL;
        c->cleaner = strchr(flags, MONITOR_F_CLEANER) != NULL;
    }
}

/* Send one message; a client that cannot take it for SEND_TIMEOUT_MS goes
 * (the container waits for its readers meanwhile, as with docker attach). */
static bool client_send(struct client *c, char type, const char *data, size_t len)
{
    struct iovec iov[2] = {{&type, 1}, {(void *) data, len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    for (;;) {
        ssize_t n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return true;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return false;
        struct pollfd p = {.fd = c->fd, .events = POLLOUT};
        if (poll(&p, 1, SEND_TIMEOUT_MS) <= 0 || (p.revents & (POLLERR | POLLHUP)))
            return false;
    }
}

static void broadcast(char type, const char *data, size_t len)
{
    for (size_t i = 0; i < m.n_clients;) {
        struct client *c = &m.clients[i];
        bool wants = type == MONITOR_OUT ? c->out : type == MONITOR_ERR ? c->err : true;
        if (wants && c->hello && !client_send(c, type, data, len)) {
            client_drop(i);
            continue;
        }
        i++;
    }
}

static void stdin_write(const char *data, size_t len)
{
    if (m.infd < 0)
        return;
    while (len > 0) {
        ssize_t n = write(m.infd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            memcpy(m.stdin_pending, data, len);
            m.stdin_pending_len = len;
            return;
        }
        if (n <= 0) {
            if (!m.pty) {
                close(m.infd);
                m.infd = -1;
            }
            return;
        }
        data += n;
        len -= (size_t) n;
    }
}

static void client_message(size_t i)
{
    struct client *c = &m.clients[i];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        client_drop(i);
        return;
    }
    buf[n] = '\0';
    const char *data = buf + 1;
    size_t len = (size_t) n - 1;
    switch (buf[0]) {
    case MONITOR_HELLO:
        c->hello = true;
        c->in = memchr(data, MONITOR_F_STDIN, len) != NULL;
        c->out = memchr(data, MONITOR_F_STDOUT, len) != NULL;
        c->err = memchr(data, MONITOR_F_STDERR, len) != NULL;
        c->once = memchr(data, MONITOR_F_ONCE, len) != NULL;
        c->cleaner = memchr(data, MONITOR_F_CLEANER, len) != NULL;
        break;
    case MONITOR_STDIN:
        if (c->in)
            stdin_write(data, len);
        break;
    case MONITOR_STDIN_EOF:
        /* docker: the end of a client's stdin ends the container's only
         * for the client it was started with (StdinOnce). */
        if (c->in && c->once && m.infd >= 0 && !m.pty) {
            close(m.infd);
            m.infd = -1;
        }
        break;
    case MONITOR_RESIZE: {
        unsigned rows = 0, cols = 0;
        if (m.pty && m.outfd >= 0 && sscanf(data, "%u %u", &rows, &cols) == 2) {
            struct winsize ws = {.ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols};
            ioctl(m.outfd, TIOCSWINSZ, &ws);
        }
        break;
    }
    case MONITOR_CLEANED:
        if (m.phase == HANDOFF && c->cleaner)
            finish();
        break;
    case MONITOR_STOPPED:
        m.user_stopped = true;
        if (!client_send(c, MONITOR_ACK, NULL, 0))
            client_drop(i);
        break;
    default:
        client_drop(i);
    }
}

static void accept_client(void)
{
    int fd = accept4(m.listenfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        client_add(fd, NULL);
}

/* ---- the container's output ---------------------------------------------- */

static void read_output(int *fd, const char *stream, char type)
{
    ssize_t n = read(*fd, buf, MONITOR_MSG_MAX);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        /* EOF, or EIO from a terminal whose other side is gone. */
        if (m.pty && m.infd == *fd)
            m.infd = -1;
        close(*fd);
        *fd = -1;
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    logfile_write(&m.log, stream, buf, (size_t) n, &ts);
    broadcast(type, buf, (size_t) n);
}

/* ---- the exit command ----------------------------------------------------- */

static void spawn_helper(bool restart)
{
    /* A socket, so that a restart's new terminal can come with the answer. */
    int report[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, report) < 0) {
        snprintf(m.error, sizeof(m.error), "cabin-monitor: socketpair: %s", strerror(errno));
        m.helper = -1;
        return;
    }
    char *argv[MAX_EXIT_ARGS + 3];
    size_t n = 0;
    while (m.exit_cmd[n] && n < MAX_EXIT_ARGS) {
        argv[n] = m.exit_cmd[n];
        n++;
    }
    if (restart)
        argv[n++] = (char *) "--restart";
    argv[n++] = (char *) m.id;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int in = restart && m.new_in >= 0 ? m.new_in : null;
        int out = restart && m.new_out >= 0 ? m.new_out : null;
        int err = restart && m.new_err >= 0 ? m.new_err : null;
        /* 0..3 in place; every other fd of ours is close-on-exec. */
        int fds[4] = {in, out, err, report[1]};
        for (int i = 0; i < 4; i++)
            fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
        for (int i = 0; i < 4; i++)
            if (fds[i] < 0 || dup2(fds[i], i) < 0)
                _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        snprintf(m.error, sizeof(m.error), "cabin-monitor: fork: %s", strerror(errno));
        m.helper = -1;
        return;
    }
    m.helper = pid;
    m.helper_report = report[0];
    m.restarting = restart;
}

/* Read what the helper said (and the fd it sent, a restart's terminal). */
static ssize_t read_report(char *text, size_t len, int *ret_fd)
{
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {text, len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof(control)};
    ssize_t n;
    while ((n = recvmsg(m.helper_report, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
    return n;
}

/* What the helper said on fd 3 (read once it has exited). */
static bool helper_result(int status)
{
    char text[600] = "";
    int fd = -1;
    ssize_t n = m.helper_report >= 0 ? read_report(text, sizeof(text) - 1, &fd) : -1;
    close(m.helper_report);
    m.helper_report = -1;
    if (fd >= 0 && (!m.restarting || !m.pty)) {
        close(fd);
        fd = -1;
    }
    text[n > 0 ? n : 0] = '\0';
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    if (strncmp(text, "OK", 2) == 0 && (text[2] == '\0' || text[2] == ' ')) {
        if (!m.restarting)
            return true;
        int pid = 0;
        char when[48];
        if (sscanf(text + 2, " %d %47s", &pid, when) != 2 || pid <= 0) {
            snprintf(m.error, sizeof(m.error), "the restart said `%.200s`", text);
            return false;
        }
        if (m.pty && fd < 0) {
            snprintf(m.error, sizeof(m.error), "the restart sent no terminal");
            return false;
        }
        if (m.pty) {
            /* The new terminal is the container's only stream. */
            if (m.outfd >= 0)
                close(m.outfd);
            m.outfd = m.infd = fd;
            fcntl(fd, F_SETFL, O_NONBLOCK);
        }
        m.init = pid;
        snprintf(m.started_at, sizeof(m.started_at), "%s", when);
        return true;
    }
    if (strncmp(text, "ERR ", 4) == 0) {
        char *msg = strchr(text + 4, ' ');
        snprintf(m.error, sizeof(m.error), "%s", msg ? msg + 1 : text + 4);
    } else if (m.error[0] == '\0') {
        snprintf(m.error, sizeof(m.error), "%s ended with status %d and said nothing",
                 m.exit_cmd[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    if (fd >= 0)
        close(fd);
    return false;
}

static void close_new_pipes(void)
{
    int *fds[] = {&m.new_out, &m.new_err, &m.new_in};
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
}

static void finish(void)
{
    char code[16];
    int n = snprintf(code, sizeof(code), "%d", m.exit_code);
    /* No state is written after this, and no client that goes now starts a
     * cleanup again: the reserved blocks go (before the clients hear it is
     * over). */
    m.phase = CLEANING;
    if (m.state_spare >= 0) {
        close(m.state_spare);
        m.state_spare = -1;
        unlinkat(m.cdirfd, STATE_TMP, 0);
    }
    broadcast(MONITOR_EXIT, code, (size_t) n);
    _exit(0);
}

static void start_cleanup(void)
{
    m.phase = CLEANING;
    spawn_helper(false);
    if (m.helper < 0) {
        write_state("exited"); /* with the reason it could not run */
        finish();
    }
}

/* The restart: new pipes (the helper gives their other ends to the new
 * init), then the helper. */
static void start_restart(void)
{
    if (m.pty) {
        /* The helper makes a new terminal and sends us its master. */
        m.phase = RESTARTING;
        spawn_helper(true);
        if (m.helper < 0) {
            write_state("exited");
            start_cleanup();
        }
        return;
    }
    int out[2], err[2] = {-1, -1}, in[2] = {-1, -1};
    bool want_in = m.open_stdin;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
        (want_in && pipe2(in, O_CLOEXEC) < 0)) {
        snprintf(m.error, sizeof(m.error), "cabin-monitor: making the restart's pipes failed");
        write_state("exited");
        start_cleanup();
        return;
    }
    m.new_out = out[1];
    m.new_err = err[1];
    m.new_in = in[0];
    if (m.outfd >= 0)
        close(m.outfd);
    if (m.errfd >= 0)
        close(m.errfd);
    if (m.infd >= 0)
        close(m.infd);
    m.outfd = out[0];
    m.errfd = err[0];
    m.infd = in[1];
    fcntl(m.outfd, F_SETFL, O_NONBLOCK);
    fcntl(m.errfd, F_SETFL, O_NONBLOCK);
    if (m.infd >= 0)
        fcntl(m.infd, F_SETFL, O_NONBLOCK);
    m.phase = RESTARTING;
    spawn_helper(true);
    if (m.helper < 0) {
        close_new_pipes();
        write_state("exited");
        start_cleanup();
    }
}

static bool wants_restart(void)
{
    if (m.user_stopped)
        return false;
    switch (m.policy) {
    case RESTART_NO: return false;
    case RESTART_ON_FAILURE:
        return m.exit_code != 0 && (m.restart_max == 0 || m.restart_count < m.restart_max);
    case RESTART_ALWAYS:
    case RESTART_UNLESS_STOPPED: return true;
    }
    return false;
}

/* The init is gone and its output drained. */
static void run_ended(void)
{
    now_rfc3339(m.finished_at, sizeof(m.finished_at));
    long long oom = read_oom_kills();
    m.oom_killed = oom > 0 && oom > m.oom_base;
    if (!wants_restart()) {
        write_state("exited");
        /* A foreground cabin attached as the cleaner does it faster than a
         * new cabin would: it hears the exit first. */
        for (size_t i = 0; i < m.n_clients; i++) {
            if (!m.clients[i].cleaner)
                continue;
            char code[16];
            int n = snprintf(code, sizeof(code), "%d", m.exit_code);
            if (client_send(&m.clients[i], MONITOR_EXIT_CLEAN, code, (size_t) n)) {
                m.phase = HANDOFF;
                m.deadline = now_ms() + HANDOFF_MS;
                return;
            }
        }
        start_cleanup();
        return;
    }
    /* Counted when decided, as docker does: the new run's state (running as
     * soon as the runtime says so) already carries it. */
    m.restart_count++;
    write_state("restarting");
    /* Those attached to this run are done with it (docker attach ends). */
    char code[16];
    int n = snprintf(code, sizeof(code), "%d", m.exit_code);
    broadcast(MONITOR_EXIT, code, (size_t) n);
    while (m.n_clients > 0)
        client_drop(m.n_clients - 1);
    long long ran = now_ms() - m.run_start;
    if (ran >= RESET_AFTER_MS || m.backoff_ms == 0)
        m.backoff_ms = BACKOFF_MIN_MS;
    else if ((m.backoff_ms *= 2) > BACKOFF_MAX_MS)
        m.backoff_ms = BACKOFF_MAX_MS;
    m.phase = BACKOFF;
    m.deadline = now_ms() + m.backoff_ms;
}

static void helper_exited(int status)
{
    m.helper = 0;
    bool ok = helper_result(status);
    if (!m.restarting) {
        if (!ok && m.error[0])
            write_state("exited"); /* with the cleanup's error */
        finish();
    }
    close_new_pipes();
    if (!ok) {
        write_state("exited");
        start_cleanup();
        return;
    }
    m.error[0] = '\0';
    m.exited = false;
    m.phase = RUNNING;
    m.run_start = now_ms();
    m.oom_base = read_oom_kills();
    write_state("running");
    if (m.user_stopped)
        kill(m.init, SIGKILL); /* stopped while it was being restarted */
}

static void reap(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == m.init && !m.exited) {
            m.exited = true;
            m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            m.phase = DRAINING;
            m.deadline = now_ms() + DRAIN_MS;
        } else if (pid == m.helper) {
            helper_exited(status);
        }
    }
}

/* ---- the loop ----------------------------------------------------------------- */

static void loop(void)
{
    for (;;) {
        if (m.phase == DRAINING && ((m.outfd < 0 && m.errfd < 0) || now_ms() >= m.deadline))
            run_ended();
        if (m.phase == HANDOFF && now_ms() >= m.deadline)
            start_cleanup();
        if (m.phase == BACKOFF && (m.user_stopped || now_ms() >= m.deadline)) {
            if (m.user_stopped) {
                write_state("exited");
                start_cleanup();
            } else {
                start_restart();
            }
        }
        struct pollfd p[4 + MAX_CLIENTS];
        size_t n = 0;
        p[n++] = (struct pollfd) {.fd = m.sigfd, .events = POLLIN};
        p[n++] = (struct pollfd) {.fd = m.listenfd, .events = POLLIN};
        p[n++] = (struct pollfd) {.fd = m.outfd, .events = POLLIN};
        p[n++] = (struct pollfd) {.fd = m.errfd, .events = POLLIN};
        bool stdin_blocked = m.stdin_pending_len > 0;
        for (size_t i = 0; i < m.n_clients; i++)
            p[n++] = (struct pollfd) {.fd = stdin_blocked ? -1 : m.clients[i].fd,
                                      .events = POLLIN};
        struct pollfd pin = {.fd = stdin_blocked ? m.infd : -1, .events = POLLOUT};
        p[n] = pin;
        int timeout = -1;
        if (m.phase == DRAINING || m.phase == BACKOFF || m.phase == HANDOFF) {
            long long left = m.deadline - now_ms();
            timeout = left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int) left;
        }
        int r = poll(p, n + 1, timeout);
        if (r < 0 && errno != EINTR)
            die("poll failed");
        if (r <= 0)
            continue;
        if (p[0].revents) {
            struct signalfd_siginfo si;
            while (read(m.sigfd, &si, sizeof(si)) == sizeof(si))
                ;
            reap();
        }
        if (p[1].revents & POLLIN)
            accept_client();
        if (p[2].revents && m.outfd >= 0)
            read_output(&m.outfd, "stdout", MONITOR_OUT);
        if (p[3].revents && m.errfd >= 0)
            read_output(&m.errfd, "stderr", MONITOR_ERR);
        if (p[n].revents && m.stdin_pending_len > 0) {
            size_t len = m.stdin_pending_len;
            m.stdin_pending_len = 0;
            stdin_write(m.stdin_pending, len);
        }
        /* Clients last, from the end: a dropped one is replaced by the last. */
        for (size_t i = n; i-- > 4;) {
            size_t k = i - 4;
            if (k < m.n_clients && p[i].fd == m.clients[k].fd && p[i].revents)
                client_message(k);
        }
    }
}

/* ---- start ------------------------------------------------------------------- */

static int fd_arg(const char *s)
{
    long long v;
    if (parse_int(s, INT_MAX, &v) < 0)
        die("bad file descriptor argument");
    return (int) v;
}

static int open_dir(const char *path)
{
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        die("cannot open a directory argument");
    return fd;
}

static void parse_args(int argc, char **argv, int *client, const char **client_flags,
                       int *lockfd)
{
    long long v;
    off_t max_size = 0;
    int max_files = 1;
    const char *cdir = NULL, *rdir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            m.exit_cmd = argv + i + 1;
            break;
        }
        if (strcmp(a, "--stdin-once") == 0) {
            m.stdin_once = true;
            continue;
        }
        if (val == NULL)
            die("an option lacks its value");
        i++;
        if (strcmp(a, "--id") == 0)
            m.id = val;
        else if (strcmp(a, "--cdir") == 0)
            cdir = val;
        else if (strcmp(a, "--rdir") == 0)
            rdir = val;
        else if (strcmp(a, "--pid") == 0 && parse_int(val, INT_MAX, &v) == 0)
            m.init = (pid_t) v;
        else if (strcmp(a, "--run") == 0 && parse_int(val, INT_MAX, &v) == 0)
            m.run = (int) v;
        else if (strcmp(a, "--started-at") == 0)
            snprintf(m.started_at, sizeof(m.started_at), "%s", val);
        else if (strcmp(a, "--stdout") == 0)
            m.outfd = fd_arg(val);
        else if (strcmp(a, "--stderr") == 0)
            m.errfd = fd_arg(val);
        else if (strcmp(a, "--pty") == 0)
            m.outfd = m.infd = fd_arg(val), m.pty = true;
        else if (strcmp(a, "--stdin") == 0)
            m.infd = fd_arg(val);
        else if (strcmp(a, "--listen") == 0)
            m.listenfd = fd_arg(val);
        else if (strcmp(a, "--lock") == 0)
            *lockfd = fd_arg(val);
        else if (strcmp(a, "--report") == 0)
            m.reportfd = fd_arg(val);
        else if (strcmp(a, "--client") == 0)
            *client = fd_arg(val);
        else if (strcmp(a, "--client-flags") == 0)
            *client_flags = val;
        else if (strcmp(a, "--log-max-size") == 0 && parse_int(val, LLONG_MAX, &v) == 0)
            max_size = (off_t) v;
        else if (strcmp(a, "--log-max-files") == 0 && parse_int(val, 1000, &v) == 0)
            max_files = (int) v;
        else if (strcmp(a, "--oom-file") == 0)
            m.oom_file = val;
        else if (strcmp(a, "--restart-max") == 0 && parse_int(val, INT_MAX, &v) == 0)
            m.restart_max = (int) v;
        else if (strcmp(a, "--restart") == 0) {
            if (strcmp(val, "no") == 0)
                m.policy = RESTART_NO;
            else if (strcmp(val, "on-failure") == 0)
                m.policy = RESTART_ON_FAILURE;
            else if (strcmp(val, "always") == 0)
                m.policy = RESTART_ALWAYS;
            else if (strcmp(val, "unless-stopped") == 0)
                m.policy = RESTART_UNLESS_STOPPED;
            else
                die("bad --restart");
        } else
            die("unknown or malformed option");
    }
    size_t n_exit = 0;
    while (m.exit_cmd && m.exit_cmd[n_exit])
        n_exit++;
    if (n_exit > MAX_EXIT_ARGS)
        die("the exit command has too many arguments");
    if (m.id == NULL || cdir == NULL || rdir == NULL || m.init <= 0 || n_exit == 0)
        die("usage: cabin-monitor --id ID --cdir DIR --rdir DIR --pid PID ... -- EXIT-COMMAND...");
    m.cdirfd = open_dir(cdir);
    m.state_spare = -1;
    m.rdirfd = open_dir(rdir);
    if (logfile_open(&m.log, m.cdirfd, max_size, max_files) < 0)
        die("cannot open the container's log");
}

int main(int argc, char **argv)
{
    m.outfd = m.errfd = m.infd = m.listenfd = m.reportfd = -1;
    for (int i = 1; i + 1 < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--report") == 0)
            m.reportfd = atoi(argv[i + 1]);
    m.new_out = m.new_err = m.new_in = m.helper_report = -1;
    int client = -1, lockfd = -1;
    const char *client_flags = "";
    parse_args(argc, argv, &client, &client_flags, &lockfd);
    if (chdir("/") < 0)
        die("chdir /");
    /* The init (and any made by a restart) must come back to us. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die("cannot become a child subreaper");
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    m.sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m.sigfd < 0)
        die("signalfd");
    int fds[] = {m.outfd, m.errfd, m.infd, m.listenfd, lockfd, client, m.reportfd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    for (size_t i = 0; i < 3; i++)
        if (fds[i] >= 0)
            fcntl(fds[i], F_SETFL, O_NONBLOCK);
    m.open_stdin = m.infd >= 0 && !m.pty;
    if (client >= 0)
        client_add(client, client_flags);
    read_boot_id();
    m.run_start = now_ms();
    m.oom_base = read_oom_kills();
    write_state("running");
    if (m.reportfd >= 0) {
        if (write(m.reportfd, "OK\n", 3) < 0) {
            /* the starter is gone: nothing to tell */
        }
        close(m.reportfd);
        m.reportfd = -1;
    }
    /* An init that ended before we were here is a zombie already. */
    reap();
    loop();
    return 0;
}
