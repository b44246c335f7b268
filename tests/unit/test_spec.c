/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of runtime/spec: spec_from_json() and spec_load() for every
 * field the parser handles.
 *
 * Most cases start from a minimal valid config.json (BASE below) and change
 * one or more members, addressed by a dotted path ("process.user.uid"), to a
 * JSON text; DEL removes the member.  Failures must name the field, return
 * -err->code and leave *ret untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/spec.h"
#include "util/json.h"
#include "util/strv.h"

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef MOUNT_ATTR_NOSUID
#define MOUNT_ATTR_NOSUID 0x00000002
#endif
#ifndef MOUNT_ATTR_NODEV
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_NOEXEC
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef MOUNT_ATTR__ATIME
#define MOUNT_ATTR__ATIME 0x00000070
#endif
#ifndef MOUNT_ATTR_NOATIME
#define MOUNT_ATTR_NOATIME 0x00000010
#endif
#ifndef MOUNT_ATTR_STRICTATIME
#define MOUNT_ATTR_STRICTATIME 0x00000020
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char BASE[] = "{"
                           "  \"ociVersion\": \"1.2.0\","
                           "  \"root\": {\"path\": \"rootfs\"},"
                           "  \"process\": {"
                           "    \"args\": [\"sh\"],"
                           "    \"cwd\": \"/\","
                           "    \"user\": {\"uid\": 0, \"gid\": 0}"
                           "  },"
                           "  \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}"
                           "}";

static const char DEL[] = "<delete>";

/* A sentinel for "*ret untouched". */
static struct spec sentinel_spec;
#define SENTINEL (&sentinel_spec)

/* Set (or with DEL remove) the member at dotted `path` to the JSON `value`,
 * making missing objects on the way. */
static void set_path(json_t *root, const char *path, const char *value)
{
    char *copy = strdup(path);
    assert_non_null(copy);
    json_t *obj = root;
    char *save = NULL;
    char *key = strtok_r(copy, ".", &save);
    for (char *next = strtok_r(NULL, ".", &save); next; next = strtok_r(NULL, ".", &save)) {
        json_t *child = json_object_get(obj, key);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(obj, key, child);
        }
        obj = child;
        key = next;
    }
    if (value == DEL) {
        json_object_del(obj, key);
    } else {
        json_error_t je;
        json_t *v = json_loads(value, JSON_DECODE_ANY, &je);
        if (v == NULL)
            print_error("bad test JSON for %s: `%s`: %s\n", path, value, je.text);
        assert_non_null(v);
        json_object_set_new(obj, key, v);
    }
    free(copy);
}

/* Collect the (path, value) pairs after `first`, up to the NULL that ends
 * them, into pairs[] (NULL-terminated). */
#define MAX_PAIRS 64
static void collect(const char **pairs, const char *first, va_list ap)
{
    size_t n = 0;
    pairs[n++] = first;
    if (first == NULL)
        return;
    for (;;) {
        assert_true(n + 2 < MAX_PAIRS);
        pairs[n++] = va_arg(ap, const char *); /* the value */
        const char *path = va_arg(ap, const char *);
        pairs[n++] = path;
        if (path == NULL)
            return;
    }
}

/* BASE with the pairs applied. */
static json_t *build(const char **pairs)
{
    json_error_t je;
    json_t *j = json_loads(BASE, 0, &je);
    assert_non_null(j);
    for (size_t i = 0; pairs[i]; i += 2)
        set_path(j, pairs[i], pairs[i + 1]);
    return j;
}

/* Parse BASE with changes; it must succeed.  Free with spec_free(). */
static struct spec *ok(const char *first, ...)
{
    const char *pairs[MAX_PAIRS];
    va_list ap;
    va_start(ap, first);
    collect(pairs, first, ap);
    va_end(ap);
    json_t *j = build(pairs);
    struct spec *s = SENTINEL;
    struct error *err = NULL;
    int r = spec_from_json(j, &s, &err);
    if (r < 0) {
        char *dump = json_dumps(j, JSON_COMPACT);
        print_error("spec_from_json(%s): %s\n", dump, err->msg);
        free(dump);
    }
    json_decref(j); /* the spec holds its own reference */
    assert_int_equal(r, 0);
    assert_null(err);
    assert_non_null(s);
    assert_ptr_not_equal(s, SENTINEL);
    return s;
}

/* Parse BASE with changes; it must fail with `code` (0: any) and a message
 * containing every `|`-separated part of `needles`. */
static void fail_with(int code, const char *needles, const char *first, ...)
{
    const char *pairs[MAX_PAIRS];
    va_list ap;
    va_start(ap, first);
    collect(pairs, first, ap);
    va_end(ap);
    json_t *j = build(pairs);
    struct spec *s = SENTINEL;
    struct error *err = NULL;
    int r = spec_from_json(j, &s, &err);
    char *dump = json_dumps(j, JSON_COMPACT);
    if (r >= 0) {
        print_error("spec_from_json(%s) succeeded, expected `%s`\n", dump, needles);
        if (s != SENTINEL)
            spec_free(s);
    }
    assert_true(r < 0);
    assert_non_null(err);
    /* The error contract. */
    assert_int_equal(r, -err->code);
    assert_ptr_equal(s, SENTINEL);
    if (code != 0 && err->code != code)
        print_error("%s: code %d (%s), want %d\n", dump, err->code, err->msg, code);
    if (code != 0)
        assert_int_equal(err->code, code);
    char *list = strdup(needles);
    char *save = NULL;
    for (char *needle = strtok_r(list, "|", &save); needle; needle = strtok_r(NULL, "|", &save)) {
        if (strstr(err->msg, needle) == NULL)
            print_error("%s:\n  message `%s`\n  does not contain `%s`\n", dump, err->msg, needle);
        assert_non_null(strstr(err->msg, needle));
    }
    free(list);
    free(dump);
    error_free(err);
    json_decref(j);
}

#define FAIL(code, needles, ...) fail_with(code, needles, __VA_ARGS__, NULL)
#define OK(...)                  ok(__VA_ARGS__, NULL)

/* Namespace lists used below. */
#define NS_MNT  "{\"type\": \"mount\"}"
#define NS_UTS  "{\"type\": \"uts\"}"
#define NS_IPC  "{\"type\": \"ipc\"}"
#define NS_NET  "{\"type\": \"network\"}"
#define NS_USER "{\"type\": \"user\"}"
#define NS_TIME "{\"type\": \"time\"}"
#define MAPS    "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]"

/* ---- the minimal config and the top level ------------------------------------ */

static void test_minimal(void **state)
{
    struct spec *s = ok(NULL);
    assert_string_equal(s->oci_version, "1.2.0");
    assert_string_equal(s->root_path, "rootfs");
    assert_false(s->root_readonly);
    assert_null(s->hostname);
    assert_null(s->domainname);
    assert_non_null(s->process);
    assert_int_equal(strv_length(s->process->args), 1);
    assert_string_equal(s->process->args[0], "sh");
    assert_null(s->process->env);
    assert_string_equal(s->process->cwd, "/");
    assert_int_equal(s->process->uid, 0);
    assert_int_equal(s->process->gid, 0);
    assert_false(s->process->has_umask);
    assert_false(s->process->terminal);
    assert_false(s->process->has_console_size);
    assert_false(s->process->caps.present);
    assert_int_equal(s->process->n_rlimits, 0);
    assert_false(s->process->no_new_privileges);
    assert_false(s->process->has_oom_score_adj);
    assert_null(s->process->apparmor_profile);
    assert_null(s->process->selinux_label);
    assert_int_equal(s->n_mounts, 0);
    for (int i = 0; i < SPEC_NS__COUNT; i++) {
        assert_int_equal(s->ns[i].enabled, i == SPEC_NS_MNT);
        assert_null(s->ns[i].path);
    }
    assert_int_equal(s->n_uid_mappings, 0);
    assert_int_equal(s->n_gid_mappings, 0);
    assert_int_equal(s->n_devices, 0);
    assert_int_equal(s->n_sysctls, 0);
    assert_null(s->masked_paths);
    assert_null(s->readonly_paths);
    assert_int_equal(s->rootfs_propagation, 0);
    assert_null(s->cgroups_path);
    assert_null(s->mount_label);
    assert_false(s->time_monotonic.set);
    assert_false(s->time_boottime.set);
    assert_null(s->resources);
    assert_null(s->seccomp);
    assert_null(s->hooks);
    assert_null(s->annotations);
    assert_non_null(s->json);
    spec_free(s);
}

static void test_not_an_object(void **state)
{
    json_t *j = json_array();
    struct spec *s = SENTINEL;
    struct error *err = NULL;
    int r = spec_from_json(j, &s, &err);
    assert_true(r < 0);
    assert_int_equal(r, -err->code);
    assert_ptr_equal(s, SENTINEL);
    assert_non_null(strstr(err->msg, "expected an object"));
    error_free(err);
    json_decref(j);
}

