/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/mountopts: -v, --mount, --tmpfs, sizes, duplicates
 * and the JSON round trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/mountopts.h"
#include "util/strv.h"

typedef int (*parser)(const char *, struct mount_request *, struct error **);

static struct mount_request m;

static void ok(parser p, const char *spec)
{
    mount_request_release(&m);
    struct error *err = NULL;
    if (p(spec, &m, &err) < 0)
        fail_msg("`%s`: %s", spec, err->msg);
}

static void bad(parser p, const char *spec, const char *want)
{
    mount_request_release(&m);
    struct error *err = NULL;
    if (p(spec, &m, &err) == 0)
        fail_msg("`%s` was accepted", spec);
    if (want && strstr(err->msg, want) == NULL)
        fail_msg("`%s`: `%s` does not say `%s`", spec, err->msg, want);
    error_free(err);
}

static void test_volume_flag(void **state)
{
    ok(mount_parse_volume, "/data");
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_null(m.source);
    assert_string_equal(m.target, "/data");

    ok(mount_parse_volume, "mydata:/srv//x/:ro");
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_string_equal(m.source, "mydata");
    assert_string_equal(m.target, "/srv/x");
    assert_true(m.readonly);

    ok(mount_parse_volume, "/host/dir/../d:/c:rw,rslave");
    assert_int_equal(m.kind, MOUNT_BIND);
    assert_string_equal(m.source, "/host/d");
    assert_true(m.create_source);
    assert_false(m.readonly);
    assert_string_equal(m.propagation, "rslave");

    ok(mount_parse_volume, "v1:/x:nocopy");
    assert_true(m.nocopy);
    ok(mount_parse_volume, "/h:/x:cached");

    bad(mount_parse_volume, "relative/path:/x", "neither an absolute host path");
    bad(mount_parse_volume, "./d:/x", NULL);
    bad(mount_parse_volume, "v:relative", "absolute");
    bad(mount_parse_volume, "v:/", "cannot be `/`");
    bad(mount_parse_volume, "/x:ro", NULL);
    bad(mount_parse_volume, "a:/b:ro:extra", "expected");
    bad(mount_parse_volume, "/h:/x:ro,rw", "twice");
    bad(mount_parse_volume, "vol:/x:rshared", "bind mounts");
    bad(mount_parse_volume, "/h:/x:nocopy", "volumes only");
    bad(mount_parse_volume, "/h:/x:Z", "SELinux");
    bad(mount_parse_volume, "/h:/x:bogus", "unknown option");
    bad(mount_parse_volume, "x:/a", NULL); /* one-letter names are not volume names */
    bad(mount_parse_volume, "", NULL);
    mount_request_release(&m);
}

static void test_mount_flag(void **state)
{
    ok(mount_parse_mount, "type=bind,source=/h,target=/c,readonly,bind-propagation=rprivate");
    assert_int_equal(m.kind, MOUNT_BIND);
    assert_string_equal(m.source, "/h");
    assert_true(m.readonly);
    assert_false(m.create_source); /* --mount never makes the source */
    assert_string_equal(m.propagation, "rprivate");

    ok(mount_parse_mount, "src=data,dst=/d,volume-nocopy,volume-label=a=b,volume-label=c=d");
    assert_int_equal(m.kind, MOUNT_VOLUME);
    assert_string_equal(m.source, "data");
    assert_true(m.nocopy);
    assert_int_equal(strv_length(m.labels), 2);
    assert_string_equal(m.labels[0], "a=b");

    ok(mount_parse_mount, "type=volume,destination=/anon");
    assert_null(m.source);

    ok(mount_parse_mount, "type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770");
    assert_int_equal(m.kind, MOUNT_TMPFS);
    assert_int_equal(m.tmpfs_size, 64ull << 20);
    assert_true(m.has_mode);
    assert_int_equal(m.tmpfs_mode, 01770);

    ok(mount_parse_mount, "\"type=bind\",\"source=/a,b\",target=/c,ro=false");
    assert_string_equal(m.source, "/a,b");
    assert_false(m.readonly);

    ok(mount_parse_mount, "TYPE=bind,Source=/h,Target=/c,bind-nonrecursive=true");
    assert_true(m.nonrecursive);

    bad(mount_parse_mount, "type=bind,target=/c", "absolute source");
    bad(mount_parse_mount, "type=bind,source=rel,target=/c", "absolute source");
    bad(mount_parse_mount, "type=tmpfs,source=x,target=/t", "no source");
    bad(mount_parse_mount, "type=bind,source=/h,target=/c,volume-nocopy", "another type");
    bad(mount_parse_mount, "type=volume,target=/c,tmpfs-size=1m", "another type");
    bad(mount_parse_mount, "type=npipe,target=/c", "not bind, volume or tmpfs");
    bad(mount_parse_mount, "type=bind,source=/h", "no target");
    bad(mount_parse_mount, "type=bind,source=/h,target=/c,bogus=1", "unknown option `bogus`");
    bad(mount_parse_mount, "type=bind,source=/h,target=/c,readonly=maybe", "true or false");
    bad(mount_parse_mount, "type=tmpfs,target=/t,tmpfs-size=lots", "not a size");
    bad(mount_parse_mount, "type=tmpfs,target=/t,tmpfs-mode=999", "octal");
    bad(mount_parse_mount, "type=volume,source=x,target=/c", "not a volume name");
    bad(mount_parse_mount, "type=volume,target=/c,volume-driver=nfs", "local");
    bad(mount_parse_mount, "\"type=bind,source=/h,target=/c", "quote");
    mount_request_release(&m);
}

