/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin image ...`, `image inspect` and `image prune`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "engine/images.h"
#include "image/gc.h"
#include "image/image.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

static const struct cabin_command image_commands[] = {
    {"import", cmd_import, "make an image from a root file system tarball"},
    {"inspect", cmd_image_inspect, "show images in detail (JSON)"},
    {"load", cmd_load, "load images from a docker or OCI archive"},
    {"ls", cmd_images, "list images"},
    {"prune", cmd_image_prune, "remove unused images"},
    {"rm", cmd_rmi, "remove images"},
    {"save", cmd_save, "save images to a docker or OCI archive"},
    {"tag", cmd_tag, "give an image another name"},
};

int cmd_image(struct cabin_ctx *ctx, int argc, char **argv)
{
    return cabin_dispatch(ctx, "image", image_commands,
                          sizeof(image_commands) / sizeof(image_commands[0]), argc, argv);
}

static json_t *strv_json(char **v, bool familiar)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(familiar ? image_ref_familiar(v[i]) : v[i]));
    return a;
}

json_t *cabin_image_json(struct engine *e, const struct image *im, struct error **err)
{
    uint64_t size = 0;
    if (image_size(e->store, im, &size, err) < 0)
        return NULL;
    json_t *diff_ids = json_array(), *layers = json_array();
    for (size_t i = 0; i < im->config->n_diff_ids; i++)
        json_array_append_new(diff_ids, json_string(im->config->diff_ids[i]));
    for (size_t i = 0; i < im->manifest->n_layers; i++) {
        const struct descriptor *d = &im->manifest->layers[i];
        struct layer_info li = {0};
        store_layer_info(e->store, im->config->diff_ids[i], &li, NULL);
        json_array_append_new(layers,
                              json_pack("{s:s, s:s, s:s, s:I, s:I}", "Digest", d->digest,
                                        "DiffID", im->config->diff_ids[i], "MediaType",
                                        d->media_type, "Size", (json_int_t) d->size,
                                        "UnpackedSize", (json_int_t) li.size));
    }
    json_t *cfg = json_object_get(im->config->json, "config");
    json_t *o = json_pack(
        "{s:s, s:o, s:o, s:o, s:s, s:O, s:s, s:s, s:{s:s, s:o}, s:o, s:I, s:I}", "Id", im->id,
        "RepoTags", strv_json(im->names, true), "RepoDigests", strv_json(im->digests, false),
        "Names", strv_json(im->names, false), "Digest", im->manifest_digest, "Config",
        cfg ? cfg : json_null(), "Architecture",
        im->config->architecture ? im->config->architecture : "", "Os",
        im->config->os ? im->config->os : "", "RootFS", "Type", "layers", "Layers", diff_ids,
        "Layers", layers, "Size", (json_int_t) size, "Containers",
        (json_int_t) engine_image_containers(e, im->id));
    if (o && im->config->created)
        json_object_set_new(o, "Created", json_string(im->config->created));
    if (o)
        json_object_set_new(o, "ManifestMediaType",
                            json_string(im->manifest->kind == MANIFEST_DOCKER
                                            ? MEDIA_DOCKER_MANIFEST
                                            : MEDIA_OCI_MANIFEST));
    return o;
}

int cmd_image_inspect(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin image inspect IMAGE [IMAGE...]",
                     "Show images in detail: id, names, digests, config, layers, size (JSON).",
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
        struct image *im = NULL;
        cleanup_error struct error *e2 = NULL;
        if (image_open(e->store, argv[i], &im, &e2) < 0) {
            status = cabin_fail(e2, 1);
            continue;
        }
        json_t *j = cabin_image_json(e, im, &e2);
        image_free(im);
        if (j == NULL) {
            status = cabin_fail(e2, 1);
            continue;
        }
        json_array_append_new(arr, j);
    }
    cleanup_free char *s = json_dumps(arr, JSON_INDENT(4));
    printf("%s\n", s ? s : "[]");
    return status;
}

struct prune_cli {
    bool all, force;
};

static const struct option_def prune_options[] = {
    OPTION_BOOL("all", 'a', struct prune_cli, all, "every image no container uses, named or not"),
    OPTION_BOOL("force", 'f', struct prune_cli, force, "do not ask for confirmation"),
    OPTION_END,
};

static bool confirm(bool all)
{
    return cabin_confirm(all ? "This will remove all images without at least one container "
                               "associated to them."
                             : "This will remove all dangling images.");
}

int cmd_image_prune(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct prune_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin image prune [OPTIONS]",
                     "Remove images without a name (with -a: every image) that no container "
                     "uses, and the layers and blobs nothing uses any more.",
                     prune_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    if (!c.force && !confirm(c.all))
        return 0;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    cleanup_strv char **lines = NULL;
    uint64_t bytes = 0;
    if (engine_image_prune(e, c.all, &lines, &bytes, &err) < 0)
        return cabin_fail(err, 1);
    if (lines) {
        printf("Deleted Images:\n");
        for (size_t k = 0; lines[k]; k++) {
            /* docker writes these in lower case here */
            char *l = lines[k];
            if (*l >= 'A' && *l <= 'Z')
                *l = (char) (*l - 'A' + 'a');
            printf("%s\n", l);
        }
        printf("\n");
    }
    char size[32];
    cabin_human_size(bytes, size, sizeof(size));
    printf("Total reclaimed space: %s\n", size);
    return 0;
}
