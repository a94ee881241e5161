/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The accel-wd deflate engine on the host, no QEMU: host zlib called
 * directly against the engine on one contiguous buffer and on 4 KiB pages
 * scattered in memory (what a process's buffer looks like to the device
 * behind an IOMMU). Prints MB/s and ratios; asserts nothing.
 *   bench-engine [seconds per case]
 * The three alternate in slices of 50 ms, so that the host's drift in
 * speed (a shared machine) hits all three alike. Built with ISA-L, a
 * second table does the same for the ISA-L engine (engine=isal: compress
 * L1, decompress) against host ISA-L called directly.
 */
#include "qemu/osdep.h"
#include <time.h>
#include <zlib.h>
#ifdef CONFIG_AWD_ISAL
#include <isa-l/igzip_lib.h>
#endif
#include "accel_wd_hw.h"
#include "engine.h"

#define PAGE 4096

static void check(bool ok)
{
    if (!ok) {
        fprintf(stderr, "bench-engine: an operation failed\n");
        exit(1);
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Text-like data, about 3:1 */
static void fill(uint8_t *p, size_t len)
{
    static const char *const words[] = {
        "accelerator ", "shared ", "virtual ", "addressing ", "queue ",
        "the ", "page ", "request ", "\n", "0x1f8b ", "process ",
    };
    uint32_t s = 1;

    for (size_t i = 0; i < len;) {
        s = s * 1103515245u + 12345u;
        if ((s >> 16) % 10 == 0) {
            for (size_t k = (s >> 20) % 48; k && i < len; k--) {
                s = s * 1103515245u + 12345u;
                p[i++] = s >> 16;
            }
        } else {
            for (const char *w = words[(s >> 16) % 11]; *w && i < len; w++) {
                p[i++] = *w;
            }
        }
    }
}

/* @len bytes as one segment, or as pages taken from a shuffled pool */
static void make_sgl(AwdSgl *sgl, uint8_t *contig, uint8_t *pool,
                     size_t pool_pages, size_t len, bool scattered)
{
    size_t n = scattered ? (len + PAGE - 1) / PAGE : 1;

    sgl->seg = calloc(n, sizeof(AwdSeg));
    sgl->nseg = n;
    sgl->total = len;
    if (!scattered) {
        sgl->seg[0] = (AwdSeg) { contig, len };
        return;
    }
    for (size_t i = 0; i < n; i++) {
        /* every 7th page of the pool: never two neighbours in a row */
        size_t pg = (i * 7) % pool_pages;

        sgl->seg[i] = (AwdSeg) { pool + pg * PAGE,
                                 MIN(PAGE, len - i * PAGE) };
    }
}

static void sgl_copy_in(AwdSgl *sgl, const uint8_t *p)
{
    for (unsigned i = 0; i < sgl->nseg; i++) {
        memcpy(sgl->seg[i].base, p, sgl->seg[i].len);
        p += sgl->seg[i].len;
    }
}

/* Slices of this long alternate between the three, so drift hits all */
#define SLICE 0.05

typedef struct Tally {
    uint64_t ops;
    double secs;
} Tally;

static void run_zlib(bool comp, int level, const uint8_t *in, size_t n,
                     uint8_t *out, size_t cap, double secs, Tally *tl)
{
    z_stream zs = { 0 };
    double t0 = now(), t;
    uint64_t ops = 0;
    int ret;

    if (comp) {
        deflateInit2(&zs, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    } else {
        inflateInit2(&zs, 31);
    }
    do {
        zs.next_in = (Bytef *)in;
        zs.avail_in = n;
        zs.next_out = out;
        zs.avail_out = cap;
        if (comp) {
            ret = deflate(&zs, Z_FINISH);
            deflateReset(&zs);
        } else {
            ret = inflate(&zs, Z_FINISH);
            inflateReset(&zs);
        }
        check(ret == Z_STREAM_END);
        ops++;
    } while ((t = now()) - t0 < secs);
    if (comp) {
        deflateEnd(&zs);
    } else {
        inflateEnd(&zs);
    }
    tl->ops += ops;
    tl->secs += t - t0;
}

#ifdef CONFIG_AWD_ISAL
/* Host ISA-L as a program calls it: a fresh stream per buffer */
static void run_isal(bool comp, int level, const uint8_t *in, size_t n,
                     uint8_t *out, size_t cap, double secs, Tally *tl)
{
    static struct isal_zstream zs;
    static struct inflate_state st;
    static uint8_t lbuf[ISAL_DEF_LVL1_DEFAULT];
    double t0 = now(), t;
    uint64_t ops = 0;

    do {
        if (comp) {
            isal_deflate_init(&zs);
            zs.level = level;
            zs.level_buf = lbuf;
            zs.level_buf_size = sizeof(lbuf);
            zs.gzip_flag = IGZIP_GZIP;
            zs.end_of_stream = 1;
            zs.next_in = (uint8_t *)in;
            zs.avail_in = n;
            zs.next_out = out;
            zs.avail_out = cap;
            check(isal_deflate(&zs) == COMP_OK &&
                  zs.internal_state.state == ZSTATE_END);
        } else {
            isal_inflate_init(&st);
            st.crc_flag = ISAL_GZIP;
            st.next_in = (uint8_t *)in;
            st.avail_in = n;
            st.next_out = out;
            st.avail_out = cap;
            check(isal_inflate(&st) == ISAL_DECOMP_OK &&
                  st.block_state == ISAL_BLOCK_FINISH);
        }
        awd_simd_settle();
        ops++;
    } while ((t = now()) - t0 < secs);
    tl->ops += ops;
    tl->secs += t - t0;
}
#endif

/* The zlib engine, or with @z the ISA-L engine (which must take it) */
static void run_engine(AwdDeflateEngine *e, AwdIsal *z, bool comp, int level,
                       const AwdSgl *src, const AwdSgl *dst, double secs,
                       Tally *tl)
{
    AwdDeflateOp op = {
        .compress = comp, .fmt = AWD_FMT_GZIP, .level = level,
        .src = src, .dst = dst,
    };
    AwdEngineResult res;
    double t0 = now(), t;
    uint64_t ops = 0;

    do {
        bool done = false;

        memset(&res, 0, sizeof(res));
        if (z) {
            check(awd_isal_run(z, &op, &res, &done) && done);
        } else {
            check(awd_deflate_run(e, &op, &res));
        }
        check(res.status == AWD_STS_OK);
        ops++;
    } while ((t = now()) - t0 < secs);
    tl->ops += ops;
    tl->secs += t - t0;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = { 4096, 65536, 1 << 20 };
    double secs = argc > 1 ? atof(argv[1]) : 0.5;
    size_t big = 1 << 20, cap = big + big / 8 + 1024;
    size_t pool_pages = 4 * (cap / PAGE + 1) + 1;
    uint8_t *in = malloc(big), *z = malloc(cap), *out = malloc(cap);
    uint8_t *pool = calloc(pool_pages, PAGE);
    AwdDeflateEngine *e = awd_deflate_engine_new();
    AwdIsal *zi = awd_isal_new();

    fill(in, big);
    for (int table = 0; table < (zi ? 2 : 1); table++) {
    AwdIsal *ie = table ? zi : NULL;

    printf("%s%-12s %8s %10s %10s %10s %8s %8s\n",
           table ? "\nISA-L engine against host ISA-L\n" : "",
           "operation", "bytes", table ? "isal" : "zlib", "contig",
           "4K pages", "contig/h", "pages/h");
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t n = sizes[si];

        for (int k = 0; k < 3; k++) {
            bool comp = k < 2;
            int level = k == 0 ? 1 : 6;
            const uint8_t *src = in;
            size_t src_len = n, dst_len = cap, zn = 0;
            AwdSgl s_c, d_c, s_p, d_p;
            double rz, rc, rp, bytes = n;
            Tally tl[3];

            if (table && k == 1) {
                continue;           /* ISA-L has no level 6 */
            }
            if (!comp) {
                z_stream zs = { 0 };

                deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
                zs.next_in = in;
                zs.avail_in = n;
                zs.next_out = z;
                zs.avail_out = cap;
                check(deflate(&zs, Z_FINISH) == Z_STREAM_END);
                zn = zs.total_out;
                deflateEnd(&zs);
                src = z;
                src_len = zn;
                dst_len = n;
            }
            make_sgl(&s_c, (uint8_t *)src, NULL, 0, src_len, false);
            make_sgl(&d_c, out, NULL, 0, dst_len, false);
            /* source pages in the first half of the pool, output after */
            make_sgl(&s_p, NULL, pool, pool_pages / 2, src_len, true);
            make_sgl(&d_p, NULL, pool + pool_pages / 2 * PAGE,
                     pool_pages / 2, dst_len, true);
            sgl_copy_in(&s_p, src);
            memset(tl, 0, sizeof(tl));
            for (double left = secs; left > 0; left -= SLICE) {
                double slice = MIN(left, SLICE);

#ifdef CONFIG_AWD_ISAL
                if (table) {
                    run_isal(comp, level, src, src_len, out, dst_len, slice,
                             &tl[0]);
                } else
#endif
                {
                    run_zlib(comp, level, src, src_len, out, dst_len, slice,
                             &tl[0]);
                }
                run_engine(e, ie, comp, level, &s_c, &d_c, slice, &tl[1]);
                run_engine(e, ie, comp, level, &s_p, &d_p, slice, &tl[2]);
            }
            rz = tl[0].ops / tl[0].secs;
            rc = tl[1].ops / tl[1].secs;
            rp = tl[2].ops / tl[2].secs;
            printf("%-12s %8zu %10.1f %10.1f %10.1f %7.2fx %7.2fx\n",
                   comp ? (level == 1 ? "compress-L1" : "compress-L6") :
                   "decompress", n, rz * bytes / 1e6, rc * bytes / 1e6,
                   rp * bytes / 1e6, rc / rz, rp / rz);
            free(s_c.seg);
            free(d_c.seg);
            free(s_p.seg);
            free(d_p.seg);
        }
    }
    }
    awd_isal_free(zi);
    awd_deflate_engine_free(e);
    free(in);
    free(z);
    free(out);
    free(pool);
    return 0;
}
