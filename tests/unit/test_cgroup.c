/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of runtime/cgroup: the weight conversions, linux.resources
 * parsing, the v2 and v1 writers against fake cgroup trees (plain files in a
 * temp dir), create/destroy on a fake tree, and the state.json round trip.
 *
 * The writers are checked two ways: the files' contents, and a log of every
 * write(2) into the fake tree.  The log comes from the write() defined below,
 * which takes the place of libc's for the code under test (it is linked into
 * this program; libc's own internal writes do not go through it), records
 * "dir/file=value" and passes the call on.  It can also make the next write
 * to a file fail, as the kernel does for a limit it refuses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/cgroup.h"

/* ---- the write log ------------------------------------------------------ */

static char wl_root[PATH_MAX]; /* writes below this dir are logged */
static char wl_buf[16384];
static size_t wl_len;
static char wl_fail_file[256]; /* relative path whose next write fails */
static int wl_fail_errno;

static void wl_append(const char *rel, char sep, const void *buf, size_t n)
{
    int w = snprintf(wl_buf + wl_len, sizeof(wl_buf) - wl_len, "%s%c%.*s\n", rel, sep, (int) n,
                     (const char *) buf);
    if (w > 0 && (size_t) w < sizeof(wl_buf) - wl_len)
        wl_len += (size_t) w;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (wl_root[0]) {
        char link[64], path[PATH_MAX];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t l = readlink(link, path, sizeof(path) - 1);
        size_t rl = strlen(wl_root);
        if (l > 0) {
            path[l] = '\0';
            if (strncmp(path, wl_root, rl) == 0 && path[rl] == '/') {
                const char *rel = path + rl + 1;
                if (wl_fail_file[0] && strcmp(rel, wl_fail_file) == 0) {
                    wl_fail_file[0] = '\0';
                    wl_append(rel, '!', buf, n);
                    errno = wl_fail_errno;
                    return -1;
                }
                wl_append(rel, '=', buf, n);
            }
        }
    }
    return syscall(SYS_write, fd, buf, n);
}

static void wl_reset(void)
{
    wl_len = 0;
    wl_buf[0] = '\0';
    wl_fail_file[0] = '\0';
}

static void expect_log(const char *want)
{
    if (strcmp(wl_buf, want) != 0)
        print_error("write log:\n%s--- wanted:\n%s---\n", wl_buf, want);
    assert_string_equal(wl_buf, want);
}

/* ---- helpers ------------------------------------------------------------ */

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL)
        fail_msg("bad test JSON `%s`: %s", text, je.text);
    return j;
}

static struct cgroup_resources *parse_ok(const char *text)
{
    json_t *j = load(text);
    struct cgroup_resources *r = NULL;
    struct error *err = NULL;
    if (cgroup_resources_parse(j, "linux.resources", &r, &err) < 0)
        fail_msg("parsing `%s`: %s", text, err->msg);
    assert_null(err);
    assert_non_null(r);
    json_decref(j);
    return r;
}

/* The error contract: negative return == -err->code, the message names
 * `needle`, *ret untouched. */
static void parse_fail(const char *text, int code, const char *needle)
{
    json_t *j = load(text);
    struct cgroup_resources sentinel;
    struct cgroup_resources *r = &sentinel;
    struct error *err = NULL;
    int e = cgroup_resources_parse(j, "linux.resources", &r, &err);
    json_decref(j);
    if (e >= 0)
        fail_msg("`%s` was accepted", text);
    assert_non_null(err);
    if (err->code != code || strstr(err->msg, needle) == NULL)
        print_error("`%s`: got %d `%s`, want %d naming `%s`\n", text, err->code, err->msg, code,
                    needle);
    assert_int_equal(e, -err->code);
    assert_int_equal(err->code, code);
    assert_non_null(strstr(err->msg, needle));
    assert_ptr_equal(r, &sentinel);
    error_free(err);
}

static void expect_err(int r, struct error **err, int code, const char *needle)
{
    if (r >= 0)
        fail_msg("expected an error naming `%s`, got %d", needle, r);
    assert_non_null(*err);
    if ((*err)->code != code || strstr((*err)->msg, needle) == NULL)
        print_error("got %d `%s`, want %d naming `%s`\n", (*err)->code, (*err)->msg, code,
                    needle);
    assert_int_equal(r, -(*err)->code);
    assert_int_equal((*err)->code, code);
    assert_non_null(strstr((*err)->msg, needle));
    error_free(*err);
    *err = NULL;
}

static int remove_all(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        remove_all(sub);
    }
    closedir(d);
    return rmdir(path);
}

/* ---- fake trees --------------------------------------------------------- */

struct fixture {
    char base[PATH_MAX];
    struct cgroup *cg;
};

static void put(struct fixture *f, const char *rel, const char *content)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", f->base, rel);
    FILE *fp = fopen(p, "w");
    if (fp == NULL)
        fail_msg("creating %s: %s", p, strerror(errno));
    fputs(content, fp);
    fclose(fp);
}

static void drop(struct fixture *f, const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", f->base, rel);
    assert_int_equal(unlink(p), 0);
}

