/* SPDX-License-Identifier: (GPL-2.0-or-later WITH Linux-syscall-note) OR MIT */
/*
 * accel-wd queue format "sgl" (AWD_FORMAT_SGL): the rings, doorbells and
 * completions of accel_wd_ring.h, but a descriptor names its source and
 * destination by scatter-gather lists that live in the process's memory.
 * The device reads the lists through the same translation as the data
 * (ATS, and page requests for pages not present), so a list may sit on a
 * page the process never touched.
 *
 * A list is an array of 16-byte entries at a 16-byte aligned address.
 * Walking starts at desc.src (desc.dst) and goes entry by entry:
 *  - a data entry (flags 0 or AWD_SGE_END) adds [addr, addr + len);
 *    len 0 is AWD_STS_SGL_ZERO_LEN;
 *  - AWD_SGE_CHAIN: addr is the next list, len must be 0; a chain to a
 *    list already walked for this buffer is AWD_STS_SGL_LOOP;
 *  - AWD_SGE_END on a data entry ends the buffer.
 * More than AWD_REG_FMT_PARAM(AWD_SGL_PARAM_MAX_ENTRIES) data entries or
 * AWD_REG_FMT_PARAM(AWD_SGL_PARAM_MAX_LISTS) lists for one buffer is
 * AWD_STS_SGL_TOO_LONG; a list address not 16-byte aligned is
 * AWD_STS_MISALIGNED; other flag bits set, CHAIN with END, or a chain
 * entry with a length are AWD_STS_INVALID_FLAGS. A list the device cannot read is AWD_STS_FAULT
 * with AWD_CF_FAULT_META and fault_addr in the list. src_len (dst_len)
 * must equal the sum of the data entries: AWD_STS_INVALID_LEN otherwise.
 * The device reads a list at most up to the end of the page it is on
 * before it needs the next one, so a list never faults past its end.
 *
 * A buffer of one piece is reached like a plain one, so source and
 * destination of one piece each that overlap are AWD_STS_OVERLAP (of
 * more pieces, overlapping is undefined). A buffer with address 0 and
 * length 0 is no buffer (a NOP, the empty
 * FINAL input of a streamed compression); the operation's own checks
 * then decide whether that is allowed. RSA: src and dst are lists; key
 * stays a plain address. Stream contexts (desc.ctx) are plain addresses.
 */
#ifndef ACCEL_WD_SGL_H
#define ACCEL_WD_SGL_H

#include "accel_wd_hw.h"

#define AWD_FORMAT_SGL            1

/* AWD_REG_FMT_PARAM(i) of an sgl device */
#define AWD_SGL_PARAM_MAX_ENTRIES 0   /* data entries per buffer at most */
#define AWD_SGL_PARAM_MAX_LISTS   1   /* lists per buffer (1 + chains) */

#define AWD_SGL_ALIGN             16

/* sge.flags */
#define AWD_SGE_CHAIN             (1u << 0)  /* addr: the next list */
#define AWD_SGE_END               (1u << 1)  /* last data entry */
#define AWD_SGE_VALID_MASK        0x3u

struct awd_sge {
	__u64 addr;       /* data, or the next list (AWD_SGE_CHAIN) */
	__u32 len;        /* data bytes; 0 for a chain entry */
	__u32 flags;      /* AWD_SGE_* */
};

/*
 * Submission descriptor (64 bytes): struct awd_desc of accel_wd_ring.h
 * with src and dst naming the first list of each buffer.
 */
struct awd_sgl_desc {
	__u8  opcode;     /* enum awd_opcode; AWD_OP_BATCH is invalid here */
	__u8  flags;      /* AWD_DF_* */
	__u16 rsvd0;
	__u32 tag;        /* returned in the completion */
	__u64 src_sgl;    /* first source list */
	__u64 dst_sgl;    /* first destination list */
	__u32 src_len;    /* = sum of the source list's data entries */
	__u32 dst_len;    /* = sum of the destination list's data entries */
	__u64 ctx;        /* stream context (AWD_DF_STREAM), else 0 */
	__u64 key;        /* RSA key material, else 0 */
	__u32 param;      /* AWD_PARAM_* or AWD_RSA_* */
	__u32 rsvd1;
	__u64 rsvd2;
};

AWD_STATIC_ASSERT(sizeof(struct awd_sge) == 16, "awd_sge size");
AWD_STATIC_ASSERT(sizeof(struct awd_sgl_desc) == AWD_DESC_SIZE,
		  "awd_sgl_desc size");

#endif /* ACCEL_WD_SGL_H */
