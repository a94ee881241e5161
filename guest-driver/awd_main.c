// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd: PCI driver for the accel-wd accelerator (QEMU testbed device).
 *
 * Probe validates every identification register against the shared
 * hardware header, enables the device, sets up MSI-X (one vector per queue
 * plus the error vector, degrading to poll-only queues when vectors are
 * short), decides between SVA and no-SVA mode, and registers
 * /dev/accel_wd<N>. remove() kills open files (they can then only be
 * closed) and frees the device once the last one is gone.
 */

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "awd.h"

static bool sva = true;
module_param(sva, bool, 0444);
MODULE_PARM_DESC(sva, "Use shared virtual addressing when available (default true)");

static bool crypto = true;
module_param(crypto, bool, 0444);
MODULE_PARM_DESC(crypto, "Reserve a queue for the kernel crypto API (deflate, rsa) (default true)");

static DEFINE_IDA(awd_ida);
/* /dev/accel_wd<N>: minor N, N < AWD_MAX_DEVS */
#define AWD_MAX_DEVS		256
static dev_t awd_devt;

/*
 * Root only, as idxd and uacce: a queue is a scarce device resource.
 * Grant a group with a udev rule (guest-driver/README.md).
 */
static char *awd_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return NULL;
}

static const struct class awd_class = {
	.name = AWD_DRV_NAME,
	.devnode = awd_devnode,
};

#define AWD_RESET_TIMEOUT_US	(1000 * USEC_PER_MSEC)

static const char * const awd_cap_names[] = {
	"deflate", "inflate", "rsa", "stream", "pasid", "ats", "pri", "wbits",
	"telemetry", "zlib-exact",
};

static void awd_dev_release(struct kref *ref)
{
	struct awd_dev *awd = container_of(ref, struct awd_dev, ref);

	kfree(awd->owner);
	kfree(awd->q_irq);
	kfree(awd->vecs);
	kfree(awd);
}

void awd_dev_put(struct awd_dev *awd)
{
	kref_put(&awd->ref, awd_dev_release);
}

/* ---- interrupts ------------------------------------------------------- */

static irqreturn_t awd_queue_irq(int irq, void *data)
{
	struct awd_vec *vec = data;
	struct awd_dev *awd = vec->awd;
	struct awd_ctx *ctx;

	if (vec->qid == awd->kq_qid)
		return IRQ_WAKE_THREAD;
	spin_lock(&awd->irq_lock);
	ctx = awd->owner[vec->qid];
	if (ctx) {
		ctx->events++;
		ctx->stats.irqs++;
		wake_up(&ctx->wq);
	}
	spin_unlock(&awd->irq_lock);
	return IRQ_HANDLED;
}

static void awd_queue_in_error(struct awd_dev *awd, u32 q)
{
	struct awd_ctx *ctx;

	if (q == awd->kq_qid) {
		awd_kq_error(awd);
		return;
	}
	spin_lock(&awd->irq_lock);
	ctx = awd->owner[q];
	if (ctx) {
		ctx->stats.errors++;
		ctx->err_pending = true;
		wake_up(&ctx->wq);
	}
	spin_unlock(&awd->irq_lock);
}

static irqreturn_t awd_err_irq(int irq, void *data)
{
	struct awd_dev *awd = data;
	u32 err, sts, q;
	u64 qerr;

	err = awd_rd(awd, AWD_REG_ERR);
	if (err == ~0u)		/* device gone */
		return IRQ_NONE;
	if (!err)
		return IRQ_NONE;
	awd_wr(awd, AWD_REG_ERR, err);
	awd->dev_errors++;

	if (err & AWD_ERR_QUEUE) {
		qerr = awd_rd(awd, AWD_REG_QERR_LO) |
		       (u64)awd_rd(awd, AWD_REG_QERR_HI) << 32;
		for (q = 0; q < awd->hw_queues; q++)
			if (qerr & BIT_ULL(q))
				awd_queue_in_error(awd, q);
		if (awd->hw_queues < 64 && (qerr >> awd->hw_queues))
			dev_warn_ratelimited(&awd->pdev->dev,
					     "error reported for nonexistent queues %#llx\n",
					     qerr >> awd->hw_queues);
	}
	if (err & AWD_ERR_BAD_ACCESS)
		dev_warn_ratelimited(&awd->pdev->dev, "device reports a bad register or doorbell access\n");
	if (err & ~(AWD_ERR_QUEUE | AWD_ERR_BAD_ACCESS | AWD_ERR_FATAL))
		dev_warn_ratelimited(&awd->pdev->dev, "unknown device error bits %#x\n",
				     err & ~(AWD_ERR_QUEUE | AWD_ERR_BAD_ACCESS |
					     AWD_ERR_FATAL));
	sts = awd_rd(awd, AWD_REG_STATUS);
	if (sts != ~0u && (sts & AWD_STATUS_FATAL)) {
		dev_err_ratelimited(&awd->pdev->dev, "device reports a fatal error; resetting it\n");
		schedule_work(&awd->fatal_work);
	}
	return IRQ_HANDLED;
}

