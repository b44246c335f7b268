/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/pull.h"

#include <errno.h>
#include <string.h>

#include "image/store.h"
#include "util/cleanup.h"

int engine_pull_policy_parse(const char *s, enum engine_pull_policy *ret, struct error **err)
{
    if (strcmp(s, "missing") == 0)
        *ret = ENGINE_PULL_MISSING;
    else if (strcmp(s, "always") == 0 || strcmp(s, "newer") == 0)
        *ret = ENGINE_PULL_ALWAYS;
    else if (strcmp(s, "never") == 0)
        *ret = ENGINE_PULL_NEVER;
    else
        return error_new(err, EINVAL, "--pull: `%s` is not missing, always or never", s);
    return 0;
}

int engine_image_pull(struct engine *e, const char *ref, const struct pull_opts *o,
                      struct pull_result *ret, struct error **err)
{
    return image_pull(e->store, ref, o, ret, err);
}

int engine_image_needs_pull(struct engine *e, const char *ref, enum engine_pull_policy p,
                            bool *ret_pull, struct error **err)
{
    if (p == ENGINE_PULL_ALWAYS) {
        *ret_pull = true;
        return 0;
    }
    struct image_db *db = NULL;
    int r = store_images_read(e->store, &db, err);
    if (r < 0)
        return r;
    size_t i;
    cleanup_error struct error *miss = NULL;
    r = image_db_find(db, ref, &i, &miss);
    image_db_free(db);
    if (r == 0) {
        *ret_pull = false;
        return 0;
    }
    if (r != -ENOENT) {
        *err = steal_pointer(&miss);
        return r;
    }
    if (p == ENGINE_PULL_NEVER)
        return error_new(err, ENOENT, "No such image: %s", ref);
    *ret_pull = true;
    return 0;
}
