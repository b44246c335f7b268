/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of runtime/state: ids, the state directory, state.json and the
 * computed status.  Each test gets a fresh state root under /tmp. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "runtime/state.h"
#include "util/strv.h"

struct fixture {
    char base[64];
    char root[128];
    int rootfd;
};

static int remove_all(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        remove_all(sub);
    }
    closedir(d);
    return rmdir(path);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->base, sizeof(f->base), "/tmp/cabin-state-XXXXXX");
    if (mkdtemp(f->base) == NULL)
        return -1;
    /* The root does not exist yet: state_root_open() makes it. */
    snprintf(f->root, sizeof(f->root), "%s/run/cabin", f->base);
    struct error *err = NULL;
    if (state_root_open(f->root, &f->rootfd, &err) < 0) {
        print_error("state_root_open: %s\n", err->msg);
        error_free(err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    close(f->rootfd);
    int r = remove_all(f->base);
    free(f);
    return r;
}

static void expect_err(int r, struct error **err, int code, const char *needle)
{
    if (r >= 0)
        print_error("expected an error, got %d\n", r);
    assert_true(r < 0);
    assert_non_null(*err);
    if ((*err)->code != code || (needle && strstr((*err)->msg, needle) == NULL))
        print_error("got %d `%s`, want %d with `%s`\n", (*err)->code, (*err)->msg, code,
                    needle ? needle : "");
    assert_int_equal((*err)->code, code);
    assert_int_equal(r, -code);
    if (needle)
        assert_non_null(strstr((*err)->msg, needle));
    error_free(*err);
    *err = NULL;
}

/* ---- ids ---------------------------------------------------------------- */

static void test_check_id(void **state)
{
    struct error *err = NULL;
    const char *good[] = {"a", "abc", "A-b_c.1+2", "a..b", ".a", "a.", "0", "my-container_1"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (state_check_id(good[i], &err) < 0)
            print_error("`%s` was refused: %s\n", good[i], err->msg);
        assert_null(err);
    }
    char longest[1025];
    memset(longest, 'x', 1024);
    longest[1024] = '\0';
    assert_int_equal(state_check_id(longest, &err), 0);

    const char *bad[] = {"",     ".",    "..",  "a/b", "/a",      "a b",
                         "a\nb", "../x", "a:b", "a*",  "\xc3\xa4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = state_check_id(bad[i], &err);
        if (r >= 0)
            print_error("`%s` was accepted\n", bad[i]);
        expect_err(r, &err, EINVAL, "invalid container id");
    }
    char toolong[1026];
    memset(toolong, 'x', 1025);
    toolong[1025] = '\0';
    expect_err(state_check_id(toolong, &err), &err, EINVAL, "invalid container id");
    /* The message quotes the id. */
    expect_err(state_check_id("a/b", &err), &err, EINVAL, "`a/b`");
    assert_true(state_check_id("..", NULL) < 0);
}

/* ---- the root and the container directory ----------------------------------- */

static void test_root_open(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    struct stat st;
    assert_int_equal(stat(f->root, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);

    /* Existing root. */
    int fd = -1;
    assert_int_equal(state_root_open(f->root, &fd, &err), 0);
    assert_true(fd >= 0);
    close(fd);

    /* A file in the way. */
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/file", f->base);
    close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    fd = -7;
    int r = state_root_open(p, &fd, &err);
    assert_true(r < 0);
    assert_int_equal(r, -err->code);
    assert_int_equal(fd, -7);
    error_free(err);
}

static void test_dir_create(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "c1", &dfd, &err), 0);
    assert_null(err);
    assert_true(dfd >= 0);
    struct stat st;
    assert_int_equal(fstatat(f->rootfd, "c1", &st, 0), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);

    /* It is locked exclusively. */
    int other = openat(f->rootfd, "c1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_SH | LOCK_NB), -1);
    assert_int_equal(errno, EWOULDBLOCK);

    /* A second create of the same id. */
    int dfd2 = -7;
    expect_err(state_dir_create(f->rootfd, "c1", &dfd2, &err), &err, EEXIST, "already exists");
    expect_err(state_dir_create(f->rootfd, "c1", &dfd2, &err), &err, EEXIST, "c1");
    assert_int_equal(dfd2, -7);

    close(dfd);
    /* Unlocked once closed. */
    assert_int_equal(flock(other, LOCK_SH | LOCK_NB), 0);
    close(other);
}

static void test_dir_open(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -7;
    expect_err(state_dir_open(f->rootfd, "nope", LOCK_SH, &dfd, &err), &err, ENOENT,
               "does not exist");
    expect_err(state_dir_open(f->rootfd, "../x", LOCK_SH, &dfd, &err), &err, EINVAL, "../x");
    assert_int_equal(dfd, -7);

    assert_int_equal(mkdirat(f->rootfd, "c2", 0700), 0);
    assert_int_equal(state_dir_open(f->rootfd, "c2", LOCK_SH, &dfd, &err), 0);
    int dfd2 = -1;
    /* Shared locks coexist. */
    assert_int_equal(state_dir_open(f->rootfd, "c2", LOCK_SH, &dfd2, &err), 0);
    assert_null(err);
    close(dfd);
    close(dfd2);

    /* A symlink in the root is not followed. */
    assert_int_equal(symlinkat("c2", f->rootfd, "c3"), 0);
    dfd = -7;
    int r = state_dir_open(f->rootfd, "c3", LOCK_SH, &dfd, &err);
    assert_true(r < 0);
    assert_int_equal(dfd, -7);
    error_free(err);
}

/* ---- state.json ---------------------------------------------------------- */

static struct container_state *sample(const char *id)
{
    struct container_state *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->id = strdup(id);
    s->oci_version = strdup("1.2.0");
    s->pid = 4242;
    s->start_time = 123456789ULL;
    s->bundle = strdup("/srv/bundle");
    s->rootfs = strdup("/srv/bundle/rootfs");
    s->created = strdup("2024-01-02T03:04:05.000000006Z");
    s->own_pid_ns = true;
    s->annotations = json_pack("{s:s}", "org.example", "v");
    return s;
}

static void test_write_read_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "rt", &dfd, &err), 0);
    struct container_state *w = sample("rt");
    assert_int_equal(state_write(dfd, w, &err), 0);
    assert_null(err);

    struct stat st;
    assert_int_equal(fstatat(dfd, STATE_FILE, &st, 0), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct container_state *r = NULL;
    assert_int_equal(state_read(dfd, "rt", &r, &err), 0);
    assert_null(err);
    assert_non_null(r);
    assert_string_equal(r->id, "rt");
    assert_string_equal(r->oci_version, "1.2.0");
    assert_int_equal(r->pid, 4242);
    assert_true(r->start_time == 123456789ULL);
    assert_string_equal(r->bundle, "/srv/bundle");
    assert_string_equal(r->rootfs, "/srv/bundle/rootfs");
    assert_string_equal(r->created, "2024-01-02T03:04:05.000000006Z");
    assert_true(r->own_pid_ns);
    assert_non_null(r->annotations);
    assert_true(json_equal(r->annotations, w->annotations));
    state_free(r);

    /* Without annotations, and own_pid_ns false. */
    json_decref(w->annotations);
    w->annotations = NULL;
    w->own_pid_ns = false;
    w->start_time = 18446744073709551ULL;
    assert_int_equal(state_write(dfd, w, &err), 0);
    r = NULL;
    assert_int_equal(state_read(dfd, "rt", &r, &err), 0);
    assert_false(r->own_pid_ns);
    assert_null(r->annotations);
    assert_true(r->start_time == 18446744073709551ULL);
    state_free(r);
    state_free(w);
    close(dfd);
}

