// SPDX-License-Identifier: MIT
/*
 * libaccelwd: contexts (open, map, start, close) and the format-neutral
 * request path (checks, tags and slots, bounce buffers, completion
 * bookkeeping, waiting). How a request becomes a descriptor and how its
 * completion is found belong to the queue format's adapter (fmt.h).
 *
 * Tags name a slot of the in-flight table plus a generation, and every
 * tag the device returns is checked before it is used.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"

#define SPIN_NS          (20 * 1000)          /* spin before sleeping */
#define SPIN_MAX_NS      (250 * 1000)         /* adaptive spin at most */
#define STATE_CHECK_NS   (100 * 1000 * 1000)  /* re-check queue state */
#define TAG_SLOT_MASK    0xffffu
#define TAG_GEN_SHIFT    16

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* The queue formats this library speaks: one line per adapter (fmt.h). */
static const struct awd_fmt_ops *const fmt_table[] = {
	&awd__fmt_ring,
	&awd__fmt_sgl,
	&awd__fmt_crec,
};

static const struct awd_fmt_ops *fmt_find(uint32_t format)
{
	for (size_t i = 0; i < AWD_ARRAY_SIZE(fmt_table); i++)
		if (fmt_table[i]->format == format)
			return fmt_table[i];
	return NULL;
}

void awd__mmio_write64(uint8_t *addr, uint64_t val)
{
	__atomic_store_n((uint64_t *)addr, val, __ATOMIC_RELEASE);
}

/* ---- context checks ---------------------------------------------------- */

static bool forked(const struct awd_ctx *ctx)
{
	if (ctx->owner)
		return getpid() != ctx->owner;
	return !ctx->fork_guard ||
	       __atomic_load_n(ctx->fork_guard, __ATOMIC_RELAXED) != 1;
}

int awd__ctx_check(const struct awd_ctx *ctx)
{
	if (!ctx)
		return -EBADF;
	if (forked(ctx))
		return -EPERM;
	if (ctx->broken)
		return -EIO;
	return 0;
}

bool awd__nosva(const struct awd_ctx *ctx)
{
	return ctx->info.mode != AWD_MODE_SVA;
}

/* ---- open / close ------------------------------------------------------ */

static void ctx_unmap(struct awd_ctx *ctx)
{
	if (ctx->db)
		munmap(ctx->db, ctx->info.db_size);
	if (ctx->sq)
		munmap(ctx->sq, ctx->info.sq_size);
	if (ctx->cq)
		munmap(ctx->cq, ctx->info.cq_size);
	ctx->db = NULL;
	ctx->sq = NULL;
	ctx->cq = NULL;
}

static void ctx_fmt_fini(struct awd_ctx *ctx)
{
	if (ctx->fmt && ctx->fmt->fini)
		ctx->fmt->fini(ctx);
	ctx->fmt_priv = NULL;
}

static void ctx_free(struct awd_ctx *ctx)
{
	ctx_fmt_fini(ctx);
	/* a child has no queue mappings (VM_DONTCOPY), only a copy of the fd */
	if (!forked(ctx))
		ctx_unmap(ctx);
	if (ctx->fd >= 0)
		close(ctx->fd);
	if (ctx->fork_guard)
		munmap(ctx->fork_guard, 4096);
	awd__arena_free(ctx);
	free(ctx->slots);
	free(ctx->free_slots);
	free(ctx);
}

static void *map_region(int fd, uint64_t off, uint64_t size, int prot)
{
	void *p;

	if (!size || size > SIZE_MAX)
		return NULL;
	p = mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)off);
	return p == MAP_FAILED ? NULL : p;
}

