/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd deflate engine: compress and decompress in raw deflate
 * (RFC 1951), zlib (RFC 1950) and gzip (RFC 1952) formats with zlib,
 * single shot or streamed across operations, over scatter lists.
 *
 * Compression always runs zlib as raw deflate with a 32 KiB window and
 * writes the zlib/gzip wrapper itself, so the output is byte-identical to
 * host zlib's deflate() with the same level and default parameters.
 *
 * Streams keep their state in a context the caller provides (guest
 * memory). It holds plain data only: the last 32 KiB of history, the
 * running checksum and sizes, and for decompression the few bits left over
 * at a deflate block boundary. zlib's internal state never leaves this
 * file; every field read back is range-checked, so a forged context can
 * only produce wrong output for its owner. A streamed decompression stops
 * at the last complete deflate block it could decode; the caller presents
 * the rest of the input again (consumed tells how much was used).
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "accel_wd_hw.h"
#include "engine.h"
#include "engine-sgl.h"

#define AWD_WINDOW          32768
#define AWD_CHUNK           (256 * 1024)
/*
 * Single-shot inflate over short segments (a process's 4 KiB pages) goes
 * through contiguous buffers: input segments shorter than AWD_GATHER are
 * gathered first and output shorter than AWD_BOUNCE is bounced. Every
 * inflate() call that stops at a segment end copies its output into
 * zlib's window and leaves the fast loop for its last bytes, which cost
 * ~10% at 1 MiB in 4 KiB pages; the copies cost ~2% (tests/unit/bench-engine:
 * 0.91x host zlib before, 0.97x after).
 */
#define AWD_BOUNCE          (64 * 1024)
#define AWD_GATHER          (64 * 1024)
#define AWD_ZCTX_MAGIC      0x535a5741u /* "AWZS" */
#define AWD_ZCTX_VERSION    1
#define AWD_ZCTX_HIST_OFF   256
/* Longest run of output inside one block a stream may redo */
#define AWD_STREAM_MAX_SKIP (64u << 20)

enum {
    ZCTX_COMPRESS = 1,
    ZCTX_DECOMPRESS = 2,
};

enum {
    ZST_HEADER_DONE = 1 << 0,   /* compress: wrapper header written */
    ZST_ENDED = 1 << 1,         /* stream complete */
};

enum {
    ZPH_HEADER = 0,             /* decompress: parsing the wrapper header */
    ZPH_BLOCKS = 1,
    ZPH_TRAILER = 2,
    ZPH_DONE = 3,
};

/* The context header, stored little-endian at the start of the context. */
typedef struct ZCtx {
    uint32_t magic;
    uint16_t version;
    uint8_t kind;
    uint8_t fmt;
    uint8_t level;
    uint8_t state;              /* ZST_* */
    uint8_t phase;              /* ZPH_*, decompress */
    uint8_t bits;               /* leftover bits at a block boundary */
    uint8_t bitval;
    uint8_t trailer_len;
    uint16_t hist_len;
    uint32_t checksum;
    uint64_t total_in;
    uint64_t total_out;
    uint8_t trailer[8];
    uint64_t skip;              /* output delivered past the boundary */
} ZCtx;

struct AwdDeflateEngine {
    uint8_t scratch[AWD_WINDOW];    /* output already delivered, redone */
    uint8_t hist[AWD_WINDOW];       /* window at the last block boundary */
    uint8_t bounce[AWD_BOUNCE];     /* output of inflate_once, then copied */
    uint8_t gather[AWD_GATHER];     /* input of inflate_once, copied first */
    uInt hist_len;
    z_stream def;
    bool def_ok;
    int def_level;
    int def_wbits;
    z_stream inf;
    bool inf_ok;
    int inf_wbits;
};

/* Copy bytes [from, from + n) of a scatter list. */
static void sg_copy_range(const AwdSgl *sgl, size_t from, uint8_t *buf,
                          size_t n)
{
    SgCur c;

    cur_init(&c, sgl);
    cur_advance(&c, from);
    cur_read(&c, buf, n);
}

/* ---- helpers ---------------------------------------------------------- */

