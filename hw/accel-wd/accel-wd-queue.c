/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue front end: per-queue registers and doorbells, the ring
 * and descriptor format of accel_wd_hw.h, and one worker thread per queue
 * that fetches descriptors, checks every field, runs the engines and
 * writes completions with a phase bit.
 *
 * Locking: q->lock protects the queue registers and worker state. The
 * worker drops it while an engine runs and never takes the BQL while it
 * is busy (it only maps RAM), so a vCPU or the main loop, holding the BQL,
 * may wait for it to go idle (device reset, VM stop). It takes the BQL,
 * with q->lock released, only to raise MSI-X.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qemu/atomic.h"
#include "qemu/bitops.h"
#include "qemu/range.h"
#include "qemu/units.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "accel-wd.h"
#include "accel-wd-atc.h"
#include "trace.h"

#define AWD_QCTRL_CONFIG_BITS (AWD_QCTRL_PASID_EN | AWD_QCTRL_PRIV)
#define AWD_QCTRL_RW_BITS (AWD_QCTRL_ENABLE | AWD_QCTRL_PASID_EN | \
                           AWD_QCTRL_PRIV | AWD_QCTRL_IRQ_EN)
#define AWD_QCTRL_ALL_BITS (AWD_QCTRL_RW_BITS | AWD_QCTRL_DRAIN | \
                            AWD_QCTRL_RESET)

static inline uint32_t q_entries(AwdQueue *q)
{
    return 1u << q->ring_order;
}

static bool q_enabled(AwdQueue *q)
{
    return q->ctrl & AWD_QCTRL_ENABLE;
}

static void pool_kick(AccelWdState *s)
{
    qemu_mutex_lock(&s->pool_lock);
    s->pool_gen++;
    qemu_cond_broadcast(&s->pool_cond);
    qemu_mutex_unlock(&s->pool_lock);
}

/* The queue may have work (or must notice a state change). */
static void q_wake(AwdQueue *q)
{
    qemu_cond_signal(&q->wake);
    if (q->dev->params.workers) {
        pool_kick(q->dev);
    }
}

bool awd_queue_in_error(AwdQueue *q)
{
    return qatomic_read(&q->error) != AWD_QERR_NONE;
}

/* ---- interrupts and errors -------------------------------------------- */

/* Caller holds the BQL. */
static void q_notify(AwdQueue *q, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(q->dev);

    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

/*
 * Stop the queue with @err. Called with q->lock held; the device error
 * interrupt is raised by the caller once it may take the BQL
 * (q->raise_error).
 */
static void q_set_error(AwdQueue *q, uint32_t err, uint64_t addr)
{
    if (q->error != AWD_QERR_NONE) {
        return;
    }
    trace_accel_wd_queue_error(q->index, err, addr);
    qatomic_set(&q->error, err);
    q->fault_addr = addr;
    q->raise_error = true;
}

/* Raise what the worker left pending; q->lock not held. */
static void q_raise_pending(AwdQueue *q, bool irq)
{
    bool err;

    qemu_mutex_lock(&q->lock);
    err = q->raise_error;
    q->raise_error = false;
    qemu_mutex_unlock(&q->lock);
    if (!err && !irq) {
        return;
    }
    bql_lock();
    if (err) {
        accel_wd_raise_error(q->dev, AWD_ERR_QUEUE);
    }
    if (irq) {
        q_notify(q, q->index);
    }
    bql_unlock();
}

/* ---- reset ------------------------------------------------------------ */

/* q->lock held, worker not busy */
static void q_do_reset(AwdQueue *q)
{
    trace_accel_wd_queue_reset(q->index);
    q->ctrl = 0;
    q->pasid = 0;
    qatomic_set(&q->error, AWD_QERR_NONE);
    q->sq_base = 0;
    q->cq_base = 0;
    q->ring_order = 0;
    q->sq_head = q->sq_tail = 0;
    q->cq_head = q->cq_tail = 0;
    q->fault_addr = 0;
    q->phase = 1;
    q->reset_pending = false;
    q->drain_pending = false;
    q->raise_error = false;
    qatomic_set(&q->abort, false);
    awd_atc_unbind(&q->xlate);
}

/*
 * Synchronous reset (device reset, BQL held): abort and wait. reset_pending
 * keeps the worker from fetching the aborted descriptor again (its head
 * did not move) before this thread gets the lock back.
 */
void awd_queue_reset(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    if (q->busy) {
        q->reset_pending = true;
        qatomic_set(&q->abort, true);
    }
    while (q->busy) {
        qemu_cond_wait(&q->idle_cond, &q->lock);
    }
    q_do_reset(q);
    qemu_mutex_unlock(&q->lock);
}

void awd_queue_pause(AwdQueue *q, bool pause)
{
    qemu_mutex_lock(&q->lock);
    q->paused = pause;
    if (pause) {
        /* the aborted descriptor is fetched again after resume */
        while (q->busy) {
            qatomic_set(&q->abort, true);
            qemu_cond_wait(&q->idle_cond, &q->lock);
        }
        qatomic_set(&q->abort, false);
    }
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
}

void awd_queue_kick(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
}

/* ---- registers -------------------------------------------------------- */

/* Validate the ring configuration at enable time; q->lock held. */
static uint32_t q_check_config(AwdQueue *q, uint32_t ctrl)
{
    AccelWdParams *p = &q->dev->params;
    uint64_t sq_bytes, cq_bytes;

    if (q->ring_order < AWD_RING_ORDER_MIN ||
        q->ring_order > p->ring_order_max) {
        AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "ring order"),
                      "queue %u: ring order %u outside %u..%u", q->index,
                      q->ring_order, AWD_RING_ORDER_MIN, p->ring_order_max);
        return AWD_QERR_BAD_CONFIG;
    }
    sq_bytes = (uint64_t)AWD_DESC_SIZE << q->ring_order;
    cq_bytes = (uint64_t)AWD_CPL_SIZE << q->ring_order;
    if ((q->sq_base & (AWD_DESC_SIZE - 1)) ||
        (q->cq_base & (AWD_CPL_SIZE - 1))) {
        AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "ring alignment"),
                      "queue %u: SQ 0x%" PRIx64 " or CQ 0x%" PRIx64
                      " not aligned", q->index, q->sq_base, q->cq_base);
        return AWD_QERR_BAD_CONFIG;
    }
    if (q->sq_base + sq_bytes - 1 < q->sq_base ||
        q->cq_base + cq_bytes - 1 < q->cq_base ||
        ranges_overlap(q->sq_base, sq_bytes, q->cq_base, cq_bytes)) {
        AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "ring range"),
                      "queue %u: rings wrap or overlap", q->index);
        return AWD_QERR_BAD_CONFIG;
    }
    if (ctrl & AWD_QCTRL_PASID_EN) {
        if (!(accel_wd_caps(q->dev) & AWD_CAP_PASID)) {
            AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "no PASID"),
                          "queue %u: PASID requested without an SVA IOMMU",
                          q->index);
            return AWD_QERR_PASID_UNAVAIL;
        }
        if (q->pasid >> p->pasid_bits) {
            AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "PASID"),
                          "queue %u: PASID 0x%x wider than %u bits",
                          q->index, q->pasid, p->pasid_bits);
            return AWD_QERR_BAD_CONFIG;
        }
    }
    return AWD_QERR_NONE;
}

