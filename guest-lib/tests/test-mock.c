// SPDX-License-Identifier: MIT
/*
 * Test of libaccelwd's whole request path: rings, tags, async
 * submit/poll/wait, one-shot and streamed compression checked against
 * zlib, RSA against OpenSSL-made vectors, fork, threads, API misuse.
 *
 * Built twice: on the host against a stand-in for the driver and device
 * (mock.c, running the device's own engines; adds no-SVA registration,
 * queue errors and forged completions through its knobs), and with
 * -DAWD_GUEST as the static guest program awd-libtest against the real
 * device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "accelwd.h"
#include "awd_internal.h"     /* ctx->db, for a forged doorbell */
#include "fmt.h"              /* ring state and portal, for forged lists */

#define ARRAY_SIZE(a) AWD_ARRAY_SIZE(a)
#ifndef AWD_GUEST
#include "mock.h"
#else
#define MOCK_QUEUES 4
#endif
#ifdef HAVE_RSA_VECTORS
#include "accel-wd-rsa-vectors.h"
#endif

static int failures, checks;

#define CHECK(cond) \
	do { \
		__atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED); \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond); \
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED); \
		} \
	} while (0)

#define CHECK_EQ(a, b) \
	do { \
		long long _a = (long long)(a), _b = (long long)(b); \
		__atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED); \
		if (_a != _b) { \
			fprintf(stderr, "%s:%d: %s == %lld, want %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b); \
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED); \
		} \
	} while (0)

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Compressible text-like data mixed with random runs. */
static uint8_t *make_data(size_t len, unsigned int seed)
{
	static const char * const words[] = { "accel ", "wd ", "shared ", "virtual ",
				       "addressing ", "queue ", "\n", "0x1234 " };
	uint8_t *p = malloc(len + 1);
	uint32_t s = seed * 2654435761u + 1;

	for (size_t i = 0; i < len;) {
		s = s * 1103515245u + 12345u;
		if ((s >> 16) % 8 == 0) {
			size_t n = (s >> 20) % 64;

			for (size_t k = 0; k < n && i < len; k++) {
				s = s * 1103515245u + 12345u;
				p[i++] = (uint8_t)(s >> 16);
			}
		} else {
			const char *w = words[(s >> 16) % 8];

			for (size_t k = 0; w[k] && i < len; k++)
				p[i++] = (uint8_t)w[k];
		}
	}
	return p;
}

static int zwbits(enum awd_format f)
{
	return f == AWD_FORMAT_RAW ? -15 : f == AWD_FORMAT_ZLIB ? 15 : 31;
}

/* zlib inflate of a whole @fmt stream; returns output length or -1. */
static long zinflate(enum awd_format f, const uint8_t *in, size_t n,
		     uint8_t *out, size_t cap)
{
	z_stream zs = { 0 };
	int ret;

	if (inflateInit2(&zs, zwbits(f)) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ret = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (ret != Z_STREAM_END || zs.avail_in)
		return -1;
	return (long)(cap - zs.avail_out);
}

static size_t zdeflate(enum awd_format f, int level, const uint8_t *in,
		       size_t n, uint8_t *out, size_t cap)
{
	z_stream zs = { 0 };

	deflateInit2(&zs, level, Z_DEFLATED, zwbits(f), 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static size_t max_xfer(struct awd_ctx *ctx)
{
	struct awd_caps caps;

	awd_ctx_caps(ctx, &caps);
	return caps.max_xfer;
}

/*
 * Is the device's output at @level zlib's own? Always with
 * AWD_CAP_ZLIB_EXACT; accel-wd's engine=isal (no such cap) compresses
 * levels 1-3 with ISA-L and the others with zlib.
 */
static bool zlib_bytes(struct awd_ctx *ctx, int level)
{
	struct awd_caps caps;

	awd_ctx_caps(ctx, &caps);
	return (caps.hw_caps & AWD_CAP_ZLIB_EXACT) || level > 3;
}

static struct awd_ctx *open_ctx(unsigned int flags)
{
	struct awd_ctx *ctx = NULL;
	int ret = awd_ctx_open(&ctx, NULL, flags);

	CHECK_EQ(ret, 0);
	return ctx;
}

/* Requests a queue of @entries slots holds: crec has no ring to keep apart */
static uint32_t inflight_of(const struct awd_ctx *ctx, uint32_t entries)
{
	return awd_ctx_format(ctx, NULL, NULL) == AWD_FORMAT_CREC ? entries :
	       entries - 1;
}

/* ---- basics ------------------------------------------------------------ */

#ifdef AWD_GUEST
static void test_open_caps(void)
{
	struct awd_ctx *ctx[AWD_MAX_QUEUES + 1] = { 0 };
	struct awd_caps caps;
	struct awd_stats st;
	int n = 0, ret;

	ctx[0] = open_ctx(0);
	CHECK_EQ(awd_ctx_caps(ctx[0], &caps), 0);
	CHECK(caps.ring_entries >= 2);
	CHECK_EQ(caps.max_inflight, inflight_of(ctx[0], caps.ring_entries));
	CHECK(caps.max_xfer >= 65536);
	CHECK(caps.hw_caps & AWD_CAP_DEFLATE);
	CHECK(caps.hw_caps & AWD_CAP_INFLATE);
	CHECK(caps.hw_caps & AWD_CAP_STREAM);
	CHECK_EQ(awd_ctx_stats(ctx[0], &st), 0);
	CHECK_EQ(st.queue_state, 1);
	{
		const char *fmt = "?";

		awd_ctx_format(ctx[0], &fmt, NULL);
		fprintf(stderr, "# %s queue %u, %s, format %s, %u entries, max_xfer %u\n",
			caps.dev, caps.queue, caps.mode ? "sva" : "nosva",
			fmt, caps.ring_entries, caps.max_xfer);
	}
	/* every queue: then -EBUSY */
	for (n = 1; n <= AWD_MAX_QUEUES; n++) {
		ret = awd_ctx_open(&ctx[n], NULL, 0);
		if (ret)
			break;
	}
	CHECK_EQ(ret, -EBUSY);
	CHECK((unsigned int)n <= caps.num_queues);
	for (int i = 0; i < n; i++)
		CHECK_EQ(awd_ctx_close(&ctx[i]), 0);
	CHECK_EQ(awd_ctx_close(&ctx[0]), -EBADF);
	CHECK_EQ(awd_ctx_open(&ctx[0], "0", AWD_OPEN_RING_ORDER(2)), 0);
	awd_ctx_caps(ctx[0], &caps);
	CHECK_EQ(caps.ring_entries, 4);
	awd_ctx_close(&ctx[0]);
	CHECK_EQ(awd_ctx_open(&ctx[0], "/dev/accel_wd9", 0), -ENOENT);
}
#else
static void test_open_caps(void)
{
	struct awd_ctx *ctx[MOCK_QUEUES + 1] = { 0 };
	struct awd_caps caps;
	struct awd_stats st;

	ctx[0] = open_ctx(0);
	CHECK_EQ(awd_ctx_caps(ctx[0], &caps), 0);
	CHECK_EQ(caps.ring_entries, 64);
	CHECK_EQ(caps.max_inflight, inflight_of(ctx[0], 64));
	CHECK_EQ(caps.mode, AWD_CTX_MODE_SVA);
	CHECK_EQ(caps.pasid, 7);
	CHECK(!strcmp(caps.dev, "/dev/accel_wd0"));
	CHECK_EQ(caps.max_xfer, 1u << 20);
	CHECK_EQ(awd_ctx_caps(ctx[0], NULL), -EINVAL);
	CHECK(awd_ctx_fd(ctx[0]) >= 0);
	CHECK_EQ(awd_ctx_stats(ctx[0], &st), 0);
	CHECK_EQ(st.queue_state, 1);
	CHECK_EQ(st.starts, 1);
	CHECK_EQ(awd_ctx_stats(ctx[0], NULL), -EINVAL);
	/* every queue taken: -EBUSY */
	for (int i = 1; i < MOCK_QUEUES; i++)
		ctx[i] = open_ctx(0);
	CHECK_EQ(awd_ctx_open(&ctx[MOCK_QUEUES], NULL, 0), -EBUSY);
	CHECK(ctx[MOCK_QUEUES] == NULL);
	CHECK_EQ(awd_ctx_open(&ctx[MOCK_QUEUES], "accel_wd0", 0), -EBUSY);
	for (int i = 0; i < MOCK_QUEUES; i++) {
		CHECK_EQ(awd_ctx_close(&ctx[i]), 0);
		CHECK(ctx[i] == NULL);
	}
	/* closed: -EBADF */
	CHECK_EQ(awd_ctx_close(&ctx[0]), -EBADF);
	/* named forms */
	CHECK_EQ(awd_ctx_open(&ctx[0], "0", 0), 0);
	awd_ctx_close(&ctx[0]);
	CHECK_EQ(awd_ctx_open(&ctx[0], "/dev/accel_wd0", 0), 0);
	awd_ctx_close(&ctx[0]);
	CHECK_EQ(awd_ctx_open(&ctx[0], "/dev/accel_wd1", 0), -ENOENT);
	/* ring order */
	CHECK_EQ(awd_ctx_open(&ctx[0], NULL, AWD_OPEN_RING_ORDER(2)), 0);
	awd_ctx_caps(ctx[0], &caps);
	CHECK_EQ(caps.ring_entries, 4);
	CHECK_EQ(caps.max_inflight, inflight_of(ctx[0], 4));
	awd_ctx_close(&ctx[0]);
	CHECK_EQ(awd_ctx_open(&ctx[0], NULL, AWD_OPEN_RING_ORDER(13)), -EINVAL);
	/* SVA required but no-SVA queue */
	mock_knobs.nosva = true;
	CHECK_EQ(awd_ctx_open(&ctx[0], NULL, AWD_OPEN_SVA_ONLY), -EOPNOTSUPP);
	mock_knobs.nosva = false;
}
#endif

static void test_nop_async(unsigned int flags)
{
	struct awd_ctx *ctx = open_ctx(flags | AWD_OPEN_RING_ORDER(3));
	struct awd_req reqs[8], extra = AWD_REQ_INIT, *done[8];
	int got = 0, n, max = (int)inflight_of(ctx, 8);
	unsigned int seen = 0;

	memset(reqs, 0, sizeof(reqs));
	for (int i = 0; i < max; i++) {
		reqs[i].op = AWD_REQ_NOP;
		reqs[i].user_data = &reqs[i];
		CHECK_EQ(awd_submit(ctx, &reqs[i]), 0);
	}
	/* already queued */
	CHECK_EQ(awd_submit(ctx, &reqs[0]), -EINVAL);
	extra.op = AWD_REQ_NOP;
	CHECK_EQ(awd_submit(ctx, &extra), -EAGAIN);
	while (got < max) {
		n = awd_wait(ctx, done, 3, 5000);
		CHECK(n > 0 && n <= 3);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			CHECK(done[i]->user_data == done[i]);
			CHECK_EQ(done[i]->result, 0);
			seen |= 1u << (done[i] - reqs);
		}
		got += n;
	}
	CHECK_EQ(seen, (1u << max) - 1);
	CHECK_EQ(awd_wait(ctx, done, 8, 0), -ENOENT);
	CHECK_EQ(awd_poll(ctx, done, 8), 0);
	CHECK_EQ(awd_poll(ctx, NULL, 1), -EINVAL);
	/* many more than the ring holds, synchronously */
	for (int i = 0; i < 100; i++)
		CHECK_EQ(awd_run(ctx, &extra), 0);
	/* run while others are in flight: they come back from poll later */
	for (int i = 0; i < 6; i++) {
		reqs[i].op = AWD_REQ_NOP;
		CHECK_EQ(awd_submit(ctx, &reqs[i]), 0);
	}
	CHECK_EQ(awd_run(ctx, &extra), 0);
	for (got = 0; got < 6;) {
		n = awd_wait(ctx, done, 8, 5000);
		CHECK(n > 0);
		if (n <= 0)
			break;
		got += n;
	}
	CHECK_EQ(got, 6);
	awd_ctx_close(&ctx);
}

/* ---- compression -------------------------------------------------------- */

static void test_oneshot_size(struct awd_ctx *ctx, size_t n, unsigned int seed)
{
	uint8_t *data = make_data(n, seed);
	size_t cap = awd_compress_bound(AWD_FORMAT_GZIP, n);
	uint8_t *c = malloc(cap), *z = malloc(cap), *back = malloc(n + 16);

	for (int f = 0; f <= 2; f++) {
		for (int level = 1; level <= 9; level += 4) {
			size_t clen = cap, zl, dl, sl;
			long got;

			CHECK_EQ(awd_compress(ctx, f, level, data, n, c, &clen),
				 0);
			/* byte-identical to zlib, where the device's is */
			zl = zdeflate(f, level, data, n, z, cap);
			if (zlib_bytes(ctx, level)) {
				CHECK_EQ(clen, zl);
				CHECK(!memcmp(c, z, zl));
			}
			got = zinflate(f, c, clen, back, n + 16);
			CHECK_EQ(got, (long)n);
			CHECK(!memcmp(back, data, n));
			/* and back through the device */
			memset(back, 0, n);
			sl = clen;
			dl = n + 16;
			CHECK_EQ(awd_decompress(ctx, f, c, &sl, back, &dl), 0);
			CHECK_EQ(sl, clen);
			CHECK_EQ(dl, n);
			CHECK(!memcmp(back, data, n));
			/* too small */
			if (n > 1) {
				sl = clen;
				dl = n - 1;
				CHECK_EQ(awd_decompress(ctx, f, c, &sl, back,
							&dl), -ENOBUFS);
				CHECK_EQ(dl, n - 1);
			}
		}
	}
	free(data);
	free(c);
	free(z);
	free(back);
}

static void test_oneshot(struct awd_ctx *ctx)
{
	static const size_t sizes[] = { 1, 2, 100, 4096, 65536, 300000,
					(1u << 20) - 512 };

	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++)
		if (awd_compress_bound(AWD_FORMAT_GZIP, sizes[si]) <=
		    max_xfer(ctx))
			test_oneshot_size(ctx, sizes[si], (unsigned int)si);
}

static void test_oneshot_edges(struct awd_ctx *ctx)
{
	uint8_t data[4096], c[8192], back[8192];
	size_t clen, sl, dl;

	memset(data, 'x', sizeof(data));
	/* empty input: the empty stream, as zlib writes it */
	for (int f = 0; f <= 2; f++) {
		uint8_t z[64];
		size_t zl = zdeflate(f, 6, data, 0, z, sizeof(z));

		clen = sizeof(c);
		CHECK_EQ(awd_compress(ctx, f, 6, data, 0, c, &clen), 0);
		CHECK_EQ(clen, zl);
		CHECK(!memcmp(c, z, zl));
		clen = 1;
		CHECK_EQ(awd_compress(ctx, f, 6, data, 0, c, &clen), -ENOBUFS);
		CHECK_EQ(clen, awd_compress_bound(f, 0));
	}
	/* output too small: the bound is reported */
	for (int i = 0; i < 4096; i++)
		data[i] = (uint8_t)rnd();
	clen = 100;
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data, 4096, c, &clen),
		 -ENOBUFS);
	CHECK_EQ(clen, awd_compress_bound(AWD_FORMAT_GZIP, 4096));
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data, 4096, c, &clen), 0);
	/* trailing data after the stream is left alone */
	memcpy(c + clen, "garbage", 7);
	sl = clen + 7;
	dl = sizeof(back);
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back, &dl), 0);
	CHECK_EQ(sl, clen);
	CHECK_EQ(dl, 4096);
	/* corrupt and truncated */
	c[clen - 5] ^= 0xff;    /* crc */
	sl = clen;
	dl = sizeof(back);
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back, &dl),
		 -EBADMSG);
	c[clen - 5] ^= 0xff;
	sl = clen - 10;
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back, &dl),
		 -EBADMSG);
	sl = 0;
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back, &dl),
		 -EBADMSG);
	/* bad arguments */
	clen = sizeof(c);
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 0, data, 10, c, &clen),
		 -EINVAL);
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 10, data, 10, c, &clen),
		 -EINVAL);
	CHECK_EQ(awd_compress(ctx, (enum awd_format)3, 6, data, 10, c, &clen),
		 -EINVAL);
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, NULL, 10, c, &clen),
		 -EINVAL);
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data, 10, c, NULL),
		 -EINVAL);
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data,
			      max_xfer(ctx) + 1, c, &clen), -EMSGSIZE);
	/* overlapping buffers */
	clen = 4096;
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, c, 2048, c + 1024,
			      &clen), -EINVAL);
}

