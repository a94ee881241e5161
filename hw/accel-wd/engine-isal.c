/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd ISA-L engine (engine=isal): Intel's ISA-L igzip for
 * single-shot compression at levels 1-3 and for single-shot
 * decompression. Compression writes the same formats (raw deflate, zlib,
 * gzip; 32 KiB window) that any inflate reads, not zlib's bytes;
 * decompressed bytes are the same by definition. A decompression ISA-L
 * does not finish cleanly (corrupt or truncated input, a bad check value,
 * a destination too small) is left to zlib, which decodes it again, so
 * status, consumed and produced of a failing request are exactly zlib's.
 * Streams, other levels and windows, and a gzip header with its own CRC
 * (FHCRC) stay with zlib (engine-deflate.c). Without libisal at build
 * time awd_isal_available() is false and engine=isal is refused.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "accel_wd_hw.h"
#include "engine.h"
#include "engine-sgl.h"

#ifdef CONFIG_AWD_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

/*
 * Output segments shorter than ISAL_BOUNCE (a process's 4 KiB pages) are
 * bounced and input segments shorter than ISAL_GATHER gathered: ISA-L
 * called on short buffers copies them into its own (inflate: decodes into
 * its window buffer and moves it for every call), which cost 5-8% at
 * 1 MiB in pages (tests/unit/bench-engine).
 */
#define ISAL_BOUNCE         (256 * 1024)
#define ISAL_GATHER         (256 * 1024)
#define ISAL_CHUNK          (1024 * 1024)

struct AwdIsal {
    struct isal_zstream zs;
    uint8_t *level_buf;
    size_t level_buf_size;
    struct inflate_state *inf;
    uint8_t *bounce;            /* ISAL_BOUNCE bytes */
    uint8_t *gather;            /* ISAL_GATHER bytes */
};

bool awd_isal_available(void)
{
    return true;
}

AwdIsal *awd_isal_new(void)
{
    return calloc(1, sizeof(AwdIsal));
}

void awd_isal_free(AwdIsal *z)
{
    if (z) {
        free(z->level_buf);
        free(z->inf);
        free(z->bounce);
        free(z->gather);
        free(z);
    }
}

/* The bounce and gather buffers, and the inflate state, at first use */
static bool io_buffers(AwdIsal *z, bool inflate)
{
    if (inflate && !z->inf) {
        z->inf = malloc(sizeof(*z->inf));
    }
    if (!z->bounce) {
        z->bounce = malloc(ISAL_BOUNCE);
    }
    if (!z->gather) {
        z->gather = malloc(ISAL_GATHER);
    }
    return (!inflate || z->inf) && z->bounce && z->gather;
}

static size_t level_buf_size(unsigned level)
{
    return level == 1 ? ISAL_DEF_LVL1_DEFAULT :
           level == 2 ? ISAL_DEF_LVL2_DEFAULT : ISAL_DEF_LVL3_DEFAULT;
}

/* The next input: a long segment, or short ones gathered */
static size_t next_input(AwdIsal *z, SgCur *in, size_t left, uint8_t **p)
{
    size_t span = MIN(cur_span(in, p), left);

    if (span < ISAL_GATHER && span < left) {
        *p = z->gather;
        return cur_read(in, z->gather, MIN(left, ISAL_GATHER));
    }
    span = MIN(span, ISAL_CHUNK);
    cur_advance(in, span);
    return span;
}

