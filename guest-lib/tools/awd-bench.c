// SPDX-License-Identifier: MIT
/*
 * awd bench: device against software in the same process, one run.
 *   compress L1/L6 and decompress (gzip format) at 4 KiB, 64 KiB, 1 MiB:
 *     device with N requests in flight, against zlib on this CPU;
 *   RSA-2048 private (CRT) ops/s: device against GMP (mpz_powm_sec);
 *   synchronous no-op round trips (the request path alone);
 *   compress 1 MiB into demand-faulted output (fresh, never-touched
 *     pages every request: every page arrives through a page request)
 *     against prefaulted output.
 * Built for the host (awd-mock) with -DAWD_BENCH_ISAL and/or
 * -DAWD_BENCH_LIBDEFLATE, the rows also carry host ISA-L (compress L1,
 * decompress) and host libdeflate (compress L1/L6, decompress) on the same
 * data and buffers: keys isal= and libdeflate=, absent when not built in.
 * Prints a table and "key=value" lines (-m) for scripts, and per case
 * one "awd-cost" line: per-request device counters (AWD_IOC_QCOUNT
 * deltas) and completion latency (median, p99) measured per request
 * (format in guest-lib/README.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#ifdef AWD_BENCH_ISAL
#include <isa-l/igzip_lib.h>
#endif
#ifdef AWD_BENCH_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "awd-tool.h"
#ifdef HAVE_RSA_VECTORS
#include "accel-wd-rsa-vectors.h"
#endif

struct bopts {
	double seconds;           /* per measurement */
	unsigned int depth;       /* requests in flight */
	bool machine;
	bool polled;              /* no interrupts: spin for completions */
	const char *dev;
	const char *file;
	const char *only;         /* comma-separated case names, NULL: all */
	unsigned int sizes;       /* bit per entry of sizes[], 0: all */
};

/* Is case @name selected by -c? */
static bool want(const struct bopts *o, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = o->only; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return !o->only;
}

/* -s: "4K,64K,1M" against @sizes; returns the bit mask, 0 if bad */
static unsigned int parse_sizes(const char *arg, const size_t *sizes,
				size_t count)
{
	unsigned int mask = 0;

	while (*arg) {
		char *end;
		unsigned long v = strtoul(arg, &end, 0);
		size_t i;

		if (*end == 'K' || *end == 'k')
			v <<= 10, end++;
		else if (*end == 'M' || *end == 'm')
			v <<= 20, end++;
		for (i = 0; i < count && sizes[i] != v; i++)
			;
		if (i == count || (*end && *end != ','))
			return 0;
		mask |= 1u << i;
		arg = *end ? end + 1 : end;
	}
	return mask;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * What the requests of one measured case cost: device counters around
 * the measured (post warm-up) part, and each request's latency from
 * submission to the reap that returned it.
 */
struct cost {
	struct awd_ctx *ctx;
	struct awd_hw_counters c0;
	int c0_err;                     /* awd_ctx_hw_counters() at start */
	double *lat;                    /* seconds, measured requests */
	size_t n, cap;
};

static void cost_start(struct cost *k, struct awd_ctx *ctx)
{
	k->ctx = ctx;
	k->n = 0;
	k->c0_err = awd_ctx_hw_counters(ctx, &k->c0);
}

static void cost_add(struct cost *k, double lat)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 1024;
		double *p = realloc(k->lat, cap * sizeof(*p));

		if (!p)
			return;
		k->lat = p;
		k->cap = cap;
	}
	k->lat[k->n++] = lat;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (0..100) of the sorted samples, in us. */
static double pct_us(const struct cost *k, double p)
{
	size_t i;

	if (!k->n)
		return 0;
	i = (size_t)((p / 100.0) * (double)k->n + 0.999999);
	i = i ? i - 1 : 0;
	return k->lat[i < k->n ? i : k->n - 1] * 1e6;
}

