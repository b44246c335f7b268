/* SPDX-License-Identifier: Apache-2.0 */
#include "util/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

int json_load_string(const char *text, const char *what, json_t **ret_json, struct error **err)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return error_new(err, EINVAL, "%s: malformed JSON at line %d, column %d: %s", what,
                         je.line, je.column, je.text);
    *ret_json = j;
    return 0;
}

int json_load_file_at(int dirfd, const char *path, size_t max, json_t **ret_json,
                      struct error **err)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    int r = fs_read_file_at(dirfd, path, max, &buf, &len, err);
    if (r < 0)
        return r;
    /* By length, not as a C string: a NUL byte must not hide what follows
     * it (json_loads would stop there and accept the rest unseen). */
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return error_new(err, EINVAL, "%s: malformed JSON at line %d, column %d: %s", path,
                         je.line, je.column, je.text);
    *ret_json = j;
    return 0;
}

json_t *json_strv(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

bool json_utf8_valid(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static const char *expected_name(json_type t)
{
    switch (t) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

int json_expect(const json_t *v, json_type type, const char *where, struct error **err)
{
    /* A member that is not there (json_object_get() gave NULL). */
    if (v == NULL)
        return error_new(err, EINVAL, "%s: missing required field", where);
    bool ok = json_typeof(v) == type ||
              (type == JSON_TRUE && json_is_boolean(v)) ||
              (type == JSON_FALSE && json_is_boolean(v));
    if (!ok)
        return error_new(err, EINVAL, "%s: expected %s, got %s", where, expected_name(type),
                         json_type_name(v));
    return 0;
}

static json_t *member(const json_t *obj, const char *key, const char *where, bool required,
                      int *r, struct error **err)
{
    json_t *v = json_object_get(obj, key);
    *r = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            *r = error_new(err, EINVAL, "%s%s%s: missing required field", where,
                           *where ? "." : "", key);
        return NULL;
    }
    return v;
}

int json_get_string(const json_t *obj, const char *key, const char *where, bool required,
                    const char **ret, struct error **err)
{
    int r;
    json_t *v = member(obj, key, where, required, &r, err);
    if (v == NULL)
        return r;
    if (!json_is_string(v))
        return error_new(err, EINVAL, "%s%s%s: expected a string, got %s", where,
                         *where ? "." : "", key, json_type_name(v));
    *ret = json_string_value(v);
    return 0;
}

int json_get_bool(const json_t *obj, const char *key, const char *where, bool *ret,
                  struct error **err)
{
    int r;
    json_t *v = member(obj, key, where, false, &r, err);
    if (v == NULL)
        return r;
    if (!json_is_boolean(v))
        return error_new(err, EINVAL, "%s%s%s: expected a boolean, got %s", where,
                         *where ? "." : "", key, json_type_name(v));
    *ret = json_is_true(v);
    return 0;
}

int json_get_int64(const json_t *obj, const char *key, const char *where, bool required,
                   int64_t *ret, struct error **err)
{
    int r;
    json_t *v = member(obj, key, where, required, &r, err);
    if (v == NULL)
        return r;
    if (!json_is_integer(v))
        return error_new(err, EINVAL, "%s%s%s: expected an integer, got %s", where,
                         *where ? "." : "", key, json_type_name(v));
    *ret = json_integer_value(v);
    return 0;
}

int json_get_uint64(const json_t *obj, const char *key, const char *where, bool required,
                    uint64_t max, uint64_t *ret, struct error **err)
{
    int r;
    json_t *v = member(obj, key, where, required, &r, err);
    if (v == NULL)
        return r;
    if (!json_is_integer(v))
        return error_new(err, EINVAL, "%s%s%s: expected an unsigned integer, got %s", where,
                         *where ? "." : "", key, json_type_name(v));
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t) i > max)
        return error_new(err, ERANGE, "%s%s%s: %lld is out of range (0 to %llu)", where,
                         *where ? "." : "", key, (long long) i, (unsigned long long) max);
    *ret = (uint64_t) i;
    return 0;
}

int json_get_strv(const json_t *obj, const char *key, const char *where, bool required,
                  char ***ret, struct error **err)
{
    int r;
    json_t *v = member(obj, key, where, required, &r, err);
    if (v == NULL)
        return r;
    if (!json_is_array(v))
        return error_new(err, EINVAL, "%s%s%s: expected an array of strings, got %s", where,
                         *where ? "." : "", key, json_type_name(v));
    size_t n = json_array_size(v);
    char **out = calloc(n + 1, sizeof(char *));
    if (out == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            strv_free(out);
            return error_new(err, EINVAL, "%s%s%s[%zu]: expected a string, got %s", where,
                             *where ? "." : "", key, i, json_type_name(s));
        }
        out[i] = strdup(json_string_value(s));
        if (out[i] == NULL) {
            strv_free(out);
            return error_new(err, ENOMEM, "out of memory");
        }
    }
    strv_free(*ret);
    *ret = out;
    return 0;
}

int json_write_file_at(int dirfd, const char *name, const json_t *j, size_t flags, mode_t mode,
                       struct error **err)
{
    cleanup_free char *s = json_dumps(j, flags);
    if (s == NULL)
        return error_new(err, ENOMEM, "serialising `%s`", name);
    return fs_write_file_atomic(dirfd, name, s, strlen(s), mode, 0, err);
}
