// SPDX-License-Identifier: MIT
/*
 * libaccelwd: one-shot and streamed compression and decompression.
 *
 * The device writes and checks the zlib/gzip wrappers itself. The library
 * only writes them when the device cannot be asked: an empty input (the
 * device refuses zero-length sources), where it emits the same bytes the
 * device would (awd__wrap_header/trailer) around an empty final block.
 */
#include <stdlib.h>
#include <string.h>

#include "awd_internal.h"

struct awd_stream {
	struct awd_ctx *ctx;
	enum awd_stream_dir dir;
	unsigned int format, level;
	uint8_t *dctx;             /* device stream context */
	size_t dctx_size;
	uint64_t dctx_addr;        /* its device address (VA, or no-SVA IOVA) */
	struct awd_block *blk;     /* no-SVA: dctx is this arena block */
	bool started, ended;
	uint64_t total_in, total_out;
	uint32_t checksum;
};

/*
 * An empty final deflate block (fixed Huffman, BFINAL=1, end-of-block):
 * valid after the byte-aligned output of a sync flush, or at the start.
 */
static const uint8_t empty_final_block[2] = { 0x03, 0x00 };

static size_t wrap_len(unsigned int fmt)
{
	return fmt == AWD_FORMAT_GZIP ? 18 : fmt == AWD_FORMAT_ZLIB ? 6 : 0;
}

AWD_EXPORT size_t awd_compress_bound(enum awd_format format, size_t len)
{
	size_t b;

	if ((unsigned int)format > AWD_FORMAT_GZIP)
		return 0;
	/*
	 * the device's bound: zlib's deflateBound() for default parameters,
	 * plus room for a sync-flush marker and a final empty block
	 */
	b = len + (len >> 12) + (len >> 14) + (len >> 25) + 7 +
	    wrap_len(format) + 16;
	return b < len ? SIZE_MAX : b;
}

static uint32_t csum_init(unsigned int fmt)
{
	return fmt == AWD_FORMAT_GZIP ? 0 : 1;  /* crc32 : adler32 */
}

/*
 * Write the end of a stream whose input ended on a call without data:
 * header (if nothing was written yet), empty final block, trailer.
 * Returns the bytes written or -ENOBUFS.
 */
static int write_empty_end(unsigned int fmt, unsigned int level, bool header,
			   uint32_t sum, uint64_t total_in, uint8_t *dst,
			   size_t dst_len)
{
	uint8_t buf[32];
	size_t n = 0;

	if (header)
		n += awd__wrap_header(fmt, level, buf);
	memcpy(buf + n, empty_final_block, sizeof(empty_final_block));
	n += sizeof(empty_final_block);
	n += awd__wrap_trailer(fmt, sum, total_in, buf + n);
	if (n > dst_len)
		return -ENOBUFS;
	memcpy(dst, buf, n);
	return (int)n;
}