static bool aborted(const AwdDeflateOp *op)
{
    return op->abort && op->abort(op->opaque);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The wrapper header zlib's deflate() writes for @level. */
static size_t wrap_header(unsigned fmt, unsigned level, unsigned wbits,
                          uint8_t *h)
{
    if (fmt == AWD_FMT_ZLIB) {
        unsigned lvl = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
        /* CMF: CINFO = log2(window) - 8, CM = 8 (deflate) */
        unsigned hdr = ((((wbits - 8) << 4) | 8) << 8) | (lvl << 6);

        hdr += 31 - (hdr % 31);
        h[0] = hdr >> 8;
        h[1] = hdr;
        return 2;
    }
    if (fmt == AWD_FMT_GZIP) {
        static const uint8_t gz[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

        memcpy(h, gz, sizeof(gz));
        h[8] = level == 9 ? 2 : level == 1 ? 4 : 0;
        return 10;
    }
    return 0;
}

static size_t wrap_trailer(unsigned fmt, uint32_t sum, uint64_t total_in,
                           uint8_t *t)
{
    if (fmt == AWD_FMT_ZLIB) {
        put_be32(t, sum);
        return 4;
    }
    if (fmt == AWD_FMT_GZIP) {
        put_le32(t, sum);
        put_le32(t + 4, (uint32_t)total_in);
        return 8;
    }
    return 0;
}

size_t awd_deflate_bound(unsigned fmt, size_t len)
{
    size_t wrap = fmt == AWD_FMT_GZIP ? 18 : fmt == AWD_FMT_ZLIB ? 6 : 0;

    /*
     * zlib's tight deflateBound() for default parameters, plus room for a
     * sync-flush marker and a final empty block of a stream.
     */
    return len + (len >> 12) + (len >> 14) + (len >> 25) + 7 + wrap + 16;
}

AwdDeflateEngine *awd_deflate_engine_new(void)
{
    AwdDeflateEngine *e = calloc(1, sizeof(*e));

    return e;
}

void awd_deflate_engine_free(AwdDeflateEngine *e)
{
    if (!e) {
        return;
    }
    if (e->def_ok) {
        deflateEnd(&e->def);
    }
    if (e->inf_ok) {
        inflateEnd(&e->inf);
    }
    free(e);
}

static bool def_prepare(AwdDeflateEngine *e, int level, int wbits)
{
    if (e->def_ok && e->def_wbits != wbits) {
        /* zlib fixes the window at init: start over */
        deflateEnd(&e->def);
        e->def_ok = false;
    }
    if (!e->def_ok) {
        memset(&e->def, 0, sizeof(e->def));
        if (deflateInit2(&e->def, level, Z_DEFLATED, -wbits, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            return false;
        }
        e->def_ok = true;
        e->def_level = level;
        e->def_wbits = wbits;
        return true;
    }
    if (deflateReset(&e->def) != Z_OK) {
        return false;
    }
    if (e->def_level != level) {
        if (deflateParams(&e->def, level, Z_DEFAULT_STRATEGY) != Z_OK) {
            return false;
        }
        e->def_level = level;
    }
    return true;
}

static bool inf_prepare(AwdDeflateEngine *e, int wbits)
{
    if (!e->inf_ok) {
        memset(&e->inf, 0, sizeof(e->inf));
        if (inflateInit2(&e->inf, wbits) != Z_OK) {
            return false;
        }
        e->inf_ok = true;
        e->inf_wbits = wbits;
        return true;
    }
    if (inflateReset2(&e->inf, wbits) != Z_OK) {
        return false;
    }
    e->inf_wbits = wbits;
    return true;
}

/* ---- context load/store ----------------------------------------------- */

static void zctx_load(const uint8_t *b, ZCtx *z)
{
    z->magic = get_le32(b);
    z->version = b[4] | b[5] << 8;
    z->kind = b[6];
    z->fmt = b[7];
    z->level = b[8];
    z->state = b[9];
    z->phase = b[10];
    z->bits = b[11];
    z->bitval = b[12];
    z->trailer_len = b[13];
    z->hist_len = b[14] | b[15] << 8;
    z->checksum = get_le32(b + 16);
    z->total_in = get_le32(b + 20) | (uint64_t)get_le32(b + 24) << 32;
    z->total_out = get_le32(b + 28) | (uint64_t)get_le32(b + 32) << 32;
    memcpy(z->trailer, b + 36, 8);
    z->skip = get_le32(b + 44) | (uint64_t)get_le32(b + 48) << 32;
}

static void zctx_store(uint8_t *b, const ZCtx *z)
{
    memset(b, 0, AWD_ZCTX_HIST_OFF);
    put_le32(b, z->magic);
    b[4] = z->version;
    b[5] = z->version >> 8;
    b[6] = z->kind;
    b[7] = z->fmt;
    b[8] = z->level;
    b[9] = z->state;
    b[10] = z->phase;
    b[11] = z->bits;
    b[12] = z->bitval;
    b[13] = z->trailer_len;
    b[14] = z->hist_len;
    b[15] = z->hist_len >> 8;
    put_le32(b + 16, z->checksum);
    put_le32(b + 20, z->total_in);
    put_le32(b + 24, z->total_in >> 32);
    put_le32(b + 28, z->total_out);
    put_le32(b + 32, z->total_out >> 32);
    memcpy(b + 36, z->trailer, 8);
    put_le32(b + 44, z->skip);
    put_le32(b + 48, z->skip >> 32);
}

static size_t trailer_size(unsigned fmt)
{
    return fmt == AWD_FMT_ZLIB ? 4 : fmt == AWD_FMT_GZIP ? 8 : 0;
}

/* Start a new stream or check that @ctx is one of ours for this op. */
static bool zctx_open(const AwdDeflateOp *op, ZCtx *z)
{
    unsigned kind = op->compress ? ZCTX_COMPRESS : ZCTX_DECOMPRESS;

    if (op->stream_init) {
        memset(z, 0, sizeof(*z));
        z->magic = AWD_ZCTX_MAGIC;
        z->version = AWD_ZCTX_VERSION;
        z->kind = kind;
        z->fmt = op->fmt;
        z->level = op->level;
        z->checksum = awd_csum_init(op->fmt);
        z->phase = op->fmt == AWD_FMT_RAW ? ZPH_BLOCKS : ZPH_HEADER;
        return true;
    }
    zctx_load(op->ctx, z);
    /* every field the code indexes or loops with is range-checked here */
    return z->magic == AWD_ZCTX_MAGIC && z->version == AWD_ZCTX_VERSION &&
           z->kind == kind && z->fmt == op->fmt &&
           !(z->state & ~(ZST_HEADER_DONE | ZST_ENDED)) &&
           !(z->state & ZST_ENDED) && z->phase <= ZPH_TRAILER &&
           (z->fmt != AWD_FMT_RAW || z->phase == ZPH_BLOCKS) &&
           z->bits <= 7 && z->bitval < (1u << z->bits) &&
           z->trailer_len <= trailer_size(z->fmt) &&
           z->hist_len <= AWD_WINDOW && z->skip <= AWD_STREAM_MAX_SKIP;
}

/* history = last 32 KiB of (history || bytes [from, from + n) of sgl) */
static void zctx_push_history(uint8_t *ctx, ZCtx *z, const AwdSgl *sgl,
                              size_t from, size_t n)
{
    uint8_t *hist = ctx + AWD_ZCTX_HIST_OFF;

    if (n >= AWD_WINDOW) {
        sg_copy_range(sgl, from + n - AWD_WINDOW, hist, AWD_WINDOW);
        z->hist_len = AWD_WINDOW;
        return;
    }
    if (z->hist_len + n > AWD_WINDOW) {
        size_t keep = AWD_WINDOW - n;

        memmove(hist, hist + z->hist_len - keep, keep);
        z->hist_len = keep;
    }
    sg_copy_range(sgl, from, hist + z->hist_len, n);
    z->hist_len += n;
}

/* ---- compression ------------------------------------------------------ */

/*
 * Feed all of @in through deflate with @flush at the end. Returns 1 when
 * done, 0 when the output is full, -1 on a zlib error, -2 when aborted.
 */
static int def_pump(const AwdDeflateOp *op, z_stream *zs, SgCur *in,
                    size_t in_len, SgCur *out, int flush, uint32_t *sum)
{
    size_t fed = 0;

    for (;;) {
        uint8_t *ip = NULL, *outp;
        size_t ispan = 0, ospan, used;
        int f = Z_NO_FLUSH, ret;

        if (aborted(op)) {
            return -2;
        }
        if (fed < in_len) {
            ispan = MIN(MIN(cur_span(in, &ip), in_len - fed), AWD_CHUNK);
        }
        if (fed + ispan == in_len) {
            f = flush;
        }
        ospan = MIN(cur_span(out, &outp), AWD_CHUNK);
        if (!ospan) {
            return 0;
        }
        zs->next_in = ip;
        zs->avail_in = ispan;
        zs->next_out = outp;
        zs->avail_out = ospan;
        ret = deflate(zs, f);
        if (ret == Z_STREAM_ERROR) {
            return -1;
        }
        used = ispan - zs->avail_in;
        if (used) {
            *sum = awd_csum(op->fmt, *sum, ip, used);
        }
        fed += used;
        cur_advance(in, used);
        cur_advance(out, ospan - zs->avail_out);
        if (zs->avail_in) {
            continue;               /* output segment full */
        }
        if (f == Z_FINISH && ret == Z_STREAM_END) {
            return 1;
        }
        if (f == Z_SYNC_FLUSH && zs->avail_out) {
            return 1;
        }
    }
}

static bool deflate_op(AwdDeflateEngine *e, const AwdDeflateOp *op,
                       AwdEngineResult *res)
{
    size_t src_len = op->src->total;
    uint8_t wrap[18];
    size_t n, produced;
    ZCtx z;
    SgCur in, out;
    uint32_t sum;
    bool final = !op->stream || op->final;
    int ret;

    if (op->stream && !zctx_open(op, &z)) {
        res->status = AWD_STS_BAD_CONTEXT;
        return true;
    }
    if (!op->stream) {
        memset(&z, 0, sizeof(z));
        z.checksum = awd_csum_init(op->fmt);
    }
    if (!def_prepare(e, op->level, op->wbits ? op->wbits : 15)) {
        res->status = AWD_STS_INVALID_PARAM;
        return true;
    }
    if (op->stream && z.hist_len) {
        deflateSetDictionary(&e->def, op->ctx + AWD_ZCTX_HIST_OFF,
                             z.hist_len);
    }

    cur_init(&in, op->src);
    cur_init(&out, op->dst);
    produced = 0;
    if (!(z.state & ZST_HEADER_DONE)) {
        n = wrap_header(op->fmt, op->level, op->wbits ? op->wbits : 15, wrap);
        if (cur_write(&out, wrap, n) != n) {
            goto too_small;
        }
        produced += n;
    }
    sum = z.checksum;
    ret = def_pump(op, &e->def, &in, src_len, &out,
                   final ? Z_FINISH : Z_SYNC_FLUSH, &sum);
    if (ret == -2) {
        return false;
    }
    if (ret < 0) {
        res->status = AWD_STS_INVALID_PARAM;
        return true;
    }
    if (ret == 0) {
        goto too_small;
    }
    produced += e->def.total_out;
    if (final) {
        n = wrap_trailer(op->fmt, sum, z.total_in + src_len, wrap);
        if (cur_write(&out, wrap, n) != n) {
            goto too_small;
        }
        produced += n;
    }

    res->status = AWD_STS_OK;
    res->consumed = src_len;
    res->produced = produced;
    res->checksum = sum;
    if (op->stream) {
        zctx_push_history(op->ctx, &z, op->src, 0, src_len);
        z.checksum = sum;
        z.total_in += src_len;
        z.total_out += produced;
        z.state |= ZST_HEADER_DONE | (final ? ZST_ENDED : 0);
        z.level = op->level;
        zctx_store(op->ctx, &z);
    }
    if (final) {
        res->flags |= AWD_CF_STREAM_END;
    }
    return true;

too_small:
    res->status = AWD_STS_DST_TOO_SMALL;
    res->consumed = 0;
    res->produced = MIN(awd_deflate_bound(op->fmt, src_len), UINT32_MAX);
    return true;
}

/* ---- decompression, single shot -------------------------------------- */

/*
 * Input for the next inflate() call, @left bytes from cursor @in: the
 * current segment if it is long enough, otherwise bytes gathered into
 * e->gather, which holds input bytes [*@gpos, *@gpos + *@glen).
 */
static size_t gather_input(AwdDeflateEngine *e, SgCur *in, size_t left,
                           size_t *gpos, size_t *glen, uint8_t **p)
{
    size_t pos = in->pos, held = 0, span;
    SgCur peek;

    if (pos >= *gpos && pos < *gpos + *glen) {
        held = *gpos + *glen - pos;
    }
    /* a short rest is gathered again, with what follows it */
    if (held && (held >= AWD_GATHER / 4 || held == left)) {
        *p = e->gather + (pos - *gpos);
        return held;
    }
    span = MIN(cur_span(in, p), left);
    if (span >= AWD_GATHER || span == left) {
        return MIN(span, AWD_CHUNK);
    }
    peek = *in;
    *gpos = pos;
    *glen = cur_read(&peek, e->gather, MIN(left, AWD_GATHER));
    *p = e->gather;
    return *glen;
}

/*
 * Whether inflate, out of room, has output left to give: with all input
 * used that tells a destination too small from a stream cut short. The
 * byte it may write is dropped; the stream is not used again.
 */
static bool wants_output(z_stream *zs)
{
    uint8_t byte;

    zs->next_out = &byte;
    zs->avail_out = 1;
    inflate(zs, Z_NO_FLUSH);
    if (zs->avail_out) {
        return false;
    }
    zs->total_out--;
    return true;
}

/*
 * Whether the wrapper's check may be left to us: all but a gzip header
 * with its own CRC (FHCRC), which only zlib's check covers.
 */
static bool own_check(const AwdDeflateOp *op)
{
    uint8_t flg = 0;

    if (op->fmt == AWD_FMT_GZIP && op->src->total > 3) {
        sg_copy_range(op->src, 3, &flg, 1);
    }
    return op->fmt != AWD_FMT_RAW && !(flg & 0x02);
}

/* The trailer zlib read at the end of the stream against our checksum */
static bool trailer_matches(const AwdDeflateOp *op, const z_stream *zs,
                            uint32_t sum)
{
    size_t n = trailer_size(op->fmt);
    uint8_t t[8];

    if (zs->total_in < n) {
        return false;
    }
    sg_copy_range(op->src, zs->total_in - n, t, n);
    if (op->fmt == AWD_FMT_ZLIB) {
        return get_be32(t) == sum;
    }
    return get_le32(t) == sum && get_le32(t + 4) == (uint32_t)zs->total_out;
}

static bool inflate_once(AwdDeflateEngine *e, const AwdDeflateOp *op,
                         AwdEngineResult *res)
{
    int wbits = op->fmt == AWD_FMT_RAW ? -15 :
                op->fmt == AWD_FMT_ZLIB ? 15 : 31;
    z_stream *zs = &e->inf;
    size_t in_len = op->src->total;
    size_t fed = 0, gpos = 0, glen = 0;
    uint32_t sum = awd_csum_init(op->fmt);
    SgCur in, out;
    bool ours;
    int ret;

    if (!inf_prepare(e, wbits)) {
        res->status = AWD_STS_INVALID_PARAM;
        return true;
    }
    /* zlib's check is the slow part of inflate: checked here instead */
    ours = own_check(op) && inflateValidate(zs, 0) == Z_OK;
    cur_init(&in, op->src);
    cur_init(&out, op->dst);
    for (;;) {
        uint8_t *ip = NULL, *outp, dummy;
        size_t ispan = 0, ospan, room, got;
        bool bounce;

        if (aborted(op)) {
            return false;
        }
        if (fed < in_len) {
            ispan = gather_input(e, &in, in_len - fed, &gpos, &glen, &ip);
        }
        ospan = MIN(cur_span(&out, &outp), AWD_CHUNK);
        room = awd_sgl_limit(op->dst) - zs->total_out;
        bounce = ospan && ospan < AWD_BOUNCE && room > ospan;
        if (bounce) {
            outp = e->bounce;
            ospan = MIN(room, AWD_BOUNCE);
        }
        zs->next_in = ip;
        zs->avail_in = ispan;
        zs->next_out = ospan ? outp : &dummy;   /* may still reach the end */
        zs->avail_out = ospan;
        ret = inflate(zs, Z_NO_FLUSH);
        got = ospan - zs->avail_out;
        if ((op->fmt == AWD_FMT_RAW || ours) && got) {
            sum = awd_csum(op->fmt, sum, outp, got);
        }
        fed += ispan - zs->avail_in;
        cur_advance(&in, ispan - zs->avail_in);
        if (bounce) {
            cur_write(&out, e->bounce, got);
        } else {
            cur_advance(&out, got);
        }
        if (ret == Z_STREAM_END && ours && !trailer_matches(op, zs, sum)) {
            res->status = AWD_STS_DECODE_ERROR;     /* corrupt data */
            break;
        }
        if (ret == Z_STREAM_END) {
            res->status = AWD_STS_OK;
            res->flags |= AWD_CF_STREAM_END;
            break;
        }
        if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT ||
            ret == Z_STREAM_ERROR || ret == Z_MEM_ERROR) {
            res->status = AWD_STS_DECODE_ERROR;
            break;
        }
        if (!ospan) {
            res->status = fed == in_len && !wants_output(zs) ?
                          AWD_STS_DECODE_ERROR :    /* cut short */
                          AWD_STS_DST_TOO_SMALL;
            break;
        }
        if (fed == in_len && zs->avail_out) {
            /* all input used, room left, no end: truncated stream */
            res->status = AWD_STS_DECODE_ERROR;
            break;
        }
    }
    res->consumed = zs->total_in;
    res->produced = zs->total_out;
    res->checksum = op->fmt == AWD_FMT_RAW || ours ? sum : zs->adler;
    return true;
}

/* ---- decompression, streamed ----------------------------------------- */

long awd_deflate_header_len(unsigned fmt, const AwdSgl *src)
{
    uint8_t h[10], b[2];
    SgCur c;
    size_t pos;

    cur_init(&c, src);
    if (fmt == AWD_FMT_ZLIB) {
        if (cur_read(&c, h, 2) != 2) {
            return 0;
        }
        if ((h[0] & 0x0f) != 8 || (h[0] >> 4) > 7 ||
            ((h[0] << 8) | h[1]) % 31 || (h[1] & 0x20)) {
            return -1;
        }
        return 2;
    }
    if (cur_read(&c, h, 10) != 10) {
        return 0;
    }
    if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || (h[3] & 0xe0)) {
        return -1;
    }
    pos = 10;
    if (h[3] & 4) {                         /* FEXTRA */
        size_t xlen;

        if (cur_read(&c, b, 2) != 2) {
            return 0;
        }
        xlen = b[0] | b[1] << 8;
        if (pos + 2 + xlen > src->total) {
            return 0;
        }
        cur_advance(&c, xlen);
        pos += 2 + xlen;
    }
    for (int flag = 8; flag <= 16; flag <<= 1) {   /* FNAME, FCOMMENT */
        if (!(h[3] & flag)) {
            continue;
        }
        do {
            if (cur_read(&c, b, 1) != 1) {
                return 0;
            }
            pos++;
        } while (b[0]);
    }
    if (h[3] & 2) {                         /* FHCRC */
        if (cur_read(&c, b, 2) != 2) {
            return 0;
        }
        pos += 2;
    }
    return pos;
}

/*
 * Streamed decompression. The context holds the state at the last deflate
 * block boundary reached (history, leftover bits, checksum, sizes) plus
 * "skip": how many output bytes past that boundary were already delivered.
 * Each operation restarts at the boundary (the caller presents the input
 * from there again: consumed stops at the boundary), decodes the first
 * skip bytes into scratch, then writes new output into the destination.
 * So every operation with output room makes progress, even inside a block
 * larger than the destination.
 */
/*
 * A streamed decompression's progress within one descriptor. A checkpoint
 * (ck_*) is the last deflate block boundary passed: what the next
 * descriptor resumes from.
 */
typedef struct InfRun {
    SgCur in, out;
    size_t in_len;
    size_t fed;                 /* input given to zlib */
    size_t ck_in;               /* input at the last boundary */
    uint64_t made, ck_made;     /* output since the old boundary */
    size_t delivered;           /* bytes written to dst */
    uint32_t sum, ck_sum;
    uint8_t ck_bits, ck_val, last_byte;
    bool ended, new_ck, out_full;
} InfRun;

/* What a step of the stream decided */
typedef enum InfNext {
    INF_GO_ON,                  /* next step */
    INF_STOP,                   /* this descriptor's work is done */
    INF_RESULT,                 /* res->status is the answer */
    INF_ABORTED,
} InfNext;

/* Parse the wrapper's header if the stream is still before it */
static InfNext inf_stream_header(const AwdDeflateOp *op, ZCtx *z,
                                 AwdEngineResult *res, size_t *hdr)
{
    long h;

    *hdr = 0;
    if (z->phase != ZPH_HEADER) {
        return INF_GO_ON;
    }
    h = awd_deflate_header_len(op->fmt, op->src);
    if (h < 0) {
        res->status = AWD_STS_DECODE_ERROR;
        return INF_RESULT;
    }
    if (h == 0) {
        /* header incomplete: present more input */
        res->status = op->final ? AWD_STS_DECODE_ERROR : AWD_STS_OK;
        if (!op->final && op->stream_init) {
            zctx_store(op->ctx, z);
        }
        return INF_RESULT;
    }
    *hdr = h;
    z->phase = ZPH_BLOCKS;
    return INF_GO_ON;
}

/* A block boundary passed: remember it as the new checkpoint */
static void inf_checkpoint(AwdDeflateEngine *e, InfRun *r, int ret)
{
    z_stream *zs = &e->inf;

    r->ck_in = r->fed;
    r->ck_made = r->made;
    r->ck_sum = r->sum;
    r->ck_bits = ret == Z_STREAM_END ? 0 : zs->data_type & 7;
    r->ck_val = r->ck_bits ? r->last_byte >> (8 - r->ck_bits) : 0;
    e->hist_len = sizeof(e->hist);
    inflateGetDictionary(zs, e->hist, &e->hist_len);
    r->new_ck = true;
}

/*
 * One inflate() call, up to the next block boundary. Output before z->skip
 * was delivered by an earlier descriptor: it goes to scratch.
 */
static InfNext inf_stream_step(AwdDeflateEngine *e, const AwdDeflateOp *op,
                               const ZCtx *z, InfRun *r,
                               AwdEngineResult *res)
{
    z_stream *zs = &e->inf;
    uint8_t *ip = NULL, *outp, dummy;
    size_t ispan = 0, ospan, used, got;
    bool to_dst = r->made >= z->skip;
    int ret;

    if (r->fed < r->in_len) {
        ispan = MIN(MIN(cur_span(&r->in, &ip), r->in_len - r->fed),
                    AWD_CHUNK);
    }
    if (to_dst) {
        ospan = MIN(cur_span(&r->out, &outp), AWD_CHUNK);
        if (!ospan) {
            r->out_full = true;
            outp = &dummy;
        }
    } else {
        outp = e->scratch;
        ospan = MIN(sizeof(e->scratch), z->skip - r->made);
    }
    zs->next_in = ip;
    zs->avail_in = ispan;
    zs->next_out = outp;
    zs->avail_out = ospan;
    ret = inflate(zs, Z_BLOCK);
    used = ispan - zs->avail_in;
    got = ospan - zs->avail_out;
    if (used) {
        r->last_byte = zs->next_in[-1];
    }
    r->fed += used;
    cur_advance(&r->in, used);
    r->sum = awd_csum(op->fmt, r->sum, outp, got);
    r->made += got;
    if (to_dst) {
        cur_advance(&r->out, got);
        r->delivered += got;
    }
    if (ret == Z_STREAM_END || ((zs->data_type & 128) && r->fed > r->ck_in)) {
        if (r->made < z->skip) {
            /* not the input that produced the delivered bytes */
            res->status = AWD_STS_DECODE_ERROR;
            return INF_RESULT;
        }
        inf_checkpoint(e, r, ret);
    }
    if (ret == Z_STREAM_END) {
        r->ended = true;
        return INF_STOP;
    }
    if ((ret != Z_OK && ret != Z_BUF_ERROR) ||
        r->made - r->ck_made > AWD_STREAM_MAX_SKIP) {
        res->status = AWD_STS_DECODE_ERROR;     /* corrupt, absurd block */
        return INF_RESULT;
    }
    /* Z_BUF_ERROR: no progress, out of input or space */
    return ret == Z_BUF_ERROR ? INF_STOP : INF_GO_ON;
}

/* The deflate blocks: inflate from the context's state, then save it */
static InfNext inf_stream_blocks(AwdDeflateEngine *e, const AwdDeflateOp *op,
                                 ZCtx *z, InfRun *r, AwdEngineResult *res)
{
    InfNext next;

    if (!inf_prepare(e, -15)) {
        res->status = AWD_STS_INVALID_PARAM;
        return INF_RESULT;
    }
    if (z->hist_len) {
        inflateSetDictionary(&e->inf, op->ctx + AWD_ZCTX_HIST_OFF,
                             z->hist_len);
    }
    if (z->bits) {
        inflatePrime(&e->inf, z->bits, z->bitval);
    }
    do {
        if (aborted(op)) {
            return INF_ABORTED;
        }
        next = inf_stream_step(e, op, z, r, res);
    } while (next == INF_GO_ON);
    if (next != INF_STOP) {
        return next;
    }
    if (r->new_ck) {
        memcpy(op->ctx + AWD_ZCTX_HIST_OFF, e->hist, e->hist_len);
        z->hist_len = e->hist_len;
        z->checksum = r->ck_sum;
        z->total_out += r->ck_made;
        z->bits = r->ck_bits;
        z->bitval = r->ck_val;
        z->skip = r->made - r->ck_made;
    } else if (r->made > z->skip) {
        z->skip = r->made;
    }
    z->total_in += r->ck_in;
    if (r->ended) {
        z->phase = op->fmt == AWD_FMT_RAW ? ZPH_DONE : ZPH_TRAILER;
    }
    return INF_GO_ON;
}

/* The wrapper's trailer, possibly over several descriptors */
static InfNext inf_stream_trailer(const AwdDeflateOp *op, ZCtx *z, InfRun *r,
                                  AwdEngineResult *res)
{
    size_t need = trailer_size(op->fmt);
    SgCur c;
    size_t got;
    bool ok;

    cur_init(&c, op->src);
    cur_advance(&c, r->ck_in);
    got = cur_read(&c, z->trailer + z->trailer_len, need - z->trailer_len);
    z->trailer_len += got;
    r->ck_in += got;
    z->total_in += got;
    if (z->trailer_len < need) {
        return INF_GO_ON;
    }
    ok = op->fmt == AWD_FMT_ZLIB ?
         get_be32(z->trailer) == z->checksum :
         get_le32(z->trailer) == z->checksum &&
         get_le32(z->trailer + 4) == (uint32_t)z->total_out;
    if (!ok) {
        res->status = AWD_STS_DECODE_ERROR;
        return INF_RESULT;
    }
    z->phase = ZPH_DONE;
    return INF_GO_ON;
}

static bool inflate_stream(AwdDeflateEngine *e, const AwdDeflateOp *op,
                           AwdEngineResult *res)
{
    InfRun r = { .in_len = op->src->total };
    InfNext next;
    size_t hdr;
    ZCtx z;

    if (!zctx_open(op, &z)) {
        res->status = AWD_STS_BAD_CONTEXT;
        return true;
    }
    next = inf_stream_header(op, &z, res, &hdr);
    if (next == INF_RESULT) {
        return true;
    }
    cur_init(&r.in, op->src);
    cur_init(&r.out, op->dst);
    cur_advance(&r.in, hdr);
    r.fed = r.ck_in = hdr;
    r.sum = r.ck_sum = z.checksum;
    r.ck_bits = z.bits;
    r.ck_val = z.bitval;
    if (z.phase == ZPH_BLOCKS) {
        next = inf_stream_blocks(e, op, &z, &r, res);
    } else {
        z.total_in += hdr;
    }
    if (next == INF_GO_ON && z.phase == ZPH_TRAILER) {
        next = inf_stream_trailer(op, &z, &r, res);
    }
    if (next == INF_ABORTED) {
        return false;
    }
    if (next == INF_RESULT) {
        return true;
    }
    if (z.phase == ZPH_DONE) {
        z.state |= ZST_ENDED;
        res->flags |= AWD_CF_STREAM_END;
    } else if (op->final && !r.out_full) {
        res->status = AWD_STS_DECODE_ERROR;     /* truncated stream */
        return true;
    }
    res->status = AWD_STS_OK;
    res->consumed = r.ck_in;
    res->produced = r.delivered;
    res->checksum = z.checksum;
    zctx_store(op->ctx, &z);
    return true;
}

bool awd_deflate_run(AwdDeflateEngine *e, const AwdDeflateOp *op,
                     AwdEngineResult *res)
{
    memset(res, 0, sizeof(*res));
    if (op->fmt > AWD_FMT_GZIP ||
        (op->compress && (op->level < 1 || op->level > 9)) ||
        (op->stream && !op->ctx)) {
        res->status = AWD_STS_INVALID_PARAM;
        return true;
    }
    if (op->compress) {
        return deflate_op(e, op, res);
    }
    return op->stream ? inflate_stream(e, op, res) : inflate_once(e, op, res);
}