static void test_oci_version(void **state)
{
    FAIL(EINVAL, "ociVersion|missing", "ociVersion", DEL);
    FAIL(EINVAL, "ociVersion|2.0.0", "ociVersion", "\"2.0.0\"");
    FAIL(EINVAL, "ociVersion|0.9", "ociVersion", "\"0.9\"");
    FAIL(EINVAL, "ociVersion|`1`", "ociVersion", "\"1\"");
    FAIL(EINVAL, "ociVersion: expected a string", "ociVersion", "1");
    FAIL(EINVAL, "ociVersion|missing", "ociVersion", "null");
    struct spec *s = OK("ociVersion", "\"1.0.2-dev\"");
    assert_string_equal(s->oci_version, "1.0.2-dev");
    spec_free(s);
}

static void test_root(void **state)
{
    FAIL(EINVAL, "root|missing", "root", DEL);
    FAIL(EINVAL, "root: expected an object", "root", "\"rootfs\"");
    FAIL(EINVAL, "root.path|missing", "root.path", DEL);
    FAIL(EINVAL, "root.path", "root.path", "\"\"");
    FAIL(EINVAL, "root.path: expected a string", "root.path", "[]");
    FAIL(EINVAL, "root.readonly: expected a boolean", "root.readonly", "\"yes\"");
    struct spec *s = OK("root.readonly", "true", "root.path", "\"/abs/rootfs\"");
    assert_true(s->root_readonly);
    assert_string_equal(s->root_path, "/abs/rootfs");
    spec_free(s);
}

static void test_hostname_domainname(void **state)
{
    FAIL(EINVAL, "hostname|uts", "hostname", "\"h\"");
    FAIL(EINVAL, "hostname: expected a string", "hostname", "1", "linux.namespaces",
         "[" NS_MNT "," NS_UTS "]");
    FAIL(EINVAL, "domainname: expected a string", "domainname", "false", "linux.namespaces",
         "[" NS_MNT "," NS_UTS "]");
    struct spec *s = OK("hostname", "\"h\"", "domainname", "\"example.org\"", "linux.namespaces",
                        "[" NS_MNT "," NS_UTS "]");
    assert_string_equal(s->hostname, "h");
    assert_string_equal(s->domainname, "example.org");
    spec_free(s);
    /* An empty name sets nothing and needs nothing. */
    s = OK("hostname", "\"\"", "domainname", "\"\"");
    assert_null(s->hostname);
    assert_null(s->domainname);
    spec_free(s);
}

static void test_domainname_needs_uts(void **state)
{
    /* The error names the field that was given. */
    FAIL(EINVAL, "domainname|uts", "domainname", "\"example.org\"");
}

/* ---- process --------------------------------------------------------------- */

static void test_process_absent(void **state)
{
    struct spec *s = OK("process", DEL);
    assert_null(s->process);
    spec_free(s);
    s = OK("process", "null");
    assert_null(s->process);
    spec_free(s);
    FAIL(EINVAL, "process: expected an object", "process", "[]");
}

static void test_process_terminal_console(void **state)
{
    struct spec *s =
        OK("process.terminal", "true", "process.consoleSize", "{\"height\": 24, \"width\": 80}");
    assert_true(s->process->terminal);
    assert_true(s->process->has_console_size);
    assert_int_equal(s->process->console_height, 24);
    assert_int_equal(s->process->console_width, 80);
    spec_free(s);
    FAIL(EINVAL, "process.terminal: expected a boolean", "process.terminal", "1");
    FAIL(EINVAL, "process.consoleSize.height|missing", "process.consoleSize", "{\"width\": 80}");
    FAIL(EINVAL, "process.consoleSize.width|missing", "process.consoleSize", "{\"height\": 8}");
    FAIL(ERANGE, "process.consoleSize.width", "process.consoleSize",
         "{\"height\": 24, \"width\": 70000}");
    FAIL(ERANGE, "process.consoleSize.height", "process.consoleSize",
         "{\"height\": -1, \"width\": 1}");
    FAIL(EINVAL, "process.consoleSize: expected an object", "process.consoleSize", "[24, 80]");
}

static void test_process_args(void **state)
{
    FAIL(EINVAL, "process.args|missing", "process.args", DEL);
    FAIL(EINVAL, "process.args", "process.args", "[]");
    FAIL(EINVAL, "process.args[1]|expected a string", "process.args", "[\"sh\", 1]");
    FAIL(EINVAL, "process.args[0]", "process.args", "[null]");
    FAIL(EINVAL, "process.args|expected an array", "process.args", "\"sh -c true\"");
    struct spec *s = OK("process.args", "[\"/bin/sh\", \"-c\", \"echo hi\", \"\"]");
    assert_int_equal(strv_length(s->process->args), 4);
    assert_string_equal(s->process->args[2], "echo hi");
    assert_string_equal(s->process->args[3], "");
    spec_free(s);
}

static void test_process_env(void **state)
{
    struct spec *s = OK("process.env", "[\"PATH=/bin\", \"EMPTY=\", \"A=b=c\"]");
    assert_int_equal(strv_length(s->process->env), 3);
    assert_string_equal(s->process->env[0], "PATH=/bin");
    assert_string_equal(strv_env_get(s->process->env, "A"), "b=c");
    assert_string_equal(strv_env_get(s->process->env, "EMPTY"), "");
    spec_free(s);
    s = OK("process.env", "[]");
    assert_int_equal(strv_length(s->process->env), 0);
    spec_free(s);
    FAIL(EINVAL, "process.env[1]|NOVALUE|NAME=VALUE", "process.env", "[\"A=1\", \"NOVALUE\"]");
    FAIL(EINVAL, "process.env[0]|=x", "process.env", "[\"=x\"]");
    FAIL(EINVAL, "process.env[0]|expected a string", "process.env", "[1]");
    FAIL(EINVAL, "process.env|expected an array", "process.env", "{\"A\": \"1\"}");
}

static void test_process_cwd(void **state)
{
    FAIL(EINVAL, "process.cwd|`rel/dir`|absolute", "process.cwd", "\"rel/dir\"");
    FAIL(EINVAL, "process.cwd", "process.cwd", "\"\"");
    FAIL(EINVAL, "process.cwd|missing", "process.cwd", DEL);
    FAIL(EINVAL, "process.cwd: expected a string", "process.cwd", "7");
    struct spec *s = OK("process.cwd", "\"/a/./b/../c//\"");
    assert_string_equal(s->process->cwd, "/a/c");
    spec_free(s);
    s = OK("process.cwd", "\"/../..\"");
    assert_string_equal(s->process->cwd, "/");
    spec_free(s);
}

static void test_process_user(void **state)
{
    FAIL(EINVAL, "process.user|missing", "process.user", DEL);
    FAIL(EINVAL, "process.user: expected an object", "process.user", "0");
    FAIL(EINVAL, "process.user.uid|missing", "process.user.uid", DEL);
    FAIL(EINVAL, "process.user.gid|missing", "process.user.gid", DEL);
    FAIL(EINVAL, "process.user.uid: expected an unsigned integer, got string", "process.user.uid",
         "\"0\"");
    FAIL(EINVAL, "process.user.gid: expected an unsigned integer, got number", "process.user.gid",
         "1.5");
    FAIL(ERANGE, "process.user.uid|-1|out of range", "process.user.uid", "-1");
    FAIL(ERANGE, "process.user.uid|4294967296", "process.user.uid", "4294967296");
    FAIL(ERANGE, "process.user.gid", "process.user.gid", "-5");
    FAIL(ERANGE, "process.user.umask", "process.user.umask", "4096");
    FAIL(ERANGE, "process.user.umask", "process.user.umask", "-1");
    FAIL(EINVAL, "process.user.umask: expected an unsigned integer", "process.user.umask",
         "\"022\"");

    struct spec *s = OK("process.user", "{\"uid\": 4294967295, \"gid\": 1000, \"umask\": 18,"
                                        " \"additionalGids\": [5, 10, 4294967295]}");
    assert_int_equal(s->process->uid, 4294967295u);
    assert_int_equal(s->process->gid, 1000);
    assert_true(s->process->has_umask);
    assert_int_equal(s->process->umask, 022);
    assert_int_equal(s->process->n_additional_gids, 3);
    assert_int_equal(s->process->additional_gids[0], 5);
    assert_int_equal(s->process->additional_gids[1], 10);
    assert_int_equal(s->process->additional_gids[2], 4294967295u);
    spec_free(s);

    s = OK("process.user.umask", "0", "process.user.additionalGids", "[]");
    assert_true(s->process->has_umask);
    assert_int_equal(s->process->umask, 0);
    assert_int_equal(s->process->n_additional_gids, 0);
    spec_free(s);

    FAIL(EINVAL, "process.user.additionalGids[0]", "process.user.additionalGids", "[-1]");
    FAIL(EINVAL, "process.user.additionalGids[1]", "process.user.additionalGids", "[1, \"5\"]");
    FAIL(EINVAL, "process.user.additionalGids[0]", "process.user.additionalGids", "[4294967296]");
    FAIL(EINVAL, "process.user.additionalGids: expected an array", "process.user.additionalGids",
         "5");
}

