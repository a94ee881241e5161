// SPDX-License-Identifier: MIT
/*
 * Host unit test of libaccelwd's PKCS #1 helpers against OpenSSL's
 * libcrypto, no device: the raw RSA operation is OpenSSL's
 * (RSA_NO_PADDING), the padding on one side is ours and on the other
 * OpenSSL's, in both directions, for v1.5 encryption and signatures,
 * OAEP and PSS with SHA-1 and SHA-256; tampered blocks are rejected;
 * SHA-1/SHA-256 agree with OpenSSL on every length 0..300.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "accelwd.h"

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

static const EVP_MD *md_of(enum awd_hash h)
{
	return h == AWD_HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/* OpenSSL operation with a given padding; returns output length or -1. */
static long ossl(EVP_PKEY *pk, int op, int pad, enum awd_hash h,
		 const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	size_t olen = cap;
	int ok;

	if (!c)
		return -1;
	switch (op) {
	case 'e':
		ok = EVP_PKEY_encrypt_init(c) > 0;
		break;
	case 'd':
		ok = EVP_PKEY_decrypt_init(c) > 0;
		break;
	case 's':
		ok = EVP_PKEY_sign_init(c) > 0;
		break;
	default:
		ok = EVP_PKEY_verify_init(c) > 0;
		break;
	}
	ok = ok && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0;
	if (ok && pad == RSA_PKCS1_OAEP_PADDING)
		ok = EVP_PKEY_CTX_set_rsa_oaep_md(c, md_of(h)) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(h)) > 0;
	if (ok && (op == 's' || op == 'v'))
		ok = EVP_PKEY_CTX_set_signature_md(c, md_of(h)) > 0;
	if (ok && pad == RSA_PKCS1_PSS_PADDING)
		ok = EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(h)) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(c, op == 'v' ?
			RSA_PSS_SALTLEN_AUTO : RSA_PSS_SALTLEN_DIGEST) > 0;
	switch (op) {
	case 'e':
		ok = ok && EVP_PKEY_encrypt(c, out, &olen, in, n) > 0;
		break;
	case 'd':
		ok = ok && EVP_PKEY_decrypt(c, out, &olen, in, n) > 0;
		break;
	case 's':
		ok = ok && EVP_PKEY_sign(c, out, &olen, in, n) > 0;
		break;
	default:    /* verify: out/cap is the signature */
		ok = ok && EVP_PKEY_verify(c, out, cap, in, n) > 0;
		olen = 0;
		break;
	}
	EVP_PKEY_CTX_free(c);
	return ok ? (long)olen : -1;
}

