/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "runtime/mounts.h"
#include "runtime/namespaces.h"
#include "runtime/procfs.h"
#include "runtime/process.h"
#include "runtime/sync.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

__attribute__((noreturn)) static void fail(int fd, struct error *e, int status)
{
    sync_send_error(fd, e);
    _exit(status);
}

/* A joined user namespace must be entered before the other namespaces are
 * made, so they belong to it; a new pid namespace then needs one more fork
 * for the init to be its pid 1.  Returns only in the process that goes on. */
static int enter_joined_userns(const struct init_args *a, struct error **err)
{
    int r = ns_join(a->ns_fds[SPEC_NS_USER], SPEC_NS_USER, err);
    if (r < 0)
        return r;
    int flags = ns_new_flags(a->spec) & ~(CLONE_NEWUSER | CLONE_NEWTIME | CLONE_NEWCGROUP);
    if (unshare(flags) < 0)
        return error_errno(err, "making the container's namespaces");
    if (!(flags & CLONE_NEWPID))
        return 0;
    pid_t pid = fork();
    if (pid < 0)
        return error_errno(err, "forking the container's init");
    if (pid > 0) {
        /* The intermediate: tell the runtime who the init is, and go. */
        sync_send(a->sync_fd, SYNC_PID, pid, NULL);
        _exit(0);
    }
    return 0;
}

