/* SPDX-License-Identifier: Apache-2.0 */
#include "image/gunzip.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>

struct gunzip {
    struct inflate_state st;
    bool between; /* a member ended: another one, or the end */
    bool ended;
};

/* igzip's AVX-512 code returns with the vector registers' upper halves
 * dirty; the SSE code that runs next (OpenSSL's SHA-256 over the same
 * bytes) then pays for every instruction: a third more time in it,
 * measured.  vzeroupper clears them (only where the CPU has AVX: it is an
 * AVX instruction). */
static void clear_upper_state(void)
{
#if defined(__x86_64__)
    /* A test of a word libgcc filled in at start: no cost worth caching. */
    if (__builtin_cpu_supports("avx"))
        __asm__ volatile("vzeroupper" ::: "memory");
#endif
}

static void start_member(struct gunzip *g)
{
    isal_inflate_reset(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    g->between = false;
}

struct gunzip *gunzip_new(void)
{
    struct gunzip *g = malloc(sizeof(*g));
    if (g == NULL)
        return NULL;
    isal_inflate_init(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    g->between = false;
    g->ended = false;
    return g;
}

void gunzip_free(struct gunzip *g)
{
    free(g);
}

static const char *why(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "an invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "an invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "an invalid back reference";
    case ISAL_INVALID_WRAPPER: return "not a gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "a compression method other than deflate";
    case ISAL_INCORRECT_CHECKSUM: return "a CRC-32 or length that does not match the data";
    case ISAL_NEED_DICT: return "a preset dictionary";
    default: return "corrupt data";
    }
}

int gunzip_step(struct gunzip *g, const unsigned char **in, size_t *in_len, bool eof,
                unsigned char *out, size_t cap, size_t *ret_out, struct error **err)
{
    *ret_out = 0;
    if (g->ended)
        return 1;
    if (g->between) {
        if (*in_len < 2 && !eof)
            return 0;
        if (*in_len < 2 || (*in)[0] != 0x1f || (*in)[1] != 0x8b) {
            g->ended = true;
            return 1;
        }
        start_member(g);
    }
    size_t chunk_in = *in_len > UINT32_MAX ? UINT32_MAX : *in_len;
    size_t chunk_out = cap > UINT32_MAX ? UINT32_MAX : cap;
    g->st.next_in = (uint8_t *) *in;
    g->st.avail_in = (uint32_t) chunk_in;
    g->st.next_out = out;
    g->st.avail_out = (uint32_t) chunk_out;
    int rc = isal_inflate(&g->st);
    clear_upper_state();
    size_t used = chunk_in - g->st.avail_in;
    *in += used;
    *in_len -= used;
    *ret_out = chunk_out - g->st.avail_out;
    if (rc < 0 || rc == ISAL_NEED_DICT)
        return error_new(err, EINVAL, "gzip: %s", why(rc));
    if (g->st.block_state == ISAL_BLOCK_FINISH) {
        g->between = true;
        return 0;
    }
    if (eof && *in_len == 0 && *ret_out == 0)
        return error_new(err, EINVAL, "gzip: the stream is truncated");
    return 0;
}
