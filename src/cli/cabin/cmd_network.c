/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin network create|ls|inspect|rm|prune`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/netvol.h"
#include "engine/network.h"
#include "engine/sandbox.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

static int cmd_network_create(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_network_ls(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_network_inspect(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_network_rm(struct cabin_ctx *ctx, int argc, char **argv);
static int cmd_network_prune(struct cabin_ctx *ctx, int argc, char **argv);

static const struct cabin_command network_commands[] = {
    {"create", cmd_network_create, "create a network"},
    {"inspect", cmd_network_inspect, "show networks in detail (JSON)"},
    {"ls", cmd_network_ls, "list networks"},
    {"prune", cmd_network_prune, "remove every network no container uses"},
    {"rm", cmd_network_rm, "remove networks"},
};

int cmd_network(struct cabin_ctx *ctx, int argc, char **argv)
{
    return cabin_dispatch(ctx, "network", network_commands,
                          sizeof(network_commands) / sizeof(network_commands[0]), argc, argv);
}

/* ---- create ---------------------------------------------------------------- */

struct create_cli {
    const char *subnet, *gateway, *driver, *iface;
    bool internal;
    char **labels, **opts;
};

static const struct option_def create_options[] = {
    OPTION_STRING("subnet", 0, struct create_cli, subnet, "CIDR",
                  "the IPv4 subnet (default: a free /24 from 10.91.0.0 on)"),
    OPTION_STRING("gateway", 0, struct create_cli, gateway, "IP",
                  "the bridge's address (default: the subnet's first)"),
    OPTION_BOOL("internal", 0, struct create_cli, internal,
                "no way out: no gateway, no masquerading, no default route"),
    OPTION_STRING("driver", 'd', struct create_cli, driver, "NAME", "bridge (the only one)"),
    OPTION_STRING("interface-name", 0, struct create_cli, iface, "NAME",
                  "the bridge's interface name (default: cbr-<id>)"),
    OPTION_STRLIST("label", 0, struct create_cli, labels, "KEY=VALUE", "set a label"),
    OPTION_STRLIST("opt", 'o', struct create_cli, opts, "KEY=VALUE",
                   "com.docker.network.bridge.name=NAME, com.docker.network.driver.mtu=N"),
    OPTION_END,
};

static int apply_opts(struct create_cli *c, struct network_create_opts *o, struct error **err)
{
    for (size_t i = 0; c->opts && c->opts[i]; i++) {
        const char *kv = c->opts[i], *eq = strchr(kv, '=');
        size_t kl = eq ? (size_t) (eq - kv) : 0;
        const char *v = eq ? eq + 1 : "";
        if (eq && kl == strlen("com.docker.network.bridge.name") &&
            strncmp(kv, "com.docker.network.bridge.name", kl) == 0) {
            o->bridge = v;
        } else if (eq && ((kl == 3 && strncmp(kv, "mtu", 3) == 0) ||
                          (kl == strlen("com.docker.network.driver.mtu") &&
                           strncmp(kv, "com.docker.network.driver.mtu", kl) == 0))) {
            unsigned long long mtu;
            if (options_parse_uint(v, 65535, &mtu) < 0 || mtu < 68)
                return error_new(err, EINVAL, "-o %s: the MTU must be from 68 to 65535", kv);
            o->mtu = (unsigned) mtu;
        } else {
            return error_new(err, EINVAL, "-o `%s`: unknown option (com.docker.network.bridge."
                             "name, com.docker.network.driver.mtu)", kv);
        }
    }
    if (c->iface)
        o->bridge = c->iface;
    return 0;
}

static int cmd_network_create(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct create_cli c = {0};
    int i, ex;
    bool ok = cabin_parse("cabin network create [OPTIONS] NAME",
                          "Create a bridge network: a conflist in ROOT/net.d (bridge, "
                          "host-local, portmap, firewall), used with run --network NAME.",
                          create_options, &c, argc, argv, 0, 1, 1, 1, &i, &ex);
    cleanup_strv char **labels = c.labels, **opts = c.opts;
    if (!ok)
        return ex;
    cleanup_error struct error *err = NULL;
    struct network_create_opts o = {.name = argv[i], .driver = c.driver, .subnet = c.subnet,
                                    .gateway = c.gateway, .internal = c.internal,
                                    .labels = labels};
    if (apply_opts(&c, &o, &err) < 0)
        return cabin_fail(err, 1);
    struct engine *e = NULL;
    cleanup_network struct network *n = NULL;
    if (cabin_engine(ctx, &e, &err) < 0 || network_create(e, &o, &n, &err) < 0)
        return cabin_fail(err, 1);
    printf("%s\n", n->id);
    return 0;
}

/* ---- ls ------------------------------------------------------------------------ */

struct ls_cli {
    bool quiet, no_trunc;
    const char *format;
    char **filters;
};

static const struct option_def ls_options[] = {
    OPTION_BOOL("quiet", 'q', struct ls_cli, quiet, "print network ids only"),
    OPTION_BOOL("no-trunc", 0, struct ls_cli, no_trunc, "do not shorten ids"),
    OPTION_STRING("format", 0, struct ls_cli, format, "FORMAT",
                  "`json`: a JSON array instead of the table"),
    OPTION_STRLIST("filter", 'f', struct ls_cli, filters, "KEY=VALUE",
                   "name=, id=, driver=, label=KEY[=VALUE]"),
    OPTION_END,
};

static int check_filters(char *const *filters, struct error **err)
{
    static const char *const keys[] = {"name=", "id=", "driver=", "label="};
    for (size_t i = 0; filters && filters[i]; i++) {
        bool ok = false;
        for (size_t k = 0; k < 4; k++)
            ok = ok || strncmp(filters[i], keys[k], strlen(keys[k])) == 0;
        if (!ok)
            return error_new(err, EINVAL, "--filter `%s`: expected name=, id=, driver= or "
                             "label=", filters[i]);
    }
    return 0;
}

static bool has_label(char *const *labels, const char *want)
{
    size_t n = strlen(want);
    for (size_t i = 0; labels && labels[i]; i++)
        if (strcmp(labels[i], want) == 0 ||
            (strchr(want, '=') == NULL && strncmp(labels[i], want, n) == 0 && labels[i][n] == '='))
            return true;
    return false;
}

static bool matches(const struct network *n, char *const *filters)
{
    for (size_t i = 0; filters && filters[i]; i++) {
        const char *v = strchr(filters[i], '=') + 1;
        bool ok = true;
        if (strncmp(filters[i], "name=", 5) == 0)
            ok = strstr(n->name, v) != NULL;
        else if (strncmp(filters[i], "id=", 3) == 0)
            ok = strncmp(n->id, v, strlen(v)) == 0;
        else if (strncmp(filters[i], "driver=", 7) == 0)
            ok = n->driver && strcmp(n->driver, v) == 0;
        else if (strncmp(filters[i], "label=", 6) == 0)
            ok = has_label(n->labels, v);
        if (!ok)
            return false;
    }
    return true;
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

static int cmd_network_ls(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct ls_cli c = {0};
    int i, ex;
    bool ok = cabin_parse("cabin network ls [OPTIONS]", "List networks.", ls_options, &c, argc,
                          argv, 0, 0, 0, 1, &i, &ex);
    cleanup_strv char **filters = c.filters;
    if (!ok)
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.format && strcmp(c.format, "json") != 0)
        error_new(&err, EINVAL, "--format `%s`: only json is supported", c.format);
    struct engine *e = NULL;
    struct network **all = NULL;
    if (err || check_filters(filters, &err) < 0 || cabin_engine(ctx, &e, &err) < 0 ||
        network_list(e, &all, NULL, &err) < 0)
        return cabin_fail(err, 1);
    struct cabin_table t = {.ncols = 4};
    cleanup_json json_t *arr = json_array();
    if (!c.quiet && !c.format)
        cabin_table_add(&t, (const char *[]) {"NETWORK ID", "NAME", "DRIVER", "SCOPE"});
    for (size_t k = 0; all[k]; k++) {
        const struct network *n = all[k];
        if (!matches(n, filters))
            continue;
        char id[NETWORK_ID_LEN + 1];
        snprintf(id, sizeof(id), c.no_trunc ? "%s" : "%.12s", n->id);
        if (c.format)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "ID", n->id,
                                                 "Name", n->name, "Driver",
                                                 n->driver ? n->driver : "", "Scope", "local",
                                                 "Internal", n->internal, "Labels",
                                                 labels_object(n->labels)));
        else if (c.quiet)
            printf("%s\n", id);
        else
            cabin_table_add(&t, (const char *[]) {id, n->name, n->driver ? n->driver : "",
                                                  "local"});
    }
    network_list_free(all);
    if (c.format) {
        cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
        printf("%s\n", s ? s : "[]");
    } else if (!c.quiet) {
        cabin_table_print(&t);
    }
    return 0;
}

/* ---- inspect ---------------------------------------------------------------------- */

static json_t *containers_on(const struct network *n, struct sandbox *const *all)
{
    json_t *o = json_object();
    for (size_t i = 0; all && all[i]; i++)
        for (size_t k = 0; k < all[i]->n_eps; k++) {
            const struct sandbox_endpoint *p = &all[i]->eps[k];
            if (strcmp(p->network, n->name) != 0)
                continue;
            char addr[64] = "";
            if (p->ip)
                snprintf(addr, sizeof(addr), "%s/%d", p->ip, p->prefix);
            json_object_set_new(o, all[i]->id,
                                json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name",
                                          all[i]->name ? all[i]->name : "", "EndpointID", "",
                                          "MacAddress", p->mac ? p->mac : "", "IPv4Address",
                                          addr, "IPv6Address", ""));
        }
    return o;
}

static json_t *inspect_one(struct engine *e, const struct network *n, struct sandbox *const *all)
{
    char created[40], path[4096];
    cabin_rfc3339(n->created, created, sizeof(created));
    snprintf(path, sizeof(path), "%s/" NETWORK_DIR "/%s.conflist", e->root, n->name);
    json_t *config = json_array();
    if (n->subnet)
        json_array_append_new(config, json_pack("{s:s, s:s}", "Subnet", n->subnet, "Gateway",
                                                n->gateway ? n->gateway : ""));
    json_t *opts = json_object();
    if (n->bridge)
        json_object_set_new(opts, "com.docker.network.bridge.name", json_string(n->bridge));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:o}, s:b, s:b, s:o, s:o, "
                     "s:o, s:s, s:O}",
                     "Name", n->name, "Id", n->id, "Created", created, "Scope", "local",
                     "Driver", n->driver ? n->driver : "", "EnableIPv6", 0, "IPAM", "Driver",
                     "host-local", "Options", "Config", config, "Internal", n->internal,
                     "Attachable", 0, "Containers", containers_on(n, all), "Options", opts,
                     "Labels", labels_object(n->labels), "ConfigFile", path, "ConfigList",
                     n->list);
}

static int cmd_network_inspect(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin network inspect NETWORK [NETWORK...]",
                     "Show networks in detail: subnet, gateway, bridge, the containers on "
                     "them, and the conflist (JSON).",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 1, -1, 1,
                     &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    struct sandbox **all = NULL;
    if (cabin_engine(ctx, &e, &err) < 0 || sandbox_list(e, &all, &err) < 0)
        return cabin_fail(err, 1);
    cleanup_json json_t *arr = json_array();
    int status = 0;
    for (; i < argc; i++) {
        cleanup_network struct network *n = NULL;
        cleanup_error struct error *e2 = NULL;
        if (network_load(e, argv[i], &n, &e2) < 0)
            status = cabin_fail(e2, 1);
        else
            json_array_append_new(arr, inspect_one(e, n, all));
    }
    sandbox_list_free(all);
    cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
    printf("%s\n", s ? s : "[]");
    return status;
}

/* ---- rm and prune ---------------------------------------------------------------- */

struct rm_cli {
    bool force;
};

static const struct option_def rm_options[] = {
    OPTION_BOOL("force", 'f', struct rm_cli, force, "no error for a network that is not there"),
    OPTION_END,
};

static int cmd_network_rm(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct rm_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin network rm [OPTIONS] NETWORK [NETWORK...]",
                     "Remove networks that no container uses (their bridge and address leases "
                     "go too).",
                     rm_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    sandbox_sweep(e);
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_network struct network *n = NULL;
        cleanup_close int lock = -1;
        int r = network_load(e, argv[i], &n, &e2);
        if (r == 0)
            r = network_lock(e, LOCK_EX, &lock, &e2);
        if (r == 0)
            r = netvol_network_remove(e, n, &e2);
        if (r == 0)
            printf("%s\n", argv[i]);
        else if (!(c.force && error_code(e2) == ENOENT))
            status = cabin_fail(e2, 1);
    }
    return status;
}

struct prune_cli {
    bool force;
};

static const struct option_def prune_options[] = {
    OPTION_BOOL("force", 'f', struct prune_cli, force, "do not ask for confirmation"),
    OPTION_END,
};

static int cmd_network_prune(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct prune_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin network prune [OPTIONS]",
                     "Remove every network no container uses (not the default one).",
                     prune_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    if (!c.force) {
        printf("WARNING! This will remove all custom networks not used by at least one "
               "container.\nAre you sure you want to continue? [y/N] ");
        fflush(stdout);
        char line[16];
        if (fgets(line, sizeof(line), stdin) == NULL || (line[0] != 'y' && line[0] != 'Y'))
            return 0;
    }
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_strv char **removed = NULL;
    int r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = netvol_prune_networks(e, &removed, &err);
    for (size_t k = 0; removed && removed[k]; k++)
        printf("%s%s\n", k ? "" : "Deleted Networks:\n", removed[k]);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
