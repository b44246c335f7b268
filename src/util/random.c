/* SPDX-License-Identifier: Apache-2.0 */
#include "util/random.h"

#include <errno.h>
#include <sys/random.h>

int random_hex(char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t done = 0;
    while (done < len) {
        size_t want = (len - done + 1) / 2;
        if (want > sizeof(raw))
            want = sizeof(raw);
        ssize_t n = getrandom(raw, want, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        for (ssize_t i = 0; i < n && done < len; i++) {
            out[done++] = hex[raw[i] >> 4];
            if (done < len)
                out[done++] = hex[raw[i] & 15];
        }
    }
    out[len] = '\0';
    return 0;
}
