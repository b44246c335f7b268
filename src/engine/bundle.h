/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI bundle config of a container, from its image config and what the
 * command line asked, with docker's defaults: its 14 capabilities, masked
 * and read-only /proc and /sys paths, /dev, /dev/pts, /dev/shm,
 * /dev/mqueue, the pid, network, ipc, uts, mount and cgroup namespaces (the
 * network one empty but for lo, as docker's `--network none`), a writable
 * root, the hostname and HOSTNAME set to the short id.
 *
 * The process is the image's Entrypoint followed by its Cmd (or by the
 * command given); Env is the image's, then PATH when the image sets none,
 * HOSTNAME, TERM with a terminal, HOME from the user's passwd entry, then
 * the -e values; the working directory is the image's (default /); the
 * user is resolved in the container's own /etc/passwd and /etc/group
 * (user.h).
 */
#ifndef CABIN_ENGINE_BUNDLE_H
#define CABIN_ENGINE_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "image/manifest.h"
#include "util/error.h"

#define BUNDLE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct bundle_params {
    const struct image_config *image;
    char *const *cmd;     /* NULL: the image's Cmd */
    char *const *env;     /* KEY=VALUE added last; a bare KEY takes our value */
    bool tty;
    const char *hostname;
    const char *cgroups_path;
    uid_t uid;
    gid_t gid;
    const gid_t *groups; /* additional */
    size_t n_groups;
    const char *home;    /* the user's home, or NULL */
};

/* The process arguments (Entrypoint + Cmd, or + cmd); an error when they
 * are empty. */
int bundle_args(const struct image_config *img, char *const *cmd, char ***ret,
                struct error **err);

/* config.json for the container (new reference). */
int bundle_spec(const struct bundle_params *p, json_t **ret, struct error **err);

#endif
