/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin volume create|ls|inspect|rm|prune`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/netvol.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/random.h"
#include "util/strv.h"

static int cmd_volume_create(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_volume_ls(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_volume_inspect(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_volume_rm(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_volume_prune(struct cabin_ctx *ctx, int argc, char **argv);

static const struct cabin_command volume_commands[] = {
    {"create", cmd_volume_create, "create a volume"},
    {"inspect", cmd_volume_inspect, "show volumes in detail (JSON)"},
    {"ls", cmd_volume_ls, "list volumes"},
    {"prune", cmd_volume_prune, "remove unused anonymous volumes (-a: all unused)"},
    {"rm", cmd_volume_rm, "remove volumes"},
};

int cmd_volume(struct cabin_ctx *ctx, int argc, char **argv)
{
    return cabin_dispatch(ctx, "volume", volume_commands,
                          sizeof(volume_commands) / sizeof(volume_commands[0]), argc, argv);
}

static json_t *labels_object(char *const *labels)
{
    json_t *o = json_object();
    for (size_t i = 0; labels && labels[i]; i++) {
        const char *eq = strchr(labels[i], '=');
        cleanup_free char *k = strndup(labels[i], eq ? (size_t) (eq - labels[i]) : 0);
        if (k)
            json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
    }
    return o;
}

/* ---- create ------------------------------------------------------------------ */

struct create_cli {
    const char *driver;
    char **labels, **opts;
};

static const struct option_def create_options[] = {
    OPTION_STRING("driver", 'd', struct create_cli, driver, "NAME", "local (the only one)"),
    OPTION_STRLIST("label", 0, struct create_cli, labels, "KEY=VALUE", "set a label"),
    OPTION_STRLIST("opt", 'o', struct create_cli, opts, "KEY=VALUE", "driver options (none)"),
    OPTION_END,
};

static int cmd_volume_create(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct create_cli c = {0};
    int i, ex;
    bool ok = cabin_parse("cabin volume create [OPTIONS] [NAME]",
                          "Create a volume (a name of its own when none is given).  Existing "
                          "ones are left as they are.",
                          create_options, &c, argc, argv, 0, 0, 1, 1, &i, &ex);
    cleanup_strv char **labels = c.labels, **opts = c.opts;
    if (!ok)
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.driver && strcmp(c.driver, "local") != 0)
        error_new(&err, ENOTSUP, "--driver `%s`: only the local driver exists", c.driver);
    else if (opts)
        error_new(&err, ENOTSUP, "-o `%s`: the local driver takes no options here (a volume "
                  "is a folder under ROOT/volumes)", opts[0]);
    char name[65];
    if (err == NULL && i == argc && random_hex(name, 64) < 0)
        error_errno(&err, "making a volume name");
    struct engine *e = NULL;
    cleanup_volume struct volume *v = NULL;
    if (err || cabin_engine(ctx, &e, &err) < 0 ||
        volume_ensure(e, i < argc ? argv[i] : name, labels, false, &v, NULL, &err) < 0)
        return cabin_fail(err, 1);
    printf("%s\n", v->name);
    return 0;
}

/* ---- ls ------------------------------------------------------------------------- */

struct ls_cli {
    bool quiet;
    const char *format;
    char **filters;
};

static const struct option_def ls_options[] = {
    OPTION_BOOL("quiet", 'q', struct ls_cli, quiet, "print volume names only"),
    OPTION_STRING("format", 0, struct ls_cli, format, "FORMAT",
                  "`json`: a JSON array instead of the table"),
    OPTION_STRLIST("filter", 'f', struct ls_cli, filters, "KEY=VALUE",
                   "dangling=true|false, name=, label=KEY[=VALUE]"),
    OPTION_END,
};

static int check_filters(char *const *filters, struct error **err)
{
    for (size_t i = 0; filters && filters[i]; i++) {
        const char *f = filters[i];
        if (strcmp(f, "dangling=true") == 0 || strcmp(f, "dangling=false") == 0 ||
            strcmp(f, "dangling=1") == 0 || strcmp(f, "dangling=0") == 0 ||
            strncmp(f, "name=", 5) == 0 || strncmp(f, "label=", 6) == 0)
            continue;
        return error_new(err, EINVAL, "--filter `%s`: expected dangling=true|false, name= or "
                         "label=", f);
    }
    return 0;
}

static int in_use(struct engine *e, const char *name, bool *ret, struct error **err)
{
    cleanup_strv char **users = NULL;
    int r = netvol_users(e, NULL, name, &users, err);
    if (r == 0)
        *ret = users != NULL;
    return r;
}

static int matches(struct engine *e, const struct volume *v, char *const *filters, bool *ret,
                   struct error **err)
{
    *ret = true;
    for (size_t i = 0; *ret && filters && filters[i]; i++) {
        const char *val = strchr(filters[i], '=') + 1;
        if (strncmp(filters[i], "name=", 5) == 0) {
            *ret = strstr(v->name, val) != NULL;
        } else if (strncmp(filters[i], "label=", 6) == 0) {
            *ret = volume_has_label(v, val);
        } else {
            bool used = false;
            int r = in_use(e, v->name, &used, err);
            if (r < 0)
                return r;
            *ret = used != (val[0] == 't' || val[0] == '1');
        }
    }
    return 0;
}

static int cmd_volume_ls(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct ls_cli c = {0};
    int i, ex;
    bool ok = cabin_parse("cabin volume ls [OPTIONS]", "List volumes.", ls_options, &c, argc,
                          argv, 0, 0, 0, 1, &i, &ex);
    cleanup_strv char **filters = c.filters;
    if (!ok)
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.format && strcmp(c.format, "json") != 0)
        error_new(&err, EINVAL, "--format `%s`: only json is supported", c.format);
    struct engine *e = NULL;
    struct volume **all = NULL;
    if (err || check_filters(filters, &err) < 0 || cabin_engine(ctx, &e, &err) < 0 ||
        volume_list(e, &all, &err) < 0)
        return cabin_fail(err, 1);
    struct cabin_table t = {.ncols = 2};
    cleanup_json json_t *arr = json_array();
    if (!c.quiet && !c.format)
        cabin_table_add(&t, (const char *[]) {"DRIVER", "VOLUME NAME"});
    int status = 0;
    for (size_t k = 0; all[k]; k++) {
        bool want = false;
        if (matches(e, all[k], filters, &want, &err) < 0) {
            status = cabin_fail(err, 1);
            break;
        }
        if (!want)
            continue;
        if (c.format)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o}", "Name",
                                                 all[k]->name, "Driver", "local", "Scope",
                                                 "local", "Mountpoint", all[k]->mountpoint,
                                                 "Labels", labels_object(all[k]->labels)));
        else if (c.quiet)
            printf("%s\n", all[k]->name);
        else
            cabin_table_add(&t, (const char *[]) {"local", all[k]->name});
    }
    volume_list_free(all);
    if (c.format) {
        cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
        printf("%s\n", s ? s : "[]");
    } else if (!c.quiet) {
        cabin_table_print(&t);
    }
    return status;
}

/* ---- inspect ---------------------------------------------------------------------- */

static int cmd_volume_inspect(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin volume inspect VOLUME [VOLUME...]",
                     "Show volumes in detail: where the data is, when made, labels (JSON).",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 1, -1, 1,
                     &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    cleanup_json json_t *arr = json_array();
    int status = 0;
    for (; i < argc; i++) {
        cleanup_volume struct volume *v = NULL;
        cleanup_error struct error *e2 = NULL;
        if (volume_load(e, argv[i], &v, &e2) < 0) {
            status = cabin_fail(e2, 1);
            continue;
        }
        char created[40];
        cabin_rfc3339(v->created, created, sizeof(created));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:s, s:{}, s:s, s:b}",
                                             "CreatedAt", created, "Driver", "local", "Labels",
                                             labels_object(v->labels), "Mountpoint",
                                             v->mountpoint, "Name", v->name, "Options",
                                             "Scope", "local", "Anonymous", v->anonymous));
    }
    cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
    printf("%s\n", s ? s : "[]");
    return status;
}

/* ---- rm and prune ------------------------------------------------------------------ */

struct rm_cli {
    bool force;
};

static const struct option_def rm_options[] = {
    OPTION_BOOL("force", 'f', struct rm_cli, force, "no error for a volume that is not there"),
    OPTION_END,
};

static int cmd_volume_rm(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct rm_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin volume rm [OPTIONS] VOLUME [VOLUME...]",
                     "Remove volumes, with their data.  A volume a container uses (running or "
                     "not) stays.",
                     rm_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        if (volume_remove(e, argv[i], &e2) == 0)
            printf("%s\n", argv[i]);
        else if (!(c.force && error_code(e2) == ENOENT))
            status = cabin_fail(e2, 1);
    }
    return status;
}

struct prune_cli {
    bool force, all;
    char **filters;
};

static const struct option_def prune_options[] = {
    OPTION_BOOL("all", 'a', struct prune_cli, all, "named volumes too, not only anonymous ones"),
    OPTION_BOOL("force", 'f', struct prune_cli, force, "do not ask for confirmation"),
    OPTION_STRLIST("filter", 0, struct prune_cli, filters, "KEY=VALUE", "label=KEY[=VALUE]"),
    OPTION_END,
};

static int cmd_volume_prune(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct prune_cli c = {0};
    int i, ex;
    bool ok = cabin_parse("cabin volume prune [OPTIONS]",
                          "Remove the anonymous volumes no container uses (with -a, every "
                          "volume no container uses).",
                          prune_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex);
    cleanup_strv char **filters = c.filters;
    if (!ok)
        return ex;
    cleanup_error struct error *err = NULL;
    for (size_t k = 0; filters && filters[k]; k++)
        if (strncmp(filters[k], "label=", 6) != 0)
            return error_new(&err, EINVAL, "--filter `%s`: expected label=", filters[k]),
                   cabin_fail(err, 1);
    if (!c.force) {
        printf("WARNING! This will remove %s volumes not used by at least one container.\n"
               "Are you sure you want to continue? [y/N] ",
               c.all ? "all local" : "anonymous local");
        fflush(stdout);
        char line[16];
        if (fgets(line, sizeof(line), stdin) == NULL || (line[0] != 'y' && line[0] != 'Y'))
            return 0;
    }
    cleanup_strv char **labels = NULL, **removed = NULL;
    for (size_t k = 0; filters && filters[k]; k++)
        if (strv_push(&labels, filters[k] + 6) < 0)
            return error_new(&err, ENOMEM, "out of memory"), cabin_fail(err, 1);
    struct engine *e = NULL;
    uint64_t total = 0;
    int r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = netvol_prune_volumes(e, c.all, labels, &removed, &total, &err);
    for (size_t k = 0; removed && removed[k]; k++)
        printf("%s%s\n", k ? "" : "Deleted Volumes:\n", removed[k]);
    char size[32];
    cabin_human_size(total, size, sizeof(size));
    printf("%sTotal reclaimed space: %s\n", removed ? "\n" : "", size);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
