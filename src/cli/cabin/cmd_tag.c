/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "image/image.h"
#include "util/cleanup.h"

struct tag_edit {
    const char *source, *target;
};

static int tag_edit(struct image_db *db, void *opaque, struct error **err)
{
    struct tag_edit *t = opaque;
    size_t i;
    int r = image_db_find(db, t->source, &i, err);
    if (r < 0)
        return r;
    struct image_record *rec = &db->images[i];
    if (image_record_has_name(rec, t->target))
        return 1;
    image_db_untag(db, t->target, rec);
    if (image_record_add_name(rec, t->target) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int cmd_tag(struct cabin_ctx *ctx, int argc, char **argv)
{
    int i, ex;
    if (!cabin_parse("cabin tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                     "Give an image another name (taking it from the image that had it).",
                     (const struct option_def[]) {OPTION_END}, NULL, argc, argv, 0, 2, 2, 1, &i,
                     &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    cleanup_free char *target = NULL;
    if (image_normalize_name(argv[i + 1], &target, &err) < 0)
        return cabin_fail(err, 1);
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct tag_edit t = {argv[i], target};
    if (store_images_update(e->store, tag_edit, &t, &err) < 0) {
        error_wrap(&err, "tag");
        return cabin_fail(err, 1);
    }
    return 0;
}
