// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd character device: one open file = one hardware queue bound to
 * the opener's address space. See accel_wd_uapi.h for the interface and
 * awd.h for the lock order.
 *
 * Every file operation first checks that the caller runs in the opener's
 * address space (a child after fork(), or a process that received the file
 * over a socket, gets -EPERM), then, under ctx->lock, that the device has
 * not been removed (-ENODEV).
 *
 * Lifetime: an mmu notifier on the opener's mm stops the queue and releases
 * pinned memory when that address space goes away, even if a copy of the
 * file lives on in another process; the last close() then unbinds the
 * PASID and frees the rings.
 */

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "awd.h"

static unsigned int ring_order = 8;
module_param(ring_order, uint, 0444);
MODULE_PARM_DESC(ring_order, "Default log2 entries of a queue's rings (default 8)");

static inline bool awd_foreign_mm(struct awd_ctx *ctx)
{
	return current->mm != ctx->mm;
}

/* ---- rings -------------------------------------------------------------- */

static void awd_rings_unmap_dma(struct awd_ctx *ctx)
{
	struct device *dev = &ctx->awd->pdev->dev;

	if (!ctx->rings_dma_mapped)
		return;
	dma_unmap_page(dev, ctx->sq_dma, PAGE_SIZE << ctx->sq_alloc_order,
		       DMA_BIDIRECTIONAL);
	dma_unmap_page(dev, ctx->cq_dma, PAGE_SIZE << ctx->cq_alloc_order,
		       DMA_BIDIRECTIONAL);
	ctx->rings_dma_mapped = false;
}

static void awd_rings_free(struct awd_ctx *ctx)
{
	awd_rings_unmap_dma(ctx);
	if (ctx->sq_pages)
		__free_pages(ctx->sq_pages, ctx->sq_alloc_order);
	if (ctx->cq_pages)
		__free_pages(ctx->cq_pages, ctx->cq_alloc_order);
	ctx->sq_pages = NULL;
	ctx->cq_pages = NULL;
}

/*
 * Rings are zeroed, physically contiguous kernel pages mapped into the
 * owner's address space. In SVA mode the device reaches them through that
 * mapping (PASID-tagged, like every other access of the queue); in no-SVA
 * mode through a streaming DMA mapping (the guest platform, x86, is
 * coherent, so no syncs are needed while the queue runs).
 */
static int awd_rings_alloc(struct awd_ctx *ctx, unsigned int order)
{
	struct awd_dev *awd = ctx->awd;
	struct device *dev = &awd->pdev->dev;
	unsigned int sq_ao = get_order(AWD_DESC_SIZE << order);
	unsigned int cq_ao = get_order(AWD_CPL_SIZE << order);
	struct page *sq, *cq;

	sq = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, sq_ao);
	cq = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, cq_ao);
	if (!sq || !cq)
		goto err_free;

	awd_rings_free(ctx);
	ctx->sq_pages = sq;
	ctx->cq_pages = cq;
	ctx->sq_alloc_order = sq_ao;
	ctx->cq_alloc_order = cq_ao;
	ctx->ring_order = order;
	if (awd->sva)
		return 0;

	ctx->sq_dma = dma_map_page(dev, sq, 0, PAGE_SIZE << sq_ao,
				   DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, ctx->sq_dma))
		return -ENOMEM;
	ctx->cq_dma = dma_map_page(dev, cq, 0, PAGE_SIZE << cq_ao,
				   DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, ctx->cq_dma)) {
		dma_unmap_page(dev, ctx->sq_dma, PAGE_SIZE << sq_ao,
			       DMA_BIDIRECTIONAL);
		return -ENOMEM;
	}
	ctx->rings_dma_mapped = true;
	return 0;

err_free:
	if (sq)
		__free_pages(sq, sq_ao);
	if (cq)
		__free_pages(cq, cq_ao);
	return -ENOMEM;
}

static unsigned long awd_sq_size(struct awd_ctx *ctx)
{
	return PAGE_SIZE << ctx->sq_alloc_order;
}

static unsigned long awd_cq_size(struct awd_ctx *ctx)
{
	return PAGE_SIZE << ctx->cq_alloc_order;
}

/* ---- queue state -------------------------------------------------------- */

