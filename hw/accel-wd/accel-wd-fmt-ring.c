/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue format "ring" (include/accel_wd_ring.h), the default: a
 * submission ring of descriptors naming plain buffers and a completion
 * ring with phase bits, both in the queue's address space, moved by two
 * doorbells. The ring helpers here serve every format that keeps this
 * ring pair (sgl).
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/range.h"
#include "accel-wd-fmt.h"
#include "accel_wd_ring.h"
#include "trace.h"

static uint32_t ring_entries(AwdQueue *q)
{
    return 1u << q->ring_order;
}

static uint32_t ring_mask(AwdQueue *q)
{
    return ring_entries(q) - 1;
}

/* AWD_Q_RING_ORDER at enable, for every format that uses it */
uint32_t awd_ring_check_order(AwdQueue *q)
{
    AccelWdParams *p = &q->dev->params;

    if (q->ring_order < AWD_RING_ORDER_MIN ||
        q->ring_order > p->ring_order_max) {
        AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, "ring order"),
                      "queue %u: ring order %u outside %u..%u", q->index,
                      q->ring_order, AWD_RING_ORDER_MIN, p->ring_order_max);
        return AWD_QERR_BAD_CONFIG;
    }
    return AWD_QERR_NONE;
}

/* Both rings at enable: order, alignment, neither wrapping nor overlapping */
uint32_t awd_ring_check_config(AwdQueue *q, uint64_t desc_size)
{
    uint64_t sq_bytes, cq_bytes;

    if (awd_ring_check_order(q) != AWD_QERR_NONE) {
        return AWD_QERR_BAD_CONFIG;
    }
    sq_bytes = desc_size << q->ring_order;
    cq_bytes = (uint64_t)AWD_CPL_SIZE << q->ring_order;
    if ((q->sq_base & (desc_size - 1)) ||
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
    return AWD_QERR_NONE;
}

void awd_ring_enable(AwdQueue *q)
{
    q->sq_head = q->sq_tail = 0;
    q->cq_head = q->cq_tail = 0;
    q->phase = 1;
}

bool awd_ring_can_fetch(AwdQueue *q)
{
    return q->sq_head != q->sq_tail &&
           ((q->cq_tail + 1) & ring_mask(q)) != q->cq_head;
}

bool awd_ring_empty(AwdQueue *q)
{
    return q->sq_head == q->sq_tail;
}

uint32_t awd_ring_doorbell(AwdQueue *q, unsigned off, uint32_t val)
{
    if (off != AWD_DB_SQ_TAIL && off != AWD_DB_CQ_HEAD) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: no doorbell at offset 0x%x", q->index, off);
        return AWD_QERR_NONE;
    }
    if (val >= ring_entries(q)) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: doorbell 0x%x past a %u-entry ring",
                      q->index, val, ring_entries(q));
        return AWD_QERR_BAD_DOORBELL;
    }
    if (off == AWD_DB_SQ_TAIL) {
        awd_tm_submitted(q, (val - q->sq_tail) & (ring_entries(q) - 1));
        q->sq_tail = val;
    } else {
        q->cq_head = val;
    }
    return AWD_QERR_NONE;
}

uint32_t awd_ring_doorbell_read(AwdQueue *q, unsigned off)
{
    switch (off) {
    case AWD_DB_SQ_TAIL:
        return q->sq_tail;
    case AWD_DB_CQ_HEAD:
        return q->cq_head;
    default:
        return 0;
    }
}

bool awd_ring_reg_read(AwdQueue *q, unsigned off, uint32_t *val)
{
    switch (off) {
    case AWD_Q_SQ_BASE_LO:
        *val = q->sq_base;
        return true;
    case AWD_Q_SQ_BASE_HI:
        *val = q->sq_base >> 32;
        return true;
    case AWD_Q_CQ_BASE_LO:
        *val = q->cq_base;
        return true;
    case AWD_Q_CQ_BASE_HI:
        *val = q->cq_base >> 32;
        return true;
    case AWD_Q_SQ_HEAD:
        *val = q->sq_head;
        return true;
    case AWD_Q_SQ_TAIL:
        *val = q->sq_tail;
        return true;
    case AWD_Q_CQ_TAIL:
        *val = q->cq_tail;
        return true;
    case AWD_Q_CQ_HEAD:
        *val = q->cq_head;
        return true;
    default:
        return false;
    }
}

