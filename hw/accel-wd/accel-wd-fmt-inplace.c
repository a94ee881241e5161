/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue format "inplace" (include/accel_wd_inplace.h): one ring
 * of 64-byte slots and an SQ tail doorbell; the completion record is
 * written over the first 32 bytes of the slot it completes. A slot whose
 * cflags is not 0 when fetched holds a record software has not reused:
 * the queue stops rather than overwrite it.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "accel-wd-fmt.h"
#include "accel_wd_inplace.h"
#include "trace.h"

static uint32_t ip_entries(AwdQueue *q)
{
    return 1u << q->ring_order;
}

static uint64_t ip_slot(AwdQueue *q, uint32_t i)
{
    return q->sq_base + (uint64_t)i * AWD_INPLACE_SLOT_SIZE;
}

static uint32_t ip_param(AccelWdState *s, unsigned i)
{
    return 0;
}

static bool ip_config_ok(AwdQueue *q, const char **what)
{
    uint64_t size;

    if (q->sq_base & (AWD_INPLACE_ALIGN - 1)) {
        *what = "ring alignment";
        return false;
    }
    size = (uint64_t)ip_entries(q) * AWD_INPLACE_SLOT_SIZE;
    if (q->sq_base + size < q->sq_base && q->sq_base + size != 0) {
        *what = "ring wraps";
        return false;
    }
    return true;
}

static uint32_t ip_check_config(AwdQueue *q)
{
    const char *what = NULL;

    if (awd_ring_check_order(q) != AWD_QERR_NONE) {
        return AWD_QERR_BAD_CONFIG;
    }
    if (!ip_config_ok(q, &what)) {
        AWD_GUEST_ERR(trace_accel_wd_err_config(q->index, what),
                      "queue %u: inplace %s invalid", q->index, what);
        return AWD_QERR_BAD_CONFIG;
    }
    return AWD_QERR_NONE;
}

static void ip_enable(AwdQueue *q)
{
    q->sq_head = 0;
    q->sq_tail = 0;
    q->cq_head = 0;
    q->cq_tail = 0;
}

static bool ip_can_fetch(AwdQueue *q)
{
    /* the record goes into the slot itself: there is always room */
    return q->sq_head != q->sq_tail;
}

static uint32_t ip_doorbell(AwdQueue *q, unsigned off, uint32_t val)
{
    uint32_t mask = ip_entries(q) - 1;

    if (off != AWD_INPLACE_DB_SQ_TAIL) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: inplace doorbell write at 0x%x", q->index,
                      off);
        return AWD_QERR_BAD_DOORBELL;
    }
    if (val > mask) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: inplace tail %u past the ring (%u slots)",
                      q->index, val, mask + 1);
        return AWD_QERR_BAD_DOORBELL;
    }
    /* a tail doorbell hands slots over; it never takes them back */
    if (((val - q->sq_head) & mask) < ((q->sq_tail - q->sq_head) & mask)) {
        AWD_GUEST_ERR(trace_accel_wd_err_doorbell(q->index, off, val),
                      "queue %u: inplace tail %u behind tail %u (head %u)",
                      q->index, val, q->sq_tail, q->sq_head);
        return AWD_QERR_BAD_DOORBELL;
    }
    trace_accel_wd_inplace_tail(q->index, q->sq_head, val);
    awd_tm_submitted(q, (val - q->sq_tail) & mask);
    q->sq_tail = val;
    return AWD_QERR_NONE;
}

static uint32_t ip_doorbell_read(AwdQueue *q, unsigned off)
{
    switch (off) {
    case AWD_INPLACE_DB_SQ_TAIL:
        return q->sq_tail;
    case AWD_INPLACE_DB_SQ_HEAD:
        return q->sq_head;
    default:
        return 0;
    }
}

