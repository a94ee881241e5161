/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel-wd hardware interface: the one definition of the device's PCI
 * identity, register map, descriptor and completion layouts and status
 * codes. Included by the QEMU model (hw/accel-wd), its qtests, the Linux
 * driver (guest-driver) and libaccelwd (guest-lib); copies are not allowed.
 *
 * Everything the device reads or writes in memory is little-endian. No
 * bitfields: every field is a fixed-width integer with shift/mask
 * constants, and every layout's size is asserted at the bottom.
 */
#ifndef ACCEL_WD_HW_H
#define ACCEL_WD_HW_H

#if defined(__KERNEL__) || defined(__linux__)
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
#endif

/* ---- PCI identity ------------------------------------------------------ */
#define AWD_PCI_VENDOR_ID         0x1234  /* QEMU's test-device vendor */
#define AWD_PCI_DEVICE_ID         0xacd0
#define AWD_PCI_REVISION          0x01
#define AWD_PCI_CLASS_CODE        0x120000 /* processing accelerator */
#define AWD_PCI_SUBSYS_VENDOR_ID  0x1af4
#define AWD_PCI_SUBSYS_ID         0x1100

/* BARs: 0 control registers, 2 doorbell pages, 4 MSI-X table and PBA. */
#define AWD_BAR_REGS              0
#define AWD_BAR_DOORBELL          2
#define AWD_BAR_MSIX              4
#define AWD_REGS_SIZE             0x4000
#define AWD_DB_STRIDE             0x1000 /* one page per queue */

#define AWD_MAX_QUEUES            64
#define AWD_DEFAULT_QUEUES        16
#define AWD_RING_ORDER_MIN        1      /* 2 entries */
#define AWD_RING_ORDER_MAX        15     /* 32768 entries */

/* ---- BAR0 global registers (32-bit, 4-byte aligned access only) -------- */
#define AWD_REG_MAGIC             0x000  /* RO AWD_MAGIC */
#define AWD_REG_VERSION           0x004  /* RO major << 16 | minor */
#define AWD_REG_CAP               0x008  /* RO AWD_CAP_* */
#define AWD_REG_NUM_QUEUES        0x00c  /* RO */
#define AWD_REG_RING_ORDER_MAX    0x010  /* RO log2 of the largest ring */
#define AWD_REG_PASID_BITS        0x014  /* RO 0 when PASID is unusable */
#define AWD_REG_MAX_XFER          0x018  /* RO largest src/dst length */
#define AWD_REG_RSA_MAX_BITS      0x01c  /* RO */
#define AWD_REG_CTRL              0x020  /* RW AWD_CTRL_* */
#define AWD_REG_STATUS            0x024  /* RO AWD_STATUS_* */
#define AWD_REG_ERR               0x028  /* RW1C AWD_ERR_* device errors */
#define AWD_REG_ERR_VECTOR        0x02c  /* RO MSI-X vector of device errors */
#define AWD_REG_QERR_LO           0x030  /* RO queues in error, 0..31 */
#define AWD_REG_QERR_HI           0x034  /* RO queues in error, 32..63 */
#define AWD_REG_STREAM_CTX_SIZE   0x038  /* RO bytes of a stream context */
/*
 * Queue format (version 1.1 on): which descriptor, buffer and completion
 * format every queue of this device speaks, and up to four parameters
 * whose meaning the format's own header defines. A 1.0 device reads 0
 * here: AWD_FORMAT_RING.
 */
#define AWD_REG_FORMAT            0x03c  /* RO enum awd_format */
#define AWD_REG_FMT_PARAM(i)      (0x040 + 4 * (i)) /* RO, i = 0..3 */
#define AWD_FMT_PARAMS            4
/*
 * Telemetry (version 1.2 on, AWD_CAP_TELEMETRY): write AWD_REG_TM_SEL with
 * a scope (a queue index, or AWD_TM_SCOPE_DEVICE for the whole device)
 * and an item (enum awd_tm_item); reading AWD_REG_TM_DATA_LO returns the
 * low half of the item's 64-bit value and latches the high half, which
 * AWD_REG_TM_DATA_HI then returns. The selector is device-wide: software
 * serializes its readers. An unknown item or scope reads 0.
 */
#define AWD_REG_TM_SEL            0x050  /* RW scope << 16 | item */
#define AWD_REG_TM_DATA_LO        0x054  /* RO, latches the high half */
#define AWD_REG_TM_DATA_HI        0x058  /* RO the latched high half */
#define AWD_TM_SEL(scope, item)   (((scope) & 0xff) << 16 | ((item) & 0xff))
#define AWD_TM_SCOPE_DEVICE       0xff

