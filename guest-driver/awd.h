/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accel_wd driver internals.
 *
 * Lock order (outermost first):
 *   awd->lock (open files, the waiting line, remove)
 *     -> IOMMU core's SVA lock -> mmap_lock    (bind and unbind)
 *   awd->lock -> ctx->lock
 *   mmap_lock (mm core, around ->mmap and the vm_ops) -> ctx->lock
 *   ctx->lock -> awd->irq_lock (spinlock, shared with the IRQ handlers)
 *   ctx->lock -> awd->tm_lock (the telemetry window; nothing inside it)
 * So nothing takes mmap_lock, or binds or unbinds a PASID, under ctx->lock:
 * AWD_IOC_REG_MEM pins before taking ctx->lock, locked-memory accounting
 * uses mm->pinned_vm (no mmap_lock), teardown hands the SVA binding back
 * to be dropped after ctx->lock, and nothing takes awd->lock under
 * mmap_lock. release() stops its queue under ctx->lock, drops it, then
 * takes awd->lock to free the queue slot; remove() holds awd->lock while
 * it kills each open file, so an open file is never freed under remove().
 * open() sleeps in the waiting line holding no lock (its struct awd_waiter
 * is only touched under awd->lock), and remove() waits for every open()
 * in progress (awd->openers) before it kills the open files.
 * The functions that need a lock say so with lockdep_assert_held().
 */
#ifndef AWD_H
#define AWD_H

#include <linux/types.h>
#include <linux/cdev.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "accel_wd_uapi.h"
#include "accel_wd_sgl.h"
#include "accel_wd_crec.h"

#define AWD_DRV_NAME		"accel_wd"

/* Linux 7.0 added the typed allocators; older kernels get a fallback. */
#ifndef kzalloc_obj
#define kzalloc_obj(P)	kzalloc(sizeof(P), GFP_KERNEL)
#endif

struct awd_dev;
struct awd_kq;
struct crypto_async_request;

/*
 * Queue formats (AWD_REG_FORMAT). Everything that depends on the format
 * is behind struct awd_fmt, one file per format (awd_fmt_<name>.c), listed
 * in awd_fmts[] (awd_kq.c): a new format is one new file plus one table
 * line there (and one line in Kbuild). The rest of the driver only asks
 * the ops.
 *
 * For the kernel queue a request is first described as a struct awd_desc
 * (the ring layout) whose src, dst and key are contiguous DMA ranges (the
 * slot's coherent bounce buffers); the format's submit() turns that into
 * its own descriptor, buffer lists and doorbell or portal write. next()
 * then hands completions back one at a time. User queues need nothing
 * from the format but cq_ring: the rings are mapped and used by user
 * space whatever their meaning.
 */
struct awd_fmt {
	const char *name;
	u32 id;				/* AWD_FORMAT_* */
	/*
	 * The SQ and CQ are rings indexed by AWD_Q_SQ_TAIL/CQ_HEAD
	 * doorbells, so CQ_TAIL != CQ_HEAD means unconsumed completions.
	 */
	bool cq_ring;
	/* the watchdog also looks for completions (no ring to poll) */
	bool reap_in_watchdog;
	/* probe: validate AWD_REG_FMT_PARAM values (awd->fmt_param) */
	int (*check)(struct awd_dev *awd);
	/*
	 * Kernel queue (awd_kq.c), kq->lock held in submit/next/ack:
	 * init() sets kq->order and kq->nslots and allocates what the
	 * format needs beyond the SQ/CQ areas; fini() frees it; start()
	 * resets software state before the queue is enabled.
	 * submit() queues @d (tag = slot) for slot @s and tells the device.
	 * next() returns the slot of the next completion found and copies
	 * its record to @cpl, or -1; ack() runs after a batch of next().
	 */
	int (*init)(struct awd_kq *kq);
	void (*fini)(struct awd_kq *kq);
	void (*start)(struct awd_kq *kq);
	int (*submit)(struct awd_kq *kq, unsigned int s,
		      const struct awd_desc *d);
	int (*next)(struct awd_kq *kq, struct awd_cpl *cpl);
	void (*ack)(struct awd_kq *kq);
};