static void test_read_without_state_file(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "young", &dfd, &err), 0);
    struct container_state *s = NULL;
    assert_int_equal(state_read(dfd, "young", &s, &err), 0);
    assert_null(err);
    assert_non_null(s);
    assert_int_equal(s->pid, 0);
    assert_string_equal(s->id, "young");
    assert_int_equal(state_status(dfd, s), STATUS_CREATING);
    json_t *j = state_to_json(s, STATUS_CREATING);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "creating");
    json_decref(j);
    state_free(s);
    close(dfd);
}

static void write_raw(int dfd, const char *text)
{
    int fd = openat(dfd, STATE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
}

static void test_read_corrupt(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "broken", &dfd, &err), 0);
    struct container_state *s = (struct container_state *) 0x1;

    write_raw(dfd, "{\"ociVersion\": \"1.2.0\", ");
    expect_err(state_read(dfd, "broken", &s, &err), &err, EINVAL, "`broken`");
    write_raw(dfd, "{\"ociVersion\": \"1.2.0\", ");
    expect_err(state_read(dfd, "broken", &s, &err), &err, EINVAL, "line 1");

    /* Well-formed JSON without the fields. */
    write_raw(dfd, "{\"ociVersion\": \"1.2.0\"}");
    expect_err(state_read(dfd, "broken", &s, &err), &err, EINVAL, "`broken`");
    write_raw(dfd, "{\"ociVersion\": \"1.2.0\"}");
    expect_err(state_read(dfd, "broken", &s, &err), &err, EINVAL, "pid");

    /* A wrong type. */
    write_raw(dfd, "{\"ociVersion\": \"1.2.0\", \"pid\": \"12\", \"pidStartTime\": 1, "
                   "\"bundle\": \"/b\", \"rootfs\": \"/b/r\", \"created\": \"x\"}");
    expect_err(state_read(dfd, "broken", &s, &err), &err, EINVAL, "pid: expected an integer");

    /* Not an object at all. */
    write_raw(dfd, "[1, 2]");
    int r = state_read(dfd, "broken", &s, &err);
    assert_true(r < 0);
    assert_non_null(strstr(err->msg, "`broken`"));
    error_free(err);
    err = NULL;

    assert_ptr_equal(s, (struct container_state *) 0x1);
    close(dfd);
}

