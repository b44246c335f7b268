/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "image/image.h"
#include "image/import.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct import_cli {
    char **changes;
    const char *message;
};

static const struct option_def import_options[] = {
    OPTION_STRLIST("change", 'c', struct import_cli, changes, "INSTRUCTION",
                   "apply a Dockerfile instruction to the image (CMD, ENV, ...)"),
    OPTION_STRING("message", 'm', struct import_cli, message, "TEXT",
                  "a commit message for the imported image"),
    OPTION_END,
};

int cmd_import(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct import_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin import [OPTIONS] file|- [REPOSITORY[:TAG]]",
                     "Make an image of one layer from a root file system tarball (plain, gzip, "
                     "zstd, xz or bzip2), read from a file or from stdin (-).",
                     import_options, &c, argc, argv, 0, 1, 2, 1, &i, &ex)) {
        strv_free(c.changes);
        return ex;
    }
    cleanup_strv char **changes = c.changes;
    cleanup_error struct error *err = NULL;
    const char *src = argv[i];
    cleanup_strv char **names = NULL;
    if (i + 1 < argc) {
        cleanup_free char *n = NULL;
        if (image_normalize_name(argv[i + 1], &n, &err) < 0 || strv_push(&names, n) < 0)
            return cabin_fail(err, 1);
    }
    if (strstr(src, "://")) {
        error_new(&err, ENOTSUP,
                  "import: `%s`: importing from a URL is not supported; download it and import "
                  "the file",
                  src);
        return cabin_fail(err, 1);
    }
    cleanup_close int fd = strcmp(src, "-") == 0 ? dup(STDIN_FILENO)
                                                 : open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_errno(&err, "import: `%s`", src);
        return cabin_fail(err, 1);
    }
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    char what[512];
    snprintf(what, sizeof(what), "`%s`", strcmp(src, "-") == 0 ? "stdin" : src);
    struct import_opts o = {.changes = changes, .message = c.message, .names = names,
                            .what = what};
    char id[DIGEST_BUF];
    if (image_import(e->store, fd, &o, id, &err) < 0)
        return cabin_fail(err, 1);
    printf("%s\n", id);
    return 0;
}