/* ctx->lock held: fold a device-reported queue error into ctx->state. */
static void awd_ctx_sync(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;
	u32 sts;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dead || ctx->state != AWD_QS_RUNNING)
		return;
	sts = awd_qrd(awd, ctx->qid, AWD_Q_STATUS);
	if (sts == ~0u || !(sts & AWD_QSTS_ERROR))
		return;
	ctx->hw_error = awd_qrd(awd, ctx->qid, AWD_Q_ERROR);
	if (!ctx->hw_error)
		ctx->hw_error = AWD_QERR_BAD_CONFIG;
	ctx->state = AWD_QS_ERROR;
}

/*
 * ctx->lock held: the queue has completions software has not consumed.
 * Only a completion ring says so; other formats (crec: records in user
 * memory) rely on the completion interrupts counted in ctx->events.
 */
static bool awd_cq_pending(struct awd_ctx *ctx)
{
	u32 mask = BIT(ctx->ring_order) - 1;
	u32 tail, head;

	lockdep_assert_held(&ctx->lock);
	if (ctx->state != AWD_QS_RUNNING || !ctx->awd->fmt->cq_ring)
		return false;
	tail = awd_qrd(ctx->awd, ctx->qid, AWD_Q_CQ_TAIL);
	head = awd_qrd(ctx->awd, ctx->qid, AWD_Q_CQ_HEAD);
	if (tail == ~0u)
		return false;
	return (tail & mask) != (head & mask);
}

/*
 * ctx->lock held: stop the queue and free everything the device could
 * still use: pinned memory, ring DMA mappings. Idempotent. Returns the SVA
 * binding, which the caller drops after releasing ctx->lock:
 * iommu_sva_bind_device() takes mmap_lock under the IOMMU core's SVA lock,
 * and mmap_lock is taken before ctx->lock (vm_ops), so unbinding under
 * ctx->lock could close a cycle. A queue that does not reset is fenced
 * (awd_queue_fence()): then nothing is freed and nothing returned.
 */
static struct iommu_sva *awd_ctx_teardown(struct awd_ctx *ctx)
{
	struct iommu_sva *sva = ctx->sva;

	lockdep_assert_held(&ctx->lock);
	if (awd_queue_stop(ctx))
		return NULL;
	ctx->sva = NULL;
	awd_mem_release_all(ctx);
	awd_rings_unmap_dma(ctx);
	return sva;
}

/* remove(): every open file loses the device; only close() still works. */
void awd_cdev_kill_all(struct awd_dev *awd)
{
	struct iommu_sva *sva;
	struct awd_ctx *ctx;

	mutex_lock(&awd->lock);
	awd->gone = true;
	list_for_each_entry(ctx, &awd->ctxs, node) {
		sva = NULL;
		mutex_lock(&ctx->lock);
		if (!ctx->dead) {
			sva = awd_ctx_teardown(ctx);
			ctx->dead = true;
			ctx->state = AWD_QS_DEAD;
			/* user accesses to the doorbell and rings now SIGBUS */
			unmap_mapping_range(ctx->mapping, 0, 0, 1);
		}
		mutex_unlock(&ctx->lock);
		if (sva)
			iommu_sva_unbind_device(sva);
		wake_up_all(&ctx->wq);
	}
	mutex_unlock(&awd->lock);
}

/*
 * A device reset (FLR, error recovery) wiped every queue. Their files see
 * AWD_QS_ERROR with AWD_INFO_F_RESET; START refuses while awd->resetting.
 */
void awd_cdev_reset_all(struct awd_dev *awd)
{
	struct awd_ctx *ctx;

	lockdep_assert_held(&awd->lock);
	list_for_each_entry(ctx, &awd->ctxs, node) {
		mutex_lock(&ctx->lock);
		if (ctx->state == AWD_QS_RUNNING) {
			ctx->state = AWD_QS_ERROR;
			ctx->hw_error = AWD_QERR_NONE;
			ctx->reset_hit = true;
		}
		mutex_unlock(&ctx->lock);
		spin_lock_irq(&awd->irq_lock);
		ctx->err_pending = true;
		spin_unlock_irq(&awd->irq_lock);
		wake_up_all(&ctx->wq);
	}
}

/* ctx->lock held: a device reset made the fenced queue safe again. */
static void awd_ctx_unfence(struct awd_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	atomic_long_sub(ctx->fenced_pages, &ctx->awd->fenced_pages);
	ctx->fenced_pages = 0;
	ctx->fenced = false;
}

/*
 * awd->lock held, from release(): a closed file whose queue is fenced
 * keeps its queue, rings, pinned memory and SVA binding on awd->fenced
 * until awd_cdev_unfence_all(). False if it was unfenced meanwhile.
 */
