/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "cli/cabin/commands.h"
#include "engine/info.h"
#include "util/cleanup.h"
#include "util/json.h"

struct info_cli {
    const char *format;
};

static const struct option_def info_options[] = {
    OPTION_STRING("format", 'f', struct info_cli, format, "FORMAT",
                  "json, or a template ({{.Driver}}, {{.CgroupVersion}} ...)"),
    OPTION_END,
};

static const char *str(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? s : "";
}

static long long num(const json_t *j, const char *key)
{
    return (long long) json_integer_value(json_object_get(j, key));
}

static void text(const json_t *j)
{
    char mem[32];
    cabin_human_size_binary((uint64_t) num(j, "MemTotal"), mem, sizeof(mem));
    printf("Containers: %lld\n Running: %lld\n Paused: %lld\n Stopped: %lld\n",
           num(j, "Containers"), num(j, "ContainersRunning"), num(j, "ContainersPaused"),
           num(j, "ContainersStopped"));
    printf("Images: %lld\n", num(j, "Images"));
    printf("Server Version: %s\n", str(j, "ServerVersion"));
    printf("Storage Driver: %s\n", str(j, "Driver"));
    printf("Logging Driver: %s\n", str(j, "LoggingDriver"));
    printf("Cgroup Driver: %s\n", str(j, "CgroupDriver"));
    printf("Cgroup Version: %s (%s)\n", str(j, "CgroupVersion"), str(j, "CgroupLayout"));
    printf("Network: %s\n", str(j, "NetworkBackend"));
    printf("Runtime: %s\n", str(j, "DefaultRuntime"));
    printf("Monitor Binary: %s\n", str(j, "MonitorBinary"));
    printf("Init Binary: %s\n", str(j, "InitBinary"));
    printf("Security Options:\n %s\n", str(j, "SecurityOptions"));
    printf("Kernel Version: %s\n", str(j, "KernelVersion"));
    printf("Operating System: %s\n", str(j, "OperatingSystem"));
    printf("OSType: %s\n", str(j, "OSType"));
    printf("Architecture: %s\n", str(j, "Architecture"));
    printf("CPUs: %lld\n", num(j, "NCPU"));
    printf("Total Memory: %s\n", mem);
    printf("Name: %s\n", str(j, "Name"));
    printf("Cabin Root Dir: %s\n", str(j, "CabinRootDir"));
    printf("Cabin Run Root: %s\n", str(j, "CabinRunRoot"));
}

int cmd_info(struct cabin_ctx *ctx, int argc, char **argv)
{
    struct info_cli c = {0};
    int i, ex;
    if (!cabin_parse("cabin info [OPTIONS]",
                     "Show how cabin is set up here: containers and images, storage, cgroups, "
                     "runtime, network, root folders.",
                     info_options, &c, argc, argv, 0, 0, 0, 1, &i, &ex))
        return ex;
    cleanup_error struct error *err = NULL;
    struct engine *e = NULL;
    cleanup_json json_t *j = NULL;
    if (cabin_engine(ctx, &e, &err) < 0 || engine_info(e, &j, &err) < 0)
        return cabin_fail(err, 1);
    int r = cabin_print_format(c.format, j, JSON_INDENT(2), &err);
    if (r < 0)
        return cabin_fail(err, 1);
    if (r == 1)
        text(j);
    return 0;
}