/* The "awd-cost" line of one case (guest-lib/README.md). */
static void cost_print(struct cost *k, const char *name, size_t bytes)
{
	static const char *const keys[] = {
		"db_writes", "reg_reads", "desc_bytes", "list_bytes",
		"cpl_bytes", "ats", "page_reqs",
	};
	struct awd_hw_counters c1;
	const char *fmt = "?";
	int err = k->c0_err;

	if (!err)
		err = awd_ctx_hw_counters(k->ctx, &c1);
	awd_ctx_format(k->ctx, &fmt, NULL);
	qsort(k->lat, k->n, sizeof(*k->lat), cmp_double);
	printf("awd-cost case=%s bytes=%zu format=%s requests=%zu", name, bytes,
	       fmt, k->n);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t a = (&k->c0.db_writes)[i], b = (&c1.db_writes)[i];

		if (err || !k->n)
			printf(" %s=n/a", keys[i]);
		else
			printf(" %s=%.2f", keys[i], (double)(b - a) / (double)k->n);
	}
	printf(" lat_p50_us=%.1f lat_p99_us=%.1f\n", pct_us(k, 50),
	       pct_us(k, 99));
}

/* Text-like data with random runs: compresses about 3:1, like a corpus. */
static void fill(uint8_t *p, size_t len, uint32_t s)
{
	static const char *const words[] = {
		"accelerator ", "shared ", "virtual ", "addressing ", "queue ",
		"the ", "page ", "request ", "\n", "0x1f8b ", "process ",
	};

	for (size_t i = 0; i < len;) {
		s = s * 1103515245u + 12345u;
		if ((s >> 16) % 10 == 0) {
			for (size_t k = (s >> 20) % 48; k && i < len; k--) {
				s = s * 1103515245u + 12345u;
				p[i++] = (uint8_t)(s >> 16);
			}
		} else {
			const char *w = words[(s >> 16) % 11];

			for (; *w && i < len; w++)
				p[i++] = (uint8_t)*w;
		}
	}
}

static int zlib_once(bool comp, int level, const uint8_t *in, size_t n,
		     uint8_t *out, size_t cap, size_t *made)
{
	z_stream zs = { 0 };
	int ret;

	if (comp)
		ret = deflateInit2(&zs, level, Z_DEFLATED, 31, 8,
				   Z_DEFAULT_STRATEGY);
	else
		ret = inflateInit2(&zs, 31);
	if (ret != Z_OK)
		return -EIO;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ret = comp ? deflate(&zs, Z_FINISH) : inflate(&zs, Z_FINISH);
	if (comp)
		deflateEnd(&zs);
	else
		inflateEnd(&zs);
	*made = cap - zs.avail_out;
	return ret == Z_STREAM_END ? 0 : -EIO;
}

/*
 * Software: bytes/s of input over repeated single calls on one z_stream
 * (deflateReset/inflateReset between calls, as a careful program would).
 */
static double sw_rate(const struct bopts *o, bool comp, int level,
		      const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream zs = { 0 };
	double t0, t, warm;
	uint64_t iters = 0;
	int ret;

	ret = comp ? deflateInit2(&zs, level, Z_DEFLATED, 31, 8,
				  Z_DEFAULT_STRATEGY) :
		     inflateInit2(&zs, 31);
	if (ret != Z_OK)
		return 0;
	warm = now() + o->seconds / 5;          /* untimed warm-up first */
	t0 = 0;
	do {
		zs.next_in = (Bytef *)in;
		zs.avail_in = (uInt)n;
		zs.next_out = out;
		zs.avail_out = (uInt)cap;
		ret = comp ? deflate(&zs, Z_FINISH) : inflate(&zs, Z_FINISH);
		if (ret != Z_STREAM_END)
			break;
		if (comp)
			deflateReset(&zs);
		else
			inflateReset(&zs);
		iters++;
		t = now();
		if (!t0 && t >= warm) {
			t0 = t;
			iters = 0;
		}
	} while (!t0 || t - t0 < o->seconds);
	if (comp)
		deflateEnd(&zs);
	else
		inflateEnd(&zs);
	return ret == Z_STREAM_END ? (double)(iters * n) / (t - t0) : 0;
}


/* Other host libraries, gzip format like the rest; -1: not built in */
enum hostlib { LIB_ISAL, LIB_LIBDEFLATE, LIB_COUNT };
static const char *const lib_names[LIB_COUNT] = { "isal", "libdeflate" };

