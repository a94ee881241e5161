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
#include <unistd.h>

#include "accel_wd_uapi.h"
#include "engine.h"
#include "mock.h"


struct mock_knobs mock_knobs;

#define PAGE          4096u
#define IOVA_BASE     0x40000000000ull   /* no-SVA addresses start here */

struct region {
	uint64_t uaddr, len, iova;
};

struct mockq {
	int fd;
	unsigned int index;
	struct awd_info info;
	uint8_t *db;
	struct awd_desc *sq;
	struct awd_cpl *cq;
	bool mapped[3];
	pthread_t thr;
	bool thr_on;
	bool stop;                      /* atomic */
	uint32_t sq_head, cq_tail, phase;
	pthread_mutex_t lock;           /* regions */
	struct region reg[AWD_MAX_REGIONS];
	unsigned int nreg;
	uint64_t next_iova;
	AwdDeflateEngine *eng;
	uint8_t stream_ctx[AWD_ENGINE_STREAM_CTX_SIZE];
	struct awd_qstats qst;
};

static pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mockq *queues[MOCK_QUEUES];

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

/* Device address -> process pointer, or NULL (a fault). */
static uint8_t *xlate(struct mockq *q, uint64_t a, uint64_t len)
{
	uint8_t *p = NULL;

	if (!len)
		len = 1;
	if (q->info.mode == AWD_MODE_SVA)
		return (uint8_t *)(uintptr_t)a;
	pthread_mutex_lock(&q->lock);
	for (unsigned int i = 0; i < q->nreg; i++) {
		struct region *r = &q->reg[i];

		if (a >= r->iova && a - r->iova <= r->len &&
		    len <= r->len - (a - r->iova)) {
			p = (uint8_t *)(uintptr_t)(r->uaddr + (a - r->iova));
			break;
		}
	}
	pthread_mutex_unlock(&q->lock);
	return p;
}

