/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "config.h"
#include "runtime/cgroup.h"
#include "runtime/container_internal.h"
#include "runtime/foreground.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/lsm.h"
#include "runtime/seccomp.h"
#include "runtime/namespaces.h"
#include "runtime/spec.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int runtime_open(const char *root, struct runtime **ret, struct error **err)
{
    struct runtime *rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        return error_new(err, ENOMEM, "out of memory");
    rt->rootfd = -1;
    rt->root = strdup(root);
    int r = state_root_open(root, &rt->rootfd, err);
    if (r < 0) {
        runtime_free(rt);
        return r;
    }
    *ret = rt;
    return 0;
}

void runtime_free(struct runtime *rt)
{
    if (rt == NULL)
        return;
    close_keep_errno(rt->rootfd);
    free(rt->root);
    free(rt);
}

/* ---- helpers ------------------------------------------------------------ */

int container_pidfd(pid_t pid, unsigned long long start_time)
{
    int fd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return -errno;
    /* The pid may have been reused between reading the state and opening
     * the pidfd: the start time tells. */
    if (state_pid_start_time(pid) != start_time) {
        close(fd);
        return -ESRCH;
    }
    return fd;
}

int container_write_pid_file(const char *path, pid_t pid, struct error **err)
{
    cleanup_close int dfd = -1;
    cleanup_free char *name = NULL;
    int r = fs_open_parent(path, &dfd, &name, err);
    if (r < 0)
        return error_wrap(err, "--pid-file");
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int) pid);
    r = fs_write_file_atomic(dfd, name, buf, (size_t) n, 0644, 0, err);
    return r < 0 ? error_wrap(err, "--pid-file `%s`", path) : 0;
}

static char *absolute_path(const char *p)
{
    char *r = realpath(p, NULL);
    return r;
}

/* What a create needs, gathered and checked before anything is made. */
struct prepared {
    struct spec *spec;
    struct seccomp_program *seccomp;
    struct cgroup_resources *resources;
    struct cgroup *cgroup;
    struct lsm_plan lsm; /* points into spec */
    char *bundle;
    char *rootfs;
    int ns_fds[SPEC_NS__COUNT];
    int console_fd;   /* process.terminal: the init sends the pty's master here */
    int console_peer; /* a foreground run's end of console_fd, else -1 */
};

static void prepared_release(struct prepared *p)
{
    spec_free(p->spec);
    cgroup_resources_free(p->resources);
    seccomp_program_free(p->seccomp);
    cgroup_free(p->cgroup);
    free(p->bundle);
    free(p->rootfs);
    ns_close_all(p->ns_fds);
    close_keep_errno(p->console_fd);
    close_keep_errno(p->console_peer);
}

/* Where the terminal goes (runc's rules): a detached container (create,
 * run -d) sends it to --console-socket; a foreground run keeps it. */
static int open_console(const struct container_opts *o, bool for_run, struct prepared *p,
                        struct error **err)
{
    bool terminal = p->spec->process->terminal;
    bool detached = !for_run || o->detach;
    if (o->console_socket && !terminal)
        return error_new(err, EINVAL,
                         "--console-socket is given, but process.terminal is false: there is "
                         "no terminal to send");
    if (o->console_socket && !detached)
        return error_new(err, EINVAL,
                         "--console-socket is for a detached container (create, run -d); a "
                         "foreground run is the terminal's other end itself");
    if (!terminal)
        return 0;
    if (detached && o->console_socket == NULL)
        return error_new(err, EINVAL,
                         "config.json: process.terminal is true, but a detached container "
                         "needs --console-socket to send its terminal to");
    if (o->console_socket == NULL)
        foreground_size_process(p->spec->process);
    return tty_console(o->console_socket, &p->console_fd, &p->console_peer, err);
}