/* The content of base/rel (static buffer; NULL if missing). */
static const char *get(struct fixture *f, const char *rel)
{
    static char buf[4096];
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", f->base, rel);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

#define expect_file(f, rel, want)                                                                 \
    do {                                                                                          \
        const char *got_ = get(f, rel);                                                           \
        if (got_ == NULL || strcmp(got_, want) != 0)                                              \
            print_error("%s: `%s`, wanted `%s`\n", rel, got_ ? got_ : "(missing)", want);         \
        assert_non_null(got_);                                                                    \
        assert_string_equal(got_, want);                                                          \
    } while (0)

static void add_h(struct cgroup *cg, const char *mnt, const char *ctrl, bool v2,
                  const char *path)
{
    cg->h = realloc(cg->h, (cg->n_h + 1) * sizeof(*cg->h));
    assert_non_null(cg->h);
    struct cg_hierarchy *h = &cg->h[cg->n_h++];
    memset(h, 0, sizeof(*h));
    h->mountpoint = strdup(mnt);
    h->controllers = strdup(ctrl);
    h->v2 = v2;
    h->own = strdup("/");
    h->path = strdup(path);
}

static int setup_base(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    char tmpl[] = "/tmp/cabin-cgroup-XXXXXX";
    if (mkdtemp(tmpl) == NULL || realpath(tmpl, f->base) == NULL)
        return -1;
    snprintf(wl_root, sizeof(wl_root), "%s", f->base);
    wl_reset();
    *state = f;
    return 0;
}

static const char *const v2_files[] = {
    "memory.max",  "memory.low",  "memory.swap.max", "memory.high",   "cpu.weight",
    "cpu.max",     "cpu.max.burst", "cpu.idle",      "cpuset.cpus",   "cpuset.mems",
    "pids.max",    "io.weight",   "io.max",          "hugetlb.2MB.max", "cgroup.freeze",
    "memory.current", "cgroup.max.descendants", "cgroup.procs",
};

static int setup_v2(void **state)
{
    if (setup_base(state) < 0)
        return -1;
    struct fixture *f = *state;
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/c", f->base);
    if (mkdir(p, 0755) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(v2_files) / sizeof(v2_files[0]); i++) {
        char rel[128];
        snprintf(rel, sizeof(rel), "c/%s", v2_files[i]);
        put(f, rel, "");
    }
    put(f, "c/cgroup.events", "populated 0\nfrozen 0\n");
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V2;
    cg->ops = &cgroup_v2_ops;
    cg->path = strdup("/c");
    add_h(cg, f->base, "", true, "/c");
    f->cg = cg;
    return 0;
}

/* name: the hierarchy's dir under base; ctrl: its controllers. */
static const struct {
    const char *dir, *ctrl;
    const char *files[12];
} v1_tree[] = {
    {"memory", "memory",
     {"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
      "memory.swappiness", "memory.oom_control", "memory.usage_in_bytes", "cgroup.procs"}},
    {"cpu", "cpu,cpuacct",
     {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us",
      "cpu.rt_runtime_us", "cpu.rt_period_us", "cpu.idle", "cgroup.procs"}},
    {"pids", "pids", {"pids.max", "cgroup.procs"}},
    {"cpuset", "cpuset", {"cpuset.cpus", "cpuset.mems", "cgroup.procs"}},
    {"blkio", "blkio",
     {"blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device",
      "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
      "blkio.throttle.write_iops_device", "cgroup.procs"}},
    {"devices", "devices", {"devices.allow", "devices.deny", "cgroup.procs"}},
    {"freezer", "freezer", {"freezer.state", "cgroup.procs"}},
};

static int setup_v1(void **state)
{
    if (setup_base(state) < 0)
        return -1;
    struct fixture *f = *state;
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V1;
    cg->ops = &cgroup_v1_ops;
    cg->path = strdup("/c");
    for (size_t i = 0; i < sizeof(v1_tree) / sizeof(v1_tree[0]); i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", f->base, v1_tree[i].dir);
        if (mkdir(p, 0755) < 0)
            return -1;
        add_h(cg, p, v1_tree[i].ctrl, false, "/c");
        snprintf(p, sizeof(p), "%s/%s/c", f->base, v1_tree[i].dir);
        if (mkdir(p, 0755) < 0)
            return -1;
        for (size_t k = 0; v1_tree[i].files[k]; k++) {
            char rel[128];
            snprintf(rel, sizeof(rel), "%s/c/%s", v1_tree[i].dir, v1_tree[i].files[k]);
            put(f, rel, "");
        }
    }
    put(f, "freezer/c/freezer.state", "THAWED");
    f->cg = cg;
    return 0;
}

static int teardown_fx(void **state)
{
    struct fixture *f = *state;
    wl_root[0] = '\0';
    cgroup_free(f->cg);
    int r = remove_all(f->base);
    free(f);
    return r;
}

/* apply(f, json): parse linux.resources and cgroup_apply() them. */
static int apply(struct fixture *f, const char *text, struct error **err)
{
    struct cgroup_resources *r = parse_ok(text);
    wl_reset();
    int e = cgroup_apply(f->cg, r, err);
    cgroup_resources_free(r);
    return e;
}

static void apply_ok(struct fixture *f, const char *text)
{
    struct error *err = NULL;
    if (apply(f, text, &err) < 0)
        fail_msg("applying `%s`: %s", text, err->msg);
    assert_null(err);
}

/* ---- conversions -------------------------------------------------------- */

static void test_shares_to_weight(void **state)
{
    assert_int_equal(cgroup_shares_to_weight(2), 1);
    assert_int_equal(cgroup_shares_to_weight(1024), 39);
    assert_int_equal(cgroup_shares_to_weight(262144), 10000);
    assert_int_equal(cgroup_shares_to_weight(0), 0);
    /* Out of range: clamped to 2..262144. */
    assert_int_equal(cgroup_shares_to_weight(1), 1);
    assert_int_equal(cgroup_shares_to_weight(262145), 10000);
    assert_int_equal(cgroup_shares_to_weight(UINT64_MAX), 10000);
    /* Monotonic over the range. */
    uint64_t prev = 0;
    for (uint64_t s = 2; s <= 262144; s += 97) {
        uint64_t w = cgroup_shares_to_weight(s);
        assert_true(w >= prev && w >= 1 && w <= 10000);
        prev = w;
    }
}

static void test_blkio_to_io_weight(void **state)
{
    assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
    assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
    /* 1 + (500 - 10) * 9999 / 990 */
    assert_int_equal(cgroup_blkio_to_io_weight(500), 4950);
    assert_int_equal(cgroup_blkio_to_io_weight(100), 910);
    assert_int_equal(cgroup_blkio_to_io_weight(0), 0);
    assert_int_equal(cgroup_blkio_to_io_weight(1), 1);
    assert_int_equal(cgroup_blkio_to_io_weight(5000), 10000);
}

/* ---- parsing ------------------------------------------------------------ */

static void test_parse_empty(void **state)
{
    struct cgroup_resources *r = parse_ok("{}");
    assert_false(r->mem_limit.set);
    assert_false(r->cpu_shares.set);
    assert_false(r->pids_limit.set);
    assert_false(r->devices_set);
    assert_null(r->cpus);
    assert_null(r->unified);
    assert_null(r->rdma);
    cgroup_resources_free(r);
    /* Nulls are "unset". */
    r = parse_ok("{\"memory\": null, \"cpu\": {\"shares\": null}, \"devices\": null}");
    assert_false(r->cpu_shares.set);
    assert_false(r->devices_set);
    cgroup_resources_free(r);
    cgroup_resources_free(NULL);

    parse_fail("[]", EINVAL, "linux.resources: expected an object");
    parse_fail("{\"memory\": 5}", EINVAL, "linux.resources.memory");
    parse_fail("{\"cpu\": []}", EINVAL, "linux.resources.cpu");
    parse_fail("{\"pids\": \"x\"}", EINVAL, "linux.resources.pids");
    parse_fail("{\"blockIO\": true}", EINVAL, "linux.resources.blockIO");
    parse_fail("{\"network\": 1}", EINVAL, "linux.resources.network");
}

static void test_parse_memory(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"memory\": {\"limit\": 33554432, \"reservation\": 16777216, \"swap\": 67108864,"
        " \"swappiness\": 10, \"disableOOMKiller\": true, \"checkBeforeUpdate\": true}}");
    assert_true(r->mem_limit.set);
    assert_int_equal(r->mem_limit.v, 33554432);
    assert_int_equal(r->mem_reservation.v, 16777216);
    assert_int_equal(r->mem_swap.v, 67108864);
    assert_int_equal(r->mem_swappiness.v, 10);
    assert_true(r->mem_disable_oom_killer);
    assert_true(r->mem_check_before_update);
    cgroup_resources_free(r);

    /* -1 is "unlimited"; swap equal to the limit means no swap. */
    r = parse_ok("{\"memory\": {\"limit\": -1, \"swap\": -1}}");
    assert_int_equal(r->mem_limit.v, -1);
    assert_int_equal(r->mem_swap.v, -1);
    cgroup_resources_free(r);
    cgroup_resources_free(parse_ok("{\"memory\": {\"limit\": 1000, \"swap\": 1000}}"));
    cgroup_resources_free(parse_ok("{\"memory\": {\"limit\": 1000, \"swap\": -1}}"));
    cgroup_resources_free(parse_ok("{\"memory\": {\"swappiness\": 0}}"));
    cgroup_resources_free(parse_ok("{\"memory\": {\"swappiness\": 100}}"));

    parse_fail("{\"memory\": {\"limit\": 2000, \"swap\": 1000}}", EINVAL,
               "linux.resources.memory.swap");
    parse_fail("{\"memory\": {\"limit\": 2000, \"swap\": 1000}}", EINVAL, "below the limit");
    parse_fail("{\"memory\": {\"swappiness\": 101}}", ERANGE,
               "linux.resources.memory.swappiness");
    parse_fail("{\"memory\": {\"swappiness\": -2}}", ERANGE, "memory.swappiness");
    parse_fail("{\"memory\": {\"limit\": \"1G\"}}", EINVAL,
               "linux.resources.memory.limit: expected an integer");
    parse_fail("{\"memory\": {\"limit\": 1.5}}", EINVAL, "memory.limit");
    parse_fail("{\"memory\": {\"reservation\": []}}", EINVAL, "memory.reservation");
    parse_fail("{\"memory\": {\"swap\": false}}", EINVAL, "memory.swap");
    parse_fail("{\"memory\": {\"disableOOMKiller\": 1}}", EINVAL, "memory.disableOOMKiller");
    parse_fail("{\"memory\": {\"checkBeforeUpdate\": \"yes\"}}", EINVAL,
               "memory.checkBeforeUpdate");
}

