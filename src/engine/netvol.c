/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netvol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/etcfiles.h"
#include "engine/mountplan.h"
#include "engine/netetc.h"
#include "engine/sandbox.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define NETVOL_MAX (4u << 20)

int netvol_save(int cdirfd, const struct net_request *net, const struct mount_request *mounts,
                size_t n_mounts, struct error **err)
{
    cleanup_json json_t *j = json_pack("{s:o, s:o}", "network",
                                       net ? net_request_to_json(net) : json_null(), "mounts",
                                       mount_requests_to_json(mounts, n_mounts));
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return json_write_file_at(cdirfd, NETVOL_FILE, j, JSON_COMPACT, 0600, err);
}

int netvol_load(int cdirfd, struct net_request **ret_net, struct mount_request **ret_mounts,
                size_t *ret_n, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(cdirfd, NETVOL_FILE, NETVOL_MAX, &j, err);
    if (r < 0)
        return r;
    cleanup_net_request struct net_request *net = NULL;
    const json_t *jn = json_object_get(j, "network");
    if (ret_net && jn && !json_is_null(jn) && (r = net_request_from_json(jn, &net, err)) < 0)
        return error_wrap(err, NETVOL_FILE);
    if (ret_mounts) {
        const json_t *jm = json_object_get(j, "mounts");
        struct mount_request *m = NULL;
        size_t n = 0;
        if (jm && (r = mount_requests_from_json(jm, &m, &n, err)) < 0)
            return error_wrap(err, NETVOL_FILE);
        *ret_mounts = m;
        *ret_n = n;
    }
    if (ret_net)
        *ret_net = steal_pointer(&net);
    return 0;
}

static bool names_network(const struct net_request *r, const char *network)
{
    if (r == NULL)
        return strcmp(network, NET_DEFAULT_NAME) == 0;
    if (r->mode != NET_MODE_BRIDGE)
        return false;
    if (r->networks == NULL)
        return strcmp(network, NET_DEFAULT_NAME) == 0;
    for (size_t i = 0; r->networks[i]; i++)
        if (strcmp(r->networks[i], network) == 0)
            return true;
    return false;
}

static bool names_volume(const struct mount_request *m, size_t n, const char *volume)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].kind == MOUNT_VOLUME && m[i].source && strcmp(m[i].source, volume) == 0)
            return true;
    return false;
}

