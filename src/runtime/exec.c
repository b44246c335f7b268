/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container_exec(): one more process in a running (or created) container.
 *
 * The runtime forks the process itself, so that it is the runtime's child:
 * in the foreground the runtime waits for it and returns its status; with
 * --detach the runtime exits and the process goes to the caller's
 * subreaper (conmon, containerd's shim), which reaps it, as with runc.
 *
 * A pid namespace is entered only by children of the one that joins it
 * (setns gives "pid_for_children"): the runtime joins the init's for the
 * fork and goes back to its own right after.  The child waits until the
 * runtime has moved it into the container's cgroup, then joins the other
 * namespaces through a pidfd of the init (no /proc path to race on): the
 * user namespace last, since until then it is root of the host and may
 * join anything.  From there on it is set up as the init was
 * (process_prepare/process_start) and reports failures over a socket whose
 * EOF means its execve succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/foreground.h"
#include "runtime/lsm.h"
#include "runtime/process.h"
#include "runtime/sync.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- the process ---------------------------------------------------------- */

static int replace_string(char **field, const char *v)
{
    char *copy = strdup(v);
    if (copy == NULL)
        return -ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

static int add_caps(struct spec_process *p, char *const *caps, struct error **err)
{
    for (size_t i = 0; caps && caps[i]; i++) {
        int c = spec_cap_from_name(caps[i]);
        if (c < 0) {
            /* runc takes only "CAP_" names; "NET_ADMIN" means the same. */
            char full[64];
            snprintf(full, sizeof(full), "CAP_%s", caps[i]);
            c = strncasecmp(caps[i], "cap_", 4) != 0 ? spec_cap_from_name(full) : -EINVAL;
        }
        if (c < 0)
            return error_new(err, EINVAL, "--cap: unknown capability `%s`", caps[i]);
        uint64_t bit = 1ULL << c;
        p->caps.bounding |= bit;
        p->caps.effective |= bit;
        p->caps.permitted |= bit;
        if (p->caps.inheritable & bit)
            p->caps.ambient |= bit;
        p->caps.present = true;
    }
    return 0;
}

static int add_gids(struct spec_process *p, const uint32_t *gids, size_t n, struct error **err)
{
    if (n == 0)
        return 0;
    if (p->n_additional_gids + n > 65536)
        return error_new(err, E2BIG, "--additional-gids: too many groups");
    gid_t *g = realloc(p->additional_gids, (p->n_additional_gids + n) * sizeof(gid_t));
    if (g == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        g[p->n_additional_gids + i] = gids[i];
    p->additional_gids = g;
    p->n_additional_gids += n;
    return 0;
}

static int apply_overrides(struct spec_process *p, const struct container_exec_opts *o,
                           struct error **err)
{
    if (o->cwd) {
        if (o->cwd[0] != '/')
            return error_new(err, EINVAL, "--cwd `%s`: must be an absolute path", o->cwd);
        char *c = fs_path_clean(o->cwd);
        if (c == NULL)
            return error_new(err, ENOMEM, "out of memory");
        free(p->cwd);
        p->cwd = c;
    }
    for (size_t i = 0; o->env && o->env[i]; i++) {
        int r = strv_env_set(&p->env, o->env[i]);
        if (r == -EINVAL)
            return error_new(err, EINVAL, "--env `%s`: expected NAME=VALUE", o->env[i]);
        if (r < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    if (o->set_uid)
        p->uid = o->uid;
    if (o->set_gid)
        p->gid = o->gid;
    int r = add_gids(p, o->additional_gids, o->n_additional_gids, err);
    if (r == 0)
        r = add_caps(p, o->caps, err);
    if (r < 0)
        return r;
    if (o->no_new_privs >= 0)
        p->no_new_privileges = o->no_new_privs != 0;
    if (o->terminal >= 0)
        p->terminal = o->terminal != 0;
    if ((o->apparmor_profile && replace_string(&p->apparmor_profile, o->apparmor_profile) < 0) ||
        (o->selinux_label && replace_string(&p->selinux_label, o->selinux_label) < 0))
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

/* The process to run: --process's, or the container's own with new args
 * (taken out of `s`). */
static int build_process(struct spec *s, const struct container_exec_opts *o,
                         struct spec_process **ret, struct error **err)
{
    bool have_args = o->args && o->args[0];
    struct spec_process *p = NULL;
    int r;
    if (o->process && have_args)
        return error_new(err, EINVAL,
                         "exec: give the command either as arguments or in --process, not both");
    if (o->process) {
        if ((r = spec_process_parse(o->process, &p, err)) < 0)
            return error_wrap(err, "--process");
    } else {
        if (!have_args)
            return error_new(err, EINVAL, "exec: no command given (arguments or --process)");
        if (strv_length(o->args) > SPEC_MAX_ARGS)
            return error_new(err, E2BIG, "exec: more than %d arguments", SPEC_MAX_ARGS);
        p = steal_pointer(&s->process);
        p->terminal = false;
        strv_free(p->args);
        p->args = NULL;
        for (size_t i = 0; o->args[i]; i++)
            if (strv_push(&p->args, o->args[i]) < 0) {
                spec_process_free(p);
                return error_new(err, ENOMEM, "out of memory");
            }
    }
    if ((r = apply_overrides(p, o, err)) < 0) {
        spec_process_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

/* runc's rules for where the terminal goes. */
static int check_terminal(const struct spec_process *p, const struct container_exec_opts *o,
                          struct error **err)
{
    if (o->console_socket && !p->terminal)
        return error_new(err, EINVAL,
                         "--console-socket is given, but the process has no terminal (--tty)");
    if (o->console_socket && !o->detach)
        return error_new(err, EINVAL,
                         "--console-socket is for a detached exec (--detach); in the foreground "
                         "exec is the terminal's other end itself");
    if (p->terminal && o->detach && !o->console_socket)
        return error_new(err, EINVAL,
                         "a detached exec with a terminal needs --console-socket to send it to");
    return 0;
}

/* ---- the child ------------------------------------------------------------ */

struct exec_child {
    const struct spec_process *proc;
    const struct seccomp_program *seccomp;
    struct lsm_plan lsm;
    int sync_fd;
    int console_fd; /* -1: no terminal */
    int pidfd;      /* the container's init */
    int join;       /* CLONE_NEW* of the namespaces to join (pid done already) */
    unsigned int preserve_fds;
};

static int join_namespaces(const struct exec_child *c, struct error **err)
{
    /* Every one but the user namespace while we are root of the host; the
     * mount namespace last of those (setns puts us at its root). */
    static const enum spec_ns order[] = {SPEC_NS_IPC, SPEC_NS_UTS,  SPEC_NS_NET,
                                         SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_MNT};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int flag = spec_ns_flag(order[i]);
        if ((c->join & flag) && setns(c->pidfd, flag) < 0)
            return error_errno(err, "joining the container's %s namespace",
                               spec_ns_name(order[i]));
    }
    if (!(c->join & CLONE_NEWUSER))
        return 0;
    if (setns(c->pidfd, CLONE_NEWUSER) < 0)
        return error_errno(err, "joining the container's user namespace");
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return error_errno(err, "becoming root in the container's user namespace");
    return 0;
}

static int child_setup(struct exec_child *c, struct process_exec *ret, struct error **err)
{
    struct sync_msg msg;
    /* In the container's cgroup before anything of it is touched. */
    int r = sync_expect(c->sync_fd, SYNC_GO, "waiting for the runtime", &msg, err);
    if (r < 0 || (r = join_namespaces(c, err)) < 0)
        return r;
    close(c->pidfd);
    c->pidfd = -1;
    cleanup_close int slave = -1;
    if (c->console_fd >= 0) {
        cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct tty_pair t = {-1, -1};
        if (rootfd < 0)
            return error_errno(err, "opening the container's root");
        r = tty_open(rootfd, c->proc, &t, err);
        if (r == 0)
            r = tty_send_master(c->console_fd, t.master, err);
        close(steal_fd(&c->console_fd));
        close_keep_errno(t.master);
        if (r < 0) {
            close_keep_errno(t.slave);
            return r;
        }
        slave = t.slave;
    }
    /* runc's exec does not make a missing cwd (the init does). */
    if (access(c->proc->cwd, F_OK) < 0)
        return error_errno(err, "process.cwd `%s`", c->proc->cwd);
    return process_prepare(c->proc, c->seccomp, steal_fd(&slave), c->sync_fd, ret, err);
}

__attribute__((noreturn)) static void child_main(struct exec_child *c)
{
    cleanup_error struct error *err = NULL;
    struct process_exec ex = {0};
    process_reset_signals();
    int keep[] = {c->sync_fd, c->console_fd, c->pidfd};
    process_close_fds_but(3 + c->preserve_fds, keep, sizeof(keep) / sizeof(keep[0]));
    /* The state directory's lock is gone with its fd: tell the runtime,
     * which may freeze us (a paused container) from now on. */
    if (sync_send(c->sync_fd, SYNC_READY, 0, NULL) < 0)
        _exit(1);
    if (child_setup(c, &ex, &err) == 0) {
        ex.lsm = c->lsm;
        process_start(c->preserve_fds, &ex, &err);
    }
    sync_send_error(c->sync_fd, err);
    _exit(error_code(err) == ENOENT ? 127 : 126);
}

/* ---- the runtime's side --------------------------------------------------- */

/* Everything an exec holds; released together. */
struct exec_ctx {
    const char *id;
    struct container_state *st;
    struct spec *spec;
    struct spec_process *proc;
    struct seccomp_program *seccomp;
    struct lsm_plan lsm; /* points into proc and spec */
    struct cgroup *cgroup;
    int dirfd;
    int pidfd;
    int console_fd;   /* the child's end: a --console-socket connection, or ours */
    int console_peer; /* a foreground exec's end of console_fd, else -1 */
    int join;
    bool paused;
};

static void exec_ctx_release(struct exec_ctx *x)
{
    state_free(x->st);
    spec_free(x->spec);
    spec_process_free(x->proc);
    seccomp_program_free(x->seccomp);
    cgroup_free(x->cgroup);
    close_keep_errno(x->dirfd);
    close_keep_errno(x->pidfd);
    close_keep_errno(x->console_fd);
    close_keep_errno(x->console_peer);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The init's namespaces that we are not in: to join. */
static int namespaces_to_join(struct exec_ctx *x, struct error **err)
{
    for (int i = 0; i < SPEC_NS__COUNT; i++) {
        char theirs[64], ours[64];
        snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int) x->st->pid,
                 spec_ns_proc_name(i));
        snprintf(ours, sizeof(ours), "/proc/self/ns/%s", spec_ns_proc_name(i));
        if (access(ours, F_OK) < 0)
            continue; /* not a namespace this kernel has */
        if (!same_file(theirs, ours))
            x->join |= spec_ns_flag(i);
    }
    /* The /proc paths were the init's if it is still alive now. */
    if (syscall(SYS_pidfd_send_signal, x->pidfd, 0, NULL, 0) < 0)
        return error_new(err, ESRCH, "cannot exec in container `%s`: it is not running", x->id);
    return 0;
}

static int open_console(struct exec_ctx *x, const struct container_exec_opts *o,
                        struct error **err)
{
    if (!x->proc->terminal)
        return 0;
    if (o->console_socket == NULL)
        foreground_size_process(x->proc);
    return tty_console(o->console_socket, &x->console_fd, &x->console_peer, err);
}

/* Read the container's state and config and build what the child needs. */
static int exec_prepare(struct runtime *rt, const char *id, const struct container_exec_opts *o,
                        struct exec_ctx *x, struct error **err)
{
    enum container_status status;
    int r = container_read_state(rt, id, LOCK_SH, &x->dirfd, &x->st, &status, err);
    if (r < 0)
        return r;
    if (status == STATUS_STOPPED || status == STATUS_CREATING)
        return error_new(err, EINVAL, "cannot exec in container `%s`: it is %s", id,
                         state_status_name(status));
    if (status == STATUS_PAUSED && !o->ignore_paused)
        return error_new(err, EBUSY,
                         "cannot exec in container `%s`: it is paused (resume it, or use "
                         "--ignore-paused)",
                         id);
    x->paused = status == STATUS_PAUSED;
    cleanup_json json_t *config = NULL;
    if ((r = state_read_config(x->dirfd, id, &config, err)) < 0)
        return r;
    if ((r = spec_from_json(config, &x->spec, err)) < 0)
        return error_wrap(err, "the recorded config of container `%s`", id);
    if ((r = build_process(x->spec, o, &x->proc, err)) < 0 ||
        (r = check_terminal(x->proc, o, err)) < 0 ||
        (r = container_seccomp(rt, x->spec, &x->seccomp, err)) < 0)
        return r;
    if (x->paused && seccomp_program_notifies(x->seccomp))
        return error_new(err, EBUSY,
                         "cannot exec in container `%s` with --ignore-paused: its seccomp "
                         "profile notifies, and the listener can be handed over only once "
                         "the process runs (resume the container first)",
                         id);
    /* The labels of this process (its own apparmorProfile and
     * selinuxLabel, the container's mountLabel), as the init's. */
    struct lsm_state lsm;
    struct spec with_proc = *x->spec;
    with_proc.process = x->proc;
    lsm_detect("/", &lsm);
    lsm_plan(&lsm, &with_proc, &x->lsm);
    if (x->st->cgroup && (r = cgroup_from_json(x->st->cgroup, &x->cgroup, err)) < 0)
        return r;
    x->pidfd = container_pidfd(x->st->pid, x->st->start_time);
    if (x->pidfd < 0)
        return error_new(err, ESRCH, "cannot exec in container `%s`: it is not running", id);
    if ((r = namespaces_to_join(x, err)) < 0)
        return r;
    return open_console(x, o, err);
}

/* Fork the child into the init's pid namespace (when it is not ours);
 * the caller's own pid_for_children is put back at once.  Not dumpable
 * from the start: it holds our fds inside the container's pid namespace. */
static pid_t fork_child(struct exec_ctx *x, const struct container_exec_opts *o, int sync_fd,
                        struct error **err)
{
    cleanup_close int own_pidns = -1;
    if (x->join & CLONE_NEWPID) {
        own_pidns = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
        if (own_pidns < 0)
            return error_errno(err, "opening our pid namespace");
        if (setns(x->pidfd, CLONE_NEWPID) < 0)
            return error_errno(err, "joining the container's pid namespace");
    }
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct exec_child c = {
            .proc = x->proc,
            .seccomp = x->seccomp,
            .lsm = x->lsm,
            .sync_fd = sync_fd,
            .console_fd = x->console_fd,
            .pidfd = x->pidfd,
            .join = x->join & ~CLONE_NEWPID,
            .preserve_fds = o->preserve_fds,
        };
        child_main(&c);
    }
    int saved = errno;
    if (dumpable > 0)
        prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
    if (own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0) {
        /* We could not go back: a later fork of ours would land in the
         * container.  Do not go on. */
        int r = error_errno(err, "returning to our pid namespace");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return r;
    }
    errno = saved;
    if (pid < 0)
        return errno == ENOMEM ? error_new(err, ESRCH,
                                           "cannot exec in container `%s`: its pid namespace "
                                           "is gone (it is not running)",
                                           x->id)
                               : error_errno(err, "forking the process");
    return pid;
}

/* SCMP_ACT_NOTIFY: the process loaded its filter and sends the listener;
 * it goes on to linux.seccomp.listenerPath with the container's state and
 * the process's pid, as runc does for exec. */
static int forward_listener(const struct exec_ctx *x, pid_t pid, int sync, struct error **err)
{
    struct sync_msg msg;
    cleanup_close int fd = -1;
    int r = sync_recv_fd(sync, &msg, &fd);
    if (r == -EPIPE)
        return error_new(err, ECHILD, "loading the seccomp filter: the process exited first");
    if (r < 0)
        return error_errnum(err, -r, "reading the seccomp listener from the process");
    if (msg.type == SYNC_ERROR)
        return error_new(err, msg.value > 0 ? msg.value : EINVAL, "%s", msg.text);
    if (msg.type != SYNC_SECCOMP || fd < 0)
        return error_new(err, EPROTO, "expected the seccomp listener, got message %u",
                         msg.type);
    cleanup_json json_t *st = state_to_json(x->st, STATUS_RUNNING);
    if (st == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r = seccomp_send_listener(x->spec->seccomp, st, pid, fd, err);
    return r < 0 ? error_wrap(err, "the recorded config") : 0;
}

/* The child is in the cgroup, told to go, and has exec'd (or failed). */
static int start_child(struct exec_ctx *x, pid_t pid, int sync, struct error **err)
{
    struct sync_msg msg;
    int r = sync_expect(sync, SYNC_READY, "starting the process", &msg, err);
    if (r < 0)
        return r;
    if (x->cgroup && (r = cgroup_enter(x->cgroup, pid, err)) < 0)
        return error_wrap(err, "joining the container's cgroup");
    if (sync_send(sync, SYNC_GO, pid, NULL) < 0)
        return error_errno(err, "signalling the process");
    if (seccomp_program_notifies(x->seccomp) && (r = forward_listener(x, pid, sync, err)) < 0)
        return r;
    /* In a frozen cgroup the child is frozen at once, and stays so until
     * `resume`; its exec is then not awaited (the checks up to exec, the
     * command's lookup among them, run once it thaws). */
    if (x->paused)
        return 0;
    return container_await_exec(sync, err);
}

static int run_child(struct exec_ctx *x, const struct container_exec_opts *o, int *ret_status,
                     struct error **err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return error_errno(err, "making the sync socket");
    cleanup_close int mine = sv[0], theirs = sv[1], master = -1;
    pid_t pid = fork_child(x, o, theirs, err);
    if (pid < 0)
        return pid;
    close(steal_fd(&theirs));
    close_keep_errno(steal_fd(&x->console_fd));
    int r = start_child(x, pid, mine, err);
    if (r == 0 && x->console_peer >= 0 && !x->paused)
        r = tty_recv_master(x->console_peer, &master, err);
    if (r == 0 && o->pid_file)
        r = container_write_pid_file(o->pid_file, pid, err);
    if (r < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return r;
    }
    if (o->detach) {
        *ret_status = 0;
        return 0;
    }
    if (master < 0 && x->console_peer >= 0 &&
        (r = tty_recv_master(x->console_peer, &master, err)) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return r;
    }
    /* Let `delete`, `kill` and `pause` in while it runs. */
    flock(x->dirfd, LOCK_UN);
    return foreground_wait(pid, master, ret_status, err);
}

int container_exec(struct runtime *rt, const char *id, const struct container_exec_opts *o,
                   int *ret_status, struct error **err)
{
    struct exec_ctx x = {.id = id, .dirfd = -1, .pidfd = -1, .console_fd = -1,
                         .console_peer = -1};
    /* Block SIGCHLD before the process exists, so its exit is not lost. */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    int r = exec_prepare(rt, id, o, &x, err);
    if (r == 0 && (r = run_child(&x, o, ret_status, err)) < 0)
        error_wrap(err, "exec in container `%s`", id);
    sigprocmask(SIG_SETMASK, &old, NULL);
    exec_ctx_release(&x);
    return r;
}
