// SPDX-License-Identifier: MIT
/*
 * Host unit test of libaccelwd without a device: error strings and status
 * decoding, argument validation of every entry point (NULL and closed
 * contexts, bad flags, missing device), wrappers written exactly as zlib
 * writes them, gzip header helpers, hashes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "awd_internal.h"

#define ARRAY_SIZE(a) AWD_ARRAY_SIZE(a)

static int failures, checks;

#define CHECK(cond) \
	do { \
		checks++; \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond); \
			failures++; \
		} \
	} while (0)

#define CHECK_EQ(a, b) \
	do { \
		long long _a = (long long)(a), _b = (long long)(b); \
		checks++; \
		if (_a != _b) { \
			fprintf(stderr, "%s:%d: %s == %lld, want %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b); \
			failures++; \
		} \
	} while (0)

static void test_strerror(void)
{
	static const int documented[] = {
		EINVAL, EBADF, EMSGSIZE, ENOBUFS, EAGAIN, EBADMSG, EFAULT,
		EKEYREJECTED, ERANGE, EBADE, ECANCELED, EIO, ENODEV, ENOENT,
		EBUSY, EPERM, EACCES, EOPNOTSUPP, EPROTO, ENOMEM, ENOSPC,
		EMFILE, EINTR, ETIMEDOUT, EALREADY, ENOTTY,
	};

	CHECK(!strcmp(awd_strerror(0), "success"));
	for (size_t i = 0; i < ARRAY_SIZE(documented); i++) {
		const char *m = awd_strerror(-documented[i]);

		CHECK(m && *m && strcmp(m, "unknown error"));
		CHECK(m == awd_strerror(documented[i]));
		/* distinct messages */
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(m, awd_strerror(-documented[j])));
	}
	CHECK(!strcmp(awd_strerror(-9999), "unknown error"));
	CHECK(!strcmp(awd_strerror(-2147483647), "unknown error"));
	CHECK(!strcmp(awd_version(), AWD_LIB_VERSION));
}

static void test_hw_status(void)
{
	static const struct {
		unsigned int sts;
		int err;
	} map[] = {
		{ AWD_STS_OK, 0 },
		{ AWD_STS_INVALID_OPCODE, -EINVAL },
		{ AWD_STS_INVALID_FLAGS, -EINVAL },
		{ AWD_STS_INVALID_PARAM, -EINVAL },
		{ AWD_STS_INVALID_LEN, -EMSGSIZE },
		{ AWD_STS_DST_TOO_SMALL, -ENOBUFS },
		{ AWD_STS_DECODE_ERROR, -EBADMSG },
		{ AWD_STS_FAULT, -EFAULT },
		{ AWD_STS_BAD_KEY, -EKEYREJECTED },
		{ AWD_STS_INPUT_RANGE, -ERANGE },
		{ AWD_STS_BAD_CONTEXT, -EBADE },
		{ AWD_STS_OVERLAP, -EINVAL },
		{ AWD_STS_ABORTED, -ECANCELED },
		{ AWD_STS_DMA_ERROR, -EIO },
		{ AWD_STS_MAX, -EIO },
		{ 0xffff, -EIO },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		CHECK_EQ(awd_hw_status_errno(map[i].sts), map[i].err);
	for (unsigned int s = 0; s < AWD_STS_MAX; s++)
		CHECK(strcmp(awd_hw_status_str(s), "UNKNOWN"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_DST_TOO_SMALL),
		      "DST_TOO_SMALL"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_MAX), "UNKNOWN"));
	/* the list and batch statuses of the sgl and crec formats */
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_SGL_TOO_LONG), "SGL_TOO_LONG"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_SGL_ZERO_LEN), "SGL_ZERO_LEN"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_SGL_LOOP), "SGL_LOOP"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_MISALIGNED), "MISALIGNED"));
	CHECK(!strcmp(awd_hw_status_str(AWD_STS_BATCH_FAIL), "BATCH_FAIL"));
	CHECK_EQ(awd_hw_status_errno(AWD_STS_SGL_TOO_LONG), -E2BIG);
	CHECK_EQ(awd_hw_status_errno(AWD_STS_SGL_ZERO_LEN), -EPROTO);
	CHECK_EQ(awd_hw_status_errno(AWD_STS_SGL_LOOP), -EPROTO);
	CHECK_EQ(awd_hw_status_errno(AWD_STS_MISALIGNED), -EPROTO);
	CHECK_EQ(awd_hw_status_errno(AWD_STS_BATCH_FAIL), -ECOMM);
	CHECK(strcmp(awd_strerror(-EPROTONOSUPPORT), "unknown error"));
	CHECK(strcmp(awd_strerror(-E2BIG), "unknown error"));
	CHECK(strcmp(awd_strerror(-ECOMM), "unknown error"));
	CHECK(!strcmp(awd_hw_status_str(~0u), "UNKNOWN"));
}