/* Open one device path; on failure returns a negative errno. */
static int ctx_open_path(struct awd_ctx *ctx, const char *path,
			 unsigned int flags)
{
	unsigned int order = (flags & AWD_OPEN_RING_MASK) >> AWD_OPEN_RING_SHIFT;
	int ret;

	/*
	 * Without O_NONBLOCK the driver's open() waits in line for a queue
	 * (AWD_OPEN_WAIT). Afterwards non-blocking: wait_event() only reads
	 * the interrupt count.
	 */
	if (flags & AWD_OPEN_WAIT) {
		do
			ctx->fd = open(path, O_RDWR | O_CLOEXEC);
		while (ctx->fd < 0 && errno == EINTR &&
		       !(flags & AWD_OPEN_INTR));
		if (ctx->fd >= 0 && fcntl(ctx->fd, F_SETFL, O_NONBLOCK) < 0) {
			ret = neg_errno();
			close(ctx->fd);
			ctx->fd = -1;
			return ret;
		}
	} else {
		ctx->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	}
	if (ctx->fd < 0)
		return neg_errno();
	snprintf(ctx->dev, sizeof(ctx->dev), "%s", path);
	if (ioctl(ctx->fd, AWD_IOC_INFO, &ctx->info) < 0) {
		ret = neg_errno();
		goto fail;
	}
	if ((ctx->info.version >> 16) != AWD_VERSION_MAJOR) {
		ret = -EPROTO;
		goto fail;
	}
	if ((flags & AWD_OPEN_SVA_ONLY) && ctx->info.mode != AWD_MODE_SVA) {
		ret = -EOPNOTSUPP;
		goto fail;
	}
	ctx->fmt = fmt_find(ctx->info.format);
	if (!ctx->fmt) {
		ret = -EPROTONOSUPPORT;
		goto fail;
	}
	if (order && order != ctx->info.ring_order) {
		struct awd_ring_cfg cfg = { .ring_order = order };

		if (order > ctx->info.ring_order_max) {
			ret = -EINVAL;
			goto fail;
		}
		if (ioctl(ctx->fd, AWD_IOC_SET_RING, &cfg) < 0 ||
		    ioctl(ctx->fd, AWD_IOC_INFO, &ctx->info) < 0) {
			ret = neg_errno();
			goto fail;
		}
	}
	if (ctx->info.ring_order < AWD_RING_ORDER_MIN ||
	    ctx->info.ring_order > AWD_RING_ORDER_MAX) {
		ret = -EPROTO;
		goto fail;
	}
	ctx->entries = 1u << ctx->info.ring_order;
	ctx->mask = ctx->entries - 1;
	/* every format keeps 64-byte descriptors and 32-byte records there */
	if (ctx->info.sq_size < (uint64_t)ctx->entries * AWD_DESC_SIZE ||
	    ctx->info.cq_size < (uint64_t)ctx->entries * AWD_CPL_SIZE) {
		ret = -EPROTO;
		goto fail;
	}
	errno = 0;
	ctx->db = map_region(ctx->fd, ctx->info.db_offset, ctx->info.db_size,
			     PROT_WRITE);
	if (!ctx->db) {
		ret = neg_errno();
		goto fail;
	}
	ctx->sq = map_region(ctx->fd, ctx->info.sq_offset, ctx->info.sq_size,
			     PROT_READ | PROT_WRITE);
	if (!ctx->sq) {
		ret = neg_errno();
		goto fail;
	}
	ctx->cq = map_region(ctx->fd, ctx->info.cq_offset, ctx->info.cq_size,
			     PROT_READ | PROT_WRITE);
	if (!ctx->cq) {
		ret = neg_errno();
		goto fail;
	}
	if (ioctl(ctx->fd, AWD_IOC_START) < 0 ||
	    ioctl(ctx->fd, AWD_IOC_INFO, &ctx->info) < 0) {
		ret = neg_errno();
		goto fail;
	}
	ret = ctx->fmt->init(ctx);
	if (ret)
		goto fail;
	return 0;

fail:
	ctx_fmt_fini(ctx);
	ctx_unmap(ctx);
	close(ctx->fd);
	ctx->fd = -1;
	return ret;
}

/* Worse errors win when several devices were tried. */
static int open_err_rank(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENXIO:
	case -ENODEV:
		return 0;
	case -EBUSY:
		return 1;
	case -EACCES:
	case -EPERM:
		return 2;
	default:
		return 3;
	}
}

/*
 * The first device with a free queue. With AWD_OPEN_WAIT, when every
 * queue of every device is taken, wait in the line of the first device
 * that was busy.
 */
static int ctx_open_any(struct awd_ctx *ctx, unsigned int flags)
{
	int best = -ENOENT, busy = -1;
	char path[64];

	for (int i = 0; i < AWD_MAX_QUEUES; i++) {
		int ret;

		snprintf(path, sizeof(path), "/dev/%s%d", AWD_DEV_NAME, i);
		ret = ctx_open_path(ctx, path, flags & ~AWD_OPEN_WAIT);
		if (!ret)
			return 0;
		if (ret == -ENOENT && i >= 8)
			break;          /* devices are numbered from 0, densely */
		if (ret == -EBUSY && busy < 0)
			busy = i;
		if (open_err_rank(ret) > open_err_rank(best))
			best = ret;
	}
	if (best == -EBUSY && (flags & AWD_OPEN_WAIT)) {
		snprintf(path, sizeof(path), "/dev/%s%d", AWD_DEV_NAME, busy);
		return ctx_open_path(ctx, path, flags);
	}
	return best;
}

