/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel_wd character device interface (/dev/accel_wdN).
 *
 * The register map, descriptor and completion layouts and status codes are
 * in the shared hardware header, included here and never copied.
 *
 * Model: one open file = one hardware queue. In SVA mode (AWD_MODE_SVA) the
 * queue is bound to the opener's address space with one PASID per process:
 * every address the device uses (rings, descriptor buffers, stream contexts,
 * keys) is a virtual address of that process. In no-SVA mode
 * (AWD_MODE_NOSVA) the queue uses DMA addresses: user memory must first be
 * registered with AWD_IOC_REG_MEM, and descriptors refer to the returned
 * I/O virtual addresses. No-SVA mode needs CAP_SYS_RAWIO, because all
 * queues of a device share one DMA address space.
 *
 * Sequence:
 *   fd = open("/dev/accel_wd0", O_RDWR | O_CLOEXEC);
 *        (the queue is taken and, in SVA mode, bound; EBUSY: all queues are
 *        in use; ENODEV: device removed)
 *   ioctl(fd, AWD_IOC_INFO, &info);            capabilities and layout
 *   ioctl(fd, AWD_IOC_SET_RING, &cfg);         optional, before any mmap
 *   db = mmap(NULL, info.db_size, PROT_WRITE, MAP_SHARED, fd, info.db_offset);
 *   sq = mmap(NULL, info.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *             info.sq_offset);
 *   cq = mmap(NULL, info.cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *             info.cq_offset);
 *   ioctl(fd, AWD_IOC_START);
 *   loop: write struct awd_desc at sq[tail], store-release the new tail to
 *         db + AWD_DB_SQ_TAIL; wait for a struct awd_cpl at cq[head] whose
 *         AWD_CF_PHASE bit equals the current phase (load-acquire flags),
 *         then write the new head to db + AWD_DB_CQ_HEAD. The phase starts
 *         at 1 and flips each time the CQ index wraps.
 *   poll(fd, POLLIN) sleeps until the queue has unconsumed completions
 *         (descriptors need AWD_DF_IRQ to raise the interrupt); read(fd)
 *         returns the number of completion interrupts since the last read.
 *   ioctl(fd, AWD_IOC_STOP);       drain (bounded: 2 s, then the queue's
 *                                  work is aborted), then stop
 *   close(fd);   the same as STOP, then unbind the PASID and free
 *   exit or death by a signal: as soon as the opener's address space goes
 *   away the queue is reset (work in flight is aborted: nobody can see its
 *   results) and registered memory is unpinned, even if another process
 *   still holds the file; the last close unbinds and frees the rest.
 *
 * Each mapping must be the whole region (offset and size from AWD_IOC_INFO)
 * in one MAP_SHARED mapping. Mappings cannot be moved (mremap fails),
 * partially unmapped (split) or inherited: a child after fork() sees none
 * of them, and every operation on the file from a process whose address
 * space is not the opener's fails with EPERM. Unmapping a ring while the
 * queue runs stops the queue. The rings are the device's: the driver
 * allocates them, their size follows the ring order (entries =
 * 1 << ring_order for both rings).
 *
 * Errors common to all calls: ENODEV the device was removed (the file can
 * only be closed), EPERM another process's address space (or the opener's
 * is gone), EIO the queue is in an error state (AWD_IOC_INFO reports which;
 * AWD_IOC_STOP then AWD_IOC_START recovers), EAGAIN (open, START) a device
 * reset is in progress, ENOTTY unknown ioctl. open: EBUSY every queue is
 * taken, EPERM no-SVA mode without CAP_SYS_RAWIO, EIO device not ready, or
 * the IOMMU's error if binding the address space fails.
 *
 * AWD_IOC_START: EINVAL (SVA) a ring is not mapped, EBUSY already running,
 * EIO the device refused the configuration (AWD_IOC_INFO.hw_error).
 * The CQ is zeroed by START. AWD_IOC_UNREG_MEM: EBUSY while running,
 * ENOENT unknown iova.
 */
#ifndef ACCEL_WD_UAPI_H
#define ACCEL_WD_UAPI_H

#include "accel_wd_hw.h"

#if defined(__KERNEL__)
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define AWD_DEV_NAME            "accel_wd"   /* /dev/accel_wd<N> */

enum awd_mode {
	AWD_MODE_NOSVA = 0,
	AWD_MODE_SVA = 1,
};

/* awd_info.state */
enum awd_queue_state {
	AWD_QS_IDLE = 0,        /* configured, not started */
	AWD_QS_RUNNING = 1,     /* started */
	AWD_QS_ERROR = 2,       /* stopped by the device; see hw_error */
	AWD_QS_DEAD = 3,        /* device removed or reset */
};