#define AWD_MAGIC                 0x21647761u /* "awd!" */
#define AWD_VERSION_MAJOR         1
#define AWD_VERSION_MINOR         2
#define AWD_VERSION               ((AWD_VERSION_MAJOR << 16) | AWD_VERSION_MINOR)

#define AWD_CAP_DEFLATE           (1u << 0)  /* compress: raw, zlib, gzip */
#define AWD_CAP_INFLATE           (1u << 1)  /* decompress: raw, zlib, gzip */
#define AWD_CAP_RSA               (1u << 2)  /* modular exponentiation */
#define AWD_CAP_STREAM            (1u << 3)  /* stream contexts */
#define AWD_CAP_PASID             (1u << 4)  /* queues can use a PASID */
#define AWD_CAP_ATS               (1u << 5)
#define AWD_CAP_PRI               (1u << 6)  /* page faults are recoverable */
#define AWD_CAP_TELEMETRY         (1u << 8)  /* AWD_REG_TM_* (1.2 on) */

#define AWD_CTRL_ENABLE           (1u << 0)  /* queues fetch only while set */
/* self-clearing whole reset: poll until it reads 0 */
#define AWD_CTRL_RESET            (1u << 1)

#define AWD_STATUS_READY          (1u << 0)
/*
 * An unrecoverable device error: every queue stops (in-flight requests
 * get no completion, doorbells are refused) and AWD_ERR_FATAL interrupts
 * on AWD_REG_ERR_VECTOR. Only a whole reset (AWD_CTRL_RESET or FLR)
 * clears it; software then starts the queues again.
 */
#define AWD_STATUS_FATAL          (1u << 1)

#define AWD_ERR_QUEUE             (1u << 0)  /* some queue entered error */
#define AWD_ERR_BAD_ACCESS        (1u << 1)  /* bad register/doorbell access */
#define AWD_ERR_FATAL             (1u << 2)  /* AWD_STATUS_FATAL was set */

/* ---- BAR0 per-queue registers: AWD_QREG(q) + offset ------------------- */
#define AWD_QREG_BASE             0x1000
#define AWD_QREG_STRIDE           0x80
#define AWD_QREG(q)               (AWD_QREG_BASE + (q) * AWD_QREG_STRIDE)

#define AWD_Q_CTRL                0x00   /* RW AWD_QCTRL_* */
#define AWD_Q_STATUS              0x04   /* RO AWD_QSTS_* */
#define AWD_Q_PASID               0x08   /* RW 20-bit PASID */
#define AWD_Q_ERROR               0x0c   /* RO enum awd_qerr */
#define AWD_Q_SQ_BASE_LO          0x10   /* RW, 64-byte aligned */
#define AWD_Q_SQ_BASE_HI          0x14
#define AWD_Q_CQ_BASE_LO          0x18   /* RW, 32-byte aligned */
#define AWD_Q_CQ_BASE_HI          0x1c
#define AWD_Q_RING_ORDER          0x20   /* RW log2 entries of SQ and CQ */
#define AWD_Q_SQ_HEAD             0x24   /* RO next descriptor to fetch */
#define AWD_Q_SQ_TAIL             0x28   /* RO last SQ tail doorbell */
#define AWD_Q_CQ_TAIL             0x2c   /* RO next completion slot */
#define AWD_Q_CQ_HEAD             0x30   /* RO last CQ head doorbell */
#define AWD_Q_IRQ_VECTOR          0x34   /* RO MSI-X vector (= queue index) */
#define AWD_Q_FAULT_ADDR_LO       0x38   /* RO address of a ring DMA error */
#define AWD_Q_FAULT_ADDR_HI       0x3c
/*
 * Per-queue counters (RO, 64-bit as LO/HI pairs, cleared by queue
 * enable): what the queue cost in MMIO and in device reads and writes of
 * its own metadata. Reading them is not counted.
 */
#define AWD_Q_CNT_BASE            0x40
#define AWD_Q_CNT(i)              (AWD_Q_CNT_BASE + 8 * (i)) /* LO; HI +4 */
enum awd_qcnt {
	AWD_QCNT_DB_WRITES = 0,      /* doorbell or portal writes */
	AWD_QCNT_REG_READS = 1,      /* register and doorbell-page reads */
	AWD_QCNT_DESC_BYTES = 2,     /* descriptor bytes read */
	AWD_QCNT_LIST_BYTES = 3,     /* scatter-gather list bytes read */
	AWD_QCNT_CPL_BYTES = 4,      /* completion bytes written */
	AWD_QCNT_ATS = 5,            /* ATS translation requests */
	AWD_QCNT_PAGE_REQS = 6,      /* PRI page requests (pages) */
	AWD_QCNT_NR = 7,
};

