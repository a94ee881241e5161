// SPDX-License-Identifier: MIT
/*
 * libaccelwd: queue format "sgl" (accel_wd_sgl.h, AWD_FORMAT_SGL): the
 * rings of accel_wd_ring.h (fmt-ring.c does them), with each source and
 * destination named by a scatter-gather list.
 *
 * The library's buffers are flat, so a buffer of len bytes becomes
 * ceil(len / chunk) data entries of chunk bytes (the last shorter), chunk
 * 64 KiB by default (environment AWD_SGL_CHUNK overrides it), grown when
 * the device's entry limit (fmt_param[AWD_SGL_PARAM_MAX_ENTRIES]) needs
 * fewer. Lists hold LIST_ENTRIES entries; a full list's last entry chains
 * (AWD_SGE_CHAIN) to the next, and lists grow when the device's list
 * limit (fmt_param[AWD_SGL_PARAM_MAX_LISTS]) needs fewer. A limit of 0
 * means none.
 *
 * Lists live per in-flight slot: in SVA mode in ordinary heap memory,
 * kept and reused while the context lives; in no-SVA mode in a block of
 * the registered bounce arena (device addresses are IOVAs), given back
 * when the slot is free again. A zero-length buffer (NOP, a stream's
 * empty FINAL input) is named by address 0.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#define DEFAULT_CHUNK   (64u * 1024)
#define LIST_ENTRIES    64u             /* 1 KiB lists */

struct sgl_slot {
	struct awd_sge *mem;            /* SVA: heap lists, reused */
	size_t cap;                     /* entries at mem */
	struct awd_block *blk;          /* no-SVA: arena block in use */
};

struct sgl {
	struct awd_ring ring;           /* first: fmt-ring.c's state */
	uint32_t chunk;
	uint32_t max_entries, max_lists;
	struct sgl_slot *slot;
};

/* Shape of one buffer's lists. */
struct shape {
	uint32_t chunk;                 /* bytes per data entry */
	uint32_t ndata;                 /* data entries */
	uint32_t per_list;              /* entries per list */
	uint32_t nlists;
};