static void awd_free_irqs(struct awd_dev *awd)
{
	struct pci_dev *pdev = awd->pdev;
	u32 q;

	if (awd->err_irq)
		pci_free_irq(pdev, awd->err_vector, awd);
	awd->err_irq = false;
	for (q = 0; q < awd->hw_queues; q++) {
		if (awd->q_irq[q])
			pci_free_irq(pdev, q, &awd->vecs[q]);
		awd->q_irq[q] = false;
	}
	if (awd->nr_vecs > 0)
		pci_free_irq_vectors(pdev);
	awd->nr_vecs = 0;
}

/*
 * Queue q raises MSI-X vector q (AWD_Q_IRQ_VECTOR says so; checked) and
 * device errors raise AWD_REG_ERR_VECTOR. Ask for all of them; with fewer
 * vectors, the queues without one are poll-only and the error interrupt
 * may be missing (queue errors are still seen in the queue status).
 */
static int awd_setup_irqs(struct awd_dev *awd)
{
	struct pci_dev *pdev = awd->pdev;
	int table, want, got, rc;
	u32 q, vec, no_irq = 0;

	table = pci_msix_vec_count(pdev);
	if (table <= 0) {
		dev_warn(&pdev->dev, "no MSI-X; all queues are poll-only\n");
		awd->kq_qid = U32_MAX;
		return 0;
	}
	if (awd->err_vector >= table) {
		dev_warn(&pdev->dev, "error vector %u outside the MSI-X table (%d)\n",
			 awd->err_vector, table);
		awd->err_vector = U32_MAX;
	}
	want = min_t(int, table, max_t(u32, awd->hw_queues,
				       awd->err_vector == U32_MAX ? 0 :
				       awd->err_vector + 1));
	got = pci_alloc_irq_vectors(pdev, 1, want, PCI_IRQ_MSIX);
	if (got < 0) {
		dev_warn(&pdev->dev, "MSI-X allocation failed (%d); all queues are poll-only\n",
			 got);
		awd->kq_qid = U32_MAX;
		return 0;
	}
	awd->nr_vecs = got;

	for (q = 0; q < awd->hw_queues; q++) {
		awd->vecs[q].awd = awd;
		awd->vecs[q].qid = q;
		vec = awd_qrd(awd, q, AWD_Q_IRQ_VECTOR);
		if (vec != q || q >= got || q == awd->err_vector) {
			no_irq++;
			continue;
		}
		rc = pci_request_irq(pdev, q, awd_queue_irq,
				     q == awd->kq_qid ? awd_kq_thread : NULL,
				     &awd->vecs[q], "%s-q%u", awd->name, q);
		if (rc)
			goto fail;
		awd->q_irq[q] = true;
	}
	if (awd->err_vector < got) {
		rc = pci_request_irq(pdev, awd->err_vector, awd_err_irq, NULL,
				     awd, "%s-err", awd->name);
		if (rc)
			goto fail;
		awd->err_irq = true;
	}
	if (awd->kq_qid != U32_MAX && !awd->q_irq[awd->kq_qid])
		awd->kq_qid = U32_MAX;	/* polling only: no kernel queue */
	if (no_irq || !awd->err_irq)
		dev_warn(&pdev->dev, "%d of %d MSI-X vectors: %u queue(s) poll-only%s\n",
			 got, want, no_irq,
			 awd->err_irq ? "" : ", no error interrupt");
	return 0;
fail:
	awd_free_irqs(awd);
	return rc;
}

/* ---- identification and enable ---------------------------------------- */

/*
 * The queue format and its parameters: registers of version 1.1 on; a 1.0
 * device speaks the ring format. A format the driver does not know would
 * be driven wrongly by every queue: refuse the device.
 */
