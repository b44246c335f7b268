/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup front: layout detection, the container's cgroup in every
 * hierarchy, and the operations common to all backends. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

const char *cgroup_layout_name(enum cgroup_layout l)
{
    static const char *const names[] = {"v1", "v2", "hybrid"};
    return names[l];
}

static const struct cgroup_ops *ops_for(enum cgroup_layout l)
{
    return l == CGROUP_LAYOUT_V1 ? &cgroup_v1_ops
           : l == CGROUP_LAYOUT_V2 ? &cgroup_v2_ops
                                   : &cgroup_hybrid_ops;
}

/* ---- files -------------------------------------------------------------- */

static char *file_path(const struct cg_hierarchy *h, const char *file)
{
    char *p = NULL;
    if (asprintf(&p, "%s%s/%s", h->mountpoint, strcmp(h->path, "/") == 0 ? "" : h->path,
                 file) < 0)
        return NULL;
    return p;
}

int cg_write(struct cg_hierarchy *h, const char *file, const char *value, struct error **err)
{
    cleanup_free char *p = file_path(h, file);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s`", p);
    size_t n = strlen(value);
    if (write(fd, value, n) != (ssize_t) n)
        return error_errno(err, "writing `%s` to `%s`", value, p);
    return 0;
}

int cg_write_int(struct cg_hierarchy *h, const char *file, int64_t v, struct error **err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long) v);
    return cg_write(h, file, buf, err);
}

int cg_read(struct cg_hierarchy *h, const char *file, char *buf, size_t len, struct error **err)
{
    cleanup_free char *p = file_path(h, file);
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s`", p);
    ssize_t n = read(fd, buf, len - 1);
    if (n < 0)
        return error_errno(err, "reading `%s`", p);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return (int) n;
}

bool cg_has(struct cg_hierarchy *h, const char *file)
{
    cleanup_free char *p = file_path(h, file);
    return p && access(p, F_OK) == 0;
}

int cg_read_procs(struct cg_hierarchy *h, pid_t **ret, size_t *ret_n, struct error **err)
{
    cleanup_free char *p = file_path(h, "cgroup.procs");
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_fclose FILE *f = fopen(p, "re");
    if (f == NULL)
        return error_errno(err, "opening `%s`", p);
    size_t n = 0, cap = 16;
    cleanup_free pid_t *pids = malloc(cap * sizeof(pid_t));
    int v;
    while (pids && fscanf(f, "%d", &v) == 1) {
        if (n == cap) {
            pid_t *np = realloc(pids, (cap *= 2) * sizeof(pid_t));
            if (np == NULL)
                return error_new(err, ENOMEM, "out of memory");
            pids = np;
        }
        pids[n++] = v;
    }
    if (pids == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&pids);
    *ret_n = n;
    return 0;
}

struct cg_hierarchy *cg_find(struct cgroup *cg, const char *controller)
{
    size_t len = strlen(controller);
    for (size_t i = 0; i < cg->n_h; i++) {
        struct cg_hierarchy *h = &cg->h[i];
        if (h->v2)
            continue;
        for (const char *c = h->controllers; c && *c;) {
            const char *end = strchrnul(c, ',');
            if ((size_t) (end - c) == len && strncmp(c, controller, len) == 0)
                return h;
            c = *end ? end + 1 : end;
        }
    }
    return NULL;
}

struct cg_hierarchy *cg_unified(struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n_h; i++)
        if (cg->h[i].v2)
            return &cg->h[i];
    return NULL;
}

/* ---- detection ---------------------------------------------------------- */

static bool is_controller(const char *opt)
{
    static const char *const known[] = {"cpuset", "cpu",     "cpuacct", "blkio", "memory",
                                        "devices", "freezer", "net_cls", "perf_event",
                                        "net_prio", "hugetlb", "pids",   "rdma", "misc"};
    if (strncmp(opt, "name=", 5) == 0)
        return true;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(opt, known[i]) == 0)
            return true;
    return false;
}

