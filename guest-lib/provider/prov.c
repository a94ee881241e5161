// SPDX-License-Identifier: MIT
/*
 * awd provider: entry point, the device (one libaccelwd context for the
 * process, behind a lock), keys on the device, counters.
 */
#include "awd_prov.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <accelwd.h>

/* ---- counters ---------------------------------------------------------- */

static unsigned long dev_priv, dev_pub, fb[AWD_FB_NR];
static const char *const fb_name[AWD_FB_NR] = {
	[AWD_FB_NODEV] = "sw.nodev",
	[AWD_FB_KEY] = "sw.key",
	[AWD_FB_UNSUPP] = "sw.unsupported",
	[AWD_FB_DEVERR] = "sw.deverr",
	[AWD_FB_BADRESULT] = "sw.badresult",
	[AWD_FB_INPUT] = "sw.input",
};

void awd_count_fb(enum awd_fb why)
{
	__atomic_fetch_add(&fb[why], 1, __ATOMIC_RELAXED);
}

/* At teardown; also at exit or unload for programs that never unload us. */
__attribute__((destructor)) static void print_stats(void)
{
	static int done;
	const char *s = getenv("AWD_PROV_STATS");

	if (!s || !*s || !strcmp(s, "0") || __atomic_exchange_n(&done, 1, __ATOMIC_RELAXED))
		return;
	fprintf(stderr, "awd: dev.private=%lu dev.public=%lu", dev_priv, dev_pub);
	for (int i = 1; i < AWD_FB_NR; i++)
		fprintf(stderr, " %s=%lu", fb_name[i], fb[i]);
	fputc('\n', stderr);
}

/* ---- the device -------------------------------------------------------- */

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct awd_ctx *dev;
static int dev_state;           /* 0 not tried, 1 open, -1 none */
static unsigned int dev_keys;   /* keys made on dev */
static pid_t dev_pid;           /* the process that opened dev */
static unsigned int dev_gen;    /* bumped when a fork child drops dev */

/* Under dev_lock. */
static int dev_open(void)
{
	struct awd_caps caps;
	int ret;

	/*
	 * After fork() the parent's context is not ours (libaccelwd refuses
	 * it with -EPERM): forget it and its keys (their memory is the
	 * parent's copy; it is left alone) and open a queue of our own.
	 */
	if (dev_state && dev_pid != getpid()) {
		dev = NULL;
		dev_state = 0;
		dev_keys = 0;
		dev_gen++;
	}
	if (dev_state)
		return dev_state > 0;
	dev_pid = getpid();
	dev_state = -1;
	if (getenv("AWD_PROV_NODEV"))
		return 0;
	ret = awd_ctx_open(&dev, NULL, 0);
	if (ret)
		return 0;
	if (awd_ctx_caps(dev, &caps) || !caps.rsa_max_bits) {
		awd_ctx_close(&dev);
		return 0;
	}
	dev_state = 1;
	return 1;
}

/* Big-endian bytes of a key parameter; NULL when absent. */
static unsigned char *key_bin(EVP_PKEY *pkey, const char *name, size_t *len)
{
	BIGNUM *bn = NULL;
	unsigned char *b;

	*len = 0;
	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return NULL;
	*len = (size_t)BN_num_bytes(bn);
	b = OPENSSL_malloc(*len ? *len : 1);
	if (b)
		BN_bn2bin(bn, b);
	BN_clear_free(bn);
	return b;
}

/* Under dev_lock, device open. */
static int dev_key(struct awd_key *key)
{
	static const char *const names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	unsigned char *v[8] = { 0 };
	size_t l[8] = { 0 };
	struct awd_rsa_key_parts kp;
	BIGNUM *f3 = NULL;
	int ret, n = key->has_priv ? 8 : 2;

	if (key->dkey && key->dev_gen != dev_gen)
		key->dkey = NULL;       /* made before fork(): the parent's */
	if (key->dkey)
		return 1;
	if (key->dev_refused)
		return 0;
	/* Multi-prime keys: the device's CRT form has two primes; use d. */
	if (key->has_priv &&
	    EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_FACTOR3, &f3)) {
		BN_free(f3);
		n = 3;
	}
	for (int i = 0; i < n; i++)
		v[i] = key_bin(key->pkey, names[i], &l[i]);
	kp = (struct awd_rsa_key_parts){
		.n = v[0], .n_len = l[0], .e = v[1], .e_len = l[1],
		.d = v[2], .d_len = l[2], .p = v[3], .p_len = l[3],
		.q = v[4], .q_len = l[4], .dp = v[5], .dp_len = l[5],
		.dq = v[6], .dq_len = l[6], .qinv = v[7], .qinv_len = l[7],
	};
	ret = awd_rsa_key_new(dev, &kp, &key->dkey);
	for (int i = 0; i < 8; i++)
		OPENSSL_clear_free(v[i], l[i]);
	if (ret || awd_rsa_key_size(key->dkey) != key->k) {
		awd_rsa_key_free(&key->dkey);
		key->dev_refused = 1;
		return 0;
	}
	key->dev_gen = dev_gen;
	dev_keys++;
	return 1;
}

