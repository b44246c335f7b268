/* SPDX-License-Identifier: Apache-2.0 */
/* The small part of Go's templates that docker's --format strings use. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "util/cleanup.h"

/* ---- templates ------------------------------------------------------------- */

struct out {
    char *s;
    size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap + n + 64) * 2;
        char *p = realloc(o->s, cap);
        if (p == NULL)
            return;
        o->s = p;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* A value as Go's text/template prints it: strings bare, numbers and
 * booleans as written, null as <no value>... close enough for docker's
 * fields; arrays "[a b]" and objects "map[k:v]". */
static void print_value(struct out *o, const json_t *v)
{
    if (v == NULL) {
        puts_(o, "<no value>");
    } else if (json_is_string(v)) {
        puts_(o, json_string_value(v));
    } else if (json_is_array(v)) {
        puts_(o, "[");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (i)
                puts_(o, " ");
            print_value(o, x);
        }
        puts_(o, "]");
    } else if (json_is_object(v)) {
        puts_(o, "map[");
        const char *k;
        json_t *x;
        bool first = true;
        json_object_foreach((json_t *) v, k, x) {
            if (!first)
                puts_(o, " ");
            first = false;
            puts_(o, k);
            puts_(o, ":");
            print_value(o, x);
        }
        puts_(o, "]");
    } else if (json_is_null(v)) {
        puts_(o, "<nil>");
    } else {
        cleanup_free char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (s)
            puts_(o, s);
    }
}

/* ".A.B" in `root`; "." is root itself. */
static const json_t *lookup(const json_t *root, const char *path, size_t n)
{
    if (n == 0 || path[0] != '.')
        return NULL;
    if (n == 1)
        return root;
    const json_t *v = root;
    size_t i = 1;
    while (i < n && v) {
        size_t k = i;
        while (k < n && path[k] != '.')
            k++;
        char key[128];
        if (k - i >= sizeof(key))
            return NULL;
        memcpy(key, path + i, k - i);
        key[k - i] = '\0';
        v = json_object_get(v, key);
        i = k + 1;
    }
    return v;
}

static int action(struct out *o, const json_t *root, const char *a, size_t n, struct error **err)
{
    while (n > 0 && isspace((unsigned char) a[0]))
        a++, n--;
    while (n > 0 && isspace((unsigned char) a[n - 1]))
        n--;
    if (n >= 5 && strncmp(a, "json ", 5) == 0) {
        const json_t *v = lookup(root, a + 5, n - 5);
        cleanup_free char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        puts_(o, s ? s : "null");
        return 0;
    }
    if (n >= 6 && strncmp(a, "index ", 6) == 0) {
        const char *sp = memchr(a + 6, ' ', n - 6);
        const char *q = sp ? memchr(sp, '"', (size_t) (a + n - sp)) : NULL;
        const char *q2 = q ? memchr(q + 1, '"', (size_t) (a + n - q - 1)) : NULL;
        if (q2 == NULL)
            return error_new(err, EINVAL, "--format: expected {{index .FIELD \"KEY\"}}");
        const json_t *v = lookup(root, a + 6, (size_t) (sp - a - 6));
        char key[256];
        snprintf(key, sizeof(key), "%.*s", (int) (q2 - q - 1), q + 1);
        print_value(o, json_object_get(v, key));
        return 0;
    }
    if (n > 0 && a[0] == '.') {
        print_value(o, lookup(root, a, n));
        return 0;
    }
    return error_new(err, EINVAL, "--format: `{{%.*s}}` is not supported (.FIELD, json .FIELD "
                                  "and index .FIELD \"KEY\" are)", (int) n, a);
}

int cabin_template(const char *tmpl, const json_t *root, char **ret, struct error **err)
{
    struct out o = {0};
    puts_(&o, "");
    const char *p = tmpl;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (open == NULL) {
            puts_(&o, p);
            break;
        }
        put(&o, p, (size_t) (open - p));
        const char *close = strstr(open + 2, "}}");
        if (close == NULL) {
            free(o.s);
            return error_new(err, EINVAL, "--format `%s`: a `{{` without `}}`", tmpl);
        }
        if (action(&o, root, open + 2, (size_t) (close - open - 2), err) < 0) {
            free(o.s);
            return -EINVAL;
        }
        p = close + 2;
    }
    /* Go's templates know "\t" and "\n" only as written; docker's users
     * write them escaped. */
    for (char *s = o.s; s && (s = strchr(s, '\\')) != NULL;) {
        if (s[1] == 't' || s[1] == 'n') {
            *s = s[1] == 't' ? '\t' : '\n';
            memmove(s + 1, s + 2, strlen(s + 2) + 1);
        }
        s++;
    }
    if (o.s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = o.s;
    return 0;
}

int cabin_print_format(const char *format, const json_t *j, size_t json_flags,
                       struct error **err)
{
    cleanup_free char *s = NULL;
    if (format == NULL || strcmp(format, "table") == 0)
        return 1;
    if (strcmp(format, "json") == 0)
        s = json_dumps(j, json_flags);
    else if (cabin_template(format, j, &s, err) < 0)
        return -1;
    printf("%s\n", s ? s : "{}");
    return 0;
}
