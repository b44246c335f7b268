/* SPDX-License-Identifier: Apache-2.0 */
/* Running CNI plugins over a network's list (cni.h). */
#include "engine/cni.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"

extern char **environ;

int cni_version_number(const char *v)
{
    unsigned a = 0, b = 0, c = 0;
    char tail;
    int n = sscanf(v, "%u.%u.%u%c", &a, &b, &c, &tail);
    if (n != 3 || a > 99 || b > 99 || c > 99)
        return -1;
    return (int) (a * 10000 + b * 100 + c);
}

static bool plain_name(const char *s)
{
    if (s == NULL || *s == '\0' || *s == '.' || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char) *s) && !strchr("_.-", *s))
            return false;
    return true;
}

int cni_conflist_check(const json_t *list, const char *what, struct error **err)
{
    if (json_expect(list, JSON_OBJECT, what, err) < 0)
        return -EINVAL;
    const char *version = NULL, *name = NULL;
    int r;
    if ((r = json_get_string(list, "cniVersion", what, true, &version, err)) < 0 ||
        (r = json_get_string(list, "name", what, true, &name, err)) < 0)
        return r;
    int v = cni_version_number(version);
    if (v < 300 || v > 10000)
        return error_new(err, ENOTSUP,
                         "%s: cniVersion `%s` is not supported (0.3.0 to 1.0.0 are)", what,
                         version);
    if (!plain_name(name))
        return error_new(err, EINVAL, "%s: name `%s` is not a plain name", what, name);
    const json_t *plugins = json_object_get(list, "plugins");
    char w[300];
    snprintf(w, sizeof(w), "%s: plugins", what);
    if (json_expect(plugins, JSON_ARRAY, w, err) < 0)
        return -EINVAL;
    size_t n = json_array_size(plugins);
    if (n == 0 || n > CNI_MAX_PLUGINS)
        return error_new(err, EINVAL, "%s: expected 1 to %d plugins, not %zu", w,
                         CNI_MAX_PLUGINS, n);
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(plugins, i);
        snprintf(w, sizeof(w), "%s: plugins[%zu]", what, i);
        const char *type = NULL;
        if (json_expect(p, JSON_OBJECT, w, err) < 0 ||
            json_get_string(p, "type", w, true, &type, err) < 0)
            return -EINVAL;
        if (!plain_name(type))
            return error_new(err, EINVAL, "%s: type `%s` is not a plugin name", w, type);
    }
    return 0;
}

/* ---- running one plugin ------------------------------------------------------ */

static int find_plugin(const char *path, const char *type, char **ret, struct error **err)
{
    cleanup_free char *dirs = strdup(path ? path : CNI_DEFAULT_PATH);
    if (dirs == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s", d, type) < 0)
            return error_new(err, ENOMEM, "out of memory");
        if (access(p, X_OK) == 0) {
            *ret = p;
            return 0;
        }
        free(p);
    }
    return error_new(err, ENOENT, "CNI plugin `%s` not found in %s", type,
                     path ? path : CNI_DEFAULT_PATH);
}

