/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe unpacking of one layer's tar stream into an empty directory.
 *
 * libarchive parses the stream (every tar dialect: ustar, pax, GNU); the
 * files are created here, one entry at a time, relative to directory fds:
 *
 *  - names are cleaned: a leading "/" or "./" is dropped (absolute names
 *    are confined to the layer), a `..` component is refused;
 *  - parents are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 *    | RESOLVE_NO_XDEV): a symlink made by an earlier entry is never
 *    followed, so "etc -> /etc" then "etc/passwd" is refused; missing
 *    parents are made as 0755 directories (overlay-style: a directory in
 *    an upper layer replaces a lower layer's symlink);
 *  - symlinks are created with their target as written and never
 *    followed; hardlinks may only point at a non-directory already
 *    unpacked in this layer;
 *  - regular files (sparse too), directories, symlinks, hardlinks, char
 *    and block devices and fifos keep their mode (setuid/setgid/sticky
 *    included), numeric owner, mtime/atime and xattrs (security.capability
 *    included; trusted.overlay.* from the stream is dropped, since only
 *    whiteouts may make overlay metadata);
 *  - whiteouts become overlayfs whiteouts: `.wh.NAME` a 0/0 character
 *    device NAME, `.wh..wh..opq` the xattr trusted.overlay.opaque=y on
 *    its directory; other `.wh..wh.*` (aufs metadata) are skipped;
 *  - limits on entries, total bytes, name and link lengths and xattrs.
 *
 * An error names the layer (`what`) and the entry.  What was written
 * before the error stays in the directory: the caller unpacks into a
 * scratch directory and removes it on failure (see layer.h).
 */
#ifndef CABIN_IMAGE_UNPACK_H
#define CABIN_IMAGE_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct archive;

struct unpack_limits {
    uint64_t max_entries;      /* entries in one layer */
    uint64_t max_bytes;        /* total size of the regular files */
    size_t max_path;           /* length of an entry's name or link target */
    size_t max_xattrs;         /* xattrs on one entry */
    size_t max_xattr_bytes;    /* their total size (names and values) */
};

#define UNPACK_DEFAULT_MAX_ENTRIES (1u << 22)        /* 4 Mi */
#define UNPACK_DEFAULT_MAX_BYTES   (256ull << 30)    /* 256 GiB */

void unpack_limits_default(struct unpack_limits *ret);

struct unpack_stats {
    uint64_t entries;
    uint64_t content_bytes; /* regular files' data, each inode once */
};

/* Unpack every entry of `tar` (a libarchive reader, open and positioned
 * before its first header) into the directory `dirfd`. */
int unpack_tar(struct archive *tar, int dirfd, const struct unpack_limits *lim, const char *what,
               struct unpack_stats *ret, struct error **err);

#endif
