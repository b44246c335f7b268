/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of util/fs: path cleaning, resolution inside a root, atomic
 * writes, bounded reads, tree removal and mkdir -p.  Each test gets a fresh
 * temporary directory BASE holding BASE/root (the "container root") and
 * BASE/outside (the "host" next to it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/error.h"
#include "util/fs.h"

struct fixture {
    char base[64];
    char root[128];
    char outside[128];
    int basefd;
    int rootfd;
};

static int remove_all(const char *path);

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->base, sizeof(f->base), "/tmp/cabin-fs-XXXXXX");
    if (mkdtemp(f->base) == NULL)
        return -1;
    snprintf(f->root, sizeof(f->root), "%s/root", f->base);
    snprintf(f->outside, sizeof(f->outside), "%s/outside", f->base);
    if (mkdir(f->root, 0755) < 0 || mkdir(f->outside, 0755) < 0)
        return -1;
    f->basefd = open(f->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (f->basefd < 0 || f->rootfd < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    close(f->rootfd);
    close(f->basefd);
    int r = remove_all(f->base);
    free(f);
    return r;
}

/* The test's own rm -rf (nftw-free, not following symlinks). */
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

/* Host-side helpers, relative to a directory path. */
static void join(char *out, size_t len, const char *a, const char *b)
{
    int n = snprintf(out, len, "%s/%s", a, b);
    assert_true(n > 0 && (size_t) n < len);
}

static void mk(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    join(p, sizeof(p), dir, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void put(const char *dir, const char *rel, const char *content)
{
    char p[PATH_MAX];
    join(p, sizeof(p), dir, rel);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(content, fp);
    assert_int_equal(fclose(fp), 0);
}

static void ln(const char *target, const char *dir, const char *rel)
{
    char p[PATH_MAX];
    join(p, sizeof(p), dir, rel);
    assert_int_equal(symlink(target, p), 0);
}

static bool exists(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    join(p, sizeof(p), dir, rel);
    return lstat(p, &st) == 0;
}

static ino_t ino_of(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    join(p, sizeof(p), dir, rel);
    assert_int_equal(lstat(p, &st), 0);
    return st.st_ino;
}

static ino_t ino_of_fd(int fd)
{
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    return st.st_ino;
}

static void expect_err(int r, struct error **err, int code)
{
    if (r >= 0)
        print_error("expected an error %d, got %d\n", code, r);
    assert_true(r < 0);
    assert_non_null(*err);
    if ((*err)->code != code)
        print_error("expected code %d, got %d: %s\n", code, (*err)->code, (*err)->msg);
    assert_int_equal((*err)->code, code);
    assert_int_equal(r, -code);
    error_free(*err);
    *err = NULL;
}

/* ---- fs_path_clean ------------------------------------------------------ */

static void check_clean(const char *in, const char *want)
{
    char *out = fs_path_clean(in);
    assert_non_null(out);
    if (strcmp(out, want) != 0)
        print_error("fs_path_clean(\"%s\") = \"%s\", want \"%s\"\n", in, out, want);
    assert_string_equal(out, want);
    free(out);
}

static void test_path_clean(void **state)
{
    check_clean(".", "/");
    check_clean("", "/");
    check_clean("/", "/");
    check_clean("//", "/");
    check_clean("a/b", "/a/b");
    check_clean("/a/./b/", "/a/b");
    check_clean("/../..", "/");
    check_clean("..", "/");
    check_clean("/a/b/../../../c", "/c");
    check_clean("//x//y/", "/x/y");
    check_clean("/a/../b//c", "/b/c");
    check_clean("a/..", "/");
    check_clean("/a/b/..", "/a");
    check_clean("/a/b/../c/./d/..", "/a/c");
    check_clean("./a", "/a");
    /* Names that only start with dots are names. */
    check_clean("/.../x", "/.../x");
    check_clean("/a/..b/.c", "/a/..b/.c");
    check_clean("/abc/../de", "/de");
}

/* ---- resolution inside the root ------------------------------------------ */

static void test_open_absolute_symlink_stays_inside(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    mk(f->root, "etc");
    put(f->root, "etc/marker", "inside");
    ln("/etc", f->root, "link");
    /* The host's /etc must not have a marker, or the test proves nothing. */
    assert_false(exists("/etc", "marker"));

    int fd = fs_open_in_root(f->rootfd, "link/marker", O_RDONLY, 0, &err);
    assert_null(err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "etc/marker"));
    char buf[16] = {0};
    assert_int_equal(read(fd, buf, sizeof(buf) - 1), 6);
    assert_string_equal(buf, "inside");
    close(fd);

    /* A leading "/" is the root too. */
    fd = fs_open_in_root(f->rootfd, "/link/marker", O_RDONLY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "etc/marker"));
    close(fd);

    /* /etc/passwd of the host is not reachable through the link. */
    expect_err(fs_open_in_root(f->rootfd, "link/passwd", O_RDONLY, 0, &err), &err, ENOENT);
}

static void test_open_dotdot_stays_inside(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    mk(f->root, "etc");
    put(f->root, "etc/marker", "x");
    put(f->outside, "secret", "host");

    int fd = fs_open_in_root(f->rootfd, "../../../etc/marker", O_RDONLY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "etc/marker"));
    close(fd);

    /* BASE/outside/secret is "../outside/secret" from the root on the host. */
    expect_err(fs_open_in_root(f->rootfd, "../outside/secret", O_RDONLY, 0, &err), &err, ENOENT);

    /* The root's ".." is the root itself. */
    fd = fs_open_in_root(f->rootfd, "..", O_PATH | O_DIRECTORY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->base, "root"));
    close(fd);
}

