/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/etcfiles.h"
#include "engine/netvol.h"
#include "image/store.h"
#include "monitor/protocol.h"
#include "util/cleanup.h"
#include "util/strv.h"

void engine_human_duration(int64_t s, char *buf, size_t len)
{
    int64_t m = s / 60, h = (s + 1800) / 3600;
    if (s < 1)
        snprintf(buf, len, "Less than a second");
    else if (s == 1)
        snprintf(buf, len, "1 second");
    else if (s < 60)
        snprintf(buf, len, "%lld seconds", (long long) s);
    else if (m == 1)
        snprintf(buf, len, "About a minute");
    else if (m < 60)
        snprintf(buf, len, "%lld minutes", (long long) m);
    else if (h == 1)
        snprintf(buf, len, "About an hour");
    else if (h < 48)
        snprintf(buf, len, "%lld hours", (long long) h);
    else if (h < 24 * 7 * 2)
        snprintf(buf, len, "%lld days", (long long) (h / 24));
    else if (h < 24 * 30 * 2)
        snprintf(buf, len, "%lld weeks", (long long) (h / 24 / 7));
    else if (h < 24 * 365 * 2)
        snprintf(buf, len, "%lld months", (long long) (h / 24 / 30));
    else
        snprintf(buf, len, "%lld years", (long long) (h / 24 / 365));
}

static int64_t since(int64_t ns)
{
    int64_t d = (engine_now_ns() - ns) / 1000000000;
    return d < 0 ? 0 : d;
}

void engine_status_text(const struct engine_state *st, char *buf, size_t len)
{
    char d[64];
    switch (st->status) {
    case ENGINE_RUNNING:
    case ENGINE_PAUSED:
        engine_human_duration(st->started_at ? since(st->started_at) : 0, d, sizeof(d));
        snprintf(buf, len, "Up %s%s", d, st->status == ENGINE_PAUSED ? " (Paused)" : "");
        break;
    case ENGINE_RESTARTING:
    case ENGINE_EXITED:
        if (st->finished_at) {
            engine_human_duration(since(st->finished_at), d, sizeof(d));
            snprintf(buf, len, "%s (%d) %s ago",
                     st->status == ENGINE_EXITED ? "Exited" : "Restarting", st->exit_code, d);
        } else {
            snprintf(buf, len, "%s (%d)", st->status == ENGINE_EXITED ? "Exited" : "Restarting",
                     st->exit_code);
        }
        break;
    case ENGINE_CREATED: snprintf(buf, len, "Created"); break;
    case ENGINE_REMOVING: snprintf(buf, len, "Removal In Progress"); break;
    case ENGINE_DEAD: snprintf(buf, len, "Dead"); break;
    }
}

static json_t *path_in(const char *dir, const char *file)
{
    cleanup_free char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, file) < 0)
        return json_string("");
    return json_string(p);
}

static json_t *state_json(const struct engine_state *st)
{
    char started[48], finished[48];
    engine_time_rfc3339(st->started_at, started, sizeof(started));
    engine_time_rfc3339(st->finished_at, finished, sizeof(finished));
    return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status",
                     engine_status_name(st->status), "Running",
                     st->status == ENGINE_RUNNING || st->status == ENGINE_PAUSED, "Paused",
                     st->status == ENGINE_PAUSED, "Restarting", st->status == ENGINE_RESTARTING,
                     "OOMKilled", st->oom_killed, "Dead", st->status == ENGINE_DEAD, "Pid",
                     (int) st->pid, "ExitCode", st->exit_code, "Error", st->error, "StartedAt",
                     started, "FinishedAt", finished);
}

static json_t *graph_driver(struct engine *e, const struct engine_container *c, const char *cdir)
{
    json_t *data = json_object();
    if (strcmp(c->driver, "overlay") == 0) {
        char *lower = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&lower, &len);
        for (size_t i = c->layers ? strv_length(c->layers) : 0; f && i-- > 0;) {
            cleanup_free char *p = store_layer_path(e->store, c->layers[i]);
            fprintf(f, "%s%s", i + 1 < strv_length(c->layers) ? ":" : "", p ? p : "");
        }
        if (f)
            fclose(f);
        json_object_set_new(data, "LowerDir", json_string(lower ? lower : ""));
        free(lower);
        json_object_set_new(data, "UpperDir", path_in(cdir, "upper"));
        json_object_set_new(data, "WorkDir", path_in(cdir, "work"));
    }
    json_object_set_new(data, "MergedDir", path_in(cdir, "rootfs"));
    return json_pack("{s:o, s:s}", "Data", data, "Name", c->driver);
}

