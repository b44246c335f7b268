/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine/sandbox's pure parts: the ports to publish (-P),
 * choosing host ports, portmap's mappings, the peers' hosts lines and
 * their in-place rewrite, inspect's NetworkSettings, `port` lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/sandbox.h"
#include "util/fs.h"
#include "util/strv.h"

static void test_ports_wanted(void **state)
{
    json_t *exposed = json_pack("{s:{}, s:{}, s:{}, s:{}}", "80/tcp", "53/udp", "8080", "9/sctp");
    struct net_port given = {.host_port = 8000, .container_port = 80, .proto = "tcp"};
    struct net_request req = {.ports = &given, .n_ports = 1};
    struct net_port *v = NULL;
    size_t n = 0;
    struct error *err = NULL;
    assert_int_equal(sandbox_ports_wanted(&req, exposed, &v, &n, &err), 0);
    assert_int_equal(n, 1); /* without -P only what -p says */
    free(v);
    req.publish_all = true;
    assert_int_equal(sandbox_ports_wanted(&req, exposed, &v, &n, &err), 0);
    /* 80/tcp is published already; 53/udp and 8080/tcp get a host port; sctp cannot */
    assert_int_equal(n, 3);
    assert_int_equal(v[0].host_port, 8000);
    bool udp53 = false, tcp8080 = false;
    for (size_t i = 1; i < n; i++) {
        udp53 = udp53 || (v[i].container_port == 53 && strcmp(v[i].proto, "udp") == 0);
        tcp8080 = tcp8080 || (v[i].container_port == 8080 && strcmp(v[i].proto, "tcp") == 0);
        assert_int_equal(v[i].host_port, 0);
    }
    assert_true(udp53 && tcp8080);
    free(v);
    json_decref(exposed);
}

static uint16_t listen_somewhere(int *ret_fd)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 1), 0);
    getsockname(fd, (struct sockaddr *) &sa, &len);
    *ret_fd = fd;
    return ntohs(sa.sin_port);
}

static void test_ports_choose(void **state)
{
    struct error *err = NULL;
    /* random ones: all different, none 0 */
    struct net_port p[3] = {{.container_port = 80, .proto = "tcp"},
                            {.container_port = 81, .proto = "tcp"},
                            {.container_port = 53, .proto = "udp"}};
    assert_int_equal(sandbox_ports_choose(p, 3, NULL, 0, &err), 0);
    assert_true(p[0].host_port && p[1].host_port && p[2].host_port);
    assert_int_not_equal(p[0].host_port, p[1].host_port);
    /* a port another container publishes is taken */
    struct net_port taken = {.host_port = 18999, .container_port = 80, .proto = "tcp"};
    struct net_port want = {.host_port = 18999, .container_port = 80, .proto = "tcp"};
    assert_int_equal(sandbox_ports_choose(&want, 1, &taken, 1, &err), -EADDRINUSE);
    assert_non_null(strstr(err->msg, "0.0.0.0:18999/tcp: port is already allocated"));
    error_free(err);
    err = NULL;
    /* on another address it is not; udp is another port */
    strcpy(taken.host_ip, "127.0.0.2");
    strcpy(want.host_ip, "127.0.0.1");
    assert_int_equal(sandbox_ports_choose(&want, 1, &taken, 1, &err), 0);
    struct net_port udp = {.host_port = 18999, .container_port = 80, .proto = "udp"};
    taken.host_ip[0] = '\0';
    assert_int_equal(sandbox_ports_choose(&udp, 1, &taken, 1, &err), 0);
    /* a port a host process listens on is taken */
    int fd;
    uint16_t busy = listen_somewhere(&fd);
    struct net_port onhost = {.host_port = busy, .container_port = 80, .proto = "tcp"};
    assert_int_equal(sandbox_ports_choose(&onhost, 1, NULL, 0, &err), -EADDRINUSE);
    error_free(err);
    err = NULL;
    /* a range: the first free one */
    struct net_port range = {.host_port_first = busy, .host_port_last = (uint16_t) (busy + 1),
                             .container_port = 80, .proto = "tcp"};
    if (busy < 65535) {
        assert_int_equal(sandbox_ports_choose(&range, 1, NULL, 0, &err), 0);
        assert_int_equal(range.host_port, busy + 1);
    }
    range = (struct net_port) {.host_port_first = busy, .host_port_last = busy,
                               .container_port = 80, .proto = "tcp"};
    assert_int_equal(sandbox_ports_choose(&range, 1, NULL, 0, &err), -EADDRINUSE);
    assert_non_null(strstr(err->msg, "every host port of the range"));
    error_free(err);
    err = NULL;
    close(fd);
    /* IPv6 host addresses: the networks have none */
    struct net_port v6 = {.host_ip = "::1", .host_port = 8080, .container_port = 80,
                          .proto = "tcp"};
    assert_int_equal(sandbox_ports_choose(&v6, 1, NULL, 0, &err), -ENOTSUP);
    error_free(err);
}

