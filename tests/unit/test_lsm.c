/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of runtime/lsm: detection against fake /sys trees (AppArmor
 * or SELinux on and off), the plan for a spec, the exec labels refused
 * through a /proc that is not procfs, and written through the real one,
 * and the mount label as a context= option.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/lsm.h"
#include "util/fs.h"

static char root[64];

static int make_tree(void **state)
{
    snprintf(root, sizeof(root), "/tmp/cabin-test-lsm.XXXXXX");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int remove_tree(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* ROOT/path with `content` (NULL: remove it). */
static void put(const char *path, const char *content)
{
    char full[256], dir[256];
    snprintf(full, sizeof(full), "%s/%s", root, path);
    if (content == NULL) {
        unlink(full);
        return;
    }
    snprintf(dir, sizeof(dir), "%s", full);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(fs_mkdir_p(dir, 0755, NULL), 0);
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void test_detect(void **state)
{
    struct lsm_state st;
    lsm_detect(root, &st);
    assert_false(st.apparmor);
    assert_false(st.selinux);
    /* Module parameter and selinuxfs, without securityfs. */
    put("sys/module/apparmor/parameters/enabled", "Y\n");
    lsm_detect(root, &st);
    assert_true(st.apparmor);
    assert_false(st.selinux);
    put("sys/module/apparmor/parameters/enabled", "N\n");
    put("sys/fs/selinux/enforce", "1");
    lsm_detect(root, &st);
    assert_false(st.apparmor);
    assert_true(st.selinux);
    /* securityfs's list wins when it is there. */
    put("sys/kernel/security/lsm", "lockdown,capability,apparmor,bpf\n");
    lsm_detect(root, &st);
    assert_true(st.apparmor);
    assert_false(st.selinux);
    put("sys/kernel/security/lsm", "capability,selinux");
    lsm_detect(root, &st);
    assert_false(st.apparmor);
    assert_true(st.selinux);
    put("sys/kernel/security/lsm", "capability,apparmorx,landlock");
    lsm_detect(root, &st);
    assert_false(st.apparmor);
    assert_false(st.selinux);
}

static struct spec_process proc_with(const char *aa, const char *se)
{
    struct spec_process p = {.apparmor_profile = (char *) aa, .selinux_label = (char *) se};
    return p;
}

static void test_plan(void **state)
{
    struct spec_process p = proc_with("cabin-aa", "system_u:system_r:container_t:s0");
    struct spec s = {.process = &p,
                     .mount_label = (char *) "system_u:object_r:container_file_t:s0"};
    struct lsm_plan plan;
    struct lsm_state off = {0}, aa = {.apparmor = true}, se = {.selinux = true};
    lsm_plan(&off, &s, &plan);
    assert_null(plan.apparmor_profile);
    assert_null(plan.selinux_label);
    assert_null(plan.mount_label);
    lsm_plan(&aa, &s, &plan);
    assert_string_equal(plan.apparmor_profile, "cabin-aa");
    assert_null(plan.selinux_label);
    assert_null(plan.mount_label);
    lsm_plan(&se, &s, &plan);
    assert_null(plan.apparmor_profile);
    assert_string_equal(plan.selinux_label, "system_u:system_r:container_t:s0");
    assert_string_equal(plan.mount_label, "system_u:object_r:container_file_t:s0");
}

static void test_apply_needs_procfs(void **state)
{
    /* A fake /proc with the attribute files in place: nothing is written
     * to it (CVE-2019-16884). */
    put("proc/thread-self/attr/apparmor/exec", "");
    put("proc/thread-self/attr/exec", "");
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/proc", root);
    int fake = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(fake >= 0);
    struct lsm_plan plan = {.apparmor_profile = "cabin-aa"};
    struct error *e = NULL;
    assert_true(lsm_apply_exec_at(fake, &plan, &e) < 0);
    assert_int_equal(error_code(e), EPERM);
    assert_non_null(strstr(e->msg, "not the root of a proc mount"));
    error_free(e);
    e = NULL;
    close(fake);
    char attr[192], buf[16] = "";
    snprintf(attr, sizeof(attr), "%s/proc/thread-self/attr/apparmor/exec", root);
    FILE *f = fopen(attr, "r");
    assert_non_null(f);
    assert_null(fgets(buf, sizeof(buf), f));
    fclose(f);

    /* Nothing to apply: nothing is checked or written. */
    struct lsm_plan none = {0};
    assert_int_equal(lsm_apply_exec_at(-1, &none, &e), 0);
}

static void test_apply_real_proc(void **state)
{
    /* Through the real /proc the write reaches the kernel, which refuses a
     * label for an LSM it does not run (here neither is on): the error
     * names the field. */
    struct lsm_state host;
    lsm_detect("/", &host);
    if (host.apparmor || host.selinux)
        skip(); /* would change this process's label */
    struct error *e = NULL;
    struct lsm_plan aa = {.apparmor_profile = "cabin-no-such-profile"};
    assert_true(lsm_apply_exec(&aa, &e) < 0);
    assert_non_null(strstr(e->msg, "process.apparmorProfile"));
    error_free(e);
    e = NULL;
    struct lsm_plan se = {.selinux_label = "system_u:system_r:no_such_t:s0"};
    assert_true(lsm_apply_exec(&se, &e) < 0);
    assert_non_null(strstr(e->msg, "process.selinuxLabel"));
    error_free(e);
}

static void test_mount_data(void **state)
{
    struct lsm_plan off = {0}, on = {.mount_label = "system_u:object_r:container_file_t:s0"};
    struct spec_mount tmpfs = {.type = (char *) "tmpfs"}, proc = {.type = (char *) "proc"};
    struct spec_mount bind = {.type = (char *) "bind", .bind = true};
    char *d = NULL;
    assert_int_equal(lsm_mount_data(&off, &tmpfs, "mode=755", &d, NULL), 0);
    assert_null(d);
    assert_int_equal(lsm_mount_data(&on, &tmpfs, "mode=755", &d, NULL), 0);
    assert_string_equal(d, "mode=755,context=\"system_u:object_r:container_file_t:s0\"");
    free(d);
    assert_int_equal(lsm_mount_data(&on, &tmpfs, NULL, &d, NULL), 0);
    assert_string_equal(d, "context=\"system_u:object_r:container_file_t:s0\"");
    free(d);
    assert_int_equal(lsm_mount_data(&on, &proc, NULL, &d, NULL), 0);
    assert_null(d);
    assert_int_equal(lsm_mount_data(&on, &bind, NULL, &d, NULL), 0);
    assert_null(d);
    /* The masks' own tmpfs. */
    assert_int_equal(lsm_mount_data(&on, NULL, "size=0", &d, NULL), 0);
    assert_string_equal(d, "size=0,context=\"system_u:object_r:container_file_t:s0\"");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_apply_needs_procfs),
        cmocka_unit_test(test_apply_real_proc),
        cmocka_unit_test(test_mount_data),
    };
    return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
