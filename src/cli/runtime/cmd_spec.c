/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/commands.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"

struct spec_opts {
    const char *bundle;
    bool rootless;
    const char *seccomp;
    char **cap_add;
};

static const struct option_def spec_options[] = {
    OPTION_STRING("bundle", 'b', struct spec_opts, bundle, "DIR",
                  "write config.json in DIR (default: the current directory)"),
    OPTION_BOOL("rootless", 0, struct spec_opts, rootless,
                "a config for a user namespace mapping the caller's ids"),
    OPTION_STRLIST("cap-add", 0, struct spec_opts, cap_add, "CAP",
                   "add a capability to the process (repeatable), before --seccomp"),
    OPTION_STRING("seccomp", 0, struct spec_opts, seccomp, "PROFILE",
                  "`default`: Docker's default seccomp profile for the config's capabilities; "
                  "`unconfined`: none (as without this option)"),
    OPTION_END,
};

static void spec_opts_release(struct spec_opts *o)
{
    strv_free(o->cap_add);
}

int cmd_spec(const struct global_opts *g, int argc, char **argv)
{
    __attribute__((cleanup(spec_opts_release))) struct spec_opts o = {0};
    int i, ex;
    if (!cli_parse("cabin-runtime spec [--bundle DIR] [--rootless] [--cap-add CAP]... [--seccomp PROFILE]",
                   "Write a default config.json for a bundle.  An existing one is not replaced.",
                   spec_options, &o, argc, argv, &i, 0, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    bool seccomp_default = o.seccomp && strcmp(o.seccomp, "default") == 0;
    if (o.seccomp && !seccomp_default && strcmp(o.seccomp, "unconfined") != 0) {
        error_new(&err, EINVAL, "--seccomp: unknown profile `%s` (default, unconfined)",
                  o.seccomp);
        return cli_fail(err);
    }
    const char *dir = o.bundle ? o.bundle : ".";
    cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        error_errno(&err, "--bundle `%s`", dir);
        return cli_fail(err);
    }
    if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        error_new(&err, EEXIST, "`%s/config.json` already exists; remove it first", dir);
        return cli_fail(err);
    }
    cleanup_json json_t *j = spec_default(o.rootless);
    for (size_t k = 0; j && o.cap_add && o.cap_add[k]; k++)
        if (spec_add_capability(j, o.cap_add[k], &err) < 0) {
            error_wrap(&err, "--cap-add `%s`", o.cap_add[k]);
            return cli_fail(err);
        }
    if (j && seccomp_default && spec_set_default_seccomp(j, &err) < 0)
        return cli_fail(err);
    if (j == NULL || json_write_file_at(dfd, "config.json", j, JSON_INDENT(8), 0644, &err) < 0) {
        if (err == NULL)
            error_new(&err, ENOMEM, "making the default spec");
        return cli_fail(err);
    }
    return 0;
}
