/* SPDX-License-Identifier: Apache-2.0 */
/* Registry authentication: the ping's challenge, Bearer tokens (fetched
 * anonymously or with credentials, cached per scope until they expire),
 * Basic, and what a 401 asks for. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/registry_challenge.h"
#include "image/registry_config.h"
#include "image/registry_internal.h"
#include "util/base64.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"

#define TOKEN_MIN_LIFE_S 60   /* the token spec's default and docker's minimum */
#define TOKEN_MARGIN_MS  5000 /* a token this close to its end is not used */
#define MAX_TOKENS       64

void reg_tokens_release(struct registry *r)
{
    for (size_t i = 0; i < r->n_tokens; i++) {
        free(r->tokens[i].realm);
        free(r->tokens[i].service);
        free(r->tokens[i].scope);
        free(r->tokens[i].token);
    }
    free(r->tokens);
    r->tokens = NULL;
    r->n_tokens = 0;
}

static bool eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The repository of a scope "repository:NAME:pull,push ..." (malloc'd). */
static char *scope_repo(const char *scope)
{
    if (scope == NULL || strncmp(scope, "repository:", 11) != 0)
        return NULL;
    const char *name = scope + 11;
    const char *end = strchr(name, ':');
    return end ? strndup(name, (size_t) (end - name)) : NULL;
}

int reg_creds_load(struct registry *r, const char *scope, struct error **err)
{
    if (r->creds_loaded)
        return 0;
    int rc;
    if (r->creds_arg) {
        rc = registry_creds_split(r->creds_arg, &r->creds, err);
        if (rc < 0)
            return error_wrap(err, "--creds");
    } else {
        cleanup_free char *repo = scope_repo(scope);
        rc = registry_creds_lookup(r->authfile, r->domain, repo, &r->creds, err);
        if (rc < 0)
            return rc;
    }
    if (r->creds.username)
        log_debug("registry %s: credentials of `%s` from %s", r->domain, r->creds.username,
                  r->creds.source ? r->creds.source : "the command line");
    r->creds_loaded = true;
    return 0;
}

/* Every WWW-Authenticate header of a response. */
static int challenges_of(const struct reg_headers *h, struct registry_challenges *list,
                         struct error **err)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->names[i], "www-authenticate") != 0)
            continue;
        int rc = registry_challenges_parse(h->values[i], list, err);
        if (rc < 0)
            return rc;
    }
    if (list->n == 0)
        return error_new(err, EPROTO, "401 without a WWW-Authenticate challenge");
    return 0;
}

static int set_bearer(struct registry *r, const struct registry_challenge *c, struct error **err)
{
    const char *realm = registry_challenge_param(c, "realm");
    const char *service = registry_challenge_param(c, "service");
    if (realm == NULL || *realm == '\0')
        return error_new(err, EPROTO, "a Bearer challenge without a realm");
    char *nr = strdup(realm), *ns = service ? strdup(service) : NULL;
    if (nr == NULL || (service && ns == NULL)) {
        free(nr);
        free(ns);
        return error_new(err, ENOMEM, "out of memory");
    }
    free(r->realm);
    free(r->service);
    r->realm = nr;
    r->service = ns;
    r->auth = REG_AUTH_BEARER;
    return 0;
}

int reg_auth_from_ping(struct registry *r, const struct reg_headers *h, struct error **err)
{
    struct registry_challenges list = {0};
    int rc = challenges_of(h, &list, err);
    const struct registry_challenge *bearer = rc == 0 ? registry_challenges_find(&list, "bearer")
                                                      : NULL;
    if (rc == 0 && bearer)
        rc = set_bearer(r, bearer, err);
    else if (rc == 0 && registry_challenges_find(&list, "basic"))
        r->auth = REG_AUTH_BASIC;
    else if (rc == 0)
        rc = error_new(err, ENOTSUP, "the registry asks for `%s` authentication (only Bearer "
                                     "and Basic are supported)", list.v[0].scheme);
    registry_challenges_release(&list);
    return rc;
}

