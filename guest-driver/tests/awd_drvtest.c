// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * awd-drvtest: exercises the accel_wd character device interface directly
 * (no library), one subcommand per property. Built static for the guest:
 *   gcc -O2 -static -I include -I guest-driver -o awd-drvtest \
 *       guest-driver/tests/awd_drvtest.c -lz
 * Exit status 0 = pass, 1 = fail, 77 = skipped (feature not available).
 *
 * Requests are written as struct awd_desc (the ring layout) and submitted
 * in the device's queue format (AWD_IOC_INFO.format): ring as they are;
 * sgl with src/dst described by scatter-gather lists (one entry per page,
 * chained lists); crec as a descriptor in the SQ area, a completion record
 * in the CQ area and a 64-bit portal write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "accel_wd_uapi.h"
#include "accel_wd_sgl.h"
#include "accel_wd_crec.h"

static const char *dev_path = "/dev/accel_wd0";

#define FAIL(...) do { fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

struct q {
	int fd;
	struct awd_info info;
	volatile uint32_t *db;
	struct awd_desc *sq;
	struct awd_cpl *cq;
	uint32_t entries, sq_tail, cq_head, phase;
	uint32_t crec_tail, crec_head;	/* crec: submitted, completed */
};

static uint64_t dev_addr(struct q *q, void *buf, size_t len);
static struct awd_cpl compress_once(struct q *q, void *src, size_t len,
				    void *dst, size_t dlen, uint32_t tag);

static const char *format_name(uint32_t f)
{
	switch (f) {
	case AWD_FORMAT_RING:
		return "ring";
	case AWD_FORMAT_SGL:
		return "sgl";
	case AWD_FORMAT_CREC:
		return "crec";
	default:
		return "unknown";
	}
}

static int q_open(struct q *q, int flags)
{
	memset(q, 0, sizeof(*q));
	q->fd = open(dev_path, O_RDWR | O_CLOEXEC | flags);
	if (q->fd < 0)
		return -errno;
	if (ioctl(q->fd, AWD_IOC_INFO, &q->info))
		FAIL("AWD_IOC_INFO: %m");
	return 0;
}

static void q_map(struct q *q)
{
	q->db = mmap(NULL, q->info.db_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     q->fd, q->info.db_offset);
	CHECK(q->db != MAP_FAILED, "mmap db: %m");
	q->sq = mmap(NULL, q->info.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     q->fd, q->info.sq_offset);
	CHECK(q->sq != MAP_FAILED, "mmap sq: %m");
	q->cq = mmap(NULL, q->info.cq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     q->fd, q->info.cq_offset);
	CHECK(q->cq != MAP_FAILED, "mmap cq: %m");
	q->entries = 1u << q->info.ring_order;
	q->phase = 1;
	/* SVA: the regions' device addresses are known once mapped */
	if (ioctl(q->fd, AWD_IOC_INFO, &q->info))
		FAIL("AWD_IOC_INFO: %m");
	if (q->info.format == AWD_FORMAT_CREC)
		CHECK(q->info.sq_iova && q->info.cq_iova,
		      "crec: no device address for the SQ/CQ areas");
}

static void q_start(struct q *q)
{
	CHECK(ioctl(q->fd, AWD_IOC_START) == 0, "AWD_IOC_START: %m");
	q->sq_tail = q->cq_head = 0;
	q->phase = 1;
	q->crec_tail = q->crec_head = 0;
}

static void ring_push(struct q *q, const void *d)
{
	memcpy(&q->sq[q->sq_tail], d, AWD_DESC_SIZE);
	q->sq_tail = (q->sq_tail + 1) & (q->entries - 1);
	atomic_thread_fence(memory_order_release);
	q->db[AWD_DB_SQ_TAIL / 4] = q->sq_tail;
}

#define SGL_PER_LIST	64	/* entries per list, the chain included */

/*
 * sgl: the device address of lists describing [addr, addr + len): one
 * entry per page (larger when the device allows fewer entries), lists of
 * SGL_PER_LIST entries (more when it allows fewer lists), each chained to
 * the next. The lists live in fresh memory of this process.
 */
static uint64_t sgl_build(struct q *q, uint64_t addr, uint32_t len)
{
	uint32_t max_ents = q->info.fmt_param[AWD_SGL_PARAM_MAX_ENTRIES];
	uint32_t max_lists = q->info.fmt_param[AWD_SGL_PARAM_MAX_LISTS];
	uint32_t n, nents = 0, per = SGL_PER_LIST, idx = 0, in_list = 0;
	uint64_t chunk = 0, a, end = addr + len, base;
	struct awd_sge *sge;
	size_t bytes;

	if (!len)
		return 0;
	CHECK(max_ents && max_lists, "sgl limits %u/%u", max_ents, max_lists);
	/* page-sized entries, split on page boundaries, if they fit */
	for (a = addr; a < end; a = (a | 4095) + 1)
		nents++;
	if (nents > max_ents) {
		chunk = (len + max_ents - 1) / max_ents;
		nents = (len + chunk - 1) / chunk;
	}
	if (nents > 1 && (nents - 1 + max_lists - 1) / max_lists + 1 > per)
		per = (nents - 1 + max_lists - 1) / max_lists + 1;
	bytes = (2 * (size_t)nents + 1) * sizeof(*sge);
	sge = aligned_alloc(4096, (bytes + 4095) & ~(size_t)4095);
	CHECK(sge, "list memory");
	memset(sge, 0, bytes);
	base = dev_addr(q, sge, bytes);
	for (a = addr; a < end; a += n) {
		n = chunk ? (uint32_t)(end - a < chunk ? end - a : chunk) :
			    (uint32_t)(((a | 4095) + 1 < end ? (a | 4095) + 1 :
					end) - a);
		if (in_list == per - 1 && a + n < end) {
			/* this list is full: chain to the next one */
			sge[idx].addr = base + (idx + 1) * sizeof(*sge);
			sge[idx].flags = AWD_SGE_CHAIN;
			idx++;
			in_list = 0;
		}
		sge[idx].addr = a;
		sge[idx].len = n;
		sge[idx].flags = a + n == end ? AWD_SGE_END : 0;
		idx++;
		in_list++;
	}
	return base;
}

static void q_submit(struct q *q, const struct awd_desc *d)
{
	switch (q->info.format) {
	case AWD_FORMAT_SGL: {
		struct awd_sgl_desc sd;

		memcpy(&sd, d, sizeof(sd));	/* the same layout */
		sd.src_sgl = sgl_build(q, d->src, d->src_len);
		sd.dst_sgl = sgl_build(q, d->dst, d->dst_len);
		ring_push(q, &sd);
		break;
	}
	case AWD_FORMAT_CREC: {
		uint32_t s = q->crec_tail & (q->entries - 1);
		struct awd_crec_desc *cd = (struct awd_crec_desc *)&q->sq[s];

		CHECK(q->crec_tail - q->crec_head < q->entries,
		      "crec: portal full");
		memcpy(cd, d, sizeof(*cd));	/* the same up to crec */
		cd->crec = q->info.cq_iova + (uint64_t)s * AWD_CPL_SIZE;
		memset(&q->cq[s], 0, sizeof(q->cq[s]));
		atomic_thread_fence(memory_order_release);
		*(volatile uint64_t *)(q->db + AWD_CREC_PORTAL / 4) =
			q->info.sq_iova + (uint64_t)s * AWD_DESC_SIZE;
		q->crec_tail++;
		break;
	}
	default:
		ring_push(q, d);
	}
}

/* the next completion if there is one (crec: the oldest record) */
static int q_reap(struct q *q, struct awd_cpl *out)
{
	struct awd_cpl *c;
	uint32_t flags;

	if (q->info.format == AWD_FORMAT_CREC) {
		if (q->crec_head == q->crec_tail)
			return 0;
		c = &q->cq[q->crec_head & (q->entries - 1)];
		flags = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);
		if (!(flags & AWD_CF_DONE))
			return 0;
		*out = *c;
		q->crec_head++;
		return 1;
	}
	c = &q->cq[q->cq_head];
	flags = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);
	if ((flags & AWD_CF_PHASE) != q->phase)
		return 0;
	*out = *c;
	q->cq_head = (q->cq_head + 1) & (q->entries - 1);
	if (!q->cq_head)
		q->phase ^= 1;
	q->db[AWD_DB_CQ_HEAD / 4] = q->cq_head;
	return 1;
}

