/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/cni: the plugin protocol (env, stdin, prevResult,
 * capabilities, order of ADD and DEL, undo of a failed ADD, CHECK, errors,
 * timeouts) against fake plugins (shell scripts), and the result parser. */
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

#include "engine/cni.h"
#include "util/fs.h"
#include "util/json.h"

static char dir[] = "/tmp/cabin-test-cni.XXXXXX";

/* A fake plugin: logs "NAME COMMAND" to DIR/log and its stdin and CNI
 * variables to DIR/NAME.COMMAND; on ADD answers with a result that adds
 * one IP to prevResult's; `fail` fails every command with an error object;
 * `slow` never answers. */
static const char plugin[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\"); n=$(basename \"$0\")\n"
    "echo \"$n $CNI_COMMAND\" >>\"$d/log\"\n"
    "cat >\"$d/$n.$CNI_COMMAND\"\n"
    "env | grep '^CNI_' | sort >\"$d/$n.$CNI_COMMAND.env\"\n"
    "case $n in\n"
    "fail) echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"no luck\",\"details\":\"at all\"}';"
    " exit 1 ;;\n"
    "slow) exec sleep 30 ;;\n"
    "stderr) echo 'something broke' >&2; exit 3 ;;\n"
    "esac\n"
    "[ \"$CNI_COMMAND\" = ADD ] || exit 0\n"
    "echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"aa:bb:cc:dd:ee:ff\","
    "\"sandbox\":\"/ns\"}],\"ips\":[{\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\","
    "\"interface\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}'\n";

static void write_plugin(const char *name)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(plugin, f);
    fclose(f);
    chmod(p, 0755);
}

static char *slurp(const char *name)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    char *buf = NULL;
    size_t len;
    struct error *err = NULL;
    if (fs_read_file_at(AT_FDCWD, p, 1 << 20, &buf, &len, &err) < 0) {
        error_free(err);
        return NULL;
    }
    return buf;
}

static json_t *slurp_json(const char *name)
{
    char *s = slurp(name);
    assert_non_null(s);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    assert_non_null(j);
    return j;
}

static void clear_log(void)
{
    char p[128];
    snprintf(p, sizeof(p), "%s/log", dir);
    unlink(p);
}

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    const char *names[] = {"first", "second", "fail", "slow", "stderr"};
    for (size_t i = 0; i < 5; i++)
        write_plugin(names[i]);
    return 0;
}

static int teardown(void **state)
{
    /* fs_remove_tree takes a name beneath its dirfd, not an absolute path. */
    struct error *err = NULL;
    int tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r = tmp < 0 ? -1 : fs_remove_tree(tmp, dir + strlen("/tmp/"), &err);
    if (r < 0)
        fprintf(stderr, "removing %s: %s\n", dir, err ? err->msg : "cannot open /tmp");
    error_free(err);
    if (tmp >= 0)
        close(tmp);
    return 0;
}

static json_t *list_of(const char *version, const char *a, const char *b)
{
    json_t *plugins = json_array();
    json_array_append_new(plugins, json_pack("{s:s, s:s}", "type", a, "own", "x"));
    if (b)
        json_array_append_new(plugins, json_pack("{s:s, s:{s:b, s:b}}", "type", b,
                                                 "capabilities", "portMappings", 1, "ips", 0));
    return json_pack("{s:s, s:s, s:o}", "cniVersion", version, "name", "testnet", "plugins",
                     plugins);
}

static struct cni_runtime rt(const json_t *runtime_config)
{
    return (struct cni_runtime) {.container_id = "c0ffee", .netns = "/var/run/netns/x",
                                 .ifname = "eth0", .plugin_path = dir,
                                 .runtime_config = runtime_config, .timeout_s = 2};
}

