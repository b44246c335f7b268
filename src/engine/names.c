/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/flags.h"
#include "util/cleanup.h"

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

/* A link whose container does not exist yet may be one being made (the
 * name is claimed before the folder appears): it is stale only this long
 * after it was made. */
#define GRACE_SECONDS 60

/* Does `id` exist with the name `name`?  (Is the link live?) */
static bool link_live(struct engine *e, const char *name, const char *id)
{
    cleanup_container struct engine_container *c = NULL;
    if (engine_container_read(e, id, &c, NULL) < 0)
        return false;
    return strcmp(c->name, name) == 0;
}

/* May the link be taken over?  Its container has another name, or has not
 * appeared in GRACE_SECONDS. */
static bool link_stale(struct engine *e, const char *name, const char *id)
{
    cleanup_container struct engine_container *c = NULL;
    if (engine_container_read(e, id, &c, NULL) == 0)
        return strcmp(c->name, name) != 0;
    struct stat st;
    if (fstatat(e->namesfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return true;
    return time(NULL) - st.st_mtime > GRACE_SECONDS;
}

static int read_link(struct engine *e, const char *name, char *ret_id)
{
    char buf[ENGINE_ID_LEN + 2];
    ssize_t n = readlinkat(e->namesfd, name, buf, sizeof(buf));
    if (n < 0)
        return -errno;
    if (n != ENGINE_ID_LEN)
        return -EINVAL;
    memcpy(ret_id, buf, ENGINE_ID_LEN);
    ret_id[ENGINE_ID_LEN] = '\0';
    return 0;
}

int names_lookup(struct engine *e, const char *name, char *ret_id)
{
    if (flags_check_name(name, NULL) < 0)
        return -ENOENT;
    char id[ENGINE_ID_LEN + 1];
    if (read_link(e, name, id) < 0 || !link_live(e, name, id))
        return -ENOENT;
    memcpy(ret_id, id, ENGINE_ID_LEN + 1);
    return 0;
}

/* Replace a stale link, under the names lock. */
static int take_over(struct engine *e, const char *name, const char *id, struct error **err)
{
    cleanup_close int lock = dup(e->namesfd);
    if (lock < 0 || flock(lock, LOCK_EX) < 0)
        return error_errno(err, "locking `%s/names`", e->root);
    char old[ENGINE_ID_LEN + 1];
    if (read_link(e, name, old) == 0 && !link_stale(e, name, old))
        return error_new(err, EEXIST,
                         "the container name \"/%s\" is already in use by container \"%s\"; "
                         "remove (or rename) that container to use the name",
                         name, old);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".new-%d", (int) getpid());
    unlinkat(e->namesfd, tmp, 0);
    if (symlinkat(id, e->namesfd, tmp) < 0 || renameat(e->namesfd, tmp, e->namesfd, name) < 0) {
        int r = error_errno(err, "recording the name `%s`", name);
        unlinkat(e->namesfd, tmp, 0);
        return r;
    }
    return 0;
}

int names_claim(struct engine *e, const char *name, const char *id, struct error **err)
{
    int r = flags_check_name(name, err);
    if (r < 0)
        return r;
    if (symlinkat(id, e->namesfd, name) == 0)
        return 0;
    if (errno != EEXIST)
        return error_errno(err, "recording the name `%s`", name);
    return take_over(e, name, id, err);
}

int names_generate(struct engine *e, const char *id, char **ret, struct error **err)
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
        if (names_claim(e, name, id, &e2) == 0) {
            if ((*ret = strdup(name)) == NULL) {
                names_release(e, name, id);
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

void names_release(struct engine *e, const char *name, const char *id)
{
    char now[ENGINE_ID_LEN + 1];
    if (name && read_link(e, name, now) == 0 && strcmp(now, id) == 0)
        unlinkat(e->namesfd, name, 0);
}
