/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd request execution, the same for every queue format: check an
 * operation's fields, reach its buffers through the translation client
 * and run the engine on them. Buffers come as one range of the queue's
 * address space (mapped directly, the destination on demand behind the
 * ATC) or, from list formats, as extents gathered into and scattered out
 * of a bounce buffer.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/range.h"
#include "qemu/units.h"
#include "accel-wd-fmt.h"

/*
 * Behind the ATC the destination is mapped as the engine reaches it, not
 * all up front: a process's output buffer is usually much larger than
 * the output, and every page mapped may cost a page request. The first
 * window and each step are AWD_DST_WINDOW up to half of what is mapped,
 * at most AWD_DST_STEP_MAX.
 */
#define AWD_DST_WINDOW      (64 * KiB)
#define AWD_DST_STEP_MAX    (256 * KiB)

void awd_extents_add(AwdExtents *e, uint64_t addr, uint32_t len)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->ext = g_renew(AwdExtent, e->ext, e->cap);
    }
    e->ext[e->n].addr = addr;
    e->ext[e->n].len = len;
    e->n++;
    e->total += len;
}

void awd_extents_clear(AwdExtents *e)
{
    e->n = 0;
    e->total = 0;
}

static bool range_wraps(uint64_t addr, uint64_t len)
{
    return len && addr + len - 1 < addr;
}

static bool ranges_hit(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && ranges_overlap(a, alen, b, blen);
}

/*
 * Polled by the engines between chunks. Also the point where a device-TLB
 * invalidation that waits for this worker's mappings gets them back
 * (awd_xlate_checkpoint): if one of its pages moved, the engine stops and
 * op_comp() runs the request again from the start.
 */
static bool q_abort_cb(void *opaque)
{
    AwdQueue *q = opaque;

    /* also stop an engine whose destination could not be mapped further */
    if (qatomic_read(&q->abort) || q->dst_status != AWD_STS_OK) {
        return true;
    }
    if (!awd_xlate_checkpoint(&q->xlate)) {
        q->restart = true;
        return true;
    }
    return false;
}

/* ---- buffers named by extents ----------------------------------------- */

static uint8_t *bounce(uint8_t **buf, size_t *size, size_t len)
{
    if (*size < len) {
        g_free(*buf);
        *buf = g_malloc(len);
        *size = len;
    }
    return *buf;
}

/* Copy between the extents of @e and @buf, @len bytes from the start */
static uint32_t extents_copy(AwdQueue *q, const AwdExtents *e, uint8_t *buf,
                             uint64_t len, bool is_write, uint64_t *fault)
{
    unsigned i;
    uint32_t st;

    for (i = 0; i < e->n && len; i++) {
        uint32_t n = MIN(e->ext[i].len, len);

        st = is_write ?
             awd_xlate_write(&q->xlate, e->ext[i].addr, buf, n, fault) :
             awd_xlate_read(&q->xlate, e->ext[i].addr, buf, n, fault);
        if (st != AWD_STS_OK) {
            return st;
        }
        buf += n;
        len -= n;
    }
    return AWD_STS_OK;
}

/* Read a buffer, plain or listed, into @buf */
static uint32_t buf_read(AwdQueue *q, const AwdExtents *e, uint64_t addr,
                         void *buf, size_t len, uint64_t *fault)
{
    return e ? extents_copy(q, e, buf, len, false, fault) :
               awd_xlate_read(&q->xlate, addr, buf, len, fault);
}

static uint32_t buf_write(AwdQueue *q, const AwdExtents *e, uint64_t addr,
                          const void *buf, size_t len, uint64_t *fault)
{
    return e ? extents_copy(q, e, (uint8_t *)buf, len, true, fault) :
               awd_xlate_write(&q->xlate, addr, buf, len, fault);
}

/* ---- checks ------------------------------------------------------------ */

