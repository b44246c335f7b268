/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registry credentials, in docker's config.json format:
 *
 *   {"auths": {"https://index.docker.io/v1/": {"auth": "<base64 user:password>"},
 *              "host:5000": {"auth": "..."},
 *              "quay.io/team": {"auth": "..."},          (a namespace, as podman)
 *              "ghcr.io": {"identitytoken": "..."}},
 *    "credHelpers": {"gcr.io": "gcloud"}, "credsStore": "pass"}
 *
 * Looked up, first match wins, in:
 *   1. --authfile FILE (only that file when given)
 *   2. $REGISTRY_AUTH_FILE
 *   3. cabin's own: $XDG_CONFIG_HOME/cabin/auth.json (~/.config/cabin/auth.json),
 *      where `cabin login` writes
 *   4. containers' (podman, skopeo, buildah): $XDG_RUNTIME_DIR/containers/auth.json
 *      (/run/containers/UID/auth.json), ~/.config/containers/auth.json
 *   5. docker's: $DOCKER_CONFIG/config.json or ~/.docker/config.json
 * In a file: credHelpers[registry], then the auths entry that matches the
 * repository best (the longest namespace, else the registry; keys may
 * carry a scheme and a path, "https://index.docker.io/v1/" is Docker Hub),
 * then credsStore.  A helper is `docker-credential-NAME get`, given the
 * server on stdin and answering {"Username", "Secret"} ("<token>" as the
 * user makes Secret an identity token).
 *
 * Writes (login, logout) replace the file by rename, mode 0600, keeping
 * whatever else it holds.
 */
#ifndef CABIN_IMAGE_REGISTRY_CREDS_H
#define CABIN_IMAGE_REGISTRY_CREDS_H

#include <stdbool.h>

#include "util/error.h"

#define REGISTRY_CREDS_MAX_FILE (4u << 20)

struct registry_creds {
    char *username, *password;
    char *identity_token; /* an OAuth2 refresh token, instead of a password */
    char *source;         /* the file or helper they came from */
};
void registry_creds_release(struct registry_creds *c);

/* The credentials for `domain` ("docker.io", "host:5000") and the
 * repository path `repo` (may be NULL); all fields NULL when none.
 * `authfile` as --authfile (may be NULL).  A file that cannot be parsed
 * is an error naming it. */
int registry_creds_lookup(const char *authfile, const char *domain, const char *repo,
                          struct registry_creds *ret, struct error **err);

/* The file login writes to (malloc'd): authfile, $REGISTRY_AUTH_FILE or
 * cabin's own. */
int registry_creds_file(const char *authfile, char **ret, struct error **err);

/* Store user/password for `domain` in `file` (made with its folders). */
int registry_creds_save(const char *file, const char *domain, const char *user,
                        const char *password, struct error **err);
/* Remove what `file` holds for `domain` (every key naming it, namespaced
 * ones too); *ret_removed says whether there was any. */
int registry_creds_remove(const char *file, const char *domain, bool *ret_removed,
                          struct error **err);
/* Remove every entry of "auths". */
int registry_creds_remove_all(const char *file, struct error **err);

/* The registry a key of "auths" names ("https://index.docker.io/v1/" ->
 * "docker.io"), and its namespace path after the host, or NULL
 * (malloc'd both). */
int registry_creds_key_parse(const char *key, char **ret_domain, char **ret_path);

/* Split "user:password" (the password may hold ':'). */
int registry_creds_split(const char *s, struct registry_creds *ret, struct error **err);

#endif
