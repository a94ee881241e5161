/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd's deflate engines (engine=isal|zlib): the property
 * (default, read back, the deprecated isal= alias, values refused at
 * startup with a message) and AWD_CAP_ZLIB_EXACT; decompression of host
 * zlib's raw, zlib and gzip streams byte for byte on both engines;
 * corrupt, truncated, bad-checksum and too-small input giving engine=isal
 * the same completion (status, consumed, produced, check value) as
 * engine=zlib; engine=zlib compression byte-identical to host zlib's
 * deflate with the same format, level and window; engine=isal compression
 * that host zlib inflates back to the input.
 */
#include "qemu/osdep.h"
#include "accel-wd-util.h"

#define BIG         (1u << 20)
#define BUF_SIZE    (2 * BIG + 4096)

static uint32_t comp_param(unsigned fmt, unsigned level, unsigned wbits)
{
    return fmt << AWD_PARAM_FMT_SHIFT | level << AWD_PARAM_LEVEL_SHIFT |
           wbits << AWD_PARAM_WBITS_SHIFT;
}

/* A device with one queue and a source and a destination buffer */
typedef struct Rig {
    AwdDev d;
    AwdQ q;
    uint64_t src, dst;
    uint32_t tag;
} Rig;

static void rig_start(Rig *r, const char *extra)
{
    awd_dev_start(&r->d, extra);
    awd_q_setup(&r->d, &r->q, 0, 4);
    r->src = awd_alloc(&r->d, BUF_SIZE, 4096);
    r->dst = awd_alloc(&r->d, BUF_SIZE, 4096);
    r->tag = 0;
}

/* Run @op on @len bytes of @in; @out (if set) gets what was produced */
static struct awd_cpl rig_run(Rig *r, uint8_t op, uint32_t param,
                              const void *in, size_t len, size_t dst_len,
                              void *out)
{
    struct awd_desc desc = {
        .opcode = op, .tag = ++r->tag, .src = r->src, .dst = r->dst,
        .src_len = len, .dst_len = dst_len, .param = param,
    };
    struct awd_cpl c;

    g_assert_cmpuint(len, <=, BUF_SIZE);
    g_assert_cmpuint(dst_len, <=, BUF_SIZE);
    awd_write_buf(&r->d, r->src, in, len);
    c = awd_q_run(&r->q, &desc);
    g_assert_cmpuint(c.tag, ==, r->tag);
    if (out && c.status == AWD_STS_OK) {
        awd_read_buf(&r->d, r->dst, out, MIN(c.produced, dst_len));
    }
    return c;
}

/* Does this build have the ISA-L engine? */
static bool have_isal(void)
{
    static int known = -1;

    if (known < 0) {
        AwdDev d;

        awd_dev_start(&d, NULL);
        known = awd_dev_has_engine(&d, "isal");
        awd_dev_stop(&d);
    }
    return known;
}

/* ---- the property ------------------------------------------------------ */

/* What engine= reads back, and the cap that goes with it */
static void test_props(void)
{
    static const struct {
        const char *extra, *engine;
        bool needs_isal;
    } t[] = {
        { ",engine=zlib", "zlib", false },
        { ",engine=isal", "isal", true },
        { ",isal=on", "isal", true },
        { ",isal=off", "zlib", false },
        { ",isal=on,engine=isal", "isal", true },
        { ",isal=off,engine=zlib", "zlib", false },
    };
    bool isal = have_isal();
    AwdDev d;

    /* default: ISA-L when the build has it */
    awd_dev_start(&d, NULL);
    {
        g_autofree char *e = awd_dev_prop(&d, "engine");
        g_autofree char *all = awd_dev_prop(&d, "engines");

        g_assert_cmpstr(e, ==, isal ? "isal" : "zlib");
        g_assert_cmpstr(all, ==, isal ? "zlib gmp isal" : "zlib gmp");
        g_assert_cmpuint(!!(awd_reg(&d, AWD_REG_CAP) & AWD_CAP_ZLIB_EXACT),
                         ==, !isal);
    }
    awd_dev_stop(&d);

    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        g_autofree char *e = NULL;

        if (t[i].needs_isal && !isal) {
            continue;
        }
        awd_dev_start(&d, t[i].extra);
        e = awd_dev_prop(&d, "engine");
        g_assert_cmpstr(e, ==, t[i].engine);
        g_assert_cmpuint(!!(awd_reg(&d, AWD_REG_CAP) & AWD_CAP_ZLIB_EXACT),
                         ==, !strcmp(t[i].engine, "zlib"));
        awd_dev_stop(&d);
    }
}