static void test_process_capabilities(void **state)
{
    struct spec *s = OK("process.capabilities",
                        "{\"bounding\": [\"CAP_CHOWN\", \"cap_kill\", \"Cap_Sys_Admin\"],"
                        " \"effective\": [\"CAP_NET_BIND_SERVICE\"],"
                        " \"inheritable\": [],"
                        " \"permitted\": [\"CAP_KILL\", \"CAP_KILL\"],"
                        " \"ambient\": [\"cap_net_raw\"]}");
    const struct spec_caps *c = &s->process->caps;
    assert_true(c->present);
    assert_true(c->bounding ==
                ((1ULL << CAP_CHOWN) | (1ULL << CAP_KILL) | (1ULL << CAP_SYS_ADMIN)));
    assert_true(c->effective == (1ULL << CAP_NET_BIND_SERVICE));
    assert_true(c->inheritable == 0);
    assert_true(c->permitted == (1ULL << CAP_KILL));
    assert_true(c->ambient == (1ULL << CAP_NET_RAW));
    spec_free(s);

    /* Present but empty; sets left out are empty. */
    s = OK("process.capabilities", "{}");
    assert_true(s->process->caps.present);
    assert_true(s->process->caps.bounding == 0);
    assert_true(s->process->caps.ambient == 0);
    spec_free(s);

    FAIL(EINVAL, "process.capabilities.bounding|`CAP_FOO`", "process.capabilities",
         "{\"bounding\": [\"CAP_CHOWN\", \"CAP_FOO\"]}");
    FAIL(EINVAL, "process.capabilities.ambient|`CHOWN`", "process.capabilities",
         "{\"ambient\": [\"CHOWN\"]}");
    FAIL(EINVAL, "process.capabilities.effective|`cap_`", "process.capabilities",
         "{\"effective\": [\"cap_\"]}");
    FAIL(EINVAL, "process.capabilities.permitted", "process.capabilities",
         "{\"permitted\": "
         "[\"CAP_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}");
    FAIL(EINVAL, "process.capabilities.inheritable[0]|expected a string", "process.capabilities",
         "{\"inheritable\": [21]}");
    FAIL(EINVAL, "process.capabilities.bounding|expected an array", "process.capabilities",
         "{\"bounding\": \"CAP_CHOWN\"}");
    FAIL(EINVAL, "process.capabilities: expected an object", "process.capabilities",
         "[\"CAP_CHOWN\"]");
}

static void test_process_rlimits(void **state)
{
    struct spec *s =
        OK("process.rlimits", "[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 4096},"
                              " {\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 0},"
                              " {\"type\": \"RLIMIT_RTTIME\", \"soft\": 5, \"hard\": 5}]");
    assert_int_equal(s->process->n_rlimits, 3);
    assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
    assert_string_equal(s->process->rlimits[0].name, "RLIMIT_NOFILE");
    assert_true(s->process->rlimits[0].soft == 1024);
    assert_true(s->process->rlimits[0].hard == 4096);
    assert_int_equal(s->process->rlimits[1].resource, RLIMIT_CORE);
    assert_int_equal(s->process->rlimits[2].resource, RLIMIT_RTTIME);
    spec_free(s);

    FAIL(EINVAL, "process.rlimits[0].type|`RLIMIT_FOO`", "process.rlimits",
         "[{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]");
    FAIL(EINVAL, "process.rlimits[1]|RLIMIT_NOFILE|twice", "process.rlimits",
         "[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
         " {\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]");
    FAIL(EINVAL, "process.rlimits[0]|soft|RLIMIT_NPROC", "process.rlimits",
         "[{\"type\": \"RLIMIT_NPROC\", \"soft\": 10, \"hard\": 5}]");
    FAIL(EINVAL, "process.rlimits[0].hard|missing", "process.rlimits",
         "[{\"type\": \"RLIMIT_NPROC\", \"soft\": 10}]");
    FAIL(EINVAL, "process.rlimits[0].type|missing", "process.rlimits",
         "[{\"soft\": 1, \"hard\": 1}]");
    FAIL(ERANGE, "process.rlimits[0].soft", "process.rlimits",
         "[{\"type\": \"RLIMIT_NPROC\", \"soft\": -1, \"hard\": 1}]");
    FAIL(EINVAL, "process.rlimits[0]: expected an object", "process.rlimits", "[\"RLIMIT_CORE\"]");
    FAIL(EINVAL, "process.rlimits: expected an array", "process.rlimits", "{}");

    const char *name = NULL;
    assert_int_equal(spec_rlimit_from_name("RLIMIT_AS", &name), RLIMIT_AS);
    assert_string_equal(name, "RLIMIT_AS");
    assert_int_equal(spec_rlimit_from_name("RLIMIT_STACK", NULL), RLIMIT_STACK);
    assert_true(spec_rlimit_from_name("NOFILE", &name) < 0);
    assert_true(spec_rlimit_from_name("", NULL) < 0);
}

static void test_process_misc(void **state)
{
    struct spec *s = OK("process.noNewPrivileges", "true", "process.oomScoreAdj", "-1000",
                        "process.apparmorProfile", "\"my-profile\"", "process.selinuxLabel",
                        "\"system_u:system_r:container_t:s0\"");
    assert_true(s->process->no_new_privileges);
    assert_true(s->process->has_oom_score_adj);
    assert_int_equal(s->process->oom_score_adj, -1000);
    assert_string_equal(s->process->apparmor_profile, "my-profile");
    assert_string_equal(s->process->selinux_label, "system_u:system_r:container_t:s0");
    spec_free(s);

    s = OK("process.oomScoreAdj", "1000");
    assert_int_equal(s->process->oom_score_adj, 1000);
    spec_free(s);
    s = OK("process.oomScoreAdj", "0");
    assert_true(s->process->has_oom_score_adj);
    assert_int_equal(s->process->oom_score_adj, 0);
    spec_free(s);
    s = OK("process.apparmorProfile", "\"\"", "process.selinuxLabel", "\"\"");
    assert_null(s->process->apparmor_profile);
    assert_null(s->process->selinux_label);
    spec_free(s);

    FAIL(EINVAL, "process.noNewPrivileges: expected a boolean", "process.noNewPrivileges",
         "\"yes\"");
    FAIL(ERANGE, "process.oomScoreAdj|-1001", "process.oomScoreAdj", "-1001");
    FAIL(ERANGE, "process.oomScoreAdj|1001", "process.oomScoreAdj", "1001");
    FAIL(EINVAL, "process.oomScoreAdj: expected an integer", "process.oomScoreAdj", "\"5\"");
    FAIL(EINVAL, "process.apparmorProfile: expected a string", "process.apparmorProfile", "1");
    FAIL(EINVAL, "process.selinuxLabel: expected a string", "process.selinuxLabel", "{}");
}

/* ---- mounts ---------------------------------------------------------------- */

static void test_mounts_basic(void **state)
{
    struct spec *s = OK(
        "mounts", "[{\"destination\": \"/a/../b//c\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
                  " {\"destination\": \"/proc\", \"type\": \"proc\"},"
                  " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv\"}]");
    assert_int_equal(s->n_mounts, 3);
    assert_string_equal(s->mounts[0].destination, "/b/c");
    assert_string_equal(s->mounts[0].type, "tmpfs");
    assert_string_equal(s->mounts[0].source, "tmpfs");
    assert_false(s->mounts[0].bind);
    assert_null(s->mounts[0].data);
    assert_int_equal(s->mounts[0].flags, 0);
    assert_string_equal(s->mounts[1].destination, "/proc");
    assert_null(s->mounts[1].source);
    /* type "bind" is a bind mount even without the option. */
    assert_true(s->mounts[2].bind);
    assert_string_equal(s->mounts[2].source, "/srv");
    spec_free(s);

    s = OK("mounts", "[]");
    assert_int_equal(s->n_mounts, 0);
    spec_free(s);

    FAIL(EINVAL, "mounts[0].destination|`proc`|absolute", "mounts",
         "[{\"destination\": \"proc\", \"type\": \"proc\"}]");
    FAIL(EINVAL, "mounts[1].destination|missing", "mounts",
         "[{\"destination\": \"/proc\", \"type\": \"proc\"}, {\"type\": \"proc\"}]");
    FAIL(EINVAL, "mounts[0]|/x", "mounts", "[{\"destination\": \"/x\", \"source\": \"/y\"}]");
    FAIL(EINVAL, "mounts[0].source", "mounts",
         "[{\"destination\": \"/x\", \"options\": [\"rbind\"]}]");
    FAIL(EINVAL, "mounts[0].source", "mounts", "[{\"destination\": \"/x\", \"type\": \"bind\"}]");
    FAIL(EINVAL, "mounts[0].type: expected a string", "mounts",
         "[{\"destination\": \"/x\", \"type\": 1}]");
    FAIL(EINVAL, "mounts[0].options[1]", "mounts",
         "[{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"ro\", 1]}]");
    FAIL(EINVAL, "mounts[0]: expected an object", "mounts", "[\"/x\"]");
    FAIL(EINVAL, "mounts: expected an array", "mounts", "{}");
}

