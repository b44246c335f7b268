/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int sig;
} names[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},     {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},
    {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH}, {"IO", SIGIO},         {"POLL", SIGPOLL},   {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

static int parse_number(const char *s, long *ret)
{
    /* strtol would skip blanks and take a sign: a signal is digits only. */
    if (*s < '0' || *s > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || end == s)
        return -EINVAL;
    *ret = v;
    return 0;
}

int signal_parse(const char *s, struct error **err)
{
    long n;
    if (parse_number(s, &n) == 0) {
        if (n <= 0 || n > SIGRTMAX)
            return error_new(err, EINVAL, "invalid signal `%s`: not in 1..%d", s, SIGRTMAX);
        return (int) n;
    }
    const char *name = s;
    if (strncasecmp(name, "SIG", 3) == 0)
        name += 3;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(names[i].name, name) == 0)
            return names[i].sig;
    if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
        bool min = strncasecmp(name, "RTMIN", 5) == 0;
        long off = 0;
        const char *rest = name + 5;
        if (*rest) {
            if ((*rest != '+' && *rest != '-') || parse_number(rest + 1, &off) < 0 ||
                (min ? *rest != '+' : *rest != '-'))
                return error_new(err, EINVAL, "invalid signal `%s`", s);
            if (*rest == '-')
                off = -off;
        }
        long sig = (min ? SIGRTMIN : SIGRTMAX) + off;
        if (sig < SIGRTMIN || sig > SIGRTMAX)
            return error_new(err, EINVAL, "invalid signal `%s`: out of range", s);
        return (int) sig;
    }
    return error_new(err, EINVAL, "invalid signal `%s`", s);
}