static int ctx_open_named(struct awd_ctx *ctx, const char *dev,
			  unsigned int flags)
{
	char path[64];

	if (strchr(dev, '/'))
		snprintf(path, sizeof(path), "%s", dev);
	else if (dev[0] >= '0' && dev[0] <= '9')
		snprintf(path, sizeof(path), "/dev/%s%s", AWD_DEV_NAME, dev);
	else
		snprintf(path, sizeof(path), "/dev/%s", dev);
	return ctx_open_path(ctx, path, flags);
}

AWD_EXPORT int awd_ctx_open(struct awd_ctx **ctxp, const char *dev,
			    unsigned int flags)
{
	unsigned int order = (flags & AWD_OPEN_RING_MASK) >> AWD_OPEN_RING_SHIFT;
	struct awd_ctx *ctx;
	void *guard;
	int ret;

	if (!ctxp)
		return -EINVAL;
	*ctxp = NULL;
	if ((flags & ~AWD_OPEN_VALID_MASK) ||
	    (order && (order < AWD_RING_ORDER_MIN || order > AWD_RING_ORDER_MAX)))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->fd = -1;
	ctx->flags = flags;

	/* A page that reads 0 in a child after fork(): no getpid() per call. */
	guard = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED) {
		free(ctx);
		return -ENOMEM;
	}
	if (madvise(guard, 4096, MADV_WIPEONFORK) < 0) {
		/* kernels before 4.14: one getpid() per call instead */
		munmap(guard, 4096);
		ctx->owner = getpid();
	} else {
		((uint8_t *)guard)[0] = 1;
		ctx->fork_guard = guard;
	}

	if (!dev || !dev[0])
		dev = secure_getenv("AWD_DEVICE");
	if (dev && dev[0])
		ret = ctx_open_named(ctx, dev, flags);
	else
		ret = ctx_open_any(ctx, flags);
	if (ret)
		goto fail;

	ctx->gen = 1;
	ctx->irq = !(flags & AWD_OPEN_POLLED) &&
		   (ctx->info.flags & AWD_INFO_F_IRQ);
	ctx->slots = calloc(ctx->entries, sizeof(*ctx->slots));
	ctx->free_slots = calloc(ctx->entries, sizeof(*ctx->free_slots));
	if (!ctx->slots || !ctx->free_slots) {
		ret = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < ctx->entries; i++)
		ctx->free_slots[i] = ctx->entries - 1 - i;
	ctx->nfree = ctx->entries;
	*ctxp = ctx;
	return 0;

fail:
	ctx_free(ctx);
	return ret;
}

AWD_EXPORT int awd_ctx_close(struct awd_ctx **ctxp)
{
	struct awd_ctx *ctx;

	if (!ctxp || !*ctxp)
		return -EBADF;
	ctx = *ctxp;
	if (ctx->users && !forked(ctx))
		return -EBUSY;
	if (!forked(ctx) && ctx->fd >= 0)
		(void)ioctl(ctx->fd, AWD_IOC_STOP);
	ctx_free(ctx);
	*ctxp = NULL;
	return 0;
}

AWD_EXPORT int awd_ctx_caps(const struct awd_ctx *ctx, struct awd_caps *caps)
{
	if (!ctx)
		return -EBADF;
	if (!caps)
		return -EINVAL;
	memset(caps, 0, sizeof(*caps));
	caps->hw_version = ctx->info.version;
	caps->hw_caps = ctx->info.caps;
	caps->mode = ctx->info.mode;
	caps->irq = !!(ctx->info.flags & AWD_INFO_F_IRQ);
	caps->queue = ctx->info.queue;
	caps->pasid = ctx->info.pasid;
	caps->num_queues = ctx->info.num_queues;
	caps->ring_entries = ctx->entries;
	caps->max_inflight = ctx->max_inflight;
	caps->max_xfer = ctx->info.max_xfer;
	caps->rsa_max_bits = (ctx->info.caps & AWD_CAP_RSA) ?
			     ctx->info.rsa_max_bits : 0;
	caps->stream_ctx_size = ctx->info.stream_ctx_size;
	snprintf(caps->dev, sizeof(caps->dev), "%s", ctx->dev);
	return 0;
}

AWD_EXPORT int awd_ctx_format(const struct awd_ctx *ctx, const char **name,
			      uint32_t param[AWD_CTX_FMT_PARAMS])
{
	if (!ctx)
		return -EBADF;
	if (name)
		*name = ctx->fmt->name;
	if (param)
		for (int i = 0; i < AWD_CTX_FMT_PARAMS; i++)
			param[i] = ctx->info.fmt_param[i];
	return (int)ctx->fmt->format;
}

AWD_EXPORT int awd_ctx_hw_counters(struct awd_ctx *ctx,
				   struct awd_hw_counters *cnt)
{
	struct awd_qcount q;