static struct spec_mount *one_mount(struct spec **ret, const char *options)
{
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "[{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": \"src\","
             " \"options\": %s}]",
             options);
    *ret = OK("mounts", buf);
    assert_int_equal((*ret)->n_mounts, 1);
    return &(*ret)->mounts[0];
}

static void test_mount_flags(void **state)
{
    struct spec *s;
    struct spec_mount *m;

    m = one_mount(&s, "[\"ro\", \"nosuid\", \"nodev\", \"noexec\", \"relatime\"]");
    assert_int_equal(m->flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
    assert_null(m->data);
    assert_false(m->bind);
    assert_int_equal(m->propagation, 0);
    assert_true(m->rec_set == 0 && m->rec_clear == 0);
    assert_int_equal(strv_length(m->options), 5);
    spec_free(s);

    m = one_mount(&s, "[\"ro\", \"rw\"]");
    assert_int_equal(m->flags & MS_RDONLY, 0);
    spec_free(s);

    m = one_mount(&s, "[\"noatime\"]");
    assert_int_equal(m->flags, MS_NOATIME);
    spec_free(s);
    m = one_mount(&s, "[\"strictatime\"]");
    assert_int_equal(m->flags, MS_STRICTATIME);
    spec_free(s);
    /* The last access-time option wins. */
    m = one_mount(&s, "[\"relatime\", \"noatime\"]");
    assert_int_equal(m->flags, MS_NOATIME);
    spec_free(s);
    m = one_mount(&s, "[\"noatime\", \"strictatime\"]");
    assert_int_equal(m->flags, MS_STRICTATIME);
    spec_free(s);

    m = one_mount(&s, "[\"defaults\", \"nosuid\", \"suid\", \"sync\", \"dirsync\"]");
    assert_int_equal(m->flags, MS_SYNCHRONOUS | MS_DIRSYNC);
    spec_free(s);

    m = one_mount(&s, "[\"nodiratime\", \"lazytime\", \"nosymfollow\"]");
    assert_int_equal(m->flags, MS_NODIRATIME | MS_LAZYTIME | MS_NOSYMFOLLOW);
    spec_free(s);

    m = one_mount(&s, "[]");
    assert_int_equal(m->flags, 0);
    assert_null(m->data);
    spec_free(s);
}

static void test_mount_bind(void **state)
{
    struct spec *s;
    struct spec_mount *m;
    m = one_mount(&s, "[\"bind\"]");
    assert_true(m->bind);
    assert_int_equal(m->flags, MS_BIND);
    spec_free(s);
    m = one_mount(&s, "[\"rbind\", \"ro\"]");
    assert_true(m->bind);
    assert_int_equal(m->flags, MS_BIND | MS_REC | MS_RDONLY);
    spec_free(s);

    /* No type, only the option. */
    s = OK("mounts", "[{\"destination\": \"/x\", \"source\": \"/y\", \"options\": [\"rbind\"]}]");
    assert_null(s->mounts[0].type);
    assert_true(s->mounts[0].bind);
    assert_int_equal(s->mounts[0].flags, MS_BIND | MS_REC);
    spec_free(s);
    /* An empty type is no type. */
    s = OK(
        "mounts",
        "[{\"destination\": \"/x\", \"type\": \"\", \"source\": \"/y\", \"options\": [\"bind\"]}]");
    assert_null(s->mounts[0].type);
    spec_free(s);
    FAIL(EINVAL, "mounts[0]", "mounts", "[{\"destination\": \"/x\", \"type\": \"\"}]");
}

static void test_mount_propagation(void **state)
{
    static const struct {
        const char *opt;
        unsigned long flags;
    } t[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char opts[64];
        snprintf(opts, sizeof(opts), "[\"nosuid\", \"%s\"]", t[i].opt);
        struct spec *s;
        struct spec_mount *m = one_mount(&s, opts);
        assert_int_equal(m->propagation, t[i].flags);
        /* Propagation is not a mount(2) flag of the mount itself. */
        assert_int_equal(m->flags, MS_NOSUID);
        assert_null(m->data);
        spec_free(s);
    }
}

static void test_mount_recursive_attrs(void **state)
{
    struct spec *s;
    struct spec_mount *m = one_mount(&s, "[\"rro\", \"rnosuid\"]");
    assert_true(m->rec_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
    assert_true(m->rec_clear == 0);
    assert_int_equal(m->flags, 0);
    assert_null(m->data);
    spec_free(s);

    m = one_mount(&s, "[\"rnodev\", \"rnoexec\", \"rrw\"]");
    assert_true(m->rec_set == (MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
    assert_true(m->rec_clear == MOUNT_ATTR_RDONLY);
    spec_free(s);

    /* Set then cleared: only cleared. */
    m = one_mount(&s, "[\"rro\", \"rrw\"]");
    assert_true(m->rec_set == 0);
    assert_true(m->rec_clear == MOUNT_ATTR_RDONLY);
    spec_free(s);
    m = one_mount(&s, "[\"rsuid\", \"rnosuid\"]");
    assert_true(m->rec_set == MOUNT_ATTR_NOSUID);
    assert_true(m->rec_clear == 0);
    spec_free(s);
}

static void test_mount_recursive_atime(void **state)
{
    /* mount_setattr(2) changes the access-time mode only when attr_clr holds
     * MOUNT_ATTR__ATIME; MOUNT_ATTR_RELATIME is 0, so "rrelatime" must show
     * up as rec_clear |= MOUNT_ATTR__ATIME or it is lost (and with it any
     * earlier "rnoatime"). */
    struct spec *s;
    struct spec_mount *m = one_mount(&s, "[\"rnoatime\"]");
    assert_true((m->rec_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME);
    spec_free(s);
    m = one_mount(&s, "[\"rnoatime\", \"rstrictatime\"]");
    assert_true((m->rec_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME);
    spec_free(s);

    m = one_mount(&s, "[\"rrelatime\"]");
    if ((m->rec_clear & MOUNT_ATTR__ATIME) != MOUNT_ATTR__ATIME)
        print_error("rrelatime: rec_set %#llx rec_clear %#llx: indistinguishable from no option\n",
                    (unsigned long long) m->rec_set, (unsigned long long) m->rec_clear);
    assert_true((m->rec_clear & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME);
    assert_true((m->rec_set & MOUNT_ATTR__ATIME) == 0);
    spec_free(s);
}

static void test_mount_data(void **state)
{
    struct spec *s;
    struct spec_mount *m =
        one_mount(&s, "[\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]");
    assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
    assert_non_null(m->data);
    assert_string_equal(m->data, "mode=755,size=65536k");
    spec_free(s);

    m = one_mount(&s, "[\"newinstance\", \"ro\", \"ptmxmode=0666\", \"gid=5\"]");
    assert_string_equal(m->data, "newinstance,ptmxmode=0666,gid=5");
    assert_int_equal(m->flags, MS_RDONLY);
    spec_free(s);

    /* Exposed for tests: spec_mount_parse_options() on its own. */
    struct spec_mount mm = {0};
    char *opts[] = {(char *) "rbind", (char *) "rprivate", (char *) "x-foo", (char *) "rro", NULL};
    mm.options = opts;
    struct error *err = NULL;
    assert_int_equal(spec_mount_parse_options(&mm, "mounts[9]", &err), 0);
    assert_true(mm.bind);
    assert_int_equal(mm.flags, MS_BIND | MS_REC);
    assert_int_equal(mm.propagation, MS_PRIVATE | MS_REC);
    assert_true(mm.rec_set == MOUNT_ATTR_RDONLY);
    assert_string_equal(mm.data, "x-foo");
    free(mm.data);

    struct spec_mount tb = {.type = (char *) "bind"};
    assert_int_equal(spec_mount_parse_options(&tb, "mounts[0]", &err), 0);
    assert_true(tb.bind);
}

static void test_mount_idmap(void **state)
{
    FAIL(ENOTSUP, "mounts[0]|idmap", "mounts",
         "[{\"destination\": \"/x\", \"source\": \"/y\", \"options\": [\"rbind\", \"idmap\"]}]");
    FAIL(ENOTSUP, "mounts[0]|ridmap", "mounts",
         "[{\"destination\": \"/x\", \"source\": \"/y\", \"options\": [\"rbind\", \"ridmap\"]}]");
    FAIL(ENOTSUP, "mounts[0]", "mounts",
         "[{\"destination\": \"/x\", \"source\": \"/y\", \"type\": \"bind\","
         " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}]");
    FAIL(ENOTSUP, "mounts[0]|tmpcopyup", "mounts",
         "[{\"destination\": \"/x\", \"type\": \"tmpfs\", \"options\": [\"tmpcopyup\"]}]");
}

/* ---- linux.namespaces, id mappings ------------------------------------------- */

static void test_namespaces_all(void **state)
{
    struct spec *s =
        OK("linux.namespaces",
           "[{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/var/run/netns/x\"},"
           " {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},"
           " {\"type\": \"user\"}, {\"type\": \"cgroup\"}, {\"type\": \"time\"}]",
           "linux.uidMappings", MAPS, "linux.gidMappings", MAPS);
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        assert_true(s->ns[i].enabled);
    assert_string_equal(s->ns[SPEC_NS_NET].path, "/var/run/netns/x");
    assert_null(s->ns[SPEC_NS_PID].path);
    spec_free(s);

    static const struct {
        enum spec_ns ns;
        const char *name, *proc;
        int flag;
    } t[] = {
        {SPEC_NS_PID, "pid", "pid", CLONE_NEWPID},
        {SPEC_NS_NET, "network", "net", CLONE_NEWNET},
        {SPEC_NS_MNT, "mount", "mnt", CLONE_NEWNS},
        {SPEC_NS_IPC, "ipc", "ipc", CLONE_NEWIPC},
        {SPEC_NS_UTS, "uts", "uts", CLONE_NEWUTS},
        {SPEC_NS_USER, "user", "user", CLONE_NEWUSER},
        {SPEC_NS_CGROUP, "cgroup", "cgroup", CLONE_NEWCGROUP},
        {SPEC_NS_TIME, "time", "time", CLONE_NEWTIME},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_string_equal(spec_ns_name(t[i].ns), t[i].name);
        assert_string_equal(spec_ns_proc_name(t[i].ns), t[i].proc);
        assert_int_equal(spec_ns_flag(t[i].ns), t[i].flag);
        /* Each one alone (user needs its mappings). */
        char ns[128];
        snprintf(ns, sizeof(ns), "[{\"type\": \"%s\"}]", t[i].name);
        s = OK("linux.namespaces", ns, "linux.uidMappings", t[i].ns == SPEC_NS_USER ? MAPS : DEL,
               "linux.gidMappings", t[i].ns == SPEC_NS_USER ? MAPS : DEL);
        for (int k = 0; k < SPEC_NS__COUNT; k++)
            assert_int_equal(s->ns[k].enabled, k == (int) t[i].ns);
        spec_free(s);
    }

    /* No namespaces at all. */
    s = OK("linux.namespaces", "[]");
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        assert_false(s->ns[i].enabled);
    spec_free(s);
    s = OK("linux", DEL);
    assert_false(s->ns[SPEC_NS_MNT].enabled);
    spec_free(s);
}

static void test_namespaces_errors(void **state)
{
    FAIL(EINVAL, "linux.namespaces[1].type|`pidd`", "linux.namespaces",
         "[{\"type\": \"mount\"}, {\"type\": \"pidd\"}]");
    FAIL(EINVAL, "linux.namespaces[0].type|`net`", "linux.namespaces", "[{\"type\": \"net\"}]");
    FAIL(EINVAL, "linux.namespaces[2]|`mount`|twice", "linux.namespaces",
         "[{\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"mount\"}]");
    FAIL(EINVAL, "linux.namespaces[0].path|`proc/1/ns/net`|absolute", "linux.namespaces",
         "[{\"type\": \"network\", \"path\": \"proc/1/ns/net\"}]");
    FAIL(EINVAL, "linux.namespaces[0].type|missing", "linux.namespaces",
         "[{\"path\": \"/proc/1/ns/net\"}]");
    FAIL(EINVAL, "linux.namespaces[0].type: expected a string", "linux.namespaces",
         "[{\"type\": 5}]");
    FAIL(EINVAL, "linux.namespaces[0]: expected an object", "linux.namespaces", "[\"pid\"]");
    FAIL(EINVAL, "linux.namespaces: expected an array", "linux.namespaces", "{\"pid\": {}}");
    FAIL(EINVAL, "linux: expected an object", "linux", "[]");
}

static void test_idmaps(void **state)
{
    struct spec *s = OK("linux.namespaces", "[" NS_MNT "," NS_USER "]", "linux.uidMappings",
                        "[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536},"
                        " {\"containerID\": 65536, \"hostID\": 4294967295, \"size\": 1}]",
                        "linux.gidMappings", MAPS);
    assert_int_equal(s->n_uid_mappings, 2);
    assert_int_equal(s->uid_mappings[0].container_id, 0);
    assert_int_equal(s->uid_mappings[0].host_id, 100000);
    assert_int_equal(s->uid_mappings[0].size, 65536);
    assert_int_equal(s->uid_mappings[1].container_id, 65536);
    assert_int_equal(s->uid_mappings[1].host_id, 4294967295u);
    assert_int_equal(s->n_gid_mappings, 1);
    assert_int_equal(s->gid_mappings[0].host_id, 1000);
    spec_free(s);

    /* Joining a user namespace: no mappings needed. */
    s = OK("linux.namespaces", "[" NS_MNT ", {\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]");
    assert_true(s->ns[SPEC_NS_USER].enabled);
    assert_string_equal(s->ns[SPEC_NS_USER].path, "/proc/1/ns/user");
    assert_int_equal(s->n_uid_mappings, 0);
    spec_free(s);

    FAIL(EINVAL, "linux.uidMappings|user namespace", "linux.uidMappings", MAPS, "linux.gidMappings",
         MAPS);
    FAIL(EINVAL, "uidMappings|gidMappings", "linux.namespaces", "[" NS_MNT "," NS_USER "]",
         "linux.uidMappings", MAPS);
    FAIL(EINVAL, "uidMappings|gidMappings", "linux.namespaces", "[" NS_MNT "," NS_USER "]",
         "linux.gidMappings", MAPS);
    FAIL(EINVAL, "uidMappings|gidMappings", "linux.namespaces", "[" NS_MNT "," NS_USER "]");
    FAIL(EINVAL, "linux.uidMappings[0].size", "linux.namespaces", "[" NS_USER "]",
         "linux.uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]",
         "linux.gidMappings", MAPS);
    FAIL(ERANGE, "linux.gidMappings[0].hostID", "linux.namespaces", "[" NS_USER "]",
         "linux.uidMappings", MAPS, "linux.gidMappings",
         "[{\"containerID\": 0, \"hostID\": -1, \"size\": 1}]");
    FAIL(ERANGE, "linux.uidMappings[0].containerID", "linux.namespaces", "[" NS_USER "]",
         "linux.uidMappings", "[{\"containerID\": 4294967296, \"hostID\": 1, \"size\": 1}]",
         "linux.gidMappings", MAPS);
    FAIL(EINVAL, "linux.uidMappings[0].hostID|missing", "linux.namespaces", "[" NS_USER "]",
         "linux.uidMappings", "[{\"containerID\": 0, \"size\": 1}]", "linux.gidMappings", MAPS);
    FAIL(EINVAL, "linux.uidMappings: expected an array", "linux.namespaces", "[" NS_USER "]",
         "linux.uidMappings", "{}", "linux.gidMappings", MAPS);
}

static void test_gid_mappings_without_userns_named(void **state)
{
    /* Only gidMappings given, no user namespace: the error names gidMappings. */
    FAIL(EINVAL, "linux.gidMappings|user namespace", "linux.gidMappings", MAPS);
}

/* ---- linux.devices ----------------------------------------------------------- */

static void test_devices(void **state)
{
    struct spec *s =
        OK("linux.devices",
           "[{\"path\": \"/dev//fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,"
           "  \"fileMode\": 438, \"uid\": 0, \"gid\": 5},"
           " {\"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0},"
           " {\"path\": \"/dev/u\", \"type\": \"u\", \"major\": 4095, \"minor\": 1048575},"
           " {\"path\": \"/dev/fifo\", \"type\": \"p\"}]");
    assert_int_equal(s->n_devices, 4);
    const struct spec_device *d = s->devices;
    assert_string_equal(d[0].path, "/dev/fuse");
    assert_int_equal(d[0].type, 'c');
    assert_int_equal(d[0].major, 10);
    assert_int_equal(d[0].minor, 229);
    assert_true(d[0].has_mode);
    assert_int_equal(d[0].mode, 0666);
    assert_true(d[0].has_uid);
    assert_int_equal(d[0].uid, 0);
    assert_true(d[0].has_gid);
    assert_int_equal(d[0].gid, 5);
    assert_int_equal(d[1].type, 'b');
    assert_false(d[1].has_mode);
    assert_false(d[1].has_uid);
    assert_false(d[1].has_gid);
    assert_int_equal(d[2].type, 'u');
    assert_int_equal(d[2].major, 4095);
    assert_int_equal(d[2].minor, 1048575);
    assert_int_equal(d[3].type, 'p');
    spec_free(s);

    FAIL(EINVAL, "linux.devices[0].type|`x`", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].type|`cb`", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"cb\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].type", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].type|missing", "linux.devices",
         "[{\"path\": \"/dev/x\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].major|missing", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[1].minor|missing", "linux.devices",
         "[{\"path\": \"/dev/p\", \"type\": \"p\"}, {\"path\": \"/dev/x\", \"type\": \"b\", "
         "\"major\": 1}]");
    FAIL(ERANGE, "linux.devices[0]|4096", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 4096, \"minor\": 1}]");
    FAIL(ERANGE, "linux.devices[0]|1048576", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1048576}]");
    FAIL(ERANGE, "linux.devices[0]|-1", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": -1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].major: expected an integer", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": \"1\", \"minor\": 1}]");
    FAIL(ERANGE, "linux.devices[0].fileMode", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1, \"fileMode\": "
         "4096}]");
    FAIL(ERANGE, "linux.devices[0].uid", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1, \"uid\": -1}]");
    FAIL(ERANGE, "linux.devices[0].gid", "linux.devices",
         "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1, \"gid\": "
         "4294967296}]");
    FAIL(EINVAL, "linux.devices[0].path|`dev/x`|absolute", "linux.devices",
         "[{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0].path|missing", "linux.devices",
         "[{\"type\": \"c\", \"major\": 1, \"minor\": 1}]");
    FAIL(EINVAL, "linux.devices[0]: expected an object", "linux.devices", "[1]");
    FAIL(EINVAL, "linux.devices: expected an array", "linux.devices", "{}");
}

/* ---- linux.sysctl ------------------------------------------------------------- */

static void test_sysctl_accepted(void **state)
{
    struct spec *s =
        OK("linux.namespaces", "[" NS_MNT "," NS_NET "," NS_IPC "," NS_UTS "]", "linux.sysctl",
           "{\"net.ipv4.ip_forward\": \"1\", \"net.core.somaxconn\": \"1024\","
           " \"kernel.shmmax\": \"68719476736\", \"kernel.shmall\": \"1\","
           " \"kernel.shmmni\": \"1\", \"kernel.shm_rmid_forced\": \"1\","
           " \"kernel.msgmax\": \"8192\", \"kernel.msgmnb\": \"1\","
           " \"kernel.msgmni\": \"1\", \"kernel.sem\": \"250 32000 32 128\","
           " \"fs.mqueue.msg_max\": \"10\", \"kernel.hostname\": \"h\","
           " \"kernel.domainname\": \"d\"}");
    assert_int_equal(s->n_sysctls, 13);
    bool found = false;
    for (size_t i = 0; i < s->n_sysctls; i++)
        if (strcmp(s->sysctls[i].key, "kernel.sem") == 0) {
            assert_string_equal(s->sysctls[i].value, "250 32000 32 128");
            found = true;
        }
    assert_true(found);
    spec_free(s);

    /* Each family with just its own namespace. */
    s = OK("linux.namespaces", "[" NS_NET "]", "linux.sysctl", "{\"net.ipv4.ip_forward\": \"1\"}");
    assert_int_equal(s->n_sysctls, 1);
    assert_string_equal(s->sysctls[0].key, "net.ipv4.ip_forward");
    assert_string_equal(s->sysctls[0].value, "1");
    spec_free(s);
    s = OK("linux.namespaces", "[" NS_IPC "]", "linux.sysctl",
           "{\"kernel.msgmax\": \"1\", \"fs.mqueue.queues_max\": \"1\"}");
    spec_free(s);
    s = OK("linux.namespaces", "[" NS_UTS "]", "linux.sysctl", "{\"kernel.hostname\": \"x\"}");
    spec_free(s);
    s = OK("linux.sysctl", "{}");
    assert_int_equal(s->n_sysctls, 0);
    spec_free(s);
}

static void test_sysctl_refused(void **state)
{
    FAIL(EPERM, "linux.sysctl|`net.ipv4.ip_forward`|network", "linux.sysctl",
         "{\"net.ipv4.ip_forward\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`kernel.shmmax`|ipc", "linux.sysctl", "{\"kernel.shmmax\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`kernel.msgmax`|ipc", "linux.namespaces", "[" NS_NET "]",
         "linux.sysctl", "{\"kernel.msgmax\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`kernel.sem`|ipc", "linux.sysctl", "{\"kernel.sem\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`fs.mqueue.msg_max`|ipc", "linux.sysctl",
         "{\"fs.mqueue.msg_max\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`kernel.hostname`|uts", "linux.namespaces", "[" NS_IPC "]",
         "linux.sysctl", "{\"kernel.hostname\": \"h\"}");
    /* Not namespaced at all: refused whatever the namespaces. */
    const char *all = "[" NS_MNT "," NS_NET "," NS_IPC "," NS_UTS "]";
    FAIL(EPERM, "linux.sysctl|`kernel.panic`", "linux.namespaces", all, "linux.sysctl",
         "{\"kernel.panic\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`vm.swappiness`", "linux.namespaces", all, "linux.sysctl",
         "{\"vm.swappiness\": \"10\"}");
    FAIL(EPERM, "linux.sysctl|`kernel.shm`", "linux.namespaces", all, "linux.sysctl",
         "{\"kernel.shm\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`fs.file-max`", "linux.namespaces", all, "linux.sysctl",
         "{\"fs.file-max\": \"1\"}");
    FAIL(EPERM, "linux.sysctl|`network.x`", "linux.namespaces", all, "linux.sysctl",
         "{\"network.x\": \"1\"}");
    /* Bad keys and values. */
    /* runc takes keys in path form too; they follow the same rules. */
    FAIL(EPERM, "linux.sysctl|`kernel/panic`", "linux.namespaces", all, "linux.sysctl",
         "{\"kernel/panic\": \"1\"}");
    FAIL(EINVAL, "linux.sysctl|`/net/x`", "linux.namespaces", all, "linux.sysctl",
         "{\"/net/x\": \"1\"}");
    FAIL(EINVAL, "linux.sysctl|`net/../kernel/panic`", "linux.namespaces", all, "linux.sysctl",
         "{\"net/../kernel/panic\": \"1\"}");
    FAIL(EINVAL, "linux.sysctl|`net..x`", "linux.namespaces", all, "linux.sysctl",
         "{\"net..x\": \"1\"}");
    FAIL(EINVAL, "linux.sysctl", "linux.namespaces", all, "linux.sysctl", "{\"\": \"1\"}");
    FAIL(EINVAL, "linux.sysctl.net.ipv4.ip_forward: expected a string", "linux.namespaces", all,
         "linux.sysctl", "{\"net.ipv4.ip_forward\": 1}");
    FAIL(EINVAL, "linux.sysctl: expected an object", "linux.sysctl", "[\"net.x=1\"]");
}

/* ---- masked/readonly paths, propagation, time offsets ------------------------- */

static void test_masked_readonly_paths(void **state)
{
    struct spec *s = OK("linux.maskedPaths", "[\"/proc/kcore\", \"/sys/firmware\"]",
                        "linux.readonlyPaths", "[\"/proc/sys\"]");
    assert_int_equal(strv_length(s->masked_paths), 2);
    assert_string_equal(s->masked_paths[1], "/sys/firmware");
    assert_int_equal(strv_length(s->readonly_paths), 1);
    assert_string_equal(s->readonly_paths[0], "/proc/sys");
    spec_free(s);

    FAIL(EINVAL, "linux.maskedPaths[1]|`proc/keys`", "linux.maskedPaths",
         "[\"/proc/kcore\", \"proc/keys\"]");
    FAIL(EINVAL, "linux.readonlyPaths[0]|`sys`", "linux.readonlyPaths", "[\"sys\"]");
    FAIL(EINVAL, "linux.readonlyPaths[0]", "linux.readonlyPaths", "[\"\"]");
    FAIL(EINVAL, "linux.maskedPaths[0]|expected a string", "linux.maskedPaths", "[1]");
    FAIL(EINVAL, "linux.maskedPaths|expected an array", "linux.maskedPaths", "\"/proc\"");
}

static void test_rootfs_propagation(void **state)
{
    static const struct {
        const char *v;
        unsigned long flags;
    } t[] = {
        {"\"private\"", MS_PRIVATE},
        {"\"rprivate\"", MS_PRIVATE | MS_REC},
        {"\"shared\"", MS_SHARED},
        {"\"rshared\"", MS_SHARED | MS_REC},
        {"\"slave\"", MS_SLAVE},
        {"\"rslave\"", MS_SLAVE | MS_REC},
        {"\"unbindable\"", MS_UNBINDABLE},
        {"\"runbindable\"", MS_UNBINDABLE | MS_REC},
        {"\"\"", 0},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct spec *s = OK("linux.rootfsPropagation", t[i].v);
        assert_int_equal(s->rootfs_propagation, t[i].flags);
        spec_free(s);
    }
    FAIL(EINVAL, "linux.rootfsPropagation|`bogus`", "linux.rootfsPropagation", "\"bogus\"");
    FAIL(EINVAL, "linux.rootfsPropagation|`PRIVATE`", "linux.rootfsPropagation", "\"PRIVATE\"");
    FAIL(EINVAL, "linux.rootfsPropagation: expected a string", "linux.rootfsPropagation", "1");
}

static void test_time_offsets(void **state)
{
    struct spec *s = OK("linux.namespaces", "[" NS_MNT "," NS_TIME "]", "linux.timeOffsets",
                        "{\"monotonic\": {\"secs\": 10, \"nanosecs\": 5},"
                        " \"boottime\": {\"secs\": -3}}");
    assert_true(s->time_monotonic.set);
    assert_int_equal(s->time_monotonic.secs, 10);
    assert_int_equal(s->time_monotonic.nanosecs, 5);
    assert_true(s->time_boottime.set);
    assert_int_equal(s->time_boottime.secs, -3);
    assert_int_equal(s->time_boottime.nanosecs, 0);
    spec_free(s);

    FAIL(EINVAL, "linux.timeOffsets|time namespace", "linux.timeOffsets",
         "{\"monotonic\": {\"secs\": 10}}");
    FAIL(EINVAL, "linux.timeOffsets|time namespace", "linux.namespaces",
         "[{\"type\": \"time\", \"path\": \"/proc/1/ns/time\"}]", "linux.timeOffsets",
         "{\"boottime\": {\"secs\": 10}}");
    FAIL(EINVAL, "linux.timeOffsets|`realtime`", "linux.namespaces", "[" NS_TIME "]",
         "linux.timeOffsets", "{\"realtime\": {\"secs\": 10}}");
    FAIL(ERANGE, "linux.timeOffsets.monotonic.nanosecs", "linux.namespaces", "[" NS_TIME "]",
         "linux.timeOffsets", "{\"monotonic\": {\"nanosecs\": 1000000000}}");
    FAIL(EINVAL, "linux.timeOffsets.boottime.secs: expected an integer", "linux.namespaces",
         "[" NS_TIME "]", "linux.timeOffsets", "{\"boottime\": {\"secs\": \"1\"}}");
    FAIL(EINVAL, "linux.timeOffsets.boottime: expected an object", "linux.namespaces",
         "[" NS_TIME "]", "linux.timeOffsets", "{\"boottime\": 1}");
    FAIL(EINVAL, "linux.timeOffsets: expected an object", "linux.namespaces", "[" NS_TIME "]",
         "linux.timeOffsets", "[]");
}

/* ---- raw parts ---------------------------------------------------------------- */

static void test_raw_parts(void **state)
{
    json_error_t je;
    json_t *j = json_loads(BASE, 0, &je);
    assert_non_null(j);
    set_path(j, "linux.resources", "{\"memory\": {\"limit\": 1048576}}");
    set_path(j, "linux.seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
    set_path(j, "linux.cgroupsPath", "\"/cabin/x\"");
    set_path(j, "linux.mountLabel", "\"system_u:object_r:container_file_t:s0\"");
    set_path(j, "hooks", "{\"prestart\": [{\"path\": \"/bin/true\"}]}");
    set_path(j, "annotations", "{\"org.example.key\": \"value\", \"b\": \"\"}");
    struct spec *s = NULL;
    struct error *err = NULL;
    assert_int_equal(spec_from_json(j, &s, &err), 0);
    /* The raw parts point into the document... */
    assert_ptr_equal(s->resources, json_object_get(json_object_get(j, "linux"), "resources"));
    assert_ptr_equal(s->seccomp, json_object_get(json_object_get(j, "linux"), "seccomp"));
    assert_ptr_equal(s->hooks, json_object_get(j, "hooks"));
    assert_ptr_equal(s->annotations, json_object_get(j, "annotations"));
    assert_ptr_equal(s->json, j);
    assert_string_equal(s->cgroups_path, "/cabin/x");
    assert_string_equal(s->mount_label, "system_u:object_r:container_file_t:s0");
    /* ...which the spec keeps alive on its own reference. */
    json_decref(j);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(s->resources, "memory"), "limit")),
        1048576);
    assert_string_equal(json_string_value(json_object_get(s->annotations, "org.example.key")),
                        "value");
    assert_string_equal(json_string_value(json_object_get(s->seccomp, "defaultAction")),
                        "SCMP_ACT_ALLOW");
    assert_true(json_is_array(json_object_get(s->hooks, "prestart")));
    spec_free(s);

    FAIL(EINVAL, "annotations.org.example.n|expected a string", "annotations",
         "{\"ok\": \"x\", \"org.example.n\": 1}");
    FAIL(EINVAL, "annotations: expected an object", "annotations", "[]");
    FAIL(EINVAL, "linux.resources: expected an object", "linux.resources", "[]");
    FAIL(EINVAL, "linux.seccomp: expected an object", "linux.seccomp", "\"unconfined\"");
    FAIL(EINVAL, "hooks: expected an object", "hooks", "[]");
    FAIL(EINVAL, "linux.cgroupsPath: expected a string", "linux.cgroupsPath", "1");
    FAIL(EINVAL, "linux.mountLabel: expected a string", "linux.mountLabel", "1");
}

/* ---- spec_load ------------------------------------------------------------------ */

struct bundle {
    char dir[64];
    int fd;
};

static void bundle_open(struct bundle *b)
{
    snprintf(b->dir, sizeof(b->dir), "/tmp/cabin-spec-XXXXXX");
    assert_non_null(mkdtemp(b->dir));
    b->fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(b->fd >= 0);
}

static void bundle_write(struct bundle *b, const char *name, const char *text, size_t len)
{
    int fd = openat(b->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t) len);
    close(fd);
}

static void bundle_close(struct bundle *b)
{
    unlinkat(b->fd, "config.json", 0);
    unlinkat(b->fd, "other.json", 0);
    close(b->fd);
    assert_int_equal(rmdir(b->dir), 0);
}

static void test_load(void **state)
{
    struct bundle b;
    bundle_open(&b);
    bundle_write(&b, "config.json", BASE, strlen(BASE));
    struct spec *s = NULL;
    struct error *err = NULL;
    assert_int_equal(spec_load(b.fd, "config.json", &s, &err), 0);
    assert_null(err);
    assert_string_equal(s->root_path, "rootfs");
    spec_free(s);

    /* A bad field: the message starts with the file name. */
    const char *bad = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"},"
                      " \"process\": {\"args\": [\"sh\"], \"cwd\": \"tmp\","
                      " \"user\": {\"uid\": 0, \"gid\": 0}}}";
    bundle_write(&b, "other.json", bad, strlen(bad));
    s = SENTINEL;
    int r = spec_load(b.fd, "other.json", &s, &err);
    assert_int_equal(r, -EINVAL);
    assert_int_equal(r, -err->code);
    assert_ptr_equal(s, SENTINEL);
    assert_non_null(strstr(err->msg, "other.json: process.cwd"));
    error_free(err);
    err = NULL;

    /* Missing file. */
    r = spec_load(b.fd, "missing.json", &s, &err);
    assert_int_equal(r, -ENOENT);
    assert_ptr_equal(s, SENTINEL);
    assert_non_null(strstr(err->msg, "missing.json"));
    error_free(err);
    bundle_close(&b);
}

static void test_load_malformed(void **state)
{
    struct bundle b;
    bundle_open(&b);
    /* Line 4, column 13: the stray ']' after "sh". */
    const char *text = "{\n"
                       "  \"ociVersion\": \"1.2.0\",\n"
                       "  \"process\": {\n"
                       "    \"args\": ]\"sh\"]\n"
                       "  }\n"
                       "}\n";
    bundle_write(&b, "config.json", text, strlen(text));
    struct spec *s = SENTINEL;
    struct error *err = NULL;
    int r = spec_load(b.fd, "config.json", &s, &err);
    assert_true(r < 0);
    assert_int_equal(r, -err->code);
    assert_ptr_equal(s, SENTINEL);
    if (strstr(err->msg, "line 4") == NULL || strstr(err->msg, "column 13") == NULL)
        print_error("message: %s\n", err->msg);
    assert_non_null(strstr(err->msg, "config.json"));
    assert_non_null(strstr(err->msg, "line 4"));
    assert_non_null(strstr(err->msg, "column 13"));
    error_free(err);
    err = NULL;

    /* Truncated: the end of the input. */
    bundle_write(&b, "config.json", "{\n\"a\": [1,\n2", 12);
    r = spec_load(b.fd, "config.json", &s, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "line 3"));
    assert_non_null(strstr(err->msg, "column"));
    error_free(err);
    err = NULL;

    /* Duplicate keys are refused. */
    const char *dup = "{\"ociVersion\": \"1.2.0\", \"ociVersion\": \"1.0.0\"}";
    bundle_write(&b, "config.json", dup, strlen(dup));
    r = spec_load(b.fd, "config.json", &s, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "line 1"));
    error_free(err);
    err = NULL;

    /* A config.json above SPEC_MAX_SIZE. */
    size_t big = SPEC_MAX_SIZE + 16;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, ' ', big);
    memcpy(data, BASE, strlen(BASE));
    bundle_write(&b, "config.json", data, big);
    free(data);
    r = spec_load(b.fd, "config.json", &s, &err);
    assert_int_equal(r, -EFBIG);
    assert_ptr_equal(s, SENTINEL);
    error_free(err);
    bundle_close(&b);
}