static bool awd_ctx_park(struct awd_ctx *ctx)
{
	bool fenced;

	lockdep_assert_held(&ctx->awd->lock);
	mutex_lock(&ctx->lock);
	fenced = ctx->fenced;
	mutex_unlock(&ctx->lock);
	if (fenced)
		list_move_tail(&ctx->node, &ctx->awd->fenced);
	return fenced;
}

/*
 * The device was reset (or can no longer master the bus): fenced queues
 * write nothing any more. Open files get their queue back (restartable);
 * for closed ones, and for files of a removed device, what release() or
 * remove() kept is freed now. No locks held.
 */
void awd_cdev_unfence_all(struct awd_dev *awd)
{
	struct awd_ctx *ctx, *tmp;
	struct iommu_sva *sva;
	LIST_HEAD(closed);

	mutex_lock(&awd->lock);
	list_for_each_entry(ctx, &awd->ctxs, node) {
		sva = NULL;
		mutex_lock(&ctx->lock);
		if (ctx->fenced) {
			awd_ctx_unfence(ctx);
			if (ctx->dead) {
				/* what awd_cdev_kill_all() could not free */
				sva = ctx->sva;
				ctx->sva = NULL;
				awd_mem_release_all(ctx);
				awd_rings_unmap_dma(ctx);
			}
		}
		mutex_unlock(&ctx->lock);
		if (sva)
			iommu_sva_unbind_device(sva);
	}
	list_splice_init(&awd->fenced, &closed);
	list_for_each_entry(ctx, &closed, node) {
		spin_lock_irq(&awd->irq_lock);
		awd->owner[ctx->qid] = NULL;
		spin_unlock_irq(&awd->irq_lock);
		awd->queues_in_use--;
	}
	mutex_unlock(&awd->lock);

	list_for_each_entry_safe(ctx, tmp, &closed, node) {
		list_del(&ctx->node);
		mutex_lock(&ctx->lock);
		awd_ctx_unfence(ctx);
		sva = ctx->sva;
		ctx->sva = NULL;
		awd_mem_release_all(ctx);
		mutex_unlock(&ctx->lock);
		if (sva)
			iommu_sva_unbind_device(sva);
		awd_rings_free(ctx);
		mmdrop(ctx->mm);
		kfree(ctx);
		awd_dev_put(awd);
	}
}

/* ---- the owner's address space goes away -------------------------------- */

static void awd_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct awd_ctx *ctx = container_of(mn, struct awd_ctx, mn);

	/*
	 * Nothing can observe the results any more and every page request
	 * would fail: abort rather than drain (a long request would keep
	 * the dying process, and its pinned pages, for the whole drain).
	 */
	mutex_lock(&ctx->lock);
	/* a fenced queue keeps its pages: the device may still write them */
	if (!awd_queue_abort(ctx))
		awd_mem_release_all(ctx);
	ctx->orphan = true;
	mutex_unlock(&ctx->lock);
	wake_up_all(&ctx->wq);
}

static const struct mmu_notifier_ops awd_mn_ops = {
	.release = awd_mn_release,
};

/* ---- open / release ----------------------------------------------------- */

/*
 * awd->lock held: give @ctx a free queue (not the kernel's), if any.
 * Takes a device reference for the file.
 */
static bool awd_give_queue(struct awd_dev *awd, struct awd_ctx *ctx)
{
	u32 q;

	lockdep_assert_held(&awd->lock);
	for (q = 0; q < awd->hw_queues; q++)
		if (!awd->owner[q] && q != awd->kq_qid)
			break;
	if (q == awd->hw_queues)
		return false;
	ctx->qid = q;
	spin_lock_irq(&awd->irq_lock);
	awd->owner[q] = ctx;
	spin_unlock_irq(&awd->irq_lock);
	list_add_tail(&ctx->node, &awd->ctxs);
	awd->queues_in_use++;
	kref_get(&awd->ref);
	return true;
}

/*
 * awd->lock held: serve the waiting line from the free queues, oldest
 * first, waking only the processes served. Not while a device reset runs
 * (awd_unquiesce() calls it again) or after remove() began.
 */
static void __awd_hand_on(struct awd_dev *awd)
{
	struct awd_waiter *w;

	lockdep_assert_held(&awd->lock);
	while (!awd->gone && !awd->resetting && !list_empty(&awd->waiters)) {
		w = list_first_entry(&awd->waiters, struct awd_waiter, node);
		if (!awd_give_queue(awd, w->ctx))
			break;
		list_del_init(&w->node);
		awd->nr_waiters--;
		WRITE_ONCE(w->granted, true);
		wake_up(&w->wq);
	}
}

