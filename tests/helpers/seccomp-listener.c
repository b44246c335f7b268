/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp-listener: the other end of linux.seccomp.listenerPath, for the
 * integration tests.  It listens on a unix socket, takes one connection
 * from the runtime, writes the container process state it received to
 * STATE (the JSON, as sent), and answers the filter's notifications with
 * the RESPONSES in order, logging each one to LOG as "nr=N pid=P".
 *
 *   seccomp-listener SOCKET STATE LOG RESPONSE...
 *
 * A RESPONSE is `ok` (the call returns 0 without being made), `errno:N`
 * (it fails with errno N) or `continue` (the kernel runs it).  SOCKET.ready
 * appears once the socket listens.  It exits after the last response, or
 * after 60 seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* The state and the fd; the state may arrive in several reads. */
static int receive(int conn, const char *state_path)
{
    char buf[65536];
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    ssize_t n = recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
    if (n <= 0)
        die("receiving the state");
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS) {
        errno = EPROTO;
        die("no fd with the state");
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    FILE *out = fopen(state_path, "we");
    if (out == NULL)
        die(state_path);
    fwrite(buf, 1, (size_t) n, out);
    /* The runtime closes its end after sending: read up to EOF. */
    while ((n = read(conn, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t) n, out);
    fclose(out);
    return fd;
}

static void answer(int fd, const char *response, FILE *log)
{
    struct seccomp_notif req;
    memset(&req, 0, sizeof(req));
    while (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
        if (errno != EINTR)
            die("SECCOMP_IOCTL_NOTIF_RECV");
        memset(&req, 0, sizeof(req));
    }
    fprintf(log, "nr=%d pid=%u\n", req.data.nr, req.pid);
    fflush(log);
    struct seccomp_notif_resp resp = {.id = req.id};
    if (strcmp(response, "continue") == 0)
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else if (strncmp(response, "errno:", 6) == 0)
        resp.error = -atoi(response + 6);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
        die("SECCOMP_IOCTL_NOTIF_SEND");
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: seccomp-listener SOCKET STATE LOG RESPONSE...\n");
        return 2;
    }
    alarm(60);
    int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        die(argv[1]);
    }
    strcpy(sa.sun_path, argv[1]);
    if (srv < 0 || bind(srv, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(srv, 1) < 0)
        die(argv[1]);
    char ready[4200];
    snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
    close(open(ready, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        die("accept");
    int fd = receive(conn, argv[2]);
    close(conn);
    FILE *log = fopen(argv[3], "we");
    if (log == NULL)
        die(argv[3]);
    for (int i = 4; i < argc; i++)
        answer(fd, argv[i], log);
    fclose(log);
    return 0;
}
