// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd kernel queue: one hardware queue per device reserved for the
 * kernel crypto API providers. It uses the DMA API (no PASID: the device's
 * requests carry only its requester ID and go through the kernel's DMA
 * domain) with coherent rings and per-slot coherent bounce buffers, so any
 * request (scatterlist, virtual, on-stack) works and the device only ever
 * sees kernel-owned memory.
 *
 * A request takes a slot; the descriptor tag is the slot index, checked on
 * completion. Without a free slot it waits in a backlog (only with
 * CRYPTO_TFM_REQ_MAY_BACKLOG; else -EBUSY). Completions are handled in the
 * queue's threaded interrupt; a watchdog fails requests the device has not
 * answered in AWD_KQ_TIMEOUT and restarts the queue, as does a queue error.
 *
 * The queue format (ring, sgl, crec) is the business of awd->fmt's ops
 * (awd_fmt_<name>.c): this file fills a format-neutral struct awd_desc,
 * lets the format submit it and asks the format for completions. A new
 * format is one new file plus one line in awd_fmts[] below.
 */

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <crypto/algapi.h>

#include "awd.h"

#define AWD_KQ_TIMEOUT		(10 * HZ)
#define AWD_KQ_WATCHDOG		(2 * HZ)

/* The formats the driver speaks, by AWD_REG_FORMAT value. */
static const struct awd_fmt *const awd_fmts[] = {
	[AWD_FORMAT_RING] = &awd_fmt_ring,
	[AWD_FORMAT_SGL] = &awd_fmt_sgl,
	[AWD_FORMAT_CREC] = &awd_fmt_crec,
};

const struct awd_fmt *awd_fmt_find(u32 id)
{
	return id < ARRAY_SIZE(awd_fmts) ? awd_fmts[id] : NULL;
}

static LIST_HEAD(awd_kqs);
static DEFINE_SPINLOCK(awd_kqs_lock);	/* awd_kqs; taken before kq->lock */

struct awd_kdone {
	struct crypto_async_request *areq;
	int err;
};

/* at most: every slot completes, every slot refills from the backlog */
#define AWD_KDONE_MAX		(3 * AWD_KQ_SLOTS)

static void awd_kq_call(struct awd_kdone *done, int n)
{
	int i;

	if (!n)
		return;
	local_bh_disable();
	for (i = 0; i < n; i++)
		crypto_request_complete(done[i].areq, done[i].err);
	local_bh_enable();
}

/* kq->lock held: put the request in slot s and tell the device. */
static int awd_kq_issue(struct awd_kq *kq, unsigned int s, enum awd_kop op,
			struct crypto_async_request *areq)
{
	struct awd_kslot *slot = &kq->slots[s];
	struct awd_desc d = { };
	int rc;

	lockdep_assert_held(&kq->lock);
	slot->areq = areq;
	slot->op = op;
	rc = awd_crypto_prepare(slot, &d);
	if (!rc) {
		d.tag = s;
		d.flags |= AWD_DF_IRQ;
		slot->issued = jiffies;
		__set_bit(s, &kq->busy);
		rc = kq->fmt->submit(kq, s, &d);
		if (rc)
			__clear_bit(s, &kq->busy);
	}
	if (rc) {
		slot->areq = NULL;
		return rc;
	}
	if (!delayed_work_pending(&kq->watchdog))
		mod_delayed_work(system_dfl_wq, &kq->watchdog, AWD_KQ_WATCHDOG);
	return -EINPROGRESS;
}

/* kq->lock held: move backlogged requests into free slots. */
static int awd_kq_refill(struct awd_kq *kq, struct awd_kdone *done, int n)
{
	struct crypto_async_request *areq;
	unsigned int s, op;
	int rc;

	lockdep_assert_held(&kq->lock);
	for (op = 0; op < AWD_KOP_NR; op++) {
		while (kq->running && !list_empty(&kq->backlog[op])) {
			s = find_first_zero_bit(&kq->busy, kq->nslots);
			if (s >= kq->nslots)
				return n;
			areq = list_first_entry(&kq->backlog[op],
						struct crypto_async_request,
						list);
			list_del(&areq->list);
			done[n].areq = areq;		/* backlog -> queued */
			done[n++].err = -EINPROGRESS;
			rc = awd_kq_issue(kq, s, op, areq);
			if (rc != -EINPROGRESS) {
				done[n].areq = areq;
				done[n++].err = rc;
			}
		}
	}
	return n;
}