static void test_add_del(void **state)
{
    clear_log();
    json_t *list = list_of("1.0.0", "first", "second");
    json_t *caps = json_pack("{s:[{s:i, s:i, s:s}], s:[s]}", "portMappings", "hostPort", 8080,
                             "containerPort", 80, "protocol", "tcp", "ips", "10.1.0.9/24");
    struct cni_runtime r = rt(caps);
    json_t *res = NULL;
    struct error *err = NULL;
    if (cni_add(list, &r, &res, &err) < 0)
        fail_msg("%s", err->msg);

    char *log = slurp("log");
    assert_string_equal(log, "first ADD\nsecond ADD\n");
    free(log);
    json_t *in1 = slurp_json("first.ADD"), *in2 = slurp_json("second.ADD");
    /* name and version from the list, the plugin's own keys kept */
    assert_string_equal(json_string_value(json_object_get(in1, "name")), "testnet");
    assert_string_equal(json_string_value(json_object_get(in1, "cniVersion")), "1.0.0");
    assert_string_equal(json_string_value(json_object_get(in1, "own")), "x");
    assert_null(json_object_get(in1, "prevResult"));
    assert_null(json_object_get(in1, "runtimeConfig")); /* declares no capability */
    json_t *prev = json_object_get(in2, "prevResult");
    assert_non_null(prev);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(prev, "ips"), 0), "address")),
                        "10.1.0.2/24");
    json_t *rc = json_object_get(in2, "runtimeConfig");
    assert_non_null(json_object_get(rc, "portMappings"));
    assert_null(json_object_get(rc, "ips")); /* declared false */
    json_decref(in1);
    json_decref(in2);
    char *env = slurp("first.ADD.env");
    assert_non_null(strstr(env, "CNI_COMMAND=ADD\n"));
    assert_non_null(strstr(env, "CNI_CONTAINERID=c0ffee\n"));
    assert_non_null(strstr(env, "CNI_IFNAME=eth0\n"));
    assert_non_null(strstr(env, "CNI_NETNS=/var/run/netns/x\n"));
    assert_non_null(strstr(env, "CNI_PATH="));
    free(env);

    clear_log();
    assert_int_equal(cni_del(list, &r, res, &err), 0);
    log = slurp("log");
    assert_string_equal(log, "second DEL\nfirst DEL\n"); /* reverse order */
    free(log);
    json_t *d1 = slurp_json("first.DEL");
    assert_true(json_equal(json_object_get(d1, "prevResult"), res));
    json_decref(d1);

    clear_log();
    assert_int_equal(cni_check(list, &r, res, &err), 0);
    log = slurp("log");
    assert_string_equal(log, "first CHECK\nsecond CHECK\n");
    free(log);
    json_object_set_new(list, "disableCheck", json_true());
    clear_log();
    assert_int_equal(cni_check(list, &r, res, &err), 0);
    assert_null(slurp("log"));

    /* before 0.4.0: no prevResult on DEL, no CHECK at all */
    json_object_set_new(list, "cniVersion", json_string("0.3.1"));
    assert_int_equal(cni_del(list, &r, res, &err), 0);
    d1 = slurp_json("first.DEL");
    assert_null(json_object_get(d1, "prevResult"));
    json_decref(d1);
    assert_int_equal(cni_check(list, &r, res, &err), -ENOTSUP);
    error_free(err);
    json_decref(res);
    json_decref(caps);
    json_decref(list);
}

static void test_failed_add_is_undone(void **state)
{
    clear_log();
    json_t *list = list_of("1.0.0", "first", "fail");
    struct cni_runtime r = rt(NULL);
    json_t *res = NULL;
    struct error *err = NULL;
    assert_true(cni_add(list, &r, &res, &err) < 0);
    assert_null(res);
    assert_non_null(strstr(err->msg, "network `testnet`"));
    assert_non_null(strstr(err->msg, "CNI plugin fail (ADD): no luck: at all (code 11)"));
    error_free(err);
    err = NULL;
    char *log = slurp("log");
    assert_string_equal(log, "first ADD\nfail ADD\nfail DEL\nfirst DEL\n");
    free(log);
    /* DEL goes on past a failing plugin and reports the first error */
    clear_log();
    assert_true(cni_del(list, &r, NULL, &err) < 0);
    assert_non_null(strstr(err->msg, "no luck"));
    error_free(err);
    err = NULL;
    log = slurp("log");
    assert_string_equal(log, "fail DEL\nfirst DEL\n");
    free(log);
    json_decref(list);
}

static void test_plugin_errors(void **state)
{
    struct cni_runtime r = rt(NULL);
    json_t *res = NULL;
    struct error *err = NULL;
    json_t *list = list_of("1.0.0", "missing", NULL);
    assert_int_equal(cni_add(list, &r, &res, &err), -ENOENT);
    assert_non_null(strstr(err->msg, "CNI plugin `missing` not found"));
    error_free(err);
    err = NULL;
    json_decref(list);
    list = list_of("1.0.0", "stderr", NULL);
    assert_true(cni_add(list, &r, &res, &err) < 0);
    assert_non_null(strstr(err->msg, "exit status 3: something broke"));
    error_free(err);
    err = NULL;
    json_decref(list);
    list = list_of("1.0.0", "slow", NULL);
    assert_int_equal(cni_add(list, &r, &res, &err), -ETIMEDOUT);
    assert_non_null(strstr(err->msg, "no answer in 2 seconds"));
    error_free(err);
    json_decref(list);
}

static void check_list_error(json_t *list, const char *want)
{
    struct error *err = NULL;
    assert_true(cni_conflist_check(list, "f.conflist", &err) < 0);
    if (strstr(err->msg, want) == NULL)
        fail_msg("`%s` does not say `%s`", err->msg, want);
    error_free(err);
    json_decref(list);
}