static int awd_read_format(struct awd_dev *awd)
{
	struct device *dev = &awd->pdev->dev;
	u32 i;

	awd->format = AWD_FORMAT_RING;
	memset(awd->fmt_param, 0, sizeof(awd->fmt_param));
	if ((awd->version & 0xffff) >= 1) {
		awd->format = awd_rd(awd, AWD_REG_FORMAT);
		for (i = 0; i < AWD_FMT_PARAMS; i++)
			awd->fmt_param[i] = awd_rd(awd, AWD_REG_FMT_PARAM(i));
	}
	awd->fmt = awd_fmt_find(awd->format);
	if (!awd->fmt) {
		dev_err(dev, "unknown queue format %u (this driver speaks ring, sgl and crec); not binding\n",
			awd->format);
		return -ENODEV;
	}
	return awd->fmt->check(awd);
}

static int awd_read_ids(struct awd_dev *awd)
{
	struct device *dev = &awd->pdev->dev;
	u32 magic;

	magic = awd_rd(awd, AWD_REG_MAGIC);
	if (magic != AWD_MAGIC) {
		dev_err(dev, "bad magic %#x (expected %#x)\n", magic, AWD_MAGIC);
		return -ENODEV;
	}
	awd->version = awd_rd(awd, AWD_REG_VERSION);
	if (awd->version >> 16 != AWD_VERSION_MAJOR) {
		dev_err(dev, "unsupported version %u.%u (driver speaks %u.x)\n",
			awd->version >> 16, awd->version & 0xffff,
			AWD_VERSION_MAJOR);
		return -ENODEV;
	}
	awd->caps = awd_rd(awd, AWD_REG_CAP);
	awd->hw_queues = awd_rd(awd, AWD_REG_NUM_QUEUES);
	if (awd->hw_queues < 1 || awd->hw_queues > AWD_MAX_QUEUES) {
		dev_err(dev, "bad queue count %u\n", awd->hw_queues);
		return -ENODEV;
	}
	if (pci_resource_len(awd->pdev, AWD_BAR_DOORBELL) <
	    (resource_size_t)awd->hw_queues * AWD_DB_STRIDE) {
		dev_err(dev, "doorbell BAR too small for %u queues\n",
			awd->hw_queues);
		return -ENODEV;
	}
	awd->ring_order_max = awd_rd(awd, AWD_REG_RING_ORDER_MAX);
	if (awd->ring_order_max < AWD_RING_ORDER_MIN ||
	    awd->ring_order_max > AWD_RING_ORDER_MAX) {
		dev_err(dev, "bad maximum ring order %u\n", awd->ring_order_max);
		return -ENODEV;
	}
	awd->pasid_bits = awd_rd(awd, AWD_REG_PASID_BITS);
	if (awd->pasid_bits > 20) {
		dev_warn(dev, "PASID width %u > 20; PASID disabled\n",
			 awd->pasid_bits);
		awd->pasid_bits = 0;
	}
	awd->max_xfer = awd_rd(awd, AWD_REG_MAX_XFER);
	if (!awd->max_xfer) {
		dev_err(dev, "device reports a zero maximum transfer\n");
		return -ENODEV;
	}
	awd->rsa_max_bits = awd_rd(awd, AWD_REG_RSA_MAX_BITS);
	if ((awd->caps & AWD_CAP_RSA) &&
	    (awd->rsa_max_bits < AWD_RSA_MIN_BITS ||
	     awd->rsa_max_bits > AWD_RSA_MAX_BITS)) {
		dev_warn(dev, "bad RSA limit %u bits; RSA disabled\n",
			 awd->rsa_max_bits);
		awd->caps &= ~AWD_CAP_RSA;
	}
	awd->stream_ctx_size = awd_rd(awd, AWD_REG_STREAM_CTX_SIZE);
	if ((awd->caps & AWD_CAP_STREAM) &&
	    (!awd->stream_ctx_size || awd->stream_ctx_size > SZ_1M ||
	     !IS_ALIGNED(awd->stream_ctx_size, AWD_STREAM_CTX_ALIGN))) {
		dev_warn(dev, "bad stream context size %u; streams disabled\n",
			 awd->stream_ctx_size);
		awd->caps &= ~AWD_CAP_STREAM;
	}
	awd->err_vector = awd_rd(awd, AWD_REG_ERR_VECTOR);
	return awd_read_format(awd);
}