/* awd_info.flags */
#define AWD_INFO_F_IRQ          (1u << 0)  /* completion interrupts work */
#define AWD_INFO_F_RESET        (1u << 1)  /* a device reset (FLR, error
					    * recovery) stopped the queue:
					    * state is AWD_QS_ERROR, the
					    * rings and the PASID binding
					    * survive; STOP then START
					    * restarts it with an empty CQ
					    */

/* mmap offsets: region number times the page size (awd_info says which) */
#define AWD_MMAP_DB             0   /* doorbell page, write-only use */
#define AWD_MMAP_SQ             1   /* submission ring */
#define AWD_MMAP_CQ             2   /* completion ring */

/*
 * AWD_IOC_INFO: output only. Device values are the ones the driver
 * validated at probe; ring_order is the current one.
 */
struct awd_info {
	__u32 version;          /* AWD_REG_VERSION */
	__u32 caps;             /* AWD_CAP_* */
	__u32 mode;             /* enum awd_mode */
	__u32 flags;            /* AWD_INFO_F_* */
	__u32 queue;            /* hardware queue index of this file */
	__u32 pasid;            /* SVA: the process's PASID; else 0 */
	__u32 num_queues;       /* usable queues of the device */
	__u32 ring_order;       /* log2 entries of SQ and CQ */
	__u32 ring_order_max;
	__u32 max_xfer;         /* largest src_len/dst_len */
	__u32 rsa_max_bits;
	__u32 stream_ctx_size;  /* bytes, AWD_STREAM_CTX_ALIGN aligned */
	__u32 state;            /* enum awd_queue_state */
	__u32 hw_error;         /* enum awd_qerr when state is AWD_QS_ERROR */
	__u64 db_offset;        /* mmap offset and length of each region */
	__u64 db_size;
	__u64 sq_offset;
	__u64 sq_size;
	__u64 cq_offset;
	__u64 cq_size;
	/* the device's queue format (AWD_REG_FORMAT) and its parameters */
	__u32 format;           /* AWD_FORMAT_* */
	__u32 fmt_param[3];     /* AWD_REG_FMT_PARAM(0..2) */
	/*
	 * Device addresses of the SQ and CQ regions: their user addresses in
	 * SVA mode, DMA addresses in no-SVA mode. Formats whose descriptors
	 * name their own metadata (crec: descriptor and record slots) use
	 * them; 0 while the region is not mapped (SVA).
	 */
	__u64 sq_iova;
	__u64 cq_iova;
};

/*
 * AWD_IOC_SET_RING: input. Allowed only while no ring is mapped and the
 * queue is stopped. ring_order in [AWD_RING_ORDER_MIN, ring_order_max];
 * flags and rsvd must be 0 (EINVAL otherwise).
 */
struct awd_ring_cfg {
	__u32 ring_order;
	__u32 flags;
	__u64 rsvd;
};

/*
 * AWD_IOC_REG_MEM (no-SVA mode only; EOPNOTSUPP in SVA mode): input
 * uaddr/len (any alignment, len > 0), flags 0; output iova, the device
 * address of uaddr. The pages are pinned for writing and counted against
 * RLIMIT_MEMLOCK (ENOMEM when over, unless CAP_IPC_LOCK), then DMA-mapped
 * as one contiguous device range (ENOSPC when the platform cannot, e.g.
 * no IOMMU). At most AWD_MAX_REGIONS per file (EMFILE).
 *
 * Fork: pinned pages stay the parent's. The pin is taken with FOLL_WRITE
 * and FOLL_LONGTERM, which breaks copy-on-write sharing first and makes
 * the anonymous pages exclusive to the parent; fork() then copies such
 * pages for the child immediately instead of sharing them, so a later
 * write by either process can never move the parent's buffer away from
 * the pages the device uses. The child cannot use the file in any case.
 */
struct awd_mem {
	__u64 uaddr;
	__u64 len;
	__u64 iova;             /* out */
	__u32 flags;
	__u32 rsvd;
};

#define AWD_MAX_REGIONS         64

/* AWD_IOC_QSTATS: output, this queue's counters since open. */
struct awd_qstats {
	__u64 irqs;             /* completion interrupts */
	__u64 errors;           /* times the queue entered an error state */
	__u64 starts;
	__u64 pinned_pages;     /* no-SVA registered pages */
};

/*
 * AWD_IOC_QCOUNT: output, the device's counters of this queue (the
 * AWD_Q_CNT registers, enum awd_qcnt) since the queue was last started.
 */
struct awd_qcount {
	__u64 cnt[AWD_QCNT_NR];
	__u64 rsvd[16 - AWD_QCNT_NR];
};

