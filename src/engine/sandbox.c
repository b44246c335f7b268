/* SPDX-License-Identifier: Apache-2.0 */
/* A container's network: setup, teardown and the record (sandbox.h). */
#include "engine/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cni.h"
#include "engine/container.h"
#include "engine/netns.h"
#include "engine/network.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"

#define RECORD_DIR "networks/sandbox"
#define RECORD_MAX (4u << 20)

void sandbox_free(struct sandbox *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_eps; i++) {
        struct sandbox_endpoint *p = &s->eps[i];
        free(p->network);
        free(p->network_id);
        free(p->ifname);
        free(p->ip);
        free(p->gateway);
        free(p->mac);
        json_decref(p->list);
        json_decref(p->caps);
        json_decref(p->result);
    }
    free(s->eps);
    free(s->id);
    free(s->name);
    free(s->netns);
    free(s->joined);
    free(s->ports);
    strv_free(s->aliases);
    free(s);
}

void sandbox_list_free(struct sandbox **v)
{
    for (size_t i = 0; v && v[i]; i++)
        sandbox_free(v[i]);
    free(v);
}

char *sandbox_netns_path(struct engine *e, const char *id)
{
    char *p = NULL;
    return asprintf(&p, "%s/netns/%s", e->runroot, id) < 0 ? NULL : p;
}

/* ---- the record ------------------------------------------------------------ */