static void test_req_misuse(struct awd_ctx *ctx)
{
	uint8_t a[64], b[64];
	struct awd_req r = AWD_REQ_INIT;

	CHECK_EQ(awd_submit(ctx, NULL), -EINVAL);
	r.op = 42;
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);
	r.op = AWD_REQ_COMPRESS;
	r.format = AWD_FORMAT_GZIP;
	r.level = 6;
	r.src = a;
	r.src_len = sizeof(a);
	r.dst = b;
	r.dst_len = 0;
	CHECK_EQ(awd_submit(ctx, &r), -EMSGSIZE);
	r.dst_len = sizeof(b);
	r.src_len = max_xfer(ctx) + 1;
	CHECK_EQ(awd_submit(ctx, &r), -EMSGSIZE);
	r.src_len = sizeof(a);
	r.src = NULL;
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);
	r.src = a;
	r.level = 0;
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);
	r.level = 6;
	r.format = 7;
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);
	r.format = AWD_FORMAT_GZIP;
	r.dst = a + 8;
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);
	r.dst = b;
	/* the device answers too-small output as documented */
	memset(a, 7, sizeof(a));
	r.dst_len = 5;
	CHECK_EQ(awd_run(ctx, &r), -ENOBUFS);
	CHECK_EQ(r.hw_status, AWD_STS_DST_TOO_SMALL);
	CHECK(r.produced > 5);
	r.op = AWD_REQ_RSA;
	r.dst_len = sizeof(b);
	CHECK_EQ(awd_submit(ctx, &r), -EINVAL);   /* no key */
}

