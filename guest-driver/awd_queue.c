// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd hardware queue control: reset, start, drain and stop. Every wait
 * on the device is bounded; a queue that does not drain in time is reset,
 * which aborts its in-flight work.
 */

#include <linux/iopoll.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/ktime.h>
#include <linux/delay.h>

#include "awd.h"

#define AWD_QRESET_TIMEOUT_US	(1000 * USEC_PER_MSEC)
#define AWD_QDRAIN_TIMEOUT_US	(2000 * USEC_PER_MSEC)
#define AWD_QDRAIN_STUCK_US	(20 * USEC_PER_MSEC)

static int awd_qctrl_wait(struct awd_dev *awd, u32 q, u32 bit, u32 timeout)
{
	u32 val;
	int rc;

	rc = readl_poll_timeout(awd->regs + AWD_QREG(q) + AWD_Q_CTRL, val,
				val == ~0u || !(val & bit), 50, timeout);
	if (val == ~0u)
		return -ENODEV;
	return rc;
}

/* Abort everything and return queue q to its reset state. */
int awd_queue_reset(struct awd_dev *awd, u32 q)
{
	u32 sts;
	int rc;

	awd_qwr(awd, q, AWD_Q_CTRL, AWD_QCTRL_RESET);
	rc = awd_qctrl_wait(awd, q, AWD_QCTRL_RESET, AWD_QRESET_TIMEOUT_US);
	if (rc) {
		dev_err_ratelimited(&awd->pdev->dev, "queue %u reset failed (%d)\n",
				    q, rc);
		return rc;
	}
	sts = awd_qrd(awd, q, AWD_Q_STATUS);
	if (sts & (AWD_QSTS_ENABLED | AWD_QSTS_ERROR)) {
		dev_err_ratelimited(&awd->pdev->dev, "queue %u still %s after reset (status %#x)\n",
				    q, sts & AWD_QSTS_ENABLED ? "enabled" : "in error",
				    sts);
		return -EIO;
	}
	return 0;
}

static u32 awd_queue_hw_error(struct awd_dev *awd, u32 q)
{
	u32 err = awd_qrd(awd, q, AWD_Q_ERROR);

	/* A value outside the enum is still an error, of unknown kind. */
	return err ? err : AWD_QERR_BAD_CONFIG;
}

/*
 * Program queue q and enable it. ctrl adds AWD_QCTRL_PASID_EN/IRQ_EN. On a
 * refused configuration *hw_error says why and the queue is reset.
 */
int awd_hw_queue_enable(struct awd_dev *awd, u32 q, u64 sq, u64 cq,
			u32 order, u32 pasid, u32 ctrl, u32 *hw_error)
{
	u32 sts;
	int rc;

	*hw_error = AWD_QERR_NONE;
	rc = awd_queue_reset(awd, q);
	if (rc)
		return rc;
	awd_qwr(awd, q, AWD_Q_PASID, pasid);
	awd_qwr(awd, q, AWD_Q_SQ_BASE_LO, lower_32_bits(sq));
	awd_qwr(awd, q, AWD_Q_SQ_BASE_HI, upper_32_bits(sq));
	awd_qwr(awd, q, AWD_Q_CQ_BASE_LO, lower_32_bits(cq));
	awd_qwr(awd, q, AWD_Q_CQ_BASE_HI, upper_32_bits(cq));
	awd_qwr(awd, q, AWD_Q_RING_ORDER, order);
	awd_qwr(awd, q, AWD_Q_CTRL, AWD_QCTRL_ENABLE | ctrl);

	sts = awd_qrd(awd, q, AWD_Q_STATUS);
	if (sts == ~0u)
		return -ENODEV;
	if (sts & AWD_QSTS_ERROR) {
		*hw_error = awd_queue_hw_error(awd, q);
		dev_dbg(&awd->pdev->dev, "queue %u refused its configuration (error %u)\n",
			q, *hw_error);
		awd_queue_reset(awd, q);
		return -EIO;
	}
	if (!(sts & AWD_QSTS_ENABLED)) {
		awd_queue_reset(awd, q);
		return -EIO;
	}
	return 0;
}

/*
 * Start a user queue. SVA mode: ring bases are the user addresses of the
 * ring mappings, translated under the process's PASID like every other
 * address the queue uses. No-SVA mode: DMA addresses.
 */
int awd_queue_start(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;
	u32 ctrl = 0;
	u64 sq, cq;
	int rc;

	lockdep_assert_held(&ctx->lock);
	/* a queue that did not reset is off limits until the device resets */
	if (ctx->fenced)
		return -EIO;
	if (awd->sva) {
		if (!ctx->sva)
			return -ENODEV;
		if (!ctx->sq_uaddr || !ctx->cq_uaddr)
			return -EINVAL;
		sq = ctx->sq_uaddr;
		cq = ctx->cq_uaddr;
		ctrl |= AWD_QCTRL_PASID_EN;
	} else {
		sq = ctx->sq_dma;
		cq = ctx->cq_dma;
	}
	if (awd->q_irq[ctx->qid])
		ctrl |= AWD_QCTRL_IRQ_EN;

	/* A fresh CQ: software's phase starts at 1. */
	memset(page_address(ctx->cq_pages), 0,
	       PAGE_SIZE << ctx->cq_alloc_order);

	rc = awd_hw_queue_enable(awd, ctx->qid, sq, cq, ctx->ring_order,
				 awd->sva ? ctx->pasid : 0, ctrl,
				 &ctx->hw_error);
	if (rc)
		return rc;
	ctx->state = AWD_QS_RUNNING;
	ctx->stats.starts++;
	return 0;
}