static int record_dir(struct engine *e, int *ret, struct error **err)
{
    cleanup_free char *dir = NULL;
    if (asprintf(&dir, "%s/" RECORD_DIR, e->runroot) < 0)
        return error_new(err, ENOMEM, "out of memory");
    int r = fs_mkdir_p(dir, 0700, err);
    if (r < 0)
        return r;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s`", dir);
    *ret = fd;
    return 0;
}

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *record_json(const struct sandbox *s)
{
    json_t *eps = json_array(), *aliases = json_array();
    for (size_t i = 0; i < s->n_eps; i++) {
        const struct sandbox_endpoint *p = &s->eps[i];
        json_array_append_new(
            eps, json_pack("{s:s, s:o, s:s, s:o, s:i, s:o, s:o, s:O, s:O, s:O}", "network",
                           p->network, "network_id", opt_str(p->network_id), "ifname", p->ifname,
                           "ip", opt_str(p->ip), "prefix", p->prefix, "gateway",
                           opt_str(p->gateway), "mac", opt_str(p->mac), "list", p->list,
                           "caps", p->caps ? p->caps : json_null(), "result",
                           p->result ? p->result : json_null()));
    }
    for (size_t i = 0; s->aliases && s->aliases[i]; i++)
        json_array_append_new(aliases, json_string(s->aliases[i]));
    return json_pack("{s:s, s:o, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:i, s:I}", "id", s->id,
                     "name", opt_str(s->name), "mode", net_mode_name(s->mode), "netns",
                     opt_str(s->netns), "own_netns", s->own_netns, "joined", opt_str(s->joined),
                     "endpoints", eps, "ports", net_ports_to_json(s->ports, s->n_ports),
                     "aliases", aliases, "owner", (int) s->owner, "owner_start",
                     (json_int_t) s->owner_start);
}

static int write_record(struct engine *e, const struct sandbox *s, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = record_dir(e, &dfd, err);
    if (r < 0)
        return r;
    cleanup_json json_t *j = record_json(s);
    char name[300];
    snprintf(name, sizeof(name), "%s.json", s->id);
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return json_write_file_at(dfd, name, j, JSON_COMPACT, 0600, err);
}

static int copy_str(const json_t *o, const char *key, char **out, struct error **err)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (v && (*out = strdup(v)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int endpoint_from(const json_t *o, struct sandbox_endpoint *p, struct error **err)
{
    int r;
    if ((r = copy_str(o, "network", &p->network, err)) < 0 ||
        (r = copy_str(o, "network_id", &p->network_id, err)) < 0 ||
        (r = copy_str(o, "ifname", &p->ifname, err)) < 0 ||
        (r = copy_str(o, "ip", &p->ip, err)) < 0 ||
        (r = copy_str(o, "gateway", &p->gateway, err)) < 0 ||
        (r = copy_str(o, "mac", &p->mac, err)) < 0)
        return r;
    p->prefix = (int) json_integer_value(json_object_get(o, "prefix"));
    p->list = json_incref(json_object_get(o, "list"));
    const json_t *caps = json_object_get(o, "caps");
    p->caps = json_is_object(caps) ? json_incref((json_t *) caps) : NULL;
    const json_t *res = json_object_get(o, "result");
    p->result = json_is_object(res) ? json_incref((json_t *) res) : NULL;
    if (p->network == NULL || p->ifname == NULL || !json_is_object(p->list))
        return error_new(err, EINVAL, "an endpoint without network, ifname or list");
    return 0;
}

static int record_from(const json_t *j, struct sandbox **ret, struct error **err)
{
    cleanup_sandbox struct sandbox *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *mode = json_string_value(json_object_get(j, "mode"));
    int r;
    if ((r = copy_str(j, "id", &s->id, err)) < 0 || (r = copy_str(j, "name", &s->name, err)) < 0 ||
        (r = copy_str(j, "netns", &s->netns, err)) < 0 ||
        (r = copy_str(j, "joined", &s->joined, err)) < 0 ||
        (r = json_get_strv(j, "aliases", "sandbox", false, &s->aliases, err)) < 0 ||
        (r = net_ports_from_json(json_object_get(j, "ports"), "sandbox.ports", &s->ports,
                                 &s->n_ports, err)) < 0)
        return r;
    if (s->id == NULL || mode == NULL)
        return error_new(err, EINVAL, "no id or mode");
    s->mode = strcmp(mode, "none") == 0        ? NET_MODE_NONE
              : strcmp(mode, "host") == 0      ? NET_MODE_HOST
              : strcmp(mode, "container") == 0 ? NET_MODE_CONTAINER
                                               : NET_MODE_BRIDGE;
    s->own_netns = json_is_true(json_object_get(j, "own_netns"));
    s->owner = (pid_t) json_integer_value(json_object_get(j, "owner"));
    s->owner_start = (unsigned long long) json_integer_value(json_object_get(j, "owner_start"));
    const json_t *eps = json_object_get(j, "endpoints");
    size_t n = json_array_size(eps);
    if (n > NET_MAX_NETWORKS)
        return error_new(err, E2BIG, "too many endpoints");
    if (n && (s->eps = calloc(n, sizeof(*s->eps))) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (; s->n_eps < n; s->n_eps++)
        if ((r = endpoint_from(json_array_get(eps, s->n_eps), &s->eps[s->n_eps], err)) < 0) {
            s->n_eps++;
            return r;
        }
    *ret = steal_pointer(&s);
    return 0;
}

static int read_record(int dfd, const char *file, struct sandbox **ret, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int r = json_load_file_at(dfd, file, RECORD_MAX, &j, err);
    if (r == 0 && (r = record_from(j, ret, err)) < 0)
        return error_wrap(err, "network record `%s`", file);
    return r;
}

int sandbox_load(struct engine *e, const char *id, struct sandbox **ret, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = record_dir(e, &dfd, err);
    if (r < 0)
        return r;
    char file[300];
    snprintf(file, sizeof(file), "%s.json", id);
    if (faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        return error_new(err, ENOENT, "container %.12s has no network set up", id);
    return read_record(dfd, file, ret, err);
}

int sandbox_list(struct engine *e, struct sandbox ***ret, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = record_dir(e, &dfd, err);
    if (r < 0)
        return r;
    cleanup_closedir DIR *d = fs_opendir_at(dfd, ".");
    if (d == NULL)
        return error_errno(err, "reading the network records");
    struct sandbox **v = calloc(1, sizeof(*v));
    size_t n = 0;
    struct dirent *de;
    while (v && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        struct sandbox *s = NULL;
        cleanup_error struct error *e2 = NULL;
        if (read_record(dfd, de->d_name, &s, &e2) < 0) {
            if (error_code(e2) == ENOENT)
                continue; /* torn down meanwhile */
            sandbox_list_free(v);
            *err = steal_pointer(&e2);
            return -error_code(*err);
        }
        struct sandbox **nv = realloc(v, (n + 2) * sizeof(*v));
        if (nv == NULL) {
            sandbox_free(s);
            break;
        }
        v = nv;
        v[n++] = s;
        v[n] = NULL;
    }
    if (v == NULL || de != NULL) {
        sandbox_list_free(v);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = v;
    return 0;
}

/* ---- the host-wide lock ------------------------------------------------------ */

static int cni_lock(struct engine *e, int *ret, struct error **err)
{
    const char *path = NETWORK_STATE_DIR "/lock";
    int r = fs_mkdir_p(NETWORK_STATE_DIR, 0700, err);
    if (r < 0)
        return r;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            close_keep_errno(fd);
            return error_errno(err, "locking `%s`", path);
        }
    *ret = fd;
    return 0;
}

/* ---- teardown ------------------------------------------------------------------ */

static struct cni_runtime runtime_of(const struct sandbox *s, const struct sandbox_endpoint *p)
{
    /* DEL gets what ADD got: portmap, for one, finds its rules by the
     * mappings in runtimeConfig. */
    return (struct cni_runtime) {.container_id = s->id, .netns = s->netns, .ifname = p->ifname,
                                 .plugin_path = getenv("CABIN_CNI_PATH"),
                                 .runtime_config = p->caps};
}

static void record_remove(struct engine *e, const char *id)
{
    cleanup_close int dfd = -1;
    cleanup_error struct error *e2 = NULL;
    char file[300];
    snprintf(file, sizeof(file), "%s.json", id);
    if (record_dir(e, &dfd, &e2) == 0)
        unlinkat(dfd, file, 0);
}

/* Undo a sandbox (locked): DEL in reverse, then the namespace, then the
 * record.  The first error is returned, after everything was tried.  When
 * a DEL failed (a plugin killed with a cabin, iptables busy), the record
 * stays, owned by nobody, so that the next sweep tries again (DEL may run
 * any number of times, the namespace gone or not). */
static int undo(struct engine *e, struct sandbox *s, struct error **err)
{
    int first = 0;
    bool del_failed = false;
    for (size_t i = s->n_eps; i-- > 0;) {
        struct sandbox_endpoint *p = &s->eps[i];
        struct cni_runtime rt = runtime_of(s, p);
        cleanup_error struct error *e2 = NULL;
        if (cni_del(p->list, &rt, p->result, &e2) < 0) {
            del_failed = true;
            if (first == 0) {
                first = -error_code(e2);
                *err = steal_pointer(&e2);
            }
        }
    }
    if (s->own_netns && s->netns) {
        cleanup_error struct error *e2 = NULL;
        if (netns_remove(s->netns, &e2) < 0 && first == 0) {
            first = -error_code(e2);
            *err = steal_pointer(&e2);
        }
    }
    cleanup_error struct error *e3 = NULL;
    s->owner = 0;
    s->owner_start = 0;
    if (!del_failed || write_record(e, s, &e3) < 0)
        record_remove(e, s->id);
    return first;
}

static char **networks_of(const struct sandbox *s)
{
    char **v = NULL;
    for (size_t i = 0; i < s->n_eps; i++)
        if (strv_push(&v, s->eps[i].network) < 0)
            break;
    return v;
}

int sandbox_teardown(struct engine *e, const char *id, struct error **err)
{
    cleanup_close int lock = -1;
    int r = cni_lock(e, &lock, err);
    if (r < 0)
        return r;
    cleanup_sandbox struct sandbox *s = NULL;
    cleanup_error struct error *e2 = NULL;
    if (sandbox_load(e, id, &s, &e2) < 0) {
        if (error_code(e2) == ENOENT) {
            /* No record: a namespace left by a setup killed before it wrote
             * one may still be there. */
            cleanup_free char *ns = sandbox_netns_path(e, id);
            return ns ? netns_remove(ns, err) : 0;
        }
        *err = steal_pointer(&e2);
        return -error_code(*err);
    }
    cleanup_strv char **nets = networks_of(s);
    if ((r = undo(e, s, err)) < 0)
        r = error_wrap(err, "tearing down the network of container %.12s", id);
    close(steal_fd(&lock));
    sandbox_update_peers(e, nets, NULL);
    return r;
}

int sandbox_sweep(struct engine *e)
{
    struct sandbox **all = NULL;
    cleanup_error struct error *e2 = NULL;
    if (sandbox_list(e, &all, &e2) < 0)
        return 0;
    struct runtime *rt = NULL;
    int n = 0;
    for (size_t i = 0; all[i]; i++) {
        struct sandbox *s = all[i];
        /* Its owner still works on it (setting up, or running it). */
        if (s->owner > 0 && s->owner_start &&
            state_pid_start_time(s->owner) == s->owner_start)
            continue;
        json_t *st = NULL;
        if (engine_runtime(e, &rt, NULL) == 0 && container_state(rt, s->id, &st, NULL) == 0) {
            const char *status = json_string_value(json_object_get(st, "status"));
            bool gone = status && strcmp(status, "stopped") == 0;
            json_decref(st);
            if (!gone)
                continue;
        }
        cleanup_error struct error *e3 = NULL;
        if (sandbox_teardown(e, s->id, &e3) < 0)
            log_debug("sweeping the network of %.12s: %s", s->id, e3->msg);
        n++;
    }
    sandbox_list_free(all);
    return n;
}

/* ---- setup ------------------------------------------------------------------------ */

static int cidr_split(const char *cidr, char **ret_ip, int *ret_prefix)
{
    const char *slash = strchr(cidr, '/');
    if (slash == NULL || (*ret_ip = strndup(cidr, (size_t) (slash - cidr))) == NULL)
        return -EINVAL;
    *ret_prefix = atoi(slash + 1);
    return 0;
}

/* ADD to one network and keep the endpoint in the record. */
static int add_endpoint(struct engine *e, struct sandbox *s, const struct network *n, size_t i,
                        const json_t *caps, struct error **err)
{
    cleanup_json json_t *list = network_runtime_list(e, n);
    if (list == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char ifname[16];
    snprintf(ifname, sizeof(ifname), "eth%zu", i);
    struct cni_runtime rt = {.container_id = s->id, .netns = s->netns, .ifname = ifname,
                             .plugin_path = getenv("CABIN_CNI_PATH"), .runtime_config = caps};
    json_t *res = NULL;
    int r = cni_add(list, &rt, &res, err);
    if (r < 0)
        return r;
    struct sandbox_endpoint *p = &s->eps[s->n_eps++];
    memset(p, 0, sizeof(*p));
    p->list = steal_pointer(&list);
    p->caps = caps ? json_deep_copy(caps) : NULL;
    p->result = res;
    p->network = strdup(n->name);
    p->network_id = strdup(n->id);
    p->ifname = strdup(ifname);
    if (p->network == NULL || p->network_id == NULL || p->ifname == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_cni_result struct cni_result *cr = NULL;
    if ((r = cni_result_parse(res, &cr, err)) < 0)
        return error_wrap(err, "network `%s`", n->name);
    const struct cni_ip *ip = cni_result_container_ip(cr, 4);
    if (ip && cidr_split(ip->address, &p->ip, &p->prefix) < 0)
        return error_new(err, EINVAL, "network `%s`: bad address `%s`", n->name, ip->address);
    if (ip && ip->gateway && (p->gateway = strdup(ip->gateway)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int k = ip ? ip->interface : -1;
    if (k >= 0 && cr->interfaces[k].mac && (p->mac = strdup(cr->interfaces[k].mac)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return write_record(e, s, err);
}

/* The capabilities of the first network: ports and --ip. */
static json_t *first_caps(const struct sandbox *s, const struct net_request *req,
                          const struct network *n, struct error **err)
{
    json_t *caps = json_object();
    if (s->n_ports)
        json_object_set_new(caps, "portMappings", sandbox_ports_json(s->ports, s->n_ports));
    if (req->ip) {
        uint32_t net, want;
        int prefix, p2;
        char cidr[64];
        snprintf(cidr, sizeof(cidr), "%s/32", req->ip);
        if (n->subnet == NULL || network_parse_cidr(n->subnet, &net, &prefix) < 0 ||
            network_parse_cidr(cidr, &want, &p2) < 0 ||
            !network_cidr_overlap(net, prefix, want, 32)) {
            json_decref(caps);
            error_new(err, EINVAL, "--ip %s: not in the subnet %s of network `%s`", req->ip,
                      n->subnet ? n->subnet : "(none)", n->name);
            return NULL;
        }
        snprintf(cidr, sizeof(cidr), "%s/%d", req->ip, prefix);
        json_object_set_new(caps, "ips", json_pack("[s]", cidr));
    }
    return caps;
}

static int load_networks(struct engine *e, const struct net_request *req,
                         struct network ***ret, size_t *ret_n, struct error **err)
{
    const char *def[] = {NET_DEFAULT_NAME, NULL};
    char *const *names = req->networks ? req->networks : (char *const *) def;
    size_t n = strv_length(names);
    struct network **v = calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int r = network_load(e, names[i], &v[i], err);
        if (r < 0) {
            network_list_free(v);
            return r;
        }
    }
    if (req->n_ports && v[0]->internal) {
        error_new(err, EINVAL, "-p: network `%s` is internal: nothing can be published from it",
                  v[0]->name);
        network_list_free(v);
        return -EINVAL;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/* The published ports of every other container, to keep clear of. */
static int taken_ports(struct engine *e, const char *self, struct net_port **ret, size_t *ret_n,
                       struct error **err)
{
    struct sandbox **all = NULL;
    int r = sandbox_list(e, &all, err);
    if (r < 0)
        return r;
    struct net_port *v = NULL;
    size_t n = 0;
    for (size_t i = 0; r == 0 && all[i]; i++) {
        if (strcmp(all[i]->id, self) == 0 || all[i]->n_ports == 0)
            continue;
        struct net_port *nv = realloc(v, (n + all[i]->n_ports) * sizeof(*v));
        if (nv == NULL) {
            r = error_new(err, ENOMEM, "out of memory");
            break;
        }
        v = nv;
        memcpy(v + n, all[i]->ports, all[i]->n_ports * sizeof(*v));
        n += all[i]->n_ports;
    }
    sandbox_list_free(all);
    if (r < 0) {
        free(v);
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static int bridge_setup(struct engine *e, struct sandbox *s, const struct sandbox_params *p,
                        struct error **err)
{
    struct network **nets = NULL;
    size_t n = 0;
    cleanup_close int netlock = -1;
    int r = network_ensure_default(e, err);
    if (r == 0)
        r = network_lock(e, LOCK_SH, &netlock, err);
    if (r == 0)
        r = load_networks(e, p->req, &nets, &n, err);
    if (r < 0)
        return r;
    cleanup_free struct net_port *taken = NULL;
    size_t n_taken = 0;
    if (r == 0)
        r = sandbox_ports_wanted(p->req, p->exposed, &s->ports, &s->n_ports, err);
    if (r == 0)
        r = taken_ports(e, s->id, &taken, &n_taken, err);
    if (r == 0)
        r = sandbox_ports_choose(s->ports, s->n_ports, taken, n_taken, err);
    if (r == 0 && (s->eps = calloc(n, sizeof(*s->eps))) == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; r == 0 && i < n; i++) {
        cleanup_json json_t *caps = i == 0 ? first_caps(s, p->req, nets[0], err) : NULL;
        if (i == 0 && caps == NULL)
            r = -EINVAL;
        else
            r = add_endpoint(e, s, nets[i], i, caps, err);
    }
    network_list_free(nets);
    return r;
}

/* --network container:X: X's namespace, while X runs. */
static int join_setup(struct engine *e, struct sandbox *s, const char *what, struct error **err)
{
    struct engine_container *c = NULL;
    int r = engine_container_find(e, what, &c, err);
    if (r < 0)
        return error_wrap(err, "--network container:%s", what);
    cleanup_sandbox struct sandbox *other = NULL;
    s->joined = strdup(c->id);
    r = sandbox_load(e, c->id, &other, err);
    engine_container_free(c);
    if (s->joined == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (r < 0)
        return error_new(err, EINVAL, "--network container:%s: that container is not running",
                         what);
    if (other->mode == NET_MODE_CONTAINER)
        return error_new(err, EINVAL, "--network container:%s: it shares another container's "
                         "network itself (join %.12s instead)", what, other->joined);
    if (other->netns && (s->netns = strdup(other->netns)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int begin(struct engine *e, const struct sandbox_params *p, struct sandbox **ret,
                 struct error **err)
{
    cleanup_sandbox struct sandbox *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->id = strdup(p->id)) == NULL ||
        (p->name && (s->name = strdup(p->name)) == NULL))
        return error_new(err, ENOMEM, "out of memory");
    s->mode = p->req->mode;
    s->owner = getpid();
    s->owner_start = state_pid_start_time(s->owner);
    for (size_t i = 0; p->req->aliases && p->req->aliases[i]; i++)
        if (strv_push(&s->aliases, p->req->aliases[i]) < 0)
            return error_new(err, ENOMEM, "out of memory");
    *ret = steal_pointer(&s);
    return 0;
}

int sandbox_setup(struct engine *e, const struct sandbox_params *p, struct sandbox **ret,
                  struct error **err)
{
    cleanup_sandbox struct sandbox *s = NULL;
    cleanup_close int lock = -1;
    int r = begin(e, p, &s, err);
    if (r == 0)
        r = cni_lock(e, &lock, err);
    if (r < 0)
        return r;
    /* A record left by an earlier run of this container goes first. */
    cleanup_sandbox struct sandbox *old = NULL;
    cleanup_error struct error *e2 = NULL;
    if (sandbox_load(e, p->id, &old, &e2) == 0 && undo(e, old, &e2) < 0)
        log_debug("container %.12s: an old network record: %s", p->id, e2->msg);
    if (s->mode == NET_MODE_CONTAINER) {
        r = join_setup(e, s, p->req->container, err);
    } else if (s->mode != NET_MODE_HOST) {
        cleanup_free char *dir = NULL;
        if (asprintf(&dir, "%s/netns", e->runroot) < 0)
            return error_new(err, ENOMEM, "out of memory");
        r = netns_create(dir, p->id, &s->netns, err);
        s->own_netns = r == 0;
    }
    if (r == 0)
        r = write_record(e, s, err);
    if (r == 0 && s->mode == NET_MODE_BRIDGE)
        r = bridge_setup(e, s, p, err);
    if (r < 0) {
        cleanup_error struct error *e3 = NULL;
        if (undo(e, s, &e3) < 0)
            log_debug("undoing the network of %.12s: %s", p->id, e3->msg);
        return error_wrap(err, "setting up the network of container %.12s", p->id);
    }
    close(steal_fd(&lock));
    cleanup_strv char **nets = networks_of(s);
    sandbox_update_peers(e, nets, s->id);
    if (ret)
        *ret = steal_pointer(&s);
    return 0;
}