/* Streams with random chunking on both sides. */
static void test_streams(struct awd_ctx *ctx)
{
	size_t n = 3u << 20;
	uint8_t *data = make_data(n, 99);
	size_t cap = awd_compress_bound(AWD_FORMAT_GZIP, n) + 4096;
	uint8_t *c = malloc(cap), *back = malloc(n + 4096);
	struct awd_stream *s;

	for (int f = 0; f <= 2; f++) {
		size_t in = 0, out = 0, used, made, clen;
		uint64_t ti, to;
		uint32_t sum;
		int ret = 0;
		long got;

		CHECK_EQ(awd_stream_new(ctx, &s, AWD_STREAM_COMPRESS, f, 6), 0);
		/* compression: input in random pieces, random output room */
		while (ret != AWD_STREAM_END) {
			size_t piece = rnd() % 300000;
			size_t room = 64 + rnd() % 400000;
			bool last = in + piece >= n;

			if (last)
				piece = n - in;
			if (room > cap - out)
				room = cap - out;
			ret = awd_stream_run(s, data + in, piece, &used,
					     c + out, room, &made,
					     last ? AWD_FINISH : 0);
			CHECK(ret >= 0);
			if (ret < 0)
				break;
			CHECK(used <= piece && made <= room);
			in += used;
			out += made;
		}
		CHECK_EQ(in, n);
		CHECK_EQ(awd_stream_run(s, data, 1, &used, c, 100, &made, 0),
			 -EALREADY);
		awd_stream_totals(s, &ti, &to, &sum);
		CHECK_EQ(ti, n);
		CHECK_EQ(to, out);
		if (f == AWD_FORMAT_GZIP)
			CHECK_EQ(sum, crc32(0, data, (uInt)n));
		else
			CHECK_EQ(sum, adler32(1, data, (uInt)n));
		clen = out;
		got = zinflate(f, c, clen, back, n + 4096);
		CHECK_EQ(got, (long)n);
		CHECK(!memcmp(back, data, n));
		awd_stream_free(&s);
		CHECK(s == NULL);

		/* decompression of zlib's output in small pieces */
		clen = zdeflate(f, 9, data, n, c, cap);
		CHECK_EQ(awd_stream_new(ctx, &s, AWD_STREAM_DECOMPRESS, f, 0), 0);
		in = out = 0;
		ret = 0;
		{
			size_t have = 0;        /* bytes offered from c + in */
			int stuck = 0;

			while (ret != AWD_STREAM_END && stuck < 1000) {
				size_t more = 1 + rnd() % 20000;
				size_t room = 1 + rnd() % 300000;
				bool last;

				have = have + more > clen - in ? clen - in :
				       have + more;
				last = in + have == clen;
				if (room > n + 4096 - out)
					room = n + 4096 - out;
				ret = awd_stream_run(s, c + in, have, &used,
						     back + out, room, &made,
						     last ? AWD_FINISH : 0);
				if (ret == -ENOBUFS) {
					stuck++;
					continue;
				}
				CHECK(ret >= 0);
				if (ret < 0)
					break;
				in += used;
				have -= used;
				out += made;
				stuck = used || made ? 0 : stuck + 1;
			}
			CHECK_EQ(ret, AWD_STREAM_END);
		}
		CHECK_EQ(in, clen);
		CHECK_EQ(out, n);
		CHECK(!memcmp(back, data, n));
		/* reset: the same stream decodes again, all input offered */
		CHECK_EQ(awd_stream_reset(s), 0);
		in = out = 0;
		do {
			ret = awd_stream_run(s, c + in, clen - in, &used,
					     back + out, n + 4096 - out, &made,
					     AWD_FINISH);
			CHECK(ret >= 0);
			in += used;
			out += made;
		} while (ret == 0 && (used || made));
		CHECK_EQ(ret, AWD_STREAM_END);
		CHECK_EQ(in, clen);
		CHECK_EQ(out, n);
		/* closing the context with a stream open */
		CHECK_EQ(awd_ctx_close(&ctx), -EBUSY);
		awd_stream_free(&s);
	}
	/* empty streams */
	for (int f = 0; f <= 2; f++) {
		uint8_t z[64], out[64];
		size_t zl = zdeflate(f, 6, data, 0, z, sizeof(z)), used, made;

		awd_stream_new(ctx, &s, AWD_STREAM_COMPRESS, f, 6);
		CHECK_EQ(awd_stream_run(s, NULL, 0, &used, out, sizeof(out),
					&made, AWD_FINISH), AWD_STREAM_END);
		CHECK_EQ(made, zl);
		CHECK(!memcmp(out, z, zl));
		awd_stream_free(&s);
	}
	/* truncated input with FINISH */
	{
		size_t used, made, clen2 = zdeflate(AWD_FORMAT_GZIP, 6, data,
						    100000, c, cap);

		size_t in = 0, out = 0;
		int ret;

		awd_stream_new(ctx, &s, AWD_STREAM_DECOMPRESS, AWD_FORMAT_GZIP, 0);
		do {
			ret = awd_stream_run(s, c + in, clen2 - 4 - in, &used,
					     back + out, n - out, &made,
					     AWD_FINISH);
			in += used;
			out += made;
		} while (ret == 0);
		CHECK_EQ(ret, -EBADMSG);
		awd_stream_reset(s);
		CHECK_EQ(awd_stream_run(s, c, clen2, &used, back, n, &made,
					3), -EINVAL);
		CHECK_EQ(awd_stream_run(s, NULL, 10, &used, back, n, &made, 0),
			 -EINVAL);
		awd_stream_free(&s);
	}
	CHECK_EQ(awd_stream_new(ctx, &s, AWD_STREAM_COMPRESS, AWD_FORMAT_GZIP,
				0), -EINVAL);
	CHECK_EQ(awd_stream_new(ctx, &s, 5, AWD_FORMAT_GZIP, 6), -EINVAL);
	CHECK_EQ(awd_stream_new(ctx, NULL, AWD_STREAM_COMPRESS,
				AWD_FORMAT_GZIP, 6), -EINVAL);
	free(data);
	free(c);
	free(back);
}

/* ---- RSA ----------------------------------------------------------------- */

