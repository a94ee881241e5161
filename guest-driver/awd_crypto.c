// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd kernel crypto API providers, backed by the devices' kernel
 * queues (awd_kq.c):
 *
 *   acomp "deflate" (deflate-accel_wd): raw deflate (RFC 1951) like the
 *   generic one. The device compresses with a 32 KiB window unless it has
 *   AWD_CAP_WBITS, in which case it uses the generic implementation's
 *   2 KiB window (windowBits 11) so that either side can decompress the
 *   other's output. Linux refuses negative priorities and deflate-generic
 *   has 0, so ours has 0 too and the tie goes to the newer registration:
 *   registering loads deflate-generic afterwards, which keeps software
 *   the default for "deflate" (unless deflate-generic was already loaded
 *   before accel_wd, or is not installed). Ask for "deflate-accel_wd".
 *
 *   akcipher "rsa" (rsa-accel_wd): raw RSA (m^e mod n, c^d mod n), so the
 *   pkcs1pad template stacks on it. Keys the device cannot take (moduli
 *   outside 512..4096 bits, even moduli) and requests while no device is
 *   present go to rsa-generic. Priority 50, below rsa-generic (100).
 *
 * The algorithms are registered when the first device with a kernel queue
 * probes (the self-tests run then, on the device) and stay registered until
 * the module is unloaded: transforms pin the module, not a device. With no
 * device left, or for requests larger than a bounce buffer, both fall back
 * to software (so zswap can still read what it stored).
 */

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/zlib.h>
#include <crypto/akcipher.h>
#include <crypto/internal/acompress.h>
#include <crypto/internal/akcipher.h>
#include <crypto/internal/rsa.h>
#include <crypto/scatterwalk.h>

#include "awd.h"

#define AWD_DEFLATE_LEVEL	6	/* zlib's default, as deflate-generic */
#define AWD_RSA_MIN_BYTES	(AWD_RSA_MIN_BITS / 8)
#define AWD_RSA_MAX_BYTES	(AWD_RSA_MAX_BITS / 8)

static DEFINE_MUTEX(awd_crypto_lock);
static bool awd_acomp_registered;
static bool awd_rsa_registered;
static bool awd_wbits;		/* every device so far honours WBITS */
/* largest modulus every device with a kernel queue takes */
static unsigned int awd_rsa_max_bytes = AWD_RSA_MAX_BYTES;

/* ---- deflate ------------------------------------------------------------- */

static int awd_comp_prepare(struct awd_kslot *slot, struct awd_desc *d,
			    bool compress)
{
	struct acomp_req *req = container_of(slot->areq, struct acomp_req,
					     base);

	if (acomp_request_src_isvirt(req))
		memcpy(slot->src, req->svirt, req->slen);
	else
		memcpy_from_sglist(slot->src, req->src, 0, req->slen);
	slot->dlen = min_t(unsigned int, req->dlen, AWD_KQ_BUF);
	d->opcode = compress ? AWD_OP_COMPRESS : AWD_OP_DECOMPRESS;
	d->src = slot->src_dma;
	d->src_len = req->slen;
	d->dst = slot->dst_dma;
	d->dst_len = slot->dlen;
	d->param = AWD_FMT_RAW << AWD_PARAM_FMT_SHIFT;
	if (compress) {
		d->param |= AWD_DEFLATE_LEVEL << AWD_PARAM_LEVEL_SHIFT;
		if (READ_ONCE(awd_wbits))
			d->param |= 11 << AWD_PARAM_WBITS_SHIFT;
	}
	return 0;
}