static int awd_hw_enable(struct awd_dev *awd)
{
	struct device *dev = &awd->pdev->dev;
	u32 val;
	int rc;

	awd_wr(awd, AWD_REG_CTRL, AWD_CTRL_RESET);
	rc = readl_poll_timeout(awd->regs + AWD_REG_CTRL, val,
				val == ~0u || !(val & AWD_CTRL_RESET),
				100, AWD_RESET_TIMEOUT_US);
	if (rc || val == ~0u) {
		dev_err(dev, "device reset did not complete\n");
		return -EIO;
	}
	awd_wr(awd, AWD_REG_ERR, ~0u);
	awd_wr(awd, AWD_REG_CTRL, AWD_CTRL_ENABLE);
	rc = readl_poll_timeout(awd->regs + AWD_REG_STATUS, val,
				val == ~0u ||
				(val & (AWD_STATUS_READY | AWD_STATUS_FATAL)),
				100, AWD_RESET_TIMEOUT_US);
	if (val == ~0u || (val & AWD_STATUS_FATAL)) {
		dev_err(dev, "device failed to enable (status %#x)\n", val);
		return -EIO;
	}
	if (rc) {
		/* A model that exposes only its ID registers; no queues. */
		dev_warn(dev, "device not ready after enable; queues unavailable\n");
		return 0;
	}
	awd->ready = true;
	return 0;
}

static void awd_hw_disable(struct awd_dev *awd)
{
	u32 val;

	awd_wr(awd, AWD_REG_CTRL, AWD_CTRL_RESET);
	if (readl_poll_timeout(awd->regs + AWD_REG_CTRL, val,
			       val == ~0u || !(val & AWD_CTRL_RESET),
			       100, AWD_RESET_TIMEOUT_US))
		dev_warn(&awd->pdev->dev, "device reset timed out on disable\n");
}

/*
 * SVA: from Linux 6.16 on there is no feature to enable; the IOMMU driver
 * turns on PASID, ATS and PRI when a PASID is attached. So the test is a
 * trial bind of a user address space: the prober's (insmod, a sysfs
 * rescan), or, when a kernel thread probes (PCIe hotplug), the first
 * opener's (awd_sva_decide() from open(), awd->sva_pending until then).
 * Kernels carrying the CVE-2025-71089 guard refuse it on x86 with
 * -EOPNOTSUPP although PASID, ATS and PRI all work; then, as on any other
 * refusal, no-SVA mode.
 */
static void awd_probe_sva(struct awd_dev *awd)
{
	struct device *dev = &awd->pdev->dev;
	struct iommu_sva *handle;
	const char *why = NULL;
	int err = 0;
	u32 pasid;

	if (!sva)
		why = "disabled by the sva module parameter";
	else if (!(awd->caps & AWD_CAP_PASID) || !awd->pasid_bits)
		why = "the device has no PASID support";
	else if (!device_iommu_mapped(dev))
		why = "no IOMMU translates the device";
	else if (pci_max_pasids(awd->pdev) <= 0)
		why = "the device has no PCIe PASID capability";
	else if (!current->mm || (current->flags & PF_KTHREAD)) {
		/* hotplug: no address space to try; the first open() does */
		awd->sva = false;
		WRITE_ONCE(awd->sva_pending, true);
		dev_info(dev, "SVA decided at the first open (probed by a kernel thread)\n");
		return;
	}

	if (!why) {
		handle = iommu_sva_bind_device(dev, current->mm);
		if (IS_ERR(handle)) {
			err = PTR_ERR(handle);
			why = "iommu_sva_bind_device() refused";
		} else {
			pasid = iommu_sva_get_pasid(handle);
			iommu_sva_unbind_device(handle);
			if (pasid == IOMMU_PASID_INVALID ||
			    pasid >= BIT(awd->pasid_bits)) {
				err = -ERANGE;
				why = "the IOMMU's PASID does not fit the device";
			}
		}
	}
	if (why) {
		if (err)
			dev_info(dev, "SVA unavailable: %s (%pe); using no-SVA mode\n",
				 why, ERR_PTR(err));
		else
			dev_info(dev, "SVA unavailable: %s; using no-SVA mode\n",
				 why);
	}
	awd->sva = !why;
	/* pairs with awd_sva_decide(): awd->sva is set once this reads false */
	smp_store_release(&awd->sva_pending, false);
}

