/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: config.json, parsed as `create` parses it.
 *
 * The input is the file's bytes.  They go through json_load_string() and
 * spec_from_json() (what spec_load() does after reading the file), then,
 * as prepare() in container.c does before anything is made on the host,
 * hooks_validate() on `hooks` and cgroup_resources_parse() on
 * `linux.resources`.  Checked: an error always comes with a message and a
 * negative errno; a spec that parses keeps the promises of spec.h (absolute
 * cleaned paths, a program to run, joined namespaces by absolute path).
 */
#include <errno.h>

#include "fuzz.h"
#include "runtime/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"

static void check_spec(const struct spec *s)
{
    FUZZ_CHECK(s->oci_version && strncmp(s->oci_version, "1.", 2) == 0);
    FUZZ_CHECK(s->root_path && s->root_path[0] != '\0');
    if (s->process) {
        FUZZ_CHECK(s->process->args && s->process->args[0]);
        FUZZ_CHECK(s->process->cwd && s->process->cwd[0] == '/');
        for (size_t i = 0; i < s->process->n_rlimits; i++)
            FUZZ_CHECK(s->process->rlimits[i].soft <= s->process->rlimits[i].hard);
    }
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        FUZZ_CHECK(m->destination && m->destination[0] == '/');
        FUZZ_CHECK(strstr(m->destination, "//") == NULL);
        FUZZ_CHECK(m->type || m->bind);
        FUZZ_CHECK(!m->bind || m->source);
    }
    for (size_t i = 0; i < s->n_devices; i++)
        FUZZ_CHECK(s->devices[i].path && s->devices[i].path[0] == '/');
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        FUZZ_CHECK(s->ns[i].path == NULL || (s->ns[i].enabled && s->ns[i].path[0] == '/'));
    FUZZ_CHECK(!s->hostname || s->ns[SPEC_NS_UTS].enabled);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SPEC_MAX_SIZE)
        return 0; /* spec_load() refuses larger files before parsing */
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    cleanup_error struct error *err = NULL;
    cleanup_spec struct spec *s = NULL;
    int r = spec_from_json(j, &s, &err);
    if (r < 0) {
        fuzz_check_error(r, err);
        FUZZ_CHECK(s == NULL);
        return 0;
    }
    FUZZ_CHECK(s != NULL && err == NULL);
    check_spec(s);
    if (s->hooks) {
        r = hooks_validate(s->hooks, &err);
        if (r < 0) {
            fuzz_check_error(r, err);
            return 0;
        }
    }
    json_t *empty = json_object();
    struct cgroup_resources *res = NULL;
    r = cgroup_resources_parse(s->resources ? s->resources : empty, "config.json: linux.resources",
                               &res, &err);
    json_decref(empty);
    if (r < 0)
        fuzz_check_error(r, err);
    else
        FUZZ_CHECK(res != NULL);
    cgroup_resources_free(res);
    return 0;
}
