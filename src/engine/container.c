/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/lifecycle.h"
#include "engine/logs.h"
#include "engine/monitor.h"
#include "engine/names.h"
#include "engine/netvol.h"
#include "monitor/protocol.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define RECORD_MAX (4u << 20)
#define STATE_MAX  (64u << 10)

static const char *const status_names[] = {
    [ENGINE_CREATED] = "created", [ENGINE_RESTARTING] = "restarting",
    [ENGINE_RUNNING] = "running", [ENGINE_REMOVING] = "removing",
    [ENGINE_PAUSED] = "paused",   [ENGINE_EXITED] = "exited",
    [ENGINE_DEAD] = "dead",
};

const char *engine_status_name(enum engine_status s)
{
    return (size_t) s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
                                                                        : "unknown";
}

int engine_status_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (strcmp(status_names[i], s) == 0)
            return (int) i;
    return -1;
}

void engine_container_free(struct engine_container *c)
{
    if (c == NULL)
        return;
    free(c->name);
    free(c->image);
    strv_free(c->layers);
    free(c->driver);
    strv_free(c->command);
    json_decref(c->config);
    json_decref(c->host_config);
    free(c);
}

void engine_container_list_free(struct engine_container **v)
{
    for (size_t i = 0; v && v[i]; i++)
        engine_container_free(v[i]);
    free(v);
}

/* ---- time ------------------------------------------------------------------ */

int64_t engine_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void engine_time_rfc3339(int64_t ns, char *buf, size_t len)
{
    if (ns <= 0) {
        snprintf(buf, len, "0001-01-01T00:00:00Z");
        return;
    }
    time_t t = (time_t) (ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n > 0 && n < len)
        snprintf(buf + n, len - n, ".%09lldZ", (long long) (ns % 1000000000));
}

int64_t engine_time_parse(const char *s)
{
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL)
        return -1;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (digits < 9) {
                frac = frac * 10 + (*p - '0');
                digits++;
            }
        for (; digits < 9; digits++)
            frac *= 10;
    }
    long offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return -1;
        offset = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p)
        return -1;
    time_t t = timegm(&tm);
    if (t == (time_t) -1)
        return -1;
    return ((int64_t) t - offset) * 1000000000 + frac;
}

/* ---- paths ------------------------------------------------------------------ */

char *engine_container_dir(const struct engine *e, const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/containers/%s", e->root, id) < 0 ? NULL : p;
}

char *engine_container_rundir(const struct engine *e, const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/containers/%s", e->runroot, id) < 0 ? NULL : p;
}