/* A device reset ended: queues freed meanwhile go to the waiting line. */
void awd_cdev_hand_on(struct awd_dev *awd)
{
	mutex_lock(&awd->lock);
	__awd_hand_on(awd);
	mutex_unlock(&awd->lock);
}

/*
 * A queue for @ctx: a free one, else (unless @nonblock: -EBUSY) a place at
 * the end of the waiting line until a closing file hands its queue over.
 * A newcomer never overtakes the line. Interruptible: a signal before the
 * queue arrives leaves the line (-ERESTARTSYS); once it has arrived the
 * open succeeds and the signal is delivered on return.
 */
static int awd_claim_queue(struct awd_dev *awd, struct awd_ctx *ctx,
			   bool nonblock)
{
	struct awd_waiter w = { .ctx = ctx };
	int rc = 0;

	mutex_lock(&awd->lock);
	if (awd->gone) {
		rc = -ENODEV;
	} else if (awd->resetting && nonblock) {
		rc = -EAGAIN;
	} else if (!awd->resetting && list_empty(&awd->waiters) &&
		   awd_give_queue(awd, ctx)) {
		rc = 0;
	} else if (nonblock) {
		rc = -EBUSY;
	} else {
		init_waitqueue_head(&w.wq);
		list_add_tail(&w.node, &awd->waiters);
		awd->nr_waiters++;
		mutex_unlock(&awd->lock);
		wait_event_interruptible(w.wq, READ_ONCE(w.granted) ||
					 READ_ONCE(awd->gone));
		mutex_lock(&awd->lock);
		if (!w.granted) {
			list_del(&w.node);
			awd->nr_waiters--;
			rc = awd->gone ? -ENODEV : -ERESTARTSYS;
		}
	}
	mutex_unlock(&awd->lock);
	return rc;
}

/* open() in progress: remove() waits for it (awd_cdev_stop_opens()). */
static bool awd_open_enter(struct awd_dev *awd)
{
	bool ok;

	mutex_lock(&awd->lock);
	ok = !awd->gone;
	if (ok)
		WRITE_ONCE(awd->openers, awd->openers + 1);
	mutex_unlock(&awd->lock);
	return ok;
}

static void awd_open_leave(struct awd_dev *awd)
{
	mutex_lock(&awd->lock);
	WRITE_ONCE(awd->openers, awd->openers - 1);
	if (!awd->openers)
		wake_up_all(&awd->openers_wq);
	mutex_unlock(&awd->lock);
}

/*
 * remove(), after the device node is gone: refuse new opens, send the
 * waiting line away (-ENODEV) and wait for the opens in progress, which
 * may still bind or unbind the device.
 */
void awd_cdev_stop_opens(struct awd_dev *awd)
{
	struct awd_waiter *w;

	mutex_lock(&awd->lock);
	WRITE_ONCE(awd->gone, true);
	list_for_each_entry(w, &awd->waiters, node)
		wake_up(&w->wq);
	mutex_unlock(&awd->lock);
	wait_event(awd->openers_wq, !READ_ONCE(awd->openers));
}

static int __awd_open(struct awd_dev *awd, struct inode *inode,
		      struct file *file)
{
	struct device *dev = &awd->pdev->dev;
	struct awd_ctx *ctx;
	unsigned int order;
	int rc;

	if (!awd->ready)
		return -EIO;
	awd_sva_decide(awd);
	if (!awd->sva && !capable(CAP_SYS_RAWIO))
		return -EPERM;

	ctx = kzalloc_obj(*ctx);
	if (!ctx)
		return -ENOMEM;
	ctx->awd = awd;
	mutex_init(&ctx->lock);
	init_waitqueue_head(&ctx->wq);
	INIT_LIST_HEAD(&ctx->regions);
	INIT_LIST_HEAD(&ctx->node);
	ctx->state = AWD_QS_IDLE;
	ctx->mapping = file->f_mapping;
	ctx->mm = current->mm;
	mmgrab(ctx->mm);

	order = clamp_t(unsigned int, ring_order, AWD_RING_ORDER_MIN,
			awd->ring_order_max);
	rc = awd_rings_alloc(ctx, order);
	if (rc)
		goto err_free;