/* The device's private result y must give y^e mod n == x (a fault check). */
static int check_private(struct awd_key *key, const unsigned char *x,
			 const unsigned char *y)
{
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *by, *r, *bx;
	int ok = 0;

	if (!bc)
		return 0;
	BN_CTX_start(bc);
	by = BN_CTX_get(bc);
	r = BN_CTX_get(bc);
	bx = BN_CTX_get(bc);
	if (bx && BN_bin2bn(y, (int)key->k, by) && BN_bin2bn(x, (int)key->k, bx) &&
	    BN_mod_exp(r, by, key->e, key->n, bc))
		ok = !BN_cmp(r, bx);
	BN_CTX_end(bc);
	BN_CTX_free(bc);
	return ok;
}

int awd_dev_rsa(struct awd_key *key, int priv, const unsigned char *in,
		unsigned char *out)
{
	int ret;

	if (priv && !key->has_priv)
		return AWD_FB_KEY;
	pthread_mutex_lock(&dev_lock);
	if (!dev_open()) {
		pthread_mutex_unlock(&dev_lock);
		return AWD_FB_NODEV;
	}
	if (!dev_key(key)) {
		pthread_mutex_unlock(&dev_lock);
		return AWD_FB_KEY;
	}
	if (priv)
		ret = awd_rsa_private(dev, key->dkey, in, out, key->k);
	else
		ret = awd_rsa_public(dev, key->dkey, in, out, key->k);
	if (ret == -EIO)        /* queue stopped in error: restart for next time */
		awd_ctx_reset(dev);
	pthread_mutex_unlock(&dev_lock);
	if (ret == -ERANGE)     /* input >= n: the default provider's error */
		return AWD_FB_INPUT;
	if (ret)
		return AWD_FB_DEVERR;
	if (priv && !check_private(key, in, out))
		return AWD_FB_BADRESULT;
	__atomic_fetch_add(priv ? &dev_priv : &dev_pub, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- keys -------------------------------------------------------------- */

struct awd_key *awd_key_new(struct awd_prov *prov)
{
	struct awd_key *key = OPENSSL_zalloc(sizeof(*key));

	if (key) {
		key->prov = prov;
		key->refs = 1;
	}
	return key;
}

void awd_key_get(struct awd_key *key)
{
	__atomic_fetch_add(&key->refs, 1, __ATOMIC_RELAXED);
}

static void key_clear(struct awd_key *key)
{
	if (key->dkey) {
		pthread_mutex_lock(&dev_lock);
		if (key->dev_gen == dev_gen && dev_pid == getpid()) {
			awd_rsa_key_free(&key->dkey);
			dev_keys--;
		}
		key->dkey = NULL;
		pthread_mutex_unlock(&dev_lock);
	}
	key->dev_refused = 0;
	EVP_PKEY_free(key->pkey);
	RSA_free(key->pub);
	key->pkey = NULL;
	key->pub = NULL;
	key->n = key->e = NULL;
	key->has_priv = 0;
	key->k = 0;
}

void awd_key_put(struct awd_key *key)
{
	if (!key || __atomic_sub_fetch(&key->refs, 1, __ATOMIC_ACQ_REL))
		return;
	key_clear(key);
	OPENSSL_free(key);
}

/* Take @pkey (a default-provider RSA key) into @key. */
int awd_key_set_pkey(struct awd_key *key, EVP_PKEY *pkey)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL;

	key_clear(key);
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		goto err;
	key->pub = RSA_new();
	if (!key->pub || !RSA_set0_key(key->pub, n, e, NULL))
		goto err;
	key->n = n;
	key->e = e;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d)) {
		key->has_priv = 1;
		BN_clear_free(d);
	}
	key->k = (size_t)BN_num_bytes(n);
	key->pkey = pkey;
	return 1;
err:
	if (!key->pub || !key->n) {
		BN_free(n);
		BN_free(e);
	}
	RSA_free(key->pub);
	key->pub = NULL;
	key->n = key->e = NULL;
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

int awd_sw_get_int(EVP_PKEY_CTX *sw, const char *name, int *v)
{
	OSSL_PARAM p[2] = { OSSL_PARAM_int(name, v), OSSL_PARAM_END };
	int ok;

	ERR_set_mark();
	ok = EVP_PKEY_CTX_get_params(sw, p) && OSSL_PARAM_modified(p);
	ERR_pop_to_mark();
	return ok;
}

void awd_sw_get_str(EVP_PKEY_CTX *sw, const char *name, char *buf, size_t len)
{
	OSSL_PARAM p[2] = { OSSL_PARAM_utf8_string(name, buf, len),
			    OSSL_PARAM_END };

	buf[0] = '\0';
	ERR_set_mark();
	if (!EVP_PKEY_CTX_get_params(sw, p) || !OSSL_PARAM_modified(p))
		buf[0] = '\0';
	ERR_pop_to_mark();
	buf[len - 1] = '\0';
}