extern const struct awd_fmt awd_fmt_ring;
extern const struct awd_fmt awd_fmt_sgl;
extern const struct awd_fmt awd_fmt_crec;
const struct awd_fmt *awd_fmt_find(u32 id);

/* awd_fmt_ring.c: the rings, shared by the formats that keep them */
int awd_ring_init(struct awd_kq *kq);
void awd_ring_start(struct awd_kq *kq);
void awd_ring_push(struct awd_kq *kq, const void *desc);
int awd_ring_next(struct awd_kq *kq, struct awd_cpl *cpl);
void awd_ring_ack(struct awd_kq *kq);

/* ---- kernel queue (awd_kq.c) for the crypto API providers ---- */
#define AWD_KQ_SLOTS		8	/* requests in flight per device */
#define AWD_KQ_ORDER		5	/* ring entries > slots */
#define AWD_KQ_BUF		SZ_64K	/* bounce buffer per direction */
#define AWD_KQ_KEYBUF		SZ_4K	/* RSA key material */

enum awd_kop {
	AWD_KOP_COMPRESS,
	AWD_KOP_DECOMPRESS,
	AWD_KOP_RSA_ENC,
	AWD_KOP_RSA_DEC,
	AWD_KOP_NR,
};

struct awd_kslot {
	struct crypto_async_request *areq;
	enum awd_kop op;
	unsigned int dlen;		/* output room given to the device */
	unsigned long issued;		/* jiffies */
	void *src, *dst, *key;		/* coherent bounce buffers */
	dma_addr_t src_dma, dst_dma, key_dma;
};

struct awd_kq {
	struct awd_dev *awd;
	const struct awd_fmt *fmt;	/* awd->fmt */
	struct list_head node;		/* in the list of usable queues */
	u32 qid;
	u32 order;			/* AWD_Q_RING_ORDER */
	unsigned int nslots;		/* slots used, <= AWD_KQ_SLOTS */
	spinlock_t lock;		/* everything below */
	bool running;
	bool dead;			/* device going away */
	/* AWD_DESC_SIZE << AWD_KQ_ORDER and AWD_CPL_SIZE << AWD_KQ_ORDER */
	void *sq;
	struct awd_cpl *cq;
	dma_addr_t sq_dma, cq_dma;
	u32 sq_tail, cq_head, phase;	/* ring formats */
	bool cq_moved;			/* ring formats: CQ head to publish */
	void *fmt_mem;			/* format's own coherent memory */
	dma_addr_t fmt_dma;
	size_t fmt_size;
	unsigned long busy;		/* slots in use */
	struct awd_kslot slots[AWD_KQ_SLOTS];
	struct list_head backlog[AWD_KOP_NR];
	struct delayed_work watchdog;
	struct work_struct recover;
	struct mutex hw_lock;		/* queue stop/start */
	u64 done, errors, timeouts;
	u64 cancelled;			/* in flight at a device reset */
};

/* dev_id of a queue's interrupt */
struct awd_vec {
	struct awd_dev *awd;
	u32 qid;
};

/* No-SVA mode: one registered (pinned, DMA-mapped) user range. */
struct awd_region {
	struct list_head node;
	u64 uaddr;
	u64 len;
	dma_addr_t iova;	/* device address of uaddr */
	struct page **pages;
	unsigned long npages;
	struct sg_table sgt;
	bool mapped;		/* sgt is DMA-mapped */
};

