/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/sock.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

void tty_pair_release(struct tty_pair *t)
{
    close_keep_errno(t->master);
    close_keep_errno(t->slave);
    t->master = t->slave = -1;
}

/* The container's ptmx, and only a devpts one: a c 5:2 node elsewhere
 * would open the host's devpts instance. */
static int open_ptmx(int rootfd, struct error **err)
{
    cleanup_close int fd =
        fs_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0, err);
    if (fd < 0)
        return error_wrap(err, "process.terminal: the container needs a devpts mount on "
                               "/dev/pts");
    struct stat st;
    struct statfs sf;
    if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
        return error_errno(err, "process.terminal: checking /dev/pts/ptmx");
    if (!S_ISCHR(st.st_mode) || sf.f_type != DEVPTS_SUPER_MAGIC)
        return error_new(err, EPERM,
                         "process.terminal: /dev/pts/ptmx in the container is not the ptmx of "
                         "a devpts mount");
    return steal_fd(&fd);
}

int tty_open(int rootfd, const struct spec_process *p, struct tty_pair *ret, struct error **err)
{
    cleanup_close int master = open_ptmx(rootfd, err);
    if (master < 0)
        return master;
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return error_errno(err, "process.terminal: unlocking the pty");
    /* The slave through the master, never by a path the container could
     * swap. */
    cleanup_close int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return error_errno(err, "process.terminal: opening the pty's slave");
    if (p->has_console_size && p->console_height > 0 && p->console_width > 0) {
        struct winsize ws = {.ws_row = (unsigned short) p->console_height,
                             .ws_col = (unsigned short) p->console_width};
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return error_errno(err, "process.consoleSize: setting %ux%u", p->console_width,
                               p->console_height);
    }
    ret->master = steal_fd(&master);
    ret->slave = steal_fd(&slave);
    return 0;
}

int tty_bind_console(int rootfd, int slave, struct error **err)
{
    cleanup_close int dst = -1;
    int r = fs_mkfile_in_root(rootfd, "/dev/console", 0666, &dst, err);
    if (r < 0)
        return error_wrap(err, "process.terminal: /dev/console");
    char src[32], target[32];
    if (mount(fs_fd_path(slave, src, sizeof(src)), fs_fd_path(dst, target, sizeof(target)), NULL,
              MS_BIND, NULL) < 0)
        return error_errno(err, "process.terminal: binding the pty on /dev/console");
    return 0;
}

int tty_send_master(int sock, int master, struct error **err)
{
    /* runc's SendFd: the name as the data (no NUL), the fd as the only
     * right.  A short send still carried the fd; the name is only news. */
    ssize_t n = sock_send_fd(sock, TTY_MASTER_NAME, strlen(TTY_MASTER_NAME), master);
    if (n < 0)
        return error_errnum(err, (int) -n, "process.terminal: sending the pty's master to the "
                                           "console socket");
    return 0;
}

int tty_recv_master(int sock, int *ret_fd, struct error **err)
{
    char name[4096];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = u.buf,
        .msg_controllen = sizeof(u.buf),
    };
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return error_errno(err, "receiving the container's terminal");
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC))
        return error_new(err, EPROTO, "receiving the container's terminal: no fd came");
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    *ret_fd = fd;
    return 0;
}

int tty_attach(int slave, struct error **err)
{
    cleanup_close int fd = slave;
    if (ioctl(fd, TIOCSCTTY, 0) < 0)
        return error_errno(err, "process.terminal: making the pty the controlling terminal");
    for (int i = 0; i < 3; i++)
        if (dup2(fd, i) < 0)
            return error_errno(err, "process.terminal: putting the pty on fd %d", i);
    if (fd <= 2)
        fd = -1; /* now one of the stdio fds, no longer close-on-exec */
    return 0;
}

int tty_connect(const char *path, const char *what, int *ret_fd, struct error **err)
{
    /* Through the directory's fd, so that a long path (conmon's live under
     * its runtime directory) cannot overflow sun_path. */
    cleanup_close int dfd = -1;
    cleanup_free char *name = NULL;
    int r = fs_open_parent(path, &dfd, &name, err);
    if (r < 0)
        return error_wrap(err, "%s", what);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, name);
    if (n < 0 || (size_t) n >= sizeof(sa.sun_path))
        return error_new(err, ENAMETOOLONG, "%s `%s`: the socket's name is too long", what,
                         path);
    cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return error_errno(err, "%s: making a socket", what);
    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return error_errno(err, "%s `%s`: connecting", what, path);
    *ret_fd = steal_fd(&fd);
    return 0;
}

int tty_console(const char *console_socket, int *ret_fd, int *ret_peer, struct error **err)
{
    if (console_socket) {
        int r = tty_connect(console_socket, "--console-socket", ret_fd, err);
        if (r == 0)
            *ret_peer = -1;
        return r;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return error_errno(err, "making the terminal's socket");
    *ret_peer = sv[0];
    *ret_fd = sv[1];
    return 0;
}
