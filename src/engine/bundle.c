/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "engine/etcfiles.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

/* Docker's default capabilities. */
static const int default_caps[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,     CAP_MKNOD,
    CAP_NET_RAW, CAP_SETGID,       CAP_SETUID,           CAP_SETFCAP,    CAP_SETPCAP,
    CAP_NET_BIND_SERVICE,          CAP_SYS_CHROOT,       CAP_KILL,       CAP_AUDIT_WRITE,
};

static const char *const masked[] = {
    "/proc/asound",        "/proc/acpi",        "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",          "/sys/firmware",     "/sys/devices/virtual/powercap",
};

static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

uint64_t bundle_default_caps(void)
{
    uint64_t caps = 0;
    for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
        caps |= 1ull << default_caps[i];
    return caps;
}

static json_t *strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

#define STRINGS(v) strings(v, sizeof(v) / sizeof((v)[0]))

static json_t *strv_json(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* ---- process --------------------------------------------------------------- */

int bundle_args(const struct image_config *img, const char *entrypoint, char *const *cmd,
                char ***ret, struct error **err)
{
    cleanup_strv char **args = NULL;
    if (entrypoint) {
        if (*entrypoint && strv_push(&args, entrypoint) < 0)
            return error_new(err, ENOMEM, "out of memory");
    } else {
        for (size_t i = 0; img->entrypoint && img->entrypoint[i]; i++)
            if (strv_push(&args, img->entrypoint[i]) < 0)
                return error_new(err, ENOMEM, "out of memory");
    }
    /* docker: --entrypoint clears the image's Cmd. */
    char *const *tail = cmd ? cmd : entrypoint ? NULL : img->cmd;
    for (size_t i = 0; tail && tail[i]; i++)
        if (strv_push(&args, tail[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    if (args == NULL)
        return error_new(err, EINVAL,
                         "no command specified: the image has neither Entrypoint nor Cmd, and "
                         "none was given");
    *ret = steal_pointer(&args);
    return 0;
}

int bundle_env(const struct image_config *img, const char *hostname, bool tty, const char *home,
               char *const *env, char ***ret, struct error **err)
{
    cleanup_strv char **out = NULL;
    int r = 0;
    /* An image's entry that is not NAME=value is left out. */
    for (size_t i = 0; r == 0 && img->env && img->env[i]; i++)
        if ((r = strv_env_set(&out, img->env[i])) == -EINVAL)
            r = 0;
    if (r == 0 && !strv_env_get(out, "PATH"))
        r = strv_env_set(&out, "PATH=" BUNDLE_DEFAULT_PATH);
    char kv[512];
    snprintf(kv, sizeof(kv), "HOSTNAME=%s", hostname);
    if (r == 0)
        r = strv_env_set(&out, kv);
    if (r == 0 && tty && !strv_env_get(out, "TERM"))
        r = strv_env_set(&out, "TERM=xterm");
    if (r == 0 && !strv_env_get(out, "HOME")) {
        snprintf(kv, sizeof(kv), "HOME=%s", home && *home ? home : "/");
        r = strv_env_set(&out, kv);
    }
    for (size_t i = 0; r == 0 && env && env[i]; i++) {
        const char *e = env[i];
        if (*e == '=' || *e == '\0')
            return error_new(err, EINVAL, "-e `%s`: expected KEY=VALUE", e);
        if (strchr(e, '=')) {
            r = strv_env_set(&out, e);
        } else {
            /* docker: a bare name passes our value, or nothing. */
            const char *v = getenv(e);
            cleanup_free char *s = NULL;
            if (v && asprintf(&s, "%s=%s", e, v) > 0)
                r = strv_env_set(&out, s);
        }
    }
    if (r < 0)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&out);
    return 0;
}

static json_t *caps_json(uint64_t caps)
{
    json_t *a = json_array();
    for (int c = 0; c < FLAGS_CAP_ALL; c++) {
        const char *n = (caps >> c) & 1 ? flags_cap_name(c) : NULL;
        if (n)
            json_array_append_new(a, json_string(n));
    }
    return a;
}

static json_t *rlimits_json(const struct bundle_params *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->n_ulimits; i++) {
        const struct flags_ulimit *u = &p->ulimits[i];
        /* RLIM_INFINITY is all ones: as an unsigned 64-bit number. */
        json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "type",
                                           flags_rlimit_oci_name(u->resource), "soft",
                                           (json_int_t) u->soft, "hard", (json_int_t) u->hard));
    }
    return a;
}

