// SPDX-License-Identifier: MIT
/*
 * libawdz through zlib's API, linked against libawdz-mock.so (the shim
 * with the mock driver and device inside) in place of libz.so.1.
 *
 * Every result is checked against the system zlib itself (loaded here
 * with dlopen): data compressed by the shim must inflate with zlib to the
 * input, data inflated by the shim must equal the input. The shim's
 * counters must show the device did the work, and each fallback path
 * (dictionary, deflateParams, flushes, parameters, tiny and huge inputs,
 * truncated and corrupt data, a failing, stuck and absent device) must
 * still give zlib's results and count its reason.
 */
/* first: zlib.h with the shim's own settings */
#include "awdz.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mock.h"

struct mock_knobs *awdz_mock_knobs(void);
uint64_t awdz_counter(int op, int c, int reason);
void awdz_mock_timeout(int ms);

static int failures, checks;

#define CHECK(cond, ...) do {						\
		checks++;						\
		if (!(cond)) {						\
			failures++;					\
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

/* the system zlib, for checking */
static struct {
	int (*inflateInit2_)(z_streamp, int, const char *, int);
	int (*inflate)(z_streamp, int);
	int (*inflateEnd)(z_streamp);
	int (*inflateSetDictionary)(z_streamp, const Bytef *, uInt);
	int (*deflateInit2_)(z_streamp, int, int, int, int, int,
			     const char *, int);
	int (*deflate)(z_streamp, int);
	int (*deflateEnd)(z_streamp);
	int (*deflateSetDictionary)(z_streamp, const Bytef *, uInt);
	uLong (*crc32)(uLong, const Bytef *, uInt);
	uLong (*adler32)(uLong, const Bytef *, uInt);
} rz;

static void load_real_zlib(void)
{
	void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);

	if (!h) {
		fprintf(stderr, "cannot load libz.so.1: %s\n", dlerror());
		exit(1);
	}
#define SYM(n) do {							\
		*(void **)&rz.n = dlsym(h, #n);				\
		if (!rz.n || (void *)rz.n == (void *)&n) {		\
			fprintf(stderr, "libz.so.1: no own %s\n", #n);	\
			exit(1);					\
		}							\
	} while (0)
	SYM(inflateInit2_);
	SYM(inflate);
	SYM(inflateEnd);
	SYM(inflateSetDictionary);
	SYM(deflateInit2_);
	SYM(deflate);
	SYM(deflateEnd);
	SYM(deflateSetDictionary);
	SYM(crc32);
	SYM(adler32);
#undef SYM
}

/* ---- corpus ---- */

struct item {
	const char *name;
	uint8_t *data;
	size_t len;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint8_t *make_text(size_t len)
{
	static const char *const words[] = {
		"queue", "descriptor", "the", "device", "page", "request",
		"of", "and", "PASID", "translation", "completion", "a",
		"deflate", "window", "zlib", "ring", "doorbell", "to", "\n",
	};
	uint8_t *p = malloc(len);
	size_t n = 0;

	while (n < len) {
		const char *w = words[rnd() % (sizeof(words) / sizeof(*words))];
		size_t l = strlen(w);

		for (size_t i = 0; i < l && n < len; i++)
			p[n++] = (uint8_t)w[i];
		if (n < len)
			p[n++] = ' ';
	}
	return p;
}

static uint8_t *make_random(size_t len)
{
	uint8_t *p = malloc(len);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
	return p;
}

static uint8_t *make_zeros(size_t len)
{
	return calloc(1, len);
}

static struct item corpus[5];
static size_t ncorpus;

static void add(const char *name, uint8_t *data, size_t len)
{
	corpus[ncorpus++] = (struct item){ name, data, len };
}

/* ---- helpers ---- */

static uint64_t ctr(int op, int c)
{
	return awdz_counter(op, c, -1);
}

static uint64_t fbk(int op, int reason)
{
	return awdz_counter(op, 0, reason);
}

/* Inflate @src with the system zlib; returns the output length or -1. */
static long real_inflate(int wbits, const uint8_t *src, size_t len,
			 uint8_t *dst, size_t cap, const uint8_t *dict,
			 size_t dict_len)
{
	z_stream zs = { 0 };
	int ret;

	if (rz.inflateInit2_(&zs, wbits, ZLIB_VERSION, sizeof(zs)) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	ret = rz.inflate(&zs, Z_FINISH);
	if (ret == Z_NEED_DICT && dict) {
		rz.inflateSetDictionary(&zs, dict, (uInt)dict_len);
		ret = rz.inflate(&zs, Z_FINISH);
	}
	rz.inflateEnd(&zs);
	return ret == Z_STREAM_END ? (long)zs.total_out : -1;
}

static size_t real_deflate(int level, int wbits, const uint8_t *src,
			   size_t len, uint8_t *dst, size_t cap)
{
	z_stream zs = { 0 };

	rz.deflateInit2_(&zs, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY,
			 ZLIB_VERSION, sizeof(zs));
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	if (rz.deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	rz.deflateEnd(&zs);
	return zs.total_out;
}

static uLong checksum(int wbits, const uint8_t *p, size_t len)
{
	return wbits > 15 ? rz.crc32(0, p, (uInt)len) :
	       rz.adler32(1, p, (uInt)len);
}

/*
 * Deflate @len bytes through the shim: input in @in_chunk pieces with
 * Z_NO_FLUSH (@mid_flush once in the middle, and deflateParams() to
 * @mid_level there when >= 0), output in @out_chunk pieces; then check
 * with the system zlib. Returns 0 when the round trip is right.
 */
struct dopts {
	int level, wbits, memlevel, strategy;
	size_t in_chunk, out_chunk;
	int mid_flush;          /* Z_NO_FLUSH: none */
	int mid_level;          /* -2: none */
	const uint8_t *dict;
	size_t dict_len;
};

static int shim_deflate(const struct dopts *o, const uint8_t *src, size_t len,
			const char *what)
{
	size_t cap = len + len / 100 + 4096, in_off = 0, mid = len / 2;
	uint8_t *out = malloc(cap), *back = malloc(len + 1);
	bool mid_done = false;
	z_stream zs = { 0 };
	long n;
	int ret, bad = 0;

	ret = deflateInit2(&zs, o->level, Z_DEFLATED, o->wbits, o->memlevel,
			   o->strategy);
	CHECK(ret == Z_OK, "%s: deflateInit2 %d", what, ret);
	if (o->dict) {
		ret = deflateSetDictionary(&zs, o->dict, (uInt)o->dict_len);
		CHECK(ret == Z_OK, "%s: deflateSetDictionary %d", what, ret);
	}
	zs.next_out = out;
	do {
		size_t chunk = o->in_chunk;
		int flush = Z_NO_FLUSH;

		if (!mid_done && in_off + chunk >= mid &&
		    (o->mid_flush != Z_NO_FLUSH || o->mid_level != -2)) {
			chunk = mid - in_off;
			mid_done = true;
			flush = o->mid_flush;
		} else if (in_off + chunk >= len) {
			chunk = len - in_off;
			flush = Z_FINISH;
		}
		zs.next_in = (Bytef *)src + in_off;
		zs.avail_in = (uInt)chunk;
		do {
			size_t room = cap - (size_t)(zs.next_out - out);

			zs.avail_out = (uInt)(room < o->out_chunk ? room :
					      o->out_chunk);
			ret = deflate(&zs, flush);
			if (ret == Z_STREAM_ERROR || ret == Z_DATA_ERROR ||
			    (zs.avail_out && zs.avail_in)) {
				CHECK(0, "%s: deflate %d", what, ret);
				bad = 1;
				break;
			}
		} while (zs.avail_out == 0 || (flush == Z_FINISH &&
					       ret != Z_STREAM_END));
		in_off += chunk;
		if (mid_done && o->mid_level != -2 && in_off == mid) {
			do {
				size_t room = cap - (size_t)(zs.next_out - out);

				zs.avail_out = (uInt)(room < o->out_chunk ?
						      room : o->out_chunk);
				ret = deflateParams(&zs, o->mid_level,
						    Z_DEFAULT_STRATEGY);
			} while (ret == Z_BUF_ERROR);
			CHECK(ret == Z_OK, "%s: deflateParams %d", what, ret);
		}
	} while (!bad && ret != Z_STREAM_END);
	/* zlib counts a deflate dictionary as input */
	CHECK(zs.total_in == len + o->dict_len, "%s: total_in %lu of %zu",
	      what, zs.total_in, len);
	CHECK(zs.total_out == (uLong)(zs.next_out - out), "%s: total_out",
	      what);
	if (o->wbits > 0)
		CHECK(zs.adler == checksum(o->wbits, src, len),
		      "%s: adler %lx", what, zs.adler);
	ret = deflateEnd(&zs);
	CHECK(ret == Z_OK, "%s: deflateEnd %d", what, ret);
	n = real_inflate(o->wbits, out, zs.total_out, back, len + 1, o->dict,
			 o->dict_len);
	CHECK(n == (long)len && !memcmp(back, src, len),
	      "%s: zlib inflates %ld of %zu bytes", what, n, len);
	bad |= !(n == (long)len && !memcmp(back, src, len));
	free(out);
	free(back);
	return bad ? -1 : 0;
}

/*
 * Inflate zlib-made @comp through the shim, in one call with @in_len of
 * it (all: whole), output in @out_chunk pieces; more input follows when
 * the first call does not finish. Compare with @orig.
 */
static int shim_inflate(int wbits, const uint8_t *comp, size_t comp_len,
			size_t first_in, size_t out_chunk, const uint8_t *orig,
			size_t len, const char *what)
{
	uint8_t *out = malloc(len + 64);
	z_stream zs = { 0 };
	int ret, bad = 0;

	ret = inflateInit2(&zs, wbits);
	CHECK(ret == Z_OK, "%s: inflateInit2 %d", what, ret);
	zs.next_in = (Bytef *)comp;
	zs.avail_in = (uInt)first_in;
	zs.next_out = out;
	do {
		size_t room = len + 64 - (size_t)(zs.next_out - out);

		zs.avail_out = (uInt)(room < out_chunk ? room : out_chunk);
		ret = inflate(&zs, Z_NO_FLUSH);
		if (ret == Z_BUF_ERROR && !zs.avail_in &&
		    zs.next_in < comp + comp_len) {
			zs.avail_in = (uInt)(comp + comp_len - zs.next_in);
			continue;
		}
		if (ret != Z_OK && ret != Z_STREAM_END &&
		    ret != Z_BUF_ERROR) {
			CHECK(0, "%s: inflate %d (%s)", what, ret,
			      zs.msg ? zs.msg : "");
			bad = 1;
			break;
		}
		if (ret == Z_OK && !zs.avail_in &&
		    zs.next_in < comp + comp_len && zs.avail_out)
			zs.avail_in = (uInt)(comp + comp_len - zs.next_in);
	} while (ret != Z_STREAM_END);
	if (!bad) {
		CHECK(zs.total_out == len && !memcmp(out, orig, len),
		      "%s: inflated %lu of %zu bytes", what, zs.total_out, len);
		CHECK(zs.total_in == comp_len, "%s: total_in %lu of %zu", what,
		      zs.total_in, comp_len);
		if (wbits > 0)
			CHECK(zs.adler == checksum(wbits, orig, len),
			      "%s: adler", what);
		bad = !(zs.total_out == len && !memcmp(out, orig, len));
	}
	inflateEnd(&zs);
	free(out);
	return bad ? -1 : 0;
}

static const struct dopts dflt = {
	.level = 6, .wbits = 15, .memlevel = 8,
	.strategy = Z_DEFAULT_STRATEGY, .in_chunk = 7000,
	.out_chunk = 4096, .mid_flush = Z_NO_FLUSH, .mid_level = -2,
};

/* ---- the device does the work ---- */

static void test_device_deflate(void)
{
	static const int wbits[] = { 15, -15, 31 };
	static const int levels[] = { 1, 6, 9 };
	char what[96];

	for (size_t i = 0; i < ncorpus; i++) {
		for (size_t w = 0; w < 3; w++) {
			for (size_t l = 0; l < 3; l++) {
				struct dopts o = dflt;
				uint64_t hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);

				o.wbits = wbits[w];
				o.level = levels[l];
				/* the last one in one piece, output big */
				if (l == 2) {
					o.in_chunk = corpus[i].len + 1;
					o.out_chunk = corpus[i].len * 2 + 4096;
				}
				snprintf(what, sizeof(what),
					 "deflate %s wbits %d level %d",
					 corpus[i].name, o.wbits, o.level);
				shim_deflate(&o, corpus[i].data, corpus[i].len,
					     what);
				CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) == hw + 1,
				      "%s: not on the device", what);
			}
		}
	}
}

static void test_device_inflate(void)
{
	static const int wbits[] = { 15, -15, 31, 47 };
	char what[96];

	for (size_t i = 0; i < ncorpus; i++) {
		size_t cap = corpus[i].len + corpus[i].len / 100 + 4096;
		uint8_t *comp = malloc(cap + 16);

		for (size_t w = 0; w < 4; w++) {
			int mk = wbits[w] == 47 ? 31 : wbits[w];
			size_t n = real_deflate(6, mk, corpus[i].data,
						corpus[i].len, comp, cap);
			uint64_t hw = ctr(AWDZ_OP_INFLATE, AWDZ_C_HW);
			uint64_t sm = fbk(AWDZ_OP_INFLATE, AWDZ_FB_SMALL);
			/* AWDZ_MIN_INFLATE: zeros compress to less */
			bool small = n < 1024;

			snprintf(what, sizeof(what), "inflate %s wbits %d",
				 corpus[i].name, wbits[w]);
			/* output room for all of it: one call */
			shim_inflate(wbits[w], comp, n, n, corpus[i].len + 64,
				     corpus[i].data, corpus[i].len, what);
			/* small output pieces: copied out over calls */
			shim_inflate(wbits[w], comp, n, n, 3000,
				     corpus[i].data, corpus[i].len, what);
			CHECK(ctr(AWDZ_OP_INFLATE, AWDZ_C_HW) ==
			      hw + (small ? 0 : 2) &&
			      fbk(AWDZ_OP_INFLATE, AWDZ_FB_SMALL) ==
			      sm + (small ? 2 : 0),
			      "%s: not on the device", what);
		}
		free(comp);
	}
}

static void test_device_oneshot(void)
{
	for (size_t i = 0; i < ncorpus; i++) {
		const struct item *it = &corpus[i];
		uLongf clen = compressBound(it->len), dlen = it->len + 1;
		uint8_t *comp = malloc(clen), *back = malloc(it->len + 1);
		uint64_t c = ctr(AWDZ_OP_COMPRESS, AWDZ_C_HW);
		uint64_t u = ctr(AWDZ_OP_UNCOMPRESS, AWDZ_C_HW);
		long n;
		int ret;

		ret = compress2(comp, &clen, it->data, it->len, 6);
		CHECK(ret == Z_OK, "compress2 %s: %d", it->name, ret);
		n = real_inflate(15, comp, clen, back, it->len + 1, NULL, 0);
		CHECK(n == (long)it->len && !memcmp(back, it->data, it->len),
		      "compress2 %s: zlib inflates %ld", it->name, n);
		memset(back, 0, it->len);
		ret = uncompress(back, &dlen, comp, clen);
		CHECK(ret == Z_OK && dlen == it->len &&
		      !memcmp(back, it->data, it->len),
		      "uncompress %s: %d, %lu", it->name, ret, dlen);
		CHECK(ctr(AWDZ_OP_COMPRESS, AWDZ_C_HW) == c + 1 &&
		      ctr(AWDZ_OP_UNCOMPRESS, AWDZ_C_HW) == u + (clen >= 1024),
		      "compress2/uncompress %s: not on the device", it->name);
		free(comp);
		free(back);
	}
}

/* deflateCopy() and deflateReset() on a collecting stream */
static void test_copy_reset(void)
{
	const struct item *it = &corpus[0];
	uint8_t *out = malloc(it->len * 2), *back = malloc(it->len);
	z_stream a = { 0 }, b = { 0 };
	uint64_t hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);
	size_t half = it->len / 2;
	long n;

	deflateInit(&a, 6);
	a.next_in = it->data;
	a.avail_in = (uInt)half;
	a.next_out = out;
	a.avail_out = (uInt)(it->len * 2);
	CHECK(deflate(&a, Z_NO_FLUSH) == Z_OK, "copy: first half");
	CHECK(deflateCopy(&b, &a) == Z_OK, "deflateCopy");
	deflateEnd(&a);
	b.next_in = it->data + half;
	b.avail_in = (uInt)(it->len - half);
	CHECK(deflate(&b, Z_FINISH) == Z_STREAM_END, "copy: finish");
	n = real_inflate(15, out, b.total_out, back, it->len, NULL, 0);
	CHECK(n == (long)it->len && !memcmp(back, it->data, it->len),
	      "copy: zlib inflates %ld", n);
	/* the same stream again after a reset */
	CHECK(deflateReset(&b) == Z_OK, "deflateReset");
	b.next_in = it->data;
	b.avail_in = (uInt)it->len;
	b.next_out = out;
	b.avail_out = (uInt)(it->len * 2);
	CHECK(deflate(&b, Z_FINISH) == Z_STREAM_END, "reset: finish");
	n = real_inflate(15, out, b.total_out, back, it->len, NULL, 0);
	CHECK(n == (long)it->len && !memcmp(back, it->data, it->len),
	      "reset: zlib inflates %ld", n);
	deflateEnd(&b);
	CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) == hw + 2,
	      "copy/reset: not on the device");
	free(out);
	free(back);
}

