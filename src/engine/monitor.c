/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine/flags.h"
#include "engine/netvol.h"
#include "monitor/protocol.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define REPORT_MAX 1024

/* ---- finding the program ------------------------------------------------------ */

int monitor_program(const struct engine *e, const char *name, char **ret, struct error **err)
{
    char *p = NULL;
    if (e->self) {
        const char *slash = strrchr(e->self, '/');
        int dir = slash ? (int) (slash - e->self) : 0;
        for (size_t i = 0; i < 2; i++) {
            int n = i == 0 ? asprintf(&p, "%.*s/%s", dir, e->self, name)
                           : asprintf(&p, "%.*s/../libexec/cabin/%s", dir, e->self, name);
            if (n < 0)
                return error_new(err, ENOMEM, "out of memory");
            if (access(p, X_OK) == 0) {
                *ret = p;
                return 0;
            }
            free(p);
        }
    }
    if (asprintf(&p, "%s/%s", CABIN_LIBEXECDIR, name) < 0)
        return error_new(err, ENOMEM, "out of memory");
    if (access(p, X_OK) < 0) {
        int r = error_errno(err, "cannot find %s (looked next to %s and in %s)", name,
                            e->self ? e->self : "cabin", CABIN_LIBEXECDIR);
        free(p);
        return r;
    }
    *ret = p;
    return 0;
}

/* ---- talking to one ------------------------------------------------------------- */

static int open_lock(struct engine *e, const char *id, int flags)
{
    cleanup_free char *rdir = engine_container_rundir(e, id);
    cleanup_free char *path = NULL;
    if (rdir == NULL || asprintf(&path, "%s/%s", rdir, MONITOR_PID_FILE) < 0) {
        errno = ENOMEM;
        return -1;
    }
    return open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

bool monitor_alive(struct engine *e, const char *id)
{
    cleanup_close int fd = open_lock(e, id, O_RDONLY);
    if (fd < 0)
        return false;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0)
        return false;
    return errno == EWOULDBLOCK;
}

int monitor_wait_gone(struct engine *e, const char *id, int timeout_ms)
{
    cleanup_close int fd = open_lock(e, id, O_RDONLY);
    if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0)
        return 0;
    char text[32] = "";
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    pid_t pid = (pid_t) atoi(text);
    cleanup_close int pfd = pid > 0 ? (int) syscall(SYS_pidfd_open, pid, 0) : -1;
    /* The lock still held after the pidfd was opened: that pid is its holder. */
    if (flock(fd, LOCK_SH | LOCK_NB) == 0)
        return 0;
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        int r;
        while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
            ;
        return r > 0 ? 0 : -ETIMEDOUT;
    }
    /* No pid to watch: ask the lock, a little at a time. */
    for (int waited = 0; timeout_ms < 0 || waited < timeout_ms; waited += 10) {
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -ETIMEDOUT;
}

int monitor_send(int fd, char type, const void *data, size_t len)
{
    struct iovec iov[2] = {{&type, 1}, {(void *) data, len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

int monitor_connect(struct engine *e, const char *id, const char *flags, int *ret_fd,
                    struct error **err)
{
    cleanup_free char *rdir = engine_container_rundir(e, id);
    cleanup_close int dfd = rdir ? open(rdir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd < 0)
        return error_errno(err, "container %.12s has no monitor", id);
    /* Through the directory's fd: a long --runroot cannot overflow sun_path. */
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, MONITOR_SOCKET);
    cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return error_errno(err, "making a socket");
    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return error_errno(err, "connecting to the monitor of container %.12s", id);
    if (monitor_send(fd, MONITOR_HELLO, flags, strlen(flags)) < 0)
        return error_errno(err, "talking to the monitor of container %.12s", id);
    *ret_fd = steal_fd(&fd);
    return 0;
}

bool monitor_tell_stopped(struct engine *e, const char *id)
{
    cleanup_close int fd = -1;
    if (monitor_connect(e, id, "", &fd, NULL) < 0)
        return false;
    if (monitor_send(fd, MONITOR_STOPPED, NULL, 0) < 0)
        return false;
    /* Its ACK (or the close of a monitor that is done). */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char buf[MONITOR_MSG_MAX + 1];
    while (poll(&p, 1, 5000) > 0) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0 || buf[0] == MONITOR_ACK || buf[0] == MONITOR_EXIT)
            return true;
    }
    return true;
}