	if (!ctx)
		return -EBADF;
	if (!cnt)
		return -EINVAL;
	if (forked(ctx))
		return -EPERM;
	memset(&q, 0, sizeof(q));
	if (ioctl(ctx->fd, AWD_IOC_QCOUNT, &q) < 0)
		return neg_errno();
	memset(cnt, 0, sizeof(*cnt));
	cnt->db_writes = q.cnt[AWD_QCNT_DB_WRITES];
	cnt->reg_reads = q.cnt[AWD_QCNT_REG_READS];
	cnt->desc_bytes = q.cnt[AWD_QCNT_DESC_BYTES];
	cnt->list_bytes = q.cnt[AWD_QCNT_LIST_BYTES];
	cnt->cpl_bytes = q.cnt[AWD_QCNT_CPL_BYTES];
	cnt->ats_reqs = q.cnt[AWD_QCNT_ATS];
	cnt->page_reqs = q.cnt[AWD_QCNT_PAGE_REQS];
	return 0;
}

/* The public scope is the device's item order, then its histogram. */
_Static_assert(offsetof(struct awd_telemetry_scope, reqs) ==
	       8 * AWD_TM_REQS, "tm reqs");
_Static_assert(offsetof(struct awd_telemetry_scope, pr_lat_max_ns) ==
	       8 * AWD_TM_PR_LAT_MAX_NS, "tm pr_lat_max");
_Static_assert(offsetof(struct awd_telemetry_scope, inv_wait_max_ns) ==
	       8 * AWD_TM_INV_WAIT_MAX_NS, "tm inv_wait_max");
_Static_assert(offsetof(struct awd_telemetry_scope, timing_model) ==
	       8 * AWD_TM_MODEL, "tm model");
_Static_assert(offsetof(struct awd_telemetry_scope, lat_hist) == 8 * 32,
	       "tm hist");
_Static_assert(AWD_TELEMETRY_BUCKETS == AWD_TM_HIST_BUCKETS, "tm buckets");
_Static_assert(AWD_TELEMETRY_HISTORY == AWD_TELEM_IN_HISTORY &&
	       AWD_TELEMETRY_HISTORY == AWD_TELEM_F_HISTORY &&
	       AWD_TELEMETRY_RESET == AWD_TELEM_F_RESET &&
	       AWD_TELEMETRY_NO_QUEUE == AWD_TELEM_F_NO_QUEUE, "tm flags");

static void telem_scope(struct awd_telemetry_scope *out,
			const struct awd_telem_scope *in, unsigned int nr_items)
{
	/* items in the device's order from the start (asserted above) */
	memset(out, 0, sizeof(*out));
	memcpy(out, in->item, nr_items * sizeof(in->item[0]));
	memcpy(out->lat_hist, in->hist, sizeof(out->lat_hist));
}

AWD_EXPORT int awd_ctx_telemetry(struct awd_ctx *ctx, unsigned int flags,
				 struct awd_telemetry *tm)
{
	static const struct {
		unsigned int item;
		uint32_t flag;
	} unknown[] = {
		{ AWD_TM_LAT_MAX_NS, AWD_TELEMETRY_Q_LAT_MAX_UNKNOWN },
		{ AWD_TM_OCC_MAX, AWD_TELEMETRY_Q_OCC_MAX_UNKNOWN },
		{ AWD_TM_PR_LAT_MAX_NS, AWD_TELEMETRY_Q_PR_LAT_MAX_UNKNOWN },
		{ AWD_TM_INV_WAIT_MAX_NS, AWD_TELEMETRY_Q_INV_WAIT_MAX_UNKNOWN },
	};
	struct awd_telem *t;
	unsigned int n;
	int ret = 0;

	if (!ctx)
		return -EBADF;
	if (!tm || (flags & ~AWD_TELEMETRY_HISTORY))
		return -EINVAL;
	if (forked(ctx))
		return -EPERM;
	if ((ctx->info.version & 0xffff) < 2 ||
	    !(ctx->info.caps & AWD_CAP_TELEMETRY))
		return -EOPNOTSUPP;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->in_flags = flags;
	if (ioctl(ctx->fd, AWD_IOC_TELEMETRY, t) < 0) {
		ret = neg_errno();
		/* a driver without the ioctl */
		if (ret == -ENOTTY)
			ret = -EOPNOTSUPP;
		goto out;
	}
	if (t->version < 1 || t->nr_buckets != AWD_TM_HIST_BUCKETS) {
		ret = -EPROTO;
		goto out;
	}
	/* items past the ones this library names stay in rsvd: 0 */
	n = t->nr_items < AWD_TM_NR_ITEMS ? t->nr_items : AWD_TM_NR_ITEMS;
	memset(tm, 0, sizeof(*tm));
	tm->queue = t->queue;
	tm->flags = t->flags & (AWD_TELEMETRY_HISTORY | AWD_TELEMETRY_RESET |
				AWD_TELEMETRY_NO_QUEUE);
	for (size_t i = 0; i < AWD_ARRAY_SIZE(unknown); i++)
		if (t->q_unknown & (1ull << unknown[i].item))
			tm->flags |= unknown[i].flag;
	telem_scope(&tm->q, &t->q, n);
	telem_scope(&tm->dev, &t->dev, n);
out:
	free(t);
	return ret;
}

