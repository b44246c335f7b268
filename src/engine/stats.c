/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#define PS_OUTPUT_MAX (16u << 20)

/* ---- stats ------------------------------------------------------------------------ */

static uint64_t host_cpu_ns(void)
{
    cleanup_free char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, "/proc/stat", 1 << 20, &text, NULL, NULL) < 0)
        return 0;
    unsigned long long v[8] = {0};
    if (sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) < 4)
        return 0;
    unsigned long long ticks = 0;
    for (size_t i = 0; i < 8; i++)
        ticks += v[i];
    long hz = sysconf(_SC_CLK_TCK);
    return (uint64_t) (ticks * (1000000000ull / (unsigned long long) (hz > 0 ? hz : 100)));
}

static uint64_t host_memory(void)
{
    cleanup_free char *text = NULL;
    unsigned long long kb = 0;
    if (fs_read_file_at(AT_FDCWD, "/proc/meminfo", 1 << 20, &text, NULL, NULL) == 0)
        sscanf(text, "MemTotal: %llu kB", &kb);
    return (uint64_t) kb * 1024;
}

/* The bytes of every interface but lo in the namespace of `pid`. */
static void net_bytes(pid_t pid, uint64_t *rx, uint64_t *tx)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/net/dev", (int) pid);
    cleanup_free char *text = NULL;
    if (pid <= 0 || fs_read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, NULL) < 0)
        return;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char name[64];
        unsigned long long r, skip, t;
        if (sscanf(l, " %63[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu", name, &r, &skip,
                   &skip, &skip, &skip, &skip, &skip, &skip, &t) != 10)
            continue;
        if (strcmp(name, "lo") == 0)
            continue;
        *rx += r;
        *tx += t;
    }
}

static uint64_t get_u64(const json_t *o, const char *a, const char *b)
{
    json_int_t v = json_integer_value(json_object_get(json_object_get(o, a), b));
    return v > 0 ? (uint64_t) v : 0;
}

int engine_container_stats(struct engine *e, const struct engine_container *c,
                           struct engine_stats *ret, struct error **err)
{
    struct runtime *rt = NULL;
    int r = engine_runtime(e, &rt, err);
    cleanup_json json_t *data = NULL;
    if (r == 0)
        r = container_stats(rt, c->id, &data, NULL, err);
    if (r < 0)
        return r;
    struct engine_stats s = {.system_ns = host_cpu_ns()};
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    s.online_cpus = n > 0 ? (unsigned) n : 1;
    s.cpu_ns = get_u64(json_object_get(data, "cpu"), "usage", "total");
    const json_t *mem = json_object_get(json_object_get(data, "memory"), "usage");
    s.mem_usage = (uint64_t) json_integer_value(json_object_get(mem, "usage"));
    uint64_t host = host_memory();
    json_int_t limit = json_integer_value(json_object_get(mem, "limit"));
    s.mem_limit = limit > 0 && (uint64_t) limit < host ? (uint64_t) limit : host;
    s.pids = get_u64(data, "pids", "current");
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(json_object_get(data, "blkio"), "ioServiceBytesRecursive"),
                       i, b) {
        const char *op = json_string_value(json_object_get(b, "op"));
        uint64_t v = (uint64_t) json_integer_value(json_object_get(b, "value"));
        if (op && strcasecmp(op, "read") == 0)
            s.blk_read += v;
        else if (op && strcasecmp(op, "write") == 0)
            s.blk_write += v;
    }
    cleanup_json json_t *st = NULL;
    if (container_state(rt, c->id, &st, NULL) == 0)
        net_bytes((pid_t) json_integer_value(json_object_get(st, "pid")), &s.net_rx, &s.net_tx);
    *ret = s;
    return 0;
}

double engine_stats_cpu_percent(const struct engine_stats *before, const struct engine_stats *now)
{
    if (now->system_ns <= before->system_ns || now->cpu_ns < before->cpu_ns)
        return 0;
    double cpu = (double) (now->cpu_ns - before->cpu_ns);
    double sys = (double) (now->system_ns - before->system_ns);
    return cpu / sys * now->online_cpus * 100.0;
}

/* ---- top ------------------------------------------------------------------------------- */

static int run_ps(char *const *args, char **ret, struct error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return error_errno(err, "making a pipe");
    cleanup_strv char **argv = NULL;
    strv_push(&argv, "ps");
    for (size_t i = 0; args && args[i]; i++)
        strv_push(&argv, args[i]);
    if (args == NULL || args[0] == NULL)
        strv_push(&argv, "-ef");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        execvp("ps", argv);
        _exit(127);
    }
    close(p[1]);
    cleanup_close int in = p[0];
    if (pid < 0)
        return error_errno(err, "running ps");
    char *out = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *q = realloc(out, cap = cap * 2 + 8192);
            if (q == NULL)
                break;
            out = q;
        }
        ssize_t n = read(in, out + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || len + (size_t) n > PS_OUTPUT_MAX)
            break;
        len += (size_t) n;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (out == NULL || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(out);
        return error_new(err, EINVAL, "ps %s failed (exit status %d)",
                         args && args[0] ? args[0] : "-ef",
                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    out[len] = '\0';
    *ret = out;
    return 0;
}

static int pid_column(const char *header)
{
    int col = 0;
    for (const char *p = header; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 3 && strncmp(p, "PID", 3) == 0)
            return col;
        p += n;
        col++;
    }
    return -1;
}

static long field(const char *line, int col)
{
    const char *p = line;
    for (int i = 0; *p; i++) {
        while (*p == ' ')
            p++;
        if (i == col)
            return strtol(p, NULL, 10);
        p += strcspn(p, " ");
    }
    return -1;
}

int engine_container_top(struct engine *e, const struct engine_container *c,
                         char *const *ps_args, char ***ret_lines, struct error **err)
{
    struct runtime *rt = NULL;
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;
    int r = engine_runtime(e, &rt, err);
    if (r == 0 && (r = container_pids(rt, c->id, &pids, &n, err)) < 0)
        return error_new(err, EINVAL, "container %.12s is not running", c->id);
    if (r < 0)
        return r;
    cleanup_free char *out = NULL;
    if ((r = run_ps(ps_args, &out, err)) < 0)
        return r;
    char *save = NULL;
    char *header = strtok_r(out, "\n", &save);
    int col = header ? pid_column(header) : -1;
    if (col < 0)
        return error_new(err, EINVAL, "ps's output has no PID column (give it options that "
                                      "show one)");
    cleanup_strv char **lines = NULL;
    strv_push(&lines, header);
    for (char *l = strtok_r(NULL, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        long pid = field(l, col);
        for (size_t i = 0; i < n; i++)
            if (pids[i] == pid) {
                strv_push(&lines, l);
                break;
            }
    }
    *ret_lines = steal_pointer(&lines);
    return 0;
}
