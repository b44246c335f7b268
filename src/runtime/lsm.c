/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* The first line of ROOT/path, or "" when it cannot be read. */
static void read_line(const char *root, const char *path, char *buf, size_t len)
{
    char full[4096];
    buf[0] = '\0';
    snprintf(full, sizeof(full), "%s/%s", strcmp(root, "/") == 0 ? "" : root, path);
    cleanup_free char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, full, 4096, &text, NULL, NULL) < 0)
        return;
    snprintf(buf, len, "%s", text);
    buf[strcspn(buf, "\n")] = '\0';
}

static bool exists(const char *root, const char *path)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s/%s", strcmp(root, "/") == 0 ? "" : root, path);
    return access(full, F_OK) == 0;
}

static bool in_comma_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchrnul(p, ',');
        if ((size_t) (end - p) == n && strncmp(p, name, n) == 0)
            return true;
        p = *end ? end + 1 : end;
    }
    return false;
}

void lsm_detect(const char *root, struct lsm_state *ret)
{
    char lsm[1024], enabled[16];
    *ret = (struct lsm_state){0};
    /* securityfs lists the active LSMs, when it is mounted. */
    read_line(root, "sys/kernel/security/lsm", lsm, sizeof(lsm));
    if (lsm[0]) {
        ret->apparmor = in_comma_list(lsm, "apparmor");
        ret->selinux = in_comma_list(lsm, "selinux");
        return;
    }
    /* Else what the modules say: AppArmor's parameter (as runc reads it),
     * and SELinux's file system, mounted only when SELinux is on. */
    read_line(root, "sys/module/apparmor/parameters/enabled", enabled, sizeof(enabled));
    ret->apparmor = enabled[0] == 'Y';
    ret->selinux = exists(root, "sys/fs/selinux/enforce");
}

/* `value` when its LSM is on; else NULL, with a note. */
static const char *keep(bool on, const char *lsm, const char *field, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return NULL;
    if (on)
        return value;
    log_debug("%s is not enabled on this host: %s `%s` is ignored", lsm, field, value);
    return NULL;
}

void lsm_plan(const struct lsm_state *st, const struct spec *s, struct lsm_plan *ret)
{
    const struct spec_process *p = s->process;
    ret->apparmor_profile =
        keep(st->apparmor, "AppArmor", "process.apparmorProfile", p ? p->apparmor_profile : NULL);
    ret->selinux_label =
        keep(st->selinux, "SELinux", "process.selinuxLabel", p ? p->selinux_label : NULL);
    ret->mount_label = keep(st->selinux, "SELinux", "linux.mountLabel", s->mount_label);
}

static int write_attr(int proc, const char *attr, const char *value, const char *field,
                      struct error **err)
{
    int r = procfs_write(proc, attr, value, err);
    if (r < 0)
        return error_wrap(err, "%s: applying `%s`", field, value);
    return 0;
}

int lsm_apply_exec_at(int proc, const struct lsm_plan *plan, struct error **err)
{
    if (plan->apparmor_profile == NULL && plan->selinux_label == NULL)
        return 0;
    int r = procfs_check_fd(proc, "process.apparmorProfile/selinuxLabel", err);
    if (r < 0)
        return r;
    if (plan->apparmor_profile) {
        cleanup_free char *cmd = NULL;
        if (asprintf(&cmd, "exec %s", plan->apparmor_profile) < 0)
            return error_new(err, ENOMEM, "out of memory");
        /* With LSM stacking AppArmor has its own directory (5.8+). */
        const char *attr = "thread-self/attr/apparmor/exec";
        if (faccessat(proc, attr, F_OK, 0) < 0)
            attr = "thread-self/attr/exec";
        if ((r = write_attr(proc, attr, cmd, "process.apparmorProfile", err)) < 0)
            return r;
    }
    if (plan->selinux_label && (r = write_attr(proc, "thread-self/attr/exec", plan->selinux_label,
                                               "process.selinuxLabel", err)) < 0)
        return r;
    return 0;
}

int lsm_apply_exec(const struct lsm_plan *plan, struct error **err)
{
    if (plan->apparmor_profile == NULL && plan->selinux_label == NULL)
        return 0;
    cleanup_close int proc = procfs_open("process.apparmorProfile/selinuxLabel", err);
    if (proc < 0)
        return proc;
    return lsm_apply_exec_at(proc, plan, err);
}

/* File systems that cannot carry a context= option (go-selinux does not
 * label them either), and binds, which ignore mount data. */
static bool takes_label(const struct spec_mount *m)
{
    static const char *const no[] = {"proc", "sysfs", "cgroup", "cgroup2", NULL};
    if (m == NULL)
        return true; /* a tmpfs of the runtime's own: the masks */
    if (m->bind || m->type == NULL)
        return false;
    for (size_t i = 0; no[i]; i++)
        if (strcmp(m->type, no[i]) == 0)
            return false;
    return true;
}

int lsm_mount_data(const struct lsm_plan *plan, const struct spec_mount *m, const char *data,
                   char **ret, struct error **err)
{
    *ret = NULL;
    if (plan == NULL || plan->mount_label == NULL || !takes_label(m))
        return 0;
    if (asprintf(ret, "%s%scontext=\"%s\"", data ? data : "", data && data[0] ? "," : "",
                 plan->mount_label) < 0) {
        *ret = NULL;
        return error_new(err, ENOMEM, "out of memory");
    }
    return 0;
}