/*
 * Read the AWD_DESC_SIZE bytes at the SQ head into @desc. Only the worker
 * moves sq_head, so it reads it without the lock.
 */
AwdFetch awd_ring_fetch_raw(AwdQueue *q, void *desc, AwdReq *r,
                            uint32_t *qerr, uint64_t *fault)
{
    uint64_t addr = q->sq_base + (uint64_t)q->sq_head * AWD_DESC_SIZE;

    r->where = q->sq_head;
    if (awd_xlate_read(&q->xlate, addr, desc, AWD_DESC_SIZE, fault) !=
        AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_fetch(q->index, addr),
                      "queue %u: descriptor fetch at 0x%" PRIx64 " failed",
                      q->index, addr);
        *qerr = AWD_QERR_SQ_FETCH;
        return AWD_FETCH_ERROR;
    }
    awd_queue_count(q, AWD_QCNT_DESC_BYTES, AWD_DESC_SIZE);
    return AWD_FETCH_OK;
}

/* The CQ slot at cq_tail, then both rings move on (takes q->lock) */
uint32_t awd_ring_complete(AwdQueue *q, AwdReq *r, const AwdResult *res,
                           uint64_t *fault)
{
    uint64_t addr = q->cq_base + (uint64_t)q->cq_tail * AWD_CPL_SIZE;
    uint16_t head = (r->where + 1) & ring_mask(q);
    uint32_t st;

    st = awd_write_cpl(q, addr, res, r->tag, head,
                       q->phase ? AWD_CF_PHASE : 0, fault);
    if (st != AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_cq(q->index, addr),
                      "queue %u: completion write at 0x%" PRIx64 " failed",
                      q->index, addr);
        return AWD_QERR_CQ_WRITE;
    }
    trace_accel_wd_cpl(q->index, q->cq_tail, res->status, res->produced);
    qemu_mutex_lock(&q->lock);
    q->sq_head = head;
    q->cq_tail = (q->cq_tail + 1) & ring_mask(q);
    if (q->cq_tail == 0) {
        q->phase ^= 1;
    }
    qemu_mutex_unlock(&q->lock);
    return AWD_QERR_NONE;
}

bool awd_ring_post_load(AwdQueue *q)
{
    return !awd_queue_enabled(q) ||
           !((q->sq_head | q->sq_tail | q->cq_head | q->cq_tail) &
             ~ring_mask(q));
}

/* ---- the format ------------------------------------------------------- */

static uint32_t ring_param(AccelWdState *s, unsigned i)
{
    return 0;
}

static uint32_t ring_check_config(AwdQueue *q)
{
    return awd_ring_check_config(q, AWD_DESC_SIZE);
}

static AwdFetch ring_fetch(AwdQueue *q, AwdReq *r, uint32_t *qerr,
                           uint64_t *fault)
{
    struct awd_desc d;

    if (awd_ring_fetch_raw(q, &d, r, qerr, fault) != AWD_FETCH_OK) {
        return AWD_FETCH_ERROR;
    }
    r->opcode = d.opcode;
    r->flags = d.flags;
    r->rsvd_set = d.rsvd0 || d.rsvd1 || d.rsvd2;
    r->tag = le32_to_cpu(d.tag);
    r->src = le64_to_cpu(d.src);
    r->dst = le64_to_cpu(d.dst);
    r->src_len = le32_to_cpu(d.src_len);
    r->dst_len = le32_to_cpu(d.dst_len);
    r->ctx = le64_to_cpu(d.ctx);
    r->key = le64_to_cpu(d.key);
    r->param = le32_to_cpu(d.param);
    return AWD_FETCH_OK;
}

static const AwdFormat ring_format = {
    .name = "ring",
    .id = AWD_FORMAT_RING,
    .param = ring_param,
    .check_config = ring_check_config,
    .enable = awd_ring_enable,
    .can_fetch = awd_ring_can_fetch,
    .empty = awd_ring_empty,
    .doorbell = awd_ring_doorbell,
    .doorbell_read = awd_ring_doorbell_read,
    .reg_read = awd_ring_reg_read,
    .fetch = ring_fetch,
    .complete = awd_ring_complete,
    .post_load = awd_ring_post_load,
};

AWD_FORMAT_REGISTER(ring_format)