static int awd_comp_finish(struct awd_kslot *slot, const struct awd_cpl *cpl,
			   bool compress)
{
	struct acomp_req *req = container_of(slot->areq, struct acomp_req,
					     base);

	switch (cpl->status) {
	case AWD_STS_OK:
		break;
	case AWD_STS_DST_TOO_SMALL:
		return -ENOSPC;
	case AWD_STS_DECODE_ERROR:
	case AWD_STS_INVALID_LEN:
		return -EINVAL;
	default:
		return -EIO;
	}
	/* the device's word is checked before it steers a copy */
	if (cpl->produced > slot->dlen || cpl->consumed > req->slen)
		return -EIO;
	if (!compress && !(cpl->flags & AWD_CF_STREAM_END))
		return -EINVAL;		/* truncated input */
	if (acomp_request_dst_isvirt(req))
		memcpy(req->dvirt, slot->dst, cpl->produced);
	else
		memcpy_to_sglist(req->dst, 0, slot->dst, cpl->produced);
	req->dlen = cpl->produced;
	return 0;
}

/*
 * Without a device (or for inputs larger than a bounce buffer) the work is
 * done in software: compression by the acomp core's synchronous fallback
 * (deflate-generic, whose 2 KiB-window output every inflater reads),
 * decompression here with a 32 KiB window, since the device's own output
 * may need one (deflate-generic's inflater has 2 KiB).
 */
struct awd_inflate {
	struct z_stream_s zs;
	u8 in[512];
	u8 out[512];
};

/*
 * One inflate state per transform, lent to one request at a time: the
 * lock covers only the lending (an inflate of any size runs without it,
 * preemptible and with softirqs on). A request that finds it lent out
 * brings its own.
 */
struct awd_acomp_ctx {
	spinlock_t lock;		/* ws_busy */
	bool ws_busy;
	struct awd_inflate *ws;
};

static struct awd_inflate *awd_inflate_alloc(gfp_t gfp)
{
	struct awd_inflate *ws = kmalloc(sizeof(*ws), gfp);

	if (!ws)
		return NULL;
	/* kvmalloc only where it may sleep */
	if (gfpflags_allow_blocking(gfp))
		ws->zs.workspace = kvmalloc(zlib_inflate_workspacesize(), gfp);
	else
		ws->zs.workspace = kmalloc(zlib_inflate_workspacesize(), gfp);
	if (!ws->zs.workspace) {
		kfree(ws);
		return NULL;
	}
	return ws;
}

static void awd_inflate_free(struct awd_inflate *ws)
{
	if (ws) {
		kvfree(ws->zs.workspace);
		kfree(ws);
	}
}

static struct awd_inflate *awd_inflate_get(struct awd_acomp_ctx *ctx,
					   struct acomp_req *req)
{
	bool busy;

	spin_lock_bh(&ctx->lock);
	busy = ctx->ws_busy;
	ctx->ws_busy = true;
	spin_unlock_bh(&ctx->lock);
	if (!busy)
		return ctx->ws;
	return awd_inflate_alloc(req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP ?
				 GFP_KERNEL : GFP_ATOMIC);
}

static void awd_inflate_put(struct awd_acomp_ctx *ctx, struct awd_inflate *ws)
{
	if (ws != ctx->ws) {
		awd_inflate_free(ws);
		return;
	}
	spin_lock_bh(&ctx->lock);
	ctx->ws_busy = false;
	spin_unlock_bh(&ctx->lock);
}

static int awd_sw_compress(struct acomp_req *req)
{
	ACOMP_FBREQ_ON_STACK(fbreq, req);
	int rc;

	rc = crypto_acomp_compress(fbreq);
	req->dlen = fbreq->dlen;
	return rc;
}

static void awd_sw_read(struct acomp_req *req, void *buf, unsigned int off,
			unsigned int n)
{
	if (acomp_request_src_isvirt(req))
		memcpy(buf, req->svirt + off, n);
	else
		memcpy_from_sglist(buf, req->src, off, n);
}

static void awd_sw_write(struct acomp_req *req, const void *buf,
			 unsigned int off, unsigned int n)
{
	if (acomp_request_dst_isvirt(req))
		memcpy(req->dvirt + off, buf, n);
	else
		memcpy_to_sglist(req->dst, off, buf, n);
}

