/* SPDX-License-Identifier: Apache-2.0 */
/* Random identifiers (ids of networks and volumes, scratch names). */
#ifndef CABIN_UTIL_RANDOM_H
#define CABIN_UTIL_RANDOM_H

#include <stddef.h>

/* `len` random lower-case hex digits and a NUL into out (len + 1 bytes),
 * from getrandom(2); 0, or a negative errno when the kernel has none. */
int random_hex(char *out, size_t len);

#endif
