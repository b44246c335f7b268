/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A user spec ("", "name", "uid", "name:group", "uid:gid") resolved in a
 * container's root, as docker and runc do: names through the container's
 * /etc/passwd and /etc/group (opened inside the root with RESOLVE_IN_ROOT,
 * so a symlinked /etc/passwd cannot point at the host's), numeric ids
 * taken as they are (a uid not in passwd gets gid 0), and the additional
 * groups the user is a member of in /etc/group.  A missing file is fine
 * for numeric specs; a name that is not there is an error that says so.
 */
#ifndef CABIN_ENGINE_USER_H
#define CABIN_ENGINE_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define USER_MAX_GROUPS 64

struct resolved_user {
    uid_t uid;
    gid_t gid;
    gid_t groups[USER_MAX_GROUPS];
    size_t n_groups;
    char home[256]; /* "" when unknown */
};

int user_resolve(int rootfd, const char *spec, struct resolved_user *ret, struct error **err);

#endif
