/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/images.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "image/reference.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* "Untagged: x" / "Deleted: sha256:..." */
static int add_line(char ***lines, const char *verb, const char *arg, struct error **err)
{
    cleanup_free char *s = NULL;
    if (asprintf(&s, "%s: %s", verb, arg) < 0 || strv_push(lines, s) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

/* The first container using image `id` (running ones first), if any. */
static bool used_by(struct engine *e, const char *id, bool *ret_running, char ret_cid[13])
{
    struct engine_container **list = NULL;
    bool found = false;
    if (engine_container_list(e, &list, NULL, NULL) < 0)
        return false;
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i]->image_id, id) != 0)
            continue;
        enum engine_status st = engine_container_status(e, list[i]);
        bool running = st == ENGINE_RUNNING || st == ENGINE_PAUSED;
        if (!found || running) {
            snprintf(ret_cid, 13, "%.12s", list[i]->id);
            *ret_running = running;
        }
        found = true;
        if (running)
            break;
    }
    engine_container_list_free(list);
    return found;
}

size_t engine_image_containers(struct engine *e, const char *id)
{
    struct engine_container **list = NULL;
    size_t n = 0;
    if (engine_container_list(e, &list, NULL, NULL) < 0)
        return 0;
    for (size_t i = 0; list[i]; i++)
        n += strcmp(list[i]->image_id, id) == 0;
    engine_container_list_free(list);
    return n;
}

struct rmi {
    struct engine *e;
    const char *what;
    bool force;
    char ***lines;
    bool deleted;
};

/* The normalised name `what` stands for, when it is one of r's names. */
static char *as_name(const char *what, const struct image_record *r)
{
    cleanup_image_ref struct image_ref *ref = NULL;
    if (image_ref_parse(what, false, &ref, NULL) < 0 || ref->digest)
        return NULL;
    char *n = image_ref_name_tag(ref);
    if (n && !image_record_has_name(r, n)) {
        free(n);
        return NULL;
    }
    return n;
}

static int delete_record(struct image_db *db, size_t i, struct rmi *x, struct error **err)
{
    struct image_record *r = &db->images[i];
    for (size_t k = 0; r->names && r->names[k]; k++)
        if (add_line(x->lines, "Untagged", image_ref_familiar(r->names[k]), err) < 0)
            return -ENOMEM;
    for (size_t k = 0; r->digests && r->digests[k]; k++)
        if (add_line(x->lines, "Untagged", image_ref_familiar(r->digests[k]), err) < 0)
            return -ENOMEM;
    if (add_line(x->lines, "Deleted", r->id, err) < 0)
        return -ENOMEM;
    image_db_remove(db, i);
    x->deleted = true;
    return 0;
}

static int rmi_edit(struct image_db *db, void *opaque, struct error **err)
{
    struct rmi *x = opaque;
    size_t i;
    int r = image_db_find(db, x->what, &i, err);
    if (r < 0)
        return r;
    struct image_record *rec = &db->images[i];
    char shortid[13];
    snprintf(shortid, sizeof(shortid), "%.12s", digest_hex(rec->id));
    size_t names = strv_length(rec->names);
    cleanup_free char *name = as_name(x->what, rec);
    if (name && names > 1) {
        image_db_untag(db, name, NULL);
        return add_line(x->lines, "Untagged", image_ref_familiar(name), err);
    }
    if (!name && names > 1 && !x->force)
        return error_new(err, EBUSY,
                         "conflict: unable to delete %s (must be forced) - image is referenced "
                         "in multiple repositories",
                         shortid);
    bool running = false;
    char cid[13];
    if (used_by(x->e, rec->id, &running, cid)) {
        if (running)
            return error_new(err, EBUSY,
                             "conflict: unable to delete %s (cannot be forced) - image is being "
                             "used by running container %s",
                             shortid, cid);
        if (!x->force)
            return error_new(err, EBUSY,
                             "conflict: unable to delete %s (must be forced) - image is being "
                             "used by stopped container %s",
                             shortid, cid);
    }
    return delete_record(db, i, x, err);
}

int engine_image_remove(struct engine *e, const char *what, bool force, char ***lines,
                        struct error **err)
{
    struct rmi x = {.e = e, .what = what, .force = force, .lines = lines};
    int r = store_images_update(e->store, rmi_edit, &x, err);
    if (r < 0)
        return error_wrap(err, "removing image `%s`", what);
    if (x.deleted) {
        /* Right away if no writer is busy; otherwise the next one will. */
        cleanup_error struct error *e2 = NULL;
        if (engine_gc(e, false, NULL, &e2) < 0) {
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
    }
    return 0;
}

struct prune {
    struct engine *e;
    bool all;
    char ***lines;
};

static int prune_edit(struct image_db *db, void *opaque, struct error **err)
{
    struct prune *p = opaque;
    struct rmi x = {.e = p->e, .force = false, .lines = p->lines};
    for (size_t i = db->n; i-- > 0;) {
        struct image_record *r = &db->images[i];
        if (!p->all && strv_length(r->names) > 0)
            continue;
        if (engine_image_containers(p->e, r->id) > 0)
            continue;
        if (delete_record(db, i, &x, err) < 0)
            return -ENOMEM;
    }
    return 0;
}

int engine_image_prune(struct engine *e, bool all, char ***lines, uint64_t *ret_bytes,
                       struct error **err)
{
    struct prune p = {.e = e, .all = all, .lines = lines};
    int r = store_images_update(e->store, prune_edit, &p, err);
    if (r < 0)
        return error_wrap(err, "pruning images");
    struct gc_stats st = {0};
    if ((r = engine_gc(e, true, &st, err)) < 0)
        return r;
    *ret_bytes = st.bytes;
    return 0;
}
