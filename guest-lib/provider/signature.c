// SPDX-License-Identifier: MIT
/*
 * awd RSA signatures. Each operation context keeps a default-provider
 * EVP_PKEY_CTX on the same key, initialised for the same operation: every
 * parameter is set there (so the default provider checks it and supplies
 * its defaults) and read back from there when signing. The device path
 * covers PKCS #1 v1.5 (with a SHA-1/SHA-2/SHA-3 DigestInfo, or raw) and
 * PSS; it pads with OpenSSL's RSA_padding_add_*() and runs the private
 * (CRT) or public operation on the device. Anything else, and any device
 * failure, runs on the default provider's context instead.
 */
#include "awd_prov.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/x509.h>

struct awd_sig {
	struct awd_prov *prov;
	struct awd_key *key;
	EVP_PKEY_CTX *sw;         /* the default provider's, same key and op */
	int op;                   /* EVP_PKEY_OP_SIGN or _VERIFY */
	EVP_MD_CTX *mdctx;        /* digest_sign/verify */
};

static void *sig_newctx(void *provctx, const char *propq)
{
	struct awd_sig *ctx = OPENSSL_zalloc(sizeof(*ctx));

	if (ctx)
		ctx->prov = provctx;
	return ctx;
}

static void sig_freectx(void *vctx)
{
	struct awd_sig *ctx = vctx;

	if (!ctx)
		return;
	EVP_PKEY_CTX_free(ctx->sw);
	EVP_MD_CTX_free(ctx->mdctx);
	awd_key_put(ctx->key);
	OPENSSL_free(ctx);
}

static void *sig_dupctx(void *vctx)
{
	struct awd_sig *ctx = vctx, *nc = OPENSSL_zalloc(sizeof(*nc));

	if (!nc)
		return NULL;
	*nc = *ctx;
	nc->sw = NULL;
	nc->mdctx = NULL;
	if (nc->key)
		awd_key_get(nc->key);
	if (ctx->sw && !(nc->sw = EVP_PKEY_CTX_dup(ctx->sw)))
		goto err;
	if (ctx->mdctx && (!(nc->mdctx = EVP_MD_CTX_new()) ||
			   !EVP_MD_CTX_copy_ex(nc->mdctx, ctx->mdctx)))
		goto err;
	return nc;
err:
	sig_freectx(nc);
	return NULL;
}

static int sig_init(struct awd_sig *ctx, void *vkey, const OSSL_PARAM params[],
		    int op)
{
	struct awd_key *key = vkey;

	if (key) {
		if (!key->pkey)
			return 0;
		awd_key_get(key);
		awd_key_put(ctx->key);
		ctx->key = key;
	}
	if (!ctx->key)
		return 0;
	EVP_PKEY_CTX_free(ctx->sw);
	ctx->op = op;
	ctx->sw = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, ctx->key->pkey,
					     NULL);
	if (!ctx->sw)
		return 0;
	if (op == EVP_PKEY_OP_SIGN)
		return EVP_PKEY_sign_init_ex(ctx->sw, params) > 0;
	if (op == EVP_PKEY_OP_VERIFY)
		return EVP_PKEY_verify_init_ex(ctx->sw, params) > 0;
	return 1;       /* verify-recover: its own init */
}

static int sig_sign_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
	return sig_init(vctx, vkey, params, EVP_PKEY_OP_SIGN);
}

static int sig_verify_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
	return sig_init(vctx, vkey, params, EVP_PKEY_OP_VERIFY);
}

/* The operation's parameters, as the default provider holds them. */
struct sig_par {
	int pad;
	int saltlen;
	EVP_MD *md, *mgf1;
};

static void par_free(struct sig_par *p)
{
	EVP_MD_free(p->md);
	EVP_MD_free(p->mgf1);
}

static void get_par(struct awd_sig *ctx, struct sig_par *p)
{
	char name[80];

	memset(p, 0, sizeof(*p));
	if (!awd_sw_get_int(ctx->sw, OSSL_SIGNATURE_PARAM_PAD_MODE, &p->pad))
		p->pad = -1;
	if (!awd_sw_get_int(ctx->sw, OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
			    &p->saltlen))
		p->saltlen = RSA_PSS_SALTLEN_AUTO;
	awd_sw_get_str(ctx->sw, OSSL_SIGNATURE_PARAM_DIGEST, name, sizeof(name));
	if (name[0])
		p->md = awd_fetch_md(ctx->prov, name);
	awd_sw_get_str(ctx->sw, OSSL_SIGNATURE_PARAM_MGF1_DIGEST, name,
		       sizeof(name));
	if (name[0])
		p->mgf1 = awd_fetch_md(ctx->prov, name);
	if (!p->mgf1 && p->md && EVP_MD_up_ref(p->md))
		p->mgf1 = p->md;
}

