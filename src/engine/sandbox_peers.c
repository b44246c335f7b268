/* SPDX-License-Identifier: Apache-2.0 */
/* What others see of a sandbox: peers' hosts entries, inspect, port
 * listings (sandbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/sandbox.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"

#define PEER_MARK  "# cabin: containers on the same networks\n"
#define HOSTS_MAX  (1u << 20)

static bool user_network(const char *name)
{
    return strcmp(name, NET_DEFAULT_NAME) != 0;
}

static const struct sandbox_endpoint *on_network(const struct sandbox *s, const char *net)
{
    for (size_t i = 0; i < s->n_eps; i++)
        if (strcmp(s->eps[i].network, net) == 0)
            return &s->eps[i];
    return NULL;
}

struct text {
    char *s;
    size_t len;
};

static int text_add(struct text *t, const char *s)
{
    size_t n = strlen(s);
    char *p = realloc(t->s, t->len + n + 1);
    if (p == NULL)
        return -ENOMEM;
    memcpy(p + t->len, s, n + 1);
    t->s = p;
    t->len += n;
    return 0;
}

/* "IP\tname alias... shortid\n" for one peer. */
static int peer_line(struct text *t, const struct sandbox *o, const char *ip)
{
    char shortid[13];
    snprintf(shortid, sizeof(shortid), "%.12s", o->id);
    int r = text_add(t, ip) | text_add(t, "\t");
    if (o->name)
        r |= text_add(t, o->name) | text_add(t, " ");
    for (size_t i = 0; o->aliases && o->aliases[i]; i++)
        r |= text_add(t, o->aliases[i]) | text_add(t, " ");
    return r | text_add(t, shortid) | text_add(t, "\n");
}

char *sandbox_peer_lines(struct sandbox *const *all, const struct sandbox *s)
{
    struct text t = {strdup(""), 0};
    for (size_t i = 0; t.s && i < s->n_eps; i++) {
        const char *net = s->eps[i].network;
        if (!user_network(net))
            continue;
        for (size_t k = 0; all && all[k]; k++) {
            const struct sandbox_endpoint *p = on_network(all[k], net);
            if (strcmp(all[k]->id, s->id) == 0 || p == NULL || p->ip == NULL)
                continue;
            if (peer_line(&t, all[k], p->ip) < 0) {
                free(t.s);
                return NULL;
            }
        }
    }
    return t.s;
}

