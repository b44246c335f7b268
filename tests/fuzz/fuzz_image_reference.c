/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: image references (src/image/reference.c), parsed and
 * normalised as docker does.
 *
 * The input is the reference as a user types it (`cabin pull INPUT`).  It
 * is parsed with and without the default tag, and as a repository alone.
 * Checked, beyond the error contract:
 *
 *   - a parsed reference has a domain, and a path of lower-case components
 *     that follow the grammar of reference.h; a docker.io path always has
 *     a namespace ("library/" added); index.docker.io became docker.io;
 *   - a tag matches [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a digest is a
 *     valid sha256 digest; "latest" is added only when neither was given
 *     and only when asked for; the name is at most REF_MAX_NAME long;
 *   - parse -> image_ref_string() -> parse gives the same reference, and
 *     so does the short form image_ref_familiar() of that string (what
 *     `cabin images` shows and `save` writes must name the same image);
 *   - image_ref_name(), image_ref_name_tag() and image_ref_split() agree
 *     with the fields;
 *   - image_ref_parse_repository() succeeds exactly when there is neither
 *     tag nor digest, and then gives the same name.
 */
#include <ctype.h>
#include <errno.h>

#include "fuzz.h"
#include "image/digest.h"
#include "image/reference.h"
#include "util/cleanup.h"

static void check_result(int r, const struct error *err)
{
    if (r < 0)
        fuzz_check_error(r, err);
    else
        FUZZ_CHECK(r == 0 && err == NULL);
}

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component: [a-z0-9]+ ( ( '.' | '_' | '__' | '-'+ ) [a-z0-9]+ )* */
static bool component_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !lower_alnum(s[0]))
        return false;
    while (i < n) {
        while (i < n && lower_alnum(s[i]))
            i++;
        if (i == n)
            return true;
        if (s[i] == '.')
            i++;
        else if (s[i] == '_')
            i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
        else if (s[i] == '-')
            while (i < n && s[i] == '-')
                i++;
        else
            return false;
        if (i == n || !lower_alnum(s[i]))
            return false;
    }
    return true;
}

static bool path_ok(const char *p)
{
    for (;;) {
        const char *end = strchrnul(p, '/');
        if (!component_ok(p, (size_t) (end - p)))
            return false;
        if (*end == '\0')
            return true;
        p = end + 1;
    }
}

static bool tag_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char) t[i]) && t[i] != '_' && (i == 0 || (t[i] != '.' && t[i] != '-')))
            return false;
    return true;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool same_ref(const struct image_ref *a, const struct image_ref *b)
{
    return same_str(a->domain, b->domain) && same_str(a->path, b->path) &&
           same_str(a->tag, b->tag) && same_str(a->digest, b->digest);
}

static void check_fields(const struct image_ref *ref, const char *s, bool no_default_tag)
{
    FUZZ_CHECK(ref->domain != NULL && ref->domain[0] != '\0');
    FUZZ_CHECK(strcmp(ref->domain, "index.docker.io") != 0);
    FUZZ_CHECK(ref->path != NULL && path_ok(ref->path));
    if (strcmp(ref->domain, REF_DEFAULT_DOMAIN) == 0)
        FUZZ_CHECK(strchr(ref->path, '/') != NULL);
    FUZZ_CHECK(strlen(ref->domain) + 1 + strlen(ref->path) <= REF_MAX_NAME);
    if (ref->tag)
        FUZZ_CHECK(tag_ok(ref->tag));
    if (ref->digest) {
        FUZZ_CHECK(digest_valid(ref->digest));
        FUZZ_CHECK(strchr(s, '@') != NULL);
    }
    if (!no_default_tag)
        FUZZ_CHECK(ref->tag || ref->digest);
    /* "latest" is added only when the input had no tag. */
    if (ref->tag && strcmp(ref->tag, REF_DEFAULT_TAG) == 0 && strstr(s, ":" REF_DEFAULT_TAG) == NULL)
        FUZZ_CHECK(!no_default_tag && ref->digest == NULL);
}

/* The formatters agree with the fields. */
static void check_formats(const struct image_ref *ref)
{
    cleanup_free char *name = image_ref_name(ref);
    FUZZ_CHECK(name != NULL);
    size_t dn = strlen(ref->domain);
    FUZZ_CHECK(strncmp(name, ref->domain, dn) == 0 && name[dn] == '/' &&
               strcmp(name + dn + 1, ref->path) == 0);
    if (!ref->tag && !ref->digest)
        return;
    cleanup_free char *nt = image_ref_name_tag(ref);
    FUZZ_CHECK(nt != NULL);
    char *repo = NULL;
    const char *tag = NULL;
    bool is_digest = false;
    FUZZ_CHECK(image_ref_split(nt, &repo, &tag, &is_digest) == 0);
    FUZZ_CHECK(strcmp(repo, name) == 0);
    free(repo);
    FUZZ_CHECK(is_digest == (ref->tag == NULL));
    FUZZ_CHECK(strcmp(tag, ref->tag ? ref->tag : ref->digest) == 0);
}

/* `text` (a formatted reference) parses back to `ref`. */
static void check_reparse(const char *text, const struct image_ref *ref)
{
    cleanup_error struct error *err = NULL;
    cleanup_image_ref struct image_ref *again = NULL;
    int r = image_ref_parse(text, true, &again, &err);
    if (r < 0)
        fprintf(stderr, "`%s` does not parse again: %s\n", text, err->msg);
    FUZZ_CHECK(r == 0);
    if (!same_ref(again, ref))
        fprintf(stderr, "`%s` parses to %s/%s\n", text, again->domain, again->path);
    FUZZ_CHECK(same_ref(again, ref));
}

static void one(const char *s, bool no_default_tag)
{
    cleanup_error struct error *err = NULL;
    cleanup_image_ref struct image_ref *ref = NULL;
    int r = image_ref_parse(s, no_default_tag, &ref, &err);
    check_result(r, err);

    cleanup_error struct error *rerr = NULL;
    cleanup_image_ref struct image_ref *repo = NULL;
    if (no_default_tag) {
        int rr = image_ref_parse_repository(s, "--all-tags", &repo, &rerr);
        check_result(rr, rerr);
        FUZZ_CHECK((rr == 0) == (r == 0 && !ref->tag && !ref->digest));
        if (rr == 0)
            FUZZ_CHECK(same_ref(repo, ref));
    }
    if (r < 0)
        return;
    check_fields(ref, s, no_default_tag);
    check_formats(ref);

    cleanup_free char *text = image_ref_string(ref);
    FUZZ_CHECK(text != NULL);
    check_reparse(text, ref);
    const char *familiar = image_ref_familiar(text);
    FUZZ_CHECK(familiar >= text && familiar <= text + strlen(text));
    check_reparse(familiar, ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cleanup_free char *s = fuzz_cstring(data, size);
    if (s == NULL)
        return 0;
    one(s, false);
    one(s, true);
    return 0;
}
