/* SPDX-License-Identifier: Apache-2.0 */
#include "image/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#define MAX_PORT_RANGE 1024

/* ---- Dockerfile words ------------------------------------------------- */

/* Split `s` into words as a Dockerfile does: whitespace separates, "..."
 * and '...' quote, a backslash escapes the next character. */
static int split_words(const char *s, const char *change, char ***ret, struct error **err)
{
    cleanup_strv char **words = NULL;
    size_t n = strlen(s);
    cleanup_free char *cur = malloc(n + 1);
    if (cur == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t len = 0;
    bool in_word = false;
    for (const char *p = s; *p; p++) {
        if (isspace((unsigned char) *p)) {
            if (in_word) {
                cur[len] = '\0';
                if (strv_push(&words, cur) < 0)
                    return error_new(err, ENOMEM, "out of memory");
                len = 0;
                in_word = false;
            }
            continue;
        }
        in_word = true;
        if (*p == '\\' && p[1]) {
            cur[len++] = *++p;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (*p && *p != q) {
                if (q == '"' && *p == '\\' && p[1])
                    p++;
                cur[len++] = *p++;
            }
            if (*p != q)
                return error_new(err, EINVAL, "--change `%s`: unterminated quote", change);
        } else {
            cur[len++] = *p;
        }
    }
    if (in_word) {
        cur[len] = '\0';
        if (strv_push(&words, cur) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&words);
    return 0;
}

/* ["a", "b"] as a JSON array of strings, or NULL when it is not one. */
static json_t *json_form(const char *rest)
{
    if (*rest != '[')
        return NULL;
    json_t *j = json_loads(rest, JSON_DECODE_ANY, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    for (size_t i = 0; i < json_array_size(j); i++)
        if (!json_is_string(json_array_get(j, i))) {
            json_decref(j);
            return NULL;
        }
    return j;
}

static json_t *exec_form(const char *rest)
{
    json_t *j = json_form(rest);
    return j ? j : json_pack("[s,s,s]", "/bin/sh", "-c", rest);
}

/* Set `key` in an "Env"-style array of "K=V" strings. */
static void env_set(json_t *cfg, const char *key, const char *value)
{
    json_t *env = json_object_get(cfg, "Env");
    if (!json_is_array(env)) {
        env = json_array();
        json_object_set_new(cfg, "Env", env);
    }
    char *kv = NULL;
    if (asprintf(&kv, "%s=%s", key, value) < 0)
        return;
    size_t klen = strlen(key);
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *e = json_string_value(json_array_get(env, i));
        if (e && strncmp(e, key, klen) == 0 && e[klen] == '=') {
            json_array_set_new(env, i, json_string(kv));
            free(kv);
            return;
        }
    }
    json_array_append_new(env, json_string(kv));
    free(kv);
}

static json_t *object_member(json_t *cfg, const char *key)
{
    json_t *o = json_object_get(cfg, key);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(cfg, key, o);
    }
    return o;
}

/* ENV and LABEL: K=V ... or the old "K V" form. */
static int key_values(json_t *cfg, bool env, const char *rest, const char *change,
                      struct error **err)
{
    cleanup_strv char **words = NULL;
    int r = split_words(rest, change, &words, err);
    if (r < 0)
        return r;
    if (words == NULL || words[0] == NULL)
        return error_new(err, EINVAL, "--change `%s`: needs KEY=VALUE", change);
    json_t *labels = env ? NULL : object_member(cfg, "Labels");
    if (strchr(words[0], '=') == NULL) {
        /* "ENV K V W": the value is the rest of the line. */
        const char *v = rest;
        while (*v && !isspace((unsigned char) *v))
            v++;
        while (isspace((unsigned char) *v))
            v++;
        if (*v == '\0')
            return error_new(err, EINVAL, "--change `%s`: `%s` has no value", change, words[0]);
        if (env)
            env_set(cfg, words[0], v);
        else
            json_object_set_new(labels, words[0], json_string(v));
        return 0;
    }
    for (size_t i = 0; words[i]; i++) {
        char *eq = strchr(words[i], '=');
        if (eq == NULL || eq == words[i])
            return error_new(err, EINVAL, "--change `%s`: `%s` is not KEY=VALUE", change,
                             words[i]);
        *eq = '\0';
        if (env)
            env_set(cfg, words[i], eq + 1);
        else
            json_object_set_new(labels, words[i], json_string(eq + 1));
    }
    return 0;
}

static int expose(json_t *cfg, const char *rest, const char *change, struct error **err)
{
    cleanup_strv char **words = NULL;
    int r = split_words(rest, change, &words, err);
    if (r < 0)
        return r;
    if (words == NULL)
        return error_new(err, EINVAL, "--change `%s`: needs a port", change);
    json_t *ports = object_member(cfg, "ExposedPorts");
    for (size_t i = 0; words[i]; i++) {
        char proto[8] = "tcp";
        unsigned lo = 0, hi = 0;
        char *slash = strchr(words[i], '/');
        if (slash) {
            if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0 &&
                strcmp(slash + 1, "sctp") != 0)
                return error_new(err, EINVAL, "--change `%s`: `%s`: protocol must be tcp, udp "
                                 "or sctp", change, words[i]);
            snprintf(proto, sizeof(proto), "%s", slash + 1);
            *slash = '\0';
        }
        int used = 0;
        if (sscanf(words[i], "%u%n", &lo, &used) != 1 || (size_t) used > strlen(words[i]))
            return error_new(err, EINVAL, "--change `%s`: `%s` is not a port", change, words[i]);
        hi = lo;
        if (words[i][used] == '-' && sscanf(words[i] + used + 1, "%u", &hi) != 1)
            return error_new(err, EINVAL, "--change `%s`: `%s` is not a port range", change,
                             words[i]);
        if (lo == 0 || hi > 65535 || hi < lo || hi - lo >= MAX_PORT_RANGE)
            return error_new(err, EINVAL, "--change `%s`: `%s`: ports are 1 to 65535", change,
                             words[i]);
        for (unsigned p = lo; p <= hi; p++) {
            char key[32];
            snprintf(key, sizeof(key), "%u/%s", p, proto);
            json_object_set_new(ports, key, json_object());
        }
    }
    return 0;
}

