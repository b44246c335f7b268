/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/bundle (the OCI config made from an image config)
 * and engine/user (users resolved inside a container's root). */
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

#include "engine/bundle.h"
#include "engine/user.h"
#include "runtime/spec.h"
#include "util/fs.h"
#include "util/strv.h"

static struct image_config *config(char **env, char **ep, char **cmd)
{
    struct image_config *c = calloc(1, sizeof(*c));
    c->env = env;
    c->entrypoint = ep;
    c->cmd = cmd;
    c->working_dir = strdup("/srv");
    return c;
}

static char **v(const char *a, const char *b)
{
    char **r = calloc(3, sizeof(char *));
    r[0] = a ? strdup(a) : NULL;
    r[1] = b ? strdup(b) : NULL;
    return r;
}

static void test_args(void **state)
{
    struct image_config *c = config(NULL, v("/ep", NULL), v("a", "b"));
    char **args = NULL;
    struct error *err = NULL;
    assert_int_equal(bundle_args(c, NULL, NULL, &args, &err), 0);
    assert_string_equal(args[0], "/ep");
    assert_string_equal(args[2], "b");
    strv_free(args);
    char *cmd[] = {(char *) "x", NULL};
    assert_int_equal(bundle_args(c, NULL, cmd, &args, &err), 0);
    assert_string_equal(args[1], "x");
    assert_null(args[2]);
    strv_free(args);
    /* --entrypoint replaces the image's and clears its Cmd, as docker's. */
    assert_int_equal(bundle_args(c, "/other", NULL, &args, &err), 0);
    assert_string_equal(args[0], "/other");
    assert_null(args[1]);
    strv_free(args);
    assert_int_equal(bundle_args(c, "", cmd, &args, &err), 0);
    assert_string_equal(args[0], "x");
    assert_null(args[1]);
    strv_free(args);
    assert_true(bundle_args(c, "", NULL, &args, &err) < 0);
    error_free(err);
    err = NULL;
    image_config_free(c);
    c = config(NULL, NULL, NULL);
    assert_true(bundle_args(c, NULL, NULL, &args, &err) < 0);
    assert_non_null(strstr(err->msg, "no command"));
    error_free(err);
    image_config_free(c);
}

/* The config we make is one the runtime core accepts. */
static void test_spec(void **state)
{
    struct image_config *c = config(v("A=1", "PATH=/only"), NULL, v("sh", NULL));
    char *env[] = {(char *) "A=2", (char *) "NEW=x", NULL};
    gid_t groups[] = {10, 11};
    char **penv = NULL;
    struct error *err = NULL;
    assert_int_equal(bundle_env(c, "abc", true, "/home/u", env, &penv, &err), 0);
    char *args[] = {(char *) "sh", NULL};
    struct bundle_params p = {.args = args, .env = penv, .cwd = "/srv", .tty = true,
                              .hostname = "abc", .cgroups_path = "/cabin/abc", .uid = 5,
                              .gid = 6, .groups = groups, .n_groups = 2,
                              .caps = bundle_default_caps(), .shm_size = 64 << 20};
    json_t *j = NULL;
    assert_int_equal(bundle_spec(&p, &j, &err), 0);
    struct spec *s = NULL;
    if (spec_from_json(j, &s, &err) < 0)
        fail_msg("%s", err->msg);
    assert_string_equal(s->hostname, "abc");
    assert_true(s->process->terminal);
    assert_int_equal(s->process->uid, 5);
    assert_int_equal(s->process->n_additional_gids, 2);
    assert_string_equal(s->process->cwd, "/srv");
    assert_string_equal(s->process->env[0], "A=2");
    assert_string_equal(s->process->env[1], "PATH=/only");
    assert_string_equal(strv_env_get(s->process->env, "HOSTNAME"), "abc");
    assert_string_equal(strv_env_get(s->process->env, "TERM"), "xterm");
    assert_string_equal(strv_env_get(s->process->env, "HOME"), "/home/u");
    assert_string_equal(strv_env_get(s->process->env, "NEW"), "x");
    assert_false(s->root_readonly);
    assert_true(s->ns[SPEC_NS_NET].enabled);
    assert_true(s->ns[SPEC_NS_PID].enabled);
    /* docker's 14 capabilities */
    assert_int_equal(__builtin_popcountll(s->process->caps.bounding), 14);
    assert_string_equal(s->cgroups_path, "/cabin/abc");
    spec_free(s);
    json_decref(j);
    strv_free(penv);

    char *badenv[] = {(char *) "=x", NULL};
    assert_true(bundle_env(c, "abc", false, NULL, badenv, &penv, &err) < 0);
    error_free(err);
    image_config_free(c);
}

static void put(const char *root, const char *path, const char *text)
{
    char p[256];
    snprintf(p, sizeof(p), "%s%s", root, path);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static void test_users(void **state)
{
    char dir[] = "/tmp/cabin-test-user.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[128];
    snprintf(p, sizeof(p), "%s/etc", dir);
    mkdir(p, 0755);
    put(dir, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n# a comment\n"
                            "app:x:1000:1001:App:/home/app:/bin/sh\n");
    put(dir, "/etc/group", "root:x:0:\nappg:x:1001:\nextra:x:2000:app,other\nwheel:x:10:app\n");
    int root = open(dir, O_PATH | O_DIRECTORY);
    struct resolved_user u;
    struct error *err = NULL;
    assert_int_equal(user_resolve(root, "", &u, &err), 0);
    assert_int_equal(u.uid, 0);
    assert_string_equal(u.home, "/root");
    assert_int_equal(user_resolve(root, "app", &u, &err), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1001);
    assert_int_equal(u.n_groups, 2);
    assert_int_equal(u.groups[0], 2000);
    assert_string_equal(u.home, "/home/app");
    assert_int_equal(user_resolve(root, "app:wheel", &u, &err), 0);
    assert_int_equal(u.gid, 10);
    assert_int_equal(user_resolve(root, "4242", &u, &err), 0);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 0);
    assert_int_equal(user_resolve(root, "1000:5", &u, &err), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 5);
    assert_true(user_resolve(root, "nobody", &u, &err) < 0);
    assert_non_null(strstr(err->msg, "unable to find user nobody"));
    error_free(err);
    err = NULL;
    assert_true(user_resolve(root, "app:nogroup", &u, &err) < 0);
    assert_non_null(strstr(err->msg, "unable to find group nogroup"));
    error_free(err);
    err = NULL;
    /* /etc/passwd a symlink to the host's: read inside the root, so it is
     * this root's /etc/shadow-less nothing, not the host's file. */
    snprintf(p, sizeof(p), "%s/etc/passwd", dir);
    unlink(p);
    assert_int_equal(symlink("/../../../../etc/hostname", p), 0);
    assert_true(user_resolve(root, "root", &u, &err) < 0);
    error_free(err);
    err = NULL;
    /* A fifo must not hang the lookup. */
    unlink(p);
    assert_int_equal(mkfifo(p, 0644), 0);
    assert_true(user_resolve(root, "app", &u, &err) < 0);
    assert_non_null(strstr(err->msg, "not a regular file"));
    error_free(err);
    close(root);
    int tmp = open("/tmp", O_PATH | O_DIRECTORY);
    fs_remove_tree(tmp, dir + 5, NULL);
    close(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_users),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
