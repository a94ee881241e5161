// SPDX-License-Identifier: MIT
/*
 * Host stand-in for the accel_wd driver and device (see mock.h). Follows
 * accel_wd_uapi.h for the file interface and hw/accel-wd/accel-wd-queue.c
 * for descriptor checks; computation is the device's engines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "accel_wd_uapi.h"
#include "accel_wd_crec.h"
#include "accel_wd_sgl.h"
#include "engine.h"
#include "mock.h"


struct mock_knobs mock_knobs;

#define PAGE          4096u
#define IOVA_BASE     0x40000000000ull   /* no-SVA addresses start here */

struct region {
	uint64_t uaddr, len, iova;
};

/* A descriptor of any format, as the device sees its common fields. */
struct mdesc {
	uint8_t opcode, flags;
	uint16_t rsvd0;
	uint32_t tag;
	uint64_t src, dst;
	uint32_t src_len, dst_len;
	uint64_t ctx, key;
	uint32_t param, rsvd1;
	uint64_t last;          /* ring, sgl: rsvd2; crec: the record */
};
_Static_assert(sizeof(struct mdesc) == AWD_DESC_SIZE, "mdesc");

/* A buffer resolved to process memory. */
struct mbuf {
	AwdSeg *seg;
	unsigned int n, cap;
	uint64_t total;
};

#define PORTAL_MAX (1u << AWD_RING_ORDER_MAX)

struct mockq {
	int fd;
	unsigned int index;
	struct awd_info info;
	uint8_t *db;
	void *sq;
	struct awd_cpl *cq;
	bool mapped[3];
	pthread_t thr;
	bool thr_on;
	bool stop;                      /* atomic */
	uint32_t sq_head, cq_tail, phase;
	uint32_t last_tail, last_head;  /* ring doorbells seen (counters) */
	pthread_mutex_t lock;           /* regions, portal */
	struct region reg[AWD_MAX_REGIONS];
	unsigned int nreg;
	uint64_t next_iova;
	uint64_t sq_iova, cq_iova;      /* no-SVA: device addresses of SQ/CQ */
	/* crec portal: accepted submissions, and those not finished */
	uint64_t *portal;
	uint32_t p_head, p_count, pending;
	AwdDeflateEngine *eng;
	uint8_t stream_ctx[AWD_ENGINE_STREAM_CTX_SIZE];
	struct awd_qstats qst;
	uint64_t cnt[AWD_QCNT_NR];      /* atomic adds */
	struct mbuf sbuf, dbuf;
	struct awd_telem_scope tm_base; /* driver: the queue's telemetry at open */
};

static pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mockq *queues[MOCK_QUEUES];

/*
 * Telemetry as the device keeps it: per queue index, for the life of the
 * process (not per open), under tm_lock. Counted: requests, latency from
 * fetch to completion (sum, max, histogram), occupancy at fetch, bytes;
 * the mock has no ATC, page requests or invalidations (0).
 */
static pthread_mutex_t tm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct awd_telem_scope tm_hw[MOCK_QUEUES];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void tm_fetch(struct mockq *q, uint64_t outstanding)
{
	__u64 *it = tm_hw[q->index].item;

	pthread_mutex_lock(&tm_lock);
	it[AWD_TM_OCC_SUM] += outstanding;
	it[AWD_TM_OCC_SAMPLES]++;
	if (outstanding > it[AWD_TM_OCC_MAX])
		it[AWD_TM_OCC_MAX] = outstanding;
	pthread_mutex_unlock(&tm_lock);
}

static void tm_done(struct mockq *q, uint64_t t0, const struct awd_cpl *c)
{
	struct awd_telem_scope *s = &tm_hw[q->index];
	uint64_t lat = now_ns() - t0;
	unsigned int b = 0;

	while (b + 1 < AWD_TM_HIST_BUCKETS && lat >> (b + 1))
		b++;
	pthread_mutex_lock(&tm_lock);
	s->item[AWD_TM_REQS]++;
	s->item[AWD_TM_LAT_SUM_NS] += lat;
	if (lat > s->item[AWD_TM_LAT_MAX_NS])
		s->item[AWD_TM_LAT_MAX_NS] = lat;
	s->item[AWD_TM_BYTES_IN] += c->consumed;
	s->item[AWD_TM_BYTES_OUT] += c->produced;
	s->hist[b]++;
	pthread_mutex_unlock(&tm_lock);
}

/* tm_lock held: the driver's since-open view of queue @q (accel_wd_uapi.h) */
static void tm_since_open(const struct mockq *q, struct awd_telem *t)
{
	static const unsigned int maxes[][2] = {
		{ AWD_TM_LAT_MAX_NS, AWD_TM_REQS },
		{ AWD_TM_OCC_MAX, AWD_TM_OCC_SAMPLES },
		{ AWD_TM_PR_LAT_MAX_NS, AWD_TM_PR_WAITS },
		{ AWD_TM_INV_WAIT_MAX_NS, AWD_TM_INV },
	};
	const struct awd_telem_scope *b = &q->tm_base;

	/* counts and sums; the maximums (and MODEL, 0 here) stay as read */
	for (int i = 0; i < AWD_TM_NR_ITEMS; i++)
		if (i != AWD_TM_LAT_MAX_NS && i != AWD_TM_OCC_MAX &&
		    i != AWD_TM_PR_LAT_MAX_NS && i != AWD_TM_INV_WAIT_MAX_NS)
			t->q.item[i] -= b->item[i];
	for (int i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		t->q.hist[i] -= b->hist[i];
	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		unsigned int m = maxes[i][0];

		if (!t->q.item[maxes[i][1]]) {
			t->q.item[m] = 0;
		} else if (t->q.item[m] <= b->item[m]) {
			t->q.item[m] = 0;
			t->q_unknown |= 1ull << m;
		}
	}
}