static void test_parse_cpu(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"cpu\": {\"shares\": 1024, \"quota\": 20000, \"period\": 100000, \"burst\": 5000,"
        " \"realtimeRuntime\": 950000, \"realtimePeriod\": 1000000, \"idle\": 1,"
        " \"cpus\": \"0-1\", \"mems\": \"0\"}}");
    assert_int_equal(r->cpu_shares.v, 1024);
    assert_int_equal(r->cpu_quota.v, 20000);
    assert_int_equal(r->cpu_period.v, 100000);
    assert_int_equal(r->cpu_burst.v, 5000);
    assert_int_equal(r->cpu_rt_runtime.v, 950000);
    assert_int_equal(r->cpu_rt_period.v, 1000000);
    assert_int_equal(r->cpu_idle.v, 1);
    assert_string_equal(r->cpus, "0-1");
    assert_string_equal(r->mems, "0");
    cgroup_resources_free(r);

    /* quota -1 is "no limit"; empty cpus/mems are unset. */
    r = parse_ok("{\"cpu\": {\"quota\": -1, \"cpus\": \"\", \"mems\": \"\"}}");
    assert_int_equal(r->cpu_quota.v, -1);
    assert_null(r->cpus);
    assert_null(r->mems);
    cgroup_resources_free(r);

    parse_fail("{\"cpu\": {\"shares\": -1}}", ERANGE, "linux.resources.cpu.shares");
    parse_fail("{\"cpu\": {\"shares\": \"1024\"}}", EINVAL, "cpu.shares");
    parse_fail("{\"cpu\": {\"quota\": \"x\"}}", EINVAL, "cpu.quota");
    parse_fail("{\"cpu\": {\"period\": -100000}}", ERANGE, "cpu.period");
    parse_fail("{\"cpu\": {\"burst\": -1}}", ERANGE, "cpu.burst");
    parse_fail("{\"cpu\": {\"realtimePeriod\": -1}}", ERANGE, "cpu.realtimePeriod");
    parse_fail("{\"cpu\": {\"realtimeRuntime\": true}}", EINVAL, "cpu.realtimeRuntime");
    parse_fail("{\"cpu\": {\"idle\": \"1\"}}", EINVAL, "cpu.idle");
    parse_fail("{\"cpu\": {\"cpus\": 0}}", EINVAL, "linux.resources.cpu.cpus");
    parse_fail("{\"cpu\": {\"mems\": [0]}}", EINVAL, "cpu.mems");
}

static void test_parse_pids(void **state)
{
    struct cgroup_resources *r = parse_ok("{\"pids\": {\"limit\": 20}}");
    assert_true(r->pids_limit.set);
    assert_int_equal(r->pids_limit.v, 20);
    cgroup_resources_free(r);
    r = parse_ok("{\"pids\": {\"limit\": -1}}");
    assert_int_equal(r->pids_limit.v, -1);
    cgroup_resources_free(r);
    r = parse_ok("{\"pids\": {}}");
    assert_false(r->pids_limit.set);
    cgroup_resources_free(r);
    parse_fail("{\"pids\": {\"limit\": \"20\"}}", EINVAL, "linux.resources.pids.limit");
}

/* As runc reads them: dockerd sends cpu.shares 0 and blockIO.weight 0 for
 * every container, and means "leave them". */
static void test_parse_zero_is_unset(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"memory\": {\"limit\": 0, \"reservation\": 0, \"swap\": 0, \"swappiness\": 0},"
        " \"cpu\": {\"shares\": 0, \"quota\": 0, \"period\": 0, \"realtimeRuntime\": 0,"
        "          \"realtimePeriod\": 0},"
        " \"blockIO\": {\"weight\": 0, \"leafWeight\": 0,"
        "             \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 0}]}}");
    assert_false(r->mem_limit.set);
    assert_false(r->mem_reservation.set);
    assert_false(r->mem_swap.set);
    assert_true(r->mem_swappiness.set); /* 0 is a swappiness */
    assert_false(r->cpu_shares.set);
    assert_false(r->cpu_quota.set);
    assert_false(r->cpu_period.set);
    assert_false(r->cpu_rt_runtime.set);
    assert_false(r->cpu_rt_period.set);
    assert_false(r->blkio_weight.set);
    assert_false(r->blkio_leaf_weight.set);
    assert_false(r->weight_devices[0].weight.set);
    cgroup_resources_free(r);
}

static void test_parse_blkio(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"blockIO\": {\"weight\": 500, \"leafWeight\": 300,"
        " \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 200},"
        "                    {\"major\": 8, \"minor\": 16, \"leafWeight\": 100}],"
        " \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
        " \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 2097152}],"
        " \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}],"
        " \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 200},"
        "                               {\"major\": 253, \"minor\": 1, \"rate\": 0}]}}");
    assert_int_equal(r->blkio_weight.v, 500);
    assert_int_equal(r->blkio_leaf_weight.v, 300);
    assert_int_equal(r->n_weight_devices, 2);
    assert_int_equal(r->weight_devices[0].major, 8);
    assert_int_equal(r->weight_devices[0].minor, 0);
    assert_true(r->weight_devices[0].weight.set);
    assert_int_equal(r->weight_devices[0].weight.v, 200);
    assert_false(r->weight_devices[0].leaf_weight.set);
    assert_false(r->weight_devices[1].weight.set);
    assert_int_equal(r->weight_devices[1].leaf_weight.v, 100);
    assert_int_equal(r->n_throttle[CG_READ_BPS], 1);
    assert_int_equal(r->throttle[CG_READ_BPS][0].rate, 1048576);
    assert_int_equal(r->throttle[CG_WRITE_BPS][0].rate, 2097152);
    assert_int_equal(r->throttle[CG_READ_IOPS][0].rate, 100);
    assert_int_equal(r->n_throttle[CG_WRITE_IOPS], 2);
    assert_int_equal(r->throttle[CG_WRITE_IOPS][1].major, 253);
    assert_int_equal(r->throttle[CG_WRITE_IOPS][1].minor, 1);
    cgroup_resources_free(r);

    cgroup_resources_free(parse_ok("{\"blockIO\": {\"weightDevice\": []}}"));

    parse_fail("{\"blockIO\": {\"weight\": -10}}", ERANGE, "linux.resources.blockIO.weight");
    parse_fail("{\"blockIO\": {\"leafWeight\": \"x\"}}", EINVAL, "blockIO.leafWeight");
    parse_fail("{\"blockIO\": {\"weightDevice\": {}}}", EINVAL, "blockIO.weightDevice");
    parse_fail("{\"blockIO\": {\"weightDevice\": [5]}}", EINVAL, "blockIO.weightDevice[0]");
    parse_fail("{\"blockIO\": {\"weightDevice\": [{\"minor\": 0, \"weight\": 10}]}}", EINVAL,
               "blockIO.weightDevice[0].major: missing");
    parse_fail("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"weight\": 10}]}}", EINVAL,
               "blockIO.weightDevice[0].minor");
    parse_fail("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 10},"
               " {\"major\": 8, \"minor\": 0, \"weight\": -1}]}}",
               ERANGE, "blockIO.weightDevice[1].weight");
    parse_fail("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, "
               "\"leafWeight\": \"a\"}]}}",
               EINVAL, "blockIO.weightDevice[0].leafWeight");
    parse_fail("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0}]}}",
               EINVAL, "blockIO.throttleReadBpsDevice[0].rate: missing");
    parse_fail("{\"blockIO\": {\"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, "
               "\"rate\": -1}]}}",
               ERANGE, "blockIO.throttleWriteBpsDevice[0].rate");
    parse_fail("{\"blockIO\": {\"throttleReadIOPSDevice\": [{\"major\": \"8\", \"minor\": 0, "
               "\"rate\": 1}]}}",
               EINVAL, "blockIO.throttleReadIOPSDevice[0].major");
    parse_fail("{\"blockIO\": {\"throttleWriteIOPSDevice\": 7}}", EINVAL,
               "blockIO.throttleWriteIOPSDevice");
}

static void test_parse_devices(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
        " {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 0, \"access\": \"rw\"},"
        " {\"allow\": true, \"type\": \"c\", \"major\": 136},"
        " {\"allow\": false, \"type\": \"c\", \"major\": null, \"minor\": 3, \"access\": \"m\"}]}");
    assert_true(r->devices_set);
    assert_int_equal(r->n_devices, 4);
    assert_false(r->devices[0].allow);
    assert_int_equal(r->devices[0].type, 'a');
    assert_int_equal(r->devices[0].major, -1);
    assert_int_equal(r->devices[0].minor, -1);
    assert_string_equal(r->devices[0].access, "rwm");
    assert_true(r->devices[1].allow);
    assert_int_equal(r->devices[1].type, 'b');
    assert_int_equal(r->devices[1].major, 7);
    assert_int_equal(r->devices[1].minor, 0);
    assert_string_equal(r->devices[1].access, "rw");
    assert_int_equal(r->devices[2].type, 'c');
    assert_int_equal(r->devices[2].major, 136);
    assert_int_equal(r->devices[2].minor, -1);
    assert_string_equal(r->devices[2].access, "rwm"); /* absent access: all */
    assert_int_equal(r->devices[3].major, -1);
    assert_int_equal(r->devices[3].minor, 3);
    assert_string_equal(r->devices[3].access, "m");
    cgroup_resources_free(r);

    /* An empty list is still "set": deny everything but the defaults. */
    r = parse_ok("{\"devices\": []}");
    assert_true(r->devices_set);
    assert_int_equal(r->n_devices, 0);
    cgroup_resources_free(r);

    parse_fail("{\"devices\": {}}", EINVAL, "linux.resources.devices: expected an array");
    parse_fail("{\"devices\": [1]}", EINVAL, "linux.resources.devices[0]");
    parse_fail("{\"devices\": [{\"access\": \"rwm\"}]}", EINVAL, "devices[0].allow");
    parse_fail("{\"devices\": [{\"allow\": \"yes\"}]}", EINVAL, "devices[0].allow");
    parse_fail("{\"devices\": [{\"allow\": true}, {\"allow\": true, \"type\": \"x\"}]}",
               EINVAL, "linux.resources.devices[1].type");
    parse_fail("{\"devices\": [{\"allow\": true, \"type\": \"cb\"}]}", EINVAL,
               "devices[0].type");
    parse_fail("{\"devices\": [{\"allow\": true, \"type\": \"p\"}]}", EINVAL,
               "devices[0].type");
    parse_fail("{\"devices\": [{\"allow\": true, \"type\": 99}]}", EINVAL, "devices[0].type");
    parse_fail("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}", EINVAL,
               "devices[0].access");
    parse_fail("{\"devices\": [{\"allow\": true, \"access\": \"rwmr\"}]}", EINVAL,
               "devices[0].access");
    parse_fail("{\"devices\": [{\"allow\": true, \"access\": \"R\"}]}", EINVAL,
               "devices[0].access");
    parse_fail("{\"devices\": [{\"allow\": true, \"type\": \"c\", \"major\": \"1\"}]}", EINVAL,
               "devices[0].major");
    parse_fail("{\"devices\": [{\"allow\": true, \"type\": \"c\", \"minor\": 1.0}]}", EINVAL,
               "devices[0].minor");
}

