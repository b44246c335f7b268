/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Messages between the runtime and the container's init while it is set up,
 * over a SOCK_SEQPACKET pair (one message a send, never split).
 *
 *   runtime → init   SYNC_GO      id maps are written, carry on
 *   init → runtime   SYNC_PID     (joined user namespace) the real init's pid
 *   init → runtime   SYNC_READY   set up, now waiting for `start`
 *   runtime → init   SYNC_START   (run) go on and exec
 *   init → runtime   SYNC_ERROR   failed, with errno and message; init exits
 *   init → runtime   SYNC_HOOKS   mounts are made: run prestart and
 *                                 createRuntime hooks, then send SYNC_GO
 *   init → runtime   SYNC_SECCOMP the seccomp listener fd (SCM_RIGHTS), for
 *                                 linux.seccomp.listenerPath; no reply
 *
 * The first SYNC_GO carries the init's host pid in `value` (the init may
 * not know it, in a new pid namespace), for the hooks' state.
 *
 * After the init execs, its end closes (O_CLOEXEC): the runtime reads EOF.
 */
#ifndef CABIN_RUNTIME_SYNC_H
#define CABIN_RUNTIME_SYNC_H

#include <stdint.h>

#include "util/error.h"

enum sync_type {
    SYNC_GO = 1,
    SYNC_PID,
    SYNC_READY,
    SYNC_START,
    SYNC_ERROR,
    SYNC_HOOKS,   /* init → runtime: run prestart/createRuntime now, then GO */
    SYNC_SECCOMP, /* init → runtime: the seccomp listener fd rides along */
};

#define SYNC_MSG_MAX 3072

struct sync_msg {
    uint32_t type;
    int32_t value; /* errno for SYNC_ERROR, pid for SYNC_PID */
    char text[SYNC_MSG_MAX];
};

int sync_send(int fd, enum sync_type type, int32_t value, const char *text);
/* Send *err as SYNC_ERROR. */
int sync_send_error(int fd, const struct error *e);
/* Send a message with `passfd` attached (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int passfd);
/* Receive a message that may carry an fd (into *ret_fd, O_CLOEXEC; -1
 * when it carries none, as an error report does).  Returns as sync_recv(). */
int sync_recv_fd(int fd, struct sync_msg *ret_msg, int *ret_fd);
/* Receive one message.  Returns 0, -EPIPE on EOF (the peer closed or
 * exec'd), or another negative errno. */
int sync_recv(int fd, struct sync_msg *ret_msg);
/* Receive and expect `type`; a SYNC_ERROR becomes *err, EOF a clear error
 * saying the init died (`what` names the step). */
int sync_expect(int fd, enum sync_type type, const char *what, struct sync_msg *ret_msg,
                struct error **err);

#endif
