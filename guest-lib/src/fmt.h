/* SPDX-License-Identifier: MIT */
/*
 * libaccelwd internals: the queue format adapter boundary; not installed.
 *
 * A device speaks one queue format (AWD_REG_FORMAT, awd_info.format):
 * how a request becomes a descriptor, how it reaches the device and how
 * its completion comes back. Everything format-specific lives behind
 * struct awd_fmt_ops, one file per format:
 *
 *   fmt-ring.c  AWD_FORMAT_RING  accel_wd_ring.h: SQ/CQ rings, phase bits
 *   fmt-sgl.c   AWD_FORMAT_SGL   accel_wd_sgl.h: rings, buffers named by
 *                                scatter-gather lists in process memory
 *   fmt-crec.c  AWD_FORMAT_CREC  accel_wd_crec.h: portal writes of
 *                                descriptor addresses, completion records
 *
 * ctx.c keeps what every format shares: open, mapping, tags and slots,
 * request checks, no-SVA bounce buffers, the done list, waiting (spin,
 * then poll(2) on the fd), errors and counters. It hands an adapter a
 * format-neutral struct awd_hwreq (device addresses of flat buffers) and
 * the in-flight slot it owns; the adapter calls awd__complete() for every
 * completion it finds.
 *
 * Adding a format: write fmt-NAME.c defining one const struct awd_fmt_ops
 * (declared below), add its line to fmt_table[] in ctx.c and the file to
 * guest-lib/meson.build. Nothing else changes.
 */
#ifndef AWD_FMT_H
#define AWD_FMT_H

#include "awd_internal.h"
#include "accel_wd_crec.h"
#include "accel_wd_sgl.h"

/* A request as every format's descriptor carries it (accel_wd_hw.h). */
struct awd_hwreq {
	uint8_t opcode;           /* enum awd_opcode */
	uint8_t flags;            /* AWD_DF_* */
	uint32_t tag;
	uint64_t src, dst;        /* device addresses of flat buffers, or 0 */
	uint32_t src_len, dst_len;
	uint64_t ctx;             /* stream context, else 0 */
	uint64_t key;             /* RSA key, else 0 */
	uint32_t param;
};

struct awd_fmt_ops {
	const char *name;         /* "ring", as awd_ctx_format() returns it */
	uint32_t format;          /* AWD_FORMAT_* */
	/*
	 * After the regions are mapped and the queue started (ctx->info is
	 * current, ctx->entries set): check the layout (-EPROTO), set
	 * ctx->max_inflight (<= ctx->entries), allocate private state in
	 * ctx->fmt_priv. On failure fini() is still called.
	 */
	int (*init)(struct awd_ctx *ctx);
	void (*fini)(struct awd_ctx *ctx);
	/* The queue restarts empty (awd_ctx_reset) */
	void (*reset)(struct awd_ctx *ctx);
	/*
	 * Build the descriptor of @r in slot @slot and hand it to the device.
	 * May fail only before anything reached the device (-EAGAIN:
	 * retryable, -ENOMEM, -EMSGSIZE), leaving no trace.
	 */
	int (*submit)(struct awd_ctx *ctx, uint32_t slot,
		      const struct awd_hwreq *r);
	/*
	 * Move every new completion to the caller with awd__complete().
	 * Returns how many, or a negative errno (awd__complete()'s -EIO).
	 */
	int (*reap)(struct awd_ctx *ctx);
	/* Is a completion ready to reap? (no side effects) */
	bool (*ready)(const struct awd_ctx *ctx);
	/* Slot @slot is free again (completed or aborted); may be NULL. */
	void (*release)(struct awd_ctx *ctx, uint32_t slot);
};

/*
 * fmt-ring.c: the ring mechanics, for formats that keep accel_wd_ring.h's
 * rings and phase-bit completions (sgl). Such a format's state starts
 * with a struct awd_ring; awd__ring_init() allocates @size bytes of
 * zeroed state with the ring at its start, and the format may use
 * awd__fmt_ring's reset, reap and ready unchanged.
 */
struct awd_ring {
	void *sq;                         /* 64-byte descriptors */
	struct awd_cpl *cq;
	uint32_t sq_tail;                 /* next slot to write */
	uint32_t cq_head;                 /* next completion to read */
	uint32_t phase;                   /* expected AWD_CF_PHASE value */
};
int awd__ring_init(struct awd_ctx *ctx, size_t size);
/* Write one descriptor at the tail and ring the SQ doorbell. */
void awd__ring_push(struct awd_ctx *ctx, const void *desc);
void awd__ring_reset(struct awd_ctx *ctx);
int awd__ring_reap(struct awd_ctx *ctx);
bool awd__ring_ready(const struct awd_ctx *ctx);

extern const struct awd_fmt_ops awd__fmt_ring;
extern const struct awd_fmt_ops awd__fmt_sgl;
extern const struct awd_fmt_ops awd__fmt_crec;

/*
 * ctx.c: one completion found by an adapter. @c is the device's record
 * (read after a load-acquire of its flags, passed as @flags), expected for
 * slot @slot (or any slot: UINT32_MAX, the tag then names it). Fills the
 * request, frees the slot, puts the request on the done list. Returns 0,
 * or -EIO if the tag names no request in flight (the context is then
 * broken).
 */
int awd__complete(struct awd_ctx *ctx, const struct awd_cpl *c,
		  uint32_t flags, uint32_t slot);

/*
 * One 64-bit release-ordered store to device memory (the crec portal):
 * a function of its own so that the host mock can see portal writes.
 */
void awd__mmio_write64(uint8_t *addr, uint64_t val);

#endif /* AWD_FMT_H */
