/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "image/archive.h"
#include "image/reference.h"
#include "util/cleanup.h"

struct load_cli {
    const char *input;
    bool quiet;
};

static const struct option_def load_options[] = {
    OPTION_STRING("input", 'i', struct load_cli, input, "FILE",
                  "read from FILE (an archive or an OCI layout folder) instead of stdin"),
    OPTION_BOOL("quiet", 'q', struct load_cli, quiet, "print nothing"),
    OPTION_END,
};

int cmd_load(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct load_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin load [OPTIONS]",
                     "Load images from a docker-archive (docker save, skopeo) or an OCI "
                     "archive, from stdin or -i FILE; -i also takes an OCI layout folder.",
                     load_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    if (cabin_engine(ctx, &e, &err) < 0)
        return cabin_fail(err, 1);
    struct load_report *rep = NULL;
    struct stat st;
    int r;
    if (c.input && strcmp(c.input, "-") != 0 && stat(c.input, &st) == 0 && S_ISDIR(st.st_mode)) {
        r = image_load_layout(e->store, c.input, &rep, &err);
    } else {
        bool in = c.input == NULL || strcmp(c.input, "-") == 0;
        if (in && isatty(STDIN_FILENO)) {
            error_new(&err, EINVAL,
                      "load: requested load from stdin, but stdin is a terminal; use -i FILE "
                      "or redirect");
            return cabin_fail(err, 1);
        }
        cleanup_close int fd = in ? dup(STDIN_FILENO) : open(c.input, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error_errno(&err, "load: `%s`", c.input);
            return cabin_fail(err, 1);
        }
        char what[512];
        snprintf(what, sizeof(what), "`%s`", in ? "stdin" : c.input);
        r = image_load_stream(e->store, fd, what, &rep, &err);
    }
    if (r < 0)
        return cabin_fail(err, 1);
    for (size_t k = 0; !c.quiet && k < rep->n; k++) {
        if (rep->images[k].names == NULL)
            printf("Loaded image ID: %s\n", rep->images[k].id);
        for (size_t j = 0; rep->images[k].names && rep->images[k].names[j]; j++)
            printf("Loaded image: %s\n", image_ref_familiar(rep->images[k].names[j]));
    }
    load_report_free(rep);
    return 0;
}
