/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin system check [--repair]`, the store's half: what is wrong in the
 * blobs, the layers, the short links, the scratch space and images.json,
 * and (with repair) the store brought back to a state every command trusts.
 *
 * What is checked, and what repair does with it:
 *   tmp/<x> nobody holds        debris of a killed process: removed
 *   blobs/sha256/<x>            its content must have its name as digest;
 *                               a blob that does not, a temporary (.x) or
 *                               a name that is no digest: removed
 *   layers/<hex>                layer.json readable and for <hex>, diff/
 *                               there: else rebuilt from its blob (found
 *                               through the manifests kept in blobs/; the
 *                               unpack checks the diff_id again), or
 *                               removed when no blob has it
 *   l/<link>                    must lead to a layer: else removed; a
 *                               layer's missing link is made again
 *   images.json                 readable: else kept aside as
 *                               images.json.damaged-<unix time> and
 *                               rebuilt from the manifests in blobs/ whose
 *                               config and layers are there (names are not
 *                               in the blobs: those the hints give back,
 *                               the rest shows as <none>)
 *   each image record           manifest, config and layers readable and
 *                               matching: else the record is dropped (the
 *                               report names it, to pull or load again);
 *                               a layer blob missing only stops save and
 *                               push, and is reported, not repaired
 *
 * Repair holds gc.lock exclusively (it waits for pulls and loads to end,
 * and none starts meanwhile); a check without repair holds it shared and
 * changes nothing.  Nothing here prints.
 */
#ifndef CABIN_IMAGE_CHECK_H
#define CABIN_IMAGE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

/* One finding: what (a path or an object), what is wrong with it, and
 * what repair did (NULL: nothing, because it was not asked or could not). */
struct check_item {
    char *what;
    char *problem;
    char *action;
};

struct check_report {
    struct check_item *items;
    size_t n;
    size_t unrepaired; /* items without an action */
};

/* Add a finding; `action` may be NULL.  Out of memory is not reported. */
void check_report_add(struct check_report *rep, const char *what, const char *action,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void check_report_release(struct check_report *rep);

/* Names to give back to images when images.json is rebuilt: pairs of an
 * image id and a normalised name (the engine takes them from the
 * containers' records). */
struct check_name_hint {
    const char *image_id;
    const char *name;
};

struct image_check_opts {
    bool repair;
    const struct check_name_hint *hints;
    size_t n_hints;
};

/* Check (and repair) the store; findings go to `rep`.  Fails only when the
 * check itself cannot go on (a lock, a folder that cannot be read). */
int image_check(struct store *s, const struct image_check_opts *o, struct check_report *rep,
                struct error **err);

#endif
