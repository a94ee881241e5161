// SPDX-License-Identifier: MIT
/*
 * awd RSA encryption and decryption, built as signature.c: parameters live
 * in a default-provider context on the same key; PKCS #1 v1.5, OAEP (any
 * digests, any label) and raw RSA are padded/unpadded with OpenSSL's
 * RSA_padding_*() and exponentiated on the device; the TLS premaster
 * mode and every failure of the device go to the default provider.
 */
#include "awd_prov.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

struct awd_enc {
	struct awd_prov *prov;
	struct awd_key *key;
	EVP_PKEY_CTX *sw;
	int op;                   /* EVP_PKEY_OP_ENCRYPT or _DECRYPT */
};

static void *enc_newctx(void *provctx)
{
	struct awd_enc *ctx = OPENSSL_zalloc(sizeof(*ctx));

	if (ctx)
		ctx->prov = provctx;
	return ctx;
}

static void enc_freectx(void *vctx)
{
	struct awd_enc *ctx = vctx;

	if (!ctx)
		return;
	EVP_PKEY_CTX_free(ctx->sw);
	awd_key_put(ctx->key);
	OPENSSL_free(ctx);
}

static void *enc_dupctx(void *vctx)
{
	struct awd_enc *ctx = vctx, *nc = OPENSSL_zalloc(sizeof(*nc));

	if (!nc)
		return NULL;
	*nc = *ctx;
	nc->sw = NULL;
	if (nc->key)
		awd_key_get(nc->key);
	if (ctx->sw && !(nc->sw = EVP_PKEY_CTX_dup(ctx->sw))) {
		enc_freectx(nc);
		return NULL;
	}
	return nc;
}

static int enc_init(struct awd_enc *ctx, void *vkey, const OSSL_PARAM params[],
		    int op)
{
	struct awd_key *key = vkey;

	if (!key || !key->pkey)
		return 0;
	awd_key_get(key);
	awd_key_put(ctx->key);
	ctx->key = key;
	EVP_PKEY_CTX_free(ctx->sw);
	ctx->op = op;
	ctx->sw = EVP_PKEY_CTX_new_from_pkey(ctx->prov->libctx, key->pkey, NULL);
	if (!ctx->sw)
		return 0;
	if (op == EVP_PKEY_OP_ENCRYPT)
		return EVP_PKEY_encrypt_init_ex(ctx->sw, params) > 0;
	return EVP_PKEY_decrypt_init_ex(ctx->sw, params) > 0;
}

static int enc_encrypt_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
	return enc_init(vctx, vkey, params, EVP_PKEY_OP_ENCRYPT);
}

static int enc_decrypt_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
	return enc_init(vctx, vkey, params, EVP_PKEY_OP_DECRYPT);
}

struct enc_par {
	int pad;
	EVP_MD *md, *mgf1;
	void *label;
	size_t labellen;
};

static void par_free(struct enc_par *p)
{
	EVP_MD_free(p->md);
	EVP_MD_free(p->mgf1);
}

/* Returns 0 when the mode needs the default provider. */
static int get_par(struct awd_enc *ctx, struct enc_par *p)
{
	char name[80];
	OSSL_PARAM lp[2] = {
		OSSL_PARAM_octet_ptr(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
				     &p->label, 0),
		OSSL_PARAM_END
	};

	memset(p, 0, sizeof(*p));
	if (!awd_sw_get_int(ctx->sw, OSSL_ASYM_CIPHER_PARAM_PAD_MODE, &p->pad))
		return 0;
	if (p->pad != RSA_PKCS1_OAEP_PADDING)
		return p->pad == RSA_PKCS1_PADDING || p->pad == RSA_NO_PADDING;
	awd_sw_get_str(ctx->sw, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, name,
		       sizeof(name));
	/* the default provider's OAEP default is SHA-1 */
	p->md = awd_fetch_md(ctx->prov, name[0] ? name : "SHA1");
	awd_sw_get_str(ctx->sw, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, name,
		       sizeof(name));
	if (name[0])
		p->mgf1 = awd_fetch_md(ctx->prov, name);
	if (!p->mgf1 && p->md && EVP_MD_up_ref(p->md))
		p->mgf1 = p->md;
	ERR_set_mark();
	if (EVP_PKEY_CTX_get_params(ctx->sw, lp) && OSSL_PARAM_modified(lp))
		p->labellen = lp[0].return_size;
	else
		p->label = NULL;
	ERR_pop_to_mark();
	if (!p->label)
		p->labellen = 0;
	return p->md && p->mgf1;
}

static int dev_encrypt(struct awd_enc *ctx, struct enc_par *p,
		       unsigned char *out, size_t outsize,
		       const unsigned char *in, size_t inlen)
{
	struct awd_key *key = ctx->key;
	unsigned char em[1024];
	int k = (int)key->k, ok, ret;

	if (key->k > sizeof(em))
		return AWD_FB_KEY;
	if (outsize < key->k)
		return AWD_FB_INPUT;
	ERR_set_mark();
	switch (p->pad) {
	case RSA_PKCS1_PADDING:
		ok = RSA_padding_add_PKCS1_type_2(em, k, in, (int)inlen);
		break;
	case RSA_PKCS1_OAEP_PADDING:
		ok = RSA_padding_add_PKCS1_OAEP_mgf1(em, k, in, (int)inlen,
						     p->label, (int)p->labellen,
						     p->md, p->mgf1);
		break;
	default:
		ok = RSA_padding_add_none(em, k, in, (int)inlen);
	}
	ERR_pop_to_mark();
	ret = ok ? awd_dev_rsa(key, 0, em, out) : AWD_FB_INPUT;
	OPENSSL_cleanse(em, sizeof(em));
	return ret ? ret : AWD_DONE;
}