static void test_rsa(struct awd_ctx *ctx)
{
#ifdef HAVE_RSA_VECTORS
	for (size_t i = 0; i < ARRAY_SIZE(rsa_vectors); i++) {
		const struct rsa_vector *v = &rsa_vectors[i];
		size_t h = v->len / 2;
		struct awd_rsa_key_parts kp = {
			.n = v->n, .n_len = v->len, .e = v->e, .e_len = v->len,
			.d = v->d, .d_len = v->len,
			.p = v->crt, .p_len = h, .q = v->crt + h, .q_len = h,
			.dp = v->crt + 2 * h, .dp_len = h,
			.dq = v->crt + 3 * h, .dq_len = h,
			.qinv = v->crt + 4 * h, .qinv_len = h,
		};
		struct awd_rsa_key *key, *pkey;
		uint8_t out[512], back[512], big[512];

		CHECK_EQ(awd_rsa_key_new(ctx, &kp, &key), 0);
		CHECK_EQ(awd_rsa_key_size(key), v->len);
		CHECK_EQ(awd_rsa_key_forms(key), 7);
		CHECK_EQ(awd_rsa_public(ctx, key, v->msg, out, v->len), 0);
		CHECK(!memcmp(out, v->pub, v->len));
		CHECK_EQ(awd_rsa_private(ctx, key, v->msg, out, v->len), 0);
		CHECK(!memcmp(out, v->priv, v->len));
		CHECK_EQ(awd_rsa_public(ctx, key, out, back, v->len), 0);
		CHECK(!memcmp(back, v->msg, v->len));
		/* input not below n */
		memset(big, 0xff, v->len);
		CHECK_EQ(awd_rsa_public(ctx, key, big, out, v->len), -ERANGE);
		/* wrong length, NULL, in-place */
		CHECK_EQ(awd_rsa_public(ctx, key, v->msg, out, v->len - 1),
			 -EINVAL);
		CHECK_EQ(awd_rsa_public(ctx, key, NULL, out, v->len), -EINVAL);
		memcpy(out, v->msg, v->len);
		CHECK_EQ(awd_rsa_public(ctx, key, out, out, v->len), -EINVAL);

		/* private exponent only, no CRT */
		kp.p = NULL;
		kp.e = NULL;
		CHECK_EQ(awd_rsa_key_new(ctx, &kp, &pkey), 0);
		CHECK_EQ(awd_rsa_key_forms(pkey), 1u << AWD_RSA_FORM_PRIVATE);
		CHECK_EQ(awd_rsa_private(ctx, pkey, v->msg, out, v->len), 0);
		CHECK(!memcmp(out, v->priv, v->len));
		CHECK_EQ(awd_rsa_public(ctx, pkey, v->msg, out, v->len),
			 -EINVAL);
		awd_rsa_key_free(&pkey);
		CHECK(pkey == NULL);

		/* async, several in flight */
		{
			struct awd_req r[4], *done[4];
			uint8_t o[4][512];
			int got = 0;

			memset(r, 0, sizeof(r));
			for (int k = 0; k < 4; k++) {
				r[k].op = AWD_REQ_RSA;
				r[k].rsa_form = k % 2 ? AWD_RSA_FORM_CRT :
					AWD_RSA_FORM_PUBLIC;
				r[k].key = key;
				r[k].src = v->msg;
				r[k].src_len = v->len;
				r[k].dst = o[k];
				r[k].dst_len = v->len;
				CHECK_EQ(awd_submit(ctx, &r[k]), 0);
			}
			while (got < 4) {
				int m = awd_wait(ctx, done, 4, 5000);

				CHECK(m > 0);
				if (m <= 0)
					break;
				got += m;
			}
			for (int k = 0; k < 4; k++) {
				CHECK_EQ(r[k].result, 0);
				CHECK(!memcmp(o[k], k % 2 ? v->priv : v->pub,
					      v->len));
			}
		}
		CHECK_EQ(awd_ctx_close(&ctx), -EBUSY);
		awd_rsa_key_free(&key);
	}
#endif
	/* bad keys */
	{
		uint8_t n[64], e[3] = { 1, 0, 1 };
		struct awd_rsa_key_parts kp = { .n = n, .n_len = 64, .e = e,
						.e_len = 3 };
		struct awd_rsa_key *key;

		memset(n, 0xab, sizeof(n));
		n[63] = 0xaa;   /* even */
		CHECK_EQ(awd_rsa_key_new(ctx, &kp, &key), -EKEYREJECTED);
		CHECK(key == NULL);
		kp.n_len = 32;
		n[31] = 1;
		CHECK_EQ(awd_rsa_key_new(ctx, &kp, &key), -EKEYREJECTED);
		kp.e = NULL;
		CHECK_EQ(awd_rsa_key_new(ctx, &kp, &key), -EINVAL);
		CHECK_EQ(awd_rsa_key_new(ctx, NULL, &key), -EINVAL);
	}
}

/* ---- processes, errors, threads ---------------------------------------- */

static void test_fork(void)
{
	struct awd_ctx *ctx = open_ctx(0);
	struct awd_req r = AWD_REQ_INIT;
	pid_t pid;
	int status;

	r.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx, &r), 0);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		bad |= awd_run(ctx, &r) != -EPERM;
		bad |= awd_submit(ctx, &r) != -EPERM;
		bad |= awd_poll(ctx, NULL, 0) != -EPERM;
		bad |= awd_ctx_reset(ctx) != -EPERM;
		bad |= awd_ctx_close(&ctx) != 0;
		_exit(bad);
	}
	CHECK(pid > 0);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(awd_run(ctx, &r), 0);
	awd_ctx_close(&ctx);
}

#ifndef AWD_GUEST
static void test_errors_mock(void)
{
	struct awd_ctx *ctx = open_ctx(0);
	struct awd_req r = AWD_REQ_INIT;
	struct awd_stats st;

	r.op = AWD_REQ_NOP;
	/* a completion whose tag names no request: distrust the queue */
	mock_knobs.bad_tag = true;
	CHECK_EQ(awd_run(ctx, &r), -EIO);
	CHECK_EQ(awd_run(ctx, &r), -EIO);
	CHECK_EQ(awd_ctx_reset(ctx), 0);
	CHECK_EQ(awd_run(ctx, &r), 0);
	/* the queue stops in an error state */
	mock_knobs.fail_next = true;
	CHECK_EQ(awd_run(ctx, &r), -EIO);
	CHECK_EQ(awd_ctx_stats(ctx, &st), 0);
	CHECK_EQ(st.queue_state, 2);
	CHECK_EQ(st.hw_error, AWD_QERR_SQ_FETCH);
	CHECK_EQ(awd_ctx_reset(ctx), 0);
	CHECK_EQ(awd_run(ctx, &r), 0);
	/* a stalled device: a bounded wait times out, the request stays */
	mock_knobs.stall = true;
	CHECK_EQ(awd_submit(ctx, &r), 0);
	CHECK_EQ(awd_wait(ctx, NULL, 0, 20), 0);
	mock_knobs.stall = false;
	{
		struct awd_req *done[1];

		CHECK_EQ(awd_wait(ctx, done, 1, 5000), 1);
		CHECK(done[0] == &r);
	}
	awd_ctx_close(&ctx);
}

static uint32_t mock_fmt(void)
{
	const char *f = getenv("AWD_MOCK_FORMAT");

	if (!f || !strcmp(f, "ring"))
		return AWD_FORMAT_RING;
	return !strcmp(f, "sgl") ? AWD_FORMAT_SGL : AWD_FORMAT_CREC;
}

/* Format name and parameters, unknown formats, the device's counters. */
static void test_format_info(void)
{
	static const char *const names[] = { "ring", "sgl", "crec" };
	struct awd_ctx *ctx = open_ctx(0), *bad = NULL;
	struct awd_hw_counters c0, c1;
	struct awd_req r = AWD_REQ_INIT;
	uint32_t param[AWD_CTX_FMT_PARAMS];
	size_t n = 65536, cap = awd_compress_bound(AWD_FORMAT_ZLIB, n), clen;
	uint8_t *data = make_data(n, 11), *out = malloc(cap);
	const char *name = NULL;
	int fmt;

	fmt = awd_ctx_format(ctx, &name, param);
	CHECK_EQ(fmt, mock_fmt());
	CHECK(name && !strcmp(name, names[mock_fmt()]));
	fprintf(stderr, "# format %s (%u %u %u)\n", name, param[0], param[1],
		param[2]);
	if (fmt == AWD_FORMAT_SGL) {
		CHECK_EQ(param[AWD_SGL_PARAM_MAX_ENTRIES], 1024);
		CHECK_EQ(param[AWD_SGL_PARAM_MAX_LISTS], 32);
	} else if (fmt == AWD_FORMAT_CREC) {
		CHECK_EQ(param[AWD_CREC_PARAM_MAX_BATCH], 32);
	} else {
		CHECK_EQ(param[0], 0);
	}
	CHECK_EQ(awd_ctx_format(NULL, &name, param), -EBADF);
	CHECK_EQ(awd_ctx_format(ctx, NULL, NULL), fmt);

	/* what one request costs the device in metadata */
	CHECK_EQ(awd_ctx_hw_counters(ctx, NULL), -EINVAL);
	CHECK_EQ(awd_ctx_hw_counters(NULL, &c0), -EBADF);
	CHECK_EQ(awd_ctx_hw_counters(ctx, &c0), 0);
	r.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx, &r), 0);
	CHECK_EQ(awd_ctx_hw_counters(ctx, &c1), 0);
	CHECK_EQ(c1.desc_bytes - c0.desc_bytes, 64);
	CHECK_EQ(c1.cpl_bytes - c0.cpl_bytes, 32);
	CHECK_EQ(c1.list_bytes - c0.list_bytes, 0);
	CHECK(c1.db_writes - c0.db_writes >= 1);
	c0 = c1;
	clen = cap;
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_ZLIB, 1, data, n, out, &clen), 0);
	CHECK_EQ(awd_ctx_hw_counters(ctx, &c1), 0);
	CHECK_EQ(c1.desc_bytes - c0.desc_bytes, 64);
	if (fmt == AWD_FORMAT_SGL)
		CHECK(c1.list_bytes - c0.list_bytes >= 2 * sizeof(struct awd_sge));
	else
		CHECK_EQ(c1.list_bytes - c0.list_bytes, 0);
	CHECK_EQ((uLong)adler32(1, data, (uInt)n),
		 ((uint32_t)out[clen - 4] << 24 | (uint32_t)out[clen - 3] << 16 |
		  (uint32_t)out[clen - 2] << 8 | out[clen - 1]));
	mock_knobs.no_qcount = true;
	CHECK_EQ(awd_ctx_hw_counters(ctx, &c1), -ENOTTY);
	mock_knobs.no_qcount = false;
	awd_ctx_close(&ctx);

	/* a format the library does not know */
	mock_knobs.format = "7";
	CHECK_EQ(awd_ctx_open(&bad, NULL, 0), -EPROTONOSUPPORT);
	CHECK(bad == NULL);
	CHECK(strcmp(awd_strerror(-EPROTONOSUPPORT), "unknown error"));
	mock_knobs.format = NULL;
	CHECK_EQ(mock_regions(), 0);
	free(data);
	free(out);
}

