// SPDX-License-Identifier: MIT
/*
 * awd-prov-test: the awd provider, built into this program
 * (OSSL_PROVIDER_add_builtin), against the default provider on keys made
 * here: PKCS #1 v1.5 signatures byte for byte, PSS and OAEP crossed both
 * ways, corrupted signatures and ciphertexts refused by both, and the
 * provider's counters (provider parameters "dev.private", "sw.nodev", ...)
 * showing that the device did every exponentiation. Built twice: with the
 * host mock device (unit suite) and static for the guest, where it runs
 * on the real device (tests/guest/awd-prov.sh): the guest has no openssl
 * command and no shared libcrypto, so the provider cannot be loaded from
 * awd.so there.
 * usage: awd-prov-test [BITS...]   (default 1024 2048)
 *        awd-prov-test -b SECONDS [BITS]
 *                                  PKCS #1 v1.5 SHA-256 sign and verify
 *                                  per second through each provider
 *                                  (wall clock), as awd-prov-bench
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		       const OSSL_DISPATCH **out, void **provctx);

static OSSL_PROVIDER *awd, *deflt;
static int n, fails;

static void result(int ok, const char *fmt, int bits, const char *what)
{
	n++;
	printf("%sok %d - %d: %s%s\n", ok ? "" : "not ", n, bits, what, fmt);
	if (!ok) {
		fails++;
		ERR_print_errors_fp(stdout);
	}
	ERR_clear_error();
}

static unsigned long counter(const char *name)
{
	unsigned long v = 0;
	OSSL_PARAM p[2] = { OSSL_PARAM_ulong(name, &v), OSSL_PARAM_END };

	OSSL_PROVIDER_get_params(awd, p);
	return v;
}

enum { SIGN, VERIFY, ENC, DEC };

/* One operation through provider @prov ("awd" or "default"). */
static int op(EVP_PKEY *k, const char *prov, int what, const char *pad,
	      const char *md, const unsigned char *in, size_t inlen,
	      unsigned char *out, size_t *outlen)
{
	char propq[32];
	OSSL_PARAM p[3];
	EVP_PKEY_CTX *c;
	int i = 0, r = 0;

	snprintf(propq, sizeof(propq), "provider=%s", prov);
	c = EVP_PKEY_CTX_new_from_pkey(NULL, k, propq);
	if (!c)
		return 0;
	p[i++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
						  (char *)pad, 0);
	if (md)
		p[i++] = OSSL_PARAM_construct_utf8_string(
			what <= VERIFY ? OSSL_SIGNATURE_PARAM_DIGEST :
			OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, (char *)md, 0);
	p[i] = OSSL_PARAM_construct_end();
	switch (what) {
	case SIGN:
		r = EVP_PKEY_sign_init_ex(c, p) > 0 &&
		    EVP_PKEY_sign(c, out, outlen, in, inlen) > 0;
		break;
	case VERIFY:
		r = EVP_PKEY_verify_init_ex(c, p) > 0 &&
		    EVP_PKEY_verify(c, out, *outlen, in, inlen) == 1;
		break;
	case ENC:
		r = EVP_PKEY_encrypt_init_ex(c, p) > 0 &&
		    EVP_PKEY_encrypt(c, out, outlen, in, inlen) > 0;
		break;
	case DEC:
		r = EVP_PKEY_decrypt_init_ex(c, p) > 0 &&
		    EVP_PKEY_decrypt(c, out, outlen, in, inlen) > 0;
		break;
	}
	EVP_PKEY_CTX_free(c);
	return r;
}

static int digest_sign(EVP_PKEY *k, const char *prov, const unsigned char *m,
		       size_t mlen, unsigned char *sig, size_t *siglen)
{
	char propq[32];
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	int r;

	snprintf(propq, sizeof(propq), "provider=%s", prov);
	r = mc && EVP_DigestSignInit_ex(mc, NULL, "SHA256", NULL, propq, k,
					NULL) > 0 &&
	    EVP_DigestSign(mc, sig, siglen, m, mlen) > 0;
	EVP_MD_CTX_free(mc);
	return r;
}

