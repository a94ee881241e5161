// SPDX-License-Identifier: MIT
/*
 * libawdz: inflate streams.
 *
 * The first inflate() call with input decides. When that input holds one
 * complete stream of a format the device reads, the device decompresses
 * it in one request, straight into the caller's buffer when it is large
 * enough, else into a buffer of the device's largest transfer that is
 * then copied out over the following calls. Anything else -- the input
 * is only part of the stream, it is corrupt, the output is larger than
 * one request, the device failed -- leaves the stream to zlib's own
 * state, which has seen nothing yet: nothing was consumed or counted as
 * output, so zlib starts from the very first byte and its result (or its
 * error message) is exactly zlib's.
 */
#include "awdz.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void to_sw(struct awdz_stream *s, enum awdz_reason why)
{
	s->mode = AWDZ_SW;
	awdz_fallback(AWDZ_OP_INFLATE, why);
}

/*
 * The format of the stream at @in (@len >= 2) for windowBits @wbits, or
 * -1 with *@why set.
 */
static int format_of(int wbits, const Bytef *in, enum awdz_reason *why)
{
	bool gzip;

	switch (wbits) {
	case -15:
		return AWD_FORMAT_RAW;
	case 15:
		gzip = false;
		break;
	case 31:
		gzip = true;
		break;
	case 47:        /* 32 + 15: zlib or gzip, by the header */
		gzip = in[0] == 0x1f && in[1] == 0x8b;
		break;
	default:        /* other windows, or the header's (0) */
		*why = AWDZ_FB_PARAM;
		return -1;
	}
	if (gzip)
		return AWD_FORMAT_GZIP;
	if (in[1] & 0x20) {     /* FDICT */
		*why = AWDZ_FB_DICT;
		return -1;
	}
	return AWD_FORMAT_ZLIB;
}

static int run(struct awd_req *req, int fmt, z_streamp strm, size_t src_len,
	       void *dst, size_t dst_len, enum awdz_reason *why)
{
	int ret;

	memset(req, 0, sizeof(*req));
	req->op = AWD_REQ_DECOMPRESS;
	req->format = (uint32_t)fmt;
	req->src = strm->next_in;
	req->src_len = src_len;
	req->dst = dst;
	req->dst_len = dst_len;
	ret = awdz_hw_run(req, why);
	if (!ret && !req->stream_end) {
		*why = AWDZ_FB_INPUT;   /* the input ends inside the stream */
		ret = -EBADMSG;
	}
	return ret;
}

/* The first call with input: try the device; 0 when it did the stream. */
static int hw_inflate(z_streamp strm, struct awdz_stream *s)
{
	enum awdz_reason why;
	struct awd_caps caps;
	struct awd_req req;
	size_t src_len;
	bool direct;
	int fmt, ret;

	if (strm->avail_in < awdz_conf.min_inflate || strm->avail_in < 2) {
		to_sw(s, AWDZ_FB_SMALL);
		return -1;
	}
	fmt = format_of(s->wbits, strm->next_in, &why);
	if (fmt < 0 || !awdz_hw_ctx(&caps, &why)) {
		to_sw(s, why);
		return -1;
	}
	src_len = strm->avail_in < caps.max_xfer ? strm->avail_in :
		  caps.max_xfer;
	/* output room that is likely enough: the caller's own */
	direct = strm->avail_out >= caps.max_xfer ||
		 strm->avail_out / 8 >= src_len;
	ret = -ENOBUFS;
	if (direct)
		ret = run(&req, fmt, strm, src_len, strm->next_out,
			  strm->avail_out < caps.max_xfer ? strm->avail_out :
			  caps.max_xfer, &why);
	if (ret == -ENOBUFS && strm->avail_out < caps.max_xfer) {
		direct = false;
		if (s->out_cap < caps.max_xfer) {
			free(s->out);
			/* untouched pages cost nothing until written */
			s->out = malloc(caps.max_xfer);
			s->out_cap = s->out ? caps.max_xfer : 0;
		}
		if (s->out)
			ret = run(&req, fmt, strm, src_len, s->out, s->out_cap,
				  &why);
	}
	if (ret) {
		/* a stream that might continue past max_xfer bytes of input */
		if (ret == -EBADMSG && src_len < strm->avail_in)
			why = AWDZ_FB_LARGE;
		to_sw(s, why);
		return -1;
	}
	awdz_count(AWDZ_OP_INFLATE, AWDZ_C_HW, 1);
	awdz_count(AWDZ_OP_INFLATE, AWDZ_C_HW_IN, req.consumed);
	awdz_count(AWDZ_OP_INFLATE, AWDZ_C_HW_OUT, req.produced);
	awdz_advance_in(strm, req.consumed);
	if (fmt != AWD_FORMAT_RAW)
		strm->adler = req.checksum;
	if (direct) {
		awdz_advance_out(strm, req.produced);
		s->mode = AWDZ_DONE;
		return 0;
	}
	s->out_len = req.produced;
	s->out_pos = 0;
	s->mode = AWDZ_DRAIN;
	return 0;
}