	if (awd->sva) {
		ctx->sva = iommu_sva_bind_device(dev, current->mm);
		if (IS_ERR(ctx->sva)) {
			rc = PTR_ERR(ctx->sva);
			ctx->sva = NULL;
			dev_warn_ratelimited(dev, "binding pid %d failed: %pe\n",
					     task_pid_nr(current), ERR_PTR(rc));
			goto err_free;
		}
		ctx->pasid = iommu_sva_get_pasid(ctx->sva);
		if (ctx->pasid == IOMMU_PASID_INVALID ||
		    ctx->pasid >= BIT(awd->pasid_bits)) {
			dev_warn_ratelimited(dev, "PASID %u does not fit the device's %u bits\n",
					     ctx->pasid, awd->pasid_bits);
			rc = -ENOSPC;
			goto err_free;
		}
	}

	ctx->mn.ops = &awd_mn_ops;
	rc = mmu_notifier_register(&ctx->mn, current->mm);
	if (rc)
		goto err_free;
	ctx->mn_registered = true;

	rc = awd_claim_queue(awd, ctx, file->f_flags & O_NONBLOCK);
	if (rc)
		goto err_free;

	file->private_data = ctx;
	rc = awd_queue_reset(awd, ctx->qid);
	if (rc) {
		/* release() undoes all of the above */
		file->f_op->release(inode, file);
		return rc;
	}
	/* the file sees its queue's telemetry from here on */
	awd_telem_open(ctx);
	stream_open(inode, file);
	return 0;

err_free:
	if (ctx->mn_registered)
		mmu_notifier_unregister(&ctx->mn, ctx->mm);
	if (ctx->sva)
		iommu_sva_unbind_device(ctx->sva);
	awd_rings_free(ctx);
	mmdrop(ctx->mm);
	kfree(ctx);
	return rc;
}

/*
 * Without O_NONBLOCK, open() waits in line for a queue when all are taken
 * (awd_claim_queue()); with it, -EBUSY. fcntl() may change O_NONBLOCK
 * afterwards: only read() looks at it again.
 */
static int awd_open(struct inode *inode, struct file *file)
{
	struct awd_dev *awd = container_of(inode->i_cdev, struct awd_dev,
					   cdev);
	int rc;

	if (!current->mm)
		return -EPERM;
	if (!awd_open_enter(awd))
		return -ENODEV;
	rc = __awd_open(awd, inode, file);
	awd_open_leave(awd);
	return rc;
}

static int awd_release(struct inode *inode, struct file *file)
{
	struct awd_ctx *ctx = file->private_data;
	struct awd_dev *awd = ctx->awd;
	struct iommu_sva *sva = NULL;
	bool fenced;

	/* stop (draining while the owner lives), free pinned memory */
	mutex_lock(&ctx->lock);
	if (!ctx->dead)
		sva = awd_ctx_teardown(ctx);
	fenced = ctx->fenced;
	mutex_unlock(&ctx->lock);
	/*
	 * Calls awd_mn_release() (ctx->lock) unless the mm's exit already
	 * did; the queue is stopped by now, so that only marks the orphan.
	 */
	mmu_notifier_unregister(&ctx->mn, ctx->mm);
	/* the queue is reset: nothing uses the PASID any more */
	if (sva)
		iommu_sva_unbind_device(sva);

	mutex_lock(&awd->lock);
	if (fenced && awd_ctx_park(ctx)) {
		mutex_unlock(&awd->lock);
		return 0;
	}
	list_del_init(&ctx->node);
	spin_lock_irq(&awd->irq_lock);
	awd->owner[ctx->qid] = NULL;
	spin_unlock_irq(&awd->irq_lock);
	awd->queues_in_use--;
	/* the queue goes straight to the first process waiting in open() */
	__awd_hand_on(awd);
	mutex_unlock(&awd->lock);

	/* no mapping is left: each one holds a reference to the file */
	awd_rings_free(ctx);
	mmdrop(ctx->mm);
	kfree(ctx);
	awd_dev_put(awd);
	return 0;
}

/* ---- mmap --------------------------------------------------------------- */

static void awd_vm_open(struct vm_area_struct *vma)
{
	struct awd_ctx *ctx = vma->vm_private_data;

	mutex_lock(&ctx->lock);
	ctx->nr_vmas++;
	mutex_unlock(&ctx->lock);
}

