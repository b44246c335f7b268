/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

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