static void q_write_ctrl(AwdQueue *q, uint32_t val)
{
    uint32_t err;

    if (val & ~AWD_QCTRL_ALL_BITS) {
        AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                      "queue %u: reserved CTRL bits 0x%x", q->index, val);
    }
    if (val & AWD_QCTRL_RESET) {
        if (q->busy) {
            q->reset_pending = true;
            qatomic_set(&q->abort, true);
        } else {
            q_do_reset(q);
        }
        return;
    }
    if (q->reset_pending) {
        return;
    }
    if ((val & AWD_QCTRL_ENABLE) && !q_enabled(q)) {
        if (q->busy) {
            /*
             * Disabled, but the descriptor fetched before is still running
             * with the old configuration: enabling now would let it
             * complete into the new rings. Software waits for IDLE (or
             * resets the queue, which waits for it).
             */
            AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                          "queue %u: enable while the previous work is in "
                          "flight", q->index);
            return;
        }
        if (q->error != AWD_QERR_NONE) {
            AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                          "queue %u: enable while in error, reset first",
                          q->index);
            return;
        }
        err = q_check_config(q, val);
        if (err != AWD_QERR_NONE) {
            q_set_error(q, err, 0);
            return;
        }
        q->sq_head = q->sq_tail = 0;
        q->cq_head = q->cq_tail = 0;
        q->phase = 1;
        q->xlate.pasid_en = val & AWD_QCTRL_PASID_EN;
        q->xlate.priv = val & AWD_QCTRL_PRIV;
        q->xlate.pasid = q->pasid;
        awd_atc_bind(&q->xlate);
        q->ctrl = val & AWD_QCTRL_RW_BITS;
        trace_accel_wd_queue_enable(q->index, q->ring_order, q->sq_base,
                                    q->cq_base, q->ctrl);
    } else if (q_enabled(q)) {
        if ((val ^ q->ctrl) & AWD_QCTRL_CONFIG_BITS) {
            AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                          "queue %u: PASID mode changed while enabled",
                          q->index);
        }
        /* only ENABLE and IRQ_EN change while enabled */
        q->ctrl = (q->ctrl & AWD_QCTRL_CONFIG_BITS) |
                  (val & (AWD_QCTRL_ENABLE | AWD_QCTRL_IRQ_EN));
    } else {
        q->ctrl = val & (AWD_QCTRL_RW_BITS & ~AWD_QCTRL_ENABLE);
    }
    if ((val & AWD_QCTRL_DRAIN) && q_enabled(q) &&
        (q->busy || q->sq_head != q->sq_tail)) {
        q->drain_pending = true;
    }
    q_wake(q);
}