static void test_open_errors(void)
{
	struct awd_ctx *ctx = (struct awd_ctx *)0x1;

	CHECK_EQ(awd_ctx_open(NULL, NULL, 0), -EINVAL);
	CHECK_EQ(awd_ctx_open(&ctx, NULL, 1u << 31), -EINVAL);
	CHECK(ctx == NULL);
	CHECK_EQ(awd_ctx_open(&ctx, "/nonexistent/accel_wd0", 0), -ENOENT);
	CHECK(ctx == NULL);
	/* a file that is not an accel-wd device */
	CHECK_EQ(awd_ctx_open(&ctx, "/dev/null", 0), -ENOTTY);
	CHECK(ctx == NULL);
	/* the host has no accel-wd device (tests run outside the guest) */
	if (access("/dev/accel_wd0", F_OK) != 0) {
		unsetenv("AWD_DEVICE");
		CHECK_EQ(awd_ctx_open(&ctx, NULL, 0), -ENOENT);
		CHECK_EQ(awd_ctx_open(&ctx, "accel_wd3", 0), -ENOENT);
		CHECK_EQ(awd_ctx_open(&ctx, "3", AWD_OPEN_RING_ORDER(4)),
			 -ENOENT);
		setenv("AWD_DEVICE", "/dev/null", 1);
		CHECK_EQ(awd_ctx_open(&ctx, NULL, 0), -ENOTTY);
		unsetenv("AWD_DEVICE");
	}
}

/* Every entry point with a NULL (closed) context. */
static void test_null_ctx(void)
{
	struct awd_ctx *ctx = NULL;
	struct awd_req req = AWD_REQ_INIT, *done[4];
	struct awd_caps caps;
	struct awd_stats st;
	struct awd_stream *s = (struct awd_stream *)0x1;
	struct awd_rsa_key *key = (struct awd_rsa_key *)0x1;
	struct awd_rsa_key_parts kp = { 0 };
	uint8_t buf[64], out[64];
	size_t len = sizeof(out), slen = sizeof(buf), c, p;

	CHECK_EQ(awd_ctx_close(NULL), -EBADF);
	CHECK_EQ(awd_ctx_close(&ctx), -EBADF);
	CHECK_EQ(awd_ctx_caps(NULL, &caps), -EBADF);
	CHECK_EQ(awd_ctx_fd(NULL), -EBADF);
	CHECK_EQ(awd_ctx_stats(NULL, &st), -EBADF);
	CHECK_EQ(awd_ctx_reset(NULL), -EBADF);
	CHECK_EQ(awd_submit(NULL, &req), -EBADF);
	CHECK_EQ(awd_poll(NULL, done, 4), -EBADF);
	CHECK_EQ(awd_wait(NULL, done, 4, -1), -EBADF);
	CHECK_EQ(awd_run(NULL, &req), -EBADF);
	memset(buf, 'a', sizeof(buf));
	CHECK_EQ(awd_compress(NULL, AWD_FORMAT_GZIP, 6, buf, sizeof(buf), out,
			      &len), -EBADF);
	CHECK_EQ(len, sizeof(out));
	CHECK_EQ(awd_decompress(NULL, AWD_FORMAT_GZIP, buf, &slen, out, &len),
		 -EBADF);
	CHECK_EQ(awd_stream_new(NULL, &s, AWD_STREAM_COMPRESS,
				AWD_FORMAT_GZIP, 6), -EBADF);
	CHECK(s == NULL);
	CHECK_EQ(awd_stream_run(NULL, buf, 1, &c, out, 1, &p, 0), -EBADF);
	CHECK_EQ(awd_stream_reset(NULL), -EBADF);
	CHECK_EQ(awd_stream_totals(NULL, NULL, NULL, NULL), -EBADF);
	awd_stream_free(NULL);
	awd_stream_free(&s);
	CHECK_EQ(awd_rsa_key_new(NULL, &kp, &key), -EBADF);
	CHECK(key == NULL);
	CHECK_EQ(awd_rsa_key_size(NULL), 0);
	CHECK_EQ(awd_rsa_key_forms(NULL), 0);
	awd_rsa_key_free(NULL);
	awd_rsa_key_free(&key);
	CHECK_EQ(awd_rsa_public(NULL, NULL, buf, out, 64), -EBADF);
	CHECK_EQ(awd_rsa_private(NULL, NULL, buf, out, 64), -EBADF);
}