static int check_format_level(enum awd_format format, int level, bool comp)
{
	if ((unsigned int)format > AWD_FORMAT_GZIP)
		return -EINVAL;
	if (comp && (level < AWD_LEVEL_MIN || level > AWD_LEVEL_MAX))
		return -EINVAL;
	return 0;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

AWD_EXPORT int awd_compress(struct awd_ctx *ctx, enum awd_format format,
			    int level, const void *src, size_t src_len,
			    void *dst, size_t *dst_len)
{
	struct awd_req req = AWD_REQ_INIT;
	int ret;

	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	ret = check_format_level(format, level, true);
	if (ret)
		return ret;
	if (!dst_len || (!src && src_len) || (!dst && *dst_len))
		return -EINVAL;
	if (!src_len) {
		ret = write_empty_end(format, level, true, csum_init(format), 0,
				      dst, *dst_len);
		if (ret < 0) {
			*dst_len = awd_compress_bound(format, 0);
			return ret;
		}
		*dst_len = (size_t)ret;
		return 0;
	}
	if (src_len > ctx->info.max_xfer)
		return -EMSGSIZE;
	if (!*dst_len) {
		*dst_len = awd_compress_bound(format, src_len);
		return -ENOBUFS;
	}
	req.op = AWD_REQ_COMPRESS;
	req.format = format;
	req.level = (uint32_t)level;
	req.src = src;
	req.src_len = src_len;
	req.dst = dst;
	req.dst_len = min_sz(*dst_len, ctx->info.max_xfer);
	ret = awd_run(ctx, &req);
	if (ret == -ENOBUFS) {
		size_t need = req.produced ? req.produced :
			      awd_compress_bound(format, src_len);

		*dst_len = need;
		return need > ctx->info.max_xfer ? -EMSGSIZE : -ENOBUFS;
	}
	if (ret)
		return ret;
	*dst_len = req.produced;
	return 0;
}

AWD_EXPORT int awd_decompress(struct awd_ctx *ctx, enum awd_format format,
			      const void *src, size_t *src_len, void *dst,
			      size_t *dst_len)
{
	struct awd_req req = AWD_REQ_INIT;
	int ret;

	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	ret = check_format_level(format, 0, false);
	if (ret)
		return ret;
	if (!src_len || !dst_len || (!src && *src_len) || (!dst && *dst_len))
		return -EINVAL;
	if (!*src_len)
		return -EBADMSG;
	if (*src_len > ctx->info.max_xfer)
		return -EMSGSIZE;
	if (!*dst_len)
		return -ENOBUFS;
	req.op = AWD_REQ_DECOMPRESS;
	req.format = format;
	req.src = src;
	req.src_len = *src_len;
	req.dst = dst;
	req.dst_len = min_sz(*dst_len, ctx->info.max_xfer);
	ret = awd_run(ctx, &req);
	if (ret)
		return ret;
	if (!req.stream_end)
		return -EBADMSG;
	*src_len = req.consumed;
	*dst_len = req.produced;
	return 0;
}

/* ---- streams ----------------------------------------------------------- */

AWD_EXPORT int awd_stream_new(struct awd_ctx *ctx, struct awd_stream **sp,
			      enum awd_stream_dir dir, enum awd_format format,
			      int level)
{
	struct awd_stream *s;
	size_t size;
	int ret;

	if (sp)
		*sp = NULL;
	ret = awd__ctx_check(ctx);
	if (ret)
		return ret;
	if (!sp || (dir != AWD_STREAM_COMPRESS && dir != AWD_STREAM_DECOMPRESS))
		return -EINVAL;
	ret = check_format_level(format, level, dir == AWD_STREAM_COMPRESS);
	if (ret)
		return ret;
	if (!(ctx->info.caps & AWD_CAP_STREAM) || !ctx->info.stream_ctx_size)
		return -EOPNOTSUPP;
	if (!(ctx->info.caps & (dir == AWD_STREAM_COMPRESS ? AWD_CAP_DEFLATE :
				AWD_CAP_INFLATE)))
		return -EOPNOTSUPP;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	size = (ctx->info.stream_ctx_size + AWD_STREAM_CTX_ALIGN - 1) &
	       ~(size_t)(AWD_STREAM_CTX_ALIGN - 1);
	if (awd__nosva(ctx)) {
		ret = awd__bounce_get(ctx, size, &s->blk);
		if (ret) {
			free(s);
			return ret == -EAGAIN ? -ENOSPC : ret;
		}
		s->dctx = awd__block_ptr(s->blk);
		s->dctx_addr = awd__block_iova(s->blk);
	} else {
		s->dctx = aligned_alloc(AWD_STREAM_CTX_ALIGN, size);
		if (!s->dctx) {
			free(s);
			return -ENOMEM;
		}
		s->dctx_addr = (uintptr_t)s->dctx;
	}
	memset(s->dctx, 0, size);
	s->dctx_size = size;
	s->ctx = ctx;
	s->dir = dir;
	s->format = format;
	s->level = dir == AWD_STREAM_COMPRESS ? (unsigned int)level : 0;
	s->checksum = csum_init(format);
	ctx->users++;
	*sp = s;
	return 0;
}

AWD_EXPORT int awd_stream_reset(struct awd_stream *s)
{
	if (!s)
		return -EBADF;
	s->started = false;
	s->ended = false;
	s->total_in = 0;
	s->total_out = 0;
	s->checksum = csum_init(s->format);
	return 0;
}

AWD_EXPORT int awd_stream_totals(const struct awd_stream *s,
				 uint64_t *total_in, uint64_t *total_out,
				 uint32_t *checksum)
{
	if (!s)
		return -EBADF;
	if (total_in)
		*total_in = s->total_in;
	if (total_out)
		*total_out = s->total_out;
	if (checksum)
		*checksum = s->checksum;
	return 0;
}

AWD_EXPORT void awd_stream_free(struct awd_stream **sp)
{
	struct awd_stream *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	if (s->blk)
		awd__bounce_put(s->ctx, s->blk);
	else
		free(s->dctx);
	s->ctx->users--;
	free(s);
	*sp = NULL;
}

/* Largest input whose compressed form surely fits in @room. */
static size_t fit_input(unsigned int fmt, size_t room)
{
	size_t n, b;

	b = awd_compress_bound(fmt, 0);
	if (room <= b)
		return 0;
	n = room - b;
	while (n && (b = awd_compress_bound(fmt, n)) > room)
		n -= min_sz(n, b - room);
	return n;
}

static int stream_submit(struct awd_stream *s, const void *src, size_t n,
			 void *dst, size_t room, bool final,
			 struct awd_req *req)
{
	uint32_t dflags = AWD_DF_STREAM;

	if (!s->started)
		dflags |= AWD_DF_STREAM_INIT;
	if (final)
		dflags |= AWD_DF_FINAL;
	memset(req, 0, sizeof(*req));
	req->op = s->dir == AWD_STREAM_COMPRESS ? AWD_REQ_COMPRESS :
		  AWD_REQ_DECOMPRESS;
	req->format = s->format;
	req->level = s->level;
	req->src = src;
	req->src_len = n;
	req->dst = dst;
	req->dst_len = room;
	return awd__run(s->ctx, req, dflags, s->dctx_addr);
}

static int stream_compress(struct awd_stream *s, const uint8_t *src,
			   size_t src_len, size_t *consumed, uint8_t *dst,
			   size_t dst_len, size_t *produced, bool finish)
{
	struct awd_ctx *ctx = s->ctx;
	size_t room = min_sz(dst_len, ctx->info.max_xfer);
	struct awd_req req;
	size_t n;
	bool final;
	int ret;

	if (!src_len) {
		if (!finish)
			return 0;
		ret = write_empty_end(s->format, s->level, !s->started,
				      s->checksum, s->total_in, dst, dst_len);
		if (ret < 0)
			return ret;
		*produced = (size_t)ret;
		s->total_out += (size_t)ret;
		s->started = true;
		s->ended = true;
		return AWD_STREAM_END;
	}
	n = min_sz(min_sz(src_len, fit_input(s->format, room)),
		   ctx->info.max_xfer);
	if (!n)
		return -ENOBUFS;
	final = finish && n == src_len;
	ret = stream_submit(s, src, n, dst, room, final, &req);
	if (ret)
		return ret;
	if (req.consumed > n || req.produced > room)
		return -EIO;            /* the device overstepped: distrust */
	s->started = true;
	*consumed = req.consumed;
	*produced = req.produced;
	s->total_in += req.consumed;
	s->total_out += req.produced;
	s->checksum = req.checksum;
	if (final) {
		s->ended = true;
		return AWD_STREAM_END;
	}
	return 0;
}

static int stream_decompress(struct awd_stream *s, const uint8_t *src,
			     size_t src_len, size_t *consumed, uint8_t *dst,
			     size_t dst_len, size_t *produced, bool finish)
{
	struct awd_ctx *ctx = s->ctx;
	size_t room = min_sz(dst_len, ctx->info.max_xfer);
	size_t n = min_sz(src_len, ctx->info.max_xfer);
	struct awd_req req;
	int ret;

	if (!src_len)
		return finish ? -EBADMSG : 0;
	if (!room)
		return -ENOBUFS;
	ret = stream_submit(s, src, n, dst, room, finish && n == src_len, &req);
	if (ret)
		return ret;
	if (req.consumed > n || req.produced > room)
		return -EIO;
	s->started = true;
	*consumed = req.consumed;
	*produced = req.produced;
	s->total_in += req.consumed;
	s->total_out += req.produced;
	s->checksum = req.checksum;
	if (req.stream_end) {
		s->ended = true;
		return AWD_STREAM_END;
	}
	return 0;
}

AWD_EXPORT int awd_stream_run(struct awd_stream *s, const void *src,
			      size_t src_len, size_t *consumed, void *dst,
			      size_t dst_len, size_t *produced,
			      unsigned int flags)
{
	size_t dummy_c, dummy_p;
	int ret;

	if (!s)
		return -EBADF;
	ret = awd__ctx_check(s->ctx);
	if (ret)
		return ret;
	if ((flags & ~AWD_FINISH) || (!src && src_len) || (!dst && dst_len))
		return -EINVAL;
	if (!consumed)
		consumed = &dummy_c;
	if (!produced)
		produced = &dummy_p;
	*consumed = 0;
	*produced = 0;
	if (s->ended)
		return -EALREADY;
	if (s->dir == AWD_STREAM_COMPRESS)
		return stream_compress(s, src, src_len, consumed, dst, dst_len,
				       produced, flags & AWD_FINISH);
	return stream_decompress(s, src, src_len, consumed, dst, dst_len,
				 produced, flags & AWD_FINISH);
}