static void test_parse_hugepages(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304},"
        " {\"pageSize\": \"1GB\", \"limit\": 0}, {\"pageSize\": \"64KB\", \"limit\": 65536}]}");
    assert_int_equal(r->n_hugepages, 3);
    assert_string_equal(r->hugepages[0].page_size, "2MB");
    assert_int_equal(r->hugepages[0].limit, 4194304);
    assert_string_equal(r->hugepages[1].page_size, "1GB");
    assert_string_equal(r->hugepages[2].page_size, "64KB");
    cgroup_resources_free(r);

    parse_fail("{\"hugepageLimits\": {}}", EINVAL, "linux.resources.hugepageLimits");
    parse_fail("{\"hugepageLimits\": [{\"limit\": 1}]}", EINVAL,
               "hugepageLimits[0].pageSize: missing");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}", EINVAL,
               "hugepageLimits[0].limit");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": -1}]}", ERANGE,
               "hugepageLimits[0].limit");
    /* pageSize becomes part of a file name: nothing but a size. */
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1},"
               " {\"pageSize\": \"../../x\", \"limit\": 1}]}",
               EINVAL, "hugepageLimits[1].pageSize");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"2MB/x\", \"limit\": 1}]}", EINVAL,
               "pageSize");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"\", \"limit\": 1}]}", EINVAL,
               "pageSize");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"MB\", \"limit\": 1}]}", EINVAL,
               "pageSize");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": \"2 MB\", \"limit\": 1}]}", EINVAL,
               "pageSize");
    parse_fail("{\"hugepageLimits\": [{\"pageSize\": 2, \"limit\": 1}]}", EINVAL, "pageSize");
}

static void test_parse_network(void **state)
{
    struct cgroup_resources *r = parse_ok(
        "{\"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", "
        "\"priority\": 500}, {\"name\": \"lo\", \"priority\": 0}]}}");
    assert_true(r->net_class_id.set);
    assert_int_equal(r->net_class_id.v, 1048577);
    assert_int_equal(r->n_net_prios, 2);
    assert_string_equal(r->net_prios[0].name, "eth0");
    assert_int_equal(r->net_prios[0].priority, 500);
    assert_string_equal(r->net_prios[1].name, "lo");
    cgroup_resources_free(r);

    parse_fail("{\"network\": {\"classID\": -1}}", ERANGE, "linux.resources.network.classID");
    parse_fail("{\"network\": {\"priorities\": {}}}", EINVAL, "network.priorities");
    parse_fail("{\"network\": {\"priorities\": [{\"priority\": 1}]}}", EINVAL,
               "network.priorities[0].name");
    parse_fail("{\"network\": {\"priorities\": [{\"name\": \"lo\"}]}}", EINVAL,
               "network.priorities[0].priority");
    parse_fail("{\"network\": {\"priorities\": [{\"name\": \"lo\", \"priority\": -1}]}}", ERANGE,
               "network.priorities[0].priority");
    parse_fail("{\"network\": {\"priorities\": [{\"name\": \"lo\", \"priority\": 4294967296}]}}",
               ERANGE, "network.priorities[0].priority");
}

static void test_parse_unified_rdma(void **state)
{
    struct cgroup_resources *r =
        parse_ok("{\"unified\": {\"memory.high\": \"1234\", \"cgroup.max.descendants\": \"5\"},"
                 " \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}}}");
    assert_non_null(r->unified);
    assert_string_equal(json_string_value(json_object_get(r->unified, "memory.high")), "1234");
    assert_non_null(r->rdma);
    assert_non_null(json_object_get(r->rdma, "mlx5_1"));
    cgroup_resources_free(r);

    parse_fail("{\"unified\": []}", EINVAL, "linux.resources.unified");
    parse_fail("{\"unified\": {\"memory.max\": 5}}", EINVAL,
               "linux.resources.unified.memory.max");
    parse_fail("{\"unified\": {\"memory.high\": \"1\", \"pids.max\": null}}", EINVAL,
               "unified.pids.max");
    parse_fail("{\"unified\": {\"memory.max\": true}}", EINVAL, "unified.memory.max");
    /* Keys name a file in the container's cgroup, nothing else. */
    parse_fail("{\"unified\": {\"../memory.max\": \"1\"}}", EINVAL, "unified.../memory.max");
    parse_fail("{\"unified\": {\"sub/memory.max\": \"1\"}}", EINVAL, "sub/memory.max");
    parse_fail("{\"unified\": {\"nodot\": \"1\"}}", EINVAL, "unified.nodot");
    parse_fail("{\"unified\": {\".hidden\": \"1\"}}", EINVAL, "unified..hidden");
    parse_fail("{\"rdma\": \"mlx5_1\"}", EINVAL, "linux.resources.rdma");
    parse_fail("{\"rdma\": [1]}", EINVAL, "linux.resources.rdma");
}

/* A later group failing frees what earlier ones parsed and leaves *ret. */
static void test_parse_error_contract(void **state)
{
    parse_fail("{\"memory\": {\"limit\": 1}, \"cpu\": {\"cpus\": \"0\"}, \"devices\": "
               "[{\"allow\": true}], \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}],"
               " \"unified\": {\"a.b\": \"1\"}, \"rdma\": 5}",
               EINVAL, "rdma");
    /* `where` prefixes every message. */
    json_t *j = load("{\"pids\": {\"limit\": \"x\"}}");
    struct cgroup_resources *r = NULL;
    struct error *err = NULL;
    int e = cgroup_resources_parse(j, "update", &r, &err);
    expect_err(e, &err, EINVAL, "update.pids.limit");
    assert_null(r);
    /* A NULL err is allowed. */
    assert_int_equal(cgroup_resources_parse(j, "update", &r, NULL), -EINVAL);
    assert_null(r);
    json_decref(j);
}

/* ---- the v2 writer ------------------------------------------------------ */

static void test_v2_memory(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"memory\": {\"limit\": 33554432, \"reservation\": 16777216, "
                "\"swap\": 67108864}}");
    expect_file(f, "c/memory.max", "33554432");
    expect_file(f, "c/memory.low", "16777216");
    /* memory+swap 64M with memory 32M: 32M of swap. */
    expect_file(f, "c/memory.swap.max", "33554432");
    expect_log("c/memory.max=33554432\nc/memory.low=16777216\nc/memory.swap.max=33554432\n");
}

static void test_v2_memory_max(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"memory\": {\"limit\": -1, \"swap\": -1, \"reservation\": -1}}");
    expect_file(f, "c/memory.max", "max");
    expect_file(f, "c/memory.swap.max", "max");
    expect_file(f, "c/memory.low", "max");
    /* swap == limit: no swap at all. */
    apply_ok(f, "{\"memory\": {\"limit\": 1048576, \"swap\": 1048576}}");
    expect_log("c/memory.max=1048576\nc/memory.swap.max=0\n");
}

