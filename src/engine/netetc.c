/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netetc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cni.h"
#include "util/cleanup.h"
#include "util/strv.h"

void netetc_release(struct netetc_hold *hold)
{
    strv_free(hold->extra_hosts);
    strv_free(hold->dns);
    *hold = (struct netetc_hold) {0};
}

static const char *gateway_of(const struct net_request *req, const struct sandbox *s)
{
    if ((s && s->mode == NET_MODE_HOST) || (req && req->mode == NET_MODE_HOST))
        return "127.0.0.1";
    for (size_t i = 0; s && i < s->n_eps; i++)
        if (s->eps[i].gateway)
            return s->eps[i].gateway;
    return NULL;
}

static int cni_nameservers(const struct sandbox *s, char ***out)
{
    for (size_t i = 0; s && i < s->n_eps; i++) {
        cleanup_cni_result struct cni_result *cr = NULL;
        if (s->eps[i].result == NULL || cni_result_parse(s->eps[i].result, &cr, NULL) < 0)
            continue;
        for (size_t k = 0; cr->nameservers && cr->nameservers[k]; k++)
            if (strv_push(out, cr->nameservers[k]) < 0)
                return -ENOMEM;
    }
    return 0;
}

int netetc_params(const struct net_request *req, const struct sandbox *s,
                  struct etcfiles_params *p, struct netetc_hold *hold, struct error **err)
{
    struct netetc_hold h = {0};
    int r = 0;
    for (size_t i = 0; r == 0 && req && i < req->n_hosts; i++) {
        const char *ip = req->hosts[i].ip;
        if (strcmp(ip, "host-gateway") == 0 && (ip = gateway_of(req, s)) == NULL) {
            if (s == NULL)
                continue; /* known once it runs */
            netetc_release(&h);
            return error_new(err, EINVAL,
                             "--add-host %s:host-gateway: the container has no gateway to the "
                             "host",
                             req->hosts[i].name);
        }
        char *line = NULL;
        if (asprintf(&line, "%s:%s", req->hosts[i].name, ip) < 0)
            r = -ENOMEM;
        else
            r = strv_push(&h.extra_hosts, line);
        free(line);
    }
    if (r == 0 && !(req && req->dns))
        r = cni_nameservers(s, &h.dns);
    if (r < 0) {
        netetc_release(&h);
        return error_new(err, ENOMEM, "out of memory");
    }
    p->host_network = (req && req->mode == NET_MODE_HOST) || (s && s->mode == NET_MODE_HOST);
    p->address = s && s->n_eps ? s->eps[0].ip : NULL;
    p->extra_hosts = h.extra_hosts;
    p->dns = req && req->dns ? req->dns : h.dns;
    p->dns_search = req ? req->dns_search : NULL;
    p->dns_options = req ? req->dns_options : NULL;
    *hold = h;
    return 0;
}