AWD_EXPORT int awd_ctx_fd(const struct awd_ctx *ctx)
{
	if (!ctx)
		return -EBADF;
	return ctx->fd;
}

/* Refresh ctx->info; map the driver's state to an errno. */
static int ctx_state(struct awd_ctx *ctx)
{
	if (ioctl(ctx->fd, AWD_IOC_INFO, &ctx->info) < 0)
		return neg_errno();
	switch (ctx->info.state) {
	case AWD_QS_RUNNING:
		return 0;
	case AWD_QS_DEAD:
		return -ENODEV;
	default:
		return -EIO;
	}
}

AWD_EXPORT int awd_ctx_stats(struct awd_ctx *ctx, struct awd_stats *st)
{
	struct awd_qstats q = { 0 };
	int ret;

	if (!ctx)
		return -EBADF;
	if (!st)
		return -EINVAL;
	if (forked(ctx))
		return -EPERM;
	ret = ctx_state(ctx);
	if (ret == -ENODEV)
		return ret;
	if (ioctl(ctx->fd, AWD_IOC_QSTATS, &q) < 0)
		return neg_errno();
	*st = ctx->st;
	st->irqs = q.irqs;
	st->hw_errors = q.errors;
	st->starts = q.starts;
	st->pinned_pages = q.pinned_pages;
	st->inflight = ctx->inflight;
	st->queue_state = ctx->info.state;
	st->hw_error = ctx->info.hw_error;
	return 0;
}

/* Complete every in-flight request with @result (no device access). */
static void abort_inflight(struct awd_ctx *ctx, int result);

AWD_EXPORT int awd_ctx_reset(struct awd_ctx *ctx)
{
	if (!ctx)
		return -EBADF;
	if (forked(ctx))
		return -EPERM;
	if (ioctl(ctx->fd, AWD_IOC_STOP) < 0 && errno == ENODEV)
		return -ENODEV;
	abort_inflight(ctx, -ECANCELED);
	ctx->fmt->reset(ctx);
	ctx->broken = false;
	if (ioctl(ctx->fd, AWD_IOC_START) < 0)
		return neg_errno();
	return ctx_state(ctx);
}

/* ---- requests ---------------------------------------------------------- */

static bool overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	if (!alen || !blen)
		return false;
	return x < y + blen && y < x + alen;
}

