/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of runtime/procfs: where a mount may go in /proc (runc's
 * rule), and the checked handles and writes below /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/procfs.h"

static int check(const char *type, bool bind, const char *dest, int sfd)
{
    struct spec_mount m = {.destination = (char *) dest, .type = (char *) type, .bind = bind};
    struct error *e = NULL;
    int r = procfs_check_dest(&m, dest, sfd, &e);
    if (r < 0) {
        assert_int_equal(error_code(e), EPERM);
        assert_non_null(strstr(e->msg, "/proc"));
    }
    error_free(e);
    return r;
}

static void test_dest(void **state)
{
    assert_int_equal(check("proc", false, "/proc", -1), 0);
    assert_true(check("tmpfs", false, "/proc", -1) < 0);
    assert_true(check(NULL, true, "/proc", -1) < 0);
    /* A bind of the root of a procfs may cover /proc; of anything else not. */
    int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(proc >= 0 && sys >= 0 && tmp >= 0);
    assert_int_equal(check(NULL, true, "/proc", proc), 0);
    assert_true(check(NULL, true, "/proc", sys) < 0);
    assert_true(check(NULL, true, "/proc", tmp) < 0);
    close(proc);
    close(sys);
    close(tmp);
    /* Below /proc only what lxcfs emulates. */
    assert_int_equal(check(NULL, true, "/proc/cpuinfo", -1), 0);
    assert_int_equal(check(NULL, true, "/proc/net/dev", -1), 0);
    assert_int_equal(check(NULL, true, "/proc/sys/kernel/ns_last_pid", -1), 0);
    assert_true(check(NULL, true, "/proc/self/attr", -1) < 0);
    assert_true(check(NULL, true, "/proc/sys", -1) < 0);
    assert_true(check("tmpfs", false, "/proc/sys/kernel", -1) < 0);
    assert_true(check(NULL, true, "/proc/cpuinfo/x", -1) < 0);
    /* Not /proc at all. */
    assert_int_equal(check("tmpfs", false, "/procfoo", -1), 0);
    assert_int_equal(check("sysfs", false, "/sys", -1), 0);
}

static void test_open_and_write(void **state)
{
    struct error *e = NULL;
    int proc = procfs_open("test", &e);
    assert_true(proc >= 0);
    /* Beneath the handle only. */
    int fd = procfs_open_beneath(proc, "../etc/passwd", O_RDONLY, &e);
    assert_true(fd < 0);
    assert_int_equal(error_code(e), EXDEV);
    error_free(e);
    e = NULL;
    fd = procfs_open_beneath(proc, "self/fd/0", O_PATH, &e); /* a magic link */
    assert_true(fd < 0);
    error_free(e);
    e = NULL;
    /* A write that stays on procfs. */
    assert_int_equal(procfs_write(proc, "thread-self/comm", "test_procfs", &e), 0);
    close(proc);
    /* The host's /sys is the root of a sysfs. */
    int sys = sysfs_open("test", &e);
    assert_true(sys >= 0);
    close(sys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dest),
        cmocka_unit_test(test_open_and_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