/* ---- launching the runtime's container ------------------------------------------ */

/* A socket for the runtime to send the terminal's master to (its path
 * through our own fd of the run folder, short whatever --runroot is). */
static int console_listen(int rdirfd, char *path, size_t len, struct error **err)
{
    static const char name[] = "console.sock";
    unlinkat(rdirfd, name, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", rdirfd, name);
    cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
        return error_errno(err, "making the console socket");
    snprintf(path, len, "%s", sa.sun_path);
    return steal_fd(&fd);
}

/* The master the runtime sent while it made the container. */
static int console_take(int listen_fd, int rdirfd, int *ret_master, struct error **err)
{
    struct pollfd p = {.fd = listen_fd, .events = POLLIN};
    int r = poll(&p, 1, 10000);
    unlinkat(rdirfd, "console.sock", 0);
    if (r <= 0)
        return error_new(err, ETIMEDOUT, "the container's terminal did not come");
    cleanup_close int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return error_errno(err, "accepting the container's terminal");
    return tty_recv_master(conn, ret_master, err);
}

int monitor_launch(struct engine *e, const struct engine_container *c, pid_t *ret_pid,
                   int64_t *ret_started, int *ret_master, struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    if (r < 0)
        return r;
    cleanup_free char *cdir = engine_container_dir(e, c->id);
    cleanup_free char *rdir = engine_container_rundir(e, c->id);
    cleanup_free char *pid_file = NULL;
    if (cdir == NULL || rdir == NULL || asprintf(&pid_file, "%s/init.pid", rdir) < 0)
        return error_new(err, ENOMEM, "out of memory");
    if ((r = fs_mkdir_p(rdir, 0700, err)) < 0)
        return r;
    /* What a run that nobody cleaned up left (a killed monitor). */
    cleanup_json json_t *st = NULL;
    if (container_state(rt, c->id, &st, NULL) == 0) {
        const char *s = json_string_value(json_object_get(st, "status"));
        if (s && strcmp(s, "stopped") != 0)
            return error_new(err, EBUSY, "container %.12s is already running", c->id);
        if ((r = container_delete(rt, c->id, true, err)) < 0)
            return r;
    }
    cleanup_close int rdirfd = open(rdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char console[108] = "";
    cleanup_close int listen_fd = -1;
    if (rdirfd < 0)
        return error_errno(err, "opening `%s`", rdir);
    if (engine_container_tty(c) && (listen_fd = console_listen(rdirfd, console, sizeof(console),
                                                              err)) < 0)
        return listen_fd;
    /* The network (netvol.h), for this run: set up before the runtime
     * makes the container in its namespace, torn down if it fails. */
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (cdirfd < 0)
        return error_errno(err, "opening `%s`", cdir);
    if ((r = netvol_start(e, c, cdirfd, err)) < 0) {
        unlinkat(rdirfd, "console.sock", 0);
        return r;
    }
    /* The pid comes from the pid file: a process that is already gone when
     * we ask has no pid in the runtime's state any more.  /cabin is the
     * engine's: the last container out removes it. */
    struct container_opts opts = {.bundle = cdir, .detach = true, .pid_file = pid_file,
                                  .console_socket = listen_fd >= 0 ? console : NULL,
                                  .cgroup_parents_shared = true};
    int status;
    if ((r = container_run(rt, c->id, &opts, &status, err)) < 0) {
        cleanup_error struct error *e2 = NULL;
        unlinkat(rdirfd, "console.sock", 0);
        netvol_stop(e, c->id, &e2);
        return r;
    }
    int64_t started = engine_now_ns();
    int master = -1;
    cleanup_free char *text = NULL;
    if (listen_fd >= 0)
        r = console_take(listen_fd, rdirfd, &master, err);
    if (r == 0)
        r = fs_read_file_at(AT_FDCWD, pid_file, 64, &text, NULL, err);
    unlink(pid_file);
    pid_t pid = text ? (pid_t) atoi(text) : 0;
    if (r == 0 && pid <= 0)
        r = error_new(err, EIO, "container %.12s: no pid in `%s`", c->id, pid_file);
    if (r < 0) {
        close_keep_errno(master);
        container_kill(rt, c->id, SIGKILL, true, NULL);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        container_delete(rt, c->id, true, NULL);
        cleanup_error struct error *e2 = NULL;
        netvol_stop(e, c->id, &e2);
        return r;
    }
    *ret_pid = pid;
    *ret_started = started;
    if (ret_master)
        *ret_master = master;
    else
        close_keep_errno(master);
    return 0;
}

/* ---- spawning a monitor ------------------------------------------------------------ */

/* What the grandchild needs, made before the forks. */
struct spawn {
    struct engine *e;
    const struct engine_container *c;
    char *cdir, *rdir, *program;
    char **exit_cmd;
    int report;       /* write end */
    int client;
    int held_lock; /* the caller's container lock: not ours to keep */
    const char *client_flags;
};

static void spawn_release(struct spawn *s)
{
    free(s->cdir);
    free(s->rdir);
    free(s->program);
    strv_free(s->exit_cmd);
}

/* "ERR CODE MESSAGE", or "XERR ..." when it was the process that could not
 * be executed (the runtime's error after the create: 126/127 material). */
static void report_error(int fd, const struct error *e)
{
    char text[REPORT_MAX];
    /* The runtime finds the program in the init (`process.args[0]: ...`)
     * and reports an execve that failed as the start's error. */
    bool exec = e && (strstr(e->msg, "starting container `") == e->msg ||
                      strstr(e->msg, "process.args[0]: ") == e->msg);
    int n = snprintf(text, sizeof(text), "%sERR %d %s\n", exec ? "X" : "", e ? e->code : EIO,
                     e ? e->msg : "unknown error");
    if (n > 0)
        fs_write_all(fd, text, (size_t) n < sizeof(text) ? (size_t) n : sizeof(text) - 1);
}

/* An fd that survives execve. */
static int keep(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

static int bind_socket(int rdirfd, struct error **err)
{
    unlinkat(rdirfd, MONITOR_SOCKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", rdirfd, MONITOR_SOCKET);
    cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
        return error_errno(err, "making the monitor's socket");
    return steal_fd(&fd);
}

static int take_lock(int rdirfd, struct error **err)
{
    cleanup_close int fd = openat(rdirfd, MONITOR_PID_FILE,
                                  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return error_errno(err, "opening " MONITOR_PID_FILE);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK
                   ? error_new(err, EBUSY, "the container is already running (its monitor is)")
                   : error_errno(err, "locking " MONITOR_PID_FILE);
    char pid[24];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t) n, 0) != n)
        return error_errno(err, "writing " MONITOR_PID_FILE);
    return steal_fd(&fd);
}

/* The container's stdio: pipes whose far ends go to the monitor.  *ret
 * gets out, err, in (-1: none) of the monitor's side. */
static int stdio_pipes(bool open_stdin, int ret[3], struct error **err)
{
    int out[2], er[2], in[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) < 0)
        return error_errno(err, "making the container's stdout");
    if (pipe2(er, O_CLOEXEC) < 0)
        return error_errno(err, "making the container's stderr");
    if (open_stdin && pipe2(in, O_CLOEXEC) < 0)
        return error_errno(err, "making the container's stdin");
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (dup2(open_stdin ? in[0] : null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(er[1], 2) < 0)
        return error_errno(err, "setting up the container's stdio");
    close(null);
    close(out[1]);
    close(er[1]);
    if (in[0] >= 0)
        close(in[0]);
    ret[0] = out[0];
    ret[1] = er[0];
    ret[2] = in[1];
    return 0;
}

static void push_fmt(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void push_fmt(char ***v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) >= 0)
        strv_push(v, s);
    free(s);
    va_end(ap);
}

static void exec_monitor(struct spawn *s, int fds[3], int listen_fd, int lock, pid_t pid,
                         int64_t started, const char *oom_file)
{
    const struct engine_container *c = s->c;
    char **argv = NULL;
    char when[48];
    engine_time_rfc3339(started, when, sizeof(when));
    const char *restart = json_string_value(
        json_object_get(json_object_get(c->host_config, "RestartPolicy"), "Name"));
    json_int_t retries = json_integer_value(
        json_object_get(json_object_get(c->host_config, "RestartPolicy"), "MaximumRetryCount"));
    json_t *log = json_object_get(json_object_get(c->host_config, "LogConfig"), "Config");
    const char *max_size = json_string_value(json_object_get(log, "max-size"));
    const char *max_file = json_string_value(json_object_get(log, "max-file"));
    int64_t size = 0;
    if (max_size)
        flags_parse_bytes("max-size", max_size, &size, NULL);
    strv_push(&argv, s->program);
    const char *pairs[][2] = {{"--id", c->id}, {"--cdir", s->cdir}, {"--rdir", s->rdir},
                              {"--started-at", when}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        strv_push(&argv, pairs[i][0]);
        strv_push(&argv, pairs[i][1]);
    }
    push_fmt(&argv, "--pid");
    push_fmt(&argv, "%d", (int) pid);
    push_fmt(&argv, "--run");
    push_fmt(&argv, "%d", c->run);
    if (engine_container_tty(c)) {
        push_fmt(&argv, "--pty");
        push_fmt(&argv, "%d", fds[0]);
    } else {
        push_fmt(&argv, "--stdout");
        push_fmt(&argv, "%d", fds[0]);
        push_fmt(&argv, "--stderr");
        push_fmt(&argv, "%d", fds[1]);
    }
    if (fds[2] >= 0) {
        push_fmt(&argv, "--stdin");
        push_fmt(&argv, "%d", fds[2]);
    }
    if (json_is_true(json_object_get(c->config, "StdinOnce")))
        push_fmt(&argv, "--stdin-once");
    push_fmt(&argv, "--listen");
    push_fmt(&argv, "%d", listen_fd);
    push_fmt(&argv, "--lock");
    push_fmt(&argv, "%d", lock);
    push_fmt(&argv, "--report");
    push_fmt(&argv, "%d", s->report);
    if (s->client >= 0) {
        push_fmt(&argv, "--client");
        push_fmt(&argv, "%d", s->client);
        push_fmt(&argv, "--client-flags");
        push_fmt(&argv, "%s", s->client_flags);
    }
    push_fmt(&argv, "--log-max-size");
    push_fmt(&argv, "%lld", (long long) size);
    push_fmt(&argv, "--log-max-files");
    push_fmt(&argv, "%s", max_file ? max_file : "1");
    if (oom_file) {
        push_fmt(&argv, "--oom-file");
        push_fmt(&argv, "%s", oom_file);
    }
    push_fmt(&argv, "--restart");
    push_fmt(&argv, "%s", restart && *restart ? restart : "no");
    push_fmt(&argv, "--restart-max");
    push_fmt(&argv, "%lld", (long long) retries);
    push_fmt(&argv, "--");
    for (size_t i = 0; s->exit_cmd[i]; i++)
        strv_push(&argv, s->exit_cmd[i]);
    if (argv == NULL)
        return;
    int all[] = {fds[0], fds[1], fds[2], listen_fd, lock, s->report, s->client};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i] >= 0)
            keep(all[i]);
    extern char **environ;
    execve(s->program, argv, environ);
}

