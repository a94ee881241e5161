// SPDX-License-Identifier: MIT
/*
 * libaccelwd: queue format "ring" (accel_wd_ring.h, AWD_FORMAT_RING).
 *
 * Write a struct awd_desc at sq[tail], store-release the new tail to the
 * doorbell; a struct awd_cpl at cq[head] is valid when its AWD_CF_PHASE
 * bit equals the current phase (load-acquire of flags, written last by
 * the device); the phase starts at 1 and flips each time the head wraps;
 * the consumed head is written back to the doorbell. A ring of N entries
 * holds N - 1 requests in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

int awd__ring_init(struct awd_ctx *ctx, size_t size)
{
	struct awd_ring *r;

	if (ctx->info.sq_size < (uint64_t)ctx->entries * AWD_DESC_SIZE ||
	    ctx->info.cq_size < (uint64_t)ctx->entries * sizeof(struct awd_cpl) ||
	    ctx->info.db_size < AWD_DB_CQ_HEAD + 4)
		return -EPROTO;
	r = calloc(1, size);
	if (!r)
		return -ENOMEM;
	r->sq = ctx->sq;
	r->cq = ctx->cq;
	r->phase = AWD_CF_PHASE;
	ctx->fmt_priv = r;
	ctx->max_inflight = ctx->entries - 1;
	return 0;
}

void awd__ring_push(struct awd_ctx *ctx, const void *desc)
{
	struct awd_ring *r = ctx->fmt_priv;

	memcpy((uint8_t *)r->sq + (size_t)r->sq_tail * AWD_DESC_SIZE, desc,
	       AWD_DESC_SIZE);
	r->sq_tail = (r->sq_tail + 1) & ctx->mask;
	/* The descriptor is visible before the doorbell write. */
	awd__store_release32((uint32_t *)(ctx->db + AWD_DB_SQ_TAIL),
			     r->sq_tail);
}

static int ring_init(struct awd_ctx *ctx)
{
	return awd__ring_init(ctx, sizeof(struct awd_ring));
}

static void ring_fini(struct awd_ctx *ctx)
{
	free(ctx->fmt_priv);
	ctx->fmt_priv = NULL;
}

void awd__ring_reset(struct awd_ctx *ctx)
{
	struct awd_ring *r = ctx->fmt_priv;

	/* The rings restart empty: head, tail and phase from the beginning. */
	memset(r->cq, 0, (size_t)ctx->entries * sizeof(struct awd_cpl));
	r->sq_tail = 0;
	r->cq_head = 0;
	r->phase = AWD_CF_PHASE;
}

static int ring_submit(struct awd_ctx *ctx, uint32_t slot,
		       const struct awd_hwreq *h)
{
	struct awd_desc d;

	(void)slot;             /* the tag names it */
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
	awd__ring_push(ctx, &d);
	return 0;
}

int awd__ring_reap(struct awd_ctx *ctx)
{
	struct awd_ring *r = ctx->fmt_priv;
	int n = 0, ret;

	while (ctx->inflight) {
		struct awd_cpl *c = &r->cq[r->cq_head];
		uint32_t flags = awd__load_acquire32(&c->flags);

		if ((flags & AWD_CF_PHASE) != r->phase)
			break;
		ret = awd__complete(ctx, c, flags, UINT32_MAX);
		if (ret)
			return ret;
		if (++r->cq_head == ctx->entries) {
			r->cq_head = 0;
			r->phase ^= AWD_CF_PHASE;
		}
		n++;
	}
	if (n)
		awd__store_release32((uint32_t *)(ctx->db + AWD_DB_CQ_HEAD),
				     r->cq_head);
	return n;
}

bool awd__ring_ready(const struct awd_ctx *ctx)
{
	const struct awd_ring *r = ctx->fmt_priv;

	return (awd__load_acquire32(&r->cq[r->cq_head].flags) &
		AWD_CF_PHASE) == r->phase;
}

const struct awd_fmt_ops awd__fmt_ring = {
	.name = "ring",
	.format = AWD_FORMAT_RING,
	.init = ring_init,
	.fini = ring_fini,
	.reset = awd__ring_reset,
	.submit = ring_submit,
	.reap = awd__ring_reap,
	.ready = awd__ring_ready,
};
