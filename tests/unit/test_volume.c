/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/volume (make, list, fill once from an image folder,
 * remove, refused while named by a container), engine/mountplan (image
 * VOLUMEs, binds, the OCI mounts, anonymous ones removed) and
 * engine/netvol (the record, who uses what, the network namespace). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/mountplan.h"
#include "engine/netvol.h"
#include "engine/volume.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

static char dir[] = "/tmp/cabin-test-volume.XXXXXX";
static struct engine *eng;
static int rootfd = -1; /* a stand-in for a container's root */

static void put(const char *rel, const char *text, mode_t mode)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/rootfs/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(p, mode);
}

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    char root[128], run[128], p[160];
    snprintf(root, sizeof(root), "%s/root", dir);
    snprintf(run, sizeof(run), "%s/run", dir);
    struct engine_opts o = {.root = root, .runroot = run};
    struct error *err = NULL;
    if (engine_open(&o, &eng, &err) < 0)
        return -1;
    snprintf(p, sizeof(p), "%s/rootfs/srv/data/sub", dir);
    if (fs_mkdir_p(p, 0755, &err) < 0)
        return -1;
    snprintf(p, sizeof(p), "%s/rootfs/srv/data", dir);
    if (chown(p, 33, 33) < 0)
        return -1;
    chmod(p, 0750);
    put("srv/data/seed", "from the image\n", 0640);
    snprintf(p, sizeof(p), "%s/rootfs/srv/data/link", dir);
    if (symlink("/etc/shadow", p) < 0) /* copied as a link, never followed */
        return -1;
    snprintf(p, sizeof(p), "%s/rootfs", dir);
    rootfd = open(p, O_PATH | O_DIRECTORY);
    return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    engine_free(eng);
    close(rootfd);
    struct error *err = NULL;
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    fs_remove_tree(fd, dir + 5, &err);
    close(fd);
    error_free(err);
    return 0;
}

static char *read_vol(const char *vol, const char *rel)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/root/volumes/%s/_data/%s", dir, vol, rel);
    char *buf = NULL;
    size_t len;
    struct error *err = NULL;
    if (fs_read_file_at(AT_FDCWD, p, 4096, &buf, &len, &err) < 0) {
        error_free(err);
        return NULL;
    }
    return buf;
}

static void test_store(void **state)
{
    struct volume *v = NULL;
    bool made = false;
    struct error *err = NULL;
    char *labels[] = {(char *) "k=v", NULL};
    assert_int_equal(volume_ensure(eng, "data", labels, false, &v, &made, &err), 0);
    assert_true(made);
    assert_false(v->anonymous);
    assert_false(v->populated);
    assert_string_equal(v->labels[0], "k=v");
    assert_non_null(strstr(v->mountpoint, "/root/volumes/data/_data"));
    volume_free(v);
    /* again: the same one */
    assert_int_equal(volume_ensure(eng, "data", NULL, false, &v, &made, &err), 0);
    assert_false(made);
    assert_string_equal(v->labels[0], "k=v");
    volume_free(v);
    assert_int_equal(volume_new_anonymous(eng, &v, &err), 0);
    assert_true(v->anonymous);
    assert_int_equal(strlen(v->name), 64);
    char anon[65];
    strcpy(anon, v->name);
    volume_free(v);
    struct volume **all = NULL;
    assert_int_equal(volume_list(eng, &all, &err), 0);
    assert_int_equal(strv_length((char **) all), 2);
    volume_list_free(all);
    assert_true(volume_ensure(eng, "x", NULL, false, &v, NULL, &err) < 0);
    assert_non_null(strstr(err->msg, "not a volume name"));
    error_free(err);
    err = NULL;
    assert_true(volume_load(eng, "../etc", &v, &err) < 0);
    error_free(err);
    err = NULL;
    assert_int_equal(volume_remove(eng, anon, &err), 0);
    assert_int_equal(volume_load(eng, anon, &v, &err), -ENOENT);
    assert_non_null(strstr(err->msg, "no such volume"));
    error_free(err);
}