static int join_namespaces(const struct init_args *a, struct error **err)
{
    /* The mount namespace last: after it, paths may mean something else. */
    static const enum spec_ns order[] = {SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_NET, SPEC_NS_CGROUP,
                                         SPEC_NS_TIME, SPEC_NS_MNT};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int fd = a->ns_fds[order[i]];
        if (fd >= 0) {
            int r = ns_join(fd, order[i], err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

static int set_names(const struct spec *s, struct error **err)
{
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
        return error_errno(err, "hostname: setting `%s`", s->hostname);
    if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
        return error_errno(err, "domainname: setting `%s`", s->domainname);
    return 0;
}

/* Through /proc checked to be procfs: a sysctl written to anything else
 * would leave the kernel's value in place (procfs.h). */
static int apply_sysctls(const struct spec *s, struct error **err)
{
    if (s->n_sysctls == 0)
        return 0;
    cleanup_close int proc = procfs_open("linux.sysctl", err);
    if (proc < 0)
        return proc;
    for (size_t i = 0; i < s->n_sysctls; i++) {
        char path[512];
        int n = snprintf(path, sizeof(path), "sys/%s", s->sysctls[i].key);
        if (n < 0 || (size_t) n >= sizeof(path))
            return error_new(err, ENAMETOOLONG, "linux.sysctl: key `%s` is too long",
                             s->sysctls[i].key);
        /* A dotted key becomes a path; a key given as a path stays one
         * (its components may hold dots, like a vlan interface "eth0.1"). */
        if (strchr(s->sysctls[i].key, '/') == NULL)
            for (char *p = path + 4; *p; p++)
                if (*p == '.')
                    *p = '/';
        int r = procfs_write(proc, path, s->sysctls[i].value, err);
        if (r < 0)
            return error_wrap(err, "linux.sysctl: setting `%s`", s->sysctls[i].key);
    }
    return 0;
}

/* The OCI state given to hooks on stdin. */
static json_t *hook_state(const struct init_args *a, const char *status)
{
    const struct spec *s = a->spec;
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", s->oci_version, "id", a->id,
                          "status", status, "pid", (json_int_t) a->host_pid, "bundle", a->bundle);
    if (j)
        json_object_set_new(j, "annotations",
                            s->annotations ? json_incref(s->annotations) : json_object());
    return j;
}

static int run_hooks(const struct init_args *a, const char *kind, const char *status,
                     struct error **err)
{
    if (!hooks_has(a->spec->hooks, kind))
        return 0;
    json_t *st = hook_state(a, status);
    int r = st ? hooks_run(a->spec->hooks, kind, st, err)
               : error_new(err, ENOMEM, "out of memory");
    json_decref(st);
    return r;
}

/* LISTEN_FDS and LISTEN_PID (our pid as the process will see it: it
 * keeps it across execve), replacing any the config had. */
static int set_listen_env(struct process_exec *ex, unsigned int n, struct error **err)
{
    char fds[32], pid[32];
    snprintf(fds, sizeof(fds), "LISTEN_FDS=%u", n);
    snprintf(pid, sizeof(pid), "LISTEN_PID=%d", (int) getpid());
    size_t w = 0;
    for (size_t i = 0; ex->envp[i]; i++) {
        if (strncmp(ex->envp[i], "LISTEN_FDS=", 11) == 0 ||
            strncmp(ex->envp[i], "LISTEN_PID=", 11) == 0) {
            free(ex->envp[i]);
            continue;
        }
        ex->envp[w++] = ex->envp[i];
    }
    ex->envp[w] = NULL;
    if (strv_push(&ex->envp, fds) < 0 || strv_push(&ex->envp, pid) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

/* The terminal, from the container's devpts (mounted by now): its master
 * to the console socket, its slave bound on /dev/console and returned. */
static int make_terminal(struct init_args *a, int rootfd, int *ret_slave, struct error **err)
{
    struct tty_pair t = {-1, -1};
    int r = tty_open(rootfd, a->spec->process, &t, err);
    if (r == 0)
        r = tty_bind_console(rootfd, t.slave, err);
    if (r == 0)
        r = tty_send_master(a->console_fd, t.master, err);
    close(a->console_fd);
    a->console_fd = -1;
    if (r < 0) {
        tty_pair_release(&t);
        return r;
    }
    close(t.master);
    *ret_slave = t.slave;
    return 0;
}

static int setup(struct init_args *a, struct process_exec *ret_exec, struct error **err)
{
    const struct spec *s = a->spec;
    struct sync_msg msg;
    int r;

    if (a->userns_joined && (r = enter_joined_userns(a, err)) < 0)
        return r;
    /* The runtime writes our id maps and moves us into our cgroup. */
    if (a->wait_go) {
        if ((r = sync_expect(a->sync_fd, SYNC_GO, "waiting for the runtime", &msg, err)) < 0)
            return r;
        a->host_pid = msg.value;
    }
    if (a->userns_new && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
        return error_errno(err, "becoming root in the user namespace (is uid 0 mapped?)");
    /* Only now: a cgroup namespace is rooted where its maker stands. */
    if (a->cgroupns_new && unshare(CLONE_NEWCGROUP) < 0)
        return error_errno(err, "making the cgroup namespace");
    if ((r = join_namespaces(a, err)) < 0)
        return r;
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        if (a->ns_fds[i] >= 0)
            close(a->ns_fds[i]);
    if (!a->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
        errno != ENOSYS && errno != EACCES && errno != EPERM)
        return error_errno(err, "making a session keyring");
    if ((r = set_names(s, err)) < 0)
        return r;

    struct rootfs_ctx rc = {
        .spec = s,
        .rootfs = a->rootfs,
        .bundle = a->bundle,
        .userns = s->ns[SPEC_NS_USER].enabled,
        .no_pivot = a->no_pivot,
        .cgroup = a->cgroup,
        .lsm = &a->lsm,
    };
    cleanup_close int rootfd = -1;
    umask(0);
    if ((r = rootfs_prepare(&rc, &rootfd, err)) < 0 ||
        (r = rootfs_mount_all(&rc, rootfd, err)) < 0 || (r = devices_create(&rc, rootfd, err)) < 0)
        return r;
    cleanup_close int tty_slave = -1;
    if (s->process->terminal && (r = make_terminal(a, rootfd, &tty_slave, err)) < 0)
        return r;
    /* Hooks of the runtime's (run by it, while we wait), then ours, still
     * seeing the host's file system. */
    if (hooks_has(s->hooks, "prestart") || hooks_has(s->hooks, "createRuntime")) {
        if (sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL) < 0)
            return error_errno(err, "asking the runtime to run its hooks");
        if ((r = sync_expect(a->sync_fd, SYNC_GO, "running the hooks", &msg, err)) < 0)
            return r;
    }
    if ((r = run_hooks(a, "createContainer", "creating", err)) < 0 ||
        (r = rootfs_pivot(&rc, rootfd, err)) < 0)
        return r;
    umask(0022);
    if (s->rootfs_propagation && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
        return error_errno(err, "linux.rootfsPropagation: applying it to `/`");
    if ((r = apply_sysctls(s, err)) < 0 || (r = rootfs_finish(&rc, err)) < 0)
        return r;
    if ((r = process_prepare(s->process, a->seccomp, steal_fd(&tty_slave), a->sync_fd, ret_exec,
                             err)) < 0)
        return r;
    if (a->listen_fds > 0 && (r = set_listen_env(ret_exec, a->listen_fds, err)) < 0)
        return r;
    return 0;
}

void init_main(struct init_args *a)
{
    cleanup_error struct error *err = NULL;
    struct process_exec ex = {0};

    /* Nobody may ptrace or read the memory of the init while it still
     * holds the runtime's fds (CVE-2016-9962); exec resets it. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    process_reset_signals();
    int keep[3 + SPEC_NS__COUNT];
    size_t nkeep = 0;
    keep[nkeep++] = a->sync_fd;
    keep[nkeep++] = a->listen_fd;
    keep[nkeep++] = a->console_fd;
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        keep[nkeep++] = a->ns_fds[i];
    process_close_fds_but(3 + a->preserve_fds, keep, nkeep);

    if (setup(a, &ex, &err) < 0)
        fail(a->sync_fd, err, 1);
    if (sync_send(a->sync_fd, SYNC_READY, 0, NULL) < 0)
        _exit(1);

    int conn;
    if (a->listen_fd >= 0) {
        do
            conn = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        while (conn < 0 && errno == EINTR);
        if (conn < 0)
            _exit(1);
        close(a->listen_fd);
        close(a->sync_fd);
    } else {
        struct sync_msg msg;
        if (sync_expect(a->sync_fd, SYNC_START, "waiting for start", &msg, &err) < 0)
            _exit(1);
        conn = a->sync_fd;
    }
    if (run_hooks(a, "startContainer", "created", &err) < 0)
        fail(conn, err, 1);
    /* The labels, then the filter (if not loaded yet), then execve. */
    ex.lsm = a->lsm;
    process_start(a->preserve_fds, &ex, &err);
    /* Only on failure: the runtime that started us reads this. */
    fail(conn, err, error_code(err) == ENOENT ? 127 : 126);
}