#ifdef AWD_BENCH_ISAL
/*
 * ISA-L's AVX-512 code returns with the upper halves of the vector
 * registers dirty; zlib's SSE code measured next would run ~25% slower
 * (hw/accel-wd/engine-csum.c, awd_simd_settle).
 */
static void simd_settle(void)
{
#ifdef __x86_64__
	if (__builtin_cpu_supports("avx"))
		__asm__ volatile("vzeroupper" : : : "memory");
#endif
}

/* One request as the device's ISA-L engine makes it: a fresh stream */
static int isal_once(bool comp, int level, const uint8_t *in, size_t n,
		     uint8_t *out, size_t cap, size_t *made)
{
	static uint8_t *lbuf;
	static struct inflate_state st;
	static struct isal_zstream zs;
	int ret;

	if (!comp) {
		isal_inflate_init(&st);
		st.crc_flag = ISAL_GZIP;
		st.next_in = (uint8_t *)in;
		st.avail_in = (uint32_t)n;
		st.next_out = out;
		st.avail_out = (uint32_t)cap;
		ret = isal_inflate(&st);
		simd_settle();
		if (ret != ISAL_DECOMP_OK || st.block_state != ISAL_BLOCK_FINISH)
			return -EIO;
		*made = st.total_out;
		return 0;
	}
	if (!lbuf)
		lbuf = malloc(ISAL_DEF_LVL3_DEFAULT);
	if (!lbuf || level < 1 || level > 3)
		return -EINVAL;
	memset(&zs, 0, sizeof(zs));
	isal_deflate_init(&zs);
	zs.level = (uint32_t)level;
	zs.level_buf = lbuf;
	zs.level_buf_size = ISAL_DEF_LVL3_DEFAULT;
	zs.gzip_flag = IGZIP_GZIP;
	zs.end_of_stream = 1;
	zs.flush = NO_FLUSH;
	zs.next_in = (uint8_t *)in;
	zs.avail_in = (uint32_t)n;
	zs.next_out = out;
	zs.avail_out = (uint32_t)cap;
	ret = isal_deflate(&zs);
	simd_settle();
	if (ret != COMP_OK || zs.internal_state.state != ZSTATE_END)
		return -EIO;
	*made = zs.total_out;
	return 0;
}
#endif

#ifdef AWD_BENCH_LIBDEFLATE
static int libdeflate_once(bool comp, int level, const uint8_t *in, size_t n,
			   uint8_t *out, size_t cap, size_t *made)
{
	static struct libdeflate_compressor *c[13];
	static struct libdeflate_decompressor *d;

	if (!comp) {
		if (!d)
			d = libdeflate_alloc_decompressor();
		if (!d || libdeflate_gzip_decompress(d, in, n, out, cap, made))
			return -EIO;
		return 0;
	}
	if (level < 1 || level > 12)
		return -EINVAL;
	if (!c[level])
		c[level] = libdeflate_alloc_compressor(level);
	if (!c[level])
		return -ENOMEM;
	*made = libdeflate_gzip_compress(c[level], in, n, out, cap);
	return *made ? 0 : -EIO;
}
#endif

/* One request through @lib; -ENOSYS when it is not built in */
static int lib_once(enum hostlib lib, bool comp, int level,
		    const uint8_t *in, size_t n, uint8_t *out, size_t cap,
		    size_t *made)
{
	switch (lib) {
#ifdef AWD_BENCH_ISAL
	case LIB_ISAL:
		return isal_once(comp, level, in, n, out, cap, made);
#endif
#ifdef AWD_BENCH_LIBDEFLATE
	case LIB_LIBDEFLATE:
		return libdeflate_once(comp, level, in, n, out, cap, made);
#endif
	default:
		(void)comp, (void)level, (void)in, (void)n, (void)out;
		(void)cap, (void)made;
		return -ENOSYS;
	}
}

/*
 * Bytes/s of input through @lib, the loop of sw_rate(); -1 when @lib is
 * not built in or has no such level. The output is checked once: it
 * inflates (zlib) to the input, or is the input.
 */