static int req_check(const struct awd_ctx *ctx, const struct awd_req *req)
{
	switch (req->op) {
	case AWD_REQ_NOP:
		return 0;
	case AWD_REQ_COMPRESS:
		if (req->level < AWD_LEVEL_MIN || req->level > AWD_LEVEL_MAX)
			return -EINVAL;
		/* fall through */
	case AWD_REQ_DECOMPRESS:
		if (req->format > AWD_FORMAT_GZIP)
			return -EINVAL;
		break;
	case AWD_REQ_RSA:
		if (req->rsa_form > AWD_RSA_FORM_CRT || !req->key ||
		    awd__rsa_key_ctx(req->key) != ctx ||
		    !(awd_rsa_key_forms(req->key) & (1u << req->rsa_form)) ||
		    req->src_len != awd_rsa_key_size(req->key) ||
		    req->dst_len != req->src_len)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if ((req->src_len && !req->src) || (req->dst_len && !req->dst))
		return -EINVAL;
	if (!req->dst_len || req->src_len > ctx->info.max_xfer ||
	    req->dst_len > ctx->info.max_xfer)
		return -EMSGSIZE;
	if (overlap(req->src, req->src_len, req->dst, req->dst_len))
		return -EINVAL;
	return 0;
}

/* No-SVA: give back the bounce blocks; @copy_out: result to the caller. */
static void req_release(struct awd_ctx *ctx, struct awd_req *req,
			bool copy_out)
{
	struct awd_block *sb, *db;

	if (!awd__nosva(ctx))
		return;
	sb = (struct awd_block *)(uintptr_t)req->priv[PRIV_BOUNCE_SRC];
	db = (struct awd_block *)(uintptr_t)req->priv[PRIV_BOUNCE_DST];
	if (copy_out && db && !req->result) {
		size_t n = req->produced < req->dst_len ? req->produced :
			   req->dst_len;

		memcpy(req->dst, awd__block_ptr(db), n);
	}
	awd__bounce_put(ctx, sb);
	awd__bounce_put(ctx, db);
	req->priv[PRIV_BOUNCE_SRC] = 0;
	req->priv[PRIV_BOUNCE_DST] = 0;
}

/* No-SVA: device addresses of bounce copies of the request's buffers. */
static int req_bounce(struct awd_ctx *ctx, struct awd_req *req,
		      uint64_t *src, uint64_t *dst)
{
	struct awd_block *sb = NULL, *db = NULL;
	int ret = 0;

	if (req->src_len) {
		ret = awd__bounce_get(ctx, req->src_len, &sb);
		if (ret)
			goto fail;
		memcpy(awd__block_ptr(sb), req->src, req->src_len);
		*src = awd__block_iova(sb);
	}
	if (req->dst_len) {
		ret = awd__bounce_get(ctx, req->dst_len, &db);
		if (ret)
			goto fail;
		*dst = awd__block_iova(db);
	}
	req->priv[PRIV_BOUNCE_SRC] = (uintptr_t)sb;
	req->priv[PRIV_BOUNCE_DST] = (uintptr_t)db;
	return 0;
fail:
	awd__bounce_put(ctx, sb);
	/* nothing in flight will ever give blocks back */
	return ret == -EAGAIN && !ctx->inflight ? -ENOSPC : ret;
}

static void done_push(struct awd_ctx *ctx, struct awd_req *req)
{
	req->priv[PRIV_NEXT] = 0;
	req->priv[PRIV_STATE] = REQ_DONE;
	if (ctx->done_tail)
		ctx->done_tail->priv[PRIV_NEXT] = (uintptr_t)req;
	else
		ctx->done_head = req;
	ctx->done_tail = req;
}

static struct awd_req *done_pop(struct awd_ctx *ctx)
{
	struct awd_req *req = ctx->done_head;

	if (!req)
		return NULL;
	ctx->done_head = (struct awd_req *)(uintptr_t)req->priv[PRIV_NEXT];
	if (!ctx->done_head)
		ctx->done_tail = NULL;
	req->priv[PRIV_NEXT] = 0;
	req->priv[PRIV_STATE] = REQ_IDLE;
	return req;
}

static void done_unlink(struct awd_ctx *ctx, struct awd_req *req)
{
	struct awd_req *prev = NULL, *r = ctx->done_head;

	while (r && r != req) {
		prev = r;
		r = (struct awd_req *)(uintptr_t)r->priv[PRIV_NEXT];
	}
	if (!r)
		return;
	if (prev)
		prev->priv[PRIV_NEXT] = req->priv[PRIV_NEXT];
	else
		ctx->done_head = (struct awd_req *)(uintptr_t)req->priv[PRIV_NEXT];
	if (ctx->done_tail == req)
		ctx->done_tail = prev;
	req->priv[PRIV_NEXT] = 0;
	req->priv[PRIV_STATE] = REQ_IDLE;
}

static void slot_free(struct awd_ctx *ctx, uint32_t slot)
{
	if (ctx->fmt->release)
		ctx->fmt->release(ctx, slot);
	ctx->slots[slot] = NULL;
	ctx->free_slots[ctx->nfree++] = slot;
	ctx->inflight--;
}

static void abort_inflight(struct awd_ctx *ctx, int result)
{
	for (uint32_t i = 0; i < ctx->entries; i++) {
		struct awd_req *req = ctx->slots[i];

		if (!req)
			continue;
		req_release(ctx, req, false);
		req->result = result;
		req->hw_status = AWD_STS_ABORTED;
		req->priv[PRIV_TAG] = 0;
		slot_free(ctx, i);
		done_push(ctx, req);
	}
}

int awd__submit(struct awd_ctx *ctx, struct awd_req *req, uint32_t dflags,
		uint64_t ctx_addr)
{
	struct awd_hwreq h;
	uint64_t src, dst;
	uint32_t slot, tag;
	int ret;

	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	if (!req)
		return -EINVAL;
	if (req->priv[PRIV_STATE] == REQ_INFLIGHT)
		return -EINVAL;         /* already queued */
	ret = req_check(ctx, req);
	if (ret)
		return ret;
	if (ctx->inflight >= ctx->max_inflight || !ctx->nfree) {
		ctx->st.ring_full++;
		return -EAGAIN;
	}

	src = (uintptr_t)req->src;
	dst = (uintptr_t)req->dst;
	req->priv[PRIV_BOUNCE_SRC] = 0;
	req->priv[PRIV_BOUNCE_DST] = 0;
	if (awd__nosva(ctx)) {
		ret = req_bounce(ctx, req, &src, &dst);
		if (ret) {
			if (ret == -EAGAIN)
				ctx->st.ring_full++;
			return ret;
		}
	}

	slot = ctx->free_slots[ctx->nfree - 1];
	if (++ctx->gen > 0xffff)
		ctx->gen = 1;
	tag = (ctx->gen << TAG_GEN_SHIFT) | slot;

	memset(&h, 0, sizeof(h));
	h.tag = tag;
	h.flags = (uint8_t)(dflags | (ctx->irq ? AWD_DF_IRQ : 0));
	h.src = src;
	h.dst = dst;
	h.src_len = (uint32_t)req->src_len;
	h.dst_len = (uint32_t)req->dst_len;
	h.ctx = ctx_addr;
	switch (req->op) {
	case AWD_REQ_NOP:
		h.opcode = AWD_OP_NOP;
		break;
	case AWD_REQ_COMPRESS:
		h.opcode = AWD_OP_COMPRESS;
		h.param = (req->format << AWD_PARAM_FMT_SHIFT) |
			  (req->level << AWD_PARAM_LEVEL_SHIFT);
		break;
	case AWD_REQ_DECOMPRESS:
		h.opcode = AWD_OP_DECOMPRESS;
		h.param = req->format << AWD_PARAM_FMT_SHIFT;
		break;
	case AWD_REQ_RSA:
		h.opcode = AWD_OP_RSA;
		h.param = req->rsa_form;
		h.key = awd__rsa_key_addr(req->key, req->rsa_form);
		break;
	}

	req->result = 0;
	req->hw_status = 0;
	req->consumed = 0;
	req->produced = 0;
	req->checksum = 0;
	req->stream_end = 0;
	req->fault_addr = 0;
	req->priv[PRIV_TAG] = tag;
	req->priv[PRIV_NEXT] = 0;
	req->priv[PRIV_STATE] = REQ_INFLIGHT;
	ctx->slots[slot] = req;
	ctx->nfree--;
	ctx->inflight++;

	ret = ctx->fmt->submit(ctx, slot, &h);
	if (ret) {
		/* nothing reached the device: undo */
		ctx->slots[slot] = NULL;
		ctx->nfree++;
		ctx->inflight--;
		req->priv[PRIV_TAG] = 0;
		req->priv[PRIV_STATE] = REQ_IDLE;
		req_release(ctx, req, false);
		/* nothing in flight will ever give room back */
		if (ret == -EAGAIN && !ctx->inflight)
			ret = -ENOSPC;
		if (ret == -EAGAIN)
			ctx->st.ring_full++;
		return ret;
	}
	if (!ctx->last_cpl_ns)
		ctx->last_cpl_ns = now_ns();    /* a busy period starts */
	ctx->st.submitted++;
	return 0;
}

AWD_EXPORT int awd_submit(struct awd_ctx *ctx, struct awd_req *req)
{
	return awd__submit(ctx, req, 0, 0);
}

int awd__complete(struct awd_ctx *ctx, const struct awd_cpl *c,
		  uint32_t flags, uint32_t slot)
{
	struct awd_req *req;
	uint32_t tag = c->tag;

	if ((slot != UINT32_MAX && (tag & TAG_SLOT_MASK) != slot))
		goto bad;
	slot = tag & TAG_SLOT_MASK;
	if (slot >= ctx->entries || !ctx->slots[slot] ||
	    ctx->slots[slot]->priv[PRIV_TAG] != tag)
		goto bad;
	req = ctx->slots[slot];
	req->hw_status = c->status;
	req->result = awd_hw_status_errno(c->status);
	req->consumed = c->consumed;
	req->produced = c->produced;
	req->checksum = c->checksum;
	req->stream_end = !!(flags & AWD_CF_STREAM_END);
	req->fault_addr = c->fault_addr;
	/* never trust a length beyond what the request offered */
	if (!req->result && (req->consumed > req->src_len ||
			     req->produced > req->dst_len))
		req->result = -EIO;
	req->priv[PRIV_TAG] = 0;
	if (req->result)
		ctx->st.failed++;
	else {
		ctx->st.bytes_in += c->consumed;
		ctx->st.bytes_out += c->produced;
	}
	ctx->st.completed++;
	req_release(ctx, req, true);
	slot_free(ctx, slot);
	done_push(ctx, req);
	return 0;
bad:
	ctx->broken = true;
	return -EIO;
}

/* Move every new completion to the done list. Returns how many, or -EIO. */
static int reap_cq(struct awd_ctx *ctx)
{
	int n;

	if (!ctx->inflight)
		return 0;
	n = ctx->fmt->reap(ctx);
	if (n > 0) {
		uint64_t t = now_ns();

		/* completion rate while busy, for wait_event()'s spin */
		if (ctx->last_cpl_ns) {
			uint64_t gap = (t - ctx->last_cpl_ns) / (uint64_t)n;

			ctx->cpl_gap_ns = ctx->cpl_gap_ns ?
				(7 * ctx->cpl_gap_ns + gap) / 8 : gap;
		}
		ctx->last_cpl_ns = ctx->inflight ? t : 0;
	}
	return n;
}

AWD_EXPORT int awd_poll(struct awd_ctx *ctx, struct awd_req **done,
			unsigned int max)
{
	unsigned int n = 0;
	int ret;

	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	if (!done && max)
		return -EINVAL;
	ret = reap_cq(ctx);
	if (ret < 0)
		return ret;
	while (n < max && ctx->done_head)
		done[n++] = done_pop(ctx);
	return (int)n;
}

/*
 * Wait until a completion is ready or @deadline (ns, 0: forever) passes.
 * Returns 1 when something may be there, 0 on timeout, negative on error.
 */
static int wait_event(struct awd_ctx *ctx, uint64_t deadline)
{
	uint64_t start = now_ns(), last_check = start, spin = SPIN_NS;

	if (2 * ctx->cpl_gap_ns > spin && 2 * ctx->cpl_gap_ns <= SPIN_MAX_NS)
		spin = 2 * ctx->cpl_gap_ns;

	for (;;) {
		uint64_t t;
		int ret;

		if (ctx->fmt->ready(ctx))
			return 1;
		t = now_ns();
		if (deadline && t >= deadline)
			return 0;
		if (t - last_check >= STATE_CHECK_NS) {
			last_check = t;
			ret = ctx_state(ctx);
			if (ret)
				return ret;
		}
		if (ctx->irq && t - start >= spin) {
			struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN };
			uint64_t slice = STATE_CHECK_NS;
			int ms;

			if (deadline && deadline - t < slice)
				slice = deadline - t;
			ms = (int)((slice + 999999) / 1000000);
			ctx->st.sleeps++;
			ret = poll(&pfd, 1, ms);
			if (ret < 0 && errno == EINTR)
				return -EINTR;
			if (ret < 0)
				return neg_errno();
			if (ret > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
				ret = ctx_state(ctx);
				return ret ? ret : 1;
			}
			if (ret > 0 && (pfd.revents & POLLIN)) {
				uint64_t count;

				/*
				 * poll(2) is readable while completion
				 * interrupts are counted and unread: take
				 * them, or every later poll returns at once
				 * and the wait spins through the kernel.
				 * A failed read (queue error) shows in the
				 * state check of this loop.
				 */
				if (read(ctx->fd, &count, sizeof(count)) < 0)
					count = 0;
			}
		} else if (t - start >= spin) {
			sched_yield();
		}
	}
}