/*
 * Telemetry items (AWD_REG_TM_SEL). They count from device realize or the
 * host's last telemetry reset (QMP), not from queue enable. Times are on
 * the device's virtual clock, in nanoseconds: with the timing model on
 * they are the modelled times. Device scope sums the queues and adds the
 * device-TLB items.
 */
enum awd_tm_item {
	AWD_TM_REQS = 0,             /* requests completed */
	AWD_TM_LAT_SUM_NS = 1,       /* doorbell to completion write, summed */
	AWD_TM_LAT_MAX_NS = 2,
	AWD_TM_OCC_SUM = 3,          /* requests outstanding at each fetch, */
	AWD_TM_OCC_SAMPLES = 4,      /* summed, and how many fetches */
	AWD_TM_OCC_MAX = 5,
	AWD_TM_ATC_HITS = 6,         /* translations the ATC answered */
	AWD_TM_ATS_REQS = 7,         /* ATS translation requests (misses) */
	AWD_TM_PAGE_REQS = 8,        /* PRI page requests (pages) */
	AWD_TM_PR_WAITS = 9,         /* page request groups waited for */
	AWD_TM_PR_LAT_SUM_NS = 10,   /* their round trips, summed */
	AWD_TM_PR_LAT_MAX_NS = 11,
	AWD_TM_BYTES_IN = 12,
	AWD_TM_BYTES_OUT = 13,
	AWD_TM_INV = 14,             /* device-TLB invalidations (device) */
	AWD_TM_INV_WAIT_SUM_NS = 15, /* their waits for mappings in use */
	AWD_TM_INV_WAIT_MAX_NS = 16,
	AWD_TM_MODEL = 17,           /* 1: the timing model is on */
	AWD_TM_NR_ITEMS = 18,
	/* requests with a latency in [2^i, 2^(i+1)) ns (bucket 0: [0, 2)) */
	AWD_TM_LAT_HIST_BASE = 0x40,
};
#define AWD_TM_HIST_BUCKETS       40
#define AWD_TM_LAT_HIST(i)        (AWD_TM_LAT_HIST_BASE + (i))

/*
 * Setting ENABLE checks the ring configuration (order within
 * AWD_RING_ORDER_MIN..AWD_REG_RING_ORDER_MAX, SQ 64-byte and CQ 32-byte
 * aligned, rings neither wrapping nor overlapping, PASID within
 * AWD_REG_PASID_BITS); a bad one leaves the queue disabled in error. A good
 * one zeroes SQ_HEAD/SQ_TAIL/CQ_TAIL/CQ_HEAD and the first pass over the CQ
 * is written with AWD_CF_PHASE = 1, the next with 0, and so on. While
 * enabled only ENABLE, IRQ_EN, DRAIN and RESET may change; the ring
 * registers and PASID ignore writes. The CQ is full when
 * (CQ_TAIL + 1) % entries == CQ_HEAD: the queue then waits for a CQ_HEAD
 * doorbell. RESET and DRAIN read back as 1 until done: poll them.
 * Clearing ENABLE stops fetching; a descriptor already fetched still
 * completes, and ENABLE is refused until AWD_QSTS_IDLE (RESET waits).
 */
#define AWD_QCTRL_ENABLE          (1u << 0)  /* start fetching; config locked */
#define AWD_QCTRL_PASID_EN        (1u << 1)  /* tag all DMA with AWD_Q_PASID */
#define AWD_QCTRL_PRIV            (1u << 2)  /* supervisor (privileged) DMA */
#define AWD_QCTRL_IRQ_EN          (1u << 3)  /* allow completion interrupts */
#define AWD_QCTRL_DRAIN           (1u << 4)  /* self-clearing: finish in-flight */
#define AWD_QCTRL_RESET           (1u << 5)  /* self-clearing: abort + reset */

#define AWD_QSTS_ENABLED          (1u << 0)
#define AWD_QSTS_ERROR            (1u << 1)  /* stopped; see AWD_Q_ERROR */
#define AWD_QSTS_IDLE             (1u << 2)  /* nothing fetched or in flight */
/* a request waits for the answer to a page request (PRI) it sent */
#define AWD_QSTS_PAGE_WAIT        (1u << 3)

