/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/sync.h"
#include "runtime/tty.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const char *process_cap_name(int cap, char *buf, size_t len)
{
    char *n = cap_to_name(cap);
    snprintf(buf, len, "%s", n ? n : "CAP_?");
    cap_free(n);
    for (char *p = buf; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char) (*p - 'a' + 'A');
    return buf;
}

static int apply_rlimits(const struct spec_process *p, struct error **err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct spec_rlimit *rl = &p->rlimits[i];
        struct rlimit lim = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
        if (setrlimit(rl->resource, &lim) < 0) {
            struct rlimit cur;
            getrlimit(rl->resource, &cur);
            if (errno == EPERM)
                return error_errno(err,
                                   "process.rlimits: setting %s to soft %llu, hard %llu "
                                   "(the hard limit may not be raised above %llu here)",
                                   rl->name, (unsigned long long) rl->soft,
                                   (unsigned long long) rl->hard,
                                   (unsigned long long) cur.rlim_max);
            return error_errno(err, "process.rlimits: setting %s to soft %llu, hard %llu",
                               rl->name, (unsigned long long) rl->soft,
                               (unsigned long long) rl->hard);
        }
    }
    return 0;
}

/* The highest capability this kernel knows. */
static int last_cap(void)
{
    static int last = -1;
    if (last < 0) {
        int c = 0;
        while (c < 64 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
            c++;
        last = c;
    }
    return last;
}

int process_setup_privileged(const struct spec_process *p, struct error **err)
{
    int r;
    if (p->has_oom_score_adj) {
        char v[16];
        snprintf(v, sizeof(v), "%d", p->oom_score_adj);
        if ((r = fs_write_knob(AT_FDCWD, "/proc/self/oom_score_adj", v, err)) < 0)
            return error_wrap(err, "process.oomScoreAdj");
    }
    if ((r = apply_rlimits(p, err)) < 0)
        return r;
    /* runc makes a missing cwd; do it as root, before switching user. */
    cleanup_close int cwd = -1;
    if (access(p->cwd, F_OK) < 0 && errno == ENOENT) {
        cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
            return error_errno(err, "opening `/`");
        if ((r = fs_mkdir_in_root(root, p->cwd, 0755, &cwd, err)) < 0)
            return error_wrap(err, "process.cwd");
        if (p->uid != 0 || p->gid != 0) {
            if (fchownat(cwd, "", p->uid, p->gid, AT_EMPTY_PATH) < 0)
                return error_errno(err, "process.cwd: setting the owner of `%s`", p->cwd);
        }
    }
    /* The bounding set can only shrink, and only with CAP_SETPCAP: before
     * the uid switch. */
    int last = last_cap();
    for (int c = 0; c <= last; c++) {
        if (p->caps.bounding & (1ULL << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
            char name[64];
            return error_errno(err, "process.capabilities.bounding: dropping %s",
                               process_cap_name(c, name, sizeof(name)));
        }
    }
    return 0;
}

static int set_caps(const struct spec_process *p, struct error **err)
{
    cap_t caps = cap_init();
    if (caps == NULL)
        return error_errno(err, "allocating capabilities");
    int last = last_cap();
    for (int c = 0; c <= last; c++) {
        cap_value_t v = c;
        if (p->caps.effective & (1ULL << c))
            cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
        if (p->caps.permitted & (1ULL << c))
            cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
        if (p->caps.inheritable & (1ULL << c))
            cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
    int r = cap_set_proc(caps);
    int saved = errno;
    cap_free(caps);
    if (r < 0) {
        errno = saved;
        return error_errno(err, "process.capabilities: setting the capability sets");
    }
    for (int c = 0; c <= last; c++) {
        if (!(p->caps.ambient & (1ULL << c)))
            continue;
        /* Ambient needs the capability in permitted and inheritable; runc
         * skips those it cannot raise, and so do we. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
            char name[64];
            log_debug("not raising ambient %s: %s", process_cap_name(c, name, sizeof(name)),
                      strerror(errno));
        }
    }
    return 0;
}

int process_switch_user(const struct spec_process *p, struct error **err)
{
    /* EPERM is fine only when there is nothing to set (a user namespace
     * with setgroups denied): requested groups must not be dropped silently. */
    if (setgroups(p->n_additional_gids, p->additional_gids) < 0 &&
        (errno != EPERM || p->n_additional_gids > 0))
        return error_errno(err, "process.user.additionalGids: setting %zu groups",
                           p->n_additional_gids);
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        return error_errno(err, "process.user.gid: switching to gid %u", p->gid);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return error_errno(err, "keeping capabilities across the uid switch");
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        return error_errno(err, "process.user.uid: switching to uid %u", p->uid);
    int r = set_caps(p, err);
    if (r < 0)
        return r;
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (p->has_umask)
        umask(p->umask);
    else
        umask(0022);
    if (chdir(p->cwd) < 0)
        return error_errno(err, "process.cwd: entering `%s` as uid %u", p->cwd, p->uid);
    /* The cwd must be inside the container's root: a cwd reached through
     * a leaked fd or a /proc magic link reads "(unreachable)..." (the
     * check of runc's fix for CVE-2024-21626). */
    char here[4096];
    if (getcwd(here, sizeof(here)) == NULL || here[0] != '/')
        return error_new(err, EPERM, "process.cwd: `%s` is outside the container's root",
                         p->cwd);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_errno(err, "process.noNewPrivileges");
    return 0;
}

static char *home_of(uid_t uid)
{
    cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
    if (f == NULL)
        return NULL;
    cleanup_free char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        /* name:pw:uid:gid:gecos:home:shell */
        char *fields[7] = {0};
        char *s = line;
        int n = 0;
        for (; n < 7 && s; n++) {
            fields[n] = s;
            s = strchr(s, ':');
            if (s)
                *s++ = '\0';
        }
        if (n < 6 || fields[2] == NULL)
            continue;
        char *end;
        unsigned long u = strtoul(fields[2], &end, 10);
        if (*end == '\0' && u == uid && fields[5][0] == '/')
            return strdup(fields[5]);
    }
    return NULL;
}

static int find_program(const char *name, const char *path, char **ret, struct error **err)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) < 0)
            return error_errno(err, "process.args[0]: `%s`", name);
        *ret = strdup(name);
        return 0;
    }
    int first_errno = ENOENT;
    const char *p = path;
    while (p) {
        const char *end = strchrnul(p, ':');
        char *cand = NULL;
        int len = (int) (end - p);
        if (asprintf(&cand, "%.*s%s%s", len, p, len ? "/" : "", name) < 0)
            return error_new(err, ENOMEM, "out of memory");
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(cand, X_OK) == 0) {
                *ret = cand;
                return 0;
            }
            first_errno = EACCES;
        }
        free(cand);
        p = *end ? end + 1 : NULL;
    }
    if (first_errno == EACCES)
        return error_new(err, EACCES, "process.args[0]: `%s` is not executable", name);
    return error_new(err, ENOENT, "process.args[0]: executable `%s` not found in $PATH (%s)",
                     name, path);
}

