/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "engine/names.h"
#include "engine/netvol.h"
#include "monitor/protocol.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/sock.h"

/* How long a monitor may take to clean up after its process ended. */
#define CLEANUP_WAIT_MS 60000

static bool running(const struct engine_state *s)
{
    return s->status == ENGINE_RUNNING || s->status == ENGINE_PAUSED ||
           s->status == ENGINE_RESTARTING;
}

/* ---- start ------------------------------------------------------------------------- */

static void attach_flags(const struct engine_attach_opts *o, char *flags)
{
    size_t n = 0;
    if (o->in)
        flags[n++] = MONITOR_F_STDIN;
    if (o->out)
        flags[n++] = MONITOR_F_STDOUT;
    if (o->err)
        flags[n++] = MONITOR_F_STDERR;
    if (o->stdin_once)
        flags[n++] = MONITOR_F_ONCE;
    if (o->cleaner)
        flags[n++] = MONITOR_F_CLEANER;
    flags[n] = '\0';
}

/* What a run that nobody cleaned up left (its monitor was killed, or the
 * host restarted): the runtime's container, the mount. */
static void clean_leftovers(struct engine *e, const struct engine_container *c)
{
    struct runtime *rt = NULL;
    cleanup_json json_t *st = NULL;
    if (engine_runtime(e, &rt, NULL) == 0 && container_state(rt, c->id, &st, NULL) == 0) {
        const char *s = json_string_value(json_object_get(st, "status"));
        if (s && strcmp(s, "stopped") == 0)
            container_delete(rt, c->id, true, NULL);
    }
}

/* Has the current run's process ended while its monitor still cleans up
 * (as opposed to a monitor that is starting a new run)? */
static bool cleaning_up(struct engine *e, const struct engine_container *c,
                        const struct engine_state *st)
{
    if (!st->monitor || st->status != ENGINE_EXITED)
        return false;
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    cleanup_json json_t *j = NULL;
    if (cdirfd < 0 || json_load_file_at(cdirfd, MONITOR_STATE, 1u << 20, &j, NULL) < 0)
        return false;
    const char *status = json_string_value(json_object_get(j, "status"));
    return json_integer_value(json_object_get(j, "run")) == c->run && status &&
           strcmp(status, "exited") == 0;
}

int engine_container_start(struct engine *e, struct engine_container *c,
                           const struct engine_attach_opts *attach, int *ret_attach,
                           struct error **err)
{
    cleanup_close int lock = -1;
    int r = engine_container_lock(e, c, &lock, err);
    if (r < 0)
        return r;
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (cleaning_up(e, c, &st)) {
        /* The process ended and its monitor still cleans up (the network's
         * teardown, the unmount): this start follows that cleanup, it does
         * not count as one of a running container. */
        close(steal_fd(&lock));
        if (monitor_wait_gone(e, c->id, CLEANUP_WAIT_MS) < 0)
            return error_new(err, ETIMEDOUT, "container %.12s: its monitor did not finish its "
                                             "cleanup", c->id);
        if ((r = engine_container_lock(e, c, &lock, err)) < 0)
            return r;
        engine_container_state(e, c, &st);
    }
    if (running(&st) || st.monitor) {
        if (attach)
            return error_new(err, EBUSY, "container %.12s is already running", c->id);
        return 0; /* docker start of a running container does nothing */
    }
    clean_leftovers(e, c);
    if ((r = engine_container_mount(e, c, err)) < 0)
        return r;
    c->run++;
    c->stopped_by_user = false;
    if ((r = engine_container_write(e, c, false, err)) < 0)
        return r;
    /* The lock is held until the monitor runs (its process closes its copy):
     * an rm -f or a second start waits for it, and then finds a monitor to
     * stop, not a created container to delete under a starting one. */
    int sv[2] = {-1, -1};
    char flags[8] = "";
    if (attach) {
        attach_flags(attach, flags);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
            return error_errno(err, "making the attach socket");
    }
    cleanup_close int mine = sv[0];
    bool exec_failed = false;
    r = monitor_spawn(e, c, sv[1], flags, lock, &exec_failed, err);
    if (r < 0 && monitor_alive(e, c->id)) {
        /* A monitor runs all the same (made by something that does not
         * take the lock): the root, the network and the state are its
         * own, and the container runs, which is what was asked. */
        if (attach)
            return error_wrap(err, "starting container %.12s", c->id);
        error_free(*err);
        *err = NULL;
        return 0;
    }
    if (r < 0) {
        /* What a monitor killed while it set up the network left. */
        cleanup_error struct error *e2 = NULL, *e3 = NULL;
        netvol_stop(e, c->id, &e3);
        engine_container_unmount(e, c, &e2);
        /* docker: a container whose process could not start stays created,
         * with the error and 126/127 as its exit code. */
        cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
        int code = !exec_failed ? 125 : error_code(*err) == ENOENT ? 127 : 126;
        cleanup_json json_t *j = json_pack("{s:i, s:s, s:i, s:s}", "run", c->run, "status",
                                           "created", "exit_code", code, "error", (*err)->msg);
        if (cdirfd >= 0 && j)
            json_write_file_at(cdirfd, MONITOR_STATE, j, JSON_COMPACT, 0600, NULL);
        return error_wrap(err, "starting container %.12s", c->id);
    }
    if (ret_attach)
        *ret_attach = steal_fd(&mine);
    return 0;
}

