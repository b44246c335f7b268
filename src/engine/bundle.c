/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

/* Docker's default capabilities. */
static const char *const default_caps[] = {
    "CAP_CHOWN",      "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",      "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP",    "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",       "CAP_AUDIT_WRITE",
};

static const char *const masked[] = {
    "/proc/asound",        "/proc/acpi",        "/proc/kcore",      "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",          "/sys/firmware",     "/sys/devices/virtual/powercap",
};

static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static json_t *strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

#define STRINGS(v) strings(v, sizeof(v) / sizeof((v)[0]))

static json_t *mount(const char *dest, const char *type, const char *src, const char *opts)
{
    json_t *o = json_array();
    cleanup_free char *copy = strdup(opts);
    for (char *t = copy ? strtok(copy, ",") : NULL; t; t = strtok(NULL, ","))
        json_array_append_new(o, json_string(t));
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src,
                     "options", o);
}

static json_t *mounts(void)
{
    json_t *m = json_array();
    json_array_append_new(m, mount("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(m, mount("/dev", "tmpfs", "tmpfs",
                                   "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(m, mount("/dev/pts", "devpts", "devpts",
                                   "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
    json_array_append_new(m, mount("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
    json_array_append_new(m, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                                   "ro,nosuid,noexec,nodev,relatime"));
    json_array_append_new(m, mount("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    json_array_append_new(m, mount("/dev/shm", "tmpfs", "shm",
                                   "nosuid,noexec,nodev,mode=1777,size=65536k"));
    return m;
}

int bundle_args(const struct image_config *img, char *const *cmd, char ***ret,
                struct error **err)
{
    cleanup_strv char **args = NULL;
    for (size_t i = 0; img->entrypoint && img->entrypoint[i]; i++)
        if (strv_push(&args, img->entrypoint[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    char *const *tail = cmd ? cmd : img->cmd;
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

static bool env_has(json_t *env, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *e = json_string_value(json_array_get(env, i));
        if (e && strncmp(e, key, n) == 0 && e[n] == '=')
            return true;
    }
    return false;
}

/* Set (replacing) KEY=VALUE in env. */
static void env_put(json_t *env, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t n = eq ? (size_t) (eq - kv) : strlen(kv);
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *e = json_string_value(json_array_get(env, i));
        if (e && strncmp(e, kv, n) == 0 && e[n] == '=') {
            json_array_set_new(env, i, json_string(kv));
            return;
        }
    }
    json_array_append_new(env, json_string(kv));
}

static int make_env(const struct bundle_params *p, json_t **ret, struct error **err)
{
    json_t *env = json_array();
    for (size_t i = 0; p->image->env && p->image->env[i]; i++)
        env_put(env, p->image->env[i]);
    if (!env_has(env, "PATH"))
        env_put(env, "PATH=" BUNDLE_DEFAULT_PATH);
    char kv[512];
    snprintf(kv, sizeof(kv), "HOSTNAME=%s", p->hostname);
    env_put(env, kv);
    if (p->tty && !env_has(env, "TERM"))
        env_put(env, "TERM=xterm");
    if (!env_has(env, "HOME")) {
        snprintf(kv, sizeof(kv), "HOME=%s", p->home && *p->home ? p->home : "/");
        env_put(env, kv);
    }
    for (size_t i = 0; p->env && p->env[i]; i++) {
        const char *e = p->env[i];
        if (*e == '=' || *e == '\0') {
            json_decref(env);
            return error_new(err, EINVAL, "-e `%s`: expected KEY=VALUE", e);
        }
        if (strchr(e, '=')) {
            env_put(env, e);
        } else {
            /* docker: a bare name passes our value, or nothing. */
            const char *v = getenv(e);
            cleanup_free char *s = NULL;
            if (v && asprintf(&s, "%s=%s", e, v) > 0)
                env_put(env, s);
        }
    }
    *ret = env;
    return 0;
}

int bundle_spec(const struct bundle_params *p, json_t **ret, struct error **err)
{
    cleanup_strv char **args = NULL;
    int r = bundle_args(p->image, p->cmd, &args, err);
    if (r < 0)
        return r;
    json_t *env = NULL;
    if ((r = make_env(p, &env, err)) < 0)
        return r;
    json_t *jargs = json_array();
    for (size_t i = 0; args[i]; i++)
        json_array_append_new(jargs, json_string(args[i]));
    json_t *groups = json_array();
    for (size_t i = 0; i < p->n_groups; i++)
        json_array_append_new(groups, json_integer(p->groups[i]));
    const char *cwd = p->image->working_dir && *p->image->working_dir ? p->image->working_dir
                                                                      : "/";
    json_t *caps = STRINGS(default_caps);
    json_t *process = json_pack(
        "{s:b, s:{s:I, s:I, s:o}, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:b}", "terminal", p->tty,
        "user", "uid", (json_int_t) p->uid, "gid", (json_int_t) p->gid, "additionalGids",
        groups, "args", jargs, "env", env, "cwd", cwd, "capabilities", "bounding", caps,
        "effective", caps, "permitted", caps, "noNewPrivileges", 0);
    json_decref(caps);
    json_t *namespaces = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid",
                                   "type", "network", "type", "ipc", "type", "uts", "type",
                                   "mount", "type", "cgroup");
    json_t *lin = json_pack("{s:o, s:o, s:o, s:s}", "namespaces", namespaces, "maskedPaths",
                            STRINGS(masked), "readonlyPaths", STRINGS(readonly), "cgroupsPath",
                            p->cgroups_path);
    json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion",
                             CABIN_OCI_VERSION, "process", process, "root", "path", "rootfs",
                             "readonly", 0, "hostname", p->hostname, "mounts", mounts(), "linux",
                             lin);
    if (spec == NULL)
        return error_new(err, ENOMEM, "making the container's config.json");
    *ret = spec;
    return 0;
}