/* Wait for the next completion; timeout_ms < 0 spins forever. */
static int q_wait(struct q *q, struct awd_cpl *out, int timeout_ms, int use_poll)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (q_reap(q, out))
			return 0;
		if (use_poll) {
			struct pollfd p = { .fd = q->fd, .events = POLLIN };

			if (poll(&p, 1, 100) < 0)
				FAIL("poll: %m");
			if (p.revents & (POLLERR | POLLHUP))
				return -EIO;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (timeout_ms >= 0 &&
		    (t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			return -ETIMEDOUT;
	}
}

static void print_info(const struct awd_info *i)
{
	printf("version %u.%u caps %#x mode %s flags %#x queue %u pasid %u queues %u\n",
	       i->version >> 16, i->version & 0xffff, i->caps,
	       i->mode == AWD_MODE_SVA ? "sva" : "nosva", i->flags, i->queue,
	       i->pasid, i->num_queues);
	printf("ring_order %u (max %u) max_xfer %u rsa_max_bits %u stream_ctx %u state %u hw_error %u\n",
	       i->ring_order, i->ring_order_max, i->max_xfer, i->rsa_max_bits,
	       i->stream_ctx_size, i->state, i->hw_error);
	printf("db %#llx+%#llx sq %#llx+%#llx cq %#llx+%#llx\n",
	       (unsigned long long)i->db_offset, (unsigned long long)i->db_size,
	       (unsigned long long)i->sq_offset, (unsigned long long)i->sq_size,
	       (unsigned long long)i->cq_offset, (unsigned long long)i->cq_size);
	printf("format %u (%s) params %u %u %u sq_iova %#llx cq_iova %#llx\n",
	       i->format, format_name(i->format), i->fmt_param[0],
	       i->fmt_param[1], i->fmt_param[2],
	       (unsigned long long)i->sq_iova, (unsigned long long)i->cq_iova);
}

static int t_info(void)
{
	struct q q;
	int rc = q_open(&q, 0);

	CHECK(!rc, "open %s: %s", dev_path, strerror(-rc));
	print_info(&q.info);
	CHECK(q.info.num_queues >= 1 && q.info.num_queues <= AWD_MAX_QUEUES,
	      "queue count");
	CHECK(q.info.state == AWD_QS_IDLE, "fresh queue not idle");
	CHECK(ioctl(q.fd, _IO(AWD_IOC_MAGIC, 99)) < 0 && errno == ENOTTY,
	      "unknown ioctl must fail with ENOTTY");
	close(q.fd);
	return 0;
}

/* mapping rules: sizes, offsets, no mremap, no split, no exec, no private */
static int t_mmap(void)
{
	struct q q;
	void *p;
	int rc = q_open(&q, 0);

	CHECK(!rc, "open: %s", strerror(-rc));
	p = mmap(NULL, q.info.sq_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 q.fd, q.info.sq_offset);
	CHECK(p == MAP_FAILED, "MAP_PRIVATE accepted");
	p = mmap(NULL, q.info.sq_size * 2, PROT_READ | PROT_WRITE, MAP_SHARED,
		 q.fd, q.info.sq_offset);
	CHECK(p == MAP_FAILED, "oversized mapping accepted");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, q.fd, 7 * 4096);
	CHECK(p == MAP_FAILED, "unknown region accepted");
	p = mmap(NULL, q.info.db_size, PROT_READ | PROT_EXEC, MAP_SHARED, q.fd,
		 q.info.db_offset);
	CHECK(p == MAP_FAILED, "executable doorbell accepted");
	q_map(&q);
	p = mmap(NULL, q.info.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 q.fd, q.info.sq_offset);
	CHECK(p == MAP_FAILED && errno == EBUSY, "second SQ mapping: %m");
	p = mremap(q.sq, q.info.sq_size, q.info.sq_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED,
		   (char *)q.cq + (64 << 20));
	CHECK(p == MAP_FAILED, "mremap of the SQ succeeded");
	q.sq[0].tag = 0x1234;	/* still mapped where it was */
	if (q.info.sq_size > 4096)
		CHECK(munmap((char *)q.sq + 4096, 4096) < 0,
		      "partial munmap (split) succeeded");
	{
		struct awd_ring_cfg cfg = { .ring_order = AWD_RING_ORDER_MIN };

		CHECK(ioctl(q.fd, AWD_IOC_SET_RING, &cfg) < 0 && errno == EBUSY,
		      "SET_RING while mapped: %m");
	}
	munmap(q.sq, q.info.sq_size);
	munmap(q.cq, q.info.cq_size);
	{
		struct awd_ring_cfg cfg = { .ring_order = 4 };
		struct awd_info i;

		CHECK(ioctl(q.fd, AWD_IOC_SET_RING, &cfg) == 0, "SET_RING: %m");
		CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0, "INFO");
		CHECK(i.ring_order == 4 && i.sq_size == 4096, "ring order 4");
		cfg.ring_order = q.info.ring_order_max + 1;
		CHECK(ioctl(q.fd, AWD_IOC_SET_RING, &cfg) < 0 && errno == EINVAL,
		      "SET_RING above max");
		cfg.ring_order = 4;
		cfg.flags = 1;
		CHECK(ioctl(q.fd, AWD_IOC_SET_RING, &cfg) < 0 && errno == EINVAL,
		      "SET_RING with flags");
	}
	close(q.fd);
	return 0;
}

/* a child after fork() has no mappings and cannot use the queue */
static int t_fork(void)
{
	struct q q;
	struct awd_info i;
	int rc = q_open(&q, 0), st;
	pid_t pid;

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	q.sq[0].tag = 0xabcd;
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		struct pollfd p = { .fd = q.fd, .events = POLLIN };
		uint64_t n;
		void *m;

		if (ioctl(q.fd, AWD_IOC_INFO, &i) == 0 || errno != EPERM)
			_exit(10);
		if (ioctl(q.fd, AWD_IOC_START) == 0 || errno != EPERM)
			_exit(11);
		m = mmap(NULL, q.info.db_size, PROT_WRITE, MAP_SHARED, q.fd,
			 q.info.db_offset);
		if (m != MAP_FAILED || errno != EPERM)
			_exit(12);
		if (read(q.fd, &n, sizeof(n)) >= 0 || errno != EPERM)
			_exit(13);
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLERR))
			_exit(14);
		/* VM_DONTCOPY: the parent's mappings are absent here */
		if (mincore((void *)q.sq, 4096, (unsigned char *)&n) == 0 ||
		    errno != ENOMEM)
			_exit(15);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child check failed (status %#x)", st);
	CHECK(q.sq[0].tag == 0xabcd, "parent lost its SQ contents");
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0, "parent INFO after fork");
	close(q.fd);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Every queue can be opened once; then O_NONBLOCK gets EBUSY, and an open
 * without it waits (interruptibly: a signal without SA_RESTART ends it
 * with EINTR); closing frees the queues.
 */
static int t_busy(void)
{
	int fds[AWD_MAX_QUEUES + 1], n = 0, rc, st;
	struct q q;
	pid_t pid;

	rc = q_open(&q, O_NONBLOCK);
	CHECK(!rc, "open: %s", strerror(-rc));
	fds[n++] = q.fd;
	while (n <= AWD_MAX_QUEUES) {
		int fd = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);

		if (fd < 0) {
			CHECK(errno == EBUSY, "open #%d: %m", n);
			break;
		}
		fds[n++] = fd;
	}
	CHECK(n == (int)q.info.num_queues, "opened %d of %u queues", n,
	      q.info.num_queues);

	pid = fork();
	CHECK(pid >= 0, "fork: %m");
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_alarm };
		struct timespec t0, t1;
		double waited;
		int fd;

		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		alarm(1);
		fd = open(dev_path, O_RDWR | O_CLOEXEC);
		rc = errno;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		waited = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (fd >= 0 || rc != EINTR || waited < 0.9) {
			fprintf(stderr, "blocking open with every queue taken: fd %d, %s after %.2f s (want EINTR after 1 s)\n",
				fd, strerror(rc), waited);
			_exit(1);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "a blocking open did not wait");
	while (n)
		close(fds[--n]);
	rc = q_open(&q, O_NONBLOCK);
	CHECK(!rc, "reopen: %s", strerror(-rc));
	close(q.fd);
	printf("opened all %u queues, then EBUSY (O_NONBLOCK) or a wait ended by a signal (EINTR)\n",
	       q.info.num_queues);
	return 0;
}

static int t_nop(int count)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP, .flags = AWD_DF_IRQ };
	struct awd_cpl c;
	struct awd_qstats st;
	struct q q;
	int rc = q_open(&q, 0), i;
	uint64_t n;

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	for (i = 0; i < count; i++) {
		d.tag = 0x100 + i;
		q_submit(&q, &d);
		rc = q_wait(&q, &c, 10000, q.info.flags & AWD_INFO_F_IRQ);
		CHECK(!rc, "NOP %d: %s", i, strerror(-rc));
		CHECK(c.status == AWD_STS_OK && c.tag == d.tag,
		      "NOP %d: status %u tag %#x", i, c.status, c.tag);
	}
	if (q.info.flags & AWD_INFO_F_IRQ) {
		CHECK(read(q.fd, &n, sizeof(n)) == sizeof(n) && n >= 1,
		      "read: %m");
	}
	CHECK(ioctl(q.fd, AWD_IOC_QSTATS, &st) == 0, "QSTATS");
	printf("%d NOPs ok, irqs %llu\n", count, (unsigned long long)st.irqs);
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	close(q.fd);
	return 0;
}

/*
 * AWD_IOC_QCOUNT: the device's counters of this queue follow N NOPs (one
 * descriptor and one completion each, no lists), and start again at 0.
 */
static int t_qcount(int count)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP };
	struct awd_qcount qc;
	struct awd_cpl c;
	struct q q;
	int rc = q_open(&q, 0), i;

	CHECK(!rc, "open: %s", strerror(-rc));
	rc = ioctl(q.fd, AWD_IOC_QCOUNT, &qc);
	if ((q.info.version & 0xffff) < 1) {
		CHECK(rc < 0 && errno == EOPNOTSUPP, "QCOUNT on a 1.0 device");
		printf("SKIP: device version 1.0 has no queue counters\n");
		return 77;
	}
	CHECK(rc == 0, "QCOUNT: %m");
	q_map(&q);
	q_start(&q);
	for (i = 0; i < count; i++) {
		d.tag = i;
		q_submit(&q, &d);
		CHECK(!q_wait(&q, &c, 10000, 0) && c.status == AWD_STS_OK &&
		      c.tag == (uint32_t)i, "NOP %d", i);
	}
	CHECK(ioctl(q.fd, AWD_IOC_QCOUNT, &qc) == 0, "QCOUNT: %m");
	printf("%s: db_writes %llu reg_reads %llu desc_bytes %llu list_bytes %llu cpl_bytes %llu ats %llu page_reqs %llu\n",
	       format_name(q.info.format),
	       (unsigned long long)qc.cnt[AWD_QCNT_DB_WRITES],
	       (unsigned long long)qc.cnt[AWD_QCNT_REG_READS],
	       (unsigned long long)qc.cnt[AWD_QCNT_DESC_BYTES],
	       (unsigned long long)qc.cnt[AWD_QCNT_LIST_BYTES],
	       (unsigned long long)qc.cnt[AWD_QCNT_CPL_BYTES],
	       (unsigned long long)qc.cnt[AWD_QCNT_ATS],
	       (unsigned long long)qc.cnt[AWD_QCNT_PAGE_REQS]);
	CHECK(qc.cnt[AWD_QCNT_DB_WRITES] >= (uint64_t)count,
	      "doorbell writes %llu < %d",
	      (unsigned long long)qc.cnt[AWD_QCNT_DB_WRITES], count);
	CHECK(qc.cnt[AWD_QCNT_DESC_BYTES] == (uint64_t)count * AWD_DESC_SIZE,
	      "descriptor bytes");
	CHECK(qc.cnt[AWD_QCNT_CPL_BYTES] == (uint64_t)count * AWD_CPL_SIZE,
	      "completion bytes");
	CHECK(qc.cnt[AWD_QCNT_LIST_BYTES] == 0, "list bytes for NOPs");
	for (i = AWD_QCNT_NR; i < 16; i++)
		CHECK(!qc.rsvd[i - AWD_QCNT_NR], "reserved field %d set", i);
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	q_start(&q);
	CHECK(ioctl(q.fd, AWD_IOC_QCOUNT, &qc) == 0, "QCOUNT: %m");
	CHECK(qc.cnt[AWD_QCNT_DESC_BYTES] == 0 && qc.cnt[AWD_QCNT_CPL_BYTES] == 0,
	      "counters not cleared by START");
	close(q.fd);
	return 0;
}

static uint64_t tm_hist_sum(const struct awd_telem_scope *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		n += s->hist[i];
	return n;
}

static void tm_get(int fd, uint32_t in_flags, struct awd_telem *t)
{
	memset(t, 0xa5, sizeof(*t));	/* the driver must zero what it skips */
	t->in_flags = in_flags;
	CHECK(ioctl(fd, AWD_IOC_TELEMETRY, t) == 0, "TELEMETRY: %m");
}

