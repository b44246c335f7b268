/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

#include "runtime/seccomp_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/sock.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define MAX_BPF_INSNS 65536 /* far above BPF_MAXINSNS: a cached file is checked */

static int parse_action(const char *name, int64_t errno_ret, bool has_errno, uint32_t *ret)
{
    uint32_t e = has_errno ? (uint32_t) errno_ret : EPERM;
    if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *ret = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *ret = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *ret = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        *ret = SCMP_ACT_ERRNO(e);
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        *ret = SCMP_ACT_TRACE(e);
    else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *ret = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *ret = SCMP_ACT_LOG;
    else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        *ret = SCMP_ACT_NOTIFY;
    else
        return -EINVAL;
    return 0;
}

static int parse_op(const char *name, enum scmp_compare *ret)
{
    static const struct {
        const char *name;
        enum scmp_compare op;
    } ops[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE}, {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(ops[i].name, name) == 0) {
            *ret = ops[i].op;
            return 0;
        }
    return -EINVAL;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token. */
static uint32_t parse_arch(const char *name)
{
    if (strncmp(name, "SCMP_ARCH_", 10) != 0)
        return 0;
    char lower[64];
    size_t n = strlen(name + 10);
    if (n >= sizeof(lower))
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char c = name[10 + i];
        lower[i] = (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return seccomp_arch_resolve_name(lower);
}

static int action_of(const json_t *o, const char *where, const char *key_action,
                     const char *key_errno, uint32_t *ret, struct error **err)
{
    const char *name = NULL;
    int64_t eret = 0;
    int r;
    if ((r = json_get_string(o, key_action, where, true, &name, err)) < 0)
        return r;
    json_t *ej = json_object_get(o, key_errno);
    bool has = ej && !json_is_null(ej);
    if (has && ((r = json_get_int64(o, key_errno, where, true, &eret, err)) < 0))
        return r;
    if (has && (eret < 0 || eret > 4095))
        return error_new(err, ERANGE, "%s.%s: %lld is not an errno", where, key_errno,
                         (long long) eret);
    r = parse_action(name, eret, has, ret);
    if (r < 0)
        return error_new(err, EINVAL, "%s.%s: unknown action `%s`", where, key_action, name);
    return 0;
}

/* The init sends the listener's fd to the runtime with sendmsg(2) right
 * after it loads the filter: a notification for that call could never be
 * answered (as runc refuses NOTIFY for write(2), which its init uses). */
static const char *const notify_refused[] = {"sendmsg", NULL};

static int check_notify(const char *where, const char *name, struct error **err)
{
    for (size_t i = 0; notify_refused[i]; i++)
        if (strcmp(name, notify_refused[i]) == 0)
            return error_new(err, EINVAL,
                             "%s: SCMP_ACT_NOTIFY cannot be used for `%s`: the runtime needs it "
                             "to hand the filter's listener fd to listenerPath",
                             where, name);
    return 0;
}

static void plan_release(struct seccomp_plan *plan)
{
    free(plan->archs);
    free(plan->rules);
}

/* Append one libseccomp rule to the plan. */
static int plan_add_rule(struct seccomp_plan *plan, const struct seccomp_plan_rule *rule,
                         struct error **err)
{
    if ((plan->n_rules & (plan->n_rules + 1)) == 0) { /* 0, 1, 3, 7...: grow */
        struct seccomp_plan_rule *n =
            reallocarray(plan->rules, 2 * plan->n_rules + 1, sizeof(*plan->rules));
        if (n == NULL)
            return error_new(err, ENOMEM, "out of memory");
        plan->rules = n;
    }
    plan->rules[plan->n_rules++] = *rule;
    return 0;
}

static int add_rule(struct seccomp_plan *plan, const json_t *rule, size_t idx, uint32_t def,
                    bool *notify, struct error **err)
{
    char where[64];
    snprintf(where, sizeof(where), "linux.seccomp.syscalls[%zu]", idx);
    int r = json_expect(rule, JSON_OBJECT, where, err);
    if (r < 0)
        return r;
    uint32_t action;
    if ((r = action_of(rule, where, "action", "errnoRet", &action, err)) < 0)
        return r;
    json_t *names = json_object_get(rule, "names");
    char w2[96];
    snprintf(w2, sizeof(w2), "%s.names", where);
    if ((r = json_expect(names, JSON_ARRAY, w2, err)) < 0)
        return r;
    json_t *args = json_object_get(rule, "args");
    struct scmp_arg_cmp conds[6];
    size_t nc = 0;
    bool distinct = true;
    if (args && !json_is_null(args)) {
        snprintf(w2, sizeof(w2), "%s.args", where);
        if ((r = json_expect(args, JSON_ARRAY, w2, err)) < 0)
            return r;
        if (json_array_size(args) > 6)
            return error_new(err, E2BIG, "%s: more than 6 argument conditions", w2);
        unsigned seen = 0;
        for (size_t i = 0; i < json_array_size(args); i++) {
            char wa[128];
            snprintf(wa, sizeof(wa), "%s.args[%zu]", where, i);
            json_t *a = json_array_get(args, i);
            uint64_t index, value = 0, two = 0;
            const char *op = NULL;
            if ((r = json_expect(a, JSON_OBJECT, wa, err)) < 0 ||
                (r = json_get_uint64(a, "index", wa, true, 5, &index, err)) < 0 ||
                (r = json_get_uint64(a, "value", wa, true, UINT64_MAX >> 1, &value, err)) < 0 ||
                (r = json_get_uint64(a, "valueTwo", wa, false, UINT64_MAX >> 1, &two, err)) < 0 ||
                (r = json_get_string(a, "op", wa, true, &op, err)) < 0)
                return r;
            enum scmp_compare cmp;
            if (parse_op(op, &cmp) < 0)
                return error_new(err, EINVAL, "%s.op: unknown operator `%s`", wa, op);
            if (seen & (1u << index))
                distinct = false;
            seen |= 1u << index;
            conds[nc++] = (struct scmp_arg_cmp){(unsigned) index, cmp, value, two};
        }
    }
    if (action == def)
        return 0; /* libseccomp refuses a rule equal to the default */
    if (action == SCMP_ACT_NOTIFY)
        *notify = true;
    for (size_t i = 0; i < json_array_size(names); i++) {
        json_t *nj = json_array_get(names, i);
        if (!json_is_string(nj))
            return error_new(err, EINVAL, "%s.names[%zu]: expected a string", where, i);
        const char *name = json_string_value(nj);
        if (action == SCMP_ACT_NOTIFY && (r = check_notify(where, name, err)) < 0)
            return r;
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
            log_debug("seccomp: skipping syscall `%s`, unknown to this libseccomp", name);
            continue;
        }
        /* Conditions on distinct arguments all must hold (one rule); several
         * on the same argument are alternatives (a rule each), as runc. */
        struct seccomp_plan_rule pr = {.action = action, .nr = nr, .index = idx, .name = name};
        if (distinct) {
            pr.n_conds = (unsigned) nc;
            memcpy(pr.conds, conds, nc * sizeof(conds[0]));
            r = plan_add_rule(plan, &pr, err);
        } else {
            pr.n_conds = 1;
            for (size_t c = 0; r == 0 && c < nc; c++) {
                pr.conds[0] = conds[c];
                r = plan_add_rule(plan, &pr, err);
            }
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* listenerPath is required by SCMP_ACT_NOTIFY; without one, it has
 * nothing to receive (runc ignores it then, and so do we). */
static int check_listener(const json_t *p, bool notify, struct error **err)
{
    const char *path = NULL, *md = NULL;
    int r = json_get_string(p, "listenerPath", "linux.seccomp", false, &path, err);
    if (r == 0)
        r = json_get_string(p, "listenerMetadata", "linux.seccomp", false, &md, err);
    if (r < 0)
        return r;
    if (notify && (path == NULL || path[0] != '/'))
        return error_new(err, EINVAL,
                         "linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs the absolute path of "
                         "a unix socket to send the filter's listener to");
    if (!notify && path)
        log_debug("linux.seccomp.listenerPath is set but no rule uses SCMP_ACT_NOTIFY: "
                  "nothing will be sent to `%s`",
                  path);
    return 0;
}

/* linux.architectures → the plan's list. */
static int parse_archs(const json_t *p, struct seccomp_plan *plan, struct error **err)
{
    json_t *archs = json_object_get(p, "architectures");
    if (!json_is_array(archs) || json_array_size(archs) == 0)
        return 0;
    plan->archs = calloc(json_array_size(archs), sizeof(*plan->archs));
    if (plan->archs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(archs); i++) {
        const char *name = json_string_value(json_array_get(archs, i));
        uint32_t a = name ? parse_arch(name) : 0;
        if (a == 0)
            return error_new(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown `%s`", i,
                             name ? name : "(not a string)");
        plan->archs[plan->n_archs++] = (struct seccomp_plan_arch){a, i, name};
    }
    return 0;
}

static int parse_flags(const json_t *p, unsigned int *flags, struct error **err)
{
    json_t *fl = json_object_get(p, "flags");
    for (size_t i = 0; json_is_array(fl) && i < json_array_size(fl); i++) {
        const char *f = json_string_value(json_array_get(fl, i));
        if (f && strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
            *flags |= SECCOMP_FILTER_FLAG_LOG;
        else if (f && strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
            *flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        else if (f && strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
            *flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        else
            return error_new(err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag `%s`", i,
                             f ? f : "(not a string)");
    }
    return 0;
}

/* The largest number the profile names for `token`: every name of every
 * rule counts, also those of rules equal to the default (not in the plan). */
static int largest_nr(const json_t *rules, uint32_t token)
{
    int max = -1;
    for (size_t i = 0; json_is_array(rules) && i < json_array_size(rules); i++) {
        json_t *names = json_object_get(json_array_get(rules, i), "names");
        for (size_t j = 0; json_is_array(names) && j < json_array_size(names); j++) {
            const char *name = json_string_value(json_array_get(names, j));
            int nr = name ? seccomp_syscall_resolve_name_arch(token, name) : -1;
            if (nr > max)
                max = nr;
        }
    }
    return max;
}

/* Put the -ENOSYS stub in front of the built program, for the native
 * architecture (libseccomp's filter always has it; checked first) and
 * those of the profile. */
static int add_enosys_stub(const json_t *p, const struct seccomp_plan *plan,
                           struct seccomp_program *out, struct error **err)
{
    cleanup_free struct seccomp_enosys_arch *archs = calloc(plan->n_archs + 1, sizeof(*archs));
    if (archs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    json_t *rules = json_object_get(p, "syscalls");
    size_t n = 0;
    for (size_t i = 0; i <= plan->n_archs; i++) {
        uint32_t token = i == 0 ? seccomp_arch_native() : plan->archs[i - 1].token;
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen = seen || archs[j].token == token;
        if (!seen)
            archs[n++] = (struct seccomp_enosys_arch){token, largest_nr(rules, token)};
    }
    struct sock_filter *insns = NULL;
    size_t n_insns = 0;
    int r = seccomp_enosys_patch(archs, n, out->insns, out->n, &insns, &n_insns, err);
    if (r < 0)
        return r;
    free(out->insns);
    out->insns = insns;
    out->n = n_insns;
    return 0;
}

/* Check the profile into a plan of libseccomp calls, then build it. */
static int compile(const json_t *p, struct seccomp_program *out, struct error **err)
{
    struct seccomp_plan plan = {0};
    int r = action_of(p, "linux.seccomp", "defaultAction", "defaultErrnoRet",
                      &plan.default_action, err);
    if (r < 0)
        return r;
    if (plan.default_action == SCMP_ACT_NOTIFY)
        return error_new(err, EINVAL,
                         "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
                         "action (the runtime itself would wait on its listener)");
    r = parse_archs(p, &plan, err);
    if (r == 0)
        r = parse_flags(p, &out->flags, err);
    json_t *rules = json_object_get(p, "syscalls");
    if (r == 0 && rules && !json_is_null(rules))
        r = json_expect(rules, JSON_ARRAY, "linux.seccomp.syscalls", err);
    bool notify = false;
    for (size_t i = 0; r == 0 && json_is_array(rules) && i < json_array_size(rules); i++)
        r = add_rule(&plan, json_array_get(rules, i), i, plan.default_action, &notify, err);
    if (r == 0)
        r = check_listener(p, notify, err);
    if (r == 0 && notify)
        out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    if (r == 0)
        r = seccomp_build(&plan, &out->insns, &out->n, err);
    if (r == 0 && seccomp_enosys_wanted(plan.default_action))
        r = add_enosys_stub(p, &plan, out, err);
    plan_release(&plan);
    return r;
}

/* What the cached program is made of beyond the profile and libseccomp:
 * bump it when the runtime changes the program it builds (2: the -ENOSYS
 * stub), so that older entries are not reused. */
#define CACHE_FORMAT 2

/* Cache key: the profile as canonical JSON, the libseccomp version and the
 * cache format. */
static int cache_key(const json_t *p, char out[65])
{
    cleanup_free char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    if (s == NULL)
        return -ENOMEM;
    const struct scmp_version *v = seccomp_version();
    char ver[64];
    int vn = snprintf(ver, sizeof(ver), "libseccomp %u.%u.%u\nformat %d\n", v->major, v->minor,
                      v->micro, CACHE_FORMAT);
    struct sha256 h;
    uint8_t md[32];
    sha256_init(&h);
    sha256_update(&h, ver, (size_t) vn);
    sha256_update(&h, s, strlen(s));
    sha256_final(&h, md);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* A cached entry: 4 bytes of flags, then the instructions. */
static bool cache_read(int dirfd, const char *key, struct seccomp_program *out)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    if (fs_read_file_at(dirfd, key, 4 + MAX_BPF_INSNS * sizeof(struct sock_filter), &buf, &len,
                        NULL) < 0)
        return false;
    if (len <= 4 || (len - 4) % sizeof(struct sock_filter) != 0)
        return false;
    out->n = (len - 4) / sizeof(struct sock_filter);
    out->insns = malloc(len - 4);
    if (out->insns == NULL)
        return false;
    memcpy(&out->flags, buf, 4);
    memcpy(out->insns, buf + 4, len - 4);
    out->from_cache = true;
    return true;
}

static void cache_write(int dirfd, const char *key, const struct seccomp_program *p)
{
    size_t len = 4 + p->n * sizeof(struct sock_filter);
    cleanup_free char *buf = malloc(len);
    if (buf == NULL)
        return;
    memcpy(buf, &p->flags, 4);
    memcpy(buf + 4, p->insns, len - 4);
    cleanup_error struct error *e = NULL;
    if (fs_write_file_atomic(dirfd, key, buf, len, 0600, 0, &e) < 0)
        log_debug("seccomp: not caching the filter: %s", e->msg);
}

int seccomp_prepare(const json_t *profile, int cache_dirfd, struct seccomp_program **ret,
                    struct error **err)
{
    int r = json_expect(profile, JSON_OBJECT, "linux.seccomp", err);
    if (r < 0)
        return r;
    struct seccomp_program *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char key[65] = "";
    if (cache_dirfd >= 0 && cache_key(profile, key) == 0 && cache_read(cache_dirfd, key, p)) {
        *ret = p;
        return 0;
    }
    r = compile(profile, p, err);
    if (r < 0) {
        seccomp_program_free(p);
        return r;
    }
    if (cache_dirfd >= 0 && key[0])
        cache_write(cache_dirfd, key, p);
    *ret = p;
    return 0;
}

bool seccomp_program_notifies(const struct seccomp_program *p)
{
    return p && (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

int seccomp_install(const struct seccomp_program *p, int *ret_listener, struct error **err)
{
    struct sock_fprog prog = {.len = (unsigned short) p->n, .filter = p->insns};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
    if (r < 0)
        return error_errno(err, "linux.seccomp: loading the filter (%zu instructions)", p->n);
    if (seccomp_program_notifies(p)) {
        /* With NEW_LISTENER the call returns the listener's fd. */
        if (ret_listener)
            *ret_listener = (int) r;
        else
            close((int) r);
    }
    return 0;
}

void seccomp_program_free(struct seccomp_program *p)
{
    if (p == NULL)
        return;
    free(p->insns);
    free(p);
}

/* A unix stream socket connected to `path`; a path too long for sun_path
 * is reached through its directory's fd. */
static int connect_unix(const char *path, struct error **err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    cleanup_close int dirfd = -1;
    if (strlen(path) < sizeof(sa.sun_path)) {
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    } else {
        cleanup_free char *dir = strdup(path);
        if (dir == NULL)
            return error_new(err, ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        *slash = '\0';
        dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return error_errno(err, "linux.seccomp.listenerPath `%s`", path);
        int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, slash + 1);
        if (n < 0 || (size_t) n >= sizeof(sa.sun_path))
            return error_new(err, ENAMETOOLONG, "linux.seccomp.listenerPath `%s`: name too long",
                             path);
    }
    cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return error_errno(err, "linux.seccomp.listenerPath: making a socket");
    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return error_errno(err, "linux.seccomp.listenerPath: connecting to `%s`", path);
    return steal_fd(&fd);
}

int seccomp_send_listener(const json_t *profile, const json_t *state, pid_t pid, int listener,
                          struct error **err)
{
    const char *path = json_string_value(json_object_get(profile, "listenerPath"));
    const char *md = json_string_value(json_object_get(profile, "listenerMetadata"));
    if (path == NULL)
        return error_new(err, EINVAL, "linux.seccomp.listenerPath: missing");
    /* The container process state of the runtime spec, as runc sends it. */
    cleanup_json json_t *cps =
        json_pack("{s:s, s:[s], s:I, s:O}", "ociVersion", CABIN_OCI_VERSION, "fds", "seccompFd",
                  "pid", (json_int_t) pid, "state", (json_t *) state);
    if (cps == NULL || (md && md[0] && json_object_set_new(cps, "metadata", json_string(md)) < 0))
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *text = json_dumps(cps, JSON_COMPACT);
    if (text == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int sock = connect_unix(path, err);
    if (sock < 0)
        return sock;
    size_t len = strlen(text);
    ssize_t n = sock_send_fd(sock, text, len, listener);
    if (n < 0)
        return error_errnum(err, (int) -n,
                            "linux.seccomp.listenerPath: sending the listener to `%s`", path);
    if ((size_t) n < len) {
        /* The fd went with the first part; the rest of the state follows. */
        const char *rest = text + n;
        size_t left = len - (size_t) n;
        while (left > 0) {
            ssize_t w = send(sock, rest, left, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return error_errno(err, "linux.seccomp.listenerPath: sending the state to `%s`",
                                   path);
            rest += w;
            left -= (size_t) w;
        }
    }
    return 0;
}
