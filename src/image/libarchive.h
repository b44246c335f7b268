/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libarchive, loaded on first use.
 *
 * cabin is not linked with libarchive: it and what it brings (libxml2,
 * ICU, libstdc++, nettle, acl, four compressors) would cost every cabin
 * command some 5 ms of dynamic linking (util/dl.h), for the few that read
 * or write tar streams (pull, load, import, save, cp).  Linking Debian's
 * libarchive.a instead does not help: its pax writer pulls in the table of
 * every writer, xar's among them, and so libxml2 and ICU again.  So this
 * module defines the libarchive functions cabin calls, with libarchive's
 * own prototypes, each calling the real one from
 * dlopen("libarchive.so.13").  Include this header instead of <archive.h>
 * and <archive_entry.h>.
 *
 * libarchive_load() loads it and says why it cannot be (missing, or
 * without a function cabin uses); the entry points that make archives
 * (layer_ingest, layer_tar_open, image loads and saves, cp) call it first,
 * so that the error is that and not "out of memory".  A constructor
 * called while the library cannot be loaded returns NULL; the other
 * functions fail the way libarchive does (ARCHIVE_FATAL, NULL, 0).
 */
#ifndef CABIN_IMAGE_LIBARCHIVE_H
#define CABIN_IMAGE_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "util/error.h"

#define LIBARCHIVE_SONAME "libarchive.so.13"

/* Load libarchive (once).  Returns 0 or fails with a message that names
 * the library. */
int libarchive_load(struct error **err);

/* Load another soname instead (tests); -EBUSY once libarchive is loaded. */
int libarchive_set_soname(const char *soname);

#endif
