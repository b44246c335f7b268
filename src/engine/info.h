/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin info`: how cabin is set up on this host, as one JSON object in
 * docker's words (Containers, ContainersRunning, Images, Driver,
 * CgroupDriver, CgroupVersion, KernelVersion, ...), plus cabin's own
 * (the cgroup layout, root folders, the monitor and init programs).
 */
#ifndef CABIN_ENGINE_INFO_H
#define CABIN_ENGINE_INFO_H

#include <jansson.h>

#include "engine/engine.h"
#include "util/error.h"

int engine_info(struct engine *e, json_t **ret, struct error **err);

#endif