static int volume(json_t *cfg, const char *rest, const char *change, struct error **err)
{
    cleanup_json json_t *arr = json_form(rest);
    cleanup_strv char **words = NULL;
    if (arr == NULL) {
        int r = split_words(rest, change, &words, err);
        if (r < 0)
            return r;
    }
    json_t *vols = object_member(cfg, "Volumes");
    size_t n = arr ? json_array_size(arr) : strv_length(words);
    if (n == 0)
        return error_new(err, EINVAL, "--change `%s`: needs a path", change);
    for (size_t i = 0; i < n; i++) {
        const char *v = arr ? json_string_value(json_array_get(arr, i)) : words[i];
        if (*v != '/')
            return error_new(err, EINVAL, "--change `%s`: `%s` is not an absolute path", change,
                             v);
        json_object_set_new(vols, v, json_object());
    }
    return 0;
}

static int workdir(json_t *cfg, const char *rest, const char *change, struct error **err)
{
    if (*rest == '\0')
        return error_new(err, EINVAL, "--change `%s`: needs a path", change);
    const char *prev = json_string_value(json_object_get(cfg, "WorkingDir"));
    cleanup_free char *joined = NULL;
    if (asprintf(&joined, "%s/%s", *rest == '/' ? "" : (prev ? prev : "/"), rest) < 0)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *clean = fs_path_clean(joined);
    if (clean == NULL)
        return error_new(err, ENOMEM, "out of memory");
    json_object_set_new(cfg, "WorkingDir", json_string(clean));
    return 0;
}

