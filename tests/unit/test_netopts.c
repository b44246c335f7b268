/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/netopts: -p, --network, --add-host, --dns, --ip and
 * the JSON round trip of a network request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/netopts.h"
#include "util/strv.h"

static struct net_port *ports;
static size_t n_ports;

static void reset(void)
{
    free(ports);
    ports = NULL;
    n_ports = 0;
}

static int publish(const char *spec)
{
    reset();
    struct error *err = NULL;
    int r = net_parse_publish(spec, &ports, &n_ports, &err);
    if (r < 0) {
        assert_non_null(err);
        assert_non_null(strstr(err->msg, spec)); /* the message names the value */
        error_free(err);
    }
    return r;
}

static void test_publish_forms(void **state)
{
    assert_int_equal(publish("80"), 0);
    assert_int_equal(n_ports, 1);
    assert_int_equal(ports[0].container_port, 80);
    assert_int_equal(ports[0].host_port, 0);
    assert_string_equal(ports[0].proto, "tcp");
    assert_string_equal(ports[0].host_ip, "");

    assert_int_equal(publish("8080:80/udp"), 0);
    assert_int_equal(ports[0].host_port, 8080);
    assert_int_equal(ports[0].container_port, 80);
    assert_string_equal(ports[0].proto, "udp");

    assert_int_equal(publish("127.0.0.1:8080:80"), 0);
    assert_string_equal(ports[0].host_ip, "127.0.0.1");
    assert_int_equal(ports[0].host_port, 8080);

    assert_int_equal(publish("127.0.0.1::80"), 0);
    assert_int_equal(ports[0].host_port, 0);

    assert_int_equal(publish("[::1]:8080:80/tcp"), 0);
    assert_string_equal(ports[0].host_ip, "::1");
    assert_int_equal(ports[0].host_port, 8080);

    assert_int_equal(publish("[::1]::443"), 0);
    assert_int_equal(ports[0].container_port, 443);
    reset();
}

static void test_publish_ranges(void **state)
{
    assert_int_equal(publish("8000-8002:80-82"), 0);
    assert_int_equal(n_ports, 3);
    assert_int_equal(ports[2].host_port, 8002);
    assert_int_equal(ports[2].container_port, 82);

    assert_int_equal(publish("80-81"), 0);
    assert_int_equal(n_ports, 2);
    assert_int_equal(ports[1].host_port, 0);

    /* a host range for one container port: one of them is chosen later */
    assert_int_equal(publish("9000-9009:80"), 0);
    assert_int_equal(n_ports, 1);
    assert_int_equal(ports[0].host_port, 0);
    assert_int_equal(ports[0].host_port_first, 9000);
    assert_int_equal(ports[0].host_port_last, 9009);
    reset();
}

static void test_publish_errors(void **state)
{
    const char *bad[] = {
        "",          "0",          "65536",        "80/sctp",      "80/",
        "a:80",      "8080:",      "8000-8001:80-89", "90-80",    "1.2.3:80:80",
        "::1:80:80", "[::1]80",    "[1.2.3.4]:1:2", "x:8080:80",   "80:80:80:80",
        "8080:80-81", "-80",       "123456",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (publish(bad[i]) == 0)
            fail_msg("-p `%s` was accepted", bad[i]);
    }
    /* a failed value leaves what was there */
    struct error *err = NULL;
    reset();
    assert_int_equal(net_parse_publish("80", &ports, &n_ports, &err), 0);
    assert_true(net_parse_publish("1-2000", &ports, &n_ports, &err) < 0);
    error_free(err);
    assert_int_equal(n_ports, 1);
    reset();
}

static struct net_request *parse(struct net_flags *f, const char *want_err)
{
    struct net_request *r = NULL;
    struct error *err = NULL;
    int rc = net_request_parse(f, &r, &err);
    if (want_err) {
        assert_true(rc < 0);
        assert_null(r);
        if (strstr(err->msg, want_err) == NULL)
            fail_msg("error `%s` does not say `%s`", err->msg, want_err);
        error_free(err);
        return NULL;
    }
    if (rc < 0)
        fail_msg("unexpected error: %s", err->msg);
    return r;
}