int sandbox_hosts_rewrite(int dirfd, const char *name, const char *lines, struct error **err)
{
    /* In place: the file is bind-mounted into the container, and a rename
     * would leave the container with the old one. */
    cleanup_close int fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s`", name);
    if (flock(fd, LOCK_EX) < 0)
        return error_errno(err, "locking `%s`", name);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t) st.st_size > HOSTS_MAX)
        return error_new(err, EINVAL, "`%s` is not a small regular file", name);
    cleanup_free char *old = calloc(1, (size_t) st.st_size + 1);
    if (old == NULL)
        return error_new(err, ENOMEM, "out of memory");
    ssize_t n = pread(fd, old, (size_t) st.st_size, 0);
    if (n < 0)
        return error_errno(err, "reading `%s`", name);
    old[n] = '\0';
    char *mark = strstr(old, PEER_MARK);
    while (mark && mark != old && mark[-1] != '\n')
        mark = strstr(mark + 1, PEER_MARK);
    size_t keep = mark ? (size_t) (mark - old) : (size_t) n;
    struct text t = {strndup(old, keep), keep};
    int r = t.s ? 0 : -ENOMEM;
    if (r == 0 && keep > 0 && t.s[keep - 1] != '\n')
        r = text_add(&t, "\n");
    if (r == 0 && lines && *lines)
        r = text_add(&t, PEER_MARK) | text_add(&t, lines);
    if (r < 0) {
        free(t.s);
        return error_new(err, ENOMEM, "out of memory");
    }
    if (strcmp(t.s, old) != 0 && (pwrite(fd, t.s, t.len, 0) != (ssize_t) t.len ||
                                  ftruncate(fd, (off_t) t.len) < 0))
        r = error_errno(err, "writing `%s`", name);
    free(t.s);
    return r;
}

static bool shares_network(const struct sandbox *s, char *const *networks)
{
    for (size_t i = 0; networks && networks[i]; i++)
        if (user_network(networks[i]) && on_network(s, networks[i]))
            return true;
    return false;
}

void sandbox_update_peers(struct engine *e, char *const *networks, const char *also)
{
    struct sandbox **all = NULL;
    cleanup_error struct error *err = NULL;
    if (sandbox_list(e, &all, &err) < 0) {
        log_debug("updating peers: %s", err->msg);
        return;
    }
    for (size_t i = 0; all[i]; i++) {
        const struct sandbox *s = all[i];
        if (!shares_network(s, networks) && !(also && strcmp(s->id, also) == 0))
            continue;
        cleanup_close int cdir = openat(e->containersfd, s->id, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cleanup_free char *lines = sandbox_peer_lines(all, s);
        if (cdir < 0 || lines == NULL || faccessat(cdir, "hosts", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* no hosts file of ours (yet) */
        cleanup_error struct error *e2 = NULL;
        if (sandbox_hosts_rewrite(cdir, "hosts", lines, &e2) < 0)
            log_debug("container %.12s: %s", s->id, e2->msg);
    }
    sandbox_list_free(all);
}

/* ---- inspect and port ---------------------------------------------------------- */

static json_t *endpoint_json(const struct sandbox_endpoint *p, char *const *aliases,
                             const char *id)
{
    json_t *al = json_array();
    for (size_t i = 0; aliases && aliases[i]; i++)
        json_array_append_new(al, json_string(aliases[i]));
    if (id && p && user_network(p->network)) {
        char shortid[13];
        snprintf(shortid, sizeof(shortid), "%.12s", id);
        json_array_append_new(al, json_string(shortid));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:o}", "NetworkID",
                     p && p->network_id ? p->network_id : "", "EndpointID", "", "Gateway",
                     p && p->gateway ? p->gateway : "", "IPAddress", p && p->ip ? p->ip : "",
                     "IPPrefixLen", p ? p->prefix : 0, "MacAddress", p && p->mac ? p->mac : "",
                     "Aliases", al);
}

static json_t *ports_json(const struct sandbox *s)
{
    json_t *o = json_object();
    for (size_t i = 0; s && i < s->n_ports; i++) {
        const struct net_port *p = &s->ports[i];
        char key[16], hp[8];
        net_port_key(p->container_port, p->proto, key, sizeof(key));
        snprintf(hp, sizeof(hp), "%u", (unsigned) p->host_port);
        json_t *a = json_object_get(o, key);
        if (a == NULL) {
            a = json_array();
            json_object_set_new(o, key, a);
        }
        json_array_append_new(a, json_pack("{s:s, s:s}", "HostIp",
                                           *p->host_ip ? p->host_ip : "0.0.0.0", "HostPort", hp));
    }
    return o;
}

json_t *sandbox_inspect(const struct sandbox *s, const struct net_request *req)
{
    json_t *nets = json_object();
    const struct sandbox_endpoint *primary = s && s->n_eps ? &s->eps[0] : NULL;
    if (s) {
        for (size_t i = 0; i < s->n_eps; i++)
            json_object_set_new(nets, s->eps[i].network,
                                endpoint_json(&s->eps[i], s->aliases, s->id));
    } else if (req && req->mode == NET_MODE_BRIDGE) {
        const char *def[] = {NET_DEFAULT_NAME, NULL};
        char *const *names = req->networks ? req->networks : (char *const *) def;
        for (size_t i = 0; names[i]; i++)
            json_object_set_new(nets, names[i], endpoint_json(NULL, req->aliases, NULL));
    }
    enum net_mode mode = s ? s->mode : req ? req->mode : NET_MODE_BRIDGE;
    if (mode == NET_MODE_NONE || mode == NET_MODE_HOST)
        json_object_set_new(nets, net_mode_name(mode), endpoint_json(NULL, NULL, NULL));
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:s, s:s, s:o}", "Bridge", "", "SandboxID",
                     s ? s->id : "", "SandboxKey", s && s->netns ? s->netns : "", "Ports",
                     ports_json(s), "IPAddress", primary && primary->ip ? primary->ip : "",
                     "IPPrefixLen", primary ? primary->prefix : 0, "Gateway",
                     primary && primary->gateway ? primary->gateway : "", "MacAddress",
                     primary && primary->mac ? primary->mac : "", "Networks", nets);
}

int sandbox_port_lines(const struct sandbox *s, const char *which, char ***ret,
                       struct error **err)
{
    unsigned want = 0;
    char proto[8] = "tcp";
    if (which) {
        char tail[8] = "";
        if (sscanf(which, "%5u%7s", &want, tail) < 1 || want == 0 || want > 65535 ||
            (*tail && (sscanf(tail, "/%3s", proto) != 1 ||
                       (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))))
            return error_new(err, EINVAL, "`%s`: expected PORT[/tcp|udp]", which);
    }
    cleanup_strv char **lines = NULL;
    for (size_t i = 0; s && i < s->n_ports; i++) {
        const struct net_port *p = &s->ports[i];
        if (which && (p->container_port != want || strcmp(p->proto, proto) != 0))
            continue;
        char line[128];
        if (which)
            snprintf(line, sizeof(line), "%s:%u", *p->host_ip ? p->host_ip : "0.0.0.0",
                     (unsigned) p->host_port);
        else
            snprintf(line, sizeof(line), "%u/%s -> %s:%u", (unsigned) p->container_port,
                     p->proto, *p->host_ip ? p->host_ip : "0.0.0.0", (unsigned) p->host_port);
        if (strv_push(&lines, line) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    if (which && lines == NULL)
        return error_new(err, ENOENT, "no public port '%u/%s' published for %.12s", want, proto,
                         s ? s->id : "the container");
    *ret = steal_pointer(&lines);
    return 0;
}
