/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/monitor.h"
#include "engine/names.h"
#include "image/image.h"
#include "image/storage.h"
#include "monitor/protocol.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

struct ectx {
    struct engine *e;
    bool repair;
    struct check_report *rep;
};

static void cpath(const struct ectx *c, const char *id, const char *file, char *buf, size_t len)
{
    snprintf(buf, len, "%s/containers/%s%s%s", c->e->root, id, file ? "/" : "", file ? file : "");
}

/* The ids of the folders in containers/, and the hidden ones apart. */
static void list_folders(struct engine *e, char ***ret_ids, char ***ret_other)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        strv_push(engine_container_is_id(de->d_name) ? ret_ids : ret_other, de->d_name);
    }
}

/* ---- hints for a rebuilt images.json --------------------------------------------- */

struct hints {
    struct check_name_hint *v;
    char **owned;
    size_t n;
};

static void hints_collect(struct engine *e, char **ids, struct hints *h)
{
    for (size_t i = 0; ids && ids[i]; i++) {
        cleanup_container struct engine_container *ct = NULL;
        char *name = NULL;
        if (engine_container_read(e, ids[i], &ct, NULL) < 0 ||
            image_normalize_name(ct->image, &name, NULL) < 0)
            continue;
        struct check_name_hint *v = realloc(h->v, (h->n + 1) * sizeof(*v));
        if (v == NULL || strv_push(&h->owned, name) < 0 || strv_push(&h->owned, ct->image_id) < 0) {
            free(name);
            if (v)
                h->v = v;
            return;
        }
        free(name);
        h->v = v;
        size_t k = strv_length(h->owned);
        h->v[h->n].name = h->owned[k - 2];
        h->v[h->n++].image_id = h->owned[k - 1];
    }
}

/* ---- one container ------------------------------------------------------------------ */

static void check_state_file(struct ectx *c, const struct engine_container *ct)
{
    cleanup_json json_t *j = NULL;
    cleanup_error struct error *e = NULL;
    if (engine_monitor_state_read(c->e, ct->id, &j, &e) == 0 || error_code(e) == ENOENT)
        return;
    char p[4096];
    cpath(c, ct->id, MONITOR_STATE, p, sizeof(p));
    struct engine_state st;
    engine_container_state(c->e, ct, &st);
    if (st.status == ENGINE_RUNNING || st.status == ENGINE_PAUSED || st.monitor) {
        check_report_add(c->rep, p, NULL, "%s (it runs: its monitor writes it again at its end)",
                         e->msg);
        return;
    }
    const char *done = NULL;
    cleanup_close int cdirfd = engine_container_open_dir(c->e, ct->id);
    cleanup_json json_t *fresh = json_pack(
        "{s:i, s:s, s:i, s:b, s:s}", "run", ct->run, "status", "exited", "exit_code", 255,
        "oom_killed", 0, "error",
        "its state file was damaged and was reset by `cabin system check --repair`: its exit "
        "status is unknown");
    if (c->repair && cdirfd >= 0 && fresh &&
        json_write_file_at(cdirfd, MONITOR_STATE, fresh, JSON_COMPACT, 0600, NULL) == 0)
        done = "reset to exited (255), its exit status unknown";
    check_report_add(c->rep, p, done, "%s", e->msg);
}

static void check_layers_of(struct ectx *c, const struct engine_container *ct)
{
    char what[128];
    snprintf(what, sizeof(what), "container %.12s (%s)", ct->id, ct->name);
    for (size_t k = 0; ct->layers && ct->layers[k]; k++) {
        struct layer_info li;
        cleanup_error struct error *e = NULL;
        if (store_layer_info(c->e->store, ct->layers[k], &li, &e) < 0)
            check_report_add(c->rep, what, NULL,
                             "cannot start: %s (pull or load its image %s again, or remove it)",
                             e->msg, ct->image);
    }
    if (!store_has_blob(c->e->store, ct->image_id))
        check_report_add(c->rep, what, NULL,
                         "its image config %.19s is missing from the store (inspect shows less; "
                         "pull or load %s again)",
                         ct->image_id, ct->image);
}