/* Checks common to every opcode; returns an enum awd_status. */
static uint32_t req_check(const AwdReq *r)
{
    if (r->opcode >= AWD_OP_MAX || r->opcode == AWD_OP_BATCH) {
        return AWD_STS_INVALID_OPCODE;
    }
    if ((r->flags & ~AWD_DF_VALID_MASK) || r->rsvd_set) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (r->opcode != AWD_OP_COMPRESS && r->opcode != AWD_OP_DECOMPRESS &&
        (r->flags & (AWD_DF_STREAM | AWD_DF_STREAM_INIT | AWD_DF_FINAL))) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (!(r->flags & AWD_DF_STREAM) &&
        (r->flags & (AWD_DF_STREAM_INIT | AWD_DF_FINAL))) {
        return AWD_STS_INVALID_FLAGS;
    }
    return AWD_STS_OK;
}

static uint32_t comp_check(AwdQueue *q, const AwdReq *r)
{
    bool compress = r->opcode == AWD_OP_COMPRESS;
    bool stream = r->flags & AWD_DF_STREAM;
    unsigned fmt = (r->param >> AWD_PARAM_FMT_SHIFT) & AWD_PARAM_FMT_MASK;
    unsigned level = (r->param >> AWD_PARAM_LEVEL_SHIFT) &
                     AWD_PARAM_LEVEL_MASK;
    unsigned wbits = (r->param >> AWD_PARAM_WBITS_SHIFT) &
                     AWD_PARAM_WBITS_MASK;
    bool empty_ok = stream && (r->flags & AWD_DF_FINAL);
    uint32_t max = q->dev->params.max_xfer;

    if ((r->param & ~(AWD_PARAM_COMP_VALID_MASK | AWD_PARAM_WBITS_VALID)) ||
        fmt > AWD_FMT_GZIP || (compress && (level < 1 || level > 9)) ||
        (compress && wbits && (wbits < 9 || wbits > 15 ||
                               (stream && wbits != 15))) || r->key ||
        (stream ? (!r->ctx || (r->ctx & (AWD_STREAM_CTX_ALIGN - 1))) :
                  r->ctx != 0)) {
        return AWD_STS_INVALID_PARAM;
    }
    if ((!r->src_len && !empty_ok) || !r->dst_len ||
        r->src_len > max || r->dst_len > max ||
        range_wraps(r->src, r->src_len) || range_wraps(r->dst, r->dst_len)) {
        return AWD_STS_INVALID_LEN;
    }
    if (r->src_ext || r->dst_ext) {
        return AWD_STS_OK;      /* bounced: overlaps do no harm */
    }
    if (ranges_hit(r->src, r->src_len, r->dst, r->dst_len) ||
        (stream && (ranges_hit(r->ctx, AWD_STREAM_CTX_BYTES,
                               r->src, r->src_len) ||
                    ranges_hit(r->ctx, AWD_STREAM_CTX_BYTES,
                               r->dst, r->dst_len)))) {
        return AWD_STS_OVERLAP;
    }
    return AWD_STS_OK;
}

/* ---- the destination on demand ---------------------------------------- */

/* How much the next extension of @m maps */
static uint64_t dst_step(const AwdMapping *m)
{
    uint64_t step = MIN(MAX(AWD_DST_WINDOW, m->len / 2), AWD_DST_STEP_MAX);

    return MIN(step, m->sgl.limit - m->len);
}

static bool dst_extend(void *opaque)
{
    AwdQueue *q = opaque;
    AwdMapping *m = q->dst_map;
    uint64_t add = dst_step(m);
    uint32_t st;

    if (q->dst_status != AWD_STS_OK || !add) {
        return false;
    }
    st = awd_xlate_extend(&q->xlate, m, add, &q->dst_fault);
    if (st != AWD_STS_OK) {
        q->dst_status = st;
        return false;
    }
    /* the host faults in the next step while the engine fills this one */
    awd_xlate_prefetch(&q->xlate, m, dst_step(m));
    return true;
}

