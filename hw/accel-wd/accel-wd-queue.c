/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue core, the same for every queue format: per-queue
 * registers, doorbell page dispatch, counters, the worker threads that
 * fetch a request through the format's front end (accel-wd-fmt.h), run it
 * (accel-wd-exec.c) and hand the result back to be published, reset,
 * drain, pause and migration.
 *
 * Locking: q->lock protects the queue registers and worker state. The
 * worker drops it while an engine runs and never takes the BQL while it
 * is busy (it only maps RAM), so a vCPU or the main loop, holding the BQL,
 * may wait for it to go idle (device reset, VM stop). It never takes the
 * BQL at all: the interrupts it owes are raised by a bottom half
 * (q->irq_bh), so unrealize and hot-unplug, which join the workers with
 * the BQL held, never wait for a worker that waits for the BQL.
 *
 * With sync=on there are no worker threads: a bottom half runs the same
 * loop as a pool worker in the main loop, with the BQL, so a doorbell's
 * requests are done before the main loop does anything else. That is
 * deterministic (QEMU's generic-fuzz, whose DMA hook and per-input reset
 * assume the main thread; replay), at the price of page requests, which
 * need the guest while the request waits (sync=on needs pri=off).
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
#include "accel-wd-fmt.h"
#include "trace.h"

#define AWD_QCTRL_CONFIG_BITS (AWD_QCTRL_PASID_EN | AWD_QCTRL_PRIV)
#define AWD_QCTRL_RW_BITS (AWD_QCTRL_ENABLE | AWD_QCTRL_PASID_EN | \
                           AWD_QCTRL_PRIV | AWD_QCTRL_IRQ_EN)
#define AWD_QCTRL_ALL_BITS (AWD_QCTRL_RW_BITS | AWD_QCTRL_DRAIN | \
                            AWD_QCTRL_RESET)

static bool q_enabled(AwdQueue *q)
{
    return q->ctrl & AWD_QCTRL_ENABLE;
}

bool awd_queue_enabled(AwdQueue *q)
{
    return q_enabled(q);
}

static const AwdFormat *q_fmt(AwdQueue *q)
{
    return q->dev->fmt;
}

void awd_queue_count(AwdQueue *q, enum awd_qcnt which, uint64_t n)
{
    qatomic_set(&q->cnt[which], q->cnt[which] + n);
}

/* A counter as the guest reads it */
static uint64_t q_counter(AwdQueue *q, unsigned i)
{
    switch (i) {
    case AWD_QCNT_ATS:
        return qatomic_read(&q->xlate.atc_misses) - q->cnt_ats_base;
    case AWD_QCNT_PAGE_REQS:
        return qatomic_read(&q->xlate.page_requests) - q->cnt_prs_base;
    default:
        return qatomic_read(&q->cnt[i]);
    }
}

static void q_counters_clear(AwdQueue *q)
{
    memset(q->cnt, 0, sizeof(q->cnt));
    q->cnt_ats_base = qatomic_read(&q->xlate.atc_misses);
    q->cnt_prs_base = qatomic_read(&q->xlate.page_requests);
}

/* Queues served by the pool, or by the main loop (sync=on) */
static bool q_pooled(AccelWdState *s)
{
    return s->params.workers || s->params.sync;
}

static void pool_kick(AccelWdState *s)
{
    if (s->params.sync) {
        qemu_bh_schedule(s->sync_bh);
        return;
    }
    qemu_mutex_lock(&s->pool_lock);
    s->pool_gen++;
    qemu_cond_broadcast(&s->pool_cond);
    qemu_mutex_unlock(&s->pool_lock);
}

/* The queue may have work (or must notice a state change). */
static void q_wake(AwdQueue *q)
{
    qemu_cond_signal(&q->wake);
    if (q_pooled(q->dev)) {
        pool_kick(q->dev);
    }
}

bool awd_queue_in_error(AwdQueue *q)
{
    return qatomic_read(&q->error) != AWD_QERR_NONE;
}

/* Stop the in-flight request, also where it waits for its release */
static void q_abort(AwdQueue *q)
{
    qatomic_set(&q->abort, true);
    qemu_cond_broadcast(&q->tm.cond);
}

/* ---- formats ---------------------------------------------------------- */