/* The plugin's environment: ours without CNI_*, then the CNI variables. */
static int plugin_env(const char *command, const struct cni_runtime *rt, char ***ret,
                      struct error **err)
{
    cleanup_strv char **env = NULL;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "CNI_", 4) != 0 && strv_push(&env, *e) < 0)
            return error_new(err, ENOMEM, "out of memory");
    const char *vars[][2] = {
        {"CNI_COMMAND", command},
        {"CNI_CONTAINERID", rt->container_id},
        {"CNI_NETNS", rt->netns},
        {"CNI_IFNAME", rt->ifname},
        {"CNI_PATH", rt->plugin_path ? rt->plugin_path : CNI_DEFAULT_PATH},
        {"CNI_ARGS", rt->args},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if (vars[i][1] == NULL)
            continue;
        cleanup_free char *kv = NULL;
        if (asprintf(&kv, "%s=%s", vars[i][0], vars[i][1]) < 0 || strv_push(&env, kv) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    if (strv_env_get(env, "PATH") == NULL &&
        strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
        return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&env);
    return 0;
}

/* A plugin's error object ({"code", "msg", "details"}) or its stderr. */
static int plugin_failed(const char *type, const char *command, const struct proc_output *o,
                         struct error **err)
{
    json_error_t je;
    cleanup_json json_t *j = o->out_len ? json_loadb(o->out, o->out_len, 0, &je) : NULL;
    const char *msg = json_string_value(json_object_get(j, "msg"));
    const char *details = json_string_value(json_object_get(j, "details"));
    json_int_t code = json_integer_value(json_object_get(j, "code"));
    if (msg)
        return error_new(err, EIO, "CNI plugin %s (%s): %s%s%s (code %lld)", type, command, msg,
                         details && *details ? ": " : "", details ? details : "",
                         (long long) code);
    /* The last line of stderr says the most. */
    int len;
    const char *line = proc_last_line(o->err_len ? o->err : o->out, &len);
    if (WIFSIGNALED(o->status))
        return error_new(err, EIO, "CNI plugin %s (%s): killed by signal %d%s%.*s", type,
                         command, WTERMSIG(o->status), len ? ": " : "", len, line);
    return error_new(err, EIO, "CNI plugin %s (%s): exit status %d%s%.*s", type, command,
                     WEXITSTATUS(o->status), len ? ": " : "", len, line);
}

/* Run one plugin; its stdout (a result, or empty) in *ret. */
static int exec_plugin(const char *type, const char *command, const struct cni_runtime *rt,
                       const char *config, char **ret, struct error **err)
{
    cleanup_free char *path = NULL;
    cleanup_strv char **env = NULL;
    int r = find_plugin(rt->plugin_path, type, &path, err);
    if (r == 0)
        r = plugin_env(command, rt, &env, err);
    if (r < 0)
        return r;
    char *argv[] = {path, NULL};
    int timeout = rt->timeout_s > 0 ? rt->timeout_s : CNI_TIMEOUT_S;
    struct proc_opts po = {.input = config, .env = env, .timeout_s = timeout,
                           .out_max = CNI_OUTPUT_MAX};
    struct proc_output o;
    if ((r = proc_run(argv, &po, &o, err)) < 0)
        return error_wrap(err, "CNI plugin %s (%s)", type, command);
    log_debug("CNI %s %s (%.12s, %s): %lld ms, status %d", command, type, rt->container_id,
              rt->ifname, o.ms, o.status);
    if (o.timed_out)
        r = error_new(err, ETIMEDOUT, "CNI plugin %s (%s): no answer in %d seconds", type,
                      command, timeout);
    else if (o.out_cut)
        r = error_new(err, E2BIG, "CNI plugin %s (%s): more than %u bytes of output", type,
                      command, CNI_OUTPUT_MAX);
    else if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
        r = plugin_failed(type, command, &o, err);
    if (r == 0)
        *ret = o.out ? steal_pointer(&o.out) : strdup("");
    proc_output_release(&o);
    if (r == 0 && *ret == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return r;
}

/* ---- the list ---------------------------------------------------------------- */

/* The config one plugin reads: its object with the list's name and
 * version, prevResult, and the runtimeConfig of the capabilities it
 * declares. */
static char *plugin_config(const json_t *list, size_t i, const json_t *prev,
                           const struct cni_runtime *rt)
{
    const json_t *p = json_array_get(json_object_get(list, "plugins"), i);
    cleanup_json json_t *conf = json_deep_copy(p);
    if (conf == NULL)
        return NULL;
    json_object_set(conf, "name", json_object_get(list, "name"));
    json_object_set(conf, "cniVersion", json_object_get(list, "cniVersion"));
    if (prev)
        json_object_set_new(conf, "prevResult", json_deep_copy(prev));
    const json_t *caps = json_object_get(p, "capabilities");
    json_t *rc = NULL;
    const char *key;
    json_t *on;
    json_object_foreach((json_t *) caps, key, on)
    {
        const json_t *val = rt->runtime_config ? json_object_get(rt->runtime_config, key) : NULL;
        if (!json_is_true(on) || val == NULL)
            continue;
        if (rc == NULL)
            rc = json_object();
        json_object_set_new(rc, key, json_deep_copy(val));
    }
    if (rc)
        json_object_set_new(conf, "runtimeConfig", rc);
    return json_dumps(conf, JSON_COMPACT);
}

static const char *plugin_type(const json_t *list, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(list, "plugins"), i), "type"));
}

