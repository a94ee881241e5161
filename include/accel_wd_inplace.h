/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel-wd queue format "inplace" (AWD_FORMAT_INPLACE): one ring of
 * 64-byte slots in memory the queue's PASID names, an SQ tail doorbell,
 * and no completion ring. When the device is done with the descriptor in
 * a slot it writes the struct awd_cpl over the first 32 bytes of that
 * same slot, flags last with AWD_CF_DONE; software polls the slot, reads
 * the record and then owns the slot again. Every buffer is one contiguous
 * range of the queue's address space, as in accel_wd_ring.h. Format
 * parameters (AWD_REG_FMT_PARAM): none, all read 0.
 *
 * Queue registers used: AWD_Q_SQ_BASE_* (the ring: 64-byte aligned, its
 * 2^order slots must not wrap the address space), AWD_Q_RING_ORDER
 * (AWD_RING_ORDER_MIN..AWD_REG_RING_ORDER_MAX); a bad one refuses
 * AWD_QCTRL_ENABLE with AWD_QERR_BAD_CONFIG. AWD_Q_SQ_HEAD is the next
 * slot the device fetches (and completes: one slot at a time, in ring
 * order), AWD_Q_SQ_TAIL the last tail doorbell; both are 0 after enable.
 * The CQ registers are ignored: AWD_Q_CQ_BASE_*, AWD_Q_CQ_TAIL and
 * AWD_Q_CQ_HEAD read 0.
 *
 * Ownership of a slot. Slot i belongs to software until a tail doorbell
 * passes it, then to the device until its record has AWD_CF_DONE, then
 * to software again. Software writes the whole descriptor with
 * cflags = 0, then (after a write barrier) the tail doorbell. The device
 * reads the 64 bytes once, writes only bytes 0..31 (the record) and never
 * bytes 32..63, and writes nothing at all into a slot it was not handed.
 * Bytes 0..27 change before cflags gets AWD_CF_DONE: software polls cflags
 * only, and reads the rest of the record after it saw AWD_CF_DONE.
 *
 * Ring full. The ring is empty when SQ_HEAD == SQ_TAIL, so at most
 * entries - 1 slots are handed over at once. Because completions land in
 * the slots, a slot is free again only when software has read its record:
 * software keeps its own "consumed" index C (the oldest slot whose record
 * it has not yet read) and the ring is full when (tail + 1) % entries
 * == C. The device cannot see C; it enforces the rule at the slot: a
 * slot it fetches whose cflags is not 0 (a record software never reused,
 * because a doorbell went past a slot software had not refilled, or any
 * other bit) is not run and not written: the queue stops with
 * AWD_QERR_BAD_DOORBELL, AWD_Q_FAULT_ADDR is the slot's address and
 * SQ_HEAD names it. So an unread record is never overwritten.
 *
 * Doorbell page (BAR2 + q * AWD_DB_STRIDE), 32-bit accesses:
 *  - AWD_INPLACE_DB_SQ_TAIL: write the new tail index. A value
 *    >= entries, or one that takes back slots already handed over (the
 *    new tail is behind the old one, counting from SQ_HEAD), stops the
 *    queue with AWD_QERR_BAD_DOORBELL. Reads the current tail.
 *  - AWD_INPLACE_DB_SQ_HEAD: read only: SQ_HEAD.
 *  Any write other than to AWD_INPLACE_DB_SQ_TAIL (including the high
 *  half of a 64-bit write to it) stops the queue with
 *  AWD_QERR_BAD_DOORBELL; other reads return 0.
 *
 * Errors of the ring itself stop the queue (AWD_Q_ERROR, AWD_Q_FAULT_ADDR
 * the failing address, SQ_HEAD the slot): a slot that cannot be read is
 * AWD_QERR_SQ_FETCH, a record that cannot be written into its slot (a
 * read-only page, a page the kernel refuses) AWD_QERR_CQ_WRITE. Other
 * queues never notice.
 *
 * Fields of struct awd_inplace_desc, checked at fetch; a bad value
 * completes the slot with that status and the queue goes on:
 *  - opcode: enum awd_opcode; AWD_OP_BATCH or an unknown one is
 *    AWD_STS_INVALID_OPCODE;
 *  - flags: AWD_DF_*, other bits AWD_STS_INVALID_FLAGS;
 *  - rsvd0, rsvd1, rsvd2: must be 0, else AWD_STS_INVALID_FLAGS;
 *  - cflags: must be 0 (see "Ring full": not a status, a queue error);
 *  - src, dst, src_len, dst_len, ctx, key, param: as in accel_wd_ring.h
 *    and accel_wd_hw.h (AWD_STS_INVALID_LEN, AWD_STS_INVALID_PARAM,
 *    AWD_STS_FAULT, AWD_STS_OVERLAP, ...).
 *
 * The record (struct awd_cpl over bytes 0..31): consumed, produced,
 * checksum, fault_addr, status and flags as in every format; tag is
 * desc.tag (at the same offset, so it reads the same before and after);
 * sq_head is the slot index after this one ((i + 1) % entries).
 */
