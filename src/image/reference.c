/* SPDX-License-Identifier: Apache-2.0 */
#include "image/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "util/cleanup.h"

void image_ref_free(struct image_ref *r)
{
    if (r == NULL)
        return;
    free(r->domain);
    free(r->path);
    free(r->tag);
    free(r->digest);
    free(r);
}

static bool alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ ( ( '.' | '_' | '__' | '-'+ ) [a-z0-9]+ )* */
static int check_path_component(const char *s, size_t len, const char *ref, struct error **err)
{
    if (len == 0)
        return error_new(err, EINVAL, "invalid reference `%s`: empty path component", ref);
    size_t i = 0;
    while (i < len) {
        if (!alnum_lower(s[i])) {
            if (s[i] >= 'A' && s[i] <= 'Z')
                return error_new(err, EINVAL,
                                 "invalid reference `%s`: repository name must be lowercase", ref);
            return error_new(err, EINVAL, "invalid reference `%s`: unexpected `%c` in `%.*s`",
                             ref, s[i], (int) len, s);
        }
        while (i < len && alnum_lower(s[i]))
            i++;
        if (i == len)
            break;
        size_t sep = i;
        if (s[i] == '.')
            i++;
        else if (s[i] == '_')
            i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
        else if (s[i] == '-')
            while (i < len && s[i] == '-')
                i++;
        else if (s[i] >= 'A' && s[i] <= 'Z')
            return error_new(err, EINVAL,
                             "invalid reference `%s`: repository name must be lowercase", ref);
        else
            return error_new(err, EINVAL, "invalid reference `%s`: unexpected `%c` in `%.*s`",
                             ref, s[i], (int) len, s);
        if (i == len || !alnum_lower(s[i])) {
            if (i < len && s[i] >= 'A' && s[i] <= 'Z')
                return error_new(err, EINVAL,
                                 "invalid reference `%s`: repository name must be lowercase", ref);
            return error_new(err, EINVAL,
                             "invalid reference `%s`: `%.*s` must be followed by a letter or digit",
                             ref, (int) (i - sep), s + sep);
        }
    }
    return 0;
}

/* host[:port]: components of [A-Za-z0-9-] not starting or ending with '-',
 * joined by '.'; or an IPv6 address in brackets. */
static int check_domain(const char *s, size_t len, const char *ref, struct error **err)
{
    size_t host_end = len;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return error_new(err, EINVAL, "invalid reference `%s`: unterminated `[` in the domain",
                             ref);
        for (const char *p = s + 1; p < close; p++)
            if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.')
                return error_new(err, EINVAL, "invalid reference `%s`: bad IPv6 address", ref);
        host_end = (size_t) (close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon)
            host_end = (size_t) (colon - s);
        size_t i = 0;
        while (i <= host_end) {
            size_t start = i;
            while (i < host_end && (isalnum((unsigned char) s[i]) || s[i] == '-'))
                i++;
            if (i == start || s[start] == '-' || s[i - 1] == '-')
                return error_new(err, EINVAL, "invalid reference `%s`: bad domain `%.*s`", ref,
                                 (int) len, s);
            if (i == host_end)
                break;
            if (s[i] != '.')
                return error_new(err, EINVAL, "invalid reference `%s`: bad domain `%.*s`", ref,
                                 (int) len, s);
            i++;
        }
    }
    if (host_end < len) {
        if (s[host_end] != ':' || host_end + 1 == len)
            return error_new(err, EINVAL, "invalid reference `%s`: bad port in `%.*s`", ref,
                             (int) len, s);
        for (size_t i = host_end + 1; i < len; i++)
            if (!isdigit((unsigned char) s[i]))
                return error_new(err, EINVAL, "invalid reference `%s`: bad port in `%.*s`", ref,
                                 (int) len, s);
    }
    return 0;
}

static int check_tag(const char *t, const char *ref, struct error **err)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128)
        return error_new(err, EINVAL, "invalid reference `%s`: a tag has 1 to 128 characters",
                         ref);
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool ok = isalnum((unsigned char) c) || c == '_' || (i > 0 && (c == '.' || c == '-'));
        if (!ok)
            return error_new(err, EINVAL, "invalid reference `%s`: bad tag `%s`", ref, t);
    }
    return 0;
}

static bool all_hex64(const char *s, size_t len)
{
    if (len != 64)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
            return false;
    return true;
}

