/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/create.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/bundle.h"
#include "engine/etcfiles.h"
#include "engine/flags.h"
#include "engine/monitor.h"
#include "engine/names.h"
#include "engine/netetc.h"
#include "engine/netvol.h"
#include "engine/network.h"
#include "engine/seccomp_profile.h"
#include "engine/user.h"
#include "image/image.h"
#include "runtime/seccomp_default.h"
#include "runtime/signals.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define MAX_ULIMITS      32
#define MIN_MEMORY       (6 << 20)  /* docker's smallest --memory */
#define DEFAULT_SHM      (64 << 20)
#define DEFAULT_LOG_SIZE "20m"      /* docker's `local` log driver's defaults */
#define DEFAULT_LOG_FILE 5

/* The flags, checked and parsed. */
struct plan {
    const struct engine_create_opts *o;
    struct bundle_resources res;
    struct flags_ulimit ulimits[MAX_ULIMITS];
    size_t n_ulimits;
    uint64_t caps;
    struct flags_security sec;
    struct flags_restart_policy restart;
    struct flags_log log;
    int stop_signal;      /* 0: the image's or none */
    int64_t stop_timeout; /* -2: not given */
    int64_t shm_size;
    bool host_network;
    char **env_lines;     /* --env-file lines, then -e */
    json_t *labels;       /* --label-file, then --label */
    json_t *seccomp;      /* linux.seccomp, or NULL */
    char *selinux_label;
    struct net_request *net;      /* netopts.h */
    struct mount_request *mounts; /* mountopts.h */
    size_t n_mounts;
};

static void plan_release(struct plan *p)
{
    flags_security_release(&p->sec);
    strv_free(p->env_lines);
    json_decref(p->labels);
    json_decref(p->seccomp);
    free(p->selinux_label);
    net_request_free(p->net);
    mount_requests_free(p->mounts, p->n_mounts);
}

/* ---- checking the flags -------------------------------------------------------- */

static long online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* A cpuset list ("0-2,4") with every CPU below `n`. */
static int check_cpuset(const char *flag, const char *s, long n, struct error **err)
{
    const char *p = s;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p || a < 0)
            return error_new(err, EINVAL, "%s `%s`: expected a list like 0-2,4", flag, s);
        p = end;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a)
                return error_new(err, EINVAL, "%s `%s`: expected a list like 0-2,4", flag, s);
            p = end;
        }
        if (n > 0 && b >= n)
            return error_new(err, EINVAL, "%s `%s`: only 0-%ld are available", flag, s, n - 1);
        if (*p == ',')
            p++;
        else if (*p)
            return error_new(err, EINVAL, "%s `%s`: expected a list like 0-2,4", flag, s);
    }
    return 0;
}

static bool swap_limits_supported(void)
{
    return access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0 ||
           access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
}

static void warn(char ***warnings, const char *msg)
{
    if (warnings)
        strv_push(warnings, msg);
}

static int plan_memory(struct plan *p, char ***warnings, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    struct bundle_resources *r = &p->res;
    int e;
    if (o->memory && (e = flags_parse_bytes("--memory", o->memory, &r->memory, err)) < 0)
        return e;
    if (r->memory > 0 && r->memory < MIN_MEMORY)
        return error_new(err, EINVAL, "--memory `%s`: the smallest limit allowed is 6MB",
                         o->memory);
    if (o->memory_swap) {
        if (strcmp(o->memory_swap, "-1") == 0)
            r->memory_swap = -1;
        else if ((e = flags_parse_bytes("--memory-swap", o->memory_swap, &r->memory_swap, err)) <
                 0)
            return e;
        if (r->memory == 0)
            return error_new(err, EINVAL, "--memory-swap needs --memory as well");
        if (r->memory_swap > 0 && r->memory_swap < r->memory)
            return error_new(err, EINVAL, "--memory-swap `%s` must be at least --memory `%s` "
                                          "(it counts memory and swap together)",
                             o->memory_swap, o->memory);
    } else if (r->memory > 0) {
        /* docker: as much swap as memory. */
        r->memory_swap = r->memory * 2;
    }
    if (r->memory_swap != 0 && !swap_limits_supported()) {
        warn(warnings, "Your kernel does not support swap limit capabilities or the cgroup is "
                       "not mounted. Memory limited without swap.");
        r->memory_swap = 0;
    }
    if (o->memory_reservation &&
        (e = flags_parse_bytes("--memory-reservation", o->memory_reservation,
                               &r->memory_reservation, err)) < 0)
        return e;
    p->shm_size = DEFAULT_SHM;
    if (o->shm_size) {
        if ((e = flags_parse_bytes("--shm-size", o->shm_size, &p->shm_size, err)) < 0)
            return e;
        if (p->shm_size <= 0)
            return error_new(err, EINVAL, "--shm-size `%s`: must be more than 0", o->shm_size);
    }
    return 0;
}

