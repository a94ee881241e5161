// SPDX-License-Identifier: MIT
/*
 * awd-prov-bench: RSA sign and verify operations per second through
 * OpenSSL 3 providers, the "openssl speed rsaN" of a provider (OpenSSL
 * 3.0's speed command calls the low-level RSA_sign()/RSA_verify(), which
 * never reach a provider).
 *
 * usage: awd-prov-bench [-P DIR] [-p PROV,...] [-b BITS] [-t SECONDS]
 *   -P DIR   where awd.so is (OSSL_PROVIDER_set_default_search_path)
 *   -p LIST  providers to measure, by name (default: awd,default)
 *   -b BITS  key size (2048)
 *   -t SECS  time per case (1)
 * Output: one line per provider and operation, as openssl speed's
 * "rsa 2048 bits ... sign/s verify/s" summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run(EVP_PKEY *pkey, const char *prov, int verify, double secs,
		  unsigned char *sig, size_t *siglen)
{
	unsigned char md[32];
	char propq[64];
	double t0, t;
	long n = 0;

	memset(md, 0x5a, sizeof(md));
	snprintf(propq, sizeof(propq), "provider=%s", prov);
	t0 = now();
	do {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, propq);
		size_t len = *siglen;
		int ok;

		if (!c)
			return -1;
		if (verify)
			ok = EVP_PKEY_verify_init(c) > 0 &&
			     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
			     EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0 &&
			     EVP_PKEY_verify(c, sig, *siglen, md, sizeof(md)) == 1;
		else
			ok = EVP_PKEY_sign_init(c) > 0 &&
			     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
			     EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0 &&
			     EVP_PKEY_sign(c, sig, &len, md, sizeof(md)) > 0;
		EVP_PKEY_CTX_free(c);
		if (!ok)
			return -1;
		if (!verify)
			*siglen = len;
		n++;
		t = now() - t0;
	} while (t < secs);
	return n / t;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	char *list = NULL, *save, *name;
	double secs = 1.0;
	int bits = 2048, opt, ret = 0;
	EVP_PKEY *pkey;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);

	while ((opt = getopt(argc, argv, "P:p:b:t:")) != -1) {
		switch (opt) {
		case 'P': dir = optarg; break;
		case 'p': list = optarg; break;
		case 'b': bits = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-P DIR] [-p PROV,...] [-b BITS] [-t SECONDS]\n",
				argv[0]);
			return 2;
		}
	}
	list = strdup(list ? list : "awd,default");
	if (dir && !OSSL_PROVIDER_set_default_search_path(NULL, dir))
		goto err;
	if (!OSSL_PROVIDER_load(NULL, "default"))
		goto err;
	pkey = EVP_PKEY_Q_keygen(NULL, "provider=default", "RSA", (size_t)bits);
	if (!pkey)
		goto err;
	for (name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		double s, v;

		if (!OSSL_PROVIDER_load(NULL, name))
			goto err;
		siglen = sizeof(sig);
		s = run(pkey, name, 0, secs, sig, &siglen);
		v = s < 0 ? -1 : run(pkey, name, 1, secs, sig, &siglen);
		if (s < 0 || v < 0)
			goto err;
		printf("rsa %d bits provider=%s sign/s %.1f verify/s %.1f\n",
		       bits, name, s, v);
	}
	EVP_PKEY_free(pkey);
	free(list);
	return ret;
err:
	ERR_print_errors_fp(stderr);
	free(list);
	return 1;
}
