/* SPDX-License-Identifier: Apache-2.0 */
#include "image/libcurl.h"

#include <errno.h>
#include <stdarg.h>

#include "util/dl.h"

/* The function-like macros of <curl/curl.h> (the typechecks) would
 * expand the definitions below. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#undef curl_multi_setopt

/* The oldest libcurl the registry client is written for (meson.build). */
#define MIN_VERSION 0x075400 /* 7.84.0 */

#define FUNCTIONS(X)                                                                               \
    X(curl_version_info)                                                                           \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_reset)                                                                             \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_pause)                                                                             \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_escape)                                                                            \
    X(curl_free)                                                                                   \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_share_init)                                                                             \
    X(curl_share_setopt)                                                                           \
    X(curl_share_cleanup)                                                                          \
    X(curl_multi_init)                                                                             \
    X(curl_multi_setopt)                                                                           \
    X(curl_multi_cleanup)                                                                          \
    X(curl_multi_add_handle)                                                                       \
    X(curl_multi_remove_handle)                                                                    \
    X(curl_multi_perform)                                                                          \
    X(curl_multi_poll)                                                                             \
    X(curl_multi_wakeup)                                                                           \
    X(curl_multi_info_read)                                                                        \
    X(curl_multi_strerror)                                                                         \
    X(curl_url)                                                                                    \
    X(curl_url_cleanup)                                                                            \
    X(curl_url_get)                                                                                \
    X(curl_url_set)                                                                                \
    X(curl_url_strerror)

DL_LIB_DEFINE(lib, FUNCTIONS, LIBCURL_SONAME, "to reach registries");

int libcurl_load(struct error **err)
{
    int r = dl_lib_load(&lib, err);
    if (r < 0)
        return r;
    const curl_version_info_data *v = DL_FN(lib, curl_version_info)(CURLVERSION_NOW);
    if (v == NULL || v->version_num < MIN_VERSION)
        return error_new(err, ENOSYS, "%s is libcurl %s: cabin needs 7.84.0 or later", lib.soname,
                         v && v->version ? v->version : "(unknown)");
    return 0;
}

int libcurl_set_soname(const char *soname)
{
    return dl_lib_set_soname(&lib, soname);
}

static const char not_loaded[] = "libcurl could not be loaded";

DL_STUB(lib, curl_version_info_data *, NULL, curl_version_info, (CURLversion v), (v))
DL_STUB(lib, CURLcode, CURLE_FAILED_INIT, curl_global_init, (long flags), (flags))
DL_STUB(lib, CURL *, NULL, curl_easy_init, (void), ())
DL_STUB_VOID(lib, curl_easy_cleanup, (CURL * h), (h))
DL_STUB_VOID(lib, curl_easy_reset, (CURL * h), (h))
DL_STUB(lib, CURLcode, CURLE_FAILED_INIT, curl_easy_perform, (CURL * h), (h))
DL_STUB(lib, CURLcode, CURLE_FAILED_INIT, curl_easy_pause, (CURL * h, int mask), (h, mask))
DL_STUB(lib, const char *, not_loaded, curl_easy_strerror, (CURLcode c), (c))
DL_STUB(lib, char *, NULL, curl_easy_escape, (CURL * h, const char *s, int len), (h, s, len))
DL_STUB_VOID(lib, curl_free, (void *p), (p))
DL_STUB(lib, struct curl_slist *, NULL, curl_slist_append, (struct curl_slist * l, const char *s),
        (l, s))
DL_STUB_VOID(lib, curl_slist_free_all, (struct curl_slist * l), (l))
DL_STUB(lib, CURLSH *, NULL, curl_share_init, (void), ())
DL_STUB(lib, CURLSHcode, CURLSHE_INVALID, curl_share_cleanup, (CURLSH * s), (s))
DL_STUB(lib, CURLM *, NULL, curl_multi_init, (void), ())
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_cleanup, (CURLM * m), (m))
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_add_handle, (CURLM * m, CURL *h), (m, h))
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_remove_handle, (CURLM * m, CURL *h),
        (m, h))
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_perform, (CURLM * m, int *running),
        (m, running))
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_poll,
        (CURLM * m, struct curl_waitfd fds[], unsigned int nfds, int timeout_ms, int *ret),
        (m, fds, nfds, timeout_ms, ret))
