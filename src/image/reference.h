/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image references, parsed and normalised as docker does:
 *
 *   busybox               -> docker.io/library/busybox:latest
 *   user/app:1            -> docker.io/user/app:1
 *   host:5000/a/b         -> host:5000/a/b:latest
 *   name@sha256:...       -> docker.io/library/name@sha256:...   (no tag added)
 *   name:tag@sha256:...   -> both kept
 *
 * The grammar is distribution's: a domain is the first component when it
 * holds a '.' or a ':' or is "localhost"; path components are lower-case
 * [a-z0-9] runs joined by '.', '_', '__' or dashes; a tag is
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; the name is at most 255 characters.
 * Errors say what is wrong ("repository name must be lowercase").
 *
 * The caller owns a parsed reference and frees it with image_ref_free().
 */
#ifndef CABIN_IMAGE_REFERENCE_H
#define CABIN_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "util/error.h"

#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_DEFAULT_TAG    "latest"
#define REF_MAX_NAME       255

struct image_ref {
    char *domain; /* "docker.io", "host:5000" */
    char *path;   /* "library/busybox" */
    char *tag;    /* NULL when only a digest was given */
    char *digest; /* "sha256:...", or NULL */
};

/* Parse and normalise `s`.  A reference with neither tag nor digest gets
 * the tag "latest" unless `no_default_tag`. */
int image_ref_parse(const char *s, bool no_default_tag, struct image_ref **ret,
                    struct error **err);
void image_ref_free(struct image_ref *r);
/* A repository alone ("alpine", "host:5000/a/b"); a tag or a digest is
 * an error that says `what` (an option, "--all-tags") wants a repository. */
int image_ref_parse_repository(const char *s, const char *what, struct image_ref **ret,
                               struct error **err);

/* "domain/path" (malloc'd). */
char *image_ref_name(const struct image_ref *r);
/* "domain/path[:tag][@digest]" (malloc'd). */
char *image_ref_string(const struct image_ref *r);
/* "domain/path:tag" or, without a tag, "domain/path@digest". */
char *image_ref_name_tag(const struct image_ref *r);

/* The short form docker shows: "docker.io/library/x" -> "x",
 * "docker.io/u/x" -> "u/x"; others unchanged.  Works on a full name
 * (with or without :tag / @digest) and returns a pointer into it. */
const char *image_ref_familiar(const char *full);

/* Split a normalised "name:tag" or "name@digest" string: *ret_repo is the
 * name (malloc'd), *ret_tag points into `full` after ':' or '@' (with the
 * '@' form *ret_is_digest is true). */
int image_ref_split(const char *full, char **ret_repo, const char **ret_tag, bool *ret_is_digest);

static inline void image_ref_freep(struct image_ref **r)
{
    image_ref_free(*r);
}
#define cleanup_image_ref __attribute__((cleanup(image_ref_freep)))

#endif
