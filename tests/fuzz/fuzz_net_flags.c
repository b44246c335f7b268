/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: the network and mount flags of `cabin run`/`create`
 * (src/engine/netopts.c, src/engine/mountopts.c) as the engine takes them:
 * net_request_parse() for -p and --add-host, mount_requests_parse() for
 * -v, --mount and --tmpfs.
 *
 * The input's first byte picks the flag (modulo 5: -p, -v, --mount,
 * --tmpfs, --add-host); the rest are its values, separated by NUL bytes
 * (repeated flags, at most 16).  Checked, beyond the error contract:
 *
 *   - ports: container port 1..65535, tcp or udp, a host port or a range
 *     first <= last, a host IP that is empty or an address;
 *   - --add-host: a name, and an address or host-gateway;
 *   - mounts: an absolute target other than "/", with no "." or ".."
 *     part and no "//"; a bind's source absolute; a volume's name valid
 *     or none (anonymous); no two on one target;
 *   - the request saved as JSON (the container's record) reads back to
 *     the same JSON.
 */
#include <errno.h>
#include <stdint.h>

#include "engine/mountopts.h"
#include "engine/netopts.h"
#include "fuzz.h"
#include "util/cleanup.h"

#define MAX_VALUES 16

enum { F_PUBLISH, F_VOLUME, F_MOUNT, F_TMPFS, F_ADD_HOST, F_N };

static bool clean_path(const char *p)
{
    if (p == NULL || p[0] != '/' || strcmp(p, "/") == 0 || strstr(p, "//"))
        return false;
    for (const char *s = p; (s = strchr(s, '/')) != NULL; s++)
        if (strncmp(s, "/./", 3) == 0 || strncmp(s, "/../", 4) == 0 || strcmp(s, "/.") == 0 ||
            strcmp(s, "/..") == 0)
            return false;
    return p[strlen(p) - 1] != '/';
}

static void net_values(int flag, char **values)
{
    struct net_flags f = {0};
    if (flag == F_PUBLISH)
        f.publish = values;
    else
        f.add_host = values;
    cleanup_error struct error *err = NULL;
    cleanup_net_request struct net_request *r = NULL;
    int rc = net_request_parse(&f, &r, &err);
    if (rc < 0) {
        fuzz_check_error(rc, err);
        FUZZ_CHECK(r == NULL);
        return;
    }
    FUZZ_CHECK(r != NULL && err == NULL);
    for (size_t i = 0; i < r->n_ports; i++) {
        const struct net_port *p = &r->ports[i];
        FUZZ_CHECK(p->container_port >= 1);
        FUZZ_CHECK(strcmp(p->proto, "tcp") == 0 || strcmp(p->proto, "udp") == 0);
        FUZZ_CHECK(p->host_port_first <= p->host_port_last);
        FUZZ_CHECK(p->host_ip[0] == '\0' || net_ip_family(p->host_ip) > 0);
    }
    for (size_t i = 0; i < r->n_hosts; i++) {
        FUZZ_CHECK(r->hosts[i].name && r->hosts[i].name[0]);
        FUZZ_CHECK(strcmp(r->hosts[i].ip, "host-gateway") == 0 || net_ip_family(r->hosts[i].ip) > 0);
    }
    cleanup_json json_t *j = net_request_to_json(r);
    FUZZ_CHECK(j != NULL);
    cleanup_net_request struct net_request *back = NULL;
    cleanup_error struct error *err2 = NULL;
    FUZZ_CHECK(net_request_from_json(j, &back, &err2) == 0);
    cleanup_json json_t *j2 = net_request_to_json(back);
    FUZZ_CHECK(json_equal(j, j2));
}

static void mount_values(int flag, char **values)
{
    struct mount_flags f = {0};
    if (flag == F_VOLUME)
        f.volume = values;
    else if (flag == F_MOUNT)
        f.mount = values;
    else
        f.tmpfs = values;
    cleanup_error struct error *err = NULL;
    struct mount_request *m = NULL;
    size_t n = 0;
    int rc = mount_requests_parse(&f, &m, &n, &err);
    if (rc < 0) {
        fuzz_check_error(rc, err);
        return;
    }
    FUZZ_CHECK(err == NULL);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(clean_path(m[i].target));
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(m[i].target, m[k].target) != 0);
        if (m[i].kind == MOUNT_BIND)
            FUZZ_CHECK(m[i].source && m[i].source[0] == '/');
        if (m[i].kind == MOUNT_VOLUME)
            FUZZ_CHECK(m[i].source == NULL || mount_valid_volume_name(m[i].source));
        if (m[i].kind == MOUNT_TMPFS)
            FUZZ_CHECK(m[i].source == NULL);
    }
    cleanup_json json_t *j = mount_requests_to_json(m, n);
    FUZZ_CHECK(j != NULL);
    struct mount_request *back = NULL;
    size_t nb = 0;
    cleanup_error struct error *err2 = NULL;
    FUZZ_CHECK(mount_requests_from_json(j, &back, &nb, &err2) == 0 && nb == n);
    cleanup_json json_t *j2 = mount_requests_to_json(back, nb);
    FUZZ_CHECK(json_equal(j, j2));
    mount_requests_free(back, nb);
    mount_requests_free(m, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int flag = data[0] % F_N;
    char *values[MAX_VALUES + 1] = {0};
    size_t nv = 0;
    for (size_t at = 1; at <= size && nv < MAX_VALUES;) {
        const uint8_t *end = memchr(data + at, '\0', size - at);
        size_t len = end ? (size_t) (end - (data + at)) : size - at;
        values[nv] = malloc(len + 1);
        if (values[nv] == NULL)
            break;
        memcpy(values[nv], data + at, len);
        values[nv++][len] = '\0';
        at += len + 1;
    }
    if (flag == F_PUBLISH || flag == F_ADD_HOST)
        net_values(flag, values);
    else
        mount_values(flag, values);
    for (size_t i = 0; i < nv; i++)
        free(values[i]);
    return 0;
}