/* ---- status --------------------------------------------------------------- */

/* Field 22 of /proc/PID/stat, parsed independently of the code under test. */
static unsigned long long start_time_of(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    assert_non_null(p);
    unsigned long long v = 0;
    /* After ") ": state, then fields 4..21, then 22. */
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        field++;
        if (field == 22) {
            v = strtoull(tok, NULL, 10);
            break;
        }
    }
    return v;
}

static void test_pid_start_time(void **state)
{
    unsigned long long mine = state_pid_start_time(getpid());
    assert_true(mine > 0);
    assert_true(mine == start_time_of(getpid()));
    /* A pid that cannot exist. */
    assert_true(state_pid_start_time(0x3fffffff) == 0);
}

static void test_status_dead_and_zombie(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "dead", &dfd, &err), 0);
    struct container_state *s = sample("dead");

    /* A child that is a zombie (exited, not reaped) is stopped. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t) child, &si, WEXITED | WNOWAIT), 0);
    s->pid = child;
    s->start_time = 1; /* whatever: a zombie has none */
    assert_true(state_pid_start_time(child) == 0);
    assert_int_equal(state_status(dfd, s), STATUS_STOPPED);

    /* Reaped: gone, and the recorded start time does not match anything. */
    assert_int_equal(waitpid(child, NULL, 0), child);
    s->start_time = 987654321ULL;
    assert_int_equal(state_status(dfd, s), STATUS_STOPPED);

    /* A live pid with a start time that is not its own (a reused pid). */
    s->pid = getpid();
    s->start_time = start_time_of(getpid()) + 1;
    assert_int_equal(state_status(dfd, s), STATUS_STOPPED);

    /* pid 0: still being created. */
    s->pid = 0;
    assert_int_equal(state_status(dfd, s), STATUS_CREATING);
    state_free(s);
    close(dfd);
}

static void test_status_live(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "live", &dfd, &err), 0);
    struct container_state *s = sample("live");
    s->pid = getpid();
    s->start_time = start_time_of(getpid());
    assert_int_equal(state_status(dfd, s), STATUS_RUNNING);

    /* While exec.sock is there the init waits for `start`. */
    int fd = openat(dfd, STATE_EXEC_SOCK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(state_status(dfd, s), STATUS_CREATED);
    assert_int_equal(unlinkat(dfd, STATE_EXEC_SOCK, 0), 0);
    assert_int_equal(state_status(dfd, s), STATUS_RUNNING);

    /* A dangling symlink named exec.sock counts as present (not followed). */
    assert_int_equal(symlinkat("/nonexistent", dfd, STATE_EXEC_SOCK), 0);
    assert_int_equal(state_status(dfd, s), STATUS_CREATED);
    state_free(s);
    close(dfd);
}

static void test_status_names(void **state)
{
    assert_string_equal(state_status_name(STATUS_CREATING), "creating");
    assert_string_equal(state_status_name(STATUS_CREATED), "created");
    assert_string_equal(state_status_name(STATUS_RUNNING), "running");
    assert_string_equal(state_status_name(STATUS_STOPPED), "stopped");
}

/* ---- listing and removal ---------------------------------------------------- */

