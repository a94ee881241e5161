/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel-wd queue format "crec" (AWD_FORMAT_CREC), in the style of Intel
 * DSA/IAA: no rings. Software writes the address of a descriptor in its
 * own memory to the queue's submission portal; each descriptor names a
 * completion record, also in the process's memory, that the device writes
 * when it is done. Descriptors and records are reached through the
 * queue's PASID like any buffer: both may fault and be paged in.
 *
 * Portal (doorbell page, BAR2 + q * AWD_DB_STRIDE): write the descriptor
 * address, 64-byte aligned, as one 64-bit write to AWD_CREC_PORTAL (or
 * the low half, then the high half at AWD_CREC_PORTAL + 4: the high half
 * submits). The device queues up to 1 << AWD_Q_RING_ORDER submissions;
 * one more stops the queue with AWD_QERR_PORTAL_FULL, a misaligned
 * address or a high half without its low half with AWD_QERR_BAD_DOORBELL.
 * Software counts what it has in flight (records not yet done). A
 * descriptor that cannot be read stops the queue with AWD_QERR_SQ_FETCH
 * (fault address in AWD_Q_FAULT_ADDR), a record that cannot be written
 * with AWD_QERR_CQ_WRITE. AWD_CREC_PENDING reads how many submissions
 * the device accepted whose record it has not yet written.
 *
 * Queue registers used: AWD_Q_RING_ORDER (portal depth, within
 * AWD_RING_ORDER_MIN..AWD_REG_RING_ORDER_MAX); the SQ/CQ base registers
 * are ignored, SQ_HEAD counts fetched and SQ_TAIL accepted submissions
 * (both modulo 2^32).
 *
 * Completion record: struct awd_cpl at desc.crec, 32-byte aligned,
 * written with AWD_CF_DONE set in flags last (software clears flags before
 * it submits); sq_head is 0. A record that is misaligned is not written:
 * the queue stops with AWD_QERR_CQ_WRITE.
 *
 * Batch (AWD_OP_BATCH): src is an array of src_len descriptors (64-byte
 * aligned, 1..AWD_REG_FMT_PARAM(AWD_CREC_PARAM_MAX_BATCH) of them), run in
 * order, each completing into its own record. All other fields are 0. The
 * batch's record then says AWD_STS_OK if every one completed with
 * AWD_STS_OK, else AWD_STS_BATCH_FAIL; consumed = descriptors with
 * AWD_STS_OK, produced = descriptors run. A batch inside a batch completes
 * with AWD_STS_INVALID_OPCODE. A count outside the limit is
 * AWD_STS_INVALID_LEN, a misaligned array AWD_STS_MISALIGNED, an array
 * that cannot be read AWD_STS_FAULT with AWD_CF_FAULT_META.
 */
#ifndef ACCEL_WD_CREC_H
#define ACCEL_WD_CREC_H

#include "accel_wd_hw.h"

#define AWD_FORMAT_CREC           2

/* AWD_REG_FMT_PARAM(i) of a crec device */
#define AWD_CREC_PARAM_MAX_BATCH  0   /* descriptors in one batch at most */

/* Doorbell page */
#define AWD_CREC_PORTAL           0x0    /* 64-bit: descriptor address */
#define AWD_CREC_PENDING          0x8    /* RO: submissions not finished */

#define AWD_CREC_DESC_ALIGN       64
#define AWD_CREC_ALIGN            32     /* completion record */
#define AWD_CF_DONE               AWD_CF_PHASE

struct awd_crec_desc {
	__u8  opcode;     /* enum awd_opcode */
	__u8  flags;      /* AWD_DF_* */
	__u16 rsvd0;
	__u32 tag;        /* returned in the record */
	__u64 src;        /* input; AWD_OP_BATCH: the descriptor array */
	__u64 dst;        /* output */
	__u32 src_len;    /* AWD_OP_BATCH: descriptors in the array */
	__u32 dst_len;
	__u64 ctx;        /* stream context (AWD_DF_STREAM), else 0 */
	__u64 key;        /* RSA key material, else 0 */
	__u32 param;      /* AWD_PARAM_* or AWD_RSA_* */
	__u32 rsvd1;
	__u64 crec;       /* completion record (struct awd_cpl) */
};

AWD_STATIC_ASSERT(sizeof(struct awd_crec_desc) == AWD_DESC_SIZE,
		  "awd_crec_desc size");

#endif /* ACCEL_WD_CREC_H */