/* Nonsensical values stop QEMU at startup with a message */
static void test_props_refused(void)
{
    static const struct {
        const char *prop, *msg;
        bool without_isal;      /* refused only by a build without it */
    } bad[] = {
        { "engine=lz4", "engine 'lz4' unknown; this device knows ", false },
        { "engine=", "engine '' unknown", false },
        { "engine=ZLIB", "engine 'ZLIB' unknown", false },
        { "isal=on,engine=zlib", "isal=on contradicts engine=zlib", false },
        { "isal=off,engine=isal", "isal=off contradicts engine=isal", false },
        { "isal=maybe", "'maybe'", false },
        { "engine=isal", "built without libisal", true },
    };
    bool isal = have_isal();

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        if (bad[i].without_isal && isal) {
            continue;
        }
        awd_expect_refused(bad[i].prop, bad[i].msg);
    }
}

/* ---- decompression of host zlib's streams ---------------------------- */

/*
 * A gzip member with FEXTRA, FNAME and FCOMMENT (and FHCRC, right or
 * wrong) around host zlib's raw deflate of @data. Returns its length.
 */
static size_t gzip_fields(const uint8_t *data, size_t len, bool hcrc,
                          bool hcrc_ok, uint8_t *out, size_t cap)
{
    static const uint8_t head[] = {
        0x1f, 0x8b, 8, 0x1c, 0x78, 0x56, 0x34, 0x12, 0, 3,
        5, 0, 'A', 'W', 2, 0, 'x', 'y',
        'n', 'a', 'm', 'e', '.', 't', 'x', 't', 0,
        'a', ' ', 'c', 'o', 'm', 'm', 'e', 'n', 't', 0,
    };
    size_t n = sizeof(head);
    uint32_t crc = awd_host_checksum(AWD_FMT_GZIP, data, len);
    long body;

    memcpy(out, head, n);
    if (hcrc) {
        uint32_t h;

        out[3] |= 0x02;
        h = awd_host_checksum(AWD_FMT_GZIP, out, n) ^ (hcrc_ok ? 0 : 1);
        out[n++] = h;
        out[n++] = h >> 8;
    }
    body = awd_host_deflate(-15, 6, data, len, out + n, cap - n - 8);
    g_assert_cmpint(body, >, 0);
    n += body;
    out[n++] = crc;
    out[n++] = crc >> 8;
    out[n++] = crc >> 16;
    out[n++] = crc >> 24;
    out[n++] = len;
    out[n++] = len >> 8;
    out[n++] = len >> 16;
    out[n++] = len >> 24;
    return n;
}

static void inflate_one(Rig *r, unsigned fmt, const uint8_t *comp, size_t n,
                        const uint8_t *data, size_t len, uint8_t *back)
{
    struct awd_cpl c = rig_run(r, AWD_OP_DECOMPRESS, comp_param(fmt, 0, 0),
                               comp, n, len, back);

    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_true(c.flags & AWD_CF_STREAM_END);
    g_assert_cmpuint(c.consumed, ==, n);
    g_assert_cmpuint(c.produced, ==, len);
    g_assert_cmphex(c.checksum, ==, awd_host_checksum(fmt, data, len));
    g_assert_cmpmem(back, len, data, len);
}