/* An unprivileged process: its own queue, device totals, no history. */
static int tm_unprivileged(void)
{
	struct awd_telem t;
	char path[64];
	int fd, st;
	/*
	 * The device node through descriptors of it and of /proc: the
	 * guest's initramfs root directory is not searchable for others.
	 */
	int pfd = open(dev_path, O_PATH | O_CLOEXEC);
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	pid_t pid;

	CHECK(pfd >= 0 && proc >= 0, "open O_PATH: %m");
	pid = fork();
	CHECK(pid >= 0, "fork: %m");
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		/* the uid change made /proc/self root's: take it back */
		prctl(PR_SET_DUMPABLE, 1);
		snprintf(path, sizeof(path), "self/fd/%d", pfd);
		fd = openat(proc, path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(errno == EPERM ? 77 : 100 + errno);	/* no-SVA: privileged */
		t.in_flags = AWD_TELEM_IN_HISTORY;
		if (ioctl(fd, AWD_IOC_TELEMETRY, &t) == 0 || errno != EPERM)
			_exit(5);
		t.in_flags = 0;
		if (ioctl(fd, AWD_IOC_TELEMETRY, &t) ||
		    t.q.item[AWD_TM_REQS] || t.q.item[AWD_TM_BYTES_IN] ||
		    tm_hist_sum(&t.q) || !t.dev.item[AWD_TM_REQS])
			_exit(6);
		_exit(0);
	}
	close(pfd);
	close(proc);
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(st), "unprivileged child died");
	return WEXITSTATUS(st);
}

/*
 * AWD_IOC_TELEMETRY around N compressions of LEN bytes: the queue's
 * requests, histogram and bytes follow exactly, the device counts at least
 * as much, a new file on the queue starts from 0, history is privileged,
 * and a wrong size or flag is refused.
 */
static int t_telemetry(int count, size_t len)
{
	struct awd_telem t0, t1, t2;
	unsigned char *src, *dst;
	uint64_t produced = 0, bit;
	struct awd_cpl c;
	char small[64];
	struct q q;
	int rc = q_open(&q, 0), i;

	CHECK(!rc, "open: %s", strerror(-rc));
	memset(&t0, 0, sizeof(t0));
	rc = ioctl(q.fd, AWD_IOC_TELEMETRY, &t0);
	if ((q.info.version & 0xffff) < 2 || !(q.info.caps & AWD_CAP_TELEMETRY)) {
		CHECK(rc < 0 && errno == EOPNOTSUPP,
		      "TELEMETRY on a device without it: rc %d %m", rc);
		printf("SKIP: device %u.%u has no telemetry (EOPNOTSUPP)\n",
		       q.info.version >> 16, q.info.version & 0xffff);
		return 77;
	}
	CHECK(rc == 0, "TELEMETRY: %m");
	/* the size is part of the command: anything else is unknown */
	CHECK(ioctl(q.fd, _IOWR(AWD_IOC_MAGIC, 8, small), small) < 0 &&
	      errno == ENOTTY, "TELEMETRY with a 64-byte struct: %m");
	t1.in_flags = 1u << 7;
	CHECK(ioctl(q.fd, AWD_IOC_TELEMETRY, &t1) < 0 && errno == EINVAL,
	      "unknown in_flags accepted");
	tm_get(q.fd, 0, &t0);
	CHECK(t0.version == AWD_TELEM_VERSION && t0.nr_items == AWD_TM_NR_ITEMS &&
	      t0.nr_buckets == AWD_TM_HIST_BUCKETS && t0.queue == q.info.queue,
	      "header: version %u items %u buckets %u queue %u",
	      t0.version, t0.nr_items, t0.nr_buckets, t0.queue);
	CHECK(!t0.rsvd[0] && !t0.rsvd[1] && !t0.rsvd[2] && !t0.rsvd[3],
	      "reserved header fields");
	for (i = AWD_TM_NR_ITEMS; i < AWD_TELEM_ITEMS; i++)
		CHECK(!t0.q.item[i] && !t0.dev.item[i], "item slot %d set", i);
	CHECK(t0.q.item[AWD_TM_REQS] == 0 && tm_hist_sum(&t0.q) == 0,
	      "fresh file: %llu requests on its queue",
	      (unsigned long long)t0.q.item[AWD_TM_REQS]);

	q_map(&q);
	q_start(&q);
	src = malloc(len);
	dst = malloc(len + 1024);
	CHECK(src && dst, "malloc");
	for (size_t k = 0; k < len; k++)
		src[k] = "accel-wd telemetry "[k % 19] ^ (k >> 10);
	for (i = 0; i < count; i++) {
		c = compress_once(&q, src, len, dst, len + 1024, 0x40 + i);
		CHECK(c.status == AWD_STS_OK && c.consumed == len,
		      "compress %d: status %u consumed %u", i, c.status,
		      c.consumed);
		produced += c.produced;
	}
	tm_get(q.fd, 0, &t1);
	printf("queue %u: requests %llu bytes in %llu out %llu, latency sum %llu max %llu ns, hist sum %llu, occupancy %llu/%llu max %llu, atc %llu ats %llu, page reqs %llu, unknown %#llx; device requests %llu, model %llu\n",
	       t1.queue, (unsigned long long)t1.q.item[AWD_TM_REQS],
	       (unsigned long long)t1.q.item[AWD_TM_BYTES_IN],
	       (unsigned long long)t1.q.item[AWD_TM_BYTES_OUT],
	       (unsigned long long)t1.q.item[AWD_TM_LAT_SUM_NS],
	       (unsigned long long)t1.q.item[AWD_TM_LAT_MAX_NS],
	       (unsigned long long)tm_hist_sum(&t1.q),
	       (unsigned long long)t1.q.item[AWD_TM_OCC_SUM],
	       (unsigned long long)t1.q.item[AWD_TM_OCC_SAMPLES],
	       (unsigned long long)t1.q.item[AWD_TM_OCC_MAX],
	       (unsigned long long)t1.q.item[AWD_TM_ATC_HITS],
	       (unsigned long long)t1.q.item[AWD_TM_ATS_REQS],
	       (unsigned long long)t1.q.item[AWD_TM_PAGE_REQS],
	       (unsigned long long)t1.q_unknown,
	       (unsigned long long)t1.dev.item[AWD_TM_REQS],
	       (unsigned long long)t1.dev.item[AWD_TM_MODEL]);
	CHECK(t1.q.item[AWD_TM_REQS] == (uint64_t)count, "queue requests %llu, submitted %d",
	      (unsigned long long)t1.q.item[AWD_TM_REQS], count);
	CHECK(tm_hist_sum(&t1.q) == t1.q.item[AWD_TM_REQS],
	      "queue histogram sums to %llu",
	      (unsigned long long)tm_hist_sum(&t1.q));
	CHECK(t1.q.item[AWD_TM_BYTES_IN] == (uint64_t)count * len,
	      "queue bytes in %llu, submitted %llu",
	      (unsigned long long)t1.q.item[AWD_TM_BYTES_IN],
	      (unsigned long long)count * len);
	CHECK(t1.q.item[AWD_TM_BYTES_OUT] == produced,
	      "queue bytes out %llu, produced %llu",
	      (unsigned long long)t1.q.item[AWD_TM_BYTES_OUT],
	      (unsigned long long)produced);
	CHECK(t1.q.item[AWD_TM_LAT_SUM_NS] > 0, "no latency summed");
	CHECK(t1.q.item[AWD_TM_OCC_SAMPLES] >= 1, "no occupancy sample");
	CHECK(!(t1.q_unknown & ~((1ull << AWD_TM_LAT_MAX_NS) |
				 (1ull << AWD_TM_OCC_MAX) |
				 (1ull << AWD_TM_PR_LAT_MAX_NS) |
				 (1ull << AWD_TM_INV_WAIT_MAX_NS))),
	      "q_unknown %#llx names a count", (unsigned long long)t1.q_unknown);
	for (i = 0; i < AWD_TM_NR_ITEMS; i++) {
		bit = 1ull << i;
		if (t1.q_unknown & bit)
			CHECK(!t1.q.item[i], "hidden item %d reads %llu", i,
			      (unsigned long long)t1.q.item[i]);
		if (i != AWD_TM_MODEL)
			CHECK(t1.dev.item[i] >= t1.q.item[i],
			      "device item %d %llu < queue %llu", i,
			      (unsigned long long)t1.dev.item[i],
			      (unsigned long long)t1.q.item[i]);
	}
	for (i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		CHECK(t1.dev.hist[i] >= t1.q.hist[i], "device bucket %d", i);
	CHECK(t1.dev.item[AWD_TM_REQS] - t0.dev.item[AWD_TM_REQS] >=
	      (uint64_t)count, "device requests grew by less than %d", count);
	CHECK(t1.dev.item[AWD_TM_MODEL] <= 1, "model %llu",
	      (unsigned long long)t1.dev.item[AWD_TM_MODEL]);

	/* root: the queue index's history, earlier files included */
	tm_get(q.fd, AWD_TELEM_IN_HISTORY, &t2);
	CHECK(t2.flags & AWD_TELEM_F_HISTORY, "history flag not reported");
	CHECK(t2.q.item[AWD_TM_REQS] >= t1.q.item[AWD_TM_REQS] &&
	      t2.q.item[AWD_TM_LAT_MAX_NS] >= t1.q.item[AWD_TM_LAT_MAX_NS],
	      "history below since-open");
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	close(q.fd);

	/* the next file on that queue sees none of it */
	rc = q_open(&q, 0);
	CHECK(!rc, "reopen: %s", strerror(-rc));
	tm_get(q.fd, 0, &t2);
	if (t2.queue == t1.queue)
		CHECK(t2.q.item[AWD_TM_REQS] == 0 && tm_hist_sum(&t2.q) == 0 &&
		      t2.q.item[AWD_TM_BYTES_IN] == 0 &&
		      t2.q.item[AWD_TM_LAT_MAX_NS] == 0,
		      "new file on queue %u sees %llu requests", t2.queue,
		      (unsigned long long)t2.q.item[AWD_TM_REQS]);
	CHECK(t2.dev.item[AWD_TM_REQS] >= t1.dev.item[AWD_TM_REQS],
	      "device requests went down");
	close(q.fd);

	rc = tm_unprivileged();
	CHECK(rc == 0 || rc == 77, "unprivileged child: exit %d%s%s", rc,
	      rc > 100 ? ", open: " : "", rc > 100 ? strerror(rc - 100) : "");
	printf("telemetry: %d requests of %zu bytes counted exactly%s\n", count,
	       len, rc == 77 ? " (no-SVA: no unprivileged check)" : "");
	free(src);
	free(dst);
	return 0;
}

/* device address of buf: itself (SVA) or a registered range (no-SVA) */
static uint64_t dev_addr(struct q *q, void *buf, size_t len)
{
	struct awd_mem m = { .uaddr = (uintptr_t)buf, .len = len };

	if (q->info.mode == AWD_MODE_SVA)
		return (uintptr_t)buf;
	CHECK(ioctl(q->fd, AWD_IOC_REG_MEM, &m) == 0, "REG_MEM: %m");
	return m.iova;
}

/*
 * Compress a buffer the process just malloc'ed (SVA: the output pages are
 * never touched, so each arrives through a page request), check the result
 * with zlib, then decompress it on the device and compare.
 */
static int t_compress(size_t len)
{
	struct awd_desc d = { .opcode = AWD_OP_COMPRESS, .flags = AWD_DF_IRQ };
	unsigned char *src, *dst, *chk;
	uLongf chk_len = len;
	struct awd_cpl c;
	struct q q;
	size_t i;
	int rc = q_open(&q, 0);

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	src = malloc(len);
	dst = malloc(len + 1024);
	chk = malloc(len);
	CHECK(src && dst && chk, "malloc");
	for (i = 0; i < len; i++)
		src[i] = "accel-wd shared virtual addressing "[i % 35] ^ (i >> 12);
	d.src = dev_addr(&q, src, len);
	d.dst = dev_addr(&q, dst, len + 1024);
	d.src_len = len;
	d.dst_len = len + 1024;
	d.param = AWD_FMT_ZLIB << AWD_PARAM_FMT_SHIFT |
		  6 << AWD_PARAM_LEVEL_SHIFT;
	d.tag = 7;
	q_start(&q);
	q_submit(&q, &d);
	rc = q_wait(&q, &c, 60000, 1);
	CHECK(!rc, "compress: %s", strerror(-rc));
	CHECK(c.status == AWD_STS_OK && c.tag == 7, "status %u tag %u fault %#llx",
	      c.status, c.tag, (unsigned long long)c.fault_addr);
	CHECK(c.consumed == len && c.produced <= len + 1024, "lengths %u/%u",
	      c.consumed, c.produced);
	CHECK(uncompress(chk, &chk_len, dst, c.produced) == Z_OK &&
	      chk_len == len && !memcmp(chk, src, len), "zlib check");
	printf("compressed %zu -> %u bytes (%s), zlib verified\n", len,
	       c.produced, q.info.mode == AWD_MODE_SVA ? "sva" : "nosva");

	memset(chk, 0, len);
	d.opcode = AWD_OP_DECOMPRESS;
	d.src = d.dst;
	d.src_len = c.produced;
	d.dst = dev_addr(&q, chk, len);
	d.dst_len = len;
	d.tag = 8;
	q_submit(&q, &d);
	rc = q_wait(&q, &c, 60000, 1);
	CHECK(!rc, "decompress: %s", strerror(-rc));
	CHECK(c.status == AWD_STS_OK && c.produced == len &&
	      !memcmp(chk, src, len), "decompress status %u produced %u",
	      c.status, c.produced);
	printf("decompressed on the device, matches\n");
	close(q.fd);
	return 0;
}

/* submit one compress of src[0..len) into dst, return the completion */
static struct awd_cpl compress_once(struct q *q, void *src, size_t len,
				    void *dst, size_t dlen, uint32_t tag)
{
	struct awd_desc d = { .opcode = AWD_OP_COMPRESS, .flags = AWD_DF_IRQ };
	struct awd_cpl c;
	int rc;

	d.src = dev_addr(q, src, len);
	d.dst = dev_addr(q, dst, dlen);
	d.src_len = len;
	d.dst_len = dlen;
	d.param = AWD_FMT_ZLIB << AWD_PARAM_FMT_SHIFT |
		  1 << AWD_PARAM_LEVEL_SHIFT;
	d.tag = tag;
	q_submit(q, &d);
	rc = q_wait(q, &c, 60000, 1);
	CHECK(!rc, "compress: %s", strerror(-rc));
	CHECK(c.tag == tag, "tag %u, expected %u", c.tag, tag);
	return c;
}

static void check_zlib(const void *z, size_t zlen, const void *want,
		       size_t len)
{
	unsigned char *out = malloc(len + 1);
	uLongf olen = len + 1;

	CHECK(uncompress(out, &olen, z, zlen) == Z_OK && olen == len &&
	      !memcmp(out, want, len), "output does not decompress to the input");
	free(out);
}

/*
 * fork() and copy-on-write: after the child exists, the parent's write to
 * its buffer moves it to a new page; the device must read the new data.
 */
static int t_cow(void)
{
	size_t len = 3 * 4096;
	unsigned char *buf, *dst;
	struct awd_cpl c;
	struct q q;
	int rc = q_open(&q, 0), st;
	pid_t pid;

	CHECK(!rc, "open: %s", strerror(-rc));
	if (q.info.mode != AWD_MODE_SVA) {
		printf("SKIP: no-SVA mode (registered pages stay the parent's)\n");
		return 77;
	}
	q_map(&q);
	q_start(&q);
	buf = aligned_alloc(4096, len);
	dst = aligned_alloc(4096, 2 * len);
	memset(buf, 'A', len);
	c = compress_once(&q, buf, len, dst, 2 * len, 1);
	CHECK(c.status == AWD_STS_OK, "status %u", c.status);
	check_zlib(dst, c.produced, buf, len);

	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		/* the child shares the pages copy-on-write, not the queue */
		if (ioctl(q.fd, AWD_IOC_START) == 0 || errno != EPERM)
			_exit(1);
		if (buf[0] != 'A')
			_exit(2);
		sleep(1);
		_exit(buf[0] == 'A' ? 0 : 3);
	}
	memset(buf, 'B', len);		/* COW: the parent gets new pages */
	memset(dst, 0, 2 * len);
	c = compress_once(&q, buf, len, dst, 2 * len, 2);
	CHECK(c.status == AWD_STS_OK, "status %u after fork", c.status);
	check_zlib(dst, c.produced, buf, len);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "child saw the parent's write or used the queue (%#x)",
	      st);
	printf("after fork the device reads the parent's new (COW) data; the child cannot use the queue\n");
	close(q.fd);
	return 0;
}