/* Map a plain destination: behind the ATC only its first window */
static uint32_t map_dst(AwdQueue *q, const AwdReq *r, AwdMapping *dst,
                        uint64_t *fault)
{
    bool on_demand = r->dst_len > AWD_DST_WINDOW &&
                     awd_xlate_on_demand(&q->xlate);
    uint32_t st;

    st = awd_xlate_map(&q->xlate, r->dst,
                       on_demand ? AWD_DST_WINDOW : r->dst_len, true, dst,
                       fault);
    if (st == AWD_STS_OK && on_demand && !awd_xlate_is_atc(dst)) {
        /* the IOMMU declined ATS after all: plain DMA, map it whole */
        awd_xlate_unmap(&q->xlate, dst, 0);
        st = awd_xlate_map(&q->xlate, r->dst, r->dst_len, true, dst, fault);
    } else if (st == AWD_STS_OK && on_demand) {
        /* the first window now, the rest as the engine reaches it */
        dst->sgl.extend = dst_extend;
        dst->sgl.extend_opaque = q;
        dst->sgl.limit = r->dst_len;
        awd_xlate_prefetch(&q->xlate, dst, dst_step(dst));
    }
    return st;
}

/* ---- compression ------------------------------------------------------- */

/* The engine's view of a request's buffers, and what holds them */
typedef struct CompBufs {
    AwdMapping src, dst;        /* plain buffers */
    AwdSeg src_seg, dst_seg;    /* bounced listed buffers */
    AwdSgl src_sgl, dst_sgl;
    const AwdSgl *src_view, *dst_view;
} CompBufs;

static uint32_t comp_get_src(AwdQueue *q, const AwdReq *r, CompBufs *b,
                             AwdResult *res)
{
    uint32_t st;

    if (!r->src_ext) {
        b->src_view = &b->src.sgl;
        return awd_xlate_map(&q->xlate, r->src, r->src_len, false, &b->src,
                             &res->fault_addr);
    }
    b->src_seg.base = bounce(&q->bounce_src, &q->bounce_src_size,
                             MAX(r->src_len, 1));
    b->src_seg.len = r->src_len;
    b->src_sgl = (AwdSgl) {
        .seg = &b->src_seg, .nseg = 1, .total = r->src_len,
    };
    b->src_view = &b->src_sgl;
    st = extents_copy(q, r->src_ext, b->src_seg.base, r->src_len, false,
                      &res->fault_addr);
    return st;
}

static uint32_t comp_get_dst(AwdQueue *q, const AwdReq *r, CompBufs *b,
                             AwdResult *res)
{
    if (!r->dst_ext) {
        b->dst_view = &b->dst.sgl;
        return map_dst(q, r, &b->dst, &res->fault_addr);
    }
    b->dst_seg.base = bounce(&q->bounce_dst, &q->bounce_dst_size,
                             r->dst_len);
    b->dst_seg.len = r->dst_len;
    b->dst_sgl = (AwdSgl) {
        .seg = &b->dst_seg, .nseg = 1, .total = r->dst_len,
    };
    b->dst_view = &b->dst_sgl;
    return AWD_STS_OK;
}

/* Give the buffers back; @written bytes of the destination were written */
static void comp_put(AwdQueue *q, CompBufs *b, uint64_t written)
{
    if (b->dst_view == &b->dst.sgl) {
        awd_xlate_unmap(&q->xlate, &b->dst, written);
    }
    if (b->src_view == &b->src.sgl) {
        awd_xlate_unmap(&q->xlate, &b->src, 0);
    }
    awd_mapping_free(&b->src);
    awd_mapping_free(&b->dst);
}

