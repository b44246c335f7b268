/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin inspect` and `cabin ps --format json`: a container as docker
 * shows it.
 *
 *   engine_container_inspect()  docker inspect's object: Id, Created, Path,
 *                               Args, State (Status, Running, Paused,
 *                               Restarting, OOMKilled, Dead, Pid, ExitCode,
 *                               Error, StartedAt, FinishedAt), Image,
 *                               ResolvConfPath, HostnamePath, HostsPath,
 *                               LogPath, Name, RestartCount, Driver,
 *                               Platform, Mounts, Config, HostConfig,
 *                               GraphDriver and NetworkSettings
 *   engine_container_row()      docker ps --format json's object (ID,
 *                               Image, Command, CreatedAt, RunningFor,
 *                               Status, State, Names, Labels, Ports, ...)
 */
#ifndef CABIN_ENGINE_INSPECT_H
#define CABIN_ENGINE_INSPECT_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/container.h"
#include "util/error.h"

/* New references, or NULL when out of memory.  `st` is the state to show
 * (engine_container_state). */
json_t *engine_container_inspect(struct engine *e, const struct engine_container *c,
                                 const struct engine_state *st);
json_t *engine_container_row(struct engine *e, const struct engine_container *c,
                             const struct engine_state *st, bool no_trunc);

/* docker ps's STATUS text: "Up 5 minutes", "Exited (1) 2 hours ago", ... */
void engine_status_text(const struct engine_state *st, char *buf, size_t len);

/* docker's durations: "Less than a second", "5 minutes", "About an hour". */
void engine_human_duration(int64_t seconds, char *buf, size_t len);

#endif