static void test_key(int bits)
{
	static const unsigned char msg[] = "the message to sign and encrypt";
	unsigned char dg[32], s1[512], s2[512], c[512], m[512];
	size_t l1, l2, lc, lm;
	unsigned long priv0 = counter("dev.private"), pub0 = counter("dev.public");
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, "provider=default", "RSA",
					(size_t)bits);

	if (!k) {
		result(0, "", bits, "key generation");
		return;
	}
	memset(dg, 0xa5, sizeof(dg));
	dg[0] = (unsigned char)bits;

	l1 = l2 = sizeof(s1);
	result(op(k, "awd", SIGN, "pkcs1", "SHA256", dg, 32, s1, &l1) &&
	       op(k, "default", SIGN, "pkcs1", "SHA256", dg, 32, s2, &l2) &&
	       l1 == l2 && !memcmp(s1, s2, l1), "", bits,
	       "PKCS#1 v1.5 SHA-256 signature equals the default provider's");
	result(op(k, "awd", VERIFY, "pkcs1", "SHA256", dg, 32, s2, &l2), "",
	       bits, "PKCS#1 v1.5 verify of the default provider's signature");
	s2[l2 / 2] ^= 1;
	result(!op(k, "awd", VERIFY, "pkcs1", "SHA256", dg, 32, s2, &l2) &&
	       !op(k, "default", VERIFY, "pkcs1", "SHA256", dg, 32, s2, &l2),
	       "", bits, "corrupted signature refused by both");
	l1 = l2 = sizeof(s1);
	result(digest_sign(k, "awd", msg, sizeof(msg), s1, &l1) &&
	       digest_sign(k, "default", msg, sizeof(msg), s2, &l2) &&
	       l1 == l2 && !memcmp(s1, s2, l1), "", bits,
	       "EVP_DigestSign SHA-256 equals the default provider's");

	l1 = l2 = sizeof(s1);
	result(op(k, "awd", SIGN, "pss", "SHA256", dg, 32, s1, &l1) &&
	       op(k, "default", VERIFY, "pss", "SHA256", dg, 32, s1, &l1) &&
	       op(k, "default", SIGN, "pss", "SHA256", dg, 32, s2, &l2) &&
	       op(k, "awd", VERIFY, "pss", "SHA256", dg, 32, s2, &l2), "", bits,
	       "PSS: awd signs, default verifies, and back");
	s2[3] ^= 0x10;
	result(!op(k, "awd", VERIFY, "pss", "SHA256", dg, 32, s2, &l2) &&
	       !op(k, "default", VERIFY, "pss", "SHA256", dg, 32, s2, &l2),
	       "", bits, "corrupted PSS signature refused by both");

	for (int i = 0; i < 3; i++) {
		const char *pad = i ? "oaep" : "pkcs1";
		const char *md = i == 2 ? "SHA256" : NULL;
		const char *name[3] = { "PKCS#1 v1.5 encryption",
					"OAEP (SHA-1)", "OAEP (SHA-256)" };
		int ok;

		lc = sizeof(c);
		lm = sizeof(m);
		ok = op(k, "awd", ENC, pad, md, msg, sizeof(msg), c, &lc) &&
		     op(k, "default", DEC, pad, md, c, lc, m, &lm) &&
		     lm == sizeof(msg) && !memcmp(m, msg, lm);
		lc = sizeof(c);
		lm = sizeof(m);
		ok = ok &&
		     op(k, "default", ENC, pad, md, msg, sizeof(msg), c, &lc) &&
		     op(k, "awd", DEC, pad, md, c, lc, m, &lm) &&
		     lm == sizeof(msg) && !memcmp(m, msg, lm);
		result(ok, ": both ways", bits, name[i]);
		c[lc / 3] ^= 4;
		lm = sizeof(m);
		ok = !op(k, "awd", DEC, pad, md, c, lc, m, &lm);
		lm = sizeof(m);
		ok = ok && !op(k, "default", DEC, pad, md, c, lc, m, &lm);
		result(ok, ": corrupted ciphertext refused by both", bits, name[i]);
	}
	/* awd: 2 signs, 1 PSS sign, 3 decryptions x 2 (good, corrupted) */
	result(counter("dev.private") - priv0 == 9, "", bits,
	       "the device did all 9 private operations");
	/* awd: 2 PKCS#1 and 2 PSS verifies, 3 encryptions */
	result(counter("dev.public") - pub0 == 7, "", bits,
	       "the device did all 7 public operations");
	EVP_PKEY_free(k);
}

/* Threads signing on one key at once: results equal the default's. */
struct thr {
	EVP_PKEY *k;
	const unsigned char *want;
	size_t wantlen;
	int bad;
};

