/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: `--security-opt seccomp=FILE`, a profile in docker's
 * format (or the OCI's) turned into one container's linux.seccomp by
 * seccomp_profile_convert() (src/engine/seccomp_profile.c).
 *
 * The input is the profile's JSON; the capabilities the container holds
 * come from its first bytes' hash, so rules with includes.caps and
 * excludes.caps go both ways.  Checked, beyond the error contract:
 *
 *   - the result is an object with the input's defaultAction, an
 *     architectures array, and a syscalls array of objects that each have
 *     an array of names and a string action, no more of them than the
 *     input had rules, and no includes, excludes or archMap left;
 *   - the result converted again is the same (the OCI form is a fixed
 *     point: nothing in it depends on capabilities, architecture or
 *     kernel any more).
 */
#include "engine/seccomp_profile.h"
#include "fuzz.h"
#include "util/cleanup.h"
#include "util/json.h"

static void check_shape(const json_t *in, const json_t *out)
{
    FUZZ_CHECK(json_is_object(out));
    FUZZ_CHECK(json_equal(json_object_get(out, "defaultAction"),
                          json_object_get(in, "defaultAction")));
    FUZZ_CHECK(json_is_array(json_object_get(out, "architectures")));
    FUZZ_CHECK(json_object_get(out, "archMap") == NULL);
    const json_t *calls = json_object_get(out, "syscalls");
    FUZZ_CHECK(json_is_array(calls));
    FUZZ_CHECK(json_array_size(calls) <= json_array_size(json_object_get(in, "syscalls")));
    size_t i;
    json_t *c;
    json_array_foreach(calls, i, c) {
        FUZZ_CHECK(json_is_object(c));
        FUZZ_CHECK(json_is_array(json_object_get(c, "names")));
        FUZZ_CHECK(json_is_string(json_object_get(c, "action")));
        FUZZ_CHECK(json_object_get(c, "includes") == NULL);
        FUZZ_CHECK(json_object_get(c, "excludes") == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_json json_t *j = fuzz_json(data, size);
    if (j == NULL)
        return 0;
    uint64_t caps = 0x9e3779b97f4a7c15ull;
    for (size_t k = 0; k < size && k < 16; k++)
        caps = (caps ^ data[k]) * 0x100000001b3ull;
    cleanup_error struct error *err = NULL;
    cleanup_json json_t *out = NULL;
    int r = seccomp_profile_convert(j, caps, "profile", &out, &err);
    if (r < 0) {
        fuzz_check_error(r, err);
        FUZZ_CHECK(out == NULL);
        return 0;
    }
    FUZZ_CHECK(err == NULL && out != NULL);
    check_shape(j, out);
    cleanup_json json_t *again = NULL;
    FUZZ_CHECK(seccomp_profile_convert(out, caps, "profile", &again, &err) == 0);
    FUZZ_CHECK(json_equal(out, again));
    return 0;
}