static void test_network_modes(void **state)
{
    char *none[] = {(char *) "none", NULL}, *host[] = {(char *) "host", NULL};
    char *ctr[] = {(char *) "container:web", NULL}, *bridge[] = {(char *) "bridge", NULL};
    char *two[] = {(char *) "a", (char *) "b", NULL}, *mix[] = {(char *) "a", (char *) "host", NULL};
    char *dup[] = {(char *) "a", (char *) "a", NULL}, *badname[] = {(char *) "-x", NULL};
    struct net_flags f = {0};
    struct net_request *r = parse(&f, NULL);
    assert_int_equal(r->mode, NET_MODE_BRIDGE);
    assert_null(r->networks);
    net_request_free(r);
    f.network = none;
    r = parse(&f, NULL);
    assert_int_equal(r->mode, NET_MODE_NONE);
    net_request_free(r);
    f.network = host;
    r = parse(&f, NULL);
    assert_int_equal(r->mode, NET_MODE_HOST);
    net_request_free(r);
    f.network = ctr;
    r = parse(&f, NULL);
    assert_int_equal(r->mode, NET_MODE_CONTAINER);
    assert_string_equal(r->container, "web");
    net_request_free(r);
    f.network = bridge;
    r = parse(&f, NULL);
    assert_string_equal(r->networks[0], NET_DEFAULT_NAME);
    net_request_free(r);
    f.network = two;
    r = parse(&f, NULL);
    assert_int_equal(strv_length(r->networks), 2);
    net_request_free(r);
    f.network = mix;
    parse(&f, "cannot be combined");
    f.network = dup;
    parse(&f, "twice");
    f.network = badname;
    parse(&f, "not a network name");
}

static void test_mode_conflicts(void **state)
{
    char *host[] = {(char *) "host", NULL}, *ctr[] = {(char *) "container:x", NULL};
    char *user[] = {(char *) "mynet", NULL};
    char *p80[] = {(char *) "80", NULL}, *dns[] = {(char *) "1.1.1.1", NULL};
    char *hosts[] = {(char *) "db:10.0.0.2", NULL}, *alias[] = {(char *) "web", NULL};
    struct net_flags f = {.network = host, .publish = p80};
    parse(&f, "published");
    f = (struct net_flags) {.network = ctr, .dns = dns};
    parse(&f, "--dns");
    f = (struct net_flags) {.network = ctr, .add_host = hosts};
    parse(&f, "--add-host");
    f = (struct net_flags) {.ip = "10.1.2.3"};
    parse(&f, "user-created network");
    f = (struct net_flags) {.aliases = alias};
    parse(&f, "user-created network");
    f = (struct net_flags) {.network = user, .ip = "10.1.2.3", .aliases = alias};
    struct net_request *r = parse(&f, NULL);
    assert_string_equal(r->ip, "10.1.2.3");
    net_request_free(r);
    f = (struct net_flags) {.network = user, .ip = "10.1.2"};
    parse(&f, "--ip");
    char *twice[] = {(char *) "8080:80", (char *) "8080:81", NULL};
    f = (struct net_flags) {.publish = twice};
    parse(&f, "published twice");
    char *apart[] = {(char *) "127.0.0.1:8080:80", (char *) "127.0.0.2:8080:81", NULL};
    f = (struct net_flags) {.publish = apart};
    net_request_free(parse(&f, NULL));
}