static void test_tmpfs_flag(void **state)
{
    ok(mount_parse_tmpfs, "/run");
    assert_int_equal(m.kind, MOUNT_TMPFS);
    assert_int_equal(m.tmpfs_size, 0);
    ok(mount_parse_tmpfs, "/run:size=10m,mode=700,uid=1000,exec,ro");
    assert_int_equal(m.tmpfs_size, 10ull << 20);
    assert_int_equal(m.tmpfs_mode, 0700);
    assert_true(m.readonly);
    assert_int_equal(strv_length(m.tmpfs_opts), 2);
    assert_string_equal(m.tmpfs_opts[0], "uid=1000");
    assert_string_equal(m.tmpfs_opts[1], "exec");
    bad(mount_parse_tmpfs, "run", "absolute");
    bad(mount_parse_tmpfs, "/run:size=big", "size");
    bad(mount_parse_tmpfs, "/run:mode=rwx", "octal");
    bad(mount_parse_tmpfs, "/run:bogus", "unknown option");
    bad(mount_parse_tmpfs, "/run:uid=1;rm", "bad value");
    bad(mount_parse_tmpfs, "/run:context=x", "unknown option");
    mount_request_release(&m);
}

static void test_sizes(void **state)
{
    uint64_t v;
    assert_int_equal(mount_parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(mount_parse_size("64m", &v), 0);
    assert_int_equal(v, 64ull << 20);
    assert_int_equal(mount_parse_size("1G", &v), 0);
    assert_int_equal(v, 1ull << 30);
    assert_int_equal(mount_parse_size("2kb", &v), 0);
    assert_int_equal(v, 2048);
    assert_int_equal(mount_parse_size("1.5g", &v), 0);
    assert_int_equal(v, 3ull << 29);
    assert_true(mount_parse_size("", &v) < 0);
    assert_true(mount_parse_size("m", &v) < 0);
    /* a record must be able to hold it (found by fuzz_net_flags) */
    assert_int_equal(mount_parse_size("9223372036854775807", &v), 0);
    assert_int_equal(mount_parse_size("9223372036854775808", &v), -ERANGE);
    assert_int_equal(mount_parse_size("8388608t", &v), -ERANGE);
    assert_true(mount_parse_size("1.m", &v) < 0);
    assert_true(mount_parse_size("-1", &v) < 0);
    assert_true(mount_parse_size("1x", &v) < 0);
    assert_true(mount_parse_size("99999999999999999999", &v) < 0);
    assert_true(mount_parse_size("99999999999t", &v) < 0);
}

static void test_all_and_json(void **state)
{
    char *vol[] = {(char *) "data:/d", (char *) "/h:/b:ro", NULL};
    char *mnt[] = {(char *) "type=tmpfs,dst=/t,tmpfs-size=1m", NULL};
    char *tmp[] = {(char *) "/run:size=2m,noexec", NULL};
    struct mount_flags f = {.volume = vol, .mount = mnt, .tmpfs = tmp};
    struct mount_request *v = NULL;
    size_t n = 0;
    struct error *err = NULL;
    assert_int_equal(mount_requests_parse(&f, &v, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(v[3].target, "/run");
    json_t *j = mount_requests_to_json(v, n);
    struct mount_request *back = NULL;
    size_t nb = 0;
    assert_int_equal(mount_requests_from_json(j, &back, &nb, &err), 0);
    assert_int_equal(nb, 4);
    assert_int_equal(back[0].kind, MOUNT_VOLUME);
    assert_string_equal(back[0].source, "data");
    assert_int_equal(back[1].kind, MOUNT_BIND);
    assert_true(back[1].readonly);
    assert_true(back[1].create_source);
    assert_int_equal(back[2].tmpfs_size, 1ull << 20);
    assert_string_equal(back[3].tmpfs_opts[0], "noexec");
    json_decref(j);
    mount_requests_free(back, nb);
    mount_requests_free(v, n);

    char *dup[] = {(char *) "a1:/d", NULL};
    char *dup2[] = {(char *) "/d/", NULL};
    f = (struct mount_flags) {.volume = dup, .tmpfs = dup2};
    assert_true(mount_requests_parse(&f, &v, &n, &err) < 0);
    assert_non_null(strstr(err->msg, "duplicate mount point: `/d`"));
    error_free(err);
    err = NULL;

    j = json_pack("[{s:s, s:s}]", "kind", "bind", "target", "/x");
    assert_true(mount_requests_from_json(j, &back, &nb, &err) < 0);
    assert_non_null(strstr(err->msg, "mounts[0]"));
    error_free(err);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volume_flag), cmocka_unit_test(test_mount_flag),
        cmocka_unit_test(test_tmpfs_flag),  cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_all_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