static void check_name_of(struct ectx *c, const struct engine_container *ct)
{
    char id[ENGINE_ID_LEN + 1];
    if (names_lookup(c->e, ct->name, id) == 0 && strcmp(id, ct->id) == 0)
        return;
    char what[256];
    snprintf(what, sizeof(what), "%s/names/%s", c->e->root, ct->name);
    cleanup_error struct error *e = NULL;
    const char *done = NULL;
    if (c->repair && names_claim(c->e, ct->name, ct->id, &e) == 0)
        done = "claimed again";
    check_report_add(c->rep, what, done, "container %.12s's name does not lead to it%s%s",
                     ct->id, e ? ": " : "", e ? e->msg : "");
}

static void check_mount_of(struct ectx *c, const struct engine_container *ct)
{
    char root[4096];
    cpath(c, ct->id, STORAGE_ROOTFS, root, sizeof(root));
    cleanup_close int cdirfd = engine_container_open_dir(c->e, ct->id);
    if (cdirfd < 0 || !fs_is_mount_point_at(cdirfd, STORAGE_ROOTFS))
        return;
    struct engine_state st;
    engine_container_state(c->e, ct, &st);
    if (st.status == ENGINE_RUNNING || st.status == ENGINE_PAUSED ||
        st.status == ENGINE_RESTARTING || st.monitor)
        return;
    cleanup_error struct error *e = NULL;
    const char *done = NULL;
    if (c->repair && engine_container_unmount(c->e, ct, &e) == 0)
        done = "unmounted";
    check_report_add(c->rep, root, done, "mounted, but the container does not run%s%s",
                     e ? ": " : "", e ? e->msg : "");
}