static int prepare(const char *id, const struct container_opts *o, bool for_run,
                   struct prepared *p, struct error **err)
{
    p->console_fd = p->console_peer = -1;
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        p->ns_fds[i] = -1;
    int r = state_check_id(id, err);
    if (r < 0)
        return r;
    const char *bundle = o->bundle && *o->bundle ? o->bundle : ".";
    p->bundle = absolute_path(bundle);
    if (p->bundle == NULL)
        return error_errno(err, "bundle `%s`", bundle);
    cleanup_close int bfd = open(p->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0)
        return error_errno(err, "bundle `%s`", p->bundle);
    if ((r = spec_load(bfd, "config.json", &p->spec, err)) < 0)
        return error_wrap(err, "bundle `%s`", p->bundle);
    const struct spec *s = p->spec;
    if (s->process == NULL)
        return error_new(err, EINVAL, "config.json: process: missing; a container needs one");
    if (!s->ns[SPEC_NS_MNT].enabled)
        return error_new(err, EINVAL,
                         "config.json: linux.namespaces: a mount namespace is required");
    if (s->hooks && (r = hooks_validate(s->hooks, err)) < 0)
        return error_wrap(err, "config.json");
    /* Which LSM is on is the host's, read before the container exists. */
    struct lsm_state lsm;
    lsm_detect("/", &lsm);
    lsm_plan(&lsm, s, &p->lsm);
    json_t *empty = json_object();
    r = cgroup_resources_parse(s->resources ? s->resources : empty,
                               "config.json: linux.resources", &p->resources, err);
    json_decref(empty);
    if (r < 0)
        return r;
    /* Device rules apply at create even when the spec lists none: the
     * defaults are allowed and every other device is denied (as runc).  An
     * update without devices leaves them alone. */
    p->resources->devices_set = true;

