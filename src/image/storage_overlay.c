/* SPDX-License-Identifier: Apache-2.0 */
/* The overlay storage driver (storage.h). */
#include "image/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* The kernel's own words about a failed fsconfig (read from the fs fd). */
static void kernel_messages(int fsfd, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (;;) {
        char line[512];
        ssize_t n = read(fsfd, line, sizeof(line) - 1);
        if (n <= 0)
            break;
        line[n] = '\0';
        /* "e overlayfs: ..." : the first letter is the level. */
        const char *msg = n > 2 && line[1] == ' ' ? line + 2 : line;
        int w = snprintf(buf + used, len - used, "%s%s", used ? "; " : "", msg);
        if (w < 0 || (size_t) w >= len - used)
            break;
        used += (size_t) w;
    }
}

static int fs_error(int fsfd, const char *what, struct error **err)
{
    int e = errno;
    char msgs[1024];
    kernel_messages(fsfd, msgs, sizeof(msgs));
    if (*msgs)
        return error_new(err, e, "%s: %s (%s)", what, strerror(e), msgs);
    return error_errnum(err, e, "%s", what);
}

static int set_str(int fsfd, const char *key, const char *value, struct error **err)
{
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) < 0) {
        char what[256];
        snprintf(what, sizeof(what), "overlay option %s=%.150s", key, value);
        return fs_error(fsfd, what, err);
    }
    return 0;
}