static int drain(z_streamp strm, struct awdz_stream *s, int flush)
{
	int ret = awdz_drain(strm, s);

	/* as zlib: Z_FINISH that cannot finish is a buffer error */
	if (ret == Z_OK && flush == Z_FINISH)
		ret = Z_BUF_ERROR;
	return ret;
}

AWDZ_EXPORT int inflate(z_streamp strm, int flush)
{
	struct awdz_stream *s;

	awdz_init();
	s = awdz_in_real ? NULL : awdz_stream_get(strm);
	if (!s)
		return REAL(inflate, strm, flush);
	switch (s->mode) {
	case AWDZ_SW:
		return REAL(inflate, strm, flush);
	case AWDZ_DRAIN:
		return drain(strm, s, flush);
	case AWDZ_DONE:
		return Z_STREAM_END;
	case AWDZ_FRESH:
		break;
	}
	/* errors and calls without data: zlib's stream is still fresh too */
	if (!strm->next_out || !strm->next_in || !strm->avail_in ||
	    flush < 0 || flush > Z_TREES)
		return REAL(inflate, strm, flush);
	if (!strm->avail_out)
		return Z_BUF_ERROR;     /* no progress: decide when there's room */
	if (flush == Z_BLOCK || flush == Z_TREES) {
		/* the caller wants to stop at each deflate block */
		to_sw(s, AWDZ_FB_FLUSH);
		return REAL(inflate, strm, flush);
	}
	if (hw_inflate(strm, s))
		return REAL(inflate, strm, flush);
	return s->mode == AWDZ_DONE ? Z_STREAM_END : drain(strm, s, flush);
}

AWDZ_EXPORT int inflateInit2_(z_streamp strm, int wbits, const char *version,
			      int stream_size)
{
	struct awdz_stream *s;
	int ret;

	awdz_init();
	ret = REAL(inflateInit2_, strm, wbits, version, stream_size);
	if (awdz_in_real || ret != Z_OK)
		return ret;
	s = awdz_stream_new(strm, true);
	if (!s) {
		awdz_fallback(AWDZ_OP_INFLATE, AWDZ_FB_API);
		return ret;
	}
	s->wbits = wbits;
	s->mode = AWDZ_FRESH;
	return ret;
}

AWDZ_EXPORT int inflateInit_(z_streamp strm, const char *version,
			     int stream_size)
{
	awdz_init();
	if (awdz_in_real)
		return REAL(inflateInit_, strm, version, stream_size);
	return inflateInit2_(strm, MAX_WBITS, version, stream_size);
}

AWDZ_EXPORT int inflateEnd(z_streamp strm)
{
	int ret;

	awdz_init();
	ret = REAL(inflateEnd, strm);
	if (!awdz_in_real)
		awdz_stream_free(strm);
	return ret;
}

static void restart(z_streamp strm, int ret, int wbits)
{
	struct awdz_stream *s;

	if (ret != Z_OK)
		return;
	s = awdz_stream_get(strm);
	if (!s)
		return;
	s->mode = AWDZ_FRESH;
	s->out_len = s->out_pos = 0;
	if (wbits != INT_MIN)
		s->wbits = wbits;
}