static void test_open_relative_symlink_escape(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    mk(f->outside, "dir");
    put(f->outside, "dir/secret", "host");
    mk(f->root, "a");
    mk(f->root, "a/b");
    /* On the host ROOT/a/b/esc leads to BASE/outside/dir. */
    ln("../../../outside/dir", f->root, "a/b/esc");
    ln("../../..", f->root, "a/b/up");
    mk(f->root, "etc");
    put(f->root, "etc/marker", "x");

    expect_err(fs_open_in_root(f->rootfd, "a/b/esc/secret", O_RDONLY, 0, &err), &err, ENOENT);
    expect_err(fs_open_in_root(f->rootfd, "a/b/up/outside/dir/secret", O_RDONLY, 0, &err), &err,
               ENOENT);
    int fd = fs_open_in_root(f->rootfd, "a/b/up/etc/marker", O_RDONLY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "etc/marker"));
    close(fd);

    /* Creating through the escaping link must not write to the host. */
    fd = fs_open_in_root(f->rootfd, "a/b/esc/new", O_WRONLY | O_CREAT, 0644, &err);
    if (fd >= 0)
        close(fd);
    error_free(err);
    err = NULL;
    assert_false(exists(f->outside, "dir/new"));
}

static void test_open_loop(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    ln("loop2", f->root, "loop1");
    ln("loop1", f->root, "loop2");
    ln("/self", f->root, "self");
    expect_err(fs_open_in_root(f->rootfd, "loop1", O_RDONLY, 0, &err), &err, ELOOP);
    expect_err(fs_open_in_root(f->rootfd, "self/x", O_RDONLY, 0, &err), &err, ELOOP);
}

static void test_open_error_names_path(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int r = fs_open_in_root(f->rootfd, "no/such/file", O_RDONLY, 0, &err);
    assert_int_equal(r, -ENOENT);
    assert_non_null(strstr(err->msg, "no/such/file"));
    error_free(err);
}

static void test_mkdir_in_root_basic(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int fd = -1;
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "/a/b/c", 0750, &fd, &err), 0);
    assert_null(err);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "a/b/c"));
    close(fd);
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof(p), "%s/a/b", f->root);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0750);

    /* Again: already there. */
    fd = -1;
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "a/b/c/", 0750, &fd, &err), 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "a/b/c"));
    close(fd);

    /* ".." above the root lands inside it. */
    fd = -1;
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "../../x/../y", 0755, &fd, &err), 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "y"));
    assert_false(exists(f->base, "y"));
    close(fd);

    /* The root itself. */
    fd = -1;
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "/", 0755, &fd, &err), 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->base, "root"));
    close(fd);
}