static void test_load_string_line_column(void **state)
{
    json_t *j = NULL;
    struct error *err = NULL;
    /* The stray `x` is on line 2, column 7. */
    int r = json_load_string("{\"root\": {\"path\": \"r\"},\n \"x\": x}", "config.json", &j, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "line 2"));
    assert_non_null(strstr(err->msg, "column 7"));
    error_free(err);
}

/* ---- the default configs --------------------------------------------------------- */

static const struct spec_mount *find_mount(const struct spec *s, const char *dest)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (strcmp(s->mounts[i].destination, dest) == 0)
            return &s->mounts[i];
    return NULL;
}

/* find_mount() that fails the test when there is none. */
static const struct spec_mount *get_mount(const struct spec *s, const char *dest)
{
    const struct spec_mount *m = find_mount(s, dest);
    if (m == NULL) {
        print_error("no mount on %s\n", dest);
        fail();
        abort(); /* not reached: fail() jumps out of the test */
    }
    return m;
}

static void test_default_spec(void **state)
{
    json_t *j = spec_default(false);
    assert_non_null(j);
    struct spec *s = NULL;
    struct error *err = NULL;
    if (spec_from_json(j, &s, &err) < 0)
        print_error("spec_default(false): %s\n", err->msg);
    assert_null(err);
    json_decref(j);

    assert_true(s->ns[SPEC_NS_PID].enabled);
    assert_true(s->ns[SPEC_NS_NET].enabled);
    assert_true(s->ns[SPEC_NS_IPC].enabled);
    assert_true(s->ns[SPEC_NS_UTS].enabled);
    assert_true(s->ns[SPEC_NS_MNT].enabled);
    assert_true(s->ns[SPEC_NS_CGROUP].enabled);
    assert_false(s->ns[SPEC_NS_USER].enabled);
    assert_false(s->ns[SPEC_NS_TIME].enabled);
    assert_int_equal(s->n_uid_mappings, 0);
    assert_string_equal(s->hostname, "cabin");
    assert_true(s->root_readonly);
    assert_string_equal(s->root_path, "rootfs");
    assert_true(s->process->terminal);
    assert_true(s->process->no_new_privileges);
    assert_true(s->process->caps.present);
    assert_true(s->process->caps.bounding & (1ULL << CAP_KILL));
    assert_int_equal(s->process->n_rlimits, 1);
    assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
    assert_non_null(s->resources);
    assert_true(strv_length(s->masked_paths) > 0);
    assert_true(strv_length(s->readonly_paths) > 0);

    const struct spec_mount *m = get_mount(s, "/dev");
    assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
    assert_string_equal(m->data, "mode=755,size=65536k");
    m = get_mount(s, "/sys");
    assert_string_equal(m->type, "sysfs");
    assert_false(m->bind);
    assert_true(m->flags & MS_RDONLY);
    m = get_mount(s, "/dev/pts");
    assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    assert_non_null(find_mount(s, "/proc"));
    assert_non_null(find_mount(s, "/sys/fs/cgroup"));
    spec_free(s);
}