/* Queue error states: the queue stops until AWD_QCTRL_RESET. */
enum awd_qerr {
	AWD_QERR_NONE = 0,
	AWD_QERR_BAD_CONFIG = 1,     /* ring order/alignment/PASID invalid */
	AWD_QERR_SQ_FETCH = 2,       /* descriptor fetch failed */
	AWD_QERR_CQ_WRITE = 3,       /* completion write failed */
	AWD_QERR_BAD_DOORBELL = 4,   /* doorbell value outside the ring */
	AWD_QERR_PASID_UNAVAIL = 5,  /* PASID requested, no SVA-capable IOMMU */
	AWD_QERR_PORTAL_FULL = 6,    /* submission past the portal's depth */
	AWD_QERR_MAX,
};

/*
 * ---- Operations: what every queue format's descriptor carries ----------
 * The layout of a descriptor, how buffers are named and where completions
 * go belong to the queue format (AWD_REG_FORMAT): accel_wd_ring.h (the
 * default, 1.0's layout), accel_wd_sgl.h, accel_wd_crec.h. Every format
 * carries these fields with these meanings; a BAR2 doorbell page
 * (BAR2 + q * AWD_DB_STRIDE) is the format's to define.
 */
enum awd_opcode {
	AWD_OP_NOP = 0,
	AWD_OP_COMPRESS = 1,
	AWD_OP_DECOMPRESS = 2,
	AWD_OP_RSA = 3,
	AWD_OP_BATCH = 4,       /* formats that define batches (crec) */
	AWD_OP_MAX,
};

/*
 * desc.flags. A streamed compression consumes all its input; its FINAL
 * descriptor may have src_len 0. A streamed decompression writes as much
 * output as fits (produced) but consumes input only up to the last deflate
 * block boundary it passed (consumed): the next descriptor presents the
 * input again from there. consumed == produced == 0 with status OK means
 * "this input ends inside a block: present more". Zero lengths are
 * otherwise AWD_STS_INVALID_LEN.
 */
#define AWD_DF_IRQ                (1u << 0)  /* interrupt on completion */
#define AWD_DF_STREAM             (1u << 1)  /* ctx names a stream context */
#define AWD_DF_STREAM_INIT        (1u << 2)  /* start a new stream in ctx */
#define AWD_DF_FINAL              (1u << 3)  /* last input of the stream */
#define AWD_DF_VALID_MASK         0x0fu

/* desc.param for (DE)COMPRESS */
#define AWD_PARAM_FMT_SHIFT       0
#define AWD_PARAM_FMT_MASK        0x3u
#define AWD_FMT_RAW               0   /* RFC 1951 */
#define AWD_FMT_ZLIB              1   /* RFC 1950 */
#define AWD_FMT_GZIP              2   /* RFC 1952 */
#define AWD_PARAM_LEVEL_SHIFT     4
#define AWD_PARAM_LEVEL_MASK      0xfu   /* 1..9 */
#define AWD_PARAM_COMP_VALID_MASK 0xf3u

/*
 * desc.param for RSA: key form named by desc.key. src_len is the modulus
 * size in bytes (64..512, even for CRT), the input is src_len bytes,
 * dst_len >= src_len and src_len bytes of result are written.
 */
#define AWD_RSA_PUBLIC            0   /* key = n || e, each src_len bytes */
#define AWD_RSA_PRIVATE           1   /* key = n || d, each src_len bytes */
/* key = p || q || dp || dq || qinv, each src_len / 2 bytes */
#define AWD_RSA_CRT               2
#define AWD_RSA_MIN_BITS          512
#define AWD_RSA_MAX_BITS          4096