/* A folder whose create has not finished: its maker's, or a killed one's. */
static void check_creating(struct ectx *c, const char *id)
{
    cleanup_close int fd = openat(c->e->containersfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
        return; /* being made now */
    close(steal_fd(&fd));
    char p[4096];
    cpath(c, id, NULL, p, sizeof(p));
    check_report_add(c->rep, p, c->repair ? "removed" : NULL,
                     "a create that was killed before it finished");
    if (c->repair)
        engine_containers_sweep(c->e);
}

static void check_container(struct ectx *c, const char *id)
{
    if (engine_container_creating(c->e, id)) {
        check_creating(c, id);
        return;
    }
    cleanup_container struct engine_container *ct = NULL;
    cleanup_error struct error *e = NULL;
    if (engine_container_read(c->e, id, &ct, &e) < 0) {
        if (error_code(e) == ENOENT)
            return; /* removed meanwhile */
        char p[4096];
        cpath(c, id, ENGINE_RECORD, p, sizeof(p));
        cleanup_error struct error *e2 = NULL;
        const char *done = NULL;
        if (c->repair && engine_container_drop(c->e, id, &e2) == 0)
            done = "the container is dropped (its record cannot be trusted)";
        check_report_add(c->rep, p, done, "%s%s%s", e->msg, e2 ? "; dropping it failed: " : "",
                         e2 ? e2->msg : "");
        return;
    }
    check_state_file(c, ct);
    check_layers_of(c, ct);
    check_name_of(c, ct);
    check_mount_of(c, ct);
}

/* ---- around the containers ------------------------------------------------------- */

static void check_hidden(struct ectx *c, char **other)
{
    bool sweep = false;
    for (size_t i = 0; other && other[i]; i++) {
        char p[4096];
        cpath(c, other[i], NULL, p, sizeof(p));
        if (strncmp(other[i], ".rm-", 4) != 0) {
            check_report_add(c->rep, p, NULL, "not a container folder (left alone)");
            continue;
        }
        cleanup_close int fd = openat(c->e->containersfd, other[i],
                                      O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
            continue; /* being removed now */
        close(steal_fd(&fd));
        sweep = c->repair;
        check_report_add(c->rep, p, c->repair ? "removal finished" : NULL,
                         "a removal that was killed before it was done");
    }
    if (sweep)
        engine_containers_sweep(c->e);
}

static void check_names(struct ectx *c)
{
    cleanup_closedir DIR *d = fs_opendir_at(c->e->namesfd, ".");
    struct dirent *de;
    bool stale = false;
    while (d && (de = readdir(d)) != NULL) {
        if (names_temp_left(de->d_name)) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/names/%s", c->e->root, de->d_name);
            check_report_add(c->rep, p, c->repair ? "removed" : NULL,
                             "a temporary link left by a process that was killed");
            stale = true;
            continue;
        }
        if (de->d_name[0] == '.')
            continue;
        char target[128], id[ENGINE_ID_LEN + 1];
        ssize_t n = readlinkat(c->e->namesfd, de->d_name, target, sizeof(target) - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        if (strncmp(target, "tmp/", 4) == 0 || names_lookup(c->e, de->d_name, id) == 0)
            continue; /* being made, or fine */
        char p[4096];
        snprintf(p, sizeof(p), "%s/names/%s", c->e->root, de->d_name);
        check_report_add(c->rep, p, c->repair ? "removed" : NULL,
                         "a name that leads to no container with that name (-> %s)", target);
        stale = true;
    }
    if (stale && c->repair)
        names_sweep(c->e);
}

/* What the run root holds for containers that do not exist. */
static void check_runroot(struct ectx *c)
{
    struct runtime *rt = NULL;
    cleanup_close int rfd = open(c->e->runroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return; /* after a reboot: nothing */
    static const char *const subs[] = {"runtime", "containers"};
    for (size_t s = 0; s < 2; s++) {
        cleanup_closedir DIR *d = fs_opendir_at(rfd, subs[s]);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            if (!engine_container_is_id(de->d_name))
                continue;
            struct stat st;
            char hidden[ENGINE_ID_LEN + 8];
            snprintf(hidden, sizeof(hidden), ".rm-%s", de->d_name);
            if (fstatat(c->e->containersfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
                fstatat(c->e->containersfd, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0)
                continue;
            char p[4096], rel[ENGINE_ID_LEN + 16];
            snprintf(p, sizeof(p), "%s/%s/%s", c->e->runroot, subs[s], de->d_name);
            snprintf(rel, sizeof(rel), "%s/%s", subs[s], de->d_name);
            const char *done = NULL;
            if (c->repair && s == 0 && engine_runtime(c->e, &rt, NULL) == 0 &&
                container_delete(rt, de->d_name, true, NULL) == 0)
                done = "deleted (forcibly)";
            else if (c->repair && s == 1 && !monitor_alive(c->e, de->d_name) &&
                     fs_remove_tree(rfd, rel, NULL) == 0)
                done = "removed";
            check_report_add(c->rep, p, done, "%s of a container that does not exist",
                             s == 0 ? "runtime state" : "a run folder");
        }
    }
}

int engine_check(struct engine *e, bool repair, struct check_report *rep, struct error **err)
{
    cleanup_strv char **ids = NULL, **other = NULL;
    list_folders(e, &ids, &other);
    struct hints h = {0};
    hints_collect(e, ids, &h);
    struct image_check_opts o = {.repair = repair, .hints = h.v, .n_hints = h.n};
    int r = image_check(e->store, &o, rep, err);
    free(h.v);
    strv_free(h.owned);
    if (r < 0)
        return r;
    struct ectx c = {e, repair, rep};
    check_hidden(&c, other);
    for (size_t i = 0; ids && ids[i]; i++)
        check_container(&c, ids[i]);
    check_names(&c);
    check_runroot(&c);
    return 0;
}