static int awd_sw_decompress(struct acomp_req *req)
{
	struct awd_acomp_ctx *actx = acomp_tfm_ctx(crypto_acomp_reqtfm(req));
	struct awd_inflate *ctx = awd_inflate_get(actx, req);
	struct z_stream_s *zs;
	unsigned int in_off = 0, out_off = 0, room, got, n;
	bool tasted = false, full;
	int zret, rc;

	if (!ctx)
		return -ENOMEM;
	zs = &ctx->zs;
	if (zlib_inflateInit2(zs, -MAX_WBITS) != Z_OK) {
		rc = -EINVAL;
		goto out;
	}
	zs->avail_in = 0;
	for (;;) {
		if (!zs->avail_in && in_off < req->slen) {
			n = min_t(unsigned int, sizeof(ctx->in),
				  req->slen - in_off);
			awd_sw_read(req, ctx->in, in_off, n);
			in_off += n;
			zs->next_in = ctx->in;
			zs->avail_in = n;
		} else if (!zs->avail_in && !tasted) {
			/* raw inflate may want a byte past the end */
			ctx->in[0] = 0;
			zs->next_in = ctx->in;
			zs->avail_in = 1;
			tasted = true;
		}
		/*
		 * With the output full, one byte of room tells whether the
		 * stream still has data (-ENOSPC) or only its end to read.
		 */
		room = min_t(unsigned int, sizeof(ctx->out),
			     req->dlen - out_off);
		full = !room;
		if (full)
			room = 1;
		zs->next_out = ctx->out;
		zs->avail_out = room;
		n = zs->avail_in;
		zret = zlib_inflate(zs, Z_SYNC_FLUSH);
		got = room - zs->avail_out;
		if (full && got) {
			rc = -ENOSPC;
			break;
		}
		awd_sw_write(req, ctx->out, out_off, got);
		out_off += got;
		if (zret == Z_STREAM_END) {
			rc = 0;
			break;
		}
		/* corrupt, or truncated: no progress with all input given */
		if ((zret != Z_OK && zret != Z_BUF_ERROR) ||
		    (!got && zs->avail_in == n && in_off >= req->slen &&
		     tasted)) {
			rc = -EINVAL;
			break;
		}
	}
	zlib_inflateEnd(zs);
	req->dlen = out_off;
out:
	awd_inflate_put(actx, ctx);
	return rc;
}

static int awd_acomp_compress(struct acomp_req *req)
{
	int rc;

	if (!req->slen || !req->dlen)
		return -EINVAL;
	if (req->slen > AWD_KQ_BUF)
		return awd_sw_compress(req);
	rc = awd_kq_submit(AWD_KOP_COMPRESS, &req->base);
	return rc == -ENODEV ? awd_sw_compress(req) : rc;
}

static int awd_acomp_decompress(struct acomp_req *req)
{
	int rc;

	if (!req->slen || !req->dlen)
		return -EINVAL;
	if (req->slen > AWD_KQ_BUF)
		return awd_sw_decompress(req);
	rc = awd_kq_submit(AWD_KOP_DECOMPRESS, &req->base);
	return rc == -ENODEV ? awd_sw_decompress(req) : rc;
}

static int awd_acomp_init(struct crypto_acomp *tfm)
{
	struct awd_acomp_ctx *ctx = acomp_tfm_ctx(tfm);

	spin_lock_init(&ctx->lock);
	ctx->ws_busy = false;
	ctx->ws = awd_inflate_alloc(GFP_KERNEL);
	return ctx->ws ? 0 : -ENOMEM;
}

static void awd_acomp_exit(struct crypto_acomp *tfm)
{
	struct awd_acomp_ctx *ctx = acomp_tfm_ctx(tfm);

	awd_inflate_free(ctx->ws);
}