static void test_add_host_dns(void **state)
{
    struct net_host_entry h;
    struct error *err = NULL;
    assert_int_equal(net_parse_add_host("db:10.0.0.2", &h, &err), 0);
    assert_string_equal(h.name, "db");
    assert_string_equal(h.ip, "10.0.0.2");
    free(h.name), free(h.ip);
    assert_int_equal(net_parse_add_host("v6host:::1", &h, &err), 0);
    assert_string_equal(h.ip, "::1");
    free(h.name), free(h.ip);
    assert_int_equal(net_parse_add_host("gw=host-gateway", &h, &err), 0);
    assert_string_equal(h.ip, "host-gateway");
    free(h.name), free(h.ip);
    assert_int_equal(net_parse_add_host("x=[fe80::1]", &h, &err), 0);
    assert_string_equal(h.ip, "fe80::1");
    free(h.name), free(h.ip);
    const char *bad[] = {"nocolon", ":1.2.3.4", "db:notanip", "a b:1.2.3.4", "db:"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (net_parse_add_host(bad[i], &h, &err) == 0)
            fail_msg("--add-host `%s` accepted", bad[i]);
        error_free(err);
        err = NULL;
    }
    char *dns[] = {(char *) "8.8.8.8", (char *) "dns.example", NULL};
    struct net_flags f = {.dns = dns};
    parse(&f, "--dns: `dns.example`");
    char *search[] = {(char *) "example.com", (char *) ".", NULL};
    char *opts[] = {(char *) "ndots:2", NULL};
    f = (struct net_flags) {.dns_search = search, .dns_options = opts};
    struct net_request *r = parse(&f, NULL);
    assert_string_equal(r->dns_search[1], ".");
    net_request_free(r);
    char *badsearch[] = {(char *) "a b", NULL};
    f = (struct net_flags) {.dns_search = badsearch};
    parse(&f, "--dns-search");
}

static void test_json_round_trip(void **state)
{
    char *nets[] = {(char *) "front", (char *) "back", NULL};
    char *pub[] = {(char *) "127.0.0.1:8080:80", (char *) "53/udp", (char *) "9000-9001:443",
                   NULL};
    char *dns[] = {(char *) "10.0.0.1", NULL}, *hosts[] = {(char *) "db:10.0.0.9", NULL};
    char *alias[] = {(char *) "www", NULL};
    struct net_flags f = {.network = nets, .publish = pub, .publish_all = true,
                          .ip = "10.91.0.7", .dns = dns, .add_host = hosts, .aliases = alias};
    struct net_request *r = parse(&f, NULL);
    json_t *j = net_request_to_json(r);
    struct net_request *back = NULL;
    struct error *err = NULL;
    assert_int_equal(net_request_from_json(j, &back, &err), 0);
    assert_int_equal(back->mode, NET_MODE_BRIDGE);
    assert_string_equal(back->networks[1], "back");
    assert_int_equal(back->n_ports, 3);
    assert_string_equal(back->ports[0].host_ip, "127.0.0.1");
    assert_int_equal(back->ports[1].container_port, 53);
    assert_string_equal(back->ports[1].proto, "udp");
    assert_int_equal(back->ports[2].host_port_last, 9001);
    assert_true(back->publish_all);
    assert_string_equal(back->ip, "10.91.0.7");
    assert_string_equal(back->dns[0], "10.0.0.1");
    assert_int_equal(back->n_hosts, 1);
    assert_string_equal(back->hosts[0].ip, "10.0.0.9");
    assert_string_equal(back->aliases[0], "www");
    json_decref(j);
    net_request_free(back);
    net_request_free(r);
    /* a record that was tampered with is refused, with the field named */
    j = json_pack("{s:s}", "mode", "bogus");
    assert_true(net_request_from_json(j, &back, &err) < 0);
    assert_non_null(strstr(err->msg, "network.mode"));
    error_free(err);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_forms),   cmocka_unit_test(test_publish_ranges),
        cmocka_unit_test(test_publish_errors),  cmocka_unit_test(test_network_modes),
        cmocka_unit_test(test_mode_conflicts),  cmocka_unit_test(test_add_host_dns),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