/*
 * ctx->lock held: the queue's reset failed, so the device may still write
 * to its rings and registered memory. Fence it: the file keeps all of it
 * (pinned pages, DMA mappings, rings, the SVA binding) and the queue stays
 * taken until a device reset, after which awd_cdev_unfence_all() frees it.
 */
static void awd_queue_fence(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;
	unsigned long pages;

	lockdep_assert_held(&ctx->lock);
	if (ctx->fenced)
		return;
	pages = ctx->pinned_pages + (1UL << ctx->sq_alloc_order) +
		(1UL << ctx->cq_alloc_order);
	ctx->fenced = true;
	ctx->fenced_pages = pages;
	/* unusable: START says -EIO until then */
	if (ctx->state == AWD_QS_RUNNING || ctx->state == AWD_QS_IDLE)
		ctx->state = AWD_QS_ERROR;
	atomic_long_add(pages, &awd->fenced_pages);
	dev_warn(&awd->pdev->dev, "queue %u did not reset: keeping its %lu pages until the device is reset\n",
		 ctx->qid, pages);
}

/*
 * Wait for a drain to end (DRAIN clear, then IDLE or ERROR). SVA: a
 * request waiting for a page fault of the owner's mm cannot finish while
 * someone waits for that mm's mmap_lock, e.g. munmap() of a ring waiting
 * in awd_vm_close() for ctx->lock, which our caller holds: the kernel's
 * page request handler queues behind it. Give the drain up then
 * (-EDEADLK; the caller resets the queue) rather than let the device's
 * page request wait out its timeout.
 */
static int awd_queue_drain_wait(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;
	ktime_t end = ktime_add_us(ktime_get(), AWD_QDRAIN_TIMEOUT_US);
	ktime_t stuck = 0;
	u32 q = ctx->qid, ctrl, sts;

	for (;;) {
		ctrl = awd_qrd(awd, q, AWD_Q_CTRL);
		sts = awd_qrd(awd, q, AWD_Q_STATUS);
		if (ctrl == ~0u || sts == ~0u)
			return -ENODEV;
		if (!(ctrl & AWD_QCTRL_DRAIN) &&
		    (sts & (AWD_QSTS_IDLE | AWD_QSTS_ERROR)))
			return 0;
		if (awd->sva && ctx->mm && (sts & AWD_QSTS_PAGE_WAIT) &&
		    mmap_lock_is_contended(ctx->mm)) {
			if (!stuck)
				stuck = ktime_get();
			else if (ktime_us_delta(ktime_get(), stuck) >
				 AWD_QDRAIN_STUCK_US)
				return -EDEADLK;
		} else {
			stuck = 0;
		}
		if (ktime_after(ktime_get(), end))
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
}

/*
 * Let the queue finish what it fetched (bounded), then reset it so it
 * issues no more DMA under the PASID. Called before unbinding. Returns
 * nonzero if the queue did not reset (it is fenced then).
 */
int awd_queue_stop(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;
	u32 q = ctx->qid, ctrl, sts;
	int rc;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dead)
		return 0;
	if (ctx->fenced)
		return -EIO;
	ctrl = awd_qrd(awd, q, AWD_Q_CTRL);
	sts = awd_qrd(awd, q, AWD_Q_STATUS);
	if (ctrl != ~0u && (sts & AWD_QSTS_ENABLED) &&
	    !(sts & AWD_QSTS_ERROR)) {
		awd_qwr(awd, q, AWD_Q_CTRL, ctrl | AWD_QCTRL_DRAIN);
		rc = awd_queue_drain_wait(ctx);
		if (rc == -EDEADLK)
			dev_dbg(&awd->pdev->dev,
				"queue %u waits for a page its owner's mm cannot fault in now; aborting its work\n",
				q);
		else if (rc && rc != -ENODEV)
			dev_warn_ratelimited(&awd->pdev->dev,
					     "queue %u did not drain; aborting its work\n",
					     q);
	}
	rc = awd_queue_reset(awd, q);
	if (rc && rc != -ENODEV) {
		awd_queue_fence(ctx);
		return rc;
	}
	if (ctx->state == AWD_QS_RUNNING || ctx->state == AWD_QS_ERROR)
		ctx->state = AWD_QS_IDLE;
	return 0;
}

/*
 * Reset the queue without draining it; its in-flight work is aborted.
 * Returns nonzero if the queue did not reset (it is fenced then).
 */
int awd_queue_abort(struct awd_ctx *ctx)
{
	int rc;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dead)
		return 0;
	if (ctx->fenced)
		return -EIO;
	rc = awd_queue_reset(ctx->awd, ctx->qid);
	if (rc && rc != -ENODEV) {
		awd_queue_fence(ctx);
		return rc;
	}
	if (ctx->state == AWD_QS_RUNNING || ctx->state == AWD_QS_ERROR)
		ctx->state = AWD_QS_IDLE;
	return 0;
}