/*
 * DER DigestInfo of @dg for @md, with NULL parameters as RSA_sign() writes
 * it; only for the digests OpenSSL encodes that way. Returns its length or
 * 0.
 */
static int digest_info(const EVP_MD *md, const unsigned char *dg, size_t dlen,
		       unsigned char *out, size_t room)
{
	X509_SIG *sig;
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *os;
	unsigned char *p = out;
	int nid = EVP_MD_get_type(md), len = 0;

	switch (nid) {
	case NID_sha1: case NID_sha224: case NID_sha256: case NID_sha384:
	case NID_sha512: case NID_sha512_224: case NID_sha512_256:
	case NID_sha3_224: case NID_sha3_256: case NID_sha3_384:
	case NID_sha3_512:
		break;
	default:
		return 0;
	}
	sig = X509_SIG_new();
	if (!sig)
		return 0;
	X509_SIG_getm(sig, &alg, &os);
	if (X509_ALGOR_set0(alg, OBJ_nid2obj(nid), V_ASN1_NULL, NULL) &&
	    ASN1_OCTET_STRING_set(os, dg, (int)dlen)) {
		len = i2d_X509_SIG(sig, NULL);
		if (len <= 0 || (size_t)len > room)
			len = 0;
		else
			len = i2d_X509_SIG(sig, &p);
	}
	X509_SIG_free(sig);
	return len > 0 ? len : 0;
}

/* Encoded message for PKCS #1 v1.5 signing of @tbs (k bytes at @em). */
static int pkcs1_encode(struct awd_key *key, const EVP_MD *md,
			const unsigned char *tbs, size_t tbslen,
			unsigned char *em)
{
	unsigned char di[EVP_MAX_MD_SIZE + 32];
	int dilen;

	if (!md)
		return RSA_padding_add_PKCS1_type_1(em, (int)key->k, tbs,
						    (int)tbslen);
	dilen = digest_info(md, tbs, tbslen, di, sizeof(di));
	return dilen && RSA_padding_add_PKCS1_type_1(em, (int)key->k, di,
						     dilen);
}

/* Sign on the device: AWD_DONE, or an enum awd_fb. */
static int dev_sign(struct awd_sig *ctx, struct sig_par *p, unsigned char *sig,
		    size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
	struct awd_key *key = ctx->key;
	unsigned char em[1024];
	int ret;

	if (key->k > sizeof(em))
		return AWD_FB_KEY;
	if (sigsize < key->k || (p->md && tbslen != (size_t)EVP_MD_get_size(p->md)))
		return AWD_FB_INPUT;
	ERR_set_mark();
	switch (p->pad) {
	case RSA_PKCS1_PADDING:
		if (p->md && !digest_info(p->md, tbs, tbslen, em, sizeof(em)))
			ret = AWD_FB_UNSUPP;
		else
			ret = pkcs1_encode(key, p->md, tbs, tbslen, em) ?
			      0 : AWD_FB_INPUT;
		break;
	case RSA_PKCS1_PSS_PADDING:
		if (!p->md || !p->mgf1)
			ret = AWD_FB_INPUT;
		else
			ret = RSA_padding_add_PKCS1_PSS_mgf1(key->pub, em, tbs,
							     p->md, p->mgf1,
							     p->saltlen) ?
			      0 : AWD_FB_INPUT;
		break;
	default:
		ret = AWD_FB_UNSUPP;
	}
	/* errors of a refused input are the default provider's to report */
	ERR_pop_to_mark();
	if (!ret)
		ret = awd_dev_rsa(key, 1, em, sig);
	OPENSSL_cleanse(em, sizeof(em));
	return ret ? ret : AWD_DONE;
}

static int sig_sign(void *vctx, unsigned char *sig, size_t *siglen,
		    size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
	struct awd_sig *ctx = vctx;
	struct sig_par p;
	int ret;

	if (!ctx->sw || ctx->op != EVP_PKEY_OP_SIGN)
		return 0;
	if (!sig) {
		*siglen = ctx->key->k;
		return 1;
	}
	get_par(ctx, &p);
	ret = dev_sign(ctx, &p, sig, sigsize, tbs, tbslen);
	par_free(&p);
	if (ret == AWD_DONE) {
		*siglen = ctx->key->k;
		return 1;
	}
	awd_count_fb(ret);
	*siglen = sigsize;
	return EVP_PKEY_sign(ctx->sw, sig, siglen, tbs, tbslen) > 0;
}

