/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/info.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "engine/container.h"
#include "engine/monitor.h"
#include "runtime/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char *os_name(void)
{
    cleanup_free char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, "/etc/os-release", 1 << 16, &text, NULL, NULL) < 0)
        return strdup("Linux");
    const char *p = strstr(text, "PRETTY_NAME=");
    if (p == NULL)
        return strdup("Linux");
    p += 12;
    if (*p == '"')
        p++;
    return strndup(p, strcspn(p, "\"\n"));
}

static json_t *cgroup_info(void)
{
    struct cgroup *cg = NULL;
    if (cgroup_new(NULL, "probe", &cg, NULL) < 0)
        return json_pack("{s:s, s:s}", "CgroupVersion", "", "CgroupLayout", "unknown");
    const char *layout = cgroup_layout_name(cg->layout);
    json_t *j = json_pack("{s:s, s:s, s:s}", "CgroupDriver", "cgroupfs", "CgroupVersion",
                          cg->layout == CGROUP_LAYOUT_V2 ? "2" : "1", "CgroupLayout", layout);
    cgroup_free(cg);
    return j;
}

int engine_info(struct engine *e, json_t **ret, struct error **err)
{
    struct engine_container **list = NULL;
    size_t n = 0;
    int r = engine_container_list(e, &list, &n, err);
    if (r < 0)
        return r;
    size_t running = 0, paused = 0, stopped = 0;
    for (size_t i = 0; i < n; i++) {
        enum engine_status s = engine_container_status(e, list[i]);
        running += s == ENGINE_RUNNING || s == ENGINE_RESTARTING;
        paused += s == ENGINE_PAUSED;
        stopped += s != ENGINE_RUNNING && s != ENGINE_RESTARTING && s != ENGINE_PAUSED;
    }
    engine_container_list_free(list);
    struct image_db *db = NULL;
    size_t images = 0;
    if (store_images_read(e->store, &db, NULL) == 0) {
        images = db->n;
        image_db_free(db);
    }
    const struct storage_driver *d = NULL;
    cleanup_error struct error *e2 = NULL;
    engine_driver(e, &d, &e2);
    struct utsname u;
    uname(&u);
    cleanup_free char *os = os_name();
    cleanup_free char *monitor = NULL, *init = NULL;
    monitor_program(e, "cabin-monitor", &monitor, NULL);
    monitor_program(e, "cabin-init", &init, NULL);
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long long mem = (long long) sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    json_t *j = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
        "s:s, s:s, s:s, s:s, s:s, s:[s, s]}",
        "Containers", (json_int_t) n, "ContainersRunning", (json_int_t) running,
        "ContainersPaused", (json_int_t) paused, "ContainersStopped", (json_int_t) stopped,
        "Images", (json_int_t) images, "Driver", d ? d->name : "none", "LoggingDriver",
        "json-file", "DefaultRuntime", "cabin-runtime (in-process)", "InitBinary",
        init ? init : "", "MonitorBinary", monitor ? monitor : "", "KernelVersion", u.release,
        "OperatingSystem", os ? os : "Linux", "OSType", "linux", "Architecture", u.machine,
        "Name", host, "NCPU", (json_int_t) cpus, "MemTotal", (json_int_t) mem, "ServerVersion",
        CABIN_VERSION, "CabinRootDir", e->root, "CabinRunRoot", e->runroot, "NetworkBackend",
        "none (a namespace of its own with lo) and host", "SecurityOptions",
        "name=seccomp,profile=builtin", "Networks", "none", "host");
    if (j == NULL)
        return error_new(err, ENOMEM, "out of memory");
    json_t *cg = cgroup_info();
    if (cg) {
        json_object_update_missing(j, cg);
        json_decref(cg);
    }
    *ret = j;
    return 0;
}