static void test_populate_once(void **state)
{
    struct volume *v = NULL;
    struct error *err = NULL;
    assert_int_equal(volume_ensure(eng, "filled", NULL, false, &v, NULL, &err), 0);
    int src = open("/dev/null", O_RDONLY);
    close(src);
    struct mount_request m = {.kind = MOUNT_VOLUME, .source = (char *) "filled",
                              .target = (char *) "/srv/data"};
    struct mountplan p = {0};
    assert_int_equal(mountplan_prepare(eng, rootfd, NULL, &m, 1, &p, &err), 0);
    mountplan_release(&p);
    char *t = read_vol("filled", "seed");
    assert_non_null(t);
    assert_string_equal(t, "from the image\n");
    free(t);
    char lp[256], target[64] = "";
    snprintf(lp, sizeof(lp), "%s/root/volumes/filled/_data/link", dir);
    assert_true(readlink(lp, target, sizeof(target) - 1) > 0);
    assert_string_equal(target, "/etc/shadow");
    struct stat st;
    snprintf(lp, sizeof(lp), "%s/root/volumes/filled/_data", dir);
    assert_int_equal(stat(lp, &st), 0);
    assert_int_equal(st.st_uid, 33); /* the image folder's owner and mode */
    assert_int_equal(st.st_mode & 07777, 0750);
    volume_free(v);
    /* later containers see what is there: emptied, it is not filled again */
    snprintf(lp, sizeof(lp), "%s/root/volumes/filled/_data/seed", dir);
    unlink(lp);
    assert_int_equal(mountplan_prepare(eng, rootfd, NULL, &m, 1, &p, &err), 0);
    mountplan_release(&p);
    assert_null(read_vol("filled", "seed"));
    /* nocopy: never filled */
    struct mount_request nc = {.kind = MOUNT_VOLUME, .source = (char *) "nocopy",
                               .target = (char *) "/srv/data", .nocopy = true};
    assert_int_equal(mountplan_prepare(eng, rootfd, NULL, &nc, 1, &p, &err), 0);
    mountplan_release(&p);
    assert_null(read_vol("nocopy", "seed"));
}

static void test_binds_and_image_volumes(void **state)
{
    char missing[200], made[200];
    snprintf(missing, sizeof(missing), "%s/nothere", dir);
    snprintf(made, sizeof(made), "%s/made/by/v", dir);
    struct mount_request m[2] = {
        {.kind = MOUNT_BIND, .source = missing, .target = (char *) "/x"},
        {.kind = MOUNT_BIND, .source = made, .target = (char *) "/y", .create_source = true},
    };
    struct mountplan p = {0};
    struct error *err = NULL;
    /* --mount type=bind: a missing source is an error, and nothing is made */
    assert_int_equal(mountplan_prepare(eng, rootfd, NULL, m, 1, &p, &err), -ENOENT);
    assert_non_null(strstr(err->msg, "bind source path does not exist"));
    error_free(err);
    err = NULL;
    assert_int_equal(access(missing, F_OK), -1);
    /* -v: the host folder is made */
    assert_int_equal(mountplan_prepare(eng, rootfd, NULL, m + 1, 1, &p, &err), 0);
    mountplan_release(&p);
    struct stat st;
    assert_int_equal(stat(made, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* the image's VOLUMEs: anonymous volumes, unless a request covers them */
    struct image_config img = {0};
    img.json = json_pack("{s:{s:{s:{}, s:{}}}}", "config", "Volumes", "/srv/data", "/cache");
    struct mount_request cover = {.kind = MOUNT_VOLUME, .source = (char *) "mine",
                                  .target = (char *) "/cache"};
    assert_int_equal(mountplan_prepare(eng, rootfd, &img, &cover, 1, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.mounts[0].source, "mine");
    assert_string_equal(p.mounts[1].target, "/srv/data");
    assert_int_equal(strlen(p.mounts[1].source), 64);
    char *anon = read_vol(p.mounts[1].source, "seed"); /* filled from the image too */
    assert_non_null(anon);
    free(anon);
    /* removing the anonymous ones (once unlocked) leaves the named one */
    char name[65];
    strcpy(name, p.mounts[1].source);
    struct mount_request both[2] = {
        {.kind = MOUNT_VOLUME, .source = (char *) "mine", .target = (char *) "/cache"},
        {.kind = MOUNT_VOLUME, .source = name, .target = (char *) "/srv/data"},
    };
    mountplan_release(&p);
    assert_int_equal(mountplan_remove_anonymous(eng, both, 2, &err), 0);
    struct volume *v = NULL;
    assert_int_equal(volume_load(eng, name, &v, &err), -ENOENT);
    error_free(err);
    err = NULL;
    assert_int_equal(volume_load(eng, "mine", &v, &err), 0);
    volume_free(v);
    json_decref(img.json);
}

static json_t *mount_at(json_t *spec, const char *dest)
{
    json_t *ms = json_object_get(spec, "mounts");
    for (size_t i = 0; i < json_array_size(ms); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(ms, i), "destination")),
                   dest) == 0)
            return json_array_get(ms, i);
    return NULL;
}