/* open(), in the opener's context: settle a mode left pending by probe. */
void awd_sva_decide(struct awd_dev *awd)
{
	/* pairs with awd_probe_sva(): settled, then awd->sva is final */
	if (!smp_load_acquire(&awd->sva_pending))
		return;
	mutex_lock(&awd->lock);
	if (awd->sva_pending && current->mm && !(current->flags & PF_KTHREAD)) {
		awd_probe_sva(awd);
		if (awd->sva)
			dev_info(&awd->pdev->dev, "SVA mode (decided at the first open)\n");
	}
	mutex_unlock(&awd->lock);
}

/* ---- device reset and error recovery ------------------------------------ */

/* Before a reset: no new opens or starts, running queues marked reset. */
static void awd_quiesce(struct awd_dev *awd)
{
	mutex_lock(&awd->lock);
	WRITE_ONCE(awd->resetting, true);
	awd_cdev_reset_all(awd);
	mutex_unlock(&awd->lock);
	awd_kq_quiesce(awd);
}

/* After a reset: enable the device again; queues stay stopped. */
static int awd_unquiesce(struct awd_dev *awd)
{
	int rc;

	awd->ready = false;
	rc = awd_hw_enable(awd);
	/* the reset stopped every queue: fenced ones write nothing now */
	if (!rc)
		awd_cdev_unfence_all(awd);
	if (!rc && awd->ready)
		awd_kq_resume(awd);
	mutex_lock(&awd->lock);
	awd->resets++;
	WRITE_ONCE(awd->resetting, false);
	mutex_unlock(&awd->lock);
	/* queues closed during the reset go to processes waiting in open() */
	awd_cdev_hand_on(awd);
	if (rc || !awd->ready)
		dev_err(&awd->pdev->dev, "device did not come back after reset\n");
	return rc;
}

static void awd_reset_prepare(struct pci_dev *pdev)
{
	awd_quiesce(pci_get_drvdata(pdev));
}

static void awd_reset_done(struct pci_dev *pdev)
{
	awd_unquiesce(pci_get_drvdata(pdev));
}

static pci_ers_result_t awd_error_detected(struct pci_dev *pdev,
					   pci_channel_state_t state)
{
	struct awd_dev *awd = pci_get_drvdata(pdev);

	dev_err(&pdev->dev, "PCI channel error (state %d)\n", state);
	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;
	awd_quiesce(awd);
	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t awd_slot_reset(struct pci_dev *pdev)
{
	struct awd_dev *awd = pci_get_drvdata(pdev);

	pci_restore_state(pdev);
	pci_set_master(pdev);
	if (awd_unquiesce(awd))
		return PCI_ERS_RESULT_DISCONNECT;
	return PCI_ERS_RESULT_RECOVERED;
}

static void awd_resume(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "recovered from a PCI error; queues must be restarted\n");
}

static const struct pci_error_handlers awd_err_handlers = {
	.error_detected = awd_error_detected,
	.slot_reset = awd_slot_reset,
	.resume = awd_resume,
	.reset_prepare = awd_reset_prepare,
	.reset_done = awd_reset_done,
};

/* AWD_STATUS_FATAL: a function-level reset (skipped if one is running). */
static void awd_fatal_work(struct work_struct *work)
{
	struct awd_dev *awd = container_of(work, struct awd_dev, fatal_work);
	int rc;

	rc = pci_try_reset_function(awd->pdev);
	if (rc)
		dev_err(&awd->pdev->dev, "reset after a fatal error failed: %d\n",
			rc);
}

/* ---- sysfs -------------------------------------------------------------- */

static ssize_t caps_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	int len = 0;
	u32 i;

	for (i = 0; i < 32; i++) {
		if (!(awd->caps & BIT(i)))
			continue;
		if (i < ARRAY_SIZE(awd_cap_names))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     awd_cap_names[i]);
		else
			len += sysfs_emit_at(buf, len, "%sbit%u", len ? " " : "",
					     i);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(caps);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	if (READ_ONCE(awd->sva_pending))
		return sysfs_emit(buf, "undecided\n");
	return sysfs_emit(buf, "%s\n", awd->sva ? "sva" : "nosva");
}
static DEVICE_ATTR_RO(mode);

static ssize_t queues_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", awd->ready ? awd->nr_queues : 0);
}
static DEVICE_ATTR_RO(queues);

