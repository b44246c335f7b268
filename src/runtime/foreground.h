/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The caller's side of `run` and `exec` in the foreground: wait for the
 * container's process, forward to it every signal we get, and, when it has
 * a terminal, be that terminal's other end.
 *
 * With a pty master, what arrives on our stdin goes to the master and what
 * the master gives goes to our stdout.  When our stdin is a terminal it is
 * put in raw mode (so ^C, ^Z and line editing are the container's), and
 * its size is copied to the pty at the start and on every SIGWINCH; the
 * caller's terminal settings are restored on every way out.  SIGWINCH is
 * never forwarded (the kernel signals the container's foreground process
 * group itself when the pty's size changes), as in runc.
 *
 * After the process is gone, what it left in the pty is still copied out
 * (but no more than is there: processes that outlive it and keep the
 * slave open do not hold us).
 */
#ifndef CABIN_RUNTIME_FOREGROUND_H
#define CABIN_RUNTIME_FOREGROUND_H

#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

/* The caller's terminal size (from whichever of fds 0, 1, 2 is a
 * terminal with one) into p->console_*, so that the pty has it before the
 * process starts: a process that asks at once must not see 0x0.  Nothing
 * changes when the caller has no terminal. */
void foreground_size_process(struct spec_process *p);

/* Wait for `pid`, a child (or, being its subreaper, a descendant) of the
 * caller, which blocked SIGCHLD before `pid` existed.  `master` is the pty
 * master or -1; it is not closed.  *ret_status is the exit code, or
 * 128+N when signal N killed it.  The signal mask is as before on return. */
int foreground_wait(pid_t pid, int master, int *ret_status, struct error **err);

#endif