/* One open file = one hardware queue. */
struct awd_ctx {
	struct awd_dev *awd;		/* holds a reference */
	struct mutex lock;
	struct list_head node;		/* in awd->ctxs */
	struct address_space *mapping;	/* for zapping on remove */
	struct mm_struct *mm;		/* opener's, mmgrab'ed */
	struct mmu_notifier mn;		/* on mm: its release stops the queue */
	bool mn_registered;
	bool orphan;			/* mm gone: queue stopped, memory freed */
	struct iommu_sva *sva;		/* SVA mode: binding */
	u32 pasid;
	u32 qid;
	bool dead;			/* device removed: only close works */
	enum awd_queue_state state;
	u32 hw_error;
	bool reset_hit;			/* a device reset stopped the queue */
	/*
	 * The queue did not reset: the device may still write to the rings
	 * and registered memory, so none of it is freed, nor the queue
	 * given to another file, until a device reset (awd_queue_fence()).
	 */
	bool fenced;
	unsigned long fenced_pages;	/* counted in awd->fenced_pages */

	/* rings: one allocation each, zeroed, mapped to user space */
	unsigned int ring_order;
	struct page *sq_pages;
	struct page *cq_pages;
	unsigned int sq_alloc_order;
	unsigned int cq_alloc_order;
	dma_addr_t sq_dma;		/* no-SVA mode */
	dma_addr_t cq_dma;
	bool rings_dma_mapped;
	/* the ring mappings (compared, never dereferenced) and their
	 * user addresses; NULL and 0 when unmapped
	 */
	struct vm_area_struct *sq_vma;
	struct vm_area_struct *cq_vma;
	unsigned long sq_uaddr;
	unsigned long cq_uaddr;
	unsigned int nr_vmas;		/* live mappings of any region */

	/* no-SVA registered memory */
	struct list_head regions;
	unsigned int nr_regions;
	unsigned long pinned_pages;

	/* completion events, under awd->irq_lock */
	wait_queue_head_t wq;
	u64 events;		/* interrupts not yet returned by read() */
	bool err_pending;	/* error interrupt not yet seen by poll/read */
	struct awd_qstats stats;

	/* the queue's telemetry at open (awd_telem.c), under ctx->lock */
	struct awd_telem_scope tm_base;
	bool tm_base_ok;
};

/*
 * A process sleeping in open() until a queue is free (awd_cdev.c): one
 * entry in awd->waiters, oldest first. A closing file hands its queue to
 * the first entry directly (granted), so the line is served in order and
 * only the process served wakes up. Lives on the opener's stack; others
 * touch it only under awd->lock.
 */
struct awd_waiter {
	struct list_head node;		/* in awd->waiters */
	struct awd_ctx *ctx;		/* the opener's, queue not yet set */
	wait_queue_head_t wq;
	bool granted;			/* ctx->qid is its queue now */
};

struct awd_dev {
	struct pci_dev *pdev;
	struct kref ref;
	int id;
	char name[24];			/* accel_wd<id> */
	/*
	 * /dev/accel_wd<id>: a cdev of our own rather than a miscdevice,
	 * since misc_open() calls ->open() under the global misc_mtx and
	 * open() may wait for a queue. cdev_dev holds a reference to awd.
	 */
	struct cdev cdev;
	struct device cdev_dev;

	void __iomem *regs;		/* BAR0 */
	void __iomem *db;		/* BAR2 */
	resource_size_t db_phys;

	/* validated device values */
	u32 version;
	u32 caps;
	u32 hw_queues;			/* AWD_REG_NUM_QUEUES */
	u32 nr_queues;			/* for user files: all but the kq */
	u32 ring_order_max;
	u32 pasid_bits;
	u32 max_xfer;
	u32 rsa_max_bits;
	u32 stream_ctx_size;
	u32 err_vector;
	u32 format;			/* AWD_REG_FORMAT */
	u32 fmt_param[AWD_FMT_PARAMS];	/* AWD_REG_FMT_PARAM(i) */
	const struct awd_fmt *fmt;
	bool ready;
	bool sva;
	/* probed by a kernel thread: the first open() decides sva (awd->lock) */
	bool sva_pending;

	int nr_vecs;
	bool err_irq;			/* err_vector has a Linux IRQ */
	struct awd_kq *kq;		/* kernel queue, NULL if none */
	u32 kq_qid;			/* its index, U32_MAX if none */
	bool *q_irq;			/* [hw_queues]: queue has a Linux IRQ */
	struct awd_vec *vecs;		/* [hw_queues] */

