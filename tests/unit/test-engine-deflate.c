/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit test of the accel-wd deflate engine against host zlib:
 * single-shot output byte-identical to deflate() for raw/zlib/gzip at
 * levels 1-9, host inflate of the engine's output, engine inflate of host
 * output, streams across many operations and scatter lists, and errors
 * (corrupt, truncated, destination too small, forged contexts).
 */
#include "qemu/osdep.h"
#include <zlib.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include "accel_wd_hw.h"
#include "engine.h"
#include "lazy-sgl.h"

#include "check.h"

static const int wbits_of[] = { -15, 15, 31 };

/* Compressible test data: words, numbers and some noise */
static uint8_t *make_data(size_t len, unsigned seed)
{
    static const char *const words[] = {
        "accelerator ", "queue ", "page ", "request ", "deflate ", "zlib ",
        "the ", "of ", "and ", "virtual ", "address ", "0x1234 ", "\n",
    };
    uint8_t *p = malloc(len);
    size_t i = 0;

    srand(seed);
    while (i < len) {
        if (rand() % 8 == 0) {
            p[i++] = rand();
            continue;
        }
        const char *w = words[rand() % 13];
        for (size_t k = 0; w[k] && i < len; k++) {
            p[i++] = w[k];
        }
    }
    return p;
}

/* Split a buffer into segments of irregular sizes */
static AwdSgl *make_sgl(uint8_t *buf, size_t len, size_t seg)
{
    AwdSgl *s = calloc(1, sizeof(*s));
    size_t n = len / (seg ? seg : 1) + 2, off = 0;

    s->seg = calloc(n + 1, sizeof(AwdSeg));
    while (off < len) {
        size_t k = seg ? MIN(seg + (s->nseg % 3), len - off) : len - off;

        s->seg[s->nseg].base = buf + off;
        s->seg[s->nseg].len = k;
        s->nseg++;
        off += k;
        if (s->nseg == n) {
            s->seg = realloc(s->seg, (n *= 2) * sizeof(AwdSeg));
        }
    }
    s->total = len;
    return s;
}

static void free_sgl(AwdSgl *s)
{
    free(s->seg);
    free(s);
}

