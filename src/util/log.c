/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *program = "cabin";
static enum log_level min_level = LOG_WARN;
static enum log_format format = LOG_FORMAT_TEXT;
static int log_fd = -1;

static const char *const level_names[] = {"debug", "info", "warning", "error"};

void log_set_program(const char *name)
{
    program = name;
}

void log_set_level(enum log_level level)
{
    min_level = level;
}

enum log_level log_get_level(void)
{
    return min_level;
}

int log_get_fd(void)
{
    return log_fd;
}

int log_format_parse(const char *s, enum log_format *ret_format)
{
    if (strcmp(s, "text") == 0)
        *ret_format = LOG_FORMAT_TEXT;
    else if (strcmp(s, "json") == 0)
        *ret_format = LOG_FORMAT_JSON;
    else
        return -EINVAL;
    return 0;
}

int log_open(const char *path, enum log_format fmt, struct error **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_errno(err, "opening log file `%s`", path);
    if (log_fd >= 0)
        close(log_fd);
    log_fd = fd;
    format = fmt;
    return 0;
}

static void rfc3339_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

/* One write() a message, so lines from several processes never interleave. */
static void write_line(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        len -= (size_t) w;
    }
}

static void emit(enum log_level level, const char *msg, int to_stderr)
{
    int saved = errno;
    if (log_fd >= 0) {
        char when[64];
        rfc3339_now(when, sizeof(when));
        char *line = NULL;
        int n;
        if (format == LOG_FORMAT_JSON) {
            json_t *o = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg,
                                  "time", when);
            char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
            json_decref(o);
            n = s ? asprintf(&line, "%s\n", s) : -1;
            free(s);
        } else {
            n = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level],
                         msg);
        }
        if (n > 0)
            write_line(log_fd, line, (size_t) n);
        free(line);
    }
    if (to_stderr) {
        char *line = NULL;
        int n = asprintf(&line, "%s: %s\n", program, msg);
        if (n > 0)
            write_line(STDERR_FILENO, line, (size_t) n);
        free(line);
    }
    errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* Without a log file everything goes to stderr; with one, only what
     * the user must see (errors are reported by log_report_error). */
    emit(level, msg, log_fd < 0);
    free(msg);
}

void log_report_error(const struct error *e)
{
    emit(LOG_ERROR, e && e->msg ? e->msg : "unknown error", 1);
}
