/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin system df`, `prune` and `check`: what the store and the containers use,
 * what can go, and what is wrong. */
#include <stdio.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/check.h"
#include "engine/container.h"
#include "engine/images.h"
#include "engine/netvol.h"
#include "image/gc.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct df_cli {
    bool verbose;
    const char *format;
};

static const struct option_def df_options[] = {
    OPTION_BOOL("verbose", 'v', struct df_cli, verbose,
                "each image's size, shared and unique bytes, and each container's"),
    OPTION_STRING("format", 0, struct df_cli, format, "FORMAT", "`json`: one JSON object"),
    OPTION_END,
};

struct df {
    struct store_usage *u;
    struct engine_container **ctrs;
    size_t n_ctrs;
    uint64_t *ctr_bytes;
    uint64_t ctrs_total, ctrs_stopped; /* the latter reclaimable */
    size_t active_images, running;
    uint64_t reclaimable; /* layers of images no container uses, unique to them */
};

static void df_release(struct df *d)
{
    store_usage_free(d->u);
    engine_container_list_free(d->ctrs);
    free(d->ctr_bytes);
}

static int df_collect(struct engine *e, struct df *d, struct error **err)
{
    int r = image_usage(e->store, &d->u, err);
    if (r == 0)
        r = engine_container_list(e, &d->ctrs, &d->n_ctrs, err);
    if (r < 0)
        return r;
    d->ctr_bytes = calloc(d->n_ctrs + 1, sizeof(*d->ctr_bytes));
    for (size_t i = 0; d->ctr_bytes && i < d->n_ctrs; i++) {
        engine_container_usage(e, d->ctrs[i], &d->ctr_bytes[i], NULL);
        d->ctrs_total += d->ctr_bytes[i];
        enum engine_status st = engine_container_status(e, d->ctrs[i]);
        bool live = st == ENGINE_RUNNING || st == ENGINE_PAUSED;
        d->running += live;
        if (!live)
            d->ctrs_stopped += d->ctr_bytes[i];
    }
    for (size_t i = 0; i < d->u->n; i++) {
        bool used = false;
        for (size_t k = 0; k < d->n_ctrs; k++)
            used |= strcmp(d->ctrs[k]->image_id, d->u->images[i].id) == 0;
        d->active_images += used;
        if (!used)
            d->reclaimable += d->u->images[i].unique;
    }
    return 0;
}

static void pct(uint64_t part, uint64_t whole, char *buf, size_t len)
{
    char s[32];
    cabin_human_size(part, s, sizeof(s));
    snprintf(buf, len, "%s (%llu%%)", s,
             whole ? (unsigned long long) (part * 100 / whole) : 0ULL);
}

static void df_table(const struct df *d, bool verbose)
{
    char size[32], rec[48], total[32], active[32];
    struct cabin_table t = {.ncols = 5};
    cabin_table_add(&t, (const char *[]) {"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    cabin_human_size(d->u->layers_bytes, size, sizeof(size));
    pct(d->reclaimable, d->u->layers_bytes, rec, sizeof(rec));
    snprintf(total, sizeof(total), "%zu", d->u->n);
    snprintf(active, sizeof(active), "%zu", d->active_images);
    cabin_table_add(&t, (const char *[]) {"Images", total, active, size, rec});
    cabin_human_size(d->ctrs_total, size, sizeof(size));
    pct(d->ctrs_stopped, d->ctrs_total, rec, sizeof(rec));
    snprintf(total, sizeof(total), "%zu", d->n_ctrs);
    snprintf(active, sizeof(active), "%zu", d->running);
    cabin_table_add(&t, (const char *[]) {"Containers", total, active, size, rec});
    cabin_human_size(d->u->blobs_bytes, size, sizeof(size));
    snprintf(total, sizeof(total), "%zu", d->u->blobs);
    cabin_table_add(&t, (const char *[]) {"Blobs", total, "", size,
                                          "(as they came: kept for save)"});
    cabin_table_print(&t);
    if (!verbose)
        return;
    printf("\nImages space usage:\n\n");
    t.ncols = 7;
    cabin_table_add(&t, (const char *[]) {"REPOSITORY", "TAG", "IMAGE ID", "SIZE", "SHARED SIZE",
                                          "UNIQUE SIZE", "CONTAINERS"});
    for (size_t i = 0; i < d->u->n; i++) {
        const struct usage_image *im = &d->u->images[i];
        cleanup_free char *repo = NULL;
        const char *tag = "<none>";
        bool dig;
        if (im->names && im->names[0])
            image_ref_split(image_ref_familiar(im->names[0]), &repo, &tag, &dig);
        char a[32], b[32], c[32], id[16], n[16];
        cabin_human_size(im->size, a, sizeof(a));
        cabin_human_size(im->shared, b, sizeof(b));
        cabin_human_size(im->unique, c, sizeof(c));
        size_t k, users = 0;
        for (k = 0; k < d->n_ctrs; k++)
            users += strcmp(d->ctrs[k]->image_id, im->id) == 0;
        snprintf(id, sizeof(id), "%.12s", digest_hex(im->id));
        snprintf(n, sizeof(n), "%zu", users);
        cabin_table_add(&t, (const char *[]) {repo ? repo : "<none>", tag, id, a, b, c, n});
    }
    cabin_table_print(&t);
    printf("\nContainers space usage:\n\n");
    t.ncols = 3;
    cabin_table_add(&t, (const char *[]) {"CONTAINER ID", "IMAGE", "SIZE"});
    for (size_t i = 0; i < d->n_ctrs; i++) {
        char a[32], id[16];
        cabin_human_size(d->ctr_bytes[i], a, sizeof(a));
        snprintf(id, sizeof(id), "%.12s", d->ctrs[i]->id);
        cabin_table_add(&t, (const char *[]) {id, d->ctrs[i]->image, a});
    }
    cabin_table_print(&t);
}

static void df_json(const struct df *d)
{
    json_t *images = json_array();
    for (size_t i = 0; i < d->u->n; i++) {
        const struct usage_image *im = &d->u->images[i];
        json_t *names = json_array();
        for (size_t k = 0; im->names && im->names[k]; k++)
            json_array_append_new(names, json_string(im->names[k]));
        json_array_append_new(images, json_pack("{s:s, s:o, s:I, s:I, s:I}", "Id", im->id,
                                                "Names", names, "Size", (json_int_t) im->size,
                                                "SharedSize", (json_int_t) im->shared,
                                                "UniqueSize", (json_int_t) im->unique));
    }
    json_t *ctrs = json_array();
    for (size_t i = 0; i < d->n_ctrs; i++)
        json_array_append_new(ctrs, json_pack("{s:s, s:s, s:I}", "Id", d->ctrs[i]->id, "Image",
                                              d->ctrs[i]->image_id, "Size",
                                              (json_int_t) d->ctr_bytes[i]));
    cleanup_json json_t *o = json_pack(
        "{s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I, s:I}, s:o, s:o}", "Images",
        "Total", (json_int_t) d->u->n, "Active", (json_int_t) d->active_images, "Size",
        (json_int_t) d->u->layers_bytes, "Reclaimable", (json_int_t) d->reclaimable, "Layers",
        "Total", (json_int_t) d->u->layers, "Size", (json_int_t) d->u->layers_bytes, "Containers",
        "Total", (json_int_t) d->n_ctrs, "Running", (json_int_t) d->running, "Size",
        (json_int_t) d->ctrs_total, "Blobs", json_pack("{s:I, s:I}", "Total",
                                                       (json_int_t) d->u->blobs, "Size",
                                                       (json_int_t) d->u->blobs_bytes),
        "ImagesDetail", images);
    if (o)
        json_object_set_new(o, "ContainersDetail", ctrs);
    else
        json_decref(ctrs);
    cleanup_free char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    printf("%s\n", s ? s : "{}");
}

static int cmd_df(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct df_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin system df [OPTIONS]",
                     "Show the disk cabin uses: images (each distinct layer counted once; -v "
                     "shows how much of each image is shared with others and how much is its "
                     "own), containers (their own writable layers) and the layer blobs kept "
                     "for save.",
                     df_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.format && strcmp(c.format, "json") != 0) {
        error_new(&err, EINVAL, "system df: --format `%s`: only `json` is supported", c.format);
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct df d = {0};
    if (df_collect(e, &d, &err) < 0) {
        df_release(&d);
        return cabin_fail(err, 1);
    }
    if (c.format)
        df_json(&d);
    else
        df_table(&d, c.verbose);
    df_release(&d);
    return 0;
}

struct prune_cli {
    bool all, force, volumes;
};

static const struct option_def prune_options[] = {
    OPTION_BOOL("all", 'a', struct prune_cli, all, "every image no container uses, named or not"),
    OPTION_BOOL("force", 'f', struct prune_cli, force, "do not ask for confirmation"),
    OPTION_BOOL("volumes", 0, struct prune_cli, volumes,
                "anonymous volumes no container uses too"),
    OPTION_END,
};

static int cmd_system_prune(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct prune_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin system prune [OPTIONS]",
                     "Remove every stopped container, the networks no container uses, with "
                     "--volumes the anonymous volumes no container uses, then the images no "
                     "container uses (dangling ones, or with -a all of them).",
                     prune_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    char what[400];
    snprintf(what, sizeof(what),
             "This will remove:\n  - all stopped containers\n  - all networks not used by at "
             "least one container\n%s  - all %s",
             c.volumes ? "  - all anonymous volumes not used by at least one container\n" : "",
             c.all ? "images without at least one container associated to them"
                   : "dangling images");
    if (!c.force && !cabin_confirm(what))
        return 0;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_strv char **removed = NULL, **images = NULL, **nets = NULL, **vols = NULL;
    uint64_t cbytes = 0, ibytes = 0, vbytes = 0;
    struct engine_prune_filter f = {0};
    int r = cabin_engine(ctx, &e, &err);
    if (r == 0)
        r = engine_container_prune(e, &f, &removed, &cbytes, &err);
    if (r == 0)
        r = netvol_prune_networks(e, &nets, &err);
    if (r == 0 && c.volumes)
        r = netvol_prune_volumes(e, false, NULL, &vols, &vbytes, &err);
    if (r == 0)
        r = engine_image_prune(e, c.all, &images, &ibytes, &err);
    if (removed) {
        printf("Deleted Containers:\n");
        for (size_t k = 0; removed[k]; k++)
            printf("%s\n", removed[k]);
        printf("\n");
    }
    const char *heads[] = {"Deleted Networks:", "Deleted Volumes:"};
    char **lists[] = {nets, vols};
    for (size_t l = 0; l < 2; l++) {
        for (size_t k = 0; lists[l] && lists[l][k]; k++)
            printf("%s%s\n", k ? "" : heads[l], lists[l][k]);
        if (lists[l])
            printf("\n");
    }
    if (images) {
        printf("Deleted Images:\n");
        for (size_t k = 0; images[k]; k++)
            printf("%s\n", images[k]);
        printf("\n");
    }
    char size[32];
    cabin_human_size(cbytes + vbytes + ibytes, size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return r < 0 ? cabin_fail(err, 1) : 0;
}

struct check_cli {
    bool repair;
    const char *format;
};

static const struct option_def check_options[] = {
    OPTION_BOOL("repair", 0, struct check_cli, repair,
                "fix what can be fixed: drop or rebuild what cannot be trusted"),
    OPTION_STRING("format", 0, struct check_cli, format, "FORMAT", "`json`: one JSON object"),
    OPTION_END,
};

static void check_print_json(const struct check_report *rep)
{
    json_t *items = json_array();
    for (size_t i = 0; i < rep->n; i++) {
        const struct check_item *it = &rep->items[i];
        json_array_append_new(items, json_pack("{s:s, s:s, s:s?}", "What", it->what, "Problem",
                                               it->problem, "Repaired", it->action));
    }
    cleanup_json json_t *o = json_pack("{s:o, s:I, s:I}", "Problems", items, "Found",
                                       (json_int_t) rep->n, "Unrepaired",
                                       (json_int_t) rep->unrepaired);
    cleanup_free char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    printf("%s\n", s ? s : "{}");
}

static int cmd_check(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct check_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin system check [OPTIONS]",
                     "Check the store and the containers against each other: every blob's "
                     "digest, every layer's record, images.json and each image, each "
                     "container's record and state, names, mounts and runtime state left "
                     "behind.  With --repair, bring them back to a consistent state: debris "
                     "of killed commands is removed, a layer is unpacked again from its blob, "
                     "a damaged images.json is kept aside and rebuilt, and what cannot be "
                     "trusted (a corrupt blob, an image or container whose record cannot be "
                     "read) is dropped and named.  Volumes are never touched.  Exits 1 while "
                     "a problem is left.",
                     check_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.format && strcmp(c.format, "json") != 0) {
        error_new(&err, EINVAL, "system check: --format `%s`: only `json` is supported",
                  c.format);
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct check_report rep = {0};
    if (engine_check(e, c.repair, &rep, &err) < 0) {
        check_report_release(&rep);
        return cabin_fail(err, 1);
    }
    if (c.format) {
        check_print_json(&rep);
    } else {
        for (size_t k = 0; k < rep.n; k++) {
            printf("%s: %s\n", rep.items[k].what, rep.items[k].problem);
            if (rep.items[k].action)
                printf("    repaired: %s\n", rep.items[k].action);
        }
        if (rep.n == 0)
            printf("No problems found.\n");
        else if (c.repair)
            printf("%zu problems found, %zu repaired, %zu left.\n", rep.n,
                   rep.n - rep.unrepaired, rep.unrepaired);
        else
            printf("%zu problems found (`cabin system check --repair` fixes what it can).\n",
                   rep.n);
    }
    int rc = rep.unrepaired > 0 ? 1 : 0;
    check_report_release(&rep);
    return rc;
}

static const struct cabin_command system_commands[] = {
    {"check", cmd_check, "check the store and the containers, and repair them"},
    {"df", cmd_df, "show disk usage"},
    {"info", cmd_info, "show how cabin is set up on this host"},
    {"prune", cmd_system_prune, "remove stopped containers and unused images"},
};

int cmd_system(struct cabin_ctx *ctx, int argc, char **argv)
{
    return cabin_dispatch(ctx, "system", system_commands,
                          sizeof(system_commands) / sizeof(system_commands[0]), argc, argv);
}