static void test_ports_json(void **state)
{
    struct net_port p[2] = {{.host_port = 8080, .container_port = 80, .proto = "tcp"},
                            {.host_ip = "127.0.0.1", .host_port = 5353, .container_port = 53,
                             .proto = "udp"}};
    json_t *j = sandbox_ports_json(p, 2);
    json_t *want = json_pack("[{s:i, s:i, s:s}, {s:i, s:i, s:s, s:s}]", "hostPort", 8080,
                             "containerPort", 80, "protocol", "tcp", "hostPort", 5353,
                             "containerPort", 53, "protocol", "udp", "hostIP", "127.0.0.1");
    assert_true(json_equal(j, want));
    json_decref(j);
    json_decref(want);
}

static struct sandbox *sb(const char *id, const char *name, const char *net, const char *ip)
{
    struct sandbox *s = calloc(1, sizeof(*s));
    s->id = strdup(id);
    s->name = name ? strdup(name) : NULL;
    s->mode = NET_MODE_BRIDGE;
    s->eps = calloc(1, sizeof(*s->eps));
    s->n_eps = 1;
    s->eps[0].network = strdup(net);
    s->eps[0].ifname = strdup("eth0");
    s->eps[0].ip = ip ? strdup(ip) : NULL;
    s->eps[0].prefix = 24;
    s->eps[0].gateway = strdup("10.91.0.1");
    return s;
}

static void test_peer_lines(void **state)
{
    struct sandbox *all[5] = {
        sb("aaaaaaaaaaaaaaaa", "web", "front", "10.91.0.2"),
        sb("bbbbbbbbbbbbbbbb", "db", "front", "10.91.0.3"),
        sb("cccccccccccccccc", NULL, "back", "10.91.1.2"),
        sb("dddddddddddddddd", "other", "cabin", "10.90.0.2"),
        NULL,
    };
    strv_push(&all[1]->aliases, "database");
    char *t = sandbox_peer_lines(all, all[0]);
    assert_string_equal(t, "10.91.0.3\tdb database bbbbbbbbbbbb\n");
    free(t);
    t = sandbox_peer_lines(all, all[2]); /* alone on its network */
    assert_string_equal(t, "");
    free(t);
    t = sandbox_peer_lines(all, all[3]); /* the default network names nobody (as docker's) */
    assert_string_equal(t, "");
    free(t);
    for (size_t i = 0; all[i]; i++)
        sandbox_free(all[i]);
}