/* ---- fallbacks: zlib's results, and the reason counted ---- */

static void fallback_deflate(const char *what, const struct dopts *o,
			     const uint8_t *src, size_t len, int reason)
{
	uint64_t f = fbk(AWDZ_OP_DEFLATE, reason);
	uint64_t sw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_SW);

	shim_deflate(o, src, len, what);
	CHECK(fbk(AWDZ_OP_DEFLATE, reason) == f + 1 &&
	      ctr(AWDZ_OP_DEFLATE, AWDZ_C_SW) == sw + 1,
	      "%s: fallback not counted", what);
}

static void test_fallbacks(void)
{
	const struct item *text = &corpus[0];
	uint8_t dict[1024];
	struct dopts o;

	memcpy(dict, text->data + 5000, sizeof(dict));
	o = dflt;
	fallback_deflate("tiny input", &o, text->data, 100, AWDZ_FB_SMALL);
	o = dflt;
	o.dict = dict;
	o.dict_len = sizeof(dict);
	fallback_deflate("dictionary", &o, text->data, text->len,
			 AWDZ_FB_DICT);
	o = dflt;
	o.mid_level = 1;
	fallback_deflate("deflateParams mid-stream", &o, text->data,
			 text->len, AWDZ_FB_PARAMS);
	o = dflt;
	o.mid_flush = Z_SYNC_FLUSH;
	fallback_deflate("Z_SYNC_FLUSH", &o, text->data, text->len,
			 AWDZ_FB_FLUSH);
	o = dflt;
	o.mid_flush = Z_FULL_FLUSH;
	o.wbits = -15;
	fallback_deflate("Z_FULL_FLUSH raw", &o, text->data, text->len,
			 AWDZ_FB_FLUSH);
	o = dflt;
	o.strategy = Z_FILTERED;
	fallback_deflate("Z_FILTERED", &o, text->data, text->len,
			 AWDZ_FB_PARAM);
	o = dflt;
	o.memlevel = 1;
	fallback_deflate("memLevel 1", &o, text->data, text->len,
			 AWDZ_FB_PARAM);
	o = dflt;
	o.wbits = 10;
	fallback_deflate("windowBits 10", &o, text->data, text->len,
			 AWDZ_FB_PARAM);
	o = dflt;
	o.level = 0;
	fallback_deflate("level 0", &o, text->data, text->len,
			 AWDZ_FB_PARAM);
	{
		/* over the device's window: the mock's max_xfer is 1 MiB */
		size_t big = 3u << 20;
		uint8_t *p = make_text(big);

		o = dflt;
		o.in_chunk = 100000;
		fallback_deflate("3 MiB stream", &o, p, big, AWDZ_FB_LARGE);
		free(p);
	}
	/* deflateParams before any data keeps the device */
	{
		uint64_t hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);
		z_stream zs = { 0 };
		uint8_t *out = malloc(text->len * 2), *back = malloc(text->len);
		long n;

		deflateInit(&zs, 6);
		CHECK(deflateParams(&zs, 9, Z_DEFAULT_STRATEGY) == Z_OK,
		      "early deflateParams");
		zs.next_in = text->data;
		zs.avail_in = (uInt)text->len;
		zs.next_out = out;
		zs.avail_out = (uInt)(text->len * 2);
		CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "early params");
		deflateEnd(&zs);
		n = real_inflate(15, out, zs.total_out, back, text->len,
				 NULL, 0);
		CHECK(n == (long)text->len && !memcmp(back, text->data,
						      text->len),
		      "early params: zlib inflates %ld", n);
		CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) == hw + 1,
		      "early deflateParams: not on the device");
		free(out);
		free(back);
	}
}