static ssize_t resets_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	u64 n;

	mutex_lock(&awd->lock);
	n = awd->resets;
	mutex_unlock(&awd->lock);
	return sysfs_emit(buf, "%llu\n", n);
}
static DEVICE_ATTR_RO(resets);

static ssize_t pinned_pages_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&awd->pinned_pages));
}
static DEVICE_ATTR_RO(pinned_pages);

/* pages kept for queues whose reset failed, until the device resets */
static ssize_t fenced_pages_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&awd->fenced_pages));
}
static DEVICE_ATTR_RO(fenced_pages);

static ssize_t kernel_queue_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	struct awd_kq *kq = awd->kq;

	if (!kq)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "q%u done %llu errors %llu timeouts %llu cancelled %llu inflight %u\n",
			  kq->qid, kq->done, kq->errors, kq->timeouts,
			  kq->cancelled,
			  (unsigned int)hweight_long(READ_ONCE(kq->busy)));
}
static DEVICE_ATTR_RO(kernel_queue);

static ssize_t queues_in_use_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	u32 n;

	mutex_lock(&awd->lock);
	n = awd->queues_in_use;
	mutex_unlock(&awd->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(queues_in_use);

/* processes waiting in open() for a queue */
static ssize_t queue_waiters_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	u32 n;

	mutex_lock(&awd->lock);
	n = awd->nr_waiters;
	mutex_unlock(&awd->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(queue_waiters);

static ssize_t hw_version_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u.%u\n", awd->version >> 16,
			  awd->version & 0xffff);
}
static DEVICE_ATTR_RO(hw_version);

static ssize_t limits_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf,
			  "ring_order_max %u\npasid_bits %u\nmax_xfer %u\nrsa_max_bits %u\nstream_ctx_size %u\nmsix_vectors %d\n",
			  awd->ring_order_max, awd->pasid_bits, awd->max_xfer,
			  awd->rsa_max_bits, awd->stream_ctx_size,
			  awd->nr_vecs);
}
static DEVICE_ATTR_RO(limits);

static ssize_t format_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s %u %u %u %u\n", awd->fmt->name,
			  awd->fmt_param[0], awd->fmt_param[1],
			  awd->fmt_param[2], awd->fmt_param[3]);
}
static DEVICE_ATTR_RO(format);

static ssize_t queue_stats_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct awd_dev *awd = dev_get_drvdata(dev);
	struct awd_ctx *ctx;
	int len = 0;

	mutex_lock(&awd->lock);
	list_for_each_entry(ctx, &awd->ctxs, node) {
		spin_lock_irq(&awd->irq_lock);
		len += sysfs_emit_at(buf, len,
				     "q%u pasid %u irqs %llu errors %llu starts %llu pinned %llu\n",
				     ctx->qid, ctx->pasid, ctx->stats.irqs,
				     ctx->stats.errors, ctx->stats.starts,
				     ctx->stats.pinned_pages);
		spin_unlock_irq(&awd->irq_lock);
	}
	mutex_unlock(&awd->lock);
	return len;
}
static DEVICE_ATTR_RO(queue_stats);

static struct attribute *awd_attrs[] = {
	&dev_attr_caps.attr,
	&dev_attr_mode.attr,
	&dev_attr_queues.attr,
	&dev_attr_queues_in_use.attr,
	&dev_attr_queue_waiters.attr,
	&dev_attr_hw_version.attr,
	&dev_attr_limits.attr,
	&dev_attr_format.attr,
	&dev_attr_queue_stats.attr,
	&dev_attr_resets.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_fenced_pages.attr,
	&dev_attr_kernel_queue.attr,
	NULL,
};
ATTRIBUTE_GROUPS(awd);

/* ---- probe / remove ----------------------------------------------------- */

static void awd_log_probe(struct awd_dev *awd)
{
	char caps[96];
	int len = 0;
	u32 i;

	caps[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(awd_cap_names); i++)
		if (awd->caps & BIT(i))
			len += scnprintf(caps + len, sizeof(caps) - len, "%s%s",
					 len ? "," : "", awd_cap_names[i]);
	dev_info(&awd->pdev->dev,
		 "accel-wd v%u.%u, %s format, %u queues, caps %s, %s mode, %d MSI-X vectors, /dev/%s%s\n",
		 awd->version >> 16, awd->version & 0xffff, awd->fmt->name,
		 awd->hw_queues, len ? caps : "none",
		 awd->sva_pending ? "undecided" : awd->sva ? "SVA" : "no-SVA",
		 awd->nr_vecs, awd->name,
		 awd->kq ? ", 1 queue kept for the kernel" : "");
}