static double lib_rate(const struct bopts *o, enum hostlib lib, bool comp,
		       int level, const uint8_t *in, size_t n,
		       const uint8_t *orig, size_t orig_len, uint8_t *out,
		       size_t cap)
{
	double t0 = 0, t, warm;
	uint64_t iters = 0;
	size_t made;

	if (lib_once(lib, comp, level, in, n, out, cap, &made))
		return -1;
	if (comp) {
		uint8_t *back = malloc(orig_len + 1);
		size_t got = 0;
		bool ok = back && !zlib_once(false, 0, out, made, back,
					     orig_len + 1, &got) &&
			  got == orig_len && !memcmp(back, orig, orig_len);

		free(back);
		if (!ok)
			return -1;
	} else if (made != orig_len || memcmp(out, orig, orig_len)) {
		return -1;
	}
	warm = now() + o->seconds / 5;
	do {
		if (lib_once(lib, comp, level, in, n, out, cap, &made))
			return -1;
		iters++;
		t = now();
		if (!t0 && t >= warm) {
			t0 = t;
			iters = 0;
		}
	} while (!t0 || t - t0 < o->seconds);
	return (double)(iters * n) / (t - t0);
}

/*
 * Device: bytes/s of input with o->depth requests in flight. @fresh: a
 * new, never-touched output mapping for every request.
 */