static size_t host_deflate(unsigned fmt, int level, const uint8_t *in,
                           size_t len, uint8_t *out, size_t cap)
{
    z_stream zs = { 0 };
    size_t n;

    CHECK(deflateInit2(&zs, level, Z_DEFLATED, wbits_of[fmt], 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
    zs.next_in = (uint8_t *)in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

static long host_inflate(unsigned fmt, const uint8_t *in, size_t len,
                         uint8_t *out, size_t cap)
{
    z_stream zs = { 0 };
    long n;
    int ret;

    CHECK(inflateInit2(&zs, wbits_of[fmt]) == Z_OK);
    zs.next_in = (uint8_t *)in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    ret = inflate(&zs, Z_FINISH);
    n = ret == Z_STREAM_END ? (long)zs.total_out : -1;
    inflateEnd(&zs);
    return n;
}

static AwdEngineResult run(AwdDeflateEngine *e, bool compress, unsigned fmt,
                           unsigned level, uint8_t *src, size_t src_len,
                           size_t src_seg, uint8_t *dst, size_t dst_len,
                           size_t dst_seg)
{
    AwdSgl *s = make_sgl(src, src_len, src_seg);
    AwdSgl *d = make_sgl(dst, dst_len, dst_seg);
    AwdDeflateOp op = {
        .compress = compress, .fmt = fmt, .level = level,
        .src = s, .dst = d,
    };
    AwdEngineResult r;

    CHECK(awd_deflate_run(e, &op, &r));
    free_sgl(s);
    free_sgl(d);
    return r;
}

static void test_single_shot(AwdDeflateEngine *e)
{
    static const size_t sizes[] = { 1, 100, 4096, 65536 + 17, 1 << 20 };

    for (size_t si = 0; si < 5; si++) {
        size_t len = sizes[si];
        uint8_t *data = make_data(len, si);
        size_t cap = awd_deflate_bound(AWD_FMT_GZIP, len);
        uint8_t *dev = malloc(cap), *host = malloc(cap), *back = malloc(len);

        for (unsigned fmt = 0; fmt <= AWD_FMT_GZIP; fmt++) {
            for (unsigned lvl = 1; lvl <= 9; lvl++) {
                AwdEngineResult r;
                size_t hn;

                if (len == (1 << 20) && lvl != 1 && lvl != 6 && lvl != 9) {
                    continue;
                }
                r = run(e, true, fmt, lvl, data, len, 4096, dev, cap, 4093);
                CHECK(r.status == AWD_STS_OK);
                CHECK(r.consumed == len);
                hn = host_deflate(fmt, lvl, data, len, host, cap);
                CHECK(r.produced == hn);
                CHECK(memcmp(dev, host, hn) == 0);
                CHECK(host_inflate(fmt, dev, r.produced, back, len) ==
                      (long)len);
                CHECK(memcmp(back, data, len) == 0);
                CHECK(r.checksum == (fmt == AWD_FMT_GZIP ?
                                     crc32(0, data, len) :
                                     adler32(1, data, len)));

                /* and back through the engine, from host output */
                memset(back, 0, len);
                r = run(e, false, fmt, 0, host, hn, 1000, back, len, 4096);
                CHECK(r.status == AWD_STS_OK);
                CHECK(r.flags & AWD_CF_STREAM_END);
                CHECK(r.consumed == hn && r.produced == len);
                CHECK(memcmp(back, data, len) == 0);
            }
        }
        free(data);
        free(dev);
        free(host);
        free(back);
    }
}

static void test_errors(AwdDeflateEngine *e)
{
    size_t len = 100000, cap = awd_deflate_bound(AWD_FMT_ZLIB, len);
    uint8_t *data = make_data(len, 7), *c = malloc(cap), *out = malloc(len);
    AwdEngineResult r;
    size_t n;

    /* compress into a too-small buffer: needed size reported */
    r = run(e, true, AWD_FMT_ZLIB, 6, data, len, 0, c, 100, 0);
    CHECK(r.status == AWD_STS_DST_TOO_SMALL);
    CHECK(r.produced >= compressBound(len) - 16);

    n = host_deflate(AWD_FMT_ZLIB, 6, data, len, c, cap);
    /* decompression bomb: limited by the destination, partial progress */
    r = run(e, false, AWD_FMT_ZLIB, 0, c, n, 0, out, 5000, 512);
    CHECK(r.status == AWD_STS_DST_TOO_SMALL);
    CHECK(r.produced == 5000);
    CHECK(memcmp(out, data, 5000) == 0);
    /* truncated */
    r = run(e, false, AWD_FMT_ZLIB, 0, c, n / 2, 0, out, len, 0);
    CHECK(r.status == AWD_STS_DECODE_ERROR);
    /* corrupt */
    c[n / 3] ^= 0x55;
    c[n / 3 + 1] ^= 0xaa;
    r = run(e, false, AWD_FMT_ZLIB, 0, c, n, 0, out, len, 0);
    CHECK(r.status == AWD_STS_DECODE_ERROR || r.status == AWD_STS_OK);
    /* wrong format / bad header */
    r = run(e, false, AWD_FMT_GZIP, 0, data, 1000, 0, out, len, 0);
    CHECK(r.status == AWD_STS_DECODE_ERROR);
    /* invalid level and format */
    r = run(e, true, AWD_FMT_RAW, 0, data, 10, 0, c, cap, 0);
    CHECK(r.status == AWD_STS_INVALID_PARAM);
    r = run(e, true, 3, 6, data, 10, 0, c, cap, 0);
    CHECK(r.status == AWD_STS_INVALID_PARAM);
    free(data);
    free(c);
    free(out);
}

/* Streamed compression over @nchunks operations; host inflate checks it */
static void test_stream_compress(AwdDeflateEngine *e, unsigned fmt,
                                 unsigned level, size_t len, size_t nchunks)
{
    uint8_t *data = make_data(len, fmt * 10 + level);
    size_t cap = awd_deflate_bound(fmt, len) + nchunks * 16, pos = 0;
    uint8_t *out = malloc(cap), *back = malloc(len);
    uint8_t *ctx = calloc(1, AWD_ENGINE_STREAM_CTX_SIZE);
    size_t produced = 0;

    for (size_t i = 0; i < nchunks; i++) {
        size_t k = i == nchunks - 1 ? len - pos : len / nchunks;
        AwdSgl *s = make_sgl(data + pos, k, 3000);
        AwdSgl *d = make_sgl(out + produced, cap - produced, 4096);
        AwdDeflateOp op = {
            .compress = true, .fmt = fmt, .level = level, .stream = true,
            .stream_init = i == 0, .final = i == nchunks - 1,
            .src = s, .dst = d, .ctx = ctx,
        };
        AwdEngineResult r;

        CHECK(awd_deflate_run(e, &op, &r));
        CHECK(r.status == AWD_STS_OK);
        CHECK(r.consumed == k);
        pos += k;
        produced += r.produced;
        free_sgl(s);
        free_sgl(d);
    }
    CHECK(host_inflate(fmt, out, produced, back, len) == (long)len);
    CHECK(memcmp(back, data, len) == 0);

    /* a finished stream takes no more input without INIT */
    {
        AwdSgl *s = make_sgl(data, 10, 0), *d = make_sgl(out, cap, 0);
        AwdDeflateOp op = {
            .compress = true, .fmt = fmt, .level = level, .stream = true,
            .src = s, .dst = d, .ctx = ctx,
        };
        AwdEngineResult r;

        CHECK(awd_deflate_run(e, &op, &r));
        CHECK(r.status == AWD_STS_BAD_CONTEXT);
        free_sgl(s);
        free_sgl(d);
    }
    free(data);
    free(out);
    free(back);
    free(ctx);
}

/*
 * Streamed decompression: input presented in chunks of @in_chunk bytes
 * (re-presenting what was not consumed), output limited to @out_chunk
 * bytes per operation.
 */
static void test_stream_decompress(AwdDeflateEngine *e, unsigned fmt,
                                   size_t len, size_t in_chunk,
                                   size_t out_chunk)
{
    uint8_t *data = make_data(len, 99 + fmt);
    size_t cap = awd_deflate_bound(fmt, len);
    uint8_t *c = malloc(cap), *back = malloc(len + out_chunk);
    /* not a multiple of anything, to end output inside blocks */
    uint8_t *ctx = calloc(1, AWD_ENGINE_STREAM_CTX_SIZE);
    size_t n = host_deflate(fmt, 6, data, len, c, cap);
    size_t in_pos = 0, out_pos = 0, ops = 0;
    bool ended = false, init = true;

    while (!ended && ops < 100000) {
        size_t k = MIN(in_chunk, n - in_pos);
        bool last = in_pos + k == n;
        AwdSgl *s = make_sgl(c + in_pos, k, 700);
        AwdSgl *d = make_sgl(back + out_pos, out_chunk, 1000);
        AwdDeflateOp op = {
            .compress = false, .fmt = fmt, .stream = true,
            .stream_init = init, .final = last,
            .src = s, .dst = d, .ctx = ctx,
        };
        AwdEngineResult r;

        CHECK(awd_deflate_run(e, &op, &r));
        free_sgl(s);
        free_sgl(d);
        ops++;
        if (r.status != AWD_STS_OK) {
            fprintf(stderr, "stream decompress: status %u\n", r.status);
            failures++;
            break;
        }
        CHECK(r.consumed <= k && r.produced <= out_chunk);
        init = false;
        if (r.consumed == 0 && r.produced == 0 && !(r.flags &
                                                     AWD_CF_STREAM_END)) {
            in_chunk *= 2;          /* a block larger than the input */
        }
        in_pos += r.consumed;
        out_pos += r.produced;
        ended = r.flags & AWD_CF_STREAM_END;
    }
    CHECK(ended);
    CHECK(out_pos == len);
    CHECK(memcmp(back, data, len) == 0);
    free(data);
    free(c);
    free(back);
    free(ctx);
}

static void test_forged_ctx(AwdDeflateEngine *e)
{
    uint8_t *ctx = calloc(1, AWD_ENGINE_STREAM_CTX_SIZE);
    uint8_t in[64] = { 0 }, out[256];
    AwdSgl *s = make_sgl(in, sizeof(in), 0), *d = make_sgl(out, 256, 0);
    AwdDeflateOp op = {
        .compress = false, .fmt = AWD_FMT_RAW, .stream = true,
        .src = s, .dst = d, .ctx = ctx,
    };
    AwdEngineResult r;

    /* zeroed context without INIT */
    CHECK(awd_deflate_run(e, &op, &r));
    CHECK(r.status == AWD_STS_BAD_CONTEXT);
    /* a valid one, then an impossible history length */
    op.stream_init = true;
    in[0] = 0x03;                   /* final empty fixed block */
    CHECK(awd_deflate_run(e, &op, &r));
    op.stream_init = false;
    memset(ctx, 0xff, 64);
    CHECK(awd_deflate_run(e, &op, &r));
    CHECK(r.status == AWD_STS_BAD_CONTEXT);
    free_sgl(s);
    free_sgl(d);
    free(ctx);
}

/*
 * Contexts come from guest memory: mutate the header of a valid mid-stream
 * context at random and feed random or real input. Nothing may crash (run
 * under ASan to see overflows); every status is a valid one.
 */
static void test_fuzz_ctx(AwdDeflateEngine *e)
{
    size_t len = 50000, cap = awd_deflate_bound(AWD_FMT_GZIP, len);
    uint8_t *data = make_data(len, 77), *c = malloc(cap), *out = malloc(len);
    uint8_t *ctx0 = calloc(1, AWD_ENGINE_STREAM_CTX_SIZE);
    uint8_t *ctx = malloc(AWD_ENGINE_STREAM_CTX_SIZE);

    srand(1234);
    for (unsigned fmt = 0; fmt <= AWD_FMT_GZIP; fmt++) {
        for (int compress = 0; compress <= 1; compress++) {
            size_t n = host_deflate(fmt, 6, data, len, c, cap);
            AwdSgl *s = make_sgl(compress ? data : c, 3000, 1000);
            AwdSgl *d = make_sgl(out, 4000, 999);
            AwdDeflateOp op = {
                .compress = compress, .fmt = fmt, .level = 5, .stream = true,
                .stream_init = true, .src = s, .dst = d, .ctx = ctx0,
            };
            AwdEngineResult r;

            CHECK(n > 3000);
            CHECK(awd_deflate_run(e, &op, &r));
            CHECK(r.status == AWD_STS_OK);
            op.stream_init = false;
            op.ctx = ctx;
            for (int i = 0; i < 3000; i++) {
                int flips = 1 + rand() % 4;

                memcpy(ctx, ctx0, AWD_ENGINE_STREAM_CTX_SIZE);
                for (int k = 0; k < flips; k++) {
                    /*
                     * state, phase, bits, bitval, trailer_len, hist_len,
                     * skip: small values reach the interesting paths
                     */
                    static const int fields[] = {
                        9, 10, 11, 12, 13, 14, 15, 44, 45, 46, 47,
                    };
                    static const uint8_t vals[] = {
                        0, 1, 2, 3, 4, 5, 7, 8, 9, 0x80, 0xff,
                    };

                    if (rand() % 2) {
                        ctx[fields[rand() % 11]] = vals[rand() % 11];
                    } else {
                        ctx[4 + rand() % 60] = rand();
                    }
                }
                op.final = rand() % 2;
                CHECK(awd_deflate_run(e, &op, &r));
                CHECK(r.status < AWD_STS_MAX);
                CHECK(r.produced <= 4000 || r.status != AWD_STS_OK);
            }
            free_sgl(s);
            free_sgl(d);
        }
    }
    free(data);
    free(c);
    free(out);
    free(ctx0);
    free(ctx);
}

/*
 * Corrupt compressed input through the streamed decoder with small input
 * and output chunks: it must end with a status, never loop or overrun.
 */
static void test_fuzz_input(AwdDeflateEngine *e)
{
    size_t len = 30000, cap = awd_deflate_bound(AWD_FMT_GZIP, len);
    uint8_t *data = make_data(len, 88), *c = malloc(cap);
    uint8_t *out = malloc(len * 2);
    uint8_t *ctx = calloc(1, AWD_ENGINE_STREAM_CTX_SIZE);

    srand(99);
    for (int iter = 0; iter < 300; iter++) {
        unsigned fmt = iter % 3;
        size_t n = host_deflate(fmt, 1 + iter % 9, data, len, c, cap);
        size_t in_pos = 0, out_pos = 0, window = 1 + rand() % 4000;
        int ops = 0;
        bool init = true;

        for (int k = 0; k < 1 + rand() % 6; k++) {
            c[rand() % n] ^= 1 << (rand() % 8);
        }
        while (ops++ < 20000) {
            size_t k = MIN(window, n - in_pos);
            size_t room = MIN(1 + (size_t)rand() % 5000, len * 2 - out_pos);
            AwdSgl *s = make_sgl(c + in_pos, k, 777);
            AwdSgl *d = make_sgl(out + out_pos, room, 555);
            AwdDeflateOp op = {
                .fmt = fmt, .stream = true, .stream_init = init,
                .final = in_pos + k == n, .src = s, .dst = d, .ctx = ctx,
            };
            AwdEngineResult r;

            CHECK(awd_deflate_run(e, &op, &r));
            free_sgl(s);
            free_sgl(d);
            if (r.status != AWD_STS_OK || (r.flags & AWD_CF_STREAM_END)) {
                break;
            }
            CHECK(r.consumed <= k && r.produced <= room);
            init = false;
            if (!r.consumed && !r.produced) {
                if (k == n - in_pos) {
                    break;          /* nothing more to give */
                }
                window *= 2;
            }
            in_pos += r.consumed;
            out_pos += r.produced;
            if (out_pos >= len * 2 - 1) {
                break;
            }
        }
        CHECK(ops < 20000);
    }
    free(data);
    free(c);
    free(out);
    free(ctx);
}

/*
 * A bounded window (Linux's "deflate" uses 2^11 bytes): host zlib told the
 * same small window must inflate the output, and a zlib header names it.
 * Data with repeats 4 KiB apart would make a 32 KiB-window compressor
 * reach back further than the small window allows.
 */
static void test_small_window(AwdDeflateEngine *e)
{
    size_t len = 100000, cap = 2 * len + 1024;
    uint8_t *src = make_data(len, 11), *dst = malloc(cap), *back = malloc(len);

    for (size_t i = 4096; i < len; i++) {
        if ((i / 512) % 3 == 0) {
            src[i] = src[i - 4096];     /* matches only a large window sees */
        }
    }
    for (unsigned wbits = 9; wbits <= 15; wbits++) {
        for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_ZLIB; fmt++) {
            AwdSgl *s = make_sgl(src, len, 7000);
            AwdSgl *d = make_sgl(dst, cap, cap);
            AwdDeflateOp op = {
                .compress = true, .fmt = fmt, .level = 6, .wbits = wbits,
                .src = s, .dst = d,
            };
            AwdEngineResult r;
            z_stream zs = { 0 };
            int ret;

            CHECK(awd_deflate_run(e, &op, &r));
            CHECK(r.status == AWD_STS_OK);
            if (fmt == AWD_FMT_ZLIB) {
                CHECK(dst[0] >> 4 == wbits - 8);
            }
            CHECK(inflateInit2(&zs, fmt == AWD_FMT_RAW ? -(int)wbits :
                                                          (int)wbits) == Z_OK);
            zs.next_in = dst;
            zs.avail_in = r.produced;
            zs.next_out = back;
            zs.avail_out = len;
            ret = inflate(&zs, Z_FINISH);
            CHECK(ret == Z_STREAM_END && zs.total_out == len);
            CHECK(!memcmp(back, src, len));
            inflateEnd(&zs);
            free_sgl(s);
            free_sgl(d);
        }
    }
    free(src);
    free(dst);
    free(back);
}

static void test_on_demand(AwdDeflateEngine *e)
{
    size_t len = 300000, cap = len + len / 8 + 1024;
    uint8_t *data = make_data(len, 11), *z = malloc(cap), *out = malloc(cap);
    uint8_t *back = malloc(len);
    Lazy *l = calloc(1, sizeof(*l));
    AwdSgl *src;
    AwdEngineResult r;

    for (unsigned fmt = 0; fmt <= AWD_FMT_GZIP; fmt++) {
        for (int comp = 1; comp >= 0; comp--) {
            size_t zn = comp ? 0 : host_deflate(fmt, 6, data, len, z, cap);
            AwdDeflateOp op = {
                .compress = comp, .fmt = fmt, .level = 1,
                .dst = &l->sgl,
            };

            for (int small = 0; small < 2; small++) {
                lazy_init(l, out, comp ? cap : len, 20000,
                          small ? 30000 : SIZE_MAX);
                src = comp ? make_sgl(data, len, 3000) :
                             make_sgl(z, zn, 3000);
                op.src = src;
                CHECK(awd_deflate_run(e, &op, &r));
                free_sgl(src);
                if (small) {
                    /* the owner refused more: as if the buffer ended */
                    CHECK(r.status == AWD_STS_DST_TOO_SMALL);
                    continue;
                }
                CHECK(r.status == AWD_STS_OK);
                CHECK(l->calls > 3);
                /* mapped only as far as the output went, plus a window */
                CHECK(l->sgl.total < r.produced + l->window + 8192);
                if (comp) {
                    CHECK(host_inflate(fmt, out, r.produced, back, len) ==
                          (long)len);
                    CHECK(!memcmp(back, data, len));
                } else {
                    CHECK(r.produced == len);
                    CHECK(!memcmp(out, data, len));
                }
            }
        }
    }
    free(data);
    free(z);
    free(out);
    free(back);
    free(l);
}

/* Inflate @c[0..n) in 4 KiB pages into @out (@len); the result */
static AwdEngineResult inflate_paged(AwdDeflateEngine *e, unsigned fmt,
                                     uint8_t *c, size_t n, uint8_t *out,
                                     size_t len)
{
    return run(e, false, fmt, 0, c, n, 4096, out, len, 4096);
}

/* A list over @buf whose segment lengths cycle through @pattern */
static AwdSgl *make_sgl_pattern(uint8_t *buf, size_t len,
                                const size_t *pattern, size_t npat)
{
    AwdSgl *s = calloc(1, sizeof(*s));
    size_t off = 0;

    s->seg = calloc(len + 1, sizeof(AwdSeg));
    while (off < len) {
        size_t k = MIN(pattern[s->nseg % npat], len - off);

        s->seg[s->nseg].base = buf + off;
        s->seg[s->nseg].len = k;
        s->nseg++;
        off += k;
    }
    s->total = len;
    return s;
}

/*
 * Single-shot inflate gathers short input segments and bounces short
 * output: what is consumed, produced and refused must not depend on it.
 */
static void test_gather(AwdDeflateEngine *e)
{
    static const size_t in_pat[] = { 4096, 1, 70000, 3, 65535, 4096, 200,
                                     65536, 4095, 4097 };
    static const size_t page[] = { 4096 };
    size_t len = 600000, cap = len + len / 8 + 1024;
    uint8_t *data = make_data(len, 13), *z = malloc(cap + 100);
    uint8_t *out = malloc(len);

    for (unsigned fmt = 0; fmt <= AWD_FMT_GZIP; fmt++) {
        size_t zn = host_deflate(fmt, 6, data, len, z, cap);
        size_t cuts[] = { zn - 1, zn / 2, 65536 + 5, 4096, 100 };
        AwdEngineResult r;
        AwdDeflateOp op = { .fmt = fmt };
        AwdSgl *s, *d;

        /* bytes after the end of the stream are not consumed */
        memset(z + zn, 0xa5, 100);
        s = make_sgl_pattern(z, zn + 100, in_pat,
                             sizeof(in_pat) / sizeof(in_pat[0]));
        d = make_sgl_pattern(out, len, page, 1);
        op.src = s;
        op.dst = d;
        memset(out, 0, len);
        CHECK(awd_deflate_run(e, &op, &r));
        CHECK(r.status == AWD_STS_OK && (r.flags & AWD_CF_STREAM_END));
        CHECK(r.consumed == zn && r.produced == len);
        CHECK(!memcmp(out, data, len));
        free_sgl(d);

        /* output refused half way: exactly the room is written */
        d = make_sgl_pattern(out, len / 2 + 7, page, 1);
        op.dst = d;
        memset(out, 0, len);
        CHECK(awd_deflate_run(e, &op, &r));
        CHECK(r.status == AWD_STS_DST_TOO_SMALL);
        CHECK(r.produced == len / 2 + 7);
        CHECK(!memcmp(out, data, len / 2 + 7));
        CHECK(out[len / 2 + 7] == 0);
        free_sgl(d);
        free_sgl(s);

        /* truncated anywhere: a decode error, never a success */
        for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
            r = inflate_paged(e, fmt, z, cuts[i], out, len);
            CHECK(r.status == AWD_STS_DECODE_ERROR);
            CHECK(r.consumed <= cuts[i]);
        }

        /* corrupt in the second gathered block: gzip's CRC catches it */
        if (fmt == AWD_FMT_GZIP) {
            z[70000] ^= 0x10;
            r = inflate_paged(e, fmt, z, zn, out, len);
            CHECK(r.status == AWD_STS_DECODE_ERROR);
        }
    }
    free(data);
    free(z);
    free(out);
}

/*
 * The wrapper's check value is verified by the engine itself (zlib's is
 * turned off, but for a gzip header with its own CRC): every byte of the
 * trailer counts, and the reported checksum is the data's.
 */
static void test_checks(AwdDeflateEngine *e)
{
    size_t len = 100000, cap = len + len / 8 + 1024;
    uint8_t *data = make_data(len, 17), *c = malloc(cap), *out = malloc(len);
    AwdEngineResult r;

    for (unsigned fmt = AWD_FMT_ZLIB; fmt <= AWD_FMT_GZIP; fmt++) {
        size_t n = host_deflate(fmt, 6, data, len, c, cap);
        size_t tlen = fmt == AWD_FMT_GZIP ? 8 : 4;
        uint32_t want = fmt == AWD_FMT_GZIP ? crc32(0, data, len) :
                                              adler32(1, data, len);

        r = inflate_paged(e, fmt, c, n, out, len);
        CHECK(r.status == AWD_STS_OK && r.produced == len);
        CHECK(r.checksum == want && !memcmp(out, data, len));
        for (size_t i = n - tlen; i < n; i++) {
            c[i] ^= 0x04;
            r = inflate_paged(e, fmt, c, n, out, len);
            CHECK(r.status == AWD_STS_DECODE_ERROR);
            c[i] ^= 0x04;
        }
    }

    /* gzip with a header CRC (FHCRC): left to zlib, checked all the same */
    {
        z_stream zs = { 0 };
        gz_header h = { .hcrc = 1, .os = 3 };
        size_t n;

        CHECK(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
                           Z_DEFAULT_STRATEGY) == Z_OK);
        CHECK(deflateSetHeader(&zs, &h) == Z_OK);
        zs.next_in = data;
        zs.avail_in = len;
        zs.next_out = c;
        zs.avail_out = cap;
        CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
        n = zs.total_out;
        deflateEnd(&zs);
        CHECK(c[3] & 0x02);
        r = inflate_paged(e, AWD_FMT_GZIP, c, n, out, len);
        CHECK(r.status == AWD_STS_OK && r.produced == len);
        CHECK(r.checksum == crc32(0, data, len));
        c[10] ^= 0x01;                  /* the header CRC */
        r = inflate_paged(e, AWD_FMT_GZIP, c, n, out, len);
        CHECK(r.status == AWD_STS_DECODE_ERROR);
        c[10] ^= 0x01;
        c[n - 8] ^= 0x01;               /* the data CRC */
        r = inflate_paged(e, AWD_FMT_GZIP, c, n, out, len);
        CHECK(r.status == AWD_STS_DECODE_ERROR);
    }
    free(data);
    free(c);
    free(out);
}