static void awd_cdev_dev_release(struct device *dev)
{
	awd_dev_put(container_of(dev, struct awd_dev, cdev_dev));
}

/*
 * /dev/accel_wd<id> as a cdev of its own (awd.h says why not a
 * miscdevice). cdev_dev keeps awd alive while an open file or an inode
 * of the node refers to the cdev.
 */
static int awd_cdev_add(struct awd_dev *awd)
{
	struct device *cd = &awd->cdev_dev;
	int rc;

	device_initialize(cd);
	cd->devt = MKDEV(MAJOR(awd_devt), awd->id);
	cd->class = &awd_class;
	cd->parent = &awd->pdev->dev;
	cd->release = awd_cdev_dev_release;
	kref_get(&awd->ref);
	rc = dev_set_name(cd, "%s", awd->name);
	if (!rc) {
		cdev_init(&awd->cdev, &awd_fops);
		awd->cdev.owner = THIS_MODULE;
		rc = cdev_device_add(&awd->cdev, cd);
	}
	if (rc)
		put_device(cd);
	return rc;
}

static int awd_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct awd_dev *awd;
	int rc;

	awd = kzalloc_obj(*awd);
	if (!awd)
		return -ENOMEM;
	kref_init(&awd->ref);
	mutex_init(&awd->lock);
	mutex_init(&awd->tm_lock);
	spin_lock_init(&awd->irq_lock);
	INIT_LIST_HEAD(&awd->ctxs);
	INIT_LIST_HEAD(&awd->fenced);
	INIT_LIST_HEAD(&awd->waiters);
	init_waitqueue_head(&awd->openers_wq);
	INIT_WORK(&awd->fatal_work, awd_fatal_work);
	awd->pdev = pdev;
	awd->err_vector = U32_MAX;
	awd->id = -1;

	rc = pcim_enable_device(pdev);
	if (rc)
		goto err_put;
	pci_set_master(pdev);
	rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (rc)
		goto err_put;
	/* no-SVA registered memory is mapped as one device range */
	dma_set_max_seg_size(dev, UINT_MAX);

	if (!(pci_resource_flags(pdev, AWD_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, AWD_BAR_REGS) < AWD_REGS_SIZE ||
	    !(pci_resource_flags(pdev, AWD_BAR_DOORBELL) & IORESOURCE_MEM) ||
	    !IS_ALIGNED(pci_resource_start(pdev, AWD_BAR_DOORBELL), PAGE_SIZE)) {
		dev_err(dev, "unexpected BAR layout\n");
		rc = -ENODEV;
		goto err_put;
	}
	awd->regs = pcim_iomap_region(pdev, AWD_BAR_REGS, AWD_DRV_NAME);
	if (IS_ERR(awd->regs)) {
		rc = PTR_ERR(awd->regs);
		goto err_put;
	}
	awd->db = pcim_iomap_region(pdev, AWD_BAR_DOORBELL, AWD_DRV_NAME);
	if (IS_ERR(awd->db)) {
		rc = PTR_ERR(awd->db);
		goto err_put;
	}
	awd->db_phys = pci_resource_start(pdev, AWD_BAR_DOORBELL);

	rc = awd_read_ids(awd);
	if (rc)
		goto err_put;
	/* the last queue serves the kernel crypto API providers */
	awd->kq_qid = U32_MAX;
	if (crypto && awd->hw_queues >= 2 &&
	    (awd->caps & (AWD_CAP_DEFLATE | AWD_CAP_INFLATE | AWD_CAP_RSA)))
		awd->kq_qid = awd->hw_queues - 1;

	awd->owner = kcalloc(awd->hw_queues, sizeof(*awd->owner), GFP_KERNEL);
	awd->q_irq = kcalloc(awd->hw_queues, sizeof(*awd->q_irq), GFP_KERNEL);
	awd->vecs = kcalloc(awd->hw_queues, sizeof(*awd->vecs), GFP_KERNEL);
	if (!awd->owner || !awd->q_irq || !awd->vecs) {
		rc = -ENOMEM;
		goto err_put;
	}

	rc = ida_alloc_max(&awd_ida, AWD_MAX_DEVS - 1, GFP_KERNEL);
	if (rc < 0)
		goto err_put;
	awd->id = rc;
	snprintf(awd->name, sizeof(awd->name), AWD_DEV_NAME "%d", awd->id);

	rc = awd_hw_enable(awd);
	if (rc)
		goto err_ida;
	rc = awd_setup_irqs(awd);
	if (rc)
		goto err_disable;
	awd_probe_sva(awd);
	/* kernel requests use whole bounce buffers */
	if (awd->kq_qid != U32_MAX && awd->max_xfer < AWD_KQ_BUF) {
		dev_info(dev, "maximum transfer %u < %u: no kernel queue\n",
			 awd->max_xfer, AWD_KQ_BUF);
		awd->kq_qid = U32_MAX;
	}
	if (awd->kq_qid != U32_MAX && awd->ready &&
	    awd_kq_create(awd, awd->kq_qid)) {
		dev_warn(dev, "no kernel queue; crypto API providers unavailable\n");
		awd->kq_qid = U32_MAX;
	}
	if (!awd->ready)
		awd->kq_qid = U32_MAX;
	awd->nr_queues = awd->hw_queues - (awd->kq ? 1 : 0);

	pci_set_drvdata(pdev, awd);
	rc = awd_cdev_add(awd);
	if (rc)
		goto err_irqs;
	pci_save_state(pdev);

	awd_log_probe(awd);
	/* the crypto self-tests run here, on this device's kernel queue */
	if (awd->kq)
		awd_crypto_register(awd);
	return 0;

err_irqs:
	awd_kq_unlist(awd);
	awd_hw_disable(awd);
	awd_free_irqs(awd);
	awd_kq_destroy(awd);
	goto err_ida;
err_disable:
	awd_hw_disable(awd);
err_ida:
	ida_free(&awd_ida, awd->id);
err_put:
	awd_dev_put(awd);
	return rc;
}

