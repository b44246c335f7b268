/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct pull_view {
    FILE *out;
    bool quiet, header_done;
    const char *given; /* the reference as typed */
    struct cabin_progress *lines;
    uint64_t bytes, total;
    size_t n_new;
    double seconds;
};

static const char *layer_status(enum pull_layer_state st)
{
    switch (st) {
    case PULL_LAYER_WAITING: return "Waiting";
    case PULL_LAYER_EXISTS: return "Already exists";
    case PULL_LAYER_DOWNLOADING: return "Downloading";
    case PULL_LAYER_DONE: return "Pull complete";
    case PULL_LAYER_FAILED: return "Failed";
    }
    return "?";
}

static void on_progress(void *opaque, const struct pull_progress *pp)
{
    struct pull_view *v = opaque;
    if (v->quiet)
        return;
    if (!v->header_done) {
        /* "latest: Pulling from library/alpine", as docker says it. */
        const char *tag = strrchr(pp->name, '@') ? pp->digest : strrchr(pp->name, ':') + 1;
        fprintf(v->out, "%s: Pulling from %s\n", tag, pp->repo);
        v->header_done = true;
    }
    struct cabin_progress_line *lines = calloc(pp->n_layers + 1, sizeof(*lines));
    char (*ids)[13] = calloc(pp->n_layers + 1, sizeof(*ids));
    if (lines == NULL || ids == NULL) {
        free(lines);
        free(ids);
        return;
    }
    v->bytes = v->total = v->n_new = 0;
    for (size_t i = 0; i < pp->n_layers; i++) {
        const struct pull_layer_progress *l = &pp->layers[i];
        snprintf(ids[i], sizeof(ids[i]), "%.12s", digest_hex(l->digest));
        /* Every byte in, still being unpacked and stored. */
        bool in = l->state == PULL_LAYER_DOWNLOADING && l->size && l->done >= l->size;
        lines[i] = (struct cabin_progress_line) {
            .id = ids[i], .status = in ? "Download complete" : layer_status(l->state),
            .done = l->done, .total = l->size,
            .moving = l->state == PULL_LAYER_DOWNLOADING && !in};
        if (l->state != PULL_LAYER_EXISTS) {
            v->bytes += l->done;
            v->total += l->size;
            v->n_new++;
        }
    }
    cabin_progress_show(v->lines, lines, pp->n_layers, pp->finished);
    v->seconds = (double) pp->elapsed_ms / 1000;
    free(lines);
    free(ids);
}

static void summary(const struct pull_view *v, const struct pull_result *r)
{
    char size[32], rate[32];
    cabin_human_size(r->bytes, size, sizeof(size));
    double s = v->seconds > 0.001 ? v->seconds : 0.001;
    cabin_human_size((uint64_t) ((double) r->bytes / s), rate, sizeof(rate));
    if (r->layers_new > 0)
        fprintf(v->out, "Downloaded %zu of %zu layers (%s) in %.2fs, %s/s\n", r->layers_new,
                r->layers, size, v->seconds, rate);
}

int cabin_pull(struct cabin_ctx *ctx, const char *ref, const struct cabin_pull_flags *f,
               FILE *out, struct pull_result *ret, struct error **err)
{
    struct engine *e = NULL;
    int rc = cabin_engine(ctx, &e, err);
    if (rc < 0)
        return rc;
    cleanup_image_ref struct image_ref *parsed = NULL;
    if ((rc = image_ref_parse(ref, true, &parsed, err)) < 0)
        return rc;
    if (!f->quiet && parsed->tag == NULL && parsed->digest == NULL)
        fprintf(out, "Using default tag: %s\n", REF_DEFAULT_TAG);
    struct pull_view v = {.out = out, .quiet = f->quiet, .given = ref};
    v.lines = f->quiet ? NULL : cabin_progress_new(out);
    struct pull_opts o = {.platform = f->platform, .progress = on_progress,
                          .progress_opaque = &v};
    cabin_registry_opts(&f->reg, &o.reg);
    struct pull_result r = {0};
    rc = engine_image_pull(e, ref, &o, &r, err);
    cabin_progress_free(v.lines);
    if (rc < 0)
        return rc;
    if (!f->quiet) {
        summary(&v, &r);
        fprintf(out, "Digest: %s\n", r.digest);
        fprintf(out, "Status: %s for %s\n",
                r.up_to_date ? "Image is up to date" : "Downloaded newer image",
                image_ref_familiar(r.name));
    }
    fprintf(out, "%s\n", r.name);
    fflush(out);
    if (ret)
        *ret = r;
    else
        pull_result_release(&r);
    return 0;
}

struct pull_cli {
    struct cabin_pull_flags f;
    bool all_tags;
};

static const struct option_def pull_options[] = {
    OPTION_BOOL("all-tags", 'a', struct pull_cli, all_tags,
                "pull every tag of the repository"),
    OPTION_BOOL("quiet", 'q', struct pull_cli, f.quiet, "print only the image's name"),
    OPTION_STRING("platform", 0, struct pull_cli, f.platform, "OS/ARCH[/VARIANT]",
                  "the platform to pull from a multi-platform image (default: this host's)"),
    CABIN_REGISTRY_OPTIONS(struct pull_cli, f.reg),
    OPTION_END,
};

int cmd_pull(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct pull_cli c = {.f.reg.tls_verify = -1};
    int i, ex;
    if (!cabin_parse("cabin pull [OPTIONS] NAME[:TAG|@DIGEST]  (or -a NAME)",
                     "Pull an image from a registry (Docker Hub unless the name says another), "
                     "checking every digest, and print its digest.",
                     pull_options, &c, argc, argv, 0, 1, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    if (!c.all_tags) {
        if (cabin_pull(ctx, argv[i], &c.f, stdout, NULL, &err) < 0)
            return cabin_fail(err, 1);
        return 0;
    }
    struct registry_opts ro;
    cabin_registry_opts(&c.f.reg, &ro);
    cleanup_strv char **refs = NULL;
    if (image_pull_all_tags(argv[i], &ro, &refs, &err) < 0)
        return cabin_fail(err, 1);
    for (size_t k = 0; refs[k]; k++)
        if (cabin_pull(ctx, refs[k], &c.f, stdout, NULL, &err) < 0)
            return cabin_fail(err, 1);
    return 0;
}
