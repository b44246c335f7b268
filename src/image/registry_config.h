/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which registries may be reached over plain HTTP (or TLS without
 * verification), as docker decides it:
 *
 *   --tls-verify=false            yes;  --tls-verify=true: never
 *   the registries config          {"insecure-registries": ["host:5000",
 *                                   "10.0.0.0/8", "[fd00::]/8"]}, entries as
 *                                   docker's daemon.json has them (a host,
 *                                   host:port, or a CIDR block that an IP
 *                                   address registry falls in)
 *   loopback                       localhost, 127.0.0.0/8 and ::1 (docker's
 *                                   default insecure block), by name or
 *                                   address; names are not resolved
 *
 * The config is $CABIN_REGISTRIES_CONF or /etc/cabin/registries.json (a
 * missing file is an empty config); errors name the file and the field.
 */
#ifndef CABIN_IMAGE_REGISTRY_CONFIG_H
#define CABIN_IMAGE_REGISTRY_CONFIG_H

#include <stdbool.h>

#include "util/error.h"

#define REGISTRY_CONFIG_DEFAULT "/etc/cabin/registries.json"
#define REGISTRY_CONFIG_MAX     (1u << 20)

/* `conf` NULL: the default; `tls_verify` REGISTRY_TLS_*. */
int registry_config_insecure(const char *conf, const char *domain, const char *endpoint,
                             int tls_verify, bool *ret, struct error **err);

/* localhost, 127.0.0.0/8 or ::1, with or without a port. */
bool registry_config_is_loopback(const char *endpoint);

#endif
