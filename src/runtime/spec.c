/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/spec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#define ATTR_RDONLY      0x00000001ULL
#define ATTR_NOSUID      0x00000002ULL
#define ATTR_NODEV       0x00000004ULL
#define ATTR_NOEXEC      0x00000008ULL
#define ATTR__ATIME      0x00000070ULL
#define ATTR_RELATIME    0x00000000ULL
#define ATTR_NOATIME     0x00000010ULL
#define ATTR_STRICTATIME 0x00000020ULL
#define ATTR_NODIRATIME  0x00000080ULL
#define ATTR_NOSYMFOLLOW 0x00200000ULL

static const struct {
    const char *spec_name, *proc_name;
    int flag;
} ns_table[SPEC_NS__COUNT] = {
    [SPEC_NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [SPEC_NS_NET] = {"network", "net", CLONE_NEWNET},
    [SPEC_NS_MNT] = {"mount", "mnt", CLONE_NEWNS},
    [SPEC_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [SPEC_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [SPEC_NS_USER] = {"user", "user", CLONE_NEWUSER},
    [SPEC_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [SPEC_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

const char *spec_ns_name(enum spec_ns ns)
{
    return ns_table[ns].spec_name;
}

const char *spec_ns_proc_name(enum spec_ns ns)
{
    return ns_table[ns].proc_name;
}

int spec_ns_flag(enum spec_ns ns)
{
    return ns_table[ns].flag;
}

/* ---- mount options ---------------------------------------------------- */

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROPAGATION, OPT_REC_SET, OPT_REC_CLEAR, OPT_BIND };

static const struct mount_opt {
    const char *name;
    enum opt_kind kind;
    unsigned long long value;
} mount_opts[] = {
    {"defaults", OPT_FLAG, 0},
    {"ro", OPT_FLAG, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nosuid", OPT_FLAG, MS_NOSUID},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"nodev", OPT_FLAG, MS_NODEV},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"noexec", OPT_FLAG, MS_NOEXEC},
    {"sync", OPT_FLAG, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_FLAG, MS_DIRSYNC},
    {"remount", OPT_FLAG, MS_REMOUNT},
    {"mand", OPT_FLAG, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"noatime", OPT_FLAG, MS_NOATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"nodiratime", OPT_FLAG, MS_NODIRATIME},
    {"relatime", OPT_FLAG, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_FLAG, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"lazytime", OPT_FLAG, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"silent", OPT_FLAG, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"bind", OPT_BIND, MS_BIND},
    {"rbind", OPT_BIND, MS_BIND | MS_REC},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_REC_SET, ATTR_RDONLY},
    {"rrw", OPT_REC_CLEAR, ATTR_RDONLY},
    {"rnosuid", OPT_REC_SET, ATTR_NOSUID},
    {"rsuid", OPT_REC_CLEAR, ATTR_NOSUID},
    {"rnodev", OPT_REC_SET, ATTR_NODEV},
    {"rdev", OPT_REC_CLEAR, ATTR_NODEV},
    {"rnoexec", OPT_REC_SET, ATTR_NOEXEC},
    {"rexec", OPT_REC_CLEAR, ATTR_NOEXEC},
    {"rnodiratime", OPT_REC_SET, ATTR_NODIRATIME},
    {"rdiratime", OPT_REC_CLEAR, ATTR_NODIRATIME},
    {"rnoatime", OPT_REC_SET, ATTR_NOATIME},
    {"rstrictatime", OPT_REC_SET, ATTR_STRICTATIME},
    {"rrelatime", OPT_REC_SET, ATTR_RELATIME},
    {"rnosymfollow", OPT_REC_SET, ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_REC_CLEAR, ATTR_NOSYMFOLLOW},
};

static int append_data(char **data, const char *opt)
{
    char *n = NULL;
    if (asprintf(&n, "%s%s%s", *data ? *data : "", *data ? "," : "", opt) < 0)
        return -ENOMEM;
    free(*data);
    *data = n;
    return 0;
}

int spec_mount_parse_options(struct spec_mount *m, const char *where, struct error **err)
{
    if (m->type && strcmp(m->type, "bind") == 0)
        m->bind = true;
    for (size_t i = 0; m->options && m->options[i]; i++) {
        const char *o = m->options[i];
        const struct mount_opt *found = NULL;
        for (size_t k = 0; k < sizeof(mount_opts) / sizeof(mount_opts[0]); k++)
            if (strcmp(mount_opts[k].name, o) == 0) {
                found = &mount_opts[k];
                break;
            }
        if (found == NULL) {
            /* idmapped mounts are not supported yet: refuse rather than
             * silently mount with host ownership. */
            if (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0)
                return error_new(err, ENOTSUP, "%s.options: `%s` is not supported", where, o);
            if (strcmp(o, "tmpcopyup") == 0)
                return error_new(err, ENOTSUP, "%s.options: `%s` is not supported", where, o);
            if (append_data(&m->data, o) < 0)
                return error_new(err, ENOMEM, "out of memory");
            continue;
        }
        switch (found->kind) {
        case OPT_FLAG:
            m->flags |= found->value;
            if (found->value & (MS_RELATIME | MS_NOATIME | MS_STRICTATIME)) {
                m->flags &= ~(unsigned long) (MS_RELATIME | MS_NOATIME | MS_STRICTATIME);
                m->flags |= found->value;
            }
            break;
        case OPT_CLEAR:
            m->flags &= ~(unsigned long) found->value;
            break;
        case OPT_BIND:
            m->bind = true;
            m->flags |= found->value;
            break;
        case OPT_PROPAGATION:
            m->propagation = found->value;
            break;
        case OPT_REC_SET:
            if (strstr(found->name, "atime") && strcmp(found->name, "rnodiratime") != 0) {
                /* The atime mode is one field: clear it, then set the
                 * mode (relatime is the field's zero value). */
                m->rec_set &= ~ATTR__ATIME;
                m->rec_clear |= ATTR__ATIME;
            } else {
                m->rec_clear &= ~found->value;
            }
            m->rec_set |= found->value;
            break;
        case OPT_REC_CLEAR:
            m->rec_clear |= found->value;
            m->rec_set &= ~found->value;
            break;
        }
    }
    return 0;
}

/* ---- rlimits ------------------------------------------------------------ */

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int spec_rlimit_from_name(const char *name, const char **ret_static_name)
{
    for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
        if (strcmp(rlimit_names[i].name, name) == 0) {
            if (ret_static_name)
                *ret_static_name = rlimit_names[i].name;
            return rlimit_names[i].resource;
        }
    return -EINVAL;
}

/* ---- parsing ------------------------------------------------------------ */

int spec_cap_from_name(const char *name)
{
    char lower[64];
    size_t n = strlen(name);
    if (n >= sizeof(lower))
        return -EINVAL;
    for (size_t k = 0; k <= n; k++)
        lower[k] = (char) tolower((unsigned char) name[k]);
    cap_value_t cap;
    if (strncmp(lower, "cap_", 4) != 0 || cap_from_name(lower, &cap) < 0 || cap < 0 || cap > 63)
        return -EINVAL;
    return (int) cap;
}

static int parse_caps_set(const json_t *caps, const char *key, uint64_t *ret, struct error **err)
{
    cleanup_strv char **names = NULL;
    int r = json_get_strv(caps, key, "process.capabilities", false, &names, err);
    if (r < 0)
        return r;
    uint64_t mask = 0;
    for (size_t i = 0; names && names[i]; i++) {
        int cap = spec_cap_from_name(names[i]);
        if (cap < 0)
            return error_new(err, EINVAL, "process.capabilities.%s: unknown capability `%s`",
                             key, names[i]);
        mask |= 1ULL << cap;
    }
    *ret = mask;
    return 0;
}

static int parse_user(const json_t *user, struct spec_process *p, struct error **err)
{
    uint64_t v;
    int r;
    if ((r = json_expect(user, JSON_OBJECT, "process.user", err)) < 0)
        return r;
    if ((r = json_get_uint64(user, "uid", "process.user", true, UINT32_MAX, &v, err)) < 0)
        return r;
    p->uid = (uint32_t) v;
    if ((r = json_get_uint64(user, "gid", "process.user", true, UINT32_MAX, &v, err)) < 0)
        return r;
    p->gid = (uint32_t) v;
    v = UINT64_MAX;
    if ((r = json_get_uint64(user, "umask", "process.user", false, 07777, &v, err)) < 0)
        return r;
    if (v != UINT64_MAX) {
        p->umask = (uint32_t) v;
        p->has_umask = true;
    }
    json_t *gids = json_object_get(user, "additionalGids");
    if (gids && !json_is_null(gids)) {
        if ((r = json_expect(gids, JSON_ARRAY, "process.user.additionalGids", err)) < 0)
            return r;
        size_t n = json_array_size(gids);
        if (n > 65536)
            return error_new(err, E2BIG, "process.user.additionalGids: too many groups");
        p->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
        if (p->additional_gids == NULL)
            return error_new(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *g = json_array_get(gids, i);
            if (!json_is_integer(g) || json_integer_value(g) < 0 ||
                json_integer_value(g) > UINT32_MAX)
                return error_new(err, EINVAL,
                                 "process.user.additionalGids[%zu]: expected a group id", i);
            p->additional_gids[i] = (gid_t) json_integer_value(g);
        }
        p->n_additional_gids = n;
    }
    return 0;
}

static int parse_rlimits(const json_t *arr, struct spec_process *p, struct error **err)
{
    int r;
    if ((r = json_expect(arr, JSON_ARRAY, "process.rlimits", err)) < 0)
        return r;
    size_t n = json_array_size(arr);
    p->rlimits = calloc(n ? n : 1, sizeof(*p->rlimits));
    if (p->rlimits == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char where[64];
        snprintf(where, sizeof(where), "process.rlimits[%zu]", i);
        json_t *o = json_array_get(arr, i);
        if ((r = json_expect(o, JSON_OBJECT, where, err)) < 0)
            return r;
        const char *type = NULL;
        if ((r = json_get_string(o, "type", where, true, &type, err)) < 0)
            return r;
        struct spec_rlimit *rl = &p->rlimits[i];
        rl->resource = spec_rlimit_from_name(type, &rl->name);
        if (rl->resource < 0)
            return error_new(err, EINVAL, "%s.type: unknown rlimit `%s`", where, type);
        for (size_t k = 0; k < i; k++)
            if (p->rlimits[k].resource == rl->resource)
                return error_new(err, EINVAL, "%s.type: rlimit `%s` is given twice", where,
                                 type);
        if ((r = json_get_uint64(o, "soft", where, true, UINT64_MAX >> 1, &rl->soft, err)) < 0)
            return r;
        if ((r = json_get_uint64(o, "hard", where, true, UINT64_MAX >> 1, &rl->hard, err)) < 0)
            return r;
        if (rl->soft > rl->hard)
            return error_new(err, EINVAL, "%s: soft limit of %s (%llu) is above the hard one (%llu)",
                             where, type, (unsigned long long) rl->soft,
                             (unsigned long long) rl->hard);
        p->n_rlimits = i + 1;
    }
    return 0;
}

static int parse_process(const json_t *o, struct spec_process *p, struct error **err)
{
    int r;
    if ((r = json_expect(o, JSON_OBJECT, "process", err)) < 0)
        return r;
    if ((r = json_get_bool(o, "terminal", "process", &p->terminal, err)) < 0)
        return r;
    json_t *cs = json_object_get(o, "consoleSize");
    if (cs && !json_is_null(cs)) {
        uint64_t h, w;
        if ((r = json_expect(cs, JSON_OBJECT, "process.consoleSize", err)) < 0 ||
            (r = json_get_uint64(cs, "height", "process.consoleSize", true, UINT16_MAX, &h,
                                 err)) < 0 ||
            (r = json_get_uint64(cs, "width", "process.consoleSize", true, UINT16_MAX, &w,
                                 err)) < 0)
            return r;
        p->console_height = (uint32_t) h;
        p->console_width = (uint32_t) w;
        p->has_console_size = true;
    }
    if ((r = json_get_strv(o, "args", "process", true, &p->args, err)) < 0)
        return r;
    if (p->args[0] == NULL)
        return error_new(err, EINVAL, "process.args: must name the program to run");
    if (strv_length(p->args) > SPEC_MAX_ARGS)
        return error_new(err, E2BIG, "process.args: more than %d arguments", SPEC_MAX_ARGS);
    if ((r = json_get_strv(o, "env", "process", false, &p->env, err)) < 0)
        return r;
    for (size_t i = 0; p->env && p->env[i]; i++)
        if (strchr(p->env[i], '=') == NULL || p->env[i][0] == '=')
            return error_new(err, EINVAL, "process.env[%zu]: `%s` is not NAME=VALUE", i,
                             p->env[i]);
    const char *cwd = NULL;
    if ((r = json_get_string(o, "cwd", "process", true, &cwd, err)) < 0)
        return r;
    if (cwd[0] != '/')
        return error_new(err, EINVAL, "process.cwd: `%s` must be an absolute path", cwd);
    p->cwd = fs_path_clean(cwd);
    json_t *user = json_object_get(o, "user");
    if (user == NULL || json_is_null(user))
        return error_new(err, EINVAL, "process.user: missing required field");
    if ((r = parse_user(user, p, err)) < 0)
        return r;
    json_t *caps = json_object_get(o, "capabilities");
    if (caps && !json_is_null(caps)) {
        if ((r = json_expect(caps, JSON_OBJECT, "process.capabilities", err)) < 0)
            return r;
        p->caps.present = true;
        if ((r = parse_caps_set(caps, "bounding", &p->caps.bounding, err)) < 0 ||
            (r = parse_caps_set(caps, "effective", &p->caps.effective, err)) < 0 ||
            (r = parse_caps_set(caps, "inheritable", &p->caps.inheritable, err)) < 0 ||
            (r = parse_caps_set(caps, "permitted", &p->caps.permitted, err)) < 0 ||
            (r = parse_caps_set(caps, "ambient", &p->caps.ambient, err)) < 0)
            return r;
    }
    json_t *rl = json_object_get(o, "rlimits");
    if (rl && !json_is_null(rl) && (r = parse_rlimits(rl, p, err)) < 0)
        return r;
    if ((r = json_get_bool(o, "noNewPrivileges", "process", &p->no_new_privileges, err)) < 0)
        return r;
    int64_t oom;
    json_t *oj = json_object_get(o, "oomScoreAdj");
    if (oj && !json_is_null(oj)) {
        if ((r = json_get_int64(o, "oomScoreAdj", "process", true, &oom, err)) < 0)
            return r;
        if (oom < -1000 || oom > 1000)
            return error_new(err, ERANGE, "process.oomScoreAdj: %lld is outside -1000..1000",
                             (long long) oom);
        p->oom_score_adj = (int) oom;
        p->has_oom_score_adj = true;
    }
    const char *s = NULL;
    if ((r = json_get_string(o, "apparmorProfile", "process", false, &s, err)) < 0)
        return r;
    if (s && *s)
        p->apparmor_profile = strdup(s);
    s = NULL;
    if ((r = json_get_string(o, "selinuxLabel", "process", false, &s, err)) < 0)
        return r;
    if (s && *s)
        p->selinux_label = strdup(s);
    return 0;
}

int spec_process_parse(const json_t *o, struct spec_process **ret, struct error **err)
{
    struct spec_process *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = parse_process(o, p, err);
    if (r < 0) {
        spec_process_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

static int parse_mounts(const json_t *arr, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(arr, JSON_ARRAY, "mounts", err)) < 0)
        return r;
    size_t n = json_array_size(arr);
    if (n > SPEC_MAX_MOUNTS)
        return error_new(err, E2BIG, "mounts: more than %d mounts", SPEC_MAX_MOUNTS);
    s->mounts = calloc(n ? n : 1, sizeof(*s->mounts));
    if (s->mounts == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char where[64];
        snprintf(where, sizeof(where), "mounts[%zu]", i);
        json_t *o = json_array_get(arr, i);
        struct spec_mount *m = &s->mounts[i];
        s->n_mounts = i + 1;
        if ((r = json_expect(o, JSON_OBJECT, where, err)) < 0)
            return r;
        const char *dest = NULL, *type = NULL, *source = NULL;
        if ((r = json_get_string(o, "destination", where, true, &dest, err)) < 0 ||
            (r = json_get_string(o, "type", where, false, &type, err)) < 0 ||
            (r = json_get_string(o, "source", where, false, &source, err)) < 0 ||
            (r = json_get_strv(o, "options", where, false, &m->options, err)) < 0)
            return r;
        if (dest[0] != '/')
            return error_new(err, EINVAL, "%s.destination: `%s` must be an absolute path", where,
                             dest);
        m->destination = fs_path_clean(dest);
        m->type = type && *type ? strdup(type) : NULL;
        m->source = source ? strdup(source) : NULL;
        if ((r = spec_mount_parse_options(m, where, err)) < 0)
            return r;
        if (m->type == NULL && !m->bind)
            return error_new(err, EINVAL, "%s: no type and no bind option for `%s`", where,
                             m->destination);
        if (m->bind && m->source == NULL)
            return error_new(err, EINVAL, "%s.source: a bind mount needs a source", where);
        if (json_object_get(o, "uidMappings") || json_object_get(o, "gidMappings"))
            return error_new(err, ENOTSUP, "%s: idmapped mounts are not supported", where);
    }
    return 0;
}

static int parse_idmaps(const json_t *lin, const char *key, struct spec_idmap **ret, size_t *ret_n,
                        struct error **err)
{
    json_t *arr = json_object_get(lin, key);
    if (arr == NULL || json_is_null(arr))
        return 0;
    char where[64];
    snprintf(where, sizeof(where), "linux.%s", key);
    int r;
    if ((r = json_expect(arr, JSON_ARRAY, where, err)) < 0)
        return r;
    size_t n = json_array_size(arr);
    if (n > 340) /* the kernel's limit on lines in uid_map */
        return error_new(err, E2BIG, "%s: more than 340 ranges", where);
    struct spec_idmap *m = calloc(n ? n : 1, sizeof(*m));
    if (m == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = m;
    for (size_t i = 0; i < n; i++) {
        char w[80];
        snprintf(w, sizeof(w), "%s[%zu]", where, i);
        json_t *o = json_array_get(arr, i);
        uint64_t c, h, sz;
        if ((r = json_expect(o, JSON_OBJECT, w, err)) < 0 ||
            (r = json_get_uint64(o, "containerID", w, true, UINT32_MAX, &c, err)) < 0 ||
            (r = json_get_uint64(o, "hostID", w, true, UINT32_MAX, &h, err)) < 0 ||
            (r = json_get_uint64(o, "size", w, true, UINT32_MAX, &sz, err)) < 0)
            return r;
        if (sz == 0)
            return error_new(err, EINVAL, "%s.size: must not be 0", w);
        m[i] = (struct spec_idmap){(uint32_t) c, (uint32_t) h, (uint32_t) sz};
        *ret_n = i + 1;
    }
    return 0;
}

static int parse_namespaces(const json_t *arr, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(arr, JSON_ARRAY, "linux.namespaces", err)) < 0)
        return r;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char where[64];
        snprintf(where, sizeof(where), "linux.namespaces[%zu]", i);
        json_t *o = json_array_get(arr, i);
        const char *type = NULL, *path = NULL;
        if ((r = json_expect(o, JSON_OBJECT, where, err)) < 0 ||
            (r = json_get_string(o, "type", where, true, &type, err)) < 0 ||
            (r = json_get_string(o, "path", where, false, &path, err)) < 0)
            return r;
        int found = -1;
        for (int k = 0; k < SPEC_NS__COUNT; k++)
            if (strcmp(ns_table[k].spec_name, type) == 0)
                found = k;
        if (found < 0)
            return error_new(err, EINVAL, "%s.type: unknown namespace type `%s`", where, type);
        if (s->ns[found].enabled)
            return error_new(err, EINVAL, "%s: namespace `%s` is listed twice", where, type);
        s->ns[found].enabled = true;
        if (path && *path) {
            if (path[0] != '/')
                return error_new(err, EINVAL, "%s.path: `%s` must be an absolute path", where,
                                 path);
            s->ns[found].path = strdup(path);
        }
    }
    return 0;
}

static int parse_devices(const json_t *arr, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(arr, JSON_ARRAY, "linux.devices", err)) < 0)
        return r;
    size_t n = json_array_size(arr);
    s->devices = calloc(n ? n : 1, sizeof(*s->devices));
    if (s->devices == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char where[64];
        snprintf(where, sizeof(where), "linux.devices[%zu]", i);
        json_t *o = json_array_get(arr, i);
        struct spec_device *d = &s->devices[i];
        s->n_devices = i + 1;
        const char *path = NULL, *type = NULL;
        if ((r = json_expect(o, JSON_OBJECT, where, err)) < 0 ||
            (r = json_get_string(o, "path", where, true, &path, err)) < 0 ||
            (r = json_get_string(o, "type", where, true, &type, err)) < 0)
            return r;
        if (path[0] != '/')
            return error_new(err, EINVAL, "%s.path: `%s` must be an absolute path", where, path);
        d->path = fs_path_clean(path);
        if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
            return error_new(err, EINVAL, "%s.type: `%s` is not one of c, b, u, p", where, type);
        d->type = type[0];
        if (d->type != 'p') {
            if ((r = json_get_int64(o, "major", where, true, &d->major, err)) < 0 ||
                (r = json_get_int64(o, "minor", where, true, &d->minor, err)) < 0)
                return r;
            if (d->major < 0 || d->major > 4095 || d->minor < 0 || d->minor > 1048575)
                return error_new(err, ERANGE, "%s: device number %lld:%lld is out of range",
                                 where, (long long) d->major, (long long) d->minor);
        }
        uint64_t v = UINT64_MAX;
        if ((r = json_get_uint64(o, "fileMode", where, false, 07777, &v, err)) < 0)
            return r;
        if (v != UINT64_MAX) {
            d->mode = (uint32_t) v;
            d->has_mode = true;
        }
        v = UINT64_MAX;
        if ((r = json_get_uint64(o, "uid", where, false, UINT32_MAX, &v, err)) < 0)
            return r;
        if (v != UINT64_MAX) {
            d->uid = (uint32_t) v;
            d->has_uid = true;
        }
        v = UINT64_MAX;
        if ((r = json_get_uint64(o, "gid", where, false, UINT32_MAX, &v, err)) < 0)
            return r;
        if (v != UINT64_MAX) {
            d->gid = (uint32_t) v;
            d->has_gid = true;
        }
    }
    return 0;
}

/* Only sysctls that live in a namespace the container owns may be set;
 * anything else would change the host (the rules of runc's validator). */
static int check_sysctl(const struct spec *s, const char *key, const char *shown,
                        struct error **err)
{
    static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                           "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                           "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
        if (strcmp(key, ipc_keys[i]) == 0) {
            if (!s->ns[SPEC_NS_IPC].enabled)
                return error_new(err, EPERM,
                                 "linux.sysctl: `%s` needs an ipc namespace of the container's own",
                                 shown);
            return 0;
        }
    if (strncmp(key, "fs.mqueue.", 10) == 0) {
        if (!s->ns[SPEC_NS_IPC].enabled)
            return error_new(err, EPERM,
                             "linux.sysctl: `%s` needs an ipc namespace of the container's own",
                             shown);
        return 0;
    }
    if (strncmp(key, "net.", 4) == 0) {
        if (!s->ns[SPEC_NS_NET].enabled)
            return error_new(err, EPERM,
                             "linux.sysctl: `%s` needs a network namespace of the container's own",
                             shown);
        return 0;
    }
    if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
        if (!s->ns[SPEC_NS_UTS].enabled)
            return error_new(err, EPERM,
                             "linux.sysctl: `%s` needs a uts namespace of the container's own", shown);
        return 0;
    }
    return error_new(err, EPERM,
                     "linux.sysctl: `%s` is not namespaced: setting it would change the host", shown);
}

