/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/logs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "monitor/protocol.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_FILES 1000
#define LINE_MAX_BYTES (1u << 20) /* a log entry longer than this is not ours */

/* ---- times ---------------------------------------------------------------------- */

int64_t logs_parse_duration(const char *s)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1},     {"us", 1e3},   {"\xc2\xb5s", 1e3}, {"ms", 1e6},
                 {"s", 1e9},    {"m", 60e9},   {"h", 3600e9}};
    double total = 0;
    const char *p = s;
    if (*p == '\0')
        return -1;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0 || (!isdigit((unsigned char) *p) && *p != '.'))
            return -1;
        p = end;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t n = strlen(units[i].unit);
            if (strncmp(p, units[i].unit, n) == 0 && n > best_len) {
                best = i;
                best_len = n;
            }
        }
        if (best_len == 0)
            return -1;
        /* "m" must not eat the "m" of "ms". */
        total += v * units[best].ns;
        p += best_len;
    }
    return total > 9e18 ? -1 : (int64_t) total;
}

int logs_parse_time(const char *flag, const char *s, int64_t *ret, struct error **err)
{
    const char *p = s;
    while (isdigit((unsigned char) *p))
        p++;
    if (p != s && (*p == '\0' || (*p == '.' && isdigit((unsigned char) p[1])))) {
        double v = strtod(s, NULL);
        *ret = (int64_t) (v * 1e9);
        return 0;
    }
    int64_t d = logs_parse_duration(s);
    if (d >= 0) {
        *ret = engine_now_ns() - d;
        return 0;
    }
    int64_t t = engine_time_parse(s);
    if (t < 0 && strlen(s) == 10) {
        char full[32];
        snprintf(full, sizeof(full), "%sT00:00:00Z", s);
        t = engine_time_parse(full);
    }
    if (t < 0)
        return error_new(err, EINVAL, "%s `%s`: expected a time (2024-05-01T10:00:00Z, "
                                      "2024-05-01, 1714557600) or a duration (10m, 1h30m)",
                         flag, s);
    *ret = t;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------ */

struct entry {
    const char *text;
    size_t len;
    bool err;
    int64_t time;
    const char *when;
};

/* One line of the log; false if it is not an entry. */
static bool parse_entry(const char *line, size_t len, json_t **hold, struct entry *ret)
{
    json_error_t je;
    json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return false;
    }
    json_t *log = json_object_get(j, "log");
    const char *stream = json_string_value(json_object_get(j, "stream"));
    const char *when = json_string_value(json_object_get(j, "time"));
    if (!json_is_string(log) || stream == NULL || when == NULL) {
        json_decref(j);
        return false;
    }
    *hold = j;
    ret->text = json_string_value(log);
    ret->len = json_string_length(log);
    ret->err = strcmp(stream, "stderr") == 0;
    ret->when = when;
    ret->time = engine_time_parse(when);
    return true;
}

struct reader {
    const struct logs_opts *o;
    int64_t skip;       /* complete lines still to skip (for --tail) */
    int64_t lines;      /* complete lines seen (counting pass) */
    bool counting;
    bool line_start;    /* the next entry starts a line (for -t) */
};

static bool wanted(const struct reader *r, const struct entry *e)
{
    if (r->o->since > 0 && e->time < r->o->since)
        return false;
    if (r->o->until > 0 && e->time >= r->o->until)
        return false;
    return true;
}

static void handle(struct reader *r, const char *line, size_t len)
{
    json_t *hold = NULL;
    struct entry e;
    if (!parse_entry(line, len, &hold, &e))
        return;
    if (wanted(r, &e)) {
        bool ends = e.len > 0 && e.text[e.len - 1] == '\n';
        if (r->counting) {
            r->lines += ends;
        } else if (r->skip > 0) {
            r->skip -= ends;
        } else {
            int fd = e.err ? r->o->err : r->o->out;
            if (r->o->timestamps && r->line_start) {
                fs_write_all(fd, e.when, strlen(e.when));
                fs_write_all(fd, " ", 1);
            }
            fs_write_all(fd, e.text, e.len);
            r->line_start = ends;
        }
    }
    json_decref(hold);
}

