/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's side of cabin-monitor (src/monitor, protocol in
 * monitor/protocol.h): starting a container's process under a new
 * monitor, and talking to a running one.
 *
 * Why a small program of its own rather than a fork of cabin, and what it
 * costs: docs/ARCHITECTURE.md, "The monitor".
 */
#ifndef CABIN_ENGINE_MONITOR_H
#define CABIN_ENGINE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/container.h"
#include "engine/engine.h"
#include "util/error.h"

/* Start run number `c->run` of the container under a new monitor (see
 * lifecycle.h for the sequence).  `client` (or -1) is one end of a
 * socketpair that becomes the monitor's first attached client with HELLO
 * flags `client_flags`; it is closed here.  `held_lock` (or -1) is the
 * caller's container lock, which the caller keeps until this returns; the
 * process that becomes the monitor keeps its copy until the run is made
 * or has failed (so a caller killed meanwhile still holds off a second
 * start), never longer.  Returns once the process runs, or with the error
 * that stopped it; *ret_exec_failed tells whether that was the process
 * that could not be executed (docker's 126/127). */
int monitor_spawn(struct engine *e, const struct engine_container *c, int client,
                  const char *client_flags, int held_lock, bool *ret_exec_failed,
                  struct error **err);

/* Create and start the runtime's container in this process, with stdio 0,
 * 1 and 2 as they are (its init is our child), or with a terminal whose
 * master comes back in *ret_master (-1 without one): for monitor_spawn and
 * for a restart.  *ret_pid is the init's host pid, *ret_started the time.
 * On failure nothing of the runtime's container is left. */
int monitor_launch(struct engine *e, const struct engine_container *c, pid_t *ret_pid,
                   int64_t *ret_started, int *ret_master, struct error **err);

/* Connect to the monitor of container `id` and send HELLO with `flags`. */
int monitor_connect(struct engine *e, const char *id, const char *flags, int *ret_fd,
                    struct error **err);

/* Send one message (type + payload); 0 or a negative errno. */
int monitor_send(int fd, char type, const void *data, size_t len);

/* Tell the monitor that the user stops the container (no restart after
 * this exit); false when there is no monitor to tell. */
bool monitor_tell_stopped(struct engine *e, const char *id);

/* Is the monitor of `id` alive? */
bool monitor_alive(struct engine *e, const char *id);

/* Wait until the monitor of `id` has exited, at most `timeout_ms` (-1:
 * forever): 0, or -ETIMEDOUT. */
int monitor_wait_gone(struct engine *e, const char *id, int timeout_ms);

/* The program's path: next to cabin, else in LIBEXECDIR/cabin. */
int monitor_program(const struct engine *e, const char *name, char **ret, struct error **err);

#endif
