/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/network (subnets, conflists written, read, listed,
 * refused, the default one, hand-written lists, the runtime's view) and
 * engine/netetc (what the network puts in resolv.conf and hosts). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "engine/netetc.h"
#include "engine/network.h"
#include "util/fs.h"
#include "util/json.h"

static char dir[] = "/tmp/cabin-test-network.XXXXXX";
static struct engine *eng;

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    char root[128], run[128];
    snprintf(root, sizeof(root), "%s/root", dir);
    snprintf(run, sizeof(run), "%s/run", dir);
    unsetenv("CABIN_DEFAULT_SUBNET");
    unsetenv("CABIN_DEFAULT_BRIDGE");
    struct engine_opts o = {.root = root, .runroot = run};
    struct error *err = NULL;
    if (engine_open(&o, &eng, &err) < 0) {
        fprintf(stderr, "%s\n", err->msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    engine_free(eng);
    struct error *err = NULL;
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    fs_remove_tree(fd, dir + 5, &err);
    close(fd);
    error_free(err);
    return 0;
}

static void test_cidr(void **state)
{
    uint32_t a;
    int p;
    assert_int_equal(network_parse_cidr("10.91.3.0/24", &a, &p), 0);
    assert_int_equal(a, (10u << 24) | (91u << 16) | (3u << 8));
    assert_int_equal(p, 24);
    assert_true(network_parse_cidr("10.91.3.0", &a, &p) < 0);
    assert_true(network_parse_cidr("10.91.3.0/33", &a, &p) < 0);
    assert_true(network_parse_cidr("10.91.3/24", &a, &p) < 0);
    assert_true(network_parse_cidr("10.91.3.0/x", &a, &p) < 0);
    uint32_t b;
    int q;
    network_parse_cidr("10.91.0.0/16", &b, &q);
    assert_true(network_cidr_overlap(a, p, b, q));
    network_parse_cidr("10.92.0.0/16", &b, &q);
    assert_false(network_cidr_overlap(a, p, b, q));
}

static void test_pick_subnet(void **state)
{
    char buf[32];
    struct error *err = NULL;
    assert_int_equal(network_pick_subnet(NULL, "", buf, sizeof(buf), &err), 0);
    assert_string_equal(buf, "10.91.0.0/24");
    char *used[] = {(char *) "10.91.0.0/23", NULL};
    /* the host routes 10.91.2.0/24 (little-endian hex, as /proc/net/route) */
    const char *routes = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
                         "eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\n"
                         "br9\t00025B0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n";
    assert_int_equal(network_pick_subnet(used, routes, buf, sizeof(buf), &err), 0);
    assert_string_equal(buf, "10.91.3.0/24");
    /* everything taken */
    char *all[] = {(char *) "10.0.0.0/8", NULL};
    assert_int_equal(network_pick_subnet(all, "", buf, sizeof(buf), &err), -ENOSPC);
    error_free(err);
}

static struct network *create(struct network_create_opts *o, const char *want_err)
{
    struct network *n = NULL;
    struct error *err = NULL;
    int r = network_create(eng, o, &n, &err);
    if (want_err) {
        assert_true(r < 0);
        if (strstr(err->msg, want_err) == NULL)
            fail_msg("`%s` does not say `%s`", err->msg, want_err);
        error_free(err);
        return NULL;
    }
    if (r < 0)
        fail_msg("%s", err->msg);
    return n;
}

static void test_create_and_read(void **state)
{
    char *labels[] = {(char *) "team=a", NULL};
    struct network_create_opts o = {.name = "front", .subnet = "10.93.0.0/24",
                                    .labels = labels, .mtu = 1400};
    struct network *n = create(&o, NULL);
    assert_string_equal(n->name, "front");
    assert_string_equal(n->subnet, "10.93.0.0/24");
    assert_string_equal(n->gateway, "10.93.0.1");
    assert_int_equal(strlen(n->id), 64);
    assert_int_equal(strncmp(n->bridge, "cbr-", 4), 0);
    assert_int_equal(strncmp(n->bridge + 4, n->id, 10), 0);
    assert_string_equal(n->driver, "bridge");
    assert_true(n->managed);
    assert_false(n->internal);
    assert_string_equal(n->labels[0], "team=a");
    /* the list: bridge + portmap + firewall */
    json_t *plugins = json_object_get(n->list, "plugins");
    assert_int_equal(json_array_size(plugins), 3);
    json_t *br = json_array_get(plugins, 0);
    assert_true(json_is_true(json_object_get(br, "ipMasq")));
    assert_int_equal(json_integer_value(json_object_get(br, "mtu")), 1400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(plugins, 2),
                                                          "ingressPolicy")),
                        "same-bridge");
    /* the runtime's view: IPAM leases under the run root */
    json_t *rl = network_runtime_list(eng, n);
    const char *dd = json_string_value(
        json_object_get(json_object_get(json_array_get(json_object_get(rl, "plugins"), 0),
                                        "ipam"),
                        "dataDir"));
    char want[64];
    snprintf(want, sizeof(want), NETWORK_STATE_DIR "/ipam/%s", n->bridge);
    assert_string_equal(dd, want);
    assert_null(json_object_get(json_object_get(br, "ipam"), "dataDir")); /* file untouched */
    json_decref(rl);
    network_free(n);

    /* by name, by id prefix */
    struct error *err = NULL;
    n = NULL;
    assert_int_equal(network_load(eng, "front", &n, &err), 0);
    char prefix[8];
    snprintf(prefix, sizeof(prefix), "%.6s", n->id);
    network_free(n);
    n = NULL;
    assert_int_equal(network_load(eng, prefix, &n, &err), 0);
    assert_string_equal(n->name, "front");
    network_free(n);
    assert_int_equal(network_load(eng, "nosuch", &n, &err), -ENOENT);
    error_free(err);
}

