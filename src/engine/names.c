/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/names.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <stdbool.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/flags.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* Our own word lists for generated names (docker makes them the same way,
 * from other words). */
static const char *const adjectives[] = {
    "amber",   "bold",    "brave",   "bright",  "calm",    "clever",  "cosy",    "crisp",
    "curious", "daring",  "dreamy",  "eager",   "early",   "fancy",   "fierce",  "gentle",
    "golden",  "happy",   "hardy",   "honest",  "humble",  "jolly",   "keen",    "kind",
    "lively",  "lucky",   "merry",   "mighty",  "misty",   "modest",  "nimble",  "noble",
    "patient", "plucky",  "proud",   "quick",   "quiet",   "rapid",   "rustic",  "serene",
    "sharp",   "silent",  "sleepy",  "smooth",  "snowy",   "steady",  "sturdy",  "sunny",
    "swift",   "tender",  "tidy",    "tranquil", "trusty", "vivid",   "warm",    "wild",
    "wise",    "witty",   "young",   "zesty",
};
static const char *const nouns[] = {
    "alder",   "aspen",   "badger",  "beacon",  "birch",   "bison",   "brook",   "canyon",
    "cedar",   "comet",   "condor",  "coral",   "cove",    "crane",   "delta",   "dune",
    "eagle",   "ember",   "falcon",  "fern",    "fjord",   "glacier", "grove",   "harbor",
    "hawk",    "heron",   "island",  "juniper", "kestrel", "lagoon",  "larch",   "lynx",
    "maple",   "marten",  "meadow",  "mesa",    "otter",   "owl",     "panda",   "pine",
    "plover",  "prairie", "quail",   "raven",   "reef",    "ridge",   "robin",   "sparrow",
    "spruce",  "summit",  "swan",    "thicket", "tundra",  "valley",  "walrus",  "willow",
    "wolf",    "wren",    "yak",     "zephyr",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define TARGET_MAX 128
#define TMP_PREFIX "tmp/"

/* Does `id` exist with the name `name`? */
static bool id_live(struct engine *e, const char *name, const char *id)
{
    cleanup_container struct engine_container *c = NULL;
    if (engine_container_read(e, id, &c, NULL) < 0)
        return false;
    return strcmp(c->name, name) == 0;
}

static int read_link(struct engine *e, const char *name, char *ret, size_t len)
{
    ssize_t n = readlinkat(e->namesfd, name, ret, len - 1);
    if (n < 0)
        return -errno;
    if ((size_t) n == len - 1)
        return -ENAMETOOLONG;
    ret[n] = '\0';
    return 0;
}

/* Is the link to `target` live?  An id: its container has this name.  A
 * scratch folder: its maker still holds it (else it was killed). */
static bool link_live(struct engine *e, const char *name, const char *target)
{
    if (strncmp(target, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
        return id_live(e, name, target);
    const char *scratch = target + strlen(TMP_PREFIX);
    if (strchr(scratch, '/') || *scratch == '\0' || *scratch == '.')
        return false;
    cleanup_close int fd = openat(e->store->tmpfd, scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        /* Gone: moved into place (and the link pointed at the id by now)
         * or removed.  What the link says now decides. */
        char now[TARGET_MAX];
        return read_link(e, name, now, sizeof(now)) == 0 && strcmp(now, target) != 0 &&
               strncmp(now, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 && id_live(e, name, now);
    }
    if (flock(fd, LOCK_SH | LOCK_NB) == 0)
        return false;
    return errno == EWOULDBLOCK;
}

int names_lookup(struct engine *e, const char *name, char *ret_id)
{
    if (flags_check_name(name, NULL) < 0)
        return -ENOENT;
    char id[TARGET_MAX];
    if (read_link(e, name, id, sizeof(id)) < 0 || strlen(id) != ENGINE_ID_LEN ||
        !id_live(e, name, id))
        return -ENOENT;
    memcpy(ret_id, id, ENGINE_ID_LEN + 1);
    return 0;
}

int names_lock(struct engine *e)
{
    int fd = openat(e->store->rootfd, "names", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
        close_keep_errno(fd);
        return -1;
    }
    return fd;
}

/* Set `name` to `target` whatever it was: a new link renamed over it. */
static int replace(struct engine *e, const char *name, const char *target, struct error **err)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".new-%d-%u", (int) getpid(), (unsigned) random());
    unlinkat(e->namesfd, tmp, 0);
    if (symlinkat(target, e->namesfd, tmp) < 0 || renameat(e->namesfd, tmp, e->namesfd, name) < 0) {
        int r = error_errno(err, "recording the name `%s`", name);
        unlinkat(e->namesfd, tmp, 0);
        return r;
    }
    return 0;
}

/* Replace a stale link, under the names lock. */
static int take_over(struct engine *e, const char *name, const char *target, struct error **err)
{
    cleanup_close int lock = names_lock(e);
    if (lock < 0)
        return error_errno(err, "locking `%s/names`", e->root);
    char old[TARGET_MAX];
    if (read_link(e, name, old, sizeof(old)) == 0 && link_live(e, name, old))
        return error_new(err, EEXIST,
                         "the container name \"/%s\" is already in use by %s%s%s; remove (or "
                         "rename) that container to use the name",
                         name, strlen(old) == ENGINE_ID_LEN ? "container \"" : "a container ",
                         strlen(old) == ENGINE_ID_LEN ? old : "being made",
                         strlen(old) == ENGINE_ID_LEN ? "\"" : "");
    return replace(e, name, target, err);
}

int names_repoint(struct engine *e, const char *name, const char *from, const char *to,
                  struct error **err)
{
    char now[TARGET_MAX];
    if (read_link(e, name, now, sizeof(now)) < 0 || strcmp(now, from) != 0)
        return error_new(err, EEXIST, "the name `%s` was taken over while the container was "
                                      "made", name);
    return replace(e, name, to, err);
}

/* For the sweep, which must stay cheap (no record is read): a link to a
 * container that is not there, or to a scratch folder no one holds. */
static bool link_dead(struct engine *e, const char *name, const char *target)
{
    if (strncmp(target, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
        return !link_live(e, name, target);
    return strlen(target) != ENGINE_ID_LEN ||
           faccessat(e->containersfd, target, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
}

bool names_temp_left(const char *entry)
{
    if (strncmp(entry, ".new-", 5) != 0)
        return false;
    long pid = strtol(entry + 5, NULL, 10);
    return pid > 0 && kill((pid_t) pid, 0) < 0 && errno == ESRCH;
}

void names_sweep(struct engine *e)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->namesfd, ".");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char target[TARGET_MAX];
        if (names_temp_left(de->d_name)) {
            unlinkat(e->namesfd, de->d_name, 0); /* replace()'s, its maker killed */
            continue;
        }
        if (de->d_name[0] == '.' || read_link(e, de->d_name, target, sizeof(target)) < 0 ||
            !link_dead(e, de->d_name, target))
            continue;
        cleanup_close int lock = names_lock(e);
        if (lock < 0)
            return;
        char again[TARGET_MAX];
        if (read_link(e, de->d_name, again, sizeof(again)) == 0 && strcmp(again, target) == 0 &&
            link_dead(e, de->d_name, again))
            unlinkat(e->namesfd, de->d_name, 0);
    }
}

int names_claim(struct engine *e, const char *name, const char *target, struct error **err)
{
    int r = flags_check_name(name, err);
    if (r < 0)
        return r;
    if (symlinkat(target, e->namesfd, name) == 0)
        return 0;
    if (errno != EEXIST)
        return error_errno(err, "recording the name `%s`", name);
    return take_over(e, name, target, err);
}

int names_generate(struct engine *e, const char *target, char **ret, struct error **err)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        uint32_t rnd[2];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t) sizeof(rnd))
            return error_errno(err, "getrandom");
        char name[64];
        int n = snprintf(name, sizeof(name), "%s_%s", adjectives[rnd[0] % N(adjectives)],
                         nouns[rnd[1] % N(nouns)]);
        if (attempt >= 8)
            snprintf(name + n, sizeof(name) - (size_t) n, "%u", (rnd[0] >> 8) % 100);
        cleanup_error struct error *e2 = NULL;
        if (names_claim(e, name, target, &e2) == 0) {
            if ((*ret = strdup(name)) == NULL) {
                names_release(e, name, target);
                return error_new(err, ENOMEM, "out of memory");
            }
            return 0;
        }
        if (error_code(e2) != EEXIST) {
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
    }
    return error_new(err, EEXIST, "could not find a free name for the container; give one "
                                  "with --name");
}

void names_release(struct engine *e, const char *name, const char *target)
{
    char now[TARGET_MAX];
    if (name && read_link(e, name, now, sizeof(now)) == 0 && strcmp(now, target) == 0)
        unlinkat(e->namesfd, name, 0);
}
