/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/container.h"
#include "engine/inspect.h"
#include "image/image.h"
#include "util/cleanup.h"
#include "util/json.h"

struct inspect_cli {
    const char *format, *type;
    bool size;
};

static const struct option_def inspect_options[] = {
    OPTION_STRING("format", 'f', struct inspect_cli, format, "FORMAT",
                  "a template ({{.State.Status}}, {{json .Config}}) printed for each"),
    OPTION_STRING("type", 0, struct inspect_cli, type, "TYPE", "container or image only"),
    OPTION_BOOL("size", 's', struct inspect_cli, size, "add SizeRw (a container's own files)"),
    OPTION_END,
};

static json_t *one(struct engine *e, const struct inspect_cli *c, const char *what,
                   struct error **err)
{
    bool containers = c->type == NULL || strcmp(c->type, "container") == 0;
    bool images = c->type == NULL || strcmp(c->type, "image") == 0;
    if (containers) {
        cleanup_container struct engine_container *ctr = NULL;
        cleanup_error struct error *e2 = NULL;
        if (engine_container_find(e, what, &ctr, &e2) == 0) {
            struct engine_state st;
            engine_container_state(e, ctr, &st);
            json_t *j = engine_container_inspect(e, ctr, &st);
            if (j && c->size) {
                uint64_t bytes = 0;
                engine_container_usage(e, ctr, &bytes, NULL);
                json_object_set_new(j, "SizeRw", json_integer((json_int_t) bytes));
            }
            if (j == NULL)
                error_new(err, ENOMEM, "out of memory");
            return j;
        }
        if (error_code(e2) != ENOENT || !images) {
            *err = steal_pointer(&e2);
            return NULL;
        }
    }
    struct image *im = NULL;
    cleanup_error struct error *e3 = NULL;
    if (image_open(e->store, what, &im, &e3) < 0) {
        /* Not found is docker's words; anything else (a damaged store) is said. */
        if (error_code(e3) == ENOENT)
            error_new(err, ENOENT, "no such object: `%s`", what);
        else
            *err = steal_pointer(&e3);
        return NULL;
    }
    json_t *j = cabin_image_json(e, im, err);
    image_free(im);
    return j;
}

int cmd_inspect(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct inspect_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin inspect [OPTIONS] NAME|ID [NAME|ID...]",
                     "Show containers (or images) in detail, as docker's JSON.", inspect_options,
                     &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (c.type && strcmp(c.type, "container") != 0 && strcmp(c.type, "image") != 0) {
        error_new(&err, EINVAL, "--type `%s`: expected container or image", c.type);
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    cleanup_json json_t *arr = json_array();
    int status = 0;
    for (; i < argc; i++) {
        cleanup_error struct error *e2 = NULL;
        cleanup_json json_t *j = one(e, &c, argv[i], &e2);
        if (j == NULL) {
            status = cabin_fail(e2, 1);
            continue;
        }
        int r = cabin_print_format(c.format, j, JSON_INDENT(4), &e2);
        if (r < 0)
            return cabin_fail(e2, 1);
        if (r == 1)
            json_array_append(arr, j);
    }
    if (!c.format) {
        cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
        printf("%s\n", s ? s : "[]");
    }
    return status;
}