static void test_conflist_check(void **state)
{
    check_list_error(list_of("0.2.0", "first", NULL), "not supported");
    check_list_error(list_of("1.1.x", "first", NULL), "not supported");
    check_list_error(list_of("1.0.0", "../bin/sh", NULL), "not a plugin name");
    check_list_error(json_pack("{s:s, s:s, s:[]}", "cniVersion", "1.0.0", "name", "n",
                               "plugins"),
                     "expected 1 to");
    check_list_error(json_pack("{s:s, s:s}", "cniVersion", "1.0.0", "name", "n"), "plugins");
    check_list_error(json_pack("{s:s, s:s, s:[{}]}", "cniVersion", "1.0.0", "name", "n",
                               "plugins"),
                     "plugins[0]");
    check_list_error(json_pack("{s:s, s:s, s:[{s:s}]}", "cniVersion", "1.0.0", "name", "a b",
                               "plugins", "type", "x"),
                     "not a plain name");
    assert_int_equal(cni_version_number("1.0.0"), 10000);
    assert_int_equal(cni_version_number("0.4.0"), 400);
    assert_int_equal(cni_version_number("0.4"), -1);
}

static struct cni_result *parse(const char *text, const char *want_err)
{
    struct cni_result *r = NULL;
    struct error *err = NULL;
    int rc = cni_result_parse_text(text, strlen(text), &r, &err);
    if (want_err) {
        assert_true(rc < 0);
        if (strstr(err->msg, want_err) == NULL)
            fail_msg("`%s` does not say `%s`", err->msg, want_err);
        error_free(err);
        return NULL;
    }
    if (rc < 0)
        fail_msg("%s", err->msg);
    return r;
}

static void test_results(void **state)
{
    struct cni_result *r = parse(
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"veth1\"},"
        "{\"name\":\"eth0\",\"mac\":\"m\",\"sandbox\":\"/run/netns/x\"}],"
        "\"ips\":[{\"address\":\"fd00::2/64\",\"interface\":2},"
        "{\"address\":\"10.9.0.5/16\",\"gateway\":\"10.9.0.1\",\"interface\":2}],"
        "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.9.0.1\"}],"
        "\"dns\":{\"nameservers\":[\"1.1.1.1\"],\"search\":[\"a.b\"],\"domain\":\"d\"}}",
        NULL);
    assert_int_equal(r->n_interfaces, 3);
    assert_string_equal(r->interfaces[2].sandbox, "/run/netns/x");
    const struct cni_ip *ip = cni_result_container_ip(r, 4);
    assert_non_null(ip);
    assert_string_equal(ip->address, "10.9.0.5/16");
    assert_string_equal(ip->gateway, "10.9.0.1");
    assert_string_equal(cni_result_container_ip(r, 6)->address, "fd00::2/64");
    assert_string_equal(r->routes[0].gw, "10.9.0.1");
    assert_string_equal(r->nameservers[0], "1.1.1.1");
    assert_string_equal(r->domain, "d");
    cni_result_free(r);
    /* 0.2.0 */
    r = parse("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.0.0.3/8\",\"gateway\":\"10.0.0.1\","
              "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}",
              NULL);
    assert_int_equal(r->n_ips, 1);
    assert_string_equal(r->ips[0].address, "10.0.0.3/8");
    assert_int_equal(r->ips[0].interface, -1);
    assert_int_equal(r->n_routes, 1);
    cni_result_free(r);
    r = parse("{}", NULL);
    assert_null(cni_result_container_ip(r, 0));
    cni_result_free(r);
    parse("[]", "expected an object");
    parse("{\"ips\":[{\"address\":\"10.0.0.1\"}]}", "CIDR");
    parse("{\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":0}]}", "not an index");
    parse("{\"interfaces\":[{\"name\":7}]}", "interfaces[0].name");
    parse("{\"routes\":[{\"gw\":\"1.2.3.4\"}]}", "needs dst");
    parse("{\"dns\":{\"nameservers\":[1]}}", "dns.nameservers[0]");
    parse("{\"ips\":{}}", "result.ips");
    parse("{", "malformed JSON");
    /* limits */
    size_t cap = 64 + 40 * (CNI_RESULT_MAX_ITEMS + 1);
    char *big = malloc(cap), *p = big;
    p += sprintf(p, "{\"routes\":[");
    for (int i = 0; i <= CNI_RESULT_MAX_ITEMS; i++)
        p += sprintf(p, "%s{\"dst\":\"10.0.%d.0/24\"}", i ? "," : "", i % 256);
    sprintf(p, "]}");
    parse(big, "more than");
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_del),       cmocka_unit_test(test_failed_add_is_undone),
        cmocka_unit_test(test_plugin_errors), cmocka_unit_test(test_conflist_check),
        cmocka_unit_test(test_results),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