    cleanup_free char *root = NULL;
    if (s->root_path[0] == '/')
        root = strdup(s->root_path);
    else if (asprintf(&root, "%s/%s", p->bundle, s->root_path) < 0)
        root = NULL;
    if (root == NULL)
        return error_new(err, ENOMEM, "out of memory");
    p->rootfs = absolute_path(root);
    if (p->rootfs == NULL)
        return error_errno(err, "config.json: root.path `%s`", root);
    struct stat st;
    if (stat(p->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
        return error_new(err, ENOTDIR, "config.json: root.path `%s` is not a directory",
                         p->rootfs);
    if ((r = ns_open_paths(s, p->ns_fds, err)) < 0)
        return r;
    return open_console(o, for_run, p, err);
}

/* Bind the exec socket that `start` connects to.  Through the directory's
 * fd, so a long --root cannot overflow sun_path. */
static int listen_exec_sock(int dirfd, struct error **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
    cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return error_errno(err, "making the exec socket");
    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return error_errno(err, "binding the exec socket");
    if (listen(fd, 1) < 0)
        return error_errno(err, "listening on the exec socket");
    return steal_fd(&fd);
}

static pid_t clone_init(int flags)
{
    return (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* Everything up to SYNC_READY.  On success the init waits for start and
 * *ret_pid, *ret_sync are set; on failure nothing of the container is
 * left (the caller removes the state directory). */
/* The OCI state object for hooks run by the runtime. */
static json_t *hook_state(const struct prepared *p, const char *id, pid_t pid, const char *status)
{
    struct container_state st = {
        .id = (char *) id,
        .oci_version = p->spec->oci_version,
        .pid = pid,
        .bundle = p->bundle,
        .annotations = p->spec->annotations,
    };
    enum container_status s = strcmp(status, "creating") == 0 ? STATUS_CREATING : STATUS_CREATED;
    return state_to_json(&st, s);
}

/* prestart and createRuntime, when the init asks (SYNC_HOOKS). */
static int runtime_hooks(const struct prepared *p, const char *id, pid_t pid, struct error **err)
{
    json_t *st = hook_state(p, id, pid, "creating");
    if (st == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = hooks_run(p->spec->hooks, "prestart", st, err);
    if (r == 0)
        r = hooks_run(p->spec->hooks, "createRuntime", st, err);
    json_decref(st);
    return r;
}

/* SCMP_ACT_NOTIFY: the init loaded its filter and sends the listener fd;
 * pass it on to linux.seccomp.listenerPath with the container's state. */
static int forward_listener(const struct prepared *p, const char *id, pid_t pid, int sync,
                            struct error **err)
{
    struct sync_msg msg;
    cleanup_close int fd = -1;
    int r = sync_recv_fd(sync, &msg, &fd);
    if (r == -EPIPE)
        return error_new(err, ECHILD,
                         "loading the seccomp filter: the container's init exited before it "
                         "was set up");
    if (r < 0)
        return error_errnum(err, -r, "reading the seccomp listener from the container's init");
    if (msg.type == SYNC_ERROR)
        return error_new(err, msg.value > 0 ? msg.value : EINVAL, "%s", msg.text);
    if (msg.type != SYNC_SECCOMP || fd < 0)
        return error_new(err, EPROTO,
                         "expected the seccomp listener from the container's init, "
                         "got message %u",
                         msg.type);
    cleanup_json json_t *st = hook_state(p, id, pid, "creating");
    if (st == NULL)
        return error_new(err, ENOMEM, "out of memory");
    r = seccomp_send_listener(p->spec->seccomp, st, pid, fd, err);
    return r < 0 ? error_wrap(err, "config.json") : 0;
}

static int spawn(struct prepared *p, const char *id, int dirfd, bool for_run,
                 const struct container_opts *o, pid_t *ret_pid, int *ret_sync, struct error **err)
{
    const struct spec *s = p->spec;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return error_errno(err, "making the sync socket");
    cleanup_close int mine = sv[0];
    cleanup_close int theirs = sv[1];
    cleanup_close int listen_fd = -1;
    if (!for_run && (listen_fd = listen_exec_sock(dirfd, err)) < 0)
        return listen_fd;

    bool userns_joined = p->ns_fds[SPEC_NS_USER] >= 0;
    bool userns_new = s->ns[SPEC_NS_USER].enabled && !userns_joined;
    int flags = ns_new_flags(s);
    bool cgroupns_new = (flags & CLONE_NEWCGROUP) != 0;
    flags &= ~CLONE_NEWCGROUP;
    if (p->ns_fds[SPEC_NS_PID] >= 0 && setns(p->ns_fds[SPEC_NS_PID], CLONE_NEWPID) < 0)
        return error_errno(err, "joining the pid namespace `%s`", s->ns[SPEC_NS_PID].path);
    if (flags & CLONE_NEWTIME) {
        /* A time namespace is entered by the children of the one that
         * made it, after the offsets are written. */
        if (unshare(CLONE_NEWTIME) < 0)
            return error_errno(err, "making the time namespace");
        int r = ns_write_time_offsets(s, err);
        if (r < 0)
            return r;
        flags &= ~CLONE_NEWTIME;
    }
    if (userns_joined) {
        flags = 0; /* the init joins the user namespace, then unshares */
        /* Its pid 1 is then our grandchild: be its reaper, so that `run`
         * can wait for it and a failure can reap it. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
            return error_errno(err, "becoming a child subreaper");
    }

    struct init_args a = {
        .spec = s,
        .rootfs = p->rootfs,
        .bundle = p->bundle,
        .sync_fd = theirs,
        .listen_fd = listen_fd,
        .console_fd = p->console_fd,
        .userns_new = userns_new,
        .cgroupns_new = cgroupns_new,
        /* The init waits until it is in its cgroup: its cgroup mounts
         * and namespace are made from there. */
        .wait_go = true,
        .userns_joined = userns_joined,
        .no_pivot = o->no_pivot,
        .no_new_keyring = o->no_new_keyring,
        .preserve_fds = o->preserve_fds + o->listen_fds,
        .listen_fds = o->listen_fds,
        .seccomp = p->seccomp,
        .lsm = p->lsm,
        .id = id,
        .cgroup = p->cgroup,
    };
    memcpy(a.ns_fds, p->ns_fds, sizeof(a.ns_fds));

    pid_t pid = clone_init(flags);
    if (pid < 0)
        return error_errno(err, "making the container's init (clone)");
    if (pid == 0) {
        close(mine);
        /* The state directory's fd carries the create's flock: the init
         * must not keep it, or every later command would wait on it. */
        close(dirfd);
        init_main(&a);
    }
    close(steal_fd(&theirs));
    close(steal_fd(&listen_fd));
    /* The init alone holds the terminal's way out now. */
    close_keep_errno(p->console_fd);
    p->console_fd = -1;

    struct sync_msg msg;
    int r = 0;
    if (userns_joined && (ns_new_flags(s) & CLONE_NEWPID)) {
        if ((r = sync_expect(mine, SYNC_PID, "creating the container", &msg, err)) < 0)
            goto fail;
        waitpid(pid, NULL, 0); /* the intermediate exits at once */
        pid = msg.value;
    }
    if ((r = cgroup_enter(p->cgroup, pid, err)) < 0)
        goto fail;
    /* Limits go on once the init is in: a limit below what it already
     * uses is then a clear write error, not an OOM kill of the init. */
    if (p->resources && (r = cgroup_apply(p->cgroup, p->resources, err)) < 0)
        goto fail;
    if (userns_new && (r = ns_write_id_maps(pid, s, err)) < 0)
        goto fail;
    if (a.wait_go && sync_send(mine, SYNC_GO, pid, NULL) < 0) {
        r = error_errno(err, "signalling the container's init");
        goto fail;
    }
    if (hooks_has(s->hooks, "prestart") || hooks_has(s->hooks, "createRuntime")) {
        if ((r = sync_expect(mine, SYNC_HOOKS, "creating the container", &msg, err)) < 0)
            goto fail;
        if ((r = runtime_hooks(p, id, pid, err)) < 0)
            goto fail;
        if (sync_send(mine, SYNC_GO, pid, NULL) < 0) {
            r = error_errno(err, "signalling the container's init");
            goto fail;
        }
    }
    if (seccomp_program_notifies(p->seccomp) && (r = forward_listener(p, id, pid, mine, err)) < 0)
        goto fail;
    if ((r = sync_expect(mine, SYNC_READY, "creating the container", &msg, err)) < 0) {
        if (error_code(*err) == ECHILD && cgroup_oom_kills(p->cgroup) > 0 && p->resources &&
            p->resources->mem_limit.set)
            r = error_new(err, ENOMEM,
                          "linux.resources.memory.limit: the OOM killer ended the container's "
                          "init while it was set up; %lld bytes is too low",
                          (long long) p->resources->mem_limit.v);
        goto fail;
    }
    *ret_pid = pid;
    *ret_sync = steal_fd(&mine);
    return 0;

fail:
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return r;
}

static int record(struct prepared *p, const char *id, int dirfd, pid_t pid, struct error **err)
{
    const struct spec *s = p->spec;
    char created[64];
    state_now_rfc3339(created, sizeof(created));
    struct container_state st = {
        .id = (char *) id,
        .oci_version = p->spec->oci_version,
        .pid = pid,
        .start_time = state_pid_start_time(pid),
        .bundle = p->bundle,
        .rootfs = p->rootfs,
        .created = created,
        .own_pid_ns = s->ns[SPEC_NS_PID].enabled && s->ns[SPEC_NS_PID].path == NULL,
        .own_mnt_ns = s->ns[SPEC_NS_MNT].enabled && s->ns[SPEC_NS_MNT].path == NULL,
        .annotations = p->spec->annotations,
        .cgroup = p->cgroup ? cgroup_to_json(p->cgroup) : NULL,
        .hooks = p->spec->hooks,
    };
    int r = state_write(dirfd, &st, err);
    json_decref(st.cgroup);
    return r;
}

int container_seccomp(struct runtime *rt, const struct spec *s, struct seccomp_program **ret,
                      struct error **err)
{
    *ret = NULL;
    if (s->seccomp == NULL)
        return 0;
    /* Compiled programs are cached beside the containers' state. */
    if (mkdirat(rt->rootfd, ".seccomp-cache", 0700) < 0 && errno != EEXIST)
        log_debug("no seccomp cache: %s", strerror(errno));
    cleanup_close int cache =
        openat(rt->rootfd, ".seccomp-cache", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    int r = seccomp_prepare(s->seccomp, cache, ret, err);
    return r < 0 ? error_wrap(err, "config.json") : 0;
}

/* Create the container; leaves *ret_sync open (the init's sync socket) for
 * run, or closed for create, and in *ret_console a foreground run's end of
 * the terminal's socket (else -1). */
static int do_create(struct runtime *rt, const char *id, const struct container_opts *o,
                     bool for_run, pid_t *ret_pid, int *ret_sync, int *ret_dirfd,
                     int *ret_console, struct error **err)
{
    struct prepared p = {0};
    int r = prepare(id, o, for_run, &p, err);
    if (r == 0)
        r = container_seccomp(rt, p.spec, &p.seccomp, err);
    if (r < 0) {
        prepared_release(&p);
        return r;
    }
    cleanup_close int dirfd = -1;
    if ((r = state_dir_create(rt->rootfd, id, &dirfd, err)) < 0) {
        prepared_release(&p);
        return r;
    }
    pid_t pid = 0;
    cleanup_close int sync = -1;
    r = cgroup_new(p.spec->cgroups_path, id, &p.cgroup, err);
    if (r == 0 && o->cgroup_parents_shared)
        p.cgroup->parents_shared = true;
    if (r == 0 && (r = cgroup_create(p.cgroup, err)) < 0) {
        cgroup_free(p.cgroup);
        p.cgroup = NULL;
    }
    /* Record the cgroup before the init exists: a runtime killed from here
     * on leaves a "creating" container that `delete` can clean up.  The
     * config is kept for exec: the bundle may change or go away. */
    if (r == 0)
        r = record(&p, id, dirfd, 0, err);
    if (r == 0)
        r = state_write_config(dirfd, p.spec->json, err);
    if (r == 0)
        r = spawn(&p, id, dirfd, for_run, o, &pid, &sync, err);
    if (r == 0)
        r = record(&p, id, dirfd, pid, err);
    if (r == 0 && o->pid_file)
        r = container_write_pid_file(o->pid_file, pid, err);
    if (r < 0) {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        if (p.cgroup)
            cgroup_destroy(p.cgroup, NULL);
        prepared_release(&p);
        state_dir_remove(rt->rootfd, id, NULL);
        return r;
    }
    *ret_console = steal_fd(&p.console_peer);
    prepared_release(&p);
    *ret_pid = pid;
    *ret_sync = steal_fd(&sync);
    *ret_dirfd = steal_fd(&dirfd);
    return 0;
}

int container_create(struct runtime *rt, const char *id, const struct container_opts *o,
                     struct error **err)
{
    pid_t pid;
    cleanup_close int sync = -1, dirfd = -1, console = -1;
    return do_create(rt, id, o, false, &pid, &sync, &dirfd, &console, err);
}

int container_await_exec(int fd, struct error **err)
{
    struct sync_msg msg;
    int r = sync_recv(fd, &msg);
    if (r == -EPIPE)
        return 0;
    if (r < 0)
        return error_errnum(err, -r, "waiting for the container's process to start");
    if (msg.type == SYNC_ERROR)
        return error_new(err, msg.value > 0 ? msg.value : EINVAL, "%s", msg.text);
    return error_new(err, EPROTO, "unexpected message %u from the container's init", msg.type);
}

/* poststart hooks: a failure is a warning (runtime-spec). */
static void poststart(const struct container_state *st)
{
    if (!hooks_has(st->hooks, "poststart"))
        return;
    cleanup_error struct error *e = NULL;
    json_t *j = state_to_json(st, STATUS_RUNNING);
    if (j && hooks_run(st->hooks, "poststart", j, &e) < 0)
        log_warn("container `%s`: %s", st->id, e->msg);
    json_decref(j);
}

int container_start(struct runtime *rt, const char *id, struct error **err)
{
    cleanup_close int dirfd = -1;
    int r = state_dir_open(rt->rootfd, id, LOCK_EX, &dirfd, err);
    if (r < 0)
        return r;
    cleanup_state struct container_state *st = NULL;
    if ((r = state_read(dirfd, id, &st, err)) < 0)
        return r;
    enum container_status status = state_status(dirfd, st);
    if (status != STATUS_CREATED)
        return error_new(err, EINVAL, "cannot start container `%s`: it is %s, not created", id,
                         state_status_name(status));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
    cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return error_errno(err, "making a socket");
    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return error_errno(err, "cannot start container `%s`: connecting to its init", id);
    /* From now on the container is running, whatever happens next. */
    unlinkat(dirfd, STATE_EXEC_SOCK, 0);
    r = container_await_exec(fd, err);
    if (r < 0)
        return error_wrap(err, "starting container `%s`", id);
    poststart(st);
    return 0;
}

/* ---- run ---------------------------------------------------------------- */

/* run: take the terminal the init sent before it was ready (if it has
 * one), then let it exec. */
static int run_start(int sync, int console, int *ret_master, struct error **err)
{
    int r;
    if (console >= 0 && (r = tty_recv_master(console, ret_master, err)) < 0)
        return r;
    if (sync_send(sync, SYNC_START, 0, NULL) < 0)
        return error_errno(err, "signalling the container's init");
    return container_await_exec(sync, err);
}

int container_run(struct runtime *rt, const char *id, const struct container_opts *o,
                  int *ret_status, struct error **err)
{
    pid_t pid;
    cleanup_close int sync = -1, dirfd = -1, console = -1, master = -1;
    /* Block SIGCHLD before the init exists, so its exit is not lost. */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    int r = do_create(rt, id, o, true, &pid, &sync, &dirfd, &console, err);
    if (r < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
    }
    r = run_start(sync, console, &master, err);
    if (r < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cleanup_state struct container_state *st = NULL;
        if (state_read(dirfd, id, &st, NULL) == 0 && st->cgroup) {
            struct cgroup *cg = NULL;
            if (cgroup_from_json(st->cgroup, &cg, NULL) == 0)
                cgroup_destroy(cg, NULL);
            cgroup_free(cg);
        }
        state_dir_remove(rt->rootfd, id, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return error_wrap(err, "starting container `%s`", id);
    }
    {
        cleanup_state struct container_state *st = NULL;
        if (state_read(dirfd, id, &st, NULL) == 0)
            poststart(st);
    }
    if (o->detach) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        *ret_status = 0;
        return 0;
    }
    /* Let `delete` and `kill` in while we wait. */
    flock(dirfd, LOCK_UN);
    r = foreground_wait(pid, master, ret_status, err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* A foreground run owns its container: remove it once it is done, as
     * runc does. */
    flock(dirfd, LOCK_EX);
    /* A `delete --force` and a new container of the same id may have come
     * in while we waited: clean up only if ROOT/ID is still ours. */
    struct stat mine, now;
    if (fstat(dirfd, &mine) < 0 || fstatat(rt->rootfd, id, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
        mine.st_ino != now.st_ino || mine.st_dev != now.st_dev)
        return r;
    cleanup_state struct container_state *st = NULL;
    if (state_read(dirfd, id, &st, NULL) == 0 && st->cgroup) {
        struct cgroup *cg = NULL;
        if (cgroup_from_json(st->cgroup, &cg, NULL) == 0) {
            cgroup_kill_all(cg, SIGKILL, NULL);
            cgroup_destroy(cg, NULL);
        }
        cgroup_free(cg);
    }
    state_dir_remove(rt->rootfd, id, NULL);
    return r;
}

/* ---- kill, delete, state, list ----------------------------------------- */

int container_read_state(struct runtime *rt, const char *id, int lock, int *ret_dirfd,
                         struct container_state **ret, enum container_status *ret_status,
                         struct error **err)
{
    cleanup_close int dirfd = -1;
    int r = state_dir_open(rt->rootfd, id, lock, &dirfd, err);
    if (r < 0)
        return r;
    if ((r = state_read(dirfd, id, ret, err)) < 0)
        return r;
    *ret_status = state_status(dirfd, *ret);
    if ((*ret_status == STATUS_RUNNING || *ret_status == STATUS_CREATED) && (*ret)->cgroup) {
        struct cgroup *cg = NULL;
        if (cgroup_from_json((*ret)->cgroup, &cg, NULL) == 0 && cgroup_is_frozen(cg))
            *ret_status = STATUS_PAUSED;
        cgroup_free(cg);
    }
    *ret_dirfd = steal_fd(&dirfd);
    return 0;
}

static unsigned long long ns_inode(pid_t pid, const char *ns)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns);
    if (stat(path, &st) < 0)
        return 0;
    return (unsigned long long) st.st_ino;
}

/* Every process in a namespace the container owns: its mount namespace
 * (every process of the container, exec'd ones too, is in it) or else its
 * pid namespace.  Without cgroups this is how `kill --all` finds them. */
static int signal_ns_members(const struct container_state *st, const char *ns, int sig)
{
    unsigned long long ino = ns_inode(st->pid, ns);
    if (ino == 0)
        return -ESRCH;
    cleanup_closedir DIR *d = opendir("/proc");
    if (d == NULL)
        return -errno;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0 || pid == st->pid)
            continue;
        if (ns_inode((pid_t) pid, ns) == ino)
            kill((pid_t) pid, sig);
    }
    return 0;
}

static int signal_container(const struct container_state *st, int sig, bool all,
                            struct error **err)
{
    cleanup_close int pfd = container_pidfd(st->pid, st->start_time);
    if (pfd < 0) {
        if (pfd == -ESRCH)
            return error_new(err, ESRCH, "container not running: `%s`", st->id);
        return error_errnum(err, -pfd, "opening the init of container `%s`", st->id);
    }
    if (all && st->cgroup) {
        struct cgroup *cg = NULL;
        int r = cgroup_from_json(st->cgroup, &cg, err);
        if (r == 0)
            r = cgroup_kill_all(cg, sig, err);
        cgroup_free(cg);
        if (r < 0)
            return r;
    } else if (all && (st->own_mnt_ns || st->own_pid_ns)) {
        /* Stop the init first so it cannot fork faster than we kill. */
        if (sig == SIGKILL)
            syscall(SYS_pidfd_send_signal, pfd, SIGSTOP, NULL, 0);
        signal_ns_members(st, st->own_mnt_ns ? "mnt" : "pid", sig);
    }
    if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0) {
        if (errno == ESRCH)
            return error_new(err, ESRCH, "container not running: `%s`", st->id);
        return error_errno(err, "sending signal %d to container `%s`", sig, st->id);
    }
    return 0;
}

int container_kill(struct runtime *rt, const char *id, int sig, bool all, struct error **err)
{
    cleanup_close int dirfd = -1;
    cleanup_state struct container_state *st = NULL;
    enum container_status status;
    int r = container_read_state(rt, id, LOCK_SH, &dirfd, &st, &status, err);
    if (r < 0)
        return r;
    if (status == STATUS_STOPPED || status == STATUS_CREATING)
        /* containerd matches "container not running" to map this to NotFound. */
        return error_new(err, ESRCH, "cannot kill `%s`: container not running (it is %s)", id,
                         state_status_name(status));
    r = signal_container(st, sig, all, err);
    if (r == 0 && status == STATUS_PAUSED && sig == SIGKILL && st->cgroup) {
        /* A frozen process dies only once thawed. */
        struct cgroup *cg = NULL;
        if (cgroup_from_json(st->cgroup, &cg, NULL) == 0)
            cgroup_freeze(cg, false, NULL);
        cgroup_free(cg);
    }
    return r;
}

static int wait_gone(const struct container_state *st, int timeout_ms)
{
    cleanup_close int pfd = container_pidfd(st->pid, st->start_time);
    if (pfd < 0)
        return 0;
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r > 0 ? 0 : -ETIMEDOUT;
}

int container_delete(struct runtime *rt, const char *id, bool force, struct error **err)
{
    cleanup_close int dirfd = -1;
    cleanup_state struct container_state *st = NULL;
    enum container_status status;
    cleanup_error struct error *e = NULL;
    int r = container_read_state(rt, id, LOCK_EX, &dirfd, &st, &status, &e);
    if (r < 0) {
        /* Like runc: forcing the delete of what is not there succeeds. */
        if (force && error_code(e) == ENOENT)
            return 0;
        *err = steal_pointer(&e);
        return r;
    }
    if ((status == STATUS_RUNNING || status == STATUS_PAUSED) && !force)
        return error_new(err, EBUSY,
                         "cannot delete container `%s`: it is running (stop it, or use --force)",
                         id);
    if (status == STATUS_RUNNING || status == STATUS_CREATED || status == STATUS_PAUSED) {
        cleanup_error struct error *kerr = NULL;
        if (signal_container(st, SIGKILL, true, &kerr) < 0 && error_code(kerr) != ESRCH)
            return error_new(err, kerr->code, "%s", kerr->msg);
        if (status == STATUS_PAUSED && st->cgroup) {
            struct cgroup *cg = NULL;
            if (cgroup_from_json(st->cgroup, &cg, NULL) == 0)
                cgroup_freeze(cg, false, NULL);
            cgroup_free(cg);
        }
        if (wait_gone(st, 10000) < 0)
            return error_new(err, ETIMEDOUT,
                             "cannot delete container `%s`: its init did not die in 10s", id);
    }
    if (st->cgroup) {
        struct cgroup *cg = NULL;
        if ((r = cgroup_from_json(st->cgroup, &cg, err)) == 0) {
            /* Anything left (a process that escaped the pid namespace) goes,
             * but only from a cgroup this container made: a joined one may
             * hold others' processes by now. */
            if (cgroup_owned(cg))
                cgroup_kill_all(cg, SIGKILL, NULL);
            r = cgroup_destroy(cg, err);
        }
        cgroup_free(cg);
        if (r < 0)
            return error_wrap(err, "deleting container `%s`", id);
    }
    if ((r = state_dir_remove(rt->rootfd, id, err)) < 0)
        return r;
    /* poststop: after the container is gone; a failure is a warning. */
    if (hooks_has(st->hooks, "poststop")) {
        cleanup_error struct error *herr = NULL;
        json_t *j = state_to_json(st, STATUS_STOPPED);
        if (j && hooks_run(st->hooks, "poststop", j, &herr) < 0)
            log_warn("container `%s`: %s", id, herr->msg);
        json_decref(j);
    }
    return 0;
}

int container_state(struct runtime *rt, const char *id, json_t **ret, struct error **err)
{
    cleanup_close int dirfd = -1;
    cleanup_state struct container_state *st = NULL;
    enum container_status status;
    int r = container_read_state(rt, id, LOCK_SH, &dirfd, &st, &status, err);
    if (r < 0)
        return r;
    json_t *j = state_to_json(st, status);
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = j;
    return 0;
}

/* The owner's name from the host's /etc/passwd (read directly: a static
 * binary has no NSS), or "#UID". */
static char *owner_name(int dirfd)
{
    struct stat sb;
    if (fstat(dirfd, &sb) < 0)
        return strdup("");
    cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
    cleanup_free char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0) {
        char name[256];
        unsigned uid;
        if (sscanf(line, "%255[^:]:%*[^:]:%u:", name, &uid) == 2 && uid == sb.st_uid)
            return strdup(name);
    }
    char *s = NULL;
    if (asprintf(&s, "#%u", (unsigned) sb.st_uid) < 0)
        return NULL;
    return s;
}

int container_list(struct runtime *rt, json_t **ret, struct error **err)
{
    cleanup_strv char **ids = NULL;
    int r = state_list_ids(rt->rootfd, &ids, err);
    if (r < 0)
        return r;
    cleanup_json json_t *arr = json_array();
    for (size_t i = 0; ids[i]; i++) {
        cleanup_close int dirfd = -1;
        cleanup_state struct container_state *st = NULL;
        enum container_status status;
        cleanup_error struct error *e = NULL;
        /* A container that vanished or is unreadable is skipped, not fatal. */
        if (container_read_state(rt, ids[i], LOCK_SH, &dirfd, &st, &status, &e) < 0) {
            log_debug("list: skipping `%s`: %s", ids[i], e->msg);
            continue;
        }
        json_t *j = state_to_json(st, status);
        if (j == NULL)
            return error_new(err, ENOMEM, "out of memory");
        cleanup_free char *owner = owner_name(dirfd);
        json_object_set_new(j, "owner", json_string(owner ? owner : ""));
        json_array_append_new(j ? arr : arr, j);
    }
    *ret = steal_pointer(&arr);
    return 0;
}