static void test_mkdir_in_root_through_symlinks(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int fd = -1;

    /* An absolute symlinked parent resolves inside the root. */
    mk(f->root, "data");
    ln("/data", f->root, "lnk");
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "lnk/new/deeper", 0755, &fd, &err), 0);
    assert_true(exists(f->root, "data/new/deeper"));
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "data/new/deeper"));
    close(fd);

    /* A relative one too. */
    mk(f->root, "a");
    ln("a", f->root, "rel");
    fd = -1;
    assert_int_equal(fs_mkdir_in_root(f->rootfd, "/rel/sub", 0755, &fd, &err), 0);
    assert_true(exists(f->root, "a/sub"));
    close(fd);

    /* A symlink to the host's absolute path of `outside` must not create there. */
    ln(f->outside, f->root, "hostlink");
    fd = -1;
    int r = fs_mkdir_in_root(f->rootfd, "hostlink/pwned", 0755, &fd, &err);
    if (r == 0)
        close(fd);
    error_free(err);
    err = NULL;
    assert_false(exists(f->outside, "pwned"));

    /* Nor a relative one that climbs out on the host. */
    ln("../../outside", f->root, "a/esc");
    fd = -1;
    r = fs_mkdir_in_root(f->rootfd, "a/esc/pwned2", 0755, &fd, &err);
    if (r == 0)
        close(fd);
    error_free(err);
    err = NULL;
    assert_false(exists(f->outside, "pwned2"));
}

static void test_mkdir_in_root_errors(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int fd = -7;
    ln("l2", f->root, "l1");
    ln("l1", f->root, "l2");
    expect_err(fs_mkdir_in_root(f->rootfd, "l1/x", 0755, &fd, &err), &err, ELOOP);
    expect_err(fs_mkdir_in_root(f->rootfd, "l1", 0755, &fd, &err), &err, ELOOP);
    put(f->root, "file", "");
    expect_err(fs_mkdir_in_root(f->rootfd, "file/x", 0755, &fd, &err), &err, ENOTDIR);
    expect_err(fs_mkdir_in_root(f->rootfd, "file", 0755, &fd, &err), &err, ENOTDIR);
    assert_int_equal(fd, -7);
}

static void test_mkfile_in_root(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int fd = -1;
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "/d1/d2/f", 0640, &fd, &err), 0);
    assert_null(err);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(st.st_ino, ino_of(f->root, "d1/d2/f"));
    close(fd);

    /* Existing content is kept. */
    put(f->root, "d1/d2/f", "data");
    fd = -1;
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "d1/d2/f", 0640, &fd, &err), 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, 4);
    close(fd);

    /* Whatever is there is returned: a directory. */
    fd = -1;
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "d1", 0640, &fd, &err), 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    close(fd);

    /* At the top level. */
    fd = -1;
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "top", 0600, &fd, &err), 0);
    assert_true(exists(f->root, "top"));
    close(fd);

    /* ".." above the root. */
    fd = -1;
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "../../up", 0600, &fd, &err), 0);
    assert_true(exists(f->root, "up"));
    assert_false(exists(f->base, "up"));
    close(fd);
}