static double dev_rate(struct awd_ctx *ctx, const struct bopts *o,
		       enum awd_req_op op, int level, const uint8_t *in,
		       size_t n, size_t cap, bool fresh, struct cost *k,
		       int *err)
{
	unsigned int depth = o->depth;
	struct awd_req *reqs = calloc(depth, sizeof(*reqs));
	struct awd_req **done = calloc(depth, sizeof(*done));
	uint8_t **bufs = calloc(depth, sizeof(*bufs));
	double *sent = calloc(depth, sizeof(*sent));
	uint64_t bytes = 0;
	unsigned int inflight = 0;
	double t0 = 0, t = 0;
	bool stop = false, warming = true;
	int ret = 0;

	*err = 0;
	if (!reqs || !done || !bufs || !sent) {
		*err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < depth; i++) {
		if (!fresh) {
			bufs[i] = malloc(cap);
			if (!bufs[i]) {
				*err = -ENOMEM;
				goto out;
			}
			/*
			 * Prefault with a non-zero byte: malloc + memset(0)
			 * becomes calloc, which leaves fresh mmap pages
			 * untouched.
			 */
			memset(bufs[i], 0x5a, cap);
		}
		reqs[i].op = op;
		reqs[i].format = AWD_FORMAT_GZIP;
		reqs[i].level = (uint32_t)level;
		reqs[i].src = in;
		reqs[i].src_len = n;
		reqs[i].dst_len = cap;
		reqs[i].user_data = &bufs[i];
	}
	t0 = now();
	for (;;) {
		/* refill */
		for (unsigned int i = 0; !stop && i < depth; i++) {
			if (reqs[i].user_data == NULL)
				continue;       /* in flight */
			if (fresh) {
				bufs[i] = mmap(NULL, cap, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (bufs[i] == MAP_FAILED) {
					bufs[i] = NULL;
					*err = -ENOMEM;
					stop = true;
					break;
				}
			}
			reqs[i].dst = bufs[i];
			reqs[i].user_data = NULL;
			sent[i] = now();
			ret = awd_submit(ctx, &reqs[i]);
			if (ret) {
				reqs[i].user_data = &bufs[i];
				*err = ret;
				stop = true;
				break;
			}
			inflight++;
		}
		if (!inflight)
			break;
		ret = awd_wait(ctx, done, depth, 10000);
		if (ret <= 0) {
			*err = ret ? ret : -ETIMEDOUT;
			break;
		}
		t = now();
		for (int j = 0; j < ret; j++) {
			struct awd_req *r = done[j];
			unsigned int i = (unsigned int)(r - reqs);

			if (!warming)
				cost_add(k, t - sent[i]);
			inflight--;
			r->user_data = &bufs[i];
			if (r->result && !*err)
				*err = r->result;
			bytes += r->consumed;
			if (fresh) {
				munmap(bufs[i], cap);
				bufs[i] = NULL;
			}
		}
		if (warming && t - t0 >= o->seconds / 5) {
			warming = false;        /* untimed warm-up done */
			t0 = t;
			bytes = 0;
			cost_start(k, ctx);
		}
		if ((!warming && t - t0 >= o->seconds) || *err)
			stop = true;
	}
out:
	if (bufs)
		for (unsigned int i = 0; i < depth; i++)
			if (bufs[i] && !fresh)
				free(bufs[i]);
	free(bufs);
	free(reqs);
	free(done);
	free(sent);
	return *err || t <= t0 ? 0 : (double)bytes / (t - t0);
}

static void row(const struct bopts *o, const char *name, size_t size,
		double dev, double sw, const double *lib, const char *unit)
{
	double div = !strcmp(unit, "MB/s") ? 1e6 : 1.0;

	if (o->machine) {
		printf("%s size=%zu device=%.3f software=%.3f ratio=%.3f", name,
		       size, dev / div, sw / div, sw > 0 ? dev / sw : 0);
		for (int i = 0; lib && i < LIB_COUNT; i++)
			if (lib[i] >= 0)
				printf(" %s=%.3f", lib_names[i], lib[i] / div);
		printf(" unit=%s\n", unit);
		return;
	}
	printf("%-16s %8zu %12.1f %12.1f %8.2fx  %s", name, size, dev / div,
	       sw / div, sw > 0 ? dev / sw : 0, unit);
	for (int i = 0; lib && i < LIB_COUNT; i++)
		if (lib[i] >= 0)
			printf("  host %s %.1f", lib_names[i], lib[i] / div);
	printf("\n");
}

/* Synchronous no-op round trips per second (1 / latency). */
static double nop_rate(struct awd_ctx *ctx, const struct bopts *o,
		       struct cost *k, int *err)
{
	struct awd_req r = AWD_REQ_INIT;
	double t0 = now(), t = t0, warm = t0 + o->seconds / 5, ts;
	uint64_t ops = 0;
	bool warming = true;

	r.op = AWD_REQ_NOP;
	do {
		ts = t;
		*err = awd_run(ctx, &r);
		if (*err)
			return 0;
		ops++;
		t = now();
		if (!warming)
			cost_add(k, t - ts);
		if (warming && t >= warm) {
			warming = false;
			t0 = t;
			ops = 0;
			cost_start(k, ctx);
		}
	} while (warming || t - t0 < o->seconds);
	return (double)ops / (t - t0);
}

#ifdef HAVE_RSA_VECTORS
static double gmp_crt_rate(const struct bopts *o, const struct rsa_vector *v)
{
	size_t h = v->len / 2;
	mpz_t p, q, dp, dq, qinv, c, m1, m2, t;
	double warm = now() + o->seconds / 5, t0 = 0, t1;
	uint64_t iters = 0;

	mpz_inits(p, q, dp, dq, qinv, c, m1, m2, t, NULL);
	mpz_import(p, h, 1, 1, 1, 0, v->crt);
	mpz_import(q, h, 1, 1, 1, 0, v->crt + h);
	mpz_import(dp, h, 1, 1, 1, 0, v->crt + 2 * h);
	mpz_import(dq, h, 1, 1, 1, 0, v->crt + 3 * h);
	mpz_import(qinv, h, 1, 1, 1, 0, v->crt + 4 * h);
	mpz_import(c, v->len, 1, 1, 1, 0, v->msg);
	do {
		mpz_mod(t, c, p);
		mpz_powm_sec(m1, t, dp, p);
		mpz_mod(t, c, q);
		mpz_powm_sec(m2, t, dq, q);
		mpz_sub(t, m1, m2);
		mpz_mul(t, t, qinv);
		mpz_mod(t, t, p);
		mpz_mul(t, t, q);
		mpz_add(m1, m2, t);
		iters++;
		t1 = now();
		if (!t0 && t1 >= warm) {
			t0 = t1;
			iters = 0;
		}
	} while (!t0 || t1 - t0 < o->seconds);
	mpz_clears(p, q, dp, dq, qinv, c, m1, m2, t, NULL);
	return (double)iters / (t1 - t0);
}

static double dev_rsa_rate(struct awd_ctx *ctx, const struct bopts *o,
			   const struct rsa_vector *v, struct cost *k,
			   int *err)
{
	size_t h = v->len / 2;
	struct awd_rsa_key_parts kp = {
		.n = v->n, .n_len = v->len,
		.p = v->crt, .p_len = h, .q = v->crt + h, .q_len = h,
		.dp = v->crt + 2 * h, .dp_len = h,
		.dq = v->crt + 3 * h, .dq_len = h,
		.qinv = v->crt + 4 * h, .qinv_len = h,
	};
	unsigned int depth = o->depth;
	struct awd_rsa_key *key;
	struct awd_req *reqs = calloc(depth, sizeof(*reqs));
	struct awd_req **done = calloc(depth, sizeof(*done));
	uint8_t *out = calloc(depth, v->len);
	double *sent = calloc(depth, sizeof(*sent));
	unsigned int inflight = 0;
	uint64_t ops = 0;
	double t0 = 0, t = 0;
	bool stop = false, warming = true;
	int ret;

	*err = awd_rsa_key_new(ctx, &kp, &key);
	if (*err || !reqs || !done || !out || !sent) {
		if (!*err)
			*err = -ENOMEM;
		goto out;
	}
	t0 = now();
	for (;;) {
		for (unsigned int i = 0; !stop && i < depth; i++) {
			if (reqs[i].user_data)
				continue;
			reqs[i] = (struct awd_req){
				.op = AWD_REQ_RSA, .rsa_form = AWD_RSA_FORM_CRT,
				.key = key, .src = v->msg, .src_len = v->len,
				.dst = out + i * v->len, .dst_len = v->len,
				.user_data = &reqs[i],
			};
			sent[i] = now();
			ret = awd_submit(ctx, &reqs[i]);
			if (ret) {
				reqs[i].user_data = NULL;
				*err = ret;
				stop = true;
				break;
			}
			inflight++;
		}
		if (!inflight)
			break;
		ret = awd_wait(ctx, done, depth, 10000);
		if (ret <= 0) {
			*err = ret ? ret : -ETIMEDOUT;
			break;
		}
		t = now();
		for (int j = 0; j < ret; j++) {
			if (done[j]->result && !*err)
				*err = done[j]->result;
			if (!warming)
				cost_add(k, t - sent[done[j] - reqs]);
			done[j]->user_data = NULL;
			inflight--;
			ops++;
		}
		if (warming && t - t0 >= o->seconds / 5) {
			warming = false;
			t0 = t;
			ops = 0;
			cost_start(k, ctx);
		}
		if ((!warming && t - t0 >= o->seconds) || *err)
			stop = true;
	}
	if (!*err && memcmp(out, v->priv, v->len))
		*err = -EBADMSG;
out:
	awd_rsa_key_free(&key);
	free(reqs);
	free(done);
	free(out);
	free(sent);
	return *err || t <= t0 ? 0 : (double)ops / (t - t0);
}
#endif

static int load_input(const struct bopts *o, uint8_t *buf, size_t len)
{
	size_t got = 0, n;
	int fd, ret;

	if (!o->file) {
		fill(buf, len, 7);
		return 0;
	}
	fd = open(o->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = awd_read_full(fd, buf, len, &got);
	close(fd);
	if (ret)
		return ret;
	if (!got)
		return -ENODATA;
	/* repeat a short file to fill the buffer */
	for (n = got; n < len; n += got)
		memcpy(buf + n, buf, len - n < got ? len - n : got);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "depth", required_argument, NULL, 'q' },
		{ "file", required_argument, NULL, 'f' },
		{ "machine", no_argument, NULL, 'm' },
		{ "polled", no_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'D' },
		{ "cases", required_argument, NULL, 'c' },
		{ "sizes", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const size_t sizes[] = { 4096, 65536, 1u << 20 };
	struct bopts o = { .seconds = 1.0, .depth = 8 };
	size_t big = 1u << 20, cap = awd_compress_bound(AWD_FORMAT_GZIP, big);
	uint8_t *in = NULL, *z = NULL, *out = NULL;
	struct awd_ctx *ctx = NULL;
	struct awd_caps caps;
	struct cost k = { 0 };
	const char *fmt = "?";
	int c, err, rc = EXIT_ERR;

	while ((c = getopt_long(argc, argv, "t:q:f:mpD:c:s:h", lopts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			o.only = optarg;
			break;
		case 's':
			o.sizes = parse_sizes(optarg, sizes, ARRAY_SIZE(sizes));
			if (!o.sizes) {
				awd_msg("bad -s %s: sizes are 4K, 64K, 1M", optarg);
				return EXIT_ERR;
			}
			break;
		case 't':
			o.seconds = strtod(optarg, NULL);
			break;
		case 'q':
			o.depth = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'm':
			o.machine = true;
			break;
		case 'p':
			o.polled = true;
			break;
		case 'D':
			o.dev = optarg;
			break;
		case 'h':
			printf("usage: awd bench [-t SECONDS] [-q DEPTH] [-f FILE] [-m] [-p] [-D DEVICE]\n"
			       "                 [-c CASES] [-s SIZES]\n"
			       "  -c  only these cases, comma-separated: nop-sync, compress-L1,\n"
			       "      compress-L6, decompress, rsa2048-crt, fault-L1 (default all)\n"
			       "  -s  only these request sizes: 4K, 64K, 1M, comma-separated\n"
			       "  -t  seconds per measurement (default 1)\n"
			       "  -q  requests in flight on the device (default 8)\n"
			       "  -f  input data (default: synthetic text, ~3:1)\n"
			       "  -m  machine-readable lines\n"
			       "  -p  poll for completions (no interrupts)\n");
			return EXIT_OK;
		default:
			return EXIT_ERR;
		}
	}
	if (o.seconds <= 0 || o.depth < 1 || o.depth > 1024) {
		awd_msg("bad -t or -q");
		return EXIT_ERR;
	}
	/*
	 * No transparent huge pages for our buffers: a khugepaged collapse
	 * (with compaction, ~0.5 s under TCG) holds the device's page
	 * requests for its range and would land in one case at random.
	 */
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (awd_tool_open(&ctx, o.dev, o.polled ? AWD_OPEN_POLLED : 0))
		return EXIT_ERR;
	awd_ctx_caps(ctx, &caps);
	awd_ctx_format(ctx, &fmt, NULL);
	if (o.depth > caps.max_inflight)
		o.depth = caps.max_inflight;
	in = malloc(big);
	z = malloc(cap);
	out = malloc(cap);
	if (!in || !z || !out) {
		awd_msg("out of memory");
		goto out;
	}
	err = load_input(&o, in, big);
	if (err) {
		awd_msg("%s: %s", o.file, strerror(-err));
		goto out;
	}
	if (!o.machine) {
		printf("# %s queue %u, format %s, %s, %s, %u in flight, %.1f s per case, input %s\n",
		       caps.dev, caps.queue, fmt, caps.mode == AWD_CTX_MODE_SVA ?
		       "sva" : "nosva", o.polled || !caps.irq ? "polled" :
		       "interrupts", o.depth, o.seconds,
		       o.file ? o.file : "synthetic text");
		printf("%-16s %8s %12s %12s %9s\n", "operation", "bytes",
		       "device", "software", "ratio");
	}
	if (want(&o, "nop-sync")) {
		double d = nop_rate(ctx, &o, &k, &err);

		if (err)
			goto dev_err;
		if (o.machine)
			printf("nop-sync size=0 ops=%.1f latency_us=%.1f\n", d,
			       d > 0 ? 1e6 / d : 0);
		else
			printf("%-16s %8d %12.1f %12s %9s  ops/s (%.1f us round trip)\n",
			       "nop-sync", 0, d, "-", "-", d > 0 ? 1e6 / d : 0);
		cost_print(&k, "nop-sync", 0);
	}
	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		size_t n = sizes[si], zn;
		size_t bound = awd_compress_bound(AWD_FORMAT_GZIP, n);
		static const int levels[] = { 1, 6 };
		double d, s, lib[LIB_COUNT];
		char name[32];

		if (n > caps.max_xfer || (o.sizes && !(o.sizes & (1u << si))))
			continue;
		if (bound > caps.max_xfer)
			bound = caps.max_xfer;  /* enough for compressible input */

		for (int li = 0; li < 2; li++) {
			snprintf(name, sizeof(name), "compress-L%d", levels[li]);
			if (!want(&o, name))
				continue;
			s = sw_rate(&o, true, levels[li], in, n, out, cap);
			for (int i = 0; i < LIB_COUNT; i++)
				lib[i] = lib_rate(&o, (enum hostlib)i, true,
						  levels[li], in, n, in, n, out,
						  cap);
			d = dev_rate(ctx, &o, AWD_REQ_COMPRESS, levels[li], in, n,
				     bound, false, &k, &err);
			if (err)
				goto dev_err;
			row(&o, name, n, d, s, lib, "MB/s");
			cost_print(&k, name, n);
		}
		if (!want(&o, "decompress"))
			continue;
		if (zlib_once(true, 6, in, n, z, cap, &zn)) {
			awd_msg("zlib failed");
			goto out;
		}
		s = sw_rate(&o, false, 0, z, zn, out, cap);
		for (int i = 0; i < LIB_COUNT; i++) {
			lib[i] = lib_rate(&o, (enum hostlib)i, false, 0, z, zn,
					  in, n, out, cap);
			/* in output (original) bytes, as below */
			if (lib[i] > 0)
				lib[i] *= (double)n / (double)zn;
		}
		d = dev_rate(ctx, &o, AWD_REQ_DECOMPRESS, 0, z, zn, n, false,
			     &k, &err);
		if (err)
			goto dev_err;
		/* decompression rates are quoted in output (original) bytes */
		row(&o, "decompress", n, d * (double)n / (double)zn,
		    s * (double)n / (double)zn, lib, "MB/s");
		cost_print(&k, "decompress", n);
	}
#ifdef HAVE_RSA_VECTORS
	if (caps.rsa_max_bits >= 2048 && want(&o, "rsa2048-crt")) {
		double d, s;

		s = gmp_crt_rate(&o, &rsa_vectors[1]);
		d = dev_rsa_rate(ctx, &o, &rsa_vectors[1], &k, &err);
		if (err)
			goto dev_err;
		row(&o, "rsa2048-crt", 256, d, s, NULL, "ops/s");
		cost_print(&k, "rsa2048-crt", 256);
	}
#endif
	if (want(&o, "fault-L1")) {
		size_t room = cap < caps.max_xfer ? cap : caps.max_xfer;
		double pre, dem;

		pre = dev_rate(ctx, &o, AWD_REQ_COMPRESS, 1, in, big, room,
			       false, &k, &err);
		if (err)
			goto dev_err;
		cost_print(&k, "fault-L1-prefaulted", big);
		dem = dev_rate(ctx, &o, AWD_REQ_COMPRESS, 1, in, big, room,
			       true, &k, &err);
		if (err)
			goto dev_err;
		cost_print(&k, "fault-L1", big);
		/* device = demand-faulted, "software" column = prefaulted */
		if (o.machine)
			printf("fault-L1 size=%zu demand=%.3f prefaulted=%.3f ratio=%.3f unit=MB/s\n",
			       big, dem / 1e6, pre / 1e6, pre > 0 ? dem / pre : 0);
		else
			printf("%-16s %8zu %12.1f %12.1f %8.2fx  MB/s (demand-faulted vs prefaulted output)\n",
			       "fault-L1", big, dem / 1e6, pre / 1e6,
			       pre > 0 ? dem / pre : 0);
	}
	rc = EXIT_OK;
	goto out;
dev_err:
	awd_msg("device: %s", awd_strerror(err));
out:
	free(in);
	free(z);
	free(out);
	free(k.lat);
	awd_ctx_close(&ctx);
	return rc;
}
