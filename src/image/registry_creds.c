/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials in docker-format auth files and credential helpers. */
#include "image/registry_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/registry.h"
#include "util/base64.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define DOCKER_HUB_KEY   "https://index.docker.io/v1/"
#define HELPER_MAX_OUT   (1u << 20)
#define MAX_AUTH_FILES   8

extern char **environ;

void registry_creds_release(struct registry_creds *c)
{
    free(c->username);
    free(c->password);
    free(c->identity_token);
    free(c->source);
    memset(c, 0, sizeof(*c));
}

int registry_creds_split(const char *s, struct registry_creds *ret, struct error **err)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s)
        return error_new(err, EINVAL, "credentials must be USER:PASSWORD");
    struct registry_creds c = {.username = strndup(s, (size_t) (colon - s)),
                               .password = strdup(colon + 1)};
    if (c.username == NULL || c.password == NULL) {
        registry_creds_release(&c);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = c;
    return 0;
}

static const char *canonical_domain(const char *host, size_t len)
{
    static const char *const hub[] = {"docker.io", "index.docker.io", "registry-1.docker.io",
                                      "registry.hub.docker.com"};
    for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++)
        if (strlen(hub[i]) == len && strncasecmp(host, hub[i], len) == 0)
            return REGISTRY_DOCKER_HUB;
    return NULL;
}

int registry_creds_key_parse(const char *key, char **ret_domain, char **ret_path)
{
    bool scheme = false;
    if (strncasecmp(key, "https://", 8) == 0) {
        key += 8;
        scheme = true;
    } else if (strncasecmp(key, "http://", 7) == 0) {
        key += 7;
        scheme = true;
    }
    size_t hlen = strcspn(key, "/");
    const char *hub = canonical_domain(key, hlen);
    char *domain = hub ? strdup(hub) : strndup(key, hlen);
    char *path = NULL;
    /* A URL key ("https://index.docker.io/v1/") names a registry only; a
     * bare one may carry a namespace ("quay.io/team/app"). */
    const char *rest = key[hlen] == '/' ? key + hlen + 1 : NULL;
    if (!scheme && rest && *rest) {
        size_t n = strlen(rest);
        while (n > 0 && rest[n - 1] == '/')
            n--;
        if (n > 0)
            path = strndup(rest, n);
    }
    if (domain == NULL) {
        free(path);
        return -ENOMEM;
    }
    *ret_domain = domain;
    *ret_path = path;
    return 0;
}

/* ---- where the files are --------------------------------------------------- */

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : "/";
}

static int cabin_file(char **ret)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    int n = xdg && *xdg ? asprintf(ret, "%s/cabin/auth.json", xdg)
                        : asprintf(ret, "%s/.config/cabin/auth.json", home_dir());
    return n < 0 ? -ENOMEM : 0;
}

int registry_creds_file(const char *authfile, char **ret, struct error **err)
{
    const char *env = getenv("REGISTRY_AUTH_FILE");
    char *f = NULL;
    if (authfile && *authfile)
        f = strdup(authfile);
    else if (env && *env)
        f = strdup(env);
    else if (cabin_file(&f) < 0)
        f = NULL;
    if (f == NULL)
        return error_new(err, ENOMEM, "out of memory");
    *ret = f;
    return 0;
}

/* The files to look in, in order (NULL-terminated, malloc'd). */
static int search_list(const char *authfile, char *files[MAX_AUTH_FILES + 1])
{
    size_t n = 0;
    memset(files, 0, sizeof(char *) * (MAX_AUTH_FILES + 1));
    if (authfile && *authfile)
        return (files[0] = strdup(authfile)) ? 0 : -ENOMEM;
    const char *env = getenv("REGISTRY_AUTH_FILE");
    if (env && *env && (files[n++] = strdup(env)) == NULL)
        return -ENOMEM;
    if (cabin_file(&files[n++]) < 0)
        return -ENOMEM;
    const char *run = getenv("XDG_RUNTIME_DIR");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *dc = getenv("DOCKER_CONFIG");
    int r = 0;
    if (run && *run)
        r |= asprintf(&files[n++], "%s/containers/auth.json", run);
    else
        r |= asprintf(&files[n++], "/run/containers/%u/auth.json", (unsigned) getuid());
    if (xdg && *xdg)
        r |= asprintf(&files[n++], "%s/containers/auth.json", xdg);
    else
        r |= asprintf(&files[n++], "%s/.config/containers/auth.json", home_dir());
    if (dc && *dc)
        r |= asprintf(&files[n++], "%s/config.json", dc);
    else
        r |= asprintf(&files[n++], "%s/.docker/config.json", home_dir());
    return r < 0 ? -ENOMEM : 0;
}

