/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount flags of `run` and `create`, parsed as docker parses them:
 *
 *   -v NAME:/path[:OPTS]       a named volume (made on first use)
 *   -v /path                   an anonymous volume
 *   -v /host/path:/path[:OPTS] a bind mount (a missing host folder is made)
 *       OPTS: ro|rw, nocopy (volumes), private|rprivate|shared|rshared|
 *             slave|rslave (binds), comma-separated
 *   --mount type=bind|volume|tmpfs,source=,target=,readonly,...
 *       (src, dst, destination, ro; bind-propagation, bind-nonrecursive,
 *       volume-nocopy, volume-label=K=V, volume-driver=local, tmpfs-size,
 *       tmpfs-mode); a bind's source must exist
 *   --tmpfs /path[:size=N,mode=M,uid=,gid=,nr_inodes=,FLAGS]
 *
 * Each value becomes a `struct mount_request`; mount_requests_parse()
 * also refuses two mounts on one path.  Errors name the flag and value.
 * The requests are plain data, saved with the container as JSON.
 */
#ifndef CABIN_ENGINE_MOUNTOPTS_H
#define CABIN_ENGINE_MOUNTOPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define MOUNT_MAX_REQUESTS 256
#define MOUNT_MAX_LABELS   64

enum mount_kind { MOUNT_BIND, MOUNT_VOLUME, MOUNT_TMPFS };
const char *mount_kind_name(enum mount_kind k);

struct mount_request {
    enum mount_kind kind;
    char *source;        /* bind: absolute host path; volume: name, NULL: anonymous */
    char *target;        /* absolute, cleaned, not "/" */
    bool readonly;
    bool create_source;  /* bind from -v: make a missing host folder */
    bool nonrecursive;   /* bind: not rbind */
    bool nocopy;         /* volume: do not fill it from the image */
    char *propagation;   /* bind: "rprivate" ..., NULL: the default */
    char **labels;       /* volume: K=V for a volume made on first use */
    uint64_t tmpfs_size; /* bytes, 0: the kernel's default (half of RAM) */
    mode_t tmpfs_mode;   /* with has_mode */
    bool has_mode;
    char **tmpfs_opts;   /* --tmpfs: other mount options (uid=, noexec, ...) */
};

void mount_request_release(struct mount_request *m);

/* One value of -v, --mount or --tmpfs. */
int mount_parse_volume(const char *spec, struct mount_request *ret, struct error **err);
int mount_parse_mount(const char *spec, struct mount_request *ret, struct error **err);
int mount_parse_tmpfs(const char *spec, struct mount_request *ret, struct error **err);

/* "64m", "1g", "4096", "1.5g": bytes (k, m, g, t; an optional b), at most
 * INT64_MAX (-ERANGE beyond). */
int mount_parse_size(const char *s, uint64_t *ret);

/* A volume name as docker allows: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool mount_valid_volume_name(const char *s);

struct mount_flags {
    char *const *volume; /* -v */
    char *const *mount;  /* --mount */
    char *const *tmpfs;  /* --tmpfs */
};

/* All of them, in the order docker applies them (-v, --mount, --tmpfs),
 * checked for duplicate targets.  *ret is an array of *ret_n. */
int mount_requests_parse(const struct mount_flags *f, struct mount_request **ret, size_t *ret_n,
                         struct error **err);
void mount_requests_free(struct mount_request *v, size_t n);

json_t *mount_requests_to_json(const struct mount_request *v, size_t n);
int mount_requests_from_json(const json_t *j, struct mount_request **ret, size_t *ret_n,
                             struct error **err);

#endif
