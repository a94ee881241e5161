/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue format "crec" (include/accel_wd_crec.h), DSA/IAA style:
 * software writes a descriptor's address to the queue's portal, the
 * device keeps up to 1 << ring_order of them in its own FIFO, reads each
 * descriptor from process memory and writes the completion record the
 * descriptor names, also in process memory. No ring, no CQ doorbell. A
 * batch descriptor runs an array of descriptors.
 *
 * The FIFO holds addresses between sq_tail (accepted, free-running) and
 * sq_head (finished); the head entry is popped only when its record is
 * written, so a request aborted by a reset or VM stop runs again.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/atomic.h"
#include "qapi/error.h"
#include "accel-wd-fmt.h"
#include "accel_wd_crec.h"
#include "trace.h"

#define CREC_MAX_BATCH      4096

static uint32_t crec_pending(AwdQueue *q)
{
    return q->sq_tail - q->sq_head;
}

static void crec_enable(AwdQueue *q)
{
    uint32_t depth = 1u << q->ring_order;

    if (q->fifo_size != depth) {
        g_free(q->fifo);
        q->fifo = g_new0(uint64_t, depth);
        q->fifo_size = depth;
    }
    q->sq_head = q->sq_tail = 0;
    q->cq_head = q->cq_tail = 0;
    q->portal_lo_valid = false;
}

static bool crec_can_fetch(AwdQueue *q)
{
    return crec_pending(q) != 0;
}

static bool crec_empty(AwdQueue *q)
{
    return crec_pending(q) == 0;
}

/* The high half of a portal write submits @addr */
static uint32_t crec_submit(AwdQueue *q, uint64_t addr)
{
    if (addr & (AWD_CREC_DESC_ALIGN - 1)) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, AWD_CREC_PORTAL,
                                                  addr),
                      "queue %u: descriptor 0x%" PRIx64 " not 64-byte "
                      "aligned", q->index, addr);
        return AWD_QERR_BAD_DOORBELL;
    }
    if (crec_pending(q) >= q->fifo_size) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, AWD_CREC_PORTAL,
                                                  addr),
                      "queue %u: portal full (%u submissions)", q->index,
                      q->fifo_size);
        return AWD_QERR_PORTAL_FULL;
    }
    q->fifo[q->sq_tail & (q->fifo_size - 1)] = addr;
    q->sq_tail++;
    awd_tm_submitted(q, 1);
    trace_accel_wd_crec_submit(q->index, addr, crec_pending(q));
    return AWD_QERR_NONE;
}

static uint32_t crec_doorbell(AwdQueue *q, unsigned off, uint32_t val)
{
    switch (off) {
    case AWD_CREC_PORTAL:
        q->portal_lo = val;
        q->portal_lo_valid = true;
        return AWD_QERR_NONE;
    case AWD_CREC_PORTAL + 4:
        if (!q->portal_lo_valid) {
            AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                          "queue %u: portal high half without its low half",
                          q->index);
            return AWD_QERR_BAD_DOORBELL;
        }
        q->portal_lo_valid = false;
        return crec_submit(q, deposit64(q->portal_lo, 32, 32, val));
    default:
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: no portal register at offset 0x%x",
                      q->index, off);
        return AWD_QERR_NONE;
    }
}

static uint32_t crec_doorbell_read(AwdQueue *q, unsigned off)
{
    return off == AWD_CREC_PENDING ? crec_pending(q) : 0;
}

static bool crec_reg_read(AwdQueue *q, unsigned off, uint32_t *val)
{
    switch (off) {
    case AWD_Q_SQ_HEAD:
        *val = q->sq_head;
        return true;
    case AWD_Q_SQ_TAIL:
        *val = q->sq_tail;
        return true;
    case AWD_Q_SQ_BASE_LO:
    case AWD_Q_CQ_BASE_LO:
        *val = off == AWD_Q_SQ_BASE_LO ? q->sq_base : q->cq_base;
        return true;
    case AWD_Q_SQ_BASE_HI:
    case AWD_Q_CQ_BASE_HI:
        *val = (off == AWD_Q_SQ_BASE_HI ? q->sq_base : q->cq_base) >> 32;
        return true;
    default:
        return false;
    }
}