static void test_default_spec_rootless(void **state)
{
    json_t *j = spec_default(true);
    assert_non_null(j);
    struct spec *s = NULL;
    struct error *err = NULL;
    if (spec_from_json(j, &s, &err) < 0)
        print_error("spec_default(true): %s\n", err->msg);
    assert_null(err);
    json_decref(j);

    assert_true(s->ns[SPEC_NS_USER].enabled);
    assert_null(s->ns[SPEC_NS_USER].path);
    assert_false(s->ns[SPEC_NS_NET].enabled);
    assert_true(s->ns[SPEC_NS_PID].enabled);
    assert_true(s->ns[SPEC_NS_MNT].enabled);
    assert_true(s->ns[SPEC_NS_UTS].enabled);
    assert_int_equal(s->n_uid_mappings, 1);
    assert_int_equal(s->uid_mappings[0].container_id, 0);
    assert_int_equal(s->uid_mappings[0].host_id, getuid());
    assert_int_equal(s->uid_mappings[0].size, 1);
    assert_int_equal(s->n_gid_mappings, 1);
    assert_int_equal(s->gid_mappings[0].host_id, getgid());
    assert_null(s->resources);

    /* /sys is a read-only recursive bind of the host's. */
    const struct spec_mount *m = get_mount(s, "/sys");
    assert_true(m->bind);
    assert_true((m->flags & (MS_BIND | MS_REC | MS_RDONLY)) == (MS_BIND | MS_REC | MS_RDONLY));
    assert_string_equal(m->source, "/sys");
    assert_null(find_mount(s, "/sys/fs/cgroup"));
    m = get_mount(s, "/dev/pts");
    assert_null(strstr(m->data, "gid=5"));
    spec_free(s);
}

