/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/etcfiles: a container's /etc/hosts and
 * /etc/resolv.conf from the host's, as docker makes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/etcfiles.h"

static void test_hosts(void **state)
{
    struct error *err = NULL;
    char *out = NULL;
    struct etcfiles_params p = {.hostname = "box"};
    assert_int_equal(etcfiles_hosts(&p, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "127.0.0.1\tlocalhost\n"));
    assert_non_null(strstr(out, "::1\tlocalhost ip6-localhost ip6-loopback\n"));
    assert_null(strstr(out, "box")); /* no network of its own: no address to name */
    free(out);
    char *peers[] = {(char *) "10.0.0.3\tdb", NULL};
    char *extra[] = {(char *) "gw:10.0.0.1", NULL};
    p = (struct etcfiles_params) {.hostname = "box", .domainname = "example.org",
                                  .address = "10.0.0.2", .peers = peers, .extra_hosts = extra};
    assert_int_equal(etcfiles_hosts(&p, NULL, &out, &err), 0);
    assert_non_null(strstr(out, "10.0.0.2\tbox.example.org box\n"));
    assert_non_null(strstr(out, "10.0.0.3\tdb\n"));
    assert_non_null(strstr(out, "10.0.0.1\tgw\n"));
    free(out);
    /* the host's network: the host's file, and --add-host after it */
    p = (struct etcfiles_params) {.hostname = "h", .host_network = true, .extra_hosts = extra};
    assert_int_equal(etcfiles_hosts(&p, "1.2.3.4 host-only\n", &out, &err), 0);
    assert_string_equal(out, "1.2.3.4 host-only\n10.0.0.1\tgw\n");
    free(out);
    char *bad[] = {(char *) "nocolon", NULL};
    p.extra_hosts = bad;
    assert_true(etcfiles_hosts(&p, "", &out, &err) < 0);
    assert_non_null(strstr(err->msg, "--add-host"));
    error_free(err);
}

static void test_resolv(void **state)
{
    struct error *err = NULL;
    char *out = NULL;
    struct etcfiles_params p = {.hostname = "box"};
    const char *host = "# generated\nnameserver 127.0.0.53\nnameserver 192.168.1.1\n"
                       "nameserver ::1\nsearch lan example.org\noptions edns0\n";
    assert_int_equal(etcfiles_resolv(&p, host, &out, &err), 0);
    assert_string_equal(out, "nameserver 192.168.1.1\nsearch lan example.org\noptions edns0\n");
    free(out);
    /* nothing reachable left: docker's defaults */
    assert_int_equal(etcfiles_resolv(&p, "nameserver 127.0.0.1\n", &out, &err), 0);
    assert_string_equal(out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    free(out);
    /* --dns, --dns-search, --dns-option replace the host's */
    char *dns[] = {(char *) "1.1.1.1", NULL};
    char *search[] = {(char *) "corp", NULL};
    char *opts[] = {(char *) "ndots:2", NULL};
    p = (struct etcfiles_params) {.hostname = "b", .dns = dns, .dns_search = search,
                                  .dns_options = opts};
    assert_int_equal(etcfiles_resolv(&p, host, &out, &err), 0);
    assert_string_equal(out, "nameserver 1.1.1.1\nsearch corp\noptions ndots:2\n");
    free(out);
    /* the host's network: the host's file as it is */
    p = (struct etcfiles_params) {.hostname = "b", .host_network = true};
    assert_int_equal(etcfiles_resolv(&p, host, &out, &err), 0);
    assert_string_equal(out, host);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_resolv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
