/* SPDX-License-Identifier: Apache-2.0 */
/*
 * recvtty: the other end of `--console-socket`, for the tests.
 *
 *   recvtty [-i TEXT] [-w COLSxROWS] SOCKET
 *
 * Listens on SOCKET, accepts one connection and receives one fd the way
 * conmon and containerd's shim do (one message, SCM_RIGHTS).  It prints
 *
 *   name=<the message's data>
 *   tty=<1 if the fd is a terminal master>
 *   size=<cols>x<rows>            (the pty's size as the runtime left it)
 *
 * then, with -w, sets the pty's size; with -i, writes TEXT (\n and \r
 * escapes understood) to it; and copies what the pty gives to stdout until
 * no slave is left (EIO), like a console of a container would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "recvtty: socket path too long\n");
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        perror("recvtty: listening");
        return -1;
    }
    return fd;
}

static int receive(int conn, char *name, size_t len)
{
    struct iovec iov = {.iov_base = name, .iov_len = len - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) {
        perror("recvtty: recvmsg");
        return -1;
    }
    name[n] = '\0';
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
        fprintf(stderr, "recvtty: no fd in the message\n");
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && (r[1] == 'n' || r[1] == 'r')) {
            *w++ = r[1] == 'n' ? '\n' : '\r';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int main(int argc, char **argv)
{
    char *input = NULL, *size = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "i:w:")) != -1) {
        if (opt == 'i')
            input = optarg;
        else if (opt == 'w')
            size = optarg;
        else
            return 2;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: recvtty [-i TEXT] [-w COLSxROWS] SOCKET\n");
        return 2;
    }
    int lfd = listen_on(argv[optind]);
    if (lfd < 0)
        return 1;
    int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
        perror("recvtty: accept");
        return 1;
    }
    char name[4096];
    int fd = receive(conn, name, sizeof(name));
    if (fd < 0)
        return 1;
    struct winsize ws = {0};
    ioctl(fd, TIOCGWINSZ, &ws);
    printf("name=%s\ntty=%d\nsize=%ux%u\n", name, isatty(fd), ws.ws_col, ws.ws_row);
    fflush(stdout);
    unsigned cols, rows;
    if (size && sscanf(size, "%ux%u", &cols, &rows) == 2) {
        ws.ws_col = (unsigned short) cols;
        ws.ws_row = (unsigned short) rows;
        ioctl(fd, TIOCSWINSZ, &ws);
    }
    if (input) {
        unescape(input);
        if (write(fd, input, strlen(input)) < 0)
            perror("recvtty: writing the input");
    }
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (write(STDOUT_FILENO, buf, (size_t) n) < 0)
            break;
    }
    return 0;
}
