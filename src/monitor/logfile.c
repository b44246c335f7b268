/* SPDX-License-Identifier: Apache-2.0 */
#include "monitor/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/protocol.h"

/* One entry at most: the longest escaped text that fits, with the rest of
 * the line in the next entry.  Small, because a page of it that was once
 * touched stays in the monitor's private memory. */
#define ENTRY_MAX 8192
#define TEXT_MAX  (ENTRY_MAX - 128)

static char entry[ENTRY_MAX];

int logfile_open(struct logfile *l, int dirfd, off_t max_size, int max_files)
{
    l->dirfd = dirfd;
    l->max_size = max_size;
    l->max_files = max_files < 1 ? 1 : max_files;
    l->errors = 0;
    l->fd = openat(dirfd, MONITOR_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                   0640);
    if (l->fd < 0)
        return -errno;
    struct stat st;
    l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
    return 0;
}

void logfile_time(const struct timespec *ts, char *buf, size_t len)
{
    struct tm tm;
    time_t t = ts->tv_sec;
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n > 0 && n < len)
        snprintf(buf + n, len - n, ".%09ldZ", (long) ts->tv_nsec);
}

static void rotate(struct logfile *l)
{
    char from[64], to[64];
    if (l->max_files > 1) {
        for (int i = l->max_files - 1; i >= 1; i--) {
            if (i == 1)
                snprintf(from, sizeof(from), "%s", MONITOR_LOG);
            else
                snprintf(from, sizeof(from), "%s.%d", MONITOR_LOG, i - 1);
            snprintf(to, sizeof(to), "%s.%d", MONITOR_LOG, i);
            if (renameat(l->dirfd, from, l->dirfd, to) < 0 && errno != ENOENT)
                l->errors++;
        }
        close(l->fd);
        l->fd = openat(l->dirfd, MONITOR_LOG,
                       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    } else if (ftruncate(l->fd, 0) < 0) {
        l->errors++;
    }
    l->size = 0;
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x3f >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

size_t logfile_escape(const char *data, size_t len, char *out, size_t cap, size_t *ret_out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, o = 0;
    while (i < len) {
        unsigned char c = (unsigned char) data[i];
        char tmp[8];
        size_t tn = 0, used = 1;
        if (c == '"' || c == '\\') {
            tmp[tn++] = '\\';
            tmp[tn++] = (char) c;
        } else if (c == '\n' || c == '\t' || c == '\r') {
            tmp[tn++] = '\\';
            tmp[tn++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(tmp, "\\u00", 4);
            tmp[4] = hex[c >> 4];
            tmp[5] = hex[c & 15];
            tn = 6;
        } else if (c < 0x80) {
            tmp[tn++] = (char) c;
        } else if ((used = utf8_seq((const unsigned char *) data + i, len - i)) > 0) {
            memcpy(tmp, data + i, used);
            tn = used;
        } else {
            memcpy(tmp, "\xef\xbf\xbd", 3);
            tn = 3;
            used = 1;
        }
        if (o + tn > cap)
            break;
        memcpy(out + o, tmp, tn);
        o += tn;
        i += used;
        if (c == '\n')
            break;
    }
    *ret_out = o;
    return i;
}

#define HEAD     "{\"log\":\""
#define HEAD_LEN (sizeof(HEAD) - 1)

/* Write the entry whose escaped text (tlen bytes) is already in place at
 * entry + HEAD_LEN. */
static void emit(struct logfile *l, const char *stream, size_t tlen, const char *when)
{
    memcpy(entry, HEAD, HEAD_LEN);
    size_t n = HEAD_LEN + tlen;
    int tail = snprintf(entry + n, sizeof(entry) - n, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
                        stream, when);
    if (tail < 0 || (size_t) tail >= sizeof(entry) - n)
        return;
    n += (size_t) tail;
    if (l->max_size > 0 && l->size > 0 && l->size + (off_t) n > l->max_size)
        rotate(l);
    if (l->fd < 0) {
        l->errors++;
        return;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(l->fd, entry + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            l->errors++;
            return;
        }
        off += (size_t) w;
    }
    l->size += (off_t) n;
}

void logfile_write(struct logfile *l, const char *stream, const char *data, size_t len,
                   const struct timespec *ts)
{
    char when[48];
    logfile_time(ts, when, sizeof(when));
    while (len > 0) {
        size_t out = 0;
        size_t used = logfile_escape(data, len, entry + HEAD_LEN, TEXT_MAX, &out);
        if (used == 0)
            break; /* cannot happen: TEXT_MAX holds any one character */
        emit(l, stream, out, when);
        data += used;
        len -= used;
    }
}
