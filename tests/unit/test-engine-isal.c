/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit test of the accel-wd ISA-L engine (engine=isal): single-shot
 * compression at levels 1-3 over scatter lists of irregular segments,
 * checked by host zlib inflate and checksums; operations it must leave to
 * zlib; destination too small; abort; reuse of one engine across streams.
 * Single-shot decompression against the zlib engine (engine-deflate.c) on
 * the same input: the same result (status, consumed, produced, check
 * value, flags) and output, for good streams of host zlib and ISA-L, and
 * for corrupt, truncated, bad-checksum and trailing-garbage input.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "accel_wd_hw.h"
#include "engine.h"
#include "lazy-sgl.h"

#include "check.h"

static const int wbits_of[] = { -15, 15, 31 };

static uint8_t *make_data(size_t len, unsigned seed)
{
    uint8_t *p = malloc(len ? len : 1);
    uint32_t s = seed;

    for (size_t i = 0; i < len; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (s >> 16) % 4 ? (uint8_t)"deflate page queue "[(i / 3) % 19] :
                               (uint8_t)(s >> 24);
    }
    return p;
}

/* @buf cut into segments of about @seg bytes (irregular), 0: one */
static AwdSgl make_sgl(uint8_t *buf, size_t len, size_t seg, AwdSeg *segs)
{
    AwdSgl s = { .seg = segs, .total = len };
    size_t off = 0;

    while (off < len) {
        size_t k = seg ? MIN(seg + s.nseg % 5, len - off) : len - off;

        segs[s.nseg++] = (AwdSeg) { buf + off, k };
        off += k;
    }
    return s;
}

static bool never(void *opaque)
{
    (void)opaque;
    return false;
}

static bool always(void *opaque)
{
    (void)opaque;
    return true;
}

static void one(AwdIsal *z, unsigned fmt, unsigned level, size_t len,
                size_t iseg, size_t oseg)
{
    size_t cap = len + len / 8 + 1024;
    uint8_t *in = make_data(len, len + level), *out = malloc(cap);
    uint8_t *back = malloc(len + 1);
    AwdSeg *is = calloc(len / (iseg ? iseg : len + 1) + 2, sizeof(AwdSeg));
    AwdSeg *os = calloc(cap / (oseg ? oseg : cap + 1) + 2, sizeof(AwdSeg));
    AwdSgl src = make_sgl(in, len, iseg, is), dst = make_sgl(out, cap, oseg,
                                                             os);
    AwdDeflateOp op = {
        .compress = true, .fmt = fmt, .level = level, .src = &src,
        .dst = &dst, .abort = never,
    };
    AwdEngineResult r;
    z_stream zs = { 0 };
    uint32_t sum;
    bool done;

    CHECK(awd_isal_compress(z, &op, &r, &done));
    CHECK(done);
    CHECK(r.status == AWD_STS_OK);
    CHECK(r.consumed == len);
    CHECK(r.flags & AWD_CF_STREAM_END);
    sum = fmt == AWD_FMT_GZIP ? crc32(0, in, len) : adler32(1, in, len);
    CHECK(r.checksum == sum);
    inflateInit2(&zs, wbits_of[fmt]);
    zs.next_in = out;
    zs.avail_in = r.produced;
    zs.next_out = back;
    zs.avail_out = len + 1;
    CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
    CHECK(zs.total_out == len && zs.avail_in == 0);
    CHECK(!memcmp(back, in, len));
    inflateEnd(&zs);

    /* destination too small: the bound, nothing consumed */
    if (len > 64) {
        src = make_sgl(in, len, iseg, is);
        dst = make_sgl(out, r.produced / 2, oseg, os);
        CHECK(awd_isal_compress(z, &op, &r, &done) && done);
        CHECK(r.status == AWD_STS_DST_TOO_SMALL);
        CHECK(r.consumed == 0 && r.produced >= len);
    }
    free(in);
    free(out);
    free(back);
    free(is);
    free(os);
}