static int telemetry(struct mockq *q, struct awd_telem *t)
{
	uint32_t in = t->in_flags;

	if (in & ~AWD_TELEM_IN_VALID)
		return -EINVAL;
	if (!(q->info.caps & AWD_CAP_TELEMETRY))
		return -EOPNOTSUPP;
	if ((in & AWD_TELEM_IN_HISTORY) && mock_knobs.tm_unprivileged)
		return -EPERM;
	memset(t, 0, sizeof(*t));
	t->version = AWD_TELEM_VERSION;
	t->queue = q->index;
	t->nr_items = AWD_TM_NR_ITEMS;
	t->nr_buckets = AWD_TM_HIST_BUCKETS;
	pthread_mutex_lock(&tm_lock);
	t->q = tm_hw[q->index];
	for (int i = 0; i < MOCK_QUEUES; i++) {
		for (int k = 0; k < AWD_TM_NR_ITEMS; k++) {
			bool max = k == AWD_TM_LAT_MAX_NS || k == AWD_TM_OCC_MAX;

			if (max && tm_hw[i].item[k] > t->dev.item[k])
				t->dev.item[k] = tm_hw[i].item[k];
			else if (!max)
				t->dev.item[k] += tm_hw[i].item[k];
		}
		for (int k = 0; k < AWD_TM_HIST_BUCKETS; k++)
			t->dev.hist[k] += tm_hw[i].hist[k];
	}
	if (in & AWD_TELEM_IN_HISTORY)
		t->flags |= AWD_TELEM_F_HISTORY;
	else
		tm_since_open(q, t);
	pthread_mutex_unlock(&tm_lock);
	return 0;
}

static struct mockq *find_fd(int fd)
{
	struct mockq *q = NULL;

	pthread_mutex_lock(&mock_lock);
	for (int i = 0; i < MOCK_QUEUES; i++)
		if (queues[i] && queues[i]->fd == fd)
			q = queues[i];
	pthread_mutex_unlock(&mock_lock);
	return q;
}

unsigned int mock_regions(void)
{
	unsigned int n = 0;

	pthread_mutex_lock(&mock_lock);
	for (int i = 0; i < MOCK_QUEUES; i++)
		if (queues[i])
			n += queues[i]->nreg;
	pthread_mutex_unlock(&mock_lock);
	return n;
}

void mock_set_sgl_limits(uint32_t max_entries, uint32_t max_lists)
{
	pthread_mutex_lock(&mock_lock);
	for (int i = 0; i < MOCK_QUEUES; i++) {
		uint32_t *p = queues[i] ? queues[i]->info.fmt_param : NULL;

		if (!p || queues[i]->info.format != AWD_FORMAT_SGL)
			continue;
		p[AWD_SGL_PARAM_MAX_ENTRIES] = max_entries;
		p[AWD_SGL_PARAM_MAX_LISTS] = max_lists;
	}
	pthread_mutex_unlock(&mock_lock);
}

static void count(struct mockq *q, enum awd_qcnt i, uint64_t n)
{
	__atomic_add_fetch(&q->cnt[i], n, __ATOMIC_RELAXED);
}

static bool in_range(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a >= base && a - base <= size && len <= size - (a - base);
}

