/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/sock.h"

int sync_send(int fd, enum sync_type type, int32_t value, const char *text)
{
    struct sync_msg m = {.type = type, .value = value};
    size_t len = offsetof(struct sync_msg, text);
    if (text) {
        size_t n = strnlen(text, SYNC_MSG_MAX - 1);
        memcpy(m.text, text, n);
        m.text[n] = '\0';
        len += n + 1;
    }
    for (;;) {
        ssize_t w = send(fd, &m, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        return w < 0 ? -errno : 0;
    }
}

int sync_send_error(int fd, const struct error *e)
{
    return sync_send(fd, SYNC_ERROR, e ? e->code : EINVAL, e ? e->msg : "unknown error");
}

int sync_recv(int fd, struct sync_msg *ret_msg)
{
    memset(ret_msg, 0, offsetof(struct sync_msg, text) + 1);
    for (;;) {
        ssize_t n = recv(fd, ret_msg, sizeof(*ret_msg) - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ECONNRESET ? -EPIPE : -errno;
        if (n == 0)
            return -EPIPE;
        if ((size_t) n < offsetof(struct sync_msg, text))
            return -EBADMSG;
        ((char *) ret_msg)[n] = '\0';
        if ((size_t) n == offsetof(struct sync_msg, text))
            ret_msg->text[0] = '\0';
        return 0;
    }
}

int sync_expect(int fd, enum sync_type type, const char *what, struct sync_msg *ret_msg,
                struct error **err)
{
    int r = sync_recv(fd, ret_msg);
    if (r == -EPIPE)
        return error_new(err, ECHILD, "%s: the container's init exited before it was set up",
                         what);
    if (r < 0)
        return error_errnum(err, -r, "%s: reading from the container's init", what);
    if (ret_msg->type == SYNC_ERROR)
        return error_new(err, ret_msg->value > 0 ? ret_msg->value : EINVAL, "%s", ret_msg->text);
    if (ret_msg->type != (uint32_t) type)
        return error_new(err, EPROTO, "%s: unexpected message %u from the container's init",
                         what, ret_msg->type);
    return 0;
}

int sync_send_fd(int fd, enum sync_type type, int passfd)
{
    struct sync_msg m = {.type = type};
    /* A seqpacket message goes whole or not at all. */
    ssize_t w = sock_send_fd(fd, &m, offsetof(struct sync_msg, text), passfd);
    return w < 0 ? (int) w : 0;
}

int sync_recv_fd(int fd, struct sync_msg *ret_msg, int *ret_fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl = {0};
    memset(ret_msg, 0, offsetof(struct sync_msg, text) + 1);
    struct iovec iov = {.iov_base = ret_msg, .iov_len = sizeof(*ret_msg) - 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;
    do
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == ECONNRESET ? -EPIPE : -errno;
    if (n == 0)
        return -EPIPE;
    ((char *) ret_msg)[n] = '\0';
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int))) {
        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        return 0;
    }
    if ((size_t) n < offsetof(struct sync_msg, text))
        return -EBADMSG;
    /* An error report (or anything else) without an fd: the caller looks. */
    *ret_fd = -1;
    return 0;
}
