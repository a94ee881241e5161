/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit test of the accel-wd ISA-L engine (isal=on): single-shot
 * compression at levels 1-3 over scatter lists of irregular segments,
 * checked by host zlib inflate and checksums; operations it must leave to
 * zlib; destination too small; abort; reuse of one engine across streams.
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
    /* abort: no result */
    op.compress = true;
    op.abort = always;
    CHECK(!awd_isal_compress(z, &op, &r, &done));
    awd_isal_free(z);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
