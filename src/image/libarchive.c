/* SPDX-License-Identifier: Apache-2.0 */
#include "image/libarchive.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/dl.h"

#define FUNCTIONS(X)                                                                               \
    X(archive_entry_atime)                                                                         \
    X(archive_entry_atime_is_set)                                                                  \
    X(archive_entry_atime_nsec)                                                                    \
    X(archive_entry_copy_stat)                                                                     \
    X(archive_entry_filetype)                                                                      \
    X(archive_entry_free)                                                                          \
    X(archive_entry_gid)                                                                           \
    X(archive_entry_hardlink)                                                                      \
    X(archive_entry_mtime)                                                                         \
    X(archive_entry_mtime_nsec)                                                                    \
    X(archive_entry_new)                                                                           \
    X(archive_entry_pathname)                                                                      \
    X(archive_entry_perm)                                                                          \
    X(archive_entry_rdevmajor)                                                                     \
    X(archive_entry_rdevminor)                                                                     \
    X(archive_entry_set_filetype)                                                                  \
    X(archive_entry_set_mtime)                                                                     \
    X(archive_entry_set_pathname)                                                                  \
    X(archive_entry_set_perm)                                                                      \
    X(archive_entry_set_size)                                                                      \
    X(archive_entry_set_symlink)                                                                   \
    X(archive_entry_size)                                                                          \
    X(archive_entry_stat)                                                                          \
    X(archive_entry_symlink)                                                                       \
    X(archive_entry_uid)                                                                           \
    X(archive_entry_xattr_next)                                                                    \
    X(archive_entry_xattr_reset)                                                                   \
    X(archive_error_string)                                                                        \
    X(archive_filter_code)                                                                         \
    X(archive_read_data)                                                                           \
    X(archive_read_data_block)                                                                     \
    X(archive_read_free)                                                                           \
    X(archive_read_new)                                                                            \
    X(archive_read_next_header)                                                                    \
    X(archive_read_open)                                                                           \
    X(archive_read_open_fd)                                                                        \
    X(archive_read_support_filter_all)                                                             \
    X(archive_read_support_filter_bzip2)                                                           \
    X(archive_read_support_filter_gzip)                                                            \
    X(archive_read_support_filter_xz)                                                              \
    X(archive_read_support_filter_zstd)                                                            \
    X(archive_read_support_format_raw)                                                             \
    X(archive_read_support_format_tar)                                                             \
    X(archive_set_error)                                                                           \
    X(archive_write_close)                                                                         \
    X(archive_write_data)                                                                          \
    X(archive_write_free)                                                                          \
    X(archive_write_header)                                                                        \
    X(archive_write_new)                                                                           \
    X(archive_write_open_fd)                                                                       \
    X(archive_write_set_bytes_in_last_block)                                                       \
    X(archive_write_set_format_pax_restricted)

DL_LIB_DEFINE(lib, FUNCTIONS, LIBARCHIVE_SONAME, "to read and write tar archives");

int libarchive_load(struct error **err)
{
    return dl_lib_load(&lib, err);
}

int libarchive_set_soname(const char *soname)
{
    return dl_lib_set_soname(&lib, soname);
}

/* Only an archive or an entry that libarchive made can be passed to the
 * functions that take one, so most of these fail only in theory; the
 * constructors (archive_read_new, archive_write_new, archive_entry_new)
 * are the ones that return NULL when the library cannot be loaded. */
static const char not_loaded[] = "libarchive could not be loaded";

DL_STUB(lib, time_t, 0, archive_entry_atime, (struct archive_entry * e), (e))
DL_STUB(lib, int, 0, archive_entry_atime_is_set, (struct archive_entry * e), (e))
DL_STUB(lib, long, 0, archive_entry_atime_nsec, (struct archive_entry * e), (e))
DL_STUB_VOID(lib, archive_entry_copy_stat, (struct archive_entry * e, const struct stat *x1),
             (e, x1))
