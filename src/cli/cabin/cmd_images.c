/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/images.h"
#include "image/gc.h"
#include "image/image.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct images_cli {
    bool quiet, digests, no_trunc;
    const char *format;
};

static const struct option_def images_options[] = {
    OPTION_BOOL("quiet", 'q', struct images_cli, quiet, "print image ids only"),
    OPTION_BOOL("digests", 0, struct images_cli, digests, "show manifest digests"),
    OPTION_BOOL("no-trunc", 0, struct images_cli, no_trunc, "do not shorten ids"),
    OPTION_STRING("format", 0, struct images_cli, format, "FORMAT",
                  "`json`: a JSON array instead of the table"),
    OPTION_END,
};

struct row {
    const struct image *im;
    const char *repo_tag; /* normalised, or NULL for <none> */
    uint64_t size;
    int64_t created;
};

static int by_created(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->created != y->created)
        return x->created > y->created ? -1 : 1;
    return strcmp(x->repo_tag ? x->repo_tag : "", y->repo_tag ? y->repo_tag : "");
}

/* Does the image match the filter (REPOSITORY or REPOSITORY:TAG)? */
static bool matches(const char *name, const char *filter)
{
    if (filter == NULL)
        return true;
    if (name == NULL)
        return false;
    cleanup_image_ref struct image_ref *ref = NULL;
    if (image_ref_parse(filter, true, &ref, NULL) < 0)
        return false;
    cleanup_free char *want = ref->tag ? image_ref_name_tag(ref) : image_ref_name(ref);
    if (want == NULL)
        return false;
    size_t n = strlen(want);
    return strncmp(name, want, n) == 0 && (name[n] == '\0' || (!ref->tag && name[n] == ':'));
}

static void print_table(struct row *rows, size_t n, const struct images_cli *c)
{
    struct cabin_table t = {.ncols = c->digests ? 6 : 5};
    if (c->digests)
        cabin_table_add(&t, (const char *[]) {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID",
                                              "CREATED", "SIZE"});
    else
        cabin_table_add(&t, (const char *[]) {"REPOSITORY", "TAG", "IMAGE ID", "CREATED",
                                              "SIZE"});
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *repo = NULL;
        const char *tag = "<none>";
        bool is_digest = false;
        if (rows[i].repo_tag)
            image_ref_split(image_ref_familiar(rows[i].repo_tag), &repo, &tag, &is_digest);
        char id[80], ago[64], size[32];
        snprintf(id, sizeof(id), c->no_trunc ? "%s" : "%.12s",
                 c->no_trunc ? rows[i].im->id : digest_hex(rows[i].im->id));
        cabin_human_ago(rows[i].created, ago, sizeof(ago));
        cabin_human_size(rows[i].size, size, sizeof(size));
        const char *r = repo ? repo : "<none>";
        if (c->digests)
            cabin_table_add(&t, (const char *[]) {r, tag, rows[i].im->manifest_digest, id, ago,
                                                  size});
        else
            cabin_table_add(&t, (const char *[]) {r, tag, id, ago, size});
    }
    cabin_table_print(&t);
}

static json_t *strv_json(char **v, bool familiar)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(familiar ? image_ref_familiar(v[i]) : v[i]));
    return a;
}

/* open_all() checked that every layer's record can be read. */
static uint64_t size_of(struct engine *e, const struct image *im)
{
    uint64_t size = 0;
    image_size(e->store, im, &size, NULL);
    return size;
}

