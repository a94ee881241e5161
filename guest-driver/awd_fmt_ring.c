// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd queue format "ring" (include/accel_wd_ring.h) for the kernel
 * queue: a descriptor ring and a completion ring with phase bits, an SQ
 * tail and a CQ head doorbell. The ring helpers are shared with the
 * formats that keep these rings (sgl).
 */

#include <linux/dma-mapping.h>

#include "awd.h"

/* kq->lock held: copy a 64-byte descriptor to the SQ and ring the bell. */
void awd_ring_push(struct awd_kq *kq, const void *desc)
{
	u32 entries = BIT(kq->order);

	memcpy(kq->sq + (size_t)kq->sq_tail * AWD_DESC_SIZE, desc,
	       AWD_DESC_SIZE);
	kq->sq_tail = (kq->sq_tail + 1) & (entries - 1);
	/* descriptor and bounce data before the doorbell (writel orders) */
	writel(kq->sq_tail, kq->awd->db + kq->qid * AWD_DB_STRIDE +
	       AWD_DB_SQ_TAIL);
}

/*
 * kq->lock held: the completion at the CQ head if its phase is the
 * current one. Returns its tag (a tag outside the slots as AWD_KQ_SLOTS,
 * which the caller reports) or -1 when there is none.
 */
int awd_ring_next(struct awd_kq *kq, struct awd_cpl *cpl)
{
	u32 entries = BIT(kq->order);
	struct awd_cpl *c = &kq->cq[kq->cq_head];

	if ((READ_ONCE(c->flags) & AWD_CF_PHASE) != kq->phase)
		return -1;
	dma_rmb();	/* the record after its phase bit */
	*cpl = *c;
	kq->cq_head = (kq->cq_head + 1) & (entries - 1);
	if (!kq->cq_head)
		kq->phase ^= 1;
	kq->cq_moved = true;
	return cpl->tag < AWD_KQ_SLOTS ? cpl->tag : AWD_KQ_SLOTS;
}

/* kq->lock held: hand the consumed completions back to the device. */
void awd_ring_ack(struct awd_kq *kq)
{
	if (!kq->cq_moved)
		return;
	kq->cq_moved = false;
	writel(kq->cq_head, kq->awd->db + kq->qid * AWD_DB_STRIDE +
	       AWD_DB_CQ_HEAD);
}

void awd_ring_start(struct awd_kq *kq)
{
	kq->sq_tail = 0;
	kq->cq_head = 0;
	kq->phase = 1;
	kq->cq_moved = false;
}

/* ring entries > slots, so the SQ and CQ never fill */
int awd_ring_init(struct awd_kq *kq)
{
	kq->order = AWD_KQ_ORDER;
	kq->nslots = AWD_KQ_SLOTS;
	return 0;
}

static void awd_ring_fini(struct awd_kq *kq)
{
}

static int awd_ring_submit(struct awd_kq *kq, unsigned int s,
			   const struct awd_desc *d)
{
	awd_ring_push(kq, d);
	return 0;
}

static int awd_ring_check(struct awd_dev *awd)
{
	return 0;
}

const struct awd_fmt awd_fmt_ring = {
	.name = "ring",
	.id = AWD_FORMAT_RING,
	.cq_ring = true,
	.check = awd_ring_check,
	.init = awd_ring_init,
	.fini = awd_ring_fini,
	.start = awd_ring_start,
	.submit = awd_ring_submit,
	.next = awd_ring_next,
	.ack = awd_ring_ack,
};
