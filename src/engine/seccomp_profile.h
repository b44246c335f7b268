/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `--security-opt seccomp=FILE`: a seccomp profile in docker's format (the
 * one moby ships: archMap, syscalls with includes/excludes of capabilities,
 * architectures and a minimum kernel) or in the OCI's (linux.seccomp as
 * it is), turned into the linux.seccomp of one container, as dockerd does
 * at container creation: the rules that apply to its capabilities, this
 * machine's architecture and kernel are kept, the others dropped.
 */
#ifndef CABIN_ENGINE_SECCOMP_PROFILE_H
#define CABIN_ENGINE_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stdint.h>

#include "util/error.h"

/* `caps`: the container's bounding set (bit N = capability N).  `what`
 * names the profile in errors.  *ret is a new reference. */
int seccomp_profile_convert(const json_t *profile, uint64_t caps, const char *what,
                            json_t **ret, struct error **err);

/* Read FILE (at most 4 MiB of JSON) and convert it. */
int seccomp_profile_load(const char *path, uint64_t caps, json_t **ret, struct error **err);

#endif