/* ---- stop, kill ------------------------------------------------------------------------ */

static int mark_stopped(struct engine *e, struct engine_container *c, struct error **err)
{
    cleanup_close int lock = -1;
    /* Bounded: behind a start that hangs, stop, kill and rm -f say so. */
    int r = engine_container_lock_within(e, c, CLEANUP_WAIT_MS, &lock, err);
    if (r < 0)
        return r;
    c->stopped_by_user = true;
    return engine_container_write(e, c, false, err);
}

/* Wait for `pid` to end, at most timeout_ms (-1: forever): 0 or -ETIMEDOUT. */
static int wait_pid(pid_t pid, int timeout_ms)
{
    if (pid <= 0)
        return 0;
    cleanup_close int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pfd < 0)
        return 0; /* gone already */
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    return r == 0 ? -ETIMEDOUT : 0;
}

/* After the process ended: the monitor's cleanup, or ours when there is no
 * monitor (it was killed). */
static int settle(struct engine *e, struct engine_container *c, struct error **err)
{
    if (monitor_alive(e, c->id)) {
        if (monitor_wait_gone(e, c->id, CLEANUP_WAIT_MS) < 0)
            return error_new(err, ETIMEDOUT, "container %.12s: its monitor did not finish its "
                                             "cleanup", c->id);
        return 0;
    }
    int r = engine_container_cleanup(e, c->id, false, -1, err);
    return r < 0 && error_code(*err) == ENOENT ? 0 : r;
}

int engine_container_stop(struct engine *e, struct engine_container *c, int timeout,
                          struct error **err)
{
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (!running(&st) && !st.monitor)
        return 0;
    int r = mark_stopped(e, c, err);
    if (r < 0)
        return r;
    monitor_tell_stopped(e, c->id);
    if (timeout < 0)
        timeout = engine_container_stop_timeout(c);
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) < 0)
        return r;
    engine_container_state(e, c, &st);
    if (st.status == ENGINE_PAUSED)
        container_resume(rt, c->id, NULL); /* a frozen process cannot act on a signal */
    if (st.pid > 0) {
        int sig = engine_container_stop_signal(c);
        container_kill(rt, c->id, sig, false, NULL);
        if (wait_pid(st.pid, timeout < 0 ? -1 : timeout * 1000) < 0) {
            container_kill(rt, c->id, SIGKILL, true, NULL);
            wait_pid(st.pid, 10000);
        }
    }
    return settle(e, c, err);
}