static void test_refusals(void **state)
{
    struct network_create_opts o = {.name = "front"};
    create(&o, "already exists");
    o = (struct network_create_opts) {.name = "host"};
    create(&o, "predefined");
    o = (struct network_create_opts) {.name = "cabin"};
    create(&o, "predefined");
    o = (struct network_create_opts) {.name = "-bad"};
    create(&o, "network name");
    o = (struct network_create_opts) {.name = "n2", .subnet = "10.93.0.128/25"};
    create(&o, "overlaps");
    o = (struct network_create_opts) {.name = "n2", .subnet = "10.94.0.5/24"};
    create(&o, "did you mean 10.94.0.0/24");
    o = (struct network_create_opts) {.name = "n2", .subnet = "10.94.0.0/31"};
    create(&o, "/8 to /30");
    o = (struct network_create_opts) {.name = "n2", .subnet = "fd00::/64"};
    create(&o, "IPv6");
    o = (struct network_create_opts) {.name = "n2", .subnet = "10.94.0.0/24", .gateway = "10.95.0.1"};
    create(&o, "not a host address");
    o = (struct network_create_opts) {.name = "n2", .subnet = "10.94.0.0/24",
                                      .gateway = "10.94.0.255"};
    create(&o, "not a host address");
    o = (struct network_create_opts) {.name = "n2", .bridge = "a-very-long-bridge-name"};
    create(&o, "bridge name");
    o = (struct network_create_opts) {.name = "n2", .driver = "macvlan"};
    create(&o, "only bridge");
    struct network *f = NULL;
    struct error *err = NULL;
    network_load(eng, "front", &f, &err);
    o = (struct network_create_opts) {.name = "n2", .bridge = f->bridge};
    create(&o, "another network's");
    network_free(f);
}