/* Round trip of @n bytes through @ctx, compared byte for byte. */
static void round_trip(struct awd_ctx *ctx, size_t n, unsigned int seed)
{
	size_t cap = awd_compress_bound(AWD_FORMAT_GZIP, n), clen = cap, sl, dl;
	uint8_t *data = make_data(n, seed), *c = malloc(cap), *back = malloc(n);

	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data, n, c, &clen), 0);
	sl = clen;
	dl = n;
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back, &dl), 0);
	CHECK_EQ(sl, clen);
	CHECK_EQ(dl, n);
	CHECK(!memcmp(back, data, n));
	free(data);
	free(c);
	free(back);
}

/*
 * sgl: the library keeps within the device's entry and list limits by
 * growing chunks and lists (4 KiB chunks asked for, 8 entries or 1 list
 * allowed), in SVA and no-SVA mode.
 */
static void test_sgl_limits(void)
{
	static const uint32_t lim[][2] = { { 8, 2 }, { 3, 1 }, { 1024, 1 },
					   { 0, 0 } };
	struct awd_ctx *ctx;

	setenv("AWD_SGL_CHUNK", "4096", 1);
	for (unsigned int nosva = 0; nosva < 2; nosva++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(lim); i++) {
			mock_knobs.nosva = nosva;
			mock_knobs.sgl_max_entries = lim[i][0];
			mock_knobs.sgl_max_lists = lim[i][1];
			ctx = open_ctx(0);
			round_trip(ctx, 900000, i + 20);
			round_trip(ctx, 4097, i + 30);
			awd_ctx_close(&ctx);
		}
	}
	mock_knobs.nosva = false;
	mock_knobs.sgl_max_entries = 0;
	mock_knobs.sgl_max_lists = 0;
	unsetenv("AWD_SGL_CHUNK");
}

enum forge {
	F_ZERO_LEN, F_LOOP, F_LOOP_MID, F_MISALIGNED, F_FLAGS, F_SUM,
	F_CHAIN_END, F_ENTRY_LIMIT, F_LIST_LIMIT, F_NR
};

/*
 * sgl: lists the device must refuse, each with its status (accel_wd_sgl.h).
 * The library never builds them: the test stalls the mock's device,
 * submits a request, then corrupts its lists in place (or the device's
 * limits) before letting the device fetch it.
 */
static void test_sgl_bad_lists(void)
{
	static const struct { uint32_t status; int err; } want[F_NR] = {
		[F_ZERO_LEN] = { AWD_STS_SGL_ZERO_LEN, -EPROTO },
		[F_LOOP] = { AWD_STS_SGL_LOOP, -EPROTO },
		[F_LOOP_MID] = { AWD_STS_SGL_LOOP, -EPROTO },
		[F_MISALIGNED] = { AWD_STS_MISALIGNED, -EPROTO },
		[F_FLAGS] = { AWD_STS_INVALID_FLAGS, -EINVAL },
		[F_SUM] = { AWD_STS_INVALID_LEN, -EMSGSIZE },
		[F_CHAIN_END] = { AWD_STS_INVALID_FLAGS, -EINVAL },
		[F_ENTRY_LIMIT] = { AWD_STS_SGL_TOO_LONG, -E2BIG },
		[F_LIST_LIMIT] = { AWD_STS_SGL_TOO_LONG, -E2BIG },
	};
	size_t n = 300 * 1024, cap = awd_compress_bound(AWD_FORMAT_RAW, n);
	uint8_t *data = make_data(n, 40), *out = malloc(cap);
	struct awd_ctx *ctx;

	setenv("AWD_SGL_CHUNK", "4096", 1);     /* 75 entries: 2 lists */
	ctx = open_ctx(0);
	for (int f = 0; f < F_NR; f++) {
		struct awd_ring *ring = ctx->fmt_priv;
		struct awd_req r = AWD_REQ_INIT, *done[1];
		struct awd_sgl_desc *d;
		struct awd_sge *l;

		r.op = AWD_REQ_COMPRESS;
		r.format = AWD_FORMAT_RAW;
		r.level = 1;
		r.src = data;
		r.src_len = n;
		r.dst = out;
		r.dst_len = cap;
		mock_knobs.stall = true;
		CHECK_EQ(awd_submit(ctx, &r), 0);
		d = (struct awd_sgl_desc *)ring->sq + ((ring->sq_tail - 1) &
						       ctx->mask);
		l = (struct awd_sge *)(uintptr_t)d->src_sgl;
		CHECK_EQ(l[63].flags, AWD_SGE_CHAIN);
		switch (f) {
		case F_ZERO_LEN:
			l[5].len = 0;
			break;
		case F_LOOP:
			l[63].addr = d->src_sgl;
			break;
		case F_LOOP_MID:        /* into a part already walked */
			l[63].addr = d->src_sgl + 10 * sizeof(*l);
			break;
		case F_MISALIGNED:
			d->src_sgl += 8;
			break;
		case F_FLAGS:
			l[0].flags = 1u << 2;
			break;
		case F_SUM:
			l[0].len--;
			break;
		case F_CHAIN_END:
			l[63].flags |= AWD_SGE_END;
			break;
		case F_ENTRY_LIMIT:
			mock_set_sgl_limits(16, 32);
			break;
		case F_LIST_LIMIT:
			mock_set_sgl_limits(1024, 1);
			break;
		}
		mock_knobs.stall = false;
		CHECK_EQ(awd_wait(ctx, done, 1, 5000), 1);
		CHECK_EQ(r.hw_status, want[f].status);
		CHECK_EQ(r.result, want[f].err);
		mock_set_sgl_limits(1024, 32);
	}
	/* and the queue still works */
	round_trip(ctx, n, 41);
	awd_ctx_close(&ctx);
	unsetenv("AWD_SGL_CHUNK");
	free(data);
	free(out);
}

/*
 * crec: one submission past the portal's depth stops the queue with
 * AWD_QERR_PORTAL_FULL (the library never makes it; the test does), and
 * a reset brings it back.
 */
static void test_crec_portal_full(void)
{
	struct awd_ctx *ctx = open_ctx(AWD_OPEN_RING_ORDER(2));
	struct awd_req r[4], one = AWD_REQ_INIT, *done[4];
	struct awd_stats st;
	int got = 0;

	memset(r, 0, sizeof(r));
	mock_knobs.stall = true;
	for (int i = 0; i < 4; i++) {
		r[i].op = AWD_REQ_NOP;
		CHECK_EQ(awd_submit(ctx, &r[i]), 0);
	}
	one.op = AWD_REQ_NOP;
	CHECK_EQ(awd_submit(ctx, &one), -EAGAIN);
	awd__mmio_write64(ctx->db + AWD_CREC_PORTAL, ctx->info.sq_iova);
	mock_knobs.stall = false;
	CHECK_EQ(awd_ctx_stats(ctx, &st), 0);
	CHECK_EQ(st.queue_state, 2);
	CHECK_EQ(st.hw_error, AWD_QERR_PORTAL_FULL);
	while (got < 4) {
		int k = awd_wait(ctx, done, 4, 5000);

		CHECK(k != 0);
		if (k <= 0)
			break;
		got += k;
	}
	CHECK_EQ(awd_ctx_reset(ctx), 0);
	CHECK_EQ(awd_run(ctx, &one), 0);
	round_trip(ctx, 100000, 50);
	awd_ctx_close(&ctx);
}

#endif

/*
 * fork() makes every private page the parent wrote copy-on-write (read-only
 * until written again). The device writing into such a page must get it
 * through a write page request that breaks the sharing, as the CPU would:
 * output buffers written before a fork (even one whose child has exited,
 * e.g. by system()) must still be usable afterwards.
 */
static void test_fork_cow(void)
{
	struct awd_ctx *ctx = open_ctx(0);
	size_t n = 65536, cap = awd_compress_bound(AWD_FORMAT_GZIP, n), clen;
	uint8_t *data = make_data(n, 5), *dst = malloc(cap), *back = malloc(n);
	size_t sl, dl;
	pid_t pid;

	memset(dst, 1, cap);            /* written before the fork */
	memset(back, 1, n);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	waitpid(pid, NULL, 0);
	clen = cap;
	CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 6, data, n, dst, &clen), 0);
	sl = clen;
	dl = n;
	CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, dst, &sl, back, &dl), 0);
	CHECK_EQ(dl, n);
	CHECK(!memcmp(back, data, n));
	free(data);
	free(dst);
	free(back);
	awd_ctx_close(&ctx);
}

/*
 * A doorbell value outside the ring puts the queue in an error state
 * (AWD_QERR_BAD_DOORBELL): requests fail with -EIO instead of hanging,
 * awd_ctx_reset() brings the queue back, and work goes on.
 */