static GSList *awd_formats;       /* by ID, so lists read ring first */

static gint format_cmp(gconstpointer a, gconstpointer b)
{
    const AwdFormat *fa = a, *fb = b;

    return fa->id < fb->id ? -1 : fa->id > fb->id;
}

void awd_format_register(const AwdFormat *f)
{
    for (GSList *l = awd_formats; l; l = l->next) {
        const AwdFormat *o = l->data;

        /* two front ends claiming one name or ID is a build mistake */
        g_assert(strcmp(o->name, f->name) && o->id != f->id);
    }
    awd_formats = g_slist_insert_sorted(awd_formats, (gpointer)f,
                                        format_cmp);
}

const AwdFormat *awd_format_find(const char *name)
{
    for (GSList *l = awd_formats; l; l = l->next) {
        const AwdFormat *f = l->data;

        if (!strcmp(f->name, name)) {
            return f;
        }
    }
    return NULL;
}

char *awd_format_names(void)
{
    GString *str = g_string_new(NULL);

    for (GSList *l = awd_formats; l; l = l->next) {
        const AwdFormat *f = l->data;

        g_string_append_printf(str, "%s%s", str->len ? ", " : "", f->name);
    }
    return g_string_free(str, false);
}

/*
 * A completion record, the same in every format: everything but flags,
 * then flags with the bit that publishes it, so software never sees half
 * a record.
 */
uint32_t awd_write_cpl(AwdQueue *q, uint64_t addr, const AwdResult *res,
                       uint32_t tag, uint16_t sq_head, uint32_t publish,
                       uint64_t *fault)
{
    struct awd_cpl c = {
        .fault_addr = cpu_to_le64(res->fault_addr),
        .consumed = cpu_to_le32(res->consumed),
        .produced = cpu_to_le32(res->produced),
        .checksum = cpu_to_le32(res->checksum),
        .tag = cpu_to_le32(tag),
        .sq_head = cpu_to_le16(sq_head),
        .status = cpu_to_le16(res->status),
    };
    uint32_t flags = cpu_to_le32(res->flags | publish);
    uint32_t st;

    st = awd_xlate_write(&q->xlate, addr, &c,
                         offsetof(struct awd_cpl, flags), fault);
    if (st == AWD_STS_OK) {
        smp_wmb(); /* record visible before the bit that publishes it */
        st = awd_xlate_write(&q->xlate, addr +
                             offsetof(struct awd_cpl, flags), &flags,
                             sizeof(flags), fault);
    }
    if (st == AWD_STS_OK) {
        awd_queue_count(q, AWD_QCNT_CPL_BYTES, AWD_CPL_SIZE);
    }
    return st;
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

/*
 * Bottom half (BQL held): raise what the worker left pending. The worker
 * only sets flags and schedules this; it never waits for the BQL.
 */
static void q_irq_bh(void *opaque)
{
    AwdQueue *q = opaque;
    bool err, irq;

    qemu_mutex_lock(&q->lock);
    err = q->raise_error;
    irq = q->irq_pending;
    q->raise_error = false;
    q->irq_pending = false;
    qemu_mutex_unlock(&q->lock);
    trace_accel_wd_queue_irq_bh(q->index, irq, err);
    if (err) {
        accel_wd_raise_error(q->dev, AWD_ERR_QUEUE);
    }
    if (irq) {
        q_notify(q, q->index);
    }
}

/* The worker owes an interrupt (@irq) or the error interrupt; q->lock held */
static void q_raise_pending(AwdQueue *q, bool irq)
{
    q->irq_pending |= irq;
    if (q->irq_pending || q->raise_error) {
        qemu_bh_schedule(q->irq_bh);
    }
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
    q->portal_lo = 0;
    q->portal_lo_valid = false;
    q->reset_pending = false;
    q->reset_hung = false;
    q->drain_pending = false;
    q->raise_error = false;
    q->irq_pending = false;
    qatomic_set(&q->abort, false);
    awd_atc_unbind(&q->xlate);
    timer_del(q->tm.timer);
    q->tm.state = AWD_TMS_IDLE;
    awd_tm_queue_clear(q);
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
        q_abort(q);
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
            q_abort(q);
            qemu_cond_wait(&q->idle_cond, &q->lock);
        }
        qatomic_set(&q->abort, false);
    }
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
}