static void test_mkfile_in_root_symlinks(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    int fd = -1;

    /* Through an absolute symlinked parent. */
    mk(f->root, "data");
    ln("/data", f->root, "lnk");
    assert_int_equal(fs_mkfile_in_root(f->rootfd, "lnk/sub/f", 0644, &fd, &err), 0);
    assert_true(exists(f->root, "data/sub/f"));
    close(fd);

    /* A final symlink to the host: neither followed on the host nor written. */
    put(f->outside, "hostfile", "host");
    char target[PATH_MAX];
    snprintf(target, sizeof(target), "%s/hostfile", f->outside);
    ln(target, f->root, "flink");
    snprintf(target, sizeof(target), "%s/newfile", f->outside);
    ln(target, f->root, "flink2");
    ln("../outside/newfile2", f->root, "flink3");
    const char *names[] = {"flink", "flink2", "flink3"};
    for (size_t i = 0; i < 3; i++) {
        fd = -1;
        int r = fs_mkfile_in_root(f->rootfd, names[i], 0644, &fd, &err);
        if (r == 0) {
            struct stat st;
            assert_int_equal(fstat(fd, &st), 0);
            /* If it made something, it is not the host's file. */
            assert_true(st.st_ino != ino_of(f->outside, "hostfile"));
            close(fd);
        }
        error_free(err);
        err = NULL;
    }
    assert_false(exists(f->outside, "newfile"));
    assert_false(exists(f->outside, "newfile2"));
    struct stat st;
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/hostfile", f->outside);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 4);

    /* Loops. */
    ln("m2", f->root, "m1");
    ln("m1", f->root, "m2");
    fd = -7;
    expect_err(fs_mkfile_in_root(f->rootfd, "m1", 0644, &fd, &err), &err, ELOOP);
    expect_err(fs_mkfile_in_root(f->rootfd, "m1/f", 0644, &fd, &err), &err, ELOOP);
    assert_int_equal(fd, -7);
}

/* ---- atomic write / bounded read ------------------------------------------ */

static bool has_temp_files(int dirfd)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    DIR *d = fdopendir(fd);
    assert_non_null(d);
    bool found = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp") != NULL)
            found = true;
    closedir(d);
    return found;
}

static char *slurp(int dirfd, const char *name)
{
    char *buf = NULL;
    struct error *err = NULL;
    assert_int_equal(fs_read_file_at(dirfd, name, 1 << 20, &buf, NULL, &err), 0);
    return buf;
}

static void test_open_parent(void **state)
{
    struct fixture *f = *state;
    char path[256];
    int dfd = -1;
    char *name = NULL;
    struct stat a, b;
    struct error *err = NULL;
    snprintf(path, sizeof(path), "%s/pidfile", f->outside);
    assert_int_equal(fs_open_parent(path, &dfd, &name, &err), 0);
    assert_string_equal(name, "pidfile");
    assert_int_equal(fstat(dfd, &a), 0);
    assert_int_equal(stat(f->outside, &b), 0);
    assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    close(dfd);
    free(name);
    /* A bare name is in the cwd; "/x" in "/". */
    assert_int_equal(fs_open_parent("bare", &dfd, &name, &err), 0);
    assert_string_equal(name, "bare");
    assert_int_equal(fstat(dfd, &a), 0);
    assert_int_equal(stat(".", &b), 0);
    assert_true(a.st_ino == b.st_ino);
    close(dfd);
    free(name);
    assert_int_equal(fs_open_parent("/x", &dfd, &name, &err), 0);
    assert_int_equal(fstat(dfd, &a), 0);
    assert_int_equal(stat("/", &b), 0);
    assert_true(a.st_ino == b.st_ino);
    close(dfd);
    free(name);
    /* A trailing slash names no file; a missing directory is named.  The
     * outputs are untouched on failure. */
    dfd = 77;
    name = NULL;
    assert_int_equal(fs_open_parent("/tmp/", &dfd, &name, &err), -EINVAL);
    assert_int_equal(dfd, 77);
    assert_null(name);
    error_free(err);
    err = NULL;
    snprintf(path, sizeof(path), "%s/no/such/file", f->outside);
    assert_int_equal(fs_open_parent(path, &dfd, &name, &err), -ENOENT);
    assert_non_null(strstr(err->msg, "/no/such"));
    assert_int_equal(dfd, 77);
    error_free(err);
}

