/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/etcfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define HOST_FILE_MAX (1u << 20)

/* A growing string. */
struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (int pass = 0; pass < 2 && !t->failed; pass++) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->s && t->len + (size_t) n < t->cap) {
            t->len += (size_t) n;
            return;
        }
        size_t cap = (t->cap + (size_t) n + 256) * 2;
        char *s = realloc(t->s, cap);
        if (s == NULL) {
            t->failed = true;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
}

static int finish(struct text *t, char **ret, struct error **err)
{
    if (t->failed || t->s == NULL) {
        free(t->s);
        if (t->failed)
            return error_new(err, ENOMEM, "out of memory");
        t->s = strdup("");
        if (t->s == NULL)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = t->s;
    return 0;
}

int etcfiles_hosts(const struct etcfiles_params *p, const char *host_hosts, char **ret,
                   struct error **err)
{
    struct text t = {0};
    if (p->host_network) {
        add(&t, "%s", host_hosts ? host_hosts : "");
    } else {
        add(&t, "127.0.0.1\tlocalhost\n"
                "::1\tlocalhost ip6-localhost ip6-loopback\n"
                "fe00::0\tip6-localnet\n"
                "ff00::0\tip6-mcastprefix\n"
                "ff02::1\tip6-allnodes\n"
                "ff02::2\tip6-allrouters\n");
        if (p->address && *p->address) {
            if (p->domainname && *p->domainname)
                add(&t, "%s\t%s.%s %s\n", p->address, p->hostname, p->domainname, p->hostname);
            else
                add(&t, "%s\t%s\n", p->address, p->hostname);
        }
        for (size_t i = 0; p->peers && p->peers[i]; i++)
            add(&t, "%s\n", p->peers[i]);
    }
    for (size_t i = 0; p->extra_hosts && p->extra_hosts[i]; i++) {
        const char *h = p->extra_hosts[i];
        const char *colon = strchr(h, ':');
        if (colon == NULL || colon == h || colon[1] == '\0') {
            free(t.s);
            return error_new(err, EINVAL, "--add-host `%s`: expected NAME:ADDRESS", h);
        }
        add(&t, "%s\t%.*s\n", colon + 1, (int) (colon - h), h);
    }
    return finish(&t, ret, err);
}

/* A nameserver a container can use: not the host's loopback. */
static bool reachable(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) != 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1)
        return !IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* The first word after `key` on a line, or NULL. */
static const char *value_of(const char *line, size_t n, const char *key, size_t *ret_len)
{
    size_t k = strlen(key);
    if (n <= k || strncmp(line, key, k) != 0 || (line[k] != ' ' && line[k] != '\t'))
        return NULL;
    const char *v = line + k;
    while (v < line + n && (*v == ' ' || *v == '\t'))
        v++;
    *ret_len = (size_t) (line + n - v);
    while (*ret_len > 0 && (v[*ret_len - 1] == ' ' || v[*ret_len - 1] == '\t' ||
                            v[*ret_len - 1] == '\r'))
        (*ret_len)--;
    return *ret_len ? v : NULL;
}

int etcfiles_resolv(const struct etcfiles_params *p, const char *host_resolv, char **ret,
                    struct error **err)
{
    struct text t = {0};
    const char *src = host_resolv ? host_resolv : "";
    if (p->host_network && !p->dns && !p->dns_search && !p->dns_options) {
        add(&t, "%s", src);
        return finish(&t, ret, err);
    }
    size_t servers = 0;
    for (size_t i = 0; p->dns && p->dns[i]; i++) {
        add(&t, "nameserver %s\n", p->dns[i]);
        servers++;
    }
    for (const char *l = src; *l;) {
        size_t n = strcspn(l, "\n");
        size_t vl;
        const char *v;
        if ((v = value_of(l, n, "nameserver", &vl))) {
            char addr[64];
            snprintf(addr, sizeof(addr), "%.*s", (int) (vl < sizeof(addr) ? vl : 0), v);
            if (!p->dns && reachable(addr)) {
                add(&t, "nameserver %s\n", addr);
                servers++;
            }
        } else if ((v = value_of(l, n, "search", &vl)) || (v = value_of(l, n, "domain", &vl))) {
            if (!p->dns_search)
                add(&t, "search %.*s\n", (int) vl, v);
        } else if ((v = value_of(l, n, "options", &vl))) {
            if (!p->dns_options)
                add(&t, "options %.*s\n", (int) vl, v);
        }
        l += n + (l[n] == '\n');
    }
    if (servers == 0)
        add(&t, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    /* --dns-search . alone: no search domains at all */
    if (p->dns_search && p->dns_search[0] &&
        !(strcmp(p->dns_search[0], ".") == 0 && p->dns_search[1] == NULL)) {
        add(&t, "search");
        for (size_t i = 0; p->dns_search[i]; i++)
            if (strcmp(p->dns_search[i], ".") != 0)
                add(&t, " %s", p->dns_search[i]);
        add(&t, "\n");
    }
    if (p->dns_options && p->dns_options[0]) {
        add(&t, "options");
        for (size_t i = 0; p->dns_options[i]; i++)
            add(&t, " %s", p->dns_options[i]);
        add(&t, "\n");
    }
    return finish(&t, ret, err);
}

/* The host's resolv.conf; systemd-resolved's upstream servers when it
 * names only the stub resolver (127.0.0.53), as docker does. */
static char *host_resolv(void)
{
    char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, "/etc/resolv.conf", HOST_FILE_MAX, &text, NULL, NULL) < 0)
        return NULL;
    if (strstr(text, "nameserver 127.0.0.53")) {
        char *up = NULL;
        if (fs_read_file_at(AT_FDCWD, "/run/systemd/resolve/resolv.conf", HOST_FILE_MAX, &up,
                            NULL, NULL) == 0) {
            free(text);
            return up;
        }
    }
    return text;
}

int etcfiles_write(int cdirfd, const struct etcfiles_params *p, struct error **err)
{
    cleanup_free char *hosts_in = NULL, *resolv_in = host_resolv();
    cleanup_free char *hosts = NULL, *resolv = NULL, *hostname = NULL;
    if (p->host_network)
        fs_read_file_at(AT_FDCWD, "/etc/hosts", HOST_FILE_MAX, &hosts_in, NULL, NULL);
    int r = etcfiles_hosts(p, hosts_in, &hosts, err);
    if (r == 0)
        r = etcfiles_resolv(p, resolv_in, &resolv, err);
    if (r == 0 && asprintf(&hostname, "%s\n", p->hostname) < 0)
        r = error_new(err, ENOMEM, "out of memory");
    if (r == 0)
        r = fs_write_file_atomic(cdirfd, ETCFILES_HOSTNAME, hostname, strlen(hostname), 0644, 0,
                                 err);
    if (r == 0)
        r = fs_write_file_atomic(cdirfd, ETCFILES_HOSTS, hosts, strlen(hosts), 0644, 0, err);
    if (r == 0)
        r = fs_write_file_atomic(cdirfd, ETCFILES_RESOLV, resolv, strlen(resolv), 0644, 0, err);
    return r < 0 ? error_wrap(err, "writing the container's /etc files") : 0;
}