static void test_key(unsigned int bits)
{
	static const enum awd_hash hashes[] = { AWD_HASH_SHA1, AWD_HASH_SHA256 };
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	size_t k = (bits + 7) / 8, mlen;
	uint8_t em[512], ct[512], pt[512], msg[512], dg[32];
	long n;

	CHECK(pk != NULL);
	if (!pk)
		return;
	for (int i = 0; i < 20; i++) {
		size_t len = (size_t)(rand() % (int)(k - 11));

		for (size_t j = 0; j < len; j++)
			msg[j] = (uint8_t)rand();
		/* ours pads, OpenSSL raw-encrypts and PKCS1-decrypts */
		CHECK(awd_pkcs1_v15_pad(msg, len, em, k) == 0);
		CHECK(em[0] == 0 && em[1] == 2);
		CHECK(ossl(pk, 'e', RSA_NO_PADDING, 0, em, k, ct, k) == (long)k);
		n = ossl(pk, 'd', RSA_PKCS1_PADDING, 0, ct, k, pt, k);
		CHECK(n == (long)len && !memcmp(pt, msg, len));
		/* OpenSSL pads, ours unpads */
		CHECK(ossl(pk, 'e', RSA_PKCS1_PADDING, 0, msg, len, ct, k) ==
		      (long)k);
		CHECK(ossl(pk, 'd', RSA_NO_PADDING, 0, ct, k, em, k) == (long)k);
		mlen = sizeof(pt);
		CHECK(awd_pkcs1_v15_unpad(em, k, pt, &mlen) == 0);
		CHECK(mlen == len && !memcmp(pt, msg, len));
		em[1] ^= 0x10;
		mlen = sizeof(pt);
		CHECK(awd_pkcs1_v15_unpad(em, k, pt, &mlen) == -EBADMSG);
	}
	for (size_t hi = 0; hi < 2; hi++) {
		enum awd_hash h = hashes[hi];
		size_t hlen = awd_hash_size(h);

		for (int i = 0; i < 10; i++) {
			size_t len = (size_t)(rand() % (int)(k - 2 * hlen - 1));

			for (size_t j = 0; j < len; j++)
				msg[j] = (uint8_t)rand();
			/* OAEP both ways */
			CHECK(awd_oaep_pad(h, msg, len, em, k) == 0);
			CHECK(ossl(pk, 'e', RSA_NO_PADDING, 0, em, k, ct, k) ==
			      (long)k);
			n = ossl(pk, 'd', RSA_PKCS1_OAEP_PADDING, h, ct, k, pt, k);
			CHECK(n == (long)len && !memcmp(pt, msg, len));
			CHECK(ossl(pk, 'e', RSA_PKCS1_OAEP_PADDING, h, msg, len,
				   ct, k) == (long)k);
			CHECK(ossl(pk, 'd', RSA_NO_PADDING, 0, ct, k, em, k) ==
			      (long)k);
			mlen = sizeof(pt);
			CHECK(awd_oaep_unpad(h, em, k, pt, &mlen) == 0);
			CHECK(mlen == len && !memcmp(pt, msg, len));
			em[k - 1] ^= 1;
			mlen = sizeof(pt);
			CHECK(awd_oaep_unpad(h, em, k, pt, &mlen) == -EBADMSG);

			/* v1.5 signature: our encoding is OpenSSL's */
			awd_hash(h, msg, len, dg);
			CHECK(awd_pkcs1_v15_sign_pad(h, dg, em, k) == 0);
			CHECK(ossl(pk, 'd', RSA_NO_PADDING, 0, em, k, ct, k) ==
			      (long)k);
			n = ossl(pk, 's', RSA_PKCS1_PADDING, h, dg, hlen, pt, k);
			CHECK(n == (long)k && !memcmp(pt, ct, k));
			CHECK(ossl(pk, 'e', RSA_NO_PADDING, 0, pt, k, em, k) ==
			      (long)k);
			CHECK(awd_pkcs1_v15_sign_check(h, dg, em, k) == 0);
			dg[0] ^= 1;
			CHECK(awd_pkcs1_v15_sign_check(h, dg, em, k) == -EBADMSG);
			dg[0] ^= 1;

			/* PSS both ways */
			CHECK(awd_pss_pad(h, dg, em, bits) == 0);
			CHECK(ossl(pk, 'd', RSA_NO_PADDING, 0, em, k, ct, k) ==
			      (long)k);
			CHECK(ossl(pk, 'v', RSA_PKCS1_PSS_PADDING, h, dg, hlen,
				   ct, k) == 0);
			n = ossl(pk, 's', RSA_PKCS1_PSS_PADDING, h, dg, hlen, pt,
				 k);
			CHECK(n == (long)k);
			CHECK(ossl(pk, 'e', RSA_NO_PADDING, 0, pt, k, em, k) ==
			      (long)k);
			CHECK(awd_pss_check(h, dg, em, bits) == 0);
			em[5] ^= 1;
			CHECK(awd_pss_check(h, dg, em, bits) == -EBADMSG);
		}
	}
	EVP_PKEY_free(pk);
}

static void test_hashes(void)
{
	uint8_t buf[300], a[32], b[32];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		CHECK(awd_hash(AWD_HASH_SHA1, buf, n, a) == 0);
		SHA1(buf, n, b);
		CHECK(!memcmp(a, b, 20));
		CHECK(awd_hash(AWD_HASH_SHA256, buf, n, a) == 0);
		SHA256(buf, n, b);
		CHECK(!memcmp(a, b, 32));
	}
}

int main(void)
{
	srand(1);
	test_hashes();
	test_key(1024);
	test_key(2048);
	/* odd modulus sizes: PSS with a leading zero byte (bits % 8 == 1) */
	test_key(1025);
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