/* The starter's container lock, shared with it since the fork, is ours
 * too until the run is made or has failed: a starter killed meanwhile
 * leaves it held, so that a second start waits for this one's outcome.
 * The monitor never holds it. */
static void release_held(struct spawn *s)
{
    if (s->held_lock >= 0)
        close(s->held_lock);
    s->held_lock = -1;
}

/* The grandchild: becomes the monitor, or reports why not. */
static void __attribute__((noreturn)) spawned(struct spawn *s)
{
    struct error *err = NULL;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
        error_errno(&err, "becoming a child subreaper");
        release_held(s);
        report_error(s->report, err);
        _exit(1);
    }
    cleanup_close int rdirfd = open(s->rdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int lock = rdirfd < 0 ? error_errno(&err, "opening `%s`", s->rdir) : take_lock(rdirfd, &err);
    int listen_fd = lock < 0 ? -1 : bind_socket(rdirfd, &err);
    int fds[3] = {-1, -1, -1};
    pid_t pid = 0;
    int64_t started = 0;
    bool tty = engine_container_tty(s->c);
    int master = -1;
    int r = listen_fd < 0 ? -1 : tty ? 0 : stdio_pipes(engine_container_open_stdin(s->c), fds, &err);
    if (r == 0)
        r = monitor_launch(s->e, s->c, &pid, &started, &master, &err);
    if (r == 0 && tty)
        fds[0] = master; /* the terminal is its only stream */
    if (r < 0) {
        /* The monitor's lock goes before the starter hears: once it has,
         * nobody may take this process for a monitor. */
        if (lock >= 0)
            close(lock);
        release_held(s);
        report_error(s->report, err);
        _exit(1);
    }
    /* The monitor holds no end of the container's stdio but its own. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    struct runtime *rt = NULL;
    char *oom = NULL;
    if (engine_runtime(s->e, &rt, NULL) == 0)
        container_oom_file(rt, s->c->id, &oom, NULL);
    release_held(s);
    exec_monitor(s, fds, listen_fd, lock, pid, started, oom);
    /* The process runs, but nobody would watch it: stop it. */
    error_errno(&err, "executing %s", s->program);
    container_kill(rt, s->c->id, SIGKILL, true, NULL);
    waitpid(pid, NULL, 0);
    container_delete(rt, s->c->id, true, NULL);
    close(lock);
    report_error(s->report, err);
    _exit(1);
}