static void test_v2_memory_errors(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    /* v2 has swap only: without a memory limit there is nothing to subtract. */
    expect_err(apply(f, "{\"memory\": {\"swap\": 67108864}}", &err), &err, EINVAL,
               "memory.swap");
    expect_err(apply(f, "{\"memory\": {\"disableOOMKiller\": true}}", &err), &err, ENOTSUP,
               "disableOOMKiller");
    /* checkBeforeUpdate: the usage is above the new limit, nothing written. */
    put(f, "c/memory.current", "100000000\n");
    expect_err(apply(f, "{\"memory\": {\"limit\": 33554432, \"checkBeforeUpdate\": true}}", &err),
               &err, EBUSY, "memory.limit");
    expect_file(f, "c/memory.max", "");
    expect_log("");
    apply_ok(f, "{\"memory\": {\"limit\": 200000000, \"checkBeforeUpdate\": true}}");
    expect_file(f, "c/memory.max", "200000000");
    /* Without the flag the usage is not looked at. */
    drop(f, "c/memory.max");
    put(f, "c/memory.max", "");
    apply_ok(f, "{\"memory\": {\"limit\": 33554432}}");
    expect_file(f, "c/memory.max", "33554432");
}

static void test_v2_cpu(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"cpu\": {\"shares\": 1024, \"quota\": 20000, \"period\": 100000, "
                "\"burst\": 1000, \"idle\": 1, \"cpus\": \"0-1\", \"mems\": \"0\"}}");
    expect_file(f, "c/cpu.weight", "39");
    expect_file(f, "c/cpu.max", "20000 100000");
    expect_file(f, "c/cpu.max.burst", "1000");
    expect_file(f, "c/cpu.idle", "1");
    expect_file(f, "c/cpuset.cpus", "0-1");
    expect_file(f, "c/cpuset.mems", "0");
}

static void test_v2_cpu_max(void **state)
{
    struct fixture *f = *state;
    /* No quota, a period: unlimited with that period. */
    apply_ok(f, "{\"cpu\": {\"period\": 100000}}");
    expect_log("c/cpu.max=max 100000\n");
    apply_ok(f, "{\"cpu\": {\"quota\": -1, \"period\": 50000}}");
    expect_log("c/cpu.max=max 50000\n");
    /* A quota alone leaves the period as the kernel has it (as runc). */
    apply_ok(f, "{\"cpu\": {\"quota\": 30000}}");
    expect_log("c/cpu.max=30000\n");
    apply_ok(f, "{\"cpu\": {\"shares\": 2}}");
    expect_log("c/cpu.weight=1\n");
    apply_ok(f, "{\"cpu\": {\"shares\": 262144}}");
    expect_log("c/cpu.weight=10000\n");
    /* shares 0: unset, nothing written. */
    apply_ok(f, "{\"cpu\": {\"shares\": 0}}");
    expect_log("");
    struct error *err = NULL;
    expect_err(apply(f, "{\"cpu\": {\"realtimeRuntime\": 1000}}", &err), &err, ENOTSUP,
               "realtime");
    expect_err(apply(f, "{\"cpu\": {\"realtimePeriod\": 1000}}", &err), &err, ENOTSUP,
               "realtime");
}

static void test_v2_pids(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"pids\": {\"limit\": 20}}");
    expect_log("c/pids.max=20\n");
    apply_ok(f, "{\"pids\": {\"limit\": 0}}");
    expect_log("c/pids.max=max\n");
    apply_ok(f, "{\"pids\": {\"limit\": -1}}");
    expect_log("c/pids.max=max\n");
    apply_ok(f, "{\"pids\": {}}");
    expect_log("");
}

static void test_v2_io(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"blockIO\": {\"weight\": 500}}");
    expect_file(f, "c/io.weight", "4950");
    drop(f, "c/io.weight");
    put(f, "c/io.weight", "");
    apply_ok(f, "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, "
                "\"rate\": 1048576}]}}");
    expect_file(f, "c/io.max", "8:0 rbps=1048576");
    expect_file(f, "c/io.weight", "");
    /* Every throttle, one line a write, in the spec's order. */
    apply_ok(f,
             "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 16, \"weight\": 100}],"
             " \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
             " \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 2097152}],"
             " \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}],"
             " \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 200},"
             "                               {\"major\": 8, \"minor\": 16, \"rate\": 0}]}}");
    expect_log("c/io.weight=8:16 910\n"
               "c/io.max=8:0 rbps=1048576\n"
               "c/io.max=8:0 wbps=2097152\n"
               "c/io.max=8:0 riops=100\n"
               "c/io.max=8:0 wiops=200\n"
               "c/io.max=8:16 wiops=0\n");
}

/* With BFQ the weight file is io.bfq.weight, whose range is blkio's own
 * (1..1000, the kernel's BFQ_MIN/MAX_WEIGHT): runc writes the spec's weight
 * there unconverted, and converts only for io.weight. */
static void test_v2_io_bfq(void **state)
{
    struct fixture *f = *state;
    put(f, "c/io.bfq.weight", "");
    apply_ok(f, "{\"blockIO\": {\"weight\": 500}}");
    expect_file(f, "c/io.weight", "");
    expect_file(f, "c/io.bfq.weight", "500");
    apply_ok(f, "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, "
                "\"weight\": 1000}]}}");
    expect_log("c/io.bfq.weight=8:0 1000\n");
}

static void test_v2_hugetlb_unified(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}");
    expect_file(f, "c/hugetlb.2MB.max", "4194304");
    /* unified: written raw, last, after the typed fields. */
    apply_ok(f, "{\"pids\": {\"limit\": 10}, \"unified\": {\"memory.high\": \"123456\", "
                "\"cgroup.max.descendants\": \"5\"}}");
    expect_file(f, "c/memory.high", "123456");
    expect_file(f, "c/cgroup.max.descendants", "5");
    expect_log("c/pids.max=10\nc/memory.high=123456\nc/cgroup.max.descendants=5\n");
}

static void test_v2_missing_file(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    drop(f, "c/memory.max");
    expect_err(apply(f, "{\"memory\": {\"limit\": 33554432}}", &err), &err, ENOENT,
               "memory.max");
    expect_err(apply(f, "{\"unified\": {\"memory.nosuch\": \"1\"}}", &err), &err, ENOENT,
               "memory.nosuch");
    expect_err(apply(f, "{\"hugepageLimits\": [{\"pageSize\": \"1GB\", \"limit\": 0}]}", &err),
               &err, ENOENT, "hugetlb.1GB.max");
    drop(f, "c/pids.max");
    expect_err(apply(f, "{\"pids\": {\"limit\": 5}}", &err), &err, ENOENT, "pids.max");
    /* Errors from the writer carry the context. */
    expect_err(apply(f, "{\"pids\": {\"limit\": 5}}", &err), &err, ENOENT, "linux.resources");
    /* The kernel refusing a value is an error naming the file and the value. */
    wl_fail_errno = EINVAL;
    struct cgroup_resources *r = parse_ok("{\"cpu\": {\"cpus\": \"99999\"}}");
    wl_reset();
    snprintf(wl_fail_file, sizeof(wl_fail_file), "c/cpuset.cpus");
    expect_err(cgroup_apply(f->cg, r, &err), &err, EINVAL, "cpuset.cpus");
    cgroup_resources_free(r);
    expect_log("c/cpuset.cpus!99999\n");
    expect_err(apply(f, "{\"network\": {\"classID\": 1}}", &err), &err, ENOTSUP, "network");
}

static void test_v2_freeze(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    assert_false(cgroup_is_frozen(f->cg));
    put(f, "c/cgroup.events", "populated 1\nfrozen 1\n");
    assert_int_equal(cgroup_freeze(f->cg, true, &err), 0);
    assert_null(err);
    expect_file(f, "c/cgroup.freeze", "1");
    assert_true(cgroup_is_frozen(f->cg));
    put(f, "c/cgroup.events", "populated 1\nfrozen 0\n");
    assert_int_equal(cgroup_freeze(f->cg, false, &err), 0);
    expect_file(f, "c/cgroup.freeze", "0");
    assert_false(cgroup_is_frozen(f->cg));
    expect_log("c/cgroup.freeze=1\nc/cgroup.freeze=0\n");
    /* No cgroup.freeze (kernel < 5.2): an error naming it. */
    drop(f, "c/cgroup.freeze");
    expect_err(cgroup_freeze(f->cg, true, &err), &err, ENOENT, "cgroup.freeze");
}