#ifndef ACCEL_WD_INPLACE_H
#define ACCEL_WD_INPLACE_H

#include "accel_wd_hw.h"

#define AWD_FORMAT_INPLACE        3

/* ---- Doorbell page (BAR2 + q * AWD_DB_STRIDE) -------------------------- */
#define AWD_INPLACE_DB_SQ_TAIL    0x0    /* RW new SQ tail index */
#define AWD_INPLACE_DB_SQ_HEAD    0x4    /* RO SQ_HEAD */

#define AWD_INPLACE_ALIGN         64     /* ring base */
#define AWD_INPLACE_SLOT_SIZE     AWD_DESC_SIZE
/* the record's publish bit, as in accel_wd_crec.h */
#ifndef AWD_CF_DONE
#define AWD_CF_DONE               AWD_CF_PHASE
#endif

/*
 * A slot as software submits it (64 bytes). The first 32 bytes are laid
 * out so that the record's tag (offset 20) and flags (offset 28) fall on
 * desc.tag and desc.cflags.
 */
struct awd_inplace_desc {
	__u64 src;        /* input (virtual address under the queue's PASID) */
	__u64 dst;        /* output */
	__u32 src_len;
	__u32 tag;        /* returned in the record, same offset */
	__u8  opcode;     /* enum awd_opcode; AWD_OP_BATCH is invalid here */
	__u8  flags;      /* AWD_DF_* */
	__u16 rsvd0;
	__u32 cflags;     /* 0 when submitted; the record's flags when done */
	/* bytes 32..63: never written by the device */
	__u32 dst_len;
	__u32 param;      /* AWD_PARAM_* or AWD_RSA_* */
	__u64 ctx;        /* stream context (AWD_DF_STREAM), else 0 */
	__u64 key;        /* RSA key material, else 0 */
	__u32 rsvd1;
	__u32 rsvd2;
};

AWD_STATIC_ASSERT(sizeof(struct awd_inplace_desc) == AWD_INPLACE_SLOT_SIZE,
		  "awd_inplace_desc size");
AWD_STATIC_ASSERT(__builtin_offsetof(struct awd_inplace_desc, tag) ==
		  __builtin_offsetof(struct awd_cpl, tag),
		  "awd_inplace_desc tag overlays awd_cpl tag");
AWD_STATIC_ASSERT(__builtin_offsetof(struct awd_inplace_desc, cflags) ==
		  __builtin_offsetof(struct awd_cpl, flags),
		  "awd_inplace_desc cflags overlays awd_cpl flags");
AWD_STATIC_ASSERT(__builtin_offsetof(struct awd_inplace_desc, dst_len) ==
		  AWD_CPL_SIZE, "awd_inplace_desc second half");

#endif /* ACCEL_WD_INPLACE_H */