/* Host zlib's output at levels 1, 6, 9, and gzip headers with fields */
static void inflate_host(const char *extra)
{
    static const size_t lens[] = { 1, 70000, BIG };
    static const unsigned levels[] = { 1, 6, 9 };
    g_autofree uint8_t *comp = g_malloc(BUF_SIZE);
    g_autofree uint8_t *back = g_malloc(BUF_SIZE);
    Rig r;

    rig_start(&r, extra);
    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        g_autofree uint8_t *data = awd_test_data(lens[i], 40 + i);
        size_t len = lens[i], n;

        for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
            for (size_t l = 0; l < ARRAY_SIZE(levels); l++) {
                long hn = awd_host_deflate(awd_fmt_wbits(fmt), levels[l],
                                           data, len, comp, BUF_SIZE);

                g_assert_cmpint(hn, >, 0);
                inflate_one(&r, fmt, comp, hn, data, len, back);
            }
        }
        for (int hcrc = 0; hcrc < 2; hcrc++) {
            struct awd_cpl c;

            n = gzip_fields(data, len, hcrc, true, comp, BUF_SIZE);
            inflate_one(&r, AWD_FMT_GZIP, comp, n, data, len, back);
            /* a wrong header CRC is refused, as zlib refuses it */
            if (hcrc) {
                n = gzip_fields(data, len, true, false, comp, BUF_SIZE);
                c = rig_run(&r, AWD_OP_DECOMPRESS,
                            comp_param(AWD_FMT_GZIP, 0, 0), comp, n, len,
                            NULL);
                g_assert_cmpuint(c.status, ==, AWD_STS_DECODE_ERROR);
            }
        }
    }
    awd_dev_stop(&r.d);
}

static void test_inflate_isal(void)
{
    if (!have_isal()) {
        g_test_skip("built without libisal");
        return;
    }
    inflate_host(",engine=isal");
}

static void test_inflate_zlib(void)
{
    inflate_host(",engine=zlib");
}

/* ---- bad input: the same completion on both engines ------------------- */

typedef struct BadCase {
    unsigned fmt;
    uint8_t *in;
    size_t len, dst_len;
} BadCase;

static void add_case(GArray *cases, unsigned fmt, const uint8_t *in,
                     size_t len, size_t dst_len)
{
    BadCase c = { fmt, g_memdup2(in, len), len, dst_len };

    g_array_append_val(cases, c);
}

/*
 * For each format, host zlib's stream of @len bytes: truncated, a trailer
 * byte wrong, header bytes wrong, bits flipped and bytes changed at
 * random, the destination one byte or far too small or just right, and
 * trailing bytes after the stream.
 */
static GArray *bad_cases(size_t len)
{
    GArray *cases = g_array_new(false, false, sizeof(BadCase));
    g_autofree uint8_t *data = awd_test_data(len, 77);
    g_autofree uint8_t *comp = g_malloc(2 * len + 1024);
    g_autofree uint8_t *bad = g_malloc(2 * len + 1024);
    GRand *rnd = g_rand_new_with_seed(0x15a1);

    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        long n = awd_host_deflate(awd_fmt_wbits(fmt), 6, data, len, comp,
                                  2 * len + 1024);
        static const size_t cuts[] = { 1, 2, 5, 11, 300, 9, 5, 4, 1 };

        g_assert_cmpint(n, >, 400);
        /* cut short: at the start, in the middle, in the trailer */
        for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
            size_t keep = i < 5 ? cuts[i] : (size_t)n - cuts[i];

            add_case(cases, fmt, comp, keep, len);
        }
        add_case(cases, fmt, comp, n / 2, len);
        /* every trailer byte wrong in turn (raw: the last byte) */
        for (int t = 0; t < (fmt == AWD_FMT_GZIP ? 8 : 4); t++) {
            memcpy(bad, comp, n);
            bad[n - 1 - t] ^= 0x20;
            add_case(cases, fmt, bad, n, len);
        }
        /* header bytes wrong: FDICT, a reserved flag, the magic */
        memcpy(bad, comp, n);
        bad[fmt == AWD_FMT_ZLIB ? 1 : 3] ^= fmt == AWD_FMT_ZLIB ? 0x20 : 0x80;
        add_case(cases, fmt, bad, n, len);
        memcpy(bad, comp, n);
        bad[0] ^= 0xff;
        add_case(cases, fmt, bad, n, len);
        /* bits flipped, bytes changed */
        for (int i = 0; i < 40; i++) {
            size_t at = g_rand_int_range(rnd, 0, i < 20 ? MIN(n, 300) : n);

            memcpy(bad, comp, n);
            if (i % 2) {
                bad[at] ^= 1 << g_rand_int_range(rnd, 0, 8);
            } else {
                bad[at] = g_rand_int(rnd);
            }
            add_case(cases, fmt, bad, n, len);
        }
        /* destinations too small, and just right */
        add_case(cases, fmt, comp, n, len - 1);
        add_case(cases, fmt, comp, n, 1000);
        add_case(cases, fmt, comp, n, 1);
        add_case(cases, fmt, comp, n, len);
        /* bytes after the stream are not consumed */
        memcpy(bad, comp, n);
        memset(bad + n, 0x1f, 100);
        add_case(cases, fmt, bad, n + 100, len + 50);
    }
    g_rand_free(rnd);
    return cases;
}