static void test_doorbell_error(void)
{
	struct awd_ctx *ctx = open_ctx(0);
	struct awd_req r = AWD_REQ_INIT;
	struct awd_stats st;
	uint8_t in[4096], out[8192];
	size_t olen = sizeof(out);

	r.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx, &r), 0);
	if (awd_ctx_format(ctx, NULL, NULL) == AWD_FORMAT_CREC)
		/* a descriptor address that is not 64-byte aligned */
		awd__mmio_write64(ctx->db + AWD_CREC_PORTAL, 0x1001);
	else
		__atomic_store_n((uint32_t *)(ctx->db + AWD_DB_SQ_TAIL),
				 0xffffu, __ATOMIC_RELEASE);
	usleep(50000);          /* the mock's device polls its doorbells */
	CHECK_EQ(awd_run(ctx, &r), -EIO);
	CHECK_EQ(awd_ctx_stats(ctx, &st), 0);
	CHECK_EQ(st.queue_state, 2);
	CHECK_EQ(st.hw_error, AWD_QERR_BAD_DOORBELL);
	CHECK_EQ(awd_ctx_reset(ctx), 0);
	CHECK_EQ(awd_run(ctx, &r), 0);
	memset(in, 'z', sizeof(in));
	r.op = AWD_REQ_COMPRESS;
	r.format = AWD_FORMAT_GZIP;
	r.level = 6;
	r.src = in;
	r.src_len = sizeof(in);
	r.dst = out;
	r.dst_len = olen;
	CHECK_EQ(awd_run(ctx, &r), 0);
	if (r.result)
		fprintf(stderr, "# after reset: %s at 0x%llx%s (in %p, out %p)\n",
			awd_hw_status_str(r.hw_status),
			(unsigned long long)r.fault_addr,
			r.fault_addr - (uintptr_t)out < sizeof(out) ? ", in out" : "",
			(void *)in, (void *)out);
	CHECK_EQ(awd_ctx_stats(ctx, &st), 0);
	CHECK_EQ(st.queue_state, 1);
	awd_ctx_close(&ctx);
}

static void *thread_fn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct awd_ctx *ctx = NULL;
	size_t n = 200000 + seed * 1000;
	uint8_t *data = make_data(n, seed);
	size_t cap = awd_compress_bound(AWD_FORMAT_GZIP, n);
	uint8_t *c = malloc(cap), *back = malloc(n);

	CHECK_EQ(awd_ctx_open(&ctx, NULL, 0), 0);
	for (int i = 0; i < 10 && ctx; i++) {
		size_t clen = cap, sl, dl = n;

		CHECK_EQ(awd_compress(ctx, AWD_FORMAT_GZIP, 1 + i % 9, data, n,
				      c, &clen), 0);
		sl = clen;
		CHECK_EQ(awd_decompress(ctx, AWD_FORMAT_GZIP, c, &sl, back,
					&dl), 0);
		CHECK_EQ(dl, n);
		CHECK(!memcmp(back, data, n));
	}
	awd_ctx_close(&ctx);
	free(data);
	free(c);
	free(back);
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[MOCK_QUEUES];

	for (int i = 0; i < MOCK_QUEUES; i++)
		pthread_create(&t[i], NULL, thread_fn, (void *)(uintptr_t)i);
	for (int i = 0; i < MOCK_QUEUES; i++)
		pthread_join(t[i], NULL);
}

/* ---- telemetry ---------------------------------------------------------- */

static uint64_t hist_sum(const struct awd_telemetry_scope *s, int *top)
{
	uint64_t sum = 0;

	*top = -1;
	for (int i = 0; i < AWD_TELEMETRY_BUCKETS; i++) {
		sum += s->lat_hist[i];
		if (s->lat_hist[i])
			*top = i;
	}
	return sum;
}

/*
 * The device's telemetry around known work: on a fresh context, REQS
 * compressions of LEN bytes and one NOP. The queue's requests and bytes
 * grow by exactly that, its histogram sums to its requests and bounds its
 * maximum, the device counts at least as much as the queue; a new context
 * on the same queue index starts again from 0 while the device's totals
 * stay.
 */
static void test_telemetry(void)
{
	enum { REQS = 12, LEN = 65536 };
	size_t cap = awd_compress_bound(AWD_FORMAT_ZLIB, LEN), clen;
	uint8_t *data = make_data(LEN, 21), *out = malloc(cap);
	/* the first free queue index did the earlier tests' work: take it */
	struct awd_ctx *busy = open_ctx(0), *ctx = open_ctx(0), *ctx2 = NULL;
	struct awd_telemetry t0, t1, t2;
	struct awd_req r = AWD_REQ_INIT;
	uint64_t produced = 0;
	int ret, top;

	CHECK_EQ(awd_ctx_telemetry(NULL, 0, &t0), -EBADF);
	CHECK_EQ(awd_ctx_telemetry(ctx, 0, NULL), -EINVAL);
	CHECK_EQ(awd_ctx_telemetry(ctx, 1u << 7, &t0), -EINVAL);
	ret = awd_ctx_telemetry(ctx, 0, &t0);
#ifdef AWD_GUEST
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "# telemetry: skipped (the device has none)\n");
		goto out;
	}
#endif
	CHECK_EQ(ret, 0);
	/* nothing ran on the queue since open */
	CHECK_EQ(t0.q.reqs, 0);
	CHECK_EQ(t0.q.bytes_in, 0);
	CHECK_EQ(hist_sum(&t0.q, &top), 0);
	CHECK(t0.dev.reqs >= t0.q.reqs);
	for (int i = 0; i < REQS; i++) {
		clen = cap;
		CHECK_EQ(awd_compress(ctx, AWD_FORMAT_ZLIB, 1, data, LEN, out,
				      &clen), 0);
		produced += clen;
	}
	r.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx, &r), 0);
	CHECK_EQ(awd_ctx_telemetry(ctx, 0, &t1), 0);
	fprintf(stderr, "# telemetry: queue %u: %llu requests, %llu B in, %llu B out, latency mean %llu max %llu ns, occupancy %llu/%llu max %llu, atc %llu ats %llu; device %llu requests, model %llu, flags %#x\n",
		t1.queue, (unsigned long long)t1.q.reqs,
		(unsigned long long)t1.q.bytes_in,
		(unsigned long long)t1.q.bytes_out,
		(unsigned long long)(t1.q.reqs ? t1.q.lat_sum_ns / t1.q.reqs : 0),
		(unsigned long long)t1.q.lat_max_ns,
		(unsigned long long)t1.q.occ_sum,
		(unsigned long long)t1.q.occ_samples,
		(unsigned long long)t1.q.occ_max,
		(unsigned long long)t1.q.atc_hits,
		(unsigned long long)t1.q.ats_reqs,
		(unsigned long long)t1.dev.reqs,
		(unsigned long long)t1.dev.timing_model, t1.flags);
	CHECK_EQ(t1.queue, t0.queue);
	CHECK_EQ(t1.q.reqs - t0.q.reqs, REQS + 1);
	CHECK_EQ(t1.q.bytes_in - t0.q.bytes_in, (uint64_t)REQS * LEN);
	CHECK_EQ(t1.q.bytes_out - t0.q.bytes_out, produced);
	CHECK_EQ(hist_sum(&t1.q, &top), t1.q.reqs);
	CHECK(t1.q.lat_sum_ns > 0);
	if (t1.flags & AWD_TELEMETRY_Q_LAT_MAX_UNKNOWN) {
		/* an earlier user of the queue index saw a longer one */
		CHECK_EQ(t1.q.lat_max_ns, 0);
	} else {
		/* the maximum lies in the highest bucket in use */
		CHECK(top >= 0);
		CHECK(t1.q.lat_max_ns <= t1.q.lat_sum_ns);
		CHECK(top >= 63 || t1.q.lat_max_ns >> top <= 1);
		CHECK(top == 0 || t1.q.lat_max_ns >> top >= 1);
	}
	CHECK(t1.q.occ_samples >= 1);
	CHECK(t1.q.occ_sum >= t1.q.occ_samples || !t1.q.occ_sum);
	CHECK(t1.q.inv == 0 && t1.q.inv_wait_sum_ns == 0);
	CHECK(t1.q.timing_model <= 1 && t1.dev.timing_model <= 1);
	/* the device: every queue, this one included */
	CHECK(t1.dev.reqs >= t1.q.reqs);
	CHECK(t1.dev.reqs - t0.dev.reqs >= REQS + 1);
	CHECK(t1.dev.bytes_in - t0.dev.bytes_in >= (uint64_t)REQS * LEN);
	CHECK(t1.dev.lat_sum_ns >= t1.q.lat_sum_ns);
	CHECK(t1.dev.lat_max_ns >= t1.q.lat_max_ns);
	CHECK(hist_sum(&t1.dev, &top) >= hist_sum(&t1.q, &top));
	for (int i = 0; i < AWD_TELEMETRY_BUCKETS; i++)
		CHECK(t1.dev.lat_hist[i] >= t1.q.lat_hist[i]);
	for (size_t i = 0; i < ARRAY_SIZE(t1.q.rsvd); i++)
		CHECK(!t1.q.rsvd[i] && !t1.dev.rsvd[i]);
	CHECK(!t1.rsvd[0] && !t1.rsvd[1] && !t1.rsvd[2]);

	/* the whole history of the queue index (root, or the mock) */
	ret = awd_ctx_telemetry(ctx, AWD_TELEMETRY_HISTORY, &t2);
	if (ret != -EPERM) {
		CHECK_EQ(ret, 0);
		CHECK(t2.flags & AWD_TELEMETRY_HISTORY);
		CHECK(t2.q.reqs >= t1.q.reqs);
		CHECK(t2.dev.reqs >= t2.q.reqs);
	}

	/* the next user of the queue index sees none of it */
	CHECK_EQ(awd_ctx_close(&ctx), 0);
	ctx2 = open_ctx(0);
	CHECK_EQ(awd_ctx_telemetry(ctx2, 0, &t2), 0);
	if (t2.queue == t1.queue) {
		CHECK_EQ(t2.q.reqs, 0);
		CHECK_EQ(t2.q.bytes_in, 0);
		CHECK_EQ(t2.q.lat_max_ns, 0);
		CHECK_EQ(hist_sum(&t2.q, &top), 0);
	}
	CHECK(t2.dev.reqs >= t1.dev.reqs);
	CHECK(t2.dev.bytes_in >= t1.dev.bytes_in);
	r.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx2, &r), 0);
	CHECK_EQ(awd_ctx_telemetry(ctx2, 0, &t2), 0);
	CHECK_EQ(t2.q.reqs, 1);
	CHECK_EQ(hist_sum(&t2.q, &top), 1);
	CHECK_EQ(t2.q.bytes_in, 0);
	/* a NOP is quicker than the compressions before it, mostly: hidden */
	if (t2.flags & AWD_TELEMETRY_Q_LAT_MAX_UNKNOWN)
		CHECK_EQ(t2.q.lat_max_ns, 0);
	else
		CHECK(t2.q.lat_max_ns > 0 && t2.q.lat_max_ns == t2.q.lat_sum_ns);