uint32_t awd_queue_reg_read(AwdQueue *q, unsigned off)
{
    uint32_t val = 0;

    qemu_mutex_lock(&q->lock);
    switch (off) {
    case AWD_Q_CTRL:
        val = q->ctrl | (q->reset_pending ? AWD_QCTRL_RESET : 0) |
              (q->drain_pending ? AWD_QCTRL_DRAIN : 0);
        break;
    case AWD_Q_STATUS:
        val = (q_enabled(q) ? AWD_QSTS_ENABLED : 0) |
              (q->error != AWD_QERR_NONE ? AWD_QSTS_ERROR : 0) |
              (!q->busy && (q->sq_head == q->sq_tail || !q_enabled(q) ||
                            q->error != AWD_QERR_NONE) ?
               AWD_QSTS_IDLE : 0);
        break;
    case AWD_Q_PASID:
        val = q->pasid;
        break;
    case AWD_Q_ERROR:
        val = q->error;
        break;
    case AWD_Q_SQ_BASE_LO:
        val = q->sq_base;
        break;
    case AWD_Q_SQ_BASE_HI:
        val = q->sq_base >> 32;
        break;
    case AWD_Q_CQ_BASE_LO:
        val = q->cq_base;
        break;
    case AWD_Q_CQ_BASE_HI:
        val = q->cq_base >> 32;
        break;
    case AWD_Q_RING_ORDER:
        val = q->ring_order;
        break;
    case AWD_Q_SQ_HEAD:
        val = q->sq_head;
        break;
    case AWD_Q_SQ_TAIL:
        val = q->sq_tail;
        break;
    case AWD_Q_CQ_TAIL:
        val = q->cq_tail;
        break;
    case AWD_Q_CQ_HEAD:
        val = q->cq_head;
        break;
    case AWD_Q_IRQ_VECTOR:
        val = q->index;
        break;
    case AWD_Q_FAULT_ADDR_LO:
        val = q->fault_addr;
        break;
    case AWD_Q_FAULT_ADDR_HI:
        val = q->fault_addr >> 32;
        break;
    default:
        break;
    }
    qemu_mutex_unlock(&q->lock);
    return val;
}

void awd_queue_reg_write(AwdQueue *q, unsigned off, uint32_t val)
{
    uint64_t *base = NULL;
    bool raise;

    qemu_mutex_lock(&q->lock);
    if (off == AWD_Q_CTRL) {
        q_write_ctrl(q, val);
        goto out;
    }
    switch (off) {
    case AWD_Q_PASID:
    case AWD_Q_SQ_BASE_LO:
    case AWD_Q_SQ_BASE_HI:
    case AWD_Q_CQ_BASE_LO:
    case AWD_Q_CQ_BASE_HI:
    case AWD_Q_RING_ORDER:
        if (q_enabled(q) || q->reset_pending) {
            AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, off, val),
                          "queue %u: config register 0x%x written while "
                          "enabled", q->index, off);
            goto out;
        }
        break;
    default:
        AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, off, val),
                      "queue %u: write to read-only register 0x%x",
                      q->index, off);
        goto out;
    }
    switch (off) {
    case AWD_Q_PASID:
        q->pasid = val & 0xfffff;
        break;
    case AWD_Q_SQ_BASE_LO:
    case AWD_Q_SQ_BASE_HI:
        base = &q->sq_base;
        break;
    case AWD_Q_CQ_BASE_LO:
    case AWD_Q_CQ_BASE_HI:
        base = &q->cq_base;
        break;
    case AWD_Q_RING_ORDER:
        q->ring_order = MIN(val, 31);
        break;
    }
    if (base) {
        if (off == AWD_Q_SQ_BASE_LO || off == AWD_Q_CQ_BASE_LO) {
            *base = deposit64(*base, 0, 32, val);
        } else {
            *base = deposit64(*base, 32, 32, val);
        }
    }
out:
    raise = q->raise_error;
    q->raise_error = false;
    qemu_mutex_unlock(&q->lock);
    if (raise) {
        accel_wd_raise_error(q->dev, AWD_ERR_QUEUE);   /* BQL held */
    }
}

void awd_queue_doorbell(AwdQueue *q, unsigned off, uint32_t val)
{
    bool raise;

    qemu_mutex_lock(&q->lock);
    trace_accel_wd_queue_doorbell(q->index, off, val);
    if (off != AWD_DB_SQ_TAIL && off != AWD_DB_CQ_HEAD) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: no doorbell at offset 0x%x", q->index, off);
        qemu_mutex_unlock(&q->lock);
        return;
    }
    if (!q_enabled(q) || q->error != AWD_QERR_NONE || q->reset_pending) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: doorbell while disabled or in error",
                      q->index);
        qemu_mutex_unlock(&q->lock);
        return;
    }
    if (val >= q_entries(q)) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: doorbell 0x%x past a %u-entry ring",
                      q->index, val, q_entries(q));
        q_set_error(q, AWD_QERR_BAD_DOORBELL, 0);
    } else if (off == AWD_DB_SQ_TAIL) {
        q->sq_tail = val;
    } else {
        q->cq_head = val;
    }
    raise = q->raise_error;
    q->raise_error = false;
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
    if (raise) {
        accel_wd_raise_error(q->dev, AWD_ERR_QUEUE);   /* BQL held */
    }
}

