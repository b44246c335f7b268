/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime/commands.h"
#include "util/json.h"

struct update_cli {
    const char *resources, *memory, *memory_swap, *memory_reservation, *cpu_shares, *cpu_quota,
        *cpu_period, *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight;
};

static const struct option_def update_options[] = {
    OPTION_STRING("resources", 'r', struct update_cli, resources, "FILE",
                  "linux.resources JSON from FILE, or - for standard input"),
    OPTION_STRING("memory", 0, struct update_cli, memory, "BYTES", "memory limit (k, m, g)"),
    OPTION_STRING("memory-swap", 0, struct update_cli, memory_swap, "BYTES",
                  "memory+swap limit (-1: unlimited)"),
    OPTION_STRING("memory-reservation", 0, struct update_cli, memory_reservation, "BYTES",
                  "memory soft limit"),
    OPTION_STRING("cpu-shares", 0, struct update_cli, cpu_shares, "N", "CPU shares"),
    OPTION_STRING("cpu-share", 0, struct update_cli, cpu_shares, "N",
                  "the same (runc's spelling)"),
    OPTION_STRING("cpu-quota", 0, struct update_cli, cpu_quota, "USEC", "CFS quota"),
    OPTION_STRING("cpu-period", 0, struct update_cli, cpu_period, "USEC", "CFS period"),
    OPTION_STRING("cpuset-cpus", 0, struct update_cli, cpuset_cpus, "LIST", "CPUs allowed"),
    OPTION_STRING("cpuset-mems", 0, struct update_cli, cpuset_mems, "LIST", "memory nodes"),
    OPTION_STRING("pids-limit", 0, struct update_cli, pids_limit, "N", "maximum processes"),
    OPTION_STRING("blkio-weight", 0, struct update_cli, blkio_weight, "N", "block I/O weight"),
    OPTION_END,
};

/* An integer with an optional k/m/g (powers of 1024) suffix, or -1. */
static int parse_size(const char *flag, const char *s, bool suffix, json_int_t *ret,
                      struct error **err)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return error_new(err, EINVAL, "--%s: `%s` is not a number", flag, s);
    long long mul = 1;
    if (suffix && *end) {
        switch (*end | 0x20) {
        case 'k': mul = 1LL << 10; break;
        case 'm': mul = 1LL << 20; break;
        case 'g': mul = 1LL << 30; break;
        default: return error_new(err, EINVAL, "--%s: `%s` has an unknown unit", flag, s);
        }
        end++;
        if ((*end | 0x20) == 'b')
            end++;
    }
    if (*end)
        return error_new(err, EINVAL, "--%s: `%s` is not a number", flag, s);
    *ret = v * mul;
    return 0;
}

static int set_num(json_t *res, const char *group, const char *key, const char *flag,
                   const char *value, bool suffix, struct error **err)
{
    if (value == NULL)
        return 0;
    json_int_t v = 0;
    int r = parse_size(flag, value, suffix, &v, err);
    if (r < 0)
        return r;
    json_t *o = json_object_get(res, group);
    if (o == NULL) {
        o = json_object();
        json_object_set_new(res, group, o);
    }
    json_object_set_new(o, key, json_integer(v));
    return 0;
}

int cmd_update(const struct global_opts *g, int argc, char **argv)
{
    struct update_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime update [OPTIONS] ID",
                   "Change the resource limits of a running container.", update_options, &c,
                   argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    cleanup_json json_t *res = NULL;
    if (c.resources) {
        json_error_t je;
        res = strcmp(c.resources, "-") == 0 ? json_loadf(stdin, 0, &je)
                                            : json_load_file(c.resources, 0, &je);
        if (res == NULL) {
            error_new(&err, EINVAL, "--resources %s: malformed JSON at line %d, column %d: %s",
                      c.resources, je.line, je.column, je.text);
            return cli_fail(err);
        }
    } else {
        res = json_object();
    }
    if (set_num(res, "memory", "limit", "memory", c.memory, true, &err) < 0 ||
        set_num(res, "memory", "swap", "memory-swap", c.memory_swap, true, &err) < 0 ||
        set_num(res, "memory", "reservation", "memory-reservation", c.memory_reservation, true,
                &err) < 0 ||
        set_num(res, "cpu", "shares", "cpu-shares", c.cpu_shares, false, &err) < 0 ||
        set_num(res, "cpu", "quota", "cpu-quota", c.cpu_quota, false, &err) < 0 ||
        set_num(res, "cpu", "period", "cpu-period", c.cpu_period, false, &err) < 0 ||
        set_num(res, "pids", "limit", "pids-limit", c.pids_limit, false, &err) < 0 ||
        set_num(res, "blockIO", "weight", "blkio-weight", c.blkio_weight, false, &err) < 0)
        return cli_fail(err);
    if (c.cpuset_cpus || c.cpuset_mems) {
        json_t *cpu = json_object_get(res, "cpu");
        if (cpu == NULL) {
            cpu = json_object();
            json_object_set_new(res, "cpu", cpu);
        }
        if (c.cpuset_cpus)
            json_object_set_new(cpu, "cpus", json_string(c.cpuset_cpus));
        if (c.cpuset_mems)
            json_object_set_new(cpu, "mems", json_string(c.cpuset_mems));
    }
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    int r = container_update(rt, argv[i], res, &err);
    runtime_free(rt);
    return r < 0 ? cli_fail(err) : 0;
}
