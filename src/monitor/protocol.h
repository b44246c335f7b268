/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What cabin-monitor (src/monitor) and the engine (engine/monitor.c) agree
 * on: the files of a container the monitor keeps, and the messages of its
 * attach socket.  Header only, libc only: the monitor includes nothing else
 * of ours.
 *
 * Files (CDIR = ROOT/containers/<id>, RDIR = RUNROOT/containers/<id>):
 *
 *   RDIR/monitor.pid   the monitor's pid, flock'ed (LOCK_EX) for as long as
 *                      it lives: "is the monitor there" is a failed
 *                      LOCK_SH|LOCK_NB, never a pid that may be reused
 *   RDIR/attach        its SOCK_SEQPACKET socket (messages below)
 *   CDIR/state.json    the state of the last start, replaced by rename:
 *                      {"run":N, "status":"running"|"restarting"|"exited",
 *                       "pid":P, "started_at":"RFC 3339 ns", "finished_at":..,
 *                       "exit_code":N, "oom_killed":B, "restart_count":N,
 *                       "boot_id":"...", "error":"..."}
 *   CDIR/container.log the output as JSON lines, docker's json-file format:
 *                      {"log":"text","stream":"stdout"|"stderr","time":"..."}
 *                      rotated to container.log.1 ... .N-1 by size
 *
 * Messages are one datagram each: a type byte, then the payload.
 */
#ifndef CABIN_MONITOR_PROTOCOL_H
#define CABIN_MONITOR_PROTOCOL_H

#define MONITOR_PID_FILE  "monitor.pid"
#define MONITOR_SOCKET    "attach"
#define MONITOR_STATE     "state.json"
#define MONITOR_LOG       "container.log"

/* The largest payload of a message (a datagram is one more byte). */
#define MONITOR_MSG_MAX 8192

/* Client → monitor.  The first message of a connection is HELLO, whose
 * payload is a set of flag letters. */
#define MONITOR_HELLO   'H'
#define MONITOR_STDIN   'D' /* bytes for the container's stdin */
#define MONITOR_STDIN_EOF 'E' /* our stdin ended: the container's closes if ONCE */
#define MONITOR_RESIZE  'W' /* "ROWS COLS": the terminal's size */
#define MONITOR_STOPPED 'S' /* the user stops it: no restart (answered by ACK) */
#define MONITOR_CLEANED 'K' /* the cleaner client has cleaned up after the exit */

/* HELLO flags. */
#define MONITOR_F_STDIN  'i' /* send stdin */
#define MONITOR_F_STDOUT 'o' /* receive stdout (and the terminal) */
#define MONITOR_F_STDERR 'e' /* receive stderr */
#define MONITOR_F_ONCE   'c' /* close the container's stdin when this client goes */
#define MONITOR_F_CLEANER 'k' /* this client cleans up after the exit itself (a
                                foreground `cabin run`, which is loaded already):
                                it gets EXIT first, then says CLEANED; if it goes
                                without, the monitor runs its exit command */

/* Monitor → client. */
#define MONITOR_OUT  'O' /* stdout, or the terminal */
#define MONITOR_ERR  'R' /* stderr */
#define MONITOR_EXIT 'X' /* "CODE": the process ended (after the cleanup when it
                            is not restarted); the connection closes after it */
#define MONITOR_ACK  'A'
#define MONITOR_EXIT_CLEAN 'Y' /* "CODE": as EXIT, to the cleaner client whose turn it
                                  is to clean up (it answers CLEANED) */

#endif
