/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI runtime spec (config.json), parsed and checked.
 *
 * spec_load() reads a bundle's config.json and turns it into a `struct spec`
 * whose every field has been type-checked and validated, so the rest of the
 * runtime never looks at raw JSON for the parts it implements.  Parts owned
 * by later stages (linux.resources, linux.seccomp, hooks) are kept as json_t
 * references for their modules to parse.  Errors name the field:
 * "config.json: mounts[3].destination: must be an absolute path".
 *
 * The caller owns the returned spec and frees it with spec_free().
 */
#ifndef CABIN_RUNTIME_SPEC_H
#define CABIN_RUNTIME_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* Limits on what config.json may ask for. */
#define SPEC_MAX_SIZE      (4u << 20)
#define SPEC_MAX_MOUNTS    4096
#define SPEC_MAX_ARGS      65536

enum spec_ns {
    SPEC_NS_PID = 0,
    SPEC_NS_NET,
    SPEC_NS_MNT,
    SPEC_NS_IPC,
    SPEC_NS_UTS,
    SPEC_NS_USER,
    SPEC_NS_CGROUP,
    SPEC_NS_TIME,
    SPEC_NS__COUNT
};

/* The spec's name ("pid", "network", ...) and CLONE_NEW* flag of each type. */
const char *spec_ns_name(enum spec_ns ns);
int spec_ns_flag(enum spec_ns ns);
/* The /proc/PID/ns/<name> file name ("pid", "net", "mnt", ...). */
const char *spec_ns_proc_name(enum spec_ns ns);

struct spec_namespace {
    bool enabled; /* listed in linux.namespaces */
    char *path;   /* join this namespace instead of making one; NULL = new */
};

struct spec_idmap {
    uint32_t container_id, host_id, size;
};

/* Flags derived from a mount's options.  `flags` go to mount(2);
 * `rec_set`/`rec_clear` are MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE)
 * (the "rro"-style options); `propagation` is MS_SHARED etc. (with MS_REC). */
struct spec_mount {
    char *destination; /* absolute, cleaned */
    char *type;        /* NULL for a bind mount without a type */
    char *source;
    char **options;
    unsigned long flags;
    unsigned long propagation;
    uint64_t rec_set, rec_clear;
    char *data; /* the options that are not flags, comma-joined, or NULL */
    bool bind;  /* "bind"/"rbind" or type "bind" */
};

struct spec_device {
    char *path;
    char type; /* 'c', 'b', 'u' or 'p' */
    int64_t major, minor;
    uint32_t mode; /* permission bits */
    bool has_mode;
    uint32_t uid, gid;
    bool has_uid, has_gid;
};

struct spec_rlimit {
    int resource;
    const char *name; /* "RLIMIT_NOFILE", static */
    uint64_t soft, hard;
};

struct spec_sysctl {
    char *key, *value;
};

struct spec_caps {
    /* Bit masks of capability numbers; `present` tells whether the set was
     * given at all (absent = empty set, as in runc). */
    uint64_t bounding, effective, inheritable, permitted, ambient;
    bool present;
};

struct spec_process {
    bool terminal;
    uint32_t console_height, console_width;
    bool has_console_size;
    char **args;
    char **env;
    char *cwd;
    uint32_t uid, gid, umask;
    bool has_umask;
    gid_t *additional_gids;
    size_t n_additional_gids;
    struct spec_caps caps;
    struct spec_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    bool has_oom_score_adj;
    int oom_score_adj;
    char *apparmor_profile;
    char *selinux_label;
};

struct spec_time_offset {
    int64_t secs;
    uint32_t nanosecs;
    bool set;
};

struct spec {
    json_t *json; /* the whole document; the raw parts below point into it */
    char *oci_version;
    char *root_path; /* as written: relative to the bundle or absolute */
    bool root_readonly;
    char *hostname;
    char *domainname;
    struct spec_process *process; /* NULL when absent */
    struct spec_mount *mounts;
    size_t n_mounts;

    struct spec_namespace ns[SPEC_NS__COUNT];
    struct spec_idmap *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
    struct spec_device *devices;
    size_t n_devices;
    struct spec_sysctl *sysctls;
    size_t n_sysctls;
    char **masked_paths;
    char **readonly_paths;
    unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 = default */
    char *cgroups_path;
    char *mount_label;
    struct spec_time_offset time_monotonic, time_boottime;

    /* Kept raw for their own modules. */
    json_t *resources;
    json_t *seccomp;
    json_t *hooks;
    json_t *annotations;
};

/* Read and check `name` (normally "config.json") in the bundle `bundle_fd`. */
int spec_load(int bundle_fd, const char *name, struct spec **ret_spec, struct error **err);

/* Check and convert a parsed document; takes a reference on `json`. */
int spec_from_json(json_t *json, struct spec **ret_spec, struct error **err);

void spec_free(struct spec *s);

static inline void spec_freep(struct spec **s)
{
    spec_free(*s);
}
#define cleanup_spec __attribute__((cleanup(spec_freep)))

/* The default config.json of `cabin-runtime spec` (rootless: with a user
 * namespace mapping the caller's ids).  New reference. */
json_t *spec_default(bool rootless);

/* Set linux.seccomp of `config` to the default profile (seccomp_default.h)
 * for its process's bounding set, as dockerd does. */
int spec_set_default_seccomp(json_t *config, struct error **err);

/* Add capability `name` ("SYS_PTRACE" or "CAP_SYS_PTRACE") to the bounding,
 * effective, permitted and ambient sets of `config`'s process. */
int spec_add_capability(json_t *config, const char *name, struct error **err);

/* Mount options: parse one into `m` (exposed for unit tests). */
int spec_mount_parse_options(struct spec_mount *m, const char *where, struct error **err);

/* A process object on its own (exec's --process FILE), checked like the
 * spec's `process`; errors name fields as "process.args".  Free the result
 * with spec_process_free(). */
int spec_process_parse(const json_t *o, struct spec_process **ret, struct error **err);
void spec_process_free(struct spec_process *p);

/* A capability's number from its name ("CAP_NET_ADMIN", any case), or
 * -EINVAL. */
int spec_cap_from_name(const char *name);

/* Name of a RLIMIT_* constant, or NULL (exposed for the process module). */
int spec_rlimit_from_name(const char *name, const char **ret_static_name);

#endif
