/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/mountopts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

const char *mount_kind_name(enum mount_kind k)
{
    switch (k) {
    case MOUNT_BIND: return "bind";
    case MOUNT_VOLUME: return "volume";
    case MOUNT_TMPFS: return "tmpfs";
    }
    return "unknown";
}

void mount_request_release(struct mount_request *m)
{
    free(m->source);
    free(m->target);
    free(m->propagation);
    strv_free(m->labels);
    strv_free(m->tmpfs_opts);
    memset(m, 0, sizeof(*m));
}

void mount_requests_free(struct mount_request *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        mount_request_release(&v[i]);
    free(v);
}

bool mount_valid_volume_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 255 || !isalnum((unsigned char) s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char) s[i]) && !strchr("_.-", s[i]))
            return false;
    return true;
}

int mount_parse_size(const char *s, uint64_t *ret)
{
    if (s == NULL || !isdigit((unsigned char) *s))
        return -EINVAL;
    uint64_t whole = 0, frac = 0, frac_div = 1;
    const char *p = s;
    for (; isdigit((unsigned char) *p); p++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        whole = whole * 10 + (uint64_t) (*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char) *p))
            return -EINVAL;
        for (; isdigit((unsigned char) *p); p++)
            if (frac_div < 1000000000ull) {
                frac = frac * 10 + (uint64_t) (*p - '0');
                frac_div *= 10;
            }
    }
    uint64_t mult = 1;
    switch (tolower((unsigned char) *p)) {
    case 'k': mult = 1ull << 10; p++; break;
    case 'm': mult = 1ull << 20; p++; break;
    case 'g': mult = 1ull << 30; p++; break;
    case 't': mult = 1ull << 40; p++; break;
    default: break;
    }
    if (tolower((unsigned char) *p) == 'b')
        p++;
    if (*p != '\0')
        return -EINVAL;
    /* At most INT64_MAX: the size goes into JSON records (jansson's
     * integers are signed) and back (found by fuzz_net_flags). */
    if (whole > (uint64_t) INT64_MAX / mult)
        return -ERANGE;
    uint64_t v = whole * mult + (frac * mult) / frac_div;
    if (v > (uint64_t) INT64_MAX)
        return -ERANGE;
    *ret = v;
    return 0;
}

/* ---- shared checks ---------------------------------------------------------- */

static int set_target(struct mount_request *m, const char *t, const char *flag, const char *spec,
                      struct error **err)
{
    if (t == NULL || *t == '\0')
        return error_new(err, EINVAL, "%s `%s`: no target path in the container", flag, spec);
    if (*t != '/')
        return error_new(err, EINVAL, "%s `%s`: the target `%s` must be an absolute path", flag,
                         spec, t);
    if (strchr(t, ':'))
        return error_new(err, EINVAL, "%s `%s`: the target `%s` must not contain `:`", flag,
                         spec, t);
    char *c = fs_path_clean(t);
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    if (strcmp(c, "/") == 0) {
        free(c);
        return error_new(err, EINVAL, "%s `%s`: the target cannot be `/`", flag, spec);
    }
    free(m->target);
    m->target = c;
    return 0;
}

static const char *const propagations[] = {"private", "rprivate", "shared",
                                           "rshared", "slave",    "rslave"};

static bool is_propagation(const char *s)
{
    for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
        if (strcmp(s, propagations[i]) == 0)
            return true;
    return false;
}

/* docker's hints for macOS file sharing, which mean nothing on Linux and
 * which docker accepts there: accepted for the same command lines. */
static bool is_consistency(const char *s)
{
    return strcmp(s, "consistent") == 0 || strcmp(s, "cached") == 0 ||
           strcmp(s, "delegated") == 0 || strcmp(s, "default") == 0;
}

static int set_string(char **field, const char *v, struct error **err)
{
    char *c = strdup(v);
    if (c == NULL)
        return error_new(err, ENOMEM, "out of memory");
    free(*field);
    *field = c;
    return 0;
}

/* ---- -v --------------------------------------------------------------------- */