/* Run the engine; false if it was aborted (reset, VM stop) */
static bool comp_engine(AwdQueue *q, const AwdReq *r, CompBufs *b,
                        AwdEngineResult *er)
{
    bool compress = r->opcode == AWD_OP_COMPRESS;
    bool stream = r->flags & AWD_DF_STREAM;
    AwdDeflateOp op = {
        .compress = compress,
        .fmt = (r->param >> AWD_PARAM_FMT_SHIFT) & AWD_PARAM_FMT_MASK,
        .level = (r->param >> AWD_PARAM_LEVEL_SHIFT) & AWD_PARAM_LEVEL_MASK,
        .wbits = compress ? (r->param >> AWD_PARAM_WBITS_SHIFT) &
                            AWD_PARAM_WBITS_MASK : 0,
        .stream = stream,
        .stream_init = r->flags & AWD_DF_STREAM_INIT,
        .final = r->flags & AWD_DF_FINAL,
        .src = b->src_view,
        .dst = b->dst_view,
        .ctx = stream ? q->stream_ctx : NULL,
        .abort = q_abort_cb,
        .opaque = q,
    };
    bool done = false;

    if (q->isal && !awd_isal_run(q->isal, &op, er, &done)) {
        return false;
    }
    return done || awd_deflate_run(q->engine, &op, er);
}

/* After the engine: publish the stream context, scatter listed output */
static uint32_t comp_finish(AwdQueue *q, const AwdReq *r, CompBufs *b,
                            const AwdEngineResult *er, AwdResult *res)
{
    uint32_t st;

    if (r->dst_ext && er->status == AWD_STS_OK) {
        st = extents_copy(q, r->dst_ext, b->dst_seg.base,
                          MIN(er->produced, r->dst_len), true,
                          &res->fault_addr);
        if (st != AWD_STS_OK) {
            res->flags |= AWD_CF_FAULT_WRITE;
            return st;
        }
    }
    if ((r->flags & AWD_DF_STREAM) && er->status == AWD_STS_OK) {
        st = awd_xlate_write(&q->xlate, r->ctx, q->stream_ctx,
                             AWD_STREAM_CTX_BYTES, &res->fault_addr);
        if (st != AWD_STS_OK) {
            res->flags |= AWD_CF_FAULT_WRITE;
            return st;
        }
    }
    res->consumed = er->consumed;
    res->produced = er->produced;
    res->checksum = er->checksum;
    res->flags |= er->flags;
    return er->status;
}

static uint32_t op_comp(AwdQueue *q, const AwdReq *r, AwdResult *res)
{
    CompBufs b = { 0 };
    AwdEngineResult er = { 0 };
    bool ran;
    uint32_t st = comp_check(q, r);

    if (st != AWD_STS_OK) {
        return st;
    }
again:
    if (r->flags & AWD_DF_STREAM) {
        st = awd_xlate_read(&q->xlate, r->ctx, q->stream_ctx,
                            AWD_STREAM_CTX_BYTES, &res->fault_addr);
        if (st != AWD_STS_OK) {
            return st;
        }
    }
    st = comp_get_src(q, r, &b, res);
    if (st == AWD_STS_OK) {
        st = comp_get_dst(q, r, &b, res);
        if (st != AWD_STS_OK) {
            res->flags |= AWD_CF_FAULT_WRITE;
        }
    }
    if (st != AWD_STS_OK) {
        comp_put(q, &b, 0);
        return st;
    }
    q->dst_map = r->dst_ext ? NULL : &b.dst;
    q->dst_status = AWD_STS_OK;
    ran = comp_engine(q, r, &b, &er);
    q->dst_map = NULL;
    if (q->dst_status != AWD_STS_OK && !qatomic_read(&q->abort)) {
        /* a destination page could not be mapped: fault there */
        comp_put(q, &b, r->dst_len);
        st = q->dst_status;
        res->fault_addr = q->dst_fault;
        q->dst_status = AWD_STS_OK;
        res->flags |= AWD_CF_FAULT_WRITE;
        return st;
    }
    if (q->restart && !qatomic_read(&q->abort)) {
        /*
         * A page under the engine moved (invalidated and mapped elsewhere):
         * nothing is published yet (the stream context is written at the
         * end), so running it again from the start is exact.
         */
        q->restart = false;
        comp_put(q, &b, r->dst_len);
        memset(&b, 0, sizeof(b));
        memset(&er, 0, sizeof(er));
        res->fault_addr = 0;
        goto again;
    }
    q->restart = false;
    if (q->dst_status != AWD_STS_OK || !ran) {
        q->dst_status = AWD_STS_OK;     /* reset while waiting for a page */
        comp_put(q, &b, r->dst_len);
        return AWD_STS_ABORTED;
    }
    comp_put(q, &b, MIN(er.produced, r->dst_len));
    return comp_finish(q, r, &b, &er, res);
}

