/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "image/archive.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct save_cli {
    const char *output, *format;
};

static const struct option_def save_options[] = {
    OPTION_STRING("output", 'o', struct save_cli, output, "FILE",
                  "write to FILE instead of stdout"),
    OPTION_STRING("format", 0, struct save_cli, format, "FORMAT",
                  "docker-archive (default) or oci-archive"),
    OPTION_END,
};

/* The names to save an image under: the one asked for, or (by id) all. */
static int item_names(struct store *s, const char *what, char ***ret, struct error **err)
{
    struct image_db *db = NULL;
    size_t i;
    int r = store_images_read(s, &db, err);
    if (r == 0)
        r = image_db_find(db, what, &i, err);
    if (r < 0) {
        image_db_free(db);
        return r;
    }
    cleanup_image_ref struct image_ref *ref = NULL;
    cleanup_free char *asked = NULL;
    if (image_ref_parse(what, false, &ref, NULL) == 0 && !ref->digest)
        asked = image_ref_name_tag(ref);
    char **names = NULL;
    const struct image_record *rec = &db->images[i];
    if (asked && image_record_has_name(rec, asked)) {
        r = strv_push(&names, asked);
    } else {
        for (size_t k = 0; r == 0 && rec->names && rec->names[k]; k++)
            r = strv_push(&names, rec->names[k]);
    }
    image_db_free(db);
    if (r < 0) {
        strv_free(names);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = names;
    return 0;
}

static int save_to(struct engine *e, struct save_item *items, size_t n, enum save_format f,
                   const char *output, struct error **err)
{
    if (output == NULL)
        return image_save(e->store, items, n, f, STDOUT_FILENO, err);
    /* Beside the target, renamed over it when complete. */
    cleanup_free char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp-XXXXXX", output) < 0)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "save: `%s`", output);
    int r = image_save(e->store, items, n, f, fd, err);
    if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || rename(tmp, output) < 0))
        r = error_errno(err, "save: writing `%s`", output);
    if (r < 0)
        unlink(tmp);
    return r;
}

int cmd_save(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct save_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin save [OPTIONS] IMAGE [IMAGE...]",
                     "Save images, with their names, to one archive (docker-archive or "
                     "oci-archive), to stdout or -o FILE.",
                     save_options, &c, argc, argv, 0, 1, -1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    enum save_format f;
    if (save_format_parse(c.format, &f, &err) < 0)
        return cabin_fail(err, 1);
    if (c.output == NULL && isatty(STDOUT_FILENO)) {
        error_new(&err, EINVAL,
                  "save: cowardly refusing to write an archive to a terminal; use -o FILE or "
                  "redirect");
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    size_t n = (size_t) (argc - i);
    struct save_item *items = calloc(n, sizeof(*items));
    int r = items ? 0 : error_new(&err, ENOMEM, "out of memory");
    for (size_t k = 0; r == 0 && k < n; k++) {
        items[k].what = argv[i + (int) k];
        r = item_names(e->store, items[k].what, &items[k].names, &err);
    }
    if (r == 0)
        r = save_to(e, items, n, f, c.output, &err);
    for (size_t k = 0; items && k < n; k++)
        strv_free(items[k].names);
    free(items);
    return r < 0 ? cabin_fail(err, 1) : 0;
}
