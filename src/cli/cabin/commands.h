/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cabin's commands: one file each (cmd_NAME.c), one entry point each,
 * called by main.c's dispatch table with the global options parsed and
 * argv starting at the command's name.  Each returns the exit status; only
 * these files and main.c print.  Options are parsed docker-style
 * (options_parse_docker).
 */
#ifndef CABIN_CLI_CABIN_COMMANDS_H
#define CABIN_CLI_CABIN_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/options.h"
#include "engine/engine.h"
#include "image/pull.h"
#include "image/registry.h"
#include "util/error.h"

struct cabin_global {
    const char *root, *runroot, *storage_driver;
    char **storage_opts;
    const char *log_level;
    bool debug, version;
};

struct cabin_ctx {
    struct cabin_global g;
    const char *self;      /* our own path (see main.c) */
    struct engine *engine; /* opened on first use */
};

struct cabin_command {
    const char *name;
    int (*run)(struct cabin_ctx *ctx, int argc, char **argv);
    const char *summary;
};

int cmd_images(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_image(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_image_inspect(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_image_prune(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_import(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_load(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_save(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_rmi(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_tag(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_system(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_run(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_create(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_start(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_stop(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_restart(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_kill(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_wait(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_pause(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_unpause(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_rename(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_attach(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_logs(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_inspect(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_ps(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_rm(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_top(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_stats(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_cp(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_container(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_container_prune(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_container_cleanup(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_exec(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_info(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_version(struct cabin_ctx *ctx, int argc, char **argv);
/* networks and volumes */
int cmd_network(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_volume(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_port(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_pull(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_push(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_login(struct cabin_ctx *ctx, int argc, char **argv);
int cmd_logout(struct cabin_ctx *ctx, int argc, char **argv);

/* ---- helpers (main.c, format.c) ---- */

/* Report `e` as "cabin: message" and return `status`. */
int cabin_fail(struct error *e, int status);

/* Parse a command's options (docker style; OPTIONS_STOP_AT_POSITIONAL in
 * `flags` for run).  On --help print it and set *ret_exit to 0; on a bad
 * option or a count of positionals outside [min, max] (max -1: any) report
 * it and set *ret_exit to `fail_status`.  Returns true to go on. */
bool cabin_parse(const char *usage, const char *description, const struct option_def *defs,
                 void *opts, int argc, char **argv, unsigned flags, int min, int max,
                 int fail_status, int *index, int *ret_exit);

/* The engine, opened on first use with the global options. */
int cabin_engine(struct cabin_ctx *ctx, struct engine **ret, struct error **err);

/* The engine, and the container `name` names (a name, an id or a unique
 * id prefix; *ret_ctr to free with engine_container_free). */
struct engine_container;
int cabin_container(struct cabin_ctx *ctx, const char *name, struct engine **ret_engine,
                    struct engine_container **ret_ctr, struct error **err);

/* Do `fn` to each container argv[i..argc) names, as stop, kill and pause
 * do: a failure is reported and the next one goes on; on success the name
 * is printed, unless `fn` printed what it had to say (`quiet`).  Returns
 * the exit status: 1 if any failed. */
typedef int (*cabin_container_fn)(struct engine *e, struct engine_container *c, void *arg,
                                  struct error **err);
int cabin_each_container(struct cabin_ctx *ctx, int argc, char **argv, int i,
                         cabin_container_fn fn, void *arg, bool quiet);

/* Our stdin (if `in`), stdout and stderr to the container's over `fd` (an
 * attach connection) until it ends (0, its code in *ret_code; the cleanup
 * done if the monitor handed it to us) or the user detaches (1); -1 when
 * the connection fails.  sig_proxy: pass our signals on (not with a tty). */
int cabin_pump(struct engine *e, struct engine_container *c, int fd, bool in, bool sig_proxy,
               const char *detach_keys, int *ret_code, struct error **err);

/* Sub-commands (`cabin image ls`): run the one named argv[1]. */
int cabin_dispatch(struct cabin_ctx *ctx, const char *group, const struct cabin_command *cmds,
                   size_t n, int argc, char **argv);

/* "WARNING: ..." on stderr for each. */
void cabin_print_warnings(char **warnings);

/* An image as `image inspect` shows it (new reference), or NULL with *err
 * (a layer's record cannot be read). */
struct image;
json_t *cabin_image_json(struct engine *e, const struct image *im, struct error **err);

/* Expand a --format template (Go's {{.A.B}}, {{json .A}}, {{index .A "k"}})
 * over `root`; *ret malloc'd. */
int cabin_template(const char *tmpl, const json_t *root, char **ret, struct error **err);

/* Print `j` on a line as a --format asks: "json" (dumped with `json_flags`)
 * or a template.  Returns 0 when printed, -1 with *err for a bad template,
 * 1 (nothing printed) when `format` is NULL or "table": the caller's own
 * layout. */
int cabin_print_format(const char *format, const json_t *j, size_t json_flags,
                       struct error **err);

/* "4.26MB", "1.2kB", "0B" (decimal units, as docker). */
void cabin_human_size(uint64_t bytes, char *buf, size_t len);
/* "1.5MiB", "2GiB" (binary units, as docker stats' memory). */
void cabin_human_size_binary(uint64_t bytes, char *buf, size_t len);
/* Ask "WARNING! WHAT Are you sure you want to continue? [y/N]"; true for y. */
bool cabin_confirm(const char *what);
/* "2 hours ago" for a unix time. */
void cabin_human_ago(int64_t when, char *buf, size_t len);
/* RFC 3339 of a unix time (UTC). */
void cabin_rfc3339(int64_t when, char *buf, size_t len);

/* A table printed as docker prints them: each column as wide as its widest
 * cell, three spaces between columns.  Add the header as the first row. */
struct cabin_table {
    size_t ncols, nrows;
    char **cells; /* nrows * ncols, malloc'd */
};
void cabin_table_add(struct cabin_table *t, const char *const *row);
/* Print (to stdout) and free the cells. */
void cabin_table_print(struct cabin_table *t);

/* ---- registries (registry.c, progress.c, cmd_pull.c) ---- */

/* The flags every registry command takes (pull, push, login, and run's
 * pulls): put CABIN_REGISTRY_OPTIONS(struct T, field) in the table, and
 * start tls_verify at -1 (not given; options.h's OPTION_TRISTATE). */
struct cabin_registry_flags {
    int tls_verify; /* -1 not given, 1 or 0 */
    const char *authfile, *creds, *cert_dir;
};
#define CABIN_REGISTRY_OPTIONS(T, f)                                                         \
    OPTION_TRISTATE("tls-verify", 0, T, f.tls_verify,                                       \
                    "require HTTPS with a verified certificate (=false: allow plain HTTP "  \
                    "and unverified TLS; default: only for loopback and insecure-registries)"), \
        OPTION_STRING("authfile", 0, T, f.authfile, "FILE",                                 \
                      "credentials file (default: ~/.config/cabin/auth.json, then "         \
                      "podman's and docker's)"),                                            \
        OPTION_STRING("creds", 0, T, f.creds, "USER:PASSWORD", "credentials to use"),       \
        OPTION_STRING("cert-dir", 0, T, f.cert_dir, "DIR",                                  \
                      "CA certificates (*.crt) and a client certificate (*.cert, *.key) "   \
                      "instead of certs.d")
void cabin_registry_opts(const struct cabin_registry_flags *f, struct registry_opts *ret);

/* Progress lines as docker draws them: on a terminal every line is
 * redrawn in place (bytes, total and speed for those that move); to a
 * file or pipe a line is printed when its status changes. */
struct cabin_progress_line {
    const char *id;     /* "c6a83fedfae6" */
    const char *status; /* "Downloading", "Pull complete" */
    uint64_t done, total;
    bool moving; /* show bytes/total and speed */
};
struct cabin_progress;
struct cabin_progress *cabin_progress_new(FILE *out);
void cabin_progress_show(struct cabin_progress *p, const struct cabin_progress_line *lines,
                         size_t n, bool final);
void cabin_progress_free(struct cabin_progress *p);

/* `cabin pull`'s work, for run and create too: docker's lines on `out`
 * ("Using default tag", "TAG: Pulling from REPO", a line per layer,
 * "Digest:", "Status:"), nothing but the name at the end when `quiet`. */
struct cabin_pull_flags {
    struct cabin_registry_flags reg;
    const char *platform;
    bool quiet;
};
int cabin_pull(struct cabin_ctx *ctx, const char *ref, const struct cabin_pull_flags *f,
               FILE *out, struct pull_result *ret, struct error **err);

#endif