static int add_hierarchy(struct cgroup *cg, const char *mnt, const char *controllers, bool v2)
{
    for (size_t i = 0; i < cg->n_h; i++)
        if (cg->h[i].v2 == v2 && strcmp(cg->h[i].controllers, controllers) == 0)
            return 0; /* mounted twice: the first one wins */
    struct cg_hierarchy *nh = realloc(cg->h, (cg->n_h + 1) * sizeof(*nh));
    if (nh == NULL)
        return -ENOMEM;
    cg->h = nh;
    struct cg_hierarchy *h = &cg->h[cg->n_h++];
    memset(h, 0, sizeof(*h));
    h->mountpoint = strdup(mnt);
    h->controllers = strdup(controllers);
    h->v2 = v2;
    return h->mountpoint && h->controllers ? 0 : -ENOMEM;
}

static int read_mounts(struct cgroup *cg, struct error **err)
{
    cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return error_errno(err, "reading /proc/self/mountinfo");
    cleanup_free char *line = NULL;
    size_t cap = 0;
    bool v2_root = false, any_v1 = false, any_v2 = false;
    while (getline(&line, &cap, f) > 0) {
        char root[512], mnt[512], fstype[32], opts[1024];
        char *sep = strstr(line, " - ");
        if (sep == NULL || sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2 ||
            sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2)
            continue;
        if (strcmp(root, "/") != 0)
            continue; /* a bind of part of a hierarchy: not where we work */
        if (strcmp(fstype, "cgroup2") == 0) {
            if (add_hierarchy(cg, mnt, "", true) < 0)
                return error_new(err, ENOMEM, "out of memory");
            any_v2 = true;
            if (strcmp(mnt, "/sys/fs/cgroup") == 0)
                v2_root = true;
        } else if (strcmp(fstype, "cgroup") == 0) {
            char ctrl[1024] = "";
            size_t n = 0;
            for (char *t = strtok(opts, ","); t; t = strtok(NULL, ","))
                if (is_controller(t))
                    n += (size_t) snprintf(ctrl + n, sizeof(ctrl) - n, "%s%s", n ? "," : "", t);
            if (n == 0)
                continue;
            if (add_hierarchy(cg, mnt, ctrl, false) < 0)
                return error_new(err, ENOMEM, "out of memory");
            any_v1 = true;
        }
    }
    if (v2_root) {
        /* Pure v2: only the root mount counts. */
        for (size_t i = 0; i < cg->n_h; i++)
            if (!(cg->h[i].v2 && strcmp(cg->h[i].mountpoint, "/sys/fs/cgroup") == 0)) {
                free(cg->h[i].mountpoint);
                free(cg->h[i].controllers);
                memmove(&cg->h[i], &cg->h[i + 1], (cg->n_h - i - 1) * sizeof(cg->h[0]));
                cg->n_h--;
                i--;
            }
        cg->layout = CGROUP_LAYOUT_V2;
    } else if (any_v1) {
        cg->layout = any_v2 ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_V1;
    } else if (any_v2) {
        cg->layout = CGROUP_LAYOUT_V2;
    } else {
        return error_new(err, ENOENT, "no cgroup file system is mounted");
    }
    return 0;
}

/* The runtime's own cgroup in each hierarchy, from /proc/self/cgroup. */
static int read_own(struct cgroup *cg, struct error **err)
{
    cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
    if (f == NULL)
        return error_errno(err, "reading /proc/self/cgroup");
    cleanup_free char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        const char *ctrl = c1 + 1, *path = c2 + 1;
        for (size_t i = 0; i < cg->n_h; i++) {
            struct cg_hierarchy *h = &cg->h[i];
            bool match = h->v2 ? (*ctrl == '\0' && strncmp(line, "0:", 2) == 0)
                               : strcmp(h->controllers, ctrl) == 0;
            if (match && h->own == NULL)
                h->own = strdup(path);
        }
    }
    for (size_t i = 0; i < cg->n_h; i++)
        if (cg->h[i].own == NULL)
            cg->h[i].own = strdup("/");
    return 0;
}