static int parse_sysctl(const json_t *o, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(o, JSON_OBJECT, "linux.sysctl", err)) < 0)
        return r;
    size_t n = json_object_size(o);
    s->sysctls = calloc(n ? n : 1, sizeof(*s->sysctls));
    if (s->sysctls == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) o, key, v)
    {
        if (!json_is_string(v))
            return error_new(err, EINVAL, "linux.sysctl.%s: expected a string, got %s", key,
                             json_type_name(v));
        /* runc accepts "net/ipv4/ip_forward" as well as the dotted form. */
        if (key[0] == '\0' || key[0] == '/' || key[0] == '.' || strstr(key, "..") ||
            strstr(key, "//") || strstr(key, "/."))
            return error_new(err, EINVAL, "linux.sysctl: `%s` is not a valid key", key);
        char dotted[256];
        if (snprintf(dotted, sizeof(dotted), "%s", key) >= (int) sizeof(dotted))
            return error_new(err, EINVAL, "linux.sysctl: `%s` is too long", key);
        if (strchr(dotted, '/'))
            for (char *c = dotted; *c; c++)
                if (*c == '/')
                    *c = '.';
        if ((r = check_sysctl(s, dotted, key, err)) < 0)
            return r;
        struct spec_sysctl *e = &s->sysctls[s->n_sysctls++];
        e->key = strdup(key);
        e->value = strdup(json_string_value(v));
    }
    return 0;
}