/*
 * Another process's address and a kernel address: a fault status, never
 * data. The secret lives in a child; the parent names the child's address,
 * which is not mapped in the parent.
 */
static int t_isolation(void)
{
	size_t len = 4096;
	unsigned char *dst, *hole;
	int pfd[2], rc, st;
	struct awd_cpl c;
	uint64_t addr;
	struct q q;
	pid_t pid;

	rc = q_open(&q, 0);
	CHECK(!rc, "open: %s", strerror(-rc));
	if (q.info.mode != AWD_MODE_SVA) {
		printf("SKIP: no-SVA mode\n");
		return 77;
	}
	q_map(&q);		/* first: later mappings could reuse the hole */
	q_start(&q);
	dst = aligned_alloc(4096, 2 * len);
	/* a hole in our address space that the child fills with a secret */
	hole = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED, "mmap");
	munmap(hole, len);
	CHECK(pipe(pfd) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		unsigned char *secret = mmap(hole, len, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS |
					     MAP_FIXED_NOREPLACE, -1, 0);

		if (secret != hole)
			_exit(1);
		memset(secret, 'S', len);
		(void)!write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	CHECK(read(pfd[0], &st, 1) == 1, "child not ready");
	memset(dst, 0, 2 * len);
	c = compress_once(&q, hole, len, dst, 2 * len, 3);
	CHECK(c.status == AWD_STS_FAULT,
	      "another process's address %p: status %u fault_addr %#llx",
	      hole, c.status, (unsigned long long)c.fault_addr);
	CHECK(c.fault_addr >= (uintptr_t)hole &&
	      c.fault_addr < (uintptr_t)hole + len, "fault address %#llx",
	      (unsigned long long)c.fault_addr);
	CHECK(!memchr(dst, 'S', 2 * len), "secret leaked");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);

	addr = 0xffff888000000000ull;	/* the kernel's direct map */
	{
		struct awd_desc d = { .opcode = AWD_OP_COMPRESS,
				      .flags = AWD_DF_IRQ };

		d.src = addr;
		d.dst = (uintptr_t)dst;
		d.src_len = len;
		d.dst_len = 2 * len;
		d.param = AWD_FMT_RAW << AWD_PARAM_FMT_SHIFT |
			  1 << AWD_PARAM_LEVEL_SHIFT;
		d.tag = 4;
		q_submit(&q, &d);
		rc = q_wait(&q, &c, 60000, 1);
		CHECK(!rc, "kernel address: %s", strerror(-rc));
		CHECK(c.status == AWD_STS_FAULT, "kernel address: status %u",
		      c.status);
	}
	/* the queue still works for the owner's own memory */
	memset(dst, 'x', len);
	c = compress_once(&q, dst, len, dst + len, len, 5);
	CHECK(c.status == AWD_STS_OK, "own memory after faults: status %u",
	      c.status);
	printf("foreign and kernel addresses fault; the queue still works\n");
	close(q.fd);
	return 0;
}