	struct mutex lock;
	bool gone;			/* remove() started */
	struct list_head ctxs;
	struct awd_ctx **owner;		/* [hw_queues], NULL when free */
	u32 queues_in_use;
	struct list_head waiters;	/* struct awd_waiter, FIFO */
	u32 nr_waiters;
	u32 openers;			/* open() calls in progress */
	wait_queue_head_t openers_wq;	/* remove() waits for openers == 0 */

	bool resetting;			/* between reset_prepare and done */
	struct work_struct fatal_work;	/* resets a device reporting FATAL */
	u64 resets;

	atomic_long_t pinned_pages;	/* no-SVA pages pinned, all files */
	atomic_long_t fenced_pages;	/* kept for queues that did not reset */
	struct list_head fenced;	/* closed files of fenced queues */

	spinlock_t irq_lock;
	u64 dev_errors;

	struct mutex tm_lock;		/* AWD_REG_TM_SEL and its reads */
};

static inline u32 awd_rd(struct awd_dev *awd, u32 off)
{
	return readl(awd->regs + off);
}

static inline void awd_wr(struct awd_dev *awd, u32 off, u32 val)
{
	writel(val, awd->regs + off);
}

static inline u32 awd_qrd(struct awd_dev *awd, u32 q, u32 off)
{
	return readl(awd->regs + AWD_QREG(q) + off);
}

static inline void awd_qwr(struct awd_dev *awd, u32 q, u32 off, u32 val)
{
	writel(val, awd->regs + AWD_QREG(q) + off);
}

void awd_dev_put(struct awd_dev *awd);

/* awd_queue.c: hardware queue control, ctx->lock held */
int awd_queue_reset(struct awd_dev *awd, u32 q);
int awd_hw_queue_enable(struct awd_dev *awd, u32 q, u64 sq, u64 cq,
			u32 order, u32 pasid, u32 ctrl, u32 *hw_error);
int awd_queue_start(struct awd_ctx *ctx);
int awd_queue_stop(struct awd_ctx *ctx);
int awd_queue_abort(struct awd_ctx *ctx);

/* awd_main.c */
void awd_sva_decide(struct awd_dev *awd);

/* awd_cdev.c */
extern const struct file_operations awd_fops;
void awd_cdev_stop_opens(struct awd_dev *awd);
void awd_cdev_hand_on(struct awd_dev *awd);
void awd_cdev_kill_all(struct awd_dev *awd);
void awd_cdev_reset_all(struct awd_dev *awd);
void awd_cdev_unfence_all(struct awd_dev *awd);

/* awd_kq.c */
int awd_kq_create(struct awd_dev *awd, u32 qid);
void awd_kq_unlist(struct awd_dev *awd);
void awd_kq_destroy(struct awd_dev *awd);
int awd_kq_submit(enum awd_kop op, struct crypto_async_request *areq);
bool awd_kq_available(void);
irqreturn_t awd_kq_thread(int irq, void *data);
void awd_kq_error(struct awd_dev *awd);
void awd_kq_quiesce(struct awd_dev *awd);
void awd_kq_resume(struct awd_dev *awd);

/* awd_crypto.c */
int awd_crypto_prepare(struct awd_kslot *slot, struct awd_desc *d);
int awd_crypto_finish(struct awd_kslot *slot, const struct awd_cpl *cpl);
void awd_crypto_register(struct awd_dev *awd);
void awd_crypto_unregister(void);

/* awd_telem.c */
bool awd_telem_supported(struct awd_dev *awd);
void awd_telem_open(struct awd_ctx *ctx);
int awd_ioc_telemetry(struct awd_ctx *ctx, void __user *uarg);

/* awd_mem.c: no-SVA registered memory */
int awd_mem_register(struct awd_ctx *ctx, struct awd_mem __user *uarg);
int awd_mem_unregister(struct awd_ctx *ctx, struct awd_mem __user *uarg);
void awd_mem_release_all(struct awd_ctx *ctx);

#endif /* AWD_H */