static int volume_mode(struct mount_request *m, const char *spec, const char *mode,
                       struct error **err)
{
    cleanup_free char *copy = strdup(mode);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    bool rw_seen = false, prop_seen = false;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "ro") == 0 || strcmp(t, "rw") == 0) {
            if (rw_seen)
                return error_new(err, EINVAL, "-v `%s`: ro and rw given twice", spec);
            rw_seen = true;
            m->readonly = t[1] == 'o';
        } else if (is_propagation(t)) {
            if (prop_seen || m->kind != MOUNT_BIND)
                return error_new(err, EINVAL,
                                 "-v `%s`: `%s`: a propagation mode is for bind mounts, once",
                                 spec, t);
            prop_seen = true;
            int r = set_string(&m->propagation, t, err);
            if (r < 0)
                return r;
        } else if (strcmp(t, "nocopy") == 0) {
            if (m->kind != MOUNT_VOLUME)
                return error_new(err, EINVAL, "-v `%s`: nocopy is for volumes only", spec);
            m->nocopy = true;
        } else if (strcmp(t, "z") == 0 || strcmp(t, "Z") == 0) {
            return error_new(err, ENOTSUP,
                             "-v `%s`: `%s` (SELinux relabelling) is not supported", spec, t);
        } else if (!is_consistency(t)) {
            return error_new(err, EINVAL,
                             "-v `%s`: unknown option `%s` (ro, rw, nocopy, [r]private, "
                             "[r]shared, [r]slave)",
                             spec, t);
        }
    }
    return 0;
}

int mount_parse_volume(const char *spec, struct mount_request *ret, struct error **err)
{
    if (!json_utf8_valid(spec))
        return error_new(err, EINVAL, "%s: a value is not valid UTF-8", "-v");
    cleanup_free char *copy = strdup(spec);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *parts[4] = {NULL};
    size_t n = 0;
    for (char *p = copy, *c; n < 4; p = c + 1) {
        parts[n++] = p;
        if ((c = strchr(p, ':')) == NULL)
            break;
        *c = '\0';
    }
    if (n > 3)
        return error_new(err, EINVAL, "-v `%s`: expected [SOURCE:]TARGET[:OPTIONS]", spec);
    struct mount_request m = {.kind = MOUNT_VOLUME};
    const char *target = parts[n == 1 ? 0 : 1];
    int r = set_target(&m, target, "-v", spec, err);
    if (r == 0 && n >= 2) {
        const char *src = parts[0];
        if (*src == '/') {
            m.kind = MOUNT_BIND;
            m.create_source = true;
            if ((m.source = fs_path_clean(src)) == NULL)
                r = error_new(err, ENOMEM, "out of memory");
        } else if (!mount_valid_volume_name(src)) {
            r = error_new(err, EINVAL,
                          "-v `%s`: `%s` is neither an absolute host path nor a volume name "
                          "([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
                          spec, src);
        } else {
            r = set_string(&m.source, src, err);
        }
    }
    if (r == 0 && n == 3)
        r = volume_mode(&m, spec, parts[2], err);
    if (r < 0) {
        mount_request_release(&m);
        return r;
    }
    *ret = m;
    return 0;
}

/* ---- --mount ------------------------------------------------------------------- */

/* The next CSV field of *p (double quotes as CSV's, "" inside them). */
static int csv_field(const char **p, char **ret)
{
    const char *s = *p;
    size_t cap = strlen(s) + 1, o = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return -ENOMEM;
    bool quoted = false;
    for (; *s; s++) {
        if (quoted) {
            if (*s == '"' && s[1] == '"')
                out[o++] = *++s;
            else if (*s == '"')
                quoted = false;
            else
                out[o++] = *s;
        } else if (*s == '"') {
            quoted = true;
        } else if (*s == ',') {
            break;
        } else {
            out[o++] = *s;
        }
    }
    if (quoted) {
        free(out);
        return -EINVAL;
    }
    out[o] = '\0';
    *p = *s == ',' ? s + 1 : s;
    *ret = out;
    return 0;
}

static int parse_bool(const char *v, bool *ret)
{
    if (v == NULL || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *ret = true;
        return 0;
    }
    if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *ret = false;
        return 0;
    }
    return -EINVAL;
}

struct mount_fields {
    const char *type;
    char *source, *target, *propagation, *size, *mode;
    bool has_ro, ro, has_nonrec, nonrec, has_nocopy, nocopy;
    char **labels;
    unsigned seen; /* which families: 1 bind, 2 volume, 4 tmpfs */
};