/* two processes, two queues, two PASIDs, at the same time */
static int t_two(void)
{
	pid_t pid[2];
	int i, st, fails = 0;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		CHECK(pid[i] >= 0, "fork");
		if (!pid[i]) {
			size_t len = 256 << 10;
			unsigned char *src = malloc(len), *dst = malloc(len);
			struct awd_cpl c;
			struct q q;
			size_t k;
			int r;

			if (q_open(&q, 0))
				_exit(1);
			q_map(&q);
			q_start(&q);
			for (r = 0; r < 5; r++) {
				for (k = 0; k < len; k++)
					src[k] = (k * (i + 3) + r) >> 5;
				c = compress_once(&q, src, len, dst, len, r);
				if (c.status != AWD_STS_OK)
					_exit(2);
				check_zlib(dst, c.produced, src, len);
			}
			printf("process %d: queue %u pasid %u, 5 requests ok\n",
			       i, q.info.queue, q.info.pasid);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		CHECK(waitpid(pid[i], &st, 0) == pid[i], "waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fails++;
	}
	CHECK(!fails, "%d of 2 processes failed", fails);
	return 0;
}

/* no-SVA: register, see pinned pages, refuse unregister while running */
static int t_regmem(void)
{
	struct awd_mem m = { 0 };
	struct awd_qstats st;
	struct q q;
	char *buf;
	int rc = q_open(&q, 0);

	CHECK(!rc, "open: %s", strerror(-rc));
	buf = aligned_alloc(4096, 64 << 10);
	m.uaddr = (uintptr_t)buf + 100;
	m.len = 40000;
	rc = ioctl(q.fd, AWD_IOC_REG_MEM, &m);
	if (q.info.mode == AWD_MODE_SVA) {
		CHECK(rc < 0 && errno == EOPNOTSUPP, "REG_MEM in SVA mode");
		printf("SKIP: SVA mode\n");
		return 77;
	}
	CHECK(rc == 0, "REG_MEM: %m");
	CHECK((m.iova & 4095) == 100, "iova %#llx keeps the page offset",
	      (unsigned long long)m.iova);
	CHECK(ioctl(q.fd, AWD_IOC_QSTATS, &st) == 0 && st.pinned_pages == 10,
	      "pinned %llu pages, expected 10",
	      (unsigned long long)st.pinned_pages);
	CHECK(ioctl(q.fd, AWD_IOC_UNREG_MEM, &m) == 0, "UNREG_MEM: %m");
	CHECK(ioctl(q.fd, AWD_IOC_UNREG_MEM, &m) < 0 && errno == ENOENT,
	      "double UNREG_MEM");
	m.uaddr = 0xffff800000000000ull;	/* kernel address */
	CHECK(ioctl(q.fd, AWD_IOC_REG_MEM, &m) < 0 && errno == EFAULT,
	      "kernel address registered");
	{
		struct rlimit rl = { 8192, 8192 };

		setrlimit(RLIMIT_MEMLOCK, &rl);
		m.uaddr = (uintptr_t)buf;
		m.len = 64 << 10;
		rc = ioctl(q.fd, AWD_IOC_REG_MEM, &m);
		/* root has CAP_IPC_LOCK, which overrides the limit */
		CHECK(rc < 0 ? errno == ENOMEM : geteuid() == 0,
		      "RLIMIT_MEMLOCK ignored");
	}
	CHECK(ioctl(q.fd, AWD_IOC_QSTATS, &st) == 0, "QSTATS");
	close(q.fd);
	printf("register/unregister ok\n");
	return 0;
}

static long sysfs_num(const char *attr)
{
	const char *name = strrchr(dev_path, '/');
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/" AWD_DEV_NAME "/%s/device/%s",
		 name ? name + 1 : dev_path, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* ---- the waiting line ------------------------------------------------ */

#define WQ_MAX		256

struct wq_shared {
	atomic_int seq;			/* queues granted so far */
	atomic_int order[WQ_MAX];	/* order[k]: 1 + the k-th process served */
	atomic_int go[WQ_MAX];		/* the parent lets process i close */
	atomic_int nop_ok[WQ_MAX];	/* process i's NOP completed */
};

static int wait_for(long (*get)(void *), void *arg, long want, int ms)
{
	long v = -1;

	for (int i = 0; i < ms; i++) {
		v = get(arg);
		if (v == want)
			return 0;
		usleep(1000);
	}
	fprintf(stderr, "waited %d ms for %ld, have %ld\n", ms, want, v);
	return -1;
}

static long get_waiters(void *arg)
{
	(void)arg;
	return sysfs_num("queue_waiters");
}

/* Processes served: seq counts one just before it writes its slot */
static long get_served(void *arg)
{
	struct wq_shared *sh = arg;
	int k = atomic_load(&sh->seq);

	if (k > 0 && k <= WQ_MAX && !atomic_load(&sh->order[k - 1]))
		return k - 1;
	return k;
}

/*
 * Process i of the line: drop its copies of the parent's queues, open,
 * record the order, one NOP, close on "go".
 */
static void wq_child(struct wq_shared *sh, int i, const int *held, int nq,
		     pid_t parent)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP, .tag = 0x500 + i };
	struct awd_cpl c;
	struct q q;
	int k;

	/* a parent that fails its checks must not leave a line behind */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(14);
	for (k = 0; k < nq; k++)
		close(held[k]);
	memset(&q, 0, sizeof(q));
	q.fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (q.fd < 0) {
		fprintf(stderr, "process %d: open: %m\n", i);
		_exit(10);
	}
	k = atomic_fetch_add(&sh->seq, 1);
	if (k < WQ_MAX)
		atomic_store(&sh->order[k], i + 1);
	if (ioctl(q.fd, AWD_IOC_INFO, &q.info))
		_exit(11);
	q_map(&q);
	q_start(&q);
	q_submit(&q, &d);
	if (q_wait(&q, &c, 10000, 0) || c.status != AWD_STS_OK ||
	    c.tag != d.tag)
		_exit(12);
	atomic_store(&sh->nop_ok[i], 1);
	for (k = 0; k < 120000 && !atomic_load(&sh->go[i]); k++)
		usleep(1000);
	_exit(atomic_load(&sh->go[i]) ? 0 : 13);
}

/*
 * The waiting line (open() without O_NONBLOCK): with every queue held
 * here, N + KILLS processes open one after the other, each one in line
 * (sysfs queue_waiters) before the next starts; every 8th (from the 4th)
 * is one of KILLS that are SIGKILLed while they wait. Then queues are
 * freed one at a time and each must go to the oldest process still in
 * line: the 15 held here first, then each process's own on close. Every
 * process runs a NOP on its queue. Afterwards nobody waits, no queue is
 * in use, and every queue opens again.
 */
static int t_waitq(int n, int kills)
{
	int total = n + kills, nq, killed = 0, served = 0, st, i, got;
	int holders[AWD_MAX_QUEUES], expect[WQ_MAX];
	pid_t parent = getpid();
	pid_t pids[WQ_MAX];
	bool victim[WQ_MAX] = { false };
	struct wq_shared *sh;
	struct timespec t0, t1;
	struct q q;
	int rc;

	CHECK(n > 0 && kills >= 0 && total <= WQ_MAX, "bad counts");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(sh != MAP_FAILED, "mmap: %m");
	rc = q_open(&q, O_NONBLOCK);
	CHECK(!rc, "open: %s", strerror(-rc));
	nq = q.info.num_queues;
	holders[0] = q.fd;
	for (i = 1; i < nq; i++) {
		holders[i] = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		CHECK(holders[i] >= 0, "holding queue %d: %m", i);
	}
	CHECK(sysfs_num("queue_waiters") == 0, "queue_waiters %ld before",
	      sysfs_num("queue_waiters"));
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (i = 0; i < total; i++) {
		victim[i] = killed < kills && i % 8 == 3;
		if (victim[i])
			killed++;
		pids[i] = fork();
		CHECK(pids[i] >= 0, "fork: %m");
		if (!pids[i])
			wq_child(sh, i, holders, nq, parent);
		CHECK(!wait_for(get_waiters, NULL, i + 1, 10000),
		      "process %d never got in line", i);
	}
	CHECK(killed == kills, "at most one waiter in 8 can be killed");
	/* the line is full: O_NONBLOCK does not overtake it */
	i = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	CHECK(i < 0 && errno == EBUSY, "O_NONBLOCK open with a line: %m");

	for (i = 0; i < total; i++) {
		if (!victim[i])
			continue;
		CHECK(kill(pids[i], SIGKILL) == 0, "kill: %m");
		CHECK(waitpid(pids[i], &st, 0) == pids[i] && WIFSIGNALED(st) &&
		      WTERMSIG(st) == SIGKILL, "waiter %d did not die (%#x)",
		      i, st);
	}
	CHECK(!wait_for(get_waiters, NULL, n, 5000),
	      "the killed waiters are still in line");
	for (i = 0, st = 0; i < total; i++)
		if (!victim[i])
			expect[st++] = i;

	/* free queues one by one: each goes to the oldest in line */
	for (i = 0; i < n + nq; i++) {
		if (i < nq)
			close(holders[i]);
		else
			atomic_store(&sh->go[expect[i - nq]], 1);
		if (served == n)
			continue;
		CHECK(!wait_for(get_served, sh, served + 1, 10000),
		      "freeing queue #%d served nobody", i);
		got = atomic_load(&sh->order[served]) - 1;
		CHECK(got == expect[served],
		      "queue #%d went to process %d, the oldest in line is %d",
		      served, got, expect[served]);
		served++;
	}
	for (i = 0; i < total; i++) {
		if (victim[i])
			continue;
		CHECK(waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0, "process %d ended with %#x", i, st);
		CHECK(atomic_load(&sh->nop_ok[i]), "process %d: no NOP", i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(atomic_load(&sh->seq) == n, "%d queues granted for %d processes",
	      atomic_load(&sh->seq), n);
	CHECK(sysfs_num("queue_waiters") == 0, "queue_waiters %ld after",
	      sysfs_num("queue_waiters"));
	CHECK(sysfs_num("queues_in_use") == 0, "queues_in_use %ld after",
	      sysfs_num("queues_in_use"));
	/* no queue lost: all of them open again */
	for (i = 0; i < nq; i++) {
		holders[i] = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		CHECK(holders[i] >= 0, "queue %d of %d after the line: %m", i,
		      nq);
	}
	for (i = 0; i < nq; i++)
		close(holders[i]);
	printf("%d processes served in FIFO order on %d queues, %d waiters SIGKILLed, %.2f s\n",
	       n, nq, kills, (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	munmap(sh, sizeof(*sh));
	return 0;
}

/*
 * The device is removed while processes wait in line: each open() ends
 * with ENODEV at once, and the remove does not wait for them.
 */
static int t_waitq_remove(const char *remove_path)
{
	int holders[AWD_MAX_QUEUES], nq, i, fd, st;
	pid_t pids[3];
	struct q q;
	int rc;

	rc = q_open(&q, O_NONBLOCK);
	CHECK(!rc, "open: %s", strerror(-rc));
	nq = q.info.num_queues;
	holders[0] = q.fd;
	for (i = 1; i < nq; i++) {
		holders[i] = open(dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		CHECK(holders[i] >= 0, "holding queue %d: %m", i);
	}
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0, "fork: %m");
		if (!pids[i]) {
			alarm(30);
			fd = open(dev_path, O_RDWR | O_CLOEXEC);
			if (fd < 0 && errno == ENODEV)
				_exit(0);
			fprintf(stderr, "waiter %d: fd %d, %m (want ENODEV)\n",
				i, fd);
			_exit(1);
		}
		CHECK(!wait_for(get_waiters, NULL, i + 1, 10000),
		      "process %d never got in line", i);
	}
	fd = open(remove_path, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "1", 1) == 1, "remove via %s: %m",
	      remove_path);
	close(fd);
	for (i = 0; i < 3; i++)
		CHECK(waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0, "waiter %d ended with %#x", i, st);
	for (i = 0; i < nq; i++)
		close(holders[i]);
	printf("removal sent 3 waiting openers away with ENODEV\n");
	return 0;
}

/*
 * SIGKILL an owner while a long request is in flight: the queue is
 * stopped, drained and freed, nothing stays pinned or bound.
 */
static int t_kill(int rounds)
{
	size_t len = 4 << 20;
	int r, st;

	for (r = 0; r < rounds; r++) {
		int pfd[2];
		pid_t pid;
		char c;

		CHECK(pipe(pfd) == 0, "pipe");
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (!pid) {
			struct awd_desc d = { .opcode = AWD_OP_COMPRESS };
			unsigned char *src, *dst;
			struct q q;
			size_t i;

			if (q_open(&q, 0))
				_exit(2);
			q_map(&q);
			src = malloc(len);
			dst = malloc(len + 4096);
			for (i = 0; i < len; i++)
				src[i] = (i * 2654435761u) >> 13;
			d.src = dev_addr(&q, src, len);
			d.dst = dev_addr(&q, dst, len + 4096);
			d.src_len = len;
			d.dst_len = len + 4096;
			d.param = AWD_FMT_RAW << AWD_PARAM_FMT_SHIFT |
				  9 << AWD_PARAM_LEVEL_SHIFT;
			q_start(&q);
			q_submit(&q, &d);
			(void)!write(pfd[1], "x", 1);
			for (;;)
				pause();
		}
		close(pfd[1]);
		CHECK(read(pfd[0], &c, 1) == 1, "child did not get ready");
		close(pfd[0]);
		if (r & 1)
			usleep(20000);
		kill(pid, SIGKILL);
		CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	}
	CHECK(sysfs_num("queues_in_use") == 0, "queues still in use: %ld",
	      sysfs_num("queues_in_use"));
	CHECK(sysfs_num("pinned_pages") <= 0, "pages still pinned: %ld",
	      sysfs_num("pinned_pages"));
	printf("%d owners killed mid-request; no queue in use, nothing pinned\n",
	       rounds);
	return 0;
}

/*
 * Memory pressure for zswap: touch MB megabytes of compressible pages, each
 * stamped with its index, then read them all back twice.
 */
static int t_memhog(long mb)
{
	size_t len = (size_t)mb << 20, pg, npg = len / 4096;
	unsigned char *m = malloc(len);
	int pass;

	CHECK(m, "malloc %ld MiB", mb);
	for (pg = 0; pg < npg; pg++) {
		memset(m + pg * 4096, (int)(pg & 0x7f), 4096);
		memcpy(m + pg * 4096, &pg, sizeof(pg));
	}
	for (pass = 0; pass < 2; pass++)
		for (pg = 0; pg < npg; pg++) {
			size_t v;

			memcpy(&v, m + pg * 4096, sizeof(v));
			CHECK(v == pg && m[pg * 4096 + 4095] == (pg & 0x7f),
			      "page %zu corrupted (pass %d)", pg, pass);
		}
	printf("%ld MiB written and read back twice\n", mb);
	free(m);
	return 0;
}

/* a function-level reset under a running queue: reported, recoverable */
static int t_flr(const char *reset_path)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP, .flags = AWD_DF_IRQ };
	struct pollfd p = { .events = POLLIN };
	struct awd_info i;
	struct awd_cpl c;
	struct q q;
	uint64_t n;
	int rc = q_open(&q, 0), fd;

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	d.tag = 1;
	q_submit(&q, &d);
	CHECK(!q_wait(&q, &c, 10000, 1) && c.status == AWD_STS_OK, "NOP");
	fd = open(reset_path, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "1", 1) == 1, "reset via %s: %m",
	      reset_path);
	close(fd);
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0, "INFO: %m");
	CHECK(i.state == AWD_QS_ERROR && (i.flags & AWD_INFO_F_RESET),
	      "after reset: state %u flags %#x", i.state, i.flags);
	p.fd = q.fd;
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLERR), "poll after reset");
	CHECK(read(q.fd, &n, sizeof(n)) < 0 && errno == EIO, "read after reset");
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	q_start(&q);
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0 && i.state == AWD_QS_RUNNING &&
	      !(i.flags & AWD_INFO_F_RESET), "restart after reset");
	d.tag = 2;
	q_submit(&q, &d);
	CHECK(!q_wait(&q, &c, 10000, 1) && c.status == AWD_STS_OK && c.tag == 2,
	      "NOP after reset");
	printf("reset reported (AWD_QS_ERROR + AWD_INFO_F_RESET), queue restarted\n");
	close(q.fd);
	return 0;
}

