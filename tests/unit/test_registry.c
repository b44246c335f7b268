/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the registry client: WWW-Authenticate challenges, auth
 * files, insecure registries, base64, platforms, and Docker Hub's token
 * flow driven through the client against tests/helpers/token-server.py. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/registry_challenge.h"
#include "image/registry_config.h"
#include "image/registry_creds.h"
#include "util/base64.h"
#include "util/fs.h"

#ifndef CABIN_SOURCE_ROOT
#error "CABIN_SOURCE_ROOT must name the source tree (tests/helpers/token-server.py)"
#endif
#define PYTHON "/usr/bin/python3" /* Debian's, with python3-jwt */

/* ---- challenges ------------------------------------------------------------ */

static struct registry_challenges parse_ok(const char *h)
{
    struct registry_challenges l = {0};
    struct error *err = NULL;
    if (registry_challenges_parse(h, &l, &err) < 0)
        fail_msg("`%s`: %s", h, err->msg);
    return l;
}

static void parse_bad(const char *h, const char *msg)
{
    struct registry_challenges l = {0};
    struct error *err = NULL;
    assert_true(registry_challenges_parse(h, &l, &err) < 0);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("`%s`: error `%s` does not say `%s`", h, err->msg, msg);
    assert_int_equal(l.n, 0);
    error_free(err);
}

static void test_challenge_docker_hub(void **state)
{
    struct registry_challenges l = parse_ok(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        "scope=\"repository:library/alpine:pull\"");
    assert_int_equal(l.n, 1);
    const struct registry_challenge *c = registry_challenges_find(&l, "Bearer");
    assert_non_null(c);
    assert_string_equal(c->scheme, "bearer");
    assert_string_equal(registry_challenge_param(c, "realm"), "https://auth.docker.io/token");
    assert_string_equal(registry_challenge_param(c, "SERVICE"), "registry.docker.io");
    assert_string_equal(registry_challenge_param(c, "scope"), "repository:library/alpine:pull");
    assert_null(registry_challenge_param(c, "error"));
    registry_challenges_release(&l);
}

static void test_challenge_forms(void **state)
{
    struct registry_challenges l = parse_ok("Basic realm=\"Registry Realm\", Bearer realm=\"x\","
                                            "service=\"y\"");
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].scheme, "basic");
    assert_string_equal(registry_challenge_param(&l.v[0], "realm"), "Registry Realm");
    assert_string_equal(registry_challenge_param(&l.v[1], "service"), "y");
    /* A second header appends. */
    struct error *err = NULL;
    assert_int_equal(registry_challenges_parse("Negotiate YIIB+/a==", &l, &err), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[2].token68, "YIIB+/a==");
    registry_challenges_release(&l);

    l = parse_ok("BEARER Realm=\"a\\\"b\\\\c\" ,  Error = \"insufficient_scope\" , "
                 "scope=\"repository:a:pull repository:b:pull\"");
    assert_string_equal(registry_challenge_param(&l.v[0], "realm"), "a\"b\\c");
    assert_string_equal(registry_challenge_param(&l.v[0], "error"), "insufficient_scope");
    assert_string_equal(registry_challenge_param(&l.v[0], "scope"),
                        "repository:a:pull repository:b:pull");
    registry_challenges_release(&l);

    /* Unquoted URLs, as some registries send them; a parameter twice. */
    l = parse_ok("Bearer realm=https://r.example/token?x=1,service=s,service=other");
    assert_string_equal(registry_challenge_param(&l.v[0], "realm"), "https://r.example/token?x=1");
    assert_string_equal(registry_challenge_param(&l.v[0], "service"), "s");
    registry_challenges_release(&l);

    l = parse_ok("Basic");
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].n_params, 0);
    registry_challenges_release(&l);
}