static int run_one(const json_t *list, size_t i, const char *command, const json_t *prev,
                   const struct cni_runtime *rt, char **ret_out, struct error **err)
{
    cleanup_free char *conf = plugin_config(list, i, prev, rt);
    if (conf == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *out = NULL;
    int r = exec_plugin(plugin_type(list, i), command, rt, conf, &out, err);
    if (r < 0)
        return r;
    if (ret_out)
        *ret_out = steal_pointer(&out);
    return 0;
}

static const char *list_name(const json_t *list)
{
    return json_string_value(json_object_get(list, "name"));
}

int cni_del(const json_t *list, const struct cni_runtime *rt, const json_t *result,
            struct error **err)
{
    int r = cni_conflist_check(list, "network", err);
    if (r < 0)
        return r;
    int v = cni_version_number(json_string_value(json_object_get(list, "cniVersion")));
    const json_t *prev = v >= 400 ? result : NULL;
    size_t n = json_array_size(json_object_get(list, "plugins"));
    int first = 0;
    for (size_t i = n; i-- > 0;) {
        cleanup_error struct error *e2 = NULL;
        if (run_one(list, i, "DEL", prev, rt, NULL, &e2) < 0 && first == 0) {
            first = -error_code(e2);
            *err = steal_pointer(&e2);
        }
    }
    if (first < 0)
        return error_wrap(err, "network `%s`: removing container %.12s", list_name(list),
                          rt->container_id);
    return 0;
}

int cni_add(const json_t *list, const struct cni_runtime *rt, json_t **ret, struct error **err)
{
    int r = cni_conflist_check(list, "network", err);
    if (r < 0)
        return r;
    size_t n = json_array_size(json_object_get(list, "plugins"));
    cleanup_json json_t *prev = NULL;
    for (size_t i = 0; i < n && r == 0; i++) {
        cleanup_free char *out = NULL;
        r = run_one(list, i, "ADD", prev, rt, &out, err);
        if (r < 0)
            break;
        json_error_t je;
        json_t *res = json_loads(out, JSON_REJECT_DUPLICATES, &je);
        cleanup_cni_result struct cni_result *parsed = NULL;
        if (res == NULL)
            r = error_new(err, EINVAL, "CNI plugin %s (ADD): not a JSON result: %s",
                          plugin_type(list, i), je.text);
        else if ((r = cni_result_parse(res, &parsed, err)) < 0)
            r = error_wrap(err, "CNI plugin %s (ADD)", plugin_type(list, i));
        json_decref(prev);
        prev = res;
    }
    if (r < 0) {
        /* Undo what the plugins before (and the failed one, halfway) did. */
        cleanup_error struct error *e2 = NULL;
        if (cni_del(list, rt, prev, &e2) < 0)
            log_debug("undoing a failed ADD: %s", e2->msg);
        return error_wrap(err, "network `%s`: adding container %.12s", list_name(list),
                          rt->container_id);
    }
    *ret = steal_pointer(&prev);
    return 0;
}

int cni_check(const json_t *list, const struct cni_runtime *rt, const json_t *result,
              struct error **err)
{
    int r = cni_conflist_check(list, "network", err);
    if (r < 0)
        return r;
    const char *version = json_string_value(json_object_get(list, "cniVersion"));
    if (cni_version_number(version) < 400)
        return error_new(err, ENOTSUP, "network `%s`: CHECK needs cniVersion 0.4.0 or later, "
                         "not %s", list_name(list), version);
    if (json_is_true(json_object_get(list, "disableCheck")))
        return 0;
    if (result == NULL)
        return error_new(err, EINVAL, "network `%s`: no result to check against",
                         list_name(list));
    size_t n = json_array_size(json_object_get(list, "plugins"));
    for (size_t i = 0; i < n; i++)
        if ((r = run_one(list, i, "CHECK", result, rt, NULL, err)) < 0)
            return error_wrap(err, "network `%s`: checking container %.12s", list_name(list),
                              rt->container_id);
    return 0;
}