static struct acomp_alg awd_acomp = {
	.compress = awd_acomp_compress,
	.decompress = awd_acomp_decompress,
	.init = awd_acomp_init,
	.exit = awd_acomp_exit,
	.base = {
		.cra_name = "deflate",
		.cra_driver_name = "deflate-" AWD_DRV_NAME,
		.cra_priority = 0,
		.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_ctxsize = sizeof(struct awd_acomp_ctx),
		.cra_module = THIS_MODULE,
	},
};

/* ---- RSA ------------------------------------------------------------------ */

struct awd_rsa_ctx {
	struct crypto_akcipher *fb;	/* rsa-generic */
	u8 *pub;			/* n || e, len bytes each */
	u8 *priv;			/* n || d, len bytes each */
	unsigned int len;		/* modulus bytes; 0: use fb */
};

static int awd_rsa_prepare(struct awd_kslot *slot, struct awd_desc *d,
			   bool enc)
{
	struct akcipher_request *req = container_of(slot->areq,
						    struct akcipher_request,
						    base);
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));
	unsigned int len = ctx->len;
	const u8 *key = enc ? ctx->pub : ctx->priv;

	if (!len || !key || req->src_len > len)
		return -EINVAL;
	memset(slot->src, 0, len - req->src_len);
	memcpy_from_sglist(slot->src + len - req->src_len, req->src, 0,
			   req->src_len);
	memcpy(slot->key, key, 2 * len);
	slot->dlen = len;
	d->opcode = AWD_OP_RSA;
	d->src = slot->src_dma;
	d->src_len = len;
	d->dst = slot->dst_dma;
	d->dst_len = len;
	d->key = slot->key_dma;
	d->param = enc ? AWD_RSA_PUBLIC : AWD_RSA_PRIVATE;
	return 0;
}

static int awd_rsa_finish(struct awd_kslot *slot, const struct awd_cpl *cpl)
{
	struct akcipher_request *req = container_of(slot->areq,
						    struct akcipher_request,
						    base);

	switch (cpl->status) {
	case AWD_STS_OK:
		break;
	case AWD_STS_INPUT_RANGE:
	case AWD_STS_BAD_KEY:
		return -EINVAL;
	default:
		return -EIO;
	}
	if (cpl->produced != slot->dlen)
		return -EIO;
	memcpy_to_sglist(req->dst, 0, slot->dst, slot->dlen);
	req->dst_len = slot->dlen;
	return 0;
}

static int awd_rsa_fallback(struct akcipher_request *req, bool enc)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));
	struct akcipher_request *sub = akcipher_request_ctx(req);
	int rc;

	akcipher_request_set_tfm(sub, ctx->fb);
	akcipher_request_set_callback(sub, req->base.flags, req->base.complete,
				      req->base.data);
	akcipher_request_set_crypt(sub, req->src, req->dst, req->src_len,
				   req->dst_len);
	rc = enc ? crypto_akcipher_encrypt(sub) : crypto_akcipher_decrypt(sub);
	req->dst_len = sub->dst_len;
	return rc;
}

static int awd_rsa_op(struct akcipher_request *req, bool enc)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));
	int rc;

	if (!ctx->len || (!enc && !ctx->priv))
		return awd_rsa_fallback(req, enc);
	if (req->dst_len < ctx->len) {
		req->dst_len = ctx->len;
		return -EOVERFLOW;
	}
	if (req->src_len > ctx->len)
		return -EINVAL;
	rc = awd_kq_submit(enc ? AWD_KOP_RSA_ENC : AWD_KOP_RSA_DEC, &req->base);
	if (rc == -ENODEV)
		return awd_rsa_fallback(req, enc);
	return rc;
}

static int awd_rsa_encrypt(struct akcipher_request *req)
{
	return awd_rsa_op(req, true);
}

static int awd_rsa_decrypt(struct akcipher_request *req)
{
	return awd_rsa_op(req, false);
}

