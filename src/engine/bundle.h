/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI bundle config of a container, from its image config and what the
 * command line asked, with docker's defaults:
 *
 *   - its 14 capabilities (then --cap-add, --cap-drop; all with
 *     --privileged) in the bounding, effective and permitted sets;
 *   - the default seccomp profile built for those capabilities (as dockerd
 *     does), a profile file's, or none (seccomp=unconfined, --privileged);
 *   - masked and read-only /proc and /sys paths (none with --privileged);
 *   - /proc, /dev, /dev/pts, /dev/shm (64 MiB, --shm-size), /dev/mqueue,
 *     sysfs and cgroup mounts; the container's hostname, hosts and
 *     resolv.conf bound over the image's /etc files; --init's binary;
 *   - the pid, ipc, uts, mount and cgroup namespaces and a network one
 *     (none with --network host);
 *   - linux.resources from --memory, --cpus and the rest, rlimits from
 *     --ulimit, cgroupsPath /cabin/<id>.
 *
 * The process is the image's Entrypoint followed by its Cmd (or by the
 * command given, or --entrypoint's); Env is the image's, then PATH when the
 * image sets none, HOSTNAME, TERM with a terminal, HOME from the user's
 * passwd entry, then --env-file's and -e's values; the working directory
 * is -w's, else the image's (default /); the user is resolved in the
 * container's own /etc/passwd and /etc/group (user.h).
 */
#ifndef CABIN_ENGINE_BUNDLE_H
#define CABIN_ENGINE_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/flags.h"
#include "image/manifest.h"
#include "util/error.h"

#define BUNDLE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define BUNDLE_INIT_PATH    "/sbin/cabin-init"

/* The capabilities docker gives a container, as a bit set. */
uint64_t bundle_default_caps(void);

struct bundle_resources {
    int64_t memory;             /* bytes, 0: none */
    int64_t memory_swap;        /* memory + swap, -1: unlimited, 0: none */
    int64_t memory_reservation;
    int64_t nano_cpus;          /* 0: none */
    int64_t cpu_shares;         /* 0: none */
    const char *cpuset_cpus, *cpuset_mems;
    int64_t pids_limit;         /* 0: none */
};

struct bundle_params {
    char *const *args;          /* the process (bundle_args) */
    char *const *env;           /* the environment (bundle_env) */
    const char *cwd;
    bool tty;
    unsigned console_rows, console_cols; /* the terminal's first size, 0: none */
    const char *hostname, *domainname;
    const char *cgroups_path;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;        /* additional */
    size_t n_groups;
    uint64_t caps;              /* bit N: capability N */
    bool privileged, read_only, no_new_privileges, host_network;
    json_t *seccomp;            /* linux.seccomp, or NULL for none (borrowed) */
    const char *apparmor;
    const char *selinux_label;  /* process label, or NULL */
    struct bundle_resources res;
    const struct flags_ulimit *ulimits;
    size_t n_ulimits;
    int64_t shm_size;           /* bytes */
    const char *etc_dir;        /* the folder with hostname, hosts, resolv.conf */
    const char *init_path;      /* --init: the host's cabin-init, or NULL */
    json_t *extra_mounts;       /* OCI mounts added last (volumes: issue 9), or NULL */
    json_t *annotations;        /* object, or NULL */
};

/* The process arguments: the entrypoint (the image's, or `entrypoint`
 * when not NULL: "" for none) followed by `cmd` (NULL: the image's Cmd,
 * unless --entrypoint was given, which clears it as docker does).  An
 * error when they are empty. */
int bundle_args(const struct image_config *img, const char *entrypoint, char *const *cmd,
                char ***ret, struct error **err);

/* The environment (see above).  `env` entries are KEY=VALUE or a bare KEY
 * (our value of it, or nothing). */
int bundle_env(const struct image_config *img, const char *hostname, bool tty, const char *home,
               char *const *env, char ***ret, struct error **err);

/* config.json for the container (new reference). */
int bundle_spec(const struct bundle_params *p, json_t **ret, struct error **err);

#endif
