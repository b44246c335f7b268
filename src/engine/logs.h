/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cabin logs`: a container's output from its JSON-lines log
 * (monitor/logfile.h), the rotated files first, each entry's text to our
 * stdout or stderr as it came.
 *
 *   tail      only the last N lines (-1: all)
 *   since     entries from this time on (unix ns, 0: all); until: before it
 *   timestamps  each entry's time (RFC 3339 ns) and a space first
 *   follow    then wait for more until the container's monitor is gone
 *             (across rotations: the file being read is finished before
 *             the new one is opened)
 */
#ifndef CABIN_ENGINE_LOGS_H
#define CABIN_ENGINE_LOGS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/container.h"
#include "util/error.h"

struct logs_opts {
    bool follow, timestamps;
    int64_t tail;
    int64_t since, until;
    int out, err;
};

int engine_container_logs(struct engine *e, const struct engine_container *c,
                          const struct logs_opts *o, struct error **err);

/* --since/--until: RFC 3339 (with or without fraction and zone), a date
 * (YYYY-MM-DD), a unix time ("1700000000.5"), or a Go duration before now
 * ("10m", "1h30m", "2.5s").  `flag` names it in errors. */
int logs_parse_time(const char *flag, const char *s, int64_t *ret, struct error **err);

/* A Go duration ("1h30m", "10s", "250ms") in ns; -1 if it is not one. */
int64_t logs_parse_duration(const char *s);

#endif
