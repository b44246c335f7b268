/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

const char *state_status_name(enum container_status s)
{
    static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
    return names[s];
}

void state_free(struct container_state *s)
{
    if (s == NULL)
        return;
    free(s->id);
    free(s->oci_version);
    free(s->bundle);
    free(s->rootfs);
    free(s->created);
    json_decref(s->annotations);
    json_decref(s->cgroup);
    json_decref(s->hooks);
    free(s);
}

int state_check_id(const char *id, struct error **err)
{
    size_t n = strlen(id);
    if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return error_new(err, EINVAL, "invalid container id `%s`", id);
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '+'))
            return error_new(err, EINVAL,
                             "invalid container id `%s`: only letters, digits and _+.- are allowed",
                             id);
    }
    return 0;
}

int state_root_open(const char *path, int *ret_fd, struct error **err)
{
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int r = fs_mkdir_p(path, 0700, err);
        if (r < 0)
            return error_wrap(err, "creating the state root");
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0)
        return error_errno(err, "opening the state root `%s`", path);
    *ret_fd = fd;
    return 0;
}

static int lock_dir(int fd, int op, const char *id, struct error **err)
{
    while (flock(fd, op) < 0) {
        if (errno != EINTR)
            return error_errno(err, "locking the state of container `%s`", id);
    }
    return 0;
}

/* The directory is made under a hidden temporary name, locked, and only
 * then renamed into place (RENAME_NOREPLACE): nobody can see ROOT/ID before
 * its creator holds the lock, so a racing `delete` cannot remove it. */
int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct error **err)
{
    if (faccessat(rootfd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return error_new(err, EEXIST, "container `%s` already exists", id);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".new-%d-%lx", (int) getpid(), (unsigned long) time(NULL));
    if (mkdirat(rootfd, tmp, 0700) < 0)
        return error_errno(err, "creating the state directory of `%s`", id);
    cleanup_close int fd = openat(rootfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = 0;
    if (fd < 0)
        r = error_errno(err, "opening the state directory of `%s`", id);
    else if ((r = lock_dir(fd, LOCK_EX, id, err)) == 0 &&
             renameat2(rootfd, tmp, rootfd, id, RENAME_NOREPLACE) < 0)
        r = errno == EEXIST ? error_new(err, EEXIST, "container `%s` already exists", id)
                            : error_errno(err, "creating the state directory of `%s`", id);
    if (r < 0) {
        unlinkat(rootfd, tmp, AT_REMOVEDIR);
        return r;
    }
    *ret_dirfd = steal_fd(&fd);
    return 0;
}

int state_dir_open(int rootfd, const char *id, int lock_op, int *ret_dirfd, struct error **err)
{
    int r = state_check_id(id, err);
    if (r < 0)
        return r;
    cleanup_close int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return error_new(err, ENOENT, "container `%s` does not exist", id);
        return error_errno(err, "opening the state of container `%s`", id);
    }
    if ((r = lock_dir(fd, lock_op, id, err)) < 0)
        return r;
    *ret_dirfd = steal_fd(&fd);
    return 0;
}

int state_write(int dirfd, const struct container_state *s, struct error **err)
{
    cleanup_json json_t *j = json_pack(
        "{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:b, s:b}", "ociVersion", s->oci_version, "id",
        s->id, "pid", (json_int_t) s->pid, "pidStartTime", (json_int_t) s->start_time, "bundle",
        s->bundle, "rootfs", s->rootfs, "created", s->created, "ownPidNamespace", s->own_pid_ns,
        "ownMountNamespace", s->own_mnt_ns);
    if (j == NULL)
        return error_new(err, ENOMEM, "serialising the state of `%s`", s->id);
    if (s->annotations)
        json_object_set(j, "annotations", s->annotations);
    if (s->cgroup)
        json_object_set(j, "cgroup", s->cgroup);
    if (s->hooks)
        json_object_set(j, "hooks", s->hooks);
    return json_write_file_at(dirfd, STATE_FILE, j, JSON_COMPACT, 0600, err);
}

int state_write_config(int dirfd, const json_t *config, struct error **err)
{
    int r = json_write_file_at(dirfd, STATE_CONFIG, config, JSON_COMPACT, 0600, err);
    return r < 0 ? error_wrap(err, "keeping the container's config") : 0;
}

int state_read_config(int dirfd, const char *id, json_t **ret, struct error **err)
{
    cleanup_error struct error *e = NULL;
    int r = json_load_file_at(dirfd, STATE_CONFIG, SPEC_MAX_SIZE, ret, &e);
    if (r < 0)
        return error_new(err, -r, "the recorded config of container `%s` is unreadable: %s", id,
                         e->msg);
    return 0;
}

int state_read(int dirfd, const char *id, struct container_state **ret, struct error **err)
{
    struct container_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_state struct container_state *guard = s;
    s->id = strdup(id);
    cleanup_json json_t *j = NULL;
    cleanup_error struct error *e = NULL;
    int r = json_load_file_at(dirfd, STATE_FILE, 1 << 20, &j, &e);
    if (r < 0) {
        if (e->code == ENOENT) {
            *ret = steal_pointer(&guard);
            return 0; /* still being created */
        }
        return error_new(err, -r, "state of container `%s` is unreadable: %s", id, e->msg);
    }
    const char *ver = NULL, *bundle = NULL, *rootfs = NULL, *created = NULL;
    int64_t pid = 0, start = 0;
    bool own = false, own_mnt = false;
    if ((r = json_get_string(j, "ociVersion", STATE_FILE, true, &ver, err)) < 0 ||
        (r = json_get_int64(j, "pid", STATE_FILE, true, &pid, err)) < 0 ||
        (r = json_get_int64(j, "pidStartTime", STATE_FILE, true, &start, err)) < 0 ||
        (r = json_get_string(j, "bundle", STATE_FILE, true, &bundle, err)) < 0 ||
        (r = json_get_string(j, "rootfs", STATE_FILE, true, &rootfs, err)) < 0 ||
        (r = json_get_string(j, "created", STATE_FILE, true, &created, err)) < 0 ||
        (r = json_get_bool(j, "ownPidNamespace", STATE_FILE, &own, err)) < 0 ||
        (r = json_get_bool(j, "ownMountNamespace", STATE_FILE, &own_mnt, err)) < 0)
        return error_wrap(err, "state of container `%s` is corrupt", id);
    s->oci_version = strdup(ver);
    s->pid = (pid_t) pid;
    s->start_time = (unsigned long long) start;
    s->bundle = strdup(bundle);
    s->rootfs = strdup(rootfs);
    s->created = strdup(created);
    s->own_pid_ns = own;
    s->own_mnt_ns = own_mnt;
    json_t *a = json_object_get(j, "annotations");
    if (json_is_object(a))
        s->annotations = json_incref(a);
    json_t *cg = json_object_get(j, "cgroup");
    if (json_is_object(cg))
        s->cgroup = json_incref(cg);
    json_t *hk = json_object_get(j, "hooks");
    if (json_is_object(hk))
        s->hooks = json_incref(hk);
    *ret = steal_pointer(&guard);
    return 0;
}

unsigned long long state_pid_start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: parse after the
     * last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ')
        return 0;
    p += 2;
    char state = *p;
    if (state == 'Z' || state == 'X')
        return 0;
    /* p is at field 3; the start time is field 22. */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return 0;
        p++;
    }
    return strtoull(p, NULL, 10);
}