int engine_container_open_dir(const struct engine *e, const char *id)
{
    return openat(e->containersfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* ---- records ---------------------------------------------------------------- */

static json_t *strv_json(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The folder of a container found a moment ago cannot be opened. */
static int gone_error(const char *id, struct error **err)
{
    if (errno == ENOENT)
        return error_new(err, ENOENT, "no such container: `%.12s` (it was removed meanwhile)",
                         id);
    return error_errno(err, "container %.12s", id);
}

int engine_container_write(struct engine *e, const struct engine_container *c, bool sync,
                           struct error **err)
{
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (cdirfd < 0)
        return gone_error(c->id, err);
    return engine_container_write_at(cdirfd, c, sync, err);
}

int engine_container_write_at(int cdirfd, const struct engine_container *c, bool sync,
                              struct error **err)
{
    cleanup_json json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:I, s:i, s:b, s:O, s:O}", "id", c->id, "name",
        c->name, "image_id", c->image_id, "image", c->image, "layers", strv_json(c->layers),
        "driver", c->driver, "command", strv_json(c->command), "created",
        (json_int_t) c->created, "run", c->run, "stopped_by_user", c->stopped_by_user,
        "config", c->config ? c->config : json_null(), "host_config",
        c->host_config ? c->host_config : json_null());
    cleanup_free char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = fs_write_file_atomic(cdirfd, ENGINE_RECORD, text, strlen(text), 0600, sync, err);
    return r < 0 ? error_wrap(err, "container %.12s", c->id) : 0;
}

bool engine_container_is_id(const char *s)
{
    if (strlen(s) != ENGINE_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static int record_parse(json_t *j, const char *id, struct engine_container **ret,
                        struct error **err)
{
    cleanup_container struct engine_container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *cid = NULL, *image_id = NULL, *image = NULL, *driver = NULL, *name = NULL;
    int64_t run = 0;
    const char *w = ENGINE_RECORD;
    int r;
    if ((r = json_get_string(j, "id", w, true, &cid, err)) < 0 ||
        (r = json_get_string(j, "name", w, true, &name, err)) < 0 ||
        (r = json_get_string(j, "image_id", w, true, &image_id, err)) < 0 ||
        (r = json_get_string(j, "image", w, true, &image, err)) < 0 ||
        (r = json_get_string(j, "driver", w, true, &driver, err)) < 0 ||
        (r = json_get_strv(j, "layers", w, true, &c->layers, err)) < 0 ||
        (r = json_get_strv(j, "command", w, false, &c->command, err)) < 0 ||
        (r = json_get_int64(j, "created", w, false, &c->created, err)) < 0 ||
        (r = json_get_int64(j, "run", w, false, &run, err)) < 0 ||
        (r = json_get_bool(j, "stopped_by_user", w, &c->stopped_by_user, err)) < 0)
        return r;
    if (!engine_container_is_id(cid) || strcmp(cid, id) != 0 || !digest_valid(image_id))
        return error_new(err, EINVAL, ENGINE_RECORD ": its id or image_id is not this "
                                      "container's");
    memcpy(c->id, cid, ENGINE_ID_LEN + 1);
    memcpy(c->image_id, image_id, DIGEST_BUF);
    c->run = (int) run;
    c->name = strdup(name);
    c->image = strdup(image);
    c->driver = strdup(driver);
    if (c->name == NULL || c->image == NULL || c->driver == NULL)
        return error_new(err, ENOMEM, "out of memory");
    json_t *cfg = json_object_get(j, "config"), *host = json_object_get(j, "host_config");
    c->config = json_is_object(cfg) ? json_incref(cfg) : json_object();
    c->host_config = json_is_object(host) ? json_incref(host) : json_object();
    *ret = steal_pointer(&c);
    return 0;
}

int engine_container_read(struct engine *e, const char *id, struct engine_container **ret,
                          struct error **err)
{
    cleanup_close int cdirfd = engine_container_open_dir(e, id);
    if (cdirfd < 0)
        return error_errno(err, "container %.12s", id);
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(cdirfd, ENGINE_RECORD, RECORD_MAX, &j, err);
    if (r == 0)
        r = record_parse(j, id, ret, err);
    if (r < 0 && err && error_code(*err) != ENOENT && error_code(*err) != ENOMEM) {
        cleanup_error struct error *inner = steal_pointer(err);
        return error_new(err, error_code(inner),
                         "container %.12s: `%s/containers/%s`: %s (`cabin system check "
                         "--repair` drops a container whose record cannot be read)",
                         id, e->root, id, inner->msg);
    }
    return r;
}

/* Who holds a container's lock that long: when its record counts a run
 * its monitor has not written yet, a start, whose process making the run
 * is the pid monitor.pid names (else 0). */
static int starter_pid(struct engine *e, const char *id)
{
    cleanup_container struct engine_container *c = NULL;
    cleanup_json json_t *st = NULL;
    if (engine_container_read(e, id, &c, NULL) < 0)
        return 0;
    if (engine_monitor_state_read(e, id, &st, NULL) == 0 &&
        json_integer_value(json_object_get(st, "run")) == c->run)
        return 0; /* the current run is made: somebody else holds it */
    cleanup_free char *rdir = engine_container_rundir(e, id);
    cleanup_free char *text = NULL;
    cleanup_close int fd = rdir ? open(rdir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd < 0 || fs_read_file_at(fd, MONITOR_PID_FILE, 32, &text, NULL, NULL) < 0)
        return 0;
    return atoi(text);
}

static int lock_fd(struct engine *e, const char *id, int fd, int timeout_ms, struct error **err)
{
    if (timeout_ms < 0) {
        if (flock(fd, LOCK_EX) < 0)
            return error_errno(err, "locking container %.12s", id);
        return 0;
    }
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    useconds_t pause = 2000;
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return error_errno(err, "locking container %.12s", id);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long ms = (now.tv_sec - t0.tv_sec) * 1000LL + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= timeout_ms) {
            int pid = starter_pid(e, id);
            if (pid > 0)
                return error_new(err, ETIMEDOUT,
                                 "container %.12s: a start of it is still under way after %d s "
                                 "(process %d makes its run; kill it to go on)",
                                 id, timeout_ms / 1000, pid);
            return error_new(err, ETIMEDOUT,
                             "container %.12s: another cabin has held its lock for %d s", id,
                             timeout_ms / 1000);
        }
        usleep(pause);
        if (pause < 50000)
            pause *= 2;
    }
    return 0;
}

int engine_container_lock(struct engine *e, struct engine_container *c, int *ret_lock,
                          struct error **err)
{
    return engine_container_lock_within(e, c, -1, ret_lock, err);
}

int engine_container_lock_within(struct engine *e, struct engine_container *c, int timeout_ms,
                                 int *ret_lock, struct error **err)
{
    cleanup_close int fd = openat(e->containersfd, c->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return gone_error(c->id, err);
    int r = lock_fd(e, c->id, fd, timeout_ms, err);
    if (r < 0)
        return r;
    struct engine_container *now = NULL;
    if ((r = engine_container_read(e, c->id, &now, err)) < 0)
        return r;
    /* Swap the contents: the caller's pointer now holds the fresh record. */
    struct engine_container tmp = *c;
    *c = *now;
    *now = tmp;
    engine_container_free(now);
    *ret_lock = steal_fd(&fd);
    return 0;
}

/* ---- Config and HostConfig fields --------------------------------------------- */

static bool bool_field(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

bool engine_container_tty(const struct engine_container *c)
{
    return bool_field(c->config, "Tty");
}

bool engine_container_open_stdin(const struct engine_container *c)
{
    return bool_field(c->config, "OpenStdin");
}

bool engine_container_stdin_once(const struct engine_container *c)
{
    return bool_field(c->config, "StdinOnce");
}

bool engine_container_auto_remove(const struct engine_container *c)
{
    return bool_field(c->host_config, "AutoRemove");
}

int engine_container_stop_signal(const struct engine_container *c)
{
    const char *s = json_string_value(json_object_get(c->config, "StopSignal"));
    int sig = s ? signal_parse(s, NULL) : -1;
    return sig > 0 ? sig : SIGTERM;
}

int engine_container_stop_timeout(const struct engine_container *c)
{
    json_t *t = json_object_get(c->config, "StopTimeout");
    return json_is_integer(t) ? (int) json_integer_value(t) : 10;
}

/* ---- finding ---------------------------------------------------------------- */

bool engine_container_creating(const struct engine *e, const char *id)
{
    char path[ENGINE_ID_LEN + sizeof(ENGINE_CREATING) + 2];
    snprintf(path, sizeof(path), "%s/" ENGINE_CREATING, id);
    return faccessat(e->containersfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int list_ids(struct engine *e, char ***ret, struct error **err)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return error_errno(err, "reading `%s/containers`", e->root);
    cleanup_strv char **ids = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (engine_container_is_id(de->d_name) && !engine_container_creating(e, de->d_name) &&
            strv_push(&ids, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&ids);
    return 0;
}

static int by_created(const void *a, const void *b)
{
    const struct engine_container *x = *(struct engine_container *const *) a;
    const struct engine_container *y = *(struct engine_container *const *) b;
    return x->created < y->created ? -1 : x->created > y->created;
}

int engine_container_list(struct engine *e, struct engine_container ***ret, size_t *ret_n,
                          struct error **err)
{
    cleanup_strv char **ids = NULL;
    int r = list_ids(e, &ids, err);
    if (r < 0)
        return r;
    size_t n = strv_length(ids), k = 0;
    struct engine_container **v = calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        cleanup_error struct error *e2 = NULL;
        if (engine_container_read(e, ids[i], &v[k], &e2) == 0) {
            k++;
        } else if (error_code(e2) != ENOENT) {
            /* removed meanwhile is fine; unreadable is not */
            engine_container_list_free(v);
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
    }
    qsort(v, k, sizeof(*v), by_created);
    *ret = v;
    if (ret_n)
        *ret_n = k;
    return 0;
}

int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
                          struct error **err)
{
    if (*what == '/')
        what++; /* docker's "/name" */
    if (*what == '\0')
        return error_new(err, EINVAL, "no container name or id given");
    char id[ENGINE_ID_LEN + 1];
    if ((engine_container_is_id(what) || names_lookup(e, what, id) == 0) &&
        engine_container_creating(e, engine_container_is_id(what) ? what : id))
        return error_new(err, ENOENT, "no such container: `%s` (it is being created)", what);
    if (engine_container_is_id(what))
        return engine_container_read(e, what, ret, err);
    if (names_lookup(e, what, id) == 0)
        return engine_container_read(e, id, ret, err);
    /* A name whose container's record cannot be read: that is the error. */
    char target[ENGINE_ID_LEN + 8];
    ssize_t tn = strchr(what, '/') ? -1 : readlinkat(e->namesfd, what, target, sizeof(target) - 1);
    if (tn == ENGINE_ID_LEN) {
        target[tn] = '\0';
        struct engine_container *c = NULL;
        cleanup_error struct error *e2 = NULL;
        if (engine_container_is_id(target) && engine_container_read(e, target, &c, &e2) < 0 &&
            error_code(e2) != ENOENT) {
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
        engine_container_free(c);
    }
    cleanup_strv char **ids = NULL;
    int r = list_ids(e, &ids, err);
    if (r < 0)
        return r;
    const char *hit = NULL;
    size_t n = 0, len = strlen(what);
    for (size_t i = 0; ids && ids[i]; i++)
        if (strncmp(ids[i], what, len) == 0) {
            hit = ids[i];
            n++;
        }
    if (n == 0)
        return error_new(err, ENOENT, "no such container: `%s`", what);
    if (n > 1)
        return error_new(err, EINVAL,
                         "container id prefix `%s` is ambiguous (%zu containers); give more of "
                         "it, or the name", what, n);
    return engine_container_read(e, hit, ret, err);
}

/* ---- state ------------------------------------------------------------------------ */

static int64_t time_field(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    int64_t t = s ? engine_time_parse(s) : -1;
    return t > 0 ? t : 0;
}

static void boot_id(char *buf, size_t len)
{
    cleanup_free char *text = NULL;
    buf[0] = '\0';
    if (fs_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &text, NULL, NULL) < 0)
        return;
    snprintf(buf, len, "%.*s", (int) strcspn(text, "\n"), text);
}

int engine_monitor_state_read(struct engine *e, const char *id, json_t **ret,
                              struct error **err)
{
    cleanup_close int cdirfd = engine_container_open_dir(e, id);
    if (cdirfd < 0)
        return error_errno(err, "container %.12s", id);
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(cdirfd, MONITOR_STATE, STATE_MAX, &j, err);
    if (r == 0) {
        const char *status = json_string_value(json_object_get(j, "status"));
        if (!json_is_object(j) || !json_is_integer(json_object_get(j, "run")) ||
            status == NULL || (strcmp(status, "running") != 0 &&
                               strcmp(status, "restarting") != 0 &&
                               strcmp(status, "exited") != 0 && strcmp(status, "created") != 0))
            r = error_new(err, EINVAL, MONITOR_STATE ": not a state the monitor writes (an "
                                       "object with run and a status)");
    }
    if (r < 0) {
        if (err == NULL || error_code(*err) == ENOENT)
            return r;
        return error_wrap(err, "container %.12s: `%s/containers/%s`", id, e->root, id);
    }
    *ret = steal_pointer(&j);
    return 0;
}

/* From the monitor's record (`st`) and who is alive. */
static void derive(const struct engine_container *c, json_t *st, bool monitor, const char *rt_status,
                   pid_t rt_pid, struct engine_state *s)
{
    const char *status = json_string_value(json_object_get(st, "status"));
    const char *error = json_string_value(json_object_get(st, "error"));
    bool current = st && json_integer_value(json_object_get(st, "run")) == c->run;
    s->exit_code = (int) json_integer_value(json_object_get(st, "exit_code"));
    s->oom_killed = json_is_true(json_object_get(st, "oom_killed"));
    s->started_at = time_field(st, "started_at");
    s->finished_at = time_field(st, "finished_at");
    s->restart_count = (int) json_integer_value(json_object_get(st, "restart_count"));
    if (error)
        snprintf(s->error, sizeof(s->error), "%s", error);
    bool alive = rt_status && (strcmp(rt_status, "running") == 0 ||
                               strcmp(rt_status, "paused") == 0 ||
                               strcmp(rt_status, "created") == 0 ||
                               strcmp(rt_status, "creating") == 0);
    if (alive) {
        s->status = strcmp(rt_status, "paused") == 0 ? ENGINE_PAUSED : ENGINE_RUNNING;
        s->pid = rt_pid;
        if (!current)
            s->started_at = 0; /* its monitor has not written yet */
        s->exit_code = 0;
        s->finished_at = current ? s->finished_at : 0;
        return;
    }
    if (status == NULL) {
        s->status = ENGINE_CREATED;
        return;
    }
    if (monitor) {
        /* Between two runs, or writing its exit down. */
        s->status = strcmp(status, "restarting") == 0 ? ENGINE_RESTARTING
                    : strcmp(status, "running") == 0  ? ENGINE_RUNNING
                                                       : ENGINE_EXITED;
        s->pid = s->status == ENGINE_RUNNING ? (pid_t) json_integer_value(json_object_get(st, "pid"))
                                             : 0;
        return;
    }
    if (strcmp(status, "created") == 0) {
        s->status = ENGINE_CREATED; /* it failed to start */
        return;
    }
    s->status = ENGINE_EXITED;
    if (strcmp(status, "exited") != 0) {
        /* It was running and nobody saw it end: its monitor was killed, or
         * the host restarted (the run root is empty after a reboot). */
        char now[40];
        boot_id(now, sizeof(now));
        const char *then = json_string_value(json_object_get(st, "boot_id"));
        s->exit_code = 255;
        s->finished_at = 0;
        snprintf(s->error, sizeof(s->error), "%s",
                 then && *now && strcmp(then, now) != 0
                     ? "the host restarted while the container ran; its exit status is unknown"
                     : "the container's monitor ended before it; its exit status is unknown");
    }
}

void engine_container_state(struct engine *e, const struct engine_container *c,
                            struct engine_state *ret)
{
    struct engine_state s = {.status = ENGINE_CREATED};
    cleanup_json json_t *st = NULL;
    cleanup_error struct error *damage = NULL;
    if (engine_monitor_state_read(e, c->id, &st, &damage) < 0 && error_code(damage) == ENOENT)
        error_free(steal_pointer(&damage));
    bool monitor = monitor_alive(e, c->id);
    struct runtime *rt = NULL;
    cleanup_json json_t *rts = NULL;
    const char *rt_status = NULL;
    pid_t rt_pid = 0;
    if (engine_runtime(e, &rt, NULL) == 0 && container_state(rt, c->id, &rts, NULL) == 0) {
        rt_status = json_string_value(json_object_get(rts, "status"));
        rt_pid = (pid_t) json_integer_value(json_object_get(rts, "pid"));
    }
    s.monitor = monitor;
    derive(c, st, monitor, rt_status, rt_pid, &s);
    if (damage && s.status != ENGINE_RUNNING && s.status != ENGINE_PAUSED && !monitor) {
        /* Nobody can say how it ended: docker's "dead", with the reason. */
        s.status = ENGINE_DEAD;
        snprintf(s.error, sizeof(s.error), "%s (`cabin system check --repair` resets it)",
                 damage->msg);
    }
    *ret = s;
}

enum engine_status engine_container_status(struct engine *e, const struct engine_container *c)
{
    struct engine_state s;
    engine_container_state(e, c, &s);
    return s.status;
}

/* ---- storage ------------------------------------------------------------------------- */

int engine_container_usage(struct engine *e, const struct engine_container *c, uint64_t *ret,
                           struct error **err)
{
    const struct storage_driver *d = storage_driver_by_name(c->driver);
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (d == NULL || cdirfd < 0) {
        *ret = 0;
        return 0;
    }
    return d->usage(cdirfd, ret, err);
}

int engine_container_mount(struct engine *e, const struct engine_container *c,
                           struct error **err)
{
    const struct storage_driver *d = storage_driver_by_name(c->driver);
    cleanup_free char *cdir = engine_container_dir(e, c->id);
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (d == NULL || cdir == NULL || cdirfd < 0)
        return error_new(err, EINVAL, "container %.12s: cannot mount its root (driver `%s`)",
                         c->id, c->driver);
    int r = d->mount(e->store, cdirfd, cdir, c->layers, strv_length(c->layers), &e->sopts, err);
    return r < 0 ? error_wrap(err, "container %.12s", c->id) : 0;
}

int engine_container_unmount(struct engine *e, const struct engine_container *c,
                             struct error **err)
{
    const struct storage_driver *d = storage_driver_by_name(c->driver);
    cleanup_free char *cdir = engine_container_dir(e, c->id);
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    if (cdirfd < 0 || d == NULL || cdir == NULL)
        return 0; /* removed meanwhile */
    return d->unmount(cdirfd, cdir, err);
}

/* ---- removing ---------------------------------------------------------------------- */

/* Unmount and delete a container folder (by its current name). */
static int destroy(struct engine *e, const char *name, const char *driver, struct error **err)
{
    cleanup_free char *cdir = engine_container_dir(e, name);
    cleanup_close int cdirfd = engine_container_open_dir(e, name);
    if (cdirfd < 0)
        return errno == ENOENT ? 0 : error_errno(err, "container %.12s", name);
    const struct storage_driver *d = driver ? storage_driver_by_name(driver) : NULL;
    /* Whatever made it, an overlay mount may be there: unmount it. */
    int r = (d ? d : &storage_overlay)->unmount(cdirfd, cdir, err);
    if (r < 0)
        return r;
    return fs_remove_tree(e->containersfd, name, err);
}

static void remove_rundir(struct engine *e, const char *id)
{
    cleanup_free char *rdir = engine_container_rundir(e, id);
    if (rdir == NULL)
        return;
    cleanup_close int fd = open(e->runroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *rel = NULL;
    if (fd >= 0 && asprintf(&rel, "containers/%s", id) > 0)
        fs_remove_tree(fd, rel, NULL);
}

/* Folders in place whose create was killed before it finished: hidden for
 * removal like any other (their maker held their lock). */
static void sweep_creates(struct engine *e)
{
    cleanup_strv char **ids = NULL;
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (engine_container_is_id(de->d_name) && engine_container_creating(e, de->d_name))
            strv_push(&ids, de->d_name);
    for (size_t i = 0; ids && ids[i]; i++) {
        cleanup_close int fd = openat(e->containersfd, ids[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || !engine_container_creating(e, ids[i]))
            continue;
        char hidden[ENGINE_ID_LEN + 8];
        snprintf(hidden, sizeof(hidden), ".rm-%s", ids[i]);
        renameat(e->containersfd, ids[i], e->containersfd, hidden);
    }
}

void engine_containers_sweep(struct engine *e)
{
    store_tmp_sweep(e->store);
    sweep_creates(e);
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, ".rm-", 4) != 0)
            continue;
        /* Renamed for removal by a cabin that was killed before it was done:
         * a live remover holds its lock (taken before the rename). */
        cleanup_close int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
            continue;
        const char *id = de->d_name + 4;
        bool whole = strlen(id) == ENGINE_ID_LEN;
        /* Its name may still point at it: the record says which. */
        cleanup_json json_t *j = NULL;
        if (whole && json_load_file_at(fd, ENGINE_RECORD, RECORD_MAX, &j, NULL) == 0)
            names_release(e, json_string_value(json_object_get(j, "name")), id);
        struct runtime *rt = NULL;
        if (whole && engine_runtime(e, &rt, NULL) == 0)
            container_delete(rt, id, true, NULL);
        cleanup_error struct error *e2 = NULL;
        if (destroy(e, de->d_name, NULL, &e2) < 0)
            log_debug("sweeping `%s`: %s", de->d_name, e2->msg);
        if (whole)
            remove_rundir(e, id);
    }
}

/* Every name that points at `id` (its record, which would say which, is
 * gone). */
static void release_names_of(struct engine *e, const char *id)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->namesfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char target[ENGINE_ID_LEN + 8];
        ssize_t n = readlinkat(e->namesfd, de->d_name, target, sizeof(target) - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, id) == 0)
            names_release(e, de->d_name, id);
    }
}