bool awd_isal_compress(AwdIsal *z, const AwdDeflateOp *op,
                       AwdEngineResult *res, bool *done)
{
    struct isal_zstream *zs = &z->zs;
    size_t src_len = op->src->total, fed = 0, need, given = 0, written = 0;
    bool bounced = false;
    SgCur in, out;
    uint32_t sum;

    *done = false;
    if (!op->compress || op->stream || op->level < 1 || op->level > 3 ||
        (op->wbits && op->wbits != 15) || op->fmt > AWD_FMT_GZIP ||
        !io_buffers(z, false)) {
        return true;                /* not ours: zlib does it */
    }
    need = level_buf_size(op->level);
    if (z->level_buf_size < need) {
        uint8_t *b = realloc(z->level_buf, need);

        if (!b) {
            return true;            /* zlib then */
        }
        z->level_buf = b;
        z->level_buf_size = need;
    }
    memset(res, 0, sizeof(*res));
    /* init alone leaves state of the last stream that corrupts the next */
    memset(zs, 0, sizeof(*zs));
    isal_deflate_init(zs);
    zs->level = op->level;
    zs->level_buf = z->level_buf;
    zs->level_buf_size = need;
    zs->gzip_flag = op->fmt == AWD_FMT_GZIP ? IGZIP_GZIP :
                    op->fmt == AWD_FMT_ZLIB ? IGZIP_ZLIB : IGZIP_DEFLATE;
    zs->flush = NO_FLUSH;
    sum = awd_csum_init(op->fmt);
    cur_init(&in, op->src);
    cur_init(&out, op->dst);

    for (;;) {
        uint32_t out_before, in_before;
        size_t made;
        int ret;

        if (op->abort && op->abort(op->opaque)) {
            return false;
        }
        /* next input once the last is used up */
        if (!zs->avail_in && fed < src_len) {
            uint8_t *p;
            size_t k = next_input(z, &in, src_len - fed, &p);

            if (!k) {
                break;              /* cannot happen: the source is mapped */
            }
            zs->next_in = p;
            zs->avail_in = k;
            sum = awd_csum(op->fmt, sum, p, k);
            fed += k;
        }
        zs->end_of_stream = fed == src_len;
        if (!zs->avail_out) {
            uint8_t *p;
            size_t room = awd_sgl_limit(op->dst) - written;

            /* the last span is full: past it (out of the bounce buffer) */
            if (bounced && cur_write(&out, z->bounce, given) != given) {
                break;              /* the destination could not take it */
            }
            if (!bounced) {
                cur_advance(&out, given);
            }
            written += given;
            room -= given;
            given = MIN(cur_span(&out, &p), ISAL_CHUNK);
            if (!given) {
                break;              /* destination full */
            }
            bounced = given < ISAL_BOUNCE && room > given;
            if (bounced) {
                p = z->bounce;
                given = MIN(room, ISAL_BOUNCE);
            }
            zs->next_out = p;
            zs->avail_out = given;
        }
        out_before = zs->avail_out;
        in_before = zs->avail_in;
        ret = isal_deflate(zs);
        awd_simd_settle();
        if (ret != COMP_OK) {
            res->status = AWD_STS_INVALID_PARAM;
            *done = true;
            return true;
        }
        if (zs->internal_state.state == ZSTATE_END) {
            made = given - zs->avail_out;
            if (bounced && cur_write(&out, z->bounce, made) != made) {
                break;
            }
            res->status = AWD_STS_OK;
            res->consumed = src_len;
            res->produced = zs->total_out;
            res->checksum = sum;
            res->flags |= AWD_CF_STREAM_END;
            *done = true;
            return true;
        }
        if (zs->avail_out == out_before && zs->avail_in == in_before &&
            zs->avail_out) {
            /* neither input used nor output made with room: a bug */
            res->status = AWD_STS_INVALID_PARAM;
            *done = true;
            return true;
        }
    }
    res->status = AWD_STS_DST_TOO_SMALL;
    res->consumed = 0;
    res->produced = MIN(awd_deflate_bound(op->fmt, src_len), UINT32_MAX);
    *done = true;
    return true;
}

/* ---- decompression ---------------------------------------------------- */

