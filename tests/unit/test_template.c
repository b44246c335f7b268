/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of cabin's --format templates (src/cli/cabin/format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cabin/commands.h"

static void check(const json_t *root, const char *tmpl, const char *want)
{
    char *out = NULL;
    struct error *err = NULL;
    if (cabin_template(tmpl, root, &out, &err) < 0)
        fail_msg("%s: %s", tmpl, err->msg);
    assert_string_equal(out, want);
    free(out);
}

static void test_template(void **state)
{
    json_error_t je;
    json_t *j = json_loads("{\"Id\": \"abc\", \"State\": {\"Status\": \"running\", \"Pid\": 7,"
                           " \"OOMKilled\": false}, \"Config\": {\"Cmd\": [\"sh\", \"-c\"],"
                           " \"Labels\": {\"a\": \"1\"}, \"Entrypoint\": null}}",
                           0, &je);
    assert_non_null(j);
    check(j, "{{.Id}}", "abc");
    check(j, "id={{ .Id }} st={{.State.Status}} pid={{.State.Pid}}", "id=abc st=running pid=7");
    check(j, "{{.State.OOMKilled}}", "false");
    check(j, "{{json .Config.Cmd}}", "[\"sh\",\"-c\"]");
    check(j, "{{.Config.Cmd}}", "[sh -c]");
    check(j, "{{.Config.Labels}}", "map[a:1]");
    check(j, "{{index .Config.Labels \"a\"}}", "1");
    check(j, "{{.Nope}}", "<no value>");
    check(j, "{{.Config.Entrypoint}}", "<nil>");
    check(j, "{{.Id}}\\t{{.State.Pid}}", "abc\t7");
    check(j, "plain", "plain");
    char *out = NULL;
    struct error *err = NULL;
    assert_true(cabin_template("{{.Id", j, &out, &err) < 0);
    assert_non_null(strstr(err->msg, "without `}}`"));
    error_free(err);
    err = NULL;
    assert_true(cabin_template("{{range .X}}", j, &out, &err) < 0);
    assert_non_null(strstr(err->msg, "not supported"));
    error_free(err);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_template)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
