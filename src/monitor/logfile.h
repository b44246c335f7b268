/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's log writer: the container's output as JSON lines in
 * docker's json-file format, one entry for each line (the text keeps its
 * "\n"; a line still open when the pipe had no more gives an entry without
 * one, and the rest of it the next: the concatenation is the output, byte
 * for byte), in CDIR/container.log.
 *
 * Rotation by size: when an entry would take the file past max_size, the
 * file becomes container.log.1 (.1 becomes .2, ... up to max_files - 1)
 * and a new one is started; with max_files 1 the file is started again
 * empty.  max_size 0 means no limit.  Readers (engine/logs.c) read the
 * rotated files oldest first.
 *
 * Write errors (a full disk) are counted, not fatal: the container must not
 * stop because its log cannot be written.
 */
#ifndef CABIN_MONITOR_LOGFILE_H
#define CABIN_MONITOR_LOGFILE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct logfile {
    int dirfd;          /* CDIR */
    int fd;             /* container.log, O_APPEND */
    off_t size;
    off_t max_size;     /* 0: unlimited */
    int max_files;      /* >= 1 */
    unsigned long errors;
};

/* Open (append to) CDIR/container.log.  Returns 0 or a negative errno. */
int logfile_open(struct logfile *l, int dirfd, off_t max_size, int max_files);

/* Log `len` bytes of one stream ("stdout" or "stderr") read at `ts`. */
void logfile_write(struct logfile *l, const char *stream, const char *data, size_t len,
                   const struct timespec *ts);

/* JSON-escape from data into out (at most cap bytes), stopping after a
 * newline or when the next character would not fit.  Invalid UTF-8 becomes
 * U+FFFD, as docker's writer does.  Returns the input consumed, and in
 * *ret_out the output's length (not NUL-terminated). */
size_t logfile_escape(const char *data, size_t len, char *out, size_t cap, size_t *ret_out);

/* RFC 3339 with nanoseconds, UTC ("2024-05-01T10:00:00.123456789Z"). */
void logfile_time(const struct timespec *ts, char *buf, size_t len);

#endif