static int exit_command(struct engine *e, char ***ret, struct error **err)
{
    cleanup_strv char **v = NULL;
    if (e->self == NULL)
        return error_new(err, EINVAL, "cannot tell the monitor how to run cabin: its path is "
                                      "unknown");
    strv_push(&v, e->self);
    strv_push(&v, "--root");
    strv_push(&v, e->root);
    strv_push(&v, "--runroot");
    strv_push(&v, e->runroot);
    for (size_t i = 0; e->storage_opts && e->storage_opts[i]; i++) {
        strv_push(&v, "--storage-opt");
        strv_push(&v, e->storage_opts[i]);
    }
    strv_push(&v, "container");
    strv_push(&v, "cleanup");
    strv_push(&v, "--report-fd");
    if (strv_push(&v, "3") < 0)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&v);
    return 0;
}

/* Read the report: "OK" from the monitor, or "[X]ERR CODE MESSAGE". */
static int read_report(int fd, const char *id, bool *ret_exec_failed, struct error **err)
{
    char text[REPORT_MAX + 1];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, text + len, sizeof(text) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
        if (len == sizeof(text) - 1)
            break;
    }
    text[len] = '\0';
    text[strcspn(text, "\n")] = '\0';
    if (strcmp(text, "OK") == 0)
        return 0;
    int code = 0, off = 0;
    bool exec = text[0] == 'X';
    if (sscanf(text + exec, "ERR %d %n", &code, &off) == 1 && off > 0) {
        *ret_exec_failed = exec;
        return error_new(err, code > 0 ? code : EIO, "%s", text + exec + off);
    }
    return error_new(err, EIO, "container %.12s: its monitor ended before it started", id);
}