int engine_container_halt(struct engine *e, struct engine_container *c, struct error **err)
{
    int r = mark_stopped(e, c, err);
    if (r < 0)
        return r;
    monitor_tell_stopped(e, c->id);
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) < 0)
        return r;
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (st.pid > 0) {
        container_kill(rt, c->id, SIGKILL, true, NULL);
        wait_pid(st.pid, 10000);
    }
    return settle(e, c, err);
}

int engine_container_kill(struct engine *e, struct engine_container *c, int sig,
                          struct error **err)
{
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (st.status != ENGINE_RUNNING && st.status != ENGINE_PAUSED)
        return error_new(err, EINVAL, "container %.12s is not running", c->id);
    /* docker: killing with KILL or the stop signal disables the restart
     * policy until the next start; other signals leave it. */
    bool stops = sig == SIGKILL || sig == engine_container_stop_signal(c);
    int r;
    if (stops) {
        if ((r = mark_stopped(e, c, err)) < 0)
            return r;
        monitor_tell_stopped(e, c->id);
    }
    if (sig == SIGKILL)
        return engine_container_halt(e, c, err);
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) < 0)
        return r;
    if ((r = container_kill(rt, c->id, sig, false, err)) < 0)
        return error_wrap(err, "killing container %.12s", c->id);
    return 0;
}

int engine_container_restart(struct engine *e, struct engine_container *c, int timeout,
                             struct error **err)
{
    int r = engine_container_stop(e, c, timeout, err);
    if (r < 0)
        return r;
    return engine_container_start(e, c, NULL, NULL, err);
}

/* ---- wait, pause, rename, attach ------------------------------------------------------ */

int engine_container_wait(struct engine *e, const struct engine_container *c, int *ret_code,
                          struct error **err)
{
    cleanup_close int fd = -1;
    if (monitor_connect(e, c->id, "", &fd, NULL) == 0) {
        char buf[MONITOR_MSG_MAX + 1];
        for (;;) {
            ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break; /* a monitor that went away: its last record says */
            buf[n] = '\0';
            if (buf[0] == MONITOR_EXIT || buf[0] == MONITOR_EXIT_CLEAN) {
                *ret_code = atoi(buf + 1);
                return 0;
            }
        }
    }
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (running(&st)) {
        /* Running without a monitor (it was killed): watch the process. */
        wait_pid(st.pid, -1);
        engine_container_state(e, c, &st);
    }
    *ret_code = st.exit_code;
    (void) err;
    return 0;
}

int engine_container_pause(struct engine *e, const struct engine_container *c,
                           struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    if (r == 0 && (r = container_pause(rt, c->id, err)) < 0)
        return error_code(*err) == ENOENT
                   ? error_new(err, EINVAL, "container %.12s is not running", c->id)
                   : r;
    return r;
}

int engine_container_unpause(struct engine *e, const struct engine_container *c,
                             struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    if (r == 0 && (r = container_resume(rt, c->id, err)) < 0)
        return error_code(*err) == ENOENT
                   ? error_new(err, EINVAL, "container %.12s is not paused", c->id)
                   : r;
    return r;
}

int engine_container_rename(struct engine *e, struct engine_container *c, const char *name,
                            struct error **err)
{
    if (*name == '/')
        name++;
    cleanup_close int lock = -1;
    int r = engine_container_lock(e, c, &lock, err);
    if (r < 0)
        return r;
    if (strcmp(c->name, name) == 0)
        return error_new(err, EINVAL, "renaming container %.12s: it is called `%s` already",
                         c->id, name);
    if ((r = names_claim(e, name, c->id, err)) < 0)
        return r;
    char *old = c->name;
    if ((c->name = strdup(name)) == NULL) {
        c->name = old;
        names_release(e, name, c->id);
        return error_new(err, ENOMEM, "out of memory");
    }
    if ((r = engine_container_write(e, c, true, err)) < 0) {
        names_release(e, name, c->id);
        free(c->name);
        c->name = old;
        return r;
    }
    names_release(e, old, c->id);
    free(old);
    return 0;
}