typedef struct BadResult {
    struct awd_cpl c;
    uint8_t *out;
} BadResult;

static BadResult *run_cases(const char *extra, GArray *cases)
{
    BadResult *res = g_new0(BadResult, cases->len);
    Rig r;

    rig_start(&r, extra);
    for (unsigned i = 0; i < cases->len; i++) {
        BadCase *b = &g_array_index(cases, BadCase, i);

        res[i].out = g_malloc(b->dst_len);
        res[i].c = rig_run(&r, AWD_OP_DECOMPRESS, comp_param(b->fmt, 0, 0),
                           b->in, b->len, b->dst_len, res[i].out);
    }
    /* the queue never went into error */
    g_assert_false(awd_qreg(&r.d, 0, AWD_Q_STATUS) & AWD_QSTS_ERROR);
    awd_dev_stop(&r.d);
    return res;
}

static void test_bad_input(void)
{
    GArray *cases;
    BadResult *z, *i;
    unsigned seen[AWD_STS_MAX] = { 0 };

    if (!have_isal()) {
        g_test_skip("built without libisal");
        return;
    }
    cases = bad_cases(100000);
    z = run_cases(",engine=zlib", cases);
    i = run_cases(",engine=isal", cases);
    for (unsigned k = 0; k < cases->len; k++) {
        BadCase *b = &g_array_index(cases, BadCase, k);

        g_test_message("case %u: fmt %u, %zu bytes into %zu: status %u",
                       k, b->fmt, b->len, b->dst_len, z[k].c.status);
        g_assert_cmpuint(i[k].c.status, ==, z[k].c.status);
        g_assert_cmpuint(i[k].c.consumed, ==, z[k].c.consumed);
        g_assert_cmpuint(i[k].c.produced, ==, z[k].c.produced);
        g_assert_cmphex(i[k].c.flags, ==, z[k].c.flags);
        if (z[k].c.status == AWD_STS_OK) {
            g_assert_cmphex(i[k].c.checksum, ==, z[k].c.checksum);
            g_assert_cmpmem(i[k].out, z[k].c.produced, z[k].out,
                            z[k].c.produced);
        }
        g_assert_cmpuint(z[k].c.status, <, AWD_STS_MAX);
        seen[z[k].c.status]++;
        g_free(z[k].out);
        g_free(i[k].out);
        g_free(b->in);
    }
    g_test_message("%u ok, %u decode errors, %u too small", seen[AWD_STS_OK],
                   seen[AWD_STS_DECODE_ERROR], seen[AWD_STS_DST_TOO_SMALL]);
    /* every kind of outcome was there to compare */
    g_assert_cmpuint(seen[AWD_STS_OK], >=, 6);
    g_assert_cmpuint(seen[AWD_STS_DECODE_ERROR], >=, 30);
    g_assert_cmpuint(seen[AWD_STS_DST_TOO_SMALL], >=, 9);
    g_free(z);
    g_free(i);
    g_array_free(cases, true);
}

/* ---- compression ------------------------------------------------------- */