static json_t *process_json(const struct bundle_params *p)
{
    json_t *groups = json_array();
    for (size_t i = 0; i < p->n_groups; i++)
        json_array_append_new(groups, json_integer(p->groups[i]));
    json_t *caps = caps_json(p->caps);
    json_t *process = json_pack(
        "{s:b, s:{s:I, s:I, s:o}, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:b}", "terminal", p->tty,
        "user", "uid", (json_int_t) p->uid, "gid", (json_int_t) p->gid, "additionalGids",
        groups, "args", strv_json(p->args), "env", strv_json(p->env), "cwd", p->cwd,
        "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
        "noNewPrivileges", p->no_new_privileges);
    json_decref(caps);
    if (process && p->tty && p->console_rows && p->console_cols)
        json_object_set_new(process, "consoleSize",
                            json_pack("{s:i, s:i}", "height", (int) p->console_rows, "width",
                                      (int) p->console_cols));
    if (process && p->n_ulimits)
        json_object_set_new(process, "rlimits", rlimits_json(p));
    if (process && p->apparmor)
        json_object_set_new(process, "apparmorProfile", json_string(p->apparmor));
    if (process && p->selinux_label)
        json_object_set_new(process, "selinuxLabel", json_string(p->selinux_label));
    return process;
}

/* ---- mounts ------------------------------------------------------------------ */

static json_t *mount(const char *dest, const char *type, const char *src, const char *opts)
{
    json_t *o = json_array();
    cleanup_free char *copy = strdup(opts);
    char *save = NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(o, json_string(t));
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src,
                     "options", o);
}

static json_t *etc_bind(const char *dir, const char *file, const char *dest)
{
    cleanup_free char *src = NULL;
    if (asprintf(&src, "%s/%s", dir, file) < 0)
        return NULL;
    return mount(dest, "bind", src, "rbind,rprivate");
}

static json_t *mounts_json(const struct bundle_params *p)
{
    json_t *m = json_array();
    char shm[64];
    snprintf(shm, sizeof(shm), "nosuid,noexec,nodev,mode=1777,size=%lldk",
             (long long) ((p->shm_size + 1023) / 1024));
    json_array_append_new(m, mount("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(m, mount("/dev", "tmpfs", "tmpfs",
                                   "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(m, mount("/dev/pts", "devpts", "devpts",
                                   "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
    json_array_append_new(m, mount("/sys", "sysfs", "sysfs",
                                   p->privileged ? "nosuid,noexec,nodev,rw"
                                                 : "nosuid,noexec,nodev,ro"));
    json_array_append_new(m, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                                   p->privileged ? "rw,nosuid,noexec,nodev,relatime"
                                                 : "ro,nosuid,noexec,nodev,relatime"));
    json_array_append_new(m, mount("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    json_array_append_new(m, mount("/dev/shm", "tmpfs", "shm", shm));
    if (p->etc_dir) {
        json_array_append_new(m, etc_bind(p->etc_dir, ETCFILES_RESOLV, "/etc/resolv.conf"));
        json_array_append_new(m, etc_bind(p->etc_dir, ETCFILES_HOSTNAME, "/etc/hostname"));
        json_array_append_new(m, etc_bind(p->etc_dir, ETCFILES_HOSTS, "/etc/hosts"));
    }
    if (p->init_path)
        json_array_append_new(m, mount(BUNDLE_INIT_PATH, "bind", p->init_path, "bind,ro"));
    size_t i;
    json_t *x;
    json_array_foreach(p->extra_mounts, i, x)
        json_array_append(m, x);
    return m;
}

/* ---- linux ------------------------------------------------------------------- */

static json_t *resources_json(const struct bundle_params *p)
{
    const struct bundle_resources *r = &p->res;
    json_t *res = json_object();
    json_t *mem = json_object();
    if (r->memory > 0)
        json_object_set_new(mem, "limit", json_integer(r->memory));
    if (r->memory_swap != 0)
        json_object_set_new(mem, "swap", json_integer(r->memory_swap));
    if (r->memory_reservation > 0)
        json_object_set_new(mem, "reservation", json_integer(r->memory_reservation));
    if (json_object_size(mem))
        json_object_set(res, "memory", mem);
    json_decref(mem);
    json_t *cpu = json_object();
    if (r->nano_cpus > 0) {
        /* docker: a period of 100 ms and the share of it. */
        json_object_set_new(cpu, "period", json_integer(100000));
        json_object_set_new(cpu, "quota", json_integer(r->nano_cpus * 100000 / 1000000000));
    }
    if (r->cpu_shares > 0)
        json_object_set_new(cpu, "shares", json_integer(r->cpu_shares));
    if (r->cpuset_cpus)
        json_object_set_new(cpu, "cpus", json_string(r->cpuset_cpus));
    if (r->cpuset_mems)
        json_object_set_new(cpu, "mems", json_string(r->cpuset_mems));
    if (json_object_size(cpu))
        json_object_set(res, "cpu", cpu);
    json_decref(cpu);
    if (r->pids_limit > 0)
        json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t) r->pids_limit));
    if (p->privileged)
        json_object_set_new(res, "devices", json_pack("[{s:b, s:s}]", "allow", 1, "access", "rwm"));
    return res;
}