uint32_t awd_queue_doorbell_read(AwdQueue *q, unsigned off)
{
    uint32_t val = 0;

    qemu_mutex_lock(&q->lock);
    if (off == AWD_DB_SQ_TAIL) {
        val = q->sq_tail;
    } else if (off == AWD_DB_CQ_HEAD) {
        val = q->cq_head;
    }
    qemu_mutex_unlock(&q->lock);
    return val;
}

/* ---- descriptor execution --------------------------------------------- */

static bool q_abort_cb(void *opaque)
{
    AwdQueue *q = opaque;

    /* also stop an engine whose destination could not be mapped further */
    return qatomic_read(&q->abort) || q->dst_status != AWD_STS_OK;
}

/*
 * Behind the ATC the destination is mapped as the engine reaches it, not
 * all up front: a process's output buffer is usually much larger than
 * the output, and every page mapped may cost a page request. The first
 * window and each step are AWD_DST_WINDOW up to half of what is mapped,
 * at most AWD_DST_STEP_MAX.
 */
#define AWD_DST_WINDOW      (64 * KiB)
#define AWD_DST_STEP_MAX    (256 * KiB)

/* How much the next extension of @m maps */
static uint64_t q_dst_step(const AwdMapping *m)
{
    uint64_t step = MIN(MAX(AWD_DST_WINDOW, m->len / 2), AWD_DST_STEP_MAX);

    return MIN(step, m->sgl.limit - m->len);
}

static bool q_dst_extend(void *opaque)
{
    AwdQueue *q = opaque;
    AwdMapping *m = q->dst_map;
    uint64_t add = q_dst_step(m);
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
    awd_xlate_prefetch(&q->xlate, m, q_dst_step(m));
    return true;
}

static bool range_wraps(uint64_t addr, uint64_t len)
{
    return len && addr + len - 1 < addr;
}

static bool ranges_hit(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && ranges_overlap(a, alen, b, blen);
}

/* Checks common to every opcode; returns an enum awd_status. */
static uint32_t desc_check(AwdQueue *q, const struct awd_desc *d)
{
    if (d->opcode >= AWD_OP_MAX) {
        return AWD_STS_INVALID_OPCODE;
    }
    if ((d->flags & ~AWD_DF_VALID_MASK) || d->rsvd0 || d->rsvd1 ||
        d->rsvd2) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (d->opcode != AWD_OP_COMPRESS && d->opcode != AWD_OP_DECOMPRESS &&
        (d->flags & (AWD_DF_STREAM | AWD_DF_STREAM_INIT | AWD_DF_FINAL))) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (!(d->flags & AWD_DF_STREAM) &&
        (d->flags & (AWD_DF_STREAM_INIT | AWD_DF_FINAL))) {
        return AWD_STS_INVALID_FLAGS;
    }
    return AWD_STS_OK;
}

static uint32_t op_comp(AwdQueue *q, const struct awd_desc *d,
                        struct awd_cpl *c)
{
    AccelWdState *s = q->dev;
    bool compress = d->opcode == AWD_OP_COMPRESS;
    bool stream = d->flags & AWD_DF_STREAM;
    unsigned fmt = (d->param >> AWD_PARAM_FMT_SHIFT) & AWD_PARAM_FMT_MASK;
    unsigned level = (d->param >> AWD_PARAM_LEVEL_SHIFT) &
                     AWD_PARAM_LEVEL_MASK;
    unsigned wbits = (d->param >> AWD_PARAM_WBITS_SHIFT) &
                     AWD_PARAM_WBITS_MASK;
    bool empty_ok = stream && (d->flags & AWD_DF_FINAL);
    AwdMapping src = { 0 }, dst = { 0 };
    AwdDeflateOp op;
    AwdEngineResult r;
    uint64_t fault = 0;
    bool ran = true, done = false, on_demand;
    uint32_t st;

    if ((d->param & ~(AWD_PARAM_COMP_VALID_MASK | AWD_PARAM_WBITS_VALID)) ||
        fmt > AWD_FMT_GZIP || (compress && (level < 1 || level > 9)) ||
        (compress && wbits && (wbits < 9 || wbits > 15 ||
                               (stream && wbits != 15))) || d->key ||
        (stream ? (!d->ctx || (d->ctx & (AWD_STREAM_CTX_ALIGN - 1))) :
                  d->ctx != 0)) {
        return AWD_STS_INVALID_PARAM;
    }
    if ((!d->src_len && !empty_ok) || !d->dst_len ||
        d->src_len > s->params.max_xfer || d->dst_len > s->params.max_xfer ||
        range_wraps(d->src, d->src_len) || range_wraps(d->dst, d->dst_len)) {
        return AWD_STS_INVALID_LEN;
    }
    if (ranges_hit(d->src, d->src_len, d->dst, d->dst_len) ||
        (stream && (ranges_hit(d->ctx, AWD_STREAM_CTX_BYTES,
                               d->src, d->src_len) ||
                    ranges_hit(d->ctx, AWD_STREAM_CTX_BYTES,
                               d->dst, d->dst_len)))) {
        return AWD_STS_OVERLAP;
    }