/* unmapping a ring under a running queue stops it (SVA: the address dies) */
static int t_unmap(void)
{
	struct awd_info i;
	struct q q;
	int rc = q_open(&q, 0);

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	munmap(q.sq, q.info.sq_size);
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0, "INFO: %m");
	if (q.info.mode == AWD_MODE_SVA) {
		CHECK(i.state == AWD_QS_IDLE, "state %u after unmapping the SQ",
		      i.state);
		CHECK(ioctl(q.fd, AWD_IOC_START) < 0 && errno == EINVAL,
		      "START without an SQ mapping: %m");
	}
	q.sq = mmap(NULL, q.info.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    q.fd, q.info.sq_offset);
	CHECK(q.sq != MAP_FAILED, "remap SQ: %m");
	if (q.info.mode == AWD_MODE_SVA)
		q_start(&q);
	printf("unmapping a running ring stops the queue; mapping again restarts it\n");
	close(q.fd);
	return 0;
}

/*
 * Hostile use of one's own queue for @secs seconds: the main thread maps
 * the rings and doorbell, starts the queue, submits requests on untouched
 * memory (each page arrives through a page request) and unmaps it all
 * again while they run; one thread issues STOP, START and other ioctls at
 * random; one churns the address space (the mmap lock the kernel's page
 * request handler needs). No step may block for as long as the device's
 * page request timeout (10 s), and the queue works afterwards.
 */
struct hostile {
	struct q *q;
	atomic_int stop;
	unsigned int seed;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static atomic_int hostile_worst_ms;

static void hostile_note(double t0)
{
	int ms = (int)((now_s() - t0) * 1000);
	int old = atomic_load(&hostile_worst_ms);

	while (ms > old &&
	       !atomic_compare_exchange_weak(&hostile_worst_ms, &old, ms))
		;
}

static void *hostile_ioctls(void *arg)
{
	struct hostile *h = arg;
	unsigned int seed = h->seed;

	while (!atomic_load(&h->stop)) {
		struct awd_qstats st;
		struct awd_info i;
		double t0 = now_s();

		switch (rand_r(&seed) % 4) {
		case 0:
			(void)!ioctl(h->q->fd, AWD_IOC_STOP);
			break;
		case 1:
			(void)!ioctl(h->q->fd, AWD_IOC_START);
			break;
		case 2:
			(void)!ioctl(h->q->fd, AWD_IOC_INFO, &i);
			break;
		default:
			(void)!ioctl(h->q->fd, AWD_IOC_QSTATS, &st);
		}
		hostile_note(t0);
		usleep(rand_r(&seed) % 3000);
	}
	return NULL;
}

static void *hostile_mm(void *arg)
{
	struct hostile *h = arg;
	size_t len = 256 << 10;

	while (!atomic_load(&h->stop)) {
		double t0 = now_s();
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			memset(p, 1, len);
			munmap(p, len);
		}
		hostile_note(t0);
		usleep(500);
	}
	return NULL;
}

static int t_hostile(int secs)
{
	size_t len = 64 << 10, dlen = len + 4096;
	struct hostile h = { .seed = 1 };
	unsigned char *src, *chk, *out;
	pthread_t th[3];
	double end;
	long rounds = 0;
	struct awd_cpl c;
	struct q q;
	int rc, i;

	rc = q_open(&q, 0);
	CHECK(!rc, "open: %s", strerror(-rc));
	h.q = &q;
	CHECK(pthread_create(&th[0], NULL, hostile_ioctls, &h) == 0, "thread");
	h.seed = 7;
	CHECK(pthread_create(&th[1], NULL, hostile_ioctls, &h) == 0, "thread");
	CHECK(pthread_create(&th[2], NULL, hostile_mm, &h) == 0, "thread");
	end = now_s() + secs;
	while (now_s() < end) {
		struct awd_desc d = { .opcode = AWD_OP_COMPRESS };
		double t0 = now_s();
		void *bufs[4];

		q_map(&q);
		(void)!ioctl(q.fd, AWD_IOC_START);
		q.sq_tail = q.cq_head = 0;
		q.phase = 1;
		for (i = 0; i < 4; i++) {
			bufs[i] = mmap(NULL, 2 * dlen, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			CHECK(bufs[i] != MAP_FAILED, "mmap: %m");
			d.src = (uintptr_t)bufs[i];
			d.dst = (uintptr_t)bufs[i] + dlen;
			d.src_len = len;
			d.dst_len = dlen;
			d.tag = i;
			d.param = AWD_FMT_RAW << AWD_PARAM_FMT_SHIFT |
				  1 << AWD_PARAM_LEVEL_SHIFT;
			if (q.info.format == AWD_FORMAT_RING)
				ring_push(&q, &d);
		}
		usleep(rounds % 3 * 1000);
		/* away with the rings, the doorbell and the buffers */
		munmap((void *)q.db, q.info.db_size);
		munmap(q.sq, q.info.sq_size);
		munmap(q.cq, q.info.cq_size);
		for (i = 0; i < 4; i++)
			munmap(bufs[i], 2 * dlen);
		hostile_note(t0);
		rounds++;
	}
	atomic_store(&h.stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	close(q.fd);
	printf("hostile: %ld rounds in %d s, longest step %d ms\n", rounds,
	       secs, atomic_load(&hostile_worst_ms));
	/*
	 * A step that blocks for long waits for a page request that cannot
	 * be served (the driver's 2 s drain bound, or the device's 10 s page
	 * request timeout); a request of 64 KiB takes milliseconds.
	 */
	CHECK(atomic_load(&hostile_worst_ms) < 1500,
	      "a step blocked for %d ms (waiting for an unservable page request)",
	      atomic_load(&hostile_worst_ms));
	CHECK(sysfs_num("queues_in_use") == 0, "queues still in use: %ld",
	      sysfs_num("queues_in_use"));
	CHECK(sysfs_num("pinned_pages") <= 0, "pages still pinned: %ld",
	      sysfs_num("pinned_pages"));

	/* the device still works, on untouched memory too */
	rc = q_open(&q, 0);
	CHECK(!rc, "open after: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	src = malloc(len);
	chk = malloc(len);
	out = malloc(dlen);
	CHECK(src && chk && out, "malloc");
	for (i = 0; i < (int)len; i++)
		src[i] = (i * 7) % 13;
	c = compress_once(&q, src, len, out, dlen, 77);
	CHECK(c.status == AWD_STS_OK, "compress after: status %u", c.status);
	close(q.fd);
	printf("hostile: the queue works afterwards\n");
	return 0;
}

/*
 * exec() without O_CLOEXEC: the new image holds the file but cannot use it
 * (its address space is not the opener's), and the old address space's
 * end has stopped the queue.
 */
static int t_exec(void)
{
	char fdstr[16];
	struct q q;
	int rc;

	q.fd = open(dev_path, O_RDWR);	/* deliberately no O_CLOEXEC */
	CHECK(q.fd >= 0, "open: %m");
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &q.info) == 0, "INFO: %m");
	q_map(&q);
	q_start(&q);
	snprintf(fdstr, sizeof(fdstr), "%d", q.fd);
	execl("/proc/self/exe", "awd-drvtest", "-d", dev_path, "exec-child",
	      fdstr, (char *)NULL);
	rc = errno;
	FAIL("exec: %s", strerror(rc));
}

static int t_exec_child(int fd)
{
	struct awd_info i;
	void *m;

	CHECK(ioctl(fd, AWD_IOC_INFO, &i) < 0 && errno == EPERM,
	      "INFO after exec: %m");
	m = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EPERM, "mmap after exec: %m");
	close(fd);
	printf("after exec the inherited file is unusable (EPERM)\n");
	return 0;
}