static void test_list_ids(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    char **ids = NULL;
    assert_int_equal(state_list_ids(f->rootfd, &ids, &err), 0);
    assert_non_null(ids);
    assert_null(ids[0]);
    strv_free(ids);

    const char *dirs[] = {"zeta", "alpha", "Beta", "c-1", "c.2", ".hidden", "bad name", "a:b"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        assert_int_equal(mkdirat(f->rootfd, dirs[i], 0700), 0);
    /* Not directories: skipped. */
    close(openat(f->rootfd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    assert_int_equal(symlinkat("alpha", f->rootfd, "link"), 0);

    ids = NULL;
    assert_int_equal(state_list_ids(f->rootfd, &ids, &err), 0);
    assert_null(err);
    const char *want[] = {"Beta", "alpha", "c-1", "c.2", "zeta"};
    size_t n = strv_length(ids);
    if (n != 5)
        for (size_t i = 0; i < n; i++)
            print_error("ids[%zu] = %s\n", i, ids[i]);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(ids[i], want[i]);
    strv_free(ids);
}

static void test_dir_remove(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int dfd = -1;
    assert_int_equal(state_dir_create(f->rootfd, "gone", &dfd, &err), 0);
    struct container_state *s = sample("gone");
    assert_int_equal(state_write(dfd, s, &err), 0);
    close(openat(dfd, STATE_EXEC_SOCK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    state_free(s);
    close(dfd);
    assert_int_equal(state_dir_remove(f->rootfd, "gone", &err), 0);
    assert_null(err);
    struct stat st;
    assert_int_equal(fstatat(f->rootfd, "gone", &st, AT_SYMLINK_NOFOLLOW), -1);
    assert_int_equal(errno, ENOENT);
}

/* ---- the OCI state object ------------------------------------------------- */

static void test_to_json(void **state)
{
    struct container_state *s = sample("js");
    json_t *j = state_to_json(s, STATUS_RUNNING);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "ociVersion")), "1.2.0");
    assert_string_equal(json_string_value(json_object_get(j, "id")), "js");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "running");
    assert_int_equal(json_integer_value(json_object_get(j, "pid")), 4242);
    assert_string_equal(json_string_value(json_object_get(j, "bundle")), "/srv/bundle");
    assert_string_equal(json_string_value(json_object_get(j, "rootfs")), "/srv/bundle/rootfs");
    assert_string_equal(json_string_value(json_object_get(j, "created")),
                        "2024-01-02T03:04:05.000000006Z");
    assert_true(json_equal(json_object_get(j, "annotations"), s->annotations));
    json_decref(j);

    j = state_to_json(s, STATUS_CREATED);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "created");
    assert_int_equal(json_integer_value(json_object_get(j, "pid")), 4242);
    json_decref(j);

    /* Stopped: no pid to report. */
    j = state_to_json(s, STATUS_STOPPED);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "stopped");
    assert_int_equal(json_integer_value(json_object_get(j, "pid")), 0);
    json_decref(j);

    /* A bare state: defaults, and annotations is always an object. */
    struct container_state bare = {.id = (char *) "b"};
    j = state_to_json(&bare, STATUS_CREATING);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "ociVersion")), CABIN_OCI_VERSION);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "b");
    assert_true(json_is_string(json_object_get(j, "bundle")));
    assert_true(json_is_object(json_object_get(j, "annotations")));
    assert_int_equal(json_object_size(json_object_get(j, "annotations")), 0);
    json_decref(j);
    state_free(s);
}

static void test_now_rfc3339(void **state)
{
    char buf[64];
    state_now_rfc3339(buf, sizeof(buf));
    /* 2024-01-02T03:04:05.123456789Z */
    assert_int_equal(strlen(buf), 30);
    assert_int_equal(buf[4], '-');
    assert_int_equal(buf[10], 'T');
    assert_int_equal(buf[19], '.');
    assert_int_equal(buf[29], 'Z');
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_id),
        T(test_root_open),
        T(test_dir_create),
        T(test_dir_open),
        T(test_write_read_roundtrip),
        T(test_read_without_state_file),
        T(test_read_corrupt),
        cmocka_unit_test(test_pid_start_time),
        T(test_status_dead_and_zombie),
        T(test_status_live),
        cmocka_unit_test(test_status_names),
        T(test_list_ids),
        T(test_dir_remove),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_now_rfc3339),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
