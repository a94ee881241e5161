// SPDX-License-Identifier: MIT
/*
 * libaccelwd: RSA keys in the device layout, RSA operations, and PKCS #1
 * (RFC 8017) padding: v1.5 encryption and signature, OAEP, PSS.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "awd_internal.h"

struct awd_rsa_key {
	struct awd_ctx *ctx;
	size_t k;                  /* modulus bytes */
	unsigned int forms;        /* 1 << AWD_RSA_FORM_* */
	uint8_t *mat;              /* all forms' material, one allocation */
	size_t mat_len;
	size_t off[3];             /* offset of each form in mat */
	uint64_t base;             /* device address of mat */
	struct awd_block *blk;     /* no-SVA: mat is this arena block */
};

#define PAD_MAX_K    1024      /* largest k the padding helpers take */

/* ---- keys -------------------------------------------------------------- */

/* Strip leading zero bytes. */
static void strip(const uint8_t **p, size_t *len)
{
	while (*len && !(*p)[0]) {
		(*p)++;
		(*len)--;
	}
}

static bool present(const uint8_t *p, size_t len)
{
	return p && len;
}

/* Copy @p right-aligned into @dst of @width bytes; false if it is wider. */
static bool put_int(uint8_t *dst, size_t width, const uint8_t *p, size_t len)
{
	strip(&p, &len);
	if (len > width)
		return false;
	memset(dst, 0, width - len);
	if (len)
		memcpy(dst + width - len, p, len);
	return true;
}