json_t *engine_container_inspect(struct engine *e, const struct engine_container *c,
                                 const struct engine_state *st)
{
    cleanup_free char *cdir = engine_container_dir(e, c->id);
    if (cdir == NULL)
        return NULL;
    /* The network as it is while it runs, the mounts as made (netvol.h). */
    json_t *net = NULL, *mounts = NULL;
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    netvol_inspect(e, c->id, cdirfd, &net, &mounts);
    char created[48], name[300];
    engine_time_rfc3339(c->created, created, sizeof(created));
    snprintf(name, sizeof(name), "/%s", c->name);
    json_t *args = json_array();
    for (size_t i = 1; c->command && c->command[0] && c->command[i]; i++)
        json_array_append_new(args, json_string(c->command[i]));
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:i, s:s, s:s, s:s, s:s, s:s, "
        "s:n, s:O, s:o, s:o, s:O, s:o}",
        "Id", c->id, "Created", created, "Path", c->command && c->command[0] ? c->command[0] : "",
        "Args", args, "State", state_json(st), "Image", c->image_id, "ResolvConfPath",
        path_in(cdir, ETCFILES_RESOLV), "HostnamePath", path_in(cdir, ETCFILES_HOSTNAME),
        "HostsPath", path_in(cdir, ETCFILES_HOSTS), "LogPath", path_in(cdir, MONITOR_LOG),
        "Name", name, "RestartCount", st->restart_count, "Driver", c->driver, "Platform", "linux",
        "MountLabel", "", "ProcessLabel", "", "AppArmorProfile", "", "ExecIDs", "HostConfig",
        c->host_config, "GraphDriver", graph_driver(e, c, cdir), "Mounts",
        mounts ? mounts : json_array(), "Config", c->config, "NetworkSettings", net);
}

static char *labels_text(const json_t *labels)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (f == NULL)
        return NULL;
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *) labels, k, v) {
        fprintf(f, "%s%s=%s", first ? "" : ",", k, json_string_value(v) ? json_string_value(v) : "");
        first = false;
    }
    fclose(f);
    return s;
}

json_t *engine_container_row(struct engine *e, const struct engine_container *c,
                             const struct engine_state *st, bool no_trunc)
{
    char cmd[4096] = "", id[ENGINE_ID_LEN + 1], status[128], ago[64], running_for[96];
    size_t used = 0;
    for (size_t a = 0; c->command && c->command[a] && used < sizeof(cmd) - 1; a++)
        used += (size_t) snprintf(cmd + used, sizeof(cmd) - used, "%s%s", a ? " " : "",
                                  c->command[a]);
    if (!no_trunc && strlen(cmd) > 20)
        strcpy(cmd + 19, "…");
    char quoted[sizeof(cmd) + 3];
    snprintf(quoted, sizeof(quoted), "\"%s\"", cmd);
    snprintf(id, sizeof(id), no_trunc ? "%s" : "%.12s", c->id);
    engine_status_text(st, status, sizeof(status));
    engine_human_duration(since(c->created), ago, sizeof(ago));
    snprintf(running_for, sizeof(running_for), "%s ago", ago);
    char created[64];
    time_t t = (time_t) (c->created / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
    cleanup_free char *labels = labels_text(json_object_get(c->config, "Labels"));
    /* The ports as published now (a stopped container has none), and the
     * networks it asked for. */
    cleanup_close int cdirfd = engine_container_open_dir(e, c->id);
    cleanup_free char *ports = netvol_ports_text(e, c->id);
    cleanup_free char *nets = cdirfd >= 0 ? netvol_networks_text(cdirfd) : NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "Command", quoted, "CreatedAt", created, "ID", id, "Image", c->image,
                     "Labels", labels ? labels : "", "LocalVolumes", "0", "Mounts", "", "Names",
                     c->name, "Networks", nets ? nets : "", "Ports", ports ? ports : "",
                     "RunningFor", running_for, "State", engine_status_name(st->status),
                     "Status", status);
}