/* The host's devices, for --privileged (as docker gives them). */
static void host_devices(const char *dir, int depth, json_t *out)
{
    static const char *const skip[] = {"pts", "shm", "mqueue", "hugepages", "fd", "core"};
    cleanup_closedir DIR *d = depth < 4 ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        bool skipped = false;
        for (size_t i = 0; depth == 0 && i < sizeof(skip) / sizeof(skip[0]); i++)
            skipped |= strcmp(de->d_name, skip[i]) == 0;
        char path[512];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (skipped || lstat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            host_devices(path, depth + 1, out);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 1)
                continue; /* /dev/console is the container's own */
            json_array_append_new(
                out, json_pack("{s:s, s:s, s:I, s:I, s:i, s:I, s:I}", "path", path, "type",
                               S_ISCHR(st.st_mode) ? "c" : "b", "major",
                               (json_int_t) major(st.st_rdev), "minor", (json_int_t) minor(st.st_rdev), "fileMode",
                               (int) (st.st_mode & 07777), "uid", (json_int_t) st.st_uid, "gid",
                               (json_int_t) st.st_gid));
        }
    }
}

static json_t *linux_json(const struct bundle_params *p)
{
    json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "ipc",
                           "type", "uts", "type", "mount", "type", "cgroup");
    if (!p->host_network)
        json_array_append_new(ns, json_pack("{s:s}", "type", "network"));
    json_t *lin = json_pack("{s:o, s:o, s:s}", "namespaces", ns, "resources", resources_json(p),
                            "cgroupsPath", p->cgroups_path);
    if (lin == NULL)
        return NULL;
    if (!p->privileged) {
        json_object_set_new(lin, "maskedPaths", STRINGS(masked));
        json_object_set_new(lin, "readonlyPaths", STRINGS(readonly));
    } else {
        json_t *devs = json_array();
        host_devices("/dev", 0, devs);
        json_object_set_new(lin, "devices", devs);
    }
    if (!p->host_network)
        /* docker's: any port, and ping, for any user of the container. */
        json_object_set_new(lin, "sysctl",
                            json_pack("{s:s, s:s}", "net.ipv4.ip_unprivileged_port_start", "0",
                                      "net.ipv4.ping_group_range", "0 2147483647"));
    if (p->seccomp)
        json_object_set(lin, "seccomp", p->seccomp);
    return lin;
}

int bundle_spec(const struct bundle_params *p, json_t **ret, struct error **err)
{
    json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion",
                             CABIN_OCI_VERSION, "process", process_json(p), "root", "path",
                             "rootfs", "readonly", p->read_only, "hostname", p->hostname,
                             "mounts", mounts_json(p), "linux", linux_json(p));
    if (spec == NULL)
        return error_new(err, ENOMEM, "making the container's config.json");
    if (p->domainname && *p->domainname)
        json_object_set_new(spec, "domainname", json_string(p->domainname));
    if (p->annotations && json_object_size(p->annotations))
        json_object_set(spec, "annotations", p->annotations);
    *ret = spec;
    return 0;
}