static void awd_remove(struct pci_dev *pdev)
{
	struct awd_dev *awd = pci_get_drvdata(pdev);

	/* no new open() finds the node; then none in progress is left */
	cdev_device_del(&awd->cdev, &awd->cdev_dev);
	awd_cdev_stop_opens(awd);
	awd_cdev_kill_all(awd);
	awd_kq_unlist(awd);
	awd_hw_disable(awd);
	/* no DMA from here on, even if the reset above failed */
	pci_clear_master(pdev);
	awd_cdev_unfence_all(awd);
	awd_free_irqs(awd);
	awd_kq_destroy(awd);
	/* after free_irq: nothing schedules it any more */
	cancel_work_sync(&awd->fatal_work);
	ida_free(&awd_ida, awd->id);
	/* open files, and the node's inodes, may still hold cdev_dev */
	put_device(&awd->cdev_dev);
	awd_dev_put(awd);
}

static void awd_shutdown(struct pci_dev *pdev)
{
	struct awd_dev *awd = pci_get_drvdata(pdev);

	if (awd)
		awd_hw_disable(awd);
}

static const struct pci_device_id awd_pci_ids[] = {
	{ PCI_DEVICE(AWD_PCI_VENDOR_ID, AWD_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, awd_pci_ids);

static struct pci_driver awd_pci_driver = {
	.name = AWD_DRV_NAME,
	.id_table = awd_pci_ids,
	.probe = awd_probe,
	.remove = awd_remove,
	.shutdown = awd_shutdown,
	.err_handler = &awd_err_handlers,
	.dev_groups = awd_groups,
};
static int __init awd_init(void)
{
	int rc;

	rc = alloc_chrdev_region(&awd_devt, 0, AWD_MAX_DEVS, AWD_DRV_NAME);
	if (rc)
		return rc;
	rc = class_register(&awd_class);
	if (rc)
		goto err_region;
	rc = pci_register_driver(&awd_pci_driver);
	if (rc)
		goto err_class;
	return 0;

err_class:
	class_unregister(&awd_class);
err_region:
	unregister_chrdev_region(awd_devt, AWD_MAX_DEVS);
	return rc;
}
module_init(awd_init);

static void __exit awd_exit(void)
{
	pci_unregister_driver(&awd_pci_driver);
	awd_crypto_unregister();
	class_unregister(&awd_class);
	unregister_chrdev_region(awd_devt, AWD_MAX_DEVS);
}
module_exit(awd_exit);

MODULE_DESCRIPTION("accel-wd SVA accelerator driver");
MODULE_AUTHOR("accel-wd testbed");
MODULE_LICENSE("GPL");
