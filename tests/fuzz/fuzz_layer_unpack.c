/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz harness: the layer unpacker (src/image/unpack.c), fed an in-memory
 * tar, or a gzip or zstd of one (layer_sniff() tells, as layer_ingest()
 * does), through libarchive's tar reader.  The harness writes each tar
 * header's checksum before that (fix_checksums()), so that what the
 * fuzzer changes in a header gets past libarchive to the unpacker.
 *
 * Each input gets a fresh directory holding `root/`, the empty directory
 * the layer is unpacked into, and `canary/file`, a sibling that a layer
 * must never reach.  Run as root, the harness has a mount namespace of its
 * own with a small tmpfs on /mnt, and that directory is always
 * /mnt/layer: a layer can then aim at the canary both relatively
 * ("../canary/file") and absolutely (a symlink to /mnt/layer/canary), so
 * a symlink followed or a `..` let through would write into it; the tmpfs
 * goes with the process, even when it crashes.  Otherwise the directory
 * is a new one under /dev/shm (or $TMPDIR, /tmp).  The limits are small
 * (entries, bytes, names, xattrs), so a run makes thousands of layers a
 * second.  Checked, beyond the error contract:
 *
 *   - the canary directory and its file are exactly as they were (same
 *     entries, contents, link count and ctime: no write, chmod, chown,
 *     xattr, hardlink or rename reached them), and the scratch directory
 *     holds only root/ and canary/ (nothing made beside the root);
 *   - nothing below root/ is on another file system, no file holds
 *     overlay metadata other than the opaque marker "y" (the stream's
 *     trusted.overlay.* xattrs are dropped), and the regular files add up
 *     to no more than the byte limit;
 *   - on success, the entries counted are the tar's entries (a second,
 *     independent pass counts them), within the entry limit;
 *   - whatever happened, the root can be removed (fs_remove_tree), as the
 *     store removes a failed layer's scratch directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/layer.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_TAR     (8u << 20) /* a decompressed input, at most */
#define PRIVATE_MNT "/mnt"
#define FIXED_BASE  PRIVATE_MNT "/layer"

/* Whether /mnt is our own tmpfs (LLVMFuzzerInitialize). */
static bool private_tmpfs;
#define CANARY_TEXT "canary\n"

static const struct unpack_limits limits = {
    .max_entries = 256,
    .max_bytes = 1u << 20,
    .max_path = 512,
    .max_xattrs = 8,
    .max_xattr_bytes = 4096,
};

/* A compressed input, decompressed (at most MAX_TAR bytes) the way
 * layer.c's first stage does it; NULL when it is not valid or too big. */
static unsigned char *decompress(const uint8_t *data, size_t size, size_t *ret_len)
{
    struct archive *a = archive_read_new();
    FUZZ_CHECK(a != NULL);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    unsigned char *out = NULL;
    size_t len = 0;
    if (archive_read_open_memory(a, data, size) == ARCHIVE_OK &&
        archive_read_next_header(a, &e) == ARCHIVE_OK) {
        out = malloc(MAX_TAR);
        FUZZ_CHECK(out != NULL);
        for (;;) {
            la_ssize_t n = archive_read_data(a, out + len, MAX_TAR - len);
            if (n == 0)
                break;
            if (n < 0 || (len += (size_t) n) == MAX_TAR) {
                free(out);
                out = NULL;
                break;
            }
        }
    }
    archive_read_free(a);
    *ret_len = len;
    return out;
}

/* The value of an octal field of a tar header, or -1. */
static int64_t octal(const unsigned char *f, size_t n)
{
    int64_t v = 0;
    size_t i = 0;
    while (i < n && f[i] == ' ')
        i++;
    size_t start = i;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v > (INT64_MAX >> 3))
            return -1;
        v = v * 8 + (f[i] - '0');
    }
    if (i == start || (i < n && f[i] != ' ' && f[i] != '\0'))
        return -1;
    return v;
}

/* A mutated tar header fails its checksum, and libarchive drops it before
 * the unpacker sees it: walk the headers as a tar reader does (sizes in
 * octal, data only after the types that have it) and write each header's
 * checksum, so the fuzzer's changes to names, types, modes and links
 * reach unpack.c.  The walk stops at a size it cannot read. */
