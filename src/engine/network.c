/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/network.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/cni.h"
#include "engine/netopts.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/proc.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/strv.h"

#define LIST_MAX   (1u << 20)
#define SUFFIX     ".conflist"
#define MAX_LABELS 64

void network_free(struct network *n)
{
    if (n == NULL)
        return;
    free(n->name);
    free(n->driver);
    free(n->bridge);
    free(n->subnet);
    free(n->gateway);
    strv_free(n->labels);
    json_decref(n->list);
    free(n);
}

void network_list_free(struct network **v)
{
    for (size_t i = 0; v && v[i]; i++)
        network_free(v[i]);
    free(v);
}

/* ---- addresses ---------------------------------------------------------------- */

int network_parse_cidr(const char *s, uint32_t *ret_addr, int *ret_prefix)
{
    const char *slash = strchr(s, '/');
    if (slash == NULL || slash - s >= INET_ADDRSTRLEN)
        return -EINVAL;
    char ip[INET_ADDRSTRLEN];
    memcpy(ip, s, (size_t) (slash - s));
    ip[slash - s] = '\0';
    struct in_addr a;
    unsigned long long p;
    char *end;
    if (inet_pton(AF_INET, ip, &a) != 1 || !isdigit((unsigned char) slash[1]))
        return -EINVAL;
    p = strtoull(slash + 1, &end, 10);
    if (*end != '\0' || p > 32)
        return -EINVAL;
    *ret_addr = ntohl(a.s_addr);
    *ret_prefix = (int) p;
    return 0;
}

