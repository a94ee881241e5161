/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue front end: per-queue registers and doorbells.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "migration/vmstate.h"
#include "accel-wd.h"
#include "trace.h"

void awd_queue_init(AccelWdState *s, AwdQueue *q, uint32_t index)
{
    q->dev = s;
    q->index = index;
    qemu_mutex_init(&q->lock);
    qemu_cond_init(&q->wake);
    qemu_cond_init(&q->idle_cond);
}

void awd_queue_start(AwdQueue *q)
{
}

void awd_queue_exit(AwdQueue *q)
{
    qemu_cond_destroy(&q->idle_cond);
    qemu_cond_destroy(&q->wake);
    qemu_mutex_destroy(&q->lock);
}

void awd_queue_reset(AwdQueue *q)
{
    qemu_mutex_lock(&q->lock);
    q->ctrl = 0;
    q->pasid = 0;
    q->error = AWD_QERR_NONE;
    q->sq_base = 0;
    q->cq_base = 0;
    q->ring_order = 0;
    q->sq_head = q->sq_tail = 0;
    q->cq_head = q->cq_tail = 0;
    q->fault_addr = 0;
    q->phase = 1;
    qemu_mutex_unlock(&q->lock);
}

void awd_queue_pause(AwdQueue *q, bool pause)
{
}

void awd_queue_kick(AwdQueue *q)
{
}

bool awd_queue_in_error(AwdQueue *q)
{
    return q->error != AWD_QERR_NONE;
}

uint32_t awd_queue_reg_read(AwdQueue *q, unsigned off)
{
    return 0;
}

void awd_queue_reg_write(AwdQueue *q, unsigned off, uint32_t val)
{
}

void awd_queue_doorbell(AwdQueue *q, unsigned off, uint32_t val)
{
}

uint32_t awd_queue_doorbell_read(AwdQueue *q, unsigned off)
{
    return 0;
}

const VMStateDescription vmstate_awd_queue = {
    .name = "accel-wd-queue",
    .version_id = 1,
    .minimum_version_id = 1,
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
