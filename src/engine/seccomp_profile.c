/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "engine/flags.h"
#include "runtime/seccomp_default.h"
#include "util/cleanup.h"
#include "util/json.h"

#define PROFILE_MAX (4u << 20)

/* docker's names for this machine's architecture, as archMap and
 * includes.arches write them. */
static const struct {
    const char *native, *scmp;
} arches[] = {
    {"amd64", "SCMP_ARCH_X86_64"},     {"x86", "SCMP_ARCH_X86"},
    {"x32", "SCMP_ARCH_X32"},          {"arm64", "SCMP_ARCH_AARCH64"},
    {"arm", "SCMP_ARCH_ARM"},          {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"ppc64", "SCMP_ARCH_PPC64"},      {"s390x", "SCMP_ARCH_S390X"},
    {"s390", "SCMP_ARCH_S390"},        {"riscv64", "SCMP_ARCH_RISCV64"},
    {"mips64", "SCMP_ARCH_MIPS64"},    {"mipsel64", "SCMP_ARCH_MIPSEL64"},
    {"mips64n32", "SCMP_ARCH_MIPS64N32"}, {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"},
};

static const char *native_scmp(void)
{
    const char *n = seccomp_default_native_arch();
    for (size_t i = 0; n && i < sizeof(arches) / sizeof(arches[0]); i++)
        if (strcmp(arches[i].native, n) == 0)
            return arches[i].scmp;
    return NULL;
}

static unsigned kernel_version(const char *s)
{
    unsigned major = 0, minor = 0;
    if (s == NULL || sscanf(s, "%u.%u", &major, &minor) < 1)
        return 0;
    return (major << 16) | minor;
}

static unsigned running_kernel(void)
{
    struct utsname u;
    return uname(&u) == 0 ? kernel_version(u.release) : 0;
}

/* Is the capability named `name` in `caps`? */
static bool has_cap(uint64_t caps, const char *name)
{
    int cap;
    const char *canon;
    if (name == NULL || flags_parse_cap("seccomp profile", name, &cap, &canon, NULL) < 0 ||
        cap >= FLAGS_CAP_ALL)
        return false;
    return (caps >> cap) & 1;
}

static bool string_in(const json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v) && s &&
                                       strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* moby's rule: every capability of includes.caps held, the architecture
 * in includes.arches, the kernel at least includes.minKernel; none of
 * excludes.caps held, the architecture not in excludes.arches. */
static bool applies(const json_t *rule, uint64_t caps, const char *arch, unsigned kernel)
{
    const json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(inc, "caps"), i, v) if (!has_cap(caps, json_string_value(v)))
        return false;
    const json_t *ia = json_object_get(inc, "arches");
    if (json_array_size(ia) > 0 && !string_in(ia, arch))
        return false;
    const char *mk = json_string_value(json_object_get(inc, "minKernel"));
    if (mk && kernel < kernel_version(mk))
        return false;
    json_array_foreach(json_object_get(exc, "caps"), i, v) if (has_cap(caps, json_string_value(v)))
        return false;
    if (string_in(json_object_get(exc, "arches"), arch))
        return false;
    return true;
}

static int architectures(const json_t *profile, const char *what, json_t *out,
                         struct error **err)
{
    const json_t *list = json_object_get(profile, "architectures");
    const json_t *map = json_object_get(profile, "archMap");
    if (list && json_expect(list, JSON_ARRAY, "architectures", err) < 0)
        return error_wrap(err, "%s", what);
    json_t *archs = list ? json_deep_copy(list) : json_array();
    json_object_set_new(out, "architectures", archs);
    const char *native = native_scmp();
    size_t i;
    json_t *m;
    json_array_foreach(map, i, m) {
        const char *a = json_string_value(json_object_get(m, "architecture"));
        if (a == NULL || native == NULL || strcmp(a, native) != 0)
            continue;
        json_array_append_new(archs, json_string(a));
        size_t k;
        json_t *sub;
        json_array_foreach(json_object_get(m, "subArchitectures"), k, sub) if (json_is_string(sub))
            json_array_append(archs, sub);
    }
    return 0;
}

int seccomp_profile_convert(const json_t *profile, uint64_t caps, const char *what,
                            json_t **ret, struct error **err)
{
    if (json_expect(profile, JSON_OBJECT, what, err) < 0)
        return -EINVAL;
    const char *def = NULL;
    int r = json_get_string(profile, "defaultAction", what, true, &def, err);
    if (r < 0)
        return r;
    cleanup_json json_t *out = json_object();
    json_object_set_new(out, "defaultAction", json_string(def));
    static const char *const copied[] = {"defaultErrnoRet", "flags", "listenerPath",
                                         "listenerMetadata"};
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
        json_t *v = json_object_get(profile, copied[i]);
        if (v)
            json_object_set(out, copied[i], v);
    }
    if ((r = architectures(profile, what, out, err)) < 0)
        return r;
    const char *arch = seccomp_default_native_arch();
    unsigned kernel = running_kernel();
    json_t *calls = json_array();
    json_object_set_new(out, "syscalls", calls);
    const json_t *rules = json_object_get(profile, "syscalls");
    if (rules && json_expect(rules, JSON_ARRAY, "syscalls", err) < 0)
        return error_wrap(err, "%s", what);
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule) {
        char where[64];
        snprintf(where, sizeof(where), "syscalls[%zu]", i);
        if (json_expect(rule, JSON_OBJECT, where, err) < 0)
            return error_wrap(err, "%s", what);
        if (!applies(rule, caps, arch, kernel))
            continue;
        const json_t *names = json_object_get(rule, "names");
        const char *name = json_string_value(json_object_get(rule, "name"));
        const char *action = NULL;
        if ((r = json_get_string(rule, "action", where, true, &action, err)) < 0)
            return error_wrap(err, "%s", what);
        if (!json_is_array(names) && name == NULL)
            return error_new(err, EINVAL, "%s: %s: names: missing", what, where);
        json_t *c = json_pack("{s:o, s:s}", "names",
                              json_is_array(names) ? json_deep_copy(names)
                                                   : json_pack("[s]", name),
                              "action", action);
        static const char *const keep[] = {"args", "errnoRet"};
        for (size_t k = 0; c && k < 2; k++) {
            json_t *v = json_object_get(rule, keep[k]);
            if (v && !json_is_null(v))
                json_object_set(c, keep[k], v);
        }
        if (c == NULL || json_array_append_new(calls, c) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&out);
    return 0;
}

int seccomp_profile_load(const char *path, uint64_t caps, json_t **ret, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(AT_FDCWD, path, PROFILE_MAX, &j, err);
    if (r < 0)
        return error_wrap(err, "--security-opt seccomp");
    char what[300];
    snprintf(what, sizeof(what), "seccomp profile `%s`", path);
    return seccomp_profile_convert(j, caps, what, ret, err);
}