static void fix_checksums(unsigned char *tar, size_t len)
{
    static const unsigned char zero[512];
    size_t off = 0;
    for (int n = 0; off + 512 <= len && n < 4096; n++) {
        unsigned char *h = tar + off;
        if (memcmp(h, zero, 512) == 0) {
            off += 512;
            continue;
        }
        int64_t size = octal(h + 124, 12);
        if (size < 0 || (uint64_t) size > len)
            return;
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
            sum += h[i];
        char field[8];
        snprintf(field, sizeof(field), "%06o", sum & 0777777);
        memcpy(h + 148, field, 7); /* six digits, a NUL, and the space */
        bool data = memchr("07xgLKS", h[156], 7) != NULL || h[156] == '\0';
        off += 512 + (data ? ((size_t) size + 511) / 512 * 512 : 0);
    }
}

static struct archive *tar_reader(const void *buf, size_t len)
{
    struct archive *a = archive_read_new();
    FUZZ_CHECK(a != NULL);
    archive_read_support_format_tar(a);
    if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* The tar's entries, counted by libarchive alone; -1 if it fails. */
static int64_t count_entries(const void *buf, size_t len)
{
    struct archive *a = tar_reader(buf, len);
    if (a == NULL)
        return -1;
    int64_t n = 0;
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
        n++;
    archive_read_free(a);
    return r == ARCHIVE_EOF ? n : -1;
}

struct canary {
    struct stat base, dir, file;
};

static void canary_make(int base, struct canary *c)
{
    FUZZ_CHECK(mkdirat(base, "canary", 0755) == 0 && mkdirat(base, "root", 0755) == 0);
    int fd = openat(base, "canary/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    FUZZ_CHECK(fd >= 0 && write(fd, CANARY_TEXT, strlen(CANARY_TEXT)) == (ssize_t) strlen(CANARY_TEXT));
    close(fd);
    FUZZ_CHECK(fstatat(base, "canary", &c->dir, AT_SYMLINK_NOFOLLOW) == 0);
    FUZZ_CHECK(fstatat(base, "canary/file", &c->file, AT_SYMLINK_NOFOLLOW) == 0);
    FUZZ_CHECK(fstat(base, &c->base) == 0);
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_mode == b->st_mode && a->st_nlink == b->st_nlink &&
           a->st_uid == b->st_uid && a->st_gid == b->st_gid && a->st_size == b->st_size &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The names in directory `fd` (read through a new fd), in readdir order,
 * into one string with a '/' after each name. */
static void list_dir(int fd, char *out, size_t len)
{
    int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(d >= 0);
    DIR *dir = fdopendir(d);
    FUZZ_CHECK(dir != NULL);
    size_t o = 0;
    out[0] = '\0';
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int n = snprintf(out + o, len - o, "%s/", de->d_name);
        FUZZ_CHECK(n > 0 && (size_t) n < len - o);
        o += (size_t) n;
    }
    closedir(dir);
}

/* `root_there`: before the harness removes the root, when the scratch
 * directory itself must be untouched too. */
static void canary_check(int base, const struct canary *c, bool root_there)
{
    char names[256];
    struct stat b;
    FUZZ_CHECK(fstat(base, &b) == 0 && (!root_there || same_stat(&b, &c->base)));
    list_dir(base, names, sizeof(names));
    if (root_there)
        FUZZ_CHECK(strcmp(names, "canary/root/") == 0 || strcmp(names, "root/canary/") == 0);
    else
        FUZZ_CHECK(strcmp(names, "canary/") == 0);
    struct stat d, f;
    FUZZ_CHECK(fstatat(base, "canary", &d, AT_SYMLINK_NOFOLLOW) == 0 && same_stat(&d, &c->dir));
    FUZZ_CHECK(fstatat(base, "canary/file", &f, AT_SYMLINK_NOFOLLOW) == 0 &&
               same_stat(&f, &c->file));
    int cfd = openat(base, "canary", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(cfd >= 0);
    list_dir(cfd, names, sizeof(names));
    close(cfd);
    FUZZ_CHECK(strcmp(names, "file/") == 0);
    char buf[64];
    int fd = openat(base, "canary/file", O_RDONLY | O_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    FUZZ_CHECK(n == (ssize_t) strlen(CANARY_TEXT) && memcmp(buf, CANARY_TEXT, (size_t) n) == 0);
}

/* No overlay metadata on `name` in `dirfd` (NULL: the directory itself)
 * but the opaque marker "y" on a directory, set by the unpacker. */
static void check_xattrs(int dirfd, const char *name, bool is_dir)
{
    char path[4096 + 64], names[4096];
    snprintf(path, sizeof(path), "/proc/self/fd/%d%s%s", dirfd, name ? "/" : "", name ? name : "");
    ssize_t n = llistxattr(path, names, sizeof(names));
    for (ssize_t i = 0; i < n; i += (ssize_t) strlen(names + i) + 1) {
        const char *key = names + i;
        if (strncmp(key, "trusted.overlay.", 16) != 0 && strncmp(key, "user.overlay.", 13) != 0)
            continue;
        FUZZ_CHECK(is_dir && strcmp(key, "trusted.overlay.opaque") == 0);
        char v[8];
        FUZZ_CHECK(lgetxattr(path, key, v, sizeof(v)) == 1 && v[0] == 'y');
    }
}

/* Walk the tree below `dirfd` (never following a symlink). */
static void walk(int dirfd, dev_t dev, int depth, uint64_t *bytes)
{
    int d = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(d >= 0);
    DIR *dir = fdopendir(d);
    FUZZ_CHECK(dir != NULL);
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        FUZZ_CHECK(fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);
        FUZZ_CHECK(st.st_dev == dev);
        check_xattrs(dirfd, de->d_name, S_ISDIR(st.st_mode));
        if (S_ISREG(st.st_mode))
            *bytes += (uint64_t) st.st_size / st.st_nlink; /* each inode once, in all */
        if (S_ISDIR(st.st_mode) && depth < 64) {
            int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            FUZZ_CHECK(sub >= 0);
            walk(sub, dev, depth + 1, bytes);
            close(sub);
        }
    }
    closedir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    struct stat st;
    private_tmpfs = geteuid() == 0 && stat(PRIVATE_MNT, &st) == 0 && S_ISDIR(st.st_mode) &&
                    unshare(CLONE_NEWNS) == 0 &&
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                    mount("cabin-fuzz", PRIVATE_MNT, "tmpfs", MS_NOSUID | MS_NODEV,
                          "size=64m,mode=0755") == 0;
    return 0;
}

static const char *tmp_base(void)
{
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
        return "/dev/shm";
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

static void unpack_one(const void *tar, size_t len)
{
    char base[4096];
    if (private_tmpfs) {
        snprintf(base, sizeof(base), "%s", FIXED_BASE);
        FUZZ_CHECK(mkdir(base, 0755) == 0);
    } else {
        snprintf(base, sizeof(base), "%s/cabin-fuzz-unpack.XXXXXX", tmp_base());
        FUZZ_CHECK(mkdtemp(base) != NULL);
    }
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(bfd >= 0);
    struct canary c;
    canary_make(bfd, &c);
    int root = openat(bfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(root >= 0);
    struct stat rst;
    FUZZ_CHECK(fstat(root, &rst) == 0);

    struct archive *a = tar_reader(tar, len);
    if (a != NULL) {
        cleanup_error struct error *err = NULL;
        struct unpack_stats stats = {0};
        int r = unpack_tar(a, root, &limits, "layer 1 (sha256:00)", &stats, &err);
        archive_read_free(a);
        if (r < 0) {
            fuzz_check_error(r, err);
        } else {
            FUZZ_CHECK(r == 0 && err == NULL);
            FUZZ_CHECK(stats.entries <= limits.max_entries);
            FUZZ_CHECK(stats.content_bytes <= limits.max_bytes);
            FUZZ_CHECK((int64_t) stats.entries == count_entries(tar, len));
        }
    }
    canary_check(bfd, &c, true);
    check_xattrs(root, NULL, true);
    uint64_t bytes = 0;
    walk(root, rst.st_dev, 0, &bytes);
    FUZZ_CHECK(bytes <= limits.max_bytes);
    close(root);

    cleanup_error struct error *rerr = NULL;
    FUZZ_CHECK(fs_remove_tree(bfd, "root", &rerr) == 0);
    canary_check(bfd, &c, false);
    FUZZ_CHECK(unlinkat(bfd, "canary/file", 0) == 0 && unlinkat(bfd, "canary", AT_REMOVEDIR) == 0);
    close(bfd);
    FUZZ_CHECK(rmdir(base) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum layer_compression c = layer_sniff(data, size);
    size_t len = size;
    cleanup_free unsigned char *tar = NULL;
    if (c == COMPRESSION_GZIP || c == COMPRESSION_ZSTD) {
        if ((tar = decompress(data, size, &len)) == NULL)
            return 0;
    } else {
        tar = malloc(size ? size : 1);
        FUZZ_CHECK(tar != NULL);
        if (size)
            memcpy(tar, data, size);
    }
    fix_checksums(tar, len);
    unpack_one(tar, len);
    return 0;
}
