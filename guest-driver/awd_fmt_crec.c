// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd queue format "crec" (include/accel_wd_crec.h) for the kernel
 * queue: no rings. Slot s owns descriptor s of the SQ area and completion
 * record s of the CQ area; a submission is one 64-bit write of the
 * descriptor's DMA address to the queue's portal, and a request is done
 * when the device has set AWD_CF_DONE in its record. The portal holds
 * 1 << order submissions, so no more slots than that are used: the
 * device never sees more in flight than the portal's depth. There is no
 * ring to poll, so the IRQ thread and the watchdog look at the records of
 * the slots in flight.
 */

#include <linux/dma-mapping.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/log2.h>

#include "awd.h"

static int awd_crec_check(struct awd_dev *awd)
{
	return 0;
}

static int awd_crec_init(struct awd_kq *kq)
{
	kq->order = min_t(u32, ilog2(AWD_KQ_SLOTS), kq->awd->ring_order_max);
	kq->nslots = BIT(kq->order);
	return 0;
}

static void awd_crec_fini(struct awd_kq *kq)
{
}

/* the CQ area was zeroed: no record says done */
static void awd_crec_start(struct awd_kq *kq)
{
}

static int awd_crec_submit(struct awd_kq *kq, unsigned int s,
			   const struct awd_desc *d)
{
	struct awd_crec_desc *cd = kq->sq + (size_t)s * AWD_DESC_SIZE;
	dma_addr_t desc_dma = kq->sq_dma + (size_t)s * AWD_DESC_SIZE;

	*cd = (struct awd_crec_desc) {
		.opcode = d->opcode,
		.flags = d->flags,
		.tag = d->tag,
		.src = d->src,
		.dst = d->dst,
		.src_len = d->src_len,
		.dst_len = d->dst_len,
		.ctx = d->ctx,
		.key = d->key,
		.param = d->param,
		.crec = kq->cq_dma + (size_t)s * AWD_CPL_SIZE,
	};
	/* the device sets AWD_CF_DONE in flags last */
	memset(&kq->cq[s], 0, sizeof(kq->cq[s]));
	/*
	 * Descriptor, record and bounce data before the portal write
	 * (writeq orders); without a native writeq the low half goes
	 * first and the high half submits, as the portal wants.
	 */
	writeq(desc_dma, kq->awd->db + kq->qid * AWD_DB_STRIDE +
	       AWD_CREC_PORTAL);
	return 0;
}

/*
 * kq->lock held: the first slot in flight whose record is done. The
 * record is cleared once copied, so each completes once; its slot is
 * where it was found, and a record whose tag is not that slot fails the
 * request.
 */
static int awd_crec_next(struct awd_kq *kq, struct awd_cpl *cpl)
{
	struct awd_cpl *c;
	unsigned int s;

	for_each_set_bit(s, &kq->busy, kq->nslots) {
		c = &kq->cq[s];
		if (!(READ_ONCE(c->flags) & AWD_CF_DONE))
			continue;
		dma_rmb();	/* the record after its done bit */
		*cpl = *c;
		WRITE_ONCE(c->flags, 0);
		if (cpl->tag != s) {
			dev_warn_ratelimited(&kq->awd->pdev->dev,
					     "kernel queue: record %u carries tag %u\n",
					     s, cpl->tag);
			cpl->status = AWD_STS_MAX;	/* fails as -EIO */
		}
		return s;
	}
	return -1;
}

static void awd_crec_ack(struct awd_kq *kq)
{
}

const struct awd_fmt awd_fmt_crec = {
	.name = "crec",
	.id = AWD_FORMAT_CREC,
	.reap_in_watchdog = true,
	.check = awd_crec_check,
	.init = awd_crec_init,
	.fini = awd_crec_fini,
	.start = awd_crec_start,
	.submit = awd_crec_submit,
	.next = awd_crec_next,
	.ack = awd_crec_ack,
};