EVP_MD *awd_fetch_md(struct awd_prov *prov, const char *name)
{
	EVP_MD *md;

	ERR_set_mark();
	md = EVP_MD_fetch(prov->libctx, name, NULL);
	ERR_pop_to_mark();
	return md;
}

/* ---- the provider ------------------------------------------------------ */

#define AWD_RSA_NAMES "RSA:rsaEncryption:1.2.840.113549.1.1.1"

static const OSSL_ALGORITHM awd_keymgmt[] = {
	{ AWD_RSA_NAMES, "provider=awd", awd_rsa_keymgmt_functions,
	  "awd RSA keys (held by the default provider)" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM awd_signature[] = {
	{ AWD_RSA_NAMES, "provider=awd", awd_rsa_signature_functions,
	  "RSA signatures on the accel-wd device" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM awd_asym_cipher[] = {
	{ AWD_RSA_NAMES, "provider=awd", awd_rsa_asym_cipher_functions,
	  "RSA encryption on the accel-wd device" },
	{ NULL, NULL, NULL, NULL }
};

static const OSSL_ALGORITHM *awd_query(void *provctx, int op, int *no_cache)
{
	*no_cache = 0;
	switch (op) {
	case OSSL_OP_KEYMGMT:
		return awd_keymgmt;
	case OSSL_OP_SIGNATURE:
		return awd_signature;
	case OSSL_OP_ASYM_CIPHER:
		return awd_asym_cipher;
	}
	return NULL;
}

/* Provider parameters: identity, and the counters by their names above. */
static const OSSL_PARAM *awd_gettable_params(void *provctx)
{
	static const OSSL_PARAM p[] = {
		OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
		OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
		OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
		OSSL_PARAM_ulong("dev.private", NULL),
		OSSL_PARAM_ulong("dev.public", NULL),
		OSSL_PARAM_ulong("sw.nodev", NULL),
		OSSL_PARAM_ulong("sw.key", NULL),
		OSSL_PARAM_ulong("sw.unsupported", NULL),
		OSSL_PARAM_ulong("sw.deverr", NULL),
		OSSL_PARAM_ulong("sw.badresult", NULL),
		OSSL_PARAM_ulong("sw.input", NULL),
		OSSL_PARAM_END
	};
	return p;
}

static int awd_get_params(void *provctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p;

	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, "accel-wd RSA provider"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
	if (p && !OSSL_PARAM_set_utf8_ptr(p, awd_version()))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
	if (p && !OSSL_PARAM_set_int(p, 1))
		return 0;
	p = OSSL_PARAM_locate(params, "dev.private");
	if (p && !OSSL_PARAM_set_ulong(p, __atomic_load_n(&dev_priv, __ATOMIC_RELAXED)))
		return 0;
	p = OSSL_PARAM_locate(params, "dev.public");
	if (p && !OSSL_PARAM_set_ulong(p, __atomic_load_n(&dev_pub, __ATOMIC_RELAXED)))
		return 0;
	for (int i = 1; i < AWD_FB_NR; i++) {
		p = OSSL_PARAM_locate(params, fb_name[i]);
		if (p && !OSSL_PARAM_set_ulong(p, __atomic_load_n(&fb[i], __ATOMIC_RELAXED)))
			return 0;
	}
	return 1;
}

static void awd_teardown(void *provctx)
{
	struct awd_prov *prov = provctx;

	print_stats();
	pthread_mutex_lock(&dev_lock);
	if (dev_state > 0 && !dev_keys && dev_pid == getpid())
		awd_ctx_close(&dev);
	if (!dev)
		dev_state = 0;
	pthread_mutex_unlock(&dev_lock);
	EVP_KEYMGMT_free(prov->rsa_km);
	OSSL_PROVIDER_unload(prov->deflt);
	OSSL_LIB_CTX_free(prov->libctx);
	OPENSSL_free(prov);
}

static const OSSL_DISPATCH awd_dispatch[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))awd_teardown },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))awd_query },
	{ OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))awd_gettable_params },
	{ OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))awd_get_params },
	{ 0, NULL }
};

__attribute__((visibility("default")))
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
		       const OSSL_DISPATCH **out, void **provctx)
{
	struct awd_prov *prov = OPENSSL_zalloc(sizeof(*prov));

	if (!prov)
		return 0;
	prov->handle = handle;
	/*
	 * Software RSA, keys and parameters come from the default provider in
	 * a library context of our own: whatever the application loaded, a
	 * fallback can never land back in this provider.
	 */
	prov->libctx = OSSL_LIB_CTX_new();
	if (!prov->libctx)
		goto err;
	prov->deflt = OSSL_PROVIDER_load(prov->libctx, "default");
	if (!prov->deflt)
		goto err;
	prov->rsa_km = EVP_KEYMGMT_fetch(prov->libctx, "RSA", NULL);
	if (!prov->rsa_km)
		goto err;
	*out = awd_dispatch;
	*provctx = prov;
	return 1;
err:
	OSSL_PROVIDER_unload(prov->deflt);
	OSSL_LIB_CTX_free(prov->libctx);
	OPENSSL_free(prov);
	return 0;
}