/* zlib's own output for an empty input at @level in @fmt. */
static size_t zlib_empty(unsigned int fmt, int level, uint8_t *out,
			 size_t cap)
{
	int wbits = fmt == AWD_FORMAT_RAW ? -15 :
		    fmt == AWD_FORMAT_ZLIB ? 15 : 31;
	z_stream zs = { 0 };

	if (deflateInit2(&zs, level, Z_DEFLATED, wbits, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void test_wrappers(void)
{
	for (unsigned int fmt = 0; fmt <= AWD_FORMAT_GZIP; fmt++) {
		for (int level = 1; level <= 9; level++) {
			uint8_t want[64], got[64];
			size_t wn = zlib_empty(fmt, level, want, sizeof(want));
			size_t n = awd__wrap_header(fmt, (unsigned int)level, got);

			got[n++] = 0x03;
			got[n++] = 0x00;
			n += awd__wrap_trailer(fmt, fmt == AWD_FORMAT_GZIP ? 0 : 1,
					       0, got + n);
			CHECK_EQ(n, wn);
			CHECK(!memcmp(got, want, wn));
		}
	}
	/* non-empty trailers: crc32/adler32 and size as zlib writes them */
	{
		static const char msg[] = "hello, accel-wd";
		uint8_t t[8], want[64];
		uLong len = sizeof(msg) - 1, dlen = sizeof(want);
		uint32_t a = (uint32_t)adler32(1, (const Bytef *)msg, (uInt)len);

		compress2(want, &dlen, (const Bytef *)msg, len, 6);
		CHECK_EQ(awd__wrap_trailer(AWD_FORMAT_ZLIB, a, len, t), 4);
		CHECK(!memcmp(t, want + dlen - 4, 4));
		CHECK_EQ(awd__wrap_trailer(AWD_FORMAT_GZIP, 0x11223344u,
					   0x100000005ull, t), 8);
		CHECK(t[0] == 0x44 && t[3] == 0x11 && t[4] == 5 && t[7] == 0);
		CHECK_EQ(awd__wrap_trailer(AWD_FORMAT_RAW, 1, 1, t), 0);
	}
}

static void test_bound(void)
{
	CHECK_EQ(awd_compress_bound((enum awd_format)3, 100), 0);
	for (size_t len = 0; len < (1u << 24); len = len * 3 + 1) {
		uLong zb = compressBound(len);

		CHECK(awd_compress_bound(AWD_FORMAT_ZLIB, len) >= zb);
		CHECK(awd_compress_bound(AWD_FORMAT_GZIP, len) >=
		      awd_compress_bound(AWD_FORMAT_ZLIB, len));
		CHECK(awd_compress_bound(AWD_FORMAT_RAW, len) > len);
	}
	CHECK_EQ(awd_compress_bound(AWD_FORMAT_RAW, SIZE_MAX), SIZE_MAX);
}

/* A gzip header as zlib writes it with every optional field. */
static size_t zlib_gzip_header(uint8_t *out, size_t cap, bool hcrc)
{
	static const char name[] = "file.txt", comment[] = "a comment";
	static unsigned char extra[] = { 'A', 'W', 2, 0, 1, 2 };
	gz_header h = { 0 };
	z_stream zs = { 0 };

	h.time = 0x5f5e1000;
	h.os = 3;
	h.extra = extra;
	h.extra_len = sizeof(extra);
	h.name = (Bytef *)(uintptr_t)name;       /* zlib only reads it */
	h.comment = (Bytef *)(uintptr_t)comment;
	h.hcrc = hcrc;
	deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	deflateSetHeader(&zs, &h);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void test_gzip_header(void)
{
	struct awd_gzip_header h = { .mtime = 1234567890, .xfl = 2, .os = 3,
				     .name = "data.bin" }, p;
	uint8_t buf[128], zbuf[256];
	size_t zn, hl;
	int n;

	CHECK_EQ(awd_gzip_header_write(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(awd_gzip_header_write(&h, NULL, sizeof(buf)), -EINVAL);
	CHECK_EQ(awd_gzip_header_write(&h, buf, 18), -ENOBUFS);
	n = awd_gzip_header_write(&h, buf, sizeof(buf));
	CHECK_EQ(n, 19);
	CHECK_EQ(awd_gzip_header_parse(buf, (size_t)n, &p), n);
	CHECK_EQ(p.mtime, 1234567890);
	CHECK_EQ(p.xfl, 2);
	CHECK_EQ(p.os, 3);
	CHECK(p.name && !strcmp(p.name, "data.bin"));
	for (int i = 0; i < n; i++)
		CHECK_EQ(awd_gzip_header_parse(buf, (size_t)i, NULL), -EAGAIN);
	h.name = NULL;
	CHECK_EQ(awd_gzip_header_write(&h, buf, 10), 10);
	CHECK_EQ(awd_gzip_header_parse(buf, 10, &p), 10);
	CHECK(p.name == NULL);

	/* zlib's headers with extra, name, comment and header CRC */
	for (int hcrc = 0; hcrc <= 1; hcrc++) {
		zn = zlib_gzip_header(zbuf, sizeof(zbuf), hcrc);
		hl = 10 + 2 + 6 + 9 + 10 + (hcrc ? 2 : 0);
		CHECK(zn > hl);
		CHECK_EQ(awd_gzip_header_parse(zbuf, zn, &p), hl);
		CHECK(p.name && !strcmp(p.name, "file.txt"));
		CHECK_EQ(p.mtime, 0x5f5e1000);
		CHECK_EQ(awd_gzip_header_parse(zbuf, hl - 1, NULL), -EAGAIN);
		if (hcrc) {
			zbuf[hl - 1] ^= 1;
			CHECK_EQ(awd_gzip_header_parse(zbuf, zn, NULL), -EBADMSG);
		}
	}
	/* not gzip */
	CHECK_EQ(awd_gzip_header_parse((const uint8_t *)"PK\3\4", 4, NULL),
		 -EBADMSG);
	CHECK_EQ(awd_gzip_header_parse((const uint8_t *)"\x1f\x8b\x07", 3,
				       NULL), -EBADMSG);
	CHECK_EQ(awd_gzip_header_parse((const uint8_t *)"\x1f\x8b\x08\x20", 4,
				       NULL), -EBADMSG);
	CHECK_EQ(awd_gzip_header_parse((const uint8_t *)"\x1f", 1, NULL),
		 -EAGAIN);
	CHECK_EQ(awd_gzip_header_parse(NULL, 0, NULL), -EINVAL);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_hash(void)
{
	static const char *m448 =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];
	char h[65];

	CHECK_EQ(awd_hash_size(AWD_HASH_SHA1), 20);
	CHECK_EQ(awd_hash_size(AWD_HASH_SHA256), 32);
	CHECK_EQ(awd_hash_size((enum awd_hash)7), 0);
	CHECK_EQ(awd_hash((enum awd_hash)7, "", 0, d), -EINVAL);
	CHECK_EQ(awd_hash(AWD_HASH_SHA1, NULL, 1, d), -EINVAL);

	awd_hash(AWD_HASH_SHA1, "abc", 3, d);
	hex(d, 20, h);
	CHECK(!strcmp(h, "a9993e364706816aba3e25717850c26c9cd0d89d"));
	awd_hash(AWD_HASH_SHA1, m448, strlen(m448), d);
	hex(d, 20, h);
	CHECK(!strcmp(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
	awd_hash(AWD_HASH_SHA256, "", 0, d);
	hex(d, 32, h);
	CHECK(!strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	awd_hash(AWD_HASH_SHA256, "abc", 3, d);
	hex(d, 32, h);
	CHECK(!strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	awd_hash(AWD_HASH_SHA256, m448, strlen(m448), d);
	hex(d, 32, h);
	CHECK(!strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
}

static void test_padding_args(void)
{
	uint8_t em[256], msg[256] = { 0 }, dg[32] = { 0 };
	size_t ml = sizeof(msg);

	CHECK_EQ(awd_pkcs1_v15_pad(msg, 10, NULL, 64), -EINVAL);
	CHECK_EQ(awd_pkcs1_v15_pad(msg, 54, em, 64), -EMSGSIZE);
	CHECK_EQ(awd_pkcs1_v15_pad(msg, 53, em, 64), 0);
	CHECK_EQ(awd_pkcs1_v15_pad(msg, 0, em, 10), -EMSGSIZE);
	CHECK_EQ(awd_pkcs1_v15_unpad(em, 64, NULL, &ml), -EINVAL);
	CHECK_EQ(awd_pkcs1_v15_unpad(em, 64, msg, &ml), 0);
	CHECK_EQ(ml, 53);
	ml = 52;
	CHECK_EQ(awd_pkcs1_v15_unpad(em, 64, msg, &ml), -ENOBUFS);
	em[1] = 1;
	ml = sizeof(msg);
	CHECK_EQ(awd_pkcs1_v15_unpad(em, 64, msg, &ml), -EBADMSG);
	CHECK_EQ(awd_oaep_pad(AWD_HASH_SHA256, msg, 63 - 66 + 64, em, 64),
		 -EMSGSIZE);
	CHECK_EQ(awd_oaep_pad((enum awd_hash)0, msg, 1, em, 64), -EINVAL);
	CHECK_EQ(awd_oaep_pad(AWD_HASH_SHA256, msg, 2000, em, 2048),
		 -EMSGSIZE);
	CHECK_EQ(awd_pkcs1_v15_sign_pad(AWD_HASH_SHA256, dg, em, 61),
		 -EMSGSIZE);
	CHECK_EQ(awd_pkcs1_v15_sign_pad(AWD_HASH_SHA256, NULL, em, 64),
		 -EINVAL);
	CHECK_EQ(awd_pss_pad(AWD_HASH_SHA256, dg, em, 0), -EINVAL);
	CHECK_EQ(awd_pss_pad(AWD_HASH_SHA256, dg, em, 512), -EMSGSIZE);
	CHECK_EQ(awd_pss_pad(AWD_HASH_SHA256, dg, em, 1025), 0);
	CHECK_EQ(awd_pss_check(AWD_HASH_SHA256, dg, em, 1025), 0);
	dg[0] ^= 1;
	CHECK_EQ(awd_pss_check(AWD_HASH_SHA256, dg, em, 1025), -EBADMSG);
}

int main(void)
{
	test_strerror();
	test_hw_status();
	test_open_errors();
	test_null_ctx();
	test_wrappers();
	test_bound();
	test_gzip_header();
	test_hash();
	test_padding_args();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