/*
 * A fatal device error (accel-wd.c): stop the request in flight without a
 * completion; q_can_fetch() keeps the queue stopped until a reset.
 */
void awd_queue_halt(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    if (q->busy) {
        q_abort(q);
    }
    qemu_mutex_unlock(&q->lock);
}

void awd_queue_kick(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
}

/* ---- registers -------------------------------------------------------- */

/* Validate the configuration at enable time; q->lock held. */
static uint32_t q_check_config(AwdQueue *q, uint32_t ctrl)
{
    AccelWdParams *p = &q->dev->params;
    uint32_t err = q_fmt(q)->check_config(q);

    if (err != AWD_QERR_NONE) {
        return err;
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
    if (q->reset_hung) {
        /* qreset-hang: only a device reset ends the hung queue reset */
        AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                      "queue %u: CTRL write while its reset hangs",
                      q->index);
        return;
    }
    if ((val & AWD_QCTRL_RESET) && q->dev->params.qreset_hang &&
        q_enabled(q)) {
        /*
         * Fault injection: the reset starts (nothing more is fetched, the
         * request in flight stops) but never reports done, as a queue
         * whose engine hangs would.
         */
        trace_accel_wd_queue_reset_hang(q->index);
        q->reset_hung = true;
        if (q->busy) {
            q_abort(q);
        }
        return;
    }
    if (val & AWD_QCTRL_RESET) {
        if (q->busy) {
            q->reset_pending = true;
            q_abort(q);
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
        if (qatomic_read(&q->dev->fatal)) {
            AWD_GUEST_ERR(trace_accel_wd_err_qreg(q->index, AWD_Q_CTRL, val),
                          "queue %u: enable while the device is fatal, "
                          "reset the device first", q->index);
            return;
        }
        err = q_check_config(q, val);
        if (err != AWD_QERR_NONE) {
            q_set_error(q, err, 0);
            return;
        }
        q_fmt(q)->enable(q);
        awd_tm_queue_clear(q);
        q->xlate.pasid_en = val & AWD_QCTRL_PASID_EN;
        q->xlate.priv = val & AWD_QCTRL_PRIV;
        q->xlate.pasid = q->pasid;
        awd_atc_bind(&q->xlate);
        q_counters_clear(q);
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
        (q->busy || !q_fmt(q)->empty(q))) {
        q->drain_pending = true;
    }
    q_wake(q);
}

uint32_t awd_queue_reg_read(AwdQueue *q, unsigned off)
{
    uint32_t val = 0;

    qemu_mutex_lock(&q->lock);
    if (off >= AWD_Q_CNT(0) && off < AWD_Q_CNT(AWD_QCNT_NR)) {
        uint64_t c = q_counter(q, (off - AWD_Q_CNT_BASE) / 8);

        val = (off & 4) ? c >> 32 : (uint32_t)c;
        qemu_mutex_unlock(&q->lock);
        return val;
    }
    awd_queue_count(q, AWD_QCNT_REG_READS, 1);
    switch (off) {
    case AWD_Q_CTRL:
        val = q->ctrl |
              (q->reset_pending || q->reset_hung ? AWD_QCTRL_RESET : 0) |
              (q->drain_pending ? AWD_QCTRL_DRAIN : 0);
        break;
    case AWD_Q_STATUS:
        val = (q_enabled(q) ? AWD_QSTS_ENABLED : 0) |
              (q->error != AWD_QERR_NONE ? AWD_QSTS_ERROR : 0) |
              (qatomic_read(&q->xlate.in_pr) ? AWD_QSTS_PAGE_WAIT : 0) |
              (!q->busy && (q_fmt(q)->empty(q) || !q_enabled(q) ||
                            q->error != AWD_QERR_NONE) ?
               AWD_QSTS_IDLE : 0);
        break;
    case AWD_Q_PASID:
        val = q->pasid;
        break;
    case AWD_Q_ERROR:
        val = q->error;
        break;
    case AWD_Q_RING_ORDER:
        val = q->ring_order;
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
        /* ring bases, heads and tails: what they mean is the format's */
        if (!q_fmt(q)->reg_read(q, off, &val)) {
            val = 0;
        }
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

/*
 * A doorbell page write: one MMIO access, counted once; a 64-bit one goes
 * to the format as its two halves, low first.
 */
void awd_queue_doorbell(AwdQueue *q, unsigned off, uint64_t val,
                        unsigned size)
{
    uint32_t err = AWD_QERR_NONE;
    bool raise;

    qemu_mutex_lock(&q->lock);
    trace_accel_wd_queue_doorbell(q->index, off, val);
    awd_queue_count(q, AWD_QCNT_DB_WRITES, 1);
    if (!q_enabled(q) || q->error != AWD_QERR_NONE || q->reset_pending ||
        q->reset_hung || qatomic_read(&q->dev->fatal)) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: doorbell while disabled, in error, in "
                      "reset or with the device fatal", q->index);
        qemu_mutex_unlock(&q->lock);
        return;
    }
    for (unsigned half = 0; half < size / 4 && !err; half++) {
        err = q_fmt(q)->doorbell(q, off + 4 * half, val >> (32 * half));
    }
    if (err != AWD_QERR_NONE) {
        q_set_error(q, err, 0);
    }
    raise = q->raise_error;
    q->raise_error = false;
    q_wake(q);
    qemu_mutex_unlock(&q->lock);
    if (raise) {
        accel_wd_raise_error(q->dev, AWD_ERR_QUEUE);   /* BQL held */
    }
}

uint64_t awd_queue_doorbell_read(AwdQueue *q, unsigned off, unsigned size)
{
    uint64_t val = 0;

    qemu_mutex_lock(&q->lock);
    awd_queue_count(q, AWD_QCNT_REG_READS, 1);
    for (unsigned half = 0; half < size / 4; half++) {
        val |= (uint64_t)q_fmt(q)->doorbell_read(q, off + 4 * half)
               << (32 * half);
    }
    qemu_mutex_unlock(&q->lock);
    return val;
}

/* ---- worker ----------------------------------------------------------- */

static bool q_can_fetch(AwdQueue *q)
{
    return !q->paused && !q->reset_pending && !q->reset_hung &&
           !qatomic_read(&q->dev->fatal) &&
           (qatomic_read(&q->dev->ctrl) & AWD_CTRL_ENABLE) &&
           q_enabled(q) && q->error == AWD_QERR_NONE &&
           q_fmt(q)->can_fetch(q);
}

/* Run a fetched request: the format's own way (batches) or the core's */
static bool q_execute(AwdQueue *q, AwdReq *r, AwdResult *res)
{
    const AwdFormat *f = q_fmt(q);
    bool irq = false;

    trace_accel_wd_desc(q->index, r->where, r->opcode, r->flags, r->tag);
    if (!f->execute || !f->execute(q, r, res, &irq)) {
        awd_exec(q, r, res);
    }
    return irq;
}

/* ---- timing model: releasing a completion at its modelled time -------- */

/* The worker's side moved on: tell a release timer that waits for it */
static void q_tm_state(AwdQueue *q, AwdTmState state)
{
    q->tm.state = state;
    qemu_cond_broadcast(&q->tm.cond);
}

/*
 * The request ran under the model (lock held): wait until the virtual
 * clock reaches its release time. False if it was aborted meanwhile.
 */
static bool q_tm_wait_release(AwdQueue *q)
{
    AwdQueueTm *tm = &q->tm;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    tm->due = awd_tm_finish(q);
    /* sync=on: the clock cannot move while the main loop is here */
    if (tm->due <= now || q->dev->params.sync) {
        /* late already (a host slower than the model): publish now */
        trace_accel_wd_timing_release(q->index, tm->due, now);
        q_tm_state(q, AWD_TMS_GO);
        return true;
    }
    q_tm_state(q, AWD_TMS_READY);
    /*
     * Never later: the doorbell's hold may not have run yet (the worker
     * finished before the vCPU reached its timers). It must still run at
     * its instant, where it sends what is queued; it re-arms for us.
     */
    timer_mod_anticipate(tm->timer, tm->due);
    while (tm->state == AWD_TMS_READY && !qatomic_read(&q->abort)) {
        qemu_cond_wait(&tm->cond, &q->lock);
    }
    return tm->state == AWD_TMS_GO;
}

/*
 * The release timer, in the main loop with the BQL. It releases a request
 * whose time has come. Where time is deterministic (icount, qtest) it
 * also holds the guest's clock still while the worker computes, so that
 * a completion is never late because the host was slow, and raises the
 * interrupt itself at the modelled instant. It never waits for a worker
 * that waits for a page response (that needs the guest), and gives up
 * after AWD_TM_CB_WAIT_MS of host time rather than hang.
 */
#define AWD_TM_CB_WAIT_MS   2000
#define AWD_TM_PR_POLL_NS   1000

static void q_tm_hold(AwdQueue *q, bool flush)
{
    AwdQueueTm *tm = &q->tm;
    bool det = awd_tm_deterministic(), irq = false;
    int64_t give_up = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                      AWD_TM_CB_WAIT_MS;

    qemu_mutex_lock(&q->lock);
    for (;;) {
        int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

        irq |= tm->cb_irq;
        tm->cb_irq = false;
        if (q->stop || qatomic_read(&q->abort)) {
            break;
        }
        if (det && awd_xlate_pr_blocked(&q->xlate)) {
            /*
             * The worker waits for the guest: let it run, but in small
             * steps, so that an idle vCPU does not leap to its next
             * timer tick while a page request is on its way.
             */
            timer_mod(tm->timer, now + AWD_TM_PR_POLL_NS);
            break;
        }
        if (tm->state == AWD_TMS_READY) {
            if (tm->due > now) {
                timer_mod(tm->timer, tm->due);
                break;
            }
            trace_accel_wd_timing_release(q->index, tm->due, now);
            q_tm_state(q, AWD_TMS_GO);
        } else if (tm->state == AWD_TMS_RUNNING) {
            /*
             * deterministic: the guest waits until the worker ran it,
             * or waits for a page response (above)
             */
            if (!det && tm->due > now) {
                timer_mod(tm->timer, tm->due);
                break;
            }
        } else if (tm->state != AWD_TMS_GO && !q_can_fetch(q)) {
            /* idle, or published with nothing more to fetch */
            break;
        }
        if (!det || q->dev->params.sync) {
            break;                  /* sync=on: no worker to wait for */
        }
        if (qemu_clock_get_ms(QEMU_CLOCK_REALTIME) > give_up) {
            trace_accel_wd_timing_give_up(q->index, tm->state);
            flush = false;      /* the worker is not where it yields */
            break;
        }
        tm->cb_waiting = true;
        qemu_cond_timedwait(&tm->cond, &q->lock, 10);
        tm->cb_waiting = false;
    }
    irq |= tm->cb_irq;
    tm->cb_irq = false;
    qemu_mutex_unlock(&q->lock);
    if (det && flush) {
        /* the page requests it queued, at this virtual instant */
        awd_xlate_pr_flush(&q->xlate);
    }
    if (irq) {
        q_notify(q, q->index);
    }
}

static void q_tm_timer_cb(void *opaque)
{
    q_tm_hold(opaque, true);
}

/*
 * Deterministic time: the guest answered the page request the worker
 * waited for (BQL held, in the vCPU that wrote the response). Hold it
 * there until the worker yields again, so that the worker never runs
 * beside the guest; what it asks next goes out at the next release
 * timer tick, not from inside the IOMMU's invalidation queue.
 */
static void q_tm_pr_answered(AwdXlateCtx *x)
{
    q_tm_hold(container_of(x, AwdQueue, xlate), false);
}

/*
 * Fetch, execute and complete the next request. Called with q->lock held
 * and returns with it held; drops it while working. Returns true if an
 * interrupt is due.
 */
static bool q_process_one(AwdQueue *q)
{
    const AwdFormat *f = q_fmt(q);
    AwdReq r = { 0 };
    AwdResult res = { 0 };
    uint32_t qerr = AWD_QERR_NONE;
    uint64_t fault = 0;
    int64_t when;
    bool irq;

    q->busy = true;
    awd_tm_begin(q);
    qemu_mutex_unlock(&q->lock);

    if (f->fetch(q, &r, &qerr, &fault) != AWD_FETCH_OK) {
        qemu_mutex_lock(&q->lock);
        q_tm_state(q, AWD_TMS_IDLE);
        q_set_error(q, qerr, fault);
        return false;
    }
    if (accel_wd_fatal_on_fetch(q->dev)) {
        res.status = AWD_STS_ABORTED;   /* no completion, like a reset */
        irq = false;
    } else {
        irq = q_execute(q, &r, &res);
    }
    if (f->release) {
        f->release(q, &r);
    }

    qemu_mutex_lock(&q->lock);
    if (qatomic_read(&q->abort) || res.status == AWD_STS_ABORTED ||
        (q->tm.model && !q_tm_wait_release(q))) {
        /* reset or VM stop: no completion, the request stays */
        q_tm_state(q, AWD_TMS_IDLE);
        return false;
    }
    if (res.status != AWD_STS_OK) {
        trace_accel_wd_desc_error(q->index, r.where, res.status);
        q->stats.errors++;
    }
    q->stats.ops++;
    q->stats.bytes_in += res.consumed;
    q->stats.bytes_out += res.produced;
    /* a record in process memory may need a page request: no lock held */
    qemu_mutex_unlock(&q->lock);
    qerr = f->complete(q, &r, &res, &fault);
    qemu_mutex_lock(&q->lock);
    when = q->tm.model ? q->tm.due : qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    awd_tm_completed(q, &res, when);
    if (qerr != AWD_QERR_NONE) {
        q_set_error(q, qerr, fault);
    } else {
        irq |= (r.flags & AWD_DF_IRQ) && (q->ctrl & AWD_QCTRL_IRQ_EN);
    }
    if (irq && q->tm.cb_waiting) {
        /* the release timer holds the guest still: it raises it, now */
        q->tm.cb_irq = true;
        irq = false;
    }
    q_tm_state(q, AWD_TMS_DONE);
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
    if (!q_can_fetch(q)) {
        /* a release timer may be waiting for us */
        q_tm_state(q, AWD_TMS_IDLE);
    }
    q_raise_pending(q, irq);
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

/*
 * sync=on: the pool's loop in the main loop. At most a ring's worth of
 * requests per queue per run, then the next run, so that the main loop
 * (and a reset) get their turn between them.
 */
#define AWD_SYNC_BUDGET 64

static void sync_bh(void *opaque)
{
    AccelWdState *s = opaque;
    bool more = false;

    for (unsigned i = 0; i < s->params.num_queues; i++) {
        AwdQueue *q = &s->queues[i];
        unsigned budget = AWD_SYNC_BUDGET;

        qemu_mutex_lock(&q->lock);
        while (!q->stop && budget && q_can_fetch(q)) {
            q_run_one(q);
            budget--;
        }
        if (!q->stop && q_can_fetch(q)) {
            more = true;
        } else {
            q->drain_pending = false;
        }
        qemu_mutex_unlock(&q->lock);
    }
    if (more) {
        qemu_bh_schedule(s->sync_bh);
    }
}

void awd_pool_start(AccelWdState *s)
{
    unsigned i;

    qemu_mutex_init(&s->pool_lock);
    qemu_cond_init(&s->pool_cond);
    s->pool_stop = false;
    if (s->params.sync) {
        s->sync_bh = qemu_bh_new_guarded(sync_bh, s,
                                         &DEVICE(s)->mem_reentrancy_guard);
        return;
    }
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

/*
 * Stop every worker, pooled or dedicated: all are told before any is
 * joined (here for the pool, in awd_queue_exit for the others), so a
 * teardown under load waits for one engine chunk, not one per queue.
 */
void awd_pool_stop(AccelWdState *s)
{
    unsigned i;

    if (s->params.sync) {
        for (i = 0; i < s->params.num_queues; i++) {
            s->queues[i].stop = true;
        }
        qemu_bh_delete(s->sync_bh);
        s->sync_bh = NULL;
    }
    for (i = 0; i < s->params.num_queues; i++) {
        AwdQueue *q = &s->queues[i];

        qemu_mutex_lock(&q->lock);
        q->stop = true;
        q_abort(q);
        qemu_cond_signal(&q->wake);
        qemu_mutex_unlock(&q->lock);
    }
    if (s->params.workers) {
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
    q->xlate.hold_cond = &q->tm.cond;
    q->xlate.pr_answered = q_tm_pr_answered;
    q->engine = awd_deflate_engine_new();
    q->src_ext = g_new0(AwdExtents, 1);
    q->dst_ext = g_new0(AwdExtents, 1);
    q->isal = s->params.isal ? awd_isal_new() : NULL;
    q->stream_ctx = g_malloc0(AWD_STREAM_CTX_BYTES);
    q->paused = !s->running;
    awd_tm_queue_init(q, q_tm_timer_cb);
    q->irq_bh = qemu_bh_new_guarded(q_irq_bh, q,
                                    &DEVICE(s)->mem_reentrancy_guard);
    qemu_mutex_init(&q->lock);
    qemu_cond_init(&q->wake);
    qemu_cond_init(&q->idle_cond);
}

void awd_queue_start(AwdQueue *q)
{
    g_autofree char *name = g_strdup_printf("accel-wd-q%u", q->index);

    if (q_pooled(q->dev)) {
        return;                     /* served by the pool or the main loop */
    }
    qemu_thread_create(&q->thread, name, q_worker, q, QEMU_THREAD_JOINABLE);
}

void awd_queue_exit(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    q->stop = true;
    q_abort(q);
    qemu_cond_signal(&q->wake);   /* the pool is already stopped */
    qemu_mutex_unlock(&q->lock);
    if (!q_pooled(q->dev)) {
        qemu_thread_join(&q->thread);
    }
    /* no worker left to schedule it: what it owed goes with the device */
    qemu_bh_delete(q->irq_bh);
    q->irq_bh = NULL;
    awd_deflate_engine_free(q->engine);
    q->engine = NULL;
    awd_isal_free(q->isal);
    q->isal = NULL;
    g_free(q->stream_ctx);
    q->stream_ctx = NULL;
    g_free(q->src_ext->ext);
    g_free(q->dst_ext->ext);
    g_free(q->src_ext);
    g_free(q->dst_ext);
    g_free(q->bounce_src);
    g_free(q->bounce_dst);
    g_free(q->fifo);
    q->fifo = NULL;
    awd_tm_queue_exit(q);
    qemu_cond_destroy(&q->idle_cond);
    qemu_cond_destroy(&q->wake);
    qemu_mutex_destroy(&q->lock);
}

/* ---- migration -------------------------------------------------------- */

static int q_post_load(void *opaque, int version_id)
{
    AwdQueue *q = opaque;

    if ((q->ctrl & ~AWD_QCTRL_RW_BITS) || q->error >= AWD_QERR_MAX ||
        q->phase > 1 || q->pasid > 0xfffff || q->ring_order > 31) {
        return -EINVAL;
    }
    if (q_enabled(q)) {
        if (q->ring_order < AWD_RING_ORDER_MIN ||
            q->ring_order > q->dev->params.ring_order_max) {
            return -EINVAL;
        }
        if (q->ctrl & AWD_QCTRL_PASID_EN &&
            !(accel_wd_caps(q->dev) & AWD_CAP_PASID)) {
            return -EINVAL;
        }
    }
    if (!q_fmt(q)->post_load(q)) {
        return -EINVAL;
    }
    q->xlate.pasid_en = q->ctrl & AWD_QCTRL_PASID_EN;
    q->xlate.priv = q->ctrl & AWD_QCTRL_PRIV;
    q->xlate.pasid = q->pasid;
    if (q_enabled(q)) {
        awd_atc_bind(&q->xlate);
    } else {
        awd_atc_unbind(&q->xlate);
    }
    q_counters_clear(q);
    return 0;
}

/* Formats with state beyond the ring registers (a portal's submissions) */
static bool q_fmt_state_needed(void *opaque)
{
    AwdQueue *q = opaque;

    return q->fifo_size || q->portal_lo_valid;
}

static const VMStateDescription vmstate_awd_queue_fmt = {
    .name = "accel-wd-queue/format",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = q_fmt_state_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(fifo_size, AwdQueue),
        VMSTATE_VARRAY_UINT32_ALLOC(fifo, AwdQueue, fifo_size, 0,
                                    vmstate_info_uint64, uint64_t),
        VMSTATE_UINT64(portal_lo, AwdQueue),
        VMSTATE_BOOL(portal_lo_valid, AwdQueue),
        VMSTATE_END_OF_LIST()
    },
};

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
    .subsections = (const VMStateDescription * const []) {
        &vmstate_awd_queue_fmt,
        NULL
    },
};