static void print_json(struct engine *e, struct image **ims, size_t n, const char *filter)
{
    cleanup_json json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct image *im = ims[i];
        bool any = filter == NULL;
        for (size_t k = 0; !any && im->names && im->names[k]; k++)
            any = matches(im->names[k], filter);
        if (!any)
            continue;
        int64_t created = image_time_parse(im->config->created);
        char when[64];
        cabin_rfc3339(created ? created : im->added, when, sizeof(when));
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:s, s:I, s:I}", "Id",
                           digest_hex(im->id), "Digest", im->manifest_digest, "RepoTags",
                           strv_json(im->names, true), "Names", strv_json(im->names, false),
                           "RepoDigests", strv_json(im->digests, false), "CreatedAt", when,
                           "Created", (json_int_t) (created ? created : im->added), "Os",
                           im->config->os ? im->config->os : "", "Size",
                           (json_int_t) size_of(e, im), "Containers",
                           (json_int_t) engine_image_containers(e, im->id)));
    }
    cleanup_free char *s = json_dumps(arr, JSON_INDENT(2));
    printf("%s\n", s ? s : "[]");
}

static int open_all(struct engine *e, struct image ***ret, size_t *ret_n, struct error **err)
{
    struct image_db *db = NULL;
    int r = store_images_read(e->store, &db, err);
    if (r < 0)
        return r;
    struct image **ims = calloc(db->n + 1, sizeof(*ims));
    size_t n = 0;
    uint64_t size;
    for (size_t i = 0; ims && r == 0 && i < db->n; i++)
        if ((r = image_open_record(e->store, &db->images[i], &ims[n], err)) == 0 &&
            (r = image_size(e->store, ims[n], &size, err)) == 0)
            n++;
        else if (r < 0 && ims[n])
            image_free(steal_pointer(&ims[n]));
    image_db_free(db);
    if (ims == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (r < 0) {
        for (size_t i = 0; i < n; i++)
            image_free(ims[i]);
        free(ims);
        return r;
    }
    *ret = ims;
    *ret_n = n;
    return 0;
}

int cmd_images(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct images_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin images [OPTIONS] [REPOSITORY[:TAG]]", "List images.",
                     images_options, &c, argc, argv, 0, 0, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.format && strcmp(c.format, "json") != 0) {
        error_new(&err, EINVAL, "images: --format `%s`: only `json` is supported", c.format);
        return cabin_fail(err, 1);
    }
    const char *filter = i < argc ? argv[i] : NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct image **ims = NULL;
    size_t n = 0;
    if (open_all(e, &ims, &n, &err) < 0)
        return cabin_fail(err, 1);
    if (c.format) {
        print_json(e, ims, n, filter);
    } else {
        /* A row for each name (or one <none> row). */
        size_t cap = 0, nr = 0;
        for (size_t k = 0; k < n; k++)
            cap += strv_length(ims[k]->names) + 1;
        struct row *rows = calloc(cap + 1, sizeof(*rows));
        for (size_t k = 0; rows && k < n; k++) {
            int64_t created = image_time_parse(ims[k]->config->created);
            struct row base = {ims[k], NULL, size_of(e, ims[k]),
                               created ? created : ims[k]->added};
            if (ims[k]->names == NULL || ims[k]->names[0] == NULL) {
                if (filter == NULL)
                    rows[nr++] = base;
                continue;
            }
            for (size_t j = 0; ims[k]->names[j]; j++)
                if (matches(ims[k]->names[j], filter)) {
                    rows[nr] = base;
                    rows[nr++].repo_tag = ims[k]->names[j];
                }
        }
        if (rows)
            qsort(rows, nr, sizeof(*rows), by_created);
        if (c.quiet) {
            /* Each image once. */
            for (size_t k = 0; rows && k < nr; k++) {
                bool dup = false;
                for (size_t j = 0; j < k; j++)
                    dup |= rows[j].im == rows[k].im;
                if (!dup)
                    printf(c.no_trunc ? "%s\n" : "%.12s\n",
                           c.no_trunc ? rows[k].im->id : digest_hex(rows[k].im->id));
            }
        } else if (rows) {
            print_table(rows, nr, &c);
        }
        free(rows);
    }
    for (size_t k = 0; k < n; k++)
        image_free(ims[k]);
    free(ims);
    return 0;
}