#ifndef AWD_GUEST
	mock_knobs.tm_unprivileged = true;
	CHECK_EQ(awd_ctx_telemetry(ctx2, AWD_TELEMETRY_HISTORY, &t2), -EPERM);
	mock_knobs.tm_unprivileged = false;
	CHECK(strstr(awd_strerror(-EPERM), "telemetry"));
	/* a 1.1-style device without telemetry */
	awd_ctx_close(&ctx2);
	mock_knobs.no_telemetry = true;
	ctx2 = open_ctx(0);
	CHECK_EQ(awd_ctx_telemetry(ctx2, 0, &t2), -EOPNOTSUPP);
	mock_knobs.no_telemetry = false;
#endif
	awd_ctx_close(&ctx2);
#ifdef AWD_GUEST
out:
	awd_ctx_close(&ctx);
#endif
	awd_ctx_close(&busy);
	free(data);
	free(out);
}

static void run_data_tests(unsigned int flags)
{
	struct awd_ctx *ctx = open_ctx(flags);

	test_oneshot(ctx);
	test_oneshot_edges(ctx);
	test_req_misuse(ctx);
	test_streams(ctx);
	test_rsa(ctx);
	CHECK_EQ(awd_ctx_close(&ctx), 0);
}


struct open_wait_arg {
	struct awd_ctx *ctx;
	int ret;
	bool done;
};

static void *open_wait_thread(void *p)
{
	struct open_wait_arg *a = p;

	a->ret = awd_ctx_open(&a->ctx, NULL, AWD_OPEN_WAIT);
	__atomic_store_n(&a->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * AWD_OPEN_WAIT: with every queue taken the call waits (without it:
 * -EBUSY) and returns with the queue that is closed next, which works.
 */
static void test_open_wait(void)
{
	struct awd_ctx *ctx[AWD_MAX_QUEUES + 1] = { 0 };
	struct open_wait_arg a = { 0 };
	struct awd_req req = AWD_REQ_INIT;
	struct awd_caps freed, got;
	pthread_t th;
	int n, ret = 0;

	for (n = 0; n < AWD_MAX_QUEUES; n++) {
		ret = awd_ctx_open(&ctx[n], NULL, 0);
		if (ret)
			break;
	}
	CHECK_EQ(ret, -EBUSY);
	CHECK(n > 0);
	if (n == 0)
		return;
	CHECK_EQ(pthread_create(&th, NULL, open_wait_thread, &a), 0);
	usleep(300000);
	CHECK(!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE));
	CHECK_EQ(awd_ctx_caps(ctx[n - 1], &freed), 0);
	CHECK_EQ(awd_ctx_close(&ctx[n - 1]), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(a.ret, 0);
	if (!a.ret) {
		CHECK_EQ(awd_ctx_caps(a.ctx, &got), 0);
		CHECK_EQ(got.queue, freed.queue);
		req.op = AWD_REQ_NOP;
		CHECK_EQ(awd_run(a.ctx, &req), 0);
		CHECK_EQ(req.result, 0);
		CHECK_EQ(awd_ctx_close(&a.ctx), 0);
	}
	for (int i = 0; i < n - 1; i++)
		CHECK_EQ(awd_ctx_close(&ctx[i]), 0);
	/* a queue is free again: no waiting */
	CHECK_EQ(awd_ctx_open(&ctx[0], NULL, AWD_OPEN_WAIT), 0);
	CHECK_EQ(awd_ctx_close(&ctx[0]), 0);
}

#ifdef AWD_GUEST
/* ---- one process, two devices (guest only) ---- */

static void comp_req(struct awd_req *r, const void *src, size_t n, void *dst,
		     size_t cap)
{
	*r = (struct awd_req)AWD_REQ_INIT;
	r->op = AWD_REQ_COMPRESS;
	r->format = AWD_FORMAT_GZIP;
	r->level = 6;
	r->src = src;
	r->src_len = n;
	r->dst = dst;
	r->dst_len = cap;
}

/*
 * One request on each of two contexts at once, each output written into
 * a page that is copy-on-write after fork(); then each output decompressed
 * on the other device. Returns the number of failed checks.
 */
static int two_dev_round(struct awd_ctx *c0, struct awd_ctx *c1,
			 unsigned int seed)
{
	size_t n = 65536, cap = awd_compress_bound(AWD_FORMAT_GZIP, n);
	uint8_t *d0 = make_data(n, seed), *d1 = make_data(n, seed + 1);
	uint8_t *z0 = malloc(cap), *z1 = malloc(cap);
	uint8_t *b0 = malloc(n), *b1 = malloc(n);
	struct awd_req r0, r1, *done;
	int before = failures, left0 = 1, left1 = 1, k;
	size_t sl, dl;
	pid_t pid;

	memset(z0, 1, cap);		/* written before the fork */
	memset(z1, 1, cap);
	memset(b0, 1, n);
	memset(b1, 1, n);
	pid = fork();
	if (pid == 0) {
		/* the child has neither queue */
		struct awd_req r = AWD_REQ_INIT;

		r.op = AWD_REQ_NOP;
		_exit(awd_run(c0, &r) == -EPERM && awd_run(c1, &r) == -EPERM ?
		      0 : 1);
	}
	CHECK(pid > 0);
	{
		int st = -1;

		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0);
	}
	comp_req(&r0, d0, n, z0, cap);
	comp_req(&r1, d1, n, z1, cap);
	CHECK_EQ(awd_submit(c0, &r0), 0);
	CHECK_EQ(awd_submit(c1, &r1), 0);
	/* both in flight at once; reap whichever finishes */
	for (int i = 0; i < 6000 && (left0 || left1); i++) {
		if (left0) {
			k = awd_wait(c0, &done, 1, 10);
			CHECK(k >= 0);
			left0 = k ? 0 : left0;
		}
		if (left1) {
			k = awd_wait(c1, &done, 1, 10);
			CHECK(k >= 0);
			left1 = k ? 0 : left1;
		}
	}
	CHECK(!left0 && !left1);
	CHECK_EQ(r0.result, 0);
	CHECK_EQ(r1.result, 0);
	sl = r0.produced;
	dl = n;
	CHECK_EQ(awd_decompress(c1, AWD_FORMAT_GZIP, z0, &sl, b0, &dl), 0);
	CHECK(dl == n && !memcmp(b0, d0, n));
	sl = r1.produced;
	dl = n;
	CHECK_EQ(awd_decompress(c0, AWD_FORMAT_GZIP, z1, &sl, b1, &dl), 0);
	CHECK(dl == n && !memcmp(b1, d1, n));
	free(d0);
	free(d1);
	free(z0);
	free(z1);
	free(b0);
	free(b1);
	return failures - before;
}

static void two_dev_open(const char *dev0, const char *dev1,
			 struct awd_ctx **c0, struct awd_ctx **c1)
{
	struct awd_caps k0, k1;

	CHECK_EQ(awd_ctx_open(c0, dev0, 0), 0);
	CHECK_EQ(awd_ctx_open(c1, dev1, 0), 0);
	if (!*c0 || !*c1)
		return;
	awd_ctx_caps(*c0, &k0);
	awd_ctx_caps(*c1, &k1);
	fprintf(stderr, "# %s: %s, PASID %u, queue %u; %s: %s, PASID %u, queue %u\n",
		k0.dev, k0.mode ? "sva" : "nosva", k0.pasid, k0.queue,
		k1.dev, k1.mode ? "sva" : "nosva", k1.pasid, k1.queue);
	CHECK(strcmp(k0.dev, k1.dev));
	CHECK_EQ(k0.mode, k1.mode);
	/* SVA: one address space, one PASID, whichever device */
	if (k0.mode == AWD_CTX_MODE_SVA)
		CHECK(k0.pasid && k0.pasid == k1.pasid);
	else
		CHECK(!k0.pasid && !k1.pasid);
}

/* two-dev DEV0 DEV1: both devices in one process, fork/COW on both */
static void test_two_dev(const char *dev0, const char *dev1)
{
	struct awd_ctx *c0 = NULL, *c1 = NULL;

	two_dev_open(dev0, dev1, &c0, &c1);
	if (c0 && c1)
		for (unsigned int i = 0; i < 4; i++)
			two_dev_round(c0, c1, 10 + 2 * i);
	awd_ctx_close(&c0);
	awd_ctx_close(&c1);
}

/*
 * two-dev-unplug DEV0 DEV1 ID0: work on both, then ask the host to
 * device_del ID0 (a console line that the host-side test watches for)
 * while requests keep running on DEV1; DEV0's context then reports
 * -ENODEV, DEV1's keeps giving correct data, and a new context on DEV1
 * still opens.
 */
static void test_two_dev_unplug(const char *dev0, const char *dev1,
				const char *id0)
{
	size_t n = 65536, cap = awd_compress_bound(AWD_FORMAT_GZIP, n);
	uint8_t *d = make_data(n, 77), *z = malloc(cap), *b = malloc(n);
	struct awd_ctx *c0 = NULL, *c1 = NULL, *c2 = NULL;
	struct awd_stats st;
	FILE *con;
	int rounds = 0, after = 0;
	struct pollfd p;
	size_t zl, dl;

	two_dev_open(dev0, dev1, &c0, &c1);
	if (!c0 || !c1)
		goto out;
	CHECK_EQ(two_dev_round(c0, c1, 40), 0);
	/* the console, whatever stdout is: the host reads it */
	con = fopen("/dev/console", "w");
	fprintf(con ? con : stdout, "AWD-HOST-QMP device_del %s\n", id0);
	if (con)
		fclose(con);
	fflush(stdout);
	p.fd = awd_ctx_fd(c0);
	p.events = POLLIN;
	/* DEV1 works on; DEV0 is left alone (its rings vanish: SIGBUS) */
	for (int i = 0; i < 6000; i++) {
		zl = cap;
		CHECK_EQ(awd_compress(c1, AWD_FORMAT_GZIP, 1, d, n, z, &zl), 0);
		dl = n;
		CHECK_EQ(awd_decompress(c1, AWD_FORMAT_GZIP, z, &zl, b, &dl), 0);
		CHECK(dl == n && !memcmp(b, d, n));
		rounds++;
		p.revents = 0;
		if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) {
			if (++after >= 20)
				break;
		}
		usleep(10000);
	}
	fprintf(stderr, "# %d round trips on %s, %d after %s went away\n",
		rounds, dev1, after, dev0);
	CHECK(after >= 20);
	CHECK_EQ(awd_ctx_stats(c0, &st), -ENODEV);
	CHECK_EQ(awd_ctx_close(&c0), 0);
	/* the remaining device still hands out queues */
	CHECK_EQ(awd_ctx_open(&c2, dev1, 0), 0);
	if (c2)
		CHECK_EQ(two_dev_round(c1, c2, 50), 0);
out:
	awd_ctx_close(&c2);
	awd_ctx_close(&c1);
	awd_ctx_close(&c0);
	free(d);
	free(z);
	free(b);
}