static void test_inflate_fallbacks(void)
{
	const struct item *text = &corpus[0];
	size_t cap = text->len + 4096;
	uint8_t *comp = malloc(cap), *out = malloc(text->len + 64);
	uint8_t dict[2048];
	z_stream zs = { 0 };
	uint64_t f;
	size_t n;
	int ret;

	/* the first call has only part of the stream */
	n = real_deflate(6, 31, text->data, text->len, comp, cap);
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_INPUT);
	shim_inflate(31, comp, n, n / 3, 5000, text->data, text->len,
		     "inflate in pieces");
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_INPUT) == f + 1,
	      "truncated first input: fallback not counted");

	/* tiny input */
	n = real_deflate(6, 15, text->data, 50, comp, cap);
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_SMALL);
	shim_inflate(15, comp, n, n, 4096, text->data, 50, "inflate tiny");
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_SMALL) == f + 1,
	      "tiny inflate: fallback not counted");

	/* windowBits 0 (the header's window): not a device stream */
	n = real_deflate(6, 15, text->data, text->len, comp, cap);
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_PARAM);
	shim_inflate(0, comp, n, n, 4096, text->data, text->len,
		     "inflate windowBits 0");
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_PARAM) == f + 1,
	      "windowBits 0: fallback not counted");

	/* Z_BLOCK: stop at every block boundary, as zlib does */
	n = real_deflate(6, -15, text->data, text->len, comp, cap);
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_FLUSH);
	inflateInit2(&zs, -15);
	zs.next_in = comp;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)text->len + 64;
	ret = inflate(&zs, Z_BLOCK);
	CHECK(ret == Z_OK && zs.total_out < text->len && (zs.data_type & 128),
	      "Z_BLOCK: %d, %lu bytes, data_type %d", ret, zs.total_out,
	      zs.data_type);
	while (ret == Z_OK)
		ret = inflate(&zs, Z_BLOCK);
	CHECK(ret == Z_STREAM_END && zs.total_out == text->len &&
	      !memcmp(out, text->data, text->len), "Z_BLOCK inflate %d", ret);
	inflateEnd(&zs);
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_FLUSH) == f + 1,
	      "Z_BLOCK: fallback not counted");

	/* corrupt data: zlib's error and message */
	n = real_deflate(6, 15, text->data, text->len, comp, cap);
	comp[n / 2] ^= 0x55;
	comp[n / 2 + 1] ^= 0xaa;
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_INPUT);
	{
		z_stream rs = { 0 };
		int rret;

		rz.inflateInit2_(&rs, 15, ZLIB_VERSION, sizeof(rs));
		rs.next_in = comp;
		rs.avail_in = (uInt)n;
		rs.next_out = out;
		rs.avail_out = (uInt)text->len + 64;
		rret = rz.inflate(&rs, Z_NO_FLUSH);
		inflateInit(&zs);
		zs.next_in = comp;
		zs.avail_in = (uInt)n;
		zs.next_out = out;
		zs.avail_out = (uInt)text->len + 64;
		ret = inflate(&zs, Z_NO_FLUSH);
		CHECK(ret == rret && ret == Z_DATA_ERROR && zs.msg && rs.msg &&
		      !strcmp(zs.msg, rs.msg),
		      "corrupt: %d (%s), zlib %d (%s)", ret,
		      zs.msg ? zs.msg : "", rret, rs.msg ? rs.msg : "");
		inflateEnd(&zs);
		rz.inflateEnd(&rs);
	}
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_INPUT) == f + 1,
	      "corrupt: fallback not counted");

	/* a stream with a preset dictionary */
	memcpy(dict, text->data + 1000, sizeof(dict));
	{
		z_stream ds = { 0 };

		rz.deflateInit2_(&ds, 6, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY,
				 ZLIB_VERSION, sizeof(ds));
		rz.deflateSetDictionary(&ds, dict, sizeof(dict));
		ds.next_in = text->data;
		ds.avail_in = (uInt)text->len;
		ds.next_out = comp;
		ds.avail_out = (uInt)cap;
		rz.deflate(&ds, Z_FINISH);
		n = ds.total_out;
		rz.deflateEnd(&ds);
	}
	f = fbk(AWDZ_OP_INFLATE, AWDZ_FB_DICT);
	inflateInit(&zs);
	zs.next_in = comp;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)text->len + 64;
	ret = inflate(&zs, Z_NO_FLUSH);
	CHECK(ret == Z_NEED_DICT, "dictionary: %d", ret);
	CHECK(inflateSetDictionary(&zs, dict, sizeof(dict)) == Z_OK,
	      "inflateSetDictionary");
	ret = inflate(&zs, Z_NO_FLUSH);
	CHECK(ret == Z_STREAM_END && zs.total_out == text->len &&
	      !memcmp(out, text->data, text->len), "dictionary inflate %d",
	      ret);
	inflateEnd(&zs);
	CHECK(fbk(AWDZ_OP_INFLATE, AWDZ_FB_DICT) == f + 1,
	      "dictionary inflate: fallback not counted");
	free(comp);
	free(out);
}

