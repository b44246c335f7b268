/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Container Network Interface, as a runtime drives it (spec 1.0.0; lists
 * of versions 0.3.0 to 1.0.0, results from 0.1.0 on).
 *
 * A network is a conflist: {"cniVersion", "name", "plugins": [...]}.  ADD
 * runs its plugins in order, each with the previous one's result as
 * `prevResult`; the last result is the network's.  DEL runs them in reverse
 * order with that (cached) result as `prevResult`, and CHECK in order with
 * it, unless the list sets `disableCheck`.  A plugin is an executable named
 * by its `type` in one of the plugin folders; it gets the command and the
 * container in CNI_* variables and its config on stdin, and answers on
 * stdout (a result, or an error object with a non-zero exit).
 *
 * Capabilities: a plugin that declares `"capabilities": {"portMappings":
 * true}` gets `runtimeConfig.portMappings` from the runtime's
 * `runtime_config` object; the same for any other key.
 *
 * The caller keeps what cni_add() returns (with the conflist exactly as it
 * was used) and hands both to cni_del(): the network file may have been
 * edited in between.  A failed ADD is undone here (DEL of the whole list,
 * in reverse) before the error is returned.  Plugins run with a timeout
 * (CNI_TIMEOUT_S) and every size that comes back is limited.
 */
#ifndef CABIN_ENGINE_CNI_H
#define CABIN_ENGINE_CNI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define CNI_DEFAULT_PATH "/usr/lib/cni:/opt/cni/bin"
#define CNI_TIMEOUT_S    60
#define CNI_OUTPUT_MAX   (1u << 20)
#define CNI_MAX_PLUGINS  32

/* What the runtime says about the container (none owned). */
struct cni_runtime {
    const char *container_id; /* [A-Za-z0-9_.-]+ */
    const char *netns;        /* path of the network namespace */
    const char *ifname;       /* the interface to make in it, "eth0" */
    const char *plugin_path;  /* folders, ':'-separated; NULL: CNI_DEFAULT_PATH */
    const char *args;         /* CNI_ARGS ("K=V;K=V"), or NULL */
    const json_t *runtime_config; /* capability name -> value, or NULL */
    int timeout_s;            /* per plugin; 0: CNI_TIMEOUT_S */
};

/* Check a conflist: cniVersion (supported), name, plugins (each an object
 * with a plain `type`).  `what` names it in errors (the file). */
int cni_conflist_check(const json_t *list, const char *what, struct error **err);

/* ADD the container to the network; the result (new reference) in *ret. */
int cni_add(const json_t *list, const struct cni_runtime *rt, json_t **ret, struct error **err);
/* DEL it, with the result ADD gave (or NULL when there was none).  Every
 * plugin is run even when one fails; the first error is returned. */
int cni_del(const json_t *list, const struct cni_runtime *rt, const json_t *result,
            struct error **err);
/* CHECK it (an error for lists older than 0.4.0; nothing with disableCheck). */
int cni_check(const json_t *list, const struct cni_runtime *rt, const json_t *result,
              struct error **err);

/* "1.0.0" -> 10000 (major*10000 + minor*100 + patch); -1 if malformed. */
int cni_version_number(const char *v);

/* ---- results -------------------------------------------------------------- */

struct cni_interface {
    char *name, *mac, *sandbox; /* sandbox: the netns path, NULL on the host */
};

struct cni_ip {
    char *address; /* CIDR, "10.90.0.2/16" */
    char *gateway; /* or NULL */
    int interface; /* index into interfaces, -1 when not given */
};

struct cni_route {
    char *dst, *gw;
};

struct cni_result {
    struct cni_interface *interfaces;
    size_t n_interfaces;
    struct cni_ip *ips;
    size_t n_ips;
    struct cni_route *routes;
    size_t n_routes;
    char **nameservers, **search, **options; /* dns */
    char *domain;
};

#define CNI_RESULT_MAX_ITEMS 256

/* Read a result of any version from 0.1.0 (ip4/ip6) to 1.0.0. */
int cni_result_parse(const json_t *j, struct cni_result **ret, struct error **err);
/* The same from text (a plugin's stdout). */
int cni_result_parse_text(const char *buf, size_t len, struct cni_result **ret,
                          struct error **err);
void cni_result_free(struct cni_result *r);

/* The first address on an interface in the container (sandbox set), or on
 * any interface when none says; NULL when the result has no address. */
const struct cni_ip *cni_result_container_ip(const struct cni_result *r, int family);

static inline void cni_result_freep(struct cni_result **r)
{
    cni_result_free(*r);
}
#define cleanup_cni_result __attribute__((cleanup(cni_result_freep)))

#endif