/* One descriptor at @addr into @r; an enum awd_status */
static uint32_t crec_read_desc(AwdQueue *q, uint64_t addr, AwdReq *r,
                               uint64_t *fault)
{
    struct awd_crec_desc d;
    uint32_t st = awd_xlate_read(&q->xlate, addr, &d, sizeof(d), fault);

    if (st != AWD_STS_OK) {
        return st;
    }
    awd_queue_count(q, AWD_QCNT_DESC_BYTES, sizeof(d));
    *r = (AwdReq) {
        .opcode = d.opcode,
        .flags = d.flags,
        .rsvd_set = d.rsvd0 || d.rsvd1,
        .tag = le32_to_cpu(d.tag),
        .src = le64_to_cpu(d.src),
        .dst = le64_to_cpu(d.dst),
        .src_len = le32_to_cpu(d.src_len),
        .dst_len = le32_to_cpu(d.dst_len),
        .ctx = le64_to_cpu(d.ctx),
        .key = le64_to_cpu(d.key),
        .param = le32_to_cpu(d.param),
        .where = addr,
        .crec = le64_to_cpu(d.crec),
    };
    return AWD_STS_OK;
}

static AwdFetch crec_fetch(AwdQueue *q, AwdReq *r, uint32_t *qerr,
                           uint64_t *fault)
{
    uint64_t addr = q->fifo[q->sq_head & (q->fifo_size - 1)];

    if (crec_read_desc(q, addr, r, fault) != AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_fetch(q->index, addr),
                      "queue %u: descriptor fetch at 0x%" PRIx64 " failed",
                      q->index, addr);
        *qerr = AWD_QERR_SQ_FETCH;
        return AWD_FETCH_ERROR;
    }
    return AWD_FETCH_OK;
}

/* Write @r's record; an enum awd_qerr, *fault where it failed */
static uint32_t crec_write_record(AwdQueue *q, const AwdReq *r,
                                  const AwdResult *res, uint64_t *fault)
{
    trace_accel_wd_crec_complete(q->index, r->crec, res->status);
    if ((r->crec & (AWD_CREC_ALIGN - 1)) ||
        awd_write_cpl(q, r->crec, res, r->tag, 0, AWD_CF_DONE, fault) !=
        AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_cq(q->index, r->crec),
                      "queue %u: completion record at 0x%" PRIx64
                      " not written", q->index, r->crec);
        if (r->crec & (AWD_CREC_ALIGN - 1)) {
            *fault = r->crec;
        }
        return AWD_QERR_CQ_WRITE;
    }
    return AWD_QERR_NONE;
}

/* ---- batches ---------------------------------------------------------- */

/* The fields a batch descriptor must leave 0; an enum awd_status */
static uint32_t batch_check(AwdQueue *q, const AwdReq *r)
{
    if ((r->flags & ~AWD_DF_IRQ) || r->rsvd_set) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (r->dst || r->dst_len || r->ctx || r->key || r->param) {
        return AWD_STS_INVALID_PARAM;
    }
    if (!r->src_len || r->src_len > q->dev->params.crec_max_batch) {
        return AWD_STS_INVALID_LEN;
    }
    if (r->src & (AWD_CREC_DESC_ALIGN - 1)) {
        return AWD_STS_MISALIGNED;
    }
    return AWD_STS_OK;
}

/*
 * Run descriptor @i of the batch @r; false stops the batch (abort, or
 * its record could not be written: r->qerr says so).
 */