static uint32_t mask_of(int prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

bool network_cidr_overlap(uint32_t a, int pa, uint32_t b, int pb)
{
    uint32_t m = mask_of(pa < pb ? pa : pb);
    return (a & m) == (b & m);
}

static void format_ip(uint32_t addr, char *buf, size_t len)
{
    struct in_addr a = {htonl(addr)};
    inet_ntop(AF_INET, &a, buf, (socklen_t) len);
}

/* The host's IPv4 routes (not the default one) from /proc/net/route. */
static bool route_overlaps(const char *routes, uint32_t addr, int prefix)
{
    cleanup_free char *buf = NULL;
    if (routes == NULL) {
        size_t len;
        if (fs_read_file_at(AT_FDCWD, "/proc/net/route", 1 << 20, &buf, &len, NULL) < 0)
            return false;
        routes = buf;
    }
    for (const char *l = routes; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char ifname[32];
        unsigned dst, gw, flags, refcnt, use, metric, mask;
        if (sscanf(l, "%31s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt, &use,
                   &metric, &mask) != 8 || mask == 0)
            continue; /* the header, or the default route */
        uint32_t d = ntohl(dst), m = ntohl(mask);
        int p = __builtin_popcount(m);
        if (network_cidr_overlap(addr, prefix, d, p))
            return true;
    }
    return false;
}

int network_pick_subnet(char *const *used, const char *routes, char *buf, size_t len,
                        struct error **err)
{
    for (uint32_t second = 91; second <= 99; second++)
        for (uint32_t third = 0; third < 256; third++) {
            uint32_t addr = (10u << 24) | (second << 16) | (third << 8);
            bool taken = route_overlaps(routes, addr, 24);
            for (size_t i = 0; !taken && used && used[i]; i++) {
                uint32_t a;
                int p;
                taken = network_parse_cidr(used[i], &a, &p) == 0 &&
                        network_cidr_overlap(addr, 24, a, p);
            }
            if (!taken) {
                char ip[INET_ADDRSTRLEN];
                format_ip(addr, ip, sizeof(ip));
                snprintf(buf, len, "%s/24", ip);
                return 0;
            }
        }
    return error_new(err, ENOSPC, "no free subnet left in 10.91.0.0-10.99.255.0 (give one "
                     "with --subnet)");
}

/* ---- reading ---------------------------------------------------------------------- */

static int net_dir(struct engine *e, int *ret, struct error **err)
{
    if (mkdirat(e->store->rootfd, NETWORK_DIR, 0755) < 0 && errno != EEXIST)
        return error_errno(err, "making `%s/" NETWORK_DIR "`", e->root);
    int fd = openat(e->store->rootfd, NETWORK_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s/" NETWORK_DIR "`", e->root);
    *ret = fd;
    return 0;
}

int network_lock(struct engine *e, int how, int *ret_fd, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = net_dir(e, &dfd, err);
    if (r < 0)
        return r;
    int fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_errno(err, "opening `%s/" NETWORK_DIR "/.lock`", e->root);
    while (flock(fd, how) < 0) {
        if (errno != EINTR) {
            close_keep_errno(fd);
            return error_errno(err, "locking `%s/" NETWORK_DIR "`", e->root);
        }
    }
    *ret_fd = fd;
    return 0;
}

static const json_t *first_range(const json_t *ipam)
{
    const json_t *ranges = json_object_get(ipam, "ranges");
    const json_t *r = json_array_get(json_array_get(ranges, 0), 0);
    return r ? r : ipam; /* host-local's older form: subnet in ipam itself */
}

static int dup_member(const json_t *o, const char *key, char **out)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s && (*out = strdup(s)) == NULL)
        return -ENOMEM;
    return 0;
}

/* What a list says, for listing and inspecting. */
static int describe(struct network *n, const struct stat *st, struct error **err)
{
    const json_t *plugins = json_object_get(n->list, "plugins");
    const json_t *cabin = json_object_get(n->list, "cabin");
    const json_t *bridge = NULL;
    for (size_t i = 0; i < json_array_size(plugins); i++) {
        const json_t *p = json_array_get(plugins, i);
        if (bridge == NULL && strcmp(json_string_value(json_object_get(p, "type")), "bridge") == 0)
            bridge = p;
    }
    if (dup_member(json_array_get(plugins, 0), "type", &n->driver) < 0 ||
        dup_member(bridge, "bridge", &n->bridge) < 0)
        return error_new(err, ENOMEM, "out of memory");
    const json_t *ipam = json_object_get(bridge ? bridge : json_array_get(plugins, 0), "ipam");
    if (ipam && (dup_member(first_range(ipam), "subnet", &n->subnet) < 0 ||
                 dup_member(first_range(ipam), "gateway", &n->gateway) < 0))
        return error_new(err, ENOMEM, "out of memory");
    n->managed = json_is_object(cabin);
    const char *id = json_string_value(json_object_get(cabin, "id"));
    if (id && strlen(id) == NETWORK_ID_LEN)
        memcpy(n->id, id, sizeof(n->id));
    else
        sha256_hex(n->name, strlen(n->name), n->id); /* stable for a list by hand */
    json_int_t created = json_integer_value(json_object_get(cabin, "created"));
    n->created = created > 0 ? (int64_t) created : (int64_t) st->st_mtime;
    n->internal = n->managed ? json_is_true(json_object_get(cabin, "internal"))
                             : bridge && !json_is_true(json_object_get(bridge, "isGateway")) &&
                                   !json_is_true(json_object_get(bridge, "ipMasq"));
    const char *key;
    json_t *val;
    json_object_foreach(json_object_get(cabin, "labels"), key, val)
    {
        cleanup_free char *kv = NULL;
        if (json_is_string(val) && strv_length(n->labels) < MAX_LABELS &&
            (asprintf(&kv, "%s=%s", key, json_string_value(val)) < 0 ||
             strv_push(&n->labels, kv) < 0))
            return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}

static int read_network(struct engine *e, int dfd, const char *name, struct network **ret,
                        struct error **err)
{
    char file[300];
    snprintf(file, sizeof(file), "%s" SUFFIX, name);
    struct stat st;
    if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? error_new(err, ENOENT, "network `%s` not found", name)
                               : error_errno(err, "network `%s`", name);
    cleanup_network struct network *n = calloc(1, sizeof(*n));
    if (n == NULL || (n->name = strdup(name)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char what[600];
    snprintf(what, sizeof(what), "%s/" NETWORK_DIR "/%s", e->root, file);
    int r = json_load_file_at(dfd, file, LIST_MAX, &n->list, err);
    if (r == 0)
        r = cni_conflist_check(n->list, what, err);
    if (r < 0)
        return r;
    const char *inner = json_string_value(json_object_get(n->list, "name"));
    if (strcmp(inner, name) != 0)
        return error_new(err, EINVAL, "%s: names network `%s`, but its file says `%s`", what,
                         inner, name);
    if ((r = describe(n, &st, err)) < 0)
        return error_wrap(err, "%s", what);
    *ret = steal_pointer(&n);
    return 0;
}

static int names_in(int dfd, char ***ret, struct error **err)
{
    cleanup_closedir DIR *d = fs_opendir_at(dfd, ".");
    if (d == NULL)
        return error_errno(err, "reading the networks");
    cleanup_strv char **names = NULL;
    struct dirent *de;
    size_t sl = strlen(SUFFIX);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= sl || de->d_name[0] == '.' || strcmp(de->d_name + n - sl, SUFFIX) != 0)
            continue;
        de->d_name[n - sl] = '\0';
        if (strv_push(&names, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    *ret = steal_pointer(&names);
    return 0;
}

/* ---- writing ------------------------------------------------------------------------ */

static bool valid_bridge(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= IFNAMSIZ)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char) *s) && !strchr("_.-", *s))
            return false;
    return true;
}

static bool predefined(const char *name)
{
    const char *names[] = {"host", "none", "bridge", "default", "container"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static json_t *labels_json(char *const *labels, struct error **err)
{
    json_t *o = json_object();
    for (size_t i = 0; labels && labels[i]; i++) {
        const char *eq = strchr(labels[i], '=');
        cleanup_free char *k = strndup(labels[i], eq ? (size_t) (eq - labels[i])
                                                     : strlen(labels[i]));
        if (k == NULL || *k == '\0' || i >= MAX_LABELS) {
            error_new(err, EINVAL, "--label `%s`: expected KEY=VALUE", labels[i]);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
    }
    return o;
}

static json_t *make_list(const struct network_create_opts *o, const char *id, const char *bridge,
                         const char *subnet, const char *gateway, json_t *labels, bool is_default)
{
    json_t *range = json_pack("{s:s, s:s}", "subnet", subnet, "gateway", gateway);
    json_t *routes = o->internal ? json_array() : json_pack("[{s:s}]", "dst", "0.0.0.0/0");
    json_t *ipam = json_pack("{s:s, s:[[o]], s:o}", "type", "host-local", "ranges", range,
                             "routes", routes);
    json_t *br = json_pack("{s:s, s:s, s:b, s:b, s:b, s:o}", "type", "bridge", "bridge", bridge,
                           "isGateway", !o->internal, "ipMasq", !o->internal, "hairpinMode", 1,
                           "ipam", ipam);
    if (br && o->mtu)
        json_object_set_new(br, "mtu", json_integer(o->mtu));
    if (br && !is_default) /* --ip on user networks (host-local's "ips") */
        json_object_set_new(br, "capabilities", json_pack("{s:b}", "ips", 1));
    json_t *plugins = json_pack("[o, {s:s, s:{s:b}}, {s:s, s:s}]", br, "type", "portmap",
                                "capabilities", "portMappings", 1, "type", "firewall",
                                "ingressPolicy", "same-bridge");
    return json_pack("{s:s, s:s, s:o, s:{s:s, s:I, s:b, s:o}}", "cniVersion", "1.0.0", "name",
                     o->name, "plugins", plugins, "cabin", "id", id, "created",
                     (json_int_t) time(NULL), "internal", o->internal, "labels", labels);
}

/* The subnet and gateway asked for (checked) or chosen. */
static int addresses(const struct network_create_opts *o, char *const *used, char *subnet,
                     char *gateway, size_t len, struct error **err)
{
    int r;
    if (o->subnet == NULL && (r = network_pick_subnet(used, NULL, subnet, len, err)) < 0)
        return r;
    if (o->subnet)
        snprintf(subnet, len, "%s", o->subnet);
    uint32_t addr, gw;
    int prefix;
    if (strchr(subnet, ':'))
        return error_new(err, ENOTSUP, "--subnet `%s`: IPv6 networks are not supported", subnet);
    if (network_parse_cidr(subnet, &addr, &prefix) < 0 || prefix < 8 || prefix > 30)
        return error_new(err, EINVAL, "--subnet `%s`: expected an IPv4 subnet from /8 to /30 "
                         "(10.91.0.0/24)", subnet);
    if (addr & ~mask_of(prefix)) {
        char net[INET_ADDRSTRLEN];
        format_ip(addr & mask_of(prefix), net, sizeof(net));
        return error_new(err, EINVAL, "--subnet `%s`: it has host bits set; did you mean %s/%d?",
                         subnet, net, prefix);
    }
    for (size_t i = 0; used && used[i]; i++) {
        uint32_t a;
        int p;
        if (network_parse_cidr(used[i], &a, &p) == 0 && network_cidr_overlap(addr, prefix, a, p))
            return error_new(err, EEXIST, "--subnet `%s` overlaps the subnet %s of another "
                             "network", subnet, used[i]);
    }
    if (o->gateway == NULL) {
        format_ip(addr + 1, gateway, len);
        return 0;
    }
    struct in_addr g;
    if (inet_pton(AF_INET, o->gateway, &g) != 1)
        return error_new(err, EINVAL, "--gateway `%s`: not an IPv4 address", o->gateway);
    gw = ntohl(g.s_addr);
    if ((gw & mask_of(prefix)) != addr || gw == addr || gw == (addr | ~mask_of(prefix)))
        return error_new(err, EINVAL, "--gateway `%s`: not a host address of %s", o->gateway,
                         subnet);
    snprintf(gateway, len, "%s", o->gateway);
    return 0;
}

/* Other networks' subnets and bridges, to stay clear of them. */
static int others(struct engine *e, int dfd, char ***subnets, char ***bridges,
                  struct error **err)
{
    cleanup_strv char **names = NULL;
    int r = names_in(dfd, &names, err);
    for (size_t i = 0; r == 0 && names && names[i]; i++) {
        cleanup_network struct network *n = NULL;
        cleanup_error struct error *e2 = NULL;
        if (read_network(e, dfd, names[i], &n, &e2) < 0)
            continue; /* a broken file names nothing */
        if ((n->subnet && strv_push(subnets, n->subnet) < 0) ||
            (n->bridge && strv_push(bridges, n->bridge) < 0))
            r = error_new(err, ENOMEM, "out of memory");
    }
    return r;
}

static int create_locked(struct engine *e, int dfd, const struct network_create_opts *o,
                         bool is_default, struct error **err)
{
    char file[300];
    snprintf(file, sizeof(file), "%s" SUFFIX, o->name);
    if (faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return error_new(err, EEXIST, "network `%s` already exists", o->name);
    cleanup_strv char **subnets = NULL, **bridges = NULL;
    int r = others(e, dfd, &subnets, &bridges, err);
    if (r < 0)
        return r;
    char id[NETWORK_ID_LEN + 1], bridge[IFNAMSIZ + 1], subnet[64], gateway[64];
    if (random_hex(id, NETWORK_ID_LEN) < 0)
        return error_errno(err, "making a network id");
    snprintf(bridge, sizeof(bridge), "%s", o->bridge ? o->bridge : "");
    if (o->bridge == NULL)
        snprintf(bridge, sizeof(bridge), "cbr-%.10s", id);
    if (!valid_bridge(bridge))
        return error_new(err, EINVAL, "bridge name `%s`: at most %d letters, digits, `_`, `.` "
                         "or `-`", bridge, IFNAMSIZ - 1);
    for (size_t i = 0; bridges && bridges[i]; i++)
        if (strcmp(bridges[i], bridge) == 0)
            return error_new(err, EEXIST, "bridge `%s` is another network's", bridge);
    if ((r = addresses(o, subnets, subnet, gateway, sizeof(subnet), err)) < 0)
        return r;
    json_t *labels = labels_json(o->labels, err);
    if (labels == NULL)
        return -EINVAL;
    cleanup_json json_t *list = make_list(o, id, bridge, subnet, gateway, labels, is_default);
    if (list == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *text = json_dumps(list, JSON_INDENT(2));
    if (text == NULL || (text = realloc(text, strlen(text) + 2)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    strcat(text, "\n");
    return fs_write_file_atomic(dfd, file, text, strlen(text), 0644, 1, err);
}

static bool name_ok(const char *s)
{
    if (s == NULL || !isalnum((unsigned char) *s) || strlen(s) > 128)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char) *s) && !strchr("_.-", *s))
            return false;
    return true;
}

int network_create(struct engine *e, const struct network_create_opts *o, struct network **ret,
                   struct error **err)
{
    if (!name_ok(o->name))
        return error_new(err, EINVAL, "network name `%s`: letters, digits, `_`, `.` and `-`, "
                         "starting with a letter or digit", o->name ? o->name : "");
    if (predefined(o->name) || strcmp(o->name, NET_DEFAULT_NAME) == 0)
        return error_new(err, EEXIST, "network `%s` is predefined", o->name);
    if (o->driver && strcmp(o->driver, "bridge") != 0)
        return error_new(err, ENOTSUP, "--driver `%s`: only bridge networks can be created "
                         "(write a conflist for another plugin)", o->driver);
    cleanup_close int lock = -1, dfd = -1;
    int r = network_lock(e, LOCK_EX, &lock, err);
    if (r == 0)
        r = net_dir(e, &dfd, err);
    if (r == 0)
        r = create_locked(e, dfd, o, false, err);
    if (r < 0)
        return r;
    return ret ? read_network(e, dfd, o->name, ret, err) : 0;
}

/* The default network, written the first time it is wanted. */
static int ensure_default(struct engine *e, int dfd, struct error **err)
{
    if (faccessat(dfd, NET_DEFAULT_NAME SUFFIX, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
    cleanup_close int lock = -1;
    int r = network_lock(e, LOCK_EX, &lock, err);
    if (r < 0)
        return r;
    if (faccessat(dfd, NET_DEFAULT_NAME SUFFIX, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return 0; /* written meanwhile */
    const char *subnet = getenv("CABIN_DEFAULT_SUBNET");
    const char *bridge = getenv("CABIN_DEFAULT_BRIDGE");
    struct network_create_opts o = {
        .name = NET_DEFAULT_NAME,
        .subnet = subnet && *subnet ? subnet : NETWORK_DEFAULT_SUBNET,
        .bridge = bridge && *bridge ? bridge : NETWORK_DEFAULT_BRIDGE,
    };
    if ((r = create_locked(e, dfd, &o, true, err)) < 0)
        return error_wrap(err, "making the default network `%s`", NET_DEFAULT_NAME);
    return 0;
}

int network_ensure_default(struct engine *e, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = net_dir(e, &dfd, err);
    return r < 0 ? r : ensure_default(e, dfd, err);
}

int network_load(struct engine *e, const char *what, struct network **ret, struct error **err)
{
    cleanup_close int dfd = -1;
    int r = net_dir(e, &dfd, err);
    if (r == 0)
        r = ensure_default(e, dfd, err);
    if (r < 0)
        return r;
    if (strcmp(what, "bridge") == 0 || strcmp(what, "default") == 0)
        what = NET_DEFAULT_NAME;
    if (name_ok(what)) {
        char file[300];
        snprintf(file, sizeof(file), "%s" SUFFIX, what);
        if (faccessat(dfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            return read_network(e, dfd, what, ret, err);
    }
    /* an id or a unique prefix of one */
    struct network **all = NULL;
    if ((r = network_list(e, &all, NULL, err)) < 0)
        return r;
    size_t len = strlen(what), hits = 0, at = 0;
    for (size_t i = 0; all[i]; i++)
        if (len >= 3 && strncmp(all[i]->id, what, len) == 0) {
            hits++;
            at = i;
        }
    if (hits == 1) {
        *ret = all[at];
        for (size_t i = at; all[i]; i++) /* taken out of the list */
            all[i] = all[i + 1];
    }
    network_list_free(all);
    if (hits == 0)
        return error_new(err, ENOENT, "network `%s` not found", what);
    if (hits > 1)
        return error_new(err, EINVAL, "network id prefix `%s` is ambiguous", what);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct network *const *) a)->name, (*(struct network *const *) b)->name);
}

int network_list(struct engine *e, struct network ***ret, size_t *ret_n, struct error **err)
{
    cleanup_close int dfd = -1;
    cleanup_strv char **names = NULL;
    int r = net_dir(e, &dfd, err);
    if (r == 0)
        r = ensure_default(e, dfd, err);
    if (r == 0)
        r = names_in(dfd, &names, err);
    if (r < 0)
        return r;
    size_t n = strv_length(names), k = 0;
    struct network **v = calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        cleanup_error struct error *e2 = NULL;
        if ((r = read_network(e, dfd, names[i], &v[k], &e2)) == 0) {
            k++;
        } else if (error_code(e2) != ENOENT) { /* removed meanwhile is fine */
            network_list_free(v);
            *err = steal_pointer(&e2);
            return r;
        }
    }
    qsort(v, k, sizeof(*v), by_name);
    *ret = v;
    if (ret_n)
        *ret_n = k;
    return 0;
}

/* ---- removing ------------------------------------------------------------------------ */

/* Delete a host link by name (RTM_DELLINK); gone already is fine. */
static int link_delete(const char *name, struct error **err)
{
    unsigned idx = if_nametoindex(name);
    if (idx == 0)
        return 0;
    cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return error_errno(err, "removing bridge `%s`: netlink", name);
    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req = {
        .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_DELLINK,
               .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1},
        .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = (int) idx},
    };
    if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
        return error_errno(err, "removing bridge `%s`", name);
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0)
        return error_errno(err, "removing bridge `%s`", name);
    struct nlmsghdr *h = (struct nlmsghdr *) buf;
    if (n >= (ssize_t) NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
        int code = ((struct nlmsgerr *) NLMSG_DATA(h))->error;
        if (code < 0 && code != -ENODEV)
            return error_errnum(err, -code, "removing bridge `%s`", name);
    }
    return 0;
}

/* The firewall plugin leaves its per-bridge isolation rules when the last
 * container goes (it cannot know it was the last); they go with the
 * network.  The rules are matched exactly as the plugin writes them. */
static void remove_isolation(const char *bridge)
{
    static const char comment[] = "CNI firewall plugin rules (ingressPolicy: same-bridge)";
    const char *tools[] = {"iptables", "ip6tables"};
    for (size_t t = 0; t < 2; t++) {
        const char *stage1[] = {tools[t], "-w", "-D", "CNI-ISOLATION-STAGE-1", "-i", bridge, "!",
                                "-o", bridge, "-m", "comment", "--comment", comment, "-j",
                                "CNI-ISOLATION-STAGE-2", NULL};
        const char *stage2[] = {tools[t], "-w", "-D", "CNI-ISOLATION-STAGE-2", "-o", bridge,
                                "-m", "comment", "--comment", comment, "-j", "DROP", NULL};
        const char **rules[] = {stage1, stage2};
        for (size_t k = 0; k < 2; k++)
            for (int tries = 0; tries < 16; tries++) { /* each copy once */
                struct proc_opts po = {.timeout_s = 30, .search_path = true};
                struct proc_output out;
                cleanup_error struct error *e2 = NULL;
                if (proc_run((char *const *) rules[k], &po, &out, &e2) < 0)
                    return; /* no iptables here: no rules either */
                bool removed = !out.timed_out && WIFEXITED(out.status) &&
                               WEXITSTATUS(out.status) == 0;
                proc_output_release(&out);
                if (!removed)
                    break;
            }
    }
}

/* Where host-local keeps this network's leases (it adds /<name>). */
static char *ipam_dir(const struct network *n)
{
    char *dir = NULL;
    int r = asprintf(&dir, NETWORK_STATE_DIR "/ipam/%s", n->bridge ? n->bridge : "-");
    return r < 0 ? NULL : dir;
}

/* host-local's folder for the network, once it holds no lease (another
 * root may have a network of this name on this bridge). */
static void remove_leases(const struct network *n)
{
    cleanup_free char *dir = ipam_dir(n);
    cleanup_close int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    cleanup_closedir DIR *d = dfd >= 0 ? fs_opendir_at(dfd, n->name) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            strcmp(de->d_name, "lock") != 0 && strncmp(de->d_name, "last_reserved_ip", 16) != 0)
            return; /* a lease */
    if (d == NULL)
        return;
    cleanup_error struct error *e2 = NULL;
    fs_remove_tree(dfd, n->name, &e2);
    rmdir(dir); /* the bridge's folder, when nothing else is in it */
}

json_t *network_runtime_list(struct engine *e, const struct network *n)
{
    json_t *list = json_deep_copy(n->list);
    json_t *plugins = json_object_get(list, "plugins");
    cleanup_free char *dir = ipam_dir(n);
    if (list == NULL || dir == NULL) {
        json_decref(list);
        return NULL;
    }
    for (size_t i = 0; i < json_array_size(plugins); i++) {
        json_t *ipam = json_object_get(json_array_get(plugins, i), "ipam");
        const char *type = json_string_value(json_object_get(ipam, "type"));
        if (type && strcmp(type, "host-local") == 0 && json_object_get(ipam, "dataDir") == NULL)
            json_object_set_new(ipam, "dataDir", json_string(dir));
    }
    return list;
}

int network_remove(struct engine *e, const struct network *n, struct error **err)
{
    if (strcmp(n->name, NET_DEFAULT_NAME) == 0)
        return error_new(err, EPERM, "the default network `%s` cannot be removed",
                         NET_DEFAULT_NAME);
    cleanup_close int dfd = -1;
    int r = net_dir(e, &dfd, err);
    if (r < 0)
        return r;
    char file[300];
    snprintf(file, sizeof(file), "%s" SUFFIX, n->name);
    if (unlinkat(dfd, file, 0) < 0 && errno != ENOENT)
        return error_errno(err, "removing network `%s`", n->name);
    /* The bridge goes unless another network of ours names it too. */
    cleanup_strv char **subnets = NULL, **bridges = NULL;
    if ((r = others(e, dfd, &subnets, &bridges, err)) < 0)
        return r;
    bool shared = false;
    for (size_t i = 0; n->bridge && bridges && bridges[i]; i++)
        shared = shared || strcmp(bridges[i], n->bridge) == 0;
    if (n->bridge && !shared) {
        char sys[64];
        snprintf(sys, sizeof(sys), "/sys/class/net/%s/bridge", n->bridge);
        if (access(sys, F_OK) == 0 && (r = link_delete(n->bridge, err)) < 0)
            return error_wrap(err, "network `%s`", n->name);
        remove_isolation(n->bridge);
    }
    if (!shared)
        remove_leases(n);
    return 0;
}