/* a queue error (doorbell outside the ring): reported, recoverable */
static int t_qerror(void)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP, .flags = AWD_DF_IRQ };
	struct pollfd p = { .events = POLLIN };
	struct awd_info i;
	struct awd_cpl c;
	struct q q;
	uint64_t n;
	int rc = q_open(&q, 0), tries;

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	if (q.info.format == AWD_FORMAT_CREC)
		q.db[AWD_CREC_PORTAL / 4 + 1] = 0;	/* high half alone */
	else
		q.db[AWD_DB_SQ_TAIL / 4] = q.entries + 5; /* outside the ring */
	p.fd = q.fd;
	for (tries = 0; tries < 50; tries++) {
		if (poll(&p, 1, 100) == 1 && (p.revents & POLLERR))
			break;
	}
	CHECK(tries < 50, "no POLLERR after a bad doorbell");
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0 && i.state == AWD_QS_ERROR &&
	      i.hw_error == AWD_QERR_BAD_DOORBELL, "state %u hw_error %u",
	      i.state, i.hw_error);
	CHECK(read(q.fd, &n, sizeof(n)) < 0 && errno == EIO, "read: %m");
	CHECK(ioctl(q.fd, AWD_IOC_STOP) == 0, "STOP: %m");
	q_start(&q);
	d.tag = 9;
	q_submit(&q, &d);
	CHECK(!q_wait(&q, &c, 10000, 1) && c.status == AWD_STS_OK && c.tag == 9,
	      "NOP after recovery");
	printf("bad doorbell: POLLERR, AWD_QERR_BAD_DOORBELL, EIO; STOP/START recovers\n");
	close(q.fd);
	return 0;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* remove the PCI device under an open, mapped file: only close() works */
static int t_hotremove(const char *remove_path)
{
	struct pollfd p;
	struct awd_info i;
	struct q q;
	int rc = q_open(&q, 0), fd;
	volatile int bus = 0;

	CHECK(!rc, "open: %s", strerror(-rc));
	q_map(&q);
	fd = open(remove_path, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "1", 1) == 1, "remove via %s: %m",
	      remove_path);
	close(fd);
	CHECK(ioctl(q.fd, AWD_IOC_INFO, &i) == 0 && i.state == AWD_QS_DEAD,
	      "INFO after remove: %m state %u", i.state);
	CHECK(ioctl(q.fd, AWD_IOC_START) < 0 && errno == ENODEV,
	      "START after remove: %m");
	p.fd = q.fd;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP), "poll after remove");
	signal(SIGBUS, on_sigbus);
	if (!sigsetjmp(bus_jmp, 1))
		q.db[0] = 1;
	else
		bus = 1;
	CHECK(bus, "doorbell still mapped after remove");
	close(q.fd);
	printf("remove with an open file ok\n");
	return 0;
}

/* ---- sgl: lists in process memory ---------------------------------- */

#define SGL_PG		4096
#define SGL_PAGES	16

static int sgl_queue(struct q *q)
{
	int rc = q_open(q, 0);

	CHECK(!rc, "open: %s", strerror(-rc));
	if (q->info.format != AWD_FORMAT_SGL || q->info.mode != AWD_MODE_SVA) {
		printf("SKIP: needs format sgl in SVA mode (format %s)\n",
		       format_name(q->info.format));
		return 77;
	}
	q_map(q);
	q_start(q);
	return 0;
}

static uint64_t page_reqs(struct q *q)
{
	struct awd_qcount k;

	CHECK(ioctl(q->fd, AWD_IOC_QCOUNT, &k) == 0, "AWD_IOC_QCOUNT: %m");
	return k.cnt[AWD_QCNT_PAGE_REQS];
}

/* compress through the lists at @src_sgl and @dst_sgl, wait */
static struct awd_cpl sgl_compress(struct q *q, uint64_t src_sgl,
				   uint32_t len, uint64_t dst_sgl,
				   uint32_t dlen, uint32_t tag)
{
	struct awd_sgl_desc d = {
		.opcode = AWD_OP_COMPRESS, .flags = AWD_DF_IRQ, .tag = tag,
		.src_sgl = src_sgl, .dst_sgl = dst_sgl, .src_len = len,
		.dst_len = dlen,
		.param = AWD_FMT_ZLIB << AWD_PARAM_FMT_SHIFT |
			 1 << AWD_PARAM_LEVEL_SHIFT,
	};
	struct awd_cpl c;
	int rc;

	ring_push(q, &d);
	rc = q_wait(q, &c, 60000, 1);
	CHECK(!rc, "sgl compress: %s", strerror(-rc));
	CHECK(c.tag == tag, "tag %u, expected %u", c.tag, tag);
	return c;
}

/* a shared mapping of a fresh memfd of @len bytes, its pages not touched */
static unsigned char *untouched(int *fd, size_t len)
{
	unsigned char *p;

	*fd = memfd_create("awd-untouched", MFD_CLOEXEC);
	CHECK(*fd >= 0 && ftruncate(*fd, len) == 0, "memfd: %m");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	CHECK(p != MAP_FAILED, "mmap memfd: %m");
	return p;
}

/*
 * An sgl request whose lists and data pages this process never touched:
 * the data and the lists are written with pwrite(2) into memfds mapped
 * but never accessed through the mapping, the destination is fresh
 * anonymous memory. Each list and data page sits alone in its 64 KiB
 * (Linux's fault-around maps the cached neighbours of a faulting file
 * page), so every one of them reaches the device by its own page
 * request; the output is the input in list order.
 */
#define SGL_SPREAD	(16 * SGL_PG)

static int t_sgl_untouched(void)
{
	size_t len = SGL_PAGES * SGL_PG;
	unsigned char *src, *lists, *dst, *want;
	struct awd_sge sge[SGL_PAGES + 4];
	uint64_t before, got;
	int sfd, lfd, rc;
	struct awd_cpl c;
	struct q q;
	unsigned int i, n = 0;

	rc = sgl_queue(&q);
	if (rc)
		return rc;
	src = untouched(&sfd, SGL_PAGES * SGL_SPREAD);
	lists = untouched(&lfd, 3 * SGL_SPREAD);
	dst = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(dst != MAP_FAILED, "mmap: %m");
	want = malloc(len);
	for (i = 0; i < len; i++)
		want[i] = "untouched pages by page request\n"[i % 32] + i / SGL_PG;
	/* the list's page i is the file's page SGL_PAGES - 1 - i */
	for (i = 0; i < SGL_PAGES; i++)
		CHECK(pwrite(sfd, want + i * SGL_PG, SGL_PG,
			     (SGL_PAGES - 1 - i) * SGL_SPREAD) == SGL_PG,
		      "pwrite: %m");
	/* source: 8 entries on list 0, chained to 8 on list 1 */
	for (i = 0; i < SGL_PAGES; i++) {
		struct awd_sge e = {
			.addr = (uintptr_t)src + (SGL_PAGES - 1 - i) * SGL_SPREAD,
			.len = SGL_PG,
			.flags = i == SGL_PAGES - 1 ? AWD_SGE_END : 0,
		};

		sge[n++] = e;
		if (i == 7) {
			sge[n].addr = (uintptr_t)lists + SGL_SPREAD;
			sge[n].len = 0;
			sge[n++].flags = AWD_SGE_CHAIN;
			CHECK(pwrite(lfd, sge, n * sizeof(*sge), 0) ==
			      (ssize_t)(n * sizeof(*sge)), "pwrite: %m");
			n = 0;
		}
	}
	CHECK(pwrite(lfd, sge, n * sizeof(*sge), SGL_SPREAD) ==
	      (ssize_t)(n * sizeof(*sge)), "pwrite: %m");
	/* destination: one entry on list 2 */
	sge[0].addr = (uintptr_t)dst;
	sge[0].len = 2 * len;
	sge[0].flags = AWD_SGE_END;
	CHECK(pwrite(lfd, sge, sizeof(*sge), 2 * SGL_SPREAD) == sizeof(*sge),
	      "pwrite: %m");

	before = page_reqs(&q);
	c = sgl_compress(&q, (uintptr_t)lists, len,
			 (uintptr_t)lists + 2 * SGL_SPREAD, 2 * len, 7);
	got = page_reqs(&q) - before;
	CHECK(c.status == AWD_STS_OK, "status %u at %#llx", c.status,
	      (unsigned long long)c.fault_addr);
	CHECK(c.consumed == len, "consumed %u", c.consumed);
	/* 3 list pages, every source page, at least one destination page */
	CHECK(got >= 3 + SGL_PAGES + 1, "only %llu page requests",
	      (unsigned long long)got);
	check_zlib(dst, c.produced, want, len);
	printf("sgl: lists and data all untouched before submission: %llu page requests, output matches\n",
	       (unsigned long long)got);
	close(q.fd);
	return 0;
}

/* one list at @l describing the pages of @buf in @order */
static void sgl_fill(struct awd_sge *l, unsigned char *buf, const int *order)
{
	for (int i = 0; i < 4; i++) {
		l[i].addr = (uintptr_t)buf + order[i] * SGL_PG;
		l[i].len = SGL_PG;
		l[i].flags = i == 3 ? AWD_SGE_END : 0;
	}
}

/*
 * fork() with lists: after fork the parent rewrites both its list (pages
 * in another order) and its data; the device must read the new list and
 * the new data (the parent's copy-on-write pages), and the child's copies
 * never change.
 */
static int t_sgl_cow(void)
{
	static const int fwd[4] = { 0, 1, 2, 3 }, rev[4] = { 3, 2, 1, 0 };
	size_t len = 4 * SGL_PG;
	unsigned char *buf, *dst, *want;
	struct awd_sge *list, *dlist;
	struct awd_cpl c;
	struct q q;
	int rc, st, i;
	pid_t pid;

	rc = sgl_queue(&q);
	if (rc)
		return rc;
	buf = aligned_alloc(SGL_PG, len);
	dst = aligned_alloc(SGL_PG, 2 * len);
	list = aligned_alloc(SGL_PG, SGL_PG);
	dlist = aligned_alloc(SGL_PG, SGL_PG);
	want = malloc(len);
	for (i = 0; i < 4; i++)
		memset(buf + i * SGL_PG, 'a' + i, SGL_PG);
	sgl_fill(list, buf, fwd);
	memset(dlist, 0, SGL_PG);
	dlist[0].addr = (uintptr_t)dst;
	dlist[0].len = 2 * len;
	dlist[0].flags = AWD_SGE_END;
	c = sgl_compress(&q, (uintptr_t)list, len, (uintptr_t)dlist, 2 * len, 1);
	CHECK(c.status == AWD_STS_OK, "status %u", c.status);
	check_zlib(dst, c.produced, buf, len);

	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		sleep(1);
		for (i = 0; i < 4; i++)
			if (list[i].addr != (uintptr_t)buf + i * SGL_PG ||
			    buf[i * SGL_PG] != 'a' + i ||
			    buf[i * SGL_PG + SGL_PG - 1] != 'a' + i)
				_exit(1);
		_exit(0);
	}
	/* the parent: new data and a new list, both copy-on-write pages */
	for (i = 0; i < 4; i++)
		memset(buf + i * SGL_PG, 'K' + i, SGL_PG);
	sgl_fill(list, buf, rev);
	for (i = 0; i < 4; i++)
		memset(want + i * SGL_PG, 'K' + rev[i], SGL_PG);
	memset(dst, 0, 2 * len);
	c = sgl_compress(&q, (uintptr_t)list, len, (uintptr_t)dlist, 2 * len, 2);
	CHECK(c.status == AWD_STS_OK, "status %u after fork", c.status);
	check_zlib(dst, c.produced, want, len);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "the child's list or data changed (%#x)", st);
	printf("sgl after fork: the device used the parent's new list and data; the child's copies unchanged\n");
	close(q.fd);
	return 0;
}