/* cgroup.events unreadable after cgroup.freeze was written: an error whose
 * code is the return value (the error contract), naming the file. */
static void test_v2_freeze_events_unreadable(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    char p[PATH_MAX];
    drop(f, "c/cgroup.events");
    snprintf(p, sizeof(p), "%s/c/cgroup.events", f->base);
    assert_int_equal(mkdir(p, 0755), 0); /* read() fails with EISDIR */
    expect_err(cgroup_freeze(f->cg, true, &err), &err, EISDIR, "cgroup.events");
}

static void test_v2_kill(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    put(f, "c/cgroup.kill", "");
    wl_reset();
    assert_int_equal(cgroup_kill_all(f->cg, SIGKILL, &err), 0);
    assert_null(err);
    expect_log("c/cgroup.kill=1\n");
}

static void test_v2_stats(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    put(f, "c/memory.current", "1234\n");
    put(f, "c/memory.max", "max\n");
    put(f, "c/pids.current", "3\n");
    put(f, "c/pids.max", "20\n");
    put(f, "c/cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 7\n"
                         "nr_throttled 2\nthrottled_usec 11\n");
    json_t *j = NULL;
    assert_int_equal(cgroup_stats(f->cg, &j, &err), 0);
    assert_non_null(j);
    json_t *v;
    v = json_object_get(json_object_get(json_object_get(j, "memory"), "usage"), "usage");
    assert_int_equal(json_integer_value(v), 1234);
    v = json_object_get(json_object_get(json_object_get(j, "memory"), "usage"), "limit");
    assert_int_equal(json_integer_value(v), 0); /* max */
    v = json_object_get(json_object_get(json_object_get(j, "cpu"), "usage"), "total");
    assert_int_equal(json_integer_value(v), 5000);
    v = json_object_get(json_object_get(json_object_get(j, "cpu"), "throttling"),
                        "throttledPeriods");
    assert_int_equal(json_integer_value(v), 2);
    v = json_object_get(json_object_get(json_object_get(j, "cpu"), "throttling"),
                        "throttledTime");
    assert_int_equal(json_integer_value(v), 11000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "pids"), "current")),
                     3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "pids"), "limit")),
                     20);
    json_decref(j);
}

/* ---- the v1 writer ------------------------------------------------------ */

static void test_v1_memory(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"memory\": {\"limit\": 33554432, \"reservation\": 16777216, "
                "\"swap\": 67108864, \"swappiness\": 10, \"disableOOMKiller\": true}}");
    expect_file(f, "memory/c/memory.limit_in_bytes", "33554432");
    expect_file(f, "memory/c/memory.soft_limit_in_bytes", "16777216");
    /* v1's swap is memory+swap, as the spec's. */
    expect_file(f, "memory/c/memory.memsw.limit_in_bytes", "67108864");
    expect_file(f, "memory/c/memory.swappiness", "10");
    expect_file(f, "memory/c/memory.oom_control", "1");
}

/* Raising the limit above the current memsw: the kernel refuses the limit
 * until memsw is raised first. */
static void test_v1_memory_raise(void **state)
{
    struct fixture *f = *state;
    struct cgroup_resources *r =
        parse_ok("{\"memory\": {\"limit\": 134217728, \"swap\": 268435456}}");
    wl_reset();
    snprintf(wl_fail_file, sizeof(wl_fail_file), "memory/c/memory.limit_in_bytes");
    wl_fail_errno = EINVAL;
    struct error *err = NULL;
    assert_int_equal(cgroup_apply(f->cg, r, &err), 0);
    assert_null(err);
    cgroup_resources_free(r);
    expect_log("memory/c/memory.limit_in_bytes!134217728\n"
               "memory/c/memory.memsw.limit_in_bytes=268435456\n"
               "memory/c/memory.limit_in_bytes=134217728\n");
    /* Lowering: limit first, then memsw. */
    apply_ok(f, "{\"memory\": {\"limit\": 33554432, \"swap\": 33554432}}");
    expect_log("memory/c/memory.limit_in_bytes=33554432\n"
               "memory/c/memory.memsw.limit_in_bytes=33554432\n");
}

static void test_v1_memory_no_swap_accounting(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    drop(f, "memory/c/memory.memsw.limit_in_bytes");
    expect_err(apply(f, "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864}}", &err), &err,
               ENOTSUP, "memory.swap");
    /* swap == limit (no swap) needs no memsw file. */
    apply_ok(f, "{\"memory\": {\"limit\": 33554432, \"swap\": 33554432}}");
    expect_log("memory/c/memory.limit_in_bytes=33554432\n");
}

/* "swap": 0 is "unset" for runc (it writes memsw only when swap != 0); the
 * kernel refuses a memsw limit below the memory limit. */
static void test_v1_memory_swap_zero(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"memory\": {\"limit\": 33554432, \"swap\": 0}}");
    expect_log("memory/c/memory.limit_in_bytes=33554432\n");
}

static void test_v1_cpu(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"cpu\": {\"shares\": 512, \"quota\": 20000, \"period\": 100000, "
                "\"realtimePeriod\": 1000000, \"realtimeRuntime\": 950000, \"cpus\": \"0\", "
                "\"mems\": \"0\"}}");
    expect_file(f, "cpu/c/cpu.shares", "512");
    expect_file(f, "cpu/c/cpu.cfs_quota_us", "20000");
    expect_file(f, "cpu/c/cpu.cfs_period_us", "100000");
    expect_file(f, "cpu/c/cpu.rt_period_us", "1000000");
    expect_file(f, "cpu/c/cpu.rt_runtime_us", "950000");
    expect_file(f, "cpuset/c/cpuset.cpus", "0");
    expect_file(f, "cpuset/c/cpuset.mems", "0");
    /* The period is written before the quota (the kernel checks quota
     * against it); the rt period before the rt runtime. */
    expect_log("cpu/c/cpu.shares=512\ncpu/c/cpu.cfs_period_us=100000\n"
               "cpu/c/cpu.cfs_quota_us=20000\ncpu/c/cpu.rt_period_us=1000000\n"
               "cpu/c/cpu.rt_runtime_us=950000\ncpuset/c/cpuset.cpus=0\n"
               "cpuset/c/cpuset.mems=0\n");
    apply_ok(f, "{\"cpu\": {\"quota\": -1}}");
    expect_log("cpu/c/cpu.cfs_quota_us=-1\n");
}

static void test_v1_pids(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"pids\": {\"limit\": 20}}");
    expect_log("pids/c/pids.max=20\n");
    apply_ok(f, "{\"pids\": {\"limit\": 0}}");
    expect_log("pids/c/pids.max=max\n");
    apply_ok(f, "{\"pids\": {\"limit\": -1}}");
    expect_log("pids/c/pids.max=max\n");
}

static void test_v1_devices(void **state)
{
    struct fixture *f = *state;
    apply_ok(f, "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 0, "
                "\"access\": \"rw\"},"
                " {\"allow\": false, \"type\": \"c\", \"major\": 10, \"access\": \"w\"}]}");
    expect_log("devices/c/devices.deny=a\n"
               "devices/c/devices.deny=a\n"
               "devices/c/devices.allow=b 7:0 rw\n"
               "devices/c/devices.deny=c 10:* w\n"
               "devices/c/devices.allow=c *:* m\n"
               "devices/c/devices.allow=b *:* m\n"
               "devices/c/devices.allow=c 1:3 rwm\n"
               "devices/c/devices.allow=c 1:5 rwm\n"
               "devices/c/devices.allow=c 1:7 rwm\n"
               "devices/c/devices.allow=c 1:8 rwm\n"
               "devices/c/devices.allow=c 1:9 rwm\n"
               "devices/c/devices.allow=c 5:0 rwm\n"
               "devices/c/devices.allow=c 5:1 rwm\n"
               "devices/c/devices.allow=c 5:2 rwm\n"
               "devices/c/devices.allow=c 136:* rwm\n"
               "devices/c/devices.allow=c 10:200 rwm\n");
}

