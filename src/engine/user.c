/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/user.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_FILE (4u << 20)

static bool parse_id(const char *s, unsigned long *ret)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > 0xfffffffeUL)
        return false;
    *ret = v;
    return true;
}

/* Read a file of the container's root; NULL content when it is missing. */
static int read_in_root(int rootfd, const char *path, char **ret, struct error **err)
{
    *ret = NULL;
    /* O_NONBLOCK: a fifo there must not hang us. */
    cleanup_close int fd = fs_openat2(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0,
                                      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return error_errno(err, "opening the container's %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return error_new(err, EINVAL, "the container's %s is not a regular file", path);
    char p[64];
    int r = fs_read_file_at(AT_FDCWD, fs_fd_path(fd, p, sizeof(p)), MAX_FILE, ret, NULL, err);
    return r < 0 ? error_wrap(err, "the container's %s", path) : 0;
}

/* Field `n` (0-based) of a ':'-separated line, copied into out. */
static bool field(const char *line, int n, char *out, size_t len)
{
    const char *p = line;
    for (int i = 0; i < n; i++) {
        p = strchr(p, ':');
        if (p == NULL)
            return false;
        p++;
    }
    size_t k = strcspn(p, ":\n");
    if (k >= len)
        return false;
    memcpy(out, p, k);
    out[k] = '\0';
    return true;
}

/* The passwd line whose name or (numeric) uid matches. */
static bool find_passwd(char *text, const char *name, bool by_id, unsigned long id,
                        char *uname, unsigned long *uid, unsigned long *gid, char *home,
                        size_t home_len)
{
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        char n[256], u[32], g[32];
        if (*line != '#' && field(line, 0, n, sizeof(n)) && field(line, 2, u, sizeof(u)) &&
            field(line, 3, g, sizeof(g))) {
            unsigned long vu, vg;
            bool ok = parse_id(u, &vu) && parse_id(g, &vg);
            if (ok && ((by_id && vu == id) || (!by_id && strcmp(n, name) == 0))) {
                snprintf(uname, 256, "%s", n);
                *uid = vu;
                *gid = vg;
                if (!field(line, 5, home, home_len))
                    home[0] = '\0';
                return true;
            }
        }
        line = next ? next + 1 : NULL;
    }
    return false;
}

static bool find_group(char *text, const char *name, unsigned long *gid)
{
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        char n[256], g[32];
        unsigned long v;
        if (*line != '#' && field(line, 0, n, sizeof(n)) && field(line, 2, g, sizeof(g)) &&
            parse_id(g, &v) && strcmp(n, name) == 0) {
            *gid = v;
            return true;
        }
        line = next ? next + 1 : NULL;
    }
    return false;
}

/* Groups listing `user` as a member. */
static void member_groups(char *text, const char *user, struct resolved_user *r)
{
    for (char *line = text; line && *line && r->n_groups < USER_MAX_GROUPS;) {
        char *next = strchr(line, '\n');
        char g[32], members[4096];
        unsigned long v;
        if (*line != '#' && field(line, 2, g, sizeof(g)) && parse_id(g, &v) &&
            field(line, 3, members, sizeof(members))) {
            for (char *m = strtok(members, ","); m; m = strtok(NULL, ","))
                if (strcmp(m, user) == 0 && (gid_t) v != r->gid) {
                    r->groups[r->n_groups++] = (gid_t) v;
                    break;
                }
        }
        line = next ? next + 1 : NULL;
    }
}

int user_resolve(int rootfd, const char *spec, struct resolved_user *ret, struct error **err)
{
    struct resolved_user r = {0};
    if (spec == NULL || *spec == '\0')
        spec = "0";
    char user[256], group[256] = "";
    const char *colon = strchr(spec, ':');
    if (strlen(spec) >= sizeof(user))
        return error_new(err, EINVAL, "user `%.40s...`: too long", spec);
    snprintf(user, sizeof(user), "%.*s", colon ? (int) (colon - spec) : (int) strlen(spec), spec);
    if (colon)
        snprintf(group, sizeof(group), "%s", colon + 1);
    if (*user == '\0')
        return error_new(err, EINVAL, "user `%s`: no user before the `:`", spec);
    cleanup_free char *passwd = NULL, *groups = NULL;
    int rc = read_in_root(rootfd, "/etc/passwd", &passwd, err);
    if (rc == 0)
        rc = read_in_root(rootfd, "/etc/group", &groups, err);
    if (rc < 0)
        return rc;
    unsigned long uid = 0, gid = 0;
    char name[256] = "";
    bool numeric = parse_id(user, &uid);
    bool found = passwd && find_passwd(passwd, user, numeric, uid, name, &uid, &gid, r.home,
                                       sizeof(r.home));
    if (!found && !numeric)
        return error_new(err, ENOENT,
                         "unable to find user %s: no matching entries in the image's /etc/passwd",
                         user);
    if (!found)
        gid = 0;
    if (*group) {
        unsigned long g;
        if (parse_id(group, &g))
            gid = g;
        else if (groups && find_group(groups, group, &g))
            gid = g;
        else
            return error_new(err, ENOENT,
                             "unable to find group %s: no matching entries in the image's "
                             "/etc/group",
                             group);
    }
    r.uid = (uid_t) uid;
    r.gid = (gid_t) gid;
    if (groups && *name && !*group)
        member_groups(groups, name, &r);
    *ret = r;
    return 0;
}