static void awd_vm_close(struct vm_area_struct *vma)
{
	struct awd_ctx *ctx = vma->vm_private_data;

	mutex_lock(&ctx->lock);
	if (vma == ctx->sq_vma || vma == ctx->cq_vma) {
		/*
		 * SVA: the device must not use an address that may be reused.
		 * Abort rather than drain: mmap_lock is held, and a request
		 * waiting on a page fault of this mm would need it.
		 */
		if (ctx->awd->sva && ctx->state == AWD_QS_RUNNING)
			awd_queue_abort(ctx);
		if (vma == ctx->sq_vma) {
			ctx->sq_vma = NULL;
			ctx->sq_uaddr = 0;
		} else {
			ctx->cq_vma = NULL;
			ctx->cq_uaddr = 0;
		}
	}
	ctx->nr_vmas--;
	mutex_unlock(&ctx->lock);
}

static int awd_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int awd_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct awd_vm_ops = {
	.open = awd_vm_open,
	.close = awd_vm_close,
	.may_split = awd_vm_may_split,
	.mremap = awd_vm_mremap,
};

static int awd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct awd_ctx *ctx = file->private_data;
	struct awd_dev *awd = ctx->awd;
	unsigned long size = vma->vm_end - vma->vm_start;
	struct vm_area_struct **slot = NULL;
	struct page *pages = NULL;
	unsigned long want;
	int rc;

	if (awd_foreign_mm(ctx) || READ_ONCE(ctx->orphan))
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		rc = -ENODEV;
		goto out;
	}
	switch (vma->vm_pgoff) {
	case AWD_MMAP_DB:
		/* a larger page would expose other queues' doorbells */
		if (PAGE_SIZE != AWD_DB_STRIDE) {
			rc = -EOPNOTSUPP;
			goto out;
		}
		want = PAGE_SIZE;
		break;
	case AWD_MMAP_SQ:
		want = awd_sq_size(ctx);
		slot = &ctx->sq_vma;
		pages = ctx->sq_pages;
		break;
	case AWD_MMAP_CQ:
		want = awd_cq_size(ctx);
		slot = &ctx->cq_vma;
		pages = ctx->cq_pages;
		break;
	default:
		rc = -EINVAL;
		goto out;
	}
	if (size != want) {
		rc = -EINVAL;
		goto out;
	}
	if (slot && *slot) {
		rc = -EBUSY;
		goto out;
	}
	/* the device writes the CQ through this mapping in SVA mode */
	if (vma->vm_pgoff == AWD_MMAP_CQ && awd->sva &&
	    !(vma->vm_flags & VM_WRITE)) {
		rc = -EINVAL;
		goto out;
	}

	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_WIPEONFORK |
		     VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	if (pages) {
		rc = remap_pfn_range(vma, vma->vm_start, page_to_pfn(pages),
				     size, vma->vm_page_prot);
	} else {
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		rc = io_remap_pfn_range(vma, vma->vm_start,
					(awd->db_phys + (resource_size_t)ctx->qid *
					 AWD_DB_STRIDE) >> PAGE_SHIFT,
					size, vma->vm_page_prot);
	}
	if (rc)
		goto out;
	vma->vm_ops = &awd_vm_ops;
	vma->vm_private_data = ctx;
	ctx->nr_vmas++;
	if (slot) {
		*slot = vma;
		if (slot == &ctx->sq_vma)
			ctx->sq_uaddr = vma->vm_start;
		else
			ctx->cq_uaddr = vma->vm_start;
	}
out:
	mutex_unlock(&ctx->lock);
	return rc;
}

/* ---- ioctl -------------------------------------------------------------- */

