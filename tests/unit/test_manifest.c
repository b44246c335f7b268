/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of image/manifest (documents, errors naming fields) and of
 * image/import's --change instructions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/import.h"
#include "image/manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static json_t *load(const char *s)
{
    json_t *j = NULL;
    struct error *err = NULL;
    if (manifest_load_json(s, strlen(s), MANIFEST_MAX_SIZE, "doc", &j, &err) < 0)
        fail_msg("%s", err->msg);
    return j;
}

static void expect_error(const char *doc, const char *msg)
{
    json_t *j = load(doc);
    struct manifest *m = NULL;
    struct error *err = NULL;
    assert_true(manifest_parse(j, "manifest x", &m, &err) < 0);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("`%s` does not say `%s`", err->msg, msg);
    error_free(err);
    json_decref(j);
}

static void test_manifest(void **state)
{
    json_t *j = load("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\","
                     "\"config\":{\"mediaType\":\"" MEDIA_DOCKER_CONFIG "\",\"digest\":\"" D1
                     "\",\"size\":10},\"layers\":[{\"mediaType\":\"" MEDIA_DOCKER_LAYER
                     "\",\"digest\":\"" D2 "\",\"size\":20}]}");
    assert_int_equal(manifest_sniff(j), DOC_MANIFEST);
    struct manifest *m = NULL;
    struct error *err = NULL;
    assert_int_equal(manifest_parse(j, "m", &m, &err), 0);
    assert_int_equal(m->kind, MANIFEST_DOCKER);
    assert_string_equal(m->config.digest, D1);
    assert_int_equal(m->n_layers, 1);
    assert_int_equal(m->layers[0].size, 20);
    assert_true(media_type_is_layer(m->layers[0].media_type));
    manifest_free(m);
    json_decref(j);

    expect_error("{\"schemaVersion\":1}", "schema 1");
    expect_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":-1},"
                 "\"layers\":[]}",
                 "config.size: -1 is negative");
    expect_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
                 "\"layers\":[{\"digest\":\"sha256:xyz\",\"size\":1}]}",
                 "layers[0].digest");
    expect_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1}}",
                 "layers: expected an array");
    expect_error("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_INDEX "\"}",
                 "is not an image manifest");
    expect_error("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
                 "\"layers\":[],\"manifests\":[]}",
                 "a manifest with `manifests`, as an index has: ambiguous, refused");
}