int process_resolve(const struct spec_process *p, struct process_exec *ret, struct error **err)
{
    cleanup_strv char **env = calloc(1, sizeof(char *));
    if (env == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; p->env && p->env[i]; i++)
        if (strv_push(&env, p->env[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    if (strv_env_get(env, "HOME") == NULL) {
        cleanup_free char *home = home_of(p->uid);
        cleanup_free char *kv = NULL;
        if (asprintf(&kv, "HOME=%s", home ? home : "/") < 0 || strv_push(&env, kv) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    const char *path = strv_env_get(env, "PATH");
    cleanup_free char *prog = NULL;
    int r = find_program(p->args[0], path ? path : DEFAULT_PATH, &prog, err);
    if (r < 0)
        return r;
    ret->path = steal_pointer(&prog);
    ret->argv = p->args;
    ret->envp = steal_pointer(&env);
    return 0;
}

int process_exec(const struct process_exec *e, struct error **err)
{
    /* As late as possible: hooks forked before this would inherit the
     * exec labels, and every syscall after the filter is filtered. */
    int r = lsm_apply_exec(&e->lsm, err);
    if (r < 0 || (e->seccomp && (r = seccomp_install(e->seccomp, NULL, err)) < 0))
        return r;
    execve(e->path, e->argv, e->envp);
    return error_errno(err, "executing `%s`", e->path);
}

void process_exec_release(struct process_exec *e)
{
    free(e->path);
    strv_free(e->envp);
    e->path = NULL;
    e->envp = NULL;
}

/* Give the process's user its stdio, so that it can reopen them
 * (/dev/stdout, /proc/self/fd/1), as runc does; but only pipes, sockets
 * and the container's own terminal: never a terminal or file of the
 * host's that the caller handed down.  Failures are not fatal: an owner
 * the user namespace does not map, or a read-only /dev. */
static void chown_stdio(uid_t uid, bool own_tty)
{
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_uid == uid)
            continue;
        bool ok = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
                  (own_tty && S_ISCHR(st.st_mode) && st.st_rdev != makedev(1, 3));
        if (ok && fchown(fd, uid, (gid_t) -1) < 0)
            log_debug("not giving fd %d to uid %u: %s", fd, uid, strerror(errno));
    }
}

/* Load the filter; one with SCMP_ACT_NOTIFY rules gives a listener fd,
 * which the runtime passes on to linux.seccomp.listenerPath. */
static int load_seccomp(const struct seccomp_program *seccomp, int sync_fd, struct error **err)
{
    int listener = -1;
    int r = seccomp_install(seccomp, &listener, err);
    if (r < 0 || listener < 0)
        return r;
    r = sync_send_fd(sync_fd, SYNC_SECCOMP, listener);
    close(listener);
    if (r < 0)
        return error_errnum(err, -r, "handing the seccomp listener to the runtime");
    return 0;
}

int process_prepare(const struct spec_process *p, const struct seccomp_program *seccomp,
                    int tty_slave, int sync_fd, struct process_exec *ret, struct error **err)
{
    int r;
    /* A session of its own (as runc): the caller's terminal signals only
     * the runtime, which forwards them; and a terminal needs a session
     * leader to control. */
    if (setsid() < 0 && errno != EPERM) {
        close_keep_errno(tty_slave);
        return error_errno(err, "starting the process's session");
    }
    if (tty_slave >= 0 && (r = tty_attach(tty_slave, err)) < 0)
        return r;
    if ((r = process_setup_privileged(p, err)) < 0)
        return r;
    chown_stdio(p->uid, tty_slave >= 0);
    /* Without no_new_privs the filter needs CAP_SYS_ADMIN: load it while
     * we still have it.  With it, process_exec() loads it last, unless it
     * notifies: its listener must reach the runtime before the process
     * runs, so then at the end of this. */
    bool nnp = p->no_new_privileges;
    if (seccomp && !nnp && (r = load_seccomp(seccomp, sync_fd, err)) < 0)
        return r;
    if ((r = process_switch_user(p, err)) < 0 || (r = process_resolve(p, ret, err)) < 0)
        return r;
    if (seccomp && nnp && seccomp_program_notifies(seccomp))
        return load_seccomp(seccomp, sync_fd, err);
    if (seccomp && nnp)
        ret->seccomp = seccomp;
    return 0;
}

int process_start(unsigned int preserve_fds, const struct process_exec *e, struct error **err)
{
    /* Every fd we hold closes at exec; the process gets stdio and the
     * preserved ones only. */
    if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        return error_errno(err, "marking inherited fds close-on-exec");
    return process_exec(e, err);
}

void process_reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
}

static int cmp_int(const void *x, const void *y)
{
    return *(const int *) x - *(const int *) y;
}

void process_close_fds_but(unsigned int from, int *keep, size_t n)
{
    qsort(keep, n, sizeof(int), cmp_int);
    unsigned int next = from;
    for (size_t i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned int) keep[i] < next)
            continue;
        if ((unsigned int) keep[i] > next)
            syscall(SYS_close_range, next, (unsigned int) keep[i] - 1, 0);
        next = (unsigned int) keep[i] + 1;
    }
    syscall(SYS_close_range, next, ~0U, 0);
}