static size_t trailer_size(unsigned fmt)
{
    return fmt == AWD_FMT_ZLIB ? 4 : fmt == AWD_FMT_GZIP ? 8 : 0;
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The wrapper's trailer @t against the output's check value and size */
static bool trailer_matches(unsigned fmt, const uint8_t *t, uint32_t sum,
                            uint32_t size)
{
    if (fmt == AWD_FMT_ZLIB) {
        return get_be32(t) == sum;
    }
    return fmt == AWD_FMT_RAW ||
           (get_le32(t) == sum && get_le32(t + 4) == size);
}

/* How an inflate by ISA-L ended */
typedef enum InfEnd {
    INF_DONE,                  /* the deflate data ended; res filled */
    INF_ZLIB,                  /* not cleanly: zlib decides */
    INF_ABORTED,
} InfEnd;

/*
 * Inflate the raw deflate data of @op->src from byte @hdr on. On
 * INF_DONE, *@end is the input byte after the deflate data, res holds
 * produced and the check value of the output.
 */
static InfEnd inflate_blocks(AwdIsal *z, const AwdDeflateOp *op, size_t hdr,
                              size_t *end, AwdEngineResult *res)
{
    struct inflate_state *st = z->inf;
    size_t in_len = op->src->total, fed = hdr, made = 0;
    uint32_t sum = awd_csum_init(op->fmt);
    SgCur in, out;

    isal_inflate_init(st);
    st->crc_flag = ISAL_DEFLATE;
    cur_init(&in, op->src);
    cur_advance(&in, hdr);
    cur_init(&out, op->dst);
    for (;;) {
        uint8_t *ip, *outp, dummy;
        size_t ospan, room, got, span;
        uint32_t avail_in;
        bool bounce;
        int ret;

        if (op->abort && op->abort(op->opaque)) {
            return INF_ABORTED;
        }
        if (!st->avail_in && fed < in_len) {
            span = next_input(z, &in, in_len - fed, &ip);
            if (!span) {
                return INF_ZLIB;    /* cannot happen: the source is mapped */
            }
            st->next_in = ip;
            st->avail_in = span;
            fed += span;
        }
        ospan = MIN(cur_span(&out, &outp), ISAL_CHUNK);
        room = awd_sgl_limit(op->dst) - made;
        bounce = ospan && ospan < ISAL_BOUNCE && room > ospan;
        if (bounce) {
            outp = z->bounce;
            ospan = MIN(room, ISAL_BOUNCE);
        }
        /* with no room left it may still reach the end of the data */
        st->next_out = ospan ? outp : &dummy;
        st->avail_out = ospan;
        avail_in = st->avail_in;
        ret = isal_inflate(st);
        awd_simd_settle();
        got = ospan - st->avail_out;
        if (got) {
            sum = awd_csum(op->fmt, sum, outp, got);
            if (bounce) {
                cur_write(&out, z->bounce, got);
            } else {
                cur_advance(&out, got);
            }
            made += got;
        }
        if (ret != ISAL_DECOMP_OK) {
            return INF_ZLIB;       /* corrupt data */
        }
        if (st->block_state == ISAL_BLOCK_FINISH) {
            break;
        }
        if (!ospan) {
            return INF_ZLIB;       /* too small, or cut short */
        }
        if (st->avail_out && !st->avail_in && fed == in_len) {
            return INF_ZLIB;       /* all input used, room left: cut short */
        }
        if (!got && st->avail_in == avail_in && st->avail_out) {
            return INF_ZLIB;       /* no progress: not expected */
        }
    }
    /* the bits ISA-L read ahead past the end of the data go back */
    *end = fed - st->avail_in - MAX(st->read_in_length, 0) / 8;
    res->produced = made;
    res->checksum = sum;
    return INF_DONE;
}

bool awd_isal_inflate(AwdIsal *z, const AwdDeflateOp *op,
                      AwdEngineResult *res, bool *done)
{
    size_t tlen = trailer_size(op->fmt), end;
    uint8_t t[8], flg = 0;
    long hdr = 0;
    SgCur c;

    *done = false;
    if (op->compress || op->stream || op->fmt > AWD_FMT_GZIP ||
        !io_buffers(z, true)) {
        return true;                /* not ours: zlib does it */
    }
    if (op->fmt != AWD_FMT_RAW) {
        hdr = awd_deflate_header_len(op->fmt, op->src);
        if (op->fmt == AWD_FMT_GZIP && hdr > 3) {
            cur_init(&c, op->src);
            cur_advance(&c, 3);
            cur_read(&c, &flg, 1);
        }
        if (hdr <= 0 || (flg & 0x02)) {
            return true;            /* bad, cut short, or FHCRC: zlib's */
        }
    }
    memset(res, 0, sizeof(*res));
    switch (inflate_blocks(z, op, hdr, &end, res)) {
    case INF_ABORTED:
        return false;
    case INF_ZLIB:
        return true;
    case INF_DONE:
        break;
    }
    cur_init(&c, op->src);
    cur_advance(&c, end);
    if (cur_read(&c, t, tlen) != tlen) {
        return true;                /* trailer cut short */
    }
    if (!trailer_matches(op->fmt, t, res->checksum, res->produced)) {
        return true;                /* bad check value */
    }
    res->status = AWD_STS_OK;
    res->consumed = end + tlen;
    res->flags = AWD_CF_STREAM_END;
    *done = true;
    return true;
}

bool awd_isal_run(AwdIsal *z, const AwdDeflateOp *op, AwdEngineResult *res,
                  bool *done)
{
    return op->compress ? awd_isal_compress(z, op, res, done) :
                          awd_isal_inflate(z, op, res, done);
}

#else

bool awd_isal_available(void)
{
    return false;
}

AwdIsal *awd_isal_new(void)
{
    return NULL;
}

void awd_isal_free(AwdIsal *z)
{
}

bool awd_isal_compress(AwdIsal *z, const AwdDeflateOp *op,
                       AwdEngineResult *res, bool *done)
{
    *done = false;
    return true;
}

bool awd_isal_inflate(AwdIsal *z, const AwdDeflateOp *op,
                      AwdEngineResult *res, bool *done)
{
    *done = false;
    return true;
}

bool awd_isal_run(AwdIsal *z, const AwdDeflateOp *op, AwdEngineResult *res,
                  bool *done)
{
    *done = false;
    return true;
}

#endif
