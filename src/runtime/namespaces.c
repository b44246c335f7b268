/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

int ns_new_flags(const struct spec *s)
{
    int flags = 0;
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        if (s->ns[i].enabled && s->ns[i].path == NULL)
            flags |= spec_ns_flag(i);
    return flags;
}

void ns_close_all(int fds[SPEC_NS__COUNT])
{
    for (int i = 0; i < SPEC_NS__COUNT; i++) {
        close_keep_errno(fds[i]);
        fds[i] = -1;
    }
}

int ns_open_paths(const struct spec *s, int fds[SPEC_NS__COUNT], struct error **err)
{
    for (int i = 0; i < SPEC_NS__COUNT; i++)
        fds[i] = -1;
    for (int i = 0; i < SPEC_NS__COUNT; i++) {
        if (!s->ns[i].enabled || s->ns[i].path == NULL)
            continue;
        int fd = open(s->ns[i].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int r = error_errno(err, "linux.namespaces: opening the %s namespace `%s`",
                                spec_ns_name(i), s->ns[i].path);
            ns_close_all(fds);
            return r;
        }
        fds[i] = fd;
        int type = ioctl(fd, NS_GET_NSTYPE);
        if (type < 0 || type != spec_ns_flag(i)) {
            ns_close_all(fds);
            return error_new(err, EINVAL, "linux.namespaces: `%s` is not a %s namespace",
                             s->ns[i].path, spec_ns_name(i));
        }
    }
    return 0;
}

int ns_join(int fd, enum spec_ns ns, struct error **err)
{
    if (setns(fd, spec_ns_flag(ns)) < 0)
        return error_errno(err, "joining the %s namespace", spec_ns_name(ns));
    return 0;
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
                     struct error **err)
{
    char path[64];
    char buf[340 * 36];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t) snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
                                 m[i].host_id, m[i].size);
    snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "opening `%s`", path);
    if (write(fd, buf, len) != (ssize_t) len)
        return error_errno(err, "writing the user namespace's %s (%zu ranges)", file, n);
    return 0;
}

int ns_write_id_maps(pid_t pid, const struct spec *s, struct error **err)
{
    int r;
    if (getuid() != 0) {
        /* An unprivileged writer may map only itself, and only after
         * giving up setgroups. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
        cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, "deny", 4) < 0)
            return error_errno(err, "writing `%s`", path);
    }
    if ((r = write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, err)) < 0)
        return error_wrap(err, "linux.uidMappings");
    if ((r = write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, err)) < 0)
        return error_wrap(err, "linux.gidMappings");
    return 0;
}

int ns_write_time_offsets(const struct spec *s, struct error **err)
{
    char buf[128];
    int n = 0;
    if (s->time_monotonic.set)
        n += snprintf(buf + n, sizeof(buf) - (size_t) n, "monotonic %lld %u\n",
                      (long long) s->time_monotonic.secs, s->time_monotonic.nanosecs);
    if (s->time_boottime.set)
        n += snprintf(buf + n, sizeof(buf) - (size_t) n, "boottime %lld %u\n",
                      (long long) s->time_boottime.secs, s->time_boottime.nanosecs);
    if (n == 0)
        return 0;
    cleanup_close int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_errno(err, "linux.timeOffsets: opening /proc/self/timens_offsets");
    if (write(fd, buf, (size_t) n) != n)
        return error_errno(err, "linux.timeOffsets: writing the offsets");
    return 0;
}