/* Device address -> process pointer, or NULL (a fault). */
static uint8_t *xlate(struct mockq *q, uint64_t a, uint64_t len)
{
	uint8_t *p = NULL;

	if (!len)
		len = 1;
	if (q->info.mode == AWD_MODE_SVA)
		return a ? (uint8_t *)(uintptr_t)a : NULL;
	/* the driver maps the queue's own regions for the device */
	if (q->sq && in_range(a, len, q->sq_iova, q->info.sq_size))
		return (uint8_t *)q->sq + (a - q->sq_iova);
	if (q->cq && in_range(a, len, q->cq_iova, q->info.cq_size))
		return (uint8_t *)q->cq + (a - q->cq_iova);
	pthread_mutex_lock(&q->lock);
	for (unsigned int i = 0; i < q->nreg; i++) {
		struct region *r = &q->reg[i];

		if (in_range(a, len, r->iova, r->len)) {
			p = (uint8_t *)(uintptr_t)(r->uaddr + (a - r->iova));
			break;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return p;
}

static bool mbuf_add(struct mbuf *b, uint8_t *p, uint64_t len)
{
	if (b->n == b->cap) {
		unsigned int cap = b->cap ? 2 * b->cap : 16;
		AwdSeg *s = realloc(b->seg, cap * sizeof(*s));

		if (!s)
			return false;
		b->seg = s;
		b->cap = cap;
	}
	b->seg[b->n++] = (AwdSeg){ .base = p, .len = len };
	b->total += len;
	return true;
}

/*
 * Resolve a buffer: one range (ring, crec) or a scatter-gather list
 * (sgl), following accel_wd_sgl.h. Returns AWD_STS_*.
 */
static uint32_t resolve(struct mockq *q, uint64_t a, uint32_t len, bool write,
			struct mbuf *b, struct awd_cpl *c)
{
	uint32_t max_e = q->info.fmt_param[AWD_SGL_PARAM_MAX_ENTRIES];
	uint32_t max_l = q->info.fmt_param[AWD_SGL_PARAM_MAX_LISTS];
	uint64_t lists[64][2], list;     /* [start, end) of each list walked */
	unsigned int nlists = 0, ndata = 0;

	b->n = 0;
	b->total = 0;
	if (q->info.format != AWD_FORMAT_SGL) {
		uint8_t *p;

		if (!len)
			return AWD_STS_OK;
		p = xlate(q, a, len);
		if (!p) {
			c->fault_addr = a;
			c->flags |= write ? AWD_CF_FAULT_WRITE : 0;
			return AWD_STS_FAULT;
		}
		mbuf_add(b, p, len);
		return AWD_STS_OK;
	}
	if (!len && !a)
		return AWD_STS_OK;      /* no buffer */
	if (!max_l || max_l > sizeof(lists) / sizeof(lists[0]))
		max_l = sizeof(lists) / sizeof(lists[0]);
	if (!max_e)
		max_e = UINT32_MAX;
	list = a;
	for (;;) {
		if (list & (AWD_SGL_ALIGN - 1))
			return AWD_STS_MISALIGNED;
		/* a chain into any part of a list already walked */
		for (unsigned int i = 0; i < nlists; i++)
			if (list >= lists[i][0] && list < lists[i][1])
				return AWD_STS_SGL_LOOP;
		if (nlists == max_l)
			return AWD_STS_SGL_TOO_LONG;
		lists[nlists][0] = list;
		lists[nlists][1] = list;
		nlists++;
		for (uint64_t e = list;; e += sizeof(struct awd_sge)) {
			struct awd_sge *g;
			struct awd_sge sge;
			uint8_t *p;

			g = (struct awd_sge *)xlate(q, e, sizeof(*g));
			if (!g) {
				c->fault_addr = e;
				c->flags |= AWD_CF_FAULT_META;
				return AWD_STS_FAULT;
			}
			memcpy(&sge, g, sizeof(sge));
			count(q, AWD_QCNT_LIST_BYTES, sizeof(sge));
			lists[nlists - 1][1] = e + sizeof(sge);
			if ((sge.flags & ~AWD_SGE_VALID_MASK) ||
			    sge.flags == (AWD_SGE_CHAIN | AWD_SGE_END))
				return AWD_STS_INVALID_FLAGS;
			if (sge.flags & AWD_SGE_CHAIN) {
				/* unsaid by the header; the device's choice */
				if (sge.len)
					return AWD_STS_INVALID_FLAGS;
				list = sge.addr;
				break;
			}
			if (!sge.len)
				return AWD_STS_SGL_ZERO_LEN;
			if (++ndata > max_e)
				return AWD_STS_SGL_TOO_LONG;
			p = xlate(q, sge.addr, sge.len);
			if (!p) {
				c->fault_addr = sge.addr;
				c->flags |= write ? AWD_CF_FAULT_WRITE : 0;
				return AWD_STS_FAULT;
			}
			if (!mbuf_add(b, p, sge.len))
				return AWD_STS_ABORTED;
			if (sge.flags & AWD_SGE_END)
				goto done;
		}
	}
done:
	return b->total == len ? AWD_STS_OK : AWD_STS_INVALID_LEN;
}

static bool hit(const void *a, uint64_t alen, const void *b, uint64_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return alen && blen && x < y + blen && y < x + alen;
}

static bool bufs_overlap(const struct mbuf *a, const struct mbuf *b)
{
	for (unsigned int i = 0; i < a->n; i++)
		for (unsigned int j = 0; j < b->n; j++)
			if (hit(a->seg[i].base, a->seg[i].len, b->seg[j].base,
				b->seg[j].len))
				return true;
	return false;
}

static bool buf_hits(const struct mbuf *a, const void *p, uint64_t len)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (hit(a->seg[i].base, a->seg[i].len, p, len))
			return true;
	return false;
}

static uint32_t op_comp(struct mockq *q, const struct mdesc *d,
			struct awd_cpl *c)
{
	bool compress = d->opcode == AWD_OP_COMPRESS;
	bool stream = d->flags & AWD_DF_STREAM;
	unsigned int fmt = d->param & AWD_PARAM_FMT_MASK;
	unsigned int level = (d->param >> AWD_PARAM_LEVEL_SHIFT) &
			     AWD_PARAM_LEVEL_MASK;
	bool empty_ok = stream && (d->flags & AWD_DF_FINAL);
	uint8_t *ctx = NULL;
	AwdSgl ssgl, dsgl;
	AwdDeflateOp op;
	AwdEngineResult r;
	uint32_t st;

	if ((d->param & ~AWD_PARAM_COMP_VALID_MASK) || fmt > AWD_FMT_GZIP ||
	    (compress && (level < 1 || level > 9)) || d->key ||
	    (stream ? (!d->ctx || (d->ctx & (AWD_STREAM_CTX_ALIGN - 1))) :
		      d->ctx != 0))
		return AWD_STS_INVALID_PARAM;
	if ((!d->src_len && !empty_ok) || !d->dst_len ||
	    d->src_len > q->info.max_xfer || d->dst_len > q->info.max_xfer)
		return AWD_STS_INVALID_LEN;
	if (stream) {
		ctx = xlate(q, d->ctx, AWD_ENGINE_STREAM_CTX_SIZE);
		if (!ctx) {
			c->fault_addr = d->ctx;
			return AWD_STS_FAULT;
		}
	}
	st = resolve(q, d->src, d->src_len, false, &q->sbuf, c);
	if (st == AWD_STS_OK)
		st = resolve(q, d->dst, d->dst_len, true, &q->dbuf, c);
	if (st != AWD_STS_OK)
		return st;
	if (bufs_overlap(&q->sbuf, &q->dbuf) ||
	    (stream && (buf_hits(&q->sbuf, ctx, AWD_ENGINE_STREAM_CTX_SIZE) ||
			buf_hits(&q->dbuf, ctx, AWD_ENGINE_STREAM_CTX_SIZE))))
		return AWD_STS_OVERLAP;
	if (stream)
		memcpy(q->stream_ctx, ctx, sizeof(q->stream_ctx));
	ssgl = (AwdSgl){ .seg = q->sbuf.seg, .nseg = q->sbuf.n,
			 .total = q->sbuf.total };
	dsgl = (AwdSgl){ .seg = q->dbuf.seg, .nseg = q->dbuf.n,
			 .total = q->dbuf.total };
	op = (AwdDeflateOp){
		.compress = compress, .fmt = fmt, .level = level,
		.stream = stream,
		.stream_init = d->flags & AWD_DF_STREAM_INIT,
		.final = d->flags & AWD_DF_FINAL,
		.src = &ssgl, .dst = &dsgl,
		.ctx = stream ? q->stream_ctx : NULL,
	};
	if (!awd_deflate_run(q->eng, &op, &r))
		return AWD_STS_ABORTED;
	if (stream && r.status == AWD_STS_OK)
		memcpy(ctx, q->stream_ctx, sizeof(q->stream_ctx));
	c->consumed = r.consumed;
	c->produced = r.produced;
	c->checksum = r.checksum;
	c->flags |= r.flags;
	return r.status;
}

/* Copy between a flat buffer and a resolved one. */
static void gather(const struct mbuf *b, uint8_t *out, size_t len)
{
	for (unsigned int i = 0; i < b->n && len; i++) {
		size_t n = b->seg[i].len < len ? b->seg[i].len : len;

		memcpy(out, b->seg[i].base, n);
		out += n;
		len -= n;
	}
}

static void scatter(const struct mbuf *b, const uint8_t *in, size_t len)
{
	for (unsigned int i = 0; i < b->n && len; i++) {
		size_t n = b->seg[i].len < len ? b->seg[i].len : len;

		memcpy(b->seg[i].base, in, n);
		in += n;
		len -= n;
	}
}

static uint32_t op_rsa(struct mockq *q, const struct mdesc *d,
		       struct awd_cpl *c)
{
	size_t len = d->src_len, klen = awd_rsa_key_len(d->param, len);
	uint8_t *key, in[AWD_RSA_MAX_BITS / 8], tmp[AWD_RSA_MAX_BITS / 8];
	AwdRsaOp op;
	uint32_t st;

	if (d->param > AWD_RSA_CRT || d->ctx)
		return AWD_STS_INVALID_PARAM;
	if (!d->src_len || !d->dst_len || d->src_len > q->info.max_xfer ||
	    d->dst_len > q->info.max_xfer)
		return AWD_STS_INVALID_LEN;
	if (!klen)
		return AWD_STS_BAD_KEY;
	if (d->dst_len < len) {
		c->produced = (uint32_t)len;
		return AWD_STS_DST_TOO_SMALL;
	}
	key = xlate(q, d->key, klen);
	if (!key) {
		c->fault_addr = d->key;
		return AWD_STS_FAULT;
	}
	st = resolve(q, d->src, d->src_len, false, &q->sbuf, c);
	if (st == AWD_STS_OK)
		st = resolve(q, d->dst, d->dst_len, true, &q->dbuf, c);
	if (st != AWD_STS_OK)
		return st;
	if (buf_hits(&q->dbuf, key, klen))
		return AWD_STS_OVERLAP;
	gather(&q->sbuf, in, len);
	op = (AwdRsaOp){ .form = d->param, .len = len, .in = in, .key = key,
			 .out = tmp };
	st = awd_rsa_run(&op);
	if (st != AWD_STS_OK)
		return st;
	scatter(&q->dbuf, tmp, len);
	c->consumed = (uint32_t)len;
	c->produced = (uint32_t)len;
	return AWD_STS_OK;
}

static uint32_t execute(struct mockq *q, const struct mdesc *d,
			struct awd_cpl *c)
{
	uint64_t rsvd2 = q->info.format == AWD_FORMAT_CREC ? 0 : d->last;

	if (d->opcode >= AWD_OP_MAX ||
	    (d->opcode == AWD_OP_BATCH && q->info.format != AWD_FORMAT_CREC))
		return AWD_STS_INVALID_OPCODE;
	if ((d->flags & ~AWD_DF_VALID_MASK) || d->rsvd0 || d->rsvd1 || rsvd2)
		return AWD_STS_INVALID_FLAGS;
	if (d->opcode != AWD_OP_COMPRESS && d->opcode != AWD_OP_DECOMPRESS &&
	    (d->flags & (AWD_DF_STREAM | AWD_DF_STREAM_INIT | AWD_DF_FINAL)))
		return AWD_STS_INVALID_FLAGS;
	if (!(d->flags & AWD_DF_STREAM) &&
	    (d->flags & (AWD_DF_STREAM_INIT | AWD_DF_FINAL)))
		return AWD_STS_INVALID_FLAGS;
	switch (d->opcode) {
	case AWD_OP_NOP:
		return AWD_STS_OK;
	case AWD_OP_COMPRESS:
	case AWD_OP_DECOMPRESS:
		return op_comp(q, d, c);
	default:
		return op_rsa(q, d, c);
	}
}

static void q_error(struct mockq *q, uint32_t err)
{
	if (q->info.state != AWD_QS_RUNNING)
		return;
	q->info.state = AWD_QS_ERROR;
	q->info.hw_error = err;
	q->qst.errors++;
}

/* ---- ring and sgl: the rings of accel_wd_ring.h ------------------------ */

static void ring_step(struct mockq *q)
{
	uint32_t mask = (1u << q->info.ring_order) - 1;
	uint32_t tail = __atomic_load_n((uint32_t *)(q->db + AWD_DB_SQ_TAIL),
					__ATOMIC_ACQUIRE);
	uint32_t cq_head = __atomic_load_n((uint32_t *)(q->db + AWD_DB_CQ_HEAD),
					   __ATOMIC_ACQUIRE);
	struct awd_cpl *cq = q->cq;
	struct mdesc d;
	struct awd_cpl c = { 0 };
	uint64_t t0;
	uint32_t st;

	if (tail != q->last_tail || cq_head != q->last_head) {
		count(q, AWD_QCNT_DB_WRITES, (tail != q->last_tail) +
					     (cq_head != q->last_head));
		q->last_tail = tail;
		q->last_head = cq_head;
	}
	if (mock_knobs.fail_next && tail != q->sq_head) {
		mock_knobs.fail_next = false;
		q_error(q, AWD_QERR_SQ_FETCH);
	}
	if (tail > mask)
		q_error(q, AWD_QERR_BAD_DOORBELL);
	if (q->info.state != AWD_QS_RUNNING || mock_knobs.stall ||
	    tail == q->sq_head || ((q->cq_tail + 1) & mask) == cq_head) {
		usleep(20);
		return;
	}
	memcpy(&d, (uint8_t *)q->sq + (size_t)q->sq_head * AWD_DESC_SIZE,
	       sizeof(d));
	count(q, AWD_QCNT_DESC_BYTES, sizeof(d));
	tm_fetch(q, (tail - q->sq_head) & mask);
	t0 = now_ns();
	q->sq_head = (q->sq_head + 1) & mask;
	st = execute(q, &d, &c);
	c.tag = d.tag;
	if (mock_knobs.bad_tag) {
		mock_knobs.bad_tag = false;
		c.tag ^= 0x7fff0000;
	}
	c.status = (uint16_t)st;
	c.sq_head = (uint16_t)q->sq_head;
	memcpy(&cq[q->cq_tail], &c, offsetof(struct awd_cpl, flags));
	__atomic_store_n(&cq[q->cq_tail].flags, c.flags | q->phase,
			 __ATOMIC_RELEASE);
	count(q, AWD_QCNT_CPL_BYTES, sizeof(c));
	tm_done(q, t0, &c);
	if (d.flags & AWD_DF_IRQ)
		q->qst.irqs++;
	if (++q->cq_tail > mask) {
		q->cq_tail = 0;
		q->phase ^= AWD_CF_PHASE;
	}
}

/* ---- crec: portal and completion records (accel_wd_crec.h) ------------ */

/* Write a completion record; false: the queue stopped (CQ_WRITE). */
static bool crec_write(struct mockq *q, uint64_t addr, struct awd_cpl *c)
{
	struct awd_cpl *r = (addr & (AWD_CREC_ALIGN - 1)) ? NULL :
			    (struct awd_cpl *)xlate(q, addr, sizeof(*r));

	if (!r) {
		q_error(q, AWD_QERR_CQ_WRITE);
		return false;
	}
	if (mock_knobs.bad_tag) {
		mock_knobs.bad_tag = false;
		c->tag ^= 0x7fff0000;
	}
	c->sq_head = 0;
	memcpy(r, c, offsetof(struct awd_cpl, flags));
	__atomic_store_n(&r->flags, c->flags | AWD_CF_DONE, __ATOMIC_RELEASE);
	count(q, AWD_QCNT_CPL_BYTES, sizeof(*c));
	return true;
}

static uint32_t crec_batch(struct mockq *q, const struct mdesc *b,
			   struct awd_cpl *c)
{
	uint32_t max = q->info.fmt_param[AWD_CREC_PARAM_MAX_BATCH];
	uint32_t ok = 0;

	if (b->flags & ~AWD_DF_IRQ || b->dst || b->dst_len || b->ctx ||
	    b->key || b->param || b->rsvd0 || b->rsvd1)
		return AWD_STS_INVALID_FLAGS;
	if (!b->src_len || b->src_len > max)
		return AWD_STS_INVALID_LEN;
	if (b->src & (AWD_CREC_DESC_ALIGN - 1))
		return AWD_STS_MISALIGNED;
	for (uint32_t i = 0; i < b->src_len; i++) {
		uint64_t a = b->src + (uint64_t)i * AWD_DESC_SIZE;
		uint8_t *p = xlate(q, a, AWD_DESC_SIZE);
		struct awd_cpl sc = { 0 };
		struct mdesc d;
		uint32_t st;

		if (!p) {
			c->fault_addr = a;
			c->flags |= AWD_CF_FAULT_META;
			c->consumed = ok;
			c->produced = i;
			return AWD_STS_FAULT;
		}
		memcpy(&d, p, sizeof(d));
		count(q, AWD_QCNT_DESC_BYTES, sizeof(d));
		st = d.opcode == AWD_OP_BATCH ? AWD_STS_INVALID_OPCODE :
		     execute(q, &d, &sc);
		sc.tag = d.tag;
		sc.status = (uint16_t)st;
		if (!crec_write(q, d.last, &sc))
			return AWD_STS_ABORTED;
		ok += st == AWD_STS_OK;
	}
	c->consumed = ok;
	c->produced = b->src_len;
	return ok == b->src_len ? AWD_STS_OK : AWD_STS_BATCH_FAIL;
}

static void crec_step(struct mockq *q)
{
	struct awd_cpl c = { 0 };
	struct mdesc d;
	uint64_t addr, t0;
	uint8_t *p;
	uint32_t st;

	pthread_mutex_lock(&q->lock);
	if (mock_knobs.fail_next && q->p_count) {
		mock_knobs.fail_next = false;
		q_error(q, AWD_QERR_SQ_FETCH);
	}
	if (q->info.state != AWD_QS_RUNNING || mock_knobs.stall ||
	    !q->p_count) {
		pthread_mutex_unlock(&q->lock);
		usleep(20);
		return;
	}
	addr = q->portal[q->p_head];
	tm_fetch(q, q->p_count);
	t0 = now_ns();
	q->p_head = (q->p_head + 1) & ((1u << q->info.ring_order) - 1);
	q->p_count--;
	q->sq_head++;
	pthread_mutex_unlock(&q->lock);

	p = xlate(q, addr, AWD_DESC_SIZE);
	if (!p) {
		q_error(q, AWD_QERR_SQ_FETCH);
		return;
	}
	memcpy(&d, p, sizeof(d));
	count(q, AWD_QCNT_DESC_BYTES, sizeof(d));
	st = d.opcode == AWD_OP_BATCH ? crec_batch(q, &d, &c) :
	     execute(q, &d, &c);
	c.tag = d.tag;
	c.status = (uint16_t)st;
	if (!crec_write(q, d.last, &c))
		return;
	tm_done(q, t0, &c);
	if (d.flags & AWD_DF_IRQ)
		q->qst.irqs++;
	pthread_mutex_lock(&q->lock);
	q->pending--;
	pthread_mutex_unlock(&q->lock);
}

static void *worker(void *opaque)
{
	struct mockq *q = opaque;

	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		if (q->info.format == AWD_FORMAT_CREC)
			crec_step(q);
		else
			ring_step(q);
	}
	return NULL;
}