int image_change_apply(json_t *cfg, const char *change, struct error **err)
{
    const char *p = change;
    while (isspace((unsigned char) *p))
        p++;
    const char *end = p;
    while (*end && !isspace((unsigned char) *end))
        end++;
    char instr[16];
    size_t n = (size_t) (end - p);
    if (n == 0 || n >= sizeof(instr))
        return error_new(err, EINVAL, "--change `%s`: not a Dockerfile instruction", change);
    for (size_t i = 0; i < n; i++)
        instr[i] = (char) toupper((unsigned char) p[i]);
    instr[n] = '\0';
    cleanup_free char *rest = strdup(end);
    if (rest == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *r = rest;
    while (isspace((unsigned char) *r))
        r++;
    for (size_t k = strlen(r); k > 0 && isspace((unsigned char) r[k - 1]); k--)
        r[k - 1] = '\0';
    bool needs = strcmp(instr, "CMD") != 0 && strcmp(instr, "ENTRYPOINT") != 0;
    if (needs && *r == '\0')
        return error_new(err, EINVAL, "--change `%s`: %s needs an argument", change, instr);
    if (strcmp(instr, "CMD") == 0 || strcmp(instr, "ENTRYPOINT") == 0) {
        json_t *v = exec_form(r);
        if (v == NULL)
            return error_new(err, ENOMEM, "out of memory");
        json_object_set_new(cfg, strcmp(instr, "CMD") == 0 ? "Cmd" : "Entrypoint", v);
        return 0;
    }
    if (strcmp(instr, "ENV") == 0 || strcmp(instr, "LABEL") == 0)
        return key_values(cfg, instr[0] == 'E', r, change, err);
    if (strcmp(instr, "EXPOSE") == 0)
        return expose(cfg, r, change, err);
    if (strcmp(instr, "VOLUME") == 0)
        return volume(cfg, r, change, err);
    if (strcmp(instr, "WORKDIR") == 0)
        return workdir(cfg, r, change, err);
    if (strcmp(instr, "USER") == 0 || strcmp(instr, "STOPSIGNAL") == 0) {
        json_object_set_new(cfg, instr[0] == 'U' ? "User" : "StopSignal", json_string(r));
        return 0;
    }
    if (strcmp(instr, "ONBUILD") == 0) {
        json_t *ob = json_object_get(cfg, "OnBuild");
        if (!json_is_array(ob)) {
            ob = json_array();
            json_object_set_new(cfg, "OnBuild", ob);
        }
        json_array_append_new(ob, json_string(r));
        return 0;
    }
    return error_new(err, EINVAL,
                     "--change `%s`: `%s` cannot be changed on import (CMD, ENTRYPOINT, ENV, "
                     "EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR can)",
                     change, instr);
}

/* ---- import ------------------------------------------------------------ */

static void now_rfc3339(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *make_config(const struct import_opts *o, const char *diff_id, struct error **err)
{
    cleanup_json json_t *cfg = json_object();
    for (size_t i = 0; o->changes && o->changes[i]; i++)
        if (image_change_apply(cfg, o->changes[i], err) < 0)
            return NULL;
    char now[64];
    now_rfc3339(now, sizeof(now));
    struct platform host;
    platform_host(&host);
    json_t *hist = json_pack("{s:s, s:s}", "created", now, "created_by", "cabin import");
    if (o->message && hist)
        json_object_set_new(hist, "comment", json_string(o->message));
    cleanup_json json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:O, s:{s:s, s:[s]}, s:[o]}", "architecture", host.architecture, "os",
        host.os, "created", now, "config", cfg, "rootfs", "type", "layers", "diff_ids", diff_id,
        "history", hist);
    if (doc && host.variant)
        json_object_set_new(doc, "variant", json_string(host.variant));
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (text == NULL)
        error_new(err, ENOMEM, "out of memory");
    return text;
}

int image_import(struct store *s, int fd, const struct import_opts *o, char ret_id[DIGEST_BUF],
                 struct error **err)
{
    const char *what = o->what ? o->what : "the tarball";
    /* The changes are checked before anything is read. */
    cleanup_json json_t *probe = json_object();
    for (size_t i = 0; o->changes && o->changes[i]; i++)
        if (image_change_apply(probe, o->changes[i], err) < 0)
            return -error_code(*err);
    cleanup_close int lock = -1;
    int r = store_lock_gc(s, LOCK_SH, &lock, err);
    if (r < 0)
        return r;
    store_tmp_sweep(s);
    int in = fd;
    struct layer_source src = {layer_read_fd, &in};
    char lwhat[512];
    snprintf(lwhat, sizeof(lwhat), "importing %s", what);
    struct layer_ingest_opts lo = {.flags = LAYER_KEEP_BLOB | LAYER_UNPACK, .what = lwhat};
    struct layer_result res;
    if ((r = layer_ingest(s, &src, &lo, &res, err)) < 0)
        return r;
    cleanup_free char *config = make_config(o, res.diff_id, err);
    if (config == NULL)
        return -error_code(*err);
    struct image_layer_blob blob = {.size = res.blob_size, .media_type = res.media_type};
    memcpy(blob.digest, res.blob_digest, DIGEST_BUF);
    memcpy(blob.diff_id, res.diff_id, DIGEST_BUF);
    struct image_new n = {.config = config, .config_len = strlen(config), .layers = &blob,
                          .n_layers = 1, .names = o->names, .what = lwhat};
    return image_commit(s, &n, ret_id, err);
}
