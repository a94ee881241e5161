// SPDX-License-Identifier: MIT
/*
 * Host robustness test (built with AddressSanitizer and UBSan): the
 * parsers that take untrusted bytes -- gzip headers, PKCS #1 unpadding,
 * PSS checks, and awd rsa's PEM/DER/hex key reader -- on many random
 * mutations of valid inputs. Nothing may crash or read out of bounds;
 * every result must be one of the documented codes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accelwd.h"
#include "pem.h"

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond); \
			failures++; \
		} \
	} while (0)

static uint32_t seed = 99;

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static void mutate(uint8_t *p, size_t n)
{
	unsigned int k = 1 + rnd() % 4;

	while (k-- && n) {
		size_t i = rnd() % n;

		switch (rnd() % 3) {
		case 0:
			p[i] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:
			p[i] = (uint8_t)rnd();
			break;
		default:
			p[i] = 0;
			break;
		}
	}
}

static void fuzz_gzip(void)
{
	static const char name[] = "name.txt";
	uint8_t good[64], buf[64];
	struct awd_gzip_header h = { .mtime = 1, .os = 3, .name = name }, out;
	int n = awd_gzip_header_write(&h, good, sizeof(good));

	good[3] |= 0x02 | 0x04 | 0x10;     /* claim HCRC, EXTRA, COMMENT too */
	for (int i = 0; i < 200000; i++) {
		size_t len = rnd() % (size_t)(n + 8);
		int ret;

		memcpy(buf, good, sizeof(buf));
		mutate(buf, (size_t)n);
		/* the parser gets exactly len bytes: copy to a tight heap block */
		{
			uint8_t *p = malloc(len ? len : 1);

			memcpy(p, buf, len);
			ret = awd_gzip_header_parse(p, len, &out);
			CHECK(ret == -EAGAIN || ret == -EBADMSG ||
			      (ret >= 10 && (size_t)ret <= len));
			if (ret > 0 && out.name)
				CHECK(strlen(out.name) < len);
			free(p);
		}
	}
}

static void fuzz_unpad(void)
{
	uint8_t em[256], msg[256], dg[32] = { 1 };
	size_t mlen;
	int ret;

	for (int i = 0; i < 20000; i++) {
		size_t k = 64 + rnd() % 193;

		for (size_t j = 0; j < k; j++)
			em[j] = (uint8_t)rnd();
		if (rnd() % 2) {
			em[0] = 0;
			em[1] = 2;
		}
		mlen = sizeof(msg);
		ret = awd_pkcs1_v15_unpad(em, k, msg, &mlen);
		CHECK(ret == -EBADMSG || (ret == 0 && mlen <= k - 11));
		mlen = sizeof(msg);
		ret = awd_oaep_unpad(AWD_HASH_SHA256, em, k, msg, &mlen);
		CHECK(ret == -EBADMSG || ret == 0);
		ret = awd_pss_check(AWD_HASH_SHA1, dg, em, k * 8 - rnd() % 8);
		CHECK(ret == -EBADMSG || ret == 0);
		ret = awd_pkcs1_v15_sign_check(AWD_HASH_SHA256, dg, em, k);
		CHECK(ret == -EBADMSG);
	}
}

/* A real 512-bit key (PKCS #1 PEM) and a hex key file */
static const char pem_key[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIBOwIBAAJBANSyGZgFVI5nf4RvIR3DhI/Ck2DypILVjAbRz1V5zsU3gP6oswh9\n"
	"5FPrYGsWpchOpA4N4OgzvqixRBlq8FPyMKECAwEAAQJATy9rReSeIVI48EYrTxhu\n"
	"btMi6VIMm0UDl7pe9VSe/V7Jp9wzFyRBPdfgZIjwDB5W2YwFm4NlVXAQv4P/sUs+\n"
	"vQIhAPV2X6w39Jxk1hns+pe8M6zUbLHI/5B8F3Qcr2tpHvTnAiEA3dOe+sFkcFFH\n"
	"V4G3J8ttWd/RRLLkePRA23sKaHrydTcCIQDqnpTgFjP28OM8sKjuM/PotLqYTJkK\n"
	"z7HTSD/cGQR/7QIgK+8h6aAr+GLgsmAqmmMcAVTm6ahUv/AAeHfiE9dl9fkCIQDa\n"
	"ZBSyLrzpNJvTE4YuAsJcjkVjYS4Kv+LAdjcFssg5KA==\n"
	"-----END RSA PRIVATE KEY-----\n";
static const char hex_key[] =
	"n = D4B2199805548E677F846F211DC3848FC29360F2A482D58C06D1CF5579CEC537\n"
	"e = 010001\n# comment\nd = 438b5b0b\n";

static void fuzz_keys(void)
{
	char path[] = "/tmp/awd-fuzz-key.XXXXXX";
	int fd = mkstemp(path);
	uint8_t buf[sizeof(pem_key) + sizeof(hex_key)];

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	/* the unmutated inputs load */
	for (int i = 0; i < 2; i++) {
		struct awd_keyfile kf;
		FILE *f = fopen(path, "w");

		fputs(i ? pem_key : hex_key, f);
		fclose(f);
		CHECK(awd_key_load(path, &kf) == 0);
		CHECK(kf.parts.n_len >= 32);
		awd_key_free(&kf);
	}
	for (int i = 0; i < 4000; i++) {
		const char *src = i % 2 ? pem_key : hex_key;
		size_t n = strlen(src);
		struct awd_keyfile kf;
		FILE *f;
		int ret;

		memcpy(buf, src, n);
		mutate(buf, n);
		if (rnd() % 4 == 0)
			n = rnd() % n;          /* truncated */
		f = fopen(path, "w");
		fwrite(buf, 1, n, f);
		fclose(f);
		ret = awd_key_load(path, &kf);
		CHECK(ret == 0 || ret == -EBADMSG || ret == -EOPNOTSUPP ||
		      ret == -ENOMEM);
		if (!ret) {
			CHECK(kf.parts.n != NULL);
			awd_key_free(&kf);
		}
	}
	unlink(path);
}

int main(void)
{
	fuzz_gzip();
	fuzz_unpad();
	fuzz_keys();
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