static bool awd_kq_can(struct awd_kq *kq, enum awd_kop op)
{
	switch (op) {
	case AWD_KOP_COMPRESS:
		return kq->awd->caps & AWD_CAP_DEFLATE;
	case AWD_KOP_DECOMPRESS:
		return kq->awd->caps & AWD_CAP_INFLATE;
	default:
		return kq->awd->caps & AWD_CAP_RSA;
	}
}

int awd_kq_submit(enum awd_kop op, struct crypto_async_request *areq)
{
	struct awd_kq *kq, *found = NULL;
	unsigned long flags;
	unsigned int s;
	int rc;

	spin_lock_irqsave(&awd_kqs_lock, flags);
	list_for_each_entry(kq, &awd_kqs, node) {
		if (awd_kq_can(kq, op)) {
			found = kq;
			break;
		}
	}
	if (!found) {
		spin_unlock_irqrestore(&awd_kqs_lock, flags);
		return -ENODEV;
	}
	kq = found;
	list_move_tail(&kq->node, &awd_kqs);	/* spread over devices */
	spin_lock(&kq->lock);
	s = find_first_zero_bit(&kq->busy, kq->nslots);
	if (kq->running && s < kq->nslots && list_empty(&kq->backlog[op])) {
		rc = awd_kq_issue(kq, s, op, areq);
	} else if (areq->flags & CRYPTO_TFM_REQ_MAY_BACKLOG) {
		list_add_tail(&areq->list, &kq->backlog[op]);
		rc = -EBUSY;
	} else {
		rc = -EBUSY;
	}
	spin_unlock(&kq->lock);
	spin_unlock_irqrestore(&awd_kqs_lock, flags);
	return rc;
}

bool awd_kq_available(void)
{
	bool ret;

	spin_lock_irq(&awd_kqs_lock);
	ret = !list_empty(&awd_kqs);
	spin_unlock_irq(&awd_kqs_lock);
	return ret;
}

/* kq->lock held: finish every request the format reports complete. */
static int awd_kq_reap(struct awd_kq *kq, struct awd_kdone *done, int n)
{
	struct awd_kslot *slot;
	struct awd_cpl cpl;
	int s;

	lockdep_assert_held(&kq->lock);
	while (kq->running) {
		s = kq->fmt->next(kq, &cpl);
		if (s < 0)
			break;
		/* the device's tag (or slot) is checked before it is used */
		if (s >= kq->nslots || !test_bit(s, &kq->busy)) {
			dev_warn_ratelimited(&kq->awd->pdev->dev,
					     "kernel queue: completion with unknown tag %u\n",
					     cpl.tag);
			kq->errors++;
			continue;
		}
		slot = &kq->slots[s];
		done[n].areq = slot->areq;
		done[n++].err = awd_crypto_finish(slot, &cpl);
		slot->areq = NULL;
		__clear_bit(s, &kq->busy);
		kq->done++;
	}
	kq->fmt->ack(kq);
	return n;
}

/* Completions: the queue's threaded interrupt. */
irqreturn_t awd_kq_thread(int irq, void *data)
{
	struct awd_kq *kq = ((struct awd_vec *)data)->awd->kq;
	struct awd_kdone done[AWD_KDONE_MAX];
	unsigned long flags;
	int n;

	if (!kq)
		return IRQ_HANDLED;
	spin_lock_irqsave(&kq->lock, flags);
	n = awd_kq_reap(kq, done, 0);
	n = awd_kq_refill(kq, done, n);
	spin_unlock_irqrestore(&kq->lock, flags);
	awd_kq_call(done, n);
	return IRQ_HANDLED;
}

/* kq->lock held: fail every request in a slot (not the backlog). */
static int awd_kq_fail_slots(struct awd_kq *kq, int err,
			     struct awd_kdone *done, int n)
{
	unsigned int s;

	lockdep_assert_held(&kq->lock);
	for_each_set_bit(s, &kq->busy, kq->nslots) {
		done[n].areq = kq->slots[s].areq;
		done[n++].err = err;
		kq->slots[s].areq = NULL;
	}
	kq->busy = 0;
	return n;
}

static int awd_kq_hw_start(struct awd_kq *kq)
{
	struct awd_dev *awd = kq->awd;
	u32 hw_error;
	int rc;

	lockdep_assert_held(&kq->hw_lock);
	memset(kq->cq, 0, sizeof(*kq->cq) << AWD_KQ_ORDER);
	kq->fmt->start(kq);
	rc = awd_hw_queue_enable(awd, kq->qid, kq->sq_dma, kq->cq_dma,
				 kq->order, 0, AWD_QCTRL_IRQ_EN, &hw_error);
	if (rc)
		dev_err(&awd->pdev->dev, "kernel queue %u did not start (%d, error %u)\n",
			kq->qid, rc, hw_error);
	return rc;
}