static void fields_release(struct mount_fields *f)
{
    free(f->source);
    free(f->target);
    free(f->propagation);
    free(f->size);
    free(f->mode);
    strv_free(f->labels);
}

static int mount_key(struct mount_fields *f, const char *spec, char *key, const char *val,
                     struct error **err)
{
    for (char *k = key; *k; k++)
        *k = (char) tolower((unsigned char) *k);
    bool b = false;
#define NEED_VAL()                                                                           \
    do {                                                                                     \
        if (val == NULL || *val == '\0')                                                     \
            return error_new(err, EINVAL, "--mount `%s`: `%s` needs a value", spec, key);    \
    } while (0)
    if (strcmp(key, "type") == 0) {
        NEED_VAL();
        if (strcmp(val, "bind") && strcmp(val, "volume") && strcmp(val, "tmpfs"))
            return error_new(err, EINVAL, "--mount `%s`: type `%s` is not bind, volume or tmpfs",
                             spec, val);
        f->type = strcmp(val, "bind") == 0 ? "bind" : strcmp(val, "volume") == 0 ? "volume"
                                                                                 : "tmpfs";
        return 0;
    }
    if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0) {
        NEED_VAL();
        return set_string(&f->source, val, err);
    }
    if (strcmp(key, "target") == 0 || strcmp(key, "destination") == 0 || strcmp(key, "dst") == 0) {
        NEED_VAL();
        return set_string(&f->target, val, err);
    }
    if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
        if (parse_bool(val, &f->ro) < 0)
            return error_new(err, EINVAL, "--mount `%s`: %s: expected true or false", spec, key);
        f->has_ro = true;
        return 0;
    }
    if (strcmp(key, "consistency") == 0) {
        if (val == NULL || !is_consistency(val))
            return error_new(err, EINVAL, "--mount `%s`: bad consistency", spec);
        return 0;
    }
    if (strcmp(key, "bind-propagation") == 0) {
        f->seen |= 1;
        if (val == NULL || !is_propagation(val))
            return error_new(err, EINVAL, "--mount `%s`: bind-propagation: `%s` is not one of "
                             "[r]private, [r]shared, [r]slave", spec, val ? val : "");
        return set_string(&f->propagation, val, err);
    }
    if (strcmp(key, "bind-nonrecursive") == 0) {
        f->seen |= 1;
        f->has_nonrec = true;
        if (parse_bool(val, &f->nonrec) < 0)
            return error_new(err, EINVAL, "--mount `%s`: %s: expected true or false", spec, key);
        return 0;
    }
    if (strcmp(key, "volume-nocopy") == 0) {
        f->seen |= 2;
        f->has_nocopy = true;
        if (parse_bool(val, &b) < 0)
            return error_new(err, EINVAL, "--mount `%s`: %s: expected true or false", spec, key);
        f->nocopy = b;
        return 0;
    }
    if (strcmp(key, "volume-label") == 0) {
        f->seen |= 2;
        NEED_VAL();
        if (strv_length(f->labels) >= MOUNT_MAX_LABELS)
            return error_new(err, E2BIG, "--mount `%s`: too many labels", spec);
        return strv_push(&f->labels, val) < 0 ? error_new(err, ENOMEM, "out of memory") : 0;
    }
    if (strcmp(key, "volume-driver") == 0) {
        f->seen |= 2;
        if (val == NULL || strcmp(val, "local") != 0)
            return error_new(err, ENOTSUP, "--mount `%s`: only the `local` volume driver exists",
                             spec);
        return 0;
    }
    if (strcmp(key, "tmpfs-size") == 0 || strcmp(key, "tmpfs-mode") == 0) {
        f->seen |= 4;
        NEED_VAL();
        return set_string(key[6] == 's' ? &f->size : &f->mode, val, err);
    }
#undef NEED_VAL
    return error_new(err, EINVAL, "--mount `%s`: unknown option `%s`", spec, key);
}

static int parse_mode(const char *s, mode_t *ret)
{
    if (s == NULL || *s == '\0' || strlen(s) > 5)
        return -EINVAL;
    unsigned v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '7')
            return -EINVAL;
        v = v * 8 + (unsigned) (*p - '0');
    }
    if (v > 07777)
        return -ERANGE;
    *ret = (mode_t) v;
    return 0;
}