int engine_container_attach(struct engine *e, const struct engine_container *c,
                            const struct engine_attach_opts *o, int *ret_fd, struct error **err)
{
    struct engine_state st;
    engine_container_state(e, c, &st);
    if (st.status != ENGINE_RUNNING && st.status != ENGINE_PAUSED)
        return error_new(err, EINVAL, "cannot attach to container %.12s: it is %s", c->id,
                         engine_status_name(st.status));
    char flags[8];
    attach_flags(o, flags);
    return monitor_connect(e, c->id, flags, ret_fd, err);
}

void engine_attach_cleaned(struct engine *e, const char *id, int fd)
{
    cleanup_error struct error *err = NULL;
    if (engine_container_cleanup(e, id, false, -1, &err) < 0 && error_code(err) != ENOENT) {
        log_debug("cleaning up after container %.12s: %s", id, err->msg);
        return; /* the monitor sees us go without CLEANED and does it */
    }
    monitor_send(fd, MONITOR_CLEANED, NULL, 0);
    /* Its answer is that it has gone: wait for that, so that a command
     * after ours finds it gone. */
    char buf[MONITOR_MSG_MAX + 1];
    while (recv(fd, buf, sizeof(buf), 0) > 0)
        ;
}

/* ---- cleanup (the monitor's exit command) ---------------------------------------------- */

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
    if (fd < 0)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text) - 1, fmt, ap);
    va_end(ap);
    if (n > 0)
        fs_write_all(fd, text, (size_t) n < sizeof(text) - 1 ? (size_t) n : sizeof(text) - 2);
}

int engine_container_cleanup(struct engine *e, const char *id, bool restart, int report_fd,
                             struct error **err)
{
    cleanup_container struct engine_container *c = NULL;
    int r = engine_container_read(e, id, &c, err);
    cleanup_close int lock = -1;
    if (r == 0)
        r = engine_container_lock(e, c, &lock, err);
    if (r < 0) {
        if (error_code(*err) == ENOENT && !restart) {
            report(report_fd, "OK\n"); /* removed meanwhile: nothing to clean */
            return 0;
        }
        report(report_fd, "ERR %d %s\n", error_code(*err), (*err)->msg);
        return r;
    }
    struct runtime *rt = NULL;
    if ((r = engine_runtime(e, &rt, err)) == 0)
        r = container_delete(rt, c->id, true, err);
    if (r < 0 && error_code(*err) == ENOENT)
        r = 0;
    /* The network goes with the process (a restart sets it up anew):
     * its address, veth and port rules are released even when the rest
     * fails. */
    cleanup_error struct error *e2 = NULL;
    if (netvol_stop(e, c->id, &e2) < 0)
        log_warn("%s", e2->msg);
    if (r == 0 && restart && !c->stopped_by_user) {
        pid_t pid = 0;
        int64_t started = 0;
        cleanup_close int master = -1;
        if ((r = engine_container_mount(e, c, err)) == 0)
            r = monitor_launch(e, c, &pid, &started, &master, err);
        if (r == 0) {
            /* With a terminal, its new master goes to the monitor with the
             * answer (the report is a socket then). */
            char when[48], text[96];
            engine_time_rfc3339(started, when, sizeof(when));
            int n = snprintf(text, sizeof(text), "OK %d %s\n", (int) pid, when);
            if (master >= 0 && report_fd >= 0)
                sock_send_fd(report_fd, text, (size_t) n, master);
            else
                report(report_fd, "%s", text);
            return 0;
        }
    } else if (r == 0 && restart) {
        r = error_new(err, ECANCELED, "the container was stopped by the user");
    }
    if (r == 0 && !restart) {
        if (engine_container_auto_remove(c))
            r = engine_container_destroy(e, c, true, err);
        else
            r = engine_container_unmount(e, c, err);
    }
    if (r < 0) {
        report(report_fd, "ERR %d %s\n", error_code(*err), (*err)->msg);
        return r;
    }
    report(report_fd, "OK\n");
    return 0;
}
