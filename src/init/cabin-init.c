/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cabin-init: the small init of `cabin run --init` (docker's docker-init,
 * tini, in our own words).  The engine bind-mounts it read-only at
 * /sbin/cabin-init and makes it the container's process:
 *
 *   /sbin/cabin-init -- COMMAND [ARG...]
 *
 * As PID 1 it runs COMMAND as its child (in the foreground process group of
 * the terminal, when there is one), passes every signal it gets on to it,
 * reaps every orphan that the container's processes leave, and exits with
 * COMMAND's status (128+N when signal N ended it).  A program that does not
 * expect to be PID 1 then gets signals' default actions and leaves no
 * zombies.
 *
 * Static, libc only: it runs in any image.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void say(const char *a, const char *b, const char *c)
{
    char msg[512];
    int n = snprintf(msg, sizeof(msg), "cabin-init: %s%s%s\n", a, b, c);
    if (n > 0 && write(STDERR_FILENO, msg, (size_t) n) < 0)
        return;
}

static void child(char **argv, const sigset_t *old)
{
    /* Its own process group, the terminal's foreground one if we have a
     * terminal, so that ^C reaches it as it would in a shell. */
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) {
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(STDIN_FILENO, getpgrp());
        signal(SIGTTOU, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, old, NULL);
    execvp(argv[0], argv);
    int e = errno;
    say("exec ", argv[0], e == ENOENT ? ": not found" : ": cannot execute");
    _exit(e == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        say("usage: cabin-init [--] COMMAND [ARG...]", "", "");
        return 2;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        say("fork: ", strerror(errno), "");
        return 126;
    }
    if (pid == 0)
        child(argv + i, &old);
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&all, &si);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(pid, sig);
            continue;
        }
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0)
            if (w == pid)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
}