static void test_write_file_atomic(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    assert_int_equal(fs_write_file_atomic(f->basefd, "state.json", "hello", 5, 0640, 0, &err), 0);
    assert_null(err);
    char *c = slurp(f->basefd, "state.json");
    assert_string_equal(c, "hello");
    free(c);
    struct stat st;
    assert_int_equal(fstatat(f->basefd, "state.json", &st, 0), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_false(has_temp_files(f->basefd));

    /* Replace: a reader holding the old file still sees all of the old
     * content; the name now holds the new one, in a new inode. */
    int old = openat(f->basefd, "state.json", O_RDONLY | O_CLOEXEC);
    assert_true(old >= 0);
    ino_t old_ino = ino_of_fd(old);
    assert_int_equal(
        fs_write_file_atomic(f->basefd, "state.json", "new content", 11, 0600, 1, &err), 0);
    char buf[32] = {0};
    assert_int_equal(read(old, buf, sizeof(buf) - 1), 5);
    assert_string_equal(buf, "hello");
    close(old);
    c = slurp(f->basefd, "state.json");
    assert_string_equal(c, "new content");
    free(c);
    assert_int_equal(fstatat(f->basefd, "state.json", &st, 0), 0);
    assert_true(st.st_ino != old_ino);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_false(has_temp_files(f->basefd));

    /* Shorter content: no leftover bytes. */
    assert_int_equal(fs_write_file_atomic(f->basefd, "state.json", "x", 1, 0600, 0, &err), 0);
    c = slurp(f->basefd, "state.json");
    assert_string_equal(c, "x");
    free(c);

    /* Empty content. */
    assert_int_equal(fs_write_file_atomic(f->basefd, "empty", "", 0, 0600, 0, &err), 0);
    c = slurp(f->basefd, "empty");
    assert_string_equal(c, "");
    free(c);

    /* A symlink at the name is replaced, its target left alone. */
    put(f->outside, "target", "keep");
    ln("outside/target", f->base, "sl");
    assert_int_equal(fs_write_file_atomic(f->basefd, "sl", "over", 4, 0600, 0, &err), 0);
    assert_int_equal(fstatat(f->basefd, "sl", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_true(S_ISREG(st.st_mode));
    c = slurp(f->basefd, "outside/target");
    assert_string_equal(c, "keep");
    free(c);
}

static void test_write_file_atomic_failure(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    /* A non-empty directory at the name: the rename fails, nothing is left. */
    mk(f->base, "busy");
    put(f->base, "busy/x", "");
    int r = fs_write_file_atomic(f->basefd, "busy", "data", 4, 0600, 0, &err);
    assert_true(r < 0);
    assert_non_null(err);
    assert_int_equal(r, -err->code);
    assert_non_null(strstr(err->msg, "busy"));
    error_free(err);
    assert_false(has_temp_files(f->basefd));
    assert_true(exists(f->base, "busy/x"));
}

static void write_size(int dirfd, const char *name, size_t n)
{
    char *data = malloc(n ? n : 1);
    assert_non_null(data);
    memset(data, 'z', n);
    struct error *err = NULL;
    assert_int_equal(fs_write_file_atomic(dirfd, name, data, n, 0600, 0, &err), 0);
    free(data);
}

static void test_read_file_at(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    put(f->base, "small", "abc\n");
    char *buf = NULL;
    size_t len = 99;
    assert_int_equal(fs_read_file_at(f->basefd, "small", 100, &buf, &len, &err), 0);
    assert_int_equal(len, 4);
    assert_string_equal(buf, "abc\n");
    free(buf);

    put(f->base, "empty", "");
    buf = NULL;
    assert_int_equal(fs_read_file_at(f->basefd, "empty", 100, &buf, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);

    /* Bigger than the first buffer: grows. */
    write_size(f->basefd, "big", 100000);
    buf = NULL;
    assert_int_equal(fs_read_file_at(f->basefd, "big", 1 << 20, &buf, &len, &err), 0);
    assert_int_equal(len, 100000);
    assert_int_equal(strlen(buf), 100000);
    free(buf);

    /* Missing. */
    buf = (char *) 0x1;
    int r = fs_read_file_at(f->basefd, "nope", 100, &buf, &len, &err);
    assert_int_equal(r, -ENOENT);
    assert_non_null(strstr(err->msg, "nope"));
    assert_ptr_equal(buf, (char *) 0x1);
    error_free(err);
}

static void test_read_file_at_too_big(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    char *buf = (char *) 0x1;
    size_t len = 0;

    write_size(f->basefd, "f5000", 5000);
    int r = fs_read_file_at(f->basefd, "f5000", 4999, &buf, &len, &err);
    assert_int_equal(r, -EFBIG);
    assert_non_null(strstr(err->msg, "f5000"));
    assert_ptr_equal(buf, (char *) 0x1);
    error_free(err);
    err = NULL;

    write_size(f->basefd, "f100000", 100000);
    expect_err(fs_read_file_at(f->basefd, "f100000", 65536, &buf, &len, &err), &err, EFBIG);
    assert_ptr_equal(buf, (char *) 0x1);
}

static void test_read_file_at_small_max(void **state)
{
    /* A max below the initial 4 KiB buffer still bounds the read. */
    struct fixture *f = *state;
    struct error *err = NULL;
    char *buf = (char *) 0x1;
    size_t len = 0;
    write_size(f->basefd, "f100", 100);
    int r = fs_read_file_at(f->basefd, "f100", 10, &buf, &len, &err);
    if (r == 0) {
        print_error("a 100-byte file was read with max 10 (len %zu)\n", len);
        free(buf);
    }
    expect_err(r, &err, EFBIG);
}

static void test_read_file_at_exact_max(void **state)
{
    /* "at most max bytes": a file of exactly max bytes fits. */
    struct fixture *f = *state;
    const size_t sizes[] = {10, 4096, 10000, 65536};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct error *err = NULL;
        char *buf = NULL;
        size_t len = 0;
        write_size(f->basefd, "exact", sizes[i]);
        int r = fs_read_file_at(f->basefd, "exact", sizes[i], &buf, &len, &err);
        if (r < 0)
            print_error("a file of %zu bytes with max %zu: %s\n", sizes[i], sizes[i], err->msg);
        assert_int_equal(r, 0);
        assert_int_equal(len, sizes[i]);
        free(buf);
    }
}

/* ---- fs_remove_tree / fs_mkdir_p -------------------------------------------- */

static void test_remove_tree(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    mk(f->base, "t");
    mk(f->base, "t/a");
    mk(f->base, "t/a/b");
    mk(f->base, "t/empty");
    put(f->base, "t/f", "x");
    put(f->base, "t/a/b/g", "y");
    put(f->base, "t/.hidden", "z");
    put(f->outside, "keep", "k");
    ln("../outside", f->base, "t/a/to_outside");
    ln("/nonexistent", f->base, "t/dangling");
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/t/fifo", f->base);
    assert_int_equal(mkfifo(p, 0600), 0);
    /* Modes do not stop it. */
    snprintf(p, sizeof(p), "%s/t/a/b", f->base);
    assert_int_equal(chmod(p, 0), 0);

    assert_int_equal(fs_remove_tree(f->basefd, "t", &err), 0);
    assert_null(err);
    assert_false(exists(f->base, "t"));
    /* The symlink was removed, not followed. */
    assert_true(exists(f->outside, "keep"));

    /* Missing: nothing to do. */
    assert_int_equal(fs_remove_tree(f->basefd, "t", &err), 0);
    /* A single file or symlink. */
    put(f->base, "file", "");
    assert_int_equal(fs_remove_tree(f->basefd, "file", &err), 0);
    assert_false(exists(f->base, "file"));
    ln("outside", f->base, "dirlink");
    assert_int_equal(fs_remove_tree(f->basefd, "dirlink", &err), 0);
    assert_false(exists(f->base, "dirlink"));
    assert_true(exists(f->outside, "keep"));
    assert_null(err);
}

static void test_remove_tree_mount_point(void **state)
{
    /* "not crossing mount points (EBUSY)": the contents of a file system
     * mounted inside the tree are not removed. */
    struct fixture *f = *state;
    struct error *err = NULL;
    mk(f->base, "t");
    mk(f->base, "t/mnt");
    char mnt[PATH_MAX];
    snprintf(mnt, sizeof(mnt), "%s/t/mnt", f->base);
    if (mount("cabin-test", mnt, "tmpfs", 0, "size=64k") < 0) {
        print_message("cannot mount tmpfs (%s): skipping\n", strerror(errno));
        skip();
    }
    put(mnt, "precious", "p");
    int r = fs_remove_tree(f->basefd, "t", &err);
    bool survived = exists(mnt, "precious");
    umount2(mnt, MNT_DETACH);
    assert_true(r < 0);
    assert_non_null(err);
    assert_int_equal(err->code, EBUSY);
    error_free(err);
    if (!survived)
        print_error("fs_remove_tree() emptied the file system mounted at t/mnt\n");
    assert_true(survived);
}

static void test_mkdir_p(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/p/q/r", f->base);
    assert_int_equal(fs_mkdir_p(p, 0700, &err), 0);
    assert_null(err);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Again, and with a trailing slash and doubled slashes. */
    assert_int_equal(fs_mkdir_p(p, 0700, &err), 0);
    snprintf(p, sizeof(p), "%s//p//q/r2/", f->base);
    assert_int_equal(fs_mkdir_p(p, 0700, &err), 0);
    assert_true(exists(f->base, "p/q/r2"));
    assert_null(err);

    /* A file on the way. */
    put(f->base, "file", "");
    snprintf(p, sizeof(p), "%s/file/sub", f->base);
    int r = fs_mkdir_p(p, 0700, &err);
    assert_int_equal(r, -ENOTDIR);
    assert_non_null(strstr(err->msg, "file/sub"));
    error_free(err);
    err = NULL;
}

static void test_mkdir_p_file_at_end(void **state)
{
    /* mkdir -p of a path that exists as a regular file fails. */
    struct fixture *f = *state;
    struct error *err = NULL;
    put(f->base, "file", "");
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/file", f->base);
    int r = fs_mkdir_p(p, 0700, &err);
    if (r == 0)
        print_error("fs_mkdir_p(\"%s\") succeeded on a regular file\n", p);
    assert_true(r < 0);
    assert_non_null(err);
    assert_int_equal(r, -err->code);
    error_free(err);
}

static void test_write_knob_and_fd_path(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    put(f->base, "knob", "old-old-old");
    assert_int_equal(fs_write_knob(f->basefd, "knob", "1", &err), 0);
    char *c = slurp(f->basefd, "knob");
    assert_int_equal(c[0], '1');
    free(c);
    /* A knob is never created. */
    expect_err(fs_write_knob(f->basefd, "missing", "1", &err), &err, ENOENT);
    assert_false(exists(f->base, "missing"));

    char buf[32];
    assert_string_equal(fs_fd_path(5, buf, sizeof(buf)), "/proc/self/fd/5");
    assert_ptr_equal(fs_fd_path(123, buf, sizeof(buf)), buf);
    assert_string_equal(buf, "/proc/self/fd/123");
}

static void test_openat2_resolve(void **state)
{
    struct fixture *f = *state;
    mk(f->root, "etc");
    ln("/etc", f->root, "abs");
    /* Without RESOLVE_IN_ROOT an absolute symlink leaves: with it, it does not. */
    int fd = fs_openat2(f->rootfd, "abs", O_PATH | O_DIRECTORY, 0, 0);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of("/", "etc"));
    close(fd);
    fd = fs_openat2(f->rootfd, "abs", O_PATH | O_DIRECTORY, 0, 0x10 /* RESOLVE_IN_ROOT */);
    assert_true(fd >= 0);
    assert_int_equal(ino_of_fd(fd), ino_of(f->root, "etc"));
    /* O_CLOEXEC is always set. */
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_clean),
        T(test_open_absolute_symlink_stays_inside),
        T(test_open_dotdot_stays_inside),
        T(test_open_relative_symlink_escape),
        T(test_open_loop),
        T(test_open_error_names_path),
        T(test_mkdir_in_root_basic),
        T(test_mkdir_in_root_through_symlinks),
        T(test_mkdir_in_root_errors),
        T(test_mkfile_in_root),
        T(test_mkfile_in_root_symlinks),
        T(test_open_parent),
        T(test_write_file_atomic),
        T(test_write_file_atomic_failure),
        T(test_read_file_at),
        T(test_read_file_at_too_big),
        T(test_read_file_at_small_max),
        T(test_read_file_at_exact_max),
        T(test_remove_tree),
        T(test_remove_tree_mount_point),
        T(test_mkdir_p),
        T(test_mkdir_p_file_at_end),
        T(test_write_knob_and_fd_path),
        T(test_openat2_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