static void test_challenge_errors(void **state)
{
    parse_bad("", "no challenge");
    parse_bad("  ,  ", "no challenge");
    parse_bad("Bearer realm=\"x", "unterminated quoted string");
    parse_bad("Bearer realm=\"x\" junk", "expected `,`");
    parse_bad("Bearer =x", "expected a parameter name");
    parse_bad("Bearer realm=\"x\"\\", "expected `,` after a parameter");
    char big[CHALLENGE_MAX_HEADER + 16];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    parse_bad(big, "longer than");
    char many[4096] = "Bearer ";
    for (int i = 0; i < CHALLENGE_MAX_PARAMS + 1; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sp%d=v", i ? "," : "", i);
    parse_bad(many, "more than");
}

/* ---- auth files ----------------------------------------------------------------- */

static void key(const char *k, const char *domain, const char *path)
{
    char *d = NULL, *p = NULL;
    assert_int_equal(registry_creds_key_parse(k, &d, &p), 0);
    assert_string_equal(d, domain);
    if (path)
        assert_string_equal(p, path);
    else
        assert_null(p);
    free(d);
    free(p);
}

static void test_creds_keys(void **state)
{
    key("https://index.docker.io/v1/", "docker.io", NULL);
    key("index.docker.io", "docker.io", NULL);
    key("registry-1.docker.io", "docker.io", NULL);
    key("http://host:5000", "host:5000", NULL);
    key("host:5000/ns/", "host:5000", "ns");
    key("quay.io/team/app", "quay.io", "team/app");
    key("https://quay.io/v2/", "quay.io", NULL);
    struct registry_creds c = {0};
    struct error *err = NULL;
    assert_int_equal(registry_creds_split("u:p:w", &c, &err), 0);
    assert_string_equal(c.username, "u");
    assert_string_equal(c.password, "p:w");
    registry_creds_release(&c);
    assert_true(registry_creds_split("nopass", &c, &err) < 0);
    assert_non_null(strstr(err->msg, "USER:PASSWORD"));
    error_free(err);
}

static char tmpdir[64];

static int make_tmp(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cabin-test-registry.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
    int fd = open("/tmp", O_PATH | O_DIRECTORY);
    fs_remove_tree(fd, tmpdir + 5, NULL);
    close(fd);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void lookup(const char *file, const char *domain, const char *repo, const char *user)
{
    struct registry_creds c = {0};
    struct error *err = NULL;
    if (registry_creds_lookup(file, domain, repo, &c, &err) < 0)
        fail_msg("%s %s: %s", domain, repo ? repo : "", err->msg);
    if (user)
        assert_string_equal(c.username ? c.username : "(none)", user);
    else
        assert_null(c.username);
    registry_creds_release(&c);
}

static void test_creds_files(void **state)
{
    char file[128];
    snprintf(file, sizeof(file), "%s/auth.json", tmpdir);
    /* b64("team:t"), b64("all:a"), b64("hub:h") */
    write_file(file, "{\"auths\": {\"quay.io/team\": {\"auth\": \"dGVhbTp0\"},"
                     "\"quay.io\": {\"auth\": \"YWxsOmE=\"},"
                     "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmg=\"},"
                     "\"ghcr.io\": {\"identitytoken\": \"rt\"},"
                     "\"empty.io\": {}}, \"other\": 1}");
    lookup(file, "quay.io", "team/app", "team");
    lookup(file, "quay.io", "teamx/app", "all");
    lookup(file, "quay.io", NULL, "all");
    lookup(file, "docker.io", "library/alpine", "hub");
    lookup(file, "empty.io", NULL, NULL);
    lookup(file, "nowhere.io", NULL, NULL);
    struct registry_creds c = {0};
    struct error *err = NULL;
    assert_int_equal(registry_creds_lookup(file, "ghcr.io", NULL, &c, &err), 0);
    assert_string_equal(c.identity_token, "rt");
    registry_creds_release(&c);

    /* Login and logout keep what else the file holds. */
    assert_int_equal(registry_creds_save(file, "quay.io", "new", "pw", &err), 0);
    assert_int_equal(registry_creds_save(file, "docker.io", "me", "x", &err), 0);
    lookup(file, "quay.io", "other", "new");
    lookup(file, "quay.io", "team/app", "team");
    lookup(file, "docker.io", NULL, "me");
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    bool removed = false;
    assert_int_equal(registry_creds_remove(file, "quay.io", &removed, &err), 0);
    assert_true(removed);
    lookup(file, "quay.io", "team/app", NULL);
    assert_int_equal(registry_creds_remove(file, "quay.io", &removed, &err), 0);
    assert_false(removed);
    json_error_t je;
    json_t *j = json_load_file(file, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "other")), 1);
    assert_non_null(json_object_get(json_object_get(j, "auths"), "https://index.docker.io/v1/"));
    json_decref(j);

    write_file(file, "{\"auths\": {\"x.io\": {\"auth\": \"!!!\"}}}");
    assert_true(registry_creds_lookup(file, "x.io", NULL, &c, &err) < 0);
    assert_non_null(strstr(err->msg, "not base64"));
    error_free(err);
    err = NULL;
    write_file(file, "[1]");
    assert_true(registry_creds_lookup(file, "x.io", NULL, &c, &err) < 0);
    assert_non_null(strstr(err->msg, "expected a JSON object"));
    error_free(err);
}