static bool ip_reg_read(AwdQueue *q, unsigned off, uint32_t *val)
{
    switch (off) {
    case AWD_Q_SQ_BASE_LO:
        *val = q->sq_base;
        return true;
    case AWD_Q_SQ_BASE_HI:
        *val = q->sq_base >> 32;
        return true;
    case AWD_Q_SQ_HEAD:
        *val = q->sq_head;
        return true;
    case AWD_Q_SQ_TAIL:
        *val = q->sq_tail;
        return true;
    case AWD_Q_CQ_BASE_LO:
    case AWD_Q_CQ_BASE_HI:
    case AWD_Q_CQ_TAIL:
    case AWD_Q_CQ_HEAD:
        *val = 0;
        return true;
    default:
        return false;
    }
}

static AwdFetch ip_fetch(AwdQueue *q, AwdReq *r, uint32_t *qerr,
                         uint64_t *fault)
{
    struct awd_inplace_desc d;
    uint32_t slot;
    uint64_t addr;

    qemu_mutex_lock(&q->lock);
    slot = q->sq_head;
    addr = ip_slot(q, slot);
    qemu_mutex_unlock(&q->lock);

    if (awd_xlate_read(&q->xlate, addr, &d, sizeof(d), fault) !=
        AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_fetch(q->index, *fault),
                      "queue %u: inplace slot %u unreadable at 0x%" PRIx64,
                      q->index, slot, *fault);
        *qerr = AWD_QERR_SQ_FETCH;
        return AWD_FETCH_ERROR;
    }
    awd_queue_count(q, AWD_QCNT_DESC_BYTES, sizeof(d));
    if (d.cflags) {
        /* an unread record, or a slot software never handed over */
        AWD_GUEST_ERR(trace_accel_wd_inplace_busy(q->index, slot,
                                                  le32_to_cpu(d.cflags)),
                      "queue %u: inplace slot %u not free (cflags 0x%x)",
                      q->index, slot, le32_to_cpu(d.cflags));
        *qerr = AWD_QERR_BAD_DOORBELL;
        *fault = addr;
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
    r->where = slot;
    r->crec = addr;
    return AWD_FETCH_OK;
}

static bool ip_execute(AwdQueue *q, AwdReq *r, AwdResult *res, bool *irq)
{
    if (r->opcode != AWD_OP_BATCH) {
        return false;
    }
    /* no batches in this format */
    *res = (AwdResult) { .status = AWD_STS_INVALID_OPCODE };
    return true;
}

static uint32_t ip_complete(AwdQueue *q, AwdReq *r, const AwdResult *res,
                            uint64_t *fault)
{
    uint32_t slot = r->where;
    uint16_t next;

    /* q->ring_order cannot change while the queue is enabled */
    next = (slot + 1) & (ip_entries(q) - 1);
    if (awd_write_cpl(q, r->crec, res, r->tag, next, AWD_CF_DONE, fault) !=
        AWD_STS_OK) {
        AWD_GUEST_ERR(trace_accel_wd_err_cq(q->index, *fault),
                      "queue %u: inplace slot %u unwritable at 0x%" PRIx64,
                      q->index, slot, *fault);
        return AWD_QERR_CQ_WRITE;
    }
    trace_accel_wd_inplace_complete(q->index, slot, res->status);
    qemu_mutex_lock(&q->lock);
    q->sq_head = next;
    qemu_mutex_unlock(&q->lock);
    return AWD_QERR_NONE;
}

static bool ip_post_load(AwdQueue *q)
{
    const char *what;

    if (!(q->ctrl & AWD_QCTRL_ENABLE)) {
        return true;
    }
    return ip_config_ok(q, &what) && q->sq_head < ip_entries(q) &&
           q->sq_tail < ip_entries(q);
}

static const AwdFormat inplace_format = {
    .name = "inplace",
    .id = AWD_FORMAT_INPLACE,
    .param = ip_param,
    .check_config = ip_check_config,
    .enable = ip_enable,
    .can_fetch = ip_can_fetch,
    .empty = awd_ring_empty,
    .doorbell = ip_doorbell,
    .doorbell_read = ip_doorbell_read,
    .reg_read = ip_reg_read,
    .fetch = ip_fetch,
    .execute = ip_execute,
    .complete = ip_complete,
    .post_load = ip_post_load,
};

AWD_FORMAT_REGISTER(inplace_format)