static int overlay_create(struct store *s, int cdirfd, char *const *layers, size_t n,
                          struct error **err)
{
    if (n > STORAGE_MAX_LAYERS)
        return error_new(err, E2BIG, "%zu layers: overlayfs stacks at most %d", n,
                         STORAGE_MAX_LAYERS);
    static const char *const dirs[] = {"upper", "work", STORAGE_ROOTFS, "empty"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (mkdirat(cdirfd, dirs[i], 0755) < 0 && errno != EEXIST)
            return error_errno(err, "making the container's `%s`", dirs[i]);
    return 0;
}

static bool is_mounted(int cdirfd)
{
    return fs_is_mount_point_at(cdirfd, STORAGE_ROOTFS);
}

/* lowerdir+ one layer at a time, top first.  -ENOSYS: the kernel has no
 * lowerdir+ (before 6.8); nothing was mounted. */
static int mount_new(struct store *s, const char *cdir, char *const *layers, size_t n,
                     struct error **err)
{
    cleanup_close int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fsfd < 0)
        return error_errno(err, "overlay: fsopen");
    for (size_t i = n; i-- > 0;) {
        cleanup_free char *p = store_layer_path(s, layers[i]);
        if (p == NULL)
            return error_new(err, ENOMEM, "out of memory");
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", p, 0) < 0) {
            if (errno == EINVAL && i == n - 1) {
                char msgs[512];
                kernel_messages(fsfd, msgs, sizeof(msgs));
                if (strstr(msgs, "lowerdir+") || *msgs == '\0')
                    return -ENOSYS;
            }
            return fs_error(fsfd, "overlay: adding a layer (lowerdir+)", err);
        }
    }
    char path[4096];
    int r;
    if (n == 0) {
        snprintf(path, sizeof(path), "%s/empty", cdir);
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0)
            return errno == EINVAL ? -ENOSYS : fs_error(fsfd, "overlay: lowerdir+", err);
    }
    snprintf(path, sizeof(path), "%s/upper", cdir);
    if ((r = set_str(fsfd, "upperdir", path, err)) < 0)
        return r;
    snprintf(path, sizeof(path), "%s/work", cdir);
    if ((r = set_str(fsfd, "workdir", path, err)) < 0)
        return r;
    /* Layers are shared by many uppers: no index binding them to one. */
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "index", "off", 0) < 0)
        log_debug("overlay: index=off not supported");
    if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return fs_error(fsfd, "overlay: creating the mount", err);
    cleanup_close int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
    if (mfd < 0)
        return fs_error(fsfd, "overlay: fsmount", err);
    snprintf(path, sizeof(path), "%s/" STORAGE_ROOTFS, cdir);
    if (move_mount(mfd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return error_errno(err, "overlay: mounting on `%s`", path);
    return 0;
}

/* Relative to the store when it is below it: shorter options. */
static const char *relative_to(const struct store *s, const char *path)
{
    size_t n = strlen(s->root);
    if (strncmp(path, s->root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

/* mount(2) from the store's folder, with the short links as lowerdirs. */
static int mount_legacy(struct store *s, const char *cdir, char *const *layers, size_t n,
                        struct error **err)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t cap = (size_t) (page > 0 ? page : 4096);
    cleanup_free char *data = malloc(cap);
    if (data == NULL)
        return error_new(err, ENOMEM, "out of memory");
    const char *rel = relative_to(s, cdir);
    size_t used = (size_t) snprintf(data, cap, "index=off,lowerdir=");
    for (size_t i = n; i-- > 0 && used < cap;) {
        struct layer_info li;
        int r = store_layer_info(s, layers[i], &li, err);
        if (r < 0)
            return r;
        used += (size_t) snprintf(data + used, cap - used, "%sl/%s", i == n - 1 ? "" : ":",
                                  li.link);
    }
    if (n == 0 && used < cap)
        used += (size_t) snprintf(data + used, cap - used, "%s/empty", rel);
    if (used < cap)
        used += (size_t) snprintf(data + used, cap - used, ",upperdir=%s/upper,workdir=%s/work",
                                  rel, rel);
    if (used >= cap)
        return error_new(err, E2BIG,
                         "%zu layers are too many for a classic overlay mount: its options must "
                         "fit in %zu bytes (a kernel with lowerdir+, Linux 6.8, has no limit)",
                         n, cap);
    cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0 || fchdir(s->rootfd) < 0)
        return error_errno(err, "overlay: changing to the store's folder");
    char target[4096];
    snprintf(target, sizeof(target), "%s/" STORAGE_ROOTFS, cdir);
    int r = mount("overlay", target, "overlay", 0, data);
    int e = errno;
    if (fchdir(cwd) < 0)
        log_debug("overlay: could not change back to the working directory");
    if (r < 0)
        return error_errnum(err, e, "overlay: mounting %zu layers on `%s`", n, target);
    return 0;
}

static int overlay_mount(struct store *s, int cdirfd, const char *cdir, char *const *all,
                         size_t n_all, const struct storage_opts *o, struct error **err)
{
    if (is_mounted(cdirfd))
        return 0;
    cleanup_free const char **uniq = calloc(n_all + 1, sizeof(*uniq));
    if (uniq == NULL)
        return error_new(err, ENOMEM, "out of memory");
    size_t n = storage_unique_layers(all, n_all, uniq);
    char *const *layers = (char *const *) uniq;
    if (o->mount_api != OVERLAY_MOUNT_LEGACY) {
        int r = mount_new(s, cdir, layers, n, err);
        if (r != -ENOSYS)
            return r;
        if (o->mount_api == OVERLAY_MOUNT_NEW)
            return error_new(err, ENOSYS,
                             "overlay: this kernel has no lowerdir+ (Linux 6.8); use "
                             "--storage-opt overlay.mount_api=auto");
        log_debug("overlay: no lowerdir+ here, mounting with short links");
    }
    return mount_legacy(s, cdir, layers, n, err);
}

static int overlay_unmount(int cdirfd, const char *cdir, struct error **err)
{
    char target[4096];
    snprintf(target, sizeof(target), "%s/" STORAGE_ROOTFS, cdir);
    for (int i = 0; i < 8 && is_mounted(cdirfd); i++) {
        if (umount2(target, UMOUNT_NOFOLLOW) == 0)
            continue;
        if (errno == EINVAL)
            break;
        if (errno != EBUSY)
            return error_errno(err, "unmounting `%s`", target);
        /* Still busy (a process that left the container's namespace
         * holds it): detach it, so that nothing stays visible. */
        if (umount2(target, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
            return error_errno(err, "unmounting `%s`", target);
    }
    return 0;
}

static int overlay_usage(int cdirfd, uint64_t *ret, struct error **err)
{
    return storage_du(cdirfd, "upper", ret, err);
}

/* Overlay works when the kernel has it and the store's file system can be
 * an upper layer: try to make (not mount) one in tmp/. */
static int overlay_probe(struct store *s, const struct storage_opts *o, struct error **err)
{
    char *name = NULL;
    int tfd = -1;
    int r = store_tmp_new(s, &name, &tfd, err);
    if (r < 0)
        return r;
    char base[4096];
    snprintf(base, sizeof(base), "%s/tmp/%s", s->root, name);
    cleanup_close int fsfd = -1;
    if (mkdirat(tfd, "l", 0755) < 0 || mkdirat(tfd, "u", 0755) < 0 || mkdirat(tfd, "w", 0755) < 0)
        r = error_errno(err, "overlay: making a probe");
    if (r == 0 && (fsfd = fsopen("overlay", FSOPEN_CLOEXEC)) < 0)
        r = error_errno(err, "overlay is not available (fsopen)");
    char p[4200];
    snprintf(p, sizeof(p), "%s/l", base);
    if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", p, 0) < 0)
        r = fs_error(fsfd, "overlay: lowerdir", err);
    snprintf(p, sizeof(p), "%s/u", base);
    if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", p, 0) < 0)
        r = fs_error(fsfd, "overlay: upperdir", err);
    snprintf(p, sizeof(p), "%s/w", base);
    if (r == 0 && fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", p, 0) < 0)
        r = fs_error(fsfd, "overlay: workdir", err);
    if (r == 0 && fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        r = fs_error(fsfd, "overlay cannot use the store's file system", err);
    close_keep_errno(steal_fd(&fsfd));
    store_tmp_remove(s, name, tfd);
    free(name);
    (void) o;
    return r;
}

const struct storage_driver storage_overlay = {
    .name = "overlay",
    .probe = overlay_probe,
    .create = overlay_create,
    .mount = overlay_mount,
    .unmount = overlay_unmount,
    .usage = overlay_usage,
};