/* ---- insecure registries -------------------------------------------------------- */

static bool insecure(const char *conf, const char *endpoint, int tls)
{
    bool r = false;
    struct error *err = NULL;
    if (registry_config_insecure(conf, endpoint, endpoint, tls, &r, &err) < 0)
        fail_msg("%s: %s", endpoint, err->msg);
    return r;
}

static void test_insecure(void **state)
{
    char conf[128];
    snprintf(conf, sizeof(conf), "%s/registries.json", tmpdir);
    const char *none = "/nonexistent/registries.json";
    assert_true(insecure(none, "localhost:5000", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(none, "127.0.0.1", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(none, "127.9.8.7:80", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(none, "[::1]:5000", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(none, "128.0.0.1:5000", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(none, "localhost.example.com", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(none, "localhost:5000", REGISTRY_TLS_VERIFY));
    assert_true(insecure(none, "quay.io", REGISTRY_TLS_NO_VERIFY));
    write_file(conf, "{\"insecure-registries\": [\"myreg:5000\", \"10.0.0.0/8\", "
                     "\"http://Other.Example\", \"fd00::/8\"]}");
    assert_true(insecure(conf, "myreg:5000", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(conf, "myreg:5001", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(conf, "10.1.2.3:5000", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(conf, "11.1.2.3:5000", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(conf, "other.example", REGISTRY_TLS_DEFAULT));
    assert_true(insecure(conf, "[fd12::1]:443", REGISTRY_TLS_DEFAULT));
    assert_false(insecure(conf, "myreg:5000", REGISTRY_TLS_VERIFY));
    write_file(conf, "{\"insecure-registries\": [\"10.0.0.0/33\"]}");
    bool r;
    struct error *err = NULL;
    assert_true(registry_config_insecure(conf, "x", "x", 0, &r, &err) < 0);
    assert_non_null(strstr(err->msg, "insecure-registries"));
    error_free(err);
}

/* ---- base64 and platforms ------------------------------------------------------- */

static void test_base64(void **state)
{
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "user:pa:ss"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
                         "dXNlcjpwYTpzcw=="};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char *e = base64_encode(in[i], strlen(in[i]));
        assert_string_equal(e, out[i]);
        char *d = NULL;
        assert_int_equal(base64_decode(e, strlen(e), &d), (long) strlen(in[i]));
        assert_string_equal(d, in[i]);
        free(e);
        free(d);
    }
    char *d = NULL;
    assert_int_equal(base64_decode("Zm9v!", 5, &d), -EINVAL);
    assert_int_equal(base64_decode("Z", 1, &d), -EINVAL);
    assert_int_equal(base64_decode("Zm9vYg", 6, &d), 4); /* padding optional */
    free(d);
}

static void platform(const char *s, const char *os, const char *arch, const char *variant)
{
    char buf[64];
    struct platform p;
    struct error *err = NULL;
    if (platform_parse(s, buf, sizeof(buf), &p, &err) < 0)
        fail_msg("`%s`: %s", s, err->msg);
    assert_string_equal(p.os, os);
    assert_string_equal(p.architecture, arch);
    if (variant)
        assert_string_equal(p.variant, variant);
    else
        assert_null(p.variant);
}

static void platform_bad(const char *s)
{
    char buf[64];
    struct platform p;
    struct error *err = NULL;
    assert_true(platform_parse(s, buf, sizeof(buf), &p, &err) < 0);
    if (strstr(err->msg, "expected os/arch[/variant]") == NULL)
        fail_msg("`%s`: %s", s, err->msg);
    error_free(err);
}

static void test_platforms(void **state)
{
    platform("linux/arm64/v8", "linux", "arm64", "v8");
    platform("linux/arm64/8", "linux", "arm64", "v8");
    platform("arm64", "linux", "arm64", NULL);
    platform("Linux/X86_64", "linux", "amd64", NULL);
    platform("linux/armhf", "linux", "arm", "v7");
    platform("windows/amd64", "windows", "amd64", NULL);
    platform_bad("linux/arm64/v8/x");
    platform_bad("linux//v8");
    platform_bad("");
    platform_bad("linux/ARM 64");
    char linux_[] = "linux", arm64[] = "arm64", v8[] = "v8", v9[] = "v9";
    struct descriptor d = {.has_platform = true, .platform = {linux_, arm64, NULL}};
    struct platform want = {linux_, arm64, v8};
    assert_true(platform_matches(&d, &want));
    d.platform.variant = v9;
    assert_false(platform_matches(&d, &want));
}

/* ---- Docker Hub's token flow, through the client ---------------------------------- */

struct server {
    pid_t pid;
    char dir[128];
    int port;
};

static void start_server(struct server *s)
{
    snprintf(s->dir, sizeof(s->dir), "%s/hub", tmpdir);
    assert_int_equal(mkdir(s->dir, 0700), 0);
    char script[4096];
    snprintf(script, sizeof(script), "%s/tests/helpers/token-server.py", CABIN_SOURCE_ROOT);
    if (access(PYTHON, X_OK) < 0 || access(script, R_OK) < 0)
        fail_msg("needs %s and %s (make deps)", PYTHON, script);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        execl(PYTHON, PYTHON, script, "--dir", s->dir, "--tls", "--fake-registry",
              "--anonymous", "pull", (char *) NULL);
        _exit(127);
    }
    char port_file[256];
    snprintf(port_file, sizeof(port_file), "%s/port", s->dir);
    for (int i = 0; i < 300; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            int ok = fscanf(f, "%d", &s->port);
            fclose(f);
            if (ok == 1)
                return;
        }
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            fail_msg("token-server.py exited (python3-jwt missing? make deps)");
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("token-server.py did not start");
}

static void stop_server(struct server *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
}

/* The server's log: how many lines have `needle`. */
static int log_count(const struct server *s, const char *needle)
{
    char path[256], line[8192];
    snprintf(path, sizeof(path), "%s/log", s->dir);
    FILE *f = fopen(path, "r");
    int n = 0;
    while (f && fgets(line, sizeof(line), f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void open_hub(const struct server *s, bool with_ca, struct registry **ret)
{
    static char to_reg[128], to_auth[128], ca[256], empty[256];
    snprintf(to_reg, sizeof(to_reg), "registry-1.docker.io:443:127.0.0.1:%d", s->port);
    snprintf(to_auth, sizeof(to_auth), "auth.docker.io:443:127.0.0.1:%d", s->port);
    snprintf(ca, sizeof(ca), "%s/ca", s->dir);
    snprintf(empty, sizeof(empty), "%s/no-auth.json", s->dir);
    static char *connect_to[3];
    connect_to[0] = to_reg;
    connect_to[1] = to_auth;
    connect_to[2] = NULL;
    struct registry_opts o = {.connect_to = connect_to, .authfile = empty,
                              .cert_dir = with_ca ? ca : NULL,
                              .registries_conf = "/nonexistent/registries.json"};
    struct error *err = NULL;
    struct image_ref *ref = NULL;
    assert_int_equal(image_ref_parse("alpine", false, &ref, &err), 0);
    assert_string_equal(ref->domain, "docker.io");
    if (registry_open(ref->domain, &o, ret, &err) < 0)
        fail_msg("%s", err->msg);
    assert_false(registry_insecure(*ret));
    image_ref_free(ref);
}

static void test_docker_hub_challenge(void **state)
{
    struct server s;
    start_server(&s);
    struct registry *r = NULL;
    struct error *err = NULL;

    /* Without the test CA, Docker Hub's names cannot be verified. */
    open_hub(&s, false, &r);
    struct registry_manifest m = {0};
    assert_true(registry_get_manifest(r, "library/alpine", "latest", MANIFEST_MAX_SIZE, &m,
                                      &err) < 0);
    assert_non_null(strstr(err->msg, "certificate"));
    error_free(err);
    err = NULL;
    registry_free(r);

    open_hub(&s, true, &r);
    if (registry_get_manifest(r, "library/alpine", "latest", MANIFEST_MAX_SIZE, &m, &err) < 0)
        fail_msg("%s", err->msg);
    assert_string_equal(m.media_type, MEDIA_OCI_MANIFEST);
    char want[DIGEST_BUF];
    digest_buffer(m.body, m.len, want);
    assert_string_equal(m.digest, want);
    registry_manifest_release(&m);
    /* One anonymous token, asked of auth.docker.io for the registry's
     * service and the repository's scope the challenge named. */
    assert_int_equal(log_count(&s, "\"path\": \"/token\""), 1);
    assert_int_equal(log_count(&s, "\"service\": [\"registry.docker.io\"]"), 1);
    assert_int_equal(log_count(&s, "\"scope\": [\"repository:library/alpine:pull\"]"), 1);
    assert_int_equal(log_count(&s, "\"host\": \"auth.docker.io\""), 1);
    assert_int_equal(log_count(&s, "\"user\": null"), 1);
    /* The cached token serves the next request. */
    if (registry_get_manifest(r, "library/alpine", "latest", MANIFEST_MAX_SIZE, &m, &err) < 0)
        fail_msg("%s", err->msg);
    registry_manifest_release(&m);
    assert_int_equal(log_count(&s, "\"path\": \"/token\""), 1);
    assert_int_equal(log_count(&s, "\"bearer\": true"), 2);
    /* A token the registry no longer takes (expired, revoked): its 401
     * brings a new one, once. */
    char revoke[256];
    snprintf(revoke, sizeof(revoke), "%s/revoke", s.dir);
    write_file(revoke, "1");
    if (registry_get_manifest(r, "library/alpine", "latest", MANIFEST_MAX_SIZE, &m, &err) < 0)
        fail_msg("after a revoked token: %s", err->msg);
    registry_manifest_release(&m);
    assert_int_equal(log_count(&s, "\"path\": \"/token\""), 2);
    write_file(revoke, "1000");
    assert_true(registry_get_manifest(r, "library/alpine", "latest", MANIFEST_MAX_SIZE, &m,
                                      &err) < 0);
    assert_int_equal(error_code(err), EACCES);
    assert_non_null(strstr(err->msg, "invalid_token"));
    error_free(err);
    err = NULL;
    unlink(revoke);
    /* What the registry does not have. */
    assert_true(registry_get_manifest(r, "library/alpine", "nosuch", MANIFEST_MAX_SIZE, &m,
                                      &err) < 0);
    assert_int_equal(error_code(err), ENOENT);
    assert_non_null(strstr(err->msg, "manifest unknown (MANIFEST_UNKNOWN)"));
    error_free(err);
    registry_free(r);
    stop_server(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_challenge_docker_hub),
        cmocka_unit_test(test_challenge_forms),
        cmocka_unit_test(test_challenge_errors),
        cmocka_unit_test(test_creds_keys),
        cmocka_unit_test_setup_teardown(test_creds_files, make_tmp, remove_tmp),
        cmocka_unit_test_setup_teardown(test_insecure, make_tmp, remove_tmp),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_platforms),
        cmocka_unit_test_setup_teardown(test_docker_hub_challenge, make_tmp, remove_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
