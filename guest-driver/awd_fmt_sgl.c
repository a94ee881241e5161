// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd queue format "sgl" (include/accel_wd_sgl.h) for the kernel
 * queue: the rings of awd_fmt_ring.c, but a descriptor names its source
 * and destination by scatter-gather lists. Each slot has its own lists in
 * coherent DMA memory. The bounce buffers are contiguous, yet they are
 * described one page per entry, in lists of AWD_KQ_SGL_LIST entries
 * chained to the next when full, so the device's list walk is really
 * used; fewer entries or lists allowed by the device
 * (AWD_SGL_PARAM_MAX_ENTRIES/_MAX_LISTS) make the entries or the lists
 * larger.
 */

#include <linux/dma-mapping.h>

#include "awd.h"

#define AWD_KQ_SGL_LIST		8	/* entries per list, chain included */
/* data entries per buffer at most: one per page of a bounce buffer */
#define AWD_KQ_SGL_DATA		DIV_ROUND_UP(AWD_KQ_BUF, PAGE_SIZE)
/* entries per buffer: data plus at most one chain per data entry */
#define AWD_KQ_SGL_ENTS		(2 * AWD_KQ_SGL_DATA)
#define AWD_KQ_SGL_BYTES	(AWD_KQ_SGL_ENTS * sizeof(struct awd_sge))

static int awd_sgl_check(struct awd_dev *awd)
{
	u32 ents = awd->fmt_param[AWD_SGL_PARAM_MAX_ENTRIES];
	u32 lists = awd->fmt_param[AWD_SGL_PARAM_MAX_LISTS];

	if (!ents || !lists) {
		dev_err(&awd->pdev->dev, "sgl format with %u entries and %u lists per buffer: unusable\n",
			ents, lists);
		return -ENODEV;
	}
	return 0;
}

/* buffer b (0 source, 1 destination) of slot s: its list memory */
static struct awd_sge *awd_sgl_mem(struct awd_kq *kq, unsigned int s,
				   unsigned int b, dma_addr_t *dma)
{
	size_t off = (2 * s + b) * AWD_KQ_SGL_BYTES;

	*dma = kq->fmt_dma + off;
	return kq->fmt_mem + off;
}

/*
 * Describe [buf, buf + len) in the lists at sge (device address sge_dma).
 * Returns the address of the first list, 0 for an empty buffer.
 */
static int awd_sgl_build(struct awd_kq *kq, struct awd_sge *sge,
			 dma_addr_t sge_dma, u64 buf, u32 len, u64 *list)
{
	struct awd_dev *awd = kq->awd;
	u32 max_ents = awd->fmt_param[AWD_SGL_PARAM_MAX_ENTRIES];
	u32 max_lists = awd->fmt_param[AWD_SGL_PARAM_MAX_LISTS];
	u32 chunk = PAGE_SIZE, nents, per, i, n, off = 0, idx = 0, in_list = 0;

	*list = 0;
	if (!len)
		return 0;
	if (DIV_ROUND_UP(len, chunk) > max_ents)
		chunk = DIV_ROUND_UP(len, max_ents);
	nents = DIV_ROUND_UP(len, chunk);
	/* max_lists lists of per entries hold max_lists * (per - 1) + 1 */
	per = AWD_KQ_SGL_LIST;
	if (nents > 1)
		per = max(per, DIV_ROUND_UP(nents - 1, max_lists) + 1);
	if (nents > AWD_KQ_SGL_DATA)
		return -EINVAL;

	for (i = 0; i < nents; i++) {
		if (in_list == per - 1 && i < nents - 1) {
			/* this list is full: chain to the next one */
			sge[idx].addr = sge_dma + (idx + 1) * sizeof(*sge);
			sge[idx].len = 0;
			sge[idx].flags = AWD_SGE_CHAIN;
			idx++;
			in_list = 0;
		}
		if (idx >= AWD_KQ_SGL_ENTS)
			return -EINVAL;
		n = min(chunk, len - off);
		sge[idx].addr = buf + off;
		sge[idx].len = n;
		sge[idx].flags = i == nents - 1 ? AWD_SGE_END : 0;
		idx++;
		in_list++;
		off += n;
	}
	*list = sge_dma;
	return 0;
}

static int awd_sgl_submit(struct awd_kq *kq, unsigned int s,
			  const struct awd_desc *d)
{
	struct awd_sgl_desc sd = {
		.opcode = d->opcode,
		.flags = d->flags,
		.tag = d->tag,
		.src_len = d->src_len,
		.dst_len = d->dst_len,
		.ctx = d->ctx,
		.key = d->key,
		.param = d->param,
	};
	struct awd_sge *sge;
	dma_addr_t dma;
	int rc;

	sge = awd_sgl_mem(kq, s, 0, &dma);
	rc = awd_sgl_build(kq, sge, dma, d->src, d->src_len, &sd.src_sgl);
	if (rc)
		return rc;
	sge = awd_sgl_mem(kq, s, 1, &dma);
	rc = awd_sgl_build(kq, sge, dma, d->dst, d->dst_len, &sd.dst_sgl);
	if (rc)
		return rc;
	/* lists before the descriptor's doorbell: writel orders them */
	awd_ring_push(kq, &sd);
	return 0;
}

static int awd_sgl_init(struct awd_kq *kq)
{
	awd_ring_init(kq);
	kq->fmt_size = 2 * AWD_KQ_SLOTS * AWD_KQ_SGL_BYTES;
	kq->fmt_mem = dma_alloc_coherent(&kq->awd->pdev->dev, kq->fmt_size,
					 &kq->fmt_dma, GFP_KERNEL);
	return kq->fmt_mem ? 0 : -ENOMEM;
}

static void awd_sgl_fini(struct awd_kq *kq)
{
	dma_free_coherent(&kq->awd->pdev->dev, kq->fmt_size, kq->fmt_mem,
			  kq->fmt_dma);
	kq->fmt_mem = NULL;
}

const struct awd_fmt awd_fmt_sgl = {
	.name = "sgl",
	.id = AWD_FORMAT_SGL,
	.cq_ring = true,
	.check = awd_sgl_check,
	.init = awd_sgl_init,
	.fini = awd_sgl_fini,
	.start = awd_ring_start,
	.submit = awd_sgl_submit,
	.next = awd_ring_next,
	.ack = awd_ring_ack,
};