/* Verify on the device: 1 good, 0 bad (AWD_FAIL), or an enum awd_fb. */
static int dev_verify(struct awd_sig *ctx, struct sig_par *p,
		      const unsigned char *sig, size_t siglen,
		      const unsigned char *tbs, size_t tbslen, int *good)
{
	struct awd_key *key = ctx->key;
	unsigned char em[1024], want[1024];
	int ret, n;

	if (key->k > sizeof(em))
		return AWD_FB_KEY;
	if (siglen != key->k || (p->md && tbslen != (size_t)EVP_MD_get_size(p->md)))
		return AWD_FB_INPUT;
	if (p->pad != RSA_PKCS1_PADDING && p->pad != RSA_PKCS1_PSS_PADDING)
		return AWD_FB_UNSUPP;
	if (p->pad == RSA_PKCS1_PADDING && p->md &&
	    !digest_info(p->md, tbs, tbslen, want, sizeof(want)))
		return AWD_FB_UNSUPP;
	if (p->pad == RSA_PKCS1_PSS_PADDING && (!p->md || !p->mgf1))
		return AWD_FB_INPUT;
	ret = awd_dev_rsa(key, 0, sig, em);
	if (ret)
		return ret;
	if (p->pad == RSA_PKCS1_PSS_PADDING) {
		*good = RSA_verify_PKCS1_PSS_mgf1(key->pub, tbs, p->md, p->mgf1,
						  em, p->saltlen) == 1;
	} else if (p->md) {
		ERR_set_mark();
		*good = pkcs1_encode(key, p->md, tbs, tbslen, want) &&
			!CRYPTO_memcmp(em, want, key->k);
		ERR_pop_to_mark();
		if (!*good)
			ERR_raise(ERR_LIB_RSA, RSA_R_BAD_SIGNATURE);
	} else {
		n = RSA_padding_check_PKCS1_type_1(want, (int)key->k, em,
						   (int)key->k, (int)key->k);
		*good = n >= 0 && (size_t)n == tbslen && !memcmp(want, tbs, tbslen);
		if (n >= 0 && !*good)
			ERR_raise(ERR_LIB_RSA, RSA_R_BAD_SIGNATURE);
	}
	return AWD_DONE;
}

static int sig_verify(void *vctx, const unsigned char *sig, size_t siglen,
		      const unsigned char *tbs, size_t tbslen)
{
	struct awd_sig *ctx = vctx;
	struct sig_par p;
	int ret, good = 0;

	if (!ctx->sw || ctx->op != EVP_PKEY_OP_VERIFY)
		return 0;
	get_par(ctx, &p);
	ret = dev_verify(ctx, &p, sig, siglen, tbs, tbslen, &good);
	par_free(&p);
	if (ret == AWD_DONE)
		return good;
	awd_count_fb(ret);
	return EVP_PKEY_verify(ctx->sw, sig, siglen, tbs, tbslen) > 0;
}

/*
 * Verify-recover (pkeyutl -verifyrecover): rare; the default provider's,
 * counted as unsupported. Provided so that having awd loaded first does
 * not take it away.
 */
static int sig_verify_recover_init(void *vctx, void *vkey,
				   const OSSL_PARAM params[])
{
	struct awd_sig *ctx = vctx;

	if (!sig_init(ctx, vkey, NULL, EVP_PKEY_OP_VERIFYRECOVER))
		return 0;
	EVP_PKEY_CTX_free(ctx->sw);
	ctx->sw = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, ctx->key->pkey,
					     NULL);
	return ctx->sw && EVP_PKEY_verify_recover_init_ex(ctx->sw, params) > 0;
}

static int sig_verify_recover(void *vctx, unsigned char *rout, size_t *routlen,
			      size_t routsize, const unsigned char *sig,
			      size_t siglen)
{
	struct awd_sig *ctx = vctx;

	if (!ctx->sw || ctx->op != EVP_PKEY_OP_VERIFYRECOVER)
		return 0;
	if (rout)
		awd_count_fb(AWD_FB_UNSUPP);
	*routlen = routsize;
	return EVP_PKEY_verify_recover(ctx->sw, rout, routlen, sig, siglen) > 0;
}

/* ---- digest-and-sign ---- */