/* The device fails a request, never completes one, or is not there. */
static void test_device_trouble(void)
{
	const struct item *text = &corpus[0];
	struct mock_knobs *knobs = awdz_mock_knobs();
	uLongf clen = compressBound(text->len), dlen = text->len;
	uint8_t *comp = malloc(clen), *back = malloc(text->len);
	struct dopts o = dflt;
	uint64_t f, hw;
	long n;
	int ret;

	knobs->fail_next = true;
	fallback_deflate("failing device", &o, text->data, text->len,
			 AWDZ_FB_DEVICE_ERROR);
	/* the queue was reset: the device works again */
	hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);
	shim_deflate(&o, text->data, text->len, "after the failure");
	CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) == hw + 1,
	      "after a failure: device not used again");

	knobs->fail_next = true;
	f = fbk(AWDZ_OP_COMPRESS, AWDZ_FB_DEVICE_ERROR);
	ret = compress2(comp, &clen, text->data, text->len, 6);
	n = real_inflate(15, comp, clen, back, text->len, NULL, 0);
	CHECK(ret == Z_OK && n == (long)text->len &&
	      !memcmp(back, text->data, text->len),
	      "compress2 on a failing device: %d %ld", ret, n);
	CHECK(fbk(AWDZ_OP_COMPRESS, AWDZ_FB_DEVICE_ERROR) == f + 1,
	      "compress2 on a failing device: not counted");

	knobs->fail_next = true;
	f = fbk(AWDZ_OP_UNCOMPRESS, AWDZ_FB_DEVICE_ERROR);
	ret = uncompress(back, &dlen, comp, clen);
	CHECK(ret == Z_OK && dlen == text->len &&
	      !memcmp(back, text->data, text->len),
	      "uncompress on a failing device: %d", ret);
	CHECK(fbk(AWDZ_OP_UNCOMPRESS, AWDZ_FB_DEVICE_ERROR) == f + 1,
	      "uncompress on a failing device: not counted");

	/* stuck: AWDZ_TIMEOUT_MS ends the wait */
	awdz_mock_timeout(300);
	knobs->stall = true;
	fallback_deflate("stalled device", &o, text->data, text->len,
			 AWDZ_FB_TIMEOUT);
	knobs->stall = false;
	awdz_mock_timeout(-1);
	/* and for a second after it the device is left alone */
	fallback_deflate("device resting", &o, text->data, text->len,
			 AWDZ_FB_DEVICE_ERROR);
	sleep(1);
	usleep(100000);
	hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);
	shim_deflate(&o, text->data, text->len, "after the stall");
	CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) == hw + 1,
	      "after a stall: device not used again");
	free(comp);
	free(back);
}