static void awd_rsa_clear(struct awd_rsa_ctx *ctx)
{
	kfree_sensitive(ctx->priv);
	kfree(ctx->pub);
	ctx->priv = NULL;
	ctx->pub = NULL;
	ctx->len = 0;
}

/* strip leading zero bytes of a big-endian integer */
static const u8 *awd_rsa_strip(const u8 *p, size_t *sz)
{
	while (*sz && !*p) {
		p++;
		(*sz)--;
	}
	return p;
}

/* n||x, each len bytes, x right-aligned; NULL when x does not fit */
static u8 *awd_rsa_pack(const u8 *n, unsigned int len, const u8 *x, size_t xsz)
{
	u8 *buf;

	x = awd_rsa_strip(x, &xsz);
	if (!xsz || xsz > len)
		return NULL;
	buf = kzalloc(2 * len, GFP_KERNEL);
	if (!buf)
		return NULL;
	memcpy(buf, n, len);
	memcpy(buf + 2 * len - xsz, x, xsz);
	return buf;
}

static int awd_rsa_setkey(struct crypto_akcipher *tfm, const void *key,
			  unsigned int keylen, bool priv)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(tfm);
	struct rsa_key raw = { };
	const u8 *n;
	size_t nsz;
	int rc;

	/* software first: it validates the key and serves what we cannot */
	rc = priv ? crypto_akcipher_set_priv_key(ctx->fb, key, keylen) :
		    crypto_akcipher_set_pub_key(ctx->fb, key, keylen);
	if (rc)
		return rc;
	awd_rsa_clear(ctx);
	rc = priv ? rsa_parse_priv_key(&raw, key, keylen) :
		    rsa_parse_pub_key(&raw, key, keylen);
	if (rc)
		return rc;
	nsz = raw.n_sz;
	n = awd_rsa_strip(raw.n, &nsz);
	if (nsz < AWD_RSA_MIN_BYTES || nsz > READ_ONCE(awd_rsa_max_bytes) ||
	    !(n[nsz - 1] & 1))
		return 0;		/* the device cannot: software */
	ctx->pub = awd_rsa_pack(n, nsz, raw.e, raw.e_sz);
	if (priv)
		ctx->priv = awd_rsa_pack(n, nsz, raw.d, raw.d_sz);
	if (!ctx->pub || (priv && !ctx->priv)) {
		awd_rsa_clear(ctx);
		return 0;
	}
	ctx->len = nsz;
	return 0;
}

static int awd_rsa_set_pub_key(struct crypto_akcipher *tfm, const void *key,
			       unsigned int keylen)
{
	return awd_rsa_setkey(tfm, key, keylen, false);
}

static int awd_rsa_set_priv_key(struct crypto_akcipher *tfm, const void *key,
				unsigned int keylen)
{
	return awd_rsa_setkey(tfm, key, keylen, true);
}

static unsigned int awd_rsa_max_size(struct crypto_akcipher *tfm)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(tfm);

	return ctx->len ? ctx->len : crypto_akcipher_maxsize(ctx->fb);
}

static int awd_rsa_init(struct crypto_akcipher *tfm)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(tfm);

	ctx->fb = crypto_alloc_akcipher("rsa-generic", 0, 0);
	if (IS_ERR(ctx->fb))
		return PTR_ERR(ctx->fb);
	akcipher_set_reqsize(tfm, sizeof(struct akcipher_request) +
			     crypto_akcipher_reqsize(ctx->fb));
	return 0;
}

static void awd_rsa_exit(struct crypto_akcipher *tfm)
{
	struct awd_rsa_ctx *ctx = akcipher_tfm_ctx(tfm);

	awd_rsa_clear(ctx);
	crypto_free_akcipher(ctx->fb);
}