static void test_index_and_platform(void **state)
{
    json_t *j = load("{\"schemaVersion\":2,\"manifests\":["
                     "{\"digest\":\"" D1 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
                     "\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                     "{\"digest\":\"" D2 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
                     "\"architecture\":\"amd64\"}}]}");
    assert_int_equal(manifest_sniff(j), DOC_INDEX);
    struct image_index *ix = NULL;
    struct error *err = NULL;
    assert_int_equal(image_index_parse(j, "ix", &ix, &err), 0);
    assert_int_equal(ix->n_manifests, 2);
    struct platform arm = {(char *) "linux", (char *) "arm64", (char *) "v8"};
    struct platform amd = {(char *) "linux", (char *) "amd64", NULL};
    assert_true(platform_matches(&ix->manifests[0], &arm));
    assert_false(platform_matches(&ix->manifests[0], &amd));
    assert_true(platform_matches(&ix->manifests[1], &amd));
    image_index_free(ix);
    json_decref(j);
}

static void expect_index_error(const char *doc, const char *msg)
{
    json_t *j = load(doc);
    struct image_index *ix = NULL;
    struct error *err = NULL;
    assert_true(image_index_parse(j, "index x", &ix, &err) < 0);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("`%s` does not say `%s`", err->msg, msg);
    error_free(err);
    json_decref(j);
}

static void test_index_errors(void **state)
{
    expect_index_error("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_MANIFEST "\","
                       "\"manifests\":[]}",
                       "is not an index");
    expect_index_error("{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}",
                       "an index with `config` or `layers`, as a manifest has: ambiguous");
    /* A null is no member: this index is fine. */
    json_t *j = load("{\"schemaVersion\":2,\"manifests\":[],\"config\":null}");
    struct image_index *ix = NULL;
    struct error *err = NULL;
    assert_int_equal(image_index_parse(j, "index x", &ix, &err), 0);
    image_index_free(ix);
    json_decref(j);
    expect_index_error("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:x\","
                       "\"size\":1}]}",
                       "manifests[0].digest");
}

static void test_index_select(void **state)
{
    /* An attestation entry for amd64 comes first: it is passed over. */
    json_t *j = load("{\"schemaVersion\":2,\"manifests\":["
                     "{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" D1 "\","
                     "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                     "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":1,"
                     "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                     "{\"digest\":\"" D1 "\",\"size\":2,\"platform\":{\"os\":\"linux\","
                     "\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}");
    struct image_index *ix = NULL;
    struct error *err = NULL;
    assert_int_equal(image_index_parse(j, "ix", &ix, &err), 0);
    struct platform amd = {(char *) "linux", (char *) "amd64", NULL};
    struct platform arm = {(char *) "linux", (char *) "arm64", NULL};
    struct platform s390x = {(char *) "linux", (char *) "s390x", NULL};
    const struct descriptor *d = NULL;
    assert_int_equal(image_index_select(ix, &amd, &d, &err), 0);
    assert_ptr_equal(d, &ix->manifests[1]);
    assert_int_equal(image_index_select(ix, &arm, &d, &err), 0);
    assert_ptr_equal(d, &ix->manifests[2]);
    assert_int_equal(image_index_select(ix, &s390x, &d, &err), -ENOENT);
    assert_string_equal(err->msg, "no image for linux/s390x in the index (it has: linux/amd64, "
                                  "linux/amd64, linux/arm64/v8)");
    error_free(err);
    image_index_free(ix);
    json_decref(j);
}

static void test_config(void **state)
{
    json_t *j = load("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"1:2\","
                     "\"Env\":[\"A=b\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/w\"},"
                     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}}");
    struct image_config *c = NULL;
    struct error *err = NULL;
    assert_int_equal(image_config_parse(j, "c", &c, &err), 0);
    assert_string_equal(c->user, "1:2");
    assert_string_equal(c->env[0], "A=b");
    assert_string_equal(c->cmd[0], "sh");
    assert_null(c->entrypoint);
    assert_string_equal(c->working_dir, "/w");
    assert_int_equal(c->n_diff_ids, 1);
    image_config_free(c);
    json_decref(j);

    j = load("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"nope\"]}}");
    assert_true(image_config_parse(j, "c", &c, &err) < 0);
    assert_non_null(strstr(err->msg, "diff_ids[0]"));
    error_free(err);
    json_decref(j);
    j = load("{\"config\":{\"Cmd\":\"sh\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    err = NULL;
    assert_true(image_config_parse(j, "c", &c, &err) < 0);
    assert_non_null(strstr(err->msg, "config.Cmd"));
    error_free(err);
    json_decref(j);

    /* Too large */
    char *big = malloc(MANIFEST_MAX_SIZE + 2);
    memset(big, ' ', MANIFEST_MAX_SIZE + 1);
    big[MANIFEST_MAX_SIZE + 1] = '\0';
    err = NULL;
    assert_true(manifest_load_json(big, strlen(big), MANIFEST_MAX_SIZE, "m", &j, &err) < 0);
    assert_non_null(strstr(err->msg, "limit"));
    error_free(err);
    free(big);
}

static json_t *apply(const char *const *changes)
{
    json_t *cfg = json_object();
    for (size_t i = 0; changes[i]; i++) {
        struct error *err = NULL;
        if (image_change_apply(cfg, changes[i], &err) < 0)
            fail_msg("`%s`: %s", changes[i], err->msg);
    }
    return cfg;
}

static void test_changes(void **state)
{
    const char *c1[] = {"CMD echo hi", "ENTRYPOINT [\"/bin/app\", \"-x\"]",
                        "ENV A=1 B=\"two words\" C='it''s'", "ENV A=replaced",
                        "env LEGACY some value", "EXPOSE 80 8000-8002/udp",
                        "LABEL a=b \"c d\"=e", "VOLUME /v1 /v2", "WORKDIR /srv",
                        "WORKDIR app", "USER 1000:1000", "STOPSIGNAL SIGINT",
                        "ONBUILD RUN true", NULL};
    json_t *cfg = apply(c1);
    json_t *cmd = json_object_get(cfg, "Cmd");
    assert_int_equal(json_array_size(cmd), 3);
    assert_string_equal(json_string_value(json_array_get(cmd, 2)), "echo hi");
    assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "Entrypoint"), 1)),
                        "-x");
    json_t *env = json_object_get(cfg, "Env");
    assert_int_equal(json_array_size(env), 4);
    assert_string_equal(json_string_value(json_array_get(env, 0)), "A=replaced");
    assert_string_equal(json_string_value(json_array_get(env, 1)), "B=two words");
    assert_string_equal(json_string_value(json_array_get(env, 2)), "C=its");
    assert_string_equal(json_string_value(json_array_get(env, 3)), "LEGACY=some value");
    json_t *ports = json_object_get(cfg, "ExposedPorts");
    assert_int_equal(json_object_size(ports), 4);
    assert_non_null(json_object_get(ports, "8001/udp"));
    assert_non_null(json_object_get(ports, "80/tcp"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(cfg, "Labels"), "c d")),
                        "e");
    assert_int_equal(json_object_size(json_object_get(cfg, "Volumes")), 2);
    assert_string_equal(json_string_value(json_object_get(cfg, "WorkingDir")), "/srv/app");
    assert_string_equal(json_string_value(json_object_get(cfg, "User")), "1000:1000");
    json_decref(cfg);

    const char *bad[][2] = {
        {"FROM x", "cannot be changed"},       {"EXPOSE 0", "ports are 1 to 65535"},
        {"EXPOSE 80/xyz", "protocol"},        {"ENV", "needs an argument"},
        {"ENV =x", "not KEY=VALUE"},          {"ENV A=\"open", "unterminated quote"},
        {"VOLUME relative", "absolute"},      {"EXPOSE 1-5000", "ports are 1 to 65535"},
        {"", "not a Dockerfile instruction"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *c = json_object();
        struct error *err = NULL;
        assert_true(image_change_apply(c, bad[i][0], &err) < 0);
        if (strstr(err->msg, bad[i][1]) == NULL)
            fail_msg("`%s`: `%s` does not say `%s`", bad[i][0], err->msg, bad[i][1]);
        error_free(err);
        json_decref(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_index_and_platform),
        cmocka_unit_test(test_index_select),
        cmocka_unit_test(test_index_errors),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
