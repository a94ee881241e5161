/* SPDX-License-Identifier: MIT */
/*
 * awd_prov.h -- internals of the awd OpenSSL 3 provider (awd.so): RSA
 * sign/verify/encrypt/decrypt with the modular exponentiation on the
 * accel-wd device through libaccelwd, everything else (key management,
 * parameter handling, fallbacks) delegated to OpenSSL's default provider
 * in a library context of our own. See README.md.
 */
#ifndef AWD_PROV_H
#define AWD_PROV_H

/* RSA_padding_add_*() and friends are deprecated in 3.0, not removed. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

struct awd_rsa_key;

/* The provider context. */
struct awd_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_LIB_CTX *libctx;     /* private: holds the default provider only */
	OSSL_PROVIDER *deflt;
	EVP_KEYMGMT *rsa_km;      /* the default provider's RSA keymgmt */
};

/* Key data of our RSA keymgmt: a default-provider key plus device state. */
struct awd_key {
	struct awd_prov *prov;
	int refs;
	EVP_PKEY *pkey;           /* the key, in prov->libctx (default provider) */
	RSA *pub;                 /* n and e only: sizes for the padding helpers */
	BIGNUM *n, *e;            /* for the check of device results */
	int has_priv;
	size_t k;                 /* modulus bytes */
	/* device key, made on first use under the device lock */
	struct awd_rsa_key *dkey;
	unsigned int dev_gen;     /* device generation dkey was made in */
	int dev_refused;          /* the library or device refused the key */
};

/* Why an operation went to the default provider (counters). */
enum awd_fb {
	AWD_FB_NODEV = 1,         /* no device could be opened */
	AWD_FB_KEY,               /* key the device refuses (size, parts) */
	AWD_FB_UNSUPP,            /* padding, digest or option not done here */
	AWD_FB_DEVERR,            /* the device returned an error */
	AWD_FB_BADRESULT,         /* a device result failed the check */
	AWD_FB_INPUT,             /* input the default provider must judge */
	AWD_FB_NR
};

/* Result of a device attempt: done, failed for good, or fall back. */
#define AWD_DONE   (-1)
#define AWD_FAIL   (-2)

extern const OSSL_DISPATCH awd_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH awd_rsa_signature_functions[];
extern const OSSL_DISPATCH awd_rsa_asym_cipher_functions[];

struct awd_key *awd_key_new(struct awd_prov *prov);
void awd_key_get(struct awd_key *key);
void awd_key_put(struct awd_key *key);
int awd_key_set_pkey(struct awd_key *key, EVP_PKEY *pkey);

/*
 * out = in^d mod n (@priv) or in^e mod n on the device; @in and @out are
 * key->k bytes. Returns 0, or the enum awd_fb reason to fall back for.
 * Counts device operations; the caller counts the fallback with
 * awd_count_fb().
 */
int awd_dev_rsa(struct awd_key *key, int priv, const unsigned char *in,
		unsigned char *out);
void awd_count_fb(enum awd_fb why);

/* Read parameters back from the default provider's operation context. */
int awd_sw_get_int(EVP_PKEY_CTX *sw, const char *name, int *v);
void awd_sw_get_str(EVP_PKEY_CTX *sw, const char *name, char *buf,
		    size_t len);
EVP_MD *awd_fetch_md(struct awd_prov *prov, const char *name);

#endif /* AWD_PROV_H */
