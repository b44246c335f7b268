/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small process-wide logger.
 *
 * By default messages go to stderr as text ("cabin-runtime: msg").  With
 * log_open(FILE, LOG_FORMAT_JSON) they are appended to FILE as one JSON
 * object a line, {"level":"error","msg":"...","time":"RFC3339"}, which is
 * what podman and containerd read to show a runtime's error to the user.
 *
 * Library code (util, runtime, image, engine) logs only at LOG_DEBUG; the
 * front ends in src/cli decide what the user sees.
 */
#ifndef CABIN_UTIL_LOG_H
#define CABIN_UTIL_LOG_H

#include "util/error.h"

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

/* Name used as the prefix of text messages on stderr. */
void log_set_program(const char *name);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Send messages to `path` (appended, created 0600) in `format`.  Returns a
 * negative errno and fills *err when the file cannot be opened. */
int log_open(const char *path, enum log_format format, struct error **err);

/* Parse "text" or "json".  Returns -EINVAL for anything else. */
int log_format_parse(const char *s, enum log_format *ret_format);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) \
    do { \
        if (log_get_level() <= LOG_DEBUG) \
            log_msg(LOG_DEBUG, __VA_ARGS__); \
    } while (0)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Report a final error: to the log file when one is open, and always to
 * stderr as "program: message". */
void log_report_error(const struct error *e);

/* The fd of the log file, or -1; kept open across fork so a container's
 * init can report errors in the same place before it execs. */
int log_get_fd(void);

#endif