static int plan_cpu(struct plan *p, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    struct bundle_resources *r = &p->res;
    long n = online_cpus();
    int e;
    if (o->cpus) {
        if ((e = flags_parse_cpus(o->cpus, &r->nano_cpus, err)) < 0)
            return e;
        if (r->nano_cpus < 10000000 || r->nano_cpus > n * 1000000000ll)
            return error_new(err, EINVAL, "--cpus `%s`: the range is 0.01 to %ld.00 (there %s "
                                          "%ld CPU%s)",
                             o->cpus, n, n == 1 ? "is" : "are", n, n == 1 ? "" : "s");
    }
    if (o->cpu_shares &&
        (e = flags_parse_int("--cpu-shares", o->cpu_shares, 0, 262144, &r->cpu_shares, err)) < 0)
        return e;
    if (o->cpuset_cpus && (e = check_cpuset("--cpuset-cpus", o->cpuset_cpus, n, err)) < 0)
        return e;
    if (o->cpuset_mems && (e = check_cpuset("--cpuset-mems", o->cpuset_mems, 0, err)) < 0)
        return e;
    r->cpuset_cpus = o->cpuset_cpus;
    r->cpuset_mems = o->cpuset_mems;
    if (o->pids_limit &&
        (e = flags_parse_int("--pids-limit", o->pids_limit, -1, INT64_MAX, &r->pids_limit, err)) <
            0)
        return e;
    if (r->pids_limit < 0)
        r->pids_limit = 0;
    return 0;
}

/* docker's rule: --cap-add ALL is everything but --cap-drop's; --cap-drop
 * ALL leaves --cap-add's; otherwise the defaults without the dropped, plus
 * the added. */