static void free_list(char **files)
{
    for (size_t i = 0; files[i]; i++)
        free(files[i]);
}

/* ---- credential helpers ------------------------------------------------------ */

static int helper_output(int fd, char **ret, size_t *ret_len)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap >= HELPER_MAX_OUT)
                break;
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    if (buf == NULL)
        return -ENOMEM;
    buf[len] = '\0';
    *ret = buf;
    *ret_len = len;
    return 0;
}

/* Run `docker-credential-NAME get` with `server` on stdin.  1 when it has
 * nothing for the server. */
static int run_helper(const char *name, const char *server, char **ret_out, struct error **err)
{
    cleanup_free char *prog = NULL;
    if (asprintf(&prog, "docker-credential-%s", name) < 0)
        return error_new(err, ENOMEM, "out of memory");
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        close_keep_errno(in[0]);
        close_keep_errno(in[1]);
        return error_errno(err, "credential helper `%s`", prog);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    char *argv[] = {prog, (char *) "get", NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (e != 0) {
        close(in[1]);
        close(out[0]);
        /* A helper named but not installed has nothing for anyone. */
        if (e == ENOENT) {
            log_debug("credential helper `%s` is not installed", prog);
            return 1;
        }
        return error_errnum(err, e, "running the credential helper `%s`", prog);
    }
    fs_write_all(in[1], server, strlen(server));
    close(in[1]);
    char *buf = NULL;
    size_t len = 0;
    int rc = helper_output(out[0], &buf, &len);
    close(out[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc < 0)
        return error_new(err, ENOMEM, "out of memory");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *ret_out = buf;
        return 0;
    }
    bool missing = strstr(buf, "not found") != NULL;
    if (!missing)
        rc = error_new(err, EIO, "credential helper `%s` failed for %s: %.200s", prog, server,
                       buf);
    free(buf);
    return missing ? 1 : rc;
}

static int from_helper(const char *name, const char *domain, struct registry_creds *ret,
                       struct error **err)
{
    const char *server = strcmp(domain, REGISTRY_DOCKER_HUB) == 0 ? DOCKER_HUB_KEY : domain;
    cleanup_free char *out = NULL;
    int rc = run_helper(name, server, &out, err);
    if (rc != 0)
        return rc;
    cleanup_json json_t *j = NULL;
    char what[128];
    snprintf(what, sizeof(what), "docker-credential-%.64s's answer", name);
    if ((rc = json_load_string(out, what, &j, err)) < 0)
        return rc;
    const char *user = json_string_value(json_object_get(j, "Username"));
    const char *secret = json_string_value(json_object_get(j, "Secret"));
    if (user == NULL || secret == NULL)
        return error_new(err, EPROTO, "%s: no Username or Secret", what);
    struct registry_creds c = {0};
    if (strcmp(user, "<token>") == 0)
        c.identity_token = strdup(secret);
    else {
        c.username = strdup(user);
        c.password = strdup(secret);
    }
    if (asprintf(&c.source, "docker-credential-%s", name) < 0)
        c.source = NULL;
    if (c.source == NULL || (c.identity_token == NULL && c.password == NULL)) {
        registry_creds_release(&c);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = c;
    return 0;
}

/* ---- auths entries ----------------------------------------------------------- */

static int from_entry(json_t *v, const char *file, const char *key, struct registry_creds *ret,
                      struct error **err)
{
    if (!json_is_object(v))
        return error_new(err, EINVAL, "%s: auths[\"%s\"]: expected an object", file, key);
    const char *auth = json_string_value(json_object_get(v, "auth"));
    const char *user = json_string_value(json_object_get(v, "username"));
    const char *pass = json_string_value(json_object_get(v, "password"));
    const char *idt = json_string_value(json_object_get(v, "identitytoken"));
    struct registry_creds c = {0};
    int rc = 0;
    if (auth && *auth) {
        cleanup_free char *plain = NULL;
        long n = base64_decode(auth, strlen(auth), &plain);
        if (n < 0)
            return error_new(err, EINVAL, "%s: auths[\"%s\"].auth: not base64", file, key);
        if ((rc = registry_creds_split(plain, &c, err)) < 0)
            return error_wrap(err, "%s: auths[\"%s\"].auth", file, key);
    } else if (user && pass) {
        c.username = strdup(user);
        c.password = strdup(pass);
    }
    if (idt && *idt) {
        free(c.password);
        c.password = NULL;
        c.identity_token = strdup(idt);
    }
    if (c.username == NULL && c.identity_token == NULL) {
        registry_creds_release(&c);
        return 1; /* an empty entry: the credsStore holds them */
    }
    if ((c.source = strdup(file)) == NULL) {
        registry_creds_release(&c);
        return error_new(err, ENOMEM, "out of memory");
    }
    *ret = c;
    return 0;
}

/* The auths key that fits `domain` and `repo` best, or NULL. */
static const char *best_key(json_t *auths, const char *domain, const char *repo)
{
    const char *best = NULL, *key;
    long best_score = -1;
    json_t *v;
    json_object_foreach(auths, key, v) {
        char *d = NULL, *p = NULL;
        if (registry_creds_key_parse(key, &d, &p) < 0)
            continue;
        long score = -1;
        if (strcasecmp(d, domain) == 0) {
            size_t n = p ? strlen(p) : 0;
            if (p == NULL)
                score = 0;
            else if (repo && strncmp(repo, p, n) == 0 && (repo[n] == '\0' || repo[n] == '/'))
                score = (long) n + 1;
        }
        if (score > best_score) {
            best_score = score;
            best = key;
        }
        free(d);
        free(p);
    }
    return best;
}

static int from_file(const char *file, const char *domain, const char *repo,
                     struct registry_creds *ret, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = json_load_file_at(AT_FDCWD, file, REGISTRY_CREDS_MAX_FILE, &j, err);
    if (rc == -ENOENT || rc == -ENOTDIR) {
        if (err)
            error_freep(err);
        return 1;
    }
    if (rc < 0)
        return error_wrap(err, "auth file");
    if (!json_is_object(j))
        return error_new(err, EINVAL, "%s: expected a JSON object", file);
    json_t *helpers = json_object_get(j, "credHelpers");
    const char *helper = json_string_value(json_object_get(helpers, domain));
    if (helper == NULL && strcmp(domain, REGISTRY_DOCKER_HUB) == 0)
        helper = json_string_value(json_object_get(helpers, "index.docker.io"));
    if (helper && *helper && (rc = from_helper(helper, domain, ret, err)) <= 0)
        return rc;
    json_t *auths = json_object_get(j, "auths");
    if (auths && !json_is_object(auths))
        return error_new(err, EINVAL, "%s: auths: expected an object", file);
    const char *key = auths ? best_key(auths, domain, repo) : NULL;
    if (key && (rc = from_entry(json_object_get(auths, key), file, key, ret, err)) <= 0)
        return rc;
    const char *store = json_string_value(json_object_get(j, "credsStore"));
    if (store && *store)
        return from_helper(store, domain, ret, err);
    return 1;
}

int registry_creds_lookup(const char *authfile, const char *domain, const char *repo,
                          struct registry_creds *ret, struct error **err)
{
    char *files[MAX_AUTH_FILES + 1];
    if (search_list(authfile, files) < 0) {
        free_list(files);
        return error_new(err, ENOMEM, "out of memory");
    }
    memset(ret, 0, sizeof(*ret));
    int rc = 1;
    for (size_t i = 0; files[i] && rc == 1; i++)
        rc = from_file(files[i], domain, repo, ret, err);
    free_list(files);
    return rc < 0 ? rc : 0;
}

/* ---- writing ------------------------------------------------------------------ */

static int read_for_update(const char *file, json_t **ret, struct error **err)
{
    json_t *j = NULL;
    int rc = json_load_file_at(AT_FDCWD, file, REGISTRY_CREDS_MAX_FILE, &j, err);
    if (rc == -ENOENT) {
        if (err)
            error_freep(err);
        j = json_object();
    } else if (rc < 0) {
        return error_wrap(err, "auth file");
    }
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (!json_is_object(j)) {
        json_decref(j);
        return error_new(err, EINVAL, "%s: expected a JSON object", file);
    }
    json_t *auths = json_object_get(j, "auths");
    if (auths == NULL || json_is_null(auths))
        json_object_set_new(j, "auths", json_object());
    else if (!json_is_object(auths)) {
        json_decref(j);
        return error_new(err, EINVAL, "%s: auths: expected an object", file);
    }
    *ret = j;
    return 0;
}

static int write_back(const char *file, const json_t *j, struct error **err)
{
    cleanup_free char *copy = strdup(file);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    const char *base = slash ? slash + 1 : copy;
    if (slash && slash != copy)
        *slash = '\0';
    int rc = fs_mkdir_p(dir, 0700, err);
    if (rc < 0)
        return error_wrap(err, "auth file `%s`", file);
    cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return error_errno(err, "auth file `%s`", file);
    cleanup_free char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (text == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t n = strlen(text);
    text[n] = '\n';
    rc = fs_write_file_atomic(dfd, base, text, n + 1, 0600, 1, err);
    return rc < 0 ? error_wrap(err, "auth file `%s`", file) : 0;
}

/* Delete every auths key of `domain`; how many went. */
static size_t drop_keys(json_t *auths, const char *domain)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(auths, tmp, key, v) {
        char *d = NULL, *p = NULL;
        if (registry_creds_key_parse(key, &d, &p) == 0 && strcasecmp(d, domain) == 0) {
            json_object_del(auths, key);
            n++;
        }
        free(d);
        free(p);
    }
    return n;
}

int registry_creds_save(const char *file, const char *domain, const char *user,
                        const char *password, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = read_for_update(file, &j, err);
    if (rc < 0)
        return rc;
    json_t *auths = json_object_get(j, "auths");
    /* Only the registry-wide entry is replaced; namespaced ones stay. */
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(auths, tmp, key, v) {
        char *d = NULL, *p = NULL;
        if (registry_creds_key_parse(key, &d, &p) == 0 && strcasecmp(d, domain) == 0 && !p)
            json_object_del(auths, key);
        free(d);
        free(p);
    }
    cleanup_free char *pair = NULL;
    if (asprintf(&pair, "%s:%s", user, password) < 0)
        return error_new(err, ENOMEM, "out of memory");
    cleanup_free char *b64 = base64_encode(pair, strlen(pair));
    const char *k = strcmp(domain, REGISTRY_DOCKER_HUB) == 0 ? DOCKER_HUB_KEY : domain;
    if (b64 == NULL || json_object_set_new(auths, k, json_pack("{s:s}", "auth", b64)) < 0)
        return error_new(err, ENOMEM, "out of memory");
    return write_back(file, j, err);
}

int registry_creds_remove(const char *file, const char *domain, bool *ret_removed,
                          struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = read_for_update(file, &j, err);
    if (rc < 0)
        return rc;
    size_t n = drop_keys(json_object_get(j, "auths"), domain);
    *ret_removed = n > 0;
    return n > 0 ? write_back(file, j, err) : 0;
}

int registry_creds_remove_all(const char *file, struct error **err)
{
    cleanup_json json_t *j = NULL;
    int rc = read_for_update(file, &j, err);
    if (rc < 0)
        return rc;
    json_object_set_new(j, "auths", json_object());
    return write_back(file, j, err);
}