static void test_hosts_rewrite(void **state)
{
    char dir[] = "/tmp/cabin-test-hosts.XXXXXX";
    assert_non_null(mkdtemp(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "hosts", O_CREAT | O_WRONLY, 0644);
    const char *base = "127.0.0.1\tlocalhost\n10.91.0.2\tweb";
    assert_int_equal(write(fd, base, strlen(base)), (ssize_t) strlen(base));
    close(fd);
    struct stat before, after;
    fstatat(dfd, "hosts", &before, 0);
    struct error *err = NULL;
    assert_int_equal(sandbox_hosts_rewrite(dfd, "hosts", "10.91.0.3\tdb\n", &err), 0);
    char *text = NULL;
    size_t len;
    assert_int_equal(fs_read_file_at(dfd, "hosts", 4096, &text, &len, &err), 0);
    assert_string_equal(text, "127.0.0.1\tlocalhost\n10.91.0.2\tweb\n"
                              "# cabin: containers on the same networks\n10.91.0.3\tdb\n");
    free(text);
    /* replaced, not appended; the same inode (it is bind-mounted) */
    assert_int_equal(sandbox_hosts_rewrite(dfd, "hosts", "10.91.0.4\tcache\n", &err), 0);
    assert_int_equal(fs_read_file_at(dfd, "hosts", 4096, &text, &len, &err), 0);
    assert_string_equal(text, "127.0.0.1\tlocalhost\n10.91.0.2\tweb\n"
                              "# cabin: containers on the same networks\n10.91.0.4\tcache\n");
    free(text);
    fstatat(dfd, "hosts", &after, 0);
    assert_int_equal(before.st_ino, after.st_ino);
    /* no peers left: the block goes */
    assert_int_equal(sandbox_hosts_rewrite(dfd, "hosts", "", &err), 0);
    assert_int_equal(fs_read_file_at(dfd, "hosts", 4096, &text, &len, &err), 0);
    assert_string_equal(text, "127.0.0.1\tlocalhost\n10.91.0.2\tweb\n");
    free(text);
    /* never through a symlink */
    assert_int_equal(symlinkat("/etc/passwd", dfd, "link"), 0);
    assert_true(sandbox_hosts_rewrite(dfd, "link", "x\n", &err) < 0);
    error_free(err);
    unlinkat(dfd, "link", 0);
    unlinkat(dfd, "hosts", 0);
    close(dfd);
    rmdir(dir);
}

static void test_inspect_and_port(void **state)
{
    struct sandbox *s = sb("0123456789abcdef", "web", "front", "10.91.0.2");
    s->netns = strdup("/run/cabin/netns/0123456789abcdef");
    s->eps[0].mac = strdup("aa:bb:cc:dd:ee:ff");
    s->eps[0].network_id = strdup("feed");
    s->ports = calloc(2, sizeof(*s->ports));
    s->ports[0] = (struct net_port) {.host_port = 8080, .container_port = 80, .proto = "tcp"};
    s->ports[1] = (struct net_port) {.host_ip = "127.0.0.1", .host_port = 5353,
                                     .container_port = 53, .proto = "udp"};
    s->n_ports = 2;
    json_t *j = sandbox_inspect(s, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "IPAddress")), "10.91.0.2");
    assert_string_equal(json_string_value(json_object_get(j, "Gateway")), "10.91.0.1");
    assert_int_equal(json_integer_value(json_object_get(j, "IPPrefixLen")), 24);
    assert_string_equal(json_string_value(json_object_get(j, "SandboxKey")), s->netns);
    json_t *p80 = json_array_get(json_object_get(json_object_get(j, "Ports"), "80/tcp"), 0);
    assert_string_equal(json_string_value(json_object_get(p80, "HostIp")), "0.0.0.0");
    assert_string_equal(json_string_value(json_object_get(p80, "HostPort")), "8080");
    json_t *front = json_object_get(json_object_get(j, "Networks"), "front");
    assert_string_equal(json_string_value(json_object_get(front, "MacAddress")),
                        "aa:bb:cc:dd:ee:ff");
    assert_string_equal(json_string_value(json_object_get(front, "NetworkID")), "feed");
    json_decref(j);
    /* not running: the networks asked for, no addresses */
    char *nets[] = {(char *) "front", NULL};
    struct net_request req = {.mode = NET_MODE_BRIDGE, .networks = nets};
    j = sandbox_inspect(NULL, &req);
    assert_string_equal(json_string_value(json_object_get(j, "IPAddress")), "");
    assert_non_null(json_object_get(json_object_get(j, "Networks"), "front"));
    assert_int_equal(json_object_size(json_object_get(j, "Ports")), 0);
    json_decref(j);
    req = (struct net_request) {.mode = NET_MODE_NONE};
    j = sandbox_inspect(NULL, &req);
    assert_non_null(json_object_get(json_object_get(j, "Networks"), "none"));
    json_decref(j);

    char **lines = NULL;
    struct error *err = NULL;
    assert_int_equal(sandbox_port_lines(s, NULL, &lines, &err), 0);
    assert_string_equal(lines[0], "80/tcp -> 0.0.0.0:8080");
    assert_string_equal(lines[1], "53/udp -> 127.0.0.1:5353");
    strv_free(lines);
    assert_int_equal(sandbox_port_lines(s, "53/udp", &lines, &err), 0);
    assert_string_equal(lines[0], "127.0.0.1:5353");
    strv_free(lines);
    assert_int_equal(sandbox_port_lines(s, "53", &lines, &err), -ENOENT); /* tcp */
    assert_non_null(strstr(err->msg, "no public port '53/tcp'"));
    error_free(err);
    err = NULL;
    assert_int_equal(sandbox_port_lines(s, "80/sctp", &lines, &err), -EINVAL);
    error_free(err);
    sandbox_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports_wanted), cmocka_unit_test(test_ports_choose),
        cmocka_unit_test(test_ports_json),   cmocka_unit_test(test_peer_lines),
        cmocka_unit_test(test_hosts_rewrite), cmocka_unit_test(test_inspect_and_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