static int parse_propagation(const char *v, unsigned long *ret, struct error **err)
{
    static const struct {
        const char *name;
        unsigned long flags;
    } t[] = {
        {"private", MS_PRIVATE},   {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},     {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},       {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(v, t[i].name) == 0) {
            *ret = t[i].flags;
            return 0;
        }
    return error_new(err, EINVAL, "linux.rootfsPropagation: unknown value `%s`", v);
}

static int parse_time_offsets(const json_t *o, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(o, JSON_OBJECT, "linux.timeOffsets", err)) < 0)
        return r;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) o, key, v)
    {
        struct spec_time_offset *t;
        if (strcmp(key, "monotonic") == 0)
            t = &s->time_monotonic;
        else if (strcmp(key, "boottime") == 0)
            t = &s->time_boottime;
        else
            return error_new(err, EINVAL, "linux.timeOffsets: unknown clock `%s`", key);
        char where[64];
        snprintf(where, sizeof(where), "linux.timeOffsets.%s", key);
        uint64_t ns = 0;
        if ((r = json_expect(v, JSON_OBJECT, where, err)) < 0 ||
            (r = json_get_int64(v, "secs", where, false, &t->secs, err)) < 0 ||
            (r = json_get_uint64(v, "nanosecs", where, false, 999999999, &ns, err)) < 0)
            return r;
        t->nanosecs = (uint32_t) ns;
        t->set = true;
    }
    return 0;
}

