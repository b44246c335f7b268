/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry_challenge.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"

/* RFC 7230 tchar. */
static bool is_tchar(char c)
{
    return isalnum((unsigned char) c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 token68 characters (before the '=' padding). */
static bool is_t68(char c)
{
    return isalnum((unsigned char) c) || (c && strchr("-._~+/", c) != NULL);
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

struct cursor {
    const char *s; /* the header */
    size_t i;
    const char *header; /* for messages */
};

static void skip_ows(struct cursor *c)
{
    while (is_ows(c->s[c->i]))
        c->i++;
}

static int fail(struct cursor *c, struct error **err, const char *what)
{
    return error_new(err, EINVAL, "WWW-Authenticate `%.200s`: %s at offset %zu", c->header, what,
                     c->i);
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    for (size_t i = 0; d && i < n; i++)
        d[i] = (char) tolower((unsigned char) d[i]);
    return d;
}

/* A quoted-string at c->i (on the opening quote); the unescaped value. */
static int quoted(struct cursor *c, char **ret, struct error **err)
{
    size_t start = ++c->i;
    size_t n = 0;
    cleanup_free char *out = malloc(strlen(c->s + start) + 1);
    if (out == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (;;) {
        char ch = c->s[c->i];
        if (ch == '\0')
            return fail(c, err, "unterminated quoted string");
        c->i++;
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (c->s[c->i] == '\0')
                return fail(c, err, "unterminated quoted string");
            ch = c->s[c->i++];
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    *ret = steal_pointer(&out);
    return 0;
}

/* An unquoted value: a token, or (leniently) anything up to ',' or space. */
static int bare(struct cursor *c, char **ret, struct error **err)
{
    size_t start = c->i;
    while (c->s[c->i] && c->s[c->i] != ',' && !is_ows(c->s[c->i]) && c->s[c->i] != '"')
        c->i++;
    if ((*ret = strndup(c->s + start, c->i - start)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int add_param(struct registry_challenge *ch, char *name, char *value, struct error **err)
{
    for (size_t i = 0; i < ch->n_params; i++)
        if (strcmp(ch->names[i], name) == 0) {
            /* A parameter given twice: the first one counts. */
            free(name);
            free(value);
            return 0;
        }
    if (ch->n_params >= CHALLENGE_MAX_PARAMS) {
        free(name);
        free(value);
        return error_new(err, E2BIG, "WWW-Authenticate: more than %d parameters",
                         CHALLENGE_MAX_PARAMS);
    }
    char **nn = realloc(ch->names, (ch->n_params + 1) * sizeof(char *));
    if (nn)
        ch->names = nn;
    char **nv = nn ? realloc(ch->values, (ch->n_params + 1) * sizeof(char *)) : NULL;
    if (nv)
        ch->values = nv;
    if (nn == NULL || nv == NULL) {
        free(name);
        free(value);
        return error_new(err, ENOMEM, "out of memory");
    }
    ch->names[ch->n_params] = name;
    ch->values[ch->n_params] = value;
    ch->n_params++;
    return 0;
}

/* token68 right after the scheme: t68 chars, '=' padding, then the end of
 * the challenge (end of header or a comma). */
static bool try_token68(struct cursor *c, struct registry_challenge *ch)
{
    size_t j = c->i;
    while (is_t68(c->s[j]))
        j++;
    if (j == c->i)
        return false;
    size_t end = j;
    while (c->s[end] == '=')
        end++;
    size_t k = end;
    while (is_ows(c->s[k]))
        k++;
    if (c->s[k] != '\0' && c->s[k] != ',')
        return false;
    /* "a=b" is a parameter; "abc" alone could be the next scheme only
     * after a comma, so a lone word here is a token68. */
    ch->token68 = strndup(c->s + c->i, end - c->i);
    c->i = k;
    return ch->token68 != NULL;
}

/* Parameters of one challenge, until the next scheme or the end. */
static int params(struct cursor *c, struct registry_challenge *ch, struct error **err)
{
    for (;;) {
        while (is_ows(c->s[c->i]) || c->s[c->i] == ',')
            c->i++;
        if (c->s[c->i] == '\0')
            return 0;
        size_t start = c->i;
        while (is_tchar(c->s[c->i]))
            c->i++;
        if (c->i == start)
            return fail(c, err, "expected a parameter name");
        size_t name_end = c->i;
        skip_ows(c);
        if (c->s[c->i] != '=') {
            /* Not a parameter: the next challenge's scheme. */
            c->i = start;
            return 0;
        }
        c->i++;
        skip_ows(c);
        char *value = NULL;
        int r = c->s[c->i] == '"' ? quoted(c, &value, err) : bare(c, &value, err);
        if (r < 0)
            return r;
        char *name = lower_dup(c->s + start, name_end - start);
        if (name == NULL) {
            free(value);
            return error_new(err, ENOMEM, "out of memory");
        }
        if ((r = add_param(ch, name, value, err)) < 0)
            return r;
        skip_ows(c);
        if (c->s[c->i] != ',' && c->s[c->i] != '\0')
            return fail(c, err, "expected `,` after a parameter");
    }
}

static void challenge_release(struct registry_challenge *ch)
{
    free(ch->scheme);
    free(ch->token68);
    for (size_t i = 0; i < ch->n_params; i++) {
        free(ch->names[i]);
        free(ch->values[i]);
    }
    free(ch->names);
    free(ch->values);
}

void registry_challenges_release(struct registry_challenges *list)
{
    for (size_t i = 0; i < list->n; i++)
        challenge_release(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

static int one_challenge(struct cursor *c, struct registry_challenges *list, struct error **err)
{
    size_t start = c->i;
    while (is_tchar(c->s[c->i]))
        c->i++;
    if (c->i == start)
        return fail(c, err, "expected an authentication scheme");
    if (list->n >= CHALLENGE_MAX_COUNT)
        return error_new(err, E2BIG, "WWW-Authenticate: more than %d challenges",
                         CHALLENGE_MAX_COUNT);
    struct registry_challenge ch = {.scheme = lower_dup(c->s + start, c->i - start)};
    if (ch.scheme == NULL)
        return error_new(err, ENOMEM, "out of memory");
    int r = 0;
    if (is_ows(c->s[c->i])) {
        skip_ows(c);
        if (!try_token68(c, &ch))
            r = params(c, &ch, err);
    } else if (c->s[c->i] != '\0' && c->s[c->i] != ',') {
        r = fail(c, err, "unexpected character after the scheme");
    }
    struct registry_challenge *v = r == 0 ? realloc(list->v, (list->n + 1) * sizeof(*v)) : NULL;
    if (r == 0 && v == NULL)
        r = error_new(err, ENOMEM, "out of memory");
    if (r < 0) {
        challenge_release(&ch);
        return r;
    }
    list->v = v;
    list->v[list->n++] = ch;
    return 0;
}

int registry_challenges_parse(const char *header, struct registry_challenges *list,
                              struct error **err)
{
    if (header == NULL)
        return error_new(err, EINVAL, "WWW-Authenticate: missing");
    if (strlen(header) > CHALLENGE_MAX_HEADER)
        return error_new(err, E2BIG, "WWW-Authenticate: longer than %d bytes",
                         CHALLENGE_MAX_HEADER);
    struct cursor c = {.s = header, .header = header};
    size_t before = list->n;
    for (;;) {
        while (is_ows(c.s[c.i]) || c.s[c.i] == ',')
            c.i++;
        if (c.s[c.i] == '\0')
            break;
        int r = one_challenge(&c, list, err);
        if (r < 0) {
            /* Nothing of this header is kept. */
            while (list->n > before)
                challenge_release(&list->v[--list->n]);
            return r;
        }
    }
    if (list->n == before)
        return error_new(err, EINVAL, "WWW-Authenticate `%.200s`: no challenge", header);
    return 0;
}

const struct registry_challenge *registry_challenges_find(const struct registry_challenges *list,
                                                          const char *scheme)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcasecmp(list->v[i].scheme, scheme) == 0)
            return &list->v[i];
    return NULL;
}

const char *registry_challenge_param(const struct registry_challenge *c, const char *name)
{
    for (size_t i = 0; c && i < c->n_params; i++)
        if (strcasecmp(c->names[i], name) == 0)
            return c->values[i];
    return NULL;
}