static int sig_digest_init(struct awd_sig *ctx, const char *mdname, void *vkey,
			   const OSSL_PARAM params[], int op)
{
	char name[80];
	EVP_MD *md;
	int ok;

	if (!sig_init(ctx, vkey, params, op))
		return 0;
	if (mdname && *mdname) {
		OSSL_PARAM mp[2] = {
			OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
							 (char *)mdname, 0),
			OSSL_PARAM_END
		};
		if (!EVP_PKEY_CTX_set_params(ctx->sw, mp))
			return 0;
	}
	awd_sw_get_str(ctx->sw, OSSL_SIGNATURE_PARAM_DIGEST, name, sizeof(name));
	md = name[0] ? awd_fetch_md(ctx->prov, name) : NULL;
	if (!md)
		return 0;
	if (!ctx->mdctx)
		ctx->mdctx = EVP_MD_CTX_new();
	ok = ctx->mdctx && EVP_DigestInit_ex(ctx->mdctx, md, NULL);
	EVP_MD_free(md);
	return ok;
}

static int sig_digest_sign_init(void *vctx, const char *mdname, void *vkey,
				const OSSL_PARAM params[])
{
	return sig_digest_init(vctx, mdname, vkey, params, EVP_PKEY_OP_SIGN);
}

static int sig_digest_verify_init(void *vctx, const char *mdname, void *vkey,
				  const OSSL_PARAM params[])
{
	return sig_digest_init(vctx, mdname, vkey, params, EVP_PKEY_OP_VERIFY);
}

static int sig_digest_update(void *vctx, const unsigned char *data, size_t len)
{
	struct awd_sig *ctx = vctx;

	return ctx->mdctx && EVP_DigestUpdate(ctx->mdctx, data, len);
}

static int sig_digest_sign_final(void *vctx, unsigned char *sig,
				 size_t *siglen, size_t sigsize)
{
	struct awd_sig *ctx = vctx;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen;

	if (!ctx->mdctx)
		return 0;
	if (!sig) {
		*siglen = ctx->key->k;
		return 1;
	}
	if (!EVP_DigestFinal_ex(ctx->mdctx, dg, &dlen))
		return 0;
	return sig_sign(ctx, sig, siglen, sigsize, dg, dlen);
}

static int sig_digest_verify_final(void *vctx, const unsigned char *sig,
				   size_t siglen)
{
	struct awd_sig *ctx = vctx;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dlen;

	if (!ctx->mdctx || !EVP_DigestFinal_ex(ctx->mdctx, dg, &dlen))
		return 0;
	return sig_verify(ctx, sig, siglen, dg, dlen);
}

/* ---- parameters: the default provider's ---- */

static int sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct awd_sig *ctx = vctx;

	return ctx->sw && EVP_PKEY_CTX_get_params(ctx->sw, params);
}

static int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct awd_sig *ctx = vctx;

	if (!params || !params[0].key)
		return 1;
	return ctx->sw && EVP_PKEY_CTX_set_params(ctx->sw, params);
}

static const OSSL_PARAM sig_known[] = {
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *sig_gettable_ctx_params(void *vctx, void *provctx)
{
	struct awd_sig *ctx = vctx;

	return ctx && ctx->sw ? EVP_PKEY_CTX_gettable_params(ctx->sw) : sig_known;
}

static const OSSL_PARAM *sig_settable_ctx_params(void *vctx, void *provctx)
{
	struct awd_sig *ctx = vctx;

	return ctx && ctx->sw ? EVP_PKEY_CTX_settable_params(ctx->sw) : sig_known;
}

#define FN(id, f) { OSSL_FUNC_SIGNATURE_##id, (void (*)(void))(f) }
const OSSL_DISPATCH awd_rsa_signature_functions[] = {
	FN(NEWCTX, sig_newctx),
	FN(FREECTX, sig_freectx),
	FN(DUPCTX, sig_dupctx),
	FN(SIGN_INIT, sig_sign_init),
	FN(SIGN, sig_sign),
	FN(VERIFY_INIT, sig_verify_init),
	FN(VERIFY, sig_verify),
	FN(VERIFY_RECOVER_INIT, sig_verify_recover_init),
	FN(VERIFY_RECOVER, sig_verify_recover),
	FN(DIGEST_SIGN_INIT, sig_digest_sign_init),
	FN(DIGEST_SIGN_UPDATE, sig_digest_update),
	FN(DIGEST_SIGN_FINAL, sig_digest_sign_final),
	FN(DIGEST_VERIFY_INIT, sig_digest_verify_init),
	FN(DIGEST_VERIFY_UPDATE, sig_digest_update),
	FN(DIGEST_VERIFY_FINAL, sig_digest_verify_final),
	FN(GET_CTX_PARAMS, sig_get_ctx_params),
	FN(GETTABLE_CTX_PARAMS, sig_gettable_ctx_params),
	FN(SET_CTX_PARAMS, sig_set_ctx_params),
	FN(SETTABLE_CTX_PARAMS, sig_settable_ctx_params),
	{ 0, NULL }
};