DL_STUB(lib, __LA_MODE_T, 0, archive_entry_filetype, (struct archive_entry * e), (e))
DL_STUB_VOID(lib, archive_entry_free, (struct archive_entry * e), (e))
DL_STUB(lib, la_int64_t, 0, archive_entry_gid, (struct archive_entry * e), (e))
DL_STUB(lib, const char *, NULL, archive_entry_hardlink, (struct archive_entry * e), (e))
DL_STUB(lib, time_t, 0, archive_entry_mtime, (struct archive_entry * e), (e))
DL_STUB(lib, long, 0, archive_entry_mtime_nsec, (struct archive_entry * e), (e))
DL_STUB(lib, struct archive_entry *, NULL, archive_entry_new, (void), ())
DL_STUB(lib, const char *, NULL, archive_entry_pathname, (struct archive_entry * e), (e))
DL_STUB(lib, __LA_MODE_T, 0, archive_entry_perm, (struct archive_entry * e), (e))
DL_STUB(lib, dev_t, 0, archive_entry_rdevmajor, (struct archive_entry * e), (e))
DL_STUB(lib, dev_t, 0, archive_entry_rdevminor, (struct archive_entry * e), (e))
DL_STUB_VOID(lib, archive_entry_set_filetype, (struct archive_entry * e, unsigned int x1), (e, x1))
DL_STUB_VOID(lib, archive_entry_set_mtime, (struct archive_entry * e, time_t x1, long x2),
             (e, x1, x2))
DL_STUB_VOID(lib, archive_entry_set_pathname, (struct archive_entry * e, const char *x1), (e, x1))
DL_STUB_VOID(lib, archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T x1), (e, x1))
DL_STUB_VOID(lib, archive_entry_set_size, (struct archive_entry * e, la_int64_t x1), (e, x1))
DL_STUB_VOID(lib, archive_entry_set_symlink, (struct archive_entry * e, const char *x1), (e, x1))
DL_STUB(lib, la_int64_t, 0, archive_entry_size, (struct archive_entry * e), (e))
DL_STUB(lib, const struct stat *, NULL, archive_entry_stat, (struct archive_entry * e), (e))
DL_STUB(lib, const char *, NULL, archive_entry_symlink, (struct archive_entry * e), (e))
DL_STUB(lib, la_int64_t, 0, archive_entry_uid, (struct archive_entry * e), (e))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_entry_xattr_next,
        (struct archive_entry * e, const char **x1, const void **x2, size_t *x3), (e, x1, x2, x3))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_entry_xattr_reset, (struct archive_entry * e), (e))
DL_STUB(lib, const char *, not_loaded, archive_error_string, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_filter_code, (struct archive * a, int x1), (a, x1))
DL_STUB(lib, la_ssize_t, ARCHIVE_FATAL, archive_read_data,
        (struct archive * a, void *x1, size_t x2), (a, x1, x2))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_data_block,
        (struct archive * a, const void **x1, size_t *x2, la_int64_t *x3), (a, x1, x2, x3))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_free, (struct archive * a), (a))
DL_STUB(lib, struct archive *, NULL, archive_read_new, (void), ())
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_next_header,
        (struct archive * a, struct archive_entry **x1), (a, x1))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_open,
        (struct archive * a, void *x1, archive_open_callback *x2, archive_read_callback *x3,
         archive_close_callback *x4),
        (a, x1, x2, x3, x4))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_open_fd, (struct archive * a, int x1, size_t x2),
        (a, x1, x2))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_filter_all, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_filter_bzip2, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_filter_gzip, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_filter_xz, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_filter_zstd, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_format_raw, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_read_support_format_tar, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_close, (struct archive * a), (a))
DL_STUB(lib, la_ssize_t, ARCHIVE_FATAL, archive_write_data,
        (struct archive * a, const void *x1, size_t x2), (a, x1, x2))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_free, (struct archive * a), (a))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_header,
        (struct archive * a, struct archive_entry *e), (a, e))
DL_STUB(lib, struct archive *, NULL, archive_write_new, (void), ())
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_open_fd, (struct archive * a, int x1), (a, x1))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_set_bytes_in_last_block,
        (struct archive * a, int x1), (a, x1))
DL_STUB(lib, int, ARCHIVE_FATAL, archive_write_set_format_pax_restricted, (struct archive * a), (a))

/* The message is formatted here and passed on whole. */
void archive_set_error(struct archive *a, int code, const char *fmt, ...)
{
    if (!dl_lib_ready(&lib))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    DL_FN(lib, archive_set_error)(a, code, "%s", msg);
}