static int fields_to_request(struct mount_fields *f, const char *spec, struct mount_request *m,
                             struct error **err)
{
    const char *type = f->type ? f->type : "volume";
    m->kind = strcmp(type, "bind") == 0 ? MOUNT_BIND : strcmp(type, "volume") == 0
                                                           ? MOUNT_VOLUME
                                                           : MOUNT_TMPFS;
    unsigned own = m->kind == MOUNT_BIND ? 1 : m->kind == MOUNT_VOLUME ? 2 : 4;
    if (f->seen & ~own)
        return error_new(err, EINVAL, "--mount `%s`: options of another type for a %s mount",
                         spec, type);
    int r = set_target(m, f->target, "--mount", spec, err);
    if (r < 0)
        return r;
    m->readonly = f->has_ro && f->ro;
    m->nonrecursive = f->nonrec;
    m->nocopy = f->nocopy;
    m->propagation = steal_pointer(&f->propagation);
    m->labels = steal_pointer(&f->labels);
    if (m->kind == MOUNT_BIND) {
        if (f->source == NULL || *f->source != '/')
            return error_new(err, EINVAL,
                             "--mount `%s`: a bind mount needs an absolute source path", spec);
        if ((m->source = fs_path_clean(f->source)) == NULL)
            return error_new(err, ENOMEM, "out of memory");
    } else if (m->kind == MOUNT_VOLUME) {
        if (f->source && !mount_valid_volume_name(f->source))
            return error_new(err, EINVAL, "--mount `%s`: `%s` is not a volume name", spec,
                             f->source);
        m->source = steal_pointer(&f->source);
    } else {
        if (f->source)
            return error_new(err, EINVAL, "--mount `%s`: a tmpfs mount takes no source", spec);
        if (f->size && mount_parse_size(f->size, &m->tmpfs_size) < 0)
            return error_new(err, EINVAL, "--mount `%s`: tmpfs-size `%s` is not a size", spec,
                             f->size);
        if (f->mode && parse_mode(f->mode, &m->tmpfs_mode) < 0)
            return error_new(err, EINVAL, "--mount `%s`: tmpfs-mode `%s` is not an octal mode",
                             spec, f->mode);
        m->has_mode = f->mode != NULL;
    }
    return 0;
}

int mount_parse_mount(const char *spec, struct mount_request *ret, struct error **err)
{
    if (!json_utf8_valid(spec))
        return error_new(err, EINVAL, "%s: a value is not valid UTF-8", "--mount");
    struct mount_fields f = {0};
    struct mount_request m = {0};
    int r = 0;
    for (const char *p = spec; r == 0 && *p;) {
        cleanup_free char *field = NULL;
        if (csv_field(&p, &field) < 0) {
            r = error_new(err, EINVAL, "--mount `%s`: an unclosed quote", spec);
            break;
        }
        if (*field == '\0')
            continue;
        char *eq = strchr(field, '=');
        if (eq)
            *eq = '\0';
        r = mount_key(&f, spec, field, eq ? eq + 1 : NULL, err);
    }
    if (r == 0)
        r = fields_to_request(&f, spec, &m, err);
    fields_release(&f);
    if (r < 0) {
        mount_request_release(&m);
        return r;
    }
    *ret = m;
    return 0;
}

/* ---- --tmpfs -------------------------------------------------------------------- */

static const char *const tmpfs_flags[] = {
    "rw",   "ro",     "exec",    "noexec",   "suid",    "nosuid",     "dev",
    "nodev", "sync",  "async",   "dirsync",  "atime",   "noatime",    "diratime",
    "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime",
};

static const char *const tmpfs_data[] = {"uid", "gid", "nr_inodes", "nr_blocks", "mpol"};

static bool known(const char *const *v, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) == len && strncmp(v[i], s, len) == 0)
            return true;
    return false;
}

