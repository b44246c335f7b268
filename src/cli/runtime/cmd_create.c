/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime/commands.h"

struct create_cli {
    const char *bundle, *pid_file, *console_socket;
    unsigned int preserve_fds;
    bool no_pivot, no_new_keyring;
};

static const struct option_def create_options[] = {
    OPTION_STRING("bundle", 'b', struct create_cli, bundle, "DIR",
                  "the bundle (default: the current directory)"),
    OPTION_STRING("pid-file", 0, struct create_cli, pid_file, "FILE",
                  "write the init's pid to FILE"),
    OPTION_STRING("console-socket", 0, struct create_cli, console_socket, "PATH",
                  "unix socket to send the terminal's master fd to"),
    OPTION_UINT("preserve-fds", 0, struct create_cli, preserve_fds, "N",
                "pass N more fds (from 3) to the process"),
    OPTION_BOOL("no-pivot", 0, struct create_cli, no_pivot,
                "MS_MOVE + chroot instead of pivot_root (for a ramfs root)"),
    OPTION_BOOL("no-new-keyring", 0, struct create_cli, no_new_keyring,
                "keep the caller's session keyring"),
    OPTION_END,
};

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
    struct create_cli c = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime create [OPTIONS] ID",
                   "Create a container from a bundle.  Its process waits until `start`.",
                   create_options, &c, argc, argv, &i, 1, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    unsigned int listen_fds = 0;
    if (cli_listen_fds(&listen_fds, &err) < 0)
        return cli_fail(err);
    struct runtime *rt = NULL;
    if (cli_open_runtime(g, &rt, &err) < 0)
        return cli_fail(err);
    struct container_opts o = {
        .bundle = c.bundle,
        .pid_file = c.pid_file,
        .console_socket = c.console_socket,
        .no_pivot = c.no_pivot,
        .no_new_keyring = c.no_new_keyring,
        .preserve_fds = c.preserve_fds,
        .listen_fds = listen_fds,
    };
    int r = container_create(rt, argv[i], &o, &err);
    runtime_free(rt);
    return r < 0 ? cli_fail(err) : 0;
}