int monitor_spawn(struct engine *e, const struct engine_container *c, int client,
                  const char *client_flags, int held_lock, bool *ret_exec_failed,
                  struct error **err)
{
    *ret_exec_failed = false;
    cleanup_close int client_fd = client;
    struct spawn s = {.e = e, .c = c, .client = client, .client_flags = client_flags,
                      .report = -1, .held_lock = held_lock};
    int report[2] = {-1, -1};
    s.cdir = engine_container_dir(e, c->id);
    s.rdir = engine_container_rundir(e, c->id);
    int r = s.cdir && s.rdir ? 0 : error_new(err, ENOMEM, "out of memory");
    if (r == 0 && (r = fs_mkdir_p(s.rdir, 0700, err)) < 0)
        error_wrap(err, "making the container's run folder");
    if (r == 0)
        r = monitor_program(e, "cabin-monitor", &s.program, err);
    if (r == 0)
        r = exit_command(e, &s.exit_cmd, err);
    if (r == 0 && pipe2(report, O_CLOEXEC) < 0)
        r = error_errno(err, "making a pipe");
    if (r < 0) {
        spawn_release(&s);
        return r;
    }
    s.report = report[1];
    pid_t mid = fork();
    if (mid == 0) {
        close(report[0]);
        /* A session of its own: no terminal's signals, no process group
         * kill of ours reaches the monitor. */
        setsid();
        pid_t pid = fork();
        if (pid == 0)
            spawned(&s);
        _exit(pid < 0 ? 1 : 0);
    }
    close(report[1]);
    cleanup_close int rfd = report[0];
    if (mid < 0) {
        spawn_release(&s);
        return error_errno(err, "starting the container's monitor (fork)");
    }
    waitpid(mid, NULL, 0);
    spawn_release(&s);
    close(steal_fd(&client_fd));
    return read_report(rfd, c->id, ret_exec_failed, err);
}