static int awd_ioc_info(struct awd_ctx *ctx, void __user *uarg)
{
	struct awd_dev *awd = ctx->awd;
	struct awd_info info = { };

	mutex_lock(&ctx->lock);
	awd_ctx_sync(ctx);
	info.version = awd->version;
	info.caps = awd->caps;
	info.mode = awd->sva ? AWD_MODE_SVA : AWD_MODE_NOSVA;
	info.flags = awd->q_irq[ctx->qid] ? AWD_INFO_F_IRQ : 0;
	if (ctx->reset_hit)
		info.flags |= AWD_INFO_F_RESET;
	info.queue = ctx->qid;
	info.pasid = awd->sva ? ctx->pasid : 0;
	info.num_queues = awd->nr_queues;
	info.ring_order = ctx->ring_order;
	info.ring_order_max = awd->ring_order_max;
	info.max_xfer = awd->max_xfer;
	info.rsa_max_bits = (awd->caps & AWD_CAP_RSA) ? awd->rsa_max_bits : 0;
	info.stream_ctx_size = (awd->caps & AWD_CAP_STREAM) ?
			       awd->stream_ctx_size : 0;
	info.state = ctx->dead ? AWD_QS_DEAD : ctx->state;
	info.hw_error = ctx->state == AWD_QS_ERROR ? ctx->hw_error : 0;
	info.db_offset = (u64)AWD_MMAP_DB << PAGE_SHIFT;
	info.db_size = PAGE_SIZE;
	info.sq_offset = (u64)AWD_MMAP_SQ << PAGE_SHIFT;
	info.sq_size = awd_sq_size(ctx);
	info.cq_offset = (u64)AWD_MMAP_CQ << PAGE_SHIFT;
	info.cq_size = awd_cq_size(ctx);
	info.format = awd->format;
	BUILD_BUG_ON(ARRAY_SIZE(info.fmt_param) > AWD_FMT_PARAMS);
	memcpy(info.fmt_param, awd->fmt_param, sizeof(info.fmt_param));
	/* where the device reaches the regions: SVA user address, else DMA */
	if (awd->sva) {
		info.sq_iova = ctx->sq_uaddr;
		info.cq_iova = ctx->cq_uaddr;
	} else if (ctx->rings_dma_mapped) {
		info.sq_iova = ctx->sq_dma;
		info.cq_iova = ctx->cq_dma;
	}
	mutex_unlock(&ctx->lock);

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int awd_ioc_set_ring(struct awd_ctx *ctx, void __user *uarg)
{
	struct awd_ring_cfg cfg;
	int rc;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags || cfg.rsvd || cfg.ring_order < AWD_RING_ORDER_MIN ||
	    cfg.ring_order > ctx->awd->ring_order_max)
		return -EINVAL;

	mutex_lock(&ctx->lock);
	if (ctx->dead)
		rc = -ENODEV;
	else if (ctx->state == AWD_QS_RUNNING || ctx->sq_vma || ctx->cq_vma)
		rc = -EBUSY;
	else if (cfg.ring_order == ctx->ring_order)
		rc = 0;
	else
		rc = awd_rings_alloc(ctx, cfg.ring_order);
	mutex_unlock(&ctx->lock);
	return rc;
}

static int awd_ioc_start(struct awd_ctx *ctx)
{
	int rc;

	mutex_lock(&ctx->lock);
	awd_ctx_sync(ctx);
	if (ctx->dead)
		rc = -ENODEV;
	else if (ctx->state == AWD_QS_RUNNING)
		rc = -EBUSY;
	else if (READ_ONCE(ctx->awd->resetting))
		rc = -EAGAIN;
	else
		rc = awd_queue_start(ctx);
	if (!rc)
		ctx->reset_hit = false;
	mutex_unlock(&ctx->lock);
	return rc;
}

static int awd_ioc_stop(struct awd_ctx *ctx)
{
	int rc = 0;

	mutex_lock(&ctx->lock);
	if (ctx->dead)
		rc = -ENODEV;
	else if (awd_queue_stop(ctx))
		rc = -EIO;		/* fenced until a device reset */
	mutex_unlock(&ctx->lock);
	return rc;
}

