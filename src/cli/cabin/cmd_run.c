/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "cli/cabin/create_opts.h"
#include "engine/attach.h"
#include "engine/container.h"
#include "engine/create.h"
#include "engine/lifecycle.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* docker's exit codes for what is not the container's own status. */
#define EXIT_CABIN       125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND   127

/* The process could not be started: the code the start recorded (126 or
 * 127 as docker, or 125). */
static int start_failure(struct engine *e, const struct engine_container *c)
{
    struct engine_state st;
    engine_container_state(e, c, &st);
    return st.exit_code == EXIT_NOT_FOUND || st.exit_code == EXIT_CANNOT_EXEC ? st.exit_code
                                                                                : EXIT_CABIN;
}

void cabin_print_warnings(char **warnings)
{
    for (size_t i = 0; warnings && warnings[i]; i++)
        fprintf(stderr, "WARNING: %s\n", warnings[i]);
}

/* Attached: our stdio to the container's until it ends. */
static int attached(struct engine *e, struct engine_container *c, const struct create_cli *o,
                    struct error **err)
{
    struct engine_attach_opts a = {.in = o->interactive, .out = true, .err = true,
                                   .stdin_once = o->interactive, .cleaner = true};
    cleanup_close int fd = -1;
    if (engine_container_start(e, c, &a, &fd, err) < 0)
        return -start_failure(e, c);
    int code = 0;
    int r = cabin_pump(e, c, fd, o->interactive, o->sig_proxy, o->detach_keys, &code, err);
    if (r < 0)
        return -EXIT_CABIN;
    return r == 1 ? 0 : code;
}

int cmd_run(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct create_cli c;
    create_cli_init(&c);
    int i, ex;
    if (!cabin_parse("cabin run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                     "Create and start a container from IMAGE, attached to it unless -d.  The "
                     "exit status is the command's (125: cabin failed, 126: not executable, "
                     "127: not found).",
                     create_cli_run_options, &c, argc, argv, OPTIONS_STOP_AT_POSITIONAL, 1, -1,
                     EXIT_CABIN, &i, &ex)) {
        create_cli_release(&c);
        return ex;
    }
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    int status = 0;
    struct engine_create_opts o;
    create_cli_to_opts(&c, argc, argv, i, !c.detach, &o);
    /* From here on a Ctrl-C or a TERM must not leave a half-made container:
     * they wait (blocked) until the process runs, and then go to it. */
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGINT);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGHUP);
    sigaddset(&term, SIGQUIT);
    sigprocmask(SIG_BLOCK, &term, NULL);
    cleanup_strv char **warnings = NULL;
    struct engine_container *ctr = NULL;
    if (create_cli_pull(ctx, &c, o.image, stderr, &err) < 0 || cabin_engine(ctx, &e, &err) < 0 ||
        engine_container_create(e, &o, &ctr, &warnings, &err) < 0) {
        create_cli_release(&c);
        return cabin_fail(err, EXIT_CABIN);
    }
    cabin_print_warnings(warnings);
    if (c.detach) {
        if (engine_container_start(e, ctr, NULL, NULL, &err) < 0)
            status = -start_failure(e, ctr);
        else
            printf("%s\n", ctr->id);
    } else {
        status = attached(e, ctr, &c, &err);
    }
    if (status < 0) {
        /* The process never ran: --rm still removes the container (and
         * its anonymous volumes, as --rm does). */
        if (c.rm) {
            cleanup_error struct error *e2 = NULL;
            engine_container_remove(e, ctr->id, true, true, &e2);
        }
        status = cabin_fail(err, -status);
    }
    engine_container_free(ctr);
    create_cli_release(&c);
    return status;
}