int cgroup_new(const char *cgroups_path, const char *id, struct cgroup **ret, struct error **err)
{
    struct cgroup *cg = calloc(1, sizeof(*cg));
    if (cg == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = read_mounts(cg, err);
    if (r == 0)
        r = read_own(cg, err);
    if (r < 0) {
        cgroup_free(cg);
        return r;
    }
    cg->ops = ops_for(cg->layout);
    if (cgroups_path && *cgroups_path) {
        if (strstr(cgroups_path, "..") || strchr(cgroups_path, ':')) {
            cgroup_free(cg);
            return error_new(err, EINVAL,
                             "linux.cgroupsPath: `%s` is not a cgroup path (systemd slice "
                             "syntax needs --systemd-cgroup, not supported yet)",
                             cgroups_path);
        }
        cg->path = strdup(cgroups_path);
    } else if (asprintf(&cg->path, "/cabin-runtime/%s", id) < 0) {
        cg->path = NULL;
    } else {
        cg->parents_shared = true;
    }
    for (size_t i = 0; cg->path && i < cg->n_h; i++) {
        struct cg_hierarchy *h = &cg->h[i];
        cleanup_free char *joined = NULL;
        if (cg->path[0] != '/' && asprintf(&joined, "%s/%s", h->own, cg->path) < 0)
            joined = NULL;
        h->path = fs_path_clean(cg->path[0] == '/' ? cg->path : joined ? joined : "/");
    }
    if (cg->path == NULL) {
        cgroup_free(cg);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = cg;
    return 0;
}

void cgroup_free(struct cgroup *cg)
{
    if (cg == NULL)
        return;
    for (size_t i = 0; i < cg->n_h; i++) {
        free(cg->h[i].mountpoint);
        free(cg->h[i].controllers);
        free(cg->h[i].own);
        free(cg->h[i].path);
    }
    free(cg->h);
    free(cg->path);
    free(cg);
}

json_t *cgroup_to_json(const struct cgroup *cg)
{
    json_t *hs = json_array();
    for (size_t i = 0; i < cg->n_h; i++)
        json_array_append_new(hs, json_pack("{s:s, s:s, s:b, s:s, s:i}", "mount",
                                            cg->h[i].mountpoint, "controllers",
                                            cg->h[i].controllers, "v2", cg->h[i].v2, "path",
                                            cg->h[i].path, "made", cg->h[i].made));
    return json_pack("{s:s, s:s, s:o}", "layout", cgroup_layout_name(cg->layout), "path",
                     cg->path, "hierarchies", hs);
}

int cgroup_from_json(const json_t *j, struct cgroup **ret, struct error **err)
{
    const char *layout = NULL, *path = NULL;
    int r;
    if ((r = json_get_string(j, "layout", "cgroup", true, &layout, err)) < 0 ||
        (r = json_get_string(j, "path", "cgroup", true, &path, err)) < 0)
        return r;
    json_t *hs = json_object_get(j, "hierarchies");
    if (!json_is_array(hs))
        return error_new(err, EINVAL, "cgroup.hierarchies: expected an array");
    struct cgroup *cg = calloc(1, sizeof(*cg));
    if (cg == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cg->layout = strcmp(layout, "v2") == 0       ? CGROUP_LAYOUT_V2
                 : strcmp(layout, "hybrid") == 0 ? CGROUP_LAYOUT_HYBRID
                                                 : CGROUP_LAYOUT_V1;
    cg->ops = ops_for(cg->layout);
    cg->path = strdup(path);
    size_t i;
    json_t *h;
    json_array_foreach(hs, i, h)
    {
        const char *mnt = NULL, *ctrl = NULL, *p = NULL;
        bool v2 = false;
        int64_t made = 0;
        if ((r = json_get_string(h, "mount", "cgroup", true, &mnt, err)) < 0 ||
            (r = json_get_string(h, "controllers", "cgroup", true, &ctrl, err)) < 0 ||
            (r = json_get_string(h, "path", "cgroup", true, &p, err)) < 0 ||
            (r = json_get_bool(h, "v2", "cgroup", &v2, err)) < 0 ||
            (r = json_get_int64(h, "made", "cgroup", false, &made, err)) < 0 ||
            (r = add_hierarchy(cg, mnt, ctrl, v2)) < 0) {
            cgroup_free(cg);
            return r == -ENOMEM ? error_new(err, ENOMEM, "out of memory") : r;
        }
        cg->h[cg->n_h - 1].path = strdup(p);
        cg->h[cg->n_h - 1].own = strdup("/");
        cg->h[cg->n_h - 1].made = (int) made;
    }
    *ret = cg;
    return 0;
}

/* ---- the walk common to every backend ------------------------------------ */

/* A new v1 cpuset starts with no cpus and no mems, and no task may join it:
 * give it its parent's. */
static int cpuset_inherit(const char *dir, const char *parent, struct error **err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (int i = 0; i < 2; i++) {
        char p[4096], buf[512];
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        cleanup_close int fd = open(p, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return error_errno(err, "opening `%s`", p);
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n > 1)
            continue;
        snprintf(p, sizeof(p), "%s/%s", parent, files[i]);
        cleanup_close int pfd = open(p, O_RDONLY | O_CLOEXEC);
        if (pfd < 0 || (n = read(pfd, buf, sizeof(buf) - 1)) < 0)
            return error_errno(err, "reading `%s`", p);
        if (pwrite(fd, buf, (size_t) n, 0) != n)
            return error_errno(err, "copying `%s` to `%s/%s`", p, dir, files[i]);
    }
    return 0;
}

/* cgroup v2: a child gets a controller only if its parent delegates it. */
static int enable_controllers(const char *dir, struct error **err)
{
    char p[4096], buf[512], want[600] = "";
    snprintf(p, sizeof(p), "%s/cgroup.controllers", dir);
    cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    size_t w = 0;
    for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
        w += (size_t) snprintf(want + w, sizeof(want) - w, "%s+%s", w ? " " : "", t);
    snprintf(p, sizeof(p), "%s/cgroup.subtree_control", dir);
    cleanup_close int sfd = open(p, O_WRONLY | O_CLOEXEC);
    if (sfd < 0 || write(sfd, want, w) < 0)
        log_debug("enabling controllers in `%s`: %s", p, strerror(errno));
    return 0;
}

static int make_path(struct cg_hierarchy *h, struct error **err)
{
    char dir[4096];
    size_t len = (size_t) snprintf(dir, sizeof(dir), "%s", h->mountpoint);
    bool cpuset = !h->v2 && strstr(h->controllers, "cpuset") != NULL;
    for (const char *c = h->path; *c;) {
        while (*c == '/')
            c++;
        if (*c == '\0')
            break;
        const char *end = strchrnul(c, '/');
        char parent[4096];
        snprintf(parent, sizeof(parent), "%s", dir);
        if (h->v2)
            enable_controllers(parent, err);
        len += (size_t) snprintf(dir + len, sizeof(dir) - len, "/%.*s", (int) (end - c), c);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return errno == ENOENT ? -ENOENT /* a parent went away: the caller retries */
                                   : error_errno(err, "creating cgroup `%s`", dir);
        int r;
        if (cpuset && (r = cpuset_inherit(dir, parent, err)) < 0)
            return r;
        c = end;
    }
    return 0;
}

int cgroup_create(struct cgroup *cg, struct error **err)
{
    for (size_t i = 0; i < cg->n_h; i++) {
        struct cg_hierarchy *h = &cg->h[i];
        char dir[4096];
        /* How deep the existing part goes decides what we own. */
        int depth = 0, existing = 0;
        size_t len = (size_t) snprintf(dir, sizeof(dir), "%s", h->mountpoint);
        for (const char *c = h->path; *c;) {
            while (*c == '/')
                c++;
            if (*c == '\0')
                break;
            const char *end = strchrnul(c, '/');
            len += (size_t) snprintf(dir + len, sizeof(dir) - len, "/%.*s", (int) (end - c), c);
            depth++;
            if (access(dir, F_OK) == 0)
                existing = depth;
            c = end;
        }
        if (strcmp(h->path, "/") == 0) {
            cgroup_destroy(cg, NULL);
            return error_new(err, EINVAL, "linux.cgroupsPath: `%s` is a hierarchy's root",
                             cg->path);
        }
        if (existing == depth) {
            /* Joining an existing cgroup: it must be empty, or deleting this
             * container would signal and remove someone else's processes. */
            cleanup_free pid_t *pids = NULL;
            size_t n = 0;
            if (cg_read_procs(h, &pids, &n, NULL) == 0 && n > 0) {
                cgroup_destroy(cg, NULL);
                return error_new(err, EBUSY,
                                 "linux.cgroupsPath: cgroup `%s%s` already has processes",
                                 h->mountpoint, h->path);
            }
        }
        /* A delete may remove an empty parent we are about to use (it
         * removes the parents it made when they empty): start again. */
        int r = make_path(h, err);
        for (int tries = 0; r == -ENOENT && tries < 10; tries++)
            r = make_path(h, err);
        if (r == -ENOENT)
            r = error_errno(err, "creating cgroup `%s%s`", h->mountpoint, h->path);
        /* A shared parent (the default /cabin-runtime) belongs to every
         * container under it: whoever empties it last removes it. */
        if (cg->parents_shared)
            existing = 0;
        if (r < 0) {
            h->made = depth - existing;
            cgroup_destroy(cg, NULL);
            return error_wrap(err, "linux.cgroupsPath `%s`", cg->path);
        }
        h->made = depth - existing;
    }
    return 0;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct error **err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", (int) pid);
    for (size_t i = 0; i < cg->n_h; i++) {
        int r = cg_write(&cg->h[i], "cgroup.procs", buf, err);
        if (r < 0)
            return error_wrap(err, "moving the container's init into its cgroup");
    }
    return 0;
}

int cgroup_apply(struct cgroup *cg, const struct cgroup_resources *r, struct error **err)
{
    int e = cg->ops->apply(cg, r, err);
    return e < 0 ? error_wrap(err, "linux.resources") : 0;
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct error **err)
{
    return cg->ops->freeze(cg, frozen, err);
}

bool cgroup_is_frozen(struct cgroup *cg)
{
    return cg->ops->is_frozen(cg);
}

/* Append the pids of `dir`'s cgroup.procs and of every cgroup below it
 * (v1 lists only a cgroup's own; the container may have made children). */
static int collect_procs(int dfd, pid_t **pids, size_t *n, size_t *cap, int depth)
{
    if (depth > 32)
        return 0;
    int pfd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    if (pfd >= 0) {
        cleanup_fclose FILE *f = fdopen(pfd, "re");
        int v;
        while (f && fscanf(f, "%d", &v) == 1) {
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                pid_t *np = realloc(*pids, nc * sizeof(pid_t));
                if (np == NULL)
                    return -ENOMEM;
                *pids = np;
                *cap = nc;
            }
            (*pids)[(*n)++] = v;
        }
        if (f == NULL)
            close(pfd);
    }
    int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_closedir DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL) {
        close_keep_errno(dup_fd);
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        cleanup_close int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0) {
            int r = collect_procs(sub, pids, n, cap, depth + 1);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int cgroup_procs(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct error **err)
{
    struct cg_hierarchy *h = cg_find(cg, "pids");
    if (h == NULL)
        h = cg_find(cg, "memory");
    if (h == NULL)
        h = cg_unified(cg);
    if (h == NULL)
        h = &cg->h[0];
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s%s", h->mountpoint, h->path);
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return error_errno(err, "opening cgroup `%s`", dir);
    pid_t *pids = NULL;
    size_t n = 0, cap = 0;
    if (collect_procs(dfd, &pids, &n, &cap, 0) < 0) {
        free(pids);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = pids;
    *ret_n = n;
    return 0;
}

int cgroup_kill_all(struct cgroup *cg, int sig, struct error **err)
{
    int r = cg->ops->kill(cg, sig, err);
    if (r != 0)
        return r < 0 ? r : 0;
    /* Freeze so nothing forks between listing and signalling; a paused
     * container stays paused. */
    bool was_frozen = cg->ops->is_frozen(cg);
    bool froze = !was_frozen && cg->ops->freeze(cg, true, NULL) == 0;
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;
    r = cgroup_procs(cg, &pids, &n, err);
    for (size_t i = 0; r == 0 && i < n; i++)
        kill(pids[i], sig);
    if (froze)
        cg->ops->freeze(cg, false, NULL);
    return r;
}

int cgroup_stats(struct cgroup *cg, json_t **ret, struct error **err)
{
    json_t *data = json_object();
    int r = cg->ops->stats(cg, data, err);
    if (r < 0) {
        json_decref(data);
        return r;
    }
    *ret = data;
    return 0;
}

bool cgroup_owned(const struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n_h; i++)
        if (cg->h[i].made > 0)
            return true;
    return false;
}

char *cgroup_oom_file(struct cgroup *cg)
{
    struct cg_hierarchy *h = cg->layout == CGROUP_LAYOUT_V2 ? cg_unified(cg) : cg_find(cg, "memory");
    const char *file = cg->layout == CGROUP_LAYOUT_V2 ? "memory.events" : "memory.oom_control";
    char *p = NULL;
    if (h == NULL || asprintf(&p, "%s%s/%s", h->mountpoint, h->path, file) < 0)
        return NULL;
    return p;
}

long long cgroup_oom_kills(struct cgroup *cg)
{
    struct cg_hierarchy *h = cg->layout == CGROUP_LAYOUT_V2 ? cg_unified(cg) : cg_find(cg, "memory");
    const char *file = cg->layout == CGROUP_LAYOUT_V2 ? "memory.events" : "memory.oom_control";
    char buf[1024];
    if (h == NULL || cg_read(h, file, buf, sizeof(buf), NULL) < 0)
        return -1;
    const char *p = strstr(buf, "oom_kill ");
    return p ? atoll(p + 9) : -1;
}

/* rmdir the cgroups the container made below its own, deepest first. */
static void remove_children(const char *dir, int depth)
{
    cleanup_closedir DIR *d = depth < 32 ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
        remove_children(sub, depth + 1);
        for (int tries = 0; rmdir(sub) < 0 && errno == EBUSY && tries < 100; tries++) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

int cgroup_destroy(struct cgroup *cg, struct error **err)
{
    int result = 0;
    for (size_t i = 0; i < cg->n_h; i++) {
        struct cg_hierarchy *h = &cg->h[i];
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s%s", h->mountpoint, h->path);
        if (h->made > 0)
            remove_children(dir, 0);
        /* The leaf, then the parents we made while they are empty (one
         * another container still uses is left; a create racing with us
         * for a parent retries, see cgroup_create). */
        for (int level = 0; level < h->made; level++) {
            int r = -1;
            /* The last processes may still be exiting: give them a moment. */
            for (int tries = 0; tries < 200; tries++) {
                r = rmdir(dir);
                if (r == 0 || errno != EBUSY || level > 0)
                    break;
                struct timespec ts = {0, 5 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            if (r < 0 && errno != ENOENT) {
                if (level == 0 && result == 0)
                    result = error_errno(err, "removing cgroup `%s`", dir);
                break; /* a parent still in use: fine */
            }
            char *slash = strrchr(dir, '/');
            if (slash == NULL || slash == dir)
                break;
            *slash = '\0';
        }
    }
    return result;
}