static void test_default_and_list(void **state)
{
    struct network **all = NULL;
    size_t n = 0;
    struct error *err = NULL;
    assert_int_equal(network_list(eng, &all, &n, &err), 0);
    assert_true(n >= 2);
    struct network *def = NULL;
    for (size_t i = 0; all[i]; i++)
        if (strcmp(all[i]->name, NET_DEFAULT_NAME) == 0)
            def = all[i];
    if (def == NULL)
        fail_msg("no default network");
    if (def == NULL)
        return; /* (for the compiler) */
    assert_string_equal(def->bridge, NETWORK_DEFAULT_BRIDGE);
    assert_string_equal(def->subnet, NETWORK_DEFAULT_SUBNET);
    /* no --ip on the default network (docker's rule) */
    json_t *br = json_array_get(json_object_get(def->list, "plugins"), 0);
    assert_null(json_object_get(br, "capabilities"));
    assert_int_equal(network_remove(eng, def, &err), -EPERM);
    error_free(err);
    err = NULL;
    network_list_free(all);
    /* "bridge" names the default one, as in docker */
    struct network *b = NULL;
    assert_int_equal(network_load(eng, "bridge", &b, &err), 0);
    assert_string_equal(b->name, NET_DEFAULT_NAME);
    network_free(b);
}

static void test_internal_and_remove(void **state)
{
    struct network_create_opts o = {.name = "inner", .internal = true, .bridge = "cbt-inner"};
    struct network *n = create(&o, NULL);
    assert_true(n->internal);
    json_t *br = json_array_get(json_object_get(n->list, "plugins"), 0);
    assert_false(json_is_true(json_object_get(br, "isGateway")));
    assert_false(json_is_true(json_object_get(br, "ipMasq")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(br, "ipam"), "routes")), 0);
    struct error *err = NULL;
    assert_int_equal(network_remove(eng, n, &err), 0);
    network_free(n);
    n = NULL;
    assert_int_equal(network_load(eng, "inner", &n, &err), -ENOENT);
    error_free(err);
}

