/* SPDX-License-Identifier: Apache-2.0 */
#include "image/digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/libcrypto.h"
#include "util/sha256.h"

/* Buffers up to this size are hashed by util/sha256.c: no library to load
 * for the few KiB of a config or a manifest (`cabin run` hashes only that);
 * larger ones by libcrypto, five times faster, when it can be loaded. */
#define SMALL_BUFFER (256u << 10)

struct digester {
    EVP_MD_CTX *ctx;
    uint64_t bytes;
};

int digester_new(struct digester **ret, struct error **err)
{
    int r = libcrypto_load(err);
    if (r < 0)
        return r;
    struct digester *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return error_new(err, ENOMEM, "out of memory");
    d->ctx = EVP_MD_CTX_new();
    if (d->ctx == NULL || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
        digester_free(d);
        return error_new(err, ENOMEM, "initialising SHA-256 (OpenSSL)");
    }
    *ret = d;
    return 0;
}

void digester_free(struct digester *d)
{
    if (d == NULL)
        return;
    EVP_MD_CTX_free(d->ctx);
    free(d);
}

void digester_update(struct digester *d, const void *data, size_t len)
{
    if (len == 0)
        return;
    EVP_DigestUpdate(d->ctx, data, len);
    d->bytes += len;
}

uint64_t digester_bytes(const struct digester *d)
{
    return d->bytes;
}

static void to_hex(const unsigned char *md, char out[DIGEST_BUF])
{
    static const char hex[] = "0123456789abcdef";
    memcpy(out, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1);
    char *p = out + sizeof(DIGEST_PREFIX) - 1;
    for (int i = 0; i < 32; i++) {
        *p++ = hex[md[i] >> 4];
        *p++ = hex[md[i] & 15];
    }
    *p = '\0';
}

void digester_final(struct digester *d, char out[DIGEST_BUF])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(d->ctx, md, &n);
    to_hex(md, out);
}

void digest_buffer(const void *data, size_t len, char out[DIGEST_BUF])
{
    cleanup_error struct error *err = NULL;
    struct digester *d = NULL;
    if (len > SMALL_BUFFER && digester_new(&d, &err) == 0) {
        digester_update(d, data, len);
        digester_final(d, out);
        digester_free(d);
        return;
    }
    struct sha256 s;
    unsigned char md[32];
    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final(&s, md);
    to_hex(md, out);
}

static bool hex64(const char *h)
{
    for (int i = 0; i < DIGEST_HEX_LEN; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return h[DIGEST_HEX_LEN] == '\0';
}

bool digest_valid(const char *s)
{
    return s && strncmp(s, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) == 0 &&
           strlen(s) == DIGEST_BUF - 1 && hex64(digest_hex(s));
}

int digest_check(const char *s, const char *what, const char **ret_hex, struct error **err)
{
    if (s == NULL)
        return error_new(err, EINVAL, "%s: missing digest", what);
    if (!digest_valid(s)) {
        const char *colon = strchr(s, ':');
        if (colon && strncmp(s, DIGEST_PREFIX, sizeof(DIGEST_PREFIX) - 1) != 0)
            return error_new(err, ENOTSUP, "%s: `%.*s` digests are not supported (only sha256)",
                             what, (int) (colon - s) > 32 ? 32 : (int) (colon - s), s);
        return error_new(err, EINVAL, "%s: `%.100s` is not a sha256 digest (sha256:<64 hex>)", what,
                         s);
    }
    if (ret_hex)
        *ret_hex = digest_hex(s);
    return 0;
}

int digest_normalize(const char *s, const char *what, char out[DIGEST_BUF], struct error **err)
{
    if (s && strlen(s) == DIGEST_HEX_LEN && hex64(s)) {
        snprintf(out, DIGEST_BUF, "%s%s", DIGEST_PREFIX, s);
        return 0;
    }
    int r = digest_check(s, what, NULL, err);
    if (r < 0)
        return r;
    memcpy(out, s, DIGEST_BUF);
    return 0;
}