/*
 * AWD_IOC_TELEMETRY: the device's telemetry (enum awd_tm_item in
 * accel_wd_hw.h) of this file's queue and of the whole device, read through
 * the AWD_REG_TM_* window under a device-wide lock (58 items per scope: a
 * few hundred register accesses, not for a fast path). Input: in_flags
 * (AWD_TELEM_IN_*); the rest of the struct is not read. Output: the whole
 * struct, zeroed first. Errors besides the common ones: EOPNOTSUPP the
 * device has no telemetry (version before 1.2, or no AWD_CAP_TELEMETRY),
 * EAGAIN a device reset is in progress, EINVAL an unknown in_flags bit,
 * EPERM AWD_TELEM_IN_HISTORY without CAP_PERFMON or CAP_SYS_ADMIN.
 *
 * q: this queue since the file was opened. The device counts per queue
 * index from its realize, earlier owners of the index included; what they
 * did is not this process's business, so the driver reads the queue's
 * values at open and returns the difference. A maximum (AWD_TM_LAT_MAX_NS,
 * AWD_TM_OCC_MAX, AWD_TM_PR_LAT_MAX_NS, AWD_TM_INV_WAIT_MAX_NS) cannot be
 * subtracted: it is exact when it rose since open, 0 when nothing it
 * measures happened since open, and otherwise unknown (it is at most the
 * earlier maximum, which stays hidden): 0, with bit (1 << item) set in
 * q_unknown. AWD_TM_MODEL is the current state, not a difference. When
 * the host resets the telemetry while the file is open (seen as a count
 * going backwards), q counts from that reset and AWD_TELEM_F_RESET is set
 * once. With AWD_TELEM_IN_HISTORY q holds the queue index's values as the
 * device keeps them, earlier owners included (AWD_TELEM_F_HISTORY).
 *
 * dev: the device since its realize or the host's last telemetry reset:
 * every queue (the kernel's crypto queue included) plus the device-TLB
 * invalidation items. Device-wide totals are visible to every opener.
 *
 * item[i] is indexed by enum awd_tm_item; slots from nr_items on are 0
 * (room for items of later devices). hist[i] counts requests whose latency
 * (doorbell to completion) was in [2^i, 2^(i+1)) ns, bucket 0 [0, 2 ns).
 * Times are nanoseconds of the device's clock.
 */
#define AWD_TELEM_VERSION       1
#define AWD_TELEM_ITEMS         64   /* item slots per scope */

#define AWD_TELEM_IN_HISTORY    (1u << 0)  /* q: all owners' (privileged) */
#define AWD_TELEM_IN_VALID      AWD_TELEM_IN_HISTORY

#define AWD_TELEM_F_HISTORY     (1u << 0)  /* q holds the raw values */
#define AWD_TELEM_F_RESET       (1u << 1)  /* host reset since last call */
#define AWD_TELEM_F_NO_QUEUE    (1u << 2)  /* q unknown (all 0): a device
					    * reset was in progress at open
					    */

struct awd_telem_scope {
	__u64 item[AWD_TELEM_ITEMS];        /* by enum awd_tm_item */
	__u64 hist[AWD_TM_HIST_BUCKETS];    /* AWD_TM_LAT_HIST(i) */
};

struct awd_telem {
	__u32 in_flags;         /* in: AWD_TELEM_IN_* */
	__u32 version;          /* AWD_TELEM_VERSION */
	__u32 flags;            /* AWD_TELEM_F_* */
	__u32 queue;            /* this file's hardware queue index */
	__u32 nr_items;         /* item slots filled: AWD_TM_NR_ITEMS */
	__u32 nr_buckets;       /* AWD_TM_HIST_BUCKETS */
	__u64 q_unknown;        /* bit i: q.item[i] is not known (reads 0) */
	__u64 rsvd[4];          /* 0 */
	struct awd_telem_scope q;
	struct awd_telem_scope dev;
};

AWD_STATIC_ASSERT(AWD_TM_NR_ITEMS <= AWD_TELEM_ITEMS, "telemetry items");
AWD_STATIC_ASSERT(sizeof(struct awd_telem) == 64 + 2 * 832,
		  "awd_telem size");

#define AWD_IOC_MAGIC           0xad
#define AWD_IOC_INFO            _IOR(AWD_IOC_MAGIC, 0, struct awd_info)
#define AWD_IOC_SET_RING        _IOW(AWD_IOC_MAGIC, 1, struct awd_ring_cfg)
#define AWD_IOC_START           _IO(AWD_IOC_MAGIC, 2)
#define AWD_IOC_STOP            _IO(AWD_IOC_MAGIC, 3)
#define AWD_IOC_REG_MEM         _IOWR(AWD_IOC_MAGIC, 4, struct awd_mem)
#define AWD_IOC_UNREG_MEM       _IOW(AWD_IOC_MAGIC, 5, struct awd_mem)
#define AWD_IOC_QSTATS          _IOR(AWD_IOC_MAGIC, 6, struct awd_qstats)
#define AWD_IOC_QCOUNT          _IOR(AWD_IOC_MAGIC, 7, struct awd_qcount)
#define AWD_IOC_TELEMETRY       _IOWR(AWD_IOC_MAGIC, 8, struct awd_telem)

#endif /* ACCEL_WD_UAPI_H */
