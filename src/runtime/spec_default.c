/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json that `cabin-runtime spec` writes: runc's default, with a
 * cgroup namespace (so the container sees its own cgroup as the root), and
 * the rootless variant that maps the caller's ids into a user namespace. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "runtime/seccomp_default.h"
#include "runtime/spec.h"

static json_t *mount(const char *dest, const char *type, const char *source, json_t *options)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source,
                     "options", options);
}

static json_t *default_mounts(bool rootless)
{
    json_t *m = json_array();
    json_array_append_new(m, json_pack("{s:s, s:s, s:s}", "destination", "/proc", "type", "proc",
                                       "source", "proc"));
    json_array_append_new(m, mount("/dev", "tmpfs", "tmpfs",
                                   json_pack("[s,s,s,s]", "nosuid", "strictatime", "mode=755",
                                             "size=65536k")));
    if (rootless)
        json_array_append_new(m, mount("/dev/pts", "devpts", "devpts",
                                       json_pack("[s,s,s,s,s]", "nosuid", "noexec",
                                                 "newinstance", "ptmxmode=0666", "mode=0620")));
    else
        json_array_append_new(m, mount("/dev/pts", "devpts", "devpts",
                                       json_pack("[s,s,s,s,s,s]", "nosuid", "noexec",
                                                 "newinstance", "ptmxmode=0666", "mode=0620",
                                                 "gid=5")));
    json_array_append_new(m, mount("/dev/shm", "tmpfs", "shm",
                                   json_pack("[s,s,s,s,s]", "nosuid", "noexec", "nodev",
                                             "mode=1777", "size=65536k")));
    json_array_append_new(m, mount("/dev/mqueue", "mqueue", "mqueue",
                                   json_pack("[s,s,s]", "nosuid", "noexec", "nodev")));
    if (rootless) {
        /* Without a network namespace of our own, sysfs cannot be mounted. */
        json_array_append_new(m, mount("/sys", "none", "/sys",
                                       json_pack("[s,s,s,s,s]", "rbind", "nosuid", "noexec",
                                                 "nodev", "ro")));
    } else {
        json_array_append_new(m, mount("/sys", "sysfs", "sysfs",
                                       json_pack("[s,s,s,s]", "nosuid", "noexec", "nodev", "ro")));
        json_array_append_new(m, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                                       json_pack("[s,s,s,s,s]", "nosuid", "noexec", "nodev",
                                                 "relatime", "ro")));
    }
    return m;
}

static json_t *caps(void)
{
    return json_pack("[s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
}

json_t *spec_default(bool rootless)
{
    json_t *process = json_pack(
        "{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:o, s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], "
        "s:b}",
        "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "cwd",
        "/", "capabilities", "bounding", caps(), "effective", caps(), "permitted", caps(),
        "ambient", caps(), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
        "noNewPrivileges", 1);

    json_t *namespaces = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid",
                                   "type", "network", "type", "ipc", "type", "uts", "type",
                                   "mount", "type", "cgroup");
    json_t *lin = json_pack(
        "{s:o, s:[s,s,s,s,s,s,s,s,s,s,s], s:[s,s,s,s,s]}", "namespaces", namespaces,
        "maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap", "readonlyPaths",
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    if (rootless) {
        json_array_clear(namespaces);
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "pid"));
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "ipc"));
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "uts"));
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "mount"));
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "cgroup"));
        json_array_append_new(namespaces, json_pack("{s:s}", "type", "user"));
        json_object_set_new(lin, "uidMappings",
                            json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                      (json_int_t) getuid(), "size", 1));
        json_object_set_new(lin, "gidMappings",
                            json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
                                      (json_int_t) getgid(), "size", 1));
    } else {
        json_object_set_new(lin, "resources",
                            json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
    }
    return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", CABIN_OCI_VERSION,
                     "process", process, "root", "path", "rootfs", "readonly", 1, "hostname",
                     "cabin", "mounts", default_mounts(rootless), "linux", lin);
}

int spec_set_default_seccomp(json_t *config, struct error **err)
{
    /* The capabilities as the runtime will read them: through the parser. */
    struct spec *s = NULL;
    int r = spec_from_json(config, &s, err);
    if (r < 0)
        return r;
    uint64_t bounding = s->process ? s->process->caps.bounding : 0;
    spec_free(s);
    json_t *lin = json_object_get(config, "linux");
    if (lin == NULL && json_object_set_new(config, "linux", json_object()) == 0)
        lin = json_object_get(config, "linux");
    json_t *profile = seccomp_default_profile(bounding);
    if (lin == NULL || profile == NULL || json_object_set_new(lin, "seccomp", profile) < 0)
        return error_new(err, ENOMEM, "making the default seccomp profile");
    return 0;
}

int spec_add_capability(json_t *config, const char *name, struct error **err)
{
    char upper[64];
    size_t n = strlen(name);
    if (n + 4 >= sizeof(upper))
        return error_new(err, EINVAL, "unknown capability `%s`", name);
    /* "sys_admin", "SYS_ADMIN" and "CAP_SYS_ADMIN" all name it. */
    bool prefixed = strncasecmp(name, "cap_", 4) == 0;
    snprintf(upper, sizeof(upper), "%s%s", prefixed ? "" : "CAP_", name);
    for (char *c = upper; *c; c++)
        *c = (char) toupper((unsigned char) *c);
    json_t *caps = json_object_get(json_object_get(config, "process"), "capabilities");
    if (!json_is_object(caps))
        return error_new(err, EINVAL, "process.capabilities: missing");
    static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        json_t *set = json_object_get(caps, sets[i]);
        if (!json_is_array(set))
            continue;
        bool have = false;
        for (size_t k = 0; k < json_array_size(set); k++)
            have = have || strcmp(json_string_value(json_array_get(set, k)), upper) == 0;
        if (!have && json_array_append_new(set, json_string(upper)) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    /* The parser knows every capability name of libcap: check it there. */
    struct spec *s = NULL;
    int r = spec_from_json(config, &s, err);
    spec_free(s);
    return r;
}
