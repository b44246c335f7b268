/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI "features" document (runtime-spec features.md): what this build
 * really implements, so that clients can tell before they try. */
#ifndef CABIN_RUNTIME_FEATURES_H
#define CABIN_RUNTIME_FEATURES_H

#include <jansson.h>
#include <stddef.h>

json_t *features_json(void);

/* The version of the libseccomp this binary runs with ("2.5.4"), for
 * --version as runc prints it. */
void features_libseccomp_version(char *buf, size_t len);

#endif