/* engine=zlib: host zlib's deflate() bytes at every level and window */
static void test_zlib_golden(void)
{
    g_autofree uint8_t *data = awd_test_data(BIG, 9);
    g_autofree uint8_t *out = g_malloc(BUF_SIZE);
    g_autofree uint8_t *host = g_malloc(BUF_SIZE);
    size_t len = 70000;
    Rig r;

    rig_start(&r, ",engine=zlib");
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        int sign = fmt == AWD_FMT_RAW ? -1 : 1, add = fmt == 2 ? 16 : 0;

        for (unsigned level = 1; level <= 9; level++) {
            for (unsigned wbits = 9; wbits <= 15; wbits += 3) {
                size_t n = level == 1 && wbits == 15 ? BIG : len;
                struct awd_cpl c = rig_run(&r, AWD_OP_COMPRESS,
                                           comp_param(fmt, level, wbits),
                                           data, n, BUF_SIZE, out);
                long hn = awd_host_deflate(sign * (int)wbits + add, level,
                                           data, n, host, BUF_SIZE);

                g_assert_cmpuint(c.status, ==, AWD_STS_OK);
                g_assert_cmpuint(c.consumed, ==, n);
                g_assert_cmpint(hn, ==, c.produced);
                g_assert_cmpmem(out, c.produced, host, hn);
                g_assert_cmphex(c.checksum, ==,
                                awd_host_checksum(fmt, data, n));
            }
        }
    }
    awd_dev_stop(&r.d);
}

/*
 * engine=isal: levels 1-3 are ISA-L's bytes, which host zlib inflates
 * back to the input and which both engines decompress; level 4 and a
 * smaller window are zlib's bytes.
 */
static void test_isal_compress(void)
{
    static const size_t lens[] = { 1, 70000, BIG };
    g_autofree uint8_t *data = awd_test_data(BIG, 11);
    g_autofree uint8_t *out = g_malloc(BUF_SIZE);
    g_autofree uint8_t *host = g_malloc(BUF_SIZE);
    g_autofree uint8_t *back = g_malloc(BUF_SIZE);
    Rig r;

    if (!have_isal()) {
        g_test_skip("built without libisal");
        return;
    }
    rig_start(&r, ",engine=isal");
    for (unsigned fmt = AWD_FMT_RAW; fmt <= AWD_FMT_GZIP; fmt++) {
        for (unsigned level = 1; level <= 4; level++) {
            for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
                size_t n = lens[i];
                struct awd_cpl c = rig_run(&r, AWD_OP_COMPRESS,
                                           comp_param(fmt, level, 0),
                                           data, n, BUF_SIZE, out);
                long hn = awd_host_deflate(awd_fmt_wbits(fmt), level, data,
                                           n, host, BUF_SIZE);
                bool same = hn == c.produced && !memcmp(out, host, hn);

                g_assert_cmpuint(c.status, ==, AWD_STS_OK);
                g_assert_cmpuint(c.consumed, ==, n);
                g_assert_cmphex(c.checksum, ==,
                                awd_host_checksum(fmt, data, n));
                g_assert_cmpint(awd_host_inflate(awd_fmt_wbits(fmt), out,
                                                 c.produced, back, n + 1),
                                ==, n);
                g_assert_cmpmem(back, n, data, n);
                if (level == 4) {
                    g_assert_true(same);
                } else if (n == BIG) {
                    g_assert_false(same);       /* ISA-L's, not zlib's */
                }
                if (n == BIG) {
                    /* and the device reads its own output */
                    memcpy(host, out, c.produced);
                    inflate_one(&r, fmt, host, c.produced, data, n, back);
                }
            }
        }
        /* a 4 KiB window: zlib's bytes */
        {
            struct awd_cpl c = rig_run(&r, AWD_OP_COMPRESS,
                                       comp_param(fmt, 1, 12), data, 70000,
                                       BUF_SIZE, out);
            int w = fmt == AWD_FMT_RAW ? -12 : fmt == AWD_FMT_ZLIB ? 12 : 28;
            long hn = awd_host_deflate(w, 1, data, 70000, host, BUF_SIZE);

            g_assert_cmpuint(c.status, ==, AWD_STS_OK);
            g_assert_cmpint(hn, ==, c.produced);
            g_assert_cmpmem(out, c.produced, host, hn);
        }
    }
    awd_dev_stop(&r.d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/engine/props", test_props);
    qtest_add_func("/accel-wd/engine/props-refused", test_props_refused);
    qtest_add_func("/accel-wd/engine/inflate-isal", test_inflate_isal);
    qtest_add_func("/accel-wd/engine/inflate-zlib", test_inflate_zlib);
    qtest_add_func("/accel-wd/engine/bad-input", test_bad_input);
    qtest_add_func("/accel-wd/engine/zlib-golden", test_zlib_golden);
    qtest_add_func("/accel-wd/engine/isal-compress", test_isal_compress);
    return g_test_run();
}