/*
 * Stop the queue, fail what it holds with err, start it again (unless the
 * device is going away) and resubmit the backlog.
 */
static void awd_kq_restart(struct awd_kq *kq, int err, bool start)
{
	struct awd_kdone done[AWD_KDONE_MAX];
	unsigned long flags;
	int n, rc = -ENODEV;

	mutex_lock(&kq->hw_lock);
	spin_lock_irqsave(&kq->lock, flags);
	kq->running = false;
	spin_unlock_irqrestore(&kq->lock, flags);

	awd_queue_reset(kq->awd, kq->qid);

	spin_lock_irqsave(&kq->lock, flags);
	n = awd_kq_fail_slots(kq, err, done, 0);
	if (err == -ECANCELED)
		kq->cancelled += n;
	spin_unlock_irqrestore(&kq->lock, flags);
	awd_kq_call(done, n);

	if (start && !kq->dead)
		rc = awd_kq_hw_start(kq);
	spin_lock_irqsave(&kq->lock, flags);
	kq->running = !rc;
	n = awd_kq_refill(kq, done, 0);
	spin_unlock_irqrestore(&kq->lock, flags);
	mutex_unlock(&kq->hw_lock);
	awd_kq_call(done, n);
}

static void awd_kq_watchdog(struct work_struct *work)
{
	struct awd_kq *kq = container_of(to_delayed_work(work), struct awd_kq,
					 watchdog);
	struct awd_kdone done[AWD_KDONE_MAX];
	unsigned long flags;
	bool stuck = false;
	unsigned int s;
	int n = 0;

	spin_lock_irqsave(&kq->lock, flags);
	/* formats without a ring: a lost interrupt must not lose a record */
	if (kq->fmt->reap_in_watchdog) {
		n = awd_kq_reap(kq, done, 0);
		n = awd_kq_refill(kq, done, n);
	}
	for_each_set_bit(s, &kq->busy, kq->nslots)
		if (time_after(jiffies, kq->slots[s].issued + AWD_KQ_TIMEOUT))
			stuck = true;
	if (!stuck && kq->busy)
		mod_delayed_work(system_dfl_wq, &kq->watchdog, AWD_KQ_WATCHDOG);
	spin_unlock_irqrestore(&kq->lock, flags);
	awd_kq_call(done, n);
	if (stuck) {
		dev_err(&kq->awd->pdev->dev, "kernel queue: request timed out; restarting the queue\n");
		kq->timeouts++;
		awd_kq_restart(kq, -ETIMEDOUT, true);
	}
}

static void awd_kq_recover(struct work_struct *work)
{
	struct awd_kq *kq = container_of(work, struct awd_kq, recover);
	u32 err = awd_qrd(kq->awd, kq->qid, AWD_Q_ERROR);

	dev_err(&kq->awd->pdev->dev, "kernel queue %u in error %u; restarting it\n",
		kq->qid, err);
	kq->errors++;
	awd_kq_restart(kq, -EIO, true);
}

/* From the error interrupt: the kernel queue reported an error. */
void awd_kq_error(struct awd_dev *awd)
{
	if (awd->kq)
		schedule_work(&awd->kq->recover);
}

/*
 * Device reset (FLR, fatal error, PCI error recovery): stop the queue and
 * cancel what is in flight (-ECANCELED: the device will never answer it);
 * the backlog waits, and awd_kq_resume() starts the queue again.
 */
void awd_kq_quiesce(struct awd_dev *awd)
{
	if (awd->kq)
		awd_kq_restart(awd->kq, -ECANCELED, false);
}

void awd_kq_resume(struct awd_dev *awd)
{
	if (awd->kq)
		awd_kq_restart(awd->kq, -EIO, true);
}

static void awd_kq_free(struct awd_kq *kq)
{
	struct device *dev = &kq->awd->pdev->dev;
	unsigned int s;

	for (s = 0; s < AWD_KQ_SLOTS; s++) {
		struct awd_kslot *slot = &kq->slots[s];

		if (slot->src)
			dma_free_coherent(dev, AWD_KQ_BUF, slot->src,
					  slot->src_dma);
		if (slot->dst)
			dma_free_coherent(dev, AWD_KQ_BUF, slot->dst,
					  slot->dst_dma);
		if (slot->key)
			dma_free_coherent(dev, AWD_KQ_KEYBUF, slot->key,
					  slot->key_dma);
	}
	if (kq->fmt_mem)
		kq->fmt->fini(kq);
	if (kq->sq)
		dma_free_coherent(dev, AWD_DESC_SIZE << AWD_KQ_ORDER, kq->sq,
				  kq->sq_dma);
	if (kq->cq)
		dma_free_coherent(dev, sizeof(*kq->cq) << AWD_KQ_ORDER, kq->cq,
				  kq->cq_dma);
	kfree(kq);
}