static int parse_linux(const json_t *lin, struct spec *s, struct error **err)
{
    int r;
    if ((r = json_expect(lin, JSON_OBJECT, "linux", err)) < 0)
        return r;
    json_t *v;
    if ((v = json_object_get(lin, "namespaces")) && !json_is_null(v) &&
        (r = parse_namespaces(v, s, err)) < 0)
        return r;
    if ((r = parse_idmaps(lin, "uidMappings", &s->uid_mappings, &s->n_uid_mappings, err)) < 0 ||
        (r = parse_idmaps(lin, "gidMappings", &s->gid_mappings, &s->n_gid_mappings, err)) < 0)
        return r;
    if ((s->n_uid_mappings || s->n_gid_mappings) && !s->ns[SPEC_NS_USER].enabled)
        return error_new(err, EINVAL,
                         "linux.%s: id mappings need a user namespace in linux.namespaces",
                         s->n_uid_mappings ? "uidMappings" : "gidMappings");
    if (s->ns[SPEC_NS_USER].enabled && s->ns[SPEC_NS_USER].path == NULL &&
        (s->n_uid_mappings == 0 || s->n_gid_mappings == 0))
        return error_new(err, EINVAL,
                         "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
    if ((v = json_object_get(lin, "devices")) && !json_is_null(v) &&
        (r = parse_devices(v, s, err)) < 0)
        return r;
    if ((v = json_object_get(lin, "sysctl")) && !json_is_null(v) &&
        (r = parse_sysctl(v, s, err)) < 0)
        return r;
    if ((r = json_get_strv(lin, "maskedPaths", "linux", false, &s->masked_paths, err)) < 0 ||
        (r = json_get_strv(lin, "readonlyPaths", "linux", false, &s->readonly_paths, err)) < 0)
        return r;
    for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
        if (s->masked_paths[i][0] != '/')
            return error_new(err, EINVAL, "linux.maskedPaths[%zu]: `%s` must be absolute", i,
                             s->masked_paths[i]);
    for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
        if (s->readonly_paths[i][0] != '/')
            return error_new(err, EINVAL, "linux.readonlyPaths[%zu]: `%s` must be absolute", i,
                             s->readonly_paths[i]);
    const char *str = NULL;
    if ((r = json_get_string(lin, "rootfsPropagation", "linux", false, &str, err)) < 0)
        return r;
    if (str && *str && (r = parse_propagation(str, &s->rootfs_propagation, err)) < 0)
        return r;
    str = NULL;
    if ((r = json_get_string(lin, "cgroupsPath", "linux", false, &str, err)) < 0)
        return r;
    if (str && *str)
        s->cgroups_path = strdup(str);
    str = NULL;
    if ((r = json_get_string(lin, "mountLabel", "linux", false, &str, err)) < 0)
        return r;
    if (str && *str)
        s->mount_label = strdup(str);
    if ((v = json_object_get(lin, "timeOffsets")) && !json_is_null(v)) {
        if ((r = parse_time_offsets(v, s, err)) < 0)
            return r;
        if (!s->ns[SPEC_NS_TIME].enabled || s->ns[SPEC_NS_TIME].path)
            return error_new(err, EINVAL,
                             "linux.timeOffsets: offsets need a new time namespace");
    }
    if ((v = json_object_get(lin, "resources")) && !json_is_null(v)) {
        if ((r = json_expect(v, JSON_OBJECT, "linux.resources", err)) < 0)
            return r;
        s->resources = v;
    }
    if ((v = json_object_get(lin, "seccomp")) && !json_is_null(v)) {
        if ((r = json_expect(v, JSON_OBJECT, "linux.seccomp", err)) < 0)
            return r;
        s->seccomp = v;
    }
    return 0;
}

int spec_from_json(json_t *json, struct spec **ret_spec, struct error **err)
{
    int r;
    if ((r = json_expect(json, JSON_OBJECT, "config.json", err)) < 0)
        return r;
    cleanup_spec struct spec *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    s->json = json_incref(json);

    const char *str = NULL;
    if ((r = json_get_string(json, "ociVersion", "", true, &str, err)) < 0)
        return r;
    if (strncmp(str, "1.", 2) != 0)
        return error_new(err, EINVAL, "ociVersion: unsupported version `%s` (need 1.x)", str);
    s->oci_version = strdup(str);

    json_t *root = json_object_get(json, "root");
    if (root == NULL || json_is_null(root))
        return error_new(err, EINVAL, "root: missing required field");
    if ((r = json_expect(root, JSON_OBJECT, "root", err)) < 0)
        return r;
    str = NULL;
    if ((r = json_get_string(root, "path", "root", true, &str, err)) < 0)
        return r;
    if (*str == '\0')
        return error_new(err, EINVAL, "root.path: must not be empty");
    s->root_path = strdup(str);
    if ((r = json_get_bool(root, "readonly", "root", &s->root_readonly, err)) < 0)
        return r;

    str = NULL;
    if ((r = json_get_string(json, "hostname", "", false, &str, err)) < 0)
        return r;
    if (str && *str)
        s->hostname = strdup(str);
    str = NULL;
    if ((r = json_get_string(json, "domainname", "", false, &str, err)) < 0)
        return r;
    if (str && *str)
        s->domainname = strdup(str);

    json_t *v;
    if ((v = json_object_get(json, "process")) && !json_is_null(v)) {
        s->process = calloc(1, sizeof(*s->process));
        if (s->process == NULL)
            return error_new(err, ENOMEM, "out of memory");
        if ((r = parse_process(v, s->process, err)) < 0)
            return r;
    }
    if ((v = json_object_get(json, "mounts")) && !json_is_null(v) &&
        (r = parse_mounts(v, s, err)) < 0)
        return r;
    if ((v = json_object_get(json, "linux")) && !json_is_null(v) &&
        (r = parse_linux(v, s, err)) < 0)
        return r;
    if (s->hostname && !s->ns[SPEC_NS_UTS].enabled)
        return error_new(err, EINVAL, "hostname: setting it needs a uts namespace");
    if (s->domainname && !s->ns[SPEC_NS_UTS].enabled)
        return error_new(err, EINVAL, "domainname: setting it needs a uts namespace");
    if ((v = json_object_get(json, "hooks")) && !json_is_null(v)) {
        if ((r = json_expect(v, JSON_OBJECT, "hooks", err)) < 0)
            return r;
        s->hooks = v;
    }
    if ((v = json_object_get(json, "annotations")) && !json_is_null(v)) {
        if ((r = json_expect(v, JSON_OBJECT, "annotations", err)) < 0)
            return r;
        const char *k;
        json_t *av;
        json_object_foreach(v, k, av)
        {
            if (!json_is_string(av))
                return error_new(err, EINVAL, "annotations.%s: expected a string, got %s", k,
                                 json_type_name(av));
        }
        s->annotations = v;
    }
    *ret_spec = steal_pointer(&s);
    return 0;
}

int spec_load(int bundle_fd, const char *name, struct spec **ret_spec, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(bundle_fd, name, SPEC_MAX_SIZE, &j, err);
    if (r < 0)
        return r;
    r = spec_from_json(j, ret_spec, err);
    if (r < 0)
        return error_wrap(err, "%s", name);
    return 0;
}

static void free_mounts(struct spec_mount *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].destination);
        free(m[i].type);
        free(m[i].source);
        free(m[i].data);
        strv_free(m[i].options);
    }
    free(m);
}

void spec_process_free(struct spec_process *p)
{
    if (p == NULL)
        return;
    strv_free(p->args);
    strv_free(p->env);
    free(p->cwd);
    free(p->additional_gids);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->selinux_label);
    free(p);
}

void spec_free(struct spec *s)
{
    if (s == NULL)
        return;
    free(s->oci_version);
    free(s->root_path);
    free(s->hostname);
    free(s->domainname);
    spec_process_free(s->process);
    free_mounts(s->mounts, s->n_mounts);
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        free(s->ns[i].path);
    free(s->uid_mappings);
    free(s->gid_mappings);
    for (size_t i = 0; i < s->n_devices; i++)
        free(s->devices[i].path);
    free(s->devices);
    for (size_t i = 0; i < s->n_sysctls; i++) {
        free(s->sysctls[i].key);
        free(s->sysctls[i].value);
    }
    free(s->sysctls);
    strv_free(s->masked_paths);
    strv_free(s->readonly_paths);
    free(s->cgroups_path);
    free(s->mount_label);
    json_decref(s->json);
    free(s);
}
