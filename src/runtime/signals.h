/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names as kill(1) and runc take them: "TERM", "SIGTERM", "15",
 * "RTMIN+3".  Case-insensitive. */
#ifndef CABIN_RUNTIME_SIGNALS_H
#define CABIN_RUNTIME_SIGNALS_H

#include "util/error.h"

/* Returns the signal number, or a negative errno with *err naming `s`. */
int signal_parse(const char *s, struct error **err);

#endif