DL_STUB(lib, CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_wakeup, (CURLM * m), (m))
DL_STUB(lib, CURLMsg *, NULL, curl_multi_info_read, (CURLM * m, int *left), (m, left))
DL_STUB(lib, const char *, not_loaded, curl_multi_strerror, (CURLMcode c), (c))
DL_STUB(lib, CURLU *, NULL, curl_url, (void), ())
DL_STUB_VOID(lib, curl_url_cleanup, (CURLU * u), (u))
DL_STUB(lib, CURLUcode, CURLUE_BAD_HANDLE, curl_url_get,
        (CURLU * u, CURLUPart what, char **part, unsigned int flags), (u, what, part, flags))
DL_STUB(lib, CURLUcode, CURLUE_BAD_HANDLE, curl_url_set,
        (CURLU * u, CURLUPart what, const char *part, unsigned int flags), (u, what, part, flags))
DL_STUB(lib, const char *, not_loaded, curl_url_strerror, (CURLUcode c), (c))

/*
 * The variadic ones take one argument whose type the option's number
 * tells (its CURLOPTTYPE_ range, as libcurl reads it); it is read as that
 * type and passed on as that type.
 */
CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
    if (!dl_lib_ready(&lib))
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, o);
    CURLcode r;
    if (o < CURLOPTTYPE_OBJECTPOINT)
        r = DL_FN(lib, curl_easy_setopt)(h, o, va_arg(ap, long));
    else if (o < CURLOPTTYPE_FUNCTIONPOINT)
        r = DL_FN(lib, curl_easy_setopt)(h, o, va_arg(ap, void *));
    else if (o < CURLOPTTYPE_OFF_T)
        r = DL_FN(lib, curl_easy_setopt)(h, o, va_arg(ap, void (*)(void)));
    else if (o < CURLOPTTYPE_BLOB)
        r = DL_FN(lib, curl_easy_setopt)(h, o, va_arg(ap, curl_off_t));
    else
        r = DL_FN(lib, curl_easy_setopt)(h, o, va_arg(ap, void *));
    va_end(ap);
    return r;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
    if (!dl_lib_ready(&lib))
        return CURLM_INTERNAL_ERROR;
    va_list ap;
    va_start(ap, o);
    CURLMcode r;
    if (o < CURLOPTTYPE_OBJECTPOINT)
        r = DL_FN(lib, curl_multi_setopt)(m, o, va_arg(ap, long));
    else if (o < CURLOPTTYPE_FUNCTIONPOINT)
        r = DL_FN(lib, curl_multi_setopt)(m, o, va_arg(ap, void *));
    else if (o < CURLOPTTYPE_OFF_T)
        r = DL_FN(lib, curl_multi_setopt)(m, o, va_arg(ap, void (*)(void)));
    else
        r = DL_FN(lib, curl_multi_setopt)(m, o, va_arg(ap, curl_off_t));
    va_end(ap);
    return r;
}

/* Every CURLINFO_ is a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    if (!dl_lib_ready(&lib))
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    CURLcode r = DL_FN(lib, curl_easy_getinfo)(h, info, va_arg(ap, void *));
    va_end(ap);
    return r;
}

/* SHARE and UNSHARE take an int (a curl_lock_data), the lock functions a
 * function pointer, USERDATA a pointer. */
CURLSHcode curl_share_setopt(CURLSH *s, CURLSHoption o, ...)
{
    if (!dl_lib_ready(&lib))
        return CURLSHE_INVALID;
    va_list ap;
    va_start(ap, o);
    CURLSHcode r;
    switch (o) {
    case CURLSHOPT_SHARE:
    case CURLSHOPT_UNSHARE:
        r = DL_FN(lib, curl_share_setopt)(s, o, va_arg(ap, int));
        break;
    case CURLSHOPT_LOCKFUNC:
    case CURLSHOPT_UNLOCKFUNC:
        r = DL_FN(lib, curl_share_setopt)(s, o, va_arg(ap, void (*)(void)));
        break;
    default:
        r = DL_FN(lib, curl_share_setopt)(s, o, va_arg(ap, void *));
        break;
    }
    va_end(ap);
    return r;
}