    if (stream) {
        st = awd_xlate_read(&q->xlate, d->ctx, q->stream_ctx,
                            AWD_STREAM_CTX_BYTES, &fault);
        if (st != AWD_STS_OK) {
            goto fault;
        }
    }
    st = awd_xlate_map(&q->xlate, d->src, d->src_len, false, &src, &fault);
    if (st != AWD_STS_OK) {
        goto fault;
    }
    on_demand = d->dst_len > AWD_DST_WINDOW &&
                awd_xlate_on_demand(&q->xlate);
    st = awd_xlate_map(&q->xlate, d->dst,
                       on_demand ? AWD_DST_WINDOW : d->dst_len, true, &dst,
                       &fault);
    if (st == AWD_STS_OK && on_demand && !awd_xlate_is_atc(&dst)) {
        /* the IOMMU declined ATS after all: plain DMA, map it whole */
        awd_xlate_unmap(&q->xlate, &dst, 0);
        st = awd_xlate_map(&q->xlate, d->dst, d->dst_len, true, &dst,
                           &fault);
    } else if (st == AWD_STS_OK && on_demand) {
        /* the first window now, the rest as the engine reaches it */
        dst.sgl.extend = q_dst_extend;
        dst.sgl.extend_opaque = q;
        dst.sgl.limit = d->dst_len;
        awd_xlate_prefetch(&q->xlate, &dst, q_dst_step(&dst));
    }
    if (st != AWD_STS_OK) {
        c->flags |= AWD_CF_FAULT_WRITE;
        awd_xlate_unmap(&q->xlate, &src, 0);
        goto fault;
    }
    q->dst_map = &dst;
    q->dst_status = AWD_STS_OK;

    op = (AwdDeflateOp) {
        .compress = compress,
        .fmt = fmt,
        .level = level,
        .wbits = compress ? wbits : 0,
        .stream = stream,
        .stream_init = d->flags & AWD_DF_STREAM_INIT,
        .final = d->flags & AWD_DF_FINAL,
        .src = &src.sgl,
        .dst = &dst.sgl,
        .ctx = stream ? q->stream_ctx : NULL,
        .abort = q_abort_cb,
        .opaque = q,
    };
    if (q->isal && !awd_isal_compress(q->isal, &op, &r, &done)) {
        ran = false;
    } else if (!done) {
        ran = awd_deflate_run(q->engine, &op, &r);
    }
    q->dst_map = NULL;
    if (q->dst_status != AWD_STS_OK && !qatomic_read(&q->abort)) {
        /* a destination page could not be mapped: fault there */
        awd_xlate_unmap(&q->xlate, &dst, d->dst_len);
        awd_xlate_unmap(&q->xlate, &src, 0);
        st = q->dst_status;
        fault = q->dst_fault;
        q->dst_status = AWD_STS_OK;
        c->flags |= AWD_CF_FAULT_WRITE;
        goto fault;
    }
    if (q->dst_status != AWD_STS_OK) {
        ran = false;            /* reset while waiting for a page */
    }
    q->dst_status = AWD_STS_OK;
    if (!ran) {
        awd_xlate_unmap(&q->xlate, &dst, d->dst_len);
        awd_xlate_unmap(&q->xlate, &src, 0);
        awd_mapping_free(&src);
        awd_mapping_free(&dst);
        return AWD_STS_ABORTED;
    }
    awd_xlate_unmap(&q->xlate, &dst, MIN(r.produced, d->dst_len));
    awd_xlate_unmap(&q->xlate, &src, 0);
    awd_mapping_free(&src);
    awd_mapping_free(&dst);

    if (stream && r.status == AWD_STS_OK) {
        st = awd_xlate_write(&q->xlate, d->ctx, q->stream_ctx,
                             AWD_STREAM_CTX_BYTES, &fault);
        if (st != AWD_STS_OK) {
            c->flags |= AWD_CF_FAULT_WRITE;
            goto fault;
        }
    }
    c->consumed = cpu_to_le32(r.consumed);
    c->produced = cpu_to_le32(r.produced);
    c->checksum = cpu_to_le32(r.checksum);
    c->flags |= r.flags;
    return r.status;

fault:
    awd_mapping_free(&src);
    awd_mapping_free(&dst);
    c->fault_addr = cpu_to_le64(fault);
    return st;
}

static uint32_t op_rsa(AwdQueue *q, const struct awd_desc *d,
                       struct awd_cpl *c)
{
    size_t len = d->src_len;
    size_t klen = awd_rsa_key_len(d->param, len);
    g_autofree uint8_t *key = NULL, *in = NULL, *out = NULL;
    uint64_t fault = 0;
    AwdRsaOp op;
    uint32_t st;