/* Threads: a queue each (the mock has 4), the fifth falls back (busy). */
static void *worker(void *arg)
{
	const struct item *it = arg;
	struct dopts o = dflt;
	size_t cap = it->len + 4096;
	uint8_t *comp = malloc(cap);
	size_t n;

	for (int i = 0; i < 3; i++) {
		shim_deflate(&o, it->data, it->len, "thread deflate");
		n = real_deflate(6, 31, it->data, it->len, comp, cap);
		shim_inflate(31, comp, n, n, it->len + 64, it->data, it->len,
			     "thread inflate");
	}
	free(comp);
	return NULL;
}

static void test_threads(void)
{
	uint64_t hw = ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW);
	uint64_t busy = fbk(AWDZ_OP_DEFLATE, AWDZ_FB_BUSY);
	pthread_t t[6];

	/* this thread holds one queue: 3 more threads get one each */
	for (int i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, worker, &corpus[i % ncorpus]);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) + fbk(AWDZ_OP_DEFLATE,
						     AWDZ_FB_BUSY) ==
	      hw + busy + 18, "threads: %llu on the device, %llu busy",
	      (unsigned long long)(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) - hw),
	      (unsigned long long)(fbk(AWDZ_OP_DEFLATE, AWDZ_FB_BUSY) - busy));
	CHECK(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) >= hw + 9,
	      "threads: the device did only %llu streams",
	      (unsigned long long)(ctr(AWDZ_OP_DEFLATE, AWDZ_C_HW) - hw));
}

