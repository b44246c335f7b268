/* SPDX-License-Identifier: Apache-2.0 */
/* Unix sockets: sending a file descriptor along with data. */
#ifndef CABIN_UTIL_SOCK_H
#define CABIN_UTIL_SOCK_H

#include <stddef.h>
#include <sys/types.h>

/* sendmsg(2) of `len` bytes of `buf` with `fd` attached (SCM_RIGHTS),
 * MSG_NOSIGNAL, retried on EINTR.  Returns the bytes sent (a stream socket
 * may take fewer; the fd went with the first of them) or a negative errno.
 * `fd` stays the caller's. */
ssize_t sock_send_fd(int sock, const void *buf, size_t len, int fd);

#endif