/* Output mapped on demand, laid out anew now and then */
static void on_demand(AwdIsal *z)
{
    size_t len = 300000, cap = len + len / 8 + 1024;
    uint8_t *in = make_data(len, 5), *out = malloc(cap), *back = malloc(len);
    AwdSeg seg = { in, len };
    AwdSgl src = { .seg = &seg, .nseg = 1, .total = len };
    Lazy *l = calloc(1, sizeof(*l));
    AwdEngineResult r;
    z_stream zs = { 0 };
    bool done;

    for (int small = 0; small < 2; small++) {
        AwdDeflateOp op = {
            .compress = true, .fmt = AWD_FMT_GZIP, .level = 2, .src = &src,
            .dst = &l->sgl, .abort = never,
        };

        lazy_init(l, out, cap, 10000, small ? 20000 : SIZE_MAX);
        CHECK(awd_isal_compress(z, &op, &r, &done) && done);
        if (small) {
            CHECK(r.status == AWD_STS_DST_TOO_SMALL);
            continue;
        }
        CHECK(r.status == AWD_STS_OK && l->calls > 3);
        CHECK(l->sgl.total < r.produced + l->window + 8192);
        inflateInit2(&zs, 31);
        zs.next_in = out;
        zs.avail_in = r.produced;
        zs.next_out = back;
        zs.avail_out = len;
        CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
        CHECK(zs.total_out == len && !memcmp(back, in, len));
        inflateEnd(&zs);
    }
    free(in);
    free(out);
    free(back);
    free(l);
}

/* ---- decompression against the zlib engine ---------------------------- */

typedef struct InfCase {
    unsigned fmt;
    const uint8_t *in;
    size_t len;
    size_t cap;                 /* destination bytes */
    size_t iseg, oseg;          /* segment sizes, 0: one */
    bool lazy;                  /* destination mapped on demand */
} InfCase;

static unsigned isal_done, isal_left;

/*
 * Run @c through the zlib engine and through ISA-L (zlib when it leaves
 * the operation): the same result and output. Returns the status.
 */
static uint32_t inf_both(AwdIsal *z, AwdDeflateEngine *e, const InfCase *c,
                         bool must_be_isal)
{
    uint8_t *in = malloc(c->len + 1), *oz = malloc(c->cap + 1);
    uint8_t *oi = malloc(c->cap + 1);
    AwdSeg *is = calloc(c->len / (c->iseg ? c->iseg : c->len + 1) + 2,
                        sizeof(AwdSeg));
    AwdSeg *os = calloc(c->cap / (c->oseg ? c->oseg : c->cap + 1) + 2,
                        sizeof(AwdSeg));
    Lazy *l = calloc(1, sizeof(*l));
    AwdSgl src, dst;
    AwdDeflateOp op = { .fmt = c->fmt, .src = &src, .dst = &dst,
                        .abort = never };
    AwdEngineResult rz, ri;
    bool done;

    memcpy(in, c->in, c->len);
    memset(oz, 0xa5, c->cap + 1);
    memset(oi, 0xa5, c->cap + 1);
    src = make_sgl(in, c->len, c->iseg, is);
    dst = make_sgl(oz, c->cap, c->oseg, os);
    CHECK(awd_deflate_run(e, &op, &rz));

    src = make_sgl(in, c->len, c->iseg, is);
    if (c->lazy) {
        lazy_init(l, oi, c->cap, 20000, SIZE_MAX);
        op.dst = &l->sgl;
    } else {
        dst = make_sgl(oi, c->cap, c->oseg, os);
    }
    CHECK(awd_isal_inflate(z, &op, &ri, &done));
    if (!done) {
        CHECK(!must_be_isal);
        if (c->lazy) {
            lazy_init(l, oi, c->cap, 20000, SIZE_MAX);
        }
        CHECK(awd_deflate_run(e, &op, &ri));
    }
    isal_done += done;
    isal_left += !done;
    if (rz.status != ri.status || rz.consumed != ri.consumed ||
        rz.produced != ri.produced || rz.flags != ri.flags ||
        (rz.status == AWD_STS_OK && rz.checksum != ri.checksum)) {
        fprintf(stderr, "fmt %u len %zu cap %zu: zlib %u/%u/%u/%x/%x, "
                "isal %u/%u/%u/%x/%x (done %d)\n", c->fmt, c->len, c->cap,
                rz.status, rz.consumed, rz.produced, rz.checksum, rz.flags,
                ri.status, ri.consumed, ri.produced, ri.checksum, ri.flags,
                done);
        failures++;
    }
    if (rz.status == AWD_STS_OK) {
        CHECK(!memcmp(oz, oi, rz.produced));
    }
    CHECK(oi[c->cap] == 0xa5);      /* nothing past the destination */
    free(in);
    free(oz);
    free(oi);
    free(is);
    free(os);
    free(l);
    return rz.status;
}