int image_ref_parse(const char *s, bool no_default_tag, struct image_ref **ret,
                    struct error **err)
{
    if (s == NULL || *s == '\0')
        return error_new(err, EINVAL, "invalid reference: empty name");
    if (strlen(s) > 4096)
        return error_new(err, EINVAL, "invalid reference: longer than 4096 characters");
    cleanup_free char *copy = strdup(s);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *digest = strchr(copy, '@');
    if (digest) {
        *digest++ = '\0';
        if (*digest == '\0')
            return error_new(err, EINVAL, "invalid reference `%s`: nothing after `@`", s);
        int r = digest_check(digest, "invalid reference", NULL, err);
        if (r < 0)
            return error_wrap(err, "`%s`", s);
    }
    /* The tag is after the last ':' that follows the last '/'. */
    char *slash = strrchr(copy, '/');
    char *colon = strrchr(slash ? slash : copy, ':');
    char *tag = NULL;
    if (colon) {
        *colon = '\0';
        tag = colon + 1;
        int r = check_tag(tag, s, err);
        if (r < 0)
            return r;
    }
    char *name = copy;
    if (*name == '\0')
        return error_new(err, EINVAL, "invalid reference `%s`: empty name", s);
    if (!slash && all_hex64(name, strlen(name)))
        return error_new(err, EINVAL,
                         "invalid reference `%s`: a 64-hex string is an image id, not a name", s);
    const char *domain = REF_DEFAULT_DOMAIN;
    char *path = name;
    char *first_slash = strchr(name, '/');
    if (first_slash) {
        size_t dlen = (size_t) (first_slash - name);
        bool is_domain = memchr(name, '.', dlen) || memchr(name, ':', dlen) ||
                         (dlen == 9 && strncmp(name, "localhost", 9) == 0) ||
                         (dlen > 0 && name[0] == '[');
        bool has_upper = false;
        for (size_t i = 0; i < dlen; i++)
            has_upper |= isupper((unsigned char) name[i]) != 0;
        if (is_domain || has_upper) {
            int r = check_domain(name, dlen, s, err);
            if (r < 0)
                return r;
            *first_slash = '\0';
            domain = name;
            path = first_slash + 1;
        }
    }
    if (strcmp(domain, "index.docker.io") == 0)
        domain = REF_DEFAULT_DOMAIN;
    for (char *p = path;;) {
        char *end = strchrnul(p, '/');
        int r = check_path_component(p, (size_t) (end - p), s, err);
        if (r < 0)
            return r;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    bool library = strcmp(domain, REF_DEFAULT_DOMAIN) == 0 && strchr(path, '/') == NULL;
    struct image_ref *ref = calloc(1, sizeof(*ref));
    if (ref == NULL)
        return error_new(err, ENOMEM, "out of memory");
    ref->domain = strdup(domain);
    if (asprintf(&ref->path, "%s%s", library ? "library/" : "", path) < 0)
        ref->path = NULL;
    if (tag)
        ref->tag = strdup(tag);
    else if (!digest && !no_default_tag)
        ref->tag = strdup(REF_DEFAULT_TAG);
    if (digest)
        ref->digest = strdup(digest);
    if (!ref->domain || !ref->path || ((tag || (!digest && !no_default_tag)) && !ref->tag) ||
        (digest && !ref->digest)) {
        image_ref_free(ref);
        return error_new(err, ENOMEM, "out of memory");
    }
    if (strlen(ref->domain) + 1 + strlen(ref->path) > REF_MAX_NAME) {
        image_ref_free(ref);
        return error_new(err, EINVAL, "invalid reference `%s`: the name is longer than %d", s,
                         REF_MAX_NAME);
    }
    *ret = ref;
    return 0;
}

int image_ref_parse_repository(const char *s, const char *what, struct image_ref **ret,
                               struct error **err)
{
    struct image_ref *ref = NULL;
    int r = image_ref_parse(s, true, &ref, err);
    if (r < 0)
        return r;
    if (ref->tag || ref->digest) {
        image_ref_free(ref);
        return error_new(err, EINVAL, "`%s`: %s takes a repository, without a tag or digest", s,
                         what);
    }
    *ret = ref;
    return 0;
}

char *image_ref_name(const struct image_ref *r)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s", r->domain, r->path) < 0)
        return NULL;
    return s;
}

char *image_ref_string(const struct image_ref *r)
{
    char *s = NULL;
    if (asprintf(&s, "%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
                 r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
        return NULL;
    return s;
}

char *image_ref_name_tag(const struct image_ref *r)
{
    char *s = NULL;
    if (r->tag) {
        if (asprintf(&s, "%s/%s:%s", r->domain, r->path, r->tag) < 0)
            return NULL;
    } else if (asprintf(&s, "%s/%s@%s", r->domain, r->path, r->digest ? r->digest : "") < 0) {
        return NULL;
    }
    return s;
}

const char *image_ref_familiar(const char *full)
{
    static const char lib[] = REF_DEFAULT_DOMAIN "/library/";
    static const char hub[] = REF_DEFAULT_DOMAIN "/";
    if (strncmp(full, lib, sizeof(lib) - 1) == 0) {
        const char *rest = full + sizeof(lib) - 1;
        /* docker.io/library/a/b is not library's: keep "library/a/b". */
        const char *slash = strchr(rest, '/');
        const char *at = strpbrk(rest, ":@");
        if (slash == NULL || (at && at < slash))
            return rest;
        return full + sizeof(hub) - 1;
    }
    if (strncmp(full, hub, sizeof(hub) - 1) == 0)
        return full + sizeof(hub) - 1;
    return full;
}

int image_ref_split(const char *full, char **ret_repo, const char **ret_tag, bool *ret_is_digest)
{
    const char *at = strchr(full, '@');
    const char *sep = at;
    if (sep == NULL) {
        const char *slash = strrchr(full, '/');
        sep = strrchr(slash ? slash : full, ':');
    }
    if (sep == NULL)
        return -EINVAL;
    char *repo = strndup(full, (size_t) (sep - full));
    if (repo == NULL)
        return -ENOMEM;
    *ret_repo = repo;
    *ret_tag = sep + 1;
    *ret_is_digest = at != NULL;
    return 0;
}
