/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The values of `cabin run`/`create` flags, parsed the way docker parses
 * them.  Pure functions (no I/O but flags_read_kv_file): each checks its
 * input strictly and fails with an error that names the flag and the value.
 */
#ifndef CABIN_ENGINE_FLAGS_H
#define CABIN_ENGINE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* A size as docker's --memory and --shm-size take it: a number with an
 * optional unit b, k, m, g, t or p (case-insensitive, powers of 1024, an
 * optional trailing "b": "64m", "1.5g", "512kb").  `flag` names it. */
int flags_parse_bytes(const char *flag, const char *s, int64_t *ret, struct error **err);

/* --cpus: a decimal number of CPUs ("0.5", "2") as nano-CPUs (1e9 each). */
int flags_parse_cpus(const char *s, int64_t *ret_nano, struct error **err);

/* A decimal integer in [min, max] ("--pids-limit"). */
int flags_parse_int(const char *flag, const char *s, int64_t min, int64_t max, int64_t *ret,
                    struct error **err);

/* --ulimit NAME=SOFT[:HARD] (hard = soft when absent; -1 or "unlimited"
 * for no limit).  Names as docker's: core, cpu, data, fsize, locks,
 * memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending,
 * stack, as. */
struct flags_ulimit {
    char name[16];
    int resource;    /* RLIMIT_* */
    uint64_t soft, hard;
};
int flags_parse_ulimit(const char *s, struct flags_ulimit *ret, struct error **err);
/* "RLIMIT_NOFILE" for a name of flags_parse_ulimit. */
const char *flags_rlimit_oci_name(int resource);

/* --restart no | on-failure[:N] | always | unless-stopped. */
enum flags_restart { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };
struct flags_restart_policy {
    enum flags_restart name;
    int max_retries; /* on-failure only; 0 = no limit */
};
int flags_parse_restart(const char *s, struct flags_restart_policy *ret, struct error **err);
const char *flags_restart_name(enum flags_restart r);

/* A capability for --cap-add/--cap-drop: "NET_ADMIN", "cap_net_admin",
 * "CAP_NET_ADMIN", or "ALL" (returns 64, ret_name "ALL").  *ret_name is
 * the canonical "CAP_NET_ADMIN" (static storage). */
#define FLAGS_CAP_ALL 64
int flags_parse_cap(const char *flag, const char *s, int *ret, const char **ret_name,
                    struct error **err);
/* The canonical name of capability `cap` ("CAP_CHOWN"), or NULL. */
const char *flags_cap_name(int cap);
/* The highest capability number this kernel knows. */
int flags_cap_last(void);

/* --security-opt: no-new-privileges[:true|false], seccomp=unconfined|FILE,
 * apparmor=PROFILE, label=disable|user:..|role:..|type:..|level:.. */
struct flags_security {
    bool no_new_privileges;
    bool seccomp_unconfined;
    const char *seccomp_file;  /* points into the option */
    const char *apparmor;      /* points into the option */
    bool label_disable;
    char *label_user, *label_role, *label_type, *label_level; /* malloc'd */
};
int flags_parse_security_opt(const char *s, struct flags_security *sec, struct error **err);
void flags_security_release(struct flags_security *sec);

/* --log-opt max-size=SIZE | max-file=N (json-file's options). */
struct flags_log {
    int64_t max_size; /* 0: no limit */
    int max_files;    /* >= 1 */
};
int flags_parse_log_opt(const char *s, struct flags_log *log, struct error **err);

/* A container name as docker allows them: [a-zA-Z0-9][a-zA-Z0-9_.-]+, at
 * most 253 characters; a leading "/" is dropped (docker shows names so). */
#define FLAGS_NAME_MAX 253
int flags_check_name(const char *s, struct error **err);

/* KEY=VALUE lines of an --env-file or --label-file: blank lines and lines
 * starting with "#" are skipped, leading white space is dropped; a line
 * without "=" is a bare KEY (for --env-file: the caller's value of it).
 * Appends to *lines. */
int flags_parse_kv_text(const char *flag, const char *path, const char *text,
                        char ***lines, struct error **err);
/* The same, reading the file (at most 1 MiB). */
int flags_read_kv_file(const char *flag, const char *path, char ***lines, struct error **err);

#endif