AWDZ_EXPORT int inflateReset(z_streamp strm)
{
	int ret;

	awdz_init();
	ret = REAL(inflateReset, strm);
	if (!awdz_in_real)
		restart(strm, ret, INT_MIN);
	return ret;
}

AWDZ_EXPORT int inflateResetKeep(z_streamp strm)
{
	int ret;

	awdz_init();
	ret = REAL(inflateResetKeep, strm);
	if (!awdz_in_real)
		restart(strm, ret, INT_MIN);
	return ret;
}

AWDZ_EXPORT int inflateReset2(z_streamp strm, int wbits)
{
	int ret;

	awdz_init();
	ret = REAL(inflateReset2, strm, wbits);
	if (!awdz_in_real)
		restart(strm, ret, wbits);
	return ret;
}

/*
 * Calls that need zlib's state: a fresh stream goes to zlib (counted as
 * @why); one the device already did cannot be handed over.
 */
static int to_zlib(z_streamp strm, enum awdz_reason why)
{
	struct awdz_stream *s = awdz_stream_get(strm);

	if (!s || s->mode == AWDZ_SW)
		return Z_OK;
	if (s->mode != AWDZ_FRESH)
		return Z_STREAM_ERROR;
	to_sw(s, why);
	return Z_OK;
}

#define TO_ZLIB(why, fn, ...) do {					\
		int __ret;						\
									\
		awdz_init();						\
		if (!awdz_in_real) {					\
			__ret = to_zlib(strm, why);			\
			if (__ret != Z_OK)				\
				return __ret;				\
		}							\
		return REAL(fn, __VA_ARGS__);				\
	} while (0)

AWDZ_EXPORT int inflateSetDictionary(z_streamp strm, const Bytef *dict,
				     uInt len)
{
	TO_ZLIB(AWDZ_FB_DICT, inflateSetDictionary, strm, dict, len);
}

AWDZ_EXPORT int inflateGetDictionary(z_streamp strm, Bytef *dict, uInt *len)
{
	TO_ZLIB(AWDZ_FB_API, inflateGetDictionary, strm, dict, len);
}

AWDZ_EXPORT int inflateGetHeader(z_streamp strm, gz_headerp head)
{
	TO_ZLIB(AWDZ_FB_HEADER, inflateGetHeader, strm, head);
}

AWDZ_EXPORT int inflateSync(z_streamp strm)
{
	TO_ZLIB(AWDZ_FB_API, inflateSync, strm);
}

AWDZ_EXPORT int inflatePrime(z_streamp strm, int bits, int value)
{
	TO_ZLIB(AWDZ_FB_API, inflatePrime, strm, bits, value);
}

AWDZ_EXPORT int inflateUndermine(z_streamp strm, int subvert)
{
	TO_ZLIB(AWDZ_FB_API, inflateUndermine, strm, subvert);
}

AWDZ_EXPORT int inflateValidate(z_streamp strm, int check)
{
	TO_ZLIB(AWDZ_FB_API, inflateValidate, strm, check);
}

/* queries: zlib's answer is as good as any */
AWDZ_EXPORT int inflateSyncPoint(z_streamp strm)
{
	awdz_init();
	return REAL(inflateSyncPoint, strm);
}

AWDZ_EXPORT long inflateMark(z_streamp strm)
{
	awdz_init();
	return REAL(inflateMark, strm);
}

AWDZ_EXPORT unsigned long inflateCodesUsed(z_streamp strm)
{
	awdz_init();
	return REAL(inflateCodesUsed, strm);
}

AWDZ_EXPORT int inflateCopy(z_streamp dest, z_streamp source)
{
	int ret;

	awdz_init();
	ret = REAL(inflateCopy, dest, source);
	if (awdz_in_real || ret != Z_OK)
		return ret;
	if (awdz_stream_copy(dest, source)) {
		REAL(inflateEnd, dest);
		return Z_MEM_ERROR;
	}
	return ret;
}