/*
 * A waiter with interrupts sleeps: while one long request runs on the
 * device, awd_wait() uses far less CPU than the time it waits (it once
 * spun through poll(2), which stayed readable after the first interrupt).
 */
static void test_wait_sleeps(void)
{
	struct awd_ctx *ctx = open_ctx(0);
	size_t n = 8u << 20, cap = awd_compress_bound(AWD_FORMAT_GZIP, n);
	uint8_t *in = make_data(n, 99), *out = malloc(cap);
	struct awd_req req = AWD_REQ_INIT, *done;
	struct rusage r0, r1;
	struct timespec t0, t1;
	struct awd_caps caps;
	struct awd_stats s0, s1;
	double cpu, wall;

	awd_ctx_caps(ctx, &caps);
	if (!caps.irq || !out || caps.max_xfer < n) {
		fprintf(stderr, "# wait-sleeps: skipped (no interrupts or room)\n");
		goto out;
	}
	memset(out, 0x5a, cap);		/* no page requests on the way */
	/* an interrupt that nobody waited for comes first */
	req.op = AWD_REQ_NOP;
	CHECK_EQ(awd_run(ctx, &req), 0);
	usleep(20000);
	req = (struct awd_req)AWD_REQ_INIT;
	req.op = AWD_REQ_COMPRESS;
	req.format = AWD_FORMAT_GZIP;
	req.level = 9;
	req.src = in;
	req.src_len = n;
	req.dst = out;
	req.dst_len = cap;
	CHECK_EQ(awd_submit(ctx, &req), 0);
	CHECK_EQ(awd_ctx_stats(ctx, &s0), 0);
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(awd_wait(ctx, &done, 1, 60000), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	CHECK_EQ(awd_ctx_stats(ctx, &s1), 0);
	CHECK_EQ(req.result, 0);
	cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
	      (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
	      (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) * 1e-6 +
	      (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) * 1e-6;
	wall = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	fprintf(stderr, "# wait-sleeps: %.3f s waited, %.3f s CPU, %llu sleeps, %llu interrupts\n",
		wall, cpu, (unsigned long long)(s1.sleeps - s0.sleeps),
		(unsigned long long)s1.irqs);
	CHECK(wall > 0.01);
	CHECK(cpu < wall / 4);
	/* one poll(2) per 100 ms state-check slice, not a loop of them */
	CHECK(s1.sleeps - s0.sleeps <= 2 + (uint64_t)(wall * 20));
out:
	free(in);
	free(out);
	awd_ctx_close(&ctx);
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "two-dev")) {
		test_two_dev(argv[2], argv[3]);
		printf("%d checks, %d failed\n", checks, failures);
		return failures ? 1 : 0;
	}
	if (argc > 4 && !strcmp(argv[1], "two-dev-unplug")) {
		test_two_dev_unplug(argv[2], argv[3], argv[4]);
		printf("%d checks, %d failed\n", checks, failures);
		return failures ? 1 : 0;
	}
	if (argc > 1 && !strcmp(argv[1], "open-wait")) {
		test_open_wait();
		printf("%d checks, %d failed\n", checks, failures);
		return failures ? 1 : 0;
	}
	if (argc > 1 && !strcmp(argv[1], "fork-cow")) {
		test_fork_cow();
		printf("%d checks, %d failed\n", checks, failures);
		return failures ? 1 : 0;
	}
	test_open_caps();
	test_nop_async(0);
	test_nop_async(AWD_OPEN_POLLED);
	run_data_tests(0);
	test_telemetry();
	test_doorbell_error();
	test_threads();
	test_wait_sleeps();
	/* last: fork() leaves the parent's pages copy-on-write */
	test_fork();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
#else
int main(void)
{
	test_open_caps();
	test_nop_async(0);
	test_nop_async(AWD_OPEN_POLLED);
	mock_knobs.no_irq = true;
	test_nop_async(0);
	mock_knobs.no_irq = false;
	fprintf(stderr, "# SVA mode\n");
	run_data_tests(0);
	test_telemetry();
	fprintf(stderr, "# no-SVA mode\n");
	mock_knobs.nosva = true;
	run_data_tests(0);
	test_telemetry();
	CHECK_EQ(mock_regions(), 0);
	mock_knobs.nosva = false;
	fprintf(stderr, "# small transfer limit\n");
	mock_knobs.max_xfer = 100000;
	{
		struct awd_ctx *ctx = open_ctx(0);

		test_streams(ctx);
		awd_ctx_close(&ctx);
	}
	mock_knobs.max_xfer = 0;
	test_fork();
	test_fork_cow();
	test_format_info();
	if (mock_fmt() == AWD_FORMAT_SGL) {
		test_sgl_limits();
		test_sgl_bad_lists();
	}
	if (mock_fmt() == AWD_FORMAT_CREC)
		test_crec_portal_full();
	test_errors_mock();
	test_doorbell_error();
	test_threads();
	test_open_wait();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
#endif
