// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd no-SVA mode: user memory registered with AWD_IOC_REG_MEM is
 * pinned (FOLL_WRITE | FOLL_LONGTERM, counted in mm->pinned_vm against
 * RLIMIT_MEMLOCK) and DMA-mapped as one contiguous device range.
 *
 * Fork hazard: a pinned page shared copy-on-write with a child would be
 * replaced in the parent's page tables on the parent's next write, and the
 * device would keep using the old page, now the child's. FOLL_WRITE breaks
 * any COW sharing before the pin and leaves the anonymous pages exclusive
 * to the pinning process; fork() copies such pages for the child at once
 * instead of sharing them (page_needs_cow_for_dma), so the parent keeps
 * the pages the device uses and its writes land there.
 *
 * A range stays mapped until unregistered (only while the queue is stopped,
 * so the device never uses a freed IOVA), until close(), or until the
 * owner's address space goes away.
 */

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "awd.h"

/* One registration at most this large (the device's largest transfer). */
#define AWD_REG_MAX_BYTES	(1ULL << 32)

static int awd_account(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 now;

	now = atomic64_add_return(npages, &mm->pinned_vm);
	if (now > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

static void awd_unaccount(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &mm->pinned_vm);
}

static void awd_region_free(struct awd_ctx *ctx, struct awd_region *r)
{
	if (r->mapped)
		dma_unmap_sgtable(&ctx->awd->pdev->dev, &r->sgt,
				  DMA_BIDIRECTIONAL, 0);
	sg_free_table(&r->sgt);
	/* the device may have written any of them */
	unpin_user_pages_dirty_lock(r->pages, r->npages, true);
	awd_unaccount(ctx->mm, r->npages);
	atomic_long_sub(r->npages, &ctx->awd->pinned_pages);
	kvfree(r->pages);
	kfree(r);
}

int awd_mem_register(struct awd_ctx *ctx, struct awd_mem __user *uarg)
{
	struct device *dev = &ctx->awd->pdev->dev;
	unsigned long start, end, npages, done = 0;
	struct awd_region *r;
	struct awd_mem m;
	u64 last;
	int rc, n;

	if (ctx->awd->sva)
		return -EOPNOTSUPP;
	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.flags || m.rsvd || !m.len || m.len > AWD_REG_MAX_BYTES)
		return -EINVAL;
	if (check_add_overflow(m.uaddr, m.len - 1, &last) ||
	    !access_ok(u64_to_user_ptr(m.uaddr), m.len))
		return -EFAULT;
	start = m.uaddr & PAGE_MASK;
	end = PAGE_ALIGN(last + 1);
	npages = (end - start) >> PAGE_SHIFT;

	r = kzalloc_obj(*r);
	if (!r)
		return -ENOMEM;
	r->uaddr = m.uaddr;
	r->len = m.len;
	r->npages = npages;
	r->pages = kvmalloc_array(npages, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages) {
		kfree(r);
		return -ENOMEM;
	}
	rc = awd_account(ctx->mm, npages);
	if (rc)
		goto err_free;

	while (done < npages) {
		n = pin_user_pages_fast(start + (done << PAGE_SHIFT),
					min_t(unsigned long, npages - done,
					      INT_MAX),
					FOLL_WRITE | FOLL_LONGTERM,
					r->pages + done);
		if (n <= 0) {
			rc = n ? n : -EFAULT;
			goto err_unpin;
		}
		done += n;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto err_unpin;
		}
	}

	rc = sg_alloc_table_from_pages(&r->sgt, r->pages, npages, 0,
				       npages << PAGE_SHIFT, GFP_KERNEL);
	if (rc)
		goto err_unpin;
	rc = dma_map_sgtable(dev, &r->sgt, DMA_BIDIRECTIONAL, 0);
	if (rc)
		goto err_sgt;
	r->mapped = true;
	/* descriptors carry one address: the range must be contiguous */
	if (r->sgt.nents != 1) {
		rc = -ENOSPC;
		goto err_unmap;
	}
	r->iova = sg_dma_address(r->sgt.sgl) + (m.uaddr - start);
	m.iova = r->iova;
	if (copy_to_user(uarg, &m, sizeof(m))) {
		rc = -EFAULT;
		goto err_unmap;
	}

	mutex_lock(&ctx->lock);
	if (ctx->dead || READ_ONCE(ctx->orphan))
		rc = -ENODEV;
	else if (ctx->nr_regions >= AWD_MAX_REGIONS)
		rc = -EMFILE;
	if (rc) {
		mutex_unlock(&ctx->lock);
		goto err_unmap;
	}
	list_add_tail(&r->node, &ctx->regions);
	atomic_long_add(npages, &ctx->awd->pinned_pages);
	ctx->nr_regions++;
	ctx->pinned_pages += npages;
	spin_lock_irq(&ctx->awd->irq_lock);
	ctx->stats.pinned_pages = ctx->pinned_pages;
	spin_unlock_irq(&ctx->awd->irq_lock);
	mutex_unlock(&ctx->lock);
	return 0;

err_unmap:
	dma_unmap_sgtable(dev, &r->sgt, DMA_BIDIRECTIONAL, 0);
err_sgt:
	sg_free_table(&r->sgt);
err_unpin:
	unpin_user_pages(r->pages, done);
	awd_unaccount(ctx->mm, npages);
err_free:
	kvfree(r->pages);
	kfree(r);
	return rc;
}

int awd_mem_unregister(struct awd_ctx *ctx, struct awd_mem __user *uarg)
{
	struct awd_region *r, *found = NULL;
	struct awd_mem m;
	int rc = 0;

	if (ctx->awd->sva)
		return -EOPNOTSUPP;
	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.flags || m.rsvd)
		return -EINVAL;

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		rc = -ENODEV;
		goto out;
	}
	/*
	 * The device must not be able to use the range once it is unmapped:
	 * not while the queue runs, nor while a failed reset left it fenced.
	 */
	if (ctx->state == AWD_QS_RUNNING || ctx->fenced) {
		rc = -EBUSY;
		goto out;
	}
	list_for_each_entry(r, &ctx->regions, node) {
		if (r->iova == m.iova) {
			found = r;
			break;
		}
	}
	if (!found) {
		rc = -ENOENT;
		goto out;
	}
	list_del(&found->node);
	ctx->nr_regions--;
	ctx->pinned_pages -= found->npages;
	spin_lock_irq(&ctx->awd->irq_lock);
	ctx->stats.pinned_pages = ctx->pinned_pages;
	spin_unlock_irq(&ctx->awd->irq_lock);
	awd_region_free(ctx, found);
out:
	mutex_unlock(&ctx->lock);
	return rc;
}

/* ctx->lock held, queue stopped. */
void awd_mem_release_all(struct awd_ctx *ctx)
{
	struct awd_region *r, *tmp;

	lockdep_assert_held(&ctx->lock);

	list_for_each_entry_safe(r, tmp, &ctx->regions, node) {
		list_del(&r->node);
		awd_region_free(ctx, r);
	}
	ctx->nr_regions = 0;
	ctx->pinned_pages = 0;
	spin_lock_irq(&ctx->awd->irq_lock);
	ctx->stats.pinned_pages = 0;
	spin_unlock_irq(&ctx->awd->irq_lock);
}
