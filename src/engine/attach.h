/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client end of an attach (cabin run in the foreground, cabin attach,
 * cabin start -a): copies between our stdio and a connection to the
 * container's monitor until the container's process ends.
 *
 *   - the container's stdout and stderr to ours, byte for byte;
 *   - our stdin (when given) to the container's, and our end of file as
 *     its end of file;
 *   - with a terminal: our terminal in raw mode, its size (now and on
 *     SIGWINCH) to the container's, and the detach keys (docker's
 *     Ctrl-P Ctrl-Q unless others are given) detach instead of being sent;
 *   - without a terminal, with sig_proxy: the signals we get (but SIGCHLD,
 *     SIGWINCH, SIGURG, SIGPIPE) go to the container's process.
 */
#ifndef CABIN_ENGINE_ATTACH_H
#define CABIN_ENGINE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "util/error.h"

#define ATTACH_DETACH_KEYS "ctrl-p,ctrl-q"
#define ATTACH_MAX_KEYS    16

struct attach_pump {
    int in, out, err;          /* ours; in -1: none */
    bool tty;
    bool sig_proxy;
    const char *detach_keys;   /* NULL: docker's */
    struct engine *e;          /* for sig_proxy */
    const char *id;
    bool must_clean;           /* out: the monitor handed the cleanup to us
                                  (engine_attach_cleaned) */
};

/* Parse docker's --detach-keys ("ctrl-p,ctrl-q", "a,ctrl-@"): letters,
 * ctrl-LETTER, ctrl-@, ctrl-[ ... ctrl-_ .  *ret_n bytes in ret. */
int attach_parse_keys(const char *s, unsigned char *ret, size_t *ret_n, struct error **err);

/* Run until the process ends (returns 0, its code in *ret_code) or the
 * user detaches (returns 1).  A connection that closes before the end is
 * an error. */
int attach_run(int fd, struct attach_pump *p, int *ret_code, struct error **err);

#endif