    if (d->param > AWD_RSA_CRT || d->ctx) {
        return AWD_STS_INVALID_PARAM;
    }
    if (!d->src_len || !d->dst_len ||
        d->src_len > q->dev->params.max_xfer ||
        d->dst_len > q->dev->params.max_xfer) {
        return AWD_STS_INVALID_LEN;
    }
    if (!klen) {
        return AWD_STS_BAD_KEY;         /* length outside 512..4096 bits */
    }
    if (d->dst_len < len) {
        c->produced = cpu_to_le32(len);
        return AWD_STS_DST_TOO_SMALL;
    }
    if (range_wraps(d->src, len) || range_wraps(d->dst, len) ||
        range_wraps(d->key, klen)) {
        return AWD_STS_INVALID_LEN;
    }
    if (ranges_hit(d->dst, len, d->key, klen)) {
        return AWD_STS_OVERLAP;
    }
    key = g_malloc(klen);
    in = g_malloc(len);
    out = g_malloc(len);
    st = awd_xlate_read(&q->xlate, d->key, key, klen, &fault);
    if (st == AWD_STS_OK) {
        st = awd_xlate_read(&q->xlate, d->src, in, len, &fault);
    }
    if (st != AWD_STS_OK) {
        c->fault_addr = cpu_to_le64(fault);
        return st;
    }
    op = (AwdRsaOp) {
        .form = d->param, .len = len, .in = in, .key = key, .out = out,
    };
    st = awd_rsa_run(&op);
    if (st != AWD_STS_OK) {
        return st;
    }
    if (qatomic_read(&q->abort)) {
        return AWD_STS_ABORTED;
    }
    st = awd_xlate_write(&q->xlate, d->dst, out, len, &fault);
    if (st != AWD_STS_OK) {
        c->flags |= AWD_CF_FAULT_WRITE;
        c->fault_addr = cpu_to_le64(fault);
        return st;
    }
    c->consumed = cpu_to_le32(len);
    c->produced = cpu_to_le32(len);
    return AWD_STS_OK;
}

static uint32_t q_execute(AwdQueue *q, struct awd_desc *d, struct awd_cpl *c)
{
    uint32_t st;

    /* one copy of the descriptor, converted once */
    d->tag = le32_to_cpu(d->tag);
    d->src = le64_to_cpu(d->src);
    d->dst = le64_to_cpu(d->dst);
    d->src_len = le32_to_cpu(d->src_len);
    d->dst_len = le32_to_cpu(d->dst_len);
    d->ctx = le64_to_cpu(d->ctx);
    d->key = le64_to_cpu(d->key);
    d->param = le32_to_cpu(d->param);
    d->rsvd0 = le16_to_cpu(d->rsvd0);
    d->rsvd1 = le32_to_cpu(d->rsvd1);
    d->rsvd2 = le64_to_cpu(d->rsvd2);

    c->tag = cpu_to_le32(d->tag);
    st = desc_check(q, d);
    if (st != AWD_STS_OK) {
        return st;
    }
    switch (d->opcode) {
    case AWD_OP_NOP:
        return AWD_STS_OK;
    case AWD_OP_COMPRESS:
    case AWD_OP_DECOMPRESS:
        return op_comp(q, d, c);
    case AWD_OP_RSA:
        return op_rsa(q, d, c);
    default:
        return AWD_STS_INVALID_OPCODE;
    }
}

/* ---- worker ----------------------------------------------------------- */

static bool q_can_fetch(AwdQueue *q)
{
    return !q->paused && !q->reset_pending &&
           (qatomic_read(&q->dev->ctrl) & AWD_CTRL_ENABLE) &&
           q_enabled(q) && q->error == AWD_QERR_NONE &&
           q->sq_head != q->sq_tail &&
           ((q->cq_tail + 1) & (q_entries(q) - 1)) != q->cq_head;
}

/*
 * Fetch, execute and complete the descriptor at sq_head. Called with
 * q->lock held and returns with it held; drops it while working.
 * Returns true if an interrupt is due.
 */