/*
 * The checksum helper leaves no dirty upper vector state behind (ISA-L's
 * AVX-512 code does): XINUSE (XGETBV 1) bits 2 (YMM) and 6 (ZMM_Hi256)
 * must be clear after it. Skipped where the CPU cannot tell.
 */
static void test_simd_state(void)
{
#if defined(__x86_64__)
    static const uint64_t upper = (1u << 2) | (1u << 6);
    uint32_t a, b, c, d, lo, hi;
    uint8_t *buf = make_data(65536, 19);

    __cpuid_count(0xd, 1, a, b, c, d);
    if (!(a & (1u << 2)) || !__builtin_cpu_supports("avx")) {
        printf("engine-deflate: XINUSE not readable, state check skipped\n");
        free(buf);
        return;
    }
    CHECK(awd_csum(AWD_FMT_GZIP, 0, buf, 65536) == crc32(0, buf, 65536));
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    CHECK(!(((uint64_t)hi << 32 | lo) & upper));
    CHECK(awd_csum(AWD_FMT_ZLIB, 1, buf, 65536) == adler32(1, buf, 65536));
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    CHECK(!(((uint64_t)hi << 32 | lo) & upper));
    free(buf);
#endif
}

int main(void)
{
    AwdDeflateEngine *e = awd_deflate_engine_new();

    test_single_shot(e);
    test_small_window(e);
    test_single_shot(e);        /* back to the 32 KiB window */
    test_errors(e);
    for (unsigned fmt = 0; fmt <= AWD_FMT_GZIP; fmt++) {
        test_stream_compress(e, fmt, 1, 300000, 3);
        test_stream_compress(e, fmt, 6, 200000, 7);
        test_stream_compress(e, fmt, 9, 50000, 50);
        test_stream_decompress(e, fmt, 300000, 5000, 8192);
        test_stream_decompress(e, fmt, 300000, 100000, 1 << 20);
        test_stream_decompress(e, fmt, 1000, 3, 64);
        test_stream_decompress(e, fmt, 200000, 7000, 100);
        test_stream_decompress(e, fmt, 20000, 1 << 20, 7);
    }
    test_forged_ctx(e);
    test_fuzz_ctx(e);
    test_fuzz_input(e);
    test_on_demand(e);
    test_gather(e);
    test_checks(e);
    test_simd_state();
    awd_deflate_engine_free(e);
    printf("engine-deflate: %s (%d failures)\n", failures ? "FAIL" : "ok",
           failures);
    return failures ? 1 : 0;
}
