/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of image/reference: docker's normalisation and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/reference.h"

static void check(const char *in, const char *want)
{
    struct image_ref *r = NULL;
    struct error *err = NULL;
    if (image_ref_parse(in, false, &r, &err) < 0)
        fail_msg("`%s`: %s", in, err->msg);
    char *s = image_ref_string(r);
    if (strcmp(s, want) != 0)
        fail_msg("`%s` -> `%s`, want `%s`", in, s, want);
    free(s);
    image_ref_free(r);
}

static void bad(const char *in, const char *msg)
{
    struct image_ref *r = NULL;
    struct error *err = NULL;
    assert_true(image_ref_parse(in, false, &r, &err) < 0);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("`%s`: error `%s` does not say `%s`", in, err->msg, msg);
    error_free(err);
}

#define D "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_normalise(void **state)
{
    check("alpine", "docker.io/library/alpine:latest");
    check("alpine:3.19", "docker.io/library/alpine:3.19");
    check("user/app", "docker.io/user/app:latest");
    check("docker.io/alpine", "docker.io/library/alpine:latest");
    check("index.docker.io/library/alpine:1", "docker.io/library/alpine:1");
    check("host:5000/a/b:tag", "host:5000/a/b:tag");
    check("localhost/app", "localhost/app:latest");
    check("example.com/a/b/c", "example.com/a/b/c:latest");
    check("name@" D, "docker.io/library/name@" D);
    check("name:tag@" D, "docker.io/library/name:tag@" D);
    check("[::1]:5000/x", "[::1]:5000/x:latest");
    check("a.b_c__d-e---f", "docker.io/library/a.b_c__d-e---f:latest");
}

static void test_errors(void **state)
{
    bad("", "empty");
    bad("Alpine", "must be lowercase");
    bad("alpine:", "tag");
    bad("alpine:-x", "bad tag");
    bad("a//b", "empty path component");
    bad("a/b_", "must be followed");
    bad("name@sha256:abc", "not a sha256 digest");
    bad("name@md5:0123", "not supported");
    bad("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "image id");
    bad("host:port/x", "bad port");
    bad("-host.com/x", "bad domain");
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    bad(longname, "longer than 255");
}

static void test_docker_rules(void **state)
{
    /* An upper-case first component is a domain (docker's splitDockerDomain). */
    check("Example/app", "Example/app:latest");
    check("localhost:5000/a/b:c@" D, "localhost:5000/a/b:c@" D);
    check("a-b--c/d_e", "docker.io/a-b--c/d_e:latest");
    check("docker.io/library/alpine", "docker.io/library/alpine:latest");
    check("index.docker.io/alpine", "docker.io/library/alpine:latest");
    /* docker.io/library/ is added once, and only for one component. */
    check("library/alpine", "docker.io/library/alpine:latest");
    check("docker.io/library/a/b", "docker.io/library/a/b:latest");
    /* "sha256:<hex>" alone is a name with a tag, as docker reads it. */
    check("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "docker.io/library/sha256:0123456789abcdef0123456789abcdef0123456789abcdef"
          "0123456789abcdef");
    char tag[300];
    snprintf(tag, sizeof(tag), "x:%0128d", 0);
    struct image_ref *r = NULL;
    struct error *err = NULL;
    assert_int_equal(image_ref_parse(tag, false, &r, &err), 0);
    assert_int_equal(strlen(r->tag), 128);
    image_ref_free(r);
    snprintf(tag, sizeof(tag), "x:%0129d", 0);
    bad(tag, "1 to 128 characters");
    bad("a___b", "must be followed");
    bad("a..b", "must be followed");
    bad("a/b/", "empty path component");
    bad("host:5000/", "empty path component");
    bad(" alpine", "unexpected");
    bad("alpine ", "unexpected");
    bad("::1/x", "bad domain");
    bad("[::g]:5000/x", "bad IPv6");
    bad("ex_ample.com/x", "bad domain");
    bad("x@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        "not a sha256 digest");
    bad("x:t@", "nothing after `@`");
    /* Without a default tag, only what was given. */
    assert_int_equal(image_ref_parse("alpine", true, &r, &err), 0);
    assert_null(r->tag);
    assert_null(r->digest);
    image_ref_free(r);
}

static void test_familiar(void **state)
{
    assert_string_equal(image_ref_familiar("docker.io/library/alpine:3"), "alpine:3");
    assert_string_equal(image_ref_familiar("docker.io/user/app:1"), "user/app:1");
    assert_string_equal(image_ref_familiar("docker.io/library/a/b:1"), "library/a/b:1");
    assert_string_equal(image_ref_familiar("quay.io/x/y:1"), "quay.io/x/y:1");
    char *repo = NULL;
    const char *tag = NULL;
    bool dig = false;
    assert_int_equal(image_ref_split("host:5000/a:1", &repo, &tag, &dig), 0);
    assert_string_equal(repo, "host:5000/a");
    assert_string_equal(tag, "1");
    assert_false(dig);
    free(repo);
    assert_int_equal(image_ref_split("x/y@" D, &repo, &tag, &dig), 0);
    assert_string_equal(repo, "x/y");
    assert_true(dig);
    free(repo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_docker_rules),
        cmocka_unit_test(test_familiar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