static void q_stop(struct mockq *q)
{
	if (q->thr_on) {
		__atomic_store_n(&q->stop, true, __ATOMIC_RELEASE);
		pthread_join(q->thr, NULL);
		q->thr_on = false;
		q->stop = false;
	}
	if (q->info.state != AWD_QS_DEAD)
		q->info.state = AWD_QS_IDLE;
}

static int q_start(struct mockq *q)
{
	uint32_t n = 1u << q->info.ring_order;

	if (!q->mapped[0] || !q->mapped[1] || !q->mapped[2])
		return -EINVAL;
	q_stop(q);
	q->sq_head = 0;
	q->cq_tail = 0;
	q->phase = AWD_CF_PHASE;
	q->last_tail = 0;
	q->last_head = 0;
	q->p_head = 0;
	q->p_count = 0;
	q->pending = 0;
	memset(q->cnt, 0, sizeof(q->cnt));
	memset(q->db, 0, PAGE);
	memset(q->cq, 0, n * sizeof(struct awd_cpl));
	q->info.state = AWD_QS_RUNNING;
	q->info.hw_error = 0;
	q->qst.starts++;
	if (pthread_create(&q->thr, NULL, worker, q))
		return -ENOMEM;
	q->thr_on = true;
	return 0;
}

static void set_layout(struct mockq *q)
{
	uint64_t n = 1u << q->info.ring_order;

	q->info.db_offset = (uint64_t)AWD_MMAP_DB * PAGE;
	q->info.db_size = PAGE;
	q->info.sq_offset = (uint64_t)AWD_MMAP_SQ * PAGE;
	q->info.sq_size = (n * sizeof(struct awd_desc) + PAGE - 1) & ~(PAGE - 1ull);
	q->info.cq_offset = (uint64_t)AWD_MMAP_CQ * PAGE;
	q->info.cq_size = (n * sizeof(struct awd_cpl) + PAGE - 1) & ~(PAGE - 1ull);
	/* no-SVA: the driver maps both regions for the device */
	if (q->info.mode != AWD_MODE_SVA) {
		q->sq_iova = q->next_iova;
		q->cq_iova = q->sq_iova + q->info.sq_size + PAGE;
		q->next_iova = q->cq_iova + q->info.cq_size + PAGE;
		q->info.sq_iova = q->sq_iova;
		q->info.cq_iova = q->cq_iova;
	}
}

