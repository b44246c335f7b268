/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cabin/create_opts.h"

#include <stddef.h>
#include <stdio.h>

#include "engine/pull.h"

#include "util/strv.h"

#define C struct create_cli

/* Both tables: docker's flags, in docker's order of importance. */
#define CREATE_OPTIONS                                                                          \
    OPTION_BOOL("interactive", 'i', C, interactive, "keep stdin open"),                          \
    OPTION_BOOL("tty", 't', C, tty, "give the process a terminal"),                              \
    OPTION_STRING("name", 0, C, name, "NAME", "the container's name (unique)"),                  \
    OPTION_STRLIST("env", 'e', C, env, "KEY=VALUE", "set an environment variable (KEY: ours)"), \
    OPTION_STRLIST("env-file", 0, C, env_files, "FILE", "read environment variables from FILE"), \
    OPTION_STRING("workdir", 'w', C, workdir, "DIR", "the working directory (absolute)"),        \
    OPTION_STRING("user", 'u', C, user, "USER[:GROUP]", "user (name or uid) and group"),         \
    OPTION_STRING("entrypoint", 0, C, entrypoint, "CMD", "replace the image's ENTRYPOINT"),      \
    OPTION_STRING("hostname", 'h', C, hostname, "NAME", "the container's host name"),            \
    OPTION_STRING("domainname", 0, C, domainname, "NAME", "the container's NIS domain name"),     \
    OPTION_BOOL("read-only", 0, C, read_only, "mount the root file system read-only"),           \
    OPTION_STRING("memory", 'm', C, memory, "BYTES", "memory limit (6m at least)"),              \
    OPTION_STRING("memory-swap", 0, C, memory_swap, "BYTES",                                     \
                  "memory + swap limit (-1: unlimited swap)"),                                   \
    OPTION_STRING("memory-reservation", 0, C, memory_reservation, "BYTES",                       \
                  "memory soft limit"),                                                          \
    OPTION_STRING("cpus", 0, C, cpus, "N", "CPUs it may use (0.5: half of one)"),                \
    OPTION_STRING("cpu-shares", 'c', C, cpu_shares, "N", "relative CPU weight"),                 \
    OPTION_STRING("cpuset-cpus", 0, C, cpuset_cpus, "LIST", "CPUs it may run on (0-3, 0,1)"),     \
    OPTION_STRING("cpuset-mems", 0, C, cpuset_mems, "LIST", "memory nodes it may use"),          \
    OPTION_STRING("pids-limit", 0, C, pids_limit, "N", "process limit (-1: unlimited)"),         \
    OPTION_STRLIST("ulimit", 0, C, ulimits, "NAME=SOFT[:HARD]", "a resource limit"),              \
    OPTION_STRLIST("cap-add", 0, C, cap_add, "CAP", "add a capability (ALL: every one)"),        \
    OPTION_STRLIST("cap-drop", 0, C, cap_drop, "CAP", "drop a capability (ALL: every one)"),     \
    OPTION_BOOL("privileged", 0, C, privileged, "every capability and device, no confinement"),  \
    OPTION_STRLIST("security-opt", 0, C, security_opts, "OPT",                                   \
                   "no-new-privileges, seccomp=unconfined|FILE, apparmor=P, label=..."),         \
    OPTION_BOOL("init", 0, C, init, "run a small init as PID 1 that reaps and forwards"),        \
    OPTION_STRING("restart", 0, C, restart, "POLICY",                                            \
                  "no, on-failure[:N], always or unless-stopped"),                               \
    OPTION_STRLIST("label", 'l', C, labels, "KEY=VALUE", "set a label"),                         \
    OPTION_STRLIST("label-file", 0, C, label_files, "FILE", "read labels from FILE"),            \
    OPTION_STRING("stop-signal", 0, C, stop_signal, "SIGNAL", "the signal that stops it"),       \
    OPTION_STRING("stop-timeout", 0, C, stop_timeout, "SECONDS",                                 \
                  "how long stop waits before SIGKILL (default 10)"),                            \
    OPTION_STRING("shm-size", 0, C, shm_size, "BYTES", "size of /dev/shm (default 64m)"),        \
    OPTION_STRLIST("log-opt", 0, C, log_opts, "OPT", "max-size=BYTES or max-file=N"),            \
    OPTION_STRLIST("network", 0, C, networks, "NETWORK",                                         \
                   "bridge (the default network), NAME, none, host or container:NAME|ID"),     \
    OPTION_STRLIST("publish", 'p', C, publish, "[IP:][HOSTPORT:]PORT[/PROTO]",                   \
                   "publish a port (no HOSTPORT: a free one)"),                                 \
    OPTION_BOOL("publish-all", 'P', C, publish_all, "publish every EXPOSEd port to a free one"), \
    OPTION_STRING("ip", 0, C, ip, "ADDRESS", "the IPv4 address on a user-made network"),         \
    OPTION_STRLIST("dns", 0, C, dns, "ADDRESS", "a nameserver (replaces the host's)"),            \
    OPTION_STRLIST("dns-search", 0, C, dns_search, "DOMAIN", "a search domain (.: none)"),       \
    OPTION_STRLIST("dns-option", 0, C, dns_options, "OPTION", "a resolv.conf option"),           \
    OPTION_STRLIST("add-host", 0, C, add_host, "NAME:ADDRESS",                                   \
                   "a line in /etc/hosts (ADDRESS may be host-gateway)"),                       \
    OPTION_STRLIST("network-alias", 0, C, aliases, "NAME",                                       \
                   "another name on a user-made network"),                                      \
    OPTION_STRLIST("volume", 'v', C, volumes, "[SOURCE:]PATH[:OPTS]",                            \
                   "a volume (NAME:PATH, PATH: anonymous) or a bind (/HOST:PATH); OPTS ro,..."),\
    OPTION_STRLIST("mount", 0, C, mounts, "type=bind|volume|tmpfs,...",                          \
                   "a mount (source=, target=, readonly, ...)"),                                \
    OPTION_STRLIST("tmpfs", 0, C, tmpfs, "PATH[:OPTS]", "a tmpfs (size=, mode=, ...)"),          \
    OPTION_STRING("pull", 0, C, pull, "POLICY", "missing (default), always or never"),           \
    OPTION_STRING("platform", 0, C, platform, "OS/ARCH[/VARIANT]",                               \
                  "the platform to pull (default: this host's)"),                              \
    CABIN_REGISTRY_OPTIONS(C, reg),                                                              \
    OPTION_BOOL("rm", 0, C, rm, "remove the container when it exits")