enum container_status state_status(int dirfd, const struct container_state *s)
{
    if (s->pid <= 0)
        return STATUS_CREATING;
    unsigned long long st = state_pid_start_time(s->pid);
    if (st == 0 || st != s->start_time)
        return STATUS_STOPPED;
    if (faccessat(dirfd, STATE_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return STATUS_CREATED;
    return STATUS_RUNNING;
}

json_t *state_to_json(const struct container_state *s, enum container_status status)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion",
                          s->oci_version ? s->oci_version : CABIN_OCI_VERSION, "id", s->id,
                          "status", state_status_name(status), "pid",
                          (json_int_t) (status == STATUS_STOPPED ? 0 : s->pid), "bundle",
                          s->bundle ? s->bundle : "");
    if (j == NULL)
        return NULL;
    if (s->rootfs)
        json_object_set_new(j, "rootfs", json_string(s->rootfs));
    if (s->created)
        json_object_set_new(j, "created", json_string(s->created));
    json_object_set_new(j, "annotations",
                        s->annotations ? json_incref(s->annotations) : json_object());
    return j;
}

int state_dir_remove(int rootfd, const char *id, struct error **err)
{
    int r = fs_remove_tree(rootfd, id, err);
    if (r < 0)
        return error_wrap(err, "removing the state of container `%s`", id);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int state_list_ids(int rootfd, char ***ret, struct error **err)
{
    int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "reading the state root");
    cleanup_closedir DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return error_errno(err, "reading the state root");
    }
    cleanup_strv char **ids = calloc(1, sizeof(char *));
    if (ids == NULL)
        return error_new(err, ENOMEM, "out of memory");
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                !S_ISDIR(st.st_mode))
                continue;
        } else if (de->d_type != DT_DIR) {
            continue;
        }
        if (state_check_id(de->d_name, NULL) < 0)
            continue;
        if (strv_push(&ids, de->d_name) < 0)
            return error_new(err, ENOMEM, "out of memory");
    }
    qsort(ids, strv_length(ids), sizeof(char *), cmp_str);
    *ret = steal_pointer(&ids);
    return 0;
}

void state_now_rfc3339(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}