/* AWD_MOCK_FORMAT (or mock_knobs.format): ring, sgl, crec or a number */
static uint32_t mock_format(void)
{
	const char *f = mock_knobs.format ? mock_knobs.format :
			getenv("AWD_MOCK_FORMAT");

	if (!f || !f[0] || !strcmp(f, "ring"))
		return AWD_FORMAT_RING;
	if (!strcmp(f, "sgl"))
		return AWD_FORMAT_SGL;
	if (!strcmp(f, "crec"))
		return AWD_FORMAT_CREC;
	return (uint32_t)strtoul(f, NULL, 0);
}

static uint32_t env_u32(const char *name, uint32_t dflt)
{
	const char *v = getenv(name);

	return v && v[0] ? (uint32_t)strtoul(v, NULL, 0) : dflt;
}

/*
 * The driver's waiting line: an open without O_NONBLOCK takes a ticket and
 * waits, under mock_lock, until it is the oldest and a queue is free.
 */
static pthread_cond_t mock_freed = PTHREAD_COND_INITIALIZER;
static unsigned long ticket_next, ticket_served;

static int free_slot(void)
{
	for (int i = 0; i < MOCK_QUEUES; i++)
		if (!queues[i])
			return i;
	return -1;
}

int __wrap_open64(const char *path, int flags, ...)
{
	struct mockq *q;
	int slot = -1;
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strncmp(path, "/dev/accel_wd", 13))
		return __real_open64(path, flags, mode);
	if (strcmp(path, "/dev/accel_wd0")) {
		errno = ENOENT;
		return -1;
	}
	pthread_mutex_lock(&mock_lock);
	if (ticket_next == ticket_served)
		slot = free_slot();
	if (slot < 0 && !(flags & O_NONBLOCK)) {
		unsigned long t = ticket_next++;

		while (t != ticket_served || (slot = free_slot()) < 0)
			pthread_cond_wait(&mock_freed, &mock_lock);
		ticket_served++;
		pthread_cond_broadcast(&mock_freed);
	}
	if (slot < 0) {
		pthread_mutex_unlock(&mock_lock);
		errno = EBUSY;
		return -1;
	}
	q = calloc(1, sizeof(*q));
	q->fd = __real_open64("/dev/null", O_RDWR | (flags & O_CLOEXEC));
	q->index = (unsigned int)slot;
	pthread_mutex_init(&q->lock, NULL);
	q->eng = awd_deflate_engine_new();
	q->next_iova = IOVA_BASE + ((uint64_t)slot << 36);
	q->info.version = AWD_VERSION;
	/* the device's zlib engine only: its output is zlib's */
	q->info.caps = AWD_CAP_DEFLATE | AWD_CAP_INFLATE | AWD_CAP_RSA |
		       AWD_CAP_STREAM | AWD_CAP_PASID | AWD_CAP_ATS |
		       AWD_CAP_PRI | AWD_CAP_ZLIB_EXACT;
	if (!mock_knobs.no_telemetry)
		q->info.caps |= AWD_CAP_TELEMETRY;
	pthread_mutex_lock(&tm_lock);
	q->tm_base = tm_hw[slot];
	pthread_mutex_unlock(&tm_lock);
	if (getenv("AWD_MOCK_NOSVA"))
		mock_knobs.nosva = true;
	q->info.mode = mock_knobs.nosva ? AWD_MODE_NOSVA : AWD_MODE_SVA;
	q->info.flags = mock_knobs.no_irq ? 0 : AWD_INFO_F_IRQ;
	q->info.queue = (uint32_t)slot;
	q->info.pasid = mock_knobs.nosva ? 0 : 7;
	q->info.num_queues = MOCK_QUEUES;
	q->info.ring_order = mock_knobs.ring_order ? mock_knobs.ring_order : 6;
	q->info.ring_order_max = 12;
	q->info.max_xfer = mock_knobs.max_xfer ? mock_knobs.max_xfer : 1u << 20;
	if (getenv("AWD_MOCK_MAX_XFER"))
		q->info.max_xfer = (uint32_t)strtoul(getenv("AWD_MOCK_MAX_XFER"),
						     NULL, 0);
	q->info.rsa_max_bits = AWD_RSA_MAX_BITS;
	q->info.stream_ctx_size = AWD_ENGINE_STREAM_CTX_SIZE;
	q->info.state = AWD_QS_IDLE;
	q->info.format = mock_format();
	if (q->info.format == AWD_FORMAT_SGL) {
		q->info.fmt_param[AWD_SGL_PARAM_MAX_ENTRIES] =
			mock_knobs.sgl_max_entries ? mock_knobs.sgl_max_entries :
			env_u32("AWD_MOCK_SGL_MAX_ENTRIES", 1024);
		q->info.fmt_param[AWD_SGL_PARAM_MAX_LISTS] =
			mock_knobs.sgl_max_lists ? mock_knobs.sgl_max_lists :
			env_u32("AWD_MOCK_SGL_MAX_LISTS", 32);
	} else if (q->info.format == AWD_FORMAT_CREC) {
		q->info.fmt_param[AWD_CREC_PARAM_MAX_BATCH] = 32;
	}
	q->portal = calloc(PORTAL_MAX, sizeof(*q->portal));
	set_layout(q);
	queues[slot] = q;
	pthread_mutex_unlock(&mock_lock);
	return q->fd;
}