static void test_apply(void **state)
{
    json_t *spec = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "mounts", "destination",
                             "/proc", "type", "proc", "source", "proc", "destination",
                             "/dev/shm", "type", "tmpfs", "source", "shm");
    char *topts[] = {(char *) "exec", (char *) "uid=1000", NULL};
    struct mount_request m[4] = {
        {.kind = MOUNT_BIND, .source = (char *) "/h", .target = (char *) "/a/b",
         .readonly = true, .propagation = (char *) "rslave"},
        {.kind = MOUNT_VOLUME, .source = (char *) "data", .target = (char *) "/a"},
        {.kind = MOUNT_TMPFS, .target = (char *) "/dev/shm", .tmpfs_size = 1 << 20,
         .has_mode = true, .tmpfs_mode = 01777, .tmpfs_opts = topts},
        {.kind = MOUNT_BIND, .source = (char *) "/h2", .target = (char *) "/c",
         .nonrecursive = true},
    };
    struct error *err = NULL;
    assert_int_equal(mountplan_apply(eng, m, 4, spec, &err), 0);
    json_t *ms = json_object_get(spec, "mounts");
    assert_int_equal(json_array_size(ms), 5); /* the default /dev/shm gave way */
    /* parents first: /a before /a/b */
    size_t ia = 0, iab = 0;
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const char *d = json_string_value(json_object_get(json_array_get(ms, i), "destination"));
        ia = strcmp(d, "/a") == 0 ? i : ia;
        iab = strcmp(d, "/a/b") == 0 ? i : iab;
    }
    assert_true(ia < iab);
    json_t *want = json_pack("[s, s, s]", "rbind", "ro", "rslave");
    assert_true(json_equal(json_object_get(mount_at(spec, "/a/b"), "options"), want));
    json_decref(want);
    assert_non_null(strstr(json_string_value(json_object_get(mount_at(spec, "/a"), "source")),
                           "/root/volumes/data/_data"));
    want = json_pack("[s, s, s]", "bind", "rw", "rprivate");
    assert_true(json_equal(json_object_get(mount_at(spec, "/c"), "options"), want));
    json_decref(want);
    want = json_pack("[s, s, s, s, s, s]", "nosuid", "nodev", "exec", "uid=1000",
                     "size=1048576", "mode=1777");
    json_t *shm = json_object_get(mount_at(spec, "/dev/shm"), "options");
    json_array_remove(shm, json_array_size(shm) - 1); /* the trailing rw */
    assert_true(json_equal(shm, want));
    json_decref(want);
    json_t *insp = mountplan_inspect(eng, m, 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(insp, 1), "Name")),
                        "data");
    assert_false(json_is_true(json_object_get(json_array_get(insp, 0), "RW")));
    json_decref(insp);
    json_decref(spec);
}

static void test_netvol(void **state)
{
    /* a container folder with a record naming network `front` and volume `data` */
    char p[200];
    snprintf(p, sizeof(p), "%s/root/containers/c1", dir);
    mkdir(p, 0700);
    int cdir = open(p, O_PATH | O_DIRECTORY);
    char *nets[] = {(char *) "front", NULL};
    struct net_request net = {.mode = NET_MODE_BRIDGE, .networks = nets};
    struct mount_request m = {.kind = MOUNT_VOLUME, .source = (char *) "data",
                              .target = (char *) "/d"};
    json_t *spec = json_pack("{s:{s:[{s:s}, {s:s}]}}", "linux", "namespaces", "type", "pid",
                             "type", "network");
    struct error *err = NULL;
    assert_int_equal(netvol_create(eng, "c1", cdir, rootfd, NULL, &net, &m, 1, spec, &err), 0);
    json_t *ns = json_array_get(json_object_get(json_object_get(spec, "linux"), "namespaces"), 1);
    assert_non_null(strstr(json_string_value(json_object_get(ns, "path")), "/run/netns/c1"));
    json_decref(spec);
    struct net_request *back = NULL;
    struct mount_request *bm = NULL;
    size_t n = 0;
    assert_int_equal(netvol_load(cdir, &back, &bm, &n, &err), 0);
    assert_string_equal(back->networks[0], "front");
    assert_int_equal(n, 1);
    assert_string_equal(bm[0].source, "data");
    net_request_free(back);
    mount_requests_free(bm, n);
    char **users = NULL;
    assert_int_equal(netvol_users(eng, "front", NULL, &users, &err), 0);
    assert_string_equal(users[0], "c1");
    strv_free(users);
    users = NULL;
    assert_int_equal(netvol_users(eng, "back", NULL, &users, &err), 0);
    assert_null(users);
    assert_int_equal(netvol_users(eng, NULL, "data", &users, &err), 0);
    assert_string_equal(users[0], "c1");
    strv_free(users);
    /* in use: refused, with the container named */
    assert_int_equal(volume_remove(eng, "data", &err), -EBUSY);
    assert_non_null(strstr(err->msg, "in use by container c1"));
    error_free(err);
    err = NULL;
    /* host network: no namespace entry at all */
    struct net_request host = {.mode = NET_MODE_HOST};
    spec = json_pack("{s:{s:[{s:s}]}}", "linux", "namespaces", "type", "network");
    assert_int_equal(netvol_create(eng, "c1", cdir, rootfd, NULL, &host, NULL, 0, spec, &err), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(spec, "linux"),
                                                     "namespaces")),
                     0);
    json_decref(spec);
    /* the container gone, the volume can go */
    unlinkat(cdir, NETVOL_FILE, 0);
    close(cdir);
    rmdir(p);
    assert_int_equal(volume_remove(eng, "data", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_populate_once),
        cmocka_unit_test(test_binds_and_image_volumes),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_netvol),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
