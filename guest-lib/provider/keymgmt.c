// SPDX-License-Identifier: MIT
/*
 * awd RSA key management: every key is a default-provider EVP_PKEY in the
 * provider's own library context. Import and export go through
 * EVP_PKEY_fromdata()/EVP_PKEY_todata(), so a key the default provider
 * decoded (PEM, DER) reaches us as OSSL_PARAMs and is checked and held by
 * the default provider's code; generation, validation and parameters are
 * the default provider's too.
 */
#include "awd_prov.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#define SEL_KEYS (OSSL_KEYMGMT_SELECT_KEYPAIR)

static void *km_new(void *provctx)
{
	return awd_key_new(provctx);
}

static void km_free(void *keydata)
{
	awd_key_put(keydata);
}

static int km_has(const void *keydata, int selection)
{
	const struct awd_key *key = keydata;

	if (!key)
		return 0;
	if ((selection & SEL_KEYS) && !key->pkey)
		return 0;
	if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !key->has_priv)
		return 0;
	return 1;
}

static int km_import(void *keydata, int selection, const OSSL_PARAM params[])
{
	struct awd_key *key = keydata;
	EVP_PKEY_CTX *fctx;
	EVP_PKEY *pkey = NULL;
	int ok = 0;

	if (!key || !(selection & SEL_KEYS))
		return 0;
	fctx = EVP_PKEY_CTX_new_from_name(key->prov->libctx, "RSA", NULL);
	if (fctx && EVP_PKEY_fromdata_init(fctx) > 0 &&
	    EVP_PKEY_fromdata(fctx, &pkey, selection, (OSSL_PARAM *)params) > 0)
		ok = awd_key_set_pkey(key, pkey);
	if (!ok)
		EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(fctx);
	return ok;
}

static int km_export(void *keydata, int selection, OSSL_CALLBACK *cb,
		     void *cbarg)
{
	struct awd_key *key = keydata;
	OSSL_PARAM *params = NULL;
	int ok;

	if (!key || !key->pkey)
		return 0;
	if (!EVP_PKEY_todata(key->pkey, selection, &params))
		return 0;
	ok = cb(params, cbarg);
	OSSL_PARAM_free(params);
	return ok;
}

static const OSSL_PARAM km_types[] = {
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *km_types_fn(int selection)
{
	return (selection & SEL_KEYS) ? km_types : NULL;
}

static int km_get_params(void *keydata, OSSL_PARAM params[])
{
	struct awd_key *key = keydata;

	return key && key->pkey && EVP_PKEY_get_params(key->pkey, params);
}

static const OSSL_PARAM *km_gettable_params(void *provctx)
{
	struct awd_prov *prov = provctx;

	return EVP_KEYMGMT_gettable_params(prov->rsa_km);
}

static int km_match(const void *a, const void *b, int selection)
{
	const struct awd_key *ka = a, *kb = b;

	if (!ka->pkey || !kb->pkey)
		return 0;
	if (selection & SEL_KEYS)
		return EVP_PKEY_eq(ka->pkey, kb->pkey) == 1;
	return 1;
}

static int km_validate(const void *keydata, int selection, int checktype)
{
	const struct awd_key *key = keydata;
	EVP_PKEY_CTX *c;
	int ok;

	if (!key || !key->pkey)
		return 0;
	c = EVP_PKEY_CTX_new_from_pkey(key->prov->libctx, key->pkey, NULL);
	if (!c)
		return 0;
	if ((selection & SEL_KEYS) == SEL_KEYS)
		ok = EVP_PKEY_pairwise_check(c);
	else if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
		ok = EVP_PKEY_private_check(c);
	else if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
		ok = EVP_PKEY_public_check(c);
	else
		ok = 1;
	EVP_PKEY_CTX_free(c);
	return ok > 0;
}

static void *km_dup(const void *keydata, int selection)
{
	const struct awd_key *key = keydata;
	struct awd_key *nk;
	EVP_PKEY *pkey;

	if (!key || !key->pkey)
		return NULL;
	nk = awd_key_new(key->prov);
	pkey = EVP_PKEY_dup(key->pkey);
	if (!nk || !pkey || !awd_key_set_pkey(nk, pkey)) {
		EVP_PKEY_free(pkey);
		awd_key_put(nk);
		return NULL;
	}
	return nk;
}

/* ---- generation: the default provider's ---- */

struct km_gen {
	struct awd_prov *prov;
	EVP_PKEY_CTX *sw;
};

static void *km_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
	struct awd_prov *prov = provctx;
	struct km_gen *g = OPENSSL_zalloc(sizeof(*g));

	if (!g)
		return NULL;
	g->prov = prov;
	g->sw = EVP_PKEY_CTX_new_from_name(prov->libctx, "RSA", NULL);
	if (!g->sw || EVP_PKEY_keygen_init(g->sw) <= 0 ||
	    (params && !EVP_PKEY_CTX_set_params(g->sw, params))) {
		EVP_PKEY_CTX_free(g->sw);
		OPENSSL_free(g);
		return NULL;
	}
	return g;
}

static int km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
	struct km_gen *g = genctx;

	return EVP_PKEY_CTX_set_params(g->sw, params);
}

static const OSSL_PARAM *km_gen_settable_params(void *genctx, void *provctx)
{
	static const OSSL_PARAM p[] = {
		OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, NULL),
		OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_PRIMES, NULL),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
		OSSL_PARAM_END
	};
	struct km_gen *g = genctx;

	return g ? EVP_PKEY_CTX_settable_params(g->sw) : p;
}

static void *km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
	struct km_gen *g = genctx;
	EVP_PKEY *pkey = NULL;
	struct awd_key *key;

	if (EVP_PKEY_generate(g->sw, &pkey) <= 0)
		return NULL;
	key = awd_key_new(g->prov);
	if (!key || !awd_key_set_pkey(key, pkey)) {
		EVP_PKEY_free(pkey);
		awd_key_put(key);
		return NULL;
	}
	return key;
}

static void km_gen_cleanup(void *genctx)
{
	struct km_gen *g = genctx;

	if (g) {
		EVP_PKEY_CTX_free(g->sw);
		OPENSSL_free(g);
	}
}

static const char *km_query_name(int op)
{
	return "RSA";
}

#define FN(id, f) { OSSL_FUNC_KEYMGMT_##id, (void (*)(void))(f) }
const OSSL_DISPATCH awd_rsa_keymgmt_functions[] = {
	FN(NEW, km_new),
	FN(FREE, km_free),
	FN(HAS, km_has),
	FN(IMPORT, km_import),
	FN(IMPORT_TYPES, km_types_fn),
	FN(EXPORT, km_export),
	FN(EXPORT_TYPES, km_types_fn),
	FN(GET_PARAMS, km_get_params),
	FN(GETTABLE_PARAMS, km_gettable_params),
	FN(MATCH, km_match),
	FN(VALIDATE, km_validate),
	FN(DUP, km_dup),
	FN(GEN_INIT, km_gen_init),
	FN(GEN_SET_PARAMS, km_gen_set_params),
	FN(GEN_SETTABLE_PARAMS, km_gen_settable_params),
	FN(GEN, km_gen),
	FN(GEN_CLEANUP, km_gen_cleanup),
	FN(QUERY_OPERATION_NAME, km_query_name),
	{ 0, NULL }
};