int __wrap_close(int fd)
{
	struct mockq *q = find_fd(fd);

	if (!q)
		return __real_close(fd);
	q_stop(q);
	pthread_mutex_lock(&mock_lock);
	queues[q->index] = NULL;
	pthread_cond_broadcast(&mock_freed);
	pthread_mutex_unlock(&mock_lock);
	awd_deflate_engine_free(q->eng);
	free(q->portal);
	free(q->sbuf.seg);
	free(q->dbuf.seg);
	__real_close(q->fd);
	free(q);
	return 0;
}

static int reg_mem(struct mockq *q, struct awd_mem *m)
{
	if (q->info.mode == AWD_MODE_SVA)
		return -EOPNOTSUPP;
	if (!m->len || m->flags || m->rsvd)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (q->nreg >= AWD_MAX_REGIONS) {
		pthread_mutex_unlock(&q->lock);
		return -EMFILE;
	}
	m->iova = q->next_iova + (m->uaddr & (PAGE - 1));
	q->next_iova += (m->len + 2 * PAGE) & ~(PAGE - 1ull);
	q->reg[q->nreg++] = (struct region){ m->uaddr, m->len, m->iova };
	q->qst.pinned_pages += (m->len + PAGE - 1) / PAGE;
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static int unreg_mem(struct mockq *q, const struct awd_mem *m)
{
	int ret = -ENOENT;

	if (q->info.mode == AWD_MODE_SVA)
		return -EOPNOTSUPP;
	if (q->info.state == AWD_QS_RUNNING)
		return -EBUSY;          /* as the driver: only while stopped */
	pthread_mutex_lock(&q->lock);
	for (unsigned int i = 0; i < q->nreg; i++) {
		if (q->reg[i].iova == m->iova) {
			q->qst.pinned_pages -= (q->reg[i].len + PAGE - 1) / PAGE;
			q->reg[i] = q->reg[--q->nreg];
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct mockq *q = find_fd(fd);
	struct awd_ring_cfg *cfg;
	va_list ap;
	void *arg;
	int ret = 0;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!q)
		return __real_ioctl(fd, req, arg);
	switch (req) {
	case AWD_IOC_INFO:
		memcpy(arg, &q->info, sizeof(q->info));
		break;
	case AWD_IOC_SET_RING:
		cfg = arg;
		if (q->mapped[0] || q->mapped[1] || q->mapped[2] ||
		    q->info.state == AWD_QS_RUNNING)
			ret = -EBUSY;
		else if (cfg->flags || cfg->rsvd ||
			 cfg->ring_order < AWD_RING_ORDER_MIN ||
			 cfg->ring_order > q->info.ring_order_max)
			ret = -EINVAL;
		else {
			q->info.ring_order = cfg->ring_order;
			set_layout(q);
		}
		break;
	case AWD_IOC_START:
		ret = q_start(q);
		break;
	case AWD_IOC_STOP:
		q_stop(q);
		break;
	case AWD_IOC_REG_MEM:
		ret = reg_mem(q, arg);
		break;
	case AWD_IOC_UNREG_MEM:
		ret = unreg_mem(q, arg);
		break;
	case AWD_IOC_QSTATS:
		memcpy(arg, &q->qst, sizeof(q->qst));
		break;
	case AWD_IOC_TELEMETRY:
		ret = telemetry(q, arg);
		break;
	case AWD_IOC_QCOUNT:
		if (mock_knobs.no_qcount || getenv("AWD_MOCK_NO_QCOUNT")) {
			ret = -ENOTTY;
			break;
		}
		memset(arg, 0, sizeof(struct awd_qcount));
		for (int i = 0; i < AWD_QCNT_NR; i++)
			((struct awd_qcount *)arg)->cnt[i] =
				__atomic_load_n(&q->cnt[i], __ATOMIC_RELAXED);
		break;
	default:
		ret = -ENOTTY;
	}
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct mockq *q = find_fd(fd);
	unsigned int region;
	void *p;

	if (!q)
		return __real_mmap64(addr, len, prot, flags, fd, off);
	region = (unsigned int)(off / PAGE);
	if (off % PAGE || region > AWD_MMAP_CQ || q->mapped[region] ||
	    !(flags & MAP_SHARED)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if ((region == AWD_MMAP_DB && len != q->info.db_size) ||
	    (region == AWD_MMAP_SQ && len != q->info.sq_size) ||
	    (region == AWD_MMAP_CQ && len != q->info.cq_size)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = __real_mmap64(NULL, len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	q->mapped[region] = true;
	if (region == AWD_MMAP_DB) {
		q->db = p;
	} else if (region == AWD_MMAP_SQ) {
		q->sq = p;
		if (q->info.mode == AWD_MODE_SVA)
			q->info.sq_iova = (uintptr_t)p;
	} else {
		q->cq = p;
		if (q->info.mode == AWD_MODE_SVA)
			q->info.cq_iova = (uintptr_t)p;
	}
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	pthread_mutex_lock(&mock_lock);
	for (int i = 0; i < MOCK_QUEUES; i++) {
		struct mockq *q = queues[i];

		if (!q)
			continue;
		if (addr == q->db || addr == q->sq || addr == q->cq) {
			q->info.state = q->info.state == AWD_QS_RUNNING ?
					AWD_QS_ERROR : q->info.state;
			pthread_mutex_unlock(&mock_lock);
			q_stop(q);
			if (addr == q->db) {
				q->mapped[AWD_MMAP_DB] = false;
				q->db = NULL;
			} else if (addr == q->sq) {
				q->mapped[AWD_MMAP_SQ] = false;
				q->sq = NULL;
				if (q->info.mode == AWD_MODE_SVA)
					q->info.sq_iova = 0;
			} else {
				q->mapped[AWD_MMAP_CQ] = false;
				q->cq = NULL;
				if (q->info.mode == AWD_MODE_SVA)
					q->info.cq_iova = 0;
			}
			return __real_munmap(addr, len);
		}
	}
	pthread_mutex_unlock(&mock_lock);
	return __real_munmap(addr, len);
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct mockq *q = n == 1 ? find_fd(fds[0].fd) : NULL;

	if (!q)
		return __real_poll(fds, n, timeout);
	/* level-triggered enough: wake soon, the caller re-checks */
	usleep(timeout == 0 ? 0 : 50);
	fds[0].revents = q->info.state == AWD_QS_RUNNING ? POLLIN : POLLERR;
	return 1;
}

/*
 * The library's 64-bit MMIO store (the crec portal): a store to memory
 * cannot be seen by a polling thread twice in a row with the same value,
 * so the mock takes portal writes here, as the device's MMIO handler
 * would (accel_wd_crec.h: depth, alignment, counters).
 */
void __real_awd__mmio_write64(uint8_t *addr, uint64_t val);
void __wrap_awd__mmio_write64(uint8_t *addr, uint64_t val)
{
	struct mockq *q = NULL;

	pthread_mutex_lock(&mock_lock);
	for (int i = 0; i < MOCK_QUEUES; i++)
		if (queues[i] && queues[i]->db &&
		    addr >= queues[i]->db && addr < queues[i]->db + PAGE)
			q = queues[i];
	pthread_mutex_unlock(&mock_lock);
	if (!q || q->info.format != AWD_FORMAT_CREC ||
	    addr != q->db + AWD_CREC_PORTAL) {
		if (q)
			count(q, AWD_QCNT_DB_WRITES, 1);
		__real_awd__mmio_write64(addr, val);
		return;
	}
	count(q, AWD_QCNT_DB_WRITES, 1);
	pthread_mutex_lock(&q->lock);
	if (q->info.state == AWD_QS_RUNNING) {
		uint32_t depth = 1u << q->info.ring_order;

		if (val & (AWD_CREC_DESC_ALIGN - 1)) {
			q_error(q, AWD_QERR_BAD_DOORBELL);
		} else if (q->pending >= depth) {
			q_error(q, AWD_QERR_PORTAL_FULL);
		} else {
			q->portal[(q->p_head + q->p_count) & (depth - 1)] = val;
			q->p_count++;
			q->pending++;
		}
	}
	pthread_mutex_unlock(&q->lock);
}
