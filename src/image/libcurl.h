/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl, loaded on first use.
 *
 * cabin is not linked with libcurl (it and its dependencies would cost
 * every cabin command some 10 ms of dynamic linking: util/dl.h): this
 * module defines the libcurl functions the registry client calls, with
 * libcurl's own prototypes, and each calls the real one from
 * dlopen("libcurl.so.4").  Include this header instead of <curl/curl.h>;
 * everything else about libcurl (types, constants, the typecheck macros
 * of curl_easy_setopt) is the same.
 *
 * libcurl_load() loads it and reports why it cannot be (the library is
 * missing, lacks a function, or is older than 7.84); the registry client
 * calls it when it opens a connection (registry_open).  A function called
 * while the library cannot be loaded fails the way libcurl reports
 * failure (CURLE_FAILED_INIT, NULL, CURLM_INTERNAL_ERROR ...).
 */
#ifndef CABIN_IMAGE_LIBCURL_H
#define CABIN_IMAGE_LIBCURL_H

#include <curl/curl.h>

#include "util/error.h"

#define LIBCURL_SONAME "libcurl.so.4"

/* Load libcurl (once) and check its version.  Returns 0 or fails with a
 * message that names the library. */
int libcurl_load(struct error **err);

/* Load another soname instead (tests); -EBUSY once libcurl is loaded. */
int libcurl_set_soname(const char *soname);

#endif