static bool q_process_one(AwdQueue *q)
{
    uint64_t sq_addr = q->sq_base + (uint64_t)q->sq_head * AWD_DESC_SIZE;
    uint64_t cq_addr = q->cq_base + (uint64_t)q->cq_tail * AWD_CPL_SIZE;
    uint32_t head = q->sq_head;
    struct awd_desc d;
    struct awd_cpl c = { 0 };
    uint64_t fault;
    uint32_t st, flags;
    bool irq;

    q->busy = true;
    qemu_mutex_unlock(&q->lock);

    st = awd_xlate_read(&q->xlate, sq_addr, &d, sizeof(d), &fault);
    if (st != AWD_STS_OK) {
        qemu_mutex_lock(&q->lock);
        AWD_GUEST_ERR(trace_accel_wd_err_fetch(q->index, sq_addr),
                      "queue %u: descriptor fetch at 0x%" PRIx64 " failed",
                      q->index, sq_addr);
        q_set_error(q, AWD_QERR_SQ_FETCH, fault);
        return false;
    }
    trace_accel_wd_desc(q->index, head, d.opcode, d.flags,
                        le32_to_cpu(d.tag));
    st = q_execute(q, &d, &c);

    qemu_mutex_lock(&q->lock);
    if (qatomic_read(&q->abort) || st == AWD_STS_ABORTED) {
        /* reset or VM stop: no completion, head stays */
        return false;
    }
    if (st != AWD_STS_OK) {
        trace_accel_wd_desc_error(q->index, head, st);
        q->stats.errors++;
    }
    q->stats.ops++;
    q->stats.bytes_in += le32_to_cpu(c.consumed);
    q->stats.bytes_out += le32_to_cpu(c.produced);

    c.status = cpu_to_le16(st);
    c.sq_head = cpu_to_le16((head + 1) & (q_entries(q) - 1));
    flags = c.flags | (q->phase ? AWD_CF_PHASE : 0);
    c.flags = 0;
    /* the record first, then flags: the phase bit publishes it */
    st = awd_xlate_write(&q->xlate, cq_addr, &c,
                         offsetof(struct awd_cpl, flags), &fault);
    if (st == AWD_STS_OK) {
        smp_wmb(); /* record visible before the phase bit that publishes it */
        flags = cpu_to_le32(flags);
        st = awd_xlate_write(&q->xlate, cq_addr +
                             offsetof(struct awd_cpl, flags), &flags,
                             sizeof(flags), &fault);
    }
    if (st != AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_cq(q->index, cq_addr),
                      "queue %u: completion write at 0x%" PRIx64 " failed",
                      q->index, cq_addr);
        q_set_error(q, AWD_QERR_CQ_WRITE, fault);
        return false;
    }
    trace_accel_wd_cpl(q->index, q->cq_tail, le16_to_cpu(c.status),
                       le32_to_cpu(c.produced));
    q->sq_head = (head + 1) & (q_entries(q) - 1);
    q->cq_tail = (q->cq_tail + 1) & (q_entries(q) - 1);
    if (q->cq_tail == 0) {
        q->phase ^= 1;
    }
    irq = (d.flags & AWD_DF_IRQ) && (q->ctrl & AWD_QCTRL_IRQ_EN);
    return irq;
}

/* One descriptor and its aftermath; q->lock held on entry and exit. */
static void q_run_one(AwdQueue *q)
{
    bool irq = q_process_one(q);

    q->busy = false;
    if (q->reset_pending) {
        q_do_reset(q);
    }
    qatomic_set(&q->abort, false);
    qemu_cond_broadcast(&q->idle_cond);
    if (irq || q->raise_error) {
        qemu_mutex_unlock(&q->lock);
        q_raise_pending(q, irq);
        qemu_mutex_lock(&q->lock);
    }
}

/* Dedicated worker: one thread per queue (workers=0). */
static void *q_worker(void *opaque)
{
    AwdQueue *q = opaque;

    rcu_register_thread();
    qemu_mutex_lock(&q->lock);
    while (!q->stop) {
        if (q_can_fetch(q)) {
            q_run_one(q);
            continue;
        }
        if (q->drain_pending) {
            q->drain_pending = false;
        }
        qemu_cond_wait(&q->wake, &q->lock);
    }
    qemu_mutex_unlock(&q->lock);
    rcu_unregister_thread();
    return NULL;
}

/*
 * Pooled worker (workers=N): takes one descriptor at a time from any queue
 * that has work and no other worker on it (busy), so order within a queue
 * holds. Queues are scanned round-robin from after the last one served.
 * With fewer workers than queues, a queue stalled on a page response holds
 * its worker: that is the trade-off this property buys threads with.
 */
static void *pool_worker(void *opaque)
{
    AccelWdState *s = opaque;
    unsigned n = s->params.num_queues, next = 0;

    rcu_register_thread();
    for (;;) {
        bool did = false;
        uint64_t gen;

        qemu_mutex_lock(&s->pool_lock);
        if (s->pool_stop) {
            qemu_mutex_unlock(&s->pool_lock);
            break;
        }
        gen = s->pool_gen;
        qemu_mutex_unlock(&s->pool_lock);

        for (unsigned k = 0; k < n && !did; k++) {
            AwdQueue *q = &s->queues[(next + k) % n];

            qemu_mutex_lock(&q->lock);
            if (!q->stop && !q->busy && q_can_fetch(q)) {
                q_run_one(q);
                next = (next + k + 1) % n;
                did = true;
            } else if (!q->busy && q->drain_pending) {
                q->drain_pending = false;
            }
            qemu_mutex_unlock(&q->lock);
        }
        if (did) {
            continue;
        }
        qemu_mutex_lock(&s->pool_lock);
        while (!s->pool_stop && s->pool_gen == gen) {
            qemu_cond_wait(&s->pool_cond, &s->pool_lock);
        }
        qemu_mutex_unlock(&s->pool_lock);
    }
    rcu_unregister_thread();
    return NULL;
}

void awd_pool_start(AccelWdState *s)
{
    unsigned i;

    qemu_mutex_init(&s->pool_lock);
    qemu_cond_init(&s->pool_cond);
    s->pool_stop = false;
    if (!s->params.workers) {
        return;
    }
    s->pool_threads = g_new0(QemuThread, s->params.workers);
    for (i = 0; i < s->params.workers; i++) {
        g_autofree char *name = g_strdup_printf("accel-wd-w%u", i);

        qemu_thread_create(&s->pool_threads[i], name, pool_worker, s,
                           QEMU_THREAD_JOINABLE);
    }
}

