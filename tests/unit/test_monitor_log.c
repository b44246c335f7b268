/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the monitor's log writer (src/monitor/logfile): docker's
 * json-file lines, valid JSON whatever the output was, rotation by size. */
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
#include <jansson.h>

#include "monitor/logfile.h"
#include "monitor/protocol.h"

static char dir[64];
static int dfd;

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/cabin-test-log.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    dfd = open(dir, O_PATH | O_DIRECTORY);
    return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    close(dfd);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every line of `name` as JSON; the concatenated "log" texts in *text. */
static size_t read_log(const char *name, char *text, size_t len)
{
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[65536];
    size_t n = 0, used = 0;
    text[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        json_error_t je;
        json_t *j = json_loads(line, JSON_ALLOW_NUL, &je);
        if (j == NULL)
            fail_msg("line %zu is not JSON: %s (%s)", n + 1, je.text, line);
        const char *stream = json_string_value(json_object_get(j, "stream"));
        assert_true(strcmp(stream, "stdout") == 0 || strcmp(stream, "stderr") == 0);
        const char *when = json_string_value(json_object_get(j, "time"));
        assert_int_equal(strlen(when), 30); /* 2024-05-01T10:00:00.123456789Z */
        size_t l = json_string_length(json_object_get(j, "log"));
        assert_true(used + l < len);
        memcpy(text + used, json_string_value(json_object_get(j, "log")), l);
        used += l;
        text[used] = '\0';
        json_decref(j);
        n++;
    }
    fclose(f);
    return n;
}

static void test_lines(void **state)
{
    struct logfile l;
    assert_int_equal(logfile_open(&l, dfd, 0, 1), 0);
    struct timespec ts = {1700000000, 5};
    const char out[] = "one\ntwo \"quoted\" \\ \t\nthree no newline";
    logfile_write(&l, "stdout", out, strlen(out), &ts);
    logfile_write(&l, "stderr", "err\n", 4, &ts);
    char text[4096];
    assert_int_equal(read_log(MONITOR_LOG, text, sizeof(text)), 4);
    assert_string_equal(text, "one\ntwo \"quoted\" \\ \t\nthree no newlineerr\n");
    char when[48];
    logfile_time(&ts, when, sizeof(when));
    assert_string_equal(when, "2023-11-14T22:13:20.000000005Z");
    close(l.fd);
    unlinkat(dfd, MONITOR_LOG, 0);
}

static void test_binary(void **state)
{
    struct logfile l;
    assert_int_equal(logfile_open(&l, dfd, 0, 1), 0);
    struct timespec ts = {1, 0};
    /* invalid UTF-8, control characters, NUL, a valid 4-byte sequence */
    const char out[] = "a\xff" "b\x01" "c\x00" "d\xf0\x9f\x98\x80\xc3\n";
    logfile_write(&l, "stdout", out, sizeof(out) - 1, &ts);
    char text[4096];
    assert_int_equal(read_log(MONITOR_LOG, text, sizeof(text)), 1);
    assert_memory_equal(text, "a\xef\xbf\xbd" "b\x01" "c", 7);
    close(l.fd);
    unlinkat(dfd, MONITOR_LOG, 0);
    /* a long line is split in entries that each fit */
    assert_int_equal(logfile_open(&l, dfd, 0, 1), 0);
    static char big[20000];
    memset(big, '"', sizeof(big) - 1);
    logfile_write(&l, "stdout", big, sizeof(big) - 1, &ts);
    static char back[30000];
    assert_true(read_log(MONITOR_LOG, back, sizeof(back)) >= 3);
    assert_int_equal(strlen(back), sizeof(big) - 1);
    close(l.fd);
    unlinkat(dfd, MONITOR_LOG, 0);
}

static void test_rotation(void **state)
{
    struct logfile l;
    assert_int_equal(logfile_open(&l, dfd, 4096, 3), 0);
    struct timespec ts = {1, 0};
    char line[100];
    for (int i = 0; i < 300; i++) {
        int n = snprintf(line, sizeof(line), "line %d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", i);
        logfile_write(&l, "stdout", line, (size_t) n, &ts);
    }
    struct stat st;
    const char *files[] = {MONITOR_LOG, MONITOR_LOG ".1", MONITOR_LOG ".2"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(fstatat(dfd, files[i], &st, 0), 0);
        assert_true(st.st_size <= 4096);
    }
    assert_true(fstatat(dfd, MONITOR_LOG ".3", &st, 0) < 0);
    static char text[65536];
    read_log(MONITOR_LOG, text, sizeof(text));
    assert_non_null(strstr(text, "line 299 "));
    close(l.fd);
    /* max-file 1: the file starts again, alone */
    for (size_t i = 0; i < 3; i++)
        unlinkat(dfd, files[i], 0);
    assert_int_equal(logfile_open(&l, dfd, 4096, 1), 0);
    for (int i = 0; i < 300; i++)
        logfile_write(&l, "stdout", "0123456789012345678901234567890123456789\n", 41, &ts);
    assert_int_equal(fstatat(dfd, MONITOR_LOG, &st, 0), 0);
    assert_true(st.st_size <= 4096);
    assert_true(fstatat(dfd, MONITOR_LOG ".1", &st, 0) < 0);
    close(l.fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_rotation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
