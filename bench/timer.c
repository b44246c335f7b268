/* timer: run one command, report its wall time and peak RSS.
 *
 *   timer OUTFILE LABEL CMD [ARGS...]
 *
 * Appends one tab-separated line to OUTFILE:
 *
 *   LABEL  WALL_NS  MAXRSS_KIB  STATUS
 *
 * WALL_NS is CLOCK_MONOTONIC from just before fork() to just after wait4()
 * returns.  MAXRSS_KIB is ru_maxrss from wait4(): the largest resident set of
 * the child and of every descendant it waited for (so for an OCI runtime, the
 * biggest of the runtime, its re-exec'd helpers and the container process).
 * STATUS is the exit code, or 128+signal.  The child inherits stdin, stdout
 * and stderr, so redirect them in the caller.  The timer's own exit code is
 * the child's STATUS, or 127 if the command could not be run at all.
 *
 * The child runs in its own process group.  SIGINT, SIGTERM and SIGHUP sent
 * to the timer are forwarded to that group; the timer then records nothing
 * and dies of the same signal once the child is gone.  If TIMER_TIMEOUT is set to
 * N > 0 seconds, a group still running after N seconds is killed with SIGKILL
 * (STATUS 137), so a hung runtime cannot stall the benchmark.
 *
 * Built with -static by bench-runtime-run.sh so the pre-exec copy of this
 * process (which ru_maxrss also sees) stays as small as possible.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile sig_atomic_t child_pgid;
static volatile sig_atomic_t alarmed;
static volatile sig_atomic_t forwarded;

static void on_alarm(int sig)
{
    (void)sig;
    alarmed = 1; /* and interrupt wait4() */
}

static void on_forward(int sig)
{
    forwarded = sig;
    if (child_pgid > 0)
        kill(-child_pgid, sig);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s OUTFILE LABEL CMD [ARGS...]\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    const char *label = argv[2];
    int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "timer: %s: %s\n", out, strerror(errno));
        return 2;
    }

    const char *to = getenv("TIMER_TIMEOUT");
    unsigned timeout = to ? (unsigned)strtoul(to, NULL, 10) : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_forward;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "timer: fork: %s\n", strerror(errno));
        return 127;
    }
    if (pid == 0) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        setpgid(0, 0);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "timer: %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }

    setpgid(pid, pid); /* also in the child: whichever runs first wins */
    child_pgid = pid;
    if (timeout)
        alarm(timeout);
    int st;
    struct rusage ru;
    pid_t w;
    for (;;) {
        w = wait4(pid, &st, 0, &ru);
        if (w >= 0 || errno != EINTR)
            break;
        /* Kill the whole group while its leader is unreaped, so the id
         * cannot have been reused. */
        if (alarmed) {
            alarmed = 0;
            fprintf(stderr, "timer: %s still running after %us, killing it\n",
                    argv[3], timeout);
            kill(-pid, SIGKILL);
        }
    }
    long long t1 = now_ns();
    if (w < 0) {
        fprintf(stderr, "timer: wait4: %s\n", strerror(errno));
        return 127;
    }

    if (forwarded) {
        /* Interrupted: record nothing, and die of the same signal so the
         * calling shell sees it. */
        signal(forwarded, SIG_DFL);
        raise(forwarded);
        return 128 + forwarded;
    }

    int status = WIFEXITED(st) ? WEXITSTATUS(st)
               : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
    char line[512];
    int n = snprintf(line, sizeof line, "%s\t%lld\t%ld\t%d\n",
                     label, t1 - t0, ru.ru_maxrss, status);
    if (n < 0 || (size_t)n >= sizeof line || write(fd, line, (size_t)n) != n) {
        fprintf(stderr, "timer: write %s failed\n", out);
        return 2;
    }
    close(fd);
    return status;
}