/* @len bytes of @data in @fmt: host zlib at @level, or ISA-L (@isal) */
static size_t make_stream(AwdIsal *z, unsigned fmt, int level, bool isal,
                          const uint8_t *data, size_t len, uint8_t *out,
                          size_t cap)
{
    z_stream zs = { 0 };
    size_t n;

    if (isal) {
        AwdSeg s = { (uint8_t *)data, len }, d = { out, cap };
        AwdSgl src = { .seg = &s, .nseg = 1, .total = len };
        AwdSgl dst = { .seg = &d, .nseg = 1, .total = cap };
        AwdDeflateOp op = { .compress = true, .fmt = fmt, .level = level,
                            .src = &src, .dst = &dst };
        AwdEngineResult r;
        bool done;

        CHECK(awd_isal_compress(z, &op, &r, &done) && done &&
              r.status == AWD_STS_OK);
        return r.produced;
    }
    CHECK(deflateInit2(&zs, level, Z_DEFLATED, wbits_of[fmt], 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
    zs.next_in = (uint8_t *)data;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = cap;
    CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

/* Good streams: ISA-L decodes them, as zlib does */
static void inflate_good(AwdIsal *z, AwdDeflateEngine *e)
{
    static const size_t lens[] = { 0, 1, 100, 4096, 70000, 1 << 20 };
    static const int levels[] = { 1, 6, 9, 0 };

    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            size_t len = lens[i], cap = len + len / 8 + 1024, n;
            uint8_t *data = make_data(len, len + fmt);
            uint8_t *comp = malloc(cap + 16);

            for (unsigned k = 0; k < 5; k++) {
                bool isal = k == 4;

                n = make_stream(z, fmt, isal ? 2 : levels[k], isal, data, len,
                                comp, cap);
                for (unsigned shape = 0; shape < 5; shape++) {
                    InfCase c = {
                        .fmt = fmt, .in = comp, .len = n, .cap = len + 1,
                        .iseg = shape == 1 ? 4093 : shape == 2 ? 17 : 0,
                        .oseg = shape == 1 ? 4099 : shape == 2 ? 1000 :
                                shape == 3 ? 70000 : 0,
                        .lazy = shape == 4,
                    };

                    CHECK(inf_both(z, e, &c, true) == AWD_STS_OK);
                    /* exactly the room the output needs */
                    c.cap = len ? len : 1;
                    CHECK(inf_both(z, e, &c, true) == AWD_STS_OK);
                }
                /* trailing bytes after the stream: not consumed */
                memcpy(comp + n, "trailing garbage", 16);
                {
                    InfCase c = { .fmt = fmt, .in = comp, .len = n + 16,
                                  .cap = len + 100, .iseg = 4093,
                                  .oseg = 4096 };

                    CHECK(inf_both(z, e, &c, true) == AWD_STS_OK);
                }
            }
            free(data);
            free(comp);
        }
    }
}

/*
 * Bad input: truncated, a bad check value or size, a destination too
 * small, bits flipped at random (AWD_INFLATE_FUZZ rounds per stream,
 * default 300). The same status as zlib's every time.
 */
static void inflate_bad(AwdIsal *z, AwdDeflateEngine *e)
{
    size_t len = 200000, cap = len + len / 8 + 1024;
    uint8_t *data = make_data(len, 99), *comp = malloc(cap);
    unsigned seed = 12345, st[AWD_STS_MAX + 1] = { 0 };
    const char *env = getenv("AWD_INFLATE_FUZZ");
    unsigned rounds = env ? atoi(env) : 300;

    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (unsigned k = 0; k < 3; k++) {
            size_t n = make_stream(z, fmt, k == 2 ? 1 : 6 + 3 * k, k == 2,
                                   data, len, comp, cap);
            uint8_t *bad = malloc(n);
            InfCase c = { .fmt = fmt, .in = bad, .len = n, .cap = len,
                          .iseg = 4096, .oseg = 4096 };

            /* truncated anywhere */
            memcpy(bad, comp, n);
            for (size_t cut = 0; cut < n; cut += 1 + cut / 3) {
                c.len = cut ? cut : 1;
                st[inf_both(z, e, &c, false)]++;
            }
            c.len = n;
            /* too small, by one and by much */
            c.cap = len - 1;
            CHECK(inf_both(z, e, &c, false) == AWD_STS_DST_TOO_SMALL);
            c.cap = 1000;
            CHECK(inf_both(z, e, &c, false) == AWD_STS_DST_TOO_SMALL);
            c.cap = len;
            /* every trailer byte wrong in turn */
            for (size_t t = 0; fmt != AWD_FMT_RAW && t < (fmt == 1 ? 4 : 8);
                 t++) {
                memcpy(bad, comp, n);
                bad[n - 1 - t] ^= 0x10;
                CHECK(inf_both(z, e, &c, false) == AWD_STS_DECODE_ERROR);
            }
            /* bits and bytes changed at random */
            for (unsigned i = 0; i < rounds; i++) {
                unsigned flips = 1 + i % 3;

                memcpy(bad, comp, n);
                while (flips--) {
                    seed = seed * 1103515245u + 12345u;
                    if (i % 2) {
                        bad[(seed >> 8) % n] ^= 1 << (seed % 8);
                    } else {
                        bad[(seed >> 8) % MIN(n, 400)] = seed >> 24;
                    }
                }
                st[inf_both(z, e, &c, false)]++;
            }
            free(bad);
        }
    }
    printf("bad input: %u ok, %u decode errors, %u too small\n",
           st[AWD_STS_OK], st[AWD_STS_DECODE_ERROR],
           st[AWD_STS_DST_TOO_SMALL]);
    free(data);
    free(comp);
}

