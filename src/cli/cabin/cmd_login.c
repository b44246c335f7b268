/* SPDX-License-Identifier: Apache-2.0 */
/* `cabin login` and `cabin logout`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cabin/commands.h"
#include "image/registry_creds.h"
#include "util/cleanup.h"

#define MAX_SECRET 8192

struct login_cli {
    struct cabin_registry_flags reg;
    const char *username, *password;
    bool password_stdin;
};

static const struct option_def login_options[] = {
    OPTION_STRING("username", 'u', struct login_cli, username, "USER", "the user name"),
    OPTION_STRING("password", 'p', struct login_cli, password, "PASSWORD",
                  "the password (insecure: prefer --password-stdin)"),
    OPTION_BOOL("password-stdin", 0, struct login_cli, password_stdin,
                "read the password from stdin"),
    CABIN_REGISTRY_OPTIONS(struct login_cli, reg),
    OPTION_END,
};

/* The registry named on the command line: "docker.io" by default, a
 * scheme and a path dropped, Docker Hub's names made one. */
static int server_of(int argc, char **argv, int i, char **ret, struct error **err)
{
    const char *s = i < argc ? argv[i] : REGISTRY_DOCKER_HUB;
    char *path = NULL;
    if (*s == '\0' || registry_creds_key_parse(s, ret, &path) < 0)
        return error_new(err, EINVAL, "`%s` is not a registry", s);
    free(path);
    return 0;
}

/* A line from stdin (echo off when `secret` and it is a terminal). */
static int read_line(const char *prompt, bool secret, char **ret, struct error **err)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO);
    if (!tty)
        return error_new(err, EINVAL, "cannot ask for the %s: stdin is not a terminal (give "
                                      "-u and --password-stdin)",
                         secret ? "password" : "user name");
    printf("%s", prompt);
    fflush(stdout);
    bool hidden = secret && tcgetattr(STDIN_FILENO, &old) == 0;
    if (hidden) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t) ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (hidden) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        printf("\n");
    }
    if (n < 0) {
        free(line);
        return error_new(err, EINVAL, "no %s given", secret ? "password" : "user name");
    }
    line[strcspn(line, "\r\n")] = '\0';
    *ret = line;
    return 0;
}

static int read_stdin_secret(char **ret, struct error **err)
{
    cleanup_free char *buf = malloc(MAX_SECRET + 1);
    size_t len = 0;
    if (buf == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf + len, MAX_SECRET - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return error_errno(err, "--password-stdin");
        if (n == 0)
            break;
        len += (size_t) n;
        if (len == MAX_SECRET)
            return error_new(err, E2BIG, "--password-stdin: more than %d bytes", MAX_SECRET);
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    buf[len] = '\0';
    if (len == 0)
        return error_new(err, EINVAL, "--password-stdin: the password is empty");
    *ret = steal_pointer(&buf);
    return 0;
}

static int gather(struct login_cli *c, char **user, char **pass, struct error **err)
{
    if (c->password && c->password_stdin)
        return error_new(err, EINVAL, "--password and --password-stdin are exclusive");
    if (c->password_stdin && c->username == NULL)
        return error_new(err, EINVAL, "--password-stdin needs --username");
    int rc = 0;
    if (c->username)
        *user = strdup(c->username);
    else
        rc = read_line("Username: ", false, user, err);
    if (rc == 0 && c->password)
        *pass = strdup(c->password);
    else if (rc == 0 && c->password_stdin)
        rc = read_stdin_secret(pass, err);
    else if (rc == 0)
        rc = read_line("Password: ", true, pass, err);
    if (rc == 0 && (*user == NULL || *pass == NULL))
        rc = error_new(err, ENOMEM, "out of memory");
    if (rc == 0 && **user == '\0')
        rc = error_new(err, EINVAL, "the user name is empty");
    return rc;
}

int cmd_login(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct login_cli c = {.reg.tls_verify = -1};
    int i, ex;
    if (!cabin_parse("cabin login [OPTIONS] [SERVER]",
                     "Log in to a registry (Docker Hub by default): the credentials are "
                     "checked, then stored in the auth file (docker's config.json format).",
                     login_options, &c, argc, argv, 0, 0, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    cleanup_free char *server = NULL, *user = NULL, *pass = NULL, *file = NULL;
    struct registry_opts ro;
    cabin_registry_opts(&c.reg, &ro);
    ro.creds = NULL;
    struct registry *r = NULL;
    int rc = server_of(argc, argv, i, &server, &err);
    if (rc == 0)
        rc = gather(&c, &user, &pass, &err);
    if (rc == 0)
        rc = registry_open(server, &ro, &r, &err);
    if (rc == 0)
        rc = registry_login_check(r, user, pass, &err);
    registry_free(r);
    if (rc == 0)
        rc = registry_creds_file(c.reg.authfile, &file, &err);
    if (rc == 0)
        rc = registry_creds_save(file, server, user, pass, &err);
    if (rc < 0) {
        error_wrap(&err, "login to %s", server ? server : "?");
        return cabin_fail(err, 1);
    }
    printf("Login Succeeded\n");
    return 0;
}

struct logout_cli {
    const char *authfile;
    bool all;
};

static const struct option_def logout_options[] = {
    OPTION_BOOL("all", 'a', struct logout_cli, all, "remove the credentials of every registry"),
    OPTION_STRING("authfile", 0, struct logout_cli, authfile, "FILE",
                  "the auth file (default: ~/.config/cabin/auth.json)"),
    OPTION_END,
};

int cmd_logout(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct logout_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin logout [OPTIONS] [SERVER]",
                     "Remove the stored credentials of a registry (Docker Hub by default).",
                     logout_options, &c, argc, argv, 0, 0, 1, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    cleanup_free char *server = NULL, *file = NULL;
    int rc = registry_creds_file(c.authfile, &file, &err);
    if (rc == 0 && c.all) {
        if (registry_creds_remove_all(file, &err) < 0)
            return cabin_fail(err, 1);
        printf("Removed login credentials for all registries\n");
        return 0;
    }
    bool removed = false;
    if (rc == 0)
        rc = server_of(argc, argv, i, &server, &err);
    if (rc == 0)
        rc = registry_creds_remove(file, server, &removed, &err);
    if (rc < 0)
        return cabin_fail(err, 1);
    if (removed) {
        printf("Removing login credentials for %s\n", server);
        return 0;
    }
    struct registry_creds other = {0};
    cleanup_error struct error *ignored = NULL;
    if (!c.authfile && registry_creds_lookup(NULL, server, NULL, &other, &ignored) == 0 &&
        other.source)
        printf("Not logged in to %s (its credentials in %s are not cabin's: remove them "
               "there)\n",
               server, other.source);
    else
        printf("Not logged in to %s\n", server);
    registry_creds_release(&other);
    return 0;
}