static int plan_caps(struct plan *p, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    /* "All" is every capability we hold ourselves: a container cannot get
     * more (this machine's root has no CAP_SYS_RESOURCE, for one). */
    uint64_t all = 0, add = 0, drop = 0;
    for (int c = 0; c <= flags_cap_last() && c < FLAGS_CAP_ALL; c++)
        if (flags_cap_name(c) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
            all |= 1ull << c;
    bool add_all = false, drop_all = false;
    for (size_t i = 0; o->cap_add && o->cap_add[i]; i++) {
        int c;
        const char *n;
        int e = flags_parse_cap("--cap-add", o->cap_add[i], &c, &n, err);
        if (e < 0)
            return e;
        if (c == FLAGS_CAP_ALL)
            add_all = true;
        else
            add |= 1ull << c;
    }
    for (size_t i = 0; o->cap_drop && o->cap_drop[i]; i++) {
        int c;
        const char *n;
        int e = flags_parse_cap("--cap-drop", o->cap_drop[i], &c, &n, err);
        if (e < 0)
            return e;
        if (c == FLAGS_CAP_ALL)
            drop_all = true;
        else
            drop |= 1ull << c;
    }
    if (o->privileged)
        p->caps = all;
    else if (add_all)
        p->caps = all & ~drop;
    else if (drop_all)
        p->caps = add;
    else
        p->caps = (bundle_default_caps() & ~drop) | add;
    return 0;
}

static int plan_security(struct plan *p, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    int e;
    for (size_t i = 0; o->security_opts && o->security_opts[i]; i++)
        if ((e = flags_parse_security_opt(o->security_opts[i], &p->sec, err)) < 0)
            return e;
    if (o->privileged || p->sec.seccomp_unconfined)
        p->seccomp = NULL;
    else if (p->sec.seccomp_file)
        e = seccomp_profile_load(p->sec.seccomp_file, p->caps, &p->seccomp, err);
    else if ((p->seccomp = seccomp_default_profile(p->caps)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (p->sec.seccomp_file && e < 0)
        return e;
    if (p->sec.label_user || p->sec.label_role || p->sec.label_type || p->sec.label_level) {
        if (asprintf(&p->selinux_label, "%s:%s:%s:%s",
                     p->sec.label_user ? p->sec.label_user : "system_u",
                     p->sec.label_role ? p->sec.label_role : "system_r",
                     p->sec.label_type ? p->sec.label_type : "container_t",
                     p->sec.label_level ? p->sec.label_level : "s0") < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

static int plan_lists(struct plan *p, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    int e;
    for (size_t i = 0; o->ulimits && o->ulimits[i]; i++) {
        struct flags_ulimit u;
        if ((e = flags_parse_ulimit(o->ulimits[i], &u, err)) < 0)
            return e;
        size_t k = 0;
        while (k < p->n_ulimits && p->ulimits[k].resource != u.resource)
            k++; /* a later --ulimit of the same name wins */
        if (k == MAX_ULIMITS)
            return error_new(err, E2BIG, "--ulimit: too many");
        p->ulimits[k] = u;
        if (k == p->n_ulimits)
            p->n_ulimits++;
    }
    for (size_t i = 0; o->env_files && o->env_files[i]; i++)
        if ((e = flags_read_kv_file("--env-file", o->env_files[i], &p->env_lines, err)) < 0)
            return e;
    for (size_t i = 0; o->env && o->env[i]; i++)
        if (strv_push(&p->env_lines, o->env[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    cleanup_strv char **labels = NULL;
    for (size_t i = 0; o->label_files && o->label_files[i]; i++)
        if ((e = flags_read_kv_file("--label-file", o->label_files[i], &labels, err)) < 0)
            return e;
    for (size_t i = 0; o->labels && o->labels[i]; i++)
        if (strv_push(&labels, o->labels[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    p->labels = json_object();
    for (size_t i = 0; labels && labels[i]; i++) {
        char *eq = strchr(labels[i], '=');
        if (eq == labels[i])
            return error_new(err, EINVAL, "--label `%s`: expected KEY=VALUE", labels[i]);
        if (eq)
            *eq = '\0';
        json_object_set_new(p->labels, labels[i], json_string(eq ? eq + 1 : ""));
    }
    p->log.max_files = DEFAULT_LOG_FILE;
    flags_parse_bytes("max-size", DEFAULT_LOG_SIZE, &p->log.max_size, NULL);
    for (size_t i = 0; o->log_opts && o->log_opts[i]; i++)
        if ((e = flags_parse_log_opt(o->log_opts[i], &p->log, err)) < 0)
            return e;
    return 0;
}

static int plan_other(struct plan *p, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    int e;
    if (o->restart && (e = flags_parse_restart(o->restart, &p->restart, err)) < 0)
        return e;
    if (o->rm && p->restart.name != RESTART_NO)
        return error_new(err, EINVAL, "--restart and --rm conflict: a container removed when it "
                                      "exits cannot be restarted");
    if (o->stop_signal && (p->stop_signal = signal_parse(o->stop_signal, err)) < 0)
        return error_wrap(err, "--stop-signal");
    p->stop_timeout = -2;
    if (o->stop_timeout &&
        (e = flags_parse_int("--stop-timeout", o->stop_timeout, -1, INT32_MAX, &p->stop_timeout,
                             err)) < 0)
        return e;
    if (o->name && (e = flags_check_name(*o->name == '/' ? o->name + 1 : o->name, err)) < 0)
        return e;
    if (o->workdir && *o->workdir != '/')
        return error_new(err, EINVAL, "-w `%s`: the working directory must be an absolute path",
                         o->workdir);
    if ((e = net_request_parse(&o->net, &p->net, err)) < 0 ||
        (e = mount_requests_parse(&o->mnt, &p->mounts, &p->n_mounts, err)) < 0)
        return e;
    p->host_network = p->net->mode == NET_MODE_HOST;
    if (o->hostname && *o->hostname == '\0')
        return error_new(err, EINVAL, "--hostname: empty");
    return 0;
}

static int plan_make(struct plan *p, const struct engine_create_opts *o, char ***warnings,
                     struct error **err)
{
    *p = (struct plan) {.o = o};
    int r = plan_memory(p, warnings, err);
    if (r == 0)
        r = plan_cpu(p, err);
    if (r == 0)
        r = plan_caps(p, err);
    if (r == 0)
        r = plan_security(p, err);
    if (r == 0)
        r = plan_lists(p, err);
    if (r == 0)
        r = plan_other(p, err);
    return r;
}

/* ---- the record's Config and HostConfig (docker's shapes) --------------------------- */

static json_t *strv_or_null(char *const *v)
{
    if (v == NULL || v[0] == NULL)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *caps_list(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++) {
        int c;
        const char *n;
        if (flags_parse_cap("", v[i], &c, &n, NULL) == 0)
            json_array_append_new(a, json_string(n));
    }
    if (json_array_size(a) == 0) {
        json_decref(a);
        return json_null();
    }
    return a;
}

static json_t *make_config(const struct plan *p, const struct image_config *img,
                           const char *hostname, char *const *env, char *const *args,
                           const char *user, const char *workdir)
{
    const struct engine_create_opts *o = p->o;
    json_t *labels = json_object();
    json_t *il = json_object_get(json_object_get(img->json, "config"), "Labels");
    if (json_is_object(il))
        json_object_update(labels, il);
    json_object_update(labels, p->labels);
    /* What docker shows as Entrypoint and Cmd: the split of the process. */
    size_t n_ep = o->entrypoint ? (*o->entrypoint ? 1 : 0) : strv_length(img->entrypoint);
    json_t *ep = json_array(), *cmd = json_array();
    for (size_t i = 0; args[i]; i++)
        json_array_append_new(i < n_ep ? ep : cmd, json_string(args[i]));
    json_t *c = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s, s:n, "
                          "s:s, s:o, s:n, s:o}",
                          "Hostname", hostname, "Domainname", o->domainname ? o->domainname : "",
                          "User", user, "AttachStdin", o->attach && o->interactive,
                          "AttachStdout", o->attach, "AttachStderr", o->attach, "Tty", o->tty,
                          "OpenStdin", o->interactive, "StdinOnce", o->attach && o->interactive,
                          "Env", strv_or_null(env), "Cmd",
                          json_array_size(cmd) ? cmd : (json_decref(cmd), json_null()), "Image",
                          o->image, "Volumes", "WorkingDir", workdir, "Entrypoint",
                          json_array_size(ep) ? ep : (json_decref(ep), json_null()), "OnBuild",
                          "Labels", labels);
    if (c == NULL)
        return NULL;
    if (p->stop_signal > 0) {
        json_object_set_new(c, "StopSignal", json_string(o->stop_signal));
    } else if (img->stop_signal && *img->stop_signal) {
        json_object_set_new(c, "StopSignal", json_string(img->stop_signal));
    }
    if (p->stop_timeout != -2)
        json_object_set_new(c, "StopTimeout", json_integer(p->stop_timeout));
    return c;
}

static json_t *ulimits_json(const struct plan *p)
{
    if (p->n_ulimits == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < p->n_ulimits; i++)
        json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "Name", p->ulimits[i].name, "Soft",
                                           (json_int_t) p->ulimits[i].soft, "Hard",
                                           (json_int_t) p->ulimits[i].hard));
    return a;
}

static json_t *make_host_config(const struct plan *p)
{
    const struct engine_create_opts *o = p->o;
    const struct bundle_resources *r = &p->res;
    char max_size[32], max_file[16];
    snprintf(max_size, sizeof(max_size), "%lld", (long long) p->log.max_size);
    snprintf(max_file, sizeof(max_file), "%d", p->log.max_files);
    json_t *log = json_pack("{s:s, s:{}}", "Type", "json-file", "Config");
    if (p->log.max_size > 0)
        json_object_set_new(json_object_get(log, "Config"), "max-size", json_string(max_size));
    json_object_set_new(json_object_get(log, "Config"), "max-file", json_string(max_file));
    json_t *h = json_pack(
        "{s:n, s:o, s:s, s:{}, s:{s:s, s:i}, s:b, s:o, s:o, s:s, s:[], s:[], s:[], s:n, s:s, "
        "s:b, s:b, s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:o, s:b, s:s}",
        "Binds", "LogConfig", log, "NetworkMode", p->host_network ? "host" : "none",
        "PortBindings", "RestartPolicy", "Name", flags_restart_name(p->restart.name),
        "MaximumRetryCount", p->restart.max_retries, "AutoRemove", o->rm, "CapAdd",
        caps_list(o->cap_add), "CapDrop", caps_list(o->cap_drop), "CgroupnsMode", "private",
        "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "IpcMode", "private", "Privileged",
        o->privileged, "PublishAllPorts", 0, "ReadonlyRootfs", o->read_only, "SecurityOpt",
        strv_or_null(o->security_opts), "ShmSize", (json_int_t) p->shm_size, "Memory",
        (json_int_t) r->memory, "MemorySwap", (json_int_t) r->memory_swap, "MemoryReservation",
        (json_int_t) r->memory_reservation, "NanoCpus", (json_int_t) r->nano_cpus,
        "CpusetCpus", r->cpuset_cpus ? r->cpuset_cpus : "", "CpusetMems",
        r->cpuset_mems ? r->cpuset_mems : "", "CpuShares", (json_int_t) r->cpu_shares,
        "Ulimits", ulimits_json(p), "Init", o->init, "Runtime", "cabin-runtime");
    if (h)
        json_object_set_new(h, "PidsLimit",
                            r->pids_limit > 0 ? json_integer(r->pids_limit) : json_null());
    return h;
}

/* ---- the folder ---------------------------------------------------------------------- */

static void new_id(char out[ENGINE_ID_LEN + 1])
{
    unsigned char raw[ENGINE_ID_LEN / 2];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < sizeof(raw); i++)
            raw[i] = (unsigned char) ((ts.tv_nsec >> (i % 8)) ^ (getpid() >> (i % 4)) ^ i);
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[ENGINE_ID_LEN] = '\0';
}

/* The record and the driver's storage, made in a scratch folder of the
 * store (locked before anyone can see it) and renamed into place at the
 * end.  The gc lock is held by the caller.  --rm containers are not
 * synced: they do not outlive a crash anyway. */
/* The name, claimed for the scratch folder (whose lock tells others that
 * its maker lives) and pointed at the id once the folder is in place. */
static int claim_name(struct engine *e, const struct engine_create_opts *o,
                      struct engine_container *c, const char *target, struct error **err)
{
    const char *name = o->name ? (*o->name == '/' ? o->name + 1 : o->name) : NULL;
    if (name == NULL)
        return names_generate(e, target, &c->name, err);
    int r = names_claim(e, name, target, err);
    if (r == 0 && (c->name = strdup(name)) == NULL) {
        names_release(e, name, target);
        return error_new(err, ENOMEM, "out of memory");
    }
    return r;
}

/* The folder, named and in place, with ENGINE_CREATING in it; *ret_lock
 * holds its flock until the caller has finished it. */
static int make_folder(struct engine *e, const struct engine_create_opts *o,
                       const struct storage_driver *d, struct image *im,
                       struct engine_container *c, int *ret_lock, struct error **err)
{
    cleanup_free char *name = NULL, *target = NULL;
    int tfd = -1;
    int r = store_tmp_new(e->store, &name, &tfd, err);
    if (r < 0)
        return error_wrap(err, "making the container's folder");
    if (asprintf(&target, "tmp/%s", name) < 0)
        r = error_new(err, ENOMEM, "out of memory");
    if (r == 0)
        r = claim_name(e, o, c, target, err);
    bool named = r == 0;
    if (r == 0)
        r = d->create(e->store, tfd, im->config->diff_ids, im->config->n_diff_ids, err);
    if (r == 0)
        r = engine_container_write_at(tfd, c, !engine_container_auto_remove(c), err);
    if (r == 0) {
        int fd = openat(tfd, ENGINE_CREATING, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            r = error_errno(err, "making the container's folder");
        else
            close(fd);
    }
    /* In place and named at once, for whoever judges the name's link
     * meanwhile (they hold the same lock). */
    cleanup_close int lock = r == 0 ? names_lock(e) : -1;
    if (r == 0 && lock < 0)
        r = error_errno(err, "locking `%s/names`", e->root);
    if (r == 0 && renameat(e->store->tmpfd, name, e->containersfd, c->id) < 0)
        r = error_errno(err, "making the container visible");
    if (r == 0 && (r = names_repoint(e, c->name, target, c->id, err)) < 0)
        renameat(e->containersfd, c->id, e->store->tmpfd, name);
    if (r < 0) {
        if (named)
            names_release(e, c->name, target);
        store_tmp_remove(e->store, name, tfd);
        return r;
    }
    *ret_lock = tfd;
    return 0;
}

/* ---- the bundle ------------------------------------------------------------------------ */

struct made {
    struct resolved_user user;
    char **env, **args, **bundle_args;
    char *hostname, *workdir, *init;
};

static void made_release(struct made *m)
{
    strv_free(m->env);
    strv_free(m->args);
    strv_free(m->bundle_args);
    free(m->hostname);
    free(m->workdir);
    free(m->init);
}

static int write_bundle(struct engine *e, const struct plan *p, const struct image_config *img,
                        const struct engine_container *c, struct made *m, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    cleanup_free char *cdir = engine_container_dir(e, c->id);
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    cleanup_close int rootfd = cdirfd < 0 ? -1
                                          : openat(cdirfd, STORAGE_ROOTFS,
                                                   O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0 || cdir == NULL)
        return error_errno(err, "opening the container's root");
    /* -w: made if missing, as docker does. */
    if (o->workdir) {
        cleanup_close int wfd = -1;
        int r = fs_mkdir_in_root(rootfd, o->workdir, 0755, &wfd, err);
        if (r < 0)
            return error_wrap(err, "-w `%s`", o->workdir);
    }
    struct etcfiles_params ep = {.hostname = m->hostname,
                                 .domainname = o->domainname,
                                 .host_network = p->host_network};
    struct netetc_hold hold = {0};
    int r = netetc_params(p->net, NULL, &ep, &hold, err);
    if (r == 0)
        r = etcfiles_write(cdirfd, &ep, err);
    netetc_release(&hold);
    if (r < 0)
        return r;
    char cg[ENGINE_ID_LEN + 8];
    snprintf(cg, sizeof(cg), "/cabin/%s", c->id);
    struct bundle_params bp = {
        .args = m->bundle_args,
        .env = m->env,
        .cwd = m->workdir,
        .tty = o->tty,
        .hostname = m->hostname,
        .domainname = o->domainname,
        .cgroups_path = cg,
        .uid = m->user.uid,
        .gid = m->user.gid,
        .groups = m->user.groups,
        .n_groups = m->user.n_groups,
        .caps = p->caps,
        .privileged = o->privileged,
        .read_only = o->read_only,
        .no_new_privileges = p->sec.no_new_privileges,
        .host_network = p->host_network,
        .seccomp = p->seccomp,
        .apparmor = p->sec.apparmor,
        .selinux_label = p->selinux_label,
        .res = p->res,
        .ulimits = p->ulimits,
        .n_ulimits = p->n_ulimits,
        .shm_size = p->shm_size,
        .etc_dir = cdir,
        .init_path = m->init,
    };
    /* A terminal starts with the size of ours, as docker's does. */
    struct winsize ws;
    for (int fd = 0; o->tty && fd < 3; fd++)
        if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
            bp.console_rows = ws.ws_row;
            bp.console_cols = ws.ws_col;
            break;
        }
    cleanup_json json_t *spec = NULL;
    if ((r = bundle_spec(&bp, &spec, err)) < 0)
        return r;
    /* The volumes and binds, and the namespace the start makes (netvol.h). */
    if ((r = netvol_create(e, c->id, cdirfd, rootfd, img, p->net, p->mounts, p->n_mounts, spec,
                           err)) < 0)
        return r;
    return json_write_file_at(cdirfd, "config.json", spec, JSON_COMPACT, 0600, err);
}

/* The process, environment, user and host name; then the bundle. */
static int prepare(struct engine *e, const struct plan *p, const struct image_config *img,
                   struct engine_container *c, struct made *m, struct error **err)
{
    const struct engine_create_opts *o = p->o;
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    cleanup_close int rootfd = cdirfd < 0 ? -1
                                          : openat(cdirfd, STORAGE_ROOTFS,
                                                   O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return error_errno(err, "opening the container's root");
    const char *user = o->user ? o->user : img->user;
    int r = user_resolve(rootfd, user, &m->user, err);
    if (r < 0)
        return o->user ? error_wrap(err, "-u `%s`", o->user) : r;
    char host[HOST_NAME_MAX + 1] = "";
    if (o->hostname)
        snprintf(host, sizeof(host), "%s", o->hostname);
    else if (p->host_network)
        gethostname(host, sizeof(host) - 1);
    else
        snprintf(host, sizeof(host), "%.12s", c->id);
    m->hostname = strdup(host);
    const char *wd = o->workdir ? o->workdir : img->working_dir;
    m->workdir = strdup(wd && *wd ? wd : "/");
    if (m->hostname == NULL || m->workdir == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if ((r = bundle_env(img, host, o->tty, m->user.home, p->env_lines, &m->env, err)) < 0)
        return r;
    if (o->init) {
        if ((r = monitor_program(e, "cabin-init", &m->init, err)) < 0)
            return error_wrap(err, "--init");
        strv_push(&m->bundle_args, BUNDLE_INIT_PATH);
        strv_push(&m->bundle_args, "--");
    }
    for (size_t i = 0; c->command[i]; i++)
        if (strv_push(&m->bundle_args, c->command[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    const char *shown_wd = o->workdir ? o->workdir : img->working_dir ? img->working_dir : "";
    json_decref(c->config);
    json_decref(c->host_config);
    c->config = make_config(p, img, host, m->env, c->command, user ? user : "", shown_wd);
    c->host_config = make_host_config(p);
    if (c->config == NULL || c->host_config == NULL ||
        netvol_records(c->config, c->host_config, img, p->net, &p->o->mnt, p->mounts,
                       p->n_mounts) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return write_bundle(e, p, img, c, m, err);
}

static int new_record(struct engine *e, const struct plan *p, struct image *im,
                      const struct storage_driver *d, struct engine_container **ret,
                      struct error **err)
{
    const struct engine_create_opts *o = p->o;
    cleanup_container struct engine_container *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    new_id(c->id);
    memcpy(c->image_id, im->id, DIGEST_BUF);
    c->image = strdup(o->image);
    c->driver = strdup(d->name);
    c->created = engine_now_ns();
    for (size_t i = 0; i < im->config->n_diff_ids; i++)
        if (strv_push(&c->layers, im->config->diff_ids[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    int r = bundle_args(im->config, o->entrypoint, o->cmd, &c->command, err);
    if (r < 0)
        return r;
    if (c->image == NULL || c->driver == NULL)
        return error_new(err, ENOMEM, "out of memory");
    /* A provisional record for the folder: Config and HostConfig come once
     * the root is there to resolve the user in. */
    c->config = json_object();
    c->host_config = json_pack("{s:b}", "AutoRemove", o->rm);
    *ret = steal_pointer(&c);
    return 0;
}

/* The image, which must be in the store by now (the front end pulls it
 * first when it has to, as docker's does). */
static int open_image(struct engine *e, const struct plan *p, struct image **ret,
                      struct error **err)
{
    const char *what = p->o->image;
    int r = image_open(e->store, what, ret, err);
    if (r < 0 && error_code(*err) == ENOENT)
        return error_new(err, ENOENT, "image `%s` not found locally (pull, load or import it)",
                         what);
    return r;
}

/* docker: the networks must exist when the container is made, and so must
 * the container whose network it shares. */
static int check_networks(struct engine *e, const struct net_request *net, struct error **err)
{
    if (net->mode == NET_MODE_CONTAINER) {
        cleanup_container struct engine_container *other = NULL;
        int r = engine_container_find(e, net->container, &other, err);
        return r < 0 ? error_wrap(err, "--network container:%s", net->container) : 0;
    }
    for (size_t i = 0; net->mode == NET_MODE_BRIDGE && net->networks && net->networks[i]; i++) {
        cleanup_network struct network *n = NULL;
        int r = network_load(e, net->networks[i], &n, err);
        if (r < 0)
            return error_wrap(err, "--network `%s`", net->networks[i]);
    }
    return 0;
}

int engine_container_create(struct engine *e, const struct engine_create_opts *o,
                            struct engine_container **ret, char ***warnings, struct error **err)
{
    struct plan p;
    int r = plan_make(&p, o, warnings, err);
    if (r == 0)
        r = check_networks(e, p.net, err);
    const struct storage_driver *d = NULL;
    if (r == 0)
        r = engine_driver(e, &d, err);
    if (r < 0) {
        plan_release(&p);
        return r;
    }
    cleanup_container struct engine_container *c = NULL;
    struct made m = {0};
    {
        /* From reading the image to recording the container, the layers
         * must not be collected. */
        cleanup_close int gc = -1;
        if ((r = store_lock_gc(e->store, LOCK_SH, &gc, err)) < 0)
            goto out;
        engine_containers_sweep(e);
        struct image *im = NULL;
        if ((r = open_image(e, &p, &im, err)) < 0)
            goto out;
        cleanup_close int mine = -1;
        r = new_record(e, &p, im, d, &c, err);
        if (r == 0 && (r = make_folder(e, o, d, im, c, &mine, err)) < 0) {
            image_free(im);
            goto out;
        }
        if (r == 0 && (r = engine_container_mount(e, c, err)) == 0 &&
            (r = prepare(e, &p, im->config, c, &m, err)) == 0 &&
            (r = engine_container_write(e, c, !o->rm, err)) == 0 &&
            unlinkat(mine, ENGINE_CREATING, 0) < 0)
            r = error_errno(err, "container %.12s: finishing its folder", c->id);
        image_free(im);
        /* The removal below takes the folder's lock through a file of its own. */
        if (mine >= 0)
            close(steal_fd(&mine));
        if (r < 0 && c) {
            /* Nothing of it stays: its folder (locked, as removal wants
             * it), its mount, its name. */
            cleanup_close int lock =
                openat(e->containersfd, c->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (lock >= 0 && flock(lock, LOCK_EX) == 0)
                engine_container_destroy(e, c, true, NULL);
            names_release(e, c->name, c->id);
        }
    }
out:
    made_release(&m);
    plan_release(&p);
    if (r < 0)
        return r;
    *ret = steal_pointer(&c);
    return 0;
}