/* ---- the error contract ------------------------------------------------------------ */

static void test_error_contract_replaces_error(void **state)
{
    /* An error already in *err is replaced, not leaked or kept. */
    json_error_t je;
    json_t *j = json_loads(BASE, 0, &je);
    set_path(j, "process.cwd", "\"rel\"");
    struct error *err = NULL;
    error_new(&err, ENOSPC, "stale");
    struct spec *s = SENTINEL;
    int r = spec_from_json(j, &s, &err);
    assert_int_equal(r, -EINVAL);
    assert_int_equal(err->code, EINVAL);
    assert_null(strstr(err->msg, "stale"));
    assert_ptr_equal(s, SENTINEL);
    error_free(err);

    /* A success leaves *err alone. */
    set_path(j, "process.cwd", "\"/\"");
    err = NULL;
    s = SENTINEL;
    assert_int_equal(spec_from_json(j, &s, &err), 0);
    assert_null(err);
    spec_free(s);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_oci_version),
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_hostname_domainname),
        cmocka_unit_test(test_domainname_needs_uts),
        cmocka_unit_test(test_process_absent),
        cmocka_unit_test(test_process_terminal_console),
        cmocka_unit_test(test_process_args),
        cmocka_unit_test(test_process_env),
        cmocka_unit_test(test_process_cwd),
        cmocka_unit_test(test_process_user),
        cmocka_unit_test(test_process_capabilities),
        cmocka_unit_test(test_process_rlimits),
        cmocka_unit_test(test_process_misc),
        cmocka_unit_test(test_mounts_basic),
        cmocka_unit_test(test_mount_flags),
        cmocka_unit_test(test_mount_bind),
        cmocka_unit_test(test_mount_propagation),
        cmocka_unit_test(test_mount_recursive_attrs),
        cmocka_unit_test(test_mount_recursive_atime),
        cmocka_unit_test(test_mount_data),
        cmocka_unit_test(test_mount_idmap),
        cmocka_unit_test(test_namespaces_all),
        cmocka_unit_test(test_namespaces_errors),
        cmocka_unit_test(test_idmaps),
        cmocka_unit_test(test_gid_mappings_without_userns_named),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_sysctl_accepted),
        cmocka_unit_test(test_sysctl_refused),
        cmocka_unit_test(test_masked_readonly_paths),
        cmocka_unit_test(test_rootfs_propagation),
        cmocka_unit_test(test_time_offsets),
        cmocka_unit_test(test_raw_parts),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_malformed),
        cmocka_unit_test(test_load_string_line_column),
        cmocka_unit_test(test_default_spec),
        cmocka_unit_test(test_default_spec_rootless),
        cmocka_unit_test(test_error_contract_replaces_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
