/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

enum step { STEP_UNSHARE = 1, STEP_LO, STEP_MOUNT };

struct report {
    int step, errnum;
};

/* In the child: a new namespace, lo up, mounted on `path`. */
static int child(const char *path)
{
    if (unshare(CLONE_NEWNET) < 0)
        return STEP_UNSHARE;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return STEP_LO;
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return STEP_LO;
    close(s);
    if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
        return STEP_MOUNT;
    return 0;
}

static int make_ns(const char *path, struct error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return error_errno(err, "making network namespace `%s`", path);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return error_errnum(err, e, "making network namespace `%s`: fork", path);
    }
    if (pid == 0) {
        close(p[0]);
        struct report rep = {0, 0};
        rep.step = child(path);
        rep.errnum = errno;
        if (rep.step && write(p[1], &rep, sizeof(rep)) < 0)
            _exit(2);
        _exit(rep.step ? 1 : 0);
    }
    close(p[1]);
    struct report rep = {0, 0};
    ssize_t n;
    while ((n = read(p[0], &rep, sizeof(rep))) < 0 && errno == EINTR)
        ;
    close(p[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t) sizeof(rep) && rep.step) {
        static const char *const what[] = {"", "unshare(CLONE_NEWNET)", "bringing lo up",
                                           "bind-mounting it"};
        return error_errnum(err, rep.errnum, "making network namespace `%s`: %s", path,
                            what[rep.step]);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return error_new(err, EIO, "making network namespace `%s`: the helper failed", path);
    return 0;
}

int netns_create(const char *dir, const char *name, char **ret, struct error **err)
{
    int r = fs_mkdir_p(dir, 0755, err);
    if (r < 0)
        return r;
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return error_new(err, ENOMEM, "out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
    if (fd < 0)
        return error_errno(err, "making network namespace `%s`", path);
    close(fd);
    if ((r = make_ns(path, err)) < 0) {
        umount2(path, MNT_DETACH);
        unlink(path);
        return r;
    }
    *ret = steal_pointer(&path);
    return 0;
}

int netns_is_mounted(const char *path)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && sf.f_type == NSFS_MAGIC;
}

int netns_remove(const char *path, struct error **err)
{
    if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
        return error_errno(err, "unmounting network namespace `%s`", path);
    if (unlink(path) < 0 && errno != ENOENT)
        return error_errno(err, "removing network namespace `%s`", path);
    return 0;
}