/* Last: no device at all (a new thread opens /dev/accel_wd5: ENOENT). */
static void *no_device(void *arg)
{
	struct dopts o = dflt;

	(void)arg;
	fallback_deflate("no device", &o, corpus[0].data, corpus[0].len,
			 AWDZ_FB_NO_DEVICE);
	return NULL;
}

static void test_no_device(void)
{
	pthread_t t;

	setenv("AWD_DEVICE", "/dev/accel_wd5", 1);
	pthread_create(&t, NULL, no_device, NULL);
	pthread_join(t, NULL);
	/* from then on nobody tries again */
	no_device(NULL);
}

int main(void)
{
	/* read by the shim at its first call: wait as long as it takes */
	setenv("AWDZ_TIMEOUT_MS", "0", 1);
	unsetenv("AWDZ_DISABLE");
	unsetenv("AWD_DEVICE");
	load_real_zlib();
	add("text", make_text(300000), 300000);
	add("random", make_random(65536), 65536);
	add("zeros", make_zeros(900000), 900000);
	add("text-small", make_text(5000), 5000);
	add("text-1m", make_text(1000000), 1000000);

	test_device_deflate();
	test_device_inflate();
	test_device_oneshot();
	test_copy_reset();
	test_fallbacks();
	test_inflate_fallbacks();
	test_device_trouble();
	test_threads();
	test_no_device();

	printf("%d checks, %d failed\n", checks, failures);
	for (int op = 0; op < AWDZ_OP_NR; op++)
		printf("op %d: hw %llu sw %llu\n", op,
		       (unsigned long long)ctr(op, AWDZ_C_HW),
		       (unsigned long long)ctr(op, AWDZ_C_SW));
	return failures ? 1 : 0;
}