static uint32_t div_up(uint64_t a, uint64_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

static int shape_of(const struct sgl *s, uint32_t len, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	if (!len)
		return 0;
	sh->chunk = s->chunk;
	sh->ndata = div_up(len, sh->chunk);
	if (s->max_entries && sh->ndata > s->max_entries) {
		sh->chunk = div_up(len, s->max_entries);
		sh->ndata = div_up(len, sh->chunk);
	}
	sh->per_list = LIST_ENTRIES;
	/* k lists of L entries hold k * (L - 1) + 1 data entries */
	if (s->max_lists && sh->ndata > s->max_lists * (sh->per_list - 1) + 1)
		sh->per_list = div_up(sh->ndata - 1, s->max_lists) + 1;
	sh->nlists = sh->ndata <= sh->per_list ? 1 :
		     1 + div_up(sh->ndata - sh->per_list, sh->per_list - 1);
	if (s->max_lists && sh->nlists > s->max_lists)
		return -EMSGSIZE;
	return 0;
}

/* Fill @sh's lists at @e (device address @dev) for [addr, addr + len). */
static void fill(struct awd_sge *e, uint64_t dev, const struct shape *sh,
		 uint64_t addr, uint32_t len)
{
	uint32_t left = len, k = 0;

	for (uint32_t l = 0; l < sh->nlists; l++) {
		struct awd_sge *list = e + (size_t)l * sh->per_list;

		for (uint32_t j = 0; j < sh->per_list && left; j++) {
			uint32_t n;

			if (j == sh->per_list - 1 && l + 1 < sh->nlists) {
				list[j].addr = dev + (uint64_t)(l + 1) *
					       sh->per_list * sizeof(*e);
				list[j].len = 0;
				list[j].flags = AWD_SGE_CHAIN;
				break;
			}
			n = left < sh->chunk ? left : sh->chunk;
			list[j].addr = addr + (uint64_t)k * sh->chunk;
			list[j].len = n;
			left -= n;
			list[j].flags = left ? 0 : AWD_SGE_END;
			k++;
		}
	}
}

static int sgl_init(struct awd_ctx *ctx)
{
	const char *env = secure_getenv("AWD_SGL_CHUNK");
	struct sgl *s;
	int ret;

	ret = awd__ring_init(ctx, sizeof(struct sgl));
	if (ret)
		return ret;
	s = ctx->fmt_priv;
	s->chunk = DEFAULT_CHUNK;
	if (env && env[0]) {
		char *end;
		unsigned long v = strtoul(env, &end, 0);

		if (!*end && v >= 1 && v <= (1ul << 31))
			s->chunk = (uint32_t)v;
	}
	s->max_entries = ctx->info.fmt_param[AWD_SGL_PARAM_MAX_ENTRIES];
	s->max_lists = ctx->info.fmt_param[AWD_SGL_PARAM_MAX_LISTS];
	s->slot = calloc(ctx->entries, sizeof(*s->slot));
	if (!s->slot)
		return -ENOMEM;
	return 0;
}

static void sgl_fini(struct awd_ctx *ctx)
{
	struct sgl *s = ctx->fmt_priv;

	if (!s)
		return;
	if (s->slot) {
		for (uint32_t i = 0; i < ctx->entries; i++) {
			free(s->slot[i].mem);
			if (s->slot[i].blk)
				awd__bounce_put(ctx, s->slot[i].blk);
		}
		free(s->slot);
	}
	free(s);
	ctx->fmt_priv = NULL;
}

static void sgl_release(struct awd_ctx *ctx, uint32_t slot)
{
	struct sgl *s = ctx->fmt_priv;

	if (s->slot[slot].blk) {
		awd__bounce_put(ctx, s->slot[slot].blk);
		s->slot[slot].blk = NULL;
	}
}

static int sgl_submit(struct awd_ctx *ctx, uint32_t slot,
		      const struct awd_hwreq *h)
{
	struct sgl *s = ctx->fmt_priv;
	struct sgl_slot *ss = &s->slot[slot];
	struct shape ssh, dsh;
	struct awd_sgl_desc d;
	size_t nsrc, n;
	struct awd_sge *e;
	uint64_t dev;
	int ret;

	ret = shape_of(s, h->src_len, &ssh);
	if (!ret)
		ret = shape_of(s, h->dst_len, &dsh);
	if (ret)
		return ret;
	nsrc = (size_t)ssh.nlists * ssh.per_list;
	n = nsrc + (size_t)dsh.nlists * dsh.per_list;

	memset(&d, 0, sizeof(d));
	if (n) {
		if (awd__nosva(ctx)) {
			ret = awd__bounce_get(ctx, n * sizeof(*e), &ss->blk);
			if (ret)
				return ret;
			e = (struct awd_sge *)awd__block_ptr(ss->blk);
			dev = awd__block_iova(ss->blk);
		} else {
			if (ss->cap < n) {
				void *p;

				if (posix_memalign(&p, 64, n * sizeof(*e)))
					return -ENOMEM;
				free(ss->mem);
				ss->mem = p;
				ss->cap = n;
			}
			e = ss->mem;
			dev = (uintptr_t)e;
		}
		memset(e, 0, n * sizeof(*e));
		if (h->src_len) {
			fill(e, dev, &ssh, h->src, h->src_len);
			d.src_sgl = dev;
		}
		if (h->dst_len) {
			fill(e + nsrc, dev + nsrc * sizeof(*e), &dsh, h->dst,
			     h->dst_len);
			d.dst_sgl = dev + nsrc * sizeof(*e);
		}
	}
	d.opcode = h->opcode;
	d.flags = h->flags;
	d.tag = h->tag;
	d.src_len = h->src_len;
	d.dst_len = h->dst_len;
	d.ctx = h->ctx;
	d.key = h->key;
	d.param = h->param;
	awd__ring_push(ctx, &d);
	return 0;
}

const struct awd_fmt_ops awd__fmt_sgl = {
	.name = "sgl",
	.format = AWD_FORMAT_SGL,
	.init = sgl_init,
	.fini = sgl_fini,
	.reset = awd__ring_reset,
	.submit = sgl_submit,
	.reap = awd__ring_reap,
	.ready = awd__ring_ready,
	.release = sgl_release,
};
