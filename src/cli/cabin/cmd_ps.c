/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/inspect.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct ps_cli {
    bool all, quiet, no_trunc, latest, size;
    char **filters;
    const char *format, *last;
};

static const struct option_def ps_options[] = {
    OPTION_BOOL("all", 'a', struct ps_cli, all, "every container (default: running ones)"),
    OPTION_BOOL("quiet", 'q', struct ps_cli, quiet, "print container ids only"),
    OPTION_BOOL("no-trunc", 0, struct ps_cli, no_trunc, "do not shorten ids and commands"),
    OPTION_STRLIST("filter", 'f', struct ps_cli, filters, "KEY=VALUE",
                   "status=, name=, label=KEY[=VALUE], id=, exited=, ancestor="),
    OPTION_STRING("format", 0, struct ps_cli, format, "FORMAT",
                  "json (an object a line), or a template ({{.ID}} {{.Names}} ...)"),
    OPTION_STRING("last", 'n', struct ps_cli, last, "N", "the N newest containers (all states)"),
    OPTION_BOOL("latest", 'l', struct ps_cli, latest, "the newest container (all states)"),
    OPTION_BOOL("size", 's', struct ps_cli, size, "show the size of each container's own files"),
    OPTION_END,
};

/* --filter KEY=VALUE items: the same key ORs, different keys AND. */
struct filter {
    char key[16];
    const char *value;
    regex_t re; /* name= */
    bool has_re;
};

static int filters_parse(char **items, struct filter **ret, size_t *ret_n, struct error **err)
{
    static const char *const keys[] = {"status", "name", "label", "id", "exited", "ancestor"};
    size_t n = strv_length(items);
    struct filter *f = calloc(n + 1, sizeof(*f));
    if (f == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(items[i], '=');
        size_t k = eq ? (size_t) (eq - items[i]) : 0;
        bool known = false;
        for (size_t j = 0; eq && j < sizeof(keys) / sizeof(keys[0]); j++)
            known |= strlen(keys[j]) == k && strncmp(keys[j], items[i], k) == 0;
        if (!known) {
            free(f);
            return error_new(err, EINVAL, "--filter `%s`: expected status=, name=, label=, id=, "
                                          "exited= or ancestor=", items[i]);
        }
        snprintf(f[i].key, sizeof(f[i].key), "%.*s", (int) k, items[i]);
        f[i].value = eq + 1;
        if (strcmp(f[i].key, "status") == 0 && engine_status_parse(f[i].value) < 0) {
            free(f);
            return error_new(err, EINVAL, "--filter `%s`: the statuses are created, restarting, "
                                          "running, removing, paused, exited and dead", items[i]);
        }
        if (strcmp(f[i].key, "name") == 0) {
            if (regcomp(&f[i].re, f[i].value, REG_EXTENDED | REG_NOSUB) != 0) {
                free(f);
                return error_new(err, EINVAL, "--filter `%s`: not a regular expression",
                                 items[i]);
            }
            f[i].has_re = true;
        }
    }
    *ret = f;
    *ret_n = n;
    return 0;
}

static void filters_free(struct filter *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        if (f[i].has_re)
            regfree(&f[i].re);
    free(f);
}

static bool label_match(const struct engine_container *c, const char *want)
{
    const json_t *labels = json_object_get(c->config, "Labels");
    const char *eq = strchr(want, '=');
    char key[256];
    snprintf(key, sizeof(key), "%.*s", eq ? (int) (eq - want) : (int) strlen(want), want);
    const char *v = json_string_value(json_object_get(labels, key));
    if (json_object_get(labels, key) == NULL)
        return false;
    return eq == NULL || (v && strcmp(v, eq + 1) == 0);
}

static bool one_match(const struct filter *f, const struct engine_container *c,
                      const struct engine_state *st)
{
    if (strcmp(f->key, "status") == 0)
        return engine_status_parse(f->value) == (int) st->status;
    if (strcmp(f->key, "name") == 0)
        return regexec(&f->re, c->name, 0, NULL, 0) == 0;
    if (strcmp(f->key, "label") == 0)
        return label_match(c, f->value);
    if (strcmp(f->key, "id") == 0)
        return strncmp(c->id, f->value, strlen(f->value)) == 0;
    if (strcmp(f->key, "exited") == 0)
        return st->status == ENGINE_EXITED && st->exit_code == atoi(f->value);
    if (strcmp(f->key, "ancestor") == 0)
        return strcmp(c->image, f->value) == 0 || strstr(c->image_id, f->value) != NULL;
    return false;
}