int engine_container_drop(struct engine *e, const char *id, struct error **err)
{
    if (!engine_container_is_id(id))
        return error_new(err, EINVAL, "`%s` is not a container id", id);
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    if (r < 0)
        return r;
    /* Its init killed, then its monitor (whose cleanup cannot read the
     * record either) gone, before the folder is locked: that cleanup would
     * wait for the lock. */
    if ((r = container_delete(rt, id, true, err)) < 0 && error_code(*err) != ENOENT)
        return error_wrap(err, "removing container %.12s", id);
    if (r < 0)
        error_free(steal_pointer(err));
    if (monitor_alive(e, id) && monitor_wait_gone(e, id, 10000) < 0)
        return error_new(err, EBUSY, "container %.12s: its monitor does not end", id);
    /* Its network's record is in the run root, not in the unreadable one
     * (what fails stays for the next sweep, as in a removal). */
    cleanup_error struct error *net_err = NULL;
    if (netvol_stop(e, id, &net_err) < 0)
        log_warn("dropping container %.12s: %s", id, net_err->msg);
    cleanup_close int fd = openat(e->containersfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : error_errno(err, "container %.12s", id);
    if (flock(fd, LOCK_EX) < 0)
        return error_errno(err, "locking container %.12s", id);
    char hidden[ENGINE_ID_LEN + 8];
    snprintf(hidden, sizeof(hidden), ".rm-%s", id);
    if (renameat(e->containersfd, id, e->containersfd, hidden) < 0)
        return error_errno(err, "removing container %.12s", id);
    release_names_of(e, id);
    if ((r = destroy(e, hidden, NULL, err)) < 0)
        return error_wrap(err, "removing container %.12s", id);
    remove_rundir(e, id);
    return 0;
}

static bool image_recorded(struct engine *e, const char *image_id)
{
    struct image_db *db = NULL;
    if (store_images_read(e->store, &db, NULL) < 0)
        return false;
    bool found = false;
    for (size_t i = 0; i < db->n && !found; i++)
        found = strcmp(db->images[i].id, image_id) == 0;
    image_db_free(db);
    return found;
}

int engine_container_destroy(struct engine *e, const struct engine_container *c, bool volumes,
                             struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    if (r < 0)
        return r;
    if ((r = container_delete(rt, c->id, true, err)) < 0 && error_code(*err) != ENOENT)
        return error_wrap(err, "removing container %.12s", c->id);
    /* Its network, if nobody tore it down (what fails stays for the next
     * sweep: sandbox.h); the removal goes on regardless. */
    cleanup_error struct error *net_err = NULL;
    if (netvol_stop(e, c->id, &net_err) < 0)
        log_warn("removing container %.12s: %s", c->id, net_err->msg);
    /* Its mounts, read before the folder goes: the anonymous volumes
     * follow it (rm -v, --rm). */
    struct mount_request *mounts = NULL;
    size_t n_mounts = 0;
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    cleanup_error struct error *load_err = NULL;
    if (volumes && cdirfd >= 0)
        netvol_load(cdirfd, NULL, &mounts, &n_mounts, &load_err);
    /* Out of sight first, then gone. */
    char hidden[ENGINE_ID_LEN + 8];
    snprintf(hidden, sizeof(hidden), ".rm-%s", c->id);
    if (renameat(e->containersfd, c->id, e->containersfd, hidden) < 0) {
        mount_requests_free(mounts, n_mounts);
        return errno == ENOENT ? 0 : error_errno(err, "removing container %.12s", c->id);
    }
    names_release(e, c->name, c->id);
    if ((r = destroy(e, hidden, c->driver, err)) < 0) {
        mount_requests_free(mounts, n_mounts);
        return error_wrap(err, "removing container %.12s", c->id);
    }
    remove_rundir(e, c->id);
    cleanup_error struct error *e3 = NULL;
    if (netvol_removed(e, mounts, n_mounts, volumes, &e3) < 0)
        log_warn("container %.12s: removing its anonymous volumes: %s", c->id, e3->msg);
    mount_requests_free(mounts, n_mounts);
    engine_containers_sweep(e);
    names_sweep(e);
    /* Layers only this container kept (its image was removed) can go; while
     * its image is there, nothing can (a collection reads the whole store,
     * too much for every `run --rm`). */
    if (!image_recorded(e, c->image_id)) {
        cleanup_error struct error *e2 = NULL;
        if (engine_gc(e, false, NULL, &e2) < 0)
            log_debug("after removing container %.12s: %s", c->id, e2->msg);
    }
    return 0;
}

/* How long rm waits for a start that holds the container (lifecycle.c's
 * stop waits as long). */
#define REMOVE_LOCK_WAIT_MS 60000

int engine_container_remove(struct engine *e, const char *what, bool force, bool volumes,
                            struct error **err)
{
    cleanup_container struct engine_container *c = NULL;
    int r = engine_container_find(e, what, &c, err);
    if (r < 0)
        return r;
    /* A start holds the lock until its monitor runs: what is seen under the
     * lock is what there is.  A container that was (re)started meanwhile is
     * stopped again; a few rounds, for one that keeps being started. */
    for (int round = 0; round < 5; round++) {
        struct engine_state st;
        engine_container_state(e, c, &st);
        bool live = st.status == ENGINE_RUNNING || st.status == ENGINE_PAUSED ||
                    st.status == ENGINE_RESTARTING;
        if (live && !force)
            return error_new(err, EBUSY,
                             "cannot remove container %.12s: it is %s (stop it first, or use -f)",
                             c->id, engine_status_name(st.status));
        if (live || st.monitor) {
            /* Killed, and its monitor's cleanup waited for, so that nothing
             * of it is still working when the folder goes. */
            if ((r = engine_container_halt(e, c, err)) < 0) {
                if (round == 0 || error_code(*err) != ENOENT)
                    return r;
                error_free(steal_pointer(err)); /* another rm was first */
                return 0;
            }
        }
        cleanup_close int lock = -1;
        if ((r = engine_container_lock_within(e, c, REMOVE_LOCK_WAIT_MS, &lock, err)) < 0)
            return error_code(*err) == ENOENT ? 0 : r;
        if (monitor_alive(e, c->id))
            continue; /* started while we stopped it */
        return engine_container_destroy(e, c, volumes, err);
    }
    return error_new(err, EBUSY, "cannot remove container %.12s: it is started again each time "
                                 "it is stopped", c->id);
}

/* ---- prune ----------------------------------------------------------------------- */

int engine_prune_filter_parse(char **items, struct engine_prune_filter *ret,
                              struct error **err)
{
    struct engine_prune_filter f = {0};
    for (size_t i = 0; items && items[i]; i++) {
        const char *it = items[i];
        int r = 0;
        if (strncmp(it, "label=", 6) == 0 && it[6]) {
            r = strv_push(&f.labels, it + 6);
        } else if (strncmp(it, "label!=", 7) == 0 && it[7]) {
            r = strv_push(&f.not_labels, it + 7);
        } else if (strncmp(it, "until=", 6) == 0 && it[6]) {
            r = logs_parse_time("--filter until", it + 6, &f.until, err);
            if (r < 0) {
                engine_prune_filter_release(&f);
                return r;
            }
        } else {
            engine_prune_filter_release(&f);
            return error_new(err, EINVAL, "--filter `%s`: expected label=, label!= or until=", it);
        }
        if (r < 0) {
            engine_prune_filter_release(&f);
            return error_new(err, ENOMEM, "out of memory");
        }
    }
    *ret = f;
    return 0;
}

void engine_prune_filter_release(struct engine_prune_filter *f)
{
    strv_free(f->labels);
    strv_free(f->not_labels);
    f->labels = f->not_labels = NULL;
}

bool engine_container_has_labels(const struct engine_container *c, char *const *labels)
{
    const json_t *have = json_object_get(c->config, "Labels");
    for (size_t i = 0; labels && labels[i]; i++) {
        const char *eq = strchr(labels[i], '=');
        char key[256];
        snprintf(key, sizeof(key), "%.*s", eq ? (int) (eq - labels[i]) : (int) strlen(labels[i]),
                 labels[i]);
        json_t *v = json_object_get(have, key);
        if (v == NULL || (eq && (!json_is_string(v) || strcmp(json_string_value(v), eq + 1) != 0)))
            return false;
    }
    return true;
}

static bool prunable(const struct engine_container *c, const struct engine_prune_filter *f)
{
    if (f->until > 0 && c->created >= f->until)
        return false;
    if (!engine_container_has_labels(c, f->labels))
        return false;
    for (size_t i = 0; f->not_labels && f->not_labels[i]; i++) {
        char *one[] = {f->not_labels[i], NULL};
        if (engine_container_has_labels(c, one))
            return false;
    }
    return true;
}

int engine_container_prune(struct engine *e, const struct engine_prune_filter *f,
                           char ***removed, uint64_t *ret_bytes, struct error **err)
{
    struct engine_container **list = NULL;
    size_t n = 0;
    int r = engine_container_list(e, &list, &n, err);
    if (r < 0)
        return r;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        struct engine_state st;
        engine_container_state(e, list[i], &st);
        bool stopped = st.status == ENGINE_EXITED || st.status == ENGINE_CREATED ||
                       st.status == ENGINE_DEAD;
        if (!stopped || st.monitor || !prunable(list[i], f))
            continue;
        uint64_t bytes = 0;
        engine_container_usage(e, list[i], &bytes, NULL);
        cleanup_error struct error *e2 = NULL;
        if (engine_container_remove(e, list[i]->id, false, false, &e2) < 0) {
            log_debug("prune: %s", e2->msg);
            continue;
        }
        total += bytes;
        strv_push(removed, list[i]->id);
    }
    engine_container_list_free(list);
    *ret_bytes = total;
    return 0;
}