static uint64_t deadline_of(int timeout_ms)
{
	if (timeout_ms < 0)
		return 0;
	return now_ns() + (uint64_t)timeout_ms * 1000000ull + 1;
}

AWD_EXPORT int awd_wait(struct awd_ctx *ctx, struct awd_req **done,
			unsigned int max, int timeout_ms)
{
	uint64_t deadline;
	int ret;

	ret = awd_poll(ctx, done, max);
	if (ret != 0)
		return ret;
	if (!ctx->inflight)
		return ctx->done_head ? 0 : -ENOENT;
	if (timeout_ms == 0)
		return 0;
	deadline = deadline_of(timeout_ms);
	for (;;) {
		ret = wait_event(ctx, deadline);
		if (ret <= 0)
			return ret;
		ret = awd_poll(ctx, done, max);
		if (ret != 0)
			return ret;
	}
}

int awd__run(struct awd_ctx *ctx, struct awd_req *req, uint32_t dflags,
	     uint64_t ctx_addr)
{
	int ret;

	for (;;) {
		ret = awd__submit(ctx, req, dflags, ctx_addr);
		if (ret != -EAGAIN)
			break;
		ctx->st.ring_full--;    /* counted by awd_submit() callers only */
		ret = reap_cq(ctx);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			ret = wait_event(ctx, 0);
			if (ret < 0)
				return ret;
		}
	}
	if (ret)
		return ret;
	while (req->priv[PRIV_STATE] == REQ_INFLIGHT) {
		ret = reap_cq(ctx);
		if (ret < 0)
			return ret;
		if (req->priv[PRIV_STATE] != REQ_INFLIGHT)
			break;
		ret = wait_event(ctx, 0);
		if (ret < 0) {
			if (ret == -EINTR)
				continue;       /* the request is still ours */
			abort_inflight(ctx, ret);
			break;
		}
	}
	done_unlink(ctx, req);
	return req->result;
}

AWD_EXPORT int awd_run(struct awd_ctx *ctx, struct awd_req *req)
{
	return awd__run(ctx, req, 0, 0);
}