static bool matches(const struct filter *f, size_t n, const struct engine_container *c,
                    const struct engine_state *st)
{
    for (size_t i = 0; i < n; i++) {
        bool any = false, seen = false;
        for (size_t k = 0; k < n; k++) {
            if (strcmp(f[k].key, f[i].key) != 0)
                continue;
            if (k < i)
                seen = true; /* this key was decided already */
            any |= one_match(&f[k], c, st);
        }
        if (!seen && !any)
            return false;
    }
    return true;
}

static void print_row(const struct ps_cli *c, struct cabin_table *t, json_t *row,
                      const char *size)
{
    const char *cells[] = {
        json_string_value(json_object_get(row, "ID")),
        json_string_value(json_object_get(row, "Image")),
        json_string_value(json_object_get(row, "Command")),
        json_string_value(json_object_get(row, "RunningFor")),
        json_string_value(json_object_get(row, "Status")),
        json_string_value(json_object_get(row, "Ports")),
        json_string_value(json_object_get(row, "Names")),
        size,
    };
    (void) c;
    cabin_table_add(t, cells);
}

static int show(struct engine *e, const struct ps_cli *c, struct engine_container **list,
                size_t n, struct filter *f, size_t nf, struct error **err)
{
    bool table = !c->quiet && (!c->format || strcmp(c->format, "table") == 0);
    int64_t last = c->latest ? 1 : -1;
    if (c->last && (last = atoll(c->last)) < 0)
        last = -1;
    struct cabin_table t = {.ncols = c->size ? 8 : 7};
    if (table)
        cabin_table_add(&t, (const char *[]) {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                              "STATUS", "PORTS", "NAMES", "SIZE"});
    /* docker: a status filter looks at every container, others at the
     * running ones unless -a. */
    bool by_status = false;
    for (size_t i = 0; i < nf; i++)
        by_status |= strcmp(f[i].key, "status") == 0;
    int64_t shown = 0;
    for (size_t k = n; k-- > 0 && (last < 0 || shown < last);) {
        struct engine_state st;
        engine_container_state(e, list[k], &st);
        bool live = st.status == ENGINE_RUNNING || st.status == ENGINE_PAUSED ||
                    st.status == ENGINE_RESTARTING;
        if (!c->all && last < 0 && !by_status && !live)
            continue;
        if (!matches(f, nf, list[k], &st))
            continue;
        shown++;
        if (c->quiet) {
            printf(c->no_trunc ? "%s\n" : "%.12s\n", list[k]->id);
            continue;
        }
        cleanup_json json_t *row = engine_container_row(e, list[k], &st, c->no_trunc);
        if (row == NULL)
            return error_new(err, ENOMEM, "out of memory");
        char size[32] = "";
        if (c->size) {
            uint64_t bytes = 0;
            engine_container_usage(e, list[k], &bytes, NULL);
            cabin_human_size(bytes, size, sizeof(size));
            json_object_set_new(row, "Size", json_string(size));
        }
        int r = cabin_print_format(c->format, row, JSON_COMPACT, err);
        if (r < 0)
            return -EINVAL;
        if (r == 1)
            print_row(c, &t, row, size);
    }
    if (table)
        cabin_table_print(&t);
    return 0;
}

int cmd_ps(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct ps_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin ps [OPTIONS]", "List containers (running ones unless -a).",
                     ps_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex)) {
        strv_free(c.filters);
        return ex;
    }
    cleanup_strv char **filters = c.filters;
    cleanup_error struct error *err = NULL;
    struct filter *f = NULL;
    size_t nf = 0;
    if (filters_parse(filters, &f, &nf, &err) < 0)
        return cabin_fail(err, 1);
    struct engine *e = NULL;
    struct engine_container **list = NULL;
    size_t n = 0;
    int r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = engine_container_list(e, &list, &n, &err);
    if (r == 0)
        r = show(e, &c, list, n, f, nf, &err);
    engine_container_list_free(list);
    filters_free(f, nf);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