/*
 * Reserve queue qid (it has a threaded interrupt already) for the kernel
 * and start it. Called at the end of probe.
 */
int awd_kq_create(struct awd_dev *awd, u32 qid)
{
	struct device *dev = &awd->pdev->dev;
	struct awd_kq *kq;
	unsigned int s, op;
	int rc;

	kq = kzalloc_obj(*kq);
	if (!kq)
		return -ENOMEM;
	kq->awd = awd;
	kq->fmt = awd->fmt;
	kq->qid = qid;
	spin_lock_init(&kq->lock);
	mutex_init(&kq->hw_lock);
	INIT_LIST_HEAD(&kq->node);
	for (op = 0; op < AWD_KOP_NR; op++)
		INIT_LIST_HEAD(&kq->backlog[op]);
	INIT_DELAYED_WORK(&kq->watchdog, awd_kq_watchdog);
	INIT_WORK(&kq->recover, awd_kq_recover);

	kq->sq = dma_alloc_coherent(dev, AWD_DESC_SIZE << AWD_KQ_ORDER,
				    &kq->sq_dma, GFP_KERNEL);
	kq->cq = dma_alloc_coherent(dev, sizeof(*kq->cq) << AWD_KQ_ORDER,
				    &kq->cq_dma, GFP_KERNEL);
	if (!kq->sq || !kq->cq)
		goto err_nomem;
	for (s = 0; s < AWD_KQ_SLOTS; s++) {
		struct awd_kslot *slot = &kq->slots[s];

		slot->src = dma_alloc_coherent(dev, AWD_KQ_BUF, &slot->src_dma,
					       GFP_KERNEL);
		slot->dst = dma_alloc_coherent(dev, AWD_KQ_BUF, &slot->dst_dma,
					       GFP_KERNEL);
		slot->key = dma_alloc_coherent(dev, AWD_KQ_KEYBUF,
					       &slot->key_dma, GFP_KERNEL);
		if (!slot->src || !slot->dst || !slot->key)
			goto err_nomem;
	}
	rc = kq->fmt->init(kq);
	if (rc)
		goto err_free;

	mutex_lock(&kq->hw_lock);
	rc = awd_kq_hw_start(kq);
	mutex_unlock(&kq->hw_lock);
	if (rc)
		goto err_free;
	kq->running = true;
	awd->kq = kq;
	spin_lock_irq(&awd_kqs_lock);
	list_add_tail(&kq->node, &awd_kqs);
	spin_unlock_irq(&awd_kqs_lock);
	return 0;

err_nomem:
	rc = -ENOMEM;
err_free:
	awd_kq_free(kq);
	return rc;
}

/* remove(), first step: no new requests reach this device's queue. */
void awd_kq_unlist(struct awd_dev *awd)
{
	struct awd_kq *kq = awd->kq;

	if (!kq)
		return;
	spin_lock_irq(&awd_kqs_lock);
	list_del_init(&kq->node);
	spin_unlock_irq(&awd_kqs_lock);
	kq->dead = true;
}

/*
 * remove(), after the device is disabled and its interrupts are freed:
 * fail what is left with -ENODEV and free the queue.
 */
void awd_kq_destroy(struct awd_dev *awd)
{
	struct awd_kq *kq = awd->kq;
	struct awd_kdone done[AWD_KDONE_MAX];
	struct crypto_async_request *areq, *tmp;
	unsigned int op;
	int n;

	if (!kq)
		return;
	cancel_work_sync(&kq->recover);
	cancel_delayed_work_sync(&kq->watchdog);
	spin_lock_irq(&kq->lock);
	kq->running = false;
	n = awd_kq_fail_slots(kq, -ENODEV, done, 0);
	spin_unlock_irq(&kq->lock);
	awd_kq_call(done, n);
	/* the backlog: nobody adds to it any more */
	local_bh_disable();
	for (op = 0; op < AWD_KOP_NR; op++) {
		list_for_each_entry_safe(areq, tmp, &kq->backlog[op], list) {
			list_del(&areq->list);
			crypto_request_complete(areq, -EINPROGRESS);
			crypto_request_complete(areq, -ENODEV);
		}
	}
	local_bh_enable();
	awd->kq = NULL;
	awd_kq_free(kq);
}