static int tmpfs_option(struct mount_request *m, const char *spec, const char *t,
                        struct error **err)
{
    const char *eq = strchr(t, '=');
    if (eq == NULL) {
        if (!known(tmpfs_flags, sizeof(tmpfs_flags) / sizeof(tmpfs_flags[0]), t, strlen(t)))
            return error_new(err, EINVAL, "--tmpfs `%s`: unknown option `%s`", spec, t);
        if (strcmp(t, "ro") == 0 || strcmp(t, "rw") == 0) {
            m->readonly = t[1] == 'o';
            return 0;
        }
    } else if (strncmp(t, "size=", 5) == 0) {
        if (mount_parse_size(eq + 1, &m->tmpfs_size) < 0)
            return error_new(err, EINVAL, "--tmpfs `%s`: size `%s` is not a size", spec, eq + 1);
        return 0;
    } else if (strncmp(t, "mode=", 5) == 0) {
        if (parse_mode(eq + 1, &m->tmpfs_mode) < 0)
            return error_new(err, EINVAL, "--tmpfs `%s`: mode `%s` is not an octal mode", spec,
                             eq + 1);
        m->has_mode = true;
        return 0;
    } else if (!known(tmpfs_data, sizeof(tmpfs_data) / sizeof(tmpfs_data[0]), t,
                      (size_t) (eq - t)) ||
               eq[1] == '\0' || strchr(eq + 1, ',')) {
        return error_new(err, EINVAL, "--tmpfs `%s`: unknown option `%s`", spec, t);
    } else {
        for (const char *c = eq + 1; *c; c++)
            if (!isalnum((unsigned char) *c) && !strchr(":-_.", *c))
                return error_new(err, EINVAL, "--tmpfs `%s`: bad value in `%s`", spec, t);
    }
    if (strv_length(m->tmpfs_opts) >= 32)
        return error_new(err, E2BIG, "--tmpfs `%s`: too many options", spec);
    return strv_push(&m->tmpfs_opts, t) < 0 ? error_new(err, ENOMEM, "out of memory") : 0;
}

int mount_parse_tmpfs(const char *spec, struct mount_request *ret, struct error **err)
{
    if (!json_utf8_valid(spec))
        return error_new(err, EINVAL, "%s: a value is not valid UTF-8", "--tmpfs");
    cleanup_free char *copy = strdup(spec);
    if (copy == NULL)
        return error_new(err, ENOMEM, "out of memory");
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    struct mount_request m = {.kind = MOUNT_TMPFS};
    int r = set_target(&m, copy, "--tmpfs", spec, err);
    char *save = NULL;
    for (char *t = colon && r == 0 ? strtok_r(colon + 1, ",", &save) : NULL; t && r == 0;
         t = strtok_r(NULL, ",", &save))
        r = tmpfs_option(&m, spec, t, err);
    if (r < 0) {
        mount_request_release(&m);
        return r;
    }
    *ret = m;
    return 0;
}

/* ---- all of them ------------------------------------------------------------------- */

int mount_requests_parse(const struct mount_flags *f, struct mount_request **ret, size_t *ret_n,
                         struct error **err)
{
    size_t total = strv_length(f->volume) + strv_length(f->mount) + strv_length(f->tmpfs);
    if (total > MOUNT_MAX_REQUESTS)
        return error_new(err, E2BIG, "more than %d mounts", MOUNT_MAX_REQUESTS);
    struct mount_request *v = calloc(total + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t n = 0;
    int r = 0;
    char *const *lists[] = {f->volume, f->mount, f->tmpfs};
    int (*parsers[])(const char *, struct mount_request *, struct error **) = {
        mount_parse_volume, mount_parse_mount, mount_parse_tmpfs};
    for (size_t l = 0; r == 0 && l < 3; l++)
        for (size_t i = 0; r == 0 && lists[l] && lists[l][i]; i++) {
            r = parsers[l](lists[l][i], &v[n], err);
            if (r < 0)
                break;
            for (size_t k = 0; k < n; k++)
                if (strcmp(v[k].target, v[n].target) == 0)
                    r = error_new(err, EINVAL, "duplicate mount point: `%s`", v[n].target);
            n++;
        }
    if (r < 0) {
        mount_requests_free(v, n);
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/* ---- JSON -------------------------------------------------------------------------- */

json_t *mount_requests_to_json(const struct mount_request *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct mount_request *m = &v[i];
        json_t *o = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:I, s:b, s:i, s:o, s:o}", "kind",
                              mount_kind_name(m->kind), "target", m->target, "readonly",
                              m->readonly, "create_source", m->create_source, "nonrecursive",
                              m->nonrecursive, "nocopy", m->nocopy, "tmpfs_size",
                              (json_int_t) m->tmpfs_size, "has_mode", m->has_mode, "tmpfs_mode",
                              (int) m->tmpfs_mode, "labels", json_strv(m->labels),
                              "tmpfs_opts", json_strv(m->tmpfs_opts));
        if (o && m->source)
            json_object_set_new(o, "source", json_string(m->source));
        if (o && m->propagation)
            json_object_set_new(o, "propagation", json_string(m->propagation));
        json_array_append_new(a, o);
    }
    return a;
}