int netvol_users(struct engine *e, const char *network, const char *volume, char ***ret,
                 struct error **err)
{
    cleanup_closedir DIR *d = fs_opendir_at(e->containersfd, ".");
    if (d == NULL)
        return error_errno(err, "reading `%s/containers`", e->root);
    cleanup_strv char **ids = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden: being removed */
        cleanup_close int cdir =
            openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_net_request struct net_request *net = NULL;
        struct mount_request *m = NULL;
        size_t n = 0;
        cleanup_error struct error *e2 = NULL;
        if (cdir < 0)
            continue;
        int r = netvol_load(cdir, network ? &net : NULL, volume ? &m : NULL, &n, &e2);
        if (r < 0 && error_code(e2) != ENOENT) {
            *err = steal_pointer(&e2);
            return error_wrap(err, "container %.12s", de->d_name);
        }
        /* A container without a record of ours asked for nothing: it
         * runs on the default network, as docker's do. */
        bool uses = (network && names_network(r == 0 ? net : NULL, network)) ||
                    (volume && r == 0 && names_volume(m, n, volume));
        mount_requests_free(m, n);
        if (uses && strv_push(&ids, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&ids);
    return 0;
}

/* ---- the records' docker fields ------------------------------------------------- */

/* docker's null for an empty list */
static json_t *strv_or_null(char *const *v)
{
    return v && v[0] ? json_strv(v) : json_null();
}

static const char *network_mode(const struct net_request *net, char *buf, size_t len)
{
    if (net->mode == NET_MODE_CONTAINER)
        snprintf(buf, len, "container:%s", net->container);
    else if (net->mode != NET_MODE_BRIDGE)
        snprintf(buf, len, "%s", net_mode_name(net->mode));
    else if (net->networks && strcmp(net->networks[0], NET_DEFAULT_NAME) != 0)
        snprintf(buf, len, "%s", net->networks[0]);
    else
        snprintf(buf, len, "bridge"); /* docker's and podman's word for the default */
    return buf;
}

static json_t *port_bindings(const struct net_request *net)
{
    json_t *o = json_object();
    for (size_t i = 0; i < net->n_ports; i++) {
        const struct net_port *p = &net->ports[i];
        char key[16], hp[16] = "";
        net_port_key(p->container_port, p->proto, key, sizeof(key));
        if (p->host_port)
            snprintf(hp, sizeof(hp), "%u", (unsigned) p->host_port);
        else if (p->host_port_first)
            snprintf(hp, sizeof(hp), "%u-%u", (unsigned) p->host_port_first,
                     (unsigned) p->host_port_last);
        json_t *a = json_object_get(o, key);
        if (a == NULL)
            json_object_set_new(o, key, a = json_array());
        json_array_append_new(a, json_pack("{s:s, s:s}", "HostIp", p->host_ip, "HostPort", hp));
    }
    return o;
}

static json_t *extra_hosts(const struct net_request *net)
{
    if (net->n_hosts == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < net->n_hosts; i++)
        json_array_append_new(a, json_sprintf("%s:%s", net->hosts[i].name, net->hosts[i].ip));
    return a;
}

/* Binds (-v NAME|HOST:PATH as given), Mounts (--mount), Tmpfs (--tmpfs). */
static void mounts_records(json_t *h, json_t *volumes, const struct mount_flags *f,
                           const struct mount_request *m, size_t n)
{
    size_t nv = strv_length(f->volume), nm = strv_length(f->mount);
    json_t *binds = json_array(), *mounts = json_array(), *tmpfs = json_object();
    for (size_t i = 0; i < nv && i < n; i++) {
        if (m[i].kind == MOUNT_VOLUME && m[i].source == NULL)
            json_object_set_new(volumes, m[i].target, json_object());
        else
            json_array_append_new(binds, json_string(f->volume[i]));
    }
    for (size_t i = nv; i < nv + nm && i < n; i++) {
        static const char *types[] = {[MOUNT_BIND] = "bind", [MOUNT_VOLUME] = "volume",
                                      [MOUNT_TMPFS] = "tmpfs"};
        json_t *o = json_pack("{s:s, s:s, s:s}", "Type", types[m[i].kind], "Source",
                              m[i].source ? m[i].source : "", "Target", m[i].target);
        if (o && m[i].readonly)
            json_object_set_new(o, "ReadOnly", json_true());
        json_array_append_new(mounts, o);
    }
    for (size_t i = 0; f->tmpfs && f->tmpfs[i] && nv + nm + i < n; i++) {
        const char *colon = strchr(f->tmpfs[i], ':');
        json_object_set_new(tmpfs, m[nv + nm + i].target, json_string(colon ? colon + 1 : ""));
    }
    json_object_set_new(h, "Binds", json_array_size(binds) ? binds : json_null());
    if (json_array_size(binds) == 0)
        json_decref(binds);
    json_object_set_new(h, "Mounts", mounts);
    if (json_object_size(tmpfs))
        json_object_set_new(h, "Tmpfs", tmpfs);
    else
        json_decref(tmpfs);
}

int netvol_records(json_t *config, json_t *host_config, const struct image_config *img,
                   const struct net_request *net, const struct mount_flags *f,
                   const struct mount_request *mounts, size_t n_mounts)
{
    const json_t *ic = img && img->json ? json_object_get(img->json, "config") : NULL;
    json_t *exposed = json_object(), *volumes = json_object();
    if (exposed == NULL || volumes == NULL) {
        json_decref(exposed);
        json_decref(volumes);
        return -ENOMEM;
    }
    const json_t *x = json_object_get(ic, "ExposedPorts");
    if (json_is_object(x))
        json_object_update(exposed, (json_t *) x);
    for (size_t i = 0; i < net->n_ports; i++) {
        char key[16];
        json_object_set_new(exposed, net_port_key(net->ports[i].container_port,
                                                  net->ports[i].proto, key, sizeof(key)),
                            json_object());
    }
    x = json_object_get(ic, "Volumes");
    if (json_is_object(x))
        json_object_update(volumes, (json_t *) x);
    mounts_records(host_config, volumes, f, mounts, n_mounts);
    char mode[300];
    json_object_set_new(host_config, "NetworkMode",
                        json_string(network_mode(net, mode, sizeof(mode))));
    json_object_set_new(host_config, "PortBindings", port_bindings(net));
    json_object_set_new(host_config, "PublishAllPorts", json_boolean(net->publish_all));
    json_object_set_new(host_config, "Dns", strv_or_null(net->dns));
    json_object_set_new(host_config, "DnsSearch", strv_or_null(net->dns_search));
    json_object_set_new(host_config, "DnsOptions", strv_or_null(net->dns_options));
    json_object_set_new(host_config, "ExtraHosts", extra_hosts(net));
    json_object_set_new(config, "ExposedPorts", json_object_size(exposed) ? exposed : json_null());
    json_object_set_new(config, "Volumes", json_object_size(volumes) ? volumes : json_null());
    if (json_object_size(exposed) == 0)
        json_decref(exposed);
    if (json_object_size(volumes) == 0)
        json_decref(volumes);
    return 0;
}

/* ---- the container's life ------------------------------------------------------- */

/* linux.namespaces' network entry: a path to join, or none at all (the
 * host's).  `path` NULL with `keep` leaves a new namespace. */
static int set_netns(json_t *spec, const char *path, bool keep, struct error **err)
{
    json_t *nss = json_object_get(json_object_get(spec, "linux"), "namespaces");
    if (!json_is_array(nss))
        return error_new(err, EINVAL, "config.json: no linux.namespaces");
    for (size_t i = json_array_size(nss); i-- > 0;) {
        json_t *ns = json_array_get(nss, i);
        const char *type = json_string_value(json_object_get(ns, "type"));
        if (type == NULL || strcmp(type, "network") != 0)
            continue;
        json_array_remove(nss, i);
    }
    if (!keep)
        return 0;
    json_t *ns = json_pack("{s:s}", "type", "network");
    if (ns && path)
        json_object_set_new(ns, "path", json_string(path));
    if (ns == NULL || json_array_append_new(nss, ns) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int netvol_create(struct engine *e, const char *id, int cdirfd, int rootfd,
                  const struct image_config *img, const struct net_request *net,
                  const struct mount_request *mounts, size_t n_mounts, json_t *spec,
                  struct error **err)
{
    struct mountplan plan = {0};
    int r = mountplan_prepare(e, rootfd, img, mounts, n_mounts, &plan, err);
    if (r < 0)
        return r;
    r = mountplan_apply(e, plan.mounts, plan.n, spec, err);
    enum net_mode mode = net ? net->mode : NET_MODE_BRIDGE;
    cleanup_free char *ns = sandbox_netns_path(e, id);
    if (r == 0 && ns == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    /* The namespace is made at start, where the path says; container mode
     * learns its path then. */
    if (r == 0)
        r = set_netns(spec, mode == NET_MODE_CONTAINER ? NULL : ns, mode != NET_MODE_HOST, err);
    if (r == 0)
        r = netvol_save(cdirfd, net, plan.mounts, plan.n, err);
    if (r < 0) {
        /* the volumes this container alone made go with it */
        cleanup_error struct error *e2 = NULL;
        size_t n = plan.n;
        struct mount_request *m = steal_pointer(&plan.mounts);
        plan.n = 0;
        mountplan_release(&plan);
        netvol_removed(e, m, n, true, &e2);
        mount_requests_free(m, n);
        return r;
    }
    mountplan_release(&plan);
    return 0;
}

/* --network container:X: X's hosts and resolv.conf, as docker shares them
 * (the network is X's; so are its names and nameservers). */
static int copy_joined_etc(struct engine *e, const char *joined, int cdirfd, struct error **err)
{
    static const char *const files[] = {ETCFILES_HOSTS, ETCFILES_RESOLV};
    cleanup_close int from = engine_container_open_dir(e, joined);
    if (from < 0)
        return error_errno(err, "container %.12s", joined);
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *text = NULL;
        size_t len = 0;
        int r = fs_read_file_at(from, files[i], 1u << 20, &text, &len, err);
        if (r == 0)
            r = fs_write_file_atomic(cdirfd, files[i], text, len, 0644, 0, err);
        if (r < 0)
            return error_wrap(err, "the /etc/%s of container %.12s", files[i], joined);
    }
    return 0;
}

/* The hosts, resolv.conf and hostname of a running sandbox, then its
 * peers' block at the end of hosts. */
static int write_etc(struct engine *e, const struct engine_container *c, int cdirfd,
                     const struct net_request *net, const struct sandbox *s, struct error **err)
{
    struct etcfiles_params ep = {
        .hostname = json_string_value(json_object_get(c->config, "Hostname")),
        .domainname = json_string_value(json_object_get(c->config, "Domainname")),
    };
    char shortid[13];
    snprintf(shortid, sizeof(shortid), "%.12s", c->id);
    if (ep.hostname == NULL || *ep.hostname == '\0')
        ep.hostname = shortid;
    struct netetc_hold hold = {0};
    int r = netetc_params(net, s, &ep, &hold, err);
    if (r == 0)
        r = etcfiles_write(cdirfd, &ep, err);
    netetc_release(&hold);
    if (r == 0)
        sandbox_update_peers(e, NULL, c->id);
    return r;
}

int netvol_start(struct engine *e, const struct engine_container *c, int cdirfd,
                 struct error **err)
{
    cleanup_net_request struct net_request *net = NULL;
    int r = netvol_load(cdirfd, &net, NULL, NULL, err);
    if (r < 0 && error_code(*err) != ENOENT)
        return r;
    if (r < 0) {
        error_free(*err);
        *err = NULL;
    }
    /* What crashed cabins left goes first (their IPs and ports too). */
    sandbox_sweep(e);
    struct net_request none = {.mode = NET_MODE_BRIDGE};
    struct sandbox_params p = {.id = c->id,
                               .name = c->name,
                               .req = net ? net : &none,
                               .exposed = json_object_get(c->config, "ExposedPorts")};
    cleanup_sandbox struct sandbox *s = NULL;
    if ((r = sandbox_setup(e, &p, &s, err)) < 0)
        return r;
    r = s->mode == NET_MODE_CONTAINER ? copy_joined_etc(e, s->joined, cdirfd, err)
                                      : write_etc(e, c, cdirfd, net, s, err);
    /* container:X learns X's namespace only now */
    cleanup_json json_t *spec = NULL;
    if (r == 0 && s->mode == NET_MODE_CONTAINER)
        r = json_load_file_at(cdirfd, "config.json", 16u << 20, &spec, err);
    if (r == 0 && spec)
        r = set_netns(spec, s->netns, s->netns != NULL, err);
    if (r == 0 && spec)
        r = json_write_file_at(cdirfd, "config.json", spec, JSON_COMPACT, 0600, err);
    if (r < 0) {
        cleanup_error struct error *e2 = NULL;
        sandbox_teardown(e, c->id, &e2);
        return error_wrap(err, "container %.12s", c->id);
    }
    return 0;
}

int netvol_stop(struct engine *e, const char *id, struct error **err)
{
    return sandbox_teardown(e, id, err);
}

int netvol_removed(struct engine *e, const struct mount_request *mounts, size_t n_mounts,
                   bool volumes, struct error **err)
{
    return volumes ? mountplan_remove_anonymous(e, mounts, n_mounts, err) : 0;
}

/* ---- what inspect and ps show ---------------------------------------------------- */

void netvol_inspect(struct engine *e, const char *id, int cdirfd, json_t **ret_settings,
                    json_t **ret_mounts)
{
    cleanup_net_request struct net_request *net = NULL;
    struct mount_request *m = NULL;
    size_t n = 0;
    cleanup_error struct error *err = NULL;
    if (netvol_load(cdirfd, &net, &m, &n, &err) < 0 && error_code(err) != ENOENT)
        log_debug("container %.12s: %s", id, err->msg);
    cleanup_sandbox struct sandbox *s = NULL;
    cleanup_error struct error *e2 = NULL;
    sandbox_load(e, id, &s, &e2);
    struct net_request def = {.mode = NET_MODE_BRIDGE};
    *ret_settings = sandbox_inspect(s, net ? net : &def);
    *ret_mounts = mountplan_inspect(e, m, n);
    mount_requests_free(m, n);
}

/* "0.0.0.0:8080->80/tcp, ..." as docker's ps writes it. */
char *netvol_ports_text(struct engine *e, const char *id)
{
    cleanup_sandbox struct sandbox *s = NULL;
    cleanup_error struct error *err = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    if (sandbox_load(e, id, &s, &err) == 0)
        for (size_t i = 0; i < s->n_ports; i++) {
            const struct net_port *p = &s->ports[i];
            fprintf(f, "%s%s:%u->%u/%s", i ? ", " : "", *p->host_ip ? p->host_ip : "0.0.0.0",
                    (unsigned) p->host_port, (unsigned) p->container_port, p->proto);
        }
    fclose(f);
    return text;
}

char *netvol_networks_text(int cdirfd)
{
    cleanup_net_request struct net_request *net = NULL;
    cleanup_error struct error *err = NULL;
    int r = netvol_load(cdirfd, &net, NULL, NULL, &err);
    if (r < 0 || net == NULL)
        return strdup(r < 0 && error_code(err) != ENOENT ? "" : NET_DEFAULT_NAME);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    if (net->mode == NET_MODE_CONTAINER)
        fprintf(f, "container:%s", net->container);
    else if (net->mode != NET_MODE_BRIDGE)
        fprintf(f, "%s", net_mode_name(net->mode));
    for (size_t i = 0; net->mode == NET_MODE_BRIDGE && i < (net->networks ? strv_length(net->networks) : 1); i++)
        fprintf(f, "%s%s", i ? "," : "", net->networks ? net->networks[i] : NET_DEFAULT_NAME);
    fclose(f);
    return text;
}
