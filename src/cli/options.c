/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/options.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"

int options_parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v > max)
        return -ERANGE;
    *ret = v;
    return 0;
}

static const struct option_def *find(const struct option_def *defs, const char *name, size_t len,
                                     char short_name)
{
    for (const struct option_def *d = defs; d->name; d++) {
        if (short_name && d->short_name == short_name)
            return d;
        if (!short_name && strlen(d->name) == len && strncmp(d->name, name, len) == 0)
            return d;
    }
    return NULL;
}

/* Booleans take no separate value argument (`--flag`, `--flag=false`). */
static bool is_flag(const struct option_def *d)
{
    return d->type == OPTION_TYPE_BOOL || d->type == OPTION_TYPE_TRISTATE;
}

static int store(const struct option_def *d, void *target, const char *value, bool has_value,
                 struct error **err)
{
    char *field = (char *) target + d->offset;
    switch (d->type) {
    case OPTION_TYPE_BOOL:
    case OPTION_TYPE_TRISTATE: {
        bool v;
        if (!has_value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
            v = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
            v = false;
        else
            return error_new(err, EINVAL, "--%s: expected true or false, got `%s`", d->name,
                             value);
        if (d->type == OPTION_TYPE_BOOL)
            *(bool *) field = v;
        else
            *(int *) field = v;
        return 0;
    }
    case OPTION_TYPE_STRING:
        *(const char **) field = value;
        return 0;
    case OPTION_TYPE_UINT: {
        unsigned long long v;
        if (options_parse_uint(value, UINT32_MAX, &v) < 0)
            return error_new(err, EINVAL, "--%s: `%s` is not a whole number", d->name, value);
        *(unsigned int *) field = (unsigned int) v;
        return 0;
    }
    case OPTION_TYPE_STRLIST:
        if (strv_push((char ***) field, value) < 0)
            return error_new(err, ENOMEM, "out of memory");
        return 0;
    }
    return error_new(err, EINVAL, "--%s: bad option table", d->name);
}

/* Docker style ---------------------------------------------------------- */

static bool has_short(const struct option_def *defs, char c)
{
    return find(defs, NULL, 0, c) != NULL;
}

/* One `--name[=value]` argument at argv[*i]. */
static int docker_long(const struct option_def *defs, void *target, int argc, char **argv, int *i,
                       struct error **err)
{
    const char *name = argv[*i] + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t) (eq - name) : strlen(name);
    const struct option_def *d = find(defs, name, len, 0);
    if (d == NULL)
        return error_new(err, EINVAL, "unknown flag: --%.*s", (int) len, name);
    (*i)++;
    const char *value = eq ? eq + 1 : NULL;
    if (!is_flag(d) && value == NULL) {
        if (*i >= argc)
            return error_new(err, EINVAL, "flag needs an argument: --%s", d->name);
        value = argv[(*i)++];
    }
    return store(d, target, value, value != NULL, err);
}

/* One `-abc[value]` group at argv[*i]. */
static int docker_short(const struct option_def *defs, void *target, int argc, char **argv,
                        int *i, struct error **err)
{
    const char *group = argv[*i];
    (*i)++;
    for (const char *p = group + 1; *p; p++) {
        const struct option_def *d = find(defs, NULL, 0, *p);
        if (d == NULL)
            return error_new(err, EINVAL, "unknown shorthand flag: '%c' in %s", *p, group);
        if (is_flag(d)) {
            /* `-d=false` */
            if (p[1] == '=')
                return store(d, target, p + 2, true, err);
            int r = store(d, target, NULL, false, err);
            if (r < 0)
                return r;
            continue;
        }
        const char *value = p + 1;
        if (*value == '=')
            value++;
        if (*value == '\0') {
            if (p[1] == '=' || *i >= argc)
                return error_new(err, EINVAL, "flag needs an argument: '%c' in %s", *p, group);
            value = argv[(*i)++];
        }
        return store(d, target, value, true, err);
    }
    return 0;
}