/* ---- Completion record (32 bytes), the same in every format ---------- */
enum awd_status {
	AWD_STS_OK = 0,
	AWD_STS_INVALID_OPCODE = 1,
	AWD_STS_INVALID_FLAGS = 2,   /* unknown flag or reserved field set */
	AWD_STS_INVALID_PARAM = 3,   /* format, level or key form */
	AWD_STS_INVALID_LEN = 4,     /* zero or over AWD_REG_MAX_XFER */
	AWD_STS_DST_TOO_SMALL = 5,   /* produced = bytes needed or made */
	AWD_STS_DECODE_ERROR = 6,    /* corrupt compressed input */
	AWD_STS_FAULT = 7,           /* translation failed at fault_addr */
	AWD_STS_BAD_KEY = 8,         /* even/zero modulus, length mismatch */
	AWD_STS_INPUT_RANGE = 9,     /* RSA input >= modulus */
	AWD_STS_BAD_CONTEXT = 10,    /* stream context invalid or forged */
	AWD_STS_OVERLAP = 11,        /* buffers overlap */
	AWD_STS_ABORTED = 12,        /* queue reset while in flight */
	AWD_STS_DMA_ERROR = 13,      /* bus error without IOMMU fault */
	/* buffers named by lists (AWD_FORMAT_SGL) and batches (CREC) */
	AWD_STS_SGL_TOO_LONG = 14,   /* more entries or lists than the limit */
	AWD_STS_SGL_ZERO_LEN = 15,   /* a data entry of length 0 */
	AWD_STS_SGL_LOOP = 16,       /* a chain names a list already walked */
	AWD_STS_MISALIGNED = 17,     /* list, batch or record misaligned */
	AWD_STS_BATCH_FAIL = 18,     /* some descriptor of the batch failed */
	AWD_STS_MAX,
};

/*
 * cpl.flags; written last so that its bit 0 publishes the record: the
 * phase of a completion ring (AWD_CF_PHASE), or "done" for a completion
 * record in memory (AWD_CF_DONE, accel_wd_crec.h).
 */
#define AWD_CF_PHASE              (1u << 0)
#define AWD_CF_STREAM_END         (1u << 1)  /* decompressor saw the end */
#define AWD_CF_FAULT_WRITE        (1u << 2)  /* fault was on a write */
/* the fault was on a list or batch array, not on a data buffer */
#define AWD_CF_FAULT_META          (1u << 3)

struct awd_cpl {
	__u64 fault_addr; /* AWD_STS_FAULT: first failing address */
	__u32 consumed;   /* input bytes used */
	__u32 produced;   /* output bytes written (or needed) */
	__u32 checksum;   /* crc32 (gzip) or adler32 (zlib, raw) so far */
	__u32 tag;        /* desc.tag */
	__u16 sq_head;    /* ring formats: SQ head after this descriptor */
	__u16 status;     /* enum awd_status */
	__u32 flags;      /* AWD_CF_* */
};

/*
 * Stream context: opaque to software, AWD_REG_STREAM_CTX_SIZE bytes,
 * 64-byte aligned, zeroed or AWD_DF_STREAM_INIT for a new stream.
 */
#define AWD_STREAM_CTX_ALIGN      64

#define AWD_DESC_SIZE             64  /* every format's descriptor */
#define AWD_CPL_SIZE              32

/* ---- Additions requested by guest-driver (new definitions only) -------- */
/*
 * AWD_CAP_WBITS: the compressor honours a window size in desc.param, and
 * such a device accepts param bits AWD_PARAM_COMP_VALID_MASK |
 * AWD_PARAM_WBITS_VALID for (DE)COMPRESS. WBITS 0 means 15 (32 KiB
 * window); 9..15 bound the LZ77 window to 2^WBITS bytes (Linux's "deflate"
 * uses windowBits 11 and its inflater cannot read a larger window), and a
 * zlib header then names that window; other values, and a streamed
 * compression with a WBITS other than 0 or 15, are AWD_STS_INVALID_PARAM.
 * Decompression ignores the field: it reads any window up to 32 KiB.
 */
#define AWD_CAP_WBITS             (1u << 7)
#define AWD_PARAM_WBITS_SHIFT     8
#define AWD_PARAM_WBITS_MASK      0xfu
#define AWD_PARAM_WBITS_VALID     (AWD_PARAM_WBITS_MASK << AWD_PARAM_WBITS_SHIFT)

/*
 * AWD_CAP_ZLIB_EXACT: every compression's output is byte-identical to
 * zlib's deflate() with the same format, level and window (memLevel 8,
 * default strategy), streams included: golden files hold. Without it some
 * requests (accel-wd engine=isal: single shot at levels 1-3) are
 * compressed by another encoder into valid streams that any inflater
 * reads, but not zlib's bytes. Decompressed bytes are the same either way.
 */
#define AWD_CAP_ZLIB_EXACT        (1u << 9)

#ifdef __cplusplus
#define AWD_STATIC_ASSERT static_assert
#else
#define AWD_STATIC_ASSERT _Static_assert
#endif
AWD_STATIC_ASSERT(sizeof(struct awd_cpl) == AWD_CPL_SIZE, "awd_cpl size");

/* The 1.0 layout, still the default format: visible to all 1.0 users. */
#include "accel_wd_ring.h"

#endif /* ACCEL_WD_HW_H */
