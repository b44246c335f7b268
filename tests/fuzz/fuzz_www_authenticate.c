/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: the registry client's WWW-Authenticate challenges
 * (src/image/registry_challenge.c), reached the way a 401 or the /v2/
 * ping reaches them.
 *
 * The input is a response's header lines, one a line ("WWW-Authenticate:
 * Bearer realm=..."): each is handed to reg_header_cb() as curl hands it
 * (with its CRLF), then every www-authenticate header is parsed into one
 * list, and reg_auth_from_ping() picks the scheme from the same headers.
 * Checked, beyond the error contract:
 *
 *   - the header callback keeps names lower-case and values without the
 *     white space around them;
 *   - a failed parse leaves the list as it was; a header longer than
 *     CHALLENGE_MAX_HEADER is E2BIG; a good one appends at least one
 *     challenge, at most CHALLENGE_MAX_COUNT in all;
 *   - a challenge has a lower-case token scheme, either a token68 or
 *     parameters (at most CHALLENGE_MAX_PARAMS, lower-case token names,
 *     each once, values unquoted);
 *   - what was parsed, written again canonically (quoted values with
 *     their escapes), parses to the same challenges;
 *   - registry_challenges_find() and registry_challenge_param() are
 *     case-insensitive and give the first match;
 *   - reg_auth_from_ping() chooses Bearer (with the first Bearer
 *     challenge's realm and service) over Basic, Basic over nothing, and
 *     fails otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <strings.h>

#include "fuzz.h"
#include "image/registry_challenge.h"
#include "image/registry_internal.h"
#include "util/cleanup.h"

#define MAX_LINES 32

static bool is_tchar(char c)
{
    return isalnum((unsigned char) c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool lower_token(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!is_tchar(*s) || isupper((unsigned char) *s))
            return false;
    return true;
}

static bool token68_ok(const char *s)
{
    size_t i = 0;
    while (isalnum((unsigned char) s[i]) || (s[i] && strchr("-._~+/", s[i])))
        i++;
    if (i == 0)
        return false;
    while (s[i] == '=')
        i++;
    return s[i] == '\0';
}

static void check_challenge(const struct registry_challenge *c)
{
    FUZZ_CHECK(c->scheme && lower_token(c->scheme));
    FUZZ_CHECK(c->n_params <= CHALLENGE_MAX_PARAMS);
    if (c->token68) {
        FUZZ_CHECK(token68_ok(c->token68));
        FUZZ_CHECK(c->n_params == 0);
    }
    for (size_t i = 0; i < c->n_params; i++) {
        FUZZ_CHECK(c->names[i] && lower_token(c->names[i]) && c->values[i]);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(c->names[i], c->names[j]) != 0);
        /* Case-insensitive lookups find it. */
        char upper[256];
        snprintf(upper, sizeof(upper), "%s", c->names[i]);
        for (char *p = upper; *p; p++)
            *p = (char) toupper((unsigned char) *p);
        if (strlen(c->names[i]) < sizeof(upper))
            FUZZ_CHECK(registry_challenge_param(c, upper) == c->values[i]);
    }
}

/* Append `s` to the buffer (grown as needed); false when out of memory. */
static bool put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = (*len + n + 1) * 2;
        char *b = realloc(*buf, nc);
        if (b == NULL)
            return false;
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

/* The challenges v[from..to) written canonically (malloc'd), or NULL. */
static char *canonical(const struct registry_challenges *l, size_t from, size_t to)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = put(&buf, &len, &cap, "", 0);
    for (size_t k = from; ok && k < to; k++) {
        const struct registry_challenge *c = &l->v[k];
        if (k > from)
            ok = ok && put(&buf, &len, &cap, ", ", 2);
        ok = ok && put(&buf, &len, &cap, c->scheme, strlen(c->scheme));
        if (c->token68)
            ok = ok && put(&buf, &len, &cap, " ", 1) &&
                 put(&buf, &len, &cap, c->token68, strlen(c->token68));
        for (size_t i = 0; ok && i < c->n_params; i++) {
            ok = put(&buf, &len, &cap, i ? ", " : " ", i ? 2 : 1) &&
                 put(&buf, &len, &cap, c->names[i], strlen(c->names[i])) &&
                 put(&buf, &len, &cap, "=\"", 2);
            for (const char *p = c->values[i]; ok && *p; p++) {
                if (*p == '"' || *p == '\\')
                    ok = put(&buf, &len, &cap, "\\", 1);
                ok = ok && put(&buf, &len, &cap, p, 1);
            }
            ok = ok && put(&buf, &len, &cap, "\"", 1);
        }
    }
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void check_reparse(const struct registry_challenges *l, size_t from, size_t to)
{
    cleanup_free char *text = canonical(l, from, to);
    if (text == NULL || strlen(text) > CHALLENGE_MAX_HEADER)
        return;
    struct registry_challenges again = {0};
    cleanup_error struct error *err = NULL;
    int r = registry_challenges_parse(text, &again, &err);
    if (r < 0)
        fprintf(stderr, "`%s` does not parse again: %s\n", text, err->msg);
    FUZZ_CHECK(r == 0);
    FUZZ_CHECK(again.n == to - from);
    for (size_t k = 0; k < again.n; k++) {
        const struct registry_challenge *a = &again.v[k], *b = &l->v[from + k];
        FUZZ_CHECK(strcmp(a->scheme, b->scheme) == 0 && same_str(a->token68, b->token68));
        FUZZ_CHECK(a->n_params == b->n_params);
        for (size_t i = 0; i < a->n_params; i++)
            FUZZ_CHECK(strcmp(a->names[i], b->names[i]) == 0 &&
                       strcmp(a->values[i], b->values[i]) == 0);
    }
    registry_challenges_release(&again);
}

/* The header lines of the input, through the header callback. */
static void feed_headers(const uint8_t *data, size_t size, struct reg_headers *h)
{
    size_t start = 0, lines = 0;
    for (size_t k = 0; k <= size && lines < MAX_LINES; k++) {
        if (k < size && data[k] != '\n')
            continue;
        size_t n = k - start;
        char *line = malloc(n + 2);
        FUZZ_CHECK(line != NULL);
        memcpy(line, data + start, n);
        memcpy(line + n, "\r\n", 2);
        start = k + 1;
        lines++;
        size_t before = h->n;
        size_t got = reg_header_cb(line, 1, n + 2, h);
        FUZZ_CHECK(got == 0 || got == n + 2);
        if (h->n == before + 1) {
            const char *v = h->values[before];
            FUZZ_CHECK(memchr(line, ':', n) != NULL);
            for (const char *p = h->names[before]; *p; p++)
                FUZZ_CHECK(!isupper((unsigned char) *p));
            size_t vn = strlen(v);
            FUZZ_CHECK(vn == 0 || (v[0] != ' ' && v[0] != '\t' && v[vn - 1] != ' ' &&
                                   v[vn - 1] != '\t' && v[vn - 1] != '\r'));
        }
        free(line);
        if (got == 0)
            break;
    }
}

static void check_find(const struct registry_challenges *l, const char *scheme)
{
    const struct registry_challenge *c = registry_challenges_find(l, scheme);
    const struct registry_challenge *want = NULL;
    for (size_t k = 0; k < l->n && want == NULL; k++)
        if (strcasecmp(l->v[k].scheme, scheme) == 0)
            want = &l->v[k];
    FUZZ_CHECK(c == want);
}

/* reg_auth_from_ping() on the same headers. */
static void check_ping(const struct reg_headers *h, const struct registry_challenges *l,
                       bool all_parsed)
{
    struct registry reg;
    memset(&reg, 0, sizeof(reg));
    cleanup_error struct error *err = NULL;
    int r = reg_auth_from_ping(&reg, h, &err);
    if (r < 0)
        fuzz_check_error(r, err);
    else
        FUZZ_CHECK(r == 0 && err == NULL);
    const struct registry_challenge *bearer = registry_challenges_find(l, "Bearer");
    const char *realm = registry_challenge_param(bearer, "realm");
    if (!all_parsed || l->n == 0 || (bearer && (realm == NULL || *realm == '\0')) ||
        (!bearer && !registry_challenges_find(l, "basic"))) {
        FUZZ_CHECK(r < 0 && reg.auth == REG_AUTH_NONE);
    } else if (bearer) {
        FUZZ_CHECK(r == 0 && reg.auth == REG_AUTH_BEARER && strcmp(reg.realm, realm) == 0);
        FUZZ_CHECK(same_str(reg.service, registry_challenge_param(bearer, "service")));
    } else {
        FUZZ_CHECK(r == 0 && reg.auth == REG_AUTH_BASIC && reg.realm == NULL);
    }
    free(reg.realm);
    free(reg.service);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reg_headers h = {0};
    feed_headers(data, size, &h);

    struct registry_challenges list = {0};
    bool all_parsed = true;
    for (size_t i = 0; i < h.n && all_parsed; i++) {
        if (strcmp(h.names[i], "www-authenticate") != 0)
            continue;
        size_t before = list.n;
        cleanup_error struct error *err = NULL;
        int r = registry_challenges_parse(h.values[i], &list, &err);
        if (strlen(h.values[i]) > CHALLENGE_MAX_HEADER)
            FUZZ_CHECK(r == -E2BIG);
        if (r < 0) {
            fuzz_check_error(r, err);
            FUZZ_CHECK(list.n == before);
            all_parsed = false;
            break;
        }
        FUZZ_CHECK(r == 0 && err == NULL);
        FUZZ_CHECK(list.n > before && list.n <= CHALLENGE_MAX_COUNT);
        for (size_t k = before; k < list.n; k++)
            check_challenge(&list.v[k]);
        check_reparse(&list, before, list.n);
    }
    check_find(&list, "BEARER");
    check_find(&list, "basic");
    check_ping(&h, &list, all_parsed);
    registry_challenges_release(&list);
    reg_headers_clear(&h);
    return 0;
}