/* ---- tokens ------------------------------------------------------------------ */

static struct reg_token *cached(struct registry *r, const char *scope)
{
    int64_t now = reg_now_ms();
    for (size_t i = 0; i < r->n_tokens; i++) {
        struct reg_token *t = &r->tokens[i];
        if (eq(t->realm, r->realm) && eq(t->service, r->service) && eq(t->scope, scope) &&
            t->expires_ms - TOKEN_MARGIN_MS > now)
            return t;
    }
    return NULL;
}

static int remember(struct registry *r, const char *scope, const char *token, int64_t life_s,
                    struct error **err)
{
    struct reg_token *t = NULL;
    for (size_t i = 0; i < r->n_tokens && t == NULL; i++)
        if (eq(r->tokens[i].realm, r->realm) && eq(r->tokens[i].service, r->service) &&
            eq(r->tokens[i].scope, scope))
            t = &r->tokens[i];
    if (t == NULL) {
        if (r->n_tokens >= MAX_TOKENS)
            reg_tokens_release(r);
        struct reg_token *v = realloc(r->tokens, (r->n_tokens + 1) * sizeof(*v));
        if (v == NULL)
            return error_new(err, ENOMEM, "out of memory");
        r->tokens = v;
        t = &v[r->n_tokens++];
        memset(t, 0, sizeof(*t));
        t->realm = strdup(r->realm);
        t->service = r->service ? strdup(r->service) : NULL;
        t->scope = scope ? strdup(scope) : NULL;
    }
    free(t->token);
    t->token = strdup(token);
    t->expires_ms = reg_now_ms() + (life_s < TOKEN_MIN_LIFE_S ? TOKEN_MIN_LIFE_S : life_s) * 1000;
    if (t->realm == NULL || t->token == NULL || (r->service && !t->service) ||
        (scope && !t->scope))
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int append_param(char **url, bool *first, const char *name, const char *value)
{
    char *v = curl_easy_escape(NULL, value, 0);
    if (v == NULL)
        return -ENOMEM;
    char *n = NULL;
    int len = asprintf(&n, "%s%s%s=%s", *url, *first ? "" : "&", name, v);
    curl_free(v);
    if (len < 0)
        return -ENOMEM;
    free(*url);
    *url = n;
    *first = false;
    return 0;
}

/* GET REALM?service=S&scope=A&scope=B[&account=U], or the form of the
 * OAuth2 POST (grant_type=refresh_token). */
static int token_query(const struct registry *r, const char *scope, bool form, char **ret)
{
    bool first = true;
    char *q = strdup(form ? "" : r->realm);
    if (q == NULL)
        return -ENOMEM;
    if (!form) {
        char *n = NULL;
        if (asprintf(&n, "%s%s", q, strchr(q, '?') ? "&" : "?") < 0) {
            free(q);
            return -ENOMEM;
        }
        free(q);
        q = n;
    }
    int rc = 0;
    if (form) {
        rc = append_param(&q, &first, "grant_type", "refresh_token");
        if (rc == 0)
            rc = append_param(&q, &first, "refresh_token", r->creds.identity_token);
        if (rc == 0)
            rc = append_param(&q, &first, "client_id", "cabin");
    }
    if (rc == 0 && r->service)
        rc = append_param(&q, &first, "service", r->service);
    if (rc == 0 && form && scope)
        rc = append_param(&q, &first, "scope", scope);
    for (const char *s = scope; rc == 0 && !form && s && *s;) {
        const char *end = strchrnul(s, ' ');
        cleanup_free char *one = strndup(s, (size_t) (end - s));
        rc = one ? append_param(&q, &first, "scope", one) : -ENOMEM;
        s = *end ? end + 1 : end;
    }
    if (rc == 0 && !form && r->creds.username && !r->creds.identity_token)
        rc = append_param(&q, &first, "account", r->creds.username);
    if (rc < 0) {
        free(q);
        return rc;
    }
    *ret = q;
    return 0;
}

/* Credentials go to the realm only over HTTPS, unless the registry is
 * itself one we may talk plain HTTP to (or the realm is on loopback). */
static int check_realm(const struct registry *r, struct error **err)
{
    if (strncasecmp(r->realm, "https://", 8) == 0)
        return 0;
    if (strncasecmp(r->realm, "http://", 7) != 0)
        return error_new(err, EPROTO, "token realm `%.200s` is not an http(s) URL", r->realm);
    if (r->creds.username == NULL && r->creds.identity_token == NULL)
        return 0; /* an anonymous token: nothing to give away */
    const char *host = r->realm + 7;
    char endpoint[256];
    snprintf(endpoint, sizeof(endpoint), "%.*s", (int) strcspn(host, "/?#"), host);
    if (r->insecure || registry_config_is_loopback(endpoint))
        return 0;
    return error_new(err, EPROTO, "token realm `%.200s` is plain HTTP for the secure registry %s",
                     r->realm, r->domain);
}

static int parse_token(const struct reg_response *resp, char **ret, int64_t *ret_life,
                       struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = json_load_string(resp->body ? resp->body : "", "the token server's answer", &j,
                              err);
    if (rc < 0)
        return rc;
    const char *tok = json_string_value(json_object_get(j, "token"));
    if (tok == NULL || *tok == '\0')
        tok = json_string_value(json_object_get(j, "access_token"));
    if (tok == NULL || *tok == '\0')
        return error_new(err, EPROTO, "the token server's answer has no `token` nor "
                                      "`access_token`");
    json_t *exp = json_object_get(j, "expires_in");
    *ret_life = json_is_integer(exp) ? (int64_t) json_integer_value(exp) : TOKEN_MIN_LIFE_S;
    if ((*ret = strdup(tok)) == NULL)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

static int fetch_token(struct registry *r, const char *scope, char **ret, int64_t *ret_life,
                       struct error **err)
{
    int rc = reg_creds_load(r, scope, err);
    if (rc == 0)
        rc = check_realm(r, err);
    if (rc < 0)
        return rc;
    bool form = r->creds.identity_token != NULL;
    cleanup_free char *query = NULL;
    if (token_query(r, scope, form, &query) < 0)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *basic = NULL;
    if (!form && r->creds.username &&
        asprintf(&basic, "%s:%s", r->creds.username, r->creds.password ? r->creds.password : "") <
            0)
        return error_new(err, ENOMEM, "out of memory");
    struct reg_request q = {
        .method = form ? "POST" : "GET",
        .url = form ? r->realm : query,
        .basic = basic,
        .max_body = REG_MAX_TOKEN_BODY,
        .follow = !form,
    };
    if (form) {
        q.body = query;
        q.body_len = strlen(query);
        q.content_type = "application/x-www-form-urlencoded";
    }
    struct reg_response resp = {0};
    if ((rc = reg_perform(r, &q, &resp, err)) < 0)
        return error_wrap(err, "getting a token from %s", r->realm);
    if (resp.status == 200)
        rc = parse_token(&resp, ret, ret_life, err);
    else
        rc = reg_status_error(&resp, r->creds.username || r->creds.identity_token
                                         ? "the token server refused the credentials"
                                         : "the token server",
                              err);
    reg_response_release(&resp);
    if (rc < 0)
        return error_wrap(err, "getting a token from %s%s%s", r->realm,
                          scope && *scope ? " for " : "", scope && *scope ? scope : "");
    log_debug("registry %s: a token for %s (%s)", r->domain, scope ? scope : "login",
              r->creds.username ? r->creds.username : "anonymous");
    return 0;
}

static int bearer_token(struct registry *r, const char *scope, bool fresh, const char **ret,
                        struct error **err)
{
    struct reg_token *t = fresh ? NULL : cached(r, scope);
    if (t == NULL) {
        cleanup_free char *tok = NULL;
        int64_t life = 0;
        int rc = fetch_token(r, scope, &tok, &life, err);
        if (rc == 0)
            rc = remember(r, scope, tok, life, err);
        if (rc < 0)
            return rc;
        t = cached(r, scope);
    }
    if (t == NULL)
        return error_new(err, EPROTO, "registry %s: a token that expires at once", r->domain);
    *ret = t->token;
    return 0;
}

int reg_auth_header(struct registry *r, const char *scope, char **ret, struct error **err)
{
    *ret = NULL;
    if (r->auth == REG_AUTH_NONE)
        return 0;
    if (r->auth == REG_AUTH_BASIC) {
        int rc = reg_creds_load(r, scope, err);
        if (rc < 0 || r->creds.username == NULL)
            return rc;
        cleanup_free char *pair = NULL;
        if (asprintf(&pair, "%s:%s", r->creds.username,
                     r->creds.password ? r->creds.password : "") < 0)
            return error_new(err, ENOMEM, "out of memory");
        cleanup_free char *b64 = base64_encode(pair, strlen(pair));
        if (b64 == NULL || asprintf(ret, "Authorization: Basic %s", b64) < 0)
            return error_new(err, ENOMEM, "out of memory");
        return 0;
    }
    const char *tok = NULL;
    int rc = bearer_token(r, scope, false, &tok, err);
    if (rc < 0)
        return rc;
    if (asprintf(ret, "Authorization: Bearer %s", tok) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int reg_auth_refresh(struct registry *r, const struct reg_headers *h, const char *scope,
                     struct error **err)
{
    struct registry_challenges list = {0};
    int rc = challenges_of(h, &list, err);
    if (rc < 0)
        return rc;
    const struct registry_challenge *bearer = registry_challenges_find(&list, "bearer");
    if (bearer) {
        /* A new realm or service (or the first challenge: the ping
         * needed none) is taken as given; the token is asked for our
         * scope, which covers what the challenge names for this request. */
        rc = set_bearer(r, bearer, err);
        const char *tok = NULL;
        if (rc == 0)
            rc = bearer_token(r, scope, true, &tok, err);
    } else if (registry_challenges_find(&list, "basic")) {
        bool had = r->auth == REG_AUTH_BASIC;
        r->auth = REG_AUTH_BASIC;
        rc = reg_creds_load(r, scope, err);
        if (rc == 0 && (had || r->creds.username == NULL))
            rc = error_new(err, EACCES, "registry %s: authentication required", r->domain);
    } else {
        rc = error_new(err, ENOTSUP, "registry %s: `%s` authentication is not supported",
                       r->domain, list.v[0].scheme);
    }
    registry_challenges_release(&list);
    return rc;
}

/* ---- login ------------------------------------------------------------------- */

int registry_login_check(struct registry *r, const char *user, const char *password,
                         struct error **err)
{
    registry_creds_release(&r->creds);
    r->creds.username = strdup(user);
    r->creds.password = strdup(password);
    r->creds_loaded = true;
    if (r->creds.username == NULL || r->creds.password == NULL)
        return error_new(err, ENOMEM, "out of memory");
    /* The empty scope: with Bearer, a token for no repository, as docker's
     * login asks for, then /v2/ with it. */
    struct reg_request q = {.method = "GET", .url = "/v2/", .scope = ""};
    struct reg_response resp = {0};
    int rc = reg_perform(r, &q, &resp, err);
    if (rc < 0)
        return rc;
    if (resp.status < 200 || resp.status >= 300)
        rc = reg_status_error(&resp, r->auth == REG_AUTH_BASIC ? "the registry refused the "
                                                                 "credentials"
                                                               : "GET /v2/",
                              err);
    reg_response_release(&resp);
    return rc;
}
