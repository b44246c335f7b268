/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WWW-Authenticate challenges (RFC 7235 section 4.1), parsed robustly:
 *
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
 *          scope="repository:library/alpine:pull"
 *   Basic realm="Registry Realm", Bearer realm=...     (two challenges)
 *   Negotiate YIIB...==                                (a token68)
 *
 * A header may hold several challenges, and a response several headers:
 * each parse appends to the list.  Scheme and parameter names are
 * case-insensitive (kept lower-case); values are unquoted (backslash
 * escapes undone).  Unquoted values that are not RFC tokens (a bare URL,
 * as some registries send) are taken up to the next comma or space.  A
 * header that cannot be parsed is an error that says where; limits on its
 * length and on the number of challenges and parameters.
 *
 * The list owns its strings; release it with registry_challenges_release().
 */
#ifndef CABIN_IMAGE_REGISTRY_CHALLENGE_H
#define CABIN_IMAGE_REGISTRY_CHALLENGE_H

#include <stddef.h>

#include "util/error.h"

#define CHALLENGE_MAX_HEADER 16384
#define CHALLENGE_MAX_COUNT  16
#define CHALLENGE_MAX_PARAMS 32

struct registry_challenge {
    char *scheme;  /* lower-case: "bearer", "basic" */
    char *token68; /* or NULL */
    char **names;  /* lower-case, n_params of them */
    char **values;
    size_t n_params;
};

struct registry_challenges {
    struct registry_challenge *v;
    size_t n;
};

/* Parse one WWW-Authenticate header value and append its challenges. */
int registry_challenges_parse(const char *header, struct registry_challenges *list,
                              struct error **err);
void registry_challenges_release(struct registry_challenges *list);

/* The first challenge of `scheme` (case-insensitive), or NULL. */
const struct registry_challenge *registry_challenges_find(const struct registry_challenges *list,
                                                          const char *scheme);
/* The value of parameter `name` (case-insensitive), or NULL. */
const char *registry_challenge_param(const struct registry_challenge *c, const char *name);

#endif
