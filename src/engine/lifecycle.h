/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's life after `create`: start, stop, kill, restart, wait,
 * pause, rename, and the cleanup its monitor runs when its process ends.
 *
 * Start (engine_container_start): the root is mounted, then cabin forks
 * twice (the grandchild is in a session of its own, so neither a terminal's
 * signals nor `timeout`'s kill of our process group reach it).  The
 * grandchild becomes a child subreaper, takes RUNDIR/monitor.pid's lock,
 * binds RUNDIR/attach, makes the pipes of the container's stdio, has the
 * runtime core create and start the container (its init is the
 * grandchild's child) and executes cabin-monitor, which says "OK" once it
 * has written state.json.  A failure before that (the process cannot be
 * executed: 126/127) comes back as an error; nothing runs then.  The
 * container's lock is held until then (the grandchild shares it until the
 * run is made or has failed): an rm -f or another start waits for the
 * outcome.
 *
 * The process runs until it exits; the monitor reaps it, records its exit
 * and runs `cabin container cleanup ID` (engine_container_cleanup): the
 * runtime's state and cgroup go, the root is unmounted, and with --rm the
 * container is removed; or, when the restart policy says so, `cabin
 * container cleanup --restart ID` makes a new init with the pipes the
 * monitor gives it.
 *
 * The network's hooks (issue 9) go where the comments say "network":
 * set up in start (and a restart) before the runtime is called, torn down
 * in cleanup and on every failure path of start.
 */
#ifndef CABIN_ENGINE_LIFECYCLE_H
#define CABIN_ENGINE_LIFECYCLE_H

#include <stdbool.h>

#include "engine/container.h"
#include "engine/engine.h"
#include "util/error.h"

/* Which streams an attached client gets (and gives). */
struct engine_attach_opts {
    bool in, out, err;
    bool stdin_once; /* the container's stdin closes when this client goes */
    bool cleaner;    /* this client cleans up after the exit (engine_attach_cleaned) */
};

/* Start a created or stopped container (a running one: nothing to do).
 * When its process cannot start, the container stays created with the
 * error and docker's code in its state (ExitCode 127: not found, 126: not
 * executable, 125: anything else).
 * With `attach`, *ret_attach is a connection to its monitor that was
 * attached before the process started (none of its output is missed);
 * see attach.h for what to do with it. */
int engine_container_start(struct engine *e, struct engine_container *c,
                           const struct engine_attach_opts *attach, int *ret_attach,
                           struct error **err);

/* Stop: the stop signal, then after `timeout` seconds (-1: the container's
 * own, see engine_container_stop_timeout) SIGKILL; returns once the
 * monitor has cleaned up.  No restart policy applies after it.  A
 * container that is not running is left as it is. */
int engine_container_stop(struct engine *e, struct engine_container *c, int timeout,
                          struct error **err);

/* Send `sig` to the container's process (docker kill): an error unless it
 * runs.  SIGKILL and the stop signal count as the user stopping it (no
 * restart), and SIGKILL waits until it is cleaned up. */
int engine_container_kill(struct engine *e, struct engine_container *c, int sig,
                          struct error **err);

/* SIGKILL, no restart, and its cleanup waited for: for rm -f. */
int engine_container_halt(struct engine *e, struct engine_container *c, struct error **err);

/* Stop (as above) and start again, detached. */
int engine_container_restart(struct engine *e, struct engine_container *c, int timeout,
                             struct error **err);

/* Wait until the container's process ends (now, if it is not running) and
 * give its exit code. */
int engine_container_wait(struct engine *e, const struct engine_container *c, int *ret_code,
                          struct error **err);

int engine_container_pause(struct engine *e, const struct engine_container *c,
                           struct error **err);
int engine_container_unpause(struct engine *e, const struct engine_container *c,
                             struct error **err);

/* Give the container another name (EEXIST if it is taken). */
int engine_container_rename(struct engine *e, struct engine_container *c, const char *name,
                            struct error **err);

/* Connect to a running container's monitor and attach to its streams
 * (*ret_fd, see attach.h). */
int engine_container_attach(struct engine *e, const struct engine_container *c,
                            const struct engine_attach_opts *o, int *ret_fd, struct error **err);

/* An attached cleaner's part after the exit: the cleanup the monitor would
 * have run, then tell the monitor it is done (whatever happened: the
 * monitor's own cleanup follows if ours failed). */
void engine_attach_cleaned(struct engine *e, const char *id, int fd);

/* What the monitor runs when the process ended (`cabin container cleanup
 * [--restart] ID`).  Without `restart`: the runtime's container, the
 * network and the mount go, and with --rm the container.  With `restart`:
 * a new process with stdio 0, 1 and 2 as they are.  The outcome goes to
 * `report_fd` ("OK PID STARTED-AT" or "ERR CODE MESSAGE"; -1: none). */
int engine_container_cleanup(struct engine *e, const char *id, bool restart, int report_fd,
                             struct error **err);

#endif