/* Read whole lines of `fd` from where it is; a partial last line stays in
 * *pending (for follow) or is dropped. */
static void read_lines(struct reader *r, int fd, char **pending, size_t *plen)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        char *p = realloc(*pending, *plen + (size_t) n + 1);
        if (p == NULL)
            return;
        *pending = p;
        memcpy(p + *plen, buf, (size_t) n);
        *plen += (size_t) n;
        size_t start = 0;
        for (size_t i = 0; i < *plen; i++) {
            if (p[i] != '\n')
                continue;
            handle(r, p + start, i - start);
            start = i + 1;
        }
        memmove(p, p + start, *plen - start);
        *plen -= start;
        if (*plen > LINE_MAX_BYTES)
            *plen = 0;
    }
}

static int count_rotated(int cdirfd)
{
    int n = 0;
    char name[64];
    for (int i = 1; i < MAX_FILES; i++) {
        snprintf(name, sizeof(name), "%s.%d", MONITOR_LOG, i);
        if (faccessat(cdirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
            break;
        n = i;
    }
    return n;
}

/* Every file, oldest first; the current one stays open in *ret_fd. */
static void read_all(struct reader *r, int cdirfd, int *ret_fd, char **pending, size_t *plen)
{
    char name[64];
    for (int i = count_rotated(cdirfd); i >= 0; i--) {
        if (i > 0)
            snprintf(name, sizeof(name), "%s.%d", MONITOR_LOG, i);
        else
            snprintf(name, sizeof(name), "%s", MONITOR_LOG);
        int fd = openat(cdirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            continue;
        read_lines(r, fd, pending, plen);
        if (i == 0 && ret_fd) {
            *ret_fd = fd;
        } else {
            close(fd);
            *plen = 0; /* a partial line at the end of a finished file */
        }
    }
}

static int follow(struct engine *e, const struct engine_container *c, struct reader *r,
                  int cdirfd, int fd, char **pending, size_t *plen, struct error **err)
{
    cleanup_close int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/self/fd/%d", cdirfd);
    if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
        return error_errno(err, "watching the log of container %.12s", c->id);
    for (;;) {
        bool alive = monitor_alive(e, c->id);
        read_lines(r, fd, pending, plen);
        /* Rotated: the file we read is finished; the new one is the log. */
        struct stat a, b;
        if (fstatat(cdirfd, MONITOR_LOG, &b, AT_SYMLINK_NOFOLLOW) == 0 && fstat(fd, &a) == 0 &&
            a.st_ino != b.st_ino) {
            int nfd = openat(cdirfd, MONITOR_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
            if (nfd >= 0) {
                read_lines(r, fd, pending, plen);
                close(fd);
                fd = nfd;
                *plen = 0;
                continue;
            }
        }
        if (!alive)
            break;
        struct pollfd p = {.fd = in, .events = POLLIN};
        /* The monitor's end is not a file event: look again now and then. */
        poll(&p, 1, 250);
        char ev[4096];
        while (read(in, ev, sizeof(ev)) > 0)
            ;
    }
    close(fd);
    return 0;
}

int engine_container_logs(struct engine *e, const struct engine_container *c,
                          const struct logs_opts *o, struct error **err)
{
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (cdirfd < 0)
        return error_errno(err, "container %.12s", c->id);
    struct reader r = {.o = o, .line_start = true};
    cleanup_free char *pending = NULL;
    size_t plen = 0;
    if (o->tail >= 0) {
        r.counting = true;
        read_all(&r, cdirfd, NULL, &pending, &plen);
        r.counting = false;
        r.skip = r.lines > o->tail ? r.lines - o->tail : 0;
        plen = 0;
    }
    int fd = -1;
    read_all(&r, cdirfd, &fd, &pending, &plen);
    if (!o->follow) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (fd < 0) {
        fd = openat(cdirfd, MONITOR_LOG, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_CREAT, 0640);
        if (fd < 0)
            return error_errno(err, "opening the log of container %.12s", c->id);
    }
    return follow(e, c, &r, cdirfd, fd, &pending, &plen, err);
}