static bool hit(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static uint32_t op_comp(struct mockq *q, const struct awd_desc *d,
			struct awd_cpl *c)
{
	bool compress = d->opcode == AWD_OP_COMPRESS;
	bool stream = d->flags & AWD_DF_STREAM;
	unsigned int fmt = d->param & AWD_PARAM_FMT_MASK;
	unsigned int level = (d->param >> AWD_PARAM_LEVEL_SHIFT) &
			     AWD_PARAM_LEVEL_MASK;
	bool empty_ok = stream && (d->flags & AWD_DF_FINAL);
	uint8_t *src, *dst, *ctx = NULL;
	AwdSeg sseg, dseg;
	AwdSgl ssgl, dsgl;
	AwdDeflateOp op;
	AwdEngineResult r;

	if ((d->param & ~AWD_PARAM_COMP_VALID_MASK) || fmt > AWD_FMT_GZIP ||
	    (compress && (level < 1 || level > 9)) || d->key ||
	    (stream ? (!d->ctx || (d->ctx & (AWD_STREAM_CTX_ALIGN - 1))) :
		      d->ctx != 0))
		return AWD_STS_INVALID_PARAM;
	if ((!d->src_len && !empty_ok) || !d->dst_len ||
	    d->src_len > q->info.max_xfer || d->dst_len > q->info.max_xfer)
		return AWD_STS_INVALID_LEN;
	if (hit(d->src, d->src_len, d->dst, d->dst_len) ||
	    (stream && (hit(d->ctx, AWD_ENGINE_STREAM_CTX_SIZE, d->src,
			    d->src_len) ||
			hit(d->ctx, AWD_ENGINE_STREAM_CTX_SIZE, d->dst,
			    d->dst_len))))
		return AWD_STS_OVERLAP;
	if (stream) {
		ctx = xlate(q, d->ctx, AWD_ENGINE_STREAM_CTX_SIZE);
		if (!ctx) {
			c->fault_addr = d->ctx;
			return AWD_STS_FAULT;
		}
		memcpy(q->stream_ctx, ctx, sizeof(q->stream_ctx));
	}
	src = xlate(q, d->src, d->src_len);
	if (!src) {
		c->fault_addr = d->src;
		return AWD_STS_FAULT;
	}
	dst = xlate(q, d->dst, d->dst_len);
	if (!dst) {
		c->fault_addr = d->dst;
		c->flags |= AWD_CF_FAULT_WRITE;
		return AWD_STS_FAULT;
	}
	sseg = (AwdSeg){ .base = src, .len = d->src_len };
	dseg = (AwdSeg){ .base = dst, .len = d->dst_len };
	ssgl = (AwdSgl){ .seg = &sseg, .nseg = 1, .total = d->src_len };
	dsgl = (AwdSgl){ .seg = &dseg, .nseg = 1, .total = d->dst_len };
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

static uint32_t op_rsa(struct mockq *q, const struct awd_desc *d,
		       struct awd_cpl *c)
{
	size_t len = d->src_len, klen = awd_rsa_key_len(d->param, len);
	uint8_t *in, *out, *key, tmp[AWD_RSA_MAX_BITS / 8];
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
	if (hit(d->dst, len, d->key, klen))
		return AWD_STS_OVERLAP;
	key = xlate(q, d->key, klen);
	in = xlate(q, d->src, len);
	out = xlate(q, d->dst, len);
	if (!key || !in || !out) {
		c->fault_addr = !key ? d->key : !in ? d->src : d->dst;
		return AWD_STS_FAULT;
	}
	op = (AwdRsaOp){ .form = d->param, .len = len, .in = in, .key = key,
			 .out = tmp };
	st = awd_rsa_run(&op);
	if (st != AWD_STS_OK)
		return st;
	memcpy(out, tmp, len);
	c->consumed = (uint32_t)len;
	c->produced = (uint32_t)len;
	return AWD_STS_OK;
}

static uint32_t execute(struct mockq *q, const struct awd_desc *d,
			struct awd_cpl *c)
{
	if (d->opcode >= AWD_OP_MAX)
		return AWD_STS_INVALID_OPCODE;
	if ((d->flags & ~AWD_DF_VALID_MASK) || d->rsvd0 || d->rsvd1 ||
	    d->rsvd2)
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

static void *worker(void *opaque)
{
	struct mockq *q = opaque;
	uint32_t mask = (1u << q->info.ring_order) - 1;

	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		uint32_t tail = __atomic_load_n((uint32_t *)(q->db + AWD_DB_SQ_TAIL),
						__ATOMIC_ACQUIRE);
		uint32_t cq_head = __atomic_load_n((uint32_t *)(q->db +
								AWD_DB_CQ_HEAD),
						   __ATOMIC_ACQUIRE);
		struct awd_desc d;
		struct awd_cpl c = { 0 };
		uint32_t st;

		if (mock_knobs.fail_next && tail != q->sq_head) {
			mock_knobs.fail_next = false;
			q->info.state = AWD_QS_ERROR;
			q->info.hw_error = AWD_QERR_SQ_FETCH;
			q->qst.errors++;
		}
		if (tail > mask) {
			q->info.state = AWD_QS_ERROR;
			q->info.hw_error = AWD_QERR_BAD_DOORBELL;
		}
		if (q->info.state != AWD_QS_RUNNING || mock_knobs.stall ||
		    tail == q->sq_head || ((q->cq_tail + 1) & mask) == cq_head) {
			usleep(20);
			continue;
		}
		memcpy(&d, &q->sq[q->sq_head], sizeof(d));
		q->sq_head = (q->sq_head + 1) & mask;
		st = execute(q, &d, &c);
		c.tag = d.tag;
		if (mock_knobs.bad_tag) {
			mock_knobs.bad_tag = false;
			c.tag ^= 0x7fff0000;
		}
		c.status = (uint16_t)st;
		c.sq_head = (uint16_t)q->sq_head;
		memcpy(&q->cq[q->cq_tail], &c, offsetof(struct awd_cpl, flags));
		__atomic_store_n(&q->cq[q->cq_tail].flags, c.flags | q->phase,
				 __ATOMIC_RELEASE);
		if (d.flags & AWD_DF_IRQ)
			q->qst.irqs++;
		if (++q->cq_tail > mask) {
			q->cq_tail = 0;
			q->phase ^= AWD_CF_PHASE;
		}
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
	for (int i = 0; i < MOCK_QUEUES && slot < 0; i++)
		if (!queues[i])
			slot = i;
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
	q->info.caps = AWD_CAP_DEFLATE | AWD_CAP_INFLATE | AWD_CAP_RSA |
		       AWD_CAP_STREAM | AWD_CAP_PASID | AWD_CAP_ATS |
		       AWD_CAP_PRI;
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
	pthread_mutex_unlock(&mock_lock);
	awd_deflate_engine_free(q->eng);
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
	if (region == AWD_MMAP_DB)
		q->db = p;
	else if (region == AWD_MMAP_SQ)
		q->sq = p;
	else
		q->cq = p;
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
			} else {
				q->mapped[AWD_MMAP_CQ] = false;
				q->cq = NULL;
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
