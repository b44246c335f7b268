/* SPDX-License-Identifier: Apache-2.0 */
/* A seccomp plan → BPF, with libseccomp, in a child with a deadline
 * (runtime/seccomp_internal.h says why). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/seccomp_internal.h"
#include "util/cleanup.h"

#define MAX_BUILT_INSNS 65536 /* a runaway export is refused, not read */

unsigned int seccomp_build_timeout_ms = 10000;

/* The libseccomp calls of the plan; the program goes to `out_fd`. */
static int run_libseccomp(const struct seccomp_plan *plan, int out_fd, struct error **err)
{
    scmp_filter_ctx ctx = seccomp_init(plan->default_action);
    if (ctx == NULL)
        return error_new(err, ENOMEM, "linux.seccomp: initialising libseccomp");
    int r = 0;
    for (size_t i = 0; r == 0 && i < plan->n_archs; i++) {
        const struct seccomp_plan_arch *a = &plan->archs[i];
        int e = seccomp_arch_add(ctx, a->token);
        if (e < 0 && e != -EEXIST)
            r = error_errnum(err, -e, "linux.seccomp.architectures[%zu]: adding `%s`", a->index,
                             a->name);
    }
    for (size_t i = 0; r == 0 && i < plan->n_rules; i++) {
        const struct seccomp_plan_rule *ru = &plan->rules[i];
        int e = seccomp_rule_add_array(ctx, ru->action, ru->nr, ru->n_conds,
                                       ru->n_conds ? ru->conds : NULL);
        if (e < 0)
            r = error_errnum(err, -e, "linux.seccomp.syscalls[%zu]: adding the rule for `%s`",
                             ru->index, ru->name);
    }
    if (r == 0) {
        int e = seccomp_export_bpf(ctx, out_fd);
        if (e < 0)
            r = error_errnum(err, -e, "linux.seccomp: exporting the compiled filter");
    }
    seccomp_release(ctx);
    return r;
}

/* The child: exit 0 with the program in `out_fd`, or exit 1 with the error
 * (its errno, then its message) written to `msg_fd`. */
__attribute__((noreturn)) static void build_child(const struct seccomp_plan *plan, pid_t parent,
                                                   int out_fd, int msg_fd)
{
    /* Gone with the runtime if the runtime is killed while it waits. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    /* Not the runtime's signal handling: a signal to the group ends it. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    static const int defaults[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        signal(defaults[i], SIG_DFL);
    struct error *e = NULL;
    if (run_libseccomp(plan, out_fd, &e) == 0)
        _exit(0);
    int code = error_code(e);
    ssize_t w = write(msg_fd, &code, sizeof(code));
    if (w == (ssize_t) sizeof(code) && e && e->msg)
        w = write(msg_fd, e->msg, strnlen(e->msg, 4000));
    _exit(1);
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* Read `fd` until EOF (the child has exited and its end closed), keeping
 * the first `cap` bytes; -ETIMEDOUT when the deadline passes first. */
static int read_until_eof(int fd, char *buf, size_t cap, size_t *ret_len, unsigned int timeout_ms)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t len = 0;
    for (;;) {
        long left = (long) timeout_ms - elapsed_ms(&start);
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, (int) left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ETIMEDOUT;
        char spill[256];
        ssize_t got = len < cap ? read(fd, buf + len, cap - len) : read(fd, spill, sizeof(spill));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        if (got == 0)
            break;
        if (len < cap)
            len += (size_t) got;
    }
    *ret_len = len;
    return 0;
}

/* The program the child left in `fd`. */
static int read_program(int fd, struct sock_filter **ret_insns, size_t *ret_n, struct error **err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return error_errno(err, "linux.seccomp: reading the compiled filter");
    size_t size = (size_t) st.st_size;
    if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
        size > MAX_BUILT_INSNS * sizeof(struct sock_filter))
        return error_new(err, EIO, "linux.seccomp: libseccomp exported %zu bytes, not a program",
                         size);
    cleanup_free struct sock_filter *insns = malloc(size);
    if (insns == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (pread(fd, insns, size, 0) != (ssize_t) size)
        return error_errno(err, "linux.seccomp: reading the compiled filter");
    *ret_n = size / sizeof(struct sock_filter);
    *ret_insns = steal_pointer(&insns);
    return 0;
}

/* Why the child failed, from its status and what it wrote. */
static int child_error(int status, const char *msg, size_t len, struct error **err)
{
    int code;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && len > sizeof(code)) {
        memcpy(&code, msg, sizeof(code));
        return error_new(err, code > 0 ? code : EIO, "%.*s", (int) (len - sizeof(code)),
                         msg + sizeof(code));
    }
    if (WIFSIGNALED(status))
        return error_new(err, EIO, "linux.seccomp: libseccomp died of signal %d compiling the "
                         "filter", WTERMSIG(status));
    return error_new(err, EIO, "linux.seccomp: compiling the filter failed (status %d)", status);
}

int seccomp_build(const struct seccomp_plan *plan, struct sock_filter **ret_insns, size_t *ret_n,
                  struct error **err)
{
    cleanup_close int out = memfd_create("cabin-seccomp", MFD_CLOEXEC);
    if (out < 0)
        return error_errno(err, "linux.seccomp: making a memfd for the compiled filter");
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return error_errno(err, "linux.seccomp: making a pipe");
    cleanup_close int rd = p[0];
    cleanup_close int wr = p[1];
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return error_errno(err, "linux.seccomp: forking to compile the filter");
    if (pid == 0)
        build_child(plan, parent, out, wr);
    close(steal_fd(&wr));
    char msg[4096];
    size_t len = 0;
    int r = read_until_eof(rd, msg, sizeof(msg), &len, seccomp_build_timeout_ms);
    if (r < 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (r == -ETIMEDOUT) {
        const struct scmp_version *v = seccomp_version();
        return error_new(err, ETIMEDOUT,
                         "linux.seccomp: libseccomp %u.%u.%u did not finish compiling the filter "
                         "in %u ms (it can loop forever on some combinations of argument "
                         "conditions for one syscall); simplify the rules' args",
                         v->major, v->minor, v->micro, seccomp_build_timeout_ms);
    }
    if (r < 0)
        return error_errnum(err, -r, "linux.seccomp: waiting for the filter to compile");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return child_error(status, msg, len, err);
    return read_program(out, ret_insns, ret_n, err);
}
