/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel-wd queue format "ring" (AWD_FORMAT_RING, the default): a
 * submission ring of descriptors and a completion ring of struct awd_cpl
 * with phase bits, both in memory the queue's PASID names, and two
 * doorbells. Every buffer is one contiguous range of the queue's address
 * space. Format parameters (AWD_REG_FMT_PARAM): none, all read 0.
 *
 * Queue registers used: AWD_Q_SQ_BASE_*, AWD_Q_CQ_BASE_*,
 * AWD_Q_RING_ORDER (entries of both rings), AWD_Q_SQ_HEAD/SQ_TAIL/
 * CQ_TAIL/CQ_HEAD. See AWD_QCTRL_ENABLE in accel_wd_hw.h for the checks
 * at enable and the phase rule.
 */
#ifndef ACCEL_WD_RING_H
#define ACCEL_WD_RING_H

#include "accel_wd_hw.h"

#define AWD_FORMAT_RING           0

/* ---- Doorbell page (BAR2 + q * AWD_DB_STRIDE), 32-bit writes ---------- */
#define AWD_DB_SQ_TAIL            0x0    /* new SQ tail index */
#define AWD_DB_CQ_HEAD            0x4    /* completions consumed up to here */

/* ---- Submission descriptor (64 bytes) ---------------------------------- */
struct awd_desc {
	__u8  opcode;     /* enum awd_opcode; AWD_OP_BATCH is invalid here */
	__u8  flags;      /* AWD_DF_* */
	__u16 rsvd0;
	__u32 tag;        /* returned in the completion */
	__u64 src;        /* input (virtual address under the queue's PASID) */
	__u64 dst;        /* output */
	__u32 src_len;
	__u32 dst_len;
	__u64 ctx;        /* stream context (AWD_DF_STREAM), else 0 */
	__u64 key;        /* RSA key material, else 0 */
	__u32 param;      /* AWD_PARAM_* or AWD_RSA_* */
	__u32 rsvd1;
	__u64 rsvd2;
};

AWD_STATIC_ASSERT(sizeof(struct awd_desc) == AWD_DESC_SIZE, "awd_desc size");

#endif /* ACCEL_WD_RING_H */
