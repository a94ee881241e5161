// SPDX-License-Identifier: MIT
/*
 * libaccelwd: queue format "crec" (accel_wd_crec.h, AWD_FORMAT_CREC), in
 * the style of Intel DSA: no rings. Descriptor slot i is the i-th 64 bytes
 * of the SQ region, its completion record the i-th 32 bytes of the CQ
 * region (both mapped as for the rings; their device addresses come from
 * awd_info.sq_iova/cq_iova, the user addresses in SVA mode). The in-flight
 * slot of a request is its descriptor and record slot.
 *
 * Submit: clear the record's flags, write the descriptor (crec = the
 * record's device address), then one release-ordered 64-bit store of the
 * descriptor's device address to the portal. The device holds at most
 * 1 << ring_order submissions: the library never has more in flight.
 * Completion: a record of an in-flight slot whose flags have AWD_CF_DONE
 * (load-acquire; the device writes flags last). Records may complete in
 * any order, so reaping scans the slots in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

struct crec {
	struct awd_crec_desc *desc;
	struct awd_cpl *rec;
	uint64_t desc_dev, rec_dev;       /* device addresses of slot 0 */
};

static int crec_init(struct awd_ctx *ctx)
{
	struct crec *c;
	uint64_t sq = ctx->info.sq_iova, cq = ctx->info.cq_iova;

	if (ctx->info.db_size < AWD_CREC_PENDING + 4)
		return -EPROTO;
	if (!sq || !cq) {
		/* SVA: the device address is the user address */
		if (awd__nosva(ctx))
			return -EPROTO;
		sq = (uintptr_t)ctx->sq;
		cq = (uintptr_t)ctx->cq;
	}
	if ((sq & (AWD_CREC_DESC_ALIGN - 1)) || (cq & (AWD_CREC_ALIGN - 1)))
		return -EPROTO;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->desc = ctx->sq;
	c->rec = ctx->cq;
	c->desc_dev = sq;
	c->rec_dev = cq;
	ctx->fmt_priv = c;
	ctx->max_inflight = ctx->entries;
	return 0;
}

static void crec_fini(struct awd_ctx *ctx)
{
	free(ctx->fmt_priv);
	ctx->fmt_priv = NULL;
}

static void crec_reset(struct awd_ctx *ctx)
{
	struct crec *c = ctx->fmt_priv;

	memset(c->rec, 0, (size_t)ctx->entries * sizeof(struct awd_cpl));
}

static int crec_submit(struct awd_ctx *ctx, uint32_t slot,
		       const struct awd_hwreq *h)
{
	struct crec *c = ctx->fmt_priv;
	struct awd_crec_desc d;

	/* the portal store below releases this and the descriptor */
	memset(&c->rec[slot], 0, sizeof(c->rec[slot]));
	memset(&d, 0, sizeof(d));
	d.opcode = h->opcode;
	d.flags = h->flags;
	d.tag = h->tag;
	d.src = h->src;
	d.dst = h->dst;
	d.src_len = h->src_len;
	d.dst_len = h->dst_len;
	d.ctx = h->ctx;
	d.key = h->key;
	d.param = h->param;
	d.crec = c->rec_dev + (uint64_t)slot * sizeof(struct awd_cpl);
	memcpy(&c->desc[slot], &d, sizeof(d));
	awd__mmio_write64(ctx->db + AWD_CREC_PORTAL,
			  c->desc_dev + (uint64_t)slot * AWD_DESC_SIZE);
	return 0;
}

static int crec_reap(struct awd_ctx *ctx)
{
	struct crec *c = ctx->fmt_priv;
	uint32_t left = ctx->inflight;  /* slots in flight not yet looked at */
	int n = 0, ret;

	for (uint32_t i = 0; i < ctx->entries && left; i++) {
		uint32_t flags;

		if (!ctx->slots[i])
			continue;
		left--;
		flags = awd__load_acquire32(&c->rec[i].flags);
		if (!(flags & AWD_CF_DONE))
			continue;
		ret = awd__complete(ctx, &c->rec[i], flags, i);
		if (ret)
			return ret;
		n++;
	}
	return n;
}

static bool crec_ready(const struct awd_ctx *ctx)
{
	const struct crec *c = ctx->fmt_priv;
	uint32_t left = ctx->inflight;

	for (uint32_t i = 0; i < ctx->entries && left; i++) {
		if (!ctx->slots[i])
			continue;
		if (awd__load_acquire32(&c->rec[i].flags) & AWD_CF_DONE)
			return true;
		left--;
	}
	return false;
}

const struct awd_fmt_ops awd__fmt_crec = {
	.name = "crec",
	.format = AWD_FORMAT_CREC,
	.init = crec_init,
	.fini = crec_fini,
	.reset = crec_reset,
	.submit = crec_submit,
	.reap = crec_reap,
	.ready = crec_ready,
};