const struct option_def create_cli_run_options[] = {
    OPTION_BOOL("detach", 'd', C, detach, "run in the background and print the id"),
    CREATE_OPTIONS,
    OPTION_BOOL("sig-proxy", 0, C, sig_proxy,
                "pass the signals we get to the process (default true; not with -t)"),
    OPTION_STRING("detach-keys", 0, C, detach_keys, "KEYS",
                  "keys that detach from a terminal (default ctrl-p,ctrl-q)"),
    OPTION_END,
};

const struct option_def create_cli_create_options[] = {
    CREATE_OPTIONS,
    OPTION_END,
};

void create_cli_init(struct create_cli *c)
{
    *c = (struct create_cli) {.sig_proxy = true, .reg.tls_verify = -1};
}

int create_cli_pull(struct cabin_ctx *ctx, const struct create_cli *c, const char *image,
                    FILE *out, struct error **err)
{
    enum engine_pull_policy policy = ENGINE_PULL_MISSING;
    struct engine *e = NULL;
    bool need = false;
    int r = c->pull ? engine_pull_policy_parse(c->pull, &policy, err) : 0;
    if (r == 0)
        r = cabin_engine(ctx, &e, err);
    if (r == 0)
        r = engine_image_needs_pull(e, image, policy, &need, err);
    if (r < 0)
        return r < 0 && c->pull && policy == ENGINE_PULL_NEVER ? error_wrap(err, "--pull never")
                                                                : r;
    if (!need)
        return 0;
    if (policy == ENGINE_PULL_MISSING)
        fprintf(out, "Unable to find image '%s' locally\n", image);
    struct cabin_pull_flags f = {.reg = c->reg, .platform = c->platform};
    return cabin_pull(ctx, image, &f, out, NULL, err);
}

void create_cli_release(struct create_cli *c)
{
    char **lists[] = {c->env,        c->env_files,  c->labels,      c->label_files, c->ulimits,
                      c->cap_add,    c->cap_drop,   c->security_opts, c->log_opts,  c->networks,
                      c->publish,    c->dns,        c->dns_search,  c->dns_options, c->add_host,
                      c->aliases,    c->volumes,    c->mounts,      c->tmpfs};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        strv_free(lists[i]);
}

void create_cli_to_opts(const struct create_cli *c, int argc, char **argv, int i, bool attach,
                        struct engine_create_opts *ret)
{
    *ret = (struct engine_create_opts) {
        .image = argv[i],
        .name = c->name,
        .cmd = i + 1 < argc ? argv + i + 1 : NULL,
        .entrypoint = c->entrypoint,
        .env = c->env,
        .env_files = c->env_files,
        .labels = c->labels,
        .label_files = c->label_files,
        .workdir = c->workdir,
        .user = c->user,
        .hostname = c->hostname,
        .domainname = c->domainname,
        .tty = c->tty,
        .interactive = c->interactive,
        .rm = c->rm,
        .read_only = c->read_only,
        .privileged = c->privileged,
        .init = c->init,
        .attach = attach,
        .memory = c->memory,
        .memory_swap = c->memory_swap,
        .memory_reservation = c->memory_reservation,
        .shm_size = c->shm_size,
        .cpus = c->cpus,
        .cpu_shares = c->cpu_shares,
        .cpuset_cpus = c->cpuset_cpus,
        .cpuset_mems = c->cpuset_mems,
        .pids_limit = c->pids_limit,
        .ulimits = c->ulimits,
        .cap_add = c->cap_add,
        .cap_drop = c->cap_drop,
        .security_opts = c->security_opts,
        .log_opts = c->log_opts,
        .restart = c->restart,
        .stop_signal = c->stop_signal,
        .stop_timeout = c->stop_timeout,
        .net = {.network = c->networks,
                .publish = c->publish,
                .publish_all = c->publish_all,
                .ip = c->ip,
                .dns = c->dns,
                .dns_search = c->dns_search,
                .dns_options = c->dns_options,
                .add_host = c->add_host,
                .aliases = c->aliases},
        .mnt = {.volume = c->volumes, .mount = c->mounts, .tmpfs = c->tmpfs},
    };
}