static void *thr_sign(void *arg)
{
	struct thr *t = arg;
	unsigned char dg[32], sig[512];
	size_t len;

	memset(dg, 0x3c, sizeof(dg));
	for (int i = 0; i < 10; i++) {
		len = sizeof(sig);
		if (!op(t->k, "awd", SIGN, "pkcs1", "SHA256", dg, sizeof(dg),
			sig, &len) || len != t->wantlen ||
		    memcmp(sig, t->want, len))
			t->bad++;
	}
	return NULL;
}

static void test_threads(int bits)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, "provider=default", "RSA",
					(size_t)bits);
	unsigned char dg[32], want[512];
	size_t wantlen = sizeof(want);
	unsigned long priv0 = counter("dev.private");
	struct thr t[4];
	pthread_t tid[4];
	int bad = 0;

	memset(dg, 0x3c, sizeof(dg));
	if (!k || !op(k, "default", SIGN, "pkcs1", "SHA256", dg, sizeof(dg),
		      want, &wantlen)) {
		result(0, "", bits, "4 threads: set-up");
		EVP_PKEY_free(k);
		return;
	}
	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ .k = k, .want = want, .wantlen = wantlen };
		if (pthread_create(&tid[i], NULL, thr_sign, &t[i]))
			t[i].bad = -1000;
	}
	for (int i = 0; i < 4; i++) {
		if (t[i].bad != -1000)
			pthread_join(tid[i], NULL);
		bad += t[i].bad;
	}
	result(!bad && counter("dev.private") - priv0 == 40, "", bits,
	       "4 threads x 10 signatures on one key: all equal the default's, all on the device");
	EVP_PKEY_free(k);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench(double secs, int bits)
{
	static const char *const provs[] = { "awd", "default" };
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, "provider=default", "RSA",
					(size_t)bits);
	unsigned char dg[32] = { 1 }, sig[512];
	size_t len = sizeof(sig);

	if (!k)
		return 1;
	for (int i = 0; i < 2; i++) {
		double rate[2];

		for (int what = SIGN; what <= VERIFY; what++) {
			double t0 = now(), t;
			long ops = 0;

			do {
				if (what == SIGN)
					len = sizeof(sig);
				if (!op(k, provs[i], what, "pkcs1", "SHA256", dg,
					sizeof(dg), sig, &len)) {
					ERR_print_errors_fp(stdout);
					return 1;
				}
				ops++;
				t = now() - t0;
			} while (t < secs);
			rate[what] = ops / t;
		}
		printf("rsa %d bits provider=%s sign/s %.1f verify/s %.1f\n",
		       bits, provs[i], rate[SIGN], rate[VERIFY]);
	}
	EVP_PKEY_free(k);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const fb[] = { "sw.nodev", "sw.key",
		"sw.unsupported", "sw.deverr", "sw.badresult", "sw.input" };
	int sizes[8] = { 1024, 2048 }, nsizes = 2;
	unsigned long sw = 0;

	double secs = 0;

	if (argc > 2 && !strcmp(argv[1], "-b")) {
		secs = atof(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = atoi(argv[i]);
	}
	if (!OSSL_PROVIDER_add_builtin(NULL, "awd", OSSL_provider_init) ||
	    !(awd = OSSL_PROVIDER_load(NULL, "awd")) ||
	    !(deflt = OSSL_PROVIDER_load(NULL, "default"))) {
		ERR_print_errors_fp(stdout);
		printf("Bail out! providers\n");
		return 1;
	}
	if (secs > 0) {
		int r = bench(secs, argc > 1 ? sizes[0] : 2048);

		printf("# awd: dev.private=%lu dev.public=%lu\n",
		       counter("dev.private"), counter("dev.public"));
		return r;
	}
	for (int i = 0; i < nsizes; i++)
		test_key(sizes[i]);
	test_threads(sizes[0]);
	printf("# awd: dev.private=%lu dev.public=%lu", counter("dev.private"),
	       counter("dev.public"));
	for (size_t i = 0; i < sizeof(fb) / sizeof(fb[0]); i++) {
		printf(" %s=%lu", fb[i], counter(fb[i]));
		sw += counter(fb[i]);
	}
	printf("\n");
	n++;
	printf("%sok %d - no operation fell back to software\n", sw ? "not " : "", n);
	fails += sw != 0;
	printf("1..%d\n", n);
	OSSL_PROVIDER_unload(awd);
	OSSL_PROVIDER_unload(deflt);
	return fails != 0;
}