static int awd_ioc_qstats(struct awd_ctx *ctx, void __user *uarg)
{
	struct awd_qstats st;

	spin_lock_irq(&ctx->awd->irq_lock);
	st = ctx->stats;
	spin_unlock_irq(&ctx->awd->irq_lock);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

/*
 * A 64-bit counter as two 32-bit registers: read HI, LO, HI; when HI moved
 * (LO wrapped in between) LO is read again, and belongs to the new HI.
 */
static u64 awd_qcnt_read(struct awd_dev *awd, u32 q, u32 i)
{
	u32 hi, lo, hi2;

	hi = awd_qrd(awd, q, AWD_Q_CNT(i) + 4);
	lo = awd_qrd(awd, q, AWD_Q_CNT(i));
	hi2 = awd_qrd(awd, q, AWD_Q_CNT(i) + 4);
	if (hi2 != hi)
		lo = awd_qrd(awd, q, AWD_Q_CNT(i));
	return (u64)hi2 << 32 | lo;
}

/* AWD_IOC_QCOUNT: the device's counters of this queue (version 1.1 on). */
static int awd_ioc_qcount(struct awd_ctx *ctx, void __user *uarg)
{
	struct awd_dev *awd = ctx->awd;
	struct awd_qcount qc = { };
	int rc = 0;
	u32 i;

	mutex_lock(&ctx->lock);
	if (ctx->dead)
		rc = -ENODEV;
	else if ((awd->version & 0xffff) < 1)
		rc = -EOPNOTSUPP;
	else
		for (i = 0; i < AWD_QCNT_NR; i++)
			qc.cnt[i] = awd_qcnt_read(awd, ctx->qid, i);
	mutex_unlock(&ctx->lock);
	if (rc)
		return rc;
	if (copy_to_user(uarg, &qc, sizeof(qc)))
		return -EFAULT;
	return 0;
}

static long awd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct awd_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (awd_foreign_mm(ctx) || READ_ONCE(ctx->orphan))
		return -EPERM;

	switch (cmd) {
	case AWD_IOC_INFO:
		return awd_ioc_info(ctx, uarg);
	case AWD_IOC_SET_RING:
		return awd_ioc_set_ring(ctx, uarg);
	case AWD_IOC_START:
		return awd_ioc_start(ctx);
	case AWD_IOC_STOP:
		return awd_ioc_stop(ctx);
	case AWD_IOC_REG_MEM:
		return awd_mem_register(ctx, uarg);
	case AWD_IOC_UNREG_MEM:
		return awd_mem_unregister(ctx, uarg);
	case AWD_IOC_QSTATS:
		return awd_ioc_qstats(ctx, uarg);
	case AWD_IOC_QCOUNT:
		return awd_ioc_qcount(ctx, uarg);
	case AWD_IOC_TELEMETRY:
		return awd_ioc_telemetry(ctx, uarg);
	default:
		return -ENOTTY;
	}
}

/* ---- poll / read -------------------------------------------------------- */

static bool awd_wake_cond(struct awd_ctx *ctx)
{
	bool ret;

	spin_lock_irq(&ctx->awd->irq_lock);
	ret = ctx->events || ctx->err_pending;
	spin_unlock_irq(&ctx->awd->irq_lock);
	return ret || READ_ONCE(ctx->dead) || READ_ONCE(ctx->orphan);
}

static __poll_t awd_poll(struct file *file, poll_table *wait)
{
	struct awd_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	if (awd_foreign_mm(ctx) || READ_ONCE(ctx->orphan))
		return EPOLLERR;
	poll_wait(file, &ctx->wq, wait);

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		mask = EPOLLERR | EPOLLHUP;
		goto out;
	}
	awd_ctx_sync(ctx);
	if (ctx->state == AWD_QS_ERROR)
		mask |= EPOLLERR;
	spin_lock_irq(&ctx->awd->irq_lock);
	ctx->err_pending = false;
	if (ctx->events)
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&ctx->awd->irq_lock);
	if (awd_cq_pending(ctx))
		mask |= EPOLLIN | EPOLLRDNORM;
out:
	mutex_unlock(&ctx->lock);
	return mask;
}

/*
 * read(): an 8-byte count of completion interrupts since the previous
 * read; blocks (unless O_NONBLOCK) while it would be 0. EIO when the queue
 * is in an error state, EOPNOTSUPP when the queue has no interrupt.
 */
static ssize_t awd_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct awd_ctx *ctx = file->private_data;
	u64 n;
	int rc;

	if (awd_foreign_mm(ctx) || READ_ONCE(ctx->orphan))
		return -EPERM;
	if (count < sizeof(n))
		return -EINVAL;

	for (;;) {
		mutex_lock(&ctx->lock);
		rc = 0;
		if (ctx->dead) {
			rc = -ENODEV;
		} else {
			awd_ctx_sync(ctx);
			if (ctx->state == AWD_QS_ERROR)
				rc = -EIO;
			else if (!ctx->awd->q_irq[ctx->qid])
				rc = -EOPNOTSUPP;
		}
		spin_lock_irq(&ctx->awd->irq_lock);
		ctx->err_pending = false;
		n = ctx->events;
		if (!rc)
			ctx->events = 0;
		spin_unlock_irq(&ctx->awd->irq_lock);
		mutex_unlock(&ctx->lock);
		if (rc)
			return rc;
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(ctx->wq, awd_wake_cond(ctx));
		if (rc)
			return rc;
	}
	if (copy_to_user(buf, &n, sizeof(n)))
		return -EFAULT;
	return sizeof(n);
}

const struct file_operations awd_fops = {
	.owner = THIS_MODULE,
	.open = awd_open,
	.release = awd_release,
	.mmap = awd_mmap,
	.unlocked_ioctl = awd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = awd_poll,
	.read = awd_read,
	.llseek = noop_llseek,
};