static int request_from_json(const json_t *o, const char *where, struct mount_request *m,
                             struct error **err)
{
    const char *kind = NULL, *target = NULL, *source = NULL, *prop = NULL;
    uint64_t size = 0, mode = 0;
    int r;
    if ((r = json_get_string(o, "kind", where, true, &kind, err)) < 0 ||
        (r = json_get_string(o, "target", where, true, &target, err)) < 0 ||
        (r = json_get_string(o, "source", where, false, &source, err)) < 0 ||
        (r = json_get_string(o, "propagation", where, false, &prop, err)) < 0 ||
        (r = json_get_bool(o, "readonly", where, &m->readonly, err)) < 0 ||
        (r = json_get_bool(o, "create_source", where, &m->create_source, err)) < 0 ||
        (r = json_get_bool(o, "nonrecursive", where, &m->nonrecursive, err)) < 0 ||
        (r = json_get_bool(o, "nocopy", where, &m->nocopy, err)) < 0 ||
        (r = json_get_bool(o, "has_mode", where, &m->has_mode, err)) < 0 ||
        (r = json_get_uint64(o, "tmpfs_size", where, false, INT64_MAX, &size, err)) < 0 ||
        (r = json_get_uint64(o, "tmpfs_mode", where, false, 07777, &mode, err)) < 0 ||
        (r = json_get_strv(o, "labels", where, false, &m->labels, err)) < 0 ||
        (r = json_get_strv(o, "tmpfs_opts", where, false, &m->tmpfs_opts, err)) < 0)
        return r;
    if (strcmp(kind, "bind") == 0)
        m->kind = MOUNT_BIND;
    else if (strcmp(kind, "volume") == 0)
        m->kind = MOUNT_VOLUME;
    else if (strcmp(kind, "tmpfs") == 0)
        m->kind = MOUNT_TMPFS;
    else
        return error_new(err, EINVAL, "%s.kind: `%s` is not bind, volume or tmpfs", where, kind);
    if (*target != '/' || (m->kind == MOUNT_BIND && (source == NULL || *source != '/')) ||
        (m->kind == MOUNT_VOLUME && source && !mount_valid_volume_name(source)) ||
        (prop && !is_propagation(prop)))
        return error_new(err, EINVAL, "%s: bad mount", where);
    m->tmpfs_size = size;
    m->tmpfs_mode = (mode_t) mode;
    if ((m->target = fs_path_clean(target)) == NULL ||
        (source && (m->source = strdup(source)) == NULL) ||
        (prop && (m->propagation = strdup(prop)) == NULL))
        return error_new(err, ENOMEM, "out of memory");
    return 0;
}

int mount_requests_from_json(const json_t *j, struct mount_request **ret, size_t *ret_n,
                             struct error **err)
{
    if (json_expect(j, JSON_ARRAY, "mounts", err) < 0)
        return -EINVAL;
    size_t n = json_array_size(j);
    if (n > MOUNT_MAX_REQUESTS)
        return error_new(err, E2BIG, "mounts: more than %d", MOUNT_MAX_REQUESTS);
    struct mount_request *v = calloc(n + 1, sizeof(*v));
    if (v == NULL)
        return error_new(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char where[32];
        snprintf(where, sizeof(where), "mounts[%zu]", i);
        int r = request_from_json(json_array_get(j, i), where, &v[i], err);
        if (r < 0) {
            mount_requests_free(v, i + 1);
            return r;
        }
    }
    *ret = v;
    *ret_n = n;
    return 0;
}
