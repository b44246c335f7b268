/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "image/push.h"
#include "image/reference.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct push_cli {
    struct cabin_registry_flags reg;
    bool quiet, all_tags;
    const char *chunk_size;
};

static const struct option_def push_options[] = {
    OPTION_BOOL("all-tags", 'a', struct push_cli, all_tags,
                "push every tag the store has of the repository"),
    OPTION_BOOL("quiet", 'q', struct push_cli, quiet, "print only the name pushed to"),
    OPTION_STRING("chunk-size", 0, struct push_cli, chunk_size, "SIZE",
                  "send blobs larger than SIZE in chunks of SIZE (bytes, or with k, m, g; "
                  "default 32m), for registries and proxies that limit a request's body"),
    CABIN_REGISTRY_OPTIONS(struct push_cli, reg),
    OPTION_END,
};

static const char *blob_status(const struct push_blob_progress *b, char *buf, size_t len)
{
    switch (b->state) {
    case PUSH_WAITING: return "Preparing";
    case PUSH_PUSHING: return "Pushing";
    case PUSH_EXISTED: return "Layer already exists";
    case PUSH_MOUNTED: snprintf(buf, len, "Mounted from %s", b->from); return buf;
    case PUSH_DONE: return "Pushed";
    }
    return "?";
}

struct push_view {
    struct cabin_progress *lines;
    bool header_done;
};

static void on_progress(void *opaque, const struct push_progress *pp)
{
    struct push_view *v = opaque;
    if (v->lines == NULL)
        return;
    if (!v->header_done) {
        printf("The push refers to repository [%s]\n", pp->repo);
        v->header_done = true;
    }
    struct cabin_progress_line *lines = calloc(pp->n_blobs + 1, sizeof(*lines));
    char (*ids)[13] = calloc(pp->n_blobs + 1, sizeof(*ids));
    char (*texts)[300] = calloc(pp->n_blobs + 1, sizeof(*texts));
    /* docker lists the top layer first. */
    for (size_t k = 0; lines && ids && texts && k < pp->n_blobs; k++) {
        const struct push_blob_progress *b = &pp->blobs[pp->n_blobs - 1 - k];
        snprintf(ids[k], sizeof(ids[k]), "%.12s", digest_hex(b->digest));
        lines[k] = (struct cabin_progress_line) {
            .id = ids[k], .status = blob_status(b, texts[k], sizeof(texts[k])),
            .done = b->done, .total = b->size, .moving = b->state == PUSH_PUSHING};
    }
    if (lines && ids && texts)
        cabin_progress_show(v->lines, lines, pp->n_blobs, pp->finished);
    free(lines);
    free(ids);
    free(texts);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static int parse_size(const char *s, uint64_t *ret, struct error **err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1ull << 10;
    else if (*end == 'm' || *end == 'M')
        mult = 1ull << 20;
    else if (*end == 'g' || *end == 'G')
        mult = 1ull << 30;
    if (mult > 1)
        end++;
    if (errno || end == s || *end != '\0' || *s == '-' || v == 0 || v > (64ull << 30) / mult)
        return error_new(err, EINVAL, "--chunk-size: `%s` is not a size (bytes, or with k, m, "
                                      "g; at most 64g)", s);
    *ret = v * mult;
    return 0;
}

/* Every name the store has in repository `repo` ("domain/path"), sorted. */
static int repo_tags(struct engine *e, const char *repo, char ***ret, struct error **err)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    int rc = image_ref_parse_repository(repo, "--all-tags", &ref, err);
    if (rc < 0)
        return rc;
    cleanup_free char *name = image_ref_name(ref);
    struct image_db *db = NULL;
    if (name == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if ((rc = store_images_read(e->store, &db, err)) < 0)
        return rc;
    size_t n = strlen(name);
    cleanup_strv char **out = NULL;
    for (size_t i = 0; rc == 0 && i < db->n; i++)
        for (size_t k = 0; db->images[i].names && db->images[i].names[k]; k++) {
            const char *t = db->images[i].names[k];
            if (strncmp(t, name, n) == 0 && t[n] == ':' && strv_push(&out, t) < 0)
                rc = error_new(err, ENOMEM, "out of memory");
        }
    image_db_free(db);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return error_new(err, ENOENT, "An image does not exist locally with the repository: %s",
                         repo);
    qsort(out, strv_length(out), sizeof(char *), cmp_str);
    *ret = steal_pointer(&out);
    return 0;
}

static int push_one(struct engine *e, const char *image, const char *dest,
                    const struct push_opts *given, bool quiet, struct error **err)
{
    struct push_view v = {.lines = quiet ? NULL : cabin_progress_new(stdout)};
    struct push_opts o = *given;
    o.progress = on_progress;
    o.progress_opaque = &v;
    struct push_result r = {0};
    int rc = image_push(e->store, image, dest, &o, &r, err);
    cabin_progress_free(v.lines);
    if (rc < 0)
        return rc;
    if (quiet)
        printf("%s\n", r.name);
    else
        printf("%s: digest: %s size: %zu\n", r.tag, r.digest, r.size);
    push_result_release(&r);
    return 0;
}

int cmd_push(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct push_cli c = {.reg.tls_verify = -1};
    int i, ex;
    if (!cabin_parse("cabin push [OPTIONS] IMAGE [DESTINATION]  (or -a NAME)",
                     "Push an image to a registry: IMAGE's own name, or DESTINATION "
                     "(NAME[:TAG], docker://NAME[:TAG] too).  Blobs the registry has are not "
                     "sent again; those of another repository there are mounted.",
                     push_options, &c, argc, argv, 0, 1, 2, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct push_opts o = {0};
    cabin_registry_opts(&c.reg, &o.reg);
    struct engine *e = NULL;
    cleanup_strv char **names = NULL;
    int rc = c.chunk_size ? parse_size(c.chunk_size, &o.chunk_size, &err) : 0;
    if (rc == 0 && c.all_tags && i + 1 < argc)
        rc = error_new(&err, EINVAL, "push: --all-tags takes no DESTINATION");
    if (rc == 0)
        rc = cabin_engine(ctx, &e, &err);
    if (rc == 0 && c.all_tags)
        rc = repo_tags(e, argv[i], &names, &err);
    if (rc == 0 && !c.all_tags)
        rc = push_one(e, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &o, c.quiet, &err);
    for (size_t k = 0; rc == 0 && names && names[k]; k++)
        rc = push_one(e, names[k], NULL, &o, c.quiet, &err);
    if (rc < 0)
        return cabin_fail(err, 1);
    return 0;
}