int options_parse_docker(const struct option_def *defs, void *target, int argc, char **argv,
                         int *index, unsigned int flags, struct error **err)
{
    int i = *index;
    int npos = 0;
    char **pos = calloc((size_t) (argc - i) + 1, sizeof(char *));
    if (pos == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = 0;
    while (i < argc) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (flags & OPTIONS_STOP_AT_POSITIONAL)
                break;
            pos[npos++] = a;
            i++;
            continue;
        }
        if (strcmp(a, "--help") == 0 || (strcmp(a, "-h") == 0 && !has_short(defs, 'h'))) {
            free(pos);
            *index = i + 1;
            return OPTIONS_HELP;
        }
        r = a[1] == '-' ? docker_long(defs, target, argc, argv, &i, err)
                        : docker_short(defs, target, argc, argv, &i, err);
        if (r < 0) {
            free(pos);
            return r;
        }
    }
    /* Positionals met on the way go just before argv[i] (what follows `--`,
     * or the first positional in stop mode), in their original order; the
     * slots they take held options already consumed. */
    int start = i - npos;
    memcpy(argv + start, pos, (size_t) npos * sizeof(char *));
    free(pos);
    *index = start;
    return 0;
}

int options_parse(const struct option_def *defs, void *target, int argc, char **argv, int *index,
                  struct error **err)
{
    int i = *index;
    while (i < argc) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0) {
            *index = i + 1;
            return OPTIONS_HELP;
        }
        const char *name = a + 1;
        if (*name == '-')
            name++;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t) (eq - name) : strlen(name);
        const struct option_def *d = NULL;
        if (a[1] != '-' && len == 1)
            d = find(defs, NULL, 0, name[0]);
        if (d == NULL)
            d = find(defs, name, len, 0);
        if (d == NULL)
            return error_new(err, EINVAL, "unknown option `%.*s`", (int) (len + (size_t) (name - a)),
                             a);
        i++;
        const char *value = eq ? eq + 1 : NULL;
        if (!is_flag(d) && value == NULL) {
            if (i >= argc)
                return error_new(err, EINVAL, "option `--%s` needs a value", d->name);
            value = argv[i++];
        }
        int r = store(d, target, value, value != NULL, err);
        if (r < 0)
            return r;
    }
    *index = i;
    return 0;
}

void options_print_help(FILE *f, const char *usage, const char *description,
                        const struct option_def *defs)
{
    fprintf(f, "Usage: %s\n\n%s\n", usage, description);
    if (defs == NULL || defs->name == NULL)
        return;
    fprintf(f, "\nOptions:\n");
    for (const struct option_def *d = defs; d->name; d++) {
        char left[64];
        if (d->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", d->short_name, d->name,
                     d->arg_name ? " " : "", d->arg_name ? d->arg_name : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg_name ? " " : "",
                     d->arg_name ? d->arg_name : "");
        fprintf(f, "  %-28s %s\n", left, d->help);
    }
}

int options_parse_command(const struct option_def *defs, void *target, int argc, char **argv,
                          unsigned int flags, int min, int max, const char *usage,
                          const char *description, int *index, struct error **err)
{
    *index = 1;
    int r = (flags & OPTIONS_DOCKER)
                ? options_parse_docker(defs, target, argc, argv, index, flags, err)
                : options_parse(defs, target, argc, argv, index, err);
    if (r == OPTIONS_HELP) {
        options_print_help(stdout, usage, description, defs);
        return OPTIONS_HELP;
    }
    if (r < 0)
        return error_wrap(err, "%s", argv[0]);
    int have = argc - *index;
    if (have >= min && (max < 0 || have <= max))
        return 0;
    if (min == max)
        return error_new(err, EINVAL, "%s: expected %d argument%s, got %d (usage: %s)", argv[0],
                         min, min == 1 ? "" : "s", have, usage);
    if (have < min)
        return error_new(err, EINVAL, "%s: expected at least %d argument%s, got %d (usage: %s)",
                         argv[0], min, min == 1 ? "" : "s", have, usage);
    return error_new(err, EINVAL, "%s: expected at most %d argument%s, got %d (usage: %s)",
                     argv[0], max, max == 1 ? "" : "s", have, usage);
}