/*
 * The one known difference: ISA-L takes a dynamic block whose Huffman code
 * does not fill its code space (here the literal/length code: 'a' 1 bit,
 * end-of-block 2 bits), which zlib refuses ("invalid literal/lengths
 * set"). No encoder writes one (zlib, ISA-L and libdeflate build complete
 * codes); a zlib or gzip stream must still match its check value.
 */
static void inflate_incomplete_code(AwdIsal *z, AwdDeflateEngine *e)
{
    static const uint8_t raw[] = {
        0x05, 0xe0, 0x01, 0x09, 0x00, 0x00, 0x00, 0x80, 0x20, 0x6c, 0xf5,
        0xff, 0x89, 0x24,
    };
    uint8_t in[sizeof(raw)], out[16];
    AwdSeg s = { in, sizeof(in) }, d = { out, sizeof(out) };
    AwdSgl src = { .seg = &s, .nseg = 1, .total = sizeof(in) };
    AwdSgl dst = { .seg = &d, .nseg = 1, .total = sizeof(out) };
    AwdDeflateOp op = { .fmt = AWD_FMT_RAW, .src = &src, .dst = &dst };
    AwdEngineResult r;
    bool done;

    memcpy(in, raw, sizeof(raw));
    CHECK(awd_deflate_run(e, &op, &r) && r.status == AWD_STS_DECODE_ERROR);
    CHECK(awd_isal_inflate(z, &op, &r, &done) && done);
    CHECK(r.status == AWD_STS_OK && r.produced == 2 && !memcmp(out, "aa", 2));
}

int main(void)
{
    static const size_t lens[] = { 0, 1, 100, 4096, 70000, 300000 };
    AwdIsal *z = awd_isal_new();
    uint8_t buf[64] = { 0 }, out[256];
    AwdSeg s1 = { buf, sizeof(buf) }, d1 = { out, sizeof(out) };
    AwdSgl src = { .seg = &s1, .nseg = 1, .total = sizeof(buf) };
    AwdSgl dst = { .seg = &d1, .nseg = 1, .total = sizeof(out) };
    AwdDeflateOp op = { .compress = true, .level = 1, .src = &src,
                        .dst = &dst };
    AwdEngineResult r;
    bool done;

    if (!awd_isal_available()) {
        printf("built without libisal: skipped\n");
        return 77;
    }
    CHECK(z);
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (unsigned level = 1; level <= 3; level++) {
            for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                one(z, fmt, level, lens[i], 0, 0);
                one(z, fmt, level, lens[i], 4093, 4099);
                one(z, fmt, level, lens[i], 1000, 17);
            }
        }
    }
    on_demand(z);
    {
        AwdDeflateEngine *e = awd_deflate_engine_new();

        inflate_good(z, e);
        printf("good input: %u by ISA-L, %u left to zlib\n", isal_done,
               isal_left);
        inflate_bad(z, e);
        inflate_incomplete_code(z, e);
        awd_deflate_engine_free(e);
    }
    /* not ISA-L's: level 4+, streams, other windows, decompression */
    op.level = 4;
    CHECK(awd_isal_compress(z, &op, &r, &done) && !done);
    op.level = 1;
    op.stream = true;
    CHECK(awd_isal_compress(z, &op, &r, &done) && !done);
    op.stream = false;
    op.wbits = 12;
    CHECK(awd_isal_compress(z, &op, &r, &done) && !done);
    op.wbits = 0;
    op.compress = false;
    CHECK(awd_isal_compress(z, &op, &r, &done) && !done);
    /* a stream's decompression is zlib's */
    op.stream = true;
    CHECK(awd_isal_inflate(z, &op, &r, &done) && !done);
    op.stream = false;
    /* abort: no result */
    op.compress = true;
    op.abort = always;
    CHECK(!awd_isal_compress(z, &op, &r, &done));
    awd_isal_free(z);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