static void test_v1_blkio(void **state)
{
    struct fixture *f = *state;
    /* No blkio.weight (CFQ is gone): blkio.bfq.weight, unconverted. */
    apply_ok(f, "{\"blockIO\": {\"weight\": 300, \"weightDevice\": [{\"major\": 8, "
                "\"minor\": 0, \"weight\": 200}],"
                " \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
                " \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}]}}");
    expect_file(f, "blkio/c/blkio.bfq.weight", "300");
    expect_file(f, "blkio/c/blkio.bfq.weight_device", "8:0 200");
    expect_file(f, "blkio/c/blkio.throttle.read_bps_device", "8:0 1048576");
    expect_file(f, "blkio/c/blkio.throttle.write_iops_device", "8:0 100");
    /* With CFQ's blkio.weight present, that one. */
    put(f, "blkio/c/blkio.weight", "");
    apply_ok(f, "{\"blockIO\": {\"weight\": 700}}");
    expect_log("blkio/c/blkio.weight=700\n");
    /* Neither: an error naming the field. */
    drop(f, "blkio/c/blkio.weight");
    drop(f, "blkio/c/blkio.bfq.weight");
    struct error *err = NULL;
    expect_err(apply(f, "{\"blockIO\": {\"weight\": 700}}", &err), &err, ENOTSUP,
               "blockIO.weight");
}

static void test_v1_missing_controllers(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    expect_err(apply(f, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 0}]}", &err),
               &err, ENOTSUP, "hugetlb");
    expect_err(apply(f, "{\"network\": {\"classID\": 1}}", &err), &err, ENOTSUP, "net_cls");
    expect_err(apply(f, "{\"network\": {\"priorities\": [{\"name\": \"lo\", \"priority\": 1}]}}",
                     &err),
               &err, ENOTSUP, "net_prio");
    expect_err(apply(f, "{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 1}}}", &err), &err, ENOTSUP,
               "rdma");
    /* unified keys need cgroup v2. */
    expect_err(apply(f, "{\"unified\": {\"memory.high\": \"1\"}}", &err), &err, ENOTSUP,
               "unified");
    /* Nothing was written for any of them. */
    expect_log("");
    /* An empty unified object is fine. */
    apply_ok(f, "{\"unified\": {}}");
}

static void test_v1_freeze(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    assert_false(cgroup_is_frozen(f->cg));
    assert_int_equal(cgroup_freeze(f->cg, true, &err), 0);
    assert_null(err);
    expect_file(f, "freezer/c/freezer.state", "FROZEN");
    assert_true(cgroup_is_frozen(f->cg));
    assert_int_equal(cgroup_freeze(f->cg, false, &err), 0);
    expect_file(f, "freezer/c/freezer.state", "THAWED");
    assert_false(cgroup_is_frozen(f->cg));
}

/* v1 has no cgroup.kill: freeze, signal every pid in cgroup.procs, thaw. */
static void test_v1_kill_all(void **state)
{
    struct fixture *f = *state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        for (;;)
            pause();
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%d\n", (int) child);
    put(f, "pids/c/cgroup.procs", buf);
    wl_reset();
    struct error *err = NULL;
    int r = cgroup_kill_all(f->cg, SIGTERM, &err);
    int st = 0;
    if (r < 0)
        kill(child, SIGKILL);
    assert_int_equal(waitpid(child, &st, 0), child);
    assert_int_equal(r, 0);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGTERM);
    expect_log("freezer/c/freezer.state=FROZEN\nfreezer/c/freezer.state=THAWED\n");
    expect_file(f, "freezer/c/freezer.state", "THAWED");
}

/* ---- create / destroy on a fake tree ------------------------------------ */

static bool is_dir(struct fixture *f, const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", f->base, rel);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_create_destroy(void **state)
{
    struct fixture *f = *state;
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V2;
    cg->ops = &cgroup_v2_ops;
    cg->path = strdup("/x/y/z");
    add_h(cg, f->base, "", true, "/x/y/z");
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/x", f->base);
    assert_int_equal(mkdir(p, 0755), 0);
    struct error *err = NULL;
    assert_int_equal(cgroup_create(cg, &err), 0);
    assert_null(err);
    assert_true(is_dir(f, "x/y/z"));
    assert_int_equal(cg->h[0].made, 2);
    /* made survives the state.json round trip. */
    json_t *j = cgroup_to_json(cg);
    cgroup_free(cg);
    cg = NULL;
    assert_int_equal(cgroup_from_json(j, &cg, &err), 0);
    json_decref(j);
    assert_int_equal(cg->h[0].made, 2);
    assert_int_equal(cgroup_destroy(cg, &err), 0);
    assert_null(err);
    assert_false(is_dir(f, "x/y/z"));
    /* A parent we made may stay (runc leaves it: it may be shared by now);
     * one we did not make always does. */
    assert_true(is_dir(f, "x"));
    /* Destroying again: nothing left, no error. */
    assert_int_equal(cgroup_destroy(cg, &err), 0);
    cgroup_free(cg);

    /* An existing cgroup is joined, and not removed. */
    cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V2;
    cg->ops = &cgroup_v2_ops;
    cg->path = strdup("/x");
    add_h(cg, f->base, "", true, "/x");
    assert_int_equal(cgroup_create(cg, &err), 0);
    assert_int_equal(cg->h[0].made, 0);
    assert_int_equal(cgroup_destroy(cg, &err), 0);
    assert_true(is_dir(f, "x"));
    cgroup_free(cg);
}

/* Two containers under one shared parent (the engine's /cabin): the one
 * that did not make it but leaves it empty removes it. */
static struct cgroup *shared_cg(struct fixture *f, const char *path)
{
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V2;
    cg->ops = &cgroup_v2_ops;
    cg->path = strdup(path);
    cg->parents_shared = true;
    add_h(cg, f->base, "", true, path);
    return cg;
}

static void test_shared_parent(void **state)
{
    struct fixture *f = *state;
    struct error *err = NULL;
    struct cgroup *a = shared_cg(f, "/s/a"), *b = shared_cg(f, "/s/b");
    assert_int_equal(cgroup_create(a, &err), 0);
    assert_int_equal(cgroup_create(b, &err), 0);
    assert_true(is_dir(f, "s/a") && is_dir(f, "s/b"));
    /* b found /s made by a, and still counts it as its own. */
    assert_int_equal(b->h[0].made, 2);
    assert_int_equal(cgroup_destroy(a, &err), 0);
    assert_null(err);
    assert_false(is_dir(f, "s/a"));
    assert_true(is_dir(f, "s"));
    assert_int_equal(cgroup_destroy(b, &err), 0);
    assert_null(err);
    assert_false(is_dir(f, "s"));
    cgroup_free(a);
    cgroup_free(b);
}

static void test_create_fails_cleanly(void **state)
{
    struct fixture *f = *state;
    /* Two hierarchies; the second cannot be made (its mount is a file). */
    put(f, "notadir", "");
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof(a), "%s/a", f->base);
    snprintf(b, sizeof(b), "%s/notadir", f->base);
    assert_int_equal(mkdir(a, 0755), 0);
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_V1;
    cg->ops = &cgroup_v1_ops;
    cg->path = strdup("/p/q");
    add_h(cg, a, "memory", false, "/p/q");
    add_h(cg, b, "pids", false, "/p/q");
    struct error *err = NULL;
    expect_err(cgroup_create(cg, &err), &err, ENOTDIR, "/p/q");
    /* What was made in the first hierarchy is gone again (its parent, made
     * too, may stay). */
    assert_false(is_dir(f, "a/p/q"));
    cgroup_free(cg);
}

/* ---- state.json --------------------------------------------------------- */