static void write_file(const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/root/net.d/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_hand_written(void **state)
{
    write_file("mine.conflist",
               "{\"cniVersion\":\"0.4.0\",\"name\":\"mine\",\"plugins\":[{\"type\":\"macvlan\","
               "\"master\":\"eth0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.97.0.0/24\"}}]}");
    struct network *n = NULL;
    struct error *err = NULL;
    assert_int_equal(network_load(eng, "mine", &n, &err), 0);
    assert_false(n->managed);
    assert_string_equal(n->driver, "macvlan");
    assert_null(n->bridge);
    assert_string_equal(n->subnet, "10.97.0.0/24"); /* the older ipam form */
    assert_int_equal(strlen(n->id), 64);
    network_free(n);
    write_file("wrong.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"other\",\"plugins\":[{\"type\":\"x\"}]}");
    assert_true(network_load(eng, "wrong", &n, &err) < 0);
    assert_non_null(strstr(err->msg, "its file says `wrong`"));
    error_free(err);
    err = NULL;
    write_file("bad.conflist", "{\"cniVersion\":\"1.0.0\",");
    assert_true(network_load(eng, "bad", &n, &err) < 0);
    assert_non_null(strstr(err->msg, "bad.conflist"));
    error_free(err);
    err = NULL;
    /* a broken file fails the listing, naming it */
    struct network **all = NULL;
    assert_true(network_list(eng, &all, NULL, &err) < 0);
    assert_non_null(strstr(err->msg, ".conflist"));
    error_free(err);
    char p[256];
    const char *gone[] = {"wrong.conflist", "bad.conflist", "mine.conflist"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/root/net.d/%s", dir, gone[i]);
        unlink(p);
    }
}

/* netetc_params() + etcfiles: what the request and the sandbox put in the
 * container's resolv.conf and hosts. */
static char *resolv_of(const struct net_request *req, const struct sandbox *s, const char *host)
{
    struct etcfiles_params p = {.hostname = "web"};
    struct netetc_hold hold = {0};
    struct error *err = NULL;
    char *out = NULL;
    assert_int_equal(netetc_params(req, s, &p, &hold, &err), 0);
    assert_int_equal(etcfiles_resolv(&p, host, &out, &err), 0);
    netetc_release(&hold);
    return out;
}

static void test_resolv_conf(void **state)
{
    const char *host = "# host\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch a.example b\n"
                       "options ndots:2 timeout:1\n";
    struct net_request req = {.mode = NET_MODE_BRIDGE};
    char *out = resolv_of(&req, NULL, host);
    assert_non_null(strstr(out, "nameserver 10.0.0.2\n"));
    assert_null(strstr(out, "127.0.0.53")); /* unreachable from the container */
    assert_non_null(strstr(out, "search a.example b\n"));
    assert_non_null(strstr(out, "options ndots:2 timeout:1\n"));
    free(out);
    /* only loopback: docker's defaults */
    out = resolv_of(&req, NULL, "nameserver 127.0.0.1\n");
    assert_non_null(strstr(out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"));
    free(out);
    /* host network: as the host has it */
    req.mode = NET_MODE_HOST;
    out = resolv_of(&req, NULL, host);
    assert_non_null(strstr(out, "nameserver 127.0.0.53\n"));
    free(out);
    /* the flags replace each part; --dns-search . means none */
    char *dns[] = {(char *) "1.1.1.1", NULL}, *search[] = {(char *) ".", NULL};
    char *opts[] = {(char *) "rotate", NULL};
    req = (struct net_request) {.mode = NET_MODE_BRIDGE, .dns = dns, .dns_search = search,
                                .dns_options = opts};
    out = resolv_of(&req, NULL, host);
    assert_string_equal(out, "nameserver 1.1.1.1\noptions rotate\n");
    free(out);
    /* a CNI result's nameservers replace the host's */
    json_t *res = json_pack("{s:s, s:{s:[s]}}", "cniVersion", "1.0.0", "dns", "nameservers",
                            "10.90.0.1");
    struct sandbox_endpoint ep = {.network = (char *) "cabin", .result = res};
    struct sandbox s = {.id = (char *) "abc", .mode = NET_MODE_BRIDGE, .eps = &ep, .n_eps = 1};
    req = (struct net_request) {.mode = NET_MODE_BRIDGE};
    out = resolv_of(&req, &s, host);
    assert_non_null(strstr(out, "nameserver 10.90.0.1\n"));
    assert_null(strstr(out, "10.0.0.2"));
    free(out);
    json_decref(res);
}

static void test_hosts_lines(void **state)
{
    struct net_host_entry h[] = {{(char *) "db", (char *) "10.0.0.9"},
                                 {(char *) "gw", (char *) "host-gateway"}};
    struct net_request req = {.mode = NET_MODE_BRIDGE, .hosts = h, .n_hosts = 2};
    struct sandbox_endpoint ep = {.network = (char *) "cabin", .ip = (char *) "10.90.0.5",
                                  .gateway = (char *) "10.90.0.1", .prefix = 16};
    struct sandbox s = {.id = (char *) "abc", .mode = NET_MODE_BRIDGE, .eps = &ep, .n_eps = 1};
    struct etcfiles_params p = {.hostname = "web"};
    struct netetc_hold hold = {0};
    char *out = NULL;
    struct error *err = NULL;
    assert_int_equal(netetc_params(&req, &s, &p, &hold, &err), 0);
    assert_int_equal(etcfiles_hosts(&p, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "\n10.90.0.5\tweb\n10.0.0.9\tdb\n10.90.0.1\tgw\n"));
    free(out);
    netetc_release(&hold);
    /* not running yet: the gateway is not known, and its line waits */
    p = (struct etcfiles_params) {.hostname = "web"};
    assert_int_equal(netetc_params(&req, NULL, &p, &hold, &err), 0);
    assert_int_equal(etcfiles_hosts(&p, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "10.0.0.9\tdb\n"));
    assert_null(strstr(out, "gw"));
    free(out);
    netetc_release(&hold);
    /* no network at all: host-gateway is an error */
    struct sandbox none = {.id = (char *) "abc", .mode = NET_MODE_NONE};
    req.mode = NET_MODE_NONE;
    assert_true(netetc_params(&req, &none, &p, &hold, &err) < 0);
    assert_non_null(strstr(err->msg, "host-gateway"));
    error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr),           cmocka_unit_test(test_pick_subnet),
        cmocka_unit_test(test_create_and_read), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_default_and_list), cmocka_unit_test(test_internal_and_remove),
        cmocka_unit_test(test_hand_written),   cmocka_unit_test(test_resolv_conf),
        cmocka_unit_test(test_hosts_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
