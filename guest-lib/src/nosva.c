// SPDX-License-Identifier: MIT
/*
 * libaccelwd: no-SVA mode. The queue cannot use process addresses, only
 * memory registered with the driver (AWD_IOC_REG_MEM: pinned and
 * DMA-mapped), and the driver releases registrations only while the queue
 * is stopped, or at close. So the library keeps a per-context arena of
 * registered memory and bounces through it: request inputs are copied in
 * at submission, outputs copied out at completion; stream contexts and RSA
 * keys live in the arena for their whole life.
 *
 * The arena grows on demand by regions of at least AWD_ARENA_MIN bytes,
 * each cut into blocks of one power-of-two size class; freed blocks go
 * back to their class and are reused. Regions are never given back before
 * close, and at most AWD_ARENA_REGIONS are made (below the driver's
 * AWD_MAX_REGIONS). Pinned memory counts against RLIMIT_MEMLOCK.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "awd_internal.h"

#define AWD_ARENA_MIN       (1u << 20)
#define AWD_ARENA_REGIONS   (AWD_MAX_REGIONS - 4)
#define CLS_MIN_SHIFT       12                  /* 4 KiB */
#define CLS_MAX_SHIFT       32

struct awd_block {
	struct awd_block *next;     /* free list */
	uint8_t *p;
	uint64_t iova;
	unsigned int cls;
};

struct awd_arena {
	struct awd_block *free[CLS_MAX_SHIFT + 1];
	struct {
		void *base;
		size_t len;
		struct awd_block *blocks;
	} reg[AWD_ARENA_REGIONS];
	unsigned int nreg;
};

static unsigned int size_class(size_t len)
{
	unsigned int c = CLS_MIN_SHIFT;

	while (c < CLS_MAX_SHIFT && ((size_t)1 << c) < len)
		c++;
	return c;
}

/* Register one more region for class @cls. */
static int arena_grow(struct awd_ctx *ctx, unsigned int cls)
{
	struct awd_arena *a = ctx->arena;
	size_t bsize = (size_t)1 << cls;
	size_t len = bsize < AWD_ARENA_MIN ? AWD_ARENA_MIN : bsize;
	size_t n = len / bsize;
	struct awd_mem m = { 0 };
	struct awd_block *blocks;
	void *base;

	if (a->nreg >= AWD_ARENA_REGIONS)
		return -EAGAIN;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -ENOMEM;
	blocks = calloc(n, sizeof(*blocks));
	if (!blocks) {
		munmap(base, len);
		return -ENOMEM;
	}
	m.uaddr = (uintptr_t)base;
	m.len = len;
	if (ioctl(ctx->fd, AWD_IOC_REG_MEM, &m) < 0) {
		int err = errno;

		free(blocks);
		munmap(base, len);
		/* out of regions or pinning budget: wait for blocks back */
		return err == EMFILE ? -EAGAIN : -err;
	}
	for (size_t i = 0; i < n; i++) {
		blocks[i].p = (uint8_t *)base + i * bsize;
		blocks[i].iova = m.iova + i * bsize;
		blocks[i].cls = cls;
		blocks[i].next = a->free[cls];
		a->free[cls] = &blocks[i];
	}
	a->reg[a->nreg].base = base;
	a->reg[a->nreg].len = len;
	a->reg[a->nreg].blocks = blocks;
	a->nreg++;
	return 0;
}

int awd__bounce_get(struct awd_ctx *ctx, size_t len, struct awd_block **bp)
{
	unsigned int cls = size_class(len ? len : 1);
	struct awd_block *b;
	int ret;

	*bp = NULL;
	if (!ctx->arena) {
		ctx->arena = calloc(1, sizeof(*ctx->arena));
		if (!ctx->arena)
			return -ENOMEM;
	}
	if (cls >= CLS_MAX_SHIFT)
		return -EMSGSIZE;
	if (!ctx->arena->free[cls]) {
		ret = arena_grow(ctx, cls);
		if (ret)
			return ret;
	}
	b = ctx->arena->free[cls];
	ctx->arena->free[cls] = b->next;
	b->next = NULL;
	*bp = b;
	return 0;
}

void awd__bounce_put(struct awd_ctx *ctx, struct awd_block *b)
{
	if (!b)
		return;
	b->next = ctx->arena->free[b->cls];
	ctx->arena->free[b->cls] = b;
}

uint8_t *awd__block_ptr(const struct awd_block *b)
{
	return b->p;
}

uint64_t awd__block_iova(const struct awd_block *b)
{
	return b->iova;
}

/* After close(): the driver has released the registrations. */
void awd__arena_free(struct awd_ctx *ctx)
{
	struct awd_arena *a = ctx->arena;

	if (!a)
		return;
	for (unsigned int i = 0; i < a->nreg; i++) {
		munmap(a->reg[i].base, a->reg[i].len);
		free(a->reg[i].blocks);
	}
	free(a);
	ctx->arena = NULL;
}
