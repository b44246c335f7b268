/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Terminals (process.terminal).
 *
 * The pty is made inside the container, from the container's own devpts
 * instance (ROOT/dev/pts/ptmx, checked to be a devpts ptmx: the container
 * may have put anything at that path), so it is listed in the container's
 * /dev/pts and never in the host's.  Its master goes to whoever holds the
 * other end of the terminal, over a unix socket, the way runc sends it:
 * one message whose data is the name "/dev/ptmx" and whose only ancillary
 * item is an SCM_RIGHTS with the fd.  conmon and containerd's shim listen
 * on `--console-socket PATH`; `run` and `exec` in the foreground pass a
 * socketpair whose other end they read themselves (foreground.h).
 *
 * In the container, in this order:
 *   tty_open()          the pair; process.consoleSize applied to it
 *   tty_bind_console()  the slave bound on ROOT/dev/console (the init only)
 *   tty_send_master()   the master to the socket (then close both)
 *   tty_attach()        the slave as the controlling terminal of the
 *                       (session-leading) caller, on fds 0, 1 and 2
 *
 * On the caller's side:
 *   tty_connect()       connect to --console-socket PATH, however long
 *   tty_recv_master()   receive what tty_send_master() sent
 *
 * Every function follows util/error.h; fds returned are O_CLOEXEC and
 * owned by the caller.
 */
#ifndef CABIN_RUNTIME_TTY_H
#define CABIN_RUNTIME_TTY_H

#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

/* The name sent with the master (what runc sends). */
#define TTY_MASTER_NAME "/dev/ptmx"

struct tty_pair {
    int master;
    int slave;
};

/* Open a pair from `rootfd`'s /dev/pts/ptmx (rootfd: the container's root,
 * before or after pivot_root) and give it process.consoleSize. */
int tty_open(int rootfd, const struct spec_process *p, struct tty_pair *ret, struct error **err);
void tty_pair_release(struct tty_pair *t);

/* Bind the slave on /dev/console inside `rootfd` (made 0666 if missing). */
int tty_bind_console(int rootfd, int slave, struct error **err);

int tty_send_master(int sock, int master, struct error **err);
int tty_recv_master(int sock, int *ret_fd, struct error **err);

/* Make `slave` the controlling terminal of the caller, which must lead
 * its session, and put it on fds 0, 1 and 2.  `slave` is closed. */
int tty_attach(int slave, struct error **err);

/* A stream connection to the unix socket at `path` (relative to the cwd
 * when not absolute); `what` names it in errors ("--console-socket"). */
int tty_connect(const char *path, const char *what, int *ret_fd, struct error **err);

/* Where the master goes: a connection to `console_socket`, or (NULL) a
 * socketpair whose other end, *ret_peer, the caller reads (else -1).
 * *ret_fd is the end for the process that makes the pty. */
int tty_console(const char *console_socket, int *ret_fd, int *ret_peer, struct error **err);

#endif
