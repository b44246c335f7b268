/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON through jansson, with errors that say where.
 *
 * json_load_file_at() reports malformed input with the file, line and
 * column.  The json_get_*() helpers read one member of an object and check
 * its type; `where` names the object in messages ("process.user"), so a bad
 * config reads "process.user.uid: expected an unsigned integer, got string".
 * A missing optional member leaves *ret untouched and returns 0; a missing
 * required one is an error.  Strings returned point into the json_t and live
 * as long as it does.
 */
#ifndef CABIN_UTIL_JSON_H
#define CABIN_UTIL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

int json_load_file_at(int dirfd, const char *path, size_t max, json_t **ret_json,
                      struct error **err);
int json_load_string(const char *text, const char *what, json_t **ret_json, struct error **err);

const char *json_type_name(const json_t *v);

/* A JSON array of the strings of `v` (NULL: empty); a new reference. */
json_t *json_strv(char *const *v);

/* Is `s` valid UTF-8 (so that it can become a JSON string)? */
bool json_utf8_valid(const char *s);

/* Check that `v` is a `type` value; `where` names it in the error.  A NULL
 * `v` (a member json_object_get() did not find) is a "missing" error. */
int json_expect(const json_t *v, json_type type, const char *where, struct error **err);

int json_get_string(const json_t *obj, const char *key, const char *where, bool required,
                    const char **ret, struct error **err);
int json_get_bool(const json_t *obj, const char *key, const char *where, bool *ret,
                  struct error **err);
int json_get_int64(const json_t *obj, const char *key, const char *where, bool required,
                   int64_t *ret, struct error **err);
/* An integer in [0, max]. */
int json_get_uint64(const json_t *obj, const char *key, const char *where, bool required,
                    uint64_t max, uint64_t *ret, struct error **err);
/* An array of strings, copied into a NULL-terminated malloc'd vector. */
int json_get_strv(const json_t *obj, const char *key, const char *where, bool required,
                  char ***ret, struct error **err);

/* Write `j` to `name` in `dirfd` atomically (util/fs.h). */
int json_write_file_at(int dirfd, const char *name, const json_t *j, size_t flags, mode_t mode,
                       struct error **err);

static inline void json_unrefp(json_t **j)
{
    json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(json_unrefp)))

#endif