static struct akcipher_alg awd_rsa = {
	.encrypt = awd_rsa_encrypt,
	.decrypt = awd_rsa_decrypt,
	.set_pub_key = awd_rsa_set_pub_key,
	.set_priv_key = awd_rsa_set_priv_key,
	.max_size = awd_rsa_max_size,
	.init = awd_rsa_init,
	.exit = awd_rsa_exit,
	.base = {
		.cra_name = "rsa",
		.cra_driver_name = "rsa-" AWD_DRV_NAME,
		.cra_priority = 50,
		.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_ctxsize = sizeof(struct awd_rsa_ctx),
		.cra_module = THIS_MODULE,
	},
};

/* ---- kernel queue callbacks ---------------------------------------------- */

/* kq->lock held (atomic): fill the descriptor from slot->areq. */
int awd_crypto_prepare(struct awd_kslot *slot, struct awd_desc *d)
{
	switch (slot->op) {
	case AWD_KOP_COMPRESS:
		return awd_comp_prepare(slot, d, true);
	case AWD_KOP_DECOMPRESS:
		return awd_comp_prepare(slot, d, false);
	case AWD_KOP_RSA_ENC:
		return awd_rsa_prepare(slot, d, true);
	case AWD_KOP_RSA_DEC:
		return awd_rsa_prepare(slot, d, false);
	default:
		return -EINVAL;
	}
}

/* kq->lock held (atomic): copy the result out; the request's status. */
int awd_crypto_finish(struct awd_kslot *slot, const struct awd_cpl *cpl)
{
	switch (slot->op) {
	case AWD_KOP_COMPRESS:
		return awd_comp_finish(slot, cpl, true);
	case AWD_KOP_DECOMPRESS:
		return awd_comp_finish(slot, cpl, false);
	case AWD_KOP_RSA_ENC:
	case AWD_KOP_RSA_DEC:
		return awd_rsa_finish(slot, cpl);
	default:
		return -EIO;
	}
}

/* ---- registration --------------------------------------------------------- */

/* A device's kernel queue is up: register what it can do (once). */
void awd_crypto_register(struct awd_dev *awd)
{
	struct device *dev = &awd->pdev->dev;
	int rc;

	mutex_lock(&awd_crypto_lock);
	if ((awd->caps & AWD_CAP_DEFLATE) && (awd->caps & AWD_CAP_INFLATE) &&
	    !awd_acomp_registered) {
		WRITE_ONCE(awd_wbits, !!(awd->caps & AWD_CAP_WBITS));
		if (!awd_wbits)
			dev_info(dev, "deflate-%s output uses a 32 KiB window (no AWD_CAP_WBITS): decompress it with this driver or a 32 KiB-window inflater\n",
				 AWD_DRV_NAME);
		rc = crypto_register_acomp(&awd_acomp);
		if (rc) {
			dev_warn(dev, "registering deflate failed: %d\n", rc);
		} else {
			awd_acomp_registered = true;
			/* registered after us, it wins the priority tie */
			request_module("crypto-deflate-generic");
		}
	} else if (!(awd->caps & AWD_CAP_WBITS)) {
		WRITE_ONCE(awd_wbits, false);
	}
	if (awd->caps & AWD_CAP_RSA)
		WRITE_ONCE(awd_rsa_max_bytes, min(awd_rsa_max_bytes,
						  awd->rsa_max_bits / 8));
	if ((awd->caps & AWD_CAP_RSA) && !awd_rsa_registered) {
		rc = crypto_register_akcipher(&awd_rsa);
		if (rc)
			dev_warn(dev, "registering rsa failed: %d\n", rc);
		else
			awd_rsa_registered = true;
	}
	mutex_unlock(&awd_crypto_lock);
}

/* Module exit: no transform exists any more (each pins the module). */
void awd_crypto_unregister(void)
{
	mutex_lock(&awd_crypto_lock);
	if (awd_acomp_registered)
		crypto_unregister_acomp(&awd_acomp);
	if (awd_rsa_registered)
		crypto_unregister_akcipher(&awd_rsa);
	awd_acomp_registered = false;
	awd_rsa_registered = false;
	mutex_unlock(&awd_crypto_lock);
}
