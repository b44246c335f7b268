/* SPDX-License-Identifier: Apache-2.0 */
#include "image/libcrypto.h"

#include "util/dl.h"

#define FUNCTIONS(X)                                                                               \
    X(EVP_sha256)                                                                                  \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_DigestInit_ex)                                                                           \
    X(EVP_DigestUpdate)                                                                            \
    X(EVP_DigestFinal_ex)

DL_LIB_DEFINE(lib, FUNCTIONS, LIBCRYPTO_SONAME, "to hash layers and archives");

int libcrypto_load(struct error **err)
{
    return dl_lib_load(&lib, err);
}

int libcrypto_set_soname(const char *soname)
{
    return dl_lib_set_soname(&lib, soname);
}

DL_STUB(lib, const EVP_MD *, NULL, EVP_sha256, (void), ())
DL_STUB(lib, EVP_MD_CTX *, NULL, EVP_MD_CTX_new, (void), ())
DL_STUB_VOID(lib, EVP_MD_CTX_free, (EVP_MD_CTX * c), (c))
DL_STUB(lib, int, 0, EVP_DigestInit_ex, (EVP_MD_CTX * c, const EVP_MD *type, ENGINE *impl),
        (c, type, impl))
DL_STUB(lib, int, 0, EVP_DigestUpdate, (EVP_MD_CTX * c, const void *d, size_t n), (c, d, n))
DL_STUB(lib, int, 0, EVP_DigestFinal_ex, (EVP_MD_CTX * c, unsigned char *md, unsigned int *n),
        (c, md, n))