static bool batch_one(AwdQueue *q, AwdReq *r, uint32_t i, AwdResult *res,
                      bool *irq)
{
    uint64_t addr = r->src + (uint64_t)i * AWD_DESC_SIZE;
    AwdReq sub;
    AwdResult sres = { 0 };

    if (crec_read_desc(q, addr, &sub, &res->fault_addr) != AWD_STS_OK) {
        res->status = AWD_STS_FAULT;
        res->flags |= AWD_CF_FAULT_META;
        return false;
    }
    if (sub.opcode == AWD_OP_BATCH) {
        sres.status = AWD_STS_INVALID_OPCODE;   /* no batch in a batch */
    } else {
        awd_exec(q, &sub, &sres);
    }
    if (qatomic_read(&q->abort) || sres.status == AWD_STS_ABORTED) {
        res->status = AWD_STS_ABORTED;
        return false;
    }
    r->qerr = crec_write_record(q, &sub, &sres, &r->qerr_addr);
    if (r->qerr != AWD_QERR_NONE) {
        return false;
    }
    res->produced++;
    res->consumed += sres.status == AWD_STS_OK;
    *irq |= (sub.flags & AWD_DF_IRQ) && (q->ctrl & AWD_QCTRL_IRQ_EN);
    return true;
}

static bool crec_execute(AwdQueue *q, AwdReq *r, AwdResult *res, bool *irq)
{
    uint32_t i;

    if (r->opcode != AWD_OP_BATCH) {
        return false;
    }
    res->status = batch_check(q, r);
    if (res->status != AWD_STS_OK) {
        return true;
    }
    for (i = 0; i < r->src_len; i++) {
        if (!batch_one(q, r, i, res, irq)) {
            break;
        }
    }
    if (i == r->src_len) {
        res->status = res->consumed == i ? AWD_STS_OK : AWD_STS_BATCH_FAIL;
    }
    if (res->status != AWD_STS_FAULT) {
        res->fault_addr = 0;
    }
    trace_accel_wd_crec_batch(q->index, r->src, r->src_len, res->consumed);
    return true;
}

/* Publish, then pop the FIFO head (takes q->lock) */
static uint32_t crec_complete(AwdQueue *q, AwdReq *r, const AwdResult *res,
                              uint64_t *fault)
{
    uint32_t err = r->qerr;

    if (err != AWD_QERR_NONE) {
        *fault = r->qerr_addr;
    } else {
        err = crec_write_record(q, r, res, fault);
    }
    if (err != AWD_QERR_NONE) {
        return err;
    }
    qemu_mutex_lock(&q->lock);
    q->sq_head++;
    qemu_mutex_unlock(&q->lock);
    return AWD_QERR_NONE;
}

static bool crec_post_load(AwdQueue *q)
{
    if (!awd_queue_enabled(q)) {
        return true;
    }
    return q->fifo && q->fifo_size == 1u << q->ring_order &&
           crec_pending(q) <= q->fifo_size;
}

static uint32_t crec_param(AccelWdState *s, unsigned i)
{
    return i == AWD_CREC_PARAM_MAX_BATCH ? s->params.crec_max_batch : 0;
}

static bool crec_check_params(AccelWdState *s, Error **errp)
{
    if (s->params.crec_max_batch < 1 ||
        s->params.crec_max_batch > CREC_MAX_BATCH) {
        error_setg(errp, "crec-max-batch must be 1..%u", CREC_MAX_BATCH);
        return false;
    }
    return true;
}

static const AwdFormat crec_format = {
    .name = "crec",
    .id = AWD_FORMAT_CREC,
    .param = crec_param,
    .check_params = crec_check_params,
    .check_config = awd_ring_check_order,  /* the portal depth */
    .enable = crec_enable,
    .can_fetch = crec_can_fetch,
    .empty = crec_empty,
    .doorbell = crec_doorbell,
    .doorbell_read = crec_doorbell_read,
    .reg_read = crec_reg_read,
    .fetch = crec_fetch,
    .execute = crec_execute,
    .complete = crec_complete,
    .post_load = crec_post_load,
};

AWD_FORMAT_REGISTER(crec_format)