/* ---- RSA --------------------------------------------------------------- */

static uint32_t rsa_check(AwdQueue *q, const AwdReq *r, size_t klen,
                          AwdResult *res)
{
    size_t len = r->src_len;

    if (r->param > AWD_RSA_CRT || r->ctx) {
        return AWD_STS_INVALID_PARAM;
    }
    if (!r->src_len || !r->dst_len ||
        r->src_len > q->dev->params.max_xfer ||
        r->dst_len > q->dev->params.max_xfer) {
        return AWD_STS_INVALID_LEN;
    }
    if (!klen) {
        return AWD_STS_BAD_KEY;         /* length outside 512..4096 bits */
    }
    if (r->dst_len < len) {
        res->produced = len;
        return AWD_STS_DST_TOO_SMALL;
    }
    if (range_wraps(r->src, len) || range_wraps(r->dst, len) ||
        range_wraps(r->key, klen)) {
        return AWD_STS_INVALID_LEN;
    }
    if (!r->dst_ext && ranges_hit(r->dst, len, r->key, klen)) {
        return AWD_STS_OVERLAP;
    }
    return AWD_STS_OK;
}

static uint32_t op_rsa(AwdQueue *q, const AwdReq *r, AwdResult *res)
{
    size_t len = r->src_len;
    size_t klen = awd_rsa_key_len(r->param, len);
    g_autofree uint8_t *key = NULL, *in = NULL, *out = NULL;
    AwdRsaOp op;
    uint32_t st = rsa_check(q, r, klen, res);

    if (st != AWD_STS_OK) {
        return st;
    }
    key = g_malloc(klen);
    in = g_malloc(len);
    out = g_malloc(len);
    st = awd_xlate_read(&q->xlate, r->key, key, klen, &res->fault_addr);
    if (st == AWD_STS_OK) {
        st = buf_read(q, r->src_ext, r->src, in, len, &res->fault_addr);
    }
    if (st != AWD_STS_OK) {
        return st;
    }
    op = (AwdRsaOp) {
        .form = r->param, .len = len, .in = in, .key = key, .out = out,
    };
    st = awd_rsa_run(&op);
    if (st != AWD_STS_OK) {
        return st;
    }
    if (qatomic_read(&q->abort)) {
        return AWD_STS_ABORTED;
    }
    st = buf_write(q, r->dst_ext, r->dst, out, len, &res->fault_addr);
    if (st != AWD_STS_OK) {
        res->flags |= AWD_CF_FAULT_WRITE;
        return st;
    }
    res->consumed = len;
    res->produced = len;
    return AWD_STS_OK;
}

void awd_exec(AwdQueue *q, AwdReq *r, AwdResult *res)
{
    uint32_t st = req_check(r);

    if (st == AWD_STS_OK) {
        switch (r->opcode) {
        case AWD_OP_NOP:
            break;
        case AWD_OP_COMPRESS:
        case AWD_OP_DECOMPRESS:
            st = op_comp(q, r, res);
            break;
        case AWD_OP_RSA:
            st = op_rsa(q, r, res);
            break;
        default:
            st = AWD_STS_INVALID_OPCODE;
            break;
        }
    }
    res->status = st;
    if (st != AWD_STS_FAULT && st != AWD_STS_DMA_ERROR) {
        res->fault_addr = 0;
    }
    awd_tm_account(q, r, res);
}