static void test_json_round_trip(void **state)
{
    struct cgroup *cg = calloc(1, sizeof(*cg));
    cg->layout = CGROUP_LAYOUT_HYBRID;
    cg->ops = &cgroup_hybrid_ops;
    cg->path = strdup("rel/path");
    add_h(cg, "/sys/fs/cgroup/memory", "memory", false, "/user.slice/rel/path");
    add_h(cg, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", false, "/rel/path");
    add_h(cg, "/sys/fs/cgroup/systemd", "name=systemd", false, "/rel/path");
    add_h(cg, "/sys/fs/cgroup/unified", "", true, "/rel/path");
    cg->h[0].made = 2;
    cg->h[3].made = 1;

    json_t *j = cgroup_to_json(cg);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "layout")), "hybrid");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "rel/path");
    assert_int_equal(json_array_size(json_object_get(j, "hierarchies")), 4);
    /* It survives serialisation (state.json is a file). */
    char *text = json_dumps(j, JSON_COMPACT);
    json_t *j2 = load(text);
    free(text);

    struct cgroup *back = NULL;
    struct error *err = NULL;
    assert_int_equal(cgroup_from_json(j2, &back, &err), 0);
    assert_null(err);
    assert_int_equal(back->layout, CGROUP_LAYOUT_HYBRID);
    assert_ptr_equal(back->ops, &cgroup_hybrid_ops);
    assert_string_equal(back->path, "rel/path");
    assert_int_equal(back->n_h, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(back->h[i].mountpoint, cg->h[i].mountpoint);
        assert_string_equal(back->h[i].controllers, cg->h[i].controllers);
        assert_string_equal(back->h[i].path, cg->h[i].path);
        assert_int_equal(back->h[i].v2, cg->h[i].v2);
        assert_int_equal(back->h[i].made, cg->h[i].made);
        assert_non_null(back->h[i].own);
    }
    /* And back again, identical. */
    json_t *j3 = cgroup_to_json(back);
    assert_true(json_equal(j, j3));
    /* The lookups work on the restored one. */
    assert_ptr_equal(cg_find(back, "cpuacct"), &back->h[1]);
    assert_ptr_equal(cg_find(back, "cpu"), &back->h[1]);
    assert_ptr_equal(cg_find(back, "systemd"), NULL);
    assert_ptr_equal(cg_find(back, "name=systemd"), &back->h[2]);
    assert_ptr_equal(cg_find(back, "pids"), NULL);
    assert_ptr_equal(cg_unified(back), &back->h[3]);
    json_decref(j);
    json_decref(j2);
    json_decref(j3);
    cgroup_free(back);
    cgroup_free(cg);

    /* v1 and v2 layouts keep their ops. */
    static const struct {
        const char *name;
        enum cgroup_layout l;
        const struct cgroup_ops *ops;
    } layouts[] = {{"v1", CGROUP_LAYOUT_V1, &cgroup_v1_ops},
                   {"v2", CGROUP_LAYOUT_V2, &cgroup_v2_ops}};
    for (size_t i = 0; i < 2; i++) {
        char doc[256];
        snprintf(doc, sizeof(doc),
                 "{\"layout\": \"%s\", \"path\": \"/p\", \"hierarchies\": [{\"mount\": "
                 "\"/sys/fs/cgroup\", \"controllers\": \"\", \"v2\": true, \"path\": \"/p\"}]}",
                 layouts[i].name);
        j = load(doc);
        assert_int_equal(cgroup_from_json(j, &back, &err), 0);
        assert_int_equal(back->layout, layouts[i].l);
        assert_ptr_equal(back->ops, layouts[i].ops);
        assert_int_equal(back->h[0].made, 0); /* absent: 0 */
        assert_string_equal(cgroup_layout_name(back->layout), layouts[i].name);
        cgroup_free(back);
        json_decref(j);
    }
}

static void test_json_errors(void **state)
{
    static const struct {
        const char *doc, *needle;
    } bad[] = {
        {"{\"path\": \"/p\", \"hierarchies\": []}", "layout"},
        {"{\"layout\": \"v2\", \"hierarchies\": []}", "path"},
        {"{\"layout\": \"v2\", \"path\": \"/p\"}", "hierarchies"},
        {"{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": {}}", "hierarchies"},
        {"{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": [{\"controllers\": \"\", "
         "\"v2\": true, \"path\": \"/p\"}]}",
         "mount"},
        {"{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": [{\"mount\": \"/m\", "
         "\"controllers\": \"\", \"v2\": true}]}",
         "path"},
        {"{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": [{\"mount\": \"/m\", "
         "\"controllers\": \"\", \"v2\": \"yes\", \"path\": \"/p\"}]}",
         "v2"},
        {"{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": [{\"mount\": \"/m\", "
         "\"controllers\": \"\", \"v2\": true, \"path\": \"/p\", \"made\": \"1\"}]}",
         "made"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = load(bad[i].doc);
        struct cgroup sentinel;
        struct cgroup *cg = &sentinel;
        struct error *err = NULL;
        int r = cgroup_from_json(j, &cg, &err);
        if (r >= 0)
            fail_msg("accepted: %s", bad[i].doc);
        expect_err(r, &err, EINVAL, bad[i].needle);
        assert_ptr_equal(cg, &sentinel);
        json_decref(j);
    }
}

/* The lifecycle commands read state.json's cgroup with err == NULL (they
 * only want to know whether it worked); a damaged one must not crash. */
static void test_json_errors_null_err(void **state)
{
    static const char *const bad[] = {
        "{\"path\": \"/p\", \"hierarchies\": []}",
        "{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": 3}",
        "{\"layout\": \"v2\", \"path\": \"/p\", \"hierarchies\": [{\"controllers\": \"\", "
        "\"v2\": true, \"path\": \"/p\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = load(bad[i]);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            /* cmocka's handlers would carry on with the next test here. */
            signal(SIGSEGV, SIG_DFL);
            signal(SIGBUS, SIG_DFL);
            signal(SIGABRT, SIG_DFL);
            struct cgroup *cg = NULL;
            _exit(cgroup_from_json(j, &cg, NULL) < 0 && cg == NULL ? 0 : 1);
        }
        int st = 0;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            print_error("cgroup_from_json(`%s`, NULL err): %s %d\n", bad[i],
                        WIFSIGNALED(st) ? "killed by signal" : "exit",
                        WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        json_decref(j);
    }
}

/* ---- cgroup_new on this host -------------------------------------------- */

static void test_new_paths(void **state)
{
    struct cgroup *cg = NULL;
    struct error *err = NULL;
    if (cgroup_new("/abs/x", "id", &cg, &err) < 0) {
        error_free(err);
        skip(); /* no cgroup file system here */
    }
    assert_true(cg->n_h > 0);
    assert_string_equal(cg->path, "/abs/x");
    for (size_t i = 0; i < cg->n_h; i++) {
        assert_string_equal(cg->h[i].path, "/abs/x");
        assert_int_equal(cg->h[i].made, 0);
        assert_non_null(cg->h[i].own);
    }
    cgroup_free(cg);

    assert_int_equal(cgroup_new(NULL, "myid", &cg, &err), 0);
    assert_string_equal(cg->path, "/cabin-runtime/myid");
    for (size_t i = 0; i < cg->n_h; i++)
        assert_string_equal(cg->h[i].path, "/cabin-runtime/myid");
    cgroup_free(cg);
    assert_int_equal(cgroup_new("", "myid", &cg, &err), 0);
    assert_string_equal(cg->path, "/cabin-runtime/myid");
    cgroup_free(cg);

    /* Relative: below the runtime's own cgroup in each hierarchy. */
    assert_int_equal(cgroup_new("rel/./x//y", "id", &cg, &err), 0);
    for (size_t i = 0; i < cg->n_h; i++) {
        char want[PATH_MAX];
        const char *own = cg->h[i].own;
        snprintf(want, sizeof(want), "%s/rel/x/y", strcmp(own, "/") == 0 ? "" : own);
        assert_string_equal(cg->h[i].path, want);
    }
    cgroup_free(cg);

    cg = NULL;
    expect_err(cgroup_new("/a/../../etc", "id", &cg, &err), &err, EINVAL, "/a/../../etc");
    assert_null(cg);
    expect_err(cgroup_new("system.slice:cabin:id", "id", &cg, &err), &err, EINVAL,
               "system.slice:cabin:id");
    assert_null(cg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shares_to_weight),
        cmocka_unit_test(test_blkio_to_io_weight),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_parse_memory),
        cmocka_unit_test(test_parse_cpu),
        cmocka_unit_test(test_parse_pids),
        cmocka_unit_test(test_parse_zero_is_unset),
        cmocka_unit_test(test_parse_blkio),
        cmocka_unit_test(test_parse_devices),
        cmocka_unit_test(test_parse_hugepages),
        cmocka_unit_test(test_parse_network),
        cmocka_unit_test(test_parse_unified_rdma),
        cmocka_unit_test(test_parse_error_contract),
        cmocka_unit_test_setup_teardown(test_v2_memory, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_memory_max, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_memory_errors, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_cpu, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_cpu_max, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_pids, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_io, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_io_bfq, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_hugetlb_unified, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_missing_file, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_freeze, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_freeze_events_unreadable, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_kill, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v2_stats, setup_v2, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_memory, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_memory_raise, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_memory_no_swap_accounting, setup_v1,
                                        teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_memory_swap_zero, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_cpu, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_pids, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_devices, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_blkio, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_missing_controllers, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_freeze, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_v1_kill_all, setup_v1, teardown_fx),
        cmocka_unit_test_setup_teardown(test_create_destroy, setup_base, teardown_fx),
        cmocka_unit_test_setup_teardown(test_shared_parent, setup_base, teardown_fx),
        cmocka_unit_test_setup_teardown(test_create_fails_cleanly, setup_base, teardown_fx),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_errors_null_err),
        cmocka_unit_test(test_new_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