static int enc_encrypt(void *vctx, unsigned char *out, size_t *outlen,
		       size_t outsize, const unsigned char *in, size_t inlen)
{
	struct awd_enc *ctx = vctx;
	struct enc_par p;
	int ret;

	if (!ctx->sw || ctx->op != EVP_PKEY_OP_ENCRYPT)
		return 0;
	if (!out) {
		*outlen = ctx->key->k;
		return 1;
	}
	ret = get_par(ctx, &p) ? dev_encrypt(ctx, &p, out, outsize, in, inlen) :
	      AWD_FB_UNSUPP;
	par_free(&p);
	if (ret == AWD_DONE) {
		*outlen = ctx->key->k;
		return 1;
	}
	awd_count_fb(ret);
	*outlen = outsize;
	return EVP_PKEY_encrypt(ctx->sw, out, outlen, in, inlen) > 0;
}

/*
 * Decrypt on the device: AWD_DONE with *@r the message length or -1 (bad
 * padding: failed, errors raised as RSA_private_decrypt() raises them),
 * or an enum awd_fb.
 */
static int dev_decrypt(struct awd_enc *ctx, struct enc_par *p,
		       unsigned char *out, size_t outsize,
		       const unsigned char *in, size_t inlen, int *r)
{
	struct awd_key *key = ctx->key;
	unsigned char em[1024];
	int k = (int)key->k, ret;

	if (key->k > sizeof(em))
		return AWD_FB_KEY;
	if (inlen != key->k || outsize < key->k)
		return AWD_FB_INPUT;
	ret = awd_dev_rsa(key, 1, in, em);
	if (ret)
		return ret;
	switch (p->pad) {
	case RSA_PKCS1_PADDING:
		*r = RSA_padding_check_PKCS1_type_2(out, (int)outsize, em, k, k);
		break;
	case RSA_PKCS1_OAEP_PADDING:
		*r = RSA_padding_check_PKCS1_OAEP_mgf1(out, (int)outsize, em, k,
						       k, p->label,
						       (int)p->labellen, p->md,
						       p->mgf1);
		break;
	default:
		memcpy(out, em, key->k);
		*r = k;
	}
	/* as RSA_private_decrypt() adds it (OAEP: the check's own error) */
	if (*r < 0 && p->pad == RSA_PKCS1_PADDING)
		ERR_raise(ERR_LIB_RSA, RSA_R_PADDING_CHECK_FAILED);
	OPENSSL_cleanse(em, sizeof(em));
	return AWD_DONE;
}

static int enc_decrypt(void *vctx, unsigned char *out, size_t *outlen,
		       size_t outsize, const unsigned char *in, size_t inlen)
{
	struct awd_enc *ctx = vctx;
	struct enc_par p;
	int ret, r = -1;

	if (!ctx->sw || ctx->op != EVP_PKEY_OP_DECRYPT)
		return 0;
	if (!out) {
		*outlen = ctx->key->k;
		return 1;
	}
	ret = get_par(ctx, &p) ?
	      dev_decrypt(ctx, &p, out, outsize, in, inlen, &r) : AWD_FB_UNSUPP;
	par_free(&p);
	if (ret == AWD_DONE) {
		if (r < 0)
			return 0;
		*outlen = (size_t)r;
		return 1;
	}
	awd_count_fb(ret);
	*outlen = outsize;
	return EVP_PKEY_decrypt(ctx->sw, out, outlen, in, inlen) > 0;
}

static int enc_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	struct awd_enc *ctx = vctx;

	return ctx->sw && EVP_PKEY_CTX_get_params(ctx->sw, params);
}

static int enc_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
	struct awd_enc *ctx = vctx;

	if (!params || !params[0].key)
		return 1;
	return ctx->sw && EVP_PKEY_CTX_set_params(ctx->sw, params);
}

static const OSSL_PARAM enc_known[] = {
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
	OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
	OSSL_PARAM_END
};

static const OSSL_PARAM *enc_gettable_ctx_params(void *vctx, void *provctx)
{
	struct awd_enc *ctx = vctx;

	return ctx && ctx->sw ? EVP_PKEY_CTX_gettable_params(ctx->sw) : enc_known;
}

static const OSSL_PARAM *enc_settable_ctx_params(void *vctx, void *provctx)
{
	struct awd_enc *ctx = vctx;

	return ctx && ctx->sw ? EVP_PKEY_CTX_settable_params(ctx->sw) : enc_known;
}

#define FN(id, f) { OSSL_FUNC_ASYM_CIPHER_##id, (void (*)(void))(f) }
const OSSL_DISPATCH awd_rsa_asym_cipher_functions[] = {
	FN(NEWCTX, enc_newctx),
	FN(FREECTX, enc_freectx),
	FN(DUPCTX, enc_dupctx),
	FN(ENCRYPT_INIT, enc_encrypt_init),
	FN(ENCRYPT, enc_encrypt),
	FN(DECRYPT_INIT, enc_decrypt_init),
	FN(DECRYPT, enc_decrypt),
	FN(GET_CTX_PARAMS, enc_get_ctx_params),
	FN(GETTABLE_CTX_PARAMS, enc_gettable_ctx_params),
	FN(SET_CTX_PARAMS, enc_set_ctx_params),
	FN(SETTABLE_CTX_PARAMS, enc_settable_ctx_params),
	{ 0, NULL }
};