void awd_pool_stop(AccelWdState *s)
{
    unsigned i;

    if (s->params.workers) {
        for (i = 0; i < s->params.num_queues; i++) {
            AwdQueue *q = &s->queues[i];

            qemu_mutex_lock(&q->lock);
            q->stop = true;
            qatomic_set(&q->abort, true);
            qemu_mutex_unlock(&q->lock);
        }
        qemu_mutex_lock(&s->pool_lock);
        s->pool_stop = true;
        qemu_cond_broadcast(&s->pool_cond);
        qemu_mutex_unlock(&s->pool_lock);
        for (i = 0; i < s->params.workers; i++) {
            qemu_thread_join(&s->pool_threads[i]);
        }
        g_free(s->pool_threads);
        s->pool_threads = NULL;
    }
    qemu_cond_destroy(&s->pool_cond);
    qemu_mutex_destroy(&s->pool_lock);
}

void awd_queue_init(AccelWdState *s, AwdQueue *q, uint32_t index)
{
    q->dev = s;
    q->index = index;
    q->phase = 1;
    q->xlate.pdev = PCI_DEVICE(s);
    q->xlate.atc = s->atc;
    q->xlate.abort = &q->abort;
    q->engine = awd_deflate_engine_new();
    q->isal = s->params.isal ? awd_isal_new() : NULL;
    q->stream_ctx = g_malloc0(AWD_STREAM_CTX_BYTES);
    q->paused = !s->running;
    qemu_mutex_init(&q->lock);
    qemu_cond_init(&q->wake);
    qemu_cond_init(&q->idle_cond);
}

void awd_queue_start(AwdQueue *q)
{
    g_autofree char *name = g_strdup_printf("accel-wd-q%u", q->index);

    if (q->dev->params.workers) {
        return;                     /* served by the pool */
    }
    qemu_thread_create(&q->thread, name, q_worker, q, QEMU_THREAD_JOINABLE);
}

void awd_queue_exit(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    q->stop = true;
    qatomic_set(&q->abort, true);
    qemu_cond_signal(&q->wake);   /* the pool is already stopped */
    qemu_mutex_unlock(&q->lock);
    if (!q->dev->params.workers) {
        qemu_thread_join(&q->thread);
    }
    awd_deflate_engine_free(q->engine);
    q->engine = NULL;
    awd_isal_free(q->isal);
    q->isal = NULL;
    g_free(q->stream_ctx);
    q->stream_ctx = NULL;
    qemu_cond_destroy(&q->idle_cond);
    qemu_cond_destroy(&q->wake);
    qemu_mutex_destroy(&q->lock);
}

/* ---- migration -------------------------------------------------------- */

static int q_post_load(void *opaque, int version_id)
{
    AwdQueue *q = opaque;
    uint32_t mask;

    if ((q->ctrl & ~AWD_QCTRL_RW_BITS) || q->error > AWD_QERR_PASID_UNAVAIL ||
        q->phase > 1 || q->pasid > 0xfffff || q->ring_order > 31) {
        return -EINVAL;
    }
    if (q_enabled(q)) {
        if (q->ring_order < AWD_RING_ORDER_MIN ||
            q->ring_order > q->dev->params.ring_order_max) {
            return -EINVAL;
        }
        mask = q_entries(q) - 1;
        if ((q->sq_head | q->sq_tail | q->cq_head | q->cq_tail) & ~mask) {
            return -EINVAL;
        }
        if (q->ctrl & AWD_QCTRL_PASID_EN &&
            !(accel_wd_caps(q->dev) & AWD_CAP_PASID)) {
            return -EINVAL;
        }
    }
    q->xlate.pasid_en = q->ctrl & AWD_QCTRL_PASID_EN;
    q->xlate.priv = q->ctrl & AWD_QCTRL_PRIV;
    q->xlate.pasid = q->pasid;
    if (q_enabled(q)) {
        awd_atc_bind(&q->xlate);
    } else {
        awd_atc_unbind(&q->xlate);
    }
    return 0;
}

const VMStateDescription vmstate_awd_queue = {
    .name = "accel-wd-queue",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = q_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(ctrl, AwdQueue),
        VMSTATE_UINT32(pasid, AwdQueue),
        VMSTATE_UINT32(error, AwdQueue),
        VMSTATE_UINT64(sq_base, AwdQueue),
        VMSTATE_UINT64(cq_base, AwdQueue),
        VMSTATE_UINT32(ring_order, AwdQueue),
        VMSTATE_UINT32(sq_head, AwdQueue),
        VMSTATE_UINT32(sq_tail, AwdQueue),
        VMSTATE_UINT32(cq_tail, AwdQueue),
        VMSTATE_UINT32(cq_head, AwdQueue),
        VMSTATE_UINT64(fault_addr, AwdQueue),
        VMSTATE_UINT8(phase, AwdQueue),
        VMSTATE_END_OF_LIST()
    },
};