static void q_unmap(struct q *q)
{
	munmap((void *)q->db, q->info.db_size);
	munmap(q->sq, q->info.sq_size);
	munmap(q->cq, q->info.cq_size);
}

static void sysfs_reset(const char *reset_path)
{
	int fd = open(reset_path, O_WRONLY);

	CHECK(fd >= 0 && write(fd, "1", 1) == 1, "reset via %s: %m",
	      reset_path);
	close(fd);
}

/*
 * A queue whose reset never completes (device qreset-hang=on), no-SVA
 * mode: STOP fails, its registered memory can be neither unregistered
 * nor freed, and at close the driver keeps the pinned pages and rings
 * (pinned_pages, fenced_pages) and the queue (queues_in_use) until a
 * device reset, which frees them all; then the device works.
 */
static int t_fence(const char *reset_path)
{
	struct awd_desc d = { .opcode = AWD_OP_NOP };
	struct awd_mem m = { 0 };
	long pinned0, inuse0, v;
	struct awd_cpl c;
	struct q q;
	char *buf;
	int rc;

	pinned0 = sysfs_num("pinned_pages");
	inuse0 = sysfs_num("queues_in_use");
	rc = q_open(&q, 0);
	CHECK(!rc, "open: %s", strerror(-rc));
	if (q.info.mode == AWD_MODE_SVA) {
		printf("SKIP: SVA mode pins no pages\n");
		return 77;
	}
	CHECK(sysfs_num("fenced_pages") <= 0, "fenced pages before the test");
	buf = aligned_alloc(4096, 64 << 10);
	CHECK(buf, "memory");
	memset(buf, 0x5a, 64 << 10);
	m.uaddr = (uintptr_t)buf;
	m.len = 64 << 10;
	CHECK(ioctl(q.fd, AWD_IOC_REG_MEM, &m) == 0, "REG_MEM: %m");
	q_map(&q);
	q_start(&q);
	d.tag = 1;
	q_submit(&q, &d);
	CHECK(!q_wait(&q, &c, 10000, 0) && c.status == AWD_STS_OK, "NOP");
	CHECK(sysfs_num("pinned_pages") == pinned0 + 16, "pinned %ld, expected %ld",
	      sysfs_num("pinned_pages"), pinned0 + 16);

	/* the reset hangs: the queue may still write the registered pages */
	CHECK(ioctl(q.fd, AWD_IOC_STOP) < 0 && errno == EIO,
	      "STOP succeeded although the queue reset hangs");
	CHECK(ioctl(q.fd, AWD_IOC_UNREG_MEM, &m) < 0 && errno == EBUSY,
	      "UNREG_MEM of a queue that did not reset: %m");
	CHECK(ioctl(q.fd, AWD_IOC_START) < 0 && errno == EIO,
	      "START of a queue that did not reset");
	q_unmap(&q);
	close(q.fd);
	v = sysfs_num("pinned_pages");
	CHECK(v == pinned0 + 16, "pinned pages freed at close (%ld, expected %ld) while the device may still write them",
	      v, pinned0 + 16);
	v = sysfs_num("fenced_pages");
	CHECK(v >= 16, "fenced_pages %ld, expected >= 16", v);
	CHECK(sysfs_num("queues_in_use") == inuse0 + 1,
	      "the queue that did not reset was given back");
	printf("close kept %ld pages (%ld pinned) and the queue\n", v,
	       sysfs_num("pinned_pages") - pinned0);

	/* a device reset stops the queue for sure: now they go */
	sysfs_reset(reset_path);
	CHECK(sysfs_num("pinned_pages") == pinned0 &&
	      sysfs_num("fenced_pages") == 0 &&
	      sysfs_num("queues_in_use") == inuse0,
	      "after the device reset: pinned %ld fenced %ld in use %ld",
	      sysfs_num("pinned_pages"), sysfs_num("fenced_pages"),
	      sysfs_num("queues_in_use"));
	rc = q_open(&q, 0);
	CHECK(!rc, "open after reset: %s", strerror(-rc));
	q_map(&q);
	q_start(&q);
	d.tag = 2;
	q_submit(&q, &d);
	CHECK(!q_wait(&q, &c, 10000, 0) && c.status == AWD_STS_OK && c.tag == 2,
	      "NOP after the device reset");
	q_unmap(&q);
	close(q.fd);
	/* (its reset hung too: its rings are kept until this reset) */
	sysfs_reset(reset_path);
	CHECK(sysfs_num("fenced_pages") == 0 &&
	      sysfs_num("queues_in_use") == inuse0, "second reset");
	free(buf);
	printf("the device reset freed them; the device works\n");
	return 0;
}

/*
 * Who may open the device: a process of uid/gid 65534 (no capabilities)
 * opens it and runs a NOP. @expect "denied": EACCES (the default, root
 * only); "allowed": it works (after the documented group grant). The node
 * is reached through /proc/self/fd (the initramfs root directory is not
 * searchable for others), which checks the node's permissions again.
 */
static int t_unpriv(const char *expect)
{
	int want_ok = !strcmp(expect, "allowed");
	int pfd = open(dev_path, O_PATH | O_CLOEXEC);
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int st;
	pid_t pid;

	CHECK(want_ok || !strcmp(expect, "denied"), "denied|allowed");
	CHECK(pfd >= 0 && proc >= 0, "open O_PATH: %m");
	pid = fork();
	CHECK(pid >= 0, "fork: %m");
	if (pid == 0) {
		struct awd_desc d = { .opcode = AWD_OP_NOP, .tag = 9 };
		struct awd_cpl c;
		char path[64];
		struct q q;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		prctl(PR_SET_DUMPABLE, 1);
		snprintf(path, sizeof(path), "self/fd/%d", pfd);
		memset(&q, 0, sizeof(q));
		q.fd = openat(proc, path, O_RDWR | O_CLOEXEC);
		if (q.fd < 0)
			_exit(errno == EACCES ? 10 : errno == EPERM ? 11 : 12);
		if (ioctl(q.fd, AWD_IOC_INFO, &q.info))
			_exit(13);
		q_map(&q);
		q_start(&q);
		q_submit(&q, &d);
		if (q_wait(&q, &c, 10000, 0) || c.status != AWD_STS_OK ||
		    c.tag != 9)
			_exit(14);
		_exit(0);
	}
	close(pfd);
	close(proc);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child died");
	st = WEXITSTATUS(st);
	if (want_ok && st == 11) {
		printf("SKIP: no-SVA mode needs CAP_SYS_RAWIO on top\n");
		return 77;
	}
	CHECK(want_ok ? st == 0 : st == 10,
	      "unprivileged open: child exit %d (10: EACCES, 11: EPERM, 12: other, 13-14: queue), expected %s",
	      st, expect);
	printf("unprivileged user: %s\n", want_ok ? "opened it, NOP done" :
	       "EACCES");
	return 0;
}

int main(int argc, char **argv)
{
	const char *t;

	if (argc > 2 && !strcmp(argv[1], "-d")) {
		dev_path = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: awd-drvtest [-d DEV] info|mmap|fork|busy|nop [N]|qcount [N]|telemetry [N [LEN]]|compress [LEN]|regmem|cow|sgl-untouched|sgl-cow|isolation|two|unmap|exec|qerror|kill [N]|hostile [SECS]|waitq [N [KILLS]]|waitq-remove SYSFS-REMOVE|hotremove SYSFS-REMOVE|flr SYSFS-RESET|fence SYSFS-RESET|unpriv denied|allowed|memhog MB\n");
		return 2;
	}
	t = argv[1];
	if (!strcmp(t, "info"))
		return t_info();
	if (!strcmp(t, "mmap"))
		return t_mmap();
	if (!strcmp(t, "fork"))
		return t_fork();
	if (!strcmp(t, "busy"))
		return t_busy();
	if (!strcmp(t, "nop"))
		return t_nop(argc > 2 ? atoi(argv[2]) : 10);
	if (!strcmp(t, "qcount"))
		return t_qcount(argc > 2 ? atoi(argv[2]) : 10);
	if (!strcmp(t, "telemetry"))
		return t_telemetry(argc > 2 ? atoi(argv[2]) : 16,
				   argc > 3 ? strtoul(argv[3], NULL, 0) : 65536);
	if (!strcmp(t, "compress"))
		return t_compress(argc > 2 ? strtoul(argv[2], NULL, 0) : 65536);
	if (!strcmp(t, "cow"))
		return t_cow();
	if (!strcmp(t, "sgl-untouched"))
		return t_sgl_untouched();
	if (!strcmp(t, "sgl-cow"))
		return t_sgl_cow();
	if (!strcmp(t, "isolation"))
		return t_isolation();
	if (!strcmp(t, "two"))
		return t_two();
	if (!strcmp(t, "regmem"))
		return t_regmem();
	if (!strcmp(t, "hotremove") && argc > 2)
		return t_hotremove(argv[2]);
	if (!strcmp(t, "flr") && argc > 2)
		return t_flr(argv[2]);
	if (!strcmp(t, "fence") && argc > 2)
		return t_fence(argv[2]);
	if (!strcmp(t, "unpriv") && argc > 2)
		return t_unpriv(argv[2]);
	if (!strcmp(t, "exec"))
		return t_exec();
	if (!strcmp(t, "exec-child") && argc > 2)
		return t_exec_child(atoi(argv[2]));
	if (!strcmp(t, "qerror"))
		return t_qerror();
	if (!strcmp(t, "unmap"))
		return t_unmap();
	if (!strcmp(t, "memhog"))
		return t_memhog(argc > 2 ? atol(argv[2]) : 256);
	if (!strcmp(t, "hostile"))
		return t_hostile(argc > 2 ? atoi(argv[2]) : 15);
	if (!strcmp(t, "kill"))
		return t_kill(argc > 2 ? atoi(argv[2]) : 10);
	if (!strcmp(t, "waitq-remove") && argc > 2)
		return t_waitq_remove(argv[2]);
	if (!strcmp(t, "waitq"))
		return t_waitq(argc > 2 ? atoi(argv[2]) : 64,
			       argc > 3 ? atoi(argv[3]) : 8);
	fprintf(stderr, "unknown test %s\n", t);
	return 2;
}