/* memset that the compiler may not drop as a dead store */
static void wipe(void *p, size_t len)
{
	memset(p, 0, len);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

AWD_EXPORT int awd_rsa_key_new(struct awd_ctx *ctx,
			       const struct awd_rsa_key_parts *kp,
			       struct awd_rsa_key **keyp)
{
	const uint8_t *n;
	size_t k, half, pos = 0;
	bool pub, priv, crt;
	struct awd_rsa_key *key;
	int ret;

	if (keyp)
		*keyp = NULL;
	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	if (!kp || !keyp || !present(kp->n, kp->n_len))
		return -EINVAL;
	pub = present(kp->e, kp->e_len);
	priv = present(kp->d, kp->d_len);
	crt = present(kp->p, kp->p_len) && present(kp->q, kp->q_len) &&
	      present(kp->dp, kp->dp_len) && present(kp->dq, kp->dq_len) &&
	      present(kp->qinv, kp->qinv_len);
	if (!pub && !priv && !crt)
		return -EINVAL;
	if (!(ctx->info.caps & AWD_CAP_RSA))
		return -EOPNOTSUPP;
	n = kp->n;
	k = kp->n_len;
	strip(&n, &k);
	if (k * 8 > ctx->info.rsa_max_bits && k >= AWD_RSA_MIN_BITS / 8)
		return -EOPNOTSUPP;
	if (k < AWD_RSA_MIN_BITS / 8 || k > AWD_RSA_MAX_BITS / 8 ||
	    !(n[k - 1] & 1))
		return -EKEYREJECTED;
	if (crt && (k % 2))
		crt = false;            /* the device needs k/2-byte halves */
	if (!pub && !priv && !crt)
		return -EKEYREJECTED;
	half = k / 2;

	key = calloc(1, sizeof(*key));
	if (!key)
		return -ENOMEM;
	key->k = k;
	key->mat_len = (pub ? 2 * k : 0) + (priv ? 2 * k : 0) +
		       (crt ? 5 * half : 0);
	key->mat = aligned_alloc(64, (key->mat_len + 63) & ~(size_t)63);
	if (!key->mat) {
		free(key);
		return -ENOMEM;
	}
	ret = -EKEYREJECTED;
	if (pub) {
		key->off[AWD_RSA_FORM_PUBLIC] = pos;
		put_int(key->mat + pos, k, n, k);
		if (!put_int(key->mat + pos + k, k, kp->e, kp->e_len))
			goto fail;
		pos += 2 * k;
		key->forms |= 1u << AWD_RSA_FORM_PUBLIC;
	}
	if (priv) {
		key->off[AWD_RSA_FORM_PRIVATE] = pos;
		put_int(key->mat + pos, k, n, k);
		if (!put_int(key->mat + pos + k, k, kp->d, kp->d_len))
			goto fail;
		pos += 2 * k;
		key->forms |= 1u << AWD_RSA_FORM_PRIVATE;
	}
	if (crt) {
		key->off[AWD_RSA_FORM_CRT] = pos;
		if (!put_int(key->mat + pos, half, kp->p, kp->p_len) ||
		    !put_int(key->mat + pos + half, half, kp->q, kp->q_len) ||
		    !put_int(key->mat + pos + 2 * half, half, kp->dp, kp->dp_len) ||
		    !put_int(key->mat + pos + 3 * half, half, kp->dq, kp->dq_len) ||
		    !put_int(key->mat + pos + 4 * half, half, kp->qinv,
			     kp->qinv_len))
			goto fail;
		pos += 5 * half;
		key->forms |= 1u << AWD_RSA_FORM_CRT;
	}
	key->base = (uintptr_t)key->mat;
	if (awd__nosva(ctx)) {
		ret = awd__bounce_get(ctx, key->mat_len, &key->blk);
		if (ret) {
			ret = ret == -EAGAIN ? -ENOSPC : ret;
			goto fail;
		}
		memcpy(awd__block_ptr(key->blk), key->mat, key->mat_len);
		wipe(key->mat, key->mat_len);
		free(key->mat);
		key->mat = awd__block_ptr(key->blk);
		key->base = awd__block_iova(key->blk);
	}
	key->ctx = ctx;
	ctx->users++;
	*keyp = key;
	return 0;

fail:
	wipe(key->mat, key->mat_len);
	free(key->mat);
	free(key);
	return ret;
}

AWD_EXPORT size_t awd_rsa_key_size(const struct awd_rsa_key *key)
{
	return key ? key->k : 0;
}

AWD_EXPORT unsigned int awd_rsa_key_forms(const struct awd_rsa_key *key)
{
	return key ? key->forms : 0;
}

AWD_EXPORT void awd_rsa_key_free(struct awd_rsa_key **keyp)
{
	struct awd_rsa_key *key;

	if (!keyp || !*keyp)
		return;
	key = *keyp;
	key->ctx->users--;
	wipe(key->mat, key->mat_len);
	if (key->blk)
		awd__bounce_put(key->ctx, key->blk);
	else
		free(key->mat);
	free(key);
	*keyp = NULL;
}

const struct awd_ctx *awd__rsa_key_ctx(const struct awd_rsa_key *key)
{
	return key->ctx;
}

uint64_t awd__rsa_key_addr(const struct awd_rsa_key *key, unsigned int form)
{
	return key->base + key->off[form];
}

static int rsa_op(struct awd_ctx *ctx, const struct awd_rsa_key *key,
		  unsigned int form, const void *in, void *out, size_t len)
{
	struct awd_req req = AWD_REQ_INIT;
	int ret;

	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	if (!key || !in || !out)
		return -EINVAL;
	req.op = AWD_REQ_RSA;
	req.rsa_form = form;
	req.key = key;
	req.src = in;
	req.src_len = len;
	req.dst = out;
	req.dst_len = len;
	return awd__run(ctx, &req, 0, 0);
}

AWD_EXPORT int awd_rsa_public(struct awd_ctx *ctx,
			      const struct awd_rsa_key *key, const void *in,
			      void *out, size_t len)
{
	return rsa_op(ctx, key, AWD_RSA_FORM_PUBLIC, in, out, len);
}

AWD_EXPORT int awd_rsa_private(struct awd_ctx *ctx,
			       const struct awd_rsa_key *key, const void *in,
			       void *out, size_t len)
{
	unsigned int form;

	if (!key)
		return ctx ? -EINVAL : -EBADF;
	if (key->forms & (1u << AWD_RSA_FORM_CRT))
		form = AWD_RSA_FORM_CRT;
	else if (key->forms & (1u << AWD_RSA_FORM_PRIVATE))
		form = AWD_RSA_FORM_PRIVATE;
	else
		return ctx ? -EINVAL : -EBADF;
	return rsa_op(ctx, key, form, in, out, len);
}

/* ---- randomness and constant-time helpers ------------------------------ */

static int random_bytes(uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0xff.. if x == 0, else 0, without branches */
static size_t ct_is_zero(size_t x)
{
	return (size_t)0 - (size_t)(((x | (0 - x)) >> (sizeof(size_t) * 8 - 1)) ^ 1);
}

static size_t ct_eq(size_t a, size_t b)
{
	return ct_is_zero(a ^ b);
}

static size_t ct_select(size_t mask, size_t a, size_t b)
{
	return (mask & a) | (~mask & b);
}

/* ---- PKCS #1 v1.5 ------------------------------------------------------ */

AWD_EXPORT int awd_pkcs1_v15_pad(const void *msg, size_t mlen, uint8_t *em,
				 size_t k)
{
	size_t ps;
	int ret;

	if (!em || (!msg && mlen))
		return -EINVAL;
	if (k < 11 || mlen > k - 11)
		return -EMSGSIZE;
	ps = k - mlen - 3;
	em[0] = 0;
	em[1] = 2;
	ret = random_bytes(em + 2, ps);
	if (ret)
		return ret;
	for (size_t i = 2; i < 2 + ps; i++) {
		while (!em[i]) {
			ret = random_bytes(em + i, 1);
			if (ret)
				return ret;
		}
	}
	em[2 + ps] = 0;
	if (mlen)
		memcpy(em + 3 + ps, msg, mlen);
	return 0;
}

AWD_EXPORT int awd_pkcs1_v15_unpad(const uint8_t *em, size_t k, void *msg,
				   size_t *mlen)
{
	size_t good, found = 0, zero_idx = 0, len;

	if (!em || !mlen || (!msg && *mlen))
		return -EINVAL;
	if (k < 11)
		return -EBADMSG;
	good = ct_is_zero(em[0]) & ct_eq(em[1], 2);
	for (size_t i = 2; i < k; i++) {
		size_t z = ct_is_zero(em[i]);

		zero_idx = ct_select(~found & z, i, zero_idx);
		found |= z;
	}
	good &= found;
	good &= ~ct_is_zero(zero_idx >= 10);    /* at least 8 bytes of PS */
	if (!good)
		return -EBADMSG;
	len = k - zero_idx - 1;
	if (len > *mlen)
		return -ENOBUFS;
	if (len)
		memcpy(msg, em + zero_idx + 1, len);
	*mlen = len;
	return 0;
}

static const uint8_t di_sha1[] = {
	0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
	0x05, 0x00, 0x04, 0x14,
};
static const uint8_t di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

static int sign_encode(enum awd_hash hash, const uint8_t *digest,
		       uint8_t *em, size_t k)
{
	const uint8_t *di;
	size_t dlen, hlen = awd_hash_size(hash), t;

	if (!digest || !em || !hlen)
		return -EINVAL;
	di = hash == AWD_HASH_SHA1 ? di_sha1 : di_sha256;
	dlen = hash == AWD_HASH_SHA1 ? sizeof(di_sha1) : sizeof(di_sha256);
	t = dlen + hlen;
	if (k < t + 11)
		return -EMSGSIZE;
	em[0] = 0;
	em[1] = 1;
	memset(em + 2, 0xff, k - t - 3);
	em[k - t - 1] = 0;
	memcpy(em + k - t, di, dlen);
	memcpy(em + k - hlen, digest, hlen);
	return 0;
}

AWD_EXPORT int awd_pkcs1_v15_sign_pad(enum awd_hash hash,
				      const uint8_t *digest, uint8_t *em,
				      size_t k)
{
	return sign_encode(hash, digest, em, k);
}

AWD_EXPORT int awd_pkcs1_v15_sign_check(enum awd_hash hash,
					const uint8_t *digest,
					const uint8_t *em, size_t k)
{
	uint8_t want[PAD_MAX_K];
	int ret;

	if (!em)
		return -EINVAL;
	if (k > PAD_MAX_K)
		return -EMSGSIZE;
	ret = sign_encode(hash, digest, want, k);
	if (ret == -EMSGSIZE)
		return -EBADMSG;
	if (ret)
		return ret;
	return memcmp(want, em, k) ? -EBADMSG : 0;
}

/* ---- MGF1, OAEP, PSS --------------------------------------------------- */

/* dst ^= MGF1(hash, seed)[0..len) */
static void mgf1_xor(enum awd_hash hash, const uint8_t *seed, size_t slen,
		     uint8_t *dst, size_t len)
{
	uint8_t buf[PAD_MAX_K + 4], d[32];
	size_t hlen = awd_hash_size(hash);

	memcpy(buf, seed, slen);
	for (uint32_t c = 0; len; c++) {
		size_t n = len < hlen ? len : hlen;

		buf[slen] = (uint8_t)(c >> 24);
		buf[slen + 1] = (uint8_t)(c >> 16);
		buf[slen + 2] = (uint8_t)(c >> 8);
		buf[slen + 3] = (uint8_t)c;
		awd_hash(hash, buf, slen + 4, d);
		for (size_t i = 0; i < n; i++)
			dst[i] ^= d[i];
		dst += n;
		len -= n;
	}
}

AWD_EXPORT int awd_oaep_pad(enum awd_hash hash, const void *msg, size_t mlen,
			    uint8_t *em, size_t k)
{
	size_t hlen = awd_hash_size(hash), dblen;
	uint8_t *seed, *db;
	int ret;

	if (!hlen || !em || (!msg && mlen))
		return -EINVAL;
	if (k > PAD_MAX_K || k < 2 * hlen + 2 || mlen > k - 2 * hlen - 2)
		return -EMSGSIZE;
	dblen = k - hlen - 1;
	em[0] = 0;
	seed = em + 1;
	db = em + 1 + hlen;
	awd_hash(hash, "", 0, db);                    /* lHash of "" */
	memset(db + hlen, 0, dblen - hlen - mlen - 1);
	db[dblen - mlen - 1] = 1;
	if (mlen)
		memcpy(db + dblen - mlen, msg, mlen);
	ret = random_bytes(seed, hlen);
	if (ret)
		return ret;
	mgf1_xor(hash, seed, hlen, db, dblen);
	mgf1_xor(hash, db, dblen, seed, hlen);
	return 0;
}

AWD_EXPORT int awd_oaep_unpad(enum awd_hash hash, const uint8_t *em, size_t k,
			      void *msg, size_t *mlen)
{
	size_t hlen = awd_hash_size(hash), dblen, good, found = 0, one = 0, len;
	uint8_t buf[PAD_MAX_K], lhash[32];

	if (!hlen || !em || !mlen || (!msg && *mlen))
		return -EINVAL;
	if (k > PAD_MAX_K || k < 2 * hlen + 2)
		return -EBADMSG;
	dblen = k - hlen - 1;
	memcpy(buf, em, k);
	mgf1_xor(hash, buf + 1 + hlen, dblen, buf + 1, hlen);
	mgf1_xor(hash, buf + 1, hlen, buf + 1 + hlen, dblen);
	awd_hash(hash, "", 0, lhash);
	good = ct_is_zero(buf[0]);
	for (size_t i = 0; i < hlen; i++)
		good &= ct_eq(buf[1 + hlen + i], lhash[i]);
	/* PS = 00.., then 01 */
	for (size_t i = 1 + 2 * hlen; i < k; i++) {
		size_t is1 = ct_eq(buf[i], 1), is0 = ct_is_zero(buf[i]);

		one = ct_select(~found & is1, i, one);
		good &= found | is0 | is1;
		found |= is1;
	}
	good &= found;
	wipe(lhash, sizeof(lhash));
	if (!good) {
		wipe(buf, k);
		return -EBADMSG;
	}
	len = k - one - 1;
	if (len > *mlen) {
		wipe(buf, k);
		return -ENOBUFS;
	}
	if (len)
		memcpy(msg, buf + one + 1, len);
	*mlen = len;
	wipe(buf, k);
	return 0;
}

/* H = Hash(00 x 8 || mHash || salt) */
static void pss_h(enum awd_hash hash, const uint8_t *digest,
		  const uint8_t *salt, size_t slen, uint8_t *out)
{
	uint8_t m[8 + 32 + PAD_MAX_K];
	size_t hlen = awd_hash_size(hash);

	memset(m, 0, 8);
	memcpy(m + 8, digest, hlen);
	if (slen)
		memcpy(m + 8 + hlen, salt, slen);
	awd_hash(hash, m, 8 + hlen + slen, out);
}

AWD_EXPORT int awd_pss_pad(enum awd_hash hash, const uint8_t *digest,
			   uint8_t *em, size_t bits)
{
	size_t hlen = awd_hash_size(hash), k = (bits + 7) / 8;
	size_t embits = bits - 1, emlen = (embits + 7) / 8, dblen, slen = hlen;
	uint8_t *e, salt[32];
	int ret;

	if (!hlen || !digest || !em || !bits)
		return -EINVAL;
	if (k > PAD_MAX_K || emlen < hlen + slen + 2)
		return -EMSGSIZE;
	if (k > emlen)
		em[0] = 0;
	e = em + (k - emlen);
	dblen = emlen - hlen - 1;
	ret = random_bytes(salt, slen);
	if (ret)
		return ret;
	pss_h(hash, digest, salt, slen, e + dblen);
	memset(e, 0, dblen - slen - 1);
	e[dblen - slen - 1] = 1;
	memcpy(e + dblen - slen, salt, slen);
	mgf1_xor(hash, e + dblen, hlen, e, dblen);
	e[0] &= (uint8_t)(0xff >> (8 * emlen - embits));
	e[emlen - 1] = 0xbc;
	return 0;
}

AWD_EXPORT int awd_pss_check(enum awd_hash hash, const uint8_t *digest,
			     const uint8_t *em, size_t bits)
{
	size_t hlen = awd_hash_size(hash), k = (bits + 7) / 8;
	size_t embits = bits - 1, emlen = (embits + 7) / 8, dblen, i;
	uint8_t db[PAD_MAX_K], h[32];
	const uint8_t *e;

	if (!hlen || !digest || !em || !bits)
		return -EINVAL;
	if (k > PAD_MAX_K || emlen < hlen + 2)
		return -EBADMSG;
	if (k > emlen && em[0])
		return -EBADMSG;
	e = em + (k - emlen);
	if (e[emlen - 1] != 0xbc)
		return -EBADMSG;
	dblen = emlen - hlen - 1;
	if (e[0] & (uint8_t)~(0xff >> (8 * emlen - embits)))
		return -EBADMSG;
	memcpy(db, e, dblen);
	mgf1_xor(hash, e + dblen, hlen, db, dblen);
	db[0] &= (uint8_t)(0xff >> (8 * emlen - embits));
	for (i = 0; i < dblen && !db[i]; i++)
		;
	if (i == dblen || db[i] != 1)
		return -EBADMSG;
	i++;
	pss_h(hash, digest, db + i, dblen - i, h);
	return memcmp(h, e + dblen, hlen) ? -EBADMSG : 0;
}
